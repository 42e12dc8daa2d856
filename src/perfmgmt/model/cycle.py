"""Review cycles: the period reviewed and the windows of its phases."""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
from collections.abc import Callable, Iterator
from typing import NoReturn

import attrs
from dateutil import rrule as _rr
from dateutil.relativedelta import relativedelta

from perfmgmt._validate import (
    FIRST_DATE,
    LAST_DATE,
    check_date,
    check_integer,
    fraction,
    instance_of,
    integer,
    optional,
    show,
    slug,
    to_number,
    to_tuple,
    tuple_of,
)
from perfmgmt.errors import ValidationError
from perfmgmt.model._canonical import ADDED
from perfmgmt.model.common import Label

__all__ = [
    "CUSTOM_RULE_FREQUENCIES",
    "CUSTOM_RULE_LAST_DAY",
    "MAX_CUSTOM_CYCLES",
    "MAX_WINDOW_DAYS",
    "PLAN_FIRST_DAY",
    "PLAN_LAST_DAY",
    "Cycle",
    "CyclePlan",
    "Eligibility",
    "Frequency",
    "Phase",
    "PhaseWindow",
    "eligibility",
    "eligible_days",
    "eligible_fraction",
    "too_new_to_rate",
]

_MONTHS = {"quarterly": 3, "half_yearly": 6, "annual": 12}
# A custom rule without its own DTSTART is anchored here: early enough for any HR record,
# and on the first of the fiscal month so "FREQ=MONTHLY;INTERVAL=3" means fiscal quarters.
_ANCHOR_YEAR = 1900

CUSTOM_RULE_FREQUENCIES: dict[str, int] = {
    "YEARLY": 10,
    "MONTHLY": 120,
    "WEEKLY": 520,
    "DAILY": 3650,
}
"""The ``FREQ`` values a custom rule may use, each with the largest ``INTERVAL`` (ten years).

Review cycles do not recur hourly or by the minute; ``INTERVAL`` is a whole number from 1."""

CUSTOM_RULE_LAST_DAY = dt.date(2199, 12, 31)  # = PLAN_LAST_DAY
"""The last day custom-rule cycles are worked out to; later days are refused."""

PLAN_FIRST_DAY = dt.date(1900, 1, 1)
"""The first day a cycle plan works out cycles for (``cycle_on``, ``cycles_between``)."""

PLAN_LAST_DAY = dt.date(2199, 12, 31)
"""The last day a cycle plan works out cycles for; the same as :data:`CUSTOM_RULE_LAST_DAY`."""

MAX_WINDOW_DAYS = 3660
"""The longest a phase window, grace period or interview period may be, in days (ten years)."""

MAX_CUSTOM_CYCLES = 20_000
"""The most cycle starts a custom rule may give from its start to :data:`CUSTOM_RULE_LAST_DAY`
(a weekly rule from 1900 gives about 15,700)."""

# Rule parts a cycle start needs; BY* parts only with YEARLY or MONTHLY, whose empty periods
# (e.g. BYMONTH=2;BYMONTHDAY=30 never occurs) cost little to walk through.
_RULE_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYMONTH", "BYMONTHDAY", "BYDAY"}
)
_BY_PARTS = frozenset({"BYMONTH", "BYMONTHDAY", "BYDAY"})
_MAX_RULE_LENGTH = 500
# Windows reach up to three MAX_WINDOW_DAYS past a cycle's end; they must stay before LAST_DATE.
_WINDOW_LAST_START = LAST_DATE - dt.timedelta(days=3 * 3660 + 1)


class Frequency(enum.Enum):
    """How often a scheme's cycles recur (the founding document: quarterly or half-yearly)."""

    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    ANNUAL = "annual"
    CUSTOM = "custom"


class Phase(enum.Enum):
    """The four phases of a cycle, in order."""

    GOAL_SETTING = "goal_setting"
    MID_TERM_CHECK = "mid_term_check"
    FINAL_EVALUATION = "final_evaluation"
    FEEDBACK_INTERVIEW = "feedback_interview"


