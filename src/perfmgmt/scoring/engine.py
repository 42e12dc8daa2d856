"""The scoring engine: one vectorised implementation for one review or a whole population.

``ScoringEngine.score(scheme, review)`` builds a population of one and returns
``score_batch(...).row(0)``, so the scalar and batch results can never disagree. A block of
one row runs the scorers like any block, then finishes on Python floats (``_score_one``: the
same IEEE operations in the same order as the array steps, without ~150 numpy calls);
``tests/test_engine.py::TestOneRow`` pins the two byte for byte, so change them together.

The maths (see the "Scoring" explanation page for the formulas):

1. Each KPI column is scored by its scorer against the per-row threshold/target/stretch.
2. A KPI with no actual (NaN) or with a sample size below ``min_sample`` follows its
   ``MissingPolicy``: ``REALLOCATE`` (not scored; its weight is spread over the scored KPIs in
   proportion to their nominal weights), ``ZERO`` (scored 0, weight kept) or ``EXCLUDE`` (the
   review is not rated). A sample size of -1 (not reported) counts as sufficient.
3. Effective weights are the nominal weights (category weight x weight in category) of the
   scored KPIs, rescaled to sum to 1; the raw quantitative total is ``Σ score x weight``.
4. Gates on KPIs with usable data: a ``ZERO`` gate sets the quantitative total to
   ``min(total, 0)``, a ``CAP`` gate to ``min(total, cap)`` — a gate only ever lowers.
5. Qualitative ratings become scores ``100 x (rating - low) / (target - low)`` on each
   criterion's scale; per criterion the sources with at least ``min_raters`` raters are
   averaged with their source weights (rescaled among the sources present); criteria with no
   such source have their weight reallocated among the others.
6. ``total = share x quantitative + (1 - share) x qualitative``.
7. The review is not rated (total NaN, rating index -1, a :class:`ReviewFlag` says why) when
   the subject was eligible fewer than ``min_eligible_days``, an ``EXCLUDE`` KPI lacks data, no
   KPI was scored, the scheme has criteria but no qualitative score, or the total lies outside
   the rating scale (totals are never clamped silently).
8. The rating is ``numpy.searchsorted(edges, total, side="right")``: bands are
   ``[lower, upper)``, the top band closed.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._parallel import BlockRunner, OwnsThreads, check_workers
from perfmgmt._typing import FloatArray
from perfmgmt.errors import ScoringError
from perfmgmt.model.cycle import Cycle
from perfmgmt.model.indicator import Direction
from perfmgmt.model.kpi import GateEffect, MissingPolicy
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring.card import BatchScores, KpiFlag, ReviewFlag, ScoreCard
from perfmgmt.scoring.population import Population
from perfmgmt.scoring.registry import ScorerRegistry, default_registry
from perfmgmt.scoring.scorers import (
    _BUILTIN_SCORERS,
    CheckedScorer,
    LinearScorer,
    Scorer,
    _band_index,
    _linear,
    _score_into,
)

__all__ = ["ScoringEngine", "ScoringPlan"]


_CACHE_SIZE = 64

#: Rows scored together: small enough for a block's temporaries to stay in the CPU cache,
#: large enough for numpy's per-call overhead not to matter.
_BLOCK = 16384

#: Below this many rows, the qualitative part runs on (B, Q, S) arrays: fewer numpy calls.
_FEW_ROWS = 64

#: From this many result bytes on, the result arrays are views of one buffer.
_ONE_BUFFER = 1 << 20

# Review flag bits as numpy scalars, built once: IntFlag -> uint8 conversion per call shows on
# the one-review path.
_NO_QUALITATIVE = np.uint8(ReviewFlag.NO_QUALITATIVE)
_NOT_ELIGIBLE = np.uint8(ReviewFlag.NOT_ELIGIBLE)
_EXCLUDED_KPI = np.uint8(ReviewFlag.EXCLUDED_KPI)
_NO_QUANTITATIVE = np.uint8(ReviewFlag.NO_QUANTITATIVE)
_OUT_OF_SCALE = np.uint8(ReviewFlag.OUT_OF_SCALE)
_GATED = np.uint8(ReviewFlag.GATED)

# The same bits as plain ints, for the one-row path (an enum member's .value is a
# descriptor call).
_INSUFFICIENT_BIT = int(KpiFlag.INSUFFICIENT_DATA)
_GATED_BIT = int(KpiFlag.GATED)
_OVERRIDDEN_BIT = int(KpiFlag.OVERRIDDEN_TARGET)
_NO_QUALITATIVE_BIT = int(ReviewFlag.NO_QUALITATIVE)
_NOT_ELIGIBLE_BIT = int(ReviewFlag.NOT_ELIGIBLE)
_EXCLUDED_KPI_BIT = int(ReviewFlag.EXCLUDED_KPI)
_NO_QUANTITATIVE_BIT = int(ReviewFlag.NO_QUANTITATIVE)
_OUT_OF_SCALE_BIT = int(ReviewFlag.OUT_OF_SCALE)
_REVIEW_GATED_BIT = int(ReviewFlag.GATED)

_POLICY_BIT = {
    MissingPolicy.REALLOCATE: int(KpiFlag.REALLOCATED),
    MissingPolicy.ZERO: int(KpiFlag.SCORED_ZERO),
    MissingPolicy.EXCLUDE: int(KpiFlag.EXCLUDED),
}


def _bounds(*values: float | None) -> tuple[float, float, float]:
    """Return a KPI's default threshold, target and stretch as floats, NaN for None."""
    th, tg, st = (math.nan if v is None else float(v) for v in values)
    return th, tg, st


