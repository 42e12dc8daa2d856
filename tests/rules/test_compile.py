"""Tests for perfmgmt.rules.compile: type checking, limits, vectorised three-valued evaluation."""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import DataError, RuleLimitError, RuleTypeError, ValidationError
from perfmgmt.model.condition import (
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
from perfmgmt.rules import (
    FieldSchema,
    FieldType,
    History,
    Limits,
    TextCodes,
    check_condition,
    compile_condition,
    frame_from_scores,
)
from perfmgmt.rules.parse import parse

# -- a small schema and random frames with unknowns --------------------------------------------

_SCHEMA = FieldSchema(
    fields={
        "a": FieldType.NUMBER,
        "b": FieldType.NUMBER,
        "s": FieldType.TEXT,
        "u": FieldType.TEXT,
        "p": FieldType.BOOL,
        "q": FieldType.BOOL,
        "vec.x": FieldType.NUMBER_VECTOR,
        "vec.y": FieldType.NUMBER_VECTOR,
        "vec.t": FieldType.TEXT_VECTOR,
        "vec.f": FieldType.BOOL_VECTOR,
    },
    widths={"vec": 3},
)
_NUMS = [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, math.nan]
_TEXTS = ["A", "B", None]
_BOOLS = [True, False, None]


@st.composite
def frames(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """Draw a frame of N subjects with NaN/None unknowns, vectors of width W."""
    n = draw(st.integers(1, 6))
    w = draw(st.integers(0, 4))

    def numbers(shape: tuple[int, ...]) -> np.ndarray:
        flat = draw(
            st.lists(st.sampled_from(_NUMS), min_size=math.prod(shape), max_size=math.prod(shape))
        )
        return np.array(flat, dtype=np.float64).reshape(shape)

    def objects(pool: list[Any], shape: tuple[int, ...]) -> np.ndarray:
        flat = draw(
            st.lists(st.sampled_from(pool), min_size=math.prod(shape), max_size=math.prod(shape))
        )
        out = np.empty(math.prod(shape), dtype=object)
        out[:] = flat
        return out.reshape(shape)

    return {
        "a": numbers((n,)),
        "b": numbers((n,)),
        "s": objects(_TEXTS, (n,)),
        "u": objects(_TEXTS, (n,)),
        "p": objects(_BOOLS, (n,)),  # object array: None = unknown
        "q": np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool),
        "vec.x": numbers((n, w)),
        "vec.y": numbers((n, w)),
        "vec.t": objects(_TEXTS, (n, w)),
        "vec.f": objects(_BOOLS, (n, w)),
    }


# -- a strategy for well-typed trees -------------------------------------------------------------

_NUM_CONST = st.sampled_from([-1.5, 0.0, 1.0, 2.0, 0.5]).map(lambda v: Const(value=v))
_TEXT_CONST = st.sampled_from(["A", "B", "C"]).map(lambda v: Const(value=v))
_ORDERED = st.sampled_from(list(CompareOp))
_EQUALITY = st.sampled_from([CompareOp.EQ, CompareOp.NE])
_IDX = st.integers(-5, 5)


@functools.cache
def _num(depth: int) -> st.SearchStrategy[Condition]:
    leaves = st.one_of(
        _NUM_CONST,
        st.sampled_from([field("a"), field("b")]),
        st.builds(lambda i: Index(target=field("vec.x"), index=i), _IDX),
    )
    if depth <= 0:
        return leaves
    sub = st.deferred(lambda: _num(depth - 1))
    vec = st.deferred(lambda: _numvec(depth - 1))
    return st.one_of(
        leaves,
        st.builds(
            lambda op, lhs, rhs: Arith(op=op, left=lhs, right=rhs),
            st.sampled_from(ArithOp),
            sub,
            sub,
        ),
        st.builds(lambda c: Neg(operand=c), sub),
        st.builds(lambda c: Call(func=Func.ABS, args=(c,)), sub),
        st.builds(
            lambda f, a, b: Call(func=f, args=(a, b)),
            st.sampled_from([Func.MIN, Func.MAX]),
            sub,
            sub,
        ),
        st.builds(
            lambda f, v: Call(func=f, args=(v,)),
            st.sampled_from([Func.SUM, Func.MEAN, Func.MIN, Func.MAX]),
            vec,
        ),
        st.builds(
            lambda v: Call(func=Func.COUNT, args=(v,)), st.deferred(lambda: _boolvec(depth - 1))
        ),
    )


@functools.cache
def _numvec(depth: int) -> st.SearchStrategy[Condition]:
    leaves = st.sampled_from([field("vec.x"), field("vec.y")])
    if depth <= 0:
        return leaves
    sub = st.deferred(lambda: _numvec(depth - 1))
    scalar = st.deferred(lambda: _num(depth - 1))
    mixed = st.one_of(sub, scalar)
    return st.one_of(
        leaves,
        st.builds(
            lambda op, lhs, rhs: Arith(op=op, left=lhs, right=rhs),
            st.sampled_from(ArithOp),
            sub,
            mixed,
        ),
        st.builds(
            lambda op, lhs, rhs: Arith(op=op, left=lhs, right=rhs),
            st.sampled_from(ArithOp),
            scalar,
            sub,
        ),
        st.builds(lambda c: Neg(operand=c), sub),
        st.builds(lambda c: Call(func=Func.ABS, args=(c,)), sub),
    )


@functools.cache
def _text(depth: int) -> st.SearchStrategy[Condition]:
    del depth
    return st.one_of(
        _TEXT_CONST,
        st.sampled_from([field("s"), field("u")]),
        st.builds(lambda i: Index(target=field("vec.t"), index=i), _IDX),
    )


@functools.cache
def _bool(depth: int) -> st.SearchStrategy[Condition]:
    leaves = st.one_of(
        st.booleans().map(lambda v: Const(value=v)),
        st.sampled_from([field("p"), field("q")]),
        st.builds(lambda i: Index(target=field("vec.f"), index=i), _IDX),
    )
    if depth <= 0:
        return leaves
    sub = st.deferred(lambda: _bool(depth - 1))
    num = _num(depth - 1)
    text = _text(depth - 1)
    vec = st.deferred(lambda: _boolvec(depth - 1))
    return st.one_of(
        leaves,
        st.builds(lambda op, lhs, rhs: Compare(op=op, left=lhs, right=rhs), _ORDERED, num, num),
        st.builds(lambda op, lhs, rhs: Compare(op=op, left=lhs, right=rhs), _EQUALITY, text, text),
        st.builds(lambda op, lhs, rhs: Compare(op=op, left=lhs, right=rhs), _EQUALITY, sub, sub),
        st.builds(
            lambda i, o, n: In(item=i, options=ListConst(items=tuple(o)), negated=n),
            num,
            st.lists(_NUM_CONST, max_size=3),
            st.booleans(),
        ),
        st.builds(
            lambda i, o, n: In(item=i, options=ListConst(items=tuple(o)), negated=n),
            text,
            st.lists(_TEXT_CONST, max_size=3),
            st.booleans(),
        ),
        st.builds(
            lambda i, o, n: In(item=i, options=ListConst(items=tuple(o)), negated=n),
            sub,
            st.lists(st.booleans().map(lambda v: Const(value=v)), max_size=2),
            st.booleans(),
        ),
        st.builds(lambda o: And(operands=tuple(o)), st.lists(sub, min_size=2, max_size=3)),
        st.builds(lambda o: Or(operands=tuple(o)), st.lists(sub, min_size=2, max_size=3)),
        st.builds(lambda c: Not(operand=c), sub),
        st.builds(lambda f, v: Call(func=f, args=(v,)), st.sampled_from([Func.ANY, Func.ALL]), vec),
    )


@functools.cache
def _boolvec(depth: int) -> st.SearchStrategy[Condition]:
    leaves = st.just(field("vec.f"))
    if depth <= 0:
        return leaves
    sub = st.deferred(lambda: _boolvec(depth - 1))
    numvec = _numvec(depth - 1)
    num = _num(depth - 1)
    scalar_bool = st.deferred(lambda: _bool(depth - 1))
    return st.one_of(
        leaves,
        st.builds(
            lambda op, lhs, rhs: Compare(op=op, left=lhs, right=rhs), _ORDERED, numvec, num | numvec
        ),
        st.builds(
            lambda op, lhs, rhs: Compare(op=op, left=lhs, right=rhs),
            _EQUALITY,
            st.just(field("vec.t")),
            _text(0),
        ),
        st.builds(
            lambda o, n: In(item=field("vec.t"), options=ListConst(items=tuple(o)), negated=n),
            st.lists(_TEXT_CONST, max_size=2),
            st.booleans(),
        ),
        st.builds(lambda lhs, rhs: And(operands=(lhs, rhs)), sub, sub | scalar_bool),
        st.builds(lambda lhs, rhs: Or(operands=(lhs, rhs)), scalar_bool, sub),
        st.builds(lambda c: Not(operand=c), sub),
    )


conditions = st.one_of([_bool(depth) for depth in range(4)])


# -- the slow, independent per-row reference evaluator (None = unknown) ----------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_cell(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _pointwise(fn: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if isinstance(a, list) and isinstance(b, list):
        return [fn(x, y) for x, y in zip(a, b, strict=True)]
    if isinstance(a, list):
        return [fn(x, b) for x in a]
    if isinstance(b, list):
        return [fn(a, y) for y in b]
    return fn(a, b)


def _map(fn: Callable[[Any], Any], a: Any) -> Any:
    return [fn(x) for x in a] if isinstance(a, list) else fn(a)


def _number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _arith(op: ArithOp, x: Any, y: Any) -> Any:
    if x is None or y is None:
        return None
    if op is ArithOp.DIV:
        return None if y == 0 else _number(x / y)
    fn = {ArithOp.ADD: operator.add, ArithOp.SUB: operator.sub, ArithOp.MUL: operator.mul}[op]
    return _number(fn(x, y))


_PY_COMPARE = {
    CompareOp.EQ: operator.eq,
    CompareOp.NE: operator.ne,
    CompareOp.LT: operator.lt,
    CompareOp.LE: operator.le,
    CompareOp.GT: operator.gt,
    CompareOp.GE: operator.ge,
}


def _kleene_and(values: list[Any]) -> bool | None:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _kleene_or(values: list[Any]) -> bool | None:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def reference(node: Condition, row: dict[str, Any]) -> Any:
    """Evaluate ``node`` on one row of plain Python values, None meaning unknown."""
    evaluate = _REFERENCE.get(type(node))
    if evaluate is None:
        raise AssertionError(node)
    return evaluate(node, row)


def _ref_index(node: Index, row: dict[str, Any]) -> Any:
    items = reference(node.target, row)
    return items[node.index] if -len(items) <= node.index < len(items) else None


def _ref_arith(node: Arith, row: dict[str, Any]) -> Any:
    return _pointwise(
        lambda x, y: _arith(node.op, x, y),
        reference(node.left, row),
        reference(node.right, row),
    )


def _ref_compare(node: Compare, row: dict[str, Any]) -> Any:
    fn = _PY_COMPARE[node.op]
    return _pointwise(
        lambda x, y: None if x is None or y is None else fn(x, y),
        reference(node.left, row),
        reference(node.right, row),
    )


def _ref_in(node: In, row: dict[str, Any]) -> Any:
    options = [c.value for c in node.options.items]

    def member(x: Any) -> bool | None:
        if x is None:
            return None
        hit = any(type(x) is type(o) and x == o for o in options)
        return not hit if node.negated else hit

    return _map(member, reference(node.item, row))


def _ref_logic(node: And | Or, row: dict[str, Any]) -> Any:
    values = [reference(op, row) for op in node.operands]
    fn = _kleene_and if isinstance(node, And) else _kleene_or
    result = values[0]
    for value in values[1:]:
        result = _pointwise(lambda x, y, fn=fn: fn([x, y]), result, value)
    return result


def _ref_call(node: Call, row: dict[str, Any]) -> Any:
    args = [reference(a, row) for a in node.args]
    if node.func in (Func.MIN, Func.MAX) and len(args) > 1:
        if any(a is None for a in args):
            return None
        return min(args) if node.func is Func.MIN else max(args)
    return _REDUCE[node.func](args[0])


# One reference evaluation per node type.
_REFERENCE: dict[type, Callable[[Any, dict[str, Any]], Any]] = {
    Const: lambda node, row: node.value,
    Field: lambda node, row: row[node.name],
    Index: _ref_index,
    Slice: lambda node, row: reference(node.target, row)[node.start : node.stop],
    Arith: _ref_arith,
    Neg: lambda node, row: _map(lambda x: None if x is None else -x, reference(node.operand, row)),
    Compare: _ref_compare,
    In: _ref_in,
    And: _ref_logic,
    Or: _ref_logic,
    Not: lambda node, row: _map(
        lambda x: None if x is None else not x, reference(node.operand, row)
    ),
    Call: _ref_call,
}


def _known(reduce: Callable[[list[Any]], Any]) -> Callable[[Any], Any]:
    """Reduce a list whose items are all known and which is not empty; else None."""
    return lambda values: None if any(v is None for v in values) or not values else reduce(values)


def _known_sum(values: list[Any]) -> Any:
    """Sum a list whose items are all known (an empty sum is 0); else None."""
    return None if any(v is None for v in values) else _number(float(sum(values)))


# One reference reduction per function of one argument (min and max also take several).
_REDUCE: dict[Func, Callable[[Any], Any]] = {
    Func.ABS: lambda first: _map(lambda x: None if x is None else abs(x), first),
    Func.ANY: _kleene_or,
    Func.ALL: _kleene_and,
    Func.COUNT: lambda values: float(sum(1 for v in values if v is True)),
    Func.SUM: _known_sum,
    Func.MEAN: _known(lambda values: _number(sum(values) / len(values))),
    Func.MIN: _known(min),
    Func.MAX: _known(max),
}


def _rows(frame: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    n = len(frame["a"])
    return [{name: _cell(column[i]) for name, column in frame.items()} for i in range(n)]


class TestAgainstReference:
    @given(conditions, frames())
    @settings(max_examples=500, deadline=None)
    def test_vectorised_equals_per_row_reference(
        self, node: Condition, frame: dict[str, np.ndarray]
    ) -> None:
        """The compiled condition gives the reference's three-valued result on every row."""
        compiled = compile_condition(node, _SCHEMA)
        true, known = compiled(frame)
        expected = [reference(node, row) for row in _rows(frame)]
        assert known.tolist() == [v is not None for v in expected]
        assert true.tolist() == [v is True for v in expected]

    @given(conditions)
    @settings(max_examples=200, deadline=None)
    def test_generated_trees_type_check_as_conditions(self, node: Condition) -> None:
        """Every well-typed generated tree checks as BOOL (the generator and checker agree)."""
        assert check_condition(node, _SCHEMA) is FieldType.BOOL


def _frame(**columns: Any) -> dict[str, np.ndarray]:
    return {name.replace("__", "."): np.asarray(value) for name, value in columns.items()}


class TestThreeValuedLogic:
    def test_unknown_and_false_is_false(self) -> None:
        """`unknown and false` is known false; `unknown or true` is known true."""
        frame = {"a": np.array([np.nan]), "b": np.array([1.0])}
        true, known = compile_condition(parse("a > 0 and b > 5"), _SCHEMA)(frame)
        assert (true.tolist(), known.tolist()) == ([False], [True])
        true, known = compile_condition(parse("a > 0 or b > 0"), _SCHEMA)(frame)
        assert (true.tolist(), known.tolist()) == ([True], [True])

    def test_not_unknown_is_unknown(self) -> None:
        """`not unknown` stays unknown, so it does not match."""
        frame = {"a": np.array([np.nan])}
        compiled = compile_condition(parse("not a > 0"), _SCHEMA)
        assert compiled.matches(frame).tolist() == [False]
        assert compiled(frame)[1].tolist() == [False]

    def test_division_by_zero_is_unknown(self) -> None:
        """A ratio with a zero denominator is unknown rather than infinite."""
        frame = {"a": np.array([1.0, 1.0]), "b": np.array([0.0, 2.0])}
        true, known = compile_condition(parse("a / b > 0"), _SCHEMA)(frame)
        assert known.tolist() == [False, True]
        assert true.tolist() == [False, True]

    def test_count_counts_known_trues(self) -> None:
        """count() counts elements known to be true; unknown elements do not count."""
        frame = {"vec.t": np.array([["A", None, "A"], ["A", "B", None]], dtype=object)}
        compiled = compile_condition(parse('count(vec.t == "A") >= 2'), _SCHEMA)
        assert compiled.matches(frame).tolist() == [True, False]

    def test_out_of_range_index_is_unknown(self) -> None:
        """Indexing past a short history gives unknown, not an error."""
        frame = {"vec.t": np.empty((2, 0), dtype=object)}
        _true, known = compile_condition(parse('vec.t[-1] == "A"'), _SCHEMA)(frame)
        assert known.tolist() == [False, False]

    def test_constant_condition_broadcasts(self) -> None:
        """A condition reading no field still returns one result per subject."""
        compiled = compile_condition(parse("1 < 2"), _SCHEMA)
        assert compiled.fields == ()
        assert compiled({"a": np.zeros(3)})[0].tolist() == [True, True, True]

    def test_unicode_text_arrays(self) -> None:
        """Fixed-width numpy text arrays work, with '' meaning unknown."""
        frame = {"s": np.array(["A", "", "B"])}
        true, known = compile_condition(parse('s in ["A", "C"]'), _SCHEMA)(frame)
        assert true.tolist() == [True, False, False]
        assert known.tolist() == [True, False, True]


class TestTypeChecking:
    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ("s > 1", "cannot compare a text with a number"),
            ('s < "B"', "needs numbers"),
            ("a and p", "'and' needs conditions"),
            ("s + 1 > 2", "arithmetic needs numbers"),
            ("any(a > 1)", "any() needs a vector"),
            ("sum(a) > 1", "sum() needs a number vector"),
            ("a[1] > 0", "only vectors"),
            ("vec.x > 1", "wrap it in any(), all() or count()"),
            ("a + 1", "must be true or false"),
            ('s in ["A", 1]', "list item 1 is a number"),
            ("a == null", "null cannot be used"),
            ("[1, 2] == a", "a list can only follow"),
            ("any(vec.x[1:] > vec.y)", "different lengths or families"),
            ("min(vec.x, a) > 1", "of several values needs numbers"),
        ],
    )
    def test_type_errors(self, text: str, fragment: str) -> None:
        """Type errors say what is wrong in words a rule author understands."""
        with pytest.raises(RuleTypeError) as info:
            compile_condition(parse(text), _SCHEMA)
        assert fragment in str(info.value)

    def test_unknown_field_suggests_and_points(self) -> None:
        """An unknown field is named, close names are suggested and the column is shown."""
        schema = FieldSchema.for_keys(kpi_keys=["csat", "aht"], category_keys=["cost"])
        text = "total >= 90 and kpi.csta.score >= 100"
        with pytest.raises(RuleTypeError) as info:
            check_condition(parse(text), schema)
        message = str(info.value)
        assert "unknown field 'kpi.csta.score'" in message
        assert "'kpi.csat.score'" in message
        assert "column 17" in message
        assert message.splitlines()[-1].index("^") - 2 == text.index("kpi.csta")

    def test_unknown_field_lists_known_ones(self) -> None:
        """Without a close match, the known fields are listed."""
        with pytest.raises(RuleTypeError, match=r"the known fields are: a, b, p, q, s, u, vec\.f"):
            check_condition(parse("zzz > 1"), _SCHEMA)

    def test_attribute_style_access_is_an_unknown_field(self) -> None:
        """`total.real` is refused: a field has no parts, attributes are never read."""
        schema = FieldSchema.for_keys(kpi_keys=[], category_keys=[])
        with pytest.raises(RuleTypeError, match="'total' is a field and has no part 'real'"):
            check_condition(parse("total.real > 1"), schema)

    def test_tree_built_in_code_shows_its_text(self) -> None:
        """For a tree not parsed from text, the error quotes the rendered condition."""
        node = Compare(op=CompareOp.GT, left=field("nope"), right=Const(value=1))
        with pytest.raises(RuleTypeError, match=r"in: nope > 1"):
            check_condition(node, _SCHEMA)

    def test_check_returns_expression_type(self) -> None:
        """check_condition returns the type of any expression, not only conditions."""
        assert check_condition(parse("a + b"), _SCHEMA) is FieldType.NUMBER
        assert check_condition(parse("vec.t[-2:]"), _SCHEMA) is FieldType.TEXT_VECTOR
        assert check_condition(parse("count(vec.f)"), _SCHEMA) is FieldType.NUMBER