@attrs.frozen(kw_only=True)
class PhaseWindow:
    """The dates (inclusive) during which a phase takes place.

    Attributes:
        phase: Which phase.
        start: First day of the window.
        end: Last day of the window (inclusive).
    """

    phase: Phase = attrs.field(validator=instance_of(Phase))
    start: dt.date = attrs.field(validator=instance_of(dt.date))
    end: dt.date = attrs.field(validator=instance_of(dt.date))

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"PhaseWindow({self.phase.value}).end: {self.end.isoformat()} is before start "
                f"{self.start.isoformat()}; the end must be on or after the start",
                field="end",
                value=self.end,
            )

    def contains(self, day: dt.date) -> bool:
        """Return whether ``day`` falls within the window."""
        return self.start <= day <= self.end


@attrs.frozen(kw_only=True)
class Cycle:
    """One review period, e.g. 2026 Q1, with its phase windows.

    Attributes:
        key: Identifier, e.g. ``"2026Q1"``.
        start: First day of the period.
        end: Last day of the period (inclusive).
        frequency: The recurrence this cycle belongs to.
        phases: Phase windows, at most one per phase, in phase order.
        label: Optional display label.
    """

    key: str = attrs.field(validator=slug)
    start: dt.date = attrs.field(validator=instance_of(dt.date))
    end: dt.date = attrs.field(validator=instance_of(dt.date))
    frequency: Frequency = attrs.field(
        default=Frequency.QUARTERLY, validator=instance_of(Frequency)
    )
    phases: tuple[PhaseWindow, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(PhaseWindow)
    )
    label: Label | None = attrs.field(default=None, validator=optional(instance_of(Label)))

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"Cycle {self.key!r}: end ({self.end.isoformat()}) is before start "
                f"({self.start.isoformat()}); the end must be on or after the start",
                field="end",
                value=self.end,
            )
        order = list(Phase)
        seen = [w.phase for w in self.phases]
        if len(set(seen)) != len(seen):
            raise ValidationError(
                f"Cycle {self.key!r}: phases {[p.value for p in seen]} repeat a phase; "
                "give at most one window per phase",
                field="phases",
                value=seen,
            )
        if seen != sorted(seen, key=order.index):
            raise ValidationError(
                f"Cycle {self.key!r}: phases {[p.value for p in seen]} are out of order; "
                f"expected the order {[p.value for p in order]}",
                field="phases",
                value=seen,
            )

    @property
    def days(self) -> int:
        """Number of calendar days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def window(self, phase: Phase) -> PhaseWindow | None:
        """Return the window of ``phase``, or None when the cycle has none."""
        for w in self.phases:
            if w.phase is phase:
                return w
        return None


@attrs.frozen(kw_only=True)
class CyclePlan:
    """How a scheme's cycles recur and where their phases fall.

    Attributes:
        frequency: Quarterly, half-yearly, annual, or custom.
        fiscal_year_start_month: Month (1-12) in which the fiscal year starts.
        rrule: For ``CUSTOM`` plans, an RFC 5545 recurrence rule (``FREQ=MONTHLY;INTERVAL=2``)
            giving the cycle start dates.
        goal_setting_days: Length of the goal-setting window from the cycle start.
        mid_term_days: Length of the mid-term check window, centred on the midpoint.
        evaluation_days: Length of the final-evaluation window, ending on the cycle end.
        evaluation_grace_days: Days after the cycle end the evaluation window extends.
        interview_days: Days after the evaluation window within which the interview happens.
        dispute_days: Days after the final review is shared within which the employee may
            dispute it (default 14).
    """

    frequency: Frequency = attrs.field(
        default=Frequency.QUARTERLY, validator=instance_of(Frequency)
    )
    fiscal_year_start_month: int = attrs.field(default=1, validator=integer(1))
    rrule: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    goal_setting_days: int = attrs.field(default=14, validator=integer(1, MAX_WINDOW_DAYS))
    mid_term_days: int = attrs.field(default=7, validator=integer(1, MAX_WINDOW_DAYS))
    evaluation_days: int = attrs.field(default=10, validator=integer(1, MAX_WINDOW_DAYS))
    evaluation_grace_days: int = attrs.field(default=10, validator=integer(0, MAX_WINDOW_DAYS))
    interview_days: int = attrs.field(default=14, validator=integer(1, MAX_WINDOW_DAYS))
    dispute_days: int = attrs.field(
        default=14, validator=integer(1, MAX_WINDOW_DAYS), metadata={ADDED: True}
    )

    def __attrs_post_init__(self) -> None:
        if self.fiscal_year_start_month > 12:
            raise ValidationError(
                f"CyclePlan.fiscal_year_start_month: {self.fiscal_year_start_month!r} is not "
                "allowed; expected a month number from 1 to 12",
                field="fiscal_year_start_month",
                value=self.fiscal_year_start_month,
            )
        if (self.frequency is Frequency.CUSTOM) != (self.rrule is not None):
            raise ValidationError(
                f"CyclePlan.rrule: {self.rrule!r} does not fit frequency "
                f"{self.frequency.value!r}; a rule is required for CUSTOM plans and only for them",
                field="rrule",
                value=self.rrule,
            )

        if self.rrule is not None and len(self.rrule) > _MAX_RULE_LENGTH:
            raise ValidationError(
                f"CyclePlan.rrule: a rule of {len(self.rrule)} characters is not allowed; a "
                f"recurrence rule is limited to {_MAX_RULE_LENGTH} characters",
                field="rrule",
                value=self.rrule[:40],
            )
        if self.rrule is not None:
            self._rule()  # parse now so a bad rule fails on construction, not on first use

    def _rule(self) -> tuple[dt.date, ...]:
        assert self.rrule is not None
        return _rule_starts(self.rrule, self.fiscal_year_start_month)

    def _custom_starts(self, day: dt.date) -> tuple[dt.date, ...]:
        if day > CUSTOM_RULE_LAST_DAY:
            raise ValidationError(
                f"CyclePlan: {day.isoformat()} is after {CUSTOM_RULE_LAST_DAY.isoformat()}, the "
                f"last day the cycles of custom rule {self.rrule!r} are worked out to",
                field="day",
                value=day,
            )
        return self._rule()

    # -- where cycles start ------------------------------------------------------------------

    def _months(self) -> int:
        return _MONTHS[self.frequency.value]

    def _regular_start(self, day: dt.date) -> dt.date:
        months = self._months()
        offset = (day.year * 12 + day.month - 1) - (self.fiscal_year_start_month - 1)
        index = offset // months * months + (self.fiscal_year_start_month - 1)
        return dt.date(index // 12, index % 12 + 1, 1)

    def _start_on_or_before(self, day: dt.date) -> dt.date | None:
        if self.frequency is not Frequency.CUSTOM:
            return self._regular_start(day)
        starts = self._custom_starts(day)
        i = bisect.bisect_right(starts, day)
        return starts[i - 1] if i else None

    def _next_start(self, start: dt.date) -> dt.date | None:
        if self.frequency is not Frequency.CUSTOM:
            return start + relativedelta(months=self._months())
        starts = self._custom_starts(start)
        i = bisect.bisect_right(starts, start)
        return starts[i] if i < len(starts) else None

    def _first_start_after(self, day: dt.date) -> dt.date | None:
        if self.frequency is not Frequency.CUSTOM:
            start = self._regular_start(day)
            return start if start > day else start + relativedelta(months=self._months())
        return self._next_start(day)

    # -- building cycles ---------------------------------------------------------------------

    def fiscal_year(self, day: dt.date) -> int:
        """Return the fiscal year ``day`` falls in, named by the calendar year it starts in.

        With ``fiscal_year_start_month=4``, 2027-03-31 is in fiscal year 2026.
        """
        return day.year if day.month >= self.fiscal_year_start_month else day.year - 1

    def _key_and_label(self, start: dt.date) -> tuple[str, Label]:
        if self.frequency is Frequency.CUSTOM:
            return f"C{start:%Y%m%d}", Label(en=f"Cycle from {start}", zh=f"{start} 起的周期")
        fy = self.fiscal_year(start)
        number = ((start.month - self.fiscal_year_start_month) % 12) // self._months() + 1
        if self.frequency is Frequency.QUARTERLY:
            return f"FY{fy}Q{number}", Label(en=f"FY{fy} Q{number}", zh=f"{fy}财年第{number}季度")
        if self.frequency is Frequency.HALF_YEARLY:
            half_zh = "上半年" if number == 1 else "下半年"
            return f"FY{fy}H{number}", Label(en=f"FY{fy} H{number}", zh=f"{fy}财年{half_zh}")
        return f"FY{fy}", Label(en=f"FY{fy}", zh=f"{fy}财年")

    def _build(self, start: dt.date, next_start: dt.date | None) -> Cycle:
        if next_start is None:
            # The rule has no later occurrence: the last cycle runs as long as the one before.
            previous = self._start_on_or_before(start - dt.timedelta(days=1))
            length = (start - previous).days if previous is not None else 365
            next_start = start + dt.timedelta(days=length)
        end = next_start - dt.timedelta(days=1)
        cycle_key, label = self._key_and_label(start)
        return Cycle(
            key=cycle_key,
            start=start,
            end=end,
            frequency=self.frequency,
            phases=self.phase_windows(start, end),
            label=label,
        )

    def phase_windows(self, start: dt.date, end: dt.date) -> tuple[PhaseWindow, ...]:
        """Return the four phase windows of a cycle running from ``start`` to ``end``.

        Goal setting covers the first ``goal_setting_days``; the mid-term check
        ``mid_term_days`` centred on the midpoint; the final evaluation the last
        ``evaluation_days`` plus ``evaluation_grace_days`` after the end; the feedback
        interview runs from the start of the evaluation window until ``interview_days``
        after it closes. Windows are clipped to the cycle where they must stay inside it.

        Raises:
            ValidationError: When ``start`` or ``end`` is not a date in the model's range
                (1800-2299), or ``end`` is before ``start``.
        """
        check_date(start, "CyclePlan.phase_windows: start", FIRST_DATE, _WINDOW_LAST_START)
        check_date(end, "CyclePlan.phase_windows: end", FIRST_DATE, _WINDOW_LAST_START)
        if end < start:
            raise ValidationError(
                f"CyclePlan.phase_windows: end ({end.isoformat()}) is before start "
                f"({start.isoformat()}); give end on or after start",
                field="end",
                value=end,
            )
        day = dt.timedelta(days=1)
        goal_end = min(start + (self.goal_setting_days - 1) * day, end)
        mid = start + ((end - start).days // 2) * day
        mid_start = max(start, mid - ((self.mid_term_days - 1) // 2) * day)
        mid_end = min(end, mid_start + (self.mid_term_days - 1) * day)
        eval_start = max(start, end - (self.evaluation_days - 1) * day)
        eval_end = end + self.evaluation_grace_days * day
        return (
            PhaseWindow(phase=Phase.GOAL_SETTING, start=start, end=goal_end),
            PhaseWindow(phase=Phase.MID_TERM_CHECK, start=mid_start, end=mid_end),
            PhaseWindow(phase=Phase.FINAL_EVALUATION, start=eval_start, end=eval_end),
            PhaseWindow(
                phase=Phase.FEEDBACK_INTERVIEW,
                start=eval_start,
                end=eval_end + self.interview_days * day,
            ),
        )

    def cycle_on(self, day: dt.date) -> Cycle:
        """Return the cycle whose period contains ``day``.

        Raises:
            ValidationError: When ``day`` is not a date, or a custom rule has no cycle then.
        """
        _check_date("CyclePlan.cycle_on: day", day)
        start = self._start_on_or_before(day)
        if start is None:
            raise ValidationError(
                f"CyclePlan.cycle_on: {day.isoformat()} is before the first cycle of rule "
                f"{self.rrule!r}; give a date on or after the rule's first occurrence",
                field="day",
                value=day,
            )
        cycle = self._build(start, self._next_start(start))
        if not cycle.start <= day <= cycle.end:  # a rule that ended (COUNT/UNTIL) long before
            raise ValidationError(
                f"CyclePlan.cycle_on: {day.isoformat()} is after the last cycle of rule "
                f"{self.rrule!r}",
                field="day",
                value=day,
            )
        return cycle

    def iter_cycles(self, start: dt.date, end: dt.date) -> Iterator[Cycle]:
        """Yield, in order, every cycle whose period overlaps ``start`` to ``end`` (inclusive)."""
        _check_date("start", start)
        _check_date("end", end)
        if end < start:
            raise ValidationError(
                f"CyclePlan.cycles_between: end ({end.isoformat()}) is before start "
                f"({start.isoformat()}); give end on or after start",
                field="end",
                value=end,
            )
        if self.frequency is Frequency.CUSTOM:
            self._custom_starts(end)
        first = self._start_on_or_before(start)
        if first is None:
            first = self._first_start_after(start)
        current = first
        while current is not None and current <= end:
            nxt = self._next_start(current)
            cycle = self._build(current, nxt)
            if cycle.end >= start:
                yield cycle
            if nxt is None:
                break
            current = nxt

    def cycles_between(self, start: dt.date, end: dt.date) -> tuple[Cycle, ...]:
        """Return every cycle whose period overlaps ``start`` to ``end`` (inclusive), in order.

        Raises:
            ValidationError: When ``end`` is before ``start``.
        """
        return tuple(self.iter_cycles(start, end))

    def cycle_for(self, fiscal_year: int, number: int) -> Cycle:
        """Return cycle ``number`` (1-based) of ``fiscal_year``, e.g. ``cycle_for(2026, 2)``.

        Raises:
            ValidationError: When ``fiscal_year`` is not a year from 1900 to 2198, or the
                fiscal year has fewer cycles than ``number``.
        """
        check_integer(
            fiscal_year,
            "CyclePlan.cycle_for: fiscal_year",
            PLAN_FIRST_DAY.year,
            PLAN_LAST_DAY.year - 1,
        )
        check_integer(number, "CyclePlan.cycle_for: number", 1, 366)
        fy_start = dt.date(fiscal_year, self.fiscal_year_start_month, 1)
        fy_end = fy_start + relativedelta(years=1) - dt.timedelta(days=1)
        starting = [c for c in self.iter_cycles(fy_start, fy_end) if c.start >= fy_start]
        if number > len(starting):
            raise ValidationError(
                f"CyclePlan.cycle_for: fiscal year {fiscal_year} has {len(starting)} cycle(s); "
                f"number {number} is out of range",
                field="number",
                value=number,
            )
        return starting[number - 1]


def _rule_parts(text: str, refuse: Callable[[str], NoReturn]) -> dict[str, str]:
    """Return the parts of the rule's RRULE line by name, refusing unknown or repeated ones."""
    parts: dict[str, str] = {}
    for line in text.strip().splitlines():
        name, sep, body = line.strip().partition(":")
        if sep and name.upper() == "DTSTART":
            continue
        if sep and name.upper() != "RRULE":
            refuse(f"a {name.upper()!r} line is not allowed; give one RRULE and at most a DTSTART")
        for part in (body if sep else line).strip().split(";"):
            key, _, value = part.partition("=")
            key = key.strip().upper()
            if key not in _RULE_PARTS:
                refuse(f"part {key!r} is not supported; use {', '.join(sorted(_RULE_PARTS))}")
            if key in parts:
                refuse(f"part {key!r} appears twice")
            parts[key] = value.strip().upper()
    return parts


