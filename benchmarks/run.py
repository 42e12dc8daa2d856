"""Run every benchmark workload in one process and print one table.

Run: ``.venv/bin/python benchmarks/run.py [--quick] [--repeat R]``

Each ``benchmarks/bench_*.py`` script is imported (not run as a script) and its workload is
timed here next to its baselines (hand-written numpy reference, pandas idiom), in the same
process and the same run; every pair is checked to agree before anything is timed. A script
may offer its own ``run(quick: bool) -> list[Row]``; otherwise the adapter below with the
script's name reuses the script's own data generators and references. A script with neither
shows up as "no runner" so a new benchmark is never skipped silently.

Times are the best of R runs, taken round-robin (perfmgmt, baseline, perfmgmt, ...) so that
load from other processes hits both sides alike. The table says, per workload, the perfmgmt
time, the baseline time(s), the ratio, the target from the issue, and whether it was met.

A scaling run times ``score_batch`` at 10k, 100k and 1M reviews and prints the cost per
review; growth is linear when the cost per review does not rise with N (the 100k -> 1M log-log
slope stays at or below 1.1).

``--quick`` divides every N by 10 (smoke test: the figures are not the ones to report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    workload: str
    ours: float | None  # seconds (or bytes for memory rows: see unit)
    baselines: dict[str, float] = field(default_factory=dict)
    ratio: float | None = None
    ratio_text: str = ""
    target: str = ""
    met: bool | None = None
    unit: str = "s"


def best_round_robin(fns: Sequence[Callable[[], object]], repeat: int) -> list[float]:
    """Return the best wall time of each function, calling them in turn ``repeat`` times."""
    best = [math.inf] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def load(path: Path) -> ModuleType:
    """Import a bench script as a module (its ``main`` is not run)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


# -- adapters: one per bench script, reusing the script's generators and references ------------


