"""Written reports for one review and for a team, in Markdown or standalone HTML, en or zh.

A report is a list of plain blocks (headings, paragraphs, tables, bullet lists) built by small
section callables, each taking a context and returning blocks; the renderers turn blocks into
Markdown or HTML and escape every piece of text on the way, so no user-supplied text (names,
comments, notes, reasons) can inject markup::

    report = review_report(review, scheme, card=card, decisions=decisions, lang="zh")
    html_text = to_html(report)
    md_text = to_markdown(report)

Pass your own ``sections`` to reorder, drop or add sections (structlog-processor style).
Every report is made for an ``audience`` (the employee by default): its inputs are redacted
first (:func:`perfmgmt.workflow.redact`), so sections render only what that audience may see.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from perfmgmt._format import fmt_date, fmt_money, fmt_number, fmt_percent
from perfmgmt._html import esc
from perfmgmt._markdown import md_escape, md_table_row
from perfmgmt._words import SOURCE_WORDS_ZH, unit_word, word
from perfmgmt.charts import (
    Chart,
    kpi_bullets,
    money_by_department,
    qualitative_summary,
    rating_distribution,
    score_composition,
    score_distribution,
)
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model.cycle import Cycle, Phase
from perfmgmt.model.review import Event, Review, ReviewStatus
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import Decisions, describe_condition, describe_outcome, parse
from perfmgmt.scoring.card import KpiLine, ScoreCard
from perfmgmt.scoring.flags import NOT_RATED_BITS, KpiFlag, flag_notes
from perfmgmt.workflow.access import (
    DEFAULT_POLICY,
    Audience,
    SourceSummary,
    VisibilityPolicy,
    redact,
    source_summaries,
)

__all__ = [
    "REVIEW_SECTIONS",
    "TEAM_SECTIONS",
    "Block",
    "Bullets",
    "Figure",
    "Heading",
    "Paragraph",
    "Report",
    "ReviewContext",
    "Section",
    "Table",
    "TeamContext",
    "TeamSection",
    "calibration_section",
    "chart_section",
    "computation_section",
    "decisions_section",
    "development_section",
    "distribution_section",
    "history_section",
    "hr_achievement",
    "interview_section",
    "kpi_section",
    "kpi_summary_section",
    "pending_section",
    "people_section",
    "qualitative_section",
    "review_report",
    "summary_section",
    "team_chart_section",
    "team_report",
    "to_html",
    "to_markdown",
]

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


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "review_title": "Performance review: {name} ({cycle})",
        "team_title": "Team report: {scheme} ({cycle})",
        "summary": "Summary",
        "person": "Person",
        "department": "Department",
        "cycle": "Cycle",
        "scheme": "Scheme",
        "status": "Status",
        "total": "Total score",
        "rating": "Rating",
        "calibrated": "Calibrated rating",
        "forced": "Evaluated before the window (forced)",
        "kpis": "KPI results",
        "kpi": "KPI",
        "target": "Target",
        "actual": "Actual",
        "achievement": "Achievement (actual ÷ target)",
        "note": "Note",
        "how": "How your total was computed",
        "step": "Step",
        "computation": "Computation",
        "result": "Result",
        "category_line": "Category: {name} (weight {weight})",
        "quantitative_raw": "Quantitative part (Σ KPI contributions)",
        "gate_line": "Gate on {name}: {actual} {side} {threshold}, so capped at {cap}",
        "gate_no_data": "Gate on {name}: no usable data, so the gate applies; capped at {cap}",
        "quantitative_after": "Quantitative part after gates",
        "criterion_line": "Criterion: {name} (weight {weight})",
        "qualitative_part": "Qualitative part (Σ weight × criterion score)",
        "blend": "Blend: {share} × quantitative + {rest} × qualitative",
        "band": "Rating band",
        "band_text": "{label}: {lower} ≤ total < {upper}",
        "not_rated_because": "Not rated: {why}",
        "sources_line": "{source}: mean {mean} ({n} raters)",
        "source_left_out": "{source}: {n} raters, fewer than {min}; left out",
        "self_gap": "self − manager {gap}",
        "kpi_no_data": "no data: its weight went to the measured KPIs",
        "kpi_excluded": "no data: the review is held for HR",
        "kpi_zero": "no data: scored 0 by policy, weight kept",
        "kpi_small": "sample {n} below {min}: scored on the actual, at most 100",
        "kpi_small_missing": "sample {n} below {min}: treated as missing",
        "kpi_reweighted": "weight raised from {nominal} to {effective}",
        "kpi_override": "agreed goal",
        "score": "Score",
        "weight": "Weight",
        "contribution": "Contribution",
        "qualitative": "Qualitative ratings",
        "criterion": "Criterion",
        "source": "Source",
        "rater": "Rater",
        "comment": "Comment",
        "unattributed": "Comments (unattributed)",
        "none": "None.",
        "not_scored": "Not scored yet.",
        "not_rated": "not rated",
        "decisions": "Incentives and penalties",
        "outcome": "Outcome",
        "amount": "Amount",
        "rule": "Decided by",
        "condition": "Condition",
        "development": "Development plan",
        "action": "Action",
        "kind": "Kind",
        "owner": "Owner",
        "due": "Due",
        "interview": "Feedback interview",
        "interview_on": "Held on {on} by {who}.",
        "strengths": "Strengths",
        "gaps": "Gaps",
        "agreed": "Agreed actions",
        "employee_comment": "Employee comment",
        "history": "Audit history",
        "when": "When",
        "who": "Who",
        "role": "Role",
        "what": "Action",
        "change": "Change",
        "distribution": "Rating distribution",
        "count": "Count",
        "share": "Share",
        "guideline": "Guideline",
        "calibration": "Calibration changes",
        "from": "From",
        "to": "To",
        "reason": "Reason",
        "kpi_summary": "KPI summary",
        "n": "N",
        "mean": "Mean",
        "min": "Min",
        "gate_min": "min(…, {cap})",
        "max": "Max",
        "pending": "Pending items",
        "no_goals": "{key}: goals not agreed",
        "no_check_in": "{key}: mid-term check overdue (window closed {end})",
        "no_interview": "{key}: feedback interview missing",
        "nothing_pending": "Nothing pending.",
        "charts": "At a glance",
        "team_charts": "The team at a glance",
        "people": "People",
        "bonus": "Bonus",
        "deduction": "Deduction",
        "deviation": "Deviation",
        "far_above": "{points} points above the guideline",
        "far_below": "{points} points below the guideline",
        "deviation_line": "{label}: {share} of people against a guideline of {guideline}",
    },
    "zh": {
        "review_title": "绩效评估报告:{name}({cycle})",
        "team_title": "团队报告:{scheme}({cycle})",
        "summary": "概要",
        "person": "员工",
        "department": "部门",
        "cycle": "周期",
        "scheme": "方案",
        "status": "状态",
        "total": "总分",
        "rating": "评级",
        "calibrated": "校准后评级",
        "forced": "在评估窗口前强制评估",
        "kpis": "关键绩效指标结果",
        "kpi": "指标",
        "target": "目标",
        "actual": "实际",
        "achievement": "达成率(实际 ÷ 目标)",
        "note": "说明",
        "how": "总分计算过程",
        "step": "步骤",
        "computation": "计算",
        "result": "结果",
        "category_line": "类别:{name}(权重 {weight})",
        "quantitative_raw": "量化得分(各指标贡献之和)",
        "gate_line": "{name} 门槛:{actual} {side} {threshold},量化得分封顶 {cap}",
        "gate_no_data": "{name} 门槛:缺少可用数据,门槛照常适用,封顶 {cap}",
        "quantitative_after": "门槛后的量化得分",
        "criterion_line": "评价项:{name}(权重 {weight})",
        "qualitative_part": "定性得分(Σ 权重 × 评价项得分)",
        "blend": "加权:{share} × 量化 + {rest} × 定性",
        "band": "评级区间",
        "band_text": "{label}:{lower} ≤ 总分 < {upper}",
        "not_rated_because": "未评级:{why}",
        "sources_line": "{source}:{n} 人平均 {mean}",
        "source_left_out": "{source}:{n} 人,少于 {min} 人,未计入",
        "self_gap": "自评 − 上级评 {gap}",
        "kpi_no_data": "缺少数据:权重已分配给已测量的指标",
        "kpi_excluded": "缺少数据:本次评估交由人力资源处理",
        "kpi_zero": "缺少数据:按政策计0分,保留权重",
        "kpi_small": "样本量 {n} 少于 {min}:按实际值评分,最高100分",
        "kpi_small_missing": "样本量 {n} 少于 {min}:视为缺失",
        "kpi_reweighted": "权重由 {nominal} 提高到 {effective}",
        "kpi_override": "采用约定目标",
        "score": "得分",
        "weight": "权重",
        "contribution": "贡献",
        "qualitative": "定性评价",
        "criterion": "评价项",
        "source": "来源",
        "rater": "评价人",
        "comment": "评语",
        "unattributed": "评语(不具名)",
        "none": "无。",
        "not_scored": "尚未评分。",
        "not_rated": "未评级",
        "decisions": "奖励与惩罚",
        "outcome": "结果",
        "amount": "金额",
        "rule": "依据规则",
        "condition": "条件",
        "development": "发展计划",
        "action": "行动",
        "kind": "类型",
        "owner": "负责人",
        "due": "截止日期",
        "interview": "反馈面谈",
        "interview_on": "{on} 由 {who} 进行。",
        "strengths": "优点",
        "gaps": "不足",
        "agreed": "共同商定的行动",
        "employee_comment": "员工意见",
        "history": "审计记录",
        "when": "时间",
        "who": "操作人",
        "role": "角色",
        "what": "操作",
        "change": "变更",
        "distribution": "评级分布",
        "count": "人数",
        "share": "占比",
        "guideline": "指导比例",
        "calibration": "校准变更",
        "from": "原评级",
        "to": "新评级",
        "reason": "原因",
        "kpi_summary": "指标汇总",
        "n": "人数",
        "mean": "平均",
        "min": "最小",
        "gate_min": "取较小值(…, {cap})",
        "max": "最大",
        "pending": "待办事项",
        "no_goals": "{key}:目标尚未确定",
        "no_check_in": "{key}:中期检查逾期(窗口于 {end} 结束)",
        "no_interview": "{key}:缺少反馈面谈",
        "nothing_pending": "没有待办事项。",
        "charts": "一览",
        "team_charts": "团队概览",
        "people": "人员",
        "bonus": "奖金",
        "deduction": "扣减",
        "deviation": "偏差",
        "far_above": "高于指导比例 {points} 个百分点",
        "far_below": "低于指导比例 {points} 个百分点",
        "deviation_line": "{label}:占比 {share},指导比例为 {guideline}",
    },
}


def _words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise ValidationError(
            f"report: lang {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return _WORDS[lang]


def _f(value: float | None, digits: int = 1) -> str:
    return fmt_number(value, digits)


def _pct(value: float | None) -> str:
    # An achievement against a zero target is infinite: no percentage to show.
    return "-" if value is None or not math.isfinite(value) else fmt_percent(value)


# -- one review ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ReviewContext:
    """What review sections read.

    Attributes:
        review: The review.
        scheme: Its scheme.
        card: Its score card, if scored.
        decisions: Its incentive and penalty decisions, if evaluated.
        lang: Report language.
        sources: Per-source aggregates of the qualitative ratings the audience may see
            (:func:`perfmgmt.workflow.source_summaries` of the original review).
    """

    review: Review
    scheme: Scheme
    card: ScoreCard | None = None
    decisions: Decisions | None = None
    lang: Lang = "en"
    sources: tuple[SourceSummary, ...] = ()

    @property
    def words(self) -> dict[str, str]:
        """The report's words in its language."""
        return _words(self.lang)


