"""Tests for perfmgmt.scoring.buffers: reused result memory gives the same bits, never clobbers."""

from __future__ import annotations

import pickle
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model import Scheme
from perfmgmt.presets import customer_service_manager
from perfmgmt.scoring import BatchScores, Population, ScoreBuffers, ScoringEngine
from perfmgmt.scoring.buffers import result_nbytes
from perfmgmt.strategies import populations

SCHEME = customer_service_manager()
ENGINE = ScoringEngine()

#: The result arrays the engine writes (the others are the population's or the scheme's).
WRITTEN = (
    "achievement",
    "score",
    "effective_weight",
    "contribution",
    "flags",
    "category_score",
    "criterion_score",
    "raw_quantitative",
    "quantitative",
    "qualitative",
    "total",
    "measured_share",
    "rating_index",
    "rated",
    "gated",
    "review_flags",
)


def _arrays(batch: BatchScores) -> dict[str, bytes]:
    """Every array of a batch as bytes (C order), with its shape and dtype in the key."""
    out: dict[str, bytes] = {}
    for name in dir(batch):
        value = getattr(batch, name, None)
        if isinstance(value, np.ndarray) and value.dtype != object:
            out[f"{name}{value.shape}{value.dtype}"] = np.ascontiguousarray(value).tobytes()
    return out


def _population(n: int, seed: int = 0, scheme: Scheme = SCHEME) -> Population:
    """Return ``n`` reviews with gaps, small samples and ratings from a seeded generator."""
    rng = np.random.default_rng(seed)
    k, q, s = len(scheme.kpis), len(scheme.criteria), len(scheme.sources)
    targets = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
    actual = targets * rng.uniform(0.3, 1.7, (n, k))
    actual[rng.random((n, k)) < 0.1] = np.nan
    raters = rng.integers(0, 4, (n, q, s))
    return Population.from_arrays(
        scheme,
        subject_ids=[f"s{seed}-{i}" for i in range(n)],
        actual=actual,
        sample_size=np.where(np.isnan(actual), -1, rng.integers(0, 300, (n, k))),
        ratings=np.where(raters > 0, rng.uniform(1.0, 5.0, (n, q, s)), np.nan),
        raters=raters,
    )


def _scribble(buffers: ScoreBuffers, nbytes: int, seed: int) -> int:
    """Fill the block the next call will get with random bytes; return its address."""
    block = buffers.take(nbytes)
    block[...] = np.random.default_rng(seed).integers(0, 256, block.size, dtype=np.uint8)
    return int(block.ctypes.data)


def _address(batch: BatchScores) -> int:
    base = batch.total.base
    assert isinstance(base, np.ndarray)
    return int(base.ctypes.data)


class TestSameBits:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=populations(min_size=1, max_size=6))
    def test_reused_memory_full_of_garbage_gives_the_fresh_bits(
        self, case: tuple[Scheme, Population]
    ) -> None:
        """Every array scored into a reused block of random bytes equals a fresh call's."""
        scheme, pop = case
        fresh = _arrays(ENGINE.score_batch(scheme, pop))
        buffers = ScoreBuffers(slots=1)
        plan = ENGINE.plan(scheme)
        need = result_nbytes(
            len(pop), len(plan.kpi_keys), len(plan.category_keys), len(plan.criterion_keys)
        )
        address = _scribble(buffers, need + 64, seed=len(pop))
        reused = ENGINE.score_batch(scheme, pop, out=buffers)
        assert _address(reused) == address
        assert buffers.reused == 1
        assert _arrays(reused) == fresh
        assert list(reused.rows()) == list(ENGINE.score_batch(scheme, pop).rows())

    @pytest.mark.parametrize("n", [0, 1, 7, 40_000])
    def test_sizes_and_threads(self, n: int) -> None:
        """Empty, tiny and multi-block populations give the fresh bits, on one or two threads."""
        pop = _population(n, seed=n)
        fresh = _arrays(ENGINE.score_batch(SCHEME, pop))
        buffers = ScoreBuffers.for_scheme(SCHEME, n)
        with ScoringEngine(workers=2) as threaded:
            for engine in (ENGINE, threaded):
                _scribble(buffers, 0, seed=3)
                assert _arrays(engine.score_batch(SCHEME, pop, out=buffers)) == fresh
        assert buffers.allocated == 0

    def test_result_bytes_are_the_written_arrays(self) -> None:
        """result_nbytes counts exactly the bytes of the arrays the engine writes."""
        pop = _population(13)
        batch = ENGINE.score_batch(SCHEME, pop)
        written = sum(getattr(batch, name).nbytes for name in WRITTEN)
        k, c, q = len(SCHEME.kpis), len(SCHEME.category_keys), len(SCHEME.criteria)
        assert written == result_nbytes(13, k, c, q)
        # float64/int64 per review: 4 per KPI, 1 per category and criterion, 6 totals
        assert written == 13 * ((4 * k + c + q + 6) * 8 + (k + 3))


