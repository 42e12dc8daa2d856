"""Tests for perfmgmt.model.incentive: outcomes, rules, decision tables, pool, unary tests."""

from __future__ import annotations

import contextlib
import math
from decimal import Decimal
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfmgmt.model.incentive as incentive_module
from perfmgmt.errors import PerfmgmtError, RuleError, ValidationError
from perfmgmt.model.condition import Compare, CompareOp, Const, field
from perfmgmt.model.incentive import (
    MAX_TABLE_INPUTS,
    MAX_TABLE_ROWS,
    AdjustmentKind,
    Bonus,
    BonusBasis,
    BonusPool,
    CellKind,
    CollectAggregation,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    Honour,
    IncentiveRule,
    Interval,
    PositionAdjustment,
    Promotion,
    TableInput,
    TableRow,
    TrainingOpportunity,
    parse_unary_test,
)


def _condition() -> Compare:
    return Compare(op=CompareOp.GE, left=field("total"), right=Const(value=90))


class TestUnaryTest:
    def test_dash_is_any(self) -> None:
        """A lone dash is the 'any value' test."""
        assert parse_unary_test(" - ").kind is CellKind.ANY

    def test_comparison(self) -> None:
        """'>= 90' is the half-line from 90 inclusive."""
        t = parse_unary_test(">= 90")
        assert t.kind is CellKind.NUMBER
        assert t.intervals == (
            Interval(low=90.0, high=math.inf, low_closed=True, high_closed=False),
        )

    def test_interval_ends(self) -> None:
        """'[80..90)' includes 80 and excludes 90."""
        (iv,) = parse_unary_test("[80..90)").intervals
        assert (iv.low, iv.high, iv.low_closed, iv.high_closed) == (80.0, 90.0, True, False)

    def test_text_options_with_escape(self) -> None:
        """Quoted options become text options with backslash escapes."""
        t = parse_unary_test('"A", "B\\"x"')
        assert t.kind is CellKind.TEXT
        assert t.texts == ("A", 'B"x')

    def test_negation(self) -> None:
        """not(...) negates the options."""
        t = parse_unary_test('not("E", "D")')
        assert t.negated
        assert t.texts == ("E", "D")

    def test_negative_number_is_not_dash(self) -> None:
        """'-5' is the number minus five, not 'any'."""
        assert parse_unary_test("-5").intervals[0].low == -5.0

    def test_bool(self) -> None:
        """true/false are boolean options."""
        assert parse_unary_test("true").bools == (True,)

    @pytest.mark.parametrize(
        "text",
        ["", ">=", "[90..80]", "[1..2", '"A", 5', '> "A"', "1e999", "__import__('os')", "a.b"],
    )
    def test_bad_cells_refused(self, text: str) -> None:
        """Malformed cells raise RuleError naming the cell."""
        with pytest.raises(RuleError, match="decision table cell"):
            parse_unary_test(text)

    def test_too_long_refused(self) -> None:
        """Cells longer than the limit are refused before parsing."""
        with pytest.raises(RuleError, match="too long"):
            parse_unary_test("1," * 400)

    @given(st.text(max_size=40))
    def test_random_text_raises_only_rule_error(self, text: str) -> None:
        """Random text either parses or raises a RuleError, never anything else."""
        with contextlib.suppress(RuleError):
            parse_unary_test(text)