def scoring_rows(m: ModuleType, *, scale: int, repeat: int) -> list[Row]:
    """Time score_batch against the numpy and pandas references of bench_scoring."""
    from perfmgmt.scoring import ScoringEngine

    n = 100_000 // scale
    scheme = m.founding_scheme()
    engine = ScoringEngine()
    data = m.make_inputs(n)
    pop = m.population(scheme, data)
    df, qdf = m.frames(data)
    batch = engine.score_batch(scheme, pop)
    m.check_agreement(batch, data, df, qdf)
    threaded = ScoringEngine(workers=2)
    assert threaded.score_batch(scheme, pop).total.tobytes() == batch.total.tobytes()
    t_ours, t_np, t_pd, t_two = best_round_robin(
        [
            lambda: engine.score_batch(scheme, pop),
            lambda: m.numpy_reference(data),
            lambda: m.pandas_reference(df, qdf),
            lambda: threaded.score_batch(scheme, pop),
        ],
        repeat,
    )
    threaded.close()
    big_n = 1_000_000 // scale
    big = m.make_inputs(big_n, seed=11)
    big_pop = m.population(scheme, big)
    (t_big,) = best_round_robin([lambda: engine.score_batch(scheme, big_pop)], max(2, repeat // 2))
    input_bytes = sum(big[k].nbytes for k in ("actual", "sample", "ratings", "raters"))
    tracemalloc.start()
    engine.score_batch(scheme, big_pop)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t_scalar = m.scalar_median(engine, scheme)
    return [
        Row(
            f"score_batch {n:,} reviews vs numpy",
            t_ours,
            {"numpy": t_np},
            t_ours / t_np,
            "ours/numpy",
            "<= 1.5",
            t_ours / t_np <= 1.5,
        ),
        Row(
            f"score_batch {n:,} reviews vs pandas",
            t_ours,
            {"pandas": t_pd},
            t_pd / t_ours,
            "pandas/ours",
            ">= 2",
            t_pd / t_ours >= 2.0,
        ),
        Row(
            f"score_batch {n:,} reviews, workers=2, vs pandas",
            t_two,
            {"pandas": t_pd},
            t_pd / t_two,
            "pandas/ours",
            "(info)",
        ),
        Row(
            f"score_batch {big_n:,} reviews",
            t_big,
            target="< 1 s" if scale == 1 else "(quick)",
            met=t_big < 1.0 if scale == 1 else None,
        ),
        Row(
            f"score_batch {big_n:,} peak memory",
            float(peak),
            {"input arrays": float(input_bytes)},
            peak / input_bytes,
            "peak/input",
            "< 3",
            peak / input_bytes < 3.0,
            unit="B",
        ),
        Row(
            "scalar score + explain (median, quietest of 5 rounds)",
            t_scalar,
            target="<= 400 us",
            met=t_scalar <= 400e-6,
        ),
    ]


def rules_rows(m: ModuleType, *, scale: int, repeat: int) -> list[Row]:
    """Time the rule evaluator against bench_rules' np.select reference."""
    from perfmgmt.rules import RuleEvaluator

    n = 100_000 // scale
    frame, base_minor = m.make_frame(n)
    rules = m.make_rules()
    traced, untraced = RuleEvaluator(), RuleEvaluator(trace=False)
    threaded = RuleEvaluator(workers=2)
    money_frame = {**frame, "base_pay": base_minor / 100.0}

    def run(ev: Any) -> Any:
        return ev.evaluate_frame(rules, money_frame, currency="CNY")

    bd = run(traced)
    ref = m.reference(frame, base_minor)
    for got in (bd, run(threaded)):
        m.check(got, ref)
    # the same subjects with the KPI matrix row-major (a frame built by hand from records)
    c_frame, _ = m.make_frame(n, order="C")
    c_money = {**c_frame, "base_pay": base_minor / 100.0}
    t_ref, t_trace, t_notrace, t_threads, t_ref_c, t_threads_c = best_round_robin(
        [
            lambda: m.reference(frame, base_minor),
            lambda: run(traced),
            lambda: run(untraced),
            lambda: run(threaded),
            lambda: m.reference(c_frame, base_minor),
            lambda: threaded.evaluate_frame(rules, c_money, currency="CNY"),
        ],
        repeat * 3,
    )
    threaded.close()
    rows_i = np.random.default_rng(1).integers(0, n, 500)
    t0 = time.perf_counter()
    for i in rows_i:
        bd.explain(int(i))
    t_explain = (time.perf_counter() - t0) / len(rows_i)
    # throughput: the faster of one thread and workers=2 (both full trace), named in the row
    t_best, best_config = min((t_trace, "workers=1"), (t_threads, "workers=2"))
    rate = n / t_best
    return [
        Row(
            f"rules {n:,} subjects, full trace vs np.select",
            t_trace,
            {"np.select": t_ref},
            t_trace / t_ref,
            "ours/numpy",
            "<= 2",
            t_trace / t_ref <= 2.0,
        ),
        Row(
            f"rules {n:,} subjects, throughput (full trace, {best_config})",
            t_best,
            ratio=rate / 1e6,
            ratio_text="M subjects/s",
            target=">= 30 M/s",
            met=rate >= 30e6,
        ),
        Row(
            f"rules {n:,} subjects, row-major KPI matrix (workers=2)",
            t_threads_c,
            {"np.select": t_ref_c},
            n / t_threads_c / 1e6,
            "M subjects/s",
            "(info)",
        ),
        Row(
            "rules full trace vs trace=False",
            t_trace,
            {"trace=False": t_notrace},
            t_trace / t_notrace,
            "trace/none",
            "<= 1.5",
            t_trace / t_notrace <= 1.5,
        ),
        Row("rules explain(row), mean of 500", t_explain, target="< 1 ms", met=t_explain < 1e-3),
    ]


def metrics_rows(m: ModuleType, *, scale: int, repeat: int) -> list[Row]:
    """Time every ticket indicator against bench_metrics' pandas implementation."""
    import pandas as pd

    from perfmgmt.metrics import Tickets

    n = 1_000_000 // scale
    data = m.make_data(n)
    tickets = Tickets.from_arrays(**data)
    df = pd.DataFrame(data)
    dfc = pd.DataFrame(data).astype(dict.fromkeys(("manager", "agent", "customer"), "category"))
    mine = m.ours(tickets)
    for frame in (df, dfc):
        other = m.theirs(frame)
        for name, value in mine.items():
            np.testing.assert_allclose(value, other[name], rtol=1e-9, err_msg=name)
    t_ours, t_pd, t_cat = best_round_robin(
        [lambda: m.ours(tickets), lambda: m.theirs(df), lambda: m.theirs(dfc)],
        max(2, repeat // 2),
    )
    return [
        Row(
            f"metrics: all indicators, {n:,} tickets vs pandas",
            t_ours,
            {"pandas": t_pd},
            t_pd / t_ours,
            "pandas/ours",
            ">= 1.5",
            t_pd / t_ours >= 1.5,
        ),
        Row(
            f"metrics: all indicators, {n:,} tickets vs pandas-cat",
            t_ours,
            {"pandas-cat": t_cat},
            t_cat / t_ours,
            "pandas/ours",
            "(info)",
            None,
        ),
    ]


def analytics_rows(m: ModuleType, *, scale: int, repeat: int) -> list[Row]:
    """Run bench_analytics' compare and Monte Carlo workloads (they check their references)."""
    del repeat  # the script takes its own medians
    people = 100_000 // scale
    draws = 10_000 // scale
    cmp = m.bench_compare(people)
    sim = m.bench_simulate(draws, 1_000)
    t_cmp, t_cmp_ref = cmp[1][1], cmp[2][1]
    t_sim, t_sim_ref = sim[0][1], sim[1][1]
    return [
        Row(
            f"compare two schemes, {people:,} people",
            t_cmp,
            {"numpy": t_cmp_ref},
            t_cmp / t_cmp_ref,
            "ours/numpy",
            "< 1 s",
            t_cmp < 1.0,
        ),
        Row(
            f"Monte Carlo cost, {draws:,} draws x 1,000 people",
            t_sim,
            {"numpy": t_sim_ref},
            t_sim / t_sim_ref,
            "ours/numpy",
            "seconds (< 10 s)",
            t_sim < 10.0,
        ),
    ]


ADAPTERS: dict[str, Callable[..., list[Row]]] = {
    "bench_analytics": analytics_rows,
    "bench_scoring": scoring_rows,
    "bench_rules": rules_rows,
    "bench_metrics": metrics_rows,
}


def scaling(*, scale: int, repeat: int) -> list[tuple[int, float]]:
    """Return ``(N, seconds)`` for score_batch at 10k, 100k and 1M reviews."""
    from perfmgmt.scoring import ScoringEngine

    m = sys.modules.get("bench_scoring") or load(HERE / "bench_scoring.py")
    scheme = m.founding_scheme()
    engine = ScoringEngine()
    out = []
    for n in (10_000 // scale, 100_000 // scale, 1_000_000 // scale):
        pop = m.population(scheme, m.make_inputs(n, seed=3))
        engine.score_batch(scheme, pop)  # warm up: plan cache, page faults
        (t,) = best_round_robin([lambda pop=pop: engine.score_batch(scheme, pop)], repeat)
        out.append((n, t))
    return out


# -- output --------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> list[str]:
    """Describe the machine, the versions and the load."""
    import pandas as pd

    load1, load5, _ = os.getloadavg()
    return [
        f"date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine: {os.cpu_count()} CPUs (nproc), {_cpu_model()}",
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}",
        f"load average at start: {load1:.2f} (1 min), {load5:.2f} (5 min)",
    ]


def _t(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "B":
        return f"{value / 2**20:.0f} MiB"
    if value < 1e-3:
        return f"{value * 1e6:.0f} us"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def table(rows: Sequence[Row]) -> list[str]:
    """Render the rows as a Markdown table."""
    out = [
        "| workload | perfmgmt | baseline(s) | ratio | target | met |",
        "|---|---:|---|---:|---|---|",
    ]
    for r in rows:
        base = ", ".join(f"{k} {_t(v, r.unit)}" for k, v in r.baselines.items())
        ratio = "" if r.ratio is None else f"{r.ratio:.2f} {r.ratio_text}".strip()
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        out.append(
            f"| {r.workload} | {_t(r.ours, r.unit)} | {base} | {ratio} | {r.target} | {met} |"
        )
    return out


def scaling_table(points: Sequence[tuple[int, float]]) -> list[str]:
    """Render the scaling run with cost per review and the log-log slope."""
    out = ["| N reviews | score_batch | per review | vs previous N |", "|---:|---:|---:|---:|"]
    prev: tuple[int, float] | None = None
    for n, t in points:
        growth = "" if prev is None else f"{t / prev[1]:.1f}x time for {n / prev[0]:.0f}x N"
        out.append(f"| {n:,} | {_t(t, 's')} | {t / n * 1e9:.0f} ns | {growth} |")
        prev = (n, t)
    (n1, t1), (n2, t2) = points[-2], points[-1]
    slope = math.log(t2 / t1) / math.log(n2 / n1)
    verdict = "linear (met)" if slope <= 1.1 else "**worse than linear (not met)**"
    out.append("")
    out.append(f"log-log slope {n1:,} -> {n2:,}: {slope:.2f} (1.0 = linear): {verdict}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run every workload and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N / 10, for a smoke test")
    parser.add_argument("--repeat", type=int, default=7, help="best of this many runs")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    sys.path.insert(0, str(HERE))
    print("\n".join(f"- {line}" for line in machine()))
    rows: list[Row] = []
    for path in sorted(HERE.glob("bench_*.py")):
        module = load(path)
        runner = getattr(module, "run", None)
        t0 = time.perf_counter()
        if callable(runner):
            rows.extend(runner(quick=args.quick))
        elif path.stem in ADAPTERS:
            rows.extend(ADAPTERS[path.stem](module, scale=scale, repeat=args.repeat))
        else:
            rows.append(Row(f"{path.name}: no runner (add run() or an adapter)", None))
        print(f"- {path.name}: done in {time.perf_counter() - t0:.1f} s", flush=True)
    points = scaling(scale=scale, repeat=args.repeat)
    load1, load5, _ = os.getloadavg()
    print(f"- load average at end: {load1:.2f} (1 min), {load5:.2f} (5 min)")
    print()
    print("\n".join(table(rows)))
    print()
    print("\n".join(scaling_table(points)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
