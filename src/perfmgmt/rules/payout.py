"""Money: amounts of bonus and deduction lines, proration, per-person caps and the bonus pool.

Every amount is handled in integer minor units (fen, cents) with exact integer arithmetic, and
is rounded once, half to even, to the minor unit:

- a **fixed** line (a fixed amount, or a multiple of a target bonus) is its amount rounded to
  the minor unit;
- a **percent** line is ``base pay x percent / 100`` rounded to the minor unit, the base pay
  itself in minor units (percents are exact to ``1e-6`` %);
- a subject's **total** is the sum of its listed lines, so the lines always add up to it.

Then the optional :class:`~perfmgmt.model.incentive.BonusPool`:

1. each award is multiplied by the subject's eligible fraction of the cycle (if the pool says
   ``prorate``), exactly, rounding half to even to the minor unit;
2. each award is capped at the pool's ``per_person_cap``;
3. when the capped awards add up to more than the pool, every award is scaled by
   ``pool / total`` and rounded with the largest-remainder method, so the awards add up to the
   pool *exactly* and nobody gets more than before scaling.  Ties in the remainders go to the
   earlier subject, so the result is deterministic.

An eligible fraction is a ratio of whole numbers (eligible days over cycle days).  Given as a
:class:`~fractions.Fraction`, :class:`~decimal.Decimal` or int it is used as it is; given as a
float it is read as the fraction it stands for: the one with a denominator of at most
:data:`MAX_DENOMINATOR` whose nearest float it is (``0.1`` is one tenth, ``45 / 91`` is 45/91),
and failing that the float's exact binary value.  No float multiplies money.

Decimal is used at the API boundary (:func:`allocate`); the evaluator calls
:func:`allocate_minor` on int64 arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._allocate import INT64_SAFE, largest_remainder
from perfmgmt._typing import FloatArray, IntArray
from perfmgmt._validate import show
from perfmgmt.errors import RuleError, ValidationError
from perfmgmt.model.incentive import (
    Bonus,
    BonusBasis,
    BonusPool,
    Deduction,
    DeductionBasis,
    Outcome,
)
from perfmgmt.model.money import check_money_range, from_minor, to_minor

__all__ = [
    "MAX_DENOMINATOR",
    "PoolAllocation",
    "allocate",
    "allocate_minor",
    "exact_fractions",
    "prorate_minor",
    "to_minor",
]

#: Percents are exact to ``10**-PCT_DIGITS`` %; finer ones are refused.
PCT_DIGITS = 6
#: A percent line's numerator is over this scale: ``amount = base x numerator / PCT_SCALE``.
PCT_SCALE = 100 * 10**PCT_DIGITS
#: The largest denominator a float eligible fraction is read with (see the module docstring).
MAX_DENOMINATOR = 100_000

#: Below this, products of whole numbers are exact in float64 (see percent_amounts).
EXACT_PRODUCT = 2**52


# -- exact integer rounding -----------------------------------------------------------------------


def div_round_half_even(a: IntArray, d: IntArray | int) -> IntArray:
    """Return ``a / d`` rounded half to even, for int64 ``a >= 0`` and ``d > 0`` (exact)."""
    q = np.asarray(a // d, dtype=np.int64)
    r = a - q * d  # 0 <= r < d
    # round up when 2r > d, or 2r == d and q is odd: for integers that is 2r + (q & 1) > d
    q += (2 * r + (q & 1)) > d
    return q


def _round_half_even_int(a: int, d: int) -> int:
    q, r = divmod(a, d)
    return q + (2 * r > d or (2 * r == d and q % 2 == 1))


def _scale_exact(values: IntArray, num: IntArray, den: IntArray) -> IntArray:
    """Return ``values x num / den`` rounded half to even per element, exactly."""
    top = int(values.max(initial=0)) * int(num.max(initial=0))
    if top < INT64_SAFE and int(den.max(initial=1)) < INT64_SAFE:
        return div_round_half_even(values * num, den)
    # enormous amounts or denominators: exact Python integers
    return np.array(
        [
            _round_half_even_int(int(v) * int(n), int(d))
            for v, n, d in zip(values.tolist(), num.tolist(), den.tolist(), strict=True)
        ],
        dtype=np.int64,
    )


# -- lines of money --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MoneyTerms:
    """The money of one rule or table row: fixed minor units and one numerator per percent line.

    Attributes:
        bonus_fixed: Sum of the fixed bonus lines, each rounded to the minor unit.
        bonus_percents: Per percent-of-base-pay bonus line, its percent over :data:`PCT_SCALE`.
        deduction_fixed: Sum of the fixed deduction lines.
        deduction_percents: Per percent deduction line, its percent over :data:`PCT_SCALE`.
    """

    bonus_fixed: int = 0
    bonus_percents: tuple[int, ...] = ()
    deduction_fixed: int = 0
    deduction_percents: tuple[int, ...] = ()

    @property
    def has_money(self) -> bool:
        """Whether any line is a bonus or deduction."""
        return bool(
            self.bonus_fixed
            or self.bonus_percents
            or self.deduction_fixed
            or self.deduction_percents
        )

    @property
    def percents(self) -> tuple[int, ...]:
        """Every percent numerator, bonus and deduction."""
        return (*self.bonus_percents, *self.deduction_percents)


def percent_numerator(value: Decimal, where: str) -> int:
    """Return ``value`` percent as an integer over :data:`PCT_SCALE` (exact), or refuse it."""
    scaled = value.scaleb(PCT_DIGITS)
    if scaled != scaled.to_integral_value():
        raise RuleError(
            f"{where}: percent {value} has more than {PCT_DIGITS} decimal places; round it"
        )
    return int(scaled)


def _check_currency(o: Bonus | Deduction, currency: str | None, where: str) -> None:
    if o.currency is not None and currency is not None and o.currency != currency:
        raise RuleError(
            f"{where}: outcome currency {o.currency!r} differs from the evaluation "
            f"currency {currency!r}; use one currency per scheme"
        )


def fixed_minor(outcome: Bonus | Deduction) -> int | None:
    """Return a fixed line's amount in minor units, or None for a percent line."""
    if isinstance(outcome, Bonus) and outcome.basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS:
        assert outcome.currency is not None
        assert outcome.target_bonus is not None
        return to_minor(outcome.value * outcome.target_bonus, outcome.currency)
    if outcome.basis in (BonusBasis.FIXED_AMOUNT, DeductionBasis.FIXED_AMOUNT):
        assert outcome.currency is not None
        return to_minor(outcome.value, outcome.currency)
    return None


