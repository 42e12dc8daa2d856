"""Partition functions to score and decide a population on Dask or Spark.

A partition is a frame in the wide layout of :meth:`Population.from_frame
<perfmgmt.scoring.Population.from_frame>` (``subject_id``, ``base_pay``, ``currency``,
``kpi.<key>.actual``, ``kpi.<key>.sample_size``, ``rating.<criterion>.<source>``,
``raters.<criterion>.<source>``, ...).  Each partition is scored and its rules evaluated on
its own, and the result is a table with one row per input row, in input order, and a fixed
schema: the chosen score columns (as :meth:`BatchScores.to_arrow
<perfmgmt.scoring.BatchScores.to_arrow>`, with ``rating`` as plain text), then ``bonus`` and
``deduction`` as exact decimals with the currency's minor-unit scale, then a bool
``fired.<key>`` per rule and decision table.

* **Dask, from Parquet files**: ``dd.from_map(scorer.read_parquet, files,
  meta=scorer.schema.meta)``: each task reads its own file (or row groups of it) where it
  runs, so only the path travels; ``.to_parquet(out_dir)`` then writes each result from the
  worker that computed it, and only file names come back to the client (``.compute()``
  instead brings every row back).  ``client.map(scorer.score_parquet, sources, targets)``
  does the same with one task per file and no DataFrame: read, score, write, return the row
  count.  Writing from the workers, both shapes measured alike; gathering tens of millions
  of rows into the client was several times slower.
* **Dask, from a DataFrame**: ``ddf.map_partitions(scorer, meta=scorer.schema.meta)`` with
  pandas partitions, which travel to the workers as frames.  In pandas the money columns are
  Arrow-backed decimals (``decimal128(38, 2)[pyarrow]`` for CNY), each cell a ``Decimal``,
  which a worker pickles as buffers, not object by object.
* **Spark**: ``df.mapInArrow(scorer.arrow_batches, scorer.schema.spark_ddl)`` (or
  ``mapInPandas(scorer.pandas_batches, ...)``) with ``separator="__"``: Spark reads a dot in a
  column name as a struct field, so the columns are named ``kpi__csat__actual`` in and
  ``kpi__csat__score`` out.

The scorer pickles as the scheme's JSON text and the column choice; each worker process parses
the scheme and builds its scoring engine and rule evaluator once, on first use (a module-level
cache keyed by the hash of that text), and reuses them for every later partition.

**Batch size.**  A review is scored with the same operations at any batch size, so results do
not depend on how rows are split, but each batch pays a fixed cost (parsing columns, building
the population, a few array allocations).  Keep batches in the hundreds of thousands of rows:
Spark's default ``spark.sql.execution.arrow.maxRecordsPerBatch`` of 10,000 makes the fixed
costs dominate; set it to 200,000-500,000 (a batch takes some kilobytes per review while it is
scored).  Dask partitions (one file, or some row groups of one, per task) of some hundreds of
thousands of rows or more keep the fixed cost small.

**Threads.**  ``partition_scorer(scheme, workers=2)`` scores a large partition (a whole table on
one machine) in row chunks on that many threads, each chunk through the same steps as a
one-thread run, and joins the results in input order: the same rows, bit for bit.  A chunk
that is refused is run again as one piece on the calling thread, so the error (and the row it
names) is the one-thread run's.  Under Dask or Spark keep ``workers=1``: the engine's workers
are already the cores.

**Ordering.**  Within a partition the output rows are the input rows in the same order.  Across
partitions Dask keeps partition order (``from_map`` the order of the files, ``to_parquet`` numbers
its files in it); Spark promises no order, so join or sort on
``subject_id`` when order matters.

**What is per partition.**  A subject id must be unique within its partition (as for
``from_frame``).  A bonus pool is not applied: scaling to a budget needs the whole population,
so collect ``bonus`` and allocate afterwards.  Rules that read previous cycles' history see
none here, so they are unknown and do not fire.
"""

from __future__ import annotations

import hashlib
import operator
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from perfmgmt._html import missing_extra
from perfmgmt._ids import arrow_distinct
from perfmgmt._parallel import BlockRunner, check_workers
from perfmgmt.errors import DataError, PerfmgmtError, ScoringError
from perfmgmt.model import Scheme
from perfmgmt.model.money import check_currency, minor_units
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import Population, ScoreBuffers, ScoringEngine
from perfmgmt.serialization import dumps, loads

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["PartitionScorer", "ResultSchema", "partition_scorer", "result_schema"]

