"""Tests for perfmgmt.metrics.calendar: business seconds by weekly schedule and holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from dateutil.rrule import SA, YEARLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import ValidationError
from perfmgmt.metrics import BusinessCalendar, business_calendar


def m8(*texts: str) -> np.ndarray:
    """Build a datetime64[s] array from ISO strings."""
    return np.array(texts, dtype="datetime64[s]")


def slow_business_seconds(cal: BusinessCalendar, a: datetime, b: datetime) -> float:
    """Reference: walk day by day and intersect with each opening interval."""
    if b < a:
        return -slow_business_seconds(cal, b, a)
    closed = cal.closed_dates(a.date(), b.date())
    total = 0.0
    day = a.date()
    while day <= b.date():
        if day not in closed:
            midnight = datetime.combine(day, time())
            for s, e in cal.hours[day.weekday()]:
                lo = max(a, midnight + timedelta(seconds=s))
                hi = min(b, midnight + timedelta(seconds=e))
                total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


class TestBusinessSeconds:
    def test_within_one_day(self) -> None:
        """Only the open part of a day counts."""
        cal = business_calendar(start="09:00", end="17:00")
        # Tue 08:00 -> Tue 10:30: open from 09:00, 1.5 h = 5400 s
        out = cal.business_seconds(m8("2024-01-02T08:00"), m8("2024-01-02T10:30"))
        assert out.tolist() == [5400.0]

    def test_weekend_and_holiday(self) -> None:
        """Weekends and holidays add nothing."""
        cal = business_calendar(holidays=[date(2024, 1, 1)])
        # Fri Dec 29 16:00 -> Tue Jan 2 10:00: 1 h Friday, Mon Jan 1 holiday, 1 h Tuesday
        out = cal.business_seconds(m8("2023-12-29T16:00"), m8("2024-01-02T10:00"))
        assert out.tolist() == [7200.0]

    def test_rrule_holidays(self) -> None:
        """Holidays given as a dateutil rrule are expanded over the data's span."""
        new_year = rrule(YEARLY, bymonth=1, bymonthday=1, dtstart=datetime(2000, 1, 1))
        cal = business_calendar(holidays=[new_year])
        assert date(2025, 1, 1) in cal.closed_dates(date(2024, 12, 1), date(2025, 2, 1))
        # Wed Jan 1 2025 closed: Dec 31 16:00 -> Jan 2 10:00 = 1 h + 1 h
        out = cal.business_seconds(m8("2024-12-31T16:00"), m8("2025-01-02T10:00"))
        assert out.tolist() == [7200.0]

    def test_split_shifts_and_saturday(self) -> None:
        """Per-weekday hours allow lunch breaks and weekend shifts."""
        cal = business_calendar(
            hours={0: [("09:00", "12:00"), ("13:00", "18:00")], SA: [(time(10), time(12))]}
        )
        assert cal.weekly_seconds == (3 + 5 + 2) * 3600
        # Mon 11:00 -> Mon 14:00: 11-12 and 13-14 = 2 h
        out = cal.business_seconds(m8("2024-01-08T11:00"), m8("2024-01-08T14:00"))
        assert out.tolist() == [7200.0]

    def test_nat_gives_nan(self) -> None:
        """A missing timestamp gives NaN, not a number."""
        cal = business_calendar()
        out = cal.business_seconds(m8("2024-01-02T09:00", "NaT"), m8("NaT", "2024-01-02T10:00"))
        assert np.isnan(out).all()

    @given(
        st.lists(
            st.tuples(
                st.datetimes(datetime(2023, 12, 1), datetime(2024, 3, 1)),
                st.integers(min_value=-10 * 86_400, max_value=40 * 86_400),
            ),
            min_size=1,
            max_size=20,
        )
    )
    @settings(max_examples=60, deadline=None)
    def test_matches_day_by_day_reference(self, pairs: list[tuple[datetime, int]]) -> None:
        """Vectorised business seconds equal a day-by-day Python walk."""
        cal = business_calendar(
            hours={0: [("08:30", "12:00"), ("13:00", "17:30")], 4: [("09:00", "24:00")]},
            holidays=[date(2024, 1, 1), date(2024, 2, 12)],
        )
        starts = [a.replace(microsecond=0) for a, _ in pairs]
        ends = [
            a + timedelta(seconds=d) for a, d in zip(starts, (d for _, d in pairs), strict=True)
        ]
        got = cal.business_seconds(np.array(starts, "M8[s]"), np.array(ends, "M8[s]"))
        want = [slow_business_seconds(cal, a, b) for a, b in zip(starts, ends, strict=True)]
        assert got.tolist() == pytest.approx(want)

    @given(st.lists(st.integers(0, 60 * 86_400), min_size=3, max_size=3))
    @settings(max_examples=60, deadline=None)
    def test_additive_and_bounded(self, offsets: list[int]) -> None:
        """Business time is additive over a split and never exceeds wall-clock time."""
        a, b, c = (
            np.datetime64("2024-01-01T00:00:00") + np.timedelta64(o, "s") for o in sorted(offsets)
        )
        cal = business_calendar()
        ab, bc, ac = (cal.business_seconds(x, y)[()] for x, y in ((a, b), (b, c), (a, c)))
        assert ab + bc == pytest.approx(ac)
        assert 0 <= ac <= (c - a) / np.timedelta64(1, "s")


class TestValidation:
    def test_bad_time_of_day(self) -> None:
        """A time that is not HH:MM within a day is refused."""
        with pytest.raises(ValidationError, match="25:00"):
            business_calendar(end="25:00")

    def test_closing_before_opening(self) -> None:
        """An interval ending before it starts is refused."""
        with pytest.raises(ValidationError, match="start before end"):
            business_calendar(start="17:00", end="09:00")

    def test_bad_weekday(self) -> None:
        """A weekday outside 0-6 is refused."""
        with pytest.raises(ValidationError, match="weekday 7"):
            business_calendar(weekdays=[7])

    def test_bad_holiday(self) -> None:
        """A holiday that is neither a date nor an rrule is refused."""
        with pytest.raises(ValidationError, match="holiday"):
            business_calendar(holidays=["2024-01-01"])  # type: ignore[list-item]

    def test_needs_seven_days(self) -> None:
        """A schedule must have exactly seven weekdays."""
        with pytest.raises(ValidationError, match="expected 7"):
            BusinessCalendar(hours=((),))
