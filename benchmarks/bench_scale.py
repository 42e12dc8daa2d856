"""Scale: score_batch per review from 100k to 10M reviews, and streaming in bounded memory.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--max N] [--repeat R] [--batch B]``
(``--max`` defaults to 10,000,000; ``--quick`` is ``--max 1000000``).

1. **Per-review time of score_batch** at 100k, 1M and 10M reviews of the founding scheme
   (``bench_scoring``'s inputs), with fresh result memory on every call and with the results
   written into reused :class:`~perfmgmt.scoring.ScoreBuffers` (``out=``). Both are checked
   bit-identical first. The slope is the time per review at the largest N over the time per
   review at 100k (target <= 1.15: the cost per review does not grow with N).
2. **Memory of a 10M stream**, each run in its own Python process so that its peak resident
   set (``VmHWM``, reset after the input is read) is its own: the preset's reviews as a Parquet
   file in ``from_frame``'s wide layout, scored and decided (``score_and_decide_batches``, the
   lean score columns and the money converted to Arrow per batch, as a writer would) (a) from
   the file batch by batch, (b) from the whole table in memory, and (c) in one shot
   (``from_frame`` + ``score_batch`` + ``evaluate_batch`` on the whole table). The input size
   is the Arrow table's bytes; target for (b): peak <= 1.5x the input. The three runs' totals
   and money are checked equal (a checksum of their bytes), and a 200k-row stream is checked
   equal to its one-shot run before anything is timed.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_end_to_end as e2e  # noqa: E402 - after the path to the bench scripts
import bench_scoring as bs  # noqa: E402
from perfmgmt.rules import RuleEvaluator, score_and_decide_batches  # noqa: E402
from perfmgmt.scoring import Population, ScoreBuffers, ScoringEngine  # noqa: E402

SIZES = (100_000, 1_000_000, 10_000_000)
#: Bytes a 10M run needs free before it starts (inputs, ids, two sets of results).
_NEEDS = {10_000_000: 12 << 30, 1_000_000: 2 << 30}


def _available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 1 << 62


def _best(fns: list[Any], repeat: int) -> list[tuple[float, float]]:
    """Best wall and best CPU time of each function, called round-robin ``repeat`` times.

    On a shared machine a run of seconds cannot dodge the other processes the way a run of
    milliseconds can (best of R picks a quiet moment), so wall times at large N carry the
    load; the CPU time of this single-threaded process does not count the waits for a core.
    """
    wall = [float("inf")] * len(fns)
    cpu = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[k] = min(wall[k], time.perf_counter() - t0)
            cpu[k] = min(cpu[k], time.process_time() - c0)
    return list(zip(wall, cpu, strict=True))


@dataclass(frozen=True)
class Point:
    """score_batch times at one N: wall and CPU, fresh memory and ScoreBuffers."""

    n: int
    wall_fresh: float
    wall_reused: float
    cpu_fresh: float
    cpu_reused: float

    def ns(self, field: str) -> float:
        """Return nanoseconds per review of one of the four times."""
        return float(getattr(self, field)) / self.n * 1e9


def _same(scheme: Any, engine: ScoringEngine, pop: Population, buffers: ScoreBuffers) -> None:
    """Check score_batch into reused memory gives the bits of a fresh call."""
    fresh = engine.score_batch(scheme, pop)
    reused = engine.score_batch(scheme, pop, out=buffers)
    for name in ("total", "score", "rating_index", "flags", "criterion_score"):
        a, b = getattr(fresh, name), getattr(reused, name)
        assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(), name


def per_review(sizes: tuple[int, ...], repeat: int) -> list[Point]:
    """Return the times of score_batch at each N, the sizes timed round-robin.

    Every population is built first; then each round times every size, fresh and with
    ScoreBuffers, so that the load of other processes falls on all sizes alike.
    """
    scheme = bs.founding_scheme()
    engine = ScoringEngine()
    cases: list[tuple[int, Population, ScoreBuffers]] = []
    for n in sizes:
        need = _NEEDS.get(n, 0)
        if _available() < need:
            print(f"- skipped N={n:,}: {_available() >> 30} GiB available, needs {need >> 30}")
            continue
        pop = bs.population(scheme, bs.make_inputs(n, seed=3))
        buffers = ScoreBuffers.for_scheme(scheme, n, slots=1)
        _same(scheme, engine, pop, buffers)
        cases.append((n, pop, buffers))
    fns = []
    for _, pop, buffers in cases:
        fns.append(lambda pop=pop: engine.score_batch(scheme, pop))
        fns.append(lambda pop=pop, b=buffers: engine.score_batch(scheme, pop, out=b))
    times = _best(fns, repeat)
    out = []
    for k, (n, _, buffers) in enumerate(cases):
        assert buffers.allocated == 0, "the results were not dropped"
        (wf, cf), (wr, cr) = times[2 * k], times[2 * k + 1]
        out.append(Point(n, wf, wr, cf, cr))
    print(f"- load average after timing: {os.getloadavg()[0]:.2f}")
    return out


# -- memory: one process per run ---------------------------------------------------------------


def _hwm_reset() -> None:
    """Reset this process's peak resident set to its current size (Linux)."""
    Path("/proc/self/clear_refs").write_text("5")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def _lean(scores: Any, decisions: Any) -> tuple[Any, Any]:
    """What a writer sends on: lean scores and the money as Arrow tables."""
    return scores.to_arrow("lean"), decisions.to_arrow(["bonus", "deduction"])


