"""Scoring against an exact-arithmetic reference, and the exactness rule (issue #14).

The reference (``exact_reference.py``, next to this file) is written from the documentation:
every float input is the exact rational ``Fraction(x)`` and every documented step (scorers,
missing-data policies, effective weights, category subtotals, gates, the qualitative part,
the blend, eligibility, the rating band) is computed exactly.

The exactness rule pinned here ("exact where pay is decided", DESIGN.md):

* After aggregation the engine rounds the quantitative total, the qualitative part, the
  category and criterion scores and the total to 9 decimal places, half to even: each is the
  float nearest to the multiple of 1e-9 nearest to its float result. Whether a review is on
  the scale, and its rating, are decided on that rounded total (bands ``[lower, upper)``, the
  top band closed).
* So an exact result that is a multiple of 1e-9 comes out exactly: every KPI on target gives
  a total of exactly 100.0, every KPI at stretch exactly the cap (e.g. 150.0) and a rating,
  whatever the weights; a total exactly on a band edge gets that edge's band.
* Away from rounding midpoints (within 1e-11 of one, a float result may round either way),
  each rounded value is the exact value rounded to 9 places. Every number the engine reports
  agrees with the reference within 1e-9 (absolute; scores here are of ordinary size).

The premise of the rule is that band edges are multiples of 1e-9 (decimals of at most nine
places): every scale in this module is built that way.

Other guarantees checked on the same inputs: ``score(review)`` is ``score_batch(...).row(i)``
bit for bit, field by field. Inputs come from the library's strategies
(``perfmgmt.strategies``) and from the generators below, which build hostile-but-valid
schemes: rational-looking weights (1/3, 2/7, 3:2:1, percentages, ``normalise_weights``), many
categories, every built-in scorer with its parameters, gates, missing-data policies,
qualitative criteria, eligibility, and actuals exactly on thresholds, targets, stretches,
gate thresholds, baselines and band edges.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypedDict, cast

import attrs
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from perfmgmt import strategies as pst
from perfmgmt.model import (
    KPI,
    Actual,
    Assessment,
    AssessmentSource,
    Band,
    Category,
    Cycle,
    Direction,
    Gate,
    GateEffect,
    GateWithoutData,
    Goal,
    Indicator,
    Label,
    MissingData,
    MissingPolicy,
    QualitativeCriterion,
    RatingScale,
    Review,
    Scale,
    Scheme,
    ScoringSpec,
    SmallSample,
    SourcePolicy,
    Subject,
    normalise_weights,
)
from perfmgmt.scoring import (
    BatchScores,
    KpiFlag,
    Population,
    ReviewFlag,
    ScoreCard,
    ScoringEngine,
)
from scoring.exact_reference import (
    ExactCard,
    band_of,
    near_midpoint,
    round9,
    score_exactly,
)

ENGINE = ScoringEngine()
#: Agreement with the exact reference, absolute.
TOL = Fraction(1, 10**9)
#: Generated inputs are slow to build, and shrinking them takes minutes: a failure reports
#: every disagreement of the first failing example instead.
SLOW = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,  # the library's goal strategy filters
    ],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

HIB, LIB, TIB = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.TARGET_IS_BEST
CYCLE = Cycle(key="2026q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))


# -- comparing engine results with the reference -------------------------------------------


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _flat(value: object, path: str = "card") -> list[tuple[str, object]]:
    """Flatten a score card into ``(path, value)`` pairs, floats as their bit patterns."""
    if isinstance(value, float):
        return [(path, _bits(value))]
    if attrs.has(type(value)):
        out: list[tuple[str, object]] = []
        for f in attrs.fields(cast("type[attrs.AttrsInstance]", type(value))):
            out += _flat(getattr(value, f.name), f"{path}.{f.name}")
        return out
    if isinstance(value, tuple):
        out = []
        for i, item in enumerate(value):
            out += _flat(item, f"{path}[{i}]")
        return out
    if isinstance(value, KpiFlag | ReviewFlag):
        return [(path, (type(value).__name__, int(value)))]
    return [(path, (type(value).__name__, value))]


def _bit_differences(a: ScoreCard, b: ScoreCard) -> list[str]:
    fa, fb = _flat(a), _flat(b)
    if [p for p, _ in fa] != [p for p, _ in fb]:
        return ["the two cards have different fields"]
    return [f"{p}: {x!r} != {y!r}" for (p, x), (_, y) in zip(fa, fb, strict=True) if x != y]


def _names(flags: KpiFlag | ReviewFlag) -> frozenset[str]:
    return frozenset(f.name for f in type(flags) if f.value and f in flags and f.name)


def _num(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x


def _off(got: float | None, want: Fraction | float | None, scale: bool = False) -> str | None:
    """Say how ``got`` misses ``want`` beyond the tolerance, or None when it agrees."""
    got = _num(got)
    if want is None or got is None:
        return None if want is None and got is None else f"{got!r} vs exact {want!r}"
    if isinstance(want, float):  # an infinite achievement
        return None if got == want else f"{got!r} vs exact {want!r}"
    tol = TOL * max(Fraction(1), abs(want)) if scale else TOL
    if math.isinf(got):
        # A ratio beyond the largest float can only be infinity in a float column.
        beyond = abs(want) > Fraction(sys.float_info.max) and (got > 0) == (want > 0)
        return None if scale and beyond else f"{got!r} vs exact {_show(want)}"
    off = Fraction(got) - want
    return None if abs(off) <= tol else f"{got!r} vs exact {_show(want)} (off by {_show(off)})"


def _show(x: Fraction) -> str:
    """Return ``x`` as a float's repr, or as a fraction when it is beyond the float range."""
    try:
        return repr(float(x))
    except OverflowError:
        return f"{x.numerator}/{x.denominator}"


def _value_disagreements(card: ScoreCard, ref: ExactCard) -> list[str]:
    """Every number of ``card`` beyond 1e-9 of the reference, and every flag that differs."""
    out: list[str] = []

    def check(
        name: str, got: float | None, want: Fraction | float | None, scale: bool = False
    ) -> None:
        why = _off(got, want, scale)
        if why is not None:
            out.append(f"{card.subject_id}: {name}: {why}")

    for line, k in zip(card.lines, ref.kpis, strict=True):
        check(f"KPI {k.key} score", line.score, k.score)
        check(f"KPI {k.key} achievement", line.achievement, k.achievement, scale=True)
        check(f"KPI {k.key} effective weight", line.effective_weight, k.effective)
        check(f"KPI {k.key} nominal weight", line.nominal_weight, k.nominal)
        if _names(line.flags) != k.flags:
            out.append(f"{card.subject_id}: KPI {k.key} flags {_names(line.flags)} vs {k.flags}")
    for c, (line_c, want) in enumerate(zip(card.categories, ref.categories, strict=True)):
        check(f"category {c} score", line_c.score, want)
    for q, (line_q, want) in enumerate(zip(card.criteria, ref.criteria, strict=True)):
        check(f"criterion {q} score", line_q.score, want)
    check("raw quantitative", card.raw_quantitative, ref.raw_quantitative)
    check("quantitative", card.quantitative, ref.quantitative)
    check("qualitative", card.qualitative, ref.qualitative)
    if card.total is not None and ref.total is not None:
        check("total", card.total, ref.total)
    check("eligible fraction", card.eligible_fraction, ref.eligible_fraction)
    reasons = _names(card.flags) - {"OUT_OF_SCALE", "GATED"}
    if reasons != ref.unrated_reasons:
        out.append(f"{card.subject_id}: review flags {reasons} vs {set(ref.unrated_reasons)}")
    if card.gated != ref.gated:
        out.append(f"{card.subject_id}: gated {card.gated} vs exact {ref.gated}")
    return out