_ENGINES: dict[str, tuple[Scheme, ScoringEngine, RuleEvaluator]] = {}
_SCHEMAS: dict[tuple[str, str | tuple[str, ...], str, str], ResultSchema] = {}
_BUFFERS: dict[str, ScoreBuffers] = {}
_RUNNERS: dict[int, BlockRunner] = {}
#: The engine of chunks scored side by side: blocks of 65,536 rows, long enough numpy calls
#: for the threads to overlap (see ScoringEngine's ``block_rows``).  Its plan cache is shared.
_THREADED = ScoringEngine(block_rows=1 << 16)
_MAX_CACHED = 16
#: Rows per chunk on the threads of ``workers > 1``: few enough chunks that each numpy call
#: runs long and its fixed cost (building a population, a few allocations) stays small, enough
#: of them that the threads finish together (measured best of 2^16 to 2^19 on 2 cores).
_CHUNK_ROWS = 1 << 18
_KPI_INPUTS = ("actual", "sample_size", "threshold", "target", "stretch")

_SPARK_TYPES = {"string": "STRING", "double": "DOUBLE", "bool": "BOOLEAN", "int64": "BIGINT"}


def _arrow() -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415 - pyarrow is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("pyarrow", "arrow", "perfmgmt.distributed") from exc
    return pa


def _engines(scheme_json: str) -> tuple[Scheme, ScoringEngine, RuleEvaluator]:
    """The scheme and its engines in this process, built on first use."""
    key = hashlib.sha256(scheme_json.encode("utf-8")).hexdigest()
    found = _ENGINES.get(key)
    if found is None:
        if len(_ENGINES) >= _MAX_CACHED:
            _ENGINES.clear()
            _SCHEMAS.clear()
        found = (loads(scheme_json, Scheme), ScoringEngine(), RuleEvaluator(trace=False))
        _ENGINES[key] = found
    return found


def _buffers(scheme_json: str) -> ScoreBuffers:
    """The result memory of this process's partitions of one scheme."""
    key = hashlib.sha256(scheme_json.encode("utf-8")).hexdigest()
    found = _BUFFERS.get(key)
    if found is None:
        if len(_BUFFERS) >= _MAX_CACHED:
            _BUFFERS.clear()
        found = _BUFFERS[key] = ScoreBuffers()
    return found


def _group_number(value: object) -> int:
    """A row-group number: an integer, not a bool, a float or text."""
    if isinstance(value, bool):
        raise TypeError(f"row group {value!r} is a bool")
    return operator.index(value)  # type: ignore[arg-type]


def _runner(workers: int) -> BlockRunner:
    """The threads of this process that run partitions' chunks, shared by every scorer."""
    found = _RUNNERS.get(workers)
    if found is None:
        found = _RUNNERS.setdefault(workers, BlockRunner(workers, "perfmgmt-partition"))
    return found


def _positive_workers(_instance: object, _attribute: Any, value: object) -> None:
    check_workers("partition_scorer", value, ScoringError)


def _spark_type(t: Any) -> str:
    pa = _arrow()
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    return _SPARK_TYPES[str(t)]


@attrs.frozen(kw_only=True, eq=False)
class ResultSchema:
    """The fixed schema of a partition's result, in the forms Arrow, Dask and Spark want.

    Attributes:
        arrow: The ``pyarrow.Schema``.
        meta: An empty pandas DataFrame with the result's columns and dtypes (Dask's ``meta``).
        spark_ddl: The schema as a Spark DDL string (column names in backticks).
    """

    arrow: Any
    meta: Any
    spark_ddl: str

    @property
    def names(self) -> list[str]:
        """Return the column names, in order."""
        return list(self.arrow.names)


