"""Tests for perfmgmt.metrics.tickets: building tables and rejecting or dropping bad rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import DataError, PerfmgmtError
from perfmgmt.metrics import Projects, Surveys, Tickets, Trainings

HEADER = "id,mgr,customer,created,first_reply,closed,handle_seconds,csat,abandoned,note\n"
GOOD = [
    "t1,li,c1,2024-01-02 09:00:00,2024-01-02 09:10:00,2024-01-02 10:00:00,300,5,false,x\n",
    "t2,wang,c2,2024-01-02T11:00:00,,,,,yes,y\n",
]
MAPPING = {"id": "ticket_id", "mgr": "manager", "note": None}


def load(*lines: str, strict: bool = True) -> Tickets:
    """Load CSV lines under HEADER with MAPPING."""
    return Tickets.from_csv(io.StringIO(HEADER + "".join(lines)), mapping=MAPPING, strict=strict)


class TestBuilding:
    def test_from_csv_with_mapping(self) -> None:
        """CSV headers are renamed by the mapping; None skips a column; empty means missing."""
        t = load(*GOOD)
        assert len(t) == 2
        assert t.column("manager").tolist() == ["li", "wang"]
        assert "note" not in t.columns
        assert np.isnan(t.column("csat")[1])
        assert np.isnat(t.column("first_reply")[1])
        assert t.column("abandoned").tolist() == [False, True]
        assert t.column("created")[1] == np.datetime64("2024-01-02T11:00:00")

    def test_from_arrays_and_records_agree(self) -> None:
        """The same data built from arrays and from records gives the same columns."""
        created = np.array(["2024-01-01T08:00", "2024-01-01T09:00"], "datetime64[s]")
        a = Tickets.from_arrays(manager=np.array(["b", "a"]), created=created, csat=[4, 5])
        r = Tickets.from_records(
            [
                {"manager": "b", "created": datetime(2024, 1, 1, 8), "csat": 4},
                {"manager": "a", "created": "2024-01-01T09:00", "csat": 5},
            ]
        )
        for name in ("manager", "created", "csat"):
            assert a.column(name).tolist() == r.column(name).tolist()
        codes, labels = a.codes("manager")
        assert labels.tolist() == ["a", "b"]
        assert codes.tolist() == [1, 0]

    def test_integer_keys_become_labels(self) -> None:
        """Integer ids are stored as their decimal text."""
        t = Tickets.from_arrays(customer=[17, 3], created=np.array(["2024-01-01"] * 2, "M8[s]"))
        assert t.column("customer").tolist() == ["17", "3"]

    def test_dates_mean_midnight(self) -> None:
        """A date in a time column is read as midnight."""
        t = Surveys.from_records([{"submitted": date(2024, 3, 1), "recommend": 9}])
        assert t.column("submitted")[0] == np.datetime64("2024-03-01T00:00:00")

    def test_arrays_are_read_only(self) -> None:
        """Columns cannot be modified in place."""
        t = load(*GOOD)
        with pytest.raises(ValueError, match="read-only"):
            t.column("csat")[0] = 1.0


class TestStrictErrors:
    def test_unknown_column(self) -> None:
        """An unknown column is refused, naming it and the allowed columns."""
        with pytest.raises(DataError, match="unknown column 'colour'") as info:
            Tickets.from_arrays(colour=["red"], created=np.array(["2024-01-01"], "M8[s]"))
        assert info.value.column == "colour"

    def test_unknown_csv_header(self) -> None:
        """A CSV header neither mapped nor a column is refused."""
        with pytest.raises(DataError, match="'note'"):
            Tickets.from_csv(
                io.StringIO(HEADER + GOOD[0]), mapping={"id": "ticket_id", "mgr": "manager"}
            )

    def test_rating_off_the_scale(self) -> None:
        """A 7 on the 1-5 CSAT scale names its row (header = row 1) and column."""
        bad = GOOD[1].replace(",,yes", ",7,yes")
        with pytest.raises(DataError, match=r"row 3, column 'csat'.*off the scale") as info:
            load(GOOD[0], bad)
        assert (info.value.row, info.value.column) == (3, "csat")

    def test_fractional_rating(self) -> None:
        """A 4.5 rating is refused: ratings are whole numbers."""
        with pytest.raises(DataError, match="whole number") as info:
            Tickets.from_arrays(created=np.array(["2024-01-01"], "M8[s]"), csat=[4.5])
        assert info.value.column == "csat"

    def test_negative_duration(self) -> None:
        """A negative handle time names its row and column."""
        with pytest.raises(DataError, match="negative") as info:
            load(GOOD[0].replace(",300,", ",-3,"))
        assert (info.value.row, info.value.column) == (2, "handle_seconds")

    def test_timestamps_out_of_order(self) -> None:
        """A first reply before creation is refused on the first_reply column."""
        line = GOOD[0].replace("2024-01-02 09:10:00", "2024-01-02 08:10:00")
        with pytest.raises(DataError, match="out of order") as info:
            load(line)
        assert (info.value.row, info.value.column) == (2, "first_reply")

    def test_closed_before_reply(self) -> None:
        """A close before the first reply is refused on the closed column."""
        line = GOOD[0].replace("2024-01-02 10:00:00", "2024-01-02 09:05:00")
        with pytest.raises(DataError, match="out of order") as info:
            load(line)
        assert info.value.column == "closed"

    def test_unparseable_values(self) -> None:
        """Text that is not a timestamp, number or flag is refused with the value quoted."""
        cases = [
            (GOOD[0].replace("2024-01-02 09:00:00", "yesterday"), "created", "'yesterday'"),
            (GOOD[0].replace(",300,", ",abc,"), "handle_seconds", "'abc'"),
            (GOOD[0].replace(",false,", ",maybe,"), "abandoned", "'maybe'"),
        ]
        for line, column, quoted in cases:
            with pytest.raises(DataError, match=quoted) as info:
                load(line)
            assert (info.value.row, info.value.column) == (2, column)

    def test_time_zone_aware_refused(self) -> None:
        """Aware datetimes are refused: timestamps are naive local times."""
        with pytest.raises(DataError, match="created"):
            Tickets.from_records([{"created": datetime(2024, 1, 1, tzinfo=UTC)}])

    def test_required_column_and_value(self) -> None:
        """The created column is required, and a value in every row."""
        with pytest.raises(DataError, match="required column 'created'"):
            Tickets.from_arrays(manager=["a"])
        with pytest.raises(DataError, match="empty") as info:
            Tickets.from_records([{"created": "2024-01-01"}, {"created": None}])
        assert info.value.row == 1

    def test_length_mismatch(self) -> None:
        """Columns of different lengths are refused."""
        with pytest.raises(DataError, match="same length"):
            Tickets.from_arrays(manager=["a", "b"], created=np.array(["2024-01-01"], "M8[s]"))

    def test_wrong_field_count(self) -> None:
        """A CSV line with too few fields is refused naming the row."""
        with pytest.raises(DataError, match="3 fields") as info:
            load(GOOD[0], "t9,li,c1\n")
        assert info.value.row == 3
        assert info.value.column is None

    def test_first_bad_row_wins(self) -> None:
        """Strict mode reports the earliest bad row whatever its column."""
        late = GOOD[1].replace(",,yes", ",9,yes")
        early = GOOD[0].replace(",300,", ",-1,")
        with pytest.raises(DataError) as info:
            load(early, late)
        assert info.value.row == 2

    def test_is_a_perfmgmt_error(self) -> None:
        """DataError can be caught as PerfmgmtError and ValueError."""
        with pytest.raises(PerfmgmtError):
            Tickets.from_arrays(created=np.array(["2024-01-01"], "M8[s]"), cost=[-1.0])


class TestLenientLoading:
    def test_bad_rows_are_dropped_and_reported(self) -> None:
        """strict=False drops each bad row once and reports its row, column and reason."""
        lines = [
            GOOD[0],
            GOOD[1].replace(",,yes", ",0,yes"),  # row 3: csat 0 off the scale
            GOOD[0].replace(",300,", ",-5,").replace("2024-01-02 09:10:00", "2024-01-01 09:00:00"),
            "t4,zhao,c4\n",  # row 5: short line
            GOOD[1].replace("t2,", "t5,"),
        ]
        t = load(*lines, strict=False)
        assert len(t) == 2
        report = t.dropped
        assert [(d.row, d.column) for d in report.rows] == [
            (3, "csat"),
            (4, "handle_seconds"),
            (5, None),
        ]
        assert report.total == 5
        assert "dropped 3 of 5 rows" in report.summary()
        assert report.by_column() == {"csat": 1, "handle_seconds": 1, None: 1}

    def test_labels_of_dropped_rows_disappear(self) -> None:
        """A manager whose only row was dropped is not a group any more."""
        t = load(GOOD[0], GOOD[1].replace(",,yes", ",6,yes"), strict=False)
        assert t.codes("manager")[1].tolist() == ["li"]
        assert t.column("manager").tolist() == ["li"]

    def test_clean_load_reports_nothing(self) -> None:
        """A lenient load of clean data drops nothing and says so."""
        t = load(*GOOD, strict=False)
        assert not t.dropped
        assert t.dropped.summary() == "dropped 0 of 2 rows"

    @given(
        st.lists(
            st.tuples(st.integers(-2, 7), st.sampled_from(["2024-01-01", "bad", ""])),
            max_size=30,
        )
    )
    @settings(max_examples=50, deadline=None)
    def test_kept_plus_dropped_is_total(self, rows: list[tuple[int, str]]) -> None:
        """Every input row is either kept or reported, never both, never neither."""
        recs = [{"csat": c, "created": d} for c, d in rows]
        t = Tickets.from_records(recs, strict=False)
        assert len(t) + len(t.dropped) == len(rows)
        bad = {i for i, (c, d) in enumerate(rows) if not 1 <= c <= 5 or d != "2024-01-01"}
        assert {d.row for d in t.dropped.rows} == bad


class TestOtherTables:
    def test_survey_scale(self) -> None:
        """Recommend answers must be 0-10 and pulse scores 1-5."""
        with pytest.raises(DataError, match="recommend"):
            Surveys.from_records([{"submitted": "2024-01-01", "recommend": 11}])
        with pytest.raises(DataError, match="pulse"):
            Surveys.from_records([{"submitted": "2024-01-01", "pulse": 0.5}])

    def test_training_hours_not_negative(self) -> None:
        """Negative training hours are refused."""
        with pytest.raises(DataError, match="hours"):
            Trainings.from_records([{"date": "2024-01-01", "hours": -1}])

    def test_project_delivered_after_start(self) -> None:
        """A project delivered before it started is refused."""
        with pytest.raises(DataError, match="out of order"):
            Projects.from_records([{"started": "2024-02-01", "delivered": "2024-01-01"}])

    def test_schema_lists_columns(self) -> None:
        """Each table documents its columns; repr names them."""
        assert "csat" in Tickets.schema()
        assert Tickets.schema()["csat"].allowed().startswith("a whole number from 1 to 5")
        assert "Tickets(2 rows" in repr(load(*GOOD))


def _csv_bytes(rows: list[list[str]], sep: str = ",") -> str:
    return "".join(sep.join(r) + "\n" for r in rows)


TICKET_ROWS = [
    ["ticket_id", "manager", "customer", "created", "resolved", "csat"],
    ["t1", "李娜", "c1", "2024-01-02T09:00:00", "yes", "5"],
    ["t2", "王伟", "c2", "2024-01-02T10:00:00", "yes", "4"],
    ["t3", "李娜", "c3", "2024-01-03T10:00:00", "no", ""],
]


class TestRealWorldCSV:
    def test_utf8_bom_is_skipped(self, tmp_path: Path) -> None:
        """Excel's 'CSV UTF-8' byte-order mark does not become part of the first header."""
        path = tmp_path / "bom.csv"
        path.write_bytes(b"\xef\xbb\xbf" + _csv_bytes(TICKET_ROWS).encode("utf-8"))
        t = Tickets.from_csv(path)
        assert t.columns[0] == "ticket_id"
        assert t.column("ticket_id").tolist() == ["t1", "t2", "t3"]

    def test_gbk_file_needs_its_encoding(self, tmp_path: Path) -> None:
        """A GBK export is a clean DataError suggesting gb18030, and reads with that encoding."""
        path = tmp_path / "gbk.csv"
        path.write_bytes(_csv_bytes(TICKET_ROWS).encode("gbk"))
        with pytest.raises(DataError, match=r"line 2: byte 0x.. cannot be decoded.*gb18030"):
            Tickets.from_csv(path)
        t = Tickets.from_csv(path, encoding="gb18030")
        assert sorted(set(t.column("manager").tolist())) == sorted({"李娜", "王伟"})

    def test_utf16_with_bom_is_recognised(self, tmp_path: Path) -> None:
        """A UTF-16 file with its byte-order mark (Excel 'Unicode text', tabs) reads as is."""
        path = tmp_path / "u16.csv"
        path.write_bytes(_csv_bytes(TICKET_ROWS, "\t").encode("utf-16"))
        t = Tickets.from_csv(path)
        assert t.column("manager").tolist() == ["李娜", "王伟", "李娜"]

    def test_unknown_encoding(self, tmp_path: Path) -> None:
        """An encoding Python does not know is a DataError naming it."""
        path = tmp_path / "x.csv"
        path.write_text(_csv_bytes(TICKET_ROWS), encoding="utf-8")
        with pytest.raises(DataError, match="encoding 'klingon'"):
            Tickets.from_csv(path, encoding="klingon")

    @pytest.mark.parametrize("sep", [";", "\t", "|", ","])
    def test_delimiter_is_sniffed(self, sep: str) -> None:
        """Semicolon, tab and pipe files read like comma files without saying so."""
        t = Tickets.from_csv(io.StringIO(_csv_bytes(TICKET_ROWS, sep)))
        assert t.column("csat")[:2].tolist() == [5.0, 4.0]
        assert t.column("resolved").tolist() == [True, True, False]

    def test_bad_delimiter(self) -> None:
        """A delimiter that is not one separating character is refused."""
        with pytest.raises(DataError, match="delimiter"):
            Tickets.from_csv(io.StringIO(_csv_bytes(TICKET_ROWS)), delimiter=";;")

    def test_duplicated_header(self) -> None:
        """A column given twice in the header is refused, on row 1."""
        rows = [["created", "csat", "csat"], ["2024-01-01T00:00:00", "5", "4"]]
        with pytest.raises(DataError, match="'csat' appears twice") as info:
            Tickets.from_csv(io.StringIO(_csv_bytes(rows)))
        assert info.value.row == 1

    def test_empty_file(self) -> None:
        """An empty file is a DataError asking for a header."""
        with pytest.raises(DataError, match="empty"):
            Tickets.from_csv(io.StringIO(""))


