"""The few statistical tests the people analytics need, in numpy and ``math`` only.

Fisher's exact test sums hypergeometric probabilities as exact integers (``math.comb``), so
which tables count as "at least as extreme" is decided without rounding. The chi-square and
Student t distributions are evaluated through the regularised incomplete gamma and beta
functions (continued fractions, as in *Numerical Recipes* §6.2 and §6.4) to about 1e-14
relative accuracy; the t quantile is found by bisection on that function.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "TwoProportion",
    "Welch",
    "chi2_independence",
    "chi2_sf",
    "fisher_exact",
    "t_ppf",
    "t_sf",
    "two_proportion_z",
    "welch",
]

_EPS = 1e-16
_TINY = 1e-300
_MAX_ITER = 10_000


def _log_gamma_prefix(a: float, x: float) -> float:
    """``log(x**a * exp(-x) / Gamma(a))``."""
    return a * math.log(x) - x - math.lgamma(a)


def _gamma_p_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    ap = a
    for _ in range(_MAX_ITER):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(_log_gamma_prefix(a, x))


def _gamma_q_fraction(a: float, x: float) -> float:
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.exp(_log_gamma_prefix(a, x)) * h


def chi2_sf(x: float, df: float) -> float:
    """Return ``P(X >= x)`` for a chi-square variable with ``df`` degrees of freedom."""
    if x <= 0.0:
        return 1.0
    a, half = df / 2.0, x / 2.0
    if half < a + 1.0:
        return max(0.0, 1.0 - _gamma_p_series(a, half))
    return _gamma_q_fraction(a, half)


def _beta_fraction(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def _beta_inc(a: float, b: float, x: float, y: float) -> float:
    """The regularised incomplete beta function ``I_x(a, b)``, given ``x`` and ``y = 1 - x``.

    Both are passed so that neither loses digits to a subtraction near 0 or 1.
    """
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, y) / b


def t_sf(t: float, df: float) -> float:
    """Return ``P(T >= t)`` for Student's t with ``df`` (possibly fractional) degrees of freedom."""
    if math.isinf(df):
        return 0.5 * math.erfc(t / math.sqrt(2.0))
    t2 = t * t
    # I_x(df/2, 1/2) with x = df/(df+t²) equals 1 - I_y(1/2, df/2) with y = t²/(df+t²).
    tail = 0.5 * _beta_inc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
    return tail if t >= 0 else 1.0 - tail


def _t_pdf(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(t * t / df))


def t_ppf(q: float, df: float) -> float:
    """Return the ``q`` quantile of Student's t with ``df`` degrees of freedom (0 < q < 1).

    Newton steps on the survival function, kept inside a bracket that halves whenever a step
    would leave it, so it converges for heavy tails too.
    """
    if q == 0.5:
        return 0.0
    tail = 1.0 - q if q > 0.5 else q
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > tail and hi < 1e300:
        lo, hi = hi, hi * 2.0
    t = 0.5 * (lo + hi)
    for _ in range(200):
        excess = t_sf(t, df) - tail  # > 0: t is too small
        if excess > 0:
            lo = t
        else:
            hi = t
        step = excess / _t_pdf(t, df)
        new = t + step
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - t) <= 1e-15 * abs(new) or new in (lo, hi):
            t = new
            break
        t = new
    return t if q > 0.5 else -t


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Return the two-sided p-value of Fisher's exact test on ``[[a, b], [c, d]]``.

    The tables with the observed margins whose hypergeometric probability is at most the
    observed table's are summed, as exact integers; the quotient is rounded once.
    """
    row1, col1, n = a + b, a + c, a + b + c + d
    low, high = max(0, row1 + col1 - n), min(row1, col1)
    counts = [math.comb(col1, x) * math.comb(n - col1, row1 - x) for x in range(low, high + 1)]
    observed = counts[a - low]
    extreme = sum(w for w in counts if w <= observed)
    return float(min(Fraction(extreme, math.comb(n, row1)), Fraction(1)))


class TwoProportion(NamedTuple):
    """The pooled two-proportion z test (the 2x2 chi-square test without continuity correction)."""

    z: float
    p_value: float


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> TwoProportion:
    """Test ``x1/n1 == x2/n2`` with the pooled normal approximation (two-sided)."""
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    if var <= 0.0:
        return TwoProportion(0.0, 1.0)
    z = (x1 / n1 - x2 / n2) / math.sqrt(var)
    return TwoProportion(z, math.erfc(abs(z) / math.sqrt(2.0)))


def chi2_independence(table: npt.NDArray[np.int64]) -> tuple[float, int, float]:
    """Return Pearson's chi-square, its degrees of freedom and p-value for an ``(R, C)`` table.

    Rows or columns that are all zero are dropped first (they carry no information); with
    fewer than two rows or columns left the statistic is 0 with 0 degrees of freedom.
    """
    t = np.asarray(table, dtype=np.float64)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    rows, cols = t.shape
    if rows < 2 or cols < 2:
        return 0.0, 0, 1.0
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    stat = float(((t - expected) ** 2 / expected).sum())
    df = (rows - 1) * (cols - 1)
    return stat, df, chi2_sf(stat, df)


class Welch(NamedTuple):
    """Welch's unequal-variance t test of a difference in means, with its confidence interval."""

    difference: float
    t: float
    df: float
    p_value: float
    low: float
    high: float


def welch(
    *, mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int, confidence: float
) -> Welch:
    """Compare two means from their sample variances (``ddof=1``) and sizes (each >= 2).

    Returns NaN for every figure but the difference when both variances are zero.
    """
    diff = float(mean1) - float(mean2)
    v1, v2 = float(var1) / n1, float(var2) / n2
    se2 = v1 + v2
    if se2 <= 0.0:
        nan = math.nan
        return Welch(diff, nan, nan, nan, nan, nan)
    se = math.sqrt(se2)
    # Welch-Satterthwaite degrees of freedom on the variances scaled by the larger one, so that
    # tiny variances (whose squares underflow to 0) give the same df as any others.
    top = max(v1, v2)
    a, b = v1 / top, v2 / top
    df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1))
    t = diff / se
    p = min(1.0, 2.0 * t_sf(abs(t), df))
    half = t_ppf(0.5 + confidence / 2.0, df) * se
    return Welch(diff, t, df, p, diff - half, diff + half)
