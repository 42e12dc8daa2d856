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
"""

from __future__ import annotations

import argparse
import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

import attrs

from perfmgmt._unary import CellKind, UnaryTest, parse_unary_test
from perfmgmt._validate import fraction, instance_of, tuple_of
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model.condition import (
    And,
    Compare,
    CompareOp,
    Condition,
    Const,
    Field,
    In,
    Index,
    Not,
    Or,
    Slice,
)
from perfmgmt.model.incentive import DecisionTable, IncentiveRule
from perfmgmt.model.indicator import Direction, IndicatorKind
from perfmgmt.model.kpi import KPI, GateEffect, MissingPolicy
from perfmgmt.model.scheme import Band, Scheme
from perfmgmt.rules.tables import FindingKind, analyse_table
from perfmgmt.scoring import default_registry

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

_INF = math.inf


class Severity(enum.Enum):
    """How serious a finding is; ``ERROR`` findings make ``perfmgmt lint`` exit non-zero."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@attrs.frozen(kw_only=True)
class LintFinding:
    """One thing lint found.

    Attributes:
        code: Stable identifier of the check, e.g. ``"weight-too-low"``.
        severity: How serious it is.
        location: JSON path into the scheme, e.g. ``"kpis[2]"`` or ``"tables[0].rows[3]"``.
        message: What is wrong, with the values concerned.
        fix: A suggested fix.
    """

    code: str = attrs.field(validator=instance_of(str))
    severity: Severity = attrs.field(validator=instance_of(Severity))
    location: str = attrs.field(validator=instance_of(str))
    message: str = attrs.field(validator=instance_of(str))
    fix: str = attrs.field(default="", validator=instance_of(str))

    def text(self) -> str:
        """Return the finding as one or two lines of text."""
        line = f"{self.severity.value}: {self.location}: {self.message} [{self.code}]"
        return f"{line}\n    fix: {self.fix}" if self.fix else line

    def to_record(self) -> dict[str, str]:
        """Return the finding as a JSON-ready dict."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "fix": self.fix,
        }


def _findings(value: Iterable[LintFinding]) -> tuple[LintFinding, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class LintReport:
    """All findings for one scheme, most severe first.

    Attributes:
        scheme_key: The scheme's key.
        scheme_hash: The scheme's content hash.
        findings: The findings, sorted by severity then location.
    """

    scheme_key: str = attrs.field(validator=instance_of(str))
    scheme_hash: str = attrs.field(validator=instance_of(str))
    findings: tuple[LintFinding, ...] = attrs.field(
        converter=_findings, validator=tuple_of(LintFinding)
    )

    @property
    def errors(self) -> tuple[LintFinding, ...]:
        """The ``ERROR`` findings."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def has_errors(self) -> bool:
        """Whether any finding is an error."""
        return bool(self.errors)

    def codes(self) -> tuple[str, ...]:
        """Return the findings' codes in report order."""
        return tuple(f.code for f in self.findings)

    def by_code(self, code: str) -> tuple[LintFinding, ...]:
        """Return the findings with ``code``."""
        return tuple(f for f in self.findings if f.code == code)

    def text(self) -> str:
        """Return the report as readable text, one finding per line plus its fix."""
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        head = (
            f"scheme {self.scheme_key!r}: {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)"
        )
        return "\n".join([head, *(f.text() for f in self.findings)])

    def to_records(self) -> list[dict[str, str]]:
        """Return the findings as JSON-ready dicts."""
        return [f.to_record() for f in self.findings]

    def __str__(self) -> str:
        return self.text()


def _tags(value: Mapping[str, Iterable[str]]) -> tuple[tuple[str, frozenset[str]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), frozenset(str(t) for t in v)) for k, v in items))


def _ranges(
    value: Mapping[str, tuple[float, float]],
) -> tuple[tuple[str, tuple[float, float]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), (float(lo), float(hi))) for k, (lo, hi) in items))


TAG_NAMES = frozenset({"speed", "quality", "cost", "satisfaction"})


