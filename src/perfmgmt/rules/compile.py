"""Type-check condition trees against a field schema and compile them to vectorised numpy.

A condition is checked before it runs: every field it names must be in the
:class:`FieldSchema`, operand types must fit, and the tree must stay within the
:class:`~perfmgmt.rules.parse.Limits` (depth, node count, rendered length and a static cost
estimate). The compiled form is a tree of closures over numpy arrays that evaluates all
subjects at once with three-valued (Kleene) logic: a :class:`CompiledCondition` returns two
boolean arrays, ``true`` and ``known``; a subject matches where both hold.

Evaluation reads frame columns by exact dotted name; nothing looks up a Python attribute,
calls user code or evaluates text.
"""

from __future__ import annotations

import difflib
import enum
import functools
import math
import operator
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._validate import fail, tuple_of
from perfmgmt.errors import DataError, RuleError, RuleLimitError, RuleTypeError, ValidationError
from perfmgmt.model.condition import (
    And,
    Arith,
    ArithOp,
    Call,
    Compare,
    CompareOp,
    Condition,
    Const,
    Field,
    Func,
    In,
    Index,
    ListConst,
    Neg,
    Not,
    Or,
    Slice,
    check_field_segment,
)
from perfmgmt.rules.parse import (
    Limits,
    _caret,
    _children,
    _source_of,
    _tree_depth,
    render,
)
from perfmgmt.scoring.card import KpiFlag

if TYPE_CHECKING:
    from perfmgmt.model.scheme import Scheme
    from perfmgmt.scoring.card import BatchScores
    from perfmgmt.scoring.population import Population

__all__ = [
    "CompiledCondition",
    "FieldSchema",
    "FieldType",
    "History",
    "Limits",
    "TextCodes",
    "check_condition",
    "compile_condition",
    "frame_from_scores",
]

_DEFAULT_LIMITS = Limits()

#: Vector width assumed by the cost estimate when the schema does not say.
_NOMINAL_WIDTH = 32

_FLAG_MISSING = int(KpiFlag.MISSING)
_FLAG_INSUFFICIENT = int(KpiFlag.INSUFFICIENT_DATA)
_FLAG_GATED = int(KpiFlag.GATED)


class FieldType(enum.Enum):
    """The type of a frame column (per subject: one value, or a vector of values)."""

    NUMBER = "number"
    TEXT = "text"
    BOOL = "bool"
    NUMBER_VECTOR = "number_vector"
    TEXT_VECTOR = "text_vector"
    BOOL_VECTOR = "bool_vector"

    @property
    def is_vector(self) -> bool:
        """Whether each subject holds a vector of values."""
        return self in _ELEMENT

    @property
    def element(self) -> FieldType:
        """The scalar type of one value (itself for scalar types)."""
        return _ELEMENT.get(self, self)


_ELEMENT = {
    FieldType.NUMBER_VECTOR: FieldType.NUMBER,
    FieldType.TEXT_VECTOR: FieldType.TEXT,
    FieldType.BOOL_VECTOR: FieldType.BOOL,
}
_VECTOR_OF = {scalar: vector for vector, scalar in _ELEMENT.items()}


# --------------------------------------------------------------------------------------------
# The field schema


def _freeze_fields(value: Mapping[str, FieldType]) -> Mapping[str, FieldType]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"FieldSchema.fields: {value!r} is not allowed; expected a mapping of dotted names "
            "to FieldType",
            field="fields",
            value=value,
        )
    return MappingProxyType(dict(value))


