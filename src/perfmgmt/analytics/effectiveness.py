"""Effectiveness of a running scheme: which KPIs differentiate or repeat, who rates kindly.

:func:`effectiveness` reads one or more past cycles' :class:`~perfmgmt.scoring.BatchScores` and
reports per KPI its spread, ceiling and floor effects, target attainability and correlations;
:func:`rater_leniency` summarises raters from reviews' assessments; :func:`backtest` scores
past cycles under a proposed scheme and reports what would have changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np

from perfmgmt._typing import FloatArray
from perfmgmt.analytics.compare import Comparison, compare
from perfmgmt.errors import ValidationError
from perfmgmt.model.incentive import BonusPool
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring.card import BatchScores
from perfmgmt.scoring.engine import ScoringEngine
from perfmgmt.scoring.population import Population
from perfmgmt.scoring.registry import default_registry

__all__ = [
    "BackTest",
    "EffectivenessReport",
    "KpiEffectiveness",
    "RaterStats",
    "backtest",
    "effectiveness",
    "rater_leniency",
]


_EDGE = 1e-9  # a score within this of the cap or floor counts as at it


@attrs.frozen(kw_only=True)
class KpiEffectiveness:
    """How one KPI behaved over the scored reviews.

    Attributes:
        key: The KPI key.
        scored: Reviews where the KPI was scored.
        mean: Mean score.
        sd: Standard deviation of the score (does it differentiate?).
        at_cap: Share of scored reviews at the scorer's cap (ceiling effect).
        at_floor: Share at the scorer's floor (floor effect).
        met_target: Share scoring 100 or more (target attainability).
        corr_total: Pearson correlation of the score with the total (NaN when undefined).
        most_similar: The other KPI whose score correlates most with this one, if any.
        corr_most_similar: That correlation (NaN when undefined).
    """

    key: str
    scored: int
    mean: float
    sd: float
    at_cap: float
    at_floor: float
    met_target: float
    corr_total: float
    most_similar: str | None
    corr_most_similar: float


@attrs.frozen(kw_only=True, eq=False)
class EffectivenessReport:
    """Per-KPI effectiveness and the KPI score correlation matrix.

    Attributes:
        scheme_key: The scheme.
        reviews: Number of reviews read (over all cycles).
        kpis: One entry per KPI, scheme order.
        correlation: float64 ``(K, K)`` Pearson correlations of KPI scores (pairwise complete).
    """

    scheme_key: str
    reviews: int
    kpis: tuple[KpiEffectiveness, ...]
    correlation: FloatArray

    def kpi(self, key: str) -> KpiEffectiveness:
        """Return the entry of KPI ``key``.

        Raises:
            ValidationError: When there is no such KPI.
        """
        for k in self.kpis:
            if k.key == key:
                return k
        raise ValidationError(
            f"EffectivenessReport.kpi: no KPI {key!r}; the KPIs are {[k.key for k in self.kpis]}",
            field="key",
            value=key,
        )

    def redundant_pairs(self, threshold: float = 0.9) -> tuple[tuple[str, str, float], ...]:
        """Return KPI pairs whose scores correlate at least ``threshold`` (redundant KPIs)."""
        keys = [k.key for k in self.kpis]
        out = []
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                r = float(self.correlation[i, j])
                if not math.isnan(r) and r >= threshold:
                    out.append((keys[i], keys[j], r))
        return tuple(out)

    def flags(
        self, *, min_sd: float = 5.0, max_edge_share: float = 0.5, redundant: float = 0.9
    ) -> tuple[str, ...]:
        """Return plain sentences for KPIs that do little work.

        Args:
            min_sd: A score spread below this many points does not differentiate.
            max_edge_share: More than this share at the cap (or floor) is a ceiling (floor)
                effect.
            redundant: Correlation at or above which two KPIs measure the same thing.
        """
        out: list[str] = []
        for k in self.kpis:
            if k.scored and k.sd < min_sd:
                out.append(
                    f"{k.key}: scores spread only {k.sd:.1f} points; it hardly differentiates"
                )
            if k.at_cap > max_edge_share:
                out.append(f"{k.key}: {k.at_cap:.0%} score at the cap (ceiling effect)")
            if k.at_floor > max_edge_share:
                out.append(f"{k.key}: {k.at_floor:.0%} score at the floor (floor effect)")
        out.extend(
            f"{a} and {b}: scores correlate {r:.2f}; one may be redundant"
            for a, b, r in self.redundant_pairs(redundant)
        )
        return tuple(out)

    def to_records(self) -> list[dict[str, object]]:
        """Return one dict per KPI."""
        return [attrs.asdict(k) for k in self.kpis]


def _pearson(x: FloatArray, y: FloatArray) -> float:
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 2:
        return math.nan
    xs, ys = x[ok] - x[ok].mean(), y[ok] - y[ok].mean()
    den = math.sqrt(float((xs * xs).sum()) * float((ys * ys).sum()))
    return float((xs * ys).sum() / den) if den > 0 else math.nan


def effectiveness(
    scheme: Scheme, batches: BatchScores | Sequence[BatchScores]
) -> EffectivenessReport:
    """Measure how each KPI of ``scheme`` behaved over one or more scored cycles.

    Scores at the cap or floor are judged against each KPI's scorer as resolved in the default
    registry. Correlations use the reviews where both values are known.

    Raises:
        ValidationError: When a batch was scored under another scheme's KPIs.
    """
    items = [batches] if isinstance(batches, BatchScores) else list(batches)
    for b in items:
        if b.kpi_keys != scheme.kpi_keys:
            raise ValidationError(
                f"effectiveness: a batch has KPIs {list(b.kpi_keys)}, scheme {scheme.key!r} has "
                f"{list(scheme.kpi_keys)}",
                field="batches",
                value=b.kpi_keys,
            )
    k = len(scheme.kpis)
    score = np.concatenate([b.score for b in items]) if items else np.empty((0, k))
    total = np.concatenate([b.total for b in items]) if items else np.empty(0)
    corr = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            corr[i, j] = corr[j, i] = _pearson(score[:, i], score[:, j])
    out = []
    for j, kpi in enumerate(scheme.kpis):
        scorer = default_registry.resolve(kpi.scoring, kpi)
        col = score[:, j]
        seen = col[~np.isnan(col)]
        m = seen.size
        others = [(corr[j, o], scheme.kpis[o].key) for o in range(k) if o != j]
        others = [(r, key) for r, key in others if not math.isnan(r)]
        best = max(others) if others else (math.nan, None)
        out.append(
            KpiEffectiveness(
                key=kpi.key,
                scored=int(m),
                mean=float(seen.mean()) if m else math.nan,
                sd=float(seen.std()) if m else math.nan,
                at_cap=float((seen >= scorer.cap - _EDGE).mean()) if m else math.nan,
                at_floor=float((seen <= scorer.floor + _EDGE).mean()) if m else math.nan,
                met_target=float((seen >= 100.0 - _EDGE).mean()) if m else math.nan,
                corr_total=_pearson(col, total),
                most_similar=best[1],
                corr_most_similar=float(best[0]),
            )
        )
    return EffectivenessReport(
        scheme_key=scheme.key, reviews=int(score.shape[0]), kpis=tuple(out), correlation=corr
    )


@attrs.frozen(kw_only=True)
class RaterStats:
    """Leniency statistics of one rater.

    Ratings are put on a 0-1 position on their scale so raters using different scales compare.

    Attributes:
        rater_id: The rater.
        ratings: Number of ratings given.
        mean: Mean position on the scale (0 = lowest, 1 = highest).
        offset: ``mean`` minus the mean of all ratings (positive = lenient).
        z: ``offset`` over its standard error (NaN with fewer than two ratings).
        top_share: Share of ratings at the top of the scale.
    """

    rater_id: str
    ratings: int
    mean: float
    offset: float
    z: float
    top_share: float


def rater_leniency(scheme: Scheme, reviews: Sequence[Review]) -> tuple[RaterStats, ...]:
    """Return leniency statistics per rater, most lenient first.

    Ratings are read from the reviews' assessments on the scale the rater used (or the
    criterion's); assessments of criteria the scheme does not have are ignored.
    """
    scales = {c.key: c.scale for c in scheme.criteria}
    by_rater: dict[str, list[tuple[float, bool]]] = {}
    for review in reviews:
        for a in review.assessments:
            scale = a.scale or scales.get(a.criterion)
            if scale is None:
                continue
            pos = (a.rating - scale.low) / (scale.high - scale.low)
            by_rater.setdefault(a.rater_id, []).append((pos, a.rating >= scale.high))
    everything = [p for values in by_rater.values() for p, _ in values]
    if not everything:
        return ()
    grand = float(np.mean(everything))
    spread = float(np.std(everything, ddof=1)) if len(everything) > 1 else math.nan
    out = []
    for rater, values in by_rater.items():
        given = np.array([p for p, _ in values])
        offset = float(given.mean()) - grand
        se = spread / math.sqrt(given.size) if given.size > 1 and spread > 0 else math.nan
        out.append(
            RaterStats(
                rater_id=rater,
                ratings=int(given.size),
                mean=float(given.mean()),
                offset=offset,
                z=offset / se if not math.isnan(se) else math.nan,
                top_share=float(np.mean([top for _, top in values])),
            )
        )
    return tuple(sorted(out, key=lambda r: (-r.offset, r.rater_id)))


@attrs.frozen(kw_only=True, eq=False)
class BackTest:
    """Past cycles scored under the current and a proposed scheme.

    Attributes:
        cycles: Cycle keys, in the order given.
        comparisons: One :class:`~perfmgmt.analytics.compare.Comparison` per cycle.
    """

    cycles: tuple[str, ...]
    comparisons: tuple[Comparison, ...]

    def comparison(self, cycle: str) -> Comparison:
        """Return the comparison of ``cycle``.

        Raises:
            ValidationError: When there is no such cycle.
        """
        if cycle not in self.cycles:
            raise ValidationError(
                f"BackTest.comparison: no cycle {cycle!r}; the cycles are {list(self.cycles)}",
                field="cycle",
                value=cycle,
            )
        return self.comparisons[self.cycles.index(cycle)]

    def summary(self) -> list[dict[str, object]]:
        """Return one row per cycle: people, rating and outcome changes, cost before/after."""
        return [
            {"cycle": c, **cmp.summary()}
            for c, cmp in zip(self.cycles, self.comparisons, strict=True)
        ]


def backtest(
    current: Scheme,
    proposed: Scheme,
    cycles: Mapping[str, Population],
    *,
    pool: BonusPool | None = None,
    engine: ScoringEngine | None = None,
    evaluator: RuleEvaluator | None = None,
) -> BackTest:
    """Score past cycles under ``current`` and ``proposed`` and report what would have changed.

    Args:
        current: The scheme the cycles ran under.
        proposed: The scheme to test.
        cycles: Past cycles' populations by cycle key, oldest first.
        pool: Bonus pool settings applied under both schemes.
        engine: The scoring engine (shared across cycles).
        evaluator: The rule evaluator (shared across cycles).
    """
    engine = engine or ScoringEngine()
    evaluator = evaluator or RuleEvaluator(trace=False)
    comparisons = tuple(
        compare(current, proposed, pop, engine=engine, evaluator=evaluator, pool=pool)
        for pop in cycles.values()
    )
    return BackTest(cycles=tuple(cycles), comparisons=comparisons)
