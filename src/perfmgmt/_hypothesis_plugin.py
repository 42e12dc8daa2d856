"""Hypothesis entry point: make ``st.from_type(T)`` work for every perfmgmt domain type.

Hypothesis imports this module while it is itself being imported, so it must not import
Hypothesis at module level; the hook imports :mod:`perfmgmt.strategies`, which registers its
strategies at the end of its own import. When the user imported :mod:`perfmgmt.strategies`
first (and so triggered this hook half-way through it), the module will register itself when
it finishes, and the hook has nothing to do.
"""

from __future__ import annotations

import importlib
import sys

__all__: list[str] = []


def _hypothesis_setup_hook() -> None:
    """Import :mod:`perfmgmt.strategies`, which registers a strategy for every domain type."""
    if "perfmgmt.strategies" in sys.modules:
        return
    importlib.import_module("perfmgmt.strategies")
