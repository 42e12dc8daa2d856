"""Names that moved: the old import path keeps working for one release, with a warning.

A module whose names moved keeps a module-level ``__getattr__`` that calls :func:`moved`. The
new module is imported by name, when a moved name is first asked for: an alias may point up the
module map (``perfmgmt.scoring.calibration`` to ``perfmgmt.calibration``), and importing lazily
keeps the old package from loading, or depending on, the new one.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["moved"]


def moved(old: str, names: Mapping[str, str], name: str) -> Any:
    """Return ``name`` from where it moved, with a DeprecationWarning, for ``old.__getattr__``.

    Args:
        old: The module the name was imported from, e.g. ``"perfmgmt.development"``.
        names: For each name that moved, the module that holds it now, e.g.
            ``{"suggest_development": "perfmgmt.workflow.development"}``.
        name: The name asked for.

    Raises:
        AttributeError: When ``name`` did not move (as for any missing attribute, so that
            ``hasattr`` and ``from old import submodule`` behave as usual).
    """
    new = names.get(name)
    if new is None:
        raise AttributeError(f"module {old!r} has no attribute {name!r}")
    warnings.warn(
        f"{old}.{name} is deprecated and will be removed in the next release; "
        f"import {name} from {new}",
        DeprecationWarning,
        # 1 is this function, 2 the module's __getattr__, 3 the code that imported the name.
        stacklevel=3,
    )
    return getattr(importlib.import_module(new), name)
