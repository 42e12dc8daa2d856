"""A scheme resolved once for scoring: its scorers and per-KPI constants as arrays.

The engine builds a :class:`ScoringPlan` per scheme (cached by content hash) and hands it to
every step of :mod:`perfmgmt.scoring.kernel`; nothing in a plan depends on the reviews.
"""

from __future__ import annotations

from typing import Any, cast

import attrs
import numpy as np

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt.model.indicator import Direction
from perfmgmt.model.kpi import GateEffect, MissingPolicy, ParamValue
from perfmgmt.model.missing import GateWithoutData, SmallSample
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring.flags import KpiFlag
from perfmgmt.scoring.registry import ScorerRegistry
from perfmgmt.scoring.scorers import BUILTIN_SCORERS, CheckedScorer, Scorer

__all__ = ["ResolvedGate", "ScoringPlan", "make_plan"]

_POLICY_FLAG = {
    MissingPolicy.REALLOCATE: KpiFlag.REALLOCATED,
    MissingPolicy.ZERO: KpiFlag.SCORED_ZERO,
    MissingPolicy.EXCLUDE: KpiFlag.EXCLUDED,
}


@attrs.frozen(kw_only=True)
class ResolvedGate:
    """A KPI's gate, resolved for scoring.

    Attributes:
        kpi: Index of the gated KPI in scheme order.
        higher_is_better: Whether the gate fires below (True) or above (False) its threshold.
        threshold: The gate threshold.
        cap: The cap on the quantitative total when it fires: the gate's cap, or 0 for a
            ``ZERO`` gate.
    """

    kpi: int
    higher_is_better: bool
    threshold: float
    cap: float


@attrs.frozen(kw_only=True, eq=False)
class ScoringPlan:
    """A scheme resolved once for scoring: scorers and per-KPI constants as arrays.

    Attributes:
        scheme: The scheme.
        scorers: One resolved scorer per KPI, in scheme order.
        kpi_keys: K KPI keys, in scheme order.
        category_keys: C category keys, in scheme order.
        criterion_keys: Q criterion keys, in scheme order.
        source_keys: S assessment source keys, in scheme order.
        rating_labels: Labels of the rating scale, lowest first.
        kpi_categories: K category keys, one per KPI.
        scorer_names: K scorer names, one per KPI.
        directions: K indicator directions, one per KPI.
        nominal_weight: float64 (K,) category weight x weight in category.
        category_weight: float64 (C,) category weights.
        category_cols: Per category, the indices of its KPIs in scheme order.
        min_sample: int64 (K,) minimum sample sizes (0: none).
        policy: One missing-data policy per KPI.
        policy_flag: uint8 (K,) the :class:`KpiFlag` of each KPI's missing-data policy.
        gates: The gated KPIs.
        edges: float64 inner boundaries of the rating scale.
        low: Lowest score on the rating scale.
        high: Highest score on the rating scale.
        crit_low: float64 (Q,) low end of each criterion's scale.
        crit_span: float64 (Q,) target rating minus low of each criterion's scale.
        crit_weight: float64 (Q,) criterion weights.
        source_weight: float64 (S,) source weights.
        min_raters: int64 (S,) minimum raters per source.
        checked_cols: Indices of the KPIs whose scorer validates per-row bounds.
        sampled_cols: Indices of the KPIs with a minimum sample size.
        zero_cols: Indices of the KPIs whose missing-data policy is ZERO.
        exclude_cols: Indices of the KPIs whose missing-data policy is EXCLUDE.
        broadcasts: Per KPI, whether its scorer is a built-in, which takes a bound that is
            the same on every row as one number (a custom scorer always gets arrays).
        scorer_params: Per KPI, the parameters its scorer runs with: every parameter of a
            built-in scorer, defaults included (``sign`` is -1 for lower-is-better); a custom
            scorer's parameters as the scheme gives them.
        gate_threshold: float64 (K,) gate thresholds, NaN where a KPI has no gate.
        gate_cap: float64 (K,) the cap of each gate (0 for ``ZERO``), NaN without a gate.
        nominal_total: The sum of the nominal weights (1 up to rounding).
        min_measured_share: The scheme's ``missing_data.min_measured_share``.
        cap_small_samples: Whether a value below ``min_sample`` is scored on its actual and
            capped at 100 (``SmallSample.CAP_AT_TARGET``) rather than treated as missing.
        hold_gates: Whether a gate on a KPI without usable data holds the review for a
            person (``GateWithoutData.HOLD``) rather than being applied.
    """

    scheme: Scheme
    scorers: tuple[Scorer, ...]
    kpi_keys: tuple[str, ...]
    category_keys: tuple[str, ...]
    criterion_keys: tuple[str, ...]
    source_keys: tuple[str, ...]
    rating_labels: tuple[str, ...]
    kpi_categories: tuple[str, ...]
    scorer_names: tuple[str, ...]
    directions: tuple[str, ...]
    nominal_weight: FloatArray
    category_weight: FloatArray
    category_cols: tuple[tuple[int, ...], ...]
    min_sample: IntArray
    policy: tuple[MissingPolicy, ...]
    policy_flag: np.ndarray[tuple[int], np.dtype[np.uint8]]
    gates: tuple[ResolvedGate, ...]
    edges: FloatArray
    low: float
    high: float
    crit_low: FloatArray
    crit_span: FloatArray
    crit_weight: FloatArray
    source_weight: FloatArray
    min_raters: IntArray
    checked_cols: tuple[int, ...]
    sampled_cols: tuple[int, ...]
    zero_cols: tuple[int, ...]
    exclude_cols: tuple[int, ...]
    broadcasts: tuple[bool, ...]
    scorer_params: tuple[tuple[tuple[str, ParamValue], ...], ...]
    gate_threshold: FloatArray
    gate_cap: FloatArray
    nominal_total: float
    min_measured_share: float
    cap_small_samples: bool
    hold_gates: bool


