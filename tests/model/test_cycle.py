"""Tests for cycle calendars and eligibility (perfmgmt.model.cycle)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model import Scheme
from perfmgmt.model.cycle import (
    CUSTOM_RULE_FREQUENCIES,
    CUSTOM_RULE_LAST_DAY,
    MAX_CUSTOM_CYCLES,
    Cycle,
    CyclePlan,
    Frequency,
    Phase,
    eligibility,
    eligible_days,
    eligible_fraction,
    too_new_to_rate,
)
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.serialization import dumps, loads

REGULAR = [Frequency.QUARTERLY, Frequency.HALF_YEARLY, Frequency.ANNUAL]
days_ = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
plans = st.builds(
    CyclePlan,
    frequency=st.sampled_from(REGULAR),
    fiscal_year_start_month=st.integers(1, 12),
    goal_setting_days=st.integers(1, 40),
    mid_term_days=st.integers(1, 20),
    evaluation_days=st.integers(1, 40),
    evaluation_grace_days=st.integers(0, 30),
    interview_days=st.integers(1, 30),
)


class TestRegularCalendars:
    def test_quarters_of_a_calendar_year(self) -> None:
        """A calendar-year quarterly plan gives the four calendar quarters, keyed FY<year>Q<n>."""
        cycles = CyclePlan().cycles_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert [(c.key, c.start, c.end) for c in cycles] == [
            ("FY2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
            ("FY2026Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
            ("FY2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
            ("FY2026Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ]

    def test_fiscal_year_starting_in_april(self) -> None:
        """With an April fiscal year, January to March belongs to the previous fiscal year's Q4."""
        plan = CyclePlan(frequency=Frequency.HALF_YEARLY, fiscal_year_start_month=4)
        cycle = plan.cycle_on(dt.date(2027, 3, 31))
        assert (cycle.key, cycle.start, cycle.end) == (
            "FY2026H2",
            dt.date(2026, 10, 1),
            dt.date(2027, 3, 31),
        )
        assert cycle.label is not None
        assert cycle.label.zh == "2026财年下半年"

    def test_cycle_for_numbers_cycles_within_the_fiscal_year(self) -> None:
        """cycle_for(2026, 4) on an October fiscal year is July to September 2027."""
        plan = CyclePlan(fiscal_year_start_month=10)
        cycle = plan.cycle_for(2026, 4)
        assert (cycle.key, cycle.start, cycle.end) == (
            "FY2026Q4",
            dt.date(2027, 7, 1),
            dt.date(2027, 9, 30),
        )

    def test_cycle_for_out_of_range(self) -> None:
        """Asking for a fifth quarter names how many cycles the year has."""
        with pytest.raises(ValidationError, match="has 4 cycle"):
            CyclePlan().cycle_for(2026, 5)

    def test_leap_february_in_a_quarter(self) -> None:
        """A leap-year first quarter has 91 days, a common-year one 90."""
        plan = CyclePlan()
        assert plan.cycle_on(dt.date(2024, 2, 29)).days == 91
        assert plan.cycle_on(dt.date(2025, 2, 28)).days == 90

    @given(plan=plans, day=days_)
    def test_cycle_on_contains_the_day(self, plan: CyclePlan, day: dt.date) -> None:
        """cycle_on(day) returns a cycle that contains day and starts on a 1st."""
        cycle = plan.cycle_on(day)
        assert cycle.start <= day <= cycle.end
        assert cycle.start.day == 1
        assert (cycle.start.month - plan.fiscal_year_start_month) % {
            Frequency.QUARTERLY: 3,
            Frequency.HALF_YEARLY: 6,
            Frequency.ANNUAL: 12,
        }[plan.frequency] == 0

    @given(plan=plans, start=days_, length=st.integers(0, 900))
    def test_cycles_tile_the_range(self, plan: CyclePlan, start: dt.date, length: int) -> None:
        """Cycles between two dates are contiguous, cover the range and have unique keys."""
        end = start + dt.timedelta(days=length)
        cycles = plan.cycles_between(start, end)
        assert cycles[0].start <= start
        assert cycles[-1].end >= end
        for a, b in itertools.pairwise(cycles):
            assert b.start == a.end + dt.timedelta(days=1)
        assert len({c.key for c in cycles}) == len(cycles)

    @given(plan=plans, day=days_)
    def test_phase_windows_are_well_placed(self, plan: CyclePlan, day: dt.date) -> None:
        """Each cycle has four ordered windows; goal setting opens it, evaluation outlasts it."""
        cycle = plan.cycle_on(day)
        assert [w.phase for w in cycle.phases] == list(Phase)
        goal = cycle.window(Phase.GOAL_SETTING)
        mid = cycle.window(Phase.MID_TERM_CHECK)
        final = cycle.window(Phase.FINAL_EVALUATION)
        interview = cycle.window(Phase.FEEDBACK_INTERVIEW)
        assert goal is not None
        assert mid is not None
        assert final is not None
        assert interview is not None
        assert goal.start == cycle.start
        assert goal.end <= cycle.end
        assert cycle.start <= mid.start <= mid.end <= cycle.end
        assert final.end == cycle.end + dt.timedelta(days=plan.evaluation_grace_days)
        assert final.contains(cycle.end)
        assert interview.end > final.end

    @given(plan=plans, year=st.integers(1990, 2100))
    def test_a_fiscal_year_is_365_or_366_days(self, plan: CyclePlan, year: int) -> None:
        """The cycles of one fiscal year add up to exactly that year's days."""
        first = plan.cycle_for(year, 1)
        n = {Frequency.QUARTERLY: 4, Frequency.HALF_YEARLY: 2, Frequency.ANNUAL: 1}
        last = plan.cycle_for(year, n[plan.frequency])
        total = sum(c.days for c in plan.cycles_between(first.start, last.end))
        assert total == (last.end - first.start).days + 1
        assert total in (365, 366)


