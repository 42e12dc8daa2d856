"""Run every check on a scheme and collect the findings, most severe first."""

from __future__ import annotations

from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._fields import _fields
from perfmgmt.analytics.lint._findings import _RANK, LintReport
from perfmgmt.analytics.lint._kpis import (
    _check_counterweights,
    _check_gates,
    _check_principles,
    _check_weights,
)
from perfmgmt.analytics.lint._ranges import total_range
from perfmgmt.analytics.lint._rules import _check_rules
from perfmgmt.analytics.lint._scale import _check_scale
from perfmgmt.analytics.lint._tables import _check_tables
from perfmgmt.model.scheme import Scheme


def lint(scheme: Scheme, *, config: LintConfig | None = None) -> LintReport:
    """Lint a scheme and return the findings, most severe first.

    Args:
        scheme: The scheme to check.
        config: Thresholds, explicit counterweight tags and known value/score ranges; the
            defaults when None.

    Returns:
        The report; ``report.has_errors`` says whether it should block a launch.
    """
    config = config or LintConfig()
    total = total_range(scheme, config)
    fields = _fields(scheme, config, total)
    findings = [
        *_check_principles(scheme, config),
        *_check_weights(scheme, config),
        *_check_counterweights(scheme, config),
        *_check_scale(scheme, *total),
        *_check_gates(scheme, config, fields.numeric["quantitative"][1]),
        *_check_tables(scheme, fields),
        *_check_rules(scheme, fields),
    ]
    findings.sort(key=lambda f: (_RANK[f.severity], f.location, f.code))
    return LintReport(
        scheme_key=scheme.key, scheme_hash=scheme.content_hash, findings=tuple(findings)
    )
