"""The kernel's aggregation steps written the straightforward way, one numpy pass per term.

``perfmgmt.scoring.kernel`` computes these steps in as few passes over a block as it can: it
touches only the KPI rows that hold missing or zero-scored data, or-s in only the flags some
review has, and sums sources and criteria into (criterion, review) rows. Each function here is
the same documented formula with none of that: every mask and product over the whole block,
every source and criterion in its own loop. The numbers must be the same bits, which
``test_kernel.py`` checks by scoring with these steps in place of the kernel's
(:func:`straightforward_steps`).

This is a helper module for ``test_kernel.py``, not a test module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from perfmgmt.scoring import KpiFlag, ReviewFlag, kernel
from perfmgmt.scoring.plan import ScoringPlan

Array = np.ndarray[Any, Any]


def _sum_rows(a: Array, rows: Sequence[int]) -> Array:
    """Sum rows ``rows`` of ``a`` one at a time, in order: ``a[r0] + a[r1] + ...``."""
    out = a[rows[0]].copy()
    for j in rows[1:]:
        out += a[j]
    return out


def flag_unusable_data(
    plan: ScoringPlan, actual: Array, sample_size: Array, flags: Array
) -> tuple[Array, Array]:
    """Missing and insufficient values, and their flags."""
    missing = np.isnan(actual)
    insufficient = np.zeros_like(missing)
    for j in plan.sampled_cols:
        size = sample_size[j]
        insufficient[j] = (size >= 0) & (size < plan.min_sample[j]) & ~missing[j]
    unusable = missing if plan.cap_small_samples else missing | insufficient
    flags[...] = missing * np.uint8(KpiFlag.MISSING)
    flags |= insufficient * np.uint8(KpiFlag.INSUFFICIENT_DATA)
    flags |= unusable * plan.policy_flag[:, None]
    return unusable, insufficient


def apply_missing_policies(
    plan: ScoringPlan, unusable: Array, insufficient: Array, achievement: Array, score: Array
) -> tuple[Array, Array]:
    """ZERO, REALLOCATE and EXCLUDE on unusable values; small samples capped at 100."""
    zero = np.zeros(len(plan.kpi_keys), dtype=np.bool_)
    zero[list(plan.zero_cols)] = True
    zeroed = unusable & zero[:, None]
    score[...] = np.where(unusable, np.where(zero[:, None], 0.0, np.nan), score)
    achievement[...] = np.where(unusable, np.nan, achievement)
    if plan.cap_small_samples:
        score[...] = np.where(insufficient, np.minimum(score, kernel.SMALL_SAMPLE_CAP), score)
    exclude = np.zeros(len(plan.kpi_keys), dtype=np.bool_)
    exclude[list(plan.exclude_cols)] = True
    excluded = (unusable & exclude[:, None]).any(axis=0)
    return zeroed, excluded


def effective_weights(  # noqa: PLR0917 - the kernel's signature
    plan: ScoringPlan,
    unusable: Array,
    zeroed: Array,
    flags: Array,
    out: Array,
    nominal: Array | None = None,
) -> tuple[Array, Array]:
    """Weights moved onto the measured KPIs; the measured share."""
    k, b = out.shape
    measured = ~unusable
    weights = np.broadcast_to(plan.nominal_weight[:, None] if nominal is None else nominal, (k, b))
    total = plan.nominal_total if nominal is None else _sum_rows(nominal, range(k))
    measured_weight = measured * weights
    measured_sum = _sum_rows(measured_weight, range(k))
    zero_weight = zeroed * weights
    zero_sum = _sum_rows(zero_weight, range(k))
    none_measured = ~(measured_sum > 0)
    out[...] = measured_weight / measured_sum * (1.0 - zero_sum / total) + zero_weight / total
    out[:, none_measured] = 0.0
    moved = (unusable & ~zeroed).any(axis=0) & ~none_measured
    flags |= (measured & (weights > 0) & moved) * np.uint8(KpiFlag.REWEIGHTED)
    return none_measured, measured_sum / total


def quantitative_total(
    score: Array,
    weight: Array,
    *,
    unscored: Array,
    none_measured: Array,
    contribution: Array,
    out: Array,
) -> Array:
    """Contributions and the raw quantitative total."""
    contribution[...] = np.where(unscored, 0.0, score * weight)
    out[...] = _sum_rows(contribution, range(contribution.shape[0]))
    out[none_measured] = np.nan
    return out


def category_subtotals(plan: ScoringPlan, contribution: Array, weight: Array, out: Array) -> None:
    """Weighted mean score per category."""
    for c, cols in enumerate(plan.category_cols):
        out[c] = _sum_rows(contribution, cols) / _sum_rows(weight, cols)


def qualitative_part(
    plan: ScoringPlan, ratings: Array, raters: Array, criterion_score: Array
) -> Array:
    """Criterion scores and the qualitative part, source by source, criterion by criterion.

    The sums over sources and criteria start from zero.
    """
    b = ratings.shape[0]
    part_sum, weight_sum = np.zeros(b), np.zeros(b)
    for q in range(len(plan.criterion_keys)):
        low, span = plan.crit_low[q], plan.crit_span[q]
        weighted, source_sum = np.zeros(b), np.zeros(b)
        for s in range(len(plan.source_keys)):
            counted = raters[:, q, s] >= plan.min_raters[s]
            weighted += (np.where(counted, ratings[:, q, s], low) - low) * plan.source_weight[s]
            source_sum += counted * plan.source_weight[s]
        criterion_score[q] = weighted * 100.0 / span / source_sum
        scored = ~np.isnan(criterion_score[q])
        part_sum += np.where(scored, criterion_score[q], 0.0) * plan.crit_weight[q]
        weight_sum += scored * plan.crit_weight[q]
    result: Array = part_sum / weight_sum
    return result


def rate(
    plan: ScoringPlan,
    total: Array,
    *,
    eligible_days: Array,
    excluded: Array,
    none_measured: Array,
    measured_share: Array,
    gate_held: Array,
    no_qualitative: Array,
    raw: Array,
    quantitative: Array,
    rating_index: Array,
) -> tuple[Array, Array]:
    """Reasons not to rate, and the band of the rated totals."""
    too_little = measured_share.round(kernel.RESOLUTION) < plan.min_measured_share
    reasons = [
        (eligible_days < plan.scheme.min_eligible_days, ReviewFlag.NOT_ELIGIBLE),
        (excluded, ReviewFlag.EXCLUDED_KPI),
        (none_measured, ReviewFlag.NO_QUANTITATIVE),
        (too_little, ReviewFlag.TOO_LITTLE_DATA),
        (gate_held, ReviewFlag.GATE_WITHOUT_DATA),
        (no_qualitative, ReviewFlag.NO_QUALITATIVE),
    ]
    flags = np.zeros(total.shape, dtype=np.uint8)
    for reason, flag in reasons:
        flags |= reason * np.uint8(flag)
    on_scale = (total >= plan.low) & (total <= plan.high)
    flags |= ((flags == 0) & ~on_scale) * np.uint8(ReviewFlag.OUT_OF_SCALE)
    rated = flags == 0
    flags |= (quantitative < raw) * np.uint8(ReviewFlag.GATED)
    total[~rated] = np.nan
    rating_index[...] = np.where(rated, np.searchsorted(plan.edges, total, side="right"), -1)
    return rated, flags


STEPS = (
    "flag_unusable_data",
    "apply_missing_policies",
    "effective_weights",
    "quantitative_total",
    "category_subtotals",
    "qualitative_part",
    "rate",
)


@contextmanager
def straightforward_steps() -> Iterator[None]:
    """Run the engine with this module's steps in place of the kernel's, then put them back."""
    saved = {name: getattr(kernel, name) for name in STEPS}
    try:
        for name in STEPS:
            setattr(kernel, name, globals()[name])
        yield
    finally:
        for name, step in saved.items():
            setattr(kernel, name, step)
