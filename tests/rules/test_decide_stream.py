"""Tests for perfmgmt.rules.stream: scoring and deciding a stream equals the one-shot run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import perfmgmt
from perfmgmt.errors import RuleError, ScoringError
from perfmgmt.model import Honour
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import RuleEvaluator, rule, score_and_decide_batches
from perfmgmt.scoring import Population, ScoreBuffers, ScoringEngine

SCHEME = customer_service_manager()


def _table(n: int, seed: int = 1) -> pa.Table:
    """Return ``n`` reviews with exact base pay in fen, some of it unknown."""
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {"subject_id": [f"m{i:06d}" for i in range(n)]}
    for kpi in SCHEME.kpis:
        cols[f"kpi.{kpi.key}.actual"] = kpi.target * rng.uniform(0.5, 1.6, n)
    cols["kpi.csat.sample_size"] = rng.integers(30, 200, n)
    for criterion in SCHEME.criteria:
        for source in SCHEME.sources:
            cols[f"rating.{criterion.key}.{source.key}"] = rng.integers(2, 11, n) / 2
            cols[f"raters.{criterion.key}.{source.key}"] = rng.integers(1, 4, n)
    fen = rng.integers(800_000, 3_000_000, n)
    pay = [None if i % 17 == 0 else Decimal(int(f)).scaleb(-2) for i, f in enumerate(fen)]
    cols["base_pay"] = pa.array(pay, pa.decimal128(12, 2))
    cols["currency"] = ["CNY"] * n
    return pa.table(cols)


def _one_shot(table: pa.Table, rules: Any = None) -> tuple[Any, Any]:
    population = Population.from_frame(SCHEME, table)
    scores = ScoringEngine().score_batch(SCHEME, population)
    decisions = RuleEvaluator().evaluate_batch(
        SCHEME if rules is None else rules, scores, population
    )
    return scores, decisions


def _columns(pairs: list[tuple[Any, Any]]) -> dict[str, bytes]:
    """Concatenate what the rules decided, and the totals they read, over the batches."""
    out: dict[str, bytes] = {}
    for name in ("bonus_minor", "deduction_minor", "bonus_known", "deduction_known"):
        out[name] = np.concatenate([getattr(d, name) for _, d in pairs]).tobytes()
    out["rule_fired"] = np.concatenate([d.rule_fired for _, d in pairs], axis=1).tobytes()
    out["total"] = np.concatenate([s.total for s, _ in pairs]).tobytes()
    ids = [i for _, d in pairs for i in d.subject_ids]
    out["ids"] = "\n".join(ids).encode()
    return out


class TestEqualsOneShot:
    def test_parquet_stream_decides_as_one_population(self, tmp_path: Path) -> None:
        """Streaming a Parquet file gives the one-shot money, rules fired and totals."""
        table = _table(2_000)
        path = tmp_path / "reviews.parquet"
        pq.write_table(table, path, row_group_size=700)
        with pq.ParquetFile(path) as file:
            pairs = [(s, d) for s, d in score_and_decide_batches(SCHEME, file, batch_size=300)]
        scores, decisions = _one_shot(table)
        assert _columns(pairs) == _columns([(scores, decisions)])
        assert len(pairs) == 7  # every pair stays right while all are held
        # a row's explained decisions equal the one-shot ones
        for i in (0, 17, 301, 1_999):
            batch, row = divmod(i, 300)
            assert pairs[batch][1].row(row) == decisions.row(i)
            assert pairs[batch][0].row(row) == scores.row(i)

    def test_money_is_known_where_pay_is(self) -> None:
        """Known base pay gives known bonuses; unknown pay leaves a percent bonus unknown."""
        table = _table(400, seed=2)
        pairs = list(score_and_decide_batches(SCHEME, table, batch_size=128))
        known = np.concatenate([d.bonus_known for _, d in pairs])
        pay_known = np.array([p is not None for p in table.column("base_pay").to_pylist()])
        assert known[pay_known].all()
        assert not known[~pay_known].all()
        assert pairs[0][1].currency == "CNY"

    def test_own_rules_engine_evaluator_and_buffers(self) -> None:
        """Given rules, engine, evaluator and buffers are the ones used."""
        table = _table(500, seed=3)
        rules = [rule("high", when="total >= 100", then=[Honour(title="High")])]
        buffers = ScoreBuffers()
        evaluator = RuleEvaluator(trace=False)
        fired = []
        for _, decisions in score_and_decide_batches(
            SCHEME,
            table,
            rules=rules,
            engine=ScoringEngine(workers=2),
            evaluator=evaluator,
            batch_size=100,
            buffers=buffers,
        ):
            assert decisions.rule_keys == ("high",)
            fired.append(decisions.rule_fired[0].copy())
        scores, _ = _one_shot(table)
        assert np.concatenate(fired).tolist() == (scores.total >= 100).tolist()
        assert (buffers.allocated, buffers.reused) == (2, 3)

    def test_top_level_name(self) -> None:
        """The helper and ScoreBuffers are importable from perfmgmt."""
        assert perfmgmt.score_and_decide_batches is score_and_decide_batches
        assert perfmgmt.ScoreBuffers is ScoreBuffers


class TestRefused:
    def test_not_a_scheme(self) -> None:
        """The scheme must be a Scheme; the message says what came instead."""
        with pytest.raises(RuleError, match="expected a Scheme"):
            next(score_and_decide_batches({"key": "csm"}, _table(3)))  # type: ignore[arg-type]

    @pytest.mark.parametrize("option", ["engine", "evaluator", "buffers"])
    def test_options_of_another_type(self, option: str) -> None:
        """An engine, evaluator or buffers of another type is refused, naming the option."""
        with pytest.raises(RuleError, match=f"{option} is a str"):
            next(score_and_decide_batches(SCHEME, _table(3), **{option: "x"}))

    def test_bad_batch_named(self) -> None:
        """A batch the population builder refuses is named by its place in the stream."""
        table = _table(20).drop_columns(["currency"])
        with pytest.raises(ScoringError, match="batch 1"):
            next(score_and_decide_batches(SCHEME, table))
