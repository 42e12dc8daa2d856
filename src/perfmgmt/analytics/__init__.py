"""Prototype and review schemes: lint, what-if comparison, Monte Carlo cost, effectiveness."""

from __future__ import annotations

from perfmgmt.analytics.lint import (
    LintConfig,
    LintFinding,
    LintReport,
    Severity,
    kpi_tags,
    lint,
    lint_main,
    score_range,
    total_range,
    value_range,
)

__all__ = [
    "LintConfig",
    "LintFinding",
    "LintReport",
    "Severity",
    "kpi_tags",
    "lint",
    "lint_main",
    "score_range",
    "total_range",
    "value_range",
]
