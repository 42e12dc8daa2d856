"""Tests for perfmgmt.scoring.engine: aggregation, policies, gates, blend, rating, invariants."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import RegistryError, ScoringError, ValidationError
from perfmgmt.model import (
    KPI,
    Actual,
    Band,
    Category,
    Direction,
    Gate,
    GateEffect,
    GateWithoutData,
    Goal,
    Indicator,
    Label,
    MissingData,
    MissingPolicy,
    RatingScale,
    Review,
    Scheme,
    ScoringSpec,
    SmallSample,
    Subject,
)
from perfmgmt.scoring import (
    BatchScores,
    KpiFlag,
    Population,
    ReviewFlag,
    ScoringEngine,
    ratio,
)

ENGINE = ScoringEngine()


_T = TypeVar("_T")


def _scheme(
    *,
    policy: MissingPolicy = MissingPolicy.REALLOCATE,
    gate: Gate | None = None,
    min_sample: int = 0,
    scorer: str = "linear",
    high: float = 200.0,
) -> Scheme:
    def kpi(key: str, cat: str, w: float, direction: Direction, **kw: float) -> KPI:
        return KPI(
            indicator=Indicator(key=key, label=Label(en=key), direction=direction),
            category=cat,
            weight=w,
            scoring=ScoringSpec(scorer=scorer if key == "a" else "linear"),
            **kw,  # type: ignore[arg-type]
        )

    return Scheme(
        key="t",
        version="1",
        label=Label(en="T"),
        categories=[
            Category(key="c1", label=Label(en="c1"), weight=0.6),
            Category(key="c2", label=Label(en="c2"), weight=0.4),
        ],
        kpis=[
            attrs_evolve(
                kpi(
                    "a", "c1", 0.5, Direction.HIGHER_IS_BETTER, threshold=50, target=80, stretch=100
                ),
                gate=gate,
                missing=policy,
                min_sample=min_sample,
            ),
            kpi("b", "c1", 0.5, Direction.HIGHER_IS_BETTER, threshold=0, target=10, stretch=20),
            kpi("c", "c2", 1.0, Direction.LOWER_IS_BETTER, threshold=60, target=40, stretch=20),
        ],
        rating_scale=RatingScale(
            bands=[Band(label="low", lower=0, upper=100), Band(label="high", lower=100, upper=high)]
        ),
        quantitative_share=1.0,
    )


def attrs_evolve(obj: _T, **changes: object) -> _T:
    """Return ``obj`` with ``changes``."""
    import attrs

    return attrs.evolve(obj, **changes)  # type: ignore[misc]


def _pop(scheme: Scheme, rows: list[list[float]], **kw: object) -> Population:
    return Population.from_arrays(
        scheme,
        subject_ids=[f"s{i}" for i in range(len(rows))],
        actual=np.array(rows, dtype=np.float64),
        **kw,  # type: ignore[arg-type]
    )


class TestAggregation:
    def test_weighted_total(self) -> None:
        """Total is Σ nominal weight x score when everything is scored."""
        b = ENGINE.score_batch(_scheme(), _pop(_scheme(), [[80, 10, 40]]))
        assert b.total[0] == pytest.approx(100.0)
        assert b.nominal_weight.tolist() == pytest.approx([0.3, 0.3, 0.4])

    def test_reallocate_missing(self) -> None:
        """A missing KPI's weight is spread proportionally over the scored ones."""
        b = ENGINE.score_batch(_scheme(), _pop(_scheme(), [[np.nan, 20, 40]]))
        assert b.flags[0, 0] == KpiFlag.MISSING | KpiFlag.REALLOCATED
        assert b.effective_weight[0].tolist() == pytest.approx([0, 0.3 / 0.7, 0.4 / 0.7])
        assert b.total[0] == pytest.approx((0.3 * 150 + 0.4 * 100) / 0.7)
        assert np.isnan(b.score[0, 0])
        assert b.contribution[0, 0] == 0.0

    def test_zero_policy(self) -> None:
        """Under ZERO a missing KPI scores 0 and keeps its weight."""
        s = _scheme(policy=MissingPolicy.ZERO)
        b = ENGINE.score_batch(s, _pop(s, [[np.nan, 10, 40]]))
        assert b.flags[0, 0] == KpiFlag.MISSING | KpiFlag.SCORED_ZERO
        assert b.score[0, 0] == 0.0
        assert b.total[0] == pytest.approx(70.0)

    def test_exclude_policy(self) -> None:
        """Under EXCLUDE a missing KPI leaves the review unrated and flagged."""
        s = _scheme(policy=MissingPolicy.EXCLUDE)
        b = ENGINE.score_batch(s, _pop(s, [[np.nan, 10, 40]]))
        assert b.flags[0, 0] == KpiFlag.MISSING | KpiFlag.EXCLUDED
        assert not b.rated[0]
        assert np.isnan(b.total[0])
        assert b.rating_index[0] == -1
        assert b.review_flags[0] & ReviewFlag.EXCLUDED_KPI

    def test_insufficient_sample(self) -> None:
        """A sample below min_sample is insufficient data; -1 (not reported) is sufficient.

        By default it is scored on its actual but at most 100; an actual at stretch (150)
        from 10 samples scores 100, the same actual from 30 samples 150.
        """
        s = _scheme(min_sample=30)
        ss = np.array([[10, -1, -1], [-1, -1, -1], [30, -1, -1]])
        b = ENGINE.score_batch(s, _pop(s, [[100, 10, 40]] * 3, sample_size=ss))
        assert b.flags[:, 0].tolist() == [KpiFlag.INSUFFICIENT_DATA, 0, 0]
        assert b.score[:, 0].tolist() == [100.0, 150.0, 150.0]

    def test_insufficient_sample_as_missing(self) -> None:
        """Under SmallSample.AS_MISSING an insufficient value follows the KPI's missing policy."""
        s = attrs_evolve(
            _scheme(min_sample=30), missing_data=MissingData(small_sample=SmallSample.AS_MISSING)
        )
        b = ENGINE.score_batch(s, _pop(s, [[80, 10, 40]], sample_size=np.array([[10, -1, -1]])))
        assert b.flags[0, 0] == KpiFlag.INSUFFICIENT_DATA | KpiFlag.REALLOCATED
        assert np.isnan(b.score[0, 0])

    def test_nothing_scored(self) -> None:
        """A review with no scored KPI is unrated with NO_QUANTITATIVE, never a silent 0."""
        b = ENGINE.score_batch(_scheme(), _pop(_scheme(), [[np.nan] * 3]))
        assert not b.rated[0]
        assert b.review_flags[0] & ReviewFlag.NO_QUANTITATIVE
        assert np.isnan(b.quantitative[0])

    def test_category_scores(self) -> None:
        """Category subtotal is the weighted mean of its scored KPIs; NaN when none is."""
        b = ENGINE.score_batch(_scheme(), _pop(_scheme(), [[80, 20, np.nan]]))
        assert b.category_score[0].tolist()[0] == pytest.approx(125.0)
        assert np.isnan(b.category_score[0, 1])

    def test_out_of_scale_not_clamped(self) -> None:
        """A total above the scale is flagged OUT_OF_SCALE and unrated, not clamped."""
        s = _scheme(high=120)
        b = ENGINE.score_batch(s, _pop(s, [[100, 20, 20]]))
        assert not b.rated[0]
        assert b.review_flags[0] & ReviewFlag.OUT_OF_SCALE
        assert b.quantitative[0] == pytest.approx(150.0)

    def test_top_band_closed(self) -> None:
        """A total exactly at the scale's top belongs to the top band."""
        s = _scheme(high=150)
        b = ENGINE.score_batch(s, _pop(s, [[100, 20, 20]]))
        assert b.rated[0]
        assert b.rating().tolist() == ["high"]


