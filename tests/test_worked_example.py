"""The founding document's scheme scored by hand: every expected number is worked out below.

Scheme (customer-service department managers, 70/30 quantitative/qualitative, A-E):

    category      weight  KPI (weight in category)            scorer
    satisfaction  0.30    csat 客户满意度 (1.0)                 linear 80/90/95, gate <70 caps at 60
    efficiency    0.25    aht 平均响应时间, s, lower (0.5)      linear 60/45/30
                          fcr 首次接触解决率, % (0.5)           ratio target 80, cap 120
    team          0.20    morale 团队士气指数 (0.6)             linear 70/80/90
                          training 员工培训与发展, h (0.4)      banded 10,20,30: 0/60/100/120 ZERO
    cost          0.15    cost_saving 服务成本节约率, % (1.0)   linear 0/5/10
    innovation    0.10    innovation 服务创新项目数量 (1.0)     banded 1|2|3 -> 0/80/100/130

    linear: 50 at threshold, 100 at target, 150 at stretch, 0 below threshold.
    Nominal weights: csat .30, aht .125, fcr .125, morale .12, training .08, cost .15, innov .10.
    Criteria attitude/teamwork 0.5/0.5 on 1-5 with target rating 4 (score 100*(r-1)/3);
    sources manager 0.7 (min 1 rater), peer 0.3 (min 2 raters).
    Bands: E [0,60) D [60,75) C [75,90) B [90,110) A [110,150].
"""

from __future__ import annotations

import datetime as dt

import pytest

from perfmgmt.model import (
    KPI,
    Actual,
    Assessment,
    AssessmentSource,
    Band,
    Category,
    Cycle,
    Direction,
    Gate,
    GateEffect,
    Goal,
    Indicator,
    Label,
    MissingPolicy,
    QualitativeCriterion,
    RatingScale,
    Review,
    Scale,
    Scheme,
    ScoringSpec,
    SourcePolicy,
    Subject,
)
from perfmgmt.scoring import KpiFlag, ReviewFlag, ScoringEngine

LOWER = Direction.LOWER_IS_BETTER


