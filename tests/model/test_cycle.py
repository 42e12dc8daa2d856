"""Tests for cycle calendars and eligibility (perfmgmt.model.cycle)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model.cycle import (
    Cycle,
    CyclePlan,
    Frequency,
    Phase,
    eligibility,
    eligible_days,
    eligible_fraction,
    too_new_to_rate,
)

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
