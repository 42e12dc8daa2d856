"""Deprecated: development suggestions moved to :mod:`perfmgmt.workflow.development`.

``from perfmgmt.development import suggest_development`` still works in this release and warns
with a :class:`DeprecationWarning`; import from :mod:`perfmgmt.workflow` instead.
"""

from __future__ import annotations

from typing import Any

from perfmgmt._deprecated import moved

_MOVED = dict.fromkeys(("carry_forward", "suggest_development"), "perfmgmt.workflow.development")


def __getattr__(name: str) -> Any:
    """Return a name that moved to :mod:`perfmgmt.workflow.development`, with a warning."""
    return moved(__name__, _MOVED, name)
