"""Mid-cycle changes: dated facts on a review, prorated into exact day shares and scored."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model import (
    Actual,
    Assignment,
    CyclePlan,
    FteChange,
    GoalChange,
    Leave,
    LeaveKind,
    Review,
    Subject,
    eligibility,
    evaluating_manager,
    prorate,
)
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.scoring import Population, ReviewFlag, ScoringEngine
from perfmgmt.serialization import dumps, loads

SCHEME = customer_service_manager()
CYCLE = CyclePlan().cycle_on(dt.date(2026, 2, 1))  # 2026-01-01 .. 2026-03-31, 90 days
ENGINE = ScoringEngine()
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v1" / "review.json"
ACTUALS = {
    "csat": 85.0,
    "response_time": 30.0,
    "fcr": 75.0,
    "morale": 60.0,
    "training": 10.0,
    "cost_saving": 1.0,
    "innovation": 2.0,
}


def _review(**changes: object) -> Review:
    base = Review(
        subject=Subject(id="M07", manager_id="zhang"),
        cycle=CYCLE.key,
        scheme=SCHEME.key,
        actuals=[Actual(kpi=k, value=v, sample_size=100) for k, v in ACTUALS.items()],
    )
    return attrs.evolve(base, **changes)


CASE = _review(
    assignments=[Assignment(manager="li", start=dt.date(2026, 2, 15))],
    leaves=[Leave(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 30), kind=LeaveKind.SICK)],
    goal_changes=[
        GoalChange(kpi="response_time", start=dt.date(2026, 2, 1), weight=0.6),
        GoalChange(kpi="fcr", start=dt.date(2026, 2, 1), weight=0.4),
    ],
)


def _reference_weights(review: Review) -> dict[str, Fraction]:
    """Day by day over the cycle: each day's nominal weights in force, averaged (independent)."""
    cat = {c.key: Fraction(str(c.weight)) for c in SCHEME.categories}
    total: dict[str, Fraction] = {k.key: Fraction(0) for k in SCHEME.kpis}
    day = CYCLE.start
    while day <= CYCLE.end:
        w = {k.key: Fraction(str(k.weight)) for k in SCHEME.kpis}
        for g in review.goal_changes:
            if g.start <= day and g.weight is not None:
                w[g.kpi] = Fraction(str(g.weight))
        for c in SCHEME.categories:
            members = [k for k in SCHEME.kpis if k.category == c.key]
            scheme_sum = sum(Fraction(str(k.weight)) for k in members)
            now_sum = sum(w[k.key] for k in members)
            for k in members:
                total[k.key] += cat[c.key] * w[k.key] / now_sum * scheme_sum
        day += dt.timedelta(days=1)
    return {k: v / CYCLE.days for k, v in total.items()}


