"""Proration: a review's mid-cycle changes turned into exact day shares of the cycle.

:func:`prorate` cuts the cycle into runs of days in which nothing changes (no manager, FTE,
leave or goal change starts or ends inside a run), and counts in whole days with exact
:class:`~fractions.Fraction` arithmetic:

- **days worked** = days employed in the cycle (hire to leave date) − days of leave;
- **FTE days** = Σ over the days worked of the FTE in force;
- **eligible fraction** = FTE days / days in the cycle: the share of the cycle worked, leave
  left out, FTE-weighted. A bonus pool that prorates multiplies the award by it;
- **weights**: in each run, the KPI weights in force in a category are rescaled to the
  category's weight in the scheme (``category weight × w / Σ w in force × Σ w in the scheme``),
  so every run's weights add up to the scheme's total; a KPI's effective weight is the
  day-weighted average over the cycle, ``Σ days × weight in force / days in the cycle``, and
  the weights still add up to the scheme's total exactly;
- **targets**: a changed target is averaged the same way, over the cycle's days;
- **managers**: the evaluating manager is whoever is responsible on the cycle's last day;
  the managers before them are listed as previous managers, whose ratings stay in the review
  as manager input under their own rater ids.

Weights and targets are read as the decimals they print as (``0.3`` is 3/10), so a hand
computation in fractions gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TypeVar

import attrs

from perfmgmt._validate import instance_of, integer, optional, show, tuple_of
from perfmgmt.errors import ValidationError
from perfmgmt.model.cycle import Cycle, eligible_days
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.model.timeline import Period, check_timeline, exact

__all__ = ["PeriodValues", "Proration", "evaluating_manager", "prorate"]

_ONE_DAY = dt.timedelta(days=1)
_Dated = TypeVar("_Dated")


def _fraction(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Fraction) or value < 0:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: {show(value)} is not allowed; "
            "expected a Fraction >= 0",
            field=attribute.name,
            value=value,
        )


def _values(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(p, tuple)
        and len(p) == 2
        and isinstance(p[0], str)
        and p[0]
        and isinstance(p[1], Fraction)
        for p in value
    ):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: {show(value)} is not allowed; "
            "expected (KPI key, Fraction) pairs",
            field=attribute.name,
            value=value,
        )


@attrs.frozen(kw_only=True)
class PeriodValues:
    """Per-KPI values in force during a period (weights or targets).

    Attributes:
        period: The days.
        values: ``(KPI key, value)`` pairs, exact.
    """

    period: Period = attrs.field(validator=instance_of(Period))
    values: tuple[tuple[str, Fraction], ...] = attrs.field(validator=_values)

    def value(self, kpi: str) -> Fraction | None:
        """Return the value of ``kpi`` in this period, if any."""
        return dict(self.values).get(kpi)


def _managers(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and p[0] for p in value
    ):
        raise ValidationError(
            f"Proration.{attribute.name}: {show(value)} is not allowed; expected "
            "(manager id, Period) pairs",
            field=attribute.name,
            value=value,
        )
    tuple_of(Period)(instance, attribute, tuple(p[1] for p in value))


@attrs.frozen(kw_only=True)
class Proration:
    """A review's mid-cycle changes as exact day shares of its cycle (see :func:`prorate`).

    Attributes:
        cycle: Key of the cycle.
        cycle_days: Calendar days in the cycle.
        employed_days: Days of the cycle between hire and leave date.
        leave_days: Days of leave among the days employed.
        worked_days: ``employed_days - leave_days``; compared with ``min_eligible_days``.
        fte_days: Σ over the days worked of the FTE in force.
        eligible_fraction: ``fte_days / cycle_days``, the share of the cycle worked.
        weights: ``(KPI key, nominal weight)`` in scheme order, day-weighted.
        weight_periods: The nominal weights in force per run of days, when a weight changed.
        targets: ``(KPI key, target)`` of the KPIs whose target changed, day-weighted.
        target_periods: The targets in force per run of days, when a target changed.
        managers: ``(manager id, days responsible)`` in the cycle, oldest first.
        evaluating_manager: The manager responsible on the cycle's last day, if known.
        previous_managers: The other managers responsible during the cycle, oldest first.
    """

    cycle: str = attrs.field(validator=instance_of(str))
    cycle_days: int = attrs.field(validator=integer(1, 100_000))
    employed_days: int = attrs.field(validator=integer(0, 100_000))
    leave_days: int = attrs.field(validator=integer(0, 100_000))
    worked_days: int = attrs.field(validator=integer(0, 100_000))
    fte_days: Fraction = attrs.field(validator=_fraction)
    eligible_fraction: Fraction = attrs.field(validator=_fraction)
    weights: tuple[tuple[str, Fraction], ...] = attrs.field(validator=_values)
    weight_periods: tuple[PeriodValues, ...] = attrs.field(
        default=(), validator=tuple_of(PeriodValues)
    )
    targets: tuple[tuple[str, Fraction], ...] = attrs.field(default=(), validator=_values)
    target_periods: tuple[PeriodValues, ...] = attrs.field(
        default=(), validator=tuple_of(PeriodValues)
    )
    managers: tuple[tuple[str, Period], ...] = attrs.field(default=(), validator=_managers)
    evaluating_manager: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    previous_managers: tuple[str, ...] = attrs.field(default=(), validator=tuple_of(str))

    def __attrs_post_init__(self) -> None:
        if self.worked_days > self.cycle_days or self.eligible_fraction > 1:
            raise ValidationError(
                f"Proration: worked_days ({self.worked_days}) and eligible_fraction "
                f"({self.eligible_fraction}) are not allowed; at most cycle_days "
                f"({self.cycle_days}) and 1",
                field="eligible_fraction",
                value=self.eligible_fraction,
            )

    @property
    def weights_changed(self) -> bool:
        """Whether a goal change moved a weight in the cycle."""
        return bool(self.weight_periods)

    def weight(self, kpi: str) -> Fraction | None:
        """Return the day-weighted nominal weight of ``kpi``, if the scheme has it."""
        return dict(self.weights).get(kpi)


# -- checks against the cycle ----------------------------------------------------------------


def _refuse(field: str, value: object, text: str) -> ValidationError:
    return ValidationError(
        f"{field}: {show(value)} is not allowed; {text}", field=field, value=value
    )


def _check_against(scheme: Scheme, review: Review, cycle: Cycle) -> None:
    """Refuse dated facts outside the cycle, or naming KPIs the scheme does not have."""
    first, last = cycle.start.isoformat(), cycle.end.isoformat()
    inside = f"expected a date in cycle {cycle.key!r} ({first} to {last})"
    for i, a in enumerate(review.assignments):
        if a.start > cycle.end:
            raise _refuse(
                f"Review.assignments[{i}].start", a.start, f"expected a date on or before {last}"
            )
    for i, f in enumerate(review.fte_changes):
        if not cycle.start <= f.start <= cycle.end:
            hint = (
                f"; give the FTE in force at the cycle start as a change dated {first}"
                if f.start < cycle.start
                else ""
            )
            raise _refuse(f"Review.fte_changes[{i}].start", f.start, inside + hint)
    for i, leave in enumerate(review.leaves):
        if leave.start < cycle.start or leave.end > cycle.end:
            raise _refuse(
                f"Review.leaves[{i}]",
                f"{leave.start.isoformat()}..{leave.end.isoformat()}",
                f"a leave must lie within cycle {cycle.key!r} ({first} to {last}); record "
                "only its days in the cycle",
            )
    keys = scheme.kpi_keys
    for i, g in enumerate(review.goal_changes):
        if g.kpi not in keys:
            raise _refuse(
                f"Review.goal_changes[{i}].kpi", g.kpi, f"expected a KPI of the scheme {list(keys)}"
            )
        if not cycle.start <= g.start <= cycle.end:
            raise _refuse(f"Review.goal_changes[{i}].start", g.start, inside)


# -- the runs of days --------------------------------------------------------------------------


def _runs(review: Review, cycle: Cycle) -> list[Period]:
    """Cut the cycle into runs of days in which no fact starts or ends."""
    cuts = {cycle.start, cycle.end + _ONE_DAY}
    cuts.update(f.start for f in review.fte_changes)
    cuts.update(g.start for g in review.goal_changes)
    cuts.update(a.start for a in review.assignments if a.start > cycle.start)
    for leave in review.leaves:
        cuts.update((leave.start, leave.end + _ONE_DAY))
    hire, last = review.subject.hire_date, review.subject.leave_date
    if hire is not None:
        cuts.add(hire)  # the first day employed
    if last is not None:
        cuts.add(last + _ONE_DAY)  # the first day no longer employed
    edges = sorted(c for c in cuts if cycle.start <= c <= cycle.end + _ONE_DAY)
    return [Period(start=a, end=b - _ONE_DAY) for a, b in itertools.pairwise(edges)]


def _in_force(items: Sequence[_Dated], day: dt.date) -> _Dated | None:
    """Return the last of ``items`` (oldest first) that starts on or before ``day``."""
    found = None
    for item in items:
        if item.start <= day:  # type: ignore[attr-defined]  # Assignment or FteChange
            found = item
    return found


def _employed(review: Review, day: dt.date) -> bool:
    hire, leave = review.subject.hire_date, review.subject.leave_date
    return (hire is None or hire <= day) and (leave is None or day <= leave)


def _on_leave(review: Review, day: dt.date) -> bool:
    return any(x.start <= day <= x.end for x in review.leaves)


def _fte(review: Review, day: dt.date) -> Fraction:
    change = _in_force(review.fte_changes, day)
    return Fraction(1) if change is None else Fraction(change.fte)


def _scheme_weights(scheme: Scheme) -> dict[str, Fraction]:
    return {k.key: exact(k.weight) for k in scheme.kpis}


def _nominal(scheme: Scheme, in_force: dict[str, Fraction]) -> tuple[tuple[str, Fraction], ...]:
    """Nominal weights of one run: each category's weights in force rescaled to its own."""
    base = _scheme_weights(scheme)
    out: list[tuple[str, Fraction]] = []
    for cat in scheme.categories:
        members = [k.key for k in scheme.kpis if k.category == cat.key]
        now = sum((in_force[m] for m in members), Fraction(0))
        then = sum((base[m] for m in members), Fraction(0))
        if members and now == 0 and then > 0:
            raise ValidationError(
                f"Review.goal_changes: the weights of category {cat.key!r} "
                f"({', '.join(members)}) are all 0 after a change; at least one must be > 0",
                field="goal_changes",
                value=cat.key,
            )
        scale = exact(cat.weight) * (then / now if now else Fraction(0))
        out.extend((m, in_force[m] * scale) for m in members)
    order = {key: j for j, key in enumerate(scheme.kpi_keys)}
    return tuple(sorted(out, key=lambda p: order[p[0]]))