def _rounded(want: Fraction) -> float | None:
    """The float the rule gives for exact value ``want``; None near a rounding midpoint."""
    return None if near_midpoint(want) else float(round9(want))


def _rule_violations(card: ScoreCard, ref: ExactCard) -> list[str]:
    """Aggregates that are not the exact values rounded to 9 places (the exactness rule)."""
    out: list[str] = []
    pairs: list[tuple[str, float | None, Fraction | None]] = [
        ("raw quantitative", card.raw_quantitative, ref.raw_quantitative),
        ("quantitative", card.quantitative, ref.quantitative),
        ("qualitative", card.qualitative, ref.qualitative),
        ("total", card.total, ref.total),
    ]
    pairs += [
        (f"category {c.key}", c.score, w)
        for c, w in zip(card.categories, ref.categories, strict=True)
    ]
    pairs += [
        (f"criterion {c.key}", c.score, w) for c, w in zip(card.criteria, ref.criteria, strict=True)
    ]
    for name, value, want in pairs:
        got = _num(value)
        if want is None or got is None:
            continue  # presence is checked with the values; an unrated total with the bands
        rounded = _rounded(want)
        if rounded is not None and _bits(got) != _bits(rounded):
            out.append(
                f"{card.subject_id}: {name} is {got!r}; exact {float(want)!r} -> {rounded!r}"
            )
        elif rounded is None and round(got, 9) != got:
            out.append(f"{card.subject_id}: {name} {got!r} is not rounded to 9 places")
    return out


def _expected_rating(scheme: Scheme, ref: ExactCard) -> tuple[bool, str | None] | None:
    """``(rated, rating)`` under the rule; None when the exact total is at a rounding midpoint."""
    if ref.unrated_reasons or ref.total is None:
        return False, None
    if near_midpoint(ref.total):
        return None
    # The rounded total is a float: the one nearest to the multiple of 1e-9, as band edges
    # typed with at most nine decimals are (0.01 is the double nearest to 1/100).
    label = band_of(scheme.rating_scale, Fraction(float(round9(ref.total))))
    return label is not None, label


def _band_violations(scheme: Scheme, card: ScoreCard, ref: ExactCard) -> list[str]:
    """Ratings that are not the band of the rounded exact total (or rated-ness that differs)."""
    want = _expected_rating(scheme, ref)
    if want is None:
        return []
    rated, label = want
    if (card.rated, card.rating) != (rated, label):
        total = None if ref.total is None else float(ref.total)
        return [
            f"{card.subject_id}: rated={card.rated} rating={card.rating!r} total={card.total!r}; "
            f"exact total {total!r} gives rated={rated} rating={label!r}"
        ]
    return []


def _own_band_violations(scheme: Scheme, card: ScoreCard) -> list[str]:
    """A rated card whose rating is not the band of its own total."""
    if not card.rated:
        return (
            []
            if card.rating is None and card.total is None
            else [f"{card!r}: unrated with a rating"]
        )
    assert card.total is not None
    label = band_of(scheme.rating_scale, Fraction(card.total))
    if label != card.rating:
        return [
            f"{card.subject_id}: total {card.total!r} rated {card.rating!r}, its band is {label!r}"
        ]
    return []


def _batch(scheme: Scheme, reviews: Sequence[Review], cycle: Cycle | None) -> BatchScores:
    return ENGINE.score_batch(scheme, Population.from_reviews(scheme, reviews, cycle=cycle))


def _each(
    scheme: Scheme,
    reviews: Sequence[Review],
    cycle: Cycle | None,
    check: Callable[[ScoreCard, ExactCard], list[str]],
) -> list[str]:
    """Score ``reviews`` as one batch and collect ``check(card, reference)`` for every row."""
    batch = _batch(scheme, reviews, cycle)
    out: list[str] = []
    for i, review in enumerate(reviews):
        out += check(batch.row(i), score_exactly(scheme, review, cycle))
    return out


# -- building schemes by hand --------------------------------------------------------------


def _label(text: str) -> Label:
    return Label(en=text, zh=text)


def _kpi(
    key: str,
    category: str,
    weight: float,
    *,
    direction: Direction = HIB,
    scorer: str = "linear",
    params: dict[str, Any] | None = None,
    threshold: float | None = None,
    target: float | None = None,
    stretch: float | None = None,
    gate: Gate | None = None,
    min_sample: int = 0,
    missing: MissingPolicy = MissingPolicy.REALLOCATE,
) -> KPI:
    return KPI(
        indicator=Indicator(key=key, label=_label(key), direction=direction),
        category=category,
        weight=weight,
        scoring=ScoringSpec(scorer=scorer, params=params or {}),
        threshold=threshold,
        target=target,
        stretch=stretch,
        gate=gate,
        min_sample=min_sample,
        missing=missing,
    )


def _scale(edges: Sequence[float]) -> RatingScale:
    """Bands between ascending ``edges``, labelled from the top: A, B, C..."""
    n = len(edges) - 1
    return RatingScale(
        bands=[
            Band(label=chr(ord("A") + n - 1 - i), lower=edges[i], upper=edges[i + 1])
            for i in range(n)
        ]
    )


def _scheme(
    categories: Sequence[Category],
    kpis: Sequence[KPI],
    scale: RatingScale,
    *,
    criteria: Sequence[QualitativeCriterion] = (),
    sources: Sequence[SourcePolicy] = (SourcePolicy(source=AssessmentSource.MANAGER, weight=1.0),),
    share: float = 1.0,
    min_eligible_days: int = 0,
    missing_data: MissingData | None = None,
) -> Scheme:
    return Scheme(
        key="exact",
        version="1",
        label=_label("exact"),
        categories=list(categories),
        kpis=list(kpis),
        rating_scale=scale,
        criteria=list(criteria),
        sources=list(sources),
        quantitative_share=share if criteria else 1.0,
        min_eligible_days=min_eligible_days,
        missing_data=missing_data or MissingData(),
    )


def _review(
    subject: str,
    actuals: dict[str, float | None],
    *,
    sizes: dict[str, int] | None = None,
    goals: Sequence[Goal] = (),
    assessments: Sequence[Assessment] = (),
    hire: dt.date | None = None,
    leave: dt.date | None = None,
) -> Review:
    sizes = sizes or {}
    return Review(
        subject=Subject(id=subject, hire_date=hire, leave_date=leave),
        cycle="2026q1",
        scheme="exact",
        goals=list(goals),
        actuals=[Actual(kpi=k, value=v, sample_size=sizes.get(k)) for k, v in actuals.items()],
        assessments=list(assessments),
    )


# -- generators ----------------------------------------------------------------------------


@functools.cache
def _decimal(low: float, high: float, places: int = 2) -> st.SearchStrategy[float]:
    return st.decimals(
        min_value=Decimal(str(low)), max_value=Decimal(str(high)), places=places
    ).map(float)


@functools.cache
def _nice(low: float, high: float) -> st.SearchStrategy[float]:
    """Numbers people type: whole numbers and decimals of two places."""
    return st.integers(math.ceil(low), math.floor(high)).map(float) | _decimal(low, high)


