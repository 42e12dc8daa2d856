"""Identifier, code and slug checks: whole strings only, ASCII only, in every constructor."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt._validate import (
    KEY_PATTERN,
    check_date,
    check_integer,
    check_key,
    check_number,
    check_text,
    compile_identifier,
    matches,
    show,
    to_number,
)
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model import Review, Scheme
from perfmgmt.model.cycle import Cycle
from perfmgmt.model.incentive import (
    Bonus,
    BonusBasis,
    BonusPool,
    Deduction,
    DeductionBasis,
    TableInput,
    TrainingOpportunity,
)
from perfmgmt.model.money import Money, check_currency, minor_units
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.serialization import dumps, loads

V1 = Path(__file__).parent / "fixtures" / "v1"

# Characters that pass for ASCII letters or digits to a reader but are not ASCII.
_LOOK_ALIKES = {
    "a": "а",  # Cyrillic a
    "c": "с",  # Cyrillic es
    "e": "е",  # Cyrillic ie
    "o": "о",  # Cyrillic o
    "p": "р",  # Cyrillic er
    "s": "ſ",  # long s, which case-folds to 's'
    "K": "\u212a",  # Kelvin sign
    "A": "Α",  # Greek Alpha
    "C": "С",  # Cyrillic Es
    "N": "Ν",  # Greek Nu
    "Y": "Υ",  # Greek Upsilon
    "1": "١",  # Arabic-Indic one, a \d digit
    "2": "２",  # fullwidth two
    "0": "０",  # fullwidth zero
    "_": "＿",  # fullwidth low line
}
_FRINGES = ("\n", "\r", "\r\n", " ", "\t", "\x00", "\x0b", "\x0c", "\u00a0", "\u2028", "\ufeff")


@st.composite
def near_valid(draw: st.DrawFn, valid: str) -> str:  # noqa: PLR0911 - one return per kind of slip
    """Return a string one slip away from the valid identifier ``valid``."""
    kind = draw(st.sampled_from(["suffix", "prefix", "inside", "look_alike", "empty", "long"]))
    if kind == "empty":
        return ""
    if kind == "long":
        return valid + "x" * draw(st.integers(65, 200))
    fringe = draw(st.sampled_from(_FRINGES))
    if kind == "suffix":
        return valid + fringe
    if kind == "prefix":
        return fringe + valid
    i = draw(st.integers(0, len(valid) - 1))
    if kind == "inside":
        return valid[:i] + fringe + valid[i:]
    swappable = [j for j, ch in enumerate(valid) if ch in _LOOK_ALIKES]
    if not swappable:
        return valid + fringe
    j = draw(st.sampled_from(swappable))
    return valid[:j] + _LOOK_ALIKES[valid[j]] + valid[j + 1 :]


# Field names that hold a key, a code, a slug or a dotted field name wherever they appear.
_ID_FIELDS = frozenset(
    {"key", "kpi", "category", "criterion", "cycle", "scheme", "currency", "field", "parent"}
)


def _identifier_slots(obj: object, path: str = "") -> Iterator[tuple[str, object, str, str]]:
    """Yield ``(path, owner, field, value)`` for every identifier field inside ``obj``."""
    if isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from _identifier_slots(item, f"{path}[{i}]")
        return
    if not attrs.has(type(obj)):
        return
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        if a.name in _ID_FIELDS and isinstance(value, str):
            yield f"{path}.{a.name}", obj, a.name, value
        else:
            yield from _identifier_slots(value, f"{path}.{a.name}")


_SCHEME = customer_service_manager()
_REVIEW = loads((V1 / "review.json").read_text("utf-8"), Review)
_OBJECT_SLOTS = [
    *_identifier_slots(_SCHEME, "scheme"),
    *_identifier_slots(_REVIEW, "review"),
    *_identifier_slots(Cycle(key="2026Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))),
]

_Build = Callable[[str], object]
_CONSTRUCTORS: dict[str, tuple[_Build, str]] = {
    "Money.currency": (lambda c: Money(amount=Decimal("1234.56"), currency=c), "JPY"),
    "Bonus.currency": (
        lambda c: Bonus(basis=BonusBasis.PERCENT_OF_BASE_PAY, value=Decimal(5), currency=c),
        "CNY",
    ),
    "Deduction.currency": (
        lambda c: Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=Decimal(5), currency=c),
        "USD",
    ),
    "BonusPool.currency": (lambda c: BonusPool(currency=c, amount=Decimal(100)), "KWD"),
    "TrainingOpportunity.kpi": (lambda k: TrainingOpportunity(topic="x", kpi=k), "csat"),
    "TableInput.field": (lambda f: TableInput(field=f), "kpi.csat.score"),
    "check_currency": (check_currency, "CNY"),
    "minor_units": (minor_units, "JPY"),
    "check_key": (lambda k: check_key(k, "key"), "csat"),
}


class TestMatches:
    def test_trailing_newline_is_refused(self) -> None:
        """A trailing newline, which ``$`` lets through, does not match in full."""
        assert matches("csat", KEY_PATTERN)
        assert not matches("csat\n", KEY_PATTERN)

    def test_only_strings_match(self) -> None:
        """Non-strings never match."""
        assert not matches(None, KEY_PATTERN)
        assert not matches(b"csat", KEY_PATTERN)

    def test_classes_are_ascii(self) -> None:
        """Character classes of a compiled identifier take ASCII only."""
        digits = compile_identifier(r"\d+")
        assert matches("12", digits)
        assert not matches("١٢", digits)

    @given(st.text(max_size=80))
    @settings(max_examples=300)
    def test_same_as_fullmatch_on_ascii_pattern(self, text: str) -> None:
        """A key matches exactly when it is 1-64 ASCII word characters not led by a digit."""
        expected = (
            0 < len(text) <= 64
            and text.isascii()
            and all(ch.isalnum() or ch == "_" for ch in text)
            and not text[0].isdigit()
        )
        assert matches(text, KEY_PATTERN) == expected


class TestNearValidIdentifiers:
    def test_every_slot_is_found(self) -> None:
        """The walk finds the identifier fields of schemes, reviews and cycles."""
        names = {path.rsplit(".", 1)[-1] for path, *_ in _OBJECT_SLOTS}
        assert {"key", "kpi", "category", "criterion", "cycle", "scheme", "field"} <= names
        assert "currency" in names

    @given(data=st.data(), index=st.integers(0, len(_OBJECT_SLOTS) - 1))
    @settings(max_examples=400, deadline=None)
    def test_object_fields_refuse_near_valid(self, data: st.DataObject, index: int) -> None:
        """Every identifier field of a domain object refuses a string one slip from valid."""
        path, owner, name, valid = _OBJECT_SLOTS[index]
        bad = data.draw(near_valid(valid), label=path)
        with pytest.raises(ValidationError) as info:
            attrs.evolve(owner, **{name: bad})  # type: ignore[misc]
        assert repr(bad) in str(info.value)

    @given(data=st.data(), name=st.sampled_from(sorted(_CONSTRUCTORS)))
    @settings(max_examples=300, deadline=None)
    def test_constructors_refuse_near_valid(self, data: st.DataObject, name: str) -> None:
        """Every constructor taking a currency, a key or a field name refuses near-valid text."""
        build, valid = _CONSTRUCTORS[name]
        build(valid)
        bad = data.draw(near_valid(valid), label=name)
        with pytest.raises(ValidationError) as info:
            build(bad)
        assert repr(bad) in str(info.value)

    def test_issue_example_money(self) -> None:
        """A yen amount with a newline in its currency code is refused, not taken as 2 decimals."""
        with pytest.raises(ValidationError, match="currency"):
            Money(amount=Decimal("1234.56"), currency="JPY\n")


def _json_slots(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the JSON paths of every identifier field in ``data``."""
    out: list[tuple[Any, ...]] = []
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for k, v in items:
        if isinstance(v, str) and k in _ID_FIELDS:
            out.append((*path, k))
        else:
            out += _json_slots(v, (*path, k))
    return out