def _kpi(key: str, zh: str, category: str, weight: float, scorer: str, **kw: object) -> KPI:
    direction = kw.pop("direction", Direction.HIGHER_IS_BETTER)
    params = kw.pop("params", {})
    return KPI(
        indicator=Indicator(key=key, label=Label(en=key, zh=zh), direction=direction),  # type: ignore[arg-type]
        category=category,
        weight=weight,
        scoring=ScoringSpec(scorer=scorer, params=params),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def founding_scheme() -> Scheme:
    """Build the founding document's scheme."""
    cat = [
        ("satisfaction", "客户满意度", 0.30),
        ("efficiency", "服务效率", 0.25),
        ("team", "团队管理", 0.20),
        ("cost", "成本控制", 0.15),
        ("innovation", "创新能力", 0.10),
    ]
    kpis = [
        _kpi(
            "csat",
            "客户满意度得分",
            "satisfaction",
            1.0,
            "linear",
            threshold=80.0,
            target=90.0,
            stretch=95.0,
            min_sample=30,
            gate=Gate(threshold=70.0, effect=GateEffect.CAP, cap=60.0),
        ),
        _kpi(
            "aht",
            "平均响应时间",
            "efficiency",
            0.5,
            "linear",
            direction=LOWER,
            threshold=60.0,
            target=45.0,
            stretch=30.0,
            missing=MissingPolicy.REALLOCATE,
        ),
        _kpi("fcr", "首次接触解决率", "efficiency", 0.5, "ratio", target=80.0, params={"cap": 120}),
        _kpi(
            "morale",
            "团队士气指数",
            "team",
            0.6,
            "linear",
            threshold=70.0,
            target=80.0,
            stretch=90.0,
        ),
        _kpi(
            "training",
            "员工培训与发展",
            "team",
            0.4,
            "banded",
            params={"edges": (10, 20, 30), "scores": (0, 60, 100, 120)},
            missing=MissingPolicy.ZERO,
        ),
        _kpi(
            "cost_saving",
            "服务成本节约率",
            "cost",
            1.0,
            "linear",
            threshold=0.0,
            target=5.0,
            stretch=10.0,
        ),
        _kpi(
            "innovation",
            "服务创新项目数量",
            "innovation",
            1.0,
            "banded",
            params={"edges": (1, 2, 3), "scores": (0, 80, 100, 130)},
        ),
    ]
    scale = Scale(low=1, high=5, target=4)
    return Scheme(
        key="cs_managers",
        version="2026.1",
        label=Label(en="Customer service managers", zh="客服部门经理绩效管理方案"),
        categories=[Category(key=k, label=Label(en=k, zh=z), weight=w) for k, z, w in cat],
        kpis=kpis,
        criteria=[
            QualitativeCriterion(
                key="attitude", label=Label(en="Attitude", zh="工作态度"), weight=0.5, scale=scale
            ),
            QualitativeCriterion(
                key="teamwork", label=Label(en="Teamwork", zh="团队协作"), weight=0.5, scale=scale
            ),
        ],
        sources=[
            SourcePolicy(source=AssessmentSource.MANAGER, weight=0.7, min_raters=1),
            SourcePolicy(source=AssessmentSource.PEER, weight=0.3, min_raters=2),
        ],
        quantitative_share=0.7,
        rating_scale=RatingScale(
            bands=[
                Band(label="E", lower=0, upper=60),
                Band(label="D", lower=60, upper=75),
                Band(label="C", lower=75, upper=90),
                Band(label="B", lower=90, upper=110),
                Band(label="A", lower=110, upper=150),
            ]
        ),
        min_eligible_days=30,
    )


CYCLE = Cycle(key="q1_2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))

M, P = AssessmentSource.MANAGER, AssessmentSource.PEER


def _ass(crit: str, src: AssessmentSource, rater: str, rating: float) -> Assessment:
    return Assessment(criterion=crit, source=src, rater_id=rater, rating=rating)


def _acts(**values: float | None) -> list[Actual]:
    return [
        Actual(kpi=k, value=v, sample_size=120 if k == "csat" else None) for k, v in values.items()
    ]


LI_WEI = Review(
    subject=Subject(id="li_wei", hire_date=dt.date(2020, 5, 1)),
    cycle="q1_2026",
    scheme="cs_managers",
    actuals=_acts(csat=92, aht=40, fcr=76, morale=75, training=24, cost_saving=6, innovation=2),
    assessments=[
        _ass("attitude", M, "boss", 4),
        _ass("attitude", P, "p1", 3),
        _ass("attitude", P, "p2", 5),
        _ass("teamwork", M, "boss", 5),
        _ass("teamwork", P, "p1", 3),
        _ass("teamwork", P, "p2", 4),
    ],
)

ZHANG_MIN = Review(
    subject=Subject(id="zhang_min", hire_date=dt.date(2024, 1, 1)),
    cycle="q1_2026",
    scheme="cs_managers",
    goals=[Goal(kpi="fcr", target=70.0)],
    actuals=[
        Actual(kpi="csat", value=65, sample_size=40),
        Actual(kpi="fcr", value=84),
        Actual(kpi="morale", value=82),
        Actual(kpi="cost_saving", value=5),
        Actual(kpi="innovation", value=3),
    ],
    assessments=[
        _ass("attitude", M, "boss", 3),
        _ass("attitude", P, "p1", 5),
        _ass("teamwork", M, "boss", 4),
    ],
)

NEWCOMER = Review(
    subject=Subject(id="newcomer", hire_date=dt.date(2026, 3, 15)),
    cycle="q1_2026",
    scheme="cs_managers",
    actuals=_acts(csat=95, aht=30, fcr=90, morale=90, training=30, cost_saving=10, innovation=3),
    assessments=[_ass("attitude", M, "boss", 5), _ass("teamwork", M, "boss", 5)],
)


class TestLiWei:
    """Everything measured; a solid quarter."""

    card = ScoringEngine().score(founding_scheme(), LI_WEI, cycle=CYCLE)

    def test_kpi_scores(self) -> None:
        """Each KPI score follows its formula."""
        s = {ln.key: ln.score for ln in self.card.lines}
        assert s["csat"] == pytest.approx(120.0)  # 100 + 50*(92-90)/(95-90)
        assert s["aht"] == pytest.approx(350 / 3)  # 100 + 50*(45-40)/(45-30) = 116.667
        assert s["fcr"] == pytest.approx(95.0)  # 100 * 76/80
        assert s["morale"] == pytest.approx(75.0)  # 50 + 50*(75-70)/(80-70)
        assert s["training"] == 100.0  # 24 h in band [20, 30)
        assert s["cost_saving"] == pytest.approx(110.0)  # 100 + 50*(6-5)/(10-5)
        assert s["innovation"] == 100.0  # 2 projects in band [2, 3)

    def test_quantitative(self) -> None:
        """Quantitative = sum of nominal weight x score (nothing reallocated)."""
        # .3*120 + .125*116.667 + .125*95 + .12*75 + .08*100 + .15*110 + .1*100
        # = 36 + 14.5833 + 11.875 + 9 + 8 + 16.5 + 10 = 105.9583
        assert self.card.quantitative == pytest.approx(91.375 + 43.75 / 3)
        assert not self.card.gated

    def test_categories(self) -> None:
        """Category subtotals are weighted means within the category."""
        c = {cl.key: cl.score for cl in self.card.categories}
        assert c["efficiency"] == pytest.approx(0.5 * 350 / 3 + 0.5 * 95)  # 105.833
        assert c["team"] == pytest.approx(0.6 * 75 + 0.4 * 100)  # 85

    def test_qualitative(self) -> None:
        """Ratings become 100*(r-1)/3, weighted 0.7/0.3 by source, 0.5/0.5 by criterion."""
        # attitude: manager 4 -> 100; peers mean 4 -> 100; = 100
        # teamwork: manager 5 -> 133.333; peers mean 3.5 -> 83.333; .7*133.333+.3*83.333 = 118.333
        crit = {c.key: c.score for c in self.card.criteria}
        assert crit["attitude"] == pytest.approx(100.0)
        assert crit["teamwork"] == pytest.approx(118.0 + 1 / 3)
        assert self.card.qualitative == pytest.approx(109.0 + 1 / 6)

    def test_total_and_rating(self) -> None:
        """Total = .7 x 105.9583 + .3 x 109.1667 = 106.9208, band B [90, 110)."""
        assert self.card.total == pytest.approx(0.7 * (91.375 + 43.75 / 3) + 0.3 * (109 + 1 / 6))
        assert self.card.total == pytest.approx(106.920833, abs=1e-6)
        assert self.card.rating == "B"
        assert self.card.rated


class TestZhangMin:
    """A gate fires, one KPI is missing (reallocated), one missing scores 0, a goal overrides."""

    card = ScoringEngine().score(founding_scheme(), ZHANG_MIN, cycle=CYCLE)

    def test_flags(self) -> None:
        """Missing aht is reallocated, missing training scored zero, csat gated, fcr overridden."""
        f = {ln.key: ln.flags for ln in self.card.lines}
        assert f["aht"] == KpiFlag.MISSING | KpiFlag.REALLOCATED
        assert f["training"] == KpiFlag.MISSING | KpiFlag.SCORED_ZERO
        assert f["csat"] == KpiFlag.GATED | KpiFlag.REWEIGHTED
        assert f["fcr"] == KpiFlag.OVERRIDDEN_TARGET | KpiFlag.REWEIGHTED

    def test_scores_and_weights(self) -> None:
        """The agreed fcr target 70 gives 84/70 = 1.2 -> 120; aht's weight goes to measured KPIs.

        aht (0.125) is reallocated; training (0.08) is scored 0 and keeps its own weight, so it
        takes none of aht's: the measured KPIs (0.795 of the weight) are scaled by 0.92 / 0.795.
        """
        ln = self.card.line("fcr")
        assert ln.target == 70.0
        assert ln.score == pytest.approx(120.0)
        assert self.card.line("csat").score == 0.0  # 65 < threshold 80
        assert self.card.line("aht").score is None
        assert self.card.line("aht").effective_weight == 0.0
        assert self.card.line("csat").effective_weight == pytest.approx(0.30 * 0.92 / 0.795)
        assert self.card.line("training").effective_weight == pytest.approx(0.08)
        assert sum(ln.effective_weight for ln in self.card.lines) == pytest.approx(1.0)

    def test_gate_caps_quantitative(self) -> None:
        """Raw = (.125*120 + .12*110 + .15*100 + .1*130) x .92/.795 = 65.04; the gate caps at 60."""
        # .125*120 = 15, .12*110 = 13.2 (morale 100+50*2/10), .15*100 = 15, .1*130 = 13
        assert self.card.raw_quantitative == pytest.approx(56.2 * 0.92 / 0.795)
        assert self.card.quantitative == 60.0
        assert self.card.gated

    def test_qualitative_source_below_minimum_left_out(self) -> None:
        """One peer (minimum 2) is left out: attitude = manager 3 -> 66.667, teamwork 100."""
        crit = {c.key: c.score for c in self.card.criteria}
        assert crit["attitude"] == pytest.approx(200 / 3)
        assert crit["teamwork"] == pytest.approx(100.0)
        assert self.card.qualitative == pytest.approx(250 / 3)

    def test_total(self) -> None:
        """Total = .7 x 60 + .3 x 83.333 = 67, band D [60, 75)."""
        assert self.card.total == pytest.approx(67.0)
        assert self.card.rating == "D"


class TestNewcomer:
    """Hired 2026-03-15: 17 eligible days of 90, below the scheme's 30-day minimum."""

    card = ScoringEngine().score(founding_scheme(), NEWCOMER, cycle=CYCLE)

    def test_not_rated(self) -> None:
        """Too new to rate: no total, no rating, flagged NOT_ELIGIBLE, scores still shown."""
        assert not self.card.rated
        assert self.card.total is None
        assert self.card.rating is None
        assert self.card.flags & ReviewFlag.NOT_ELIGIBLE
        assert self.card.line("csat").score == 150.0

    def test_eligible_fraction(self) -> None:
        """Eligible fraction = 17 / 90 (15 Mar to 31 Mar inclusive, of a 90-day quarter)."""
        assert self.card.eligible_fraction == pytest.approx(17 / 90)


class TestBatchAgrees:
    def test_batch_rows_equal_scalar_cards(self) -> None:
        """Scoring the three reviews as a batch gives the same cards as one by one."""
        scheme = founding_scheme()
        eng = ScoringEngine()
        batch = eng.score_reviews(scheme, [LI_WEI, ZHANG_MIN, NEWCOMER], cycle=CYCLE)
        for i, r in enumerate([LI_WEI, ZHANG_MIN, NEWCOMER]):
            assert batch.row(i) == eng.score(scheme, r, cycle=CYCLE)
        assert batch.rating().tolist() == ["B", "D", None]
