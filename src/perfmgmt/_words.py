"""Words shown to people, in English and Chinese, shared by every module that writes text.

:data:`WORDS` holds the words of the domain's enumerations and events (review statuses, action
kinds and statuses, assessment sources, roles, workflow events, units, rule-condition words and
command-line lines); :func:`word` looks one up.  Numbers, money and dates are formatted in
:mod:`perfmgmt._format`.
"""

from __future__ import annotations

import enum

from perfmgmt.errors import ValidationError

__all__ = [
    "ANALYTICS_WORDS",
    "DISPLAY_WORDS",
    "REVIEW_WORDS",
    "SOURCE_WORDS_ZH",
    "TALENT_WORDS",
    "WORDS",
    "flag_words",
    "review_words",
    "talent_words",
    "unit_word",
    "word",
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
        "ci": "CI",
        "df": "df",
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
        "fisher": "费希尔精确检验",
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
        "ci": "置信区间",
        "df": "自由度",
    },
}
"""Words of the people-analytics texts (adverse impact, rater diagnostics), by language."""


_STATUS = {
    "draft": ("draft", "草稿"),
    "goals_proposed": ("goals_proposed", "目标已提出"),
    "goals_agreed": ("goals_agreed", "目标已商定"),
    "mid_term_checked": ("mid_term_checked", "已完成中期检查"),
    "evaluated": ("evaluated", "已评估"),
    "calibrated": ("calibrated", "已校准"),
    "feedback_given": ("feedback_given", "已反馈"),
    "shared": ("shared", "已告知员工"),
    "acknowledged": ("acknowledged", "员工已确认"),
    "disputed": ("disputed", "员工有异议"),
    "dispute_resolved": ("dispute_resolved", "异议已处理"),
    "closed": ("closed", "已关闭"),
    "cancelled": ("cancelled", "已取消"),
}
_ACTION_STATUS = {
    "planned": ("planned", "已计划"),
    "in_progress": ("in_progress", "进行中"),
    "done": ("done", "已完成"),
    "cancelled": ("cancelled", "已取消"),
}
_ACTION_KIND = {
    "skill_training": ("skill_training", "技能培训"),
    "career_step": ("career_step", "职业发展"),
    "wellbeing_support": ("wellbeing_support", "心理支持"),
    "improvement": ("improvement", "改进措施"),
}
_SOURCE = {
    "self": ("self", "自评"),
    "manager": ("manager", "上级"),
    "peer": ("peer", "同事"),
    "upward": ("upward", "下属"),
    "customer": ("customer", "客户"),
}
_ROLE = {
    "employee": ("employee", "员工"),
    "manager": ("manager", "上级"),
    "hr": ("hr", "人力资源"),
}
_EVENT = {
    "agree_goals": ("agree_goals", "商定目标"),
    "amend_goals": ("amend_goals", "修改目标"),
    "propose_goals": ("propose_goals", "提出目标"),
    "sign_goals": ("sign_goals", "签署目标"),
    "check_in": ("check_in", "中期检查"),
    "evaluate": ("evaluate", "评估"),
    "calibrate": ("calibrate", "校准"),
    "record_interview": ("record_interview", "反馈面谈"),
    "set_development_plan": ("set_development_plan", "制定发展计划"),
    "plan_agreed_actions": ("plan_agreed_actions", "将商定行动纳入计划"),
    "share_review": ("share_review", "将考评结果告知员工"),
    "acknowledge": ("acknowledge", "员工确认"),
    "raise_dispute": ("raise_dispute", "员工提出异议"),
    "resolve_dispute": ("resolve_dispute", "处理异议"),
    "dispute_deadline": ("dispute_deadline", "异议期届满"),
    "close": ("close", "关闭"),
    "reopen": ("reopen", "重新打开"),
    "cancel": ("cancel", "取消"),
}
_UNIT = {
    "%": ("%", "%"),
    "minutes": ("minutes", "分钟"),
    "seconds": ("seconds", "秒"),
    "hours": ("hours", "小时"),
    "days": ("days", "天"),
    "points": ("points", "分"),
    "count": ("count", "个"),
    "hours per member": ("hours per member", "小时/人"),
}
_CONDITION = {
    "and": ("and", "并且"),
    "or": ("or", "或者"),
    "not": ("not", "并非"),
    "in": ("in", "属于"),
    "not_in": ("not in", "不属于"),
    "total": ("total", "总分"),
    "rating": ("rating", "评级"),
    "quantitative": ("quantitative", "定量得分"),
    "qualitative": ("qualitative", "定性得分"),
    "score": ("score", "得分"),
    "actual": ("actual", "实际值"),
    "achievement": ("achievement", "达成率"),
    "target": ("target", "目标值"),
    "history": ("history", "历史"),
    "==": ("==", "等于"),
    "!=": ("!=", "不等于"),
    "<": ("<", "低于"),
    "<=": ("<=", "不高于"),
    ">": (">", "高于"),
    ">=": (">=", "不低于"),
    "true": ("true", "是"),
    "false": ("false", "否"),
    "null": ("null", "空"),
    "any": ("any", "任一为真"),
    "all": ("all", "全部为真"),
    "count": ("count", "计数"),
    "sum": ("sum", "合计"),
    "min": ("min", "最小值"),
    "max": ("max", "最大值"),
    "previous": ("{field} {n} cycle(s) ago", "{n} 个周期前的{field}"),
    "of": ("{owner} {field}", "{owner}的{field}"),
    "kpi": ("KPI", "指标"),
    "criterion": ("criterion", "定性项"),
    "weight": ("weight", "权重"),
    "band": ("band", "评级区间"),
    "calibrated_rating": ("calibrated rating", "校准后评级"),
    "final_rating": ("final rating", "最终评级"),
    "mean": ("mean", "平均分"),
}
_RULE_KIND = {"rule": ("rule", "规则"), "table": ("table", "决策表")}
_HIT_POLICY = {
    "unique": ("unique", "唯一命中"),
    "any": ("any", "任一命中(结果须一致)"),
    "priority": ("priority", "按优先级"),
    "first": ("first", "首个命中"),
    "rule_order": ("rule_order", "按行顺序全部"),
    "collect": ("collect", "汇总"),
}
_LINT = {
    "head": (
        "scheme {scheme!r}: {errors} error(s), {warnings} warning(s), {notes} note(s)",
        "方案 {scheme!r}:错误 {errors} 个,警告 {warnings} 个,提示 {notes} 个",
    ),
}
_CALIBRATION = {"rating": ("rating", "评级"), "assessment": ("assessment", "定性评价")}
_SUMMARY = {
    "subject_id": ("subject_id", "编号"),
    "name": ("name", "姓名"),
    "department": ("department", "部门"),
    "quantitative": ("quantitative", "定量得分"),
    "qualitative": ("qualitative", "定性得分"),
    "total": ("total", "总分"),
    "rating": ("rating", "评级"),
    "bonus": ("bonus", "奖金"),
    "deduction": ("deduction", "扣减"),
    "outcomes": ("outcomes", "奖惩结果"),
    "status": ("status", "状态"),
}
_PROGRESS = {
    "reading_two": ("reading {a} and {b}", "读取 {a} 和 {b}"),
    "reading": ("reading {a}", "读取 {a}"),
    "scoring": ("scoring {n} subjects", "为 {n} 人评分"),
    "rules": ("applying the rules", "应用奖惩规则"),
    "indicators": (
        "computing indicators of {n} tickets by {by}",
        "按{by}计算 {n} 张工单的指标",
    ),
    "generating": (
        "generating {managers} managers, {agents} agents, {tickets} contacts (seed {seed})",
        "生成 {managers} 位经理、{agents} 名坐席、{tickets} 次接触(随机种子 {seed})",
    ),
    "by_manager": ("manager", "经理"),
    "by_team": ("team", "团队"),
    "by_agent": ("agent", "坐席"),
    "scheme_review": (
        "reviewing the scheme over the cycles (scheme_review.md, scheme_review.html)",
        "回顾各周期的方案(scheme_review.md、scheme_review.html)",
    ),
    "raw": ("writing the raw data to data/*.csv", "将原始数据写入 data/*.csv"),
    "validating": (
        "validating the tables (bad rows are dropped and reported)",
        "校验数据表(剔除并报告坏数据行)",
    ),
    "cycle": (
        "{cycle}: computing indicators, scoring, calibrating, applying rules",
        "{cycle}:计算指标、评分、校准、应用规则",
    ),
    "workflow": (
        "{cycle}: taking every review through the workflow, writing the reports",
        "{cycle}:每份考评走完流程,写出报告",
    ),
    "team": (
        "writing the team report (team.md, team.html), the summary (summary.csv, .md) "
        "and index.html",
        "写出团队报告(team.md、team.html)、汇总表(summary.csv、.md)和 index.html",
    ),
}
_BAD_ROW = {
    "not_number": (
        "row {row}, column {column!r}: cannot read {text!r} as a number",
        "第 {row} 行,列 {column!r}:无法把 {text!r} 读作数字",
    ),
    "not_finite": (
        "row {row}, column {column!r}: {text!r} is not allowed; expected a finite number",
        "第 {row} 行,列 {column!r}:不允许 {text!r};应为有限的数字",
    ),
    "not_count": (
        "row {row}, column {column!r}: {text!r} is not allowed; expected a whole number from 0 "
        "to {max} (a sample size or rater count is never fractional)",
        "第 {row} 行,列 {column!r}:不允许 {text!r};应为 0 到 {max} 的整数"
        "(样本量和评分人数不会是小数)",
    ),
    "repeated_column": (
        "row 1: column {column!r} appears more than once; each column may appear once",
        "第 1 行:列 {column!r} 出现了不止一次;每列只能出现一次",
    ),
    "fields": (
        "row {row}: {n} fields but the header has {header}",
        "第 {row} 行:有 {n} 个字段,但表头有 {header} 个",
    ),
    "empty_id": (
        "row {row}, column 'subject_id': the value is empty; every row needs a subject",
        "第 {row} 行,列 'subject_id':值为空;每行都需要一个对象编号",
    ),
    "control_id": (
        "row {row}, column 'subject_id': {sid!r} holds a control character; subject ids are "
        "printable text",
        "第 {row} 行,列 'subject_id':{sid!r} 含有控制字符;对象编号须为可打印文本",
    ),
    "repeated_id": (
        "row {row}, column 'subject_id': {sid!r} is already on row {first}; each subject may "
        "appear once",
        "第 {row} 行,列 'subject_id':{sid!r} 已在第 {first} 行出现;每个对象只能出现一次",
    ),
}
_CLI = {
    "dropped_rows": ("dropped {dropped} of {rows} rows", "共 {rows} 行,剔除 {dropped} 行"),
    "whole_row": ("line", "整行"),
    "none": ("none", "无"),
    "error": ("error", "错误"),
}

