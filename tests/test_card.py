"""Tests for perfmgmt.scoring.card: score cards, batch rows, records and explanations."""

from __future__ import annotations

import math

import pytest

from perfmgmt.errors import ScoringError
from perfmgmt.scoring import KpiFlag, ScoringEngine
from test_worked_example import CYCLE, LI_WEI, NEWCOMER, ZHANG_MIN, founding_scheme

ENGINE = ScoringEngine()
SCHEME = founding_scheme()
BATCH = ENGINE.score_reviews(SCHEME, [LI_WEI, ZHANG_MIN, NEWCOMER], cycle=CYCLE)


class TestBatchScores:
    def test_shapes(self) -> None:
        """Arrays have the contract's shapes and dtypes."""
        n, k, c = 3, len(SCHEME.kpis), len(SCHEME.categories)
        assert len(BATCH) == n
        assert BATCH.score.shape == (n, k)
        assert BATCH.category_score.shape == (n, c)
        assert BATCH.flags.dtype.name == "uint8"
        assert BATCH.rating_index.dtype.name == "int64"
        assert BATCH.rating_labels == ("E", "D", "C", "B", "A")

    def test_records_have_no_nan(self) -> None:
        """to_records gives None for missing numbers, never NaN."""
        recs = BATCH.to_records()
        assert recs[1]["kpi.aht.score"] is None
        assert recs[2]["total"] is None
        assert recs[0]["rating"] == "B"
        for rec in recs:
            for value in rec.values():
                assert not (isinstance(value, float) and math.isnan(value))

    def test_row_out_of_range(self) -> None:
        """row() refuses an index outside the batch; negative indices count from the end."""
        with pytest.raises(ScoringError, match="out of range"):
            BATCH.row(3)
        assert BATCH.row(-1).subject_id == "newcomer"

    def test_repr_is_short(self) -> None:
        """The repr names the scheme and counts, not the arrays."""
        assert repr(BATCH) == (
            f"BatchScores(scheme='cs_managers', reviews=3, rated=2, kpis={list(SCHEME.kpi_keys)})"
        )


class TestScoreCard:
    card = BATCH.row(1)

    def test_line_lookup(self) -> None:
        """line() finds a KPI by key and refuses unknown keys."""
        assert self.card.line("aht").flags == KpiFlag.MISSING | KpiFlag.REALLOCATED
        with pytest.raises(ScoringError, match="no KPI"):
            self.card.line("nope")

    def test_repr(self) -> None:
        """The card's repr shows subject, total and rating."""
        assert repr(self.card).startswith("ScoreCard(zhang_min: total=67 rating=D")

    def test_explain_traces_every_number(self) -> None:
        """Every KPI score, contribution, category, total and rating has a step with inputs."""
        ex = self.card.explain()
        names = [s.name for s in ex]
        for k in SCHEME.kpi_keys:
            assert f"kpi.{k}.score" in names
            assert f"kpi.{k}.contribution" in names
        assert ex.step("total").result == self.card.total
        assert dict(ex.step("kpi.fcr.score").inputs)["target"] == 70.0
        assert ex.step("quantitative").result == 60.0
        assert ex.step("rating").result == "D"
        assert "agreed goal overrides default" in ex.step("kpi.fcr.score").note

    def test_explain_zh(self) -> None:
        """The Chinese explanation uses Chinese notes and headings."""
        text = str(self.card.explain(lang="zh"))
        assert "评分说明" in text
        assert "权重已重新分配" in text

    def test_explain_bad_lang(self) -> None:
        """Unsupported languages are refused."""
        with pytest.raises(ScoringError, match="lang"):
            self.card.explain(lang="fr")

    def test_unrated_explained(self) -> None:
        """An unrated card's explanation says why."""
        ex = BATCH.row(2).explain()
        assert "too few eligible days" in ex.step("rating").note
        with pytest.raises(ScoringError, match="no step"):
            ex.step("nope")