@functools.cache
def _number(low: float, high: float) -> st.SearchStrategy[float]:
    """Typed numbers mostly, and now and then any float in range."""
    return st.one_of(
        _nice(low, high),
        _nice(low, high),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


@functools.cache
def _gap() -> st.SearchStrategy[float]:
    return _number(0.5, 500.0)


@st.composite
def _weightings(draw: st.DrawFn, n: int, *, zeros: bool = False) -> tuple[list[float], bool]:
    """Weights as HR people write them, and whether they still need ``normalise_weights``.

    Ready weights sum to 1 within the scheme's tolerance; raw ones are points (3:2:1).
    """
    kind = draw(st.sampled_from(["ratio", "equal", "percent", "fraction"]))
    if kind == "equal":
        return [1.0 / n] * n, False  # 1/3, 1/7, ...: the float sum is off by a few ulps
    if kind == "percent" and n <= 100:
        cuts = sorted(
            draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True))
        )
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        return [p / 100 for p in parts], False  # 0.3, 0.25, 0.07...
    parts = draw(st.lists(st.integers(0 if zeros else 1, 12), min_size=n, max_size=n))
    if not any(parts):
        parts[0] = 1
    if kind == "fraction":
        total = sum(parts)
        return [float(Fraction(p, total)) for p in parts], False  # 2/7, 3/7: correctly rounded
    return [float(p) for p in parts], True  # raw points: the caller runs normalise_weights


def _normalised(items: Sequence[Any], raw: bool) -> list[Any]:
    return list(normalise_weights(items)) if raw else list(items)


class _Bounds(TypedDict):
    """A KPI's (or an agreed goal's) threshold, target and stretch."""

    threshold: float | None
    target: float | None
    stretch: float | None


@dataclass(frozen=True)
class _KpiPlan:
    """A generated KPI and what its actuals and goals may be drawn from."""

    kpi: KPI
    baseline: float | None
    edges: tuple[float, ...]


@dataclass(frozen=True)
class _Case:
    scheme: Scheme
    plans: tuple[_KpiPlan, ...]
    cycle: Cycle | None


_SCORERS = ("linear", "banded", "ratio", "binary", "target_band", "progress")


@st.composite
def _bounds(
    draw: st.DrawFn,
    scorer: str,
    direction: Direction,
    baseline: float | None,
    *,
    complete: bool = False,
) -> _Bounds:
    """Threshold, target and stretch in order for ``direction``, valid for ``scorer``.

    The stretch may be None unless ``complete`` (an agreed goal gives all three, so it never
    mixes with the scheme's defaults into an out-of-order triple).
    """
    if direction is TIB:
        return {"threshold": None, "target": draw(_number(-1000, 1000)), "stretch": None}
    sg = 1.0 if direction is HIB else -1.0
    if scorer == "ratio":
        g = draw(_number(1, 1000))  # ratio targets must be above 0
    elif baseline is not None:
        g = baseline + sg * draw(_gap())  # progress: the target is beyond the baseline
    else:
        g = draw(_number(-1000, 1000))
    t = g - sg * draw(_gap())
    s = g + sg * draw(_gap()) if complete or draw(st.integers(0, 4)) else None
    return {"threshold": t, "target": g, "stretch": s}


@st.composite
def _params(draw: st.DrawFn, scorer: str, direction: Direction) -> dict[str, Any]:
    """Scorer parameters: defaults now and then, otherwise every documented parameter."""
    if scorer == "linear":
        tp = draw(st.sampled_from([50.0, 0.0, 100.0, 60.0, 37.5]) | _nice(0, 100))
        floor = draw(st.sampled_from([0.0, tp]) | _nice(-50, tp))
        cap = draw(st.sampled_from([150.0, 100.0, 120.0, 200.0]) | _nice(100, 300))
        acc = draw(st.sampled_from([1.0, 2.0, 0.5, 1.5]) | _number(0.1, 5))
        p: dict[str, Any] = {"threshold_payout": tp, "floor": floor, "cap": cap, "accelerator": acc}
    elif scorer == "banded":
        edges = sorted(set(draw(st.lists(_number(-1000, 1000), min_size=1, max_size=4))))
        scores = sorted(
            draw(st.lists(_nice(0, 200), min_size=len(edges) + 1, max_size=len(edges) + 1))
        )
        if direction is LIB:
            scores.reverse()  # non-increasing from the lowest actual up
        return {"edges": edges, "scores": scores}
    elif scorer == "ratio":
        p = {
            "cap": draw(st.sampled_from([150.0, 100.0, 120.0]) | _nice(100, 300)),
            "lower_form": draw(st.sampled_from(["inverse", "complement"])),
        }
    elif scorer == "binary":
        met, unmet = sorted(draw(st.lists(_nice(0, 200), min_size=2, max_size=2)), reverse=True)
        p = {"met": met, "unmet": unmet}
    elif scorer == "target_band":
        p = {
            "tolerance": draw(_nice(0, 50)),
            "falloff": draw(_nice(0.5, 50)),
            "floor": draw(_nice(-50, 100)),
        }
    else:
        p = {"cap": draw(st.sampled_from([100.0, 150.0, 120.0]) | _nice(100, 300))}
    if draw(st.integers(0, 5)) == 0:
        return {}  # the factory's defaults
    return p


@st.composite
def _kpi_plan(
    draw: st.DrawFn,
    key: str,
    category: str,
    weight: float,
    *,
    scorers: Sequence[str],
    with_baseline: bool,
) -> _KpiPlan:
    scorer = draw(st.sampled_from(scorers))
    direction = TIB if scorer == "target_band" else draw(st.sampled_from([HIB, LIB]))
    params = draw(_params(scorer, direction))
    baseline = None
    if scorer == "progress" and with_baseline and draw(st.booleans()):
        baseline = draw(_number(-1000, 1000))
        params["baseline"] = baseline
    bounds = draw(_bounds(scorer, direction, baseline))
    gate = None
    if direction is not TIB and draw(st.integers(0, 3)) == 0:
        at = draw(st.sampled_from(_values(bounds)) | _number(-1000, 1000))
        if draw(st.booleans()):
            gate = Gate(threshold=at, effect=GateEffect.ZERO)
        else:
            gate = Gate(threshold=at, effect=GateEffect.CAP, cap=draw(_number(0, 200)))
    kpi = _kpi(
        key,
        category,
        weight,
        direction=direction,
        scorer=scorer,
        params=params,
        gate=gate,
        min_sample=draw(st.sampled_from([0, 0, 1, 10, 30])),
        missing=draw(st.sampled_from(MissingPolicy)),
        **bounds,
    )
    return _KpiPlan(kpi=kpi, baseline=baseline, edges=tuple(params.get("edges", ())))


@st.composite
def _criteria(
    draw: st.DrawFn,
) -> tuple[list[QualitativeCriterion], list[SourcePolicy]]:
    n = draw(st.integers(0, 3))
    if n == 0:
        return [], [SourcePolicy(source=AssessmentSource.MANAGER, weight=1.0)]
    cw, cw_raw = draw(_weightings(n))
    crit = []
    for q in range(n):
        low = float(draw(st.integers(0, 2)))
        high = low + draw(st.integers(1, 10))
        target = draw(st.none() | st.integers(int(low) + 1, int(high)).map(float))
        crit.append(
            QualitativeCriterion(
                key=f"q{q}",
                label=_label(f"q{q}"),
                weight=cw[q],
                scale=Scale(low=low, high=high, target=target),
            )
        )
    chosen = draw(st.lists(st.sampled_from(AssessmentSource), min_size=1, max_size=4, unique=True))
    sw, sw_raw = draw(_weightings(len(chosen)))
    sources = [
        SourcePolicy(source=s, weight=w, min_raters=draw(st.integers(1, 3)))
        for s, w in zip(chosen, sw, strict=True)
    ]
    return _normalised(crit, cw_raw), _normalised(sources, sw_raw)


