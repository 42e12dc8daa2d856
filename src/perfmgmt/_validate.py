"""Validators shared by the domain classes.

Each returns an attrs validator whose error is a :class:`~perfmgmt.errors.ValidationError`
naming the class, the field, the bad value and what is allowed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, NoReturn, TypeGuard

import attrs

from perfmgmt.errors import ValidationError

__all__ = [
    "KEY_PATTERN",
    "check_key",
    "compile_identifier",
    "decimal_amount",
    "fail",
    "finite",
    "finite_or_none",
    "fraction",
    "in_range",
    "instance_of",
    "integer",
    "key",
    "matches",
    "non_empty",
    "non_negative",
    "optional",
    "positive",
    "slug",
    "to_tuple",
    "tuple_of",
    "unique_keys",
    "where",
]


def compile_identifier(regex: str) -> re.Pattern[str]:
    r"""Compile the pattern of an identifier, code or slug, to be checked with :func:`matches`.

    Character classes are ASCII only (``\d`` would also take Arabic-Indic digits) and the
    pattern carries no anchors: :func:`matches` holds the whole string to it.
    """
    return re.compile(regex, re.ASCII)


def matches(value: object, pattern: re.Pattern[str]) -> TypeGuard[str]:
    r"""Return whether ``value`` is a string that ``pattern`` matches from its first to last char.

    This is the one identifier check of the library. ``re.match`` with ``$`` would accept a
    trailing newline (``"csat\n"``), since ``$`` also matches just before a final ``\n``;
    ``fullmatch`` does not.
    """
    return isinstance(value, str) and pattern.fullmatch(value) is not None


KEY_PATTERN = compile_identifier(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""A key: 1-64 ASCII letters, digits or underscores, not starting with a digit."""

_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """Return ``Class.field`` for error messages."""
    return f"{type(instance).__name__}.{attribute.name}"


def fail(
    instance: object, attribute: attrs.Attribute[Any], value: object, allowed: str
) -> NoReturn:
    """Raise the standard validation error for a field."""
    raise ValidationError(
        f"{where(instance, attribute)}: {value!r} is not allowed; {allowed}",
        field=attribute.name,
        value=value,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_key(value: object, what: str) -> str:
    """Check that ``value`` is an identifier-like key and return it."""
    if matches(value, KEY_PATTERN):
        return value
    raise ValidationError(
        f"{what}: {value!r} is not a valid key; use 1-64 letters, digits or underscores, "
        "not starting with a digit (keys are referenced by name in rules)",
        field=what,
        value=value,
    )


def key(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate an identifier-like key (letters, digits, underscore; not starting with a digit)."""
    check_key(value, where(instance, attribute))


def non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        fail(instance, attribute, value, "expected a non-empty string")


def finite(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a finite real number (not NaN, not infinite, not bool)."""
    if not _is_number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        fail(instance, attribute, value, "expected a finite number")


def finite_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a finite real number or None."""
    if value is not None:
        finite(instance, attribute, value)


def non_negative(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a finite number >= 0."""
    finite(instance, attribute, value)
    if float(value) < 0:  # type: ignore[arg-type]
        fail(instance, attribute, value, "expected a number >= 0")


def positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a finite number > 0."""
    finite(instance, attribute, value)
    if float(value) <= 0:  # type: ignore[arg-type]
        fail(instance, attribute, value, "expected a number > 0")


def fraction(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a finite number in [0, 1]."""
    finite(instance, attribute, value)
    if not 0.0 <= float(value) <= 1.0:  # type: ignore[arg-type]
        fail(instance, attribute, value, "expected a number between 0 and 1")


def in_range(low: float, high: float) -> _Validator:
    """Return a validator for a finite number in ``[low, high]``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        finite(instance, attribute, value)
        if not low <= float(value) <= high:  # type: ignore[arg-type]
            fail(instance, attribute, value, f"expected a number between {low:g} and {high:g}")

    return check


def optional(validator: _Validator) -> _Validator:
    """Return a validator that accepts None or what ``validator`` accepts."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def unique_keys(instance: object, attribute: attrs.Attribute[Any], value: Iterable[Any]) -> None:
    """Validate that the items' ``key`` attributes are unique."""
    seen: set[str] = set()
    for item in value:
        k = item.key
        if k in seen:
            fail(instance, attribute, k, "keys must be unique; this key appears more than once")
        seen.add(k)


def decimal_amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a finite :class:`~decimal.Decimal` (floats are refused: money is exact)."""
    if not isinstance(value, Decimal):
        fail(
            instance,
            attribute,
            value,
            "money must be a decimal.Decimal (e.g. Decimal('1200.00')); floats are not exact",
        )
    elif not value.is_finite():
        fail(instance, attribute, value, "expected a finite Decimal")


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert any iterable (a list, typically) to a tuple, so domain objects stay immutable.

    Typed ``Iterable[Any]`` on purpose: mypy's attrs plugin cannot follow a generic converter,
    and the field's validator checks the item types at run time.
    """
    return tuple(value)


_SLUG = compile_identifier(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def slug(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a record key such as ``"2026Q1"`` or ``"2026-H1"`` (not used in rule text)."""
    if not matches(value, _SLUG):
        fail(
            instance,
            attribute,
            value,
            "use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        )


def instance_of(*types: type) -> _Validator:
    """Return a validator for ``isinstance(value, types)`` that raises ``ValidationError``.

    Unlike ``attrs.validators.instance_of`` (which raises ``TypeError``), the error is a
    :class:`~perfmgmt.errors.PerfmgmtError` naming the field and the expected type. ``bool`` is
    refused where only numbers are expected.
    """
    names = " or ".join(t.__name__ for t in types)
    numeric = all(t in (int, float) for t in types)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types) or (numeric and isinstance(value, bool)):
            fail(instance, attribute, value, f"expected {names}, got {type(value).__name__}")

    return check


def integer(minimum: int | None = None) -> _Validator:
    """Return a validator for an ``int`` (not bool), at least ``minimum`` when given."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            fail(instance, attribute, value, "expected a whole number")
        elif minimum is not None and value < minimum:
            fail(instance, attribute, value, f"expected a whole number >= {minimum}")

    return check


def tuple_of(*types: type) -> _Validator:
    """Return a validator for a tuple whose items are all instances of ``types``."""
    names = " or ".join(t.__name__ for t in types)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            fail(instance, attribute, value, f"expected a sequence of {names}")
        for i, item in enumerate(value):
            if not isinstance(item, types):
                raise ValidationError(
                    f"{where(instance, attribute)}[{i}]: {item!r} is not allowed; expected {names}",
                    field=attribute.name,
                    value=item,
                )

    return check
