"""Tests for perfmgmt.rules.evaluate: RuleEvaluator, decisions, money, traces, scalar == batch."""

from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import RuleError, RuleSyntaxError, RuleTypeError
from perfmgmt.model.incentive import IncentiveRule
from perfmgmt.model.review import Subject
from perfmgmt.rules import (
    Bonus,
    BonusPool,
    CollectAggregation,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    Honour,
    Promotion,
    RuleEvaluator,
    TableInput,
    TableRow,
    TextCodes,
    TraceStatus,
    TrainingOpportunity,
    rule,
)
from perfmgmt.rules import evaluate as _evaluate
from perfmgmt.rules.payout import PCT_SCALE, percent_amounts
from perfmgmt.scoring.card import BatchScores

KPIS = ("csat", "fcr")


def _rules() -> list[IncentiveRule | DecisionTable]:
    return [
        rule("star", when="total >= 95", then=[Honour(title="Star")], priority=5),
        rule("train", when="any(kpi.score < 60)", then=[TrainingOpportunity(topic="Coaching")]),
        rule(
            "cut",
            when='rating in ["D", "E"]',
            then=[Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=Decimal(5))],
        ),
        DecisionTable(
            key="bonus",
            inputs=[TableInput(field="total")],
            hit_policy=HitPolicy.FIRST,
            rows=[
                TableRow(inputs=[">= 90"], outputs=[Bonus.percent_of_base_pay(Decimal(15))]),
                TableRow(inputs=["[80..90)"], outputs=[Bonus.percent_of_base_pay(Decimal(8))]),
                TableRow(inputs=["< 80"], outputs=[]),
            ],
        ),
    ]


def _frame() -> dict[str, np.ndarray]:
    return {
        "total": np.array([96.0, 85.0, np.nan, 50.0]),
        "rating": np.array(["A", "B", None, "E"], dtype=object),
        "kpi.score": np.array([[100.0, 50.0], [90.0, 90.0], [np.nan, np.nan], [40.0, 40.0]]),
        "eligible_fraction": np.ones(4),
    }


def _batch(
    total: list[float], rating: list[int], scores: list[list[float]], frac: list[float]
) -> BatchScores:
    """Build a BatchScores by hand (a small test double of scoring's output)."""
    n, k = len(total), len(KPIS)
    sc = np.array(scores, dtype=np.float64).reshape(n, k)
    nan = np.full((n, k), np.nan)
    return BatchScores(
        scheme_key="cs",
        scheme_hash="sha256:test",
        subject_ids=tuple(f"s{i}" for i in range(n)),
        kpi_keys=KPIS,
        category_keys=("service",),
        rating_labels=("E", "D", "C", "B", "A"),
        actual=sc / 100,
        threshold=nan,
        target=np.ones((n, k)),
        stretch=nan,
        achievement=sc / 100,
        score=sc,
        nominal_weight=np.array([0.5, 0.5]),
        effective_weight=np.full((n, k), 0.5),
        contribution=np.nan_to_num(sc) * 0.5,
        flags=np.where(np.isnan(sc), 1, 0).astype(np.uint8),
        category_score=np.nanmean(np.where(np.isnan(sc), np.nan, sc), axis=1, keepdims=True)
        if not np.isnan(sc).all(axis=1).any()
        else np.full((n, 1), np.nan),
        quantitative=np.nan_to_num(np.array(total)),
        qualitative=np.full(n, np.nan),
        total=np.array(total, dtype=np.float64),
        rating_index=np.array(rating, dtype=np.int64),
        rated=np.array(rating) >= 0,
        gated=np.zeros(n, dtype=bool),
        eligible_fraction=np.array(frac, dtype=np.float64),
        raw_quantitative=np.nan_to_num(np.array(total)),
        review_flags=np.zeros(n, dtype=np.uint8),
        criterion_keys=(),
        criterion_weight=np.zeros(0),
        criterion_score=np.zeros((n, 0)),
        category_weight=np.array([1.0]),
        kpi_categories=("service", "service"),
        scorer_names=("linear", "linear"),
        directions=("higher_is_better", "higher_is_better"),
        quantitative_share=1.0,
        sample_size=np.full((n, k), -1, dtype=np.int64),
    )


