"""Rebuild the malformed-input corpus: ``python tests/corpus/build_corpus.py``.

Each entry of ``manifest.json`` names a file, the loader that reads it, the error class it must
raise and the path its message must name. JSON entries are mutations of two valid payloads (the
customer-service preset scheme and a review under it); the expected path is the path that was
mutated, worked out here independently of the library. Rule texts and CSV files are hand-written
hostile or broken inputs; their expected position is the column or row/column that is broken.

The corpus is committed; rerun this only to add entries (existing files are rewritten in place).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

Json = Any


def _base_scheme() -> Json:
    from perfmgmt.presets.customer_service import customer_service_manager
    from perfmgmt.serialization import dumps

    return json.loads(dumps(customer_service_manager()))


def _base_review(scheme_json: Json) -> Json:
    from perfmgmt.model import Actual, Assessment, AssessmentSource, Goal, Review, Subject
    from perfmgmt.presets.customer_service import customer_service_manager
    from perfmgmt.serialization import dumps

    scheme = customer_service_manager()
    kpis = scheme.kpis
    review = Review(
        subject=Subject(
            id="M01",
            hire_date=dt.date(2020, 3, 1),
            grade="M2",
            department="service",
            base_pay=Decimal("30000.00"),
            currency="CNY",
        ),
        cycle="2026Q1",
        scheme=scheme.key,
        scheme_hash=scheme.content_hash,
        goals=(Goal(kpi=kpis[0].key, target=kpis[0].target),),
        actuals=tuple(Actual(kpi=k.key, value=k.target, sample_size=100) for k in kpis[:3]),
        assessments=(
            Assessment(
                criterion=scheme.criteria[0].key,
                source=AssessmentSource.MANAGER,
                rater_id="boss",
                rating=4.0,
            ),
        ),
    )
    assert scheme_json["key"] == scheme.key
    return json.loads(dumps(review))


def _get(data: Json, path: list[Any]) -> Json:
    for p in path:
        data = data[p]
    return data


def _path_text(path: list[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "$"


#: One mutation: file stem, mutated payload, the path the error must name, and the file's text
#: when it is not the payload's JSON (None).
Mutation = tuple[str, Json, str, str | None]

#: (path, value) pairs of a payload's scalars.
Leaves = list[tuple[list[Any], Json]]


def _json_entries(name: str, base: Json, loader: str) -> list[tuple[str, str, str, str]]:
    """Return (file stem, text, error class, path) for mutations of ``base``."""
    numbers, texts, flags = _typed_leaves(base)
    # Spread the picks over the payload: every k-th leaf of each kind.
    picks_num = numbers[:: max(1, len(numbers) // 12)][:12]
    picks_txt = texts[:: max(1, len(texts) // 10)][:10]
    mutations = [
        *_numbers_of_wrong_type(base, picks_num),
        *_non_finite_numbers(base, picks_num[:8]),
        *_texts_of_wrong_type(base, picks_txt),
        *_flags_as_text(base, flags[:3]),
        *_unknown_fields(base),
        *_missing_fields(base, loader),
        *_bad_versions(base),
        *_broken_documents(base),
    ]
    return [
        (
            f"{name}_{stem}",
            json.dumps(data, ensure_ascii=False) if text is None else text,
            loader,
            path,
        )
        for stem, data, path, text in mutations
    ]


def _leaves(data: Json, path: list[Any]) -> Leaves:
    """Return (path, value) of every scalar in ``data``, depth first."""
    found: Leaves = []
    if isinstance(data, dict):
        for k, v in data.items():
            found.extend(_leaves(v, [*path, k]))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found.extend(_leaves(v, [*path, i]))
    else:
        found.append((path, data))
    return found


def _typed_leaves(base: Json) -> tuple[Leaves, Leaves, Leaves]:
    """Return the number, text and boolean leaves of ``base`` that must keep their type."""
    # Scorer parameters and rule constants accept numbers, text and booleans alike, so a
    # changed type there is valid JSON for the model; leave them out.
    all_leaves = [
        (p, v)
        for p, v in _leaves(base, [])
        if p != ["schema_version"] and "params" not in p and "condition" not in p
    ]
    numbers = [
        (p, v) for p, v in all_leaves if isinstance(v, float | int) and not isinstance(v, bool)
    ]
    texts = [(p, v) for p, v in all_leaves if isinstance(v, str)]
    flags = [(p, v) for p, v in all_leaves if isinstance(v, bool)]
    return numbers, texts, flags


def _replaced(base: Json, path: list[Any], value: Json) -> Json:
    """Return a copy of ``base`` with the value at ``path`` replaced by ``value``."""
    data = copy.deepcopy(base)
    _get(data, path[:-1])[path[-1]] = value
    return data


def _numbers_of_wrong_type(base: Json, picks: Leaves) -> list[Mutation]:
    return [
        (f"num{i}_{tag}", _replaced(base, p, bad), _path_text(p), None)
        for i, (p, _) in enumerate(picks)
        for tag, bad in (("text", "abc"), ("list", [1]), ("object", {"a": 1}), ("bool", True))
    ]


def _non_finite_numbers(base: Json, picks: Leaves) -> list[Mutation]:
    # The literals go into the text as written (a float 1e400 would be dumped as Infinity).
    out: list[Mutation] = []
    for i, (p, _) in enumerate(picks):
        for tag, literal in (
            ("nan", "NaN"),
            ("inf", "Infinity"),
            ("ninf", "-Infinity"),
            ("huge", "1e400"),
        ):
            marker = "__CORPUS_MARKER__"
            data = _replaced(base, p, marker)
            text = json.dumps(data, ensure_ascii=False).replace(f'"{marker}"', literal)
            out.append((f"num{i}_{tag}", data, _path_text(p), text))
    return out


def _texts_of_wrong_type(base: Json, picks: Leaves) -> list[Mutation]:
    out: list[Mutation] = []
    for i, (p, _) in enumerate(picks):
        for tag, bad in (("number", 12), ("list", ["x"]), ("null", None)):
            if tag == "null" and _optional_text(p):
                continue
            # A bad union tag is reported at the tagged object, naming the "type" it got.
            where = _path_text(p[:-1]) if p[-1] == "type" else _path_text(p)
            out.append((f"txt{i}_{tag}", _replaced(base, p, bad), where, None))
    return out


def _flags_as_text(base: Json, flags: Leaves) -> list[Mutation]:
    return [
        (f"flag{i}_text", _replaced(base, p, "yes"), _path_text(p), None)
        for i, (p, _) in enumerate(flags)
    ]


def _objects(data: Json, path: list[Any]) -> list[list[Any]]:
    """Return the path of every object in ``data``, depth first."""
    found: list[list[Any]] = []
    if isinstance(data, dict):
        found.append(path)
        for k, v in data.items():
            found.extend(_objects(v, [*path, k]))
    elif isinstance(data, list):
        for j, v in enumerate(data):
            found.extend(_objects(v, [*path, j]))
    return found


def _unknown_fields(base: Json) -> list[Mutation]:
    objects = _objects(base, [])
    out: list[Mutation] = []
    for i, p in enumerate(objects[:: max(1, len(objects) // 12)][:12]):
        data = copy.deepcopy(base)
        _get(data, p)["unexpected_field"] = 1
        out.append((f"obj{i}_unknown_field", data, _path_text(p), None))
    return out


def _missing_fields(base: Json, loader: str) -> list[Mutation]:
    out: list[Mutation] = []
    for i, (p, field) in enumerate(_required_fields(base, loader)):
        data = copy.deepcopy(base)
        del _get(data, p)[field]
        out.append((f"missing{i}_{field}", data, _path_text([*p, field]), None))
    return out


def _bad_versions(base: Json) -> list[Mutation]:
    out: list[Mutation] = []
    for tag, version in (
        ("v0", 0),
        ("v2", 2),
        ("v99", 99),
        ("vneg", -1),
        ("vtext", "1"),
        ("vnull", None),
        ("vfloat", 1.5),
        ("vbool", True),
    ):
        data = copy.deepcopy(base)
        data["schema_version"] = version
        out.append((f"version_{tag}", data, "schema_version", None))
    data = copy.deepcopy(base)
    del data["schema_version"]
    out.append(("version_missing", data, "schema_version", None))
    return out


def _broken_documents(base: Json) -> list[Mutation]:
    return [
        ("not_json", base, "$", json.dumps(base)[:-7]),
        ("array_root", base, "$", "[" + json.dumps(base) + "]"),
        ("empty", base, "$", ""),
    ]


def _optional_text(path: list[Any]) -> bool:
    # Text fields that may be null; nulling them is valid, not malformed.
    return path[-1] in {
        "zh",
        "source",
        "name",
        "grade",
        "department",
        "manager_id",
        "parent",
        "to_grade",
        "kpi",
        "skill",
        "rrule",
        "currency",
        "hire_date",
        "leave_date",
        "base_pay",
        "due",
    }


def _required_fields(base: Json, loader: str) -> list[tuple[list[Any], str]]:
    if loader == "scheme":
        return [
            ([], "key"),
            ([], "kpis"),
            ([], "rating_scale"),
            (["kpis", 0], "indicator"),
            (["kpis", 1], "weight"),
            (["kpis", 0, "indicator"], "label"),
            (["categories", 0], "weight"),
            (["rating_scale", "bands", 0], "upper"),
        ]
    return [
        ([], "subject"),
        ([], "cycle"),
        (["subject"], "id"),
        (["actuals", 0], "kpi"),
        (["assessments", 0], "rating"),
    ]


RULES: list[tuple[str, str, str]] = [
    # (text, error class, what the message must name)
    ("total >= ", "RuleSyntaxError", "column 10"),
    ("total >= 90 and", "RuleSyntaxError", "column 16"),
    ("", "RuleSyntaxError", "empty"),
    ("   ", "RuleSyntaxError", "empty"),
    ('__import__("os").system("ls")', "RuleSyntaxError", "'__import__'"),
    ("total.__class__", "RuleSyntaxError", "'__class__'"),
    ("kpi.csat.__dict__ > 1", "RuleSyntaxError", "'__dict__'"),
    ("eval(total)", "RuleSyntaxError", "'eval'"),
    ("exec(1)", "RuleSyntaxError", "'exec'"),
    ("open('x')", "RuleSyntaxError", "'open'"),
    ("lambda: 1", "RuleSyntaxError", "column"),
    ("total := 3", "RuleSyntaxError", "':='"),
    ("import os", "RuleSyntaxError", "column"),
    ("total >= 90; drop table", "RuleSyntaxError", "column"),
    ("total >= 90 # comment", "RuleSyntaxError", "column"),
    ('rating == "A', "RuleSyntaxError", "column"),
    ("rating == 'A\\' or 1", "RuleSyntaxError", "column"),
    ("total >>= 3", "RuleSyntaxError", "column"),
    ("total >= 9e999", "RuleLimitError", "column 10"),
    ("((total >= 90)", "RuleSyntaxError", "column"),
    ("total >= 90)", "RuleSyntaxError", "column"),
    ("total >= 90 and and rated", "RuleSyntaxError", "column"),
    ("max()", "RuleSyntaxError", "column"),
    ("history.rating[99999999]", "RuleSyntaxError", "column"),
    ("total\x00 >= 1", "RuleSyntaxError", "column"),
    ("total >= 90 or", "RuleSyntaxError", "column"),
    ("1 +", "RuleSyntaxError", "column"),
    ("(" * 40 + "total" + ")" * 40, "RuleLimitError", "32"),
    ("not " * 60 + "rated", "RuleLimitError", "column"),
    ("total" + " + total" * 700, "RuleLimitError", "limit"),
    ("x" * 5000, "RuleLimitError", "4000"),
    ("-" * 100 + "1 > 0", "RuleLimitError", "column"),
    # These parse but do not type-check against the preset scheme.
    ('total >= "A"', "RuleTypeError", "total"),
    ("kpi.nope.score > 1", "RuleTypeError", "kpi.nope.score"),
    ("rating + 1 > 2", "RuleTypeError", "rating"),
    ("unknown_field", "RuleTypeError", "unknown_field"),
    ("sum(rating)", "RuleTypeError", "sum"),
    ("total", "RuleTypeError", "true or false"),
    ("[1, 2, 3]", "RuleTypeError", "'in'"),
]

CSV: list[tuple[str, str, str]] = [
    # (CSV text, error class, what the message must name)
    (
        "ticket_id,created,wait_seconds\nt1,2026-01-05T10:00:00,abc\n",
        "DataError",
        "row 2, column 'wait_seconds'",
    ),
    (
        "ticket_id,created,wait_seconds\nt1,2026-01-05T10:00:00,-5\n",
        "DataError",
        "column 'wait_seconds'",
    ),
    ("ticket_id,created,csat\nt1,2026-01-05T10:00:00,6\n", "DataError", "column 'csat'"),
    ("ticket_id,created,csat\nt1,2026-01-05T10:00:00,3.5\n", "DataError", "column 'csat'"),
    ("ticket_id,created,csat\nt1,2026-01-05T10:00:00,0\n", "DataError", "column 'csat'"),
    ("ticket_id,created\nt1,yesterday\n", "DataError", "column 'created'"),
    ("ticket_id,created\nt1,2026-13-40T10:00:00\n", "DataError", "column 'created'"),
    ("ticket_id,created\nt1,\n", "DataError", "column 'created'"),
    ("ticket_id,wait_seconds\nt1,3\n", "DataError", "created"),
    ("ticket_id,created,colour\nt1,2026-01-05T10:00:00,red\n", "DataError", "colour"),
    ("ticket_id,created\nt1,2026-01-05T10:00:00,extra\n", "DataError", "row 2"),
    ("ticket_id,created,wait_seconds\nt1,2026-01-05T10:00:00\n", "DataError", "row 2"),
    (
        "ticket_id,created,closed\nt1,2026-01-05T10:00:00,2026-01-04T10:00:00\n",
        "DataError",
        "column 'closed'",
    ),
    (
        "ticket_id,created,first_reply\nt1,2026-01-05T10:00:00,2026-01-05T09:00:00\n",
        "DataError",
        "column 'first_reply'",
    ),
    (
        "ticket_id,created,resolved\nt1,2026-01-05T10:00:00,maybe\n",
        "DataError",
        "column 'resolved'",
    ),
    ("ticket_id,created,abandoned\nt1,2026-01-05T10:00:00,2\n", "DataError", "column 'abandoned'"),
    ("ticket_id,created,cost\nt1,2026-01-05T10:00:00,--5\n", "DataError", "column 'cost'"),
    ("ticket_id,created,cost\nt1,2026-01-05T10:00:00,inf\n", "DataError", "column 'cost'"),
    ("ticket_id,created,cost\nt1,2026-01-05T10:00:00,1e400\n", "DataError", "column 'cost'"),
    (
        "ticket_id,created,handle_seconds\nt1,2026-01-05T10:00:00,12;5\n",
        "DataError",
        "column 'handle_seconds'",
    ),
    (
        "ticket_id,created,wait_seconds\nt1,2026-01-05T10:00:00,3\nt2,2026-01-05T11:00:00,x\n",
        "DataError",
        "row 3, column 'wait_seconds'",
    ),
    (
        "ticket_id,created,created\nt1,2026-01-05T10:00:00,2026-01-05T10:00:00\n",
        "DataError",
        "created",
    ),
    ("", "DataError", "header"),
]


def main() -> None:
    """Write every corpus file and the manifest."""
    scheme = _base_scheme()
    review = _base_review(scheme)
    manifest: list[dict[str, str]] = []
    for sub in ("scheme", "review", "rules", "csv"):
        (HERE / sub).mkdir(exist_ok=True)
    for name, base in (("scheme", scheme), ("review", review)):
        for stem, text, loader, path in _json_entries(name, base, name):
            rel = f"{name}/{stem}.json"
            (HERE / rel).write_text(text, encoding="utf-8")
            error = "SerializationError"
            manifest.append({"file": rel, "loader": loader, "error": error, "path": path})
    for i, (text, error, where) in enumerate(RULES):
        rel = f"rules/rule_{i:03d}.txt"
        (HERE / rel).write_text(text, encoding="utf-8", newline="")
        loader = "rule_typed" if error == "RuleTypeError" else "rule"
        manifest.append({"file": rel, "loader": loader, "error": error, "path": where})
    for i, (text, error, where) in enumerate(CSV):
        rel = f"csv/tickets_{i:03d}.csv"
        (HERE / rel).write_text(text, encoding="utf-8", newline="")
        manifest.append({"file": rel, "loader": "tickets_csv", "error": error, "path": where})
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
