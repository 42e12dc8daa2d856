"""End to end on the bundled preset: an Arrow table of inputs in, a result table out.

Run: ``.venv/bin/python benchmarks/bench_end_to_end.py [N] [--repeat R] [--threads T]``
(default 1,000,000 reviews, 1 thread).  ``--threads T`` gives every pipeline T threads: polars'
pool (``POLARS_MAX_THREADS``, set before polars is imported), Arrow's CPU pool, and perfmgmt's
``partition_scorer(..., workers=T)``; perfmgmt also runs with 1 thread in the same run, for the
2-threads-against-1 ratio.  Each run also measures the machine's copy bandwidth and states the
floor: the input table read once and the result table written once at that bandwidth.
The header names any glibc allocator settings in the environment (``MALLOC_TRIM_THRESHOLD_``,
``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TOP_PAD_``): they decide whether memory freed by one run
is handed back to the system and faulted in again by the next (polars brings its own
allocator, so they matter to numpy, pandas and perfmgmt).

The same work on Parquet files and a two-worker Dask cluster is ``bench_dask.py``.

perfmgmt: ``partition_scorer(scheme).arrow(table)``: ``Population.from_frame`` on the table ->
``score_batch`` -> ``evaluate_batch`` -> the lean scores, the money as exact decimals and a
fired flag per rule (more columns than the baselines give: in their favour), in one table.
Baselines doing the same work from the same Arrow table: a polars expression pipeline
(``pl.from_arrow`` -> expressions -> ``to_arrow``) and pandas column arithmetic
(``to_pandas`` -> Series operations -> ``pa.Table.from_pandas``), each with the preset's
linear and banded scorers, category and source weights, the CSAT gate, the 70/30 blend, the
A-E bands, and its money rules (bonus table by rating, the deduction for E, the training and
honour flags).  The baselines keep money in integer minor units (cheaper than decimals: in
their favour).

The data are fully measured (every KPI reported with enough samples, every source with enough
raters) so the baselines need no missing-data policy; base pay is whole yuan so every percent
amount is a whole number of fen.  Everything is checked equal before anything is timed: totals
to 1.5e-9 (the engine rounds totals to 9 places), ratings, KPI scores to 1e-9, money exactly.
"""

from __future__ import annotations

import os
import sys
import time