class TestWorkedCase:
    """The how-to's case: manager change, 30 days of leave, a weight change."""

    def test_eligibility_by_hand(self) -> None:
        """90 days, 30 of them on leave, full time: 2/3 of the cycle."""
        p = prorate(SCHEME, CASE, CYCLE)
        assert (p.cycle_days, p.employed_days, p.leave_days, p.worked_days) == (90, 90, 30, 60)
        assert p.eligible_fraction == Fraction(60, 90)

    def test_weights_match_a_day_by_day_reference(self) -> None:
        """Day-weighted weights equal a day-by-day Fraction average; 509/3600 and 391/3600."""
        p = prorate(SCHEME, CASE, CYCLE)
        ref = _reference_weights(CASE)
        assert dict(p.weights) == ref
        assert ref["response_time"] == (31 * Fraction(1, 8) + 59 * Fraction(3, 20)) / 90
        assert ref["fcr"] == Fraction(391, 3600)
        assert sum(ref.values()) == 1

    def test_managers(self) -> None:
        """The manager on the last day evaluates; the one before is a previous manager."""
        p = prorate(SCHEME, CASE, CYCLE)
        assert p.evaluating_manager == "li" == evaluating_manager(CASE, CYCLE)
        assert p.previous_managers == ("zhang",)
        assert [(m, x.start, x.end) for m, x in p.managers] == [
            ("zhang", dt.date(2026, 1, 1), dt.date(2026, 2, 14)),
            ("li", dt.date(2026, 2, 15), dt.date(2026, 3, 31)),
        ]

    def test_scored_quantitative_uses_prorated_weights(self) -> None:
        """The card's quantitative part is Σ score × reference weight; eligibility is 2/3."""
        card = ENGINE.score(SCHEME, CASE, cycle=CYCLE)
        ref = _reference_weights(CASE)
        expected = sum(Fraction(card.line(k).score or 0) * w for k, w in ref.items())
        assert card.raw_quantitative == pytest.approx(float(expected), abs=1e-9)
        assert card.line("fcr").nominal_weight == float(Fraction(391, 3600))
        assert card.eligible_fraction == float(Fraction(2, 3))
        assert card.proration == prorate(SCHEME, CASE, CYCLE)

    def test_scores_do_not_change_weights_only(self) -> None:
        """Proration changes weights, not the scorers' KPI scores."""
        plain = ENGINE.score(SCHEME, _review(), cycle=CYCLE)
        card = ENGINE.score(SCHEME, CASE, cycle=CYCLE)
        assert [x.score for x in card.lines] == [x.score for x in plain.lines]
        assert card.raw_quantitative != plain.raw_quantitative

    def test_explanation_shows_the_steps(self) -> None:
        """The explanation starts with the proration steps and their exact numbers."""
        ex = ENGINE.score(SCHEME, CASE, cycle=CYCLE).explain()
        assert ex.steps[0].name == "proration.worked_days"
        assert ex.step("proration.eligible_fraction").result == "2/3"
        step = ex.step("proration.weight.response_time")
        assert step.result == "509/3600"
        assert ("2026-01-01..2026-01-31", "31 × 1/8") in step.inputs
        assert ex.step("proration.evaluating_manager").result == "li"
        zh = ENGINE.score(SCHEME, CASE, cycle=CYCLE).explain("zh").text
        assert "在岗比例" in zh

    def test_batch_row_equals_scalar(self) -> None:
        """A prorated review scores the same alone and in a batch with others."""
        batch = ENGINE.score_reviews(SCHEME, [_review(subject=Subject(id="A")), CASE], cycle=CYCLE)
        assert batch.nominal_weight.shape == (2, len(SCHEME.kpis))
        assert batch.row(1) == ENGINE.score(SCHEME, CASE, cycle=CYCLE)
        assert batch.row(0) == ENGINE.score(SCHEME, _review(subject=Subject(id="A")), cycle=CYCLE)

    def test_card_round_trips(self) -> None:
        """A card with its proration, and the proration alone, round-trip through JSON."""
        card = ENGINE.score(SCHEME, CASE, cycle=CYCLE)
        assert loads(dumps(card), type(card)) == card
        assert loads(dumps(CASE), Review) == CASE

    def test_fte_weighting(self) -> None:
        """Half time from 1 March with the leave: 59 full days and one half day worked."""
        p = prorate(
            SCHEME,
            attrs.evolve(CASE, fte_changes=[FteChange(fte=0.5, start=dt.date(2026, 3, 1))]),
            CYCLE,
        )
        assert p.fte_days == Fraction(119, 2)
        assert p.eligible_fraction == Fraction(119, 180)

    def test_target_change_is_day_weighted(self) -> None:
        """A target changed on 1 March is averaged by days with the one before."""
        review = _review(
            goal_changes=[GoalChange(kpi="fcr", start=dt.date(2026, 3, 1), target=78.0)]
        )
        p = prorate(SCHEME, review, CYCLE)
        assert dict(p.targets) == {"fcr": (59 * Fraction(72) + 31 * Fraction(78)) / 90}
        card = ENGINE.score(SCHEME, review, cycle=CYCLE)
        assert card.line("fcr").target == float(dict(p.targets)["fcr"])


class TestEligibilityInScoring:
    """Days worked, not days employed, decide whether a review is rated."""

    def test_long_leave_is_not_eligible(self) -> None:
        """70 days of leave leave 20 worked, below the preset's 30: not rated, flagged."""
        leave = Leave(start=dt.date(2026, 1, 10), end=dt.date(2026, 3, 20))
        card = ENGINE.score(SCHEME, _review(leaves=[leave]), cycle=CYCLE)
        assert leave.period.days == 70
        assert not card.rated
        assert card.flags & ReviewFlag.NOT_ELIGIBLE
        assert card.eligible_fraction == float(Fraction(20, 90))