def _check_tags(
    _instance: object,
    _attribute: attrs.Attribute[Any],
    value: tuple[tuple[str, frozenset[str]], ...],
) -> None:
    for kpi, tags in value:
        bad = sorted(tags - TAG_NAMES)
        if bad:
            raise ValidationError(
                f"LintConfig.tags[{kpi!r}]: {bad} not allowed; tags are {sorted(TAG_NAMES)}",
                field="tags",
                value=bad,
            )


def _check_ranges(
    _instance: object,
    attribute: attrs.Attribute[Any],
    value: tuple[tuple[str, tuple[float, float]], ...],
) -> None:
    for name, (lo, hi) in value:
        if math.isnan(lo) or math.isnan(hi) or not lo <= hi:
            raise ValidationError(
                f"LintConfig.{attribute.name}[{name!r}]: ({lo!r}, {hi!r}) is not allowed; "
                "give (low, high) with low <= high",
                field=attribute.name,
                value=(lo, hi),
            )


@attrs.frozen(kw_only=True)
class LintConfig:
    """What lint considers sensible; every default is a stated judgement.

    Attributes:
        min_quantitative_share: Least measured share of the total (量化为主: 0.5).
        min_weight: Least nominal KPI weight in the quantitative part (5 %).
        max_weight: Most nominal KPI weight in the quantitative part (50 %).
        tags: Explicit counterweight tags per KPI key (``speed``, ``quality``, ``cost``,
            ``satisfaction``); a KPI listed here is not classified by heuristics.
        value_ranges: Possible actual values per KPI key, ``(low, high)``; overrides the
            unit-based guess of :func:`value_range`.
        score_ranges: Possible KPI scores per KPI key, ``(floor, cap)``; overrides
            :func:`score_range`.
    """

    min_quantitative_share: float = attrs.field(default=0.5, validator=fraction)
    min_weight: float = attrs.field(default=0.05, validator=fraction)
    max_weight: float = attrs.field(default=0.5, validator=fraction)
    tags: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        factory=tuple, converter=_tags, validator=_check_tags
    )
    value_ranges: tuple[tuple[str, tuple[float, float]], ...] = attrs.field(
        factory=tuple, converter=_ranges, validator=_check_ranges
    )
    score_ranges: tuple[tuple[str, tuple[float, float]], ...] = attrs.field(
        factory=tuple, converter=_ranges, validator=_check_ranges
    )

    def __attrs_post_init__(self) -> None:
        if self.min_weight > self.max_weight:
            raise ValidationError(
                f"LintConfig.min_weight: {self.min_weight!r} must not exceed max_weight "
                f"({self.max_weight!r})",
                field="min_weight",
                value=self.min_weight,
            )


# ---------------------------------------------------------------------------------------------
# Classification and ranges

_SPEED_WORDS = ("response", "handle", "handling", "aht", "art", "frt", "speed", "wait", "latency")
_QUALITY_WORDS = ("csat", "fcr", "quality", "resolution", "resolved", "nps", "qa", "accuracy")
_COST_WORDS = ("cost", "saving", "savings", "spend", "budget", "expense")
_SATISFACTION_WORDS = ("csat", "satisfaction", "nps", "ces", "morale", "sat")
_TIME_UNITS = frozenset({"s", "sec", "secs", "second", "seconds", "min", "mins", "minute"})
_TIME_UNITS |= frozenset({"minutes", "h", "hr", "hrs", "hour", "hours", "day", "days"})
_COUNT_UNITS = frozenset({"count", "projects", "tickets", "items", "people", "number", "#"})
_PERCENT_UNITS = frozenset({"%", "percent", "pct"})


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
    if (lower and unit in _TIME_UNITS) or words & set(_SPEED_WORDS):
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
    unit = kpi.indicator.unit.strip().lower()
    if unit in _PERCENT_UNITS:
        return (0.0, 100.0)
    if unit in _TIME_UNITS or unit in _COUNT_UNITS:
        return (0.0, _INF)
    return (-_INF, _INF)


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


