"""Assertion helpers for tests of code that embeds perfmgmt.

Use them in your own test suite to compare results with a readable report of what differs::

    from perfmgmt.testing import assert_scorecards_close

    assert_scorecards_close(engine.score(scheme, review), expected_card, rtol=1e-9)

On a mismatch they raise :class:`AssertionError` listing only the fields that differ, one per
line, by path (KPI lines are named by their KPI key)::

    score cards differ (2 fields; rtol=1e-09, atol=1e-09):
      total: 87.5 != 88.0 (expected)
      lines[csat].score: 101.2 != 100.0 (expected)
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from perfmgmt.scoring.card import ScoreCard

__all__ = ["assert_decisions_equal", "assert_scorecards_close", "diff"]

_MAX_LINES = 40


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def _is_real(value: object) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool | enum.Enum)


def _item_name(item: object, index: int) -> str:
    for attr in ("key", "source", "subject_id"):
        name = getattr(item, attr, None) if attrs.has(type(item)) else None
        if isinstance(name, str):
            return name
    return str(index)


def diff(
    actual: Any, expected: Any, *, rtol: float = 0.0, atol: float = 0.0, path: str = ""
) -> list[str]:
    """Return one line per difference between two results, by path; empty when equal.

    Attrs objects are compared field by field, sequences item by item (items with a ``key``,
    ``source`` or ``subject_id`` are named by it), floats within ``rtol``/``atol`` (NaN equals
    NaN), everything else with ``==``.

    Args:
        actual: The value produced.
        expected: The value wanted.
        rtol: Relative tolerance for floats.
        atol: Absolute tolerance for floats.
        path: Prefix for the reported paths.
    """
    here = path or "$"
    if _is_real(actual) and _is_real(expected):
        close = _close(float(actual), float(expected), rtol, atol)
        return [] if close else [f"{here}: {actual!r} != {expected!r} (expected)"]
    if type(actual) is not type(expected) and not (
        isinstance(actual, Decimal) and isinstance(expected, Decimal)
    ):
        return [
            f"{here}: {type(actual).__name__} {actual!r} != "
            f"{type(expected).__name__} {expected!r} (expected)"
        ]
    if attrs.has(type(actual)):
        return _diff_fields(actual, expected, rtol=rtol, atol=atol, path=path)
    if isinstance(actual, tuple | list):
        return _diff_items(actual, expected, rtol=rtol, atol=atol, path=path)
    if actual == expected:
        return []
    return [f"{here}: {actual!r} != {expected!r} (expected)"]


def _diff_fields(actual: Any, expected: Any, *, rtol: float, atol: float, path: str) -> list[str]:
    """Return the differences of two attrs objects of one class, field by field."""
    out: list[str] = []
    for field in attrs.fields(type(actual)):
        sub = f"{path}.{field.name}" if path else field.name
        out.extend(
            diff(
                getattr(actual, field.name),
                getattr(expected, field.name),
                rtol=rtol,
                atol=atol,
                path=sub,
            )
        )
    return out


def _diff_items(
    actual: Sequence[Any], expected: Sequence[Any], *, rtol: float, atol: float, path: str
) -> list[str]:
    """Return the differences of two sequences item by item (their names if the lengths differ)."""
    if len(actual) != len(expected):
        names = [_item_name(x, i) for i, x in enumerate(actual)]
        wanted = [_item_name(x, i) for i, x in enumerate(expected)]
        return [f"{path or '$'}: {len(actual)} items {names} != {len(expected)} items {wanted}"]
    out: list[str] = []
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        out.extend(diff(a, e, rtol=rtol, atol=atol, path=f"{path}[{_item_name(e, i)}]"))
    return out


def _fail(what: str, lines: list[str], note: str = "") -> None:
    shown = lines[:_MAX_LINES]
    more = len(lines) - len(shown)
    body = "\n".join(f"  {line}" for line in shown)
    tail = f"\n  ... and {more} more" if more else ""
    plural = "field" if len(lines) == 1 else "fields"
    raise AssertionError(f"{what} differ ({len(lines)} {plural}{note}):\n{body}{tail}")


def assert_scorecards_close(
    actual: ScoreCard | Sequence[ScoreCard],
    expected: ScoreCard | Sequence[ScoreCard],
    *,
    rtol: float = 1e-9,
    atol: float = 1e-9,
) -> None:
    """Assert that score cards agree: numbers within tolerance, everything else exactly.

    Args:
        actual: The card (or cards) produced.
        expected: The card (or cards) wanted, in the same order.
        rtol: Relative tolerance for every float (totals, scores, weights...).
        atol: Absolute tolerance for every float.

    Raises:
        AssertionError: Listing each differing field by path, e.g. ``lines[csat].score``.
        ValueError: When a tolerance is negative or not finite.
    """
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not (math.isfinite(tol) and tol >= 0):
            raise ValueError(
                f"assert_scorecards_close: {name}={tol!r} must be a finite number >= 0"
            )
    lines = diff(actual, expected, rtol=rtol, atol=atol)
    if lines:
        _fail("score cards", lines, f"; rtol={rtol:g}, atol={atol:g}")


def assert_decisions_equal(actual: Any, expected: Any, *, trace: bool = True) -> None:
    """Assert that rule decisions are equal: the same outcomes, amounts and (optionally) trace.

    Works on :class:`perfmgmt.rules.Decisions` objects or sequences of them (for example
    ``[batch.row(i) for i in range(len(batch))]``). Money amounts are Decimals and are compared
    exactly.

    Args:
        actual: The decisions produced.
        expected: The decisions wanted.
        trace: Also compare the per-rule trace (why each rule did or did not fire).

    Raises:
        AssertionError: Listing each differing field by path, e.g. ``decisions[bonus].amount``.
    """
    if not trace:
        actual = _without_trace(actual)
        expected = _without_trace(expected)
    lines = diff(actual, expected)
    if lines:
        _fail("decisions", lines)


def _without_trace(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_without_trace(v) for v in value]
    if attrs.has(type(value)) and any(f.name == "trace" for f in attrs.fields(type(value))):
        return attrs.evolve(value, trace=())
    return value
