"""Frames into the arrays of :meth:`Population.from_arrays`: column access and long layouts.

A frame is a pandas or polars ``DataFrame``, a pyarrow ``Table`` or a plain mapping of column
name to array; each column is read once as a numpy array (no per-row Python for numbers), and
long tables (one row per subject and KPI, or per assessment) are scattered into the ``(N, K)``
and ``(N, Q, S)`` arrays with whole-array passes.  Every refusal names the column, the row
(counted from 1, as a spreadsheet shows data rows) and the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt.errors import ScoringError
from perfmgmt.model.scheme import Scheme

__all__ = ["Columns", "columns_of", "long_actuals", "long_assessments", "money", "text"]

Columns = dict[str, npt.NDArray[Any]]


def columns_of(frame: Any, what: str) -> Columns:
    """Return every column of ``frame`` as a 1-D numpy array, by name.

    Raises:
        ScoringError: When ``frame`` is not a frame or a mapping of columns, or the columns
            differ in length.
    """
    if isinstance(frame, Mapping):
        out = {str(k): np.asarray(v) for k, v in frame.items()}
    elif hasattr(frame, "column_names") and hasattr(frame, "column"):  # pyarrow.Table
        out = {
            str(k): np.asarray(frame.column(k).to_numpy(zero_copy_only=False))
            for k in frame.column_names
        }
    elif hasattr(frame, "get_column") and hasattr(frame, "columns"):  # polars.DataFrame
        out = {str(k): np.asarray(frame.get_column(k).to_numpy()) for k in frame.columns}
    elif hasattr(frame, "columns") and hasattr(frame, "index") and hasattr(frame, "to_numpy"):
        out = {str(k): np.asarray(frame[k].to_numpy()) for k in frame.columns}  # pandas
        index = frame.index
        if getattr(index, "name", None) == "subject_id" and "subject_id" not in out:
            out["subject_id"] = np.asarray(index.to_numpy())
    else:
        raise ScoringError(
            f"Population.from_frame: {what} is a {type(frame).__name__}; expected a pandas or "
            "polars DataFrame, a pyarrow Table or a mapping of column name to array"
        )
    lengths = {k: v.shape for k, v in out.items() if v.ndim != 1 or len(v) != _first_len(out)}
    if lengths:
        raise ScoringError(
            f"Population.from_frame: {what} columns {sorted(lengths)} do not have one value per "
            f"row ({_first_len(out)} rows)"
        )
    return out


def _first_len(columns: Columns) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """None, NaN and pandas' NA in an object or float column."""
    if values.dtype.kind == "f":
        nan: npt.NDArray[np.bool_] = np.isnan(values)
        return nan
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType"
         for v in values.tolist()),
        dtype=bool, count=len(values),
    )  # fmt: skip


def text(values: npt.NDArray[Any], what: str, name: str) -> npt.NDArray[np.str_]:
    """A column of labels as text; refuse an empty cell, naming the row."""
    bad = _missing(values)
    if bad.any():
        row = int(np.argmax(bad))
        raise ScoringError(
            f"Population.from_frame: {what} column {name!r} row {row + 1} is empty; every row "
            "needs a value"
        )
    return values.astype(str)


def number(values: npt.NDArray[Any], what: str, name: str) -> FloatArray:
    """A numeric column as float64 (empty cells NaN); refuse text, naming the row and value."""
    if values.dtype.kind in "iufb" and values.dtype.kind != "b":
        return values.astype(np.float64)
    out = np.full(len(values), np.nan)
    empty = _missing(values)
    for i, v in enumerate(values.tolist()):
        if empty[i]:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float | Decimal | np.number):
            raise ScoringError(
                f"Population.from_frame: {what} column {name!r} row {i + 1} holds {v!r}; "
                "expected a number (empty for no data)"
            )
        out[i] = float(v)
    return out


def money(values: npt.NDArray[Any], name: str) -> tuple[Decimal | None, ...]:
    """Base pay as exact Decimals (empty: None); refuse floats, which cannot hold cents exactly."""
    out: list[Decimal | None] = []
    empty = _missing(values)
    for i, v in enumerate(values.tolist()):
        if empty[i]:
            out.append(None)
        elif isinstance(v, Decimal):
            out.append(v)
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(Decimal(v))
        elif isinstance(v, str):
            try:
                out.append(Decimal(v.strip()))
            except InvalidOperation:
                raise ScoringError(
                    f"Population.from_frame: column {name!r} row {i + 1} holds {v!r}; expected "
                    "a decimal amount such as '12000.00'"
                ) from None
        else:
            raise ScoringError(
                f"Population.from_frame: column {name!r} row {i + 1} holds {v!r} "
                f"({type(v).__name__}); money must be exact: give Decimal, int or text "
                "amounts, not floats"
            )
    return tuple(out)


