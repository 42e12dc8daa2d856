"""Tests for perfmgmt.rules.program: the public RuleProgram, and money None versus 0.00."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import DataError
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import (
    Bonus,
    Honour,
    RuleEvaluator,
    RuleProgram,
    rule,
)
from perfmgmt.scoring.engine import ScoringEngine
from perfmgmt.scoring.population import Population
from perfmgmt.strategies import populations


def _frame() -> dict[str, np.ndarray]:
    return {"total": np.array([95.0, 50.0])}


class TestRuleProgram:
    def test_compile_returns_a_program(self) -> None:
        """RuleEvaluator.compile returns a RuleProgram with rules in priority order."""
        rules = [
            rule("low", when="total >= 0", then=[Honour(title="x")], priority=1),
            rule("high", when="total >= 90", then=[Honour(title="y")], priority=5),
        ]
        program = RuleEvaluator().compile(rules, _frame())
        assert isinstance(program, RuleProgram)
        assert program.rule_keys == ("high", "low")
        assert program.fields == ("total",)
        assert not program.has_money

    def test_program_is_cached(self) -> None:
        """The same rule objects on the same field types give the same program object."""
        ev = RuleEvaluator()
        rules = [rule("a", when="total >= 0", then=[Honour(title="x")])]
        assert ev.compile(rules, _frame()) is ev.compile(rules, _frame())


class TestMoneyNoneOrZero:
    def test_no_money_rules_report_none(self) -> None:
        """Rules that pay no money report None money, even with a currency."""
        rules = [rule("a", when="total >= 90", then=[Honour(title="x")])]
        d = RuleEvaluator().evaluate_frame(rules, _frame(), currency="CNY").row(0)
        assert d.bonus is None
        assert d.deduction is None

    def test_money_rules_report_zero_when_nothing_paid(self) -> None:
        """Rules that can pay report 0.00 where nothing that pays fired."""
        rules = [rule("a", when="total >= 90", then=[Bonus.fixed(Decimal(100), "CNY")])]
        batch = RuleEvaluator().evaluate_frame(rules, _frame())
        assert batch.row(0).bonus == Decimal("100.00")
        assert str(batch.row(1).bonus) == "0.00"
        assert str(batch.row(1).deduction) == "0.00"


class TestCalibratedRatings:
    @settings(max_examples=25, deadline=None)
    @given(populations(max_size=6), st.data())
    def test_ratings_replace_the_batch_ratings(
        self, case: tuple[Scheme, Population], data: st.DataObject
    ) -> None:
        """evaluate_batch(ratings=...) fires on the given labels; the scores are unchanged."""
        scheme, population = case
        batch = ScoringEngine().score_batch(scheme, population)
        labels = scheme.rating_scale.labels
        ratings = data.draw(
            st.lists(st.none() | st.sampled_from(labels), min_size=len(batch), max_size=len(batch))
        )
        target = data.draw(st.sampled_from(labels))
        before = batch.rating_index.copy()
        rules = [rule("r", when=f'rating == "{target}"', then=[Honour(title="x")])]
        got = RuleEvaluator().evaluate_batch(rules, batch, population, ratings=ratings)
        assert got.fired("r").tolist() == [r == target for r in ratings]
        assert np.array_equal(batch.rating_index, before)

    @settings(max_examples=10, deadline=None)
    @given(populations(max_size=4))
    def test_bad_ratings_are_refused(self, case: tuple[Scheme, Population]) -> None:
        """Ratings of another length, or with a label the scale lacks, are refused."""
        scheme, population = case
        batch = ScoringEngine().score_batch(scheme, population)
        rules = [rule("r", when="rated", then=[Honour(title="x")])]
        ev = RuleEvaluator()
        with pytest.raises(DataError, match="ratings"):
            ev.evaluate_batch(rules, batch, population, ratings=[None] * (len(batch) + 1))
        with pytest.raises(DataError, match=r"ratings\[0\]"):
            ev.evaluate_batch(rules, batch, population, ratings=["no such band"] * len(batch))