class TestRuleFactory:
    def test_rule_parses_text(self) -> None:
        """rule() parses the condition text into an IncentiveRule."""
        r = rule("top", when="total >= 90", then=[Honour(title="Top")], priority=2)
        assert r.priority == 2
        assert r.outcomes == (Honour(title="Top"),)

    def test_syntax_error(self) -> None:
        """Bad condition text raises RuleSyntaxError."""
        with pytest.raises(RuleSyntaxError):
            rule("bad", when="total >=", then=[Honour(title="x")])


class TestEvaluateFrame:
    def test_decisions_and_money(self) -> None:
        """Rules and a FIRST table award outcomes; percents of base pay are exact."""
        ev = RuleEvaluator()
        pay = [Decimal(10000)] * 3 + [None]
        bd = ev.evaluate_frame(_rules(), _frame(), base_pay=pay, currency="CNY")
        d0 = bd.row(0)
        assert d0.fired == ("star", "train", "bonus")
        assert d0.outcomes() == (
            Honour(title="Star"),
            TrainingOpportunity(topic="Coaching"),
            Bonus.percent_of_base_pay(Decimal(15)),
        )
        assert d0.bonus == Decimal("1500.00")
        assert bd.row(1).bonus == Decimal("800.00")  # 8 % of 10000
        assert bd.row(1).fired == ("bonus",)

    def test_pool_scales_exactly(self) -> None:
        """With a pool of 2000 the 1500 + 800 requested become 1304.35 + 695.65."""
        ev = RuleEvaluator()
        pay = [Decimal(10000)] * 4
        bd = ev.evaluate_frame(
            _rules(),
            _frame(),
            base_pay=pay,
            pool=BonusPool(currency="CNY", amount=Decimal(2000)),
        )
        assert bd.allocation is not None
        assert bd.allocation.total == Decimal("2000.00")
        assert bd.row(0).awarded == Decimal("1304.35")
        assert bd.row(1).awarded == Decimal("695.65")
        assert bd.row(0).pool_factor == Decimal(2000) / Decimal(2300)

    def test_unknown_input_traced(self) -> None:
        """A rule on a missing input is unknown and the trace names the input."""
        bd = RuleEvaluator().evaluate_frame(_rules(), _frame())
        trace = {t.source: t for t in bd.row(2).trace}
        assert trace["star"].status is TraceStatus.UNKNOWN
        assert trace["star"].missing == ("total",)
        assert trace["bonus"].status is TraceStatus.NO_MATCH
        assert "input missing: total" in bd.explain(2)

    def test_text_codes_frame_decides_like_object_frame(self) -> None:
        """Rating as TextCodes gives the same decisions and traces as an object array."""
        pay = [Decimal(10000)] * 4
        coded: dict[str, np.ndarray | TextCodes] = {
            **_frame(),
            "rating": TextCodes.from_values(_frame()["rating"]),
        }
        a = RuleEvaluator().evaluate_frame(_rules(), _frame(), base_pay=pay, currency="CNY")
        b = RuleEvaluator().evaluate_frame(_rules(), coded, base_pay=pay, currency="CNY")
        assert [a.row(i) for i in range(4)] == [b.row(i) for i in range(4)]
        assert b.row(3).fired == a.row(3).fired
        assert ("rating", "E") in next(t.inputs for t in b.row(3).trace if t.source == "cut")

    def test_false_traced_with_inputs(self) -> None:
        """A false rule keeps the inputs it read and their values."""
        trace = {
            t.source: t for t in RuleEvaluator().evaluate_frame(_rules(), _frame()).row(1).trace
        }
        assert trace["star"].status is TraceStatus.FALSE
        assert trace["star"].inputs == (("total", 85.0),)

    def test_unknown_base_pay(self) -> None:
        """A percent deduction without base pay is unknown, not zero."""
        pay = [Decimal(10000)] * 3 + [None]
        d3 = RuleEvaluator().evaluate_frame(_rules(), _frame(), base_pay=pay, currency="CNY").row(3)
        assert d3.deduction is None
        assert d3.bonus == Decimal("0.00")
        assert "base pay missing" in d3.explain()

    def test_unique_violation_per_subject(self) -> None:
        """Two UNIQUE matches are a violation for that subject only; nothing is awarded."""
        table = DecisionTable(
            key="u",
            inputs=[TableInput(field="total")],
            hit_policy=HitPolicy.UNIQUE,
            rows=[
                TableRow(inputs=[">= 80"], outputs=[Promotion()]),
                TableRow(inputs=[">= 90"], outputs=[Honour(title="x")]),
            ],
        )
        bd = RuleEvaluator().evaluate_frame([table], _frame())
        d0, d1 = bd.row(0), bd.row(1)
        assert d0.trace[0].status is TraceStatus.VIOLATION
        assert d0.decisions == ()
        assert d1.outcomes() == (Promotion(),)
        assert bd.to_records()[0]["violations"] == ["u"]

    def test_collect_max_uses_amounts(self) -> None:
        """COLLECT MAX keeps the matching row with the largest bonus."""
        table = DecisionTable(
            key="m",
            inputs=[TableInput(field="total")],
            hit_policy=HitPolicy.COLLECT,
            aggregation=CollectAggregation.MAX,
            rows=[
                TableRow(inputs=[">= 50"], outputs=[Bonus.fixed(Decimal(300), "CNY")]),
                TableRow(inputs=[">= 90"], outputs=[Bonus.percent_of_base_pay(Decimal(10))]),
            ],
        )
        pay = [Decimal(10000), Decimal(1000), None, Decimal(1)]
        bd = RuleEvaluator().evaluate_frame([table], _frame(), base_pay=pay, currency="CNY")
        assert bd.row(0).bonus == Decimal("1000.00")  # 10 % of 10000 beats 300
        assert bd.row(1).bonus == Decimal("300.00")

    def test_explain_languages(self) -> None:
        """Explain renders English and Chinese; another language is refused."""
        bd = RuleEvaluator().evaluate_frame(_rules(), _frame())
        assert "Fired:" in bd.explain(0)
        assert "已触发" in bd.explain(0, "zh")
        with pytest.raises(RuleError, match="lang"):
            bd.explain(0, "fr")

    def test_row_out_of_range(self) -> None:
        """row() refuses an index outside the batch."""
        with pytest.raises(RuleError, match="out of range"):
            RuleEvaluator().evaluate_frame(_rules(), _frame()).row(9)

    def test_compiles_once(self) -> None:
        """The same rule objects on the same frame schema compile once."""
        ev = RuleEvaluator()
        rules = _rules()
        p1 = ev.compile(rules, _frame())
        p2 = ev.compile(rules, _frame())
        assert p1 is p2

    def test_type_errors_name_rule(self) -> None:
        """A rule on an unknown field fails naming the rule; a table too."""
        with pytest.raises(RuleTypeError, match="rule 'x'"):
            RuleEvaluator().evaluate_frame(
                [rule("x", when="totl > 1", then=[Honour(title="x")])], _frame()
            )
        table = DecisionTable(
            key="t",
            inputs=[TableInput(field="rating")],
            rows=[TableRow(inputs=[">= 1"], outputs=[])],
        )
        with pytest.raises(RuleTypeError, match="tests number values"):
            RuleEvaluator().evaluate_frame([table], _frame())

    def test_currency_mismatch(self) -> None:
        """A fixed bonus in another currency than the pool is refused."""
        r = rule("x", when="total > 1", then=[Bonus.fixed(Decimal(1), "USD")])
        with pytest.raises(RuleError, match="currency"):
            RuleEvaluator().evaluate_frame([r], _frame(), pool=BonusPool(currency="CNY"))

    def test_bad_items_refused(self) -> None:
        """Something that is not a rule or table is refused naming its index."""
        with pytest.raises(RuleError, match=r"rules\[0\]"):
            RuleEvaluator().evaluate_frame(["total > 1"], _frame())  # type: ignore[list-item]

    def test_duplicate_keys_refused(self) -> None:
        """Two rules with one key are refused."""
        r = rule("x", when="total > 1", then=[Honour(title="x")])
        with pytest.raises(RuleError, match="more than once"):
            RuleEvaluator().evaluate_frame([r, r], _frame())