@attrs.frozen(kw_only=True, eq=False)
class _OneRow:
    """The plan's constants as Python values, for scoring one review without numpy calls.

    On one review every numpy call costs far more than its arithmetic; these are converted
    once per plan instead of once per review.
    """

    nominal: list[float]
    fill: list[float]
    policy_bit: list[int]
    zero: list[bool]
    edges: list[float]
    crit_low: list[float]
    crit_span: list[float]
    crit_weight: list[float]
    source_weight: list[float]
    min_raters: list[int]
    source_keys: tuple[str, ...]
    linear_sign: FloatArray
    defaults: list[tuple[float, float, float]]

    @classmethod
    def of(cls, plan: ScoringPlan) -> _OneRow:
        """Convert ``plan``'s constants."""
        zero = set(plan.zero_cols)
        return cls(
            nominal=plan.nominal_weight.tolist(),
            fill=plan.missing_fill[:, 0].tolist(),
            policy_bit=plan.policy_bit[:, 0].tolist(),
            zero=[j in zero for j in range(len(plan.kpi_keys))],
            edges=plan.edges.tolist(),
            crit_low=plan.crit_low.tolist(),
            crit_span=plan.crit_span.tolist(),
            crit_weight=plan.crit_weight.tolist(),
            source_weight=plan.source_weight.tolist(),
            min_raters=plan.min_raters.tolist(),
            source_keys=tuple(s.key for s in plan.scheme.sources),
            defaults=[_bounds(k.threshold, k.target, k.stretch) for k in plan.scheme.kpis],
            linear_sign=(
                plan.linear_params[0][:, 0] if plan.linear_params is not None else np.ones(0)
            ),
        )


@attrs.frozen(kw_only=True, eq=False)
class ScoringPlan:
    """A scheme resolved once for scoring: scorers and per-KPI constants as arrays.

    Attributes:
        scheme: The scheme.
        scorers: One resolved scorer per KPI, in scheme order.
        nominal_weight: float64 (K,) category weight x weight in category.
        category_index: int (K,) index of each KPI's category.
        category_weight: float64 (C,) category weights.
        min_sample: int64 (K,) minimum sample sizes.
        policy: One missing-data policy per KPI.
        gate_sign: float64 (K,) +1/-1 for KPIs with a gate, 0 without.
        gate_threshold: float64 (K,) gate thresholds, NaN without a gate.
        gate_cap: float64 (K,) cap of CAP gates, NaN for ZERO gates or no gate.
        edges: float64 inner boundaries of the rating scale.
        low: Lowest score on the rating scale.
        high: Highest score on the rating scale.
        crit_low: float64 (Q,) low end of each criterion's scale.
        crit_span: float64 (Q,) target rating minus low of each criterion's scale.
        crit_weight: float64 (Q,) criterion weights.
        source_weight: float64 (S,) source weights.
        min_raters: int64 (S,) minimum raters per source.
        membership: float64 (K, C) 1 where the KPI belongs to the category.
        checked: Per KPI, whether the scorer validates per-row bounds.
        kpi_keys: K KPI keys, in scheme order.
        category_keys: C category keys, in scheme order.
        criterion_keys: Q criterion keys, in scheme order.
        rating_labels: Labels of the rating scale, lowest first.
        kpi_categories: K category keys, one per KPI.
        scorer_names: K scorer names, one per KPI.
        directions: K indicator directions, one per KPI.
        category_cols: Per category, the indices of its KPIs in scheme order.
        checked_cols: Indices of the KPIs whose scorer validates per-row bounds.
        broadcasts: Per KPI, whether the scorer is a built-in that accepts scalar bounds.
        sample_cols: ``(index, min_sample)`` of the KPIs with a minimum sample size.
        gates: ``(index, sign, threshold, cap)`` of the gated KPIs (cap NaN for ZERO gates).
        nominal_col: float64 (K, 1) nominal weights as a column.
        policy_bit: uint8 (K, 1) the :class:`KpiFlag` of each KPI's missing-data policy.
        missing_fill: float64 (K, 1) score of missing or insufficient data (0 under ZERO,
            else NaN).
        zero_cols: Indices of the KPIs whose missing-data policy is ZERO.
        exclude_cols: Indices of the KPIs whose missing-data policy is EXCLUDE.
        linear_cols: Indices of the KPIs scored by the built-in linear scorer, when there
            are several (scored together on blocks of a few rows), else empty.
        linear_index: intp (G,) the same indices as an array.
        linear_params: The linear scorers' sign, threshold payout, cap, floor and
            accelerator, each a float64 (G, 1) column.
        one: The constants as Python values, for the one-review path.
    """

    scheme: Scheme
    scorers: tuple[Scorer, ...]
    nominal_weight: FloatArray
    category_index: npt.NDArray[np.intp]
    category_weight: FloatArray
    min_sample: npt.NDArray[np.int64]
    policy: tuple[MissingPolicy, ...]
    gate_sign: FloatArray
    gate_threshold: FloatArray
    gate_cap: FloatArray
    edges: FloatArray
    low: float
    high: float
    crit_low: FloatArray
    crit_span: FloatArray
    crit_weight: FloatArray
    source_weight: FloatArray
    min_raters: npt.NDArray[np.int64]
    membership: FloatArray
    checked: tuple[bool, ...]
    kpi_keys: tuple[str, ...]
    category_keys: tuple[str, ...]
    criterion_keys: tuple[str, ...]
    rating_labels: tuple[str, ...]
    kpi_categories: tuple[str, ...]
    scorer_names: tuple[str, ...]
    directions: tuple[str, ...]
    category_cols: tuple[tuple[int, ...], ...]
    checked_cols: tuple[int, ...]
    broadcasts: tuple[bool, ...]
    sample_cols: tuple[tuple[int, int], ...]
    gates: tuple[tuple[int, float, float, float], ...]
    nominal_col: FloatArray
    policy_bit: npt.NDArray[np.uint8]
    missing_fill: FloatArray
    zero_cols: tuple[int, ...]
    exclude_cols: tuple[int, ...]
    linear_cols: tuple[int, ...] = ()
    linear_index: npt.NDArray[np.intp] = attrs.field(factory=lambda: np.zeros(0, dtype=np.intp))
    linear_params: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray] | None = None
    one: _OneRow = attrs.field(default=attrs.Factory(_OneRow.of, takes_self=True))