def _targets(scheme: Scheme, review: Review) -> dict[str, Fraction | None]:
    out: dict[str, Fraction | None] = {}
    for kpi in scheme.kpis:
        goal = review.goal(kpi.key)
        value = goal.target if goal is not None and goal.target is not None else kpi.target
        out[kpi.key] = None if value is None else exact(value)
    return out


def _goal_in_force(
    review: Review, run: Period, base: dict[str, Fraction | None], what: str
) -> dict[str, Fraction | None]:
    now = dict(base)
    for g in review.goal_changes:
        value = getattr(g, what)  # "weight" or "target": fixed names, not user input
        if g.start <= run.start and value is not None:
            now[g.kpi] = exact(value)
    return now


def _averaged(periods: Sequence[PeriodValues], cycle_days: int) -> tuple[tuple[str, Fraction], ...]:
    keys = [k for k, _ in periods[0].values]
    total = {k: Fraction(0) for k in keys}
    for p in periods:
        for k, v in p.values:
            total[k] += p.period.days * v
    return tuple((k, total[k] / cycle_days) for k in keys)


def _merge(periods: list[PeriodValues]) -> tuple[PeriodValues, ...]:
    """Join neighbouring runs whose values are the same (a leave cuts runs, not weights)."""
    out: list[PeriodValues] = []
    for p in periods:
        if out and out[-1].values == p.values:
            prev = out[-1]
            joined = Period(start=prev.period.start, end=p.period.end)
            out[-1] = PeriodValues(period=joined, values=p.values)
        else:
            out.append(p)
    return tuple(out)


