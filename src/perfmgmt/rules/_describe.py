"""Conditions in words: ``total >= 90 and kpi.csat.score > 80`` read aloud in a language.

:func:`describe_condition` writes a condition tree for people: in English it is the canonical
text (what the user typed, :func:`~perfmgmt.rules.parse.render`), in Chinese every operator and
known field name is a word (``总分 不低于 90 并且 客户满意度得分的得分 高于 80``).  Names the
library does not know (the user's own fields, KPI keys without a label) are shown as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from perfmgmt._words import word
from perfmgmt.errors import RuleError
from perfmgmt.model.condition import (
    And,
    Arith,
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
from perfmgmt.rules._render import _format_number, render

__all__ = ["describe_condition"]

_OWNERS = ("kpi", "criterion", "category")


def describe_condition(
    condition: Condition, lang: str = "en", *, labels: Mapping[str, str] | None = None
) -> str:
    """Return ``condition`` in words for people reading ``lang``.

    Args:
        condition: A condition tree, e.g. ``parse("total >= 90")``.
        lang: ``"en"`` (the canonical rule text) or ``"zh"`` (operators and known field names
            as Chinese words).
        labels: Display names for the keys in field names (KPI, criterion, category keys),
            e.g. ``{"csat": "客户满意度得分"}``; a key without one is shown as typed.

    Returns:
        The text.

    Raises:
        RuleError: On a language other than ``"en"`` or ``"zh"``.

    Example:
        >>> from perfmgmt.rules import describe_condition, parse
        >>> describe_condition(parse('total >= 90 and rating in ["A", "B"]'), "zh")
        '总分 不低于 90 并且 评级 属于 “A”、“B”'
    """
    if lang == "en":
        return render(condition)
    if lang != "zh":
        raise RuleError(f"describe_condition: lang {lang!r} is not allowed; expected 'en' or 'zh'")
    return _Writer(labels or {}).write(condition)


class _Writer:
    """Write one tree in Chinese, wrapping a nested and/or in parentheses."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels
        self.writers: dict[type, Callable[[Any], str]] = {
            Const: self._const,
            ListConst: self._list,
            Field: self._field,
            Or: self._or,
            And: self._and,
            Not: self._not,
            Compare: self._compare,
            In: self._in,
            Arith: self._arith,
            Neg: self._neg,
            Index: self._index,
            Slice: self._slice,
            Call: self._call,
        }

    def write(self, node: Condition) -> str:
        writer = next((w for t, w in self.writers.items() if isinstance(node, t)), None)
        if writer is None:
            raise RuleError(f"describe_condition: {type(node).__name__} is not a condition node")
        return writer(node)

    def _wrapped(self, node: Condition) -> str:
        text = self.write(node)
        return f"({text})" if isinstance(node, And | Or | Arith) else text

    def _const(self, node: Const) -> str:
        value = node.value
        if isinstance(value, bool):
            return word(f"cond.{str(value).lower()}", "zh")
        if value is None:
            return word("cond.null", "zh")
        if isinstance(value, float):
            return _format_number(value)
        return f"“{value}”"

    def _list(self, node: ListConst) -> str:
        return "、".join(self._const(item) for item in node.items)

    def _segment(self, name: str) -> str:
        return word(f"cond.{name}", "zh", default=name)

    def _field(self, node: Field) -> str:
        path = node.path
        if len(path) >= 2 and path[0] in _OWNERS:  # kpi.csat.score -> 客户满意度得分的得分
            owner = self.labels.get(path[1], path[1])
            rest = "".join(self._segment(p) for p in path[2:])
            return word("cond.of", "zh").format(owner=owner, field=rest) if rest else owner
        return "".join(self._segment(p) for p in path)

    def _or(self, node: Or) -> str:
        return f" {word('cond.or', 'zh')} ".join(self._wrapped(op) for op in node.operands)

    def _and(self, node: And) -> str:
        return f" {word('cond.and', 'zh')} ".join(
            f"({self.write(op)})" if isinstance(op, Or) else self.write(op) for op in node.operands
        )

    def _not(self, node: Not) -> str:
        return f"{word('cond.not', 'zh')} {self._wrapped(node.operand)}"

    def _compare(self, node: Compare) -> str:
        op = word(f"cond.{node.op.value}", "zh")
        return f"{self._wrapped(node.left)} {op} {self._wrapped(node.right)}"

    def _in(self, node: In) -> str:
        op = word("cond.not_in" if node.negated else "cond.in", "zh")
        return f"{self._wrapped(node.item)} {op} {self._list(node.options)}"

    def _arith(self, node: Arith) -> str:
        op = {"*": "×", "/": "÷"}.get(node.op.value, node.op.value)
        return f"{self._wrapped(node.left)} {op} {self._wrapped(node.right)}"

    def _neg(self, node: Neg) -> str:
        return f"-{self._wrapped(node.operand)}"

    def _index(self, node: Index) -> str:
        target = node.target
        if isinstance(target, Field) and target.path[0] == "history" and node.index < 0:
            field = "".join(self._segment(p) for p in target.path[1:])
            return word("cond.previous", "zh").format(field=field, n=-node.index)
        return f"{self.write(target)}[{node.index}]"

    def _slice(self, node: Slice) -> str:
        start = "" if node.start is None else str(node.start)
        stop = "" if node.stop is None else str(node.stop)
        return f"{self.write(node.target)}[{start}:{stop}]"

    def _call(self, node: Call) -> str:
        args = "、".join(self.write(a) for a in node.args)
        return f"{word(f'cond.{node.func.value}', 'zh')}({args})"
