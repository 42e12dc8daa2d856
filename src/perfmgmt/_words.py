"""Words shown to people: flag names as text, shared by the display, plot and report modules."""

from __future__ import annotations

import enum

from perfmgmt.errors import ValidationError

__all__ = [
    "ANALYTICS_WORDS",
    "DISPLAY_WORDS",
    "REVIEW_WORDS",
    "SOURCE_WORDS_ZH",
    "TALENT_WORDS",
    "flag_words",
    "review_words",
    "talent_words",
]


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


DISPLAY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "steps": "{n} steps — open one for its formula and inputs",
        "formula": "Formula",
        "input": "Input",
        "value": "Value",
    },
    "zh": {
        "steps": "共 {n} 步 — 展开查看公式与输入",
        "formula": "公式",
        "input": "输入",
        "value": "数值",
    },
}
"""Words of the notebook display of explanations (``Explanation._repr_html_``), by language."""
REVIEW_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Scheme review: {scheme}",
        "intro": (
            "The periodic review of the scheme itself (定期回顾): how the KPI results, ratings "
            "and costs moved over {n} cycles ({cycles}), whether the ratings predict the next "
            "cycle, whether outcomes differ between groups, how the raters rate, where people "
            "stand on the 9-box, what the merit budget buys, and what managers, staff and HR "
            "think of the scheme."
        ),
        "trends": "Trends across cycles",
        "cycle": "Cycle",
        "people": "People",
        "rated": "Rated",
        "mean_total": "Mean total",
        "bonus": "Bonuses",
        "deduction": "Deductions",
        "kpi": "KPI",
        "mean": "Mean",
        "q1": "Q1",
        "median": "Median",
        "q3": "Q3",
        "at_cap": "At cap",
        "at_floor": "At floor",
        "kpi_note": (
            "A KPI where many people sit at the cap (or the floor) no longer tells people "
            "apart: consider a higher stretch (or a lower threshold)."
        ),
        "effectiveness": "Does the rating predict the next cycle?",
        "effectiveness_text": (
            "{cycle} rating against the {next} quantitative score of the {used} people in both "
            "cycles ({matched} matched by id); Spearman's rank correlation {rho}."
        ),
        "next_score": "Next quantitative score",
        "rating": "Rating",
        "adverse": "Adverse impact",
        "no_adverse": "No group analysis was supplied.",
        "raters": "Rater diagnostics",
        "ninebox": "Performance x potential (9-box)",
        "box": "Box",
        "moves": "Moves since last cycle",
        "readiness": "Promotion readiness",
        "unassessed": "Not placed (no performance or no potential): {n}",
        "merit": "Merit increases",
        "merit_text": (
            "Base raises from the merit matrix total {base} {currency}; the budget is "
            "{budget} {currency}, so each raise is scaled by {factor} and the raises add up "
            "to {total} {currency}."
        ),
        "merit_unscaled": "Raises from the merit matrix total {total} {currency} (no budget).",
        "raise": "Raise",
        "opinions": "What people think of the scheme",
        "role": "Respondent",
        "question": "Question",
        "answers": "Answers",
        "suppressed": "fewer than {k}: not shown",
        "respondents": "Respondents: {who}.",
        "comments": "Comments from {role} ({n})",
        "role.manager": "managers",
        "role.staff": "staff",
        "role.hr": "HR",
        "none": "-",
        "trend_title": "Rating shares by cycle",
        "trend_alt": "The share of the rated people per rating in each cycle, best first. {n}",
        "kpi_title": "KPI score distributions by cycle",
        "kpi_alt": (
            "Per KPI and cycle, the middle half of the scores (first to third quartile) as a "
            "bar, the median as a tick and the mean as a dot. {n}"
        ),
        "opinion_title": "Mean opinion scores (1-5)",
        "opinion_alt": (
            "Mean score from 1 (strongly disagree) to 5 (strongly agree) per respondent "
            "group and question; groups with too few answers are not shown. {n}"
        ),
        "share": "Share",
        "count": "Count",
        "not_shown": "not shown",
        "attribute": "Groups by {attribute}: {outcome}",
        "group": "Group",
        "rate": "Rate",
        "impact_ratio": "Impact ratio",
        "p": "p",
        "mean_score": "Mean score",
        "difference": "Difference (CI)",
        "reference": "reference",
        "flagged": "Below four-fifths of the reference group: {groups}.",
        "none_flagged": "No group is below four-fifths of the reference group.",
        "chi2": "Chi-square across the groups shown: {chi2} (df {df}), p {p}.",
        "rater": "Rater",
        "source": "Source",
        "ratings": "Ratings",
        "leniency": "Leniency",
        "central_tendency": "Central tendency",
        "range_ratio": "Range ratio",
        "halo": "Halo",
        "raters_text": (
            "Raters with at least {k} ratings whose leniency is more than two standard "
            "errors from their source's baseline; {n} rater(s) in all."
        ),
        "no_outliers": "No rater with enough ratings is more than two standard errors off.",
        "all_raters": "All raters",
        "raters_count": "Raters",
        "perf_levels": "Low performance|Moderate performance|High performance",
        "times": "{text} (x{n})",
    },
    "zh": {
        "title": "方案回顾:{scheme}",
        "intro": (
            "对方案本身的定期回顾:{n} 个周期({cycles})中关键绩效指标结果、评级和成本的变化,"
            "评级能否预测下一周期,各群体的结果是否存在差异,评分人的评分倾向,九宫格分布,"
            "调薪预算的使用,以及经理、员工和人力资源部门对方案的意见。"
        ),
        "trends": "各周期趋势",
        "cycle": "周期",
        "people": "人数",
        "rated": "已评级",
        "mean_total": "平均总分",
        "bonus": "奖金",
        "deduction": "扣减",
        "kpi": "指标",
        "mean": "平均",
        "q1": "下四分位",
        "median": "中位数",
        "q3": "上四分位",
        "at_cap": "达到封顶",
        "at_floor": "处于最低分",
        "kpi_note": (
            "许多人处于封顶分(或最低分)的指标已无法区分绩效:可考虑提高挑战值(或降低门槛值)。"
        ),
        "effectiveness": "评级能否预测下一周期?",
        "effectiveness_text": (
            "{cycle} 的评级与 {next} 的量化得分对比,两周期均在的 {used} 人(按编号匹配 "
            "{matched} 人);Spearman 等级相关系数 {rho}。"
        ),
        "next_score": "下一周期量化得分",
        "rating": "评级",
        "adverse": "不利影响分析",
        "no_adverse": "未提供群体分析。",
        "raters": "评分人诊断",
        "ninebox": "绩效 x 潜力(九宫格)",
        "box": "格子",
        "moves": "与上一周期相比的移动",
        "readiness": "晋升准备度",
        "unassessed": "未能放入九宫格(缺少绩效或潜力):{n} 人",
        "merit": "绩效调薪",
        "merit_text": (
            "按调薪矩阵计算的基础调薪合计 {base} {currency};预算为 {budget} {currency},"
            "因此每人按 {factor} 缩放,调薪合计 {total} {currency}。"
        ),
        "merit_unscaled": "按调薪矩阵计算的调薪合计 {total} {currency}(无预算)。",
        "raise": "调薪",
        "opinions": "各方对方案的意见",
        "role": "答卷人",
        "question": "问题",
        "answers": "答卷数",
        "suppressed": "少于 {k} 份:不显示",
        "respondents": "答卷人:{who}。",
        "comments": "{role}的意见({n} 条)",
        "role.manager": "经理",
        "role.staff": "员工",
        "role.hr": "人力资源部门",
        "none": "-",
        "trend_title": "各周期评级占比",
        "trend_alt": "每个周期已评级人员中各评级的占比,从高到低。{n}",
        "kpi_title": "各周期关键绩效指标得分分布",
        "kpi_alt": (
            "每个指标、每个周期:中间一半的得分(下四分位到上四分位)为条形,"
            "中位数为竖线,平均数为圆点。{n}"
        ),
        "opinion_title": "意见平均分(1-5)",
        "opinion_alt": (
            "每类答卷人、每个问题的平均分,1 表示非常不同意,5 表示非常同意;答卷过少的组不显示。{n}"
        ),
        "share": "占比",
        "count": "人数",
        "not_shown": "不显示",
        "attribute": "按{attribute}分组:{outcome}",
        "group": "群体",
        "rate": "比例",
        "impact_ratio": "影响比",
        "p": "p 值",
        "mean_score": "平均得分",
        "difference": "差值(置信区间)",
        "reference": "参照群体",
        "flagged": "低于参照群体五分之四的群体:{groups}。",
        "none_flagged": "没有群体低于参照群体的五分之四。",
        "chi2": "所列群体的卡方检验:{chi2}(自由度 {df}),p 值 {p}。",
        "rater": "评分人",
        "source": "来源",
        "ratings": "评分数",
        "leniency": "宽严偏差",
        "central_tendency": "趋中倾向",
        "range_ratio": "离散比",
        "halo": "光环效应",
        "raters_text": (
            "宽严偏差偏离其来源基线超过两个标准误且评分不少于 {k} 条的评分人;共 {n} 位评分人。"
        ),
        "no_outliers": "没有评分足够的评分人偏离超过两个标准误。",
        "all_raters": "全部评分人",
        "raters_count": "评分人数",
        "perf_levels": "绩效低|绩效中|绩效高",
        "times": "{text}(共 {n} 条)",
    },
}
"""Words of the scheme review (report and charts), in English and Chinese."""


def review_words(lang: str) -> dict[str, str]:
    """Return :data:`REVIEW_WORDS` in ``lang`` ("en" or "zh").

    Raises:
        ValidationError: Another language.
    """
    if lang not in REVIEW_WORDS:
        raise ValidationError(
            f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return REVIEW_WORDS[lang]