def _freeze_widths(value: Mapping[str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"FieldSchema.widths: {value!r} is not allowed; expected a mapping of names to ints",
            field="widths",
            value=value,
        )
    return MappingProxyType(dict(value))


def _mapping_key(value: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(value.items(), key=operator.itemgetter(0)))


def _check_fields(
    _instance: object, _attribute: attrs.Attribute[Any], value: Mapping[str, FieldType]
) -> None:
    for name, kind in value.items():
        if not isinstance(name, str):
            raise ValidationError(
                f"FieldSchema.fields: key {name!r} is not allowed; expected a dotted name",
                field="fields",
                value=name,
            )
        for i, segment in enumerate(name.split(".")):
            check_field_segment(segment, first=i == 0, what=f"FieldSchema.fields[{name!r}]")
        if not isinstance(kind, FieldType):
            raise ValidationError(
                f"FieldSchema.fields[{name!r}]: {kind!r} is not allowed; expected a FieldType",
                field="fields",
                value=kind,
            )


def _check_widths(
    _instance: object, _attribute: attrs.Attribute[Any], value: Mapping[str, int]
) -> None:
    for name, width in value.items():
        if not isinstance(width, int) or isinstance(width, bool) or width < 0:
            raise ValidationError(
                f"FieldSchema.widths[{name!r}]: {width!r} is not allowed; expected an int >= 0",
                field="widths",
                value=width,
            )


@attrs.frozen(kw_only=True)
class FieldSchema:
    """The fields a condition may read, by dotted name, with their types.

    Attributes:
        fields: Dotted names (``total``, ``kpi.csat.score``) mapped to their :class:`FieldType`.
        widths: Typical vector length per vector family (the first name part, e.g. ``kpi`` or
            ``history``); used only by the static cost estimate.
    """

    fields: Mapping[str, FieldType] = attrs.field(
        converter=_freeze_fields, validator=_check_fields, eq=_mapping_key
    )
    widths: Mapping[str, int] = attrs.field(
        factory=dict, converter=_freeze_widths, validator=_check_widths, eq=_mapping_key
    )

    @classmethod
    def for_keys(
        cls,
        *,
        kpi_keys: Iterable[str],
        category_keys: Iterable[str],
        history_depth: int = 8,
    ) -> FieldSchema:
        """Build the standard schema for the given KPI and category keys.

        Args:
            kpi_keys: The scheme's KPI keys.
            category_keys: The scheme's category keys.
            history_depth: Typical number of previous cycles (for the cost estimate).

        Returns:
            The schema with the score, KPI, category, subject and history fields.
        """
        kpis = tuple(kpi_keys)
        fields: dict[str, FieldType] = {
            "total": FieldType.NUMBER,
            "quantitative": FieldType.NUMBER,
            "qualitative": FieldType.NUMBER,
            "rating": FieldType.TEXT,
            "rated": FieldType.BOOL,
            "gated": FieldType.BOOL,
            "tenure_days": FieldType.NUMBER,
            "base_pay": FieldType.NUMBER,
            "eligible_fraction": FieldType.NUMBER,
            "grade": FieldType.TEXT,
            "department": FieldType.TEXT,
            "kpi.actual": FieldType.NUMBER_VECTOR,
            "kpi.achievement": FieldType.NUMBER_VECTOR,
            "kpi.score": FieldType.NUMBER_VECTOR,
            "history.rating": FieldType.TEXT_VECTOR,
            "history.total": FieldType.NUMBER_VECTOR,
        }
        for category in category_keys:
            fields[f"category.{category}"] = FieldType.NUMBER
        for kpi in kpis:
            for part in ("actual", "target", "achievement", "score"):
                fields[f"kpi.{kpi}.{part}"] = FieldType.NUMBER
            for part in ("missing", "insufficient", "gated"):
                fields[f"kpi.{kpi}.{part}"] = FieldType.BOOL
        return cls(fields=fields, widths={"kpi": len(kpis), "history": history_depth})

    @classmethod
    def for_scheme(cls, scheme: Scheme, *, history_depth: int = 8) -> FieldSchema:
        """Build the standard schema for a scheme's KPIs and categories.

        Args:
            scheme: The :class:`~perfmgmt.model.scheme.Scheme`.
            history_depth: Typical number of previous cycles (for the cost estimate).

        Returns:
            The schema; see :meth:`for_keys` for the fields.
        """
        return cls.for_keys(
            kpi_keys=scheme.kpi_keys,
            category_keys=[category.key for category in scheme.categories],
            history_depth=history_depth,
        )


# --------------------------------------------------------------------------------------------
# Type checking


@attrs.frozen
class _Type:
    kind: FieldType
    # For vectors: the family (first name part) and the slices applied; None for scalars.
    axis: tuple[Any, ...] | None = None


class _Checker:
    def __init__(self, root: Condition, schema: FieldSchema, limits: Limits) -> None:
        self.root = root
        self.schema = schema
        self.limits = limits
        self.source = _source_of(root)
        self.cost = 0
        self.types: dict[int, _Type] = {}
        self.fields: dict[str, FieldType] = {}

    def error(self, node: Condition, message: str) -> RuleTypeError:
        if self.source is not None:
            text, spans = self.source
            span = spans.get(id(node))
            if span is not None:
                return RuleTypeError(f"{message} {_caret(text, span[0])}")
        return RuleTypeError(f"{message} (in: {render(self.root)})")

    def charge(self, node: Condition, kind: _Type, factor: int = 1) -> None:
        width = 1
        if kind.axis is not None:
            width = max(1, self.schema.widths.get(str(kind.axis[0]), _NOMINAL_WIDTH))
        self.cost += width * factor
        if self.cost > self.limits.max_cost:
            raise RuleLimitError(
                f"the condition's estimated cost exceeds {self.limits.max_cost} operations "
                f"per subject (at {render(node)!r})"
            )

    def check(self, node: Condition) -> _Type:
        result = self._check(node)
        self.types[id(node)] = result
        factor = len(node.options.items) + 1 if isinstance(node, In) else 1
        self.charge(node, result, factor)
        return result

    def _check(self, node: Condition) -> _Type:
        if isinstance(node, Const):
            return self.const_type(node)
        if isinstance(node, ListConst):
            raise self.error(node, "a list can only follow 'in' or 'not in'")
        if isinstance(node, Field):
            return self.field_type(node)
        if isinstance(node, Index | Slice):
            return self.index_type(node)
        if isinstance(node, Compare):
            return self.compare_type(node)
        if isinstance(node, In):
            return self.in_type(node)
        if isinstance(node, And | Or):
            return self.logic_type(node, node.operands)
        if isinstance(node, Not):
            return self.logic_type(node, (node.operand,))
        if isinstance(node, Arith):
            return self.numeric_type(node, (node.left, node.right))
        if isinstance(node, Neg):
            return self.numeric_type(node, (node.operand,))
        if isinstance(node, Call):
            return self.call_type(node)
        raise RuleError(f"{node!r} is not a condition node")

    def const_type(self, node: Const) -> _Type:
        value = node.value
        if value is None:
            raise self.error(
                node,
                "null cannot be used in a condition: comparisons with an unknown value are "
                "unknown and never match; test for missing data with a field such as "
                "kpi.<key>.missing",
            )
        if isinstance(value, bool):
            return _Type(FieldType.BOOL)
        if isinstance(value, str):
            return _Type(FieldType.TEXT)
        return _Type(FieldType.NUMBER)

    def field_type(self, node: Field) -> _Type:
        name = node.name
        kind = self.schema.fields.get(name)
        if kind is None:
            raise self.error(node, self.unknown_field(node))
        self.fields[name] = kind
        return _Type(kind, (node.path[0],) if kind.is_vector else None)

    def unknown_field(self, node: Field) -> str:
        name = node.name
        for cut in range(len(node.path) - 1, 0, -1):
            prefix = ".".join(node.path[:cut])
            if prefix in self.schema.fields:
                return (
                    f"unknown field {name!r}: {prefix!r} is a field and has no part "
                    f"{node.path[cut]!r} (conditions read data fields, never attributes)"
                )
        known = sorted(self.schema.fields)
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
        if close:
            return f"unknown field {name!r}; did you mean {' or '.join(map(repr, close))}?"
        shown = ", ".join(known[:40]) + (
            f", ... ({len(known) - 40} more)" if len(known) > 40 else ""
        )
        return f"unknown field {name!r}; the known fields are: {shown}"

    def index_type(self, node: Index | Slice) -> _Type:
        target = self.check(node.target)
        if not target.kind.is_vector or target.axis is None:
            what = "indexed" if isinstance(node, Index) else "sliced"
            raise self.error(
                node, f"only vectors (e.g. history.rating) can be {what}; this is a {_name(target)}"
            )
        if isinstance(node, Index):
            return _Type(target.kind.element)
        return _Type(target.kind, (*target.axis, (node.start, node.stop)))

    def combine(self, node: Condition, types: Sequence[_Type]) -> tuple[Any, ...] | None:
        """Return the common vector axis of ``types`` (None if all are scalars)."""
        axes = {t.axis for t in types if t.axis is not None}
        if len(axes) > 1:
            raise self.error(
                node,
                "cannot combine vectors of different lengths or families element-wise "
                f"({' and '.join(sorted(_axis_name(a) for a in axes))})",
            )
        return next(iter(axes), None)

    def compare_type(self, node: Compare) -> _Type:
        left = self.check(node.left)
        right = self.check(node.right)
        if left.kind.element != right.kind.element:
            raise self.error(
                node,
                f"cannot compare a {_name(left)} with a {_name(right)} using {node.op.value!r}",
            )
        ordered = node.op not in (CompareOp.EQ, CompareOp.NE)
        if ordered and left.kind.element != FieldType.NUMBER:
            raise self.error(
                node,
                f"{node.op.value!r} needs numbers; {_name(left)} values can only be compared "
                "with == or !=",
            )
        axis = self.combine(node, (left, right))
        return _Type(FieldType.BOOL_VECTOR if axis else FieldType.BOOL, axis)

    def in_type(self, node: In) -> _Type:
        item = self.check(node.item)
        wanted = item.kind.element
        for option in node.options.items:
            got = self.const_type(option)
            if got.kind != wanted:
                raise self.error(
                    node,
                    f"list item {render(option)} is a {_name(got)} but the value tested is a "
                    f"{_name(item)}",
                )
        return _Type(FieldType.BOOL_VECTOR if item.axis else FieldType.BOOL, item.axis)

    def logic_type(self, node: Condition, operands: Sequence[Condition]) -> _Type:
        types = [self.check(op) for op in operands]
        for op, kind in zip(operands, types, strict=True):
            if kind.kind.element != FieldType.BOOL:
                word = type(node).__name__.lower()
                raise self.error(op, f"'{word}' needs conditions (true/false); got a {_name(kind)}")
        axis = self.combine(node, types)
        return _Type(FieldType.BOOL_VECTOR if axis else FieldType.BOOL, axis)

    def numeric_type(self, node: Condition, operands: Sequence[Condition]) -> _Type:
        types = [self.check(op) for op in operands]
        for op, kind in zip(operands, types, strict=True):
            if kind.kind.element != FieldType.NUMBER:
                raise self.error(op, f"arithmetic needs numbers; got a {_name(kind)}")
        axis = self.combine(node, types)
        return _Type(FieldType.NUMBER_VECTOR if axis else FieldType.NUMBER, axis)

    def call_type(self, node: Call) -> _Type:
        func = node.func
        types = [self.check(arg) for arg in node.args]
        first = types[0]
        if func in (Func.ANY, Func.ALL, Func.COUNT):
            if first.kind != FieldType.BOOL_VECTOR:
                raise self.error(
                    node,
                    f"{func.value}() needs a vector condition such as kpi.score < 60; "
                    f"got a {_name(first)}",
                )
            return _Type(FieldType.NUMBER if func == Func.COUNT else FieldType.BOOL)
        if func == Func.ABS:
            if first.kind.element != FieldType.NUMBER:
                raise self.error(node, f"abs() needs a number; got a {_name(first)}")
            return first
        if func in (Func.MIN, Func.MAX) and len(types) > 1:
            for arg, kind in zip(node.args, types, strict=True):
                if kind.kind != FieldType.NUMBER:
                    raise self.error(
                        arg, f"{func.value}() of several values needs numbers; got a {_name(kind)}"
                    )
            return _Type(FieldType.NUMBER)
        if first.kind != FieldType.NUMBER_VECTOR:
            raise self.error(
                node,
                f"{func.value}() needs a number vector such as kpi.score"
                + (" or two or more numbers" if func in (Func.MIN, Func.MAX) else "")
                + f"; got a {_name(first)}",
            )
        return _Type(FieldType.NUMBER)


def _name(kind: _Type) -> str:
    return kind.kind.value.replace("_", " ")


def _axis_name(axis: tuple[Any, ...]) -> str:
    text = str(axis[0])
    for start, stop in axis[1:]:
        text += f"[{'' if start is None else start}:{'' if stop is None else stop}]"
    return text


def _limits_check(node: Condition, limits: Limits) -> None:
    depth = _tree_depth(node)
    if depth > limits.max_depth:
        raise RuleLimitError(f"the condition nests deeper than {limits.max_depth} (depth {depth})")
    count = 0
    stack: list[Condition] = [node]
    while stack:
        current = stack.pop()
        count += 1 + (len(current.items) if isinstance(current, ListConst) else 0)
        stack.extend(_children(current))
    if count > limits.max_nodes:
        raise RuleLimitError(f"the condition has {count} nodes; the limit is {limits.max_nodes}")
    length = len(render(node))
    if length > limits.max_length:
        raise RuleLimitError(
            f"the condition's text is {length} characters long; the limit is {limits.max_length}"
        )


def _run_checker(node: Condition, schema: FieldSchema, limits: Limits) -> tuple[_Checker, _Type]:
    if not isinstance(schema, FieldSchema):
        raise RuleError(f"schema must be a FieldSchema, got {type(schema).__name__}")
    if not isinstance(limits, Limits):
        raise RuleError(f"limits must be a Limits, got {type(limits).__name__}")
    _limits_check(node, limits)
    checker = _Checker(node, schema, limits)
    return checker, checker.check(node)


def check_condition(
    node: Condition, schema: FieldSchema, *, limits: Limits = _DEFAULT_LIMITS
) -> FieldType:
    """Type-check a condition (or any expression) and check it against the limits.

    The static cost estimate counts one operation per node and subject; a node whose value is
    a vector counts the vector's width (from ``schema.widths``, else 32), and ``in`` counts one
    more per list item.

    Args:
        node: The condition tree.
        schema: The fields it may read.
        limits: Depth, node count, rendered length and cost limits.

    Returns:
        The type of the expression's value (``FieldType.BOOL`` for a condition).

    Raises:
        RuleTypeError: An unknown field (the message suggests the closest known names and, for
            parsed text, points at the column) or operands of the wrong type.
        RuleLimitError: The tree exceeds a limit.
        RuleError: ``node`` is not a condition tree.
    """
    _checker, result = _run_checker(node, schema, limits)
    return result.kind


# --------------------------------------------------------------------------------------------
# Compilation: closures over numpy with three-valued logic
#
# Runtime values: NUMBER is a float64 array (NaN = unknown) or a float; TEXT is a _Text (integer
# codes, -1 = unknown, into the label table of a TextCodes) or, for a constant, a str; BOOL is a
# pair (true, known) with true implying known. Vectors carry a trailing axis of width W.

_Array: TypeAlias = npt.NDArray[Any]
_Env: TypeAlias = dict[str, Any]
_Fn: TypeAlias = Callable[[_Env], Any]

_NUMBER_COMPARE: dict[CompareOp, Callable[[Any, Any], Any]] = {
    CompareOp.EQ: np.equal,
    CompareOp.NE: np.not_equal,
    CompareOp.LT: np.less,
    CompareOp.LE: np.less_equal,
    CompareOp.GT: np.greater,
    CompareOp.GE: np.greater_equal,
}
_ARITH: dict[ArithOp, Callable[[Any, Any], Any]] = {
    ArithOp.ADD: np.add,
    ArithOp.SUB: np.subtract,
    ArithOp.MUL: np.multiply,
    ArithOp.DIV: np.divide,
}


def _equal(a: Any, b: Any) -> _Array:
    """Compare element-wise (object arrays included) and return a bool array."""
    equal: Any = np.equal
    return np.asarray(equal(a, b), dtype=np.bool_)


class _Text:
    """Text values at run time: codes (``-1`` = unknown) into the labels of ``table``."""

    __slots__ = ("codes", "table")

    def __init__(self, codes: _Array, table: TextCodes) -> None:
        self.codes = codes
        self.table = table

    def recode(self, other: _Text) -> _Array:
        """Return ``other``'s codes in this table's numbering (-2 for labels it lacks)."""
        if other.table is self.table or other.table.labels == self.table.labels:
            return other.codes
        # the trailing -1 maps an unknown (-1) to unknown
        lut = np.array(
            [self.table._index.get(label, -2) for label in other.table.labels] + [-1],
            dtype=np.int32,
        )
        return lut[other.codes]

    def isin(self, options: Iterable[str]) -> _Array:
        """Return where the value is known and one of ``options``."""
        return _codes_isin(self.codes, self.table, options)


def _codes_isin(codes: _Array, table: TextCodes, options: Iterable[str]) -> _Array:
    wanted = sorted({table.code(o) for o in options} - {-1})
    if not wanted:
        return np.zeros(codes.shape, dtype=np.bool_)
    if len(wanted) <= 4:  # a few integer compares beat np.isin's sort by far
        hit: _Array = np.equal(codes, wanted[0])
        for code in wanted[1:]:
            hit |= codes == code
        return hit
    lut = np.zeros(len(table.labels) + 1, dtype=np.bool_)  # lut[-1] (unknown) stays False
    lut[wanted] = True
    return np.asarray(lut[codes])


def _lift(value: Any) -> Any:
    """Give a per-subject scalar array a trailing axis so it broadcasts against vectors."""
    if isinstance(value, _Text):
        return _Text(_lift(value.codes), value.table)
    if isinstance(value, tuple):
        return tuple(_lift(part) for part in value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return value[:, None]
    return value


def _finite(value: Any) -> Any:
    result = np.asarray(value, dtype=np.float64)
    return np.where(np.isfinite(result), result, np.nan)


class _Compiler:
    def __init__(self, checker: _Checker) -> None:
        self.types = checker.types

    def vector(self, node: Condition) -> bool:
        return self.types[id(node)].axis is not None

    def operands(self, nodes: Sequence[Condition]) -> list[_Fn]:
        """Compile operands, lifting scalars when some operand is a vector."""
        fns = [self.compile(n) for n in nodes]
        if any(self.vector(n) for n in nodes):
            fns = [
                _lifted(fn) if not self.vector(n) else fn for n, fn in zip(nodes, fns, strict=True)
            ]
        return fns

    def compile(self, node: Condition) -> _Fn:
        if isinstance(node, Const):
            return _const(node)
        if isinstance(node, Field):
            name = node.name
            return lambda env: env[name]
        if isinstance(node, Index):
            return _index(self.compile(node.target), self.types[id(node.target)].kind, node.index)
        if isinstance(node, Slice):
            return _slice(self.compile(node.target), node.start, node.stop)
        if isinstance(node, Compare):
            left, right = self.operands((node.left, node.right))
            kind = self.types[id(node.left)].kind.element
            if kind == FieldType.NUMBER and isinstance(node.right, Const):
                return _compare_constant(node.op, left, float(node.right.value or 0.0))
            return _compare(node.op, kind, left, right)
        if isinstance(node, In):
            kind = self.types[id(node.item)].kind.element
            return _membership(self.compile(node.item), kind, node.options, negated=node.negated)
        if isinstance(node, And | Or):
            return _logic(isinstance(node, And), self.operands(node.operands))
        if isinstance(node, Not):
            return _negation(self.compile(node.operand))
        if isinstance(node, Arith):
            left, right = self.operands((node.left, node.right))
            return _arith(_ARITH[node.op], left, right)
        if isinstance(node, Neg):
            operand = self.compile(node.operand)
            return lambda env: np.negative(operand(env))
        if isinstance(node, Call):
            return self.call(node)
        raise RuleError(f"{node!r} cannot be compiled")

    def call(self, node: Call) -> _Fn:
        args = [self.compile(arg) for arg in node.args]
        func = node.func
        if func == Func.ABS:
            return lambda env: np.abs(args[0](env))
        if func in (Func.MIN, Func.MAX) and len(args) > 1:
            ufunc = np.minimum if func == Func.MIN else np.maximum

            def extreme(env: _Env) -> Any:
                result = args[0](env)
                for arg in args[1:]:
                    result = ufunc(result, arg(env))
                return result

            return extreme
        return _aggregate(func, args[0])


def _lifted(fn: _Fn) -> _Fn:
    return lambda env: _lift(fn(env))


def _const(node: Const) -> _Fn:
    value = node.value
    if isinstance(value, bool):
        pair = (value, True)
        return lambda _env: pair
    if isinstance(value, str):
        return lambda _env: value
    number = float(value) if value is not None else math.nan
    return lambda _env: number


def _index(target: _Fn, kind: FieldType, index: int) -> _Fn:
    def pick(env: _Env) -> Any:
        value = target(env)
        if isinstance(value, _Text):
            width = value.codes.shape[-1]
            if -width <= index < width:
                return _Text(value.codes[..., index], value.table)
            return _Text(np.full(value.codes.shape[:-1], -1, dtype=np.int32), value.table)
        parts = value if isinstance(value, tuple) else (value,)
        width = parts[0].shape[-1]
        if -width <= index < width:
            picked = tuple(part[..., index] for part in parts)
        else:
            # Out of range (a subject with fewer previous cycles, say): unknown, not an error.
            shape = parts[0].shape[:-1]
            if kind == FieldType.NUMBER_VECTOR:
                return np.full(shape, np.nan)
            picked = (np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool))
        return picked if isinstance(value, tuple) else picked[0]

    return pick


def _slice(target: _Fn, start: int | None, stop: int | None) -> _Fn:
    window = slice(start, stop)

    def cut(env: _Env) -> Any:
        value = target(env)
        if isinstance(value, _Text):
            return _Text(value.codes[..., window], value.table)
        if isinstance(value, tuple):
            return tuple(part[..., window] for part in value)
        return value[..., window]

    return cut


def _compare_constant(op: CompareOp, left: _Fn, constant: float) -> _Fn:
    """Compare numbers with a constant: only the left side can be unknown (the common case)."""
    ufunc = _NUMBER_COMPARE[op]
    # A NaN compares false under every operator but !=, so only != needs masking.
    mask = op == CompareOp.NE

    def numbers(env: _Env) -> tuple[Any, Any]:
        a = left(env)
        known = np.isnan(a)
        if isinstance(known, np.ndarray):
            np.logical_not(known, out=known)  # in place: no second temporary
        else:
            known = ~known  # a constant
        result = ufunc(a, constant)
        if mask:
            result &= known
        return result, known

    return numbers


def _compare(op: CompareOp, kind: FieldType, left: _Fn, right: _Fn) -> _Fn:
    if kind == FieldType.NUMBER:
        ufunc = _NUMBER_COMPARE[op]

        def numbers(env: _Env) -> tuple[Any, Any]:
            a = left(env)
            b = right(env)
            known = ~(np.isnan(a) | np.isnan(b))
            return ufunc(a, b) & known, known

        return numbers
    equal = op == CompareOp.EQ
    if kind == FieldType.TEXT:

        def texts(env: _Env) -> tuple[Any, Any]:
            a = left(env)
            b = right(env)
            if isinstance(a, str) and isinstance(b, _Text):
                a, b = b, a
            if not isinstance(a, _Text):  # two constants
                same = np.bool_(a == b)
                return (same if equal else ~same), np.True_
            known = a.codes >= 0
            if isinstance(b, str):
                # a label no subject has gets code -1, equal only where a is unknown (masked)
                same = a.codes == a.table.code(b)
            else:
                known &= b.codes >= 0
                same = a.codes == a.recode(b)
            if not equal:
                same = ~same
            same &= known
            return same, known

        return texts

    def values(env: _Env) -> tuple[Any, Any]:
        a, ka = left(env)
        b, kb = right(env)
        known = np.logical_and(ka, kb)
        same = _equal(a, b)
        return (same if equal else ~same) & known, known

    return values


def _membership(item: _Fn, kind: FieldType, options: ListConst, *, negated: bool) -> _Fn:
    wanted = [option.value for option in options.items]

    def test(env: _Env) -> tuple[Any, Any]:
        value = item(env)
        hit: Any
        known: Any
        if kind == FieldType.TEXT:
            if isinstance(value, str):
                hit, known = np.bool_(value in wanted), np.True_
            else:
                known = value.codes >= 0
                hit = value.isin(cast("list[str]", wanted))
        elif kind == FieldType.NUMBER:
            known = ~np.isnan(value)
            hit = np.isin(value, np.asarray(wanted, dtype=np.float64)) if wanted else False
        else:
            data, known = value
            hit = np.zeros(np.shape(known), dtype=bool)
            for option in wanted:
                hit = hit | (data if option else np.logical_and(known, ~np.asarray(data)))
        hit = np.logical_and(hit, known)
        if negated:
            hit = np.logical_and(known, ~hit)
        return hit, known

    return test


def _logic(conjunction: bool, operands: list[_Fn]) -> _Fn:
    def combine(env: _Env) -> tuple[Any, Any]:
        true, known = operands[0](env)
        false = np.logical_and(known, np.logical_not(true))
        for operand in operands[1:]:
            t, k = operand(env)
            f = np.logical_and(k, np.logical_not(t))
            if conjunction:
                true = np.logical_and(true, t)
                false = np.logical_or(false, f)
            else:
                true = np.logical_or(true, t)
                false = np.logical_and(false, f)
        return true, np.logical_or(true, false)

    return combine


def _negation(operand: _Fn) -> _Fn:
    def negate(env: _Env) -> tuple[Any, Any]:
        true, known = operand(env)
        return np.logical_and(known, np.logical_not(true)), known

    return negate


def _arith(ufunc: Callable[[Any, Any], Any], left: _Fn, right: _Fn) -> _Fn:
    def compute(env: _Env) -> Any:
        with np.errstate(all="ignore"):
            # Division by zero and overflow give no finite number: the result is unknown.
            return _finite(ufunc(left(env), right(env)))

    return compute


# numpy reduces a short last axis row by row (slow); for the usual (N, W) with small W, one
# vectorised operation per column is several times faster and gives the same booleans/counts.
_COLUMN_LOOP_WIDTH = 64


def _by_column(value: Any) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.ndim == 2
        and 0 < value.shape[1] <= _COLUMN_LOOP_WIDTH
    )


