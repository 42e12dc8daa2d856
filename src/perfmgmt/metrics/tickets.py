"""Columnar tables of raw service data: tickets, surveys, trainings and projects.

A table holds one numpy array per column, all of the same length.  Key columns
(manager, team, agent, customer, ...) are stored factorised, as integer codes
into a sorted array of labels, so that grouping is a ``np.bincount`` away.
Timestamps are naive local times stored as ``datetime64[s]``.

Tables are built from numpy arrays (:meth:`Table.from_arrays`), from an iterable
of dict records (:meth:`Table.from_records`) or from CSV text with a column
mapping (:meth:`Table.from_csv`).  Every row is validated.  With ``strict=True``
(the default) the first bad row raises a :class:`~perfmgmt.errors.DataError`
naming the row and the column; with ``strict=False`` bad rows are dropped and
listed in :attr:`Table.dropped`, never silently.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from perfmgmt._keys import unique_text
from perfmgmt._parallel import BlockRunner, check_workers
from perfmgmt._words import word
from perfmgmt.errors import DataError
from perfmgmt.metrics._text import as_text, parse_numbers, parse_times
from perfmgmt.metrics.reading import read_raw

__all__ = [
    "Column",
    "DropReport",
    "DroppedRow",
    "Projects",
    "Surveys",
    "Table",
    "Tickets",
    "Trainings",
]

ColumnKind = Literal["key", "time", "number", "flag"]
_Keys = Mapping[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]]

_NAT = np.datetime64("NaT", "s")
_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n", ""})


@dataclass(frozen=True, kw_only=True, slots=True)
class Column:
    """Describe one column a table accepts: its kind, its allowed values and its meaning.

    Attributes:
        name: The column name.
        kind: ``"key"`` (a label such as a manager id), ``"time"`` (a naive local
            timestamp), ``"number"`` (a float; empty means missing) or ``"flag"``
            (a boolean; empty means false).
        doc: What the column means, for error messages and documentation.
        minimum: Smallest allowed number, inclusive, for ``"number"`` columns.
        maximum: Largest allowed number, inclusive, for ``"number"`` columns.
        integer: Whether a number must be a whole number (a rating on a scale).
        required: Whether every row needs a value (keys and times only).
    """

    name: str
    kind: ColumnKind
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    required: bool = False

    def allowed(self) -> str:
        """Describe the allowed values, for error messages."""
        if self.kind == "key":
            return "a non-empty label" if self.required else "a label, or empty"
        if self.kind == "time":
            what = "an ISO 8601 timestamp without time zone"
            return what if self.required else what + ", or empty"
        if self.kind == "flag":
            return "true/false, yes/no, 1/0, or empty for false"
        what = "a whole number" if self.integer else "a number"
        if self.minimum is not None and self.maximum is not None:
            what += f" from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
        elif self.minimum is not None:
            what += f" of at least {_fmt(self.minimum)}"
        return what + ", or empty when missing"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True, kw_only=True, slots=True)
class DroppedRow:
    """Record one row dropped by a non-strict load and why.

    Attributes:
        row: Zero-based index of the row in the input (CSV data rows count from 0).
        column: The column whose value was bad, or ``None`` for a malformed CSV line.
        reason: What was wrong and what was allowed.
    """

    row: int
    column: str | None
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DropReport:
    """List the rows a non-strict load dropped, each with its column and reason.

    Attributes:
        rows: The dropped rows, in input order.
        total: Number of input rows before dropping.
    """

    rows: tuple[DroppedRow, ...] = ()
    total: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def by_column(self) -> dict[str | None, int]:
        """Count the dropped rows per offending column."""
        out: dict[str | None, int] = {}
        for r in self.rows:
            out[r.column] = out.get(r.column, 0) + 1
        return out

    def summary(self, lang: str = "en") -> str:
        """Describe the drops in one line, e.g. ``dropped 3 of 100 rows (csat: 2, closed: 1)``.

        Args:
            lang: ``"en"`` or ``"zh"`` (``共 100 行,剔除 3 行(csat: 2, closed: 1)``).
        """
        line = word("cli.whole_row", lang)
        parts = ", ".join(f"{c or line}: {k}" for c, k in self.by_column().items())
        text = word("cli.dropped_rows", lang).format(dropped=len(self.rows), rows=self.total)
        if not parts:
            return text
        return f"{text}({parts})" if lang == "zh" else f"{text} ({parts})"


# A check flags bad rows in one column; ``explain(i)`` says why row ``i`` is bad.
@dataclass(frozen=True, slots=True)
class _Check:
    column: str | None
    bad: npt.NDArray[np.bool_]
    explain: Callable[[int], str]


class Table:
    """Hold validated columnar service data; the base of :class:`Tickets` and friends.

    Subclasses declare their columns in ``SCHEMA`` and their time column in
    ``TIME_COLUMN`` (used to select a period).  Build instances with the
    ``from_*`` class methods, not the constructor.

    Attributes:
        dropped: What a ``strict=False`` load dropped; empty after a strict load.
    """

    SCHEMA: ClassVar[tuple[Column, ...]] = ()
    TIME_COLUMN: ClassVar[str] = ""

    dropped: DropReport

    def __init__(
        self,
        *,
        keys: Mapping[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]],
        data: Mapping[str, npt.NDArray[Any]],
        length: int,
        dropped: DropReport,
    ) -> None:
        self._keys = dict(keys)
        self._data = dict(data)
        self._length = length
        self.dropped = dropped
        self._derived: dict[tuple[object, ...], npt.NDArray[Any]] = {}
        for codes, labels in self._keys.values():
            codes.flags.writeable = False
            labels.flags.writeable = False
        for arr in self._data.values():
            arr.flags.writeable = False

    def _derive(
        self, key: tuple[object, ...], compute: Callable[[], npt.NDArray[Any]]
    ) -> npt.NDArray[Any]:
        """Return an array computed from the (read-only) columns once, read-only, by key.

        Indicators asked for several periods of the same table reuse what does not depend on
        the period (e.g. the repeat-contact flags, one sort of the whole table).
        """
        if key not in self._derived:
            value = compute()
            value.flags.writeable = False
            self._derived[key] = value
        return self._derived[key]

    # -- reading -----------------------------------------------------------

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._length} rows; columns: {', '.join(self.columns)})"

    @classmethod
    def schema(cls) -> dict[str, Column]:
        """Return the accepted columns by name."""
        return {c.name: c for c in cls.SCHEMA}

    @property
    def columns(self) -> tuple[str, ...]:
        """Return the names of the columns present, in schema order."""
        return tuple(c.name for c in self.SCHEMA if c.name in self._keys or c.name in self._data)

    def __contains__(self, name: object) -> bool:
        return name in self._keys or name in self._data

    def codes(self, name: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
        """Return a key column as ``(codes, labels)``; code ``-1`` means empty.

        Raises:
            DataError: If ``name`` is not a key column present in the table.
        """
        if name not in self._keys:
            keys = [c.name for c in self.SCHEMA if c.kind == "key"]
            raise DataError(
                f"{type(self).__name__} has no key column {name!r} to group by; "
                f"present: {sorted(self._keys)}; key columns are {keys}",
                column=name,
            )
        return self._keys[name]

    def column(self, name: str) -> npt.NDArray[Any]:
        """Return one column as a read-only array (key columns decoded to labels).

        Raises:
            DataError: If the column is not present.
        """
        if name in self._keys:
            codes, labels = self._keys[name]
            out = np.empty(len(codes), dtype=object)
            ok = codes >= 0
            out[ok] = labels[codes[ok]]
            out[~ok] = None
            return out
        return self.require(name)

    def require(self, name: str, *, purpose: str = "") -> npt.NDArray[Any]:
        """Return a non-key column, or raise a DataError saying which computation needs it."""
        if name not in self._data:
            why = f"; {purpose} needs it" if purpose else ""
            raise DataError(
                f"{type(self).__name__} has no {name!r} column{why}; present: {list(self.columns)}",
                column=name,
            )
        return self._data[name]

    # -- building ----------------------------------------------------------

    @classmethod
    def from_arrays(
        cls, *, strict: bool = True, workers: int = 1, **columns: npt.ArrayLike
    ) -> Self:
        """Build a table from one array (or sequence) per column.

        Args:
            strict: Raise on the first bad row (``True``) or drop bad rows and list
                them in :attr:`dropped` (``False``).
            workers: Threads that read columns side by side (numpy and Arrow release the
                GIL in their loops); the table, its errors and its drops do not depend on it.
            **columns: Column name to values; every name must be in ``SCHEMA``.

        Returns:
            The validated table.

        Raises:
            DataError: On an unknown column, columns of different lengths, a missing
                required column, ``workers`` that is not a whole number >= 1, or (strict) a
                bad value, naming row and column.
        """
        _check_strict(strict, cls.__name__ + ".from_arrays")
        check_workers(cls.__name__ + ".from_arrays", workers, DataError)
        arrays: dict[str, npt.NDArray[Any]] = {}
        for name, values in columns.items():
            try:
                arrays[name] = np.asarray(values)
            except (ValueError, TypeError):
                raise DataError(
                    f"{cls.__name__}: column {name!r} is not allowed: its values do not form a "
                    "1-D array (ragged or mixed nesting); expected one value per row",
                    column=name,
                ) from None
        return cls._build(arrays, strict=strict, pre=(), workers=workers)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        mapping: Mapping[str, str | None] | None = None,
        strict: bool = True,
    ) -> Self:
        """Build a table from an iterable of dict records (one dict per row).

        Args:
            records: The rows; a key absent from a record means an empty value.
            mapping: Record field name to column name, or to ``None`` to ignore the
                field.  Fields not in the mapping must be column names.
            strict: See :meth:`from_arrays`.

        Returns:
            The validated table.

        Raises:
            DataError: On an unknown field or (strict) a bad value.
        """
        _check_strict(strict, cls.__name__ + ".from_records")
        mapping = _mapping(mapping, cls.__name__)
        lists: dict[str, list[object]] = {}
        n = 0
        for rec in records:
            if not isinstance(rec, Mapping):
                raise DataError(
                    f"{cls.__name__}.from_records: record {n} is a {type(rec).__name__}; "
                    "expected a mapping of column name to value",
                    row=n,
                )
            for key, value in rec.items():
                name = cls._target(key, mapping)
                if name is None:
                    continue
                lst = lists.get(name)
                if lst is None:
                    lst = lists[name] = [None] * n
                lst.append(value)
            n += 1
            for lst in lists.values():
                if len(lst) < n:
                    lst.append(None)
        arrays = {name: _object_array(values) for name, values in lists.items()}
        if not arrays:
            return cls._build({}, strict=strict, pre=(), length=n)
        return cls._build(arrays, strict=strict, pre=())

    @classmethod
    def from_csv(
        cls,
        source: str | os.PathLike[str] | io.TextIOBase | Iterable[str],
        *,
        mapping: Mapping[str, str | None] | None = None,
        strict: bool = True,
        delimiter: str | None = None,
        encoding: str = "utf-8",
    ) -> Self:
        """Build a table from CSV with a header line.

        Excel's "CSV UTF-8" byte-order mark is skipped, and so is a UTF-16 one.  When
        pyarrow is installed the file is parsed by it, in C++; values are the same either way.

        Args:
            source: A path, or an open text file / iterable of lines.
            mapping: CSV header name to column name, or to ``None`` to skip the CSV
                column.  Headers not in the mapping must be column names.
            strict: See :meth:`from_arrays`.
            delimiter: The field separator; ``None`` (the default) detects it from the
                header line among ``,``, ``;``, tab and ``|``.
            encoding: The encoding of a file given by path, e.g. ``"gb18030"`` for GBK
                exports or ``"utf-16"``.

        Returns:
            The validated table.  Row numbers in errors and in :attr:`dropped` count as a
            spreadsheet does: the header is row 1, the first data line row 2.

        Raises:
            DataError: On bytes that do not decode (with a suggested encoding), an unknown or
                duplicated header, a line with the wrong number of fields, or (strict) a bad
                value, naming the row and the column.
        """
        _check_strict(strict, cls.__name__ + ".from_csv")
        mapping = _mapping(mapping, cls.__name__)
        kinds = {c.name: c.kind for c in cls.SCHEMA}
        kinds_by_header: dict[str, str] = {}
        for header, target in mapping.items():
            if isinstance(target, str) and target in kinds:
                kinds_by_header[header] = kinds[target]
        for name, kind in kinds.items():
            if name not in mapping:
                kinds_by_header.setdefault(name, kind)
        raw = read_raw(
            source,
            encoding=encoding,
            delimiter=delimiter,
            kinds=kinds_by_header,
            name=cls.__name__,
        )
        targets = [cls._target(h, mapping) for h in raw.header]
        seen: dict[str, str] = {}
        for h, t in zip(raw.header, targets, strict=True):
            if t is not None and t in seen:
                twice = "appears twice" if seen[t] == h else f"and {seen[t]!r} both map to {t!r}"
                raise DataError(
                    f"{cls.__name__} CSV: header {h!r} {twice}; each column may appear once "
                    "(map one of them to None to skip it)",
                    column=h,
                    row=1,
                )
            if t is not None:
                seen[t] = h
        n = raw.n
        pre = [
            _Check(None, _mask_at([row], n), _say(f"line has {k} fields but the header has "
                                                  f"{len(raw.header)}"))
            for row, k in raw.malformed
        ]  # fmt: skip
        arrays = {t: col for t, col in zip(targets, raw.columns, strict=True) if t is not None}
        coded = {targets[i]: key for i, key in raw.coded.items() if targets[i] is not None}
        return cls._build(arrays, strict=strict, pre=tuple(pre), length=n, first_row=2, coded=coded)

    @classmethod
    def _target(cls, name: str, mapping: Mapping[str, str | None]) -> str | None:
        target = mapping.get(name, name) if name in mapping else name
        if target is None:
            return None
        if target not in cls.schema():
            known = [c.name for c in cls.SCHEMA]
            raise DataError(
                f"{cls.__name__}: unknown column {name!r}"
                + (f" (mapped to {target!r})" if target != name else "")
                + f"; allowed columns are {known}; map it to None in `mapping` to ignore it",
                column=name,
            )
        return target

    @classmethod
    def _build(
        cls,
        arrays: Mapping[str, npt.NDArray[Any]],
        *,
        strict: bool,
        pre: tuple[_Check, ...],
        length: int | None = None,
        first_row: int = 0,
        coded: Mapping[str | None, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]]
        | None = None,
        workers: int = 1,
    ) -> Self:
        n = cls._row_count(arrays, length)
        coded = coded or {}
        checks: list[_Check] = list(pre)
        keys: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]] = {}
        data: dict[str, npt.NDArray[Any]] = {}
        for col in cls.SCHEMA:
            if col.name in coded:
                keys[col.name] = coded[col.name]
        todo = [c for c in cls.SCHEMA if c.name in arrays and c.name not in coded]
        # Key columns are the slow ones: they start first, so no thread is left with one alone
        # at the end.  Each column's checks keep their schema place whatever ran first.
        todo.sort(key=lambda c: c.kind != "key")
        found: dict[str, list[_Check]] = {}

        def parse(block: tuple[int, int]) -> None:
            col = todo[block[0]]
            found[col.name] = _parse_column(col, arrays[col.name], keys, data)

        runner = BlockRunner(workers, "perfmgmt-tables")
        try:
            runner.run(parse, [(i, i + 1) for i in range(len(todo))])
        finally:
            runner.close()
        for col in cls.SCHEMA:
            if col.name in coded and col.required:
                checks.append(_Check(col.name, keys[col.name][0] < 0, _say("the value is empty")))
            checks.extend(found.get(col.name, ()))
        names = [c.name for c in cls.SCHEMA]
        keys = {name: keys[name] for name in names if name in keys}
        data = {name: data[name] for name in names if name in data}
        checks.extend(cls._row_checks(data, keys))
        return cls._finish(keys, data, n, checks, strict=strict, first_row=first_row)

    @classmethod
    def _row_count(cls, arrays: Mapping[str, npt.NDArray[Any]], length: int | None) -> int:
        """Return the number of rows; refuse unknown, ragged or missing required columns."""
        schema = cls.schema()
        for name in arrays:
            if name not in schema:
                cls._target(name, {})
        for name, arr in arrays.items():
            if arr.ndim != 1:
                raise DataError(
                    f"{cls.__name__}: column {name!r} has shape {arr.shape}; expected a 1-D "
                    "array (one value per row)",
                    column=name,
                )
        lengths = {name: arr.shape[0] for name, arr in arrays.items()}
        if len(set(lengths.values())) > 1:
            raise DataError(
                f"{cls.__name__}: every column must be a 1-D array of the same length; "
                f"got lengths {lengths}"
            )
        n = next(iter(lengths.values())) if lengths else (length or 0)
        for col in cls.SCHEMA:
            # An empty iterable of records has no columns to check; an empty table results.
            if col.required and col.name not in arrays and (arrays or n):
                raise DataError(
                    f"{cls.__name__}: required column {col.name!r} is missing ({col.doc})",
                    column=col.name,
                )
        return n

    @classmethod
    def _row_checks(cls, data: Mapping[str, npt.NDArray[Any]], keys: _Keys) -> list[_Check]:
        """Return cross-column checks; subclasses add ordering and uniqueness rules."""
        del data, keys
        return []

    @classmethod
    def _finish(
        cls,
        keys: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]],
        data: dict[str, npt.NDArray[Any]],
        n: int,
        checks: list[_Check],
        *,
        strict: bool,
        first_row: int = 0,
    ) -> Self:
        if strict:
            first: tuple[int, int] | None = None
            for k, chk in enumerate(checks):
                if chk.bad.any():
                    row = int(np.argmax(chk.bad))
                    if first is None or row < first[0]:
                        first = (row, k)
            if first is not None:
                row, k = first
                chk = checks[k]
                at = row + first_row
                where = f"row {at}" + (f", column {chk.column!r}" if chk.column else "")
                raise DataError(
                    f"{cls.__name__} {where}: {chk.explain(row)}", row=at, column=chk.column
                )
            return cls(keys=keys, data=data, length=n, dropped=DropReport(total=n))
        dropped = np.zeros(n, dtype=bool)
        found: list[tuple[int, int, DroppedRow]] = []
        for k, chk in enumerate(checks):
            new = chk.bad & ~dropped
            found.extend(
                (
                    row,
                    k,
                    DroppedRow(row=row + first_row, column=chk.column, reason=chk.explain(row)),
                )
                for row in np.flatnonzero(new).tolist()
            )
            dropped |= chk.bad
        found.sort(key=lambda t: (t[0], t[1]))
        report = DropReport(rows=tuple(r for _, _, r in found), total=n)
        if not dropped.any():
            return cls(keys=keys, data=data, length=n, dropped=report)
        keep = ~dropped
        kept_keys = {}
        for name, (codes, labels) in keys.items():
            sub = codes[keep]
            present = np.zeros(len(labels) + 1, dtype=bool)
            present[sub + 1] = True
            used = present[1:]
            remap = np.full(len(labels) + 1, -1, dtype=np.intp)
            remap[1:][used] = np.arange(int(used.sum()), dtype=np.intp)
            kept_keys[name] = (remap[sub + 1], labels[used])
        kept = {name: arr[keep] for name, arr in data.items()}
        return cls(keys=kept_keys, data=kept, length=int(keep.sum()), dropped=report)


# -- conversion helpers -------------------------------------------------------


def _parse_column(
    col: Column,
    raw: npt.NDArray[Any],
    keys: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]],
    data: dict[str, npt.NDArray[Any]],
) -> list[_Check]:
    """Parse one raw column by its kind into ``keys`` or ``data``; return its row checks."""
    if col.kind == "key":
        usable, unusable = _hashable(raw)
        codes, labels = _factorize(usable)
        keys[col.name] = (codes, labels)
        checks = [_Check(col.name, unusable, _unparsable(raw, col))] if unusable.any() else []
        if col.required:
            checks.append(_Check(col.name, (codes < 0) & ~unusable, _say("the value is empty")))
        return checks
    if col.kind == "time":
        values, unparsed = _to_time(raw)
        data[col.name] = values
        checks = [_Check(col.name, unparsed, _unparsable(raw, col))]
        if col.required:
            checks.append(
                _Check(col.name, np.isnat(values) & ~unparsed, _say("the value is empty"))
            )
        return checks
    if col.kind == "flag":
        flags, unparsed = _to_flag(raw)
        data[col.name] = flags
        return [_Check(col.name, unparsed, _unparsable(raw, col))]
    numbers, unparsed = _to_number(raw)
    data[col.name] = numbers
    return [_Check(col.name, unparsed, _unparsable(raw, col)), _range_check(col, numbers)]


def _object_array(values: list[Any]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _say(message: str) -> Callable[[int], str]:
    """Return an explanation that is the same for every row."""

    def explain(row: int) -> str:
        del row
        return message

    return explain


def _mask_at(rows: list[int], n: int) -> npt.NDArray[np.bool_]:
    m = np.zeros(n, dtype=bool)
    m[rows] = True
    return m


def _is_missing(v: object) -> bool:
    return (
        v is None
        or (isinstance(v, str) and not v.strip())
        or (isinstance(v, float) and math.isnan(v))
    )


def _hashable(raw: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Return the column with unusable labels (lists, dicts: unhashable) emptied, and their mask."""
    bad = np.zeros(len(raw), dtype=bool)
    if raw.dtype.kind != "O":
        return raw, bad
    try:
        set(raw.tolist())
    except TypeError:
        for i, v in enumerate(raw.tolist()):
            try:
                hash(v)
            except TypeError:
                bad[i] = True
        raw = raw.copy()
        raw[bad] = None
    return raw, bad


