"""Performance x potential (the 9-box): potential assessments, the grid, movement.

The founding scheme's career path rewards sustained results with promotion. This module puts
each person on the familiar 3 x 3 grid (:mod:`perfmgmt.analytics.readiness` derives promotion
readiness from it):

* :class:`PotentialModel` scores **potential** from assessments of qualitative criteria, the
  same :class:`~perfmgmt.model.QualitativeCriterion` and :class:`~perfmgmt.model.Assessment`
  objects the scheme uses for attitude and teamwork (learning agility, aspiration, ...);
* :class:`NineBoxGrid` cuts performance (a score, or rating labels) and potential into three
  levels each; :func:`place` places a population, vectorised;
* :func:`movement` counts who moved from which box to which between two cycles.

**Exact cut-offs.** A value exactly on a cut-off belongs to the level **above** it (levels are
``[cut, next cut)``, as rating bands are). Cut-offs are Decimals; values given as Decimal,
Fraction or int are compared exactly, and a float is read as the shortest decimal that prints
as it (``0.3`` is three tenths, not the binary number just below), so ``0.1 + 0.2`` is above
a cut of ``0.3`` but a score typed as ``3.5`` is on a cut of ``3.5``. A float column is compared
in one vectorised step with the same result.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Literal

import attrs
import numpy as np

from perfmgmt._typing import IntArray
from perfmgmt._validate import fail, non_empty, show, to_tuple, tuple_of
from perfmgmt._words import talent_words
from perfmgmt.analytics._stored import check_column, check_recomputed, fields_of, refuse
from perfmgmt.errors import ValidationError
from perfmgmt.model.review import Assessment
from perfmgmt.model.scheme import QualitativeCriterion

__all__ = [
    "Box",
    "BoxMovement",
    "GridLevel",
    "NineBoxGrid",
    "NineBoxPlacement",
    "PotentialModel",
    "exact_value",
    "movement",
    "place",
    "potentials",
]

_MAX_CUT = Decimal(10**9)
_CUT_DIGITS = 15  # float(cut) prints back as cut up to here: the vectorised compare is exact


class GridLevel(enum.Enum):
    """A level on one axis of the grid."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def index(self) -> int:
        """0, 1 or 2, lowest first."""
        return _LEVELS.index(self)


_LEVELS = (GridLevel.LOW, GridLevel.MODERATE, GridLevel.HIGH)


