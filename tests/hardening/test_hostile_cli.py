"""CLI misuse, in-process: a table of command lines and hostile files through ``cli.main``.

A case is clean when the command exits 1 or 2 with a one-line message on stderr (no
traceback) that names what was wrong, valid when it exits 0, and a failure when anything
escapes ``main``, when stderr shows a traceback, or when a command that must be refused
exits 0.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _hostile import Case, describe, failures, outcomes_of

from perfmgmt.cli import main
from perfmgmt.errors import PerfmgmtError
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.serialization import dumps

SCHEME = customer_service_manager()


class RefusedError(PerfmgmtError):
    """The command exited 1 or 2 with a message: the CLI's clean error."""


def _run(argv: list[str], must_fail: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    message = err.getvalue()
    assert "Traceback" not in message, f"a traceback on stderr: {message[-300:]!r}"
    if code in (1, 2):
        assert message.strip(), f"exit {code} with nothing on stderr"
        raise RefusedError(message.strip().splitlines()[-1])
    assert code == 0, f"exit code {code!r}"
    assert not must_fail, (
        f"accepted (exit 0) although it must be refused; stdout {out.getvalue()[:200]!r}"
    )
    return code, out.getvalue(), message


def _data_csv(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in rows) + "\n"


def _files(root: Path) -> dict[str, Path]:
    """Write every input file once; return them by name."""
    keys = list(SCHEME.kpi_keys)
    good_rows = [["subject_id", *keys, f"{keys[0]}:n"]] + [
        [f"M{i}", *[str(70 + i + j) for j in range(len(keys))], "100"] for i in range(4)
    ]
    tickets_header = "ticket_id,manager,created,handle_seconds,csat,abandoned,resolved\n"
    tickets_rows = "".join(
        f"t{i},m{i % 2},2026-03-0{1 + i % 5}T10:00:00,{100 + i},{1 + i % 5},0,1\n" for i in range(8)
    )
    texts: dict[str, str | bytes] = {
        "scheme.json": dumps(SCHEME),
        "scheme_bad.json": "{",
        "scheme_empty.json": "",
        "scheme_array.json": "[]",
        "scheme_bom.json": "\ufeff" + dumps(SCHEME),
        "scheme_undecodable.json": b"\xff\xfe\x00{",
        "scheme_surrogate.json": dumps(SCHEME).replace('"key"', '"k\\ud800ey"', 1),
        "scheme_deep.json": "[" * 100_000 + "]" * 100_000,
        "data.csv": _data_csv(good_rows),
        "data_empty.csv": "",
        "data_header_only.csv": _data_csv(good_rows[:1]),
        "data_no_subject.csv": _data_csv([r[1:] for r in good_rows]),
        "data_empty_subject.csv": _data_csv([good_rows[0], ["", *good_rows[1][1:]]]),
        "data_duplicate_subject.csv": _data_csv([good_rows[0], good_rows[1], good_rows[1]]),
        "data_duplicate_column.csv": _data_csv([[*r, r[1]] for r in good_rows]),
        "data_unknown_column.csv": _data_csv([[*r, "1"] for r in good_rows]),
        "data_text.csv": _data_csv([good_rows[0], [good_rows[1][0], "abc", *good_rows[1][2:]]]),
        "data_1e308.csv": _data_csv([good_rows[0], [good_rows[1][0], "1e308", *good_rows[1][2:]]]),
        "data_nan.csv": _data_csv([good_rows[0], [good_rows[1][0], "nan", *good_rows[1][2:]]]),
        "data_inf.csv": _data_csv([good_rows[0], [good_rows[1][0], "inf", *good_rows[1][2:]]]),
        "data_huge.csv": _data_csv(
            [good_rows[0], [good_rows[1][0], "1" + "0" * 400, *good_rows[1][2:]]]
        ),
        "data_sample_2_7.csv": _data_csv([good_rows[0], [*good_rows[1][:-1], "2.7"]]),
        "data_sample_negative.csv": _data_csv([good_rows[0], [*good_rows[1][:-1], "-1"]]),
        "data_sample_huge.csv": _data_csv([good_rows[0], [*good_rows[1][:-1], "1" + "0" * 30]]),
        "data_undecodable.csv": b"subject_id,csat\nM1,\xed\xa0\x80\n",
        "data_nul.csv": _data_csv(good_rows).replace("M1", "M\x001"),
        "data_short_row.csv": _data_csv([good_rows[0], good_rows[1][:2]]),
        "tickets.csv": tickets_header + tickets_rows,
        "tickets_empty.csv": "",
        "tickets_undecodable.csv": tickets_header.encode() + b"t1,m\xff,2026-03-01T10:00:00\n",
        "tickets_bad_time.csv": tickets_header + "t1,m1,2026-02-30T10:00:00,1,1,0,1\n",
        "tickets_1e308.csv": tickets_header + "t1,m1,2026-03-01T10:00:00,1e308,1,0,1\n" * 3,
        "tickets_duplicate_column.csv": tickets_header.replace("csat", "manager"),
        "tickets_unknown_column.csv": tickets_header.replace("csat", "zz") + tickets_rows,
        "out_is_a_file.txt": "x",
    }
    paths = {}
    for name, text in texts.items():
        path = root / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        paths[name] = path
    (root / "a_directory").mkdir(exist_ok=True)
    paths["a_directory"] = root / "a_directory"
    paths["missing.json"] = root / "missing.json"
    return paths


#: (argv with {file} names, must it be refused?, what a clean message should name)
Row = tuple[list[str], bool, tuple[str, ...]]


SCHEMES = [
    "scheme_bad.json",
    "scheme_empty.json",
    "scheme_array.json",
    "scheme_bom.json",
    "scheme_undecodable.json",
    "scheme_surrogate.json",
    "scheme_deep.json",
    "a_directory",
    "missing.json",
]
DATAS = [
    "data_empty.csv",
    "data_header_only.csv",
    "data_no_subject.csv",
    "data_empty_subject.csv",
    "data_duplicate_subject.csv",
    "data_duplicate_column.csv",
    "data_unknown_column.csv",
    "data_text.csv",
    "data_1e308.csv",
    "data_nan.csv",
    "data_inf.csv",
    "data_huge.csv",
    "data_sample_2_7.csv",
    "data_sample_negative.csv",
    "data_sample_huge.csv",
    "data_undecodable.csv",
    "data_nul.csv",
    "data_short_row.csv",
    "a_directory",
    "missing.json",
]
# nan is a missing actual; 1e308 is a (capped) actual; a header alone is no one to score
ACCEPTED_DATA = {"data_nan.csv", "data_1e308.csv", "data_header_only.csv"}
TICKETS = [
    "tickets_empty.csv",
    "tickets_undecodable.csv",
    "tickets_bad_time.csv",
    "tickets_1e308.csv",
    "tickets_duplicate_column.csv",
    "tickets_unknown_column.csv",
    "a_directory",
    "missing.json",
]


def _top_level() -> Iterator[Row]:
    yield [], True, ()
    yield ["--help"], False, ()
    yield ["--version"], False, ()
    yield ["nope"], True, ("nope",)
    yield ["--nope"], True, ()


def _score_and_explain() -> Iterator[Row]:
    for command in ("score", "explain"):
        tail = ["M1"] if command == "explain" else []
        yield [command], True, ()
        yield [command, "{scheme.json}"], True, ()
        yield [command, "{scheme.json}", "{data.csv}", *tail], False, ()
        for s in SCHEMES:
            yield [command, "{" + s + "}", "{data.csv}", *tail], s != "scheme_bom.json", ()
        for d in DATAS:
            yield [command, "{scheme.json}", "{" + d + "}", *tail], d not in ACCEPTED_DATA, ()
    for out in ("{out.csv}", "{out.json}", "{out.xlsx}", "{a_directory}", "{out_is_a_file.txt}/x"):
        must = out not in ("{out.csv}", "{out.json}")
        yield ["score", "{scheme.json}", "{data.csv}", "-o", out], must, ()
    for subject in ("ZZ", "", " ", "M1\n", "M\ud8001"):
        yield ["explain", "{scheme.json}", "{data.csv}", subject], True, ()
    yield ["explain", "{scheme.json}", "{data.csv}", "M1", "--lang", "xx"], True, ("lang",)


def _metrics() -> Iterator[Row]:
    yield ["metrics", "{tickets.csv}"], False, ()
    for t, strict in itertools.product(TICKETS, ([], ["--strict"])):
        must = t != "tickets_bad_time.csv" or bool(strict)
        yield ["metrics", "{" + t + "}", *strict], must, ()
    for option, value in itertools.product(
        ("--from", "--to"),
        ("2026-02-30", "yesterday", "", "9999-12-31", "0001-01-01", "2026-13-01", "1e308"),
    ):
        yield ["metrics", "{tickets.csv}", option, value], value not in ("9999-12-31", ""), ()
    yield ["metrics", "{tickets.csv}", "--from", "2026-04-01", "--to", "2026-03-01"], True, ()
    yield ["metrics", "{tickets.csv}", "--by", "nobody"], True, ("by",)
    yield ["metrics", "{tickets.csv}", "-o", "{a_directory}"], True, ()


def _lint() -> Iterator[Row]:
    yield ["lint", "{scheme.json}"], False, ()
    for s in SCHEMES:
        yield ["lint", "{" + s + "}"], s != "scheme_bom.json", ()
    for option, value in itertools.product(
        ("--min-weight", "--max-weight", "--min-quantitative-share"),
        ("nan", "inf", "-1", "x", "1e308"),
    ):
        yield ["lint", "{scheme.json}", option, value], True, ()
    for tag in ("nokpi=speed", "csat=nosuchtag", "csat", "=", "csat=\ud800"):
        yield ["lint", "{scheme.json}", "--tag", tag], True, ()
    yield ["lint", "{scheme.json}", "--format", "yaml"], True, ("format",)


def _demo() -> Iterator[Row]:
    # A small organisation first, so that a value wrongly accepted still runs in budget.
    small = ["--managers", "1", "--agents", "1", "--tickets", "10", "-q"]
    for option, value in itertools.product(
        ("--managers", "--agents", "--tickets"), ("0", "-1", "x", "1" + "0" * 30)
    ):
        yield ["demo", "--out", "{demo_out}", *small, option, value], True, ()
    for value in ("x", "1.5", ""):
        yield ["demo", "--out", "{demo_out}", *small, "--seed", value], True, ("seed",)
    yield ["demo", "--out", "{out_is_a_file.txt}", *small], True, ()
    yield ["demo", "--lang", "xx"], True, ("lang",)


def _table() -> Iterator[Row]:
    for part in (_top_level, _score_and_explain, _metrics, _lint, _demo):
        yield from part()


def _argv(template: list[str], files: dict[str, Path], root: Path) -> list[str]:
    out = []
    for arg in template:
        if arg.startswith("{") and "}" in arg:
            name, _, rest = arg[1:].partition("}")
            path = files.get(name, root / name)
            out.append(str(path) + rest)
        else:
            out.append(arg)
    return out


def _cases(root: Path) -> Iterator[Case]:
    files = _files(root)
    for i, (template, must_fail, names) in enumerate(_table()):
        argv = _argv(template, files, root)
        yield Case(
            category="cli/misuse",
            name=f"{i}: perfmgmt {' '.join(a[:40] for a in template)}",
            run=functools.partial(_run, argv, must_fail),
            names=names,
            check_area="cli",
        )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, ...]:
    """The outcomes of the misuse table (run once per session)."""
    root = tmp_path_factory.mktemp("hostile-cli")
    factory: Callable[[], Iterator[Case]] = functools.partial(_cases, root)
    return outcomes_of("cli/misuse", factory)


def test_table_is_large(outcomes: tuple[Any, ...]) -> None:
    """The misuse table has well over a hundred command lines."""
    assert len(outcomes) >= 150


def test_no_failure_outside_cli(outcomes: tuple[Any, ...]) -> None:
    """CLI misuse never fails in the library below the command."""
    found = failures(outcomes, other=False)
    assert not found, describe(found)


def test_no_failure_in_cli(outcomes: tuple[Any, ...]) -> None:
    """CLI misuse never escapes ``main``, prints a traceback or is silently accepted."""
    found = failures(outcomes, other=True)
    assert not found, describe(found)
