"""The JSON Schema of every document accepts what dumps writes and refuses what loads refuses."""

from __future__ import annotations

import json
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfmgmt
from perfmgmt import strategies as pst
from perfmgmt.errors import SerializationError
from perfmgmt.model import Scheme
from perfmgmt.serialization import json_schema, loads, to_data

pst._hypothesis_setup_hook()

PUBLIC = sorted(
    (
        obj
        for name in perfmgmt.__all__
        if isinstance(obj := getattr(perfmgmt, name), type) and attrs.has(obj)
    ),
    key=lambda t: t.__name__,
)


def _validator(cls: type) -> jsonschema.Draft202012Validator:
    schema = json_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda t: t.__name__)
def test_generated_documents_are_valid(cls: type) -> None:
    """Every document dumps writes for a generated object validates against its schema."""
    validator = _validator(cls)

    @settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_type(cls))
    def check(obj: object) -> None:
        errors = [e.message for e in validator.iter_errors(to_data(obj))]
        assert errors == []

    check()


def _scheme_doc() -> dict[str, Any]:
    @settings(max_examples=1, database=None)
    @given(pst.schemes(scorable=True))
    def grab(s: Scheme) -> None:
        found.append(to_data(s))

    found: list[dict[str, Any]] = []
    grab()
    return found[0]


# Mutations the loader refuses for their type or shape; the schema must refuse each too.
_MUTATIONS = {
    "unknown field": lambda d: {**d, "colour": "red"},
    "missing field": lambda d: {k: v for k, v in d.items() if k != "key"},
    "number as text": lambda d: {**d, "quantitative_share": "0.5"},
    "object as list": lambda d: {**d, "rating_scale": []},
    "list as object": lambda d: {**d, "kpis": {}},
    "key as number": lambda d: {**d, "key": 7},
    "whole number too big": lambda d: {**d, "schema_version": 2**60},
    "null where text": lambda d: {**d, "version": None},
}


@pytest.mark.parametrize("name", sorted(_MUTATIONS))
def test_schema_refuses_what_the_loader_refuses(name: str) -> None:
    """A document the loader refuses for type or shape is invalid under the schema too."""
    doc = _MUTATIONS[name](_scheme_doc())
    with pytest.raises(SerializationError):
        loads(json.dumps(doc), Scheme)
    assert list(_validator(Scheme).iter_errors(doc)) != []


def test_not_a_document_class() -> None:
    """Asking for the schema of something that is not stored is a clean error."""
    with pytest.raises(SerializationError, match="not a document class"):
        json_schema(int)