class TestDuplicateTickets:
    ROWS: ClassVar[list[list[str]]] = [
        *TICKET_ROWS,
        ["t2", "王伟", "c2", "2024-01-02T10:00:00", "no", "1"],  # row 5 repeats row 3
    ]

    def test_strict_refuses_a_repeated_ticket(self) -> None:
        """A repeated ticket_id in strict mode names the row of the repeat and the column."""
        with pytest.raises(DataError, match="duplicate ticket_id 't2'") as info:
            Tickets.from_csv(io.StringIO(_csv_bytes(self.ROWS)))
        assert (info.value.row, info.value.column) == (5, "ticket_id")

    def test_lenient_keeps_the_first_and_reports_the_repeat(self) -> None:
        """Reporting mode keeps the first row of a ticket, drops the repeat and says so."""
        t = Tickets.from_csv(io.StringIO(_csv_bytes(self.ROWS)), strict=False)
        assert t.column("ticket_id").tolist() == ["t1", "t2", "t3"]
        assert t.column("csat")[1] == 4.0
        assert [(d.row, d.column) for d in t.dropped.rows] == [(5, "ticket_id")]
        assert t.dropped.summary() == "dropped 1 of 4 rows (ticket_id: 1)"

    def test_empty_ids_are_not_duplicates(self) -> None:
        """Tickets without an id are not compared with each other."""
        t = Tickets.from_records(
            [
                {"ticket_id": "", "created": "2024-01-01"},
                {"ticket_id": None, "created": "2024-01-01"},
            ]
        )
        assert len(t) == 2


