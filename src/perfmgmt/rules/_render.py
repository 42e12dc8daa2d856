"""Canonical text for condition trees, with the fewest parentheses.

:func:`render` writes each node kind with one writer of the :data:`_WRITERS` table and wraps an
operand in parentheses only where its precedence is lower than its place needs, so that
``parse(render(node)) == node`` for every tree. The precedence levels mirror the grammar of
:func:`perfmgmt.rules.parse.parse`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from perfmgmt.errors import RuleError, RuleLimitError
from perfmgmt.model.condition import (
    CONDITION_TYPES,
    And,
    Arith,
    ArithOp,
    Call,
    Compare,
    Condition,
    Const,
    Field,
    In,
    Index,
    ListConst,
    Neg,
    Not,
    Or,
    Slice,
)

__all__ = ["DEPTH_CEILING", "children", "render", "tree_depth"]

#: The largest ``max_depth`` a :class:`~perfmgmt.rules.parse.Limits` may allow: deeper trees
#: would need deep recursion.
DEPTH_CEILING = 64

_OR, _AND, _NOT, _CMP, _ADD, _MUL, _UNARY, _POSTFIX, _ATOM = range(1, 10)
_NODE_TYPES = frozenset(CONDITION_TYPES)


def _node_type(node: object) -> type:
    """Return the node class ``node`` is an instance of, else its own class.

    Every node is built from the node classes themselves; a subclass is looked up as its base,
    as an ``isinstance`` test would.
    """
    kind = type(node)
    if kind in _NODE_TYPES:
        return kind
    return next((t for t in CONDITION_TYPES if isinstance(node, t)), kind)


# --------------------------------------------------------------------------------------------
# Tree shape


def _operands(node: And | Or) -> tuple[Condition, ...]:
    return node.operands


def _operand(node: Not | Neg) -> tuple[Condition, ...]:
    return (node.operand,)


def _sides(node: Compare | Arith) -> tuple[Condition, ...]:
    return (node.left, node.right)


def _target(node: Index | Slice) -> tuple[Condition, ...]:
    return (node.target,)


def _item_and_options(node: In) -> tuple[Condition, ...]:
    return (node.item, node.options)


def _arguments(node: Call) -> tuple[Condition, ...]:
    return node.args


# The child nodes of each node kind that has any (list items are values, not children).
_CHILDREN: dict[type, Callable[[Any], tuple[Condition, ...]]] = {
    And: _operands,
    Or: _operands,
    Not: _operand,
    Neg: _operand,
    Compare: _sides,
    Arith: _sides,
    Index: _target,
    Slice: _target,
    In: _item_and_options,
    Call: _arguments,
}


def children(node: object) -> tuple[Condition, ...]:
    """Return the child nodes of ``node`` (list items are values, not children)."""
    child_nodes = _CHILDREN.get(_node_type(node))
    return () if child_nodes is None else child_nodes(node)


def tree_depth(root: Condition) -> int:
    """Return the depth of a tree without recursion (a leaf has depth 1)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, CONDITION_TYPES):
            raise RuleError(f"{node!r} is not a condition node")
        deepest = max(deepest, depth)
        if deepest > DEPTH_CEILING:
            return deepest
        stack.extend((child, depth + 1) for child in children(node))
    return deepest


# --------------------------------------------------------------------------------------------
# Precedence and literals


_LEVELS: dict[type, int] = {
    Or: _OR,
    And: _AND,
    Not: _NOT,
    Compare: _CMP,
    In: _CMP,
    Neg: _UNARY,
    Index: _POSTFIX,
    Slice: _POSTFIX,
}


def _precedence(node: Condition) -> int:
    if isinstance(node, Arith):
        return _ADD if node.op in (ArithOp.ADD, ArithOp.SUB) else _MUL
    if _is_negative_number(node):
        return _UNARY
    return _LEVELS.get(_node_type(node), _ATOM)


def _is_negative_number(node: object) -> bool:
    return (
        isinstance(node, Const)
        and isinstance(node.value, float)
        and math.copysign(1.0, node.value) < 0
    )


