"""perfmgmt.distributed: partition results equal the single-process run, on Dask too."""

from __future__ import annotations

import pickle
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perfmgmt.distributed import partition_scorer, result_schema
from perfmgmt.errors import DataError, PerfmgmtError, ScoringError
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import Population, ScoringEngine
from perfmgmt.serialization import dumps

SCHEME = customer_service_manager()


def wide_table(n: int, seed: int = 3) -> pa.Table:
    """A population in from_frame's wide layout, with some missing data and exact base pay."""
    rng = np.random.default_rng(seed)
    centre = {"csat": (88, 6), "response_time": (46, 8), "fcr": (78, 8), "morale": (78, 7)}
    cols: dict[str, object] = {"subject_id": [f"m{i:06d}" for i in range(n)]}
    for key in SCHEME.kpi_keys:
        mean, sd = centre.get(key, (10, 6))
        values = rng.normal(mean, sd, n)
        values[rng.random(n) < 0.05] = np.nan
        cols[f"kpi.{key}.actual"] = values
    sizes = rng.integers(10, 200, n).astype(np.float64)
    cols["kpi.csat.sample_size"] = np.where(np.isnan(cols["kpi.csat.actual"]), np.nan, sizes)
    for c in SCHEME.criteria:
        for s in SCHEME.sources:
            raters = rng.integers(0, 4, n)
            rating = np.round(rng.uniform(1, 5, n) * 2) / 2
            cols[f"rating.{c.key}.{s.key}"] = np.where(raters == 0, np.nan, rating)
            cols[f"raters.{c.key}.{s.key}"] = raters
    pay = rng.integers(800_000, 3_000_000, n)  # minor units
    cols["base_pay"] = pa.array([Decimal(int(p)).scaleb(-2) for p in pay], pa.decimal128(12, 2))
    cols["currency"] = ["CNY"] * n
    return pa.table(cols)


def write_parts(table: pa.Table, folder: Path, parts: int, prefix: str = "part") -> list[Path]:
    """Write ``table`` as ``parts`` Parquet files of equal rows, in order; return their paths."""
    size = table.num_rows // parts
    files = [folder / f"{prefix}-{k}.parquet" for k in range(parts)]
    for k, path in enumerate(files):
        pq.write_table(table.slice(k * size, size), path)
    return files


def single_process(table: pa.Table) -> pa.Table:
    """The reference: one population, one score_batch, one evaluate_batch."""
    pop = Population.from_frame(SCHEME, table)
    batch = ScoringEngine().score_batch(SCHEME, pop)
    decisions = RuleEvaluator().evaluate_batch(SCHEME, batch, pop)
    return batch, decisions