def _any_last(value: Any) -> Any:
    if not _by_column(value):
        return np.any(value, axis=-1)
    out = np.array(value[:, 0], dtype=np.bool_)
    for j in range(1, value.shape[1]):
        out |= value[:, j]
    return out


def _all_last(value: Any) -> Any:
    if not _by_column(value):
        return np.all(value, axis=-1)
    out = np.array(value[:, 0], dtype=np.bool_)
    for j in range(1, value.shape[1]):
        out &= value[:, j]
    return out


def _count_last(value: Any) -> Any:
    if not _by_column(value):
        return np.sum(value, axis=-1).astype(np.float64)
    out = np.array(value[:, 0], dtype=np.int64)
    for j in range(1, value.shape[1]):
        out += value[:, j]
    return out.astype(np.float64)


def _aggregate(func: Func, arg: _Fn) -> _Fn:
    if func == Func.ANY:

        def any_(env: _Env) -> tuple[Any, Any]:
            true, known = arg(env)
            hit = _any_last(true)
            return hit, hit | _all_last(known)

        return any_
    if func == Func.ALL:

        def all_(env: _Env) -> tuple[Any, Any]:
            true, known = arg(env)
            miss = _any_last(np.logical_and(known, np.logical_not(true)))
            hit = _all_last(true)
            return hit, hit | miss

        return all_
    if func == Func.COUNT:
        return lambda env: _count_last(arg(env)[0])

    def reduce(env: _Env) -> Any:
        values = arg(env)
        if values.shape[-1] == 0:
            return (
                0.0 * values.sum(axis=-1)
                if func == Func.SUM
                else np.full(values.shape[:-1], np.nan)
            )
        with np.errstate(all="ignore"):
            if func == Func.SUM:
                result = np.sum(values, axis=-1)
            elif func == Func.MEAN:
                result = np.mean(values, axis=-1)
            elif func == Func.MIN:
                result = np.min(values, axis=-1)
            else:
                result = np.max(values, axis=-1)
        return _finite(result)

    return reduce


