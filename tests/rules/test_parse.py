"""Tests for perfmgmt.rules.parse: the text form of conditions and its canonical rendering."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import RuleError, RuleLimitError, RuleSyntaxError
from perfmgmt.model.condition import (
    KEYWORDS,
    And,
    Arith,
    ArithOp,
    Call,
    Compare,
    CompareOp,
    Condition,
    Const,
    Field,
    Func,
    In,
    Index,
    ListConst,
    Neg,
    Not,
    Or,
    Slice,
    field,
)
from perfmgmt.rules.parse import Limits, parse, render

# -- a private strategy for arbitrary (not necessarily well-typed) condition trees ----------------

_SEGMENT = st.from_regex(r"\A[a-z][a-z0-9_]{0,6}\Z").filter(
    lambda s: s not in KEYWORDS and not keyword.iskeyword(s)
)
_FIELDS = st.lists(_SEGMENT, min_size=1, max_size=4).map(lambda p: Field(path=tuple(p)))
_NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6).map(float),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.1, -2.5, 1e16, 1e-7, 1.7976931348623157e308]),
)
_TEXTS = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters="\\'"
    ),
    max_size=12,
) | st.sampled_from(["A", "it's", "M1", "优秀", ""])
_CONSTS = st.builds(Const, value=st.one_of(_NUMBERS, _TEXTS, st.booleans(), st.none()))
_LISTS = st.builds(ListConst, items=st.lists(_CONSTS, max_size=4).map(tuple))
_INDEX = st.integers(-20, 20)


def _extend(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
    pairs = st.tuples(children, children)
    return st.one_of(
        st.builds(lambda o: And(operands=o), st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(lambda o: Or(operands=o), st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(lambda c: Not(operand=c), children),
        st.builds(lambda c: Neg(operand=c), children),
        st.builds(
            lambda op, lr: Compare(op=op, left=lr[0], right=lr[1]),
            st.sampled_from(CompareOp),
            pairs,
        ),
        st.builds(
            lambda op, lr: Arith(op=op, left=lr[0], right=lr[1]), st.sampled_from(ArithOp), pairs
        ),
        st.builds(
            lambda c, o, n: In(item=c, options=o, negated=n), children, _LISTS, st.booleans()
        ),
        st.builds(lambda c, i: Index(target=c, index=i), children, _INDEX),
        st.builds(
            lambda c, a, b: Slice(target=c, start=a, stop=b),
            children,
            st.none() | _INDEX,
            st.none() | _INDEX,
        ),
        st.builds(
            lambda f, a: Call(func=f, args=(a,)),
            st.sampled_from(Func),
            children,
        ),
        st.builds(
            lambda f, a: Call(func=f, args=tuple(a)),
            st.sampled_from([Func.MIN, Func.MAX]),
            st.lists(children, min_size=2, max_size=3),
        ),
    )


conditions: st.SearchStrategy[Condition] = st.recursive(
    st.one_of(_CONSTS, _FIELDS, _LISTS), _extend, max_leaves=12
)

_EXAMPLES = [
    "total >= 90 and kpi.csat.score >= 100",
    'rating in ["D", "E"]',
    "any(kpi.score < 60)",
    'count(history.rating[-3:] == "A") >= 2',
    'tenure_days >= 180 and grade in ["M1", "M2"]',
    'not (rating == "E") or category.cost > 80',
    "kpi.aht.actual / kpi.aht.target <= 1.1",
]


class TestExamples:
    @pytest.mark.parametrize("text", _EXAMPLES)
    def test_contract_examples_round_trip(self, text: str) -> None:
        """Every example of the contract parses, and its rendering parses to the same tree."""
        node = parse(text)
        assert parse(render(node)) == node

    def test_shape_of_a_simple_rule(self) -> None:
        """`a >= 90 and b >= 100` is an And of two comparisons with float constants."""
        assert parse("total >= 90 and kpi.csat.score >= 100") == And(
            operands=(
                Compare(op=CompareOp.GE, left=field("total"), right=Const(value=90.0)),
                Compare(op=CompareOp.GE, left=field("kpi.csat.score"), right=Const(value=100.0)),
            )
        )

    def test_slices_and_calls(self) -> None:
        """Slices, text constants and calls parse into the matching nodes."""
        node = parse('count(history.rating[-3:] == "A") >= 2')
        expected_slice = Slice(target=field("history.rating"), start=-3, stop=None)
        assert node == Compare(
            op=CompareOp.GE,
            left=Call(
                func=Func.COUNT,
                args=(Compare(op=CompareOp.EQ, left=expected_slice, right=Const(value="A")),),
            ),
            right=Const(value=2.0),
        )

    def test_not_in(self) -> None:
        """`x not in [...]` is a negated In."""
        assert parse("grade not in ['M1']") == In(
            item=field("grade"), options=ListConst(items=(Const(value="M1"),)), negated=True
        )


class TestPrecedence:
    @pytest.mark.parametrize(
        ("text", "canonical"),
        [
            ("a or b and c", "a or b and c"),
            ("(a or b) and c", "(a or b) and c"),
            ("not a and b", "not a and b"),
            ("not (a and b)", "not (a and b)"),
            ("a - (b - c)", "a - (b - c)"),
            ("(a - b) - c", "a - b - c"),
            ("a * (b + c)", "a * (b + c)"),
            ("((a))", "a"),
            ("-(5)", "-(5)"),
            ("- 5", "-5"),
            ("--5", "--5"),
            ("-x[1]", "-x[1]"),
            ("(-5)[1]", "(-5)[1]"),
            ("True", "true"),
            ("None", "null"),
            ("'say \"hi\"'", "'say \"hi\"'"),
            ("1.50", "1.5"),
            ("1e3", "1000"),
            ("a == (b == c)", "a == (b == c)"),
            ("(a and b) and c", "(a and b) and c"),
        ],
    )
    def test_canonical_text(self, text: str, canonical: str) -> None:
        """Rendering uses the fewest parentheses that keep the tree's shape."""
        assert render(parse(text)) == canonical

    def test_minus_before_number_is_a_literal(self) -> None:
        """`-5` is the constant -5, `-(5)` is the negation of 5: two different trees."""
        assert parse("-5") == Const(value=-5.0)
        assert parse("-(5)") == Neg(operand=Const(value=5.0))

    def test_and_is_flattened_per_level(self) -> None:
        """A chain of `and` builds one And with all operands."""
        node = parse("a and b and c")
        assert isinstance(node, And)
        assert len(node.operands) == 3

    def test_subclassed_nodes_render_as_their_base_kind(self) -> None:
        """A node built from a subclass of a node class renders and nests as that node class."""

        class Negative(Neg):
            pass

        class Sum(Arith):
            pass

        node = Not(operand=Negative(operand=Sum(op=ArithOp.SUB, left=field("a"), right=field("b"))))
        assert render(node) == "not -(a - b)"


