"""The subcommands: each reads its inputs, computes, and writes in the chosen format."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from perfmgmt._words import word
from perfmgmt.analytics.lint import run_lint
from perfmgmt.cli._input import Inputs, read_actuals
from perfmgmt.cli._output import (
    InvalidDataError,
    Progress,
    UsageError,
    emit,
    format_of,
    render,
    render_md,
)
from perfmgmt.errors import DataError, PerfmgmtError
from perfmgmt.model import Scheme

EXIT_OK = 0
EXIT_USAGE = 2

_SCORE_COLUMNS = ("subject_id", "total", "rating", "quantitative", "qualitative")
_DECIDE_COLUMNS = ("subject_id", "rating", "fired", "bonus", "deduction", "currency")


def _scored(args: argparse.Namespace, io_: Inputs, progress: Progress) -> tuple[Any, ...]:
    from perfmgmt.scoring import ScoringEngine  # noqa: PLC0415

    progress.step(word("progress.reading_two", args.lang).format(a=args.scheme, b=args.data))
    scheme = io_.scheme(args.scheme)
    population = read_actuals(scheme, io.StringIO(io_.text(args.data)), lang=args.lang)
    progress.step(word("progress.scoring", args.lang).format(n=f"{len(population.subject_ids):,}"))
    batch = ScoringEngine().score_batch(scheme, population)
    return scheme, population, batch


def cmd_score(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    fmt = format_of(args)
    progress = Progress(err, quiet=args.quiet, steps=2)
    _, _, batch = _scored(args, io_, progress)
    text = render(batch.to_rows(), _SCORE_COLUMNS, fmt, args.lang)
    emit(args, text, out, err, f"scored {len(batch)} subjects ({int(batch.rated.sum())} rated)")
    return EXIT_OK


def cmd_decide(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    from perfmgmt.rules import RuleEvaluator  # noqa: PLC0415

    fmt = format_of(args)
    progress = Progress(err, quiet=args.quiet, steps=3)
    scheme, population, batch = _scored(args, io_, progress)
    progress.step(word("progress.rules", args.lang))
    decisions = RuleEvaluator().evaluate_batch(scheme, batch, population)
    ratings = batch.rating()
    rows = [
        {"subject_id": r["subject_id"], "rating": ratings[i]}
        | {k: v for k, v in r.items() if k != "subject_id"}
        for i, r in enumerate(decisions.to_records())
    ]
    text = render(rows, _DECIDE_COLUMNS, fmt, args.lang)
    emit(args, text, out, err, f"decided for {len(rows)} subjects")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    from perfmgmt.rules import RuleEvaluator  # noqa: PLC0415

    fmt = format_of(args)
    scheme, population, batch = _scored(args, io_, Progress(err, quiet=True, steps=0))
    if args.subject not in population.subject_ids:
        shown = list(population.subject_ids[:10])
        raise DataError(
            f"subject {args.subject!r} is not in {args.data}; subjects include {shown}",
            column="subject_id",
        )
    i = population.subject_ids.index(args.subject)
    explanation = batch.row(i).explain(args.lang).text
    decided = ""
    if scheme.rules or scheme.tables:
        decided = RuleEvaluator().evaluate_batch(scheme, batch, population).explain(i, args.lang)
    record = batch.to_rows()[i]
    if fmt in ("json", "csv"):
        row = {**record, "explanation": explanation, "decisions": decided}
        text = render([row], _SCORE_COLUMNS, fmt, args.lang)
        if fmt == "json":
            text = json.dumps(json.loads(text)[0], ensure_ascii=False, indent=2) + "\n"
    elif fmt == "md":
        body = _fenced(explanation) + (f"\n{_fenced(decided)}" if decided else "")
        text = f"{render_md([record], _SCORE_COLUMNS, args.lang)}\n\n{body}"
    else:
        text = explanation + "\n" + (f"\n{decided}\n" if decided else "")
    emit(args, text, out, err, f"explained {args.subject}")
    return EXIT_OK


def _fenced(text: str) -> str:
    """Return ``text`` as a Markdown code block no run of backticks inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}\n"


_METRIC_COLUMNS = ("group", "contacts", "csat", "first_response_min", "fcr", "aht_s",
                   "service_level", "abandonment", "cost_per_contact")  # fmt: skip

