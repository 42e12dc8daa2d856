"""Reviews: one person's goals, actuals, check-ins, assessments and history in one cycle."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from perfmgmt._validate import (
    check_text,
    decimal_amount,
    fail,
    finite,
    finite_or_none,
    instance_of,
    integer,
    key,
    non_empty,
    optional,
    slug,
    to_number,
    to_number_or_none,
    to_tuple,
    tuple_of,
)
from perfmgmt._validate import key as valid_key
from perfmgmt.errors import ValidationError
from perfmgmt.model._canonical import ADDED, content_hash
from perfmgmt.model.development import DevelopmentPlan, Interview
from perfmgmt.model.money import check_currency, check_money_range, minor_units
from perfmgmt.model.scheme import AssessmentSource, Scale
from perfmgmt.model.timeline import Assignment, FteChange, GoalChange, Leave, check_timeline

__all__ = [
    "Actual",
    "Assessment",
    "CheckIn",
    "Event",
    "Goal",
    "Objective",
    "ObjectiveLevel",
    "Review",
    "ReviewResult",
    "ReviewStatus",
    "Signature",
    "SignatureRole",
    "Subject",
]


@attrs.frozen(kw_only=True)
class Subject:
    """The person reviewed, with the attributes rules may read.

    Attributes:
        id: Stable identifier from the HRIS.
        name: Display name, if any.
        hire_date: Date of hire, for tenure and proration.
        leave_date: Last working day, for proration, if they left.
        grade: Job grade, e.g. ``"M2"``.
        department: Department or team.
        base_pay: Base pay for the cycle as an exact Decimal, for bonus rules; at most as
            many decimal places as the currency's minor unit (2 for CNY, 0 for JPY).
        currency: ISO 4217 code of ``base_pay``; required when base pay is given.
        manager_id: Id of the person's manager, if any.
    """

    id: str = attrs.field(validator=non_empty)
    name: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    hire_date: dt.date | None = attrs.field(default=None, validator=optional(instance_of(dt.date)))
    leave_date: dt.date | None = attrs.field(default=None, validator=optional(instance_of(dt.date)))
    grade: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    department: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    base_pay: Decimal | None = attrs.field(default=None, validator=optional(decimal_amount))
    currency: str | None = attrs.field(default=None)
    manager_id: str | None = attrs.field(default=None, validator=optional(instance_of(str)))

    def __attrs_post_init__(self) -> None:
        if self.hire_date and self.leave_date and self.leave_date < self.hire_date:
            raise ValidationError(
                f"Subject {self.id!r}: leave_date ({self.leave_date.isoformat()}) is before "
                f"hire_date ({self.hire_date.isoformat()})",
                field="leave_date",
                value=self.leave_date,
            )
        if self.base_pay is not None:
            if self.base_pay < 0:
                raise ValidationError(
                    f"Subject {self.id!r}: base_pay ({self.base_pay}) must not be negative",
                    field="base_pay",
                    value=self.base_pay,
                )
            if self.currency is None:
                raise ValidationError(
                    f"Subject {self.id!r}: currency is None but base_pay is given; name the "
                    "ISO 4217 currency of the base pay, e.g. currency='CNY'",
                    field="currency",
                    value=None,
                )
        if self.currency is not None:
            check_currency(self.currency, f"Subject {self.id!r}: currency")
            if self.base_pay is not None:
                check_money_range(self.base_pay, self.currency, f"Subject {self.id!r}: base_pay")
                _check_minor_units(self.id, self.base_pay, self.currency)


def _check_minor_units(subject: str, pay: Decimal, currency: str) -> None:
    """Refuse base pay finer than the currency's minor unit (scoring could not pay it)."""
    digits = minor_units(currency)
    # within the money range a quantized amount has at most 16 digits: exact in context
    if pay.quantize(Decimal(1).scaleb(-digits)) != pay:
        raise ValidationError(
            f"Subject {subject!r}: base_pay {pay} {currency} is not allowed; amounts in "
            f"{currency} have at most {digits} decimal places; round the amount in the source",
            field="base_pay",
            value=pay,
        )


