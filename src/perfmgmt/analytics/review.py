"""Review the scheme over time (定期回顾): trends, whether ratings predict, what people think.

The founding document asks for a periodic review of the scheme itself: evaluate it, collect
every party's opinions (收集各方意见) and adjust in time. This module gives the numbers for it:

* :func:`summarise_cycle` reduces one scored cycle to its trend figures: per KPI the mean
  score, the quartiles and the shares of scores at the scorer's cap and floor (a KPI where
  most people sit at the cap no longer discriminates), the rating counts and the money the
  rules paid out and took back.
* :func:`predictive_validity` asks whether a cycle's rating predicts the next cycle's KPI
  results: the mean next-cycle quantitative score (and each KPI's mean score) per rating,
  with the counts they rest on, and Spearman's rank correlation between rating and next
  score. People are matched by subject id, so joiners and leavers simply drop out.
* :class:`Opinion` records one survey answer about the scheme — from a manager, a member of
  staff or HR — with 1-5 scores per question and free text; :func:`summarise_opinions` gives
  the mean per role and question, and hides every figure resting on fewer than ``k`` answers,
  so no opinion can be traced to a person.

:func:`perfmgmt.review_report.scheme_review_report` puts these beside adverse impact, rater
diagnostics, the 9-box and the merit matrix in one written report.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np

from perfmgmt._typing import FloatArray
from perfmgmt._validate import check_integer, fail, show
from perfmgmt.analytics.lint import score_range
from perfmgmt.errors import ValidationError
from perfmgmt.model.money import from_minor
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import BatchDecisions
from perfmgmt.scoring.card import BatchScores

__all__ = [
    "CycleSummary",
    "KpiTrend",
    "Opinion",
    "OpinionSummary",
    "PredictiveValidity",
    "QuestionSummary",
    "RatingOutcome",
    "Respondent",
    "predictive_validity",
    "summarise_cycle",
    "summarise_opinions",
]

SCORE_MIN, SCORE_MAX = 1, 5
"""The opinion scale: 1 (strongly disagree) to 5 (strongly agree)."""


# -- trends -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class KpiTrend:
    """One KPI's score distribution in one cycle.

    Attributes:
        kpi: The KPI key.
        scored: People with a score for the KPI.
        mean: Mean score (None when nobody was scored).
        q1: First quartile (linear interpolation between order statistics).
        median: Median.
        q3: Third quartile.
        at_cap: Share of the scored at the scorer's cap (the highest score it gives).
        at_floor: Share of the scored at the scorer's floor (the lowest).
    """

    kpi: str
    scored: int
    mean: float | None
    q1: float | None
    median: float | None
    q3: float | None
    at_cap: float | None
    at_floor: float | None


@attrs.frozen(kw_only=True)
class CycleSummary:
    """One cycle's trend figures: KPI distributions, rating counts and cost.

    Attributes:
        cycle: The cycle key.
        people: People in the population.
        rated: People with a rating.
        kpis: One :class:`KpiTrend` per KPI, in scheme order.
        ratings: ``(label, count)`` per rating band, best first.
        mean_total: Mean total score of the rated (None when nobody was rated).
        currency: Currency of the money figures (None without decisions or money).
        bonus: Bonuses paid (after a pool, when there is one); None when unknown.
        deduction: Deductions taken; None when unknown.
    """

    cycle: str
    people: int
    rated: int
    kpis: tuple[KpiTrend, ...]
    ratings: tuple[tuple[str, int], ...]
    mean_total: float | None
    currency: str | None = None
    bonus: Decimal | None = None
    deduction: Decimal | None = None

    def share(self, label: str) -> float | None:
        """Return the share of the rated with rating ``label`` (None when nobody was rated)."""
        counts = dict(self.ratings)
        if label not in counts:
            raise ValidationError(
                f"CycleSummary.share: label {label!r} is not allowed; expected one of "
                f"{', '.join(counts)}",
                field="label",
                value=label,
            )
        return counts[label] / self.rated if self.rated else None


def _kpi_trend(kpi: str, scores: FloatArray, floor: float, cap: float) -> KpiTrend:
    x = scores[np.isfinite(scores)]
    if x.size == 0:
        return KpiTrend(
            kpi=kpi, scored=0, mean=None, q1=None, median=None, q3=None, at_cap=None, at_floor=None
        )
    q1, median, q3 = (float(v) for v in np.quantile(x, (0.25, 0.5, 0.75)))
    return KpiTrend(
        kpi=kpi,
        scored=int(x.size),
        mean=float(x.mean()),
        q1=q1,
        median=median,
        q3=q3,
        at_cap=float(np.count_nonzero(x >= cap)) / x.size,
        at_floor=float(np.count_nonzero(x <= floor)) / x.size,
    )


def _labels_column(ratings: Sequence[str | None], n: int, labels: tuple[str, ...]) -> list[str]:
    if len(ratings) != n:
        raise ValidationError(
            f"ratings: {len(ratings)} ratings for {n} people; expected one per person",
            field="ratings",
            value=len(ratings),
        )
    known = set(labels)
    for i, r in enumerate(ratings):
        if r is not None and r not in known:
            raise ValidationError(
                f"ratings[{i}]: {show(r)} is not allowed; expected one of {', '.join(labels)} "
                "or None",
                field="ratings",
                value=r,
            )
    return [r for r in ratings if r is not None]


def summarise_cycle(
    scheme: Scheme,
    scores: BatchScores,
    *,
    cycle: str,
    ratings: Sequence[str | None] | None = None,
    decisions: BatchDecisions | None = None,
) -> CycleSummary:
    """Reduce one scored cycle to its trend figures.

    Args:
        scheme: The scheme the cycle was scored under (for each KPI's cap and floor, read with
            :func:`~perfmgmt.analytics.score_range`).
        scores: The cycle's scores.
        cycle: The cycle key, to label the figures.
        ratings: The final ratings (after calibration), one per person; defaults to the
            scored ratings.
        decisions: The cycle's decisions, for the money paid and taken.

    Returns:
        The cycle's figures.

    Raises:
        ValidationError: When the scores are of another scheme, or ``ratings`` or
            ``decisions`` do not have one entry per person, or a rating is not a band label.
    """
    if scores.scheme_key != scheme.key or scores.kpi_keys != scheme.kpi_keys:
        raise ValidationError(
            f"summarise_cycle: scores of scheme {scores.scheme_key!r} are not allowed; expected "
            f"scores of {scheme.key!r}",
            field="scores",
            value=scores.scheme_key,
        )
    n = len(scores.subject_ids)
    labels = tuple(scores.rating_labels)
    final = _labels_column(list(scores.rating()) if ratings is None else ratings, n, labels)
    kpis = tuple(
        _kpi_trend(kpi.key, scores.score[:, j], *score_range(kpi))
        for j, kpi in enumerate(scheme.kpis)
    )
    counts = tuple((label, final.count(label)) for label in reversed(labels))
    rated_totals = scores.total[scores.rated]
    currency = bonus = deduction = None
    if decisions is not None:
        if len(decisions) != n:
            raise ValidationError(
                f"decisions: {len(decisions)} rows for {n} people; expected one per person",
                field="decisions",
                value=len(decisions),
            )
        currency, bonus, deduction = _costs(decisions)
    return CycleSummary(
        cycle=cycle,
        people=n,
        rated=len(final),
        kpis=kpis,
        ratings=counts,
        mean_total=float(rated_totals.mean()) if rated_totals.size else None,
        currency=currency,
        bonus=bonus,
        deduction=deduction,
    )


def _costs(decisions: BatchDecisions) -> tuple[str | None, Decimal | None, Decimal | None]:
    currency = decisions.currency
    if currency is None:
        return None, None, None
    alloc = decisions.allocation
    if alloc is not None:
        bonus_minor = int(alloc.awarded.sum())
    else:
        bonus_minor = int(decisions.bonus_minor[decisions.bonus_known].sum())
    deduction_minor = int(decisions.deduction_minor[decisions.deduction_known].sum())
    return currency, from_minor(bonus_minor, currency), from_minor(deduction_minor, currency)


# -- does the rating predict? -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RatingOutcome:
    """The next cycle's results of the people given one rating.

    Attributes:
        rating: The rating label in the earlier cycle.
        people: People with that rating who were scored in the next cycle.
        mean_next: Their mean next-cycle quantitative score (None when there are none).
        kpi_means: Their mean next-cycle score per KPI, in scheme order (None where none).
    """

    rating: str
    people: int
    mean_next: float | None
    kpi_means: tuple[float | None, ...]


@attrs.frozen(kw_only=True)
class PredictiveValidity:
    """Whether one cycle's rating predicts the next cycle's KPI results.

    Attributes:
        cycle: The earlier cycle's key.
        next_cycle: The later cycle's key.
        kpi_keys: The KPIs of ``RatingOutcome.kpi_means``.
        matched: People in both cycles (matched by subject id).
        used: Matched people rated in the earlier cycle and scored in the next.
        by_rating: One :class:`RatingOutcome` per rating, best first.
        spearman: Spearman's rank correlation between the rating (as its band's rank) and the
            next quantitative score over the ``used`` people, ties given their mean rank;
            None with fewer than 3 people or no spread in either.
    """

    cycle: str
    next_cycle: str
    kpi_keys: tuple[str, ...]
    matched: int
    used: int
    by_rating: tuple[RatingOutcome, ...]
    spearman: float | None

    def outcome(self, rating: str) -> RatingOutcome:
        """Return the outcome of ``rating``."""
        for o in self.by_rating:
            if o.rating == rating:
                return o
        raise ValidationError(
            f"PredictiveValidity.outcome: rating {rating!r} is not allowed; expected one of "
            f"{', '.join(o.rating for o in self.by_rating)}",
            field="rating",
            value=rating,
        )


def _mean_ranks(x: FloatArray) -> FloatArray:
    """Ranks 1..n of ``x``, ties given the mean of the ranks they span."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts  # 0-based rank of each distinct value's first copy
    return (first + (counts + 1) / 2.0)[inverse.reshape(-1)]