if "--threads" in sys.argv:  # polars sizes its pool when it is imported
    os.environ["POLARS_MAX_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from perfmgmt.distributed import partition_scorer
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import Population, ScoringEngine

SCHEME = customer_service_manager()
# (key, threshold, target, stretch) of the linear KPIs; lower is better when target < threshold
LINEAR = [
    ("csat", 70.0, 80.0, 90.0),
    ("response_time", 40.0, 20.0, 10.0),
    ("fcr", 60.0, 72.0, 85.0),
    ("morale", 55.0, 65.0, 80.0),
    ("training", 4.0, 8.0, 16.0),
    ("cost_saving", -2.0, 2.0, 6.0),
]
WEIGHT = {  # category weight x weight in category
    "csat": 0.30,
    "response_time": 0.125,
    "fcr": 0.125,
    "morale": 0.10,
    "training": 0.10,
    "cost_saving": 0.15,
    "innovation": 0.10,
}
INNOVATION_EDGES, INNOVATION_SCORES = (1.0, 2.0, 3.0), (0.0, 100.0, 125.0, 150.0)
SOURCES = {"manager": 0.5, "peer": 0.25, "upward": 0.25}
CRITERIA = ("attitude", "teamwork")
BANDS = ("E", "D", "C", "B", "A")
BAND_EDGES = (70.0, 85.0, 100.0, 115.0)
BONUS_PERCENT = {"A": 20, "B": 12, "C": 6}


def make_table(n: int, seed: int = 5) -> pa.Table:
    """Return ``n`` fully measured reviews of the preset in from_frame's wide layout."""
    rng = np.random.default_rng(seed)
    centre = {
        "csat": (80, 9),
        "response_time": (22, 8),
        "fcr": (72, 8),
        "morale": (66, 8),
        "training": (9, 4),
        "cost_saving": (2, 3),
    }
    cols: dict[str, Any] = {"subject_id": pa.array([f"m{i:08d}" for i in range(n)])}
    for key, (mean, sd) in centre.items():
        cols[f"kpi.{key}.actual"] = np.round(rng.normal(mean, sd, n), 1)
        cols[f"kpi.{key}.sample_size"] = rng.integers(30, 400, n)
    cols["kpi.innovation.actual"] = rng.integers(0, 5, n).astype(np.float64)
    low = {"manager": 1, "peer": 2, "upward": 3}
    for c in CRITERIA:
        for s in SOURCES:
            cols[f"rating.{c}.{s}"] = np.round(rng.uniform(1.5, 5.0, n) * 4) / 4
            cols[f"raters.{c}.{s}"] = rng.integers(low[s], low[s] + 3, n)
    yuan = rng.integers(8_000, 30_000, n)
    words = np.zeros((n, 2), dtype=np.int64)
    words[:, 0] = yuan * 100  # fen, as decimal128(12, 2)'s unscaled integer
    cols["base_pay"] = pa.Array.from_buffers(pa.decimal128(12, 2), n, [None, pa.py_buffer(words)])
    cols["currency"] = pa.array(["CNY"] * n)
    return pa.table(cols)


# -- perfmgmt ----------------------------------------------------------------------------------

ENGINE = ScoringEngine()
EVALUATOR = RuleEvaluator(trace=False)
SCORERS = {1: partition_scorer(SCHEME)}


def ours(table: pa.Table, threads: int = 1) -> pa.Table:
    """Frame in, scores and decisions out, through the library."""
    scorer = SCORERS.get(threads) or SCORERS.setdefault(
        threads, partition_scorer(SCHEME, workers=threads)
    )
    return scorer.arrow(table)


# -- polars ------------------------------------------------------------------------------------


def _pl_linear(x: pl.Expr, t: float, g: float, s: float) -> pl.Expr:
    if g < t:  # lower is better: mirror
        x, t, g, s = -x, -t, -g, -s
    below = 50.0 + 50.0 * (x - t) / (g - t)
    above = pl.min_horizontal(100.0 + 50.0 * (x - g) / (s - g), pl.lit(150.0))
    return pl.when(x < t).then(0.0).when(x < g).then(below).otherwise(above)


def polars_pipeline(table: pa.Table) -> pa.Table:
    """The same work as polars expressions."""
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    score = {k: _pl_linear(pl.col(f"kpi.{k}.actual"), t, g, s) for k, t, g, s in LINEAR}
    inn = pl.col("kpi.innovation.actual")
    e1, e2, e3 = INNOVATION_EDGES
    s0, s1, s2, s3 = INNOVATION_SCORES
    score["innovation"] = (
        pl.when(inn < e1).then(s0).when(inn < e2).then(s1).when(inn < e3).then(s2).otherwise(s3)
    )
    df = df.with_columns(**{f"kpi.{k}.score": e for k, e in score.items()})
    raw = pl.sum_horizontal(pl.col(f"kpi.{k}.score") * w for k, w in WEIGHT.items())
    gated = pl.col("kpi.csat.actual") < 60.0
    quant = pl.when(gated).then(pl.min_horizontal(raw, pl.lit(80.0))).otherwise(raw)
    crit = [
        pl.sum_horizontal(
            100.0 * (pl.col(f"rating.{c}.{s}") - 1.0) / 3.0 * w for s, w in SOURCES.items()
        )
        for c in CRITERIA
    ]
    qual = (crit[0] + crit[1]) * 0.5
    total = (0.7 * quant + 0.3 * qual).round(9)
    df = df.with_columns(total=total)
    t = pl.col("total")
    rating = pl.when(t < BAND_EDGES[0]).then(pl.lit("E"))
    for edge, label in zip(BAND_EDGES[1:], BANDS[1:-1], strict=True):
        rating = rating.when(t < edge).then(pl.lit(label))
    df = df.with_columns(rating=rating.otherwise(pl.lit("A")).cast(pl.Enum(BANDS)))
    base = (pl.col("base_pay") * 100).cast(pl.Int64)
    percent = pl.col("rating").replace_strict(BONUS_PERCENT, default=0, return_dtype=pl.Int64)
    df = df.with_columns(
        rated=pl.lit(value=True),
        bonus=base * percent // 100,
        deduction=pl.when(pl.col("rating") == "E").then(base * 5 // 100).otherwise(0),
    )
    names = ["subject_id", "total", "rating", "rated"]
    names += [f"kpi.{k}.score" for k in SCHEME.kpi_keys] + ["bonus", "deduction"]
    return df.select(names).to_arrow()


# -- pandas ------------------------------------------------------------------------------------


def _pd_linear(x: pd.Series, t: float, g: float, s: float) -> pd.Series:
    if g < t:
        x, t, g, s = -x, -t, -g, -s
    below = 50.0 + 50.0 * (x - t) / (g - t)
    above = (100.0 + 50.0 * (x - g) / (s - g)).clip(upper=150.0)
    return above.where(x >= g, below).where(x >= t, 0.0)


def pandas_pipeline(table: pa.Table) -> pa.Table:
    """The same work as pandas column arithmetic (no apply, no loops over rows)."""
    df = table.to_pandas()
    out = pd.DataFrame({"subject_id": df["subject_id"]})
    scores = {k: _pd_linear(df[f"kpi.{k}.actual"], t, g, s) for k, t, g, s in LINEAR}
    scores["innovation"] = (
        pd.cut(
            df["kpi.innovation.actual"],
            [-np.inf, *INNOVATION_EDGES, np.inf],
            right=False,
            labels=list(INNOVATION_SCORES),
        )
        .astype(np.float64)
    )  # fmt: skip
    quant = sum(scores[k] * w for k, w in WEIGHT.items())
    quant = quant.mask(df["kpi.csat.actual"] < 60.0, quant.clip(upper=80.0))
    crit = [
        sum(100.0 * (df[f"rating.{c}.{s}"] - 1.0) / 3.0 * w for s, w in SOURCES.items())
        for c in CRITERIA
    ]
    total = (0.7 * quant + 0.3 * (crit[0] + crit[1]) * 0.5).round(9)
    rating = pd.cut(total, [-np.inf, *BAND_EDGES, np.inf], right=False, labels=list(BANDS))
    out["total"] = total
    out["rating"] = rating
    out["rated"] = True
    for k in SCHEME.kpi_keys:
        out[f"kpi.{k}.score"] = scores[k]
    base = (df["base_pay"].astype("float64") * 100).round().astype(np.int64)
    percent = rating.map(BONUS_PERCENT).astype("float64").fillna(0).astype(np.int64)
    out["bonus"] = base * percent // 100
    out["deduction"] = (base * 5 // 100).where(rating == "E", 0)
    return pa.Table.from_pandas(out, preserve_index=False)


# -- checks and timing -------------------------------------------------------------------------


def _minor(column: pa.ChunkedArray) -> np.ndarray:
    """The unscaled integers of a decimal128 column (low words; amounts fit in 64 bits)."""
    arr = column.combine_chunks()
    return np.frombuffer(arr.buffers()[1], dtype=np.int64)[::2][arr.offset : arr.offset + len(arr)]


def check_equal(mine: pa.Table, other: pa.Table, who: str) -> None:
    """Assert that a baseline's result equals perfmgmt's."""
    assert mine.column("subject_id").equals(other.column("subject_id").cast(pa.string())), who
    a, b = mine.column("total").to_numpy(), other.column("total").to_numpy()
    np.testing.assert_allclose(a, b, rtol=0, atol=1.5e-9, err_msg=who)
    assert mine.column("rating").cast(pa.string()).equals(other.column("rating").cast(pa.string()))
    for k in SCHEME.kpi_keys:
        name = f"kpi.{k}.score"
        np.testing.assert_allclose(
            mine.column(name).to_numpy(), other.column(name).to_numpy(), rtol=0, atol=1e-9,
            err_msg=f"{who} {name}",
        )  # fmt: skip
    for name in ("bonus", "deduction"):
        got = other.column(name).to_numpy()
        np.testing.assert_array_equal(_minor(mine.column(name)), got, err_msg=f"{who} {name}")


def best(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best wall time of each function, called round-robin ``repeat`` times."""
    out = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            out[k] = min(out[k], time.perf_counter() - t0)
    return out


def copy_bandwidth(nbytes: int = 1 << 29, repeat: int = 5) -> float:
    """Bytes per second a copy moves (read plus written) through memory, best of ``repeat``."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    (t,) = best([lambda: np.copyto(dst, src)], repeat)
    return 2 * src.nbytes / t


def measure(n: int, repeat: int, threads: int = 1) -> dict[str, float]:
    """Check the three pipelines agree on ``n`` reviews, then time them (``threads`` each)."""
    table = make_table(n)
    mine = ours(table, threads)
    assert mine.column("bonus").null_count == 0
    assert _minor(mine.column("bonus")).sum() > 0
    assert _minor(mine.column("deduction")).sum() > 0
    check_equal(mine, polars_pipeline(table), "polars")
    check_equal(mine, pandas_pipeline(table), "pandas")
    fns: dict[str, Callable[[], object]] = {
        "ours": lambda: ours(table, threads),
        "polars": lambda: polars_pipeline(table),
        "pandas": lambda: pandas_pipeline(table),
    }
    if threads > 1:
        assert ours(table, 1).equals(mine)
        fns["ours, 1 thread"] = lambda: ours(table, 1)
    else:
        pop = Population.from_frame(SCHEME, table)
        batch = ENGINE.score_batch(SCHEME, pop)
        fns["from_frame"] = lambda: Population.from_frame(SCHEME, table)
        fns["score_batch"] = lambda: ENGINE.score_batch(SCHEME, pop)
        fns["evaluate_batch"] = lambda: EVALUATOR.evaluate_batch(SCHEME, batch, pop)
    t = dict(zip(fns, best(list(fns.values()), repeat), strict=True))
    t["bandwidth"] = copy_bandwidth()
    t["bytes"] = table.nbytes + mine.nbytes
    return t


def run(quick: bool = False) -> list[Any]:
    """Rows for ``benchmarks/run.py``."""
    from run import Row  # type: ignore[import-not-found]

    n = 100_000 if quick else 1_000_000
    t = measure(n, 3)
    return [
        Row(
            f"end to end {n:,} reviews (Arrow in -> scores and money out) vs polars",
            t["ours"],
            {"polars": t["polars"]},
            t["polars"] / t["ours"],
            "polars/ours",
            ">= 1",
            t["polars"] / t["ours"] >= 1,
        ),
        Row(
            f"end to end {n:,} reviews vs pandas",
            t["ours"],
            {"pandas": t["pandas"]},
            t["pandas"] / t["ours"],
            "pandas/ours",
            ">= 2",
            t["pandas"] / t["ours"] >= 2,
        ),
        Row(
            f"Population.from_frame {n:,} reviews vs score_batch",
            t["from_frame"],
            {"score_batch": t["score_batch"]},
            t["from_frame"] / t["score_batch"],
            "from_frame/score",
            "<= 0.5",
            t["from_frame"] / t["score_batch"] <= 0.5,
        ),
    ]


def main(argv: list[str]) -> int:
    """Print the figures."""
    n = int(argv[0]) if argv and not argv[0].startswith("-") else 1_000_000
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 1
    pa.set_cpu_count(threads)
    t = measure(n, repeat, threads)
    print(f"end to end, {n:,} reviews of the preset, {threads} thread(s) each, best of {repeat}")
    tuned = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}
    print(f"(results checked equal; glibc allocator settings: {tuned or 'defaults'})")
    print("| step | best time | ratio |")
    print("|---|---:|---:|")
    print(f"| perfmgmt end to end | {t['ours'] * 1e3:.0f} ms | |")
    for who in ("polars", "pandas"):
        ratio = t[who] / t["ours"]
        print(f"| {who} | {t[who] * 1e3:.0f} ms | {ratio:.2f} {who}/ours |")
    if threads > 1:
        one = t["ours, 1 thread"]
        ratio = f"{one / t['ours']:.2f} 1 thread/{threads}"
        print(f"| perfmgmt, 1 thread | {one * 1e3:.0f} ms | {ratio} |")
    else:
        for step in ("from_frame", "score_batch", "evaluate_batch"):
            print(f"| of which {step} | {t[step] * 1e3:.0f} ms | |")
    floor = t["bytes"] / t["bandwidth"]
    print(
        f"| floor: {t['bytes'] / n:.0f} bytes per review in and out at "
        f"{t['bandwidth'] / 1e9:.1f} GB/s copy bandwidth | {floor * 1e3:.0f} ms "
        f"({floor / n * 1e9:.0f} ns per review) | {t['ours'] / floor:.1f} ours/floor |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