class TestPartitionScorer:
    def test_one_partition_equals_the_batch_run(self) -> None:
        """Scores, money and fired flags equal the single-process batch, row for row."""
        table = wide_table(500)
        batch, decisions = single_process(table)
        got = partition_scorer(SCHEME).arrow(table)
        lean = batch.to_arrow()
        for name in lean.column_names:
            want = lean.column(name)
            if name == "rating":
                want = want.cast(pa.string())
            assert got.column(name).to_pylist() == want.to_pylist(), name
        rows = [decisions.row(i) for i in range(len(decisions))]
        assert got.column("bonus").to_pylist() == [r.bonus for r in rows]
        assert got.column("deduction").to_pylist() == [r.deduction for r in rows]
        assert any(r.bonus for r in rows)
        for key in (*decisions.rule_keys, *decisions.table_keys):
            assert got.column(f"fired.{key}").to_pylist() == decisions.fired(key).tolist()

    def test_split_partitions_equal_the_whole(self) -> None:
        """Scoring four slices and concatenating equals scoring the whole table."""
        table = wide_table(400)
        scorer = partition_scorer(dumps(SCHEME), columns="full")
        whole = scorer.arrow(table)
        parts = [scorer.arrow(table.slice(i, 100)) for i in range(0, 400, 100)]
        assert pa.concat_tables(parts).equals(whole)

    def test_partitions_reuse_result_memory_without_changing_earlier_results(self) -> None:
        """Later partitions reuse the process's result memory; earlier tables keep their rows."""
        from perfmgmt import distributed

        scorer = partition_scorer(SCHEME, columns="full")
        tables = [wide_table(300, seed) for seed in (5, 6, 7, 8)]
        first = scorer.arrow(tables[0])
        kept = pa.Table.from_pylist(first.to_pylist(), schema=first.schema)
        for table in tables[1:]:
            scorer.arrow(table)
        assert first.equals(kept)
        buffers = distributed._buffers(scorer.scheme_json)
        assert buffers.reused >= 2
        assert scorer.arrow(tables[0]).equals(kept)  # scored again into reused memory

    def test_schema_is_fixed_and_pickles(self) -> None:
        """Every result has the schema; the scorer survives pickling; batches keep order."""
        scorer = partition_scorer(SCHEME)
        again = pickle.loads(pickle.dumps(scorer))
        table = wide_table(50)
        got = again.arrow(table)
        assert got.schema == scorer.schema.arrow
        assert scorer.arrow(table.slice(0, 0)).schema == scorer.schema.arrow
        batches = list(again.arrow_batches(table.to_batches(max_chunksize=20)))
        assert pa.Table.from_batches(batches).equals(got)
        frames = list(again.pandas_batches([table.to_pandas()]))
        money = ["bonus", "deduction"]
        pd.testing.assert_frame_equal(frames[0].drop(columns=money), got.drop(money).to_pandas())
        for name in money:
            assert list(frames[0][name]) == got.column(name).to_pylist()

    def test_pandas_results_hold_money_as_arrow_decimals(self) -> None:
        """Money in a pandas result is Arrow-backed: Decimal cells, pickled without Decimals."""
        scorer = partition_scorer(SCHEME)
        frame = scorer(wide_table(40).to_pandas())
        assert frame.dtypes.equals(scorer.schema.meta.dtypes)
        assert frame["bonus"].dtype == pd.ArrowDtype(pa.decimal128(38, 2))
        assert frame["bonus"].map(type).eq(Decimal).all()
        assert frame["bonus"].map(lambda d: d > 0).any()
        data = pickle.dumps(frame)
        assert b"Decimal" not in data  # no object per cell: the column travels as buffers
        pd.testing.assert_frame_equal(pickle.loads(data), frame)

    def test_result_schema_forms(self) -> None:
        """The schema comes as Arrow, an empty pandas meta and a Spark DDL string."""
        schema = result_schema(SCHEME, columns=["subject_id", "total", "rating"])
        assert schema.names[:3] == ["subject_id", "total", "rating"]
        assert schema.arrow.field("bonus").type == pa.decimal128(38, 2)
        assert list(schema.meta.columns) == schema.names
        assert len(schema.meta) == 0
        assert schema.spark_ddl.startswith("`subject_id` STRING, `total` DOUBLE, `rating` STRING")
        assert "`bonus` DECIMAL(38,2)" in schema.spark_ddl
        assert "`fired.promotion` BOOLEAN" in schema.spark_ddl
        assert result_schema(SCHEME, currency="JPY").arrow.field("bonus").type.scale == 0

    def test_bad_arguments_are_refused(self) -> None:
        """Unknown columns, a non-scheme and another currency raise PerfmgmtError subclasses."""
        with pytest.raises(ScoringError, match=r"kpi\.nope\.score"):
            partition_scorer(SCHEME, columns=["kpi.nope.score"])
        with pytest.raises(ScoringError, match="expected a Scheme"):
            partition_scorer(3)  # type: ignore[arg-type]
        with pytest.raises(PerfmgmtError, match="EUR"):
            partition_scorer(SCHEME, currency="EUR").arrow(wide_table(5))


