"""Mid-term check (中期检查): each KPI's progress projected to the cycle end, with early warnings.

The check-ins themselves are recorded by :func:`perfmgmt.workflow.check_in`; this module reads
them. :func:`project` projects every KPI of the scheme from the review's check-ins to the last
day of the cycle and compares the projection with the agreed (or default) threshold and target;
:func:`early_warnings` keeps the projections that are off track.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Collection, Sequence

import attrs

from perfmgmt._validate import instance_of, optional
from perfmgmt.model.cycle import Cycle
from perfmgmt.model.indicator import Direction
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme

__all__ = ["KpiProjection", "Outlook", "early_warnings", "project"]


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
    """

    kpi: str = attrs.field(validator=instance_of(str))
    on: dt.date | None = attrs.field(default=None, validator=optional(instance_of(dt.date)))
    latest: float | None = attrs.field(default=None)
    projected: float | None = attrs.field(default=None)
    threshold: float | None = attrs.field(default=None)
    target: float | None = attrs.field(default=None)
    outlook: Outlook = attrs.field(default=Outlook.NO_DATA, validator=instance_of(Outlook))

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


def project(
    review: Review,
    scheme: Scheme,
    cycle: Cycle,
    *,
    cumulative: Collection[str] = (),
) -> tuple[KpiProjection, ...]:
    """Project each KPI of ``scheme`` to the end of ``cycle`` from the review's check-ins.

    Level KPIs (satisfaction, response time) follow a least-squares line through their
    check-in figures, or stay flat with a single figure. KPIs named in ``cumulative`` (counts
    that accumulate, such as innovation projects) run at their rate so far:
    ``latest x cycle days / days elapsed``. The outlook compares the projection with the
    agreed (or default) threshold and target the way the indicator improves.

    Args:
        review: The review, with check-ins oldest first.
        scheme: The scheme, for KPIs, defaults and directions.
        cycle: The review's cycle.
        cumulative: Keys of KPIs whose figures accumulate over the cycle.
    """
    out = []
    for kpi in scheme.kpis:
        goal = review.goal(kpi.key)
        threshold = goal.threshold if goal and goal.threshold is not None else kpi.threshold
        target = goal.target if goal and goal.target is not None else kpi.target
        points: list[tuple[float, float]] = []
        on: dt.date | None = None
        for entry in review.check_ins:
            for a in entry.progress:
                if a.kpi == kpi.key and a.value is not None:
                    points.append(((entry.on - cycle.start).days + 1, a.value))
                    on = entry.on
        if not points:
            out.append(KpiProjection(kpi=kpi.key, threshold=threshold, target=target))
            continue
        latest = points[-1][1]
        if kpi.key in cumulative:
            projected = latest * cycle.days / max(points[-1][0], 1.0)
        else:
            projected = _line_at(points, float(cycle.days))
        out.append(
            KpiProjection(
                kpi=kpi.key,
                on=on,
                latest=latest,
                projected=projected,
                threshold=threshold,
                target=target,
                outlook=_outlook(kpi.indicator.direction, projected, threshold, target),
            )
        )
    return tuple(out)


def early_warnings(
    review: Review, scheme: Scheme, cycle: Cycle, *, cumulative: Collection[str] = ()
) -> tuple[KpiProjection, ...]:
    """Return the projections that are early warnings (off track), in scheme order."""
    return tuple(p for p in project(review, scheme, cycle, cumulative=cumulative) if p.warning)
