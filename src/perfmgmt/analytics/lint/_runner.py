"""Run every check on a scheme and collect the findings, most severe first."""

from __future__ import annotations

from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._data import _check_data
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
from perfmgmt.analytics.lint._scorers import _check_scorers
from perfmgmt.analytics.lint._tables import _check_tables
from perfmgmt.analytics.lint._types import _check_types
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring import ScorerRegistry, default_registry


def lint(
    scheme: Scheme, *, config: LintConfig | None = None, registry: ScorerRegistry | None = None
) -> LintReport:
    """Lint a scheme and return the findings, most severe first.

    The static checks always run. The checks that score generated reviews run when every
    scorer resolves and the rules type-check (``config.samples`` reviews; 0 turns them off).

    Args:
        scheme: The scheme to check.
        config: Thresholds, explicit counterweight tags, known value/score ranges and the
            generated reviews' number and seed; the defaults when None.
        registry: Where scorer names are resolved (the one your engine uses);
            :data:`perfmgmt.scoring.default_registry` when None.

    Returns:
        The report; ``report.has_errors`` says whether it should block a launch.
    """
    config = config or LintConfig()
    registry = default_registry if registry is None else registry
    total = total_range(scheme, config)
    fields = _fields(scheme, config, total)
    broken = [*_check_scorers(scheme, registry), *_check_types(scheme)]
    findings = [
        *broken,
        *_check_principles(scheme, config),
        *_check_weights(scheme, config),
        *_check_counterweights(scheme, config),
        *_check_scale(scheme, *total),
        *_check_gates(scheme, config, fields.numeric["quantitative"][1]),
        *_check_tables(scheme, fields),
        *_check_rules(scheme, fields),
        *([] if broken else _check_data(scheme, config, registry)),
    ]
    findings.sort(key=lambda f: (_RANK[f.severity], f.location, f.code))
    return LintReport(
        scheme_key=scheme.key, scheme_hash=scheme.content_hash, findings=tuple(findings)
    )
