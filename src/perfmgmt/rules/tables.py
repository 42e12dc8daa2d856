"""Decision tables: vectorised row matching, DMN hit policies and static analysis.

A table is matched over a whole frame at once: every cell becomes a boolean column
(``true``/``known``, three-valued), a row matches where all its cells are known and true, and the
hit policy turns the ``(rows, subjects)`` match matrix into the rows that count per subject.  A
``UNIQUE`` or ``ANY`` violation is flagged for that subject and nothing is selected — it is never
guessed.

:func:`analyse_table` finds overlapping rows, rows shadowed under ``FIRST``/``PRIORITY``, gaps in
numeric inputs and rows that can never match, as :class:`Finding` objects.
"""

from __future__ import annotations

import difflib
import enum
import functools
import math
from collections.abc import Iterator, Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import BoolArray
from perfmgmt._unary import CellKind, Interval, UnaryTest, parse_unary_test
from perfmgmt.errors import RuleTypeError
from perfmgmt.model.incentive import CollectAggregation, DecisionTable, HitPolicy
from perfmgmt.rules.frame import TextCodes

__all__ = [
    "CompiledTable",
    "Finding",
    "FindingKind",
    "Selection",
    "analyse_table",
    "compile_table",
    "match_cell",
]

_INF = math.inf


@functools.lru_cache(maxsize=4096)
def _cell(text: str) -> UnaryTest:
    return parse_unary_test(text)


def _column_kind(values: np.ndarray | TextCodes) -> CellKind:
    if isinstance(values, TextCodes):
        return CellKind.TEXT
    if values.dtype == np.bool_:
        return CellKind.BOOL
    if values.dtype.kind == "f" or values.dtype.kind in "iu":
        return CellKind.NUMBER
    return CellKind.TEXT


def _interval_mask(iv: Interval, col: npt.NDArray[np.float64]) -> BoolArray:
    if iv.low == iv.high:
        if iv.low_closed and iv.high_closed:
            return np.equal(col, iv.low)
        return np.zeros(col.shape[0], dtype=np.bool_)  # e.g. [5..5): empty
    if iv.low == -_INF:
        return col <= iv.high if iv.high_closed else col < iv.high
    if iv.high == _INF:
        return col >= iv.low if iv.low_closed else col > iv.low
    low = col >= iv.low if iv.low_closed else col > iv.low
    low &= col <= iv.high if iv.high_closed else col < iv.high
    return low


def match_cell(test: UnaryTest, column: np.ndarray | TextCodes) -> tuple[BoolArray, BoolArray]:
    """Match one unary test against a column, in three-valued logic.

    Args:
        test: A parsed cell.
        column: float64 (NaN = unknown), :class:`~perfmgmt.rules.compile.TextCodes`,
            object/str (None = unknown; encoded on each call) or bool values.

    Returns:
        ``(true, known)`` boolean arrays; the cell matches where both hold.  ``-`` matches every
        value, unknown ones included.

    Raises:
        RuleTypeError: The cell tests another kind of value than the column holds.
    """
    true, known = _match(test, column, with_known=True)
    assert known is not None
    return true, known


def _match(
    test: UnaryTest, column: np.ndarray | TextCodes, *, with_known: bool
) -> tuple[BoolArray, BoolArray | None]:
    """:func:`match_cell`, with ``known`` computed only when asked (or a negation needs it)."""
    n = column.shape[0]
    if test.kind is CellKind.ANY:
        ones = np.ones(n, dtype=np.bool_)
        return ones, ones
    kind = _column_kind(column)
    if kind is not test.kind:
        raise RuleTypeError(
            f"cell {test.text!r} tests {test.kind.value} values but the input holds {kind.value}"
        )
    true, known = _MATCHERS[kind](test, column, with_known or test.negated)
    if test.negated:
        assert known is not None
        true = ~true
        true &= known
    return true, known


def _match_texts(
    test: UnaryTest, column: np.ndarray | TextCodes, need_known: bool
) -> tuple[BoolArray, BoolArray | None]:
    codes = column if isinstance(column, TextCodes) else TextCodes.from_values(column)
    known = codes.known if need_known else None
    return codes.isin(test.texts), known


def _match_numbers(
    test: UnaryTest, column: np.ndarray | TextCodes, need_known: bool
) -> tuple[BoolArray, BoolArray | None]:
    col = _values(test, column).astype(np.float64, copy=False)
    known = ~np.isnan(col) if need_known else None
    true = _interval_mask(test.intervals[0], col)
    for iv in test.intervals[1:]:
        true |= _interval_mask(iv, col)
    return true, known