#: The metrics the command computes: table column, function name, and what it takes.
_METRICS: dict[str, tuple[str, Callable[[float], float]]] = {
    "csat": ("csat", lambda v: v),
    "first_response_min": ("first_response_time", lambda v: v / 60),
    "fcr": ("first_contact_resolution", lambda v: v),
    "aht_s": ("average_handle_time", lambda v: v),
    "service_level": ("service_level", lambda v: v),
    "abandonment": ("abandonment_rate", lambda v: v),
    "cost_per_contact": ("cost_per_contact", lambda v: v),
}

#: Metric function for a KPI key when ``--kpi`` does not say (the preset's keys and the names).
_KPI_METRIC = {
    "csat": "csat",
    "response_time": "first_response_time",
    "first_response_time": "first_response_time",
    "fcr": "first_contact_resolution",
    "first_contact_resolution": "first_contact_resolution",
    "aht": "average_handle_time",
    "average_handle_time": "average_handle_time",
    "service_level": "service_level",
    "abandonment": "abandonment_rate",
    "abandonment_rate": "abandonment_rate",
    "cost_per_contact": "cost_per_contact",
}


def cmd_metrics(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    from perfmgmt import metrics  # noqa: PLC0415

    fmt = format_of(args)
    period = _period(args.start, args.end)
    progress = Progress(err, quiet=args.quiet, steps=2)
    progress.step(word("progress.reading", args.lang).format(a=args.tickets))
    text = io_.text(args.tickets)
    tickets = metrics.Tickets.from_csv(
        io.StringIO(text), strict=args.strict, delimiter=args.delimiter
    )
    if tickets.dropped:
        err.write(f"perfmgmt metrics: {tickets.dropped.summary(args.lang)}\n")
        if len(tickets) == 0:
            raise DataError(
                f"{args.tickets}: every row was dropped as bad data, so there is nothing to "
                "compute; fix the rows listed above"
            )
    by = word(f"progress.by_{args.by}", args.lang)
    progress.step(word("progress.indicators", args.lang).format(n=f"{len(tickets):,}", by=by))
    if args.scheme:
        rows = _actuals_rows(args, io_, tickets, period, err)
        emit(args, render(rows, list(rows[0]) if rows else ["subject_id"], fmt, args.lang),
              out, err, f"wrote actuals of {len(rows)} subjects")  # fmt: skip
        return EXIT_OK
    rows = _metric_rows(tickets, args.by, period, err)
    columns = [
        c for c in _METRIC_COLUMNS if any(c in r for r in rows) or c in ("group", "contacts")
    ]
    rows = [{c: r.get(c) for c in columns} for r in rows]
    emit(args, render(rows, columns, fmt, args.lang), out, err, f"wrote {len(rows)} groups")
    return EXIT_OK


def _metric_rows(
    tickets: Any, by: str, period: tuple[dt.date, dt.date] | None, err: TextIO
) -> list[dict[str, object]]:
    from perfmgmt import metrics  # noqa: PLC0415

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
    for column, (name, convert) in _METRICS.items():
        try:
            result = getattr(metrics, name)(tickets, by=by, period=period)
        except DataError as exc:
            if exc.column is None or exc.column in tickets.columns:
                raise
            skipped.append(f"{column} (needs {exc.column!r})")
            continue
        for g, v in zip(result.groups.tolist(), result.value.tolist(), strict=True):
            table[str(g)][column] = None if math.isnan(v) else convert(v)
    if skipped:
        err.write("perfmgmt metrics: not computed: " + ", ".join(skipped) + "\n")
    return list(table.values())


def _actuals_rows(
    args: argparse.Namespace,
    io_: Inputs,
    tickets: Any,
    period: tuple[dt.date, dt.date] | None,
    err: TextIO,
) -> list[dict[str, object]]:
    """Return the KPI actuals per group, in the scheme's units, as ``score`` reads them."""
    from perfmgmt import metrics  # noqa: PLC0415

    scheme = io_.scheme(args.scheme)
    chosen: dict[str, str] = {}
    for item in args.kpi:
        key, sep, name = item.partition("=")
        if not sep or key not in scheme.kpi_keys or name not in set(_KPI_METRIC.values()):
            raise UsageError(
                f"--kpi {item!r}: expected KPI=METRIC with a KPI of the scheme "
                f"{list(scheme.kpi_keys)} and a ticket metric {sorted(set(_KPI_METRIC.values()))}"
            )
        chosen[key] = name
    explicit = set(chosen)
    for key in scheme.kpi_keys:
        if key not in chosen and key in _KPI_METRIC:
            chosen[key] = _KPI_METRIC[key]
    if not chosen:
        raise UsageError(
            f"--scheme: none of the KPIs {list(scheme.kpi_keys)} is a ticket metric by name; "
            "map them with --kpi KPI=METRIC"
        )
    results = {}
    skipped = []
    for key, name in chosen.items():
        try:
            results[key] = getattr(metrics, name)(tickets, by=args.by, period=period)
        except DataError as exc:
            # A KPI matched by name is skipped when the export lacks its column; one the
            # user mapped with --kpi must be computed.
            if key in explicit or exc.column is None or exc.column in tickets.columns:
                raise
            skipped.append(f"{key} (needs {exc.column!r})")
    if skipped:
        err.write("perfmgmt metrics: not computed: " + ", ".join(skipped) + "\n")
    ids = sorted({str(g) for r in results.values() for g in r.groups.tolist()})
    return metrics.actuals_from_metrics(scheme, results, ids).to_records()


def iso_date(text: str) -> dt.date:
    """Read a ``--from``/``--to`` date (argparse turns the error into a usage error)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-02-28"
        ) from None


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """Return the ``--from``/``--to`` period (None: all tickets); refuse one without the other."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise UsageError("give both --from and --to, or neither")
    if not start < end:
        raise UsageError(f"--from {start} must be before --to {end} (--to is the day after)")
    return start, end


def cmd_demo(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    from perfmgmt.demo import DEMO_STEPS, run_demo  # noqa: PLC0415

    del io_
    fmt = format_of(args)
    for name in ("managers", "agents", "tickets"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name} {getattr(args, name)}: expected at least 1")
    target = Path(args.out)
    existed = target.exists()
    try:
        result = run_demo(
            target,
            lang=args.lang,
            seed=args.seed,
            managers=args.managers,
            agents=args.agents,
            tickets=args.tickets,
            enforce_distribution=args.enforce_distribution,
            progress=Progress(err, quiet=args.quiet, steps=DEMO_STEPS).step,
        )
    except BaseException:
        if not existed and target.is_dir():
            shutil.rmtree(target, ignore_errors=True)  # a failed run leaves nothing behind
        raise
    if fmt in ("table", "md"):
        out.write(result.summary(args.lang) + "\n")
        return EXIT_OK
    row = {
        "out_dir": str(result.out_dir),
        "cycle": result.cycle,
        "subjects": result.subjects,
        "rated": result.rated,
        "bonus_total": str(result.bonus_total),
        "deduction_total": str(result.deduction_total),
        "currency": result.currency,
        "development_actions": result.development_actions,
        "calibrated": result.calibrated,
        "pending": result.pending,
        "seconds": round(result.seconds, 1),
    }
    text = render([row], list(row), fmt, args.lang)
    out.write(json.dumps(json.loads(text)[0], indent=2) + "\n" if fmt == "json" else text)
    return EXIT_OK


def cmd_lint(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    fmt = args.format or "table"

    def load(path: str) -> Scheme:
        try:
            scheme = io_.scheme(path)
        except PerfmgmtError as exc:  # an invalid scheme is invalid data here as everywhere
            raise InvalidDataError(str(exc)) from None
        for item in args.tag:
            kpi = item.partition("=")[0]
            if kpi and kpi not in scheme.kpi_keys:
                raise DataError(
                    f"--tag {item!r}: {kpi!r} is not a KPI of the scheme; its KPIs are "
                    f"{list(scheme.kpi_keys)}"
                )
        return scheme

    if fmt in ("table", "text"):
        args.format = "text"
        return run_lint(args, out, err, load=load)
    args.format = "json"
    buf = io.StringIO()
    status = run_lint(args, buf, err, load=load)
    if status == EXIT_USAGE or not buf.getvalue():
        return status
    if fmt == "json":
        out.write(buf.getvalue())
        return status
    findings = json.loads(buf.getvalue())["findings"]
    columns = list(findings[0]) if findings else ["severity", "code", "location", "message"]
    out.write(render(findings, columns, fmt, args.lang))
    return status


def cmd_schema(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    import perfmgmt  # noqa: PLC0415
    from perfmgmt import serialization  # noqa: PLC0415

    del io_
    make = getattr(serialization, "json_schema", None)
    if make is None:
        raise UsageError("this version of perfmgmt has no JSON Schema export")
    documents = sorted(
        n for n in perfmgmt.__all__ if isinstance(getattr(perfmgmt, n), type)
        and hasattr(getattr(perfmgmt, n), "__attrs_attrs__")
    )  # fmt: skip
    if args.type not in documents:
        raise UsageError(f"unknown TYPE {args.type!r}; choose one of {documents}")
    fmt = args.format or "json"
    if fmt != "json":
        raise UsageError(f"--format {fmt}: a JSON Schema is written as json only")
    schema = make(getattr(perfmgmt, args.type))
    emit(args, json.dumps(schema, ensure_ascii=False, indent=2) + "\n", out, err, "schema")
    return EXIT_OK


_RUN_PARAMS = {"seed": 0, "managers": 1, "agents": 1, "tickets": 1}


def _run_params(run_dir: Path, io_: Inputs) -> dict[str, Any]:
    """Read and check the demo run's ``demo.json``."""
    path = run_dir / "demo.json"
    if not path.is_file():
        raise UsageError(
            f"{run_dir}: no demo.json; expected the output directory of 'perfmgmt demo'"
        )
    try:
        params = json.loads(io_.text(str(path)))
    except json.JSONDecodeError as exc:
        raise InvalidDataError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(params, dict):
        raise InvalidDataError(f"{path}: expected an object of the run's parameters")
    for name, minimum in _RUN_PARAMS.items():
        value = params.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InvalidDataError(
                f"{path}: {name}={value!r} is not allowed; expected a whole number >= {minimum}"
            )
    if params["managers"] > 1_000 or params["agents"] > 100_000 or params["tickets"] > 10_000_000:
        raise InvalidDataError(
            f"{path}: managers, agents or tickets above the demo's limits (1,000, 100,000, "
            "10,000,000)"
        )
    if not isinstance(params.get("enforce_distribution", False), bool):
        raise InvalidDataError(f"{path}: enforce_distribution must be true or false")
    return params


def cmd_review_scheme(args: argparse.Namespace, io_: Inputs, out: TextIO, err: TextIO) -> int:
    from perfmgmt.demo import generate_organisation, read_opinions, scheme_review  # noqa: PLC0415
    from perfmgmt.report import to_html, to_markdown  # noqa: PLC0415

    fmt = args.format
    target = args.output
    if fmt is None:
        suffix = Path(target).suffix.lower() if target and target != "-" else ".md"
        if suffix not in (".md", ".html", ".htm"):
            raise UsageError(
                f"-o {target}: cannot tell the format from {suffix or 'no extension'!r}; use .md "
                "or .html, or give --format"
            )
        fmt = "html" if suffix in (".html", ".htm") else "md"
    progress = Progress(err, quiet=args.quiet, steps=3)
    run_dir = Path(args.run_dir)
    params = _run_params(run_dir, io_)
    progress.step(f"regenerating the organisation of {run_dir} (seed {params['seed']})")
    org = generate_organisation(
        seed=params["seed"],
        managers=params["managers"],
        agents=params["agents"],
        tickets=params["tickets"],
    )
    survey = run_dir / "data" / "opinions.csv"
    opinions = read_opinions(io_.text(str(survey))) if survey.is_file() else None
    progress.step("scoring every cycle and reviewing the scheme")
    report = scheme_review(
        org,
        opinions=opinions,
        lang=args.lang,
        enforce_distribution=bool(params.get("enforce_distribution", False)),
    )
    progress.step("writing the review")
    text = to_html(report) if fmt == "html" else to_markdown(report)
    emit(args, text, out, err, "scheme review")
    return EXIT_OK
