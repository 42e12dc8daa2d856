"""Every public class round-trips through JSON text and plain dicts, losslessly."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfmgmt
from perfmgmt import strategies as pst
from perfmgmt.analytics.lint import LintFinding, LintReport, Severity
from perfmgmt.rules import BatchDecisions
from perfmgmt.serialization import dumps, from_data, loads, to_data

pst._hypothesis_setup_hook()

# Every attrs class the package face exports: a class added there is tested without an edit.
PUBLIC = sorted(
    (
        obj
        for name in perfmgmt.__all__
        if isinstance(obj := getattr(perfmgmt, name), type) and attrs.has(obj)
    ),
    key=lambda t: t.__name__,
)
_RT = settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))


def same(a: Any, b: Any) -> bool:  # noqa: PLR0911 - one return per kind of value
    """Return whether two values are equal field by field: arrays exactly, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BatchDecisions):
        return dumps(a) == dumps(b) and all(a.row(i) == b.row(i) for i in range(len(a)))
    if isinstance(a, np.ndarray):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
        )
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if attrs.has(type(a)):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a)))
    return bool(a == b)


class TestEveryPublicClass:
    def test_the_list_is_complete(self) -> None:
        """The enumeration finds the results as well as the model (no class can be forgotten)."""
        names = {c.__name__ for c in PUBLIC}
        assert {"Scheme", "BatchScores", "BatchDecisions", "CalibrationLog", "History"} <= names

    @pytest.mark.parametrize("cls", PUBLIC, ids=lambda t: t.__name__)
    def test_json_text(self, cls: type) -> None:
        """loads(dumps(x), type(x)) equals x, and writing it again gives the same text."""

        @_RT
        @given(st.from_type(cls))
        def check(obj: object) -> None:
            text = dumps(obj)
            back = loads(text, cls)
            assert same(back, obj)
            assert dumps(back) == text

        check()

    @pytest.mark.parametrize("cls", PUBLIC, ids=lambda t: t.__name__)
    def test_plain_dicts_and_bytes(self, cls: type) -> None:
        """from_data(to_data(x)) and loads of UTF-8 bytes give x back too."""

        @settings(_RT, max_examples=1)
        @given(st.from_type(cls))
        def check(obj: object) -> None:
            assert same(from_data(to_data(obj), cls), obj)
            assert same(loads(dumps(obj).encode(), cls), obj)

        check()


class TestSameHelper:
    def test_tells_arrays_apart(self) -> None:
        """The equality helper is not vacuous: other values, dtypes or shapes differ."""
        a = np.array([1.0, math.nan])
        assert same(a, a.copy())
        assert not same(a, np.array([1.0, 2.0]))
        assert not same(a, a.astype(np.float32))
        assert not same(a, a.reshape(1, 2))


# Text a finding can hold: no lone surrogates or control characters (both are refused).
_TEXT = st.characters(exclude_categories=("Cs", "Cc"))


class TestLintReports:
    @settings(max_examples=10, deadline=None)
    @given(
        st.lists(
            st.builds(
                LintFinding,
                code=st.sampled_from(["W101", "E201"]),
                severity=st.sampled_from(Severity),
                location=st.text(_TEXT, max_size=12),
                message=st.text(_TEXT, max_size=30),
                fix=st.text(_TEXT, max_size=20),
            ),
            max_size=4,
        )
    )
    def test_lint_report(self, findings: list[Any]) -> None:
        """A lint report (not on the package face) round-trips with its findings."""
        report = LintReport(scheme_key="s", scheme_hash="sha256:0", findings=findings)
        assert loads(dumps(report), LintReport) == report
