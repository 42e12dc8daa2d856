"""Tests for perfmgmt.rules.buffers: reused decision memory gives the same bytes, never clobbers."""

from __future__ import annotations

import pickle
import threading
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmgmt import DecisionBuffers as TopLevelDecisionBuffers
from perfmgmt.errors import RuleError, ValidationError
from perfmgmt.model import DecisionTable, IncentiveRule, Scheme
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import (
    BatchDecisions,
    BonusPool,
    DecisionBuffers,
    RuleEvaluator,
    frame_from_scores,
    score_and_decide_batches,
)
from perfmgmt.rules.buffers import decision_nbytes
from perfmgmt.scoring import BatchScores, Population, ScoreBuffers, ScoringEngine
from perfmgmt.scoring.buffers import result_nbytes
from perfmgmt.strategies import populations, schemes

SCHEME = customer_service_manager()
ENGINE = ScoringEngine()
TRACED = RuleEvaluator()
FAST = RuleEvaluator(trace=False)


def _arrays(decisions: BatchDecisions) -> dict[str, bytes]:
    """Every array of the decisions as bytes (C order), with its shape and dtype in the key."""
    named: dict[str, Any] = {
        name: getattr(decisions, name)
        for name in (
            "rule_fired",
            "rule_known",
            "bonus_minor",
            "deduction_minor",
            "bonus_known",
            "deduction_known",
        )
    }
    for t, sel in enumerate(decisions.selections):
        for part in ("matched", "selected", "violation", "count"):
            named[f"{part}.{t}"] = getattr(sel, part)
    out = {}
    for name, value in named.items():
        array = np.asarray(value)
        out[f"{name}{array.shape}{array.dtype}"] = np.ascontiguousarray(array).tobytes()
    return out


def _population(n: int, seed: int = 0) -> Population:
    """Return ``n`` reviews with gaps, ratings and exact base pay (some unknown), seeded."""
    rng = np.random.default_rng(seed)
    k, q, s = len(SCHEME.kpis), len(SCHEME.criteria), len(SCHEME.sources)
    targets = np.array([kpi.target for kpi in SCHEME.kpis], dtype=np.float64)
    actual = targets * rng.uniform(0.3, 1.7, (n, k))
    actual[rng.random((n, k)) < 0.05] = np.nan
    raters = rng.integers(0, 4, (n, q, s))
    fen = rng.integers(500_000, 3_000_000, n)
    return Population.from_arrays(
        SCHEME,
        subject_ids=[f"s{seed}-{i}" for i in range(n)],
        actual=actual,
        sample_size=np.where(np.isnan(actual), -1, rng.integers(0, 300, (n, k))),
        ratings=np.where(raters > 0, rng.uniform(1.0, 5.0, (n, q, s)), np.nan),
        raters=raters,
        base_pay=[None if i % 13 == 0 else Decimal(int(f)).scaleb(-2) for i, f in enumerate(fen)],
        currency="CNY",
    )


def _scored(n: int, seed: int = 0) -> tuple[BatchScores, Population]:
    pop = _population(n, seed)
    return ENGINE.score_batch(SCHEME, pop), pop


def _scribble(buffers: DecisionBuffers, nbytes: int, seed: int) -> int:
    """Fill the block the next call will get with random bytes; return its address."""
    block = buffers.take(nbytes)
    block[...] = np.random.default_rng(seed).integers(0, 256, block.size, dtype=np.uint8)
    return int(block.ctypes.data)


def _address(decisions: BatchDecisions) -> int:
    base = decisions.bonus_minor.base
    assert isinstance(base, np.ndarray)
    return int(base.ctypes.data)


def _shape(rules: Scheme) -> tuple[int, list[int]]:
    """The number of rules and the rows of each table of a scheme."""
    return len(rules.rules), [len(t.rows) for t in rules.tables]


