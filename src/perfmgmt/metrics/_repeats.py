"""Repeat contacts: which tickets the same customer follows up within a window.

The flags come from one ordering of the whole table by (customer, created, row), computed once
per table and window whatever the period asked for.  Instead of an ``argsort`` of ten million
keys (the slowest step of first-contact resolution), the customer, the time and the row number
are packed into one integer and sorted as plain integers, which numpy does several times
faster; the row comes back out of the low bits.  When the three do not fit in 63 bits the
customers are split by their high bits into buckets, each sorted on its own (a customer's
tickets all fall in one bucket), and with ``workers > 1`` the buckets are sorted side by side.
Every bucketing gives the same order within each customer, so the same flags, bit for bit.
"""

from __future__ import annotations

import numpy as np

from perfmgmt._parallel import BlockRunner
from perfmgmt._typing import BoolArray, IndexArray, IntArray

__all__ = ["find_repeats"]

# More buckets than this and the packed sort stops paying for its passes over the rows.
_MAX_BUCKET_BITS = 12


def find_repeats(
    customer: IndexArray, created: IntArray, window: float, *, workers: int = 1
) -> BoolArray:
    """Flag rows followed by another row of the same customer within ``window`` seconds.

    Rows are ordered by customer, then ``created``, then row number (ties in time go in row
    order); a row is flagged when the next row in that order has the same customer and was
    created at most ``window`` seconds later.  Rows without a customer (code ``-1``) are never
    flagged and never follow.

    Args:
        customer: Customer codes (``-1`` for none).
        created: Creation times in whole seconds.
        window: The repeat window in seconds.
        workers: Threads that sort buckets side by side; the flags do not depend on it.
    """
    n = len(created)
    repeat = np.zeros(n, dtype=bool)
    if n < 2:
        return repeat
    rel = created - created.min()
    time_bits = int(rel.max()).bit_length()
    row_bits = (n - 1).bit_length()
    customer_bits = max(int(customer.max()).bit_length(), 1)
    spare = 63 - time_bits - row_bits
    # Several buckets per worker so that a thread with a big one does not hold the rest back.
    split = (4 * workers - 1).bit_length() if workers > 1 else 0
    low_bits = max(min(spare, customer_bits - split), 0)
    bucket_bits = customer_bits - low_bits
    if spare < 0 or bucket_bits > _MAX_BUCKET_BITS:
        return _lexsorted(customer, rel, window, repeat)
    has = customer >= 0
    if bucket_bits == 0:
        rows = np.flatnonzero(has)
        bounds = [(0, len(rows))]
    else:
        bucket = (customer >> low_bits).astype(np.uint16)
        bucket[~has] = 1 << bucket_bits  # rows without a customer sort last, left out
        rows = np.argsort(bucket, kind="stable")  # a radix sort: rows ascending per bucket
        ends = np.cumsum(np.bincount(bucket, minlength=(1 << bucket_bits) + 1))
        starts = ends - np.bincount(bucket, minlength=(1 << bucket_bits) + 1)
        bounds = [(int(s), int(e)) for s, e in zip(starts[:-1], ends[:-1], strict=True) if e > s]
    low_mask = np.int64((1 << low_bits) - 1)
    row_mask = np.int64((1 << row_bits) - 1)
    shift_c, shift_t = time_bits + row_bits, row_bits

    def flag(block: tuple[int, int]) -> None:
        r = rows[block[0] : block[1]]
        key = ((customer[r].astype(np.int64) & low_mask) << shift_c) | (rel[r] << shift_t) | r
        key.sort()
        who = key >> shift_c
        when = (key >> shift_t) & ((np.int64(1) << time_bits) - 1)
        follow = (who[1:] == who[:-1]) & (when[1:] - when[:-1] <= window)
        repeat[key[:-1][follow] & row_mask] = True

    runner = BlockRunner(workers, "perfmgmt-metrics")
    try:
        runner.run(flag, bounds)
    finally:
        runner.close()
    return repeat


def _lexsorted(customer: IndexArray, rel: IntArray, window: float, repeat: BoolArray) -> BoolArray:
    """Flag repeats by a stable two-key sort: the path for keys too wide to pack."""
    order = np.lexsort((rel, customer))
    c = customer[order]
    t = rel[order]
    follow = (c[1:] == c[:-1]) & (c[:-1] >= 0) & (t[1:] - t[:-1] <= window)
    repeat[order[:-1]] = follow
    return repeat