@st.composite
def _rating_scale(draw: st.DrawFn, low: float = 0.0, high: float = 200.0) -> RatingScale:
    """Bands from ``low`` to ``high`` with typed inner edges (multiples of 1e-9)."""
    inner = sorted(
        set(
            draw(
                st.lists(
                    _nice(low + 0.01, high - 0.01) | st.sampled_from([50.0, 100.0, 150.0]),
                    min_size=1,
                    max_size=5,
                )
            )
        )
    )
    inner = [e for e in inner if low < e < high]
    return _scale([low, *inner, high])


@st.composite
def _cases(
    draw: st.DrawFn,
    *,
    scorers: Sequence[str] = _SCORERS,
    baseline: bool = True,
    max_categories: int = 8,
) -> _Case:
    """A hostile-but-valid scheme: every scorer, rational-looking weights, many categories."""
    n_cat = draw(st.integers(1, max_categories))
    cat_w, cat_w_raw = draw(_weightings(n_cat, zeros=True))
    categories = _normalised(
        [Category(key=f"c{c}", label=_label(f"c{c}"), weight=w) for c, w in enumerate(cat_w)],
        cat_w_raw,
    )
    plans: list[_KpiPlan] = []
    for c in range(n_cat):
        m = draw(st.integers(1, 3))
        kw, kw_raw = draw(_weightings(m, zeros=True))
        group = [
            draw(_kpi_plan(f"k{c}_{j}", f"c{c}", w, scorers=scorers, with_baseline=baseline))
            for j, w in enumerate(kw)
        ]
        kpis = _normalised([p.kpi for p in group], kw_raw)
        plans += [_KpiPlan(k, p.baseline, p.edges) for p, k in zip(group, kpis, strict=True)]
    crit, sources = draw(_criteria())
    share = draw(st.sampled_from([0.7, 0.5, 0.8, 1.0, 0.0]) | st.floats(0, 1)) if crit else 1.0
    with_cycle = draw(st.integers(0, 3)) == 0
    scheme = _scheme(
        categories,
        [p.kpi for p in plans],
        draw(_rating_scale()),
        criteria=crit,
        sources=sources,
        share=share,
        min_eligible_days=draw(st.integers(0, 90)) if with_cycle else 0,
        missing_data=MissingData(
            min_measured_share=draw(st.sampled_from([0.5, 0.0, 1.0, 0.3]) | st.floats(0, 1)),
            small_sample=draw(st.sampled_from(SmallSample)),
            gate_without_data=draw(st.sampled_from(GateWithoutData)),
        ),
    )
    return _Case(scheme=scheme, plans=tuple(plans), cycle=CYCLE if with_cycle else None)


def _values(bounds: _Bounds) -> list[float]:
    """The bounds that are set."""
    return [v for v in (bounds["threshold"], bounds["target"], bounds["stretch"]) if v is not None]


def _edges_of(plan: _KpiPlan, bounds: _Bounds) -> list[float]:
    """The values where this KPI's score or gate changes: where actuals are placed."""
    kpi = plan.kpi
    out = [*_values(bounds), *plan.edges]
    if plan.baseline is not None:
        out.append(plan.baseline)
    if kpi.gate is not None:
        out.append(kpi.gate.threshold)
    return out or [0.0]


@st.composite
def _review_for(draw: st.DrawFn, case: _Case, index: int) -> Review:
    goals: list[Goal] = []
    actuals: list[Actual] = []
    for plan in case.plans:
        kpi = plan.kpi
        bounds: _Bounds = {
            "threshold": kpi.threshold,
            "target": kpi.target,
            "stretch": kpi.stretch,
        }
        if draw(st.integers(0, 5)) == 0:
            bounds = draw(
                _bounds(kpi.scoring.scorer, kpi.indicator.direction, plan.baseline, complete=True)
            )
            goals.append(Goal(kpi=kpi.key, **bounds))
        edges = _edges_of(plan, bounds)
        roll = draw(st.integers(0, 19))
        if roll == 0:
            continue  # no entry at all
        value: float | None
        if roll == 1:
            value = None
        elif roll < 12:
            value = draw(st.sampled_from(edges))  # exactly on an edge
        elif roll < 15:
            value = draw(st.sampled_from(edges)) + draw(st.sampled_from([-1.0, 1.0])) * draw(_gap())
        else:
            value = draw(_number(-2000, 2000))
        size = draw(
            st.sampled_from([None, None, kpi.min_sample, kpi.min_sample + 5])
            | st.integers(0, max(kpi.min_sample - 1, 0))
        )
        if value is None and size:
            size = None  # an Actual with observations has a value (the model refuses otherwise)
        actuals.append(Actual(kpi=kpi.key, value=value, sample_size=size))
    assessments: list[Assessment] = []
    for crit in case.scheme.criteria:
        sc = crit.scale
        for policy in case.scheme.sources:
            for r in range(draw(st.integers(0, 3))):
                if draw(st.integers(0, 5)) == 0:
                    other = Scale(low=0.0, high=10.0)
                    rating = draw(st.sampled_from([0.0, 10.0]) | _number(0, 10))
                    assessments.append(
                        Assessment(
                            criterion=crit.key,
                            source=policy.source,
                            rater_id=f"r{r}",
                            rating=rating,
                            scale=other,
                        )
                    )
                    continue
                rating = draw(
                    st.sampled_from([sc.low, sc.high, sc.target_rating]) | _number(sc.low, sc.high)
                )
                assessments.append(
                    Assessment(
                        criterion=crit.key, source=policy.source, rater_id=f"r{r}", rating=rating
                    )
                )
    hire = leave = None
    if case.cycle is not None:
        day = st.integers(-40, 130).map(lambda d: CYCLE.start + dt.timedelta(days=d))
        hire = draw(st.none() | day)
        leave = draw(st.none() | day)
        if hire is not None and leave is not None and leave < hire:
            hire, leave = leave, hire
    return Review(
        subject=Subject(id=f"s{index}", hire_date=hire, leave_date=leave),
        cycle="2026q1",
        scheme=case.scheme.key,
        goals=goals,
        actuals=actuals,
        assessments=assessments,
    )


@st.composite
def _cases_with_reviews(
    draw: st.DrawFn,
    *,
    min_reviews: int = 2,
    max_reviews: int = 5,
    scorers: Sequence[str] = _SCORERS,
    baseline: bool = True,
    max_categories: int = 8,
) -> tuple[_Case, list[Review]]:
    case = draw(_cases(scorers=scorers, baseline=baseline, max_categories=max_categories))
    n = draw(st.integers(min_reviews, max_reviews))
    return case, [draw(_review_for(case, i)) for i in range(n)]


@st.composite
def _library_cases(
    draw: st.DrawFn, *, min_reviews: int = 2
) -> tuple[Scheme, list[Review], Cycle | None]:
    """A scorable scheme and reviews from the library's own strategies."""
    scheme = draw(pst.schemes(scorable=True, max_rules=0, max_tables=0, max_kpis=6))
    first = draw(pst.reviews(scheme=scheme))
    reviews = [first]
    # Further reviews take the library's actuals and goals with the first one's assessments:
    # a whole generated review (history, interview, plan) costs a tenth of a second.
    for _ in range(1, draw(st.integers(min_reviews, 4))):
        other = attrs.evolve(
            first,
            actuals=draw(pst.actuals_for(scheme)),
            goals=draw(pst.goals_for(scheme)),
        )
        reviews.append(other)
    # Unique subjects in one currency, as a population needs.
    reviews = [
        attrs.evolve(r, subject=attrs.evolve(r.subject, id=f"s{i}", base_pay=None, currency=None))
        for i, r in enumerate(reviews)
    ]
    cycle = draw(st.none() | pst.cycles())
    return scheme, reviews, cycle


