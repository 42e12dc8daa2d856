"""Schemes (方案): KPIs by category, qualitative criteria, the blend, rating scale and rules."""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Iterable, Sequence
from typing import TypeVar

import attrs

from perfmgmt._validate import (
    finite,
    fraction,
    instance_of,
    integer,
    key,
    non_empty,
    non_negative,
    optional,
    show,
    to_number,
    to_number_or_none,
    to_tuple,
    tuple_of,
    unique_keys,
)
from perfmgmt.errors import SchemeError, ValidationError
from perfmgmt.model._canonical import content_hash
from perfmgmt.model._display import scheme_html, scheme_repr
from perfmgmt.model.common import Label
from perfmgmt.model.cycle import CyclePlan
from perfmgmt.model.incentive import DecisionTable, IncentiveRule
from perfmgmt.model.kpi import KPI
from perfmgmt.model.missing import MissingData

__all__ = [
    "WEIGHT_TOLERANCE",
    "AssessmentSource",
    "Band",
    "Category",
    "QualitativeCriterion",
    "RatingScale",
    "Scale",
    "Scheme",
    "SourcePolicy",
    "normalise_weights",
]

_Weighted = TypeVar("_Weighted", "Category", KPI, "QualitativeCriterion", "SourcePolicy")

WEIGHT_TOLERANCE = 1e-9
"""Weights that must sum to 1 may be off by at most this much."""