class TestLimits:
    def test_cost_limit(self) -> None:
        """A condition whose estimated cost exceeds max_cost is refused."""
        text = " or ".join(["any(vec.x > 1)"] * 4)
        compile_condition(parse(text), _SCHEMA, limits=Limits(max_cost=100))
        with pytest.raises(RuleLimitError, match="estimated cost exceeds 20"):
            compile_condition(parse(text), _SCHEMA, limits=Limits(max_cost=20))

    def test_limits_apply_to_trees_built_in_code(self) -> None:
        """Depth, node count and rendered length are checked for trees not from text."""
        node: Condition = field("a")
        for _ in range(40):
            node = Neg(operand=node)
        with pytest.raises(RuleLimitError, match="deeper than 32"):
            check_condition(Compare(op=CompareOp.GT, left=node, right=Const(value=0)), _SCHEMA)
        wide = In(item=field("a"), options=ListConst(items=[Const(value=i) for i in range(600)]))
        with pytest.raises(RuleLimitError, match="nodes"):
            check_condition(wide, _SCHEMA)
        long = In(item=field("s"), options=ListConst(items=[Const(value="x" * 200)] * 30))
        with pytest.raises(RuleLimitError, match="characters long"):
            check_condition(long, _SCHEMA)


class TestFrames:
    def test_missing_column(self) -> None:
        """A frame without a column the condition reads is a DataError naming the column."""
        compiled = compile_condition(parse("a > 1 and b > 1"), _SCHEMA)
        with pytest.raises(DataError, match="no column 'b'"):
            compiled({"a": np.zeros(2)})

    def test_wrong_dtype_and_shape(self) -> None:
        """Text in a number column, wrong ranks and ragged lengths are DataErrors."""
        compiled = compile_condition(parse("a > 1 and any(vec.x > 0)"), _SCHEMA)
        with pytest.raises(DataError, match="expected numbers"):
            compiled({"a": np.array(["x"]), "vec.x": np.zeros((1, 2))})
        with pytest.raises(DataError, match="2-D array"):
            compiled({"a": np.zeros(2), "vec.x": np.zeros(2)})
        with pytest.raises(DataError, match="rows"):
            compiled({"a": np.zeros(2), "vec.x": np.zeros((3, 2))})

    def test_vector_family_widths_must_agree(self) -> None:
        """Two vectors of one family with different widths are refused."""
        compiled = compile_condition(parse("any(vec.x > vec.y)"), _SCHEMA)
        with pytest.raises(DataError, match="one width"):
            compiled({"vec.x": np.zeros((2, 2)), "vec.y": np.zeros((2, 3))})

    def test_compiled_fields_for_traces(self) -> None:
        """CompiledCondition.fields lists each field read, sorted, once."""
        compiled = compile_condition(parse("a > 1 and (b < a or s == 'A')"), _SCHEMA)
        assert compiled.fields == ("a", "b", "s")


