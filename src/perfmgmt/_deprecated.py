"""Names that moved: the old import path keeps working for one release, with a warning.

A module whose names moved keeps a module-level ``__getattr__`` that calls :func:`moved`. The
new module is imported by name, when a moved name is first asked for: an alias may point up the
module map (``perfmgmt.scoring.calibration`` to ``perfmgmt.calibration``), and importing lazily
keeps the old package from loading, or depending on, the new one.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Collection
from typing import Any

__all__ = ["moved"]


def moved(old: str, new: str, names: Collection[str], name: str) -> Any:
    """Return ``name`` from module ``new`` with a DeprecationWarning, for ``old.__getattr__``.

    Args:
        old: The module the name was imported from, e.g. ``"perfmgmt.development"``.
        new: The module that holds it now, e.g. ``"perfmgmt.workflow.development"``.
        names: The names that moved from ``old`` to ``new``.
        name: The name asked for.

    Raises:
        AttributeError: When ``name`` is not one of ``names`` (as for any missing attribute,
            so that ``hasattr`` and ``from old import submodule`` behave as usual).
    """
    if name not in names:
        raise AttributeError(f"module {old!r} has no attribute {name!r}")
    warnings.warn(
        f"{old}.{name} is deprecated and will be removed in the next release; "
        f"import {name} from {new}",
        DeprecationWarning,
        # 1 is this function, 2 the module's __getattr__, 3 the code that imported the name.
        stacklevel=3,
    )
    return getattr(importlib.import_module(new), name)