class TestThreads:
    """``workers > 1`` scores row chunks side by side and changes nothing a caller sees."""

    @pytest.fixture(autouse=True)
    def _small_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from perfmgmt import distributed

        monkeypatch.setattr(distributed, "_CHUNK_ROWS", 64)  # several chunks in a small table

    @pytest.mark.parametrize("workers", [2, 3])
    def test_threads_equal_one_thread(self, workers: int) -> None:
        """The same table, bit for bit, in input order, from any number of threads."""
        table = wide_table(1000, seed=11)
        one = partition_scorer(SCHEME, columns="full").arrow(table)
        many = partition_scorer(SCHEME, columns="full", workers=workers).arrow(table)
        assert many.column("subject_id").num_chunks > 1  # it did run in chunks
        assert many.equals(one)
        assert many.column("subject_id").to_pylist() == table.column("subject_id").to_pylist()

    def test_a_refused_row_in_a_late_chunk_names_its_row_in_the_table(self) -> None:
        """The error is the one-thread run's: the row number counts from the table's top."""
        table = wide_table(1000)
        pay = table.column("base_pay").to_pylist()
        pay[937] = Decimal("-5.00")
        table = table.set_column(
            table.column_names.index("base_pay"), "base_pay", pa.array(pay, pa.decimal128(12, 2))
        )
        with pytest.raises(ScoringError) as one:
            partition_scorer(SCHEME).arrow(table)
        with pytest.raises(ScoringError) as many:
            partition_scorer(SCHEME, workers=2).arrow(table)
        assert "row 938" in str(one.value)
        assert str(many.value) == str(one.value)

    def test_an_id_repeated_across_chunks_is_refused(self) -> None:
        """Each chunk's ids are distinct, but the table's are not: refused as in one thread."""
        table = wide_table(1000)
        ids = table.column("subject_id").to_pylist()
        ids[900] = ids[3]
        table = table.set_column(0, "subject_id", pa.array(ids))
        with pytest.raises(ScoringError) as one:
            partition_scorer(SCHEME).arrow(table)
        with pytest.raises(ScoringError) as many:
            partition_scorer(SCHEME, workers=2).arrow(table)
        assert ids[3] in str(one.value)
        assert str(many.value) == str(one.value)

    def test_workers_survive_pickling(self) -> None:
        """A pickled scorer keeps its thread count and starts its own threads."""
        scorer = pickle.loads(pickle.dumps(partition_scorer(SCHEME, workers=2)))
        assert scorer.workers == 2
        table = wide_table(300)
        assert scorer.arrow(table).equals(partition_scorer(SCHEME).arrow(table))

    @pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
    def test_bad_workers_are_refused(self, bad: object) -> None:
        """A thread count must be a whole number >= 1; the message names field and value."""
        with pytest.raises(ScoringError, match=rf"workers: {bad!r} is not allowed"):
            partition_scorer(SCHEME, workers=bad)  # type: ignore[arg-type]


def test_dask_partitions_equal_the_single_process_run(tmp_path: Path) -> None:
    """A Dask run over a partitioned Parquet dataset equals the single-process run row for row."""
    dd = pytest.importorskip("dask.dataframe")
    import dask

    table = wide_table(1200)
    write_parts(table, tmp_path, 4)
    scorer = partition_scorer(SCHEME)
    ddf = dd.read_parquet(str(tmp_path / "*.parquet"))
    assert ddf.npartitions == 4
    with dask.config.set(scheduler="processes", num_workers=2):
        got = ddf.map_partitions(scorer, meta=scorer.schema.meta).compute()
    want = scorer(table.to_pandas())
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)
    batch, decisions = single_process(table)
    assert got["total"].to_numpy(na_value=np.nan).tobytes() == batch.total.tobytes()
    assert list(got["bonus"]) == [decisions.row(i).bonus for i in range(len(decisions))]


