"""The ``perfmgmt lint`` command: its arguments, description and exit status."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TextIO

from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._runner import lint
from perfmgmt.errors import PerfmgmtError
from perfmgmt.model.scheme import Scheme


def configure_lint_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``perfmgmt lint`` arguments to ``parser`` (e.g. a subcommand's) and return it."""
    p = parser
    p.add_argument("scheme", metavar="SCHEME.json", help="a scheme saved with serialization.dumps")
    p.add_argument("--min-weight", type=float, default=0.05, help="least KPI weight (0.05)")
    p.add_argument("--max-weight", type=float, default=0.5, help="most KPI weight (0.5)")
    p.add_argument(
        "--min-quantitative-share", type=float, default=0.5, help="least measured share (0.5)"
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="KPI=TAG[,TAG]",
        help="tag a KPI explicitly: speed, quality, cost, satisfaction (repeatable)",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=200,
        help="reviews generated for the checks that score (200; 0 turns them off)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the generated reviews (0)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return p


LINT_DESCRIPTION = (  # the command's description, shared with the perfmgmt CLI
    "Check a scheme (JSON written by perfmgmt.serialization.dumps) before launch. "
    "Exit status: 0 no error findings, 1 error findings, 2 the file could not be read."
)


def run_lint(
    args: argparse.Namespace,
    stdout: TextIO,
    stderr: TextIO,
    *,
    load: Callable[[str], Scheme],
) -> int:
    """Run lint for arguments parsed by :func:`configure_lint_parser`; return the exit status.

    Args:
        args: The parsed arguments.
        stdout: Where the report goes.
        stderr: Where problems reading the scheme go.
        load: Reads the scheme from a path (the command line passes its JSON loader; analytics
            does not import the serialization layer).

    Returns:
        0 when there is no error finding, 1 when there is, 2 when the scheme cannot be read.
    """
    out, err = stdout, stderr
    tags: dict[str, set[str]] = {}
    for item in args.tag:
        kpi, sep, names = item.partition("=")
        if not sep or not kpi:
            err.write(f"perfmgmt lint: --tag {item!r}: expected KPI=TAG[,TAG]\n")
            return 2
        tags.setdefault(kpi, set()).update(n.strip() for n in names.split(",") if n.strip())
    try:
        config = LintConfig(
            min_weight=args.min_weight,
            max_weight=args.max_weight,
            min_quantitative_share=args.min_quantitative_share,
            tags=tags,
            samples=args.samples,
            seed=args.seed,
        )
        scheme = load(args.scheme)
    except (OSError, PerfmgmtError) as exc:
        err.write(f"perfmgmt lint: {args.scheme}: {exc}\n")
        return 2
    report = lint(scheme, config=config)
    if args.format == "json":
        payload = {
            "scheme": report.scheme_key,
            "scheme_hash": report.scheme_hash,
            "findings": report.to_records(),
        }
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.text(getattr(args, "lang", "en")) + "\n")
    return 1 if report.has_errors else 0
