"""Tests for mid-term projections and early warnings (perfmgmt.workflow.midterm)."""

from __future__ import annotations

import datetime as dt

import pytest

from _lifecycle import CYCLE, at, goals, review, scheme
from perfmgmt.model import Actual, CheckIn, Review
from perfmgmt.workflow import Outlook, agree_goals, check_in, early_warnings, project

SCHEME = scheme()
MID = CYCLE.start + dt.timedelta(days=45)


class TestProjection:
    def _with(self, *entries: tuple[dt.date, dict[str, float]]) -> Review:
        r = agree_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
        for day, values in entries:
            entry = CheckIn(
                on=day, author="m1", progress=[Actual(kpi=k, value=v) for k, v in values.items()]
            )
            r = check_in(r, entry, actor="m1", at=at(day))
        return r

    def test_linear_trend_to_cycle_end(self) -> None:
        """Two check-ins project along their line to the cycle's last day."""
        d1, d2 = CYCLE.start + dt.timedelta(days=29), CYCLE.start + dt.timedelta(days=59)
        r = self._with((d1, {"csat": 4.0}), (d2, {"csat": 4.2}))
        p = {x.kpi: x for x in project(r, SCHEME, CYCLE)}["csat"]
        assert p.latest == 4.2
        assert p.on == d2
        assert p.projected == pytest.approx(4.2 + 0.2 / 30 * (CYCLE.days - 60))
        assert p.target == 4.6  # the agreed goal overrides the scheme's 4.5

    def test_direction_aware_warnings(self) -> None:
        """Handling time projected above its threshold warns; morale at target does not."""
        r = self._with((MID, {"aht": 330.0, "morale": 80.0, "csat": 4.2}))
        by = {p.kpi: p for p in project(r, SCHEME, CYCLE)}
        assert by["aht"].outlook is Outlook.OFF_TRACK
        assert by["morale"].outlook is Outlook.ON_TRACK
        assert by["csat"].outlook is Outlook.AT_RISK
        assert [p.kpi for p in early_warnings(r, SCHEME, CYCLE)] == ["aht"]

    def test_cumulative_runs_at_rate(self) -> None:
        """A cumulative KPI halfway through the cycle projects to twice its figure."""
        half = CYCLE.start + dt.timedelta(days=CYCLE.days // 2 - 1)
        r = self._with((half, {"morale": 40.0}))
        p = {x.kpi: x for x in project(r, SCHEME, CYCLE, cumulative={"morale"})}["morale"]
        assert p.projected == pytest.approx(40.0 * CYCLE.days / (CYCLE.days // 2))

    def test_no_data(self) -> None:
        """A KPI without figures has no projection and no warning."""
        r = self._with()
        assert {p.outlook for p in project(r, SCHEME, CYCLE)} == {Outlook.NO_DATA}