# ---------------------------------------------------------------------------------------------
# Checks


def _kpi_loc(scheme: Scheme, kpi: KPI) -> str:
    return f"kpis[{scheme.kpis.index(kpi)}] ({kpi.key})"


def _check_principles(scheme: Scheme, config: LintConfig) -> list[LintFinding]:
    out: list[LintFinding] = []
    weights = scheme.nominal_weights()
    measured = math.fsum(
        weights[k.key] for k in scheme.kpis if k.indicator.kind is IndicatorKind.QUANTITATIVE
    )
    share = scheme.quantitative_share * measured
    if share < config.min_quantitative_share - 1e-12:
        out.append(
            LintFinding(
                code="quantitative-share",
                severity=Severity.ERROR,
                location="quantitative_share",
                message=f"measured KPIs carry {share:.0%} of the total; the principle "
                f"量化为主 (quantitative first) asks for at least "
                f"{config.min_quantitative_share:.0%}",
                fix="raise quantitative_share, or replace judged (qualitative-kind) KPIs "
                "with measured ones",
            )
        )
    for kpi in scheme.kpis:
        loc = _kpi_loc(scheme, kpi)
        ind = kpi.indicator
        if not ind.unit.strip():
            out.append(
                LintFinding(
                    code="kpi-no-unit",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} has no unit, so its targets cannot be read",
                    fix="set Indicator.unit, e.g. '%', 'seconds', 'points', 'count'",
                )
            )
        if not (ind.source or "").strip():
            out.append(
                LintFinding(
                    code="kpi-no-source",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} names no data source, so it is not measurable",
                    fix="set Indicator.source, e.g. 'CRM ticket export' or 'quarterly survey'",
                )
            )
        if kpi.target is None:
            out.append(
                LintFinding(
                    code="kpi-no-target",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} has no default target; every review must agree one",
                    fix="set KPI.target (reviews' agreed goals still override it)",
                )
            )
        if not ind.description.strip():
            out.append(
                LintFinding(
                    code="kpi-not-specific",
                    severity=Severity.INFO,
                    location=loc,
                    message=f"KPI {kpi.key!r} does not describe what exactly is measured",
                    fix="set Indicator.description (population, period, formula)",
                )
            )
        gate = kpi.gate
        if gate is not None and kpi.target is not None:
            higher = ind.direction is Direction.HIGHER_IS_BETTER
            lower = ind.direction is Direction.LOWER_IS_BETTER
            if (higher and gate.threshold > kpi.target) or (lower and gate.threshold < kpi.target):
                out.append(
                    LintFinding(
                        code="gate-above-target",
                        severity=Severity.WARNING,
                        location=f"{loc}.gate",
                        message=f"KPI {kpi.key!r}: the gate ({gate.threshold:g}) is stricter "
                        f"than the target ({kpi.target:g}); meeting the target fails the gate",
                        fix="put the gate at or beyond the threshold, not past the target",
                    )
                )
    return out


def _check_weights(scheme: Scheme, config: LintConfig) -> list[LintFinding]:
    out: list[LintFinding] = []
    weights = scheme.nominal_weights()
    for kpi in scheme.kpis:
        w = weights[kpi.key]
        loc = _kpi_loc(scheme, kpi)
        if w <= 0:
            out.append(
                LintFinding(
                    code="weight-zero",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} has weight 0 in the quantitative part: it does "
                    "no work",
                    fix="give it a weight or remove it",
                )
            )
        elif w < config.min_weight:
            out.append(
                LintFinding(
                    code="weight-too-low",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} weighs {w:.1%} of the quantitative part, under "
                    f"{config.min_weight:.0%}: too little to change behaviour",
                    fix=f"raise it to at least {config.min_weight:.0%} or drop the KPI",
                )
            )
        elif w > config.max_weight:
            out.append(
                LintFinding(
                    code="weight-too-high",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} weighs {w:.1%} of the quantitative part, over "
                    f"{config.max_weight:.0%}: one number decides the review",
                    fix=f"lower it to at most {config.max_weight:.0%} and spread the weight",
                )
            )
    return out


