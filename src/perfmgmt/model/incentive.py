"""Incentives and penalties as data: rules, outcomes, decision tables and the bonus pool.

Everything here is pure, frozen data.  An :class:`IncentiveRule` holds a condition AST (see
:mod:`perfmgmt.model.condition`) and the outcomes it awards; a :class:`DecisionTable` holds
FEEL-like unary-test cells as text, checked on construction.  The evaluator in
:mod:`perfmgmt.rules` gives them meaning.

Money is :class:`~decimal.Decimal` only (a float is refused) and currencies have ISO 4217's shape.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeAlias

import attrs

from perfmgmt._unary import CellKind, Interval, UnaryTest, parse_unary_test
from perfmgmt._validate import (
    compile_identifier,
    decimal_amount,
    fail,
    instance_of,
    integer,
    key,
    matches,
    non_empty,
    optional,
    tuple_of,
)
from perfmgmt.errors import RuleError, ValidationError
from perfmgmt.model.common import Label
from perfmgmt.model.condition import CONDITION_TYPES, Condition
from perfmgmt.model.money import check_currency, check_money_range

__all__ = [
    "MAX_MULTIPLE",
    "MAX_PERCENT",
    "MAX_TABLE_INPUTS",
    "MAX_TABLE_ROWS",
    "OUTCOME_TYPES",
    "AdjustmentKind",
    "Bonus",
    "BonusBasis",
    "BonusPool",
    "CellKind",
    "CollectAggregation",
    "DecisionTable",
    "Deduction",
    "DeductionBasis",
    "HitPolicy",
    "Honour",
    "IncentiveRule",
    "Interval",
    "Outcome",
    "PositionAdjustment",
    "Promotion",
    "TableInput",
    "TableRow",
    "TrainingOpportunity",
    "UnaryTest",
    "parse_unary_test",
]

MAX_PERCENT = Decimal(100_000)
"""The largest percent of base pay a bonus or deduction line may be (a thousand times base
pay): with base pay within the money limit, one line stays far inside int64 minor units."""

MAX_MULTIPLE = Decimal(100_000)
"""The largest multiple of the target bonus a bonus line may be; the line's amount must also
be within the money limit."""

MAX_TABLE_ROWS = 500
"""The most rows a decision table may have (bounded work: checks that compare rows pairwise
stay small)."""

MAX_TABLE_INPUTS = 20
"""The most input columns a decision table may have."""

_FIELD = compile_identifier(r"[A-Za-z][A-Za-z0-9_]{0,63}(\.[A-Za-z][A-Za-z0-9_]{0,63}){0,3}")


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_currency(value, f"{type(instance).__name__}.{attribute.name}")


def _non_negative_decimal(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    decimal_amount(instance, attribute, value)
    assert isinstance(value, Decimal)
    if value < 0:
        fail(instance, attribute, value, "expected an amount >= 0")


class BonusBasis(enum.Enum):
    """How a bonus amount is computed."""

    PERCENT_OF_BASE_PAY = "percent_of_base_pay"
    MULTIPLE_OF_TARGET_BONUS = "multiple_of_target_bonus"
    FIXED_AMOUNT = "fixed_amount"


class DeductionBasis(enum.Enum):
    """How a performance deduction is computed."""

    PERCENT_OF_BASE_PAY = "percent_of_base_pay"
    FIXED_AMOUNT = "fixed_amount"


class AdjustmentKind(enum.Enum):
    """The kinds of position adjustment (岗位调整)."""

    DEMOTION = "demotion"
    TRANSFER = "transfer"
    IMPROVEMENT_PLAN = "improvement_plan"


def _check_line_range(obj: Bonus | Deduction, target: Decimal | None) -> None:
    """Refuse a line whose amount could not be paid exactly (see ``MAX_MINOR_UNITS``)."""
    name = type(obj).__name__
    basis = obj.basis.value
    if basis == "percent_of_base_pay":
        if obj.value > MAX_PERCENT:
            raise ValidationError(
                f"{name}.value: {obj.value} % is not allowed; a percent of base pay is limited "
                f"to {MAX_PERCENT} %",
                field="value",
                value=obj.value,
            )
        return
    assert obj.currency is not None
    if basis == "multiple_of_target_bonus":
        assert target is not None
        if obj.value > MAX_MULTIPLE:
            raise ValidationError(
                f"{name}.value: {obj.value} is not allowed; a multiple of the target bonus is "
                f"limited to {MAX_MULTIPLE}",
                field="value",
                value=obj.value,
            )
        check_money_range(target, obj.currency, f"{name}.target_bonus")
        check_money_range(obj.value * target, obj.currency, f"{name}.value x target_bonus")
    else:
        check_money_range(obj.value, obj.currency, f"{name}.value")


def _check_basis_fields(
    obj: Bonus | Deduction, target: Decimal | None, *, needs_currency: bool, needs_target: bool
) -> None:
    name = type(obj).__name__
    if needs_currency and obj.currency is None:
        raise ValidationError(
            f"{name}.currency: None is not allowed for basis {obj.basis.value!r}; give an ISO "
            "4217 code such as 'CNY'",
            field="currency",
            value=None,
        )
    if needs_target and target is None:
        raise ValidationError(
            f"{name}.target_bonus: None is not allowed for basis {obj.basis.value!r}; give the "
            "target bonus amount as a Decimal",
            field="target_bonus",
            value=None,
        )
    if not needs_target and target is not None:
        raise ValidationError(
            f"{name}.target_bonus: {target!r} is only allowed with basis "
            f"'multiple_of_target_bonus', not {obj.basis.value!r}",
            field="target_bonus",
            value=target,
        )
    _check_line_range(obj, target)


@attrs.frozen(kw_only=True)
class Bonus:
    """A bonus award.

    Attributes:
        basis: How ``value`` is read.
        value: Percent of base pay (``Decimal("10")`` is 10 %), a multiple of ``target_bonus``
            (``Decimal("1.5")``), or a fixed amount — always a Decimal >= 0.
        currency: ISO 4217 code; required for a multiple or a fixed amount.  For a percent of
            base pay the population's currency is used (and must equal this one when given).
        target_bonus: The target bonus amount; required for ``MULTIPLE_OF_TARGET_BONUS`` only.
    """

    basis: BonusBasis = attrs.field(validator=instance_of(BonusBasis))
    value: Decimal = attrs.field(validator=_non_negative_decimal)
    currency: str | None = attrs.field(default=None, validator=_currency)
    target_bonus: Decimal | None = attrs.field(
        default=None, validator=optional(_non_negative_decimal)
    )

    def __attrs_post_init__(self) -> None:
        _check_basis_fields(
            self,
            self.target_bonus,
            needs_currency=self.basis is not BonusBasis.PERCENT_OF_BASE_PAY,
            needs_target=self.basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS,
        )

    @classmethod
    def percent_of_base_pay(cls, percent: Decimal, currency: str | None = None) -> Bonus:
        """Return a bonus of ``percent`` % of the subject's base pay."""
        return cls(basis=BonusBasis.PERCENT_OF_BASE_PAY, value=percent, currency=currency)

    @classmethod
    def multiple_of_target(cls, multiple: Decimal, target_bonus: Decimal, currency: str) -> Bonus:
        """Return a bonus of ``multiple`` times ``target_bonus``."""
        return cls(
            basis=BonusBasis.MULTIPLE_OF_TARGET_BONUS,
            value=multiple,
            target_bonus=target_bonus,
            currency=currency,
        )

    @classmethod
    def fixed(cls, amount: Decimal, currency: str) -> Bonus:
        """Return a fixed bonus of ``amount`` in ``currency``."""
        return cls(basis=BonusBasis.FIXED_AMOUNT, value=amount, currency=currency)