def child(mode: str, path: str, batch: int) -> dict[str, Any]:
    """Run one memory measurement in this process; return its figures."""
    import pyarrow.parquet as pq

    engine, evaluator = ScoringEngine(), RuleEvaluator(trace=False)
    digest, money = hashlib.sha256(), hashlib.sha256()
    gc.collect()
    interpreter = _status("VmRSS")  # Python, numpy, pyarrow and perfmgmt loaded; no data
    table = None if mode == "stream-file" else pq.read_table(path)
    input_bytes = (
        pq.ParquetFile(path).metadata.num_rows if table is None else table.nbytes
    )  # rows for the file mode: the parent knows the table's bytes
    gc.collect()
    _hwm_reset()
    before = _status("VmRSS")
    t0 = time.perf_counter()
    if mode == "one-shot":
        pop = Population.from_frame(e2e.SCHEME, table)
        scores = engine.score_batch(e2e.SCHEME, pop)
        decisions = evaluator.evaluate_batch(e2e.SCHEME, scores, pop)
        _lean(scores, decisions)
        digest.update(scores.total.tobytes())
        money.update(decisions.bonus_minor.tobytes())
    else:
        source: Any = pq.ParquetFile(path) if table is None else table
        for scores, decisions in score_and_decide_batches(
            e2e.SCHEME, source, engine=engine, evaluator=evaluator, batch_size=batch
        ):
            _lean(scores, decisions)
            digest.update(scores.total.tobytes())
            money.update(decisions.bonus_minor.tobytes())
    seconds = time.perf_counter() - t0
    return {
        "mode": mode,
        "input": input_bytes,
        "rss_before": before,
        "interpreter": interpreter,
        "peak": _status("VmHWM"),
        "seconds": seconds,
        "digest": digest.hexdigest() + money.hexdigest(),
    }


def _run_child(*args: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ.copy())
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _write(n: int, path: Path) -> int:
    """Write ``n`` reviews of the preset as Parquet; return the Arrow table's bytes."""
    import pyarrow.parquet as pq

    table = e2e.make_table(n)
    pq.write_table(table, path, row_group_size=1 << 20)
    return int(table.nbytes)


def check_stream_equals_one_shot(n: int = 200_000, batch: int = 65_536) -> None:
    """A stream of the preset equals the one-shot run: totals, ratings, money, rules fired."""
    table = e2e.make_table(n)
    pop = Population.from_frame(e2e.SCHEME, table)
    scores = ScoringEngine().score_batch(e2e.SCHEME, pop)
    decisions = RuleEvaluator().evaluate_batch(e2e.SCHEME, scores, pop)
    pairs = [
        (s.total.copy(), s.rating_index.copy(), d.bonus_minor.copy(), d.rule_fired.copy())
        for s, d in score_and_decide_batches(e2e.SCHEME, table, batch_size=batch)
    ]
    assert np.concatenate([p[0] for p in pairs]).tobytes() == scores.total.tobytes()
    assert np.concatenate([p[1] for p in pairs]).tobytes() == scores.rating_index.tobytes()
    assert np.concatenate([p[2] for p in pairs]).tobytes() == decisions.bonus_minor.tobytes()
    fired = np.concatenate([p[3] for p in pairs], axis=1)
    assert fired.tobytes() == decisions.rule_fired.tobytes()


