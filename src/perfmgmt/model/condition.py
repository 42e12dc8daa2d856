"""The closed condition AST that incentive rules are made of.

A condition is a tree of small frozen nodes: constants, field references, comparisons,
``and``/``or``/``not``, arithmetic, membership tests and a fixed set of aggregate functions.
The set of node classes is closed (:data:`CONDITION_TYPES`); there is no node that names a
Python attribute, calls a user callable or holds code, so a condition is pure data that can be
stored as JSON and checked before anything runs.

This module holds data only. :mod:`perfmgmt.rules.parse` turns text into these nodes and back,
and :mod:`perfmgmt.rules.compile` type-checks them against a field schema and evaluates them.
"""

from __future__ import annotations

import enum
import keyword
import math
from collections.abc import Iterable
from typing import Any, TypeAlias, Union

import attrs

from perfmgmt._validate import check_key, fail, instance_of, show
from perfmgmt.errors import ValidationError

__all__ = [
    "CONDITION_TYPES",
    "KEYWORDS",
    "MAX_INDEX",
    "MAX_PATH_LENGTH",
    "MAX_TEXT_LENGTH",
    "And",
    "Arith",
    "ArithOp",
    "Call",
    "Compare",
    "CompareOp",
    "Condition",
    "Const",
    "Field",
    "Func",
    "In",
    "Index",
    "ListConst",
    "Neg",
    "Not",
    "Or",
    "Slice",
    "Value",
    "check_field_segment",
    "field",
]

#: Words of the rule language that cannot start a field name.
KEYWORDS: frozenset[str] = frozenset(
    {"and", "or", "not", "in", "true", "false", "null", "True", "False", "None"}
)

#: Longest text constant, in characters.
MAX_TEXT_LENGTH = 256

#: Most segments in a dotted field name (``kpi.csat.score`` has three).
MAX_PATH_LENGTH = 8

#: Largest absolute index or slice bound.
MAX_INDEX = 9_999

#: A constant's value: numbers are stored as ``float`` (ints are normalised).
Value: TypeAlias = float | str | bool | None