class Box(enum.Enum):
    """A box of the grid, named for its performance and potential levels.

    ``index = 3 x potential + performance`` (each 0 = low to 2 = high): 0 is low/low, 8 is
    the star.
    """

    UNDERPERFORMER = "underperformer"  # low performance, low potential
    EFFECTIVE = "effective"  # moderate performance, low potential
    TRUSTED_PROFESSIONAL = "trusted_professional"  # high performance, low potential
    INCONSISTENT = "inconsistent"  # low performance, moderate potential
    CORE_PLAYER = "core_player"
    HIGH_PERFORMER = "high_performer"
    ROUGH_DIAMOND = "rough_diamond"  # low performance, high potential
    GROWTH = "growth"
    STAR = "star"

    @property
    def index(self) -> int:
        """``3 x potential + performance``, 0 to 8."""
        return _BOXES.index(self)

    @property
    def performance(self) -> GridLevel:
        """The box's performance level."""
        return _LEVELS[self.index % 3]

    @property
    def potential(self) -> GridLevel:
        """The box's potential level."""
        return _LEVELS[self.index // 3]

    @classmethod
    def at(cls, performance: GridLevel, potential: GridLevel) -> Box:
        """Return the box at ``performance`` x ``potential``."""
        return _BOXES[3 * potential.index + performance.index]

    def label(self, lang: Literal["en", "zh"] = "en") -> str:
        """Return the box's name in ``lang``, e.g. ``"Star"`` / ``"明星"``."""
        return talent_words(lang)[f"box.{self.value}"]


_BOXES = tuple(Box)


# -- exact values --------------------------------------------------------------------------------


def exact_value(value: object, what: str = "value") -> Fraction | None:
    """Return ``value`` as an exact Fraction (None for None or NaN: not assessed).

    Decimals, Fractions and ints are exact; a float is read as the shortest decimal that
    prints as it (``0.3`` -> 3/10).

    Raises:
        ValidationError: Not a number, or infinite.
    """
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    if isinstance(value, Decimal) and value.is_nan():
        return None
    if isinstance(value, float | np.floating) and math.isfinite(value):
        return Fraction(repr(float(value)))
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    if isinstance(value, Fraction | int | np.integer) and not isinstance(value, bool | np.bool_):
        return Fraction(int(value)) if isinstance(value, np.integer) else Fraction(value)
    raise ValidationError(
        f"{what}: {show(value)} is not allowed; allowed: a finite number (Decimal, Fraction, "
        "int or float), or None when not assessed",
        field=what,
        value=value,
    )


def _levels(values: object, cuts: tuple[Decimal, ...], what: str) -> IntArray:
    """Return each value's level: the number of cuts at or below it; -1 when not assessed."""
    try:
        data = np.asarray(values)
    except ValueError:  # ragged nested sequences
        data = np.empty(0)
    if data.ndim != 1:
        raise ValidationError(
            f"{what}: {show(values)} is not allowed; allowed: one number per person",
            field=what,
            value=values,
        )
    if data.dtype.kind == "f":
        # The smallest float that reads as >= cut is float(cut): cuts have <= 15 digits.
        thresholds = np.array([float(c) for c in cuts], dtype=np.float64)
        finite = np.isfinite(data)
        if np.isinf(data).any():
            i = int(np.flatnonzero(np.isinf(data))[0])
            exact_value(float(data[i]), f"{what}[{i}]")
        level = (data[:, None] >= thresholds[None, :]).sum(axis=1).astype(np.int64)
        return np.where(finite, level, -1)
    exact_cuts = [Fraction(c) for c in cuts]
    out = np.empty(data.shape[0], dtype=np.int64)
    for i, item in enumerate(data.tolist()):
        v = exact_value(item, f"{what}[{i}]")
        out[i] = -1 if v is None else sum(v >= c for c in exact_cuts)
    return out


# -- potential -----------------------------------------------------------------------------------


def _check_criteria(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(QualitativeCriterion)(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        fail(instance, attribute, value, "expected at least one criterion")
    keys = [c.key for c in value]
    if len(set(keys)) != len(keys):
        fail(instance, attribute, keys, "criterion keys must be unique")
    if any(c.scale != value[0].scale for c in value):
        fail(instance, attribute, keys, "every potential criterion must use the same scale")
    if not sum(_exact_weight(c.weight) for c in value) > 0:
        fail(instance, attribute, keys, "at least one criterion needs a weight above 0")


def _exact_weight(weight: float) -> Fraction:
    return Fraction(repr(float(weight)))


@attrs.frozen(kw_only=True)
class PotentialModel:
    """How potential is assessed: qualitative criteria on one shared scale.

    A person's potential is the weighted mean, over the criteria, of the mean rating each
    criterion received (every source and rater counted once), on the criteria's scale,
    computed exactly. Weights are renormalised to sum to 1. A person without a rating for
    some criterion is **not assessed** (None): a missing criterion is never filled in.

    Attributes:
        criteria: The potential criteria (e.g. learning agility, aspiration, leadership).
    """

    criteria: tuple[QualitativeCriterion, ...] = attrs.field(
        converter=to_tuple, validator=_check_criteria
    )

    @property
    def keys(self) -> tuple[str, ...]:
        """The criterion keys."""
        return tuple(c.key for c in self.criteria)

    def potential(self, assessments: Sequence[Assessment]) -> Fraction | None:
        """Return one person's potential on the criteria's scale, or None when incomplete.

        Raises:
            ValidationError: An assessment of a criterion the model lacks, or a rating off the
                scale.
        """
        scale = self.criteria[0].scale
        ratings: dict[str, list[Fraction]] = {k: [] for k in self.keys}
        for j, a in enumerate(assessments):
            if not isinstance(a, Assessment):
                raise ValidationError(
                    f"assessments[{j}]: {show(a)} is not allowed; allowed: an Assessment",
                    field="assessments",
                    value=a,
                )
            if a.criterion not in ratings:
                raise ValidationError(
                    f"assessments[{j}].criterion: {a.criterion!r} is not allowed; allowed: "
                    f"{list(self.keys)}",
                    field="criterion",
                    value=a.criterion,
                )
            if (a.scale is not None and a.scale != scale) or not scale.contains(a.rating):
                raise ValidationError(
                    f"assessments[{j}].rating: {a.rating!r} is not allowed; allowed: a rating "
                    f"on the potential scale [{scale.low:g}, {scale.high:g}]",
                    field="rating",
                    value=a.rating,
                )
            ratings[a.criterion].append(Fraction(repr(a.rating)))
        if any(not r for r in ratings.values()):
            return None
        weights = {c.key: _exact_weight(c.weight) for c in self.criteria}
        total = sum(weights.values())
        return sum((weights[k] / total * sum(r) / len(r) for k, r in ratings.items()), Fraction(0))


def potentials(
    model: PotentialModel, assessments: Sequence[Sequence[Assessment]]
) -> tuple[Fraction | None, ...]:
    """Return every person's potential (None where not assessed), one per assessment list."""
    return tuple(model.potential(a) for a in assessments)


# -- the grid ------------------------------------------------------------------------------------


def _check_cuts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "performance_cuts":
        return
    tuple_of(Decimal)(instance, attribute, value)
    assert isinstance(value, tuple)
    if len(value) != 2:
        fail(instance, attribute, value, "expected two cut-offs, low/moderate and moderate/high")
    for cut in value:
        if not cut.is_finite() or abs(cut) > _MAX_CUT or len(cut.as_tuple().digits) > _CUT_DIGITS:
            fail(
                instance,
                attribute,
                cut,
                f"each cut-off is a finite Decimal within {_MAX_CUT:,} of 0 with at most "
                f"{_CUT_DIGITS} significant digits",
            )
    if not value[0] < value[1]:
        fail(instance, attribute, value, "the first cut-off must be below the second")


def _check_rating_levels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    tuple_of(tuple)(instance, attribute, value)
    assert isinstance(value, tuple)
    if len(value) != 3:
        fail(instance, attribute, value, "expected three tuples of ratings: low, moderate, high")
    seen: set[str] = set()
    for level in value:
        for rating in level:
            if not isinstance(rating, str) or not rating.strip():
                fail(instance, attribute, rating, "each rating is a non-empty string")
            non_empty(instance, attribute, rating)
            if rating in seen:
                fail(instance, attribute, rating, "each rating belongs to one level only")
            seen.add(rating)
    if not seen:
        fail(instance, attribute, value, "expected at least one rating")


def _to_levels(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(to_tuple(v) if isinstance(v, list) else v for v in value)
    return value


def _optional_tuple(value: Any) -> Any:
    return None if value is None else to_tuple(value)


@attrs.frozen(kw_only=True)
class NineBoxGrid:
    """The 3 x 3 grid's cut-offs.

    Performance is cut either by score (``performance_cuts``) or by rating label
    (``rating_levels``); give exactly one. A value exactly on a cut-off belongs to the level
    above it.

    Attributes:
        potential_cuts: The two potential cut-offs, on the potential scale.
        performance_cuts: The two score cut-offs, e.g. ``(Decimal(80), Decimal(100))``.
        rating_levels: The ratings of each performance level, lowest first, e.g.
            ``(("D", "C"), ("B",), ("A",))``.
    """

    potential_cuts: tuple[Decimal, Decimal] = attrs.field(converter=to_tuple, validator=_check_cuts)
    performance_cuts: tuple[Decimal, Decimal] | None = attrs.field(
        default=None,
        converter=_optional_tuple,
        validator=_check_cuts,
    )
    rating_levels: tuple[tuple[str, ...], ...] | None = attrs.field(
        default=None, converter=_to_levels, validator=_check_rating_levels
    )

    def __attrs_post_init__(self) -> None:
        if (self.performance_cuts is None) == (self.rating_levels is None):
            raise ValidationError(
                "NineBoxGrid.performance_cuts: give either performance_cuts (scores) or "
                "rating_levels (ratings), not both and not neither",
                field="performance_cuts",
                value=self.performance_cuts,
            )

    def performance_levels(self, performance: Sequence[object]) -> IntArray:
        """Return each person's performance level (0 to 2), -1 when not assessed."""
        if self.rating_levels is None:
            assert self.performance_cuts is not None
            return _levels(performance, self.performance_cuts, "performance")
        level_of = {r: k for k, level in enumerate(self.rating_levels) for r in level}
        out = np.empty(len(performance), dtype=np.int64)
        for i, rating in enumerate(performance):
            if rating is None:
                out[i] = -1
                continue
            k = level_of.get(rating) if isinstance(rating, str) else None
            if k is None:
                raise ValidationError(
                    f"performance[{i}]: {show(rating)} is not allowed; allowed: one of the "
                    f"grid's ratings {sorted(level_of)}, or None when not rated",
                    field="performance",
                    value=rating,
                )
            out[i] = k
        return out

    def potential_levels(self, potential: Sequence[object]) -> IntArray:
        """Return each person's potential level (0 to 2), -1 when not assessed."""
        return _levels(potential, self.potential_cuts, "potential")


@attrs.frozen(kw_only=True, eq=False)
class NineBoxPlacement:
    """A population on the grid.

    Attributes:
        subjects: One id per person.
        performance: int64 ``(N,)`` performance levels, 0 low to 2 high; -1 not assessed.
        potential: int64 ``(N,)`` potential levels; -1 not assessed.
        box: int64 ``(N,)`` box indexes ``3 x potential + performance``; -1 when either
            level is missing.
    """

    subjects: tuple[str, ...]
    performance: IntArray
    potential: IntArray
    box: IntArray

    # The stored form (NineBoxPlacementDocument, below): loading checks every box.
    __document_type__: ClassVar[type]

    def __len__(self) -> int:
        return len(self.subjects)

    def __to_document__(self) -> NineBoxPlacementDocument:
        """Return the stored form: the same fields."""
        return NineBoxPlacementDocument(**fields_of(self, NineBoxPlacementDocument))

    @classmethod
    def __from_document__(cls, doc: NineBoxPlacementDocument) -> NineBoxPlacement:
        """Rebuild a stored placement once every level is on the grid and every box matches."""
        n = len(doc.subjects)
        for name in ("performance", "potential", "box"):
            check_column(name, getattr(doc, name), n)
        for name in ("performance", "potential"):
            column: IntArray = getattr(doc, name)
            bad = np.flatnonzero((column < -1) | (column > 2)).tolist()
            if bad:
                raise refuse(
                    f"{name}[{bad[0]}]",
                    f"{int(column[bad[0]])} is not allowed; allowed: 0 (low), 1 (moderate), "
                    "2 (high) or -1 (not assessed)",
                )
        box = _box_index(doc.performance, doc.potential)
        why = "3 x potential + performance (-1 when either is -1)"
        check_recomputed("box", doc.box.tolist(), box.tolist(), why=why)
        return cls(**fields_of(doc, NineBoxPlacementDocument))

    def box_of(self, i: int) -> Box | None:
        """Return person ``i``'s box, or None when not assessed."""
        k = int(self.box[i])
        return None if k < 0 else _BOXES[k]

    def counts(self) -> IntArray:
        """Return int64 ``(3, 3)`` head counts, ``[potential, performance]``, low first."""
        placed = self.box[self.box >= 0]
        return np.bincount(placed, minlength=9).astype(np.int64).reshape(3, 3)

    def members(self, box: Box) -> tuple[str, ...]:
        """Return the ids of the people in ``box``."""
        return tuple(self.subjects[i] for i in np.flatnonzero(self.box == box.index).tolist())

    @property
    def unassessed(self) -> int:
        """How many people have no box."""
        return int((self.box < 0).sum())


def place(
    grid: NineBoxGrid,
    *,
    performance: Sequence[object],
    potential: Sequence[object],
    subjects: Sequence[str] | None = None,
) -> NineBoxPlacement:
    """Place a population on the grid.

    Args:
        grid: The cut-offs.
        performance: Scores (for ``performance_cuts``) or rating labels (for
            ``rating_levels``), one per person; None (or NaN) when not assessed. A float
            array is compared in one vectorised step.
        potential: Potentials on the potential scale (e.g. from :func:`potentials`); None
            when not assessed.
        subjects: One id per person; by default ``"0"``, ``"1"``, ...

    Returns:
        The placement.

    Raises:
        ValidationError: Columns of different lengths, a value that is not a number, or a
            rating the grid does not know.
    """
    n = len(performance)
    ids = tuple(str(i) for i in range(n)) if subjects is None else tuple(subjects)
    for name, column in (("potential", potential), ("subjects", ids)):
        if len(column) != n:
            raise ValidationError(
                f"{name}: {len(column)} values for {n} performances; allowed: one per person",
                field=name,
                value=len(column),
            )
    perf = grid.performance_levels(performance)
    pot = grid.potential_levels(potential)
    return NineBoxPlacement(
        subjects=ids, performance=perf, potential=pot, box=_box_index(perf, pot)
    )


def _box_index(perf: IntArray, pot: IntArray) -> IntArray:
    """Return each box index ``3 x potential + performance``; -1 when either level is -1."""
    return np.where((perf >= 0) & (pot >= 0), 3 * pot + perf, -1).astype(np.int64)


# -- movement ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class BoxMovement:
    """Who moved from which box to which between two cycles.

    Attributes:
        counts: int64 ``(9, 9)``: ``counts[a, b]`` people were in box index ``a`` before and
            ``b`` after (people placed in both cycles).
        joined: Ids placed after but not before (new, or not assessed before).
        left: Ids placed before but not after.
    """

    counts: IntArray
    joined: tuple[str, ...]
    left: tuple[str, ...]

    # The stored form (BoxMovementDocument, below): loading checks the 9 x 9 counts.
    __document_type__: ClassVar[type]

    def __to_document__(self) -> BoxMovementDocument:
        """Return the stored form: the same fields."""
        return BoxMovementDocument(**fields_of(self, BoxMovementDocument))

    @classmethod
    def __from_document__(cls, doc: BoxMovementDocument) -> BoxMovement:
        """Rebuild stored movement once its counts are a 9 x 9 table of head counts."""
        if doc.counts.shape != (9, 9):
            raise refuse(
                "counts",
                f"an array of shape {list(doc.counts.shape)} is not allowed; allowed: 9 rows "
                "of 9 head counts, from box index 0 (low/low) to 8 (star)",
            )
        bad = np.argwhere(doc.counts < 0).tolist()
        if bad:
            a, b = bad[0]
            raise refuse(
                f"counts[{a}][{b}]",
                f"{int(doc.counts[a, b])} is not allowed; allowed: a head count of 0 or more",
            )
        return cls(**fields_of(doc, BoxMovementDocument))

    def count(self, before: Box, after: Box) -> int:
        """Return how many moved from ``before`` to ``after`` (stayed, when equal)."""
        return int(self.counts[before.index, after.index])

    @property
    def matched(self) -> int:
        """How many people were placed in both cycles."""
        return int(self.counts.sum())

    @property
    def stayed(self) -> int:
        """How many stayed in their box."""
        return int(np.trace(self.counts))

    def moves(self) -> list[tuple[Box, Box, int]]:
        """Return every non-zero ``(from, to, count)``, stays included, in box order."""
        return [
            (_BOXES[a], _BOXES[b], int(self.counts[a, b]))
            for a, b in zip(*np.nonzero(self.counts), strict=True)
        ]


def movement(before: NineBoxPlacement, after: NineBoxPlacement) -> BoxMovement:
    """Count the moves between two cycles' placements, matching people by id.

    People are matched in one sorted pass over the ids (no per-person Python).

    Raises:
        ValidationError: An id appears twice in one placement.
    """
    ids = []
    for which, placement in (("before", before), ("after", after)):
        column = np.asarray(placement.subjects, dtype=str)
        ordered = column[np.argsort(column, kind="stable")]
        if (ordered[1:] == ordered[:-1]).any():
            raise ValidationError(
                f"{which}.subjects: an id repeats; allowed: one placement per person",
                field="subjects",
                value=len(placement.subjects),
            )
        ids.append(column[placement.box >= 0])
    b_ids, a_ids = ids
    b_box, a_box = before.box[before.box >= 0], after.box[after.box >= 0]
    counts = np.zeros((9, 9), dtype=np.int64)
    matched = np.zeros(b_ids.shape[0], dtype=bool)
    found = np.zeros(a_ids.shape[0], dtype=bool)
    if b_ids.shape[0]:
        order = np.argsort(b_ids, kind="stable")
        pos = np.minimum(np.searchsorted(b_ids[order], a_ids), b_ids.shape[0] - 1)
        found = b_ids[order][pos] == a_ids
        source = order[pos[found]]  # each matched person's position in b_ids
        np.add.at(counts, (b_box[source], a_box[found]), 1)
        matched[source] = True
    return BoxMovement(
        counts=counts,
        joined=tuple(a_ids[~found].tolist()),
        left=tuple(b_ids[~matched].tolist()),
    )


# -- the stored forms ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class NineBoxPlacementDocument:
    """The stored form of :class:`NineBoxPlacement`, checked on load.

    Written and read by :mod:`perfmgmt.serialization` in place of the placement. Loading
    refuses columns that are not one value per person, a level other than -1 to 2, and a box
    that is not ``3 x potential + performance``.
    """

    subjects: tuple[str, ...]
    performance: IntArray
    potential: IntArray
    box: IntArray


@attrs.frozen(kw_only=True, eq=False)
class BoxMovementDocument:
    """The stored form of :class:`BoxMovement`: the counts must be 9 x 9 head counts."""

    counts: IntArray
    joined: tuple[str, ...]
    left: tuple[str, ...]


NineBoxPlacement.__document_type__ = NineBoxPlacementDocument
BoxMovement.__document_type__ = BoxMovementDocument
