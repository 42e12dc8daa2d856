"""The Hypothesis entry point: register a strategy for every public domain type.

``[project.entry-points.hypothesis]`` names :func:`_hypothesis_setup_hook`, so
``st.from_type(Review)`` works in any test once perfmgmt is installed. Hypothesis loads its entry
points at the end of its own import, so when a user imports :mod:`perfmgmt.strategies` first,
this module is loaded while the package face is still being imported. That is safe because the
face imports Hypothesis before any of its own modules: the modules imported here are then
imported whole, here, and the face finds them done. The face calls the hook too, so importing
:mod:`perfmgmt.strategies` registers the strategies even where the entry point is not
installed (a source checkout on ``sys.path``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from perfmgmt.model import (
    KPI,
    Actual,
    AdjustmentKind,
    Assessment,
    Band,
    Bonus,
    BonusBasis,
    Category,
    CheckIn,
    Cycle,
    CyclePlan,
    DecisionTable,
    Deduction,
    DeductionBasis,
    DevelopmentAction,
    DevelopmentPlan,
    DevelopmentPolicy,
    Direction,
    Eligibility,
    Event,
    Gate,
    Goal,
    Honour,
    IncentiveRule,
    Indicator,
    Interview,
    Label,
    Money,
    Objective,
    PhaseWindow,
    PositionAdjustment,
    Promotion,
    QualitativeCriterion,
    RatingScale,
    Review,
    ReviewResult,
    Scale,
    Scheme,
    ScoringSpec,
    SkillLink,
    SkillMap,
    SourcePolicy,
    Subject,
    TableInput,
    TableRow,
    TrainingOpportunity,
    WellbeingTrigger,
)
from perfmgmt.model.condition import CONDITION_TYPES
from perfmgmt.model.incentive import BonusPool
from perfmgmt.strategies._model import (
    _ordered,
    _sources,
    bands,
    categories,
    criteria,
    cycle_plans,
    cycles,
    gates,
    indicators,
    kpis,
    rating_scales,
    scales,
    schemes,
    scoring_specs,
)
from perfmgmt.strategies._review import (
    _assessments,
    _check_ins,
    development_actions,
    development_plans,
    development_policies,
    eligibilities,
    events,
    interviews,
    objectives,
    review_results,
    reviews,
    subjects,
)
from perfmgmt.strategies._rules import (
    _money_outcome,
    _node_strategy,
    bonus_pools,
    decision_tables,
    incentive_rules,
)
from perfmgmt.strategies._values import _finite, _make, _texts, decimals, keys, labels


def _type_strategies() -> dict[type, Callable[[], st.SearchStrategy[Any]]]:
    """Map every public domain type to a factory of its strategy."""
    table: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
        Label: labels,
        Indicator: indicators,
        ScoringSpec: scoring_specs,
        Gate: gates,
        KPI: kpis,
        Band: lambda: bands().flatmap(st.sampled_from),
        RatingScale: rating_scales,
        Scale: scales,
        Category: lambda: categories().flatmap(st.sampled_from),
        QualitativeCriterion: lambda: criteria().flatmap(st.sampled_from),
        SourcePolicy: lambda: _sources().flatmap(st.sampled_from),
        Scheme: schemes,
        CyclePlan: cycle_plans,
        Cycle: cycles,
        PhaseWindow: lambda: (
            cycles().filter(lambda c: bool(c.phases)).flatmap(lambda c: st.sampled_from(c.phases))
        ),
        Subject: subjects,
        Goal: lambda: st.sampled_from(Direction).flatmap(
            lambda d: _ordered(d).map(lambda bounds: _make(Goal, kpi="csat", **bounds))
        ),
        Actual: lambda: st.builds(
            Actual,
            kpi=keys(),
            value=st.none() | _finite(),
            sample_size=st.none() | st.integers(0, 500),
        ),
        CheckIn: lambda: _check_ins(["csat", "aht"]).filter(bool).map(lambda c: c[0]),
        Assessment: lambda: _assessments(None).filter(bool).map(lambda a: a[0]),
        Event: events,
        Review: reviews,
        Interview: interviews,
        DevelopmentAction: development_actions,
        DevelopmentPlan: development_plans,
        DevelopmentPolicy: development_policies,
        SkillLink: lambda: (
            development_policies()
            .filter(lambda p: bool(p.skill_map.links))
            .map(lambda p: p.skill_map.links[0])
        ),
        SkillMap: lambda: development_policies().map(lambda p: p.skill_map),
        WellbeingTrigger: lambda: (
            development_policies().filter(lambda p: bool(p.wellbeing)).map(lambda p: p.wellbeing[0])
        ),
        Eligibility: eligibilities,
        Objective: objectives,
        ReviewResult: review_results,
        Bonus: lambda: _money_outcome(BonusBasis).map(lambda kw: Bonus(**kw)),
        Deduction: lambda: _money_outcome(DeductionBasis).map(lambda kw: Deduction(**kw)),
        Promotion: lambda: st.builds(
            Promotion, to_grade=st.none() | st.sampled_from(["M1", "M2"]), note=_texts()
        ),
        TrainingOpportunity: lambda: st.builds(
            TrainingOpportunity, topic=_texts(min_size=1), kpi=st.none() | keys()
        ),
        Honour: lambda: st.builds(Honour, title=_texts(min_size=1)),
        PositionAdjustment: lambda: st.builds(
            PositionAdjustment, kind=st.sampled_from(AdjustmentKind), note=_texts()
        ),
        IncentiveRule: incentive_rules,
        TableInput: lambda: decision_tables().map(lambda t: t.inputs[0]),
        TableRow: lambda: decision_tables().map(lambda t: t.rows[0]),
        DecisionTable: decision_tables,
        BonusPool: bonus_pools,
        Money: lambda: st.builds(
            Money, amount=decimals(), currency=st.sampled_from(["CNY", "USD", "JPY"])
        ),
    }
    for cls in CONDITION_TYPES:
        table[cls] = lambda cls=cls: _node_strategy(cls)  # type: ignore[misc]
    return table


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every public domain type, so ``st.from_type(T)`` works.

    Called by Hypothesis through the ``hypothesis`` entry point of the installed package; safe
    to call again (registration replaces the previous one).
    """
    for cls, factory in _type_strategies().items():
        st.register_type_strategy(cls, st.deferred(factory))
