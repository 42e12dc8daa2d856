"""Words shown to people: flag names as text, shared by the display, plot and report modules."""

from __future__ import annotations

import enum

from perfmgmt.errors import ValidationError

__all__ = ["SOURCE_WORDS_ZH", "TALENT_WORDS", "flag_words", "talent_words"]


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


TALENT_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "box.underperformer": "Under-performer",
        "box.effective": "Effective",
        "box.trusted_professional": "Trusted professional",
        "box.inconsistent": "Inconsistent player",
        "box.core_player": "Core player",
        "box.high_performer": "High performer",
        "box.rough_diamond": "Rough diamond",
        "box.growth": "Future star",
        "box.star": "Star",
        "readiness.ready_now": "ready now",
        "readiness.ready_soon": "ready in one to two cycles",
        "readiness.not_yet": "not yet ready",
        "readiness.not_assessed": "not assessed",
        "why.box": "box {box}",
        "why.streak": "ratings {ratings} in the last {n} cycles",
        "why.unassessed": "no performance or no potential",
        "why.other": "box {box} is not a promotion box",
        "merit.person": (
            "{subject}: rating {rating}, salary {salary} {currency}, range midpoint "
            "{midpoint} {currency}; compa-ratio {compa} is in band {band}; matrix cell "
            "{rating} x {band} = {percent}%; base raise {base} {currency}"
        ),
        "merit.unscaled": "; no budget, so the raise is the base raise: {final} {currency}.",
        "merit.scaled": (
            "; scaled to the budget by {budget} / {base_total} ({factor}): "
            "{base} x {budget} / {base_total} = {share}, {rounding} -> {final} {currency}."
        ),
        "merit.down": "rounded down",
        "merit.exact": "exact",
        "merit.up": "rounded up by the largest remainder",
    },
    "zh": {
        "box.underperformer": "待改进者",
        "box.effective": "称职者",
        "box.trusted_professional": "可靠专家",
        "box.inconsistent": "表现不稳定者",
        "box.core_player": "中坚力量",
        "box.high_performer": "高绩效者",
        "box.rough_diamond": "璞玉",
        "box.growth": "未来之星",
        "box.star": "明星",
        "readiness.ready_now": "可立即晋升",
        "readiness.ready_soon": "一至两个周期内可晋升",
        "readiness.not_yet": "暂不具备晋升条件",
        "readiness.not_assessed": "未评估",
        "why.box": "九宫格位置:{box}",
        "why.streak": "最近 {n} 个周期评级为 {ratings}",
        "why.unassessed": "缺少绩效或潜力评估",
        "why.other": "{box} 不属于晋升格",
        "merit.person": (
            "{subject}:评级 {rating},薪资 {salary} {currency},薪级中位值 {midpoint} "
            "{currency};比较比率 {compa},属于区间 {band};调薪矩阵 {rating} x {band} = "
            "{percent}%;基础调薪 {base} {currency}"
        ),
        "merit.unscaled": ";未设预算,调薪即基础调薪:{final} {currency}。",
        "merit.scaled": (
            ";按预算缩放 {budget} / {base_total}({factor}):"
            "{base} x {budget} / {base_total} = {share},{rounding} -> {final} {currency}。"
        ),
        "merit.down": "向下取整",
        "merit.exact": "无需取整",
        "merit.up": "按最大余数法进一",
    },
}
"""Words of the 9-box, promotion readiness and merit explanations, in English and Chinese."""


def talent_words(lang: str) -> dict[str, str]:
    """Return :data:`TALENT_WORDS` in ``lang`` ("en" or "zh").

    Raises:
        ValidationError: Another language.
    """
    if lang not in TALENT_WORDS:
        raise ValidationError(
            f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return TALENT_WORDS[lang]
