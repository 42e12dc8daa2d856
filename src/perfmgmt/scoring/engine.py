"""The scoring engine: one vectorised implementation for one review or a whole population.

``ScoringEngine.score(scheme, review)`` builds a population of one and returns
``score_batch(...).row(0)``, so the scalar and batch results can never disagree.

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

import threading
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt.errors import ScoringError
from perfmgmt.model.cycle import Cycle
from perfmgmt.model.indicator import Direction
from perfmgmt.model.kpi import GateEffect, MissingPolicy
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring.card import BatchScores, ReviewFlag, ScoreCard
from perfmgmt.scoring.population import Population
from perfmgmt.scoring.registry import ScorerRegistry, default_registry
from perfmgmt.scoring.scorers import CheckedScorer, Scorer

__all__ = ["ScoringEngine", "ScoringPlan"]

FloatArray = npt.NDArray[np.float64]

_CACHE_SIZE = 64


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


def _plan(scheme: Scheme, registry: ScorerRegistry) -> ScoringPlan:
    scorers = tuple(registry.resolve(k.scoring, k) for k in scheme.kpis)
    cat_pos = {c.key: i for i, c in enumerate(scheme.categories)}
    gate_sign = np.zeros(len(scheme.kpis))
    gate_th = np.full(len(scheme.kpis), np.nan)
    gate_cap = np.full(len(scheme.kpis), np.nan)
    for j, k in enumerate(scheme.kpis):
        if k.gate is None:
            continue
        if k.indicator.direction is Direction.TARGET_IS_BEST:
            raise ScoringError(
                f"KPI {k.key!r}: a gate on a target-is-best indicator has no wrong side; remove "
                "the gate or make the indicator higher- or lower-is-better"
            )
        gate_sign[j] = 1.0 if k.indicator.direction is Direction.HIGHER_IS_BETTER else -1.0
        gate_th[j] = k.gate.threshold
        if k.gate.effect is GateEffect.CAP:
            assert k.gate.cap is not None
            gate_cap[j] = k.gate.cap
    nominal = scheme.nominal_weights()
    return ScoringPlan(
        scheme=scheme,
        scorers=scorers,
        nominal_weight=np.array([nominal[k.key] for k in scheme.kpis]),
        category_index=np.array([cat_pos[k.category] for k in scheme.kpis], dtype=np.intp),
        category_weight=np.array([c.weight for c in scheme.categories]),
        min_sample=np.array([k.min_sample for k in scheme.kpis], dtype=np.int64),
        policy=tuple(k.missing for k in scheme.kpis),
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
        checked=tuple(isinstance(sc, CheckedScorer) for sc in scorers),
    )


class ScoringEngine:
    """Score reviews against a scheme, one at a time or as a population.

    Args:
        registry: Where scorer names are resolved; the built-ins by default.
    """

    def __init__(self, registry: ScorerRegistry | None = None) -> None:
        self.registry = default_registry if registry is None else registry
        self._plans: dict[str, ScoringPlan] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ScoringEngine(registry={self.registry!r})"

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
        _check_population(scheme, population)
        return _score(plan, population)


def _check_population(scheme: Scheme, pop: Population) -> None:
    if pop.kpi_keys != scheme.kpi_keys:
        raise ScoringError(
            f"Population KPIs {list(pop.kpi_keys)} do not match scheme {scheme.key!r} KPIs "
            f"{list(scheme.kpi_keys)}; build the population from this scheme"
        )
    crit = tuple(c.key for c in scheme.criteria)
    src = tuple(s.key for s in scheme.sources)
    if pop.criterion_keys != crit or pop.source_keys != src:
        raise ScoringError(
            f"Population criteria/sources {list(pop.criterion_keys)}/{list(pop.source_keys)} do "
            f"not match scheme {scheme.key!r}: {list(crit)}/{list(src)}"
        )


def _row_sum(a: FloatArray, cols: Sequence[int] | range) -> FloatArray:
    """Sum the columns ``cols`` of ``a`` left to right.

    The order is the same for every N, so a row's result never depends on the size of the
    batch it is scored in (BLAS kernels would not guarantee that).
    """
    it = iter(cols)
    out = a[:, next(it)].copy()
    for j in it:
        out += a[:, j]
    return out


def _score(plan: ScoringPlan, pop: Population) -> BatchScores:
    scheme = plan.scheme
    n, k = pop.actual.shape
    actual = pop.actual
    achievement = np.empty((n, k))
    score = np.empty((n, k))
    flags = np.zeros((n, k), dtype=np.uint8)
    # Rows counted per KPI with missing or insufficient data, by policy.
    excluded = np.zeros(n, dtype=bool)
    scored = np.empty((n, k), dtype=bool)
    gate_zero = np.zeros(n, dtype=bool)
    gate_cap = np.full(n, np.inf)
    ss = pop.sample_size
    for j, scorer in enumerate(plan.scorers):
        a = actual[:, j]
        th, tg, st = pop.threshold[:, j], pop.target[:, j], pop.stretch[:, j]
        with np.errstate(all="ignore"):
            if plan.checked[j] and pop.target.strides[0] != 0:
                assert isinstance(scorer, CheckedScorer)
                bad = scorer.check(th, tg, st)
                if bad is not None:
                    i = int(np.argmax(bad[0]))
                    raise ScoringError(
                        f"review of {pop.subject_ids[i]!r}, KPI {scheme.kpis[j].key!r}: "
                        f"threshold/target/stretch ({float(th[i])!r}, {float(tg[i])!r}, "
                        f"{float(st[i])!r}) refused: {bad[1]}"
                    )
            ach, sc = scorer(a, th, tg, st)
        missing = np.isnan(a)
        broken = ~missing & np.isnan(sc)
        if broken.any():
            i = int(np.argmax(broken))
            raise ScoringError(
                f"review of {pop.subject_ids[i]!r}, KPI {scheme.kpis[j].key!r}: scorer "
                f"{scheme.kpis[j].scoring.scorer!r} returned NaN for actual {float(a[i])!r}"
            )
        col_flags = missing.astype(np.uint8)
        min_s = int(plan.min_sample[j])
        if min_s > 0:
            s_col = ss[:, j]
            insufficient = ~missing & (s_col >= 0) & (s_col < min_s)
            col_flags |= insufficient.astype(np.uint8) << 1
            bad_rows = missing | insufficient
        else:
            bad_rows = missing
        policy = plan.policy[j]
        if policy is MissingPolicy.ZERO:
            sc = np.where(bad_rows, 0.0, sc)
            col_flags |= bad_rows.astype(np.uint8) << 3
            scored[:, j] = True
        else:
            sc = np.where(bad_rows, np.nan, sc)
            scored[:, j] = ~bad_rows
            if policy is MissingPolicy.REALLOCATE:
                col_flags |= bad_rows.astype(np.uint8) << 2
            else:
                col_flags |= bad_rows.astype(np.uint8) << 4
                excluded |= bad_rows
        achievement[:, j] = ach
        np.copyto(achievement[:, j], np.nan, where=bad_rows)
        score[:, j] = sc
        gs = plan.gate_sign[j]
        if gs != 0.0:
            fired = ~bad_rows & (gs * a < gs * plan.gate_threshold[j])
            col_flags |= fired.astype(np.uint8) << 5
            cap = plan.gate_cap[j]
            if np.isnan(cap):
                gate_zero |= fired
            else:
                gate_cap = np.where(fired, np.minimum(gate_cap, cap), gate_cap)
        flags[:, j] = col_flags
    if pop.overridden.strides[0] != 0:
        flags |= pop.overridden.astype(np.uint8) << 6

    # Effective weights: nominal weights of scored KPIs, rescaled per row (in place, to keep
    # the peak memory low on large populations).
    eff = np.multiply(scored, plan.nominal_weight)
    wsum = _row_sum(eff, range(k))
    no_quant = ~(wsum > 0)
    with np.errstate(all="ignore"):
        eff /= np.where(no_quant, 1.0, wsum)[:, None]
        contribution = np.multiply(score, eff)
    np.copyto(contribution, 0.0, where=~scored)
    raw = _row_sum(contribution, range(k))
    raw[no_quant] = np.nan

    # Category subtotals: Σ score x nominal / Σ nominal over scored KPIs of the category, which
    # equals Σ contribution / Σ effective weight (the per-row rescaling cancels).
    cat_score = np.empty((n, len(scheme.categories)))
    for c in range(len(scheme.categories)):
        cols = np.flatnonzero(plan.category_index == c).tolist()
        with np.errstate(all="ignore"):
            cat_score[:, c] = _row_sum(contribution, cols) / _row_sum(eff, cols)

    gated = gate_zero | np.isfinite(gate_cap)
    quant = np.minimum(raw, gate_cap)
    quant = np.where(gate_zero, np.minimum(quant, 0.0), quant)
    gated &= ~no_quant

    # Qualitative part.
    review_flags = np.zeros(n, dtype=np.uint8)
    n_q = len(scheme.criteria)
    if n_q:
        include = pop.raters >= plan.min_raters
        sw = np.where(include, plan.source_weight, 0.0)
        with np.errstate(all="ignore"):
            qs = 100.0 * (pop.ratings - plan.crit_low[:, None]) / plan.crit_span[:, None]
            swsum = sw.sum(axis=2)
            weighted = (np.where(include, qs, 0.0) * sw).sum(axis=2)
            crit_score = np.where(swsum > 0, weighted / swsum, np.nan)
            cw = np.where(np.isnan(crit_score), 0.0, plan.crit_weight)
            cwsum = cw.sum(axis=1)
            qual = np.where(
                cwsum > 0,
                (np.where(np.isnan(crit_score), 0.0, crit_score) * cw).sum(1) / cwsum,
                np.nan,
            )
        no_qual = np.isnan(qual)
        review_flags |= no_qual.astype(np.uint8) * np.uint8(ReviewFlag.NO_QUALITATIVE)
        share = scheme.quantitative_share
        total = share * quant + (1.0 - share) * qual
    else:
        crit_score = np.empty((n, 0))
        qual = np.full(n, np.nan)
        total = quant.copy()

    ed = pop.eligible_days
    not_eligible = ed < scheme.min_eligible_days  # NaN (unknown) compares False: eligible
    review_flags |= not_eligible.astype(np.uint8) * np.uint8(ReviewFlag.NOT_ELIGIBLE)
    review_flags |= excluded.astype(np.uint8) * np.uint8(ReviewFlag.EXCLUDED_KPI)
    review_flags |= no_quant.astype(np.uint8) * np.uint8(ReviewFlag.NO_QUANTITATIVE)
    unrated = review_flags != 0
    with np.errstate(invalid="ignore"):
        out = ~unrated & ~((total >= plan.low) & (total <= plan.high))
    review_flags |= out.astype(np.uint8) * np.uint8(ReviewFlag.OUT_OF_SCALE)
    rated = ~(unrated | out)
    review_flags |= gated.astype(np.uint8) * np.uint8(ReviewFlag.GATED)
    total = np.where(rated, total, np.nan)
    rating_index = np.where(
        rated, np.searchsorted(plan.edges, np.where(rated, total, plan.low), side="right"), -1
    ).astype(np.int64)

    return BatchScores(
        scheme_key=scheme.key,
        scheme_hash=scheme.content_hash,
        subject_ids=pop.subject_ids,
        kpi_keys=scheme.kpi_keys,
        category_keys=scheme.category_keys,
        rating_labels=scheme.rating_scale.labels,
        actual=actual,
        threshold=pop.threshold,
        target=pop.target,
        stretch=pop.stretch,
        achievement=achievement,
        score=score,
        nominal_weight=plan.nominal_weight,
        effective_weight=eff,
        contribution=contribution,
        flags=flags,
        category_score=cat_score,
        quantitative=quant,
        qualitative=qual,
        total=total,
        rating_index=rating_index,
        rated=rated,
        gated=gated,
        eligible_fraction=np.asarray(pop.eligible_fraction, dtype=np.float64),
        raw_quantitative=raw,
        review_flags=review_flags,
        criterion_keys=tuple(c.key for c in scheme.criteria),
        criterion_weight=plan.crit_weight,
        criterion_score=crit_score,
        category_weight=plan.category_weight,
        kpi_categories=tuple(kk.category for kk in scheme.kpis),
        scorer_names=tuple(kk.scoring.scorer for kk in scheme.kpis),
        directions=tuple(kk.indicator.direction.value for kk in scheme.kpis),
        quantitative_share=scheme.quantitative_share,
        sample_size=np.asarray(ss),
    )
