"""Strategies for the scheme side of the model: indicators, KPIs, rating scales, schemes, cycles."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from perfmgmt.model import (
    KPI,
    AssessmentSource,
    Band,
    Category,
    Cycle,
    CyclePlan,
    Direction,
    Frequency,
    Gate,
    GateEffect,
    GateWithoutData,
    Indicator,
    IndicatorKind,
    Label,
    MissingData,
    MissingPolicy,
    Phase,
    PhaseWindow,
    QualitativeCriterion,
    RatingScale,
    Scale,
    Scheme,
    ScoringSpec,
    SmallSample,
    SourcePolicy,
    normalise_weights,
)
from perfmgmt.strategies._rules import (
    _decision_table,
    _typed_rule,
    decision_tables,
    incentive_rules,
)
from perfmgmt.strategies._values import (
    _DATES,
    _check_sizes,
    _default_keys,
    _default_labels,
    _finite,
    _make,
    _or_default,
    _texts,
    _unique_keys,
    _weights,
    keys,
    labels,
)

_SCORERS = ("linear", "banded", "ratio", "step", "target_band")


def indicators(
    *,
    keys: st.SearchStrategy[str] | None = None,
    labels: st.SearchStrategy[Label] | None = None,
    directions: st.SearchStrategy[Direction] | None = None,
    kinds: st.SearchStrategy[IndicatorKind] | None = None,
) -> st.SearchStrategy[Indicator]:
    """Return a strategy for :class:`~perfmgmt.model.Indicator`.

    Args:
        keys: Strategy for the key.
        labels: Strategy for the label.
        directions: Strategy for the direction (all three by default).
        kinds: Strategy for the kind (quantitative or qualitative).
    """
    return st.builds(
        Indicator,
        key=_or_default("keys", keys, _default_keys()),
        label=_or_default("labels", labels, _default_labels()),
        unit=st.sampled_from(["", "%", "points", "seconds", "count"]),
        direction=_or_default("directions", directions, st.sampled_from(Direction)),
        kind=_or_default("kinds", kinds, st.sampled_from(IndicatorKind)),
        precision=st.integers(0, 4),
        source=st.none() | st.sampled_from(["CRM ticket export", "survey"]),
        description=_texts(max_size=30),
    )


def scoring_specs(
    *, scorers: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[ScoringSpec]:
    """Return a strategy for :class:`~perfmgmt.model.ScoringSpec` with arbitrary parameters.

    Args:
        scorers: Strategy for the scorer name; a few built-in names by default.
    """
    param = st.one_of(
        _finite(),
        st.booleans(),
        _texts(max_size=10),
        st.lists(_finite(), max_size=4).map(tuple),
    )
    return st.builds(
        ScoringSpec,
        scorer=_or_default("scorers", scorers, st.sampled_from(_SCORERS)),
        params=st.dictionaries(keys(max_size=8), param, max_size=3),
    )


def gates() -> st.SearchStrategy[Gate]:
    """Return a strategy for :class:`~perfmgmt.model.Gate` (zeroing or capping)."""
    return st.builds(Gate, threshold=_finite(), effect=st.just(GateEffect.ZERO)) | st.builds(
        Gate, threshold=_finite(), effect=st.just(GateEffect.CAP), cap=_finite(0, 200)
    )


@st.composite
def _ordered(
    draw: st.DrawFn, direction: Direction, *, complete: bool = False
) -> dict[str, float | None]:
    """Draw threshold/target/stretch in the order the direction requires.

    Each may be None unless ``complete``, which sets every value the direction uses.
    """
    base = draw(_finite(-1e4, 1e4))
    gap1 = draw(_finite(0.5, 1e3))
    gap2 = draw(_finite(0.5, 1e3))
    low, mid, high = base, base + gap1, base + gap1 + gap2

    def maybe(value: float) -> float | None:
        return value if complete else draw(st.none() | st.just(value))

    if direction is Direction.TARGET_IS_BEST:
        return {"threshold": None, "target": maybe(mid), "stretch": None}
    threshold, stretch = (low, high) if direction is Direction.HIGHER_IS_BETTER else (high, low)
    return {"threshold": maybe(threshold), "target": maybe(mid), "stretch": maybe(stretch)}


@st.composite
def _kpi(
    draw: st.DrawFn,
    indicator_s: st.SearchStrategy[Indicator],
    category_s: st.SearchStrategy[str],
    weight_s: st.SearchStrategy[float],
    scorable: bool,
) -> KPI:
    indicator = draw(indicator_s)
    if not scorable:
        spec = draw(scoring_specs())
    elif indicator.direction is Direction.TARGET_IS_BEST:
        spec = ScoringSpec(
            scorer="target_band",
            params={
                "tolerance": float(draw(st.integers(0, 10))),
                "falloff": float(draw(st.integers(1, 50))),
            },
        )
    else:
        spec = ScoringSpec(scorer="linear")
    return KPI(
        indicator=indicator,
        category=draw(category_s),
        weight=draw(weight_s),
        scoring=spec,
        # A gate on a target-is-best KPI is refused (it has no wrong side).
        gate=None if indicator.direction is Direction.TARGET_IS_BEST else draw(st.none() | gates()),
        min_sample=draw(st.integers(0, 50)),
        missing=draw(st.sampled_from(MissingPolicy)),
        **draw(_ordered(indicator.direction, complete=scorable)),
    )


def kpis(
    *,
    indicators: st.SearchStrategy[Indicator] | None = None,
    categories: st.SearchStrategy[str] | None = None,
    weights: st.SearchStrategy[float] | None = None,
    scorable: bool = False,
) -> st.SearchStrategy[KPI]:
    """Return a strategy for a single :class:`~perfmgmt.model.KPI`.

    Threshold, target and stretch are ordered for the indicator's direction (target only for a
    target-is-best indicator); any of them may be None.

    Args:
        indicators: Strategy for the indicator.
        categories: Strategy for the category key.
        weights: Strategy for the weight within its category (>= 0).
        scorable: Use only scorers of the default registry with the bounds they need
            (``linear`` with threshold, target and stretch; ``target_band`` with a target,
            and no gate), so :class:`~perfmgmt.scoring.ScoringEngine` can score the KPI.
            Otherwise the scorer name and parameters are arbitrary (fine for storage tests).
    """
    return _kpi(
        _or_default("indicators", indicators, _default_indicators()),
        _or_default("categories", categories, keys()),
        _or_default("weights", weights, _finite(0, 1)),
        scorable,
    )


def _default_indicators() -> st.SearchStrategy[Indicator]:
    return indicators()


def bands(*, min_size: int = 2, max_size: int = 5) -> st.SearchStrategy[tuple[Band, ...]]:
    """Return a strategy for contiguous rating bands, lowest first.

    Args:
        min_size: Fewest bands (>= 2).
        max_size: Most bands (<= 26).
    """
    _check_sizes("bands", min_size, max_size, minimum=2)
    if max_size > 26:
        raise InvalidArgument(f"bands: max_size={max_size!r} must be at most 26 (labels A-Z)")
    return _bands(min_size, max_size)


@st.composite
def _bands(draw: st.DrawFn, min_size: int, max_size: int) -> tuple[Band, ...]:
    n = draw(st.integers(min_size, max_size))
    low = float(draw(st.integers(0, 50)))
    widths = draw(st.lists(st.integers(1, 50), min_size=n, max_size=n))
    edges = [low]
    for w in widths:
        edges.append(edges[-1] + w)
    shares: list[float | None] = [None] * n
    if draw(st.booleans()):
        raw = draw(_weights(n))
        total = math.fsum(raw)
        shares = [w / total for w in raw]
    label_pool = [chr(ord("A") + i) for i in range(n)]
    return tuple(
        Band(
            label=label_pool[n - 1 - i],  # "A" is the top band, as HR scales read
            lower=edges[i],
            upper=edges[i + 1],
            name=draw(st.none() | labels()),
            guideline_share=shares[i],
        )
        for i in range(n)
    )


def rating_scales(*, min_size: int = 2, max_size: int = 5) -> st.SearchStrategy[RatingScale]:
    """Return a strategy for :class:`~perfmgmt.model.RatingScale` with contiguous bands.

    Args:
        min_size: Fewest bands (>= 2).
        max_size: Most bands.
    """
    return st.builds(RatingScale, bands=bands(min_size=min_size, max_size=max_size))


@st.composite
def _scale(draw: st.DrawFn) -> Scale:
    low = float(draw(st.integers(0, 5)))
    high = low + draw(st.integers(1, 10))
    target = draw(st.none() | st.integers(int(low) + 1, int(high)).map(float))
    return Scale(low=low, high=high, target=target)


def scales() -> st.SearchStrategy[Scale]:
    """Return a strategy for a qualitative rating :class:`~perfmgmt.model.Scale`."""
    return _scale()


def categories(*, min_size: int = 1, max_size: int = 4) -> st.SearchStrategy[tuple[Category, ...]]:
    """Return a strategy for KPI categories with unique keys and weights summing to 1.

    Args:
        min_size: Fewest categories (>= 1).
        max_size: Most categories.
    """
    _check_sizes("categories", min_size, max_size, minimum=1)
    return _categories(min_size, max_size)


@st.composite
def _categories(draw: st.DrawFn, min_size: int, max_size: int) -> tuple[Category, ...]:
    ks = draw(_unique_keys(min_size, max_size))
    ws = draw(_weights(len(ks)))
    return normalise_weights(
        Category(key=k, label=draw(labels()), weight=w) for k, w in zip(ks, ws, strict=True)
    )


def criteria(
    *, min_size: int = 1, max_size: int = 3
) -> st.SearchStrategy[tuple[QualitativeCriterion, ...]]:
    """Return a strategy for qualitative criteria with unique keys and weights summing to 1.

    Args:
        min_size: Fewest criteria (>= 1).
        max_size: Most criteria.
    """
    _check_sizes("criteria", min_size, max_size, minimum=1)
    return _criteria(min_size, max_size)


@st.composite
def _criteria(draw: st.DrawFn, min_size: int, max_size: int) -> tuple[QualitativeCriterion, ...]:
    ks = draw(_unique_keys(min_size, max_size))
    ws = draw(_weights(len(ks)))
    return normalise_weights(
        QualitativeCriterion(
            key=k,
            label=draw(labels()),
            weight=w,
            scale=draw(scales()),
            description=draw(_texts(max_size=20)),
        )
        for k, w in zip(ks, ws, strict=True)
    )


@st.composite
def _sources(draw: st.DrawFn) -> tuple[SourcePolicy, ...]:
    chosen = draw(st.lists(st.sampled_from(AssessmentSource), min_size=1, max_size=5, unique=True))
    ws = draw(_weights(len(chosen)))
    return normalise_weights(
        SourcePolicy(source=s, weight=w, min_raters=draw(st.integers(1, 3)))
        for s, w in zip(chosen, ws, strict=True)
    )


def schemes(
    *,
    min_kpis: int = 1,
    max_kpis: int = 6,
    max_categories: int = 3,
    max_criteria: int = 3,
    max_rules: int = 2,
    max_tables: int = 1,
    directions: st.SearchStrategy[Direction] | None = None,
    rating_scales: st.SearchStrategy[RatingScale] | None = None,
    scorable: bool = False,
) -> st.SearchStrategy[Scheme]:
    """Return a strategy for valid :class:`~perfmgmt.model.Scheme` objects.

    Every category has at least one KPI; category, KPI (per category), criterion and source
    weights each sum to 1; KPI keys are unique; rule and table keys are unique together. The
    quantitative share is 1 when the scheme has no criteria. Shrinks to one KPI in one
    category, no criteria, no rules.

    Args:
        min_kpis: Fewest KPIs (>= 1).
        max_kpis: Most KPIs.
        max_categories: Most categories (>= 1; never more than KPIs).
        max_criteria: Most qualitative criteria (0 for a purely quantitative scheme).
        max_rules: Most incentive rules.
        max_tables: Most decision tables.
        directions: Strategy for the KPIs' indicator directions.
        rating_scales: Strategy for the rating scale.
        scorable: Make the scheme runnable end to end: KPIs use scorers of the default
            registry with the bounds they need (see :func:`kpis`), and rules and tables read
            only fields every scheme has (``total``, ``rating``, ``rated``, ``gated``,
            ``kpi.<key>.score``) and award no fixed-currency money, so
            :class:`~perfmgmt.rules.RuleEvaluator` accepts them. Otherwise rule conditions
            are arbitrary trees (see :func:`conditions`).
    """
    _check_sizes("schemes", min_kpis, max_kpis, minimum=1)
    for name, value in (
        ("max_categories", max_categories),
        ("max_criteria", max_criteria),
        ("max_rules", max_rules),
        ("max_tables", max_tables),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidArgument(f"schemes: {name}={value!r} must be a whole number >= 0")
    if max_categories < 1:
        raise InvalidArgument("schemes: max_categories=0 is impossible; a KPI needs a category")
    return _schemes(
        min_kpis=min_kpis,
        max_kpis=max_kpis,
        max_categories=max_categories,
        max_criteria=max_criteria,
        max_rules=max_rules,
        max_tables=max_tables,
        direction_s=_or_default("directions", directions, st.sampled_from(Direction)),
        scale_s=_or_default("rating_scales", rating_scales, _default_rating_scales()),
        scorable=scorable,
    )


def _default_rating_scales() -> st.SearchStrategy[RatingScale]:
    return rating_scales()


@st.composite
def _schemes(
    draw: st.DrawFn,
    *,
    min_kpis: int,
    max_kpis: int,
    max_categories: int,
    max_criteria: int,
    max_rules: int,
    max_tables: int,
    direction_s: st.SearchStrategy[Direction],
    scale_s: st.SearchStrategy[RatingScale],
    scorable: bool,
) -> Scheme:
    kpi_keys = draw(_unique_keys(min_kpis, max_kpis))
    cats = draw(categories(min_size=1, max_size=min(max_categories, len(kpi_keys))))
    cat_keys = [c.key for c in cats]
    # The first KPIs fill every category once, so no category is empty.
    assigned = [
        cat_keys[i] if i < len(cat_keys) else draw(st.sampled_from(cat_keys))
        for i in range(len(kpi_keys))
    ]
    ws = draw(_weights(len(kpi_keys)))
    items = [
        draw(
            kpis(
                indicators=indicators(keys=st.just(k), directions=direction_s),
                categories=st.just(c),
                weights=st.just(w),
                scorable=scorable,
            )
        )
        for k, c, w in zip(kpi_keys, assigned, ws, strict=True)
    ]
    crit: tuple[QualitativeCriterion, ...] = ()
    if max_criteria and draw(st.booleans()):
        crit = draw(criteria(min_size=1, max_size=max_criteria))
    rule_keys = draw(_unique_keys(0, max_rules + max_tables))
    n_rules = min(len(rule_keys), max_rules, draw(st.integers(0, max_rules)))
    n_tables = min(len(rule_keys) - n_rules, max_tables)
    scale = draw(scale_s)
    if scorable:
        rules = tuple(
            draw(_typed_rule(k, tuple(kpi_keys), scale.labels)) for k in rule_keys[:n_rules]
        )
        tables = tuple(
            draw(_decision_table(st.just(k), 1, 3, 2, rating_labels=scale.labels))
            for k in rule_keys[n_rules : n_rules + n_tables]
        )
    else:
        rules = tuple(draw(incentive_rules(keys=st.just(k))) for k in rule_keys[:n_rules])
        tables = tuple(
            draw(decision_tables(keys=st.just(k))) for k in rule_keys[n_rules : n_rules + n_tables]
        )
    return _make(
        Scheme,
        key=draw(keys()),
        version=draw(st.sampled_from(["1", "2026.1", "v2"])),
        label=draw(labels()),
        categories=cats,
        kpis=normalise_weights(items),
        rating_scale=scale,
        criteria=crit,
        sources=draw(_sources())
        if crit
        else (SourcePolicy(source=AssessmentSource.MANAGER, weight=1.0),),
        quantitative_share=draw(st.sampled_from([0.7, 0.5, 0.8]) | _finite(0, 1)) if crit else 1.0,
        rules=rules,
        tables=tables,
        cycle_plan=draw(st.none() | cycle_plans()),
        min_eligible_days=draw(st.integers(0, 60)),
        missing_data=draw(st.just(MissingData()) | missing_data_policies()),
        description=draw(_texts(max_size=30)),
    )


def missing_data_policies() -> st.SearchStrategy[MissingData]:
    """Return a strategy for :class:`~perfmgmt.model.MissingData`: every policy and share."""
    return st.builds(
        MissingData,
        min_measured_share=st.sampled_from([0.0, 0.5, 1.0]) | _finite(0, 1),
        small_sample=st.sampled_from(SmallSample),
        gate_without_data=st.sampled_from(GateWithoutData),
    )


def cycle_plans() -> st.SearchStrategy[CyclePlan]:
    """Return a strategy for :class:`~perfmgmt.model.CyclePlan` (a recurrence rule for CUSTOM)."""
    fixed = st.builds(
        CyclePlan,
        frequency=st.sampled_from([Frequency.QUARTERLY, Frequency.HALF_YEARLY, Frequency.ANNUAL]),
        fiscal_year_start_month=st.integers(1, 12),
        goal_setting_days=st.integers(1, 30),
        mid_term_days=st.integers(1, 14),
        evaluation_days=st.integers(1, 20),
        evaluation_grace_days=st.integers(0, 20),
        interview_days=st.integers(1, 30),
    )
    custom = st.builds(
        CyclePlan,
        frequency=st.just(Frequency.CUSTOM),
        rrule=st.sampled_from(["FREQ=MONTHLY;INTERVAL=2", "FREQ=MONTHLY;INTERVAL=4"]),
    )
    return fixed | custom


@st.composite
def _cycle(draw: st.DrawFn, key_s: st.SearchStrategy[str]) -> Cycle:
    start = draw(_DATES)
    end = start + dt.timedelta(days=draw(st.integers(0, 400)))
    phases = draw(st.lists(st.sampled_from(Phase), unique=True, max_size=4))
    order = list(Phase)
    windows = []
    for phase in sorted(phases, key=order.index):
        w_start = start + dt.timedelta(days=draw(st.integers(0, 400)))
        windows.append(
            PhaseWindow(
                phase=phase,
                start=w_start,
                end=w_start + dt.timedelta(days=draw(st.integers(0, 30))),
            )
        )
    return _make(
        Cycle,
        key=draw(key_s),
        start=start,
        end=end,
        frequency=draw(st.sampled_from(Frequency)),
        phases=tuple(windows),
        label=draw(st.none() | labels()),
    )


def cycles(*, keys: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Cycle]:
    """Return a strategy for :class:`~perfmgmt.model.Cycle` with ordered phase windows.

    Args:
        keys: Strategy for the cycle key.
    """
    return _cycle(_or_default("keys", keys, _default_keys()))