#: Scores every scorer can be made to give exactly, all multiples of 1e-9.
_EDGE_VALUES = (0.0, 37.5, 50.0, 60.0, 80.0, 87.25, 100.0, 112.5, 120.0, 150.0, 200.0)


@st.composite
def _kpi_scoring(
    draw: st.DrawFn, key: str, category: str, weight: float, *, v: float, baseline: bool
) -> tuple[KPI, float]:
    """A KPI of any built-in scorer and an actual that it scores exactly ``v``."""
    choices = ["linear", "banded", "binary", "target_band" if v <= 100 else "linear"]
    choices += ["ratio", "progress"] if v >= 100 or v == 0 else []
    scorer = draw(st.sampled_from(choices))
    direction = TIB if scorer == "target_band" else draw(st.sampled_from([HIB, LIB]))
    sg = -1.0 if direction is LIB else 1.0
    g = draw(_nice(1, 1000)) if scorer == "ratio" else draw(_nice(-1000, 1000))
    t, s = g - sg * draw(_gap()), g + sg * draw(_gap())
    far = draw(_gap())
    params: dict[str, Any] = {}
    bounds: _Bounds = {"threshold": t, "target": g, "stretch": s}
    if scorer == "linear":
        if v == 100:
            x = g
            if draw(st.booleans()):
                x = g + sg * far
                bounds["stretch"] = None  # no stretch: 100 from target up
        elif v > 100:
            params = {"cap": v, "accelerator": draw(st.sampled_from([1.0, 1.5, 2.0]))}
            x = draw(st.sampled_from([s, s + sg * far]))
        elif draw(st.booleans()):
            params = {"threshold_payout": v, "floor": min(v, 0.0)}
            x = t
        else:
            params = {"floor": v, "threshold_payout": draw(st.sampled_from([v, 100.0]))}
            x = t - sg * far
    elif scorer == "banded":
        edges = sorted(set(draw(st.lists(_nice(-1000, 1000), min_size=1, max_size=3))))
        m = len(edges)
        i = draw(st.integers(0, m))
        below = sorted(draw(st.lists(_nice(0, v), min_size=i, max_size=i)) if v > 0 else [0.0] * i)
        above = sorted(draw(st.lists(_nice(v, 250), min_size=m - i, max_size=m - i)))
        scores = [*below, v, *above]
        if direction is HIB:  # band i is [e_i-1, e_i): an edge belongs to the upper band
            x = edges[i - 1] if i > 0 else edges[0] - far
        else:  # scores fall as the actual rises; band m - i is (e_m-i-1, e_m-i]
            scores.reverse()
            k = m - i
            x = edges[k] if k < m else edges[m - 1] + far
        params = {"edges": edges, "scores": scores}
    elif scorer == "binary":
        if draw(st.booleans()):
            params, x = {"met": v, "unmet": draw(_nice(0, v)) if v > 0 else 0.0}, g
        else:
            params, x = {"unmet": v, "met": draw(_nice(v, 250))}, g - sg * far
    elif scorer == "target_band":
        bounds = {"threshold": None, "target": g, "stretch": None}
        tol, falloff = draw(_nice(0, 20)), draw(_nice(0.5, 20))
        if v == 100:
            params, x = {"tolerance": tol, "falloff": falloff}, g
        else:
            params = {"tolerance": tol, "falloff": falloff, "floor": v}
            x = g + draw(st.sampled_from([-1.0, 1.0])) * (tol + (100 - v) / falloff + far)
    elif scorer == "ratio":
        form = draw(st.sampled_from(["inverse", "complement"]))
        params = {"lower_form": form}
        if v == 100:
            x = g
        elif v > 100:
            params["cap"] = v
            x = 3 * g if direction is HIB else -g  # far beyond: clipped to the cap
        elif direction is HIB:
            x = draw(st.sampled_from([0.0, -far]))
        else:
            params["lower_form"] = "complement"
            x = 2 * g + far  # 2 - x / g below 0: clipped to 0
    else:  # progress
        start = t
        if baseline and draw(st.booleans()):
            start = g - sg * draw(_gap())
            params["baseline"] = start
        if v == 100:
            x = g
        elif v > 100:
            params["cap"] = v
            x = g + sg * (3 * abs(g - start) + far)
        else:
            x = draw(st.sampled_from([start, start - sg * far]))
    kpi = _kpi(key, category, weight, direction=direction, scorer=scorer, params=params, **bounds)
    return kpi, x


@st.composite
def _uniform_cases(draw: st.DrawFn, *, baseline: bool = True) -> tuple[Scheme, list[Review], float]:
    """A scheme and reviews whose every KPI and criterion scores the same ``v``: total ``v``.

    The rating scale has a band edge at ``v`` (inner edge, top or bottom of the scale).
    """
    v = draw(st.sampled_from(_EDGE_VALUES))
    n_cat = draw(st.integers(1, 8))
    cat_w, cat_w_raw = draw(_weightings(n_cat))
    categories = _normalised(
        [Category(key=f"c{c}", label=_label(f"c{c}"), weight=w) for c, w in enumerate(cat_w)],
        cat_w_raw,
    )
    kpis: list[KPI] = []
    hits: dict[str, float] = {}
    for c in range(n_cat):
        m = draw(st.integers(1, 3))
        kw, kw_raw = draw(_weightings(m))
        group = []
        for j, w in enumerate(kw):
            kpi, x = draw(_kpi_scoring(f"k{c}_{j}", f"c{c}", w, v=v, baseline=baseline))
            group.append(kpi)
            hits[kpi.key] = x
        kpis += _normalised(group, kw_raw)
    n_crit = draw(st.integers(0, 2))
    crit: list[QualitativeCriterion] = []
    sources: list[SourcePolicy] = [SourcePolicy(source=AssessmentSource.MANAGER, weight=1.0)]
    if n_crit:
        cw, cw_raw = draw(_weightings(n_crit))
        scale = Scale(low=0.0, high=max(200.0, v), target=100.0)  # a rating r scores r
        crit = [
            QualitativeCriterion(key=f"q{q}", label=_label(f"q{q}"), weight=w, scale=scale)
            for q, w in enumerate(cw)
        ]
        chosen = draw(
            st.lists(st.sampled_from(AssessmentSource), min_size=1, max_size=3, unique=True)
        )
        sw, sw_raw = draw(_weightings(len(chosen)))
        sources = [
            SourcePolicy(source=src, weight=w, min_raters=draw(st.integers(1, 2)))
            for src, w in zip(chosen, sw, strict=True)
        ]
        crit, sources = _normalised(crit, cw_raw), _normalised(sources, sw_raw)
    where = draw(st.sampled_from(["inner", "top", "bottom"] if v > 0 else ["bottom"]))
    if where == "top":
        inner = draw(st.lists(_nice(1, v - 1), min_size=1, max_size=3))
        edges = [0.0, *sorted(set(inner)), v]
    elif where == "bottom":
        inner = draw(st.lists(_nice(v + 1, v + 99), min_size=1, max_size=3))
        edges = [v, *sorted(set(inner)), v + 100]
    else:
        edges = [0.0, v, 300.0]
    scheme = _scheme(
        categories,
        kpis,
        _scale(edges),
        criteria=crit,
        sources=sources,
        share=draw(st.sampled_from([0.7, 0.5, 1.0, 0.0]) | st.floats(0, 1)),
        # The gaps below test the arithmetic of reallocation, so any measured share rates.
        missing_data=MissingData(min_measured_share=0.0),
    )
    reviews = []
    for i in range(draw(st.integers(1, 3))):
        actuals: dict[str, float | None] = dict(hits)
        # A measurement gap under REALLOCATE leaves the others' mean unchanged.
        if len(hits) > 1 and draw(st.booleans()):
            actuals[draw(st.sampled_from(sorted(hits)))] = None
        assessments = [
            Assessment(criterion=q.key, source=p.source, rater_id=f"r{r}", rating=v)
            for q in crit
            for p in sources
            for r in range(draw(st.integers(0, 3)))
        ]
        if crit and not any(
            sum(1 for a in assessments if a.source is p.source) >= p.min_raters * len(crit)
            for p in sources
        ):
            assessments += [
                Assessment(criterion=q.key, source=sources[0].source, rater_id=f"x{r}", rating=v)
                for q in crit
                for r in range(sources[0].min_raters)
            ]
        reviews.append(_review(f"s{i}", actuals, assessments=assessments))
    return scheme, reviews, v