class TestFieldSchema:
    def test_standard_fields(self) -> None:
        """for_keys gives per-KPI, per-category, subject and history fields with their types."""
        schema = FieldSchema.for_keys(kpi_keys=["csat"], category_keys=["cost"], history_depth=4)
        assert schema.fields["kpi.csat.score"] is FieldType.NUMBER
        assert schema.fields["kpi.csat.missing"] is FieldType.BOOL
        assert schema.fields["kpi.score"] is FieldType.NUMBER_VECTOR
        assert schema.fields["category.cost"] is FieldType.NUMBER
        assert schema.fields["history.rating"] is FieldType.TEXT_VECTOR
        assert schema.fields["grade"] is FieldType.TEXT
        assert schema.widths == {"kpi": 1, "history": 4}

    def test_schema_is_hashable_and_compares_by_content(self) -> None:
        """Two schemas with the same fields are equal and hash alike (usable as cache keys)."""
        one = FieldSchema.for_keys(kpi_keys=["a", "b"], category_keys=[])
        two = FieldSchema.for_keys(kpi_keys=["a", "b"], category_keys=[])
        assert one == two
        assert hash(one) == hash(two)

    def test_bad_schema_refused(self) -> None:
        """Invalid names or types in a schema are ValidationErrors."""
        with pytest.raises(ValidationError):
            FieldSchema(fields={"a.__dict__": FieldType.NUMBER})
        with pytest.raises(ValidationError, match="FieldType"):
            FieldSchema(fields={"a": "number"})  # type: ignore[dict-item]