Section = Callable[[ReviewContext], list[Block]]
"""A review report section: a context in, blocks out."""


def _kpi_name(scheme: Scheme, key: str, lang: Lang) -> str:
    try:
        return scheme.kpi(key).indicator.label.get(lang)
    except ValidationError:
        return key


def summary_section(ctx: ReviewContext) -> list[Block]:
    """Return who, which cycle, status, total and rating."""
    w, r = ctx.words, ctx.review
    rows = [
        (w["person"], f"{r.subject.name or r.subject.id} ({r.subject.id})"),
        (w["department"], r.subject.department or "-"),
        (w["cycle"], r.cycle),
        (w["scheme"], f"{ctx.scheme.label.get(ctx.lang)} v{ctx.scheme.version}"),
        (w["status"], word(f"status.{r.status.value}", ctx.lang)),
    ]
    result = r.result
    total = result.total if result is not None else (ctx.card.total if ctx.card else None)
    rating = result.rating if result is not None else (ctx.card.rating if ctx.card else None)
    rows.append((w["total"], _f(total)))
    rows.append((w["rating"], rating or w["not_rated"]))
    if result is not None and result.calibrated_rating is not None:
        rows.append((w["calibrated"], f"{result.calibrated_rating} ({result.calibration_note})"))
    if result is not None and result.forced:
        rows.append((w["forced"], "✔"))
    return [Heading(text=w["summary"]), Table(headers=("", ""), rows=tuple(rows))]


