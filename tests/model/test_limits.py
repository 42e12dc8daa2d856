"""The documented limits of domain objects: numbers, text, dates and money."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import attrs
import pytest

from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model import (
    Actual,
    Assessment,
    AssessmentSource,
    Cycle,
    CyclePlan,
    Label,
    Money,
    Review,
    ScoringSpec,
    Subject,
    normalise_weights,
)
from perfmgmt.model.incentive import Bonus, BonusPool, Deduction, DeductionBasis
from perfmgmt.model.money import MAX_MINOR_UNITS, from_minor, minor_units, to_minor
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules.payout import allocate
from perfmgmt.scoring import ScoringEngine, banded, linear
from perfmgmt.serialization import dumps, loads

SCHEME = customer_service_manager()
KPI0 = SCHEME.kpis[0]


class TestNumbers:
    @pytest.mark.parametrize("value", [10**15, -(10**15), 1e15, 0.5, 0])
    def test_numbers_up_to_the_limit_are_kept(self, value: float) -> None:
        """A number within 1e15 is accepted and stored as the float it stands for."""
        actual = Actual(kpi="csat", value=value)
        assert actual.value == value
        assert type(actual.value) is float

    @pytest.mark.parametrize("value", [10**15 + 1, 1e16, 2**53 + 1, 10**400, 1e308, math.inf])
    def test_numbers_past_the_limit_are_refused(self, value: float) -> None:
        """A number past 1e15, or not finite, is refused naming the field."""
        with pytest.raises(ValidationError, match=r"Actual\.value"):
            Actual(kpi="csat", value=value)

    def test_int_stretch_round_trips_exactly(self) -> None:
        """An int target survives a JSON round trip: stored as a float, written as one."""
        kpi = attrs.evolve(KPI0, stretch=10**15)
        assert loads(dumps(kpi), type(kpi)) == kpi
        assert dumps(loads(dumps(kpi), type(kpi))) == dumps(kpi)

    def test_negative_zero_is_zero(self) -> None:
        """-0.0 is stored as 0.0, so equal schemes have equal content hashes."""
        a = attrs.evolve(KPI0, threshold=None, target=-0.0, stretch=None)
        b = attrs.evolve(KPI0, threshold=None, target=0.0, stretch=None)
        assert math.copysign(1.0, a.target or 0.0) == 1.0
        sa = attrs.evolve(SCHEME, kpis=(a, *SCHEME.kpis[1:]))
        sb = attrs.evolve(SCHEME, kpis=(b, *SCHEME.kpis[1:]))
        assert sa.content_hash == sb.content_hash

    def test_huge_min_sample_is_refused_on_construction(self) -> None:
        """min_sample 10**30 is refused when the KPI is built, not at scoring."""
        with pytest.raises(ValidationError, match="min_sample"):
            attrs.evolve(KPI0, min_sample=10**30)

    def test_sample_size_at_the_limit_scores(self) -> None:
        """A sample size at the limit still scores (no OverflowError in int64 arrays)."""
        review = loads(
            json.dumps(
                {
                    "schema_version": 1,
                    "subject": {"id": "a"},
                    "cycle": "2026Q1",
                    "scheme": SCHEME.key,
                    "actuals": [{"kpi": KPI0.key, "value": 80.0, "sample_size": 10**15}],
                }
            ),
            type(_review()),
        )
        card = ScoringEngine().score(SCHEME, review)
        assert card.total is None or math.isfinite(card.total)

    def test_scoring_spec_params(self) -> None:
        """Scorer parameters are numbers within the limit, by name; lists hold numbers only."""
        with pytest.raises(ValidationError, match=r"edges'\]\[0\]"):
            ScoringSpec(scorer="banded", params={"edges": ["x"]})
        with pytest.raises(ValidationError, match="cap"):
            ScoringSpec(scorer="linear", params={"cap": 10**400})
        spec = ScoringSpec(scorer="banded", params={"edges": [1, -0.0]})
        assert spec.get("edges") == (1.0, 0.0)

    def test_scorer_factories_refuse_huge_numbers(self) -> None:
        """Scorer factories refuse 10**400 and a non-list of edges with a ScoringError."""
        with pytest.raises(ScoringError, match="cap"):
            linear(cap=10**400)
        with pytest.raises(ScoringError, match="edges"):
            banded(edges=5, scores=[0.0, 1.0])  # type: ignore[arg-type]

    def test_normalise_the_largest_weights(self) -> None:
        """Two weights at the limit rescale to halves (no overflow to infinity)."""
        cat = SCHEME.categories[0]
        out = normalise_weights(
            [attrs.evolve(cat, weight=1e15), attrs.evolve(cat, key="b", weight=1e15)]
        )
        assert [c.weight for c in out] == [0.5, 0.5]

    def test_normalise_refuses_what_has_no_weight(self) -> None:
        """normalise_weights names an item that is not a weighted domain object."""
        with pytest.raises(ValidationError, match=r"items\[0\]"):
            normalise_weights(["x"])  # type: ignore[list-item]


def _review() -> Review:
    return Review(subject=Subject(id="a"), cycle="2026Q1", scheme=SCHEME.key)


class TestText:
    @pytest.mark.parametrize(
        ("text", "why"),
        [("x\ud800y", "surrogate"), ("a\x00b", "NUL"), ("w" * 100_001, "100000")],
    )
    def test_bad_text_is_refused_in_every_text_field(self, text: str, why: str) -> None:
        """Lone surrogates, NUL and overlong text are refused, naming the field."""
        with pytest.raises(ValidationError, match=why):
            Label(en=text)
        with pytest.raises(ValidationError, match="name"):
            Subject(id="a", name=text)
        with pytest.raises(ValidationError, match="comment"):
            attrs.evolve(_assessment(), comment=text)

    def test_right_to_left_and_newlines_are_text(self) -> None:
        """Right-to-left marks, emoji and newlines are ordinary text."""
        assert Label(en="\u202eabc\n\U0001f4a5").en == "\u202eabc\n\U0001f4a5"

    def test_huge_value_in_a_message_is_shown_by_size(self) -> None:
        """An error about 10**5000 names its size instead of failing to print it."""
        with pytest.raises(ValidationError, match="integer of 16610 bits"):
            Actual(kpi="csat", value=10**5000)


def _assessment() -> Assessment:
    return Assessment(criterion="attitude", source=AssessmentSource.MANAGER, rater_id="b", rating=4)


class TestDates:
    def test_datetime_is_not_a_date(self) -> None:
        """Cycle(start=datetime, end=date) is refused naming start, not a TypeError."""
        with pytest.raises(ValidationError, match=r"Cycle\.start.*not a datetime"):
            Cycle(key="k", start=dt.datetime(2026, 1, 1), end=dt.date(2026, 3, 31))

    @pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
    def test_years_outside_the_range_are_refused(self, day: dt.date) -> None:
        """Dates outside 1800-2299 are refused; cycle plans take 1900-2199."""
        with pytest.raises(ValidationError, match="hire_date"):
            Subject(id="a", hire_date=day)
        with pytest.raises(ValidationError, match="day"):
            CyclePlan().cycle_on(day)

    def test_cycle_for_year_zero(self) -> None:
        """cycle_for(0, 1) names the fiscal year and its range."""
        with pytest.raises(ValidationError, match=r"fiscal_year.*1900"):
            CyclePlan().cycle_for(0, 1)

    def test_last_plan_day_has_a_cycle(self) -> None:
        """The last day a plan takes still gets its cycle, windows and all."""
        cycle = CyclePlan().cycle_on(dt.date(2199, 12, 31))
        assert cycle.end == dt.date(2199, 12, 31)

    def test_window_lengths_are_bounded(self) -> None:
        """A window longer than ten years is refused on construction."""
        with pytest.raises(ValidationError, match="interview_days"):
            CyclePlan(interview_days=10**9)


class TestMoney:
    @pytest.mark.parametrize("currency", ["CNY", "JPY", "KWD", "CLF"])
    def test_limit_is_in_minor_units(self, currency: str) -> None:
        """The largest amount is 10**15 minor units of its currency; one unit more is refused."""
        top = Decimal(MAX_MINOR_UNITS).scaleb(-minor_units(currency))
        assert Money(amount=top, currency=currency).minor == MAX_MINOR_UNITS
        step = Decimal(1).scaleb(-minor_units(currency))
        with pytest.raises(ValidationError, match="limited to"):
            Money(amount=top + step, currency=currency)

    def test_issue_amount_is_refused_everywhere(self) -> None:
        """9.2e16 yuan is refused by Money, base pay, bonuses and pools, naming the field."""
        huge = Decimal("92000000000000000")
        with pytest.raises(ValidationError, match="amount"):
            Money(amount=huge, currency="CNY")
        with pytest.raises(ValidationError, match="base_pay"):
            Subject(id="a", base_pay=huge, currency="CNY")
        with pytest.raises(ValidationError, match="value"):
            Bonus.fixed(huge, "CNY")
        with pytest.raises(ValidationError, match="value"):
            Deduction(basis=DeductionBasis.FIXED_AMOUNT, value=huge, currency="CNY")
        with pytest.raises(ValidationError, match="amount"):
            BonusPool(currency="CNY", amount=huge)

    def test_percent_and_multiple_limits(self) -> None:
        """Percents above 100000 % and multiples whose amount passes the limit are refused."""
        with pytest.raises(ValidationError, match="100000"):
            Bonus.percent_of_base_pay(Decimal("100000.5"))
        with pytest.raises(ValidationError, match="target_bonus"):
            Bonus.multiple_of_target(Decimal(1000), Decimal(10) ** 13, "CNY")

    def test_pool_of_many_max_awards_is_exact(self) -> None:
        """A thousand awards at the limit scale to the pool exactly (no int64 wrap-around)."""
        top = Decimal(10) ** 13
        allocation = allocate([top] * 1000, BonusPool(currency="CNY", amount=top))
        assert allocation.total == top
        assert sum(allocation.amounts()) == top

    def test_money_helpers_refuse_non_decimals(self) -> None:
        """to_minor and from_minor name a value that is not money."""
        with pytest.raises(ValidationError, match="amount"):
            to_minor(1.5, "CNY")  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="amount"):
            to_minor(Decimal("NaN"), "CNY")
        with pytest.raises(ValidationError, match="value"):
            from_minor("12", "CNY")  # type: ignore[arg-type]