# -- tests ---------------------------------------------------------------------------------


def _category_scheme(
    cat_weights: Sequence[float], *, per_category: int = 1, scale: RatingScale
) -> Scheme:
    categories = [
        Category(key=f"c{c}", label=_label(f"c{c}"), weight=w) for c, w in enumerate(cat_weights)
    ]
    kpis = [
        _kpi(
            f"k{c}_{j}",
            f"c{c}",
            1.0 / per_category,
            threshold=60.0 + j,
            target=80.0 + j,
            stretch=95.0 + j,
        )
        for c in range(len(cat_weights))
        for j in range(per_category)
    ]
    return _scheme(normalise_weights(categories), kpis, scale)


_FOUNDING_SCALE = _scale([0.0, 60.0, 80.0, 100.0, 120.0, 150.0])  # E D C B A


class TestRegressions:
    """Hand-computed cases from issue #14."""

    def test_two_to_one_categories_on_target_total_exactly_100_band_b(self) -> None:
        """Two categories weighted 2:1, every actual on target: total exactly 100.0, band B."""
        scheme = _category_scheme([2.0, 1.0], per_category=2, scale=_FOUNDING_SCALE)
        review = _review("on-target", {k.key: k.target for k in scheme.kpis})
        card = ENGINE.score(scheme, review)
        assert score_exactly(scheme, review).total == 100  # the reference agrees with the hand
        assert card.total is not None
        assert _bits(card.total) == _bits(100.0), card.total
        assert card.rating == "B"

    def test_three_two_one_categories_at_stretch_total_exactly_150_rated(self) -> None:
        """Three categories weighted 3:2:1, every actual at stretch: exactly 150.0, rated A."""
        scheme = _category_scheme([3.0, 2.0, 1.0], per_category=3, scale=_FOUNDING_SCALE)
        review = _review("stretch", {k.key: k.stretch for k in scheme.kpis})
        card = ENGINE.score(scheme, review)
        assert score_exactly(scheme, review).total == 150
        assert card.rated, card.flags
        assert card.total is not None
        assert _bits(card.total) == _bits(150.0), card.total
        assert card.rating == "A"

    def test_reallocated_gap_among_thirds(self) -> None:
        """Thirds, one KPI missing: (100 + 150) / 2 = exactly 125.0, band A."""
        categories = [Category(key="c", label=_label("c"), weight=1.0)]
        kpis = [_kpi(f"k{j}", "c", 1 / 3, threshold=1.0, target=2.0, stretch=3.0) for j in range(3)]
        scheme = _scheme(categories, kpis, _FOUNDING_SCALE)
        review = _review("gap", {"k0": 2.0, "k1": 3.0, "k2": None})
        card = ENGINE.score(scheme, review)
        assert card.total is not None
        assert _bits(card.total) == _bits(125.0), card.total
        assert card.line("k2").flags == KpiFlag.MISSING | KpiFlag.REALLOCATED
        assert card.line("k0").effective_weight == pytest.approx(0.5, abs=1e-15)

    def test_zero_policy_and_cap_gate(self) -> None:
        """ZERO keeps the weight: (150 + 0) / 2 = 75; a CAP gate at 70 then gives exactly 70.0."""
        categories = [Category(key="c", label=_label("c"), weight=1.0)]
        gate = Gate(threshold=10.0, effect=GateEffect.CAP, cap=70.0)
        kpis = [
            _kpi("a", "c", 0.5, threshold=10.0, target=20.0, stretch=30.0, gate=gate),
            _kpi("b", "c", 0.5, threshold=1.0, target=2.0, missing=MissingPolicy.ZERO),
        ]
        scheme = _scheme(categories, kpis, _FOUNDING_SCALE)
        plain = ENGINE.score(scheme, _review("zero", {"a": 30.0, "b": None}))
        assert plain.total == 75.0
        fired = ENGINE.score(scheme, _review("fired", {"a": 9.5, "b": 2.0}))
        # a scores 0 below threshold, b 100: raw (0 + 100) / 2 = 50, below the cap: kept,
        # and a gate that lowers nothing does not mark the review (its KPI is flagged).
        assert (fired.raw_quantitative, fired.quantitative, fired.gated) == (50.0, 50.0, False)
        assert KpiFlag.GATED in fired.line("a").flags
        high = ENGINE.score(scheme, _review("capped", {"a": 9.99, "b": 2.0}))
        assert high.quantitative == 50.0
        capped_scheme = _scheme(
            categories,
            [
                attrs.evolve(kpis[0], gate=Gate(threshold=25.0, effect=GateEffect.CAP, cap=70.0)),
                kpis[1],
            ],
            _FOUNDING_SCALE,
        )
        card = ENGINE.score(capped_scheme, _review("capped", {"a": 20.0, "b": 3.0}))
        # a on target (100), b beyond target without stretch (100): raw 100, gate caps at 70.
        assert (card.raw_quantitative, card.quantitative, card.total) == (100.0, 70.0, 70.0)
        assert (card.rating, card.gated) == ("D", True)
        assert ReviewFlag.GATED in card.flags

    def test_cap_gate_at_the_exact_total_does_not_gate(self) -> None:
        """2:1 on target with a fired CAP gate at 100: 100 is not lowered, so not gated."""
        scheme = _category_scheme([2.0, 1.0], per_category=2, scale=_FOUNDING_SCALE)
        first = scheme.kpis[0]
        assert first.stretch is not None
        # On target is below the gate threshold (the stretch): the gate fires, capping at 100.
        gate = Gate(threshold=first.stretch, effect=GateEffect.CAP, cap=100.0)
        kpis = [attrs.evolve(first, gate=gate), *scheme.kpis[1:]]
        scheme = attrs.evolve(scheme, kpis=kpis)
        review = _review("at-cap", {k.key: k.target for k in scheme.kpis})
        ref = score_exactly(scheme, review)
        assert (ref.raw_quantitative, ref.quantitative, ref.gated) == (
            Fraction(100),
            Fraction(100),
            False,
        )
        for card in (ENGINE.score(scheme, review), _batch(scheme, [review, review], None).row(0)):
            assert card.total is not None
            assert _bits(card.total) == _bits(100.0), card.total
            assert KpiFlag.GATED in card.line(first.key).flags
            assert (card.rating, card.gated) == ("B", False), (card.raw_quantitative, card.flags)

    def test_exclude_policy_leaves_the_review_unrated(self) -> None:
        """An EXCLUDE KPI without data leaves the review unrated, flagged EXCLUDED_KPI."""
        categories = [Category(key="c", label=_label("c"), weight=1.0)]
        kpis = [
            _kpi("a", "c", 0.5, threshold=1.0, target=2.0),
            _kpi(
                "b",
                "c",
                0.5,
                threshold=1.0,
                target=2.0,
                missing=MissingPolicy.EXCLUDE,
                min_sample=10,
            ),
        ]
        scheme = _scheme(categories, kpis, _FOUNDING_SCALE)
        card = ENGINE.score(scheme, _review("none", {"a": 2.0}))
        assert (card.rated, card.total, card.rating) == (False, None, None)
        assert card.flags == ReviewFlag.EXCLUDED_KPI
        assert card.line("b").flags == KpiFlag.MISSING | KpiFlag.EXCLUDED

    def test_qualitative_sources_rescaled_and_blend(self) -> None:
        """Peers below min_raters drop out; manager 4/5 scores 75; 0.7 x 100 + 0.3 x 75 = 92.5."""
        categories = [Category(key="c", label=_label("c"), weight=1.0)]
        kpis = [_kpi("a", "c", 1.0, threshold=1.0, target=2.0)]
        crit = [QualitativeCriterion(key="q", label=_label("q"), weight=1.0)]  # scale 1-5
        sources = [
            SourcePolicy(source=AssessmentSource.MANAGER, weight=0.6),
            SourcePolicy(source=AssessmentSource.PEER, weight=0.4, min_raters=2),
        ]
        scheme = _scheme(
            categories, kpis, _FOUNDING_SCALE, criteria=crit, sources=sources, share=0.7
        )
        review = _review(
            "q",
            {"a": 2.0},
            assessments=[
                Assessment(
                    criterion="q", source=AssessmentSource.MANAGER, rater_id="m", rating=4.0
                ),
                Assessment(criterion="q", source=AssessmentSource.PEER, rater_id="p", rating=1.0),
            ],
        )
        card = ENGINE.score(scheme, review)
        assert card.criteria[0].score == 75.0
        assert card.qualitative == 75.0
        assert card.total is not None
        assert _bits(card.total) == _bits(92.5), card.total
        assert card.rating == "C"

    def test_unreported_sample_size_counts_as_sufficient(self) -> None:
        """A sample size of -1 in arrays is not reported: the KPI is scored despite min_sample."""
        categories = [Category(key="c", label=_label("c"), weight=1.0)]
        kpis = [_kpi("a", "c", 1.0, threshold=1.0, target=2.0, stretch=3.0, min_sample=30)]
        scheme = _scheme(categories, kpis, _FOUNDING_SCALE)
        pop = Population.from_arrays(
            scheme, subject_ids=["u", "few"], actual=[[3.0], [3.0]], sample_size=[[-1], [29]]
        )
        batch = ENGINE.score_batch(scheme, pop)
        want = score_exactly(scheme, _review("u", {"a": 3.0}))
        assert want.total == 150
        assert batch.row(0).total == 150.0
        # 29 < 30 samples: scored on the actual but at most 100 (the score on target).
        assert batch.row(1).total == 100.0
        assert batch.row(1).line("a").flags == KpiFlag.INSUFFICIENT_DATA


