"""Scoring: scorers, the scoring engine, score cards and calibration."""

from __future__ import annotations

from perfmgmt.scoring.card import (
    BatchScores,
    CategoryLine,
    CriterionLine,
    Explanation,
    KpiFlag,
    KpiLine,
    ReviewFlag,
    ScoreCard,
    Step,
)
from perfmgmt.scoring.engine import ScoringEngine, ScoringPlan
from perfmgmt.scoring.population import Population, eligibility, rescale_rating
from perfmgmt.scoring.registry import (
    ScorerFactory,
    ScorerRegistry,
    default_registry,
    load_entry_points,
)
from perfmgmt.scoring.scorers import (
    BandedScorer,
    BinaryScorer,
    CheckedScorer,
    LinearScorer,
    ProgressScorer,
    RatioScorer,
    Scorer,
    TargetBandScorer,
    banded,
    binary,
    linear,
    progress,
    ratio,
    target_band,
)

__all__ = [
    "BandedScorer",
    "BatchScores",
    "BinaryScorer",
    "CategoryLine",
    "CheckedScorer",
    "CriterionLine",
    "Explanation",
    "KpiFlag",
    "KpiLine",
    "LinearScorer",
    "Population",
    "ProgressScorer",
    "RatioScorer",
    "ReviewFlag",
    "ScoreCard",
    "Scorer",
    "ScorerFactory",
    "ScorerRegistry",
    "ScoringEngine",
    "ScoringPlan",
    "Step",
    "TargetBandScorer",
    "banded",
    "binary",
    "default_registry",
    "eligibility",
    "linear",
    "load_entry_points",
    "progress",
    "ratio",
    "rescale_rating",
    "target_band",
]
