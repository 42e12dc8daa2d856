"""Tests of perfmgmt.analytics.effectiveness: KPI spread, edges, correlations, raters, back-test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics_schemes import clean_scheme, evolve, population
from perfmgmt.analytics.compare import compare
from perfmgmt.analytics.effectiveness import backtest, effectiveness, rater_leniency
from perfmgmt.errors import ValidationError
from perfmgmt.model import Assessment, AssessmentSource, Review, Scheme, Subject
from perfmgmt.scoring import BatchScores, Population, ScoringEngine


def scored(scheme: Scheme, pop: Population) -> BatchScores:
    """Score a population."""
    return ScoringEngine().score_batch(scheme, pop)


def with_actual(scheme: Scheme, pop: Population, key: str, values: np.ndarray) -> Population:
    """Return ``pop`` with one KPI's actuals replaced."""
    actual = np.array(pop.actual)
    actual[:, scheme.kpi_keys.index(key)] = values
    n, q, s = len(pop), len(scheme.criteria), len(scheme.sources)
    return Population.from_arrays(
        scheme,
        subject_ids=pop.subject_ids,
        actual=actual,
        ratings=np.full((n, q, s), 4.0),
        raters=np.ones((n, q, s), dtype=np.int64),
    )


class TestKpiStatistics:
    def test_spread_and_attainability(self) -> None:
        """Spread is the score SD; attainability is the share of actuals at or past target."""
        scheme = clean_scheme()
        pop = population(scheme, n=400, seed=1)
        report = effectiveness(scheme, scored(scheme, pop))
        csat = report.kpi("csat")
        actual = pop.actual[:, 0]
        assert csat.scored == 400
        assert csat.met_target == pytest.approx(float((actual >= 80.0).mean()))
        assert csat.sd > 0
        assert -1.0 <= csat.corr_total <= 1.0
        assert report.reviews == 400

    def test_ceiling_and_floor_effects(self) -> None:
        """Everyone past the stretch is at the cap; everyone under the threshold at the floor."""
        scheme = clean_scheme()
        pop = population(scheme, n=50)
        pop = with_actual(scheme, pop, "csat", np.full(50, 99.0))
        pop = with_actual(scheme, pop, "fcr", np.full(50, 10.0))
        report = effectiveness(scheme, scored(scheme, pop))
        assert report.kpi("csat").at_cap == 1.0
        assert report.kpi("fcr").at_floor == 1.0
        assert report.kpi("csat").sd == 0.0
        flags = report.flags()
        assert any("csat" in f and "ceiling" in f for f in flags)
        assert any("fcr" in f and "floor effect" in f for f in flags)

    def test_redundant_kpis(self) -> None:
        """Two KPIs with the same actuals and scoring correlate 1 and are reported redundant."""
        scheme = clean_scheme()
        pop = population(scheme, n=200, seed=4)
        pop = with_actual(scheme, pop, "fcr", pop.actual[:, 0])
        report = effectiveness(scheme, scored(scheme, pop))
        assert report.kpi("csat").most_similar == "fcr"
        assert report.kpi("csat").corr_most_similar == pytest.approx(1.0)
        ((a, b, r),) = report.redundant_pairs()
        assert (a, b) == ("csat", "fcr")
        assert r == pytest.approx(1.0)

    def test_several_cycles_pool(self) -> None:
        """Several batches are read as one sample."""
        scheme = clean_scheme()
        a = scored(scheme, population(scheme, n=30, seed=1))
        b = scored(scheme, population(scheme, n=20, seed=2))
        report = effectiveness(scheme, [a, b])
        assert report.reviews == 50
        assert report.correlation.shape == (4, 4)
        assert len(report.to_records()) == 4

    def test_wrong_scheme_refused(self) -> None:
        """A batch of another scheme's KPIs is a ValidationError; an unknown KPI too."""
        scheme = clean_scheme()
        batch = scored(scheme, population(scheme, n=5))
        from perfmgmt.model import normalise_weights

        other = evolve(scheme, kpis=normalise_weights([k for k in scheme.kpis if k.key != "fcr"]))
        with pytest.raises(ValidationError, match="KPIs"):
            effectiveness(other, batch)
        with pytest.raises(ValidationError, match="no KPI"):
            effectiveness(scheme, batch).kpi("nps")


class TestRaterLeniency:
    def test_lenient_rater_first(self) -> None:
        """The rater who rates highest comes first with a positive offset."""
        scheme = clean_scheme()
        reviews = []
        for i in range(6):
            assessments = (
                Assessment(
                    criterion="attitude",
                    source=AssessmentSource.MANAGER,
                    rater_id="kind",
                    rating=5.0,
                ),
                Assessment(
                    criterion="attitude", source=AssessmentSource.PEER, rater_id="harsh", rating=2.0
                ),
            )
            reviews.append(
                Review(
                    subject=Subject(id=f"s{i}"), cycle="q1", scheme="cs", assessments=assessments
                )
            )
        stats = rater_leniency(scheme, reviews)
        assert [s.rater_id for s in stats] == ["kind", "harsh"]
        kind, harsh = stats
        assert kind.mean == 1.0
        assert harsh.mean == pytest.approx(0.25)
        assert kind.offset == pytest.approx(-harsh.offset)
        assert kind.top_share == 1.0
        assert kind.z > 0 > harsh.z
        assert rater_leniency(scheme, []) == ()


class TestBacktest:
    def test_backtest_matches_compare_per_cycle(self) -> None:
        """Each past cycle's back-test equals compare() on that cycle."""
        current = clean_scheme()
        proposed = evolve(current, quantitative_share=0.8)
        cycles = {
            "2025q1": population(current, n=40, seed=1),
            "2025q2": population(current, n=40, seed=2),
        }
        result = backtest(current, proposed, cycles)
        assert result.cycles == ("2025q1", "2025q2")
        direct = compare(current, proposed, cycles["2025q2"])
        mine = result.comparison("2025q2")
        np.testing.assert_array_equal(mine.delta, direct.delta)
        assert mine.cost_change == direct.cost_change
        rows = result.summary()
        assert [r["cycle"] for r in rows] == ["2025q1", "2025q2"]
        assert not math.isnan(float(rows[0]["mean_delta"]))  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="no cycle"):
            result.comparison("2024q4")