def _check_counterweights(scheme: Scheme, config: LintConfig) -> list[LintFinding]:
    out: list[LintFinding] = []
    weights = scheme.nominal_weights()
    live = [k for k in scheme.kpis if weights[k.key] > 0]
    tags = {k.key: kpi_tags(k, config) for k in live}
    pairs = (
        ("speed", "quality", "speed-without-quality", "CSAT or first-contact resolution"),
        ("cost", "satisfaction", "cost-without-satisfaction", "customer satisfaction"),
    )
    for have, need, code, example in pairs:
        if any(need in t for t in tags.values()):
            continue
        out.extend(
            LintFinding(
                code=code,
                severity=Severity.WARNING,
                location=_kpi_loc(scheme, kpi),
                message=f"{have} KPI {kpi.key!r} has no {need} KPI beside it; "
                f"it can be met by cutting {need}",
                fix=f"add a {need} KPI such as {example}, or tag one explicitly with "
                f"LintConfig(tags={{'<kpi>': {{'{need}'}}}})",
            )
            for kpi in live
            if have in tags[kpi.key]
        )
    return out


def _band_reachable(bands: Sequence[Band], i: int, low: float, high: float) -> bool:
    """Return True when band ``i`` ([lower, upper), the top band closed) meets [low, high]."""
    band = bands[i]
    top = i == len(bands) - 1
    return band.lower <= high and (band.upper > low or (top and band.upper >= low))


def _check_scale(scheme: Scheme, low: float, high: float) -> list[LintFinding]:
    out: list[LintFinding] = []
    scale = scheme.rating_scale
    eps = 1e-9
    if scale.low > low + eps:
        out.append(
            LintFinding(
                code="scale-below-range",
                severity=Severity.ERROR,
                location="rating_scale.bands[0]",
                message=f"totals can be as low as {low:g} but the lowest band starts at "
                f"{scale.low:g}: totals in [{low:g}, {scale.low:g}) get no rating",
                fix=f"start the lowest band at {low:g} or below",
            )
        )
    if scale.high < high - eps:
        out.append(
            LintFinding(
                code="scale-above-range",
                severity=Severity.ERROR,
                location=f"rating_scale.bands[{len(scale.bands) - 1}]",
                message=f"totals can reach {high:g} but the top band ends at {scale.high:g}: "
                f"totals in ({scale.high:g}, {high:g}] get no rating",
                fix=f"end the top band at {high:g} or above (or lower the scorers' caps)",
            )
        )
    for i, band in enumerate(scale.bands):
        if not _band_reachable(scale.bands, i, low, high):
            out.append(
                LintFinding(
                    code="band-unreachable",
                    severity=Severity.WARNING,
                    location=f"rating_scale.bands[{i}]",
                    message=f"band {band.label!r} [{band.lower:g}, {band.upper:g}) lies outside "
                    f"the possible totals [{low:g}, {high:g}]: nobody can get it",
                    fix="move the band boundaries into the possible range",
                )
            )
    return out