def hr_achievement(actual: float | None, target: float | None, direction: str) -> float | None:
    """Return achievement as HR reads it (达成率): actual ÷ target, inverted when lower is better.

    ``target ÷ actual`` for a lower-is-better KPI (18 minutes against a 20-minute target is
    111 %). None when either is missing or the division has no meaning (a zero target, or a
    lower-is-better actual of 0 or less). Not the scorer's progress between threshold and
    target, which the glossary calls *progress*.
    """
    if actual is None or target is None:
        return None
    if direction == "lower_is_better":
        return None if actual <= 0 or target < 0 else target / actual
    return None if target == 0 else actual / target


def _source(key: str, lang: Lang) -> str:
    return SOURCE_WORDS_ZH.get(key, key) if lang == "zh" else key


def _kpi_notes(line: KpiLine, w: dict[str, str]) -> str:
    """Why a KPI's score or weight is not what its actual alone would give."""
    notes: list[str] = []
    flags = line.flags
    small = flags & KpiFlag.INSUFFICIENT_DATA and line.sample_size is not None
    if small and line.score is not None and not flags & KpiFlag.SCORED_ZERO:
        notes.append(w["kpi_small"].format(n=line.sample_size, min=line.min_sample))
    elif small:
        notes.append(w["kpi_small_missing"].format(n=line.sample_size, min=line.min_sample))
    if flags & KpiFlag.REALLOCATED:
        notes.append(w["kpi_no_data"])
    if flags & KpiFlag.EXCLUDED:
        notes.append(w["kpi_excluded"])
    if flags & KpiFlag.SCORED_ZERO:
        notes.append(w["kpi_zero"])
    if flags & KpiFlag.REWEIGHTED:
        notes.append(
            w["kpi_reweighted"].format(
                nominal=_pct(line.nominal_weight), effective=_pct(line.effective_weight)
            )
        )
    if flags & KpiFlag.OVERRIDDEN_TARGET:
        notes.append(w["kpi_override"])
    return "; ".join(notes)


