"""The possible range of every field the scheme's tables and rules can read."""

from __future__ import annotations

import attrs

from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._ranges import (
    _INF,
    _qualitative_max,
    _quantitative_range,
    score_range,
    value_range,
)
from perfmgmt.analytics.lint._scale import _band_reachable
from perfmgmt.model.scheme import Scheme


@attrs.frozen(kw_only=True)
class _Fields:
    numeric: dict[str, tuple[float, float]]
    ratings: tuple[str, ...]  # every label
    reachable: frozenset[str]  # labels of bands the possible totals reach


def _fields(scheme: Scheme, config: LintConfig, total: tuple[float, float]) -> _Fields:
    q_low, q_high = _quantitative_range(scheme, config)
    numeric: dict[str, tuple[float, float]] = {
        "total": total,
        "quantitative": (q_low, q_high),
        "qualitative": (0.0, _qualitative_max(scheme)) if scheme.criteria else (0.0, 0.0),
        "eligible_fraction": (0.0, 1.0),
        "tenure_days": (-_INF, _INF),
        "base_pay": (0.0, _INF),
    }
    for cat in scheme.categories:
        members = [score_range(k, config) for k in scheme.kpis if k.category == cat.key]
        numeric[f"category.{cat.key}"] = (
            min(r[0] for r in members),
            max(r[1] for r in members),
        )
    for kpi in scheme.kpis:
        numeric[f"kpi.{kpi.key}.score"] = score_range(kpi, config)
        numeric[f"kpi.{kpi.key}.actual"] = value_range(kpi, config)
        numeric[f"kpi.{kpi.key}.target"] = value_range(kpi, config)
        numeric[f"kpi.{kpi.key}.achievement"] = (-_INF, _INF)
    bands = scheme.rating_scale.bands
    reachable = frozenset(b.label for i, b in enumerate(bands) if _band_reachable(bands, i, *total))
    return _Fields(
        numeric=numeric,
        ratings=scheme.rating_scale.labels,
        reachable=reachable,
    )
