"""Tests for perfmgmt.serialization: lossless JSON round trips and clear loading errors."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from perfmgmt import strategies as pst
from perfmgmt.errors import PerfmgmtError, SerializationError
from perfmgmt.model import Bonus, Label, Review, Scheme, Subject
from perfmgmt.model.condition import Compare, CompareOp, Const, Field
from perfmgmt.serialization import (
    SCHEMA_VERSION,
    dumps,
    loads,
    make_converter,
    migrate,
    tag_of,
)

pst._hypothesis_setup_hook()

# Every public class round-trips in tests/serialization/test_round_trip.py.
_RT = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


@functools.cache
def _scheme_text() -> str:
    # A fixed two-KPI scheme: searching one out with hypothesis.find shrank it anew on every
    # call, which took minutes under CI's settings (no example database).
    from perfmgmt.model import KPI, Band, Category, Indicator, RatingScale, ScoringSpec

    def kpi(key: str) -> KPI:
        return KPI(
            indicator=Indicator(key=key, label=Label(en=key)),
            category="c",
            weight=0.5,
            scoring=ScoringSpec(scorer="linear"),
            threshold=1.0,
            target=2.0,
            stretch=3.0,
        )

    scheme = Scheme(
        key="s",
        version="1",
        label=Label(en="s"),
        categories=[Category(key="c", label=Label(en="c"), weight=1.0)],
        kpis=[kpi("a"), kpi("b")],
        rating_scale=RatingScale(
            bands=[Band(label="B", lower=0, upper=100), Band(label="A", lower=100, upper=150)]
        ),
        quantitative_share=1.0,
    )
    return dumps(scheme)


def _scheme_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_scheme_text())
    return data


class TestRoundTrip:
    @_RT
    @given(pst.schemes())
    def test_scheme_hash_survives(self, scheme: Scheme) -> None:
        """A scheme loaded from JSON has the same content hash as the original."""
        assert loads(dumps(scheme), Scheme).content_hash == scheme.content_hash

    @_RT
    @given(pst.reviews(scheme=pst.schemes(max_kpis=3)))
    def test_review_under_scheme(self, review: Review) -> None:
        """A review with goals, actuals and assessments for a scheme round-trips."""
        assert loads(dumps(review, indent=2), Review) == review

    def test_own_converter(self) -> None:
        """A converter from make_converter() gives the same JSON as the default one."""
        obj = Bonus.fixed(Decimal("1200.50"), "CNY")
        conv = make_converter()
        assert dumps(obj, converter=conv) == dumps(obj)
        assert loads(dumps(obj), Bonus, converter=conv) == obj

    def test_decimals_are_text(self) -> None:
        """Money is written as a decimal string, never as a float."""
        data = json.loads(dumps(Bonus.fixed(Decimal("0.10"), "USD")))
        assert data["value"] == "0.10"
        assert data["schema_version"] == SCHEMA_VERSION

    def test_union_members_are_tagged(self) -> None:
        """Condition nodes nested in a rule carry their snake_case "type" tag."""
        node = Compare(op=CompareOp.GE, left=Field(path=("total",)), right=Const(value=90))
        data = json.loads(dumps(node))
        assert data["left"]["type"] == tag_of(Field) == "field"
        assert data["right"] == {"type": "const", "value": 90.0}
        assert loads(json.dumps(data), Compare) == node

    def test_lone_surrogate_label_is_refused(self) -> None:
        """A label holding an escaped lone surrogate is refused at load, naming the path."""
        data = _scheme_data()
        data["label"]["en"] = "\ud800x"
        with pytest.raises(SerializationError, match=r"^label\.en: text holds a lone surrogate"):
            loads(json.dumps(data), Scheme)


def _error(text: str, cls: type) -> SerializationError:
    with pytest.raises(SerializationError) as info:
        loads(text, cls)
    return info.value


class TestErrors:
    def test_wrong_type_names_path(self) -> None:
        """A text where a number belongs names the JSON path and the bad value."""
        data = _scheme_data()
        data["kpis"][1]["weight"] = "abc"
        err = _error(json.dumps(data), Scheme)
        assert err.path == "kpis[1].weight"
        assert '"abc"' in str(err)
        assert "number" in str(err)

    def test_unknown_field(self) -> None:
        """An unknown field is refused and named, with the allowed fields listed."""
        data = _scheme_data()
        data["categories"][0]["colour"] = "red"
        err = _error(json.dumps(data), Scheme)
        assert err.path == "categories[0]"
        assert "'colour'" in str(err)

    def test_missing_field(self) -> None:
        """A missing required field is named."""
        data = _scheme_data()
        del data["rating_scale"]
        err = _error(json.dumps(data), Scheme)
        assert "rating_scale" in str(err)

    @pytest.mark.parametrize("version", [0, 2, SCHEMA_VERSION + 1, -1, "1", 1.0, None, True])
    def test_unknown_versions(self, version: object) -> None:
        """A missing, mistyped or unknown schema_version is refused with its path."""
        data = _scheme_data()
        data["schema_version"] = version
        err = _error(json.dumps(data), Scheme)
        assert err.path == "schema_version"

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
    def test_non_finite_literals(self, literal: str) -> None:
        """NaN and Infinity literals are not JSON; they are refused, never loaded."""
        text = json.dumps(_scheme_data()).replace(
            '"quantitative_share": 1.0', f'"quantitative_share": {literal}'
        )
        assert literal in text
        err = _error(text, Scheme)
        assert "finite" in str(err)

    @pytest.mark.parametrize("number", ["1e400", "-1e999", "1" + "0" * 400])
    def test_huge_numbers(self, number: str) -> None:
        """Numbers beyond float range are refused with the path of the field."""
        data = _scheme_data()
        text = json.dumps(data).replace(
            '"quantitative_share": 1.0', f'"quantitative_share": {number}'
        )
        err = _error(text, Scheme)
        assert err.path == "quantitative_share"

    def test_huge_integer_text(self) -> None:
        """A 5000-digit integer (beyond Python's int parsing limit) is a SerializationError."""
        data = _scheme_data()
        text = json.dumps(data).replace(
            '"min_eligible_days": 0', '"min_eligible_days": ' + "9" * 5000
        )
        err = _error(text, Scheme)
        assert err.path == "$"

    def test_invalid_value_from_validator(self) -> None:
        """A value the domain class refuses comes out as a SerializationError with the cause."""
        data = _scheme_data()
        data["kpis"][0]["weight"] = 5.0
        err = _error(json.dumps(data), Scheme)
        assert "sum to" in str(err)
        assert isinstance(err.__cause__, Exception)

    def test_not_json(self) -> None:
        """Text that is not JSON is refused at the root path."""
        assert _error("{not json", Label).path == "$"

    def test_not_an_object(self) -> None:
        """A JSON array at the top level is refused."""
        assert "object" in str(_error("[1, 2]", Label))

    def test_dumps_refuses_non_domain_objects(self) -> None:
        """dumps() of a plain number is a SerializationError, not a crash."""
        with pytest.raises(SerializationError):
            dumps(3)

    def test_deep_nesting(self) -> None:
        """A payload nested far too deeply is refused cleanly."""
        text = '{"schema_version": 1, "id": ' + "[" * 50_000 + "]" * 50_000 + "}"
        with pytest.raises(PerfmgmtError):
            loads(text, Subject)


class TestMigrate:
    def test_current_version_passes_through(self) -> None:
        """migrate() strips schema_version from a current payload and leaves the rest."""
        assert migrate({"schema_version": SCHEMA_VERSION, "a": 1}) == {"a": 1}

    def test_missing_version(self) -> None:
        """A payload without schema_version is refused with that path."""
        with pytest.raises(SerializationError) as info:
            migrate({"a": 1})
        assert info.value.path == "schema_version"
