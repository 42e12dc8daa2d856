"""Strategies for conditions, outcomes, incentive rules, decision tables and bonus pools."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from perfmgmt.model import (
    AdjustmentKind,
    Bonus,
    BonusBasis,
    CollectAggregation,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    Honour,
    IncentiveRule,
    PositionAdjustment,
    Promotion,
    TableInput,
    TableRow,
    TrainingOpportunity,
)
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
)
from perfmgmt.model.incentive import BonusPool, Outcome
from perfmgmt.strategies._values import (
    _check_sizes,
    _default_keys,
    _finite,
    _make,
    _or_default,
    _texts,
    decimals,
    keys,
    labels,
)


def _segments() -> st.SearchStrategy[str]:
    return keys(max_size=10).filter(lambda s: not s.startswith("__"))


def _fields() -> st.SearchStrategy[Field]:
    return st.lists(_segments(), min_size=1, max_size=3).map(lambda p: Field(path=tuple(p)))


def _const_values() -> st.SearchStrategy[float | str | bool | None]:
    text = st.text(alphabet=string.ascii_letters + string.digits + " '_-绩效", max_size=12)
    return st.one_of(_finite(-1e6, 1e6), text, st.booleans(), st.none())


def _consts() -> st.SearchStrategy[Const]:
    return st.builds(Const, value=_const_values())


def _list_consts() -> st.SearchStrategy[ListConst]:
    return st.builds(ListConst, items=st.lists(_consts(), max_size=4).map(tuple))


_ARITY = {
    Func.ANY: (1, 1),
    Func.ALL: (1, 1),
    Func.COUNT: (1, 1),
    Func.SUM: (1, 1),
    Func.MEAN: (1, 1),
    Func.ABS: (1, 1),
    Func.MIN: (1, 4),
    Func.MAX: (1, 4),
}


def _node_builders(
    child: st.SearchStrategy[Condition],
) -> dict[type, st.SearchStrategy[Condition]]:
    index = st.integers(-20, 20)
    return {
        Compare: st.builds(Compare, op=st.sampled_from(CompareOp), left=child, right=child),
        And: st.builds(And, operands=st.lists(child, min_size=2, max_size=3).map(tuple)),
        Or: st.builds(Or, operands=st.lists(child, min_size=2, max_size=3).map(tuple)),
        Not: st.builds(Not, operand=child),
        Arith: st.builds(Arith, op=st.sampled_from(ArithOp), left=child, right=child),
        Neg: st.builds(Neg, operand=child),
        In: st.builds(In, item=child, options=_list_consts(), negated=st.booleans()),
        Index: st.builds(Index, target=child, index=index),
        Slice: st.builds(Slice, target=child, start=st.none() | index, stop=st.none() | index),
        Call: st.sampled_from(Func).flatmap(
            lambda f: st.builds(
                Call,
                func=st.just(f),
                args=st.lists(child, min_size=_ARITY[f][0], max_size=_ARITY[f][1]).map(tuple),
            )
        ),
    }


def _leaves() -> st.SearchStrategy[Condition]:
    return st.one_of(_fields(), _consts(), _list_consts())


def conditions(*, max_leaves: int = 8) -> st.SearchStrategy[Condition]:
    """Return a strategy for condition trees made of every node type.

    The trees are structurally valid (every node passes its own checks, so they serialise and
    round-trip) but not type-checked against a scheme: a field may name nothing and a
    comparison may mix text and numbers. Use them to test storage and transport of rules, and
    the type checker's error paths.

    Args:
        max_leaves: Most leaves (fields and constants) in a tree (>= 1).
    """
    if not isinstance(max_leaves, int) or isinstance(max_leaves, bool) or max_leaves < 1:
        raise InvalidArgument(f"conditions: max_leaves={max_leaves!r} must be >= 1")
    return st.recursive(
        _leaves(),
        lambda child: st.one_of(*_node_builders(child).values()),
        max_leaves=max_leaves,
    )


def _node_strategy(cls: type) -> st.SearchStrategy[Any]:
    """Return a strategy for one condition node class (used by the from_type hook)."""
    if cls is Const:
        return _consts()
    if cls is ListConst:
        return _list_consts()
    if cls is Field:
        return _fields()
    return _node_builders(conditions(max_leaves=4))[cls]


def _money_outcome(
    basis_cls: type[BonusBasis] | type[DeductionBasis],
) -> st.SearchStrategy[dict[str, Any]]:
    currency = st.sampled_from(["CNY", "USD", "EUR", "JPY"])

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        basis = draw(st.sampled_from(basis_cls))
        out: dict[str, Any] = {"basis": basis, "value": draw(decimals(max_value=100_000))}
        if basis.value == "percent_of_base_pay":
            out["currency"] = draw(st.none() | currency)
        else:
            out["currency"] = draw(currency)
        if basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS:
            out["target_bonus"] = draw(decimals(max_value=100_000))
        return out

    return build()


def outcomes() -> st.SearchStrategy[Outcome]:
    """Return a strategy for any outcome type (bonus, deduction, promotion, training, ...)."""
    return st.one_of(
        _money_outcome(BonusBasis).map(lambda kw: Bonus(**kw)),
        _money_outcome(DeductionBasis).map(lambda kw: Deduction(**kw)),
        st.builds(
            Promotion, to_grade=st.none() | st.sampled_from(["M1", "M2", "M3"]), note=_texts()
        ),
        st.builds(TrainingOpportunity, topic=_texts(min_size=1), kpi=st.none() | keys()),
        st.builds(Honour, title=_texts(min_size=1)),
        st.builds(PositionAdjustment, kind=st.sampled_from(AdjustmentKind), note=_texts()),
    )


def incentive_rules(
    *,
    keys: st.SearchStrategy[str] | None = None,
    conditions: st.SearchStrategy[Condition] | None = None,
    outcomes: st.SearchStrategy[Outcome] | None = None,
    max_outcomes: int = 3,
) -> st.SearchStrategy[IncentiveRule]:
    """Return a strategy for :class:`~perfmgmt.model.IncentiveRule`.

    Args:
        keys: Strategy for the rule key.
        conditions: Strategy for the condition tree; :func:`conditions` by default.
        outcomes: Strategy for one outcome; :func:`outcomes` by default.
        max_outcomes: Most outcomes per rule (>= 1).
    """
    if not isinstance(max_outcomes, int) or isinstance(max_outcomes, bool) or max_outcomes < 1:
        raise InvalidArgument(
            f"incentive_rules: max_outcomes={max_outcomes!r} must be >= 1 (a rule awards something)"
        )
    return st.builds(
        IncentiveRule,
        key=_or_default("keys", keys, _default_keys()),
        condition=_or_default("conditions", conditions, _default_conditions()),
        outcomes=st.lists(
            _or_default("outcomes", outcomes, _default_outcomes()),
            min_size=1,
            max_size=max_outcomes,
        ).map(tuple),
        priority=st.integers(-10, 10),
        label=st.none() | labels(),
        description=_texts(max_size=20),
    )


def _default_conditions() -> st.SearchStrategy[Condition]:
    return conditions()


def _default_outcomes() -> st.SearchStrategy[Outcome]:
    return outcomes()


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


@st.composite
def _cell(draw: st.DrawFn, kind: str, options: tuple[str, ...]) -> str:
    if draw(st.integers(0, 4)) == 0:
        return "-"
    if kind == "number":
        a = draw(st.integers(-100, 200))
        b = a + draw(st.integers(1, 50))
        return draw(
            st.sampled_from(
                [
                    f">= {a}",
                    f"< {b}",
                    f"[{a}..{b})",
                    f"({a}..{b}]",
                    f"{a}",
                    f"{a}, {b}",
                    f"not({a})",
                ]
            )
        )
    if kind == "text":
        opts = draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
        body = ",".join(f'"{o}"' for o in opts)
        return draw(st.sampled_from([body, f"not({body})"]))
    return draw(st.sampled_from(["true", "false"]))


_TABLE_FIELDS = {
    "number": ["total", "quantitative", "tenure_days", "category.cost", "kpi.csat.score"],
    "text": ["rating", "grade", "department"],
    "bool": ["rated", "gated", "kpi.csat.missing"],
}
# Fields every scheme's rule schema has (scorable schemes use only these).
_SCHEME_FIELDS = {"number": ["total", "quantitative"], "text": ["rating"], "bool": ["rated"]}


def _plain_outcomes() -> st.SearchStrategy[Outcome]:
    # Outcomes the evaluator accepts with any population: no fixed-currency amounts.
    return st.one_of(
        decimals(max_value=30).map(Bonus.percent_of_base_pay),
        decimals(max_value=10).map(
            lambda v: Deduction(basis=DeductionBasis.PERCENT_OF_BASE_PAY, value=v)
        ),
        st.builds(Promotion, to_grade=st.none() | st.sampled_from(["M2", "M3"])),
        st.builds(TrainingOpportunity, topic=_texts(min_size=1)),
        st.builds(Honour, title=_texts(min_size=1)),
        st.builds(PositionAdjustment, kind=st.sampled_from(AdjustmentKind)),
    )


@st.composite
def _typed_rule(
    draw: st.DrawFn, key: str, kpi_keys: tuple[str, ...], rating_labels: tuple[str, ...]
) -> IncentiveRule:
    # Conditions built from text templates over fields every scheme has, so they type-check.
    from perfmgmt.rules.parse import parse  # noqa: PLC0415 - rules is only needed here

    n = draw(st.integers(0, 150))
    kpi = draw(st.sampled_from(kpi_keys))
    label = draw(st.sampled_from(rating_labels))
    text = draw(
        st.sampled_from(
            [
                f"total >= {n}",
                f'rating in ["{label}"]',
                f"kpi.{kpi}.score < {n}",
                f"quantitative > {n} and rated",
                f'not (rating == "{label}") or gated',
                f"count(kpi.score < {n}) >= 1",
            ]
        )
    )
    return _make(
        IncentiveRule,
        key=key,
        condition=parse(text),
        outcomes=tuple(draw(st.lists(_plain_outcomes(), min_size=1, max_size=2))),
        priority=draw(st.integers(-5, 5)),
    )


@st.composite
def _decision_table(
    draw: st.DrawFn,
    key_s: st.SearchStrategy[str],
    min_rows: int,
    max_rows: int,
    max_inputs: int,
    *,
    rating_labels: tuple[str, ...] | None = None,
) -> DecisionTable:
    # With rating labels the table reads only fields every scheme has, and awards no
    # fixed-currency money, so the evaluator accepts it for any scheme.
    fields = _TABLE_FIELDS if rating_labels is None else _SCHEME_FIELDS
    options = tuple("ABCDE") if rating_labels is None else rating_labels
    outputs = outcomes() if rating_labels is None else _plain_outcomes()
    pool = [(kind, name) for kind, names in fields.items() for name in names]
    columns = draw(
        st.lists(st.sampled_from(pool), min_size=1, max_size=max_inputs, unique_by=lambda c: c[1])
    )
    n_rows = draw(st.integers(min_rows, max_rows))
    rows = tuple(
        _make(
            TableRow,
            inputs=tuple(draw(_cell(kind, options)) for kind, _ in columns),
            outputs=tuple(draw(st.lists(outputs, max_size=2))),
            priority=draw(st.integers(0, 5)),
            annotation=draw(_texts(max_size=12)),
        )
        for _ in range(n_rows)
    )
    policy = draw(st.sampled_from(HitPolicy))
    aggregation = (
        draw(st.none() | st.sampled_from(CollectAggregation))
        if policy is HitPolicy.COLLECT
        else None
    )
    return _make(
        DecisionTable,
        key=draw(key_s),
        inputs=tuple(
            TableInput(field=name, label=draw(st.none() | labels())) for _, name in columns
        ),
        rows=rows,
        hit_policy=policy,
        aggregation=aggregation,
        label=draw(st.none() | labels()),
        description=draw(_texts(max_size=20)),
    )


def decision_tables(
    *,
    keys: st.SearchStrategy[str] | None = None,
    min_rows: int = 1,
    max_rows: int = 4,
    max_inputs: int = 3,
) -> st.SearchStrategy[DecisionTable]:
    """Return a strategy for :class:`~perfmgmt.model.DecisionTable` with well-formed cells.

    Each input column tests one kind of value (numbers, text or booleans) and every cell
    parses as a unary test (``">= 90"``, ``"[80..90)"``, ``'"A","B"'``, ``"-"``...).

    Args:
        keys: Strategy for the table key.
        min_rows: Fewest rows (>= 1).
        max_rows: Most rows.
        max_inputs: Most input columns (1 to 11).
    """
    _check_sizes("decision_tables", min_rows, max_rows, minimum=1)
    n_fields = sum(len(v) for v in _TABLE_FIELDS.values())
    if not isinstance(max_inputs, int) or not 1 <= max_inputs <= n_fields:
        raise InvalidArgument(
            f"decision_tables: max_inputs={max_inputs!r} must be between 1 and {n_fields}"
        )
    return _decision_table(
        _or_default("keys", keys, _default_keys()), min_rows, max_rows, max_inputs
    )


def bonus_pools() -> st.SearchStrategy[BonusPool]:
    """Return a strategy for :class:`~perfmgmt.model.incentive.BonusPool`."""
    return st.builds(
        BonusPool,
        currency=st.sampled_from(["CNY", "USD", "JPY"]),
        amount=st.none() | decimals(),
        per_person_cap=st.none() | decimals(),
        prorate=st.booleans(),
    )
