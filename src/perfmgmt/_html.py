"""HTML building blocks shared by every display module: escaped cells, tables, sections.

Every piece of text that comes from a user (labels, keys, descriptions) goes through
:func:`html.escape`. The display modules of :mod:`perfmgmt.model`, :mod:`perfmgmt.scoring`
and :mod:`perfmgmt.rules` build on these, so escaping lives in one place.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

from perfmgmt.errors import MissingExtraError

__all__ = ["MAX_ROWS", "esc", "fmt", "html_table", "missing_extra", "section"]

MAX_ROWS = 20
"""Tables longer than this show their first rows and say how many were left out."""

_STYLE = "border-collapse:collapse;font-size:0.9em;margin:0.2em 0"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left"


def esc(value: object) -> str:
    """Return ``value`` as text escaped for HTML (None shows as an em dash)."""
    if value is None:
        return "—"
    return html.escape(str(value), quote=True)


def fmt(value: float | None, digits: int = 4) -> str:
    """Format a number with ``digits`` significant digits; None and NaN show as an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}g}"


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    total: int | None = None,
    max_rows: int = MAX_ROWS,
) -> str:
    """Return an HTML table with escaped cells, cut after ``max_rows`` rows.

    Args:
        header: Column titles.
        rows: Cell values; each is converted with ``str`` and escaped.
        total: The number of rows in the whole table, when ``rows`` holds only the first
            ``max_rows`` of them; used for the "... more rows" note.
        max_rows: Rows shown at most.
    """
    head = "".join(f'<th style="{_CELL}">{esc(h)}</th>' for h in header)
    body: list[str] = []
    shown = 0
    for row in rows:
        if shown == max_rows:
            break
        body.append("<tr>" + "".join(f'<td style="{_CELL}">{esc(c)}</td>' for c in row) + "</tr>")
        shown += 1
    more = (total if total is not None else shown) - shown
    note = (
        f'<tr><td colspan="{len(header)}" style="{_CELL}">… {more} more rows</td></tr>'
        if more > 0
        else ""
    )
    return (
        f'<table style="{_STYLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}{note}</tbody></table>"
    )


def missing_extra(package: str, extra: str, what: str) -> MissingExtraError:
    """Return the error for ``what`` needing the optional ``package`` from ``extra``."""
    return MissingExtraError(
        f"{what} needs the optional package {package!r}, which is not installed; "
        f"install the extra with: pip install 'perfmgmt[{extra}]'"
    )


def section(title: str, body: str) -> str:
    """Return an escaped bold ``title`` followed by ``body`` (already HTML)."""
    return f"<div><strong>{esc(title)}</strong>{body}</div>"
