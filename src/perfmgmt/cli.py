"""The ``perfmgmt`` command: run the demo, score a data file, explain a score, compute metrics.

Built on :mod:`argparse` from the standard library, so the command needs no dependency beyond
the library's own.  Every subcommand has ``--help``.  User mistakes (a missing file, bad JSON, a
bad column, a scheme that does not validate) print one message to stderr and exit with status 1,
without a traceback; a usage error exits with status 2.

Subcommands:
    demo      Generate a service organisation, compute its indicators, score every manager,
              calibrate, apply the rules, suggest development plans, write a report per
              manager, a team report and a summary.
    lint      Check a scheme saved as JSON before launch.
    score     Score every row of a CSV of actuals under a scheme saved as JSON.
    explain   Explain one subject's score and decisions.
    metrics   Compute contact-centre indicators per manager (or team, agent) from a tickets CSV.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from perfmgmt import __version__
from perfmgmt._markdown import md_table_row
from perfmgmt._typing import FloatArray, IntArray
from perfmgmt.analytics.lint import LINT_DESCRIPTION, configure_lint_parser, run_lint
from perfmgmt.errors import DataError, PerfmgmtError
from perfmgmt.model import Scheme

__all__ = ["main", "read_actuals"]

_LANGS = ("en", "zh")


class _Progress:
    """Step messages with elapsed time on stderr: the progress indicator of long commands."""

    def __init__(self, stream: TextIO, *, quiet: bool, steps: int) -> None:
        self._stream = stream
        self._quiet = quiet
        self._steps = steps
        self._n = 0
        self._t0 = time.perf_counter()

    def step(self, text: str) -> None:
        self._n += 1
        if not self._quiet:
            elapsed = time.perf_counter() - self._t0
            self._stream.write(f"[{self._n}/{self._steps}] {elapsed:5.1f}s  {text}\n")
            self._stream.flush()


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def _write_csv(path: Path, rows: Sequence[Mapping[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        if not rows:
            return
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)


def _markdown_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = [md_table_row(_fmt(r.get(c)) for c in columns) for r in rows]
    return "\n".join([md_table_row(columns), rule, *body])


# -- reading a scheme and a data file -------------------------------------------------------


def _load_scheme(path: str) -> Scheme:
    from perfmgmt.serialization import loads  # noqa: PLC0415 -- keeps --help fast

    text = Path(path).read_text(encoding="utf-8")
    try:
        return loads(text, Scheme)
    except PerfmgmtError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def _number(text: str, row: int, column: str) -> float:
    text = text.strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataError(
            f"row {row}, column {column!r}: cannot read {text!r} as a number",
            row=row,
            column=column,
        ) from None
    if math.isinf(value):
        raise DataError(
            f"row {row}, column {column!r}: {text!r} is not allowed; expected a finite number",
            row=row,
            column=column,
        )
    return value


def read_actuals(scheme: Scheme, source: str | Path | TextIO) -> Any:
    """Read a CSV of actuals into a :class:`~perfmgmt.scoring.Population` for ``scheme``.

    Columns: ``subject_id`` (required); one column per KPI key with the actual (empty =
    missing); optionally ``<kpi>:n`` with the sample size, ``<criterion>:<source>`` with the
    mean qualitative rating of that source (e.g. ``attitude:manager``) and
    ``<criterion>:<source>:raters`` with the number of raters behind it.

    Args:
        scheme: The scheme the population will be scored under.
        source: A path or an open text file.

    Returns:
        The population, one row per CSV line.

    Raises:
        DataError: On a missing ``subject_id`` column, an unknown column, or a value that is not
            a number, naming the row and column.
    """
    from perfmgmt.scoring import Population  # noqa: PLC0415 -- keeps --help fast

    if isinstance(source, str | Path):
        with open(source, newline="", encoding="utf-8") as fh:
            return read_actuals(scheme, fh)
    reader = csv.reader(source)
    header = [h.strip() for h in next(reader, [])]
    if "subject_id" not in header:
        raise DataError(
            f"the CSV has no 'subject_id' column; its header is {header}; expected subject_id "
            f"and one column per KPI: {list(scheme.kpi_keys)}",
            column="subject_id",
        )
    places = _column_places(scheme, header)
    rows = list(reader)
    ids, actual, size, ratings, raters = _read_rows(scheme, header, places, rows)
    kinds = {kind for kind, _ in places.values()}
    if "rating" in kinds and "raters" not in kinds:
        raters = np.where(np.isnan(ratings), 0, 1_000).astype(np.int64)
    q = len(scheme.criteria)
    return Population.from_arrays(
        scheme,
        subject_ids=ids,
        actual=actual,
        sample_size=size,
        ratings=ratings if q else None,
        raters=raters if q else None,
    )


#: Where a CSV column of actuals goes: its kind and its index (KPI, or criterion and source).
_Place = tuple[str, tuple[int, ...]]


def _column_places(scheme: Scheme, header: list[str]) -> dict[str, _Place]:
    """Return where each column of the header goes; refuse a column the scheme does not have."""
    kpis = {k: j for j, k in enumerate(scheme.kpi_keys)}
    crits = {c.key: j for j, c in enumerate(scheme.criteria)}
    srcs = {s.source.value: j for j, s in enumerate(scheme.sources)}
    places: dict[str, _Place] = {}
    for name in header:
        if name == "subject_id":
            continue
        place = _column_place(name, kpis, crits, srcs)
        if place is None:
            raise DataError(
                f"unknown column {name!r}; allowed: subject_id, the KPI keys "
                f"{list(scheme.kpi_keys)}, '<kpi>:n', '<criterion>:<source>' and "
                "'<criterion>:<source>:raters' with criteria "
                f"{list(crits)} and sources {list(srcs)}",
                column=name,
            )
        places[name] = place
    return places


def _column_place(
    name: str, kpis: Mapping[str, int], crits: Mapping[str, int], srcs: Mapping[str, int]
) -> _Place | None:
    """Return where the column ``name`` goes (None for a column the scheme does not have).

    ``<kpi>`` holds actuals, ``<kpi>:n`` sample sizes, ``<criterion>:<source>`` mean ratings
    and ``<criterion>:<source>:raters`` rater counts.
    """
    parts = name.split(":")
    if len(parts) == 1 and parts[0] in kpis:
        return "actual", (kpis[parts[0]],)
    if len(parts) == 2 and parts[0] in kpis and parts[1] == "n":
        return "n", (kpis[parts[0]],)
    if len(parts) in (2, 3) and parts[0] in crits and parts[1] in srcs:
        cell = (crits[parts[0]], srcs[parts[1]])
        if len(parts) == 2:
            return "rating", cell
        if parts[2] == "raters":
            return "raters", cell
    return None


def _read_rows(
    scheme: Scheme, header: list[str], places: Mapping[str, _Place], rows: list[list[str]]
) -> tuple[list[str], FloatArray, IntArray, FloatArray, IntArray]:
    """Return the subject ids, actuals, sample sizes, ratings and raters of the CSV rows."""
    n, k, q, s = len(rows), len(scheme.kpis), len(scheme.criteria), len(scheme.sources)
    actual = np.full((n, k), np.nan)
    size = np.full((n, k), -1, dtype=np.int64)
    ratings = np.full((n, q, s), np.nan)
    raters = np.zeros((n, q, s), dtype=np.int64)
    ids: list[str] = []
    id_col = header.index("subject_id")
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise DataError(f"row {i}: {len(row)} fields but the header has {len(header)}", row=i)
        ids.append(row[id_col].strip())
        for j, name in enumerate(header):
            if name not in places:
                continue
            kind, idx = places[name]
            value = _number(row[j], i, name)
            if kind == "actual":
                actual[i, idx[0]] = value
            elif kind == "n":
                size[i, idx[0]] = -1 if math.isnan(value) else int(value)
            elif kind == "rating":
                ratings[i, idx[0], idx[1]] = value
            else:
                raters[i, idx[0], idx[1]] = 0 if math.isnan(value) else int(value)
    return ids, actual, size, ratings, raters


def _output(path: str | None, records: list[dict[str, object]], out: TextIO) -> str | None:
    if path is None:
        columns = ["subject_id", "total", "rating", "quantitative", "qualitative"]
        out.write(_markdown_table(records, columns) + "\n")
        return None
    target = Path(path)
    if target.suffix.lower() == ".json":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(records, indent=2, default=str) + "\n", encoding="utf-8")
    elif target.suffix.lower() == ".csv":
        _write_csv(target, records)
    else:
        raise DataError(f"output {path!r}: unknown extension {target.suffix!r}; use .csv or .json")
    return str(target)


# -- subcommands ------------------------------------------------------------------------------


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfmgmt.scoring import ScoringEngine  # noqa: PLC0415

    scheme = _load_scheme(args.scheme)
    population = read_actuals(scheme, args.data)
    batch = ScoringEngine().score_batch(scheme, population)
    written = _output(args.output, batch.to_records(), out)
    if written:
        rated = int(batch.rated.sum())
        err.write(f"scored {len(batch)} subjects ({rated} rated) -> {written}\n")
    return 0


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfmgmt.rules import RuleEvaluator  # noqa: PLC0415
    from perfmgmt.scoring import ScoringEngine  # noqa: PLC0415

    scheme = _load_scheme(args.scheme)
    population = read_actuals(scheme, args.data)
    if args.subject not in population.subject_ids:
        shown = list(population.subject_ids[:10])
        raise DataError(
            f"subject {args.subject!r} is not in {args.data}; subjects include {shown}",
            column="subject_id",
        )
    i = population.subject_ids.index(args.subject)
    batch = ScoringEngine().score_batch(scheme, population)
    out.write(batch.row(i).explain(args.lang).text + "\n")
    if scheme.rules or scheme.tables:
        decisions = RuleEvaluator().evaluate_batch(scheme, batch, population)
        out.write("\n" + decisions.explain(i, args.lang) + "\n")
    del err
    return 0


_METRIC_COLUMNS = ("group", "contacts", "csat", "first_response_min", "fcr", "aht_s",
                   "service_level", "abandonment", "cost_per_contact")  # fmt: skip


def _cmd_metrics(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfmgmt import metrics  # noqa: PLC0415

    tickets = metrics.Tickets.from_csv(args.tickets, strict=args.strict)
    if tickets.dropped:
        err.write(f"perfmgmt metrics: {tickets.dropped.summary()}\n")
    period = _period(args.start, args.end)
    by = args.by
    computed: dict[str, tuple[Callable[..., Any], float]] = {
        "csat": (metrics.csat, 1.0),
        "first_response_min": (metrics.first_response_time, 1 / 60),
        "fcr": (metrics.first_contact_resolution, 1.0),
        "aht_s": (metrics.average_handle_time, 1.0),
        "service_level": (metrics.service_level, 1.0),
        "abandonment": (metrics.abandonment_rate, 1.0),
        "cost_per_contact": (metrics.cost_per_contact, 1.0),
    }
    codes, labels = tickets.codes(by)
    sel = codes >= 0
    if period is not None:
        created = tickets.require("created")
        lo, hi = (np.datetime64(p, "s") for p in period)
        sel &= (created >= lo) & (created < hi)
    contacts = np.bincount(codes[sel], minlength=len(labels))
    table: dict[str, dict[str, object]] = {
        str(g): {"group": str(g), "contacts": int(c)} for g, c in zip(labels, contacts, strict=True)
    }
    skipped: list[str] = []
    for name, (fn, scale) in computed.items():
        try:
            result = fn(tickets, by=by, period=period)
        except DataError as exc:
            if exc.column is None or exc.column in tickets.columns:
                raise
            skipped.append(f"{name} (needs {exc.column!r})")
            continue
        for g, v in zip(result.groups.tolist(), result.value.tolist(), strict=True):
            table[str(g)][name] = round(v * scale, 4) if not math.isnan(v) else None
    if skipped:
        err.write("perfmgmt metrics: not computed: " + ", ".join(skipped) + "\n")
    rows = list(table.values())
    columns = [c for c in _METRIC_COLUMNS if c in ("group", "contacts") or c in computed]
    rows = [{c: r.get(c) for c in columns} for r in rows]
    if args.output:
        _output_rows(args.output, rows)
        err.write(f"wrote {len(rows)} groups -> {args.output}\n")
    else:
        out.write(_markdown_table(rows, columns) + "\n")
    return 0


def _period(start: str | None, end: str | None) -> tuple[str, str] | None:
    """Return the ``--from``/``--to`` period (None: all tickets); refuse one without the other."""
    if not (start or end):
        return None
    if not (start and end):
        raise DataError("give both --from and --to, or neither")
    return start, end


def _output_rows(path: str, rows: list[dict[str, object]]) -> None:
    target = Path(path)
    if target.suffix.lower() == ".json":
        target.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    elif target.suffix.lower() == ".csv":
        _write_csv(target, rows)
    else:
        raise DataError(f"output {path!r}: unknown extension {target.suffix!r}; use .csv or .json")


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfmgmt.demo import DEMO_STEPS, run_demo  # noqa: PLC0415

    result = run_demo(
        Path(args.out),
        lang=args.lang,
        seed=args.seed,
        managers=args.managers,
        agents=args.agents,
        tickets=args.tickets,
        enforce_distribution=args.enforce_distribution,
        progress=_Progress(err, quiet=args.quiet, steps=DEMO_STEPS).step,
    )
    out.write(result.summary(args.lang) + "\n")
    return 0


# -- the parser -------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfmgmt",
        description="Performance management schemes: score, explain and run the founding "
        "document's customer-service scheme on data.",
    )
    parser.add_argument("--version", action="version", version=f"perfmgmt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="run the whole job on a generated service organisation",
        description="Generate a customer-service organisation (managers, agents, tickets, "
        "surveys, trainings, projects), compute the indicators, score every manager under the "
        "customer-service preset for two quarters, calibrate, apply the incentive rules, "
        "take every review of the last quarter through the workflow (goals, mid-term check, "
        "evaluation, calibration, interview, development plan), and write a report per "
        "manager (Markdown and HTML), a team report and a summary table.",
    )
    demo.add_argument(
        "--out", default="perfmgmt-demo", help="output directory (default: %(default)s)"
    )
    demo.add_argument("--lang", choices=_LANGS, default="en", help="report language")
    demo.add_argument("--seed", type=int, default=2025, help="random seed (default: %(default)s)")
    demo.add_argument("--managers", type=int, default=40, help="managers (default: %(default)s)")
    demo.add_argument("--agents", type=int, default=600, help="agents (default: %(default)s)")
    demo.add_argument(
        "--tickets", type=int, default=200_000, help="first contacts (default: %(default)s)"
    )
    demo.add_argument(
        "--enforce-distribution",
        action="store_true",
        help="let calibration apply the guided rating distribution (default: report it only)",
    )
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    demo.set_defaults(handler=_cmd_demo)

    score = sub.add_parser(
        "score",
        help="score a CSV of actuals under a scheme saved as JSON",
        description="Score every row of DATA.csv under SCHEME.json. DATA.csv has subject_id, "
        "one column per KPI key, optional '<kpi>:n' sample sizes and optional "
        "'<criterion>:<source>' mean ratings (with '<criterion>:<source>:raters').",
    )
    score.add_argument("scheme", metavar="SCHEME.json")
    score.add_argument("data", metavar="DATA.csv")
    score.add_argument("-o", "--output", metavar="OUT.csv|OUT.json", help="write the scores here")
    score.set_defaults(handler=_cmd_score)

    explain = sub.add_parser(
        "explain",
        help="explain one subject's score and decisions",
        description="Score DATA.csv under SCHEME.json and print the full trace of one subject: "
        "every KPI's formula and inputs, the blend and rating, and which rules fired and why.",
    )
    explain.add_argument("scheme", metavar="SCHEME.json")
    explain.add_argument("data", metavar="DATA.csv")
    explain.add_argument("subject", metavar="SUBJECT_ID")
    explain.add_argument("--lang", choices=_LANGS, default="en", help="language of the text")
    explain.set_defaults(handler=_cmd_explain)

    met = sub.add_parser(
        "metrics",
        help="compute contact-centre indicators from a tickets CSV",
        description="Compute CSAT, first response time, first-contact resolution, handle time, "
        "service level, abandonment and cost per contact per group from TICKETS.csv (columns "
        "as perfmgmt.metrics.Tickets). Bad rows are dropped and reported unless --strict.",
    )
    met.add_argument("tickets", metavar="TICKETS.csv")
    met.add_argument("--by", choices=("manager", "team", "agent"), default="manager")
    met.add_argument("--from", dest="start", metavar="DATE", help="first day (ISO 8601)")
    met.add_argument("--to", dest="end", metavar="DATE", help="day after the last (ISO 8601)")
    met.add_argument("--strict", action="store_true", help="stop at the first bad row")
    met.add_argument("-o", "--output", metavar="OUT.csv|OUT.json", help="write the table here")
    met.set_defaults(handler=_cmd_metrics)

    lint = sub.add_parser(
        "lint", help="check a scheme before launch (exit 1 on errors)", description=LINT_DESCRIPTION
    )
    configure_lint_parser(lint).set_defaults(handler=functools.partial(run_lint, load=_load_scheme))
    return parser


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the ``perfmgmt`` command and return its exit status.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when None.
        stdout: Where results go (``sys.stdout`` when None).
        stderr: Where progress and errors go (``sys.stderr`` when None).

    Returns:
        0 on success, 1 on a user mistake (reported on stderr without a traceback), 2 on a
        usage error.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        # argparse prints help and usage errors itself: send them to our streams.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.handler
        return handler(args, out, err)
    except (PerfmgmtError, OSError) as exc:
        message = str(exc) if not isinstance(exc, OSError) else _os_message(exc)
        err.write(f"perfmgmt {args.command}: error: {message}\n")
        return 1


def _os_message(exc: OSError) -> str:
    if exc.filename is not None and exc.strerror:
        return f"{exc.strerror}: {exc.filename}"
    return str(exc)