class TestCustomRule:
    def test_bimonthly_rule(self) -> None:
        """A custom FREQ=MONTHLY;INTERVAL=2 rule gives two-month cycles ending at month-end."""
        plan = CyclePlan(frequency=Frequency.CUSTOM, rrule="FREQ=MONTHLY;INTERVAL=2")
        cycles = plan.cycles_between(dt.date(2024, 1, 15), dt.date(2024, 4, 1))
        assert [(c.key, c.end) for c in cycles] == [
            ("C20240101", dt.date(2024, 2, 29)),
            ("C20240301", dt.date(2024, 4, 30)),
        ]
        assert all(c.frequency is Frequency.CUSTOM for c in cycles)

    def test_rule_with_its_own_start(self) -> None:
        """A rule carrying DTSTART is anchored there, and dates before it have no cycle."""
        plan = CyclePlan(
            frequency=Frequency.CUSTOM, rrule="DTSTART:20250115\nRRULE:FREQ=WEEKLY;INTERVAL=6"
        )
        cycle = plan.cycle_on(dt.date(2025, 3, 1))
        assert (cycle.start, cycle.end) == (dt.date(2025, 2, 26), dt.date(2025, 4, 8))
        with pytest.raises(ValidationError, match="before the first cycle"):
            plan.cycle_on(dt.date(2024, 12, 31))

    def test_bad_rule_fails_on_construction(self) -> None:
        """An unparsable rule is refused when the plan is built, naming the rule."""
        with pytest.raises(ValidationError, match="FREQ=SOMETIMES"):
            CyclePlan(frequency=Frequency.CUSTOM, rrule="FREQ=SOMETIMES")

    def test_end_before_start_is_refused(self) -> None:
        """cycles_between refuses an end before the start."""
        with pytest.raises(ValidationError, match="before start"):
            CyclePlan().cycles_between(dt.date(2026, 2, 1), dt.date(2026, 1, 1))

    def test_datetime_is_refused(self) -> None:
        """A datetime where a date is expected is a PerfmgmtError, not a silent truncation."""
        with pytest.raises(PerfmgmtError, match=r"datetime\.date"):
            CyclePlan().cycle_on(dt.datetime(2026, 1, 1, 12))  # type: ignore[arg-type]


