"""Canonical, JSON-able form of domain objects, for content hashes.

Independent of the serialization layer (which may evolve) so that a hash only changes when
content does. Floats use ``repr`` (shortest round-trip form, identical on every platform).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["ADDED", "canonical", "content_hash"]

ADDED = "perfmgmt.added"
"""Field metadata key marking a field added after content hashes were first stored.

Such a field is left out of the canonical form while it holds its default, so a document
written before the field existed keeps its content hash: ``attrs.field(default=14,
metadata={ADDED: True})``.
"""


#: The values :func:`_leaf` encodes; everything else is a container or an attrs object.
_LEAVES = (type(None), bool, str, int, float, Decimal, enum.Enum, dt.date)


def canonical(obj: Any) -> Any:
    """Return a JSON-able structure that identifies ``obj``'s content exactly."""
    if isinstance(obj, _LEAVES):
        return _leaf(obj)
    if isinstance(obj, tuple | list):
        return [canonical(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in sorted(obj.items())}
    if attrs.has(type(obj)):
        out: dict[str, Any] = {"__type__": type(obj).__name__}
        for a in attrs.fields(type(obj)):
            value = getattr(obj, a.name)
            if a.metadata.get(ADDED) and _is_default(a, value):
                continue
            out[a.name] = canonical(value)
        return out
    raise TypeError(f"cannot canonicalise {type(obj).__name__}")


def _is_default(field: attrs.Attribute[Any], value: Any) -> bool:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs types it as a function
        if default.takes_self:
            return False
        default = default.factory()
    return bool(value == default)


def _leaf(obj: Any) -> Any:
    """Return the canonical form of one of the :data:`_LEAVES`, tagged with its kind.

    The order matters: a bool is an int, an enum may be a str or an int, a datetime is a date.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | float):
        # 3 and 3.0 are the same content (JSON does not keep the difference), and so are
        # -0.0 and 0.0 (they compare equal, so they must hash equal): adding 0.0 drops the sign.
        return {"f": repr(float(obj) + 0.0)} if abs(obj) < 2**53 else {"i": str(obj)}
    if isinstance(obj, Decimal):
        return {"d": str(obj)}
    if isinstance(obj, enum.Enum):
        return {"e": f"{type(obj).__name__}.{obj.value}"}
    if isinstance(obj, dt.datetime):
        return {"dt": obj.isoformat()}
    return {"date": obj.isoformat()}


def content_hash(obj: Any) -> str:
    """Return ``sha256:<hex>`` of ``obj``'s canonical JSON."""
    text = json.dumps(canonical(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: JSON escapes such as "\ud800" load as lone surrogates; hash them too.
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
