"""Largest-remainder allocation in integer minor units, shared by the bonus pool and merit budgets.

Both the rules' bonus pool (:mod:`perfmgmt.rules.payout`) and the merit matrix
(:mod:`perfmgmt.analytics.merit`) scale a column of amounts so that it adds up to a budget
*exactly*; this is the one implementation of that step.
"""

from __future__ import annotations

import numpy as np

from perfmgmt._typing import IntArray

__all__ = ["INT64_SAFE", "largest_remainder"]

INT64_SAFE = 2**62
"""Products below this fit int64 with room for a sum of two; above it the exact path is taken."""


def largest_remainder(weights: IntArray, total: int, weight_sum: int) -> IntArray:
    """Scale ``weights`` to add up to ``total`` exactly, by the largest-remainder method.

    Each amount is ``floor(weight x total / weight_sum)``; the units still missing from
    ``total`` go one each to the largest remainders, ties to the earlier position, so the result
    is deterministic. An amount therefore differs from its exact share by less than one unit, a
    zero weight stays zero, and a larger weight never gets less than a smaller one.

    Args:
        weights: int64 ``(N,)`` amounts >= 0 in minor units.
        total: The amount to reach, >= 0.
        weight_sum: ``sum(weights)`` as a Python int (> 0), given by the caller who has it.

    Returns:
        int64 ``(N,)`` amounts adding up to ``total``.
    """
    if int(weights.max(initial=0)) * total < INT64_SAFE and weight_sum < INT64_SAFE:
        product = weights * np.int64(total)
        floor = product // weight_sum
        rem = product % weight_sum
    else:  # amounts too large for int64 products: exact Python integers
        pairs = [divmod(int(c) * total, weight_sum) for c in weights]
        floor = np.array([p[0] for p in pairs], dtype=np.int64)
        rem = np.array([p[1] for p in pairs], dtype=object)
    leftover = total - int(floor.sum())
    if leftover:
        # largest remainder first; ties to the earlier subject (lexsort: last key is primary)
        if rem.dtype == object:
            order = np.array(
                sorted(range(weights.shape[0]), key=lambda i: (-rem[i], i)), dtype=np.int64
            )
        else:
            order = np.lexsort((np.arange(weights.shape[0]), -rem))
        floor[order[:leftover]] += 1
    return floor.astype(np.int64)
