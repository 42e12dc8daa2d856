"""Score results: per-review score cards, columnar batch scores and explanations.

A :class:`BatchScores` holds the result of scoring N reviews as numpy arrays; a
:class:`ScoreCard` is one row of it as plain Python values. Every number on a card can be
traced back to its inputs with :meth:`ScoreCard.explain`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._html import fmt as _fmt
from perfmgmt._ids import id_tuple
from perfmgmt._typing import FlagArray, FloatArray, IntArray, NanFloat
from perfmgmt.errors import ScoringError
from perfmgmt.model.kpi import ParamValue
from perfmgmt.model.proration import Proration
from perfmgmt.scoring import _tables
from perfmgmt.scoring._display import batch_html, batch_to_pandas, scorecard_html
from perfmgmt.scoring.explain import Explanation, Step, explain_card
from perfmgmt.scoring.flags import KpiFlag, ReviewFlag

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "BatchScores",
    "CategoryLine",
    "CriterionLine",
    "Explanation",
    "KpiFlag",
    "KpiLine",
    "KpiRecord",
    "ReviewFlag",
    "ScoreCard",
    "ScoreRecord",
    "SourceLine",
    "Step",
]


class KpiRecord(TypedDict):
    """One KPI of a :class:`ScoreRecord`; missing numbers are None, never NaN.

    Attributes:
        actual: The measured value, None when missing.
        target: The target in force for this review.
        achievement: Actual as a fraction of target (direction-aware), None when undefined.
        score: The KPI's score (0-100 on the preset scale), None when not scored.
        effective_weight: The weight the KPI carried after reweighting, as a fraction of 1.
        flags: The :class:`KpiFlag` bits as an int.
    """

    actual: float | None
    target: float | None
    achievement: float | None
    score: float | None
    effective_weight: float
    flags: int


class ScoreRecord(TypedDict):
    """One review of :meth:`BatchScores.to_records`, typed for ``mypy --strict`` callers.

    Attributes:
        subject_id: The subject's id.
        total: The total score, None when the review is not rated.
        rating: The rating band's label, None when not rated.
        rated: Whether the review has a total and a rating.
        gated: Whether a gate capped the rating.
        quantitative: The quantitative part, None when it has no KPI with a score.
        qualitative: The qualitative part, None when it has no rated criterion.
        eligible_fraction: The share of the cycle the subject was eligible (1.0 for a full cycle).
        review_flags: The :class:`ReviewFlag` bits as an int.
        categories: Category key → category score (None when empty), in scheme order.
        kpis: KPI key → :class:`KpiRecord`, in scheme order.
    """

    subject_id: str
    total: float | None
    rating: str | None
    rated: bool
    gated: bool
    quantitative: float | None
    qualitative: float | None
    eligible_fraction: float
    review_flags: int
    categories: dict[str, float | None]
    kpis: dict[str, KpiRecord]


Cell = str | float | int | bool | None
"""A value of a flat row: what a CSV cell or a database column holds."""


def _same_float(a: float, b: float) -> bool:
    """Compare floats so that NaN equals NaN (a card with no quantitative total equals itself)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def _f(x: np.floating | float) -> float | None:
    """Return ``x`` as a Python float, None for NaN."""
    v = float(x)
    return None if math.isnan(v) else v


def _opts(values: FloatArray) -> list[float | None]:
    """Return ``values`` as Python floats, None for NaN."""
    return [None if math.isnan(v) else v for v in values.tolist()]