class TestSameBytes:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        case=populations(scheme=schemes(scorable=True, max_rules=4, max_tables=2), max_size=6),
        trace=st.booleans(),
    )
    def test_reused_memory_full_of_garbage_gives_the_fresh_decisions(
        self, case: tuple[Scheme, Population], trace: bool
    ) -> None:
        """Every array decided into a reused block of random bytes equals a fresh call's."""
        scheme, pop = case
        evaluator = TRACED if trace else FAST
        scores = ENGINE.score_batch(scheme, pop)
        fresh = evaluator.evaluate_batch(scheme, scores, pop)
        buffers = DecisionBuffers(slots=1)
        rules, rows = _shape(scheme)
        need = decision_nbytes(len(pop), rules, rows, trace=trace)
        address = _scribble(buffers, need + 64, seed=len(pop))
        reused = evaluator.evaluate_batch(scheme, scores, pop, out=buffers)
        assert buffers.reused == 1
        assert _address(reused) == address
        assert _arrays(reused) == _arrays(fresh)
        assert [reused.row(i) for i in range(len(pop))] == [fresh.row(i) for i in range(len(pop))]

    @pytest.mark.parametrize("trace", [True, False])
    @pytest.mark.parametrize("n", [0, 1, 7, 150_000])
    def test_sizes_threads_and_traces(self, n: int, trace: bool) -> None:
        """Empty, tiny and many-chunk batches give the fresh bytes, on one or two threads."""
        scores, pop = _scored(n, seed=n)
        fresh = _arrays(RuleEvaluator(trace=trace).evaluate_batch(SCHEME, scores, pop))
        buffers = DecisionBuffers.for_rules(SCHEME, n, trace=trace)
        with RuleEvaluator(trace=trace, workers=2) as threaded:
            for evaluator in (RuleEvaluator(trace=trace), threaded):
                _scribble(buffers, 0, seed=3)
                got = evaluator.evaluate_batch(SCHEME, scores, pop, out=buffers)
                assert _arrays(got) == fresh
                del got
        assert buffers.allocated == 0

    def test_a_pool_is_applied_to_decisions_in_reused_memory(self) -> None:
        """With a bonus pool, the awards equal a fresh call's, to the fen."""
        scores, pop = _scored(300, seed=5)
        pool = BonusPool(currency="CNY", amount=Decimal("123456.78"))
        fresh = TRACED.evaluate_batch(SCHEME, scores, pop, pool=pool)
        buffers = DecisionBuffers(slots=1)
        _scribble(buffers, decision_nbytes(300, *_shape(SCHEME), trace=True), seed=9)
        reused = TRACED.evaluate_batch(SCHEME, scores, pop, pool=pool, out=buffers)
        assert buffers.reused == 1
        assert _arrays(reused) == _arrays(fresh)
        assert reused.to_records() == fresh.to_records()

    def test_evaluate_frame_takes_the_same_buffers(self) -> None:
        """evaluate_frame(out=...) writes the fresh bytes into reused memory."""
        scores, _pop = _scored(50, seed=2)
        frame = frame_from_scores(scores)
        fresh = TRACED.evaluate_frame(SCHEME, frame, currency="CNY")
        buffers = DecisionBuffers(slots=1)
        _scribble(buffers, decision_nbytes(50, *_shape(SCHEME), trace=True), seed=4)
        reused = TRACED.evaluate_frame(SCHEME, frame, currency="CNY", out=buffers)
        assert buffers.reused == 1
        assert _arrays(reused) == _arrays(fresh)

    @pytest.mark.parametrize("trace", [True, False])
    def test_decision_bytes_are_the_written_arrays(self, trace: bool) -> None:
        """decision_nbytes counts exactly the bytes of the arrays the evaluator writes."""
        scores, pop = _scored(13)
        decisions = RuleEvaluator(trace=trace).evaluate_batch(SCHEME, scores, pop)
        written = [
            decisions.rule_fired,
            decisions.bonus_minor,
            decisions.deduction_minor,
            decisions.bonus_known,
            decisions.deduction_known,
        ]
        if trace:  # without a trace rule_known is rule_fired itself
            written.append(decisions.rule_known)
        for sel in decisions.selections:
            written += [sel.matched, sel.selected, sel.violation, sel.count]
        rules, rows = _shape(SCHEME)
        assert sum(a.nbytes for a in written) == decision_nbytes(13, rules, rows, trace=trace)
        # per review: 8 bytes for bonus, deduction and each table's count; a byte per rule
        # (two with a trace), two for the known flags, per table 2 per row and 1 violation
        per_review = 8 * (2 + len(rows)) + rules * (2 if trace else 1) + 2
        per_review += sum(2 * r + 1 for r in rows)
        assert decision_nbytes(13, rules, rows, trace=trace) == 13 * per_review

    def test_decisions_take_a_fraction_of_the_scores_memory(self) -> None:
        """The preset's decisions need 45 bytes per review against 338 for its scores."""
        k, c, q = len(SCHEME.kpis), len(SCHEME.category_keys), len(SCHEME.criteria)
        assert result_nbytes(1, k, c, q) == 338
        assert decision_nbytes(1, *_shape(SCHEME), trace=True) == 45


