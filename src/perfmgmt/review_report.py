"""The periodic review of the scheme as a written report, in Markdown or HTML, en or zh.

:func:`scheme_review_report` puts the figures of :mod:`perfmgmt.analytics` side by side —
trends across cycles, whether the ratings predict the next cycle, adverse impact by group,
rater diagnostics, the 9-box, merit increases and the opinions of managers, staff and HR — as
the same blocks :mod:`perfmgmt.report` renders::

    report = scheme_review_report(
        scheme, cycles=[summarise_cycle(scheme, q1, cycle="Q1"), ...], opinions=summary
    )
    html_text = to_html(report)

Every argument but ``scheme`` and ``cycles`` is optional: a section whose figures are not
given is left out. Pass your own ``sections`` to reorder, drop or add sections.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Literal

import attrs

from perfmgmt._validate import to_tuple
from perfmgmt._words import ANALYTICS_WORDS, review_words, word
from perfmgmt.analytics import (
    AdverseImpact,
    Box,
    BoxMovement,
    CycleSummary,
    MeritResult,
    NineBoxPlacement,
    OpinionSummary,
    PredictiveValidity,
    RaterDiagnostics,
    Readiness,
    ReadinessResult,
)
from perfmgmt.charts import kpi_trend, opinion_scores, rating_trend
from perfmgmt.errors import ValidationError
from perfmgmt.model.money import from_minor
from perfmgmt.model.scheme import Scheme
from perfmgmt.report import Block, Bullets, Figure, Heading, Paragraph, Report, Table

__all__ = [
    "SCHEME_REVIEW_SECTIONS",
    "SchemeReview",
    "SchemeReviewSection",
    "adverse_section",
    "effectiveness_section",
    "merit_section",
    "ninebox_section",
    "opinions_section",
    "raters_section",
    "scheme_review_report",
    "trends_section",
]


Lang = Literal["en", "zh"]


@attrs.frozen(kw_only=True, eq=False)
class SchemeReview:
    """Everything the scheme review reports on; what a section reads.

    Attributes:
        scheme: The scheme reviewed.
        cycles: One :class:`~perfmgmt.analytics.CycleSummary` per cycle, oldest first.
        validity: Whether each cycle's rating predicted the next (optional).
        adverse: ``(group attribute, analysis)`` pairs, e.g. ``("Gender", adverse_impact(...))``.
        raters: Rater diagnostics of the latest cycle.
        placement: The latest 9-box placement.
        moves: Moves between the last two placements.
        readiness: Promotion readiness derived from the placement.
        merit: Merit increases of the latest cycle.
        opinions: Survey answers about the scheme, summarised.
        lang: ``"en"`` or ``"zh"``.
    """

    scheme: Scheme
    cycles: tuple[CycleSummary, ...] = attrs.field(converter=to_tuple)
    validity: tuple[PredictiveValidity, ...] = attrs.field(default=(), converter=to_tuple)
    adverse: tuple[tuple[str, AdverseImpact], ...] = attrs.field(default=(), converter=to_tuple)
    raters: RaterDiagnostics | None = None
    placement: NineBoxPlacement | None = None
    moves: BoxMovement | None = None
    readiness: ReadinessResult | None = None
    merit: MeritResult | None = None
    opinions: OpinionSummary | None = None
    lang: Lang = "en"


SchemeReviewSection = Callable[[SchemeReview], list[Block]]
"""A section: reads the review, returns its blocks (none to leave it out)."""


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def trends_section(r: SchemeReview) -> list[Block]:
    """KPI distributions, rating shares and cost per cycle."""
    w = review_words(r.lang)
    if not r.cycles:
        return []
    labels = [label for label, _ in r.cycles[0].ratings]
    headers = (
        w["cycle"],
        w["people"],
        w["rated"],
        w["mean_total"],
        *labels,
        w["bonus"],
        w["deduction"],
    )
    rows = []
    for c in r.cycles:
        money = (
            ("-", "-")
            if c.currency is None
            else (f"{c.bonus} {c.currency}", f"{c.deduction} {c.currency}")
        )
        rows.append(
            (
                c.cycle,
                str(c.people),
                str(c.rated),
                _f(c.mean_total),
                *(f"{n} ({_pct(c.share(label))})" for label, n in c.ratings),
                *money,
            )
        )
    names = {k.key: k.indicator.label.get(r.lang) for k in r.scheme.kpis}
    kpi_rows = []
    boxes = []
    for j, kpi in enumerate(r.scheme.kpi_keys):
        for c in r.cycles:
            t = c.kpis[j]
            kpi_rows.append(
                (
                    names[kpi],
                    c.cycle,
                    str(t.scored),
                    _f(t.mean),
                    _f(t.q1),
                    _f(t.median),
                    _f(t.q3),
                    _pct(t.at_cap),
                    _pct(t.at_floor),
                )
            )
            boxes.append((names[kpi], c.cycle, t.q1, t.median, t.q3, t.mean))
    lang = r.lang
    return [
        Heading(text=w["trends"]),
        Table(headers=headers, rows=tuple(rows)),
        Figure(chart=rating_trend([(c.cycle, c.ratings) for c in r.cycles], lang=lang)),
        Table(
            headers=(
                w["kpi"],
                w["cycle"],
                w["people"],
                w["mean"],
                w["q1"],
                w["median"],
                w["q3"],
                w["at_cap"],
                w["at_floor"],
            ),
            rows=tuple(kpi_rows),
        ),
        Paragraph(text=w["kpi_note"]),
        Figure(chart=kpi_trend(boxes, lang=lang)),
    ]


def _mean_next(v: PredictiveValidity, label: str) -> float | None:
    return next((o.mean_next for o in v.by_rating if o.rating == label), None)


def effectiveness_section(r: SchemeReview) -> list[Block]:
    """Mean next-cycle scores by rating, and the rank correlation.

    With more than one pair of cycles, every pair is summarised in one table (people,
    Spearman, mean next score per rating) and only the latest pair is shown per KPI.
    """
    if not r.validity:
        return []
    w = review_words(r.lang)
    out: list[Block] = [Heading(text=w["effectiveness"])]
    names = {k.key: k.indicator.label.get(r.lang) for k in r.scheme.kpis}
    if len(r.validity) > 1:
        labels = [o.rating for o in r.validity[-1].by_rating]
        out.append(Paragraph(text=w["effectiveness_pairs"]))
        out.append(
            Table(
                headers=(w["cycle"], w["next_cycle"], w["people"], w["spearman"], *labels),
                rows=tuple(
                    (
                        v.cycle,
                        v.next_cycle,
                        str(v.used),
                        _f(v.spearman, 2),
                        *(_f(_mean_next(v, label)) for label in labels),
                    )
                    for v in r.validity
                ),
            )
        )
    for v in r.validity[-1:]:
        out.append(
            Paragraph(
                text=w["effectiveness_text"].format(
                    cycle=v.cycle,
                    next=v.next_cycle,
                    used=v.used,
                    matched=v.matched,
                    rho=_f(v.spearman, 2),
                )
            )
        )
        out.append(
            Table(
                headers=(
                    w["rating"],
                    w["people"],
                    w["next_score"],
                    *(names[k] for k in v.kpi_keys),
                ),
                rows=tuple(
                    (o.rating, str(o.people), _f(o.mean_next), *(_f(m) for m in o.kpi_means))
                    for o in v.by_rating
                ),
            )
        )
    return out


def _outcome(a: AdverseImpact, lang: str) -> str:
    zh = ANALYTICS_WORDS["zh"]
    if a.outcome == "rating":
        return f"评级不低于 {a.band}" if lang == "zh" else f"rating {a.band} or better"
    if lang == "zh":
        return zh.get(a.outcome, a.outcome)
    return a.outcome.replace("_", " ")


def adverse_section(r: SchemeReview) -> list[Block]:
    """Rates, four-fifths ratios, tests and score gaps per group attribute and outcome."""
    if not r.adverse:
        return []
    w = review_words(r.lang)
    out: list[Block] = [Heading(text=w["adverse"])]
    for attribute, a in r.adverse:
        out.append(
            Heading(
                text=w["attribute"].format(attribute=attribute, outcome=_outcome(a, r.lang)),
                level=3,
            )
        )
        rows = []
        for g in a.groups:
            if g.suppressed:
                rows.append((g.group, *([w["suppressed"].format(k=a.k)] + ["-"] * 5)))
                continue
            gap = g.score
            diff = "-" if gap is None else f"{gap.difference:+.1f} ({_f(gap.low)}, {_f(gap.high)})"
            ratio = w["reference"] if g.group == a.reference else _f(g.impact_ratio, 2)
            rows.append(
                (
                    g.group,
                    str(g.people),
                    f"{g.selected} ({_pct(g.rate)})",
                    ratio,
                    "-" if g.p_value is None else f"{g.p_value:.3f} ({g.test})",
                    "-" if gap is None else _f(gap.mean),
                    diff,
                )
            )
        out.append(
            Table(
                headers=(
                    w["group"],
                    w["people"],
                    w["rate"],
                    w["impact_ratio"],
                    w["p"],
                    w["mean_score"],
                    w["difference"],
                ),
                rows=tuple(rows),
            )
        )
        flagged = [g.group for g in a.groups if g.below_four_fifths]
        text = w["flagged"].format(groups=", ".join(flagged)) if flagged else w["none_flagged"]
        chi = w["chi2"].format(chi2=_f(a.chi_square, 2), df=a.df, p=_f(a.p_value, 3))
        out.append(Paragraph(text=f"{text} {chi}"))
    return out


def raters_section(r: SchemeReview) -> list[Block]:
    """Each source's baseline and the raters whose leniency stands out."""
    d = r.raters
    if d is None:
        return []
    w = review_words(r.lang)
    out: list[Block] = [Heading(text=w["raters"])]
    out.append(
        Table(
            headers=(w["source"], w["ratings"], w["raters_count"], w["mean"], w["halo"]),
            rows=tuple(
                (
                    word(f"source.{s.source}", r.lang, default=s.source),
                    str(s.ratings),
                    str(s.raters),
                    _f(s.mean, 3),
                    _f(s.halo, 2),
                )
                for s in d.sources
            ),
        )
    )
    stand_out = [
        x for x in d.raters if x.enough and not math.isnan(x.leniency_z) and abs(x.leniency_z) > 2
    ]
    out.append(Paragraph(text=w["raters_text"].format(k=d.min_ratings, n=len(d.raters))))
    if not stand_out:
        out.append(Paragraph(text=w["no_outliers"]))
        return out
    out.append(
        Table(
            headers=(
                w["rater"],
                w["source"],
                w["ratings"],
                w["leniency"],
                "z",
                w["central_tendency"],
                w["range_ratio"],
                w["halo"],
            ),
            rows=tuple(
                (
                    x.rater_id,
                    word(f"source.{x.source}", r.lang, default=x.source),
                    str(x.ratings),
                    f"{x.leniency:+.3f}",
                    _f(x.leniency_z, 1),
                    f"{x.central_tendency:+.3f}",
                    _f(x.range_ratio, 2),
                    _f(x.halo, 2),
                )
                for x in stand_out
            ),
        )
    )
    return out


