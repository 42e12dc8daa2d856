"""Benchmark: every ticket indicator per manager for 1,000,000 tickets, perfmgmt vs pandas.

Run as ``python benchmarks/bench_metrics.py [N_TICKETS]``.  Both implementations
start from already-built tables (a ``Tickets`` and a ``DataFrame`` built from the
same numpy arrays; build times are printed separately), compute the same
indicators, and are checked to agree before anything is timed.  The pandas side
is written the way a good analyst would: ``groupby`` with built-in reductions,
vectorised column arithmetic, no ``apply`` over rows.  Times are the best of
``REPEATS`` runs in this process; the ratio is pandas time / perfmgmt time.

``python benchmarks/bench_metrics.py N_TICKETS --engines`` compares instead with polars and
duckdb, end to end from the same numpy arrays (build the table, compute every indicator, take
the results out as numpy), at 1 and at 2 threads.  Each thread count runs in its own process,
because polars fixes its thread pool when it is imported (``POLARS_MAX_THREADS``); duckdb gets
``SET threads``, Arrow ``set_cpu_count`` and perfmgmt ``workers=``.  In each process the three
are checked equal first, then timed round-robin (best of ``REPEATS``).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from perfmgmt.metrics import (
    Tickets,
    abandonment_rate,
    average_handle_time,
    cost_per_contact,
    csat,
    first_contact_resolution,
    first_response_time,
    service_level,
)

REPEATS = 3
SEED = 20240601
MANAGERS = 100
AGENTS = 1_500
CUSTOMERS = 250_000
WINDOW = timedelta(days=7)
THRESHOLD = 20.0


def make_data(n: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Generate ``n`` plausible tickets over two quarters (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    agent = rng.integers(0, AGENTS, n)
    manager = agent % MANAGERS
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    created = start + rng.integers(0, 182 * 86_400, n)
    abandoned = rng.random(n) < 0.06
    reply_after = rng.lognormal(mean=6.0, sigma=1.2, size=n).astype(np.int64)
    first_reply = (created + reply_after).astype("datetime64[s]")
    first_reply[abandoned] = np.datetime64("NaT")
    wait = np.round(rng.exponential(25.0, n), 1)
    handle = np.where(abandoned, np.nan, np.round(rng.gamma(4.0, 120.0, n), 1))
    rated = (rng.random(n) < 0.3) & ~abandoned
    score = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.05, 0.07, 0.13, 0.35, 0.40])
    return {
        "manager": np.array([f"m{m:03d}" for m in range(MANAGERS)])[manager],
        "agent": np.array([f"a{a:04d}" for a in range(AGENTS)])[agent],
        "customer": np.array([f"c{c:06d}" for c in range(CUSTOMERS)])[
            rng.integers(0, CUSTOMERS, n)
        ],
        "created": created.astype("datetime64[s]"),
        "first_reply": first_reply,
        "wait_seconds": wait,
        "handle_seconds": handle,
        "cost": np.round(rng.gamma(2.0, 3.0, n), 2),
        "csat": np.where(rated, score, np.nan),
        "abandoned": abandoned,
        "resolved": rng.random(n) < 0.9,
    }


def ours(t: Tickets, workers: int = 1) -> dict[str, np.ndarray]:
    """Compute every ticket indicator per manager with perfmgmt.metrics."""
    return {
        "csat_top2box": csat(t).value,
        "csat_mean": csat(t, statistic="mean").value,
        "frt_mean": first_response_time(t).value,
        "frt_median": first_response_time(t, statistic="median").value,
        "frt_p90": first_response_time(t, statistic="p90").value,
        "aht": average_handle_time(t).value,
        "fcr": first_contact_resolution(t, window=WINDOW, workers=workers).value,
        "service_level": service_level(t, threshold=THRESHOLD).value,
        "abandonment": abandonment_rate(t).value,
        "cost_per_contact": cost_per_contact(t).value,
    }


def theirs(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Compute the same indicators per manager with idiomatic pandas."""
    by = df["manager"]
    rated = df["csat"].notna()
    frt = (df["first_reply"] - df["created"]).dt.total_seconds()
    frt_g = frt.groupby(by)
    ordered = df.sort_values(["customer", "created"], kind="stable")
    next_contact = ordered.groupby("customer")["created"].shift(-1)
    repeat = (next_contact - ordered["created"]) <= pd.Timedelta(WINDOW)
    fcr = (ordered["resolved"] & ~repeat).groupby(ordered["manager"]).mean()
    in_time = ~df["abandoned"] & (df["wait_seconds"] <= THRESHOLD)
    return {
        "csat_top2box": (df["csat"] >= 4).where(rated).groupby(by).mean().to_numpy(float),
        "csat_mean": df["csat"].groupby(by).mean().to_numpy(float),
        "frt_mean": frt_g.mean().to_numpy(float),
        "frt_median": frt_g.median().to_numpy(float),
        "frt_p90": frt_g.quantile(0.9).to_numpy(float),
        "aht": df["handle_seconds"].where(~df["abandoned"]).groupby(by).mean().to_numpy(float),
        "fcr": fcr.to_numpy(float),
        "service_level": in_time.groupby(by).mean().to_numpy(float),
        "abandonment": df["abandoned"].groupby(by).mean().to_numpy(float),
        "cost_per_contact": df["cost"].groupby(by).mean().to_numpy(float),
    }