def kpi_section(ctx: ReviewContext) -> list[Block]:
    """Return the KPI table: target, actual, achievement, score, weight, contribution, notes.

    Achievement is HR's 达成率 (:func:`hr_achievement`); the notes say why a KPI was capped,
    dropped, scored 0 or reweighted.
    """
    w = ctx.words
    out: list[Block] = [Heading(text=w["kpis"])]
    if ctx.card is None:
        return [*out, Paragraph(text=w["not_scored"])]
    rows = []
    for line in ctx.card.lines:
        kpi = ctx.scheme.kpi(line.key)
        unit = unit_word(kpi.indicator.unit, ctx.lang)
        p = kpi.indicator.precision
        rows.append(
            (
                _kpi_name(ctx.scheme, line.key, ctx.lang),
                f"{_f(line.target, p)} {unit}".strip(),
                f"{_f(line.actual, p)} {unit}".strip(),
                _pct(hr_achievement(line.actual, line.target, kpi.indicator.direction.value)),
                _f(line.score),
                _pct(line.effective_weight),
                _f(line.contribution, 2),
                _kpi_notes(line, w),
            )
        )
    headers = (
        w["kpi"],
        w["target"],
        w["actual"],
        w["achievement"],
        w["score"],
        w["weight"],
        w["contribution"],
        w["note"],
    )
    return [*out, Table(headers=headers, rows=tuple(rows))]


def _g(value: float | None) -> str:
    """A weight or share as a short decimal (0.7, 0.125)."""
    return "-" if value is None else f"{value:.4g}"


def _category_rows(ctx: ReviewContext, card: ScoreCard) -> list[tuple[str, str, str]]:
    w = ctx.words
    names = {c.key: c.label.get(ctx.lang) for c in ctx.scheme.categories}
    rows = []
    for cat in card.categories:
        parts = [
            f"{_f(ln.score)} × {_g(ln.effective_weight)}"
            for ln in card.lines
            if ln.category == cat.key and ln.score is not None and ln.effective_weight > 0
        ]
        weight = sum(
            ln.effective_weight
            for ln in card.lines
            if ln.category == cat.key and ln.score is not None
        )
        comp = f"({' + '.join(parts)}) / {_g(weight)}" if parts else "-"
        label = w["category_line"].format(name=names.get(cat.key, cat.key), weight=_g(cat.weight))
        rows.append((label, comp, _f(cat.score)))
    return rows


def _gate_rows(ctx: ReviewContext, card: ScoreCard) -> list[tuple[str, str, str]]:
    w = ctx.words
    rows = []
    for ln in card.lines:
        if not ln.flags & KpiFlag.GATED or ln.gate_cap is None:
            continue
        name = _kpi_name(ctx.scheme, ln.key, ctx.lang)
        if ln.actual is None or ln.flags & (
            KpiFlag.REALLOCATED | KpiFlag.SCORED_ZERO | KpiFlag.EXCLUDED
        ):
            text = w["gate_no_data"].format(name=name, cap=_f(ln.gate_cap))
        else:
            text = w["gate_line"].format(
                name=name,
                side="<" if ln.direction == "higher_is_better" else ">",
                actual=_f(ln.actual),
                threshold=_f(ln.gate_threshold),
                cap=_f(ln.gate_cap),
            )
        rows.append((text, w["gate_min"].format(cap=_f(ln.gate_cap)), _f(ln.gate_cap)))
    return rows


def _criterion_rows(ctx: ReviewContext, card: ScoreCard) -> list[tuple[str, str, str]]:
    w = ctx.words
    names = {c.key: c.label.get(ctx.lang) for c in ctx.scheme.criteria}
    rows = []
    for cr in card.criteria:
        parts = []
        for src in cr.sources:
            if src.counted and src.mean is not None:
                parts.append(
                    w["sources_line"].format(
                        source=_source(src.key, ctx.lang), mean=f"{src.mean:.2f}", n=src.raters
                    )
                )
            elif src.raters:
                parts.append(
                    w["source_left_out"].format(
                        source=_source(src.key, ctx.lang), n=src.raters, min=src.min_raters
                    )
                )
        if cr.self_gap is not None:
            parts.append(w["self_gap"].format(gap=f"{cr.self_gap:+.2f}"))
        label = w["criterion_line"].format(name=names.get(cr.key, cr.key), weight=_g(cr.weight))
        rows.append((label, "; ".join(parts) or "-", _f(cr.score)))
    return rows


def computation_section(ctx: ReviewContext) -> list[Block]:
    """Return "how your total was computed": categories, gates, parts, blend, total, band.

    Every number of the score card appears with the numbers it came from, so a manager can
    follow the total from the KPI table to the rating; the full structured trace is
    ``card.explain()``.
    """
    w = ctx.words
    out: list[Block] = [Heading(text=w["how"])]
    card = ctx.card
    if card is None:
        return [*out, Paragraph(text=w["not_scored"])]
    rows: list[tuple[str, str, str]] = _category_rows(ctx, card)
    contributions = " + ".join(
        _f(ln.contribution, 2) for ln in card.lines if ln.effective_weight > 0
    )
    rows.append((w["quantitative_raw"], contributions or "-", _f(_opt(card.raw_quantitative))))
    rows += _gate_rows(ctx, card)
    rows.append((w["quantitative_after"], "", _f(_opt(card.quantitative))))
    if card.criteria:
        rows += _criterion_rows(ctx, card)
        parts = " + ".join(
            f"{_g(cr.weight)} × {_f(cr.score)}" for cr in card.criteria if cr.score is not None
        )
        rows.append((w["qualitative_part"], parts or "-", _f(card.qualitative)))
        share = card.quantitative_share
        blend = w["blend"].format(share=_g(share), rest=_g(1.0 - share))
        quant, qual = _f(_opt(card.quantitative)), _f(card.qualitative)
        comp = f"{_g(share)} × {quant} + {_g(1.0 - share)} × {qual}"
        rows.append((blend, comp, _f(card.total)))
    if card.rated and card.rating is not None:
        band = next((b for b in card.rating_bands if b[0] == card.rating), None)
        text = (
            w["band_text"].format(label=band[0], lower=_f(band[1]), upper=_f(band[2]))
            if band
            else card.rating
        )
        rows.append((w["band"], text, card.rating))
    else:
        why = flag_notes(card.flags & NOT_RATED_BITS, ctx.lang)
        rows.append((w["band"], w["not_rated_because"].format(why=why), w["not_rated"]))
    headers = (w["step"], w["computation"], w["result"])
    return [*out, Table(headers=headers, rows=tuple(rows))]


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else value