def _match_bools(
    test: UnaryTest, column: np.ndarray | TextCodes, need_known: bool
) -> tuple[BoolArray, BoolArray | None]:
    values = _values(test, column)
    n = values.shape[0]
    known = np.ones(n, dtype=np.bool_) if need_known else None
    true = np.zeros(n, dtype=np.bool_)
    for flag in test.bools:
        true |= values == flag
    return true, known


def _values(test: UnaryTest, column: np.ndarray | TextCodes) -> np.ndarray:
    if isinstance(column, TextCodes):  # unreachable: a TextCodes column is TEXT
        raise RuleTypeError(f"cell {test.text!r}: the input holds text")
    return column


# One matcher per kind of column; a cell reaches the one for its own kind.
_MATCHERS = {
    CellKind.TEXT: _match_texts,
    CellKind.NUMBER: _match_numbers,
    CellKind.BOOL: _match_bools,
}


@attrs.frozen(kw_only=True, eq=False)
class Selection:
    """The rows that count per subject after the hit policy.

    Attributes:
        matched: bool ``(R, N)``: row r matched subject n.
        selected: bool ``(R, N)``: row r's outputs apply to subject n.
        violation: bool ``(N,)``: a UNIQUE/ANY violation; nothing is selected there.
        count: int64 ``(N,)``: number of matching rows.
    """

    matched: BoolArray
    selected: BoolArray
    violation: BoolArray
    count: npt.NDArray[np.int64]


