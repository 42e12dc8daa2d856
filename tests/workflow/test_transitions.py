"""Tests for the review transitions, their guards and history (perfmgmt.workflow.transitions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _lifecycle import CYCLE, actuals, at, goals, review, scheme
from perfmgmt.errors import TransitionError
from perfmgmt.model import (
    ActionKind,
    Actual,
    CheckIn,
    CyclePlan,
    DevelopmentAction,
    DevelopmentPlan,
    Goal,
    Interview,
    Review,
    ReviewStatus,
    SignatureRole,
)
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps, loads
from perfmgmt.workflow import (
    ALLOWED_FROM,
    acknowledge,
    agree_goals,
    allowed_actions,
    amend_goals,
    calibrate,
    cancel,
    check_in,
    close,
    evaluate,
    plan_agreed_actions,
    propose_goals,
    raise_dispute,
    record_interview,
    reopen,
    resolve_dispute,
    set_development_plan,
    share_review,
    sign_goals,
    verify_history,
)

S = ReviewStatus
SCHEME = scheme()
ENGINE = ScoringEngine()
MID = CYCLE.start + dt.timedelta(days=45)
EVAL = CYCLE.end
LABELS = SCHEME.rating_scale.labels


def _roundtrip(r: Review) -> None:
    assert loads(dumps(r), Review) == r


def _interview(day: dt.date) -> Interview:
    return Interview(
        on=day,
        interviewer="m1",
        strengths=["Calm with escalations"],
        gaps=["Handling time"],
        agreed_actions=["Shadow a senior agent"],
        employee_comment="Fair review.",
    )


def _plan(r: Review) -> DevelopmentPlan:
    return DevelopmentPlan(
        subject_id=r.subject.id,
        actions=[
            DevelopmentAction(
                key="aht_course",
                kind=ActionKind.SKILL_TRAINING,
                description="Call-flow course",
                owner="m1",
                kpi="aht",
            )
        ],
    )


def _scored(r: Review, i: int = 0) -> tuple[Review, object]:
    r = attrs.evolve(r, actuals=actuals(i))
    return r, ENGINE.score(SCHEME, r)


class TestWholeCycle:
    def test_one_review_from_goal_setting_to_close(self) -> None:
        """A review walks draft -> closed; each step adds exactly one event and round-trips."""
        r = review(4)
        steps: list[tuple[str, S]] = []

        def check(r: Review, action: str, status: S) -> None:
            steps.append((action, status))
            assert r.status is status
            assert [(e.action, e.to_status) for e in r.history] == steps
            assert r.history[-1].actor
            _roundtrip(r)

        r = agree_goals(r, goals=goals(), scheme=SCHEME, actor="m1", at=at(CYCLE.start))
        check(r, "agree_goals", S.GOALS_AGREED)
        entry = CheckIn(on=MID, author="m1", progress=[Actual(kpi="csat", value=4.4)])
        r = check_in(r, entry, cycle=CYCLE, actor="m1", at=at(MID))
        check(r, "check_in", S.MID_TERM_CHECKED)
        data, card = _scored(r, 4)
        r = evaluate(r, card, cycle=CYCLE, actuals=data.actuals, actor="m1", at=at(EVAL))  # type: ignore[arg-type]
        check(r, "evaluate", S.EVALUATED)
        assert r.result is not None
        assert r.result.rating == card.rating  # type: ignore[attr-defined]
        assert not r.result.forced
        r = calibrate(
            r, rating="A", reason="Led the migration", labels=LABELS, actor="hr", at=at(EVAL, 15)
        )
        check(r, "calibrate", S.CALIBRATED)
        assert r.result is not None
        assert r.result.final_rating == "A"
        r = record_interview(
            r,
            _interview(EVAL + dt.timedelta(days=3)),
            actor="m1",
            at=at(EVAL + dt.timedelta(days=3)),
        )
        check(r, "record_interview", S.FEEDBACK_GIVEN)
        r = set_development_plan(r, _plan(r), actor="m1", at=at(EVAL + dt.timedelta(days=3), 10))
        check(r, "set_development_plan", S.FEEDBACK_GIVEN)
        assert r.development_plan is not None
        assert r.development_plan.review == r.key
        r = close(r, actor="m1", at=at(EVAL + dt.timedelta(days=4)))
        check(r, "close", S.CLOSED)
        assert allowed_actions(r) == ("reopen",)

    def test_department_of_thirty_in_batch(self) -> None:
        """Thirty reviews move through every step together; each history is checked per step."""
        reviews = [review(i) for i in range(30)]
        expected: list[str] = []

        def step(name: str, fn: Callable[[int, Review], Review]) -> None:
            expected.append(name)
            for i, r in enumerate(reviews):
                reviews[i] = fn(i, r)
                assert [e.action for e in reviews[i].history] == expected
                assert reviews[i].history[-1].at >= reviews[i].history[0].at

        step(
            "agree_goals",
            lambda i, r: agree_goals(r, goals=goals(), actor="m1", at=at(CYCLE.start)),
        )
        step(
            "check_in",
            lambda i, r: check_in(
                r,
                CheckIn(on=MID, author="m1", progress=actuals(i)[:1]),
                actor="m1",
                at=at(MID),
            ),
        )
        reviews[:] = [attrs.evolve(r, actuals=actuals(i)) for i, r in enumerate(reviews)]
        batch = ENGINE.score_reviews(SCHEME, reviews)
        step(
            "evaluate", lambda i, r: evaluate(r, batch.row(i), cycle=CYCLE, actor="m1", at=at(EVAL))
        )
        for i, r in enumerate(reviews):
            assert r.result is not None
            assert r.result.rating == batch.row(i).rating
        step(
            "record_interview",
            lambda i, r: record_interview(r, _interview(EVAL), actor="m1", at=at(EVAL, 11)),
        )
        step(
            "set_development_plan",
            lambda i, r: set_development_plan(r, _plan(r), actor="m1", at=at(EVAL, 12)),
        )
        step("close", lambda i, r: close(r, actor="m1", at=at(EVAL, 13)))
        assert {r.status for r in reviews} == {S.CLOSED}
        assert len({r.key for r in reviews}) == 30
        for r in reviews:
            _roundtrip(r)


def _evaluated() -> Review:
    r = agree_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
    data, card = _scored(r, 2)
    return evaluate(data, card, cycle=CYCLE, actor="m1", at=at(EVAL))  # type: ignore[arg-type]


class TestGuards:
    def test_goals_lock_once_agreed(self) -> None:
        """Agreeing goals twice is refused; an amendment needs a reason and records old and new."""
        r = agree_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
        with pytest.raises(TransitionError, match="allowed only from draft"):
            agree_goals(r, goals=goals(), actor="m1", at=at(CYCLE.start))
        new = (Goal(kpi="csat", target=4.4), *goals()[1:])
        with pytest.raises(TransitionError, match="reason"):
            amend_goals(r, goals=new, reason=" ", actor="m1", at=at(MID))
        amended = amend_goals(r, goals=new, reason="Survey vendor changed", actor="m1", at=at(MID))
        event = amended.history[-1]
        assert event.action == "amend_goals"
        assert ("reason", "Survey vendor changed") in event.details
        assert ("old", "csat(target=4.6, parent=dept_csat)") in event.details
        assert ("new", "csat(target=4.4)") in event.details
        assert amended.goal("csat") == Goal(kpi="csat", target=4.4)

    def test_goals_must_name_scheme_kpis(self) -> None:
        """Agreeing a goal for a KPI the scheme lacks names the KPIs it has."""
        with pytest.raises(TransitionError, match="name no KPI"):
            agree_goals(
                review(), goals=[Goal(kpi="nps")], scheme=SCHEME, actor="m1", at=at(CYCLE.start)
            )

    def test_no_evaluation_before_the_window(self) -> None:
        """Evaluating before the window opens is refused; forced, it is recorded with its reason."""
        r = agree_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
        data, card = _scored(r)
        with pytest.raises(TransitionError, match="opens on 2026-03-22"):
            evaluate(data, card, cycle=CYCLE, actor="m1", at=at(MID))  # type: ignore[arg-type]
        with pytest.raises(TransitionError, match="reason"):
            evaluate(data, card, cycle=CYCLE, force=True, actor="m1", at=at(MID))  # type: ignore[arg-type]
        forced = evaluate(
            data, card, cycle=CYCLE, force=True, reason="Leaving", actor="m1", at=at(MID)
        )  # type: ignore[arg-type]
        assert forced.result is not None
        assert forced.result.forced
        assert ("forced", "true") in forced.history[-1].details
        assert forced.history[-1].summary.startswith("forced evaluation")

    def test_no_close_without_interview_and_plan(self) -> None:
        """Closing needs feedback given, an interview and a development plan."""
        r = _evaluated()
        with pytest.raises(TransitionError, match=r"allowed only from .*feedback_given"):
            close(r, actor="m1", at=at(EVAL, 12))
        r = record_interview(r, _interview(EVAL), actor="m1", at=at(EVAL, 12))
        with pytest.raises(TransitionError, match="no development plan"):
            close(r, actor="m1", at=at(EVAL, 13))

    def test_closed_allows_only_reopen(self) -> None:
        """Every transition but reopen is refused on a closed review."""
        r = record_interview(_evaluated(), _interview(EVAL), actor="m1", at=at(EVAL, 12))
        r = close(
            set_development_plan(r, _plan(r), actor="m1", at=at(EVAL, 12)),
            actor="m1",
            at=at(EVAL, 13),
        )
        with pytest.raises(TransitionError, match="closed; only reopen"):
            cancel(r, reason="x", actor="m1", at=at(EVAL, 14))
        with pytest.raises(TransitionError, match="closed; only reopen"):
            calibrate(r, rating="A", reason="x", actor="m1", at=at(EVAL, 14))

    def test_reopen_keeps_the_old_result(self) -> None:
        """Reopening clears the result from the review and keeps every field of it in history."""
        r = calibrate(_evaluated(), rating="A", reason="Panel", actor="hr", at=at(EVAL, 10))
        old = r.result
        assert old is not None
        r = record_interview(r, _interview(EVAL), actor="m1", at=at(EVAL, 12))
        r = close(
            set_development_plan(r, _plan(r), actor="m1", at=at(EVAL, 12)),
            actor="m1",
            at=at(EVAL, 13),
        )
        with pytest.raises(TransitionError, match="reason"):
            reopen(r, reason="", actor="hr", at=at(EVAL, 14))
        again = reopen(r, reason="Data error in AHT", actor="hr", at=at(EVAL, 14))
        assert again.status is S.GOALS_AGREED
        assert again.result is None
        details = dict(again.history[-1].details)
        assert float(details["old.total"]) == old.total
        assert details["old.rating"] == old.rating
        assert details["old.calibrated_rating"] == "A"
        assert again.history[: len(r.history)] == r.history
        _roundtrip(again)

    def test_events_must_be_in_time_order(self) -> None:
        """A transition dated before the last event is refused."""
        r = agree_goals(review(), goals=goals(), actor="m1", at=at(MID))
        with pytest.raises(TransitionError, match="before the last event"):
            cancel(r, reason="x", actor="m1", at=at(CYCLE.start))

    def test_card_of_another_person_is_refused(self) -> None:
        """Evaluating with someone else's score card is refused."""
        r = agree_goals(review(1), goals=goals(), actor="m1", at=at(CYCLE.start))
        _, card = _scored(review(2))
        with pytest.raises(TransitionError, match="subject 'p002'"):
            evaluate(r, card, cycle=CYCLE, actor="m1", at=at(EVAL))  # type: ignore[arg-type]

    def test_calibration_to_unknown_rating(self) -> None:
        """Calibrating to a label off the scale names the scale's labels."""
        with pytest.raises(TransitionError, match="not on the rating scale"):
            calibrate(
                _evaluated(), rating="Z", reason="x", labels=LABELS, actor="hr", at=at(EVAL, 10)
            )


