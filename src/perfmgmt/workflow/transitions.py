"""The review lifecycle: pure transitions with guards and an append-only audit trail.

A review moves draft -> goals agreed -> mid-term checked -> evaluated -> calibrated -> feedback
given -> closed; it may be cancelled, and a closed or cancelled review may be reopened with a
reason. Every transition is a pure function that takes the review, who acts (``actor``) and when
(``at``), and returns a new :class:`~perfmgmt.model.review.Review` with one more
:class:`~perfmgmt.model.review.Event` in its history; a transition that is not allowed raises
:class:`~perfmgmt.errors.TransitionError` and changes nothing::

    review = agree_goals(review, goals=goals, actor="mgr-7", at=now)
    review = check_in(review, CheckIn(on=day, author="mgr-7", progress=...), actor=..., at=...)
    review = evaluate(review, card, cycle=cycle, actor="mgr-7", at=later)

:data:`ALLOWED_FROM` says which statuses each transition may start from;
:func:`allowed_actions` lists what a review may do next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol

import attrs

from perfmgmt.errors import TransitionError, ValidationError
from perfmgmt.model.cycle import Cycle, Phase
from perfmgmt.model.development import DevelopmentPlan, Interview
from perfmgmt.model.history import append_event
from perfmgmt.model.review import (
    Actual,
    CheckIn,
    Event,
    Goal,
    Review,
    ReviewResult,
    ReviewStatus,
)
from perfmgmt.model.scheme import Scheme
from perfmgmt.workflow.alignment import check_goals

__all__ = [
    "ALLOWED_FROM",
    "Scored",
    "agree_goals",
    "allowed_actions",
    "amend_goals",
    "calibrate",
    "cancel",
    "check_in",
    "close",
    "evaluate",
    "record_interview",
    "reopen",
    "set_development_plan",
]

S = ReviewStatus
_OPEN = frozenset(
    {
        S.DRAFT,
        S.GOALS_PROPOSED,
        S.GOALS_AGREED,
        S.MID_TERM_CHECKED,
        S.EVALUATED,
        S.CALIBRATED,
        S.FEEDBACK_GIVEN,
        S.SHARED,
        S.ACKNOWLEDGED,
        S.DISPUTED,
        S.DISPUTE_RESOLVED,
    }
)
_AFTER_FEEDBACK = frozenset({S.SHARED, S.ACKNOWLEDGED, S.DISPUTED, S.DISPUTE_RESOLVED})

ALLOWED_FROM: Mapping[str, frozenset[ReviewStatus]] = {
    "agree_goals": frozenset({S.DRAFT}),
    "propose_goals": frozenset({S.DRAFT, S.GOALS_PROPOSED}),
    "sign_goals": frozenset({S.GOALS_PROPOSED}),
    "amend_goals": frozenset({S.GOALS_AGREED, S.MID_TERM_CHECKED}),
    "check_in": frozenset({S.GOALS_AGREED, S.MID_TERM_CHECKED}),
    "evaluate": frozenset({S.GOALS_AGREED, S.MID_TERM_CHECKED}),
    "calibrate": frozenset({S.EVALUATED, S.CALIBRATED}),
    "record_interview": frozenset({S.EVALUATED, S.CALIBRATED}),
    "set_development_plan": frozenset(
        {S.EVALUATED, S.CALIBRATED, S.FEEDBACK_GIVEN} | _AFTER_FEEDBACK
    ),
    "plan_agreed_actions": frozenset({S.FEEDBACK_GIVEN} | _AFTER_FEEDBACK),
    "share_review": frozenset({S.EVALUATED, S.CALIBRATED, S.FEEDBACK_GIVEN}),
    "acknowledge": frozenset({S.SHARED}),
    "raise_dispute": frozenset({S.SHARED, S.ACKNOWLEDGED}),
    "resolve_dispute": frozenset({S.DISPUTED}),
    "close": frozenset({S.FEEDBACK_GIVEN, S.ACKNOWLEDGED, S.DISPUTE_RESOLVED}),
    "reopen": frozenset({S.CLOSED, S.CANCELLED}),
    "cancel": _OPEN,
}
"""For each transition, the statuses it may start from."""


class Scored(Protocol):
    """What :func:`evaluate` reads from a score card (``perfmgmt.scoring.ScoreCard`` fits)."""

    @property
    def subject_id(self) -> str:
        """Id of the person scored."""

    @property
    def scheme_hash(self) -> str:
        """Content hash of the scheme used."""

    @property
    def quantitative(self) -> float:
        """Quantitative part."""

    @property
    def qualitative(self) -> float | None:
        """Qualitative part, if any."""

    @property
    def total(self) -> float | None:
        """Blended total, None when not rated."""

    @property
    def rating(self) -> str | None:
        """Band label, None when not rated."""

    @property
    def rated(self) -> bool:
        """Whether the review was rated."""


def allowed_actions(review: Review) -> tuple[str, ...]:
    """Return the names of the transitions allowed from the review's status."""
    return tuple(name for name, origins in ALLOWED_FROM.items() if review.status in origins)


