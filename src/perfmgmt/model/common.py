"""Small value types shared across the domain model."""

from __future__ import annotations

from typing import Literal

import attrs

from perfmgmt._validate import instance_of, non_empty

__all__ = ["Label", "Language"]

Language = Literal["en", "zh"]


@attrs.frozen(kw_only=True)
class Label:
    """A human label in English and Chinese.

    Attributes:
        en: English text.
        zh: Chinese text; empty means "fall back to English".
    """

    en: str = attrs.field(validator=non_empty)
    zh: str = attrs.field(default="", validator=instance_of(str))

    def get(self, lang: Language = "en") -> str:
        """Return the label in ``lang``, falling back to English."""
        if lang == "zh" and self.zh:
            return self.zh
        return self.en

    def __str__(self) -> str:
        return self.en if not self.zh else f"{self.en} ({self.zh})"