# --------------------------------------------------------------------------------------------
# Text columns as codes into a label table


def _label_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_labels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(str)(instance, attribute, value)
    assert isinstance(value, tuple)
    if len(set(value)) != len(value):
        dupes = sorted({label for label in value if value.count(label) > 1})
        fail(instance, attribute, value, f"labels must be distinct; repeated: {dupes!r}")


def _check_codes(instance: TextCodes, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, np.ndarray) or value.dtype.kind != "i" or value.ndim not in (1, 2):
        shown = (
            f"{type(value).__name__} of dtype {value.dtype}"
            if isinstance(value, np.ndarray)
            else type(value).__name__
        )
        fail(
            instance,
            attribute,
            shown,
            "expected a 1-D or 2-D numpy array of signed integer codes (-1 = unknown)",
        )
    if value.size:
        low, high = int(value.min()), int(value.max())
        if low < -1 or high >= len(instance.labels):
            fail(
                instance,
                attribute,
                low if low < -1 else high,
                f"codes must be -1 (unknown) or index one of the {len(instance.labels)} labels",
            )


@attrs.frozen(kw_only=True, eq=False)
class TextCodes:
    """A text column stored as integer codes into a table of labels (a categorical column).

    Text comparisons and ``in`` lists on such a column compile to integer comparisons, with no
    Python work per subject. :func:`frame_from_scores` builds ``rating``, ``grade``,
    ``department`` and ``history.rating`` this way; a frame built by hand may hold text as an
    object array (``None`` = unknown) instead, which is converted once per evaluation.

    Attributes:
        labels: The distinct texts; code ``k`` means ``labels[k]``.
        codes: Signed integer array ``(N,)`` or ``(N, W)``; ``-1`` means unknown.
    """

    labels: tuple[str, ...] = attrs.field(converter=_label_tuple, validator=_check_labels)
    codes: _Array = attrs.field(validator=_check_codes, repr=False)
    _index: Mapping[str, int] = attrs.field(init=False, repr=False)

    @_index.default
    def _label_index(self) -> Mapping[str, int]:
        return {label: k for k, label in enumerate(self.labels)}

    @classmethod
    def from_values(cls, values: Any) -> TextCodes:
        """Encode texts given as an array or nested sequence of ``str`` and ``None``.

        Args:
            values: An object array (``None`` or NaN = unknown), a fixed-width ``'U'`` array
                (``""`` = unknown), or a (nested) sequence of texts and ``None``.

        Returns:
            The codes; labels sorted.

        Raises:
            DataError: A value that is not a text, ``None`` or NaN.
        """
        return _encode("values", values)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the codes: ``(N,)`` or ``(N, W)``."""
        return tuple(self.codes.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions of the codes (1 or 2)."""
        return int(self.codes.ndim)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def code(self, label: str) -> int:
        """Return the code of ``label``, or -1 when no value has that label."""
        return self._index.get(label, -1)

    @property
    def known(self) -> _Array:
        """Return a bool array: True where the text is known."""
        return np.asarray(self.codes >= 0)

    def isin(self, options: Iterable[str]) -> _Array:
        """Return a bool array: True where the text is known and one of ``options``."""
        return _codes_isin(self.codes, self, options)

    def to_numpy(self) -> _Array:
        """Return the values as an object array, ``None`` where unknown."""
        table = np.array([*self.labels, None], dtype=object)
        # -1 picks the trailing None
        return table[np.where(self.codes >= 0, self.codes, len(self.labels))]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> _Array:
        """Return :meth:`to_numpy` (so ``np.asarray(column)`` gives the texts)."""
        out = self.to_numpy()
        return out if dtype is None else out.astype(dtype)

    def tolist(self) -> list[Any]:
        """Return the values as (nested) lists of texts, ``None`` where unknown."""
        result: list[Any] = self.to_numpy().tolist()
        return result

    def __getitem__(self, i: int) -> str | _Array | None:
        """Return subject ``i``'s text (1-D) or its row as an object array (2-D)."""
        if not isinstance(i, int | np.integer):
            raise DataError(f"TextCodes: index {i!r} is not allowed; expected a subject number")
        row = self.codes[int(i)]
        if self.codes.ndim == 1:
            code = int(row)
            return self.labels[code] if code >= 0 else None
        table = np.array([*self.labels, None], dtype=object)
        return table[np.where(row >= 0, row, len(self.labels))]


