"""What the command reads: inputs by name (``-`` is stdin), schemes and CSVs of actuals."""

from __future__ import annotations

import csv
import io
import math
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt._words import word
from perfmgmt.cli._output import UsageError
from perfmgmt.errors import DataError, PerfmgmtError
from perfmgmt.model import Scheme

_MAX_COUNT = 2**53  # sample sizes and rater counts: whole numbers a float holds exactly


class Inputs:
    """Opens input files by name; ``-`` is standard input, which can be read only once."""

    def __init__(self, stdin: TextIO, encoding: str) -> None:
        self._stdin = stdin
        self._encoding = encoding
        self._used = False

    def text(self, name: str, *, encoding: str | None = None) -> str:
        from perfmgmt.metrics import read_text  # noqa: PLC0415 -- keeps --help fast

        if name == "-":
            if self._used:
                raise UsageError("only one input can be '-' (standard input)")
            self._used = True
            try:
                return self._stdin.read().removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"standard input does not decode ({exc.reason}); give the file's "
                    "--encoding, e.g. gb18030 or utf-16"
                ) from None
        try:
            return read_text(name, encoding=encoding or self._encoding)
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None

    def scheme(self, name: str) -> Scheme:
        from perfmgmt.serialization import loads  # noqa: PLC0415 -- keeps --help fast

        text = self.text(name, encoding="utf-8")  # JSON is UTF-8 (RFC 8259); --encoding is for CSV
        try:
            return loads(text, Scheme)
        except PerfmgmtError as exc:
            raise type(exc)(f"{name}: {exc}") from None


def _load_scheme(path: str) -> Scheme:
    """Read a scheme saved as JSON (the loader ``lint`` uses)."""
    return Inputs(sys.stdin, "utf-8").scheme(path)


def _number(text: str, row: int, column: str, lang: str = "en") -> float:
    text = text.strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataError(
            word("bad_row.not_number", lang).format(row=row, column=column, text=text),
            row=row,
            column=column,
        ) from None
    if math.isinf(value) or math.isnan(value):
        raise DataError(
            word("bad_row.not_finite", lang).format(row=row, column=column, text=text),
            row=row,
            column=column,
        )
    return value


def _count(text: str, row: int, column: str, lang: str = "en") -> int | None:
    value = _number(text, row, column, lang)
    if math.isnan(value):
        return None
    if value != math.floor(value) or not 0 <= value <= _MAX_COUNT:
        raise DataError(
            word("bad_row.not_count", lang).format(
                row=row, column=column, text=text.strip(), max=_MAX_COUNT
            ),
            row=row,
            column=column,
        )
    return int(value)


def read_actuals(
    scheme: Scheme, source: str | Path | TextIO, *, encoding: str = "utf-8", lang: str = "en"
) -> Any:
    """Read a CSV of actuals into a :class:`~perfmgmt.scoring.Population` for ``scheme``.

    Columns: ``subject_id`` (required, non-empty, unique); one column per KPI key with the
    actual (empty = missing); optionally ``<kpi>:n`` with the sample size, ``<criterion>:<source>``
    with the mean qualitative rating of that source (e.g. ``attitude:manager``) and
    ``<criterion>:<source>:raters`` with the number of raters behind it.  A byte-order mark is
    skipped.  Rows count as in a spreadsheet: the header is row 1.

    Args:
        scheme: The scheme the population will be scored under.
        source: A path or an open text file.
        encoding: The encoding of a file given by path (e.g. ``"gb18030"``).
        lang: Language of the bad-row messages, ``"en"`` or ``"zh"``.

    Returns:
        The population, one row per CSV line.

    Raises:
        DataError: On a missing ``subject_id`` column, an unknown or repeated column, an empty
            or repeated subject id, a value that is not a finite number, or a sample size or
            rater count that is not a whole number, naming the row and column.
    """
    from perfmgmt.metrics import read_text  # noqa: PLC0415 -- keeps --help fast
    from perfmgmt.scoring import Population  # noqa: PLC0415

    if isinstance(source, str | Path):
        text = read_text(source, encoding=encoding)
        return read_actuals(scheme, io.StringIO(text), lang=lang)
    reader = csv.reader(_skip_bom(source))
    header = [h.strip() for h in next(reader, [])]
    if "subject_id" not in header:
        raise DataError(
            f"the CSV has no 'subject_id' column; its header is {header}; expected subject_id "
            f"and one column per KPI: {list(scheme.kpi_keys)}",
            column="subject_id",
            row=1,
        )
    seen = {h for h in header if header.count(h) > 1}
    if seen:
        first = sorted(seen)[0]
        raise DataError(
            word("bad_row.repeated_column", lang).format(column=first),
            column=first,
            row=1,
        )
    places = _column_places(scheme, header)
    rows = list(reader)
    ids, actual, size, ratings, raters = _read_rows(scheme, header, places, rows, lang)
    kinds = {kind for kind, _ in places.values()}
    if "rating" in kinds and "raters" not in kinds:
        raters = np.where(np.isnan(ratings), 0, 1_000).astype(np.int64)
    q = len(scheme.criteria)
    return Population.from_arrays(
        scheme,
        subject_ids=ids,
        actual=actual,
        sample_size=size,
        ratings=ratings if q else None,
        raters=raters if q else None,
    )


