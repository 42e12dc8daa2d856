"""Mid-cycle changes: dated facts about the person and their goals within a review cycle.

A manager moves, someone goes part-time or takes leave, a goal's weight or target is changed
mid-quarter. Each is recorded on the :class:`~perfmgmt.model.Review` as a dated fact:

- :class:`Assignment` — who the manager is from a date on;
- :class:`FteChange` — the full-time equivalent from a date on (1 before the first change);
- :class:`Leave` — a period of leave, both ends included;
- :class:`GoalChange` — a KPI's weight in its category, or its target, from a date on.

:func:`perfmgmt.model.prorate` turns them into day shares of the cycle.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import attrs

from perfmgmt._validate import (
    finite_or_none,
    instance_of,
    key,
    non_empty,
    show,
    to_number_or_none,
)
from perfmgmt.errors import ValidationError

__all__ = [
    "Assignment",
    "FteChange",
    "GoalChange",
    "Leave",
    "LeaveKind",
    "Period",
    "check_timeline",
]


class LeaveKind(enum.Enum):
    """Why someone was away; every kind of leave is left out of the days worked."""

    ANNUAL = "annual"
    SICK = "sick"
    PARENTAL = "parental"
    UNPAID = "unpaid"
    OTHER = "other"


def _day(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    instance_of(dt.date)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Period:
    """A run of calendar days, both ends included.

    Attributes:
        start: First day.
        end: Last day (inclusive), on or after ``start``.
    """

    start: dt.date = attrs.field(validator=_day)
    end: dt.date = attrs.field(validator=_day)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"Period.end: {self.end.isoformat()} is not allowed; the last day must be on "
                f"or after the start ({self.start.isoformat()})",
                field="end",
                value=self.end,
            )

    @property
    def days(self) -> int:
        """Number of calendar days, both ends included."""
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@attrs.frozen(kw_only=True)
class Assignment:
    """The person's manager from ``start`` on (until the next assignment).

    Attributes:
        manager: Id of the manager.
        start: First day the manager is responsible; may precede the cycle.
    """

    manager: str = attrs.field(validator=non_empty)
    start: dt.date = attrs.field(validator=_day)


def _to_fte(value: object) -> object:
    """Read an FTE as an exact Decimal: a float as the decimal it prints as (0.8 is 4/5)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - every float repr is a Decimal
            return value
    if isinstance(value, int) and abs(value) <= 10:
        return Decimal(value)
    return value


def _fte(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:  # noqa: ARG001 - attrs validator signature
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 < value <= 1:
        raise ValidationError(
            f"FteChange.fte: {show(value)} is not allowed; expected a number in (0, 1], "
            "e.g. 0.5 for half time (record time away as a Leave)",
            field="fte",
            value=value,
        )
    if value.as_tuple().exponent < -6:  # type: ignore[operator]  # finite: an int exponent
        raise ValidationError(
            f"FteChange.fte: {show(value)} is not allowed; give at most 6 decimal places",
            field="fte",
            value=value,
        )


@attrs.frozen(kw_only=True)
class FteChange:
    """The full-time equivalent from ``start`` on (1 before the first change).

    Attributes:
        fte: Share of full time, in (0, 1]; a float is read as the decimal it prints as.
        start: First day at this FTE.
    """

    fte: Decimal = attrs.field(converter=_to_fte, validator=_fte)
    start: dt.date = attrs.field(validator=_day)


@attrs.frozen(kw_only=True)
class Leave:
    """A period of leave, both ends included; its days are not worked.

    Attributes:
        start: First day away.
        end: Last day away (inclusive).
        kind: Why.
    """

    start: dt.date = attrs.field(validator=_day)
    end: dt.date = attrs.field(validator=_day)
    kind: LeaveKind = attrs.field(default=LeaveKind.OTHER, validator=instance_of(LeaveKind))

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"Leave.end: {self.end.isoformat()} is not allowed; the last day away must be "
                f"on or after the start ({self.start.isoformat()})",
                field="end",
                value=self.end,
            )

    @property
    def period(self) -> Period:
        """The days away as a :class:`Period`."""
        return Period(start=self.start, end=self.end)


def _weight(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    finite_or_none(instance, attribute, value)
    if value is not None and value < 0:  # type: ignore[operator]  # a finite float here
        raise ValidationError(
            f"GoalChange.weight: {show(value)} is not allowed; expected a weight >= 0 in the "
            "KPI's category (as KPI.weight)",
            field="weight",
            value=value,
        )


@attrs.frozen(kw_only=True)
class GoalChange:
    """A change to one KPI's goal from ``start`` on.

    Attributes:
        kpi: Key of the KPI.
        start: First day the change is in force.
        weight: The KPI's new weight in its category (as ``KPI.weight``), or None to keep it.
            The category's weights in force are rescaled to the category's weight in the
            scheme, so the scheme's total weight never changes.
        target: The new target, or None to keep it.
    """

    kpi: str = attrs.field(validator=key)
    start: dt.date = attrs.field(validator=_day)
    weight: float | None = attrs.field(default=None, converter=to_number_or_none, validator=_weight)
    target: float | None = attrs.field(
        default=None, converter=to_number_or_none, validator=finite_or_none
    )

    def __attrs_post_init__(self) -> None:
        if self.weight is None and self.target is None:
            raise ValidationError(
                f"GoalChange of {self.kpi!r}: weight and target are both None; give a new "
                "weight, a new target or both",
                field="weight",
                value=None,
            )


def exact(value: float) -> Fraction:
    """Return a float weight or target as the decimal fraction it prints as (0.3 is 3/10)."""
    return Fraction(repr(float(value)))


def _overlap(leaves: Sequence[Leave]) -> tuple[Leave, Leave] | None:
    ordered = sorted(leaves, key=lambda x: (x.start, x.end))
    for a, b in itertools.pairwise(ordered):
        if b.start <= a.end:
            return a, b
    return None


def check_timeline(
    assignments: Sequence[Assignment],
    fte_changes: Sequence[FteChange],
    leaves: Sequence[Leave],
    goal_changes: Sequence[GoalChange],
    *,
    where: str = "Review",
) -> None:
    """Refuse dated facts that contradict each other, whatever the cycle.

    Two assignments or FTE changes on one day, overlapping leaves, and two changes of one
    KPI on one day are refused.

    Raises:
        ValidationError: Naming the field, the value and what is allowed.
    """
    for name, items in (("assignments", assignments), ("fte_changes", fte_changes)):
        days = [x.start for x in items]
        twice = sorted({d for d in days if days.count(d) > 1})
        if twice:
            raise ValidationError(
                f"{where}.{name}: two entries start on {twice[0].isoformat()}; give one "
                "entry per day",
                field=name,
                value=twice[0],
            )
    pair = _overlap(leaves)
    if pair is not None:
        a, b = pair
        raise ValidationError(
            f"{where}.leaves: leave {b.start.isoformat()}..{b.end.isoformat()} overlaps leave "
            f"{a.start.isoformat()}..{a.end.isoformat()}; leaves must not overlap (merge them "
            "into one)",
            field="leaves",
            value=b,
        )
    seen: set[tuple[str, dt.date]] = set()
    for change in goal_changes:
        if (change.kpi, change.start) in seen:
            raise ValidationError(
                f"{where}.goal_changes: KPI {change.kpi!r} changes twice on "
                f"{change.start.isoformat()}; give one change per KPI and day",
                field="goal_changes",
                value=change,
            )
        seen.add((change.kpi, change.start))
