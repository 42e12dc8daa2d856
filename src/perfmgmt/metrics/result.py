"""The columnar result every metric returns: group labels, values and sample sizes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt.errors import DataError

__all__ = ["MetricResult"]


@dataclass(frozen=True, kw_only=True, eq=False)
class MetricResult:
    """Hold one indicator computed per group: labels, values, sample sizes and definition.

    Arrays are read-only and aligned: ``value[i]`` and ``n[i]`` belong to
    ``groups[i]``.  Groups are every label of the ``by`` column (sorted), so two
    metrics over the same table line up; a group without data has ``n == 0`` and a
    NaN value.

    Attributes:
        metric: The indicator's name, e.g. ``"csat"``.
        by: The key column grouped by, e.g. ``"manager"``.
        groups: Group labels (strings), sorted.
        value: The indicator per group (float; NaN when it cannot be computed).
        n: The sample size per group (the denominator the value was computed from).
        definition: The definition used, in words, with its settings.
        params: The settings used, by name.
        min_sample: Groups with ``n`` below this have their value set to NaN.
    """

    metric: str
    by: str
    groups: npt.NDArray[np.object_]
    value: npt.NDArray[np.float64]
    n: npt.NDArray[np.int64]
    definition: str
    params: Mapping[str, Any] = field(default_factory=dict)
    min_sample: int = 1

    def __post_init__(self) -> None:
        if not len(self.groups) == len(self.value) == len(self.n):
            raise DataError(
                f"MetricResult {self.metric!r}: groups, value and n must be the same length; "
                f"got {len(self.groups)}, {len(self.value)}, {len(self.n)}"
            )
        for arr in (self.groups, self.value, self.n):
            arr.flags.writeable = False

    def __len__(self) -> int:
        return len(self.groups)

    def __repr__(self) -> str:
        return f"MetricResult({self.metric!r} by {self.by!r}, {len(self)} groups)"

    @property
    def insufficient(self) -> npt.NDArray[np.bool_]:
        """Return a mask of groups whose sample is below :attr:`min_sample`."""
        return self.n < self.min_sample

    def require(self, min_sample: int) -> MetricResult:
        """Return a copy whose values are NaN where the sample size is below ``min_sample``.

        The scoring engine treats a NaN actual as insufficient data.

        Raises:
            DataError: If ``min_sample`` is negative or not an integer.
        """
        if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 0:
            raise DataError(
                f"MetricResult.require: min_sample {min_sample!r} is not allowed; "
                "expected a whole number of at least 0"
            )
        value = np.where(self.n < min_sample, np.nan, self.value)
        return replace(
            self, value=value, min_sample=min_sample, groups=self.groups.copy(), n=self.n.copy()
        )

    def to_dict(self) -> dict[str, float]:
        """Return ``{group label: value}``."""
        return dict(zip(self.groups.tolist(), self.value.tolist(), strict=True))

    def rows(self) -> list[tuple[str, float, int]]:
        """Return ``(group, value, n)`` tuples, for printing or writing CSV."""
        return list(zip(self.groups.tolist(), self.value.tolist(), self.n.tolist(), strict=True))

    def get(self, group: str) -> float:
        """Return the value for one group label.

        Raises:
            DataError: If the label is not a group of this result.
        """
        idx = int(np.searchsorted(self.groups, group))
        if idx >= len(self.groups) or self.groups[idx] != group:
            raise DataError(
                f"MetricResult {self.metric!r}: no group {group!r} in column {self.by!r}; "
                f"groups are {self.groups.tolist()[:10]}{'...' if len(self) > 10 else ''}",
                column=self.by,
            )
        return float(self.value[idx])
