"""Strict hooks for the leaf values: numbers, text, booleans, Decimals, dates, arrays.

Every hook raises ``TypeError``/``ValueError`` with a message that says what was expected and
what was given; :mod:`._errors` adds the JSON path. The limits here are the documented ones:

- whole numbers are within ``±MAX_INT`` (2**53, the range every JSON reader keeps exactly);
- numbers read into a float are finite, and an integer beyond ``±MAX_INT`` is refused rather
  than rounded; ``-0.0`` is read and written as ``0.0``;
- text is valid Unicode: a lone surrogate (U+D800 to U+DFFF alone) is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np

from perfmgmt._typing import NAN_AS_NULL

__all__ = [
    "MAX_INT",
    "array_kind",
    "array_structure",
    "array_unstructure",
    "expect",
    "is_array",
    "is_nan_float",
    "is_scalar_union",
    "scalar_union",
    "shown",
    "type_name",
]

MAX_INT = 2**53
"""The largest magnitude of a whole number in a document (JSON readers keep it exactly)."""

# What a JSON value is called in messages; bool before int (a bool is an int).
_JSON_TYPE_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "text"),
    ((list, tuple), "a list"),
    (dict, "an object"),
)


def type_name(value: object) -> str:
    """Return what ``value`` is called in a message: ``"a list"``, ``"text"``, ``"null"``."""
    return next(
        (name for types, name in _JSON_TYPE_NAMES if isinstance(value, types)),
        type(value).__name__,
    )


def shown(value: object) -> str:
    """Return ``value`` as it would be written in JSON, shortened for a message."""
    try:
        text = json.dumps(value, ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError):
        text = type_name(value)
    return text if len(text) <= 60 else text[:57] + "..."


def expect(what: str, value: object) -> TypeError:
    """Return the error for a value of the wrong kind: ``expected <what>, got <value>``."""
    return TypeError(f"expected {what}, got {shown(value)}")


def whole(value: object, _: object = None) -> int:
    """Read a whole number within ``±MAX_INT``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise expect("a whole number", value)
    if abs(value) > MAX_INT:
        raise ValueError(f"expected a whole number between -2**53 and 2**53, got {shown(value)}")
    return value


def number(value: object, _: object = None) -> float:
    """Read a finite number as a float; ``-0.0`` becomes ``0.0``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise expect("a number", value)
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise ValueError(
            f"expected a number between -2**53 and 2**53 (beyond that a whole number cannot be "
            f"kept exactly), got {shown(value)}"
        )
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"expected a finite number, got {value!r}")
    return f + 0.0  # -0.0 + 0.0 == 0.0: one zero, one hash


def nan_number(value: object, _: object = None) -> float:
    """Read a float that may be NaN (null in JSON)."""
    return math.nan if value is None else number(value)


def write_number(value: float) -> float:
    """Write a finite float, ``-0.0`` as ``0.0``; JSON has no NaN or infinity."""
    if not math.isfinite(value):
        raise ValueError(f"a number field holds {value!r}, which JSON cannot hold")
    return value + 0.0


class AtPathError(ValueError):
    """A bad value below the one a hook was given: ``sub`` is its path relative to it."""

    def __init__(self, sub: str, message: str) -> None:
        super().__init__(message)
        self.sub = sub


def write_decimal(value: Decimal) -> str:
    """Write a Decimal as text, ``-0`` as ``0`` (equal values, one spelling)."""
    return str(value.copy_abs() if value.is_zero() else value)


def write_fraction(value: Fraction) -> str:
    """Write an exact fraction as text, ``"53/91"`` (``"1"`` for a whole number)."""
    return str(value)


_FRACTION = re.compile(r"-?[0-9]{1,40}(/[0-9]{1,40})?")


def fraction(value: object, _: object = None) -> Fraction:
    """Read an exact fraction from text such as ``"53/91"`` or ``"1"``."""
    if not isinstance(value, str):
        raise expect('an exact fraction as text (e.g. "53/91")', value)
    if not _FRACTION.fullmatch(value) or value.endswith("/0"):
        raise ValueError(f'expected an exact fraction as text (e.g. "53/91"), got {shown(value)}')
    return Fraction(value)


def write_value(value: object) -> object:
    """Write a condition constant: a float as :func:`write_number`, anything else as it is."""
    if isinstance(value, float):
        return write_number(value)
    return value


def write_nan_number(value: float) -> float | None:
    """Write a float that may be NaN: NaN as null."""
    return None if math.isnan(value) else write_number(value)


_SCALARS: dict[type, str] = {
    type(None): "null",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "text",
}


def is_scalar_union(t: Any) -> bool:
    """Whether ``t`` is a union of JSON scalars only, such as ``float | str | None``."""
    args = get_args(t)
    return get_origin(t) in (Union, UnionType) and bool(args) and all(a in _SCALARS for a in args)


def scalar_union(t: Any) -> Callable[[Any, Any], object]:
    """Return the hook for a union of JSON scalars: each value keeps the JSON type it has."""
    allowed = get_args(t)
    what = " or ".join(_SCALARS[a] for a in allowed)

    def hook(value: Any, _: Any) -> object:
        if value is None and type(None) in allowed:
            return None
        if isinstance(value, bool):
            if bool in allowed:
                return value
        elif isinstance(value, int) and int in allowed:
            return whole(value)
        elif isinstance(value, int | float) and float in allowed:
            return number(value)
        elif isinstance(value, str) and str in allowed:
            return text(value)
        raise expect(what, value)

    return hook


def text(value: object, _: object = None) -> str:
    """Read text, refusing lone surrogates (they cannot be written as UTF-8)."""
    if not isinstance(value, str):
        raise expect("text", value)
    check_text(value)
    return value


def check_text(value: str) -> None:
    """Raise ``ValueError`` when ``value`` holds a lone surrogate."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise ValueError(
            f"text holds a lone surrogate U+{ord(bad):04X} at position {exc.start}; "
            "expected valid Unicode text"
        ) from None


