"""The rule evaluator: rules and decision tables over score cards, with traces and money.

One engine, two shapes: :meth:`RuleEvaluator.evaluate_batch` runs every rule and table once,
vectorised, over the columnar frame of a :class:`~perfmgmt.scoring.card.BatchScores`;
:meth:`RuleEvaluator.evaluate` builds a one-row frame from a :class:`ScoreCard` and runs the same
engine, so the two can never disagree.  Rules compile once per rule set and frame schema (the
cache is keyed by the identity of the rule objects).  Text columns are read as integer codes
(:class:`~perfmgmt.rules.compile.TextCodes`; object arrays are encoded once per call), large
frames run in chunks of rows, on worker threads when asked, and ``evaluate_batch`` builds only
the frame columns that some rule or table reads.

Money: a subject's bonus is the sum of the fixed amounts of every bonus that applies plus its
base pay times the sum of the percents (rounded once, half to even, to the currency's minor
unit); deductions likewise.  Then the optional :class:`~perfmgmt.model.incentive.BonusPool`
prorates, caps and scales the bonuses (see :mod:`perfmgmt.rules.pool`).

Every result keeps its trace: which rule or table row fired, the inputs each one read with their
values, the hit policy, and for the others why not (false, or unknown because an input was
missing).  ``explain`` renders it in English or Chinese.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast, overload

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._parallel import BlockRunner, OwnsThreads, check_workers
from perfmgmt._typing import BoolArray, FloatArray, IntArray
from perfmgmt._unary import CellKind
from perfmgmt.errors import RuleError
from perfmgmt.model.incentive import (
    Bonus,
    BonusBasis,
    BonusPool,
    CollectAggregation,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    IncentiveRule,
    Outcome,
    PositionAdjustment,
    Promotion,
    TrainingOpportunity,
)
from perfmgmt.model.money import check_currency, from_minor, minor_units, quantize
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules._display import (
    batch_decisions_html,
    batch_decisions_repr,
    batch_decisions_to_pandas,
    decisions_html,
    decisions_repr,
)
from perfmgmt.rules.compile import (
    CompiledCondition,
    FieldSchema,
    FieldType,
    History,
    Limits,
    TextCodes,
    _encode,
    _lazy_frame_from_scores,
    _LazyFrame,
    compile_condition,
)
from perfmgmt.rules.parse import render
from perfmgmt.rules.pool import PoolAllocation, allocate_minor, to_minor
from perfmgmt.rules.tables import CompiledTable, Selection, compile_table
from perfmgmt.scoring.card import BatchScores

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd

    from perfmgmt.model.review import Subject
    from perfmgmt.scoring.card import ScoreCard
    from perfmgmt.scoring.population import Population

__all__ = [
    "BatchDecisions",
    "Decision",
    "Decisions",
    "RuleEvaluator",
    "RuleSet",
    "SourceKind",
    "TraceEntry",
    "TraceStatus",
    "describe_outcome",
]

Frame: TypeAlias = Mapping[str, "np.ndarray | TextCodes"]
RuleSet: TypeAlias = "Scheme | Sequence[IncentiveRule | DecisionTable]"
Lang = Literal["en", "zh"]

_PCT_DIGITS = 6  # percents are exact to 1e-6 %; finer ones are refused
_PCT_SCALE = 100 * 10**_PCT_DIGITS

# FieldType value -> the cell kind a table may test it with (vectors: none)
_CELL_KINDS: dict[str, CellKind] = {
    "number": CellKind.NUMBER,
    "text": CellKind.TEXT,
    "bool": CellKind.BOOL,
}


class SourceKind(enum.Enum):
    """Where a decision came from."""

    RULE = "rule"
    TABLE = "table"


class TraceStatus(enum.Enum):
    """What happened to one rule or table for one subject."""

    FIRED = "fired"
    FALSE = "false"
    UNKNOWN = "unknown"
    NO_MATCH = "no_match"
    VIOLATION = "violation"
    COUNTED = "counted"


@attrs.frozen(kw_only=True)
class Decision:
    """One outcome awarded to a subject.

    Attributes:
        source: Key of the rule or table that awarded it.
        kind: Rule or table.
        row: The table row (zero-based), None for a rule.
        outcome: The outcome.
        amount: For a bonus or deduction, its amount on its own (Decimal in the currency's
            minor unit); None for other outcomes or when the base pay is unknown.
    """

    source: str
    kind: SourceKind
    row: int | None
    outcome: Outcome
    amount: Decimal | None = None


@attrs.frozen(kw_only=True)
class TraceEntry:
    """Why one rule or table did or did not award anything to a subject.

    Attributes:
        source: Key of the rule or table.
        kind: Rule or table.
        status: Fired, false, unknown, no row matched, a hit-policy violation, or counted.
        text: The rule's condition in text form (tables: empty).
        hit_policy: The table's hit policy (rules: None).
        inputs: ``(field, value)`` for every input it read; vectors are tuples; unknown is None.
        missing: The inputs whose value was unknown.
        matched: Table rows that matched.
        selected: Table rows whose outputs apply after the hit policy.
        count: Number of matching rows (tables).
    """

    source: str
    kind: SourceKind
    status: TraceStatus
    text: str = ""
    hit_policy: HitPolicy | None = None
    inputs: tuple[tuple[str, object], ...] = ()
    missing: tuple[str, ...] = ()
    matched: tuple[int, ...] = ()
    selected: tuple[int, ...] = ()
    count: int = 0


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Decisions for {subject}",
        "fired": "Fired",
        "not_fired": "Did not fire",
        "false": "condition false",
        "unknown": "unknown: input missing: {fields}",
        "no_match": "no row matched",
        "violation": "hit policy {policy}: rows {rows} all matched; nothing decided",
        "counted": "{count} rows matched (collect count)",
        "row": "row {row}",
        "policy": "hit policy {policy}",
        "read": "read",
        "bonus": "Bonus total",
        "deduction": "Deduction total",
        "awarded": "Bonus awarded after the pool",
        "factor": "pool factor",
        "none": "No rule fired.",
        "unknown_pay": "unknown (base pay missing)",
    },
    "zh": {
        "title": "{subject} 的决定",
        "fired": "已触发",
        "not_fired": "未触发",
        "false": "条件不成立",
        "unknown": "未知:缺少输入 {fields}",
        "no_match": "没有匹配的行",
        "violation": "命中策略 {policy}:行 {rows} 同时匹配,不作决定",
        "counted": "匹配 {count} 行(汇总计数)",
        "row": "第 {row} 行",
        "policy": "命中策略 {policy}",
        "read": "读取",
        "bonus": "奖金合计",
        "deduction": "扣减合计",
        "awarded": "奖金池分配后",
        "factor": "奖金池系数",
        "none": "没有规则触发。",
        "unknown_pay": "未知(缺少基本工资)",
    },
}


def _words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise RuleError(f"explain: lang {lang!r} is not allowed; expected 'en' or 'zh'")
    return _WORDS[lang]


def _fmt_value(value: object) -> str:
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_fmt_value(v) for v in value) + "]"
    return str(value)


_OUTCOME_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "bonus_pct": "Bonus {value}% of base pay",
        "bonus_mult": "Bonus {value} x target {target}",
        "bonus_fixed": "Bonus {value} {currency}",
        "deduction_pct": "Deduction {value}% of base pay",
        "deduction_fixed": "Deduction {value} {currency}",
        "promotion": "Promotion eligible",
        "promotion_to": "Promotion eligible to {grade}",
        "training": "Training: {topic}",
        "adjustment": "Position adjustment: {kind}",
        "honour": "Honour: {title}",
    },
    "zh": {
        "bonus_pct": "奖金:基本工资的 {value}%",
        "bonus_mult": "奖金:目标奖金 {target} 的 {value} 倍",
        "bonus_fixed": "奖金:{value} {currency}",
        "deduction_pct": "绩效扣减:基本工资的 {value}%",
        "deduction_fixed": "绩效扣减:{value} {currency}",
        "promotion": "具备晋升资格",
        "promotion_to": "具备晋升至 {grade} 的资格",
        "training": "培训机会:{topic}",
        "adjustment": "职位调整:{kind}",
        "honour": "荣誉表彰:{title}",
    },
}
_ADJUSTMENT_ZH = {"demotion": "降级", "transfer": "调岗", "improvement_plan": "绩效改进计划"}


def describe_outcome(
    outcome: Outcome,
    amount: Decimal | None = None,
    currency: str | None = None,
    *,
    lang: Lang | str = "en",
) -> str:
    """Return a short text for an incentive or penalty outcome, in English or Chinese.

    Args:
        outcome: The outcome.
        amount: The money it came to for one subject, appended as ``= 2400.00 CNY`` when given.
        currency: Currency of ``amount``.
        lang: ``"en"`` or ``"zh"``.
    """
    _words(lang)  # refuses an unknown language
    w = _OUTCOME_WORDS[lang]
    money = "" if amount is None else f" = {amount} {currency or ''}".rstrip()
    if isinstance(outcome, Bonus):
        if outcome.basis is BonusBasis.PERCENT_OF_BASE_PAY:
            return w["bonus_pct"].format(value=outcome.value) + money
        if outcome.basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS:
            text = w["bonus_mult"].format(value=outcome.value, target=outcome.target_bonus)
            return text + money
        return w["bonus_fixed"].format(value=outcome.value, currency=outcome.currency)
    if isinstance(outcome, Deduction):
        if outcome.basis is DeductionBasis.PERCENT_OF_BASE_PAY:
            return w["deduction_pct"].format(value=outcome.value) + money
        return w["deduction_fixed"].format(value=outcome.value, currency=outcome.currency)
    if isinstance(outcome, Promotion):
        if outcome.to_grade:
            return w["promotion_to"].format(grade=outcome.to_grade)
        return w["promotion"]
    if isinstance(outcome, TrainingOpportunity):
        return w["training"].format(topic=outcome.topic)
    if isinstance(outcome, PositionAdjustment):
        kind = outcome.kind.value
        return w["adjustment"].format(kind=_ADJUSTMENT_ZH.get(kind, kind) if lang == "zh" else kind)
    return w["honour"].format(title=outcome.title)


def _describe(outcome: Outcome, amount: Decimal | None, currency: str | None) -> str:
    return describe_outcome(outcome, amount, currency)


@attrs.frozen(kw_only=True)
class Decisions:
    """The decisions for one subject, with their trace.

    Attributes:
        subject_id: The subject.
        scheme_hash: Content hash of the scheme the rules came from ("" for loose rules).
        decisions: Every outcome awarded, rules first (by priority), then tables.
        trace: One entry per rule and table, in evaluation order.
        currency: Currency of the money amounts, when known.
        bonus: The subject's bonus total before the pool; None when unknown (no base pay).
        deduction: The subject's deduction total; None when unknown.
        awarded: The bonus after proration, cap and pool; None without a pool.
        pool_factor: The pool's scaling factor (1 when not scaled); None without a pool.
    """

    subject_id: str
    scheme_hash: str = ""
    decisions: tuple[Decision, ...] = ()
    trace: tuple[TraceEntry, ...] = ()
    currency: str | None = None
    bonus: Decimal | None = None
    deduction: Decimal | None = None
    awarded: Decimal | None = None
    pool_factor: Decimal | None = None

    @property
    def fired(self) -> tuple[str, ...]:
        """Keys of the rules that fired and tables that selected a row, in order."""
        return tuple(t.source for t in self.trace if t.status is TraceStatus.FIRED)

    def outcomes(self) -> tuple[Outcome, ...]:
        """Return every awarded outcome, in order."""
        return tuple(d.outcome for d in self.decisions)

    def __repr__(self) -> str:
        return decisions_repr(self)

    def _repr_html_(self) -> str:
        return decisions_html(self, _describe)

    def explain(self, lang: Lang | str = "en") -> str:
        """Render the decisions and their trace as text in ``lang`` (``"en"`` or ``"zh"``)."""
        w = _words(lang)
        out = [w["title"].format(subject=self.subject_id)]
        fired = [t for t in self.trace if t.status is TraceStatus.FIRED]
        others = [t for t in self.trace if t.status is not TraceStatus.FIRED]
        by_source: dict[str, list[Decision]] = {}
        for d in self.decisions:
            by_source.setdefault(d.source, []).append(d)
        if fired:
            out.append(f"{w['fired']}:")
        else:
            out.append(w["none"])
        for t in fired:
            out.append(f"  - {t.kind.value} {t.source}: {self._head(t, w)}")
            if t.inputs:
                read = ", ".join(f"{k} = {_fmt_value(v)}" for k, v in t.inputs)
                out.append(f"    {w['read']}: {read}")
            for d in by_source.get(t.source, []):
                row = f"[{w['row'].format(row=d.row)}] " if d.row is not None else ""
                text = describe_outcome(d.outcome, d.amount, self.currency, lang=lang)
                out.append(f"    -> {row}{text}")
        if others:
            out.append(f"{w['not_fired']}:")
        for t in others:
            out.append(f"  - {t.kind.value} {t.source}: {self._why(t, w)}")
            if t.inputs:
                read = ", ".join(f"{k} = {_fmt_value(v)}" for k, v in t.inputs)
                out.append(f"    {w['read']}: {read}")
        cur = f" {self.currency}" if self.currency else ""
        if self.bonus is not None or any(isinstance(d.outcome, Bonus) for d in self.decisions):
            value = w["unknown_pay"] if self.bonus is None else f"{self.bonus}{cur}"
            out.append(f"{w['bonus']}: {value}")
        if self.deduction != 0 or any(isinstance(d.outcome, Deduction) for d in self.decisions):
            value = w["unknown_pay"] if self.deduction is None else f"{self.deduction}{cur}"
            out.append(f"{w['deduction']}: {value}")
        if self.awarded is not None:
            factor = f"{self.pool_factor:.6f}" if self.pool_factor is not None else "?"
            out.append(f"{w['awarded']}: {self.awarded}{cur} ({w['factor']} {factor})")
        return "\n".join(out)

    @staticmethod
    def _head(t: TraceEntry, w: dict[str, str]) -> str:
        if t.kind is SourceKind.RULE:
            return t.text
        rows = ", ".join(str(r) for r in t.selected)
        policy = w["policy"].format(policy=t.hit_policy.value if t.hit_policy else "")
        return f"{policy}: {w['row'].format(row=rows)}"

    @staticmethod
    def _why(t: TraceEntry, w: dict[str, str]) -> str:
        policy = t.hit_policy.value if t.hit_policy else ""
        if t.status is TraceStatus.UNKNOWN:
            return w["unknown"].format(fields=", ".join(t.missing) or "?")
        if t.status is TraceStatus.VIOLATION:
            rows = ", ".join(str(r) for r in t.matched)
            return w["violation"].format(policy=policy, rows=rows)
        if t.status is TraceStatus.COUNTED:
            return w["counted"].format(count=t.count)
        if t.status is TraceStatus.NO_MATCH:
            extra = f" ({w['unknown'].format(fields=', '.join(t.missing))})" if t.missing else ""
            return w["no_match"] + extra
        return (t.text + ": " if t.text else "") + w["false"]


# -- compiled program ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class _MoneyTerms:
    """Money of a set of outcomes as (fixed minor units, percent numerator over the scale)."""

    bonus_fixed: int
    bonus_pct: int
    ded_fixed: int
    ded_pct: int


@attrs.frozen(kw_only=True, eq=False)
class _Program:
    items: tuple[IncentiveRule | DecisionTable, ...]
    rules: tuple[IncentiveRule, ...]
    conditions: tuple[CompiledCondition, ...]
    texts: tuple[str, ...]
    tables: tuple[CompiledTable, ...]
    row_money: tuple[tuple[_MoneyTerms, ...], ...]
    row_coef: tuple[FloatArray, ...]  # per table: (4, R) bonus_fixed/pct, ded_fixed/pct
    rule_coef: FloatArray  # (4, rules) the same for the rules
    currency: str | None
    has_money: bool  # some rule or row has an amount
    has_percent: bool  # some rule or row has a percent of base pay
    text_fields: tuple[str, ...]  # text columns read: encoded once per evaluation
    fields: tuple[str, ...]  # every column a rule or table reads


def _with_codes(frame: Frame, names: Sequence[str]) -> Frame:
    """Return ``frame`` with the text columns ``names`` as TextCodes (encoded once, here)."""
    todo = [n for n in names if n in frame and not isinstance(frame[n], TextCodes)]
    if not todo:
        return frame
    if isinstance(frame, _LazyFrame):  # keep the other columns unbuilt
        return frame.with_columns({n: (frame.types[n], _encode(n, frame[n])) for n in todo})
    out = dict(frame)
    for name in todo:
        out[name] = _encode(name, frame[name])
    return out


def _text_fields(
    schema: FieldSchema,
    conditions: Sequence[CompiledCondition],
    tables: Sequence[CompiledTable],
) -> tuple[str, ...]:
    names = {
        name
        for cond in conditions
        for name in cond.fields
        if schema.fields[name].element is FieldType.TEXT
    }
    names.update(
        field
        for ct in tables
        for c, field in enumerate(ct.fields)
        if any(row[c].kind is CellKind.TEXT for row in ct.tests)
    )
    return tuple(sorted(names))


#: Rows per chunk: small enough that a chunk's temporaries stay in cache (at 200,000 rows one
#: pass is ~2x slower per row than two passes of 100,000), large enough to amortise Python.
_CHUNK_ROWS = 65_536
#: Chunk sizes are rounded up to a multiple of this (whole cache lines and SIMD blocks per chunk).
_CHUNK_ALIGN = 1_024
#: Below this many rows per worker, threads cost more than they save.
_MIN_PARALLEL_ROWS = 16_384


@attrs.define(kw_only=True)
class _Outputs:
    """Full-size result arrays that each chunk of rows writes its slice of."""

    rule_fired: BoolArray
    rule_known: BoolArray
    bonus: IntArray
    deduction: IntArray
    bonus_known: BoolArray
    deduction_known: BoolArray


def _rows_of(frame: Frame, names: Sequence[str], lo: int, hi: int) -> dict[str, Any]:
    """Return the columns ``names`` of ``frame`` restricted to rows ``lo:hi`` (views)."""
    part: dict[str, Any] = {}
    for name in names:
        column = frame.get(name)
        if column is None:
            continue  # reported by the condition or table that reads it
        if isinstance(column, TextCodes):
            part[name] = TextCodes(labels=column.labels, codes=column.codes[lo:hi])
        else:
            part[name] = np.asarray(column)[lo:hi]
    return part


def _minor_of_floats(pay: FloatArray, currency: str, out: IntArray) -> None:
    """Write base pays given as floats into ``out`` in minor units; NaN (unknown) is -1."""
    scaled = pay * 10 ** minor_units(currency)
    np.rint(scaled, out=scaled)
    unknown = np.isnan(scaled)
    with np.errstate(invalid="ignore"):  # NaN casts to garbage, overwritten just below
        np.copyto(out, scaled, casting="unsafe")
    np.copyto(out, -1, where=unknown)


def _pct_num(value: Decimal, where: str) -> int:
    scaled = value.scaleb(_PCT_DIGITS)
    if scaled != scaled.to_integral_value():
        raise RuleError(
            f"{where}: percent {value} has more than {_PCT_DIGITS} decimal places; round it"
        )
    return int(scaled)


def _terms(outcomes: Sequence[Outcome], currency: str | None, where: str) -> _MoneyTerms:
    bf = bp = df = dp = 0
    for o in outcomes:
        if (
            isinstance(o, Bonus | Deduction)
            and o.currency is not None
            and currency is not None
            and o.currency != currency
        ):
            raise RuleError(
                f"{where}: outcome currency {o.currency!r} differs from the evaluation "
                f"currency {currency!r}; use one currency per scheme"
            )
        if isinstance(o, Bonus):
            if o.basis is BonusBasis.PERCENT_OF_BASE_PAY:
                bp += _pct_num(o.value, where)
            elif o.basis is BonusBasis.FIXED_AMOUNT:
                assert o.currency is not None
                bf += to_minor(o.value, o.currency)
            else:
                assert o.currency is not None
                assert o.target_bonus is not None
                bf += to_minor(o.value * o.target_bonus, o.currency)
        elif isinstance(o, Deduction):
            if o.basis is DeductionBasis.PERCENT_OF_BASE_PAY:
                dp += _pct_num(o.value, where)
            else:
                assert o.currency is not None
                df += to_minor(o.value, o.currency)
    return _MoneyTerms(bonus_fixed=bf, bonus_pct=bp, ded_fixed=df, ded_pct=dp)


def _outcome_currency(items: Sequence[IncentiveRule | DecisionTable]) -> str | None:
    for item in items:
        outs = (
            item.outcomes
            if isinstance(item, IncentiveRule)
            else tuple(o for row in item.rows for o in row.outputs)
        )
        for o in outs:
            if isinstance(o, Bonus | Deduction) and o.currency is not None:
                return o.currency
    return None


def _frame_types(frame: Frame) -> dict[str, FieldType]:
    if isinstance(frame, _LazyFrame):
        return dict(frame.types)  # without building the columns
    fields: dict[str, FieldType] = {}
    for name, arr in frame.items():
        vec = arr.ndim == 2
        if isinstance(arr, TextCodes):
            fields[name] = FieldType.TEXT_VECTOR if vec else FieldType.TEXT
        elif arr.dtype == np.bool_:
            fields[name] = FieldType.BOOL_VECTOR if vec else FieldType.BOOL
        elif arr.dtype.kind in "fiu":
            fields[name] = FieldType.NUMBER_VECTOR if vec else FieldType.NUMBER
        else:
            fields[name] = FieldType.TEXT_VECTOR if vec else FieldType.TEXT
    return fields


def _unknown(value: np.ndarray | object) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(math.isnan(value))
    if isinstance(value, np.ndarray):
        return value.size > 0 and all(_unknown(v) for v in value.tolist())
    return False


def _py(value: object) -> object:
    if isinstance(value, np.ndarray):
        return tuple(_py(v) for v in value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# -- results --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class BatchDecisions:
    """Decisions for N subjects, columnar, with the trace kept as arrays.

    Attributes:
        subject_ids: N subject ids.
        scheme_hash: The scheme's content hash ("" for loose rules).
        currency: Currency of money amounts, when known.
        rule_keys: Keys of the rules, in evaluation order (priority, then declaration).
        table_keys: Keys of the tables, in declaration order.
        rule_fired: bool ``(rules, N)``.
        rule_known: bool ``(rules, N)``: False where the condition was unknown.
        selections: Per table, the hit-policy result (``matched``/``selected`` are ``(R, N)``).
        bonus_minor: int64 ``(N,)`` bonus total in minor units before the pool.
        deduction_minor: int64 ``(N,)`` deduction total in minor units.
        bonus_known: bool ``(N,)``: False where a percent bonus applied but the base pay is
            unknown (such a bonus counts as 0 in the pool).
        deduction_known: bool ``(N,)``: likewise for deductions.
        allocation: The pool result, or None without a pool.
    """

    subject_ids: Sequence[str]
    scheme_hash: str
    currency: str | None
    rule_keys: tuple[str, ...]
    table_keys: tuple[str, ...]
    rule_fired: BoolArray
    rule_known: BoolArray
    selections: tuple[Selection, ...]
    bonus_minor: IntArray
    deduction_minor: IntArray
    bonus_known: BoolArray
    deduction_known: BoolArray
    allocation: PoolAllocation | None
    _program: _Program = attrs.field(alias="program", repr=False)
    _frame: Frame = attrs.field(alias="frame", repr=False)
    _base_minor: IntArray | None = attrs.field(alias="base_minor", repr=False)
    _trace: bool = attrs.field(alias="trace", repr=False)

    def __len__(self) -> int:
        return len(self.subject_ids)

    def __repr__(self) -> str:
        return batch_decisions_repr(self)

    def _repr_html_(self) -> str:
        return batch_decisions_html(self)

    def to_pandas(self) -> pd.DataFrame:
        """Return the decisions as a pandas DataFrame, one row per subject (``perfmgmt[pandas]``).

        Indexed by ``subject_id``: ``fired.<key>`` per rule and table, ``bonus``, ``deduction``
        (exact Decimals, None where unknown), ``awarded`` when a pool applied, ``currency``.

        Raises:
            MissingExtraError: When pandas is not installed.
        """
        return batch_decisions_to_pandas(self)

    def fired(self, key: str) -> BoolArray:
        """Return bool ``(N,)``: where rule ``key`` fired or table ``key`` selected a row."""
        if key in self.rule_keys:
            return np.asarray(self.rule_fired[self.rule_keys.index(key)], dtype=np.bool_)
        if key in self.table_keys:
            sel = self.selections[self.table_keys.index(key)]
            return np.asarray(sel.selected.any(axis=0), dtype=np.bool_)
        raise RuleError(
            f"fired: no rule or table {key!r}; known: {self.rule_keys + self.table_keys}"
        )

    def _money(self, value: int) -> Decimal | None:
        if self.currency is None:
            return None
        return from_minor(value, self.currency)

    def _amount(self, outcome: Outcome, i: int) -> Decimal | None:
        cur = self.currency
        if isinstance(outcome, Bonus):
            if outcome.basis is BonusBasis.FIXED_AMOUNT:
                return quantize(outcome.value, outcome.currency or "XXX")
            if outcome.basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS:
                assert outcome.target_bonus is not None
                return quantize(outcome.value * outcome.target_bonus, outcome.currency or "XXX")
        elif isinstance(outcome, Deduction):
            if outcome.basis is DeductionBasis.FIXED_AMOUNT:
                return quantize(outcome.value, outcome.currency or "XXX")
        else:
            return None
        if cur is None or self._base_minor is None or self._base_minor[i] < 0:
            return None
        base = from_minor(int(self._base_minor[i]), cur)
        return quantize(base * outcome.value / 100, cur)

    def row(self, i: int) -> Decisions:
        """Return the decisions of subject ``i`` with their full trace."""
        n = len(self)
        if not isinstance(i, int | np.integer) or not -n <= int(i) < n:
            raise RuleError(f"BatchDecisions.row: index {i!r} is out of range for {n} subjects")
        i = int(i) % n
        prog = self._program
        decisions: list[Decision] = []
        trace: list[TraceEntry] = []
        for r, rule in enumerate(prog.rules):
            cond = prog.conditions[r]
            fired = bool(self.rule_fired[r, i])
            inputs = self._inputs(cond.fields, i) if self._trace else ()
            if fired:
                status = TraceStatus.FIRED
                decisions.extend(
                    Decision(
                        source=rule.key,
                        kind=SourceKind.RULE,
                        row=None,
                        outcome=o,
                        amount=self._amount(o, i),
                    )
                    for o in rule.outcomes
                )
            elif not self._trace or self.rule_known[r, i]:
                status = TraceStatus.FALSE
            else:
                status = TraceStatus.UNKNOWN
            trace.append(
                TraceEntry(
                    source=rule.key,
                    kind=SourceKind.RULE,
                    status=status,
                    text=prog.texts[r],
                    inputs=inputs,
                    missing=_missing(inputs) if status is TraceStatus.UNKNOWN else (),
                )
            )
        for t, ct in enumerate(prog.tables):
            sel = self.selections[t]
            matched = tuple(int(x) for x in np.flatnonzero(sel.matched[:, i]))
            selected = tuple(int(x) for x in np.flatnonzero(sel.selected[:, i]))
            inputs = self._inputs(ct.fields, i) if self._trace else ()
            if sel.violation[i]:
                status = TraceStatus.VIOLATION
            elif ct.table.aggregation is CollectAggregation.COUNT:
                status = TraceStatus.COUNTED
            elif selected:
                status = TraceStatus.FIRED
            else:
                status = TraceStatus.NO_MATCH
            for row in selected:
                decisions.extend(
                    Decision(
                        source=ct.table.key,
                        kind=SourceKind.TABLE,
                        row=row,
                        outcome=o,
                        amount=self._amount(o, i),
                    )
                    for o in ct.table.rows[row].outputs
                )
            trace.append(
                TraceEntry(
                    source=ct.table.key,
                    kind=SourceKind.TABLE,
                    status=status,
                    hit_policy=ct.table.hit_policy,
                    inputs=inputs,
                    missing=_missing(inputs),
                    matched=matched,
                    selected=selected,
                    count=int(sel.count[i]),
                )
            )
        alloc = self.allocation
        return Decisions(
            subject_id=self.subject_ids[i],
            scheme_hash=self.scheme_hash,
            decisions=tuple(decisions),
            trace=tuple(trace),
            currency=self.currency,
            bonus=self._money(int(self.bonus_minor[i])) if self.bonus_known[i] else None,
            deduction=(
                self._money(int(self.deduction_minor[i])) if self.deduction_known[i] else None
            ),
            awarded=None if alloc is None else alloc.amount(i),
            pool_factor=None if alloc is None else alloc.factor,
        )

    def _inputs(self, fields: Sequence[str], i: int) -> tuple[tuple[str, object], ...]:
        return tuple((f, _py(self._frame[f][i])) for f in fields if f in self._frame)

    def explain(self, i: int, lang: Lang | str = "en") -> str:
        """Render subject ``i``'s decisions and trace as text (``"en"`` or ``"zh"``)."""
        return self.row(i).explain(lang)

    def to_records(self) -> list[dict[str, object]]:
        """Return one plain dict per subject: fired keys, outcomes and money (Decimal)."""
        records: list[dict[str, object]] = []
        for i in range(len(self)):
            d = self.row(i)
            records.append(
                {
                    "subject_id": d.subject_id,
                    "fired": list(d.fired),
                    "outcomes": [_describe(x.outcome, x.amount, d.currency) for x in d.decisions],
                    "violations": [t.source for t in d.trace if t.status is TraceStatus.VIOLATION],
                    "currency": d.currency,
                    "bonus": d.bonus,
                    "deduction": d.deduction,
                    "awarded": d.awarded,
                }
            )
        return records


