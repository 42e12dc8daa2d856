"""The two languages calibration texts come in, checked in one place for the log and reports."""

from __future__ import annotations

from typing import Literal

from perfmgmt.errors import ValidationError

__all__ = ["Lang", "check_lang"]

Lang = Literal["en", "zh"] | str
"""``"en"`` or ``"zh"``; any other text is refused by :func:`check_lang`."""


def check_lang(lang: str) -> bool:
    """Return whether ``lang`` is Chinese, refusing anything but ``"en"`` and ``"zh"``."""
    if lang not in ("en", "zh"):
        raise ValidationError(
            f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return lang == "zh"
