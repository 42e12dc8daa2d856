"""Mid-term check (中期检查): each KPI's progress projected to the cycle end, with early warnings.

The check-ins themselves are recorded by :func:`perfmgmt.workflow.check_in`; this module reads
them. :func:`project` projects every KPI of the scheme from the review's check-ins to the last
day of the cycle, keeps the projection inside the indicator's possible values (a satisfaction
rate does not run past 100 %), and compares it with the agreed (or default) threshold and
target; :func:`early_warnings` keeps the projections that are off track;
:func:`project_review` scores the projected actuals with the scoring engine, so a manager sees
the score, total and rating band the review is heading for.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Collection, Mapping, Sequence

import attrs

from perfmgmt._units import unit_range
from perfmgmt._validate import instance_of, optional, tuple_of
from perfmgmt.errors import ValidationError
from perfmgmt.model.cycle import Cycle
from perfmgmt.model.indicator import Direction
from perfmgmt.model.kpi import KPI
from perfmgmt.model.review import Actual, CheckIn, Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring import ScoreCard, ScoringEngine

__all__ = [
    "KpiProjection",
    "Outlook",
    "ReviewProjection",
    "early_warnings",
    "project",
    "project_review",
]

Ranges = Mapping[str, tuple[float, float]]


class Outlook(enum.Enum):
    """Where a KPI's projection to the cycle end lands."""

    ON_TRACK = "on_track"
    """At or beyond target."""
    AT_RISK = "at_risk"
    """Short of target but not of threshold."""
    OFF_TRACK = "off_track"
    """Short of threshold (of target when there is no threshold): an early warning."""
    NO_DATA = "no_data"
    """No progress figure recorded yet."""
    NOT_ASSESSED = "not_assessed"
    """No target to compare with, or a target-is-best indicator."""


@attrs.frozen(kw_only=True)
class KpiProjection:
    """One KPI's progress at the latest check-in and its projection to the cycle end.

    Attributes:
        kpi: Key of the KPI.
        on: Date of the latest progress figure, if any.
        latest: The latest progress figure, if any.
        projected: Projected value at the cycle end, if any.
        threshold: Threshold in force (agreed goal over scheme default), if any.
        target: Target in force, if any.
        outlook: On track, at risk, off track, no data or not assessed.
        trend: Where the trend alone runs to at the cycle end, before it is kept inside the
            indicator's possible values; equal to ``projected`` unless ``clamped``.
        clamped: Whether the trend ran outside the possible values and ``projected`` is the
            nearest possible value instead.
        sample_size: Projected sample size at the cycle end (the latest one at its rate so
            far), if the check-ins report one.
        score: The KPI's projected score (set by :func:`project_review`; None from
            :func:`project`, or when the KPI is not scored).
    """

    kpi: str = attrs.field(validator=instance_of(str))
    on: dt.date | None = attrs.field(default=None, validator=optional(instance_of(dt.date)))
    latest: float | None = attrs.field(default=None)
    projected: float | None = attrs.field(default=None)
    threshold: float | None = attrs.field(default=None)
    target: float | None = attrs.field(default=None)
    outlook: Outlook = attrs.field(default=Outlook.NO_DATA, validator=instance_of(Outlook))
    trend: float | None = attrs.field(default=None)
    clamped: bool = attrs.field(default=False, validator=instance_of(bool))
    sample_size: int | None = attrs.field(default=None)
    score: float | None = attrs.field(default=None)

    @property
    def warning(self) -> bool:
        """Whether this projection is an early warning (off track)."""
        return self.outlook is Outlook.OFF_TRACK


def _line_at(points: Sequence[tuple[float, float]], x: float) -> float:
    # Least-squares line through the points, read at x; flat when all share one day.
    n = len(points)
    mx = math.fsum(p[0] for p in points) / n
    my = math.fsum(p[1] for p in points) / n
    sxx = math.fsum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return points[-1][1]
    sxy = math.fsum((p[0] - mx) * (p[1] - my) for p in points)
    return my + sxy / sxx * (x - mx)