def _schema(
    scheme: Scheme, columns: str | Sequence[str], currency: str, separator: str
) -> ResultSchema:
    """Build the result schema from an empty population of ``scheme``."""
    pa = _arrow()
    empty = _empty_scores(scheme)
    scores = empty.to_arrow(columns)
    decisions = RuleEvaluator(trace=False).evaluate_batch(scheme, empty)
    keys = [*decisions.rule_keys, *decisions.table_keys]
    money = pa.decimal128(38, minor_units(currency))
    fields = [pa.field(f.name, pa.string()) if f.name == "rating" else f for f in scores.schema]
    fields += [pa.field("bonus", money), pa.field("deduction", money)]
    fields += [pa.field(f"fired.{k}", pa.bool_()) for k in keys]
    schema = pa.schema([f.with_name(f.name.replace(".", separator)) for f in fields])
    ddl = ", ".join(f"`{f.name}` {_spark_type(f.type)}" for f in schema)
    meta = _to_pandas(schema.empty_table())
    return ResultSchema(arrow=schema, meta=meta, spark_ddl=ddl)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Return ``table`` as pandas, money as Arrow-backed decimals (``decimal128[pyarrow]``).

    A column of ``Decimal`` objects costs a Python object per cell to build and, worse, to
    pickle: a Dask worker sends its partition's result back pickled, and two money columns of
    Decimals took longer to pickle than the partition took to score.  Arrow-backed decimals
    pickle as buffers and still give ``Decimal`` cells.
    """
    import pandas as pd  # noqa: PLC0415 - pandas is an optional extra, imported on use

    pa = _arrow()

    def arrow_decimals(kind: Any) -> Any:
        return pd.ArrowDtype(kind) if pa.types.is_decimal(kind) else None

    frame: pd.DataFrame = table.to_pandas(types_mapper=arrow_decimals)
    return frame


def _dotted_inputs(scheme: Scheme, separator: str) -> dict[str, str]:
    """Map each dotted input column name, written with ``separator``, to its dotted form."""
    names = [f"kpi.{k}.{f}" for k in scheme.kpi_keys for f in _KPI_INPUTS]
    names += [
        f"{part}.{c.key}.{s.key}"
        for c in scheme.criteria
        for s in scheme.sources
        for part in ("rating", "raters")
    ]
    return {n.replace(".", separator): n for n in names}


def _empty_scores(scheme: Scheme) -> Any:
    pa = _arrow()
    pop = Population.from_frame(scheme, pa.table({"subject_id": pa.array([], pa.string())}))
    return ScoringEngine().score_batch(scheme, pop)


@attrs.frozen(kw_only=True)
class PartitionScorer:
    """Score and decide one partition at a time; picklable, for Dask and Spark workers.

    Build it with :func:`partition_scorer`.  Calling it on a pandas DataFrame returns a pandas
    DataFrame (Dask ``map_partitions``); :meth:`arrow` takes a pyarrow Table or RecordBatch;
    :meth:`arrow_batches` and :meth:`pandas_batches` are for Spark's ``mapInArrow`` and
    ``mapInPandas``; :meth:`read_parquet` (Dask ``from_map``) and :meth:`score_parquet` (one
    task per file) read the Parquet file where the task runs.

    Attributes:
        scheme_json: The scheme as JSON text (what travels to the workers).
        columns: The score columns: ``"lean"``, ``"full"`` or a tuple of names.
        currency: The currency of the money columns; fixes their decimal scale.
        separator: What stands for the dot in dotted column names, in and out (``"__"`` for
            Spark, which reads a dot as a struct field: ``kpi__csat__actual``).
        workers: Threads that score chunks of a large partition side by side (1: the calling
            thread only).
    """

    scheme_json: str = attrs.field(validator=attrs.validators.instance_of(str))
    columns: str | tuple[str, ...] = "lean"
    currency: str = "CNY"
    separator: str = "."
    workers: int = attrs.field(default=1, validator=_positive_workers)

    @property
    def schema(self) -> ResultSchema:
        """Return the fixed schema of every result."""
        scheme, _, _ = _engines(self.scheme_json)
        key = (self.scheme_json, self.columns, self.currency, self.separator)
        found = _SCHEMAS.get(key)
        if found is None:
            found = _schema(scheme, self.columns, self.currency, self.separator)
            _SCHEMAS[key] = found
        return found

    def arrow(self, partition: Any) -> pa.Table:
        """Score and decide a partition given as a pyarrow Table or RecordBatch.

        Raises:
            ScoringError: On a partition ``Population.from_frame`` refuses, or money in
                another currency than :attr:`currency`.
            MissingExtraError: When pyarrow is not installed.
        """
        pa = _arrow()
        scheme, _, _ = _engines(self.scheme_json)
        if isinstance(partition, pa.RecordBatch):
            partition = pa.Table.from_batches([partition])
        if self.separator != ".":
            dotted = _dotted_inputs(scheme, self.separator)
            partition = partition.rename_columns([dotted.get(n, n) for n in partition.column_names])
        n = partition.num_rows
        if self.workers == 1 or n < 2 * _CHUNK_ROWS:
            return self._scored(partition)
        return self._scored_on_threads(partition)

    def _scored_on_threads(self, partition: pa.Table) -> pa.Table:
        """Score row chunks on :attr:`workers` threads and join them in input order.

        Each chunk goes through :meth:`_scored` as a partition of its own, so every row is
        scored as in a one-thread run.  What a chunk cannot see is checked on the whole: the
        subject ids are distinct across chunks.  When any chunk is refused, or an id repeats
        across chunks, the whole partition is run again on this thread, so the error raised
        (and the row it names) is the one-thread run's.
        """
        pa = _arrow()
        n = partition.num_rows
        count = -(-n // _CHUNK_ROWS)
        count = -(-count // self.workers) * self.workers  # every thread the same share
        step = -(-n // count)
        bounds = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
        parts: list[Any] = [None] * len(bounds)
        distinct = [False]

        def task(k: tuple[int, int]) -> None:
            if k[0] == 0:  # the ids across chunks, beside the first chunks
                try:  # a chunk's own error (no id column, say) is the one to raise
                    ids = partition.column("subject_id").cast(pa.string())
                    distinct[0] = arrow_distinct(ids)
                except (KeyError, pa.ArrowException):
                    distinct[0] = False
                return
            lo, hi = bounds[k[0] - 1]
            parts[k[0] - 1] = self._scored(partition.slice(lo, hi - lo), _THREADED)

        try:
            # task 0 checks the ids; task k >= 1 scores chunk k - 1
            _runner(self.workers).run(task, [(k, k) for k in range(len(bounds) + 1)])
        except PerfmgmtError:
            return self._scored(partition)  # raises the one-thread run's error
        if not distinct[0]:
            return self._scored(partition)  # names the repeated id
        return pa.concat_tables([p for p in parts if p is not None])

    def _scored(self, partition: pa.Table, engine: ScoringEngine | None = None) -> pa.Table:
        """Score and decide a partition with dotted column names, on this thread."""
        pa = _arrow()
        scheme, own, evaluator = _engines(self.scheme_json)
        engine = own if engine is None else engine
        schema = self.schema.arrow
        if partition.num_rows == 0:
            return schema.empty_table()
        pop = Population.from_frame(scheme, partition)
        if pop.currency is not None and pop.currency != self.currency:
            raise ScoringError(
                f"partition: currency {pop.currency!r} differs from the scorer's "
                f"{self.currency!r}; build the scorer with currency={pop.currency!r}"
            )
        # results land in memory kept per process, reused once a partition's tables are gone
        batch = engine.score_batch(scheme, pop, out=_buffers(self.scheme_json))
        decisions = evaluator.evaluate_batch(scheme, batch, pop)
        scores = batch.to_arrow(self.columns)
        keys = [*decisions.rule_keys, *decisions.table_keys]
        money = decisions.to_arrow(["bonus", "deduction", *(f"fired.{k}" for k in keys)])
        columns = [*scores.columns, *money.columns]
        return pa.Table.from_arrays(columns, names=schema.names).cast(schema)

    def __call__(self, partition: pd.DataFrame) -> pd.DataFrame:
        """Score and decide a pandas partition; the result has :attr:`schema`'s ``meta`` dtypes.

        Raises:
            ScoringError: As :meth:`arrow`.
        """
        pa = _arrow()
        table = pa.Table.from_pandas(partition, preserve_index=False)
        return _to_pandas(self.arrow(table))

    def arrow_batches(self, batches: Iterable[Any]) -> Iterator[Any]:
        """Yield one result RecordBatch per input RecordBatch (Spark ``mapInArrow``)."""
        for batch in batches:
            yield from self.arrow(batch).to_batches()

    def pandas_batches(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        """Yield one result DataFrame per input DataFrame (Spark ``mapInPandas``)."""
        for frame in frames:
            yield self(frame)

    def read_parquet(
        self, path: str | os.PathLike[str], row_groups: Sequence[int] | None = None
    ) -> pd.DataFrame:
        """Read one Parquet file (or some of its row groups), then score and decide it.

        This is the partition function for ``dd.from_map(scorer.read_parquet, files,
        meta=scorer.schema.meta)``: each task reads its own file where it runs, so the input
        never travels between processes, and scores it as :meth:`arrow` does.  The result is
        a pandas DataFrame with :attr:`schema`'s ``meta`` dtypes, rows in file order.

        Args:
            path: A Parquet file's path (or a URI ``pyarrow.parquet.read_table`` understands).
            row_groups: Row-group numbers to read, in that order; ``None`` reads them all.

        Raises:
            DataError: When the file cannot be read as Parquet or a row group is not in it.
            ScoringError: As :meth:`arrow`.
            MissingExtraError: When pyarrow is not installed.
        """
        return _to_pandas(self.arrow(_read_parquet("read_parquet", path, row_groups)))

    def score_parquet(
        self,
        source: str | os.PathLike[str],
        target: str | os.PathLike[str],
        row_groups: Sequence[int] | None = None,
    ) -> int:
        """Read one Parquet file, score and decide it, and write the result as Parquet.

        One task per file with nothing but a row count coming back: for ``client.map(
        scorer.score_parquet, sources, targets)`` on a Dask cluster, or any process pool.
        The result file has :attr:`schema`'s Arrow schema, rows in the source's order.

        Args:
            source: The Parquet file to read (or a URI ``pyarrow.parquet`` understands).
            target: Where to write the result file; an existing file is replaced.
            row_groups: Row-group numbers of ``source`` to read, in that order; ``None``
                reads them all.

        Returns:
            The number of rows written.

        Raises:
            DataError: When ``source`` cannot be read as Parquet, a row group is not in it, or
                ``target`` cannot be written.
            ScoringError: As :meth:`arrow`.
            MissingExtraError: When pyarrow is not installed.
        """
        pa = _arrow()
        import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow is an optional extra

        result = self.arrow(_read_parquet("score_parquet", source, row_groups))
        where = os.fspath(target)
        try:
            pq.write_table(result, where)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(
                f"score_parquet: target {where!r} could not be written "
                f"({type(exc).__name__}: {exc}); expected a writable file path"
            ) from exc
        rows: int = result.num_rows
        return rows


def _read_parquet(
    what: str, path: str | os.PathLike[str], row_groups: Sequence[int] | None
) -> pa.Table:
    """Read a Parquet file, or the listed row groups of it, as one Arrow table."""
    pa = _arrow()
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow is an optional extra

    where = os.fspath(path)
    try:
        if row_groups is None:
            return pq.read_table(where)
        groups = [_group_number(g) for g in row_groups]
        return pq.ParquetFile(where).read_row_groups(groups)
    except (OSError, pa.ArrowException, IndexError, TypeError, ValueError) as exc:
        raise DataError(
            f"{what}: path {where!r} with row_groups={row_groups!r} could not be read as "
            f"Parquet ({type(exc).__name__}: {exc}); expected a Parquet file and row-group "
            "numbers within its count"
        ) from exc


def partition_scorer(
    scheme: Scheme | str,
    *,
    columns: str | Sequence[str] = "lean",
    currency: str = "CNY",
    separator: str = ".",
    workers: int = 1,
) -> PartitionScorer:
    """Return a picklable function that scores and decides one partition.

    Args:
        scheme: The scheme, or its JSON text (as :func:`perfmgmt.serialization.dumps` writes).
        columns: The score columns, as for :meth:`BatchScores.to_arrow
            <perfmgmt.scoring.BatchScores.to_arrow>`: ``"lean"``, ``"full"`` or a list.
        currency: The currency of base pay and money; its minor unit is the decimal scale.
        separator: What stands for the dot in dotted column names, in and out: ``"__"`` for
            Spark (``kpi__csat__actual``), which reads a dot as a struct field.
        workers: Threads that score chunks of a large partition side by side: for a whole
            table on one machine.  Keep 1 under Dask or Spark, whose workers are the cores.

    Raises:
        ScoringError: On an unknown column name, a separator that is empty or makes two
            column names alike, or ``workers`` that is not a whole number >= 1.
        ValidationError: On an unknown currency code.
        SerializationError: When ``scheme`` is text that is not a scheme's JSON.
    """
    text = dumps(scheme) if isinstance(scheme, Scheme) else scheme
    if not isinstance(text, str):
        raise ScoringError(
            f"partition_scorer: scheme is a {type(scheme).__name__}; expected a Scheme or its "
            "JSON text"
        )
    cols = columns if isinstance(columns, str) else tuple(columns)
    scorer = PartitionScorer(
        scheme_json=text,
        columns=cols,
        currency=check_currency(currency),
        separator=separator,
        workers=workers,
    )
    schema = scorer.schema  # refuse bad columns now, not on a worker
    if not separator or len(set(schema.names)) != len(schema.names):
        raise ScoringError(
            f"partition_scorer: separator={separator!r} is empty or makes two column names "
            "alike; use '.' or a text no key contains, such as '__'"
        )
    return scorer


def result_schema(
    scheme: Scheme | str,
    *,
    columns: str | Sequence[str] = "lean",
    currency: str = "CNY",
    separator: str = ".",
) -> ResultSchema:
    """Return the fixed schema of partition results: Arrow schema, Dask ``meta``, Spark DDL.

    Args:
        scheme: The scheme, or its JSON text.
        columns: The score columns, as for :func:`partition_scorer`.
        currency: The currency of the money columns.
        separator: What stands for the dot in dotted column names.

    Raises:
        ScoringError: On an unknown column name or a bad separator.
    """
    return partition_scorer(scheme, columns=columns, currency=currency, separator=separator).schema