_DOCUMENTS: dict[str, tuple[type, Any]] = {
    "scheme": (Scheme, json.loads(dumps(_SCHEME))),
    "review": (Review, json.loads((V1 / "review.json").read_text("utf-8"))),
}
_DOCUMENT_SLOTS = [
    (doc, path) for doc, (_, data) in _DOCUMENTS.items() for path in _json_slots(data)
]


class TestLoads:
    @given(data=st.data(), index=st.integers(0, len(_DOCUMENT_SLOTS) - 1))
    @settings(max_examples=300, deadline=None)
    def test_documents_refuse_near_valid(self, data: st.DataObject, index: int) -> None:
        """A stored scheme or review with a near-valid identifier anywhere does not load."""
        doc, path = _DOCUMENT_SLOTS[index]
        cls, original = _DOCUMENTS[doc]
        payload = json.loads(json.dumps(original))
        node = payload
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = data.draw(near_valid(node[path[-1]]), label=str(path))
        with pytest.raises(PerfmgmtError):
            loads(json.dumps(payload), cls)

    def test_issue_example_kpi_key(self) -> None:
        """``loads`` refuses a KPI key with a trailing newline."""
        payload = json.loads(dumps(_SCHEME))
        payload["kpis"][0]["indicator"]["key"] = "csat\n"
        with pytest.raises(PerfmgmtError, match="csat"):
            loads(json.dumps(payload), Scheme)


