"""Tests for perfmgmt.scoring.kernel: the resolution at band edges, gates that lower, one path."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmgmt.errors import ScoringError
from perfmgmt.model import (
    KPI,
    Band,
    Category,
    Direction,
    Gate,
    GateEffect,
    GateWithoutData,
    Indicator,
    Label,
    MissingData,
    MissingPolicy,
    RatingScale,
    Scheme,
    ScoringSpec,
    SmallSample,
)
from perfmgmt.presets import customer_service_manager
from perfmgmt.scoring import BatchScores, KpiFlag, Population, ReviewFlag, ScoringEngine, kernel
from perfmgmt.strategies import populations
from scoring.straightforward_kernel import STEPS, straightforward_steps

ENGINE = ScoringEngine()

# Bands A-E with the two edges the issue names: 100 (C/B) and the top, 150.
BANDS = RatingScale(
    bands=[
        Band(label="E", lower=0, upper=60),
        Band(label="D", lower=60, upper=80),
        Band(label="C", lower=80, upper=100),
        Band(label="B", lower=100, upper=120),
        Band(label="A", lower=120, upper=150),
    ]
)


def _scheme(weights: list[float], *, per_category: int = 1, gate: Gate | None = None) -> Scheme:
    """Return a scheme with one category per weight, each with ``per_category`` linear KPIs."""
    categories = [
        Category(key=f"c{i}", label=Label(en=f"c{i}"), weight=w) for i, w in enumerate(weights)
    ]
    kpis = [
        KPI(
            indicator=Indicator(
                key=f"k{i}_{j}",
                label=Label(en=f"k{i}_{j}"),
                direction=Direction.HIGHER_IS_BETTER if j % 2 == 0 else Direction.LOWER_IS_BETTER,
            ),
            category=f"c{i}",
            weight=1.0 / per_category,
            scoring=ScoringSpec(scorer="linear"),
            threshold=(50.0 if j % 2 == 0 else 70.0) + i,
            target=(70.0 if j % 2 == 0 else 50.0) + i,
            stretch=(90.0 if j % 2 == 0 else 30.0) + i,
            gate=gate if (i, j) == (0, 0) else None,
        )
        for i in range(len(weights))
        for j in range(per_category)
    ]
    return Scheme(
        key="edges",
        version="1",
        label=Label(en="Edges"),
        categories=categories,
        kpis=kpis,
        rating_scale=BANDS,
        quantitative_share=1.0,
    )


def _at(scheme: Scheme, where: str) -> BatchScores:
    """Score one review whose every actual is at its KPI's ``where`` (target or stretch)."""
    row = [getattr(k, where) for k in scheme.kpis]
    pop = Population.from_arrays(scheme, subject_ids=["x"], actual=np.array([row]))
    return ENGINE.score_batch(scheme, pop)


