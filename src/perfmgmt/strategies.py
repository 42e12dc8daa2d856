"""Hypothesis strategies for perfmgmt's domain objects, for property-based tests.

Install the extra (``pip install "perfmgmt[hypothesis]"``) and use them in your own tests::

    from hypothesis import given
    from perfmgmt import strategies as pst

    @given(pst.schemes())
    def test_my_hris_stores_any_scheme(scheme): ...

Every strategy is keyword-only, takes strategies (not values) for the parts you may want to
fix, and generates objects that are valid by construction: schemes satisfy every weight-sum
rule (weights are drawn and then rescaled with :func:`perfmgmt.model.normalise_weights`),
rating bands are contiguous, targets are ordered for the indicator's direction. Examples shrink
towards small, readable objects (one KPI, short ASCII keys, round numbers). Impossible
combinations of size arguments raise :class:`hypothesis.errors.InvalidArgument`.

The module is never imported by ``perfmgmt`` itself. Its ``hypothesis`` entry point
(:func:`_hypothesis_setup_hook`) registers a strategy for every public domain type, so
``st.from_type(Review)`` works in any test once perfmgmt is installed.
"""

from __future__ import annotations

import datetime as dt
import keyword
import math
import string
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    from perfmgmt.errors import MissingExtraError

    raise MissingExtraError(
        "perfmgmt.strategies needs Hypothesis; install the extra: pip install "
        '"perfmgmt[hypothesis]"'
    ) from exc

from perfmgmt.model import (
    KPI,
    ActionKind,
    ActionStatus,
    Actual,
    AdjustmentKind,
    Assessment,
    AssessmentSource,
    Band,
    Bonus,
    BonusBasis,
    Category,
    CheckIn,
    CollectAggregation,
    Cycle,
    CyclePlan,
    DecisionTable,
    Deduction,
    DeductionBasis,
    DevelopmentAction,
    DevelopmentPlan,
    DevelopmentPolicy,
    Direction,
    Eligibility,
    Event,
    Frequency,
    Gate,
    GateEffect,
    Goal,
    HitPolicy,
    Honour,
    IncentiveRule,
    Indicator,
    IndicatorKind,
    Interview,
    Label,
    MissingPolicy,
    Money,
    Objective,
    ObjectiveLevel,
    Phase,
    PhaseWindow,
    PositionAdjustment,
    Promotion,
    QualitativeCriterion,
    RatingScale,
    Review,
    ReviewResult,
    ReviewStatus,
    Scale,
    Scheme,
    ScoringSpec,
    SkillLink,
    SkillMap,
    SourcePolicy,
    Subject,
    TableInput,
    TableRow,
    TrainingOpportunity,
    TriggerWhen,
    WellbeingTrigger,
    normalise_weights,
)
from perfmgmt.model.condition import (
    CONDITION_TYPES,
    KEYWORDS,
    And,
    Arith,
    ArithOp,
    Call,
    Compare,
    CompareOp,
    Condition,
    Const,
    Field,
    Func,
    In,
    Index,
    ListConst,
    Neg,
    Not,
    Or,
    Slice,
)
from perfmgmt.model.incentive import BonusPool, Outcome

if TYPE_CHECKING:
    from perfmgmt.scoring.population import Population

__all__ = [
    "actuals_for",
    "bands",
    "bonus_pools",
    "categories",
    "conditions",
    "criteria",
    "cycle_plans",
    "cycles",
    "decimals",
    "decision_tables",
    "development_actions",
    "development_plans",
    "development_policies",
    "eligibilities",
    "events",
    "gates",
    "goals_for",
    "incentive_rules",
    "indicators",
    "interviews",
    "keys",
    "kpis",
    "labels",
    "objectives",
    "outcomes",
    "populations",
    "rating_scales",
    "review_results",
    "reviews",
    "scales",
    "schemes",
    "scoring_specs",
    "subjects",
]

T = TypeVar("T")

_KEY_HEAD = string.ascii_lowercase
_KEY_TAIL = string.ascii_lowercase + string.digits + "_"
# Readable text that is valid everywhere perfmgmt stores free text: ASCII letters, digits,
# space, a few CJK characters (the founding document is Chinese) and common punctuation.
_TEXT_ALPHABET = string.ascii_letters + string.digits + " .-'" + "绩效客户满意度团队培训"
_SCORERS = ("linear", "banded", "ratio", "step", "target_band")


def _check_sizes(name: str, low: int, high: int | None, *, minimum: int = 0) -> None:
    if not isinstance(low, int) or isinstance(low, bool) or low < minimum:
        raise InvalidArgument(f"{name}: min_size={low!r} must be a whole number >= {minimum}")
    if high is not None and (not isinstance(high, int) or isinstance(high, bool) or high < low):
        raise InvalidArgument(f"{name}: max_size={high!r} must be a whole number >= min_size")


def _strategy(name: str, value: object) -> None:
    if not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(
            f"{name} must be a Hypothesis strategy, got {type(value).__name__}; wrap a fixed value "
            "in st.just(...)"
        )


def _or_default(
    name: str, value: st.SearchStrategy[T] | None, default: st.SearchStrategy[T]
) -> st.SearchStrategy[T]:
    if value is None:
        return default
    _strategy(name, value)
    return value


