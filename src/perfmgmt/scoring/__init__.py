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
from perfmgmt.scoring.population import Population, eligibility, rescale_rating

__all__ = [
    "BatchScores",
    "CategoryLine",
    "CriterionLine",
    "Explanation",
    "KpiFlag",
    "KpiLine",
    "Population",
    "ReviewFlag",
    "ScoreCard",
    "Step",
    "eligibility",
    "rescale_rating",
]
