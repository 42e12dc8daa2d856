"""The private statistics of the people analytics against scipy and exact enumeration."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.analytics import _stats

scipy_stats = pytest.importorskip("scipy.stats")


def _fisher_by_enumeration(a: int, b: int, c: int, d: int) -> Fraction:
    """Two-sided Fisher p by listing every way of choosing the selected people (exact)."""
    n1, n2, selected = a + b, c + d, a + c
    people = [0] * n1 + [1] * n2
    ways: dict[int, int] = {}
    for chosen in itertools.combinations(range(n1 + n2), selected):
        in_first = sum(1 for i in chosen if people[i] == 0)
        ways[in_first] = ways.get(in_first, 0) + 1
    total = sum(ways.values())
    return Fraction(sum(w for w in ways.values() if w <= ways[a]), total)


class TestFisher:
    @given(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4), st.integers(0, 4))
    @settings(max_examples=60, deadline=None)
    def test_equals_enumeration_of_every_selection(self, a: int, b: int, c: int, d: int) -> None:
        """Fisher's p equals the exact share of equally or less likely selections."""
        if a + b + c + d == 0:
            return
        assert _stats.fisher_exact(a, b, c, d) == float(_fisher_by_enumeration(a, b, c, d))

    @given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
    @settings(max_examples=200, deadline=None)
    def test_matches_scipy(self, a: int, b: int, c: int, d: int) -> None:
        """Fisher's p matches scipy.stats.fisher_exact (two-sided)."""
        if a + b + c + d == 0:
            return
        ours = _stats.fisher_exact(a, b, c, d)
        theirs = scipy_stats.fisher_exact([[a, b], [c, d]]).pvalue
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-300)
        assert 0.0 <= ours <= 1.0


class TestChiSquare:
    @given(st.lists(st.tuples(st.integers(1, 500), st.integers(1, 500)), min_size=2, max_size=8))
    @settings(max_examples=100, deadline=None)
    def test_matches_scipy_chi2_contingency(self, rows: list[tuple[int, int]]) -> None:
        """Pearson's chi-square, df and p match scipy.stats.chi2_contingency."""
        table = np.array(rows, dtype=np.int64)
        stat, df, p = _stats.chi2_independence(table)
        ref = scipy_stats.chi2_contingency(table, correction=False)
        assert stat == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
        assert df == ref.dof
        assert p == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)

    @given(st.integers(1, 300), st.integers(1, 300), st.integers(0, 300), st.integers(0, 300))
    @settings(max_examples=100, deadline=None)
    def test_two_proportion_z_squared_is_the_2x2_chi_square(
        self, n1: int, n2: int, x1: int, x2: int
    ) -> None:
        """z² of the pooled two-proportion test is the uncorrected 2x2 chi-square, same p."""
        x1, x2 = min(x1, n1), min(x2, n2)
        z, p = _stats.two_proportion_z(x1, n1, x2, n2)
        table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
        if (table.sum(axis=0) == 0).any():
            assert (z, p) == (0.0, 1.0)
            return
        ref = scipy_stats.chi2_contingency(table, correction=False)
        assert z * z == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
        assert p == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)

    @pytest.mark.parametrize("df", [1, 2, 3, 7, 30, 101])
    @pytest.mark.parametrize("x", [0.01, 0.5, 1.0, 3.84, 10.0, 60.0, 400.0])
    def test_survival_function_matches_scipy(self, x: float, df: int) -> None:
        """The chi-square survival function matches scipy.stats.chi2.sf."""
        assert _stats.chi2_sf(x, df) == pytest.approx(
            scipy_stats.chi2.sf(x, df), rel=1e-10, abs=1e-300
        )


class TestWelch:
    def test_tiny_variances_give_finite_degrees_of_freedom(self) -> None:
        """Variances whose squares underflow still give the Welch-Satterthwaite df exactly."""
        res = _stats.welch(
            mean1=1.0, var1=1e-200, n1=5, mean2=0.0, var2=3e-200, n2=9, confidence=0.95
        )
        a, b = Fraction(1, 5), Fraction(3, 9)  # v1 = var1 / n1 and v2 = var2 / n2, over 1e-200
        want = (a + b) ** 2 / (a * a / 4 + b * b / 8)
        assert res.df == pytest.approx(float(want), rel=1e-12)
        assert math.isfinite(res.t)

    @given(
        st.lists(st.floats(0, 150, allow_nan=False), min_size=2, max_size=40),
        st.lists(st.floats(0, 150, allow_nan=False), min_size=2, max_size=40),
        st.sampled_from([0.9, 0.95, 0.99]),
    )
    @settings(max_examples=150, deadline=None)
    def test_matches_scipy_ttest_ind_unequal_variances(
        self, a: list[float], b: list[float], confidence: float
    ) -> None:
        """Welch's t, df, p and confidence interval match scipy's ttest_ind(equal_var=False)."""
        x, y = np.array(a), np.array(b)
        res = _stats.welch(
            mean1=x.mean(),
            var1=x.var(ddof=1),
            n1=len(x),
            mean2=y.mean(),
            var2=y.var(ddof=1),
            n2=len(y),
            confidence=confidence,
        )
        if x.var() < 1e-6 or y.var() < 1e-6:
            return  # scipy warns on a (nearly) constant sample; see test_equal_samples_...
        ref = scipy_stats.ttest_ind(x, y, equal_var=False)
        ci = ref.confidence_interval(confidence)
        scale = max(1.0, abs(res.difference))
        assert res.t == pytest.approx(ref.statistic, rel=1e-7, abs=1e-9)
        assert res.df == pytest.approx(ref.df, rel=1e-7)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-12)
        assert res.low == pytest.approx(ci.low, rel=1e-7, abs=1e-9 * scale)
        assert res.high == pytest.approx(ci.high, rel=1e-7, abs=1e-9 * scale)

    @pytest.mark.parametrize("df", [1.0, 1.5, 2.3, 9.7, 40.0, 1234.5])
    @pytest.mark.parametrize("q", [0.6, 0.9, 0.95, 0.975, 0.995, 0.025])
    def test_t_quantile_matches_scipy(self, q: float, df: float) -> None:
        """The Student t quantile matches scipy.stats.t.ppf."""
        assert _stats.t_ppf(q, df) == pytest.approx(scipy_stats.t.ppf(q, df), rel=1e-10)

    def test_equal_samples_have_no_test(self) -> None:
        """Two groups whose scores are all equal give a difference and no t, p or interval."""
        res = _stats.welch(mean1=3.0, var1=0.0, n1=4, mean2=1.0, var2=0.0, n2=5, confidence=0.95)
        assert res.difference == 2.0
        assert all(math.isnan(v) for v in (res.t, res.df, res.p_value, res.low, res.high))
