"""Reading CSV exports into raw columns: decoding, delimiter sniffing, and a pyarrow fast path.

Exports from the real world come with an Excel byte-order mark, in GBK or UTF-16, with
semicolons or tabs.  This module turns bytes or text into one raw column per header name;
the tables in :mod:`perfmgmt.metrics.tickets` validate them.

Two readers give the same columns.  The exact reader is :mod:`csv` from the standard library,
one Python string per cell.  When pyarrow is installed, a fast reader parses the file in C++
and converts whole columns at once, but only where the conversion provably agrees with the
exact one (see :func:`fast_column`); a column it cannot vouch for is handed over as strings, and
a file it cannot parse (a line with the wrong number of fields) goes to the exact reader, which
reports the offending row.
"""

from __future__ import annotations

import codecs
import csv
import importlib
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt.errors import DataError

__all__ = ["read_text"]

_BOM = "\ufeff"
_CANDIDATES = (",", ";", "\t", "|")
_UTF8 = frozenset({"utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig"})


@dataclass(frozen=True, slots=True)
class RawCSV:
    """The cells of a CSV file by header position, before validation.

    Attributes:
        header: The header names, in file order.
        columns: One array per header name: strings (object dtype, or fixed-width text when
            the file needed no CSV quoting), or an already-parsed array from the fast reader.
        n: Number of data rows.
        malformed: ``(data row index, field count)`` of lines with the wrong number of fields.
        coded: Key columns the fast reader factorised already, by header position:
            ``(codes, labels)`` as :meth:`perfmgmt.metrics.Table.codes` returns them.
    """

    header: list[str]
    columns: list[npt.NDArray[Any]]
    n: int
    malformed: list[tuple[int, int]]
    coded: dict[int, tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]] = field(
        default_factory=dict
    )


def decode(data: bytes, encoding: str, name: str) -> str:
    """Decode ``data`` as ``encoding``; a UTF-16 byte-order mark is honoured under UTF-8.

    Raises:
        DataError: On an unknown encoding, or bytes that do not decode, naming the line and
            suggesting the encodings that exports from Chinese systems use.
    """
    try:
        codec = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise DataError(
            f"{name}: encoding {encoding!r} is not allowed; expected a Python codec name such "
            "as 'utf-8', 'gb18030' or 'utf-16'"
        ) from None
    if codec in _UTF8 and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        codec = "utf-16"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise DataError(
            f"{name}: line {line}: byte 0x{byte} cannot be decoded as {encoding}; if the file "
            "was exported in another encoding, pass it, e.g. encoding='gb18030' (GBK, Chinese "
            "Excel and CRM exports) or encoding='utf-16' (Excel 'Unicode text')"
        ) from None
    return text.removeprefix(_BOM)