@attrs.frozen(kw_only=True)
class Goal:
    """A per-KPI target agreed in goal setting; it overrides the scheme's defaults.

    Attributes:
        kpi: Key of the KPI.
        threshold: Agreed threshold, or None to keep the scheme's.
        target: Agreed target, or None to keep the scheme's.
        stretch: Agreed stretch, or None to keep the scheme's.
        parent: Key of the department or company objective this goal supports (目标导向).
        note: Free text.
    """

    kpi: str = attrs.field(validator=key)
    threshold: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    target: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    stretch: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    parent: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    note: str = attrs.field(default="", validator=instance_of(str))


def _measured(value: object) -> object:
    """Take an int or a Decimal (a database NUMERIC) as the float it stands for."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value  # anything else is refused by the validator
    if isinstance(value, Decimal):
        value = float(value)  # a huge Decimal becomes inf, refused as not finite
    # -0.0 stored as 0.0; an int the validator refuses stays an int, shown by its size
    return to_number_or_none(value)


@attrs.frozen(kw_only=True)
class Actual:
    """A measured value of one KPI for the cycle.

    Attributes:
        kpi: Key of the KPI.
        value: The measured value, or None when there is no data; an ``int`` or a ``Decimal``
            (what database drivers return for NUMERIC) is taken as the float it stands for.
        sample_size: Number of observations behind it (surveys, tickets), if known.
    """

    kpi: str = attrs.field(validator=key)
    value: float | None = attrs.field(
        default=None,
        converter=_measured,
        validator=finite_or_none,
    )
    sample_size: int | None = attrs.field(default=None, validator=optional(integer(0)))


@attrs.frozen(kw_only=True)
class CheckIn:
    """A mid-term check (中期检查): progress per KPI on a date.

    Attributes:
        on: Date of the check-in.
        author: Who recorded it.
        progress: Values to date, one per KPI at most.
        note: Free text (problems found, support offered).
    """

    on: dt.date = attrs.field(validator=instance_of(dt.date))
    author: str = attrs.field(validator=non_empty)
    progress: tuple[Actual, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(Actual)
    )
    note: str = attrs.field(default="", validator=instance_of(str))


@attrs.frozen(kw_only=True)
class Assessment:
    """One rater's rating of one qualitative criterion.

    Attributes:
        criterion: Key of the criterion.
        source: Who rates (self, manager, peer, upward, customer).
        rater_id: Id of the rater.
        rating: The rating on ``scale`` (or the criterion's scale when ``scale`` is None).
        scale: The scale the rater used, when it differs from the criterion's.
        comment: Free text.
    """

    criterion: str = attrs.field(validator=key)
    source: AssessmentSource = attrs.field(validator=instance_of(AssessmentSource))
    rater_id: str = attrs.field(validator=non_empty)
    rating: float = attrs.field(converter=to_number, validator=finite)
    scale: Scale | None = attrs.field(default=None, validator=optional(instance_of(Scale)))
    comment: str = attrs.field(default="", validator=instance_of(str))

    def __attrs_post_init__(self) -> None:
        if self.scale is not None and not self.scale.contains(self.rating):
            raise ValidationError(
                f"Assessment of {self.criterion!r} by {self.rater_id!r}: rating "
                f"{self.rating!r} is off the scale [{self.scale.low:g}, {self.scale.high:g}]",
                field="rating",
                value=self.rating,
            )


def _pairs(value: Iterable[tuple[str, str]] | Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    items = tuple(value.items()) if isinstance(value, Mapping) else to_tuple(value)
    if not isinstance(items, tuple) or not all(
        isinstance(p, tuple | list) and len(p) == 2 for p in items
    ):
        return value  # type: ignore[return-value]  # refused by _check_pairs, by name
    return tuple((str(k), str(v)) for k, v in items)


def _check_pairs(instance: object, attribute: attrs.Attribute[object], value: object) -> None:
    if not isinstance(value, tuple):
        fail(instance, attribute, value, "expected a mapping or a sequence of (name, value) pairs")
    for i, pair in enumerate(value):
        for part in pair:
            check_text(part, f"Event.details[{i}]")


class ReviewStatus(enum.Enum):
    """Where a review stands in its cycle."""

    DRAFT = "draft"
    GOALS_PROPOSED = "goals_proposed"
    """Goals proposed, waiting for the employee's and the manager's signatures."""
    GOALS_AGREED = "goals_agreed"
    MID_TERM_CHECKED = "mid_term_checked"
    EVALUATED = "evaluated"
    CALIBRATED = "calibrated"
    FEEDBACK_GIVEN = "feedback_given"
    SHARED = "shared"
    """The final review is shared with the employee, waiting for the acknowledgement."""
    ACKNOWLEDGED = "acknowledged"
    """The employee has read the final review (which is not agreement with it)."""
    DISPUTED = "disputed"
    """The employee disputes the final review; HR resolves it."""
    DISPUTE_RESOLVED = "dispute_resolved"
    """HR upheld or amended the disputed review."""
    CLOSED = "closed"
    CANCELLED = "cancelled"


class SignatureRole(enum.Enum):
    """The party that signs: goals are agreed when both have signed."""

    EMPLOYEE = "employee"
    MANAGER = "manager"


@attrs.frozen(kw_only=True)
class Signature:
    """One party's signature on the proposed goals.

    Attributes:
        role: Employee or manager.
        actor: Who signed (an id).
        at: When.
    """

    role: SignatureRole = attrs.field(validator=instance_of(SignatureRole))
    actor: str = attrs.field(validator=non_empty)
    at: dt.datetime = attrs.field(validator=instance_of(dt.datetime))


@attrs.frozen(kw_only=True)
class Event:
    """One entry of a review's append-only audit history.

    Attributes:
        at: When it happened (timezone-aware preferred).
        actor: Who did it.
        action: What was done, e.g. ``"agree_goals"``.
        from_status: Status before.
        to_status: Status after.
        summary: What changed, in words.
        details: Structured facts as ``(name, value)`` text pairs (old result on reopen, reason).
        role: The capacity the actor acted in (``"employee"``, ``"manager"``, ``"hr"``), or
            empty when the step does not record one.
        prev_hash: The previous event's hash (empty for the first event): the link of the
            hash chain.
        review_hash: The review's :attr:`Review.content_hash` right after this event.
        digest: This event's own hash, over every other field; empty for events written
            before histories were chained (legacy events, not verified).
    """

    at: dt.datetime = attrs.field(validator=instance_of(dt.datetime))
    actor: str = attrs.field(validator=non_empty)
    action: str = attrs.field(validator=non_empty)
    from_status: ReviewStatus = attrs.field(validator=instance_of(ReviewStatus))
    to_status: ReviewStatus = attrs.field(validator=instance_of(ReviewStatus))
    summary: str = attrs.field(default="", validator=instance_of(str))
    details: tuple[tuple[str, str], ...] = attrs.field(
        factory=tuple, converter=_pairs, validator=_check_pairs
    )
    role: str = attrs.field(default="", validator=instance_of(str), metadata={ADDED: True})
    prev_hash: str = attrs.field(default="", validator=instance_of(str), metadata={ADDED: True})
    review_hash: str = attrs.field(default="", validator=instance_of(str), metadata={ADDED: True})
    digest: str = attrs.field(default="", validator=instance_of(str))

    def computed_digest(self) -> str:
        """Return the hash this event should carry: ``sha256:`` over every field but ``digest``."""
        fields = {a.name: getattr(self, a.name) for a in attrs.fields(Event) if a.name != "digest"}
        return content_hash({"__type__": "Event", **fields})


@attrs.frozen(kw_only=True)
class ReviewResult:
    """The outcome of a final evaluation, kept on the review (and in history when reopened).

    Attributes:
        total: Blended total score, or None when the review is not rated.
        quantitative: Quantitative part, if scored.
        qualitative: Qualitative part, if any.
        rating: Band label from scoring, or None when not rated.
        rated: Whether the review was rated at all.
        scheme_hash: Content hash of the scheme version that produced it.
        forced: Whether the evaluation was forced before the final-evaluation window.
        calibrated_rating: The rating after calibration, when calibration changed or confirmed it.
        calibration_note: Why calibration set ``calibrated_rating``.
    """

    total: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    quantitative: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    qualitative: float | None = attrs.field(
        converter=to_number_or_none, default=None, validator=finite_or_none
    )
    rating: str | None = attrs.field(default=None, validator=optional(non_empty))
    rated: bool = attrs.field(default=True, validator=instance_of(bool))
    scheme_hash: str = attrs.field(default="", validator=instance_of(str))
    forced: bool = attrs.field(default=False, validator=instance_of(bool))
    calibrated_rating: str | None = attrs.field(default=None, validator=optional(non_empty))
    calibration_note: str = attrs.field(default="", validator=instance_of(str))

    @property
    def final_rating(self) -> str | None:
        """The calibrated rating when there is one, otherwise the scored rating."""
        return self.calibrated_rating if self.calibrated_rating is not None else self.rating

    def summary(self) -> str:
        """Return a one-line text form, used in audit events."""
        total = "n/a" if self.total is None else f"{self.total:.2f}"
        text = f"total={total} rating={self.rating or '-'}"
        if self.calibrated_rating is not None:
            text += f" calibrated={self.calibrated_rating}"
        return text


class ObjectiveLevel(enum.Enum):
    """Where an objective sits in the goal cascade (目标导向)."""

    COMPANY = "company"
    DEPARTMENT = "department"
    PERSON = "person"


@attrs.frozen(kw_only=True)
class Objective:
    """A company, department or personal objective that goals align to.

    Attributes:
        key: Identifier, referenced by ``Goal.parent`` and by child objectives.
        level: Company, department or person.
        title: What the objective is.
        parent: Key of the objective one level up; None for company objectives.
        owner: Who owns it (a department name or person id), if any.
    """

    key: str = attrs.field(validator=valid_key)
    level: ObjectiveLevel = attrs.field(validator=instance_of(ObjectiveLevel))
    title: str = attrs.field(validator=non_empty)
    parent: str | None = attrs.field(default=None, validator=optional(valid_key))
    owner: str | None = attrs.field(default=None, validator=optional(instance_of(str)))

    def __attrs_post_init__(self) -> None:
        if (self.level is ObjectiveLevel.COMPANY) != (self.parent is None):
            want = "no parent" if self.level is ObjectiveLevel.COMPANY else "a parent objective"
            raise ValidationError(
                f"Objective {self.key!r}: parent {self.parent!r} is not allowed for a "
                f"{self.level.value} objective; it needs {want}",
                field="parent",
                value=self.parent,
            )


def _unique_kpis(instance: object, attribute: attrs.Attribute[object], value: object) -> None:
    seen: set[str] = set()
    for item in value:  # type: ignore[attr-defined]
        if item.kpi in seen:
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}: KPI {item.kpi!r} appears more than "
                "once; give one entry per KPI",
                field=attribute.name,
                value=item.kpi,
            )
        seen.add(item.kpi)


def _oldest_first(instance: object, attribute: attrs.Attribute[object], value: object) -> None:
    starts = [item.start for item in value]  # type: ignore[attr-defined]
    for i in range(1, len(starts)):
        if starts[i] < starts[i - 1]:
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}[{i}]: start "
                f"{starts[i].isoformat()} is not allowed before the previous entry's "
                f"({starts[i - 1].isoformat()}); list the entries oldest first",
                field=attribute.name,
                value=starts[i],
            )


@attrs.frozen(kw_only=True)
class Review:
    """One person's performance review in one cycle.

    Attributes:
        subject: The person reviewed.
        cycle: Key of the cycle.
        scheme: Key of the scheme.
        scheme_hash: Content hash of the scheme version the review is scored under.
        goals: Agreed per-KPI targets (override the scheme defaults).
        actuals: Measured values per KPI.
        check_ins: Mid-term checks, oldest first.
        assessments: Qualitative ratings by source and rater.
        status: Where the review stands.
        history: Append-only audit events, oldest first.
        interview: The feedback interview, once held.
        development_plan: The development plan, once agreed.
        result: The final evaluation's result, once evaluated (cleared, and kept in
            ``history``, on reopen).
        goal_signatures: Signatures on the proposed goals since they last changed; the goals
            are agreed when the employee and the manager have both signed.
        assignments: Who the manager is from which date on, oldest first (mid-cycle
            changes; see :func:`perfmgmt.model.prorate`).
        fte_changes: The full-time equivalent from which date on, oldest first.
        leaves: Periods of leave in the cycle, oldest first; they must not overlap.
        goal_changes: Changes of a KPI's weight or target with the date they take effect.
    """

    subject: Subject = attrs.field(validator=instance_of(Subject))
    cycle: str = attrs.field(validator=slug)
    scheme: str = attrs.field(validator=key)
    scheme_hash: str = attrs.field(default="", validator=instance_of(str))
    goals: tuple[Goal, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=[tuple_of(Goal), _unique_kpis]
    )
    actuals: tuple[Actual, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=[tuple_of(Actual), _unique_kpis]
    )
    check_ins: tuple[CheckIn, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(CheckIn)
    )
    assessments: tuple[Assessment, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(Assessment)
    )
    status: ReviewStatus = attrs.field(
        default=ReviewStatus.DRAFT, validator=instance_of(ReviewStatus)
    )
    history: tuple[Event, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(Event)
    )
    interview: Interview | None = attrs.field(
        default=None, validator=optional(instance_of(Interview))
    )
    development_plan: DevelopmentPlan | None = attrs.field(
        default=None, validator=optional(instance_of(DevelopmentPlan))
    )
    result: ReviewResult | None = attrs.field(
        default=None, validator=optional(instance_of(ReviewResult))
    )
    goal_signatures: tuple[Signature, ...] = attrs.field(
        factory=tuple, converter=to_tuple, validator=tuple_of(Signature), metadata={ADDED: True}
    )

    assignments: tuple[Assignment, ...] = attrs.field(
        factory=tuple,
        converter=to_tuple,
        validator=[tuple_of(Assignment), _oldest_first],
        metadata={ADDED: True},
    )
    fte_changes: tuple[FteChange, ...] = attrs.field(
        factory=tuple,
        converter=to_tuple,
        validator=[tuple_of(FteChange), _oldest_first],
        metadata={ADDED: True},
    )
    leaves: tuple[Leave, ...] = attrs.field(
        factory=tuple,
        converter=to_tuple,
        validator=[tuple_of(Leave), _oldest_first],
        metadata={ADDED: True},
    )
    goal_changes: tuple[GoalChange, ...] = attrs.field(
        factory=tuple,
        converter=to_tuple,
        validator=[tuple_of(GoalChange), _oldest_first],
        metadata={ADDED: True},
    )

    @property
    def content_hash(self) -> str:
        """``sha256:<hex>`` of everything on the review except its history.

        Each event of a chained history records this hash as it stood right after the event,
        so a stored review whose content was edited without a matching event is found by
        :func:`~perfmgmt.model.verify_history`.
        """
        names = (a.name for a in attrs.fields(Review) if a.name != "history")
        fields = {name: getattr(self, name) for name in names}
        return content_hash({"__type__": "Review", **fields})

    def __attrs_post_init__(self) -> None:
        if self.assignments or self.fte_changes or self.leaves or self.goal_changes:
            check_timeline(self.assignments, self.fte_changes, self.leaves, self.goal_changes)

    @property
    def has_timeline(self) -> bool:
        """Whether any mid-cycle change (manager, FTE, leave, goal change) is recorded."""
        return bool(self.assignments or self.fte_changes or self.leaves or self.goal_changes)

    @property
    def key(self) -> str:
        """``"<subject id>@<cycle key>"``: identifies the review."""
        return f"{self.subject.id}@{self.cycle}"

    def actual(self, kpi: str) -> Actual | None:
        """Return the actual recorded for ``kpi``, if any."""
        for a in self.actuals:
            if a.kpi == kpi:
                return a
        return None

    def goal(self, kpi: str) -> Goal | None:
        """Return the goal agreed for ``kpi``, if any."""
        for g in self.goals:
            if g.kpi == kpi:
                return g
        return None