class TestGates:
    def test_cap_gate(self) -> None:
        """A CAP gate caps the quantitative total and flags the KPI."""
        s = _scheme(gate=Gate(threshold=60, effect=GateEffect.CAP, cap=50))
        b = ENGINE.score_batch(s, _pop(s, [[55, 20, 20]]))
        assert b.flags[0, 0] & KpiFlag.GATED
        assert b.quantitative[0] == 50.0
        assert b.raw_quantitative[0] > 50.0
        assert b.gated[0]

    def test_zero_gate(self) -> None:
        """A ZERO gate sets the quantitative total to 0."""
        s = _scheme(gate=Gate(threshold=60, effect=GateEffect.ZERO))
        b = ENGINE.score_batch(s, _pop(s, [[55, 20, 20]]))
        assert b.quantitative[0] == 0.0

    def test_gate_applied_without_data(self) -> None:
        """A gate whose KPI has no data is applied, never skipped (GateWithoutData.APPLY)."""
        s = _scheme(gate=Gate(threshold=60, effect=GateEffect.ZERO), policy=MissingPolicy.ZERO)
        b = ENGINE.score_batch(s, _pop(s, [[np.nan, 20, 20]]))
        assert b.gated[0]
        assert b.quantitative[0] == 0.0
        assert b.flags[0, 0] == KpiFlag.MISSING | KpiFlag.SCORED_ZERO | KpiFlag.GATED

    def test_gate_without_data_can_hold_the_review(self) -> None:
        """Under GateWithoutData.HOLD the review is unrated and flagged for a person."""
        s = attrs_evolve(
            _scheme(gate=Gate(threshold=60, effect=GateEffect.ZERO), policy=MissingPolicy.ZERO),
            missing_data=MissingData(gate_without_data=GateWithoutData.HOLD),
        )
        b = ENGINE.score_batch(s, _pop(s, [[np.nan, 20, 20], [80, 20, 20]]))
        assert b.review_flags[0] == ReviewFlag.GATE_WITHOUT_DATA
        assert b.rated.tolist() == [False, True]

    def test_gate_on_target_is_best_refused(self) -> None:
        """A gate on a target-is-best KPI has no wrong side and is refused when built."""
        with pytest.raises(ValidationError, match="target-is-best"):
            KPI(
                indicator=Indicator(
                    key="x", label=Label(en="x"), direction=Direction.TARGET_IS_BEST
                ),
                category="c",
                weight=1.0,
                target=5.0,
                scoring=ScoringSpec(scorer="target_band"),
                gate=Gate(threshold=1, effect=GateEffect.ZERO),
            )


