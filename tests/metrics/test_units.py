"""Tests for perfmgmt.metrics.units: reading display units and converting between them."""

from __future__ import annotations

import numpy as np
import pytest

from perfmgmt.errors import DataError
from perfmgmt.metrics import Unit, convert, parse_unit


class TestParse:
    @pytest.mark.parametrize(
        ("text", "unit"),
        [
            ("%", Unit.PERCENT),
            ("percent", Unit.PERCENT),
            ("share", Unit.SHARE),
            ("minutes", Unit.MINUTES),
            ("seconds", Unit.SECONDS),
            ("hours per member", Unit.HOURS),
            ("count", Unit.COUNT),
            ("CNY", Unit.CURRENCY),
            ("points", Unit.POINTS),
            (Unit.SHARE, Unit.SHARE),
        ],
    )
    def test_display_units(self, text: str | Unit, unit: Unit) -> None:
        """The preset's display units and ISO currency codes map to their unit."""
        assert parse_unit(text) is unit

    def test_unknown_unit_is_none(self) -> None:
        """A unit the module does not know is None (nothing is converted silently)."""
        assert parse_unit("widgets") is None
        assert parse_unit("") is None

    def test_not_text(self) -> None:
        """A unit that is not text is a DataError."""
        with pytest.raises(DataError, match="unit 3"):
            parse_unit(3)  # type: ignore[arg-type]


class TestConvert:
    def test_share_to_percent_and_back(self) -> None:
        """Shares become percent by * 100, percent become shares by / 100."""
        x = np.array([0.633, 1.0, np.nan])
        pct = convert(x, Unit.SHARE, Unit.PERCENT)
        assert np.array_equal(pct, x * 100, equal_nan=True)
        assert np.array_equal(convert(pct, Unit.PERCENT, Unit.SHARE), pct / 100, equal_nan=True)

    def test_seconds_to_minutes_divides_once(self) -> None:
        """Seconds become minutes by one division by 60 (one rounding, not * (1/60))."""
        x = np.random.default_rng(3).random(1000) * 5000
        assert np.array_equal(convert(x, Unit.SECONDS, Unit.MINUTES), x / 60)
        assert np.array_equal(convert(x, Unit.HOURS, Unit.SECONDS), x * 3600)

    @pytest.mark.parametrize(
        ("a", "b"),
        [(Unit.SECONDS, Unit.PERCENT), (Unit.SHARE, Unit.COUNT), (Unit.POINTS, Unit.SHARE)],
    )
    def test_families_do_not_mix(self, a: Unit, b: Unit) -> None:
        """Seconds never become percent: the error names both units."""
        with pytest.raises(DataError, match=f"{a.value} cannot be converted to {b.value}"):
            convert(np.array([1.0]), a, b)