@attrs.frozen(kw_only=True, eq=False)
class CompiledTable:
    """A decision table ready to run over frames.

    Attributes:
        table: The source table.
        fields: The input fields, in column order.
        tests: Parsed cells, ``tests[r][c]``.
        output_class: For each row, an id equal for rows whose outputs are equal (ANY policy).
        priority: int64 ``(R,)`` row priorities.
    """

    table: DecisionTable
    fields: tuple[str, ...]
    tests: tuple[tuple[UnaryTest, ...], ...]
    output_class: npt.NDArray[np.int64]
    priority: npt.NDArray[np.int64]

    def _unknown_field(self, field: str, known: Sequence[str]) -> RuleTypeError:
        names = sorted(known)
        close = difflib.get_close_matches(field, names, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(names)}"
        return RuleTypeError(
            f"decision table {self.table.key!r}: unknown input field {field!r}; {hint}"
        )

    def _column(
        self, frame: Mapping[str, np.ndarray | TextCodes], field: str
    ) -> np.ndarray | TextCodes:
        try:
            return frame[field]
        except KeyError:
            raise self._unknown_field(field, list(frame)) from None

    def check_inputs(self, kinds: Mapping[str, CellKind | None]) -> None:
        """Check the input fields against a schema before any data is seen.

        Args:
            kinds: Field name -> the kind of value it holds; None for vector fields, which a
                table cannot test.

        Raises:
            RuleTypeError: A field is unknown, a vector, or of another kind than its cells.
        """
        for c, field in enumerate(self.fields):
            if field not in kinds:
                raise self._unknown_field(field, list(kinds))
            kind = kinds[field]
            for i, row in enumerate(self.tests):
                test = row[c]
                if test.kind is CellKind.ANY:
                    continue
                if kind is None or kind is not test.kind:
                    held = "a vector" if kind is None else f"{kind.value} values"
                    raise RuleTypeError(
                        f"decision table {self.table.key!r}, rows[{i}], input {field!r}: cell "
                        f"{test.text!r} tests {test.kind.value} values but the field holds {held}"
                    )

    def match(
        self, frame: Mapping[str, np.ndarray | TextCodes], *, with_known: bool = True
    ) -> tuple[BoolArray, BoolArray]:
        """Match every row against ``frame``.

        Args:
            frame: Field name -> array of N values.
            with_known: Also compute ``known`` (else it is returned all True).

        Returns:
            ``(matched, known)``, both bool ``(R, N)``: ``matched`` where every cell is known
            and true; ``known`` where the row's result is known (some cell known false, or all
            cells known).
        """
        columns = [self._column(frame, f) for f in self.fields]
        n = columns[0].shape[0] if columns else 0
        r = len(self.tests)
        matched = np.empty((r, n), dtype=np.bool_)
        known = np.empty((r, n), dtype=np.bool_)
        if not with_known:
            known[...] = True
        for i, row in enumerate(self.tests):
            row_true = matched[i]
            row_true[...] = True
            if with_known:
                all_known = np.ones(n, dtype=np.bool_)
                some_false = np.zeros(n, dtype=np.bool_)
            for c, test in enumerate(row):
                if test.kind is CellKind.ANY:
                    continue
                column = columns[c]
                if (
                    test.kind is CellKind.TEXT
                    and not isinstance(column, TextCodes)
                    and column.dtype.kind in "OU"
                ):
                    column = columns[c] = TextCodes.from_values(column)  # once per column
                try:
                    t, k = _match(test, column, with_known=with_known)
                except RuleTypeError as exc:
                    raise RuleTypeError(
                        f"decision table {self.table.key!r}, rows[{i}], input "
                        f"{self.fields[c]!r}: {exc}"
                    ) from None
                row_true &= t
                if with_known:
                    assert k is not None
                    all_known &= k
                    some_false |= k & ~t
            if with_known:
                np.logical_or(all_known, some_false, out=known[i])
        return matched, known

    def select(
        self,
        matched: BoolArray,
        row_values: npt.NDArray[np.int64] | None = None,
    ) -> Selection:
        """Apply the hit policy to a ``(R, N)`` match matrix.

        Args:
            matched: From :meth:`match`.
            row_values: int64 ``(R, N)`` net money per row and subject; needed by
                ``COLLECT`` with ``MIN``/``MAX`` (the row with the lowest/highest value wins,
                ties to the first row).

        Returns:
            The selection.
        """
        count = _match_counts(matched)
        violation = np.zeros(matched.shape[1], dtype=np.bool_)
        policy = self.table.hit_policy
        agg = self.table.aggregation
        if policy in (HitPolicy.RULE_ORDER, HitPolicy.COLLECT) and agg in (
            None,
            CollectAggregation.SUM,
        ):
            return Selection(matched=matched, selected=matched, violation=violation, count=count)
        if agg is CollectAggregation.COUNT:
            selected = np.zeros_like(matched)
            return Selection(matched=matched, selected=selected, violation=violation, count=count)
        winner = self._winners(matched, row_values)
        violation = self._violations(matched, count)
        ok = (count > 0) & ~violation
        if winner is None:
            selected = _first_matches(matched, ok)
        else:
            selected = _winning_rows(matched.shape, winner, ok)
        return Selection(matched=matched, selected=selected, violation=violation, count=count)

    def _winners(
        self, matched: BoolArray, row_values: npt.NDArray[np.int64] | None
    ) -> npt.NDArray[np.intp] | None:
        """Return the winning row per subject, or None where the first matching row wins."""
        agg = self.table.aggregation
        winner: npt.NDArray[np.intp]
        if self.table.hit_policy is HitPolicy.PRIORITY:
            score = np.where(matched, self.priority[:, None], np.iinfo(np.int64).min)
            winner = np.argmax(score, axis=0)
        elif agg not in (CollectAggregation.MIN, CollectAggregation.MAX):
            return None  # FIRST, UNIQUE, ANY: the first matching row
        elif row_values is None:
            raise RuleTypeError(
                f"decision table {self.table.key!r}: aggregation {agg.value!r} needs the "
                "rows' money amounts"
            )
        elif agg is CollectAggregation.MAX:
            score = np.where(matched, row_values, np.iinfo(np.int64).min)
            winner = np.argmax(score, axis=0)
        else:
            score = np.where(matched, row_values, np.iinfo(np.int64).max)
            winner = np.argmin(score, axis=0)
        return winner

    def _violations(self, matched: BoolArray, count: npt.NDArray[np.int64]) -> BoolArray:
        """Flag the subjects where a UNIQUE or ANY table matches rows it promised not to."""
        policy = self.table.hit_policy
        if policy is HitPolicy.UNIQUE:
            return count > 1
        if policy is HitPolicy.ANY:
            cls = self.output_class[:, None]
            lo = np.where(matched, cls, np.iinfo(np.int64).max).min(axis=0)
            hi = np.where(matched, cls, -1).max(axis=0)
            violation: BoolArray = (count > 0) & (lo != hi)
            return violation
        return np.zeros(count.shape[0], dtype=np.bool_)


