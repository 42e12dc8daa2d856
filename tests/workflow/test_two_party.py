"""Tests for the two-party lifecycle steps (perfmgmt.workflow.two_party)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from _lifecycle import CYCLE, actuals, at, goals, review, scheme
from perfmgmt.errors import TransitionError
from perfmgmt.model import (
    ActionKind,
    ActionStatus,
    CheckIn,
    CyclePlan,
    Goal,
    Interview,
    Review,
    ReviewStatus,
    SignatureRole,
    verify_history,
)
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps, loads
from perfmgmt.workflow import (
    acknowledge,
    allowed_actions,
    amend_goals,
    check_in,
    close,
    dispute_deadline,
    evaluate,
    plan_agreed_actions,
    propose_goals,
    raise_dispute,
    record_interview,
    resolve_dispute,
    share_review,
    sign_goals,
)

S = ReviewStatus
SCHEME = scheme()
ENGINE = ScoringEngine()
EMP = "p000"
MID = CYCLE.start + dt.timedelta(days=45)
EVAL = CYCLE.end


def _proposed() -> Review:
    return propose_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))


def _agreed() -> Review:
    r = sign_goals(_proposed(), actor=EMP, role="employee", at=at(CYCLE.start, 10))
    return sign_goals(r, actor="m1", role=SignatureRole.MANAGER, at=at(CYCLE.start, 11))


def _interview() -> Interview:
    return Interview(
        on=EVAL,
        interviewer="m1",
        strengths=["Calm with escalations"],
        gaps=["Handling time"],
        agreed_actions=["Shadow a senior agent", "Take the call-flow course"],
    )


def _shared(i: int = 0) -> Review:
    r = attrs.evolve(_agreed(), actuals=actuals(i))
    r = evaluate(r, ENGINE.score(SCHEME, r), cycle=CYCLE, actor="m1", at=at(EVAL))
    r = record_interview(r, _interview(), actor="m1", at=at(EVAL, 12))
    return share_review(r, actor="m1", at=at(EVAL, 13))


class TestGoalSignatures:
    def test_goals_are_agreed_only_when_both_signed(self) -> None:
        """One signature leaves the goals proposed; the second agrees them."""
        r = _proposed()
        assert r.status is S.GOALS_PROPOSED
        assert "check_in" not in allowed_actions(r)
        one = sign_goals(r, actor=EMP, role="employee", at=at(CYCLE.start, 10))
        assert one.status is S.GOALS_PROPOSED
        both = sign_goals(one, actor="m1", role="manager", at=at(CYCLE.start, 11))
        assert both.status is S.GOALS_AGREED
        assert [(s.role, s.actor) for s in both.goal_signatures] == [
            (SignatureRole.EMPLOYEE, EMP),
            (SignatureRole.MANAGER, "m1"),
        ]

    def test_each_signature_is_an_event_with_actor_role_and_time(self) -> None:
        """The audit trail names who signed, as what, and when."""
        r = _agreed()
        signed = [(e.actor, e.role, e.at) for e in r.history if e.action == "sign_goals"]
        assert signed == [
            (EMP, "employee", at(CYCLE.start, 10)),
            ("m1", "manager", at(CYCLE.start, 11)),
        ]
        assert verify_history(r).chained

    def test_order_of_signing_does_not_matter(self) -> None:
        """The manager may sign first."""
        r = sign_goals(_proposed(), actor="m1", role="manager", at=at(CYCLE.start, 10))
        r = sign_goals(r, actor=EMP, role="employee", at=at(CYCLE.start, 11))
        assert r.status is S.GOALS_AGREED

    def test_a_role_signs_once(self) -> None:
        """A second signature in the same role is refused, naming the role and the signer."""
        r = sign_goals(_proposed(), actor=EMP, role="employee", at=at(CYCLE.start, 10))
        with pytest.raises(
            TransitionError, match=r"role 'employee' has already signed \(by 'p000'"
        ):
            sign_goals(r, actor=EMP, role="employee", at=at(CYCLE.start, 11))

    def test_only_the_employee_signs_as_employee(self) -> None:
        """Someone else signing as the employee is refused, naming both ids."""
        with pytest.raises(TransitionError, match=r"actor 'm1' is not allowed; only the employee"):
            sign_goals(_proposed(), actor="m1", role="employee", at=at(CYCLE.start, 10))

    def test_the_employee_cannot_sign_as_manager(self) -> None:
        """The employee may not sign both sides."""
        with pytest.raises(TransitionError, match="may not sign as manager"):
            sign_goals(_proposed(), actor=EMP, role="manager", at=at(CYCLE.start, 10))

    def test_unknown_role_is_refused(self) -> None:
        """A role other than employee or manager is refused, naming the allowed ones."""
        with pytest.raises(TransitionError, match=r"role 'hr' is not allowed; expected one of"):
            sign_goals(_proposed(), actor="h1", role="hr", at=at(CYCLE.start, 10))

    def test_revising_the_proposal_voids_signatures(self) -> None:
        """A new proposal after one signature voids it; both sign again."""
        r = sign_goals(_proposed(), actor=EMP, role="employee", at=at(CYCLE.start, 10))
        changed = (Goal(kpi="csat", target=4.7), *goals()[1:])
        r = propose_goals(r, goals=changed, actor="m1", at=at(CYCLE.start, 12))
        assert r.goal_signatures == ()
        assert ("voided", f"employee:{EMP}") in r.history[-1].details
        assert r.status is S.GOALS_PROPOSED

    def test_amending_signed_goals_voids_both_signatures(self) -> None:
        """Changing agreed, signed goals sends them back to proposed without signatures."""
        r = check_in(_agreed(), CheckIn(on=MID, author="m1"), actor="m1", at=at(MID))
        changed = (Goal(kpi="csat", target=4.7), *goals()[1:])
        r = amend_goals(r, goals=changed, reason="new target", actor="m1", at=at(MID, 10))
        assert r.status is S.GOALS_PROPOSED
        assert r.goal_signatures == ()
        details = r.history[-1].details
        assert ("voided", f"employee:{EMP}") in details
        assert ("voided", "manager:m1") in details
        r = sign_goals(r, actor=EMP, role="employee", at=at(MID, 11))
        r = sign_goals(r, actor="m1", role="manager", at=at(MID, 12))
        assert r.status is S.MID_TERM_CHECKED  # the check-in stays

    def test_signing_outside_a_proposal_is_refused(self) -> None:
        """Signing a draft names the status and where signing is allowed."""
        with pytest.raises(TransitionError, match="sign_goals is allowed only from goals_proposed"):
            sign_goals(review(), actor=EMP, role="employee", at=at(CYCLE.start))


class TestShareAndAcknowledge:
    def test_acknowledgement_is_not_agreement(self) -> None:
        """Acknowledging records the employee's reading, says it is not agreement."""
        r = acknowledge(_shared(), actor=EMP, at=at(EVAL, 15), comment="I read it")
        assert r.status is S.ACKNOWLEDGED
        event = r.history[-1]
        assert (event.actor, event.role) == (EMP, "employee")
        assert ("agreement", "not implied") in event.details
        assert "raise_dispute" in allowed_actions(r)

    def test_only_the_employee_acknowledges(self) -> None:
        """The manager cannot acknowledge for the employee."""
        with pytest.raises(TransitionError, match="only the employee"):
            acknowledge(_shared(), actor="m1", at=at(EVAL, 15))

    def test_close_waits_for_acknowledgement(self) -> None:
        """A shared review cannot be closed until acknowledged or resolved."""
        r = _shared()
        r = plan_agreed_actions(
            r, owner=EMP, due=EVAL + dt.timedelta(days=60), actor="m1", at=at(EVAL, 14)
        )
        with pytest.raises(TransitionError, match="close is allowed only from"):
            close(r, actor="m1", at=at(EVAL, 15))
        r = acknowledge(r, actor=EMP, at=at(EVAL, 16))
        assert close(r, actor="m1", at=at(EVAL, 17)).status is S.CLOSED