def _target_periods(
    scheme: Scheme, review: Review, runs: Sequence[Period]
) -> tuple[PeriodValues, ...]:
    changed = [
        k
        for k in scheme.kpi_keys
        if any(g.kpi == k and g.target is not None for g in review.goal_changes)
    ]
    if not changed:
        return ()
    base = _targets(scheme, review)
    periods = []
    for run in runs:
        now = _goal_in_force(review, run, base, "target")
        values = []
        for k in changed:
            v = now[k]
            if v is None:
                raise ValidationError(
                    f"Review.goal_changes: KPI {k!r} has no target before its first target "
                    f"change; date the first change {runs[0].start.isoformat()} (the cycle start)",
                    field="goal_changes",
                    value=k,
                )
            values.append((k, v))
        periods.append(PeriodValues(period=run, values=tuple(values)))
    return _merge(periods)


def _manager_periods(review: Review, runs: Sequence[Period]) -> tuple[tuple[str, Period], ...]:
    out: list[tuple[str, Period]] = []
    for run in runs:
        a = _in_force(review.assignments, run.start)
        who = review.subject.manager_id if a is None else a.manager
        if who is None:
            continue
        if out and out[-1][0] == who and out[-1][1].end + _ONE_DAY == run.start:
            out[-1] = (who, Period(start=out[-1][1].start, end=run.end))
        else:
            out.append((who, run))
    return tuple(out)