def _check_gates(scheme: Scheme, config: LintConfig, q_high: float) -> list[LintFinding]:
    out: list[LintFinding] = []
    for kpi in scheme.kpis:
        gate = kpi.gate
        if gate is None:
            continue
        loc = f"{_kpi_loc(scheme, kpi)}.gate"
        direction = kpi.indicator.direction
        if direction is Direction.TARGET_IS_BEST:
            out.append(
                LintFinding(
                    code="gate-direction",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r} is target-is-best, so a one-sided gate at "
                    f"{gate.threshold:g} has no clear wrong side",
                    fix="gate a higher- or lower-is-better KPI, or use the scorer's band",
                )
            )
            continue
        lo, hi = value_range(kpi, config)
        t = gate.threshold
        higher = direction is Direction.HIGHER_IS_BETTER
        never_passes = t > hi if higher else t < lo
        never_bites = t <= lo if higher else t >= hi
        if never_passes:
            out.append(
                LintFinding(
                    code="gate-never-passes",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r}: the gate at {t:g} lies outside the possible "
                    f"values [{lo:g}, {hi:g}], so everyone fails it",
                    fix="put the gate inside the indicator's range",
                )
            )
        elif never_bites:
            out.append(
                LintFinding(
                    code="gate-never-bites",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r}: no possible value (range [{lo:g}, {hi:g}]) is "
                    f"on the wrong side of the gate at {t:g}, so it never fires",
                    fix="move the gate inside the range or remove it",
                )
            )
        elif gate.effect is GateEffect.CAP and gate.cap is not None and gate.cap >= q_high:
            out.append(
                LintFinding(
                    code="gate-never-bites",
                    severity=Severity.WARNING,
                    location=loc,
                    message=f"KPI {kpi.key!r}: the gate caps the quantitative total at "
                    f"{gate.cap:g}, but it can never exceed {q_high:g}, so the cap changes nothing",
                    fix=f"set the cap below {q_high:g}",
                )
            )
    return out


# Field ranges for tables and rules ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Fields:
    numeric: dict[str, tuple[float, float]]
    ratings: tuple[str, ...]  # every label
    reachable: frozenset[str]  # labels of bands the possible totals reach
    known: frozenset[str]  # every field name lint knows exists


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
    known = set(numeric) | {"rating", "rated", "gated", "grade", "department"}
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
        for flag in ("missing", "insufficient", "gated"):
            known.add(f"kpi.{kpi.key}.{flag}")
    known |= set(numeric)
    bands = scheme.rating_scale.bands
    reachable = frozenset(b.label for i, b in enumerate(bands) if _band_reachable(bands, i, *total))
    return _Fields(
        numeric=numeric,
        ratings=scheme.rating_scale.labels,
        reachable=reachable,
        known=frozenset(known),
    )


_Iv = tuple[float, bool, float, bool]


def _cell_intervals(test: UnaryTest) -> list[_Iv]:
    ivs = [(iv.low, iv.low_closed, iv.high, iv.high_closed) for iv in test.intervals]
    if not test.negated:
        return ivs
    # complement of a union of intervals on the real line
    out: list[_Iv] = []
    lo, lc = -_INF, False
    for a, ac, b, bc in sorted(ivs, key=lambda v: (v[0], not v[1])):
        if a > lo or (a == lo and lc and not ac):
            out.append((lo, lc, a, not ac))
        if b > lo or (b == lo and not bc):
            lo, lc = b, not bc
    out.append((lo, lc, _INF, False))
    return out


def _meets(iv: _Iv, lo: float, hi: float) -> bool:
    """Return True when interval ``iv`` meets the closed range ``[lo, hi]``."""
    a, ac, b, bc = iv
    if a > hi or (a == hi and not ac):
        return False
    return not (b < lo or (b == lo and not bc))


def _uncovered(cells: list[_Iv], lo: float, hi: float) -> list[tuple[float, float]]:
    """Return the parts of ``[lo, hi]`` that no interval covers (as closed approximations)."""
    gaps: list[tuple[float, float]] = []
    point = lo
    point_covered = False
    for a, ac, b, bc in sorted(cells, key=lambda v: (v[0], not v[1])):
        if b < point or (b == point and (not bc or point_covered)):
            continue
        if a > point or (a == point and not ac and not point_covered):
            if a > hi or (a == hi and not ac and hi == point and point_covered):
                break
            gaps.append((point, min(a, hi)))
        if b > point or (b == point and bc):
            point, point_covered = b, bc
        if point > hi or (point == hi and point_covered):
            return gaps
    if point < hi or (point == hi and not point_covered):
        gaps.append((point, hi))
    return gaps


