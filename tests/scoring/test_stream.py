"""Tests for perfmgmt.scoring.stream and score_batches: a stream equals the one-shot run."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.presets import customer_service_manager
from perfmgmt.scoring import (
    BatchScores,
    Population,
    ScoreBuffers,
    ScoringEngine,
    iter_populations,
)

SCHEME = customer_service_manager()
ENGINE = ScoringEngine()


def _table(n: int, seed: int = 1) -> pa.Table:
    """Return ``n`` reviews in from_frame's wide layout, with gaps and unrated sources."""
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {"subject_id": [f"m{i:06d}" for i in range(n)]}
    for kpi in SCHEME.kpis:
        actual = kpi.target * rng.uniform(0.4, 1.6, n)
        actual[rng.random(n) < 0.1] = np.nan
        cols[f"kpi.{kpi.key}.actual"] = actual
    no_csat = np.isnan(cols["kpi.csat.actual"])
    cols["kpi.csat.sample_size"] = np.where(no_csat, -1, rng.integers(0, 200, n))
    for criterion in SCHEME.criteria:
        for source in SCHEME.sources:
            raters = rng.integers(0, 4, n)
            rating = rng.integers(2, 11, n) / 2
            cols[f"rating.{criterion.key}.{source.key}"] = np.where(raters > 0, rating, np.nan)
            cols[f"raters.{criterion.key}.{source.key}"] = raters
    return pa.table(cols)


def _concat(batches: list[BatchScores]) -> dict[str, np.ndarray]:
    """Concatenate the per-review arrays of consecutive batches, by name."""
    names = ["subject_ids", "total", "score", "achievement", "flags", "rating_index"]
    names += ["criterion_score", "category_score", "review_flags", "effective_weight"]
    return {n: np.concatenate([np.asarray(getattr(b, n)) for b in batches]) for n in names}


def _one_shot(table: pa.Table) -> dict[str, np.ndarray]:
    return _concat([ENGINE.score_batch(SCHEME, Population.from_frame(SCHEME, table))])