def ninebox_section(r: SchemeReview) -> list[Block]:
    """The grid's counts, the moves since the last placement and promotion readiness."""
    p = r.placement
    if p is None:
        return []
    w = review_words(r.lang)
    lang = r.lang
    counts = p.counts()
    rows = [
        tuple(
            f"{list(Box)[3 * pot + perf].label(lang)}: {int(counts[pot, perf])}"
            for perf in (0, 1, 2)
        )
        for pot in (2, 1, 0)
    ]
    out: list[Block] = [
        Heading(text=w["ninebox"]),
        Table(headers=tuple(w["perf_levels"].split("|")), rows=tuple(rows)),
    ]
    out.append(Paragraph(text=w["unassessed"].format(n=p.unassessed)))
    if r.moves is not None:
        moved = [
            f"{a.label(lang)} → {b.label(lang)}: {n}" for a, b, n in r.moves.moves() if a is not b
        ]
        out += [Heading(text=w["moves"], level=3), Bullets(items=tuple(moved) or (w["none"],))]
    if r.readiness is not None:
        ready = r.readiness.counts()
        out += [
            Heading(text=w["readiness"], level=3),
            Table(
                headers=(w["readiness"], w["people"]),
                rows=tuple((s.label(lang), str(ready.get(s, 0))) for s in Readiness),
            ),
        ]
    return out


