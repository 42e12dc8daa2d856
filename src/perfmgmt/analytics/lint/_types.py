"""Type checks of rules and decision tables against the fields the scheme's scores provide.

A rule on ``kpi.nsp.score`` in a scheme with no KPI ``nsp`` fails when it is evaluated; lint
finds it before launch, names the rule and the field, and suggests the nearest known name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import attrs

from perfmgmt._unary import CellKind
from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.errors import RuleError
from perfmgmt.model.condition import Condition, Field
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import FieldSchema, check_condition
from perfmgmt.rules.tables import compile_table

# The cell kind a table may test each field type with; vector fields have none.
_CELL_KIND = {"number": CellKind.NUMBER, "text": CellKind.TEXT, "bool": CellKind.BOOL}


def _field_names(node: object) -> Iterator[str]:
    """Yield the dotted name of every field a condition tree reads, in tree order."""
    if isinstance(node, Field):
        yield node.name
        return
    cls = type(node)
    if not attrs.has(cls):
        return
    for attribute in attrs.fields(cls):
        value = getattr(node, attribute.name)
        for child in value if isinstance(value, tuple) else (value,):
            yield from _field_names(child)


def _suggest_field(name: str, scheme: Scheme, schema: FieldSchema) -> str:
    """Return the known field nearest to ``name`` (``kpi.nsp.score`` -> ``kpi.nps.score``)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "kpi":  # kpi.<key>.<part>
        keys = difflib.get_close_matches(parts[1], scheme.kpi_keys, n=1, cutoff=0.3)
        if keys and f"kpi.{keys[0]}.{parts[2]}" in schema.fields:
            return f"kpi.{keys[0]}.{parts[2]}"
    if len(parts) == 2 and parts[0] == "category":  # category.<key>
        keys = difflib.get_close_matches(parts[1], scheme.category_keys, n=1, cutoff=0.3)
        if keys:
            return f"category.{keys[0]}"
    close = difflib.get_close_matches(name, sorted(schema.fields), n=1, cutoff=0.5)
    return close[0] if close else ""


def _unknown(
    where: str, what: str, name: str, *, scheme: Scheme, schema: FieldSchema, code: str
) -> LintFinding:
    guess = _suggest_field(name, scheme, schema)
    hint = f"; did you mean {guess!r}?" if guess else ""
    return LintFinding(
        code=code,
        severity=Severity.ERROR,
        location=where,
        message=f"{what} reads {name!r}, which this scheme's scores do not provide "
        f"(KPIs are {list(scheme.kpi_keys)}){hint}",
        fix=f"read {guess!r}"
        if guess
        else "use total, rating, category.<key> or kpi.<key>.score|actual|target|achievement",
    )


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _check_rule_types(scheme: Scheme, schema: FieldSchema) -> list[LintFinding]:
    """Return an error per rule whose condition reads an unknown field or does not type-check."""
    out: list[LintFinding] = []
    for i, rule in enumerate(scheme.rules):
        where = f"rules[{i}] ({rule.key}).condition"
        condition: Condition = rule.condition
        unknown = [n for n in dict.fromkeys(_field_names(condition)) if n not in schema.fields]
        if unknown:
            out.extend(
                _unknown(
                    where,
                    f"rule {rule.key!r}",
                    n,
                    scheme=scheme,
                    schema=schema,
                    code="rule-unknown-field",
                )
                for n in unknown
            )
            continue
        try:
            check_condition(condition, schema)
        except RuleError as exc:
            out.append(
                LintFinding(
                    code="rule-type",
                    severity=Severity.ERROR,
                    location=where,
                    message=f"rule {rule.key!r} does not check: {_first_line(exc)}",
                    fix="compare numbers with numbers and ratings with rating labels",
                )
            )
    return out


def _check_table_types(scheme: Scheme, schema: FieldSchema) -> list[LintFinding]:
    """Return an error per table input that is unknown, a vector, or of another kind."""
    out: list[LintFinding] = []
    kinds = {name: _CELL_KIND.get(ft.value) for name, ft in schema.fields.items()}
    for t, table in enumerate(scheme.tables):
        where = f"tables[{t}] ({table.key})"
        bad = False
        for c, column in enumerate(table.inputs):
            if column.field not in schema.fields:
                bad = True
                out.append(
                    _unknown(
                        f"{where}.inputs[{c}]",
                        f"table {table.key!r}",
                        column.field,
                        scheme=scheme,
                        schema=schema,
                        code="table-unknown-field",
                    )
                )
        if bad:
            continue
        try:
            compile_table(table).check_inputs(kinds)
        except RuleError as exc:
            out.append(
                LintFinding(
                    code="table-type",
                    severity=Severity.ERROR,
                    location=where,
                    message=_first_line(exc),
                    fix="test numbers with ranges, ratings with quoted labels, flags with "
                    "true/false",
                )
            )
    return out


def _check_types(scheme: Scheme) -> list[LintFinding]:
    """Type-check every rule condition and decision-table input against the scheme's fields."""
    schema = FieldSchema.for_scheme(scheme)
    return [*_check_rule_types(scheme, schema), *_check_table_types(scheme, schema)]
