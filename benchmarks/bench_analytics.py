"""Benchmark perfmgmt.analytics: compare() on 100,000 people and Monte Carlo 10,000 x 1,000.

Run: ``.venv/bin/python benchmarks/bench_analytics.py [--people N] [--draws D]``

Each figure is compared in the same run with a hand-written numpy reference of the same
formulas (linear scorers, reallocation-free weighted total, 70/30 blend, the rules' payouts),
checked to give the same numbers.  The reference does much less (no flags, traces, gates,
missing-data policies, validation), so the ratio is the price of the library's generality.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # shared schemes

from analytics_schemes import clean_scheme, evolve, population
from perfmgmt.analytics import compare, fit_actuals, simulate
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoringEngine


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Return the median seconds of ``repeat`` runs and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def reference_totals(scheme, actual: np.ndarray, qual: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Hand-written numpy: linear scores, nominal weights, blend (no missing data, no gates)."""
    score = np.empty_like(actual)
    for j, k in enumerate(scheme.kpis):
        s = 1.0 if k.indicator.direction.value == "higher_is_better" else -1.0
        x, t, g, st = s * actual[:, j], s * k.threshold, s * k.target, s * k.stretch
        below = 50.0 + 50.0 * (x - t) / (g - t)
        above = np.minimum(100.0 + 50.0 * (x - g) / (st - g), 150.0)
        score[:, j] = np.where(x < t, 0.0, np.where(x < g, below, above))
    weights = np.array([scheme.nominal_weights()[k] for k in scheme.kpi_keys])
    share = scheme.quantitative_share
    return share * (score @ weights) + (1.0 - share) * qual


def reference_pay(scheme, total: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The clean scheme's rules in numpy: 10 % of 10,000.00 for A, twice more for total >= 100."""
    top = total >= scheme.rating_scale.band("A").lower
    return 100_000 * (top.astype(np.int64) + 2 * (total >= 100).astype(np.int64))


def bench_compare(n: int) -> list[tuple[str, float, str]]:
    a = clean_scheme()
    b = evolve(a, quantitative_share=0.8)
    pop = population(a, n=n, seed=1, rating=4.0)
    engine, evaluator = ScoringEngine(), RuleEvaluator(trace=False)
    first = time.perf_counter()
    compare(a, b, pop, engine=engine, evaluator=evaluator)
    first = time.perf_counter() - first
    t_lib, c = timed(lambda: compare(a, b, pop, engine=engine, evaluator=evaluator))
    actual = np.asarray(pop.actual)
    qual = 100.0 * (4.0 - 1.0) / (5.0 - 1.0)

    def ref() -> tuple[np.ndarray, np.ndarray, int]:
        ta, tb = reference_totals(a, actual, qual), reference_totals(b, actual, qual)
        cost = int(reference_pay(b, tb).sum() - reference_pay(a, ta).sum())
        return ta, tb, cost

    t_ref, (ta, tb, cost) = timed(ref)  # type: ignore[misc]
    assert np.allclose(c.total_a, ta), "totals under A disagree"
    assert np.allclose(c.total_b, tb), "totals under B disagree"
    assert int(c.pay_delta_minor.sum()) == cost, "cost disagrees"
    return [
        (f"compare, {n:,} people (first call, caches filled)", first, ""),
        (f"compare, {n:,} people (warm, median of 3)", t_lib, f"{t_lib / t_ref:.1f}x numpy"),
        ("  numpy reference (totals + payouts, both schemes)", t_ref, "1.0x"),
    ]


def bench_simulate(draws: int, people: int) -> list[tuple[str, float, str]]:
    scheme = clean_scheme()
    pop = population(scheme, n=people, seed=2, rating=4.0)
    dists = fit_actuals(pop)
    engine, evaluator = ScoringEngine(), RuleEvaluator(trace=False)
    simulate(scheme, pop, dists, draws=2, engine=engine, evaluator=evaluator)
    t = time.perf_counter()
    result = simulate(
        scheme,
        pop,
        dists,
        draws=draws,
        seed=1,
        engine=engine,
        evaluator=evaluator,
        budget=Decimal("720000"),
    )
    t_lib = time.perf_counter() - t
    qual = 100.0 * (4.0 - 1.0) / (5.0 - 1.0)

    def ref() -> float:
        rng = np.random.default_rng(1)
        per = max(1, 32_768 // people)
        costs = []
        for start in range(0, draws, per):
            reps = min(per, draws - start)
            cols = [d.sample(rng, reps * people) for d in dists.values()]  # type: ignore[union-attr]
            total = reference_totals(scheme, np.column_stack(cols), qual)
            costs.append(reference_pay(scheme, total).reshape(reps, people).sum(axis=1))
        return float(np.concatenate(costs).mean())

    t = time.perf_counter()
    ref_mean = ref()
    t_ref = time.perf_counter() - t
    lib_mean = float(result.cost_minor.mean())
    se = float(result.cost_minor.std()) / np.sqrt(draws)
    assert abs(lib_mean - ref_mean) < 6 * se * np.sqrt(2), "expected costs disagree"
    rows = [
        (f"simulate, {draws:,} draws x {people:,} people", t_lib, f"{t_lib / t_ref:.1f}x numpy"),
        ("  numpy reference (sample, score, pay; one thread)", t_ref, "1.0x"),
    ]
    print(
        f"expected cost {result.expected_cost()} CNY (numpy reference "
        f"{ref_mean / 100:.2f}), P(cost > 720,000) = {result.probability_over():.3f}"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000, help="people for compare")
    parser.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws")
    parser.add_argument("--mc-people", type=int, default=1_000, help="people per draw")
    args = parser.parse_args()
    rows = bench_compare(args.people) + bench_simulate(args.draws, args.mc_people)
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'seconds':>9}  ratio")
    for name, seconds, ratio in rows:
        print(f"{name:<{width}}  {seconds:>9.3f}  {ratio}")


if __name__ == "__main__":
    main()