def money_terms(outcomes: Sequence[Outcome], currency: str | None, where: str) -> MoneyTerms:
    """Return the money lines of ``outcomes`` (a rule's, or a table row's).

    Raises:
        RuleError: An outcome in another currency, or a percent finer than ``1e-6`` %.
    """
    bf = df = 0
    bp: list[int] = []
    dp: list[int] = []
    for o in outcomes:
        if not isinstance(o, Bonus | Deduction):
            continue
        _check_currency(o, currency, where)
        fixed = fixed_minor(o)
        bonus = isinstance(o, Bonus)
        if fixed is None:
            (bp if bonus else dp).append(percent_numerator(o.value, where))
        elif bonus:
            bf += fixed
        else:
            df += fixed
    return MoneyTerms(
        bonus_fixed=bf,
        bonus_percents=tuple(bp),
        deduction_fixed=df,
        deduction_percents=tuple(dp),
    )


def line_minor(outcome: Outcome, base_minor: int | None) -> int | None:
    """Return one listed line's amount in minor units (None: not money, or base pay unknown).

    The same rounding as :func:`percent_amounts`, on one value.
    """
    if not isinstance(outcome, Bonus | Deduction):
        return None
    fixed = fixed_minor(outcome)
    if fixed is not None:
        return fixed
    if base_minor is None or base_minor < 0:
        return None
    return _round_half_even_int(base_minor * percent_numerator(outcome.value, ""), PCT_SCALE)


def percent_amounts(base_minor: IntArray, base_f: FloatArray, pct: int) -> IntArray:
    """Return ``round_half_even(base x pct / PCT_SCALE)`` per subject, exactly.

    ``base_minor`` holds the base pays (>= 0) in minor units and ``base_f`` the same values as
    float64. While ``base x pct < 2**52`` the float64 product is exact, and the quotient
    ``Q = base x pct / scale`` carries one rounding error of at most ``Q x 2**-53 < 1 / (2 x
    scale)``: less than the distance from Q to any half-integer it is not equal to (a multiple
    of ``1 / (2 x scale)``). ``rint`` therefore rounds half to even just as integer arithmetic
    does, without int64 division and its temporaries. Larger amounts take the integer path.
    """
    if pct == 0:
        return np.zeros(base_minor.shape, dtype=np.int64)
    if int(base_minor.max(initial=0)) * pct < EXACT_PRODUCT:
        amount = base_f * float(pct)
        amount /= PCT_SCALE
        np.rint(amount, out=amount)
        return amount.astype(np.int64)
    return _scale_exact(
        base_minor,
        np.full(base_minor.shape, pct, dtype=np.int64),
        np.full(base_minor.shape, PCT_SCALE, dtype=np.int64),
    )