def _plan(scheme: Scheme, registry: ScorerRegistry) -> ScoringPlan:
    scorers = tuple(registry.resolve(k.scoring, k) for k in scheme.kpis)
    cat_pos = {c.key: i for i, c in enumerate(scheme.categories)}
    gate_sign = np.zeros(len(scheme.kpis))
    gate_th = np.full(len(scheme.kpis), np.nan)
    gate_cap = np.full(len(scheme.kpis), np.nan)
    for j, k in enumerate(scheme.kpis):
        if k.gate is None:
            continue
        # KPI refuses a gate on a target-is-best indicator, so the direction has a wrong side.
        gate_sign[j] = 1.0 if k.indicator.direction is Direction.HIGHER_IS_BETTER else -1.0
        gate_th[j] = k.gate.threshold
        if k.gate.effect is GateEffect.CAP:
            assert k.gate.cap is not None
            gate_cap[j] = k.gate.cap
    nominal = scheme.nominal_weights()
    nominal_weight = np.array([nominal[k.key] for k in scheme.kpis])
    category_index = np.array([cat_pos[k.category] for k in scheme.kpis], dtype=np.intp)
    policies = tuple(k.missing for k in scheme.kpis)
    checked = tuple(isinstance(sc, CheckedScorer) for sc in scorers)
    linear = [(j, sc) for j, sc in enumerate(scorers) if type(sc) is LinearScorer]
    if len(linear) < 2:
        linear = []
    return ScoringPlan(
        scheme=scheme,
        scorers=scorers,
        nominal_weight=nominal_weight,
        category_index=category_index,
        category_weight=np.array([c.weight for c in scheme.categories]),
        min_sample=np.array([k.min_sample for k in scheme.kpis], dtype=np.int64),
        policy=policies,
        gate_sign=gate_sign,
        gate_threshold=gate_th,
        gate_cap=gate_cap,
        edges=np.array(scheme.rating_scale.edges),
        low=scheme.rating_scale.low,
        high=scheme.rating_scale.high,
        crit_low=np.array([c.scale.low for c in scheme.criteria]),
        crit_span=np.array([c.scale.target_rating - c.scale.low for c in scheme.criteria]),
        crit_weight=np.array([c.weight for c in scheme.criteria]),
        source_weight=np.array([s.weight for s in scheme.sources]),
        min_raters=np.array([s.min_raters for s in scheme.sources], dtype=np.int64),
        membership=np.array(
            [[1.0 if k.category == c.key else 0.0 for c in scheme.categories] for k in scheme.kpis]
        ),
        checked=checked,
        kpi_keys=scheme.kpi_keys,
        category_keys=scheme.category_keys,
        criterion_keys=tuple(c.key for c in scheme.criteria),
        rating_labels=scheme.rating_scale.labels,
        kpi_categories=tuple(k.category for k in scheme.kpis),
        scorer_names=tuple(k.scoring.scorer for k in scheme.kpis),
        directions=tuple(k.indicator.direction.value for k in scheme.kpis),
        category_cols=tuple(
            tuple(np.flatnonzero(category_index == c).tolist())
            for c in range(len(scheme.categories))
        ),
        checked_cols=tuple(j for j, c in enumerate(checked) if c),
        broadcasts=tuple(type(sc) in _BUILTIN_SCORERS for sc in scorers),
        sample_cols=tuple((j, k.min_sample) for j, k in enumerate(scheme.kpis) if k.min_sample > 0),
        gates=tuple(
            (j, float(gate_sign[j]), float(gate_th[j]), float(gate_cap[j]))
            for j in range(len(scheme.kpis))
            if gate_sign[j] != 0.0
        ),
        nominal_col=nominal_weight[:, None],
        policy_bit=np.array([[_POLICY_BIT[p]] for p in policies], dtype=np.uint8),
        missing_fill=np.array([[0.0 if p is MissingPolicy.ZERO else np.nan] for p in policies]),
        zero_cols=tuple(j for j, p in enumerate(policies) if p is MissingPolicy.ZERO),
        exclude_cols=tuple(j for j, p in enumerate(policies) if p is MissingPolicy.EXCLUDE),
        linear_cols=tuple(j for j, _ in linear),
        linear_index=np.array([j for j, _ in linear], dtype=np.intp),
        linear_params=(
            np.array([[sc.sign] for _, sc in linear], dtype=np.float64),
            np.array([[sc.threshold_payout] for _, sc in linear], dtype=np.float64),
            np.array([[sc.cap] for _, sc in linear], dtype=np.float64),
            np.array([[sc.floor] for _, sc in linear], dtype=np.float64),
            np.array([[sc.accelerator] for _, sc in linear], dtype=np.float64),
        )
        if linear
        else None,
    )