_TOTALS = st.one_of(st.floats(0, 120, allow_nan=False), st.just(float("nan")))
_SCORES = st.one_of(st.floats(0, 150, allow_nan=False), st.just(float("nan")))


class TestScalarEqualsBatch:
    @settings(max_examples=40, deadline=None)
    @given(
        rows=st.lists(
            st.tuples(
                _TOTALS,
                st.integers(-1, 4),
                st.lists(_SCORES, min_size=2, max_size=2),
                st.floats(0, 1),
            ),
            min_size=1,
            max_size=8,
        )
    )
    def test_every_row_agrees(self, rows: list[tuple[float, int, list[float], float]]) -> None:
        """evaluate() on batch.row(i) gives the same decisions as evaluate_batch row i."""
        batch = _batch(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
        )
        rules = _rules()
        ev = RuleEvaluator()
        bd = ev.evaluate_batch(rules, batch)
        for i in range(len(rows)):
            assert ev.evaluate(rules, batch.row(i)) == bd.row(i)

    def test_subject_attributes(self) -> None:
        """The scalar call reads grade, tenure and base pay from the subject."""
        batch = _batch([96.0], [4], [[100.0, 100.0]], [1.0])
        subject = Subject(
            id="s0",
            grade="M1",
            hire_date=dt.date(2020, 1, 1),
            base_pay=Decimal("12345.67"),
            currency="CNY",
        )
        rules = [
            *_rules(),
            rule("senior", when='tenure_days >= 180 and grade in ["M1"]', then=[Promotion()]),
        ]
        d = RuleEvaluator().evaluate(
            rules, batch.row(0), subject=subject, as_of=dt.date(2024, 6, 30)
        )
        assert "senior" in d.fired
        assert d.bonus == Decimal("1851.85")  # 15 % of 12345.67 = 1851.8505
        assert d.scheme_hash == "sha256:test"


