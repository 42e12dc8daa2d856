r"""Parse FEEL-like unary tests: the text of one decision-table input cell.

Cells stay text in the data (that is what an HR admin types and what HRIS stores); this module
turns a cell into a small, closed description — numeric intervals, text or boolean options, or
"anything" — that the evaluator in :mod:`perfmgmt.rules.tables` matches against columns.  Nothing
here evaluates anything.

Grammar (whitespace is free)::

    cell     := "-" | "not" "(" list ")" | list
    list     := item ("," item)*
    item     := compare | interval | literal
    compare  := ("<" | "<=" | ">" | ">=" | "=") literal
    interval := ("[" | "(" | "]") number ".." number ("]" | ")" | "[")
    literal  := number | string | "true" | "false"

Strings are double-quoted with ``\\"`` and ``\\\\`` as the only escapes.  A cell holds options
of one kind: numbers (comparisons and intervals), text or booleans.
"""

from __future__ import annotations

import enum
import math
import re

import attrs

from perfmgmt.errors import RuleError

__all__ = ["MAX_CELL_LENGTH", "CellKind", "Interval", "UnaryTest", "parse_unary_test"]

MAX_CELL_LENGTH = 500

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<number>-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d{1,3})?)
    |(?P<string>"(?:[^"\\]|\\["\\])*")
    |(?P<dotdot>\.\.)
    |(?P<op><=|>=|<|>|=)
    |(?P<punct>[\[\]\(\),-])
    |(?P<word>[A-Za-z_]+)
    """,
    re.VERBOSE,
)


class CellKind(enum.Enum):
    """What a unary test compares against."""

    ANY = "any"
    NUMBER = "number"
    TEXT = "text"
    BOOL = "bool"


@attrs.frozen(kw_only=True)
class Interval:
    """A numeric interval; infinite ends are open.

    Attributes:
        low: Lower end (``-inf`` for none).
        high: Upper end (``inf`` for none).
        low_closed: Whether ``low`` itself is included.
        high_closed: Whether ``high`` itself is included.
    """

    low: float
    high: float
    low_closed: bool
    high_closed: bool

    def is_empty(self) -> bool:
        """Return True when no number lies in the interval."""
        if self.low > self.high:
            return True
        if self.low == self.high:
            return not (self.low_closed and self.high_closed)
        return False


@attrs.frozen(kw_only=True)
class UnaryTest:
    """One parsed decision-table cell.

    Attributes:
        text: The cell text as written.
        kind: Which kind of value the cell tests.
        negated: True for ``not(...)``: the cell matches known values outside the options.
        intervals: Numeric options (for ``NUMBER`` cells).
        texts: Text options (for ``TEXT`` cells).
        bools: Boolean options (for ``BOOL`` cells).
    """

    text: str
    kind: CellKind
    negated: bool = False
    intervals: tuple[Interval, ...] = ()
    texts: tuple[str, ...] = ()
    bools: tuple[bool, ...] = ()


def _point(kind: CellKind, value: float | str | bool) -> tuple[CellKind, Interval | str | bool]:
    """Return a literal as a test: a number as the one-point interval, text and bools as is."""
    if kind is CellKind.NUMBER:
        assert isinstance(value, float)
        return kind, Interval(low=value, high=value, low_closed=True, high_closed=True)
    assert isinstance(value, str | bool)
    return kind, value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise self.fail(f"unexpected character {text[pos]!r}", pos)
            assert m.lastgroup is not None
            if m.lastgroup != "ws":
                self.tokens.append((m.lastgroup, m.group(), pos))
            pos = m.end()
        self.i = 0

    def fail(self, why: str, pos: int | None = None) -> RuleError:
        where = len(self.text) if pos is None else pos
        return RuleError(
            f"decision table cell {self.text!r}: {why} at column {where + 1}; expected a unary "
            "test such as '>= 90', '[80..90)', '\"A\",\"B\"', 'not(\"E\")' or '-'"
        )

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise self.fail("unexpected end of cell")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        _kind, text, pos = self.take()
        if text != value:
            raise self.fail(f"expected {value!r}, found {text!r}", pos)

    def number(self) -> float:
        kind, text, pos = self.take()
        if kind != "number":
            raise self.fail(f"expected a number, found {text!r}", pos)
        value = float(text)
        if not math.isfinite(value):
            raise self.fail(f"number {text!r} is out of range", pos)
        return value

    def literal(self) -> tuple[CellKind, float | str | bool]:
        kind, text, pos = self.take()
        if kind == "number":
            self.i -= 1
            return CellKind.NUMBER, self.number()
        if kind == "string":
            return CellKind.TEXT, text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if kind == "word" and text in ("true", "false"):
            return CellKind.BOOL, text == "true"
        raise self.fail(f"expected a number, a quoted string, true or false, found {text!r}", pos)

    def item(self) -> tuple[CellKind, Interval | str | bool]:
        tok = self.peek()
        if tok is None:
            raise self.fail("expected a test")
        kind, text, pos = tok
        if kind == "op":
            self.take()
            return self.comparison(text, pos)
        if kind == "punct" and text in "[(]":
            self.take()
            return self.interval(text, pos)
        return _point(*self.literal())

    def comparison(self, op: str, pos: int) -> tuple[CellKind, Interval | str | bool]:
        """Parse the literal after ``op`` (taken, at ``pos``): ``= x`` or a one-sided range."""
        lit_kind, value = self.literal()
        if op == "=":
            return _point(lit_kind, value)
        if lit_kind is not CellKind.NUMBER:
            raise self.fail(f"{op!r} compares numbers only", pos)
        assert isinstance(value, float)
        inf = math.inf
        bounds = {
            "<": Interval(low=-inf, high=value, low_closed=False, high_closed=False),
            "<=": Interval(low=-inf, high=value, low_closed=False, high_closed=True),
            ">": Interval(low=value, high=inf, low_closed=False, high_closed=False),
            ">=": Interval(low=value, high=inf, low_closed=True, high_closed=False),
        }
        return CellKind.NUMBER, bounds[op]

    def interval(self, opening: str, pos: int) -> tuple[CellKind, Interval]:
        """Parse ``low..high`` and the closing bracket after ``opening`` (taken, at ``pos``)."""
        low = self.number()
        dd = self.take()
        if dd[0] != "dotdot":
            raise self.fail(f"expected '..' in an interval, found {dd[1]!r}", dd[2])
        high = self.number()
        end = self.take()
        if end[1] not in ")][":
            raise self.fail(f"expected ']' or ')' to close the interval, found {end[1]!r}", end[2])
        if low > high:
            raise self.fail(f"interval low end {low:g} is above its high end {high:g}", pos)
        return CellKind.NUMBER, Interval(
            low=low, high=high, low_closed=opening == "[", high_closed=end[1] == "]"
        )

    def cell(self) -> UnaryTest:
        if len(self.tokens) == 1 and self.tokens[0][1] == "-":
            return UnaryTest(text=self.text, kind=CellKind.ANY)
        if not self.tokens:
            raise self.fail("the cell is empty (write '-' for 'any value')", 0)
        negated = False
        first = self.tokens[0]
        if first[0] == "word" and first[1] == "not":
            self.take()
            self.expect("(")
            negated = True
        items = [self.item()]
        while (tok := self.peek()) is not None and tok[1] == ",":
            self.take()
            items.append(self.item())
        if negated:
            self.expect(")")
        if (tok := self.peek()) is not None:
            raise self.fail(f"unexpected {tok[1]!r}", tok[2])
        kinds = {k for k, _ in items}
        if len(kinds) > 1:
            names = ", ".join(sorted(k.value for k in kinds))
            raise self.fail(f"options mix kinds ({names}); use one kind per cell")
        kind = kinds.pop()
        values = [v for _, v in items]
        return UnaryTest(
            text=self.text,
            kind=kind,
            negated=negated,
            intervals=tuple(v for v in values if isinstance(v, Interval)),
            texts=tuple(v for v in values if isinstance(v, str)),
            bools=tuple(v for v in values if isinstance(v, bool)),
        )


def parse_unary_test(text: str) -> UnaryTest:
    """Parse one decision-table cell.

    Args:
        text: The cell, e.g. ``">= 90"``, ``"[80..90)"``, ``'"A","B"'`` or ``"-"``.

    Returns:
        The parsed test.

    Raises:
        RuleError: The text is not a unary test; the message points at the column.
    """
    if not isinstance(text, str):
        raise RuleError(
            f"decision table cell: {text!r} is not allowed; expected text such as '>= 90'"
        )
    if len(text) > MAX_CELL_LENGTH:
        raise RuleError(
            f"decision table cell: {len(text)} characters is too long; at most {MAX_CELL_LENGTH}"
        )
    return _Parser(text).cell()
