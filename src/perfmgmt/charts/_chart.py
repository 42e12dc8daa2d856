"""The chart value, its words in en and zh, and the layout every chart shares."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Literal

import attrs

from perfmgmt import _svg
from perfmgmt._format import check_lang
from perfmgmt._validate import fail, text, tuple_of
from perfmgmt.errors import ValidationError

__all__ = ["Chart", "Lang"]

Lang = Literal["en", "zh"]

WIDTH = 760.0
_LABEL_LEFT, _PLOT_LEFT, _PLOT_RIGHT, _VALUE_LEFT = 8.0, 206.0, 500.0, 512.0
_LABEL_WIDTH = _PLOT_LEFT - _LABEL_LEFT - 8.0
_VALUE_WIDTH = WIDTH - _VALUE_LEFT - 8.0

_INK, _MUTED, _ACCENT = "#1f2937", "#4b5563", "#3f51b5"
_OVER, _UNDER = "#b91c1c", "#b45309"
_BANDS = ("#f3f4f6", "#e5e7eb", "#d1d5db", "#c3c7cd")
_STACK = ("#3f51b5", "#7986cb", "#283593", "#9fa8da", "#1a237e", "#c5cae9")


def _headers(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _rows(value: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    rows = tuple(tuple(row) for row in value)
    for i, row in enumerate(rows):
        for cell in row:
            if not isinstance(cell, str):
                raise ValidationError(
                    f"Chart.rows[{i}]: cell {cell!r} is not allowed; expected text",
                    field="rows",
                    value=cell,
                )
    return rows


@attrs.frozen(kw_only=True, repr=False)
class Chart:
    """A chart drawn as SVG, with its title, a text description and its numbers as a table.

    Attributes:
        title: The chart's title (also the SVG's accessible name).
        alt: A one-paragraph description for readers who cannot see the image.
        svg: The ``<svg>`` element, standalone (no script, no external reference).
        headers: Column titles of the chart's numbers.
        rows: The chart's numbers as text, one row per bar or mark.
    """

    title: str = attrs.field(validator=text)
    alt: str = attrs.field(validator=text)
    svg: str = attrs.field()
    headers: tuple[str, ...] = attrs.field(default=(), converter=_headers, validator=tuple_of(str))
    rows: tuple[tuple[str, ...], ...] = attrs.field(default=(), converter=_rows)

    @svg.validator
    def _check_svg(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str):
            fail(self, attribute, value, "expected the text of an <svg> element")
        problem = _svg.check(value)
        if problem is not None:
            fail(self, attribute, value[:60] + "…", f"expected chart SVG: {problem}")

    def __repr__(self) -> str:
        return f"Chart(title={self.title!r}, rows={len(self.rows)}, svg=<{len(self.svg)} chars>)"

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        title = html.escape(self.title, quote=True)
        return f"<figure>{self.svg}<figcaption>{title}</figcaption></figure>"


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "bullets_title": "KPIs against threshold, target and stretch",
        "bullets_alt": "One bar per KPI: the actual against the threshold, target and stretch. {n}",
        "composition_title": "How the total is composed",
        "composition_alt": "Category scores, the quantitative and qualitative parts and the "
        "total on the score scale, with the rating bands. {n}",
        "qualitative_title": "Qualitative ratings by source",
        "qualitative_alt": "Mean rating and number of raters per criterion and source. {n}",
        "distribution_title": "Rating distribution against the guideline",
        "distribution_alt": "Share of people per rating against the guideline share; "
        "deviations over {tol} points are highlighted. {n}",
        "scores_title": "Total scores by department",
        "scores_alt": "Each person's total as a dot, the department mean as a bar, "
        "with the rating bands. {n}",
        "money_title": "Bonus and deduction cost by department",
        "money_alt": "Bonus and deduction totals per department, in {currency}. {n}",
        "kpi": "KPI",
        "threshold": "Threshold",
        "target": "Target",
        "stretch": "Stretch",
        "actual": "Actual",
        "score": "Score",
        "step": "Step",
        "weight": "Weight",
        "quantitative": "Quantitative part",
        "qualitative": "Qualitative part",
        "gate": "gate",
        "total": "Total",
        "rating": "Rating",
        "not_rated": "not rated",
        "no_data": "no data",
        "below_threshold": "below threshold",
        "to_target": "threshold → target",
        "to_stretch": "target → stretch",
        "beyond": "beyond stretch",
        "criterion": "Criterion",
        "source": "Source",
        "mean": "Mean",
        "min": "min",
        "max": "max",
        "raters": "Raters",
        "raters_n": "{n} raters",
        "left_out": "{n} raters, fewer than {min}: left out",
        "count": "Count",
        "share": "Share",
        "guideline": "Guideline",
        "deviation": "Deviation",
        "share_text": "{count} ({share}), guideline {guideline}",
        "points": "{sign}{value} pts",
        "department": "Department",
        "people": "People",
        "no_department": "(no department)",
        "mean_text": "n {n}, mean {mean}",
        "bonus": "Bonus",
        "deduction": "Deduction",
        "money_text": "{bonus} / {deduction}",
        "legend_actual": "actual",
        "legend_target": "target",
        "legend_mean": "mean",
        "legend_person": "one person",
        "legend_over": "far above guideline",
        "legend_under": "far below guideline",
        "empty": "Nothing to show.",
        "rows_n": "{n} rows.",
    },
    "zh": {
        "bullets_title": "各指标与门槛值、目标值、挑战值的对比",
        "bullets_alt": "每个指标一条:实际值与门槛值、目标值、挑战值的对比。{n}",
        "composition_title": "总分的构成",
        "composition_alt": "各类别得分、量化与定性部分以及总分在分数轴上的位置,并标出评级区间。{n}",
        "qualitative_title": "按来源汇总的定性评价",
        "qualitative_alt": "每个评价项、每个来源的平均评分和评价人数。{n}",
        "distribution_title": "评级分布与指导比例对比",
        "distribution_alt": "各评级的人数占比与指导比例对比;"
        "偏差超过 {tol} 个百分点的已突出显示。{n}",
        "scores_title": "各部门总分分布",
        "scores_alt": "每个点是一个人的总分,竖线是部门平均分,并标出评级区间。{n}",
        "money_title": "各部门奖金与扣减",
        "money_alt": "各部门奖金与扣减合计,单位 {currency}。{n}",
        "kpi": "指标",
        "threshold": "门槛值",
        "target": "目标值",
        "stretch": "挑战值",
        "actual": "实际",
        "score": "得分",
        "step": "步骤",
        "weight": "权重",
        "quantitative": "量化得分",
        "qualitative": "定性得分",
        "gate": "门槛封顶",
        "total": "总分",
        "rating": "评级",
        "not_rated": "未评级",
        "no_data": "缺少数据",
        "below_threshold": "低于门槛值",
        "to_target": "门槛值 → 目标值",
        "to_stretch": "目标值 → 挑战值",
        "beyond": "超过挑战值",
        "criterion": "评价项",
        "source": "来源",
        "mean": "平均",
        "min": "最低",
        "max": "最高",
        "raters": "评价人数",
        "raters_n": "{n} 人评价",
        "left_out": "{n} 人,少于 {min} 人,未计入",
        "count": "人数",
        "share": "占比",
        "guideline": "指导比例",
        "deviation": "偏差",
        "share_text": "{count} 人({share}),指导比例 {guideline}",
        "points": "{sign}{value} 个百分点",
        "department": "部门",
        "people": "人数",
        "no_department": "(未分部门)",
        "mean_text": "{n} 人,平均 {mean}",
        "bonus": "奖金",
        "deduction": "扣减",
        "money_text": "{bonus} / {deduction}",
        "legend_actual": "实际值",
        "legend_target": "目标值",
        "legend_mean": "平均",
        "legend_person": "一个人",
        "legend_over": "远高于指导比例",
        "legend_under": "远低于指导比例",
        "empty": "没有可显示的数据。",
        "rows_n": "共 {n} 行。",
    },
}


def _words(lang: str) -> dict[str, str]:
    return _WORDS[check_lang(lang, "chart: lang")]


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pct(value: Fraction | float) -> str:
    return f"{float(value) * 100:.1f}%"


def _finish(
    *,
    title: str,
    alt: str,
    height: float,
    body: list[str],
    headers: tuple[str, ...],
    rows: list[tuple[str, ...]],
    lang: Lang,
) -> Chart:
    alt = alt.replace("{n}", _words(lang)["rows_n"].format(n=len(rows)))
    svg = _svg.document(width=WIDTH, height=height, title=title, desc=alt, body=body)
    return Chart(title=title, alt=alt, svg=svg, headers=headers, rows=tuple(rows))


def _label(y: float, content: str, *, bold: bool = False) -> str:
    return _svg.text(_LABEL_LEFT, y, _svg.fit(content, _LABEL_WIDTH), bold=bold)


def _value(y: float, content: str, *, fill: str = _INK, bold: bool = False) -> str:
    return _svg.text(_VALUE_LEFT, y, _svg.fit(content, _VALUE_WIDTH), fill=fill, bold=bold)


def _legend(y: float, items: Sequence[tuple[str, str]]) -> list[str]:
    """Swatches with their words, left to right from the plot's left edge."""
    out, x = [], _PLOT_LEFT
    for fill, word in items:
        out.append(_svg.rect(x, y - 9, 12, 10, fill=fill, stroke=_MUTED))
        out.append(_svg.text(x + 16, y, word, size=11, fill=_MUTED))
        x += 28 + _svg.text_width(word, 11)
    return out


def _band_axis(
    bands: Sequence[tuple[str, float, float]], values: Sequence[float], top: float, bottom: float
) -> tuple[_svg.Scale, list[str]]:
    """A score axis from the lowest band (or 0) to the top band (or the largest value)."""
    lo = min([0.0, *(b[1] for b in bands), *values])
    hi = max([100.0 if not bands else bands[-1][2], *values])
    scale = _svg.Scale(start=lo, end=hi, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    out: list[str] = []
    for label, lower, upper in bands:
        xa, xb = scale.clamp(lower), scale.clamp(upper)
        out.append(_svg.text((xa + xb) / 2, top - 4, label, anchor="middle", size=11, bold=True))
        out.append(
            _svg.line(
                xa, top, xa, bottom, stroke="#9ca3af", dash="3 3", kind="edge", title=_f(lower)
            )
        )
    out.append(_svg.line(scale.left, bottom, scale.right, bottom, stroke="#9ca3af", kind="axis"))
    out.extend(
        _svg.text(scale(tick), bottom + 13, _f(tick, 0), anchor="middle", size=10)
        for tick in (lo, *(b[1] for b in bands[1:]), hi)
    )
    return scale, out
