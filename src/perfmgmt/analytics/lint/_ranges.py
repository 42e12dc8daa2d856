"""What lint knows without data: a KPI's counterweight tags, its possible values and scores.

And from those, the possible quantitative part and total of a scheme.
"""

from __future__ import annotations

import math

from perfmgmt._units import TIME_UNITS, unit_range
from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.errors import PerfmgmtError
from perfmgmt.model.indicator import Direction
from perfmgmt.model.kpi import KPI, GateEffect, MissingPolicy
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring import default_registry

_INF = math.inf


_SPEED_WORDS = ("response", "handle", "handling", "aht", "art", "frt", "speed", "wait", "latency")
_QUALITY_WORDS = ("csat", "fcr", "quality", "resolution", "resolved", "nps", "qa", "accuracy")
_COST_WORDS = ("cost", "saving", "savings", "spend", "budget", "expense")
_SATISFACTION_WORDS = ("csat", "satisfaction", "nps", "ces", "morale", "sat")


def _words(kpi: KPI) -> set[str]:
    text = f"{kpi.key} {kpi.indicator.label.en}".lower()
    return {w for w in "".join(c if c.isalnum() else " " for c in text).split() if w}


def kpi_tags(kpi: KPI, config: LintConfig | None = None) -> frozenset[str]:
    """Return the counterweight tags of a KPI: a subset of speed, quality, cost, satisfaction.

    Explicit tags in ``config.tags`` win.  Otherwise the heuristics read the KPI key and English
    label split into words, the unit and the direction:

    * speed: a lower-is-better KPI in a time unit (seconds, minutes, hours, days), or one whose
      words include response, handle, aht, art, frt, speed, wait or latency;
    * quality: words csat, fcr, quality, resolution, resolved, nps, qa, accuracy;
    * cost: words cost, saving(s), spend, budget, expense;
    * satisfaction: words csat, satisfaction, nps, ces, sat, morale.
    """
    config = config or LintConfig()
    explicit = dict(config.tags)
    if kpi.key in explicit:
        return explicit[kpi.key]
    words = _words(kpi)
    tags: set[str] = set()
    unit = kpi.indicator.unit.strip().lower()
    lower = kpi.indicator.direction is Direction.LOWER_IS_BETTER
    if (lower and unit in TIME_UNITS) or words & set(_SPEED_WORDS):
        tags.add("speed")
    if words & set(_QUALITY_WORDS):
        tags.add("quality")
    if words & set(_COST_WORDS):
        tags.add("cost")
    if words & set(_SATISFACTION_WORDS):
        tags.add("satisfaction")
    return frozenset(tags)


def value_range(kpi: KPI, config: LintConfig | None = None) -> tuple[float, float]:
    """Return the possible actual values of a KPI's indicator, ``(low, high)``.

    ``config.value_ranges`` wins.  Otherwise: a percent unit is ``(0, 100)``; time and count
    units are ``(0, inf)``; anything else is ``(-inf, inf)`` (unknown: no gate finding).
    """
    config = config or LintConfig()
    given = dict(config.value_ranges)
    if kpi.key in given:
        return given[kpi.key]
    return unit_range(kpi.indicator.unit)


def _param_float(kpi: KPI, name: str) -> float | None:
    value = kpi.scoring.get(name)
    if isinstance(value, float):
        return value
    if isinstance(value, tuple) and value:
        return max(value)
    return None


def _registry_range(kpi: KPI) -> tuple[float, float] | None:
    """Return the scorer's floor and cap from the default scoring registry, if it resolves."""
    try:
        scorer = default_registry.resolve(kpi.scoring, kpi)
    except PerfmgmtError:
        return None  # an unknown or misconfigured scorer: fall back to its parameters
    return (float(scorer.floor), float(scorer.cap))


def score_range(kpi: KPI, config: LintConfig | None = None) -> tuple[float, float]:
    """Return the lowest and highest score a KPI's scorer can give, ``(floor, cap)``.

    ``config.score_ranges`` wins; next the scorer resolved in
    :data:`perfmgmt.scoring.default_registry` (its ``floor`` and ``cap``); when the scorer does
    not resolve, its ``floor``/``cap`` parameters, with 0 and 100 (binary, target_band) or 150
    (other scorers) when they are not given.
    """
    config = config or LintConfig()
    given = dict(config.score_ranges)
    if kpi.key in given:
        return given[kpi.key]
    found = _registry_range(kpi)
    if found is not None:
        return found
    floor = _param_float(kpi, "floor")
    cap = _param_float(kpi, "cap")
    if cap is None:
        cap = _param_float(kpi, "scores")
    if cap is None:
        cap = 100.0 if kpi.scoring.scorer in ("binary", "target_band") else 150.0
    return (0.0 if floor is None else floor, cap)


def _qualitative_max(scheme: Scheme) -> float:
    return math.fsum(
        c.weight * 100.0 * (c.scale.high - c.scale.low) / (c.scale.target_rating - c.scale.low)
        for c in scheme.criteria
    )


def _quantitative_range(scheme: Scheme, config: LintConfig) -> tuple[float, float]:
    weights = scheme.nominal_weights()
    ranges = {k.key: score_range(k, config) for k in scheme.kpis}
    live = [k for k in scheme.kpis if weights[k.key] > 0]
    if any(k.missing is MissingPolicy.REALLOCATE for k in live):
        # Reallocation can leave one KPI carrying the whole weight.
        low = min(ranges[k.key][0] for k in live)
        high = max(ranges[k.key][1] for k in live)
    else:
        low = math.fsum(weights[k.key] * ranges[k.key][0] for k in live)
        high = math.fsum(weights[k.key] * ranges[k.key][1] for k in live)
    if any(k.missing is MissingPolicy.ZERO for k in live):
        low = min(low, 0.0)
    gates = [k.gate for k in scheme.kpis if k.gate is not None]
    if any(g.effect is GateEffect.ZERO for g in gates):
        low = min(low, 0.0)
    caps = [g.cap for g in gates if g.effect is GateEffect.CAP and g.cap is not None]
    if caps:
        low = min(low, *caps)
    return (low, high)


def total_range(scheme: Scheme, config: LintConfig | None = None) -> tuple[float, float]:
    """Return the lowest and highest total the scheme can produce, ``(low, high)``.

    The quantitative part spans the scorers' floors to caps (weighted, or the extremes when a
    KPI's weight may be reallocated), lowered to 0 by ``ZERO`` gates or zero-scored missing
    KPIs; the qualitative part spans 0 to the criteria's weighted maxima; the total blends them
    with ``quantitative_share``.
    """
    config = config or LintConfig()
    q_low, q_high = _quantitative_range(scheme, config)
    share = scheme.quantitative_share
    qual_high = _qualitative_max(scheme) if scheme.criteria else 0.0
    return (share * q_low, share * q_high + (1.0 - share) * qual_high)