class TestOwnership:
    def test_decisions_still_held_are_never_overwritten(self) -> None:
        """While decisions are referenced, the next call takes fresh memory and leaves them be."""
        buffers = DecisionBuffers(slots=1)
        scores, pop = _scored(60, 1)
        first = TRACED.evaluate_batch(SCHEME, scores, pop, out=buffers)
        before, records = _arrays(first), first.to_records()
        other_scores, other_pop = _scored(60, 2)
        second = TRACED.evaluate_batch(SCHEME, other_scores, other_pop, out=buffers)
        assert _arrays(first) == before
        assert first.to_records() == records
        assert not np.shares_memory(first.bonus_minor, second.bonus_minor)
        assert (buffers.allocated, buffers.reused) == (2, 0)

    def test_a_kept_array_keeps_its_block(self) -> None:
        """An array taken out of dropped decisions still pins their memory."""
        buffers = DecisionBuffers(slots=1)
        scores, pop = _scored(40, 1)
        decisions = TRACED.evaluate_batch(SCHEME, scores, pop, out=buffers)
        fired, bonus = decisions.fired("promotion"), decisions.bonus_minor
        kept = (fired.copy(), bonus.copy())
        del decisions
        TRACED.evaluate_batch(SCHEME, *_scored(40, 2), out=buffers)
        assert (fired.tobytes(), bonus.tobytes()) == (kept[0].tobytes(), kept[1].tobytes())
        assert buffers.reused == 0

    def test_tables_made_from_decisions_keep_their_values(self) -> None:
        """Arrow and pandas tables of decisions are unchanged by later calls."""
        buffers = DecisionBuffers(slots=1)
        decisions = TRACED.evaluate_batch(SCHEME, *_scored(40, 1), out=buffers)
        table, frame = decisions.to_arrow("full"), decisions.to_pandas()
        want_table, want_frame = table.to_pylist(), frame.copy(deep=True)
        del decisions
        for seed in (2, 3, 4):
            TRACED.evaluate_batch(SCHEME, *_scored(40, seed), out=buffers)
        assert table.to_pylist() == want_table
        assert frame.equals(want_frame)

    def test_dropped_decisions_free_their_block(self) -> None:
        """Once nothing refers to decisions, their block is written again."""
        buffers = DecisionBuffers(slots=1)
        decisions = TRACED.evaluate_batch(SCHEME, *_scored(30, 1), out=buffers)
        address = _address(decisions)
        del decisions
        again = TRACED.evaluate_batch(SCHEME, *_scored(30, 2), out=buffers)
        assert _address(again) == address
        assert (buffers.allocated, buffers.reused) == (1, 1)
        assert buffers.in_use() == 1

    def test_collected_stream_keeps_every_batch(self) -> None:
        """list(score_and_decide_batches(...)) holds every batch's own decisions."""
        pops = [_population(20, seed) for seed in range(5)]
        memory = DecisionBuffers()
        kept = list(score_and_decide_batches(SCHEME, pops, decision_buffers=memory))
        for pop, (_scores, decisions) in zip(pops, kept, strict=True):
            alone = TRACED.evaluate_batch(SCHEME, ENGINE.score_batch(SCHEME, pop), pop)
            assert _arrays(decisions) == _arrays(alone)
        assert memory.allocated == 5
        assert len({_address(d) for _s, d in kept}) == 5

    def test_a_stream_loop_alternates_two_blocks(self) -> None:
        """A loop that drops each batch decides into two blocks, whatever the stream's length."""
        memory = DecisionBuffers()
        pops = (_population(25, s) for s in range(8))
        stream = score_and_decide_batches(SCHEME, pops, evaluator=FAST, decision_buffers=memory)
        addresses = [_address(decisions) for _scores, decisions in stream]
        assert (memory.allocated, memory.reused) == (2, 6)
        assert len(set(addresses)) == 2
        assert memory.nbytes == 2 * decision_nbytes(25, *_shape(SCHEME), trace=False)

    def test_a_stream_without_decision_buffers_gives_fresh_decisions(self) -> None:
        """Without decision_buffers each batch's decisions own fresh memory; results match."""
        pops = [_population(25, s) for s in range(4)]
        pairs = list(score_and_decide_batches(SCHEME, iter(pops)))
        want = [
            _arrays(TRACED.evaluate_batch(SCHEME, ENGINE.score_batch(SCHEME, p), p)) for p in pops
        ]
        assert [_arrays(d) for _s, d in pairs] == want
        assert len({d.bonus_minor.ctypes.data for _s, d in pairs}) == 4

    def test_a_larger_batch_replaces_a_small_free_block(self) -> None:
        """A free block too small is replaced, so the buffers hold at most ``slots`` blocks."""
        buffers = DecisionBuffers(slots=1)
        TRACED.evaluate_batch(SCHEME, *_scored(10), out=buffers)
        TRACED.evaluate_batch(SCHEME, *_scored(100), out=buffers)
        assert buffers.nbytes == decision_nbytes(100, *_shape(SCHEME), trace=True)
        TRACED.evaluate_batch(SCHEME, *_scored(60), out=buffers)
        assert (buffers.allocated, buffers.reused) == (2, 1)

    def test_for_rules_maps_every_slot_up_front(self) -> None:
        """for_rules holds ``slots`` blocks of the rules' size; the first calls reuse them."""
        buffers = DecisionBuffers.for_rules(SCHEME, 500, slots=3)
        assert buffers.nbytes == 3 * decision_nbytes(500, *_shape(SCHEME), trace=True)
        loose = DecisionBuffers.for_rules([*SCHEME.rules, *SCHEME.tables], 500, trace=False)
        assert loose.nbytes == 2 * decision_nbytes(500, *_shape(SCHEME), trace=False)
        held = [TRACED.evaluate_batch(SCHEME, *_scored(500, s), out=buffers) for s in range(3)]
        assert (buffers.allocated, buffers.reused) == (0, 3)
        assert buffers.in_use() == 3
        del held
        assert buffers.in_use() == 0
        buffers.clear()
        assert buffers.nbytes == 0

    def test_threads_sharing_buffers_never_share_a_block(self) -> None:
        """Four threads deciding into one DecisionBuffers each get their own decisions."""
        buffers = DecisionBuffers(slots=2)
        inputs = [_scored(300, s) for s in range(4)]
        want = [_arrays(TRACED.evaluate_batch(SCHEME, *x)) for x in inputs]
        got: list[Any] = [None] * 4
        barrier = threading.Barrier(4)

        def work(i: int) -> None:
            barrier.wait()
            for _ in range(5):
                got[i] = _arrays(TRACED.evaluate_batch(SCHEME, *inputs[i], out=buffers))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == want


