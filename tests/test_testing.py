"""Tests for perfmgmt.testing: the assertion helpers and their diff reports."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from perfmgmt import strategies as pst
from perfmgmt.model import Scheme
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoreCard, ScoringEngine
from perfmgmt.testing import assert_decisions_equal, assert_scorecards_close, diff

_SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))


def _cards(pair: tuple[Scheme, object]) -> list[ScoreCard]:
    scheme, population = pair
    batch = ScoringEngine().score_batch(scheme, population)  # type: ignore[arg-type]
    return [batch.row(i) for i in range(len(batch))]


class TestAssertScorecardsClose:
    @_SETTINGS
    @given(pst.populations(max_size=3))
    def test_equal_cards_pass(self, pair: tuple[Scheme, object]) -> None:
        """Cards scored twice from the same input compare equal (NaN equals NaN)."""
        assert_scorecards_close(_cards(pair), _cards(pair))

    def test_difference_is_reported_by_kpi_key(self) -> None:
        """A changed KPI score is reported as lines[<key>].score with both values."""
        import numpy as np

        from perfmgmt.presets import customer_service_manager
        from perfmgmt.scoring import Population

        scheme = customer_service_manager()
        on_target = np.array([[kpi.target for kpi in scheme.kpis]], dtype=np.float64)
        population = Population.from_arrays(scheme, subject_ids=["m1"], actual=on_target)
        card = _cards((scheme, population))[0]
        line = card.lines[0]
        changed = attrs.evolve(
            card, lines=(attrs.evolve(line, score=line.score + 1.0), *card.lines[1:])
        )
        with pytest.raises(AssertionError) as info:
            assert_scorecards_close(changed, card)
        message = str(info.value)
        assert f"lines[{line.key}].score" in message
        assert "1 field;" in message

    def test_within_tolerance_passes(self) -> None:
        """Floats within rtol compare equal; outside it they do not."""
        assert diff(100.0, 100.0 + 1e-12, rtol=1e-9) == []
        assert diff(100.0, 100.1, rtol=1e-9) == ["$: 100.0 != 100.1 (expected)"]
        assert diff(math.nan, math.nan) == []

    def test_negative_tolerance_refused(self) -> None:
        """A negative tolerance is a usage error."""
        with pytest.raises(ValueError, match="rtol"):
            assert_scorecards_close([], [], rtol=-1.0)

    def test_length_mismatch(self) -> None:
        """Different numbers of cards are reported, not zipped away."""
        with pytest.raises(AssertionError, match="0 items"):
            assert_scorecards_close([], [1.0])  # type: ignore[list-item]


class TestAssertDecisionsEqual:
    @_SETTINGS
    @given(pst.populations(scheme=pst.schemes(scorable=True, max_rules=2), max_size=3))
    def test_same_decisions_pass(self, pair: tuple[Scheme, object]) -> None:
        """Evaluating twice gives equal decisions, trace included."""
        scheme, population = pair
        batch = ScoringEngine().score_batch(scheme, population)  # type: ignore[arg-type]
        one = RuleEvaluator().evaluate_batch(scheme, batch, population)  # type: ignore[arg-type]
        two = RuleEvaluator().evaluate_batch(scheme, batch, population)  # type: ignore[arg-type]
        assert_decisions_equal(
            [one.row(i) for i in range(len(one))], [two.row(i) for i in range(len(two))]
        )

    def test_changed_subject_reported(self) -> None:
        """A different subject id is reported by path."""
        from perfmgmt.rules import Decisions

        with pytest.raises(AssertionError, match=r"subject_id: 'a' != 'b'"):
            assert_decisions_equal(Decisions(subject_id="a"), Decisions(subject_id="b"))

    def test_trace_can_be_ignored(self) -> None:
        """With trace=False only the trace may differ."""
        from perfmgmt.rules import Decisions

        assert_decisions_equal(Decisions(subject_id="a"), Decisions(subject_id="a"), trace=False)