class TestTraceOff:
    def test_decisions_kept_without_trace(self) -> None:
        """With trace=False the decisions are the same, but no inputs are recorded."""
        full = RuleEvaluator().evaluate_frame(_rules(), _frame())
        bare = RuleEvaluator(trace=False).evaluate_frame(_rules(), _frame())
        for i in range(4):
            assert bare.row(i).decisions == full.row(i).decisions
        assert all(t.inputs == () for t in bare.row(2).trace)
        assert bare.row(2).trace[0].status is TraceStatus.FALSE


class TestWithRealScoring:
    def test_preset_scalar_equals_batch(self) -> None:
        """On the customer-service preset, evaluate(card) equals evaluate_batch row i."""
        from perfmgmt.presets import customer_service_manager
        from perfmgmt.scoring.engine import ScoringEngine
        from perfmgmt.scoring.population import Population

        scheme = customer_service_manager()
        rng = np.random.default_rng(3)
        n, k = 30, len(scheme.kpi_keys)
        defaults = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
        actual = defaults * rng.uniform(0.6, 1.3, (n, k))
        actual[rng.random((n, k)) < 0.1] = np.nan
        tenure = rng.integers(30, 2000, n).astype(np.float64)
        pay = tuple(Decimal(int(x)) for x in rng.integers(6000, 30000, n))
        grades = tuple(("M1", "M2", None)[int(g)] for g in rng.integers(0, 3, n))
        ids = [f"m{i}" for i in range(n)]
        q, src = len(scheme.criteria), len(scheme.sources)
        ratings = rng.uniform(2.0, 5.0, (n, q, src))
        raters = np.full((n, q, src), 3, dtype=np.int64)
        population = Population.from_arrays(
            scheme,
            subject_ids=ids,
            actual=actual,
            ratings=ratings,
            raters=raters,
            grade=grades,
            tenure_days=tenure,
            base_pay=pay,
            currency="CNY",
        )
        batch = ScoringEngine().score_batch(scheme, population)
        ev = RuleEvaluator()
        bd = ev.evaluate_batch(scheme, batch, population)
        as_of = dt.date(2024, 6, 30)
        for i in range(n):
            subject = Subject(
                id=ids[i],
                grade=grades[i],
                hire_date=as_of - dt.timedelta(days=int(tenure[i])),
                base_pay=pay[i],
                currency="CNY",
            )
            d = ev.evaluate(scheme, batch.row(i), subject=subject, as_of=as_of)
            assert d == bd.row(i)
        assert bd.scheme_hash == scheme.content_hash
        assert sum(len(bd.row(i).decisions) for i in range(n)) > n // 2  # the rules did fire

    def test_batch_equals_frame_from_scores(self) -> None:
        """evaluate_batch (columns built on demand) decides as evaluate_frame on the full frame."""
        from perfmgmt.presets import customer_service_manager
        from perfmgmt.rules import History, frame_from_scores
        from perfmgmt.scoring.engine import ScoringEngine
        from perfmgmt.scoring.population import Population

        scheme = customer_service_manager()
        rng = np.random.default_rng(5)
        n, k = 40, len(scheme.kpi_keys)
        targets = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
        q, src = len(scheme.criteria), len(scheme.sources)
        population = Population.from_arrays(
            scheme,
            subject_ids=[f"m{i}" for i in range(n)],
            actual=targets * rng.uniform(0.7, 1.3, (n, k)),
            ratings=rng.uniform(2.0, 5.0, (n, q, src)),
            raters=np.full((n, q, src), 3, dtype=np.int64),
            base_pay=tuple(Decimal(int(x)) for x in rng.integers(6000, 30000, n)),
            currency="CNY",
        )
        batch = ScoringEngine().score_batch(scheme, population)
        labels = ("A", "B", "C", "D", "E", None)
        history = History.from_records([[(labels[int(j)], 90.0)] for j in rng.integers(0, 6, n)])
        lazy = RuleEvaluator().evaluate_batch(scheme, batch, population, history)
        full = RuleEvaluator().evaluate_frame(
            scheme,
            frame_from_scores(batch, population, history),
            subject_ids=batch.subject_ids,
            base_pay=population.base_pay,
            currency="CNY",
            scheme_hash=batch.scheme_hash,
        )
        assert [lazy.row(i) for i in range(n)] == [full.row(i) for i in range(n)]
        # a rule on the history fired: the history column was read
        assert (lazy.fired("promotion") | lazy.fired("position_adjustment")).any()


