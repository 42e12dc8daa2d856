"""Guided (forced) distribution: ratings compared with target shares per band, enforced by rank.

:func:`guide_distribution` (on arrays) and :func:`guide_batch` (on scored reviews) compare the
ratings with target shares per band (the rating scale's ``guideline_share``, or given). Target
counts are the shares × N rated, rounded by the largest-remainder method
(:func:`target_counts`): each band gets the whole part of its quota, and the people left over go
one each to the bands with the largest fractional remainders (computed exactly; equal
remainders go to the better band first), so the counts add up to N exactly. Subjects are ranked
by total (highest first), then by the unrounded quantitative part (highest first, missing
last), then by subject id (ascending); the best-ranked get the best band. Enforcement is
optional: ``enforce=False`` only reports. Unrated subjects (no total) are left out, keep no
rating, and are counted. Every rating an enforced distribution changed is in the result's
:class:`~perfmgmt.calibration.CalibrationLog`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._markdown import md_table_row
from perfmgmt._typing import BoolArray, FloatArray
from perfmgmt._validate import finite, integer, non_empty
from perfmgmt.calibration._lang import Lang, check_lang
from perfmgmt.calibration.log import CalibrationChange, CalibrationLog, CalibrationReason
from perfmgmt.errors import ValidationError
from perfmgmt.model.scheme import RatingScale, Scheme
from perfmgmt.scoring import BatchScores

__all__ = [
    "BandDeviation",
    "GuidedDistribution",
    "guide_batch",
    "guide_distribution",
    "target_counts",
]


def _exact(share: float) -> Fraction:
    # 0.1 is stored as 0.1000000000000000055...; the share meant is 1/10.
    return Fraction(share).limit_denominator(1_000_000)


def target_counts(shares: Sequence[float], n: int) -> tuple[int, ...]:
    """Return whole counts for ``shares`` of ``n`` people, summing to ``n`` exactly.

    Largest-remainder method: quotas ``share × n`` (shares taken exactly, e.g. 0.1 as 1/10, and
    rescaled to sum to 1); each gets its whole part, and the people left over go one each to
    the largest fractional remainders. Equal remainders go to the *later* share first: give
    the shares lowest band first, so ties favour the better band.

    Example: shares 10/20/40/20/10 % of 7 people give ``(1, 1, 3, 1, 1)``.

    Raises:
        ValidationError: On a negative ``n``, no shares, a share that is not a finite number
            in [0, 1], or shares summing to zero.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValidationError(
            f"target_counts: n={n!r} is not allowed; expected a whole number >= 0",
            field="n",
            value=n,
        )
    if not shares:
        raise ValidationError("target_counts: shares is empty; give one share per band",
                              field="shares", value=shares)  # fmt: skip
    for s in shares:
        if (
            not isinstance(s, int | float)
            or isinstance(s, bool)
            or not (math.isfinite(s) and 0.0 <= s <= 1.0)
        ):
            raise ValidationError(
                f"target_counts: share {s!r} is not allowed; expected a number between 0 and 1",
                field="shares",
                value=s,
            )
    exact = [_exact(float(s)) for s in shares]
    total = sum(exact, Fraction(0))
    if total == 0:
        raise ValidationError(
            "target_counts: the shares sum to 0; at least one must be positive",
            field="shares",
            value=list(shares),
        )
    quotas = [e * n / total for e in exact]
    counts = [math.floor(q) for q in quotas]
    left = n - sum(counts)
    order = sorted(range(len(quotas)), key=lambda j: (-(quotas[j] - counts[j]), -j))
    for j in order[:left]:
        counts[j] += 1
    return tuple(counts)


@attrs.frozen(kw_only=True)
class BandDeviation:
    """Actual against guideline count for one band.

    Attributes:
        label: The band label.
        share: Its target share.
        target: Its target count (largest-remainder rounding of share × rated).
        before: People in the band before.
        after: People in the band after (equal to ``before`` when not enforced).
    """

    label: str = attrs.field(validator=non_empty)
    share: float = attrs.field(validator=finite)
    target: int = attrs.field(validator=integer(0))
    before: int = attrs.field(validator=integer(0))
    after: int = attrs.field(validator=integer(0))

    @property
    def deviation_before(self) -> int:
        """``before − target``: positive = too many in the band."""
        return self.before - self.target

    @property
    def deviation_after(self) -> int:
        """``after − target``."""
        return self.after - self.target