def best(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return the best wall time of ``REPEATS`` calls, and the last result."""
    times = []
    out = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(n: int) -> int:
    """Build the tables, check agreement, time every side, print a table."""
    data = make_data(n)
    keys = ("manager", "agent", "customer")
    build_ours, tickets = best(lambda: Tickets.from_arrays(**data))
    build_pd, df = best(lambda: pd.DataFrame(data))
    # The analyst's faster variant: key columns as categoricals, factorised once like ours.
    build_cat, dfc = best(lambda: pd.DataFrame(data).astype(dict.fromkeys(keys, "category")))

    mine = ours(tickets)
    for frame in (df, dfc):
        other = theirs(frame)
        for name, value in mine.items():
            np.testing.assert_allclose(value, other[name], rtol=1e-9, err_msg=name)

    t_ours, _ = best(lambda: ours(tickets))
    t_pd, _ = best(lambda: theirs(df))
    t_cat, _ = best(lambda: theirs(dfc))

    rows = []
    for name in mine:
        a, _ = best(lambda name=name: _one(tickets, name))
        b, _ = best(lambda name=name: _one_pd(df, name))
        c, _ = best(lambda name=name: _one_pd(dfc, name))
        rows.append((name, a, b, c))

    print(f"perfmgmt.metrics vs pandas {pd.__version__}: {n:,} tickets, {MANAGERS} managers")
    print(f"numpy {np.__version__}; best of {REPEATS}; ratio = pandas time / perfmgmt time")
    print("pandas: str key columns; pandas-cat: key columns converted to category\n")
    head = f"{'indicator':<18}{'perfmgmt ms':>12}{'pandas ms':>11}{'ratio':>7}"
    print(head + f"{'pandas-cat ms':>15}{'ratio':>7}")

    def line(name: str, a: float, b: float, c: float, ratios: bool = True) -> None:
        r1 = f"{b / a:>7.2f}" if ratios else " " * 7
        r2 = f"{c / a:>7.2f}" if ratios else " " * 7
        print(f"{name:<18}{a * 1e3:>12.1f}{b * 1e3:>11.1f}{r1}{c * 1e3:>15.1f}{r2}")

    for name, a, b, c in rows:
        line(name, a, b, c)
    print("-" * 70)
    line("all indicators", t_ours, t_pd, t_cat)
    line("build table", build_ours, build_pd, build_cat, ratios=False)
    line("build + all", t_ours + build_ours, t_pd + build_pd, t_cat + build_cat)
    print("\nresults agree (rtol 1e-9) for every indicator, against both pandas variants")
    return 0


def _one(t: Tickets, name: str) -> np.ndarray:
    calls: dict[str, Callable[[], Any]] = {
        "csat_top2box": lambda: csat(t),
        "csat_mean": lambda: csat(t, statistic="mean"),
        "frt_mean": lambda: first_response_time(t),
        "frt_median": lambda: first_response_time(t, statistic="median"),
        "frt_p90": lambda: first_response_time(t, statistic="p90"),
        "aht": lambda: average_handle_time(t),
        "fcr": lambda: first_contact_resolution(t, window=WINDOW),
        "service_level": lambda: service_level(t, threshold=THRESHOLD),
        "abandonment": lambda: abandonment_rate(t),
        "cost_per_contact": lambda: cost_per_contact(t),
    }
    return np.asarray(calls[name]().value)


def _one_pd(df: pd.DataFrame, name: str) -> np.ndarray:
    by = df["manager"]
    calls: dict[str, Callable[[], pd.Series]] = {
        "csat_top2box": lambda: (df["csat"] >= 4).where(df["csat"].notna()).groupby(by).mean(),
        "csat_mean": lambda: df["csat"].groupby(by).mean(),
        "frt_mean": lambda: _first_response_pd(df).mean(),
        "frt_median": lambda: _first_response_pd(df).median(),
        "frt_p90": lambda: _first_response_pd(df).quantile(0.9),
        "aht": lambda: df["handle_seconds"].where(~df["abandoned"]).groupby(by).mean(),
        "fcr": lambda: _first_contact_resolution_pd(df),
        "service_level": lambda: (
            (~df["abandoned"] & (df["wait_seconds"] <= THRESHOLD)).groupby(by).mean()
        ),
        "abandonment": lambda: df["abandoned"].groupby(by).mean(),
        "cost_per_contact": lambda: df["cost"].groupby(by).mean(),
    }
    return calls[name]().to_numpy(float)


def _first_response_pd(df: pd.DataFrame) -> Any:
    return (df["first_reply"] - df["created"]).dt.total_seconds().groupby(df["manager"])


def _first_contact_resolution_pd(df: pd.DataFrame) -> pd.Series:
    ordered = df.sort_values(["customer", "created"], kind="stable")
    nxt = ordered.groupby("customer")["created"].shift(-1)
    repeat = (nxt - ordered["created"]) <= pd.Timedelta(WINDOW)
    return (ordered["resolved"] & ~repeat).groupby(ordered["manager"]).mean()


# -- polars and duckdb, end to end, at a given number of threads ------------------------------


def polars_all(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Build a polars frame from the arrays and compute every indicator per manager."""
    import polars as pl

    # polars takes numpy datetimes in ms, us or ns only.
    cast = {k: (v.astype("datetime64[ms]") if v.dtype.kind == "M" else v) for k, v in data.items()}
    df = pl.DataFrame(cast, nan_to_null=True)
    frt = (pl.col("first_reply") - pl.col("created")).dt.total_seconds()
    in_time = ~pl.col("abandoned") & (pl.col("wait_seconds") <= THRESHOLD)
    agg = (
        df.group_by("manager")
        .agg(
            csat_top2box=(pl.col("csat") >= 4).mean(),
            csat_mean=pl.col("csat").mean(),
            frt_mean=frt.mean(),
            frt_median=frt.median(),
            frt_p90=frt.quantile(0.9, interpolation="linear"),
            aht=pl.col("handle_seconds").filter(~pl.col("abandoned")).mean(),
            service_level=in_time.mean(),
            abandonment=pl.col("abandoned").mean(),
            cost_per_contact=pl.col("cost").mean(),
        )
        .sort("manager")
    )
    ordered = df.select("manager", "customer", "created", "resolved").sort(
        ["customer", "created"], maintain_order=True
    )
    nxt = pl.col("created").shift(-1)
    repeat = (pl.col("customer").shift(-1) == pl.col("customer")) & (
        (nxt - pl.col("created")) <= WINDOW
    )
    fcr = (
        ordered.with_columns(solved=pl.col("resolved") & ~repeat.fill_null(False))
        .group_by("manager")
        .agg(fcr=pl.col("solved").mean())
        .sort("manager")
    )
    out = {name: agg[name].to_numpy().astype(float) for name in agg.columns[1:]}
    out["fcr"] = fcr["fcr"].to_numpy().astype(float)
    return out


_DUCKDB_SQL = f"""
WITH ordered AS (
    SELECT manager, resolved,
           coalesce(lead(created) OVER (PARTITION BY customer ORDER BY created, row)
                    - created <= INTERVAL {WINDOW.days} DAY, false) AS repeat
    FROM t
), fcr AS (
    SELECT manager, avg((resolved AND NOT repeat)::INT) AS fcr FROM ordered GROUP BY manager
), agg AS (
    SELECT manager,
           avg((csat >= 4)::INT) AS csat_top2box,
           avg(csat) AS csat_mean,
           avg(epoch(first_reply) - epoch(created)) AS frt_mean,
           quantile_cont(epoch(first_reply) - epoch(created), 0.5) AS frt_median,
           quantile_cont(epoch(first_reply) - epoch(created), 0.9) AS frt_p90,
           avg(handle_seconds) FILTER (WHERE NOT abandoned) AS aht,
           avg((NOT abandoned AND wait_seconds <= {THRESHOLD})::INT) AS service_level,
           avg(abandoned::INT) AS abandonment,
           avg(cost) AS cost_per_contact
    FROM t GROUP BY manager
)
SELECT agg.*, fcr.fcr FROM agg JOIN fcr USING (manager) ORDER BY manager
"""


def duckdb_all(con: Any, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Build an Arrow table from the arrays, query it with duckdb SQL, return numpy."""
    import pyarrow as pa

    columns = {k: pa.array(v, from_pandas=True) for k, v in data.items()}
    # Ties (same customer, same second) are ordered by row, as the stable sorts of the others.
    columns["row"] = pa.array(np.arange(len(data["created"])))
    t = pa.table(columns)
    con.register("t", t)
    try:
        res = con.execute(_DUCKDB_SQL).fetchnumpy()
    finally:
        con.unregister("t")
    return {k: np.asarray(v, dtype=float) for k, v in res.items() if k != "manager"}


def perfmgmt_all(data: dict[str, np.ndarray], workers: int) -> dict[str, np.ndarray]:
    """Build a Tickets table from the arrays and compute every indicator per manager."""
    return ours(Tickets.from_arrays(workers=workers, **data), workers)


def engines_child(n: int, threads: int) -> dict[str, Any]:
    """Time perfmgmt, polars and duckdb end to end at ``threads`` threads (this process)."""
    import duckdb
    import polars as pl
    import pyarrow as pa

    pa.set_cpu_count(threads)
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    data = make_data(n)
    sides: dict[str, Callable[[], dict[str, np.ndarray]]] = {
        "perfmgmt": lambda: perfmgmt_all(data, threads),
        "polars": lambda: polars_all(data),
        "duckdb": lambda: duckdb_all(con, data),
    }
    mine = sides["perfmgmt"]()
    for side in ("polars", "duckdb"):
        other = sides[side]()
        for name, value in mine.items():
            np.testing.assert_allclose(value, other[name], rtol=1e-9, err_msg=f"{side} {name}")
    times: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(REPEATS):
        for side, fn in sides.items():
            t0 = time.perf_counter()
            fn()
            times[side].append(time.perf_counter() - t0)
    # Our indicators alone, on a table already built (a new one each time: it caches its sort).
    compute = math.inf
    for _ in range(REPEATS):
        tickets = Tickets.from_arrays(**data)
        compute = min(compute, _timed(lambda tickets=tickets: ours(tickets, threads)))
    return {
        "n": n,
        "threads": threads,
        "polars_threads": pl.thread_pool_size(),
        "duckdb_threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "versions": {"polars": pl.__version__, "duckdb": duckdb.__version__},
        "best": {side: min(ts) for side, ts in times.items()},
        "perfmgmt_indicators_only": compute,
    }


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def engines(n: int) -> int:
    """Run the polars/duckdb comparison at 1 and at 2 threads, one process each; print it."""
    print(f"perfmgmt.metrics vs polars and duckdb: {n:,} tickets, {MANAGERS} managers,")
    print(f"end to end from numpy arrays; best of {REPEATS}, round-robin; ratio = their / ours")
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")
    head = f"{'threads':>7}{'perfmgmt s':>12}{'polars s':>10}{'ratio':>7}{'duckdb s':>10}"
    print(head + f"{'ratio':>7}{'ours, indicators only s':>25}")
    for threads in (1, 2):
        env = dict(os.environ, POLARS_MAX_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        proc = subprocess.run(
            [sys.executable, __file__, str(n), "--engines-child", str(threads)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        b = r["best"]
        ours_s, pl_s, dd_s = b["perfmgmt"], b["polars"], b["duckdb"]
        print(
            f"{threads:>7}{ours_s:>12.3f}{pl_s:>10.3f}{pl_s / ours_s:>7.2f}{dd_s:>10.3f}"
            f"{dd_s / ours_s:>7.2f}{r['perfmgmt_indicators_only']:>25.3f}"
        )
        if (r["polars_threads"], int(r["duckdb_threads"])) != (threads, threads):
            print(f"  (thread pools: polars {r['polars_threads']}, duckdb {r['duckdb_threads']})")
        versions = r["versions"]
    print(f"\npolars {versions['polars']}, duckdb {versions['duckdb']}, numpy {np.__version__}")
    print("results agree (rtol 1e-9) for every indicator, in both processes")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    size = int(args[0]) if args and args[0].isdigit() else 1_000_000
    if "--engines-child" in args:
        result = engines_child(size, int(args[args.index("--engines-child") + 1]))
        print(json.dumps(result))
        sys.exit(0)
    sys.exit(engines(size) if "--engines" in args else main(size))