def read_text(source: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """Read a text file exported by another system: a byte-order mark is dropped.

    UTF-8 with or without Excel's byte-order mark, and UTF-16 with its mark, read without
    saying so; any other encoding is named (``"gb18030"`` for GBK exports).

    Args:
        source: The file's path.
        encoding: The encoding of its bytes.

    Returns:
        The text, without a byte-order mark.

    Raises:
        DataError: On an unknown encoding or bytes that do not decode, naming the line and
            suggesting the encodings that exports from Chinese systems use.
        OSError: When the file cannot be opened.
    """
    with open(source, "rb") as fh:
        return decode(fh.read(), encoding, os.fspath(source))


def check_delimiter(delimiter: object) -> str:
    """Return ``delimiter`` if it is one character that can separate fields.

    Raises:
        DataError: Otherwise, saying what is allowed.
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise DataError(
            f"delimiter {delimiter!r} is not allowed; expected one character other than a "
            "quote or a line break, e.g. ',', ';', '\\t' or '|' (or None to detect it)"
        )
    return delimiter


def sniff_delimiter(header_line: str) -> str:
    """Return the separator of a header line: the most frequent of ``, ; TAB |`` outside quotes.

    A header without any of them is a single column, read with ``,``.
    """
    outside = header_line.split('"')[::2]
    counts = {c: sum(part.count(c) for part in outside) for c in _CANDIDATES}
    best = max(_CANDIDATES, key=lambda c: counts[c])  # ties keep the earlier candidate
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    end = text.find("\n")
    return text if end < 0 else text[:end]


def read_raw(
    source: str | os.PathLike[str] | io.TextIOBase | Iterable[str],
    *,
    encoding: str,
    delimiter: str | None,
    kinds: dict[str, str],
    name: str,
) -> RawCSV:
    """Read a CSV source into raw columns, by the fast reader when it can vouch for them.

    Args:
        source: A path, or an open text file / iterable of lines (already decoded).
        encoding: The encoding of a path's bytes.
        delimiter: The separator, or None to detect it from the header line.
        kinds: Column kind (``"key"``, ``"time"``, ``"number"``, ``"flag"``) by header name,
            for the fast reader's conversions; headers not listed stay strings.
        name: The table's name, for messages.

    Raises:
        DataError: On an empty file, an undecodable byte or a bad delimiter.
    """
    if isinstance(source, str | os.PathLike):
        text = read_text(source, encoding=encoding)
    elif isinstance(source, io.TextIOBase | Iterable):
        try:
            text = "".join(source).removeprefix(_BOM)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name} CSV cannot be decoded ({exc.reason} at byte {exc.start}); open the "
                "file with the encoding it was exported in, e.g. encoding='gb18030' or "
                "encoding='utf-16'"
            ) from None
    else:
        raise DataError(
            f"{name}.from_csv: source {type(source).__name__} is not allowed; expected a path, "
            "an open text file or an iterable of lines"
        )
    sep = sniff_delimiter(_first_line(text)) if delimiter is None else check_delimiter(delimiter)
    if not _first_line(text).strip() and not text.strip():
        raise DataError(f"{name} CSV is empty; expected a header line", row=1)
    fast = _read_fast(text, sep, kinds)
    return fast if fast is not None else _read_exact(text, sep)


def _records(text: str, sep: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)


def _read_exact(text: str, sep: str) -> RawCSV:
    header = next(_records(_first_line(text) + "\n", sep), [])
    width = len(header)
    plain = _read_plain(text, sep, width)
    if plain is not None:
        return RawCSV(header=header, columns=plain, n=len(plain[0]), malformed=[])
    reader = _records(text, sep)
    header = next(reader)
    width = len(header)
    rows = list(reader)
    malformed = [(i, len(row)) for i, row in enumerate(rows) if len(row) != width]
    for i, _ in malformed:
        rows[i] = [""] * width  # a placeholder, dropped or reported by the table
    # Transposed in C: one tuple of cells per column.
    columns = [_strings(cells) for cells in zip(*rows, strict=True)] if rows else []
    if not rows:
        columns = [_strings(()) for _ in header]
    return RawCSV(header=header, columns=columns, n=len(rows), malformed=malformed)


def _read_plain(text: str, sep: str, width: int) -> list[npt.NDArray[np.str_]] | None:
    """Split a file without quotes, carriage returns or NULs into columns, all lines at once.

    There the CSV grammar is only "lines of cells between separators", so splitting the text
    gives exactly the cells :mod:`csv` would.  None (read it with :mod:`csv`) when the file has
    any of those characters, a single column, or a line whose cell count differs from the
    header's (the exact reader reports it).
    """
    if width < 2 or any(c in text for c in ('"', "\r", "\x00")):
        return None
    body = text.partition("\n")[2]
    body = body.removesuffix("\n")
    if not body:
        return None
    lines = body.count("\n") + 1
    # Each line break stays at the front of the next line's first cell, so the line breaks
    # are all at the start of every width-th cell exactly when every line has width cells.
    cells = body.replace("\n", sep + "\n").split(sep)
    if len(cells) != lines * width:
        return None
    # Fixed-width text: the tables parse it in whole-array passes (no NUL can be lost here).
    columns = [np.array(cells[j::width], dtype=str) for j in range(width)]
    first = columns[0]
    if not np.strings.startswith(first[1:], "\n").all():
        return None
    columns[0] = np.concatenate([first[:1], np.strings.slice(first[1:], 1, None)])
    return columns


def _strings(values: Sequence[str]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _read_fast(text: str, sep: str, kinds: dict[str, str]) -> RawCSV | None:
    """Read with pyarrow; None when it is not installed or cannot parse the file as it is."""
    arrow = _arrow()
    if arrow is None:
        return None
    pa, pa_csv, _ = arrow
    header = next(_records(_first_line(text) + "\n", sep), [])
    if len(set(header)) != len(header) or not header:
        return None  # duplicated names: the exact reader keeps them apart for the message
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None  # a lone surrogate from a text source: the exact reader keeps it
    # Without a quote character no value can hold a line break, and the reader splits the file
    # into blocks for its threads.
    quoted = b'"' in data
    table = None
    # Numbers parse inside the (threaded) reader; a cell it refuses sends the file back for a
    # read as text, where each column is judged on its own.
    for typed in (True, False):
        types = {
            h: pa.float64() if typed and kinds.get(h) == "number" else pa.string() for h in header
        }
        try:
            table = pa_csv.read_csv(
                io.BytesIO(data),
                read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
                parse_options=pa_csv.ParseOptions(
                    delimiter=sep, newlines_in_values=quoted, ignore_empty_lines=False
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=types,
                    null_values=[""],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            break
        except (pa.ArrowInvalid, pa.ArrowException):
            continue
    if table is None:
        return None
    coded = {}
    columns = []
    for i, h in enumerate(header):
        key = _fast_key(table.column(i)) if kinds.get(h) == "key" else None
        if key is not None:
            coded[i] = key
            columns.append(key[0])
        elif table.schema.field(i).type == pa.float64():
            numbers = table.column(i).to_numpy(zero_copy_only=False)
            columns.append(np.asarray(numbers, dtype=np.float64))
        else:
            columns.append(fast_column(table.column(i), kinds.get(h, "")))
    return RawCSV(header=header, columns=columns, n=table.num_rows, malformed=[], coded=coded)


def _fast_key(column: Any) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]] | None:
    """Factorise a key column in C++: codes into sorted labels, -1 for empty.

    None when a label has surrounding white space (the exact path strips and merges those).
    UTF-8 byte order is code point order, so the labels sort as Python sorts them.
    """
    arrow = _arrow()
    assert arrow is not None
    pa, _, pc = arrow
    coded = pc.dictionary_encode(column).combine_chunks()
    words = coded.dictionary
    ends = (pc.utf8_slice_codeunits(words, 0, 1), pc.utf8_slice_codeunits(words, -1, _END))
    if any(pc.any(pc.is_in(end, value_set=pa.array(_SPACES))).as_py() for end in ends):
        return None
    order = np.asarray(pc.array_sort_indices(words), dtype=np.intp)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order), dtype=np.intp)
    empty = len(order) > 0 and words[int(order[0])].as_py() == ""
    if empty:
        rank -= 1
    indices = np.asarray(coded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    codes = rank[indices] if len(indices) else np.zeros(0, dtype=np.intp)
    ordered = words.take(pa.array(order[int(empty) :], type=pa.int64()))
    labels = np.asarray(ordered.to_numpy(zero_copy_only=False), dtype=object)
    return codes, labels


# Exactly the characters str.strip() removes (those for which str.isspace() is true).
_SPACES = [
    chr(c)
    for c in (*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B))
] + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
_END = 2**31 - 1


def fast_column(column: Any, kind: str) -> npt.NDArray[Any]:
    """Convert a pyarrow string column in C++ where that provably equals the exact parse.

    Times must all be empty or 19 characters, ``YYYY-MM-DD[T ]hh:mm:ss`` (pyarrow's ISO cast
    refuses the same impossible dates as :meth:`datetime.fromisoformat`); numbers must all
    cast (pyarrow accepts a subset of what :func:`float` reads and rounds correctly, as it
    does).  Anything else is returned as strings for the exact parse, which names the bad row.
    """
    arrow = _arrow()
    assert arrow is not None  # only called on pyarrow's columns
    pa, _, pc = arrow
    if kind in ("key", "flag") and not pc.any(pc.match_substring(column, "\x00")).as_py():
        # Fixed-width text sorts and compares in C, and only the distinct values are
        # converted.  (numpy drops trailing NULs, so text holding one stays Python strings.)
        coded = pc.dictionary_encode(column).combine_chunks()
        words = np.asarray(coded.dictionary.to_numpy(zero_copy_only=False)).astype(str)
        return words[np.asarray(coded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)]
    strings = np.asarray(column.to_numpy(zero_copy_only=False))
    if kind not in ("time", "number"):
        return strings
    filled = pc.if_else(pc.equal(column, ""), None, column)
    # pyarrow's ISO cast reads a time zone as UTC; at 19 characters there is room for none.
    widths = pc.min_max(pc.utf8_length(filled)).as_py()
    ok = kind == "number" or widths["min"] is None or widths["min"] == widths["max"] == 19
    if ok:
        try:
            if kind == "time":
                parsed = pc.cast(filled, pa.timestamp("s")).to_numpy(zero_copy_only=False)
                values: npt.NDArray[np.datetime64] = np.asarray(parsed, dtype="datetime64[s]")
                if not (values[~np.isnat(values)] >= _YEAR_ONE).all():
                    raise ValueError("year 0")
                return values
            return np.asarray(
                pc.cast(filled, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
            )
        except (pa.ArrowInvalid, ValueError):
            pass
    return strings


def _arrow() -> tuple[Any, Any, Any] | None:
    """Return pyarrow, pyarrow.csv and pyarrow.compute, or None when pyarrow is not installed."""
    try:
        return (
            importlib.import_module("pyarrow"),
            importlib.import_module("pyarrow.csv"),
            importlib.import_module("pyarrow.compute"),
        )
    except ImportError:
        return None


_YEAR_ONE = np.datetime64("0001-01-01T00:00:00", "s")