@attrs.frozen(kw_only=True, eq=False)
class GuidedDistribution:
    """Ratings against a guided distribution, and the ratings after (optional) enforcement.

    Attributes:
        labels: Band labels, lowest first.
        subject_ids: N subject ids.
        before: Rating label per subject before (None when unrated).
        guided: Rating label per subject assigned by rank (None when unrated).
        rating: Rating label per subject after: ``guided`` when enforced, else ``before``.
        rank: int64 (N,) rank by the tie rule, 1 = best; 0 for unrated subjects.
        enforced: Whether the guided ratings were applied.
        rated: Subjects ranked.
        unrated: Subjects left out because they have no total.
        bands: Deviation per band, lowest band first.
        log: The rating changes (empty when not enforced).
    """

    labels: tuple[str, ...]
    subject_ids: tuple[str, ...]
    before: tuple[str | None, ...]
    guided: tuple[str | None, ...]
    rating: tuple[str | None, ...]
    rank: npt.NDArray[np.int64]
    enforced: bool
    rated: int
    unrated: int
    bands: tuple[BandDeviation, ...]
    log: CalibrationLog

    def __len__(self) -> int:
        return len(self.subject_ids)

    def __repr__(self) -> str:
        return (
            f"GuidedDistribution(rated={self.rated}, unrated={self.unrated}, "
            f"enforced={self.enforced}, moves={self.moves})"
        )

    @property
    def moves(self) -> int:
        """Subjects whose rating the guided distribution differs from (moved when enforced)."""
        return sum(1 for b, g in zip(self.before, self.guided, strict=True) if b != g)

    def rating_of(self, subject_id: str) -> str | None:
        """Return ``subject_id``'s rating after this step.

        Raises:
            ValidationError: For an unknown subject id.
        """
        try:
            i = self.subject_ids.index(subject_id)
        except ValueError:
            raise ValidationError(
                f"GuidedDistribution: no subject {subject_id!r}",
                field="subject_id",
                value=subject_id,
            ) from None
        return self.rating[i]

    def report(self, lang: Lang = "en") -> str:
        """Return the deviation table (best band first) and the counts, as text."""
        zh = check_lang(lang)
        lines = [
            "| 评级 | 指导比例 | 目标人数 | 校准前 | 偏差 | 校准后 | 偏差 |"
            if zh
            else "| Rating | Guideline | Target | Before | Deviation | After | Deviation |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            md_table_row(
                (
                    b.label,
                    f"{b.share:.0%}",
                    b.target,
                    b.before,
                    f"{b.deviation_before:+d}",
                    b.after,
                    f"{b.deviation_after:+d}",
                )
            )
            for b in reversed(self.bands)
        ]
        if zh:
            state = "已执行" if self.enforced else "仅报告,未执行"
            lines.append(
                f"\n参与排名 {self.rated} 人,未评级 {self.unrated} 人(不参与);"
                f"按排名将变动 {self.moves} 人({state})。"
            )
        else:
            state = "enforced" if self.enforced else "reported only, not enforced"
            lines.append(
                f"\n{self.rated} ranked, {self.unrated} unrated (left out); "
                f"{self.moves} would move by rank ({state})."
            )
        return "\n".join(lines)