def _unknown_text(value: object) -> bool:
    # NaN (as pandas writes missing text) is unknown too: it is the one value unequal to itself.
    return value is None or (isinstance(value, float) and math.isnan(value))


def _encode(name: str, raw: Any) -> TextCodes:
    """Encode a text column (object or 'U' array, or nested sequence) as :class:`TextCodes`."""
    data = raw if isinstance(raw, np.ndarray) else np.asarray(raw, dtype=object)
    if data.dtype.kind == "U":
        # C-level unique; "" is unknown in fixed-width arrays, which cannot hold None.
        uniques, inverse = np.unique(data, return_inverse=True)
        labels = [str(u) for u in uniques.tolist()]
        lut = np.arange(len(labels), dtype=np.int32)
        if labels and labels[0] == "":
            lut = lut - 1
            labels = labels[1:]
        codes = lut[inverse.reshape(data.shape)] if lut.size else np.full(data.shape, -1, np.int32)
        return TextCodes(labels=labels, codes=np.asarray(codes, dtype=np.int32))
    if data.dtype.kind != "O":
        raise DataError(
            f"column {name!r}: expected texts (an object array with None for unknown), "
            f"got dtype {data.dtype}",
            column=name,
        )
    flat = data.ravel().tolist()
    try:
        distinct = set(flat)
    except TypeError:  # an unhashable value: certainly not a text
        distinct = {type(next(v for v in flat if not isinstance(v, Hashable)))}
    lookup: dict[object, int] = {}
    texts: list[str] = []
    for value in distinct:
        if _unknown_text(value):
            lookup[value] = -1
        elif isinstance(value, str):
            texts.append(value)
        else:
            raise DataError(
                f"column {name!r}: {value!r} is not allowed; expected texts, None or NaN "
                "for unknown",
                column=name,
            )
    labels = sorted(texts)  # a stable label table whatever the order of the subjects
    lookup.update((label, k) for k, label in enumerate(labels))
    codes = np.fromiter(map(lookup.__getitem__, flat), dtype=np.int32, count=len(flat))
    return TextCodes(labels=labels, codes=codes.reshape(data.shape))


