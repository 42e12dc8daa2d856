"""An exact-arithmetic reference for scoring, written from the documentation alone.

``score_exactly(scheme, review, cycle)`` follows the steps of ``docs/explanation/scoring.md``,
``docs/explanation/missing-data.md``, the scorers' docstrings and the engine's module docstring,
taking every float it reads (actuals, bounds, weights, ratings, scorer parameters, band edges)
as the exact rational it denotes, ``Fraction(x)``, and computing every step in rationals. It
imports nothing from ``perfmgmt.scoring``: it is a second reading of the documented maths, not
a copy of the engine, so the two can be compared.

This is a helper module for ``test_exact.py``, not a test module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from perfmgmt.model import (
    KPI,
    Cycle,
    Direction,
    GateEffect,
    GateWithoutData,
    MissingPolicy,
    RatingScale,
    Review,
    Scale,
    Scheme,
    SmallSample,
)

__all__ = [
    "GRID",
    "ExactCard",
    "ExactKpi",
    "band_of",
    "near_midpoint",
    "on_grid",
    "round9",
    "score_exactly",
]

HUNDRED = Fraction(100)
#: The exactness rule rounds to multiples of this.
GRID = Fraction(1, 10**9)

_Ach = Fraction | float | None  # float only for an infinite achievement


@dataclass(frozen=True)
class ExactKpi:
    """One KPI of the exact result.

    Attributes:
        key: KPI key.
        score: Exact score, None when the KPI is not scored (no usable data, and the policy
            is REALLOCATE or EXCLUDE).
        achievement: Exact achievement; None where the scorer has none or data is unusable;
            ``math.inf`` for the ratio scorer's inverse form on an actual <= 0.
        nominal: Category weight x weight in category.
        effective: Measured KPIs: nominal x (1 - zero-scored share) / measured nominal;
            a KPI scored 0 by policy: its own nominal share; otherwise 0.
        flags: Names of the KPI flags the docs call for (``GATED`` whenever the KPI's gate
            fires, whether or not it lowers the total).
    """

    key: str
    score: Fraction | None
    achievement: _Ach
    nominal: Fraction
    effective: Fraction
    flags: frozenset[str]


@dataclass(frozen=True)
class ExactCard:
    """The exact result of one review.

    ``total`` is the exact blended total whenever a quantitative (and, with criteria, a
    qualitative) part exists, whether or not the review is rated, so it can be compared with
    a band edge; ``unrated_reasons`` lists the review flags that leave it unrated, before the
    scale check (which depends on the exactness rule: see :func:`band_of` and ``round9``).
    """

    kpis: tuple[ExactKpi, ...]
    categories: tuple[Fraction | None, ...]
    criteria: tuple[Fraction | None, ...]
    raw_quantitative: Fraction | None
    quantitative: Fraction | None
    qualitative: Fraction | None
    total: Fraction | None
    gated: bool
    unrated_reasons: frozenset[str]
    eligible_fraction: Fraction


def round9(x: Fraction) -> Fraction:
    """Round ``x`` to the nearest multiple of 1e-9, ties to the even multiple."""
    q, r = divmod(x / GRID, 1)  # q = floor, 0 <= r < 1
    if r > Fraction(1, 2) or (r == Fraction(1, 2) and q % 2 == 1):
        q += 1
    return q * GRID


def on_grid(x: Fraction) -> bool:
    """Return whether ``x`` is an exact multiple of 1e-9."""
    return (x / GRID).denominator == 1


def near_midpoint(x: Fraction, margin: Fraction = Fraction(1, 10**11)) -> bool:
    """Return whether ``x`` lies within ``margin`` of a rounding midpoint of the 1e-9 grid.

    There, a float result within ``margin`` of ``x`` may round to either neighbour.
    """
    r = (x / GRID) % 1
    return abs(r - Fraction(1, 2)) * GRID <= margin


def band_of(scale: RatingScale, value: Fraction) -> str | None:
    """Return the label of the band holding ``value``: ``[lower, upper)``, the top one closed.

    None when ``value`` is outside ``[low, high]`` (the review is then not rated).
    """
    low, high = Fraction(scale.low), Fraction(scale.high)
    if not low <= value <= high:
        return None
    label = scale.bands[0].label
    for band in scale.bands:
        if value >= Fraction(band.lower):
            label = band.label
    return label


# -- scorers ----------------------------------------------------------------------------------


def _f(value: object, default: float) -> Fraction:
    """The scorer parameter ``value`` (or its default) as an exact rational."""
    if value is None:
        return Fraction(default)
    assert isinstance(value, int | float), value
    return Fraction(value)


def _clip(x: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return min(max(x, low), high)


def _sign(direction: Direction) -> int:
    return -1 if direction is Direction.LOWER_IS_BETTER else 1


def _linear(
    kpi: KPI, x: Fraction, t: Fraction | None, g: Fraction | None, s: Fraction | None
) -> tuple[_Ach, Fraction]:
    p = kpi.scoring
    tp = _f(p.get("threshold_payout"), 50.0)
    cap = _f(p.get("cap"), 150.0)
    floor = _f(p.get("floor"), 0.0)
    acc = _f(p.get("accelerator"), 1.0)
    assert t is not None
    assert g is not None
    sg = _sign(kpi.indicator.direction)  # lower-is-better: negate every value
    x, t, g = sg * x, sg * t, sg * g
    s = None if s is None else sg * s
    achievement = (x - t) / (g - t)
    if x < t:
        return achievement, floor
    if x < g:
        return achievement, tp + (HUNDRED - tp) * (x - t) / (g - t)
    if s is None:
        return achievement, HUNDRED
    return achievement, min(cap, HUNDRED + acc * (cap - HUNDRED) * (x - g) / (s - g))


def _banded(kpi: KPI, x: Fraction) -> tuple[_Ach, Fraction]:
    p = kpi.scoring
    edges = [Fraction(e) for e in p.get("edges")]  # type: ignore[union-attr]
    scores = [Fraction(v) for v in p.get("scores")]  # type: ignore[union-attr]
    # Bands [e_i, e_i+1) from the lowest actual up; a value on an edge belongs to the better
    # band: the upper one when higher is better, the lower one when lower is better.
    if kpi.indicator.direction is Direction.LOWER_IS_BETTER:
        index = sum(1 for e in edges if e < x)
    else:
        index = sum(1 for e in edges if e <= x)
    return None, scores[index]


def _ratio(kpi: KPI, x: Fraction, g: Fraction | None) -> tuple[_Ach, Fraction]:
    p = kpi.scoring
    cap = _f(p.get("cap"), 150.0)
    form = p.get("lower_form", "inverse")
    assert g is not None
    if kpi.indicator.direction is not Direction.LOWER_IS_BETTER:
        achievement: Fraction = x / g
    elif form == "inverse":
        if x <= 0:  # the best possible result: the cap
            return math.inf, cap
        achievement = g / x
    else:
        achievement = 2 - x / g
    return achievement, _clip(HUNDRED * achievement, Fraction(0), cap)


def _binary(kpi: KPI, x: Fraction, g: Fraction | None) -> tuple[_Ach, Fraction]:
    p = kpi.scoring
    met, unmet = _f(p.get("met"), 100.0), _f(p.get("unmet"), 0.0)
    assert g is not None
    sg = _sign(kpi.indicator.direction)
    ok = sg * x >= sg * g  # reaching the target counts
    return Fraction(int(ok)), met if ok else unmet


def _target_band(kpi: KPI, x: Fraction, g: Fraction | None) -> tuple[_Ach, Fraction]:
    p = kpi.scoring
    tol = _f(p.get("tolerance"), 0.0)
    falloff = _f(p.get("falloff"), 10.0)
    floor = _f(p.get("floor"), 0.0)
    assert g is not None
    return None, max(floor, HUNDRED - falloff * max(abs(x - g) - tol, Fraction(0)))


def _progress(
    kpi: KPI, x: Fraction, t: Fraction | None, g: Fraction | None
) -> tuple[_Ach, Fraction]:
    p = kpi.scoring
    cap = _f(p.get("cap"), 100.0)
    baseline = p.get("baseline")
    start = t if baseline is None else _f(baseline, 0.0)
    assert start is not None
    assert g is not None
    sg = _sign(kpi.indicator.direction)
    achievement = (sg * x - sg * start) / (sg * g - sg * start)
    return achievement, _clip(HUNDRED * achievement, Fraction(0), cap)


def kpi_score(
    kpi: KPI, x: Fraction, t: Fraction | None, g: Fraction | None, s: Fraction | None
) -> tuple[_Ach, Fraction]:
    """Return ``(achievement, score)`` of a built-in scorer on one usable actual, exactly."""
    name = kpi.scoring.scorer
    if name == "linear":
        return _linear(kpi, x, t, g, s)
    if name == "banded":
        return _banded(kpi, x)
    if name == "ratio":
        return _ratio(kpi, x, g)
    if name == "binary":
        return _binary(kpi, x, g)
    if name == "target_band":
        return _target_band(kpi, x, g)
    if name == "progress":
        return _progress(kpi, x, t, g)
    raise AssertionError(f"no exact reference for scorer {name!r}")


# -- the review -------------------------------------------------------------------------------


def _opt(value: float | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _bounds(kpi: KPI, review: Review) -> tuple[Fraction | None, ...]:
    """Threshold, target and stretch used: the KPI's defaults unless an agreed goal says."""
    goal = review.goal(kpi.key)
    out: list[Fraction | None] = []
    for name in ("threshold", "target", "stretch"):
        value = getattr(kpi, name)
        if goal is not None and getattr(goal, name) is not None:
            value = getattr(goal, name)
        out.append(_opt(value))
    return tuple(out)


