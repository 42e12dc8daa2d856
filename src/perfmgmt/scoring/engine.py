"""The scoring engine: one computation for one review or a whole population.

``ScoringEngine.score(scheme, review)`` builds a population of one and returns
``score_batch(...).row(0)``: the scalar and batch results are the same code, so they can never
disagree. ``score_batch`` resolves the scheme into a cached :class:`ScoringPlan`, checks the
population, cuts it into blocks of rows and runs the steps of :mod:`perfmgmt.scoring.kernel`
on each block, on the calling thread or on the engine's worker threads. The results are
written into one block of memory, fresh or reused from a :class:`ScoreBuffers`;
``score_batches`` scores a stream of batches that way, one batch at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import ClassVar, cast

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._blocks import carve, layout_nbytes
from perfmgmt._parallel import BlockRunner, OwnsThreads, check_workers
from perfmgmt._typing import FlagArray, FloatArray
from perfmgmt.errors import ScoringError
from perfmgmt.model.cycle import Cycle
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring import kernel
from perfmgmt.scoring.buffers import ScoreBuffers, result_nbytes
from perfmgmt.scoring.card import BatchScores, ScoreCard
from perfmgmt.scoring.flags import KpiFlag, ReviewFlag
from perfmgmt.scoring.plan import ScoringPlan, make_plan
from perfmgmt.scoring.population import Population
from perfmgmt.scoring.registry import ScorerRegistry, default_registry
from perfmgmt.scoring.scorers import CheckedScorer
from perfmgmt.scoring.stream import DEFAULT_BATCH_SIZE, iter_populations

__all__ = ["ScoringEngine", "ScoringPlan"]

_CACHE_SIZE = 64

#: Rows scored together on one thread: small enough for a block's temporaries to stay in the
#: CPU cache, large enough for numpy's per-call overhead not to matter.
_BLOCK = 16384

#: Rows scored together when threads work side by side.  Each numpy call hands the
#: interpreter lock to another thread and must win it back when it returns; on blocks of
#: 16,384 rows the calls are so short that the handovers cost more than the second thread
#: gains (measured: 2 threads no faster than 1), on 65,536 rows they are long enough for the
#: threads to overlap (1.5x on 2 cores), at no cost to one thread.
PARALLEL_BLOCK = 65536

#: From this many result bytes on, the result arrays are views of one buffer.
_ONE_BUFFER = 1 << 20


class ScoringEngine(OwnsThreads):
    """Score reviews against a scheme, one at a time or as a population.

    Args:
        registry: Where scorer names are resolved; the built-ins by default.
        workers: Threads that score blocks of a large population side by side (numpy
            releases the GIL in its loops); 1 scores in the calling thread. Every review
            goes through the same operations in any block on any thread, so the results are
            bit-identical either way. Custom scorers must then be safe to call from several
            threads at once (pure functions of their arguments are).
        block_rows: Rows scored together; by default 16,384 on one thread and 65,536 with
            ``workers > 1`` (each numpy call then runs long enough for the other threads to
            work meanwhile). Pass 65,536 to an engine that several threads of your own call
            at once. No result depends on it.

    With ``workers > 1`` the engine owns a thread pool, started by the first population of
    more than one block and shared by later calls until :meth:`close` or the end of a
    ``with`` block; after ``close`` the engine still works.

    Raises:
        ScoringError: When ``workers`` or ``block_rows`` is not a whole number >= 1.
    """

    _CACHES: ClassVar[dict[str, Callable[[], object]]] = {"_plans": dict}

    def __init__(
        self,
        registry: ScorerRegistry | None = None,
        *,
        workers: int = 1,
        block_rows: int | None = None,
    ) -> None:
        self._runner = BlockRunner(
            check_workers("ScoringEngine", workers, ScoringError), "perfmgmt-scoring"
        )
        if block_rows is not None and (
            not isinstance(block_rows, int) or isinstance(block_rows, bool) or block_rows < 1
        ):
            raise ScoringError(
                f"ScoringEngine.block_rows: {block_rows!r} is not allowed; expected a whole "
                "number >= 1, or None for the default"
            )
        self._block_rows = block_rows
        self.registry = default_registry if registry is None else registry
        self._plans: dict[str, ScoringPlan] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        workers = self._runner.workers
        extra = f", workers={workers}" if workers > 1 else ""
        if self._block_rows is not None:
            extra += f", block_rows={self._block_rows}"
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
            plan = make_plan(scheme, self.registry)
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

    def score_batch(
        self, scheme: Scheme, population: Population, *, out: ScoreBuffers | None = None
    ) -> BatchScores:
        """Score every review of ``population`` against ``scheme``.

        Args:
            scheme: The scheme.
            population: The reviews, built for this scheme.
            out: Memory to write the results into, reused from earlier calls when nothing
                refers to their results any more (see :class:`ScoreBuffers`). The results are
                bit-identical to those of a call without it.

        Raises:
            ScoringError: When the population was built for other KPIs, criteria or sources,
                or a row's bounds are refused by its scorer (e.g. a zero ratio target), or
                ``out`` is not a ScoreBuffers.
        """
        plan = self.plan(scheme)
        _check_population(plan, population)
        if out is not None and not isinstance(out, ScoreBuffers):
            raise ScoringError(
                f"score_batch: out is a {type(out).__name__}; expected ScoreBuffers or None"
            )
        rows = self._block_rows
        if rows is None:
            rows = _BLOCK if self._runner.workers == 1 else PARALLEL_BLOCK
        return _score(plan, population, self._runner, out, rows)

    def score_batches(
        self,
        scheme: Scheme,
        batches: object,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        buffers: ScoreBuffers | None = None,
    ) -> Iterator[BatchScores]:
        """Score a stream of batches, one at a time, in memory proportional to one batch.

        Each batch is scored by :meth:`score_batch` into reused result memory, so a stream
        that drops each result before the next one (a ``for`` loop that writes results out)
        runs in the memory of about two batches, whatever its length. Results equal those
        of one ``score_batch`` on the whole population, row for row.

        Args:
            scheme: The scheme.
            batches: What :func:`iter_populations` reads: Populations, frames or Arrow
                record batches, a pyarrow Table or a ``pyarrow.parquet.ParquetFile``.
            batch_size: Rows per batch where this side cuts the input (tables, files,
                frames); batches given one by one are scored as they come.
            buffers: The result memory to reuse; by default a new :class:`ScoreBuffers`
                for this stream.

        Yields:
            One :class:`BatchScores` per batch, in input order.

        Raises:
            ScoringError: As :meth:`score_batch` and :func:`iter_populations`, when the
                batch that fails is reached; when ``buffers`` is not a ScoreBuffers, on the
                first ``next``.
        """
        if buffers is not None and not isinstance(buffers, ScoreBuffers):
            raise ScoringError(
                f"score_batches: buffers is a {type(buffers).__name__}; expected ScoreBuffers "
                "or None"
            )
        memory = ScoreBuffers() if buffers is None else buffers
        for population in iter_populations(scheme, batches, batch_size=batch_size):
            yield self.score_batch(scheme, population, out=memory)


def _check_population(plan: ScoringPlan, pop: Population) -> None:
    scheme = plan.scheme
    if pop.kpi_keys != plan.kpi_keys:
        raise ScoringError(
            f"Population KPIs {list(pop.kpi_keys)} do not match scheme {scheme.key!r} KPIs "
            f"{list(scheme.kpi_keys)}; build the population from this scheme"
        )
    crit, src = plan.criterion_keys, plan.source_keys
    if pop.criterion_keys != crit or pop.source_keys != src:
        raise ScoringError(
            f"Population criteria/sources {list(pop.criterion_keys)}/{list(pop.source_keys)} do "
            f"not match scheme {scheme.key!r}: {list(crit)}/{list(src)}"
        )


def _score(
    plan: ScoringPlan,
    pop: Population,
    runner: BlockRunner,
    buffers: ScoreBuffers | None,
    rows: int,
) -> BatchScores:
    n, k = pop.actual.shape
    out = _Out.empty(n, k, len(plan.category_keys), len(plan.criterion_keys), buffers)

    def block(bounds: tuple[int, int]) -> None:
        # NaN and inf are handled explicitly (missing data, 0/0 = no score), so numpy's
        # warnings are noise here (errstate is per thread).
        with np.errstate(all="ignore"):
            _score_block(plan, pop, bounds[0], bounds[1], out)

    _check_bounds(plan, pop)
    # Each row goes through the same operations in the same order in any block, so no result
    # depends on the block size, on N or on the thread that scored it.
    runner.run(block, [(lo, min(lo + rows, n)) for lo in range(0, n, rows)])
    return BatchScores(
        scheme_key=plan.scheme.key,
        scheme_hash=plan.scheme.content_hash,
        subject_ids=pop._ids,  # an Arrow id column stays one (no million str)
        kpi_keys=plan.kpi_keys,
        category_keys=plan.category_keys,
        rating_labels=plan.rating_labels,
        actual=pop.actual,
        threshold=pop.threshold,
        target=pop.target,
        stretch=pop.stretch,
        achievement=out.achievement.T,
        score=out.score.T,
        nominal_weight=plan.nominal_weight if pop.nominal_weight is None else pop.nominal_weight,
        prorations=pop.prorations,
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
        min_sample=plan.min_sample,
        scorer_params=plan.scorer_params,
        gate_threshold=plan.gate_threshold,
        gate_cap=plan.gate_cap,
        measured_share=out.measured_share,
        min_measured_share=plan.min_measured_share,
        rating_bands=tuple((b.label, b.lower, b.upper) for b in plan.scheme.rating_scale.bands),
        source_keys=plan.source_keys,
        source_weight=plan.source_weight,
        min_raters=plan.min_raters,
        criterion_low=plan.crit_low,
        criterion_target=plan.crit_low + plan.crit_span,
        ratings=pop.ratings,
        raters=pop.raters,
    )


def _score_block(plan: ScoringPlan, pop: Population, lo: int, hi: int, out: _Out) -> None:
    """Run the steps of :mod:`perfmgmt.scoring.kernel` on rows ``lo:hi``, into ``out``."""
    rows = slice(lo, hi)
    actual = np.ascontiguousarray(pop.actual[rows].T)  # (K, B): one row per KPI
    bounds = (pop.threshold[rows].T, pop.target[rows].T, pop.stretch[rows].T)
    achievement, score = out.achievement[:, rows], out.score[:, rows]
    flags = out.flags[:, rows]
    weight, contribution = out.effective_weight[:, rows], out.contribution[:, rows]

    kernel.score_kpis(
        plan,
        actual,
        bounds,
        achievement=achievement,
        score=score,
        subject_ids=pop._ids[rows],
    )
    unusable, insufficient = kernel.flag_unusable_data(plan, actual, pop.sample_size[rows].T, flags)
    zeroed, excluded = kernel.apply_missing_policies(
        plan, unusable, insufficient, achievement, score
    )
    nominal = None if pop.nominal_weight is None else pop.nominal_weight[rows].T
    none_measured, measured_share = kernel.effective_weights(
        plan, unusable, zeroed, flags, weight, nominal
    )
    out.measured_share[rows] = measured_share
    raw = kernel.quantitative_total(
        score,
        weight,
        unscored=unusable & ~zeroed,
        none_measured=none_measured,
        contribution=contribution,
        out=out.raw_quantitative[rows],
    )
    kernel.category_subtotals(plan, contribution, weight, out.category_score[:, rows])
    if pop.overridden.strides[0] != 0:
        flags |= pop.overridden[rows].T * np.uint8(KpiFlag.OVERRIDDEN_TARGET)
    quantitative = out.quantitative[rows]
    gate_held = kernel.apply_gates(
        plan, actual, unusable=unusable, raw=raw, flags=flags, out=quantitative
    )

    total = out.total[rows]
    qualitative = out.qualitative[rows]
    if plan.criterion_keys:
        qualitative[...] = kernel.qualitative_part(
            plan, pop.ratings[rows], pop.raters[rows], out.criterion_score[:, rows]
        )
        kernel.blend(plan.scheme.quantitative_share, quantitative, qualitative, total)
    else:
        qualitative[...] = np.nan
        np.copyto(total, quantitative)
    kernel.round_to_resolution(
        out.category_score[:, rows],
        out.criterion_score[:, rows],
        raw,
        quantitative,
        qualitative,
        total,
    )
    rated, review_flags = kernel.rate(
        plan,
        total,
        eligible_days=pop.eligible_days[rows],
        excluded=excluded,
        none_measured=none_measured,
        measured_share=measured_share,
        gate_held=gate_held,
        no_qualitative=np.isnan(qualitative) & bool(plan.criterion_keys),
        raw=raw,
        quantitative=quantitative,
        rating_index=out.rating_index[rows],
    )
    out.rated[rows] = rated
    out.gated[rows] = (review_flags & np.uint8(ReviewFlag.GATED)) != 0
    out.review_flags[rows] = review_flags


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
    flags: FlagArray
    category_score: FloatArray
    criterion_score: FloatArray
    raw_quantitative: FloatArray
    quantitative: FloatArray
    qualitative: FloatArray
    total: FloatArray
    measured_share: FloatArray
    rating_index: npt.NDArray[np.int64]
    rated: npt.NDArray[np.bool_]
    gated: npt.NDArray[np.bool_]
    review_flags: FlagArray

    @classmethod
    def empty(cls, n: int, k: int, c: int, q: int, buffers: ScoreBuffers | None = None) -> _Out:
        """Allocate the arrays for ``n`` reviews as views of one buffer.

        One large allocation is faulted in far faster than many (the kernel can back it with
        huge pages), and it frees as one when the last result array goes. With ``buffers``
        the views are carved from a block they hand out (memory already mapped).
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
            ("measured_share", (n,), np.float64),
            ("rating_index", (n,), np.int64),
            ("flags", (k, n), np.uint8),
            ("rated", (n,), np.bool_),
            ("gated", (n,), np.bool_),
            ("review_flags", (n,), np.uint8),
        ]
        if buffers is None and result_nbytes(n, k, c, q) < _ONE_BUFFER:
            return cls(**{name: np.empty(shape, dtype=dt) for name, shape, dt in layout})
        # the block's size comes from the layout itself (result_nbytes, which ScoreBuffers
        # reserves by, is pinned equal to it by a test); 8-byte items come first, so every
        # view is aligned
        nbytes = layout_nbytes(layout)
        buf = np.empty(nbytes, dtype=np.uint8) if buffers is None else buffers.take(nbytes)
        return cls(**carve(buf, layout))


def _check_bounds(plan: ScoringPlan, pop: Population) -> None:
    """Let checked scorers refuse per-row bounds (the scheme's defaults passed the plan)."""
    if pop.target.strides[0] == 0 or len(pop) == 0:
        return
    for j in plan.checked_cols:
        scorer = cast("CheckedScorer", plan.scorers[j])
        th, tg, st = pop.threshold[:, j], pop.target[:, j], pop.stretch[:, j]
        with np.errstate(all="ignore"):
            bad = scorer.check(th, tg, st)
        if bad is not None:
            i = int(np.argmax(bad[0]))
            raise ScoringError(
                f"review of {pop.subject_ids[i]!r}, KPI {plan.kpi_keys[j]!r}: "
                f"threshold/target/stretch ({float(th[i])!r}, {float(tg[i])!r}, "
                f"{float(st[i])!r}) refused: {bad[1]}"
            )