class TestDispute:
    def test_deadline_counts_from_the_share(self) -> None:
        """The deadline is dispute_days after the day the review was shared."""
        r = _shared()
        assert dispute_deadline(r) == EVAL + dt.timedelta(days=14)
        assert dispute_deadline(r, CyclePlan(dispute_days=5)) == EVAL + dt.timedelta(days=5)
        assert dispute_deadline(review()) is None

    def test_dispute_after_the_deadline_is_refused(self) -> None:
        """A dispute one day late is refused, naming the date and the deadline."""
        late = EVAL + dt.timedelta(days=6)
        with pytest.raises(TransitionError, match=r"after the dispute deadline .*\(5 days"):
            raise_dispute(
                _shared(), reason="x", actor=EMP, at=at(late), plan=CyclePlan(dispute_days=5)
            )
        on_time = raise_dispute(
            _shared(),
            reason="x",
            actor=EMP,
            at=at(late - dt.timedelta(days=1)),
            plan=CyclePlan(dispute_days=5),
        )
        assert on_time.status is S.DISPUTED

    def test_dispute_after_acknowledging(self) -> None:
        """Acknowledging does not waive the right to dispute."""
        r = acknowledge(_shared(), actor=EMP, at=at(EVAL, 15))
        r = raise_dispute(r, reason="Morale survey was wrong", actor=EMP, at=at(EVAL, 16))
        assert r.status is S.DISPUTED
        assert ("reason", "Morale survey was wrong") in r.history[-1].details

    def test_upheld_keeps_the_result(self) -> None:
        """An upheld dispute leaves the result as it was."""
        r = raise_dispute(_shared(), reason="x", actor=EMP, at=at(EVAL, 15))
        before = r.result
        r = resolve_dispute(r, outcome="upheld", reason="data checked", actor="h1", at=at(EVAL, 16))
        assert r.status is S.DISPUTE_RESOLVED
        assert r.result == before
        assert r.history[-1].role == "hr"

    def test_amended_rescores_and_keeps_the_old_result_in_history(self) -> None:
        """An amendment takes the re-score; the old total and rating stay in the event."""
        r = raise_dispute(_shared(3), reason="morale misread", actor=EMP, at=at(EVAL, 15))
        assert r.result is not None
        old = r.result
        corrected = attrs.evolve(r, actuals=actuals(4))
        card = ENGINE.score(SCHEME, corrected)
        assert card.rating != old.rating
        out = resolve_dispute(
            corrected,
            outcome="amended",
            reason="survey fixed",
            actor="h1",
            at=at(EVAL, 16),
            card=card,
        )
        assert out.result is not None
        assert (out.result.total, out.result.rating) == (card.total, card.rating)
        details = dict(out.history[-1].details)
        assert details["old.rating"] == old.rating
        assert details["old.total"] == repr(old.total)
        assert details["rating"] == card.rating
        assert verify_history(out).chained

    def test_amended_without_a_change_is_refused(self) -> None:
        """A re-score equal to the old result must be resolved as upheld."""
        r = raise_dispute(_shared(), reason="x", actor=EMP, at=at(EVAL, 15))
        card = ENGINE.score(SCHEME, r)
        with pytest.raises(TransitionError, match="changes nothing; resolve with outcome 'upheld'"):
            resolve_dispute(
                r, outcome="amended", reason="r", actor="h1", at=at(EVAL, 16), card=card
            )

    def test_amended_needs_a_card(self) -> None:
        """An amendment without a re-score names the missing card."""
        r = raise_dispute(_shared(), reason="x", actor=EMP, at=at(EVAL, 15))
        with pytest.raises(TransitionError, match="card None is not allowed"):
            resolve_dispute(r, outcome="amended", reason="r", actor="h1", at=at(EVAL, 16))

    def test_unknown_outcome_is_refused(self) -> None:
        """An outcome other than upheld or amended is refused, naming the allowed ones."""
        r = raise_dispute(_shared(), reason="x", actor=EMP, at=at(EVAL, 15))
        with pytest.raises(TransitionError, match=r"outcome 'maybe' is not allowed.*'upheld'"):
            resolve_dispute(r, outcome="maybe", reason="r", actor="h1", at=at(EVAL, 16))

    def test_late_resolution_is_marked(self) -> None:
        """HR resolving after the window is allowed and marked late."""
        r = raise_dispute(_shared(), reason="x", actor=EMP, at=at(EVAL, 15))
        later = at(EVAL + dt.timedelta(days=30))
        r = resolve_dispute(r, outcome="upheld", reason="r", actor="h1", at=later)
        assert ("late", "true") in r.history[-1].details

    def test_only_the_employee_disputes(self) -> None:
        """The manager cannot raise a dispute."""
        with pytest.raises(TransitionError, match="only the employee"):
            raise_dispute(_shared(), reason="x", actor="m1", at=at(EVAL, 15))