class TestResolution:
    def test_unknown_scorer(self) -> None:
        """A KPI naming an unregistered scorer is a RegistryError at scoring time."""
        with pytest.raises(RegistryError, match="nope"):
            ENGINE.plan(_scheme(scorer="nope"))

    def test_plan_cached_by_hash(self) -> None:
        """The same scheme content resolves once."""
        eng = ScoringEngine()
        assert eng.plan(_scheme()) is eng.plan(_scheme())

    def test_custom_scorer_everywhere(self) -> None:
        """A custom registered scorer works in score and score_batch like a built-in."""
        reg = ENGINE.registry.copy()
        reg.register("half_ratio", lambda *, direction: ratio(direction=direction, cap=200))
        eng = ScoringEngine(reg)
        s = _scheme(scorer="half_ratio")
        card = eng.score(
            s,
            Review(
                subject=Subject(id="x"), cycle="q", scheme="t", actuals=[Actual(kpi="a", value=40)]
            ),
        )
        assert card.line("a").score == pytest.approx(50.0)
        assert card.line("a").scorer == "half_ratio"

    def test_row_ratio_target_zero(self) -> None:
        """A per-row zero ratio target is refused naming the subject and KPI."""
        s = _scheme(scorer="ratio")
        pop = _pop(
            s,
            [[1, 1, 1]],
            threshold=np.array([[-10.0, np.nan, np.nan]]),
            target=np.array([[0.0, np.nan, np.nan]]),
        )
        with pytest.raises(ScoringError, match=r"s0.*KPI 'a'"):
            ENGINE.score_batch(s, pop)

    def test_population_for_other_scheme(self) -> None:
        """A population whose KPIs differ from the scheme's is refused."""
        other = Population.from_arrays(
            _scheme(),
            subject_ids=["x"],
            actual=np.array([[1.0, 2, 3]]),
        )
        two = Scheme(
            key="t",
            version="2",
            label=Label(en="T"),
            categories=[Category(key="c1", label=Label(en="c1"), weight=1)],
            kpis=[attrs_evolve(_scheme().kpis[1], weight=1.0)],
            rating_scale=_scheme().rating_scale,
            quantitative_share=1.0,
        )
        with pytest.raises(ScoringError, match="do not match"):
            ENGINE.score_batch(two, other)