def merit_section(r: SchemeReview) -> list[Block]:
    """The merit budget, the scaling factor and the raises per rating."""
    m = r.merit
    if m is None:
        return []
    w = review_words(r.lang)
    cur = m.currency
    total = from_minor(int(m.final.sum()), cur)
    if m.budget is None:
        text = w["merit_unscaled"].format(total=total, currency=cur)
    else:
        text = w["merit_text"].format(
            base=m.base_total,
            budget=m.budget,
            currency=cur,
            factor=f"{float(m.factor):.6f}",
            total=total,
        )
    rows = []
    for rating in m.matrix.ratings[::-1]:
        idx = [i for i, x in enumerate(m.ratings) if x == rating]
        amount = from_minor(int(sum(int(m.final[i]) for i in idx)), cur)
        pay = sum(int(m.salary[i]) for i in idx)
        share = (
            "-"
            if not pay
            else f"{float(Fraction(int(sum(int(m.final[i]) for i in idx)), pay)) * 100:.2f}%"
        )
        rows.append((rating, str(len(idx)), f"{amount} {cur}", share))
    return [
        Heading(text=w["merit"]),
        Paragraph(text=text),
        Table(headers=(w["rating"], w["people"], w["raise"], "%"), rows=tuple(rows)),
    ]


def opinions_section(r: SchemeReview) -> list[Block]:
    """Mean scores per respondent group and question, and their comments."""
    s = r.opinions
    if s is None:
        return []
    w = review_words(r.lang)
    lang = r.lang
    who = ", ".join(f"{w['role.' + role.value]} {n}" for role, n in s.respondents) or w["none"]
    rows = []
    bars: list[tuple[str, float | None, int | None]] = []
    for q in s.rows:
        who_ = w["role." + q.role.value]
        mean = None if q.mean is None else float(q.mean)
        rows.append(
            (
                who_,
                q.question,
                w["suppressed"].format(k=s.k) if q.suppressed else str(q.answers),
                "-" if mean is None else f"{mean:.2f}",
            )
        )
        bars.append((f"{who_} · {q.question}", mean, q.answers))
    out: list[Block] = [
        Heading(text=w["opinions"]),
        Paragraph(text=w["respondents"].format(who=who)),
        Table(headers=(w["role"], w["question"], w["answers"], w["mean"]), rows=tuple(rows)),
        Figure(chart=opinion_scores(bars, lang=lang)),
    ]
    for role, comments in s.comments:
        if comments:
            out.append(
                Heading(
                    text=w["comments"].format(role=w["role." + role.value], n=len(comments)),
                    level=3,
                )
            )
            counted = Counter(comments).most_common()
            out.append(
                Bullets(
                    items=tuple(
                        text if n == 1 else w["times"].format(text=text, n=n) for text, n in counted
                    )
                )
            )
    return out


