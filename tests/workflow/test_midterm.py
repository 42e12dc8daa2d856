"""Tests for mid-term projections and early warnings (perfmgmt.workflow.midterm)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import pytest

from _lifecycle import CYCLE, at, goals, review, scheme
from perfmgmt.errors import ValidationError
from perfmgmt.model import Actual, CheckIn, Goal, Review, Scheme
from perfmgmt.scoring import ScoreCard, ScoringEngine
from perfmgmt.workflow import (
    Outlook,
    agree_goals,
    check_in,
    early_warnings,
    project,
    project_review,
)

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


def percent_scheme() -> Scheme:
    """Return the shared scheme with CSAT as a percentage (threshold 70, target 85, stretch 95)."""
    base = scheme()
    kpis = tuple(
        attrs.evolve(
            k,
            indicator=attrs.evolve(k.indicator, unit="%"),
            threshold=70.0,
            target=85.0,
            stretch=95.0,
        )
        if k.key == "csat"
        else k
        for k in base.kpis
    )
    return attrs.evolve(base, kpis=kpis)


def checked_in(*entries: tuple[dt.date, dict[str, float]], goals_: Sequence[Goal] = ()) -> Review:
    """Return a review with the given goals agreed and one check-in per entry."""
    r = agree_goals(review(), goals=goals_ or goals(), actor="m1", at=at(CYCLE.start))
    for day, values in entries:
        entry = CheckIn(
            on=day,
            author="m1",
            progress=[Actual(kpi=k, value=v, sample_size=40) for k, v in values.items()],
        )
        r = check_in(r, entry, actor="m1", at=at(day))
    return r


D30 = CYCLE.start + dt.timedelta(days=29)
D60 = CYCLE.start + dt.timedelta(days=59)


class TestValidRange:
    def test_percent_projection_stops_at_100(self) -> None:
        """A CSAT rising 15 points a month is projected to 100 %, not past it."""
        r = checked_in((D30, {"csat": 80.0}), (D60, {"csat": 95.0}), goals_=[Goal(kpi="csat")])
        p = {x.kpi: x for x in project(r, percent_scheme(), CYCLE)}["csat"]
        assert p.trend == pytest.approx(95.0 + 15.0 / 30 * (CYCLE.days - 60))
        assert p.trend > 100.0
        assert p.projected == 100.0
        assert p.clamped
        assert p.outlook is Outlook.ON_TRACK

    def test_time_projection_stops_at_zero(self) -> None:
        """A falling handling time in seconds is never projected below 0 s."""
        r = checked_in((D30, {"aht": 250.0}), (D60, {"aht": 100.0}))
        p = {x.kpi: x for x in project(r, SCHEME, CYCLE)}["aht"]
        assert p.trend < 0.0
        assert p.projected == 0.0
        assert p.clamped

    def test_explicit_range_wins(self) -> None:
        """An explicit range (CSAT on a five-point scale) bounds a unitless KPI."""
        r = checked_in((D30, {"csat": 4.4}), (D60, {"csat": 4.8}))
        p = {x.kpi: x for x in project(r, SCHEME, CYCLE, ranges={"csat": (1.0, 5.0)})}["csat"]
        assert p.projected == 5.0
        assert p.trend > 5.0
        unbounded = {x.kpi: x for x in project(r, SCHEME, CYCLE)}["csat"]
        assert unbounded.projected == unbounded.trend
        assert not unbounded.clamped

    def test_inside_the_range_unchanged(self) -> None:
        """A projection inside the range is the trend itself."""
        r = checked_in((D30, {"csat": 80.0}), (D60, {"csat": 81.0}), goals_=[Goal(kpi="csat")])
        p = {x.kpi: x for x in project(r, percent_scheme(), CYCLE)}["csat"]
        assert p.projected == p.trend
        assert not p.clamped

    @pytest.mark.parametrize(
        ("ranges", "match"),
        [
            ({"nps": (0.0, 10.0)}, r"ranges name \['nps'\], which are not KPIs"),
            ({"csat": (5.0, 1.0)}, r"ranges\['csat'\] is \(5.0, 1.0\); give \(low, high\)"),
        ],
    )
    def test_bad_ranges_refused(self, ranges: dict[str, tuple[float, float]], match: str) -> None:
        """A range for an unknown KPI, or with low above high, is a clear error."""
        with pytest.raises(ValidationError, match=match):
            project(checked_in((D30, {"csat": 4.4})), SCHEME, CYCLE, ranges=ranges)


def _reference_card(scheme_: Scheme, r: Review, values: dict[str, float]) -> ScoreCard:
    """Score ``r`` with ``values`` as its final actuals (what the projection should equal)."""
    final = attrs.evolve(
        r, actuals=tuple(Actual(kpi=k, value=v, sample_size=1000) for k, v in values.items())
    )
    return ScoringEngine().score(scheme_, final, cycle=CYCLE)


class TestProjectedScore:
    def test_score_total_and_band_of_the_projection(self) -> None:
        """The projected scores, total and band are the engine's on the projected actuals."""
        sch = percent_scheme()
        r = checked_in(
            (D30, {"csat": 80.0, "aht": 260.0, "morale": 70.0}),
            (D60, {"csat": 90.0, "aht": 250.0, "morale": 72.0}),
            goals_=[Goal(kpi="csat")],
        )
        out = project_review(r, sch, CYCLE)
        by = {p.kpi: p for p in out.kpis}
        assert by["csat"].projected == 100.0  # clamped before it is scored
        expected = _reference_card(sch, r, {k: p.projected for k, p in by.items()})
        assert out.total == expected.total
        assert out.rating == expected.rating
        assert out.rating is not None
        band = sch.rating_scale.band(out.rating)
        assert band.lower <= out.total <= band.upper
        for line in expected.lines:
            assert by[line.key].score == line.score
        assert by["csat"].score == sch_score_at(sch, r, "csat", 100.0)

    def test_projection_past_the_range_scores_like_the_range_end(self) -> None:
        """Scoring the clamped projection gives what the best possible value gives."""
        sch = percent_scheme()
        r = checked_in((D30, {"csat": 80.0}), (D60, {"csat": 99.0}), goals_=[Goal(kpi="csat")])
        by = {p.kpi: p for p in project_review(r, sch, CYCLE).kpis}
        assert by["csat"].trend > 100.0
        assert by["csat"].score == sch_score_at(sch, r, "csat", 100.0)

    def test_no_figures_no_rating(self) -> None:
        """Without check-in figures there is nothing to project: no scores and no rating."""
        out = project_review(checked_in(), SCHEME, CYCLE)
        assert {p.score for p in out.kpis} == {None}
        assert out.rating is None
        assert out.total is None
        assert out.warnings == ()

    def test_warnings_match_early_warnings(self) -> None:
        """The projection's warnings are the early warnings."""
        r = checked_in((MID, {"aht": 330.0, "morale": 80.0, "csat": 4.2}))
        out = project_review(r, SCHEME, CYCLE)
        assert [p.kpi for p in out.warnings] == ["aht"]
        assert [p.kpi for p in early_warnings(r, SCHEME, CYCLE)] == ["aht"]
        assert out.warnings[0].score == 0.0  # past the threshold: the linear scorer's floor

    def test_sample_size_runs_at_its_rate(self) -> None:
        """Surveys counted by mid-cycle are projected to the cycle end at the same rate."""
        r = checked_in((MID, {"csat": 4.2}))
        p = {x.kpi: x for x in project(r, SCHEME, CYCLE)}["csat"]
        day = (MID - CYCLE.start).days + 1  # MID is this day of the cycle, counting from 1
        assert p.sample_size == 40 * CYCLE.days // day


def sch_score_at(scheme_: Scheme, r: Review, key: str, value: float) -> float | None:
    """Return KPI ``key``'s score when its final actual is ``value`` (the others missing)."""
    return _reference_card(scheme_, r, {key: value}).line(key).score