def _mapping(mapping: object, where: str) -> dict[str, str | None]:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()
    ):
        raise DataError(
            f"{where}: mapping {mapping!r} is not allowed; expected a mapping of source name "
            "to column name (or None to skip it)"
        )
    return dict(mapping)


def _check_strict(strict: object, where: str) -> None:
    if not isinstance(strict, bool | np.bool_):
        raise DataError(
            f"{where}: strict={strict!r} is not allowed; expected True (stop at the first bad "
            "row) or False (drop bad rows and report them)"
        )


def _factorize(raw: npt.NDArray[Any]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """Return integer codes (``-1`` for empty) and sorted string labels."""
    if raw.dtype.kind in "iu":
        uniq, inv = np.unique(raw, return_inverse=True)
        return inv.astype(np.intp), np.array([str(u) for u in uniq.tolist()], dtype=object)
    if raw.dtype.kind == "U":
        # Factorise in C, then label the distinct values only, exactly as the object path does.
        uniq, inv = unique_text(raw)
        if bool((np.strings.strip(uniq) == uniq).all()):
            # Nothing to strip: the sorted distinct values are the labels already.
            empty = len(uniq) > 0 and uniq[0] == ""
            codes = inv - 1 if empty else inv
            return codes, np.array(uniq[1:] if empty else uniq, dtype=object)
        text = [v.strip() for v in uniq.tolist()]
        distinct = sorted({t for t in text if t})
        pos = {t: i for i, t in enumerate(distinct)}
        remap = np.array([pos[t] if t else -1 for t in text] or [0], dtype=np.intp)
        codes = remap[inv] if len(raw) else inv.astype(np.intp)
        return codes, np.array(distinct, dtype=object)
    text_column = as_text(raw)
    if text_column is not None:
        return _factorize(text_column)
    index: dict[object, int] = {}
    setdefault = index.setdefault
    first = np.fromiter(
        (setdefault(v, len(index)) for v in raw.tolist()), dtype=np.intp, count=len(raw)
    )
    names = list(index)
    missing = [_is_missing(v) for v in names]
    text = [("" if m else str(v).strip()) for v, m in zip(names, missing, strict=True)]
    distinct = sorted({t for t, m in zip(text, missing, strict=True) if not m})
    pos = {t: i for i, t in enumerate(distinct)}
    remap = np.array(
        [(-1 if m else pos[t]) for t, m in zip(text, missing, strict=True)] or [0], dtype=np.intp
    )
    return remap[first] if len(raw) else first, np.array(distinct, dtype=object)


def _to_time(raw: npt.NDArray[Any]) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.bool_]]:
    if raw.dtype.kind == "M":
        return raw.astype("datetime64[s]"), np.zeros(len(raw), dtype=bool)
    text = as_text(raw)
    if text is not None:
        # Plain ISO shapes in whole-array passes; any other cell one by one, below.
        out, handled = parse_times(text)
        rows = np.flatnonzero(~handled)
        raw = _object_array(text[rows].tolist())
    else:
        out = np.full(len(raw), _NAT)
        rows = np.arange(len(raw))
    bad = np.zeros(len(out), dtype=bool)
    for i, v in zip(rows.tolist(), raw.tolist(), strict=True):
        if _is_missing(v):
            continue
        parsed = _parse_time(v)
        if parsed is None:
            bad[i] = True
        else:
            out[i] = parsed
    return out, bad


