"""Group labels to integer codes for the people analytics, in whole-array passes.

Labels come as text, bytes or numbers (numpy arrays, lists, frame columns) or as categories
(a pandas ``Categorical`` or category Series, read by their codes). Every person must have a
label: a missing one (None, NaN, a missing category) is refused by position.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from perfmgmt._typing import IntArray
from perfmgmt.errors import ValidationError

__all__ = ["group_codes"]

_MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd 64-bit constant: multiplying by it is a bijection


def _text_codes(arr: npt.NDArray[np.str_] | npt.NDArray[np.bytes_]) -> tuple[list[str], IntArray]:
    """Factorise fixed-width text: hash each label's code units, then check the hash exactly.

    Sorting a million strings costs several times more than sorting their 64-bit hashes; each
    person's code units are then compared with those of the label their hash found, so a hash
    collision can never merge two groups (it falls back to sorting the text).
    """
    unit = np.uint32 if arr.dtype.kind == "U" else np.uint8
    width = arr.dtype.itemsize // np.dtype(unit).itemsize
    raw = np.ascontiguousarray(arr).view(unit).reshape(len(arr), width)
    units: npt.NDArray[np.unsignedinteger] = raw.astype(unit, copy=False)
    if width <= 8 and int(units.max(initial=0)) < 256:
        return _packed_codes(arr, units)
    h = np.zeros(len(arr), dtype=np.uint64)
    for j in range(width):
        h = (h ^ units[:, j].astype(np.uint64)) * _MIX
    ordered = np.sort(h)
    distinct = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    code = np.searchsorted(distinct, h)
    first = np.empty(len(distinct), dtype=np.intp)
    first[code[::-1]] = np.arange(len(arr))[::-1]
    same = all(np.array_equal(units[first, j][code], units[:, j]) for j in range(width))
    if not same:
        uniq, codes = np.unique(arr, return_inverse=True)
        return [_label(u) for u in uniq.tolist()], codes.astype(np.int64)
    found = arr[first]
    order = np.argsort(found, kind="stable")
    rank = np.empty(len(found), dtype=np.int64)
    rank[order] = np.arange(len(found))
    return [_label(u) for u in found[order].tolist()], rank[code]


def _packed_codes(
    arr: npt.NDArray[np.str_] | npt.NDArray[np.bytes_], units: npt.NDArray[np.unsignedinteger]
) -> tuple[list[str], IntArray]:
    """Factorise labels of at most 8 one-byte characters: packed, each is its own 64-bit key.

    Packed first character highest, the keys sort as the labels do, so no check is needed.
    """
    packed = np.zeros((len(arr), 8), dtype=np.uint8)
    packed[:, : units.shape[1]] = units
    key = packed.view(">u8").ravel().astype(np.uint64)  # big-endian: first character highest
    ordered = np.sort(key)
    distinct = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    code = _search(distinct, key)
    first = np.empty(len(distinct), dtype=np.intp)
    first[code[::-1]] = np.arange(len(arr))[::-1]
    return [_label(u) for u in arr[first].tolist()], code


def _search(distinct: npt.NDArray[np.uint64], key: npt.NDArray[np.uint64]) -> IntArray:
    """Each key's position among the sorted distinct keys (a pass per key when they are few)."""
    if len(distinct) > 16:
        return np.searchsorted(distinct, key).astype(np.int64)
    code = np.zeros(len(key), dtype=np.int64)
    for k in range(1, len(distinct)):
        code += key >= distinct[k]
    return code


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