class TestHistory:
    def test_from_records_aligns_most_recent(self) -> None:
        """Shorter records are padded at the old end so [-1] is the latest cycle."""
        history = History.from_records([[("A", 91.0), ("B", 80.0)], [("C", None)], []])
        assert history.ratings.tolist() == [["A", "B"], [None, "C"], [None, None]]
        assert np.isnan(history.totals[1, 0])
        assert history.totals[0].tolist() == [91.0, 80.0]
        assert len(history) == 3

    def test_from_records_refuses_bad_values(self) -> None:
        """A non-text rating or a non-finite total is refused with its position."""
        with pytest.raises(ValidationError, match=r"\[0\]\[0\]: total nan"):
            History.from_records([[("A", math.nan)]])
        with pytest.raises(ValidationError, match="rating 3"):
            History.from_records([[(3, 1.0)]])  # type: ignore[list-item]

    def test_shapes_checked(self) -> None:
        """Ratings and totals must be 2-D arrays of one shape."""
        with pytest.raises(ValidationError, match="differs"):
            History(ratings=np.full((2, 1), None, dtype=object), totals=np.zeros((2, 2)))


class TestFrameFromScores:
    @staticmethod
    def _scored() -> tuple[Any, Any, Any]:
        from decimal import Decimal

        from perfmgmt.presets.customer_service import customer_service_manager
        from perfmgmt.scoring.engine import ScoringEngine
        from perfmgmt.scoring.population import Population

        scheme = customer_service_manager()
        actual = np.array(
            [
                [92, 12, 80, 75, 12, 5, 2],
                [75, 30, np.nan, 60, 6, 0, 0],
                [60, 45, 50, 50, 2, -3, 0],
            ],
            dtype=float,
        )
        ratings = np.full((3, len(scheme.criteria), len(scheme.sources)), 4.0)
        raters = np.full(ratings.shape, 5, dtype=np.int64)
        population = Population.from_arrays(
            scheme,
            subject_ids=["a", "b", "c"],
            actual=actual,
            ratings=ratings,
            raters=raters,
            grade=["M1", "M2", None],
            department=["east", "west", "east"],
            tenure_days=[400.0, 100.0, np.nan],
            base_pay=[Decimal("12000.00"), None, Decimal("9000.00")],
            currency="CNY",
        )
        return scheme, population, ScoringEngine().score_batch(scheme, population)

    def test_frame_from_real_batch_scores(self) -> None:
        """The frame built from real BatchScores has every schema field with the batch's values."""
        scheme, population, batch = self._scored()
        history = History.from_records([[("A", 95.0)], [("B", 80.0), ("A", 92.0)], []])
        frame = frame_from_scores(batch, population, history)
        schema = FieldSchema.for_scheme(scheme)
        assert set(schema.fields) <= set(frame)
        np.testing.assert_array_equal(frame["total"], batch.total)
        np.testing.assert_array_equal(frame["kpi.csat.score"], batch.score[:, 0])
        np.testing.assert_array_equal(frame["kpi.score"], batch.score)
        labels = [batch.rating_labels[i] if i >= 0 else None for i in batch.rating_index]
        assert frame["rating"].tolist() == labels
        assert frame["kpi.fcr.missing"].tolist() == [False, True, False]
        assert frame["grade"].tolist() == ["M1", "M2", None]
        assert np.isnan(frame["base_pay"][1])
        assert frame["history.rating"].shape == (3, 2)

    def test_rules_run_on_real_scores(self) -> None:
        """Contract example rules compile against the scheme's schema and run on the frame."""
        scheme, population, batch = self._scored()
        frame = frame_from_scores(batch, population)
        schema = FieldSchema.for_scheme(scheme)
        missing = compile_condition(parse("kpi.fcr.missing"), schema)
        assert missing.matches(frame).tolist() == [False, True, False]
        tenure = compile_condition(parse('tenure_days >= 180 and grade in ["M1", "M2"]'), schema)
        true, known = tenure(frame)
        assert true.tolist() == [True, False, False]
        assert known.tolist() == [True, True, False]
        low = compile_condition(parse("any(kpi.score < 60)"), schema)
        expected = [bool(np.any(row < 60)) for row in batch.score]
        assert low.matches(frame).tolist() == expected

    def test_without_population_attributes_are_unknown(self) -> None:
        """Without a population, subject attributes are present but unknown (never match)."""
        scheme, _population, batch = self._scored()
        frame = frame_from_scores(batch)
        compiled = compile_condition(parse("tenure_days >= 0"), FieldSchema.for_scheme(scheme))
        assert compiled(frame)[1].tolist() == [False, False, False]
        assert frame["history.total"].shape == (3, 0)

    def test_row_counts_must_agree(self) -> None:
        """A history for a different number of subjects is a DataError."""
        _scheme, population, batch = self._scored()
        with pytest.raises(DataError, match="history has 1 subjects"):
            frame_from_scores(batch, population, History.from_records([[("A", 1.0)]]))