class TestOutcomes:
    def test_percent_bonus(self) -> None:
        """A percent-of-base-pay bonus needs no currency."""
        b = Bonus.percent_of_base_pay(Decimal("10"))
        assert b.basis is BonusBasis.PERCENT_OF_BASE_PAY
        assert b.currency is None

    def test_float_refused(self) -> None:
        """A float value is refused: money is exact."""
        with pytest.raises(ValidationError, match=r"Bonus\.value.*Decimal"):
            Bonus(basis=BonusBasis.FIXED_AMOUNT, value=100.0, currency="CNY")  # type: ignore[arg-type]

    def test_fixed_needs_currency(self) -> None:
        """A fixed bonus without a currency is refused naming the field."""
        with pytest.raises(ValidationError, match=r"Bonus\.currency"):
            Bonus(basis=BonusBasis.FIXED_AMOUNT, value=Decimal(100))

    def test_multiple_needs_target(self) -> None:
        """A multiple of target bonus needs the target amount."""
        with pytest.raises(ValidationError, match="target_bonus"):
            Bonus(basis=BonusBasis.MULTIPLE_OF_TARGET_BONUS, value=Decimal(1), currency="CNY")
        b = Bonus.multiple_of_target(Decimal("1.5"), Decimal(2000), "CNY")
        assert b.target_bonus == Decimal(2000)

    def test_target_only_for_multiple(self) -> None:
        """A target bonus on a fixed bonus is refused."""
        with pytest.raises(ValidationError, match="only allowed"):
            Bonus(
                basis=BonusBasis.FIXED_AMOUNT,
                value=Decimal(1),
                currency="CNY",
                target_bonus=Decimal(1),
            )

    def test_bad_currency(self) -> None:
        """A currency that is not three upper-case letters is refused."""
        with pytest.raises(ValidationError, match="ISO 4217"):
            Bonus.fixed(Decimal(1), "yuan")

    def test_negative_refused(self) -> None:
        """A negative amount is refused."""
        with pytest.raises(ValidationError, match=">= 0"):
            Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=Decimal(-1))

    def test_deduction_fixed_needs_currency(self) -> None:
        """A fixed deduction needs a currency."""
        with pytest.raises(ValidationError, match=r"Deduction\.currency"):
            Deduction(basis=DeductionBasis.FIXED_AMOUNT, value=Decimal(100))

    def test_other_outcomes(self) -> None:
        """The non-money outcomes validate their fields."""
        assert Promotion(to_grade="M2").to_grade == "M2"
        assert TrainingOpportunity(topic="Coaching", kpi="csat").kpi == "csat"
        assert Honour(title="Service star").title == "Service star"
        assert PositionAdjustment(kind=AdjustmentKind.TRANSFER).kind is AdjustmentKind.TRANSFER
        with pytest.raises(ValidationError):
            Honour(title=" ")
        with pytest.raises(ValidationError):
            PositionAdjustment(kind="demotion")  # type: ignore[arg-type]


class TestIncentiveRule:
    def test_build(self) -> None:
        """A rule holds a condition and at least one outcome; outcomes become a tuple."""
        r = IncentiveRule(key="top", condition=_condition(), outcomes=[Honour(title="Star")])
        assert r.outcomes == (Honour(title="Star"),)
        assert attrs.evolve(r, priority=3).priority == 3

    def test_no_outcome_refused(self) -> None:
        """A rule without outcomes is refused."""
        with pytest.raises(ValidationError, match="outcomes"):
            IncentiveRule(key="top", condition=_condition(), outcomes=())

    def test_condition_must_be_node(self) -> None:
        """A condition given as text is refused with a hint to use rule()."""
        with pytest.raises(ValidationError, match=r"rule\(key"):
            IncentiveRule(key="top", condition="total >= 90", outcomes=(Honour(title="S"),))  # type: ignore[arg-type]


def _table(**kw: object) -> DecisionTable:
    args: dict[str, object] = {
        "key": "bonus",
        "inputs": (TableInput(field="total"),),
        "rows": (
            TableRow(inputs=(">= 90",), outputs=(Bonus.percent_of_base_pay(Decimal(15)),)),
            TableRow(inputs=("[80..90)",), outputs=(Bonus.percent_of_base_pay(Decimal(8)),)),
        ),
        "hit_policy": HitPolicy.FIRST,
    }
    args.update(kw)
    return DecisionTable(**args)  # type: ignore[arg-type]