class TestUnknownNamesItsInput:
    def test_empty_history_is_named(self) -> None:
        """A rule left unknown by an empty history names history.rating, not '?'."""
        from perfmgmt.rules import History

        r = rule(
            "repeat_e", when='rating == "E" and history.rating[-1] == "E"', then=[Honour(title="x")]
        )
        frame = {"rating": np.array(["E", "E"], dtype=object)}
        history = History.from_records([[], [("E", 40.0)]])
        frame["history.rating"] = history.ratings
        bd = RuleEvaluator().evaluate_frame([r], frame, subject_ids=("a", "b"))
        first, second = bd.row(0), bd.row(1)
        assert [t.missing for t in first.trace] == [("history.rating",)]
        assert "input missing: history.rating" in first.explain()
        assert "input missing: ?" not in first.explain()
        assert "repeat_e" in second.fired


def _chunk_rules() -> list[IncentiveRule | DecisionTable]:
    """The rules of _rules() plus a COLLECT MAX table (money per row) and a UNIQUE one."""
    return [
        *_rules(),
        DecisionTable(
            key="extra",
            inputs=[TableInput(field="rating")],
            hit_policy=HitPolicy.COLLECT,
            aggregation=CollectAggregation.MAX,
            rows=[
                TableRow(inputs=['"A","B"'], outputs=[Bonus.percent_of_base_pay(Decimal(3))]),
                TableRow(inputs=['"A"'], outputs=[Bonus.percent_of_base_pay(Decimal(4))]),
            ],
        ),
        DecisionTable(
            key="unique",
            inputs=[TableInput(field="total")],
            hit_policy=HitPolicy.UNIQUE,
            rows=[
                TableRow(inputs=[">= 50"], outputs=[Honour(title="a")]),
                TableRow(inputs=[">= 90"], outputs=[Honour(title="b")]),
            ],
        ),
    ]


@st.composite
def _big_frames(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], list[Decimal | None]]:
    n = draw(st.integers(1, 40))
    total = draw(
        st.lists(st.sampled_from([40.0, 79.5, 85.0, 90.0, 96.0, np.nan]), min_size=n, max_size=n)
    )
    rating = draw(st.lists(st.sampled_from(["A", "B", "D", "E", None]), min_size=n, max_size=n))
    scores = draw(
        st.lists(
            st.lists(st.sampled_from([30.0, 70.0, np.nan]), min_size=2, max_size=2),
            min_size=n,
            max_size=n,
        )
    )
    pay = draw(
        st.lists(
            st.sampled_from([Decimal("9000.05"), Decimal(12000), None]), min_size=n, max_size=n
        )
    )
    column = np.empty(n, dtype=object)
    column[:] = rating
    frame = {
        "total": np.array(total),
        "rating": column,
        "kpi.score": np.array(scores),
        "eligible_fraction": np.linspace(0.5, 1.0, n),
    }
    return frame, pay