def _random_csv(seed: int, n: int, *, padded: bool) -> str:
    """Tickets with every kind of cell: times with T or space, decimals, empties, odd text."""
    rng = np.random.default_rng(seed)
    lines = ["ticket_id,manager,created,first_reply,handle_seconds,cost,csat,abandoned"]
    for i in range(n):
        day = int(rng.integers(1, 28))
        sep = "T" if rng.random() < 0.7 else " "
        created = f"2024-02-{day:02d}{sep}{int(rng.integers(0, 24)):02d}:15:{i % 60:02d}"
        reply = "" if rng.random() < 0.2 else f"2024-03-{day:02d}T08:00:00"
        handle = rng.choice(["", f"{rng.random() * 1000:.6f}", f"{rng.integers(0, 900)}", "1e2"])
        cost = rng.choice(["", f"{rng.random():.17g}", ".5", "7."])
        csat = rng.choice(["", "1", "5", "3"])
        flag = rng.choice(["", "yes", "no", "TRUE", "0"])
        odd = padded and i % 50 == 0
        manager = rng.choice([" m1", "m2\u3000", "\x1cm3"] if odd else ["m1", "m2", "李娜", ""])
        lines.append(f"t{i},{manager},{created},{reply},{handle},{cost},{csat},{flag}")
    return "\n".join(lines) + "\n"


