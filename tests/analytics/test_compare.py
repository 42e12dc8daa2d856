"""Tests of perfmgmt.analytics.compare: per-person changes, movers and cost of a scheme change."""

from __future__ import annotations

from decimal import Decimal

import attrs
import numpy as np
import pytest

from analytics_schemes import clean_scheme, evolve, population
from perfmgmt.analytics.compare import Comparison, compare, repopulate
from perfmgmt.errors import ScoringError
from perfmgmt.model import normalise_weights

BONUS = Decimal("1000.00")  # every rule and the table pay 10 % of 10,000.00


def expected_pay(total: np.ndarray, rating: np.ndarray) -> np.ndarray:
    """Pay of the clean scheme's rules, from totals and ratings (10 % of base pay each)."""
    high = np.nan_to_num(total, nan=-1.0) >= 100
    pay: np.ndarray = 1000 * ((rating == "A").astype(int) + 2 * high.astype(int))
    return pay


class TestIdentity:
    def test_same_scheme_changes_nothing(self) -> None:
        """Comparing a scheme with itself gives no movers, no rating change and no cost."""
        scheme = clean_scheme()
        c = compare(scheme, scheme, population(scheme))
        assert np.all(c.delta[~np.isnan(c.delta)] == 0)
        assert not c.rating_changed.any()
        assert not c.outcome_changed.any()
        assert c.cost_change == Decimal("0.00")


class TestChanges:
    def test_blend_change_moves_totals_by_formula(self) -> None:
        """A new blend moves each total by (share_b - share_a) * (quantitative - qualitative)."""
        a = clean_scheme()
        b = evolve(a, quantitative_share=0.8)
        c = compare(a, b, population(a, rating=5.0))
        quant = c.a.scores.quantitative
        expected = (0.8 - 0.7) * (quant - 100.0)
        rated = ~np.isnan(c.delta)
        assert rated.all()
        np.testing.assert_allclose(c.delta[rated], expected[rated], atol=1e-9)

    def test_cost_is_sum_of_rule_payouts(self) -> None:
        """Each side's cost equals the rules' payouts recomputed from its totals and ratings."""
        a = clean_scheme()
        b = evolve(a, quantitative_share=0.8)
        c = compare(a, b, population(a, n=500, seed=3))
        pay_a = expected_pay(c.total_a, c.rating_a)
        pay_b = expected_pay(c.total_b, c.rating_b)
        assert c.cost_a == Decimal(int(pay_a.sum())).quantize(Decimal("0.01"))
        assert c.cost_b == Decimal(int(pay_b.sum())).quantize(Decimal("0.01"))
        np.testing.assert_array_equal(c.pay_delta_minor, (pay_b - pay_a) * 100)
        assert c.cost_change == c.cost_b - c.cost_a
        assert c.currency == "CNY"

    def test_outcome_change_tracks_firing(self) -> None:
        """A person's outcome changed exactly where some rule fired on one side only."""
        a = clean_scheme()
        b = evolve(a, quantitative_share=0.8)
        c = compare(a, b, population(a, n=400, seed=5))
        diff = (c.a.fired("top_bonus") != c.b.fired("top_bonus")) | (
            c.a.fired("good_total") != c.b.fired("good_total")
        )
        np.testing.assert_array_equal(c.outcome_changed, diff)
        counts = c.outcome_counts()
        assert counts["top_bonus"] == (
            int(c.a.fired("top_bonus").sum()),
            int(c.b.fired("top_bonus").sum()),
        )

    def test_rating_transitions_count_everyone(self) -> None:
        """The rating transition counts add up to the population and match the label arrays."""
        a = clean_scheme()
        b = evolve(a, quantitative_share=0.8)
        c = compare(a, b, population(a, n=300, seed=7))
        moves = c.rating_transitions()
        assert sum(moves.values()) == len(c)
        for (ra, rb), count in moves.items():
            assert count == int(((c.rating_a == ra) & (c.rating_b == rb)).sum())
        assert int(c.rating_changed.sum()) == sum(v for (ra, rb), v in moves.items() if ra != rb)


class TestMovers:
    def test_movers_sorted_by_absolute_change(self) -> None:
        """Movers come largest absolute change first."""
        a = clean_scheme()
        b = evolve(a, quantitative_share=0.8)
        c = compare(a, b, population(a, n=300, seed=11))
        top = c.movers(5)
        changes = [abs(float(c.delta[i])) for i in top]
        assert changes == sorted(changes, reverse=True)
        assert changes[0] == pytest.approx(float(np.nanmax(np.abs(c.delta))))
        by_pay = c.movers(3, by="pay")
        assert abs(int(c.pay_delta_minor[by_pay[0]])) == int(np.abs(c.pay_delta_minor).max())

    def test_movers_rejects_unknown_key(self) -> None:
        """An unknown 'by' is a ScoringError naming the allowed values."""
        scheme = clean_scheme()
        c = compare(scheme, scheme, population(scheme, n=10))
        with pytest.raises(ScoringError, match="'total' or 'pay'"):
            c.movers(by="rating")

    def test_records_and_summary(self) -> None:
        """Records carry ids, totals, ratings and pay change; the summary counts them."""
        a = clean_scheme()
        b = evolve(a, quantitative_share=0.8)
        c = compare(a, b, population(a, n=50, seed=2))
        (record,) = c.to_records([c.movers(1)[0]])
        assert record["subject_id"] in c.subject_ids
        summary = c.summary()
        assert summary["people"] == 50
        assert int(c.delta[c.delta > 0].size) == summary["up"]
        assert summary["cost_change"] == c.cost_change
        assert "people=50" in repr(c)
        assert isinstance(c, Comparison)


class TestRepopulate:
    def test_dropped_kpi(self) -> None:
        """A scheme without one KPI scores the same people on the remaining KPIs."""
        a = clean_scheme()
        kpis = normalise_weights([k for k in a.kpis if k.key != "fcr"])
        b = evolve(a, kpis=kpis)
        pop = population(a, n=60)
        moved = repopulate(pop, b)
        assert moved.kpi_keys == b.kpi_keys
        j = a.kpi_keys.index("avg_response_time")
        np.testing.assert_array_equal(
            moved.actual[:, b.kpi_keys.index("avg_response_time")], pop.actual[:, j]
        )
        c = compare(a, b, pop)
        assert len(c) == 60

    def test_added_kpi_is_missing(self) -> None:
        """A KPI new in scheme B is missing for everyone and handled by its policy."""
        a = clean_scheme()
        extra = attrs.evolve(
            a.kpi("fcr"), indicator=attrs.evolve(a.kpi("fcr").indicator, key="nps")
        )
        kpis = normalise_weights([*a.kpis, extra])
        b = evolve(a, kpis=kpis)
        moved = repopulate(population(a, n=20), b)
        assert np.isnan(moved.actual[:, b.kpi_keys.index("nps")]).all()

    def test_fitting_population_is_reused(self) -> None:
        """A population that already fits is returned as is."""
        a = clean_scheme()
        pop = population(a, n=5)
        assert repopulate(pop, evolve(a, quantitative_share=0.9)) is pop