def qualitative_section(ctx: ReviewContext) -> list[Block]:
    """Return each source's mean and count, then the individual ratings the audience may see.

    A source below its anonymity threshold shows its aggregate only (or nothing); rater ids
    read ``"-"`` for every audience but HR (:func:`perfmgmt.workflow.redact`).
    """
    w = ctx.words
    names = {c.key: c.label.get(ctx.lang) for c in ctx.scheme.criteria}
    summary = tuple(
        (
            names.get(s.criterion, s.criterion),
            _source(s.source, ctx.lang),
            str(s.raters),
            _f(s.mean, 2),
        )
        for s in ctx.sources
    )
    notes = tuple(
        f"{names.get(s.criterion, s.criterion)} · {_source(s.source, ctx.lang)}: {c}"
        for s in ctx.sources
        for c in s.comments
    )
    rows = tuple(
        (
            names.get(a.criterion, a.criterion),
            _source(a.source.value, ctx.lang),
            a.rater_id,
            f"{a.rating:g}",
            a.comment,
        )
        for a in sorted(ctx.review.assessments, key=lambda a: (a.criterion, a.source.value))
    )
    out: list[Block] = [Heading(text=w["qualitative"])]
    if not rows and not summary:
        return [*out, Paragraph(text=w["none"])]
    if summary:
        out.append(
            Table(headers=(w["criterion"], w["source"], w["count"], w["mean"]), rows=summary)
        )
    if rows:
        headers = (w["criterion"], w["source"], w["rater"], w["rating"], w["comment"])
        out.append(Table(headers=headers, rows=rows))
    if notes:
        out += [Heading(text=w["unattributed"], level=3), Bullets(items=notes)]
    return out


def _condition_text(text: str, ctx: ReviewContext) -> str:
    """Return a rule's condition text in the report's language (as typed, in English)."""
    if ctx.lang == "en" or not text:
        return text
    try:
        condition = parse(text)
    except PerfmgmtError:  # not a condition (e.g. a decision table's row text): as recorded
        return text
    labels = {k.key: k.indicator.label.get(ctx.lang) for k in ctx.scheme.kpis}
    labels.update({c.key: c.label.get(ctx.lang) for c in ctx.scheme.criteria})
    return describe_condition(condition, ctx.lang, labels=labels)


def decisions_section(ctx: ReviewContext) -> list[Block]:
    """Return each incentive and penalty with the rule or table row that decided it."""
    w = ctx.words
    out: list[Block] = [Heading(text=w["decisions"])]
    if ctx.decisions is None or not ctx.decisions.decisions:
        return [*out, Paragraph(text=w["none"])]
    texts = {t.source: _condition_text(t.text, ctx) for t in ctx.decisions.trace}
    rows = []
    for d in ctx.decisions.decisions:
        source = d.source if d.row is None else f"{d.source} #{d.row + 1}"
        amount = fmt_money(d.amount, ctx.decisions.currency, ctx.lang)
        rows.append(
            (describe_outcome(d.outcome, lang=ctx.lang), amount, source, texts.get(d.source, ""))
        )
    headers = (w["outcome"], w["amount"], w["rule"], w["condition"])
    return [*out, Table(headers=headers, rows=tuple(rows))]


def development_section(ctx: ReviewContext) -> list[Block]:
    """Return the development plan's actions."""
    w = ctx.words
    plan = ctx.review.development_plan
    out: list[Block] = [Heading(text=w["development"])]
    if plan is None or not plan.actions:
        return [*out, Paragraph(text=w["none"])]
    rows = tuple(
        (
            a.description,
            word(f"action_kind.{a.kind.value}", ctx.lang),
            a.owner,
            fmt_date(a.due, ctx.lang),
            word(f"action_status.{a.status.value}", ctx.lang),
        )
        for a in plan.actions
    )
    headers = (w["action"], w["kind"], w["owner"], w["due"], w["status"])
    return [*out, Table(headers=headers, rows=rows)]