def _spearman(a: FloatArray, b: FloatArray) -> float | None:
    if a.size < 3:
        return None
    ra, rb = _mean_ranks(a), _mean_ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return None if den == 0 else float(ra @ rb) / den


def _match(before: Sequence[str], after: Sequence[str]) -> tuple[Any, Any]:
    for name, ids in (("before", before), ("after", after)):
        if len(set(ids)) != len(ids):
            raise ValidationError(
                f"predictive_validity: {name}.subject_ids has duplicate ids; expected one row "
                "per person",
                field=name,
                value=len(ids),
            )
    a = np.asarray(before, dtype=object).astype(str)
    b = np.asarray(after, dtype=object).astype(str)
    _, ia, ib = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    return ia, ib


def predictive_validity(
    before: BatchScores,
    after: BatchScores,
    *,
    cycle: str,
    next_cycle: str,
    ratings: Sequence[str | None] | None = None,
) -> PredictiveValidity:
    """Ask whether the rating of ``before`` predicts the KPI results of ``after``.

    Everyone present in both populations (by subject id), rated in ``before`` and with a
    quantitative score in ``after`` counts. For each rating the mean next-cycle quantitative
    score and each KPI's mean score are given with the number of people; Spearman's rank
    correlation measures how well the order of the ratings matches the order of the next
    scores (1: perfectly, 0: not at all).

    Args:
        before: The earlier cycle's scores.
        after: The later cycle's scores, under the same scheme.
        cycle: The earlier cycle's key.
        next_cycle: The later cycle's key.
        ratings: The final ratings of ``before`` (after calibration), one per person; defaults
            to its scored ratings.

    Returns:
        The comparison.

    Raises:
        ValidationError: When the two are scored under different schemes, a population has a
            duplicate subject id, or ``ratings`` has the wrong length or an unknown label.
    """
    if before.scheme_key != after.scheme_key or before.kpi_keys != after.kpi_keys:
        raise ValidationError(
            f"predictive_validity: after is of scheme {after.scheme_key!r} with KPIs "
            f"{list(after.kpi_keys)}; expected {before.scheme_key!r} with "
            f"{list(before.kpi_keys)}",
            field="after",
            value=after.scheme_key,
        )
    labels = tuple(before.rating_labels)
    given = list(before.rating()) if ratings is None else ratings
    _labels_column(given, len(before.subject_ids), labels)
    index = {label: i for i, label in enumerate(labels)}
    level = np.array([-1 if r is None else index[r] for r in given], dtype=np.int64)
    ia, ib = _match(before.subject_ids, after.subject_ids)
    lv = level[ia]
    nxt = after.quantitative[ib]
    kpi_scores = after.score[ib]
    use = (lv >= 0) & np.isfinite(nxt)
    lv, nxt, kpi_scores = lv[use], nxt[use], kpi_scores[use]
    outcomes = []
    for b in range(len(labels) - 1, -1, -1):
        sel = lv == b
        people = int(np.count_nonzero(sel))
        kpi_means: list[float | None] = []
        for j in range(len(after.kpi_keys)):
            col = kpi_scores[sel, j]
            col = col[np.isfinite(col)]
            kpi_means.append(float(col.mean()) if col.size else None)
        outcomes.append(
            RatingOutcome(
                rating=labels[b],
                people=people,
                mean_next=float(nxt[sel].mean()) if people else None,
                kpi_means=tuple(kpi_means),
            )
        )
    return PredictiveValidity(
        cycle=cycle,
        next_cycle=next_cycle,
        kpi_keys=tuple(after.kpi_keys),
        matched=int(ia.size),
        used=int(lv.size),
        by_rating=tuple(outcomes),
        spearman=_spearman(lv.astype(np.float64), nxt),
    )


