"""Review cycles: the period reviewed and the windows of its phases."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from perfmgmt.errors import ValidationError
from perfmgmt.model._checks import instance_of, integer, key, optional, tuple_of
from perfmgmt.model.common import Label

__all__ = ["Cycle", "CyclePlan", "Frequency", "Phase", "PhaseWindow"]


class Frequency(enum.Enum):
    """How often a scheme's cycles recur (the founding document: quarterly or half-yearly)."""

    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    ANNUAL = "annual"
    CUSTOM = "custom"


class Phase(enum.Enum):
    """The four phases of a cycle, in order."""

    GOAL_SETTING = "goal_setting"
    MID_TERM_CHECK = "mid_term_check"
    FINAL_EVALUATION = "final_evaluation"
    FEEDBACK_INTERVIEW = "feedback_interview"


@attrs.frozen(kw_only=True)
class PhaseWindow:
    """The dates (inclusive) during which a phase takes place.

    Attributes:
        phase: Which phase.
        start: First day of the window.
        end: Last day of the window (inclusive).
    """

    phase: Phase = attrs.field(validator=instance_of(Phase))
    start: dt.date = attrs.field(validator=instance_of(dt.date))
    end: dt.date = attrs.field(validator=instance_of(dt.date))

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"PhaseWindow({self.phase.value}).end: {self.end.isoformat()} is before start "
                f"{self.start.isoformat()}; the end must be on or after the start",
                field="end",
                value=self.end,
            )

    def contains(self, day: dt.date) -> bool:
        """Return whether ``day`` falls within the window."""
        return self.start <= day <= self.end


@attrs.frozen(kw_only=True)
class Cycle:
    """One review period, e.g. 2026 Q1, with its phase windows.

    Attributes:
        key: Identifier, e.g. ``"2026Q1"``.
        start: First day of the period.
        end: Last day of the period (inclusive).
        frequency: The recurrence this cycle belongs to.
        phases: Phase windows, at most one per phase, in phase order.
        label: Optional display label.
    """

    key: str = attrs.field(validator=key)
    start: dt.date = attrs.field(validator=instance_of(dt.date))
    end: dt.date = attrs.field(validator=instance_of(dt.date))
    frequency: Frequency = attrs.field(
        default=Frequency.QUARTERLY, validator=instance_of(Frequency)
    )
    phases: tuple[PhaseWindow, ...] = attrs.field(
        factory=tuple, converter=tuple, validator=tuple_of(PhaseWindow)
    )
    label: Label | None = attrs.field(default=None, validator=optional(instance_of(Label)))

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"Cycle {self.key!r}: end ({self.end.isoformat()}) is before start "
                f"({self.start.isoformat()}); the end must be on or after the start",
                field="end",
                value=self.end,
            )
        order = list(Phase)
        seen = [w.phase for w in self.phases]
        if len(set(seen)) != len(seen):
            raise ValidationError(
                f"Cycle {self.key!r}: phases {[p.value for p in seen]} repeat a phase; "
                "give at most one window per phase",
                field="phases",
                value=seen,
            )
        if seen != sorted(seen, key=order.index):
            raise ValidationError(
                f"Cycle {self.key!r}: phases {[p.value for p in seen]} are out of order; "
                f"expected the order {[p.value for p in order]}",
                field="phases",
                value=seen,
            )

    @property
    def days(self) -> int:
        """Number of calendar days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def window(self, phase: Phase) -> PhaseWindow | None:
        """Return the window of ``phase``, or None when the cycle has none."""
        for w in self.phases:
            if w.phase is phase:
                return w
        return None


@attrs.frozen(kw_only=True)
class CyclePlan:
    """How a scheme's cycles recur and where their phases fall.

    Attributes:
        frequency: Quarterly, half-yearly, annual, or custom.
        fiscal_year_start_month: Month (1-12) in which the fiscal year starts.
        rrule: For ``CUSTOM`` plans, an RFC 5545 recurrence rule (``FREQ=MONTHLY;INTERVAL=2``)
            giving the cycle start dates.
        goal_setting_days: Length of the goal-setting window from the cycle start.
        mid_term_days: Length of the mid-term check window, centred on the midpoint.
        evaluation_days: Length of the final-evaluation window, ending on the cycle end.
        evaluation_grace_days: Days after the cycle end the evaluation window extends.
        interview_days: Days after the evaluation window within which the interview happens.
    """

    frequency: Frequency = attrs.field(
        default=Frequency.QUARTERLY, validator=instance_of(Frequency)
    )
    fiscal_year_start_month: int = attrs.field(default=1, validator=integer(1))
    rrule: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    goal_setting_days: int = attrs.field(default=14, validator=integer(1))
    mid_term_days: int = attrs.field(default=7, validator=integer(1))
    evaluation_days: int = attrs.field(default=10, validator=integer(1))
    evaluation_grace_days: int = attrs.field(default=10, validator=integer(0))
    interview_days: int = attrs.field(default=14, validator=integer(1))

    def __attrs_post_init__(self) -> None:
        if self.fiscal_year_start_month > 12:
            raise ValidationError(
                f"CyclePlan.fiscal_year_start_month: {self.fiscal_year_start_month!r} is not "
                "allowed; expected a month number from 1 to 12",
                field="fiscal_year_start_month",
                value=self.fiscal_year_start_month,
            )
        if (self.frequency is Frequency.CUSTOM) != (self.rrule is not None):
            raise ValidationError(
                f"CyclePlan.rrule: {self.rrule!r} does not fit frequency "
                f"{self.frequency.value!r}; a rule is required for CUSTOM plans and only for them",
                field="rrule",
                value=self.rrule,
            )