def _same(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert got.keys() == want.keys()
    for name, value in want.items():
        assert got[name].shape == value.shape, name
        assert np.ascontiguousarray(got[name]).tobytes() == value.tobytes(), name


def _stream(source: object, **kw: Any) -> dict[str, np.ndarray]:
    """Score a stream, copying each batch out before the next (as a writer would)."""
    copies = []
    for batch in ENGINE.score_batches(SCHEME, source, **kw):
        copies.append(_concat([batch]))
        del batch
    return {n: np.concatenate([c[n] for c in copies]) for n in copies[0]}


class TestSources:
    def test_chunked_table_equals_one_shot(self) -> None:
        """A table of uneven chunks, cut across them, scores as one population, row for row."""
        table = _table(2_500)
        chunked = pa.Table.from_batches(
            [
                *table.slice(0, 7).to_batches(),
                *table.slice(7, 1_000).to_batches(),
                *table.slice(1_007).to_batches(max_chunksize=333),
            ]
        )
        assert chunked.column(0).num_chunks > 3
        _same(_stream(chunked, batch_size=600), _one_shot(table))

    def test_batches_are_cut_to_batch_size(self) -> None:
        """Tables are cut into batches of batch_size rows, the last one shorter."""
        sizes = [len(p) for p in iter_populations(SCHEME, _table(1_000), batch_size=300)]
        assert sizes == [300, 300, 300, 100]

    def test_parquet_file_equals_one_shot(self, tmp_path: Path) -> None:
        """A ParquetFile is read batch by batch and scores as the whole table."""
        table = _table(3_000, seed=2)
        path = tmp_path / "reviews.parquet"
        pq.write_table(table, path, row_group_size=1_100)
        with pq.ParquetFile(path) as file:
            got = _stream(file, batch_size=500)
        _same(got, _one_shot(table))

    @pytest.mark.parametrize(
        "shape", ["record batch", "reader", "list", "pandas", "polars", "dict", "populations"]
    )
    def test_every_input_shape_equals_one_shot(self, shape: str) -> None:
        """Record batches, readers, lists, pandas, polars, dicts and Populations all agree."""
        table = _table(900, seed=3)
        parts = table.to_batches(max_chunksize=250)
        source: object = {
            "record batch": table.combine_chunks().to_batches()[0],
            "reader": pa.RecordBatchReader.from_batches(table.schema, parts),
            "list": parts,
            "pandas": table.to_pandas(),
            "polars": pl.from_arrow(table),
            "dict": {name: table.column(name).to_numpy() for name in table.column_names},
            "populations": [Population.from_frame(SCHEME, p) for p in parts],
        }[shape]
        _same(_stream(source, batch_size=400), _one_shot(table))

    def test_a_pandas_frame_keeps_its_index_ids(self) -> None:
        """A pandas frame indexed by subject_id keeps the ids in every slice."""
        frame = _table(50).to_pandas().set_index("subject_id")
        ids = [i for p in iter_populations(SCHEME, frame, batch_size=20) for i in p.subject_ids]
        assert ids == list(frame.index)

    def test_empty_table_yields_nothing(self) -> None:
        """An empty table is a stream of no batches."""
        assert list(ENGINE.score_batches(SCHEME, _table(0))) == []

    def test_buffers_given_are_used(self) -> None:
        """score_batches writes into the buffers it is given, two blocks for a loop."""
        buffers = ScoreBuffers()
        for _ in ENGINE.score_batches(SCHEME, _table(1_000), batch_size=100, buffers=buffers):
            pass
        assert (buffers.allocated, buffers.reused) == (2, 8)


class TestMemory:
    def test_stream_memory_does_not_grow_with_the_stream(self) -> None:
        """Streaming 40 batches peaks below a quarter of scoring them at once (numpy bytes)."""
        table = _table(40 * 2_000, seed=4)
        want = _one_shot(table)["total"]
        tracemalloc.start()
        try:
            ENGINE.score_batch(SCHEME, Population.from_frame(SCHEME, table))
            _, one_shot = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            totals = [b.total.copy() for b in ENGINE.score_batches(SCHEME, table, batch_size=2_000)]
            _, streamed = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert np.concatenate(totals).tobytes() == want.tobytes()
        assert streamed < one_shot / 4


class TestRefused:
    @pytest.mark.parametrize("source", [42, "reviews.parquet", b"x", None])
    def test_not_a_stream(self, source: object) -> None:
        """A source that is no frame, file or iterable is refused, naming its type."""
        with pytest.raises(ScoringError, match=type(source).__name__):
            list(iter_populations(SCHEME, source))

    @pytest.mark.parametrize("size", [0, -5, 2.5, True])
    def test_bad_batch_size(self, size: object) -> None:
        """batch_size must be a whole number >= 1."""
        with pytest.raises(ValidationError, match="batch_size"):
            list(iter_populations(SCHEME, _table(3), batch_size=size))  # type: ignore[arg-type]

    def test_buffers_of_another_type(self) -> None:
        """score_batches names its buffers argument when it is not a ScoreBuffers."""
        with pytest.raises(ScoringError, match="buffers is a dict"):
            next(ENGINE.score_batches(SCHEME, _table(3), buffers={}))  # type: ignore[arg-type]

    def test_bad_scheme(self) -> None:
        """The scheme must be a Scheme."""
        with pytest.raises(ScoringError, match="expected a Scheme"):
            list(iter_populations("csm", _table(3)))  # type: ignore[arg-type]

    def test_a_bad_batch_is_named_with_its_place_in_the_stream(self) -> None:
        """A batch from_frame refuses is named by number and first row, when reached."""
        table = _table(30)
        ids = table.column("subject_id").to_pylist()
        ids[25] = ids[24]  # a repeat inside the third batch of 10
        bad = table.set_column(0, "subject_id", pa.array(ids))
        stream = ENGINE.score_batches(SCHEME, bad, batch_size=10)
        assert len(next(stream)) == 10
        assert len(next(stream)) == 10
        with pytest.raises(ScoringError, match=r"batch 3 \(its row 1 is row 21 of the stream\)"):
            next(stream)

    def test_ids_repeated_across_batches_are_not_compared(self) -> None:
        """Ids are checked within a batch only: each batch is scored on its own."""
        table = _table(10)
        twice = pa.concat_tables([table, table])
        assert [len(p) for p in iter_populations(SCHEME, twice, batch_size=10)] == [10, 10]
