"""Text columns parsed in whole-array passes agree cell for cell with the per-cell parse."""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import DataError
from perfmgmt.metrics import Tickets
from perfmgmt.metrics._text import as_text, parse_numbers, parse_times
from perfmgmt.metrics.reading import _read_exact

# Cells that look like numbers, nearly numbers, or not numbers at all.
_NUMBER_CHARS = "0123456789" * 3 + ".+-eE _\u0663\uff11 \t"
number_cells = st.one_of(
    st.text(alphabet=_NUMBER_CHARS, max_size=20),
    st.integers(0, 18).flatmap(
        lambda k: st.decimals(allow_nan=False, allow_infinity=False, places=k).map(str)
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**17), 10**17).map(str),
)


def _reference_number(cell: str) -> float | None:
    """float() of the stripped cell; NaN for an empty cell; None when float() refuses it."""
    if not cell.strip():
        return math.nan
    try:
        return float(cell.strip())
    except ValueError:
        return None


def _same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


@settings(max_examples=400)
@given(st.lists(number_cells, max_size=30))
def test_numbers_handled_in_bulk_equal_float(cells: list[str]) -> None:
    """Every cell the bulk pass handles holds exactly float(cell), sign of zero included."""
    text = as_text(np.array(cells, dtype=object))
    if text is None:  # a NUL character: never taken in bulk
        assert any("\x00" in c for c in cells)
        return
    values, handled = parse_numbers(text)
    for cell, value, done in zip(cells, values.tolist(), handled.tolist(), strict=True):
        if done:
            want = _reference_number(cell)
            assert want is not None, cell
            assert _same_float(value, want), (cell, value, want)


def test_plain_decimals_are_all_handled_in_bulk() -> None:
    """The shapes CRM exports write (signs, points, 15 digits) never fall back to Python."""
    cells = ["0", "-0", "+1.5", "007", "5.", ".25", "-.5", "123456789012345", "0.1", "", "2.675"]
    values, handled = parse_numbers(as_text(np.array(cells, dtype=object)))  # type: ignore[arg-type]
    assert handled.all()
    for cell, value in zip(cells, values.tolist(), strict=True):
        assert _same_float(value, _reference_number(cell))  # type: ignore[arg-type]


# Cells that look like ISO times, with impossible fields and other shapes mixed in.
time_cells = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0).isoformat(sep=" " if d.second % 2 else "T")
    ),
    st.dates().map(lambda d: d.isoformat()),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
    ),
    st.text(alphabet="0123456789-:T .Z+", max_size=25),
)


def _reference_time(cell: str) -> np.datetime64 | None:
    """The per-cell parse: fromisoformat of the stripped cell, naive only, to the second."""
    if not cell.strip():
        return np.datetime64("NaT", "s")
    try:
        value = datetime.fromisoformat(cell.strip())
    except ValueError:
        return None
    if value.tzinfo is not None:
        return None
    return np.datetime64(value.replace(microsecond=0), "s")


@settings(max_examples=400)
@given(st.lists(time_cells, max_size=30))
def test_times_handled_in_bulk_equal_fromisoformat(cells: list[str]) -> None:
    """Every cell the bulk pass handles holds exactly what fromisoformat reads."""
    text = as_text(np.array(cells, dtype=object))
    assert text is not None
    values, handled = parse_times(text)
    for cell, value, done in zip(cells, values, handled.tolist(), strict=True):
        if done:
            want = _reference_time(cell)
            assert want is not None, cell
            assert (np.isnat(value) and np.isnat(want)) or value == want, (cell, value, want)


def test_impossible_dates_are_left_to_the_per_cell_parse() -> None:
    """29 February of a common year, hour 24 and second 60 are not taken in bulk."""
    cells = ["2023-02-29", "2024-02-29", "1900-02-29T00:00:00", "2000-02-29 23:59:59",
             "2024-01-01T24:00:00", "2024-01-01T00:00:60", "0000-01-01"]  # fmt: skip
    _, handled = parse_times(as_text(np.array(cells, dtype=object)))  # type: ignore[arg-type]
    assert handled.tolist() == [False, True, False, True, False, False, False]


def test_text_with_a_nul_is_not_taken_in_bulk() -> None:
    """A NUL would be lost by fixed-width text, so such a column stays Python strings."""
    assert as_text(np.array(["a\x00", "b"], dtype=object)) is None
    assert as_text(np.array(["a", 1], dtype=object)) is None


# Whole files: the plain split must give exactly what the csv module gives.
_CELL_CHARS = 'ab1 ,;\n\r"\x00é'
csv_files = st.lists(
    st.lists(st.text(alphabet=_CELL_CHARS, max_size=4), min_size=1, max_size=4),
    min_size=1,
    max_size=8,
).map(lambda rows: "\n".join(",".join(r) for r in [["h1", "h2", "h3"], *rows]))


@settings(max_examples=400)
@given(csv_files, st.booleans())
def test_plain_split_reads_what_csv_reads(text: str, newline_at_end: bool) -> None:
    """Cells and malformed lines are those of the csv module, whichever reader runs."""
    if newline_at_end:
        text += "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=False))
    header, body = rows[0], rows[1:]
    raw = _read_exact(text, ",")
    assert raw.header == header
    assert raw.n == len(body)
    want_bad = [(i, len(r)) for i, r in enumerate(body) if len(r) != len(header)]
    assert raw.malformed == want_bad
    for i, row in enumerate(body):
        if len(row) == len(header):
            assert [str(col[i]) for col in raw.columns] == row


def test_a_bad_cell_names_its_row_and_value_on_the_plain_path() -> None:
    """A file taken by the plain split still reports a bad cell by row, column and value."""
    text = "ticket_id,manager,created,wait_seconds\nt1,m1,2024-01-01T00:00:00,1.5\n"
    text += "t2,m1,2024-01-01T00:00:00,1,5\n".replace(",5", "x5")
    with pytest.raises(DataError, match=r"row 3, column 'wait_seconds'.*'1x5'"):
        Tickets.from_csv(io.StringIO(text))
