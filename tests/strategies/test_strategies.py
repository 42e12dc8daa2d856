"""Tests for perfmgmt.strategies: valid objects, from_type registration, argument checks."""

from __future__ import annotations

import itertools
import math
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from perfmgmt import strategies as pst
from perfmgmt.model import (
    Direction,
    Review,
    Scheme,
)
from perfmgmt.model.condition import CONDITION_TYPES
from perfmgmt.model.kpi import KPI
from perfmgmt.rules import RuleEvaluator
from perfmgmt.rules.tables import compile_table
from perfmgmt.scoring import ScoringEngine, default_registry
from perfmgmt.serialization import dumps
from perfmgmt.strategies._plugin import _result_strategies

# The entry point registers these when perfmgmt is installed with it; call the hook directly so
# the tests do not depend on how the package was installed.
pst._hypothesis_setup_hook()

_RELAXED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PUBLIC_TYPES = sorted(pst._type_strategies(), key=lambda t: t.__name__)
_RESULT_TYPES = sorted(_result_strategies(), key=lambda t: t.__name__)


def _revalidate(obj: object) -> None:
    """Rebuild ``obj`` (and so every nested attrs object) through its validators."""
    attrs.validate(obj)  # type: ignore[arg-type]
    rebuilt = attrs.evolve(obj)  # type: ignore[misc]
    # Results holding arrays compare by identity, and NaN is not equal to itself: compare
    # those by their documents.
    assert rebuilt == obj or dumps(rebuilt) == dumps(obj)


class TestSchemes:
    @_RELAXED
    @given(pst.schemes())
    def test_weights_sum_to_one(self, scheme: Scheme) -> None:
        """Category, per-category KPI, criterion and source weights each sum to 1."""
        assert math.isclose(math.fsum(c.weight for c in scheme.categories), 1.0, abs_tol=1e-9)
        for cat in scheme.categories:
            ws = [k.weight for k in scheme.kpis if k.category == cat.key]
            assert ws
            assert math.isclose(math.fsum(ws), 1.0, abs_tol=1e-9)
        if scheme.criteria:
            assert math.isclose(math.fsum(c.weight for c in scheme.criteria), 1.0, abs_tol=1e-9)
        else:
            assert scheme.quantitative_share == 1.0
        _revalidate(scheme)

    @_RELAXED
    @given(pst.schemes())
    def test_bands_contiguous(self, scheme: Scheme) -> None:
        """Rating bands follow each other with no gap and no overlap."""
        bands = scheme.rating_scale.bands
        for lo, hi in itertools.pairwise(bands):
            assert lo.upper == hi.lower

    @_RELAXED
    @given(pst.schemes(min_kpis=3, max_kpis=4, max_categories=1))
    def test_size_bounds(self, scheme: Scheme) -> None:
        """min_kpis/max_kpis and max_categories bound the generated scheme."""
        assert 3 <= len(scheme.kpis) <= 4
        assert len(scheme.categories) == 1

    @_RELAXED
    @given(pst.schemes(directions=st.just(Direction.LOWER_IS_BETTER)))
    def test_direction_strategy_is_used(self, scheme: Scheme) -> None:
        """The directions strategy decides every KPI's direction."""
        assert {k.indicator.direction for k in scheme.kpis} == {Direction.LOWER_IS_BETTER}

    @_RELAXED
    @given(pst.schemes(scorable=True))
    def test_scorable_schemes_resolve_and_compile(self, scheme: Scheme) -> None:
        """Scorable schemes use registered scorers whose bounds the KPIs provide."""
        for kpi in scheme.kpis:
            default_registry.resolve(kpi.scoring, kpi)
        for table in scheme.tables:
            compile_table(table)

    def test_shrinks_to_one_kpi(self) -> None:
        """The minimal scheme has one KPI, one category, no criteria and no rules."""
        import random

        from hypothesis import find

        # A fixed random source and no database: the same shrink on every machine, CI included
        # (CI's derandomized profile made this search take a minute).
        quick = settings(database=None, derandomize=False, max_examples=100)
        smallest = find(pst.schemes(), lambda s: True, settings=quick, random=random.Random(0))
        assert len(smallest.kpis) == 1
        assert len(smallest.categories) == 1
        assert smallest.criteria == ()
        assert smallest.rules == ()
        assert smallest.tables == ()

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"min_kpis": 0},
            {"min_kpis": 3, "max_kpis": 2},
            {"max_categories": 0},
            {"max_rules": -1},
            {"directions": Direction.HIGHER_IS_BETTER},
        ],
    )
    def test_impossible_arguments(self, kwargs: dict[str, object]) -> None:
        """Impossible or mistyped arguments raise InvalidArgument."""
        with pytest.raises(InvalidArgument):
            pst.schemes(**kwargs)  # type: ignore[arg-type]