# -- eligible fractions ----------------------------------------------------------------------------


def _fraction_of(value: object) -> Fraction | None:
    """Return ``value`` as an exact fraction in [0, 1], or None when it is not one."""
    fraction: Fraction | None = None
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isfinite(f):
            near = Fraction(f).limit_denominator(MAX_DENOMINATOR)
            fraction = near if float(near) == f else Fraction(f)
    elif isinstance(value, Decimal):
        fraction = Fraction(value) if value.is_finite() else None
    elif isinstance(value, Fraction | int | np.integer) and not isinstance(value, bool):
        fraction = Fraction(int(value)) if isinstance(value, np.integer) else Fraction(value)
    if fraction is None or not 0 <= fraction <= 1:
        return None
    return fraction


def exact_fractions(values: Sequence[object] | npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Return eligible fractions as exact ``(numerators, denominators)`` int64 arrays.

    Floats are read as the ratio they stand for (see the module docstring); Fractions,
    Decimals and ints exactly. Each distinct value is converted once.

    Raises:
        ValidationError: A value outside [0, 1], NaN, or not a number.
    """
    data = np.asarray(values)
    if data.dtype.kind == "f":
        uniques, inverse = np.unique(data, return_inverse=True)
        items: list[object] = uniques.tolist()
    else:
        items = list(data.ravel().tolist()) if data.dtype.kind != "O" else list(data.ravel())
        inverse = np.arange(len(items))
    num: list[int] = []
    den: list[int] = []
    for k, item in enumerate(items):
        fraction = _fraction_of(item)
        if fraction is None:
            i = int(np.flatnonzero(np.asarray(inverse).ravel() == k)[0])
            raise ValidationError(
                f"eligible_fraction[{i}]: {show(item)} is not allowed; expected a number "
                "between 0 and 1",
                field="eligible_fraction",
                value=item,
            )
        num.append(fraction.numerator)
        den.append(fraction.denominator)
    try:
        n_arr = np.array(num, dtype=np.int64)
        d_arr = np.array(den, dtype=np.int64)
    except OverflowError:  # a tiny float's exact binary value: reduce it to the nearest
        pairs = [
            (f.numerator, f.denominator)
            for f in (
                Fraction(a, b).limit_denominator(2**62) for a, b in zip(num, den, strict=True)
            )
        ]
        n_arr = np.array([p[0] for p in pairs], dtype=np.int64)
        d_arr = np.array([p[1] for p in pairs], dtype=np.int64)
    return n_arr[inverse].reshape(data.shape), d_arr[inverse].reshape(data.shape)


def prorate_minor(amounts: IntArray, numerators: IntArray, denominators: IntArray) -> IntArray:
    """Return ``amounts x numerators / denominators``, rounded half to even, exactly.

    Args:
        amounts: int64 ``(N,)`` amounts >= 0 in minor units.
        numerators: int64 ``(N,)`` numerators >= 0.
        denominators: int64 ``(N,)`` denominators > 0, each at least its numerator.
    """
    return _scale_exact(
        np.asarray(amounts, dtype=np.int64),
        np.asarray(numerators, dtype=np.int64),
        np.asarray(denominators, dtype=np.int64),
    )


# -- the pool -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class PoolAllocation:
    """The result of applying a pool to requested awards, per subject in minor units.

    Attributes:
        currency: ISO 4217 code of every amount.
        requested: int64 ``(N,)`` awards as the rules gave them.
        prorated: int64 ``(N,)`` after proration by eligible fraction.
        capped: int64 ``(N,)`` after the per-person cap.
        awarded: int64 ``(N,)`` after scaling to the pool; what is paid.
        factor: ``pool / total capped`` when scaling happened, else ``Decimal(1)``.
        scaled: Whether the awards were scaled down to the pool.
        pool: The pool amount, or None.
        per_person_cap: The pool's cap per person, or None.
        proration: The exact eligible fractions ``(numerators, denominators)`` the awards
            were prorated by, or None when the pool does not prorate.
    """

    currency: str
    requested: IntArray
    prorated: IntArray
    capped: IntArray
    awarded: IntArray
    factor: Decimal
    scaled: bool
    pool: Decimal | None
    per_person_cap: Decimal | None = None
    proration: tuple[IntArray, IntArray] | None = None

    @property
    def total(self) -> Decimal:
        """The total awarded, as a Decimal: the sum of the listed awards."""
        return from_minor(int(self.awarded.sum()), self.currency)

    def amount(self, i: int) -> Decimal:
        """Return subject ``i``'s award as a Decimal in the currency's minor unit."""
        return from_minor(int(self.awarded[i]), self.currency)

    def amounts(self) -> tuple[Decimal, ...]:
        """Return every subject's award as a Decimal."""
        return tuple(from_minor(int(v), self.currency) for v in self.awarded)


def _check_requested(requested: IntArray) -> None:
    if requested.size and int(requested.min()) < 0:
        i = int(np.argmin(requested))
        raise ValidationError(
            f"requested[{i}]: {int(requested[i])} minor units is not allowed; awards are >= 0",
            field="requested",
            value=int(requested[i]),
        )


def allocate_minor(
    requested: IntArray,
    pool: BonusPool,
    *,
    eligible_fraction: npt.ArrayLike | tuple[IntArray, IntArray] | None = None,
) -> PoolAllocation:
    """Apply proration, caps and the pool to awards in integer minor units.

    Args:
        requested: int64 ``(N,)`` awards >= 0 in minor units of ``pool.currency``.
        pool: The pool settings.
        eligible_fraction: ``(N,)`` fractions in [0, 1] (floats are read as the ratio they
            stand for, see the module docstring), or an exact ``(numerators, denominators)``
            pair of int64 arrays; None means 1 for everyone.

    Returns:
        The allocation.

    Raises:
        ValidationError: An award is negative, or a fraction is outside [0, 1].
    """
    requested = np.asarray(requested, dtype=np.int64)
    _check_requested(requested)
    prorated = requested
    proration: tuple[IntArray, IntArray] | None = None
    if pool.prorate and eligible_fraction is not None:
        if isinstance(eligible_fraction, tuple) and len(eligible_fraction) == 2:
            num, den = (np.asarray(a, dtype=np.int64) for a in eligible_fraction)
        else:
            num, den = exact_fractions(eligible_fraction)
        prorated = prorate_minor(requested, num, den)
        proration = (num, den)
    capped = prorated
    if pool.per_person_cap is not None:
        capped = np.minimum(prorated, to_minor(pool.per_person_cap, pool.currency))
    awarded = capped
    factor = Decimal(1)
    scaled = False
    if pool.amount is not None:
        pool_minor = to_minor(pool.amount, pool.currency)
        # Python ints: an int64 sum of many large awards would wrap around without a word.
        total = sum(capped.tolist())
        if total > pool_minor:
            awarded = largest_remainder(capped, pool_minor, total)
            factor = Decimal(pool_minor) / Decimal(total)
            scaled = True
    return PoolAllocation(
        currency=pool.currency,
        requested=requested,
        prorated=prorated,
        capped=capped,
        awarded=awarded,
        factor=factor,
        scaled=scaled,
        pool=pool.amount,
        per_person_cap=pool.per_person_cap,
        proration=proration,
    )


def allocate(
    requested: Sequence[Decimal],
    pool: BonusPool,
    *,
    eligible_fraction: Sequence[Fraction | Decimal | int | float] | None = None,
) -> PoolAllocation:
    """Apply proration, per-person caps and the pool to Decimal awards.

    Args:
        requested: One award per subject, as Decimals >= 0 in ``pool.currency``.
        pool: The pool settings.
        eligible_fraction: One fraction in [0, 1] per subject (a Fraction, Decimal or int is
            exact; a float is read as the ratio it stands for), or None.

    Returns:
        The allocation; ``amount(i)`` / ``amounts()`` give Decimals.

    Raises:
        ValidationError: An award is not a Decimal or negative, or the lengths differ.
    """
    for i, value in enumerate(requested):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValidationError(
                f"requested[{i}]: {show(value)} is not allowed; money must be a finite "
                "decimal.Decimal",
                field="requested",
                value=value,
            )
        check_money_range(value, pool.currency, f"requested[{i}]")
    minor = np.array([to_minor(v, pool.currency) for v in requested], dtype=np.int64)
    frac = None
    if eligible_fraction is not None:
        if len(eligible_fraction) != len(requested):
            raise ValidationError(
                f"eligible_fraction: {len(eligible_fraction)} values for {len(requested)} "
                "awards; give one per award",
                field="eligible_fraction",
                value=len(eligible_fraction),
            )
        column = np.empty(len(eligible_fraction), dtype=object)
        column[:] = list(eligible_fraction)
        frac = exact_fractions(column)
    return allocate_minor(minor, pool, eligible_fraction=frac)
