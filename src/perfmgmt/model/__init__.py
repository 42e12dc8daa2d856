"""The domain model: frozen, validated, pure data.

Nothing here scores or evaluates: a KPI names its scorer, an incentive rule holds a condition
tree, and the engines in :mod:`perfmgmt.scoring` and :mod:`perfmgmt.rules` resolve them.
"""

from __future__ import annotations

from perfmgmt.model.common import Label, Language
from perfmgmt.model.cycle import Cycle, CyclePlan, Frequency, Phase, PhaseWindow
from perfmgmt.model.development import (
    ActionKind,
    ActionStatus,
    DevelopmentAction,
    DevelopmentPlan,
    Interview,
)
from perfmgmt.model.incentive import (
    AdjustmentKind,
    Bonus,
    BonusBasis,
    CollectAggregation,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    Honour,
    IncentiveRule,
    Outcome,
    PositionAdjustment,
    Promotion,
    TableInput,
    TableRow,
    TrainingOpportunity,
)
from perfmgmt.model.indicator import Direction, Indicator, IndicatorKind
from perfmgmt.model.kpi import KPI, Gate, GateEffect, MissingPolicy, ScoringSpec
from perfmgmt.model.money import Money
from perfmgmt.model.review import (
    Actual,
    Assessment,
    CheckIn,
    Event,
    Goal,
    Review,
    ReviewStatus,
    Subject,
)
from perfmgmt.model.scheme import (
    AssessmentSource,
    Band,
    Category,
    QualitativeCriterion,
    RatingScale,
    Scale,
    Scheme,
    SourcePolicy,
    normalise_weights,
)

__all__ = [
    "KPI",
    "ActionKind",
    "ActionStatus",
    "Actual",
    "AdjustmentKind",
    "Assessment",
    "AssessmentSource",
    "Band",
    "Bonus",
    "BonusBasis",
    "Category",
    "CheckIn",
    "CollectAggregation",
    "Cycle",
    "CyclePlan",
    "DecisionTable",
    "Deduction",
    "DeductionBasis",
    "DevelopmentAction",
    "DevelopmentPlan",
    "Direction",
    "Event",
    "Frequency",
    "Gate",
    "GateEffect",
    "Goal",
    "HitPolicy",
    "Honour",
    "IncentiveRule",
    "Indicator",
    "IndicatorKind",
    "Interview",
    "Label",
    "Language",
    "MissingPolicy",
    "Money",
    "Outcome",
    "Phase",
    "PhaseWindow",
    "PositionAdjustment",
    "Promotion",
    "QualitativeCriterion",
    "RatingScale",
    "Review",
    "ReviewStatus",
    "Scale",
    "Scheme",
    "ScoringSpec",
    "SourcePolicy",
    "Subject",
    "TableInput",
    "TableRow",
    "TrainingOpportunity",
    "normalise_weights",
]
