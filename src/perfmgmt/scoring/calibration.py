"""Calibration (校准): rater standardisation and guided distribution, with a complete change log.

Two independent steps, each returning its result *and* a :class:`CalibrationLog` that lists every
value it changed (subject, field, before, after, reason); nothing is changed that the log does
not list.

**Rater standardisation** (:func:`calibrate_ratings`, :func:`calibrate_reviews`) removes rater
leniency and severity from qualitative ratings. Ratings are grouped by *reference*, the pair
(criterion, source): a peer is compared with the other peers rating the same criterion, a
manager with the other managers, because sources differ systematically and the scheme already
weighs them. Within a reference with population mean ``μ`` and spread ``σ`` (the standard
deviation with ``ddof=0``) over all its ratings, a rater ``r`` with mean ``m`` and spread ``s``
over their ratings in that reference gets::

    calibrated = clamp(μ + (rating − m) · k, low, high)      k = σ / s   (k = 1 when s = 0)

``offset = m − μ`` (positive = lenient) and ``scale_factor = k`` are reported per rater. A
rater with fewer than ``min_ratings`` ratings in a reference is **pooled**: their ratings count
towards ``μ`` and ``σ`` like everyone's, their offset is reported, but they are not changed
(``scale_factor`` 1, ``pooled=True``); too few ratings say nothing reliable about a rater. A
calibrated value within ``1e-9`` of the original is kept as it was, so a second run over
already calibrated ratings changes nothing when no rating was clamped and nobody was pooled.

**Guided distribution** (:func:`guide_distribution`, :func:`guide_batch`) compares the ratings
with target shares per band (the rating scale's ``guideline_share``, or given). Target counts
are the shares × N rated, rounded by the largest-remainder method: each band gets the whole
part of its quota, and the people left over go one each to the bands with the largest
fractional remainders (computed exactly; equal remainders go to the better band first), so the
counts add up to N exactly. Subjects are ranked by total (highest first), then by the
unrounded quantitative part (highest first, missing last), then by subject id (ascending); the
best-ranked get the best band. Enforcement is optional: ``enforce=False`` only reports.
Unrated subjects (no total) are left out, keep no rating, and are counted.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Literal, cast

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray
from perfmgmt._validate import finite, instance_of, integer, non_empty, tuple_of
from perfmgmt.errors import ScoringError, SerializationError, ValidationError
from perfmgmt.model.review import Assessment, Review
from perfmgmt.model.scheme import AssessmentSource, RatingScale, Scheme
from perfmgmt.scoring.card import BatchScores
from perfmgmt.scoring.population import rescale_rating

__all__ = [
    "BandDeviation",
    "CalibrationChange",
    "CalibrationLog",
    "CalibrationReason",
    "GuidedDistribution",
    "RaterAdjustment",
    "RatingCalibration",
    "ReferenceSpread",
    "ReviewCalibration",
    "calibrate_ratings",
    "calibrate_reviews",
    "guide_batch",
    "guide_distribution",
    "target_counts",
]


SNAP = 1e-9
"""A calibrated rating within this of the original is kept unchanged (no float noise)."""

_Lang = Literal["en", "zh"] | str


def _check_lang(lang: str) -> bool:
    if lang not in ("en", "zh"):
        raise ValidationError(
            f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return lang == "zh"


def _num(value: float | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:.4g}"


class CalibrationReason(enum.Enum):
    """Why calibration changed a value."""

    RATER_STANDARDISED = "rater_standardised"
    """A rating was moved by its rater's standardisation."""
    RATER_CLAMPED = "rater_clamped"
    """A rating was moved by its rater's standardisation and clamped to the scale."""
    GUIDED_DISTRIBUTION = "guided_distribution"
    """A rating label was set by rank to meet the guided distribution."""


_Param = tuple[str, str | float | int]


def _params(value: Sequence[_Param] | Mapping[str, str | float | int]) -> tuple[_Param, ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), v) for k, v in items)


