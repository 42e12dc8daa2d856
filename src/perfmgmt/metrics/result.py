"""The columnar result every metric returns: group labels, values and sample sizes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt.errors import DataError
from perfmgmt.metrics.units import Unit, convert, parse_unit

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
        unit: The unit of ``value`` (CSAT is a share, response times are seconds); None
            when undeclared, which :meth:`aligned` refuses to convert.
        bounds: The valid range ``(low, high)`` of ``value`` in ``unit``, inclusive.
    """

    metric: str
    by: str
    groups: npt.NDArray[np.object_]
    value: npt.NDArray[np.float64]
    n: npt.NDArray[np.int64]
    definition: str
    params: Mapping[str, Any] = field(default_factory=dict)
    min_sample: int = 1
    unit: Unit | None = None
    bounds: tuple[float, float] = (-math.inf, math.inf)

    def __post_init__(self) -> None:
        for name in ("groups", "value", "n"):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.ndim != 1:
                shape = arr.shape if isinstance(arr, np.ndarray) else type(arr).__name__
                raise DataError(
                    f"MetricResult {self.metric!r}: {name} is {shape}; expected a 1-D numpy array"
                )
        if self.unit is not None and not isinstance(self.unit, Unit):
            raise DataError(
                f"MetricResult {self.metric!r}: unit {self.unit!r} is not allowed; expected a "
                "perfmgmt.metrics.Unit or None"
            )
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

    def aligned(
        self,
        subject_ids: Sequence[str],
        *,
        unit: Unit | str | None = None,
        absent: float = math.nan,
    ) -> tuple[FloatArray, IntArray]:
        """Return the values and sample sizes in the order of ``subject_ids``, in ``unit``.

        A subject that is not a group of this result gets ``absent`` (NaN: no data) with
        sample size 0; a value that cannot be computed (NaN, e.g. a rate without its baseline)
        has sample size 0 too.

        Args:
            subject_ids: The subjects, in the order wanted (e.g. a population's).
            unit: Convert to this unit (a :class:`Unit` or a display unit such as ``"%"``);
                None keeps the result's own unit.
            absent: The value for a subject without a group (0.0 for counts of events).

        Returns:
            ``(values, sample sizes)``, float and int arrays of ``len(subject_ids)``.

        Raises:
            DataError: If the units do not convert, the result's unit is undeclared, or a
                value lies outside :attr:`bounds`, naming the group, the value and the unit.
        """
        ids = _subject_list(subject_ids, self.metric)
        index = {g: i for i, g in enumerate(self.groups.tolist())}
        at = np.array([index.get(i, -1) for i in ids], dtype=np.intp)
        found = at >= 0
        value = np.full(len(ids), float(absent))
        value[found] = self.value[at[found]]
        n = np.zeros(len(ids), dtype=np.int64)
        n[found] = self.n[at[found]]
        n[np.isnan(value)] = 0
        low, high = self.bounds
        with np.errstate(invalid="ignore"):
            bad = (value < low) | (value > high) | np.isinf(value)
        if bad.any():
            i = int(np.argmax(bad))
            what = self.unit.value if self.unit is not None else "its unit"
            raise DataError(
                f"{self.metric} for {ids[i]!r} is {value[i]:g} {what}; expected a value from "
                f"{low:g} to {high:g} {what}",
                column=self.by,
            )
        if unit is None:
            return value, n
        target = parse_unit(unit)
        if target is None or self.unit is None:
            raise DataError(
                f"{self.metric}: cannot convert from {_name(self.unit)} to {_name(unit)}; "
                f"declare both units, one of {[u.value for u in Unit]}"
            )
        return convert(value, self.unit, target), n

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


def _name(unit: Unit | str | None) -> str:
    if unit is None:
        return "an undeclared unit"
    return repr(unit.value if isinstance(unit, Unit) else unit)


def _subject_list(subject_ids: Sequence[str], metric: str) -> list[str]:
    if isinstance(subject_ids, str) or not isinstance(subject_ids, Sequence | np.ndarray):
        raise DataError(
            f"{metric}: subject_ids {subject_ids!r} is not allowed; expected a sequence of "
            "subject id strings"
        )
    ids = list(subject_ids)
    for i in ids:
        if not isinstance(i, str) or not i.strip():
            raise DataError(
                f"{metric}: subject id {i!r} is not allowed; expected a non-empty string"
            )
    return ids
