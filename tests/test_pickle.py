"""Engines, evaluators, schemes and results pickle, as Dask and Spark workers need them to."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from perfmgmt import demo
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoringEngine


@pytest.fixture(scope="module")
def team() -> tuple[object, object]:
    """A small demo team and its scheme."""
    org = demo.generate_organisation(managers=12, agents=48, tickets=3000)
    scheme = customer_service_manager()
    pop = demo.cycle_population(org, scheme, demo.load_tables(org), org.cycles[1], org.cycles[0])
    return scheme, pop


@pytest.mark.parametrize("workers", [1, 2])
def test_pickled_engine_and_evaluator_give_the_same_results(
    team: tuple[object, object], workers: int
) -> None:
    """A pickled engine/evaluator (used or not, with threads or not) scores and decides alike."""
    scheme, pop = team
    engine = ScoringEngine(workers=workers)
    evaluator = RuleEvaluator(workers=workers)
    scores = engine.score_batch(scheme, pop)  # type: ignore[arg-type]  # caches a plan
    decisions = evaluator.evaluate_batch(scheme, scores, pop)  # type: ignore[arg-type]
    with engine, evaluator:
        copies = pickle.loads(pickle.dumps((scheme, pop, engine, evaluator)))
    scheme2, pop2, engine2, evaluator2 = copies
    assert scheme2 == scheme
    again = engine2.score_batch(scheme2, pop2)
    assert np.array_equal(again.total, scores.total, equal_nan=True)
    assert again.to_records() == scores.to_records()
    decided = evaluator2.evaluate_batch(scheme2, again, pop2)
    assert decided.to_records() == decisions.to_records()
    assert pickle.loads(pickle.dumps(scores)).to_records() == scores.to_records()
    engine2.close()
    evaluator2.close()


def test_registries_pickle_by_role() -> None:
    """The default registry unpickles as the receiver's default; another keeps its scorers."""
    from perfmgmt.scoring import ScorerRegistry, default_registry
    from perfmgmt.scoring.scorers import linear

    assert pickle.loads(pickle.dumps(default_registry)) is default_registry
    mine = ScorerRegistry()
    mine.register("straight", linear)
    copy = pickle.loads(pickle.dumps(mine))
    assert copy is not mine
    assert list(copy.names()) == ["straight"]
