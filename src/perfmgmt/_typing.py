"""Type aliases shared by every package: the array types of the columnar results."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "FlagArray", "FloatArray", "IndexArray", "IntArray"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
"""A float64 array: actuals, scores, weights, totals."""

IntArray: TypeAlias = npt.NDArray[np.int64]
"""An int64 array: sample sizes, rater counts, money in minor units, rating indices."""

IndexArray: TypeAlias = npt.NDArray[np.intp]
"""An array of positions (numpy's ``intp``)."""

BoolArray: TypeAlias = npt.NDArray[np.bool_]
"""A boolean mask."""

FlagArray: TypeAlias = npt.NDArray[np.uint8]
"""A uint8 array of flag bits (:class:`~perfmgmt.scoring.KpiFlag`, ``ReviewFlag``)."""