class TestExactAtBandEdges:
    def test_two_to_one_on_target_totals_exactly_100(self) -> None:
        """Categories weighted 2:1, every KPI on target: total exactly 100, band B (not C)."""
        batch = _at(_scheme([2 / 3, 1 / 3], per_category=2), "target")
        assert batch.total[0] == 100.0
        assert batch.rating()[0] == "B"

    def test_three_two_one_at_stretch_is_rated_at_the_cap(self) -> None:
        """Categories weighted 3:2:1, every KPI at stretch: total exactly 150, rated A."""
        batch = _at(_scheme([3 / 6, 2 / 6, 1 / 6], per_category=3), "stretch")
        assert batch.total[0] == 150.0
        assert bool(batch.rated[0])
        assert batch.rating()[0] == "A"

    @settings(max_examples=150, deadline=None)
    @given(
        weights=st.lists(
            st.fractions(min_value=Fraction(1, 13), max_value=1, max_denominator=13),
            min_size=1,
            max_size=6,
        ),
        per_category=st.integers(1, 4),
        where=st.sampled_from(["target", "stretch"]),
    )
    def test_any_weights_on_target_or_at_stretch_land_on_the_edge(
        self, weights: list[Fraction], per_category: int, where: str
    ) -> None:
        """For any weights, all on target total exactly 100 and all at stretch exactly 150."""
        total = sum(weights)
        scheme = _scheme([float(w / total) for w in weights], per_category=per_category)
        batch = _at(scheme, where)
        expected = 100.0 if where == "target" else 150.0
        assert batch.total[0] == expected
        assert batch.quantitative[0] == expected
        assert all(c == expected for c in batch.category_score[0])
        assert batch.rating()[0] == ("B" if where == "target" else "A")

    def test_rounding_is_half_to_even_at_nine_places(self) -> None:
        """round_to_resolution rounds to the nearest multiple of 1e-9, ties to even, NaN kept."""
        values = np.array([99.99999999999999, 150.00000000000003, 0.0000000005, math.nan, -1.25])
        kernel.round_to_resolution(values)
        assert values[0] == 100.0
        assert values[1] == 150.0
        assert values[2] == 0.0  # 0.5e-9 is a tie: to the even multiple, 0
        assert math.isnan(values[3])
        assert values[4] == -1.25

    @settings(max_examples=200, deadline=None)
    @given(
        a=st.floats(-1e4, 1e4, allow_nan=False),
        b=st.floats(-1e4, 1e4, allow_nan=False),
        c=st.floats(-1e4, 1e4, allow_nan=False),
    )
    def test_reported_totals_stay_within_half_the_resolution(
        self, a: float, b: float, c: float
    ) -> None:
        """A rounded aggregate differs from its exact value by at most 5e-10 plus float noise."""
        values = np.array([a, b, c])
        kernel.round_to_resolution(values)
        for got, exact in zip(values.tolist(), (a, b, c), strict=True):
            assert abs(Fraction(got) - Fraction(exact)) <= Fraction(5, 10**10) + Fraction(
                abs(exact)
            ) * Fraction(1, 2**51)


class TestGates:
    def test_a_gate_that_lowers_marks_the_review(self) -> None:
        """A fired CAP gate below the total lowers it to the cap; KPI and review are flagged."""
        scheme = _scheme([1.0], per_category=2, gate=Gate(threshold=60, cap=70.0))
        actual = np.array([[55.0, 10.0]])  # k0_0 below the gate, k0_1 far beyond its stretch
        batch = ENGINE.score_batch(
            scheme, Population.from_arrays(scheme, subject_ids=["x"], actual=actual)
        )
        assert batch.raw_quantitative[0] > 70.0
        assert batch.quantitative[0] == 70.0
        assert KpiFlag.GATED in KpiFlag(int(batch.flags[0, 0]))
        assert bool(batch.gated[0])
        assert ReviewFlag.GATED in ReviewFlag(int(batch.review_flags[0]))

    def test_a_gate_above_the_total_changes_nothing_and_marks_only_the_kpi(self) -> None:
        """A fired gate whose cap lies above the total leaves it, and the review unmarked."""
        scheme = _scheme([1.0], per_category=2, gate=Gate(threshold=60, cap=140.0))
        actual = np.array([[55.0, 60.0]])
        batch = ENGINE.score_batch(
            scheme, Population.from_arrays(scheme, subject_ids=["x"], actual=actual)
        )
        assert batch.quantitative[0] == batch.raw_quantitative[0]
        assert KpiFlag.GATED in KpiFlag(int(batch.flags[0, 0]))
        assert not bool(batch.gated[0])
        assert ReviewFlag.GATED not in ReviewFlag(int(batch.review_flags[0]))

    def test_a_zero_gate_lowers_to_zero(self) -> None:
        """A fired ZERO gate lowers a positive total to 0, and marks the review."""
        scheme = _scheme([1.0], per_category=2, gate=Gate(threshold=60, effect=GateEffect.ZERO))
        actual = np.array([[55.0, 40.0]])
        batch = ENGINE.score_batch(
            scheme, Population.from_arrays(scheme, subject_ids=["x"], actual=actual)
        )
        assert batch.raw_quantitative[0] > 0.0
        assert batch.quantitative[0] == 0.0
        assert bool(batch.gated[0])