_REFUSED_RULES = [
    "FREQ=HOURLY",
    "FREQ=MINUTELY",
    "FREQ=SECONDLY",
    "FREQ=MONTHLY;INTERVAL=0",
    "FREQ=WEEKLY;INTERVAL=-1",
    "FREQ=MONTHLY;INTERVAL=121",
    "FREQ=YEARLY;INTERVAL=1.5",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=2",
    "DTSTART:00010101\nRRULE:FREQ=WEEKLY",
    "DTSTART:22500101\nRRULE:FREQ=YEARLY",
    "FREQ=DAILY;BYSETPOS=5",
    "FREQ=MONTHLY;BYHOUR=3",
    "FREQ=YEARLY;BYWEEKNO=53",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;FREQ=YEARLY",
    "INTERVAL=2",
    "RRULE:FREQ=MONTHLY\nEXRULE:FREQ=YEARLY",
    "FREQ=MONTHLY\nRDATE:20260101",
]


@st.composite
def _rules(draw: st.DrawFn) -> tuple[str, str]:
    """Return ``(FREQ, rule text)`` for a rule mixing sane and hostile parts."""
    freq = draw(
        st.sampled_from([*CUSTOM_RULE_FREQUENCIES] * 3 + ["HOURLY", "MINUTELY", "SECONDLY"])
    )
    parts = [f"FREQ={freq}"]
    interval = draw(
        st.none()
        | st.integers(1, 12)
        | st.integers(-3, 4000)
        | st.sampled_from(["", "x", "1e3", "٣"])
    )
    parts += [] if interval is None else [f"INTERVAL={interval}"]
    by = ["BYMONTH=1,7", "BYMONTHDAY=1", "BYMONTHDAY=31", "BYDAY=MO", "BYDAY=1FR", "BYSETPOS=2"]
    if freq in {"YEARLY", "MONTHLY"} or draw(st.booleans()):
        parts += draw(st.lists(st.sampled_from(by), max_size=2, unique=True))
    count = draw(st.one_of(st.none(), st.integers(0, 10**6)))
    parts += [] if count is None else [f"COUNT={count}"]
    text = ";".join(parts)
    start = draw(
        st.none()
        | st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2300, 1, 1))
        | st.dates()
    )
    return freq, text if start is None else f"DTSTART:{start.year:04d}{start:%m%d}\nRRULE:{text}"


def _scheme_with_rule(rule: str) -> str:
    data = json.loads(dumps(customer_service_manager()))
    data["cycle_plan"] = {**data["cycle_plan"], "frequency": "custom", "rrule": rule}
    return json.dumps(data)


