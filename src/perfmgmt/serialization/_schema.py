"""JSON Schema (draft 2020-12) of every document, generated from the classes' types."""

from __future__ import annotations

from typing import Any

__all__ = ["json_schema"]


def json_schema(cls: type) -> dict[str, Any]:
    """Return the JSON Schema of ``cls``'s document."""
    raise NotImplementedError