def _skip_bom(source: TextIO) -> Iterator[str]:
    first = True
    for line in source:
        yield line.removeprefix("\ufeff") if first else line
        first = False


#: Where a CSV column of actuals goes: its kind and its index (KPI, or criterion and source).
_Place = tuple[str, tuple[int, ...]]


def _column_places(scheme: Scheme, header: list[str]) -> dict[str, _Place]:
    """Return where each column of the header goes; refuse a column the scheme does not have."""
    kpis = {k: j for j, k in enumerate(scheme.kpi_keys)}
    crits = {c.key: j for j, c in enumerate(scheme.criteria)}
    srcs = {s.source.value: j for j, s in enumerate(scheme.sources)}
    places: dict[str, _Place] = {}
    for name in header:
        if name == "subject_id":
            continue
        place = _column_place(name, kpis, crits, srcs)
        if place is None:
            raise DataError(
                f"unknown column {name!r}; allowed: subject_id, the KPI keys "
                f"{list(scheme.kpi_keys)}, '<kpi>:n', '<criterion>:<source>' and "
                "'<criterion>:<source>:raters' with criteria "
                f"{list(crits)} and sources {list(srcs)}",
                column=name,
                row=1,
            )
        places[name] = place
    return places


def _column_place(
    name: str, kpis: Mapping[str, int], crits: Mapping[str, int], srcs: Mapping[str, int]
) -> _Place | None:
    """Return where the column ``name`` goes (None for a column the scheme does not have)."""
    parts = name.split(":")
    if len(parts) == 1 and parts[0] in kpis:
        return "actual", (kpis[parts[0]],)
    if len(parts) == 2 and parts[0] in kpis and parts[1] == "n":
        return "n", (kpis[parts[0]],)
    if len(parts) in (2, 3) and parts[0] in crits and parts[1] in srcs:
        cell = (crits[parts[0]], srcs[parts[1]])
        if len(parts) == 2:
            return "rating", cell
        if parts[2] == "raters":
            return "raters", cell
    return None


def _read_rows(
    scheme: Scheme,
    header: list[str],
    places: Mapping[str, _Place],
    rows: list[list[str]],
    lang: str = "en",
) -> tuple[list[str], FloatArray, IntArray, FloatArray, IntArray]:
    """Return the subject ids, actuals, sample sizes, ratings and raters of the CSV rows."""
    n, k, q, s = len(rows), len(scheme.kpis), len(scheme.criteria), len(scheme.sources)
    actual = np.full((n, k), np.nan)
    size = np.full((n, k), -1, dtype=np.int64)
    ratings = np.full((n, q, s), np.nan)
    raters = np.zeros((n, q, s), dtype=np.int64)
    ids: list[str] = []
    first_row: dict[str, int] = {}
    id_col = header.index("subject_id")
    for i, fields in enumerate(rows):
        row = i + 2  # the header is row 1
        if len(fields) != len(header):
            raise DataError(
                word("bad_row.fields", lang).format(row=row, n=len(fields), header=len(header)),
                row=row,
            )
        sid = fields[id_col].strip()
        if not sid:
            raise DataError(
                word("bad_row.empty_id", lang).format(row=row),
                row=row,
                column="subject_id",
            )
        if not sid.isprintable():
            raise DataError(
                word("bad_row.control_id", lang).format(row=row, sid=sid),
                row=row,
                column="subject_id",
            )
        if sid in first_row:
            raise DataError(
                word("bad_row.repeated_id", lang).format(row=row, sid=sid, first=first_row[sid]),
                row=row,
                column="subject_id",
            )
        first_row[sid] = row
        ids.append(sid)
        for j, name in enumerate(header):
            if name in places:
                _put(
                    place=places[name],
                    text=fields[j],
                    row=row,
                    name=name,
                    i=i,
                    arrays=(actual, size, ratings, raters),
                    lang=lang,
                )
    return ids, actual, size, ratings, raters


def _put(
    *,
    place: _Place,
    text: str,
    row: int,
    name: str,
    i: int,
    arrays: tuple[FloatArray, IntArray, FloatArray, IntArray],
    lang: str = "en",
) -> None:
    actual, size, ratings, raters = arrays
    kind, idx = place
    if kind == "actual":
        actual[i, idx[0]] = _number(text, row, name, lang)
    elif kind == "n":
        count = _count(text, row, name, lang)
        size[i, idx[0]] = -1 if count is None else count
    elif kind == "rating":
        ratings[i, idx[0], idx[1]] = _number(text, row, name, lang)
    else:
        raters[i, idx[0], idx[1]] = _count(text, row, name, lang) or 0
