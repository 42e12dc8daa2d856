"""A small scheme, cycle and department shared by the lifecycle, development and report tests."""

from __future__ import annotations

import datetime as dt

from perfmgmt.model import (
    KPI,
    Actual,
    Band,
    Category,
    CyclePlan,
    Direction,
    Goal,
    Indicator,
    Label,
    RatingScale,
    Review,
    Scheme,
    ScoringSpec,
    Subject,
)

UTC = dt.UTC
LINEAR = ScoringSpec(scorer="linear", params={"threshold_payout": 50.0, "cap": 150.0})
PLAN = CyclePlan()
CYCLE = PLAN.cycle_for(2026, 1)


def scheme() -> Scheme:
    """Return a three-KPI scheme: satisfaction up, handling time down, morale up."""
    return Scheme(
        key="cs",
        version="1",
        label=Label(en="Customer service", zh="客服"),
        categories=(
            Category(key="satisfaction", label=Label(en="Satisfaction", zh="满意度"), weight=0.6),
            Category(key="team", label=Label(en="Team", zh="团队"), weight=0.4),
        ),
        kpis=(
            KPI(
                indicator=Indicator(key="csat", label=Label(en="CSAT", zh="客户满意度")),
                category="satisfaction",
                weight=0.5,
                scoring=LINEAR,
                threshold=4.0,
                target=4.5,
                stretch=4.8,
            ),
            KPI(
                indicator=Indicator(
                    key="aht",
                    label=Label(en="Handling time", zh="平均响应时间"),
                    unit="s",
                    direction=Direction.LOWER_IS_BETTER,
                ),
                category="satisfaction",
                weight=0.5,
                scoring=LINEAR,
                threshold=300.0,
                target=240.0,
                stretch=180.0,
            ),
            KPI(
                indicator=Indicator(key="morale", label=Label(en="Team morale", zh="团队士气")),
                category="team",
                weight=1.0,
                scoring=LINEAR,
                threshold=60.0,
                target=75.0,
                stretch=90.0,
            ),
        ),
        quantitative_share=1.0,
        rating_scale=RatingScale(
            bands=(
                Band(label="C", lower=0.0, upper=80.0, guideline_share=0.2),
                Band(label="B", lower=80.0, upper=110.0, guideline_share=0.6),
                Band(label="A", lower=110.0, upper=150.0, guideline_share=0.2),
            )
        ),
        cycle_plan=PLAN,
    )


def goals() -> tuple[Goal, ...]:
    """Return goals for the three KPIs, aligned to a department objective."""
    return (
        Goal(kpi="csat", target=4.6, parent="dept_csat"),
        Goal(kpi="aht", parent="dept_speed"),
        Goal(kpi="morale"),
    )


def actuals(i: int) -> tuple[Actual, ...]:
    """Return actuals that vary with ``i`` so a department spreads over the bands."""
    return (
        Actual(kpi="csat", value=4.0 + (i % 9) * 0.1),
        Actual(kpi="aht", value=320.0 - (i % 7) * 20.0),
        Actual(kpi="morale", value=55.0 + (i % 5) * 8.0),
    )


def review(i: int = 0) -> Review:
    """Return a draft review of person ``i`` in the shared cycle."""
    return Review(
        subject=Subject(id=f"p{i:03d}", name=f"Person {i}", department="cs", manager_id="m1"),
        cycle=CYCLE.key,
        scheme="cs",
    )


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """Return an aware datetime on ``day``."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)
