"""Field-by-field equality of stored results (imported by plain import).

Results that hold arrays compare by identity (``eq=False``); a result loaded back from JSON is
the same result when every field is: arrays of one dtype, shape and values, Decimals and
Fractions of one type and value, tuples item by item.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np


def same_fields(a: Any, b: Any) -> bool:
    """Return whether ``a`` and ``b`` are equal field by field, and of the same types."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same_fields(x, y) for x, y in zip(a, b, strict=True))
    if attrs.has(type(a)):
        return all(
            same_fields(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a))
        )
    return bool(a == b)
