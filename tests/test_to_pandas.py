"""BatchScores.to_pandas and BatchDecisions.to_pandas: the same data as the records, columnar."""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest

from perfmgmt import demo
from perfmgmt.errors import MissingExtraError, PerfmgmtError
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import BatchDecisions, RuleEvaluator
from perfmgmt.scoring import BatchScores, Population, ScoringEngine


@pytest.fixture(scope="module")
def team() -> tuple[BatchScores, BatchDecisions]:
    """Score and decide a small demo team, with one review's CSAT missing."""
    org = demo.generate_organisation(managers=15, agents=60, tickets=4000)
    scheme = customer_service_manager()
    pop = demo.cycle_population(org, scheme, demo.load_tables(org), org.cycles[1], org.cycles[0])
    batch = ScoringEngine().score_batch(scheme, pop)
    return batch, RuleEvaluator().evaluate_batch(scheme, batch, pop)


@pytest.fixture(scope="module")
def unrated() -> BatchScores:
    """Score reviews without qualitative ratings (not rated) and one missing actual."""
    scheme = customer_service_manager()
    actual = np.full((3, len(scheme.kpis)), 80.0)
    actual[:, 1] = 40.0
    actual[2, 0] = np.nan
    pop = Population.from_arrays(scheme, subject_ids=["a", "b", "c"], actual=actual)
    return ScoringEngine().score_batch(scheme, pop)


def _same(a: object, b: object) -> bool:
    """Compare a frame cell with a record value: NaN in the frame stands for None."""
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return bool(a == b)


class TestBatchScoresToPandas:
    def test_frame_matches_records(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """Every cell equals the matching to_rows value (NaN where the row has None)."""
        batch = team[0]
        df = batch.to_pandas()
        records = batch.to_rows()
        assert list(df.index) == list(batch.subject_ids)
        assert df.index.name == "subject_id"
        assert list(df.columns) == [k for k in records[0] if k != "subject_id"]
        for rec, (_, row) in zip(records, df.iterrows(), strict=True):
            for col in df.columns:
                assert _same(row[col], rec[col]), (rec["subject_id"], col)

    def test_rating_is_ordered_categorical(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """Ratings are an ordered categorical, lowest band first, so they sort by merit."""
        batch = team[0]
        rating = batch.to_pandas()["rating"]
        assert isinstance(rating.dtype, pd.CategoricalDtype)
        assert rating.cat.ordered
        assert list(rating.cat.categories) == list(batch.rating_labels)
        assert list(rating.cat.codes) == batch.rating_index.tolist()

    def test_unrated_reviews_have_nan_rating(self, unrated: BatchScores) -> None:
        """A review that is not rated has a NaN rating and total, and its flags as an int."""
        df = unrated.to_pandas()
        assert df["rating"].isna().all()
        assert df["total"].isna().all()
        assert df["review_flags"].tolist() == unrated.review_flags.astype(int).tolist()
        assert math.isnan(df.loc["c", "kpi.csat.actual"])

    def test_frame_does_not_share_memory(self, unrated: BatchScores) -> None:
        """Changing the frame leaves the BatchScores arrays untouched."""
        df = unrated.to_pandas()
        df.loc["a", "quantitative"] = -1.0
        assert unrated.quantitative[0] != -1.0


class TestBatchDecisionsToPandas:
    def test_frame_matches_rows(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """Fired flags and money equal each subject's decisions; money stays an exact Decimal."""
        decisions = team[1]
        df = decisions.to_pandas()
        keys = (*decisions.rule_keys, *decisions.table_keys)
        assert list(df.columns) == [
            *(f"fired.{k}" for k in keys),
            "bonus",
            "deduction",
            "currency",
        ]
        for i in range(len(decisions)):
            d = decisions.row(i)
            row = df.iloc[i]
            assert df.index[i] == d.subject_id
            assert [k for k in keys if row[f"fired.{k}"]] == list(d.fired)
            assert row["bonus"] == d.bonus
            assert row["deduction"] == d.deduction
            assert row["currency"] == d.currency

    def test_fired_columns_are_bool(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """The fired columns are booleans summing to the fired counts."""
        decisions = team[1]
        df = decisions.to_pandas()
        for key in decisions.rule_keys:
            assert df[f"fired.{key}"].dtype == bool
            assert int(df[f"fired.{key}"].sum()) == int(decisions.fired(key).sum())


class TestMissingPandas:
    def test_scores_name_the_extra(
        self, monkeypatch: pytest.MonkeyPatch, unrated: BatchScores
    ) -> None:
        """Without pandas, to_pandas raises MissingExtraError naming perfmgmt[pandas]."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(MissingExtraError, match=r"perfmgmt\[pandas\]") as info:
            unrated.to_pandas()
        assert isinstance(info.value, PerfmgmtError)
        assert isinstance(info.value, ImportError)

    def test_decisions_name_the_extra(
        self, monkeypatch: pytest.MonkeyPatch, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """Without pandas, BatchDecisions.to_pandas names the extra and the method."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(
            MissingExtraError, match=r"BatchDecisions\.to_pandas.*perfmgmt\[pandas\]"
        ):
            team[1].to_pandas()
