"""Rater standardisation: qualitative ratings freed of rater leniency and severity.

:func:`calibrate_ratings` (on columns) and :func:`calibrate_reviews` (on reviews) group ratings
by *reference*, the pair (criterion, source): a peer is compared with the other peers rating
the same criterion, a manager with the other managers, because sources differ systematically
and the scheme already weighs them. Within a reference with population mean ``μ`` and spread
``σ`` (the standard deviation with ``ddof=0``) over all its ratings, a rater ``r`` with mean
``m`` and spread ``s`` over their ratings in that reference gets::

    calibrated = clamp(μ + (rating − m) · k, low, high)      k = σ / s   (k = 1 when s = 0)

``offset = m − μ`` (positive = lenient) and ``scale_factor = k`` are reported per rater. A
rater with fewer than ``min_ratings`` ratings in a reference is **pooled**: their ratings count
towards ``μ`` and ``σ`` like everyone's, their offset is reported, but they are not changed
(``scale_factor`` 1, ``pooled=True``); too few ratings say nothing reliable about a rater. A
calibrated value within ``1e-9`` of the original is kept as it was, so a second run over
already calibrated ratings changes nothing when no rating was clamped and nobody was pooled.
Every rating that moved is in the result's :class:`~perfmgmt.calibration.CalibrationLog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._markdown import md_table_row
from perfmgmt._typing import FloatArray
from perfmgmt._validate import check_integer
from perfmgmt._words import word
from perfmgmt.calibration._lang import Lang, check_lang
from perfmgmt.calibration.log import CalibrationChange, CalibrationLog, CalibrationReason
from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model.review import Assessment, Review
from perfmgmt.model.scheme import AssessmentSource, Scheme
from perfmgmt.scoring import rescale_rating

__all__ = [
    "RaterAdjustment",
    "RatingCalibration",
    "ReferenceSpread",
    "ReviewCalibration",
    "calibrate_ratings",
    "calibrate_reviews",
]


SNAP = 1e-9
"""A calibrated rating within this of the original is kept unchanged (no float noise)."""


@attrs.frozen(kw_only=True)
class ReferenceSpread:
    """Mean and spread of all ratings of one criterion from one source (the reference).

    Attributes:
        criterion: Criterion key.
        source: Source value, e.g. ``"peer"``.
        ratings: Number of ratings.
        mean: Their mean ``μ``.
        sd: Their standard deviation ``σ`` (``ddof=0``).
    """

    criterion: str
    source: str
    ratings: int
    mean: float
    sd: float


@attrs.frozen(kw_only=True)
class RaterAdjustment:
    """How one rater's ratings of one criterion as one source were standardised.

    Attributes:
        rater_id: The rater.
        criterion: Criterion key.
        source: Source value.
        ratings: Number of ratings the rater gave in this reference.
        mean: The rater's mean ``m``.
        sd: The rater's standard deviation ``s`` (``ddof=0``).
        offset: ``m − μ``: positive = lenient, negative = severe.
        scale_factor: ``σ / s`` applied to the rater's deviations (1 when pooled or ``s = 0``).
        pooled: Fewer than ``min_ratings`` ratings: counted in the reference, not changed.
        changed: Ratings changed.
        clamped: Ratings clamped to the scale.
    """

    rater_id: str
    criterion: str
    source: str
    ratings: int
    mean: float
    sd: float
    offset: float
    scale_factor: float
    pooled: bool
    changed: int
    clamped: int


def _text_column(name: str, value: object, n: int | None) -> npt.NDArray[np.str_]:
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ScoringError(f"calibrate_ratings: {name} has shape {arr.shape}; expected one column")
    if n is not None and len(arr) != n:
        raise ScoringError(
            f"calibrate_ratings: {name} has {len(arr)} entries but subject has {n}; give one "
            "entry per rating"
        )
    return arr.astype(str)


@attrs.frozen(kw_only=True, eq=False)
class RatingCalibration:
    """Ratings standardised per rater, in columns (one entry per rating), with the log.

    Attributes:
        subject: Subject id per rating.
        criterion: Criterion key per rating.
        source: Source value per rating.
        rater: Rater id per rating.
        before: float64 ratings as given (on the criterion's scale).
        rating: float64 calibrated ratings (on the criterion's scale).
        min_ratings: The minimum below which a rater was pooled.
        references: Mean and spread of each (criterion, source) reference.
        raters: One adjustment per (rater, criterion, source).
        log: Every rating changed.
    """

    subject: npt.NDArray[np.str_]
    criterion: npt.NDArray[np.str_]
    source: npt.NDArray[np.str_]
    rater: npt.NDArray[np.str_]
    before: FloatArray
    rating: FloatArray
    min_ratings: int
    references: tuple[ReferenceSpread, ...]
    raters: tuple[RaterAdjustment, ...]
    log: CalibrationLog

    def __len__(self) -> int:
        return len(self.rating)

    def __repr__(self) -> str:
        pooled = sum(r.pooled for r in self.raters)
        return (
            f"RatingCalibration(ratings={len(self)}, raters={len(self.raters)}, "
            f"pooled={pooled}, changes={len(self.log)})"
        )

    def adjustment(self, rater_id: str, criterion: str, source: str) -> RaterAdjustment:
        """Return the adjustment of ``rater_id`` rating ``criterion`` as ``source``.

        Raises:
            ValidationError: When that rater gave no rating of that criterion as that source.
        """
        for r in self.raters:
            if (r.rater_id, r.criterion, r.source) == (rater_id, criterion, source):
                return r
        raise ValidationError(
            f"RatingCalibration: rater {rater_id!r} gave no {source!r} rating of {criterion!r}",
            field="rater_id",
            value=rater_id,
        )

    def mean_ratings(
        self, scheme: Scheme, subject_ids: Sequence[str]
    ) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Return calibrated mean ratings and rater counts for :meth:`Population.from_arrays`.

        Args:
            scheme: The scheme (its criteria and sources give the axis order).
            subject_ids: The population's subject ids (row order); ratings of other subjects
                are ignored.

        Returns:
            ``(ratings, raters)`` of shape ``(N, Q, S)``: the mean calibrated rating per
            subject, criterion and source (NaN where nobody rated) and how many rated.
        """
        ids = list(subject_ids)
        n, q, s = len(ids), len(scheme.criteria), len(scheme.sources)
        rows = {sid: i for i, sid in enumerate(ids)}
        crit = {c.key: i for i, c in enumerate(scheme.criteria)}
        src = {p.source.value: i for i, p in enumerate(scheme.sources)}
        si = np.array([rows.get(v, -1) for v in self.subject.tolist()], dtype=np.int64)
        ci = np.array([crit.get(v, -1) for v in self.criterion.tolist()], dtype=np.int64)
        ki = np.array([src.get(v, -1) for v in self.source.tolist()], dtype=np.int64)
        ok = (si >= 0) & (ci >= 0) & (ki >= 0)
        flat = ((si * q + ci) * s + ki)[ok]
        total = np.bincount(flat, weights=self.rating[ok], minlength=n * q * s)
        count = np.bincount(flat, minlength=n * q * s).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        return mean.reshape(n, q, s), count.reshape(n, q, s)

    def report(self, lang: Lang = "en", *, pooled: bool = True) -> str:
        """Return each rater's offset and scale factor as a Markdown table, most lenient first.

        Args:
            lang: ``"en"`` or ``"zh"``.
            pooled: List pooled raters too; when False they are counted in a closing line.
        """
        zh = check_lang(lang)
        head = (
            "| 评分人 | 标准 | 来源 | 评分数 | 均值 | 偏差 | 缩放 | 处理 |"
            if zh
            else "| Rater | Criterion | Source | Ratings | Mean | Offset | Scale factor | Action |"
        )
        lines = [head, "|---|---|---|---|---|---|---|---|"]
        hidden = 0
        for r in sorted(self.raters, key=lambda a: (-a.offset, a.rater_id, a.criterion)):
            if r.pooled and not pooled:
                hidden += 1
                continue
            if r.pooled:
                action = "合并(未调整)" if zh else "pooled (unchanged)"
            else:
                action = f"调整 {r.changed}" if zh else f"{r.changed} changed"
                if r.clamped:
                    action += f",截断 {r.clamped}" if zh else f", {r.clamped} clamped"
            lines.append(
                md_table_row(
                    (
                        r.rater_id,
                        r.criterion,
                        word(f"source.{r.source}", lang, default=r.source),
                        r.ratings,
                        f"{r.mean:.3f}",
                        f"{r.offset:+.3f}",
                        f"{r.scale_factor:.3f}",
                        action,
                    )
                )
            )
        if hidden:
            lines.append(
                f"\n另有 {hidden} 位评分人评分少于 {self.min_ratings} 条,已合并(未调整,未列出)。"
                if zh
                else f"\n{hidden} more raters gave fewer than {self.min_ratings} ratings: pooled "
                "(unchanged, not listed)."
            )
        return "\n".join(lines)


def _group_stats(
    group: npt.NDArray[np.intp], x: FloatArray, size: int
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray]:
    count = np.bincount(group, minlength=size).astype(np.int64)
    mean = np.bincount(group, weights=x, minlength=size) / np.maximum(count, 1)
    dev = x - mean[group]
    sd = np.sqrt(np.bincount(group, weights=dev * dev, minlength=size) / np.maximum(count, 1))
    return count, mean, sd


class _Columns(NamedTuple):
    """The ratings as checked columns, with the codes the standardisation groups by."""

    subject: npt.NDArray[np.str_]
    criterion: npt.NDArray[np.str_]
    source: npt.NDArray[np.str_]
    rater: npt.NDArray[np.str_]
    rating: FloatArray
    low: FloatArray
    high: FloatArray
    reference: npt.NDArray[np.int64]
    rater_code: npt.NDArray[np.intp]


def _columns(
    scheme: Scheme,
    *,
    subject: Sequence[str] | npt.ArrayLike,
    criterion: Sequence[str] | npt.ArrayLike,
    source: Sequence[str] | npt.ArrayLike,
    rater: Sequence[str] | npt.ArrayLike,
    rating: npt.ArrayLike,
) -> _Columns:
    """Check the columns of :func:`calibrate_ratings` and code their reference groups."""
    subj = _text_column("subject", subject, None)
    n = len(subj)
    crit = _text_column("criterion", criterion, n)
    src = _text_column("source", source, n)
    who = _text_column("rater", rater, n)
    try:
        x = np.asarray(rating, dtype=np.float64).copy()
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"calibrate_ratings: rating is not numeric: {exc}") from None
    if x.shape != (n,):
        raise ScoringError(
            f"calibrate_ratings: rating has shape {x.shape}; expected ({n},), one per subject entry"
        )
    crit_keys = [c.key for c in scheme.criteria]
    crit_index = {k: i for i, k in enumerate(crit_keys)}
    sources = [s.value for s in AssessmentSource]
    src_index = {k: i for i, k in enumerate(sources)}
    ci = np.array([crit_index.get(v, -1) for v in crit.tolist()], dtype=np.int64)
    ki = np.array([src_index.get(v, -1) for v in src.tolist()], dtype=np.int64)
    if (ci < 0).any():
        i = int(np.argmax(ci < 0))
        raise ScoringError(
            f"calibrate_ratings: criterion[{i}] is {str(crit[i])!r}, which is not in scheme "
            f"{scheme.key!r}; the criteria are {crit_keys}"
        )
    if (ki < 0).any():
        i = int(np.argmax(ki < 0))
        raise ScoringError(
            f"calibrate_ratings: source[{i}] is {str(src[i])!r}; expected one of {sources}"
        )
    low = np.array([c.scale.low for c in scheme.criteria])[ci]
    high = np.array([c.scale.high for c in scheme.criteria])[ci]
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(x) | (x < low) | (x > high)
    if bad.any():
        i = int(np.argmax(bad))
        raise ScoringError(
            f"calibrate_ratings: rating[{i}] of {str(subj[i])!r} for {str(crit[i])!r} by "
            f"{str(who[i])!r} is "
            f"{float(x[i])!r}; expected a rating on the criterion's scale "
            f"[{low[i]:g}, {high[i]:g}]"
        )
    _, rater_code = np.unique(who, return_inverse=True)
    _, subj_code = np.unique(subj, return_inverse=True)
    nsrc = len(sources)
    ref = ci * nsrc + ki  # reference group: (criterion, source)
    row_key = np.stack([subj_code, ref, rater_code], axis=1)
    uniq, first = np.unique(row_key, axis=0, return_index=True)
    if len(uniq) != n:
        dup = np.setdiff1d(np.arange(n), first)[0]
        raise ScoringError(
            f"calibrate_ratings: rater {str(who[dup])!r} rated {str(subj[dup])!r} on "
            f"{str(crit[dup])!r} as {str(src[dup])!r} more than once; keep one rating"
        )
    return _Columns(subj, crit, src, who, x, low, high, ref, rater_code)


def calibrate_ratings(
    scheme: Scheme,
    *,
    subject: Sequence[str] | npt.ArrayLike,
    criterion: Sequence[str] | npt.ArrayLike,
    source: Sequence[str] | npt.ArrayLike,
    rater: Sequence[str] | npt.ArrayLike,
    rating: npt.ArrayLike,
    min_ratings: int = 5,
) -> RatingCalibration:
    """Standardise qualitative ratings per rater into their reference's mean and spread.

    See the module documentation for the formula, the reference groups and the pooling rule.

    Args:
        scheme: The scheme whose criteria (and their scales) the ratings belong to.
        subject: Subject id per rating.
        criterion: Criterion key per rating.
        source: Source value per rating (``"manager"``, ``"peer"`` ...).
        rater: Rater id per rating.
        rating: Rating per rating, on the criterion's scale.
        min_ratings: Raters with fewer ratings than this in a reference are pooled, not changed.

    Returns:
        The calibrated ratings, the per-rater adjustments and the log of changes.

    Raises:
        ScoringError: On columns of different lengths, an unknown criterion or source, a rating
            that is not finite or off its criterion's scale, or a rater rating the same subject,
            criterion and source twice.
        ValidationError: When ``min_ratings`` is not a whole number >= 1.
    """
    check_integer(min_ratings, "calibrate_ratings: min_ratings", minimum=1)
    subj, crit, src, who, x, low, high, ref, rater_code = _columns(
        scheme, subject=subject, criterion=criterion, source=source, rater=rater, rating=rating
    )
    n = len(x)
    ref_ids, ref_g = np.unique(ref, return_inverse=True)
    ref_n, mu, sigma = _group_stats(ref_g, x, len(ref_ids))
    grp_key = ref * (int(rater_code.max(initial=0)) + 1) + rater_code
    grp_ids, grp_g = np.unique(grp_key, return_inverse=True)
    g_n, g_mean, g_sd = _group_stats(grp_g, x, len(grp_ids))
    # Each rater group lies in exactly one reference.
    grp_ref = np.zeros(len(grp_ids), dtype=np.intp)
    grp_ref[grp_g] = ref_g
    pooled = g_n < min_ratings
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.where(pooled | (g_sd == 0), 1.0, sigma[grp_ref] / np.where(g_sd == 0, 1.0, g_sd))
    raw = mu[ref_g] + (x - g_mean[grp_g]) * k[grp_g]
    after = np.clip(raw, low, high)
    after = np.where(pooled[grp_g] | (np.abs(after - x) <= SNAP), x, after)
    changed = after != x
    clamped = changed & (after != raw)
    g_changed = np.bincount(grp_g, weights=changed, minlength=len(grp_ids)).astype(int)
    g_clamped = np.bincount(grp_g, weights=clamped, minlength=len(grp_ids)).astype(int)
    offset = g_mean - mu[grp_ref]

    # First row of each group gives its rater, criterion and source labels.
    grp_row = np.zeros(len(grp_ids), dtype=np.intp)
    grp_row[grp_g[::-1]] = np.arange(n)[::-1]
    ref_row = np.zeros(len(ref_ids), dtype=np.intp)
    ref_row[ref_g[::-1]] = np.arange(n)[::-1]
    references = tuple(
        ReferenceSpread(
            criterion=str(crit[r]),
            source=str(src[r]),
            ratings=int(ref_n[j]),
            mean=float(mu[j]),
            sd=float(sigma[j]),
        )
        for j, r in enumerate(ref_row.tolist())
    )
    raters = tuple(
        RaterAdjustment(
            rater_id=str(who[r]),
            criterion=str(crit[r]),
            source=str(src[r]),
            ratings=int(g_n[j]),
            mean=float(g_mean[j]),
            sd=float(g_sd[j]),
            offset=float(offset[j]),
            scale_factor=float(k[j]),
            pooled=bool(pooled[j]),
            changed=int(g_changed[j]),
            clamped=int(g_clamped[j]),
        )
        for j, r in enumerate(grp_row.tolist())
    )
    changes = [
        CalibrationChange(
            subject_id=str(subj[i]),
            field=f"assessment[{crit[i]},{src[i]},{who[i]}]",
            before=float(x[i]),
            after=float(after[i]),
            reason=(
                CalibrationReason.RATER_CLAMPED
                if clamped[i]
                else CalibrationReason.RATER_STANDARDISED
            ),
            params=(
                ("rater", str(who[i])),
                ("offset", float(offset[grp_g[i]])),
                ("scale_factor", float(k[grp_g[i]])),
                ("reference_mean", float(mu[ref_g[i]])),
                ("reference_sd", float(sigma[ref_g[i]])),
            ),
        )
        for i in np.flatnonzero(changed).tolist()
    ]
    return RatingCalibration(
        subject=subj,
        criterion=crit,
        source=src,
        rater=who,
        before=x,
        rating=after,
        min_ratings=min_ratings,
        references=references,
        raters=raters,
        log=CalibrationLog(changes=changes),
    )


@attrs.frozen(kw_only=True, eq=False)
class ReviewCalibration:
    """Reviews with their assessments standardised per rater.

    Attributes:
        reviews: The reviews, in the order given, with calibrated assessment ratings (on each
            assessment's own scale); everything else unchanged.
        ratings: The columnar calibration behind it (ratings on the criteria's scales).
        log: Every rating changed, on each assessment's own scale.
    """

    reviews: tuple[Review, ...]
    ratings: RatingCalibration
    log: CalibrationLog


def calibrate_reviews(
    scheme: Scheme, reviews: Sequence[Review], *, min_ratings: int = 5
) -> ReviewCalibration:
    """Standardise the reviews' assessments per rater (see :func:`calibrate_ratings`).

    Ratings on an assessment's own scale are mapped onto the criterion's scale to be
    calibrated, and back onto the assessment's scale to be stored.

    Raises:
        ScoringError: For an item that is not a review, a review of another scheme, or an
            assessment :func:`calibrate_ratings` refuses.
    """
    reviews = tuple(reviews)
    crit_scale = {c.key: c.scale for c in scheme.criteria}
    subject: list[str] = []
    criterion: list[str] = []
    source: list[str] = []
    rater: list[str] = []
    rating: list[float] = []
    where: list[tuple[int, int]] = []
    for i, review in enumerate(reviews):
        if not isinstance(review, Review):
            raise ScoringError(
                f"calibrate_reviews: item {i} is a {type(review).__name__}; expected a Review"
            )
        if review.scheme != scheme.key:
            raise ScoringError(
                f"calibrate_reviews: review {review.key!r} is of scheme {review.scheme!r}, not "
                f"{scheme.key!r}"
            )
        for a, ass in enumerate(review.assessments):
            value = ass.rating
            dest = crit_scale.get(ass.criterion)
            if ass.scale is not None and dest is not None:
                value = rescale_rating(value, ass.scale, dest)
            subject.append(review.subject.id)
            criterion.append(ass.criterion)
            source.append(ass.source.value)
            rater.append(ass.rater_id)
            rating.append(value)
            where.append((i, a))
    cal = calibrate_ratings(
        scheme,
        subject=np.array(subject, dtype=str),
        criterion=np.array(criterion, dtype=str),
        source=np.array(source, dtype=str),
        rater=np.array(rater, dtype=str),
        rating=np.array(rating, dtype=np.float64),
        min_ratings=min_ratings,
    )
    new: list[list[Assessment]] = [list(r.assessments) for r in reviews]
    changes = iter(cal.log.changes)
    out_changes: list[CalibrationChange] = []
    for row in np.flatnonzero(cal.rating != cal.before).tolist():
        i, a = where[row]
        ass = new[i][a]
        value = float(cal.rating[row])
        if ass.scale is not None:
            value = min(
                max(rescale_rating(value, crit_scale[ass.criterion], ass.scale), ass.scale.low),
                ass.scale.high,
            )
        change = next(changes)
        new[i][a] = attrs.evolve(ass, rating=value)
        out_changes.append(attrs.evolve(change, before=ass.rating, after=value))
    out = tuple(
        attrs.evolve(r, assessments=tuple(new[i])) if new[i] != list(r.assessments) else r
        for i, r in enumerate(reviews)
    )
    return ReviewCalibration(reviews=out, ratings=cal, log=CalibrationLog(changes=out_changes))