def interview_section(ctx: ReviewContext) -> list[Block]:
    """Return the interview's strengths, gaps, agreed actions and the employee's comment."""
    w = ctx.words
    iv = ctx.review.interview
    out: list[Block] = [Heading(text=w["interview"])]
    if iv is None:
        return [*out, Paragraph(text=w["none"])]
    on = fmt_date(iv.on, ctx.lang)
    out.append(Paragraph(text=w["interview_on"].format(on=on, who=iv.interviewer)))
    for title, items in (
        (w["strengths"], iv.strengths),
        (w["gaps"], iv.gaps),
        (w["agreed"], iv.agreed_actions),
    ):
        out += [Heading(text=title, level=3), Bullets(items=items or (w["none"],))]
    out += [
        Heading(text=w["employee_comment"], level=3),
        Paragraph(text=iv.employee_comment or "-"),
    ]
    return out


def _event_text_zh(event: Event) -> str:
    """Return an event's change in Chinese, from its action and structured details.

    The stored ``summary`` is English (it is part of the hash-chained record and never changes);
    the Chinese text is rebuilt from the details: goals agreed, the check-in date, the rating
    moved by calibration and the reason given.
    """
    facts = dict(event.details)
    parts = [word(f"event.{event.action}", "zh", default=event.action)]
    goals = sum(1 for name, _ in event.details if name == "goal")
    if goals:
        parts.append(f"共 {goals} 项目标")
    if "on" in facts:
        parts.append(f"日期 {facts['on']}")
    if "to" in facts:
        parts.append(f"评级 {facts.get('from', '-')} → {facts['to']}")
    if facts.get("reason"):
        parts.append(f"原因:{facts['reason']}")
    return ",".join(parts)


def history_section(ctx: ReviewContext) -> list[Block]:
    """Return the audit history, oldest first."""
    w = ctx.words
    rows: tuple[tuple[str, ...], ...] = tuple(
        (
            e.at.isoformat(timespec="minutes"),
            e.actor,
            word(f"event.{e.action}", ctx.lang, default=e.action),
            f"{word(f'status.{e.from_status.value}', ctx.lang)} → "
            f"{word(f'status.{e.to_status.value}', ctx.lang)}",
            e.summary if ctx.lang == "en" else _event_text_zh(e),
        )
        for e in ctx.review.history
    )
    out: list[Block] = [Heading(text=w["history"])]
    if not rows:
        return [*out, Paragraph(text=w["none"])]
    headers: tuple[str, ...] = (w["when"], w["who"], w["what"], w["status"], w["change"])
    if any(e.role for e in ctx.review.history):  # two-party steps record who acted as what
        roles = (word(f"role.{e.role}", ctx.lang, e.role) or "-" for e in ctx.review.history)
        rows = tuple((*row[:2], role, *row[2:]) for row, role in zip(rows, roles, strict=True))
        headers = (*headers[:2], w["role"], *headers[2:])
    return [*out, Table(headers=headers, rows=rows)]


def chart_section(ctx: ReviewContext) -> list[Block]:
    """Return the charts of the score card: composition of the total, KPI bullets, ratings.

    The qualitative chart shows each source's mean and number of raters, never a rater's own
    rating. Nothing when the review is not scored.
    """
    if ctx.card is None:
        return []
    card, scheme, lang = ctx.card, ctx.scheme, ctx.lang
    out: list[Block] = [
        Heading(text=ctx.words["charts"]),
        Figure(chart=score_composition(card, scheme, lang=lang)),
        Figure(chart=kpi_bullets(card, scheme, lang=lang)),
    ]
    if card.criteria:
        out.append(Figure(chart=qualitative_summary(card, scheme, lang=lang)))
    return out


REVIEW_SECTIONS: tuple[Section, ...] = (
    summary_section,
    chart_section,
    kpi_section,
    computation_section,
    qualitative_section,
    decisions_section,
    development_section,
    interview_section,
    history_section,
)
"""The default sections of a review report, in order."""


def review_report(
    review: Review,
    scheme: Scheme,
    *,
    card: ScoreCard | None = None,
    decisions: Decisions | None = None,
    lang: Lang = "en",
    sections: Sequence[Section] = REVIEW_SECTIONS,
    audience: Audience = Audience.EMPLOYEE,
    policy: VisibilityPolicy = DEFAULT_POLICY,
) -> Report:
    """Build the written report of one review, for one audience.

    Args:
        review: The review (unredacted: the report redacts it for ``audience``).
        scheme: Its scheme.
        card: Its score card, for the KPI table, scored before redaction.
        decisions: Its decisions from ``RuleEvaluator().evaluate``.
        lang: ``"en"`` or ``"zh"``.
        sections: The section callables, in order.
        audience: Who the report is for; the employee by default, ``Audience.HR`` for
            everything including rater ids.
        policy: The visibility policy.

    Raises:
        ValidationError: On an unknown language.
        AccessError: On an audience the policy does not know.
    """
    ctx = ReviewContext(
        review=redact(review, audience, policy),
        scheme=scheme,
        card=None if card is None else redact(card, audience, policy),
        decisions=None if decisions is None else redact(decisions, audience, policy),
        lang=lang,
        sources=source_summaries(review, audience, policy),
    )
    w = ctx.words
    title = w["review_title"].format(
        name=review.subject.name or review.subject.id, cycle=review.cycle
    )
    blocks: list[Block] = [Heading(text=title, level=1)]
    for section in sections:
        blocks += section(ctx)
    return Report(title=title, lang=lang, blocks=tuple(blocks))