def _overridden(kpi: KPI, review: Review) -> bool:
    goal = review.goal(kpi.key)
    if goal is None:
        return False
    return any(
        getattr(goal, n) is not None and getattr(goal, n) != getattr(kpi, n)
        for n in ("threshold", "target", "stretch")
    )


def _rescale(rating: Fraction, source: Scale, dest: Scale) -> Fraction:
    """Map a rating linearly from ``source`` onto ``dest`` (low to low, high to high)."""
    s_low, s_high = Fraction(source.low), Fraction(source.high)
    d_low, d_high = Fraction(dest.low), Fraction(dest.high)
    return d_low + (rating - s_low) / (s_high - s_low) * (d_high - d_low)


def _eligible(cycle: Cycle, review: Review) -> tuple[int, Fraction]:
    """Eligible days (hire to leave date, both inclusive, within the cycle) and fraction."""
    hire, leave = review.subject.hire_date, review.subject.leave_date
    first = cycle.start if hire is None else max(cycle.start, hire)
    last = cycle.end if leave is None else min(cycle.end, leave)
    days = max(0, (last - first).days + 1)
    cycle_days = (cycle.end - cycle.start).days + 1
    return days, Fraction(days, cycle_days)


def _qualitative(
    scheme: Scheme, review: Review
) -> tuple[tuple[Fraction | None, ...], Fraction | None]:
    """Criterion scores and the qualitative part (None where nothing counts)."""
    crit_scores: list[Fraction | None] = []
    weighted = Fraction(0)
    weight_sum = Fraction(0)
    for crit in scheme.criteria:
        low = Fraction(crit.scale.low)
        span = Fraction(crit.scale.target_rating) - low
        num = Fraction(0)
        den = Fraction(0)
        for policy in scheme.sources:
            ratings = [
                Fraction(a.rating)
                if a.scale is None
                else _rescale(Fraction(a.rating), a.scale, crit.scale)
                for a in review.assessments
                if a.criterion == crit.key and a.source is policy.source
            ]
            if not ratings or len(ratings) < policy.min_raters:
                continue  # too few raters: left out, the other sources' weights rescaled
            mean = sum(ratings, Fraction(0)) / len(ratings)
            num += Fraction(policy.weight) * HUNDRED * (mean - low) / span
            den += Fraction(policy.weight)
        score = num / den if den > 0 else None
        crit_scores.append(score)
        if score is not None:
            weighted += Fraction(crit.weight) * score
            weight_sum += Fraction(crit.weight)
    qual = weighted / weight_sum if weight_sum > 0 else None
    return tuple(crit_scores), qual