class TestOnePath:
    def test_progress_with_a_baseline_scores_one_review(self) -> None:
        """score() of one review with a `progress` scorer and a baseline works, as a batch does."""
        base = _scheme([1.0])
        kpi = attrs.evolve(
            base.kpis[0], scoring=ScoringSpec(scorer="progress", params={"baseline": 40.0})
        )
        scheme = attrs.evolve(base, kpis=[kpi])
        one = Population.from_arrays(scheme, subject_ids=["x"], actual=np.array([[55.0]]))
        two = Population.from_arrays(
            scheme, subject_ids=["x", "y"], actual=np.array([[55.0], [60.0]])
        )
        card = ENGINE.score_batch(scheme, one).row(0)
        assert card.lines[0].score == pytest.approx(100.0 * (55.0 - 40.0) / (70.0 - 40.0))
        assert card == ENGINE.score_batch(scheme, two).row(0)

    def test_from_cards_inverts_row(self) -> None:
        """BatchScores.from_cards(cards).row(i) is cards[i], for every field."""
        scheme = _scheme([0.5, 0.5], per_category=2, gate=Gate(threshold=60, cap=90.0))
        rng = np.random.default_rng(3)
        actual = rng.uniform(20, 100, size=(6, len(scheme.kpis)))
        actual[1, 2] = np.nan
        batch = ENGINE.score_batch(
            scheme,
            Population.from_arrays(scheme, subject_ids=[f"s{i}" for i in range(6)], actual=actual),
        )
        cards = list(batch.rows())
        rebuilt = BatchScores.from_cards(cards)
        assert [rebuilt.row(i) for i in range(6)] == cards
        np.testing.assert_array_equal(rebuilt.rating_index, batch.rating_index)

    def test_from_cards_refuses_cards_of_two_schemes(self) -> None:
        """from_cards names the card that was scored against another scheme."""
        a = _at(_scheme([1.0]), "target").row(0)
        b = _at(_scheme([0.5, 0.5]), "target").row(0)
        with pytest.raises(ScoringError, match="other KPIs or criteria"):
            BatchScores.from_cards([a, b])


def _result_arrays(batch: BatchScores) -> dict[str, np.ndarray[Any, Any]]:
    """Every array of a batch result, by field name."""
    fields = attrs.fields(BatchScores)
    return {
        f.name: getattr(batch, f.name)
        for f in fields
        if isinstance(getattr(batch, f.name), np.ndarray)
    }


def _assert_same_bits(scheme: Scheme, pop: Population) -> None:
    """Score ``pop`` with the kernel and with the straightforward steps: the same bytes."""
    fused = _result_arrays(ScoringEngine().score_batch(scheme, pop))
    with straightforward_steps():
        plain = _result_arrays(ScoringEngine().score_batch(scheme, pop))
    assert fused.keys() == plain.keys()
    for name, got in fused.items():
        want = plain[name]
        assert (got.dtype, got.shape) == (want.dtype, want.shape), name
        assert got.tobytes() == want.tobytes(), name  # bits: NaN where NaN, -0.0 where -0.0


