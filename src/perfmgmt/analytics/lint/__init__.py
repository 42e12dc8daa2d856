"""Lint a scheme before launch: findings with severity, location and a suggested fix.

:func:`lint` reads a :class:`~perfmgmt.model.Scheme` and reports what would fail later, what
could be gamed, and what the founding document's principles and plain arithmetic say is wrong
or doubtful with it.  Most checks are static; the last group scores a few hundred seeded,
generated reviews with the scoring engine, so a lint takes a fraction of a second.  A scheme
with an ``error`` finding should not launch: ``perfmgmt lint`` then exits 1.

Checks (each finding has a stable ``code``):

``scorer-unknown`` / ``scorer-invalid`` (error)
    A KPI's scorer name is not in the registry (with "did you mean": ``"linaer"`` ->
    ``linear``), or the registered scorer refuses the KPI's parameters or bounds.
``rule-unknown-field`` / ``rule-type`` / ``table-unknown-field`` / ``table-type`` (error)
    A rule condition or a decision-table input reads a field the scheme's scores do not provide
    (``kpi.nsp.score`` in a scheme without a KPI ``nsp``: the finding names the rule and the
    field and suggests the nearest one), or compares values of the wrong type.
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
``table-overlap`` (error), ``table-shadowed`` / ``table-gap`` / ``table-unreachable``
(warning)
    Decision-table analysis from :func:`perfmgmt.rules.tables.analyse_table`; gaps are kept only
    where they fall inside the field's possible range, and a row whose numeric cell lies wholly
    outside it is unreachable.
``rule-never`` (error) / ``rule-always`` (warning)
    An incentive rule whose condition no achievable score satisfies, or every rated subject
    satisfies, by interval analysis of comparisons on totals, scores and ratings.

The checks that score run once every scorer resolves and every rule and table type-checks.
``LintConfig.samples`` reviews (200; 0 turns these checks off) are generated with
``LintConfig.seed`` around each KPI's threshold, target, stretch and gate, and scored with
:class:`~perfmgmt.scoring.ScoringEngine`; then each weighted KPI is turned into missing data and,
when it has a ``min_sample``, into a sample one short of it, and scored again.  The checks ask
the engine, not a model of its policies, so they report what the scheme does under the kernel
you run.  Each finding states a concrete counterexample (every actual and mean rating of the
review, and both outcomes):

``less-data-raises-rating`` / ``less-data-raises-pay`` / ``less-data-raises-total`` (warning)
    Some review rates higher, nets more money from the scheme's rules and tables (every
    generated review earns a base pay of 10,000.00), or totals higher when one of its KPIs has
    less data: a manager could collect fewer surveys to do better.  Safe missing-data policies
    never allow it; the finding names the most serious of the three.
``gate-escapable`` (warning)
    A review that fails a KPI's gate escapes the gate, and scores higher, when that KPI's data
    is missing or short.
``weight-onto-missing`` (warning)
    A KPI that is scored by its missing-data policy when it has no data (e.g. 0 under
    ``ZERO``) still receives the weight of other missing KPIs.
``no-data-rated`` (warning)
    A review with no measured KPI at all is rated.
``scoring-checks-skipped`` (warning)
    The generated reviews could not be scored; the message says why.

The package is split by concept: ``_findings`` (what a report holds), ``_config`` (the
judgements), ``_ranges`` (tags and possible values), one module per kind of check (``_kpis``,
``_scale``, ``_tables``, ``_rules``, with ``_fields`` the ranges tables and rules read),
``_scorers`` and ``_types`` the checks against the registry and the rule fields, ``_data`` the
checks that score, ``_runner`` (:func:`lint`) and ``_command`` (``perfmgmt lint``).  Import
from here.
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
