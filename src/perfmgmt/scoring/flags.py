"""What happened to a KPI or a review while it was scored: flag bits and their words.

Flags travel with every result (``BatchScores.flags``, ``KpiLine.flags``, ``ScoreCard.flags``)
so that a reader can see why a weight moved or why a review was not rated.
"""

from __future__ import annotations

import enum

__all__ = ["KpiFlag", "ReviewFlag", "flag_notes"]


class KpiFlag(enum.IntFlag):
    """What happened to one KPI of one review (bits, combined with ``|``)."""

    NONE = 0
    MISSING = 1
    """No actual value."""
    INSUFFICIENT_DATA = 2
    """Sample size below the KPI's ``min_sample``.

    Under the scheme's default ``SmallSample.CAP_AT_TARGET`` the KPI is still scored on its
    actual, at most 100, and carries no policy flag; under ``AS_MISSING`` its ``missing``
    policy applies and its policy flag is set."""
    REALLOCATED = 4
    """Missing or insufficient; the weight was reallocated to the measured KPIs."""
    SCORED_ZERO = 8
    """Missing or insufficient; scored 0 by policy."""
    EXCLUDED = 16
    """Missing or insufficient under policy ``EXCLUDE``: the review is not rated."""
    GATED = 32
    """This KPI's gate fired: its actual is on the wrong side of the gate threshold.

    The gate then caps the quantitative total; whether that lowered the total is the review's
    :attr:`ReviewFlag.GATED`.
    """
    OVERRIDDEN_TARGET = 64
    """A per-review agreed goal replaced the scheme's default threshold/target/stretch."""
    REWEIGHTED = 128
    """Measured, and its effective weight differs from its nominal weight because weight
    was reallocated to it from a KPI without usable data (flag ``REALLOCATED`` there)."""


class ReviewFlag(enum.IntFlag):
    """Why a review was not rated, or what else is unusual about it (bits)."""

    NONE = 0
    NOT_ELIGIBLE = 1
    """Fewer eligible days in the cycle than the scheme's ``min_eligible_days``."""
    EXCLUDED_KPI = 2
    """A KPI under policy ``EXCLUDE`` had missing or insufficient data."""
    NO_QUANTITATIVE = 4
    """No KPI could be scored, so there is no quantitative total."""
    NO_QUALITATIVE = 8
    """The scheme has qualitative criteria but no source had enough raters."""
    OUT_OF_SCALE = 16
    """The blended total lies outside the rating scale; it is not clamped, the review is unrated."""
    GATED = 32
    """A gate fired and lowered the quantitative total (a gate whose cap lies above the total
    changes nothing and does not set this flag; the KPI still carries :attr:`KpiFlag.GATED`)."""
    TOO_LITTLE_DATA = 64
    """Less of the quantitative weight was measured than the scheme's
    ``missing_data.min_measured_share``: the review is not rated (not rated low, not punished)
    and is left for a person to resolve."""
    GATE_WITHOUT_DATA = 128
    """A gated KPI had no usable actual and the scheme's ``missing_data.gate_without_data`` is
    ``HOLD``: the review is not rated, for a person to resolve."""


NOT_RATED_BITS = (
    ReviewFlag.NOT_ELIGIBLE
    | ReviewFlag.EXCLUDED_KPI
    | ReviewFlag.NO_QUANTITATIVE
    | ReviewFlag.NO_QUALITATIVE
    | ReviewFlag.OUT_OF_SCALE
    | ReviewFlag.TOO_LITTLE_DATA
    | ReviewFlag.GATE_WITHOUT_DATA
)
"""The review flags that leave a review unrated (every flag but ``GATED``)."""


KPI_NOTES_EN = {
    KpiFlag.MISSING: "missing actual",
    KpiFlag.INSUFFICIENT_DATA: "sample below minimum",
    KpiFlag.REALLOCATED: "weight reallocated",
    KpiFlag.SCORED_ZERO: "scored 0 by policy",
    KpiFlag.EXCLUDED: "excluded: review not rated",
    KpiFlag.GATED: "gate fired",
    KpiFlag.OVERRIDDEN_TARGET: "agreed goal overrides default",
    KpiFlag.REWEIGHTED: "weight raised: received weight of KPIs without data",
}
KPI_NOTES_ZH = {
    KpiFlag.MISSING: "缺少实际值",
    KpiFlag.INSUFFICIENT_DATA: "样本量不足",
    KpiFlag.REALLOCATED: "权重已重新分配",
    KpiFlag.SCORED_ZERO: "按政策计0分",
    KpiFlag.EXCLUDED: "已排除:不评级",
    KpiFlag.GATED: "触发门槛",
    KpiFlag.OVERRIDDEN_TARGET: "采用约定目标",
    KpiFlag.REWEIGHTED: "权重已提高:承接了缺少数据指标的权重",
}
REVIEW_NOTES_EN = {
    ReviewFlag.NOT_ELIGIBLE: "too few eligible days",
    ReviewFlag.EXCLUDED_KPI: "a KPI with policy EXCLUDE has no usable data: held for HR",
    ReviewFlag.NO_QUANTITATIVE: "no KPI could be scored",
    ReviewFlag.NO_QUALITATIVE: "no assessment source had enough raters",
    ReviewFlag.OUT_OF_SCALE: "total outside the rating scale",
    ReviewFlag.GATED: "gate lowered the quantitative total",
    ReviewFlag.TOO_LITTLE_DATA: "too little of the KPI weight was measured to rate",
    ReviewFlag.GATE_WITHOUT_DATA: "a gated KPI has no data: held for HR",
}
REVIEW_NOTES_ZH = {
    ReviewFlag.NOT_ELIGIBLE: "在岗天数不足",
    ReviewFlag.EXCLUDED_KPI: "排除政策的指标缺少数据",
    ReviewFlag.NO_QUANTITATIVE: "没有可评分的指标",
    ReviewFlag.NO_QUALITATIVE: "评价来源人数不足",
    ReviewFlag.OUT_OF_SCALE: "总分超出评级范围",
    ReviewFlag.GATED: "门槛降低了量化得分",
    ReviewFlag.TOO_LITTLE_DATA: "已测量的指标权重不足,无法评级",
    ReviewFlag.GATE_WITHOUT_DATA: "设有门槛的指标缺少数据:交由人力资源处理",
}


def flag_notes(flags: int, lang: str = "en") -> str:
    """Return the notes of the set bits of a :class:`KpiFlag` or :class:`ReviewFlag` value.

    Args:
        flags: The flag value; its type says which table of words applies.
        lang: ``"en"`` or ``"zh"``.
    """
    zh = lang == "zh"
    if isinstance(flags, ReviewFlag):
        table: dict[KpiFlag, str] | dict[ReviewFlag, str] = (
            REVIEW_NOTES_ZH if zh else REVIEW_NOTES_EN
        )
    else:
        table = KPI_NOTES_ZH if zh else KPI_NOTES_EN
    return "; ".join(text for bit, text in table.items() if int(flags) & int(bit))