class TestOwnership:
    def test_results_never_alias_the_frame(self) -> None:
        """The returned arrays are not the caller's columns, so modifying them is safe."""
        frame = {"q": np.array([True, False])}
        true, known = compile_condition(parse("q"), _SCHEMA)(frame)
        true[:] = False
        known[:] = False
        assert frame["q"].tolist() == [True, False]


def _encoded(column: np.ndarray, order: list[str]) -> TextCodes:
    """Encode an object text column with the labels in ``order`` (plus one no subject has)."""
    labels = [*order, "Z"]
    codes = np.array(
        [-1 if v is None else labels.index(v) for v in column.ravel().tolist()], dtype=np.int32
    )
    return TextCodes(labels=labels, codes=codes.reshape(column.shape))


class TestTextCodes:
    @given(conditions, frames(), st.permutations(["A", "B", "C"]), st.permutations(["A", "B"]))
    @settings(max_examples=300, deadline=None)
    def test_codes_give_the_same_result_as_texts(
        self,
        node: Condition,
        frame: dict[str, np.ndarray],
        order_s: list[str],
        order_u: list[str],
    ) -> None:
        """Text columns as codes (any label order, differing tables) match the object columns."""
        compiled = compile_condition(node, _SCHEMA)
        coded = {
            **frame,
            "s": _encoded(frame["s"], order_s),
            "u": _encoded(frame["u"], order_u),
            "vec.t": _encoded(frame["vec.t"], order_s),
        }
        true, known = compiled(frame)
        coded_true, coded_known = compiled(coded)
        assert coded_true.tolist() == true.tolist()
        assert coded_known.tolist() == known.tolist()

    def test_long_in_list_uses_the_same_three_valued_logic(self) -> None:
        """An 'in' list longer than the compare chain (a lookup table) keeps unknown unknown."""
        labels = [f"L{k}" for k in range(8)]
        column = TextCodes(labels=labels, codes=np.array([0, 5, 7, -1], dtype=np.int32))
        node = parse('s in ["L0", "L2", "L3", "L5", "L6", "X"]')
        true, known = compile_condition(node, _SCHEMA)({"s": column})
        assert true.tolist() == [True, True, False, False]
        assert known.tolist() == [True, True, True, False]
        negated = compile_condition(parse('s not in ["L0", "L2", "L3", "L5", "L6"]'), _SCHEMA)
        assert negated.matches({"s": column}).tolist() == [False, False, True, False]

    def test_from_values_marks_none_nan_and_empty_unknown(self) -> None:
        """None and NaN in object arrays, and "" in fixed-width arrays, encode as -1."""
        objects = TextCodes.from_values(np.array(["B", None, math.nan, "A", "B"], dtype=object))
        assert objects.labels == ("A", "B")
        assert objects.codes.tolist() == [1, -1, -1, 0, 1]
        assert objects.tolist() == ["B", None, None, "A", "B"]
        fixed = TextCodes.from_values(np.array([["x", ""], ["", "y"]]))
        assert fixed.labels == ("x", "y")
        assert fixed.tolist() == [["x", None], [None, "y"]]
        assert fixed.shape == (2, 2)
        assert np.asarray(fixed).dtype == object

    def test_rows_read_back_as_texts(self) -> None:
        """Indexing gives a subject's text (None if unknown), or its row for a vector column."""
        column = TextCodes(labels=("A", "B"), codes=np.array([1, -1], dtype=np.int64))
        assert (column[0], column[1], len(column)) == ("B", None, 2)
        vector = TextCodes(labels=("A",), codes=np.array([[0, -1]], dtype=np.int32))
        assert np.asarray(vector[0]).tolist() == ["A", None]
        with pytest.raises(DataError, match="index"):
            column["A"]  # type: ignore[index]

    @pytest.mark.parametrize(
        ("labels", "codes", "fragment"),
        [
            (("A", "A"), np.array([0]), "distinct"),
            (("A",), np.array([0, 1]), "codes"),
            (("A",), np.array([-2]), "codes"),
            (("A",), np.array([0.0]), "signed integer"),
            (("A", 3), np.array([0]), "labels"),
        ],
    )
    def test_bad_codes_and_labels_refused(
        self, labels: tuple[object, ...], codes: np.ndarray, fragment: str
    ) -> None:
        """Repeated labels, codes out of range or not integers, non-text labels are refused."""
        with pytest.raises(ValidationError, match=fragment):
            TextCodes(labels=labels, codes=codes)  # type: ignore[arg-type]

    def test_non_text_values_refused_by_column(self) -> None:
        """A number in an object text column is a DataError naming the column and value."""
        frame = {"s": np.array(["A", 3], dtype=object)}
        with pytest.raises(DataError, match=r"column 's': 3 is not allowed"):
            compile_condition(parse('s == "A"'), _SCHEMA)(frame)
        with pytest.raises(DataError, match="dtype float64"):
            compile_condition(parse('s == "A"'), _SCHEMA)({"s": np.zeros(1)})

    def test_frame_from_scores_codes_text_and_caches_subject_columns(self) -> None:
        """Rating, grade, department and history are codes; population columns are built once."""
        _scheme, population, batch = TestFrameFromScores()._scored()
        history = History.from_records([[("A", 95.0)], [], [("B", 80.0)]])
        first = frame_from_scores(batch, population, history)
        second = frame_from_scores(batch, population, history)
        for name in ("rating", "grade", "department", "history.rating"):
            assert isinstance(first[name], TextCodes)
        assert first["grade"] is second["grade"]
        assert first["history.rating"] is second["history.rating"]
        tenure = first["tenure_days"]
        assert isinstance(tenure, np.ndarray)
        assert not tenure.flags.writeable
        grade = first["grade"]
        assert isinstance(grade, TextCodes)
        assert not grade.codes.flags.writeable
        assert first["history.rating"].tolist() == [["A"], [None], ["B"]]