class TestCustomRuleBounds:
    @pytest.mark.parametrize("rule", _REFUSED_RULES)
    def test_unbounded_or_senseless_rule_refused(self, rule: str) -> None:
        """A rule that is not a review-cycle recurrence is refused on construction, named."""
        with pytest.raises(ValidationError, match=r"CyclePlan\.rrule") as info:
            CyclePlan(frequency=Frequency.CUSTOM, rrule=rule)
        assert repr(rule) in str(info.value)

    @pytest.mark.parametrize("rule", _REFUSED_RULES)
    def test_refused_rule_in_stored_scheme(self, rule: str) -> None:
        """The same rules in stored scheme JSON fail to load, naming the cycle plan's rule."""
        with pytest.raises(PerfmgmtError, match="cycle_plan"):
            loads(_scheme_with_rule(rule), Scheme)

    @pytest.mark.parametrize(
        "rule",
        [
            "FREQ=YEARLY",
            "FREQ=MONTHLY;INTERVAL=3",
            "FREQ=WEEKLY;INTERVAL=2",
            "FREQ=DAILY;INTERVAL=28",
        ],
    )
    def test_each_frequency_works(self, rule: str) -> None:
        """Each allowed frequency gives cycles, through the API and from stored JSON."""
        plan = loads(_scheme_with_rule(rule), Scheme).cycle_plan
        day = dt.date(2026, 5, 1)
        assert plan.cycle_on(day).start <= day <= plan.cycle_on(day).end

    def test_weekly_rule_over_centuries(self) -> None:
        """A weekly rule gives back-to-back cycles over 1900-2199 (within the cycle bound)."""
        plan = CyclePlan(frequency=Frequency.CUSTOM, rrule="FREQ=WEEKLY")
        cycles = plan.cycles_between(dt.date(1900, 1, 1), CUSTOM_RULE_LAST_DAY)
        assert len(cycles) <= MAX_CUSTOM_CYCLES
        assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(cycles))

    def test_day_after_last_day_refused(self) -> None:
        """A day after the last worked-out day is refused with the limit named."""
        plan = CyclePlan(frequency=Frequency.CUSTOM, rrule="FREQ=MONTHLY")
        with pytest.raises(ValidationError, match=CUSTOM_RULE_LAST_DAY.isoformat()):
            plan.cycle_on(dt.date(2300, 1, 1))
        with pytest.raises(ValidationError, match=CUSTOM_RULE_LAST_DAY.isoformat()):
            plan.cycles_between(dt.date(2100, 1, 1), dt.date(9999, 1, 1))

    @given(
        rule=_rules(), day=st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2500, 12, 31))
    )
    @settings(max_examples=300, deadline=None)
    def test_generated_rules_give_a_cycle_or_a_clean_error(
        self, rule: tuple[str, str], day: dt.date
    ) -> None:
        """Any generated rule gives either a cycle containing the day or a ValidationError."""
        freq, text = rule
        try:
            plan = CyclePlan(frequency=Frequency.CUSTOM, rrule=text)
            cycle = plan.cycle_on(day)
        except ValidationError:
            return
        assert freq in CUSTOM_RULE_FREQUENCIES
        assert cycle.start <= day <= cycle.end


def _naive_days(cycle: Cycle, hire: dt.date | None, leave: dt.date | None) -> int:
    count, day = 0, cycle.start
    while day <= cycle.end:
        if (hire is None or day >= hire) and (leave is None or day <= leave):
            count += 1
        day += dt.timedelta(days=1)
    return count


class TestEligibility:
    @given(
        plan=plans,
        day=days_,
        hire=st.none() | days_,
        span=st.none() | st.integers(0, 800),
    )
    def test_matches_day_counting(
        self, plan: CyclePlan, day: dt.date, hire: dt.date | None, span: int | None
    ) -> None:
        """Eligible days equal a day-by-day count, month-ends and leap days included."""
        cycle = plan.cycle_on(day)
        leave = None if span is None else (hire or cycle.start) + dt.timedelta(days=span)
        expected = _naive_days(cycle, hire, leave)
        assert eligible_days(cycle, hire, leave) == expected
        assert eligible_fraction(cycle, hire, leave) == expected / cycle.days
        record = eligibility(cycle, hire, leave, min_days=30)
        assert record.days == expected
        assert record.too_new == (expected < 30)
        assert too_new_to_rate(cycle, hire, leave, min_days=30) == record.too_new

    def test_hired_on_leap_day(self) -> None:
        """Someone hired on 29 February 2024 has 32 days of Q1 2024."""
        cycle = CyclePlan().cycle_on(dt.date(2024, 1, 1))
        assert eligible_days(cycle, dt.date(2024, 2, 29)) == 32

    def test_left_before_the_cycle(self) -> None:
        """Leaving before the cycle starts gives zero days and fraction 0."""
        cycle = CyclePlan().cycle_on(dt.date(2024, 4, 1))
        assert eligible_days(cycle, None, dt.date(2024, 3, 31)) == 0
        assert eligible_fraction(cycle, None, dt.date(2024, 3, 31)) == 0.0

    def test_leave_before_hire_is_refused(self) -> None:
        """A leave date before the hire date names both dates."""
        cycle = CyclePlan().cycle_on(dt.date(2024, 4, 1))
        with pytest.raises(ValidationError, match="2024-04-01 is before hire_date 2024-05-01"):
            eligible_days(cycle, dt.date(2024, 5, 1), dt.date(2024, 4, 1))