def _format_number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
        return "-0" if text == "0" and math.copysign(1.0, value) < 0 else text
    return repr(value)


def _format_const(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return _format_number(value)
    text = str(value)
    quote = "'" if '"' in text else '"'
    return f"{quote}{text}{quote}"


# --------------------------------------------------------------------------------------------
# Writers, one per node kind


def render(node: Condition) -> str:
    """Render a condition tree as canonical text with the fewest parentheses.

    ``parse(render(node)) == node`` holds for every tree (within the parser's limits).

    Args:
        node: The condition tree.

    Returns:
        The text, e.g. ``total >= 90 and kpi.csat.score >= 100``.

    Raises:
        RuleError: If ``node`` is not a condition tree.
        RuleLimitError: If the tree is deeper than :data:`DEPTH_CEILING`.

    Example:
        >>> from perfmgmt.model.condition import Compare, CompareOp, Const, field
        >>> render(Compare(op=CompareOp.GE, left=field("total"), right=Const(value=90)))
        'total >= 90'
    """
    depth = tree_depth(node)
    if depth > DEPTH_CEILING:
        raise RuleLimitError(f"the condition nests deeper than {DEPTH_CEILING}; cannot render it")
    return _render(node)


def _render(node: Condition) -> str:
    write = _WRITERS.get(_node_type(node))
    if write is None:
        raise RuleError(f"{node!r} is not a condition node")
    return write(node)


def _wrap(node: Condition, minimum: int) -> str:
    text = _render(node)
    return f"({text})" if _precedence(node) < minimum else text


def _write_const(node: Const) -> str:
    return _format_const(node.value)


def _write_list(node: ListConst) -> str:
    return "[" + ", ".join(_format_const(item.value) for item in node.items) + "]"


def _write_field(node: Field) -> str:
    return node.name


def _write_or(node: Or) -> str:
    return " or ".join(_wrap(op, _AND) for op in node.operands)


def _write_and(node: And) -> str:
    return " and ".join(_wrap(op, _NOT) for op in node.operands)


def _write_not(node: Not) -> str:
    return "not " + _wrap(node.operand, _NOT)


def _write_compare(node: Compare) -> str:
    return f"{_wrap(node.left, _ADD)} {node.op.value} {_wrap(node.right, _ADD)}"


def _write_in(node: In) -> str:
    word = "not in" if node.negated else "in"
    return f"{_wrap(node.item, _ADD)} {word} {_wrap(node.options, _ADD)}"


def _write_arith(node: Arith) -> str:
    own = _precedence(node)
    return f"{_wrap(node.left, own)} {node.op.value} {_wrap(node.right, own + 1)}"


def _write_neg(node: Neg) -> str:
    operand = node.operand
    is_number = isinstance(operand, Const) and isinstance(operand.value, float)
    if is_number and not _is_negative_number(operand):
        # `-5` would read back as the constant -5, not as the negation of 5.
        return f"-({_render(operand)})"
    return "-" + _wrap(operand, _UNARY)


def _write_index(node: Index) -> str:
    return f"{_wrap(node.target, _POSTFIX)}[{node.index}]"


def _write_slice(node: Slice) -> str:
    start = "" if node.start is None else str(node.start)
    stop = "" if node.stop is None else str(node.stop)
    return f"{_wrap(node.target, _POSTFIX)}[{start}:{stop}]"


def _write_call(node: Call) -> str:
    return f"{node.func.value}(" + ", ".join(_render(a) for a in node.args) + ")"


# One writer per node type of the closed condition AST.
_WRITERS: dict[type, Callable[[Any], str]] = {
    Const: _write_const,
    ListConst: _write_list,
    Field: _write_field,
    Or: _write_or,
    And: _write_and,
    Not: _write_not,
    Compare: _write_compare,
    In: _write_in,
    Arith: _write_arith,
    Neg: _write_neg,
    Index: _write_index,
    Slice: _write_slice,
    Call: _write_call,
}
