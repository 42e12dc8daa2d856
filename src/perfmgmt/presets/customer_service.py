"""The founding document's scheme for customer-service department managers (客服部经理).

:func:`customer_service_manager` returns the whole scheme: seven KPIs in five categories, the
qualitative criteria (work attitude, teamwork), the 70/30 blend, an A-E rating scale with a
10/20/40/20/10 guideline distribution, incentive and penalty rules, and a quarterly cycle plan.
:func:`customer_service_development` returns the matching development policy (training for KPI
gaps, a career step after consistently high ratings, wellbeing support on low morale).

Both are starting points: every part is a frozen object, changed with :func:`attrs.evolve`.
Where each default comes from (the document, or a stated judgement) is explained in
``docs/explanation/preset.md``.
"""

from __future__ import annotations

from decimal import Decimal

from perfmgmt.model import (
    KPI,
    AdjustmentKind,
    AssessmentSource,
    Band,
    Bonus,
    Category,
    CyclePlan,
    DecisionTable,
    Deduction,
    DeductionBasis,
    Direction,
    Frequency,
    Gate,
    GateEffect,
    HitPolicy,
    Honour,
    IncentiveRule,
    Indicator,
    Label,
    MissingPolicy,
    PositionAdjustment,
    Promotion,
    QualitativeCriterion,
    RatingScale,
    Scale,
    Scheme,
    ScoringSpec,
    SourcePolicy,
    TableInput,
    TableRow,
    TrainingOpportunity,
)
from perfmgmt.model.development import (
    DevelopmentPolicy,
    SkillLink,
    SkillMap,
    TriggerWhen,
    WellbeingTrigger,
)
from perfmgmt.rules import rule

__all__ = [
    "SCHEME_KEY",
    "customer_service_development",
    "customer_service_manager",
]

SCHEME_KEY = "customer_service_manager"
"""The key of the preset scheme."""

_LINEAR = ScoringSpec(scorer="linear", params={"threshold_payout": 50.0, "cap": 150.0})


def _categories() -> tuple[Category, ...]:
    return (
        Category(key="satisfaction", label=Label(en="Customer satisfaction", zh="客户满意度"),
                 weight=0.30),
        Category(key="efficiency", label=Label(en="Service efficiency", zh="服务效率"),
                 weight=0.25),
        Category(key="team", label=Label(en="Team management", zh="团队管理"), weight=0.20),
        Category(key="cost", label=Label(en="Cost control", zh="成本控制"), weight=0.15),
        Category(key="innovation", label=Label(en="Innovation", zh="创新能力"), weight=0.10),
    )  # fmt: skip


def _kpis() -> tuple[KPI, ...]:
    csat = KPI(
        indicator=Indicator(
            key="csat",
            label=Label(en="Customer satisfaction score", zh="客户满意度得分"),
            unit="%",
            precision=1,
            source="CRM ticket ratings: share of rated tickets scoring 4-5 of 5 (top-two box)",
            description="Collected through customer surveys and online ratings; reflects the "
            "customers' overall satisfaction with the service.",
        ),
        category="satisfaction",
        weight=1.0,
        scoring=_LINEAR,
        threshold=70.0,
        target=80.0,
        stretch=90.0,
        gate=Gate(threshold=60.0, effect=GateEffect.CAP, cap=80.0),
        min_sample=30,
    )
    response = KPI(
        indicator=Indicator(
            key="response_time",
            label=Label(en="Average response time", zh="平均响应时间"),
            unit="minutes",
            direction=Direction.LOWER_IS_BETTER,
            precision=1,
            source="CRM tickets: mean minutes from the first inbound message to the first "
            "human reply (calendar time)",
            description="How fast the team responds to customer enquiries.",
        ),
        category="efficiency",
        weight=0.5,
        scoring=_LINEAR,
        threshold=40.0,
        target=20.0,
        stretch=10.0,
        min_sample=30,
    )
    fcr = KPI(
        indicator=Indicator(
            key="fcr",
            label=Label(en="First-contact resolution rate", zh="首次接触解决率"),
            unit="%",
            precision=1,
            source="CRM tickets: share resolved with no repeat contact by the same customer "
            "within 7 days",
            description="Share of problems solved at the first contact; shows service quality "
            "and efficiency.",
        ),
        category="efficiency",
        weight=0.5,
        scoring=_LINEAR,
        threshold=60.0,
        target=72.0,
        stretch=85.0,
        min_sample=30,
    )
    morale = KPI(
        indicator=Indicator(
            key="morale",
            label=Label(en="Team morale index", zh="团队士气指数"),
            unit="points",
            precision=1,
            source="Monthly employee pulse survey: mean score rescaled from 1-5 to 0-100",
            description="Team members' job satisfaction and motivation, from internal surveys.",
        ),
        category="team",
        weight=0.5,
        scoring=_LINEAR,
        threshold=55.0,
        target=65.0,
        stretch=80.0,
        min_sample=5,
    )
    training = KPI(
        indicator=Indicator(
            key="training",
            label=Label(en="Staff training and development", zh="员工培训与发展"),
            unit="hours per member",
            precision=1,
            source="Training records: training hours in the quarter per team member "
            "(headcount from the HRIS)",
            description="The manager's contribution to the team's skills and personal growth.",
        ),
        category="team",
        weight=0.5,
        scoring=_LINEAR,
        threshold=4.0,
        target=8.0,
        stretch=16.0,
    )
    cost = KPI(
        indicator=Indicator(
            key="cost_saving",
            label=Label(en="Service cost saving rate", zh="服务成本节约率"),
            unit="%",
            precision=1,
            source="CRM ticket costs: fall in cost per contact against the previous quarter",
            description="How much process improvements and efficiency lowered the cost of service.",
        ),
        category="cost",
        weight=1.0,
        scoring=_LINEAR,
        threshold=-2.0,
        target=2.0,
        stretch=6.0,
        min_sample=30,
    )
    innovation = KPI(
        indicator=Indicator(
            key="innovation",
            label=Label(en="Service innovation projects", zh="服务创新项目数量"),
            unit="count",
            precision=0,
            source="Project register: innovation projects delivered in the quarter",
            description="Innovative service initiatives proposed and delivered to improve the "
            "customer experience.",
        ),
        category="innovation",
        weight=1.0,
        scoring=ScoringSpec(
            scorer="banded", params={"edges": (1.0, 2.0, 3.0), "scores": (0.0, 100.0, 125.0, 150.0)}
        ),
        target=1.0,
        missing=MissingPolicy.ZERO,
    )
    return (csat, response, fcr, morale, training, cost, innovation)


