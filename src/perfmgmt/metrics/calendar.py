"""Business-hours calendars: a weekly schedule plus holidays, and business time between timestamps.

A :class:`BusinessCalendar` counts only the seconds that fall inside opening
hours on a working day.  Holidays are dates, or python-dateutil recurrence rules
(``rrule``/``rruleset``) that are expanded over the span of the data, e.g.
``rrule(YEARLY, bymonth=1, bymonthday=1)`` for New Year's Day.

Timestamps are naive local times (``datetime64``); the calendar has no time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
from dateutil.rrule import FR, MO, TH, TU, WE, rrulebase, weekday

from perfmgmt.errors import ValidationError

__all__ = ["BusinessCalendar", "business_calendar"]

_DAY = 86_400
Interval = tuple[int, int]
"""Opening interval as (start, end) seconds since midnight, end exclusive."""
TimeLike = time | str
WeekdayLike = int | weekday


@dataclass(frozen=True, kw_only=True, slots=True)
class BusinessCalendar:
    """Count business seconds by a weekly schedule and a list of holidays.

    Build one with :func:`business_calendar`.

    Attributes:
        hours: Seven entries, Monday first; each a tuple of opening intervals in
            seconds since midnight, sorted and not overlapping.
        holidays: Closed dates.
        holiday_rules: dateutil recurrence rules whose occurrences are closed dates.
    """

    hours: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    holiday_rules: tuple[rrulebase, ...] = ()

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise ValidationError(
                f"BusinessCalendar.hours: {len(self.hours)} weekdays given; expected 7 "
                "(Monday to Sunday)",
                field="hours",
                value=self.hours,
            )
        for day, intervals in enumerate(self.hours):
            last = 0
            for start, end in intervals:
                if not 0 <= start < end <= _DAY or start < last:
                    raise ValidationError(
                        f"BusinessCalendar.hours[{day}]: interval ({start}, {end}) is not allowed; "
                        "intervals are seconds since midnight within 0..86400, start before end, "
                        "sorted and not overlapping",
                        field="hours",
                        value=intervals,
                    )
                last = end

    @property
    def weekly_seconds(self) -> int:
        """Return the business seconds in a week without holidays."""
        return sum(end - start for intervals in self.hours for start, end in intervals)

    def closed_dates(self, first: date, last: date) -> set[date]:
        """Return the holidays from ``first`` to ``last`` inclusive (rules expanded)."""
        out = {d for d in self.holidays if first <= d <= last}
        lo = datetime.combine(first, time())
        hi = datetime.combine(last, time()) + timedelta(days=1)
        for rule in self.holiday_rules:
            out.update(d.date() for d in rule.between(lo, hi, inc=True) if d < hi)
        return out

    def business_seconds(self, start: npt.ArrayLike, end: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Count the business seconds from each ``start`` to the matching ``end``.

        Args:
            start: Timestamps (``datetime64`` or anything ``np.asarray`` turns into it).
            end: Timestamps of the same shape.

        Returns:
            Float seconds, negative where ``end`` precedes ``start``, NaN where either
            is NaT.
        """
        a = np.asarray(start, dtype="datetime64[s]")
        b = np.asarray(end, dtype="datetime64[s]")
        out = np.full(np.broadcast(a, b).shape, np.nan)
        ok = ~(np.isnat(a) | np.isnat(b))
        if not ok.any():
            return out
        ai = a[ok].astype(np.int64) if a.shape else np.full(int(ok.sum()), a.astype(np.int64))
        bi = b[ok].astype(np.int64) if b.shape else np.full(int(ok.sum()), b.astype(np.int64))
        lo = int(min(ai.min(), bi.min())) // _DAY
        hi = int(max(ai.max(), bi.max())) // _DAY
        table = self._cumulative(lo, hi)
        out[ok] = self._elapsed(bi, lo, table) - self._elapsed(ai, lo, table)
        return out

    def _cumulative(self, lo: int, hi: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        days = np.arange(lo, hi + 1, dtype=np.int64)
        dow = (days + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
        daily = np.array([sum(e - s for s, e in iv) for iv in self.hours], dtype=np.int64)
        open_day = np.ones(len(days), dtype=bool)
        epoch = date(1970, 1, 1)
        closed = self.closed_dates(epoch + timedelta(days=lo), epoch + timedelta(days=hi))
        if closed:
            idx = np.array([(d - epoch).days for d in closed], dtype=np.int64) - lo
            open_day[idx] = False
        per_day = np.where(open_day, daily[dow], 0)
        cum = np.concatenate(([0], np.cumsum(per_day)))
        return cum, open_day

    def _elapsed(
        self,
        t: npt.NDArray[np.int64],
        lo: int,
        table: tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]],
    ) -> npt.NDArray[np.float64]:
        cum, open_day = table
        day = t // _DAY
        sod = (t - day * _DAY).astype(np.float64)
        rel = day - lo
        dow = (day + 3) % 7
        within = np.zeros(len(t))
        for wd, intervals in enumerate(self.hours):
            if not intervals:
                continue
            xp = [0.0]
            fp = [0.0]
            acc = 0.0
            for s, e in intervals:
                xp += [float(s), float(e)]
                fp += [acc, acc + (e - s)]
                acc += e - s
            xp.append(float(_DAY))
            fp.append(acc)
            sel = dow == wd
            within[sel] = np.interp(sod[sel], xp, fp)
        return cum[rel].astype(np.float64) + np.where(open_day[rel], within, 0.0)


