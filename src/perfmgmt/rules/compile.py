"""Compile checked condition trees to vectorised numpy closures.

The compiled form is a tree of closures over numpy arrays that evaluates all subjects at once
with three-valued (Kleene) logic: a :class:`CompiledCondition` returns two boolean arrays,
``true`` and ``known``; a subject matches where both hold.

Evaluation reads frame columns by exact dotted name; nothing looks up a Python attribute,
calls user code or evaluates text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import attrs
import numpy as np

from perfmgmt._deprecated import moved
from perfmgmt.errors import RuleError
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
)
from perfmgmt.rules import schema as _schema
from perfmgmt.rules.check import _DEFAULT_LIMITS, _Checker, _name, _run_checker
from perfmgmt.rules.frame import _Array, _Env, _equal, _prepare, _Text

if TYPE_CHECKING:
    from perfmgmt.rules.parse import Limits
    from perfmgmt.rules.schema import FieldSchema, FieldType

__all__ = ["CompiledCondition", "compile_condition"]

# --------------------------------------------------------------------------------------------
# Compilation: closures over numpy with three-valued logic
#
# Runtime values: NUMBER is a float64 array (NaN = unknown) or a float; TEXT is a _Text (integer
# codes, -1 = unknown, into the label table of a TextCodes) or, for a constant, a str; BOOL is a
# pair (true, known) with true implying known. Vectors carry a trailing axis of width W.

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
        method = _COMPILES.get(type(node))
        if method is None:
            raise RuleError(f"{node!r} cannot be compiled")
        return method(self, node)

    def const(self, node: Const) -> _Fn:
        return _const(node)

    def field(self, node: Field) -> _Fn:
        name = node.name
        return lambda env: env[name]

    def index(self, node: Index) -> _Fn:
        return _index(self.compile(node.target), self.types[id(node.target)].kind, node.index)

    def slice(self, node: Slice) -> _Fn:
        return _slice(self.compile(node.target), node.start, node.stop)

    def compare(self, node: Compare) -> _Fn:
        left, right = self.operands((node.left, node.right))
        kind = self.types[id(node.left)].kind.element
        if kind == _schema.FieldType.NUMBER and isinstance(node.right, Const):
            return _compare_constant(node.op, left, float(node.right.value or 0.0))
        return _compare(node.op, kind, left, right)

    def membership(self, node: In) -> _Fn:
        kind = self.types[id(node.item)].kind.element
        return _membership(self.compile(node.item), kind, node.options, negated=node.negated)

    def logic(self, node: And | Or) -> _Fn:
        return _logic(isinstance(node, And), self.operands(node.operands))

    def negation(self, node: Not) -> _Fn:
        return _negation(self.compile(node.operand))

    def arith(self, node: Arith) -> _Fn:
        left, right = self.operands((node.left, node.right))
        return _arith(_ARITH[node.op], left, right)

    def neg(self, node: Neg) -> _Fn:
        operand = self.compile(node.operand)
        return lambda env: np.negative(operand(env))

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


# One compiling method per node type of the closed condition AST.
_COMPILES: dict[type, Callable[[_Compiler, Any], _Fn]] = {
    Const: _Compiler.const,
    Field: _Compiler.field,
    Index: _Compiler.index,
    Slice: _Compiler.slice,
    Compare: _Compiler.compare,
    In: _Compiler.membership,
    And: _Compiler.logic,
    Or: _Compiler.logic,
    Not: _Compiler.negation,
    Arith: _Compiler.arith,
    Neg: _Compiler.neg,
    Call: _Compiler.call,
}


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
            if kind == _schema.FieldType.NUMBER_VECTOR:
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
    if kind == _schema.FieldType.NUMBER:
        ufunc = _NUMBER_COMPARE[op]

        def numbers(env: _Env) -> tuple[Any, Any]:
            a = left(env)
            b = right(env)
            known = ~(np.isnan(a) | np.isnan(b))
            return ufunc(a, b) & known, known

        return numbers
    equal = op == CompareOp.EQ
    if kind == _schema.FieldType.TEXT:

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
        if kind == _schema.FieldType.TEXT:
            if isinstance(value, str):
                hit, known = np.bool_(value in wanted), np.True_
            else:
                known = value.codes >= 0
                hit = value.isin(cast("list[str]", wanted))
        elif kind == _schema.FieldType.NUMBER:
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


def _sum_last(values: _Array) -> _Array:
    """Add up the last axis left to right, one column at a time.

    numpy's own reduction picks its summation order from the array's shape (pairwise over a
    long row, column by column over many short ones), so one row of a batch could add up
    differently alone than among others. This order is the same for one row as for a million.
    """
    out = np.array(values[..., 0], dtype=np.float64)
    for j in range(1, values.shape[-1]):
        out += values[..., j]
    return out


def _aggregate(func: Func, arg: _Fn) -> _Fn:
    if func not in (Func.ANY, Func.ALL, Func.COUNT):
        return _reduce(func, arg)
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
    return lambda env: _count_last(arg(env)[0])


def _reduce(func: Func, arg: _Fn) -> _Fn:
    def reduce(env: _Env) -> Any:
        values = arg(env)
        width = values.shape[-1]
        if width == 0:
            return (
                np.zeros(values.shape[:-1])
                if func == Func.SUM
                else np.full(values.shape[:-1], np.nan)
            )
        with np.errstate(all="ignore"):
            if func in (Func.SUM, Func.MEAN):
                result = _sum_last(values)
                if func == Func.MEAN:
                    result /= width
            elif func == Func.MIN:
                result = np.min(values, axis=-1)
            else:
                result = np.max(values, axis=-1)
        return _finite(result)

    return reduce


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
    if result.kind != _schema.FieldType.BOOL:
        raise checker.error(
            node,
            f"a condition must be true or false for each subject; this is a {_name(result)}"
            + (" (wrap it in any(), all() or count())" if result.axis is not None else ""),
        )
    fn = _Compiler(checker).compile(node)
    return CompiledCondition(
        node=node, fields=tuple(sorted(checker.fields)), types=dict(checker.fields), fn=fn
    )


_MOVED = {
    "FieldSchema": "perfmgmt.rules.schema",
    "FieldType": "perfmgmt.rules.schema",
    "History": "perfmgmt.rules.frame",
    "Limits": "perfmgmt.rules.parse",
    "TextCodes": "perfmgmt.rules.frame",
    "check_condition": "perfmgmt.rules.check",
    "frame_from_scores": "perfmgmt.rules.frame",
}


def __getattr__(name: str) -> Any:
    """Resolve names that moved out of this module, with a DeprecationWarning (one release)."""
    return moved(__name__, _MOVED, name)
