"""Words shown to people: flag names as text, shared by the display, plot and report modules."""

from __future__ import annotations

import enum

from perfmgmt.errors import ValidationError

__all__ = ["ANALYTICS_WORDS", "SOURCE_WORDS_ZH", "TALENT_WORDS", "flag_words", "talent_words"]


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
ANALYTICS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "adverse_impact": "Adverse impact",
        "rater_diagnostics": "Rater diagnostics",
        "favourable": "favourable",
        "unfavourable": "unfavourable",
        "people": "People",
        "selected": "Selected",
        "rate": "Rate",
        "impact_ratio": "Impact ratio",
        "test": "Test",
        "p": "p",
        "mean_score": "Mean score",
        "difference": "Difference",
        "group": "Group",
        "reference": "Reference group",
        "suppressed": "suppressed",
        "suppressed_note": "Groups with fewer than {k} people, suppressed (not shown): {n}",
        "below": "Below four-fifths of the reference",
        "none_below": "No group is below four-fifths of the reference",
        "chi2": "Chi-square across the groups shown",
        "excluded": "{n} people without a known outcome are not counted",
        "fisher": "Fisher exact",
        "z": "two-proportion z",
        "rating": "rating at least {band}",
        "bonus": "bonus paid",
        "promotion": "promotion",
        "deduction": "deduction",
        "training": "training opportunity",
        "honour": "honour",
        "position_adjustment": "position adjustment",
        "selected_outcome": "selected",
        "rater": "Rater",
        "source": "Source",
        "ratings": "Ratings",
        "subjects": "Subjects",
        "leniency": "Leniency",
        "central_tendency": "Central tendency",
        "range_ratio": "Range ratio",
        "halo": "Halo",
        "too_few": "too few ratings",
        "hidden_raters": "Raters with fewer than {k} ratings, not listed: {n}",
        "baseline": "Everyone in the source",
    },
    "zh": {
        "adverse_impact": "不利影响分析",
        "rater_diagnostics": "评分人诊断",
        "favourable": "有利结果",
        "unfavourable": "不利结果",
        "people": "人数",
        "selected": "获得人数",
        "rate": "比例",
        "impact_ratio": "影响比",
        "test": "检验",
        "p": "p 值",
        "mean_score": "平均得分",
        "difference": "差值",
        "group": "群体",
        "reference": "参照群体",
        "suppressed": "已隐藏",
        "suppressed_note": "{n} 个人数少于 {k} 人的群体已隐藏(不显示)",
        "below": "低于参照群体五分之四",
        "none_below": "没有群体低于参照群体的五分之四",
        "chi2": "所列群体的卡方检验",
        "excluded": "{n} 人结果未知,未计入",
        "fisher": "Fisher 精确检验",
        "z": "双比例 z 检验",
        "rating": "评级不低于 {band}",
        "bonus": "获发奖金",
        "promotion": "晋升",
        "deduction": "绩效扣减",
        "training": "培训机会",
        "honour": "荣誉",
        "position_adjustment": "岗位调整",
        "selected_outcome": "入选",
        "rater": "评分人",
        "source": "来源",
        "ratings": "评分数",
        "subjects": "被评人数",
        "leniency": "宽严偏差",
        "central_tendency": "趋中倾向",
        "range_ratio": "离散比",
        "halo": "光环效应",
        "too_few": "评分过少",
        "hidden_raters": "评分少于 {k} 条的评分人未列出:{n} 位",
        "baseline": "该来源全体",
    },
}
"""Words of the people-analytics texts (adverse impact, rater diagnostics), by language."""
