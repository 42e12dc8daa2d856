"""Benchmark the rule evaluator against a hand-written numpy reference (issue #4).

Workload: a 5-row FIRST bonus table on ``total`` (percent of base pay) plus 3 rules that all
fire when they match (collect): training when any KPI score is below 60, a 5 % deduction for
ratings D/E, an honour for ``total >= 95 and kpi.csat.score >= 100``; 100,000 subjects with
missing values.  The reference computes the same masks and money with ``np.select``; both are
checked to agree before timing.  ``rule-engine`` / ``zen-engine`` are timed per record only
when importable (they are not dependencies).

Run: ``.venv/bin/python benchmarks/bench_rules.py [N]``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from perfmgmt.rules import (
    Bonus,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    Honour,
    RuleEvaluator,
    TableInput,
    TableRow,
    TextCodes,
    TrainingOpportunity,
    rule,
)

KPIS = ("csat", "aht", "fcr", "morale", "training", "cost", "innovation")
PCTS = (20, 15, 10, 5)


LABELS = ("A", "B", "C", "D", "E")


def make_frame(n: int, seed: int = 7) -> tuple[dict[str, np.ndarray | TextCodes], np.ndarray]:
    """Build the frame as ``frame_from_scores`` does: rating as codes into the band labels."""
    rng = np.random.default_rng(seed)
    total = rng.uniform(40, 110, n)
    total[rng.random(n) < 0.02] = np.nan
    scores = rng.uniform(30, 130, (n, len(KPIS)))
    scores[rng.random((n, len(KPIS))) < 0.03] = np.nan
    # BatchScores.rating_index: -1 = not rated
    rating = TextCodes(labels=LABELS, codes=rng.integers(-1, len(LABELS), n))
    base_minor = rng.integers(500_000, 3_000_000, n).astype(np.int64)  # 5k..30k CNY in fen
    frame: dict[str, np.ndarray | TextCodes] = {
        "total": total,
        "rating": rating,
        "kpi.score": scores,
        "kpi.csat.score": scores[:, 0].copy(),
        "eligible_fraction": np.ones(n),
    }
    return frame, base_minor


def make_rules() -> list[object]:
    table = DecisionTable(
        key="bonus",
        inputs=[TableInput(field="total")],
        hit_policy=HitPolicy.FIRST,
        rows=[
            TableRow(inputs=[">= 95"], outputs=[Bonus.percent_of_base_pay(Decimal(20))]),
            TableRow(inputs=["[90..95)"], outputs=[Bonus.percent_of_base_pay(Decimal(15))]),
            TableRow(inputs=["[80..90)"], outputs=[Bonus.percent_of_base_pay(Decimal(10))]),
            TableRow(inputs=["[70..80)"], outputs=[Bonus.percent_of_base_pay(Decimal(5))]),
            TableRow(inputs=["< 70"], outputs=[]),
        ],
    )
    return [
        rule("train", when="any(kpi.score < 60)", then=[TrainingOpportunity(topic="Coaching")]),
        rule(
            "cut",
            when='rating in ["D", "E"]',
            then=[Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=Decimal(5))],
        ),
        rule(
            "star",
            when="total >= 95 and kpi.csat.score >= 100",
            then=[Honour(title="Service star")],
        ),
        table,
    ]


def _half_even(a: np.ndarray, d: int) -> np.ndarray:
    q = a // d
    r2 = (a - q * d) * 2
    return q + ((r2 > d) | ((r2 == d) & (q % 2 == 1)))


def reference(
    total: np.ndarray,
    scores: np.ndarray,
    csat: np.ndarray,
    rating: np.ndarray,
    base_minor: np.ndarray,
) -> dict[str, np.ndarray]:
    """The same decisions written by hand with np.select and masks, on the same inputs.

    ``rating`` holds the band indices (``BatchScores.rating_index``), so D/E is an integer test;
    NaN compares false, which is the three-valued result for these conditions.
    """
    pct = np.select([total >= 95, total >= 90, total >= 80, total >= 70], PCTS, default=0).astype(
        np.int64
    )
    train = (scores < 60).any(axis=1)
    cut = (rating == LABELS.index("D")) | (rating == LABELS.index("E"))
    star = (total >= 95) & (csat >= 100)
    bonus = _half_even(base_minor * pct, 100)
    deduction = _half_even(base_minor * (cut * 5), 100)
    return {"train": train, "cut": cut, "star": star, "bonus": bonus, "deduction": deduction}


def best_of(fn: Callable[[], object], repeat: int = 15) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def best_of_each(fns: list[Callable[[], object]], repeat: int = 25) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def main(n: int = 100_000) -> None:
    frame, base_minor = make_frame(n)
    codes = frame["rating"]
    assert isinstance(codes, TextCodes)
    args = (frame["total"], frame["kpi.score"], frame["kpi.csat.score"], codes.codes, base_minor)
    # a frame built by hand with texts as an object array (None = unknown), and its reference
    labels = codes.to_numpy()
    obj_frame = {**frame, "rating": labels, "base_pay": base_minor / 100.0}

    def reference_objects() -> dict[str, np.ndarray]:
        out = reference(*args[:3], np.zeros(n, np.int64) - 1, base_minor)
        out["cut"] = (labels == "D") | (labels == "E")
        return out

    base_pay = tuple(Decimal(int(b)).scaleb(-2) for b in base_minor)  # as Population holds it
    rules = make_rules()
    traced = RuleEvaluator()
    untraced = RuleEvaluator(trace=False)

    def run(ev: RuleEvaluator) -> object:
        return ev.evaluate_frame(rules, frame, base_pay=base_pay, currency="CNY")

    # base pay conversion Decimal -> minor units is a per-population cost; time evaluation only
    def run_minor(ev: RuleEvaluator) -> object:
        return ev.evaluate_frame(rules, {**frame, "base_pay": base_minor / 100.0}, currency="CNY")

    bd = run(traced)
    ref = reference(*args)
    assert np.array_equal(bd.fired("train"), ref["train"])
    assert np.array_equal(bd.fired("cut"), ref["cut"])
    assert np.array_equal(bd.fired("star"), ref["star"])
    assert np.array_equal(bd.bonus_minor, ref["bonus"])
    assert np.array_equal(bd.deduction_minor, ref["deduction"])
    bd2 = run_minor(traced)
    assert np.array_equal(bd2.bonus_minor, ref["bonus"])
    bd3 = traced.evaluate_frame(rules, obj_frame, currency="CNY")
    assert np.array_equal(bd3.fired("cut"), reference_objects()["cut"])

    # round-robin so that load from other processes hits every variant alike
    t_ref, t_trace, t_notrace, t_ref_obj, t_obj = best_of_each(
        [
            lambda: reference(*args),
            lambda: run_minor(traced),
            lambda: run_minor(untraced),
            reference_objects,
            lambda: traced.evaluate_frame(rules, obj_frame, currency="CNY"),
        ]
    )
    t0 = time.perf_counter()
    run(RuleEvaluator())  # a fresh evaluator: compiles and converts the Decimal base pays
    t_first = time.perf_counter() - t0
    t_decimal = best_of(lambda: run(traced))
    rows = np.random.default_rng(1).integers(0, n, 500)
    t0 = time.perf_counter()
    for i in rows:
        bd.explain(int(i))
    t_explain = (time.perf_counter() - t0) / len(rows)

    print(f"rules benchmark: {n:,} subjects, 5-row FIRST table + 3 collect rules, money + trace")
    print(f"{'what':44} {'time':>10} {'ratio':>8} {'subjects/s':>14}")
    lines = [
        ("numpy np.select reference", t_ref, 1.0),
        ("RuleEvaluator, full trace", t_trace, t_trace / t_ref),
        ("RuleEvaluator, trace=False", t_notrace, t_notrace / t_ref),
        ("RuleEvaluator, Decimal base pays (cached)", t_decimal, t_decimal / t_ref),
        ("first call: compile + Decimal conversion", t_first, t_first / t_ref),
        ("numpy reference, rating as object array", t_ref_obj, t_ref_obj / t_ref),
        ("RuleEvaluator, rating as object array", t_obj, t_obj / t_ref),
    ]
    for name, t, ratio in lines:
        print(f"{name:44} {t * 1e3:8.2f}ms {ratio:7.2f}x {n / t:14,.0f}")
    print(f"{'trace / no trace':44} {'':>10} {t_trace / t_notrace:7.2f}x")
    print(f"{'explain(row), mean of 500':44} {t_explain * 1e3:8.3f}ms")
    for name in ("rule_engine", "zen"):
        try:
            __import__(name)
        except ImportError:
            print(f"{name:44} not installed (optional comparison skipped)")
        else:  # pragma: no cover - optional
            print(f"{name:44} installed but per-record comparison not implemented")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
