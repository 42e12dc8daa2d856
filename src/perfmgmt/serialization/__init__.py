"""JSON for every public domain object and result, lossless and versioned (cattrs preconf style).

``make_converter()`` builds a converter; ``configure_converter(conv)`` configures one the caller
owns; nothing global is changed on import. ``dumps``/``loads`` cover JSON text and
``to_data``/``from_data`` plain dicts (a JSON or JSONB column)::

    text = dumps(scheme)               # JSON text with "schema_version"
    same = loads(text, Scheme)         # == scheme
    data = to_data(batch)              # a plain dict, arrays as nested lists
    back = from_data(data, BatchScores)

Dates are ISO 8601 text, Decimals are strings (never floats), enums are their values, arrays
are nested lists with NaN as null (an empty array of several dimensions is ``{"shape": [...]}``),
and the members of the condition-tree and outcome unions
carry a ``"type"`` tag. :func:`json_schema` returns the JSON Schema (draft 2020-12) of any
document.

Loading is strict: a wrong type, a non-finite number, a whole number beyond ±2**53, text with
a lone surrogate, a duplicate key, an unknown field or an unknown schema version raises
:class:`~perfmgmt.errors.SerializationError` whose message starts with the JSON path of the
offending value, e.g. ``kpis[2].weight: expected a number, got "abc"``. A stored result is
also checked as a whole: merit raises, 9-box placements and promotion readiness must
recompute from the inputs stored with them, so an edited raise is refused as
``final[0]: 394.01 CNY is not allowed; allowed: 393.01 CNY, ...``.
"""

from __future__ import annotations

from perfmgmt.serialization._converter import configure_converter, make_converter, tag_of
from perfmgmt.serialization._documents import (
    MAX_DEPTH,
    SCHEMA_VERSION,
    dumps,
    from_data,
    loads,
    migrate,
    to_data,
)
from perfmgmt.serialization._schema import json_schema
from perfmgmt.serialization._values import MAX_INT

__all__ = [
    "MAX_DEPTH",
    "MAX_INT",
    "SCHEMA_VERSION",
    "configure_converter",
    "dumps",
    "from_data",
    "json_schema",
    "loads",
    "make_converter",
    "migrate",
    "tag_of",
    "to_data",
]
