"""to_arrow, to_polars and to_pandas(columns=...) of scores and decisions: records, columnar."""

from __future__ import annotations

import math
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from perfmgmt import demo
from perfmgmt.errors import MissingExtraError, PerfmgmtError, RuleError, ScoringError
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import BatchDecisions, RuleEvaluator
from perfmgmt.scoring import BatchScores, Population, ScoringEngine

SCHEME = customer_service_manager()


@pytest.fixture(scope="module")
def team() -> tuple[BatchScores, BatchDecisions]:
    """Score and decide a small demo team."""
    org = demo.generate_organisation(managers=15, agents=60, tickets=4000)
    pop = demo.cycle_population(org, SCHEME, demo.load_tables(org), org.cycles[1], org.cycles[0])
    batch = ScoringEngine().score_batch(SCHEME, pop)
    return batch, RuleEvaluator().evaluate_batch(SCHEME, batch, pop)


@pytest.fixture(scope="module")
def unrated() -> BatchScores:
    """Reviews without qualitative ratings (not rated) and one missing actual."""
    actual = np.full((3, len(SCHEME.kpis)), 80.0)
    actual[2, 0] = np.nan
    pop = Population.from_arrays(SCHEME, subject_ids=["a", "b", "c"], actual=actual)
    return ScoringEngine().score_batch(SCHEME, pop)


def _same(got: object, want: object) -> bool:
    """A table cell equals a to_rows value (None for a missing number, exact otherwise)."""
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    return bool(got == want)