_row = st.lists(
    st.one_of(st.floats(-50, 250, allow_nan=False), st.just(float("nan"))), min_size=3, max_size=3
)


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(rows=st.lists(_row, min_size=1, max_size=6), policy=st.sampled_from(list(MissingPolicy)))
    def test_effective_weights_sum_to_one(
        self, rows: list[list[float]], policy: MissingPolicy
    ) -> None:
        """Effective weights of a review with any scored KPI sum to 1."""
        s = _scheme(policy=policy)
        b = ENGINE.score_batch(s, _pop(s, rows))
        has = ~np.isnan(b.quantitative)
        assert np.allclose(b.effective_weight[has].sum(axis=1), 1.0)

    @settings(max_examples=60, deadline=None)
    @given(row=_row, j=st.integers(0, 2), delta=st.floats(0, 100))
    def test_better_actual_never_lowers_total(self, row: list[float], j: int, delta: float) -> None:
        """Improving one actual never lowers its KPI score or the quantitative total."""
        s = _scheme(gate=Gate(threshold=60, effect=GateEffect.CAP, cap=70))
        if np.isnan(row[j]):
            return
        better = list(row)
        better[j] = row[j] + (delta if j < 2 else -delta)  # KPI c is lower-is-better
        b = ENGINE.score_batch(s, _pop(s, [row, better]))
        assert b.score[1, j] >= b.score[0, j]
        if not np.isnan(b.quantitative[0]):
            assert b.quantitative[1] >= b.quantitative[0] - 1e-9

    @settings(max_examples=60, deadline=None)
    @given(row=_row, cap=st.floats(0, 200), zero=st.booleans())
    def test_gate_only_lowers(self, row: list[float], cap: float, zero: bool) -> None:
        """The quantitative total after gates never exceeds the raw total."""
        gate = (
            Gate(threshold=60, effect=GateEffect.ZERO)
            if zero
            else Gate(threshold=60, effect=GateEffect.CAP, cap=cap)
        )
        b = ENGINE.score_batch(_scheme(gate=gate), _pop(_scheme(gate=gate), [row]))
        if not np.isnan(b.raw_quantitative[0]):
            assert b.quantitative[0] <= b.raw_quantitative[0]

    @settings(max_examples=40, deadline=None)
    @given(rows=st.lists(_row, min_size=1, max_size=5), goal=st.floats(55, 90))
    def test_scalar_equals_batch_row(self, rows: list[list[float]], goal: float) -> None:
        """score(review) equals score_batch(...).row(i) for every review."""
        s = _scheme(gate=Gate(threshold=60, effect=GateEffect.CAP, cap=70))
        reviews = [
            Review(
                subject=Subject(id=f"s{i}"),
                cycle="q",
                scheme="t",
                goals=[Goal(kpi="a", target=goal)] if i % 2 else [],
                actuals=[
                    Actual(kpi=k, value=None if np.isnan(v) else v)
                    for k, v in zip("abc", r, strict=True)
                ],
            )
            for i, r in enumerate(rows)
        ]
        batch = ENGINE.score_reviews(s, reviews)
        for i, r in enumerate(reviews):
            assert ENGINE.score(s, r) == batch.row(i)