SCHEME_REVIEW_SECTIONS: tuple[SchemeReviewSection, ...] = (
    trends_section,
    effectiveness_section,
    adverse_section,
    raters_section,
    ninebox_section,
    merit_section,
    opinions_section,
)
"""The default sections of :func:`scheme_review_report`, in order."""


def scheme_review_report(
    scheme: Scheme,
    *,
    cycles: Sequence[CycleSummary],
    validity: Sequence[PredictiveValidity] = (),
    adverse: Sequence[tuple[str, AdverseImpact]] = (),
    raters: RaterDiagnostics | None = None,
    placement: NineBoxPlacement | None = None,
    moves: BoxMovement | None = None,
    readiness: ReadinessResult | None = None,
    merit: MeritResult | None = None,
    opinions: OpinionSummary | None = None,
    lang: Lang = "en",
    sections: Sequence[SchemeReviewSection] = SCHEME_REVIEW_SECTIONS,
) -> Report:
    """Build the periodic review of the scheme: trends, fairness, talent, pay and opinions.

    Args:
        scheme: The scheme reviewed.
        cycles: One summary per cycle, oldest first (:func:`~perfmgmt.analytics.summarise_cycle`).
        validity: :func:`~perfmgmt.analytics.predictive_validity` per pair of cycles.
        adverse: ``(group attribute, analysis)`` pairs from
            :func:`~perfmgmt.analytics.adverse_impact`.
        raters: :func:`~perfmgmt.analytics.rater_diagnostics` of the latest cycle.
        placement: The latest :func:`~perfmgmt.analytics.place`.
        moves: :func:`~perfmgmt.analytics.movement` into it.
        readiness: :func:`~perfmgmt.analytics.promotion_readiness`.
        merit: :func:`~perfmgmt.analytics.merit_increases`.
        opinions: :func:`~perfmgmt.analytics.summarise_opinions`.
        lang: ``"en"`` or ``"zh"``.
        sections: The section callables, in order.

    Returns:
        The report; render it with :func:`perfmgmt.report.to_markdown` or
        :func:`~perfmgmt.report.to_html`.

    Raises:
        ValidationError: On an unknown language or a cycle summary whose KPIs are not the
            scheme's.
    """
    w = review_words(lang)
    for c in cycles:
        if tuple(t.kpi for t in c.kpis) != scheme.kpi_keys:
            raise ValidationError(
                f"scheme_review_report: cycle {c.cycle!r} has KPIs "
                f"{[t.kpi for t in c.kpis]}; expected the scheme's {list(scheme.kpi_keys)}",
                field="cycles",
                value=c.cycle,
            )
    review = SchemeReview(
        scheme=scheme,
        cycles=cycles,
        validity=validity,
        adverse=adverse,
        raters=raters,
        placement=placement,
        moves=moves,
        readiness=readiness,
        merit=merit,
        opinions=opinions,
        lang=lang,
    )
    title = w["title"].format(scheme=scheme.label.get(lang))
    blocks: list[Block] = [
        Heading(text=title, level=1),
        Paragraph(
            text=w["intro"].format(
                n=len(review.cycles), cycles=", ".join(c.cycle for c in review.cycles)
            )
        ),
    ]
    for section in sections:
        blocks.extend(section(review))
    return Report(title=title, lang=lang, blocks=tuple(blocks))