class TestOnTargetAndAtStretch:
    """Every KPI on target totals exactly 100; at stretch exactly the cap, whatever the weights."""

    @staticmethod
    @st.composite
    def _linear_schemes(draw: st.DrawFn) -> Scheme:
        n_cat = draw(st.integers(1, 10))
        cat_w, cat_w_raw = draw(_weightings(n_cat))
        categories = _normalised(
            [Category(key=f"c{c}", label=_label(f"c{c}"), weight=w) for c, w in enumerate(cat_w)],
            cat_w_raw,
        )
        kpis: list[KPI] = []
        for c in range(n_cat):
            m = draw(st.integers(1, 4))
            kw, kw_raw = draw(_weightings(m))
            group = []
            for j, w in enumerate(kw):
                direction = draw(st.sampled_from([HIB, LIB]))
                sg = 1.0 if direction is HIB else -1.0
                g = draw(_number(-1000, 1000))
                group.append(
                    _kpi(
                        f"k{c}_{j}",
                        f"c{c}",
                        w,
                        direction=direction,
                        threshold=g - sg * draw(_gap()),
                        target=g,
                        stretch=g + sg * draw(_gap()),
                    )
                )
            kpis += _normalised(group, kw_raw)
        return _scheme(categories, kpis, _FOUNDING_SCALE)

    @settings(SLOW, max_examples=100)
    @given(_linear_schemes())
    def test_every_kpi_on_target_totals_exactly_100_band_b(self, scheme: Scheme) -> None:
        """All actuals on target: quantitative, category scores and total exactly 100.0, band B."""
        review = _review("t", {k.key: k.target for k in scheme.kpis})
        for card in (ENGINE.score(scheme, review), _batch(scheme, [review, review], None).row(1)):
            got = [card.total, card.quantitative, *(c.score for c in card.categories)]
            assert [_bits(x) if x is not None else None for x in got] == [_bits(100.0)] * len(
                got
            ), got
            assert card.rating == "B"

    @settings(SLOW, max_examples=100)
    @given(_linear_schemes())
    def test_every_kpi_at_stretch_totals_exactly_the_cap_and_is_rated(self, scheme: Scheme) -> None:
        """All actuals at stretch: total exactly 150.0 (the cap), rated in the closed top band."""
        review = _review("s", {k.key: k.stretch for k in scheme.kpis})
        for card in (ENGINE.score(scheme, review), _batch(scheme, [review, review], None).row(1)):
            assert card.rated, (card.flags, card.quantitative)
            assert card.total is not None
            assert _bits(card.total) == _bits(150.0), card.total
            assert card.rating == "A"