# -- a team -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TeamContext:
    """What team sections read.

    Attributes:
        reviews: The team's reviews.
        scheme: Their scheme.
        cycle: Their cycle, for overdue checks.
        today: The date pending items are judged on.
        lang: Report language.
        decisions: The reviews' incentive and penalty decisions, matched by subject id; empty
            when the money is not reported.
        tolerance: How far (a share) a rating's share may be from its guideline before the
            report highlights it.
    """

    reviews: tuple[Review, ...]
    scheme: Scheme
    cycle: Cycle
    today: dt.date
    lang: Lang = "en"
    decisions: tuple[Decisions, ...] = ()
    tolerance: float = 0.10

    @property
    def words(self) -> dict[str, str]:
        """The report's words in its language."""
        return _words(self.lang)


TeamSection = Callable[[TeamContext], list[Block]]
"""A team report section: a context in, blocks out."""


def distribution_section(ctx: TeamContext) -> list[Block]:
    """Return the count and share per rating against the guideline distribution."""
    w = ctx.words
    final = [r.result.final_rating for r in ctx.reviews if r.result is not None]
    counts = Counter(x for x in final if x is not None)
    n = sum(counts.values())
    rows = []
    far: list[str] = []
    for band in reversed(ctx.scheme.rating_scale.bands):
        c = counts.get(band.label, 0)
        share = c / n if n else None
        note = _deviation(ctx, Fraction(c, n) if n else None, band.guideline_share)
        rows.append((band.label, str(c), _pct(share), _pct(band.guideline_share), note))
        if note != "-":
            line = w["deviation_line"].format(
                label=band.label, share=_pct(share), guideline=_pct(band.guideline_share)
            )
            far.append(f"{line} ({note})")
    headers = (w["rating"], w["count"], w["share"], w["guideline"], w["deviation"])
    out: list[Block] = [Heading(text=w["distribution"]), Table(headers=headers, rows=tuple(rows))]
    return [*out, Bullets(items=tuple(far))] if far else out


def _deviation(ctx: TeamContext, share: Fraction | None, guideline: float | None) -> str:
    """Say how far a share is from its guideline, when further than the tolerance."""
    if share is None or guideline is None:
        return "-"
    # The guideline as typed (0.1 is one tenth), not its binary float.
    off = share - Fraction(str(guideline))
    points = f"{abs(float(off)) * 100:.1f}"
    if off > Fraction(str(ctx.tolerance)):
        return "▲ " + ctx.words["far_above"].format(points=points)
    if -off > Fraction(str(ctx.tolerance)):
        return "▼ " + ctx.words["far_below"].format(points=points)
    return "-"


def _who(r: Review) -> str:
    """A person as the team reads them: name and id, or the id alone."""
    return f"{r.subject.name} ({r.subject.id})" if r.subject.name else r.subject.id


def _money(amount: Decimal | None, currency: str | None, lang: Lang = "en") -> str:
    return fmt_money(amount, currency, lang)


def _department_of(r: Review) -> str | None:
    return r.subject.department or None


def team_chart_section(ctx: TeamContext) -> list[Block]:
    """Return the team's charts: ratings against the guideline, scores and money by department.

    The money chart appears when the context carries decisions.
    """
    w, lang = ctx.words, ctx.lang
    final = [r.result.final_rating if r.result is not None else None for r in ctx.reviews]
    totals: dict[str | None, list[float | None]] = {}
    for r in ctx.reviews:
        totals.setdefault(_department_of(r), []).append(
            r.result.total if r.result is not None else None
        )
    out: list[Block] = [
        Heading(text=w["team_charts"]),
        Figure(chart=rating_distribution(final, ctx.scheme, lang=lang, tolerance=ctx.tolerance)),
        Figure(chart=score_distribution(totals, ctx.scheme, lang=lang)),
    ]
    if ctx.decisions:
        dept = {r.subject.id: _department_of(r) for r in ctx.reviews}
        bonus: dict[str | None, Decimal] = {}
        deduction: dict[str | None, Decimal] = {}
        for d in ctx.decisions:
            key = dept.get(d.subject_id)
            # Decimal("0.00") is falsy: test for None so the amounts keep their minor unit.
            bonus[key] = bonus.get(key, Decimal(0)) + (d.bonus if d.bonus is not None else 0)
            deduction[key] = deduction.get(key, Decimal(0)) + (
                d.deduction if d.deduction is not None else 0
            )
        currency = next((d.currency for d in ctx.decisions if d.currency), "") or ""
        out.append(
            Figure(chart=money_by_department(bonus, deduction, currency=currency, lang=lang))
        )
    return out


def people_section(ctx: TeamContext) -> list[Block]:
    """Return one row per person: name, department, total, rating and, with decisions, money."""
    w = ctx.words
    money = {d.subject_id: d for d in ctx.decisions}
    headers: tuple[str, ...] = (w["person"], w["department"], w["total"], w["rating"], w["status"])
    if money:
        headers += (w["bonus"], w["deduction"])
    rows = []
    for r in sorted(ctx.reviews, key=lambda r: (r.subject.department or "", _who(r))):
        res = r.result
        row: tuple[str, ...] = (
            _who(r),
            r.subject.department or "-",
            _f(res.total if res is not None else None),
            (res.final_rating if res is not None else None) or "-",
            word(f"status.{r.status.value}", ctx.lang),
        )
        if money:
            d = money.get(r.subject.id)
            row += (
                _money(d.bonus if d else None, d.currency if d else None, ctx.lang),
                _money(d.deduction if d else None, d.currency if d else None, ctx.lang),
            )
        rows.append(row)
    return [Heading(text=w["people"]), Table(headers=headers, rows=tuple(rows))]


