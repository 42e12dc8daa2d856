"""Tests for perfmgmt.rules.payout: money lines, exact proration, caps and scaling to a pool."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfmgmt.errors import ValidationError
from perfmgmt.model.incentive import Bonus, BonusPool
from perfmgmt.model.money import from_minor
from perfmgmt.rules import RuleEvaluator, rule
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
        # the largest pool a CNY amount may be, less a fen: products pass int64 by far
        pool = BonusPool(currency="CNY", amount=Decimal(10**13) - Decimal("0.01"))
        a = allocate_minor(big, pool)
        assert int(a.awarded.sum()) == 10**15 - 1


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


def _half_even(q: Fraction) -> int:
    """Round an exact fraction to the nearest integer, ties to even (the documented rule)."""
    floor = q.numerator // q.denominator
    rem = q - floor
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


#: (eligible days, cycle days)
_DAYS = st.integers(1, 400).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d)))


class TestExactProration:
    def test_half_minor_unit_rounds_to_even(self) -> None:
        """135 fen for 13 of 90 days is exactly 19.5 fen and is paid as 20 (half to even)."""
        pool = BonusPool(currency="CNY")
        a = allocate_minor(np.array([135], dtype=np.int64), pool, eligible_fraction=[13 / 90])
        assert a.prorated.tolist() == [_half_even(Fraction(135 * 13, 90))]

    def test_exact_pairs_are_taken_as_given(self) -> None:
        """A (numerators, denominators) pair prorates by exactly that ratio."""
        pool = BonusPool(currency="CNY")
        num = np.array([1, 45, 0], dtype=np.int64)
        den = np.array([2, 91, 7], dtype=np.int64)
        a = allocate_minor(
            np.array([1015, 1000, 50], dtype=np.int64), pool, eligible_fraction=(num, den)
        )
        assert a.prorated.tolist() == [
            _half_even(Fraction(1015, 2)),
            _half_even(Fraction(45000, 91)),
            0,
        ]

    def test_decimal_and_fraction_fractions_are_exact(self) -> None:
        """allocate() takes Fractions and Decimals as exact ratios."""
        pool = BonusPool(currency="CNY")
        a = allocate(
            [Decimal("10.15"), Decimal("1.35")],
            pool,
            eligible_fraction=[Decimal("0.1"), Fraction(13, 90)],
        )
        assert a.prorated.tolist() == [
            _half_even(Fraction(1015, 10)),
            _half_even(Fraction(135 * 13, 90)),
        ]

    @pytest.mark.parametrize("bad", [float("nan"), 1.5, -0.25, "half", Decimal("NaN")])
    def test_bad_fractions_are_refused(self, bad: object) -> None:
        """A fraction that is not a number in [0, 1] is refused naming its index."""
        with pytest.raises(ValidationError, match=r"eligible_fraction\[1\]"):
            allocate(
                [Decimal(1), Decimal(1)], BonusPool(currency="CNY"), eligible_fraction=[1, bad]
            )  # type: ignore[list-item]

    @given(
        st.lists(
            st.tuples(
                st.integers(0, 10**9),
                st.integers(1, 400).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))),
            ),
            min_size=1,
            max_size=30,
        ),
        st.one_of(st.none(), st.integers(0, 10**9)),
        st.one_of(st.none(), st.integers(0, 10**10)),
    )
    def test_matches_a_fraction_reference(
        self,
        cases: list[tuple[int, tuple[int, int]]],
        cap: int | None,
        pool_minor: int | None,
    ) -> None:
        """Proration by days/cycle days, cap and pool scaling equal an exact Fraction reference."""
        currency = "CNY"
        pool = BonusPool(
            currency=currency,
            per_person_cap=None if cap is None else Decimal(cap).scaleb(-2),
            amount=None if pool_minor is None else Decimal(pool_minor).scaleb(-2),
        )
        requested = np.array([r for r, _ in cases], dtype=np.int64)
        fractions = [d / days for _, (d, days) in cases]  # floats, as a population holds them
        got = allocate_minor(requested, pool, eligible_fraction=fractions)
        # the reference, written from the documented steps
        prorated = [_half_even(Fraction(r * d, days)) for r, (d, days) in cases]
        capped = [p if cap is None else min(p, cap) for p in prorated]
        total = sum(capped)
        if pool_minor is not None and total > pool_minor:
            shares = [Fraction(c * pool_minor, total) for c in capped]
            paid = [s.numerator // s.denominator for s in shares]
            left = pool_minor - sum(paid)
            order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - paid[i]), i))
            for i in order[:left]:
                paid[i] += 1
        else:
            paid = capped
        assert got.prorated.tolist() == prorated
        assert got.capped.tolist() == capped
        assert got.awarded.tolist() == paid
        assert got.total == sum(from_minor(p, currency) for p in paid)


class TestPercentLines:
    @given(
        st.decimals(min_value=0, max_value=10**7, places=2),
        st.lists(st.decimals(min_value=0, max_value=100, places=3), min_size=1, max_size=5),
    )
    def test_total_is_the_sum_of_the_listed_lines(
        self, pay: Decimal, percents: list[Decimal]
    ) -> None:
        """Each percent line is base x percent / 100 rounded half to even; the total adds them."""
        rules = [
            rule(f"r{k}", when="total >= 0", then=[Bonus.percent_of_base_pay(p)])
            for k, p in enumerate(percents)
        ]
        d = (
            RuleEvaluator()
            .evaluate_frame(rules, {"total": np.array([1.0])}, base_pay=[pay], currency="CNY")
            .row(0)
        )
        lines = [
            Decimal(_half_even(Fraction(pay) * 100 * Fraction(p) / 100)).scaleb(-2)
            for p in percents
        ]
        assert [x.amount for x in d.decisions] == lines
        assert d.bonus == sum(lines, Decimal("0.00"))

    def test_two_equal_lines_add_up(self) -> None:
        """Two 2.5 % lines on 100.18 are 2.50 each and total 5.00, not 5.01 rounded once."""
        rules = [
            rule(k, when="total >= 0", then=[Bonus.percent_of_base_pay(Decimal("2.5"))])
            for k in ("a", "b")
        ]
        d = (
            RuleEvaluator()
            .evaluate_frame(
                rules, {"total": np.array([1.0])}, base_pay=[Decimal("100.18")], currency="CNY"
            )
            .row(0)
        )
        assert [x.amount for x in d.decisions] == [Decimal("2.50"), Decimal("2.50")]
        assert d.bonus == Decimal("5.00")
