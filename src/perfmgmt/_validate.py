"""Validators shared by the domain classes: the one check for identifiers, numbers, text and dates.

Each returns an attrs validator whose error is a :class:`~perfmgmt.errors.ValidationError`
naming the class, the field, the bad value and what is allowed.  The ``check_*`` functions do
the same checks outside attrs (for function arguments) and name ``what`` in the message.

The limits (documented in the invariants page):

- a number is an ``int`` or ``float`` (never a bool), finite, with ``|x| <= MAX_NUMBER``; every
  such int is exactly a float, so a number survives a JSON round trip unchanged;
- text is a ``str`` of at most :data:`MAX_TEXT_LENGTH` characters, without lone surrogates
  (they cannot be written as UTF-8) and without NUL;
- a date is a ``datetime.date`` that is not a ``datetime``, from :data:`FIRST_DATE` to
  :data:`LAST_DATE`; a moment is a ``datetime.datetime`` in the same range;
- money is a finite ``Decimal`` with ``|x| <= MAX_MONEY``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, NoReturn, TypeGuard

import attrs

from perfmgmt.errors import ValidationError

__all__ = [
    "FIRST_DATE",
    "KEY_PATTERN",
    "LAST_DATE",
    "MAX_MONEY",
    "MAX_NUMBER",
    "MAX_TEXT_LENGTH",
    "check_date",
    "check_datetime",
    "check_integer",
    "check_key",
    "check_number",
    "check_text",
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
    "number",
    "optional",
    "positive",
    "show",
    "slug",
    "text",
    "to_number",
    "to_number_or_none",
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

MAX_NUMBER = 10**15
"""The largest magnitude of a number in a domain object (targets, actuals, weights, counts).

Below ``2**53``, so every allowed int is exactly a float and survives a JSON round trip; far
above any score, count or measure a review holds, and small enough that sums and products of
a few of them stay finite."""

MAX_TEXT_LENGTH = 100_000
"""The most characters one text field (a name, label, comment or note) may hold."""

MAX_MONEY = Decimal(10**15)
"""The largest magnitude of an amount of money, in major units; see also
:data:`perfmgmt.model.money.MAX_MINOR_UNITS`, the limit in minor units."""

FIRST_DATE = dt.date(1800, 1, 1)
"""The first day a date in a domain object may be."""

LAST_DATE = dt.date(2299, 12, 31)
"""The last day a date in a domain object may be (cycle arithmetic stays far from year 9999)."""

_SHOW_LIMIT = 300
_SURROGATE = re.compile("[\ud800-\udfff]")


def show(value: object) -> str:
    """Return a short ``repr`` of ``value`` for an error message.

    Huge integers (whose ``repr`` Python refuses past 4,300 digits) are shown by their size,
    and long text is cut, so that an error message never raises or floods a log.  Dates and
    times are shown as the ISO text people write them in (``2025-12-01``), not as
    ``datetime.date(2025, 12, 1)``.
    """
    if isinstance(value, dt.date) and type(value) in (dt.date, dt.datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        return f"<integer of {value.bit_length()} bits>"
    if isinstance(value, str) and len(value) > _SHOW_LIMIT:
        return repr(value[:_SHOW_LIMIT]) + f"... ({len(value)} characters)"
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
    return text if len(text) <= 2 * _SHOW_LIMIT else text[: 2 * _SHOW_LIMIT] + "..."


def _error(what: str, value: object, allowed: str) -> ValidationError:
    return ValidationError(
        f"{what}: {show(value)} is not allowed; {allowed}", field=what, value=value
    )


def _text_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected text (a str), got {type(value).__name__}"
    if len(value) > MAX_TEXT_LENGTH:
        return f"text is limited to {MAX_TEXT_LENGTH} characters"
    if "\x00" in value:
        return "text may not contain NUL (U+0000)"
    lone = _SURROGATE.search(value)
    if lone is not None:
        return (
            f"text may not contain a lone surrogate (U+{ord(lone.group()):04X} at {lone.start()}); "
            "it cannot be written as UTF-8"
        )
    return None


def check_text(value: object, what: str) -> str:
    """Return ``value`` if it is allowed text (see the module docstring), else raise."""
    problem = _text_problem(value)
    if problem is not None:
        raise _error(what, value, problem)
    assert isinstance(value, str)
    return value


def _number_problem(value: object) -> str | None:
    if not _is_number(value):
        return f"expected a number, got {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return "expected a finite number"
    if abs(value) > MAX_NUMBER:  # type: ignore[arg-type]
        return "expected a number from -1e15 to 1e15"
    return None


def to_number(value: float) -> float:
    """Convert an allowed number to the float it stands for (a converter for float fields).

    An int becomes its float (every allowed int is exact), and ``-0.0`` becomes ``0.0``: equal
    numbers are then stored, written and hashed alike, and a JSON round trip changes nothing.
    Anything else is left for the field's validator to refuse by name.
    """
    if _number_problem(value) is None:
        return float(value) + 0.0
    return value


def to_number_or_none(value: float | None) -> float | None:
    """Like :func:`to_number`, keeping None."""
    return None if value is None else to_number(value)


def check_number(value: object, what: str) -> float:
    """Return ``value`` if it is an allowed number (finite, ``|x| <= MAX_NUMBER``), else raise."""
    problem = _number_problem(value)
    if problem is not None:
        raise _error(what, value, problem)
    return value  # type: ignore[return-value]


def check_integer(
    value: object, what: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` if it is a whole number (an int, not bool) within the bounds, else raise.

    Without bounds the range is ``-MAX_NUMBER`` to ``MAX_NUMBER``.
    """
    low = -MAX_NUMBER if minimum is None else minimum
    high = MAX_NUMBER if maximum is None else maximum
    if not isinstance(value, int) or isinstance(value, bool):
        raise _error(what, value, f"expected a whole number, got {type(value).__name__}")
    if not low <= value <= high:
        raise _error(what, value, _integer_range(value, low, high))
    return value