def _nan(values: Sequence[float | None]) -> list[float]:
    """Return ``values`` with None as NaN."""
    return [math.nan if v is None else v for v in values]


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
        min_sample: The KPI's minimum sample size (0: none).
        params: The scorer's parameters, as the scheme gives them.
        gate_threshold: The KPI's gate threshold, None without a gate.
        gate_cap: The cap on the quantitative total when the gate fires (0 for a ``ZERO``
            gate), None without a gate.
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
    min_sample: int = 0
    params: tuple[tuple[str, ParamValue], ...] = ()
    gate_threshold: float | None = None
    gate_cap: float | None = None

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
class SourceLine:
    """One assessment source's ratings on one qualitative criterion.

    Attributes:
        key: Source key (``"manager"``, ``"peer"`` ...).
        weight: The source's nominal weight.
        min_raters: The fewest raters whose mean counts.
        raters: How many raters rated.
        mean: Their mean rating on the criterion's scale, None when nobody rated.
        counted: Whether the mean counts (``raters >= min_raters``).
    """

    key: str
    weight: float
    min_raters: int
    raters: int
    mean: float | None
    counted: bool


@attrs.frozen(kw_only=True)
class CriterionLine:
    """One qualitative criterion of a score card.

    Attributes:
        key: Criterion key.
        weight: Nominal criterion weight.
        score: Criterion score on the score scale (100 = the scale's target rating), None when
            no source had enough raters.
        low: The low end of the criterion's rating scale.
        target_rating: The rating that scores 100.
        sources: Each source's mean rating, raters and weight, in scheme order.
    """

    key: str
    weight: float
    score: float | None
    low: float | None = None
    target_rating: float | None = None
    sources: tuple[SourceLine, ...] = ()

    def _mean(self, source: str) -> float | None:
        for line in self.sources:
            if line.key == source:
                return line.mean
        return None

    @property
    def self_gap(self) -> float | None:
        """Self-assessment minus the manager's rating, on the criterion's scale.

        Positive when the employee rates themselves higher than the manager does; None unless
        both rated. The scheme must list the ``self`` source (a weight of 0 records the
        self-assessment without counting it in the score).
        """
        own, manager = self._mean("self"), self._mean("manager")
        if own is None or manager is None:
            return None
        return own - manager


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
        rating_bands: ``(label, lower, upper)`` of each band, lowest first.
        measured_share: The share of the nominal KPI weight measured (scored on its own
            actual).
        min_measured_share: The scheme's minimum measured share for a rating.
        proration: How mid-cycle changes were prorated (days worked, FTE, weights, targets,
            managers), when the review records any and was scored with its cycle.
    """

    scheme_key: str
    scheme_hash: str
    subject_id: str
    lines: tuple[KpiLine, ...]
    categories: tuple[CategoryLine, ...]
    quantitative: NanFloat = attrs.field(eq=attrs.cmp_using(eq=_same_float))
    qualitative: float | None
    total: float | None
    rating: str | None
    rated: bool
    gated: bool
    eligible_fraction: float
    criteria: tuple[CriterionLine, ...] = ()
    raw_quantitative: NanFloat = attrs.field(default=math.nan, eq=attrs.cmp_using(eq=_same_float))
    quantitative_share: float = 1.0
    flags: ReviewFlag = ReviewFlag.NONE
    rating_labels: tuple[str, ...] = ()
    rating_bands: tuple[tuple[str, float, float], ...] = ()
    measured_share: float = 1.0
    min_measured_share: float = 0.0
    proration: Proration | None = None

    @property
    def self_gaps(self) -> dict[str, float]:
        """Each criterion's :attr:`CriterionLine.self_gap`, for the criteria both parties rated."""
        return {c.key: gap for c in self.criteria if (gap := c.self_gap) is not None}

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
            f"quantitative={_fmt(self.quantitative)} "
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
        return explain_card(self, lang)

    def _repr_html_(self) -> str:
        return scorecard_html(self)