# -- property tests --------------------------------------------------------------------------

ACTIONS = sorted(ALLOWED_FROM)


def _amend(r: Review, when: dt.datetime) -> Review:
    goal = Goal(kpi="csat", target=4.5 + len(r.history) / 100)
    return amend_goals(r, goals=[goal], reason="r", actor="a", at=when)


def _evaluate(r: Review, when: dt.datetime) -> Review:
    data, card = _scored(r)
    return evaluate(data, card, cycle=CYCLE, force=True, reason="test", actor="a", at=when)  # type: ignore[arg-type]


_LONG_DISPUTES = CyclePlan(dispute_days=3660)


def _sign(r: Review, when: dt.datetime) -> Review:
    if any(s.role is SignatureRole.EMPLOYEE for s in r.goal_signatures):
        return sign_goals(r, actor="a", role="manager", at=when)
    return sign_goals(r, actor=r.subject.id, role="employee", at=when)


# One way to take each transition of ALLOWED_FROM, by name.
_STEPS: dict[str, Callable[[Review, dt.datetime], Review]] = {
    "agree_goals": lambda r, when: agree_goals(r, goals=goals(), actor="a", at=when),
    "amend_goals": _amend,
    "check_in": lambda r, when: check_in(
        r, CheckIn(on=when.date(), author="a"), actor="a", at=when
    ),
    "evaluate": _evaluate,
    "calibrate": lambda r, when: calibrate(r, rating="B", reason="r", actor="a", at=when),
    "record_interview": lambda r, when: record_interview(
        r, _interview(when.date()), actor="a", at=when
    ),
    "set_development_plan": lambda r, when: set_development_plan(r, _plan(r), actor="a", at=when),
    "close": lambda r, when: close(r, actor="a", at=when),
    "reopen": lambda r, when: reopen(r, reason="r", actor="a", at=when),
    "cancel": lambda r, when: cancel(r, reason="r", actor="a", at=when),
    "propose_goals": lambda r, when: propose_goals(r, goals=goals(), actor="a", at=when),
    "sign_goals": _sign,
    "share_review": lambda r, when: share_review(r, actor="a", at=when),
    "acknowledge": lambda r, when: acknowledge(r, actor=r.subject.id, at=when),
    "raise_dispute": lambda r, when: raise_dispute(
        r, reason="r", actor=r.subject.id, at=when, plan=_LONG_DISPUTES
    ),
    "resolve_dispute": lambda r, when: resolve_dispute(
        r, outcome="upheld", reason="r", actor="hr", at=when
    ),
    "plan_agreed_actions": lambda r, when: plan_agreed_actions(
        r, owner="a", due=when.date() + dt.timedelta(days=30), actor="a", at=when
    ),
}


def _apply(name: str, r: Review, when: dt.datetime) -> Review:
    return _STEPS[name](r, when)


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(names=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=25))
    def test_any_sequence_keeps_history_append_only(self, names: list[str]) -> None:
        """Allowed steps append one event and keep the review valid; forbidden steps raise."""
        r = review()
        when = at(CYCLE.start)
        for name in names:
            when += dt.timedelta(days=3)
            before = r
            allowed = r.status in ALLOWED_FROM[name]
            needs = name == "close" and (r.interview is None or r.development_plan is None)
            planned = r.development_plan is not None and any(
                a.key == "agreed_1" for a in r.development_plan.actions
            )
            needs |= name == "plan_agreed_actions" and (r.interview is None or planned)
            if not allowed or needs:
                with pytest.raises(TransitionError):
                    _apply(name, r, when)
                continue
            r = _apply(name, r, when)
            assert r.history[:-1] == before.history
            assert r.history[-1].action == name
            assert r.history[-1].from_status is before.status
            assert r.history[-1].to_status is r.status
            assert attrs.evolve(r) == r  # re-runs every validator
            assert verify_history(r).chained
            _roundtrip(r)
