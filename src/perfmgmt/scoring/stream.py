"""Read a population as a stream of batches: tables, Parquet files and frames in pieces.

:func:`iter_populations` turns what an HRIS or a data lake hands over (a pyarrow Table, a
Parquet file, a reader of record batches, a pandas or polars frame, or any iterable of them)
into a sequence of :class:`Population` objects of at most ``batch_size`` reviews, each built
with :meth:`Population.from_frame` when it is needed and not before.  Only one batch is held
at a time, so a population of any size is read in memory proportional to one batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from perfmgmt._validate import check_integer
from perfmgmt.errors import ScoringError
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring.population import Population

__all__ = ["DEFAULT_BATCH_SIZE", "iter_populations"]

DEFAULT_BATCH_SIZE = 65_536
"""Rows per batch by default: the per-batch cost (column checks, a few allocations) is then
a small share of the time, and a batch's memory (some kilobytes per review) stays in the
tens of megabytes."""


def _module(obj: object) -> str:
    return type(obj).__module__.partition(".")[0]


def _sliced(frame: Any, n: int, batch_size: int, cut: str) -> Iterator[Any]:
    """Yield consecutive row slices of ``frame``; ``cut`` names how the library slices."""
    for lo in range(0, n, batch_size):
        if cut == "arrow":  # zero-copy slices, across chunks
            yield frame.slice(lo, batch_size)
        elif cut == "pandas":
            yield frame.iloc[lo : lo + batch_size]
        else:  # polars
            yield frame.slice(lo, batch_size)


def _pieces(source: object, batch_size: int) -> Iterable[Any]:
    """Return the batches of ``source`` as frames or Populations, in order."""
    module = _module(source)
    src: Any = source  # a frame of some library, told apart by its module and methods
    if isinstance(source, (Population, Mapping)):
        return [source]
    if module == "pyarrow":
        if hasattr(source, "iter_batches") and hasattr(source, "metadata"):  # ParquetFile
            batches: Iterable[Any] = src.iter_batches(batch_size=batch_size)
            return batches
        if hasattr(source, "num_rows") and hasattr(source, "slice"):  # Table, RecordBatch
            return _sliced(src, src.num_rows, batch_size, "arrow")
    if module == "pandas" and hasattr(source, "iloc"):
        return _sliced(src, len(src), batch_size, "pandas")
    if module == "polars" and hasattr(source, "slice") and hasattr(source, "height"):
        return _sliced(src, src.height, batch_size, "polars")
    if isinstance(source, (str, bytes)) or not isinstance(source, Iterable):
        raise ScoringError(
            f"iter_populations: batches is a {type(source).__name__}; expected Populations, "
            "frames or Arrow record batches, a pyarrow Table, a pyarrow.parquet.ParquetFile "
            "or an iterable of them"
        )
    return source


def iter_populations(
    scheme: Scheme, batches: object, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[Population]:
    """Yield the populations of a stream of batches, building each one when it is reached.

    ``batches`` may be:

    * a pyarrow ``Table`` or ``RecordBatch``: cut into zero-copy slices of ``batch_size``
      rows (a chunked table is sliced across its chunks);
    * a ``pyarrow.parquet.ParquetFile``: read ``batch_size`` rows at a time with
      ``iter_batches``, so the file is never read whole;
    * a pandas or polars DataFrame: cut into slices of ``batch_size`` rows;
    * a :class:`Population` or a mapping of columns: one batch;
    * any other iterable (a ``RecordBatchReader``, a generator, a list) of Populations and
      frames in :meth:`Population.from_frame`'s wide layout: each item is one batch, as it
      comes.

    Each frame becomes a population with :meth:`Population.from_frame`, so every rule of that
    method holds per batch; in particular a subject id must be unique within its batch (ids
    in different batches are not compared: that would need memory for all of them).

    Args:
        scheme: The scheme the populations are built for.
        batches: The stream, as above.
        batch_size: Rows per batch where this function cuts the input.

    Yields:
        One population per batch, in input order; an empty input yields none.

    Raises:
        ScoringError: When ``batches`` is none of the above, or a batch is refused by
            ``from_frame`` (raised when that batch is reached, naming the batch, counted
            from 1, and where it starts in the stream).
        ValidationError: When ``batch_size`` is not a whole number >= 1.
    """
    check_integer(batch_size, "iter_populations: batch_size", 1)
    if not isinstance(scheme, Scheme):
        raise ScoringError(
            f"iter_populations: scheme is a {type(scheme).__name__}; expected a Scheme"
        )
    start = 0
    for number, piece in enumerate(_pieces(batches, batch_size)):
        if isinstance(piece, Population):
            population = piece
        else:
            try:
                population = Population.from_frame(scheme, piece)
            except ScoringError as exc:
                raise ScoringError(
                    f"batch {number + 1} (its row 1 is row {start + 1} of the stream): {exc}"
                ) from exc
        start += len(population)
        yield population
