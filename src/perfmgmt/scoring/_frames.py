"""Frames into the arrays of :meth:`Population.from_arrays`: column access and long layouts.

A frame is a pandas or polars ``DataFrame``, a pyarrow ``Table`` or a plain mapping of column
name to array; each column is read once as a numpy array (no per-row Python for numbers), and
long tables (one row per subject and KPI, or per assessment) are scattered into the ``(N, K)``
and ``(N, Q, S)`` arrays with whole-array passes.  Every refusal names the column, the row
(counted from 1, as a spreadsheet shows data rows) and the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt.errors import ScoringError
from perfmgmt.model.money import MAX_MINOR_UNITS, minor_units
from perfmgmt.model.scheme import Scheme

__all__ = [
    "Columns",
    "columns_of",
    "labels",
    "long_actuals",
    "long_assessments",
    "money",
    "text",
]

# a column is a numpy array, or a pyarrow Array for Arrow text, decimals and other non-numbers
Columns = dict[str, Any]


def columns_of(frame: Any, what: str) -> Columns:
    """Return every column of ``frame`` as a 1-D numpy array, by name.

    Raises:
        ScoringError: When ``frame`` is not a frame or a mapping of columns, or the columns
            differ in length.
    """
    if isinstance(frame, Mapping):
        out = {str(k): np.asarray(v) for k, v in frame.items()}
    elif hasattr(frame, "column_names") and hasattr(frame, "column"):  # pyarrow.Table
        out = {str(k): _arrow_column(frame.column(k)) for k in frame.column_names}
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
    lengths = {
        k: (len(v),)
        for k, v in out.items()
        if (isinstance(v, np.ndarray) and v.ndim != 1) or len(v) != _first_len(out)
    }
    if lengths:
        raise ScoringError(
            f"Population.from_frame: {what} columns {sorted(lengths)} do not have one value per "
            f"row ({_first_len(out)} rows)"
        )
    return out


def _arrow_column(column: Any) -> Any:
    """A numeric Arrow column as numpy (nulls NaN); text, decimals and others stay Arrow.

    Text and money are then checked with Arrow's null counts and buffers instead of one
    Python object per cell.
    """
    import pyarrow as pa  # noqa: PLC0415 - only Arrow tables reach here

    array = column
    if isinstance(column, pa.ChunkedArray):  # one chunk is used as it is: no copy
        array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return np.asarray(array.to_numpy(zero_copy_only=False))
    return array


def _is_arrow(values: Any) -> bool:
    return not isinstance(values, np.ndarray)


def _as_numpy(values: Any) -> npt.NDArray[Any]:
    if _is_arrow(values):
        return np.asarray(values.to_numpy(zero_copy_only=False))
    return np.asarray(values)


def _first_len(columns: Columns) -> int:
    return len(next(iter(columns.values()))) if columns else 0


_EMPTY_TYPES = frozenset({type(None), float, np.float64, np.float32, np.float16})


def _missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """None, NaN and pandas' NA in an object or float column."""
    if values.dtype.kind == "f":
        nan: npt.NDArray[np.bool_] = np.isnan(values)
        return nan
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    cells = values.tolist()
    types = set(map(type, cells))  # one pass over the cells, in C
    if types.isdisjoint(_EMPTY_TYPES) and not any(t.__name__ == "NAType" for t in types):
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType"
         for v in cells),
        dtype=bool, count=len(values),
    )  # fmt: skip


def text(values: Any, what: str, name: str) -> npt.NDArray[np.str_]:
    """A column of labels as text; refuse an empty cell, naming the row."""
    return np.asarray(labels(values, what, name), dtype=str)