class ScoringEngine(OwnsThreads):
    """Score reviews against a scheme, one at a time or as a population.

    Args:
        registry: Where scorer names are resolved; the built-ins by default.
        workers: Threads that score blocks of a large population side by side (numpy
            releases the GIL in its loops); 1 scores in the calling thread. Every review
            goes through the same operations in any block on any thread, so the results are
            bit-identical either way. Custom scorers must then be safe to call from several
            threads at once (pure functions of their arguments are).

    With ``workers > 1`` the engine owns a thread pool, started by the first population of
    more than one block (16,384 reviews) and shared by later calls until :meth:`close` or the
    end of a ``with`` block; after ``close`` the engine still works.

    Raises:
        ScoringError: When ``workers`` is not a whole number >= 1.
    """

    def __init__(self, registry: ScorerRegistry | None = None, *, workers: int = 1) -> None:
        self._runner = BlockRunner(
            check_workers("ScoringEngine", workers, ScoringError), "perfmgmt-scoring"
        )
        self.registry = default_registry if registry is None else registry
        self._plans: dict[str, ScoringPlan] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        workers = self._runner.workers
        extra = f", workers={workers}" if workers > 1 else ""
        return f"ScoringEngine(registry={self.registry!r}{extra})"

    def plan(self, scheme: Scheme) -> ScoringPlan:
        """Resolve and validate ``scheme``'s scorers once (cached by content hash).

        Raises:
            ScoringError: When a KPI's scorer parameters are invalid (naming the KPI).
            RegistryError: When a KPI names an unregistered scorer.
        """
        key = scheme.content_hash
        plan = self._plans.get(key)
        if plan is None:
            plan = _plan(scheme, self.registry)
            with self._lock:
                if len(self._plans) >= _CACHE_SIZE:
                    self._plans.pop(next(iter(self._plans)))
                self._plans[key] = plan
        return plan

    def score(self, scheme: Scheme, review: Review, *, cycle: Cycle | None = None) -> ScoreCard:
        """Score one review; the same as ``score_batch`` on a population of one.

        Raises:
            ScoringError: When the review cannot be scored as given (see
                :meth:`Population.from_reviews`).
        """
        pop = Population.from_reviews(scheme, [review], cycle=cycle)
        return self.score_batch(scheme, pop).row(0)

    def score_reviews(
        self, scheme: Scheme, reviews: Sequence[Review], *, cycle: Cycle | None = None
    ) -> BatchScores:
        """Score several reviews at once (``score_batch`` of ``Population.from_reviews``)."""
        return self.score_batch(scheme, Population.from_reviews(scheme, reviews, cycle=cycle))

    def score_batch(self, scheme: Scheme, population: Population) -> BatchScores:
        """Score every review of ``population`` against ``scheme``.

        Raises:
            ScoringError: When the population was built for other KPIs, criteria or sources,
                or a row's bounds are refused by its scorer (e.g. a zero ratio target).
        """
        plan = self.plan(scheme)
        _check_population(plan, population)
        return _score(plan, population, self._runner)


def _check_population(plan: ScoringPlan, pop: Population) -> None:
    scheme = plan.scheme
    if pop.kpi_keys != plan.kpi_keys:
        raise ScoringError(
            f"Population KPIs {list(pop.kpi_keys)} do not match scheme {scheme.key!r} KPIs "
            f"{list(scheme.kpi_keys)}; build the population from this scheme"
        )
    crit, src = plan.criterion_keys, plan.one.source_keys
    if pop.criterion_keys != crit or pop.source_keys != src:
        raise ScoringError(
            f"Population criteria/sources {list(pop.criterion_keys)}/{list(pop.source_keys)} do "
            f"not match scheme {scheme.key!r}: {list(crit)}/{list(src)}"
        )


def _row_sum(
    a: FloatArray, rows: Sequence[int] | range, out: FloatArray | None = None
) -> FloatArray:
    """Sum the rows ``rows`` of the (K, B) block ``a`` in the given order (into ``out``).

    The order is the same for every N, so a review's result never depends on the size of the
    batch it is scored in (BLAS kernels would not guarantee that).
    """
    it = iter(rows)
    if out is None:
        out = a[next(it)].copy()
    else:
        np.copyto(out, a[next(it)])
    for j in it:
        out += a[j]
    return out


def _score(plan: ScoringPlan, pop: Population, runner: BlockRunner) -> BatchScores:
    n, k = pop.actual.shape
    out = _Out.empty(n, k, len(plan.category_cols), len(plan.crit_weight))

    # Blocks of rows keep every temporary in the CPU cache. Each row goes through the same
    # element-wise operations in the same order in any block, so no result depends on the
    # block size, on N or on the thread that scored it.
    bounds = [(lo, min(lo + _BLOCK, n)) for lo in range(0, n, _BLOCK)]

    def block(b: tuple[int, int]) -> None:
        # NaN and inf are handled explicitly (missing data, 0/0 = no score), so numpy's
        # warnings are noise here (errstate is per thread).
        with np.errstate(all="ignore"):
            _score_block(plan, pop, b[0], b[1], out)

    with np.errstate(all="ignore"):
        _check_bounds(plan, pop)
    runner.run(block, bounds)  # on the calling thread alone for one block or one worker
    return BatchScores(
        scheme_key=plan.scheme.key,
        scheme_hash=plan.scheme.content_hash,
        subject_ids=pop.subject_ids,
        kpi_keys=plan.kpi_keys,
        category_keys=plan.category_keys,
        rating_labels=plan.rating_labels,
        actual=pop.actual,
        threshold=pop.threshold,
        target=pop.target,
        stretch=pop.stretch,
        achievement=out.achievement.T,
        score=out.score.T,
        nominal_weight=plan.nominal_weight,
        effective_weight=out.effective_weight.T,
        contribution=out.contribution.T,
        flags=out.flags.T,
        category_score=out.category_score.T,
        quantitative=out.quantitative,
        qualitative=out.qualitative,
        total=out.total,
        rating_index=out.rating_index,
        rated=out.rated,
        gated=out.gated,
        eligible_fraction=np.asarray(pop.eligible_fraction, dtype=np.float64),
        raw_quantitative=out.raw_quantitative,
        review_flags=out.review_flags,
        criterion_keys=plan.criterion_keys,
        criterion_weight=plan.crit_weight,
        criterion_score=out.criterion_score.T,
        category_weight=plan.category_weight,
        kpi_categories=plan.kpi_categories,
        scorer_names=plan.scorer_names,
        directions=plan.directions,
        quantitative_share=plan.scheme.quantitative_share,
        sample_size=np.asarray(pop.sample_size),
    )


