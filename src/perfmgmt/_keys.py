"""Factorise text key columns by hashing integers instead of sorting strings.

Shared by the ticket metrics (manager and customer ids) and the people analytics (group
labels).  ``np.unique`` on ten million ids sorts ten million strings: seconds per column.
:func:`unique_text` returns exactly what ``np.unique(text, return_inverse=True)`` returns (the
sorted distinct values and each row's position among them) by another route:

1. The code points of each fixed-width value (``str``; the bytes of ``bytes`` values) are
   packed, big-endian, into 64-bit integers, ``64 // bits`` characters per integer where
   ``bits`` is the width of the largest code point (8 characters of ASCII or Latin-1 text, 4
   of other BMP text, 2 otherwise).  Packed
   that way, comparing the integers compares the strings: numpy pads with NUL, the smallest
   code point, just as a shorter string sorts before its extensions.
2. Each integer column is factorised by a hash table (Arrow's ``dictionary_encode`` or
   ``pandas.factorize`` when installed; numpy's sort-based ``unique`` otherwise), its few
   distinct values are sorted, and the codes are renumbered in that order; a wider value's
   chunks combine into one code, renumbered the same way.
3. The labels are read back from one row of each code.

The codes are the ranks of the values in code point order, as ``np.unique`` (and Python's
``sorted``) gives them: the same numbers whichever library did the hashing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt._typing import IndexArray

__all__ = ["unique_text"]

_Hash = Callable[[npt.NDArray[Any]], tuple[IndexArray, npt.NDArray[Any]]]

# Below this many rows the string sort is quick and the packing is not worth its setup.
_SMALL = 4_096


def unique_text(text: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IndexArray]:
    """Return ``np.unique(text, return_inverse=True)``, computed by hashing packed integers.

    Args:
        text: A 1-D fixed-width text (``U``) or bytes (``S``) array.

    Returns:
        The sorted distinct values (same dtype as ``text``) and, per row, the position of its
        value among them.
    """
    n = len(text)
    unit = np.uint32 if text.dtype.kind == "U" else np.uint8
    width = text.dtype.itemsize // np.dtype(unit).itemsize
    if n < _SMALL or width == 0:
        uniq, inv = np.unique(text, return_inverse=True)
        return uniq, inv.reshape(-1).astype(np.intp)
    raw: npt.NDArray[Any] = np.ascontiguousarray(text).view(unit)
    points: npt.NDArray[np.unsignedinteger[Any]] = raw.reshape(n, width)
    dense = _dense_key(points)
    codes = dense if dense is not None else _hashed_key(points)
    total = int(codes.max()) + 1
    row = np.empty(total, dtype=np.intp)
    row[codes] = np.arange(n, dtype=np.intp)  # any row of a code holds its value
    return text[row], codes


def _dense_key(points: npt.NDArray[np.unsignedinteger[Any]]) -> IndexArray | None:
    """Rank rows by a mixed-radix number of per-position character ranks, if it is small.

    Each position's distinct code points are ranked (NUL padding first); the value's digits in
    that mixed radix compare as the strings do.  When the radix product is small (ids such as
    ``c000123``: a letter and digits), the distinct numbers are found by counting, in O(n),
    without hashing or sorting.  Returns None when the product is too large.
    """
    n, width = points.shape
    limit = max(4 * n, 1 << 16)
    key = np.zeros(n, dtype=np.intp)
    size = 1
    for j in range(width):
        if bool((points[:, j] == points[0, j]).all()):
            continue  # the same character on every row: a radix of 1 (cheaper than counting)
        column = points[:, j].astype(np.intp)
        present = np.bincount(column) > 0
        radix = int(np.count_nonzero(present))
        if radix == 1:
            continue
        size *= radix
        if size > limit:
            return None
        lookup = np.cumsum(present, dtype=np.intp) - 1
        key *= radix
        key += lookup[column]
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    rank = np.cumsum(seen, dtype=np.intp) - 1
    return rank[key]


def _hashed_key(points: npt.NDArray[np.unsignedinteger[Any]]) -> IndexArray:
    """Rank rows by hashing their code points packed into 64-bit integers, chunk by chunk."""
    n, width = points.shape
    bits = max(int(points.max()).bit_length(), 1)
    unit = 8 if bits <= 8 else 16 if bits <= 16 else 32
    per = 64 // unit
    hashing = _hasher()
    codes: IndexArray | None = None
    for start in range(0, width, per):
        packed = np.zeros((n, per), dtype=f">u{unit // 8}")
        stop = min(start + per, width)
        packed[:, : stop - start] = points[:, start:stop]
        key = packed.view(">u8").reshape(n).astype(np.uint64)
        chunk, count = _ranks(hashing, key)
        if codes is None:
            codes = chunk
        else:
            # (earlier chunks' rank, this chunk's rank) in lexicographic order, as one integer
            joined = codes.astype(np.int64) * count + chunk
            codes, _ = _ranks(hashing, joined)
    assert codes is not None  # width >= 1, so the loop ran
    return codes


def _ranks(hashing: _Hash, key: npt.NDArray[Any]) -> tuple[IndexArray, int]:
    """Return each row's rank among the distinct values of ``key``, and their number."""
    codes, uniques = hashing(key)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order), dtype=np.intp)
    return rank[codes], len(order)


@functools.cache
def _hasher() -> _Hash:
    """Choose the hash factoriser once, on first use: Arrow, then pandas, then numpy."""
    try:
        import pyarrow as pa  # noqa: PLC0415 -- optional, and slow to import
    except ImportError:
        pass
    else:

        def arrow(key: npt.NDArray[Any]) -> tuple[IndexArray, npt.NDArray[Any]]:
            encoded = pa.array(key).dictionary_encode()
            codes = np.asarray(encoded.indices.to_numpy()).astype(np.intp)
            return codes, np.asarray(encoded.dictionary.to_numpy())

        return arrow
    try:
        import pandas as pd  # noqa: PLC0415 -- optional, and slow to import
    except ImportError:
        pass
    else:

        def pandas(key: npt.NDArray[Any]) -> tuple[IndexArray, npt.NDArray[Any]]:
            codes, uniques = pd.factorize(key)
            return np.asarray(codes, dtype=np.intp), np.asarray(uniques)

        return pandas
    return _sorting


def _sorting(key: npt.NDArray[Any]) -> tuple[IndexArray, npt.NDArray[Any]]:
    """Factorise by sorting (numpy only): slower than a hash table, same ranks."""
    uniques, codes = np.unique(key, return_inverse=True)
    return codes.reshape(-1).astype(np.intp), uniques
