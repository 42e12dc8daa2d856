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
    Assignment,
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
    FteChange,
    Gate,
    Goal,
    GoalChange,
    HistoryCheck,
    Honour,
    IncentiveRule,
    Indicator,
    Interview,
    Label,
    Leave,
    MissingData,
    Money,
    Objective,
    Period,
    PeriodValues,
    PhaseWindow,
    PositionAdjustment,
    Promotion,
    Proration,
    QualitativeCriterion,
    RatingScale,
    Review,
    ReviewResult,
    Scale,
    Scheme,
    ScoringSpec,
    Signature,
    SignatureRole,
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
    missing_data_policies,
    rating_scales,
    scales,
    schemes,
    scoring_specs,
)
from perfmgmt.strategies._results import (
    batch_decisions,
    batch_scores,
    calibration_changes,
    calibration_logs,
    decisions,
    explanations,
    field_schemas,
    histories,
    pool_allocations,
    score_cards,
    scorers,
)
from perfmgmt.strategies._review import (
    _assessments,
    _check_ins,
    assignments,
    development_actions,
    development_plans,
    development_policies,
    eligibilities,
    events,
    fte_changes,
    goal_changes,
    interviews,
    leaves,
    objectives,
    period_values,
    periods,
    populations,
    prorations,
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
    """Map every public domain type to a factory of its strategy (results: see below)."""
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
        MissingData: missing_data_policies,
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
        Signature: lambda: events().flatmap(
            lambda e: st.builds(
                Signature,
                role=st.sampled_from(SignatureRole),
                actor=st.just(e.actor),
                at=st.just(e.at),
            )
        ),
        HistoryCheck: lambda: st.builds(
            HistoryCheck,
            events=st.integers(0, 50),
            legacy=st.integers(0, 50),
            index=st.none() | st.integers(0, 50),
            reason=_texts(max_size=20),
        ),
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
        Period: periods,
        Assignment: assignments,
        FteChange: fte_changes,
        Leave: leaves,
        GoalChange: goal_changes,
        PeriodValues: period_values,
        Proration: prorations,
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


def _of_type(strategy: st.SearchStrategy[Any], cls: type) -> st.SearchStrategy[Any]:
    return strategy.filter(lambda x: isinstance(x, cls))


def _result_strategies() -> dict[type, Callable[[], st.SearchStrategy[Any]]]:
    """Map every public result type (and the scorers, and the analytics) to its strategy."""
    from perfmgmt.analytics import (  # noqa: PLC0415
        BoxMovement,
        MeritComparison,
        MeritMatrix,
        MeritResult,
        MeritRow,
        NineBoxGrid,
        NineBoxPlacement,
        PotentialModel,
        ReadinessPolicy,
        ReadinessResult,
    )
    from perfmgmt.calibration import CalibrationChange, CalibrationLog  # noqa: PLC0415
    from perfmgmt.rules import (  # noqa: PLC0415 - engines are imported only when registering
        BatchDecisions,
        Decision,
        Decisions,
        FieldSchema,
        Finding,
        FindingKind,
        History,
        PoolAllocation,
    )
    from perfmgmt.rules.decisions import TraceEntry  # noqa: PLC0415
    from perfmgmt.scoring import (  # noqa: PLC0415
        BandedScorer,
        BatchScores,
        BinaryScorer,
        CategoryLine,
        CriterionLine,
        Explanation,
        KpiLine,
        LinearScorer,
        Population,
        ProgressScorer,
        RatioScorer,
        ScoreCard,
        SourceLine,
        TargetBandScorer,
    )
    from perfmgmt.strategies import _analytics as an  # noqa: PLC0415

    table: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
        BatchScores: batch_scores,
        ScoreCard: score_cards,
        KpiLine: lambda: score_cards().flatmap(lambda c: st.sampled_from(c.lines)),
        CategoryLine: lambda: score_cards().flatmap(lambda c: st.sampled_from(c.categories)),
        SourceLine: lambda: (
            score_cards()
            .filter(lambda c: any(q.sources for q in c.criteria))
            .flatmap(lambda c: st.sampled_from([s for q in c.criteria for s in q.sources]))
        ),
        CriterionLine: lambda: (
            score_cards()
            .filter(lambda c: bool(c.criteria))
            .flatmap(lambda c: st.sampled_from(c.criteria))
        ),
        Explanation: explanations,
        Population: lambda: populations(max_size=4).map(lambda t: t[1]),
        BatchDecisions: batch_decisions,
        Decisions: decisions,
        Decision: lambda: (
            decisions()
            .filter(lambda d: bool(d.decisions))
            .flatmap(lambda d: st.sampled_from(d.decisions))
        ),
        TraceEntry: lambda: (
            decisions().filter(lambda d: bool(d.trace)).flatmap(lambda d: st.sampled_from(d.trace))
        ),
        PoolAllocation: pool_allocations,
        History: histories,
        FieldSchema: field_schemas,
        Finding: lambda: st.builds(
            Finding,
            kind=st.sampled_from(FindingKind),
            table=keys(),
            rows=st.lists(st.integers(0, 2000), max_size=3).map(tuple),
            field=st.none() | keys(),
            message=_texts(),
        ),
        CalibrationChange: calibration_changes,
        CalibrationLog: calibration_logs,
        MeritMatrix: an.merit_matrices,
        MeritRow: lambda: an.merit_matrices().flatmap(lambda m: st.sampled_from(m.rows)),
        MeritResult: an.merit_results,
        MeritComparison: an.merit_comparisons,
        PotentialModel: an.potential_models,
        NineBoxGrid: an.nine_box_grids,
        NineBoxPlacement: an.nine_box_placements,
        BoxMovement: an.box_movements,
        ReadinessPolicy: an.readiness_policies,
        ReadinessResult: an.readiness_results,
    }
    for cls in (
        LinearScorer,
        BandedScorer,
        RatioScorer,
        BinaryScorer,
        TargetBandScorer,
        ProgressScorer,
    ):
        table[cls] = lambda cls=cls: _of_type(scorers(), cls)  # type: ignore[misc]
    return table


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every public domain type, so ``st.from_type(T)`` works.

    Called by Hypothesis through the ``hypothesis`` entry point of the installed package; safe
    to call again (registration replaces the previous one).
    """
    for cls, factory in {**_type_strategies(), **_result_strategies()}.items():
        st.register_type_strategy(cls, st.deferred(factory))