def _make(cls: Callable[..., T], **kwargs: Any) -> T:
    # Classes whose tuple fields use ``converter=tuple`` get an unsolvable ``Iterable[_T_co]``
    # parameter type from mypy's attrs plugin; building them through here keeps mypy quiet
    # while attrs still validates every argument at run time.
    return cls(**kwargs)


# --- small values ----------------------------------------------------------------------------


def keys(*, max_size: int = 12) -> st.SearchStrategy[str]:
    """Return a strategy for identifier-like keys (``csat``, ``kpi_2``), shrinking to ``"a"``.

    Args:
        max_size: Longest key, 1 to 64 characters.
    """
    if not isinstance(max_size, int) or not 1 <= max_size <= 64:
        raise InvalidArgument(f"keys: max_size={max_size!r} must be between 1 and 64")
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(_KEY_HEAD),
        st.text(alphabet=_KEY_TAIL, max_size=max_size - 1),
    ).filter(lambda k: k not in KEYWORDS and not keyword.iskeyword(k))


def _texts(*, min_size: int = 0, max_size: int = 24) -> st.SearchStrategy[str]:
    text = st.text(alphabet=_TEXT_ALPHABET, min_size=min_size, max_size=max_size)
    return text.filter(str.strip) if min_size else text


def labels(
    *, en: st.SearchStrategy[str] | None = None, zh: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Label]:
    """Return a strategy for :class:`~perfmgmt.model.Label`.

    Args:
        en: Strategy for the English text (non-blank); readable text by default.
        zh: Strategy for the Chinese text (may be empty).
    """
    en_s = _or_default("en", en, _texts(min_size=1)).filter(str.strip)
    zh_s = _or_default("zh", zh, st.sampled_from(["", "绩效", "客户满意度", "团队士气指数"]))
    return st.builds(Label, en=en_s, zh=zh_s)


def decimals(
    *, min_value: int = 0, max_value: int = 1_000_000, places: int = 2
) -> st.SearchStrategy[Decimal]:
    """Return a strategy for finite Decimal amounts with ``places`` decimal places.

    Args:
        min_value: Smallest amount.
        max_value: Largest amount.
        places: Digits after the decimal point.
    """
    if max_value < min_value:
        raise InvalidArgument(f"decimals: max_value={max_value!r} is below min_value={min_value!r}")
    return st.decimals(
        min_value=min_value,
        max_value=max_value,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    ).map(lambda d: d + 0)  # normalises -0.00 to 0.00


def _finite(low: float = -1e6, high: float = 1e6) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def _weights(n: int) -> st.SearchStrategy[list[float]]:
    # Positive integers rescaled later: shrinks to equal weights and never sums to zero.
    return st.lists(st.integers(1, 100).map(float), min_size=n, max_size=n)


def _unique_keys(
    n_min: int, n_max: int, key_strategy: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[list[str]]:
    return st.lists(key_strategy or keys(), min_size=n_min, max_size=n_max, unique=True)


# --- indicators and KPIs ---------------------------------------------------------------------


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


def _default_keys() -> st.SearchStrategy[str]:
    return keys()


def _default_labels() -> st.SearchStrategy[Label]:
    return labels()


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


# --- schemes ---------------------------------------------------------------------------------


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
        description=draw(_texts(max_size=30)),
    )


# --- cycles ----------------------------------------------------------------------------------

_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


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


# --- conditions, outcomes, rules, tables ----------------------------------------------------


def _segments() -> st.SearchStrategy[str]:
    return keys(max_size=10).filter(lambda s: not s.startswith("__"))


def _fields() -> st.SearchStrategy[Field]:
    return st.lists(_segments(), min_size=1, max_size=3).map(lambda p: Field(path=tuple(p)))


def _const_values() -> st.SearchStrategy[float | str | bool | None]:
    text = st.text(alphabet=string.ascii_letters + string.digits + " '_-绩效", max_size=12)
    return st.one_of(_finite(-1e6, 1e6), text, st.booleans(), st.none())


def _consts() -> st.SearchStrategy[Const]:
    return st.builds(Const, value=_const_values())


def _list_consts() -> st.SearchStrategy[ListConst]:
    return st.builds(ListConst, items=st.lists(_consts(), max_size=4).map(tuple))


_ARITY = {
    Func.ANY: (1, 1),
    Func.ALL: (1, 1),
    Func.COUNT: (1, 1),
    Func.SUM: (1, 1),
    Func.MEAN: (1, 1),
    Func.ABS: (1, 1),
    Func.MIN: (1, 4),
    Func.MAX: (1, 4),
}


def _node_builders(
    child: st.SearchStrategy[Condition],
) -> dict[type, st.SearchStrategy[Condition]]:
    index = st.integers(-20, 20)
    return {
        Compare: st.builds(Compare, op=st.sampled_from(CompareOp), left=child, right=child),
        And: st.builds(And, operands=st.lists(child, min_size=2, max_size=3).map(tuple)),
        Or: st.builds(Or, operands=st.lists(child, min_size=2, max_size=3).map(tuple)),
        Not: st.builds(Not, operand=child),
        Arith: st.builds(Arith, op=st.sampled_from(ArithOp), left=child, right=child),
        Neg: st.builds(Neg, operand=child),
        In: st.builds(In, item=child, options=_list_consts(), negated=st.booleans()),
        Index: st.builds(Index, target=child, index=index),
        Slice: st.builds(Slice, target=child, start=st.none() | index, stop=st.none() | index),
        Call: st.sampled_from(Func).flatmap(
            lambda f: st.builds(
                Call,
                func=st.just(f),
                args=st.lists(child, min_size=_ARITY[f][0], max_size=_ARITY[f][1]).map(tuple),
            )
        ),
    }