def evaluating_manager(review: Review, cycle: Cycle) -> str | None:
    """Return the manager responsible on the cycle's last day.

    The latest :class:`~perfmgmt.model.Assignment` starting on or before ``cycle.end``, else
    the subject's ``manager_id``; None when neither is known.
    """
    a = _in_force(review.assignments, cycle.end)
    return review.subject.manager_id if a is None else a.manager


def prorate(scheme: Scheme, review: Review, cycle: Cycle) -> Proration:
    """Turn ``review``'s mid-cycle changes into exact day shares of ``cycle``.

    See the module docstring for each number. A review without changes gives the days
    employed as days worked, an eligible fraction of ``days / cycle days`` (the same as
    :func:`perfmgmt.model.eligibility`) and the scheme's weights.

    Raises:
        ValidationError: When a leave lies outside the cycle, leaves overlap, an FTE or goal
            change falls outside the cycle, an assignment starts after it, a goal change names a
            KPI the scheme does not have, or a category's weights all become 0; naming the
            field, the value and what is allowed.
    """
    for name, value, cls in (
        ("scheme", scheme, Scheme),
        ("review", review, Review),
        ("cycle", cycle, Cycle),
    ):
        if not isinstance(value, cls):
            raise _refuse(name, value, f"expected a perfmgmt.model.{cls.__name__}")
    check_timeline(review.assignments, review.fte_changes, review.leaves, review.goal_changes)
    _check_against(scheme, review, cycle)
    employed = eligible_days(cycle, review.subject.hire_date, review.subject.leave_date)
    runs = _runs(review, cycle)
    leave_days = worked = 0
    fte_days = Fraction(0)
    for run in runs:
        if not _employed(review, run.start):
            continue
        if _on_leave(review, run.start):
            leave_days += run.days
            continue
        worked += run.days
        fte_days += run.days * _fte(review, run.start)
    cycle_days = cycle.days
    weight_periods: tuple[PeriodValues, ...] = ()
    if any(g.weight is not None for g in review.goal_changes):
        base: dict[str, Fraction | None] = dict(_scheme_weights(scheme))
        periods = []
        for run in runs:
            now = _goal_in_force(review, run, base, "weight")
            values = _nominal(scheme, {k: v or Fraction(0) for k, v in now.items()})
            periods.append(PeriodValues(period=run, values=values))
        weight_periods = _merge(periods)
        weights = _averaged(weight_periods, cycle_days)
        if len(weight_periods) == 1:  # the change rescaled back to the scheme's weights
            weight_periods = ()
    else:
        weights = _nominal(scheme, _scheme_weights(scheme))
    target_periods = _target_periods(scheme, review, runs)
    managers = _manager_periods(review, runs)
    boss = evaluating_manager(review, cycle)
    previous = tuple(dict.fromkeys(m for m, _ in managers if m != boss))
    return Proration(
        cycle=cycle.key,
        cycle_days=cycle_days,
        employed_days=employed,
        leave_days=leave_days,
        worked_days=worked,
        fte_days=fte_days,
        eligible_fraction=fte_days / cycle_days,
        weights=weights,
        weight_periods=weight_periods,
        targets=_averaged(target_periods, cycle_days) if target_periods else (),
        target_periods=target_periods,
        managers=managers,
        evaluating_manager=boss,
        previous_managers=previous,
    )
