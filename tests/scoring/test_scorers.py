"""Tests for perfmgmt.scoring.scorers: formulas, bounds, monotonicity and mirroring."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfmgmt.errors import ScoringError
from perfmgmt.model.indicator import Direction
from perfmgmt.scoring.scorers import (
    CheckedScorer,
    Scorer,
    _score_into,
    banded,
    binary,
    linear,
    progress,
    ratio,
    target_band,
)

HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER


def _a(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def _run(scorer: Scorer, actual: float, t: float, g: float, s: float) -> tuple[float, float]:
    ach, score = scorer(_a(actual), _a(t), _a(g), _a(s))
    return float(ach[0]), float(score[0])


_values = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
_bounds = st.tuples(
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
    st.floats(min_value=0.5, max_value=100),
    st.floats(min_value=0.5, max_value=100),
).map(lambda v: (v[0], v[0] + v[1], v[0] + v[1] + v[2]))


class TestLinear:
    def test_threshold_target_stretch_points(self) -> None:
        """Threshold pays the threshold payout, target 100, stretch the cap, below 0."""
        sc = linear(threshold_payout=50, cap=150)
        assert _run(sc, 80, 80, 90, 95)[1] == 50.0
        assert _run(sc, 90, 80, 90, 95)[1] == 100.0
        assert _run(sc, 95, 80, 90, 95)[1] == 150.0
        assert _run(sc, 99, 80, 90, 95)[1] == 150.0
        assert _run(sc, 79.9, 80, 90, 95)[1] == 0.0

    def test_interpolates_between_points(self) -> None:
        """Halfway from threshold to target scores halfway from payout to 100."""
        ach, score = _run(linear(), 85, 80, 90, 95)
        assert ach == 0.5
        assert score == 75.0

    def test_floor_replaces_zero_below_threshold(self) -> None:
        """A floor is paid below the threshold instead of 0."""
        assert _run(linear(floor=20), 10, 80, 90, 95)[1] == 20.0

    def test_accelerator_reaches_cap_sooner(self) -> None:
        """An accelerator of 2 reaches the cap halfway from target to stretch."""
        assert _run(linear(accelerator=2.0), 92.5, 80, 90, 95)[1] == 150.0

    def test_no_stretch_means_no_upside(self) -> None:
        """Without a stretch the score stays 100 above target."""
        assert _run(linear(), 200, 80, 90, np.nan)[1] == 100.0

    def test_lower_is_better(self) -> None:
        """Lower-is-better: at or below target scores at least 100."""
        sc = linear(direction=LOWER)
        assert _run(sc, 45, 60, 45, 30)[1] == 100.0
        assert _run(sc, 30, 60, 45, 30)[1] == 150.0
        assert _run(sc, 61, 60, 45, 30)[1] == 0.0

    @given(
        xs=st.lists(_values, min_size=1, max_size=8),
        bounds=_bounds,
        tp=st.floats(0, 100),
        floor_gap=st.floats(0, 1e3),
        cap=st.floats(100, 1e4),
        acc=st.floats(0.01, 10),
        stretch=st.sampled_from(["float", "no float", "array", "no array", "rows"]),
    )
    def test_matches_piecewise_definition_bit_for_bit(
        self,
        *,
        xs: list[float],
        bounds: tuple[float, float, float],
        tp: float,
        floor_gap: float,
        cap: float,
        acc: float,
        stretch: str,
    ) -> None:
        """The selection-free formulas give the piecewise definition's bits, NaN for NaN.

        Bounds come as Python floats (the engine's scheme defaults) or as arrays (agreed
        goals), with a stretch, without one, or with one on some rows only.
        """
        sc = linear(threshold_payout=tp, floor=tp - floor_gap, cap=cap, accelerator=acc)
        t, g, s = bounds
        x = _a(*xs, np.nan)
        rows = np.where(np.arange(x.size) % 2, s, np.nan)
        args: dict[str, tuple[object, object, object]] = {
            "float": (t, g, s),
            "no float": (t, g, float("nan")),
            "array": (_a(t), _a(g), _a(s)),
            "no array": (_a(t), _a(g), _a(np.nan)),
            "rows": (_a(t), _a(g), rows),
        }
        bounds_arg = args[stretch]
        ach, score = sc(x, *bounds_arg)  # type: ignore[arg-type]
        # The definition, with selections.
        st_arg = np.asarray(bounds_arg[2])
        below = (x - t) / (g - t) * (100.0 - tp) + tp
        above = np.minimum((x - g) * (acc * (cap - 100.0)) / (st_arg - g) + 100.0, cap)
        above = np.where(np.isnan(st_arg), 100.0, above)
        want = np.where(x < t, tp - floor_gap, np.where(x < g, below, above))
        want[np.isnan(x)] = np.nan
        assert score.tobytes() == want.tobytes()
        assert ach.tobytes() == ((x - t) / (g - t)).tobytes()
        out = (np.empty_like(x), np.empty_like(x))
        _score_into(sc, x, *bounds_arg, out=out)  # type: ignore[arg-type]
        assert out[0].tobytes() == ach.tobytes()
        assert out[1].tobytes() == score.tobytes()

    @pytest.mark.parametrize(
        ("kwargs", "word"),
        [
            ({"threshold_payout": 120}, "threshold_payout"),
            ({"cap": 90}, "cap"),
            ({"floor": 60}, "floor"),
            ({"accelerator": 0}, "accelerator"),
            ({"direction": Direction.TARGET_IS_BEST}, "target_band"),
            ({"direction": "sideways"}, "sideways"),
        ],
    )
    def test_bad_parameters_refused(self, kwargs: dict[str, object], word: str) -> None:
        """Inconsistent parameters raise ScoringError naming the parameter."""
        with pytest.raises(ScoringError, match=word):
            linear(**kwargs)  # type: ignore[arg-type]


class TestBanded:
    def test_half_open_bands_higher(self) -> None:
        """An actual on an edge belongs to the upper (better) band when higher is better."""
        sc = banded(edges=(1, 2, 3), scores=(0, 80, 100, 130))
        _, s = sc(_a(0.5, 1, 1.99, 2, 3, 10), _a(*[0] * 6), _a(*[0] * 6), _a(*[0] * 6))
        assert s.tolist() == [0, 80, 80, 100, 130, 130]
        assert (sc.floor, sc.cap) == (0, 130)

    def test_half_open_bands_lower(self) -> None:
        """An actual on an edge belongs to the lower (better) band when lower is better."""
        sc = banded(direction=LOWER, edges=(30, 60), scores=(120, 100, 0))
        z = _a(0, 0, 0, 0)
        _, s = sc(_a(29, 30, 31, 60), z, z, z)
        assert s.tolist() == [120, 120, 100, 100]

    @pytest.mark.parametrize(
        ("edges", "scores", "word"),
        [
            ((), (1,), "empty"),
            ((2, 1), (0, 1, 2), "ascending"),
            ((1, 1), (0, 1, 2), "ascending"),
            ((1, 2), (0, 1), "entries"),
            ((1, 2), (0, 100, 50), "non-decreasing"),
        ],
    )
    def test_tables_that_do_not_partition_refused(
        self, edges: tuple[float, ...], scores: tuple[float, ...], word: str
    ) -> None:
        """Edges must ascend strictly and scores fit the bands and the direction."""
        with pytest.raises(ScoringError, match=word):
            banded(edges=edges, scores=scores)

    @given(st.lists(st.floats(-100, 100), min_size=1, max_size=6, unique=True), _values)
    def test_bands_partition_the_line(self, edges: list[float], x: float) -> None:
        """Every actual falls in exactly one band: the one whose [lower, upper) contains it."""
        e = sorted(edges)
        scores = list(range(len(e) + 1))
        z = _a(0)
        _, s = banded(edges=e, scores=scores)(_a(x), z, z, z)
        band = int(s[0])
        lower = -np.inf if band == 0 else e[band - 1]
        upper = np.inf if band == len(e) else e[band]
        assert lower <= x < upper


class TestRatio:
    def test_higher(self) -> None:
        """Achievement is actual / target, score 100 x achievement capped."""
        sc = ratio(cap=120)
        assert _run(sc, 40, np.nan, 50, np.nan) == (0.8, 80.0)
        assert _run(sc, 100, np.nan, 50, np.nan)[1] == 120.0

    def test_lower_inverse_and_zero_actual(self) -> None:
        """Inverse form uses target / actual; a zero actual is best and scores the cap."""
        sc = ratio(direction=LOWER, lower_form="inverse")
        assert _run(sc, 50, np.nan, 40, np.nan)[1] == 80.0
        assert _run(sc, 0, np.nan, 40, np.nan)[1] == 150.0

    def test_lower_complement(self) -> None:
        """Complement form uses 2 - actual / target, floored at 0."""
        sc = ratio(direction=LOWER, lower_form="complement")
        assert _run(sc, 50, np.nan, 40, np.nan)[1] == pytest.approx(75.0)
        assert _run(sc, 100, np.nan, 40, np.nan)[1] == 0.0

    def test_zero_target_refused_by_check(self) -> None:
        """The row check flags zero and negative targets."""
        sc = ratio()
        assert isinstance(sc, CheckedScorer)
        bad = sc.check(_a(0, 0, 0), _a(1, 0, -1), _a(0, 0, 0))
        assert bad is not None
        assert bad[0].tolist() == [False, True, True]

    def test_bad_form_refused(self) -> None:
        """An unknown lower-is-better form is refused."""
        with pytest.raises(ScoringError, match="lower_form"):
            ratio(lower_form="upside_down")

    @given(st.floats(0.01, 1e4), st.floats(0.01, 1e4))
    def test_inverse_mirrors_higher(self, a: float, g: float) -> None:
        """Lower-is-better inverse at (a, g) equals higher-is-better at (g, a)."""
        lo = _run(ratio(direction=LOWER), a, np.nan, g, np.nan)[1]
        hi = _run(ratio(), g, np.nan, a, np.nan)[1]
        assert lo == hi


class TestBinary:
    def test_met_inclusive(self) -> None:
        """Reaching the target exactly counts as met, in both directions."""
        assert _run(binary(), 5, np.nan, 5, np.nan) == (1.0, 100.0)
        assert _run(binary(), 4.9, np.nan, 5, np.nan) == (0.0, 0.0)
        assert _run(binary(direction=LOWER), 5, np.nan, 5, np.nan)[1] == 100.0
        assert _run(binary(direction=LOWER), 5.1, np.nan, 5, np.nan)[1] == 0.0

    def test_unmet_above_met_refused(self) -> None:
        """Unmet may not pay more than met."""
        with pytest.raises(ScoringError, match="unmet"):
            binary(met=50, unmet=60)


class TestTargetBand:
    def test_tolerance_and_falloff(self) -> None:
        """Inside the band scores 100; beyond it loses falloff points per unit."""
        sc = target_band(tolerance=2, falloff=10)
        assert _run(sc, 52, np.nan, 50, np.nan)[1] == 100.0
        assert _run(sc, 45, np.nan, 50, np.nan)[1] == 70.0
        assert _run(sc, 0, np.nan, 50, np.nan)[1] == 0.0

    def test_only_target_is_best(self) -> None:
        """The scorer refuses higher-is-better indicators."""
        with pytest.raises(ScoringError, match="target-is-best"):
            target_band(direction=HIGHER)

    @given(_values, st.floats(-100, 100))
    def test_symmetric_about_target(self, d: float, g: float) -> None:
        """Equal distance above and below the target scores the same."""
        sc = target_band(tolerance=1, falloff=3)
        assert _run(sc, g + d, np.nan, g, np.nan)[1] == pytest.approx(
            _run(sc, g - d, np.nan, g, np.nan)[1]
        )


class TestProgress:
    def test_from_threshold_as_start(self) -> None:
        """Progress is (actual - start) / (target - start), the threshold being the start."""
        assert _run(progress(), 30, 10, 50, np.nan) == (0.5, 50.0)

    def test_fixed_baseline(self) -> None:
        """A baseline parameter replaces the threshold as start."""
        assert _run(progress(baseline=0, cap=120), 60, np.nan, 50, np.nan)[1] == 120.0

    def test_check_refuses_target_at_start(self) -> None:
        """A target not beyond the start is refused."""
        bad = progress().check(_a(5), _a(5), _a(np.nan))
        assert bad is not None
        assert bad[0].tolist() == [True]


_MONOTONE = [
    linear(),
    linear(floor=10, threshold_payout=60, cap=200, accelerator=3),
    banded(edges=(-5, 0, 5), scores=(0, 50, 100, 120)),
    ratio(),
    binary(),
    progress(cap=130),
]


def _mirror_of(scorer: Scorer) -> Scorer:
    """Build the lower-is-better twin of a higher-is-better built-in."""
    if scorer is _MONOTONE[2]:
        return banded(direction=LOWER, edges=(-5, 0, 5), scores=(120, 100, 50, 0))
    factory = {"LinearScorer": linear, "BinaryScorer": binary, "ProgressScorer": progress}
    name = type(scorer).__name__
    kwargs = {
        "LinearScorer": lambda s: {
            "threshold_payout": s.threshold_payout,
            "cap": s.cap,
            "floor": s.floor,
            "accelerator": s.accelerator,
        },
        "BinaryScorer": lambda s: {"met": s.met, "unmet": s.unmet},
        "ProgressScorer": lambda s: {"cap": s.cap},
    }[name](scorer)
    return factory[name](direction=LOWER, **kwargs)  # type: ignore[operator]


class TestProperties:
    @pytest.mark.parametrize("scorer", _MONOTONE, ids=lambda s: type(s).__name__)
    @given(a=_values, b=_values, bounds=_bounds)
    def test_better_actual_never_lowers_score(
        self, scorer: Scorer, a: float, b: float, bounds: tuple[float, float, float]
    ) -> None:
        """For higher-is-better, a larger actual never scores lower."""
        t, g, s = bounds
        if isinstance(scorer, type(ratio())):
            t, g, s = np.nan, abs(g) + 1, np.nan
        lo, hi = sorted((a, b))
        with np.errstate(all="ignore"):
            assert _run(scorer, lo, t, g, s)[1] <= _run(scorer, hi, t, g, s)[1]

    @pytest.mark.parametrize(
        "scorer", [*_MONOTONE, target_band(tolerance=1, falloff=2, floor=5)], ids=repr
    )
    @given(a=_values, bounds=_bounds)
    def test_score_within_floor_and_cap(
        self, scorer: Scorer, a: float, bounds: tuple[float, float, float]
    ) -> None:
        """Every score lies within the scorer's floor and cap."""
        t, g, s = bounds
        if isinstance(scorer, type(ratio())):
            g = abs(g) + 1
        with np.errstate(all="ignore"):
            score = _run(scorer, a, t, g, s)[1]
        assert scorer.floor <= score <= scorer.cap

    @pytest.mark.parametrize(
        "scorer", [s for s in _MONOTONE if not isinstance(s, type(ratio()))], ids=repr
    )
    @given(a=_values, bounds=_bounds)
    def test_lower_is_better_mirrors_exactly(
        self, scorer: Scorer, a: float, bounds: tuple[float, float, float]
    ) -> None:
        """Lower-is-better on (a, t, g, s) equals higher-is-better on the negated values."""
        t, g, s = bounds
        twin = _mirror_of(scorer)
        with np.errstate(all="ignore"):
            hi = _run(scorer, a, t, g, s)
            lo = _run(twin, -a, -t, -g, -s)
        assert lo[1] == hi[1]
        assert np.array_equal(_a(lo[0]), _a(hi[0]), equal_nan=True)
