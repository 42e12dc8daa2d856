"""Loading refuses what it cannot keep: surrogates, duplicate keys, huge numbers, vague shapes."""

from __future__ import annotations

import json
import math

import pytest

from perfmgmt.errors import PerfmgmtError, SerializationError, ValidationError
from perfmgmt.model import Label, Money
from perfmgmt.model.indicator import Indicator
from perfmgmt.serialization import MAX_INT, dumps, from_data, loads


def _label(en: str) -> str:
    return '{"schema_version": 1, "en": ' + en + "}"


class TestText:
    def test_lone_surrogate_in_json(self) -> None:
        """An escaped lone surrogate is refused at load, naming the field."""
        with pytest.raises(SerializationError, match=r"^en: text holds a lone surrogate U\+D800"):
            loads(_label('"x\\ud800y"'), Label)

    def test_lone_surrogate_in_object_is_refused_when_built(self) -> None:
        """No object can hold a lone surrogate, so none reaches dumps; the error names it."""
        with pytest.raises(ValidationError, match=r"^Label\.en: .*lone surrogate"):
            Label(en="x\ud800y")

    def test_pair_is_fine(self) -> None:
        """A proper surrogate pair (an emoji) loads as the character it encodes."""
        assert loads(_label('"\\ud83d\\ude00"'), Label).en == "\U0001f600"

    def test_bytes_and_bom(self) -> None:
        """UTF-8 bytes load, with or without a byte-order mark; other bytes are a clean error."""
        assert loads(_label('"a"').encode("utf-8-sig"), Label).en == "a"
        with pytest.raises(SerializationError, match="not UTF-8"):
            loads(b'{"en": "\xff"}', Label)


class TestDuplicateKeys:
    def test_top_level(self) -> None:
        """A key given twice is refused (two readers would disagree on which one wins)."""
        with pytest.raises(SerializationError, match=r'^\$: duplicate key "en"'):
            loads('{"schema_version": 1, "en": "a", "en": "b"}', Label)

    def test_nested_path(self) -> None:
        """The path of a nested duplicate is named."""
        text = '{"schema_version": 1, "key": "k", "label": {"en": "a", "en": "b"}}'
        with pytest.raises(SerializationError, match=r'^label: duplicate key "en"') as info:
            loads(text, Indicator)
        assert info.value.path == "label"


class TestNumbers:
    @pytest.mark.parametrize("n", [MAX_INT + 1, -(MAX_INT + 1), 10**30])
    def test_whole_number_beyond_range(self, n: int) -> None:
        """A whole number beyond ±2**53 is refused with its path, not rounded or overflowed."""
        doc = {"schema_version": 1, "fields": {"x": "number"}, "widths": {"x": n}}
        from perfmgmt.rules import FieldSchema

        with pytest.raises(SerializationError, match=r"^widths\['x'\]: expected a whole number"):
            from_data(doc, FieldSchema)

    def test_float_from_huge_integer(self) -> None:
        """An integer too large to be a float exactly is refused where a number is read."""
        doc = {"schema_version": 1, "amount": "1", "currency": "CNY"}
        assert from_data(doc, Money).amount == 1
        with pytest.raises(SerializationError, match=r"^weight: expected a number between"):
            from_data(
                {"schema_version": 1, "key": "c", "label": {"en": "c"}, "weight": 2**53 + 1},
                __import__("perfmgmt").Category,
            )

    def test_negative_zero_is_zero(self) -> None:
        """-0.0 is read as 0.0, so equal values hash and print the same."""
        from perfmgmt import Category

        doc = {"schema_version": 1, "key": "c", "label": {"en": "c"}, "weight": -0.0}
        weight = from_data(doc, Category).weight
        assert math.copysign(1.0, weight) == 1.0

    def test_nan_is_refused(self) -> None:
        """NaN in a number field is refused with the path."""
        text = '{"schema_version": 1, "key": "c", "label": {"en": "c"}, "weight": NaN}'
        from perfmgmt import Category

        with pytest.raises(SerializationError, match=r"^weight: expected a finite number"):
            loads(text, Category)


class TestShapes:
    def test_list_where_object(self) -> None:
        """A list where an object belongs says which fields were expected, and no internals."""
        text = '{"schema_version": 1, "key": "k", "label": []}'
        with pytest.raises(SerializationError) as info:
            loads(text, Indicator)
        message = str(info.value)
        assert message.startswith("label: expected an object with fields en")
        assert "got a list" in message or "got []" in message
        for internal in ("AttributeError", "Traceback", "cattrs", "structure hook"):
            assert internal not in message

    def test_every_error_is_a_perfmgmt_error(self) -> None:
        """Garbage at any level is a PerfmgmtError, never a raw exception."""
        for text in ["[]", "1", '"x"', "{", '{"schema_version": 1, "en": {"a": []}}']:
            with pytest.raises(PerfmgmtError):
                loads(text, Label)

    def test_deep_nesting(self) -> None:
        """A document nested deeper than the limit is refused cleanly."""
        deep = "[" * 100 + "]" * 100
        with pytest.raises(SerializationError, match="nested more than"):
            loads('{"schema_version": 1, "en": ' + deep + "}", Label)

    def test_not_text(self) -> None:
        """Giving loads something that is not JSON text is a clean error."""
        with pytest.raises(SerializationError, match="expected JSON text"):
            loads(json, Label)  # type: ignore[arg-type]


def test_list_where_a_scheme_source_belongs() -> None:
    """A list in a scheme's sources says which fields an object needs (#18's example)."""
    from perfmgmt import Scheme
    from perfmgmt.presets import customer_service_manager

    data = json.loads(dumps(customer_service_manager()))
    data["sources"] = [*data["sources"], [1, 2]]
    where = len(data["sources"]) - 1
    with pytest.raises(SerializationError) as info:
        loads(json.dumps(data), Scheme)
    assert str(info.value).startswith(
        f"sources[{where}]: expected an object with fields source, weight, min_raters, got [1, 2]"
    )
    assert "AttributeError" not in str(info.value)