def _parse_time(v: object) -> np.datetime64 | None:
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else v.astype("datetime64[s]")
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v.strip())
        except ValueError:
            return None
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            return None
        return np.datetime64(v.replace(microsecond=0), "s")
    if isinstance(v, date):
        return np.datetime64(datetime.combine(v, datetime.min.time()), "s")
    return None


def _to_flag(raw: npt.NDArray[Any]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    if raw.dtype.kind == "b":
        return raw.astype(bool), np.zeros(len(raw), dtype=bool)
    if raw.dtype.kind in "iuf":
        vals = raw.astype(float)
        return vals == 1, ~np.isin(vals, (0.0, 1.0))
    text = as_text(raw)
    if text is not None:
        # Only the distinct words are read, one by one.
        uniq, inv = np.unique(text, return_inverse=True)
        out_u, bad_u = _flags(uniq.tolist())
        return out_u[inv.reshape(-1)], bad_u[inv.reshape(-1)]
    return _flags(raw.tolist())


def _flags(values: list[Any]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    out = np.zeros(len(values), dtype=bool)
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if (
            v is None
            or isinstance(v, bool | np.bool_)
            or (isinstance(v, int | float) and v in (0, 1))
        ):
            out[i] = bool(v)
        elif isinstance(v, str) and v.strip().lower() in _TRUE:
            out[i] = True
        elif not (isinstance(v, str) and v.strip().lower() in _FALSE):
            bad[i] = True
    return out, bad


def _to_number(raw: npt.NDArray[Any]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    if raw.dtype.kind in "iuf":
        return raw.astype(np.float64), np.zeros(len(raw), dtype=bool)
    text = as_text(raw)
    if text is not None:
        # Plain decimals in whole-array passes; any other cell one by one, below.
        out, handled = parse_numbers(text)
        rows = np.flatnonzero(~handled)
        raw = _object_array(text[rows].tolist())
    else:
        out = np.full(len(raw), np.nan)
        rows = np.arange(len(raw))
    bad = np.zeros(len(out), dtype=bool)
    for i, v in zip(rows.tolist(), raw.tolist(), strict=True):
        if _is_missing(v):
            continue
        if isinstance(v, bool):
            bad[i] = True
            continue
        try:
            out[i] = float(v.strip() if isinstance(v, str) else v)
        except (TypeError, ValueError):
            bad[i] = True
    return out, bad


def _unparsable(raw: npt.NDArray[Any], col: Column) -> Callable[[int], str]:
    def explain(i: int) -> str:
        value = raw[i].item() if isinstance(raw[i], np.str_) else raw[i]
        return f"cannot read {value!r} as {col.kind} ({col.doc}); expected {col.allowed()}"

    return explain


def _range_check(col: Column, values: npt.NDArray[np.float64]) -> _Check:
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values)
        if col.minimum is not None:
            bad |= values < col.minimum
        if col.maximum is not None:
            bad |= values > col.maximum
        if col.integer:
            bad |= np.isfinite(values) & (values != np.round(values))

    def explain(i: int) -> str:
        v = values[i]
        what = "not allowed"
        if col.maximum is not None and (v > col.maximum or v < (col.minimum or 0)):
            what = "off the scale"
        if col.minimum == 0 and v < 0:
            what = "negative"
        return f"{_fmt(float(v))} is {what} ({col.doc}); expected {col.allowed()}"

    return _Check(col.name, bad, explain)


def _unique_check(keys: _Keys, name: str) -> _Check | None:
    """Flag every repeat of an identifier after its first row (empty identifiers excepted).

    A repeated ticket counts twice in every rate and moves the KPIs that pay bonuses, so
    strict loads refuse it and lenient loads keep the first row and drop the repeats.
    """
    if name not in keys:
        return None
    codes, labels = keys[name]
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    repeat = np.zeros(len(codes), dtype=bool)
    same = (ordered[1:] == ordered[:-1]) & (ordered[1:] >= 0)
    repeat[order[1:][same]] = True
    first = np.empty(len(labels), dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(codes) else order
    valid = ordered[starts] >= 0 if len(codes) else starts
    first[ordered[starts][valid]] = order[starts][valid]

    def explain(i: int) -> str:
        j = int(first[codes[i]])
        above = i - j
        return (
            f"duplicate {name} {labels[codes[i]]!r}: it is already {above} "
            f"{'row' if above == 1 else 'rows'} above; each {name} may appear once (a "
            "repeat would count the contact twice)"
        )

    return _Check(name, repeat, explain)


def _order_check(data: Mapping[str, npt.NDArray[Any]], earlier: str, later: str) -> _Check | None:
    if earlier not in data or later not in data:
        return None
    a = data[earlier]
    b = data[later]
    bad = ~np.isnat(a) & ~np.isnat(b) & (b < a)

    def explain(i: int) -> str:
        return (
            f"timestamps out of order: {later} {b[i]} is before {earlier} {a[i]}; "
            f"{later} must not be earlier than {earlier}"
        )

    return _Check(later, bad, explain)


# Durations and amounts are bounded so that sums over any table stay finite and exact enough:
# a wait or handle time longer than a (leap) year is not a contact, and a cost of 10**12 is not
# one either.  Without a bound, two 1e308 handle times average to inf.
_YEAR_SECONDS = 366 * 86_400

_KEYS = (
    Column(name="manager", kind="key", doc="the manager responsible"),
    Column(name="team", kind="key", doc="the team"),
    Column(name="agent", kind="key", doc="the agent or team member"),
)


class Tickets(Table):
    """Hold service tickets (contacts), one row each.

    Columns (all optional except ``created``): ``ticket_id``, ``manager``, ``team``,
    ``agent``, ``customer`` (keys); ``created`` (the first inbound message),
    ``first_reply`` (the first human reply; empty if none), ``closed`` (times);
    ``wait_seconds`` (queue wait until answered or abandoned), ``handle_seconds``,
    ``cost`` (numbers, not negative); ``csat`` (a rating 1-5, empty when unrated);
    ``abandoned``, ``resolved`` (flags).

    Rows are rejected when ``first_reply`` or ``closed`` precede ``created``, or
    ``closed`` precedes ``first_reply``.
    """

    SCHEMA: ClassVar[tuple[Column, ...]] = (
        Column(name="ticket_id", kind="key", doc="the ticket identifier"),
        *_KEYS,
        Column(name="customer", kind="key", doc="the customer id, for repeat contacts"),
        Column(name="created", kind="time", doc="time of the first inbound message", required=True),
        Column(name="first_reply", kind="time", doc="time of the first human reply"),
        Column(name="closed", kind="time", doc="time the ticket was closed"),
        Column(
            name="wait_seconds",
            kind="number",
            doc="queue wait in seconds",
            minimum=0,
            maximum=_YEAR_SECONDS,
        ),
        Column(
            name="handle_seconds",
            kind="number",
            doc="handle time in seconds",
            minimum=0,
            maximum=_YEAR_SECONDS,
        ),
        Column(name="cost", kind="number", doc="cost of the contact", minimum=0, maximum=1e12),
        Column(
            name="csat",
            kind="number",
            doc="satisfaction rating",
            minimum=1,
            maximum=5,
            integer=True,
        ),
        Column(name="abandoned", kind="flag", doc="the contact was abandoned before an answer"),
        Column(name="resolved", kind="flag", doc="the ticket was resolved"),
    )
    TIME_COLUMN: ClassVar[str] = "created"

    @classmethod
    def _row_checks(cls, data: Mapping[str, npt.NDArray[Any]], keys: _Keys) -> list[_Check]:
        found = (
            _order_check(data, "created", "first_reply"),
            _order_check(data, "created", "closed"),
            _order_check(data, "first_reply", "closed"),
            _unique_check(keys, "ticket_id"),
        )
        return [c for c in found if c is not None]


class Surveys(Table):
    """Hold survey responses (customer NPS, employee eNPS or pulse surveys), one row each.

    Columns: ``manager``, ``team``, ``agent``, ``respondent`` (keys); ``submitted``
    (time, required); ``recommend`` (the 0-10 "how likely to recommend" answer);
    ``pulse`` (a pulse-survey score on a 1-5 scale, e.g. the mean of its items).
    """

    SCHEMA: ClassVar[tuple[Column, ...]] = (
        *_KEYS,
        Column(name="respondent", kind="key", doc="who answered"),
        Column(name="submitted", kind="time", doc="time the answer was given", required=True),
        Column(
            name="recommend",
            kind="number",
            doc="likelihood to recommend, 0-10",
            minimum=0,
            maximum=10,
            integer=True,
        ),
        Column(name="pulse", kind="number", doc="pulse-survey score, 1-5", minimum=1, maximum=5),
    )
    TIME_COLUMN: ClassVar[str] = "submitted"


class Trainings(Table):
    """Hold training records (hours of training a person attended), one row each.

    Columns: ``manager``, ``team``, ``agent``, ``person`` (keys); ``date`` (time,
    required); ``hours`` (number, not negative).
    """

    SCHEMA: ClassVar[tuple[Column, ...]] = (
        *_KEYS,
        Column(name="person", kind="key", doc="the team member trained"),
        Column(name="date", kind="time", doc="when the training took place", required=True),
        Column(name="hours", kind="number", doc="training hours", minimum=0, maximum=8_784),
    )
    TIME_COLUMN: ClassVar[str] = "date"


class Projects(Table):
    """Hold service innovation projects, one row each.

    Columns: ``manager``, ``team``, ``agent``, ``project`` (keys); ``started``,
    ``delivered`` (times; ``delivered`` empty while not delivered).
    """

    SCHEMA: ClassVar[tuple[Column, ...]] = (
        *_KEYS,
        Column(name="project", kind="key", doc="the project identifier"),
        Column(name="started", kind="time", doc="when the project started"),
        Column(name="delivered", kind="time", doc="when the project was delivered"),
    )
    TIME_COLUMN: ClassVar[str] = "delivered"

    @classmethod
    def _row_checks(cls, data: Mapping[str, npt.NDArray[Any]], keys: _Keys) -> list[_Check]:
        del keys
        found = _order_check(data, "started", "delivered")
        return [] if found is None else [found]
