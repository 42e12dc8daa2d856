"""Type-check condition trees against a field schema and hold them to the limits.

A condition is checked before it runs: every field it names must be in the
:class:`~perfmgmt.rules.schema.FieldSchema`, operand types must fit, and the tree must stay within
the :class:`~perfmgmt.rules.parse.Limits` (depth, node count, rendered length and a static cost
estimate).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from perfmgmt.errors import RuleError, RuleLimitError, RuleTypeError
from perfmgmt.model.condition import (
    And,
    Arith,
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
from perfmgmt.rules._render import children as _children
from perfmgmt.rules._render import tree_depth as _tree_depth
from perfmgmt.rules._tokens import caret as _caret
from perfmgmt.rules.parse import Limits, _source_of, render

if TYPE_CHECKING:
    pass


from perfmgmt.rules.schema import FieldSchema, FieldType

__all__ = ["check_condition"]

_DEFAULT_LIMITS = Limits()

#: Vector width assumed by the cost estimate when the schema does not say.
_NOMINAL_WIDTH = 32


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
        method = _CHECKS.get(type(node))
        if method is None:
            raise RuleError(f"{node!r} is not a condition node")
        return method(self, node)

    def list_type(self, node: ListConst) -> _Type:
        raise self.error(node, "a list can only follow 'in' or 'not in'")

    def and_or_type(self, node: And | Or) -> _Type:
        return self.logic_type(node, node.operands)

    def not_type(self, node: Not) -> _Type:
        return self.logic_type(node, (node.operand,))

    def arith_type(self, node: Arith) -> _Type:
        return self.numeric_type(node, (node.left, node.right))

    def neg_type(self, node: Neg) -> _Type:
        return self.numeric_type(node, (node.operand,))

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


# One checking method per node type of the closed condition AST.
_CHECKS: dict[type, Callable[[_Checker, Any], _Type]] = {
    Const: _Checker.const_type,
    ListConst: _Checker.list_type,
    Field: _Checker.field_type,
    Index: _Checker.index_type,
    Slice: _Checker.index_type,
    Compare: _Checker.compare_type,
    In: _Checker.in_type,
    And: _Checker.and_or_type,
    Or: _Checker.and_or_type,
    Not: _Checker.not_type,
    Arith: _Checker.arith_type,
    Neg: _Checker.neg_type,
    Call: _Checker.call_type,
}


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