class TestRefused:
    @pytest.mark.parametrize("out", [ScoreBuffers(), "buffers", np.empty(1000, dtype=np.uint8), 0])
    def test_out_must_be_decision_buffers(self, out: object) -> None:
        """evaluate_batch(out=...) takes DecisionBuffers or None and names what it got."""
        scores, pop = _scored(3)
        with pytest.raises(RuleError, match=r"evaluate_batch: out=.* expected DecisionBuffers"):
            TRACED.evaluate_batch(SCHEME, scores, pop, out=out)  # type: ignore[arg-type]
        with pytest.raises(RuleError, match=r"evaluate_frame: out=.* expected DecisionBuffers"):
            TRACED.evaluate_frame(SCHEME, frame_from_scores(scores), out=out)  # type: ignore[arg-type]

    def test_stream_refuses_score_buffers_for_decisions(self) -> None:
        """score_and_decide_batches names decision_buffers when they are of another type."""
        with pytest.raises(RuleError, match="decision_buffers is a ScoreBuffers"):
            list(score_and_decide_batches(SCHEME, [], decision_buffers=ScoreBuffers()))  # type: ignore[arg-type]

    @pytest.mark.parametrize("slots", [0, 65, True, 1.5, "2"])
    def test_bad_slots(self, slots: object) -> None:
        """The slot count must be a whole number from 1 to 64; the message names the field."""
        with pytest.raises(ValidationError, match=r"DecisionBuffers\.slots"):
            DecisionBuffers(slots=slots)  # type: ignore[arg-type]

    @pytest.mark.parametrize("reviews", [-1, None, 2.0, 10**9 + 1])
    def test_bad_reviews(self, reviews: object) -> None:
        """for_rules needs a whole number of reviews from 0 to a billion."""
        with pytest.raises(ValidationError, match=r"for_rules: reviews"):
            DecisionBuffers.for_rules(SCHEME, reviews)  # type: ignore[arg-type]

    @pytest.mark.parametrize("rules", [5, "total > 1", None, [SCHEME]])
    def test_bad_rules(self, rules: object) -> None:
        """for_rules needs a scheme or rules and tables, and says what it got."""
        with pytest.raises(RuleError, match=r"rules"):
            DecisionBuffers.for_rules(rules, 10)  # type: ignore[arg-type]

    def test_bad_trace(self) -> None:
        """for_rules' trace must be a bool."""
        with pytest.raises(RuleError, match=r"trace='yes' is not allowed"):
            DecisionBuffers.for_rules(SCHEME, 10, trace="yes")  # type: ignore[arg-type]

    def test_take_refuses_a_negative_size(self) -> None:
        """DecisionBuffers.take names its argument when the size is not a whole number >= 0."""
        with pytest.raises(ValidationError, match=r"DecisionBuffers\.take: nbytes"):
            DecisionBuffers().take(-1)


def test_single_items_are_rule_sets() -> None:
    """for_rules accepts one rule or one table, as the evaluator does."""
    rule, table = SCHEME.rules[0], SCHEME.tables[0]
    assert isinstance(rule, IncentiveRule)
    assert isinstance(table, DecisionTable)
    assert DecisionBuffers.for_rules(rule, 8, slots=1).nbytes == decision_nbytes(
        8, 1, [], trace=True
    )
    assert DecisionBuffers.for_rules(table, 8, slots=1).nbytes == decision_nbytes(
        8, 0, [len(table.rows)], trace=True
    )


def test_pickled_buffers_start_empty() -> None:
    """A pickled DecisionBuffers keeps its slots but none of its memory; it is the top name."""
    buffers = DecisionBuffers.for_rules(SCHEME, 100, slots=3)
    copy = pickle.loads(pickle.dumps(buffers))
    assert type(copy) is DecisionBuffers is TopLevelDecisionBuffers
    assert (copy.slots, copy.nbytes, copy.reused, copy.allocated) == (3, 0, 0, 0)
    assert "DecisionBuffers(slots=3" in repr(buffers)
