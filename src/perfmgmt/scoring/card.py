"""Score results: per-review score cards, columnar batch scores and explanations.

A :class:`BatchScores` holds the result of scoring N reviews as numpy arrays; a
:class:`ScoreCard` is one row of it as plain Python values. Every number on a card can be
traced back to its inputs with :meth:`ScoreCard.explain`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Literal, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray
from perfmgmt._validate import instance_of, tuple_of
from perfmgmt.errors import ScoringError
from perfmgmt.scoring._display import batch_html, batch_to_pandas, scorecard_html

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BatchScores",
    "CategoryLine",
    "CriterionLine",
    "Explanation",
    "KpiFlag",
    "KpiLine",
    "ReviewFlag",
    "ScoreCard",
    "Step",
]


class KpiFlag(enum.IntFlag):
    """What happened to one KPI of one review (bits, combined with ``|``)."""

    NONE = 0
    MISSING = 1
    """No actual value."""
    INSUFFICIENT_DATA = 2
    """Sample size below the KPI's ``min_sample``."""
    REALLOCATED = 4
    """Missing or insufficient; the weight was reallocated to the scored KPIs."""
    SCORED_ZERO = 8
    """Missing or insufficient; scored 0 by policy."""
    EXCLUDED = 16
    """Missing or insufficient under policy ``EXCLUDE``: the review is not rated."""
    GATED = 32
    """This KPI's gate fired (the actual is on the wrong side of its gate)."""
    OVERRIDDEN_TARGET = 64
    """A per-review agreed goal replaced the scheme's default threshold/target/stretch."""


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
    """A gate fired and lowered the quantitative total."""


_NOT_RATED_BITS = (
    ReviewFlag.NOT_ELIGIBLE
    | ReviewFlag.EXCLUDED_KPI
    | ReviewFlag.NO_QUANTITATIVE
    | ReviewFlag.NO_QUALITATIVE
    | ReviewFlag.OUT_OF_SCALE
)

#: The same bits as a plain int: IntFlag arithmetic costs a microsecond per operation.
_NOT_RATED_INT = int(_NOT_RATED_BITS)


Input = tuple[str, float | str | None]