# -- the machinery every transition shares ------------------------------------------------------


def _fail(review: Review, action: str, why: str) -> TransitionError:
    return TransitionError(f"{action}: review {review.key!r} ({review.status.value}): {why}")


def _guard_status(review: Review, action: str) -> None:
    origins = ALLOWED_FROM[action]
    if review.status in origins:
        return
    if review.status is S.CLOSED:
        why = "the review is closed; only reopen (with a reason) is allowed"
    elif review.status is S.CANCELLED:
        why = "the review is cancelled; only reopen (with a reason) is allowed"
    else:
        allowed = ", ".join(sorted(s.value for s in origins))
        why = f"{action} is allowed only from {allowed}"
    raise _fail(review, action, why)


def _guard_who_when(review: Review, action: str, actor: object, at: object) -> None:
    if not isinstance(actor, str) or not actor.strip():
        raise _fail(review, action, f"actor {actor!r} is not allowed; give who acts as text")
    if not isinstance(at, dt.datetime):
        raise _fail(review, action, f"at {at!r} is not allowed; expected a datetime.datetime")
    if review.history:
        last = review.history[-1].at
        if (last.tzinfo is None) != (at.tzinfo is None):
            raise _fail(
                review,
                action,
                f"at {at.isoformat()} and the last event's time {last.isoformat()} mix "
                "naive and timezone-aware datetimes; use one kind throughout",
            )
        if at < last:
            raise _fail(
                review,
                action,
                f"at {at.isoformat()} is before the last event ({last.isoformat()}); the "
                "history is append-only and in time order",
            )


