"""Money: exact Decimal amounts in an ISO 4217 currency, quantised to its minor unit."""

from __future__ import annotations

import operator
from decimal import ROUND_HALF_EVEN, Decimal

import attrs

from perfmgmt._validate import MAX_MONEY, compile_identifier, decimal_amount, fail, matches, show
from perfmgmt.errors import ValidationError

__all__ = [
    "MAX_MINOR_UNITS",
    "MAX_MONEY",
    "Money",
    "check_currency",
    "check_money_range",
    "from_minor",
    "minor_units",
    "quantize",
    "to_minor",
]

MAX_MINOR_UNITS = 10**15
"""The largest magnitude of an amount of money in minor units (fen, cents): 10^13 yuan or
dollars, 10^15 yen (no minor unit), 10^11 of a four-digit currency such as CLF.

Amounts are added and prorated as int64 minor units (largest about 9.2e18); with this limit
thousands of the largest amounts still add up exactly, so pools and rules never overflow."""

_CURRENCY = compile_identifier(r"[A-Z]{3}")

# ISO 4217 currencies whose minor unit is not 2 digits; every other code has 2.
_MINOR_UNITS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip


def check_currency(code: object, what: str = "currency") -> str:
    """Return ``code`` if it has ISO 4217's shape (three upper-case letters), else raise."""
    if matches(code, _CURRENCY):
        return code
    raise ValidationError(
        f"{what}: {show(code)} is not an ISO 4217 currency code; expected three upper-case "
        "letters such as 'CNY' or 'USD'",
        field=what,
        value=code,
    )


def check_money_range(amount: Decimal, currency: str, what: str) -> Decimal:
    """Return ``amount`` if it is within :data:`MAX_MINOR_UNITS` of ``currency``, else raise.

    ``amount`` is a finite Decimal already (checked by the field's validator).
    """
    limit = Decimal(MAX_MINOR_UNITS).scaleb(-minor_units(currency))
    if abs(amount) > limit:
        raise ValidationError(
            f"{what}: {amount} {currency} is not allowed; amounts in {currency} are limited to "
            f"{limit:,f} ({MAX_MINOR_UNITS:.0e} minor units)",
            field=what,
            value=amount,
        )
    return amount


def minor_units(currency: str) -> int:
    """Return the number of decimal digits of ``currency``'s minor unit (2 for most)."""
    return _MINOR_UNITS.get(check_currency(currency), 2)


def _check_amount(amount: object, what: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or abs(amount) > MAX_MONEY:
        raise ValidationError(
            f"{what}: {show(amount)} is not allowed; expected a finite decimal.Decimal of at "
            f"most {MAX_MONEY:,} units",
            field=what,
            value=amount,
        )
    return amount


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit, half to even.

    Raises:
        ValidationError: When ``amount`` is not a finite Decimal within :data:`MAX_MONEY`.
    """
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return _check_amount(amount, "amount").quantize(exponent, rounding=ROUND_HALF_EVEN)


def to_minor(amount: Decimal, currency: str) -> int:
    """Return ``amount`` in integer minor units of ``currency`` (rounded half to even).

    Raises:
        ValidationError: When ``amount`` is not a finite Decimal within :data:`MAX_MONEY`.
    """
    return int(quantize(amount, currency).scaleb(minor_units(currency)))


_INT64 = 2**63


def from_minor(value: int, currency: str) -> Decimal:
    """Return ``value`` minor units of ``currency`` as a Decimal (``12345`` -> ``123.45``).

    Raises:
        ValidationError: When ``value`` is not a whole number that int64 holds (sums of many
            amounts may pass :data:`MAX_MINOR_UNITS`; they are exact up to there).
    """
    try:
        whole = operator.index(value)  # int, or a numpy integer; never a float or a bool
    except TypeError:
        whole = None
    if isinstance(value, bool) or whole is None or not -_INT64 < whole < _INT64:
        raise ValidationError(
            f"value: {show(value)} is not allowed; expected a whole number of minor units",
            field="value",
            value=value,
        )
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(whole).scaleb(-minor_units(currency)).quantize(exponent)


def _currency(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not matches(value, _CURRENCY):
        fail(instance, attribute, value, "expected an ISO 4217 code: three upper-case letters")


@attrs.frozen(kw_only=True)
class Money:
    """An exact amount of money.

    Attributes:
        amount: The amount as a Decimal; floats are refused.
        currency: ISO 4217 code such as ``"CNY"``.
    """

    amount: Decimal = attrs.field(validator=decimal_amount)
    currency: str = attrs.field(validator=_currency)

    def __attrs_post_init__(self) -> None:
        check_money_range(self.amount, self.currency, "Money.amount")

    def quantized(self) -> Money:
        """Return this amount rounded to the currency's minor unit."""
        return Money(amount=quantize(self.amount, self.currency), currency=self.currency)

    @property
    def minor(self) -> int:
        """The amount in integer minor units (after rounding to the minor unit)."""
        return to_minor(self.amount, self.currency)

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"
