"""Tests for the domain model: construction, validation and derived values."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfmgmt import PerfmgmtError, SchemeError, ValidationError
from perfmgmt.model import (
    KPI,
    Actual,
    Assessment,
    AssessmentSource,
    Band,
    Category,
    Cycle,
    CyclePlan,
    DevelopmentAction,
    DevelopmentPlan,
    Direction,
    Frequency,
    Gate,
    GateEffect,
    Goal,
    Indicator,
    Interview,
    Label,
    Money,
    Phase,
    PhaseWindow,
    QualitativeCriterion,
    RatingScale,
    Review,
    Scale,
    Scheme,
    ScoringSpec,
    Subject,
    normalise_weights,
)
from perfmgmt.model.development import ActionKind
from perfmgmt.model.money import minor_units, quantize


def _indicator(key: str = "csat", direction: Direction = Direction.HIGHER_IS_BETTER) -> Indicator:
    return Indicator(key=key, label=Label(en=key), direction=direction)


def _kpi(key: str = "csat", category: str = "sat", weight: float = 1.0, **kw: object) -> KPI:
    return KPI(
        indicator=_indicator(key, kw.pop("direction", Direction.HIGHER_IS_BETTER)),  # type: ignore[arg-type]
        category=category,
        weight=weight,
        scoring=ScoringSpec(scorer="linear"),
        **kw,  # type: ignore[arg-type]
    )


A_TO_E = RatingScale(
    bands=(
        Band(label="E", lower=0, upper=60),
        Band(label="D", lower=60, upper=80),
        Band(label="C", lower=80, upper=100),
        Band(label="B", lower=100, upper=120),
        Band(label="A", lower=120, upper=150),
    )
)


def founding_scheme() -> Scheme:
    """Write the founding document's scheme in a few readable lines (weights as percentages)."""
    lab = Label
    cats = normalise_weights(
        [
            Category(
                key="satisfaction",
                label=lab(en="Customer satisfaction", zh="客户满意度"),
                weight=30,
            ),
            Category(
                key="efficiency", label=lab(en="Service efficiency", zh="服务效率"), weight=25
            ),
            Category(key="team", label=lab(en="Team management", zh="团队管理"), weight=20),
            Category(key="cost", label=lab(en="Cost control", zh="成本控制"), weight=15),
            Category(key="innovation", label=lab(en="Innovation", zh="创新能力"), weight=10),
        ]
    )
    lower = Direction.LOWER_IS_BETTER
    kpis = [
        _kpi("csat", "satisfaction", 1.0, threshold=80, target=90, stretch=95),
        _kpi(
            "response_time",
            "efficiency",
            0.5,
            threshold=120,
            target=60,
            stretch=30,
            direction=lower,
        ),
        _kpi("fcr", "efficiency", 0.5, threshold=0.6, target=0.75, stretch=0.85),
        _kpi("morale", "team", 0.5, threshold=60, target=75, stretch=85),
        _kpi("training", "team", 0.5, threshold=10, target=20, stretch=30),
        _kpi("cost_saving", "cost", 1.0, threshold=0.0, target=0.05, stretch=0.10),
        _kpi("innovation", "innovation", 1.0, threshold=0, target=2, stretch=4),
    ]
    criteria = [
        QualitativeCriterion(
            key="attitude", label=lab(en="Work attitude", zh="工作态度"), weight=0.5
        ),
        QualitativeCriterion(key="teamwork", label=lab(en="Teamwork", zh="团队协作"), weight=0.5),
    ]
    return Scheme(
        key="cs_manager",
        version="2026.1",
        label=lab(en="Customer service manager", zh="客服部经理"),
        categories=cats,
        kpis=kpis,
        criteria=criteria,
        rating_scale=A_TO_E,
    )


