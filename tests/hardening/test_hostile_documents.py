"""Hostile documents: seeded mutations of every stored document type, loaded with ``loads``.

Each stored type starts from a real document (the preset scheme, a review, its rules, its
decision table, cycle plan, a bonus pool, a development plan) and gets one mutation per case:
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

#: Each stored type: its start document, how to check an accepted one, how many cases.
DOCUMENTS: dict[str, tuple[Any, Callable[[Any], None], int]] = {
    "scheme": (SCHEME, _scheme_is_usable, 700),
    "review": (REVIEW, _review_is_usable, 550),
    "incentive_rule": (SCHEME.rules[0], _rule_is_usable, 200),
    "decision_table": (SCHEME.tables[0], _table_is_usable, 200),
    "cycle_plan": (SCHEME.cycle_plan, _plan_is_usable, 120),
    "bonus_pool": (_POOL, _pool_is_usable, 100),
    "development_plan": (_PLAN, _round_trips, 100),
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
