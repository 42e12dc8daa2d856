"""The report for one review: its context, its sections and :func:`review_report`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import attrs

from perfmgmt._format import fmt_date, fmt_money
from perfmgmt._words import SOURCE_WORDS_ZH, unit_word, word
from perfmgmt.charts import (
    kpi_bullets,
    qualitative_summary,
    score_composition,
)
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model.review import Event, Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.report._document import (
    Block,
    Bullets,
    Figure,
    Heading,
    Lang,
    Paragraph,
    Report,
    Table,
)
from perfmgmt.report._text import (
    _f,
    _pct,
    _words,
)
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