class TestKpis:
    @_RELAXED
    @given(pst.kpis())
    def test_bounds_ordered_for_direction(self, kpi: KPI) -> None:
        """Threshold, target and stretch are ordered the way the direction requires."""
        values = [v for v in (kpi.threshold, kpi.target, kpi.stretch) if v is not None]
        if kpi.indicator.direction is Direction.HIGHER_IS_BETTER:
            assert values == sorted(values)
        elif kpi.indicator.direction is Direction.LOWER_IS_BETTER:
            assert values == sorted(values, reverse=True)
        else:
            assert kpi.threshold is None
            assert kpi.stretch is None
        _revalidate(kpi)


class TestReviews:
    @_RELAXED
    @given(st.data())
    def test_review_fits_its_scheme(self, data: st.DataObject) -> None:
        """A review drawn for a scheme names it, carries its hash and scores without error."""
        scheme = data.draw(pst.schemes(scorable=True))
        review = data.draw(pst.reviews(scheme=scheme))
        assert review.scheme == scheme.key
        assert review.scheme_hash == scheme.content_hash
        assert {a.kpi for a in review.actuals} <= set(scheme.kpi_keys)
        assert {a.criterion for a in review.assessments} <= {c.key for c in scheme.criteria}
        card = ScoringEngine().score(scheme, review)
        assert card.subject_id == review.subject.id

    @_RELAXED
    @given(st.data())
    def test_actuals_for_cover_scheme(self, data: st.DataObject) -> None:
        """Without missing data every KPI has an actual meeting its minimum sample."""
        scheme = data.draw(pst.schemes())
        actuals = data.draw(pst.actuals_for(scheme, allow_missing=False))
        assert [a.kpi for a in actuals] == list(scheme.kpi_keys)
        for a, kpi in zip(actuals, scheme.kpis, strict=True):
            assert a.value is not None
            assert a.sample_size is not None
            assert a.sample_size >= kpi.min_sample

    def test_actuals_for_needs_a_scheme(self) -> None:
        """actuals_for refuses something that is not a Scheme."""
        with pytest.raises(InvalidArgument):
            pst.actuals_for("scheme")  # type: ignore[arg-type]

    def test_reviews_refuses_other_values(self) -> None:
        """reviews(scheme=...) refuses a value that is neither a Scheme nor a strategy."""
        with pytest.raises(InvalidArgument):
            pst.reviews(scheme=42)  # type: ignore[arg-type]


class TestPopulations:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(pst.populations(min_size=2, max_size=4))
    def test_population_scores_and_evaluates(self, pair: tuple[Scheme, object]) -> None:
        """A generated population scores in batch and its scheme's rules evaluate on it."""
        scheme, population = pair
        batch = ScoringEngine().score_batch(scheme, population)  # type: ignore[arg-type]
        assert 2 <= len(batch) <= 4
        decisions = RuleEvaluator().evaluate_batch(scheme, batch, population)  # type: ignore[arg-type]
        assert len(decisions) == len(batch)

    def test_size_arguments_checked(self) -> None:
        """min_size below 1 raises InvalidArgument."""
        with pytest.raises(InvalidArgument):
            pst.populations(min_size=0)


class TestOtherStrategies:
    @_RELAXED
    @given(pst.decision_tables())
    def test_tables_compile(self, table: object) -> None:
        """Every generated decision table passes the table compiler."""
        compile_table(table)  # type: ignore[arg-type]

    @_RELAXED
    @given(pst.conditions())
    def test_conditions_are_nodes(self, node: object) -> None:
        """Condition trees are made of condition nodes only."""
        assert isinstance(node, CONDITION_TYPES)

    @_RELAXED
    @given(pst.cycles())
    def test_cycles_ordered(self, cycle: object) -> None:
        """Cycles end on or after their start, with phase windows in phase order."""
        _revalidate(cycle)

    @_RELAXED
    @given(pst.development_plans(min_size=1, max_size=3))
    def test_development_plans_sized(self, plan: object) -> None:
        """min_size/max_size bound the number of actions, whose keys are unique."""
        keys = [a.key for a in plan.actions]  # type: ignore[attr-defined]
        assert 1 <= len(keys) <= 3
        assert len(set(keys)) == len(keys)

    @pytest.mark.parametrize(
        "make",
        [
            lambda: pst.bands(min_size=1),
            lambda: pst.bands(max_size=27),
            lambda: pst.decision_tables(min_rows=0),
            lambda: pst.decision_tables(max_inputs=0),
            lambda: pst.conditions(max_leaves=0),
            lambda: pst.incentive_rules(max_outcomes=0),
            lambda: pst.development_plans(min_size=2, max_size=1),
            lambda: pst.keys(max_size=65),
            lambda: pst.labels(en="Service"),  # a value where a strategy belongs
        ],
    )
    def test_impossible_arguments(self, make: object) -> None:
        """Impossible or mistyped arguments raise InvalidArgument."""
        with pytest.raises(InvalidArgument):
            make()  # type: ignore[operator]