def score_exactly(scheme: Scheme, review: Review, cycle: Cycle | None = None) -> ExactCard:
    """Score ``review`` under ``scheme`` exactly, step by step as documented."""
    cat_weight = {c.key: Fraction(c.weight) for c in scheme.categories}
    scored: list[tuple[KPI, Fraction | None, _Ach, set[str], bool]] = []
    excluded = False
    gate_values: list[Fraction] = []
    gate_held = False
    for kpi in scheme.kpis:
        actual = review.actual(kpi.key)
        value = None if actual is None else actual.value
        size = None if actual is None else actual.sample_size
        flags: set[str] = set()
        t, g, s = _bounds(kpi, review)
        if _overridden(kpi, review):
            flags.add("OVERRIDDEN_TARGET")
        usable = False
        small = False
        if value is None:
            flags.add("MISSING")
        elif size is not None and size != -1 and size < kpi.min_sample:
            flags.add("INSUFFICIENT_DATA")
            small = True
            usable = scheme.missing_data.small_sample is SmallSample.CAP_AT_TARGET
        else:
            usable = True
        score: Fraction | None = None
        achievement: _Ach = None
        gate = kpi.gate
        gate_fires = False
        if usable:
            assert value is not None
            achievement, score = kpi_score(kpi, Fraction(value), t, g, s)
            if small and score is not None:
                score = min(score, HUNDRED)  # a small sample earns at most the target's score
            if gate is not None:
                sg = _sign(kpi.indicator.direction)
                gate_fires = sg * Fraction(value) < sg * Fraction(gate.threshold)
        else:
            if kpi.missing is MissingPolicy.REALLOCATE:
                flags.add("REALLOCATED")
            elif kpi.missing is MissingPolicy.ZERO:
                flags.add("SCORED_ZERO")
                score = Fraction(0)
            else:
                flags.add("EXCLUDED")
                excluded = True
            if gate is not None:
                if scheme.missing_data.gate_without_data is GateWithoutData.HOLD:
                    gate_held = True
                else:
                    gate_fires = True  # applied as if it fired: a gate is never skipped
        if gate_fires:
            assert gate is not None
            flags.add("GATED")
            cap = Fraction(0) if gate.effect is GateEffect.ZERO else Fraction(gate.cap or 0)
            gate_values.append(cap)
        scored.append((kpi, score, achievement, flags, usable))

    nominal = [cat_weight[k.category] * Fraction(k.weight) for k, *_ in scored]
    total_nominal = sum(nominal, Fraction(0))
    measured = sum((n for n, row in zip(nominal, scored, strict=True) if row[4]), Fraction(0))
    zeroed = sum(
        (n for n, row in zip(nominal, scored, strict=True) if not row[4] and row[1] is not None),
        Fraction(0),
    )
    moved = any(not row[4] and row[1] is None for row in scored)
    has_quant = measured > 0
    kpis: list[ExactKpi] = []
    raw = Fraction(0)
    effective: list[Fraction] = []
    for n, (kpi, sc, ach, flags, use) in zip(nominal, scored, strict=True):
        if not has_quant or sc is None:
            eff = Fraction(0)
        elif use:
            eff = n * (1 - zeroed / total_nominal) / measured
            if moved and n > 0:
                flags.add("REWEIGHTED")
        else:
            eff = n / total_nominal  # scored 0 by policy: its own weight, nothing more
        effective.append(eff)
        if sc is not None:
            raw += eff * sc
        kpis.append(ExactKpi(kpi.key, sc, ach, n, eff, frozenset(flags)))
    raw_q = raw if has_quant else None
    share_measured = round(measured / total_nominal, 9)

    categories: list[Fraction | None] = []
    for cat in scheme.categories:
        members = [
            (e, sc)
            for e, (kpi, sc, *_) in zip(effective, scored, strict=True)
            if kpi.category == cat.key and sc is not None and e > 0
        ]
        den = sum((e for e, _ in members), Fraction(0))
        num = sum((e * sc for e, sc in members if sc is not None), Fraction(0))
        categories.append(num / den if den > 0 else None)

    quant = raw_q
    if quant is not None and gate_values:
        quant = min([quant, *gate_values])  # a gate only lowers
    # The review is gated only when a gate lowered the total: a cap at or above it changes
    # nothing.
    gated = quant is not None and raw_q is not None and quant < raw_q

    reasons: set[str] = set()
    crit_scores: tuple[Fraction | None, ...] = ()
    qual: Fraction | None = None
    total: Fraction | None = None
    if scheme.criteria:
        crit_scores, qual = _qualitative(scheme, review)
        if qual is None:
            reasons.add("NO_QUALITATIVE")
        share = Fraction(scheme.quantitative_share)
        if quant is not None and qual is not None:
            total = share * quant + (1 - share) * qual
    else:
        total = quant

    fraction = Fraction(1)
    if cycle is not None:
        days, fraction = _eligible(cycle, review)
        if days < scheme.min_eligible_days:
            reasons.add("NOT_ELIGIBLE")
    if excluded:
        reasons.add("EXCLUDED_KPI")
    if quant is None:
        reasons.add("NO_QUANTITATIVE")
    if share_measured < Fraction(scheme.missing_data.min_measured_share):
        reasons.add("TOO_LITTLE_DATA")
    if gate_held:
        reasons.add("GATE_WITHOUT_DATA")
    return ExactCard(
        kpis=tuple(kpis),
        categories=tuple(categories),
        criteria=crit_scores,
        raw_quantitative=raw_q,
        quantitative=quant,
        qualitative=qual,
        total=total,
        gated=gated,
        unrated_reasons=frozenset(reasons),
        eligible_fraction=fraction,
    )
