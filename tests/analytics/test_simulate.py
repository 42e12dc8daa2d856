"""Tests of perfmgmt.analytics.simulate: convergence to closed form, determinism, fitting."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from analytics_schemes import clean_scheme, population
from perfmgmt.analytics.simulate import (
    Empirical,
    JointResample,
    Normal,
    Uniform,
    fit_actuals,
    simulate,
)
from perfmgmt.errors import ValidationError
from perfmgmt.model import (
    KPI,
    Band,
    Bonus,
    Category,
    IncentiveRule,
    Indicator,
    Label,
    RatingScale,
    Scheme,
    ScoringSpec,
)
from perfmgmt.model.incentive import BonusPool
from perfmgmt.rules.parse import parse
from perfmgmt.scoring import Population

PAY = Decimal("1000.00")


def one_kpi_scheme() -> Scheme:
    """One linear KPI (target 80 scores 100), no qualitative part, a fixed bonus for rating A.

    The total is the KPI score, which is >= 100 exactly when the actual is >= 80, so a person
    gets the bonus with probability P(X >= 80).
    """
    kpi = KPI(
        indicator=Indicator(key="csat", label=Label(en="CSAT"), unit="%"),
        category="c",
        weight=1.0,
        scoring=ScoringSpec(scorer="linear", params={"cap": 150.0}),
        threshold=60.0,
        target=80.0,
        stretch=95.0,
    )
    return Scheme(
        key="one",
        version="1",
        label=Label(en="one"),
        categories=(Category(key="c", label=Label(en="c"), weight=1.0),),
        kpis=(kpi,),
        rating_scale=RatingScale(
            bands=(
                Band(label="E", lower=0.0, upper=100.0),
                Band(label="A", lower=100.0, upper=150.0),
            )
        ),
        quantitative_share=1.0,
        rules=(
            IncentiveRule(
                key="bonus_a", condition=parse('rating == "A"'), outcomes=(Bonus.fixed(PAY, "CNY"),)
            ),
        ),
    )


def people(scheme: Scheme, n: int) -> Population:
    """Return n people with no actuals (the simulation draws them)."""
    return Population.from_arrays(
        scheme, subject_ids=[f"s{i}" for i in range(n)], actual=np.full((n, len(scheme.kpis)), 50.0)
    )


def normal_cdf(z: float) -> float:
    """Return the standard normal CDF."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


class TestConvergence:
    def test_expected_cost_and_shares_match_closed_form(self) -> None:
        """Mean cost and the A share converge to N x pay x P(X >= target)."""
        scheme = one_kpi_scheme()
        n, draws = 20, 20_000
        p = 1.0 - normal_cdf((80.0 - 85.0) / 10.0)
        result = simulate(
            scheme, people(scheme, n), {"csat": Normal(mean=85.0, sd=10.0)}, draws=draws, seed=7
        )
        expected = n * float(PAY) * p
        se = float(PAY) * math.sqrt(n * p * (1 - p) / draws)
        assert abs(float(result.expected_cost()) - expected) < 4 * se
        assert result.cost_standard_error() == pytest.approx(se, rel=0.1)
        share_se = math.sqrt(p * (1 - p) / (n * draws))
        assert abs(result.mean_rating_shares()["A"] - p) < 4 * share_se
        assert result.currency == "CNY"

    def test_budget_probability_matches_binomial(self) -> None:
        """P(cost > budget) converges to the binomial tail."""
        scheme = one_kpi_scheme()
        n, draws = 20, 20_000
        p = 1.0 - normal_cdf((80.0 - 85.0) / 10.0)
        budget = Decimal("15000")
        tail = sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(16, n + 1))
        result = simulate(
            scheme,
            people(scheme, n),
            {"csat": Normal(mean=85.0, sd=10.0)},
            draws=draws,
            seed=3,
            budget=budget,
        )
        assert abs(result.probability_over() - tail) < 4 * math.sqrt(tail * (1 - tail) / draws)
        assert result.summary()["probability_over_budget"] == result.probability_over()

    def test_uniform_closed_form(self) -> None:
        """A uniform actual on [70, 90) gives the bonus half the time."""
        scheme = one_kpi_scheme()
        result = simulate(
            scheme, people(scheme, 10), {"csat": Uniform(low=70.0, high=90.0)}, draws=8_000, seed=1
        )
        se = float(PAY) * math.sqrt(10 * 0.25 / 8_000)
        assert abs(float(result.expected_cost()) - 5_000.0) < 4 * se

    def test_missing_actuals_follow_policy(self) -> None:
        """Missing actuals (reallocated, nothing left to score) leave people unrated."""
        scheme = one_kpi_scheme()
        dist = {"csat": Normal(mean=85.0, sd=10.0, missing=0.5)}
        result = simulate(scheme, people(scheme, 10), dist, draws=4_000, seed=2)
        unrated = result.rating_counts[:, -1].sum() / (10 * 4_000)
        assert abs(unrated - 0.5) < 4 * math.sqrt(0.25 / 40_000)


