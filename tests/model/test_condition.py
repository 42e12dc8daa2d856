"""Tests for perfmgmt.model.condition: the closed condition AST as validated frozen data."""

from __future__ import annotations

import attrs
import pytest

from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model.condition import (
    CONDITION_TYPES,
    And,
    Arith,
    ArithOp,
    Call,
    Compare,
    CompareOp,
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


class TestConst:
    def test_ints_become_floats(self) -> None:
        """An int constant is stored as a float, so 90 and 90.0 are the same node."""
        assert Const(value=90) == Const(value=90.0)
        assert isinstance(Const(value=90).value, float)

    def test_bool_is_not_a_number(self) -> None:
        """Const(True) differs from Const(1.0) although True == 1 in Python."""
        assert Const(value=True) != Const(value=1.0)
        assert Const(value=True).value is True

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
    def test_non_finite_numbers_refused(self, bad: float) -> None:
        """NaN and infinities are not constants; the error names the field."""
        with pytest.raises(ValidationError, match=r"Const\.value.*finite"):
            Const(value=bad)

    def test_huge_int_refused_without_printing_it(self) -> None:
        """An int too large for a float is refused with a short message."""
        with pytest.raises(ValidationError, match="bits") as info:
            Const(value=10**5000)
        assert len(str(info.value)) < 200

    @pytest.mark.parametrize(
        ("bad", "reason"),
        [
            ("a\\nb", "backslash"),
            ("a\nb", "control"),
            ("x" * 300, "256"),
            ('it\'s "quoted"', "both"),
        ],
    )
    def test_unrenderable_texts_refused(self, bad: str, reason: str) -> None:
        """Texts that the text form could not write back are refused on construction."""
        with pytest.raises(ValidationError, match=reason):
            Const(value=bad)

    def test_other_types_refused(self) -> None:
        """A value that is not a number, text, bool or None is refused."""
        with pytest.raises(ValidationError, match="expected a number, a string"):
            Const(value=[1])  # type: ignore[arg-type]


class TestField:
    def test_dotted_helper(self) -> None:
        """field('kpi.csat.score') splits the dotted name into path segments."""
        node = field("kpi.csat.score")
        assert node.path == ("kpi", "csat", "score")
        assert node.name == "kpi.csat.score"

    @pytest.mark.parametrize(
        "bad", ["total.__class__", "__import__", "1abc", "a..b", "and", "lambda", "a.b-c", ""]
    )
    def test_bad_names_refused(self, bad: str) -> None:
        """Dunder segments, keywords in first position and non-identifiers are refused."""
        with pytest.raises(ValidationError):
            field(bad)

    def test_keywords_allowed_after_a_dot(self) -> None:
        """A keyword can be a later segment (a KPI keyed 'in' is still addressable)."""
        assert field("kpi.in.score").path[1] == "in"

    def test_path_must_be_a_sequence(self) -> None:
        """A bare string path is refused rather than split into characters."""
        with pytest.raises(ValidationError, match="tuple or list"):
            Field(path="total")  # type: ignore[arg-type]

    def test_path_length_bounded(self) -> None:
        """A field name has at most eight segments."""
        with pytest.raises(ValidationError, match="segments"):
            field(".".join(["a"] * 9))


class TestStructure:
    def test_and_or_need_two_operands(self) -> None:
        """And/Or with fewer than two operands are refused."""
        with pytest.raises(ValidationError, match="at least two"):
            And(operands=(Const(value=True),))
        with pytest.raises(ValidationError, match="at least two"):
            Or(operands=())

    def test_children_must_be_nodes(self) -> None:
        """A child that is not a condition node is refused, naming the field."""
        with pytest.raises(ValidationError, match=r"Not\.operand"):
            Not(operand="total > 3")  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match=r"Compare\.op"):
            Compare(op=">", left=field("a"), right=Const(value=1))  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("func", "count"),
        [(Func.ANY, 0), (Func.SUM, 2), (Func.ABS, 2), (Func.MIN, 0), (Func.MAX, 17)],
    )
    def test_call_arity(self, func: Func, count: int) -> None:
        """Each function's argument count is checked on construction."""
        with pytest.raises(ValidationError, match=rf"{func.value}\(\) takes"):
            Call(func=func, args=tuple(field("a") for _ in range(count)))

    def test_index_bounds(self) -> None:
        """Indices are ints within +-9999; bools are not ints here."""
        with pytest.raises(ValidationError):
            Index(target=field("v"), index=10_000)
        with pytest.raises(ValidationError):
            Index(target=field("v"), index=True)
        with pytest.raises(ValidationError):
            Slice(target=field("v"), start=1.5)  # type: ignore[arg-type]

    def test_list_items_are_consts(self) -> None:
        """ListConst holds only constants."""
        with pytest.raises(ValidationError, match="constants"):
            ListConst(items=(field("a"),))  # type: ignore[arg-type]

    def test_in_needs_a_list(self) -> None:
        """In.options must be a ListConst."""
        with pytest.raises(ValidationError):
            In(item=field("a"), options=Const(value=1))  # type: ignore[arg-type]

    def test_nodes_are_frozen_and_hashable(self) -> None:
        """Nodes are immutable, compare by value and can be set members."""
        node = Arith(op=ArithOp.ADD, left=field("a"), right=Neg(operand=Const(value=1)))
        twin = Arith(op=ArithOp.ADD, left=field("a"), right=Neg(operand=Const(value=1.0)))
        assert node == twin
        assert len({node, twin}) == 1
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            node.op = ArithOp.SUB  # type: ignore[misc]

    def test_condition_types_is_the_closed_set(self) -> None:
        """CONDITION_TYPES lists the thirteen node classes, all frozen attrs classes."""
        assert len(CONDITION_TYPES) == 13
        assert all(attrs.has(cls) for cls in CONDITION_TYPES)

    def test_errors_are_perfmgmt_errors(self) -> None:
        """Every construction error is a PerfmgmtError."""
        with pytest.raises(PerfmgmtError):
            Compare(op=CompareOp.EQ, left=field("a"), right=None)  # type: ignore[arg-type]
