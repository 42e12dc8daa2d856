"""Rater diagnostics (评分人诊断): leniency, central tendency, range restriction and halo.

:func:`rater_diagnostics` reads qualitative ratings through the rater standardisation of
:mod:`perfmgmt.calibration.raters` — the same checked columns, the same reference groups
(criterion, source) with their mean ``μ`` and spread ``σ``, the same per-rater spread ``s`` —
and summarises each rater **per source** (a manager's ratings are compared with other
managers', a peer's with other peers'), over all the criteria they rated:

- **leniency**: the mean of ``(rating − μ) / (high − low)`` over the rater's ratings, in
  shares of the scale (positive = lenient, negative = severe), and ``leniency_z``:
  ``Σ (rating − μ) / sqrt(Σ σ²)``, the same offset in standard errors;
- **central tendency**: how much closer to the middle of the scale the rater's ratings sit
  than everyone's in the same references: ``reference extremity − extremity``, where
  extremity is the mean of ``|rating − midpoint| / (half the scale)`` (0 = all in the middle,
  1 = all at the ends); positive = the rater avoids the ends;
- **range restriction**: ``range_ratio = sqrt(Σ s² / Σ σ²)`` over the rater's ratings, the
  rater's spread within each criterion against the reference's (``1/scale_factor`` of the
  standardisation when one criterion is rated); below 1 = the rater uses less of the scale;
- **halo**: the mean Pearson correlation between criteria over the subjects the rater rated
  on both (pairs with at least three such subjects and some spread on both criteria), against
  the same figure for everyone in the source.

Each figure comes with the counts it rests on (ratings, subjects, criteria, criterion pairs).
A rater with fewer than ``min_ratings`` ratings in a source is reported but marked as
resting on too few ratings. Every sum is a ``np.bincount`` over codes: no loop over ratings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import attrs
import numpy as np

from perfmgmt._markdown import md_table_row
from perfmgmt._typing import FloatArray, IntArray, NanFloat
from perfmgmt._validate import check_integer
from perfmgmt._words import ANALYTICS_WORDS, word
from perfmgmt.analytics.fairness import NAN_EQ
from perfmgmt.calibration import RatingCalibration, calibrate_reviews
from perfmgmt.errors import ValidationError
from perfmgmt.model.review import Review
from perfmgmt.model.scheme import Scheme

__all__ = ["RaterDiagnostic", "RaterDiagnostics", "SourceDiagnostic", "rater_diagnostics"]

Lang = Literal["en", "zh"]

_MIN_PAIR = 3  # subjects rated on both criteria before their correlation counts


@attrs.frozen(kw_only=True)
class RaterDiagnostic:
    """One rater's ratings as one source, against everyone's in the same references.

    Attributes:
        rater_id: The rater.
        source: The source they rated as.
        ratings: Ratings given.
        subjects: Subjects rated.
        criteria: Criteria rated.
        enough: ``ratings`` is at least the ``min_ratings`` of the analysis.
        mean: Mean position on the scale (0 = lowest, 1 = highest).
        leniency: Mean ``(rating − μ) / (high − low)``: positive = lenient.
        leniency_z: ``Σ (rating − μ) / sqrt(Σ σ²)`` (NaN when every reference has ``σ = 0``).
        extremity: Mean ``|rating − midpoint| / (half the scale)``.
        central_tendency: The references' extremity minus the rater's: positive = the rater
            keeps to the middle.
        range_ratio: ``sqrt(Σ s² / Σ σ²)``: below 1 = range restriction (NaN when
            ``Σ σ² = 0``).
        halo: Mean inter-criterion correlation over the rater's subjects (NaN without a pair).
        halo_pairs: Criterion pairs that entered ``halo``.
        halo_subjects: Subjects the rater rated on two criteria or more.
    """

    rater_id: str
    source: str
    ratings: int
    subjects: int
    criteria: int
    enough: bool
    mean: float
    leniency: float
    leniency_z: NanFloat = attrs.field(eq=NAN_EQ)
    extremity: float
    central_tendency: float
    range_ratio: NanFloat = attrs.field(eq=NAN_EQ)
    halo: NanFloat = attrs.field(eq=NAN_EQ)
    halo_pairs: int
    halo_subjects: int


@attrs.frozen(kw_only=True)
class SourceDiagnostic:
    """Everyone's ratings as one source: the baseline each rater of it is read against.

    Attributes:
        source: The source.
        ratings: Ratings given.
        raters: Raters.
        subjects: Subjects rated.
        mean: Mean position on the scale.
        extremity: Mean ``|rating − midpoint| / (half the scale)``.
        halo: Mean inter-criterion correlation over (rater, subject) pairs (NaN without a pair).
        halo_pairs: Criterion pairs that entered ``halo``.
        halo_subjects: (rater, subject) pairs with two criteria or more.
    """

    source: str
    ratings: int
    raters: int
    subjects: int
    mean: float
    extremity: float
    halo: NanFloat = attrs.field(eq=NAN_EQ)
    halo_pairs: int
    halo_subjects: int


@attrs.frozen(kw_only=True, eq=False)
class RaterDiagnostics:
    """Rater diagnostics per rater and per source, with the standardisation they rest on.

    Attributes:
        scheme_key: The scheme.
        min_ratings: Raters with fewer ratings in a source are marked as resting on too few.
        sources: One entry per source, in the order of the ratings' source values.
        raters: One entry per (rater, source), by source then most lenient first.
        calibration: The rater standardisation of the same ratings
            (:func:`~perfmgmt.calibration.calibrate_ratings`): its per-(rater, criterion)
            offsets and scale factors detail these figures.
    """

    scheme_key: str
    min_ratings: int
    sources: tuple[SourceDiagnostic, ...]
    raters: tuple[RaterDiagnostic, ...]
    calibration: RatingCalibration

    def rater(self, rater_id: str, source: str) -> RaterDiagnostic:
        """Return the diagnostic of ``rater_id`` rating as ``source``.

        Raises:
            ValidationError: When that rater gave no rating as that source.
        """
        for r in self.raters:
            if (r.rater_id, r.source) == (rater_id, source):
                return r
        raise ValidationError(
            f"RaterDiagnostics.rater: rater {rater_id!r} gave no {source!r} rating",
            field="rater_id",
            value=rater_id,
        )

    def source(self, source: str) -> SourceDiagnostic:
        """Return the baseline of ``source``.

        Raises:
            ValidationError: When no rating came from that source.
        """
        for s in self.sources:
            if s.source == source:
                return s
        raise ValidationError(
            f"RaterDiagnostics.source: no rating from {source!r}; the sources are "
            f"{[s.source for s in self.sources]}",
            field="source",
            value=source,
        )

    def to_records(self) -> list[dict[str, object]]:
        """Return one dict per (rater, source)."""
        return [attrs.asdict(r) for r in self.raters]

    def explain(self, lang: Lang | str = "en", *, too_few: bool = True) -> str:
        """Render the diagnostics as Markdown text, a table per source (``"en"`` or ``"zh"``).

        Args:
            lang: ``"en"`` or ``"zh"``.
            too_few: List raters with fewer than ``min_ratings`` ratings too; when False they
                are counted in a line under each table.
        """
        if lang not in ANALYTICS_WORDS:
            raise ValidationError(
                f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
            )
        w = ANALYTICS_WORDS[lang]
        lines = [f"## {w['rater_diagnostics']}"]
        for s in self.sources:
            lines += [
                "",
                f"### {w['source']}: {word(f'source.{s.source}', lang, default=s.source)}",
                "",
                md_table_row(
                    (
                        w["rater"],
                        w["ratings"],
                        w["subjects"],
                        w["leniency"],
                        "z",
                        w["central_tendency"],
                        w["range_ratio"],
                        w["halo"],
                    )
                ),
                "|---|---:|---:|---:|---:|---:|---:|---|",
                md_table_row((w["baseline"], s.ratings, s.subjects, "", "", "", "", _halo_text(s))),
            ]
            hidden = 0
            for r in self.raters:
                if r.source != s.source:
                    continue
                if not (r.enough or too_few):
                    hidden += 1
                    continue
                lines.append(
                    md_table_row(
                        (
                            r.rater_id if r.enough else f"{r.rater_id} ({w['too_few']})",
                            r.ratings,
                            r.subjects,
                            f"{r.leniency:+.3f}",
                            _num(r.leniency_z, "+.2f"),
                            f"{r.central_tendency:+.3f}",
                            _num(r.range_ratio, ".2f"),
                            _halo_text(r),
                        )
                    )
                )
            if hidden:
                lines += ["", w["hidden_raters"].format(n=hidden, k=self.min_ratings)]
        return "\n".join(lines)


def _num(value: float, spec: str) -> str:
    return "" if math.isnan(value) else format(value, spec)


def _halo_text(d: RaterDiagnostic | SourceDiagnostic) -> str:
    return "" if math.isnan(d.halo) else f"{d.halo:.2f} ({d.halo_pairs}, {d.halo_subjects})"


class _Halo(NamedTuple):
    mean: FloatArray
    pairs: IntArray
    units: IntArray


def _halo(unit_group: IntArray, matrix: FloatArray, groups: int) -> _Halo:
    """Mean correlation between criteria (columns) over units (rows), per group of units."""
    seen = ~np.isnan(matrix)
    q = matrix.shape[1]
    total = np.zeros(groups)
    pairs = np.zeros(groups, dtype=np.int64)
    for a in range(q):
        for b in range(a + 1, q):
            both = seen[:, a] & seen[:, b]
            grp = unit_group[both]
            xa = matrix[both, a]
            xb = matrix[both, b]
            n = np.bincount(grp, minlength=groups).astype(np.float64)
            safe = np.maximum(n, 1.0)
            ma = np.bincount(grp, weights=xa, minlength=groups) / safe
            mb = np.bincount(grp, weights=xb, minlength=groups) / safe
            da, db = xa - ma[grp], xb - mb[grp]
            saa = np.bincount(grp, weights=da * da, minlength=groups)
            sbb = np.bincount(grp, weights=db * db, minlength=groups)
            sab = np.bincount(grp, weights=da * db, minlength=groups)
            ok = (n >= _MIN_PAIR) & (saa > 0) & (sbb > 0)
            r = np.divide(sab, np.sqrt(saa * sbb), out=np.zeros(groups), where=ok)
            total += r
            pairs += ok
    units = np.bincount(unit_group, weights=seen.sum(axis=1) >= 2, minlength=groups)
    mean = np.divide(total, pairs, out=np.full(groups, np.nan), where=pairs > 0)
    return _Halo(mean, pairs, units.astype(np.int64))


def _distinct(group: IntArray, other: IntArray, groups: int) -> IntArray:
    """How many distinct values of ``other`` each group has."""
    pairs = np.unique(group * (int(other.max(initial=0)) + 1) + other)
    return np.bincount(pairs // (int(other.max(initial=0)) + 1), minlength=groups).astype(np.int64)


def _calibration(
    scheme: Scheme, ratings: Sequence[Review] | RatingCalibration, min_ratings: int
) -> RatingCalibration:
    if isinstance(ratings, RatingCalibration):
        return ratings
    return calibrate_reviews(scheme, ratings, min_ratings=min_ratings).ratings


def rater_diagnostics(
    scheme: Scheme,
    ratings: Sequence[Review] | RatingCalibration,
    *,
    min_ratings: int = 5,
) -> RaterDiagnostics:
    """Diagnose leniency, central tendency, range restriction and halo per rater and source.

    See the module documentation for the figures.

    Args:
        scheme: The scheme whose criteria (and their scales) the ratings belong to.
        ratings: Reviews (their assessments are read, on each criterion's scale) or the result
            of :func:`~perfmgmt.calibration.calibrate_ratings` on columns.
        min_ratings: Raters with fewer ratings in a source are marked ``enough=False``; the
            standardisation run on reviews pools them likewise.

    Returns:
        The diagnostics per source and per (rater, source), with the standardisation.

    Raises:
        ScoringError: On ratings the standardisation refuses (see
            :func:`~perfmgmt.calibration.calibrate_ratings`).
        ValidationError: When ``min_ratings`` is not a whole number >= 1.
    """
    check_integer(min_ratings, "rater_diagnostics: min_ratings", minimum=1)
    cal = _calibration(scheme, ratings, min_ratings)
    rows = _rows(scheme, cal)
    return RaterDiagnostics(
        scheme_key=scheme.key,
        min_ratings=min_ratings,
        sources=_sources(rows),
        raters=_raters(rows, min_ratings),
        calibration=cal,
    )


class _Rows(NamedTuple):
    """Per rating: the value, its codes, its scale and the standardisation's figures."""

    x: FloatArray
    crit: IntArray
    src: IntArray
    rater: IntArray
    subject: IntArray
    crit_keys: list[str]
    src_keys: list[str]
    rater_keys: list[str]
    subjects: int
    ref: IntArray
    width: FloatArray
    position: FloatArray
    mu: FloatArray
    sigma: FloatArray
    rater_sd: FloatArray
    extremity: FloatArray
    ref_extremity: FloatArray
    matrix: FloatArray
    unit_ids: IntArray


def _codes(values: object) -> tuple[list[str], IntArray]:
    keys, codes = np.unique(np.asarray(values), return_inverse=True)
    return [str(k) for k in keys.tolist()], codes.astype(np.int64)


def _rows(scheme: Scheme, cal: RatingCalibration) -> _Rows:
    x = cal.before
    crit_keys, ci = _codes(cal.criterion)
    src_keys, si = _codes(cal.source)
    rater_keys, ri = _codes(cal.rater)
    subj_keys, ui = _codes(cal.subject)
    q, s = len(crit_keys), len(src_keys)
    scale = {c.key: c.scale for c in scheme.criteria}
    foreign = sorted(set(crit_keys) - set(scale))
    if foreign:
        raise ValidationError(
            f"rater_diagnostics: the ratings rate {foreign}, which are not criteria of scheme "
            f"{scheme.key!r}; the criteria are {sorted(scale)}",
            field="ratings",
            value=foreign,
        )
    low = np.array([scale[k].low for k in crit_keys], dtype=np.float64)[ci]
    high = np.array([scale[k].high for k in crit_keys], dtype=np.float64)[ci]

    # The standardisation's reference (μ, σ) and per-rater spread s, looked up per rating.
    cpos = {k: i for i, k in enumerate(crit_keys)}
    spos = {k: i for i, k in enumerate(src_keys)}
    rpos = {k: i for i, k in enumerate(rater_keys)}
    mu_tab = np.zeros(q * s)
    sigma_tab = np.zeros(q * s)
    for spread in cal.references:
        j = cpos[spread.criterion] * s + spos[spread.source]
        mu_tab[j], sigma_tab[j] = spread.mean, spread.sd
    sd_tab = np.zeros(len(rater_keys) * q * s)
    for adj in cal.raters:
        sd_tab[(rpos[adj.rater_id] * q + cpos[adj.criterion]) * s + spos[adj.source]] = adj.sd
    ref = ci * s + si
    width = high - low
    extremity = np.abs(x - (low + high) / 2.0) / (width / 2.0)
    ref_n = np.maximum(np.bincount(ref, minlength=q * s), 1)
    ref_extremity = np.bincount(ref, weights=extremity, minlength=q * s) / ref_n

    # Units: one rater's ratings of one subject as one source, a row of criteria.
    unit_ids, unit = np.unique((ri * s + si) * len(subj_keys) + ui, return_inverse=True)
    matrix = np.full((len(unit_ids), q), np.nan)
    matrix[unit, ci] = x
    return _Rows(
        x=x,
        crit=ci,
        src=si,
        rater=ri,
        subject=ui,
        crit_keys=crit_keys,
        src_keys=src_keys,
        rater_keys=rater_keys,
        subjects=len(subj_keys),
        ref=ref,
        width=width,
        position=(x - low) / width,
        mu=mu_tab[ref],
        sigma=sigma_tab[ref],
        rater_sd=sd_tab[(ri * q + ci) * s + si],
        extremity=extremity,
        ref_extremity=ref_extremity[ref],
        matrix=matrix,
        unit_ids=unit_ids.astype(np.int64),
    )


def _raters(rows: _Rows, min_ratings: int) -> tuple[RaterDiagnostic, ...]:
    s = len(rows.src_keys)
    group_ids, g = np.unique(rows.rater * s + rows.src, return_inverse=True)
    size = len(group_ids)
    n = np.bincount(g, minlength=size).astype(np.int64)

    def total(values: FloatArray) -> FloatArray:
        return np.bincount(g, weights=values, minlength=size).astype(np.float64)

    sum_sigma2 = total(rows.sigma * rows.sigma)
    nan = np.full(size, np.nan)
    lenient_z = np.divide(
        total(rows.x - rows.mu), np.sqrt(sum_sigma2), out=nan.copy(), where=sum_sigma2 > 0
    )
    range_ratio = np.sqrt(
        np.divide(total(rows.rater_sd**2), sum_sigma2, out=nan.copy(), where=sum_sigma2 > 0)
    )
    extreme = total(rows.extremity) / n
    # Each unit belongs to one (rater, source) group: the group is the unit id's high part.
    unit_group = np.searchsorted(group_ids, rows.unit_ids // rows.subjects)
    halo = _halo(unit_group, rows.matrix, size)
    subjects = _distinct(g, rows.subject, size)
    criteria = _distinct(g, rows.crit, size)
    mean_pos = total(rows.position) / n
    leniency = total((rows.x - rows.mu) / rows.width) / n
    central = total(rows.ref_extremity) / n - extreme
    out = [
        RaterDiagnostic(
            rater_id=rows.rater_keys[int(group_ids[j]) // s],
            source=rows.src_keys[int(group_ids[j]) % s],
            ratings=int(n[j]),
            subjects=int(subjects[j]),
            criteria=int(criteria[j]),
            enough=bool(n[j] >= min_ratings),
            mean=float(mean_pos[j]),
            leniency=float(leniency[j]),
            leniency_z=float(lenient_z[j]),
            extremity=float(extreme[j]),
            central_tendency=float(central[j]),
            range_ratio=float(range_ratio[j]),
            halo=float(halo.mean[j]),
            halo_pairs=int(halo.pairs[j]),
            halo_subjects=int(halo.units[j]),
        )
        for j in range(size)
    ]
    # Rounded so that raters equal but for float noise keep the order of their ids.
    out.sort(key=lambda r: (r.source, -round(r.leniency, 9), r.rater_id))
    return tuple(out)


def _sources(rows: _Rows) -> tuple[SourceDiagnostic, ...]:
    s = len(rows.src_keys)
    si = rows.src
    n = np.maximum(np.bincount(si, minlength=s), 1)
    mean = np.bincount(si, weights=rows.position, minlength=s) / n
    extreme = np.bincount(si, weights=rows.extremity, minlength=s) / n
    raters = _distinct(si, rows.rater, s)
    subjects = _distinct(si, rows.subject, s)
    halo = _halo((rows.unit_ids // rows.subjects) % s, rows.matrix, s)
    return tuple(
        SourceDiagnostic(
            source=rows.src_keys[j],
            ratings=int(n[j]),
            raters=int(raters[j]),
            subjects=int(subjects[j]),
            mean=float(mean[j]),
            extremity=float(extreme[j]),
            halo=float(halo.mean[j]),
            halo_pairs=int(halo.pairs[j]),
            halo_subjects=int(halo.units[j]),
        )
        for j in range(s)
    )