class _DefaultIds(Sequence[str]):
    """Subject ids "0", "1", ... made on demand (a frame of N rows needs no N strings)."""

    def __init__(self, n: int) -> None:
        self._n = n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [str(k) for k in range(self._n)[i]]
        return str(range(self._n)[i])


def _missing(inputs: Sequence[tuple[str, object]]) -> tuple[str, ...]:
    """Name the inputs that made a condition unknown.

    First the inputs with no value at all; failing those, the list inputs that lack an element
    (an empty history, or a cycle with no result), since indexing or aggregating them is what
    left the condition unknown.
    """
    whole = tuple(k for k, v in inputs if _unknown_py(v))
    if whole:
        return whole
    return tuple(
        k for k, v in inputs if isinstance(v, tuple) and (not v or any(x is None for x in v))
    )


def _unknown_py(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, tuple):
        return bool(value) and all(_unknown_py(v) for v in value)
    return False


# -- the evaluator -------------------------------------------------------------------------------


def _add_money(money: FloatArray, coef: FloatArray, flags: BoolArray) -> None:
    """Add ``coef[k, j]`` to ``money[k]`` wherever ``flags[j]`` holds (whole numbers)."""
    for k, j in zip(*np.nonzero(coef), strict=True):
        money[k] += flags[j].view(np.uint8) * coef[k, j]