def _positions(ids: npt.NDArray[np.str_], wanted: npt.NDArray[np.str_], what: str) -> IntArray:
    """Index into ``ids`` of every value of ``wanted``; refuse one that is not there."""
    sorter = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids, wanted, sorter=sorter)
    at = np.minimum(at, max(len(ids) - 1, 0))
    pos = sorter[at] if len(ids) else np.zeros(len(wanted), dtype=np.intp)
    found = ids[pos] == wanted if len(ids) else np.zeros(len(wanted), dtype=bool)
    if not found.all():
        row = int(np.argmin(found))
        raise ScoringError(
            f"Population.from_frame: {what} row {row + 1} names subject {str(wanted[row])!r}, "
            "which is not in the subjects frame"
        )
    return pos.astype(np.int64)


def _codes(values: npt.NDArray[np.str_], keys: tuple[str, ...], what: str, name: str) -> IntArray:
    """Index into ``keys`` of every value; refuse an unknown one, naming the row."""
    uniq, inv = np.unique(values, return_inverse=True)
    index = {k: i for i, k in enumerate(keys)}
    lookup = np.array([index.get(str(u), -1) for u in uniq.tolist()] or [0], dtype=np.int64)
    codes = lookup[inv.reshape(-1)] if len(values) else np.zeros(0, dtype=np.int64)
    if (codes < 0).any():
        row = int(np.argmax(codes < 0))
        raise ScoringError(
            f"Population.from_frame: {what} row {row + 1}: {name} {str(values[row])!r} is not "
            f"in the scheme; allowed: {list(keys)}"
        )
    return codes


def _refuse_repeats(cells: IntArray, what: str, describe: str) -> None:
    """Refuse two rows for the same cell (a duplicated export row would move a score)."""
    order = np.argsort(cells, kind="stable")
    same = cells[order][1:] == cells[order][:-1]
    if same.any():
        k = int(np.argmax(same))
        first, second = sorted((int(order[k]), int(order[k + 1])))
        raise ScoringError(
            f"Population.from_frame: {what} rows {first + 1} and {second + 1} are for the same "
            f"{describe}; give one row each (remove the duplicate)"
        )


def _require(columns: Columns, names: tuple[str, ...], what: str) -> None:
    missing = [n for n in names if n not in columns]
    if missing:
        raise ScoringError(
            f"Population.from_frame: {what} lacks columns {missing}; it has {sorted(columns)}"
        )


def long_actuals(
    scheme: Scheme, ids: npt.NDArray[np.str_], frame: object
) -> tuple[FloatArray, FloatArray | None]:
    """Scatter ``subject_id, kpi, value[, sample_size]`` rows into ``(N, K)`` arrays.

    Returns:
        The actuals (NaN where no row) and the sample sizes (-1 where not given), or None for
        sample sizes when the frame has no ``sample_size`` column.
    """
    what = "actuals"
    cols = columns_of(frame, what)
    _require(cols, ("subject_id", "kpi", "value"), what)
    allowed = {"subject_id", "kpi", "value", "sample_size"}
    _refuse_unknown(cols, allowed, what)
    rows = _positions(ids, text(cols["subject_id"], what, "subject_id"), what)
    kpis = _codes(text(cols["kpi"], what, "kpi"), scheme.kpi_keys, what, "KPI")
    k = len(scheme.kpi_keys)
    cells = rows * k + kpis
    _refuse_repeats(cells, what, "subject and KPI")
    actual = np.full(len(ids) * k, np.nan)
    actual[cells] = number(cols["value"], what, "value")
    if "sample_size" not in cols:
        return actual.reshape(len(ids), k), None
    sizes = np.full(len(ids) * k, -1.0)
    given = number(cols["sample_size"], what, "sample_size")
    sizes[cells] = np.where(np.isnan(given), -1.0, given)
    return actual.reshape(len(ids), k), sizes.reshape(len(ids), k)


