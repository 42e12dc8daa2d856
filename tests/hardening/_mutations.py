"""Seeded mutations of JSON documents and of text: the hostile values and how to place them.

A document is parsed to plain Python, one node is chosen (by a seeded ``random.Random``) and
changed by one operation; the result is written back to JSON text by :func:`write`, which
also writes what ``json.dumps`` cannot: duplicate keys, numbers beyond float, NaN literals.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

Path = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True)
class Raw:
    """JSON text written as it is (``1e999``, ``NaN``, ``1000...0``)."""

    text: str


@dataclasses.dataclass(frozen=True)
class Pairs:
    """A JSON object written from pairs, so that a key may repeat."""

    items: tuple[tuple[str, Any], ...]


def write(value: Any) -> str:
    """Return ``value`` as JSON text; :class:`Raw` and :class:`Pairs` as they say."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{json.dumps(k)}:{write(v)}" for k, v in value.items) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{write(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(write(v) for v in value) + "]"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    # ensure_ascii writes a lone surrogate as the escape \ud800, as a hostile client would
    return json.dumps(value, ensure_ascii=True)


def paths(doc: Any, prefix: Path = ()) -> Iterator[Path]:
    """Yield the path of every node of ``doc``, the root first."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, (*prefix, i))


def get(doc: Any, path: Path) -> Any:
    """Return the node at ``path``."""
    for part in path:
        doc = doc[part]
    return doc


def show(path: Path) -> str:
    """Return ``path`` as the library writes JSON paths: ``kpis[0].weight``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def names_for(path: Path) -> tuple[str, ...]:
    """Return what a clean error about ``path`` must mention: one of its last two keys.

    An error may speak of the field itself or of the object holding it (a weight that breaks
    the category's sum is reported on the category); at the root any message will do.
    """
    keys = [p for p in path if isinstance(p, str)]
    return tuple(keys[-2:])


def replace(doc: Any, path: Path, new: Any) -> Any:
    """Return a copy of ``doc`` with the node at ``path`` replaced by ``new``."""
    if not path:
        return new
    head, *rest = path
    if isinstance(doc, dict):
        return {k: (replace(v, tuple(rest), new) if k == head else v) for k, v in doc.items()}
    return [replace(v, tuple(rest), new) if i == head else v for i, v in enumerate(doc)]


_DELETE = object()


def _without(doc: Any, path: Path) -> Any:
    head, *rest = path
    if not rest:
        if isinstance(doc, dict):
            return {k: v for k, v in doc.items() if k != head}
        return [v for i, v in enumerate(doc) if i != head]
    if isinstance(doc, dict):
        return {k: (_without(v, tuple(rest)) if k == head else v) for k, v in doc.items()}
    return [_without(v, tuple(rest)) if i == head else v for i, v in enumerate(doc)]


def _nest(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


#: Values that replace a node: retyped values, extreme numbers, text edge cases.
EXTREMES: dict[str, Any] = {
    "1e308": 1e308,
    "-1e308": -1e308,
    "-0.0": -0.0,
    "1e-320": 1e-320,
    "2**53+1": 2**53 + 1,
    "1e16": 1e16,
    "10**30": 10**30,
    "10**400": Raw("1" + "0" * 400),
    "-10**400": Raw("-1" + "0" * 400),
    "1e999": Raw("1e999"),
    "NaN literal": Raw("NaN"),
    "Infinity literal": Raw("Infinity"),
    "-1": -1,
    "0": 0,
    "1.5": 1.5,
    "9.2e16 money": "92000000000000000.00",
    "1e30 money": "1E+30",
    "-0 money": "-0.00",
}
RETYPES: dict[str, Any] = {
    "null": None,
    "true": True,
    "false": False,
    "empty text": "",
    "text": "x",
    "nan text": "nan",
    "inf text": "inf",
    "number text": "1e308",
    "empty list": [],
    "empty object": {},
    "list of null": [None],
    "object": {"a": 1},
}
TEXTS: dict[str, Any] = {
    "lone surrogate": "x\ud800y",
    "lone low surrogate": "\udc00",
    "NUL": "a\x00b",
    "RTL override": "\u202eevil",
    "10k chars": "w" * 10_000,
    "200k chars": "w" * 200_000,
    "newline": "a\nb",
    "CRLF": "a\r\nb",
    "BOM": "\ufeffx",
    "emoji": "\U0001f4a5",
    "zero width": "a\u200bb",
    "blank": "   ",
    "markdown": "[x](javascript:alert(1))",
    "html": "<script>alert(1)</script>",
}
DEEP: dict[str, Any] = {"nested 60": _nest(60), "nested 100000": _nest(100_000)}


def mutations(doc: Any, rng: random.Random) -> tuple[str, Path, Any]:
    """Return one seeded mutation of ``doc``: its name, the path it touches and the new doc."""
    all_paths = list(paths(doc))
    path = rng.choice(all_paths)
    node = get(doc, path)
    ops: list[Callable[[], tuple[str, Any]]] = []
    if path:
        ops.append(lambda: ("delete", _without(doc, path)))
    ops.extend(
        lambda table=table: _pick(rng, table, doc, path) for table in (EXTREMES, RETYPES, TEXTS)
    )
    if isinstance(node, str):
        ops += [
            lambda: ("newline suffix", replace(doc, path, node + "\n")),
            lambda: ("surrogate inside", replace(doc, path, node[:1] + "\udfff" + node[1:])),
            lambda: ("NUL suffix", replace(doc, path, node + "\x00")),
        ]
    if isinstance(node, dict) and node:
        ops += [
            lambda: _duplicate_key(doc, path, node, rng),
            lambda: ("unknown key", replace(doc, path, {**node, "zz_unknown": 1})),
        ]
    if isinstance(node, list) and node:
        ops += [
            lambda: ("repeat item", replace(doc, path, [*node, node[0]])),
            lambda: ("reverse", replace(doc, path, node[::-1])),
        ]
    ops.append(lambda: _pick(rng, DEEP, doc, path))
    name, new = rng.choice(ops)()
    return f"{show(path)} <- {name}", path, new


def _pick(rng: random.Random, table: dict[str, Any], doc: Any, path: Path) -> tuple[str, Any]:
    name = rng.choice(sorted(table))
    return name, replace(doc, path, table[name])


def _duplicate_key(doc: Any, path: Path, node: dict[str, Any], rng: random.Random) -> Any:
    key = rng.choice(sorted(node))
    other = rng.choice([None, 0, "x", [], {}])
    first = rng.random() < 0.5
    items = list(node.items())
    items.insert(0 if first else len(items), (key, other))
    return f"duplicate key {key!r}", replace(doc, path, Pairs(tuple(items)))
