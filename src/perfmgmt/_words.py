"""Words shown to people: flag names as text, shared by the display, plot and report modules."""

from __future__ import annotations

import enum

__all__ = ["SOURCE_WORDS_ZH", "flag_words"]


SOURCE_WORDS_ZH = {
    "manager": "上级",
    "peer": "同事",
    "upward": "下属",
    "self": "自评",
    "customer": "客户",
}
"""The assessment sources (``AssessmentSource`` values) in Chinese."""


def flag_words(flags: enum.IntFlag) -> str:
    """Return the set bits of ``flags`` as lower-case words, e.g. ``"missing, reallocated"``."""
    return ", ".join(
        str(m.name).lower().replace("_", " ")
        for m in type(flags)
        if m.value and (flags & m) == m and m.name
    )
