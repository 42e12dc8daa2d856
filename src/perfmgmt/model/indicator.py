"""Indicators: what is measured, in which unit, and which way is better."""

from __future__ import annotations

import enum

import attrs

from perfmgmt._validate import in_range, instance_of, key, optional
from perfmgmt.model.common import Label

__all__ = ["Direction", "Indicator", "IndicatorKind"]


class Direction(enum.Enum):
    """Which way an indicator improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    TARGET_IS_BEST = "target_is_best"


class IndicatorKind(enum.Enum):
    """Whether an indicator is measured (quantitative) or judged (qualitative)."""

    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"


@attrs.frozen(kw_only=True)
class Indicator:
    """A measurable quantity, such as the customer satisfaction score (客户满意度得分).

    Attributes:
        key: Identifier used in rules and data columns, e.g. ``"csat"``.
        label: English and Chinese names.
        unit: Display unit, e.g. ``"%"``, ``"seconds"``, ``"points"``, ``"count"``.
        direction: Which way is better.
        kind: Quantitative (measured) or qualitative (judged).
        precision: Decimal places used when displaying values.
        source: Where the data comes from (e.g. ``"CRM ticket export"``), for measurability.
        description: What exactly is measured.
    """

    key: str = attrs.field(validator=key)
    label: Label = attrs.field(validator=instance_of(Label))
    unit: str = attrs.field(default="", validator=instance_of(str))
    direction: Direction = attrs.field(
        default=Direction.HIGHER_IS_BETTER, validator=instance_of(Direction)
    )
    kind: IndicatorKind = attrs.field(
        default=IndicatorKind.QUANTITATIVE, validator=instance_of(IndicatorKind)
    )
    precision: int = attrs.field(default=2, validator=in_range(0, 10))
    source: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    description: str = attrs.field(default="", validator=instance_of(str))
