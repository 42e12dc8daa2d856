"""Contact-centre indicators computed per group from service data tables.

Every function takes a table, the key column to group by (``by="manager"``,
``"team"`` or ``"agent"``) and an optional ``period`` (a half-open
``(start, end)`` pair of dates or datetimes, selected on the table's time
column), and returns a :class:`~perfmgmt.metrics.result.MetricResult` with the
value and sample size per group and the definition used.  Grouping is
vectorised (``np.bincount`` over factorised keys; sorted runs for quantiles and
repeat contacts); there are no Python loops over rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from perfmgmt._parallel import check_workers
from perfmgmt._typing import BoolArray, FloatArray, IndexArray
from perfmgmt._validate import compile_identifier, matches
from perfmgmt.errors import DataError
from perfmgmt.metrics._repeats import find_repeats
from perfmgmt.metrics.calendar import BusinessCalendar
from perfmgmt.metrics.result import MetricResult
from perfmgmt.metrics.tickets import Projects, Surveys, Table, Tickets, Trainings
from perfmgmt.metrics.units import Unit

__all__ = [
    "Period",
    "abandonment_rate",
    "average_handle_time",
    "cost_per_contact",
    "cost_saving_rate",
    "csat",
    "enps",
    "first_contact_resolution",
    "first_response_time",
    "innovation_projects",
    "morale_index",
    "nps",
    "service_level",
    "training_hours_per_member",
]

TimePoint = date | datetime | np.datetime64 | str
Period = tuple[TimePoint, TimePoint]
"""A half-open ``(start, end)`` time range; dates mean midnight."""


_QUANTILE = compile_identifier(r"p[0-9]{1,2}")


# -- shared machinery -----------------------------------------------------------


def _time_point(value: TimePoint, what: str) -> np.datetime64:
    moment: datetime | None = None
    if isinstance(value, np.datetime64):
        item = value.astype("datetime64[s]").item()
        moment = item if isinstance(item, datetime) else None
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, datetime.min.time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is not None:
        raise DataError(
            f"period {what} {value!r} is not allowed; use a date, a naive datetime or an "
            "ISO 8601 string without time zone"
        )
    return np.datetime64(moment.replace(microsecond=0), "s")


def _period_bounds(period: Period) -> tuple[np.datetime64, np.datetime64]:
    if not isinstance(period, tuple) or len(period) != 2:
        raise DataError(f"period {period!r} is not allowed; expected a (start, end) pair")
    start = _time_point(period[0], "start")
    end = _time_point(period[1], "end")
    if not start < end:
        raise DataError(f"period {period!r} is not allowed; start must be before end")
    return start, end


def _selection(table: Table, by: str, period: Period | None) -> tuple[IndexArray, Any, BoolArray]:
    if not isinstance(table, Table):
        raise DataError(
            f"expected a service data table (Tickets, Surveys, Trainings or Projects); got "
            f"{type(table).__name__}"
        )
    if not isinstance(by, str):
        raise DataError(
            f"by={by!r} is not allowed; expected the name of a key column, e.g. 'manager', "
            "'team' or 'agent'"
        )
    codes, labels = table.codes(by)
    sel = codes >= 0
    if not sel.all():
        # Rows without a group are never selected; code 0 in their place lets the counts
        # weigh whole columns (``_count``, ``_sum``) instead of compacting them first.
        codes = table._derive(("grouping", by), lambda: np.maximum(codes, 0))
    if period is not None:
        start, end = _period_bounds(period)
        t = table.require(type(table).TIME_COLUMN)
        sel &= (t >= start) & (t < end)
    return codes, labels, sel


def _count(codes: IndexArray, mask: BoolArray, size: int) -> npt.NDArray[np.int64]:
    """Count the ``mask`` rows per group (a weighted count: no copy of the selected codes)."""
    return np.bincount(codes, weights=mask, minlength=size).astype(np.int64)


def _sum(codes: IndexArray, mask: BoolArray, weights: FloatArray, size: int) -> FloatArray:
    """Sum ``weights`` of the ``mask`` rows per group in row order (zeros elsewhere add nothing)."""
    total = np.bincount(codes, weights=np.where(mask, weights, 0.0), minlength=size)
    return total.astype(np.float64, copy=False)


def _ratio(num: npt.NDArray[Any], den: npt.NDArray[Any]) -> FloatArray:
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _result(
    *,
    metric: str,
    by: str,
    labels: Any,
    value: FloatArray,
    n: npt.NDArray[np.int64],
    definition: str,
    **params: Any,
) -> MetricResult:
    unit, bounds = _UNITS[metric]
    if metric == "csat" and params.get("statistic") == "mean":
        unit, bounds = Unit.POINTS, (1.0, 5.0)
    value = np.asarray(value, dtype=np.float64)
    if np.isinf(value).any():
        # Inputs are bounded (see the tables' columns), so this is a guard, not a path.
        raise DataError(f"{metric}: the values overflow; check the input data for huge numbers")
    return MetricResult(
        metric=metric,
        by=by,
        groups=np.array(labels, dtype=object),
        value=value,
        n=np.asarray(n, dtype=np.int64),
        definition=definition,
        params=params,
        unit=unit,
        bounds=bounds,
    )


_INF = math.inf
#: Each metric's unit and valid range in that unit.
_UNITS: dict[str, tuple[Unit, tuple[float, float]]] = {
    "csat": (Unit.SHARE, (0.0, 1.0)),
    "nps": (Unit.POINTS, (-100.0, 100.0)),
    "enps": (Unit.POINTS, (-100.0, 100.0)),
    "morale_index": (Unit.POINTS, (0.0, 100.0)),
    "first_response_time": (Unit.SECONDS, (0.0, _INF)),
    "average_handle_time": (Unit.SECONDS, (0.0, _INF)),
    "first_contact_resolution": (Unit.SHARE, (0.0, 1.0)),
    "service_level": (Unit.SHARE, (0.0, 1.0)),
    "abandonment_rate": (Unit.SHARE, (0.0, 1.0)),
    "cost_per_contact": (Unit.CURRENCY, (0.0, _INF)),
    "cost_saving_rate": (Unit.SHARE, (-_INF, 1.0)),
    "training_hours_per_member": (Unit.HOURS, (0.0, _INF)),
    "innovation_projects": (Unit.COUNT, (0.0, _INF)),
}


def _seconds(a: npt.NDArray[np.datetime64], b: npt.NDArray[np.datetime64]) -> FloatArray:
    out = (b - a).astype(np.int64).astype(np.float64)
    out[np.isnat(a) | np.isnat(b)] = np.nan
    return out


def _ranks(n: npt.NDArray[np.int64], q: float) -> tuple[Any, Any, FloatArray]:
    """Return the two order statistics (0-based) and the weight between them, per group."""
    pos = q * (n - 1)
    lo = np.floor(np.maximum(pos, 0)).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    return lo, hi, pos - lo


def _select(seg: FloatArray, a: int, b: int, frac: float) -> float:
    """Interpolate between the ``a``-th and ``b``-th smallest of ``seg`` (O(n) selection)."""
    part = np.partition(seg, (a, b) if b != a else a)
    return float(part[a] + (part[b] - part[a]) * frac)


def _arranged(
    table: Table, by: str, codes: IndexArray, size: int, *, name: str, values: FloatArray
) -> tuple[IndexArray, IndexArray, IndexArray, FloatArray]:
    """Return the rows in group order, each group's bounds in it, and ``values`` in that order.

    The order is a stable counting sort of the whole table by group, done once per table and
    key column, and ``values`` (a column derived from the table, named ``name``) are arranged
    in it once: every period and every quantile asked afterwards reuses both.
    """
    small = codes.astype(np.int16) if size < 2**15 else codes
    order = table._derive(("group order", by), lambda: np.argsort(small, kind="stable"))
    counts = np.bincount(codes, minlength=size)
    ends = np.cumsum(counts)
    arranged = table._derive((name, by), lambda: values[order])
    return order, ends - counts, ends, arranged


def _quantile_arranged(
    arranged: tuple[IndexArray, IndexArray, IndexArray, FloatArray], mask: BoolArray, q: float
) -> FloatArray:
    """Return the ``q`` quantile per group of the ``mask`` rows, from an arranged column."""
    order, starts, ends, values = arranged
    chosen = mask[order]
    bounds = list(zip(starts.tolist(), ends.tolist(), strict=True))
    n = np.array([np.count_nonzero(chosen[s:e]) for s, e in bounds], dtype=np.int64)
    lo, hi, frac = _ranks(n, q)
    out = np.full(len(bounds), np.nan)
    for g in np.flatnonzero(n).tolist():
        s, e = bounds[g]
        out[g] = _select(values[s:e][chosen[s:e]], int(lo[g]), int(hi[g]), frac[g])
    return out


def _group_quantile(codes: IndexArray, values: FloatArray, size: int, q: float) -> FloatArray:
    """Return the ``q`` quantile of ``values`` per group (linear interpolation, as numpy)."""
    n = np.bincount(codes, minlength=size)
    out = np.full(size, np.nan)
    if not len(values):
        return out
    lo, hi, frac = _ranks(n, q)
    ends = np.cumsum(n)
    starts = ends - n
    if size <= max(64, len(values) // 200):
        # Few, large groups: a stable counting sort by group, then an O(n) selection per
        # group (a loop over groups, not rows) beats sorting every value.
        small = codes.astype(np.int16) if size < 2**15 else codes
        grouped = values[np.argsort(small, kind="stable")]
        for g in np.flatnonzero(n).tolist():
            seg = grouped[starts[g] : ends[g]]
            out[g] = _select(seg, int(lo[g]), int(hi[g]), frac[g])
        return out
    whole = np.all(values == np.floor(values)) and values.min() >= 0 and values.max() < 2**40
    if whole and size < 2**22:
        # One integer sort of (group, value) packed into int64 beats a two-key lexsort.
        key = (codes.astype(np.int64) << 40) | values.astype(np.int64)
        key.sort()
        ordered = (key & ((1 << 40) - 1)).astype(np.float64)
    else:
        ordered = values[np.lexsort((values, codes))]
    has = n > 0
    low = ordered[starts[has] + lo[has]]
    out[has] = low + (ordered[starts[has] + hi[has]] - low) * frac[has]
    return out


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise DataError(f"{name} {value!r} is not allowed; choose one of {list(allowed)}")


def _check_number(name: str, value: object, *, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (low <= value <= high):
        raise DataError(f"{name} {value!r} is not allowed; expected a number from {low} to {high}")
    return float(value)


# -- customer satisfaction and loyalty --------------------------------------------


def csat(
    tickets: Tickets,
    *,
    by: str = "manager",
    period: Period | None = None,
    statistic: Literal["top2box", "mean", "wilson"] = "top2box",
    top_box: int = 4,
    confidence: float = 0.95,
) -> MetricResult:
    """Compute customer satisfaction from 1-5 ticket ratings per group.

    Args:
        tickets: Tickets with a ``csat`` column; unrated tickets (empty) are excluded.
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.
        statistic: ``"top2box"`` — share of ratings ``>= top_box`` (0-1);
            ``"mean"`` — mean rating (1-5); ``"wilson"`` — Wilson score lower bound
            of the top-box share at ``confidence``.
        top_box: The lowest rating counted as satisfied (default 4, i.e. 4-5 of 5).
        confidence: Two-sided confidence level for ``"wilson"``.

    Returns:
        Value per group; ``n`` is the number of rated tickets.
    """
    _check_choice("csat statistic", statistic, ("top2box", "mean", "wilson"))
    _check_number("csat top_box", top_box, low=1, high=5)
    _check_number("csat confidence", confidence, low=0.5, high=0.999999)
    codes, labels, sel = _selection(tickets, by, period)
    score = tickets.require("csat", purpose="csat()")
    rated = sel & ~np.isnan(score)
    size = len(labels)
    n = _count(codes, rated, size)
    if statistic == "mean":
        value = _ratio(_sum(codes, rated, score, size), n)
        text = "mean CSAT rating (1-5) of rated tickets; unrated excluded"
        return _result(
            metric="csat",
            by=by,
            labels=labels,
            value=value,
            n=n,
            definition=text,
            statistic=statistic,
        )
    satisfied = _count(codes, rated & (score >= top_box), size).astype(np.float64)
    share = _ratio(satisfied, n)
    if statistic == "top2box":
        text = f"CSAT: share of rated tickets scoring {top_box}-5 of 5; unrated excluded"
        return _result(
            metric="csat",
            by=by,
            labels=labels,
            value=share,
            n=n,
            definition=text,
            statistic=statistic,
            top_box=top_box,
        )
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        nf = n.astype(np.float64)
        centre = share + z * z / (2 * nf)
        margin = z * np.sqrt(share * (1 - share) / nf + z * z / (4 * nf * nf))
        value = (centre - margin) / (1 + z * z / nf)
    value[n == 0] = np.nan
    text = (
        f"CSAT: Wilson lower bound at {confidence:.0%} of the share of rated tickets "
        f"scoring {top_box}-5 of 5; unrated excluded"
    )
    return _result(
        metric="csat",
        by=by,
        labels=labels,
        value=value,
        n=n,
        definition=text,
        statistic=statistic,
        top_box=top_box,
        confidence=confidence,
    )


def _net_promoter(
    *,
    metric: str,
    surveys: Surveys,
    by: str,
    period: Period | None,
    promoter_min: int,
    detractor_max: int,
) -> MetricResult:
    _check_number(f"{metric} promoter_min", promoter_min, low=1, high=10)
    _check_number(f"{metric} detractor_max", detractor_max, low=0, high=promoter_min - 1)
    codes, labels, sel = _selection(surveys, by, period)
    score = surveys.require("recommend", purpose=f"{metric}()")
    answered = sel & ~np.isnan(score)
    size = len(labels)
    n = _count(codes, answered, size)
    promoters = _count(codes, answered & (score >= promoter_min), size)
    detractors = _count(codes, answered & (score <= detractor_max), size)
    value = _ratio(100.0 * (promoters - detractors), n)
    text = (
        f"{metric.upper() if metric == 'nps' else 'eNPS'}: % promoters ({promoter_min}-10) minus "
        f"% detractors (0-{detractor_max}) of answers on the 0-10 scale, in points -100..100"
    )
    return _result(
        metric=metric,
        by=by,
        labels=labels,
        value=value,
        n=n,
        definition=text,
        promoter_min=promoter_min,
        detractor_max=detractor_max,
    )


def nps(
    surveys: Surveys,
    *,
    by: str = "manager",
    period: Period | None = None,
    promoter_min: int = 9,
    detractor_max: int = 6,
) -> MetricResult:
    """Compute the Net Promoter Score from customer 0-10 ``recommend`` answers per group.

    Args:
        surveys: Customer survey answers with a ``recommend`` column.
        by: The key column to group by.
        period: Select answers ``submitted`` in ``[start, end)``.
        promoter_min: Lowest answer counted as a promoter (default 9).
        detractor_max: Highest answer counted as a detractor (default 6).

    Returns:
        Points from -100 to 100 per group; ``n`` is the number of answers.
    """
    return _net_promoter(
        metric="nps",
        surveys=surveys,
        by=by,
        period=period,
        promoter_min=promoter_min,
        detractor_max=detractor_max,
    )


def enps(
    surveys: Surveys,
    *,
    by: str = "manager",
    period: Period | None = None,
    promoter_min: int = 9,
    detractor_max: int = 6,
) -> MetricResult:
    """Compute the employee Net Promoter Score from staff 0-10 ``recommend`` answers per group.

    Same arithmetic as :func:`nps`, applied to an employee survey ("how likely are
    you to recommend this team as a place to work?").

    Args:
        surveys: Employee survey answers with a ``recommend`` column.
        by: The key column to group by.
        period: Select answers ``submitted`` in ``[start, end)``.
        promoter_min: Lowest answer counted as a promoter (default 9).
        detractor_max: Highest answer counted as a detractor (default 6).

    Returns:
        Points from -100 to 100 per group; ``n`` is the number of answers.
    """
    return _net_promoter(
        metric="enps",
        surveys=surveys,
        by=by,
        period=period,
        promoter_min=promoter_min,
        detractor_max=detractor_max,
    )


def morale_index(
    surveys: Surveys,
    *,
    by: str = "manager",
    period: Period | None = None,
    source: Literal["pulse", "enps"] = "pulse",
) -> MetricResult:
    """Compute the team morale index (0-100) from a pulse survey or from eNPS.

    Args:
        surveys: Employee survey answers with a ``pulse`` (1-5) or ``recommend``
            (0-10) column.
        by: The key column to group by.
        period: Select answers ``submitted`` in ``[start, end)``.
        source: ``"pulse"`` — the mean pulse score rescaled from 1-5 to 0-100,
            ``(mean - 1) / 4 * 100``; ``"enps"`` — eNPS rescaled from -100..100 to
            0-100, ``(eNPS + 100) / 2``.

    Returns:
        Index from 0 to 100 per group; ``n`` is the number of answers used.
    """
    _check_choice("morale_index source", source, ("pulse", "enps"))
    if source == "enps":
        base = enps(surveys, by=by, period=period)
        text = "team morale index: eNPS rescaled to 0-100, (eNPS + 100) / 2"
        return _result(
            metric="morale_index",
            by=by,
            labels=base.groups,
            value=(base.value + 100.0) / 2.0,
            n=base.n,
            definition=text,
            source=source,
        )
    codes, labels, sel = _selection(surveys, by, period)
    pulse = surveys.require("pulse", purpose="morale_index(source='pulse')")
    answered = sel & ~np.isnan(pulse)
    size = len(labels)
    n = _count(codes, answered, size)
    mean = _ratio(_sum(codes, answered, pulse, size), n)
    text = "team morale index: mean pulse score rescaled from 1-5 to 0-100, (mean - 1) / 4 * 100"
    return _result(
        metric="morale_index",
        by=by,
        labels=labels,
        value=(mean - 1.0) / 4.0 * 100.0,
        n=n,
        definition=text,
        source=source,
    )


# -- service efficiency ------------------------------------------------------------


def _statistic(
    codes: IndexArray,
    mask: BoolArray,
    values: FloatArray,
    size: int,
    statistic: str,
    *,
    arrange: Callable[[], tuple[IndexArray, IndexArray, IndexArray, FloatArray]] | None = None,
) -> tuple[FloatArray, str]:
    if statistic == "mean":
        return _ratio(_sum(codes, mask, values, size), _count(codes, mask, size)), "mean"
    if not isinstance(statistic, str):
        raise DataError(
            f"statistic {statistic!r} is not allowed; use 'mean', 'median' or 'p1'..'p99'"
        )
    quantile = matches(statistic, _QUANTILE) and 1 <= int(statistic[1:]) <= 99
    if statistic != "median" and not quantile:
        raise DataError(
            f"statistic {statistic!r} is not allowed; use 'mean', 'median' or 'p1'..'p99' "
            "(e.g. 'p90')"
        )
    q = 0.5 if statistic == "median" else int(statistic[1:]) / 100
    label = "median" if statistic == "median" else f"{statistic.upper()}"
    if arrange is not None and size <= max(64, len(codes) // 200):
        # Few, large groups of a column arranged once per table: no sort per call.
        return _quantile_arranged(arrange(), mask, q), label
    return _group_quantile(codes[mask], values[mask], size, q), label


def first_response_time(
    tickets: Tickets,
    *,
    by: str = "manager",
    period: Period | None = None,
    statistic: str = "mean",
    calendar: BusinessCalendar | None = None,
) -> MetricResult:
    """Compute the time from the first inbound message to the first human reply, per group.

    Args:
        tickets: Tickets with ``created`` and ``first_reply``; tickets without a reply
            are excluded (count them with :func:`service_level`).
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.
        statistic: ``"mean"``, ``"median"`` or a percentile ``"p1"``..``"p99"``
            (``"p90"``); percentiles interpolate linearly, as ``numpy.quantile``.
        calendar: Count business seconds by this calendar; ``None`` counts calendar
            (wall-clock) seconds.

    Returns:
        Seconds per group; ``n`` is the number of replied tickets.
    """
    codes, labels, sel = _selection(tickets, by, period)
    created = tickets.require("created")
    reply = tickets.require("first_reply", purpose="first_response_time()")
    mask = sel & ~np.isnat(reply)
    size = len(labels)
    arrange = None
    if calendar is None:
        name = "first response seconds"
        seconds = tickets._derive((name,), lambda: _seconds(created, reply))
        clock = "calendar seconds"

        def arrange() -> tuple[IndexArray, IndexArray, IndexArray, FloatArray]:
            return _arranged(tickets, by, codes, size, name=name, values=seconds)

    else:
        seconds = np.zeros(len(created))
        seconds[mask] = calendar.business_seconds(created[mask], reply[mask])
        clock = "business seconds (weekly schedule and holidays)"
    value, label = _statistic(codes, mask, seconds, size, statistic, arrange=arrange)
    text = f"first response time: {label} {clock} from first inbound message to first human reply"
    return _result(
        metric="first_response_time",
        by=by,
        labels=labels,
        value=value,
        n=_count(codes, mask, size),
        definition=text,
        statistic=statistic,
        business_hours=calendar is not None,
    )


def average_handle_time(
    tickets: Tickets,
    *,
    by: str = "manager",
    period: Period | None = None,
    exclude_abandoned: bool = True,
) -> MetricResult:
    """Compute the mean handle time in seconds per group.

    Args:
        tickets: Tickets with ``handle_seconds``; empty handle times are excluded.
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.
        exclude_abandoned: Leave out abandoned contacts (when there is an
            ``abandoned`` column).

    Returns:
        Seconds per group; ``n`` is the number of handled tickets.
    """
    if not isinstance(exclude_abandoned, bool | np.bool_):
        raise DataError(
            f"average_handle_time exclude_abandoned={exclude_abandoned!r} is not allowed; "
            "expected True or False"
        )
    codes, labels, sel = _selection(tickets, by, period)
    handle = tickets.require("handle_seconds", purpose="average_handle_time()")
    mask = sel & ~np.isnan(handle)
    if exclude_abandoned and "abandoned" in tickets:
        mask &= ~tickets.require("abandoned")
    size = len(labels)
    n = _count(codes, mask, size)
    text = "average handle time: mean handle_seconds of handled tickets" + (
        ", abandoned excluded" if exclude_abandoned else ""
    )
    return _result(
        metric="average_handle_time",
        by=by,
        labels=labels,
        value=_ratio(_sum(codes, mask, handle, size), n),
        n=n,
        definition=text,
        exclude_abandoned=exclude_abandoned,
    )


def _repeat_contacts(tickets: Tickets, window: float, workers: int) -> BoolArray:
    """Flag tickets followed by another ticket of the same customer within ``window`` seconds.

    Computed once per table and window (one sort of the whole table), whatever the period.
    """
    return tickets._derive(
        ("repeat_contacts", window),
        lambda: find_repeats(
            tickets.codes("customer")[0],
            tickets.require("created").astype(np.int64),
            window,
            workers=workers,
        ),
    )


def first_contact_resolution(
    tickets: Tickets,
    *,
    by: str = "manager",
    period: Period | None = None,
    window: timedelta = timedelta(days=7),
    workers: int = 1,
) -> MetricResult:
    """Compute the first-contact resolution rate per group.

    A ticket counts as resolved at first contact when it is resolved (if there is
    a ``resolved`` column) and the same customer opens no other ticket within
    ``window`` after it was created.  Repeat contacts are looked up in the whole
    table, so include tickets up to ``window`` past the period's end.

    Args:
        tickets: Tickets with ``customer`` and ``created``; tickets without a
            customer id are excluded.
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.
        window: The repeat-contact window (default 7 days).
        workers: Threads that sort the table by customer side by side (numpy releases the
            GIL while it sorts); the result does not depend on it.  The sort is done once per
            table and window, by the first call that needs it.

    Returns:
        Rate from 0 to 1 per group; ``n`` is the number of tickets with a customer id.

    Raises:
        DataError: On a window that is not a positive timedelta, or ``workers`` that is not a
            whole number >= 1.
    """
    check_workers("first_contact_resolution", workers, DataError)
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise DataError(
            f"first_contact_resolution window {window!r} is not allowed; "
            "expected a positive datetime.timedelta"
        )
    codes, labels, sel = _selection(tickets, by, period)
    cust, _ = tickets.codes("customer")
    mask = sel & (cust >= 0)
    solved = ~_repeat_contacts(tickets, window.total_seconds(), workers)
    if "resolved" in tickets:
        solved &= tickets.require("resolved")
    size = len(labels)
    n = _count(codes, mask, size)
    hits = _count(codes, mask & solved, size).astype(np.float64)
    days = window.total_seconds() / 86_400
    text = (
        "first-contact resolution: share of tickets "
        + ("marked resolved " if "resolved" in tickets else "")
        + f"with no repeat contact by the same customer within {days:g} days"
    )
    return _result(
        metric="first_contact_resolution",
        by=by,
        labels=labels,
        value=_ratio(hits, n),
        n=n,
        definition=text,
        window_days=days,
    )


def _waits(tickets: Tickets) -> tuple[FloatArray, BoolArray, bool]:
    """Return wait seconds, the abandoned flags, and whether waits came from a column."""
    abandoned = (
        tickets.require("abandoned") if "abandoned" in tickets else np.zeros(len(tickets), bool)
    )
    if "wait_seconds" in tickets:
        return tickets.require("wait_seconds"), abandoned, True
    created = tickets.require("created")
    reply = tickets.require("first_reply", purpose="service_level() without wait_seconds")
    return _seconds(created, reply), abandoned, False


def service_level(
    tickets: Tickets,
    *,
    by: str = "manager",
    period: Period | None = None,
    threshold: float = 20.0,
    abandon: Literal["count", "exclude", "exclude_short"] = "count",
    short_abandon: float = 5.0,
) -> MetricResult:
    """Compute the service level: contacts answered within ``threshold`` seconds / offered.

    Waits come from ``wait_seconds``; without that column, from ``created`` to
    ``first_reply`` (a contact never replied to is not answered in time).

    Args:
        tickets: Tickets with ``wait_seconds`` (or ``first_reply``), and ``abandoned``.
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.
        threshold: The answer-time target T in seconds (default 20).
        abandon: ``"count"`` — abandoned contacts are offered and missed;
            ``"exclude"`` — abandoned contacts are left out of offered;
            ``"exclude_short"`` — abandons within ``short_abandon`` seconds are left
            out, later ones count as missed.
        short_abandon: Seconds for ``"exclude_short"``.

    Returns:
        Rate from 0 to 1 per group; ``n`` is the number of offered contacts.
    """
    _check_choice("service_level abandon", abandon, ("count", "exclude", "exclude_short"))
    threshold = _check_number("service_level threshold", threshold, low=0)
    short_abandon = _check_number("service_level short_abandon", short_abandon, low=0)
    codes, labels, sel = _selection(tickets, by, period)
    wait, abandoned, from_column = _waits(tickets)
    unknown = np.isnan(wait)
    offered = sel & ~(unknown & ~abandoned) if from_column else sel.copy()
    if abandon == "exclude":
        offered &= ~abandoned
    elif abandon == "exclude_short":
        with np.errstate(invalid="ignore"):
            offered &= ~(abandoned & (wait <= short_abandon))
    with np.errstate(invalid="ignore"):
        in_time = ~abandoned & (wait <= threshold)
    size = len(labels)
    n = _count(codes, offered, size)
    hits = _count(codes, offered & in_time, size).astype(np.float64)
    rule = {
        "count": "abandoned contacts count as offered and missed",
        "exclude": "abandoned contacts excluded",
        "exclude_short": f"abandons within {short_abandon:g} s excluded, later ones missed",
    }[abandon]
    text = f"service level: contacts answered within {threshold:g} s / offered; {rule}"
    return _result(
        metric="service_level",
        by=by,
        labels=labels,
        value=_ratio(hits, n),
        n=n,
        definition=text,
        threshold=threshold,
        abandon=abandon,
        short_abandon=short_abandon,
    )


def abandonment_rate(
    tickets: Tickets,
    *,
    by: str = "manager",
    period: Period | None = None,
    short_abandon: float | None = None,
) -> MetricResult:
    """Compute the abandonment rate: abandoned contacts / offered contacts, per group.

    Args:
        tickets: Tickets with ``abandoned`` (and ``wait_seconds`` for ``short_abandon``).
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.
        short_abandon: If given, abandons within this many seconds of waiting are
            left out of both counts (callers who hung up at once).

    Returns:
        Rate from 0 to 1 per group; ``n`` is the number of offered contacts.
    """
    codes, labels, sel = _selection(tickets, by, period)
    abandoned = tickets.require("abandoned", purpose="abandonment_rate()")
    offered = sel
    if short_abandon is not None:
        limit = _check_number("abandonment_rate short_abandon", short_abandon, low=0)
        wait = tickets.require("wait_seconds", purpose="abandonment_rate(short_abandon=...)")
        with np.errstate(invalid="ignore"):
            offered = sel & ~(abandoned & (wait <= limit))
    size = len(labels)
    n = _count(codes, offered, size)
    hits = _count(codes, offered & abandoned, size).astype(np.float64)
    text = "abandonment rate: abandoned / offered contacts" + (
        f"; abandons within {short_abandon:g} s excluded" if short_abandon is not None else ""
    )
    return _result(
        metric="abandonment_rate",
        by=by,
        labels=labels,
        value=_ratio(hits, n),
        n=n,
        definition=text,
        short_abandon=short_abandon,
    )


# -- cost control -------------------------------------------------------------------


def cost_per_contact(
    tickets: Tickets, *, by: str = "manager", period: Period | None = None
) -> MetricResult:
    """Compute the mean cost per contact per group.

    Args:
        tickets: Tickets with ``cost``; tickets with an empty cost are excluded.
        by: The key column to group by.
        period: Select tickets ``created`` in ``[start, end)``.

    Returns:
        Cost per contact (in the currency of ``cost``); ``n`` is the number of costed
        contacts.
    """
    codes, labels, sel = _selection(tickets, by, period)
    cost = tickets.require("cost", purpose="cost_per_contact()")
    mask = sel & ~np.isnan(cost)
    size = len(labels)
    n = _count(codes, mask, size)
    text = "cost per contact: total cost / number of costed contacts"
    return _result(
        metric="cost_per_contact",
        by=by,
        labels=labels,
        value=_ratio(_sum(codes, mask, cost, size), n),
        n=n,
        definition=text,
    )


def cost_saving_rate(
    tickets: Tickets, *, by: str = "manager", period: Period, baseline: Period
) -> MetricResult:
    """Compute the service cost saving rate of ``period`` against a ``baseline`` period.

    The rate is ``(baseline cost per contact - period cost per contact) / baseline
    cost per contact``: 0.1 means contacts became 10 % cheaper; negative means dearer.

    Args:
        tickets: Tickets with ``cost`` covering both periods.
        by: The key column to group by.
        period: The period assessed.
        baseline: The period compared against.

    Returns:
        Rate per group (NaN without baseline cost); ``n`` is the number of costed
        contacts in ``period``.
    """
    now = cost_per_contact(tickets, by=by, period=period)
    before = cost_per_contact(tickets, by=by, period=baseline)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(before.value > 0, (before.value - now.value) / before.value, np.nan)
    text = (
        "service cost saving rate: (baseline cost per contact - cost per contact) / "
        "baseline cost per contact"
    )
    return _result(
        metric="cost_saving_rate",
        by=by,
        labels=now.groups,
        value=rate,
        n=now.n,
        definition=text,
        period=tuple(str(_time_point(p, "bound")) for p in period),
        baseline=tuple(str(_time_point(p, "bound")) for p in baseline),
    )


# -- team development and innovation ---------------------------------------------------


def training_hours_per_member(
    trainings: Trainings,
    *,
    by: str = "team",
    period: Period | None = None,
    headcount: Mapping[str, int] | None = None,
) -> MetricResult:
    """Compute training hours per team member per group.

    Args:
        trainings: Training records with ``hours``.
        by: The key column to group by.
        period: Select trainings dated in ``[start, end)``.
        headcount: Team members per group label.  Groups listed here but without
            trainings get 0 hours.  When ``None``, the headcount is the number of
            distinct ``person`` values trained in the group, which leaves out people
            who had no training; pass the real headcount when you have it.

    Returns:
        Hours per member per group; ``n`` is the headcount.

    Raises:
        DataError: If a headcount is not a positive whole number, or a group with
            trainings has no headcount.
    """
    codes, labels, sel = _selection(trainings, by, period)
    hours = trainings.require("hours", purpose="training_hours_per_member()")
    mask = sel & ~np.isnan(hours)
    if headcount is None:
        person, plabels = trainings.codes("person")
        mask_p = mask & (person >= 0)
        pairs = np.unique(codes[mask_p].astype(np.int64) * (len(plabels) + 1) + person[mask_p])
        n = np.bincount(pairs // (len(plabels) + 1), minlength=len(labels)).astype(np.int64)
        total = _sum(codes, mask, hours, len(labels))
        text = "training hours per team member: hours / distinct people trained"
        return _result(
            metric="training_hours_per_member",
            by=by,
            labels=labels,
            value=_ratio(total, n),
            n=n,
            definition=text,
            headcount=None,
        )
    if not isinstance(headcount, Mapping):
        raise DataError(
            f"training_hours_per_member headcount {headcount!r} is not allowed; expected a "
            "mapping of group label to a positive whole number, or None"
        )
    for label, count in headcount.items():
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise DataError(
                f"training_hours_per_member headcount[{label!r}] = {count!r} is not allowed; "
                "expected a positive whole number",
                column=by,
            )
    groups = np.array(sorted(set(labels.tolist()) | {str(k) for k in headcount}), dtype=object)
    remap = np.searchsorted(groups, labels) if len(labels) else np.zeros(0, np.intp)
    total = np.zeros(len(groups))
    if len(labels):
        total = _sum(remap[np.maximum(codes, 0)], mask, hours, len(groups))
    counts = np.array([headcount.get(g, 0) for g in groups.tolist()], dtype=np.int64)
    trained = _count(remap[np.maximum(codes, 0)], mask, len(groups)) if len(labels) else counts
    missing = (counts == 0) & (trained > 0)
    if missing.any():
        raise DataError(
            f"training_hours_per_member: no headcount for {by} {groups[missing].tolist()}; "
            "give every group with trainings a headcount",
            column=by,
        )
    text = "training hours per team member: hours / headcount"
    return _result(
        metric="training_hours_per_member",
        by=by,
        labels=groups,
        value=_ratio(total, counts),
        n=counts,
        definition=text,
        headcount="given",
    )


def innovation_projects(
    projects: Projects, *, by: str = "manager", period: Period | None = None
) -> MetricResult:
    """Count the service innovation projects delivered per group.

    Args:
        projects: Projects with ``delivered`` (empty while not delivered).
        by: The key column to group by.
        period: Select projects ``delivered`` in ``[start, end)``.

    Returns:
        The count per group (as float); ``n`` is the same count.
    """
    codes, labels, sel = _selection(projects, by, period)
    delivered = projects.require("delivered", purpose="innovation_projects()")
    mask = sel & ~np.isnat(delivered)
    n = _count(codes, mask, len(labels))
    text = "innovation projects: number of projects delivered in the period"
    return _result(
        metric="innovation_projects",
        by=by,
        labels=labels,
        value=n.astype(np.float64),
        n=n,
        definition=text,
    )
