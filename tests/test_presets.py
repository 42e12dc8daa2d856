"""Tests of the customer-service preset (perfmgmt.presets)."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest

from perfmgmt.errors import PerfmgmtError
from perfmgmt.model import Direction, Scheme
from perfmgmt.model.development import DevelopmentPolicy
from perfmgmt.presets import customer_service_development, customer_service_manager
from perfmgmt.serialization import dumps, loads

DOCUMENT_KPIS = {
    "csat": ("satisfaction", "客户满意度得分"),
    "response_time": ("efficiency", "平均响应时间"),
    "fcr": ("efficiency", "首次接触解决率"),
    "morale": ("team", "团队士气指数"),
    "training": ("team", "员工培训与发展"),
    "cost_saving": ("cost", "服务成本节约率"),
    "innovation": ("innovation", "服务创新项目数量"),
}


class TestScheme:
    def test_seven_kpis_in_five_categories(self) -> None:
        """The preset has the document's seven KPIs, in its five categories, with zh labels."""
        scheme = customer_service_manager()
        assert len(scheme.categories) == 5
        got = {k.key: (k.category, k.indicator.label.zh) for k in scheme.kpis}
        assert got == DOCUMENT_KPIS

    def test_weights_sum_to_one(self) -> None:
        """Nominal KPI weights (category x within-category) sum to 1."""
        weights = customer_service_manager().nominal_weights()
        assert math.isclose(math.fsum(weights.values()), 1.0)
        assert all(w > 0 for w in weights.values())

    def test_response_time_is_lower_is_better(self) -> None:
        """Average response time improves downwards; the other KPIs upwards."""
        scheme = customer_service_manager()
        lower = [k.key for k in scheme.kpis if k.indicator.direction is Direction.LOWER_IS_BETTER]
        assert lower == ["response_time"]

    def test_blend_criteria_and_scale(self) -> None:
        """70/30 blend, attitude and teamwork in en and zh, A-E bands with 10/20/40/20/10."""
        scheme = customer_service_manager()
        assert scheme.quantitative_share == 0.7
        assert {(c.key, c.label.zh) for c in scheme.criteria} == {
            ("attitude", "工作态度"),
            ("teamwork", "团队协作"),
        }
        assert scheme.rating_scale.labels == ("E", "D", "C", "B", "A")
        shares = [b.guideline_share for b in scheme.rating_scale.bands]
        assert shares == [0.10, 0.20, 0.40, 0.20, 0.10]

    def test_rules_cover_every_incentive_and_penalty(self) -> None:
        """Bonus table, promotion, honour, training, deduction and position adjustment exist."""
        scheme = customer_service_manager()
        keys = {r.key for r in scheme.rules} | {t.key for t in scheme.tables}
        assert keys == {
            "bonus_by_rating",
            "promotion",
            "top_performer_honour",
            "training_opportunity",
            "low_rating_deduction",
            "position_adjustment",
        }
        assert all(r.label is not None and r.label.zh for r in scheme.rules)

    def test_every_scorer_resolves(self) -> None:
        """The scoring engine accepts every KPI's scorer and parameters."""
        from perfmgmt.scoring import ScoringEngine

        plan = ScoringEngine().plan(customer_service_manager())
        assert plan is not None

    def test_rules_type_check_against_the_scheme(self) -> None:
        """Every rule condition type-checks against the scheme's rule fields."""
        from perfmgmt.rules import FieldSchema, check_condition

        scheme = customer_service_manager()
        schema = FieldSchema.for_scheme(scheme)
        for r in scheme.rules:
            check_condition(r.condition, schema)

    def test_deterministic(self) -> None:
        """Two calls give equal schemes with the same content hash."""
        a, b = customer_service_manager(), customer_service_manager()
        assert a == b
        assert a.content_hash == b.content_hash


class TestRoundTrip:
    def test_scheme_json_round_trip(self) -> None:
        """The preset survives a JSON round trip unchanged, hash included."""
        scheme = customer_service_manager()
        back = loads(dumps(scheme), Scheme)
        assert back == scheme
        assert back.content_hash == scheme.content_hash

    def test_development_policy_json_round_trip(self) -> None:
        """The development policy survives a JSON round trip unchanged."""
        policy = customer_service_development()
        assert loads(dumps(policy), DevelopmentPolicy) == policy


class TestEvolve:
    def test_change_weights_and_blend(self) -> None:
        """Categories and the blend can be replaced; the content hash changes."""
        scheme = customer_service_manager()
        cats = tuple(
            attrs.evolve(c, weight={"satisfaction": 0.4, "cost": 0.05}.get(c.key, c.weight))
            for c in scheme.categories
        )
        changed = attrs.evolve(scheme, categories=cats, quantitative_share=0.8)
        assert changed.category("satisfaction").weight == 0.4
        assert changed.content_hash != scheme.content_hash

    def test_change_a_kpi_target(self) -> None:
        """A KPI's targets can be changed with evolve."""
        scheme = customer_service_manager()
        kpis = tuple(
            attrs.evolve(k, threshold=70.0, target=80.0, stretch=90.0) if k.key == "csat" else k
            for k in scheme.kpis
        )
        assert attrs.evolve(scheme, kpis=kpis).kpi("csat").target == 80.0

    def test_change_scale_rules_plan_and_criteria(self) -> None:
        """Rating scale, rules, tables, cycle plan and criteria are all replaceable."""
        scheme = customer_service_manager()
        bands = tuple(attrs.evolve(b, guideline_share=None) for b in scheme.rating_scale.bands)
        changed = attrs.evolve(
            scheme,
            rating_scale=attrs.evolve(scheme.rating_scale, bands=bands),
            rules=scheme.rules[:2],
            tables=(),
            cycle_plan=attrs.evolve(scheme.cycle_plan, goal_setting_days=21),
            criteria=tuple(
                attrs.evolve(c, weight=w) for c, w in zip(scheme.criteria, (0.6, 0.4), strict=True)
            ),
        )
        assert len(changed.rules) == 2
        assert changed.cycle_plan is not None
        assert changed.cycle_plan.goal_setting_days == 21

    def test_invalid_change_is_refused(self) -> None:
        """An evolve that breaks the weights raises a PerfmgmtError naming the category sum."""
        scheme = customer_service_manager()
        cats = tuple(attrs.evolve(c, weight=0.5) for c in scheme.categories)
        with pytest.raises(PerfmgmtError, match="categories"):
            attrs.evolve(scheme, categories=cats)

    def test_development_policy_changeable(self) -> None:
        """The development policy's triggers and career rule can be changed."""
        policy = customer_service_development()
        changed = attrs.evolve(policy, career_after=3, wellbeing=policy.wellbeing[:1])
        assert changed.career_after == 3
        assert len(changed.wellbeing) == 1


class TestScoresSensibly:
    def test_on_target_scores_100(self) -> None:
        """A manager exactly on every target with 4/5 ratings scores 100 and rates B."""
        from perfmgmt.scoring import Population, ScoringEngine

        scheme = customer_service_manager()
        targets = [k.target for k in scheme.kpis]
        q, s = len(scheme.criteria), len(scheme.sources)
        pop = Population.from_arrays(
            scheme,
            subject_ids=["m1"],
            actual=np.array([targets], dtype=float),
            sample_size=np.full((1, len(targets)), 100),
            ratings=np.full((1, q, s), 4.0),
            raters=np.full((1, q, s), 5),
        )
        batch = ScoringEngine().score_batch(scheme, pop)
        assert batch.total[0] == pytest.approx(100.0)
        assert batch.rating_labels[batch.rating_index[0]] == "B"