@attrs.define(kw_only=True)
class _Out:
    """The result arrays of a batch, filled block by block.

    Per-KPI, per-category and per-criterion results are stored one row per KPI (category,
    criterion), so a block writes contiguous memory; :class:`BatchScores` gets their
    transposes, (N, K) arrays in Fortran order.
    """

    achievement: FloatArray
    score: FloatArray
    effective_weight: FloatArray
    contribution: FloatArray
    flags: npt.NDArray[np.uint8]
    category_score: FloatArray
    criterion_score: FloatArray
    raw_quantitative: FloatArray
    quantitative: FloatArray
    qualitative: FloatArray
    total: FloatArray
    rating_index: npt.NDArray[np.int64]
    rated: npt.NDArray[np.bool_]
    gated: npt.NDArray[np.bool_]
    review_flags: npt.NDArray[np.uint8]

    @classmethod
    def empty(cls, n: int, k: int, c: int, q: int) -> _Out:
        """Allocate the arrays for ``n`` reviews as views of one buffer.

        One large allocation is faulted in far faster than many (the kernel can back it with
        huge pages), and it frees as one when the last result array goes.
        """
        layout: list[tuple[str, tuple[int, ...], type[np.generic]]] = [
            ("achievement", (k, n), np.float64),
            ("score", (k, n), np.float64),
            ("effective_weight", (k, n), np.float64),
            ("contribution", (k, n), np.float64),
            ("category_score", (c, n), np.float64),
            ("criterion_score", (q, n), np.float64),
            ("raw_quantitative", (n,), np.float64),
            ("quantitative", (n,), np.float64),
            ("qualitative", (n,), np.float64),
            ("total", (n,), np.float64),
            ("rating_index", (n,), np.int64),
            ("flags", (k, n), np.uint8),
            ("rated", (n,), np.bool_),
            ("gated", (n,), np.bool_),
            ("review_flags", (n,), np.uint8),
        ]
        # Bytes per review: 8 per float64/int64 item, 1 per uint8/bool item.
        if n * (8 * (4 * k + c + q + 5) + k + 3) < _ONE_BUFFER:
            return cls(**{name: np.empty(shape, dtype=dt) for name, shape, dt in layout})
        sizes = [math.prod(shape) * np.dtype(dt).itemsize for _, shape, dt in layout]
        buf = np.empty(sum(sizes), dtype=np.uint8)
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        offset = 0
        # 8-byte items come first, so every view is aligned.
        for (name, shape, dt), size in zip(layout, sizes, strict=True):
            arrays[name] = buf[offset : offset + size].view(dt).reshape(shape)
            offset += size
        return cls(**arrays)


def _same(a: float, b: float) -> bool:
    """Return whether two floats are equal, NaN (no such bound) equal to NaN."""
    return a == b or (a != a and b != b)  # noqa: PLR0124 - NaN tests without a call


def _check_bounds(plan: ScoringPlan, pop: Population) -> None:
    """Let checked scorers refuse per-row bounds (the scheme's defaults passed the plan)."""
    if pop.target.strides[0] == 0 or len(pop) == 0:
        return
    one_row = len(pop) == 1
    for j in plan.checked_cols:
        scorer = cast("CheckedScorer", plan.scorers[j])
        th, tg, st = pop.threshold[:, j], pop.target[:, j], pop.stretch[:, j]
        if one_row:
            d_th, d_tg, d_st = plan.one.defaults[j]
            if (
                _same(float(th[0]), d_th)
                and _same(float(tg[0]), d_tg)
                and _same(float(st[0]), d_st)
            ):
                continue  # the KPI's own defaults: the same check passed when the plan was made
        bad = scorer.check(th, tg, st)
        if bad is not None:
            i = int(np.argmax(bad[0]))
            raise ScoringError(
                f"review of {pop.subject_ids[i]!r}, KPI {plan.kpi_keys[j]!r}: "
                f"threshold/target/stretch ({float(th[i])!r}, {float(tg[i])!r}, "
                f"{float(st[i])!r}) refused: {bad[1]}"
            )


