"""The demo's front page: ``index.html`` linking the team report, every report and the data."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePosixPath

from perfmgmt._format import fmt_money
from perfmgmt._html import esc
from perfmgmt.charts import Chart
from perfmgmt.model import Language

_WORDS = {
    "en": {
        "title": "perfmgmt demo: {scheme}, {cycle}",
        "intro": "A generated customer-service department, scored, decided and reported by "
        "perfmgmt. Start with the team report; each person's report shows how their total was "
        "computed.",
        "reports": "Reports",
        "team": "Team report",
        "summary": "Summary table",
        "people": "People",
        "name": "Name",
        "department": "Department",
        "total": "Total",
        "rating": "Rating",
        "bonus": "Bonus",
        "deduction": "Deduction",
        "markdown": "Markdown",
        "csv": "CSV",
        "files": "Data files",
        "files_intro": "Every other file the demo wrote: raw tables, the scheme, scores, "
        "decisions, calibration logs and the reviews as JSON lines.",
    },
    "zh": {
        "title": "perfmgmt 演示:{scheme},{cycle}",
        "intro": "一个生成的客服部门,由 perfmgmt 完成评分、奖惩决定和报告。"
        "请先查看团队报告;每个人的报告都说明了总分是如何计算的。",
        "reports": "报告",
        "team": "团队报告",
        "summary": "汇总表",
        "people": "人员",
        "name": "姓名",
        "department": "部门",
        "total": "总分",
        "rating": "评级",
        "bonus": "奖金",
        "deduction": "扣减",
        "markdown": ".md 文件",
        "csv": ".csv 文件",
        "files": "数据文件",
        "files_intro": "演示写出的其他所有文件:原始数据表、方案、得分、奖惩决定、校准记录,"
        "以及每行一份评估的 .jsonl 文件。",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937;line-height:1.5}
h1{font-size:1.6rem;border-bottom:3px solid #3f51b5;padding-bottom:.3rem}
h2{font-size:1.2rem;color:#3f51b5;margin-top:2rem}a{color:#283593}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #d1d5db;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef0fb}.wide{overflow-x:auto}
figure{margin:1rem 0;break-inside:avoid}figure svg{display:block;max-width:100%;height:auto}
figure.chart{overflow-x:auto}@media (max-width:46rem){figure.chart svg{max-width:none;width:44rem}}
figcaption{font-size:.85rem;color:#4b5563}ul.files{columns:2 16rem}
"""


def _link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def index_html(
    *,
    lang: Language,
    scheme: str,
    cycle: str,
    people: Sequence[dict[str, object]],
    charts: Sequence[Chart],
    files: Sequence[str],
    currency: str,
) -> str:
    """Return the front page: charts, links to the reports, every person, every data file.

    Args:
        lang: Page language.
        scheme: The scheme's label.
        cycle: The cycle reported on.
        people: The summary rows (``subject_id``, ``name``, ``department``, ``total``,
            ``rating``, ``bonus``, ``deduction``), in the order shown.
        charts: The team charts shown at the top.
        files: Every file written, relative to the output directory, with ``/`` separators.
        currency: The money's currency.
    """
    w = _WORDS[lang]
    title = w["title"].format(scheme=scheme, cycle=cycle)
    linked = {"team.html", "team.md", "summary.md", "summary.csv"}
    body = [
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(w['intro'])}</p>",
        f"<h2>{esc(w['reports'])}</h2>",
        "<ul>"
        f"<li>{_link('team.html', w['team'])} ({_link('team.md', w['markdown'])})</li>"
        f"<li>{_link('summary.md', w['summary'])} ({_link('summary.csv', w['csv'])})</li>"
        "</ul>",
    ]
    body += [
        f'<figure class="chart">{c.svg}<figcaption>{esc(c.title)}</figcaption></figure>'
        for c in charts
    ]
    heads = (w["name"], w["department"], w["total"], w["rating"], w["bonus"], w["deduction"], "")
    rows = []
    for p in people:
        sid = str(p["subject_id"])
        page, md = f"reports/{sid}.html", f"reports/{sid}.md"
        linked |= {page, md}
        name = f"{p.get('name') or sid} ({sid})"
        money = [
            fmt_money(v, currency, lang) if isinstance(v, Decimal) else "-"
            for v in (p.get("bonus"), p.get("deduction"))
        ]
        cells = [
            _link(page, name),
            esc(_cell(p.get("department"))),
            esc(_cell(p.get("total"))),
            esc(_cell(p.get("rating"))),
            *(esc(m) for m in money),
            _link(md, w["markdown"]),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{esc(h)}</th>" for h in heads)
    body += [
        f"<h2>{esc(w['people'])}</h2>",
        f'<div class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>",
        f"<h2>{esc(w['files'])}</h2>",
        f"<p>{esc(w['files_intro'])}</p>",
        '<ul class="files">'
        + "".join(
            f"<li>{_link(f, f)}</li>"
            for f in sorted(files, key=lambda f: (PurePosixPath(f).parent.as_posix(), f))
            if f not in linked and f != "index.html"
        )
        + "</ul>",
    ]
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