class TestRoundTrip:
    @given(conditions)
    @settings(max_examples=400, deadline=None)
    def test_parse_render_round_trip(self, node: Condition) -> None:
        """parse(render(x)) == x for every condition tree."""
        assert parse(render(node), limits=Limits(max_length=100_000, max_nodes=10_000)) == node

    @given(conditions)
    @settings(max_examples=100, deadline=None)
    def test_render_is_a_fixed_point(self, node: Condition) -> None:
        """Rendering the parsed rendering gives the same text (the text form is canonical)."""
        text = render(node)
        assert render(parse(text, limits=Limits(max_length=100_000, max_nodes=10_000))) == text


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "position", "fragment"),
        [
            ("total >= ", 9, "ends too early"),
            ("total >= 90 and", 15, "ends too early"),
            ("total => 90", 6, "'=='"),
            ("a < b < c", 6, "chained"),
            ("x = 3", 2, "'=='"),
            ("rating in 'A'", 10, "list"),
            ("[1, a]", 4, "constants"),
            ("a[1.5]", 2, "integer index"),
            ("foo(x)", 0, "unknown function"),
            ("total.score(1)", 0, "unknown function"),
            ("a $ b", 2, "unexpected character"),
            ("(a", 0, "never closed"),
            ("a)", 1, "closes nothing"),
            ("(a]", 2, "does not match"),
            ("'abc", 0, "never closed"),
            ("5abc", 1, "invalid number"),
            ("1.", 1, "decimal point"),
            ("a and and b", 6, "needs a value"),
            ("x is null", 2, "'is' is a Python keyword, not part of the rule language; use =="),
            ("if x", 0, "Python keyword"),
        ],
    )
    def test_syntax_errors_point_at_the_problem(
        self, text: str, position: int, fragment: str
    ) -> None:
        """Syntax errors carry the offset, the text and a caret line in the message."""
        with pytest.raises(RuleSyntaxError) as info:
            parse(text)
        err = info.value
        assert fragment in str(err)
        assert err.position == position
        assert err.text == text
        caret_line = str(err).splitlines()[-1]
        assert caret_line.index("^") - 2 == position

    def test_multiline_errors_name_the_line(self) -> None:
        """On multi-line text the message names the line and column."""
        with pytest.raises(RuleSyntaxError, match=r"line 2, column 5"):
            parse("total > 1 and\nb < $")

    def test_empty_text(self) -> None:
        """Blank text is a syntax error, not an empty condition."""
        with pytest.raises(RuleSyntaxError, match="empty"):
            parse("   ")

    def test_non_text_input(self) -> None:
        """A non-string is refused with a PerfmgmtError, not a TypeError."""
        with pytest.raises(RuleSyntaxError, match="must be a str"):
            parse(42)  # type: ignore[arg-type]

    def test_arity_error_is_a_syntax_error(self) -> None:
        """A call with the wrong number of arguments is refused at the call."""
        with pytest.raises(RuleSyntaxError, match=r"sum\(\) takes exactly 1"):
            parse("sum(a, b) > 1")

    def test_render_refuses_non_nodes(self) -> None:
        """render() of something that is not a node raises RuleError."""
        with pytest.raises(RuleError):
            render("total > 1")  # type: ignore[arg-type]


class TestLimits:
    def test_length(self) -> None:
        """Text longer than max_length is refused before tokenizing."""
        with pytest.raises(RuleLimitError, match="limit is 10"):
            parse("a" * 11, limits=Limits(max_length=10))

    def test_depth_of_tree(self) -> None:
        """A tree deeper than max_depth is refused even without brackets."""
        text = " + ".join(["a"] * 12)
        parse(text, limits=Limits(max_depth=12))
        with pytest.raises(RuleLimitError, match="deeper than 8"):
            parse(text, limits=Limits(max_depth=8))

    def test_node_count(self) -> None:
        """More nodes than max_nodes is refused; list items count."""
        with pytest.raises(RuleLimitError, match="more than 5 nodes"):
            parse("x in [1, 2, 3, 4, 5]", limits=Limits(max_nodes=5))

    def test_limits_validated(self) -> None:
        """Limits refuses non-positive values and depths above the recursion-safe ceiling."""
        with pytest.raises(RuleError, match="max_nodes"):
            Limits(max_nodes=0)
        with pytest.raises(RuleError, match="at most 64"):
            Limits(max_depth=1000)