def _shares(scale: RatingScale, shares: Mapping[str, float] | None) -> list[float]:
    labels = scale.labels
    if shares is None:
        given = [b.guideline_share for b in scale.bands]
        if any(s is None for s in given):
            raise ValidationError(
                f"guide_distribution: shares is None and the rating scale's bands "
                f"{list(labels)} have no guideline_share; give shares={{label: share}}",
                field="shares",
                value=None,
            )
        return [float(s) for s in given if s is not None]
    if set(shares) != set(labels):
        raise ValidationError(
            f"guide_distribution: shares name {sorted(shares)}; expected one share for each "
            f"band {list(labels)}",
            field="shares",
            value=dict(shares),
        )
    out = []
    for label in labels:
        s = shares[label]
        if (
            not isinstance(s, int | float)
            or isinstance(s, bool)
            or not (math.isfinite(s) and 0.0 <= s <= 1.0)
        ):
            raise ValidationError(
                f"guide_distribution: share of {label!r} is {s!r}; expected a number between "
                "0 and 1",
                field="shares",
                value=s,
            )
        out.append(float(s))
    if abs(math.fsum(out) - 1.0) > 1e-9:
        raise ValidationError(
            f"guide_distribution: shares sum to {math.fsum(out)!r}; they must sum to 1",
            field="shares",
            value=dict(shares),
        )
    return out


def guide_distribution(
    scale: RatingScale,
    *,
    subject_ids: Sequence[str],
    total: npt.ArrayLike,
    quantitative: npt.ArrayLike | None = None,
    rating: Sequence[str | None] | None = None,
    shares: Mapping[str, float] | None = None,
    enforce: bool = False,
) -> GuidedDistribution:
    """Compare ratings with a guided distribution and, when asked, enforce it by rank.

    See the module documentation for the target counts and the tie rule.

    Args:
        scale: The rating scale (band labels, and guideline shares unless ``shares`` given).
        subject_ids: N unique subject ids.
        total: float (N,) totals; NaN = unrated (left out and counted).
        quantitative: float (N,) unrounded quantitative parts, the first tie-breaker.
        rating: Current rating label per subject; by default the band of each total.
        shares: Target share per band label, summing to 1; by default the bands'
            ``guideline_share``.
        enforce: Apply the guided ratings (and log each change); otherwise only report.

    Returns:
        The report, the ratings after, and the log of changes.

    Raises:
        ValidationError: On no shares, shares not matching the bands or not summing to 1,
            inputs of different lengths, repeated subject ids, an unknown rating label, or a
            rating given to a subject without a total.
    """
    ids, t, qn = _subjects(subject_ids, total, quantitative)
    n = len(ids)
    labels = scale.labels
    target_share = _shares(scale, shares)
    rated_mask = np.isfinite(t)
    before = _ratings_before(scale, ids, t, rated_mask, rating)
    rated_idx = np.flatnonzero(rated_mask)
    m = len(rated_idx)
    counts = target_counts(target_share, m)
    # Tie rule: total desc, then quantitative desc (missing last), then subject id asc.
    id_order = np.argsort(np.array(ids, dtype=str)[rated_idx], kind="stable")
    id_rank = np.empty(m, dtype=np.int64)
    id_rank[id_order] = np.arange(m)
    q_key = np.where(np.isnan(qn[rated_idx]), np.inf, -qn[rated_idx])
    order = rated_idx[np.lexsort((id_rank, q_key, -t[rated_idx]))]
    rank = np.zeros(n, dtype=np.int64)
    rank[order] = np.arange(1, m + 1)
    guided: list[str | None] = [None] * n
    pos = 0
    for b in reversed(range(len(labels))):  # best band first
        for i in order[pos : pos + counts[b]].tolist():
            guided[i] = labels[b]
        pos += counts[b]
    after = tuple(guided) if enforce else before
    bands = tuple(
        BandDeviation(
            label=label,
            share=target_share[b],
            target=counts[b],
            before=sum(1 for r in before if r == label),
            after=sum(1 for r in after if r == label),
        )
        for b, label in enumerate(labels)
    )
    changes = []
    if enforce:
        for i in order.tolist():
            if before[i] != guided[i]:
                band = guided[i]
                assert band is not None  # every ranked subject gets a band
                changes.append(
                    CalibrationChange(
                        subject_id=ids[i],
                        field="rating",
                        before=before[i],
                        after=band,
                        reason=CalibrationReason.GUIDED_DISTRIBUTION,
                        params=(
                            ("rank", int(rank[i])),
                            ("rated", m),
                            ("band", band),
                            ("target", counts[labels.index(band)]),
                            ("total", float(t[i])),
                        ),
                    )
                )
    rank.flags.writeable = False
    return GuidedDistribution(
        labels=labels,
        subject_ids=ids,
        before=before,
        guided=tuple(guided),
        rating=after,
        rank=rank,
        enforced=enforce,
        rated=m,
        unrated=n - m,
        bands=bands,
        log=CalibrationLog(changes=changes),
    )


