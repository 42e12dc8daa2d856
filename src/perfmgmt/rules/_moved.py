"""Old import paths of names that moved between the rules modules, kept for one release."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["moved_name"]


def moved_name(module: str, moved: Mapping[str, str], name: str) -> Any:
    """Return ``name`` from its new module with a DeprecationWarning naming the new path.

    Args:
        module: The old module (``__name__`` of the module whose ``__getattr__`` calls this).
        moved: Name -> the module it moved to.
        name: The name looked up.

    Raises:
        AttributeError: ``name`` never lived in ``module``.
    """
    new = moved.get(name)
    if new is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    warnings.warn(
        f"{module}.{name} has moved to {new}.{name} (also importable from perfmgmt.rules); "
        f"the old path will be removed in the next release",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(new), name)