def _outlook(
    direction: Direction, projected: float, threshold: float | None, target: float | None
) -> Outlook:
    if direction is Direction.TARGET_IS_BEST or target is None:
        return Outlook.NOT_ASSESSED
    floor = target if threshold is None else threshold
    sign = 1.0 if direction is Direction.HIGHER_IS_BETTER else -1.0
    if sign * projected >= sign * target:
        return Outlook.ON_TRACK
    if sign * projected >= sign * floor and threshold is not None:
        return Outlook.AT_RISK
    return Outlook.OFF_TRACK


def _range(kpi: KPI, ranges: Ranges | None) -> tuple[float, float]:
    """Return the possible values of a KPI: ``ranges`` first, else what its unit says."""
    if ranges is not None and kpi.key in ranges:
        low, high = ranges[kpi.key]
        low, high = float(low), float(high)
        if math.isnan(low) or math.isnan(high) or not low <= high:
            raise ValidationError(
                f"project: ranges[{kpi.key!r}] is ({low!r}, {high!r}); give (low, high) with "
                "low <= high",
                field="ranges",
                value=(low, high),
            )
        return low, high
    return unit_range(kpi.indicator.unit)


def _check_ranges(scheme: Scheme, ranges: Ranges | None) -> None:
    unknown = sorted(set(ranges or ()) - set(scheme.kpi_keys))
    if unknown:
        raise ValidationError(
            f"project: ranges name {unknown}, which are not KPIs of scheme {scheme.key!r}; "
            f"the KPIs are {list(scheme.kpi_keys)}",
            field="ranges",
            value=unknown,
        )


def _points(
    check_ins: Sequence[CheckIn], key: str, start: dt.date
) -> tuple[list[tuple[float, float]], dt.date | None, int | None]:
    """Return a KPI's (cycle day, value) points, the latest date and the latest sample size."""
    points: list[tuple[float, float]] = []
    on: dt.date | None = None
    sample: int | None = None
    for entry in check_ins:
        for a in entry.progress:
            if a.kpi == key and a.value is not None:
                points.append(((entry.on - start).days + 1, a.value))
                on = entry.on
                sample = a.sample_size
    return points, on, sample


