"""Tests for perfmgmt.metrics.result: the columnar MetricResult."""

from __future__ import annotations

import math

import numpy as np
import pytest

from perfmgmt.errors import DataError
from perfmgmt.metrics import MetricResult


def result() -> MetricResult:
    """Build a three-group result with one empty group."""
    return MetricResult(
        metric="csat",
        by="manager",
        groups=np.array(["a", "b", "c"], dtype=object),
        value=np.array([0.5, 0.9, np.nan]),
        n=np.array([2, 30, 0]),
        definition="test",
    )


class TestMetricResult:
    def test_views(self) -> None:
        """to_dict, rows and get expose the same aligned values."""
        r = result()
        assert r.to_dict()["b"] == 0.9
        assert r.rows()[0] == ("a", 0.5, 2)
        assert r.get("a") == 0.5
        assert len(r) == 3

    def test_require_masks_small_samples(self) -> None:
        """require(k) sets values with fewer than k samples to NaN and flags them."""
        r = result().require(10)
        assert math.isnan(r.value[0])
        assert r.value[1] == 0.9
        assert r.insufficient.tolist() == [True, False, True]
        assert result().insufficient.tolist() == [False, False, True]

    def test_bad_min_sample(self) -> None:
        """A negative minimum sample is refused."""
        with pytest.raises(DataError, match="min_sample"):
            result().require(-1)

    def test_unknown_group(self) -> None:
        """Asking for a missing group names it."""
        with pytest.raises(DataError, match="'zz'"):
            result().get("zz")

    def test_lengths_must_agree(self) -> None:
        """Misaligned arrays are refused."""
        with pytest.raises(DataError, match="same length"):
            MetricResult(
                metric="x",
                by="m",
                groups=np.array(["a"], dtype=object),
                value=np.array([]),
                n=np.array([1]),
                definition="",
            )

    def test_read_only(self) -> None:
        """The result's arrays cannot be modified."""
        with pytest.raises(ValueError, match="read-only"):
            result().value[0] = 1.0