def _leaves() -> st.SearchStrategy[Condition]:
    return st.one_of(_fields(), _consts(), _list_consts())


def conditions(*, max_leaves: int = 8) -> st.SearchStrategy[Condition]:
    """Return a strategy for condition trees made of every node type.

    The trees are structurally valid (every node passes its own checks, so they serialise and
    round-trip) but not type-checked against a scheme: a field may name nothing and a
    comparison may mix text and numbers. Use them to test storage and transport of rules, and
    the type checker's error paths.

    Args:
        max_leaves: Most leaves (fields and constants) in a tree (>= 1).
    """
    if not isinstance(max_leaves, int) or isinstance(max_leaves, bool) or max_leaves < 1:
        raise InvalidArgument(f"conditions: max_leaves={max_leaves!r} must be >= 1")
    return st.recursive(
        _leaves(),
        lambda child: st.one_of(*_node_builders(child).values()),
        max_leaves=max_leaves,
    )


def _node_strategy(cls: type) -> st.SearchStrategy[Any]:
    """Return a strategy for one condition node class (used by the from_type hook)."""
    if cls is Const:
        return _consts()
    if cls is ListConst:
        return _list_consts()
    if cls is Field:
        return _fields()
    return _node_builders(conditions(max_leaves=4))[cls]


def _money_outcome(
    basis_cls: type[BonusBasis] | type[DeductionBasis],
) -> st.SearchStrategy[dict[str, Any]]:
    currency = st.sampled_from(["CNY", "USD", "EUR", "JPY"])

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        basis = draw(st.sampled_from(basis_cls))
        out: dict[str, Any] = {"basis": basis, "value": draw(decimals(max_value=100_000))}
        if basis.value == "percent_of_base_pay":
            out["currency"] = draw(st.none() | currency)
        else:
            out["currency"] = draw(currency)
        if basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS:
            out["target_bonus"] = draw(decimals(max_value=100_000))
        return out

    return build()


def outcomes() -> st.SearchStrategy[Outcome]:
    """Return a strategy for any outcome type (bonus, deduction, promotion, training, ...)."""
    return st.one_of(
        _money_outcome(BonusBasis).map(lambda kw: Bonus(**kw)),
        _money_outcome(DeductionBasis).map(lambda kw: Deduction(**kw)),
        st.builds(
            Promotion, to_grade=st.none() | st.sampled_from(["M1", "M2", "M3"]), note=_texts()
        ),
        st.builds(TrainingOpportunity, topic=_texts(min_size=1), kpi=st.none() | keys()),
        st.builds(Honour, title=_texts(min_size=1)),
        st.builds(PositionAdjustment, kind=st.sampled_from(AdjustmentKind), note=_texts()),
    )


def incentive_rules(
    *,
    keys: st.SearchStrategy[str] | None = None,
    conditions: st.SearchStrategy[Condition] | None = None,
    outcomes: st.SearchStrategy[Outcome] | None = None,
    max_outcomes: int = 3,
) -> st.SearchStrategy[IncentiveRule]:
    """Return a strategy for :class:`~perfmgmt.model.IncentiveRule`.

    Args:
        keys: Strategy for the rule key.
        conditions: Strategy for the condition tree; :func:`conditions` by default.
        outcomes: Strategy for one outcome; :func:`outcomes` by default.
        max_outcomes: Most outcomes per rule (>= 1).
    """
    if not isinstance(max_outcomes, int) or isinstance(max_outcomes, bool) or max_outcomes < 1:
        raise InvalidArgument(
            f"incentive_rules: max_outcomes={max_outcomes!r} must be >= 1 (a rule awards something)"
        )
    return st.builds(
        IncentiveRule,
        key=_or_default("keys", keys, _default_keys()),
        condition=_or_default("conditions", conditions, _default_conditions()),
        outcomes=st.lists(
            _or_default("outcomes", outcomes, _default_outcomes()),
            min_size=1,
            max_size=max_outcomes,
        ).map(tuple),
        priority=st.integers(-10, 10),
        label=st.none() | labels(),
        description=_texts(max_size=20),
    )


def _default_conditions() -> st.SearchStrategy[Condition]:
    return conditions()


def _default_outcomes() -> st.SearchStrategy[Outcome]:
    return outcomes()


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


@st.composite
def _cell(draw: st.DrawFn, kind: str, options: tuple[str, ...]) -> str:
    if draw(st.integers(0, 4)) == 0:
        return "-"
    if kind == "number":
        a = draw(st.integers(-100, 200))
        b = a + draw(st.integers(1, 50))
        return draw(
            st.sampled_from(
                [
                    f">= {a}",
                    f"< {b}",
                    f"[{a}..{b})",
                    f"({a}..{b}]",
                    f"{a}",
                    f"{a}, {b}",
                    f"not({a})",
                ]
            )
        )
    if kind == "text":
        opts = draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
        body = ",".join(f'"{o}"' for o in opts)
        return draw(st.sampled_from([body, f"not({body})"]))
    return draw(st.sampled_from(["true", "false"]))


