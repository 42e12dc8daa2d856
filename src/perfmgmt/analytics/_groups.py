"""Group labels to integer codes for the people analytics, in whole-array passes.

Labels come as text, bytes or numbers (numpy arrays, lists, frame columns) or as categories
(a pandas ``Categorical`` or category Series, read by their codes). Every person must have a
label: a missing one (None, NaN, a missing category) is refused by position.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from perfmgmt._keys import unique_text
from perfmgmt._typing import IntArray
from perfmgmt.errors import ValidationError

__all__ = ["group_codes"]


def _text_codes(arr: npt.NDArray[np.str_] | npt.NDArray[np.bytes_]) -> tuple[list[str], IntArray]:
    """Factorise fixed-width text or bytes by the shared hashing of packed code points."""
    uniq, codes = unique_text(arr)
    return [_label(u) for u in uniq.tolist()], codes.astype(np.int64)


def _label(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _category_codes(codes_attr: object, cats_attr: object, n: int) -> tuple[list[str], IntArray]:
    """Read a pandas Categorical: categories keep their own order (age bands, grades)."""
    codes = np.asarray(codes_attr, dtype=np.int64)
    labels = [str(c) for c in np.asarray(cats_attr, dtype=object).tolist()]
    if codes.shape != (n,):
        raise _groups_shape(codes.shape, n)
    if (codes < 0).any():
        raise _missing_group(int(np.argmax(codes < 0)))
    used = np.flatnonzero(np.bincount(codes, minlength=len(labels)))  # unused ones dropped
    remap = np.zeros(len(labels), dtype=np.int64)
    remap[used] = np.arange(len(used))
    return [labels[i] for i in used.tolist()], remap[codes]


def group_codes(groups: object, n: int) -> tuple[list[str], IntArray]:
    """Return the group labels (sorted, as text) and each person's code."""
    accessor = getattr(groups, "cat", None)  # a pandas category Series: read its codes
    if hasattr(accessor, "codes") and hasattr(accessor, "categories"):
        groups = accessor
    codes_attr = getattr(groups, "codes", None)
    cats_attr = getattr(groups, "categories", None)
    if codes_attr is not None and cats_attr is not None:
        return _category_codes(codes_attr, cats_attr, n)
    arr = np.asarray(groups)
    if arr.shape != (n,):
        raise _groups_shape(arr.shape, n)
    if arr.dtype.kind == "O":
        # None or NaN (the only value unequal to itself), compared elementwise in numpy.
        none = np.asarray([None], dtype=object)
        missing = np.equal(arr, none) | np.not_equal(arr, arr)
        if missing.any():
            raise _missing_group(int(np.argmax(missing)))
        arr = arr.astype(str)
    elif arr.dtype.kind == "f" and np.isnan(arr).any():
        raise _missing_group(int(np.argmax(np.isnan(arr))))
    elif arr.dtype.kind not in "iubfUS":
        raise ValidationError(
            f"adverse_impact: groups have dtype {arr.dtype}; expected labels (text or numbers)",
            field="groups",
            value=str(arr.dtype),
        )
    if arr.dtype.kind in "US" and n:
        return _text_codes(arr)
    # Sorting values and searching the few distinct ones beats np.unique's inverse (argsort).
    ordered = np.sort(arr)
    distinct = ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if n else ordered
    return [_label(u) for u in distinct.tolist()], np.searchsorted(distinct, arr).astype(np.int64)


def _groups_shape(shape: tuple[int, ...], n: int) -> ValidationError:
    return ValidationError(
        f"adverse_impact: groups have shape {shape}; expected ({n},), one label per person",
        field="groups",
        value=shape,
    )


def _missing_group(i: int) -> ValidationError:
    return ValidationError(
        f"adverse_impact: groups[{i}] is missing; give every person a group (a label such as "
        "'unknown' keeps them in the analysis)",
        field="groups",
        value=i,
    )