# -- opinions -----------------------------------------------------------------------------------


class Respondent(enum.Enum):
    """Who answered a survey about the scheme."""

    MANAGER = "manager"
    STAFF = "staff"
    HR = "hr"


def _respondent(value: object) -> object:
    if isinstance(value, str):
        try:
            return Respondent(value)
        except ValueError:
            return value  # the validator names it
    return value


def _check_role(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Respondent):
        fail(instance, attribute, value, "expected 'manager', 'staff' or 'hr'")


def _scores(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted(value.items(), key=lambda kv: str(kv[0])))
    return value


def _check_scores(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        fail(instance, attribute, value, "expected a mapping of question key to a 1-5 score")
    for item in value:
        if not (isinstance(item, tuple) and len(item) == 2):
            fail(instance, attribute, item, "expected (question, score) pairs")
        question, score = item
        if not isinstance(question, str) or not question.strip() or len(question) > 64:
            fail(instance, attribute, question, "expected a question key of 1-64 characters")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            fail(
                instance,
                attribute,
                score,
                f"question {question!r} expects a whole score from {SCORE_MIN} to {SCORE_MAX}",
            )
    keys = [q for q, _ in value]
    if len(set(keys)) != len(keys):
        fail(instance, attribute, keys, "expected each question once")


def _check_comment(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or len(value) > 4000:
        fail(instance, attribute, value, "expected text of at most 4000 characters")


@attrs.frozen(kw_only=True)
class Opinion:
    """One answer to a survey about the scheme: who answered, scores per question, free text.

    No respondent id is kept: the summary reports roles, never people.

    Attributes:
        role: ``Respondent.MANAGER``, ``STAFF`` or ``HR`` (or their values as text).
        scores: Question key -> a whole score from 1 (strongly disagree) to 5 (strongly
            agree); stored as sorted ``(question, score)`` pairs. Questions not answered are
            left out.
        comment: Free text, possibly empty.
    """

    role: Respondent = attrs.field(converter=_respondent, validator=_check_role)
    scores: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_scores, validator=_check_scores
    )
    comment: str = attrs.field(default="", validator=_check_comment)

    def score(self, question: str) -> int | None:
        """Return the score given to ``question``, or None if it was not answered."""
        return dict(self.scores).get(question)


@attrs.frozen(kw_only=True)
class QuestionSummary:
    """One role's answers to one question.

    Attributes:
        role: Who answered.
        question: The question key.
        answers: Answers given, or None when suppressed.
        mean: The exact mean score as a fraction, or None when suppressed.
        suppressed: Whether fewer than ``k`` answered (nothing else is then shown).
    """

    role: Respondent
    question: str
    answers: int | None
    mean: Fraction | None
    suppressed: bool


@attrs.frozen(kw_only=True)
class OpinionSummary:
    """Survey answers about the scheme, per role and question, small groups suppressed.

    Attributes:
        k: The smallest number of answers shown.
        questions: The question keys, sorted (or as given).
        rows: One :class:`QuestionSummary` per role (manager, staff, HR) and question.
        respondents: ``(role, count)`` for roles with at least ``k`` respondents; smaller
            roles are left out.
        comments: ``(role, comments)`` for roles with at least ``k`` respondents; non-empty
            comments in the order given.
    """

    k: int
    questions: tuple[str, ...]
    rows: tuple[QuestionSummary, ...]
    respondents: tuple[tuple[Respondent, int], ...]
    comments: tuple[tuple[Respondent, tuple[str, ...]], ...]

    def row(self, role: Respondent | str, question: str) -> QuestionSummary:
        """Return the summary of ``role``'s answers to ``question``."""
        r = _respondent(role)
        for s in self.rows:
            if s.role is r and s.question == question:
                return s
        raise ValidationError(
            f"OpinionSummary.row: ({show(role)}, {show(question)}) is not allowed; expected a "
            f"role of manager, staff, hr and a question of {', '.join(self.questions)}",
            field="question",
            value=question,
        )


def summarise_opinions(
    opinions: Iterable[Opinion], *, k: int = 5, questions: Sequence[str] | None = None
) -> OpinionSummary:
    """Summarise survey answers per role and question, suppressing groups under ``k``.

    Means are exact fractions of the whole scores. A role with fewer than ``k`` respondents
    shows neither its count nor its comments; a question that fewer than ``k`` people of a
    role answered shows no count and no mean.

    Args:
        opinions: The answers.
        k: The smallest group shown (the anonymity threshold), at least 1.
        questions: The question keys to report, in order; by default every key answered,
            sorted.

    Returns:
        The summary.

    Raises:
        ValidationError: When an item is not an :class:`Opinion` or ``k`` is not a whole
            number >= 1.
    """
    k = check_integer(k, "summarise_opinions: k", 1, 1_000_000)
    items = list(opinions)
    for i, o in enumerate(items):
        if not isinstance(o, Opinion):
            raise ValidationError(
                f"opinions[{i}]: {type(o).__name__} is not allowed; expected an Opinion",
                field="opinions",
                value=o,
            )
    if questions is None:
        questions = tuple(sorted({q for o in items for q, _ in o.scores}))
    keys = tuple(questions)
    rows: list[QuestionSummary] = []
    respondents: list[tuple[Respondent, int]] = []
    comments: list[tuple[Respondent, tuple[str, ...]]] = []
    for role in Respondent:
        mine = [o for o in items if o.role is role]
        if len(mine) >= k:
            respondents.append((role, len(mine)))
            comments.append((role, tuple(o.comment for o in mine if o.comment.strip())))
        for q in keys:
            given = [s for s in (o.score(q) for o in mine) if s is not None]
            shown = len(given) >= k
            rows.append(
                QuestionSummary(
                    role=role,
                    question=q,
                    answers=len(given) if shown else None,
                    mean=Fraction(sum(given), len(given)) if shown else None,
                    suppressed=not shown,
                )
            )
    return OpinionSummary(
        k=k,
        questions=keys,
        rows=tuple(rows),
        respondents=tuple(respondents),
        comments=tuple(comments),
    )