def _gate(j: int, scheme: Scheme) -> ResolvedGate | None:
    kpi = scheme.kpis[j]
    if kpi.gate is None:
        return None
    # KPI refuses a gate on a target-is-best indicator, so the direction has a wrong side.
    cap = kpi.gate.cap if kpi.gate.effect is GateEffect.CAP else 0.0
    assert cap is not None  # a CAP gate has a cap (Gate validates it)
    return ResolvedGate(
        kpi=j,
        higher_is_better=kpi.indicator.direction is Direction.HIGHER_IS_BETTER,
        threshold=float(kpi.gate.threshold),
        cap=float(cap),
    )


def _resolved_params(
    scorer: Scorer, given: tuple[tuple[str, ParamValue], ...]
) -> tuple[tuple[str, ParamValue], ...]:
    """The numbers a scorer runs with: all of a built-in's, defaults included."""
    if type(scorer) not in BUILTIN_SCORERS or not attrs.has(type(scorer)):
        return given
    out: list[tuple[str, ParamValue]] = []
    for f in attrs.fields(cast("Any", type(scorer))):
        if f.name == "requires":
            continue
        value = getattr(scorer, f.name)
        if isinstance(value, bool | int | float | str):
            out.append((f.name, value))
        elif isinstance(value, tuple) and all(isinstance(v, int | float) for v in value):
            out.append((f.name, tuple(float(v) for v in value)))
    return tuple(out)


def make_plan(scheme: Scheme, registry: ScorerRegistry) -> ScoringPlan:
    """Resolve ``scheme``'s scorers in ``registry`` and its constants into a plan.

    Raises:
        ScoringError: When a KPI's scorer parameters are invalid (naming the KPI).
        RegistryError: When a KPI names an unregistered scorer.
    """
    scorers = tuple(registry.resolve(k.scoring, k) for k in scheme.kpis)
    nominal = scheme.nominal_weights()
    categories = [k.category for k in scheme.kpis]
    resolved = [_gate(j, scheme) for j in range(len(scheme.kpis))]
    return ScoringPlan(
        scheme=scheme,
        scorers=scorers,
        kpi_keys=scheme.kpi_keys,
        category_keys=scheme.category_keys,
        criterion_keys=tuple(c.key for c in scheme.criteria),
        source_keys=tuple(s.key for s in scheme.sources),
        rating_labels=scheme.rating_scale.labels,
        kpi_categories=tuple(categories),
        scorer_names=tuple(k.scoring.scorer for k in scheme.kpis),
        directions=tuple(k.indicator.direction.value for k in scheme.kpis),
        nominal_weight=np.array([nominal[k.key] for k in scheme.kpis], dtype=np.float64),
        category_weight=np.array([c.weight for c in scheme.categories], dtype=np.float64),
        category_cols=tuple(
            tuple(j for j, cat in enumerate(categories) if cat == c.key) for c in scheme.categories
        ),
        min_sample=np.array([k.min_sample for k in scheme.kpis], dtype=np.int64),
        policy=tuple(k.missing for k in scheme.kpis),
        policy_flag=np.array([_POLICY_FLAG[k.missing] for k in scheme.kpis], dtype=np.uint8),
        gates=tuple(g for g in resolved if g is not None),
        edges=np.array(scheme.rating_scale.edges, dtype=np.float64),
        low=scheme.rating_scale.low,
        high=scheme.rating_scale.high,
        crit_low=np.array([c.scale.low for c in scheme.criteria], dtype=np.float64),
        crit_span=np.array(
            [c.scale.target_rating - c.scale.low for c in scheme.criteria], dtype=np.float64
        ),
        crit_weight=np.array([c.weight for c in scheme.criteria], dtype=np.float64),
        source_weight=np.array([s.weight for s in scheme.sources], dtype=np.float64),
        min_raters=np.array([s.min_raters for s in scheme.sources], dtype=np.int64),
        checked_cols=tuple(j for j, sc in enumerate(scorers) if isinstance(sc, CheckedScorer)),
        sampled_cols=tuple(j for j, k in enumerate(scheme.kpis) if k.min_sample > 0),
        zero_cols=tuple(j for j, k in enumerate(scheme.kpis) if k.missing is MissingPolicy.ZERO),
        exclude_cols=tuple(
            j for j, k in enumerate(scheme.kpis) if k.missing is MissingPolicy.EXCLUDE
        ),
        broadcasts=tuple(type(sc) in BUILTIN_SCORERS for sc in scorers),
        scorer_params=tuple(
            _resolved_params(sc, k.scoring.params)
            for sc, k in zip(scorers, scheme.kpis, strict=True)
        ),
        gate_threshold=np.array(
            [np.nan if g is None else g.threshold for g in resolved], dtype=np.float64
        ),
        gate_cap=np.array([np.nan if g is None else g.cap for g in resolved], dtype=np.float64),
        nominal_total=float(sum(nominal[k.key] for k in scheme.kpis)),
        min_measured_share=scheme.missing_data.min_measured_share,
        cap_small_samples=scheme.missing_data.small_sample is SmallSample.CAP_AT_TARGET,
        hold_gates=scheme.missing_data.gate_without_data is GateWithoutData.HOLD,
    )
