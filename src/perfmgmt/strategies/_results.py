"""Strategies for results: score cards, batches, decisions, explanations, calibration logs.

Results are made the way users get them, by running the engines on generated schemes and
populations, so every generated result is one the library can really return. The few
result-side value classes that users build themselves (a history, a field schema, a
calibration change) are drawn directly.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

from perfmgmt.calibration import CalibrationChange, CalibrationLog
from perfmgmt.calibration.log import CalibrationReason
from perfmgmt.model import Scheme
from perfmgmt.rules import BatchDecisions, Decisions, FieldSchema, History, RuleEvaluator
from perfmgmt.rules.payout import PoolAllocation
from perfmgmt.rules.schema import FieldType
from perfmgmt.scoring import (
    BatchScores,
    Explanation,
    Population,
    ScoreCard,
    Scorer,
    ScoringEngine,
    banded,
    binary,
    linear,
    progress,
    ratio,
    target_band,
)
from perfmgmt.strategies._review import populations
from perfmgmt.strategies._rules import bonus_pools
from perfmgmt.strategies._values import _finite, _texts, keys

__all__ = [
    "batch_decisions",
    "batch_scores",
    "calibration_changes",
    "calibration_logs",
    "decisions",
    "explanations",
    "field_schemas",
    "histories",
    "pool_allocations",
    "score_cards",
    "scorers",
]


@st.composite
def _scored(draw: st.DrawFn) -> tuple[Scheme, Population, BatchScores]:
    scheme, population = draw(populations(max_size=4))
    return scheme, population, ScoringEngine().score_batch(scheme, population)


def batch_scores() -> st.SearchStrategy[BatchScores]:
    """Return a strategy for :class:`~perfmgmt.scoring.BatchScores`: populations, scored."""
    return _scored().map(lambda t: t[2])


def score_cards() -> st.SearchStrategy[ScoreCard]:
    """Return a strategy for :class:`~perfmgmt.scoring.ScoreCard`: one row of a scored batch."""
    return _scored().flatmap(lambda t: st.sampled_from([t[2].row(i) for i in range(len(t[1]))]))


def explanations() -> st.SearchStrategy[Explanation]:
    """Return a strategy for :class:`~perfmgmt.scoring.Explanation` in English or Chinese."""
    return st.tuples(score_cards(), st.sampled_from(["en", "zh"])).map(lambda t: t[0].explain(t[1]))


@st.composite
def _decided(draw: st.DrawFn) -> BatchDecisions:
    scheme, population, batch = draw(_scored())
    pool = draw(st.none() | bonus_pools())
    if pool is not None and population.currency is not None:
        pool = attrs.evolve(pool, currency=population.currency)
    trace = draw(st.booleans())
    return RuleEvaluator(trace=trace).evaluate_batch(scheme, batch, population, pool=pool)


def batch_decisions() -> st.SearchStrategy[BatchDecisions]:
    """Return a strategy for :class:`~perfmgmt.rules.BatchDecisions` of scored populations."""
    return _decided()


def decisions() -> st.SearchStrategy[Decisions]:
    """Return a strategy for one subject's :class:`~perfmgmt.rules.Decisions` with its trace."""
    return _decided().flatmap(lambda b: st.sampled_from([b.row(i) for i in range(len(b))]))


def pool_allocations() -> st.SearchStrategy[PoolAllocation]:
    """Return a strategy for :class:`~perfmgmt.rules.PoolAllocation` results of bonus pools."""
    return _decided().flatmap(
        lambda b: st.nothing() if b.allocation is None else st.just(b.allocation)
    )


def _label_or_none() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(["A", "B", "C", "优秀"])


@st.composite
def _history(draw: st.DrawFn) -> History:
    n = draw(st.integers(1, 5))
    rows = [
        draw(
            st.lists(
                st.tuples(_label_or_none(), st.none() | _finite(0.0, 150.0)), min_size=0, max_size=4
            )
        )
        for _ in range(n)
    ]
    return History.from_records(rows)


def histories() -> st.SearchStrategy[History]:
    """Return a strategy for :class:`~perfmgmt.rules.History`: 1-5 subjects, 0-4 past cycles."""
    return _history()


def field_schemas() -> st.SearchStrategy[FieldSchema]:
    """Return a strategy for :class:`~perfmgmt.rules.FieldSchema` with dotted field names."""
    names = st.lists(keys(), min_size=1, max_size=3).map(".".join)
    return st.builds(
        FieldSchema,
        fields=st.dictionaries(names, st.sampled_from(FieldType), min_size=1, max_size=6),
        widths=st.dictionaries(keys(), st.integers(0, 64), max_size=3),
    )


def _param_values() -> st.SearchStrategy[str | float | int]:
    return _texts() | _finite() | st.integers(-1000, 1000)


def calibration_changes() -> st.SearchStrategy[CalibrationChange]:
    """Return a strategy for one :class:`~perfmgmt.calibration.CalibrationChange`."""
    value: st.SearchStrategy[Any] = st.none() | _finite(0.0, 150.0) | st.sampled_from(["A", "B"])
    return st.builds(
        CalibrationChange,
        subject_id=keys(),
        field=st.sampled_from(["rating", "assessment[attitude,manager,m1]"]),
        before=value,
        after=value,
        reason=st.sampled_from(CalibrationReason),
        params=st.lists(st.tuples(keys(), _param_values()), max_size=3).map(tuple),
    )


def calibration_logs() -> st.SearchStrategy[CalibrationLog]:
    """Return a strategy for a :class:`~perfmgmt.calibration.CalibrationLog` of 0-5 changes."""
    return st.lists(calibration_changes(), max_size=5).map(lambda c: CalibrationLog(changes=c))


def _ascending(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(_finite(-1000.0, 1000.0), min_size=n, max_size=n, unique=True).map(sorted)


def scorers() -> st.SearchStrategy[Scorer]:
    """Return a strategy for the built-in scorers, made by their factories."""
    payout = st.floats(0.0, 100.0)
    return st.one_of(
        st.builds(linear, threshold_payout=payout, cap=st.floats(100.0, 200.0)),
        st.integers(1, 4).flatmap(
            lambda n: st.builds(
                banded,
                edges=_ascending(n),
                scores=st.lists(st.floats(0.0, 150.0), min_size=n + 1, max_size=n + 1).map(sorted),
            )
        ),
        st.builds(ratio, cap=st.floats(100.0, 200.0)),
        st.builds(binary),
        st.builds(target_band, tolerance=st.floats(0.0, 10.0)),
        st.builds(progress),
    )