def _check_rule_parts(text: str) -> None:
    """Refuse rule parts that make no sense for review cycles or would make the walk unbounded."""

    def refuse(why: str) -> NoReturn:
        raise ValidationError(
            f"CyclePlan.rrule: {text!r} is not allowed; {why}", field="rrule", value=text
        )

    parts = _rule_parts(text, refuse)
    freq = parts.get("FREQ")
    if freq not in CUSTOM_RULE_FREQUENCIES:
        refuse(
            f"FREQ {freq!r} is not a review-cycle frequency; use "
            f"{', '.join(CUSTOM_RULE_FREQUENCIES)}"
        )
    limit = CUSTOM_RULE_FREQUENCIES[freq]
    interval = parts.get("INTERVAL", "1")
    if not (interval.isascii() and interval.isdigit() and 1 <= int(interval) <= limit):
        refuse(f"INTERVAL {interval!r} must be a whole number from 1 to {limit} for FREQ={freq}")
    if freq not in ("YEARLY", "MONTHLY") and _BY_PARTS & set(parts):
        refuse("BYMONTH, BYMONTHDAY and BYDAY are allowed with FREQ=YEARLY or MONTHLY only")


@functools.lru_cache(maxsize=256)
def _rule_starts(text: str, fiscal_month: int) -> tuple[dt.date, ...]:
    """Return the start days a custom rule gives up to the first one after the last day."""
    _check_rule_parts(text)
    anchor = dt.datetime(_ANCHOR_YEAR, fiscal_month, 1)
    try:
        parsed = _rr.rrulestr(text.strip(), dtstart=anchor, forceset=False)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            f"CyclePlan.rrule: {text!r} is not a valid RFC 5545 recurrence rule ({exc}); "
            "expected e.g. 'FREQ=MONTHLY;INTERVAL=2'",
            field="rrule",
            value=text,
        ) from None
    if not isinstance(parsed, _rr.rrule):
        raise ValidationError(
            f"CyclePlan.rrule: {text!r} gives a rule set; give a single RRULE",
            field="rrule",
            value=text,
        )
    starts: list[dt.date] = []
    for moment in parsed:
        starts.append(moment.date())
        if starts[-1] > CUSTOM_RULE_LAST_DAY:
            break
        if len(starts) > MAX_CUSTOM_CYCLES:
            raise ValidationError(
                f"CyclePlan.rrule: {text!r} gives more than {MAX_CUSTOM_CYCLES} cycles up to "
                f"{CUSTOM_RULE_LAST_DAY.isoformat()}; review cycles must be longer",
                field="rrule",
                value=text,
            )
    if not starts or starts[0] > CUSTOM_RULE_LAST_DAY:
        raise ValidationError(
            f"CyclePlan.rrule: {text!r} has no occurrence up to "
            f"{CUSTOM_RULE_LAST_DAY.isoformat()}; give a rule that recurs",
            field="rrule",
            value=text,
        )
    return tuple(starts)


