"""Checks of the KPIs one by one: measurable, weighted to matter, counterweighted, sanely gated."""

from __future__ import annotations

import math

from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.analytics.lint._ranges import kpi_tags, value_range
from perfmgmt.model.indicator import Direction, IndicatorKind
from perfmgmt.model.kpi import KPI, GateEffect
from perfmgmt.model.scheme import Scheme


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