class CompareOp(enum.Enum):
    """A comparison operator, valued by its text form."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class ArithOp(enum.Enum):
    """An arithmetic operator, valued by its text form."""

    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"


class Func(enum.Enum):
    """A built-in function; the only functions a condition can call."""

    ANY = "any"
    ALL = "all"
    COUNT = "count"
    SUM = "sum"
    MIN = "min"
    MAX = "max"
    MEAN = "mean"
    ABS = "abs"


def _normalise_value(value: object) -> object:
    # ints become floats so that `total >= 90` and `total >= 90.0` are the same node.
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return value  # refused by the validator with a clear message
    return value


def _as_tuple(value: object, what: str) -> tuple[Any, ...]:
    if isinstance(value, tuple | list):
        return tuple(value)
    raise ValidationError(
        f"{what}: {show(value)} is not allowed; expected a tuple or list", field=what, value=value
    )


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return _as_tuple(value, "Field.path")


def _nodes(value: Iterable[Condition]) -> tuple[Condition, ...]:
    return _as_tuple(value, "condition operands")


def _consts(value: Iterable[Const]) -> tuple[Const, ...]:
    return _as_tuple(value, "ListConst.items")


def _check_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):  # only ints too large for a float get here
        big = f"<integer of {value.bit_length()} bits>"
        fail(instance, attribute, big, "expected a number that fits a float (about 1.8e308)")
    if isinstance(value, float):
        if not math.isfinite(value):
            fail(instance, attribute, value, "expected a finite number")
        return
    if isinstance(value, str):
        _check_text(instance, attribute, value)
        return
    fail(instance, attribute, value, "expected a number, a string, a bool or None")


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if len(value) > MAX_TEXT_LENGTH:
        fail(instance, attribute, value[:40] + "...", f"text is limited to {MAX_TEXT_LENGTH} chars")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        fail(instance, attribute, value, "text may not contain control characters")
    if "\\" in value:
        fail(instance, attribute, value, "text may not contain a backslash (there are no escapes)")
    if '"' in value and "'" in value:
        fail(instance, attribute, value, "text may contain single or double quotes, not both")


def _value_key(value: object) -> tuple[str, object]:
    # True == 1.0 in Python; the type name keeps Const(True) and Const(1.0) apart.
    return (type(value).__name__, value)


def check_field_segment(segment: object, *, first: bool, what: str = "Field.path") -> str:
    """Check one segment of a dotted field name and return it.

    Args:
        segment: The candidate segment.
        first: Whether it is the first segment (which may not be a keyword).
        what: The name used in the error message.

    Returns:
        The segment, unchanged.

    Raises:
        ValidationError: If the segment is not an identifier-like key, starts with ``__``, or is
            a keyword in first position.
    """
    name = check_key(segment, what)
    if name.startswith("__"):
        raise ValidationError(
            f"{what}: {name!r} is not allowed; names starting with '__' are refused "
            "(conditions read data fields, never Python attributes)",
            field=what,
            value=name,
        )
    if first and (name in KEYWORDS or keyword.iskeyword(name)):
        raise ValidationError(
            f"{what}: {name!r} is a keyword and cannot start a field name",
            field=what,
            value=name,
        )
    return name


def _check_path(instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if not 1 <= len(value) <= MAX_PATH_LENGTH:
        fail(instance, attribute, value, f"expected 1 to {MAX_PATH_LENGTH} name segments")
    for i, segment in enumerate(value):
        check_field_segment(segment, first=i == 0, what=f"{type(instance).__name__}.path[{i}]")


def _check_node(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, CONDITION_TYPES):
        fail(instance, attribute, value, "expected a condition node")


def _check_nodes(instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    for item in value:
        if not isinstance(item, CONDITION_TYPES):
            fail(instance, attribute, item, "expected condition nodes")


def _check_operands(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    if len(value) < 2:
        fail(instance, attribute, value, "expected at least two operands")
    _check_nodes(instance, attribute, value)


def _check_index(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        fail(instance, attribute, value, "expected an integer")
    elif abs(value) > MAX_INDEX:
        fail(
            instance, attribute, value, f"expected an integer between -{MAX_INDEX} and {MAX_INDEX}"
        )


def _check_bound(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _check_index(instance, attribute, value)


def _check_consts(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    for item in value:
        if not isinstance(item, Const):
            fail(instance, attribute, item, "list items must be constants (Const)")


@attrs.frozen(kw_only=True)
class Const:
    """A constant: a number, a text, ``true``/``false`` or ``null``.

    Attributes:
        value: The value; ints are normalised to float. Numbers must be finite; texts are at most
            256 characters without control characters or backslashes.
    """

    value: Value = attrs.field(converter=_normalise_value, validator=_check_value, eq=_value_key)


@attrs.frozen(kw_only=True)
class ListConst:
    """A list of constants, the right-hand side of ``in``.

    Attributes:
        items: The constants, in order.
    """

    items: tuple[Const, ...] = attrs.field(converter=_consts, validator=_check_consts)


@attrs.frozen(kw_only=True)
class Field:
    """A reference to a field of the evaluation frame by its dotted name.

    Attributes:
        path: The name segments, e.g. ``("kpi", "csat", "score")``.
    """

    path: tuple[str, ...] = attrs.field(converter=_names, validator=_check_path)

    @property
    def name(self) -> str:
        """Return the dotted name, e.g. ``kpi.csat.score``."""
        return ".".join(self.path)


@attrs.frozen(kw_only=True)
class Index:
    """One element of a vector, e.g. ``history.rating[-1]``.

    Attributes:
        target: The vector expression.
        index: Zero-based position; negative counts from the end.
    """

    target: Condition = attrs.field(validator=_check_node)
    index: int = attrs.field(validator=_check_index)


@attrs.frozen(kw_only=True)
class Slice:
    """A slice of a vector, e.g. ``history.rating[-3:]``.

    Attributes:
        target: The vector expression.
        start: First position, or None for the beginning.
        stop: Position after the last, or None for the end.
    """

    target: Condition = attrs.field(validator=_check_node)
    start: int | None = attrs.field(default=None, validator=_check_bound)
    stop: int | None = attrs.field(default=None, validator=_check_bound)


@attrs.frozen(kw_only=True)
class Compare:
    """A comparison of two expressions.

    Attributes:
        op: The operator.
        left: The left-hand expression.
        right: The right-hand expression.
    """

    op: CompareOp = attrs.field(validator=instance_of(CompareOp))
    left: Condition = attrs.field(validator=_check_node)
    right: Condition = attrs.field(validator=_check_node)


@attrs.frozen(kw_only=True)
class And:
    """The conjunction of two or more conditions (Kleene logic).

    Attributes:
        operands: The conditions, at least two.
    """

    operands: tuple[Condition, ...] = attrs.field(converter=_nodes, validator=_check_operands)


@attrs.frozen(kw_only=True)
class Or:
    """The disjunction of two or more conditions (Kleene logic).

    Attributes:
        operands: The conditions, at least two.
    """

    operands: tuple[Condition, ...] = attrs.field(converter=_nodes, validator=_check_operands)


@attrs.frozen(kw_only=True)
class Not:
    """The negation of a condition; ``not unknown`` is unknown.

    Attributes:
        operand: The condition.
    """

    operand: Condition = attrs.field(validator=_check_node)


@attrs.frozen(kw_only=True)
class Arith:
    """An arithmetic operation on two numbers.

    Attributes:
        op: The operator.
        left: The left-hand expression.
        right: The right-hand expression.
    """

    op: ArithOp = attrs.field(validator=instance_of(ArithOp))
    left: Condition = attrs.field(validator=_check_node)
    right: Condition = attrs.field(validator=_check_node)


@attrs.frozen(kw_only=True)
class Neg:
    """The arithmetic negation of a number.

    Attributes:
        operand: The expression.
    """

    operand: Condition = attrs.field(validator=_check_node)


@attrs.frozen(kw_only=True)
class In:
    """A membership test, ``item in [...]`` or ``item not in [...]``.

    Attributes:
        item: The expression tested.
        options: The allowed constants.
        negated: True for ``not in``.
    """

    item: Condition = attrs.field(validator=_check_node)
    options: ListConst = attrs.field(validator=instance_of(ListConst))
    negated: bool = attrs.field(default=False, validator=instance_of(bool))


_ARITY: dict[Func, tuple[int, int]] = {
    Func.ANY: (1, 1),
    Func.ALL: (1, 1),
    Func.COUNT: (1, 1),
    Func.SUM: (1, 1),
    Func.MEAN: (1, 1),
    Func.ABS: (1, 1),
    Func.MIN: (1, 16),
    Func.MAX: (1, 16),
}


def _check_args(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    _check_nodes(instance, attribute, value)
    func = instance.func
    low, high = _ARITY[func]
    if not low <= len(value) <= high:
        wanted = f"exactly {low}" if low == high else f"{low} to {high}"
        fail(instance, attribute, value, f"{func.value}() takes {wanted} argument(s)")


@attrs.frozen(kw_only=True)
class Call:
    """A call of a built-in function.

    ``any``/``all``/``count`` take one bool vector; ``sum``/``mean`` one number vector;
    ``min``/``max`` one number vector or several numbers; ``abs`` one number or number vector.

    Attributes:
        func: The function.
        args: Its arguments.
    """

    func: Func = attrs.field(validator=instance_of(Func))
    args: tuple[Condition, ...] = attrs.field(converter=_nodes, validator=_check_args)


#: Every node class of the condition AST (a closed set).
Condition: TypeAlias = Union[  # noqa: UP007 -- a runtime alias over classes defined above
    Const, ListConst, Field, Index, Slice, Compare, And, Or, Not, Arith, Neg, In, Call
]

#: The node classes as a tuple, for ``isinstance`` checks and JSON tagging.
CONDITION_TYPES: tuple[type, ...] = (
    Const,
    ListConst,
    Field,
    Index,
    Slice,
    Compare,
    And,
    Or,
    Not,
    Arith,
    Neg,
    In,
    Call,
)


def field(name: str) -> Field:
    """Return a :class:`Field` for a dotted name, e.g. ``field("kpi.csat.score")``.

    Raises:
        ValidationError: If a segment is not a valid field name segment.
    """
    if not isinstance(name, str):
        raise ValidationError(f"field: {name!r} is not a dotted name", field="name", value=name)
    return Field(path=tuple(name.split(".")))
