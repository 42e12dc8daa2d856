"""What an indicator's unit says about its possible values, shared by lint and check-ins.

A percentage lies in 0..100; a time or a count cannot be negative; any other unit says
nothing. Callers let an explicit range win over this guess.
"""

from __future__ import annotations

import math

__all__ = ["COUNT_UNITS", "PERCENT_UNITS", "TIME_UNITS", "unit_range"]

TIME_UNITS = frozenset(
    {"s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes"}
    | {"h", "hr", "hrs", "hour", "hours", "day", "days"}
)
"""Units of time (lower case)."""

COUNT_UNITS = frozenset({"count", "projects", "tickets", "items", "people", "number", "#"})
"""Units of counts (lower case)."""

PERCENT_UNITS = frozenset({"%", "percent", "pct"})
"""Units of percentages (lower case)."""


def unit_range(unit: str) -> tuple[float, float]:
    """Return the possible values of an indicator measured in ``unit``, ``(low, high)``.

    A percent unit gives ``(0, 100)``; time and count units ``(0, inf)``; anything else
    ``(-inf, inf)``. Case and surrounding spaces are ignored.
    """
    u = unit.strip().lower()
    if u in PERCENT_UNITS:
        return (0.0, 100.0)
    if u in TIME_UNITS or u in COUNT_UNITS:
        return (0.0, math.inf)
    return (-math.inf, math.inf)
