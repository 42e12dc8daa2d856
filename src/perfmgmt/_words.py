"""Words shown to people: flag names as text, shared by the display, plot and report modules."""

from __future__ import annotations

import enum

__all__ = ["ANALYTICS_WORDS", "SOURCE_WORDS_ZH", "flag_words"]


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