_TABLE_FIELDS = {
    "number": ["total", "quantitative", "tenure_days", "category.cost", "kpi.csat.score"],
    "text": ["rating", "grade", "department"],
    "bool": ["rated", "gated", "kpi.csat.missing"],
}
# Fields every scheme's rule schema has (scorable schemes use only these).
_SCHEME_FIELDS = {"number": ["total", "quantitative"], "text": ["rating"], "bool": ["rated"]}


def _plain_outcomes() -> st.SearchStrategy[Outcome]:
    # Outcomes the evaluator accepts with any population: no fixed-currency amounts.
    return st.one_of(
        decimals(max_value=30).map(Bonus.percent_of_base_pay),
        decimals(max_value=10).map(
            lambda v: Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=v)
        ),
        st.builds(Promotion, to_grade=st.none() | st.sampled_from(["M2", "M3"])),
        st.builds(TrainingOpportunity, topic=_texts(min_size=1)),
        st.builds(Honour, title=_texts(min_size=1)),
        st.builds(PositionAdjustment, kind=st.sampled_from(AdjustmentKind)),
    )


@st.composite
def _typed_rule(
    draw: st.DrawFn, key: str, kpi_keys: tuple[str, ...], rating_labels: tuple[str, ...]
) -> IncentiveRule:
    # Conditions built from text templates over fields every scheme has, so they type-check.
    from perfmgmt.rules.parse import parse  # noqa: PLC0415 - rules is only needed here

    n = draw(st.integers(0, 150))
    kpi = draw(st.sampled_from(kpi_keys))
    label = draw(st.sampled_from(rating_labels))
    text = draw(
        st.sampled_from(
            [
                f"total >= {n}",
                f'rating in ["{label}"]',
                f"kpi.{kpi}.score < {n}",
                f"quantitative > {n} and rated",
                f'not (rating == "{label}") or gated',
                f"count(kpi.score < {n}) >= 1",
            ]
        )
    )
    return _make(
        IncentiveRule,
        key=key,
        condition=parse(text),
        outcomes=tuple(draw(st.lists(_plain_outcomes(), min_size=1, max_size=2))),
        priority=draw(st.integers(-5, 5)),
    )


@st.composite
def _decision_table(
    draw: st.DrawFn,
    key_s: st.SearchStrategy[str],
    min_rows: int,
    max_rows: int,
    max_inputs: int,
    *,
    rating_labels: tuple[str, ...] | None = None,
) -> DecisionTable:
    # With rating labels the table reads only fields every scheme has, and awards no
    # fixed-currency money, so the evaluator accepts it for any scheme.
    fields = _TABLE_FIELDS if rating_labels is None else _SCHEME_FIELDS
    options = tuple("ABCDE") if rating_labels is None else rating_labels
    outputs = outcomes() if rating_labels is None else _plain_outcomes()
    pool = [(kind, name) for kind, names in fields.items() for name in names]
    columns = draw(
        st.lists(st.sampled_from(pool), min_size=1, max_size=max_inputs, unique_by=lambda c: c[1])
    )
    n_rows = draw(st.integers(min_rows, max_rows))
    rows = tuple(
        _make(
            TableRow,
            inputs=tuple(draw(_cell(kind, options)) for kind, _ in columns),
            outputs=tuple(draw(st.lists(outputs, max_size=2))),
            priority=draw(st.integers(0, 5)),
            annotation=draw(_texts(max_size=12)),
        )
        for _ in range(n_rows)
    )
    policy = draw(st.sampled_from(HitPolicy))
    aggregation = (
        draw(st.none() | st.sampled_from(CollectAggregation))
        if policy is HitPolicy.COLLECT
        else None
    )
    return _make(
        DecisionTable,
        key=draw(key_s),
        inputs=tuple(
            TableInput(field=name, label=draw(st.none() | labels())) for _, name in columns
        ),
        rows=rows,
        hit_policy=policy,
        aggregation=aggregation,
        label=draw(st.none() | labels()),
        description=draw(_texts(max_size=20)),
    )


def decision_tables(
    *,
    keys: st.SearchStrategy[str] | None = None,
    min_rows: int = 1,
    max_rows: int = 4,
    max_inputs: int = 3,
) -> st.SearchStrategy[DecisionTable]:
    """Return a strategy for :class:`~perfmgmt.model.DecisionTable` with well-formed cells.

    Each input column tests one kind of value (numbers, text or booleans) and every cell
    parses as a unary test (``">= 90"``, ``"[80..90)"``, ``'"A","B"'``, ``"-"``...).

    Args:
        keys: Strategy for the table key.
        min_rows: Fewest rows (>= 1).
        max_rows: Most rows.
        max_inputs: Most input columns (1 to 11).
    """
    _check_sizes("decision_tables", min_rows, max_rows, minimum=1)
    n_fields = sum(len(v) for v in _TABLE_FIELDS.values())
    if not isinstance(max_inputs, int) or not 1 <= max_inputs <= n_fields:
        raise InvalidArgument(
            f"decision_tables: max_inputs={max_inputs!r} must be between 1 and {n_fields}"
        )
    return _decision_table(
        _or_default("keys", keys, _default_keys()), min_rows, max_rows, max_inputs
    )


