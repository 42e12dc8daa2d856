"""Hostile values through the Python API: constructors field by field, and public functions.

The functions and methods are those that take dates, numbers, money or text. A constructor
case rebuilds a real object (found in the preset scheme and a review, or made here) with one
field set to a hostile value. When it is accepted, it must round-trip through
``dumps``/``loads`` unchanged and, put back where it came from, still score and evaluate.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from _hostile import Case, assert_no_infinity, describe, failures, outcomes_of

from perfmgmt import model
from perfmgmt.analytics import (
    MeritMatrix,
    MeritRow,
    NineBoxGrid,
    Opinion,
    PotentialModel,
    ReadinessPolicy,
    merit_increases,
    place,
)
from perfmgmt.model import (
    CheckIn,
    Cycle,
    CyclePlan,
    DevelopmentAction,
    DevelopmentPlan,
    Event,
    Interview,
    Money,
    Objective,
    ObjectiveLevel,
    Review,
    ReviewResult,
    ReviewStatus,
    normalise_weights,
)
from perfmgmt.model.development import (
    ActionKind,
    DevelopmentPolicy,
    SkillLink,
    SkillMap,
    TriggerWhen,
    WellbeingTrigger,
)
from perfmgmt.model.incentive import BonusPool
from perfmgmt.model.money import from_minor, quantize, to_minor
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules import DecisionBuffers, RuleEvaluator, score_and_decide_batches
from perfmgmt.rules.payout import allocate
from perfmgmt.scoring import (
    Population,
    ScoreBuffers,
    ScoringEngine,
    banded,
    binary,
    iter_populations,
    linear,
    progress,
    ratio,
    target_band,
)
from perfmgmt.serialization import dumps, loads

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v1" / "review.json"
SCHEME = customer_service_manager()
REVIEW = loads(FIXTURE.read_text("utf-8"), Review)
ENGINE = ScoringEngine()
EVALUATOR = RuleEvaluator()
CARD = ENGINE.score(SCHEME, REVIEW)
DAY = dt.date(2026, 5, 17)

#: The hostile values every field is given, by name.
HOSTILE: dict[str, Any] = {
    "None": None,
    "True": True,
    "empty text": "",
    "text": "x",
    "lone surrogate": "x\ud800y",
    "NUL": "a\x00b",
    "newline suffix": "csat\n",
    "RTL": "\u202eabc",
    "200k chars": "w" * 200_000,
    "-0.0": -0.0,
    "1e308": 1e308,
    "-1e308": -1e308,
    "nan": math.nan,
    "inf": math.inf,
    "10**400": 10**400,
    "10**5000": 10**5000,
    "2**53+1": 2**53 + 1,
    "10**30": 10**30,
    "1e16": 1e16,
    "1e15": 1e15,
    "-1e15": -1e15,
    "5e-324": 5e-324,
    "1e-300": 1e-300,
    "-1": -1,
    "0": 0,
    "1.5": 1.5,
    "empty list": [],
    "list of text": ["x"],
    "dict": {"edges": ["x"]},
    "object": object(),
    "Decimal NaN": Decimal("NaN"),
    "Decimal 1e30": Decimal("1e30"),
    "Decimal 9.2e16": Decimal("92000000000000000"),
    "Decimal -0": Decimal("-0"),
    "datetime": dt.datetime(2026, 1, 1, 12, 0),
    "date 1-1-1": dt.date(1, 1, 1),
    "date 9999-12-31": dt.date(9999, 12, 31),
    "bytes": b"csat",
}

# -- where objects are found: every attrs object in the preset scheme and a full review -------

Where = tuple[
    str, tuple[Any, ...]
]  # ("scheme" | "review" | "", path of attribute names and indices)


def _walk(obj: Any, root: str, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, Where]]:
    if attrs.has(type(obj)):
        yield obj, (root, path)
        for f in attrs.fields(type(obj)):
            yield from _walk(getattr(obj, f.name), root, (*path, f.name))
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk(item, root, (*path, i))


def _put(obj: Any, path: tuple[Any, ...], new: Any) -> Any:
    """Return ``obj`` with the node at ``path`` replaced by ``new``, rebuilt bottom-up."""
    if not path:
        return new
    head, *rest = path
    if isinstance(head, int):
        items = list(obj)
        items[head] = _put(items[head], tuple(rest), new)
        return tuple(items)
    return attrs.evolve(obj, **{head: _put(getattr(obj, head), tuple(rest), new)})


_PLAN = DevelopmentPlan(
    subject_id="M01",
    review="M01@2026Q1",
    actions=(
        DevelopmentAction(
            key="coach",
            kind=ActionKind.SKILL_TRAINING,
            description="Coaching",
            owner="boss",
            kpi="fcr",
            due=dt.date(2026, 6, 30),
        ),
    ),
)
_FULL_REVIEW = attrs.evolve(
    REVIEW,
    development_plan=_PLAN,
    interview=Interview(on=DAY, interviewer="boss", strengths=("calm",), gaps=("speed",)),
    history=(
        Event(
            at=dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC),
            actor="boss",
            action="agree_goals",
            from_status=ReviewStatus.DRAFT,
            to_status=ReviewStatus.GOALS_AGREED,
            summary="agreed",
            details={"reason": "on time"},
        ),
    ),
    result=ReviewResult(total=89.2, quantitative=90.0, qualitative=80.0, rating="C"),
    goal_signatures=(
        model.Signature(
            role=model.SignatureRole.EMPLOYEE,
            actor="p1",
            at=dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC),
        ),
    ),
)
_FULL_REVIEW = attrs.evolve(
    _FULL_REVIEW,
    check_ins=(
        CheckIn(
            on=DAY,
            author="boss",
            progress=(model.Actual(kpi="csat", value=70.0, sample_size=10),),
            note="on track",
        ),
    ),
)
_QUARTER = CyclePlan().cycle_on(DAY)
_FULL_REVIEW = attrs.evolve(
    _FULL_REVIEW,
    assignments=(model.Assignment(manager="boss-2", start=DAY),),
    fte_changes=(model.FteChange(fte=Decimal("0.8"), start=DAY),),
    leaves=(
        model.Leave(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 10), kind=model.LeaveKind.SICK),
    ),
    goal_changes=(model.GoalChange(kpi="fcr", start=DAY, weight=0.6, target=75.0),),
)
_EXTRA = (
    Money(amount=Decimal("1234.56"), currency="CNY"),
    BonusPool(currency="CNY", amount=Decimal("100000.00"), per_person_cap=Decimal("20000.00")),
    Objective(key="grow", level=ObjectiveLevel.COMPANY, title="Grow service quality"),
    model.HistoryCheck(events=3, legacy=1, index=2, reason="event 'evaluate' was edited"),
    _QUARTER,
    _QUARTER.phases[0],
    model.eligibility(_QUARTER, dt.date(2026, 5, 1), min_days=30),
    model.prorate(SCHEME, _FULL_REVIEW, _QUARTER),
    DevelopmentPolicy(
        skill_map=SkillMap(links=(SkillLink(kpi="fcr", skill="diagnosis", training="coaching"),)),
        wellbeing=(WellbeingTrigger(kpi="csat", when=TriggerWhen.BELOW, limit=50.0),),
    ),
    MeritMatrix(
        compa_edges=(Decimal("0.90"), Decimal("1.10")),
        rows=(MeritRow(rating="A", percents=(Decimal("6"), Decimal("5"), Decimal("3.5"))),),
    ),
    NineBoxGrid(
        performance_cuts=(Decimal(80), Decimal(100)), potential_cuts=(Decimal(2), Decimal(4))
    ),
    PotentialModel(criteria=SCHEME.criteria),
    ReadinessPolicy(),
    Opinion(role="staff", scores={"fair": 4}, comment="Clear goals."),
)


def _instances() -> dict[str, tuple[Any, Where]]:
    """One real instance of every attrs class, with where it was found (first found wins)."""
    found: dict[str, tuple[Any, Where]] = {}
    for obj, where in (*_walk(SCHEME, "scheme"), *_walk(_FULL_REVIEW, "review")):
        found.setdefault(type(obj).__name__, (obj, where))
    for extra in _EXTRA:
        for obj, _ in _walk(extra, ""):
            found.setdefault(type(obj).__name__, (obj, ("", ())))
    return found


INSTANCES = _instances()


def _round_trips(obj: Any) -> None:
    text = dumps(obj)
    again = loads(text, type(obj))
    assert again == obj, "loads(dumps(x)) != x"
    assert dumps(again) == text, "dumps(loads(dumps(x))) != dumps(x)"


def _usable(where: Where) -> Callable[[Any], None]:
    root, path = where

    def check(obj: Any) -> None:
        _round_trips(obj)
        if root == "scheme":
            scheme = _put(SCHEME, path, obj)
            _round_trips(scheme)
            card = ENGINE.score(scheme, REVIEW)
            assert_no_infinity(card, "score card")
            EVALUATOR.evaluate(scheme, card, subject=REVIEW.subject)
        elif root == "review":
            review = _put(_FULL_REVIEW, path, obj)
            _round_trips(review)
            card = ENGINE.score(SCHEME, review)
            assert_no_infinity(card, "score card")
            EVALUATOR.evaluate(SCHEME, card, subject=review.subject)

    return check


def _constructor_cases() -> Iterator[Case]:
    for cls_name, (obj, where) in sorted(INSTANCES.items()):
        for field in attrs.fields(type(obj)):
            for value_name, value in HOSTILE.items():
                yield Case(
                    category="api/constructors",
                    name=f"{cls_name}.{field.name} = {value_name}",
                    run=functools.partial(attrs.evolve, obj, **{field.name: value}),
                    check=_usable(where),
                    names=(field.name,),
                )


def test_every_public_domain_class_is_covered() -> None:
    """The matrix reaches every attrs class the model exports."""
    exported = {
        n
        for n in model.__all__
        if isinstance(getattr(model, n), type) and attrs.has(getattr(model, n))
    }
    assert exported - set(INSTANCES) == set()


# -- functions and methods ------------------------------------------------------------------------

_CYCLE = SCHEME.cycle_plan.cycle_on(DAY) if SCHEME.cycle_plan else None
_CUSTOM = CyclePlan(frequency=model.Frequency.CUSTOM, rrule="FREQ=MONTHLY;INTERVAL=2")


def _merit(**changed: Any) -> Any:
    """Apply the instance table's merit matrix to one person, with one argument changed."""
    kwargs: dict[str, Any] = {
        "ratings": ["A"],
        "salaries": [Decimal("9000.00")],
        "midpoints": [Decimal("10000.00")],
        "currency": "CNY",
        "budget": Decimal("100.00"),
    }
    return merit_increases(INSTANCES["MeritMatrix"][0], **(kwargs | changed))