def _check_tables(scheme: Scheme, fields: _Fields) -> list[LintFinding]:
    out: list[LintFinding] = []
    for t, table in enumerate(scheme.tables):
        out.extend(_check_table(t, table, fields))
    return out


def _check_table(t: int, table: DecisionTable, fields: _Fields) -> list[LintFinding]:
    out: list[LintFinding] = []
    where = f"tables[{t}] ({table.key})"
    for c, col in enumerate(table.inputs):
        if col.field not in fields.known:
            out.append(
                LintFinding(
                    code="table-unknown-field",
                    severity=Severity.WARNING,
                    location=f"{where}.inputs[{c}]",
                    message=f"table {table.key!r} reads {col.field!r}, which this scheme's "
                    "scores do not provide",
                    fix="use total, rating, category.<key> or kpi.<key>.score|actual|...",
                )
            )
    tests = [[parse_unary_test(cell) for cell in row.inputs] for row in table.rows]
    out_of_range: set[int] = set()
    for i, row in enumerate(tests):
        for c, test in enumerate(row):
            field = table.inputs[c].field
            rng = fields.numeric.get(field)
            if test.kind is CellKind.NUMBER and rng is not None:
                ivs = _cell_intervals(test)
                if ivs and not any(_meets(iv, *rng) for iv in ivs):
                    out_of_range.add(i)
                    out.append(
                        LintFinding(
                            code="table-unreachable",
                            severity=Severity.WARNING,
                            location=f"{where}.rows[{i}]",
                            message=f"table {table.key!r}, rows[{i}]: {field} {test.text!r} lies "
                            f"outside its possible range [{rng[0]:g}, {rng[1]:g}]",
                            fix="move the cell into the possible range or delete the row",
                        )
                    )
                    break
            elif (
                test.kind is CellKind.TEXT
                and field == "rating"
                and not test.negated
                and not set(test.texts) & fields.reachable
            ):
                out_of_range.add(i)
                out.append(
                    LintFinding(
                        code="table-unreachable",
                        severity=Severity.WARNING,
                        location=f"{where}.rows[{i}]",
                        message=f"table {table.key!r}, rows[{i}]: rating {test.text} is "
                        "not a rating anyone can get",
                        fix=f"use one of the reachable ratings {sorted(fields.reachable)}",
                    )
                )
                break
    for finding in analyse_table(table):
        rows = finding.rows
        if finding.kind is FindingKind.GAP:
            continue  # recomputed below within the field's possible range
        if any(r in out_of_range for r in rows):
            continue
        code, severity = {
            FindingKind.OVERLAP: ("table-overlap", Severity.ERROR),
            FindingKind.SHADOWED: ("table-shadowed", Severity.WARNING),
            FindingKind.UNREACHABLE: ("table-unreachable", Severity.WARNING),
        }[finding.kind]
        fix = {
            "table-overlap": "make the rows' ranges disjoint, or use hit policy FIRST/PRIORITY",
            "table-shadowed": "reorder the rows or narrow the earlier row",
            "table-unreachable": "fix the empty cell or delete the row",
        }[code]
        loc = f"{where}.rows[{rows[-1]}]" if rows else where
        out.append(
            LintFinding(
                code=code, severity=severity, location=loc, message=finding.message, fix=fix
            )
        )
    out.extend(_table_gaps(where, table, tests, fields))
    return out


def _table_gaps(
    where: str, table: DecisionTable, tests: Sequence[Sequence[UnaryTest]], fields: _Fields
) -> list[LintFinding]:
    out: list[LintFinding] = []
    for c, col in enumerate(table.inputs):
        kinds = {row[c].kind for row in tests}
        if CellKind.NUMBER not in kinds:
            continue
        if CellKind.ANY in kinds:
            continue  # a '-' row matches every value of this column
        lo, hi = fields.numeric.get(col.field, (-_INF, _INF))
        cells = [iv for row in tests for iv in _cell_intervals(row[c])]
        gaps = _uncovered(cells, lo, hi)
        if gaps:
            shown = ", ".join(f"{a:g}..{b:g}" for a, b in gaps)
            out.append(
                LintFinding(
                    code="table-gap",
                    severity=Severity.WARNING,
                    location=f"{where}.inputs[{c}]",
                    message=f"table {table.key!r}: no row matches {col.field} in {shown} "
                    f"(possible range {lo:g}..{hi:g})",
                    fix="add a row for the gap (its outputs may be empty: 'nothing')",
                )
            )
    return out


