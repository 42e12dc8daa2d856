"""Dask: reviews in Parquet files scored on a two-worker local cluster against one process.

Run: ``.venv/bin/python benchmarks/bench_dask.py [N] [--files P] [--repeat R] [--no-table]
[--no-gather]`` (default 4,000,000 reviews in 8 files, best of 2).

The input is ``N`` fully measured reviews of the preset (``bench_end_to_end.make_table``) in
``P`` Parquet files, written one file at a time (distinct seeds and subject ids) so that making
20,000,000 reviews never holds more than one file's table.  Every run reads the files, scores
and decides them with ``perfmgmt.distributed.PartitionScorer`` (lean scores, money as exact
decimals, fired flags) and writes one result file per input file:

- **one process, file by file**: read a file, ``scorer.arrow``, write its result, next file
  (O(file) memory: what one machine does with a population larger than its memory);
- **one process, one table** (unless ``--no-table``): read every file as one table, score it,
  write one result file;
- **Dask, written by the workers**: ``distributed.LocalCluster(n_workers=2,
  threads_per_worker=1, processes=True)``, started (and its workers' imports made) before the
  clock starts, ``dd.from_map(scorer.read_parquet, files, meta=...)`` then ``.to_parquet``:
  each worker reads, scores and writes its files, and only file names and small metadata pass
  through the client;
- **Dask, gathered** (unless ``--no-gather``): the same frame, ``.compute()`` into one pandas
  frame in the client;
- **Dask, one ``score_parquet`` per file**: ``client.map(scorer.score_parquet, files,
  targets)``: read, score and write in one task with no pandas and no DataFrame, only a row
  count coming back (the least Dask can do per file).

All runs are timed round-robin (best of ``R``), so other work on the machine falls on each
alike.  Every result is checked equal to the one-process file-by-file result first, file by
file, row for row, money exact (Arrow ``equals`` after casting to the result schema).  The
task stream of each Dask run gives the workers' busy time, so the report says how much of the
wall time the two workers spent computing and how much went elsewhere.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bench_end_to_end import SCHEME, best, make_table
from perfmgmt.distributed import partition_scorer

SLICE_SEED = 1_000


def write_inputs(folder: Path, n: int, parts: int) -> list[Path]:
    """Write ``n`` reviews as ``parts`` Parquet files, one file's table in memory at a time."""
    if n % parts:
        raise SystemExit(f"N={n} must be a multiple of the number of files ({parts})")
    size = n // parts
    files = []
    for k in range(parts):
        table = make_table(size, seed=SLICE_SEED + k)
        ids = pa.array([f"m{k * size + i:09d}" for i in range(size)])
        table = table.set_column(0, "subject_id", ids)
        path = folder / f"in-{k:03d}.parquet"
        pq.write_table(table, path)
        files.append(path)
    return files


def results_equal(want: list[Path], got: list[Path], schema: pa.Schema, who: str) -> None:
    """Assert that result files equal the reference files, file by file, row for row."""
    assert len(want) == len(got), f"{who}: {len(got)} result files, expected {len(want)}"
    for a, b in zip(want, got, strict=True):
        mine = pq.read_table(a)
        other = pq.read_table(b).select(schema.names).cast(schema)
        assert mine.equals(other), f"{who}: {b.name} differs from {a.name}"


def table_equal(want: list[Path], got: pa.Table, who: str) -> None:
    """Assert that one table equals the reference files concatenated, slice by slice."""
    start = 0
    for path in want:
        mine = pq.read_table(path)
        assert mine.equals(got.slice(start, mine.num_rows)), f"{who}: rows from {start} differ"
        start += mine.num_rows
    assert start == got.num_rows, f"{who}: {got.num_rows} rows, expected {start}"


def busy_seconds(stream: list[dict[str, Any]]) -> dict[str, float]:
    """Add up the workers' time per action (compute, transfer, disk) from a task stream."""
    out: dict[str, float] = {}
    for task in stream:
        for part in task.get("startstops", ()):
            out[part["action"]] = out.get(part["action"], 0.0) + part["stop"] - part["start"]
    return out


