"""What lint considers sensible: thresholds, explicit tags and known ranges."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from perfmgmt._validate import fraction, integer
from perfmgmt.errors import ValidationError


def _tags(value: Mapping[str, Iterable[str]]) -> tuple[tuple[str, frozenset[str]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), frozenset(str(t) for t in v)) for k, v in items))


def _ranges(
    value: Mapping[str, tuple[float, float]],
) -> tuple[tuple[str, tuple[float, float]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), (float(lo), float(hi))) for k, (lo, hi) in items))


TAG_NAMES = frozenset({"speed", "quality", "cost", "satisfaction"})


def _check_tags(
    _instance: object,
    _attribute: attrs.Attribute[Any],
    value: tuple[tuple[str, frozenset[str]], ...],
) -> None:
    for kpi, tags in value:
        bad = sorted(tags - TAG_NAMES)
        if bad:
            raise ValidationError(
                f"LintConfig.tags[{kpi!r}]: {bad} not allowed; tags are {sorted(TAG_NAMES)}",
                field="tags",
                value=bad,
            )


def _check_ranges(
    _instance: object,
    attribute: attrs.Attribute[Any],
    value: tuple[tuple[str, tuple[float, float]], ...],
) -> None:
    for name, (lo, hi) in value:
        if math.isnan(lo) or math.isnan(hi) or not lo <= hi:
            raise ValidationError(
                f"LintConfig.{attribute.name}[{name!r}]: ({lo!r}, {hi!r}) is not allowed; "
                "give (low, high) with low <= high",
                field=attribute.name,
                value=(lo, hi),
            )


MAX_SAMPLES = 10_000  # bounded work: the scoring checks score about K * K populations this big


def _at_most(limit: int) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
        if isinstance(value, int) and value > limit:
            raise ValidationError(
                f"LintConfig.{attribute.name}: {value!r} is not allowed; use at most {limit}",
                field=attribute.name,
                value=value,
            )

    return check


@attrs.frozen(kw_only=True)
class LintConfig:
    """What lint considers sensible; every default is a stated judgement.

    Attributes:
        min_quantitative_share: Least measured share of the total (量化为主: 0.5).
        min_weight: Least nominal KPI weight in the quantitative part (5 %).
        max_weight: Most nominal KPI weight in the quantitative part (50 %).
        tags: Explicit counterweight tags per KPI key (``speed``, ``quality``, ``cost``,
            ``satisfaction``); a KPI listed here is not classified by heuristics.
        value_ranges: Possible actual values per KPI key, ``(low, high)``; overrides the
            unit-based guess of :func:`value_range`.
        score_ranges: Possible KPI scores per KPI key, ``(floor, cap)``; overrides
            :func:`score_range`.
        samples: Reviews generated for the checks that score (less data must not pay more,
            gates must not be escapable, weight must not move onto a KPI without data);
            0 turns those checks off. Up to 10,000.
        seed: Seed of the generated reviews: the same scheme, samples and seed always give
            the same findings.
    """

    min_quantitative_share: float = attrs.field(default=0.5, validator=fraction)
    min_weight: float = attrs.field(default=0.05, validator=fraction)
    max_weight: float = attrs.field(default=0.5, validator=fraction)
    tags: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        factory=tuple, converter=_tags, validator=_check_tags
    )
    value_ranges: tuple[tuple[str, tuple[float, float]], ...] = attrs.field(
        factory=tuple, converter=_ranges, validator=_check_ranges
    )
    score_ranges: tuple[tuple[str, tuple[float, float]], ...] = attrs.field(
        factory=tuple, converter=_ranges, validator=_check_ranges
    )
    samples: int = attrs.field(default=200, validator=[integer(0), _at_most(MAX_SAMPLES)])
    seed: int = attrs.field(default=0, validator=integer(0))

    def __attrs_post_init__(self) -> None:
        if self.min_weight > self.max_weight:
            raise ValidationError(
                f"LintConfig.min_weight: {self.min_weight!r} must not exceed max_weight "
                f"({self.max_weight!r})",
                field="min_weight",
                value=self.min_weight,
            )