class TestAgreedActions:
    def test_agreed_actions_become_plan_actions(self) -> None:
        """Each agreed action becomes a planned action with its owner and due date."""
        due = {
            "Shadow a senior agent": EVAL + dt.timedelta(days=30),
            "Take the call-flow course": EVAL + dt.timedelta(days=60),
        }
        owner = {"Shadow a senior agent": "m1", "Take the call-flow course": EMP}
        r = plan_agreed_actions(_shared(), owner=owner, due=due, actor="m1", at=at(EVAL, 14))
        assert r.development_plan is not None
        got = [
            (a.key, a.description, a.owner, a.due, a.kind, a.status)
            for a in r.development_plan.actions
        ]
        assert got == [
            (
                "agreed_1",
                "Shadow a senior agent",
                "m1",
                due["Shadow a senior agent"],
                ActionKind.IMPROVEMENT,
                ActionStatus.PLANNED,
            ),
            (
                "agreed_2",
                "Take the call-flow course",
                EMP,
                due["Take the call-flow course"],
                ActionKind.IMPROVEMENT,
                ActionStatus.PLANNED,
            ),
        ]
        assert r.development_plan.review == r.key

    def test_every_action_needs_an_owner(self) -> None:
        """A mapping missing an action names it and lists the agreed actions."""
        with pytest.raises(
            TransitionError, match=r"owner must name every agreed action exactly: missing \['Take"
        ):
            plan_agreed_actions(
                _shared(),
                owner={"Shadow a senior agent": "m1"},
                due=EVAL,
                actor="m1",
                at=at(EVAL, 14),
            )

    def test_due_before_the_interview_is_refused(self) -> None:
        """A due date before the interview is refused, naming both dates."""
        with pytest.raises(TransitionError, match="is before the interview"):
            plan_agreed_actions(
                _shared(), owner="m1", due=EVAL - dt.timedelta(days=1), actor="m1", at=at(EVAL, 14)
            )

    def test_planned_once(self) -> None:
        """Planning the same agreed actions twice is refused."""
        r = plan_agreed_actions(_shared(), owner="m1", due=EVAL, actor="m1", at=at(EVAL, 14))
        with pytest.raises(TransitionError, match="already has action 'agreed_1'"):
            plan_agreed_actions(r, owner="m1", due=EVAL, actor="m1", at=at(EVAL, 15))


def test_two_party_review_round_trips_and_verifies() -> None:
    """A disputed-and-resolved review survives JSON with its chain intact."""
    r = raise_dispute(_shared(), reason="x", actor=EMP, at=at(EVAL, 15))
    r = resolve_dispute(r, outcome="upheld", reason="r", actor="h1", at=at(EVAL, 16))
    back = loads(dumps(r), Review)
    assert back == r
    assert verify_history(back).chained