def _match_counts(matched: BoolArray) -> npt.NDArray[np.int64]:
    """Count the matching rows of each subject."""
    r, n = matched.shape
    # row-by-row loops: reductions over axis 0 of a (R, N) bool matrix are slow, and so are
    # bool + int64 sums; bytes add fast and cannot overflow below 256 rows
    count: npt.NDArray[np.int64]
    if 0 < r < 256:
        count = np.add.reduce(matched.view(np.uint8), axis=0, dtype=np.uint8).astype(np.int64)
        return count
    count = np.zeros(n, dtype=np.int64)
    for row in matched:
        count += row
    return count


def _first_matches(matched: BoolArray, ok: BoolArray) -> BoolArray:
    """Select the first matching row of each subject where ``ok``, row by row."""
    selected = np.zeros(matched.shape, dtype=np.bool_)
    taken = ~ok
    for i in range(matched.shape[0]):
        np.logical_and(matched[i], ~taken, out=selected[i])
        taken |= matched[i]
    return selected


def _winning_rows(shape: tuple[int, ...], winner: npt.NDArray[np.intp], ok: BoolArray) -> BoolArray:
    """Select row ``winner[n]`` of each subject n where ``ok``."""
    selected = np.zeros(shape, dtype=np.bool_)
    cols = np.flatnonzero(ok)
    selected[winner[cols], cols] = True
    return selected


def compile_table(table: DecisionTable) -> CompiledTable:
    """Prepare a decision table for evaluation (parse cells once, class outputs for ANY)."""
    classes: dict[object, int] = {}
    output_class = np.array(
        [classes.setdefault(row.outputs, len(classes)) for row in table.rows], dtype=np.int64
    )
    return CompiledTable(
        table=table,
        fields=tuple(i.field for i in table.inputs),
        tests=tuple(tuple(_cell(c) for c in row.inputs) for row in table.rows),
        output_class=output_class,
        priority=np.array([row.priority for row in table.rows], dtype=np.int64),
    )


# ---------------------------------------------------------------------------------------------
# Static analysis: cells as sets.
# Numeric cells are unions of disjoint intervals; text/bool cells are (options, negated).


class FindingKind(enum.Enum):
    """What static analysis found in a table."""

    OVERLAP = "overlap"
    SHADOWED = "shadowed"
    GAP = "gap"
    UNREACHABLE = "unreachable"


@attrs.frozen(kw_only=True)
class Finding:
    """One static-analysis finding.

    Attributes:
        kind: What was found.
        table: The table key.
        rows: Zero-based row indices concerned.
        field: The input field concerned, for gaps.
        message: A sentence for the scheme author.
    """

    kind: FindingKind
    table: str
    rows: tuple[int, ...] = ()
    field: str | None = None
    message: str


_Iv = tuple[float, bool, float, bool]  # low, low_closed, high, high_closed
_Options = tuple[frozenset[object], bool]  # options, complement
_UNIVERSE: tuple[_Iv, ...] = ((-_INF, False, _INF, False),)


def _empty(iv: _Iv) -> bool:
    lo, lc, hi, hc = iv
    return lo > hi or (lo == hi and not (lc and hc))


def _merge(ivs: Sequence[_Iv]) -> tuple[_Iv, ...]:
    items = sorted((iv for iv in ivs if not _empty(iv)), key=lambda v: (v[0], not v[1]))
    out: list[_Iv] = []
    for iv in items:
        if out:
            lo, lc, hi, hc = out[-1]
            if iv[0] < hi or (iv[0] == hi and (hc or iv[1])):
                if iv[2] > hi or (iv[2] == hi and iv[3]):
                    out[-1] = (lo, lc, iv[2], iv[3] or (iv[2] == hi and hc))
                continue
        out.append(iv)
    return tuple(out)


def _complement(ivs: tuple[_Iv, ...]) -> tuple[_Iv, ...]:
    out: list[_Iv] = []
    lo, lc = -_INF, False
    for a, ac, b, bc in ivs:
        out.append((lo, lc, a, not ac))
        lo, lc = b, not bc
    out.append((lo, lc, _INF, False))
    return _merge(out)


def _intersect(a: _Iv, b: _Iv) -> _Iv:
    if a[0] > b[0] or (a[0] == b[0] and not a[1]):
        lo, lc = a[0], a[1]
    else:
        lo, lc = b[0], b[1]
    if a[2] < b[2] or (a[2] == b[2] and not a[3]):
        hi, hc = a[2], a[3]
    else:
        hi, hc = b[2], b[3]
    return (lo, lc, hi, hc)


