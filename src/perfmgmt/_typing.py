"""Type aliases shared by every package: the array types of the columnar results."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "NAN_AS_NULL",
    "BoolArray",
    "FlagArray",
    "FloatArray",
    "IndexArray",
    "IntArray",
    "NanFloat",
]

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

NAN_AS_NULL = "perfmgmt:nan-as-null"
"""The marker that lets a float field hold NaN ("not computed"); JSON writes it as null."""

NanFloat: TypeAlias = Annotated[float, NAN_AS_NULL]
"""A float that may be NaN, such as a result with nothing to compute; JSON null on disk.

A plain ``float`` field refuses NaN and null when loaded; a field typed ``NanFloat`` round-trips
NaN as null. Array fields always write NaN as null.
"""