class AssessmentSource(enum.Enum):
    """Who gives a qualitative assessment (360° sources)."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    UPWARD = "upward"
    CUSTOMER = "customer"


@attrs.frozen(kw_only=True)
class Scale:
    """A numeric rating scale for qualitative assessments, e.g. 1 to 5.

    Ratings are mapped to the score scale so that ``target`` scores 100:
    ``score = 100 * (rating - low) / (target - low)``. With the default ``target = high`` the
    best rating scores 100; with ``target=4`` on a 1-5 scale, a 5 scores 133.3.

    Attributes:
        low: Lowest rating.
        high: Highest rating.
        target: Rating that counts as "meets expectations" (score 100); defaults to ``high``.
    """

    low: float = attrs.field(converter=to_number, default=1.0, validator=finite)
    high: float = attrs.field(converter=to_number, default=5.0, validator=finite)
    target: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=optional(finite)
    )

    def __attrs_post_init__(self) -> None:
        if not self.high > self.low:
            raise ValidationError(
                f"Scale.high: {self.high!r} must be above low ({self.low!r})",
                field="high",
                value=self.high,
            )
        if self.target is not None and not self.low < self.target <= self.high:
            raise ValidationError(
                f"Scale.target: {self.target!r} must lie in (low, high] = ({self.low!r}, "
                f"{self.high!r}]; move the target or the scale's ends",
                field="target",
                value=self.target,
            )

    @property
    def target_rating(self) -> float:
        """The rating that scores 100."""
        return self.high if self.target is None else self.target

    def contains(self, rating: float) -> bool:
        """Return whether ``rating`` is on this scale."""
        return self.low <= rating <= self.high


@attrs.frozen(kw_only=True)
class Band:
    """One band of a rating scale: scores in ``[lower, upper)`` get ``label``.

    The top band of a scale also includes its upper boundary.

    Attributes:
        label: The rating, e.g. ``"A"``.
        lower: Inclusive lower boundary on the score scale.
        upper: Exclusive upper boundary (inclusive for the top band).
        name: Optional descriptive label, e.g. Outstanding / 卓越.
        guideline_share: Target share of people in this band for guided distribution.
    """

    label: str = attrs.field(validator=non_empty)
    lower: float = attrs.field(converter=to_number, validator=finite)
    upper: float = attrs.field(converter=to_number, validator=finite)
    name: Label | None = attrs.field(default=None, validator=optional(instance_of(Label)))
    guideline_share: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=optional(fraction)
    )

    def __attrs_post_init__(self) -> None:
        if not self.upper > self.lower:
            raise ValidationError(
                f"Band {self.label!r}: upper ({self.upper!r}) must be above lower ({self.lower!r})",
                field="upper",
                value=self.upper,
            )


def _sorted_bands(bands: Iterable[Band]) -> tuple[Band, ...]:
    items = to_tuple(bands)
    if isinstance(items, tuple) and all(isinstance(b, Band) for b in items):
        return tuple(sorted(items, key=lambda b: b.lower))
    return items  # the validator reports the offending item


@attrs.frozen(kw_only=True)
class RatingScale:
    """Rating bands that partition the score range with no gap and no overlap.

    Bands are half-open ``[lower, upper)``, the top band closed at its upper end; they are
    stored lowest first whatever order they are given in.

    Attributes:
        bands: The bands; at least two.
    """

    bands: tuple[Band, ...] = attrs.field(converter=_sorted_bands, validator=tuple_of(Band))

    def __attrs_post_init__(self) -> None:
        if len(self.bands) < 2:
            raise ValidationError(
                f"RatingScale.bands: {len(self.bands)} band(s) given; a scale needs at least two",
                field="bands",
                value=self.bands,
            )
        labels = [b.label for b in self.bands]
        if len(set(labels)) != len(labels):
            raise ValidationError(
                f"RatingScale.bands: labels {labels} repeat; each band needs its own label",
                field="bands",
                value=labels,
            )
        for lo, hi in zip(self.bands, self.bands[1:], strict=False):
            if lo.upper != hi.lower:
                kind = "a gap" if lo.upper < hi.lower else "an overlap"
                raise ValidationError(
                    f"RatingScale.bands: {kind} between band {lo.label!r} [{lo.lower:g}, "
                    f"{lo.upper:g}) and band {hi.label!r} [{hi.lower:g}, {hi.upper:g}); "
                    "each band must start where the one below ends",
                    field="bands",
                    value=(lo.label, hi.label),
                )
        shares = [b.guideline_share for b in self.bands]
        if any(s is not None for s in shares):
            if any(s is None for s in shares):
                raise ValidationError(
                    "RatingScale.bands: guideline_share is given for some bands but not all; "
                    "give it for every band or for none",
                    field="guideline_share",
                    value=shares,
                )
            total = math.fsum(s for s in shares if s is not None)
            if abs(total - 1.0) > WEIGHT_TOLERANCE:
                raise ValidationError(
                    f"RatingScale.bands: guideline shares sum to {total!r}; they must sum to 1",
                    field="guideline_share",
                    value=shares,
                )

    @property
    def low(self) -> float:
        """Lowest score on the scale."""
        return self.bands[0].lower

    @property
    def high(self) -> float:
        """Highest score on the scale (included in the top band)."""
        return self.bands[-1].upper

    @property
    def labels(self) -> tuple[str, ...]:
        """Band labels, lowest first."""
        return tuple(b.label for b in self.bands)

    @property
    def edges(self) -> tuple[float, ...]:
        """Inner boundaries between bands, ascending (for ``numpy.searchsorted``)."""
        return tuple(b.lower for b in self.bands[1:])

    def band_for(self, score: float) -> Band:
        """Return the band containing ``score``.

        Raises:
            ValidationError: When the score is NaN or outside ``[low, high]``.
        """
        if (
            not isinstance(score, int | float)
            or isinstance(score, bool)
            or (isinstance(score, float) and not math.isfinite(score))
            or not self.low <= score <= self.high
        ):
            raise ValidationError(
                f"RatingScale: score {show(score)} is outside the scale "
                f"[{self.low:g}, {self.high:g}]; expected a number from {self.low:g} to "
                f"{self.high:g}",
                field="score",
                value=score,
            )
        for band in reversed(self.bands):
            if score >= band.lower:
                return band
        raise AssertionError("unreachable: score >= low")  # pragma: no cover

    def band(self, label: str) -> Band:
        """Return the band labelled ``label``."""
        for b in self.bands:
            if b.label == label:
                return b
        raise ValidationError(
            f"RatingScale: no band {show(label)}; the bands are {list(self.labels)}",
            field="label",
            value=label,
        )


@attrs.frozen(kw_only=True)
class Category:
    """A KPI category (KPI类别) with its weight in the quantitative part.

    Attributes:
        key: Identifier, e.g. ``"satisfaction"``.
        label: English and Chinese names.
        weight: Share of the quantitative part; category weights sum to 1.
    """

    key: str = attrs.field(validator=key)
    label: Label = attrs.field(validator=instance_of(Label))
    weight: float = attrs.field(converter=to_number, validator=non_negative)


@attrs.frozen(kw_only=True)
class QualitativeCriterion:
    """A judged criterion such as work attitude (工作态度) or teamwork (团队协作).

    Attributes:
        key: Identifier.
        label: English and Chinese names.
        weight: Share of the qualitative part; criteria weights sum to 1.
        scale: The rating scale assessors use.
        description: What assessors should look for.
    """

    key: str = attrs.field(validator=key)
    label: Label = attrs.field(validator=instance_of(Label))
    weight: float = attrs.field(converter=to_number, validator=non_negative)
    scale: Scale = attrs.field(factory=Scale, validator=instance_of(Scale))
    description: str = attrs.field(default="", validator=instance_of(str))


@attrs.frozen(kw_only=True)
class SourcePolicy:
    """How much one assessment source counts, and how many raters it needs.

    Attributes:
        source: The source.
        weight: Share of the qualitative part; source weights sum to 1.
        min_raters: Fewer raters than this and the source is left out (its weight reallocated).
    """

    source: AssessmentSource = attrs.field(validator=instance_of(AssessmentSource))
    weight: float = attrs.field(converter=to_number, validator=non_negative)
    min_raters: int = attrs.field(default=1, validator=integer(1))

    @property
    def key(self) -> str:
        """The source's value, used for uniqueness checks."""
        return self.source.value