@attrs.frozen(kw_only=True)
class CalibrationChange:
    """One value changed by calibration.

    Attributes:
        subject_id: Whose value changed.
        field: What changed: ``"rating"`` (the band label) or
            ``"assessment[<criterion>,<source>,<rater>]"`` (one qualitative rating).
        before: The value before.
        after: The value after.
        reason: Why.
        params: The numbers behind the reason as ``(name, value)`` pairs (rater offset and
            scale factor, or rank and band target).
    """

    subject_id: str = attrs.field(validator=non_empty)
    field: str = attrs.field(validator=non_empty)
    before: float | str | None = attrs.field(validator=instance_of(float, str, type(None)))
    after: float | str | None = attrs.field(validator=instance_of(float, str, type(None)))
    reason: CalibrationReason = attrs.field(validator=instance_of(CalibrationReason))
    params: tuple[_Param, ...] = attrs.field(factory=tuple, converter=_params)

    def param(self, name: str) -> str | float | int | None:
        """Return the parameter ``name``, or None when the change has none."""
        for k, v in self.params:
            if k == name:
                return v
        return None

    def text(self, lang: _Lang = "en") -> str:
        """Return the change as one line of text in ``"en"`` or ``"zh"``."""
        zh = _check_lang(lang)
        p = dict(self.params)
        head = f"{self.subject_id} {self.field}: {_num(self.before)} → {_num(self.after)}"
        if self.reason is CalibrationReason.GUIDED_DISTRIBUTION:
            why = (
                f"强制分布:排名 {p.get('rank')}/{p.get('rated')},{p.get('band')} 档目标 "
                f"{p.get('target')} 人"
                if zh
                else f"guided distribution: rank {p.get('rank')} of {p.get('rated')}, band "
                f"{p.get('band')} holds {p.get('target')}"
            )
        else:
            rater, off, k = p.get("rater"), p.get("offset"), p.get("scale_factor")
            off_s = f"{off:+.3f}" if isinstance(off, float) else str(off)
            k_s = f"{k:.3f}" if isinstance(k, float) else str(k)
            if zh:
                why = f"评分人 {rater} 标准化(偏差 {off_s},缩放 {k_s})"
                if self.reason is CalibrationReason.RATER_CLAMPED:
                    why += ",已截断到量表范围"
            else:
                why = f"rater {rater} standardised (offset {off_s}, scale factor {k_s})"
                if self.reason is CalibrationReason.RATER_CLAMPED:
                    why += ", clamped to the scale"
        return f"{head} ({why})"

    def to_record(self) -> dict[str, object]:
        """Return the change as a flat dict (for CSV or JSON)."""
        return {
            "subject_id": self.subject_id,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "reason": self.reason.value,
            "params": "; ".join(
                f"{k}={_num(v) if isinstance(v, float) else v}" for k, v in self.params
            ),
        }