# --------------------------------------------------------------------------------------------
# Frames


def _text_column(name: str, raw: Any) -> _Text:
    table = raw if isinstance(raw, TextCodes) else _encode(name, raw)
    return _Text(table.codes, table)


def _bool_column(name: str, raw: Any) -> tuple[_Array, _Array]:
    data = np.asarray(raw)
    if data.dtype.kind == "b":
        return data, np.ones(data.shape, dtype=bool)
    if data.dtype.kind == "f":
        known = ~np.isnan(data)
        return known & (data != 0), known
    if data.dtype.kind == "O":
        known = ~_equal(data, None)
        return known & _equal(data, True), known
    raise DataError(
        f"column {name!r}: expected booleans (bool, or float/object with NaN/None for unknown), "
        f"got dtype {data.dtype}",
        column=name,
    )


def _number_column(name: str, raw: Any) -> _Array:
    data = np.asarray(raw)
    if data.dtype.kind not in "fiub":
        raise DataError(
            f"column {name!r}: expected numbers (float64, NaN for unknown), got dtype {data.dtype}",
            column=name,
        )
    return np.asarray(data, dtype=np.float64)


def _prepare(frame: Mapping[str, Any], fields: Mapping[str, FieldType]) -> tuple[_Env, int]:
    if not isinstance(frame, Mapping):
        raise DataError(
            f"frame must be a mapping of field names to arrays, got {type(frame).__name__}"
        )
    env: _Env = {}
    size: int | None = None
    widths: dict[str, tuple[int, str]] = {}
    for name, kind in fields.items():
        if name not in frame:
            have = ", ".join(sorted(map(str, frame))[:20])
            raise DataError(
                f"the frame has no column {name!r}, which the condition reads; it has: {have}",
                column=name,
            )
        raw = frame[name]
        value: Any
        if kind.element == FieldType.NUMBER:
            value = _number_column(name, raw)
            shape = value.shape
        elif kind.element == FieldType.TEXT:
            value = _text_column(name, raw)
            shape = value.codes.shape
        else:
            value = _bool_column(name, raw)
            shape = value[0].shape
        wanted_ndim = 2 if kind.is_vector else 1
        if len(shape) != wanted_ndim:
            raise DataError(
                f"column {name!r}: expected a {wanted_ndim}-D array for a {kind.value} field, "
                f"got shape {shape}",
                column=name,
            )
        if size is None:
            size = shape[0]
        elif shape[0] != size:
            raise DataError(
                f"column {name!r} has {shape[0]} rows but other columns have {size}", column=name
            )
        if kind.is_vector:
            family = name.split(".", 1)[0]
            seen = widths.setdefault(family, (shape[1], name))
            if seen[0] != shape[1]:
                raise DataError(
                    f"column {name!r} has width {shape[1]} but {seen[1]!r} has {seen[0]}; "
                    f"vectors of the {family!r} family must have one width",
                    column=name,
                )
        env[name] = value
    if size is None:
        size = _frame_size(frame)
    return env, size


def _frame_size(frame: Mapping[str, Any]) -> int:
    for value in frame.values():
        shape = np.shape(value)
        if shape:
            return int(shape[0])
    raise DataError("the frame is empty: cannot tell how many subjects to evaluate")


def _parts(value: Any) -> tuple[Any, ...]:
    if isinstance(value, _Text):
        return (value.codes,)
    return value if isinstance(value, tuple) else (value,)