def _criteria() -> tuple[QualitativeCriterion, ...]:
    scale = Scale(low=1.0, high=5.0, target=4.0)
    return (
        QualitativeCriterion(
            key="attitude",
            label=Label(en="Work attitude", zh="工作态度"),
            weight=0.5,
            scale=scale,
            description="Ownership, diligence and a service mindset; 4 = meets expectations.",
        ),
        QualitativeCriterion(
            key="teamwork",
            label=Label(en="Teamwork", zh="团队协作"),
            weight=0.5,
            scale=scale,
            description="Cooperation with peers and other departments, support for the team; "
            "4 = meets expectations.",
        ),
    )


def _sources() -> tuple[SourcePolicy, ...]:
    return (
        SourcePolicy(source=AssessmentSource.MANAGER, weight=0.5, min_raters=1),
        SourcePolicy(source=AssessmentSource.PEER, weight=0.25, min_raters=2),
        SourcePolicy(source=AssessmentSource.UPWARD, weight=0.25, min_raters=3),
    )


def _rating_scale() -> RatingScale:
    return RatingScale(
        bands=(
            Band(label="E", lower=0.0, upper=70.0, guideline_share=0.10,
                 name=Label(en="Unsatisfactory", zh="不合格")),
            Band(label="D", lower=70.0, upper=85.0, guideline_share=0.20,
                 name=Label(en="Needs improvement", zh="待改进")),
            Band(label="C", lower=85.0, upper=100.0, guideline_share=0.40,
                 name=Label(en="Meets expectations", zh="达到期望")),
            Band(label="B", lower=100.0, upper=115.0, guideline_share=0.20,
                 name=Label(en="Exceeds expectations", zh="超出期望")),
            Band(label="A", lower=115.0, upper=150.0, guideline_share=0.10,
                 name=Label(en="Outstanding", zh="卓越")),
        )
    )  # fmt: skip


def _bonus_table() -> DecisionTable:
    def pct(value: int) -> tuple[Bonus, ...]:
        return (Bonus.percent_of_base_pay(Decimal(value)),)

    return DecisionTable(
        key="bonus_by_rating",
        label=Label(en="Bonus by rating", zh="按评级发放奖金"),
        inputs=(TableInput(field="rating", label=Label(en="Rating", zh="评级")),),
        rows=(
            TableRow(inputs=('"A"',), outputs=pct(20), annotation="20 % of quarterly base pay"),
            TableRow(inputs=('"B"',), outputs=pct(12), annotation="12 % of quarterly base pay"),
            TableRow(inputs=('"C"',), outputs=pct(6), annotation="6 % of quarterly base pay"),
            TableRow(inputs=('"D","E"',), outputs=(), annotation="no bonus"),
        ),
        hit_policy=HitPolicy.UNIQUE,
        description="Bonus reward (奖金奖励) by rating, as a percent of quarterly base pay.",
    )


