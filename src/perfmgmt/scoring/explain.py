"""Explanations: how every number of a score card was computed, step by step.

Each :class:`Step` names a result, the formula that gave it and the inputs it was applied to,
in the order the engine computes them (see the "Scoring" explanation page).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from perfmgmt._html import esc, fmt, html_table
from perfmgmt._validate import fail, instance_of, tuple_of
from perfmgmt._words import DISPLAY_WORDS, SOURCE_WORDS_ZH, word
from perfmgmt.errors import ScoringError
from perfmgmt.scoring.flags import (
    NOT_RATED_BITS,
    REVIEW_NOTES_EN,
    REVIEW_NOTES_ZH,
    KpiFlag,
    ReviewFlag,
    flag_notes,
)

if TYPE_CHECKING:
    from perfmgmt.model.proration import PeriodValues, Proration
    from perfmgmt.scoring.card import CriterionLine, KpiLine, ScoreCard

__all__ = ["Explanation", "Step", "explain_card", "input_name", "proration_steps"]

Input = tuple[str, float | str | None]


def _step_tuple(value: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(value)


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _lang(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in ("en", "zh"):
        fail(instance, attribute, value, "expected 'en' or 'zh'")


@attrs.frozen(kw_only=True)
class Step:
    """One step of an explanation: a named result, the formula and the inputs it came from.

    Attributes:
        name: What is computed, e.g. ``"kpi.csat.score"``.
        formula: The formula in words and symbols.
        inputs: ``(name, value)`` pairs the formula was applied to.
        result: The resulting value (None when there is none, e.g. a missing KPI).
        note: Flags or policy decisions that applied.
        lang: ``"en"`` or ``"zh"``: the language the formula and note are written in, and the
            default language of :meth:`text`.
    """

    name: str = attrs.field(validator=instance_of(str))
    formula: str = attrs.field(validator=instance_of(str))
    inputs: tuple[Input, ...] = ()
    result: float | str | None = None
    note: str = attrs.field(default="", validator=instance_of(str))
    lang: str = attrs.field(default="en", validator=_lang)

    def text(self, lang: str | None = None) -> str:
        """Return the step as one readable line, its input names in ``lang``.

        Args:
            lang: ``"en"`` or ``"zh"``; by default the language the step was written in, so a
                step of a Chinese explanation reads in Chinese throughout.
        """
        lang = self.lang if lang is None else lang
        args = ", ".join(
            f"{input_name(n, lang)}={fmt(v) if not isinstance(v, str) else _value(v, lang)}"
            for n, v in self.inputs
        )
        res = self.result if isinstance(self.result, str) else fmt(self.result)
        tail = f"  [{self.note}]" if self.note else ""
        if lang == "zh":
            return f"{input_name(self.name, lang)} = {self.formula},代入({args})= {res}{tail}"
        return f"{self.name} = {self.formula} with ({args}) = {res}{tail}"


@attrs.frozen(kw_only=True)
class Explanation:
    """A structured trace of how a score card's numbers were computed.

    Attributes:
        subject_id: The reviewed person.
        scheme_key: The scheme.
        scheme_hash: The scheme's content hash.
        lang: ``"en"`` or ``"zh"``; the language of :attr:`text`.
        steps: The steps in computation order.
    """

    subject_id: str
    scheme_key: str
    scheme_hash: str
    lang: str
    steps: tuple[Step, ...] = attrs.field(converter=_step_tuple, validator=tuple_of(Step))

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def step(self, name: str) -> Step:
        """Return the step named ``name``.

        Raises:
            ScoringError: When there is no such step.
        """
        for s in self.steps:
            if s.name == name:
                return s
        raise ScoringError(
            f"Explanation: no step {name!r}; the steps are {[s.name for s in self.steps]}"
        )

    def _head(self) -> str:
        if self.lang == "zh":
            return f"评分说明:{self.subject_id},方案 {self.scheme_key} ({self.scheme_hash[:15]})"
        return (
            f"Score explanation for {self.subject_id}, scheme {self.scheme_key} "
            f"({self.scheme_hash[:15]})"
        )

    @property
    def text(self) -> str:
        """The explanation as readable text, one step per line."""
        return "\n".join([self._head(), *(s.text(self.lang) for s in self.steps)])

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return explanation_html(self)


def _result_html(step: Step, lang: str) -> str:
    res = _value(step.result, lang) if isinstance(step.result, str) else fmt(step.result)
    return f"<strong>{esc(res)}</strong>"


def _step_html(step: Step, lang: str) -> str:
    words = DISPLAY_WORDS["zh" if lang == "zh" else "en"]
    note = f" <em>[{esc(step.note)}]</em>" if step.note else ""
    rows = [
        (input_name(n, lang), fmt(v) if not isinstance(v, str) else _value(v, lang))
        for n, v in step.inputs
    ]
    body = f"<div>{esc(words['formula'])}: <code>{esc(step.formula)}</code></div>"
    if rows:
        body += html_table((words["input"], words["value"]), rows, max_rows=len(rows))
    return (
        f"<details><summary><code>{esc(input_name(step.name, lang))}</code> = "
        f"{_result_html(step, lang)}{note}</summary>"
        f'<div style="margin:0.2em 0 0.4em 1.5em">{body}</div></details>'
    )


def explanation_html(explanation: Explanation) -> str:
    """Return an explanation as HTML: its total and rating, then one collapsible step each.

    Every step is a ``<details>`` element whose summary line shows the step's result and whose
    body shows the formula and a table of the inputs; all text is escaped.
    """
    lang = explanation.lang
    words = DISPLAY_WORDS["zh" if lang == "zh" else "en"]
    headline = [
        f"{esc(input_name(s.name, lang))} {_result_html(s, lang)}"
        for s in explanation.steps
        if s.name in {"total", "rating"}
    ]
    steps = "".join(_step_html(s, lang) for s in explanation.steps)
    return (
        f"<div><div><strong>{esc(explanation._head())}</strong></div>"
        f"<div>{' · '.join(headline)}</div>"
        f"<details><summary>{esc(words['steps'].format(n=len(explanation)))}</summary>"
        f'<div style="margin-left:1em">{steps}</div></details></div>'
    )


def _step(  # noqa: PLR0917 - one positional call per step keeps the trace readable
    lang: str,
    name: str,
    formula: str,
    inputs: tuple[Input, ...],
    result: float | str | None,
    note: str,
) -> Step:
    return Step(name=name, formula=formula, inputs=inputs, result=result, note=note, lang=lang)


# The words of input names, in Chinese; keys the user typed (KPI, criterion, source and band
# keys) stay as typed.
INPUT_WORDS_ZH = {
    "actual": "实际值",
    "threshold": "门槛值",
    "target": "目标值",
    "stretch": "挑战值",
    "achievement": "达成度",
    "sample_size": "样本量",
    "min_sample": "最小样本量",
    "score": "得分",
    "nominal_weight": "名义权重",
    "nominal_total": "名义权重合计",
    "effective_weight": "有效权重",
    "weight": "权重",
    "measured_share": "已测量权重占比",
    "zero_share": "计0分权重占比",
    "min_measured_share": "最低测量占比",
    "contribution": "贡献",
    "raw": "门槛前量化得分",
    "cap": "封顶值",
    "gate": "门槛",
    "param": "参数",
    "low": "量表下限",
    "target_rating": "目标评分",
    "mean": "平均评分",
    "raters": "评价人数",
    "min_raters": "最少评价人数",
    "share": "量化占比",
    "quantitative": "量化得分",
    "qualitative": "质化得分",
    "total": "总分",
    "lower": "下限",
    "upper": "上限",
    "kpi": "指标",
    "category": "类别",
    "criterion": "标准",
    "rating": "评级",
    "sign": "方向",
    "threshold_payout": "门槛得分",
    "floor": "最低分",
    "accelerator": "加速系数",
    "edges": "分段边界",
    "scores": "分段得分",
    "met": "达成得分",
    "unmet": "未达成得分",
    "tolerance": "容差",
    "falloff": "衰减",
    "baseline": "基线",
    "scorer": "评分器",
    "direction": "方向",
    "proration": "折算",
    "cycle_days": "周期天数",
    "employed_days": "在职天数",
    "leave_days": "休假天数",
    "worked_days": "出勤天数",
    "fte_days": "折合全职天数",
    "eligible_fraction": "在岗比例",
    "evaluating_manager": "评估经理",
    "previous_managers": "前任经理",
    **SOURCE_WORDS_ZH,
}
SCORERS_ZH = {
    "linear": "线性",
    "banded": "分段",
    "ratio": "比率",
    "binary": "达成/未达成",
    "target_band": "目标区间",
    "progress": "进度",
}
DIRECTIONS_ZH = {
    "higher_is_better": "越高越好",
    "lower_is_better": "越低越好",
    "target_is_best": "越接近目标越好",
}


def _value(value: str, lang: str) -> str:
    """A text input's value in ``lang``: the library's scorer and direction names translated."""
    if lang != "zh":
        return value
    return DIRECTIONS_ZH.get(value, SCORERS_ZH.get(value, value))


def input_name(name: str, lang: str) -> str:
    """Return the input name ``name`` in ``lang``: its known words translated, keys kept."""
    if lang != "zh":
        return name
    return ".".join(INPUT_WORDS_ZH.get(part, part) for part in name.split("."))


def _kpi_score_step(ln: KpiLine, zh: bool, lang: str) -> Step:
    direction = DIRECTIONS_ZH.get(ln.direction, ln.direction) if zh else ln.direction
    inputs: list[Input] = [
        ("scorer", ln.scorer),
        ("direction", ln.direction),
        ("actual", ln.actual),
        ("threshold", ln.threshold),
        ("target", ln.target),
        ("stretch", ln.stretch),
    ]
    inputs += [(f"param.{k}", _param(v)) for k, v in ln.params]
    inputs.append(("achievement", ln.achievement))
    if ln.min_sample:
        inputs += [
            ("sample_size", None if ln.sample_size is None else float(ln.sample_size)),
            ("min_sample", float(ln.min_sample)),
        ]
    note = flag_notes(ln.flags, lang)
    capped = ln.flags & KpiFlag.INSUFFICIENT_DATA and ln.score is not None
    if capped and not ln.flags & KpiFlag.SCORED_ZERO:
        extra = (
            "样本量不足:按实际值评分,最高100分"
            if zh
            else "small sample: scored on the actual, at most 100"
        )
        note = f"{note}; {extra}" if note else extra
    return _step(
        lang,
        f"kpi.{ln.key}.score",
        f"{SCORERS_ZH.get(ln.scorer, ln.scorer)}评分({direction})"
        if zh
        else f"{ln.scorer} scorer ({direction})",
        tuple(inputs),
        ln.score,
        note,
    )


def _param(value: object) -> float | str | None:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(float(v)) for v in value) + ")"
    return str(value)


def _weight_step(
    ln: KpiLine, card: ScoreCard, *, zero_share: float, nominal_total: float, lang: str
) -> Step:
    """The effective weight of one KPI, with the reason when it moved."""
    zh = lang == "zh"
    zeroed = bool(ln.flags & KpiFlag.SCORED_ZERO)
    scored = ln.score is not None and not math.isnan(card.raw_quantitative)
    if scored and zeroed:
        formula = (
            "名义权重 / 名义权重合计(计0分:不承接其他权重)"
            if zh
            else ("nominal_weight / nominal_total (scored 0: takes no other weight)")
        )
        inputs: tuple[Input, ...] = (
            ("nominal_weight", ln.nominal_weight),
            ("nominal_total", nominal_total),
        )
    elif scored:
        formula = (
            "名义权重 / 名义权重合计 × (1 − 计0分权重占比) / 已测量权重占比"
            if zh
            else "nominal_weight / nominal_total × (1 − zero_share) / measured_share"
        )
        inputs = (
            ("nominal_weight", ln.nominal_weight),
            ("nominal_total", nominal_total),
            ("zero_share", zero_share),
            ("measured_share", card.measured_share),
        )
    else:
        formula = "无可用数据:权重为0" if zh else "no usable data: weight 0"
        inputs = (("nominal_weight", ln.nominal_weight),)
    note = ""
    if ln.flags & KpiFlag.REWEIGHTED:
        donors = [x.key for x in card.lines if x.flags & KpiFlag.REALLOCATED]
        donors += [x.key for x in card.lines if x.flags & KpiFlag.EXCLUDED]
        note = (
            f"权重已提高:承接了 {', '.join(donors)} 的权重(缺少数据)"
            if zh
            else f"weight raised: takes the weight of {', '.join(donors)} (no usable data)"
        )
    elif ln.flags & (KpiFlag.REALLOCATED | KpiFlag.EXCLUDED):
        note = flag_notes(ln.flags & (KpiFlag.REALLOCATED | KpiFlag.EXCLUDED), lang)
    return _step(lang, f"kpi.{ln.key}.weight", formula, inputs, ln.effective_weight, note)


def _criterion_step(cr: CriterionLine, lang: str) -> Step:
    zh = lang == "zh"
    inputs: list[Input] = [("low", cr.low), ("target_rating", cr.target_rating)]
    left_out: list[str] = []
    for src in cr.sources:
        if src.counted:
            inputs += [
                (f"{src.key}.mean", src.mean),
                (f"{src.key}.raters", float(src.raters)),
                (f"{src.key}.weight", src.weight),
            ]
        elif src.raters:
            name = word(f"source.{src.key}", "zh" if zh else "en", default=src.key)
            left_out.append(f"{name} ({src.raters} < {src.min_raters})")
    if left_out:
        note = (
            f"评价人数不足,未计入:{', '.join(left_out)}"
            if zh
            else f"too few raters, left out: {', '.join(left_out)}"
        )
    else:
        note = ""
    formula = (
        "100 × Σ 权重 × (平均评分 − 下限) / (目标评分 − 下限) / Σ 权重(计入的来源)"
        if zh
        else "100 × Σ weight × (mean − low) / (target_rating − low) / Σ weight, counted sources"
    )
    return _step(lang, f"criterion.{cr.key}", formula, tuple(inputs), cr.score, note)


def _averaged_steps(
    what: str, periods: tuple[PeriodValues, ...], cycle_days: int, lang: str
) -> list[Step]:
    """One step per KPI: its day-weighted value from the values in force per period."""
    if not periods:
        return []
    formula = (
        "Σ 天数 × 当期值 / 周期天数"
        if lang == "zh"
        else "Σ days × value in force / cycle_days (exact)"
    )
    out = []
    for key, _ in periods[0].values:
        inputs: list[Input] = [
            (str(p.period), f"{p.period.days} × {p.value(key)}") for p in periods
        ]
        inputs.append(("cycle_days", float(cycle_days)))
        total = sum((p.period.days * (p.value(key) or Fraction(0)) for p in periods), Fraction(0))
        value = total / cycle_days
        out.append(_step(lang, f"proration.{what}.{key}", formula, tuple(inputs), str(value), ""))
    return out


def proration_steps(p: Proration, lang: str = "en") -> tuple[Step, ...]:
    """Return the steps of a proration: days worked, FTE, eligible fraction, weights, managers.

    Exact values (fractions) are given as text, e.g. ``"8/15"``.
    """
    zh = lang == "zh"
    steps = [
        _step(
            lang,
            "proration.worked_days",
            "在职天数 − 休假天数" if zh else "employed_days − leave_days",
            (("employed_days", float(p.employed_days)), ("leave_days", float(p.leave_days))),
            float(p.worked_days),
            "",
        ),
        _step(
            lang,
            "proration.fte_days",
            "Σ 出勤天数 × 当期全职比例" if zh else "Σ days worked × FTE in force",
            (("worked_days", float(p.worked_days)),),
            str(p.fte_days),
            "",
        ),
        _step(
            lang,
            "proration.eligible_fraction",
            "折合全职天数 / 周期天数" if zh else "fte_days / cycle_days (exact)",
            (("fte_days", str(p.fte_days)), ("cycle_days", float(p.cycle_days))),
            str(p.eligible_fraction),
            "",
        ),
    ]
    steps += _averaged_steps("weight", p.weight_periods, p.cycle_days, lang)
    steps += _averaged_steps("target", p.target_periods, p.cycle_days, lang)
    if p.managers:
        previous = ", ".join(p.previous_managers)
        steps.append(
            _step(
                lang,
                "proration.evaluating_manager",
                "周期最后一天负责的经理"
                if zh
                else "the manager responsible on the cycle's last day",
                tuple((str(period), who) for who, period in p.managers),
                p.evaluating_manager,
                (f"前任经理:{previous}" if zh else f"previous managers: {previous}")
                if previous
                else "",
            )
        )
    return tuple(steps)


def explain_card(card: ScoreCard, lang: str) -> Explanation:
    """Return the trace of ``card`` in ``lang``: every number with its formula and inputs.

    Every step carries the inputs that recompute its result with the step's formula: the
    KPI scores from the actuals, bounds and scorer parameters; the effective weights from the
    nominal weights and the measured and zero-scored shares; the criterion scores from each
    counted source's mean rating, raters and weight; the rating from the band edges. Results
    are rounded half-to-even to 9 decimal places after the total is computed.
    """
    zh = lang == "zh"
    rn = REVIEW_NOTES_ZH if zh else REVIEW_NOTES_EN
    lines = card.lines
    steps: list[Step] = []
    if card.proration is not None:
        steps.extend(proration_steps(card.proration, lang))
    steps.extend(_kpi_score_step(ln, zh, lang) for ln in lines)
    nominal_total = 0.0
    for ln in lines:
        nominal_total += ln.nominal_weight
    zero_share = 0.0
    for ln in lines:
        if ln.flags & KpiFlag.SCORED_ZERO:
            zero_share += ln.nominal_weight
    zero_share /= nominal_total
    measured = tuple(
        (f"{ln.key}.nominal_weight", ln.nominal_weight)
        for ln in lines
        if ln.score is not None and not ln.flags & KpiFlag.SCORED_ZERO
    )
    share_note = ""
    if card.flags & ReviewFlag.TOO_LITTLE_DATA:
        share_note = rn[ReviewFlag.TOO_LITTLE_DATA]
    steps.append(
        _step(
            lang,
            "measured_share",
            (
                "Σ 已测量指标名义权重 / 名义权重合计(不低于最低测量占比才评级)"
                if zh
                else "Σ nominal weight of measured KPIs / nominal_total (rated when >= "
                "min_measured_share)"
            ),
            (
                *measured,
                ("nominal_total", nominal_total),
                ("min_measured_share", card.min_measured_share),
            ),
            card.measured_share,
            share_note,
        )
    )
    steps.extend(
        _weight_step(ln, card, zero_share=zero_share, nominal_total=nominal_total, lang=lang)
        for ln in lines
    )
    formula = "得分 × 有效权重" if zh else "score × effective_weight"
    steps.extend(
        _step(
            lang,
            f"kpi.{ln.key}.contribution",
            formula,
            (("score", ln.score), ("effective_weight", ln.effective_weight)),
            ln.contribution,
            "",
        )
        for ln in lines
    )
    formula = (
        "Σ 得分 × 有效权重 / Σ 有效权重(类别内已评分指标)"
        if zh
        else "Σ score × effective_weight / Σ effective_weight over the category's scored KPIs"
    )
    # Each category's scored-KPI inputs, gathered in one pass over the lines.
    members: dict[str, list[Input]] = {cat.key: [] for cat in card.categories}
    for ln in lines:
        group = members.get(ln.category)
        if group is not None and ln.score is not None and ln.effective_weight > 0:
            group += [(f"{ln.key}.score", ln.score), (f"{ln.key}.weight", ln.effective_weight)]
    steps.extend(
        _step(lang, f"category.{cat.key}", formula, tuple(members[cat.key]), cat.score, "")
        for cat in card.categories
    )
    raw = _opt(card.raw_quantitative)
    steps.append(
        _step(
            lang,
            "quantitative.raw",
            "Σ 贡献" if zh else "Σ contribution",
            tuple((f"{ln.key}.contribution", ln.contribution) for ln in lines),
            raw,
            "",
        )
    )
    caps = tuple(
        (f"gate.{ln.key}.cap", ln.gate_cap)
        for ln in lines
        if ln.flags & KpiFlag.GATED and ln.gate_cap is not None
    )
    steps.append(
        _step(
            lang,
            "quantitative",
            (
                "取较小值(门槛前量化得分, 触发门槛的封顶值)(门槛只会降低)"
                if zh
                else "min(raw, cap of each fired gate) (a gate only lowers)"
            ),
            (("raw", raw), *caps),
            _opt(card.quantitative),
            rn[ReviewFlag.GATED] if card.gated else "",
        )
    )
    steps.extend(_criterion_step(cr, lang) for cr in card.criteria)
    if card.criteria:
        steps.append(
            _step(
                lang,
                "qualitative",
                (
                    "Σ 标准权重 × 标准得分 / Σ 标准权重(已评分标准)"
                    if zh
                    else "Σ weight × score / Σ weight over the scored criteria"
                ),
                tuple(
                    item
                    for cr in card.criteria
                    if cr.score is not None
                    for item in ((f"{cr.key}.score", cr.score), (f"{cr.key}.weight", cr.weight))
                ),
                card.qualitative,
                "",
            )
        )
    why = flag_notes(card.flags & NOT_RATED_BITS, lang)
    steps.append(
        _step(
            lang,
            "total",
            (
                "量化占比 × 量化 + (1 − 量化占比) × 质化,保留9位小数"
                if zh
                else "share × quantitative + (1 − share) × qualitative, rounded to 9 places"
            ),
            (
                ("share", card.quantitative_share),
                ("quantitative", _opt(card.quantitative)),
                ("qualitative", card.qualitative),
            ),
            card.total,
            why,
        )
    )
    bands = tuple(
        item
        for label, lower, upper in card.rating_bands
        for item in ((f"{label}.lower", lower), (f"{label}.upper", upper))
    )
    steps.append(
        _step(
            lang,
            "rating",
            (
                "按评级区间 [下限, 上限) 查找(最高区间含上限)"
                if zh
                else "band with lower <= total < upper (the top band includes its upper)"
            ),
            (("total", card.total), *bands),
            card.rating,
            why,
        )
    )
    return Explanation(
        subject_id=card.subject_id,
        scheme_key=card.scheme_key,
        scheme_hash=card.scheme_hash,
        lang=lang,
        steps=steps,
    )