def _score_block(plan: ScoringPlan, pop: Population, lo: int, hi: int, out: _Out) -> None:
    scheme = plan.scheme
    b = hi - lo
    n_k = len(plan.scorers)
    ach = out.achievement[:, lo:hi]
    score = out.score[:, lo:hi]
    # Built-in scorers broadcast, so bounds that are the same on every row of the block go
    # in as Python floats; custom scorers get arrays of the block's length, as the Scorer
    # protocol promises.
    bounds = (pop.threshold, pop.target, pop.stretch)
    # On a few rows numpy's per-call cost dominates: the linear KPIs go through the linear
    # formulas once, as one (G, B) block with (G, 1) parameter columns (same operations,
    # same order per element, so the same bits as one KPI at a time).
    stacked = plan.linear_cols if b < _FEW_ROWS else ()
    idx = plan.linear_index
    if b == 1:
        # One row: its actuals and bounds as one (4, K) array, so the (K, 1) columns, the
        # floats and the linear KPIs' (G, 1) columns each take one numpy call.
        quad = np.array((pop.actual[lo], pop.threshold[lo], pop.target[lo], pop.stretch[lo]))
        actual, th_a, tg_a, st_a = quad[:, :, None]
        same: list[list[float] | None] = list(quad[1:].tolist())
        if stacked:
            # The signs in one product (negation is exact), so _linear skips its four.
            signed = quad.take(idx, axis=1)
            signed *= plan.one.linear_sign
            act_g, th_g, tg_g, st_g = signed[:, :, None]
    else:
        # (K, B) views: one contiguous row per KPI.
        actual = np.ascontiguousarray(pop.actual[lo:hi].T)
        # (K, B) views: row j is column j of the block, the arrays custom scorers get.
        th_a, tg_a, st_a = (v[lo:hi].T for v in bounds)
        # Bounds the same on every row of the block, as Python floats (None: per-row arrays).
        same = [v[lo].tolist() if v.strides[0] == 0 else None for v in bounds]
        if stacked:
            act_g = actual[idx]
            th_g, tg_g, st_g = (
                a[idx] if c is None else np.array([c[j] for j in stacked])[:, None]
                for a, c in zip((th_a, tg_a, st_a), same, strict=True)
            )
    # Typed as arrays: the built-ins' formulas broadcast a float like a column.
    th_b, tg_b, st_b = (
        a if c is None else cast("FloatArray", c)
        for a, c in zip((th_a, tg_a, st_a), same, strict=True)
    )
    if stacked:
        assert plan.linear_params is not None
        ach_g, score_g = _linear(plan.linear_params, act_g, th_g, tg_g, st_g, signed=b == 1)
        if b == 1:  # one column: flat positions are KPI indices, and put() is cheaper
            ach.put(idx, ach_g)
            score.put(idx, score_g)
        else:
            ach[idx] = ach_g
            score[idx] = score_g
    for j, scorer in enumerate(plan.scorers):
        if j in stacked:
            continue
        if plan.broadcasts[j]:
            th, tg, st = th_b[j], tg_b[j], st_b[j]
        else:
            th, tg, st = th_a[j], tg_a[j], st_a[j]
        _score_into(scorer, actual[j], th, tg, st, out=(ach[j], score[j]))
    if b == 1:
        # _score_one does every step below on Python floats; a change to these steps must
        # be made there too (TestOneRow compares the two byte for byte).
        _score_one(plan, pop, lo, out, quad[0].tolist())
        return
    missing = np.isnan(actual)
    # A built-in scorer given the scheme's own (validated) bounds returns NaN exactly where
    # the actual is NaN (property-tested); custom scorers and per-row bounds are checked.
    defaults = all(v.strides[0] == 0 for v in bounds)
    for j in range(n_k):
        if defaults and plan.broadcasts[j]:
            continue
        broken = np.isnan(score[j])
        broken &= ~missing[j]
        if broken.any():
            i = int(np.argmax(broken))
            raise ScoringError(
                f"review of {pop.subject_ids[lo + i]!r}, KPI {plan.kpi_keys[j]!r}: scorer "
                f"{plan.scorer_names[j]!r} returned NaN for actual {float(actual[j, i])!r}"
            )
    flags = out.flags[:, lo:hi]
    np.copyto(flags, missing.view(np.uint8))
    bad = missing
    if plan.sample_cols and pop.sample_size.strides[0] != 0:
        for j, min_s in plan.sample_cols:
            # As unsigned, -1 (not reported) is huge: one comparison is 0 <= size < min_s.
            insufficient = pop.sample_size[lo:hi, j].view(np.uint64) < np.uint64(min_s)
            insufficient &= ~missing[j]
            flags[j] |= insufficient.view(np.uint8) << 1
            bad[j] |= insufficient  # missing is not used again: it becomes "bad"
    # Missing or insufficient: the policy's flag (REALLOCATED, SCORED_ZERO or EXCLUDED) and
    # its fill (NaN, or 0 under ZERO).
    flags |= bad.view(np.uint8) * plan.policy_bit
    # Bad data is rare and often absent from whole KPIs: fill it through its positions, KPI
    # by KPI, rather than with masked passes over the whole block.
    # One scan of the (K, B) block finds them all; flat positions are sorted by KPI.
    flat = np.flatnonzero(bad)
    cuts = flat.searchsorted(np.arange(n_k + 1) * b).tolist()
    bad_at = [(j, flat[cuts[j] : cuts[j + 1]] - j * b) for j in range(n_k) if cuts[j] < cuts[j + 1]]
    for j, at in bad_at:
        score[j, at] = plan.missing_fill[j, 0]
        ach[j, at] = np.nan
    # Rows of a KPI that carry no weight: bad data under REALLOCATE or EXCLUDE.
    unscored_at = [(j, at) for j, at in bad_at if j not in plan.zero_cols]
    excluded = np.zeros(b, dtype=bool)
    for j in plan.exclude_cols:
        excluded |= bad[j]

    # Gates fire on few rows: the caps (NaN: zero the total) are applied through their
    # positions once the quantitative total is known.
    gated = np.zeros(b, dtype=bool)
    gate_at: list[tuple[npt.NDArray[np.intp], float]] = []
    for j, sign, threshold, cap in plan.gates:
        a = actual[j]
        # Negation is exact, so this is ``sign * a < sign * threshold`` without the products.
        fired = a < threshold if sign > 0 else a > threshold
        fired &= ~bad[j]
        flags[j] |= fired.view(np.uint8) << 5
        gated |= fired
        gate_at.append((np.flatnonzero(fired), 0.0 if math.isnan(cap) else cap))
    if pop.overridden.strides[0] != 0:
        flags |= pop.overridden[lo:hi].T.view(np.uint8) << 6

    # Effective weights: nominal weights of scored KPIs, rescaled per row.
    eff = out.effective_weight[:, lo:hi]
    np.copyto(eff, plan.nominal_col)
    for j, at in unscored_at:
        eff[j, at] = 0.0
    wsum = _row_sum(eff, range(n_k))
    no_quant = ~(wsum > 0)
    contribution = out.contribution[:, lo:hi]
    eff /= wsum
    if no_quant.any():  # nothing scored: every weight is 0, and stays 0 rather than 0 / 0
        eff[:, no_quant] = 0.0
    np.multiply(score, eff, out=contribution)
    for j, at in unscored_at:
        contribution[j, at] = 0.0
    raw = _row_sum(contribution, range(n_k), out=out.raw_quantitative[lo:hi])
    raw[no_quant] = np.nan

    # Category subtotals: Σ score x nominal / Σ nominal over scored KPIs of the category, which
    # equals Σ contribution / Σ effective weight (the per-row rescaling cancels).
    cat = out.category_score[:, lo:hi]
    for c, cols in enumerate(plan.category_cols):
        if len(cols) == 1:
            np.divide(contribution[cols[0]], eff[cols[0]], out=cat[c])
        else:
            np.divide(_row_sum(contribution, cols), _row_sum(eff, cols), out=cat[c])

    quant = out.quantitative[lo:hi]
    np.copyto(quant, raw)
    for at, cap in gate_at:  # the lowest cap of the gates that fired: a minimum, in any order
        quant[at] = np.minimum(quant[at], cap)
    gated &= ~no_quant

    review_flags = np.zeros(b, dtype=np.uint8)
    if len(plan.crit_weight):
        qualitative = _qualitative if b >= _FEW_ROWS else _qualitative_few
        qual = qualitative(plan, pop, lo, hi, out.criterion_score[:, lo:hi])
        no_qual = np.isnan(qual)
        review_flags |= no_qual.view(np.uint8) * _NO_QUALITATIVE
        share = scheme.quantitative_share
        total = np.multiply(quant, share, out=out.total[lo:hi])
        total += (1.0 - share) * qual
    else:
        qual = np.full(b, np.nan)
        total = out.total[lo:hi]
        np.copyto(total, quant)

    ed = pop.eligible_days[lo:hi]
    not_eligible = ed < scheme.min_eligible_days  # NaN (unknown) compares False: eligible
    review_flags |= not_eligible.view(np.uint8) * _NOT_ELIGIBLE
    review_flags |= excluded.view(np.uint8) * _EXCLUDED_KPI
    review_flags |= no_quant.view(np.uint8) * _NO_QUANTITATIVE
    unrated = review_flags != 0
    off = ~unrated & ~((total >= plan.low) & (total <= plan.high))
    review_flags |= off.view(np.uint8) * _OUT_OF_SCALE
    rated = ~(unrated | off)
    review_flags |= gated.view(np.uint8) * _GATED
    unrated |= off  # now: not rated
    np.putmask(total, unrated, np.nan)
    rating_index = out.rating_index[lo:hi]
    np.copyto(rating_index, _band_index(plan.edges, total))  # NaN (unrated) lands last...
    np.putmask(rating_index, unrated, -1)  # ...and is -1

    out.qualitative[lo:hi] = qual
    out.rated[lo:hi] = rated
    out.gated[lo:hi] = gated
    out.review_flags[lo:hi] = review_flags