WORDS: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
"""Every word of the domain's enumerations, events, units and command lines, by language.

Keys are ``"<table>.<value>"``, e.g. ``"status.evaluated"``, ``"source.peer"``,
``"event.agree_goals"``, ``"unit.minutes"``, ``"cond.>="``, ``"cli.dropped_rows"``.  The
English of an enumeration value is the value itself (``"goals_agreed"``), as English output
has always shown it.
"""
for _prefix, _table in (
    ("status", _STATUS),
    ("action_status", _ACTION_STATUS),
    ("action_kind", _ACTION_KIND),
    ("source", _SOURCE),
    ("role", _ROLE),
    ("event", _EVENT),
    ("unit", _UNIT),
    ("cond", _CONDITION),
    ("rule_kind", _RULE_KIND),
    ("hit_policy", _HIT_POLICY),
    ("lint", _LINT),
    ("cal", _CALIBRATION),
    ("summary", _SUMMARY),
    ("progress", _PROGRESS),
    ("bad_row", _BAD_ROW),
    ("cli", _CLI),
):
    for _key, (_en, _zh) in _table.items():
        WORDS["en"][f"{_prefix}.{_key}"] = _en
        WORDS["zh"][f"{_prefix}.{_key}"] = _zh


def word(key: str, lang: str, default: str | None = None) -> str:
    """Return the word for ``key`` (e.g. ``"status.evaluated"``) in ``lang``.

    Args:
        key: ``"<table>.<value>"``, see :data:`WORDS`.
        lang: ``"en"`` or ``"zh"``.
        default: What to return for an unknown key (a value the user named, such as their own
            unit); None to refuse unknown keys.

    Raises:
        ValidationError: Another language, or an unknown key without a default.
    """
    words = WORDS.get(lang)
    if words is None:
        raise ValidationError(
            f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    found = words.get(key)
    if found is not None:
        return found
    if default is None:
        raise ValidationError(f"word: key {key!r} is not known", field="key", value=key)
    return default


def unit_word(unit: str, lang: str) -> str:
    """Return a display unit in ``lang``; a unit the library does not know is shown as given."""
    return word(f"unit.{unit}", lang, default=unit) if unit else unit


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
        "effectiveness_pairs": (
            "Every pair of consecutive cycles: the people compared, Spearman's rank correlation "
            "and the mean next-cycle quantitative score per rating. The latest pair follows in "
            "detail."
        ),
        "next_cycle": "Next cycle",
        "spearman": "Spearman",
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
            "{matched} 人);斯皮尔曼等级相关系数 {rho}。"
        ),
        "next_score": "下一周期量化得分",
        "effectiveness_pairs": (
            "每一对相邻周期:参与对比的人数、斯皮尔曼等级相关系数,以及各评级在下一周期的平均量化得分;"
            "最近一对的详细结果见下。"
        ),
        "next_cycle": "下一周期",
        "spearman": "斯皮尔曼相关",
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
