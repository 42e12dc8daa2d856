"""KPIs: indicators used in a scheme, with weight, targets, scoring and data policies."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from perfmgmt._validate import (
    check_number,
    check_text,
    finite,
    finite_or_none,
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
)
from perfmgmt.errors import ValidationError
from perfmgmt.model.indicator import Direction, Indicator

__all__ = [
    "KPI",
    "Gate",
    "GateEffect",
    "MissingPolicy",
    "ParamValue",
    "ScoringSpec",
]

ParamValue: TypeAlias = float | str | bool | tuple[float, ...]


class MissingPolicy(enum.Enum):
    """What to do when a KPI has no actual, or fewer samples than its minimum.

    ``EXCLUDE`` (the default) leaves the whole review unrated and flagged, for a person to
    resolve; ``ZERO`` scores it 0 ("no data" means "not done"); ``REALLOCATE`` spreads the
    KPI's weight over the measured KPIs in proportion to their weights — the fair mean of what
    was measured, but one a manager can raise by hiding a bad KPI, so lint warns about it.
    """

    REALLOCATE = "reallocate"
    ZERO = "zero"
    EXCLUDE = "exclude"


class GateEffect(enum.Enum):
    """What a failed gate does to the quantitative total."""

    ZERO = "zero"
    CAP = "cap"


MAX_PARAM_ITEMS = 1_000
"""The most numbers a list parameter of a scorer (band edges, scores) may hold."""


def _normalise_param(name: str, value: object) -> ParamValue:
    where = f"ScoringSpec.params[{name!r}]"
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return check_text(value, where)
    if isinstance(value, int | float):
        # -0.0 + 0.0 is 0.0: equal parameters are stored (and hashed) alike.
        return float(check_number(value, where)) + 0.0
    if isinstance(value, list | tuple):
        if len(value) > MAX_PARAM_ITEMS:
            raise ValidationError(
                f"{where}: a list of {len(value)} items is not allowed; lists are limited to "
                f"{MAX_PARAM_ITEMS} numbers",
                field="params",
                value=len(value),
            )
        return tuple(float(check_number(v, f"{where}[{i}]")) + 0.0 for i, v in enumerate(value))
    raise ValidationError(
        f"{where}: {show(value)} is not allowed; expected a number, text, boolean or a list of "
        "numbers",
        field="params",
        value=value,
    )


def _params(
    value: Mapping[str, Any] | tuple[tuple[str, Any], ...],
) -> tuple[tuple[str, ParamValue], ...]:
    if isinstance(value, Mapping):
        items: Any = tuple(value.items())
    else:
        items = to_tuple(value)
    if not isinstance(items, tuple) or not all(
        isinstance(p, tuple | list) and len(p) == 2 for p in items
    ):
        raise ValidationError(
            f"ScoringSpec.params: {show(value)} is not allowed; expected a mapping of parameter "
            "names to values",
            field="params",
            value=value,
        )
    out = {}
    for name, v in items:
        if not isinstance(name, str) or not name:
            raise ValidationError(
                f"ScoringSpec.params: parameter name {show(name)} must be a non-empty string",
                field="params",
                value=name,
            )
        check_text(name, "ScoringSpec.params")
        out[name] = _normalise_param(name, v)
    return tuple(sorted(out.items()))


@attrs.frozen(kw_only=True)
class ScoringSpec:
    """How a KPI is scored: the name of a registered scorer and its parameters.

    The model only names the scorer; the scoring engine resolves the name in its registry.

    Attributes:
        scorer: Registered scorer name, e.g. ``"linear"``, ``"banded"``, ``"ratio"``.
        params: Scorer parameters (numbers, text, booleans or tuples of numbers), stored sorted
            by name as ``(name, value)`` pairs so the spec stays immutable; pass a dict.
    """

    scorer: str = attrs.field(validator=non_empty)
    params: tuple[tuple[str, ParamValue], ...] = attrs.field(factory=tuple, converter=_params)

    def as_dict(self) -> dict[str, ParamValue]:
        """Return the parameters as a new dict."""
        return dict(self.params)

    def get(self, name: str, default: ParamValue | None = None) -> ParamValue | None:
        """Return parameter ``name`` or ``default``."""
        return dict(self.params).get(name, default)


@attrs.frozen(kw_only=True)
class Gate:
    """A floor on one KPI that limits the quantitative total when missed.

    A gate is missed when the actual is on the wrong side of ``threshold`` for the indicator's
    direction (below it when higher is better, above it when lower is better).

    Attributes:
        threshold: The gate value, in the indicator's unit.
        effect: What a missed gate does to the quantitative total Q: ``CAP`` lowers it to
            ``min(Q, cap)``, ``ZERO`` to ``min(Q, 0)`` (0 for any Q >= 0). A gate only ever
            lowers: a total already below the cap stays as it is.
        cap: The cap for ``CAP`` gates, on the score scale (100 = on target).
    """

    threshold: float = attrs.field(converter=to_number, validator=finite)
    effect: GateEffect = attrs.field(default=GateEffect.CAP, validator=instance_of(GateEffect))
    cap: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )

    def __attrs_post_init__(self) -> None:
        if self.effect is GateEffect.CAP and self.cap is None:
            raise ValidationError(
                "Gate.cap: None is not allowed for a CAP gate; give the cap on the score scale "
                "(e.g. cap=80.0), or use effect=GateEffect.ZERO",
                field="cap",
                value=None,
            )
        if self.effect is GateEffect.ZERO and self.cap is not None:
            raise ValidationError(
                f"Gate.cap: {self.cap!r} is not allowed for a ZERO gate; leave cap as None",
                field="cap",
                value=self.cap,
            )


def _check_order(kpi: KPI) -> None:
    direction = kpi.indicator.direction
    t, g, s = kpi.threshold, kpi.target, kpi.stretch
    name = f"KPI {kpi.key!r}"
    if direction is Direction.TARGET_IS_BEST:
        for field, value in (("threshold", t), ("stretch", s)):
            if value is not None:
                raise ValidationError(
                    f"{name}: {field} ({value!r}) is not used for a target-is-best indicator; "
                    "leave it None and give the tolerance band in the scorer's parameters",
                    field=field,
                    value=value,
                )
        return
    higher = direction is Direction.HIGHER_IS_BETTER
    word, rel = ("above", "higher") if higher else ("below", "lower")
    pairs = (
        ("threshold", t, "target", g),
        ("target", g, "stretch", s),
        ("threshold", t, "stretch", s),
    )
    for lo_name, lo, hi_name, hi in pairs:
        if lo is None or hi is None:
            continue
        ok = hi > lo if higher else hi < lo
        if not ok:
            raise ValidationError(
                f"{name}: {hi_name} ({hi!r}) must be {word} {lo_name} ({lo!r}) for a "
                f"{rel}-is-better indicator",
                field=hi_name,
                value=hi,
            )


@attrs.frozen(kw_only=True)
class KPI:
    """An indicator used in a scheme: its category, weight, targets and scoring.

    Attributes:
        indicator: What is measured.
        category: Key of the scheme category the KPI belongs to.
        weight: Weight within its category; a category's KPI weights sum to 1.
        scoring: The scorer and its parameters.
        threshold: Default minimum acceptable value (payout starts here).
        target: Default target value (score 100).
        stretch: Default stretch value (score at its cap).
        gate: Optional gate on this KPI.
        min_sample: Minimum sample size for the actual to count in full; below it the KPI
            has insufficient data and the scheme's ``missing_data.small_sample`` applies.
        missing: What to do with a missing actual (default ``EXCLUDE``: the review is not
            rated and is flagged for a person to resolve, so a hole can neither punish nor
            reward).
    """

    indicator: Indicator = attrs.field(validator=instance_of(Indicator))
    category: str = attrs.field(validator=key)
    weight: float = attrs.field(converter=to_number, validator=non_negative)
    scoring: ScoringSpec = attrs.field(validator=instance_of(ScoringSpec))
    threshold: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    target: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    stretch: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    gate: Gate | None = attrs.field(default=None, validator=optional(instance_of(Gate)))
    min_sample: int = attrs.field(default=0, validator=integer(0))
    missing: MissingPolicy = attrs.field(
        default=MissingPolicy.EXCLUDE, validator=instance_of(MissingPolicy)
    )

    def __attrs_post_init__(self) -> None:
        _check_order(self)
        if self.gate is not None and self.indicator.direction is Direction.TARGET_IS_BEST:
            raise ValidationError(
                f"KPI {self.key!r}: gate is not allowed on a target-is-best indicator (a gate "
                "needs a wrong side; target-is-best has two); use the target_band scorer's "
                "fall-off instead",
                field="gate",
                value=self.gate,
            )

    @property
    def key(self) -> str:
        """The indicator's key, which is also the KPI's key."""
        return self.indicator.key