class TestParquetFiles:
    def test_from_map_over_files_equals_the_single_process_run(self, tmp_path: Path) -> None:
        """dd.from_map(scorer.read_parquet, files) equals one process's run row for row."""
        dd = pytest.importorskip("dask.dataframe")
        import dask

        table = wide_table(900, seed=11)
        files = write_parts(table, tmp_path, 3)
        scorer = partition_scorer(SCHEME)
        ddf = dd.from_map(scorer.read_parquet, files, meta=scorer.schema.meta)
        assert ddf.npartitions == 3
        with dask.config.set(scheduler="processes", num_workers=2):
            got = ddf.compute()
        batch, decisions = single_process(table)
        assert got["subject_id"].tolist() == list(batch.subject_ids)
        assert got["total"].to_numpy(na_value=np.nan).tobytes() == batch.total.tobytes()
        assert list(got["bonus"]) == [decisions.row(i).bonus for i in range(len(decisions))]
        assert list(got["deduction"]) == [decisions.row(i).deduction for i in range(900)]
        assert any(decisions.row(i).bonus for i in range(900))
        for key in (*decisions.rule_keys, *decisions.table_keys):
            assert got[f"fired.{key}"].tolist() == decisions.fired(key).tolist(), key
        want = scorer(table.to_pandas())
        # Dask turns text columns into its own string dtype (dataframe.convert-string)
        text = [c for c in want if want[c].dtype != got[c].dtype]
        assert all(isinstance(got[c].dtype, pd.StringDtype) for c in text), text
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True).astype({c: want[c].dtype for c in text}), want
        )

    def test_results_written_by_the_workers_equal_the_whole(self, tmp_path: Path) -> None:
        """from_map then to_parquet writes the same rows as scoring the whole table."""
        dd = pytest.importorskip("dask.dataframe")
        import dask

        table = wide_table(600, seed=12)
        files = write_parts(table, tmp_path, 2, "in")
        scorer = partition_scorer(SCHEME, columns="full")
        ddf = dd.from_map(scorer.read_parquet, files, meta=scorer.schema.meta)
        with dask.config.set(scheduler="threads", num_workers=2):
            ddf.to_parquet(str(tmp_path / "out"), write_index=False)
        parts = sorted(
            (tmp_path / "out").glob("*.parquet"), key=lambda p: int(p.name.split(".")[1])
        )
        schema = scorer.schema.arrow
        got = pa.concat_tables(pq.read_table(p).select(schema.names).cast(schema) for p in parts)
        assert got.equals(scorer.arrow(table))

    def test_row_groups_are_read_in_the_order_given(self, tmp_path: Path) -> None:
        """read_parquet with row_groups scores exactly those groups, in that order."""
        table = wide_table(400, seed=13)
        path = tmp_path / "groups.parquet"
        pq.write_table(table, path, row_group_size=100)
        scorer = partition_scorer(SCHEME)
        got = scorer.read_parquet(path, row_groups=[3, 1])
        want = scorer(pa.concat_tables([table.slice(300, 100), table.slice(100, 100)]).to_pandas())
        pd.testing.assert_frame_equal(got, want)
        assert got["subject_id"].iloc[0] == "m000300"
        assert got.dtypes.equals(scorer.schema.meta.dtypes)

    def test_score_parquet_writes_one_result_file(self, tmp_path: Path) -> None:
        """score_parquet writes the scored file with the result schema and returns its rows."""
        table = wide_table(250, seed=14)
        source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
        pq.write_table(table, source)
        scorer = partition_scorer(SCHEME)
        assert scorer.score_parquet(source, target) == 250
        written = pq.read_table(target)
        assert written.schema.equals(scorer.schema.arrow)
        assert written.equals(scorer.arrow(table))
        assert scorer.score_parquet(str(source), target, row_groups=[0]) == 250

    def test_score_parquet_by_file_in_a_process_pool(self, tmp_path: Path) -> None:
        """Scoring files in other processes, one call per file, equals the single-process run."""
        from concurrent.futures import ProcessPoolExecutor

        table = wide_table(400, seed=15)
        sources = write_parts(table, tmp_path, 2, "in")
        targets = [tmp_path / f"out-{k}.parquet" for k in range(2)]
        scorer = partition_scorer(SCHEME)
        with ProcessPoolExecutor(2) as pool:
            assert list(pool.map(scorer.score_parquet, sources, targets)) == [200, 200]
        got = pa.concat_tables(pq.read_table(t) for t in targets)
        batch, decisions = single_process(table)
        assert got.column("total").to_numpy().tobytes() == batch.total.tobytes()
        assert got.column("bonus").to_pylist() == [decisions.row(i).bonus for i in range(400)]

    @pytest.mark.parametrize(
        ("name", "row_groups", "match"),
        [
            ("missing.parquet", None, "FileNotFoundError"),
            ("text.parquet", None, "could not be read as Parquet"),
            ("good.parquet", [5], "row_groups=\\[5\\]"),
            ("good.parquet", [1.0], "row_groups=\\[1.0\\]"),
            ("good.parquet", [True], "row_groups=\\[True\\]"),
        ],
    )
    def test_unreadable_input_is_refused(
        self, tmp_path: Path, name: str, row_groups: list[object] | None, match: str
    ) -> None:
        """A missing or non-Parquet file or a bad row group raises DataError naming it."""
        pq.write_table(wide_table(20), tmp_path / "good.parquet")
        (tmp_path / "text.parquet").write_text("not parquet")
        scorer = partition_scorer(SCHEME)
        with pytest.raises(DataError, match=match) as info:
            scorer.read_parquet(tmp_path / name, row_groups)  # type: ignore[arg-type]
        assert name in str(info.value)
        with pytest.raises(DataError, match="score_parquet"):
            scorer.score_parquet(tmp_path / name, tmp_path / "out.parquet", row_groups)  # type: ignore[arg-type]

    def test_unwritable_target_is_refused(self, tmp_path: Path) -> None:
        """A target in a folder that does not exist raises DataError naming the target."""
        pq.write_table(wide_table(20), tmp_path / "good.parquet")
        target = tmp_path / "no-such-folder" / "out.parquet"
        with pytest.raises(DataError, match="no-such-folder"):
            partition_scorer(SCHEME).score_parquet(tmp_path / "good.parquet", target)


