"""The hostile-input harness: run each case within a time budget and classify its outcome.

Every case is one hostile input and the call that takes it. Its outcome is one of:

- **clean error**: a :class:`~perfmgmt.errors.PerfmgmtError` whose message names the field or
  path the case changed;
- **valid**: the input was accepted, and the case's check of the result passed (it
  round-trips through ``dumps``/``loads`` unchanged, it scores, it renders inert text);
- **failure**: anything else: a raw Python exception, an error that does not say where, a
  result that fails its check, or more than :data:`BUDGET_SECONDS` of work.

A failure is put down to the *area* of the innermost library frame of its traceback, so the
figure says which part of the library has to change.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import json
import math
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from perfmgmt.errors import PerfmgmtError

BUDGET_SECONDS = 2.0
"""The most one case may take, measured with ``time.perf_counter``."""

CLEAN, VALID, FAILURE = "clean error", "valid", "failure"

#: Areas whose fixes are under way elsewhere; their failures stay visible in their own tests.
#: The demo is reached only through the CLI, whose options bound its sizes.
OTHER_AREAS = ("serialization", "strategies", "cli", "metrics", "demo")

_SRC = Path(__file__).resolve().parents[2] / "src" / "perfmgmt"


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile input.

    Attributes:
        category: The family it belongs to, e.g. ``"document/scheme"``.
        name: What was done to the input, e.g. ``"kpis[0].weight <- 1e308"``.
        run: Takes the input; returns what the library made of it.
        check: Raises ``AssertionError`` when an accepted result is wrong.
        names: A clean error must name at least one of these (empty: any message will do).
        check_area: The area a failed check is put down to (the one computing the result);
            by default the area of the innermost library frame, or ``"tests"``.
    """

    category: str
    name: str
    run: Callable[[], Any] = dataclasses.field(repr=False)
    check: Callable[[Any], None] = dataclasses.field(default=lambda _result: None, repr=False)
    names: tuple[str, ...] = ()
    check_area: str = ""


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of one case."""

    case: Case = dataclasses.field(repr=False)
    kind: str
    seconds: float
    detail: str = ""
    area: str = ""


def _area(exc: BaseException) -> str:
    """Return the library area of the innermost perfmgmt frame that ``exc`` passed through."""
    area = "tests"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if _SRC in path.parents:
            rel = path.relative_to(_SRC)
            area = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem
    return area


def _names_where(message: str, names: Sequence[str]) -> bool:
    return not names or any(n in message for n in names)


def run_case(case: Case) -> Outcome:
    """Run ``case`` once and classify it."""
    start = time.perf_counter()
    kind, detail, area = VALID, "", ""
    try:
        result = case.run()
    except PerfmgmtError as exc:
        message = str(exc)
        if _names_where(message, case.names):
            kind = CLEAN
        else:
            kind, area = FAILURE, _area(exc)
            detail = f"error does not name {list(case.names)}: {message[:200]}"
    except AssertionError as exc:  # the case's own run found the result wrong
        kind, area = FAILURE, case.check_area or _area(exc)
        detail = f"{str(exc)[:200]}"
    except Exception as exc:
        kind, area = FAILURE, _area(exc)
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
    else:
        try:
            case.check(result)
        except PerfmgmtError:
            # Accepted as a document, then refused at use with a clean error (a review naming
            # a KPI the scheme does not have, a rule on a field the scheme lacks).
            kind = CLEAN
        except AssertionError as exc:
            kind, area = FAILURE, case.check_area or _area(exc)
            detail = f"accepted, then wrong: {str(exc)[:200]}"
        except Exception as exc:
            kind, area = FAILURE, _area(exc)
            detail = f"accepted, then {type(exc).__name__}: {str(exc)[:200]}"
    seconds = time.perf_counter() - start
    if seconds > BUDGET_SECONDS:
        kind, detail = FAILURE, f"over budget: {seconds:.2f} s > {BUDGET_SECONDS} s; {detail}"
        area = area or "budget"
    return Outcome(case=case, kind=kind, seconds=seconds, detail=detail, area=area)


def assert_no_infinity(obj: Any, where: str = "result") -> None:
    """Assert no float in ``obj`` (attrs objects and tuples, walked) is infinite.

    NaN is allowed: it is how a result says "not scored". An infinity is a wrong number.
    """
    if isinstance(obj, float):
        assert not math.isinf(obj), f"{where} is {obj}"
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            assert_no_infinity(item, f"{where}[{i}]")
    elif attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            assert_no_infinity(getattr(obj, f.name), f"{where}.{f.name}")


#: Every outcome of this session, by category, for the figure printed at the end.
FIGURE: dict[str, list[Outcome]] = {}


@functools.cache
def _run_category(category: str, factory: Callable[[], Iterable[Case]]) -> tuple[Outcome, ...]:
    cases = list(factory())
    if cases:
        run_case(cases[0])  # warm-up: imports, converters and caches are not the case's work
    outcomes = tuple(run_case(c) for c in cases)
    for o in outcomes:
        FIGURE.setdefault(o.case.category, []).append(o)
    return outcomes


def outcomes_of(category: str, factory: Callable[[], Iterable[Case]]) -> tuple[Outcome, ...]:
    """Run a category's cases once per session and return their outcomes."""
    return _run_category(category, factory)


def failures(outcomes: Iterable[Outcome], *, other: bool) -> list[Outcome]:
    """Return the failures in the other helpers' areas (``other``) or in the rest."""
    return [o for o in outcomes if o.kind == FAILURE and (o.area in OTHER_AREAS) == other]


def describe(found: Sequence[Outcome], limit: int = 25) -> str:
    """Return failures as lines: area, category, case and what went wrong."""
    by_area = collections.Counter(o.area for o in found)
    lines = [f"{len(found)} failure(s) by area: {dict(sorted(by_area.items()))}"]
    lines += [
        f"  [{o.area}] {o.case.category} :: {o.case.name!r}: {o.detail}" for o in found[:limit]
    ]
    return "\n".join(lines)


def figure_lines() -> list[str]:
    """Return the figure: per category, the count of each class; then the totals."""
    if not FIGURE:
        return []
    width = max(len(c) for c in FIGURE) + 2
    lines = [f"{'category':<{width}}{'cases':>7}{CLEAN:>13}{VALID:>8}{FAILURE:>9}{'slowest':>10}"]
    totals: collections.Counter[str] = collections.Counter()
    for category in sorted(FIGURE):
        found = FIGURE[category]
        count = collections.Counter(o.kind for o in found)
        totals.update(count)
        slowest = max(o.seconds for o in found)
        lines.append(
            f"{category:<{width}}{len(found):>7}{count[CLEAN]:>13}{count[VALID]:>8}"
            f"{count[FAILURE]:>9}{slowest:>9.3f}s"
        )
    n = sum(totals.values())
    lines.append(
        f"{'total':<{width}}{n:>7}{totals[CLEAN]:>13}{totals[VALID]:>8}{totals[FAILURE]:>9}"
    )
    found = [o for outs in FIGURE.values() for o in outs if o.kind == FAILURE]
    if found:
        areas = collections.Counter(o.area for o in found)
        lines.append(f"failures by area: {json.dumps(dict(sorted(areas.items())))}")
        seen: set[str] = set()
        for o in found:
            if o.area not in seen:
                seen.add(o.area)
                lines.append(f"  e.g. [{o.area}] {o.case.category} :: {o.case.name!r}: {o.detail}")
    return lines
