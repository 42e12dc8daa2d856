"""Lint a scheme before launch: findings with severity, location and a suggested fix.

:func:`lint` reads a :class:`~perfmgmt.model.Scheme` and reports what the founding document's
principles and plain arithmetic say is wrong or doubtful with it.  Nothing is scored; the checks
are static, so they run in milliseconds on any scheme.

Checks (each finding has a stable ``code``):

``quantitative-share`` (error)
    The measured share of the total is under ``min_quantitative_share`` (量化为主: at least half).
    The measured share is ``quantitative_share`` times the nominal weight of KPIs whose indicator
    is quantitative.
``kpi-no-unit`` / ``kpi-no-source`` / ``kpi-no-target`` (warning), ``kpi-not-specific`` (info)
    A KPI is not measurable: no unit, no data source (``Indicator.source``), no default target
    (agreed goals may still supply one), or no description of what exactly is measured.
``gate-above-target`` (warning)
    A gate stricter than the KPI's target: people who meet the target still fail the gate.
``weight-zero`` / ``weight-too-low`` / ``weight-too-high`` (warning)
    A KPI's nominal weight in the quantitative part (category weight x weight in category) is 0,
    under ``min_weight`` or over ``max_weight``.
``speed-without-quality`` / ``cost-without-satisfaction`` (warning)
    A speed KPI with no quality KPI, or a cost KPI with no satisfaction KPI, invites gaming.  See
    :func:`kpi_tags` for the heuristics; ``LintConfig.tags`` states tags explicitly.
``scale-below-range`` / ``scale-above-range`` (error), ``band-unreachable`` (warning)
    The rating bands do not cover every total the scheme can produce, or a band lies wholly
    outside it.  The possible range comes from each scorer's floor and cap (see
    :func:`score_range`), the qualitative scales and the blend.
``gate-never-passes`` / ``gate-never-bites`` / ``gate-direction`` (warning)
    A gate threshold outside the possible values of its indicator (see
    :func:`value_range`), a ``CAP`` gate whose cap is at or above the highest possible
    quantitative total, or a gate on a target-is-best indicator.
``table-overlap`` (error), ``table-shadowed`` / ``table-gap`` / ``table-unreachable`` /
``table-unknown-field`` (warning)
    Decision-table analysis from :func:`perfmgmt.rules.tables.analyse_table`; gaps are kept only
    where they fall inside the field's possible range, and a row whose numeric cell lies wholly
    outside it is unreachable.
``rule-never`` (error) / ``rule-always`` (warning)
    An incentive rule whose condition no achievable score satisfies, or every rated subject
    satisfies, by interval analysis of comparisons on totals, scores and ratings.

The package is split by concept: ``_findings`` (what a report holds), ``_config`` (the
judgements), ``_ranges`` (tags and possible values), one module per kind of check (``_kpis``,
``_scale``, ``_tables``, ``_rules``, with ``_fields`` the ranges tables and rules read),
``_runner`` (:func:`lint`) and ``_command`` (``perfmgmt lint``).  Import from here.
"""

from __future__ import annotations

from perfmgmt.analytics.lint._command import LINT_DESCRIPTION, configure_lint_parser, run_lint
from perfmgmt.analytics.lint._config import TAG_NAMES as TAG_NAMES
from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._findings import LintFinding, LintReport, Severity
from perfmgmt.analytics.lint._ranges import kpi_tags, score_range, total_range, value_range
from perfmgmt.analytics.lint._runner import lint

__all__ = [
    "LINT_DESCRIPTION",
    "LintConfig",
    "LintFinding",
    "LintReport",
    "Severity",
    "configure_lint_parser",
    "kpi_tags",
    "lint",
    "run_lint",
    "score_range",
    "total_range",
    "value_range",
]