def _minimum(a: float, b: float) -> float:
    """Return ``numpy.minimum(a, b)`` of two floats: NaN propagates, a tie gives ``b``."""
    if a != a:  # noqa: PLR0124 - NaN test without a call
        return a
    if b != b:  # noqa: PLR0124
        return b
    return a if a < b else b


def _divide(a: float, b: float) -> float:
    """Return ``a / b`` as numpy divides: by zero, numpy's inf or NaN (with its sign bits)."""
    if b == 0.0:
        return float(np.float64(a) / np.float64(b))
    return a / b


def _score_one(plan: ScoringPlan, pop: Population, i: int, out: _Out, act: list[float]) -> None:
    """Finish row ``i`` scored alone (a block of one row) on Python floats.

    The scorers have filled ``out.achievement`` and ``out.score``; the rest is what
    :func:`_score_block` does on arrays, step by step in the same order on the same IEEE
    doubles (Python floats are C doubles, as numpy's are), so the bits are the same. On one
    row each numpy call costs far more than its arithmetic, and this path is the scalar
    ``score``.
    """
    one = plan.one
    scheme = plan.scheme
    n_k = len(act)
    sc: list[float] = out.score[:, i].tolist()
    missing = [a != a for a in act]  # noqa: PLR0124 - NaN test without a call
    for j in range(n_k):
        if sc[j] != sc[j] and not missing[j]:
            raise ScoringError(
                f"review of {pop.subject_ids[i]!r}, KPI {plan.kpi_keys[j]!r}: scorer "
                f"{plan.scorer_names[j]!r} returned NaN for actual {act[j]!r}"
            )
    flags = list(map(int, missing))
    bad = missing
    if plan.sample_cols and pop.sample_size.strides[0] != 0:
        sizes: list[int] = pop.sample_size[i].tolist()
        for j, min_s in plan.sample_cols:
            # -1 (not reported) counts as sufficient, as the unsigned comparison makes it.
            if 0 <= sizes[j] < min_s and not missing[j]:
                flags[j] |= _INSUFFICIENT_BIT
                bad[j] = True
    unscored = bad.copy()
    excluded = False
    if any(bad):
        ach = out.achievement[:, i]
        for j in range(n_k):
            if bad[j]:
                flags[j] |= one.policy_bit[j]
                sc[j] = one.fill[j]
                ach[j] = math.nan
                unscored[j] = not one.zero[j]
        excluded = any(bad[j] for j in plan.exclude_cols)

    gate_zero = False
    gate_cap = math.inf
    for j, sign, threshold, cap in plan.gates:
        a = act[j]
        if (a < threshold if sign > 0 else a > threshold) and not bad[j]:
            flags[j] |= _GATED_BIT
            if math.isnan(cap):
                gate_zero = True
            else:
                gate_cap = _minimum(gate_cap, cap)
    if pop.overridden.strides[0] != 0:
        over: list[bool] = pop.overridden[i].tolist()
        for j in range(n_k):
            if over[j]:
                flags[j] |= _OVERRIDDEN_BIT

    # Effective weights, contributions and the raw total: sums in KPI order, as _row_sum.
    eff = [0.0 if u else w for u, w in zip(unscored, one.nominal, strict=True)]
    wsum = eff[0]
    for j in range(1, n_k):
        wsum += eff[j]
    no_quant = not wsum > 0
    if not no_quant:  # dividing by 1.0 changes nothing
        eff = [e / wsum for e in eff]
    contribution = [0.0 if u else s * e for s, e, u in zip(sc, eff, unscored, strict=True)]
    raw = contribution[0]
    for j in range(1, n_k):
        raw += contribution[j]
    if no_quant:
        raw = math.nan

    cat: list[float] = []
    for cols in plan.category_cols:
        num, den = contribution[cols[0]], eff[cols[0]]
        for j in cols[1:]:
            num += contribution[j]
            den += eff[j]
        cat.append(_divide(num, den))

    gated = (gate_zero or math.isfinite(gate_cap)) and not no_quant
    quant = _minimum(raw, gate_cap)
    if gate_zero:
        quant = _minimum(quant, 0.0)

    review_flags = 0
    if one.crit_weight:
        qual = _qualitative_one(plan, pop, i, out.criterion_score)
        if qual != qual:  # noqa: PLR0124
            review_flags |= _NO_QUALITATIVE_BIT
        share = scheme.quantitative_share
        total = share * quant + (1.0 - share) * qual
    else:
        qual = math.nan
        total = quant

    if float(pop.eligible_days[i]) < scheme.min_eligible_days:  # NaN (unknown): eligible
        review_flags |= _NOT_ELIGIBLE_BIT
    if excluded:
        review_flags |= _EXCLUDED_KPI_BIT
    if no_quant:
        review_flags |= _NO_QUANTITATIVE_BIT
    rated = review_flags == 0 and plan.low <= total <= plan.high
    if review_flags == 0 and not rated:
        review_flags |= _OUT_OF_SCALE_BIT
    if gated:
        review_flags |= _REVIEW_GATED_BIT

    out.score[:, i] = sc
    out.flags[:, i] = flags
    out.effective_weight[:, i] = eff
    out.contribution[:, i] = contribution
    out.category_score[:, i] = cat
    out.raw_quantitative[i] = raw
    out.quantitative[i] = quant
    out.qualitative[i] = qual
    out.total[i] = total if rated else math.nan
    out.rating_index[i] = bisect.bisect_right(one.edges, total) if rated else -1
    out.rated[i] = rated
    out.gated[i] = gated
    out.review_flags[i] = review_flags