class TestChunks:
    @given(_big_frames(), st.integers(1, 9), st.sampled_from([1, 3]), st.booleans())
    @settings(max_examples=60, deadline=None)
    def test_chunked_evaluation_equals_one_pass(
        self,
        drawn: tuple[dict[str, np.ndarray], list[Decimal | None]],
        chunk: int,
        workers: int,
        trace: bool,
    ) -> None:
        """Any chunk size and worker count gives the one-pass arrays, rows and pool exactly."""
        frame, pay = drawn
        pool = BonusPool(currency="CNY", amount=Decimal(1000))
        whole = RuleEvaluator(trace=trace).evaluate_frame(
            _chunk_rules(), frame, base_pay=pay, currency="CNY", pool=pool
        )
        with (
            mock.patch("perfmgmt.rules.evaluate._CHUNK_ROWS", chunk),
            mock.patch("perfmgmt.rules.evaluate._MIN_PARALLEL_ROWS", 1),
        ):
            parts = RuleEvaluator(trace=trace, workers=workers).evaluate_frame(
                _chunk_rules(), frame, base_pay=pay, currency="CNY", pool=pool
            )
        for name in (
            "rule_fired",
            "rule_known",
            "bonus_minor",
            "deduction_minor",
            "bonus_known",
            "deduction_known",
        ):
            assert np.array_equal(getattr(parts, name), getattr(whole, name)), name
        for a, b in zip(parts.selections, whole.selections, strict=True):
            for name in ("matched", "selected", "violation", "count"):
                assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert parts.allocation is not None
        assert whole.allocation is not None
        assert np.array_equal(parts.allocation.awarded, whole.allocation.awarded)
        assert [parts.row(i) for i in range(len(parts))] == [
            whole.row(i) for i in range(len(whole))
        ]

    @pytest.mark.parametrize("workers", [0, -1, 1.5, True])
    def test_workers_must_be_a_positive_whole_number(self, workers: object) -> None:
        """workers=0, negative, fractional or bool is refused with the value in the message."""
        with pytest.raises(RuleError, match="workers"):
            RuleEvaluator(workers=workers)  # type: ignore[arg-type]

    @given(st.integers(0, 400_000), st.integers(1, 4))
    def test_chunks_cover_the_rows_in_balanced_aligned_pieces(self, n: int, workers: int) -> None:
        """Chunks tile 0..N, stay within the cap, align to 1,024 and give every worker a share."""
        bounds = RuleEvaluator(workers=workers)._chunks(n)
        assert bounds[0][0] == 0
        assert bounds[-1][1] == n
        assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
        sizes = [hi - lo for lo, hi in bounds]
        assert all(0 < s <= _evaluate._CHUNK_ROWS for s in sizes) or n == 0
        assert all(s % _evaluate._CHUNK_ALIGN == 0 for s in sizes[:-1])
        if workers > 1 and n >= 2 * _evaluate._MIN_PARALLEL_ROWS:
            assert len(bounds) >= workers
            assert max(sizes) - min(sizes) < len(bounds) * _evaluate._CHUNK_ALIGN

    @given(_big_frames(), st.integers(1, 9))
    @settings(max_examples=30, deadline=None)
    def test_float_base_pay_column_chunked_equals_one_pass(
        self, drawn: tuple[dict[str, np.ndarray], list[Decimal | None]], chunk: int
    ) -> None:
        """A float base_pay column converted chunk by chunk on threads gives one pass's money."""
        frame, pay = drawn
        frame = {**frame, "base_pay": np.array([np.nan if p is None else float(p) for p in pay])}
        whole = RuleEvaluator().evaluate_frame(_chunk_rules(), frame, currency="CNY")
        with (
            mock.patch("perfmgmt.rules.evaluate._CHUNK_ROWS", chunk),
            mock.patch("perfmgmt.rules.evaluate._MIN_PARALLEL_ROWS", 1),
            RuleEvaluator(workers=2) as evaluator,
        ):
            parts = evaluator.evaluate_frame(_chunk_rules(), frame, currency="CNY")
        assert np.array_equal(parts.bonus_minor, whole.bonus_minor)
        assert np.array_equal(parts.deduction_minor, whole.deduction_minor)
        assert np.array_equal(parts.bonus_known, whole.bonus_known)
        assert [parts.row(i) for i in range(len(parts))] == [
            whole.row(i) for i in range(len(whole))
        ]

    def test_pool_is_reused_until_closed_and_restarts_after(self) -> None:
        """One pool serves every call; close() stops it and a later call starts a new one."""
        frame = _fixed_big_frame()
        rules = _chunk_rules()
        whole = RuleEvaluator().evaluate_frame(rules, frame, currency="CNY")
        with (
            mock.patch("perfmgmt.rules.evaluate._CHUNK_ROWS", 4),
            mock.patch("perfmgmt.rules.evaluate._MIN_PARALLEL_ROWS", 1),
        ):
            evaluator = RuleEvaluator(workers=3)
            first = evaluator.evaluate_frame(rules, frame, currency="CNY")
            pool = evaluator._runner._pool
            assert pool is not None
            evaluator.evaluate_frame(rules, frame, currency="CNY")
            assert evaluator._runner._pool is pool
            evaluator.close()
            assert _pool_of(evaluator) is None
            again = evaluator.evaluate_frame(rules, frame, currency="CNY")
            assert _pool_of(evaluator) not in (None, pool)
            evaluator.close()
        for got in (first, again):
            assert np.array_equal(got.rule_fired, whole.rule_fired)
            assert np.array_equal(got.bonus_minor, whole.bonus_minor)

    def test_calls_from_several_threads_share_one_pool_and_agree(self) -> None:
        """Concurrent calls on one evaluator start one pool and each return the one-pass result."""
        frame = _fixed_big_frame()
        rules = _chunk_rules()
        whole = RuleEvaluator().evaluate_frame(rules, frame, currency="CNY")
        with (
            mock.patch("perfmgmt.rules.evaluate._CHUNK_ROWS", 4),
            mock.patch("perfmgmt.rules.evaluate._MIN_PARALLEL_ROWS", 1),
            RuleEvaluator(workers=2) as evaluator,
            ThreadPoolExecutor(4) as callers,
        ):
            results = list(
                callers.map(
                    lambda _: evaluator.evaluate_frame(rules, frame, currency="CNY"), range(8)
                )
            )
            pools = {id(evaluator._runner._pool)}
        assert len(pools) == 1
        for got in results:
            assert np.array_equal(got.rule_fired, whole.rule_fired)
            assert np.array_equal(got.bonus_minor, whole.bonus_minor)
            assert np.array_equal(got.deduction_minor, whole.deduction_minor)