class TestFoundingScheme:
    def test_builds_with_seven_kpis_in_five_categories(self) -> None:
        """The founding document's scheme is a valid Scheme with its 7 KPIs and 70/30 blend."""
        scheme = founding_scheme()
        assert len(scheme.kpis) == 7
        assert scheme.category_keys == ("satisfaction", "efficiency", "team", "cost", "innovation")
        assert scheme.quantitative_share == 0.7
        assert math.isclose(math.fsum(scheme.nominal_weights().values()), 1.0)
        assert scheme.nominal_weights()["response_time"] == pytest.approx(0.125)

    def test_content_hash_is_stable_and_content_sensitive(self) -> None:
        """Equal content gives the equal hash; any change gives a different one."""
        a, b = founding_scheme(), founding_scheme()
        assert a.content_hash == b.content_hash
        assert a.content_hash.startswith("sha256:")
        changed = attrs.evolve(a, version="2026.2")
        assert changed.content_hash != a.content_hash

    def test_int_and_float_weights_hash_alike(self) -> None:
        """3 and 3.0 are the same content, so JSON round trips keep the hash."""
        base = founding_scheme()
        kpis = list(base.kpis)
        kpis[6] = attrs.evolve(kpis[6], target=2.0)
        assert attrs.evolve(base, kpis=kpis).content_hash == base.content_hash


class TestWeights:
    def test_weights_must_sum_to_one(self) -> None:
        """Category weights that do not sum to 1 are refused with the sum in the message."""
        with pytest.raises(SchemeError, match=r"sum to 0\.9"):
            Scheme(
                key="s",
                version="1",
                label=Label(en="s"),
                categories=[Category(key="sat", label=Label(en="s"), weight=0.9)],
                kpis=[_kpi()],
                rating_scale=A_TO_E,
                quantitative_share=1.0,
            )

    def test_negative_weight_refused(self) -> None:
        """A negative weight names the field and value."""
        with pytest.raises(ValidationError, match=r"KPI\.weight: -0\.1"):
            _kpi(weight=-0.1)

    @given(st.lists(st.floats(0.01, 1000), min_size=1, max_size=8))
    def test_normalise_weights_sums_to_one(self, ws: list[float]) -> None:
        """normalise_weights rescales any positive weights to sum to 1 (within 1e-9)."""
        cats = [Category(key=f"c{i}", label=Label(en="c"), weight=w) for i, w in enumerate(ws)]
        out = normalise_weights(cats)
        assert abs(math.fsum(c.weight for c in out) - 1.0) <= 1e-9
        assert [c.key for c in out] == [c.key for c in cats]

    def test_normalise_kpis_within_category(self) -> None:
        """KPI weights are rescaled within each category separately."""
        out = normalise_weights([_kpi("a", "x", 3), _kpi("b", "x", 1), _kpi("c", "y", 5)])
        assert [k.weight for k in out] == [0.75, 0.25, 1.0]

    def test_normalise_all_zero_refused(self) -> None:
        """Zero weights cannot be rescaled and say so."""
        with pytest.raises(SchemeError, match="at least one must be positive"):
            normalise_weights([Category(key="a", label=Label(en="a"), weight=0)])

    def test_qualitative_share_needs_criteria(self) -> None:
        """Without criteria the quantitative share must be 1."""
        with pytest.raises(SchemeError, match="quantitative_share"):
            Scheme(
                key="s",
                version="1",
                label=Label(en="s"),
                categories=[Category(key="sat", label=Label(en="s"), weight=1)],
                kpis=[_kpi()],
                rating_scale=A_TO_E,
            )

    def test_kpi_in_unknown_category_refused(self) -> None:
        """A KPI must belong to one of the scheme's categories."""
        with pytest.raises(SchemeError, match="not one of the scheme's categories"):
            Scheme(
                key="s",
                version="1",
                label=Label(en="s"),
                categories=[Category(key="sat", label=Label(en="s"), weight=1)],
                kpis=[_kpi(category="other")],
                rating_scale=A_TO_E,
                quantitative_share=1.0,
            )

    def test_duplicate_kpi_keys_refused(self) -> None:
        """Two KPIs with one key are refused."""
        with pytest.raises(ValidationError, match="keys must be unique"):
            Scheme(
                key="s",
                version="1",
                label=Label(en="s"),
                categories=[Category(key="sat", label=Label(en="s"), weight=1)],
                kpis=[_kpi(weight=0.5), _kpi(weight=0.5)],
                rating_scale=A_TO_E,
                quantitative_share=1.0,
            )


