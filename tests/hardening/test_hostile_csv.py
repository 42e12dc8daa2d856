"""Hostile ticket CSV: seeded mutations of a generated export, read by ``Tickets.from_csv``.

The start file is made here (seeded): managers, teams and agents with plausible times,
waits, handle times, costs, ratings and flags. Each case changes one cell, one row, the
header or the whole file. An accepted file must give every ticket indicator as a finite
number or NaN (never an infinity), strict or not.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from _hostile import Case, describe, failures, outcomes_of

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

HEADER = [
    "ticket_id",
    "manager",
    "team",
    "agent",
    "customer",
    "created",
    "first_reply",
    "closed",
    "wait_seconds",
    "handle_seconds",
    "cost",
    "csat",
    "abandoned",
    "resolved",
]


def _rows(rng: random.Random, count: int = 16) -> list[list[str]]:
    start = dt.datetime(2026, 3, 2, 8, 0)
    rows = []
    for i in range(count):
        created = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        reply = created + dt.timedelta(seconds=rng.randrange(5, 900))
        closed = reply + dt.timedelta(seconds=rng.randrange(60, 7200))
        rows.append(
            [
                f"t{i}",
                rng.choice(["li", "wang", "zhao"]),
                rng.choice(["north", "south"]),
                f"a{rng.randrange(6)}",
                f"c{rng.randrange(10)}",
                created.isoformat(),
                reply.isoformat(),
                closed.isoformat(),
                str(rng.randrange(0, 300)),
                f"{rng.uniform(60, 900):.1f}",
                f"{rng.uniform(1, 20):.2f}",
                rng.choice(["", "1", "2", "3", "4", "5"]),
                rng.choice(["0", "1", "false", "true"]),
                rng.choice(["0", "1"]),
            ]
        )
    return rows


def _quote(cell: str) -> str:
    if any(ch in cell for ch in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    lines = [",".join(_quote(c) for c in header)] + [",".join(_quote(c) for c in r) for r in rows]
    return newline.join(lines) + newline


CELLS: dict[str, str] = {
    "empty": "",
    "blank": "   ",
    "word": "abc",
    "1e308": "1e308",
    "-1e308": "-1e308",
    "1e309": "1e309",
    "-1": "-1",
    "-0": "-0",
    "nan": "nan",
    "inf": "inf",
    "10**400": "1" + "0" * 400,
    "2**53+1": str(2**53 + 1),
    "2.7": "2.7",
    "hex": "0x10",
    "padded": " 5 ",
    "quoted newline": "5\n6",
    "lone surrogate": "x\ud800",
    "NUL": "a\x00b",
    "RTL": "\u202eabc",
    "10k chars": "z" * 10_000,
    "Feb 30": "2026-02-30",
    "month 13": "2026-13-01T10:00:00",
    "yesterday": "yesterday",
    "year 9999": "9999-12-31T23:59:59",
    "year 1": "0001-01-01T00:00:00",
    "offset": "2026-03-05T10:00:00+08:00",
    "date only": "2026-03-05",
    "yes": "yes",
    "no": "no",
    "2 as flag": "2",
    "TRUE": "TRUE",
    "maybe": "maybe",
    "markdown": "[x](javascript:alert(1))",
}


Mutated = tuple[str, str, tuple[str, ...]]  # name, text, what a clean error must name


def _mutate_cell(rng: random.Random, rows: list[list[str]]) -> Mutated:
    r, c = rng.randrange(len(rows)), rng.randrange(len(HEADER))
    name = rng.choice(sorted(CELLS))
    rows[r][c] = CELLS[name]
    return f"row {r} {HEADER[c]} <- {name}", _text(HEADER, rows), (HEADER[c], f"{r}")


def _mutate_row(rng: random.Random, rows: list[list[str]]) -> Mutated:
    r = rng.randrange(len(rows))
    op = rng.choice(["short", "long", "empty line", "only commas", "unbalanced quote", "dup"])
    if op == "unbalanced quote":
        text = _text(HEADER, rows).replace(f"\nt{r},", f'\n"t{r},', 1)
        return f"row {r} <- {op}", text, ()
    changed = {
        "short": lambda: rows[r][:-3],
        "long": lambda: [*rows[r], "extra"],
        "empty line": list,
        "only commas": lambda: [""] * len(HEADER),
        "dup": lambda: rows[r],
    }[op]()
    if op == "dup":
        rows.insert(r, list(changed))
    else:
        rows[r] = changed
    return f"row {r} <- {op}", _text(HEADER, rows), (f"{r}", "row", "line")


def _mutate_header(rng: random.Random, rows: list[list[str]]) -> Mutated:
    header = list(HEADER)
    c = rng.randrange(len(header))
    op = rng.choice(["delete", "duplicate", "unknown", "empty", "BOM", "upper", "spaces"])
    col = header[c]
    if op == "delete":
        header.pop(c)
        rows = [r[:c] + r[c + 1 :] for r in rows]
    elif op == "duplicate":
        header.append(col)
        rows = [[*r, r[c]] for r in rows]
    else:
        header[c] = {
            "unknown": "zz_unknown",
            "empty": "",
            "BOM": "\ufeff" + col,
            "upper": col.upper(),
            "spaces": f" {col} ",
        }[op]
    return f"header {col} <- {op}", _text(header, rows), (col, "header", "column")


def _mutate_file(rng: random.Random, rows: list[list[str]]) -> Mutated:
    op = rng.choice(["empty", "header only", "blank lines", "semicolons", "CRLF", "NUL", "tabs"])
    text = {
        "empty": "",
        "header only": _text(HEADER, []),
        "blank lines": "\n\n\n",
        "semicolons": _text(HEADER, rows).replace(",", ";"),
        "CRLF": _text(HEADER, rows, "\r\n"),
        "NUL": _text(HEADER, rows).replace("t1", "t\x001", 1),
        "tabs": _text(HEADER, rows).replace(",", "\t"),
    }[op]
    return f"file <- {op}", text, ()


def _mutate(rng: random.Random) -> Mutated:
    """Return one mutated file: its name, its text and what a clean error must name."""
    rows = _rows(rng)
    kind = rng.choice([_mutate_cell] * 5 + [_mutate_row, _mutate_header, _mutate_file])
    return kind(rng, rows)


METRICS: tuple[Callable[..., Any], ...] = (
    csat,
    average_handle_time,
    first_contact_resolution,
    first_response_time,
    service_level,
    abandonment_rate,
    cost_per_contact,
)


def _indicators_are_numbers(tickets: Tickets) -> None:
    for metric in METRICS:
        result = metric(tickets)
        values = np.asarray(result.value, dtype=np.float64)
        assert not np.isinf(values).any(), f"{metric.__name__} gave {values.tolist()}"


def _read(text: str, strict: bool) -> Tickets:
    return Tickets.from_csv(text.splitlines(keepends=True), strict=strict)


def _column_files() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """Every column of the start file set, whole, to every hostile cell value."""
    for c, col in enumerate(HEADER):
        for value_name, value in sorted(CELLS.items()):
            rows = _rows(random.Random(f"hostile-csv-column-{col}"))
            for row in rows:
                row[c] = value
            yield f"column {col} <- {value_name}", _text(HEADER, rows), (col,)


def _cases(strict: bool) -> Iterator[Case]:
    rng = random.Random(f"hostile-csv-{strict}")
    mode = "strict" if strict else "lenient"
    random_files = (_mutate(rng) for _ in range(300))
    for name, text, names in (*_column_files(), *random_files):
        yield Case(
            category=f"csv/tickets {mode}",
            name=name,
            run=functools.partial(_read, text, strict),
            check=_indicators_are_numbers,
            names=names,
            check_area="metrics",
        )


FACTORIES: dict[str, Callable[[], Iterator[Case]]] = {
    "csv/tickets strict": functools.partial(_cases, True),
    "csv/tickets lenient": functools.partial(_cases, False),
}


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def outcomes(request: pytest.FixtureRequest) -> tuple[Any, ...]:
    """The outcomes of one reading mode's cases (run once per session)."""
    return outcomes_of(request.param, FACTORIES[request.param])


def test_start_file_is_valid() -> None:
    """The unmutated file reads and gives finite indicators, so mutations are what fail."""
    tickets = _read(_text(HEADER, _rows(random.Random(1))), strict=True)
    _indicators_are_numbers(tickets)


def test_no_failure_outside_metrics(outcomes: tuple[Any, ...]) -> None:
    """Hostile CSV never fails outside the metrics package: clean error or finite indicators."""
    found = failures(outcomes, other=False)
    assert not found, describe(found)


def test_no_failure_in_metrics(outcomes: tuple[Any, ...]) -> None:
    """Hostile CSV never fails inside the CSV reader or the indicators."""
    found = failures(outcomes, other=True)
    assert not found, describe(found)