def _reason(review: Review, action: str, reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise _fail(review, action, f"reason {reason!r} is not allowed; give the reason as text")
    return reason


def _apply(
    review: Review,
    action: str,
    *,
    actor: str,
    at: dt.datetime,
    to: ReviewStatus,
    summary: str,
    details: Iterable[tuple[str, str]] = (),
    role: str = "",
    **changes: Any,
) -> Review:
    event = Event(
        at=at,
        actor=actor,
        action=action,
        from_status=review.status,
        to_status=to,
        summary=summary,
        details=tuple(details),
        role=role,
    )
    # Review's tuple converters confuse the attrs mypy plugin; the values are checked on build.
    fields: dict[str, Any] = {"status": to, **changes}
    return append_event(attrs.evolve(review, **fields), event)


def _start(review: Review, action: str, actor: object, at: object) -> None:
    _guard_status(review, action)
    _guard_who_when(review, action, actor, at)


def _num(value: float | None) -> str:
    return "-" if value is None else repr(value)


def _goal_text(goal: Goal) -> str:
    parts = [
        f"{name}={_num(getattr(goal, name))}"
        for name in ("threshold", "target", "stretch")
        if getattr(goal, name) is not None
    ]
    if goal.parent:
        parts.append(f"parent={goal.parent}")
    return f"{goal.kpi}(" + ", ".join(parts) + ")"


def _check_goals(
    review: Review, action: str, goals: tuple[Goal, ...], scheme: Scheme | None
) -> None:
    if not goals:
        raise _fail(review, action, "no goals given; agree at least one Goal")
    if not all(isinstance(g, Goal) for g in goals):
        raise _fail(review, action, "goals must be perfmgmt.model.Goal objects")
    kpis = [g.kpi for g in goals]
    if len(set(kpis)) != len(kpis):
        raise _fail(review, action, f"goals {kpis} name a KPI more than once; one goal per KPI")
    if scheme is not None:
        unknown = sorted(set(kpis) - set(scheme.kpi_keys))
        if unknown:
            raise _fail(
                review,
                action,
                f"goals for {unknown} name no KPI of scheme {scheme.key!r}; "
                f"the KPIs are {list(scheme.kpi_keys)}",
            )
        try:
            check_goals(goals, scheme)
        except ValidationError as exc:
            raise _fail(review, action, str(exc)) from exc


# -- transitions ---------------------------------------------------------------------------------


def agree_goals(
    review: Review,
    *,
    actor: str,
    at: dt.datetime,
    goals: Iterable[Goal] | None = None,
    scheme: Scheme | None = None,
) -> Review:
    """Agree the goals (目标设定) and lock them.

    Args:
        review: A draft review.
        actor: Who agrees them.
        at: When.
        goals: The goals; the review's draft goals when None.
        scheme: When given, every goal must name one of its KPIs and fit its bounds (see
            :func:`~perfmgmt.workflow.check_goals`): a target past the stretch, or on the
            wrong side of the threshold, is refused now rather than at scoring.

    Raises:
        TransitionError: When the review is not a draft, there are no goals, or (with
            ``scheme``) a goal does not fit the scheme.
    """
    _start(review, "agree_goals", actor, at)
    agreed = review.goals if goals is None else tuple(goals)
    _check_goals(review, "agree_goals", agreed, scheme)
    return _apply(
        review,
        "agree_goals",
        actor=actor,
        at=at,
        to=S.GOALS_AGREED,
        summary=f"agreed {len(agreed)} goal(s): " + ", ".join(g.kpi for g in agreed),
        details=[("goal", _goal_text(g)) for g in agreed],
        goals=agreed,
    )


def amend_goals(
    review: Review,
    *,
    goals: Iterable[Goal],
    reason: str,
    actor: str,
    at: dt.datetime,
    scheme: Scheme | None = None,
) -> Review:
    """Change agreed goals through a recorded amendment (the goals are otherwise locked).

    The event records every old and new goal and the reason; the status does not change,
    except for goals the employee and the manager signed (see
    :func:`~perfmgmt.workflow.sign_goals`): changing them voids both signatures (named in the
    event) and the goals go back to proposed until both sign again.

    Raises:
        TransitionError: Outside goals-agreed / mid-term-checked, or without a reason.
    """
    _start(review, "amend_goals", actor, at)
    why = _reason(review, "amend_goals", reason)
    new = tuple(goals)
    _check_goals(review, "amend_goals", new, scheme)
    old = {g.kpi: g for g in review.goals}
    changed = [g.kpi for g in new if old.get(g.kpi) != g]
    removed = [k for k in old if k not in {g.kpi for g in new}]
    if not changed and not removed:
        raise _fail(review, "amend_goals", "the amendment changes no goal")
    summary = "amended goals: " + ", ".join(changed + [f"-{k}" for k in removed])
    details = [("reason", why)]
    details += [("old", _goal_text(g)) for g in review.goals]
    details += [("new", _goal_text(g)) for g in new]
    to = review.status
    if review.goal_signatures:
        to = S.GOALS_PROPOSED
        summary += "; signatures voided"
        details += [("voided", f"{s.role.value}:{s.actor}") for s in review.goal_signatures]
    return _apply(
        review,
        "amend_goals",
        actor=actor,
        at=at,
        to=to,
        summary=summary,
        details=details,
        goals=new,
        goal_signatures=(),
    )


def check_in(
    review: Review,
    entry: CheckIn,
    *,
    actor: str,
    at: dt.datetime,
    cycle: Cycle | None = None,
) -> Review:
    """Record a mid-term check (中期检查): progress per KPI on a date.

    Args:
        review: A review with agreed goals.
        entry: The check-in; its date must lie in ``cycle`` when the cycle is given.
        actor: Who records it.
        at: When.
        cycle: The review's cycle, to check the date against.

    Raises:
        TransitionError: Before goals are agreed, after evaluation, or off the cycle.
    """
    _start(review, "check_in", actor, at)
    if not isinstance(entry, CheckIn):
        raise _fail(review, "check_in", f"{entry!r} is not a perfmgmt.model.CheckIn")
    if cycle is not None:
        _check_cycle(review, "check_in", cycle)
        if not cycle.start <= entry.on <= cycle.end:
            raise _fail(
                review,
                "check_in",
                f"check-in date {entry.on.isoformat()} is outside cycle {cycle.key!r} "
                f"({cycle.start.isoformat()} to {cycle.end.isoformat()})",
            )
    if review.check_ins and entry.on < review.check_ins[-1].on:
        raise _fail(
            review,
            "check_in",
            f"check-in date {entry.on.isoformat()} is before the previous check-in "
            f"({review.check_ins[-1].on.isoformat()}); check-ins are kept oldest first",
        )
    progress = ", ".join(f"{a.kpi}={_num(a.value)}" for a in entry.progress)
    return _apply(
        review,
        "check_in",
        actor=actor,
        at=at,
        to=S.MID_TERM_CHECKED,
        summary=f"check-in on {entry.on.isoformat()}: {progress or 'no progress figures'}",
        details=[("on", entry.on.isoformat()), *((a.kpi, _num(a.value)) for a in entry.progress)],
        check_ins=(*review.check_ins, entry),
    )


def _check_cycle(review: Review, action: str, cycle: Cycle) -> None:
    if not isinstance(cycle, Cycle):
        raise _fail(review, action, f"cycle {cycle!r} is not a perfmgmt.model.Cycle")
    if cycle.key != review.cycle:
        raise _fail(
            review,
            action,
            f"cycle {cycle.key!r} is not the review's cycle {review.cycle!r}",
        )


def evaluate(
    review: Review,
    card: Scored,
    *,
    cycle: Cycle,
    actor: str,
    at: dt.datetime,
    actuals: Iterable[Actual] | None = None,
    force: bool = False,
    reason: str = "",
) -> Review:
    """Record the final evaluation (期末评估) from a score card.

    The evaluation may not happen before the cycle's final-evaluation window opens (the
    cycle's last day when it has no window) unless ``force=True`` with a ``reason``; a forced
    evaluation is marked in the result and in the event.

    Args:
        review: A review with agreed goals (mid-term check optional).
        card: The score card, e.g. from ``ScoringEngine().score(scheme, review)``.
        cycle: The review's cycle.
        actor: Who evaluates.
        at: When.
        actuals: The measured values scored, stored on the review when given.
        force: Evaluate before the window opens.
        reason: Why, required when forcing.

    Raises:
        TransitionError: From the wrong status, before the window without ``force``, for
            another person's card, or for another cycle.
    """
    _start(review, "evaluate", actor, at)
    _check_cycle(review, "evaluate", cycle)
    if card.subject_id != review.subject.id:
        raise _fail(
            review,
            "evaluate",
            f"the score card is for subject {card.subject_id!r}, not {review.subject.id!r}",
        )
    window = cycle.window(Phase.FINAL_EVALUATION)
    opens = window.start if window is not None else cycle.end
    early = at.date() < opens
    details: list[tuple[str, str]] = []
    if early:
        if not force:
            raise _fail(
                review,
                "evaluate",
                f"the final-evaluation window of {cycle.key!r} opens on {opens.isoformat()}; "
                f"{at.date().isoformat()} is too early (pass force=True with a reason to "
                "evaluate anyway; it is recorded)",
            )
        details += [("forced", "true"), ("reason", _reason(review, "evaluate", reason))]
    result = ReviewResult(
        total=card.total,
        quantitative=card.quantitative,
        qualitative=card.qualitative,
        rating=card.rating,
        rated=bool(card.rated),
        scheme_hash=card.scheme_hash,
        forced=early,
    )
    changes: dict[str, Any] = {"result": result}
    if actuals is not None:
        changes["actuals"] = tuple(actuals)
    details += [
        ("total", _num(result.total)),
        ("rating", result.rating or "-"),
        ("scheme_hash", result.scheme_hash),
    ]
    prefix = "forced evaluation" if early else "evaluated"
    return _apply(
        review,
        "evaluate",
        actor=actor,
        at=at,
        to=S.EVALUATED,
        summary=f"{prefix}: {result.summary()}",
        details=details,
        **changes,
    )


def calibrate(
    review: Review,
    *,
    rating: str,
    reason: str,
    actor: str,
    at: dt.datetime,
    labels: Collection[str] | None = None,
) -> Review:
    """Set the rating agreed in calibration (校准), keeping the scored rating beside it.

    Args:
        review: An evaluated (or already calibrated) review.
        rating: The calibrated rating.
        reason: Why; required.
        actor: Who calibrates.
        at: When.
        labels: The scheme's rating labels, to check ``rating`` against.

    Raises:
        TransitionError: From the wrong status, without a reason, or with an unknown rating.
    """
    _start(review, "calibrate", actor, at)
    why = _reason(review, "calibrate", reason)
    if not isinstance(rating, str) or not rating.strip():
        raise _fail(review, "calibrate", f"rating {rating!r} is not allowed; give a band label")
    if labels is not None and rating not in labels:
        raise _fail(
            review,
            "calibrate",
            f"rating {rating!r} is not on the rating scale; the ratings are {sorted(labels)}",
        )
    assert review.result is not None  # evaluated and calibrated reviews always carry a result
    before = review.result.final_rating
    result = attrs.evolve(review.result, calibrated_rating=rating, calibration_note=why)
    return _apply(
        review,
        "calibrate",
        actor=actor,
        at=at,
        to=S.CALIBRATED,
        summary=f"calibrated {before or '-'} → {rating}",
        details=[("from", before or "-"), ("to", rating), ("reason", why)],
        result=result,
    )


def _interview_text(interview: Interview) -> str:
    return (
        f"{interview.on.isoformat()} by {interview.interviewer}; strengths: "
        f"{' | '.join(interview.strengths)}; gaps: {' | '.join(interview.gaps)}; agreed: "
        f"{' | '.join(interview.agreed_actions)}; comment: {interview.employee_comment}"
    )


def record_interview(
    review: Review, interview: Interview, *, actor: str, at: dt.datetime
) -> Review:
    """Record the one-on-one feedback interview (反馈与面谈).

    An interview recorded earlier (before a reopen) is kept, in full, in the event.

    Raises:
        TransitionError: Before the evaluation or after feedback was given.
    """
    _start(review, "record_interview", actor, at)
    if not isinstance(interview, Interview):
        raise _fail(review, "record_interview", f"{interview!r} is not a perfmgmt.model.Interview")
    details = [("interview", _interview_text(interview))]
    if review.interview is not None:
        details.append(("replaced", _interview_text(review.interview)))
    return _apply(
        review,
        "record_interview",
        actor=actor,
        at=at,
        to=S.FEEDBACK_GIVEN,
        summary=f"feedback interview on {interview.on.isoformat()} by {interview.interviewer}",
        details=details,
        interview=interview,
    )


def _plan_text(plan: DevelopmentPlan) -> str:
    return "; ".join(f"{a.key}:{a.kind.value}:{a.status.value}" for a in plan.actions) or "empty"


def set_development_plan(
    review: Review, plan: DevelopmentPlan, *, actor: str, at: dt.datetime
) -> Review:
    """Attach the development plan (发展规划) agreed for the review; the status stays.

    Raises:
        TransitionError: Before the evaluation, after close, or for another person's plan.
    """
    _start(review, "set_development_plan", actor, at)
    if not isinstance(plan, DevelopmentPlan):
        raise _fail(review, "set_development_plan", f"{plan!r} is not a DevelopmentPlan")
    if plan.subject_id != review.subject.id:
        raise _fail(
            review,
            "set_development_plan",
            f"the plan is for {plan.subject_id!r}, not {review.subject.id!r}",
        )
    if plan.review is None:
        plan = attrs.evolve(plan, review=review.key)
    details = [("plan", _plan_text(plan))]
    if review.development_plan is not None:
        details.append(("replaced", _plan_text(review.development_plan)))
    return _apply(
        review,
        "set_development_plan",
        actor=actor,
        at=at,
        to=review.status,
        summary=f"development plan with {len(plan.actions)} action(s)",
        details=details,
        development_plan=plan,
    )


def close(review: Review, *, actor: str, at: dt.datetime) -> Review:
    """Close the review once the interview is held and a development plan agreed.

    Raises:
        TransitionError: Before feedback was given, or without an interview or a plan.
    """
    _start(review, "close", actor, at)
    if review.interview is None:
        raise _fail(review, "close", "no feedback interview is recorded; record_interview first")
    if review.development_plan is None:
        raise _fail(review, "close", "no development plan is set; set_development_plan first")
    rating = review.result.final_rating if review.result is not None else None
    return _apply(
        review,
        "close",
        actor=actor,
        at=at,
        to=S.CLOSED,
        summary=f"closed with rating {rating or '-'}",
    )


def _result_details(result: ReviewResult) -> list[tuple[str, str]]:
    return [
        ("old.total", _num(result.total)),
        ("old.quantitative", _num(result.quantitative)),
        ("old.qualitative", _num(result.qualitative)),
        ("old.rating", result.rating or "-"),
        ("old.rated", str(result.rated).lower()),
        ("old.calibrated_rating", result.calibrated_rating or "-"),
        ("old.calibration_note", result.calibration_note),
        ("old.forced", str(result.forced).lower()),
        ("old.scheme_hash", result.scheme_hash),
    ]


def reopen(review: Review, *, reason: str, actor: str, at: dt.datetime) -> Review:
    """Reopen a closed or cancelled review, keeping its old result in the history.

    The review returns to where evaluation can be redone: mid-term checked when it has
    check-ins, goals agreed when goals were agreed, draft otherwise. The result is cleared
    from the review and recorded, field by field, in the reopen event.

    Raises:
        TransitionError: Unless the review is closed or cancelled, or without a reason.
    """
    _start(review, "reopen", actor, at)
    why = _reason(review, "reopen", reason)
    agreed = any(e.action == "agree_goals" or e.to_status is S.GOALS_AGREED for e in review.history)
    if review.check_ins:
        to = S.MID_TERM_CHECKED
    elif agreed:
        to = S.GOALS_AGREED
    else:
        to = S.DRAFT
    details = [("reason", why)]
    if review.result is not None:
        details += _result_details(review.result)
    return _apply(
        review,
        "reopen",
        actor=actor,
        at=at,
        to=to,
        summary=f"reopened: {why}",
        details=details,
        result=None,
    )


def cancel(review: Review, *, reason: str, actor: str, at: dt.datetime) -> Review:
    """Cancel an open review (e.g. the person left); it can only be reopened afterwards.

    Raises:
        TransitionError: When the review is closed or already cancelled, or without a reason.
    """
    _start(review, "cancel", actor, at)
    why = _reason(review, "cancel", reason)
    return _apply(
        review,
        "cancel",
        actor=actor,
        at=at,
        to=S.CANCELLED,
        summary=f"cancelled: {why}",
        details=[("reason", why)],
    )