def bonus_pools() -> st.SearchStrategy[BonusPool]:
    """Return a strategy for :class:`~perfmgmt.model.incentive.BonusPool`."""
    return st.builds(
        BonusPool,
        currency=st.sampled_from(["CNY", "USD", "JPY"]),
        amount=st.none() | decimals(),
        per_person_cap=st.none() | decimals(),
        prorate=st.booleans(),
    )


# --- people, reviews, development -----------------------------------------------------------


@st.composite
def _subject(draw: st.DrawFn, id_s: st.SearchStrategy[str]) -> Subject:
    hire = draw(st.none() | _DATES)
    leave = None
    if hire is not None and draw(st.booleans()):
        leave = hire + dt.timedelta(days=draw(st.integers(0, 3000)))
    pay = draw(st.none() | decimals(max_value=10_000_000))
    currency = draw(st.sampled_from(["CNY", "USD", "EUR"])) if pay is not None else None
    return Subject(
        id=draw(id_s),
        name=draw(st.none() | _texts(min_size=1, max_size=16)),
        hire_date=hire,
        leave_date=leave,
        grade=draw(st.none() | st.sampled_from(["M1", "M2", "M3", "S1"])),
        department=draw(st.none() | st.sampled_from(["service", "support", "sales"])),
        base_pay=pay,
        currency=currency,
        manager_id=draw(st.none() | keys()),
    )


def subjects(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Subject]:
    """Return a strategy for :class:`~perfmgmt.model.Subject` (dates ordered, pay with currency).

    Args:
        ids: Strategy for the subject id.
    """
    return _subject(_or_default("ids", ids, _default_keys()))


@st.composite
def _actual_value(draw: st.DrawFn, kpi: KPI) -> float:
    anchor = next((v for v in (kpi.target, kpi.threshold, kpi.stretch) if v is not None), 100.0)
    spread = max(abs(anchor), 10.0)
    return draw(_finite(anchor - spread, anchor + spread))


@st.composite
def _actuals_for(draw: st.DrawFn, scheme: Scheme, allow_missing: bool) -> tuple[Actual, ...]:
    out = []
    for kpi in scheme.kpis:
        if allow_missing and draw(st.integers(0, 9)) == 0:
            continue  # no entry at all
        value: float | None = draw(_actual_value(kpi))
        if allow_missing and draw(st.integers(0, 9)) == 0:
            value = None
        size = (
            draw(st.none() | st.integers(0, 500))
            if allow_missing
            else draw(st.integers(kpi.min_sample, kpi.min_sample + 500))
        )
        out.append(Actual(kpi=kpi.key, value=value, sample_size=size))
    return tuple(out)


def actuals_for(
    scheme: Scheme, *, allow_missing: bool = True
) -> st.SearchStrategy[tuple[Actual, ...]]:
    """Return a strategy for the actuals of one review under ``scheme``.

    Values lie near each KPI's target (or threshold, or 100). With ``allow_missing`` some KPIs
    have no entry, a None value or a small sample, so missing-data policies get exercised.

    Args:
        scheme: The scheme whose KPIs are measured.
        allow_missing: Whether to leave some KPIs without (enough) data.
    """
    if not isinstance(scheme, Scheme):
        raise InvalidArgument(f"actuals_for: scheme must be a Scheme, got {type(scheme).__name__}")
    return _actuals_for(scheme, allow_missing)


@st.composite
def _goals_for(draw: st.DrawFn, scheme: Scheme) -> tuple[Goal, ...]:
    chosen = draw(st.lists(st.sampled_from(scheme.kpis), unique_by=lambda k: k.key, max_size=3))
    out = []
    for kpi in chosen:
        direction = kpi.indicator.direction
        ordered = draw(_ordered(direction))
        # Give every value the direction uses, so the goal never mixes with scheme defaults
        # into an out-of-order triple.
        if direction is Direction.TARGET_IS_BEST:
            ordered["target"] = ordered["target"] if ordered["target"] is not None else 0.0
        else:
            full = draw(_ordered(direction).filter(lambda d: None not in d.values()))
            ordered = full
        out.append(
            Goal(
                kpi=kpi.key,
                parent=draw(st.none() | keys()),
                note=draw(_texts(max_size=12)),
                **ordered,
            )
        )
    return tuple(out)


def goals_for(scheme: Scheme) -> st.SearchStrategy[tuple[Goal, ...]]:
    """Return a strategy for agreed goals of one review under ``scheme``.

    Each goal gives every value its KPI's direction uses (threshold, target and stretch in
    order, or only the target for a target-is-best KPI).

    Args:
        scheme: The scheme whose KPIs the goals refer to.
    """
    if not isinstance(scheme, Scheme):
        raise InvalidArgument(f"goals_for: scheme must be a Scheme, got {type(scheme).__name__}")
    return _goals_for(scheme)


@st.composite
def _assessments(draw: st.DrawFn, scheme: Scheme | None) -> tuple[Assessment, ...]:
    if scheme is None:
        crit = [(k, Scale()) for k in draw(_unique_keys(0, 2))]
        sources = list(AssessmentSource)
    else:
        crit = [(c.key, c.scale) for c in scheme.criteria]
        sources = [s.source for s in scheme.sources]
    # Rater ids are unique per criterion: one rater rates a criterion once.
    return tuple(
        Assessment(
            criterion=ckey,
            source=draw(st.sampled_from(sources)),
            rater_id=rater,
            rating=draw(_finite(scale.low, scale.high)),
            comment=draw(_texts(max_size=12)),
        )
        for ckey, scale in crit
        for rater in draw(_unique_keys(0, 3))
    )