def _calls() -> dict[str, tuple[Callable[[Any], Any], tuple[str, ...]]]:
    """Each public call with one hostile argument: the call, and what a clean error names."""
    plan = CyclePlan()
    assert _CYCLE is not None
    cat = SCHEME.categories[0]
    return {
        "CyclePlan.cycle_on(day)": (plan.cycle_on, ("day",)),
        "verify_history(review)": (model.verify_history, ("review",)),
        "verify_history(review, head)": (
            lambda v: model.verify_history(_FULL_REVIEW, head=v),
            ("head",),
        ),
        "custom CyclePlan.cycle_on(day)": (_CUSTOM.cycle_on, ("day",)),
        "CyclePlan.cycle_for(year, 1)": (lambda v: plan.cycle_for(v, 1), ("fiscal_year",)),
        "CyclePlan.cycle_for(2026, number)": (lambda v: plan.cycle_for(2026, v), ("number",)),
        "CyclePlan.cycles_between(start, day)": (
            lambda v: plan.cycles_between(v, DAY),
            ("start", "end"),
        ),
        "CyclePlan.cycles_between(day, end)": (
            lambda v: plan.cycles_between(DAY, v),
            ("start", "end"),
        ),
        "CyclePlan.phase_windows(start, day)": (
            lambda v: plan.phase_windows(v, DAY),
            ("start", "end"),
        ),
        "eligible_days(cycle, hire_date)": (
            lambda v: model.eligible_days(_CYCLE, v),
            ("hire_date",),
        ),
        "eligible_days(cycle, None, leave_date)": (
            lambda v: model.eligible_days(_CYCLE, None, v),
            ("leave_date",),
        ),
        "eligible_days(cycle=v)": (model.eligible_days, ("cycle",)),
        "eligibility(min_days)": (
            lambda v: model.eligibility(_CYCLE, min_days=v),
            ("min_days",),
        ),
        "too_new_to_rate(min_days)": (
            lambda v: model.too_new_to_rate(_CYCLE, min_days=v),
            ("min_days",),
        ),
        "normalise_weights(items)": (normalise_weights, ("normalise_weights",)),
        "normalise_weights([cat(weight=v), cat])": (
            lambda v: normalise_weights(
                [attrs.evolve(cat, weight=v), attrs.evolve(cat, key="other", weight=1.0)]
            ),
            ("weight",),
        ),
        "RatingScale.band_for(score)": (SCHEME.rating_scale.band_for, ("score",)),
        "RatingScale.band(label)": (SCHEME.rating_scale.band, ("band",)),
        "Scheme.kpi(key)": (SCHEME.kpi, ("KPI",)),
        "Scheme.category(key)": (SCHEME.category, ("category",)),
        "to_minor(amount, CNY)": (lambda v: to_minor(v, "CNY"), ("amount", "money")),
        "quantize(amount, JPY)": (lambda v: quantize(v, "JPY"), ("amount", "money")),
        "from_minor(value, CNY)": (lambda v: from_minor(v, "CNY"), ("value", "minor")),
        "to_minor(1, currency)": (lambda v: to_minor(Decimal(1), v), ("currency",)),
        "linear(cap=v)": (lambda v: linear(cap=v), ("cap",)),
        "linear(accelerator=v)": (lambda v: linear(accelerator=v), ("accelerator",)),
        "linear(direction=v)": (lambda v: linear(direction=v), ("direction",)),
        "banded(edges=v)": (lambda v: banded(edges=v, scores=[0.0, 100.0]), ("edges",)),
        "banded(scores=v)": (lambda v: banded(edges=[1.0], scores=v), ("scores",)),
        "ratio(cap=v)": (lambda v: ratio(cap=v), ("cap",)),
        "binary(met=v)": (lambda v: binary(met=v), ("met",)),
        "target_band(tolerance=v)": (lambda v: target_band(tolerance=v), ("tolerance",)),
        "progress(baseline=v)": (lambda v: progress(baseline=v), ("baseline",)),
        "allocate([v], pool)": (
            lambda v: allocate([v], INSTANCES["BonusPool"][0]),
            ("requested",),
        ),
        "merit_increases(salaries=[v])": (
            lambda v: _merit(salaries=[v]),
            ("salaries", "budget"),  # a salary of 0 leaves nothing to spread the budget over
        ),
        "merit_increases(midpoints=[v])": (
            lambda v: _merit(midpoints=[v]),
            ("midpoints",),
        ),
        "merit_increases(ratings=[v])": (lambda v: _merit(ratings=[v]), ("ratings",)),
        "merit_increases(budget=v)": (lambda v: _merit(budget=v), ("budget",)),
        "merit_increases(currency=v)": (lambda v: _merit(currency=v), ("currency",)),
        "place(performance=[v])": (
            lambda v: place(INSTANCES["NineBoxGrid"][0], performance=[v], potential=[3]),
            ("performance",),
        ),
        "place(potential=[v])": (
            lambda v: place(INSTANCES["NineBoxGrid"][0], performance=[90], potential=[v]),
            ("potential",),
        ),
        "PotentialModel.potential([rating v])": (
            lambda v: INSTANCES["PotentialModel"][0].potential(
                [
                    model.Assessment(
                        criterion=c.key,
                        source=model.AssessmentSource.MANAGER,
                        rater_id="m",
                        rating=v,
                    )
                    for c in SCHEME.criteria
                ]
            ),
            ("rating",),
        ),
        "ScoreBuffers(slots=v)": (lambda v: ScoreBuffers(slots=v), ("slots",)),
        "ScoreBuffers.for_scheme(scheme, reviews=v)": (
            lambda v: ScoreBuffers.for_scheme(SCHEME, v),
            ("reviews",),
        ),
        "ScoreBuffers.for_scheme(scheme=v, 10)": (
            lambda v: ScoreBuffers.for_scheme(v, 10),
            ("scheme",),
        ),
        "DecisionBuffers(slots=v)": (lambda v: DecisionBuffers(slots=v), ("slots",)),
        "DecisionBuffers.for_rules(scheme, reviews=v)": (
            lambda v: DecisionBuffers.for_rules(SCHEME, v),
            ("reviews",),
        ),
        "DecisionBuffers.for_rules(rules=v, 10)": (
            lambda v: DecisionBuffers.for_rules(v, 10),
            ("rules",),
        ),
        "DecisionBuffers.for_rules(scheme, 10, trace=v)": (
            lambda v: DecisionBuffers.for_rules(SCHEME, 10, trace=v),
            ("trace",),
        ),
        "RuleEvaluator.evaluate_batch(out=v)": (
            lambda v: EVALUATOR.evaluate_batch(
                SCHEME, ENGINE.score_batch(SCHEME, Population.from_reviews(SCHEME, [REVIEW])), out=v
            ),
            ("out",),
        ),
        "score_and_decide_batches(decision_buffers=v)": (
            lambda v: list(score_and_decide_batches(SCHEME, [], decision_buffers=v)),
            ("decision_buffers",),
        ),
        "ScoringEngine.score_batch(out=v)": (
            lambda v: ENGINE.score_batch(SCHEME, Population.from_reviews(SCHEME, [REVIEW]), out=v),
            ("out",),
        ),
        "iter_populations(batches=v)": (
            lambda v: list(iter_populations(SCHEME, v)),
            ("batches", "batch"),
        ),
        "iter_populations([], batch_size=v)": (
            lambda v: list(iter_populations(SCHEME, [], batch_size=v)),
            ("batch_size",),
        ),
        "score_and_decide_batches(batches=v)": (
            lambda v: list(score_and_decide_batches(SCHEME, v)),
            ("batches", "batch"),
        ),
        "score_and_decide_batches(buffers=v)": (
            lambda v: list(score_and_decide_batches(SCHEME, [], buffers=v)),
            ("buffers",),
        ),
        "ScoringEngine.score_batches(buffers=v)": (
            lambda v: list(ENGINE.score_batches(SCHEME, [], buffers=v)),
            ("buffers",),
        ),
        "score_and_decide_batches(scheme=v)": (
            lambda v: list(score_and_decide_batches(v, [])),
            ("scheme",),
        ),
        "allocate([1], pool, eligible_fraction=[v])": (
            lambda v: allocate([Decimal(1)], INSTANCES["BonusPool"][0], eligible_fraction=[v]),
            ("eligible_fraction",),
        ),
    }


