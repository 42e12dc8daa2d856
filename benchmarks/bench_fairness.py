"""Benchmark adverse_impact: 1,000,000 people in 10 groups against a pandas groupby.

Run: ``.venv/bin/python benchmarks/bench_fairness.py [--people N] [--repeat R]``

The pandas baseline does the same work the way an analyst would write it: a ``groupby`` for
the counts, selected sums, score means and variances per group, then the four-fifths ratios
against the best group, scipy's Fisher or two-proportion (2x2 chi-square) test per group,
Welch's test and interval from the group statistics, and the chi-square across groups. Both
sides are checked to give the same figures before anything is timed. Group labels come as
text (a numpy string array for perfmgmt, a DataFrame column for pandas) and as categories
(a pandas ``Categorical`` for both).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from perfmgmt.analytics import FOUR_FIFTHS, AdverseImpact, adverse_impact

K = 5
ALPHA = 0.05


def make_people(n: int, groups: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    """Group labels of unequal sizes, a promotion outcome with unequal rates, and scores."""
    rng = np.random.default_rng(seed)
    sizes = rng.dirichlet(np.full(groups, 2.0))
    code = rng.choice(groups, size=n, p=sizes)
    labels = np.array([f"dept-{i:02d}" for i in range(groups)])
    rate = np.linspace(0.15, 0.35, groups)[code]
    return {
        "group": labels[code],
        "selected": rng.random(n) < rate,
        "score": rng.normal(80.0, 12.0, n) + code * 0.2,
    }


def ours(people: dict[str, Any], groups: Any) -> AdverseImpact:
    """The library: one call."""
    return adverse_impact(
        people["selected"], groups, outcome="promotion", scores=people["score"], k=K
    )


def pandas_reference(df: pd.DataFrame) -> pd.DataFrame:
    """The same analysis with a pandas groupby and scipy.stats."""
    g = df.groupby("group", observed=True, sort=True).agg(
        people=("selected", "size"),
        selected=("selected", "sum"),
        mean=("score", "mean"),
        var=("score", "var"),
        scored=("score", "count"),
    )
    g = g[g["people"] >= K].copy()
    g["rate"] = g["selected"] / g["people"]
    ref = g["rate"].idxmax()
    g["impact_ratio"] = g["rate"] / g.loc[ref, "rate"]
    g["below"] = g["impact_ratio"] < FOUR_FIFTHS
    r = g.loc[ref]
    p_values, diffs, lows, highs = [], [], [], []
    for label, row in g.iterrows():
        if label == ref:
            p_values.append(math.nan)
            diffs.append(0.0)
            lows.append(math.nan)
            highs.append(math.nan)
            continue
        table = np.array(
            [
                [row["selected"], row["people"] - row["selected"]],
                [r["selected"], r["people"] - r["selected"]],
            ]
        )
        expected = stats.contingency.expected_freq(table)
        if expected.min() < 5:
            p_values.append(stats.fisher_exact(table).pvalue)
        else:
            p_values.append(stats.chi2_contingency(table, correction=False).pvalue)
        v1, v2 = row["var"] / row["scored"], r["var"] / r["scored"]
        df_w = (v1 + v2) ** 2 / (v1**2 / (row["scored"] - 1) + v2**2 / (r["scored"] - 1))
        half = stats.t.ppf(1 - ALPHA / 2, df_w) * math.sqrt(v1 + v2)
        d = row["mean"] - r["mean"]
        diffs.append(d)
        lows.append(d - half)
        highs.append(d + half)
    g["p_value"] = p_values
    g["difference"] = diffs
    g["low"] = lows
    g["high"] = highs
    chi = stats.chi2_contingency(
        np.stack([g["selected"], g["people"] - g["selected"]], axis=1), correction=False
    )
    g.attrs["chi2"] = chi.statistic
    g.attrs["chi2_p"] = chi.pvalue
    return g


def check_agreement(result: AdverseImpact, ref: pd.DataFrame) -> None:
    """Both sides give the same groups, counts, ratios, p-values, gaps and chi-square."""
    shown = [g for g in result.groups if not g.suppressed]
    assert [g.group for g in shown] == [str(x) for x in ref.index]
    for g, (_, row) in zip(shown, ref.iterrows(), strict=True):
        assert (g.people, g.selected) == (int(row["people"]), int(row["selected"]))
        assert math.isclose(g.impact_ratio or 0.0, row["impact_ratio"], rel_tol=1e-12)
        assert g.below_four_fifths == bool(row["below"])
        assert g.score is not None
        assert math.isclose(g.score.difference, row["difference"], rel_tol=1e-9, abs_tol=1e-9)
        if g.test is not None:
            assert math.isclose(g.p_value or 0.0, row["p_value"], rel_tol=1e-8, abs_tol=1e-300)
            assert math.isclose(g.score.low, row["low"], rel_tol=1e-8, abs_tol=1e-9)
            assert math.isclose(g.score.high, row["high"], rel_tol=1e-8, abs_tol=1e-9)
    assert math.isclose(result.chi_square, ref.attrs["chi2"], rel_tol=1e-9)
    assert math.isclose(result.p_value, ref.attrs["chi2_p"], rel_tol=1e-8, abs_tol=1e-300)


def best_of(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best wall time of each function, called in turn ``repeat`` times."""
    best = [math.inf] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def measure(n: int, repeat: int = 5) -> dict[str, float]:
    """Check agreement, then time both sides with text and with categorical labels."""
    people = make_people(n)
    text = people["group"]
    cat = pd.Categorical(text)
    df_text = pd.DataFrame(people)
    df_cat = df_text.assign(group=cat)
    check_agreement(ours(people, text), pandas_reference(df_text))
    check_agreement(ours(people, cat), pandas_reference(df_cat))
    t_text, t_pd_text, t_cat, t_pd_cat = best_of(
        [
            lambda: ours(people, text),
            lambda: pandas_reference(df_text),
            lambda: ours(people, cat),
            lambda: pandas_reference(df_cat),
        ],
        repeat,
    )
    return {"text": t_text, "pandas_text": t_pd_text, "cat": t_cat, "pandas_cat": t_pd_cat}


def run(quick: bool = False) -> list[Any]:
    """Rows for ``benchmarks/run.py``."""
    from run import Row  # type: ignore[import-not-found]

    n = 100_000 if quick else 1_000_000
    t = measure(n)
    return [
        Row(
            f"adverse impact, {n:,} people x 10 groups, text labels vs pandas groupby",
            t["text"],
            {"pandas": t["pandas_text"]},
            t["pandas_text"] / t["text"],
            "pandas/ours",
            "< 1 s",
            t["text"] < 1.0,
        ),
        Row(
            f"adverse impact, {n:,} people x 10 groups, categorical labels vs pandas groupby",
            t["cat"],
            {"pandas": t["pandas_cat"]},
            t["pandas_cat"] / t["cat"],
            "pandas/ours",
            "< 1 s",
            t["cat"] < 1.0,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    t = measure(args.people, args.repeat)
    print(f"adverse impact, {args.people:,} people x 10 groups (best of {args.repeat})")
    print("| labels | perfmgmt | pandas groupby + scipy | pandas/ours |")
    print("|---|---:|---:|---:|")
    for kind, name in (("text", "text"), ("cat", "categorical")):
        mine, other = t[kind], t[f"pandas_{kind}"]
        print(f"| {name} | {mine * 1e3:.0f} ms | {other * 1e3:.0f} ms | {other / mine:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
