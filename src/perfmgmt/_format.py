"""Numbers, percentages, money and dates as text, per language: the one place that formats them.

Every report, explanation and command line formats a number through this module, so English
and Chinese text agree on digits and differ only where the languages differ:

- numbers: ``12345.6`` in both by default (tables and scores stay as they were, so English
  output does not change); ``group=True`` adds separators of three, the same in both languages;
- percentages: ``42.5%`` in both, no space;
- money: ``¥12,345.00`` for CNY in Chinese (sign, separators of three); English keeps its
  ``12345.00 CNY``; other currencies are written with their code in both, because a symbol
  alone is ambiguous;
- dates: ``2026-03-31`` in English (ISO 8601, what HR systems exchange) and
  ``2026年3月31日`` in Chinese.

Why not Babel: two languages with the same digit grouping and decimal point need a dozen lines,
while Babel brings a large locale database, a second notion of rounding (it formats through
floats unless handed a Decimal, and rounds half-up by default where our money is half-even) and
a dependency for every HRIS that embeds the library.  Money is formatted here from a ``Decimal``
already quantised by the caller, so this module never rounds money a second time.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from perfmgmt.errors import ValidationError

__all__ = ["LANGS", "check_lang", "fmt_date", "fmt_money", "fmt_number", "fmt_percent"]

LANGS = ("en", "zh")
"""The languages the library writes."""

_CURRENCY_SIGN: dict[str, dict[str, str]] = {"zh": {"CNY": "¥"}, "en": {}}


def check_lang(lang: str, where: str = "lang") -> str:
    """Return ``lang`` when it is ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: Another language.
    """
    if lang not in LANGS:
        raise ValidationError(
            f"{where}: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return lang


def fmt_number(
    value: float | Decimal | Fraction | int | None,
    digits: int = 1,
    lang: str = "en",
    *,
    group: bool = False,
) -> str:
    """Return ``value`` with ``digits`` decimals and thousands separators; ``"-"`` for None.

    Args:
        value: The number (None or NaN for "no value").
        digits: Decimals to show.
        lang: ``"en"`` or ``"zh"`` (both group by three with a comma).
        group: True to add thousands separators.
    """
    check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    sep = "," if group else ""
    return f"{value:{sep}.{digits}f}"


def fmt_percent(value: float | Decimal | Fraction | None, digits: int = 1, lang: str = "en") -> str:
    """Return a share (``0.425``) as a percentage (``"42.5%"``); ``"-"`` for None."""
    check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{fmt_number(value * 100, digits, lang)}%"


def fmt_money(amount: Decimal | None, currency: str | None, lang: str = "en") -> str:
    """Return an amount with its currency: ``"¥1,234.50"`` (zh, CNY) or ``"1234.50 CNY"`` (en).

    The amount is shown with exactly the decimals it carries (the caller quantised it to the
    currency's minor unit), so formatting never rounds money.
    """
    check_lang(lang)
    if amount is None:
        return "-"
    if lang == "en":
        return f"{amount} {currency}" if currency else str(amount)
    exponent = amount.as_tuple().exponent
    digits = max(0, -exponent) if isinstance(exponent, int) else 0
    text = f"{amount:,.{digits}f}"
    sign = _CURRENCY_SIGN[lang].get(currency or "")
    if sign is not None:
        return f"-{sign}{text[1:]}" if text.startswith("-") else f"{sign}{text}"
    return f"{text} {currency}" if currency else text


def fmt_date(day: dt.date | None, lang: str = "en") -> str:
    """Return a date: ISO ``2026-03-31`` in English, ``2026年3月31日`` in Chinese."""
    check_lang(lang)
    if day is None:
        return "-"
    if isinstance(day, dt.datetime):
        day = day.date()
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()
