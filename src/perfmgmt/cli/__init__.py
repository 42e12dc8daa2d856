r"""The ``perfmgmt`` command: demo, score, decide, explain, metrics, lint, review-scheme, schema.

Built on :mod:`argparse` from the standard library, so the command needs no dependency beyond
the library's own.  Every subcommand has ``--help``, ``--lang en|zh`` and ``--format
table|csv|json|md``; a file argument of ``-`` reads standard input, ``-o -`` writes standard
output, so commands compose in a pipe::

    perfmgmt metrics tickets.csv --scheme scheme.json --format csv \\
        | perfmgmt decide scheme.json - --format json

Exit status, the same for every subcommand:
    0  done.
    1  the data is invalid (a bad value, an unknown column, a scheme that does not validate, a
       file that does not decode); ``lint``: the scheme has error findings.
    2  usage: a bad option or argument, or an input file that cannot be opened.

Errors are one line on stderr, never a traceback.  Progress of long commands goes to stderr,
and only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from perfmgmt import __version__
from perfmgmt._words import word
from perfmgmt.analytics.lint import LINT_DESCRIPTION, configure_lint_parser
from perfmgmt.cli import _commands as cmd
from perfmgmt.cli._input import Inputs, read_actuals
from perfmgmt.cli._output import FORMATS, InvalidDataError, UsageError, markdown_table
from perfmgmt.errors import PerfmgmtError

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "main", "read_actuals"]

EXIT_OK = 0
"""Exit status: done."""
EXIT_DATA = 1
"""Exit status: the data is invalid (or ``lint`` found errors)."""
EXIT_USAGE = 2
"""Exit status: a bad option or argument, or an input file that cannot be opened."""

_LANGS = ("en", "zh")
_markdown_table = markdown_table  # kept for the tests of the table escaping


# -- the parser -------------------------------------------------------------------------------


def _common(
    p: argparse.ArgumentParser, *, output: bool = True, formats: Sequence[str] = FORMATS
) -> None:
    """Add the options every subcommand shares."""
    p.add_argument("--lang", choices=_LANGS, default="en", help="language of the output")
    p.add_argument(
        "--format",
        choices=formats,
        default=None,
        help="output format (default: from the -o extension, else table)",
    )
    if output:
        p.add_argument(
            "-o", "--output", metavar="FILE", help="write here instead of stdout ('-' = stdout)"
        )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")


def _data_command(sub: Any, name: str, help_: str, description: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=description)
    p.add_argument("scheme", metavar="SCHEME.json", help="a scheme saved as JSON ('-' = stdin)")
    p.add_argument("data", metavar="DATA.csv", help="a CSV of actuals ('-' = stdin)")
    return p


def _encoding(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--encoding",
        default="utf-8",
        help="encoding of input files, e.g. gb18030 or utf-16 (default: utf-8, BOM or not)",
    )


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, pointing at ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="perfmgmt",
        description="Performance management schemes: score, decide, explain and run the founding "
        "document's customer-service scheme on data. Exit status: 0 done, 1 invalid data, "
        "2 usage (a bad option, or a file that cannot be opened).",
    )
    parser.add_argument("--version", action="version", version=f"perfmgmt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="run the whole job on a generated service organisation",
        description="Generate a customer-service organisation (managers, agents, tickets, "
        "surveys, trainings, projects), compute the indicators, score every manager under the "
        "customer-service preset for two years of quarters, calibrate, apply the incentive rules, "
        "take every review of the last quarter through the workflow (goals, mid-term check, "
        "evaluation, calibration, interview, development plan), and write a report per "
        "manager (Markdown and HTML), a team report and a summary table.",
    )
    demo.add_argument(
        "--out", default="perfmgmt-demo", help="output directory (default: %(default)s)"
    )
    demo.add_argument("--seed", type=int, default=2025, help="random seed (default: %(default)s)")
    demo.add_argument(
        "--managers", type=_count(1_000), default=40, help="managers (default: %(default)s)"
    )
    demo.add_argument(
        "--agents", type=_count(100_000), default=600, help="agents (default: %(default)s)"
    )
    demo.add_argument(
        "--tickets",
        type=_count(10_000_000),
        default=200_000,
        help="first contacts (default: %(default)s)",
    )
    demo.add_argument(
        "--enforce-distribution",
        action="store_true",
        help="let calibration apply the guided rating distribution (default: report it only)",
    )
    _common(demo, output=False)
    demo.set_defaults(handler=cmd.cmd_demo)

    score = _data_command(
        sub,
        "score",
        "score a CSV of actuals under a scheme saved as JSON",
        "Score every row of DATA.csv under SCHEME.json. DATA.csv has subject_id, one column "
        "per KPI key, optional '<kpi>:n' sample sizes and optional '<criterion>:<source>' mean "
        "ratings (with '<criterion>:<source>:raters').",
    )
    _encoding(score)
    _common(score)
    score.set_defaults(handler=cmd.cmd_score)

    decide = _data_command(
        sub,
        "decide",
        "score a CSV of actuals and apply the scheme's incentive rules",
        "Score DATA.csv under SCHEME.json and apply the scheme's rules and decision tables: "
        "which rules fired, the bonus and deduction of every subject.",
    )
    _encoding(decide)
    _common(decide)
    decide.set_defaults(handler=cmd.cmd_decide)

    explain = _data_command(
        sub,
        "explain",
        "explain one subject's score and decisions",
        "Score DATA.csv under SCHEME.json and print the full trace of one subject: every KPI's "
        "formula and inputs, the blend and rating, and which rules fired and why.",
    )
    explain.add_argument("subject", metavar="SUBJECT_ID")
    _encoding(explain)
    _common(explain)
    explain.set_defaults(handler=cmd.cmd_explain)

    met = sub.add_parser(
        "metrics",
        help="compute contact-centre indicators from a tickets CSV",
        description="Compute CSAT, first response time, first-contact resolution, handle time, "
        "service level, abandonment and cost per contact per group from TICKETS.csv (columns "
        "as perfmgmt.metrics.Tickets; the delimiter is detected). Bad rows are dropped and "
        "reported unless --strict. With --scheme, write the scheme's KPI actuals instead, in "
        "the KPIs' units, as 'perfmgmt score' and 'decide' read them.",
    )
    met.add_argument("tickets", metavar="TICKETS.csv", help="a tickets export ('-' = stdin)")
    met.add_argument("--by", choices=("manager", "team", "agent"), default="manager")
    met.add_argument("--from", dest="start", type=cmd.iso_date, metavar="DATE", help="first day")
    met.add_argument(
        "--to", dest="end", type=cmd.iso_date, metavar="DATE", help="day after the last"
    )
    met.add_argument("--strict", action="store_true", help="stop at the first bad row")
    met.add_argument("--delimiter", default=None, help="field separator (default: detected)")
    met.add_argument("--scheme", metavar="SCHEME.json", help="write this scheme's KPI actuals")
    met.add_argument(
        "--kpi",
        action="append",
        default=[],
        metavar="KPI=METRIC",
        help="which metric feeds a KPI (default: by name, e.g. csat, fcr, response_time)",
    )
    _encoding(met)
    _common(met)
    met.set_defaults(handler=cmd.cmd_metrics)

    lint = sub.add_parser(
        "lint",
        help="check a scheme before launch (exit 1 on errors)",
        description=LINT_DESCRIPTION.partition(" Exit status:")[0]
        + " Exit status: 0 no error findings, 1 error findings or a scheme that does not load, "
        "2 usage (a bad option or --tag, or a file that cannot be opened).",
        conflict_handler="resolve",
    )
    configure_lint_parser(lint)
    _common(lint, output=False, formats=(*FORMATS, "text"))
    lint.set_defaults(handler=cmd.cmd_lint, encoding="utf-8")

    _review_scheme_parser(sub)

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of a stored document type",
        description="Print the JSON Schema (draft 2020-12) of TYPE, a document class of the "
        "library such as Scheme, Review or Decisions.",
    )
    schema.add_argument("type", metavar="TYPE")
    _common(schema, formats=("json",))
    schema.set_defaults(handler=cmd.cmd_schema, encoding="utf-8")
    return parser


def _review_scheme_parser(sub: Any) -> None:
    """Add ``review-scheme``: the periodic review of the scheme from a demo run."""
    review = sub.add_parser(
        "review-scheme",
        help="write the periodic review of the scheme from a demo run",
        description="Review the scheme over the cycles of a 'perfmgmt demo' run (RUN_DIR, "
        "with its demo.json and data/opinions.csv): KPI, rating and cost trends, whether "
        "the ratings predict the next cycle, adverse impact by department, gender, age band "
        "and location, rater diagnostics, the 9-box, merit increases and the survey of "
        "managers, staff and HR. Writes Markdown or standalone HTML.",
    )
    review.add_argument("run_dir", metavar="RUN_DIR", help="output directory of 'perfmgmt demo'")
    review.add_argument("--lang", choices=_LANGS, default="en", help="language of the report")
    review.add_argument(
        "--format",
        choices=("md", "html"),
        default=None,
        help="output format (default: from the -o extension, else md)",
    )
    review.add_argument(
        "-o", "--output", metavar="FILE", help="write here instead of stdout ('-' = stdout)"
    )
    review.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    review.set_defaults(handler=cmd.cmd_review_scheme)


def _count(maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected 1 to {maximum:,}, got {text[:30]}")
        return value

    return parse


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the ``perfmgmt`` command and return its exit status.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when None.
        stdout: Where results go (``sys.stdout`` when None).
        stderr: Where progress and errors go (``sys.stderr`` when None).
        stdin: What ``-`` reads (``sys.stdin`` when None).

    Returns:
        :data:`EXIT_OK` (0) when done, :data:`EXIT_DATA` (1) on invalid data, and
        :data:`EXIT_USAGE` (2) on a bad option or argument or an input file that cannot be
        opened; problems are reported on stderr in one line, without a traceback.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        # argparse prints help and usage errors itself: send them to our streams.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    error = word("cli.error", "zh" if getattr(args, "lang", "en") == "zh" else "en")
    try:
        inputs = Inputs(stdin or sys.stdin, _checked_options(args))
        handler: Callable[[argparse.Namespace, Inputs, TextIO, TextIO], int] = args.handler
        return handler(args, inputs, out, err)
    except UsageError as exc:
        err.write(f"perfmgmt {args.command}: {error}: {exc}\n")
        return EXIT_USAGE
    except (PerfmgmtError, InvalidDataError) as exc:
        err.write(f"perfmgmt {args.command}: {error}: {_one_line(str(exc))}\n")
        return EXIT_DATA
    except OSError as exc:  # writing an output file
        where = f": {exc.filename}" if exc.filename is not None else ""
        err.write(f"perfmgmt {args.command}: {error}: {exc.strerror or exc}{where}\n")
        return EXIT_USAGE


def _checked_options(args: argparse.Namespace) -> str:
    """Return the input encoding after checking the options argparse cannot check alone."""
    encoding = str(getattr(args, "encoding", "utf-8"))
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UsageError(
            f"--encoding {encoding!r} is not a known encoding; e.g. utf-8, gb18030, utf-16"
        ) from None
    stdin = [a for a in ("scheme", "data", "tickets") if getattr(args, a, None) == "-"]
    if len(stdin) > 1:
        raise UsageError(f"only one input can be '-' (standard input); got {' and '.join(stdin)}")
    delimiter = getattr(args, "delimiter", None)
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise UsageError(f"--delimiter {delimiter!r}: expected one character, e.g. ';'")
    return encoding


def _one_line(text: str) -> str:
    return " ".join(text.split()) if "\n" in text else text