class TestFastPathAgrees:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    @pytest.mark.parametrize("padded", [False, True])
    def test_pyarrow_and_csv_module_give_the_same_table(
        self, seed: int, padded: bool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The pyarrow reader's values equal the standard library reader's, bit for bit."""
        pytest.importorskip("pyarrow")
        from perfmgmt.metrics import reading as _csv

        text = _random_csv(seed, 400, padded=padded)
        kinds = {"manager": "key", "created": "time", "cost": "number"}
        raw = _csv.read_raw(
            io.StringIO(text), encoding="utf-8", delimiter=None, kinds=kinds, name="T"
        )
        assert bool(raw.coded) is not padded  # the fast reader factorised clean keys itself
        assert raw.columns[raw.header.index("cost")].dtype == np.float64
        fast = Tickets.from_csv(io.StringIO(text))
        monkeypatch.setattr(_csv, "_read_fast", lambda *a, **k: None)
        exact = Tickets.from_csv(io.StringIO(text))
        assert fast.columns == exact.columns
        for name in exact.columns:
            a, b = fast.column(name), exact.column(name)
            if a.dtype.kind == "f":
                assert np.array_equal(a, b, equal_nan=True), name
                assert np.array_equal(np.signbit(a), np.signbit(b)), name
            else:
                assert a.tolist() == b.tolist(), name

    def test_cells_pyarrow_is_lenient_about_fall_back(self) -> None:
        """Feb 30, second 60, year 0 and padded numbers are judged as the exact reader does."""
        for cell in ("2026-02-30T00:00:00", "2024-01-02T23:59:60", "0000-01-01T00:00:00"):
            with pytest.raises(DataError, match="created") as info:
                Tickets.from_csv(io.StringIO(f"created\n2024-01-01T00:00:00\n{cell}\n"))
            assert info.value.row == 3
        t = Tickets.from_csv(io.StringIO("created,cost\n2024-01-01T00:00:00, 1_0 \n"))
        assert t.column("cost").tolist() == [10.0]


class TestHostileArrays:
    def test_two_dimensional_column(self) -> None:
        """A 2-D array for a column is refused naming the column and its shape."""
        with pytest.raises(DataError, match=r"'csat' has shape \(2, 2\); expected a 1-D"):
            Tickets.from_arrays(
                created=np.array(["2024-01-01"] * 2, "M8[s]"), csat=[[1, 2], [3, 4]]
            )

    def test_ragged_column(self) -> None:
        """Ragged nested values are refused naming the column."""
        with pytest.raises(DataError, match="'manager'"):
            Tickets.from_arrays(created=["2024-01-01", "2024-01-02"], manager=[["a"], ["b", "c"]])

    def test_unhashable_key(self) -> None:
        """A list as a manager label is a bad row, named, or dropped when lenient."""
        recs = [
            {"created": "2024-01-01", "manager": ["li"]},
            {"created": "2024-01-01", "manager": "wang"},
        ]
        with pytest.raises(DataError, match=r"row 0, column 'manager'.*\['li'\]"):
            Tickets.from_records(recs)
        t = Tickets.from_records(recs, strict=False)
        assert t.column("manager").tolist() == ["wang"]

    def test_strict_must_be_a_bool(self) -> None:
        """strict='no' is refused instead of being read as true."""
        with pytest.raises(DataError, match="strict='no'"):
            Tickets.from_records([], strict="no")  # type: ignore[arg-type]

    def test_record_that_is_not_a_mapping(self) -> None:
        """A list where a record should be is refused naming the record."""
        with pytest.raises(DataError, match="record 1 is a list"):
            Tickets.from_records([{"created": "2024-01-01"}, ["x"]])  # type: ignore[list-item]

    def test_huge_handle_time(self) -> None:
        """1e308 seconds of handling is off the scale, so AHT can never be inf."""
        with pytest.raises(DataError, match=r"handle_seconds.*off the scale.*31622400"):
            Tickets.from_arrays(created=["2024-01-01"] * 2, handle_seconds=[1e308, 1e308])


def test_fast_reader_strips_what_str_strip_strips() -> None:
    """The fast reader's white space is exactly the characters str.strip() removes."""
    from perfmgmt.metrics.reading import _SPACES

    assert sorted(_SPACES) == [chr(c) for c in range(0x110000) if chr(c).isspace()]


def test_quoted_line_breaks_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quoted value holding a line break reads the same by both readers."""
    pytest.importorskip("pyarrow")
    from perfmgmt.metrics import reading

    text = (
        'ticket_id,manager,created\nt1,"li\nna",2024-01-02T09:00:00\nt2,wang,2024-01-02T09:00:00\n'
    )
    fast = Tickets.from_csv(io.StringIO(text))
    monkeypatch.setattr(reading, "_read_fast", lambda *a, **k: None)
    exact = Tickets.from_csv(io.StringIO(text))
    assert fast.column("manager").tolist() == exact.column("manager").tolist() == ["li\nna", "wang"]


@pytest.mark.parametrize("mapping", [["a"], {"a": 3}, {1: "manager"}])
def test_mapping_must_name_columns(mapping: object) -> None:
    """A mapping that is not text to text (or None) is a DataError, not a TypeError."""
    with pytest.raises(DataError, match="mapping"):
        Tickets.from_records([{"created": "2024-01-01"}], mapping=mapping)  # type: ignore[arg-type]


class TestWorkers:
    @staticmethod
    def columns() -> dict[str, object]:
        """Columns with a few bad rows of different kinds."""
        rng = np.random.default_rng(5)
        n = 6_000
        csat = rng.integers(1, 6, n).astype(float)
        csat[[10, 4_000]] = 7.0
        created = np.datetime64("2024-01-01T00:00:00", "s") + rng.integers(0, 10**6, n).astype(
            "timedelta64[s]"
        )
        reply = created + rng.integers(-5, 600, n).astype("timedelta64[s]")
        ids = np.array([f"t{i}" for i in range(n)])
        ids[3_000] = ids[2_999]
        return {
            "ticket_id": ids,
            "manager": np.array(["li", "wang", " zhao", ""])[rng.integers(0, 4, n)],
            "customer": np.array([f"c{i}" for i in range(900)])[rng.integers(0, 900, n)],
            "created": created,
            "first_reply": reply,
            "csat": csat,
            "abandoned": rng.random(n) < 0.1,
        }

    @pytest.mark.parametrize("workers", [2, 5])
    def test_same_table_and_drops(self, workers: int) -> None:
        """With several workers the lenient table and its drop report are the same."""
        one = Tickets.from_arrays(strict=False, **self.columns())  # type: ignore[arg-type]
        cols = self.columns()
        many = Tickets.from_arrays(strict=False, workers=workers, **cols)  # type: ignore[arg-type]
        assert one.dropped == many.dropped
        assert len(one.dropped) > 3
        assert one.columns == many.columns
        for name in one.columns:
            a, b = one.column(name), many.column(name)
            assert a.dtype == b.dtype
            assert a.tobytes() == b.tobytes() if a.dtype != object else a.tolist() == b.tolist()

    def test_same_first_error(self) -> None:
        """With several workers a strict load stops at the same row with the same message."""
        with pytest.raises(DataError) as one:
            Tickets.from_arrays(**self.columns())  # type: ignore[arg-type]
        with pytest.raises(DataError) as many:
            Tickets.from_arrays(workers=3, **self.columns())  # type: ignore[arg-type]
        assert str(one.value) == str(many.value)

    @pytest.mark.parametrize("workers", [0, 2.0, False, None])
    def test_bad_workers_refused(self, workers: object) -> None:
        """Workers that are not a whole number >= 1 are refused, naming the field and value."""
        with pytest.raises(DataError, match=r"Tickets\.from_arrays\.workers: .* not allowed"):
            Tickets.from_arrays(workers=workers, created=["2024-01-01"])  # type: ignore[arg-type]