def _project_kpi(
    review: Review, kpi: KPI, cycle: Cycle, *, cumulative: bool, ranges: Ranges | None
) -> KpiProjection:
    goal = review.goal(kpi.key)
    threshold = goal.threshold if goal and goal.threshold is not None else kpi.threshold
    target = goal.target if goal and goal.target is not None else kpi.target
    points, on, sample = _points(review.check_ins, kpi.key, cycle.start)
    if not points:
        return KpiProjection(kpi=kpi.key, threshold=threshold, target=target)
    latest = points[-1][1]
    elapsed = max(points[-1][0], 1.0)
    trend = latest * cycle.days / elapsed if cumulative else _line_at(points, float(cycle.days))
    low, high = _range(kpi, ranges)
    projected = min(max(trend, low), high)
    # Samples (surveys, tickets) accumulate over the cycle whatever the KPI measures.
    samples = None if sample is None else max(sample, sample * cycle.days // int(elapsed))
    return KpiProjection(
        kpi=kpi.key,
        on=on,
        latest=latest,
        projected=projected,
        threshold=threshold,
        target=target,
        outlook=_outlook(kpi.indicator.direction, projected, threshold, target),
        trend=trend,
        clamped=projected != trend,
        sample_size=samples,
    )


def project(
    review: Review,
    scheme: Scheme,
    cycle: Cycle,
    *,
    cumulative: Collection[str] = (),
    ranges: Ranges | None = None,
) -> tuple[KpiProjection, ...]:
    """Project each KPI of ``scheme`` to the end of ``cycle`` from the review's check-ins.

    Level KPIs (satisfaction, response time) follow a least-squares line through their
    check-in figures, or stay flat with a single figure. KPIs named in ``cumulative`` (counts
    that accumulate, such as innovation projects) run at their rate so far:
    ``latest x cycle days / days elapsed``. The projection is kept inside the indicator's
    possible values: ``ranges`` when it names the KPI, else what the unit says (0..100 for
    ``%``, at least 0 for times and counts); ``trend`` keeps the unclamped figure. The
    outlook compares the projection with the agreed (or default) threshold and target the
    way the indicator improves.

    Args:
        review: The review, with check-ins oldest first.
        scheme: The scheme, for KPIs, defaults and directions.
        cycle: The review's cycle.
        cumulative: Keys of KPIs whose figures accumulate over the cycle.
        ranges: Possible values per KPI key, ``(low, high)``, e.g. ``{"csat": (1, 5)}``
            for a satisfaction score on a five-point scale.

    Raises:
        ValidationError: When ``ranges`` names a KPI the scheme does not have, or gives a
            range with low above high.
    """
    _check_ranges(scheme, ranges)
    return tuple(
        _project_kpi(review, kpi, cycle, cumulative=kpi.key in cumulative, ranges=ranges)
        for kpi in scheme.kpis
    )


@attrs.frozen(kw_only=True)
class ReviewProjection:
    """Where a review is heading at the mid-term check: per-KPI projections and their scores.

    Attributes:
        kpis: One projection per KPI of the scheme, in scheme order, with ``score`` set.
        card: The score card of the projected actuals (KPIs without check-in figures are
            missing, and the scheme's missing-data policies apply to them).
        quantitative: The projected quantitative part (after gates), None when no KPI could
            be scored; at mid-term there are often no assessments yet, and then this is the
            part there is to show.
        total: The projected total, None when the projected review is not rated (for
            instance when the scheme has qualitative criteria and nobody has assessed yet).
        rating: The projected rating band, None when not rated.
    """

    kpis: tuple[KpiProjection, ...] = attrs.field(validator=tuple_of(KpiProjection))
    card: ScoreCard = attrs.field(validator=instance_of(ScoreCard))
    quantitative: float | None = attrs.field(default=None)
    total: float | None = attrs.field(default=None)
    rating: str | None = attrs.field(default=None)

    @property
    def warnings(self) -> tuple[KpiProjection, ...]:
        """The projections that are early warnings (off track), in scheme order."""
        return tuple(p for p in self.kpis if p.warning)


def project_review(
    review: Review,
    scheme: Scheme,
    cycle: Cycle,
    *,
    engine: ScoringEngine | None = None,
    cumulative: Collection[str] = (),
    ranges: Ranges | None = None,
) -> ReviewProjection:
    """Project the review to the cycle end and score the projection like a final evaluation.

    The projected actuals (see :func:`project`) go through the scoring engine with the
    review's agreed goals and assessments, so the projected KPI scores, total and rating band
    are those the review would get if every KPI kept its trend. KPIs without a check-in figure
    are missing, under the scheme's missing-data policies. The review itself is not changed.

    Args:
        review: The review, with check-ins oldest first.
        scheme: The scheme.
        cycle: The review's cycle.
        engine: The scoring engine (with your scorer registry); a default one when None.
        cumulative: Keys of KPIs whose figures accumulate over the cycle.
        ranges: Possible values per KPI key, as for :func:`project`.

    Raises:
        ValidationError: As :func:`project`.
        ScoringError: When the projected review cannot be scored (e.g. its goals do not fit
            the scheme).
    """
    kpis = project(review, scheme, cycle, cumulative=cumulative, ranges=ranges)
    actuals = [
        Actual(kpi=p.kpi, value=p.projected, sample_size=p.sample_size)
        for p in kpis
        if p.projected is not None
    ]
    projected = attrs.evolve(review, actuals=tuple(actuals))
    card = (engine or ScoringEngine()).score(scheme, projected, cycle=cycle)
    scores = {line.key: line.score for line in card.lines}
    scored = tuple(
        attrs.evolve(p, score=None if _nan(scores.get(p.kpi)) else scores.get(p.kpi)) for p in kpis
    )
    quantitative = None if _nan(card.quantitative) else card.quantitative
    return ReviewProjection(
        kpis=scored, card=card, quantitative=quantitative, total=card.total, rating=card.rating
    )


def _nan(value: float | None) -> bool:
    return value is None or math.isnan(value)


def early_warnings(
    review: Review,
    scheme: Scheme,
    cycle: Cycle,
    *,
    cumulative: Collection[str] = (),
    ranges: Ranges | None = None,
) -> tuple[KpiProjection, ...]:
    """Return the projections that are early warnings (off track), in scheme order."""
    projections = project(review, scheme, cycle, cumulative=cumulative, ranges=ranges)
    return tuple(p for p in projections if p.warning)