class _Reach(enum.Enum):
    NEVER = "never"
    ALWAYS = "always"
    MAYBE = "maybe"


_FLIP = {
    CompareOp.LT: CompareOp.GT,
    CompareOp.LE: CompareOp.GE,
    CompareOp.GT: CompareOp.LT,
    CompareOp.GE: CompareOp.LE,
    CompareOp.EQ: CompareOp.EQ,
    CompareOp.NE: CompareOp.NE,
}


def _root_field(node: Condition) -> str | None:
    while isinstance(node, Index | Slice):
        node = node.target
    return node.name if isinstance(node, Field) else None


def _compare_number(op: CompareOp, lo: float, hi: float, c: float) -> _Reach:
    always_never = {
        CompareOp.GE: (lo >= c, hi < c),
        CompareOp.GT: (lo > c, hi <= c),
        CompareOp.LE: (hi <= c, lo > c),
        CompareOp.LT: (hi < c, lo >= c),
        CompareOp.EQ: (lo == hi == c, c < lo or c > hi),
        CompareOp.NE: (c < lo or c > hi, lo == hi == c),
    }
    always, never = always_never[op]
    if never:
        return _Reach.NEVER
    return _Reach.ALWAYS if always else _Reach.MAYBE


def _reach(node: Condition, fields: _Fields) -> _Reach:
    if isinstance(node, And):
        parts = [_reach(o, fields) for o in node.operands]
        if _Reach.NEVER in parts:
            return _Reach.NEVER
        return _Reach.ALWAYS if all(p is _Reach.ALWAYS for p in parts) else _Reach.MAYBE
    if isinstance(node, Or):
        parts = [_reach(o, fields) for o in node.operands]
        if _Reach.ALWAYS in parts:
            return _Reach.ALWAYS
        return _Reach.NEVER if all(p is _Reach.NEVER for p in parts) else _Reach.MAYBE
    if isinstance(node, Not):
        inner = _reach(node.operand, fields)
        return {
            _Reach.NEVER: _Reach.ALWAYS,
            _Reach.ALWAYS: _Reach.NEVER,
            _Reach.MAYBE: _Reach.MAYBE,
        }[inner]
    if isinstance(node, Compare):
        op, left, right = node.op, node.left, node.right
        if isinstance(left, Const) and not isinstance(right, Const):
            op, left, right = _FLIP[op], right, left
        if not isinstance(right, Const):
            return _Reach.MAYBE
        value = right.value
        if isinstance(left, Field) and isinstance(value, float) and left.name in fields.numeric:
            lo, hi = fields.numeric[left.name]
            return _compare_number(op, lo, hi, value)
        root = _root_field(left)
        if isinstance(value, str) and root in ("rating", "history.rating"):
            labels = fields.reachable if root == "rating" else frozenset(fields.ratings)
            if op is CompareOp.EQ and value not in labels:
                return _Reach.NEVER
            if op is CompareOp.NE and value not in labels and root == "rating":
                return _Reach.ALWAYS
            if root == "rating" and op is CompareOp.EQ and labels == {value}:
                return _Reach.ALWAYS
        return _Reach.MAYBE
    if isinstance(node, In) and _root_field(node.item) == "rating" and isinstance(node.item, Field):
        options = {c.value for c in node.options.items}
        hit = bool(options & fields.reachable)
        full = fields.reachable <= options
        if node.negated:
            hit, full = not full, not hit
        if not hit:
            return _Reach.NEVER
        return _Reach.ALWAYS if full else _Reach.MAYBE
    return _Reach.MAYBE