@attrs.frozen(kw_only=True)
class Deduction:
    """A performance deduction (绩效扣减).

    Attributes:
        basis: Percent of base pay or a fixed amount.
        value: The percent (``Decimal("5")`` is 5 %) or the amount, a Decimal >= 0.
        currency: ISO 4217 code; required for a fixed amount.
    """

    basis: DeductionBasis = attrs.field(validator=instance_of(DeductionBasis))
    value: Decimal = attrs.field(validator=_non_negative_decimal)
    currency: str | None = attrs.field(default=None, validator=_currency)

    def __attrs_post_init__(self) -> None:
        _check_basis_fields(
            self,
            None,
            needs_currency=self.basis is DeductionBasis.FIXED_AMOUNT,
            needs_target=False,
        )


@attrs.frozen(kw_only=True)
class Promotion:
    """Eligibility for promotion.

    Attributes:
        to_grade: The grade the subject becomes eligible for, when known.
        note: Free text for the reviewer.
    """

    to_grade: str | None = attrs.field(default=None, validator=optional(non_empty))
    note: str = attrs.field(default="", validator=instance_of(str))


@attrs.frozen(kw_only=True)
class TrainingOpportunity:
    """A training opportunity (培训机会), e.g. for a skill gap shown by a KPI.

    Attributes:
        topic: What the training is about.
        kpi: The KPI key the training addresses, if any.
    """

    topic: str = attrs.field(validator=non_empty)
    kpi: str | None = attrs.field(default=None, validator=optional(key))