def _coef(terms: Sequence[_MoneyTerms]) -> FloatArray:
    """Return the (4, len(terms)) bonus fixed/percent, deduction fixed/percent matrix."""
    return np.array(
        [
            [m.bonus_fixed for m in terms],
            [m.bonus_pct for m in terms],
            [m.ded_fixed for m in terms],
            [m.ded_pct for m in terms],
        ],
        dtype=np.float64,
    ).reshape(4, len(terms))


#: Below this, products of whole numbers are exact in float64 and a division of one by
#: ``_PCT_SCALE`` lands on the right side of every half-integer (see _percent_of_floats).
_EXACT_PRODUCT = 2.0**52


def _percent_of_floats(
    base_minor: IntArray | None,
    base_f: FloatArray,
    pct: FloatArray,
    fixed: FloatArray,
    out: IntArray,
) -> None:
    """Write ``fixed + round_half_even(base * pct / _PCT_SCALE)`` into ``out``, exactly.

    ``base_f`` holds the base pays (>= 0) as float64, ``pct`` (>= 0: outcome amounts are
    never negative) and ``fixed`` whole numbers as float64. While ``base * pct < 2**52`` the
    float64 product is exact, and the quotient ``Q = base * pct / scale`` carries one
    rounding error of at most ``Q * 2**-53 < 1 / (2 * scale)``: less than the distance from
    Q to any half-integer it is not equal to (a multiple of ``1 / (2 * scale)``). ``rint``
    therefore rounds half to even just as integer arithmetic does, without int64 division
    and its temporaries; adding the whole-number fixed part stays exact. Larger amounts take
    the integer path (``base_minor``: the pays in minor units, negative = unknown).
    """
    top_pct = float(pct.max(initial=0.0))
    if float(pct.min(initial=0.0)) < 0 or float(base_f.max(initial=0.0)) * top_pct >= (
        _EXACT_PRODUCT
    ):
        assert base_minor is not None  # without pays base_f is 0
        base = np.maximum(base_minor, 0)
        exact = RuleEvaluator._percent_of(base, pct.astype(np.int64), _PCT_SCALE)
        np.add(fixed.astype(np.int64), exact, out=out)
        return
    amount = base_f * pct
    amount /= _PCT_SCALE
    np.rint(amount, out=amount)
    amount += fixed
    np.copyto(out, amount, casting="unsafe")


