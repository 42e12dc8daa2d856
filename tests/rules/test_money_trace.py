"""Money that recomputes from the decisions alone: lines, totals, proration, cap and pool.

Each listed line of a percent-of-base-pay bonus or deduction carries the base pay it came
from; the subject's totals, the proration fraction, the cap and the pool factor are on the
:class:`Decisions`. From those alone (exact Decimal and integer arithmetic), every amount is
recomputed here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.model import Actual, Assessment, Cycle, Deduction, Review, Subject
from perfmgmt.model.incentive import Bonus
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules import BonusPool, Decisions, RuleEvaluator
from perfmgmt.scoring import Population, ScoringEngine

SCHEME = customer_service_manager()
CYCLE = Cycle(key="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
CENT = Decimal("0.01")


def _review(i: int, level: float, pay: Decimal, hired: dt.date) -> Review:
    values = {
        "csat": 60 + level * 30,
        "response_time": 40 - level * 30,
        "fcr": 60 + level * 30,
        "morale": 55 + level * 30,
        "training": 4 + level * 10,
        "cost_saving": level * 6,
        "innovation": round(level * 3),
    }
    assessments = [
        Assessment(
            criterion=c.key,
            source=p.source,
            rater_id=f"{p.source.value}-{r}",
            rating=1 + level * 4,
        )
        for c in SCHEME.criteria
        for p in SCHEME.sources
        for r in range(p.min_raters)
    ]
    return Review(
        subject=Subject(id=f"m{i}", hire_date=hired, base_pay=pay, currency="CNY"),
        cycle=CYCLE.key,
        scheme=SCHEME.key,
        actuals=[Actual(kpi=k, value=v, sample_size=200) for k, v in values.items()],
        assessments=assessments,
    )


def _round(value: Fraction) -> Decimal:
    """Half-to-even at the cent."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        CENT, rounding=ROUND_HALF_EVEN
    )


def _check(d: Decisions) -> None:
    bonus = deduction = Decimal(0)
    for line in d.decisions:
        outcome = line.outcome
        if not isinstance(outcome, Bonus | Deduction):
            continue
        if line.base_pay is not None:
            want = _round(Fraction(line.base_pay) * Fraction(outcome.value) / 100)
            assert line.amount == want, (line, want)
        assert line.amount is not None
        if isinstance(outcome, Bonus):
            bonus += line.amount
        else:
            deduction += line.amount
    assert d.bonus == bonus
    assert (d.deduction or Decimal(0)) == deduction
    assert d.prorated is not None
    assert d.capped is not None
    assert d.awarded is not None
    assert d.pool_factor is not None
    if d.proration is not None:
        num, den = d.proration
        assert d.prorated == _round(Fraction(bonus) * num / den)
    else:
        assert d.prorated == bonus
    want_capped = d.prorated if d.per_person_cap is None else min(d.prorated, d.per_person_cap)
    assert d.capped == want_capped
    # The pool scales by the factor, distributing cents by largest remainder: within a cent.
    assert abs(d.awarded - d.capped * d.pool_factor) < CENT
    text = d.explain()
    assert str(d.awarded) in text
    if d.proration is not None and bonus:
        assert f"{d.proration[0]}/{d.proration[1]}" in text


class TestMoneyRecomputes:
    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.floats(0.0, 1.0),
                st.decimals(Decimal("5000"), Decimal("90000"), places=2),
                st.integers(0, 80),
            ),
            min_size=1,
            max_size=12,
        ),
        st.sampled_from([None, Decimal("2000.00"), Decimal("50000.00")]),
        st.sampled_from([None, Decimal("1500.00"), Decimal("9000.00")]),
    )
    def test_every_amount_from_the_decisions(
        self,
        people: list[tuple[float, Decimal, int]],
        pool_amount: Decimal | None,
        cap: Decimal | None,
    ) -> None:
        """Lines from base pay x percent; totals, proration, cap and pool from the decisions."""
        reviews = [
            _review(i, level, pay, CYCLE.start + dt.timedelta(days=days))
            for i, (level, pay, days) in enumerate(people)
        ]
        pop = Population.from_reviews(SCHEME, reviews, cycle=CYCLE)
        scores = ScoringEngine().score_batch(SCHEME, pop)
        pool = BonusPool(currency="CNY", amount=pool_amount, per_person_cap=cap)
        decisions = RuleEvaluator().evaluate_batch(SCHEME, scores, pop, pool=pool)
        for i in range(len(reviews)):
            _check(decisions.row(i))

    def test_rows_are_numbered_from_one_in_text(self) -> None:
        """A decision table's row appears as "row 2" for index 1, as in the report."""
        review = _review(0, 0.75, Decimal("30000.00"), dt.date(2020, 1, 1))
        pop = Population.from_reviews(SCHEME, [review], cycle=CYCLE)
        scores = ScoringEngine().score_batch(SCHEME, pop)
        d = RuleEvaluator().evaluate_batch(SCHEME, scores, pop).row(0)
        table_lines = [x for x in d.decisions if x.row is not None]
        assert table_lines
        for line in table_lines:
            assert f"row {line.row + 1}]" in d.explain()  # type: ignore[operator]
