"""Scoring: scorers, the scoring engine and score cards."""

from __future__ import annotations

from typing import Any

from perfmgmt._deprecated import moved
from perfmgmt.scoring.buffers import ScoreBuffers
from perfmgmt.scoring.card import (
    BatchScores,
    CategoryLine,
    CriterionLine,
    Explanation,
    KpiFlag,
    KpiLine,
    KpiRecord,
    ReviewFlag,
    ScoreCard,
    ScoreRecord,
    SourceLine,
    Step,
)
from perfmgmt.scoring.engine import ScoringEngine, ScoringPlan
from perfmgmt.scoring.population import Population, rescale_rating
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
from perfmgmt.scoring.stream import iter_populations

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
    "KpiRecord",
    "LinearScorer",
    "Population",
    "ProgressScorer",
    "RatioScorer",
    "ReviewFlag",
    "ScoreBuffers",
    "ScoreCard",
    "ScoreRecord",
    "Scorer",
    "ScorerFactory",
    "ScorerRegistry",
    "ScoringEngine",
    "ScoringPlan",
    "SourceLine",
    "Step",
    "TargetBandScorer",
    "banded",
    "binary",
    "default_registry",
    "iter_populations",
    "linear",
    "load_entry_points",
    "progress",
    "ratio",
    "rescale_rating",
    "target_band",
]

# Calibration moved to perfmgmt.calibration; its names stay importable from here, with a warning,
# for one release.
_MOVED = dict.fromkeys(
    (
        "BandDeviation",
        "CalibrationChange",
        "CalibrationLog",
        "CalibrationReason",
        "GuidedDistribution",
        "RaterAdjustment",
        "RatingCalibration",
        "ReferenceSpread",
        "ReviewCalibration",
        "calibrate_ratings",
        "calibrate_reviews",
        "guide_batch",
        "guide_distribution",
        "target_counts",
    ),
    "perfmgmt.calibration",
)


def __getattr__(name: str) -> Any:
    """Return a calibration name that moved to :mod:`perfmgmt.calibration`, with a warning."""
    return moved(__name__, _MOVED, name)