@attrs.frozen(kw_only=True)
class Honour:
    """An honour or title (荣誉称号).

    Attributes:
        title: The honour, e.g. "Service star of the quarter".
    """

    title: str = attrs.field(validator=non_empty)


@attrs.frozen(kw_only=True)
class PositionAdjustment:
    """A position adjustment (岗位调整): demotion, transfer or improvement plan.

    Attributes:
        kind: Which adjustment.
        note: Free text for the reviewer.
    """

    kind: AdjustmentKind = attrs.field(validator=instance_of(AdjustmentKind))
    note: str = attrs.field(default="", validator=instance_of(str))


Outcome: TypeAlias = (
    Bonus | Promotion | TrainingOpportunity | Honour | Deduction | PositionAdjustment
)

OUTCOME_TYPES: tuple[type, ...] = (
    Bonus,
    Promotion,
    TrainingOpportunity,
    Honour,
    Deduction,
    PositionAdjustment,
)


def _as_tuple(value: Any) -> Any:
    # Non-iterables and strings pass through unchanged so the validator names the field.
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _to_outcomes(value: Iterable[Outcome]) -> tuple[Outcome, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _to_cells(value: Iterable[str]) -> tuple[str, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _to_inputs(value: Iterable[TableInput]) -> tuple[TableInput, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _to_rows(value: Iterable[TableRow]) -> tuple[TableRow, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _outcomes(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(*OUTCOME_TYPES)(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        fail(instance, attribute, value, "give at least one outcome (Bonus, Promotion, ...)")


def _condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, CONDITION_TYPES):
        fail(
            instance,
            attribute,
            value,
            "expected a condition node (see perfmgmt.model.condition); "
            "use perfmgmt.rules.rule(key, when='...') to build one from text",
        )


@attrs.frozen(kw_only=True)
class IncentiveRule:
    """A rule: when its condition holds, the subject gets its outcomes.

    Attributes:
        key: Identifier of the rule, unique within a scheme.
        condition: The condition AST.
        outcomes: What the rule awards (at least one).
        priority: Higher fires first in decisions and explanations; ties keep declaration order.
        label: Human label in English and Chinese.
        description: Free text.
    """

    key: str = attrs.field(validator=key)
    condition: Condition = attrs.field(validator=_condition)
    outcomes: tuple[Outcome, ...] = attrs.field(converter=_to_outcomes, validator=_outcomes)
    priority: int = attrs.field(default=0, validator=integer())
    label: Label | None = attrs.field(default=None, validator=optional(instance_of(Label)))
    description: str = attrs.field(default="", validator=instance_of(str))


class HitPolicy(enum.Enum):
    """DMN hit policies: which matching rows of a decision table count.

    ``UNIQUE``: at most one row may match (two is a violation, reported per subject).
    ``ANY``: several may match if their outputs are equal.  ``PRIORITY``: the matching row with
    the highest ``priority`` wins.  ``FIRST``: the first matching row wins.  ``RULE_ORDER``: all
    matching rows, in row order.  ``COLLECT``: all matching rows, optionally aggregated.
    """

    UNIQUE = "unique"
    ANY = "any"
    PRIORITY = "priority"
    FIRST = "first"
    RULE_ORDER = "rule_order"
    COLLECT = "collect"


class CollectAggregation(enum.Enum):
    """Aggregation of a ``COLLECT`` table over the matching rows.

    ``SUM`` keeps every matching row (their money amounts add up); ``MIN`` / ``MAX`` keep the
    one matching row whose net money amount (bonuses minus deductions) is lowest / highest;
    ``COUNT`` awards nothing and reports the number of matching rows.
    """

    SUM = "sum"
    MIN = "min"
    MAX = "max"
    COUNT = "count"


def _field_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (matches(value, _FIELD) and "__" not in value):
        fail(
            instance,
            attribute,
            value,
            "expected a dotted field name such as 'total', 'rating' or 'kpi.csat.score'",
        )


@attrs.frozen(kw_only=True)
class TableInput:
    """An input column of a decision table: a field of the rule schema.

    Attributes:
        field: Dotted field name, e.g. ``"total"``, ``"rating"``, ``"kpi.csat.score"``.
        label: Human label for the column header.
    """

    field: str = attrs.field(validator=_field_name)
    label: Label | None = attrs.field(default=None, validator=optional(instance_of(Label)))


def _cells(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(str)(instance, attribute, value)
    assert isinstance(value, tuple)
    for i, cell in enumerate(value):
        try:
            parse_unary_test(cell)
        except RuleError as exc:
            raise RuleError(f"{type(instance).__name__}.{attribute.name}[{i}]: {exc}") from None


@attrs.frozen(kw_only=True)
class TableRow:
    """One row of a decision table.

    Attributes:
        inputs: One unary test per input column, as text: ``">= 90"``, ``"[80..90)"``,
            ``'"A","B"'``, ``'not("E")'``, ``"-"`` (any value, also unknown).
        outputs: The outcomes the row awards (may be empty: "nothing").
        priority: Used by ``HitPolicy.PRIORITY``: the highest wins.
        annotation: Free text shown in explanations.
    """

    inputs: tuple[str, ...] = attrs.field(converter=_to_cells, validator=_cells)
    outputs: tuple[Outcome, ...] = attrs.field(
        converter=_to_outcomes, validator=tuple_of(*OUTCOME_TYPES)
    )
    priority: int = attrs.field(default=0, validator=integer())
    annotation: str = attrs.field(default="", validator=instance_of(str))


@attrs.frozen(kw_only=True)
class DecisionTable:
    """A DMN-style decision table.

    Attributes:
        key: Identifier, unique among a scheme's rules and tables.
        inputs: The input columns.
        rows: The rows, each with one cell per input.
        hit_policy: Which matching rows count.
        aggregation: For ``COLLECT`` only: how matching rows are aggregated (None keeps all).
        label: Human label.
        description: Free text.
    """

    key: str = attrs.field(validator=key)
    inputs: tuple[TableInput, ...] = attrs.field(
        converter=_to_inputs, validator=tuple_of(TableInput)
    )
    rows: tuple[TableRow, ...] = attrs.field(converter=_to_rows, validator=tuple_of(TableRow))
    hit_policy: HitPolicy = attrs.field(default=HitPolicy.UNIQUE, validator=instance_of(HitPolicy))
    aggregation: CollectAggregation | None = attrs.field(
        default=None, validator=optional(instance_of(CollectAggregation))
    )
    label: Label | None = attrs.field(default=None, validator=optional(instance_of(Label)))
    description: str = attrs.field(default="", validator=instance_of(str))

    def __attrs_post_init__(self) -> None:
        where = f"DecisionTable {self.key!r}"
        if not self.inputs:
            raise ValidationError(
                f"{where}: inputs is empty; give at least one input column",
                field="inputs",
                value=self.inputs,
            )
        if len(self.inputs) > MAX_TABLE_INPUTS:
            raise ValidationError(
                f"{where}: {len(self.inputs)} input columns is more than the limit of "
                f"{MAX_TABLE_INPUTS}; split the table",
                field="inputs",
                value=len(self.inputs),
            )
        fields = [i.field for i in self.inputs]
        if len(set(fields)) != len(fields):
            raise ValidationError(
                f"{where}: input fields {fields!r} repeat; each field may be one column only",
                field="inputs",
                value=fields,
            )
        if not self.rows:
            raise ValidationError(
                f"{where}: rows is empty; give at least one row", field="rows", value=self.rows
            )
        if len(self.rows) > MAX_TABLE_ROWS:
            raise ValidationError(
                f"{where}: {len(self.rows)} rows is more than the limit of {MAX_TABLE_ROWS}; "
                "split the table or use ranges that cover several rows",
                field="rows",
                value=len(self.rows),
            )
        self._check_column_kinds(where, fields)
        if self.aggregation is not None and self.hit_policy is not HitPolicy.COLLECT:
            raise ValidationError(
                f"{where}: aggregation {self.aggregation.value!r} is only allowed with hit policy "
                f"'collect', not {self.hit_policy.value!r}",
                field="aggregation",
                value=self.aggregation,
            )

    def _check_column_kinds(self, where: str, fields: list[str]) -> None:
        # One pass over the cells: each column remembers the first row that fixed its kind,
        # so every cell is parsed once and compared with that row only (linear in the cells).
        first: list[tuple[int, CellKind] | None] = [None] * len(fields)
        for i, row in enumerate(self.rows):
            if len(row.inputs) != len(fields):
                raise ValidationError(
                    f"{where}: rows[{i}] has {len(row.inputs)} cells but the table has "
                    f"{len(fields)} inputs ({', '.join(fields)}); give one cell per input",
                    field="rows",
                    value=row.inputs,
                )
            for j, cell in enumerate(row.inputs):
                kind = parse_unary_test(cell).kind
                seen = first[j]
                if kind is CellKind.ANY:
                    continue
                if seen is None:
                    first[j] = (i, kind)
                elif seen[1] is not kind:
                    k, other_kind = seen
                    raise ValidationError(
                        f"{where}: column {fields[j]!r} mixes {other_kind.value} "
                        f"(rows[{k}]: {self.rows[k].inputs[j]!r}) and {kind.value} "
                        f"(rows[{i}]: {cell!r}) tests; one column tests one kind",
                        field="rows",
                        value=cell,
                    )


@attrs.frozen(kw_only=True)
class BonusPool:
    """Limits on the money a cycle's decisions pay out.

    Attributes:
        currency: ISO 4217 code of every amount.
        amount: The pool; when the awards exceed it they are scaled down so the total equals it
            exactly.  None means no pool (caps and proration still apply).
        per_person_cap: The most any one subject receives, applied before the pool.
        prorate: Multiply each award by the subject's eligible fraction of the cycle.
    """

    currency: str = attrs.field(validator=_currency)
    amount: Decimal | None = attrs.field(default=None, validator=optional(_non_negative_decimal))
    per_person_cap: Decimal | None = attrs.field(
        default=None, validator=optional(_non_negative_decimal)
    )
    prorate: bool = attrs.field(default=True, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        for name in ("amount", "per_person_cap"):
            value = getattr(self, name)
            if value is not None:
                check_money_range(value, self.currency, f"BonusPool.{name}")