class TestAnalyticsStrategies:
    @_RELAXED
    @given(pst.merit_results(min_size=1, max_size=3))
    def test_merit_results_are_sized_and_spend_their_budget(self, result: object) -> None:
        """min_size/max_size bound the people; with a budget the raises add up to it."""
        assert 1 <= len(result) <= 3  # type: ignore[arg-type]
        budget = result.budget  # type: ignore[attr-defined]
        assert budget is None or result.total == budget  # type: ignore[attr-defined]

    @_RELAXED
    @given(pst.merit_matrices(max_bands=2))
    def test_max_bands_bounds_the_matrix(self, matrix: object) -> None:
        """max_bands bounds the number of compa-ratio bands of every row."""
        assert all(len(r.percents) <= 2 for r in matrix.rows)  # type: ignore[attr-defined]

    @_RELAXED
    @given(pst.readiness_results())
    def test_readiness_results_recompute(self, result: object) -> None:
        """A generated readiness result is what promotion_readiness gives for its inputs."""
        from perfmgmt.analytics import promotion_readiness

        r: Any = result
        again = promotion_readiness(r.policy, r.placement, history=r.history)
        assert again.rule.tolist() == r.rule.tolist()

    @pytest.mark.parametrize(
        "make",
        [
            lambda: pst.merit_matrices(max_bands=0),
            lambda: pst.merit_matrices(max_bands=11),
            lambda: pst.merit_results(min_size=3, max_size=2),
            lambda: pst.merit_comparisons(min_size=-1),
            lambda: pst.nine_box_placements(grids="grid"),  # a value where a strategy belongs
            lambda: pst.potential_models(max_criteria=0),
            lambda: pst.readiness_results(policies=object()),
        ],
    )
    def test_impossible_arguments(self, make: object) -> None:
        """Impossible or mistyped arguments raise InvalidArgument."""
        with pytest.raises(InvalidArgument):
            make()  # type: ignore[operator]


class TestFromType:
    @pytest.mark.parametrize("cls", _PUBLIC_TYPES, ids=lambda t: t.__name__)
    def test_from_type_yields_valid_instances(self, cls: type) -> None:
        """st.from_type works for every public domain type and yields valid instances."""

        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.from_type(cls))
        def check(obj: object) -> None:
            assert isinstance(obj, cls)
            _revalidate(obj)

        check()

    @pytest.mark.parametrize("cls", _RESULT_TYPES, ids=lambda t: t.__name__)
    def test_from_type_yields_valid_results(self, cls: type) -> None:
        """st.from_type works for every public result type (engines run on generated input)."""

        @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.from_type(cls))
        def check(obj: object) -> None:
            assert isinstance(obj, cls)
            _revalidate(obj)

        check()

    def test_every_public_class_is_registered(self) -> None:
        """Every attrs class on the package face has a registered strategy, results included."""
        import perfmgmt

        public = {
            obj
            for name in perfmgmt.__all__
            if isinstance(obj := getattr(perfmgmt, name), type) and attrs.has(obj)
        }
        assert public <= set(_PUBLIC_TYPES) | set(_RESULT_TYPES)

    def test_every_public_model_class_is_registered(self) -> None:
        """Every attrs class exported by perfmgmt.model has a registered strategy."""
        from perfmgmt import model

        public = {obj for name in model.__all__ if attrs.has(obj := getattr(model, name))}
        assert public <= set(_PUBLIC_TYPES)

    @settings(max_examples=10, deadline=None)
    @given(st.from_type(Review))
    def test_review_from_type(self, review: Review) -> None:
        """The headline use: st.from_type(Review) yields a valid Review."""
        assert isinstance(review, Review)
        _revalidate(review)
