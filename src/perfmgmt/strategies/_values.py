"""Small values (keys, labels, texts, amounts, dates) and the checks every strategy shares."""

from __future__ import annotations

import datetime as dt
import keyword
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from perfmgmt.model import Label
from perfmgmt.model.condition import KEYWORDS

T = TypeVar("T")

_KEY_HEAD = string.ascii_lowercase
_KEY_TAIL = string.ascii_lowercase + string.digits + "_"
# Readable text that is valid everywhere perfmgmt stores free text: ASCII letters, digits,
# space, a few CJK characters (the founding document is Chinese) and common punctuation.
_TEXT_ALPHABET = string.ascii_letters + string.digits + " .-'" + "绩效客户满意度团队培训"


def _check_sizes(name: str, low: int, high: int | None, *, minimum: int = 0) -> None:
    if not isinstance(low, int) or isinstance(low, bool) or low < minimum:
        raise InvalidArgument(f"{name}: min_size={low!r} must be a whole number >= {minimum}")
    if high is not None and (not isinstance(high, int) or isinstance(high, bool) or high < low):
        raise InvalidArgument(f"{name}: max_size={high!r} must be a whole number >= min_size")


def _strategy(name: str, value: object) -> None:
    if not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(
            f"{name} must be a Hypothesis strategy, got {type(value).__name__}; wrap a fixed value "
            "in st.just(...)"
        )


def _or_default(
    name: str, value: st.SearchStrategy[T] | None, default: st.SearchStrategy[T]
) -> st.SearchStrategy[T]:
    if value is None:
        return default
    _strategy(name, value)
    return value


def _make(cls: Callable[..., T], **kwargs: Any) -> T:
    # Classes whose tuple fields use ``converter=tuple`` get an unsolvable ``Iterable[_T_co]``
    # parameter type from mypy's attrs plugin; building them through here keeps mypy quiet
    # while attrs still validates every argument at run time.
    return cls(**kwargs)


def keys(*, max_size: int = 12) -> st.SearchStrategy[str]:
    """Return a strategy for identifier-like keys (``csat``, ``kpi_2``), shrinking to ``"a"``.

    Args:
        max_size: Longest key, 1 to 64 characters.
    """
    if not isinstance(max_size, int) or not 1 <= max_size <= 64:
        raise InvalidArgument(f"keys: max_size={max_size!r} must be between 1 and 64")
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(_KEY_HEAD),
        st.text(alphabet=_KEY_TAIL, max_size=max_size - 1),
    ).filter(lambda k: k not in KEYWORDS and not keyword.iskeyword(k))


def _texts(*, min_size: int = 0, max_size: int = 24) -> st.SearchStrategy[str]:
    text = st.text(alphabet=_TEXT_ALPHABET, min_size=min_size, max_size=max_size)
    return text.filter(str.strip) if min_size else text


def labels(
    *, en: st.SearchStrategy[str] | None = None, zh: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Label]:
    """Return a strategy for :class:`~perfmgmt.model.Label`.

    Args:
        en: Strategy for the English text (non-blank); readable text by default.
        zh: Strategy for the Chinese text (may be empty).
    """
    en_s = _or_default("en", en, _texts(min_size=1)).filter(str.strip)
    zh_s = _or_default("zh", zh, st.sampled_from(["", "绩效", "客户满意度", "团队士气指数"]))
    return st.builds(Label, en=en_s, zh=zh_s)


def decimals(
    *, min_value: int = 0, max_value: int = 1_000_000, places: int = 2
) -> st.SearchStrategy[Decimal]:
    """Return a strategy for finite Decimal amounts with ``places`` decimal places.

    Args:
        min_value: Smallest amount.
        max_value: Largest amount.
        places: Digits after the decimal point.
    """
    if max_value < min_value:
        raise InvalidArgument(f"decimals: max_value={max_value!r} is below min_value={min_value!r}")
    return st.decimals(
        min_value=min_value,
        max_value=max_value,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    ).map(lambda d: d + 0)  # normalises -0.00 to 0.00


def _finite(low: float = -1e6, high: float = 1e6) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def _weights(n: int) -> st.SearchStrategy[list[float]]:
    # Positive integers rescaled later: shrinks to equal weights and never sums to zero.
    return st.lists(st.integers(1, 100).map(float), min_size=n, max_size=n)


def _unique_keys(
    n_min: int, n_max: int, key_strategy: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[list[str]]:
    return st.lists(key_strategy or keys(), min_size=n_min, max_size=n_max, unique=True)


def _default_keys() -> st.SearchStrategy[str]:
    return keys()


def _default_labels() -> st.SearchStrategy[Label]:
    return labels()


_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