class TestDeterminism:
    def test_same_seed_same_result_any_workers(self) -> None:
        """The same seed and chunk size give identical results with 1 or 2 workers."""
        scheme = clean_scheme()
        pop = population(scheme, n=100)
        dist = fit_actuals(pop)
        a = simulate(scheme, pop, dist, draws=300, seed=5, chunk_rows=5_000, workers=1)
        b = simulate(scheme, pop, dist, draws=300, seed=5, chunk_rows=5_000, workers=2)
        np.testing.assert_array_equal(a.cost_minor, b.cost_minor)
        np.testing.assert_array_equal(a.rating_counts, b.rating_counts)
        c = simulate(scheme, pop, dist, draws=300, seed=6, chunk_rows=5_000)
        assert not np.array_equal(a.cost_minor, c.cost_minor)

    def test_counts_cover_everyone(self) -> None:
        """Every simulated cycle counts every person once."""
        scheme = clean_scheme()
        pop = population(scheme, n=50)
        result = simulate(scheme, pop, fit_actuals(pop), draws=37, seed=1, chunk_rows=400)
        assert result.draws == 37
        assert (result.rating_counts.sum(axis=1) == 50).all()
        assert result.rating_shares().shape == (37, 5)


class TestPool:
    def test_pool_caps_each_cycle(self) -> None:
        """No simulated cycle pays more than the pool."""
        scheme = one_kpi_scheme()
        pool = BonusPool(currency="CNY", amount=Decimal("5000"))
        result = simulate(
            scheme, people(scheme, 20), {"csat": Normal(mean=85.0, sd=10.0)}, draws=500, pool=pool
        )
        assert int(result.cost_minor.max()) == 500_000
        free = simulate(scheme, people(scheme, 20), {"csat": Normal(mean=85.0, sd=10.0)}, draws=500)
        np.testing.assert_array_equal(result.cost_minor, np.minimum(free.cost_minor, 500_000))

    def test_per_person_cap(self) -> None:
        """A per-person cap below the award lowers every payout to the cap."""
        scheme = one_kpi_scheme()
        pool = BonusPool(currency="CNY", per_person_cap=Decimal("400"))
        capped = simulate(
            scheme, people(scheme, 5), {"csat": Normal(mean=85.0, sd=10.0)}, draws=200, pool=pool
        )
        free = simulate(scheme, people(scheme, 5), {"csat": Normal(mean=85.0, sd=10.0)}, draws=200)
        np.testing.assert_array_equal(capped.cost_minor * 1000, free.cost_minor * 400)


class TestFitting:
    def test_fit_normal_and_empirical(self) -> None:
        """Fitted normals take the observed mean, spread and missing share."""
        data = np.array([[1.0, 10.0], [3.0, np.nan], [5.0, 30.0], [7.0, np.nan]])
        fitted = fit_actuals(data, kpi_keys=["a", "b"])
        a, b = fitted["a"], fitted["b"]  # type: ignore[index]
        assert isinstance(a, Normal)
        assert a.mean == 4.0
        assert a.sd == pytest.approx(np.std([1, 3, 5, 7]))
        assert a.missing == 0.0
        assert isinstance(b, Normal)
        assert b.missing == 0.5
        emp = fit_actuals(data, kpi_keys=["a", "b"], kind="empirical")
        assert emp["b"] == Empirical(values=(10.0, 30.0), missing=0.5)  # type: ignore[index]
        joint = fit_actuals(data, kpi_keys=["a", "b"], kind="joint")
        assert isinstance(joint, JointResample)

    def test_joint_resample_keeps_rows(self) -> None:
        """Joint resampling draws whole historical rows."""
        scheme = clean_scheme()
        pop = population(scheme, n=40)
        joint = fit_actuals(pop, kind="joint")
        result = simulate(scheme, pop, joint, draws=20, seed=1)
        assert result.draws == 20

    def test_bad_inputs(self) -> None:
        """Unknown kinds, missing distributions and bad sizes are ValidationErrors."""
        scheme = one_kpi_scheme()
        with pytest.raises(ValidationError, match="kind"):
            fit_actuals(np.zeros((2, 1)), kpi_keys=["csat"], kind="poisson")
        with pytest.raises(ValidationError, match="kpi_keys"):
            fit_actuals(np.zeros((2, 1)))
        with pytest.raises(ValidationError, match="no distribution"):
            simulate(scheme, people(scheme, 2), {}, draws=1)
        with pytest.raises(ValidationError, match="draws=0"):
            simulate(scheme, people(scheme, 2), {"csat": Uniform(low=0, high=1)}, draws=0)
        with pytest.raises(ValidationError, match="sd"):
            Normal(mean=0.0, sd=-1.0)
        with pytest.raises(ValidationError, match="high"):
            Uniform(low=2.0, high=1.0)
        with pytest.raises(ValidationError, match="shape"):
            JointResample(kpi_keys=("a",), rows=np.zeros((3, 2)))
