"""Benchmark: reading a tickets CSV export, ``Tickets.from_csv`` vs ``pandas.read_csv``.

Run as ``python benchmarks/bench_csv.py [N_TICKETS]`` (default 222,000, the size of the export
issue #17 timed).  The file is written once with every kind of cell a CRM export has: ids,
manager/agent/customer keys, ISO timestamps (some replies empty), decimal durations and costs,
1-5 ratings with blanks, and yes/no flags.  The pandas side is what an analyst writes for the
same result: ``read_csv`` with the timestamp columns parsed and the flags mapped to booleans.
Both tables are checked to hold the same values before anything is timed; ``Tickets.from_csv``
validates every row as well (ranges, timestamp order, duplicate ids), which pandas does not.
Times are the best of ``REPEATS`` runs, taken in turn; the ratio is pandas time / ours (>= 1
means we are at least as fast).  With pyarrow installed, ``from_csv`` parses in C++.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfmgmt.metrics import Tickets

REPEATS = 5
SEED = 20261202
TIMES = ("created", "first_reply", "closed")
FLAGS = {"yes": True, "no": False}


def make_csv(n: int, path: Path, seed: int = SEED) -> None:
    """Write ``n`` plausible tickets to ``path`` (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    agent = rng.integers(0, 1_500, n)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    created = start + rng.integers(0, 182 * 86_400, n)
    reply = created + rng.lognormal(6.0, 1.2, n).astype(np.int64)
    closed = reply + rng.integers(60, 86_400, n)
    abandoned = rng.random(n) < 0.06

    def stamp(seconds: np.ndarray, empty: np.ndarray) -> np.ndarray:
        text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
        return np.where(empty, "", text)

    frame = pd.DataFrame(
        {
            "ticket_id": [f"T{i:08d}" for i in range(n)],
            "manager": np.char.add("m", (agent % 100).astype(str)),
            "agent": np.char.add("a", agent.astype(str)),
            "customer": np.char.add("c", rng.integers(0, n // 3 + 1, n).astype(str)),
            "created": stamp(created, np.zeros(n, bool)),
            "first_reply": stamp(reply, abandoned),
            "closed": stamp(closed, abandoned),
            "wait_seconds": np.round(rng.exponential(25.0, n), 1),
            "handle_seconds": np.where(abandoned, np.nan, np.round(rng.gamma(4.0, 120.0, n), 2)),
            "cost": np.round(rng.gamma(2.0, 3.5, n), 2),
            "csat": np.where(rng.random(n) < 0.3, rng.integers(1, 6, n), 0),
            "abandoned": np.where(abandoned, "yes", "no"),
            "resolved": np.where(rng.random(n) < 0.8, "yes", "no"),
        }
    )
    frame["csat"] = frame["csat"].astype(str).replace("0", "")
    frame.to_csv(path, index=False)


def ours(path: Path) -> Tickets:
    """Read and validate the file with perfmgmt."""
    return Tickets.from_csv(path)


def theirs(path: Path) -> pd.DataFrame:
    """Read the file with pandas as an analyst would: timestamps parsed, flags as booleans."""
    df = pd.read_csv(
        path,
        dtype={"ticket_id": str, "manager": str, "agent": str, "customer": str},
        parse_dates=list(TIMES),
        date_format="ISO8601",
    )
    for flag in ("abandoned", "resolved"):
        df[flag] = df[flag].map(FLAGS)
    return df


def check_equal(t: Tickets, df: pd.DataFrame) -> None:
    """Raise AssertionError unless both tables hold the same values in every column."""
    assert len(t) == len(df)
    for name in t.columns:
        mine = t.column(name)
        other = df[name].to_numpy()
        if mine.dtype.kind == "M":
            other = other.astype("datetime64[s]")
            assert np.array_equal(mine, other, equal_nan=True), name
        elif mine.dtype.kind == "f":
            assert np.array_equal(mine, other.astype(np.float64), equal_nan=True), name
        else:
            assert mine.tolist() == other.tolist(), name


def best(fns: list[Callable[[], Any]], repeat: int = REPEATS) -> list[float]:
    """Return the best wall time of each function, calling them in turn."""
    out = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            out[k] = min(out[k], time.perf_counter() - t0)
    return out


@contextlib.contextmanager
def without_arrow() -> Iterator[None]:
    """Hide pyarrow from perfmgmt (not from pandas) so the standard-library reader runs."""
    names = ("pyarrow", "pyarrow.csv", "pyarrow.compute")
    saved = {name: sys.modules.get(name) for name in names}
    try:
        for name in names:
            sys.modules[name] = None  # type: ignore[assignment]  # import now raises
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


def ours_exact(path: Path) -> Tickets:
    """Read and validate the file with perfmgmt's standard-library reader (no pyarrow)."""
    with without_arrow():
        return Tickets.from_csv(path)


def measure(n: int, repeat: int = REPEATS) -> tuple[float, float, float, int]:
    """Write the file, check agreement, and return (ours, ours without pyarrow, pandas, bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tickets.csv"
        make_csv(n, path)
        frame = theirs(path)
        check_equal(ours(path), frame)
        check_equal(ours_exact(path), frame)
        mine, exact, other = best(
            [lambda: ours(path), lambda: ours_exact(path), lambda: theirs(path)], repeat
        )
        return mine, exact, other, path.stat().st_size


def run(quick: bool = False) -> list[Any]:
    """Rows for ``benchmarks/run.py``."""
    from run import Row  # type: ignore[import-not-found]

    n = 22_200 if quick else 222_000
    mine, exact, other, _ = measure(n)
    arrow = importlib.util.find_spec("pyarrow") is not None
    return [
        Row(
            f"tickets CSV read, {n:,} rows vs pandas.read_csv"
            + (" (pyarrow reader)" if arrow else " (no pyarrow installed)"),
            mine,
            {"pandas": other},
            other / mine,
            "pandas/ours",
            ">= 1",
            other / mine >= 1,
        ),
        Row(
            f"tickets CSV read, {n:,} rows, standard-library reader (no pyarrow)",
            exact,
            {"pandas": other},
            other / exact,
            "pandas/ours",
            ">= 1",
            other / exact >= 1,
        ),
    ]


def main(n: int) -> int:
    """Print the figures for ``n`` tickets."""
    arrow = importlib.util.find_spec("pyarrow") is not None
    mine, exact, other, size = measure(n)
    print(f"tickets CSV, {n:,} rows, {size / 2**20:.1f} MiB; pyarrow installed: {arrow}")
    print("| reader | best time | pandas/ours |")
    print("|---|---:|---:|")
    print(f"| Tickets.from_csv (validated) | {mine * 1e3:.0f} ms | {other / mine:.2f} |")
    print(f"| same, without pyarrow | {exact * 1e3:.0f} ms | {other / exact:.2f} |")
    print(f"| pandas.read_csv | {other * 1e3:.0f} ms | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 222_000))
