"""Checks of the decision tables: unknown fields, unreachable rows, overlaps, gaps."""

from __future__ import annotations

from collections.abc import Sequence

from perfmgmt._unary import CellKind, UnaryTest, parse_unary_test
from perfmgmt.analytics.lint._fields import _Fields
from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.analytics.lint._ranges import _INF
from perfmgmt.model.incentive import DecisionTable
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules.tables import FindingKind, analyse_table

_Iv = tuple[float, bool, float, bool]


def _cell_intervals(test: UnaryTest) -> list[_Iv]:
    ivs = [(iv.low, iv.low_closed, iv.high, iv.high_closed) for iv in test.intervals]
    if not test.negated:
        return ivs
    # complement of a union of intervals on the real line
    out: list[_Iv] = []
    lo, lc = -_INF, False
    for a, ac, b, bc in sorted(ivs, key=lambda v: (v[0], not v[1])):
        if a > lo or (a == lo and lc and not ac):
            out.append((lo, lc, a, not ac))
        if b > lo or (b == lo and not bc):
            lo, lc = b, not bc
    out.append((lo, lc, _INF, False))
    return out


def _meets(iv: _Iv, lo: float, hi: float) -> bool:
    """Return True when interval ``iv`` meets the closed range ``[lo, hi]``."""
    a, ac, b, bc = iv
    if a > hi or (a == hi and not ac):
        return False
    return not (b < lo or (b == lo and not bc))


def _uncovered(cells: list[_Iv], lo: float, hi: float) -> list[tuple[float, float]]:
    """Return the parts of ``[lo, hi]`` that no interval covers (as closed approximations)."""
    gaps: list[tuple[float, float]] = []
    point = lo
    point_covered = False
    for a, ac, b, bc in sorted(cells, key=lambda v: (v[0], not v[1])):
        if b < point or (b == point and (not bc or point_covered)):
            continue
        if a > point or (a == point and not ac and not point_covered):
            if a > hi or (a == hi and not ac and hi == point and point_covered):
                break
            gaps.append((point, min(a, hi)))
        if b > point or (b == point and bc):
            point, point_covered = b, bc
        if point > hi or (point == hi and point_covered):
            return gaps
    if point < hi or (point == hi and not point_covered):
        gaps.append((point, hi))
    return gaps


def _check_tables(scheme: Scheme, fields: _Fields) -> list[LintFinding]:
    out: list[LintFinding] = []
    for t, table in enumerate(scheme.tables):
        out.extend(_check_table(t, table, fields))
    return out


def _check_table(t: int, table: DecisionTable, fields: _Fields) -> list[LintFinding]:
    where = f"tables[{t}] ({table.key})"
    tests = [[parse_unary_test(cell) for cell in row.inputs] for row in table.rows]
    unreachable = _unreachable_rows(where, table, tests, fields)
    return [
        *unreachable.values(),
        *_analysed(where, table, skip=set(unreachable)),
        *_table_gaps(where, table, tests, fields),
    ]


def _unreachable_rows(
    where: str, table: DecisionTable, tests: Sequence[Sequence[UnaryTest]], fields: _Fields
) -> dict[int, LintFinding]:
    """Return, per row that no possible value reaches, the finding for its first such cell."""
    out: dict[int, LintFinding] = {}
    for i, row in enumerate(tests):
        for c, test in enumerate(row):
            finding = _cell_out_of_range(table, test, where=where, row=i, column=c, fields=fields)
            if finding is not None:
                out[i] = finding
                break
    return out


def _cell_out_of_range(
    table: DecisionTable, test: UnaryTest, *, where: str, row: int, column: int, fields: _Fields
) -> LintFinding | None:
    """Return a finding when no possible value of the cell's field meets the cell."""
    field = table.inputs[column].field
    rng = fields.numeric.get(field)
    if test.kind is CellKind.NUMBER and rng is not None:
        ivs = _cell_intervals(test)
        if ivs and not any(_meets(iv, *rng) for iv in ivs):
            return LintFinding(
                code="table-unreachable",
                severity=Severity.WARNING,
                location=f"{where}.rows[{row}]",
                message=f"table {table.key!r}, rows[{row}]: {field} {test.text!r} lies "
                f"outside its possible range [{rng[0]:g}, {rng[1]:g}]",
                fix="move the cell into the possible range or delete the row",
            )
    elif (
        test.kind is CellKind.TEXT
        and field == "rating"
        and not test.negated
        and not set(test.texts) & fields.reachable
    ):
        return LintFinding(
            code="table-unreachable",
            severity=Severity.WARNING,
            location=f"{where}.rows[{row}]",
            message=f"table {table.key!r}, rows[{row}]: rating {test.text} is "
            "not a rating anyone can get",
            fix=f"use one of the reachable ratings {sorted(fields.reachable)}",
        )
    return None


_ANALYSED = {
    FindingKind.OVERLAP: ("table-overlap", Severity.ERROR),
    FindingKind.SHADOWED: ("table-shadowed", Severity.WARNING),
    FindingKind.UNREACHABLE: ("table-unreachable", Severity.WARNING),
}
_ANALYSED_FIX = {
    "table-overlap": "make the rows' ranges disjoint, or use hit policy FIRST/PRIORITY",
    "table-shadowed": "reorder the rows or narrow the earlier row",
    "table-unreachable": "fix the empty cell or delete the row",
}


def _analysed(where: str, table: DecisionTable, *, skip: set[int]) -> list[LintFinding]:
    """Return the table analysis's findings, except gaps and those on rows in ``skip``."""
    out: list[LintFinding] = []
    for finding in analyse_table(table):
        rows = finding.rows
        if finding.kind is FindingKind.GAP:
            continue  # recomputed by _table_gaps within the field's possible range
        if any(r in skip for r in rows):
            continue  # already reported as out of the possible range
        code, severity = _ANALYSED[finding.kind]
        loc = f"{where}.rows[{rows[-1]}]" if rows else where
        out.append(
            LintFinding(
                code=code,
                severity=severity,
                location=loc,
                message=finding.message,
                fix=_ANALYSED_FIX[code],
            )
        )
    return out


def _table_gaps(
    where: str, table: DecisionTable, tests: Sequence[Sequence[UnaryTest]], fields: _Fields
) -> list[LintFinding]:
    out: list[LintFinding] = []
    for c, col in enumerate(table.inputs):
        kinds = {row[c].kind for row in tests}
        if CellKind.NUMBER not in kinds:
            continue
        if CellKind.ANY in kinds:
            continue  # a '-' row matches every value of this column
        lo, hi = fields.numeric.get(col.field, (-_INF, _INF))
        cells = [iv for row in tests for iv in _cell_intervals(row[c])]
        gaps = _uncovered(cells, lo, hi)
        if gaps:
            shown = ", ".join(f"{a:g}..{b:g}" for a, b in gaps)
            out.append(
                LintFinding(
                    code="table-gap",
                    severity=Severity.WARNING,
                    location=f"{where}.inputs[{c}]",
                    message=f"table {table.key!r}: no row matches {col.field} in {shown} "
                    f"(possible range {lo:g}..{hi:g})",
                    fix="add a row for the gap (its outputs may be empty: 'nothing')",
                )
            )
    return out