def _call_cases() -> Iterator[Case]:
    for call_name, (call, names) in sorted(_calls().items()):
        for value_name, value in HOSTILE.items():
            yield Case(
                category="api/functions",
                name=f"{call_name} with {value_name}",
                run=functools.partial(call, value),
                names=names,
            )


def _limit_cases() -> Iterator[Case]:
    """The issue's own examples and the edges of the documented ranges."""
    big = Decimal(10) ** 13  # the most CNY one amount may be
    pool = BonusPool(currency="CNY", amount=big, per_person_cap=big)
    cat = SCHEME.categories[0]
    examples: dict[str, tuple[Callable[[], Any], Callable[[Any], None], tuple[str, ...]]] = {
        "Cycle(start=datetime, end=date)": (
            lambda: Cycle(key="k", start=dt.datetime(2026, 1, 1), end=dt.date(2026, 3, 31)),
            lambda _: None,
            ("start",),
        ),
        "ScoringSpec(params={'edges': ['x']})": (
            lambda: model.ScoringSpec(scorer="banded", params={"edges": ["x"]}),
            lambda _: None,
            ("edges",),
        ),
        "normalise_weights two max weights": (
            lambda: normalise_weights(
                [attrs.evolve(cat, weight=1e15), attrs.evolve(cat, key="b", weight=1e15)]
            ),
            lambda out: _assert(math.fsum(c.weight for c in out) == 1.0),
            ("weight",),
        ),
        "CyclePlan.cycle_for(0, 1)": (
            lambda: CyclePlan().cycle_for(0, 1),
            lambda _: None,
            ("fiscal_year",),
        ),
        "pool of max amounts, 1000 people at the cap": (
            lambda: allocate([big] * 1000, pool),
            lambda a: _assert(a.total == big),
            ("requested",),
        ),
        "KPI min_sample 10**30": (
            lambda: attrs.evolve(SCHEME.kpis[0], min_sample=10**30),
            lambda _: None,
            ("min_sample",),
        ),
        "Actual sample_size 10**30": (
            lambda: attrs.evolve(REVIEW.actuals[0], sample_size=10**30),
            lambda _: None,
            ("sample_size",),
        ),
        "-0.0 and 0.0 targets hash alike": (
            lambda: tuple(
                _put(
                    SCHEME,
                    ("kpis", 0),
                    attrs.evolve(SCHEME.kpis[0], threshold=None, target=zero, stretch=None),
                )
                for zero in (-0.0, 0.0)
            ),
            lambda pair: _assert(pair[0].content_hash == pair[1].content_hash),
            ("target", "kpis", "Scheme"),
        ),
        "stretch 2**53+1": (
            lambda: attrs.evolve(SCHEME.kpis[0], stretch=2**53 + 1),
            lambda _: None,
            ("stretch",),
        ),
        "stretch at the number limit round-trips": (
            lambda: attrs.evolve(SCHEME.kpis[0], stretch=10**15),
            _round_trips,
            ("stretch",),
        ),
        "Money at 9.2e16 CNY": (
            lambda: Money(amount=Decimal("92000000000000000"), currency="CNY"),
            lambda _: None,
            ("amount",),
        ),
        "Subject base pay at the money limit scores and evaluates": (
            lambda: attrs.evolve(REVIEW.subject, base_pay=big),
            _usable(INSTANCES["Subject"][1]),
            ("base_pay",),
        ),
    }
    for name, (run, check, names) in examples.items():
        yield Case(category="api/limits", name=name, run=run, check=check, names=names)