def _qualitative_one(plan: ScoringPlan, pop: Population, i: int, crit_score: FloatArray) -> float:
    """Do what :func:`_qualitative` does for row ``i`` alone, on Python floats.

    Fills column ``i`` of ``crit_score`` (Q, N) and returns the qualitative part; the same
    operations in the same order as the array formulas.
    """
    one = plan.one
    ratings: list[list[float]] = pop.ratings[i].tolist()
    raters: list[list[int]] = pop.raters[i].tolist()
    source_weight, min_raters = one.source_weight, one.min_raters
    n_s = len(source_weight)
    scores: list[float] = []
    cwsum = num = 0.0
    for q, (low, span, weight) in enumerate(
        zip(one.crit_low, one.crit_span, one.crit_weight, strict=True)
    ):
        swsum = weighted = 0.0
        for s in range(n_s):
            if raters[q][s] >= min_raters[s]:
                sw = source_weight[s]
                term = 100.0 * (ratings[q][s] - low) / span * sw  # span > 0: Scale says so
            else:
                sw = term = 0.0  # the arrays' 0 x 0
            if s == 0:
                swsum, weighted = sw, term
            else:
                swsum += sw
                weighted += term
        cs = weighted / swsum if swsum > 0 else math.nan
        scores.append(cs)
        if cs == cs:  # noqa: PLR0124 - not NaN
            cw, part = weight, cs * weight
        else:
            cw = part = 0.0
        if q == 0:
            cwsum, num = cw, part
        else:
            cwsum += cw
            num += part
    crit_score[:, i] = scores
    return num / cwsum if cwsum > 0 else math.nan


def _qualitative(
    plan: ScoringPlan, pop: Population, lo: int, hi: int, crit_score: FloatArray
) -> FloatArray:
    """Fill ``crit_score`` (Q, B) and return the qualitative part of rows ``lo:hi``.

    Sums run over sources, then criteria, left to right: the order numpy's ``sum`` over these
    short axes uses, so the numbers match the (N, Q, S) array formulas bit for bit. Weights
    are >= 0, so ``include * weight`` is the weight or 0; where no weight counts the score is
    NaN (no score).

    No selections (``numpy.where`` costs several arithmetic passes): a left-out source's
    term is ``rating x 0``, which is +-0, or NaN for a NaN rating, and ``fmax(term, 0)``
    makes it 0 while it leaves every counted term alone (counted ratings are on their scale,
    as the population checks, so their terms are >= 0). The sums then equal those of the
    selection form. ``0 / 0`` (nothing counts) gives a NaN with its sign bit set; ``abs``
    clears it, so it is numpy's NaN, as elsewhere.
    """
    ratings, raters = pop.ratings[lo:hi], pop.raters[lo:hi]
    crit_low, crit_span = plan.crit_low.tolist(), plan.crit_span.tolist()
    crit_weight, source_weight = plan.crit_weight.tolist(), plan.source_weight.tolist()
    min_raters = plan.min_raters.tolist()
    cwsum: FloatArray | None = None
    num: FloatArray | None = None
    for q, (low, span) in enumerate(zip(crit_low, crit_span, strict=True)):
        swsum: FloatArray | None = None
        weighted: FloatArray | None = None
        for s, weight in enumerate(source_weight):
            sw = (raters[:, q, s] >= min_raters[s]) * weight
            term = ratings[:, q, s] - low
            term *= 100.0
            term /= span
            term *= sw
            np.fmax(term, 0.0, out=term)
            swsum = sw if swsum is None else swsum + sw
            weighted = term if weighted is None else weighted + term
        assert swsum is not None
        assert weighted is not None
        cs = np.divide(weighted, swsum, out=crit_score[q])
        np.abs(cs, out=cs)
        cw = ~np.isnan(cs) * crit_weight[q]
        part = cs * crit_weight[q]
        np.fmax(part, 0.0, out=part)  # no score (NaN) counts 0
        cwsum = cw if cwsum is None else cwsum + cw
        num = part if num is None else num + part
    assert cwsum is not None
    assert num is not None
    qual = num / cwsum
    np.abs(qual, out=qual)
    return qual


def _qualitative_few(
    plan: ScoringPlan, pop: Population, lo: int, hi: int, crit_score: FloatArray
) -> FloatArray:
    """Do what :func:`_qualitative` does on (B, Q, S) arrays: the same sums in the same order.

    On a handful of rows numpy's per-call cost dominates, and these formulas need a third of
    the calls; on many rows the short inner axes make them slow.
    """
    include = pop.raters[lo:hi] >= plan.min_raters
    sw = np.where(include, plan.source_weight, 0.0)
    qs = 100.0 * (pop.ratings[lo:hi] - plan.crit_low[:, None]) / plan.crit_span[:, None]
    swsum = sw.sum(axis=2)
    weighted = (np.where(include, qs, 0.0) * sw).sum(axis=2)
    cs = np.where(swsum > 0, weighted / swsum, np.nan)
    crit_score[...] = cs.T
    cw = np.where(np.isnan(cs), 0.0, plan.crit_weight)
    cwsum = cw.sum(axis=1)
    qual: FloatArray = np.where(
        cwsum > 0, (np.where(np.isnan(cs), 0.0, cs) * cw).sum(axis=1) / cwsum, np.nan
    )
    return qual
