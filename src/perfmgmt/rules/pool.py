"""Old home of the bonus pool, now :mod:`perfmgmt.rules.payout`; kept for one release.

Importing a name from here still works and emits a DeprecationWarning naming the new path.
"""

from __future__ import annotations

from typing import Any

from perfmgmt._deprecated import moved

__all__: list[str] = []

_MOVED = {
    "PoolAllocation": "perfmgmt.rules.payout",
    "allocate": "perfmgmt.rules.payout",
    "allocate_minor": "perfmgmt.rules.payout",
    "to_minor": "perfmgmt.rules.payout",
}


def __getattr__(name: str) -> Any:
    """Resolve names that moved to :mod:`perfmgmt.rules.payout`, with a DeprecationWarning."""
    return moved(__name__, _MOVED, name)
