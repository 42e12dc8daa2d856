"""Explanations: how every number of a score card was computed, step by step.

Each :class:`Step` names a result, the formula that gave it and the inputs it was applied to,
in the order the engine computes them (see the "Scoring" explanation page).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from perfmgmt._html import fmt
from perfmgmt._validate import instance_of, tuple_of
from perfmgmt.errors import ScoringError
from perfmgmt.scoring.flags import (
    NOT_RATED_BITS,
    REVIEW_NOTES_EN,
    REVIEW_NOTES_ZH,
    ReviewFlag,
    flag_notes,
)

if TYPE_CHECKING:
    from perfmgmt.scoring.card import ScoreCard

__all__ = ["Explanation", "Step", "explain_card"]

Input = tuple[str, float | str | None]


def _step_tuple(value: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(value)


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@attrs.frozen(kw_only=True)
class Step:
    """One step of an explanation: a named result, the formula and the inputs it came from.

    Attributes:
        name: What is computed, e.g. ``"kpi.csat.score"``.
        formula: The formula in words and symbols.
        inputs: ``(name, value)`` pairs the formula was applied to.
        result: The resulting value (None when there is none, e.g. a missing KPI).
        note: Flags or policy decisions that applied.
    """

    name: str = attrs.field(validator=instance_of(str))
    formula: str = attrs.field(validator=instance_of(str))
    inputs: tuple[Input, ...] = ()
    result: float | str | None = None
    note: str = attrs.field(default="", validator=instance_of(str))

    def text(self) -> str:
        """Return the step as one readable line."""
        args = ", ".join(f"{n}={fmt(v) if not isinstance(v, str) else v}" for n, v in self.inputs)
        res = self.result if isinstance(self.result, str) else fmt(self.result)
        tail = f"  [{self.note}]" if self.note else ""
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

    @property
    def text(self) -> str:
        """The explanation as readable text, one step per line."""
        head = (
            f"评分说明:{self.subject_id},方案 {self.scheme_key} ({self.scheme_hash[:15]})"
            if self.lang == "zh"
            else f"Score explanation for {self.subject_id}, scheme {self.scheme_key} "
            f"({self.scheme_hash[:15]})"
        )
        return "\n".join([head, *(s.text() for s in self.steps)])

    def __str__(self) -> str:
        return self.text


def _step(
    name: str, formula: str, inputs: tuple[Input, ...], result: float | str | None, note: str
) -> Step:
    return Step(name=name, formula=formula, inputs=inputs, result=result, note=note)


def explain_card(card: ScoreCard, lang: str) -> Explanation:
    """Return the trace of ``card`` in ``lang``: every number with its formula and inputs."""
    zh = lang == "zh"
    rn = REVIEW_NOTES_ZH if zh else REVIEW_NOTES_EN
    lines = card.lines
    steps: list[Step] = [
        _step(
            f"kpi.{ln.key}.score",
            f"评分器 {ln.scorer}({ln.direction})" if zh else f"{ln.scorer} scorer ({ln.direction})",
            (
                ("actual", ln.actual),
                ("threshold", ln.threshold),
                ("target", ln.target),
                ("stretch", ln.stretch),
                ("achievement", ln.achievement),
            ),
            ln.score,
            flag_notes(ln.flags, lang),
        )
        for ln in lines
    ]
    formula = "得分 × 有效权重" if zh else "score × effective_weight"
    steps.extend(
        _step(
            f"kpi.{ln.key}.contribution",
            formula,
            (
                ("score", ln.score),
                ("nominal_weight", ln.nominal_weight),
                ("effective_weight", ln.effective_weight),
            ),
            ln.contribution,
            "",
        )
        for ln in lines
    )
    formula = (
        "类别内已评分指标的加权平均" if zh else "weighted mean of scored KPI scores in the category"
    )
    # Each category's scored-KPI inputs, gathered in one pass over the lines.
    members: dict[str, list[Input]] = {cat.key: [] for cat in card.categories}
    for ln in lines:
        group = members.get(ln.category)
        if group is not None:
            group.append((f"{ln.key}.score", ln.score))
    steps.extend(
        _step(f"category.{cat.key}", formula, tuple(members[cat.key]), cat.score, "")
        for cat in card.categories
    )
    raw = _opt(card.raw_quantitative)
    steps.append(
        _step(
            "quantitative.raw",
            "Σ 贡献" if zh else "Σ contribution",
            tuple((ln.key, ln.contribution) for ln in lines),
            raw,
            "",
        )
    )
    steps.append(
        _step(
            "quantitative",
            (
                "门槛后的量化得分(门槛只会降低)"
                if zh
                else "raw quantitative after gates (a gate only lowers)"
            ),
            (("raw", raw),),
            _opt(card.quantitative),
            rn[ReviewFlag.GATED] if card.gated else "",
        )
    )
    formula = (
        "100 × (评分 − 下限)/(目标 − 下限),按来源权重加权"
        if zh
        else "100 × (rating − low)/(target − low), weighted by source"
    )
    steps.extend(
        _step(f"criterion.{cr.key}", formula, (("weight", cr.weight),), cr.score, "")
        for cr in card.criteria
    )
    if card.criteria:
        steps.append(
            _step(
                "qualitative",
                "Σ 标准权重 × 标准得分" if zh else "Σ criterion weight × criterion score",
                tuple((cr.key, cr.score) for cr in card.criteria),
                card.qualitative,
                "",
            )
        )
    why = flag_notes(card.flags & NOT_RATED_BITS, lang)
    steps.append(
        _step(
            "total",
            (
                "量化占比 × 量化 + (1 − 量化占比) × 质化"
                if zh
                else "share × quantitative + (1 − share) × qualitative"
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
    steps.append(
        _step(
            "rating",
            (
                "按评级区间 [下限, 上限) 查找"
                if zh
                else "band of the rating scale with lower <= total < upper"
            ),
            (("total", card.total),),
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