class TestBadDates:
    """Dates that cannot be right name the field, the value and what is allowed."""

    @pytest.mark.parametrize(
        ("changes", "field", "words"),
        [
            (
                {"leaves": [Leave(start=dt.date(2026, 3, 20), end=dt.date(2026, 4, 2))]},
                "Review.leaves[0]",
                "within cycle",
            ),
            (
                {"fte_changes": [FteChange(fte=0.5, start=dt.date(2025, 12, 1))]},
                "Review.fte_changes[0].start",
                "dated 2026-01-01",
            ),
            (
                {"goal_changes": [GoalChange(kpi="fcr", start=dt.date(2025, 12, 31), weight=1)]},
                "Review.goal_changes[0].start",
                "2026-01-01 to 2026-03-31",
            ),
            (
                {"goal_changes": [GoalChange(kpi="nope", start=dt.date(2026, 2, 1), weight=1)]},
                "Review.goal_changes[0].kpi",
                "expected a KPI",
            ),
            (
                {"assignments": [Assignment(manager="x", start=dt.date(2026, 4, 1))]},
                "Review.assignments[0].start",
                "on or before 2026-03-31",
            ),
        ],
    )
    def test_outside_the_cycle(self, changes: dict[str, object], field: str, words: str) -> None:
        """A fact outside the cycle is refused by prorate and by scoring with the cycle."""
        review = _review(**changes)
        with pytest.raises(ValidationError) as info:
            prorate(SCHEME, review, CYCLE)
        assert str(info.value).startswith(field)
        assert words in str(info.value)
        with pytest.raises(ValidationError):
            ENGINE.score(SCHEME, review, cycle=CYCLE)

    def test_overlapping_leaves(self) -> None:
        """Overlapping leaves are refused when the review is built, naming both."""
        with pytest.raises(
            ValidationError,
            match=r"Review\.leaves: leave 2026-02-10\.\.2026-02-20 overlaps leave "
            r"2026-02-01\.\.2026-02-10",
        ) as info:
            _review(
                leaves=[
                    Leave(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 10)),
                    Leave(start=dt.date(2026, 2, 10), end=dt.date(2026, 2, 20)),
                ]
            )
        assert info.value.field == "leaves"

    @pytest.mark.parametrize("fte", [0, -0.5, 1.01, 2, Decimal("NaN"), True, "0.5"])
    def test_fte_outside_zero_one(self, fte: object) -> None:
        """An FTE outside (0, 1] is refused, saying what is allowed."""
        with pytest.raises(
            ValidationError, match=r"FteChange\.fte: .* expected a number in \(0, 1\]"
        ) as info:
            FteChange(fte=fte, start=dt.date(2026, 1, 1))
        assert info.value.field == "fte"

    def test_leave_end_before_start(self) -> None:
        """A leave ending before it starts is refused."""
        with pytest.raises(ValidationError, match=r"Leave\.end"):
            Leave(start=dt.date(2026, 2, 2), end=dt.date(2026, 2, 1))

    def test_entries_oldest_first(self) -> None:
        """Assignments out of date order are refused."""
        with pytest.raises(ValidationError, match=r"Review.assignments\[1\]: start"):
            _review(
                assignments=[
                    Assignment(manager="a", start=dt.date(2026, 2, 1)),
                    Assignment(manager="b", start=dt.date(2026, 1, 1)),
                ]
            )


class TestStored:
    """Stored v1 documents load with the new fields empty."""

    def test_v1_review_loads(self) -> None:
        """The v1 review fixture loads, with no mid-cycle changes."""
        review = loads(FIXTURE.read_text("utf-8"), Review)
        assert not review.has_timeline
        assert review.leaves == ()
        assert review.goal_changes == ()
        data = json.loads(dumps(review))
        assert data["leaves"] == []
        assert data["assignments"] == []


_DAYS = st.integers(0, CYCLE.days - 1).map(lambda d: CYCLE.start + dt.timedelta(days=d))


@st.composite
def _changes(draw: st.DrawFn) -> list[GoalChange]:
    out = []
    weights = st.sampled_from([0.1, 0.25, 0.5, 0.7, 1.0, 2.0])
    for kpi in draw(st.lists(st.sampled_from(SCHEME.kpi_keys), max_size=5, unique=True)):
        starts = sorted(draw(st.sets(_DAYS, min_size=1, max_size=3)))
        out.extend(GoalChange(kpi=kpi, start=d, weight=draw(weights)) for d in starts)
    return sorted(out, key=lambda g: g.start)