class TestTargets:
    def test_higher_is_better_order(self) -> None:
        """Stretch below target for a higher-is-better KPI names both values."""
        with pytest.raises(
            ValidationError, match=r"stretch \(4\.2\) must be above target \(4\.5\)"
        ):
            _kpi(threshold=4.0, target=4.5, stretch=4.2)

    def test_lower_is_better_order(self) -> None:
        """For lower-is-better KPIs the target must be below the threshold."""
        _kpi(threshold=120, target=60, stretch=30, direction=Direction.LOWER_IS_BETTER)
        with pytest.raises(ValidationError, match="must be below threshold"):
            _kpi(threshold=60, target=120, direction=Direction.LOWER_IS_BETTER)

    def test_target_is_best_refuses_threshold(self) -> None:
        """Target-is-best KPIs take a tolerance band in the scorer, not a threshold."""
        with pytest.raises(ValidationError, match="target-is-best"):
            _kpi(threshold=1, target=2, direction=Direction.TARGET_IS_BEST)

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_non_finite_refused(self, bad: float) -> None:
        """NaN and infinite targets are refused."""
        with pytest.raises(ValidationError, match="finite"):
            _kpi(target=bad)

    def test_bool_is_not_a_number(self) -> None:
        """True is not accepted where a number is expected."""
        with pytest.raises(ValidationError):
            _kpi(target=True)

    def test_gate_needs_cap_for_cap_effect(self) -> None:
        """A CAP gate without a cap is refused; a ZERO gate with one too."""
        with pytest.raises(ValidationError, match="CAP gate"):
            Gate(threshold=1.0, effect=GateEffect.CAP)
        with pytest.raises(ValidationError, match="ZERO gate"):
            Gate(threshold=1.0, effect=GateEffect.ZERO, cap=50.0)

    def test_scoring_params_immutable_and_normalised(self) -> None:
        """Scorer parameters are stored sorted and immutable; lists become tuples of floats."""
        spec = ScoringSpec(scorer="banded", params={"scores": [0, 50, 100], "cap": 150})
        assert spec.params == (("cap", 150.0), ("scores", (0.0, 50.0, 100.0)))
        assert spec.as_dict()["cap"] == 150.0
        with pytest.raises(ValidationError, match="finite"):
            ScoringSpec(scorer="x", params={"cap": math.nan})


class TestRatingScale:
    def test_gap_refused(self) -> None:
        """A gap between bands is refused naming both bands."""
        with pytest.raises(ValidationError, match="a gap between band 'B'"):
            RatingScale(
                bands=[Band(label="B", lower=0, upper=50), Band(label="A", lower=60, upper=100)]
            )

    def test_overlap_refused(self) -> None:
        """Overlapping bands are refused."""
        with pytest.raises(ValidationError, match="an overlap"):
            RatingScale(
                bands=[Band(label="B", lower=0, upper=70), Band(label="A", lower=60, upper=100)]
            )

    def test_bands_sorted_and_half_open(self) -> None:
        """Bands are stored lowest first; boundaries belong to the upper band; the top is closed."""
        scale = RatingScale(bands=list(reversed(A_TO_E.bands)))
        assert scale.labels == ("E", "D", "C", "B", "A")
        assert scale.band_for(80).label == "C"
        assert scale.band_for(79.999).label == "D"
        assert scale.band_for(150).label == "A"
        assert scale.edges == (60, 80, 100, 120)

    def test_score_outside_scale_refused(self) -> None:
        """A score outside the scale raises instead of being clamped."""
        with pytest.raises(ValidationError, match="outside the scale"):
            A_TO_E.band_for(150.01)
        with pytest.raises(ValidationError):
            A_TO_E.band_for(math.nan)

    @given(st.lists(st.floats(0.5, 50), min_size=2, max_size=8), st.floats(-100, 100))
    def test_bands_partition_the_scale(self, widths: list[float], start: float) -> None:
        """Every score on the scale falls in exactly one band."""
        edges = [start]
        for w in widths:
            edges.append(edges[-1] + w)
        bands = [
            Band(label=f"R{i}", lower=lo, upper=hi)
            for i, (lo, hi) in enumerate(itertools.pairwise(edges))
        ]
        scale = RatingScale(bands=bands)
        for e in edges:
            containing = [
                b
                for b in scale.bands
                if b.lower <= e < b.upper or (b is scale.bands[-1] and e == b.upper)
            ]
            assert len(containing) == 1
            assert scale.band_for(e) is containing[0]

    def test_guideline_shares_sum_to_one(self) -> None:
        """Guideline shares are all-or-none and sum to 1."""
        with pytest.raises(ValidationError, match="some bands but not all"):
            RatingScale(
                bands=[
                    Band(label="B", lower=0, upper=50, guideline_share=0.5),
                    Band(label="A", lower=50, upper=100),
                ]
            )
        with pytest.raises(ValidationError, match="sum to 1"):
            RatingScale(
                bands=[
                    Band(label="B", lower=0, upper=50, guideline_share=0.5),
                    Band(label="A", lower=50, upper=100, guideline_share=0.4),
                ]
            )


