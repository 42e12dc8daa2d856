"""Tests for development suggestions and carry-forward (perfmgmt.workflow.development)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from _lifecycle import CYCLE, PLAN, at, goals, review, scheme
from perfmgmt.errors import TransitionError, ValidationError
from perfmgmt.model import (
    ActionKind,
    ActionStatus,
    Actual,
    DevelopmentPolicy,
    SkillLink,
    SkillMap,
    TriggerWhen,
    WellbeingTrigger,
)
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps, loads
from perfmgmt.workflow import agree_goals, carry_forward, suggest_development

SCHEME = scheme()
POLICY = DevelopmentPolicy(
    skill_map=SkillMap(
        links=[
            SkillLink(kpi="csat", skill="empathy", training="Empathy workshop"),
            SkillLink(kpi="aht", skill="call flow", training="Call-flow course", below_score=90.0),
        ]
    ),
    high_ratings=("A",),
    career_after=2,
    wellbeing=[
        WellbeingTrigger(kpi="morale", when=TriggerWhen.BELOW, limit=60.0, reason="Low team morale")
    ],
)
ON = CYCLE.end + dt.timedelta(days=5)


def _card(values: dict[str, float]):  # type: ignore[no-untyped-def]
    r = attrs.evolve(review(), actuals=[Actual(kpi=k, value=v) for k, v in values.items()])
    return ScoringEngine().score(SCHEME, r)


class TestSuggestions:
    def test_gaps_become_training(self) -> None:
        """A KPI scoring below its link's limit gets that training, due after due_days."""
        card = _card({"csat": 4.2, "aht": 230.0, "morale": 80.0})
        plan = suggest_development(SCHEME, card, policy=POLICY, owner="m1", on=ON)
        assert [(a.kind, a.kpi, a.skill) for a in plan.actions] == [
            (ActionKind.SKILL_TRAINING, "csat", "empathy")
        ]
        assert plan.actions[0].due == ON + dt.timedelta(days=90)
        assert "Empathy workshop" in plan.actions[0].description

    def test_limit_is_per_link(self) -> None:
        """Handling time scoring between 90 and 100 gets no training under a 90 limit."""
        card = _card({"csat": 4.7, "aht": 245.0, "morale": 80.0})
        assert 90 <= card.line("aht").score < 100
        plan = suggest_development(SCHEME, card, policy=POLICY, owner="m1", on=ON)
        assert plan.actions == ()

    def test_career_step_after_high_ratings(self) -> None:
        """A second consecutive high rating suggests a career step; a gap in the run does not."""
        card = _card({"csat": 4.8, "aht": 180.0, "morale": 90.0})
        assert card.rating == "A"
        plan = suggest_development(SCHEME, card, ["B", "A"], policy=POLICY, owner="m1", on=ON)
        assert [a.kind for a in plan.actions] == [ActionKind.CAREER_STEP]
        plan = suggest_development(SCHEME, card, ["A", "B"], policy=POLICY, owner="m1", on=ON)
        assert plan.actions == ()

    def test_wellbeing_on_low_morale_or_request(self) -> None:
        """Low morale or the person's request adds wellbeing support with the reasons."""
        card = _card({"csat": 4.7, "aht": 200.0, "morale": 50.0})
        plan = suggest_development(SCHEME, card, policy=POLICY, owner="m1", on=ON)
        assert [a.kind for a in plan.actions] == [ActionKind.WELLBEING_SUPPORT]
        assert "Low team morale" in plan.actions[0].description
        calm = _card({"csat": 4.7, "aht": 200.0, "morale": 80.0})
        asked = suggest_development(
            SCHEME, calm, policy=POLICY, owner="m1", on=ON, wellbeing_requested=True
        )
        assert "requested" in asked.actions[0].description

    def test_card_of_another_scheme(self) -> None:
        """A card from another scheme is refused."""
        card = attrs.evolve(_card({"csat": 4.7}), scheme_key="other")
        with pytest.raises(ValidationError, match="scheme 'other'"):
            suggest_development(SCHEME, card, policy=POLICY, owner="m1", on=ON)

    def test_policy_round_trips(self) -> None:
        """The development policy survives JSON."""
        assert loads(dumps(POLICY), DevelopmentPolicy) == POLICY

    def test_duplicate_skill_link(self) -> None:
        """A KPI linked to the same skill twice is refused."""
        link = SkillLink(kpi="csat", skill="empathy", training="x")
        with pytest.raises(ValidationError, match="twice"):
            SkillMap(links=[link, link])


class TestCarryForward:
    def test_open_actions_join_next_goals(self) -> None:
        """Open actions move into the next draft review's plan and annotate its goals."""
        card = _card({"csat": 4.1, "aht": 200.0, "morale": 50.0})
        plan = suggest_development(SCHEME, card, policy=POLICY, owner="m1", on=ON, review=review())
        done = attrs.evolve(plan.actions[0], key="old_done", status=ActionStatus.DONE)
        plan = attrs.evolve(plan, actions=(*plan.actions, done))
        nxt = attrs.evolve(review(), cycle=PLAN.cycle_for(2026, 2).key, goals=goals())
        carried = carry_forward(plan, nxt)
        assert carried.development_plan is not None
        assert [a.key for a in carried.development_plan.actions] == [
            a.key for a in plan.open_actions
        ]
        csat = carried.goal("csat")
        assert csat is not None
        assert "carried from p000@FY2026Q1" in csat.note
        assert csat.target == 4.6  # the agreed target is untouched
        assert carry_forward(plan, carried) == carried  # idempotent

    def test_only_into_a_draft(self) -> None:
        """Carrying into a review whose goals are agreed is refused."""
        plan = suggest_development(SCHEME, _card({"csat": 4.1}), policy=POLICY, owner="m1", on=ON)
        locked = agree_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
        with pytest.raises(TransitionError, match="draft"):
            carry_forward(plan, locked)