class TestProperties:
    """Invariants of proration, over generated changes."""

    @settings(max_examples=40, deadline=None)
    @given(changes=_changes())
    def test_weights_sum_to_the_scheme_total(self, changes: list[GoalChange]) -> None:
        """Prorated weights add up to the scheme's total exactly, and match the day reference."""
        review = _review(goal_changes=changes)
        p = prorate(SCHEME, review, CYCLE)
        scheme_total = sum(
            Fraction(str(c.weight)) * Fraction(str(k.weight))
            for c in SCHEME.categories
            for k in SCHEME.kpis
            if k.category == c.key
        )
        assert sum(w for _, w in p.weights) == scheme_total
        assert dict(p.weights) == _reference_weights(review)
        card = ENGINE.score(SCHEME, review, cycle=CYCLE)
        assert sum(x.effective_weight for x in card.lines) == pytest.approx(1.0, abs=1e-12)

    @settings(max_examples=40, deadline=None)
    @given(
        values=st.lists(st.floats(0, 100), min_size=7, max_size=7),
        boss=st.none() | _DAYS,
        hire=st.none() | _DAYS,
    )
    def test_no_changes_gives_todays_scores(
        self, values: list[float], boss: dt.date | None, hire: dt.date | None
    ) -> None:
        """With no leave, FTE or weight change, scores are exactly those without proration."""
        actuals = [
            Actual(kpi=k, value=v, sample_size=100)
            for k, v in zip(SCHEME.kpi_keys, values, strict=True)
        ]
        plain = _review(actuals=actuals, subject=Subject(id="M07", hire_date=hire))
        moved = (
            plain
            if boss is None
            else attrs.evolve(plain, assignments=[Assignment(manager="li", start=boss)])
        )
        today = ENGINE.score(SCHEME, plain, cycle=CYCLE)
        card = ENGINE.score(SCHEME, moved, cycle=CYCLE)
        assert attrs.evolve(card, proration=None) == today
        p = prorate(SCHEME, moved, CYCLE)
        assert not p.weights_changed
        e = eligibility(CYCLE, hire)
        assert (p.worked_days, float(p.eligible_fraction)) == (e.days, e.fraction)

    @settings(max_examples=25, deadline=None)
    @given(values=st.lists(st.floats(0, 100) | st.none(), min_size=7, max_size=7))
    def test_scheme_weights_per_review_change_nothing(self, values: list[float | None]) -> None:
        """Per-review weights equal to the scheme's give bit-identical batch results."""
        actual = np.array([[np.nan if v is None else v for v in values]] * 2)
        plain = Population.from_arrays(SCHEME, subject_ids=["a", "b"], actual=actual)
        w = SCHEME.nominal_weights()
        rows = np.array([[w[k] for k in SCHEME.kpi_keys]] * 2)
        weighted = Population.from_arrays(
            SCHEME, subject_ids=["a", "b"], actual=actual, nominal_weight=rows
        )
        a, b = ENGINE.score_batch(SCHEME, plain), ENGINE.score_batch(SCHEME, weighted)
        for name in ("effective_weight", "raw_quantitative", "quantitative", "total", "flags"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert a.row(0) == b.row(0)


def test_from_arrays_refuses_weights_that_do_not_add_up() -> None:
    """Per-review weights that do not add up to the scheme's total are refused by subject."""
    k = len(SCHEME.kpis)
    with pytest.raises(ScoringError, match=r"nominal_weight of 'b'"):
        Population.from_arrays(
            SCHEME,
            subject_ids=["a", "b"],
            actual=np.full((2, k), 1.0),
            nominal_weight=np.array([[1.0 / k] * k, [0.5] * k]),
        )


_LEAVE_END = dt.timedelta(days=39)


def test_changes_without_a_cycle_are_refused() -> None:
    """Scoring a review whose leave would change its numbers, without the cycle, is an error."""
    scheme = customer_service_manager()
    cycle = scheme.cycle_plan.cycle_for(2026, 2)
    review = Review(
        subject=Subject(id="m-1", name="m-1", hire_date=dt.date(2020, 1, 1)),
        cycle=cycle.key,
        scheme=scheme.key,
        actuals=[Actual(kpi="csat", value=80.0, sample_size=100)],
        leaves=[Leave(start=cycle.start + dt.timedelta(days=10), end=cycle.start + _LEAVE_END)],
    )
    with pytest.raises(ScoringError, match="pass cycle="):
        ScoringEngine().score(scheme, review)
    assert ScoringEngine().score(scheme, review, cycle=cycle).eligible_fraction < 1
