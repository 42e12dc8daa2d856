"""Batch scores out as Arrow, polars and pandas tables with a chosen set of columns.

Every column is built from the batch's arrays in whole-array steps (a NaN becomes a null through
a mask, the rating is a dictionary over the band labels); nothing loops over reviews.  The
column names are those of :meth:`BatchScores.to_rows`.  pyarrow, polars and pandas are imported
only when a table of their kind is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from perfmgmt._html import missing_extra
from perfmgmt._ids import arrow_ids
from perfmgmt.errors import ScoringError

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from perfmgmt.scoring.card import BatchScores

__all__ = ["COLUMN_SETS", "score_column_names", "scores_arrow", "scores_pandas", "scores_polars"]

COLUMN_SETS = ("lean", "full")
"""The named column sets: ``lean`` (id, total, rating, rated, KPI scores) and ``full``."""

_REVIEW = ("total", "rating", "rated", "gated", "quantitative", "qualitative")
_REVIEW_TAIL = ("eligible_fraction", "review_flags")
_KPI_PARTS = ("actual", "target", "achievement", "score", "effective_weight", "flags")


def _full(batch: BatchScores) -> list[str]:
    names = ["subject_id", *_REVIEW, *_REVIEW_TAIL]
    names += [f"category.{c}" for c in batch.category_keys]
    names += [f"kpi.{k}.{p}" for k in batch.kpi_keys for p in _KPI_PARTS]
    return names


def _lean(batch: BatchScores) -> list[str]:
    return ["subject_id", "total", "rating", "rated", *(f"kpi.{k}.score" for k in batch.kpi_keys)]


def score_column_names(batch: BatchScores, columns: str | Sequence[str]) -> list[str]:
    """Return the column names ``columns`` stands for: a set name or an explicit list.

    Raises:
        ScoringError: On an unknown set name, an unknown or repeated column, or an empty list.
    """
    allowed = _full(batch)
    if isinstance(columns, str):
        if columns == "lean":
            return _lean(batch)
        if columns == "full":
            return allowed
        raise ScoringError(
            f"columns={columns!r} is not a column set; expected one of {list(COLUMN_SETS)} "
            "or a list of column names"
        )
    names = list(columns)
    if not names:
        raise ScoringError("columns=[] names no column; give at least one, e.g. 'subject_id'")
    known = set(allowed)
    for name in names:
        if not isinstance(name, str) or name not in known:
            raise ScoringError(
                f"columns: {name!r} is not a column of these scores; allowed: {allowed}"
            )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ScoringError(f"columns: {name!r} is named twice; name each column once")
        seen.add(name)
    return names


def _review_arrays(batch: BatchScores) -> dict[str, npt.NDArray[Any]]:
    return {
        "total": batch.total,
        "rated": batch.rated,
        "gated": batch.gated,
        "quantitative": batch.quantitative,
        "qualitative": batch.qualitative,
        "eligible_fraction": batch.eligible_fraction,
    }


def _kpi_arrays(batch: BatchScores) -> dict[str, npt.NDArray[Any]]:
    return {
        "actual": batch.actual,
        "target": batch.target,
        "achievement": batch.achievement,
        "score": batch.score,
        "effective_weight": batch.effective_weight,
    }


def _numbers(batch: BatchScores, name: str) -> npt.NDArray[Any]:
    """The numeric array behind a checked column name other than ``subject_id``/``rating``."""
    if name == "review_flags":
        return batch.review_flags.astype(np.int64)
    if name.startswith("category."):
        return batch.category_score[:, batch.category_keys.index(name[len("category.") :])]
    if not name.startswith("kpi."):
        return _review_arrays(batch)[name]
    key, part = name[len("kpi.") :].rsplit(".", 1)
    j = batch.kpi_keys.index(key)
    if part == "flags":
        return batch.flags[:, j].astype(np.int64)
    return _kpi_arrays(batch)[part][:, j]


def scores_arrow(batch: BatchScores, columns: str | Sequence[str]) -> pa.Table:
    """Return the scores as a pyarrow Table (see :meth:`BatchScores.to_arrow`).

    Raises:
        MissingExtraError: When pyarrow is not installed.
        ScoringError: On an unknown column name.
    """
    names = score_column_names(batch, columns)
    try:
        import pyarrow as pa  # noqa: PLC0415 - pyarrow is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("pyarrow", "arrow", "BatchScores.to_arrow()") from exc
    arrays: list[pa.Array] = []
    for name in names:
        if name == "subject_id":
            arrays.append(arrow_ids(batch._ids, pa))
        elif name == "rating":
            idx = batch.rating_index
            indices = pa.array(idx.astype(np.int32), mask=idx < 0)
            labels = pa.array(batch.rating_labels, type=pa.string())
            arrays.append(pa.DictionaryArray.from_arrays(indices, labels, ordered=True))
        else:
            values = _numbers(batch, name)
            mask = np.isnan(values) if values.dtype.kind == "f" else None
            arrays.append(pa.array(values, mask=mask))
    return pa.Table.from_arrays(arrays, names=names)


def scores_polars(batch: BatchScores, columns: str | Sequence[str]) -> pl.DataFrame:
    """Return the scores as a polars DataFrame (see :meth:`BatchScores.to_polars`).

    Raises:
        MissingExtraError: When polars is not installed.
        ScoringError: On an unknown column name.
    """
    names = score_column_names(batch, columns)
    try:
        import polars as pl  # noqa: PLC0415 - polars is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("polars", "polars", "BatchScores.to_polars()") from exc
    series: list[pl.Series] = []
    for name in names:
        if name == "subject_id":
            series.append(pl.Series(name, batch.subject_ids, dtype=pl.String))
        elif name == "rating":
            idx = batch.rating_index
            codes = pl.Series(name, idx.astype(np.uint32)).scatter(np.flatnonzero(idx < 0), None)
            labels = pl.Series(name, batch.rating_labels, dtype=pl.Enum(batch.rating_labels))
            series.append(labels.gather(codes))
        else:
            values = _numbers(batch, name)
            series.append(pl.Series(name, values, nan_to_null=values.dtype.kind == "f"))
    return pl.DataFrame(series)


def scores_pandas(batch: BatchScores, columns: str | Sequence[str]) -> pd.DataFrame:
    """Return the scores as a pandas DataFrame indexed by ``subject_id`` when it is chosen.

    Raises:
        MissingExtraError: When pandas is not installed.
        ScoringError: On an unknown column name.
    """
    names = score_column_names(batch, columns)
    try:
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("pandas", "pandas", "BatchScores.to_pandas()") from exc
    build: dict[str, Callable[[], object]] = {
        "rating": lambda: pd.Categorical.from_codes(
            batch.rating_index, categories=pd.Index(list(batch.rating_labels)), ordered=True
        )
    }
    cols = {
        name: build[name]() if name in build else _numbers(batch, name)
        for name in names
        if name != "subject_id"
    }
    index = None
    if "subject_id" in names:
        index = pd.Index(list(batch.subject_ids), name="subject_id")
    return pd.DataFrame(cols, index=index, copy=True)