class TestMoney:
    def test_float_refused(self) -> None:
        """Money refuses floats: amounts are exact Decimals."""
        with pytest.raises(ValidationError, match=r"decimal\.Decimal"):
            Money(amount=12.5, currency="CNY")  # type: ignore[arg-type]

    def test_currency_shape(self) -> None:
        """A currency code must look like ISO 4217."""
        with pytest.raises(ValidationError, match="ISO 4217"):
            Money(amount=Decimal(1), currency="rmb")

    def test_minor_units_and_quantize(self) -> None:
        """Amounts round half-even to the currency's minor unit."""
        assert minor_units("CNY") == 2
        assert minor_units("JPY") == 0
        assert minor_units("KWD") == 3
        assert quantize(Decimal("10.005"), "CNY") == Decimal("10.00")
        assert quantize(Decimal("10.015"), "CNY") == Decimal("10.02")
        assert Money(amount=Decimal("1234.567"), currency="JPY").minor == 1235


class TestCycle:
    def test_end_before_start_refused(self) -> None:
        """A cycle ending before it starts is refused with both dates."""
        with pytest.raises(ValidationError, match=r"2026-03-31.*before start"):
            Cycle(key="q", start=dt.date(2026, 4, 1), end=dt.date(2026, 3, 31))

    def test_phases_in_order(self) -> None:
        """Phase windows must follow goal setting -> mid-term -> evaluation -> interview."""
        d = dt.date(2026, 1, 1)
        with pytest.raises(ValidationError, match="out of order"):
            Cycle(
                key="q",
                start=d,
                end=dt.date(2026, 3, 31),
                phases=[
                    PhaseWindow(phase=Phase.FINAL_EVALUATION, start=d, end=d),
                    PhaseWindow(phase=Phase.GOAL_SETTING, start=d, end=d),
                ],
            )

    def test_days_inclusive(self) -> None:
        """A quarter has its calendar days counted with both ends."""
        q1 = Cycle(key="q1", start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31))
        assert q1.days == 91  # 31 + 29 (leap year) + 31

    def test_custom_plan_needs_rule(self) -> None:
        """A CUSTOM cycle plan needs an rrule, and only CUSTOM plans take one."""
        with pytest.raises(ValidationError, match="rrule"):
            CyclePlan(frequency=Frequency.CUSTOM)
        with pytest.raises(ValidationError, match="rrule"):
            CyclePlan(frequency=Frequency.QUARTERLY, rrule="FREQ=MONTHLY")
        with pytest.raises(ValidationError, match="1 to 12"):
            CyclePlan(fiscal_year_start_month=13)


