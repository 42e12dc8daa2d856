"""Tests for perfmgmt.rules.pool: proration, caps and exact scaling to a pool."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfmgmt.errors import ValidationError
from perfmgmt.model.incentive import BonusPool
from perfmgmt.rules.payout import allocate, allocate_minor, to_minor

_AWARDS = st.lists(st.integers(0, 10**9), min_size=1, max_size=40)


class TestAllocate:
    def test_under_pool_unchanged(self) -> None:
        """Awards below the pool are paid as requested, factor 1."""
        a = allocate(
            [Decimal("100.00"), Decimal("50.50")], BonusPool(currency="CNY", amount=Decimal(1000))
        )
        assert a.amounts() == (Decimal("100.00"), Decimal("50.50"))
        assert a.factor == 1
        assert not a.scaled

    def test_scaled_exactly_to_pool(self) -> None:
        """Three equal awards scaled to 100.00 give 33.34/33.33/33.33: the total is the pool."""
        a = allocate([Decimal(50)] * 3, BonusPool(currency="CNY", amount=Decimal(100)))
        assert a.amounts() == (Decimal("33.34"), Decimal("33.33"), Decimal("33.33"))
        assert a.total == Decimal("100.00")
        assert a.factor == Decimal(10000) / Decimal(15000)

    def test_cap_then_pool(self) -> None:
        """The per-person cap applies before the pool."""
        pool = BonusPool(currency="CNY", per_person_cap=Decimal(80))
        a = allocate([Decimal(100), Decimal(20)], pool)
        assert a.amounts() == (Decimal("80.00"), Decimal("20.00"))

    def test_proration(self) -> None:
        """Awards are multiplied by the eligible fraction, rounded half to even."""
        pool = BonusPool(currency="CNY")
        a = allocate([Decimal(100), Decimal("0.05")], pool, eligible_fraction=[0.5, 0.5])
        assert a.amounts() == (Decimal("50.00"), Decimal("0.02"))

    def test_no_proration_when_off(self) -> None:
        """prorate=False ignores eligible fractions."""
        pool = BonusPool(currency="JPY", prorate=False)
        a = allocate([Decimal(100)], pool, eligible_fraction=[0.5])
        assert a.amounts() == (Decimal(100),)

    def test_zero_decimal_currency(self) -> None:
        """Yen has no minor unit: amounts are whole yen."""
        assert to_minor(Decimal("100.4"), "JPY") == 100

    def test_float_refused(self) -> None:
        """A float award is refused naming its index."""
        with pytest.raises(ValidationError, match=r"requested\[1\]"):
            allocate([Decimal(1), 2.0], BonusPool(currency="CNY"))  # type: ignore[list-item]

    def test_bad_fraction_refused(self) -> None:
        """A fraction outside [0, 1] or NaN is refused naming its index."""
        with pytest.raises(ValidationError, match=r"eligible_fraction\[0\]"):
            allocate([Decimal(1)], BonusPool(currency="CNY"), eligible_fraction=[float("nan")])
        with pytest.raises(ValidationError, match="one per award"):
            allocate([Decimal(1)], BonusPool(currency="CNY"), eligible_fraction=[1.0, 1.0])

    def test_negative_minor_refused(self) -> None:
        """Negative minor-unit awards are refused."""
        with pytest.raises(ValidationError, match=">= 0"):
            allocate_minor(np.array([-1], dtype=np.int64), BonusPool(currency="CNY"))

    def test_huge_amounts_exact(self) -> None:
        """Amounts too large for int64 products still scale exactly."""
        big = np.array([4 * 10**15, 3 * 10**15, 10**15], dtype=np.int64)
        pool = BonusPool(currency="CNY", amount=Decimal(7 * 10**13) + Decimal("0.01"))
        a = allocate_minor(big, pool)
        assert int(a.awarded.sum()) == 7 * 10**15 + 1


class TestPoolProperties:
    @given(awards=_AWARDS, pool=st.integers(0, 10**10))
    def test_never_exceeded_and_met_when_scaled(self, awards: list[int], pool: int) -> None:
        """The total never exceeds the pool, and equals it exactly when scaling happened."""
        a = allocate_minor(
            np.array(awards, dtype=np.int64),
            BonusPool(currency="CNY", amount=Decimal(pool).scaleb(-2)),
        )
        total = int(a.awarded.sum())
        assert total <= pool
        assert a.scaled == (sum(awards) > pool)
        if a.scaled:
            assert total == pool
        else:
            assert a.awarded.tolist() == awards

    @given(awards=_AWARDS, pool=st.integers(0, 10**10))
    def test_scaled_awards_within_one_unit_of_quota(self, awards: list[int], pool: int) -> None:
        """Each scaled award is its exact quota rounded down or up, never above the request."""
        a = allocate_minor(
            np.array(awards, dtype=np.int64),
            BonusPool(currency="CNY", amount=Decimal(pool).scaleb(-2)),
        )
        if not a.scaled:
            return
        for got, want in zip(a.awarded.tolist(), awards, strict=True):
            quota = Fraction(want * pool, sum(awards))
            assert quota - 1 < got < quota + 1
            assert got <= want

    @given(
        awards=_AWARDS,
        cap=st.integers(0, 10**9),
        fracs=st.lists(st.floats(0, 1), min_size=40, max_size=40),
    )
    def test_cap_and_proration_bound_each_award(
        self, awards: list[int], cap: int, fracs: list[float]
    ) -> None:
        """No award exceeds the cap or its prorated request."""
        n = len(awards)
        frac = np.array(fracs[:n])
        a = allocate_minor(
            np.array(awards, dtype=np.int64),
            BonusPool(currency="CNY", per_person_cap=Decimal(cap).scaleb(-2)),
            eligible_fraction=frac,
        )
        assert (a.awarded <= cap).all()
        assert (a.awarded <= np.rint(np.array(awards) * frac)).all()