def _full(value: Any, size: int, inputs: set[int]) -> _Array:
    """Return ``value`` as a bool array of shape ``(size,)`` that the caller may modify."""
    if (
        isinstance(value, np.ndarray)
        and value.shape == (size,)
        and value.dtype == np.bool_
        and value.base is None
        and id(value) not in inputs  # never hand out the caller's own frame column
    ):
        return value
    return np.array(np.broadcast_to(np.asarray(value, dtype=bool), (size,)))


@attrs.frozen(kw_only=True, eq=False)
class CompiledCondition:
    """A checked condition compiled to vectorised numpy; call it on a frame.

    Attributes:
        node: The condition tree.
        fields: The field names the condition reads, sorted (for traces).
    """

    node: Condition
    fields: tuple[str, ...]
    _types: Mapping[str, FieldType] = attrs.field(alias="types", repr=False)
    _fn: _Fn = attrs.field(alias="fn", repr=False)

    def __call__(self, frame: Mapping[str, Any]) -> tuple[_Array, _Array]:
        """Evaluate the condition for every subject of ``frame``.

        Args:
            frame: Dotted field names mapped to arrays: ``(N,)`` for scalar fields, ``(N, W)``
                for vector fields; NaN/None mark unknown values.

        Returns:
            ``(true, known)``: bool arrays of shape ``(N,)``; a subject matches where both hold.

        Raises:
            DataError: A column the condition reads is missing or has the wrong dtype or shape.
        """
        env, size = _prepare(frame, self._types)
        true, known = self._fn(env)
        inputs = {id(part) for value in env.values() for part in _parts(value)}
        return _full(true, size, inputs), _full(known, size, inputs)

    def matches(self, frame: Mapping[str, Any]) -> _Array:
        """Return a bool array: True where the condition is known to hold."""
        true, known = self(frame)
        return true & known


def compile_condition(
    node: Condition, schema: FieldSchema, *, limits: Limits = _DEFAULT_LIMITS
) -> CompiledCondition:
    """Check a condition and compile it to a vectorised callable.

    Args:
        node: The condition tree; its value must be a single true/false per subject.
        schema: The fields it may read.
        limits: Safety limits (see :func:`check_condition`).

    Returns:
        The compiled condition.

    Raises:
        RuleTypeError: Unknown fields, wrong types, or a value that is not a condition.
        RuleLimitError: The tree exceeds a limit.
    """
    checker, result = _run_checker(node, schema, limits)
    if result.kind != FieldType.BOOL:
        raise checker.error(
            node,
            f"a condition must be true or false for each subject; this is a {_name(result)}"
            + (" (wrap it in any(), all() or count())" if result.axis is not None else ""),
        )
    fn = _Compiler(checker).compile(node)
    return CompiledCondition(
        node=node, fields=tuple(sorted(checker.fields)), types=dict(checker.fields), fn=fn
    )


# --------------------------------------------------------------------------------------------
# History and frames from scores


def _check_history(instance: History, _attribute: attrs.Attribute[Any], _value: object) -> None:
    ratings, totals = instance.ratings, instance.totals
    if not isinstance(ratings, np.ndarray) or ratings.ndim != 2 or ratings.dtype.kind not in "OU":
        raise ValidationError(
            "History.ratings: expected a 2-D object array (subjects x cycles) of labels or None",
            field="ratings",
            value=type(ratings).__name__,
        )
    if not isinstance(totals, np.ndarray) or totals.ndim != 2 or totals.dtype != np.float64:
        raise ValidationError(
            "History.totals: expected a 2-D float64 array (subjects x cycles), NaN for none",
            field="totals",
            value=type(totals).__name__,
        )
    if ratings.shape != totals.shape:
        raise ValidationError(
            f"History: ratings shape {ratings.shape} differs from totals shape {totals.shape}",
            field="totals",
            value=totals.shape,
        )


@attrs.frozen(kw_only=True, eq=False)
class History:
    """Previous cycles' results per subject, oldest first (the ``history.*`` fields).

    Attributes:
        ratings: Object array ``(N, H)`` of band labels; None or "" means no result that cycle.
        totals: Float64 array ``(N, H)`` of totals; NaN means none.
    """

    ratings: _Array = attrs.field(validator=_check_history)
    totals: _Array

    def __len__(self) -> int:
        return int(self.ratings.shape[0])

    @classmethod
    def from_records(
        cls, per_subject: Sequence[Sequence[tuple[str | None, float | None]]]
    ) -> History:
        """Build a history from ``(rating, total)`` pairs per subject, oldest first.

        Subjects with fewer cycles are padded at the old end, so ``history.rating[-1]`` is
        everyone's most recent cycle.

        Args:
            per_subject: One sequence per subject of ``(rating, total)`` pairs; either may be None.

        Returns:
            The history, ``H`` = the longest record.

        Raises:
            ValidationError: A rating that is not a text or None, or a total that is not a
                finite number or None.
        """
        rows = [list(records) for records in per_subject]
        depth = max((len(row) for row in rows), default=0)
        ratings = np.full((len(rows), depth), None, dtype=object)
        totals = np.full((len(rows), depth), np.nan)
        for i, row in enumerate(rows):
            offset = depth - len(row)
            for j, record in enumerate(row):
                if not isinstance(record, tuple | list) or len(record) != 2:
                    raise ValidationError(
                        f"History.from_records[{i}][{j}]: {record!r} is not allowed; "
                        "expected a (rating, total) pair",
                        field="per_subject",
                        value=record,
                    )
                rating, total = record
                if rating is not None and not isinstance(rating, str):
                    raise ValidationError(
                        f"History.from_records[{i}][{j}]: rating {rating!r} is not allowed; "
                        "expected a band label or None",
                        field="rating",
                        value=rating,
                    )
                if total is not None and (
                    isinstance(total, bool)
                    or not isinstance(total, int | float)
                    or not math.isfinite(total)
                ):
                    raise ValidationError(
                        f"History.from_records[{i}][{j}]: total {total!r} is not allowed; "
                        "expected a finite number or None",
                        field="total",
                        value=total,
                    )
                ratings[i, offset + j] = rating or None
                totals[i, offset + j] = math.nan if total is None else float(total)
        return cls(ratings=ratings, totals=totals)


def frame_from_scores(
    batch: BatchScores,
    population: Population | None = None,
    history: History | None = None,
) -> dict[str, _Array | TextCodes]:
    """Build the evaluation frame for a batch of scores.

    Keys are the dotted field names of :meth:`FieldSchema.for_keys`. Subject attributes come
    from ``population`` and previous results from ``history``; without them those fields are
    present but unknown (so conditions on them do not match).

    Args:
        batch: The :class:`~perfmgmt.scoring.card.BatchScores` of the cycle.
        population: The :class:`~perfmgmt.scoring.population.Population` that was scored.
        history: Previous cycles' results, one row per subject in the same order.

    Returns:
        Field name -> column; NUMBER columns are float64 with NaN for unknown, TEXT columns
        :class:`TextCodes` (code -1 for unknown; ``np.asarray`` gives the texts). Columns from
        the population and history are cached per object and read-only.

    Raises:
        DataError: If the population or history does not have one row per subject.
    """
    return {
        name: build()
        for name, (_kind, build) in _score_builders(batch, population, history).items()
    }