def _assessed(cards: Sequence[ScoreCard]) -> dict[str, Any]:
    """The qualitative inputs of ``cards`` as BatchScores arrays (none when not recorded)."""
    first = cards[0]
    if not first.criteria or not first.criteria[0].sources:
        return {}
    crit = first.criteria
    srcs = crit[0].sources
    shape = (len(cards), len(crit), len(srcs))
    return {
        "source_keys": tuple(s.key for s in srcs),
        "source_weight": np.array([s.weight for s in srcs], dtype=np.float64),
        "min_raters": np.array([s.min_raters for s in srcs], dtype=np.int64),
        "criterion_low": np.array(_nan([q.low for q in crit]), dtype=np.float64),
        "criterion_target": np.array(_nan([q.target_rating for q in crit]), dtype=np.float64),
        "ratings": np.array(
            [[_nan([s.mean for s in q.sources]) for q in c.criteria] for c in cards],
            dtype=np.float64,
        ).reshape(shape),
        "raters": np.array(
            [[[s.raters for s in q.sources] for q in c.criteria] for c in cards], dtype=np.int64
        ).reshape(shape),
    }


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
        nominal_weight: float64 (K,) category weight x weight in category; (N, K) per review
            when some review's weights were prorated after a mid-cycle change.
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
        min_sample: int64 (K,) minimum sample sizes.
        scorer_params: K tuples of scorer parameters.
        gate_threshold: float64 (K,) gate thresholds, NaN without a gate.
        gate_cap: float64 (K,) caps of the gates (0 for ``ZERO`` gates), NaN without a gate.
        measured_share: float64 (N,) share of the nominal KPI weight measured.
        min_measured_share: The scheme's minimum measured share for a rating.
        rating_bands: ``(label, lower, upper)`` of each band, lowest first.
        source_keys: S assessment source keys.
        source_weight: float64 (S,) nominal source weights.
        min_raters: int64 (S,) minimum raters per source.
        criterion_low: float64 (Q,) low end of each criterion's scale.
        criterion_target: float64 (Q,) rating that scores 100 on each criterion.
        ratings: float64 (N, Q, S) mean rating per criterion and source (the population's).
        raters: int64 (N, Q, S) raters behind each mean.
        prorations: Per review, its proration of mid-cycle changes (None without); empty
            when no review has one.
    """

    scheme_key: str
    scheme_hash: str
    # a tuple, or the population's Arrow id column (the tuple is built on first read)
    _ids: Sequence[str] = attrs.field(alias="subject_ids", repr=False)
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
    flags: FlagArray
    category_score: FloatArray
    quantitative: FloatArray
    qualitative: FloatArray
    total: FloatArray
    rating_index: npt.NDArray[np.int64]
    rated: npt.NDArray[np.bool_]
    gated: npt.NDArray[np.bool_]
    eligible_fraction: FloatArray
    raw_quantitative: FloatArray
    review_flags: FlagArray
    criterion_keys: tuple[str, ...]
    criterion_weight: FloatArray
    criterion_score: FloatArray
    category_weight: FloatArray
    kpi_categories: tuple[str, ...]
    scorer_names: tuple[str, ...]
    directions: tuple[str, ...]
    quantitative_share: float
    sample_size: npt.NDArray[np.int64]
    min_sample: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    scorer_params: tuple[tuple[tuple[str, ParamValue], ...], ...] = ()
    gate_threshold: FloatArray = attrs.field(factory=lambda: np.zeros(0))
    gate_cap: FloatArray = attrs.field(factory=lambda: np.zeros(0))
    measured_share: FloatArray = attrs.field(factory=lambda: np.zeros(0))
    min_measured_share: float = 0.0
    rating_bands: tuple[tuple[str, float, float], ...] = ()
    source_keys: tuple[str, ...] = ()
    source_weight: FloatArray = attrs.field(factory=lambda: np.zeros(0))
    min_raters: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    criterion_low: FloatArray = attrs.field(factory=lambda: np.zeros(0))
    criterion_target: FloatArray = attrs.field(factory=lambda: np.zeros(0))
    ratings: FloatArray = attrs.field(factory=lambda: np.zeros((0, 0, 0)))
    raters: IntArray = attrs.field(factory=lambda: np.zeros((0, 0, 0), dtype=np.int64))
    prorations: tuple[Proration | None, ...] = ()

    @classmethod
    def from_cards(cls, cards: Sequence[ScoreCard]) -> BatchScores:
        """Return the batch whose ``row(i)`` is ``cards[i]``, for cards of one scheme.

        The inverse of :meth:`row`: use it to run batch code (rules, analytics) on cards that
        were scored, stored or calibrated one at a time.

        Raises:
            ScoringError: When ``cards`` is empty or mixes schemes, KPIs or criteria.
        """
        if not cards:
            raise ScoringError("BatchScores.from_cards: give at least one score card")
        first = cards[0]
        shape = (
            first.scheme_hash,
            tuple(x.key for x in first.lines),
            tuple(c.key for c in first.categories),
            tuple(c.key for c in first.criteria),
        )
        for card in cards:
            if not isinstance(card, ScoreCard):
                raise ScoringError(
                    f"BatchScores.from_cards: expected ScoreCard items, got {type(card).__name__}"
                )
            other = (
                card.scheme_hash,
                tuple(x.key for x in card.lines),
                tuple(c.key for c in card.categories),
                tuple(c.key for c in card.criteria),
            )
            if other != shape:
                raise ScoringError(
                    f"BatchScores.from_cards: card of {card.subject_id!r} was scored against "
                    f"scheme {card.scheme_key!r} ({card.scheme_hash[:15]}) with other KPIs or "
                    f"criteria than the first card's; give cards of one scheme"
                )
        labels = first.rating_labels or tuple(
            dict.fromkeys(c.rating for c in cards if c.rating is not None)
        )

        def kpis(field: str) -> FloatArray:
            return np.array(
                [_nan([getattr(x, field) for x in c.lines]) for c in cards], dtype=np.float64
            ).reshape(len(cards), len(first.lines))

        def per_card(values: Sequence[float | None]) -> FloatArray:
            return np.array(_nan(values), dtype=np.float64)

        lines = first.lines
        return cls(
            scheme_key=first.scheme_key,
            scheme_hash=first.scheme_hash,
            subject_ids=tuple(c.subject_id for c in cards),
            kpi_keys=tuple(x.key for x in lines),
            category_keys=tuple(c.key for c in first.categories),
            rating_labels=tuple(labels),
            actual=kpis("actual"),
            threshold=kpis("threshold"),
            target=kpis("target"),
            stretch=kpis("stretch"),
            achievement=kpis("achievement"),
            score=kpis("score"),
            nominal_weight=_nominal_of(cards),
            effective_weight=kpis("effective_weight"),
            contribution=kpis("contribution"),
            flags=np.array(
                [[int(x.flags) for x in c.lines] for c in cards], dtype=np.uint8
            ).reshape(len(cards), len(lines)),
            category_score=np.array(
                [_nan([g.score for g in c.categories]) for c in cards], dtype=np.float64
            ).reshape(len(cards), len(first.categories)),
            quantitative=per_card([c.quantitative for c in cards]),
            qualitative=per_card([c.qualitative for c in cards]),
            total=per_card([c.total for c in cards]),
            rating_index=np.array(
                [labels.index(c.rating) if c.rating in labels else -1 for c in cards],
                dtype=np.int64,
            ),
            rated=np.array([c.rated for c in cards], dtype=np.bool_),
            gated=np.array([c.gated for c in cards], dtype=np.bool_),
            eligible_fraction=per_card([c.eligible_fraction for c in cards]),
            raw_quantitative=per_card([c.raw_quantitative for c in cards]),
            review_flags=np.array([int(c.flags) for c in cards], dtype=np.uint8),
            criterion_keys=tuple(c.key for c in first.criteria),
            criterion_weight=np.array([c.weight for c in first.criteria], dtype=np.float64),
            criterion_score=np.array(
                [_nan([q.score for q in c.criteria]) for c in cards], dtype=np.float64
            ).reshape(len(cards), len(first.criteria)),
            category_weight=np.array([c.weight for c in first.categories], dtype=np.float64),
            kpi_categories=tuple(x.category for x in lines),
            scorer_names=tuple(x.scorer for x in lines),
            directions=tuple(x.direction for x in lines),
            quantitative_share=first.quantitative_share,
            sample_size=np.array(
                [[-1 if x.sample_size is None else x.sample_size for x in c.lines] for c in cards],
                dtype=np.int64,
            ).reshape(len(cards), len(lines)),
            min_sample=np.array([x.min_sample for x in lines], dtype=np.int64),
            scorer_params=tuple(x.params for x in lines),
            gate_threshold=np.array(_nan([x.gate_threshold for x in lines]), dtype=np.float64),
            gate_cap=np.array(_nan([x.gate_cap for x in lines]), dtype=np.float64),
            measured_share=per_card([c.measured_share for c in cards]),
            min_measured_share=first.min_measured_share,
            rating_bands=first.rating_bands,
            prorations=(
                tuple(c.proration for c in cards)
                if any(c.proration is not None for c in cards)
                else ()
            ),
            **_assessed(cards),
        )

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def subject_ids(self) -> tuple[str, ...]:
        """N subject ids, in row order (built on first read when they came as an Arrow column)."""
        return id_tuple(self._ids)

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
        actual, threshold, target, stretch, achievement, score = (
            _opts(a[i])
            for a in (
                self.actual,
                self.threshold,
                self.target,
                self.stretch,
                self.achievement,
                self.score,
            )
        )
        per_review = self.nominal_weight.ndim == 2
        nominal: list[float] = (
            self.nominal_weight[i] if per_review else self.nominal_weight
        ).tolist()
        effective: list[float] = self.effective_weight[i].tolist()
        contribution: list[float] = self.contribution[i].tolist()
        flags: list[int] = self.flags[i].tolist()
        sample: list[int] = self.sample_size[i].tolist()
        lines = tuple(
            KpiLine(
                key=key,
                category=self.kpi_categories[j],
                actual=actual[j],
                threshold=threshold[j],
                target=target[j],
                stretch=stretch[j],
                achievement=achievement[j],
                score=score[j],
                nominal_weight=nominal[j],
                effective_weight=effective[j],
                contribution=contribution[j],
                flags=KpiFlag(flags[j]),
                scorer=self.scorer_names[j],
                direction=self.directions[j],
                sample_size=None if sample[j] < 0 else sample[j],
                **self._kpi_constants(j),
            )
            for j, key in enumerate(self.kpi_keys)
        )
        category_score = _opts(self.category_score[i])
        categories = tuple(
            CategoryLine(key=key, weight=weight, score=category_score[c])
            for c, (key, weight) in enumerate(
                zip(self.category_keys, self.category_weight.tolist(), strict=True)
            )
        )
        criterion_score = _opts(self.criterion_score[i])
        criteria = tuple(
            CriterionLine(
                key=key, weight=weight, score=criterion_score[q], **self._criterion_inputs(i, q)
            )
            for q, (key, weight) in enumerate(
                zip(self.criterion_keys, self.criterion_weight.tolist(), strict=True)
            )
        )
        ri = int(self.rating_index[i])
        return ScoreCard(
            scheme_key=self.scheme_key,
            scheme_hash=self.scheme_hash,
            subject_id=self.subject_ids[i],
            lines=lines,
            categories=categories,
            quantitative=float(self.quantitative[i]),
            qualitative=_f(self.qualitative[i]),
            total=_f(self.total[i]),
            rating=self.rating_labels[ri] if ri >= 0 else None,
            rated=bool(self.rated[i]),
            gated=bool(self.gated[i]),
            eligible_fraction=float(self.eligible_fraction[i]),
            criteria=criteria,
            raw_quantitative=float(self.raw_quantitative[i]),
            quantitative_share=self.quantitative_share,
            flags=ReviewFlag(int(self.review_flags[i])),
            rating_labels=self.rating_labels,
            rating_bands=self.rating_bands,
            measured_share=float(self.measured_share[i]) if len(self.measured_share) else 1.0,
            min_measured_share=self.min_measured_share,
            proration=self.prorations[i] if self.prorations else None,
        )

    def _kpi_constants(self, j: int) -> dict[str, Any]:
        """The scheme constants of KPI ``j`` a card line carries (none when not recorded)."""
        out: dict[str, Any] = {}
        if len(self.min_sample):
            out["min_sample"] = int(self.min_sample[j])
        if self.scorer_params:
            out["params"] = self.scorer_params[j]
        if len(self.gate_threshold):
            out["gate_threshold"] = _f(self.gate_threshold[j])
            out["gate_cap"] = _f(self.gate_cap[j])
        return out

    def _criterion_inputs(self, i: int, q: int) -> dict[str, Any]:
        """Criterion ``q``'s scale and each source's ratings for review ``i``."""
        if not len(self.criterion_low) or not self.ratings.size:
            return {}
        means = _opts(self.ratings[i, q])
        raters: list[int] = self.raters[i, q].tolist()
        minimum: list[int] = self.min_raters.tolist()
        sources = tuple(
            SourceLine(
                key=key,
                weight=weight,
                min_raters=minimum[s],
                raters=raters[s],
                mean=means[s],
                counted=raters[s] >= minimum[s],
            )
            for s, (key, weight) in enumerate(
                zip(self.source_keys, self.source_weight.tolist(), strict=True)
            )
        )
        return {
            "low": float(self.criterion_low[q]),
            "target_rating": float(self.criterion_target[q]),
            "sources": sources,
        }

    def _repr_html_(self) -> str:
        return batch_html(self)

    def to_pandas(self, columns: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Return the scores as a pandas DataFrame, one row per review (extra ``perfmgmt[pandas]``).

        Without ``columns`` the columns are those of :meth:`to_rows`, indexed by ``subject_id``;
        with ``columns`` (a set name or a list, as for :meth:`to_arrow`) only those, indexed by
        ``subject_id`` when it is among them. Missing numbers are NaN and ``rating`` is an
        ordered categorical, lowest band first.

        Raises:
            MissingExtraError: When pandas is not installed.
            ScoringError: On an unknown column name or set.
        """
        if columns is None:
            return batch_to_pandas(self)
        return _tables.scores_pandas(self, columns)

    def to_arrow(self, columns: str | Sequence[str] = "lean") -> pa.Table:
        """Return the scores as a pyarrow Table, one row per review (extra ``perfmgmt[arrow]``).

        Args:
            columns: ``"lean"`` (``subject_id``, ``total``, ``rating``, ``rated`` and
                ``kpi.<key>.score``), ``"full"`` (every column of :meth:`to_rows`, in its
                order) or a list of those column names.

        Missing numbers are nulls; ``rating`` is an ordered dictionary over the band labels
        (null when not rated); flag columns are int64 bit sets. The columns are built from the
        arrays in whole-array steps.

        Raises:
            MissingExtraError: When pyarrow is not installed.
            ScoringError: On an unknown column name or set, naming what is allowed.
        """
        return _tables.scores_arrow(self, columns)

    def to_polars(self, columns: str | Sequence[str] = "lean") -> pl.DataFrame:
        """Return the scores as a polars DataFrame, one row per review (``perfmgmt[polars]``).

        The columns are chosen as for :meth:`to_arrow`; missing numbers are nulls and
        ``rating`` is a ``polars.Enum`` of the band labels, lowest band first.

        Raises:
            MissingExtraError: When polars is not installed.
            ScoringError: On an unknown column name or set, naming what is allowed.
        """
        return _tables.scores_polars(self, columns)

    def rows(self) -> Iterator[ScoreCard]:
        """Yield the score card of every review, in order."""
        for i in range(len(self)):
            yield self.row(i)

    def to_records(self) -> list[ScoreRecord]:
        """Return one typed record per review: totals, rating, categories and KPIs.

        The records are :class:`ScoreRecord` dicts, so ``record["kpis"]["csat"]["score"]`` is
        a ``float | None`` to a type checker. Numbers are the engine's floats, unrounded
        (round them when you display them); missing numbers are None, never NaN. For flat
        rows (a CSV file, a database table) use :meth:`to_rows`.
        """
        ratings = self.rating()
        totals, quant, qual = _opts(self.total), _opts(self.quantitative), _opts(self.qualitative)
        out: list[ScoreRecord] = []
        for i, sid in enumerate(self.subject_ids):
            actual, target = _opts(self.actual[i]), _opts(self.target[i])
            achievement, score = _opts(self.achievement[i]), _opts(self.score[i])
            weight, flags = self.effective_weight[i].tolist(), self.flags[i].tolist()
            out.append(
                {
                    "subject_id": sid,
                    "total": totals[i],
                    "rating": ratings[i],
                    "rated": bool(self.rated[i]),
                    "gated": bool(self.gated[i]),
                    "quantitative": quant[i],
                    "qualitative": qual[i],
                    "eligible_fraction": float(self.eligible_fraction[i]),
                    "review_flags": int(self.review_flags[i]),
                    "categories": dict(
                        zip(self.category_keys, _opts(self.category_score[i]), strict=True)
                    ),
                    "kpis": {
                        k: {
                            "actual": actual[j],
                            "target": target[j],
                            "achievement": achievement[j],
                            "score": score[j],
                            "effective_weight": float(weight[j]),
                            "flags": int(flags[j]),
                        }
                        for j, k in enumerate(self.kpi_keys)
                    },
                }
            )
        return out

    def to_rows(self) -> list[dict[str, Cell]]:
        """Return one flat row per review, for a CSV file or a database table.

        Keys: ``subject_id``, ``total``, ``rating``, ``rated``, ``gated``, ``quantitative``,
        ``qualitative``, ``eligible_fraction``, ``review_flags``, ``category.<key>``,
        ``kpi.<key>.actual|target|achievement|score|effective_weight|flags`` — the field
        names the rule language reads. Missing numbers are None, never NaN.
        """
        rows: list[dict[str, Cell]] = []
        for rec in self.to_records():
            row: dict[str, Cell] = {
                "subject_id": rec["subject_id"],
                "total": rec["total"],
                "rating": rec["rating"],
                "rated": rec["rated"],
                "gated": rec["gated"],
                "quantitative": rec["quantitative"],
                "qualitative": rec["qualitative"],
                "eligible_fraction": rec["eligible_fraction"],
                "review_flags": rec["review_flags"],
            }
            for c, value in rec["categories"].items():
                row[f"category.{c}"] = value
            for k, kpi in rec["kpis"].items():
                row[f"kpi.{k}.actual"] = kpi["actual"]
                row[f"kpi.{k}.target"] = kpi["target"]
                row[f"kpi.{k}.achievement"] = kpi["achievement"]
                row[f"kpi.{k}.score"] = kpi["score"]
                row[f"kpi.{k}.effective_weight"] = kpi["effective_weight"]
                row[f"kpi.{k}.flags"] = kpi["flags"]
            rows.append(row)
        return rows


def _nominal_of(cards: Sequence[ScoreCard]) -> FloatArray:
    """The nominal weights of cards: (K,) when they agree, (N, K) when some were prorated."""
    rows = [[x.nominal_weight for x in c.lines] for c in cards]
    if all(r == rows[0] for r in rows):
        return np.array(rows[0], dtype=np.float64)
    return np.array(rows, dtype=np.float64).reshape(len(cards), len(rows[0]))