class TestOwnership:
    def test_a_result_still_held_is_never_overwritten(self) -> None:
        """While a result is referenced, the next call takes fresh memory and leaves it be."""
        buffers = ScoreBuffers(slots=1)
        first = ENGINE.score_batch(SCHEME, _population(50, 1), out=buffers)
        before = _arrays(first)
        second = ENGINE.score_batch(SCHEME, _population(50, 2), out=buffers)
        assert _arrays(first) == before
        assert not np.shares_memory(first.total, second.total)
        assert (buffers.allocated, buffers.reused) == (2, 0)

    def test_a_kept_array_keeps_its_block(self) -> None:
        """An array taken out of a dropped result still pins its memory."""
        buffers = ScoreBuffers(slots=1)
        batch = ENGINE.score_batch(SCHEME, _population(30, 1), out=buffers)
        total = batch.total
        kept = total.copy()
        del batch
        ENGINE.score_batch(SCHEME, _population(30, 2), out=buffers)
        assert total.tobytes() == kept.tobytes()
        assert buffers.reused == 0

    def test_arrow_and_pandas_tables_of_a_result_keep_their_numbers(self) -> None:
        """Tables made from a result (zero-copy or not) are unchanged by later calls."""
        buffers = ScoreBuffers(slots=1)
        batch = ENGINE.score_batch(SCHEME, _population(40, 1), out=buffers)
        table, frame = batch.to_arrow("full"), batch.to_pandas("full")
        want_table, want_frame = table.to_pylist(), frame.copy(deep=True)
        del batch
        for seed in (2, 3, 4):
            ENGINE.score_batch(SCHEME, _population(40, seed), out=buffers)
        assert table.to_pylist() == want_table
        assert frame.equals(want_frame)

    def test_a_dropped_result_frees_its_block(self) -> None:
        """Once nothing refers to a result, its block is written again."""
        buffers = ScoreBuffers(slots=1)
        batch = ENGINE.score_batch(SCHEME, _population(30, 1), out=buffers)
        address = _address(batch)
        del batch
        again = ENGINE.score_batch(SCHEME, _population(30, 2), out=buffers)
        assert _address(again) == address
        assert (buffers.allocated, buffers.reused) == (1, 1)
        assert buffers.in_use() == 1

    def test_collected_results_all_stay_right(self) -> None:
        """list(score_batches(...)) holds every batch's own numbers, not the last one's."""
        pops = [_population(20, seed) for seed in range(5)]
        buffers = ScoreBuffers()
        kept = list(ENGINE.score_batches(SCHEME, pops, buffers=buffers))
        for pop, batch in zip(pops, kept, strict=True):
            assert _arrays(batch) == _arrays(ENGINE.score_batch(SCHEME, pop))
        assert buffers.allocated == 5
        assert len({_address(b) for b in kept}) == 5

    def test_a_for_loop_alternates_two_blocks(self) -> None:
        """A loop that drops each result uses two blocks, whatever the stream's length."""
        buffers = ScoreBuffers()
        stream = ENGINE.score_batches(
            SCHEME, (_population(25, s) for s in range(8)), buffers=buffers
        )
        addresses = [_address(batch) for batch in stream]
        assert (buffers.allocated, buffers.reused) == (2, 6)
        assert len(set(addresses)) == 2
        assert buffers.nbytes == 2 * result_nbytes(25, 7, len(SCHEME.category_keys), 2)

    def test_a_larger_batch_replaces_a_small_free_block(self) -> None:
        """A free block too small is replaced, so the buffers hold at most ``slots`` blocks."""
        buffers = ScoreBuffers(slots=1)
        ENGINE.score_batch(SCHEME, _population(10), out=buffers)
        ENGINE.score_batch(SCHEME, _population(100), out=buffers)
        k, c, q = len(SCHEME.kpis), len(SCHEME.category_keys), len(SCHEME.criteria)
        assert buffers.nbytes == result_nbytes(100, k, c, q)
        ENGINE.score_batch(SCHEME, _population(60), out=buffers)
        assert (buffers.allocated, buffers.reused) == (2, 1)

    def test_for_scheme_maps_every_slot_up_front(self) -> None:
        """for_scheme holds ``slots`` blocks of the scheme's size; the first calls reuse them."""
        buffers = ScoreBuffers.for_scheme(SCHEME, 500, slots=3)
        k, c, q = len(SCHEME.kpis), len(SCHEME.category_keys), len(SCHEME.criteria)
        assert buffers.nbytes == 3 * result_nbytes(500, k, c, q)
        held = [ENGINE.score_batch(SCHEME, _population(500, s), out=buffers) for s in range(3)]
        assert (buffers.allocated, buffers.reused) == (0, 3)
        assert buffers.in_use() == 3
        del held
        assert buffers.in_use() == 0
        buffers.clear()
        assert buffers.nbytes == 0

    def test_threads_sharing_buffers_never_share_a_block(self) -> None:
        """Four threads scoring into one ScoreBuffers each get their own numbers."""
        buffers = ScoreBuffers(slots=2)
        pops = [_population(300, s) for s in range(4)]
        want = [_arrays(ENGINE.score_batch(SCHEME, p)) for p in pops]
        got: list[Any] = [None] * 4
        barrier = threading.Barrier(4)

        def work(i: int) -> None:
            barrier.wait()
            for _ in range(5):
                got[i] = _arrays(ENGINE.score_batch(SCHEME, pops[i], out=buffers))
                assert got[i] == want[i]

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == want