class TestDecisionTable:
    def test_build(self) -> None:
        """A well-formed table builds and keeps cells as text."""
        t = _table()
        assert t.rows[1].inputs == ("[80..90)",)

    def test_bad_cell_names_row_and_cell(self) -> None:
        """A malformed cell is refused naming the cell index."""
        with pytest.raises(RuleError, match=r"TableRow\.inputs\[0\]"):
            TableRow(inputs=(">= ninety",), outputs=())

    def test_cell_count_must_match(self) -> None:
        """A row with the wrong number of cells is refused."""
        with pytest.raises(ValidationError, match="rows\\[0\\] has 2 cells"):
            _table(rows=(TableRow(inputs=("-", "-"), outputs=()),))

    def test_column_kinds_must_agree(self) -> None:
        """A column mixing text and number tests is refused."""
        with pytest.raises(ValidationError, match="mixes"):
            _table(
                rows=(
                    TableRow(inputs=(">= 1",), outputs=()),
                    TableRow(inputs=('"A"',), outputs=()),
                )
            )

    def test_aggregation_only_for_collect(self) -> None:
        """An aggregation on a FIRST table is refused."""
        with pytest.raises(ValidationError, match="aggregation"):
            _table(aggregation=CollectAggregation.SUM)
        t = _table(hit_policy=HitPolicy.COLLECT, aggregation=CollectAggregation.MAX)
        assert t.aggregation is CollectAggregation.MAX

    def test_field_names(self) -> None:
        """Input fields must be dotted names without dunders."""
        with pytest.raises(ValidationError, match="dotted field name"):
            TableInput(field="total.__class__")
        assert TableInput(field="kpi.csat.score").field == "kpi.csat.score"

    def test_duplicate_inputs_refused(self) -> None:
        """The same field may not be two columns."""
        with pytest.raises(ValidationError, match="repeat"):
            _table(
                inputs=(TableInput(field="total"), TableInput(field="total")),
                rows=(TableRow(inputs=("-", "-"), outputs=()),),
            )

    def test_errors_are_perfmgmt_errors(self) -> None:
        """Every refusal is a PerfmgmtError."""
        with pytest.raises(PerfmgmtError):
            _table(rows=())


def _cell_for(kind: int, i: int) -> str:
    return ("-", f"[{i}..{i + 1})", f">= {i}", '"A","B"', "true")[kind]


class TestDecisionTableBounds:
    @given(
        n=st.integers(1, 60),
        kinds=st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=4),
    )
    def test_construction_parses_each_cell_a_fixed_number_of_times(
        self, n: int, kinds: list[int]
    ) -> None:
        """Building a table parses each cell at most twice (row, then table): linear work."""
        calls = 0
        real = incentive_module.parse_unary_test

        def counting(text: str) -> object:
            nonlocal calls
            calls += 1
            return real(text)

        with mock.patch.object(incentive_module, "parse_unary_test", counting):
            rows = [
                TableRow(inputs=tuple(_cell_for(k, i) for k in kinds), outputs=()) for i in range(n)
            ]
            DecisionTable(
                key="t",
                inputs=tuple(TableInput(field=f"f{j}") for j in range(len(kinds))),
                rows=rows,
                hit_policy=HitPolicy.FIRST,
            )
        assert calls <= 2 * n * len(kinds)

    def test_largest_table_builds(self) -> None:
        """A table of MAX_TABLE_ROWS rows builds (the issue's 2,000-row case took 40 s)."""
        rows = [TableRow(inputs=(_cell_for(1, i),), outputs=()) for i in range(MAX_TABLE_ROWS)]
        assert len(_table(rows=rows).rows) == MAX_TABLE_ROWS

    def test_too_many_rows_refused(self) -> None:
        """One row over the limit is refused, naming the count and the limit."""
        rows = [TableRow(inputs=("-",), outputs=())] * (MAX_TABLE_ROWS + 1)
        with pytest.raises(ValidationError, match=f"{MAX_TABLE_ROWS + 1} rows .* {MAX_TABLE_ROWS}"):
            _table(rows=rows)

    def test_too_many_inputs_refused(self) -> None:
        """One input column over the limit is refused."""
        width = MAX_TABLE_INPUTS + 1
        with pytest.raises(ValidationError, match="input columns"):
            _table(
                inputs=tuple(TableInput(field=f"f{j}") for j in range(width)),
                rows=(TableRow(inputs=("-",) * width, outputs=()),),
            )

    def test_late_kind_clash_names_first_row(self) -> None:
        """A clash found late names the row that fixed the column's kind and the clashing row."""
        rows = [TableRow(inputs=("-",), outputs=())] * 5
        rows += [TableRow(inputs=(">= 1",), outputs=()), TableRow(inputs=("-",), outputs=())]
        rows += [TableRow(inputs=('"A"',), outputs=())]
        with pytest.raises(ValidationError, match=r"rows\[5\].*rows\[7\]"):
            _table(rows=rows)


class TestBonusPool:
    def test_defaults(self) -> None:
        """A pool needs only a currency; proration is on by default."""
        p = BonusPool(currency="CNY")
        assert p.amount is None
        assert p.prorate

    def test_float_refused(self) -> None:
        """A float pool amount is refused."""
        with pytest.raises(ValidationError, match=r"BonusPool\.amount"):
            BonusPool(currency="CNY", amount=1000.0)  # type: ignore[arg-type]
