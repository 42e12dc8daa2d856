"""Text columns parsed in whole-array passes, exactly as the per-cell parse would.

A CSV read without pyarrow hands every column over as Python strings.  Parsing them one cell
at a time (:meth:`datetime.fromisoformat`, :func:`float`) costs seconds on an export of a few
hundred thousand tickets.  The functions here parse, in numpy, only the cells whose shape makes
the result provably equal to the per-cell parse, and say which cells they handled; the caller
parses the rest one by one (that is also where a bad cell gets its message).

- Times: ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ss`` (``T`` or a space), every field checked
  against the calendar (leap years included), so an impossible date is left to the per-cell
  parse, which refuses it.
- Numbers: an optional sign, ASCII digits and at most one decimal point, 15 digits at most.
  The digits form an integer ``m < 2**53`` and the point a power ``10**k <= 10**15``, both exact
  as floats, so ``m / 10**k`` is one correctly rounded division: the nearest float to the
  decimal, which is what :func:`float` returns (Clinger's fast path).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["as_text", "parse_numbers", "parse_times"]

BoolArray = npt.NDArray[np.bool_]

_MAX_DIGITS = 15
_POW10_INT = np.array([10**i for i in range(_MAX_DIGITS + 1)], dtype=np.int64)
_POW10_FLOAT = np.array([float(10**i) for i in range(_MAX_DIGITS + 1)], dtype=np.float64)
_ZERO, _NINE, _DOT, _PLUS, _MINUS = (ord(c) for c in "09.+-")


def as_text(raw: npt.NDArray[Any]) -> npt.NDArray[np.str_] | None:
    """Return ``raw`` as a fixed-width text array when it holds only ``str``, else None.

    None also when a value holds a NUL character: numpy's fixed-width text drops trailing NULs,
    so such a value would not survive the conversion unchanged.  A text array is returned as
    it is.
    """
    if raw.dtype.kind == "U":
        return raw
    if raw.dtype.kind != "O":
        return None
    values: list[Any] = raw.tolist()
    if set(map(type, values)) - {str}:
        return None
    if "\x00" in "".join(values):
        return None
    return np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")


def _codes(text: npt.NDArray[np.str_], rows: npt.NDArray[np.intp], width: int) -> Any:
    """Code points of ``text[rows]`` as a ``(len(rows), width)`` uint32 array, zero padded."""
    return text[rows].astype(f"U{width}").view(np.uint32).reshape(len(rows), width)


def _digits(cp: Any, start: int, stop: int) -> Any:
    """The decimal number written at ``[start, stop)`` of every row (the caller checked them)."""
    out = np.zeros(len(cp), dtype=np.int64)
    for j in range(start, stop):
        out = out * 10 + (cp[:, j].astype(np.int64) - _ZERO)
    return out


def _all_digits(cp: Any, positions: range) -> Any:
    block = cp[:, positions.start : positions.stop]
    return ((block >= _ZERO) & (block <= _NINE)).all(axis=1)


def parse_times(text: npt.NDArray[np.str_]) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
    """Parse ISO dates and date-times of the plain shapes; return ``(values, handled)``.

    ``values`` is ``datetime64[s]`` (NaT where not handled, and for empty cells, which are
    handled: they are missing); ``handled`` marks the cells whose value is final.
    """
    n = len(text)
    values = np.full(n, np.datetime64("NaT", "s"))
    handled = np.zeros(n, dtype=bool)
    if n == 0:
        return values, handled
    length = np.strings.str_len(text)
    handled[length == 0] = True
    rows = np.flatnonzero((length == 10) | (length == 19))
    if len(rows) == 0:
        return values, handled
    cp = _codes(text, rows, 19)
    long = length[rows] == 19
    ok = _all_digits(cp, range(4)) & _all_digits(cp, range(5, 7))
    ok &= _all_digits(cp, range(8, 10)) & (cp[:, 4] == ord("-")) & (cp[:, 7] == ord("-"))
    clock = (
        ((cp[:, 10] == ord("T")) | (cp[:, 10] == ord(" ")))
        & _all_digits(cp, range(11, 13))
        & _all_digits(cp, range(14, 16))
        & _all_digits(cp, range(17, 19))
        & (cp[:, 13] == ord(":"))
        & (cp[:, 16] == ord(":"))
    )
    ok &= ~long | clock
    rows, cp, long = rows[ok], cp[ok], long[ok]
    year, month, day = _digits(cp, 0, 4), _digits(cp, 5, 7), _digits(cp, 8, 10)
    hour = np.where(long, _digits(cp, 11, 13), 0)
    minute = np.where(long, _digits(cp, 14, 16), 0)
    second = np.where(long, _digits(cp, 17, 19), 0)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    last = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    rows = rows[ok]
    months = ((year[ok] - 1970) * 12 + month[ok] - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype(np.int64) + day[ok] - 1
    seconds = days * 86_400 + hour[ok] * 3_600 + minute[ok] * 60 + second[ok]
    values[rows] = seconds.astype("datetime64[s]")
    handled[rows] = True
    return values, handled


def parse_numbers(text: npt.NDArray[np.str_]) -> tuple[npt.NDArray[np.float64], BoolArray]:
    """Parse plain decimals of at most 15 digits; return ``(values, handled)``.

    ``values`` is NaN where not handled and for empty cells (handled: they are missing).
    """
    n = len(text)
    values = np.full(n, np.nan)
    handled = np.zeros(n, dtype=bool)
    if n == 0:
        return values, handled
    length = np.strings.str_len(text)
    handled[length == 0] = True
    width = min(_MAX_DIGITS + 2, text.dtype.itemsize // 4)  # 15 digits, a sign and a point
    rows = np.flatnonzero((length >= 1) & (length <= width))
    if len(rows) == 0:
        return values, handled
    cp = _codes(text, rows, width)
    pos = np.arange(width)
    inside = pos[None, :] < length[rows][:, None]
    digit = (cp >= _ZERO) & (cp <= _NINE) & inside
    dot = (cp == _DOT) & inside
    sign = ((cp == _PLUS) | (cp == _MINUS)) & (pos == 0)[None, :] & inside
    count = digit.sum(axis=1)
    ok = (
        ((digit | dot | sign) == inside).all(axis=1)
        & (dot.sum(axis=1) <= 1)
        & (count >= 1)
        & (count <= _MAX_DIGITS)
    )
    rows, cp, digit, dot = rows[ok], cp[ok], digit[ok], dot[ok]
    right = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - digit  # digits after each position
    mantissa = (np.where(digit, cp.astype(np.int64) - _ZERO, 0) * _POW10_INT[right]).sum(axis=1)
    has_dot = dot.any(axis=1)
    scale = np.where(has_dot, right[np.arange(len(rows)), np.argmax(dot, axis=1)], 0)
    result = mantissa.astype(np.float64) / _POW10_FLOAT[scale]
    values[rows] = np.where(cp[:, 0] == _MINUS, -result, result)
    handled[rows] = True
    return values, handled
