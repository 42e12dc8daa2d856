"""JSON Schema (draft 2020-12) of every document, generated from the classes' types.

The schema follows the converter's hooks type by type, so what the loader refuses for type or
shape (a wrong JSON type, an unknown or missing field, a wrong union tag, a whole number out
of range) the schema refuses too. Checks of values that need the domain (weights summing to 1,
ordered bounds) stay with the loader.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from perfmgmt.model.condition import CONDITION_TYPES, Condition, Value
from perfmgmt.model.incentive import OUTCOME_TYPES, Outcome
from perfmgmt.model.kpi import ScoringSpec
from perfmgmt.serialization import _values as v
from perfmgmt.serialization._converter import tag_of

__all__ = ["DRAFT", "json_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of every generated schema."""

_INTEGER = {"type": "integer", "minimum": -v.MAX_INT, "maximum": v.MAX_INT}
_DECIMAL = {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"}
_PLAIN = {
    "anyOf": [
        {"type": ["null", "boolean", "number", "string"]},
        {"type": "array", "items": {"$ref": "#/$defs/PlainValue"}},
    ]
}
_UNIONS: dict[Any, tuple[type, ...]] = {Condition: CONDITION_TYPES, Outcome: OUTCOME_TYPES}
_ELEMENTS: dict[str, dict[str, Any]] = {
    "f": {"type": ["number", "null"]},
    "i": _INTEGER,
    "u": _INTEGER,
    "b": {"type": "boolean"},
    "O": {"type": ["string", "null"]},
    "U": {"type": "string"},
}


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, name: str, make: typing.Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: recursive types refer to it while it is built
            self.defs[name] = make()
        return {"$ref": f"#/$defs/{name}"}

    def of(self, t: Any) -> dict[str, Any]:  # noqa: C901, PLR0911, PLR0912 - one case per type
        if v.is_nan_float(t):
            return {"type": ["number", "null"]}
        if v.is_array(t):
            return self._array(t)
        if t is Value:
            return {"type": ["number", "string", "boolean", "null"]}
        if t in _UNIONS:
            return self.ref(_name(t), lambda: {"anyOf": [self._tagged(m) for m in _UNIONS[t]]})
        origin, args = get_origin(t), get_args(t)
        if origin in (Union, UnionType):
            return {"anyOf": [self.of(a) for a in args]}
        if origin is Literal:
            return {"enum": list(args)}
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.of(args[0])}
            return {
                "type": "array",
                "prefixItems": [self.of(a) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        if origin is Sequence:  # a sequence field (e.g. a column of ids) is stored as a list
            return {"type": "array", "items": self.of(args[0])}
        if origin in (dict, Mapping) or t in (dict, Mapping):
            value = self.of(args[1]) if len(args) == 2 else self.of(object)
            out: dict[str, Any] = {"type": "object", "additionalProperties": value}
            if args and isinstance(args[0], type) and issubclass(args[0], enum.Enum):
                out["propertyNames"] = {"enum": [m.value for m in args[0]]}
            return out
        if t is object or t is Any:
            return self.ref("PlainValue", lambda: _PLAIN)
        if t is NoneType or t is None:
            return {"type": "null"}
        if t is bool:
            return {"type": "boolean"}
        if t is int:
            return dict(_INTEGER)
        if t is float:
            return {"type": "number"}
        if t is str:
            return {"type": "string"}
        if t is Decimal:
            return dict(_DECIMAL)
        if t is Fraction:
            return {"type": "string", "pattern": r"^-?[0-9]{1,40}(/[0-9]{1,40})?$"}
        if t is dt.datetime:
            return {"type": "string", "format": "date-time"}
        if t is dt.date:
            return {"type": "string", "format": "date"}
        if isinstance(t, type) and issubclass(t, enum.Flag):
            return {"type": "integer", "minimum": 0, "maximum": sum(m.value for m in t)}
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return {"enum": [m.value for m in t]}
        if t is ScoringSpec:
            return self.ref("ScoringSpec", _scoring_spec)
        if isinstance(t, type) and isinstance(getattr(t, "__document_type__", None), type):
            return self.of(getattr(t, "__document_type__"))  # noqa: B009 - set by the class
        if isinstance(t, type) and attrs.has(t):
            return self.ref(_name(t), lambda: self._object(t))
        raise TypeError(f"no JSON Schema for {t!r}")

    def _array(self, t: Any) -> dict[str, Any]:
        kind = v.array_kind(t)
        name = f"Array_{kind}"
        element = _ELEMENTS.get(kind, _PLAIN)
        nested = self.ref(
            name,
            lambda: {
                "type": "array",
                "items": {"anyOf": [element, {"$ref": f"#/$defs/{name}"}]},
            },
        )
        empty = {
            "type": "object",
            "properties": {"shape": {"type": "array", "items": _INTEGER, "contains": {"const": 0}}},
            "required": ["shape"],
            "additionalProperties": False,
        }
        return {"anyOf": [nested, empty]}

    def _object(self, cls: type, tag: str | None = None) -> dict[str, Any]:
        fields = [f for f in attrs.fields(_resolved(cls)) if f.init]
        props = {f.name: self.of(f.type) for f in fields}
        required = [f.name for f in fields if f.default is attrs.NOTHING]
        if tag is not None:
            props = {"type": {"const": tag}, **props}
            required = ["type", *required]
        out: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "additionalProperties": False,
        }
        if required:
            out["required"] = required
        return out

    def _tagged(self, cls: type) -> dict[str, Any]:
        return self.ref(f"{_name(cls)}Tagged", lambda: self._object(cls, tag_of(cls)))


def _name(t: Any) -> str:
    return str(getattr(t, "__name__", None) or str(t).rsplit(".", 1)[-1])


@functools.cache
def _resolved(cls: type) -> type:
    attrs.resolve_types(cls)
    return cls


def _scoring_spec() -> dict[str, Any]:
    param = {
        "anyOf": [
            {"type": ["number", "string", "boolean"]},
            {"type": "array", "items": {"type": "number"}},
        ]
    }
    return {
        "type": "object",
        "properties": {
            "scorer": {"type": "string"},
            "params": {"type": "object", "additionalProperties": param},
        },
        "required": ["scorer"],
        "additionalProperties": False,
    }


def json_schema(cls: type) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the document :func:`dumps` writes for ``cls``.

    The schema describes the whole document: the top-level ``schema_version`` and the
    object's fields, with every nested class in ``$defs``. Serve it to other languages (an
    OpenAPI component, a pydantic model generator) or validate payloads with it before they
    reach the loader. ``perfmgmt schema TYPE`` prints it.

    Args:
        cls: A public domain class or result class, e.g. ``Scheme`` or ``BatchScores``.

    Raises:
        SerializationError: When ``cls`` is not a class that is stored as a document.
    """
    from perfmgmt.errors import SerializationError  # noqa: PLC0415 - keeps the import light
    from perfmgmt.serialization._documents import SCHEMA_VERSION  # noqa: PLC0415 - cycle

    target = getattr(cls, "__document_type__", cls) if isinstance(cls, type) else cls
    if not (isinstance(target, type) and attrs.has(target)):
        raise SerializationError(
            f"$: {getattr(cls, '__name__', cls)!r} is not a document class; give a domain or "
            "result class such as Scheme or BatchScores",
            path="$",
        )
    builder = _Builder()
    ref = builder.of(target)["$ref"]
    root = dict(builder.defs.pop(ref.rsplit("/", 1)[-1]))
    root["properties"] = {
        "schema_version": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
        **root["properties"],
    }
    root["required"] = ["schema_version", *root.get("required", [])]
    return {
        "$schema": DRAFT,
        "title": cls.__name__,
        "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        **root,
        "$defs": builder.defs,
    }
