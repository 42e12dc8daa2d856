"""Checks of the incentive rules: a condition no achievable score meets, or every one does."""

from __future__ import annotations

import enum

from perfmgmt.analytics.lint._fields import _Fields
from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.model.condition import (
    And,
    Compare,
    CompareOp,
    Condition,
    Const,
    Field,
    In,
    Index,
    Not,
    Or,
    Slice,
)
from perfmgmt.model.incentive import IncentiveRule
from perfmgmt.model.scheme import Scheme


class _Reach(enum.Enum):
    NEVER = "never"
    ALWAYS = "always"
    MAYBE = "maybe"


_FLIP = {
    CompareOp.LT: CompareOp.GT,
    CompareOp.LE: CompareOp.GE,
    CompareOp.GT: CompareOp.LT,
    CompareOp.GE: CompareOp.LE,
    CompareOp.EQ: CompareOp.EQ,
    CompareOp.NE: CompareOp.NE,
}


def _root_field(node: Condition) -> str | None:
    while isinstance(node, Index | Slice):
        node = node.target
    return node.name if isinstance(node, Field) else None


def _compare_number(op: CompareOp, lo: float, hi: float, c: float) -> _Reach:
    always_never = {
        CompareOp.GE: (lo >= c, hi < c),
        CompareOp.GT: (lo > c, hi <= c),
        CompareOp.LE: (hi <= c, lo > c),
        CompareOp.LT: (hi < c, lo >= c),
        CompareOp.EQ: (lo == hi == c, c < lo or c > hi),
        CompareOp.NE: (c < lo or c > hi, lo == hi == c),
    }
    always, never = always_never[op]
    if never:
        return _Reach.NEVER
    return _Reach.ALWAYS if always else _Reach.MAYBE


_NEGATED = {_Reach.NEVER: _Reach.ALWAYS, _Reach.ALWAYS: _Reach.NEVER, _Reach.MAYBE: _Reach.MAYBE}


def _reach(node: Condition, fields: _Fields) -> _Reach:
    """Return whether every, no or only some achievable score satisfies ``node``."""
    if isinstance(node, And):
        return _reach_all([_reach(o, fields) for o in node.operands])
    if isinstance(node, Or):
        return _reach_any([_reach(o, fields) for o in node.operands])
    if isinstance(node, Not):
        return _NEGATED[_reach(node.operand, fields)]
    if isinstance(node, Compare):
        return _reach_compare(node, fields)
    if isinstance(node, In):
        return _reach_in(node, fields)
    return _Reach.MAYBE


def _reach_all(parts: list[_Reach]) -> _Reach:
    if _Reach.NEVER in parts:
        return _Reach.NEVER
    return _Reach.ALWAYS if all(p is _Reach.ALWAYS for p in parts) else _Reach.MAYBE


def _reach_any(parts: list[_Reach]) -> _Reach:
    if _Reach.ALWAYS in parts:
        return _Reach.ALWAYS
    return _Reach.NEVER if all(p is _Reach.NEVER for p in parts) else _Reach.MAYBE


def _reach_compare(node: Compare, fields: _Fields) -> _Reach:
    op, left, right = node.op, node.left, node.right
    if isinstance(left, Const) and not isinstance(right, Const):
        op, left, right = _FLIP[op], right, left
    if not isinstance(right, Const):
        return _Reach.MAYBE
    value = right.value
    if isinstance(left, Field) and isinstance(value, float) and left.name in fields.numeric:
        lo, hi = fields.numeric[left.name]
        return _compare_number(op, lo, hi, value)
    root = _root_field(left)
    if isinstance(value, str) and root in ("rating", "history.rating"):
        return _compare_rating(op, root, value, fields)
    return _Reach.MAYBE


def _compare_rating(op: CompareOp, root: str, value: str, fields: _Fields) -> _Reach:
    """Compare this cycle's rating (reachable labels) or a past one (any label) with a label."""
    labels = fields.reachable if root == "rating" else frozenset(fields.ratings)
    if op is CompareOp.EQ and value not in labels:
        return _Reach.NEVER
    if op is CompareOp.NE and value not in labels and root == "rating":
        return _Reach.ALWAYS
    if root == "rating" and op is CompareOp.EQ and labels == {value}:
        return _Reach.ALWAYS
    return _Reach.MAYBE


def _reach_in(node: In, fields: _Fields) -> _Reach:
    if not (_root_field(node.item) == "rating" and isinstance(node.item, Field)):
        return _Reach.MAYBE
    options = {c.value for c in node.options.items}
    hit = bool(options & fields.reachable)
    full = fields.reachable <= options
    if node.negated:
        hit, full = not full, not hit
    if not hit:
        return _Reach.NEVER
    return _Reach.ALWAYS if full else _Reach.MAYBE


def _check_rules(scheme: Scheme, fields: _Fields) -> list[LintFinding]:
    out: list[LintFinding] = []
    for i, rule in enumerate(scheme.rules):
        reach = _reach(rule.condition, fields)
        if reach is _Reach.MAYBE:
            continue
        out.append(_rule_finding(i, rule, reach, fields))
    return out


def _rule_finding(i: int, rule: IncentiveRule, reach: _Reach, fields: _Fields) -> LintFinding:
    lo, hi = fields.numeric["total"]
    where = f"rules[{i}] ({rule.key})"
    if reach is _Reach.NEVER:
        return LintFinding(
            code="rule-never",
            severity=Severity.ERROR,
            location=where,
            message=f"rule {rule.key!r} can never fire: no achievable score satisfies its "
            f"condition (totals span {lo:g}..{hi:g}; reachable ratings "
            f"{sorted(fields.reachable)})",
            fix="lower the bar into the achievable range, or check the rating labels",
        )
    return LintFinding(
        code="rule-always",
        severity=Severity.WARNING,
        location=where,
        message=f"rule {rule.key!r} fires for every rated subject: every achievable score "
        "satisfies its condition",
        fix="raise the bar so the rule differentiates, or make it an unconditional policy",
    )
