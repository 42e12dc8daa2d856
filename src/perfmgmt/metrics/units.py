"""Units of indicators and metric results, and the conversions between them.

A metric result says which unit its values are in (CSAT as a share 0-1, response times in
seconds); a KPI's indicator says which unit its targets are in (``Indicator.unit``: ``"%"``,
``"minutes"``).  :func:`parse_unit` reads the indicator's display unit, and :func:`convert`
converts values from one unit to the other, refusing units that do not convert (seconds
into percent).
"""

from __future__ import annotations

import enum

import numpy as np

from perfmgmt._typing import FloatArray
from perfmgmt._validate import compile_identifier, matches
from perfmgmt.errors import DataError

__all__ = ["Unit", "convert", "parse_unit"]


class Unit(enum.Enum):
    """The unit a value is in; values of one family convert into each other."""

    SHARE = "share"
    """A fraction, 0.633 for 63.3 %."""
    PERCENT = "percent"
    """Per hundred, 63.3."""
    SECONDS = "seconds"
    """A duration in seconds."""
    MINUTES = "minutes"
    """A duration in minutes."""
    HOURS = "hours"
    """A duration in hours (also "hours per member")."""
    COUNT = "count"
    """A whole number of things."""
    CURRENCY = "currency"
    """An amount of money, in the currency of the data."""
    POINTS = "points"
    """A score or index on its own scale (NPS -100..100, a 0-100 morale index)."""


_SCALE: dict[Unit, tuple[str, float]] = {
    Unit.SHARE: ("ratio", 1.0),
    Unit.PERCENT: ("ratio", 0.01),
    Unit.SECONDS: ("time", 1.0),
    Unit.MINUTES: ("time", 60.0),
    Unit.HOURS: ("time", 3600.0),
    Unit.COUNT: ("count", 1.0),
    Unit.CURRENCY: ("money", 1.0),
    Unit.POINTS: ("points", 1.0),
}

_NAMES: dict[str, Unit] = {
    **dict.fromkeys(("share", "fraction", "ratio", "rate"), Unit.SHARE),
    **dict.fromkeys(("%", "percent", "pct", "percentage", "per cent"), Unit.PERCENT),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), Unit.SECONDS),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), Unit.MINUTES),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), Unit.HOURS),
    **dict.fromkeys(("count", "number", "#"), Unit.COUNT),
    **dict.fromkeys(("currency", "money"), Unit.CURRENCY),
    **dict.fromkeys(("points", "pts", "point", "index", "score"), Unit.POINTS),
}

_CURRENCY_CODE = compile_identifier(r"[A-Z]{3}")


def parse_unit(text: str | Unit) -> Unit | None:
    """Return the unit a display unit such as ``"%"``, ``"minutes"`` or ``"CNY"`` stands for.

    The first word decides (``"hours per member"`` is hours); an ISO 4217 code is currency.
    Returns None for a unit this module does not know (values in it are not converted).

    Raises:
        DataError: If ``text`` is not a string or a :class:`Unit`.
    """
    if isinstance(text, Unit):
        return text
    if not isinstance(text, str):
        raise DataError(
            f"unit {text!r} is not allowed; expected a unit name such as "
            f"{[u.value for u in Unit]} or an ISO 4217 currency code"
        )
    if matches(text.strip(), _CURRENCY_CODE):
        return Unit.CURRENCY
    words = text.strip().lower().split()
    if not words:
        return None
    return _NAMES.get(text.strip().lower(), _NAMES.get(words[0]))


def convert(values: FloatArray, source: Unit, target: Unit) -> FloatArray:
    """Return ``values`` (in ``source``) in ``target``, e.g. shares as percent, seconds as minutes.

    A conversion to a larger unit divides by the exact whole ratio (seconds / 60), one to a
    smaller unit multiplies by it (share * 100), so each value is rounded once.

    Raises:
        DataError: If the two units do not convert into each other, naming both.
    """
    family_s, scale_s = _SCALE[source]
    family_t, scale_t = _SCALE[target]
    if family_s != family_t:
        raise DataError(
            f"a value in {source.value} cannot be converted to {target.value}; "
            f"{target.value} converts only from {_family(family_t)}"
        )
    values = np.asarray(values, dtype=np.float64)
    if scale_s == scale_t:
        return values.copy()
    if scale_s > scale_t:
        return values * round(scale_s / scale_t)
    return values / round(scale_t / scale_s)


def _family(family: str) -> str:
    return ", ".join(u.value for u, (f, _) in _SCALE.items() if f == family)