def long_assessments(
    scheme: Scheme, ids: npt.NDArray[np.str_], frame: object
) -> tuple[FloatArray, IntArray]:
    """Average ``subject_id, criterion, source, rating[, rater_id]`` rows per cell.

    Ratings are on the criterion's scale; each is checked against it.  With ``rater_id`` a
    rater who appears twice for the same subject, criterion and source is refused.

    Returns:
        The mean rating (NaN where nobody rated) and the number of raters, ``(N, Q, S)``.
    """
    what = "assessments"
    cols = columns_of(frame, what)
    _require(cols, ("subject_id", "criterion", "source", "rating"), what)
    _refuse_unknown(cols, {"subject_id", "criterion", "source", "rating", "rater_id"}, what)
    criteria = tuple(c.key for c in scheme.criteria)
    sources = tuple(s.key for s in scheme.sources)
    rows = _positions(ids, text(cols["subject_id"], what, "subject_id"), what)
    q = _codes(text(cols["criterion"], what, "criterion"), criteria, what, "criterion")
    s = _codes(text(cols["source"], what, "source"), sources, what, "source")
    rating = number(cols["rating"], what, "rating")
    low = np.array([c.scale.low for c in scheme.criteria])[q]
    high = np.array([c.scale.high for c in scheme.criteria])[q]
    off = np.isnan(rating) | (rating < low) | (rating > high)
    if off.any():
        i = int(np.argmax(off))
        c = scheme.criteria[int(q[i])]
        raise ScoringError(
            f"Population.from_frame: assessments row {i + 1}: rating {float(rating[i])!r} of "
            f"{c.key!r} is off its scale [{c.scale.low:g}, {c.scale.high:g}]"
        )
    nq, ns = len(criteria), len(sources)
    cells = (rows * nq + q) * ns + s
    if "rater_id" in cols:
        raters = np.unique(text(cols["rater_id"], what, "rater_id"), return_inverse=True)[1]
        _refuse_repeats(
            cells * (int(raters.max(initial=0)) + 1) + raters.reshape(-1),
            what,
            "subject, criterion, source and rater",
        )
    size = len(ids) * nq * ns
    count = np.bincount(cells, minlength=size)
    total = np.bincount(cells, weights=rating, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    shape = (len(ids), nq, ns)
    return mean.reshape(shape), count.astype(np.int64).reshape(shape)


def _refuse_unknown(cols: Columns, allowed: set[str], what: str) -> None:
    unknown = sorted(set(cols) - allowed)
    if unknown:
        raise ScoringError(
            f"Population.from_frame: {what} has unknown columns {unknown}; allowed are "
            f"{sorted(allowed)} (select the columns you mean, e.g. frame[[...]])"
        )


_SUBJECT_NUMBERS = ("tenure_days", "eligible_fraction", "eligible_days")
_SUBJECT_LABELS = ("grade", "department")
_KPI_FIELDS = ("actual", "sample_size", "threshold", "target", "stretch")


def wide(scheme: Scheme, cols: Columns) -> dict[str, Any]:
    """Read the subjects frame: ids, subject attributes and wide KPI and rating columns.

    Returns:
        Keyword arguments for :meth:`Population.from_arrays` (without ``actual`` when the frame
        has no ``kpi.<key>.actual`` column).
    """
    what = "subjects"
    _require(cols, ("subject_id",), what)
    kpi_cols = {f"kpi.{k}.{f}": (j, f) for j, k in enumerate(scheme.kpi_keys) for f in _KPI_FIELDS}
    rating_cols = {
        f"{part}.{c.key}.{s.key}": (part, qi, si)
        for qi, c in enumerate(scheme.criteria)
        for si, s in enumerate(scheme.sources)
        for part in ("rating", "raters")
    }
    allowed = {"subject_id", "base_pay", "currency", *_SUBJECT_NUMBERS, *_SUBJECT_LABELS}
    _refuse_unknown(cols, allowed | set(kpi_cols) | set(rating_cols), what)
    out: dict[str, Any] = {"subject_ids": text(cols["subject_id"], what, "subject_id")}
    out.update(_wide_kpis(cols, kpi_cols, len(scheme.kpi_keys)))
    present = [name for name in rating_cols if name in cols]
    if present:
        shape = (_first_len(cols), len(scheme.criteria), len(scheme.sources))
        ratings, raters = np.full(shape, np.nan), np.zeros(shape)
        for name in present:
            part, qi, si = rating_cols[name]
            (ratings if part == "rating" else raters)[:, qi, si] = number(cols[name], what, name)
        out["ratings"], out["raters"] = ratings, raters
    out.update(_wide_subject(cols))
    return out


def _wide_kpis(
    cols: Columns, kpi_cols: dict[str, tuple[int, str]], k: int
) -> dict[str, FloatArray]:
    arrays: dict[str, FloatArray] = {}
    for name, (j, field) in kpi_cols.items():
        if name in cols:
            empty = -1.0 if field == "sample_size" else np.nan
            arr = arrays.setdefault(field, np.full((_first_len(cols), k), empty))
            values = number(cols[name], "subjects", name)
            arr[:, j] = np.where(np.isnan(values), empty, values)
    return arrays


def _wide_subject(cols: Columns) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _SUBJECT_NUMBERS:
        if name in cols:
            out[name] = number(cols[name], "subjects", name)
    for name in _SUBJECT_LABELS:
        if name in cols:
            empty = _missing(cols[name]).tolist()
            out[name] = [
                None if e else str(v) for v, e in zip(cols[name].tolist(), empty, strict=True)
            ]
    if "base_pay" in cols:
        out["base_pay"] = money(cols["base_pay"], "base_pay")
    if "currency" in cols:
        empty = _missing(cols["currency"]).tolist()
        codes = {str(c) for c, e in zip(cols["currency"].tolist(), empty, strict=True) if not e}
        if len(codes) > 1:
            raise ScoringError(
                f"Population.from_frame: subjects are paid in several currencies "
                f"{sorted(codes)}; score one currency per population"
            )
        out["currency"] = codes.pop() if codes else None
    return out