def measure(  # noqa: C901, PLR0915 - one run, told in order
    n: int, parts: int, repeat: int, *, whole: bool, gather: bool
) -> dict[str, Any]:
    """Check every run equal to one process's file-by-file result, then time them."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, get_task_stream

    scorer = partition_scorer(SCHEME)
    schema = scorer.schema.arrow
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        files = write_inputs(root, n, parts)
        made = time.perf_counter() - t0
        mb = sum(f.stat().st_size for f in files) / 1e6
        print(f"{n:,} reviews in {parts} Parquet files ({mb:,.0f} MB), written in {made:.1f} s")
        ref = [root / "ref" / f"part.{k}.parquet" for k in range(parts)]
        ref[0].parent.mkdir()

        def one_process_files() -> None:
            for source, target in zip(files, ref, strict=True):
                scorer.score_parquet(source, target)

        def one_process_table() -> None:
            pq.write_table(scorer.arrow(pq.read_table(files)), root / "one-table.parquet")

        one_process_files()  # the reference every other run is checked against
        if whole:
            one_process_table()
            table_equal(ref, pq.read_table(root / "one-table.parquet"), "one table")

        t0 = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        started = time.perf_counter() - t0
        t0 = time.perf_counter()
        # what a long-lived cluster has already done: import the library, build the engines
        client.run(lambda: partition_scorer(scorer.scheme_json).schema.names)
        imported = time.perf_counter() - t0
        busy: dict[str, dict[str, float]] = {}
        try:
            frame = dd.from_map(scorer.read_parquet, files, meta=scorer.schema.meta)
            written = root / "dask-written"
            outs = [root / "dask-map" / f"part.{k}.parquet" for k in range(parts)]
            outs[0].parent.mkdir()

            def on_dask_written() -> None:
                frame.to_parquet(str(written), write_index=False, overwrite=True)

            def on_dask_gathered() -> pd.DataFrame:
                return frame.compute()

            def on_dask_map() -> None:
                done = client.map(scorer.score_parquet, files, outs, pure=False)
                assert sum(client.gather(done)) == n

            on_dask_written()
            got = sorted(written.glob("*.parquet"), key=_part_number)
            results_equal(ref, got, schema, "dask")
            on_dask_map()
            results_equal(ref, outs, schema, "dask, client.map")
            runs: dict[str, Callable[[], object]] = {}
            runs["one process, file by file"] = one_process_files
            if whole:
                runs["one process, one table"] = one_process_table
            runs["dask, 2 workers, written by the workers"] = on_dask_written
            if gather:
                out = pa.Table.from_pandas(on_dask_gathered(), preserve_index=False)
                table_equal(ref, out.cast(schema), "gathered")
                del out
                runs["dask, 2 workers, gathered to the client"] = on_dask_gathered
            runs["dask, 2 workers, one score_parquet per file"] = on_dask_map

            def traced(name: str, fn: Callable[[], object]) -> Callable[[], object]:
                fastest = [float("inf")]

                def run() -> None:
                    t0 = time.perf_counter()
                    with get_task_stream(client) as stream:
                        fn()
                    wall = time.perf_counter() - t0
                    if wall < fastest[0]:  # the workers' busy time in the best run
                        fastest[0] = wall
                        busy[name] = busy_seconds(stream.data)

                return run

            fns = [traced(k, fn) if k.startswith("dask") else fn for k, fn in runs.items()]
            c0 = time.process_time()
            load_before = os.getloadavg()[0]
            # round-robin, so other work on the machine falls on every run alike
            times = dict(zip(runs, best(fns, repeat), strict=True))
            load_after = os.getloadavg()[0]
            cpu = (time.process_time() - c0) / repeat
        finally:
            client.close()
            cluster.close()

    return {
        "times": times,
        "busy": busy,
        "started": started,
        "imported": imported,
        "cpu": cpu,
        "load": (load_before, load_after),
    }


def report(got: dict[str, Any]) -> None:
    """Print what :func:`measure` found."""
    times, busy = got["times"], got["busy"]
    before, after = got["load"]
    print(f"load average {before:.2f} before, {after:.2f} after; results checked equal")
    print(f"cluster start {got['started']:.2f} s, then imports and engines {got['imported']:.2f} s")
    print(f"client CPU per round of all runs {got['cpu']:.1f} s")
    base = times["one process, file by file"]
    print("| run | best wall | workers busy in that run | file by file / run |")
    print("|---|---:|---:|---:|")
    for name, seconds in times.items():
        work = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(busy.get(name, {}).items()))
        print(f"| {name} | {seconds:.2f} s | {work} | {base / seconds:.2f} |")


def run(quick: bool = False) -> list[Any]:
    """Rows for ``benchmarks/run.py`` (4,000,000 reviews in 8 files; 400,000 in 4 if quick)."""
    from run import Row  # type: ignore[import-not-found]

    n, parts = (400_000, 4) if quick else (4_000_000, 8)
    times = measure(n, parts, 2, whole=False, gather=False)["times"]
    ours = times["dask, 2 workers, written by the workers"]
    base = times["one process, file by file"]
    return [
        Row(
            f"Dask, 2 local workers, {n:,} reviews in {parts} Parquet files vs one process",
            ours,
            {"one process": base},
            base / ours,
            "one process/dask",
            "> 1",
            base / ours > 1,
        )
    ]


def _part_number(path: Path) -> int:
    """The partition number in Dask's ``part.<i>.parquet`` names."""
    return int(path.name.split(".")[1])


def main(argv: list[str]) -> int:
    """Print the figures."""
    n = int(argv[0]) if argv and not argv[0].startswith("-") else 4_000_000
    parts = int(argv[argv.index("--files") + 1]) if "--files" in argv else 8
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 2
    report(
        measure(n, parts, repeat, whole="--no-table" not in argv, gather="--no-gather" not in argv)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