def _undotted(table: pa.Table) -> pa.Table:
    """The table with ``__`` for every dot in a column name, as a Spark frame has them."""
    return table.rename_columns([n.replace(".", "__") for n in table.column_names])


class TestSeparator:
    def test_undotted_names_in_and_out(self) -> None:
        """With separator='__' the input and output names use '__' and the values are equal."""
        table = wide_table(80)
        dotted = partition_scorer(SCHEME).arrow(table)
        scorer = partition_scorer(SCHEME, separator="__")
        got = scorer.arrow(_undotted(table))
        assert got.equals(_undotted(dotted))
        assert "`kpi__csat__score` DOUBLE" in scorer.schema.spark_ddl

    def test_empty_separator_is_refused(self) -> None:
        """An empty separator would make names alike; it is refused."""
        with pytest.raises(ScoringError, match="separator"):
            partition_scorer(SCHEME, separator="")


def _spark_ready() -> bool:
    """Whether pyspark is installed and a Java runtime answers."""
    import importlib.util
    import shutil
    import subprocess

    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        return False
    return subprocess.run(["java", "-version"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _spark_ready(), reason="needs pyspark and a Java runtime")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_spark_map_in_arrow_equals_the_single_process_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Spark local mode, mapInArrow over three partitions, equals one process row for row."""
    from pyspark.sql import SparkSession

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("perfmgmt-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500000")
        .getOrCreate()
    )
    try:
        table = _undotted(wide_table(600))
        scorer = partition_scorer(SCHEME, separator="__")
        df = spark.createDataFrame(table.to_pandas()).repartition(3)
        out = df.mapInArrow(scorer.arrow_batches, scorer.schema.spark_ddl)
        got = out.toArrow().sort_by("subject_id")
    finally:
        spark.stop()
    want = scorer.arrow(table)
    assert got.column_names == want.column_names
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