def _assert(condition: bool) -> None:
    assert condition


FACTORIES: dict[str, Callable[[], Iterator[Case]]] = {
    "api/constructors": _constructor_cases,
    "api/functions": _call_cases,
    "api/limits": _limit_cases,
}


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def outcomes(request: pytest.FixtureRequest) -> tuple[Any, ...]:
    """The outcomes of one family of API cases (run once per session)."""
    return outcomes_of(request.param, FACTORIES[request.param])


def test_no_failure(outcomes: tuple[Any, ...]) -> None:
    """Hostile values through the Python API give a clean error or a usable object."""
    found = failures(outcomes, other=False) + failures(outcomes, other=True)
    assert not found, describe(found)


def test_issue_examples_are_refused_or_exact() -> None:
    """The issue's examples: each refused naming its field, or handled exactly."""
    by_name = {o.case.name: o.kind for o in outcomes_of("api/limits", _limit_cases)}
    assert by_name["Cycle(start=datetime, end=date)"] == "clean error"
    assert by_name["ScoringSpec(params={'edges': ['x']})"] == "clean error"
    assert by_name["CyclePlan.cycle_for(0, 1)"] == "clean error"
    assert by_name["KPI min_sample 10**30"] == "clean error"
    assert by_name["stretch 2**53+1"] == "clean error"
    assert by_name["Money at 9.2e16 CNY"] == "clean error"
    assert by_name["normalise_weights two max weights"] == "valid"
    assert by_name["-0.0 and 0.0 targets hash alike"] == "valid"
    assert by_name["pool of max amounts, 1000 people at the cap"] == "valid"
