"""Actuals take values as they come: int and Decimal are the floats they stand for."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfmgmt.errors import ValidationError
from perfmgmt.model import Actual
from perfmgmt.serialization import dumps, loads


class TestActualValue:
    @pytest.mark.parametrize(
        ("given", "expected"), [(80, 80.0), (Decimal("80.50"), 80.5), (-0.0, -0.0), (1.25, 1.25)]
    )
    def test_numbers_of_any_kind(self, given: object, expected: float) -> None:
        """An int or a Decimal (a database NUMERIC) is stored as the equal float."""
        actual = Actual(kpi="csat", value=given)
        assert type(actual.value) is float
        assert actual.value == expected

    def test_round_trip_keeps_the_value(self) -> None:
        """An actual made from a Decimal round-trips through JSON unchanged."""
        actual = Actual(kpi="csat", value=Decimal("63.3"))
        assert loads(dumps(actual), Actual) == actual

    @pytest.mark.parametrize("bad", [True, "80", Decimal("NaN"), Decimal("Infinity"), 10**400])
    def test_not_numbers_are_refused(self, bad: object) -> None:
        """Booleans, text, non-finite Decimals and integers too large for a float are refused."""
        with pytest.raises(
            ValidationError, match=r"^Actual\.value: .* expected a (finite )?number"
        ):
            Actual(kpi="csat", value=bad)