class TestBlocks:
    def test_results_do_not_depend_on_the_block_size(self) -> None:
        """A review scores to the same bits alone as deep inside a multi-block batch."""
        from perfmgmt.presets import customer_service_manager
        from perfmgmt.scoring import engine as engine_module

        scheme = customer_service_manager()
        rng = np.random.default_rng(11)
        n = engine_module._BLOCK + 37  # two blocks, the second one short
        k, q, s = len(scheme.kpis), len(scheme.criteria), len(scheme.sources)
        targets = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
        actual = targets * rng.uniform(0.5, 1.5, (n, k))
        actual[rng.random((n, k)) < 0.05] = np.nan
        ratings = rng.uniform(1.0, 5.0, (n, q, s))
        raters = rng.integers(0, 4, (n, q, s))
        ids = [f"s{i}" for i in range(n)]
        big = ENGINE.score_batch(
            scheme,
            Population.from_arrays(
                scheme, subject_ids=ids, actual=actual, ratings=ratings, raters=raters
            ),
        )
        for i in (0, engine_module._BLOCK - 1, engine_module._BLOCK, n - 1):
            small = ENGINE.score_batch(
                scheme,
                Population.from_arrays(
                    scheme,
                    subject_ids=[ids[i]],
                    actual=actual[i : i + 1],
                    ratings=ratings[i : i + 1],
                    raters=raters[i : i + 1],
                ),
            )
            assert small.row(0) == big.row(i)
            assert small.total.tobytes() == big.total[i : i + 1].tobytes()
            assert small.score.tobytes() == np.ascontiguousarray(big.score[i : i + 1]).tobytes()

    def test_small_batches_equal_large_with_agreed_goals(self) -> None:
        """With per-row goals (some stretch left NaN), 1-, 7- and 63-row batches equal one batch."""
        from perfmgmt.presets import customer_service_manager

        scheme = customer_service_manager()
        rng = np.random.default_rng(23)
        n, k = 200, len(scheme.kpis)
        q, s = len(scheme.criteria), len(scheme.sources)
        defaults = np.array([[kpi.target for kpi in scheme.kpis]], dtype=np.float64)
        actual = defaults * rng.uniform(0.4, 1.6, (n, k))
        threshold = np.full((n, k), np.nan)
        target = np.full((n, k), np.nan)
        stretch = np.full((n, k), np.nan)
        csat = scheme.kpi_keys.index("csat")
        # Agreed goals on csat for every other row: threshold < target < stretch.
        target[::2, csat] = rng.uniform(75, 85, n // 2)
        threshold[::2, csat] = target[::2, csat] - 10
        stretch[::4, csat] = target[::4, csat] + 10
        ratings = rng.uniform(1.0, 5.0, (n, q, s))
        raters = rng.integers(0, 4, (n, q, s))
        ids = [f"s{i}" for i in range(n)]

        def score(lo: int, hi: int) -> BatchScores:
            return ENGINE.score_batch(
                scheme,
                Population.from_arrays(
                    scheme,
                    subject_ids=ids[lo:hi],
                    actual=actual[lo:hi],
                    threshold=threshold[lo:hi],
                    target=target[lo:hi],
                    stretch=stretch[lo:hi],
                    ratings=ratings[lo:hi],
                    raters=raters[lo:hi],
                ),
            )

        whole = score(0, n)
        for size in (1, 7, 63):
            for lo in range(0, n, size):
                part = score(lo, min(lo + size, n))
                for j in range(len(part)):
                    assert part.row(j) == whole.row(lo + j)


def _threaded_case(n: int, seed: int) -> tuple[Scheme, Population]:
    """The preset scheme and ``n`` random reviews with missing data and raters."""
    from perfmgmt.presets import customer_service_manager

    scheme = customer_service_manager()
    rng = np.random.default_rng(seed)
    k, q, s = len(scheme.kpis), len(scheme.criteria), len(scheme.sources)
    targets = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
    actual = targets * rng.uniform(0.5, 1.5, (n, k))
    actual[rng.random((n, k)) < 0.05] = np.nan
    pop = Population.from_arrays(
        scheme,
        subject_ids=[f"s{i}" for i in range(n)],
        actual=actual,
        ratings=rng.uniform(1.0, 5.0, (n, q, s)),
        raters=rng.integers(0, 4, (n, q, s)),
    )
    return scheme, pop


_RESULT_ARRAYS = (
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
    "rating_index",
    "rated",
    "gated",
    "review_flags",
)


class TestWorkers:
    @pytest.mark.parametrize("workers", [2, 3])
    def test_threads_give_the_same_bits(
        self, workers: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Blocks scored on several threads give every result array bit for bit."""
        scheme, pop = _threaded_case(1000, seed=5)
        one = ENGINE.score_batch(scheme, pop)
        with ScoringEngine(workers=workers, block_rows=64) as eng:  # 16 blocks
            many = eng.score_batch(scheme, pop)
            again = eng.score_batch(scheme, pop)  # the pool is reused
        for name in _RESULT_ARRAYS:
            a = np.ascontiguousarray(getattr(one, name))
            for got in (many, again):
                assert a.tobytes() == np.ascontiguousarray(getattr(got, name)).tobytes(), name

    def test_first_failing_block_is_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With threads, the error raised is the first failing review's, as without them."""

        class Broken:
            """The ratio scorer, but NaN for an actual above a million (a scorer bug)."""

            floor, cap, requires = 0.0, 150.0, ("target",)

            def __init__(self, direction: str) -> None:
                self.inner = ratio(direction=direction)

            def __call__(
                self, actual: np.ndarray, *bounds: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
                ach, sc = self.inner(actual, *bounds)
                return ach, np.where(actual > 1e6, np.nan, sc)

        reg = ENGINE.registry.copy()
        reg.register("broken", lambda *, direction: Broken(direction))
        s = _scheme(scorer="broken")
        rows = [[1.0, 1.0, 1.0]] * 400
        for i in (130, 150, 170, 190, 390):  # blocks 8-11, run side by side, and 24
            rows[i] = [1e7, 1.0, 1.0]
        pop = _pop(s, rows)
        for workers in (1, 2, 4):
            with (
                ScoringEngine(reg, workers=workers, block_rows=16) as eng,
                pytest.raises(ScoringError, match=r"review of 's130'"),
            ):
                eng.score_batch(s, pop)

    @pytest.mark.parametrize("rows", [0, -1, 1.5, True, "2"])
    def test_block_rows_must_be_a_positive_whole_number(self, rows: object) -> None:
        """A bad block size is refused naming the field and the value."""
        with pytest.raises(ScoringError, match=r"ScoringEngine\.block_rows: .* whole number >= 1"):
            ScoringEngine(block_rows=rows)  # type: ignore[arg-type]

    def test_block_rows_change_no_bit(self) -> None:
        """Any block size, on one thread or two, gives every result array bit for bit."""
        scheme, pop = _threaded_case(1000, seed=6)
        one = ENGINE.score_batch(scheme, pop)
        for workers, rows in ((1, 1), (1, 7), (2, 100), (1, 4096), (2, None)):
            with ScoringEngine(workers=workers, block_rows=rows) as eng:
                got = eng.score_batch(scheme, pop)
            if rows is not None:
                assert f"block_rows={rows}" in repr(eng)
            for name in _RESULT_ARRAYS:
                want = np.ascontiguousarray(getattr(one, name)).tobytes()
                assert np.ascontiguousarray(getattr(got, name)).tobytes() == want, (name, rows)

    @pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
    def test_workers_must_be_a_positive_whole_number(self, workers: object) -> None:
        """A bad worker count is refused naming the field and the value."""
        with pytest.raises(ScoringError, match=r"ScoringEngine\.workers: .* whole number >= 1"):
            ScoringEngine(workers=workers)  # type: ignore[arg-type]

    def test_close_then_reuse(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """After close() the engine still scores, starting a new pool."""
        scheme, pop = _threaded_case(300, seed=8)
        eng = ScoringEngine(workers=2, block_rows=32)
        first = eng.score_batch(scheme, pop)
        eng.close()
        second = eng.score_batch(scheme, pop)
        eng.close()
        assert first.total.tobytes() == second.total.tobytes()
        assert "workers=2" in repr(eng)


def _row_fields(batch: BatchScores) -> list[str]:
    """Return the names of the per-review arrays of ``batch``."""
    import attrs

    return [
        f.name
        for f in attrs.fields(BatchScores)
        if isinstance(getattr(batch, f.name), np.ndarray)
        and f.name
        not in {
            "nominal_weight",
            "category_weight",
            "criterion_weight",
            "min_sample",
            "gate_threshold",
            "gate_cap",
            "source_weight",
            "min_raters",
            "criterion_low",
            "criterion_target",
        }
    ]


def _random_population(scheme: Scheme, n: int, seed: int) -> dict[str, Any]:
    """Return ``Population.from_arrays`` keywords: gaps, small samples, goals, ratings."""
    rng = np.random.default_rng(seed)
    k, q, s = len(scheme.kpis), len(scheme.criteria), len(scheme.sources)
    targets = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
    actual = targets * rng.uniform(0.3, 1.7, (n, k))
    actual[rng.random((n, k)) < 0.15] = np.nan
    sample = rng.integers(-1, 40, (n, k)).astype(np.float64)
    sample[np.isnan(actual) & (sample > 0)] = 0
    # Agreed goals: the scheme's bounds shifted by the same amount keep their order.
    shift = np.where(rng.random((n, k)) < 0.3, rng.uniform(-1.0, 1.0, (n, k)), np.nan)
    bounds = {
        name: np.array([getattr(kpi, name) for kpi in scheme.kpis], dtype=np.float64) + shift
        for name in ("threshold", "target", "stretch")
    }
    kw: dict[str, Any] = {
        "subject_ids": [f"s{i}" for i in range(n)],
        "actual": actual,
        "sample_size": sample,
        "eligible_days": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 90, n)),
        **bounds,
    }
    if q:
        ratings = rng.uniform(1.0, 5.0, (n, q, s))
        raters = rng.integers(0, 4, (n, q, s))
        raters[rng.random(n) < 0.1] = 0  # nobody rated: no qualitative part
        # Where nobody rated, the rating is not read: NaN, infinite or off the scale.
        unrated = raters == 0
        ratings[unrated] = rng.choice([np.nan, np.inf, -np.inf, -7.0, 2.5], unrated.sum())
        kw["ratings"] = ratings
        kw["raters"] = raters
    return kw


class TestOneRow:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_one_review_has_the_bits_of_a_batch_row(self, seed: int) -> None:
        """Every result array of a population of one equals its row in 5- and 80-row batches."""
        import attrs

        from perfmgmt.presets import customer_service_manager

        preset = customer_service_manager()
        kpis = list(preset.kpis)
        kpis[1] = attrs_evolve(kpis[1], gate=Gate(threshold=35, effect=GateEffect.ZERO))
        kpis[4] = attrs_evolve(kpis[4], missing=MissingPolicy.EXCLUDE)
        kpis[5] = attrs_evolve(kpis[5], gate=Gate(threshold=0, effect=GateEffect.CAP, cap=70))
        schemes = [
            attrs.evolve(preset, kpis=tuple(kpis)),
            _scheme(gate=Gate(threshold=60, effect=GateEffect.CAP, cap=70), high=120.0),
            _scheme(policy=MissingPolicy.ZERO, gate=Gate(threshold=60, effect=GateEffect.ZERO)),
            _scheme(policy=MissingPolicy.EXCLUDE, min_sample=10, scorer="ratio"),
        ]
        for scheme in schemes:
            kw = _random_population(scheme, 80, seed)
            big = ENGINE.score_batch(scheme, Population.from_arrays(scheme, **kw))
            few = ENGINE.score_batch(
                scheme, Population.from_arrays(scheme, **{k: v[:5] for k, v in kw.items()})
            )
            for i in range(80):
                one = ENGINE.score_batch(
                    scheme,
                    Population.from_arrays(scheme, **{k: v[i : i + 1] for k, v in kw.items()}),
                )
                for name in _row_fields(big):
                    want = np.ascontiguousarray(getattr(big, name)[i : i + 1]).tobytes()
                    assert np.ascontiguousarray(getattr(one, name)).tobytes() == want, name
                    if i < 5:
                        got = np.ascontiguousarray(getattr(few, name)[i : i + 1]).tobytes()
                        assert got == want, name
                assert one.row(0) == big.row(i)

    def test_one_row_last_block(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A one-row last block of a batch gives the bits of the batch scored as one block."""
        from perfmgmt.scoring import engine as engine_module

        scheme = _scheme(gate=Gate(threshold=60, effect=GateEffect.CAP, cap=70), high=120.0)
        kw = _random_population(scheme, 9, 4)
        pop = Population.from_arrays(scheme, **kw)
        whole = ENGINE.score_batch(scheme, pop)
        monkeypatch.setattr(engine_module, "_BLOCK", 4)  # blocks of 4, 4 and 1 rows
        blocks = ENGINE.score_batch(scheme, pop)
        for name in _row_fields(whole):
            got = np.ascontiguousarray(getattr(blocks, name)).tobytes()
            assert got == np.ascontiguousarray(getattr(whole, name)).tobytes(), name