def _check_rules(scheme: Scheme, fields: _Fields) -> list[LintFinding]:
    out: list[LintFinding] = []
    for i, rule in enumerate(scheme.rules):
        reach = _reach(rule.condition, fields)
        if reach is _Reach.MAYBE:
            continue
        out.append(_rule_finding(i, rule, reach, fields))
    return out


def _rule_finding(i: int, rule: IncentiveRule, reach: _Reach, fields: _Fields) -> LintFinding:
    lo, hi = fields.numeric["total"]
    where = f"rules[{i}] ({rule.key})"
    if reach is _Reach.NEVER:
        return LintFinding(
            code="rule-never",
            severity=Severity.ERROR,
            location=where,
            message=f"rule {rule.key!r} can never fire: no achievable score satisfies its "
            f"condition (totals span {lo:g}..{hi:g}; reachable ratings "
            f"{sorted(fields.reachable)})",
            fix="lower the bar into the achievable range, or check the rating labels",
        )
    return LintFinding(
        code="rule-always",
        severity=Severity.WARNING,
        location=where,
        message=f"rule {rule.key!r} fires for every rated subject: every achievable score "
        "satisfies its condition",
        fix="raise the bar so the rule differentiates, or make it an unconditional policy",
    )


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


# ---------------------------------------------------------------------------------------------
# Command line


def configure_lint_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``perfmgmt lint`` arguments to ``parser`` (e.g. a subcommand's) and return it."""
    p = parser
    p.add_argument("scheme", metavar="SCHEME.json", help="a scheme saved with serialization.dumps")
    p.add_argument("--min-weight", type=float, default=0.05, help="least KPI weight (0.05)")
    p.add_argument("--max-weight", type=float, default=0.5, help="most KPI weight (0.5)")
    p.add_argument(
        "--min-quantitative-share", type=float, default=0.5, help="least measured share (0.5)"
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="KPI=TAG[,TAG]",
        help="tag a KPI explicitly: speed, quality, cost, satisfaction (repeatable)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return p


LINT_DESCRIPTION = (  # the command's description, shared with the perfmgmt CLI
    "Check a scheme (JSON written by perfmgmt.serialization.dumps) before launch. "
    "Exit status: 0 no error findings, 1 error findings, 2 the file could not be read."
)


def run_lint(
    args: argparse.Namespace,
    stdout: TextIO,
    stderr: TextIO,
    *,
    load: Callable[[str], Scheme],
) -> int:
    """Run lint for arguments parsed by :func:`configure_lint_parser`; return the exit status.

    Args:
        args: The parsed arguments.
        stdout: Where the report goes.
        stderr: Where problems reading the scheme go.
        load: Reads the scheme from a path (the command line passes its JSON loader; analytics
            does not import the serialization layer).

    Returns:
        0 when there is no error finding, 1 when there is, 2 when the scheme cannot be read.
    """
    out, err = stdout, stderr
    tags: dict[str, set[str]] = {}
    for item in args.tag:
        kpi, sep, names = item.partition("=")
        if not sep or not kpi:
            err.write(f"perfmgmt lint: --tag {item!r}: expected KPI=TAG[,TAG]\n")
            return 2
        tags.setdefault(kpi, set()).update(n.strip() for n in names.split(",") if n.strip())
    try:
        config = LintConfig(
            min_weight=args.min_weight,
            max_weight=args.max_weight,
            min_quantitative_share=args.min_quantitative_share,
            tags=tags,
        )
        scheme = load(args.scheme)
    except (OSError, PerfmgmtError) as exc:
        err.write(f"perfmgmt lint: {args.scheme}: {exc}\n")
        return 2
    report = lint(scheme, config=config)
    if args.format == "json":
        payload = {
            "scheme": report.scheme_key,
            "scheme_hash": report.scheme_hash,
            "findings": report.to_records(),
        }
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.text() + "\n")
    return 1 if report.has_errors else 0