def _changes(value: Sequence[CalibrationChange]) -> tuple[CalibrationChange, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class CalibrationLog:
    """Every change one or more calibration steps made, in the order they were made.

    Attributes:
        changes: The changes.
    """

    changes: tuple[CalibrationChange, ...] = attrs.field(
        factory=tuple, converter=_changes, validator=tuple_of(CalibrationChange)
    )

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[CalibrationChange]:
        return iter(self.changes)

    def __add__(self, other: CalibrationLog) -> CalibrationLog:
        if not isinstance(other, CalibrationLog):
            return NotImplemented
        return CalibrationLog(changes=self.changes + other.changes)

    def for_subject(self, subject_id: str) -> tuple[CalibrationChange, ...]:
        """Return the changes to ``subject_id``'s values, in order."""
        return tuple(c for c in self.changes if c.subject_id == subject_id)

    def to_records(self) -> list[dict[str, object]]:
        """Return the changes as flat dicts (for CSV; parameters as rounded text)."""
        return [c.to_record() for c in self.changes]

    def to_json(self) -> str:
        """Return the log as JSON that :meth:`from_json` loads back to an equal log.

        Unlike :meth:`to_records`, nothing is rounded: floats are written exactly and the
        parameters keep their types.
        """
        data = {
            "schema_version": _LOG_SCHEMA_VERSION,
            "changes": [
                {
                    "subject_id": c.subject_id,
                    "field": c.field,
                    "before": c.before,
                    "after": c.after,
                    "reason": c.reason.value,
                    "params": [[k, v] for k, v in c.params],
                }
                for c in self.changes
            ],
        }
        return json.dumps(data, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> CalibrationLog:
        """Load a log written by :meth:`to_json`.

        Raises:
            SerializationError: When the text is not such a log; the message starts with the
                JSON path of the offending value and says what is allowed there.
        """
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise SerializationError(f"$: not JSON ({exc})", path="$") from None
        top = _keys(data, "$", ("schema_version", "changes"))
        if top["schema_version"] != _LOG_SCHEMA_VERSION or isinstance(top["schema_version"], bool):
            raise SerializationError(
                f"schema_version: {top['schema_version']!r} is not allowed; expected "
                f"{_LOG_SCHEMA_VERSION}",
                path="schema_version",
            )
        items = top["changes"]
        if not isinstance(items, list):
            raise SerializationError(
                f"changes: {items!r} is not allowed; expected a list", path="changes"
            )
        return cls(
            changes=[_change_from_data(item, f"changes[{i}]") for i, item in enumerate(items)]
        )

    def explain(self, lang: _Lang = "en") -> str:
        """Return the log as text: a count per reason, then one line per change."""
        zh = _check_lang(lang)
        counts: dict[CalibrationReason, int] = {}
        for c in self.changes:
            counts[c.reason] = counts.get(c.reason, 0) + 1
        if not self.changes:
            return "校准未改变任何数值。" if zh else "Calibration changed nothing."
        names = {
            CalibrationReason.RATER_STANDARDISED: ("rater standardised", "评分人标准化"),
            CalibrationReason.RATER_CLAMPED: ("rater standardised and clamped", "标准化并截断"),
            CalibrationReason.GUIDED_DISTRIBUTION: ("guided distribution", "强制分布"),
        }
        summary = ", ".join(f"{names[r][1 if zh else 0]} {n}" for r, n in counts.items())
        head = (
            f"校准变更 {len(self.changes)} 项({summary}):"
            if zh
            else f"Calibration changes: {len(self.changes)} ({summary})"
        )
        return "\n".join([head, *(f"- {c.text(lang)}" for c in self.changes)])


_LOG_SCHEMA_VERSION = 1
_CHANGE_KEYS = ("subject_id", "field", "before", "after", "reason", "params")


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _keys(data: object, path: str, keys: tuple[str, ...]) -> dict[str, object]:
    """Return ``data`` when it is an object with exactly ``keys``."""
    if not isinstance(data, dict):
        raise SerializationError(
            f"{path}: {data!r} is not allowed; expected an object with keys {list(keys)}",
            path=path,
        )
    missing = [k for k in keys if k not in data]
    extra = sorted(set(data) - set(keys))
    if missing or extra:
        raise SerializationError(
            f"{path}: keys {sorted(data)} are not allowed; expected exactly {list(keys)}",
            path=path,
        )
    return data


def _value(value: object, path: str, *, ints: bool) -> float | str | int | None:
    """Return a change's value: a float, a text or null (and whole numbers in params)."""
    if value is None or isinstance(value, str | float):
        return value
    if ints and isinstance(value, int) and not isinstance(value, bool):
        return value
    allowed = "a number, a text or null" if ints else "a float, a text or null"
    raise SerializationError(f"{path}: {value!r} is not allowed; expected {allowed}", path=path)


def _change_from_data(data: object, path: str) -> CalibrationChange:
    item = _keys(data, path, _CHANGE_KEYS)
    for name in ("subject_id", "field"):
        if not isinstance(item[name], str):
            raise SerializationError(
                f"{path}.{name}: {item[name]!r} is not allowed; expected a text",
                path=f"{path}.{name}",
            )
    try:
        reason = CalibrationReason(item["reason"])
    except ValueError:
        raise SerializationError(
            f"{path}.reason: {item['reason']!r} is not allowed; expected one of "
            f"{[r.value for r in CalibrationReason]}",
            path=f"{path}.reason",
        ) from None
    raw = item["params"]
    if not isinstance(raw, list):
        raise SerializationError(
            f"{path}.params: {raw!r} is not allowed; expected a list of [name, value] pairs",
            path=f"{path}.params",
        )
    params: list[tuple[str, str | float | int]] = []
    for k, pair in enumerate(raw):
        where = f"{path}.params[{k}]"
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise SerializationError(
                f"{where}: {pair!r} is not allowed; expected a [name, value] pair", path=where
            )
        value = _value(pair[1], f"{where}[1]", ints=True)
        if value is None:
            raise SerializationError(
                f"{where}[1]: None is not allowed; expected a number or a text",
                path=f"{where}[1]",
            )
        params.append((pair[0], value))
    try:
        return CalibrationChange(
            subject_id=cast("str", item["subject_id"]),
            field=cast("str", item["field"]),
            before=cast("float | str | None", _value(item["before"], f"{path}.before", ints=False)),
            after=cast("float | str | None", _value(item["after"], f"{path}.after", ints=False)),
            reason=reason,
            params=params,
        )
    except ValidationError as exc:
        raise SerializationError(f"{path}: {exc}", path=path) from None


# -- rater standardisation ----------------------------------------------------------------------


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

    def report(self, lang: _Lang = "en", *, pooled: bool = True) -> str:
        """Return each rater's offset and scale factor as a text table, most lenient first.

        Args:
            lang: ``"en"`` or ``"zh"``.
            pooled: List pooled raters too; when False they are counted in a closing line.
        """
        zh = _check_lang(lang)
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
                f"| {r.rater_id} | {r.criterion} | {r.source} | {r.ratings} | {r.mean:.3f} | "
                f"{r.offset:+.3f} | {r.scale_factor:.3f} | {action} |"
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
    if not isinstance(min_ratings, int) or isinstance(min_ratings, bool) or min_ratings < 1:
        raise ValidationError(
            f"calibrate_ratings: min_ratings={min_ratings!r} is not allowed; expected a whole "
            "number >= 1",
            field="min_ratings",
            value=min_ratings,
        )
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


# -- guided distribution ------------------------------------------------------------------------


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

    def report(self, lang: _Lang = "en") -> str:
        """Return the deviation table (best band first) and the counts, as text."""
        zh = _check_lang(lang)
        lines = [
            "| 评级 | 指导比例 | 目标人数 | 校准前 | 偏差 | 校准后 | 偏差 |"
            if zh
            else "| Rating | Guideline | Target | Before | Deviation | After | Deviation |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {b.label} | {b.share:.0%} | {b.target} | {b.before} | {b.deviation_before:+d} | "
            f"{b.after} | {b.deviation_after:+d} |"
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
    labels = scale.labels
    target_share = _shares(scale, shares)
    rated_mask = np.isfinite(t)
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
        before: tuple[str | None, ...] = tuple(
            scale.band_for(float(v)).label if ok else None
            for v, ok in zip(t.tolist(), rated_mask.tolist(), strict=True)
        )
    else:
        before = tuple(rating)
        if len(before) != n:
            raise ValidationError(
                f"guide_distribution: rating has {len(before)} entries for {n} subjects",
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