def labels(values: Any, what: str, name: str) -> list[str]:
    """A column of labels as a list of ``str``; refuse an empty cell, naming the row."""
    if _is_arrow(values):
        import pyarrow as pa  # noqa: PLC0415 - only Arrow tables reach here
        import pyarrow.compute as pc  # noqa: PLC0415

        if values.null_count:
            _refuse_empty(int(pc.index(values.is_null(), value=True).as_py()), what, name)
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            values = values.cast(pa.string())
        out: list[str] = values.to_pylist()
        return out
    bad = _missing(values)
    if bad.any():
        _refuse_empty(int(np.argmax(bad)), what, name)
    cells: list[str] = values.tolist()
    if values.dtype.kind == "U" or set(map(type, cells)) <= {str}:
        return cells
    return [str(v) for v in values.astype(str).tolist()]


def _refuse_empty(row: int, what: str, name: str) -> None:
    raise ScoringError(
        f"Population.from_frame: {what} column {name!r} row {row + 1} is empty; every row "
        "needs a value"
    )


def number(values: Any, what: str, name: str) -> FloatArray:
    """A numeric column as float64 (empty cells NaN); refuse text, naming the row and value."""
    values = _as_numpy(values)
    if values.dtype.kind in "iufb" and values.dtype.kind != "b":
        floats: FloatArray = values.astype(np.float64)
        return floats
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


def money(values: Any, name: str, currency: str | None) -> IntArray:
    """Base pay in whole minor units of ``currency`` (-1 where empty), checked exactly.

    Arrow decimals are read from their buffers and Decimal or int cells in whole-array
    passes; text is parsed cell by cell.  Refused, naming the row: floats (they cannot hold
    cents exactly), text that is not a number, negative amounts, amounts finer than the
    currency's minor unit (``12.345`` CNY), amounts beyond the money range, and any amount
    without a currency.
    """
    found = None
    if _is_arrow(values):
        found = _arrow_money(values, name, currency)
        if found is None:
            values = _as_numpy(values)
    elif values.dtype.kind == "O":
        found = _object_money(values, currency)
    elif values.dtype.kind in "iu":
        found = _scaled(values.astype(np.int64), 0, np.ones(len(values), bool), name, currency)
    if found is not None:
        return found
    return _cells_money(values, name, currency)


def _cells_money(values: npt.NDArray[Any], name: str, currency: str | None) -> IntArray:
    """:func:`money` cell by cell: text, mixed cells, and every refusal naming its row."""
    cells = _money_cells(values, name)
    present = np.array([c is not None for c in cells], dtype=bool)
    if not present.any():
        return np.full(len(cells), -1, dtype=np.int64)
    digits = _digits(present, name, currency)
    limit = Decimal(MAX_MINOR_UNITS).scaleb(-digits)
    minor = np.full(len(cells), -1, dtype=np.int64)
    with localcontext() as context:
        context.prec = 60
        context.traps[Inexact] = True  # more digits than that are finer than any minor unit
        for i, c in enumerate(cells):
            if c is None:
                continue
            if not c.is_finite():
                _refuse_money(i, name, c, "expected a finite amount")
            if c < 0 or c > limit:
                _refuse_money(i, name, c, _range_words(currency))
            try:
                scaled = c.scaleb(digits)
                whole = scaled == scaled.to_integral_value()
            except Inexact:
                whole = False
            if not whole:
                _refuse_money(i, name, c, _fine_words(currency, digits))
            minor[i] = int(scaled)
    return minor


def _money_cells(values: npt.NDArray[Any], name: str) -> list[Decimal | None]:
    """Each cell as a Decimal (empty: None); refuse floats and text that is not a number."""
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
    return out


def _digits(present: npt.NDArray[np.bool_], name: str, currency: str | None) -> int:
    """The currency's minor-unit digits; refuse an amount without a currency."""
    if currency is None:
        row = int(np.argmax(present))
        raise ScoringError(
            f"Population.from_frame: column {name!r} row {row + 1} holds an amount but there "
            "is no currency; add a 'currency' column (an ISO 4217 code such as 'CNY')"
        )
    return minor_units(currency)