def _subjects(
    subject_ids: Sequence[str], total: npt.ArrayLike, quantitative: npt.ArrayLike | None
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    """Return the subject ids, totals and quantitative parts, checked to be one per subject."""
    ids = tuple(str(s) for s in subject_ids)
    n = len(ids)
    if len(set(ids)) != n:
        raise ValidationError(
            "guide_distribution: subject_ids repeat; each subject must appear once",
            field="subject_ids",
            value=ids,
        )
    t = np.asarray(total, dtype=np.float64)
    qn = np.full(n, np.nan) if quantitative is None else np.asarray(quantitative, dtype=np.float64)
    for name, arr in (("total", t), ("quantitative", qn)):
        if arr.shape != (n,):
            raise ValidationError(
                f"guide_distribution: {name} has shape {arr.shape}; expected ({n},), one per "
                "subject",
                field=name,
                value=arr.shape,
            )
    return ids, t, qn


def _ratings_before(
    scale: RatingScale,
    ids: tuple[str, ...],
    t: FloatArray,
    rated_mask: BoolArray,
    rating: Sequence[str | None] | None,
) -> tuple[str | None, ...]:
    """Return the rating of each subject before: as given (checked), or the band of its total."""
    labels = scale.labels
    if rating is None:
        off = rated_mask & ((t < scale.low) | (t > scale.high))
        if off.any():
            i = int(np.argmax(off))
            raise ValidationError(
                f"guide_distribution: total of {ids[i]!r} is {float(t[i])!r}, outside the rating "
                f"scale [{scale.low:g}, {scale.high:g}]; give its rating, or NaN for unrated",
                field="total",
                value=float(t[i]),
            )
        return tuple(
            scale.band_for(float(v)).label if ok else None
            for v, ok in zip(t.tolist(), rated_mask.tolist(), strict=True)
        )
    before = tuple(rating)
    if len(before) != len(ids):
        raise ValidationError(
            f"guide_distribution: rating has {len(before)} entries for {len(ids)} subjects",
            field="rating",
            value=len(before),
        )
    for sid, label, ok in zip(ids, before, rated_mask.tolist(), strict=True):
        if label is not None and label not in labels:
            raise ValidationError(
                f"guide_distribution: rating of {sid!r} is {label!r}; expected one of "
                f"{list(labels)} or None",
                field="rating",
                value=label,
            )
        if label is not None and not ok:
            raise ValidationError(
                f"guide_distribution: {sid!r} has rating {label!r} but no total; an "
                "unrated subject has no rating",
                field="rating",
                value=label,
            )
    return before


def guide_batch(
    scheme: Scheme,
    batch: BatchScores,
    *,
    shares: Mapping[str, float] | None = None,
    enforce: bool = False,
) -> GuidedDistribution:
    """Run :func:`guide_distribution` on scored reviews (totals, quantitative parts, ratings).

    Raises:
        ValidationError: When ``batch`` was not scored under ``scheme``, or as
            :func:`guide_distribution`.
    """
    if batch.scheme_hash != scheme.content_hash:
        raise ValidationError(
            f"guide_batch: the scores are of scheme {batch.scheme_key!r} "
            f"({batch.scheme_hash[:15]}…), not of {scheme.key!r} ({scheme.content_hash[:15]}…)",
            field="batch",
            value=batch.scheme_hash,
        )
    total = np.where(batch.rated, batch.total, np.nan)
    return guide_distribution(
        scheme.rating_scale,
        subject_ids=batch.subject_ids,
        total=total,
        quantitative=batch.quantitative,
        rating=list(batch.rating()),
        shares=shares,
        enforce=enforce,
    )
