"""Prototype and review schemes: lint, what-if comparison, Monte Carlo cost, effectiveness."""

from __future__ import annotations

from perfmgmt.analytics.compare import Comparison, SchemeRun, compare, repopulate, run_scheme
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
    "Comparison",
    "LintConfig",
    "LintFinding",
    "LintReport",
    "SchemeRun",
    "Severity",
    "compare",
    "kpi_tags",
    "lint",
    "lint_main",
    "repopulate",
    "run_scheme",
    "score_range",
    "total_range",
    "value_range",
]
