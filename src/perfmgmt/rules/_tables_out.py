"""Batch decisions out as Arrow, polars and pandas tables with a chosen set of columns.

Money leaves exact: an Arrow ``decimal128(38, scale)`` column whose scale is the currency's minor
unit, built straight from the int64 minor amounts (the 128-bit two's complement words are
written as an array; no amount passes through a float or a Python object).  Fired flags are
bool columns.  pyarrow, polars and pandas are imported only when a table of their kind is
asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from perfmgmt._html import missing_extra
from perfmgmt._ids import arrow_ids
from perfmgmt.errors import RuleError
from perfmgmt.model.money import minor_units

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from perfmgmt.rules.decisions import BatchDecisions

__all__ = [
    "MONEY_PRECISION",
    "decision_column_names",
    "decisions_arrow",
    "decisions_pandas",
    "decisions_polars",
    "money_array",
]

MONEY_PRECISION = 38
"""Digits of the decimal money columns (Arrow's and Spark's widest decimal)."""

_COLUMN_SETS = ("lean", "full")


def _lean(b: BatchDecisions) -> list[str]:
    names = ["subject_id", "bonus", "deduction"]
    if b.allocation is not None:
        names.append("awarded")
    return names + [f"fired.{k}" for k in (*b.rule_keys, *b.table_keys)]


def decision_column_names(b: BatchDecisions, columns: str | Sequence[str]) -> list[str]:
    """Return the column names ``columns`` stands for: a set name or an explicit list.

    ``lean`` is ``subject_id``, ``bonus``, ``deduction``, ``awarded`` (with a pool) and
    ``fired.<key>`` per rule and table; ``full`` adds ``currency``.

    Raises:
        RuleError: On an unknown set name, an unknown or repeated column, or an empty list.
    """
    allowed = [*_lean(b), "currency"]
    if isinstance(columns, str):
        if columns in _COLUMN_SETS:
            return _lean(b) if columns == "lean" else allowed
        raise RuleError(
            f"columns={columns!r} is not a column set; expected one of {list(_COLUMN_SETS)} "
            "or a list of column names"
        )
    names = list(columns)
    if not names:
        raise RuleError("columns=[] names no column; give at least one, e.g. 'subject_id'")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or name not in allowed:
            raise RuleError(
                f"columns: {name!r} is not a column of these decisions; allowed: {allowed}"
            )
        if name in seen:
            raise RuleError(f"columns: {name!r} is named twice; name each column once")
        seen.add(name)
    return names


def money_array(
    minor: npt.NDArray[np.int64], valid: npt.NDArray[np.bool_] | None, scale: int
) -> pa.Array:
    """Return int64 minor amounts as an exact Arrow ``decimal128(38, scale)`` array.

    A decimal128 value is the unscaled integer as a little-endian 128-bit two's complement: the
    low word is the minor amount, the high word its sign.  ``valid`` False gives a null.
    """
    import pyarrow as pa  # noqa: PLC0415 - callers have checked that pyarrow is installed

    n = len(minor)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = minor
    words[:, 1] = np.right_shift(minor, 63)
    mask = None if valid is None else pa.array(~np.asarray(valid, dtype=bool))
    data = pa.Array.from_buffers(
        pa.decimal128(MONEY_PRECISION, scale), n, [None, pa.py_buffer(words)]
    )
    if mask is None or not mask.true_count:
        return data
    return pa.compute.if_else(mask, pa.scalar(None, type=data.type), data)


def _money(b: BatchDecisions, name: str, has_money: bool) -> tuple[npt.NDArray[Any], Any, int]:
    """The minor amounts, where they are known, and the scale of a money column."""
    if name == "awarded":
        alloc = b.allocation
        assert alloc is not None  # the column exists only with a pool
        return alloc.awarded, None, minor_units(alloc.currency)
    scale = 2 if b.currency is None else minor_units(b.currency)
    known = b.bonus_known if name == "bonus" else b.deduction_known
    if b.currency is None or not has_money:
        known = np.zeros(len(b), dtype=bool)
    return (b.bonus_minor if name == "bonus" else b.deduction_minor), known, scale


def decisions_arrow(
    b: BatchDecisions, columns: str | Sequence[str], *, has_money: bool
) -> pa.Table:
    """Return the decisions as a pyarrow Table (see :meth:`BatchDecisions.to_arrow`).

    Raises:
        MissingExtraError: When pyarrow is not installed.
        RuleError: On an unknown column name.
    """
    names = decision_column_names(b, columns)
    try:
        import pyarrow as pa  # noqa: PLC0415 - pyarrow is an optional extra, imported on use
        import pyarrow.compute  # noqa: PLC0415 - if_else for nulls in money columns
    except ImportError as exc:
        raise missing_extra("pyarrow", "arrow", "BatchDecisions.to_arrow()") from exc
    arrays: list[pa.Array] = []
    for name in names:
        if name == "subject_id":
            arrays.append(arrow_ids(b.subject_ids, pa))
        elif name == "currency":
            arrays.append(pa.repeat(pa.scalar(b.currency, pa.string()), len(b)))
        elif name.startswith("fired."):
            arrays.append(pa.array(b.fired(name[len("fired.") :])))
        else:
            minor, known, scale = _money(b, name, has_money)
            arrays.append(money_array(minor, known, scale))
    return pa.Table.from_arrays(arrays, names=names)


def decisions_polars(
    b: BatchDecisions, columns: str | Sequence[str], *, has_money: bool
) -> pl.DataFrame:
    """Return the decisions as a polars DataFrame, money as exact ``polars.Decimal``.

    Raises:
        MissingExtraError: When polars or pyarrow (which carries the decimals) is missing.
        RuleError: On an unknown column name.
    """
    try:
        import polars as pl  # noqa: PLC0415 - polars is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("polars", "polars", "BatchDecisions.to_polars()") from exc
    frame = pl.from_arrow(decisions_arrow(b, columns, has_money=has_money))
    assert isinstance(frame, pl.DataFrame)
    return frame


def decisions_pandas(
    b: BatchDecisions, columns: str | Sequence[str], *, has_money: bool
) -> pd.DataFrame:
    """Return chosen columns as a pandas DataFrame, indexed by ``subject_id`` when chosen.

    Money columns hold exact :class:`~decimal.Decimal` objects (None where unknown).

    Raises:
        MissingExtraError: When pandas is not installed.
        RuleError: On an unknown column name.
    """
    names = decision_column_names(b, columns)
    try:
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("pandas", "pandas", "BatchDecisions.to_pandas()") from exc
    from perfmgmt.rules._display import _decimals  # noqa: PLC0415 - as to_pandas() does

    cols: dict[str, object] = {}
    for name in names:
        if name == "subject_id":
            continue
        if name == "currency":
            cols[name] = [b.currency] * len(b)
        elif name.startswith("fired."):
            cols[name] = b.fired(name[len("fired.") :])
        else:
            minor, known, _ = _money(b, name, has_money)
            currency = b.allocation.currency if name == "awarded" and b.allocation else b.currency
            cols[name] = pd.Series(_decimals(minor, known, currency), dtype=object).to_numpy()
    index = None
    if "subject_id" in names:
        index = pd.Index(list(b.subject_ids), name="subject_id")
    return pd.DataFrame(cols, index=index)