def _integer_range(value: int, low: int, high: int) -> str:
    return (
        f"expected a whole number >= {low}" if value < low else f"expected a whole number <= {high}"
    )


def check_date(
    value: object, what: str, first: dt.date = FIRST_DATE, last: dt.date = LAST_DATE
) -> dt.date:
    """Return ``value`` if it is a ``datetime.date`` (not a datetime) in ``[first, last]``."""
    # datetime is a date subclass; mixing the two fails on comparison, so refuse it here.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _error(what, value, f"expected a datetime.date, got {type(value).__name__}")
    if not first <= value <= last:
        raise _error(what, value, f"expected a date from {first.isoformat()} to {last.isoformat()}")
    return value


def check_datetime(value: object, what: str) -> dt.datetime:
    """Return ``value`` if it is a ``datetime.datetime`` from FIRST_DATE to LAST_DATE."""
    if not isinstance(value, dt.datetime):
        raise _error(what, value, f"expected a datetime.datetime, got {type(value).__name__}")
    if not FIRST_DATE <= value.date() <= LAST_DATE:
        raise _error(
            what,
            value,
            f"expected a moment from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}",
        )
    return value


def where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """Return ``Class.field`` for error messages."""
    return f"{type(instance).__name__}.{attribute.name}"


def fail(
    instance: object, attribute: attrs.Attribute[Any], value: object, allowed: str
) -> NoReturn:
    """Raise the standard validation error for a field."""
    raise ValidationError(
        f"{where(instance, attribute)}: {show(value)} is not allowed; {allowed}",
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
        f"{what}: {show(value)} is not a valid key; use 1-64 letters, digits or underscores, "
        "not starting with a digit (keys are referenced by name in rules)",
        field=what,
        value=value,
    )