def _check_date(name: str, value: object) -> None:
    # datetime is a date subclass; a datetime here is almost always a mistake about time zones.
    # The range keeps every cycle, window and grace period well inside datetime.date's years.
    check_date(value, name, PLAN_FIRST_DAY, PLAN_LAST_DAY)


# -- eligibility ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Eligibility:
    """How much of a cycle a person was employed for.

    Attributes:
        days: Eligible calendar days in the cycle, both ends included.
        cycle_days: Calendar days in the cycle.
        fraction: ``days / cycle_days``, from 0 to 1.
        too_new: Whether ``days`` is below the minimum to be rated.
    """

    days: int = attrs.field(validator=integer(0))
    cycle_days: int = attrs.field(validator=integer(1))
    fraction: float = attrs.field(converter=to_number, validator=fraction)
    too_new: bool = attrs.field(validator=instance_of(bool))


def eligible_days(
    cycle: Cycle, hire_date: dt.date | None = None, leave_date: dt.date | None = None
) -> int:
    """Return the calendar days of ``cycle`` between hire and leave date, both included.

    ``hire_date`` is the first working day and ``leave_date`` the last; None means "before
    the cycle" and "after the cycle" respectively.

    Raises:
        ValidationError: When ``leave_date`` is before ``hire_date``.
    """
    if not isinstance(cycle, Cycle):
        raise ValidationError(
            f"cycle: {show(cycle)} is not allowed; expected a perfmgmt.model.Cycle",
            field="cycle",
            value=cycle,
        )
    for name, value in (("hire_date", hire_date), ("leave_date", leave_date)):
        if value is not None:
            check_date(value, name)
    if hire_date is not None and leave_date is not None and leave_date < hire_date:
        raise ValidationError(
            f"leave_date: {leave_date.isoformat()} is before hire_date "
            f"{hire_date.isoformat()}; the last working day must be on or after the first",
            field="leave_date",
            value=leave_date,
        )
    first = cycle.start if hire_date is None else max(cycle.start, hire_date)
    last = cycle.end if leave_date is None else min(cycle.end, leave_date)
    return max(0, (last - first).days + 1)


def eligible_fraction(
    cycle: Cycle, hire_date: dt.date | None = None, leave_date: dt.date | None = None
) -> float:
    """Return the share of ``cycle`` between hire and leave date, from 0.0 to 1.0."""
    return eligible_days(cycle, hire_date, leave_date) / cycle.days


def too_new_to_rate(
    cycle: Cycle,
    hire_date: dt.date | None = None,
    leave_date: dt.date | None = None,
    *,
    min_days: int,
) -> bool:
    """Return whether fewer than ``min_days`` of ``cycle`` were worked (too new to rate)."""
    check_integer(min_days, "min_days", 0)
    return eligible_days(cycle, hire_date, leave_date) < min_days


def eligibility(
    cycle: Cycle,
    hire_date: dt.date | None = None,
    leave_date: dt.date | None = None,
    *,
    min_days: int = 0,
) -> Eligibility:
    """Return eligible days, fraction and the too-new-to-rate flag in one record.

    Use the scheme's ``min_eligible_days`` as ``min_days``.
    """
    check_integer(min_days, "min_days", 0)
    days = eligible_days(cycle, hire_date, leave_date)
    return Eligibility(
        days=days, cycle_days=cycle.days, fraction=days / cycle.days, too_new=days < min_days
    )