def _seconds(value: TimeLike, what: str) -> int:
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        parts = value.strip().split(":")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
            h, m, *rest = (int(p) for p in parts)
            sec = rest[0] if rest else 0
            total = h * 3600 + m * 60 + sec
            if m < 60 and sec < 60 and total <= _DAY:
                return total
    raise ValidationError(
        f"business_calendar: {what} {value!r} is not a time of day; use a datetime.time or "
        "'HH:MM' from '00:00' to '24:00'",
        field=what,
        value=value,
    )


def _weekday(value: WeekdayLike) -> int:
    number = value.weekday if isinstance(value, weekday) else value
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 6:
        raise ValidationError(
            f"business_calendar: weekday {value!r} is not allowed; use 0-6 (Monday = 0) or "
            "dateutil.rrule.MO ... SU",
            field="weekdays",
            value=value,
        )
    return number


def business_calendar(
    *,
    start: TimeLike = "09:00",
    end: TimeLike = "17:00",
    weekdays: Iterable[WeekdayLike] = (MO, TU, WE, TH, FR),
    hours: Mapping[WeekdayLike, Sequence[tuple[TimeLike, TimeLike]]] | None = None,
    holidays: Iterable[date | rrulebase] = (),
) -> BusinessCalendar:
    """Build a business calendar from opening hours and holidays.

    Args:
        start: Opening time on each of ``weekdays`` (ignored when ``hours`` is given).
        end: Closing time on each of ``weekdays``; ``"24:00"`` is midnight.
        weekdays: Open days, as 0-6 (Monday = 0) or ``dateutil.rrule`` weekdays.
        hours: Per-weekday opening intervals, e.g. ``{SA: [("10:00", "14:00")]}``;
            replaces ``start``/``end``/``weekdays`` entirely when given.
        holidays: Closed dates and/or dateutil ``rrule``/``rruleset`` objects.

    Returns:
        The calendar.

    Raises:
        ValidationError: On a malformed time, weekday or interval.

    Example:
        >>> from datetime import date
        >>> cal = business_calendar(start="09:00", end="17:00", holidays=[date(2024, 1, 1)])
        >>> cal.weekly_seconds
        144000
    """
    table: list[list[Interval]] = [[] for _ in range(7)]
    if hours is None:
        span = (_seconds(start, "start"), _seconds(end, "end"))
        for wd in weekdays:
            table[_weekday(wd)] = [span]
    else:
        for wd, intervals in hours.items():
            table[_weekday(wd)] = sorted(
                (_seconds(s, "start"), _seconds(e, "end")) for s, e in intervals
            )
    dates: set[date] = set()
    rules: list[rrulebase] = []
    for h in holidays:
        if isinstance(h, rrulebase):
            rules.append(h)
        elif isinstance(h, date):
            dates.add(h.date() if isinstance(h, datetime) else h)
        else:
            raise ValidationError(
                f"business_calendar: holiday {h!r} is not allowed; use a datetime.date or a "
                "dateutil rrule/rruleset",
                field="holidays",
                value=h,
            )
    return BusinessCalendar(
        hours=tuple(tuple(iv) for iv in table),
        holidays=frozenset(dates),
        holiday_rules=tuple(rules),
    )