def _rules() -> tuple[IncentiveRule, ...]:
    return (
        rule(
            "promotion",
            when='rating == "A" and history.rating[-1] == "A"',
            then=[Promotion(note="Two consecutive A ratings: eligible for promotion review")],
            priority=30,
            label=Label(en="Promotion eligibility", zh="晋升机会"),
            description="Two consecutive top ratings (this cycle and the one before).",
        ),
        rule(
            "top_performer_honour",
            when='rating == "A" and total >= 125',
            then=[Honour(title="Service star of the quarter (季度服务之星)")],
            priority=20,
            label=Label(en="Honour for the top performer", zh="荣誉表彰"),
            description="An outstanding total well inside the A band.",
        ),
        rule(
            "training_opportunity",
            when='rating in ["A", "B"]',
            then=[TrainingOpportunity(topic="Advanced service leadership programme")],
            priority=10,
            label=Label(en="Professional training opportunity", zh="专业培训机会"),
            description="A development reward for ratings above expectations.",
        ),
        rule(
            "low_rating_deduction",
            when='rating == "E"',
            then=[Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=Decimal(5))],
            priority=-10,
            label=Label(en="Performance deduction", zh="绩效扣减"),
            description="5 % of quarterly base pay for the lowest rating.",
        ),
        rule(
            "position_adjustment",
            when='rating == "E" and history.rating[-1] == "E"',
            then=[
                PositionAdjustment(
                    kind=AdjustmentKind.TRANSFER,
                    note="Two consecutive E ratings: review of the position (职位调整)",
                )
            ],
            priority=-20,
            label=Label(en="Position adjustment", zh="职位调整"),
            description="Two consecutive lowest ratings (this cycle and the one before).",
        ),
    )


def customer_service_manager() -> Scheme:
    """Return the founding document's scheme for customer-service department managers.

    Seven KPIs in five categories (weights 30/25/20/15/10), each scored linearly from
    threshold (50 points) through target (100) to stretch (150, the cap) except innovation
    projects, which are scored by bands; a CSAT gate caps the quantitative part at 80 below
    60 % satisfaction; work attitude and teamwork from the director, peers and the team;
    a 70/30 blend; A-E ratings; bonus, promotion, training, honour, deduction and position
    adjustment rules; quarterly cycles.

    Returns:
        The scheme; change any part with :func:`attrs.evolve`.

    Example:
        >>> scheme = customer_service_manager()
        >>> scheme.kpi_keys
        ('csat', 'response_time', 'fcr', 'morale', 'training', 'cost_saving', 'innovation')
    """
    return Scheme(
        key=SCHEME_KEY,
        version="1.0",
        label=Label(
            en="Customer-service department manager performance scheme",
            zh="客服部经理绩效管理方案",
        ),
        categories=_categories(),
        kpis=_kpis(),
        criteria=_criteria(),
        sources=_sources(),
        quantitative_share=0.7,
        rating_scale=_rating_scale(),
        rules=_rules(),
        tables=(_bonus_table(),),
        cycle_plan=CyclePlan(frequency=Frequency.QUARTERLY),
        min_eligible_days=30,
        description="Quantitative first, qualitative second (量化为主,质化为辅): 70 % KPIs, "
        "30 % work attitude and teamwork. Preset from perfmgmt.presets; see "
        "docs/explanation/preset.md for where each default comes from.",
    )


def customer_service_development() -> DevelopmentPolicy:
    """Return the development policy that goes with :func:`customer_service_manager`.

    Skill training for each KPI scored below target (技能提升), a career step after two
    consecutive A ratings (职业发展), and wellbeing support (心理辅导) when team morale falls
    below 60 or the average response time exceeds 30 minutes (a team under strain).

    Returns:
        The policy; change any part with :func:`attrs.evolve`.
    """
    links = (
        ("csat", "complaint handling and empathy", "Customer complaint handling workshop"),
        ("response_time", "workforce planning", "Workforce management and scheduling course"),
        ("fcr", "root-cause problem solving", "First-contact resolution and knowledge-base clinic"),
        ("morale", "coaching and engagement", "Coaching skills for team leaders"),
        ("training", "talent development", "Designing team development plans"),
        ("cost_saving", "process optimisation", "Lean service process workshop"),
        ("innovation", "service design", "Service design thinking course"),
    )
    skills = [
        SkillLink(kpi=k, skill=skill, training=course, below_score=100.0)
        for k, skill, course in links
    ]
    return DevelopmentPolicy(
        skill_map=SkillMap(links=skills),
        high_ratings=("A",),
        career_after=2,
        wellbeing=(
            WellbeingTrigger(
                kpi="morale",
                when=TriggerWhen.BELOW,
                limit=60.0,
                reason="team morale below 60: pressure on the manager and the team",
            ),
            WellbeingTrigger(
                kpi="response_time",
                when=TriggerWhen.ABOVE,
                limit=30.0,
                reason="average response time above 30 minutes: the team is overloaded",
            ),
        ),
        due_days=90,
    )