def calibration_section(ctx: TeamContext) -> list[Block]:
    """Return the reviews whose rating calibration changed, with the reason."""
    w = ctx.words
    rows = tuple(
        (_who(r), r.result.rating or "-", r.result.calibrated_rating, r.result.calibration_note)
        for r in ctx.reviews
        if r.result is not None
        and r.result.calibrated_rating is not None
        and r.result.calibrated_rating != r.result.rating
    )
    out: list[Block] = [Heading(text=w["calibration"])]
    if not rows:
        return [*out, Paragraph(text=w["none"])]
    headers = (w["person"], w["from"], w["to"], w["reason"])
    return [*out, Table(headers=headers, rows=rows)]


def kpi_summary_section(ctx: TeamContext) -> list[Block]:
    """Return count, mean, minimum and maximum of each KPI's actuals across the team."""
    w = ctx.words
    rows = []
    for kpi in ctx.scheme.kpis:
        values = [
            a.value
            for r in ctx.reviews
            if (a := r.actual(kpi.key)) is not None and a.value is not None
        ]
        p = kpi.indicator.precision
        mean = sum(values) / len(values) if values else None
        rows.append(
            (
                kpi.indicator.label.get(ctx.lang),
                _f(kpi.target, p),
                str(len(values)),
                _f(mean, p),
                _f(min(values) if values else None, p),
                _f(max(values) if values else None, p),
            )
        )
    headers = (w["kpi"], w["target"], w["n"], w["mean"], w["min"], w["max"])
    return [Heading(text=w["kpi_summary"]), Table(headers=headers, rows=tuple(rows))]


def pending_section(ctx: TeamContext) -> list[Block]:
    """Return reviews without agreed goals, with overdue check-ins, or missing interviews."""
    w = ctx.words
    mid = ctx.cycle.window(Phase.MID_TERM_CHECK)
    items: list[str] = []
    for r in ctx.reviews:
        key = f"{r.subject.name}, {r.key}" if r.subject.name else r.key
        if r.status in (ReviewStatus.DRAFT, ReviewStatus.GOALS_PROPOSED):  # not yet signed
            items.append(w["no_goals"].format(key=key))
        elif (
            r.status is ReviewStatus.GOALS_AGREED
            and not r.check_ins
            and mid is not None
            and ctx.today > mid.end
        ):
            items.append(w["no_check_in"].format(key=key, end=fmt_date(mid.end, ctx.lang)))
        elif r.status in (ReviewStatus.EVALUATED, ReviewStatus.CALIBRATED) and r.interview is None:
            items.append(w["no_interview"].format(key=key))
    body: Block = Bullets(items=tuple(items)) if items else Paragraph(text=w["nothing_pending"])
    return [Heading(text=w["pending"]), body]


TEAM_SECTIONS: tuple[TeamSection, ...] = (
    team_chart_section,
    distribution_section,
    people_section,
    calibration_section,
    kpi_summary_section,
    pending_section,
)
"""The default sections of a team report, in order."""


def team_report(
    reviews: Sequence[Review],
    scheme: Scheme,
    *,
    cycle: Cycle,
    today: dt.date,
    lang: Lang = "en",
    sections: Sequence[TeamSection] = TEAM_SECTIONS,
    decisions: Sequence[Decisions] = (),
    audience: Audience = Audience.MANAGER,
    policy: VisibilityPolicy = DEFAULT_POLICY,
) -> Report:
    """Build a team or department report for one cycle, for one audience.

    The reviews are redacted for ``audience`` first (:func:`perfmgmt.workflow.redact`); the
    default audience is the team's manager.

    Args:
        reviews: The team's reviews.
        scheme: Their scheme.
        cycle: Their cycle.
        today: The date pending items are judged on.
        lang: ``"en"`` or ``"zh"``.
        sections: The section callables, in order.
        decisions: The reviews' decisions, for the money per person and per department
            (redacted for ``audience`` too).
        audience: Who reads the report.
        policy: What each audience may see.

    Raises:
        ValidationError: On an unknown language.
        AccessError: On an audience the policy does not know.
    """
    views = tuple(redact(r, audience, policy) for r in reviews)
    ctx = TeamContext(
        reviews=views,
        scheme=scheme,
        cycle=cycle,
        today=today,
        lang=lang,
        decisions=tuple(redact(d, audience, policy) for d in decisions),
    )
    title = ctx.words["team_title"].format(scheme=scheme.label.get(lang), cycle=cycle.key)
    blocks: list[Block] = [Heading(text=title, level=1)]
    for section in sections:
        blocks += section(ctx)
    return Report(title=title, lang=lang, blocks=tuple(blocks))


# -- renderers ----------------------------------------------------------------------------------


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
