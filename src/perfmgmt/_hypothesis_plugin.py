"""The Hypothesis entry point of installs made before it moved to ``perfmgmt.strategies._plugin``.

An editable install keeps the entry points it was installed with, so until it is reinstalled
Hypothesis still loads ``perfmgmt._hypothesis_plugin:_hypothesis_setup_hook``; without this
module, ``import hypothesis`` would fail there. Hypothesis loads it while it is itself being
imported, so it must not import Hypothesis at module level: the hook imports
:mod:`perfmgmt.strategies`, which registers its strategies at the end of its own import. When
that import is the one in progress (the user imported :mod:`perfmgmt.strategies` first), it
will register them when it finishes, and the hook has nothing to do.

Delete this module once every install has picked up the new entry point.
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
