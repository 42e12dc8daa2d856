"""Missing-data policy of a scheme: what a review with holes in its data gets.

A KPI's own ``missing`` policy (:class:`~perfmgmt.model.kpi.MissingPolicy`) says what a hole in
that KPI means. :class:`MissingData` holds the scheme-wide rules that keep those policies from
being gamed: how much of the quantitative weight must be measured for a review to be rated, how
a sample below ``min_sample`` is scored, and what a gate does when its KPI has no data.

The defaults are chosen so that, with KPIs under the policies ``EXCLUDE`` (the default) or
``ZERO``, **less data never pays more**: turning a measured KPI into a missing one, or into one
with a sample below its minimum, never raises a review's total, rating or money; at most it
leaves the review unrated and flagged for HR, with no automatic reward or penalty. The
"Missing data" explanation page states and tests this invariant.
"""

from __future__ import annotations

import enum

import attrs

from perfmgmt._validate import fraction, instance_of

__all__ = ["GateWithoutData", "MissingData", "SmallSample"]


class SmallSample(enum.Enum):
    """How a KPI value from fewer samples than the KPI's ``min_sample`` is scored.

    ``CAP_AT_TARGET`` (default): scored on its actual, but never above 100 (the score on
    target), and its gate is judged on the actual — a small sample can cost a review as much
    as a large one but cannot earn it more. ``AS_MISSING``: treated like a missing actual, so
    the KPI's ``missing`` policy applies (with ``REALLOCATE`` this lets a manager drop a bad
    KPI by collecting fewer samples; lint warns).
    """

    CAP_AT_TARGET = "cap_at_target"
    AS_MISSING = "as_missing"


class GateWithoutData(enum.Enum):
    """What a gate does when its KPI has no usable actual.

    ``APPLY`` (default): the gate is applied as if it fired (conservative: a gate only lowers).
    ``HOLD``: the review is not rated and is flagged for a person to resolve. A gate is never
    silently skipped.
    """

    APPLY = "apply"
    HOLD = "hold"


@attrs.frozen(kw_only=True)
class MissingData:
    """A scheme's rules for reviews with missing or thin data.

    Attributes:
        min_measured_share: The share of the nominal quantitative weight that must be measured
            (KPIs scored on their own actual) for a review to be rated; below it the review is
            not rated and carries :attr:`ReviewFlag.TOO_LITTLE_DATA`, rather than being rated
            on scraps or on zeros. Between 0 and 1; default 0.5.
        small_sample: How a value below its KPI's ``min_sample`` is scored.
        gate_without_data: What a gate does when its KPI has no usable actual.
    """

    min_measured_share: float = attrs.field(default=0.5, validator=fraction)
    small_sample: SmallSample = attrs.field(
        default=SmallSample.CAP_AT_TARGET, validator=instance_of(SmallSample)
    )
    gate_without_data: GateWithoutData = attrs.field(
        default=GateWithoutData.APPLY, validator=instance_of(GateWithoutData)
    )