_AWARE = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]),
)


def events() -> st.SearchStrategy[Event]:
    """Return a strategy for one audit :class:`~perfmgmt.model.Event`."""
    return st.builds(
        Event,
        at=_AWARE
        | st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
        actor=keys(),
        action=st.sampled_from(["agree_goals", "check_in", "evaluate", "reopen"]),
        from_status=st.sampled_from(ReviewStatus),
        to_status=st.sampled_from(ReviewStatus),
        summary=_texts(max_size=20),
        details=st.lists(st.tuples(keys(), _texts(max_size=10)), max_size=2).map(tuple),
    )


def interviews() -> st.SearchStrategy[Interview]:
    """Return a strategy for a feedback :class:`~perfmgmt.model.Interview`."""
    items = st.lists(_texts(min_size=1, max_size=20), max_size=3).map(tuple)
    return st.builds(
        Interview,
        on=_DATES,
        interviewer=keys(),
        strengths=items,
        gaps=items,
        agreed_actions=items,
        employee_comment=_texts(max_size=20),
    )


def development_actions(
    *, keys: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[DevelopmentAction]:
    """Return a strategy for one :class:`~perfmgmt.model.DevelopmentAction`.

    Args:
        keys: Strategy for the action key.
    """
    return st.builds(
        DevelopmentAction,
        key=_or_default("keys", keys, _default_keys()),
        kind=st.sampled_from(ActionKind),
        description=_texts(min_size=1),
        owner=_default_keys(),
        kpi=st.none() | _default_keys(),
        skill=st.none() | _texts(max_size=12),
        due=st.none() | _DATES,
        status=st.sampled_from(ActionStatus),
    )


def development_plans(
    *,
    subject_ids: st.SearchStrategy[str] | None = None,
    min_size: int = 0,
    max_size: int = 4,
) -> st.SearchStrategy[DevelopmentPlan]:
    """Return a strategy for :class:`~perfmgmt.model.DevelopmentPlan` with unique action keys.

    Args:
        subject_ids: Strategy for the subject id.
        min_size: Fewest actions.
        max_size: Most actions.
    """
    _check_sizes("development_plans", min_size, max_size)
    return _development_plan(
        _or_default("subject_ids", subject_ids, _default_keys()), min_size, max_size
    )


@st.composite
def _development_plan(
    draw: st.DrawFn, id_s: st.SearchStrategy[str], min_size: int, max_size: int
) -> DevelopmentPlan:
    action_keys = draw(_unique_keys(min_size, max_size))
    sid = draw(id_s)
    return _make(
        DevelopmentPlan,
        subject_id=sid,
        review=draw(st.none() | keys().map(lambda c: f"{sid}@{c}")),
        actions=tuple(draw(development_actions(keys=st.just(k))) for k in action_keys),
    )


def development_policies() -> st.SearchStrategy[DevelopmentPolicy]:
    """Return a strategy for :class:`~perfmgmt.model.DevelopmentPolicy` (skill map, triggers)."""
    link = st.builds(
        SkillLink,
        kpi=keys(),
        skill=_texts(min_size=1, max_size=12),
        training=_texts(min_size=1, max_size=20),
        below_score=_finite(0, 150),
    )
    skill_map = st.lists(link, max_size=3, unique_by=lambda lk: (lk.kpi, lk.skill)).map(
        lambda links: SkillMap(links=tuple(links))
    )
    trigger = st.builds(
        WellbeingTrigger,
        kpi=keys(),
        when=st.sampled_from(TriggerWhen),
        limit=_finite(),
        reason=_texts(max_size=20),
    )
    return st.builds(
        _make,
        st.just(DevelopmentPolicy),
        skill_map=skill_map,
        high_ratings=st.lists(st.sampled_from("ABCDE"), max_size=2, unique=True).map(tuple),
        career_after=st.integers(1, 5),
        wellbeing=st.lists(trigger, max_size=2).map(tuple),
        due_days=st.integers(1, 365),
    )


@st.composite
def _eligibility(draw: st.DrawFn) -> Eligibility:
    cycle_days = draw(st.integers(1, 400))
    days = draw(st.integers(0, cycle_days))
    return Eligibility(
        days=days, cycle_days=cycle_days, fraction=days / cycle_days, too_new=draw(st.booleans())
    )


def eligibilities() -> st.SearchStrategy[Eligibility]:
    """Return a strategy for :class:`~perfmgmt.model.Eligibility` (fraction = days / cycle days)."""
    return _eligibility()


@st.composite
def _objective(draw: st.DrawFn) -> Objective:
    level = draw(st.sampled_from(ObjectiveLevel))
    return Objective(
        key=draw(keys()),
        level=level,
        title=draw(_texts(min_size=1)),
        parent=None if level is ObjectiveLevel.COMPANY else draw(keys()),
        owner=draw(st.none() | keys()),
    )


def objectives() -> st.SearchStrategy[Objective]:
    """Return a strategy for :class:`~perfmgmt.model.Objective` (company ones have no parent)."""
    return _objective()


@st.composite
def _review_result(draw: st.DrawFn, rating_labels: tuple[str, ...]) -> ReviewResult:
    rated = draw(st.booleans())
    rating = draw(st.sampled_from(rating_labels)) if rated else None
    return ReviewResult(
        total=draw(_finite(0, 200)) if rated else None,
        quantitative=draw(st.none() | _finite(0, 200)),
        qualitative=draw(st.none() | _finite(0, 200)),
        rating=rating,
        rated=rated,
        scheme_hash=draw(st.sampled_from(["", "sha256:" + "0" * 64])),
        forced=draw(st.booleans()),
        calibrated_rating=draw(st.none() | st.sampled_from(rating_labels)) if rated else None,
        calibration_note=draw(_texts(max_size=20)),
    )


def review_results() -> st.SearchStrategy[ReviewResult]:
    """Return a strategy for :class:`~perfmgmt.model.ReviewResult` (a rating only when rated)."""
    return _review_result(tuple("ABCDE"))


@st.composite
def _check_ins(draw: st.DrawFn, kpi_keys: Sequence[str]) -> tuple[CheckIn, ...]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        chosen = draw(st.lists(st.sampled_from(list(kpi_keys)), unique=True)) if kpi_keys else []
        out.append(
            _make(
                CheckIn,
                on=draw(_DATES),
                author=draw(keys()),
                progress=tuple(Actual(kpi=k, value=draw(st.none() | _finite())) for k in chosen),
                note=draw(_texts(max_size=20)),
            )
        )
    return tuple(out)


@st.composite
def _review(
    draw: st.DrawFn,
    scheme_s: st.SearchStrategy[Scheme] | None,
    subject_s: st.SearchStrategy[Subject],
    status_s: st.SearchStrategy[ReviewStatus],
) -> Review:
    scheme = draw(scheme_s) if scheme_s is not None else None
    subject = draw(subject_s)
    cycle_key = draw(keys())
    if scheme is not None:
        goals = draw(goals_for(scheme))
        actuals = draw(actuals_for(scheme))
        kpi_keys: list[str] = list(scheme.kpi_keys)
        scheme_key, scheme_hash = scheme.key, scheme.content_hash
    else:
        kpi_keys = draw(_unique_keys(0, 3))
        goals = tuple(Goal(kpi=k, target=draw(st.none() | _finite())) for k in kpi_keys)
        actuals = tuple(
            Actual(
                kpi=k,
                value=draw(st.none() | _finite()),
                sample_size=draw(st.none() | st.integers(0, 500)),
            )
            for k in kpi_keys
        )
        scheme_key, scheme_hash = draw(keys()), ""
    return _make(
        Review,
        subject=subject,
        cycle=cycle_key,
        scheme=scheme_key,
        scheme_hash=scheme_hash,
        goals=goals,
        actuals=actuals,
        check_ins=draw(_check_ins(kpi_keys)),
        assessments=draw(_assessments(scheme)),
        status=draw(status_s),
        history=tuple(draw(st.lists(events(), max_size=2))),
        interview=draw(st.none() | interviews()),
        development_plan=draw(
            st.none() | development_plans(subject_ids=st.just(subject.id), max_size=2)
        ),
        result=draw(
            st.none()
            | _review_result(scheme.rating_scale.labels if scheme else tuple("ABCDE")).map(
                lambda r: attrs.evolve(r, scheme_hash=scheme_hash)
            )
        ),
    )


def reviews(
    *,
    scheme: Scheme | st.SearchStrategy[Scheme] | None = None,
    subjects: st.SearchStrategy[Subject] | None = None,
    statuses: st.SearchStrategy[ReviewStatus] | None = None,
) -> st.SearchStrategy[Review]:
    """Return a strategy for :class:`~perfmgmt.model.Review`.

    With a ``scheme`` the review is scored under it: its key and content hash, goals and
    actuals for its KPIs (:func:`goals_for`, :func:`actuals_for`) and assessments of its
    criteria by its sources, each rating on the criterion's scale. Without one, the review's
    KPI keys are arbitrary (fine for storage and transport tests).

    Args:
        scheme: A scheme, or a strategy for schemes (e.g. ``schemes()``), or None.
        subjects: Strategy for the subject.
        statuses: Strategy for the status.
    """
    scheme_s: st.SearchStrategy[Scheme] | None
    if scheme is None or isinstance(scheme, st.SearchStrategy):
        scheme_s = scheme
    elif isinstance(scheme, Scheme):
        scheme_s = st.just(scheme)
    else:
        raise InvalidArgument(
            "reviews: scheme must be a Scheme or a strategy for schemes, got "
            f"{type(scheme).__name__}"
        )
    return _review(
        scheme_s,
        _or_default("subjects", subjects, _default_subjects()),
        _or_default("statuses", statuses, st.sampled_from(ReviewStatus)),
    )


def _default_subjects() -> st.SearchStrategy[Subject]:
    return subjects()


@st.composite
def _population(
    draw: st.DrawFn, scheme_s: st.SearchStrategy[Scheme], min_size: int, max_size: int
) -> tuple[Scheme, Population]:
    from perfmgmt.scoring.population import Population  # noqa: PLC0415 - optional engine

    scheme = draw(scheme_s)
    ids = draw(_unique_keys(min_size, max_size))
    currency = draw(st.sampled_from(["CNY", "USD"]))
    items = [
        draw(
            reviews(
                scheme=scheme,
                subjects=subjects(ids=st.just(sid)).map(
                    lambda s: attrs.evolve(s, currency=currency if s.base_pay is not None else None)
                ),
            )
        )
        for sid in ids
    ]
    return scheme, Population.from_reviews(scheme, items)


def populations(
    *,
    scheme: Scheme | st.SearchStrategy[Scheme] | None = None,
    min_size: int = 1,
    max_size: int = 8,
) -> st.SearchStrategy[tuple[Scheme, Population]]:
    """Return a strategy for ``(scheme, population)`` pairs ready for ``score_batch``.

    The population is built with ``Population.from_reviews`` from :func:`reviews` under the
    scheme, with unique subject ids and one currency, so the scoring engine accepts it.

    Args:
        scheme: A scheme, or a strategy for schemes; ``schemes(scorable=True)`` by default.
        min_size: Fewest reviews (>= 1).
        max_size: Most reviews.
    """
    _check_sizes("populations", min_size, max_size, minimum=1)
    if scheme is None:
        scheme_s: st.SearchStrategy[Scheme] = schemes(scorable=True)
    elif isinstance(scheme, Scheme):
        scheme_s = st.just(scheme)
    elif isinstance(scheme, st.SearchStrategy):
        scheme_s = scheme
    else:
        raise InvalidArgument(
            "populations: scheme must be a Scheme or a strategy for schemes, got "
            f"{type(scheme).__name__}"
        )
    return _population(scheme_s, min_size, max_size)


# --- registration ----------------------------------------------------------------------------


def _type_strategies() -> dict[type, Callable[[], st.SearchStrategy[Any]]]:
    """Map every public domain type to a factory of its strategy."""
    table: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
        Label: labels,
        Indicator: indicators,
        ScoringSpec: scoring_specs,
        Gate: gates,
        KPI: kpis,
        Band: lambda: bands().flatmap(st.sampled_from),
        RatingScale: rating_scales,
        Scale: scales,
        Category: lambda: categories().flatmap(st.sampled_from),
        QualitativeCriterion: lambda: criteria().flatmap(st.sampled_from),
        SourcePolicy: lambda: _sources().flatmap(st.sampled_from),
        Scheme: schemes,
        CyclePlan: cycle_plans,
        Cycle: cycles,
        PhaseWindow: lambda: (
            cycles().filter(lambda c: bool(c.phases)).flatmap(lambda c: st.sampled_from(c.phases))
        ),
        Subject: subjects,
        Goal: lambda: st.sampled_from(Direction).flatmap(
            lambda d: _ordered(d).map(lambda bounds: _make(Goal, kpi="csat", **bounds))
        ),
        Actual: lambda: st.builds(
            Actual,
            kpi=keys(),
            value=st.none() | _finite(),
            sample_size=st.none() | st.integers(0, 500),
        ),
        CheckIn: lambda: _check_ins(["csat", "aht"]).filter(bool).map(lambda c: c[0]),
        Assessment: lambda: _assessments(None).filter(bool).map(lambda a: a[0]),
        Event: events,
        Review: reviews,
        Interview: interviews,
        DevelopmentAction: development_actions,
        DevelopmentPlan: development_plans,
        DevelopmentPolicy: development_policies,
        SkillLink: lambda: (
            development_policies()
            .filter(lambda p: bool(p.skill_map.links))
            .map(lambda p: p.skill_map.links[0])
        ),
        SkillMap: lambda: development_policies().map(lambda p: p.skill_map),
        WellbeingTrigger: lambda: (
            development_policies().filter(lambda p: bool(p.wellbeing)).map(lambda p: p.wellbeing[0])
        ),
        Eligibility: eligibilities,
        Objective: objectives,
        ReviewResult: review_results,
        Bonus: lambda: _money_outcome(BonusBasis).map(lambda kw: Bonus(**kw)),
        Deduction: lambda: _money_outcome(DeductionBasis).map(lambda kw: Deduction(**kw)),
        Promotion: lambda: st.builds(
            Promotion, to_grade=st.none() | st.sampled_from(["M1", "M2"]), note=_texts()
        ),
        TrainingOpportunity: lambda: st.builds(
            TrainingOpportunity, topic=_texts(min_size=1), kpi=st.none() | keys()
        ),
        Honour: lambda: st.builds(Honour, title=_texts(min_size=1)),
        PositionAdjustment: lambda: st.builds(
            PositionAdjustment, kind=st.sampled_from(AdjustmentKind), note=_texts()
        ),
        IncentiveRule: incentive_rules,
        TableInput: lambda: decision_tables().map(lambda t: t.inputs[0]),
        TableRow: lambda: decision_tables().map(lambda t: t.rows[0]),
        DecisionTable: decision_tables,
        BonusPool: bonus_pools,
        Money: lambda: st.builds(
            Money, amount=decimals(), currency=st.sampled_from(["CNY", "USD", "JPY"])
        ),
    }
    for cls in CONDITION_TYPES:
        table[cls] = lambda cls=cls: _node_strategy(cls)  # type: ignore[misc]
    return table


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every public domain type, so ``st.from_type(T)`` works.

    Called by Hypothesis through the ``hypothesis`` entry point of the installed package; safe
    to call again (registration replaces the previous one).
    """
    for cls, factory in _type_strategies().items():
        st.register_type_strategy(cls, st.deferred(factory))


# Importing this module registers the strategies (the Hypothesis entry point only imports it).
_hypothesis_setup_hook()