def _pool_of(evaluator: RuleEvaluator) -> object:
    """Return the evaluator's thread pool (typed as object so each read is checked afresh)."""
    return evaluator._runner._pool


def _fixed_big_frame() -> dict[str, np.ndarray]:
    """A 37-row frame with every kind of value the chunk rules read, base pay as floats."""
    n = 37
    k = np.arange(n)
    total = np.array([40.0, 79.5, 85.0, 90.0, 96.0, np.nan])[k % 6]
    scores = np.array([[30.0, 70.0], [70.0, np.nan], [70.0, 70.0]])[k % 3]
    rating = np.array(["A", "B", "D", "E", None], dtype=object)[k % 5]
    return {
        "total": total,
        "rating": rating,
        "kpi.score": scores,
        "eligible_fraction": np.linspace(0.5, 1.0, n),
        "base_pay": np.array([9000.05, 12000.0, np.nan, 5000.0])[k % 4],
    }


class TestDescribeOutcome:
    def test_english_and_chinese(self) -> None:
        """Outcomes read naturally in both languages, with the amount when given."""
        from perfmgmt.model import AdjustmentKind, PositionAdjustment
        from perfmgmt.rules import describe_outcome

        bonus = Bonus.percent_of_base_pay(Decimal("8"))
        assert describe_outcome(bonus, Decimal("2400.00"), "CNY") == (
            "Bonus 8% of base pay = 2400.00 CNY"
        )
        assert describe_outcome(bonus, lang="zh") == "奖金:基本工资的 8%"
        move = PositionAdjustment(kind=AdjustmentKind.TRANSFER)
        assert describe_outcome(move, lang="zh") == "职位调整:调岗"
        with pytest.raises(RuleError, match="lang"):
            describe_outcome(move, lang="fr")


