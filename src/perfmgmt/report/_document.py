"""The report document: plain blocks and the two renderers, Markdown and standalone HTML.

Blocks are headings, paragraphs, tables, bullet lists and figures; the renderers escape every
piece of text on the way.
"""

from __future__ import annotations

from typing import Literal

import attrs

from perfmgmt._html import esc
from perfmgmt._markdown import md_escape, md_table_row
from perfmgmt.charts import (
    Chart,
)

Lang = Literal["en", "zh"]


@attrs.frozen(kw_only=True)
class Heading:
    """A heading; level 1 is the report title."""

    text: str
    level: int = 2


@attrs.frozen(kw_only=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@attrs.frozen(kw_only=True)
class Table:
    """A table of plain text cells."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen(kw_only=True)
class Bullets:
    """A bullet list of plain text items."""

    items: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Figure:
    """A chart: inline SVG in HTML; its title, description and numbers as a table in Markdown."""

    chart: Chart


Block = Heading | Paragraph | Table | Bullets | Figure


@attrs.frozen(kw_only=True)
class Report:
    """A rendered-to-blocks report, ready for :func:`to_markdown` or :func:`to_html`.

    Attributes:
        title: The report title.
        lang: Its language.
        blocks: The content, in order.
    """

    title: str
    lang: Lang
    blocks: tuple[Block, ...]


def to_markdown(report: Report) -> str:
    """Render ``report`` as Markdown; every piece of text goes through one escaper.

    No text can open a link, image, heading, list, quote, code span or fence, or raw HTML, or
    break out of its table cell.
    """
    out: list[str] = []
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {md_escape(block.text)}")
        elif isinstance(block, Paragraph):
            out.append(md_escape(block.text))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {md_escape(item)}" for item in block.items))
        elif isinstance(block, Figure):
            out.append(md_escape(f"{block.chart.title}: {block.chart.alt}"))
            if block.chart.rows:
                out.append(_md_table(block.chart.headers, block.chart.rows))
        else:
            out.append(_md_table(block.headers, block.rows))
    return "\n\n".join(out) + "\n"


def _md_table(headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    lines = [md_table_row(headers), "|" + "|".join("---" for _ in headers) + "|"]
    lines += [md_table_row(row) for row in rows]
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937;line-height:1.5}
h1{font-size:1.6rem;border-bottom:3px solid #3f51b5;padding-bottom:.3rem}
h2{font-size:1.2rem;color:#3f51b5;margin-top:2rem}h3{font-size:1rem;margin-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #d1d5db;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef0fb}tr:nth-child(even) td{background:#fafafa}
.wide{overflow-x:auto}@media (max-width:40rem){th,td{min-width:4.5em}}
figure{margin:1rem 0;break-inside:avoid}figure svg{display:block;max-width:100%;height:auto}
figure.chart{overflow-x:auto}@media (max-width:46rem){figure.chart svg{max-width:none;width:44rem}}
figcaption{font-size:.85rem;color:#4b5563}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}.wide{overflow:visible}}
"""


def to_html(report: Report) -> str:
    """Render ``report`` as a standalone HTML page; every piece of text is escaped."""
    body: list[str] = []
    for block in report.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            body.append(f"<h{level}>{esc(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{esc(block.text)}</p>")
        elif isinstance(block, Bullets):
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, Figure):
            # A Chart's SVG is checked on construction: only the elements and attributes the
            # chart writer makes, every text escaped; it goes in as it is.
            caption = f"<figcaption>{esc(block.chart.title)}</figcaption>"
            body.append(f'<figure class="chart">{block.chart.svg}{caption}</figure>')
        else:
            # A key-value table (all headers blank) needs no header row in HTML.
            head = ""
            if any(block.headers):
                cells = "".join(f"<th>{esc(c)}</th>" for c in block.headers)
                head = f"<thead><tr>{cells}</tr></thead>"
            rows = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows
            )
            # A wide table scrolls in its own box on a phone instead of widening the page.
            body.append(f'<div class="wide"><table>{head}<tbody>{rows}</tbody></table></div>')
    lang = "zh-CN" if report.lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(report.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