def _step_tuple(value: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(value)


def _same_float(a: float, b: float) -> bool:
    """Compare floats so that NaN equals NaN (a card with no quantitative total equals itself)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}"


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
        args = ", ".join(f"{n}={_fmt(v) if not isinstance(v, str) else v}" for n, v in self.inputs)
        res = self.result if isinstance(self.result, str) else _fmt(self.result)
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


@attrs.frozen(kw_only=True)
class KpiLine:
    """One KPI of a score card.

    Attributes:
        key: KPI key.
        category: Category key.
        actual: The actual used, None when missing.
        threshold: Threshold used (None if the scorer has none).
        target: Target used.
        stretch: Stretch used.
        achievement: Achievement ratio computed by the scorer, None if none.
        score: KPI score (100 = on target), None when not scored.
        nominal_weight: Category weight x weight in category.
        effective_weight: Weight after reallocation.
        contribution: ``score x effective_weight`` (0 when not scored).
        flags: What happened to this KPI.
        scorer: Name of the scorer used.
        direction: The indicator's direction (``"higher_is_better"`` ...).
        sample_size: Sample size reported, None when not reported.
    """

    key: str
    category: str
    actual: float | None
    threshold: float | None
    target: float | None
    stretch: float | None
    achievement: float | None
    score: float | None
    nominal_weight: float
    effective_weight: float
    contribution: float
    flags: KpiFlag
    scorer: str = ""
    direction: str = ""
    sample_size: int | None = None

    def __repr__(self) -> str:
        flags = f" {self.flags!r}" if self.flags else ""
        return (
            f"KpiLine({self.key}: actual={_fmt(self.actual)} target={_fmt(self.target)} "
            f"score={_fmt(self.score)} w={self.effective_weight:.4g}{flags})"
        )


@attrs.frozen(kw_only=True)
class CategoryLine:
    """One category subtotal of a score card.

    Attributes:
        key: Category key.
        weight: Nominal category weight.
        score: Weighted mean score of the category's scored KPIs, None if none was scored.
    """

    key: str
    weight: float
    score: float | None


@attrs.frozen(kw_only=True)
class CriterionLine:
    """One qualitative criterion of a score card.

    Attributes:
        key: Criterion key.
        weight: Nominal criterion weight.
        score: Criterion score on the score scale (100 = the scale's target rating), None when
            no source had enough raters.
    """

    key: str
    weight: float
    score: float | None


@attrs.frozen(kw_only=True)
class ScoreCard:
    """The scored result of one review.

    Attributes:
        scheme_key: The scheme.
        scheme_hash: The scheme's content hash.
        subject_id: The reviewed person.
        lines: One line per KPI, in scheme order.
        categories: Category subtotals, in scheme order.
        criteria: Qualitative criterion scores, in scheme order.
        raw_quantitative: Weighted KPI total before gates (NaN when nothing was scored).
        quantitative: Quantitative total after gates.
        qualitative: Qualitative part, None when there is none.
        quantitative_share: Share of the quantitative part in the blend.
        total: Blended total, None when the review is not rated.
        rating: Rating label, None when the review is not rated.
        rated: Whether the review got a rating.
        gated: Whether a gate fired.
        eligible_fraction: Share of the cycle the subject was eligible.
        flags: Review-level flags, saying why a review is not rated.
        rating_labels: Labels of the rating scale, lowest first.
    """

    scheme_key: str
    scheme_hash: str
    subject_id: str
    lines: tuple[KpiLine, ...]
    categories: tuple[CategoryLine, ...]
    quantitative: float = attrs.field(eq=attrs.cmp_using(eq=_same_float))
    qualitative: float | None
    total: float | None
    rating: str | None
    rated: bool
    gated: bool
    eligible_fraction: float
    criteria: tuple[CriterionLine, ...] = ()
    raw_quantitative: float = attrs.field(default=math.nan, eq=attrs.cmp_using(eq=_same_float))
    quantitative_share: float = 1.0
    flags: ReviewFlag = ReviewFlag.NONE
    rating_labels: tuple[str, ...] = ()

    def line(self, key: str) -> KpiLine:
        """Return the line of KPI ``key``.

        Raises:
            ScoringError: When the card has no such KPI.
        """
        for ln in self.lines:
            if ln.key == key:
                return ln
        raise ScoringError(
            f"ScoreCard of {self.subject_id!r}: no KPI {key!r}; the KPIs are "
            f"{[ln.key for ln in self.lines]}"
        )

    def __repr__(self) -> str:
        total = _fmt(self.total)
        why = "" if self.rated else f" not rated: {self.flags!r}"
        return (
            f"ScoreCard({self.subject_id}: total={total} rating={self.rating} "
            f"quantitative={_fmt(_opt(self.quantitative))} "
            f"qualitative={_fmt(self.qualitative)}{why})"
        )

    def explain(self, lang: Literal["en", "zh"] | str = "en") -> Explanation:
        """Return the full trace of this card: every number with its formula and inputs.

        Args:
            lang: ``"en"`` or ``"zh"`` for the language of the formulas and notes.

        Raises:
            ScoringError: When ``lang`` is not supported.
        """
        if lang not in ("en", "zh"):
            raise ScoringError(
                f"ScoreCard.explain: lang {lang!r} is not supported; use 'en' or 'zh'"
            )
        return _explanation(self, lang, _steps(self, zh=lang == "zh"))

    def _repr_html_(self) -> str:
        return scorecard_html(self)


_KPI_NOTES_EN = {
    KpiFlag.MISSING: "missing actual",
    KpiFlag.INSUFFICIENT_DATA: "sample below minimum",
    KpiFlag.REALLOCATED: "weight reallocated",
    KpiFlag.SCORED_ZERO: "scored 0 by policy",
    KpiFlag.EXCLUDED: "excluded: review not rated",
    KpiFlag.GATED: "gate fired",
    KpiFlag.OVERRIDDEN_TARGET: "agreed goal overrides default",
}
_KPI_NOTES_ZH = {
    KpiFlag.MISSING: "缺少实际值",
    KpiFlag.INSUFFICIENT_DATA: "样本量不足",
    KpiFlag.REALLOCATED: "权重已重新分配",
    KpiFlag.SCORED_ZERO: "按政策计0分",
    KpiFlag.EXCLUDED: "已排除:不评级",
    KpiFlag.GATED: "触发门槛",
    KpiFlag.OVERRIDDEN_TARGET: "采用约定目标",
}
_REVIEW_NOTES_EN = {
    ReviewFlag.NOT_ELIGIBLE: "too few eligible days",
    ReviewFlag.EXCLUDED_KPI: "a KPI with policy EXCLUDE has no usable data",
    ReviewFlag.NO_QUANTITATIVE: "no KPI could be scored",
    ReviewFlag.NO_QUALITATIVE: "no assessment source had enough raters",
    ReviewFlag.OUT_OF_SCALE: "total outside the rating scale",
    ReviewFlag.GATED: "gate lowered the quantitative total",
}
_REVIEW_NOTES_ZH = {
    ReviewFlag.NOT_ELIGIBLE: "在岗天数不足",
    ReviewFlag.EXCLUDED_KPI: "排除政策的指标缺少数据",
    ReviewFlag.NO_QUANTITATIVE: "没有可评分的指标",
    ReviewFlag.NO_QUALITATIVE: "评价来源人数不足",
    ReviewFlag.OUT_OF_SCALE: "总分超出评级范围",
    ReviewFlag.GATED: "门槛降低了量化得分",
}


def _notes(flags: int, table: dict[KpiFlag, str] | dict[ReviewFlag, str]) -> str:
    key = (id(table), int(flags))
    text = _NOTES_CACHE.get(key)
    if text is None:
        # IntFlag arithmetic is slow; bits are few, so each combination is joined once.
        text = "; ".join(t for bit, t in table.items() if int(flags) & int(bit))
        _NOTES_CACHE[key] = text
    return text


#: Joined notes per (table, flag bits); bounded by the 2**7 KPI and 2**6 review flag values.
_NOTES_CACHE: dict[tuple[int, int], str] = {}


# Trusted constructors: results the library builds from values it computed itself skip
# attrs' __init__ (per-field setattr by name, then validators); they set the slots directly,
# several times faster, which shows on the scalar ``score(...).explain()`` path. Objects
# users construct still go through __init__ and its validators.

_Setter = Callable[[object, object], None]


def _slot_setters(cls: type, names: str) -> tuple[_Setter, ...]:
    """Return the slot setters of ``cls``'s fields, checked to be all of them, in order."""
    fields = tuple(f.name for f in attrs.fields(cls))
    if fields != tuple(names.split()):  # pragma: no cover - a field was added or renamed
        raise AssertionError(f"{cls.__name__}: trusted constructor fields {names} != {fields}")
    return tuple(cls.__dict__[n].__set__ for n in fields)


_STEP = _slot_setters(Step, "name formula inputs result note")


def _step(
    name: str, formula: str, inputs: tuple[Input, ...], result: float | str | None, note: str
) -> Step:
    s = object.__new__(Step)
    set_name, set_formula, set_inputs, set_result, set_note = _STEP
    set_name(s, name)
    set_formula(s, formula)
    set_inputs(s, inputs)
    set_result(s, result)
    set_note(s, note)
    return s


_EXPLANATION = _slot_setters(Explanation, "subject_id scheme_key scheme_hash lang steps")


def _explanation(card: ScoreCard, lang: str, steps: tuple[Step, ...]) -> Explanation:
    e = object.__new__(Explanation)
    set_subject, set_key, set_hash, set_lang, set_steps = _EXPLANATION
    set_subject(e, card.subject_id)
    set_key(e, card.scheme_key)
    set_hash(e, card.scheme_hash)
    set_lang(e, lang)
    set_steps(e, steps)
    return e


def _steps(card: ScoreCard, *, zh: bool) -> tuple[Step, ...]:
    kn = _KPI_NOTES_ZH if zh else _KPI_NOTES_EN
    rn = _REVIEW_NOTES_ZH if zh else _REVIEW_NOTES_EN
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
            _notes(ln.flags, kn),
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
    why = _notes(int(card.flags) & _NOT_RATED_INT, rn)
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
    return tuple(steps)


def _f(x: np.floating | float) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v


def _opts(values: npt.NDArray[np.float64]) -> list[float | None]:
    """Return ``values`` as Python floats, None for NaN."""
    return [None if v != v else v for v in values.tolist()]  # v != v: NaN  # noqa: PLR0124


#: Every KpiFlag value (7 bits), so a row does not construct enum members one by one.
_KPI_FLAGS = tuple(KpiFlag(i) for i in range(128))
#: Every ReviewFlag value (6 bits).
_REVIEW_FLAGS = tuple(ReviewFlag(i) for i in range(64))

_KPI_LINE = _slot_setters(
    KpiLine,
    "key category actual threshold target stretch achievement score nominal_weight "
    "effective_weight contribution flags scorer direction sample_size",
)
_SCORE_CARD = _slot_setters(
    ScoreCard,
    "scheme_key scheme_hash subject_id lines categories quantitative qualitative total rating "
    "rated gated eligible_fraction criteria raw_quantitative quantitative_share flags "
    "rating_labels",
)
_CATEGORY_LINE = _slot_setters(CategoryLine, "key weight score")
_CRITERION_LINE = _slot_setters(CriterionLine, "key weight score")
_SUBTOTAL = {CategoryLine: _CATEGORY_LINE, CriterionLine: _CRITERION_LINE}
_L = TypeVar("_L", CategoryLine, CriterionLine)


def _subtotal(cls: type[_L], key: str, weight: float, score: float | None) -> _L:
    line = object.__new__(cls)
    set_key, set_weight, set_score = _SUBTOTAL[cls]
    set_key(line, key)
    set_weight(line, weight)
    set_score(line, score)
    return line


def _kpi_lines(  # noqa: PLR0917 - the row's columns, as BatchScores.row holds them
    batch: BatchScores,
    actual: list[float | None],
    threshold: list[float | None],
    target: list[float | None],
    stretch: list[float | None],
    achievement: list[float | None],
    score: list[float | None],
    effective_weight: list[float],
    contribution: list[float],
    flags: list[int],
    sample_size: list[int],
) -> tuple[KpiLine, ...]:
    """Build the KPI lines of one row (trusted: the values come from the batch's arrays)."""
    (
        set_key,
        set_category,
        set_actual,
        set_threshold,
        set_target,
        set_stretch,
        set_achievement,
        set_score,
        set_nominal,
        set_effective,
        set_contribution,
        set_flags,
        set_scorer,
        set_direction,
        set_sample,
    ) = _KPI_LINE
    nominal: list[float] = batch.nominal_weight.tolist()
    lines: list[KpiLine] = []
    for j, key in enumerate(batch.kpi_keys):
        ln = object.__new__(KpiLine)
        set_key(ln, key)
        set_category(ln, batch.kpi_categories[j])
        set_actual(ln, actual[j])
        set_threshold(ln, threshold[j])
        set_target(ln, target[j])
        set_stretch(ln, stretch[j])
        set_achievement(ln, achievement[j])
        set_score(ln, score[j])
        set_nominal(ln, nominal[j])
        set_effective(ln, effective_weight[j])
        set_contribution(ln, contribution[j])
        set_flags(ln, _KPI_FLAGS[flags[j]])
        set_scorer(ln, batch.scorer_names[j])
        set_direction(ln, batch.directions[j])
        set_sample(ln, None if sample_size[j] < 0 else sample_size[j])
        lines.append(ln)
    return tuple(lines)


@attrs.frozen(kw_only=True, eq=False)
class BatchScores:
    """Scores of N reviews as numpy arrays (N reviews x K KPIs x C categories).

    ``row(i)`` gives the same :class:`ScoreCard` that :meth:`ScoringEngine.score` gives for
    review ``i``. See the attribute list in the reference for shapes and dtypes.

    Attributes:
        scheme_key: The scheme.
        scheme_hash: The scheme's content hash.
        subject_ids: N subject ids.
        kpi_keys: K KPI keys in scheme order.
        category_keys: C category keys in scheme order.
        rating_labels: Band labels, lowest band first.
        actual: float64 (N, K), NaN = missing.
        threshold: float64 (N, K) threshold used, NaN if none.
        target: float64 (N, K) target used.
        stretch: float64 (N, K) stretch used.
        achievement: float64 (N, K) achievement computed by the scorer, NaN if none.
        score: float64 (N, K) KPI score, NaN if not scored.
        nominal_weight: float64 (K,) category weight x weight in category.
        effective_weight: float64 (N, K) after reallocation; rows sum to 1 when scored.
        contribution: float64 (N, K) ``score x effective_weight``, 0 where not scored.
        flags: uint8 (N, K) :class:`KpiFlag` bits.
        category_score: float64 (N, C), NaN where no KPI of the category was scored.
        quantitative: float64 (N,) quantitative total after gates.
        qualitative: float64 (N,) qualitative part, NaN if none.
        total: float64 (N,) blended total, NaN when not rated.
        rating_index: int64 (N,) index into ``rating_labels``, -1 when not rated.
        rated: bool (N,).
        gated: bool (N,) some gate fired.
        eligible_fraction: float64 (N,) share of the cycle the subject was eligible.
        raw_quantitative: float64 (N,) quantitative total before gates.
        review_flags: uint8 (N,) :class:`ReviewFlag` bits.
        criterion_keys: Q qualitative criterion keys.
        criterion_weight: float64 (Q,) nominal criterion weights.
        criterion_score: float64 (N, Q), NaN where no source had enough raters.
        category_weight: float64 (C,) nominal category weights.
        kpi_categories: K category keys, one per KPI.
        scorer_names: K scorer names, one per KPI.
        directions: K indicator directions, one per KPI.
        quantitative_share: Share of the quantitative part in the blend.
        sample_size: int64 (N, K) sample sizes, -1 = not reported.
    """

    scheme_key: str
    scheme_hash: str
    subject_ids: tuple[str, ...]
    kpi_keys: tuple[str, ...]
    category_keys: tuple[str, ...]
    rating_labels: tuple[str, ...]
    actual: FloatArray
    threshold: FloatArray
    target: FloatArray
    stretch: FloatArray
    achievement: FloatArray
    score: FloatArray
    nominal_weight: FloatArray
    effective_weight: FloatArray
    contribution: FloatArray
    flags: npt.NDArray[np.uint8]
    category_score: FloatArray
    quantitative: FloatArray
    qualitative: FloatArray
    total: FloatArray
    rating_index: npt.NDArray[np.int64]
    rated: npt.NDArray[np.bool_]
    gated: npt.NDArray[np.bool_]
    eligible_fraction: FloatArray
    raw_quantitative: FloatArray
    review_flags: npt.NDArray[np.uint8]
    criterion_keys: tuple[str, ...]
    criterion_weight: FloatArray
    criterion_score: FloatArray
    category_weight: FloatArray
    kpi_categories: tuple[str, ...]
    scorer_names: tuple[str, ...]
    directions: tuple[str, ...]
    quantitative_share: float
    sample_size: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.subject_ids)

    def __repr__(self) -> str:
        n = len(self)
        rated = int(self.rated.sum())
        return (
            f"BatchScores(scheme={self.scheme_key!r}, reviews={n}, rated={rated}, "
            f"kpis={list(self.kpi_keys)})"
        )

    def rating(self) -> npt.NDArray[np.object_]:
        """Return the rating label of every review (None when not rated) as an object array."""
        labels = np.array([*self.rating_labels, None], dtype=object)
        return labels[self.rating_index]

    def row(self, i: int) -> ScoreCard:
        """Return the score card of review ``i``, identical to the scalar ``score`` call.

        Raises:
            ScoringError: When ``i`` is out of range.
        """
        n = len(self)
        if not isinstance(i, int | np.integer) or not -n <= int(i) < n:
            raise ScoringError(f"BatchScores.row: index {i!r} is out of range for {n} reviews")
        i = int(i) % n
        # One tolist() per array row is far cheaper than a float() per element.
        a, th, tg, st = (
            _opts(self.actual[i]),
            _opts(self.threshold[i]),
            _opts(self.target[i]),
            _opts(self.stretch[i]),
        )
        ach, sc = _opts(self.achievement[i]), _opts(self.score[i])
        ew: list[float] = self.effective_weight[i].tolist()
        co: list[float] = self.contribution[i].tolist()
        fl: list[int] = self.flags[i].tolist()
        ss: list[int] = self.sample_size[i].tolist()
        lines = _kpi_lines(self, a, th, tg, st, ach, sc, ew, co, fl, ss)
        cs = _opts(self.category_score[i])
        cw: list[float] = self.category_weight.tolist()
        cats = tuple(
            _subtotal(CategoryLine, c, cw[j], cs[j]) for j, c in enumerate(self.category_keys)
        )
        qs = _opts(self.criterion_score[i]) if self.criterion_keys else []
        qw: list[float] = self.criterion_weight.tolist()
        crit = tuple(
            _subtotal(CriterionLine, c, qw[j], qs[j]) for j, c in enumerate(self.criterion_keys)
        )
        ri = int(self.rating_index[i])
        card = object.__new__(ScoreCard)
        for set_, value in zip(
            _SCORE_CARD,
            (
                self.scheme_key,
                self.scheme_hash,
                self.subject_ids[i],
                lines,
                cats,
                float(self.quantitative[i]),
                _f(self.qualitative[i]),
                _f(self.total[i]),
                self.rating_labels[ri] if ri >= 0 else None,
                bool(self.rated[i]),
                bool(self.gated[i]),
                float(self.eligible_fraction[i]),
                crit,
                float(self.raw_quantitative[i]),
                self.quantitative_share,
                _REVIEW_FLAGS[int(self.review_flags[i])],
                self.rating_labels,
            ),
            strict=True,
        ):
            set_(card, value)
        return card

    def _repr_html_(self) -> str:
        return batch_html(self)

    def to_pandas(self) -> pd.DataFrame:
        """Return the scores as a pandas DataFrame, one row per review (extra ``perfmgmt[pandas]``).

        The columns are those of :meth:`to_records`, indexed by ``subject_id``; missing numbers
        are NaN and ``rating`` is an ordered categorical, lowest band first.

        Raises:
            MissingExtraError: When pandas is not installed.
        """
        return batch_to_pandas(self)

    def rows(self) -> Iterator[ScoreCard]:
        """Yield the score card of every review, in order."""
        for i in range(len(self)):
            yield self.row(i)

    def to_records(self) -> list[dict[str, object]]:
        """Return one flat dict per review: totals, rating, and per-KPI actual/score/flags.

        Keys: ``subject_id``, ``total``, ``rating``, ``rated``, ``gated``, ``quantitative``,
        ``qualitative``, ``eligible_fraction``, ``review_flags``, ``category.<key>``,
        ``kpi.<key>.actual|target|achievement|score|effective_weight|flags``. Missing numbers
        are None, never NaN.
        """
        ratings = self.rating()
        out: list[dict[str, object]] = []
        for i, sid in enumerate(self.subject_ids):
            rec: dict[str, object] = {
                "subject_id": sid,
                "total": _f(self.total[i]),
                "rating": ratings[i],
                "rated": bool(self.rated[i]),
                "gated": bool(self.gated[i]),
                "quantitative": _f(self.quantitative[i]),
                "qualitative": _f(self.qualitative[i]),
                "eligible_fraction": float(self.eligible_fraction[i]),
                "review_flags": int(self.review_flags[i]),
            }
            for j, c in enumerate(self.category_keys):
                rec[f"category.{c}"] = _f(self.category_score[i, j])
            for j, k in enumerate(self.kpi_keys):
                rec[f"kpi.{k}.actual"] = _f(self.actual[i, j])
                rec[f"kpi.{k}.target"] = _f(self.target[i, j])
                rec[f"kpi.{k}.achievement"] = _f(self.achievement[i, j])
                rec[f"kpi.{k}.score"] = _f(self.score[i, j])
                rec[f"kpi.{k}.effective_weight"] = float(self.effective_weight[i, j])
                rec[f"kpi.{k}.flags"] = int(self.flags[i, j])
            out.append(rec)
        return out