class TestShortVectorReductions:
    @given(
        st.integers(1, 80).flatmap(
            lambda w: st.lists(
                st.lists(st.sampled_from([0.0, 1.0, math.nan]), min_size=w, max_size=w),
                min_size=1,
                max_size=4,
            )
        )
    )
    @settings(max_examples=100, deadline=None)
    def test_any_all_count_match_numpy_at_every_width(self, rows: list[list[float]]) -> None:
        """any/all/count by column loop (width <= 64) or numpy (wider) agree with the reference."""
        schema = FieldSchema(fields={"vec.x": FieldType.NUMBER_VECTOR})
        frame = {"vec.x": np.array(rows)}
        values = [[None if math.isnan(v) else v > 0.5 for v in row] for row in rows]
        for text, fn in (("any", _kleene_or), ("all", _kleene_and)):
            true, known = compile_condition(parse(f"{text}(vec.x > 0.5)"), schema)(frame)
            expected = [fn(row) for row in values]
            assert known.tolist() == [v is not None for v in expected]
            assert true.tolist() == [v is True for v in expected]
        count = compile_condition(parse("count(vec.x > 0.5) >= 0"), schema)
        assert count.matches(frame).all()
        exact = [
            compile_condition(parse(f"count(vec.x > 0.5) == {sum(v is True for v in row)}"), schema)
            .matches({"vec.x": np.array([r])})
            .tolist()
            for row, r in zip(values, rows, strict=True)
        ]
        assert exact == [[True]] * len(rows)
