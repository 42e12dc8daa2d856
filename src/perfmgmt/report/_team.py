"""The report for a team or department: its context, its sections and :func:`team_report`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from perfmgmt._format import fmt_date, fmt_money
from perfmgmt._words import word
from perfmgmt.charts import (
    money_by_department,
    rating_distribution,
    score_distribution,
)
from perfmgmt.model.cycle import Cycle, Phase
from perfmgmt.model.review import Review, ReviewStatus
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
from perfmgmt.rules import Decisions
from perfmgmt.workflow.access import (
    DEFAULT_POLICY,
    Audience,
    VisibilityPolicy,
    redact,
)

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