class TestValueChecks:
    def test_show_never_raises(self) -> None:
        """An error message can always show the bad value: huge ints by size, long text cut."""

        class Hostile:
            def __repr__(self) -> str:
                raise RuntimeError("no repr")

        assert show(10**5000) == "<integer of 16610 bits>"
        assert "(1000 characters)" in show("x" * 1000)
        assert show(Hostile()) == "<Hostile>"

    def test_show_writes_dates_as_people_do(self) -> None:
        """Dates and times appear in ISO form; a date subclass keeps its own repr."""

        class Day(dt.date):
            pass

        assert show(dt.date(2025, 12, 1)) == "2025-12-01"
        assert show(dt.datetime(2025, 12, 1, 9, 30)) == "2025-12-01T09:30:00"
        assert show(Day(2025, 12, 1)) == repr(Day(2025, 12, 1))
        assert show("2025-12-01") == "'2025-12-01'"  # text stays quoted: it is not a date

    @pytest.mark.parametrize(
        ("value", "expected"), [(3, 3.0), (-0.0, 0.0), (10**15, 1e15), (2.5, 2.5)]
    )
    def test_to_number_normalises(self, value: float, expected: float) -> None:
        """Allowed numbers become the float they stand for, with -0.0 as 0.0."""
        out = to_number(value)
        assert type(out) is float
        assert out == expected
        assert str(out) == str(expected)

    @pytest.mark.parametrize("value", [10**16, math.nan, "3", True, None])
    def test_to_number_leaves_the_rest_to_the_validator(self, value: object) -> None:
        """What is not an allowed number passes through unchanged, to be refused by name."""
        assert to_number(value) is value  # type: ignore[arg-type]

    def test_check_functions_name_what(self) -> None:
        """check_text, check_number, check_integer and check_date name the argument."""
        with pytest.raises(ValidationError, match=r"note.*surrogate"):
            check_text("a\udfffb", "note")
        with pytest.raises(ValidationError, match=r"rate.*-1e15 to 1e15"):
            check_number(1e16, "rate")
        with pytest.raises(ValidationError, match=r"count.*<= 10"):
            check_integer(11, "count", 0, 10)
        with pytest.raises(ValidationError, match=r"on.*datetime"):
            check_date(dt.datetime(2026, 1, 1), "on")
        assert check_date(dt.date(2026, 1, 1), "on") == dt.date(2026, 1, 1)