class TestRefused:
    @pytest.mark.parametrize("slots", [0, 65, True, 1.5, "2"])
    def test_bad_slots(self, slots: object) -> None:
        """The slot count must be a whole number from 1 to 64; the message names the field."""
        with pytest.raises(ValidationError, match=r"ScoreBuffers\.slots"):
            ScoreBuffers(slots=slots)  # type: ignore[arg-type]

    @pytest.mark.parametrize("reviews", [-1, None, 2.0, 10**9 + 1])
    def test_bad_reviews(self, reviews: object) -> None:
        """for_scheme needs a whole number of reviews from 0 to a billion."""
        with pytest.raises(ValidationError, match="reviews"):
            ScoreBuffers.for_scheme(SCHEME, reviews)  # type: ignore[arg-type]

    def test_bad_scheme(self) -> None:
        """for_scheme needs a Scheme, and says what it got."""
        with pytest.raises(ScoringError, match="expected a Scheme"):
            ScoreBuffers.for_scheme("scheme", 10)  # type: ignore[arg-type]

    @pytest.mark.parametrize("out", ["buffers", np.empty(1000, dtype=np.uint8), 0])
    def test_out_must_be_score_buffers(self, out: object) -> None:
        """score_batch(out=...) takes ScoreBuffers or None, nothing else."""
        with pytest.raises(ScoringError, match="expected ScoreBuffers"):
            ENGINE.score_batch(SCHEME, _population(3), out=out)  # type: ignore[arg-type]

    def test_take_refuses_a_negative_size(self) -> None:
        """ScoreBuffers.take names its argument when the size is not a whole number >= 0."""
        with pytest.raises(ValidationError, match="nbytes"):
            ScoreBuffers().take(-1)


def test_pickled_buffers_start_empty() -> None:
    """A pickled ScoreBuffers keeps its slots but none of its memory."""
    buffers = ScoreBuffers.for_scheme(SCHEME, 100, slots=3)
    copy = pickle.loads(pickle.dumps(buffers))
    assert (copy.slots, copy.nbytes, copy.reused, copy.allocated) == (3, 0, 0, 0)
    assert "slots=3" in repr(buffers)
