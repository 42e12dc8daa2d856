"""Hostile documents: seeded mutations of every stored document type, loaded with ``loads``.

Each stored type starts from a real document (the preset scheme, a review, its rules, its
decision table, cycle plan, a bonus pool, a development plan, merit raises and a what-if, a
9-box placement, movement and promotion readiness) and gets one mutation per case:
a deleted key, a retyped value, an extreme number, a text edge case, a duplicate key or deep
nesting. An accepted document must round-trip through ``dumps``/``loads`` unchanged and be
usable (score, evaluate, allocate, work out cycles).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from _hostile import Case, assert_no_infinity, describe, failures, outcomes_of
from _mutations import mutations, names_for, write

from _stored import same_fields
from perfmgmt.analytics import (
    BoxMovement,
    MeritComparison,
    MeritMatrix,
    MeritResult,
    MeritRow,
    NineBoxGrid,
    NineBoxPlacement,
    ReadinessPolicy,
    ReadinessResult,
    compare_matrices,
    merit_increases,
    movement,
    place,
    promotion_readiness,
)
from perfmgmt.model import (
    CyclePlan,
    DecisionTable,
    DevelopmentAction,
    DevelopmentPlan,
    IncentiveRule,
    Review,
    Scheme,
)
from perfmgmt.model.development import ActionKind
from perfmgmt.model.incentive import BonusPool
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.rules.payout import allocate
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps, loads

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v1" / "review.json"
SCHEME = customer_service_manager()
REVIEW = loads(FIXTURE.read_text("utf-8"), Review)
ENGINE = ScoringEngine()
EVALUATOR = RuleEvaluator()
CARD = ENGINE.score(SCHEME, REVIEW)


def _round_trips(obj: Any) -> None:
    text = dumps(obj)
    again = loads(text, type(obj))
    assert again == obj, "loads(dumps(x)) != x"
    assert dumps(again) == text, "dumps(loads(dumps(x))) != dumps(x)"


def _scheme_is_usable(scheme: Scheme) -> None:
    _round_trips(scheme)
    card = ENGINE.score(scheme, REVIEW)
    assert_no_infinity(card, "score card")
    EVALUATOR.evaluate(scheme, card, subject=REVIEW.subject)


def _review_is_usable(review: Review) -> None:
    _round_trips(review)
    card = ENGINE.score(SCHEME, review)
    assert_no_infinity(card, "score card")
    EVALUATOR.evaluate(SCHEME, card, subject=review.subject)


def _rule_is_usable(rule: IncentiveRule) -> None:
    _round_trips(rule)
    others = tuple(r for r in SCHEME.rules if r.key != rule.key)
    scheme = attrs.evolve(SCHEME, rules=(*others, rule))
    EVALUATOR.evaluate(scheme, CARD, subject=REVIEW.subject)


def _table_is_usable(table: DecisionTable) -> None:
    _round_trips(table)
    others = tuple(t for t in SCHEME.tables if t.key != table.key)
    scheme = attrs.evolve(SCHEME, tables=(*others, table))
    EVALUATOR.evaluate(scheme, CARD, subject=REVIEW.subject)


def _plan_is_usable(plan: CyclePlan) -> None:
    _round_trips(plan)
    for day in (dt.date(1900, 1, 1), dt.date(2026, 5, 17), dt.date(2199, 12, 31)):
        try:
            cycle = plan.cycle_on(day)
        except Exception as exc:  # a custom rule may have no cycle on that day: say so cleanly
            from perfmgmt.errors import PerfmgmtError

            if not isinstance(exc, PerfmgmtError):
                raise
            continue
        assert cycle.start <= day <= cycle.end
    plan.cycles_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def _pool_is_usable(pool: BonusPool) -> None:
    _round_trips(pool)
    big = Decimal(10) ** 13
    allocate([Decimal("100.00"), Decimal(0), big, big], pool, eligible_fraction=[1, 0.5, 1, 0.1])


_POOL = BonusPool(currency="CNY", amount=Decimal("100000.00"), per_person_cap=Decimal("20000.00"))
_PLAN = DevelopmentPlan(
    subject_id="M01",
    review="M01@2026Q1",
    actions=(
        DevelopmentAction(
            key="coach",
            kind=ActionKind.SKILL_TRAINING,
            description="Coaching on first-contact resolution",
            owner="boss",
            kpi="fcr",
            due=dt.date(2026, 6, 30),
        ),
    ),
)

_MATRIX = MeritMatrix(
    compa_edges=(Decimal("0.90"), Decimal("1.10")),
    rows=(
        MeritRow(rating="B", percents=(Decimal("4"), Decimal("3"), Decimal("2"))),
        MeritRow(rating="A", percents=(Decimal("6"), Decimal("5"), Decimal("3.5"))),
    ),
)
_PEOPLE: dict[str, Any] = {
    "ratings": ["A", "B", "A", "B"],
    "salaries": [Decimal("9000.00"), Decimal("11500.00"), Decimal("8123.45"), Decimal("0.00")],
    "midpoints": [Decimal("10000.00")] * 4,
    "currency": "CNY",
    "budget": Decimal("1000.01"),
    "subjects": ["li", "wang", "chen", "liu"],
}
_GRID = NineBoxGrid(
    performance_cuts=(Decimal(80), Decimal(100)), potential_cuts=(Decimal("2.5"), Decimal("3.7"))
)
_PLACED = place(
    _GRID,
    performance=[Decimal(100), Decimal("79.9"), Decimal(92), None],
    potential=[Decimal("3.7"), Decimal(2), Decimal(3), Decimal(3)],
    subjects=["li", "zhao", "chen", "liu"],
)
_EARLIER = place(
    _GRID,
    performance=[Decimal(90), Decimal(70), None, Decimal(120)],
    potential=[Decimal(3), Decimal(2), Decimal(4), Decimal(4)],
    subjects=["li", "zhao", "chen", "wu"],
)
_READY = promotion_readiness(
    ReadinessPolicy(), _PLACED, history=[["A", "A"], ["C"], ["A", "A"], []]
)


def _stored_round_trips(obj: Any) -> None:
    """An accepted result loads back field by field and writes the same text."""
    text = dumps(obj)
    again = loads(text, type(obj))
    assert same_fields(again, obj), "loads(dumps(x)) differs from x field by field"
    assert dumps(again) == text, "dumps(loads(dumps(x))) != dumps(x)"


def _merit_is_usable(result: MeritResult) -> None:
    _stored_round_trips(result)
    assert sum(result.amounts()) == result.total
    if result.budget is not None:
        assert result.total == result.budget
    for i in range(len(result)):
        result.explain(i)
        result.explain(i, "zh")
    result.rows()


def _comparison_is_usable(comparison: MeritComparison) -> None:
    _stored_round_trips(comparison)
    comparison.rows()
    comparison.changed()
    assert comparison.cost_change == comparison.after.base_total - comparison.before.base_total


def _placement_is_usable(placement: NineBoxPlacement) -> None:
    _stored_round_trips(placement)
    assert int(placement.counts().sum()) + placement.unassessed == len(placement)
    for i in range(len(placement)):
        placement.box_of(i)


def _movement_is_usable(moves: BoxMovement) -> None:
    _stored_round_trips(moves)
    assert sum(n for _, _, n in moves.moves()) == moves.matched


def _readiness_is_usable(result: ReadinessResult) -> None:
    _stored_round_trips(result)
    assert sum(result.counts().values()) == len(result.subjects)
    for i in range(len(result.subjects)):
        result.explain(i)
        result.explain(i, "zh")


#: Each stored type: its start document, how to check an accepted one, how many cases.
DOCUMENTS: dict[str, tuple[Any, Callable[[Any], None], int]] = {
    "scheme": (SCHEME, _scheme_is_usable, 700),
    "review": (REVIEW, _review_is_usable, 550),
    "incentive_rule": (SCHEME.rules[0], _rule_is_usable, 200),
    "decision_table": (SCHEME.tables[0], _table_is_usable, 200),
    "cycle_plan": (SCHEME.cycle_plan, _plan_is_usable, 120),
    "bonus_pool": (_POOL, _pool_is_usable, 100),
    "development_plan": (_PLAN, _round_trips, 100),
    "merit_result": (merit_increases(_MATRIX, **_PEOPLE), _merit_is_usable, 200),
    "merit_comparison": (
        compare_matrices(_MATRIX, attrs.evolve(_MATRIX, rows=_MATRIX.rows[::-1]), **_PEOPLE),
        _comparison_is_usable,
        150,
    ),
    "nine_box_placement": (_PLACED, _placement_is_usable, 120),
    "box_movement": (movement(_EARLIER, _PLACED), _movement_is_usable, 100),
    "readiness_result": (_READY, _readiness_is_usable, 150),
}


def _refused(_result: object) -> None:
    raise AssertionError("a document with a duplicate key was accepted (two readers disagree)")


def _cases(kind: str) -> Iterator[Case]:
    start, check, count = DOCUMENTS[kind]
    cls = type(start)
    doc = json.loads(dumps(start))
    rng = random.Random(f"hostile-documents-{kind}")
    for _ in range(count):
        name, path, mutated = mutations(doc, rng)
        text = write(mutated)
        duplicate = "duplicate key" in name
        yield Case(
            category=f"document/{kind}",
            name=name,
            run=functools.partial(loads, text, cls),
            check=_refused if duplicate else check,
            check_area="serialization" if duplicate else "",
            # JSON too deep to parse has no path to name: the root "$" will do.
            names=(*names_for(path), "$") if "nested 100000" in name else names_for(path),
        )


@pytest.fixture(scope="module", params=sorted(DOCUMENTS))
def outcomes(request: pytest.FixtureRequest) -> tuple[Any, ...]:
    """The outcomes of one document type's cases (run once per session)."""
    kind = request.param
    return outcomes_of(f"document/{kind}", functools.partial(_cases, kind))


def test_enough_cases(outcomes: tuple[Any, ...]) -> None:
    """Every document type gets at least a hundred mutations."""
    assert len(outcomes) >= 100


def test_no_failure_outside_serialization(outcomes: tuple[Any, ...]) -> None:
    """Mutated documents never fail in the model, scoring or rules: clean error or valid."""
    found = failures(outcomes, other=False)
    assert not found, describe(found)


def test_no_failure_in_serialization(outcomes: tuple[Any, ...]) -> None:
    """Mutated documents never fail inside the loader itself (duplicate keys, depth, ...)."""
    found = failures(outcomes, other=True)
    assert not found, describe(found)