def _intersect_sets(a: tuple[_Iv, ...], b: tuple[_Iv, ...]) -> tuple[_Iv, ...]:
    return _merge([_intersect(x, y) for x in a for y in b])


def _numeric_set(test: UnaryTest) -> tuple[_Iv, ...]:
    if test.kind is CellKind.ANY:
        return _UNIVERSE
    ivs = _merge([(iv.low, iv.low_closed, iv.high, iv.high_closed) for iv in test.intervals])
    return _complement(ivs) if test.negated else ivs


def _options(test: UnaryTest) -> _Options:
    """Return (options, complement) for a text/bool cell; ANY is the empty complement."""
    if test.kind is CellKind.ANY:
        return frozenset(), True
    values: tuple[object, ...] = test.texts if test.kind is CellKind.TEXT else test.bools
    opts, neg = frozenset(values), test.negated
    if test.kind is CellKind.BOOL and neg:  # close over the two booleans
        return frozenset({True, False}) - opts, False
    return opts, neg


def _cell_empty(test: UnaryTest, kind: CellKind) -> bool:
    if kind is CellKind.NUMBER:
        return not _numeric_set(test)
    opts, neg = _options(test)
    return not neg and not opts


def _cells_intersect(a: UnaryTest, b: UnaryTest, kind: CellKind) -> bool:
    if kind is CellKind.NUMBER:
        return bool(_intersect_sets(_numeric_set(a), _numeric_set(b)))
    return _options_intersect(_options(a), _options(b))


def _options_intersect(a: _Options, b: _Options) -> bool:
    """Return True when two option sets share a value."""
    (sa, na), (sb, nb) = a, b
    if na and nb:
        return True
    if na:
        return bool(sb - sa)
    if nb:
        return bool(sa - sb)
    return bool(sa & sb)


def _cell_subset(a: UnaryTest, b: UnaryTest, kind: CellKind) -> bool:
    """Return True when every value matching ``a`` also matches ``b``."""
    if b.kind is CellKind.ANY:
        return True
    if a.kind is CellKind.ANY:
        return False  # a also matches unknown values, b does not
    if kind is CellKind.NUMBER:
        return not _intersect_sets(_numeric_set(a), _complement(_numeric_set(b)))
    return _options_subset(_options(a), _options(b))


def _options_subset(a: _Options, b: _Options) -> bool:
    """Return True when every value of option set ``a`` is in option set ``b``."""
    (sa, na), (sb, nb) = a, b
    if na and nb:
        return sb <= sa
    if na:
        return False
    if nb:
        return not (sa & sb)
    return sa <= sb


def _fmt(iv: _Iv) -> str:
    lo, lc, hi, hc = iv
    if lo == hi:
        return f"= {lo:g}"
    left = "[" if lc else "("
    right = "]" if hc else ")"
    return f"{left}{lo:g}..{hi:g}{right}"


def _column_kinds(tests: tuple[tuple[UnaryTest, ...], ...], width: int) -> list[CellKind]:
    kinds = [CellKind.ANY] * width
    for row in tests:
        for c, t in enumerate(row):
            if t.kind is not CellKind.ANY:
                kinds[c] = t.kind
    return kinds


def analyse_table(table: DecisionTable) -> tuple[Finding, ...]:
    """Find overlapping, shadowed and unreachable rows and gaps in numeric inputs.

    Overlaps are reported for ``UNIQUE`` tables, and for ``ANY`` tables when the overlapping
    rows' outputs differ (that is where a subject would be a violation).  A row is shadowed
    under ``FIRST`` when earlier rows cover it (one earlier row, or for one-input tables the
    union of earlier rows), and under ``PRIORITY`` when one row of strictly higher priority
    covers it.  A gap is a range of a numeric input that no row matches whatever the other
    inputs are.  A row is unreachable when one of its cells matches no value.

    Returns:
        The findings, in a stable order (row by row, then gaps by column).
    """
    analysis = _TableAnalysis(table)
    findings = list(analysis.unreachable())
    for i in range(len(analysis.tests)):
        if i in analysis.empty_rows:
            continue
        findings.extend(analysis.overlaps_with_earlier_rows(i))
        findings.extend(analysis.shadowing(i))
    findings.extend(analysis.gaps())
    return tuple(findings)