def key(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate an identifier-like key (letters, digits, underscore; not starting with a digit)."""
    check_key(value, where(instance, attribute))


def text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate text: a str without lone surrogates or NUL, within :data:`MAX_TEXT_LENGTH`."""
    problem = _text_problem(value)
    if problem is not None:
        fail(instance, attribute, value, problem)


def non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate non-blank text (see :func:`text`)."""
    if not isinstance(value, str) or not value.strip():
        fail(instance, attribute, value, "expected a non-empty string")
    text(instance, attribute, value)


def finite(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a number: finite, not bool, with ``|x| <= MAX_NUMBER``."""
    problem = _number_problem(value)
    if problem is not None:
        fail(instance, attribute, value, problem)


number = finite
"""Another name of :func:`finite`, the one number check."""


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
    """Validate money: a finite Decimal with ``|x| <= MAX_MONEY`` (floats are not exact)."""
    if not isinstance(value, Decimal):
        fail(
            instance,
            attribute,
            value,
            "money must be a decimal.Decimal (e.g. Decimal('1200.00')); floats are not exact",
        )
    elif not value.is_finite():
        fail(instance, attribute, value, "expected a finite Decimal")
    elif abs(value) > MAX_MONEY:
        fail(instance, attribute, value, f"amounts of money are limited to {MAX_MONEY:,} units")


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert any iterable (a list, typically) to a tuple, so domain objects stay immutable.

    Typed ``Iterable[Any]`` on purpose: mypy's attrs plugin cannot follow a generic converter,
    and the field's validator checks the item types at run time. Text, mappings and values
    that are not iterable are left as they are, for the validator to refuse by name (a
    converter that raised would give a bare ``TypeError``).
    """
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
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
    refused where only numbers are expected. The value classes get their whole check: a str
    must be allowed text (:func:`text`), a date must not be a datetime and must lie within
    :data:`FIRST_DATE` to :data:`LAST_DATE`, a datetime likewise.
    """
    names = " or ".join(t.__name__ for t in types)
    numeric = all(t in (int, float) for t in types)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types) or (numeric and isinstance(value, bool)):
            fail(instance, attribute, value, f"expected {names}, got {type(value).__name__}")
        _check_value_class(instance, attribute, value, types)

    return check


def _check_value_class(
    instance: object, attribute: attrs.Attribute[Any], value: object, types: tuple[type, ...]
) -> None:
    if isinstance(value, str):
        text(instance, attribute, value)
    elif isinstance(value, dt.datetime):
        if dt.datetime not in types:
            fail(instance, attribute, value, "expected a datetime.date, not a datetime")
        if not FIRST_DATE <= value.date() <= LAST_DATE:
            fail(instance, attribute, value, f"expected a moment from {FIRST_DATE} to {LAST_DATE}")
    elif isinstance(value, dt.date) and not FIRST_DATE <= value <= LAST_DATE:
        fail(instance, attribute, value, f"expected a date from {FIRST_DATE} to {LAST_DATE}")


def integer(minimum: int | None = None, maximum: int | None = None) -> _Validator:
    """Return a validator for an ``int`` (not bool) from ``minimum`` to ``maximum``.

    Bounds left out are ``-MAX_NUMBER`` and ``MAX_NUMBER``: no count or sample size may be so
    large that the scoring arrays (int64) cannot hold it.
    """
    low = -MAX_NUMBER if minimum is None else minimum
    high = MAX_NUMBER if maximum is None else maximum

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            fail(instance, attribute, value, "expected a whole number")
        elif not low <= value <= high:
            fail(instance, attribute, value, _integer_range(value, low, high))

    return check


def tuple_of(*types: type) -> _Validator:
    """Return a validator for a tuple whose items are all instances of ``types``."""
    names = " or ".join(t.__name__ for t in types)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            fail(instance, attribute, value, f"expected a sequence of {names}")
        for i, item in enumerate(value):
            problem = None if isinstance(item, types) else f"expected {names}"
            if problem is None and isinstance(item, str):
                problem = _text_problem(item)
            if problem is not None:
                raise ValidationError(
                    f"{where(instance, attribute)}[{i}]: {show(item)} is not allowed; {problem}",
                    field=attribute.name,
                    value=item,
                )

    return check