def boolean(value: object, _: object = None) -> bool:
    """Read true or false."""
    if not isinstance(value, bool):
        raise expect("true or false", value)
    return value


def decimal(value: object, _: object = None) -> Decimal:
    """Read a Decimal from text (never from a float, which would not be exact)."""
    if not isinstance(value, str):
        raise expect('a decimal amount as text (e.g. "1200.00")', value)
    if len(value) > 64:
        raise ValueError(f"expected a decimal amount of at most 64 characters, got {shown(value)}")
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected a decimal amount as text, got {shown(value)}") from None
    if not d.is_finite():
        raise ValueError(f"expected a finite decimal amount, got {shown(value)}")
    return d + 0 if d.is_zero() else d  # Decimal("-0") reads as Decimal("0")


def date(value: object, _: object = None) -> dt.date:
    """Read an ISO 8601 date."""
    if not isinstance(value, str):
        raise expect("an ISO 8601 date as text (YYYY-MM-DD)", value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date (YYYY-MM-DD), got {shown(value)}") from None


def datetime(value: object, _: object = None) -> dt.datetime:
    """Read an ISO 8601 date-time."""
    if not isinstance(value, str):
        raise expect("an ISO 8601 date-time as text", value)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date-time, got {shown(value)}") from None


def json_value(value: object, _: object = None) -> object:
    """Read a plain JSON value held as ``object`` (a trace input): lists become tuples."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return whole(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        return tuple(json_value(v) for v in value)
    raise expect("a number, text, true/false, null or a list of them", value)


def write_json_value(value: object) -> object:
    """Write a plain value held as ``object``: tuples as lists, numpy scalars as Python."""
    if isinstance(value, tuple | list):
        return [write_json_value(v) for v in value]
    if isinstance(value, np.generic):
        return write_json_value(value.item())
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return write_number(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"a {type(value).__name__} cannot be written as a plain JSON value")


def is_nan_float(t: Any) -> bool:
    """Whether ``t`` is :data:`~perfmgmt._typing.NanFloat` (a float that may be NaN)."""
    return get_origin(t) is Annotated and NAN_AS_NULL in getattr(t, "__metadata__", ())


def is_array(t: Any) -> bool:
    """Whether ``t`` is a typed numpy array, ``npt.NDArray[np.float64]`` and the like."""
    return get_origin(t) is np.ndarray or t is np.ndarray


def _dtype_of(t: Any) -> np.dtype[Any]:
    args = get_args(t)
    if len(args) == 2:
        (scalar,) = get_args(args[1]) or (Any,)
        if isinstance(scalar, type) and issubclass(scalar, np.generic):
            return np.dtype(scalar)
    return np.dtype(object)


def array_kind(t: Any) -> str:
    """Return the numpy dtype kind (``"f"``, ``"i"``, ``"b"``, ``"O"``...) of array type ``t``."""
    return _dtype_of(t).kind


_ELEMENT: dict[str, tuple[str, Callable[[object], object]]] = {
    "f": ("a number or null", nan_number),
    "i": ("a whole number", whole),
    "u": ("a whole number", whole),
    "b": ("true or false", boolean),
    "O": ("text or null", lambda v: None if v is None else text(v)),
    "U": ("text", text),
}


def _nested(value: object, read: Callable[[object], object], path: list[int]) -> object:
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            path.append(i)
            out.append(_nested(item, read, path))
            path.pop()
        return out
    return read(value)


def array_structure(t: Any) -> Callable[[Any, Any], np.ndarray[Any, Any]]:
    """Return the hook that reads a (nested) list into a read-only array of ``t``'s dtype."""
    dtype = _dtype_of(t)

    def hook(value: Any, _: Any) -> np.ndarray[Any, Any]:
        if isinstance(value, dict):
            return _empty(value, dtype)
        if not isinstance(value, list):
            raise expect("a list (an array, nested by dimension)", value)
        what, read = _ELEMENT.get(dtype.kind, ("a value", json_value))
        path: list[int] = []
        try:
            items = _nested(value, read, path)
        except (TypeError, ValueError) as exc:
            where = "".join(f"[{i}]" for i in path)
            raise type(exc)(f"array item {where}: {exc}") from None
        shape = _shape(items, what)
        arr = np.empty(shape, dtype=dtype)
        if arr.size:
            if dtype.kind == "O":
                flat: list[Any] = _flatten(items)
                arr.reshape(-1)[:] = flat
            else:
                arr[...] = _fill_nan(items)
        arr.flags.writeable = False
        return arr

    return hook


def _empty(value: dict[str, Any], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Read ``{"shape": [...]}``, the form of an empty array whose shape lists cannot say."""
    shape = value.get("shape")
    if set(value) != {"shape"} or not isinstance(shape, list):
        raise expect('a list, or {"shape": [...]} for an empty array', value)
    dims = tuple(whole(d) for d in shape)
    if any(d < 0 for d in dims) or 0 not in dims or len(dims) > 8:
        raise ValueError(
            f'expected {{"shape": [...]}} only for an empty array (a 0 among at most 8 '
            f"dimensions), got {shown(value)}"
        )
    arr = np.empty(dims, dtype=dtype)
    arr.flags.writeable = False
    return arr


def _shape(items: Any, what: str) -> tuple[int, ...]:
    """Return the shape of nested lists, refusing ragged ones."""
    if not isinstance(items, list):
        return ()
    inner = {_shape(v, what) for v in items}
    if len(inner) > 1:
        raise ValueError(f"expected a rectangular array of {what} (every row the same length)")
    return (len(items), *(inner.pop() if inner else ()))


def _flatten(items: Any) -> list[Any]:
    if isinstance(items, list):
        return [x for v in items for x in _flatten(v)]
    return [items]


def _fill_nan(items: Any) -> Any:
    if isinstance(items, list):
        return [_fill_nan(v) for v in items]
    return math.nan if items is None else items


def array_unstructure(value: np.ndarray[Any, Any]) -> list[Any] | dict[str, list[int]]:
    """Write an array as nested lists; NaN as null (infinity has no JSON form).

    An empty array of more than one dimension is written as ``{"shape": [...]}``: nested
    lists cannot say the length of the dimensions after an empty one.
    """
    if value.size == 0 and value.ndim > 1:
        return {"shape": list(value.shape)}
    if value.dtype.kind == "f":
        if np.isinf(value).any():
            raise ValueError("an array holds an infinite number, which JSON cannot hold")
        shown_as = (value + 0.0).astype(object)
        shown_as[np.isnan(value)] = None
        out: list[Any] = shown_as.tolist()
        return out
    if value.dtype.kind == "O":
        return [write_json_value(v) for v in value.tolist()]
    plain: list[Any] = value.tolist()
    return plain
