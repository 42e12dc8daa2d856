"""The compiled rule program: a rule set checked and compiled once for frames of one shape.

:meth:`RuleEvaluator.compile <perfmgmt.rules.evaluate.RuleEvaluator.compile>` returns a
:class:`RuleProgram`; the evaluator caches it and runs it on every frame with the same field
types.  Building one checks everything that can be checked before any data is seen: rule keys are
unique, every condition type-checks against the schema, every table's cells fit its input
columns, every outcome is in one currency and every percent is exact to ``1e-6`` %.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from perfmgmt._unary import CellKind
from perfmgmt.errors import RuleError
from perfmgmt.model.incentive import Bonus, DecisionTable, Deduction, IncentiveRule
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules.compile import CompiledCondition, compile_condition
from perfmgmt.rules.parse import Limits, render
from perfmgmt.rules.payout import MoneyTerms, money_terms
from perfmgmt.rules.schema import FieldSchema, FieldType
from perfmgmt.rules.tables import CompiledTable, compile_table

__all__ = ["RuleProgram", "RuleSet", "build_program", "rule_items"]

RuleSet: TypeAlias = "Scheme | Sequence[IncentiveRule | DecisionTable]"
"""What the evaluator accepts as rules: a scheme, or rules and decision tables."""

# FieldType value -> the cell kind a table may test it with (vectors: none)
_CELL_KINDS: dict[str, CellKind] = {
    "number": CellKind.NUMBER,
    "text": CellKind.TEXT,
    "bool": CellKind.BOOL,
}

#: The money of all rules and rows together stays below this many minor units (or percent
#: steps), so that sums of whole numbers stay exact in int64 and in float64 alike.
_MONEY_REACH = 2**52


@attrs.frozen(kw_only=True, eq=False)
class RuleProgram:
    """A rule set compiled for frames of one shape; run it with the evaluator.

    Made by :meth:`RuleEvaluator.compile <perfmgmt.rules.evaluate.RuleEvaluator.compile>`, which
    caches it per rule set and field types; :meth:`RuleEvaluator.evaluate_frame
    <perfmgmt.rules.evaluate.RuleEvaluator.evaluate_frame>` runs it.

    Attributes:
        items: The rules and tables as given.
        scheme_hash: The scheme's content hash ("" for loose rules).
        rules: The rules in evaluation order: priority (highest first), then declaration.
        conditions: Each rule's compiled condition, in the order of ``rules``.
        texts: Each rule's condition as text.
        tables: The compiled decision tables, in declaration order.
        rule_money: Each rule's money lines (:class:`~perfmgmt.rules.payout.MoneyTerms`).
        row_money: Per table, each row's money lines.
        currency: The currency of every amount (given, or the outcomes'), None when unknown.
        has_money: Whether some rule or row awards a bonus or deduction.
        percents: Every distinct percent-of-base-pay numerator (over ``PCT_SCALE``).
        text_fields: The text columns read (encoded once per evaluation).
        fields: Every column a rule or table reads, sorted.
    """

    items: tuple[IncentiveRule | DecisionTable, ...]
    scheme_hash: str
    rules: tuple[IncentiveRule, ...]
    conditions: tuple[CompiledCondition, ...]
    texts: tuple[str, ...]
    tables: tuple[CompiledTable, ...]
    rule_money: tuple[MoneyTerms, ...]
    row_money: tuple[tuple[MoneyTerms, ...], ...]
    currency: str | None
    has_money: bool
    percents: tuple[int, ...]
    text_fields: tuple[str, ...]
    fields: tuple[str, ...]

    @property
    def rule_keys(self) -> tuple[str, ...]:
        """The rule keys in evaluation order."""
        return tuple(r.key for r in self.rules)

    @property
    def table_keys(self) -> tuple[str, ...]:
        """The table keys in declaration order."""
        return tuple(ct.table.key for ct in self.tables)


def rule_items(rules: RuleSet) -> tuple[tuple[IncentiveRule | DecisionTable, ...], str]:
    """Return the rules and tables of ``rules`` and the scheme's content hash ("" if loose).

    Raises:
        RuleError: An item that is neither a rule nor a table.
    """
    if isinstance(rules, Scheme):
        return (*rules.rules, *rules.tables), rules.content_hash
    if isinstance(rules, IncentiveRule | DecisionTable):
        return (rules,), ""
    items = tuple(rules)
    for k, item in enumerate(items):
        if not isinstance(item, IncentiveRule | DecisionTable):
            raise RuleError(
                f"rules[{k}]: {item!r} is not allowed; expected an IncentiveRule or a "
                "DecisionTable (or pass a Scheme)"
            )
    return items, ""


def _outcome_currency(items: Sequence[IncentiveRule | DecisionTable]) -> str | None:
    for item in items:
        outs = (
            item.outcomes
            if isinstance(item, IncentiveRule)
            else tuple(o for row in item.rows for o in row.outputs)
        )
        for o in outs:
            if isinstance(o, Bonus | Deduction) and o.currency is not None:
                return o.currency
    return None


def _text_fields(
    schema: FieldSchema,
    conditions: Sequence[CompiledCondition],
    tables: Sequence[CompiledTable],
) -> tuple[str, ...]:
    names = {
        name
        for cond in conditions
        for name in cond.fields
        if schema.fields[name].element is FieldType.TEXT
    }
    names.update(
        field
        for ct in tables
        for c, field in enumerate(ct.fields)
        if any(row[c].kind is CellKind.TEXT for row in ct.tests)
    )
    return tuple(sorted(names))


def _compile_rules(
    rules: Sequence[IncentiveRule], schema: FieldSchema, limits: Limits | None
) -> tuple[CompiledCondition, ...]:
    kwargs: dict[str, Any] = {} if limits is None else {"limits": limits}
    conditions = []
    for r in rules:
        try:
            conditions.append(compile_condition(r.condition, schema, **kwargs))
        except RuleError as exc:
            raise type(exc)(f"rule {r.key!r}: {exc}") from None
    return tuple(conditions)


def _check_reach(terms: Sequence[MoneyTerms]) -> None:
    reach = sum(
        abs(m.bonus_fixed) + abs(m.deduction_fixed) + sum(map(abs, m.percents)) for m in terms
    )
    if reach >= _MONEY_REACH:
        raise RuleError(
            f"rules: the amounts of all rules and table rows add up to {reach} minor "
            f"units or percent steps; at most {_MONEY_REACH} are allowed"
        )


def build_program(
    items: tuple[IncentiveRule | DecisionTable, ...],
    schema: FieldSchema,
    *,
    currency: str | None = None,
    limits: Limits | None = None,
    scheme_hash: str = "",
) -> RuleProgram:
    """Check and compile rules and tables against ``schema``.

    Args:
        items: The rules and tables.
        schema: The fields they may read.
        currency: The currency of base pay and amounts; default the outcomes'.
        limits: Safety limits for conditions (default :class:`~perfmgmt.rules.parse.Limits`).
        scheme_hash: Recorded on the program.

    Returns:
        The program.

    Raises:
        RuleError: Duplicate keys, a condition or table that does not check, outcomes in two
            currencies, an inexact percent, or amounts too large to add up exactly.
    """
    keys = [x.key for x in items]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise RuleError(f"rules: keys {dupes!r} appear more than once; keys must be unique")
    loose = [(k, x) for k, x in enumerate(items) if isinstance(x, IncentiveRule)]
    rules = tuple(x for _k, x in sorted(loose, key=lambda kx: (-kx[1].priority, kx[0])))
    tables = tuple(x for x in items if isinstance(x, DecisionTable))
    cur = currency or _outcome_currency(items)
    conditions = _compile_rules(rules, schema, limits)
    compiled_tables = tuple(compile_table(t) for t in tables)
    kinds: Mapping[str, CellKind | None] = {
        name: _CELL_KINDS.get(ft.value) for name, ft in schema.fields.items()
    }
    for ct in compiled_tables:
        ct.check_inputs(kinds)
    rule_money = tuple(money_terms(r.outcomes, cur, f"rule {r.key!r}") for r in rules)
    row_money = tuple(
        tuple(
            money_terms(row.outputs, cur, f"table {t.key!r} rows[{j}]")
            for j, row in enumerate(t.rows)
        )
        for t in tables
    )
    every = (*rule_money, *(m for rows in row_money for m in rows))
    _check_reach(every)
    return RuleProgram(
        items=items,
        scheme_hash=scheme_hash,
        rules=rules,
        conditions=conditions,
        texts=tuple(render(r.condition) for r in rules),
        tables=compiled_tables,
        rule_money=rule_money,
        row_money=row_money,
        currency=cur,
        has_money=any(m.has_money for m in every),
        percents=tuple(sorted({p for m in every for p in m.percents})),
        text_fields=_text_fields(schema, conditions, compiled_tables),
        fields=tuple(
            sorted(
                {f for c in conditions for f in c.fields}
                | {f for ct in compiled_tables for f in ct.fields}
            )
        ),
    )
