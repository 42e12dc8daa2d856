"""Two-party steps: goals signed by both parties, acknowledgement, dispute and HR resolution.

The founding document asks that goals and the improvement plan be set *jointly* (共同制定).
These steps give the employee a voice in the lifecycle of
:mod:`~perfmgmt.workflow.transitions`; like the transitions they are pure, guarded, and append
one hash-chained :class:`~perfmgmt.model.Event` (with the actor's ``role``) per step:

- :func:`propose_goals` → :func:`sign_goals` by the employee *and* the manager: the goals are
  agreed only when both have signed; changing them afterwards voids both signatures.
- :func:`share_review` → :func:`acknowledge` by the employee. Acknowledging says the employee
  has read the final review; it is not agreement with it.
- :func:`raise_dispute` by the employee, within ``CyclePlan.dispute_days`` of the share →
  :func:`resolve_dispute` by HR: upheld, or amended with a re-score whose old result stays in
  the history.
- :func:`plan_agreed_actions`: the interview's agreed actions become development-plan actions
  with an owner and a due date each.

A two-party cycle::

    review = propose_goals(review, goals=goals, actor="mgr-7", at=t0)
    review = sign_goals(review, actor="emp-1", role="employee", at=t1)
    review = sign_goals(review, actor="mgr-7", role="manager", at=t2)   # goals agreed
    ...
    review = share_review(review, actor="mgr-7", at=t5)
    review = acknowledge(review, actor="emp-1", at=t6)
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Mapping

import attrs

from perfmgmt.model.cycle import CyclePlan
from perfmgmt.model.development import (
    ActionKind,
    DevelopmentAction,
    DevelopmentPlan,
)
from perfmgmt.model.review import (
    Goal,
    Review,
    ReviewResult,
    ReviewStatus,
    Signature,
    SignatureRole,
)
from perfmgmt.model.scheme import Scheme
from perfmgmt.workflow.transitions import (
    Scored,
    _apply,
    _check_goals,
    _fail,
    _goal_text,
    _num,
    _reason,
    _result_details,
    _start,
)

__all__ = [
    "DisputeOutcome",
    "acknowledge",
    "dispute_deadline",
    "plan_agreed_actions",
    "propose_goals",
    "raise_dispute",
    "resolve_dispute",
    "share_review",
    "sign_goals",
]

S = ReviewStatus
_HR = "hr"


class DisputeOutcome(enum.Enum):
    """How HR resolves a dispute."""

    UPHELD = "upheld"
    """The final review stands as it was."""
    AMENDED = "amended"
    """The review is re-scored; the old result stays in the history."""


def _as_enum(review: Review, action: str, name: str, value: object, kind: type[enum.Enum]) -> str:
    allowed = [m.value for m in kind]
    if isinstance(value, kind):
        return str(value.value)
    if isinstance(value, str) and value in allowed:
        return value
    raise _fail(review, action, f"{name} {value!r} is not allowed; expected one of {allowed}")


def _must_be_employee(review: Review, action: str, actor: str) -> None:
    if actor != review.subject.id:
        raise _fail(
            review,
            action,
            f"actor {actor!r} is not allowed; only the employee ({review.subject.id!r}) may "
            f"{action.replace('_', ' ')}",
        )


def _voided(review: Review) -> list[tuple[str, str]]:
    return [("voided", f"{s.role.value}:{s.actor}") for s in review.goal_signatures]


def propose_goals(
    review: Review,
    *,
    actor: str,
    at: dt.datetime,
    goals: Iterable[Goal] | None = None,
    scheme: Scheme | None = None,
    role: str = "manager",
) -> Review:
    """Propose goals for both parties to sign (or revise a proposal, voiding its signatures).

    Args:
        review: A draft review, or one whose goals are proposed and not yet agreed.
        actor: Who proposes them.
        at: When.
        goals: The goals; the review's draft goals when None.
        scheme: When given, every goal must fit the scheme (as in
            :func:`~perfmgmt.workflow.agree_goals`).
        role: The proposer's role, recorded on the event.

    Raises:
        TransitionError: From another status, without goals, or with goals that do not fit.
    """
    _start(review, "propose_goals", actor, at)
    if not isinstance(role, str):
        raise _fail(review, "propose_goals", f"role {role!r} is not allowed; give the role as text")
    proposed = review.goals if goals is None else tuple(goals)
    _check_goals(review, "propose_goals", proposed, scheme)
    summary = f"proposed {len(proposed)} goal(s): " + ", ".join(g.kpi for g in proposed)
    voided = _voided(review)
    if voided:
        summary += "; signatures voided"
    return _apply(
        review,
        "propose_goals",
        actor=actor,
        at=at,
        to=S.GOALS_PROPOSED,
        summary=summary,
        details=[*(("goal", _goal_text(g)) for g in proposed), *voided],
        role=role,
        goals=proposed,
        goal_signatures=(),
    )


def sign_goals(review: Review, *, actor: str, role: SignatureRole | str, at: dt.datetime) -> Review:
    """Sign the proposed goals as the employee or the manager.

    Each signature is an event naming the actor, the role and the time. When both the
    employee and the manager have signed, the goals are agreed (status ``goals_agreed``, or
    ``mid_term_checked`` when check-ins were recorded before an amendment).

    Args:
        review: A review whose goals are proposed.
        actor: Who signs; for the employee role, the reviewed person.
        role: ``"employee"`` or ``"manager"``.
        at: When.

    Raises:
        TransitionError: Outside ``goals_proposed``, with an unknown role, when the role has
            already signed, when someone else signs as the employee, or when the employee
            signs as the manager.
    """
    _start(review, "sign_goals", actor, at)
    party = SignatureRole(_as_enum(review, "sign_goals", "role", role, SignatureRole))
    if party is SignatureRole.EMPLOYEE:
        _must_be_employee(review, "sign_goals", actor)
    elif actor == review.subject.id:
        raise _fail(
            review,
            "sign_goals",
            f"actor {actor!r} is the employee and may not sign as {party.value}; "
            "the manager signs for the manager",
        )
    for s in review.goal_signatures:
        if s.role is party:
            raise _fail(
                review,
                "sign_goals",
                f"role {party.value!r} has already signed (by {s.actor!r} at "
                f"{s.at.isoformat()}); each party signs once",
            )
    signatures = (*review.goal_signatures, Signature(role=party, actor=actor, at=at))
    both = {s.role for s in signatures} == set(SignatureRole)
    if both:
        to = S.MID_TERM_CHECKED if review.check_ins else S.GOALS_AGREED
        summary = f"{party.value} signed the goals; agreed by both parties"
    else:
        to = S.GOALS_PROPOSED
        summary = f"{party.value} signed the goals; waiting for the other party"
    return _apply(
        review,
        "sign_goals",
        actor=actor,
        at=at,
        to=to,
        summary=summary,
        details=[("role", party.value), *(("goal", _goal_text(g)) for g in review.goals)],
        role=party.value,
        goal_signatures=signatures,
    )


def share_review(review: Review, *, actor: str, at: dt.datetime, role: str = "manager") -> Review:
    """Share the final review with the employee, opening the acknowledgement and dispute window.

    Raises:
        TransitionError: Before the evaluation or after it was shared.
    """
    _start(review, "share_review", actor, at)
    if not isinstance(role, str):
        raise _fail(review, "share_review", f"role {role!r} is not allowed; give the role as text")
    assert review.result is not None  # evaluated reviews always carry a result
    return _apply(
        review,
        "share_review",
        actor=actor,
        at=at,
        to=S.SHARED,
        summary=f"final review shared with {review.subject.id}: {review.result.summary()}",
        details=[("rating", review.result.final_rating or "-")],
        role=role,
    )


def acknowledge(review: Review, *, actor: str, at: dt.datetime, comment: str = "") -> Review:
    """Record that the employee has read the shared final review.

    Acknowledgement is not agreement: the event says so, and the employee may still raise a
    dispute within the window (:func:`raise_dispute`).

    Raises:
        TransitionError: Unless the review is shared, or when someone else acknowledges.
    """
    _start(review, "acknowledge", actor, at)
    _must_be_employee(review, "acknowledge", actor)
    if not isinstance(comment, str):
        raise _fail(review, "acknowledge", f"comment {comment!r} is not allowed; give text")
    details = [("agreement", "not implied")]
    if comment:
        details.append(("comment", comment))
    return _apply(
        review,
        "acknowledge",
        actor=actor,
        at=at,
        to=S.ACKNOWLEDGED,
        summary="employee acknowledged the final review (acknowledgement is not agreement)",
        details=details,
        role=SignatureRole.EMPLOYEE.value,
    )


def _shared_on(review: Review) -> dt.datetime | None:
    for event in reversed(review.history):
        if event.action == "share_review":
            return event.at
    return None


def dispute_deadline(review: Review, plan: CyclePlan | None = None) -> dt.date | None:
    """Return the last day the employee may dispute the shared review, None before sharing.

    The window is ``plan.dispute_days`` days (14 with the default plan) from the day of the
    latest :func:`share_review`.
    """
    shared = _shared_on(review)
    if shared is None:
        return None
    days = (plan or CyclePlan()).dispute_days
    return shared.date() + dt.timedelta(days=days)


def raise_dispute(
    review: Review,
    *,
    reason: str,
    actor: str,
    at: dt.datetime,
    plan: CyclePlan | None = None,
) -> Review:
    """Dispute the shared final review (also after acknowledging it), for HR to resolve.

    Args:
        review: A shared or acknowledged review.
        reason: What the employee disputes; required.
        actor: The employee.
        at: When; at most ``plan.dispute_days`` days after the review was shared.
        plan: The scheme's cycle plan (``scheme.cycle_plan``); the default plan when None.

    Raises:
        TransitionError: From another status, without a reason, when someone other than the
            employee disputes, or after the deadline.
    """
    _start(review, "raise_dispute", actor, at)
    why = _reason(review, "raise_dispute", reason)
    _must_be_employee(review, "raise_dispute", actor)
    if plan is not None and not isinstance(plan, CyclePlan):
        raise _fail(review, "raise_dispute", f"plan {plan!r} is not a perfmgmt.model.CyclePlan")
    deadline = dispute_deadline(review, plan)
    assert deadline is not None  # shared and acknowledged reviews were shared
    if at.date() > deadline:
        raise _fail(
            review,
            "raise_dispute",
            f"at {at.date().isoformat()} is after the dispute deadline {deadline.isoformat()} "
            f"({(plan or CyclePlan()).dispute_days} days from sharing); disputes are allowed "
            "until then",
        )
    return _apply(
        review,
        "raise_dispute",
        actor=actor,
        at=at,
        to=S.DISPUTED,
        summary=f"employee disputes the final review: {why}",
        details=[("reason", why), ("deadline", deadline.isoformat())],
        role=SignatureRole.EMPLOYEE.value,
    )


def _rescored(review: Review, card: Scored | None) -> ReviewResult:
    action = "resolve_dispute"
    if card is None:
        raise _fail(
            review, action, "card None is not allowed for an amended outcome; give the re-score"
        )
    if card.subject_id != review.subject.id:
        raise _fail(
            review,
            action,
            f"the score card is for subject {card.subject_id!r}, not {review.subject.id!r}",
        )
    return ReviewResult(
        total=card.total,
        quantitative=card.quantitative,
        qualitative=card.qualitative,
        rating=card.rating,
        rated=bool(card.rated),
        scheme_hash=card.scheme_hash,
    )


def resolve_dispute(
    review: Review,
    *,
    outcome: DisputeOutcome | str,
    reason: str,
    actor: str,
    at: dt.datetime,
    card: Scored | None = None,
    plan: CyclePlan | None = None,
) -> Review:
    """Resolve a dispute as HR: uphold the review, or amend it with a re-score.

    An amended review takes the re-scored result (calibration does not carry over: the
    re-score is the decision); the old result is recorded, field by field, in the event. A
    resolution later than ``plan.dispute_days`` after the dispute was raised is allowed and
    marked ``late`` in the event.

    Args:
        review: A disputed review.
        outcome: ``"upheld"`` or ``"amended"``.
        reason: Why; required.
        actor: Who resolves (HR).
        at: When.
        card: The re-score, required when amended (``ScoringEngine().score(...)``).
        plan: The scheme's cycle plan, for the resolution deadline; the default when None.

    Raises:
        TransitionError: Unless disputed, without a reason, with an unknown outcome, an
            amendment without a card or for another person, or a re-score that changes nothing.
    """
    _start(review, "resolve_dispute", actor, at)
    why = _reason(review, "resolve_dispute", reason)
    result = DisputeOutcome(_as_enum(review, "resolve_dispute", "outcome", outcome, DisputeOutcome))
    assert review.result is not None  # disputed reviews were evaluated
    raised = next((e.at for e in reversed(review.history) if e.action == "raise_dispute"), at)
    due = raised.date() + dt.timedelta(days=(plan or CyclePlan()).dispute_days)
    details = [("outcome", result.value), ("reason", why), ("due", due.isoformat())]
    if at.date() > due:
        details.append(("late", "true"))
    changes: dict[str, ReviewResult] = {}
    if result is DisputeOutcome.AMENDED:
        new = _rescored(review, card)
        old = review.result
        if (new.total, new.rating) == (old.total, old.final_rating):
            raise _fail(
                review,
                "resolve_dispute",
                f"the re-score (total {_num(new.total)}, rating {new.rating}) changes nothing; "
                "resolve with outcome 'upheld' instead",
            )
        details += _result_details(old)
        details += [("total", _num(new.total)), ("rating", new.rating or "-")]
        changes["result"] = new
        summary = f"dispute resolved, amended: {old.final_rating or '-'} → {new.rating or '-'}"
    else:
        summary = f"dispute resolved, upheld: rating {review.result.final_rating or '-'}"
    return _apply(
        review,
        "resolve_dispute",
        actor=actor,
        at=at,
        to=S.DISPUTE_RESOLVED,
        summary=summary,
        details=details,
        role=_HR,
        **changes,
    )


def _per_action(
    review: Review,
    name: str,
    value: object,
    kind: type,
    texts: Collection[str],
) -> dict[str, object]:
    action = "plan_agreed_actions"
    if isinstance(value, kind) and not (isinstance(value, str) and not value.strip()):
        return dict.fromkeys(texts, value)
    if not isinstance(value, Mapping):
        raise _fail(
            review,
            action,
            f"{name} {value!r} is not allowed; give one {kind.__name__} for every action or a "
            "mapping from each agreed action to one",
        )
    missing = [t for t in texts if t not in value]
    unknown = sorted(str(k) for k in value if k not in texts)
    if missing or unknown:
        raise _fail(
            review,
            action,
            f"{name} must name every agreed action exactly: missing {missing}, unknown "
            f"{unknown}; the agreed actions are {list(texts)}",
        )
    for text, item in value.items():
        if not isinstance(item, kind) or (kind is str and not str(item).strip()):
            raise _fail(
                review,
                action,
                f"{name} {item!r} for {text!r} is not allowed; expected a {kind.__name__}",
            )
    return dict(value)


def plan_agreed_actions(
    review: Review,
    *,
    owner: str | Mapping[str, str],
    due: dt.date | Mapping[str, dt.date],
    actor: str,
    at: dt.datetime,
    kind: ActionKind = ActionKind.IMPROVEMENT,
) -> Review:
    """Turn the interview's agreed actions into development-plan actions (共同制定改进计划).

    Each agreed action becomes a planned :class:`~perfmgmt.model.DevelopmentAction` keyed
    ``agreed_1``, ``agreed_2`` ... (in the interview's order), added to the review's plan (a
    new plan when there is none).

    Args:
        review: A review whose feedback interview is recorded.
        owner: Who is responsible: one id for all, or a mapping from each agreed action's
            text to its owner.
        due: The due date: one for all, or a mapping from each agreed action's text to its
            date; never before the interview.
        actor: Who records the plan.
        at: When.
        kind: The kind of the new actions.

    Raises:
        TransitionError: From the wrong status, without an interview or agreed actions, with an
            owner or due date missing or wrong, or when the actions are already in the plan.
    """
    action = "plan_agreed_actions"
    _start(review, action, actor, at)
    interview = review.interview
    if interview is None or not interview.agreed_actions:
        raise _fail(review, action, "the interview agreed no actions; record_interview first")
    if not isinstance(kind, ActionKind):
        raise _fail(review, action, f"kind {kind!r} is not allowed; expected an ActionKind")
    texts = interview.agreed_actions
    owners = _per_action(review, "owner", owner, str, texts)
    dues = _per_action(review, "due", due, dt.date, texts)
    plan = review.development_plan or DevelopmentPlan(
        subject_id=review.subject.id, review=review.key
    )
    existing = {a.key for a in plan.actions}
    new: list[DevelopmentAction] = []
    for n, text in enumerate(texts, start=1):
        key = f"agreed_{n}"
        day = dues[text]
        assert isinstance(day, dt.date)
        if key in existing:
            raise _fail(review, action, f"the plan already has action {key!r}; plan them once")
        if day < interview.on:
            raise _fail(
                review,
                action,
                f"due {day.isoformat()} for {text!r} is before the interview "
                f"({interview.on.isoformat()}); give a later date",
            )
        new.append(
            DevelopmentAction(
                key=key, kind=kind, description=text, owner=str(owners[text]), due=day
            )
        )
    plan = attrs.evolve(plan, actions=(*plan.actions, *new))
    return _apply(
        review,
        action,
        actor=actor,
        at=at,
        to=review.status,
        summary=f"planned {len(new)} agreed action(s) from the interview",
        details=[
            ("action", f"{a.key}: {a.description}; owner {a.owner}; due {a.due}") for a in new
        ],
        development_plan=plan,
    )
