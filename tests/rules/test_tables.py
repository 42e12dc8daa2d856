"""Tests for perfmgmt.rules.tables: cell matching, hit policies, static analysis."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt._unary import CellKind, UnaryTest, parse_unary_test
from perfmgmt.errors import RuleTypeError
from perfmgmt.model.incentive import (
    Bonus,
    CollectAggregation,
    DecisionTable,
    HitPolicy,
    Honour,
    TableInput,
    TableRow,
)
from perfmgmt.rules.frame import TextCodes
from perfmgmt.rules.tables import FindingKind, analyse_table, compile_table, match_cell


def _table(
    cells: list[tuple[str, ...]],
    *,
    fields: tuple[str, ...] = ("x",),
    policy: HitPolicy = HitPolicy.FIRST,
    aggregation: CollectAggregation | None = None,
    titles: list[str] | None = None,
    priorities: list[int] | None = None,
) -> DecisionTable:
    rows = tuple(
        TableRow(
            inputs=c,
            outputs=(Honour(title=titles[i] if titles else f"r{i}"),),
            priority=priorities[i] if priorities else 0,
        )
        for i, c in enumerate(cells)
    )
    return DecisionTable(
        key="t",
        inputs=tuple(TableInput(field=f) for f in fields),
        rows=rows,
        hit_policy=policy,
        aggregation=aggregation,
    )


# -- an independent, scalar reference ------------------------------------------------------------


def _ref_cell(test: UnaryTest, value: object) -> bool:
    """Scalar match of one cell; unknown values match only '-'."""
    if test.kind is CellKind.ANY:
        return True
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if test.kind is CellKind.NUMBER:
        assert isinstance(value, float)
        hit = False
        for iv in test.intervals:
            above = value > iv.low or (iv.low_closed and value == iv.low)
            below = value < iv.high or (iv.high_closed and value == iv.high)
            hit = hit or (above and below)
    elif test.kind is CellKind.TEXT:
        hit = value in test.texts
    else:
        hit = value in test.bools
    return hit != test.negated


_Hit = tuple[list[int], bool]  # selected rows, violation


def _ref_policy(table: DecisionTable, matched: list[int], values: list[int] | None) -> _Hit:
    """Return (selected rows, violation) for one subject, written from the DMN definitions."""
    return _REF_POLICIES[table.hit_policy](table, matched, values)


def _ref_unique(table: DecisionTable, matched: list[int], _: list[int] | None) -> _Hit:
    return (matched, False) if len(matched) <= 1 else ([], True)


def _ref_any(table: DecisionTable, matched: list[int], _: list[int] | None) -> _Hit:
    outs = {table.rows[r].outputs for r in matched}
    return (matched[:1], False) if len(outs) <= 1 else ([], True)


def _ref_priority(table: DecisionTable, matched: list[int], _: list[int] | None) -> _Hit:
    if not matched:
        return [], False
    best = max(table.rows[r].priority for r in matched)
    return [next(r for r in matched if table.rows[r].priority == best)], False


def _ref_collect(table: DecisionTable, matched: list[int], values: list[int] | None) -> _Hit:
    agg = table.aggregation
    if agg is CollectAggregation.COUNT:
        return [], False
    if agg in (CollectAggregation.MIN, CollectAggregation.MAX) and matched:
        assert values is not None
        pick = min if agg is CollectAggregation.MIN else max
        best = pick(values[r] for r in matched)
        return [next(r for r in matched if values[r] == best)], False
    return matched, False


_REF_POLICIES: dict[HitPolicy, Callable[[DecisionTable, list[int], list[int] | None], _Hit]] = {
    HitPolicy.UNIQUE: _ref_unique,
    HitPolicy.ANY: _ref_any,
    HitPolicy.FIRST: lambda table, matched, values: (matched[:1], False),
    HitPolicy.PRIORITY: _ref_priority,
    HitPolicy.RULE_ORDER: _ref_collect,
    HitPolicy.COLLECT: _ref_collect,
}


_NUM = st.integers(0, 10)


@st.composite
def _numeric_cells(draw: st.DrawFn) -> str:
    a, b = sorted((draw(_NUM), draw(_NUM)))
    return draw(
        st.sampled_from(
            [
                "-",
                f">= {a}",
                f"< {b}",
                f"[{a}..{b})",
                f"({a}..{b}]",
                f"[{a}..{b}]",
                f"{a}, {b}",
                f"not([{a}..{b}])",
                f"<= {a}, > {b}",
            ]
        )
    )


_TEXT_CELLS = st.sampled_from(["-", '"A"', '"A","B"', 'not("C")', '"B"'])
_POLICIES = st.sampled_from(
    [(p, None) for p in HitPolicy] + [(HitPolicy.COLLECT, a) for a in CollectAggregation]
)


@st.composite
def _tables(draw: st.DrawFn) -> DecisionTable:
    n_rows = draw(st.integers(1, 6))
    cells = [(draw(_numeric_cells()), draw(_TEXT_CELLS)) for _ in range(n_rows)]
    policy, agg = draw(_POLICIES)
    titles = [draw(st.sampled_from(["a", "b"])) for _ in range(n_rows)]
    prios = [draw(st.integers(0, 3)) for _ in range(n_rows)]
    return _table(
        cells,
        fields=("x", "g"),
        policy=policy,
        aggregation=agg,
        titles=titles,
        priorities=prios,
    )


class TestMatchCell:
    def test_numeric_three_valued(self) -> None:
        """A comparison on NaN is unknown, not false."""
        t, k = match_cell(parse_unary_test(">= 90"), np.array([95.0, 80.0, np.nan]))
        assert t.tolist() == [True, False, False]
        assert k.tolist() == [True, True, False]

    def test_interval_half_open(self) -> None:
        """'[80..90)' includes 80 and excludes 90."""
        t, _ = match_cell(parse_unary_test("[80..90)"), np.array([80.0, 89.99, 90.0]))
        assert t.tolist() == [True, True, False]

    def test_text_negated_unknown(self) -> None:
        """not("E") is unknown for a missing rating, true for another rating."""
        col = np.array(["A", "E", None], dtype=object)
        t, k = match_cell(parse_unary_test('not("E")'), col)
        assert t.tolist() == [True, False, False]
        assert k.tolist() == [True, True, False]

    def test_any_matches_unknown(self) -> None:
        """'-' matches unknown values too."""
        t, k = match_cell(parse_unary_test("-"), np.array([np.nan]))
        assert bool(t[0])
        assert bool(k[0])

    def test_bool_column(self) -> None:
        """Boolean cells test boolean columns."""
        t, _ = match_cell(parse_unary_test("true"), np.array([True, False]))
        assert t.tolist() == [True, False]

    @given(
        st.lists(st.sampled_from(["A", "B", "E", None]), min_size=1, max_size=8),
        st.sampled_from(['"A"', '"A","B"', 'not("E")', '"E","B","A","Q","R"', 'not("A","B")']),
    )
    @settings(max_examples=100, deadline=None)
    def test_text_codes_match_like_texts(self, values: list[str | None], cell: str) -> None:
        """A TextCodes column (reversed label table) matches exactly like the object column."""
        col = np.empty(len(values), dtype=object)
        col[:] = values
        labels = ["E", "B", "A"]
        codes = TextCodes(
            labels=labels,
            codes=np.array([-1 if v is None else labels.index(v) for v in values]),
        )
        test = parse_unary_test(cell)
        t, k = match_cell(test, col)
        ct, ck = match_cell(test, codes)
        assert (ct.tolist(), ck.tolist()) == (t.tolist(), k.tolist())
        assert t.tolist() == [v is not None and _ref_cell(test, v) for v in values]

    def test_kind_mismatch(self) -> None:
        """A number test on a text column is a RuleTypeError."""
        with pytest.raises(RuleTypeError, match="tests number values"):
            match_cell(parse_unary_test(">= 1"), np.array(["A"], dtype=object))


class TestHitPolicies:
    def test_unique_violation_reported_not_guessed(self) -> None:
        """Two UNIQUE matches flag the subject and select nothing."""
        ct = compile_table(_table([(">= 5",), (">= 8",)], policy=HitPolicy.UNIQUE))
        matched, _ = ct.match({"x": np.array([9.0, 6.0, 1.0])})
        sel = ct.select(matched)
        assert sel.violation.tolist() == [True, False, False]
        assert sel.selected[:, 0].tolist() == [False, False]
        assert sel.selected[:, 1].tolist() == [True, False]

    def test_first(self) -> None:
        """FIRST picks the first matching row."""
        ct = compile_table(_table([(">= 8",), (">= 5",)]))
        matched, _ = ct.match({"x": np.array([9.0, 6.0])})
        assert ct.select(matched).selected.T.tolist() == [[True, False], [False, True]]

    def test_priority(self) -> None:
        """PRIORITY picks the matching row with the highest priority."""
        ct = compile_table(
            _table([(">= 5",), (">= 8",)], policy=HitPolicy.PRIORITY, priorities=[1, 2])
        )
        matched, _ = ct.match({"x": np.array([9.0, 6.0])})
        assert ct.select(matched).selected.T.tolist() == [[False, True], [True, False]]

    def test_any_equal_outputs_ok(self) -> None:
        """ANY accepts several matches when their outputs are equal."""
        ct = compile_table(
            _table([(">= 5",), (">= 8",)], policy=HitPolicy.ANY, titles=["same", "same"])
        )
        matched, _ = ct.match({"x": np.array([9.0])})
        sel = ct.select(matched)
        assert not sel.violation[0]
        assert sel.selected[:, 0].tolist() == [True, False]

    def test_collect_max_by_amount(self) -> None:
        """COLLECT MAX keeps the matching row with the largest amount."""
        ct = compile_table(
            _table(
                [(">= 5",), (">= 8",)],
                policy=HitPolicy.COLLECT,
                aggregation=CollectAggregation.MAX,
            )
        )
        matched, _ = ct.match({"x": np.array([9.0])})
        sel = ct.select(matched, np.array([[300], [100]], dtype=np.int64))
        assert sel.selected[:, 0].tolist() == [True, False]

    def test_collect_count(self) -> None:
        """COLLECT COUNT selects nothing and counts the matches."""
        ct = compile_table(
            _table(
                [(">= 5",), (">= 8",)],
                policy=HitPolicy.COLLECT,
                aggregation=CollectAggregation.COUNT,
            )
        )
        matched, _ = ct.match({"x": np.array([9.0, 6.0])})
        sel = ct.select(matched)
        assert sel.count.tolist() == [2, 1]
        assert not sel.selected.any()

    def test_unknown_input_named(self) -> None:
        """A missing input field is an error that suggests close names."""
        ct = compile_table(_table([(">= 5",)], fields=("totl",)))
        with pytest.raises(RuleTypeError, match="did you mean total"):
            ct.match({"total": np.array([1.0])})

    def test_row_known(self) -> None:
        """A row is known when some cell is known false even if another is unknown."""
        ct = compile_table(_table([(">= 5", '"A"')], fields=("x", "g")))
        frame = {
            "x": np.array([1.0, np.nan, np.nan]),
            "g": np.array([None, "B", "A"], dtype=object),
        }
        matched, known = ct.match(frame)
        assert matched[0].tolist() == [False, False, False]
        assert known[0].tolist() == [True, True, False]

    @settings(max_examples=300, deadline=None)
    @given(
        table=_tables(),
        xs=st.lists(st.one_of(_NUM.map(float), st.just(math.nan)), min_size=1, max_size=12),
        data=st.data(),
    )
    def test_matches_reference(
        self, table: DecisionTable, xs: list[float], data: st.DataObject
    ) -> None:
        """Vectorised matching and every hit policy agree with a scalar reference."""
        n = len(xs)
        gs = data.draw(st.lists(st.sampled_from(["A", "B", "C", None]), min_size=n, max_size=n))
        values = data.draw(
            st.lists(st.integers(0, 5), min_size=len(table.rows), max_size=len(table.rows))
        )
        frame = {"x": np.array(xs, dtype=np.float64), "g": np.array(gs, dtype=object)}
        ct = compile_table(table)
        matched, _ = ct.match(frame)
        row_values = np.repeat(np.array(values, dtype=np.int64)[:, None], n, axis=1)
        sel = ct.select(matched, row_values)
        for i in range(n):
            ref_matched = [
                r
                for r, row in enumerate(table.rows)
                if _ref_cell(parse_unary_test(row.inputs[0]), xs[i])
                and _ref_cell(parse_unary_test(row.inputs[1]), gs[i])
            ]
            assert np.flatnonzero(matched[:, i]).tolist() == ref_matched
            selected, violation = _ref_policy(table, ref_matched, values)
            assert np.flatnonzero(sel.selected[:, i]).tolist() == selected
            assert bool(sel.violation[i]) == violation
            assert int(sel.count[i]) == len(ref_matched)


_NUMBER_CELLS = st.sampled_from(
    ["-", ">= 3", "< 2", "<= 7", "> 5", "[1..4)", "(0..5]", "[2..2]", "[5..5)", "not([1..3])"]
)


class TestMatchWithoutKnown:
    @settings(max_examples=200, deadline=None)
    @given(
        cells=st.lists(st.tuples(_NUMBER_CELLS, _NUMBER_CELLS), min_size=1, max_size=6),
        xs=st.lists(st.one_of(_NUM.map(float), st.just(math.nan)), min_size=1, max_size=12),
        data=st.data(),
    )
    def test_matches_without_known_like_the_general_path(
        self, cells: list[tuple[str, str]], xs: list[float], data: st.DataObject
    ) -> None:
        """Tables match the same rows with and without ``known``, as the scalar reference does."""
        n = len(xs)
        ys = data.draw(
            st.lists(st.one_of(_NUM, st.just(-1)), min_size=n, max_size=n)
        )  # an integer column, which has no unknowns
        ct = compile_table(_table(cells, fields=("x", "y")))
        frame = {"x": np.array(xs), "y": np.array(ys, dtype=np.int64)}
        fast, _ = ct.match(frame, with_known=False)
        general, _ = ct.match(frame)
        assert np.array_equal(fast, general)
        for i in range(n):
            expected = [
                r
                for r, (cx, cy) in enumerate(cells)
                if _ref_cell(parse_unary_test(cx), xs[i])
                and _ref_cell(parse_unary_test(cy), float(ys[i]))
            ]
            assert np.flatnonzero(fast[:, i]).tolist() == expected


class TestAnalyse:
    def test_clean_table(self) -> None:
        """A partition of the real line has no findings under FIRST."""
        t = _table([(">= 90",), ("[60..90)",), ("< 60",)])
        assert analyse_table(t) == ()

    def test_gap(self) -> None:
        """A missing range of a numeric input is a gap naming the range."""
        t = _table([(">= 90",), ("[60..80)",)])
        (f,) = analyse_table(t)
        assert f.kind is FindingKind.GAP
        assert f.field == "x"
        assert "(-inf..60)" in f.message
        assert "[80..90)" in f.message

    def test_shadowed_by_one_row(self) -> None:
        """Under FIRST a row covered by an earlier row is shadowed."""
        t = _table([(">= 80",), (">= 90",), ("< 80",)])
        kinds = [(f.kind, f.rows) for f in analyse_table(t)]
        assert kinds == [(FindingKind.SHADOWED, (0, 1))]

    def test_shadowed_by_union(self) -> None:
        """Under FIRST a one-input row covered by the union of earlier rows is shadowed."""
        t = _table([("< 50",), (">= 50",), ("[40..60]",)])
        assert [f.kind for f in analyse_table(t)] == [FindingKind.SHADOWED]

    def test_overlap_under_unique(self) -> None:
        """Overlapping rows of a UNIQUE table are reported."""
        t = _table([(">= 80",), ("[60..85)",), ("< 60",)], policy=HitPolicy.UNIQUE)
        findings = analyse_table(t)
        assert [(f.kind, f.rows) for f in findings] == [(FindingKind.OVERLAP, (0, 1))]

    def test_no_overlap_with_other_input(self) -> None:
        """Rows disjoint on a text input do not overlap."""
        t = _table(
            [(">= 80", '"A"'), (">= 80", '"B"'), ("< 80", "-")],
            fields=("x", "g"),
            policy=HitPolicy.UNIQUE,
        )
        assert not [f for f in analyse_table(t) if f.kind is FindingKind.OVERLAP]

    def test_unreachable(self) -> None:
        """A row with an empty cell is unreachable."""
        t = _table([("(5..5)",), ("-",)])
        assert [f.kind for f in analyse_table(t)] == [FindingKind.UNREACHABLE]

    def test_priority_shadow(self) -> None:
        """Under PRIORITY a row covered by a higher-priority row never wins."""
        t = _table([("-",), (">= 5",)], policy=HitPolicy.PRIORITY, priorities=[2, 1])
        assert [(f.kind, f.rows) for f in analyse_table(t)] == [(FindingKind.SHADOWED, (0, 1))]

    def test_bonus_outputs_ok(self) -> None:
        """Tables whose outputs are bonuses analyse like any other."""
        t = DecisionTable(
            key="b",
            inputs=(TableInput(field="total"),),
            rows=(TableRow(inputs=(">= 0",), outputs=(Bonus.percent_of_base_pay(Decimal(5)),)),),
            hit_policy=HitPolicy.FIRST,
        )
        assert [f.message for f in analyse_table(t)] == [
            "table 'b': no row matches total in (-inf..0)"
        ]
