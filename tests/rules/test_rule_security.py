"""Hostile-input tests for the rule language: refused clearly, without running code or recursing."""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import (
    PerfmgmtError,
    RuleLimitError,
    RuleSyntaxError,
    RuleTypeError,
    ValidationError,
)
from perfmgmt.model.condition import CONDITION_TYPES, Compare, CompareOp, Const, In, ListConst
from perfmgmt.rules import FieldSchema, compile_condition
from perfmgmt.rules.parse import Limits, parse

_SCHEMA = FieldSchema.for_keys(kpi_keys=["csat", "aht"], category_keys=["cost"])
_GENEROUS = Limits(max_length=2_000_000, max_nodes=1_000_000)


def _shallow(fn: Callable[[], object], frames: int = 150) -> object:
    """Run ``fn`` allowing only ``frames`` more Python frames than the caller has."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        return fn()
    finally:
        sys.setrecursionlimit(old)


class TestNesting:
    @pytest.mark.parametrize(
        "text",
        [
            "(" * 10_000 + "total" + ")" * 10_000,
            "[" * 10_000 + "]" * 10_000,
            "-" * 10_000 + "total",
            "not " * 10_000 + "rated",
            "any(" * 5_000 + "kpi.score" + ")" * 5_000,
            "abs(" * 5_000 + "total" + ")" * 5_000,
        ],
    )
    def test_deep_nesting_refused_without_deep_recursion(self, text: str) -> None:
        """10,000 levels of nesting are refused by the depth limit using few stack frames."""
        with pytest.raises(RuleLimitError, match="deeper than 32"):
            _shallow(lambda: parse(text, limits=_GENEROUS))

    def test_long_flat_chains_are_bounded_by_depth(self) -> None:
        """A long left-associated chain (a + a + ...) is refused by tree depth, not recursion."""
        text = " + ".join(["total"] * 5_000) + " > 1"
        with pytest.raises(RuleLimitError, match="deeper than 32"):
            _shallow(lambda: parse(text, limits=_GENEROUS))

    def test_wide_conditions_are_bounded_by_node_count(self) -> None:
        """Thousands of and-ed terms are refused by the node limit."""
        text = " and ".join(["rated"] * 2_000)
        with pytest.raises(RuleLimitError, match="more than 500 nodes"):
            parse(text, limits=Limits(max_length=100_000))


class TestLiterals:
    @pytest.mark.parametrize("text", ["total > 1e999999", "total > 1e309", "total > 9e308"])
    def test_huge_exponents(self, text: str) -> None:
        """Numbers that overflow a float are refused, not turned into infinity."""
        with pytest.raises(RuleLimitError, match="too large"):
            parse(text)

    def test_five_thousand_digit_integer(self) -> None:
        """A 5000-digit integer is refused by the literal length limit before conversion."""
        with pytest.raises(RuleLimitError, match="number literal is too long"):
            parse("total > " + "9" * 5_000, limits=_GENEROUS)

    @pytest.mark.parametrize(
        "text",
        [
            r'rating == "A\x41"',
            r'rating == "\u0041"',
            r'rating == "a\"b"',
            r"rating == 'a\'b'",
        ],
    )
    def test_escapes_refused(self, text: str) -> None:
        """Backslash escapes do not exist; texts are taken literally or refused."""
        with pytest.raises(RuleSyntaxError, match="backslash"):
            parse(text)

    def test_long_text_literal(self) -> None:
        """Text literals longer than 256 characters are refused."""
        with pytest.raises(RuleLimitError, match="256"):
            parse('rating == "' + "A" * 300 + '"')


class TestCodeInjection:
    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ('__import__("os").system("echo hacked")', "'__'"),
            ("total.__class__", "'__'"),
            ("total.__class__.__mro__", "'__'"),
            ("kpi.csat.__dict__ > 1", "'__'"),
            ('open("/etc/passwd")', "unknown function 'open'"),
            ('eval("1")', "unknown function 'eval'"),
            ('exec("x = 1")', "unknown function 'exec'"),
            ('getattr(total, "real")', "unknown function 'getattr'"),
            ("total.real()", "unknown function 'total.real'"),
            ("lambda: 1", "Python keyword"),
            ("lambda x: x", "Python keyword"),
            ("import os", "Python keyword"),
            ("[x for x in kpi.score]", "constants"),
            ("total if rated else 0", "Python keyword"),
            ("2**2**2**2", "'**'"),
            ("total ** 2 > 1", "'**'"),
            ("total; rated", "unexpected character ';'"),
            ("{}", "unexpected character '{'"),
            ("f'{total}'", "unexpected text literal"),
            ("`total`", "unexpected character '`'"),
            ("total := 1", "':='"),
            ("().__class__", "'.' may only join"),
            ("(total)(1)", "unexpected '('"),
            ("total @ rated", "unexpected character '@'"),
        ],
    )
    def test_python_constructs_refused(self, text: str, fragment: str) -> None:
        """Python constructs are refused at parse time with a pointed message."""
        with pytest.raises(RuleSyntaxError) as info:
            parse(text)
        assert fragment in str(info.value)

    @pytest.mark.parametrize(
        "text", ["total.real > 1", "total.real.imag > 0", "kpi.score.shape == 3", "rating.upper"]
    )
    def test_attribute_chains_are_unknown_fields(self, text: str) -> None:
        """Dotted chains that parse are only field names; unknown ones fail the type check."""
        with pytest.raises(RuleTypeError, match="unknown field"):
            compile_condition(parse(text), _SCHEMA)

    def test_evaluation_reads_only_the_declared_fields(self) -> None:
        """Evaluation reads exactly the listed frame keys, nothing else, by exact name."""

        class Recording(Mapping[str, Any]):
            def __init__(self, data: dict[str, Any]) -> None:
                self.data = data
                self.read: set[str] = set()

            def __getitem__(self, key: str) -> Any:
                self.read.add(key)
                return self.data[key]

            def __iter__(self) -> Iterator[str]:
                return iter(self.data)

            def __len__(self) -> int:
                return len(self.data)

        frame = Recording(
            {
                "total": np.array([95.0, 50.0]),
                "rating": np.array(["A", None], dtype=object),
                "kpi.score": np.array([[1.0, 2.0], [3.0, 70.0]]),
                "secret": np.array([1.0, 2.0]),
            }
        )
        compiled = compile_condition(
            parse('total > 90 and rating == "A" or any(kpi.score > 60)'), _SCHEMA
        )
        assert compiled.matches(frame).tolist() == [True, True]
        assert frame.read == set(compiled.fields) == {"total", "rating", "kpi.score"}

    def test_no_dynamic_code_in_the_rule_modules(self) -> None:
        """The language modules never call eval, exec, getattr, setattr, compile or __import__."""
        forbidden = {
            "eval",
            "exec",
            "getattr",
            "setattr",
            "compile",
            "__import__",
            "globals",
            "vars",
        }
        # The package re-exports the function `parse`, which shadows the submodule attribute.
        names = (
            "perfmgmt.rules.parse",
            "perfmgmt.rules._tokens",
            "perfmgmt.rules._render",
            "perfmgmt.rules.compile",
            "perfmgmt.model.condition",
        )
        for module in (importlib.import_module(name) for name in names):
            tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
            calls = {
                node.func.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            }
            assert not calls & forbidden, module.__name__


class TestSize:
    def test_megabyte_of_text_refused_by_length(self) -> None:
        """1 MB of text is refused by the length limit before it is tokenized."""
        text = "total > 1 and " * 75_000 + "rated"
        assert len(text) > 1_000_000
        with pytest.raises(RuleLimitError, match="limit is 4000"):
            parse(text)

    def test_megabyte_with_raised_limit_still_bounded(self) -> None:
        """With the length limit lifted, the node limit still refuses a 1 MB condition."""
        text = "total > 1 and " * 75_000 + "rated"
        with pytest.raises(RuleLimitError, match="nodes"):
            _shallow(lambda: parse(text, limits=Limits(max_length=2_000_000)))


_TOKENS = [
    "total", "rating", "kpi.csat.score", "kpi.score", "history.rating", "(", ")", "[", "]", ",",
    ":", "-", "+", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or", "not", "in", "any",
    "count", "min", "1", "2.5", "1e3", '"A"', "'B'", "true", "null", "__class__", ".", "**", "=",
]  # fmt: skip


class TestFuzz:
    @given(st.text(max_size=300))
    @settings(max_examples=500, deadline=None)
    def test_random_text_raises_only_perfmgmt_errors(self, text: str) -> None:
        """Arbitrary text either parses or raises a PerfmgmtError subclass."""
        try:
            node = parse(text)
        except PerfmgmtError:
            return
        assert isinstance(node, CONDITION_TYPES)

    @given(st.lists(st.sampled_from(_TOKENS), max_size=40).map(" ".join))
    @settings(max_examples=1_000, deadline=None)
    def test_random_token_soup_parses_or_fails_cleanly(self, text: str) -> None:
        """Near-valid token sequences parse, type-check and run, or raise PerfmgmtError."""
        try:
            compiled = compile_condition(parse(text), _SCHEMA)
        except PerfmgmtError:
            return
        frame = {
            name: np.zeros((3, 2)) if name == "kpi.score" else None for name in compiled.fields
        }
        frame.update(
            {
                "total": np.array([1.0, np.nan, 3.0]),
                "rating": np.array(["A", None, "B"], dtype=object),
                "kpi.csat.score": np.array([np.nan, 1.0, 2.0]),
                "history.rating": np.full((3, 2), None, dtype=object),
            }
        )
        true, known = compiled(frame)
        assert true.shape == known.shape == (3,)
        assert not np.any(true & ~known)

    json_values = st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=10,
    )

    @given(json_values, json_values)
    @settings(max_examples=300, deadline=None)
    def test_random_json_values_in_nodes_raise_only_validation_errors(
        self, left: Any, right: Any
    ) -> None:
        """Arbitrary JSON values given to node constructors are refused with ValidationError."""
        try:
            Compare(op=CompareOp.EQ, left=Const(value=left), right=Const(value=right))
            In(item=Const(value=left), options=ListConst(items=right))
        except ValidationError:
            return