def _exact_percent(base: int, pct: int, scale: int) -> int:
    """Round ``base * pct / scale`` half to even with Python integers (the definition)."""
    q, r = divmod(base * pct, scale)
    return q + (2 * r > scale or (2 * r == scale and q % 2 == 1))


class TestPercentAmounts:
    @given(
        st.lists(
            st.tuples(
                st.one_of(st.integers(0, 10**9), st.integers(0, 2**62 // 10**10)),
                st.one_of(
                    st.sampled_from([0, 5 * 10**6, 125 * 10**5, 50_000_005]),
                    st.integers(0, 10**10),
                ),
            ),
            min_size=1,
            max_size=40,
        )
    )
    def test_float_path_rounds_half_to_even_exactly(self, pairs: list[tuple[int, int]]) -> None:
        """Percent amounts equal exact integer half-even rounding, ties and huge pays included."""
        base = np.array([b for b, _ in pairs], dtype=np.int64)
        for _, pct in pairs:
            got = percent_amounts(base, base.astype(np.float64), pct)
            assert got.tolist() == [_exact_percent(b, pct, PCT_SCALE) for b, _ in pairs]

    def test_ties_round_to_even_in_evaluation(self) -> None:
        """A 2.5 % bonus on 1.00 and 3.00 CNY (2.5 and 7.5 fen) rounds to 2 and 8 fen."""
        frame = {"total": np.array([90.0, 90.0, 90.0])}
        pay = [Decimal("1.00"), Decimal("3.00"), None]
        rules = [rule("b", when="total >= 50", then=[Bonus.percent_of_base_pay(Decimal("2.5"))])]
        bd = RuleEvaluator().evaluate_frame(rules, frame, base_pay=pay, currency="CNY")
        assert bd.bonus_minor[:2].tolist() == [2, 8]
        assert bd.bonus_known.tolist() == [True, True, False]

    def test_amounts_beyond_exact_sums_are_refused(self) -> None:
        """Rules whose amounts could add up past 2**52 minor units are refused, not rounded."""
        frame = {"total": np.array([90.0])}
        huge = Bonus.fixed(Decimal(10) ** 13, "CNY")  # 10**15 fen, the most one line may be
        rules = [rule(f"b{i}", when="total >= 50", then=[huge]) for i in range(5)]
        with pytest.raises(RuleError, match="add up to"):
            RuleEvaluator().evaluate_frame(rules, frame, currency="CNY")

    def test_fixed_and_percent_amounts_add_per_subject(self) -> None:
        """Fixed amounts and percents of rules and table rows add up exactly per subject."""
        frame = {"total": np.array([95.0, 85.0, 40.0, np.nan])}
        pay = [Decimal("10000.00"), Decimal("8000.00"), Decimal("9000.00"), Decimal("7000.00")]
        table = DecisionTable(
            key="t",
            inputs=[TableInput(field="total")],
            hit_policy=HitPolicy.FIRST,
            rows=[
                TableRow(inputs=[">= 90"], outputs=[Bonus.percent_of_base_pay(Decimal("12.5"))]),
                TableRow(inputs=[">= 80"], outputs=[Bonus.fixed(Decimal("300.50"), "CNY")]),
            ],
        )
        rules = [
            rule("r", when="total >= 80", then=[Bonus.fixed(Decimal("0.01"), "CNY")]),
            rule(
                "d",
                when="total < 50",
                then=[Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=Decimal(3))],
            ),
            table,
        ]
        bd = RuleEvaluator().evaluate_frame(rules, frame, base_pay=pay, currency="CNY")
        assert bd.bonus_minor.tolist() == [125_000 + 1, 30_050 + 1, 0, 0]
        assert bd.deduction_minor.tolist() == [0, 0, 27_000, 0]