def _check_sum(what: str, weights: Sequence[float]) -> None:
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise SchemeError(
            f"{what}: weights {list(weights)} sum to {total!r}; they must sum to 1 "
            "(rescale them with perfmgmt.normalise_weights(...))",
            field=what,
            value=total,
        )


@attrs.frozen(kw_only=True)
class Scheme:
    """A performance management scheme (绩效管理方案).

    Attributes:
        key: Identifier.
        version: Version string chosen by the scheme's owner.
        label: English and Chinese names.
        categories: KPI categories with their weights (summing to 1).
        kpis: The KPIs; each category's KPI weights sum to 1.
        criteria: Qualitative criteria (weights summing to 1), possibly none.
        sources: Assessment sources with weights (summing to 1) and minimum raters.
        quantitative_share: Share of the quantitative part in the total (量化为主: default 0.7);
            must be 1 when there are no criteria.
        rating_scale: The rating bands.
        rules: Incentive and penalty rules.
        tables: Decision tables.
        cycle_plan: How cycles recur, when known.
        min_eligible_days: Below this many eligible days in a cycle a review is not rated.
        missing_data: The rules for reviews with missing or thin data (minimum measured
            share, small samples, gates without data).
        description: Free text.
    """

    key: str = attrs.field(validator=key)
    version: str = attrs.field(validator=non_empty)
    label: Label = attrs.field(validator=instance_of(Label))
    categories: tuple[Category, ...] = attrs.field(
        converter=to_tuple, validator=[tuple_of(Category), unique_keys]
    )
    kpis: tuple[KPI, ...] = attrs.field(converter=to_tuple, validator=[tuple_of(KPI), unique_keys])
    rating_scale: RatingScale = attrs.field(validator=instance_of(RatingScale))
    criteria: tuple[QualitativeCriterion, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=[tuple_of(QualitativeCriterion), unique_keys]
    )
    sources: tuple[SourcePolicy, ...] = attrs.field(
        default=(SourcePolicy(source=AssessmentSource.MANAGER, weight=1.0),),
        converter=to_tuple,
        validator=[tuple_of(SourcePolicy), unique_keys],
    )
    quantitative_share: float = attrs.field(converter=to_number, default=0.7, validator=fraction)
    rules: tuple[IncentiveRule, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=[tuple_of(IncentiveRule), unique_keys]
    )
    tables: tuple[DecisionTable, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=[tuple_of(DecisionTable), unique_keys]
    )
    cycle_plan: CyclePlan | None = attrs.field(
        default=None, validator=optional(instance_of(CyclePlan))
    )
    min_eligible_days: int = attrs.field(default=0, validator=integer(0))
    missing_data: MissingData = attrs.field(factory=MissingData, validator=instance_of(MissingData))
    description: str = attrs.field(default="", validator=instance_of(str))

    def __attrs_post_init__(self) -> None:
        if not self.kpis:
            raise SchemeError(
                f"Scheme {self.key!r}: kpis is empty; a scheme needs at least one KPI",
                field="kpis",
                value=(),
            )
        cats = {c.key for c in self.categories}
        for kpi in self.kpis:
            if kpi.category not in cats:
                raise SchemeError(
                    f"Scheme {self.key!r}: KPI {kpi.key!r} is in category {kpi.category!r}, "
                    f"which is not one of the scheme's categories {sorted(cats)}",
                    field="kpis",
                    value=kpi.category,
                )
        _check_sum(f"Scheme {self.key!r}: categories", [c.weight for c in self.categories])
        for cat in self.categories:
            members = [k.weight for k in self.kpis if k.category == cat.key]
            if not members:
                raise SchemeError(
                    f"Scheme {self.key!r}: category {cat.key!r} has no KPIs; remove it or add one",
                    field="categories",
                    value=cat.key,
                )
            _check_sum(f"Scheme {self.key!r}: KPIs of category {cat.key!r}", members)
        if self.criteria:
            _check_sum(f"Scheme {self.key!r}: criteria", [c.weight for c in self.criteria])
            _check_sum(f"Scheme {self.key!r}: sources", [s.weight for s in self.sources])
        elif self.quantitative_share != 1.0:
            raise SchemeError(
                f"Scheme {self.key!r}: quantitative_share ({self.quantitative_share!r}) must be "
                "1.0 when the scheme has no qualitative criteria",
                field="quantitative_share",
                value=self.quantitative_share,
            )
        names = [r.key for r in self.rules] + [t.key for t in self.tables]
        if len(set(names)) != len(names):
            raise SchemeError(
                f"Scheme {self.key!r}: rule and table keys {names} repeat; each must be unique",
                field="rules",
                value=names,
            )

    @functools.cached_property
    def content_hash(self) -> str:
        """A stable hash of the scheme's whole content: ``sha256:<hex>``.

        The same content gives the same hash in every process and on every machine.
        """
        return content_hash(self)

    @property
    def kpi_keys(self) -> tuple[str, ...]:
        """KPI keys in scheme order."""
        return tuple(k.key for k in self.kpis)

    @property
    def category_keys(self) -> tuple[str, ...]:
        """Category keys in scheme order."""
        return tuple(c.key for c in self.categories)

    def kpi(self, key: str) -> KPI:
        """Return the KPI with ``key``."""
        for k in self.kpis:
            if k.key == key:
                return k
        raise SchemeError(
            f"Scheme {self.key!r}: no KPI {show(key)}; the KPIs are {list(self.kpi_keys)}",
            field="kpi",
            value=key,
        )

    def category(self, key: str) -> Category:
        """Return the category with ``key``."""
        for c in self.categories:
            if c.key == key:
                return c
        raise SchemeError(
            f"Scheme {self.key!r}: no category {show(key)}; the categories are "
            f"{list(self.category_keys)}",
            field="category",
            value=key,
        )

    def nominal_weights(self) -> dict[str, float]:
        """Return each KPI's weight in the quantitative part: category weight x KPI weight."""
        cat = {c.key: c.weight for c in self.categories}
        return {k.key: cat[k.category] * k.weight for k in self.kpis}

    def __repr__(self) -> str:
        return scheme_repr(self)

    def _repr_html_(self) -> str:
        return scheme_html(self)


