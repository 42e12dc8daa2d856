"""Feedback interviews and development plans (绩效改进与发展规划)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from perfmgmt._validate import (
    finite,
    instance_of,
    integer,
    non_empty,
    optional,
    to_number,
    to_tuple,
    tuple_of,
    unique_keys,
)
from perfmgmt._validate import key as valid_key
from perfmgmt.errors import ValidationError
from perfmgmt.model._display import development_plan_html, development_plan_repr

__all__ = [
    "ActionKind",
    "ActionStatus",
    "DevelopmentAction",
    "DevelopmentPlan",
    "DevelopmentPolicy",
    "Interview",
    "SkillLink",
    "SkillMap",
    "TriggerWhen",
    "WellbeingTrigger",
]


def _strings(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return to_tuple(value)


class ActionKind(enum.Enum):
    """Kinds of development action named by the founding document."""

    SKILL_TRAINING = "skill_training"
    """Training for a knowledge or skill gap (技能提升)."""
    CAREER_STEP = "career_step"
    """A step on the career path (职业发展)."""
    WELLBEING_SUPPORT = "wellbeing_support"
    """Psychological support and counselling (心理辅导)."""
    IMPROVEMENT = "improvement"
    """Any other agreed improvement action (改进计划)."""


class ActionStatus(enum.Enum):
    """Where a development action stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Whether the action still needs doing (planned or in progress)."""
        return self in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


@attrs.frozen(kw_only=True)
class DevelopmentAction:
    """One action of a development plan.

    Attributes:
        key: Identifier within the plan.
        kind: Skill training, career step, wellbeing support or other improvement.
        description: What will be done.
        kpi: Key of the KPI the action addresses, if any.
        skill: The skill the action builds, if any.
        owner: Who is responsible (an id).
        due: Due date, if any.
        status: Where it stands.
        confidential: Whether the action is a wellbeing or disciplinary note that only HR and
            the employee may see; :func:`perfmgmt.workflow.redact` removes it for every other
            audience.
    """

    key: str = attrs.field(validator=valid_key)
    kind: ActionKind = attrs.field(validator=instance_of(ActionKind))
    description: str = attrs.field(validator=non_empty)
    owner: str = attrs.field(validator=non_empty)
    kpi: str | None = attrs.field(default=None, validator=optional(valid_key))
    skill: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    due: dt.date | None = attrs.field(default=None, validator=optional(instance_of(dt.date)))
    status: ActionStatus = attrs.field(
        default=ActionStatus.PLANNED, validator=instance_of(ActionStatus)
    )
    confidential: bool = attrs.field(default=False, validator=instance_of(bool))


@attrs.frozen(kw_only=True)
class DevelopmentPlan:
    """A person's development plan, usually agreed in the feedback interview.

    Attributes:
        subject_id: Whose plan it is.
        review: Key of the review it came from (``"<subject>@<cycle>"``), if any.
        actions: The actions, with unique keys.
    """

    subject_id: str = attrs.field(validator=non_empty)
    review: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    actions: tuple[DevelopmentAction, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=[tuple_of(DevelopmentAction), unique_keys]
    )

    @property
    def open_actions(self) -> tuple[DevelopmentAction, ...]:
        """Actions still planned or in progress."""
        return tuple(a for a in self.actions if a.status.is_open)

    def __repr__(self) -> str:
        return development_plan_repr(self)

    def _repr_html_(self) -> str:
        return development_plan_html(self)


@attrs.frozen(kw_only=True)
class Interview:
    """The one-on-one feedback interview (反馈与面谈).

    Attributes:
        on: Date of the interview.
        interviewer: Who held it (an id).
        strengths: Strengths acknowledged (肯定成绩).
        gaps: Gaps pointed out (指出不足).
        agreed_actions: Actions agreed together (共同制定改进计划).
        employee_comment: The employee's own comment.
    """

    on: dt.date = attrs.field(validator=instance_of(dt.date))
    interviewer: str = attrs.field(validator=non_empty)
    strengths: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_strings, validator=tuple_of(str)
    )
    gaps: tuple[str, ...] = attrs.field(factory=tuple, converter=_strings, validator=tuple_of(str))
    agreed_actions: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_strings, validator=tuple_of(str)
    )
    employee_comment: str = attrs.field(default="", validator=instance_of(str))


@attrs.frozen(kw_only=True)
class SkillLink:
    """Which skill training closes a gap on one KPI.

    Attributes:
        kpi: Key of the KPI.
        skill: The skill behind it, e.g. ``"de-escalation"``.
        training: The training to suggest, e.g. ``"Complaint handling workshop"``.
        below_score: Suggest the training when the KPI scores below this (100 = on target).
    """

    kpi: str = attrs.field(validator=valid_key)
    skill: str = attrs.field(validator=non_empty)
    training: str = attrs.field(validator=non_empty)
    below_score: float = attrs.field(converter=to_number, default=100.0, validator=finite)


@attrs.frozen(kw_only=True)
class SkillMap:
    """KPI gaps to skill training: the links a development suggestion follows.

    Attributes:
        links: The links; a KPI may have several (one per skill).
    """

    links: tuple[SkillLink, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(SkillLink)
    )

    def __attrs_post_init__(self) -> None:
        seen: set[tuple[str, str]] = set()
        for link in self.links:
            pair = (link.kpi, link.skill)
            if pair in seen:
                raise ValidationError(
                    f"SkillMap.links: KPI {link.kpi!r} is linked to skill {link.skill!r} twice; "
                    "give each (KPI, skill) pair once",
                    field="links",
                    value=pair,
                )
            seen.add(pair)

    def for_kpi(self, kpi: str) -> tuple[SkillLink, ...]:
        """Return the links of ``kpi``, in the order given."""
        return tuple(link for link in self.links if link.kpi == kpi)


class TriggerWhen(enum.Enum):
    """Which side of its limit sets a wellbeing trigger off."""

    BELOW = "below"
    ABOVE = "above"


@attrs.frozen(kw_only=True)
class WellbeingTrigger:
    """An indicator reading that calls for wellbeing support (心理辅导).

    E.g. team morale (团队士气指数) below 70, or a workload indicator above 120 % of capacity.

    Attributes:
        kpi: Key of the KPI whose actual is read.
        when: Below or above ``limit``.
        limit: The limit, in the indicator's unit.
        reason: Why this calls for support, shown in the suggestion.
    """

    kpi: str = attrs.field(validator=valid_key)
    when: TriggerWhen = attrs.field(validator=instance_of(TriggerWhen))
    limit: float = attrs.field(converter=to_number, validator=finite)
    reason: str = attrs.field(default="", validator=instance_of(str))

    def fires(self, actual: float | None) -> bool:
        """Return whether ``actual`` is on the triggering side of the limit (None never fires)."""
        if actual is None:
            return False
        return actual < self.limit if self.when is TriggerWhen.BELOW else actual > self.limit


@attrs.frozen(kw_only=True)
class DevelopmentPolicy:
    """How development suggestions are derived from a review.

    Attributes:
        skill_map: KPI gaps to skill training.
        high_ratings: Ratings that count as high for the career step.
        career_after: Consecutive cycles (this one included) with a high rating that earn a
            career step suggestion.
        wellbeing: Readings that call for wellbeing support.
        due_days: Days after the interview that suggested actions are due.
    """

    skill_map: SkillMap = attrs.field(factory=SkillMap, validator=instance_of(SkillMap))
    high_ratings: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_strings, validator=tuple_of(str)
    )
    career_after: int = attrs.field(default=3, validator=integer(1))
    wellbeing: tuple[WellbeingTrigger, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(WellbeingTrigger)
    )
    due_days: int = attrs.field(default=90, validator=integer(1))
