"""Tests for the goal-alignment report (perfmgmt.workflow.alignment)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _lifecycle import CYCLE, actuals, at, goals, review, scheme
from perfmgmt.errors import TransitionError, ValidationError
from perfmgmt.model import Goal, Objective, ObjectiveLevel, Review
from perfmgmt.workflow import agree_goals, alignment_report, amend_goals, check_goals

SCHEME = scheme()


class TestAlignment:
    def test_coverage_report(self) -> None:
        """Goals climbing to a company objective are aligned; others are listed by kind."""
        objectives = [
            Objective(key="co_loyal", level=ObjectiveLevel.COMPANY, title="Loyal customers"),
            Objective(key="co_cost", level=ObjectiveLevel.COMPANY, title="Lean costs"),
            Objective(
                key="dept_csat",
                level=ObjectiveLevel.DEPARTMENT,
                title="CSAT 4.6",
                parent="co_loyal",
            ),
        ]
        r = attrs.evolve(review(), goals=goals())
        report = alignment_report(objectives, [r])
        assert [(g.kpi, g.chain) for g in report.aligned] == [("csat", ("dept_csat", "co_loyal"))]
        assert [g.kpi for g in report.unaligned] == ["morale"]
        assert [(g.kpi, g.problem) for g in report.broken] == [
            ("aht", "objective 'dept_speed' is unknown")
        ]
        assert report.unsupported == ("co_cost",)
        assert report.coverage == pytest.approx(1 / 3)

    def test_company_objective_has_no_parent(self) -> None:
        """A company objective with a parent is refused."""
        from perfmgmt.errors import ValidationError

        with pytest.raises(ValidationError, match="company objective"):
            Objective(key="x", level=ObjectiveLevel.COMPANY, title="X", parent="y")


class TestGoalBounds:
    """Agreed goals are held to the scheme's bounds when they are agreed."""

    def agree(self, *agreed: Goal) -> Review:
        """Agree ``agreed`` on a draft review under the shared scheme."""
        return agree_goals(review(), goals=agreed, scheme=SCHEME, actor="m1", at=at(CYCLE.start))

    def test_target_above_stretch(self) -> None:
        """A CSAT target above the scheme's stretch is refused, naming KPI, value and range."""
        with pytest.raises(TransitionError) as info:
            self.agree(Goal(kpi="csat", target=4.9))
        message = str(info.value)
        assert "goal for KPI 'csat': target 4.9 is not allowed" in message
        assert "above the scheme threshold (4)" in message
        assert "below the scheme stretch (4.8)" in message

    def test_lower_is_better_target_on_wrong_side(self) -> None:
        """A handling-time target above its threshold is on the wrong side for lower-is-better."""
        with pytest.raises(TransitionError, match=r"target 320 is not allowed; for a lower-is-b"):
            self.agree(Goal(kpi="aht", target=320.0))

    def test_agreed_bounds_checked_together(self) -> None:
        """Agreed bounds are checked against each other before the scheme's defaults."""
        with pytest.raises(
            TransitionError, match=r"target 4.6 is not allowed.*agreed stretch \(4.5\)"
        ):
            self.agree(Goal(kpi="csat", target=4.6, stretch=4.5))
        r = self.agree(Goal(kpi="csat", threshold=4.2, target=4.9, stretch=5.0))
        assert r.goal("csat") == Goal(kpi="csat", threshold=4.2, target=4.9, stretch=5.0)

    def test_unit_range(self) -> None:
        """A time target below 0 s is outside the indicator's possible values."""
        with pytest.raises(ValidationError, match=r"aht.*stretch -5 .*\[0, inf\]"):
            check_goals([Goal(kpi="aht", stretch=-5.0)], SCHEME)

    def test_amendments_checked_too(self) -> None:
        """An amendment is held to the same bounds as the agreement."""
        r = self.agree(*goals())
        with pytest.raises(TransitionError, match=r"target 4\.9"):
            amend_goals(
                r,
                goals=[Goal(kpi="csat", target=4.9)],
                reason="raise the bar",
                scheme=SCHEME,
                actor="m1",
                at=at(CYCLE.start),
            )

    def test_goals_within_bounds_pass(self) -> None:
        """Goals inside the bounds are agreed, and score without error."""
        from perfmgmt.scoring import ScoringEngine

        r = self.agree(*goals())
        card = ScoringEngine().score(SCHEME, attrs.evolve(r, actuals=actuals(3)))
        assert card.rated

    @given(target=st.floats(min_value=3.0, max_value=6.0, allow_nan=False))
    def test_refused_exactly_when_scoring_would_refuse(self, target: float) -> None:
        """check_goals refuses a target exactly when scoring the review would refuse it."""
        from perfmgmt.errors import ScoringError
        from perfmgmt.scoring import ScoringEngine

        goal = Goal(kpi="csat", target=target)
        try:
            check_goals([goal], SCHEME)
            refused_now = False
        except ValidationError:
            refused_now = True
        try:
            draft = attrs.evolve(review(), goals=(goal,), actuals=actuals(1))
            ScoringEngine().score(SCHEME, draft)
            refused_later = False
        except ScoringError:
            refused_later = True
        assert refused_now == refused_later
