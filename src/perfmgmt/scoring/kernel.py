"""The scoring computation, one function per documented step.

Every function here works on a block of B reviews. Per-KPI arrays are (K, B): one
contiguous row per KPI, so a KPI's column of the population is one vector. The engine
(:mod:`perfmgmt.scoring.engine`) runs these steps in order, on one review or on a million,
on one thread or several; it is the only place they are called, so the scalar
``ScoringEngine.score`` and the batch ``score_batch`` are the same code.

The steps, as the "Scoring" explanation page documents them:

1. :func:`score_kpis` — each KPI's scorer maps actuals to achievement and score.
2. :func:`flag_unusable_data` — missing actuals and samples below ``min_sample``.
3. :func:`apply_missing_policies` — EXCLUDE, ZERO or REALLOCATE per KPI; small samples capped.
4. :func:`effective_weights` — weights moved only onto measured KPIs; the measured share.
5. :func:`quantitative_total` — the contributions ``score x weight`` and their sum.
6. :func:`category_subtotals` — the weighted mean score per category.
7. :func:`apply_gates` — a gate that fires, or has no data, caps the total (it only lowers).
8. :func:`qualitative_part` — assessments on each criterion's scale, weighted by source.
9. :func:`blend` — ``share x quantitative + (1 - share) x qualitative``.
10. :func:`round_to_resolution` — the results, rounded to 9 decimal places.
11. :func:`rate` — eligibility, reasons not to rate, and the band of the rounded total.

**Exact at the edges.** Subtotals and totals are sums of products and quotients of floats,
so a total that is exactly 100 in exact arithmetic may come out as 99.99999999999999. Once
the total is computed, every aggregate (category and criterion scores, the quantitative and
qualitative parts before and after gates, the total) goes through
:func:`round_to_resolution`, which rounds it half-to-even to ``RESOLUTION`` (9 decimal
places), and the band is looked up on the rounded total. The float
error of these sums is below 1e-12 for any scheme the model accepts, far below half the
resolution, so whenever the exact total is a decimal of at most 9 places — every band edge,
100 when every KPI is on target, the cap when every KPI is at its stretch — the rounded total
*is* that decimal and gets its band. Elsewhere a reported number differs from the exact one by
at most half the resolution (5e-10).

Sums run over KPIs (criteria, sources) in scheme order, one vector at a time, so a review's
numbers never depend on the size of the batch it is scored in, on the block or on the thread.

**Few passes over a block.** Missing data is rare, so the steps visit only the KPI rows that
hold some: the missing-data flags, the zeroing and reweighting, the ``REWEIGHTED`` flags (of
the reviews whose weights moved) and the zeroed contributions are computed on those rows
alone, and a review flag that no review in the block has is never or-ed in. The rows left out
would only add ``+0.0`` to non-negative sums, multiply by exactly 1 or or-in 0, so the
results are the bits of the straightforward computation over the whole block; the tests pin
that on generated schemes and populations. Masked ufuncs (``where=``) are avoided: a masked
pass costs several plain ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np

from perfmgmt._typing import BoolArray, FlagArray, FloatArray, IntArray
from perfmgmt.errors import ScoringError
from perfmgmt.scoring.flags import KpiFlag, ReviewFlag
from perfmgmt.scoring.plan import ScoringPlan
from perfmgmt.scoring.scorers import _score_into, band_index

__all__ = [
    "RESOLUTION",
    "SMALL_SAMPLE_CAP",
    "apply_gates",
    "apply_missing_policies",
    "blend",
    "category_subtotals",
    "effective_weights",
    "flag_unusable_data",
    "qualitative_part",
    "quantitative_total",
    "rate",
    "round_to_resolution",
    "score_kpis",
]

RESOLUTION = 9
"""Decimal places to which every subtotal and total is rounded (half-to-even)."""


def round_to_resolution(*aggregates: FloatArray) -> None:
    """Step 10: round the aggregates in place to :data:`RESOLUTION` decimal places, half to even.

    Applied once, to the results (subtotals, the two parts, the total), after the total was
    computed from the unrounded parts, so a reported number is within half the resolution of
    the exact one. NaN (no value) stays NaN. See the module docstring for why this makes the
    totals that decide pay exact.
    """
    for values in aggregates:
        values.round(RESOLUTION, out=values)


def _sum_rows(
    a: FloatArray | Sequence[FloatArray], rows: Sequence[int], out: FloatArray
) -> FloatArray:
    """Sum rows ``rows`` (at least one) of the (K, B) array ``a`` into ``out``, in that order."""
    np.copyto(out, a[rows[0]])
    for j in rows[1:]:
        out += a[j]
    return out


def score_kpis(
    plan: ScoringPlan,
    actual: FloatArray,
    bounds: tuple[FloatArray, FloatArray, FloatArray],
    *,
    achievement: FloatArray,
    score: FloatArray,
    subject_ids: Sequence[str],
) -> None:
    """Step 1: score each KPI's actuals with its scorer, into ``achievement`` and ``score``.

    Args:
        plan: The resolved scheme.
        actual: (K, B) actuals, NaN where missing.
        bounds: (K, B) threshold, target and stretch of each row. A built-in scorer gets a
            bound that is the same on every row (a stride-0 row, as populations built with
            the scheme's defaults hold) as one number: the same formulas, broadcast.
        achievement: (K, B) output.
        score: (K, B) output.
        subject_ids: The B subjects, for error messages.

    Raises:
        ScoringError: When a scorer returns NaN for an actual that is not missing.
    """
    for j, scorer in enumerate(plan.scorers):
        th, tg, st = (_bound(b[j], plan.broadcasts[j]) for b in bounds)
        _score_into(scorer, actual[j], th, tg, st, out=(achievement[j], score[j]))
        # A built-in scorer given the scheme's own, validated bounds returns NaN exactly where
        # the actual is NaN (property-tested); custom scorers and per-row bounds are checked.
        if all(isinstance(v, float) for v in (th, tg, st)):  # the scheme's defaults
            continue
        broken = np.isnan(score[j]) & ~np.isnan(actual[j])
        if broken.any():
            i = int(np.argmax(broken))
            raise ScoringError(
                f"review of {subject_ids[i]!r}, KPI {plan.kpi_keys[j]!r}: scorer "
                f"{plan.scorer_names[j]!r} returned NaN for actual {float(actual[j, i])!r}"
            )


def _bound(row: FloatArray, broadcasts: bool) -> FloatArray:
    """Return a KPI's bound row, as one number when it is one value a scorer can broadcast."""
    if broadcasts and row.strides[0] == 0 and len(row):
        return cast("FloatArray", float(row[0]))  # the built-ins broadcast it as a column
    return row


def flag_unusable_data(
    plan: ScoringPlan, actual: FloatArray, sample_size: IntArray, flags: FlagArray
) -> tuple[BoolArray, BoolArray]:
    """Step 2: find the KPI values that cannot be used as measured, and flag why.

    A value is *missing* when its actual is NaN, and *insufficient* when its sample size is
    below the KPI's ``min_sample`` (a sample size of -1, not reported, counts as sufficient).
    A missing value is unusable. An insufficient one is unusable only under the scheme's
    ``SmallSample.AS_MISSING``; under the default ``CAP_AT_TARGET`` it is scored on its actual
    (capped in :func:`apply_missing_policies`) and its gate is judged on it. Sets ``flags``
    (K, B) to MISSING / INSUFFICIENT_DATA, and the flag of the KPI's policy where unusable.

    Returns:
        ``(unusable, insufficient)``: (K, B) True where the value is unusable, and where its
        sample is below the minimum.
    """
    missing = np.isnan(actual)
    insufficient = np.zeros_like(missing)
    for j in plan.sampled_cols:
        size = sample_size[j]
        insufficient[j] = (size >= 0) & (size < plan.min_sample[j]) & ~missing[j]
    unusable = missing if plan.cap_small_samples else missing | insufficient
    np.copyto(flags, missing)  # True -> 1, KpiFlag.MISSING
    # Only a KPI with a minimum sample can be insufficient, only a row with unusable data
    # gets its policy's flag: the other rows are left as they are.
    for j in plan.sampled_cols:
        flags[j] |= insufficient[j] * np.uint8(KpiFlag.INSUFFICIENT_DATA)
    for j in _rows_with_any(unusable):
        flags[j] |= unusable[j] * plan.policy_flag[j]
    return unusable, insufficient


def _rows_with_any(mask: BoolArray) -> list[int]:
    """Return the indices of the rows of the (K, B) ``mask`` that hold a True."""
    rows: list[int] = np.flatnonzero(mask.any(axis=1)).tolist()
    return rows


SMALL_SAMPLE_CAP = 100.0
"""The highest score of a value from a sample below its KPI's minimum: the score on target."""


def apply_missing_policies(
    plan: ScoringPlan,
    unusable: BoolArray,
    insufficient: BoolArray,
    achievement: FloatArray,
    score: FloatArray,
) -> tuple[BoolArray, BoolArray]:
    """Step 3: apply each KPI's missing-data policy to its unusable values.

    ``EXCLUDE``: not scored, and the review is not rated. ``ZERO``: scored 0 with its
    nominal weight. ``REALLOCATE``: not scored, the weight goes to the measured KPIs. The
    achievement of an unusable value is NaN. A usable value from a sample below the minimum
    (``SmallSample.CAP_AT_TARGET``) keeps its score up to :data:`SMALL_SAMPLE_CAP`.

    Returns:
        ``(zeroed, excluded)``: (K, B) True where a KPI was scored 0 by policy, and (B,) True
        where an ``EXCLUDE`` KPI is unusable.
    """
    zeroed = np.zeros_like(unusable)
    zero = set(plan.zero_cols)
    for j in _rows_with_any(unusable):  # unusable data is rare
        np.putmask(score[j], unusable[j], 0.0 if j in zero else np.nan)
        np.putmask(achievement[j], unusable[j], np.nan)
        if j in zero:
            zeroed[j] = unusable[j]
    if plan.cap_small_samples:
        for j in _rows_with_any(insufficient):
            # min(score, cap) where insufficient; a masked ufunc is several times slower.
            above_cap = score[j] > SMALL_SAMPLE_CAP
            above_cap &= insufficient[j]
            np.putmask(score[j], above_cap, SMALL_SAMPLE_CAP)
    excluded = np.zeros(unusable.shape[1], dtype=np.bool_)
    for j in plan.exclude_cols:
        excluded |= unusable[j]
    return zeroed, excluded


def effective_weights(  # noqa: PLR0917 - the kernel's steps take their arrays positionally
    plan: ScoringPlan,
    unusable: BoolArray,
    zeroed: BoolArray,
    flags: FlagArray,
    out: FloatArray,
    nominal: FloatArray | None = None,
) -> tuple[BoolArray, FloatArray]:
    """Step 4: the effective weights, and how much of the weight was measured.

    Measured KPIs (usable values) and KPIs scored 0 by policy carry weight; the weight of
    the other unusable KPIs is reallocated to the *measured* KPIs only, in proportion to their
    nominal weights, never onto a KPI scored by a missing-data policy. With ``Σ_M`` the
    nominal weight measured, ``Σ_Z`` the nominal weight scored 0 and ``Σ`` all nominal
    weight: a measured KPI gets ``nominal x (1 - Σ_Z / Σ) / Σ_M``, a zero-scored one
    ``nominal / Σ``; the weights sum to 1. A measured KPI of nominal weight > 0 whose weight
    rose carries :attr:`KpiFlag.REWEIGHTED`. Writes ``out`` (K, B); where nothing is measured every
    weight is 0.

    ``nominal`` gives per-review nominal weights (K, B) — a review whose weights changed
    mid-cycle, prorated by days — in place of the scheme's (K,); ``Σ`` is then each review's
    own sum. The same formulas run either way, so the scalar and batch paths stay one code.

    Returns:
        ``(none_measured, measured_share)``: (B,) True where no KPI was measured (no
        quantitative total), and (B,) ``Σ_M / Σ``.
    """
    k, b = out.shape
    weights: FloatArray = plan.nominal_weight[:, None] if nominal is None else nominal
    total: FloatArray | float = (
        plan.nominal_total if nominal is None else _sum_rows(nominal, range(k), np.empty(b))
    )
    # measured x nominal: the nominal weights, 0 where unusable (only rows with unusable data
    # are touched; weights are >= 0, so this is the product, bit for bit).
    np.copyto(out, weights)
    unusable_rows = _rows_with_any(unusable)
    for j in unusable_rows:
        np.putmask(out[j], unusable[j], 0.0)
    measured_sum = _sum_rows(out, range(k), np.empty(b))
    none_measured: BoolArray = ~(measured_sum > 0)
    out /= measured_sum
    zero_rows = _rows_with_any(zeroed)
    if zero_rows:
        # Only these rows hold weight scored 0; the others would add +0.0, which changes no
        # sum of non-negative weights, and scale a review without one by exactly 1.
        zero_weight = [zeroed[j] * weights[j] for j in zero_rows]
        zero_sum = _sum_rows(zero_weight, range(len(zero_rows)), np.empty(b))
        out *= 1.0 - zero_sum / total
        for j, zw in zip(zero_rows, zero_weight, strict=True):
            out[j] += np.divide(zw, total, out=zw)
    if none_measured.any():  # 0 / 0: every weight is 0
        out[:, none_measured] = 0.0
    # Weight moved in the reviews with an unusable value not scored 0; only their KPI flags
    # are read and written.
    zero = set(zero_rows)
    moved = np.zeros(b, dtype=np.bool_)
    for j in unusable_rows:
        moved |= (unusable[j] & ~zeroed[j]) if j in zero else unusable[j]
    moved &= ~none_measured
    cols = np.flatnonzero(moved)
    if len(cols):
        positive = weights > 0  # (K, 1) for the scheme's weights, (K, B) per review
        raised = ~unusable[:, cols] & (positive if nominal is None else positive[:, cols])
        flags[:, cols] |= raised * np.uint8(KpiFlag.REWEIGHTED)
    share: FloatArray = measured_sum / total
    return none_measured, share


def quantitative_total(
    score: FloatArray,
    weight: FloatArray,
    *,
    unscored: BoolArray,
    none_measured: BoolArray,
    contribution: FloatArray,
    out: FloatArray,
) -> FloatArray:
    """Step 5: contributions ``score x effective weight`` and their sum, the raw total.

    Writes ``contribution`` (K, B; 0 where a KPI is not scored) and ``out`` (B,), the raw
    quantitative total (NaN where no KPI was measured).
    """
    np.multiply(score, weight, out=contribution)
    for j in _rows_with_any(unscored):
        np.putmask(contribution[j], unscored[j], 0.0)
    _sum_rows(contribution, range(contribution.shape[0]), out)
    if none_measured.any():
        np.putmask(out, none_measured, np.nan)
    return out


def category_subtotals(
    plan: ScoringPlan, contribution: FloatArray, weight: FloatArray, out: FloatArray
) -> None:
    """Step 6: each category's weighted mean score over its scored KPIs, into ``out`` (C, B).

    ``Σ contribution / Σ effective weight`` over the category's KPIs, which equals
    ``Σ score x nominal / Σ nominal`` over its scored KPIs; NaN where none was scored.
    """
    b = contribution.shape[1]
    for c, cols in enumerate(plan.category_cols):
        if len(cols) == 1:  # a sum of one row is that row: no copies
            np.divide(contribution[cols[0]], weight[cols[0]], out=out[c])
            continue
        num = _sum_rows(contribution, cols, np.empty(b))
        den = _sum_rows(weight, cols, np.empty(b))
        np.divide(num, den, out=out[c])


def apply_gates(
    plan: ScoringPlan,
    actual: FloatArray,
    *,
    unusable: BoolArray,
    raw: FloatArray,
    flags: FlagArray,
    out: FloatArray,
) -> BoolArray:
    """Step 7: gates cap the quantitative total; writes it into ``out`` (B,).

    A gate fires when its KPI's actual is on the wrong side of the gate threshold (below it
    for higher-is-better). When the KPI has no usable actual the gate is never skipped: under
    the scheme's ``GateWithoutData.APPLY`` (default) it fires, under ``HOLD`` the review is
    held for a person. A ``CAP`` gate caps the total at its cap, a ``ZERO`` gate at 0:
    ``min(total, cap)``, so a gate only ever lowers. The KPI gets :attr:`KpiFlag.GATED`
    whenever its gate fires.

    Returns:
        (B,) True where a gate's KPI had no usable actual under ``HOLD``.
    """
    np.copyto(out, raw)
    held = np.zeros(out.shape, dtype=np.bool_)
    for gate in plan.gates:
        a = actual[gate.kpi]
        no_data = unusable[gate.kpi]
        fired = (a < gate.threshold) if gate.higher_is_better else (a > gate.threshold)
        if plan.hold_gates:
            fired &= ~no_data
            held |= no_data
        else:
            fired |= no_data
        flags[gate.kpi] |= fired * np.uint8(KpiFlag.GATED)
        np.minimum(out, gate.cap, out=out, where=fired)
    return held


def qualitative_part(
    plan: ScoringPlan, ratings: FloatArray, raters: IntArray, criterion_score: FloatArray
) -> FloatArray:
    """Step 8: the qualitative part from assessments, and each criterion's score.

    A source's mean rating on a criterion counts when it comes from at least the source's
    ``min_raters`` raters; it becomes a score ``100 x (rating - low) / (target - low)`` on the
    criterion's scale. A criterion's score is the mean of its counted sources weighted by
    source weight (rescaled among the counted sources), NaN when none counts; it is computed
    as ``100 x Σ w (rating - low) / (target - low) / Σ w`` over the counted sources, the same
    number in exact arithmetic. The qualitative part is the mean of the scored criteria
    weighted by criterion weight (rescaled among them), NaN when none is scored.

    Args:
        plan: The resolved scheme.
        ratings: (B, Q, S) mean rating per criterion and source.
        raters: (B, Q, S) how many raters each mean comes from.
        criterion_score: (Q, B) output.

    Returns:
        (B,) the qualitative part.
    """
    b = ratings.shape[0]
    n_crit = len(plan.crit_low)
    sources = list(zip(plan.min_raters.tolist(), plan.source_weight.tolist(), strict=True))
    # weighted: Σ weight x (rating - low) over the counted sources; source_sum: Σ weight.
    weighted, source_sum = np.zeros((n_crit, b)), np.zeros((n_crit, b))
    counted, above_low = np.empty(b, dtype=np.bool_), np.empty(b)
    for q, low in enumerate(plan.crit_low.tolist()):
        for s, (min_raters, weight) in enumerate(sources):
            np.greater_equal(raters[:, q, s], min_raters, out=counted)
            above_low = np.where(counted, ratings[:, q, s], low)  # left out: low, so 0 below
            above_low -= low
            above_low *= weight
            weighted[q] += above_low
            source_sum[q] += np.multiply(counted, weight, out=above_low)
    # Then per criterion, one (Q, B) pass each: x 100 / span / Σ weight.
    weighted *= 100.0
    weighted /= plan.crit_span[:, None]
    crit = np.divide(weighted, source_sum, out=criterion_score)  # none counted: 0/0, NaN
    scored = ~np.isnan(crit)
    crit_part = np.where(scored, crit, 0.0)
    crit_part *= plan.crit_weight[:, None]
    np.multiply(scored, plan.crit_weight[:, None], out=source_sum)
    part: FloatArray = _sum_from_zero(crit_part)
    part /= _sum_from_zero(source_sum)  # no criterion scored: 0/0, NaN
    return part


def _sum_from_zero(a: FloatArray) -> FloatArray:
    """Return ``0 + a[0] + a[1] + ...`` over the rows of ``a``, one row at a time, in order.

    ``a[0] + 0`` is ``0 + a[0]`` (it turns a -0.0 into +0.0), one pass cheaper than adding
    to an array of zeros.
    """
    out: FloatArray = np.add(a[0], 0.0)
    for row in a[1:]:
        out += row
    return out


def blend(share: float, quantitative: FloatArray, qualitative: FloatArray, out: FloatArray) -> None:
    """Step 9: ``share x quantitative + (1 - share) x qualitative``, into ``out`` (B,).

    NaN where either part is missing.
    """
    np.multiply(quantitative, share, out=out)
    out += (1.0 - share) * qualitative


def rate(
    plan: ScoringPlan,
    total: FloatArray,
    *,
    eligible_days: FloatArray,
    excluded: BoolArray,
    none_measured: BoolArray,
    measured_share: FloatArray,
    gate_held: BoolArray,
    no_qualitative: BoolArray,
    raw: FloatArray,
    quantitative: FloatArray,
    rating_index: IntArray,
) -> tuple[BoolArray, FlagArray]:
    """Step 11: decide which reviews are rated, and their band.

    A review is not rated when the subject was eligible fewer than ``min_eligible_days``
    (unknown days count as eligible), an ``EXCLUDE`` KPI is unusable, no KPI was measured,
    less than the scheme's ``min_measured_share`` of the weight was measured (the share
    rounded to :data:`RESOLUTION` places), a gate without data holds the review, the scheme
    has criteria but no qualitative score, or the total lies outside the rating scale (never
    clamped). Its total becomes NaN and its rating index -1. Otherwise the rating is
    the band ``[lower, upper)`` holding the total (the top band is closed), i.e.
    ``searchsorted(edges, total, side="right")``. Writes ``total`` and ``rating_index``.

    Returns:
        ``(rated, review_flags)``: (B,) whether each review is rated, and its
        :class:`ReviewFlag` bits. ``GATED`` is set where a gate lowered the total: where the
        rounded quantitative total lies below the rounded raw one, so a gate at a cap the
        total equals in exact arithmetic does not count as lowering it.
    """
    with np.errstate(invalid="ignore"):
        not_eligible = eligible_days < plan.scheme.min_eligible_days
    # NOT_ELIGIBLE is bit 1: the bytes of the bool array are the flags (a new array, owned).
    flags: FlagArray = np.asarray(not_eligible, dtype=np.bool_).view(np.uint8)
    too_little = measured_share.round(RESOLUTION) < plan.min_measured_share
    # Most reviews have none of these; a flag nobody has is not or-ed in.
    for reason, flag in (
        (excluded, ReviewFlag.EXCLUDED_KPI),
        (none_measured, ReviewFlag.NO_QUANTITATIVE),
        (too_little, ReviewFlag.TOO_LITTLE_DATA),
        (gate_held, ReviewFlag.GATE_WITHOUT_DATA),
        (no_qualitative, ReviewFlag.NO_QUALITATIVE),
    ):
        if reason.any():
            flags |= reason * np.uint8(flag)
    out_of_scale = (flags == 0) & ~((total >= plan.low) & (total <= plan.high))
    if out_of_scale.any():
        flags |= out_of_scale * np.uint8(ReviewFlag.OUT_OF_SCALE)
    rated: BoolArray = flags == 0
    flags |= (quantitative < raw) * np.uint8(ReviewFlag.GATED)
    not_rated = ~rated
    if not_rated.any():
        np.putmask(total, not_rated, np.nan)
    np.copyto(rating_index, band_index(plan.edges, total))
    if not_rated.any():
        np.putmask(rating_index, not_rated, -1)
    return rated, flags