def _div_round_half_even(a: IntArray, d: int) -> IntArray:
    q = np.asarray(a // d, dtype=np.int64)
    r = a - q * d  # 0 <= r < d
    # round up when 2r > d, or 2r == d and q is odd: for integers that is 2r + (q & 1) > d
    q += (2 * r + (q & 1)) > d
    return q


class RuleEvaluator(OwnsThreads):
    """Evaluate incentive rules and decision tables on score cards or batches.

    Args:
        schema: The field schema rules are type-checked against; by default it is taken
            from the frame being evaluated (the same field names and types).
        limits: Safety limits for compiling conditions.
        trace: Keep the full per-row trace: whether a rule that did not fire was false or
            unknown, and the inputs each rule and table read.  With False, ``row`` and
            ``explain`` still list the decisions, but a rule that did not fire shows as
            false and no inputs are shown.
        workers: Threads that evaluate chunks of a large frame side by side (numpy releases
            the GIL); 1 evaluates in the calling thread. A frame is cut into equal chunks, as
            many per worker, so the threads finish together. Results are identical either way:
            every step is row by row, and the pool is applied to the merged result.

    The evaluator caches compiled rule sets by the identity of the rule objects, so reuse one
    evaluator (and one scheme object) across calls.

    With ``workers > 1`` the evaluator owns a thread pool: it is created on the first frame
    large enough to split, shared by every later call (calls from several threads are safe),
    and lives until :meth:`close` or the end of a ``with`` block; an unclosed pool's idle
    threads end with the interpreter.  After ``close`` the evaluator still works: the next
    large frame starts a new pool.
    """

    def __init__(
        self,
        *,
        schema: FieldSchema | None = None,
        limits: Limits | None = None,
        trace: bool = True,
        workers: int = 1,
    ) -> None:
        self._runner = BlockRunner(
            check_workers("RuleEvaluator", workers, RuleError), "perfmgmt-rules"
        )
        self._schema = schema
        self._limits = limits
        self._trace = trace
        self._cache: dict[tuple[object, ...], tuple[tuple[object, ...], _Program]] = {}
        self._pay_cache: tuple[Sequence[Decimal | None], str, IntArray] | None = None

    # -- compile --------------------------------------------------------------------------------

    def _items(self, rules: RuleSet) -> tuple[tuple[IncentiveRule | DecisionTable, ...], str]:
        if isinstance(rules, Scheme):
            return (*rules.rules, *rules.tables), rules.content_hash
        if isinstance(rules, IncentiveRule | DecisionTable):
            return (rules,), ""
        items = tuple(rules)
        for k, item in enumerate(items):
            if not isinstance(item, IncentiveRule | DecisionTable):
                raise RuleError(
                    f"rules[{k}]: {item!r} is not allowed; expected an IncentiveRule or a "
                    "DecisionTable (or pass a Scheme)"
                )
        return items, ""

    def compile(
        self,
        rules: RuleSet,
        frame: Frame,
        *,
        currency: str | None = None,
    ) -> tuple[_Program, str]:
        """Compile ``rules`` for frames shaped like ``frame`` (cached); return (program, hash)."""
        items, scheme_hash = self._items(rules)
        # the key needs only the field types; a FieldSchema (validated) is built on a miss
        fields = self._schema.fields if self._schema is not None else _frame_types(frame)
        key = (
            tuple(id(x) for x in items),
            tuple(sorted((k, v.value) for k, v in fields.items())),
            currency,
        )
        hit = self._cache.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], items, strict=True)):
            return hit[1], scheme_hash
        schema = self._schema if self._schema is not None else FieldSchema(fields=fields)
        program = self._build(items, schema, currency)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = (items, program)
        return program, scheme_hash

    def _build(
        self,
        items: tuple[IncentiveRule | DecisionTable, ...],
        schema: FieldSchema,
        currency: str | None,
    ) -> _Program:
        keys = [x.key for x in items]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise RuleError(f"rules: keys {dupes!r} appear more than once; keys must be unique")
        order = sorted(
            (k for k, x in enumerate(items) if isinstance(x, IncentiveRule)),
            key=lambda k: (-items[k].priority, k),  # type: ignore[union-attr]
        )
        rules = tuple(items[k] for k in order)
        assert all(isinstance(r, IncentiveRule) for r in rules)
        rules_ = tuple(r for r in rules if isinstance(r, IncentiveRule))
        tables = tuple(x for x in items if isinstance(x, DecisionTable))
        cur = currency or _outcome_currency(items)
        kwargs: dict[str, Any] = {} if self._limits is None else {"limits": self._limits}
        conditions = []
        for r in rules_:
            try:
                conditions.append(compile_condition(r.condition, schema, **kwargs))
            except RuleError as exc:
                raise type(exc)(f"rule {r.key!r}: {exc}") from None
        compiled_tables = tuple(compile_table(t) for t in tables)
        kinds = {name: _CELL_KINDS.get(ft.value) for name, ft in schema.fields.items()}
        for ct in compiled_tables:
            ct.check_inputs(kinds)
        rule_money = tuple(_terms(r.outcomes, cur, f"rule {r.key!r}") for r in rules_)
        row_money = tuple(
            tuple(
                _terms(row.outputs, cur, f"table {t.key!r} rows[{j}]")
                for j, row in enumerate(t.rows)
            )
            for t in tables
        )
        row_coef = tuple(_coef(rows) for rows in row_money)
        rule_coef = _coef(rule_money)
        coefs = (rule_coef, *row_coef)
        has_money = any(c.any() for c in coefs)
        has_percent = any(c[(1, 3), :].any() for c in coefs)  # bonus and deduction percents
        # Money adds up as float64 sums of whole numbers, exact in any order below 2**53.
        reach = sum(float(np.abs(c).sum()) for c in coefs)
        if reach >= _EXACT_PRODUCT:
            raise RuleError(
                f"rules: the amounts of all rules and table rows add up to {reach:.0f} minor "
                f"units or percent steps; at most {_EXACT_PRODUCT:.0f} are allowed"
            )
        return _Program(
            items=items,
            rules=rules_,
            conditions=tuple(conditions),
            texts=tuple(render(r.condition) for r in rules_),
            tables=compiled_tables,
            row_money=row_money,
            row_coef=row_coef,
            rule_coef=rule_coef,
            currency=cur,
            has_money=has_money,
            has_percent=has_percent,
            text_fields=_text_fields(schema, conditions, compiled_tables),
            fields=tuple(
                sorted(
                    {f for c in conditions for f in c.fields}
                    | {f for ct in compiled_tables for f in ct.fields}
                )
            ),
        )

    # -- run ------------------------------------------------------------------------------------

    def evaluate_frame(
        self,
        rules: RuleSet,
        frame: Frame,
        *,
        subject_ids: Sequence[str] | None = None,
        base_pay: Sequence[Decimal | None] | None = None,
        currency: str | None = None,
        pool: BonusPool | None = None,
        scheme_hash: str | None = None,
    ) -> BatchDecisions:
        """Evaluate ``rules`` over a columnar frame (field name -> array of N values).

        Args:
            rules: A scheme, or a sequence of rules and tables.
            frame: The frame, e.g. from :func:`perfmgmt.rules.compile.frame_from_scores`.
            subject_ids: N ids; default ``"0"``, ``"1"``, ...
            base_pay: N exact base pays (None = unknown); default: the frame's ``base_pay``
                column, rounded to the minor unit.
            currency: Currency of base pay and amounts; default the pool's, else the
                outcomes'.
            pool: Proration, caps and pool for the bonuses.
            scheme_hash: Hash recorded on the results (default: the scheme's, or "").

        Returns:
            The decisions.
        """
        if currency is None and pool is not None:
            currency = pool.currency
        if currency is not None:
            check_currency(currency)
        if pool is not None and currency is not None and pool.currency != currency:
            raise RuleError(
                f"pool currency {pool.currency!r} differs from the base pay currency "
                f"{currency!r}; use one currency"
            )
        program, s_hash = self.compile(rules, frame, currency=currency)
        frame = _with_codes(frame, program.text_fields)
        currency = program.currency
        n = next(iter(frame.values())).shape[0] if frame else 0
        ids = _DefaultIds(n) if subject_ids is None else tuple(subject_ids)
        if len(ids) != n:
            raise RuleError(f"subject_ids: {len(ids)} ids for a frame of {n} rows")
        # a float base-pay column is converted chunk by chunk, on the workers
        pay_column = None
        if base_pay is None and currency is not None and frame.get("base_pay") is not None:
            pay_column = np.asarray(frame["base_pay"], dtype=np.float64)
            base_minor: IntArray | None = np.empty(n, dtype=np.int64)
        else:
            base_minor = self._base_minor(frame, base_pay, currency, n)
        out = _Outputs(
            rule_fired=np.empty((len(program.rules), n), dtype=np.bool_),
            rule_known=np.empty((len(program.rules) if self._trace else 0, n), dtype=np.bool_),
            bonus=np.empty(n, dtype=np.int64),
            deduction=np.empty(n, dtype=np.int64),
            bonus_known=np.empty(n, dtype=np.bool_),
            deduction_known=np.empty(n, dtype=np.bool_),
        )
        bounds = self._chunks(n)
        if len(bounds) == 1:
            if pay_column is not None:
                assert base_minor is not None
                assert currency is not None
                _minor_of_floats(pay_column, currency, base_minor)
            selections = self._run_rows(program, frame, base_minor, out, (0, n))
        else:
            for name in program.fields:  # build lazy columns once, not in every thread
                frame.get(name)
            # each chunk copies its selections into these, on its own thread
            selections = [
                Selection(
                    matched=np.empty((len(ct.table.rows), n), dtype=np.bool_),
                    selected=np.empty((len(ct.table.rows), n), dtype=np.bool_),
                    violation=np.empty(n, dtype=np.bool_),
                    count=np.empty(n, dtype=np.int64),
                )
                for ct in program.tables
            ]

            def run(b: tuple[int, int]) -> None:
                lo, hi = b
                if pay_column is not None:
                    assert base_minor is not None
                    assert currency is not None
                    _minor_of_floats(pay_column[lo:hi], currency, base_minor[lo:hi])
                for whole, part in zip(
                    selections, self._run_rows(program, frame, base_minor, out, b), strict=True
                ):
                    whole.matched[:, lo:hi] = part.matched
                    whole.selected[:, lo:hi] = part.selected
                    whole.violation[lo:hi] = part.violation
                    whole.count[lo:hi] = part.count

            self._runner.run(run, bounds)
        rule_fired = out.rule_fired
        # without a trace "not fired" is not split into false/unknown
        rule_known = out.rule_known if self._trace else rule_fired
        bonus, deduction = out.bonus, out.deduction
        bonus_known, deduction_known = out.bonus_known, out.deduction_known
        allocation = None
        if pool is not None:
            frac = frame.get("eligible_fraction")
            allocation = allocate_minor(
                np.where(bonus_known, bonus, 0),
                pool,
                eligible_fraction=None if frac is None else np.nan_to_num(frac, nan=1.0),
            )
        return BatchDecisions(
            subject_ids=ids,
            scheme_hash=s_hash if scheme_hash is None else scheme_hash,
            currency=currency,
            rule_keys=tuple(r.key for r in program.rules),
            table_keys=tuple(ct.table.key for ct in program.tables),
            rule_fired=rule_fired,
            rule_known=rule_known,
            selections=tuple(selections),
            bonus_minor=bonus,
            deduction_minor=deduction,
            bonus_known=bonus_known,
            deduction_known=deduction_known,
            allocation=allocation,
            program=program,
            frame=frame,
            base_minor=base_minor,
            trace=self._trace,
        )

    def _chunks(self, n: int) -> list[tuple[int, int]]:
        """Split N rows into balanced chunks that threads can run side by side.

        Chunks of at most ``_CHUNK_ROWS`` keep the temporaries in cache; their number is a
        multiple of the workers so that every thread gets the same share of rows.
        """
        workers = self._runner.workers if n >= 2 * _MIN_PARALLEL_ROWS else 1
        count = -(-n // _CHUNK_ROWS)
        count = max(workers, -(-count // workers) * workers)
        if count <= 1:
            return [(0, n)]
        size = -(-n // count)
        size = min(_CHUNK_ROWS, -(-size // _CHUNK_ALIGN) * _CHUNK_ALIGN)
        edges = [*range(0, n, size), n]
        return list(itertools.pairwise(edges))

    def _run_rows(
        self,
        program: _Program,
        frame: Frame,
        base_minor: IntArray | None,
        out: _Outputs,
        bounds: tuple[int, int],
    ) -> list[Selection]:
        """Evaluate rows ``lo:hi``: write fired/known and money into ``out``, return selections."""
        lo, hi = bounds
        n = hi - lo
        if (lo, hi) != (0, len(out.bonus)):
            frame = _rows_of(frame, program.fields, lo, hi)
            base_minor = None if base_minor is None else base_minor[lo:hi]
        rule_fired = out.rule_fired[:, lo:hi]
        for r, cond in enumerate(program.conditions):
            true, known = cond(frame)
            np.logical_and(true, known, out=rule_fired[r])
            if self._trace:
                out.rule_known[r, lo:hi] = known
        # Money per subject: (4, N) bonus fixed/percent, deduction fixed/percent, summed as
        # coefficient x fired/selected flag per rule and row. The sums are of whole numbers
        # below 2**53 (checked when compiling), so float64 adds them exactly. (Not a matrix
        # product: BLAS would start its own threads next to the evaluator's workers.)
        money = np.zeros((4, n))
        if program.has_money:
            _add_money(money, program.rule_coef, rule_fired)
        selections: list[Selection] = []
        for t, ct in enumerate(program.tables):
            matched, _known = ct.match(frame, with_known=False)
            rows = program.row_money[t]
            row_values = None
            agg = ct.table.aggregation
            if agg in (CollectAggregation.MIN, CollectAggregation.MAX):
                row_values = self._row_values(rows, base_minor, n)
            sel = ct.select(matched, row_values)
            selections.append(sel)
            if program.has_money:
                _add_money(money, program.row_coef[t], sel.selected)
        bonus_fixed, bonus_pct, ded_fixed, ded_pct = money
        base_f: FloatArray | None = None
        no_pay: BoolArray | None = None
        if program.has_percent and (bonus_pct.any() or ded_pct.any()):
            if base_minor is None:
                base_f = np.zeros(n)
                no_pay = np.ones(n, dtype=np.bool_)
            else:
                base_f = base_minor.astype(np.float64)  # from 2**53 on: the integer path
                no_pay = base_minor < 0
                if not no_pay.any():
                    no_pay = None  # every subject's pay is known
                else:
                    np.maximum(base_f, 0.0, out=base_f)
        for fixed, pct, amount, known in (
            (bonus_fixed, bonus_pct, out.bonus[lo:hi], out.bonus_known[lo:hi]),
            (ded_fixed, ded_pct, out.deduction[lo:hi], out.deduction_known[lo:hi]),
        ):
            if no_pay is None:
                known[...] = True
            else:
                np.logical_not(no_pay & (pct > 0), out=known)
            if base_f is None:
                np.copyto(amount, fixed, casting="unsafe")  # whole numbers
                continue
            _percent_of_floats(base_minor, base_f, pct, fixed, amount)
        return selections

    @staticmethod
    def _percent_of(base: IntArray, pct: IntArray, scale: int) -> IntArray:
        if not pct.any():
            return np.zeros_like(base)
        if int(base.max(initial=0)) * int(pct.max(initial=0)) < 2**62:
            return _div_round_half_even(base * pct, scale)
        out = []  # enormous amounts: exact Python integers
        for b, p in zip(base.tolist(), pct.tolist(), strict=True):
            q, r = divmod(b * p, scale)
            out.append(q + (2 * r > scale or (2 * r == scale and q % 2 == 1)))
        return np.array(out, dtype=np.int64)

    def _row_values(
        self, rows: Sequence[_MoneyTerms], base_minor: IntArray | None, n: int
    ) -> IntArray:
        base = np.zeros(n, dtype=np.int64) if base_minor is None else np.maximum(base_minor, 0)
        out = np.empty((len(rows), n), dtype=np.int64)
        for j, m in enumerate(rows):
            b = m.bonus_fixed + self._percent_of(base, np.full(n, m.bonus_pct), _PCT_SCALE)
            d = m.ded_fixed + self._percent_of(base, np.full(n, m.ded_pct), _PCT_SCALE)
            out[j] = b - d
        return out

    def _base_minor(
        self,
        frame: Frame,
        base_pay: Sequence[Decimal | None] | None,
        currency: str | None,
        n: int,
    ) -> IntArray | None:
        if currency is None:
            return None
        if base_pay is not None:
            if len(base_pay) != n:
                raise RuleError(f"base_pay: {len(base_pay)} values for a frame of {n} rows")
            # a population's base pays are an immutable tuple: convert them once
            cached = self._pay_cache
            if (
                cached is not None
                and cached[0] is base_pay
                and cached[1] == currency
                and isinstance(base_pay, tuple)
            ):
                return cached[2]
            # what to_minor does, with the currency looked up once instead of per subject
            digits = minor_units(currency)
            exponent = Decimal(1).scaleb(-digits)
            values: list[int] = []
            for k, b in enumerate(base_pay):
                if b is None:
                    values.append(-1)
                    continue
                if not isinstance(b, Decimal) or not b.is_finite():
                    raise RuleError(
                        f"base_pay[{k}]: {b!r} is not allowed; expected a finite Decimal or None"
                    )
                values.append(int(b.quantize(exponent, rounding=ROUND_HALF_EVEN).scaleb(digits)))
            minor = np.array(values, dtype=np.int64)
            self._pay_cache = (base_pay, currency, minor)
            return minor
        col = frame.get("base_pay")
        if col is None:
            return None
        minor = np.empty(n, dtype=np.int64)
        _minor_of_floats(np.asarray(col, dtype=np.float64), currency, minor)
        return minor

    def evaluate_batch(
        self,
        rules: RuleSet,
        batch_scores: BatchScores,
        population: Population | None = None,
        history: History | None = None,
        *,
        pool: BonusPool | None = None,
    ) -> BatchDecisions:
        """Evaluate ``rules`` for every review of a batch.

        Args:
            rules: A scheme, or a sequence of rules and tables.
            batch_scores: From ``ScoringEngine().score_batch``.
            population: The population scored, for subject attributes (grade, base pay, ...).
            history: Previous cycles' results, oldest first.
            pool: Proration, caps and pool for the bonuses.

        Returns:
            The decisions, one row per review.
        """
        # columns are built when a rule or table first reads them, not all on every call
        frame = _lazy_frame_from_scores(cast("Any", batch_scores), cast("Any", population), history)
        currency = None if population is None else population.currency
        base_pay = None if population is None else population.base_pay
        if currency is None and pool is not None:
            currency = pool.currency
        return self.evaluate_frame(
            rules,
            frame,
            subject_ids=batch_scores.subject_ids,
            base_pay=base_pay if currency is not None else None,
            currency=currency,
            pool=pool,
            scheme_hash=batch_scores.scheme_hash,
        )

    def evaluate(
        self,
        rules: RuleSet,
        score_card: ScoreCard,
        *,
        subject: Subject | None = None,
        history: History | None = None,
        as_of: dt.date | None = None,
    ) -> Decisions:
        """Evaluate ``rules`` for one score card: the batch engine on a one-row frame.

        Args:
            rules: A scheme, or a sequence of rules and tables.
            score_card: From ``ScoringEngine().score``.
            subject: The reviewed person: grade, department, base pay and currency; tenure is
                counted from ``hire_date`` to ``as_of``.
            history: Previous cycles' results for this one subject.
            as_of: The date tenure is counted to (usually the cycle end).

        Returns:
            The subject's decisions.
        """
        batch = _batch_from_card(score_card)
        frame = _lazy_frame_from_scores(cast("Any", batch), None, history)
        base_pay: list[Decimal | None] | None = None
        currency = None
        if subject is not None:
            text, number = FieldType.TEXT, FieldType.NUMBER
            tenure = math.nan
            if subject.hire_date is not None and as_of is not None:
                tenure = float((as_of - subject.hire_date).days)
            columns: dict[str, tuple[FieldType, Any]] = {
                "grade": (text, TextCodes.from_values([subject.grade])),
                "department": (text, TextCodes.from_values([subject.department])),
                "tenure_days": (number, np.array([tenure])),
            }
            if subject.base_pay is not None and subject.currency is not None:
                currency = subject.currency
                base_pay = [subject.base_pay]
                columns["base_pay"] = (number, np.array([float(subject.base_pay)]))
            frame = frame.with_columns(columns)
        batch_decisions = self.evaluate_frame(
            rules,
            frame,
            subject_ids=(score_card.subject_id,),
            base_pay=base_pay,
            currency=currency,
            scheme_hash=score_card.scheme_hash,
        )
        return batch_decisions.row(0)


def _batch_from_card(card: ScoreCard) -> BatchScores:
    """Return the one-row BatchScores whose ``row(0)`` is ``card``."""

    def f(values: Sequence[float | None]) -> npt.NDArray[np.float64]:
        return np.array([[math.nan if v is None else v for v in values]], dtype=np.float64)

    lines = card.lines
    labels = card.rating_labels or ((card.rating,) if card.rating is not None else ())
    rating_index = labels.index(card.rating) if card.rating in labels else -1
    return BatchScores(
        scheme_key=card.scheme_key,
        scheme_hash=card.scheme_hash,
        subject_ids=(card.subject_id,),
        kpi_keys=tuple(x.key for x in lines),
        category_keys=tuple(c.key for c in card.categories),
        rating_labels=tuple(labels),
        actual=f([x.actual for x in lines]),
        threshold=f([x.threshold for x in lines]),
        target=f([x.target for x in lines]),
        stretch=f([x.stretch for x in lines]),
        achievement=f([x.achievement for x in lines]),
        score=f([x.score for x in lines]),
        nominal_weight=np.array([x.nominal_weight for x in lines], dtype=np.float64),
        effective_weight=f([x.effective_weight for x in lines]),
        contribution=f([x.contribution for x in lines]),
        flags=np.array([[int(x.flags) for x in lines]], dtype=np.uint8),
        category_score=f([c.score for c in card.categories]),
        quantitative=np.array([card.quantitative], dtype=np.float64),
        qualitative=f([card.qualitative])[0],
        total=f([card.total])[0],
        rating_index=np.array([rating_index], dtype=np.int64),
        rated=np.array([card.rated]),
        gated=np.array([card.gated]),
        eligible_fraction=np.array([card.eligible_fraction], dtype=np.float64),
        raw_quantitative=np.array([card.raw_quantitative], dtype=np.float64),
        review_flags=np.array([int(card.flags)], dtype=np.uint8),
        criterion_keys=tuple(c.key for c in card.criteria),
        criterion_weight=np.array([c.weight for c in card.criteria], dtype=np.float64),
        criterion_score=f([c.score for c in card.criteria]),
        category_weight=np.array([c.weight for c in card.categories], dtype=np.float64),
        kpi_categories=tuple(x.category for x in lines),
        scorer_names=tuple(x.scorer for x in lines),
        directions=tuple(x.direction for x in lines),
        quantitative_share=card.quantitative_share,
        sample_size=np.array(
            [[-1 if x.sample_size is None else x.sample_size for x in lines]], dtype=np.int64
        ),
    )