def _refuse_money(row: int, name: str, value: object, why: str) -> None:
    raise ScoringError(f"Population.from_frame: column {name!r} row {row + 1} holds {value}: {why}")


def _range_words(currency: str | None) -> str:
    digits = 2 if currency is None else minor_units(currency)
    limit = Decimal(MAX_MINOR_UNITS).scaleb(-digits)
    return f"base pay must be from 0 to {limit:,f} {currency}"


def _fine_words(currency: str | None, digits: int) -> str:
    return (
        f"amounts in {currency} have at most {digits} decimal places; round the amount in "
        "the source, not here"
    )


def _scaled(
    unscaled: IntArray, scale: int, present: npt.NDArray[np.bool_], name: str, currency: str | None
) -> IntArray:
    """Minor units from whole numbers meaning ``unscaled x 10**-scale`` (int64, >= 0 checked)."""
    minor = np.full(len(unscaled), -1, dtype=np.int64)
    if not present.any():
        return minor
    digits = _digits(present, name, currency)

    def shown(row: int) -> Decimal:  # the amount as given, for a refusal
        return Decimal(int(unscaled[row])).scaleb(-scale)

    negative = present & (unscaled < 0)
    if negative.any():
        row = int(np.argmax(negative))
        _refuse_money(row, name, shown(row), _range_words(currency))
    shift = digits - scale
    if shift >= 0:
        factor = 10**shift
        big = present & (unscaled > MAX_MINOR_UNITS // factor)
        if big.any():
            row = int(np.argmax(big))
            _refuse_money(row, name, shown(row), _range_words(currency))
        np.multiply(unscaled, factor, out=minor, where=present)
        return minor
    if -shift > 18:  # 10**19 is past int64: only zero is then a whole minor unit
        fine = present & (unscaled != 0)
        whole = np.zeros(len(unscaled), dtype=np.int64)
    else:
        whole, rest = np.divmod(unscaled, 10**-shift)
        fine = present & (rest != 0)
    if fine.any():
        row = int(np.argmax(fine))
        _refuse_money(row, name, shown(row), _fine_words(currency, digits))
    big = present & (whole > MAX_MINOR_UNITS)
    if big.any():
        row = int(np.argmax(big))
        _refuse_money(row, name, shown(row), _range_words(currency))
    minor[present] = whole[present]
    return minor


def _arrow_money(values: Any, name: str, currency: str | None) -> IntArray | None:
    """Minor units of an Arrow decimal, integer or all-null column; None for other types."""
    import pyarrow as pa  # noqa: PLC0415 - only Arrow tables reach here

    n = len(values)
    kind = values.type
    present = np.ones(n, dtype=bool)
    if values.null_count:
        present = ~np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_null(kind):
        return np.full(n, -1, dtype=np.int64)
    if pa.types.is_integer(kind):
        unscaled = np.asarray(values.fill_null(0).to_numpy(), dtype=np.int64)
        return _scaled(unscaled, 0, present, name, currency)
    if not pa.types.is_decimal(kind):
        return None
    scale = kind.scale
    if present.any() and scale > _digits(present, name, currency):
        scale = _digits(present, name, currency)  # Arrow refuses to drop a nonzero digit
    if scale != kind.scale or not pa.types.is_decimal128(kind):
        try:
            values = values.cast(pa.decimal128(38, scale))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None  # refused cell by cell, naming the row
    # the unscaled 128-bit integers, two little-endian 64-bit words each
    words = np.frombuffer(values.buffers()[1], dtype=np.int64)
    words = words[2 * values.offset : 2 * (values.offset + n)].reshape(n, 2)
    low, high = words[:, 0], words[:, 1]
    fits = (high == 0) & (low >= 0)
    if not fits[present].all():
        row = int(np.argmax(present & ~fits))
        _refuse_money(row, name, values[row].as_py(), _range_words(currency))
    return _scaled(np.where(present, low, 0), scale, present, name, currency)


def _object_money(values: npt.NDArray[Any], currency: str | None) -> IntArray | None:
    """Minor units of Decimal, int and None cells in whole-array passes; None to go cell by cell.

    Multiplying by the minor unit is exact here (an inexact product traps and falls back).
    """
    types = set(map(type, values.tolist()))
    if not types <= {Decimal, int, type(None)}:
        return None
    present: npt.NDArray[np.bool_] = values != None  # noqa: E711 - element-wise, in C
    if not present.any() or currency is None:
        return None  # all empty, or an amount without a currency: refused cell by cell
    amounts = values[present]
    try:
        with localcontext() as context:
            context.prec = 60
            context.traps[Inexact] = True
            scaled = amounts * Decimal(1).scaleb(minor_units(currency))
        whole = scaled.astype(np.int64)
    except (ArithmeticError, ValueError, TypeError):
        return None
    exact = np.equal(scaled, whole).all()
    if not (exact and (whole >= 0).all() and (whole <= MAX_MINOR_UNITS).all()):
        return None  # refused cell by cell, naming the row
    minor = np.full(len(values), -1, dtype=np.int64)
    minor[present] = whole
    return minor


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
    ids = cols["subject_id"]
    out: dict[str, Any] = {
        "subject_ids": _arrow_ids(ids) if _is_arrow(ids) else labels(ids, what, "subject_id")
    }
    out.update(_wide_kpis(cols, kpi_cols, len(scheme.kpi_keys)))
    present = [name for name in rating_cols if name in cols]
    if present:
        # (Q, S, N) blocks, one contiguous row per column, handed on as (N, Q, S) views
        n, nq, ns = _first_len(cols), len(scheme.criteria), len(scheme.sources)
        rating: list[tuple[tuple[int, int], str]] = []
        rated: list[tuple[tuple[int, int], str]] = []
        for name in present:
            part, qi, si = rating_cols[name]
            (rating if part == "rating" else rated).append(((qi, si), name))
        ratings = _block((nq, ns), [at for at, _ in rating], n, np.nan, np.float64)
        for at, name in rating:
            _fill(ratings[at], cols[name], name)
        raters = _count_block(cols, rated, (nq, ns), n)
        out["ratings"] = _readonly_block(ratings).transpose(2, 0, 1)
        out["raters"] = raters.transpose(2, 0, 1)
    out.update(_wide_subject(cols))
    return out


def _wide_kpis(
    cols: Columns, kpi_cols: dict[str, tuple[int, str]], k: int
) -> dict[str, npt.NDArray[Any]]:
    """The wide KPI columns as (N, K) arrays, one per field given (actual, sample_size, ...).

    Each field is filled as a (K, N) block, one contiguous row per column, and returned as its
    transposed view: a copy per column, no strided scatter (the engine reads KPI rows anyway).
    Sample sizes that are all integer columns stay integers.
    """
    n = _first_len(cols)
    given: dict[str, list[tuple[int, str]]] = {}
    for name, (j, field) in kpi_cols.items():
        if name in cols:
            given.setdefault(field, []).append((j, name))
    arrays: dict[str, npt.NDArray[Any]] = {}
    for field, found in given.items():
        if field == "sample_size":
            arrays[field] = _count_block(cols, found, (k,), n).T
            continue
        block = _block((k,), [j for j, _ in found], n, np.nan, np.float64)
        for j, name in found:
            _fill(block[j], cols[name], name)
        arrays[field] = _readonly_block(block).T
    return arrays


def _fill(row: FloatArray, values: Any, name: str) -> None:
    """Copy a numeric column into ``row`` (empty cells NaN); refuse text, naming the row."""
    values = _as_numpy(values)
    if values.dtype.kind in "iuf":
        row[...] = values
    else:
        row[...] = number(values, "subjects", name)


def _count_block(
    cols: Columns, found: list[tuple[Any, str]], lead: tuple[int, ...], n: int
) -> npt.NDArray[Any]:
    """Counts (sample sizes, raters) as a ``lead + (n,)`` block, -1 or 0 where not given.

    All-integer columns give an int64 block (nothing to check for fractions); otherwise a
    float block, with empty cells as the not-given value, for :meth:`Population.from_arrays`
    to check.
    """
    empty = -1 if len(lead) == 1 else 0
    columns = [(at, _as_numpy(cols[name])) for at, name in found]
    whole = all(c.dtype.kind == "i" or (c.dtype.kind == "u" and c.itemsize < 8) for _, c in columns)
    given = [at for at, _ in found]
    if whole:
        block = _block(lead, given, n, empty, np.int64)
        for at, c in columns:
            block[at] = c
        return _readonly_block(block)
    block = _block(lead, given, n, float(empty), np.float64)
    for (at, c), (_, name) in zip(columns, found, strict=True):
        values = number(c, "subjects", name)
        block[at] = np.where(np.isnan(values), float(empty), values)
    return _readonly_block(block)


def _block(
    lead: tuple[int, ...], given: list[Any], n: int, empty: float, dtype: type[np.generic]
) -> npt.NDArray[Any]:
    """Return an empty ``lead + (n,)`` block whose rows not in ``given`` hold ``empty``.

    The caller fills the given rows: no row is written twice.
    """
    block = np.empty((*lead, n), dtype=dtype)
    if len(given) < math.prod(lead):
        missing = np.ones(lead, dtype=bool)
        for at in given:
            missing[at] = False
        block[missing] = empty
    return block


def _readonly_block(block: npt.NDArray[Any]) -> npt.NDArray[Any]:
    block.flags.writeable = False
    return block


def _wide_subject(cols: Columns) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _SUBJECT_NUMBERS:
        if name in cols:
            out[name] = number(cols[name], "subjects", name)
    for name in _SUBJECT_LABELS:
        if name in cols:
            out[name] = _optional_labels(cols[name])
    currency = None
    if "currency" in cols:
        codes = {c for c in _optional_labels(cols["currency"], unique=True) if c is not None}
        if len(codes) > 1:
            raise ScoringError(
                f"Population.from_frame: subjects are paid in several currencies "
                f"{sorted(codes)}; score one currency per population"
            )
        currency = out["currency"] = codes.pop() if codes else None
    if "base_pay" in cols:
        out["base_pay_minor"] = money(cols["base_pay"], "base_pay", currency)
    return out


def _arrow_ids(values: Any) -> Sequence[str]:
    """Subject ids of an Arrow column: kept as the column when they are distinct.

    An empty cell is refused here, naming the row.  Repeats are left to
    :meth:`Population.from_arrays`, which names the repeated id.
    """
    import pyarrow as pa  # noqa: PLC0415 - only Arrow tables reach here

    from perfmgmt._ids import IdColumn, arrow_distinct  # noqa: PLC0415 - frame users only

    if values.null_count:
        _refuse_empty(int(values.is_null().index(True).as_py()), "subjects", "subject_id")
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    if arrow_distinct(values):
        return IdColumn(values)
    found: list[str] = values.to_pylist()
    return found


def _optional_labels(values: Any, *, unique: bool = False) -> list[str | None]:
    """Labels as text, None where empty (``unique``: each distinct label once, any order)."""
    if _is_arrow(values):
        import pyarrow as pa  # noqa: PLC0415 - only Arrow tables reach here

        if unique:
            values = values.unique()
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            values = values.cast(pa.string())
        found: list[str | None] = values.to_pylist()
        return found
    values = np.asarray(values)
    cells = values.tolist()
    if unique and values.dtype.kind == "O":
        kinds = set(map(type, cells))
        if kinds <= {str, type(None)}:
            return list(set(cells))
    empty = _missing(values).tolist()
    return [None if e else str(v) for v, e in zip(cells, empty, strict=True)]