class TestScoresToArrow:
    def test_full_is_to_rows_cell_for_cell(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """columns='full' has every to_rows column in order, and every cell equals the row's."""
        batch = team[0]
        rows = batch.to_rows()
        table = batch.to_arrow("full")
        assert table.column_names == list(rows[0])
        assert table.to_pylist() == rows

    def test_nan_is_null_and_unrated_rating_is_null(self, unrated: BatchScores) -> None:
        """Missing numbers are nulls, not NaN; an unrated review's rating is null."""
        table = unrated.to_arrow("full")
        rows = unrated.to_rows()
        assert table.to_pylist() == rows
        assert table.column("total").null_count == sum(r["total"] is None for r in rows) > 0
        assert table.column("rating").null_count == 3

    def test_lean_default_columns(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """The default is lean: id, total, rating, rated and one score per KPI."""
        batch = team[0]
        want = ["subject_id", "total", "rating", "rated"]
        want += [f"kpi.{k}.score" for k in SCHEME.kpi_keys]
        table = batch.to_arrow()
        assert table.column_names == want
        assert table.schema.field("rating").type == pa.dictionary(pa.int32(), pa.string(), True)
        assert table.column("total").to_pylist() == [r["total"] for r in batch.to_rows()]

    def test_explicit_list_keeps_the_order_given(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """An explicit list gives exactly those columns in that order."""
        batch = team[0]
        cols = ["kpi.csat.actual", "subject_id", "review_flags"]
        table = batch.to_arrow(cols)
        assert table.column_names == cols
        rows = batch.to_rows()
        assert table.to_pylist() == [{c: r[c] for c in cols} for r in rows]

    @pytest.mark.parametrize(
        ("columns", "needle"),
        [
            ("everything", "lean"),
            (["subject_id", "kpi.nope.score"], "kpi.nope.score"),
            (["total", "total"], "named twice"),
            ([], "no column"),
        ],
    )
    def test_bad_columns_are_refused(
        self, team: tuple[BatchScores, BatchDecisions], columns: object, needle: str
    ) -> None:
        """An unknown set, an unknown or repeated name, or no name raises ScoringError."""
        for method in (team[0].to_arrow, team[0].to_polars, team[0].to_pandas):
            with pytest.raises(ScoringError, match=needle):
                method(columns)  # type: ignore[arg-type]

    def test_unknown_name_lists_what_is_allowed(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """The message names the unknown column and lists the allowed ones."""
        with pytest.raises(PerfmgmtError, match=r"'bogus'.*allowed: \['subject_id', 'total'"):
            team[0].to_arrow(["bogus"])


class TestScoresToPolarsAndPandas:
    def test_polars_equals_arrow(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """to_polars holds the same values as to_arrow; rating is an Enum of the bands."""
        batch = team[0]
        for cols in ("lean", "full"):
            got = batch.to_polars(cols)
            assert got.to_dicts() == batch.to_arrow(cols).to_pylist()
        rating = batch.to_polars().get_column("rating")
        assert rating.dtype == pl.Enum(list(batch.rating_labels))

    def test_polars_unrated_is_null(self, unrated: BatchScores) -> None:
        """Unrated reviews have a null rating and null total in polars."""
        frame = unrated.to_polars()
        assert frame.get_column("rating").null_count() == 3
        assert frame.get_column("total").null_count() == 3

    def test_pandas_default_unchanged_and_full_equal(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """to_pandas() is today's frame; columns='full' gives the same frame."""
        batch = team[0]
        pd.testing.assert_frame_equal(batch.to_pandas("full"), batch.to_pandas())

    def test_pandas_lean(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """A lean pandas frame is indexed by subject_id with the lean columns."""
        batch = team[0]
        df = batch.to_pandas("lean")
        assert df.index.name == "subject_id"
        assert list(df.columns) == batch.to_arrow().column_names[1:]
        assert df["rating"].cat.ordered

    def test_pandas_without_subject_id_has_a_range_index(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """Leaving subject_id out gives a plain range index."""
        df = team[0].to_pandas(["total"])
        assert list(df.index) == list(range(len(team[0])))


def _ref_money(minor: int, digits: int) -> Decimal:
    """The amount of ``minor`` units, computed independently of the library."""
    return Decimal(minor).scaleb(-digits)


class TestDecisionsTables:
    def test_arrow_money_is_exact_decimal(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """The bonus and deduction are decimal128(38, 2) for CNY, equal to the rows' Decimals."""
        d = team[1]
        table = d.to_arrow()
        assert table.schema.field("bonus").type == pa.decimal128(38, 2)
        rows = [d.row(i) for i in range(len(d))]
        assert table.column("bonus").to_pylist() == [r.bonus for r in rows]
        assert table.column("deduction").to_pylist() == [r.deduction for r in rows]
        assert table.column("bonus").to_pylist() == [_ref_money(int(m), 2) for m in d.bonus_minor]
        assert any(r.bonus for r in rows)
        assert any(r.deduction for r in rows)

    def test_arrow_fired_columns(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """One bool column per rule and table, equal to fired(key)."""
        d = team[1]
        table = d.to_arrow()
        keys = [*d.rule_keys, *d.table_keys]
        assert table.column_names == ["subject_id", "bonus", "deduction"] + [
            f"fired.{k}" for k in keys
        ]
        for k in keys:
            assert table.column(f"fired.{k}").to_pylist() == d.fired(k).tolist()

    def test_negative_and_large_minor_amounts_round_trip(self) -> None:
        """The 128-bit words carry negative and large amounts exactly, nulls where not valid."""
        from perfmgmt.rules._tables_out import money_array

        minor = np.array([-1, 0, 123_456_789_012_345_678, -(2**62), 7], dtype=np.int64)
        valid = np.array([True, True, True, True, False])
        got = money_array(minor, valid, 2).to_pylist()
        want = [_ref_money(int(m), 2) for m in minor[:4]] + [None]
        assert got == want
        assert money_array(minor, None, 0).to_pylist() == [Decimal(int(m)) for m in minor]

    def test_pool_adds_awarded(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """With a pool, awarded is a money column equal to the allocation's amounts."""
        from perfmgmt import BonusPool

        batch = team[0]
        pool = BonusPool(amount=Decimal("10000.00"), currency="CNY")
        org = demo.generate_organisation(managers=15, agents=60, tickets=4000)
        pop = demo.cycle_population(
            org, SCHEME, demo.load_tables(org), org.cycles[1], org.cycles[0]
        )
        d = RuleEvaluator().evaluate_batch(SCHEME, batch, pop, pool=pool)
        assert d.allocation is not None
        table = d.to_arrow(["subject_id", "awarded"])
        assert table.column("awarded").to_pylist() == list(d.allocation.amounts())
        assert sum(table.column("awarded").to_pylist()) <= Decimal("10000.00")

    def test_full_adds_currency_and_polars_pandas_agree(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """The full set adds currency; polars and pandas hold the same exact values as Arrow."""
        d = team[1]
        arrow = d.to_arrow("full")
        assert arrow.column_names[-1] == "currency"
        assert set(arrow.column("currency").to_pylist()) == {"CNY"}
        assert d.to_polars("full").to_dicts() == arrow.to_pylist()
        df = d.to_pandas("full")
        assert df.reset_index().to_dict("records") == arrow.to_pylist()
        pd.testing.assert_frame_equal(
            d.to_pandas(["subject_id", "bonus"]), d.to_pandas()[["bonus"]]
        )

    def test_bad_columns_are_refused(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """Unknown names raise RuleError naming the column and what is allowed."""
        d = team[1]
        with pytest.raises(RuleError, match=r"'awarded'.*allowed"):
            d.to_arrow(["awarded"])  # no pool: no awarded column
        with pytest.raises(RuleError, match="column set"):
            d.to_polars("all")
        with pytest.raises(RuleError, match="twice"):
            d.to_pandas(["bonus", "bonus"])


def test_missing_pyarrow_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, team: tuple[BatchScores, BatchDecisions]
) -> None:
    """Without pyarrow, to_arrow raises MissingExtraError naming perfmgmt[arrow]."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingExtraError, match=r"perfmgmt\[arrow\]"):
        team[0].to_arrow()
    with pytest.raises(MissingExtraError, match=r"perfmgmt\[arrow\]"):
        team[1].to_arrow()


def test_missing_polars_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, team: tuple[BatchScores, BatchDecisions]
) -> None:
    """Without polars, to_polars raises MissingExtraError naming perfmgmt[polars]."""
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(MissingExtraError, match=r"perfmgmt\[polars\]"):
        team[0].to_polars()
    with pytest.raises(MissingExtraError, match=r"perfmgmt\[polars\]"):
        team[1].to_polars()
