"""Scalar = batch: evaluate() on a card equals evaluate_batch() on the card's row, bit for bit."""

from __future__ import annotations

import functools
import operator
from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmgmt.model.incentive import Bonus, Deduction, DeductionBasis, IncentiveRule
from perfmgmt.model.money import minor_units
from perfmgmt.model.review import Review, Subject
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import (
    Decisions,
    FieldSchema,
    FieldType,
    History,
    RuleEvaluator,
    compile_condition,
    parse,
)
from perfmgmt.scoring.engine import ScoringEngine
from perfmgmt.scoring.population import Population
from perfmgmt.strategies import (
    cycles,
    decimals,
    incentive_rules,
    reviews,
    schemes,
    subjects,
)

_AGGREGATES = ("sum", "mean", "min", "max")


@st.composite
def _aggregate_condition(draw: st.DrawFn, kpi_keys: tuple[str, ...]) -> str:
    """A condition text over sums, means, extremes and counts of vectors and history."""
    vector = draw(st.sampled_from(["kpi.score", "kpi.achievement", "history.total"]))
    bound = draw(st.floats(0, 400, allow_nan=False).map(lambda x: round(x, 3)))
    op = draw(st.sampled_from([">=", "<", ">", "<=", "=="]))
    kind = draw(st.sampled_from([*_AGGREGATES, "count", "scalar"]))
    if kind == "count":
        return f"count({vector} > {bound}) {op} {draw(st.integers(0, 12))}"
    if kind == "scalar":
        kpi = draw(st.sampled_from(kpi_keys))
        return f"kpi.{kpi}.score + total {op} {bound}"
    return f"{kind}({vector}) {op} {bound}"


def _money_outcomes(currency: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        decimals(max_value=40, places=3).map(Bonus.percent_of_base_pay),
        decimals(max_value=5_000).map(lambda v: Bonus.fixed(v, currency)),
        decimals(max_value=10, places=4).map(
            lambda v: Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=v)
        ),
    )


def _paid_in(currency: str, subject: Subject) -> Subject:
    """The subject paid in ``currency``, its pay cut to that currency's minor unit."""
    if subject.base_pay is None:
        return attrs.evolve(subject, currency=None)
    unit = Decimal(1).scaleb(-minor_units(currency))
    pay = subject.base_pay.quantize(unit, rounding=ROUND_DOWN)
    return attrs.evolve(subject, currency=currency, base_pay=pay)


@st.composite
def _cases(
    draw: st.DrawFn,
) -> tuple[Scheme, list[Review], list[IncentiveRule], History, Any]:
    scheme = draw(schemes(scorable=True, max_kpis=10, max_rules=3, max_tables=2))
    currency = draw(st.sampled_from(["CNY", "USD", "JPY"]))
    n = draw(st.integers(1, 6))
    items = [
        draw(
            reviews(
                scheme=scheme,
                subjects=subjects(ids=st.just(f"s{i}")).map(functools.partial(_paid_in, currency)),
            )
        )
        for i in range(n)
    ]
    texts = st.lists(_aggregate_condition(scheme.kpi_keys), min_size=1, max_size=4, unique=True)
    rules = [
        draw(
            incentive_rules(
                keys=st.just(f"agg{k}"),
                conditions=st.just(parse(text)),
                outcomes=_money_outcomes(currency),
            )
        )
        for k, text in enumerate(draw(texts))
    ]
    labels = (*scheme.rating_scale.labels, None)
    records = [
        draw(
            st.lists(
                st.tuples(
                    st.sampled_from(labels),
                    st.none() | st.floats(0, 120, allow_nan=False),
                ),
                max_size=12,
            )
        )
        for _ in range(n)
    ]
    return scheme, items, rules, History.from_records(records), draw(cycles())


def _comparable(d: Decisions) -> str:
    """Every field of the decisions as exact text: 0.00 differs from 0, -0.0 from 0.0."""
    return repr(attrs.astuple(d, recurse=False))


class TestScalarIsBatch:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_cases())
    def test_card_equals_its_row(
        self, case: tuple[Scheme, list[Review], list[IncentiveRule], History, Any]
    ) -> None:
        """evaluate(card_i) gives the fired rules, outcomes, money and trace of batch row i."""
        scheme, items, extra, history, cycle = case
        population = Population.from_reviews(scheme, items, cycle=cycle)
        batch = ScoringEngine().score_batch(scheme, population)
        rules = [*scheme.rules, *extra, *scheme.tables]
        evaluator = RuleEvaluator()
        whole = evaluator.evaluate_batch(rules, batch, population, history)
        for i, review in enumerate(items):
            one = History(ratings=history.ratings[i : i + 1], totals=history.totals[i : i + 1])
            alone = evaluator.evaluate(
                rules,
                batch.row(i),
                subject=review.subject,
                history=one,
                as_of=cycle.end,
                currency=population.currency,
            )
            assert _comparable(alone) == _comparable(whole.row(i))

    @settings(max_examples=60, deadline=None)
    @given(
        st.integers(8, 40).flatmap(
            lambda w: st.lists(
                st.lists(
                    st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.1, 0.2, 0.3, 1e-9]),
                    min_size=w,
                    max_size=w,
                ),
                min_size=1,
                max_size=40,
            )
        ),
        st.sampled_from(_AGGREGATES),
        st.data(),
    )
    def test_aggregates_add_left_to_right_in_any_batch(
        self, rows: list[list[float]], func: str, data: st.DataObject
    ) -> None:
        """sum/mean/min/max over 8+ values are the documented left-to-right value, in any batch."""
        i = data.draw(st.integers(0, len(rows) - 1))
        expected = _reference(func, rows[i])
        schema = FieldSchema(
            fields={"history.total": FieldType.NUMBER_VECTOR, "x": FieldType.NUMBER}
        )
        cond = compile_condition(parse(f"{func}(history.total) == x"), schema)
        totals = np.array(rows, dtype=np.float64)
        x = np.full(len(rows), expected)
        alone = cond.matches({"history.total": totals[i : i + 1], "x": x[i : i + 1]})
        together = cond.matches({"history.total": totals, "x": x})
        assert bool(alone[0])
        assert bool(together[i])


def _reference(func: str, values: list[float]) -> float:
    """The aggregate as the rule language documents it: sums add left to right."""
    if func == "min":
        return min(values)
    if func == "max":
        return max(values)
    total = functools.reduce(operator.add, values)
    return total / len(values) if func == "mean" else total