def _preset_population(scheme: Scheme, n: int, *, per_row: bool = False) -> Population:
    """``n`` reviews of the preset's KPIs around their targets, with holes in every input."""
    rng = np.random.default_rng(20)
    k = len(scheme.kpis)
    centre = np.array([kpi.target for kpi in scheme.kpis], dtype=np.float64)
    spread = np.array(
        [abs((kpi.stretch or kpi.target) - (kpi.threshold or 0.0)) or 2.0 for kpi in scheme.kpis]
    )
    actual = centre + spread * rng.normal(0.0, 0.8, (n, k))
    actual[rng.random((n, k)) < 0.06] = np.nan
    sample = rng.integers(-1, 80, (n, k))
    sample[np.isnan(actual)] = -1
    q, s = len(scheme.criteria), len(scheme.sources)
    raters = rng.integers(0, 4, (n, q, s))
    ratings = np.round(rng.uniform(1.0, 5.0, (n, q, s)) * 2) / 2
    ratings[raters == 0] = np.nan
    extra: dict[str, Any] = {}
    if per_row:
        weights = scheme.nominal_weights()
        w = np.array([weights[kpi.key] for kpi in scheme.kpis]) * rng.uniform(0.5, 1.5, (n, k))
        w[: n // 10, 1] = 0.0  # a weight that fell to zero mid-cycle
        extra["nominal_weight"] = w / w.sum(axis=1, keepdims=True)
        target = np.full((n, k), np.nan)
        target[:, 0] = centre[0] + rng.uniform(-2.0, 2.0, n)
        extra["target"] = target
    return Population.from_arrays(
        scheme,
        subject_ids=[f"s{i}" for i in range(n)],
        actual=actual,
        sample_size=sample,
        ratings=ratings,
        raters=raters,
        **extra,
    )


def _with_policies(scheme: Scheme, *policies: MissingPolicy) -> Scheme:
    """The scheme with the KPIs' missing-data policies replaced, in order."""
    kpis = [
        attrs.evolve(kpi, missing=policies[j % len(policies)]) for j, kpi in enumerate(scheme.kpis)
    ]
    return attrs.evolve(scheme, kpis=kpis)


def _with_zero_weights(scheme: Scheme) -> Scheme:
    """The scheme with one KPI of each two-KPI category at weight 0 (ZERO and REALLOCATE)."""
    base = _with_policies(scheme, MissingPolicy.REALLOCATE, MissingPolicy.ZERO)
    kpis = list(base.kpis)
    for cols in base.category_keys:
        members = [j for j, kpi in enumerate(kpis) if kpi.category == cols]
        if len(members) == 2:
            kpis[members[0]] = attrs.evolve(kpis[members[0]], weight=0.0)
            kpis[members[1]] = attrs.evolve(kpis[members[1]], weight=1.0)
    return attrs.evolve(base, kpis=kpis)


def _variants() -> dict[str, tuple[Scheme, bool]]:
    """Schemes that take every branch of the fused steps, and whether rows bring weights."""
    preset = customer_service_manager()
    mixed = _with_policies(
        preset, MissingPolicy.REALLOCATE, MissingPolicy.ZERO, MissingPolicy.REALLOCATE
    )
    held = attrs.evolve(
        mixed,
        missing_data=MissingData(
            min_measured_share=0.8,
            small_sample=SmallSample.AS_MISSING,
            gate_without_data=GateWithoutData.HOLD,
        ),
    )
    return {
        "preset": (preset, False),
        "reallocate and zero": (mixed, False),
        "zero weights": (_with_zero_weights(preset), False),
        "small samples missing, gates held": (held, False),
        "per-review weights and targets": (mixed, True),
    }


VARIANTS = _variants()


class TestFewerPassesSameBits:
    """The kernel's steps give the bits of the straightforward steps (straightforward_kernel)."""

    def test_every_replaced_step_is_a_kernel_step(self) -> None:
        """The reference replaces documented kernel steps, by their public names."""
        assert set(STEPS) <= set(kernel.__all__)

    @pytest.mark.parametrize("variant", sorted(VARIANTS))
    def test_large_populations_across_blocks(self, variant: str) -> None:
        """Every result array of 40,000 reviews with holes everywhere has the same bytes."""
        scheme, per_row = VARIANTS[variant]
        _assert_same_bits(scheme, _preset_population(scheme, 40_000, per_row=per_row))

    @settings(
        deadline=None,
        max_examples=60,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,  # the library's goal strategy filters
        ],
    )
    @given(populations(max_size=12))
    def test_generated_populations(self, scheme_and_population: tuple[Scheme, Population]) -> None:
        """Every result array of a generated population has the same bytes."""
        _assert_same_bits(*scheme_and_population)