class TestBandEdges:
    """A total exactly on a band edge gets that edge's band; ratings follow the rounded total."""

    @settings(SLOW, max_examples=120)
    @given(_uniform_cases(baseline=False))
    def test_total_exactly_on_an_edge_gets_that_edges_band(
        self, case: tuple[Scheme, list[Review], float]
    ) -> None:
        """Every score equal to an edge value v, any weights: the engine's total is exactly v."""
        scheme, reviews, v = case
        want = band_of(scheme.rating_scale, Fraction(v))
        problems: list[str] = []
        batch = _batch(scheme, reviews, None)
        for i, review in enumerate(reviews):
            ref = score_exactly(scheme, review)
            assert ref.total == Fraction(v), "test construction: the exact total must be v"
            cards = (ENGINE.score(scheme, review), batch.row(i))
            problems += [
                f"total {c.total!r} rating {c.rating!r} flags {c.flags!r}; exact {v!r} -> {want!r}"
                for c in cards
                if c.total is None or _bits(c.total) != _bits(v) or c.rating != want
            ]
        assert not problems, problems

    @settings(SLOW, max_examples=50)
    @given(_cases_with_reviews())
    def test_hostile_rating_is_the_band_of_the_rounded_exact_total(
        self, case: tuple[_Case, list[Review]]
    ) -> None:
        """Generated schemes: rated iff the rounded exact total is on the scale; its band."""
        c, reviews = case
        problems = _each(
            c.scheme, reviews, c.cycle, lambda card, ref: _band_violations(c.scheme, card, ref)
        )
        assert not problems, problems

    @settings(SLOW, max_examples=50)
    @given(_cases_with_reviews())
    def test_a_total_rounding_onto_an_edge_gets_that_edges_band(
        self, case: tuple[_Case, list[Review]]
    ) -> None:
        """A band edge put at a review's rounded exact total: the review gets the band above."""
        c, reviews = case
        total = score_exactly(c.scheme, reviews[0], c.cycle).total
        assume(total is not None and not near_midpoint(total))
        assert total is not None
        edge = float(round9(total))
        edges = [b.lower for b in c.scheme.rating_scale.bands] + [c.scheme.rating_scale.high]
        assume(edges[0] < edge < edges[-1] and edge not in edges)
        scheme = attrs.evolve(c.scheme, rating_scale=_scale(sorted([*edges, edge])))
        problems = _each(
            scheme, reviews, c.cycle, lambda card, ref: _band_violations(scheme, card, ref)
        )
        assert not problems, problems

    @settings(SLOW, max_examples=10)
    @given(_library_cases())
    def test_library_rating_is_the_band_of_the_rounded_exact_total(
        self, case: tuple[Scheme, list[Review], Cycle | None]
    ) -> None:
        """The library's schemes: rated iff the rounded exact total is on the scale; its band."""
        scheme, reviews, cycle = case
        problems = _each(
            scheme, reviews, cycle, lambda card, ref: _band_violations(scheme, card, ref)
        )
        assert not problems, problems

    @settings(SLOW, max_examples=30)
    @given(_cases_with_reviews())
    def test_rating_is_the_band_of_the_engines_own_total(
        self, case: tuple[_Case, list[Review]]
    ) -> None:
        """A rated card's rating is the band ([lower, upper), top closed) of its reported total."""
        c, reviews = case
        problems = _each(
            c.scheme, reviews, c.cycle, lambda card, ref: _own_band_violations(c.scheme, card)
        )
        assert not problems, problems


class TestAgreement:
    """Every number the engine reports is within 1e-9 of the exact reference; flags agree."""

    @settings(SLOW, max_examples=60)
    @given(_cases_with_reviews())
    def test_hostile_schemes_agree_with_the_reference(
        self, case: tuple[_Case, list[Review]]
    ) -> None:
        """Generated schemes with every scorer, policy, gate and weighting agree within 1e-9."""
        c, reviews = case
        problems = _each(c.scheme, reviews, c.cycle, _value_disagreements)
        assert not problems, problems

    @settings(SLOW, max_examples=10)
    @given(_library_cases())
    def test_library_schemes_agree_with_the_reference(
        self, case: tuple[Scheme, list[Review], Cycle | None]
    ) -> None:
        """Schemes and reviews from perfmgmt.strategies agree within 1e-9."""
        scheme, reviews, cycle = case
        problems = _each(scheme, reviews, cycle, _value_disagreements)
        assert not problems, problems

    @settings(SLOW, max_examples=4)
    @given(_cases_with_reviews(min_reviews=64, max_reviews=70, max_categories=3))
    def test_large_batches_agree_with_the_reference(self, case: tuple[_Case, list[Review]]) -> None:
        """Batches of 64+ reviews (the engine's many-row formulas) agree within 1e-9."""
        c, reviews = case
        problems = _each(c.scheme, reviews, c.cycle, _value_disagreements)
        assert not problems, problems


class TestRoundingRule:
    """Aggregates are the exact values rounded to 9 places, half to even."""

    @settings(SLOW, max_examples=50)
    @given(_cases_with_reviews())
    def test_hostile_aggregates_are_rounded_exact_values(
        self, case: tuple[_Case, list[Review]]
    ) -> None:
        """Quantitative, qualitative, category, criterion scores and total: exact, rounded."""
        c, reviews = case
        problems = _each(c.scheme, reviews, c.cycle, _rule_violations)
        assert not problems, problems

    @settings(SLOW, max_examples=10)
    @given(_library_cases())
    def test_library_aggregates_are_rounded_exact_values(
        self, case: tuple[Scheme, list[Review], Cycle | None]
    ) -> None:
        """The library's schemes: every aggregate is its exact value rounded to 9 places."""
        scheme, reviews, cycle = case
        problems = _each(scheme, reviews, cycle, _rule_violations)
        assert not problems, problems


class TestScalarEqualsBatch:
    """``score(review)`` is ``score_batch(...).row(i)`` bit for bit, field by field."""

    @staticmethod
    def _differences(scheme: Scheme, reviews: Sequence[Review], cycle: Cycle | None) -> list[str]:
        batch = _batch(scheme, reviews, cycle)
        out: list[str] = []
        for i, review in enumerate(reviews):
            out += _bit_differences(ENGINE.score(scheme, review, cycle=cycle), batch.row(i))
        return out

    @settings(SLOW, max_examples=50)
    @given(_cases_with_reviews(baseline=False))
    def test_hostile_schemes(self, case: tuple[_Case, list[Review]]) -> None:
        """Generated schemes (every scorer but progress with a baseline): scalar = batch."""
        c, reviews = case
        assert not self._differences(c.scheme, reviews, c.cycle)

    @settings(SLOW, max_examples=10)
    @given(_library_cases())
    def test_library_schemes(self, case: tuple[Scheme, list[Review], Cycle | None]) -> None:
        """Schemes and reviews from perfmgmt.strategies: scalar = batch."""
        scheme, reviews, cycle = case
        assert not self._differences(scheme, reviews, cycle)

    @settings(SLOW, max_examples=3)
    @given(_cases_with_reviews(baseline=False, min_reviews=64, max_reviews=70, max_categories=3))
    def test_large_batches(self, case: tuple[_Case, list[Review]]) -> None:
        """Rows of a batch of 64+ reviews equal the reviews scored alone."""
        c, reviews = case
        assert not self._differences(c.scheme, reviews, c.cycle)


class TestProgressBaseline:
    """The progress scorer with a fixed baseline, through the scalar ``score``."""

    @settings(SLOW, max_examples=30)
    @given(
        _cases_with_reviews(scorers=("progress",), min_reviews=1, max_reviews=3, max_categories=2)
    )
    def test_scalar_score_agrees_with_the_reference(self, case: tuple[_Case, list[Review]]) -> None:
        """score() of progress KPIs (with and without a baseline) agrees within 1e-9."""
        c, reviews = case
        problems: list[str] = []
        for review in reviews:
            problems += _value_disagreements(
                ENGINE.score(c.scheme, review, cycle=c.cycle),
                score_exactly(c.scheme, review, c.cycle),
            )
        assert not problems, problems

    def test_scalar_score_with_a_baseline_hand_computed(self) -> None:
        """Baseline 10, target 50, actual 30: progress (30 - 10) / (50 - 10) scores 50."""
        categories = [Category(key="c", label=_label("c"), weight=1.0)]
        kpis = [
            _kpi(
                "p",
                "c",
                1.0,
                scorer="progress",
                params={"baseline": 10.0},
                threshold=20.0,
                target=50.0,
            )
        ]
        scheme = _scheme(categories, kpis, _FOUNDING_SCALE)
        review = _review("p", {"p": 30.0})
        card = ENGINE.score(scheme, review)
        assert card.line("p").score == 50.0
        assert card.line("p").achievement == 0.5
        assert _bit_differences(card, _batch(scheme, [review, review], None).row(0)) == []