class TestReview:
    def test_subject_base_pay_needs_currency(self) -> None:
        """Base pay without a currency is refused."""
        with pytest.raises(ValidationError, match="currency"):
            Subject(id="u1", base_pay=Decimal("9000"))

    @pytest.mark.parametrize(
        ("pay", "currency", "fine"),
        [
            ("9000.005", "CNY", True),
            ("9000.1", "JPY", True),
            ("9000.125", "KWD", False),  # three decimal places: the fils
            ("9000.500", "CNY", False),  # trailing zeros are the same amount
            ("9000", "JPY", False),
        ],
    )
    def test_base_pay_finer_than_the_minor_unit_refused(
        self, pay: str, currency: str, fine: bool
    ) -> None:
        """Pay no payroll can pay is refused where it enters, naming field, value and rule."""
        amount = Decimal(pay)
        if not fine:
            assert Subject(id="u1", base_pay=amount, currency=currency).base_pay == amount
            return
        with pytest.raises(ValidationError, match="decimal places") as info:
            Subject(id="u1", base_pay=amount, currency=currency)
        assert info.value.field == "base_pay"
        assert pay in str(info.value)
        assert currency in str(info.value)

    def test_leave_before_hire_refused(self) -> None:
        """Leaving before being hired is refused."""
        with pytest.raises(ValidationError, match="before hire_date"):
            Subject(id="u1", hire_date=dt.date(2026, 2, 1), leave_date=dt.date(2026, 1, 1))

    def test_duplicate_actuals_refused(self) -> None:
        """One actual per KPI."""
        with pytest.raises(ValidationError, match="more than once"):
            Review(
                subject=Subject(id="u1"),
                cycle="q1",
                scheme="s",
                actuals=[Actual(kpi="csat", value=1.0), Actual(kpi="csat", value=2.0)],
            )

    def test_negative_sample_refused(self) -> None:
        """Sample sizes are whole numbers >= 0."""
        with pytest.raises(ValidationError, match="whole number >= 0"):
            Actual(kpi="csat", value=1.0, sample_size=-1)

    def test_rating_off_scale_refused(self) -> None:
        """An assessment off its stated scale is refused."""
        with pytest.raises(ValidationError, match="off the scale"):
            Assessment(
                criterion="attitude",
                source=AssessmentSource.PEER,
                rater_id="p1",
                rating=7,
                scale=Scale(low=1, high=5),
            )

    def test_lookup_helpers(self) -> None:
        """Review.actual and Review.goal find entries by KPI key."""
        r = Review(
            subject=Subject(id="u1"),
            cycle="q1",
            scheme="s",
            goals=[Goal(kpi="csat", target=92)],
            actuals=[Actual(kpi="csat", value=91.0, sample_size=40)],
        )
        assert r.key == "u1@q1"
        assert r.actual("csat") == Actual(kpi="csat", value=91.0, sample_size=40)
        assert r.goal("csat") is not None
        assert r.goal("fcr") is None

    def test_objects_are_frozen(self) -> None:
        """Domain objects cannot be changed in place; evolve makes a new one."""
        s = Subject(id="u1")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            s.id = "u2"  # type: ignore[misc]
        assert attrs.evolve(s, id="u2").id == "u2"


class TestDevelopment:
    def test_plan_open_actions(self) -> None:
        """A plan lists its open actions; duplicate action keys are refused."""
        a = DevelopmentAction(
            key="t1", kind=ActionKind.SKILL_TRAINING, description="Coaching", owner="m1"
        )
        plan = DevelopmentPlan(subject_id="u1", actions=[a])
        assert plan.open_actions == (a,)
        with pytest.raises(ValidationError, match="unique"):
            DevelopmentPlan(subject_id="u1", actions=[a, a])

    def test_interview_accepts_single_strings(self) -> None:
        """A single strength given as text becomes a one-item tuple."""
        iv = Interview(on=dt.date(2026, 4, 10), interviewer="m1", strengths="Calm under pressure")
        assert iv.strengths == ("Calm under pressure",)


class TestErrors:
    @pytest.mark.parametrize(
        "build",
        [
            lambda: Label(en=""),
            lambda: Indicator(key="bad key", label=Label(en="x")),
            lambda: Indicator(key="k", label="not a label"),
            lambda: Indicator(key="k", label=Label(en="x"), precision=11),
            lambda: Category(key="c", label=Label(en="c"), weight="0.5"),
            lambda: Scale(low=5, high=1),
            lambda: Band(label="A", lower=10, upper=10),
            lambda: Goal(kpi="k", target=math.nan),
            lambda: Subject(id=""),
            lambda: Subject(id="u", currency="yuan"),
        ],
    )
    def test_every_bad_value_is_a_perfmgmt_error(self, build: object) -> None:
        """Bad input raises a PerfmgmtError subclass, never a bare TypeError or ValueError."""
        with pytest.raises(PerfmgmtError):
            build()  # type: ignore[operator]


class TestGateDirection:
    def test_gate_refused_on_target_is_best(self) -> None:
        """A gate on a target-is-best KPI is refused when the KPI is built."""
        with pytest.raises(ValidationError, match="target-is-best"):
            _kpi(target=5.0, direction=Direction.TARGET_IS_BEST, gate=Gate(threshold=1.0, cap=80.0))


class TestMinorUnits:
    def test_round_trip(self) -> None:
        """to_minor and from_minor convert between Decimal amounts and integer minor units."""
        from perfmgmt.model.money import from_minor, to_minor

        assert to_minor(Decimal("123.455"), "CNY") == 12346
        assert from_minor(12346, "CNY") == Decimal("123.46")
        assert from_minor(1235, "JPY") == Decimal(1235)
        assert to_minor(Decimal("1.0005"), "KWD") == 1000