def _rescale(weights: Sequence[float], what: str) -> list[float]:
    total = math.fsum(weights)
    if not total > 0:
        raise SchemeError(
            f"{what}: weights {list(weights)} sum to {total!r}; at least one must be positive "
            "to rescale",
            field="weight",
            value=total,
        )
    return [w / total for w in weights]


def normalise_weights(items: Iterable[_Weighted]) -> tuple[_Weighted, ...]:
    """Return ``items`` with their weights rescaled to sum to 1.

    Works on categories, criteria and sources; KPIs are rescaled within each category. Use it
    when weights were typed as percentages or points::

        categories = normalise_weights([Category(key="a", ..., weight=30), ...])

    Raises:
        SchemeError: When a group's weights sum to zero.
    """
    given = to_tuple(items)
    if not isinstance(given, tuple):
        raise SchemeError(
            f"normalise_weights: {show(items)} is not allowed; expected a sequence of "
            "categories, KPIs, criteria or sources",
            field="items",
            value=items,
        )
    for i, item in enumerate(given):
        if not isinstance(item, Category | KPI | QualitativeCriterion | SourcePolicy):
            raise SchemeError(
                f"normalise_weights: items[{i}] {show(item)} is not allowed; expected a "
                "Category, KPI, QualitativeCriterion or SourcePolicy",
                field="items",
                value=item,
            )
    out = list(given)
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(out):
        group = item.category if isinstance(item, KPI) else ""
        groups.setdefault(group, []).append(i)
    for group, idx in groups.items():
        what = f"KPIs of category {group!r}" if group else "weights"
        ws = _rescale([out[i].weight for i in idx], what)
        for i, w in zip(idx, ws, strict=True):
            out[i] = attrs.evolve(out[i], weight=w)
    return tuple(out)