_Builder: TypeAlias = tuple[FieldType, Callable[[], Any]]


def _score_builders(
    batch: BatchScores, population: Population | None, history: History | None
) -> dict[str, _Builder]:
    """Return, per frame column, its type and a function that builds it."""
    n = len(batch.subject_ids)
    if population is not None and len(population.subject_ids) != n:
        raise DataError(
            f"the population has {len(population.subject_ids)} subjects but the batch has {n}"
        )
    if history is not None and len(history) != n:
        raise DataError(f"the history has {len(history)} subjects but the batch has {n}")
    number, flag, numbers = FieldType.NUMBER, FieldType.BOOL, FieldType.NUMBER_VECTOR

    def floats(values: Any) -> Callable[[], _Array]:
        return lambda: np.asarray(values, dtype=np.float64)

    def bools(values: Any) -> Callable[[], _Array]:
        return lambda: np.asarray(values, dtype=bool)

    def flag_of(k: int, bit: int) -> Callable[[], _Array]:
        return lambda: (np.asarray(batch.flags)[:, k] & bit) != 0

    def rating() -> TextCodes:
        index = np.asarray(batch.rating_index, dtype=np.int64)
        if index.size and int(index.min()) < -1:
            index = np.maximum(index, -1)  # any negative index means not rated
        # the scores already hold the rating as an index: text tests become integer tests
        return TextCodes(labels=batch.rating_labels, codes=index)

    out: dict[str, _Builder] = {
        "total": (number, floats(batch.total)),
        "quantitative": (number, floats(batch.quantitative)),
        "qualitative": (number, floats(batch.qualitative)),
        "rated": (flag, bools(batch.rated)),
        "gated": (flag, bools(batch.gated)),
        "eligible_fraction": (number, floats(batch.eligible_fraction)),
        "kpi.actual": (numbers, floats(batch.actual)),
        "kpi.achievement": (numbers, floats(batch.achievement)),
        "kpi.score": (numbers, floats(batch.score)),
        "rating": (FieldType.TEXT, rating),
    }
    for c, key in enumerate(batch.category_keys):
        out[f"category.{key}"] = (number, floats(batch.category_score[:, c]))
    for k, key in enumerate(batch.kpi_keys):
        out[f"kpi.{key}.actual"] = (number, floats(batch.actual[:, k]))
        out[f"kpi.{key}.target"] = (number, floats(batch.target[:, k]))
        out[f"kpi.{key}.achievement"] = (number, floats(batch.achievement[:, k]))
        out[f"kpi.{key}.score"] = (number, floats(batch.score[:, k]))
        out[f"kpi.{key}.missing"] = (flag, flag_of(k, _FLAG_MISSING))
        out[f"kpi.{key}.insufficient"] = (flag, flag_of(k, _FLAG_INSUFFICIENT))
        out[f"kpi.{key}.gated"] = (flag, flag_of(k, _FLAG_GATED))
    text = FieldType.TEXT
    if population is None:
        unknown = TextCodes(labels=(), codes=np.full(n, -1, dtype=np.int32))
        out["tenure_days"] = (number, lambda: np.full(n, np.nan))
        out["base_pay"] = (number, lambda: np.full(n, np.nan))
        out["grade"] = (text, lambda: unknown)
        out["department"] = (text, lambda: unknown)
    else:
        for name in ("tenure_days", "base_pay", "grade", "department"):
            kind = text if name in {"grade", "department"} else number
            out[name] = (kind, functools.partial(_subject_column, population, name))
    vector_text = FieldType.TEXT_VECTOR
    if history is None:
        empty = TextCodes(labels=(), codes=np.full((n, 0), -1, dtype=np.int32))
        out["history.rating"] = (vector_text, lambda: empty)
        out["history.total"] = (numbers, lambda: np.full((n, 0), np.nan))
    else:
        out["history.rating"] = (vector_text, functools.partial(_history_codes, history))
        out["history.total"] = (numbers, lambda: history.totals)
    return out


class _LazyFrame(Mapping[str, Any]):
    """A frame whose columns are built on first read: rules read a few of its many columns."""

    def __init__(self, builders: dict[str, _Builder]) -> None:
        self._builders = builders
        self._built: dict[str, Any] = {}
        self.types = {name: kind for name, (kind, _build) in builders.items()}

    def __getitem__(self, name: str) -> Any:
        found = self._built.get(name)
        if found is None:
            found = self._built[name] = self._builders[name][1]()  # KeyError if unknown
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def with_columns(self, columns: Mapping[str, tuple[FieldType, Any]]) -> _LazyFrame:
        """Return a frame with ``columns`` (name -> (type, value)) added or replaced."""
        builders = dict(self._builders)
        for name, (kind, value) in columns.items():
            builders[name] = (kind, functools.partial(_identity, value))
        return _LazyFrame(builders)

    def __len__(self) -> int:
        return len(self._builders)


def _identity(value: Any) -> Any:
    return value


def _lazy_frame_from_scores(
    batch: BatchScores, population: Population | None = None, history: History | None = None
) -> _LazyFrame:
    """Return :func:`frame_from_scores` as a mapping that builds each column when first read."""
    return _LazyFrame(_score_builders(batch, population, history))


# A population and a history are immutable: their columns are built once, not per evaluation.
_SUBJECT_COLUMNS: weakref.WeakKeyDictionary[Population, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)
_HISTORY_CODES: weakref.WeakKeyDictionary[History, TextCodes] = weakref.WeakKeyDictionary()


def _subject_column(population: Population, name: str) -> Any:
    return _subject_columns(population)[name]


def _subject_columns(population: Population) -> dict[str, Any]:
    found = _SUBJECT_COLUMNS.get(population)
    if found is None:
        tenure = np.array(population.tenure_days, dtype=np.float64)
        base_pay = np.array(
            [math.nan if pay is None else float(pay) for pay in population.base_pay],
            dtype=np.float64,
        )
        # read-only: the cached arrays are shared by every frame built from this population
        tenure.flags.writeable = False
        base_pay.flags.writeable = False
        found = {
            "tenure_days": tenure,
            "base_pay": base_pay,
            "grade": _read_only(_encode("grade", _object_column(population.grade))),
            "department": _read_only(_encode("department", _object_column(population.department))),
        }
        _SUBJECT_COLUMNS[population] = found
    return dict(found)


def _read_only(codes: TextCodes) -> TextCodes:
    codes.codes.flags.writeable = False  # shared by every frame built from the same object
    return codes


def _history_codes(history: History) -> TextCodes:
    found = _HISTORY_CODES.get(history)
    if found is None:
        found = _read_only(_encode("history.rating", history.ratings))
        _HISTORY_CODES[history] = found
    return found


def _object_column(values: Sequence[str | None]) -> _Array:
    column = np.empty(len(values), dtype=object)
    column[:] = list(values)
    return column