def memory(n: int, batch: int, *, one_shot: bool) -> tuple[int, list[dict[str, Any]]]:
    """Return the input bytes and the figures of each memory run at ``n`` reviews."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviews.parquet"
        written = _run_child("write", str(path), str(n))
        input_bytes = int(written["input"])
        modes = ["stream-file", "stream-table"] + (["one-shot"] if one_shot else [])
        runs = [_run_child(mode, str(path), str(batch)) for mode in modes]
    digests = {r["digest"] for r in runs}
    assert len(digests) == 1, "the runs disagree"
    return input_bytes, runs


def _print_points(points: list[Point]) -> None:
    print()
    print("| N reviews | fresh, wall | per review | fresh, CPU | per review |", end="")
    print(" ScoreBuffers, wall | per review | ScoreBuffers, CPU | per review |")
    print("|---:" * 9 + "|")
    for p in points:
        cells = [f"{p.n:,}"]
        for field in ("wall_fresh", "cpu_fresh", "wall_reused", "cpu_reused"):
            cells += [f"{getattr(p, field):.3f} s", f"{p.ns(field):.0f} ns"]
        print("| " + " | ".join(cells) + " |")
    if len(points) > 1:
        first, last = points[0], points[-1]
        print()
        print(f"slope (per review at {last.n:,} / at {first.n:,}; target <= 1.15):")
        for field in ("wall_fresh", "cpu_fresh", "wall_reused", "cpu_reused"):
            print(f"- {field.replace('_', ', ')}: {last.ns(field) / first.ns(field):.2f}")


def main(argv: list[str]) -> int:
    """Print the figures as Markdown."""
    if argv and argv[0] == "--child":
        mode, path, arg = argv[1:4]
        if mode == "write":
            print(json.dumps({"input": _write(int(arg), Path(path))}))
        else:
            print(json.dumps(child(mode, path, int(arg))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=SIZES[-1])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=65_536)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-one-shot", action="store_true", help="skip the one-shot memory run")
    parser.add_argument("--time-only", action="store_true", help="only the per-review times")
    parser.add_argument("--memory-only", action="store_true", help="only the memory runs")
    args = parser.parse_args(argv)
    top = 1_000_000 if args.quick else args.max
    load = os.getloadavg()
    print(f"- load average at start: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")
    check_stream_equals_one_shot()
    print("- a 200,000-review stream equals its one-shot run (totals, ratings, money, rules)")
    if not args.memory_only:
        _print_points(per_review(tuple(n for n in SIZES if n <= top), args.repeat))
    if args.time_only:
        return 0
    need = 14 << 30
    one_shot = not args.no_one_shot and _available() >= need
    input_bytes, runs = memory(top, args.batch, one_shot=one_shot)
    print()
    print(f"{top:,} reviews, Arrow input {input_bytes / 2**20:,.0f} MiB, batches of {args.batch:,}")
    print("(the runs' totals and money checked equal)")
    print()
    print("| run | time | peak RSS | peak / input | (peak - interpreter) / input |")
    print("|---|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r['mode']} | {r['seconds']:.2f} s | {r['peak'] / 2**20:,.0f} MiB | "
            f"{r['peak'] / input_bytes:.2f} | {(r['peak'] - r['interpreter']) / input_bytes:.2f} |"
        )
    base = runs[0]["interpreter"] / 2**20
    print(f"\n- the interpreter with numpy, pyarrow and perfmgmt loaded: {base:,.0f} MiB RSS")
    load = os.getloadavg()
    print(f"\n- load average at end: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")
    return 0


def run(quick: bool = False) -> list[Any]:
    """Rows for ``benchmarks/run.py``: the slope and the streaming memory."""
    from run import Row  # type: ignore[import-not-found]

    top = 1_000_000 if quick else 10_000_000
    points = per_review(tuple(n for n in SIZES if n <= top), 5)
    first, last = points[0], points[-1]
    check_stream_equals_one_shot()
    input_bytes, runs = memory(top, 65_536, one_shot=False)
    table = next(r for r in runs if r["mode"] == "stream-table")
    rows = []
    for field, what in (("cpu_fresh", "score_batch"), ("cpu_reused", "score_batch(out=)")):
        slope = last.ns(field) / first.ns(field)
        rows.append(
            Row(
                f"{what} CPU per review, {last.n:,} vs {first.n:,}",
                getattr(last, field),
                {f"{first.n:,}": getattr(first, field)},
                slope,
                "slope",
                "<= 1.15",
                slope <= 1.15,
            )
        )
    return [
        *rows,
        Row(
            f"stream {top:,} reviews from a table: peak RSS",
            float(table["peak"]),
            {"input": float(input_bytes)},
            table["peak"] / input_bytes,
            "peak/input",
            "<= 1.5",
            table["peak"] / input_bytes <= 1.5,
            unit="B",
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