class _TableAnalysis:
    """The cells of one table as sets, and the findings that static analysis reads from them."""

    def __init__(self, table: DecisionTable) -> None:
        self.table = table
        self.key = table.key
        self.policy = table.hit_policy
        self.tests = compile_table(table).tests
        self.width = len(table.inputs)
        self.kinds = _column_kinds(self.tests, self.width)
        self.empty_rows = {
            i
            for i, row in enumerate(self.tests)
            if any(_cell_empty(t, self.kinds[c]) for c, t in enumerate(row))
        }

    def covers(self, j: int, i: int) -> bool:
        """Return True when row ``j`` matches every value that row ``i`` matches."""
        tests, kinds = self.tests, self.kinds
        return all(_cell_subset(tests[i][c], tests[j][c], kinds[c]) for c in range(self.width))

    def unreachable(self) -> Iterator[Finding]:
        """Report the rows with a cell that matches no value."""
        key = self.key
        for i in sorted(self.empty_rows):
            yield Finding(
                kind=FindingKind.UNREACHABLE,
                table=key,
                rows=(i,),
                message=f"table {key!r}: rows[{i}] can never match: a cell matches no value",
            )

    def overlaps_with_earlier_rows(self, i: int) -> Iterator[Finding]:
        """Report the earlier rows that can match together with row ``i`` where that is wrong."""
        tests, kinds, width, policy, key = self.tests, self.kinds, self.width, self.policy, self.key
        rows = self.table.rows
        row = tests[i]
        for j in range(i):
            if j in self.empty_rows:
                continue
            overlap = all(_cells_intersect(row[c], tests[j][c], kinds[c]) for c in range(width))
            if not overlap:
                continue
            differ = rows[i].outputs != rows[j].outputs
            if policy is HitPolicy.UNIQUE or (policy is HitPolicy.ANY and differ):
                yield Finding(
                    kind=FindingKind.OVERLAP,
                    table=key,
                    rows=(j, i),
                    message=f"table {key!r}: rows[{j}] and rows[{i}] can both match "
                    f"(hit policy {policy.value!r})",
                )

    def shadowing(self, i: int) -> Iterator[Finding]:
        """Report row ``i`` if it never wins under ``FIRST`` or ``PRIORITY``."""
        if self.policy is HitPolicy.FIRST:
            shadow = self.first_shadow(i)
        elif self.policy is HitPolicy.PRIORITY:
            shadow = self.priority_shadow(i)
        else:
            return
        if shadow is None:
            return
        key = self.key
        by = "the rows above it" if shadow == -1 else f"rows[{shadow}]"
        yield Finding(
            kind=FindingKind.SHADOWED,
            table=key,
            rows=(i,) if shadow == -1 else (shadow, i),
            message=f"table {key!r}: rows[{i}] never wins under {self.policy.value!r}: "
            f"{by} always match first",
        )

    def first_shadow(self, i: int) -> int | None:
        """Return an earlier row covering row ``i``, -1 if only their union does, else None."""
        tests = self.tests
        shadow = next((j for j in range(i) if j not in self.empty_rows and self.covers(j, i)), None)
        if shadow is None and self.width == 1 and self.kinds[0] is CellKind.NUMBER and i > 0:
            earlier = _merge([iv for j in range(i) for iv in _numeric_set(tests[j][0])])
            cell = tests[i][0]
            mine = _numeric_set(cell)
            if cell.kind is not CellKind.ANY and not _intersect_sets(mine, _complement(earlier)):
                shadow = -1
        return shadow

    def priority_shadow(self, i: int) -> int | None:
        """Return the first row of strictly higher priority that covers row ``i``, else None."""
        rows = self.table.rows
        prio = rows[i].priority
        return next(
            (
                j
                for j in range(len(self.tests))
                if j != i
                and j not in self.empty_rows
                and rows[j].priority > prio
                and self.covers(j, i)
            ),
            None,
        )

    def gaps(self) -> Iterator[Finding]:
        """Report, per numeric input, the values that no reachable row matches."""
        key = self.key
        for c, kind in enumerate(self.kinds):
            if kind is not CellKind.NUMBER:
                continue
            union = _merge(
                [
                    iv
                    for i, row in enumerate(self.tests)
                    if i not in self.empty_rows
                    for iv in _numeric_set(row[c])
                ]
            )
            gaps = _complement(union)
            if gaps:
                field = self.table.inputs[c].field
                where = ", ".join(_fmt(g) for g in gaps)
                yield Finding(
                    kind=FindingKind.GAP,
                    table=key,
                    field=field,
                    message=f"table {key!r}: no row matches {field} in {where}",
                )
