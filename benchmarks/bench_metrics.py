"""Benchmark: every ticket indicator per manager for 1,000,000 tickets, perfmgmt vs pandas.

Run as ``python benchmarks/bench_metrics.py [N_TICKETS]``.  Both implementations
start from already-built tables (a ``Tickets`` and a ``DataFrame`` built from the
same numpy arrays; build times are printed separately), compute the same
indicators, and are checked to agree before anything is timed.  The pandas side
is written the way a good analyst would: ``groupby`` with built-in reductions,
vectorised column arithmetic, no ``apply`` over rows.  Times are the best of
``REPEATS`` runs in this process; the ratio is pandas time / perfmgmt time.
"""

from __future__ import annotations

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


def ours(t: Tickets) -> dict[str, np.ndarray]:
    """Compute every ticket indicator per manager with perfmgmt.metrics."""
    return {
        "csat_top2box": csat(t).value,
        "csat_mean": csat(t, statistic="mean").value,
        "frt_mean": first_response_time(t).value,
        "frt_median": first_response_time(t, statistic="median").value,
        "frt_p90": first_response_time(t, statistic="p90").value,
        "aht": average_handle_time(t).value,
        "fcr": first_contact_resolution(t, window=WINDOW).value,
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


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
