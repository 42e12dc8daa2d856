"""Decisions: what each subject was awarded, by which rule or table row, and why.

:class:`Decisions` holds one subject's outcomes with their trace; :class:`BatchDecisions` holds
N subjects' as arrays and builds a :class:`Decisions` per row on demand.  ``explain`` renders
them in English or Chinese; :func:`describe_outcome` gives one outcome's words.

Money: ``bonus`` and ``deduction`` are the sums of the listed lines (each line rounded once,
half to even, to the currency's minor unit).  They are ``Decimal('0.00')`` when the rules can
pay money but nothing that pays fired, and None when the rules pay no money at all, when the
currency is unknown, or when a percent-of-base-pay line applied and the base pay is unknown.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypedDict, overload

import attrs
import numpy as np

from perfmgmt._typing import BoolArray, IntArray
from perfmgmt._words import word
from perfmgmt.errors import PerfmgmtError, RuleError
from perfmgmt.model.incentive import (
    Bonus,
    BonusBasis,
    CollectAggregation,
    DecisionTable,
    Deduction,
    DeductionBasis,
    HitPolicy,
    Honour,
    IncentiveRule,
    Outcome,
    PositionAdjustment,
    Promotion,
    TrainingOpportunity,
)
from perfmgmt.model.money import from_minor
from perfmgmt.rules import _tables_out
from perfmgmt.rules._describe import describe_condition
from perfmgmt.rules._display import (
    batch_decisions_html,
    batch_decisions_repr,
    batch_decisions_to_pandas,
    decisions_html,
    decisions_repr,
)
from perfmgmt.rules.frame import Frame
from perfmgmt.rules.parse import parse
from perfmgmt.rules.payout import PoolAllocation, fixed_minor, line_minor
from perfmgmt.rules.tables import Selection

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa


__all__ = [
    "BatchDecisions",
    "Decision",
    "DecisionRecord",
    "Decisions",
    "SourceKind",
    "TraceEntry",
    "TraceStatus",
    "describe_outcome",
]

Lang = Literal["en", "zh"]


class DecisionRecord(TypedDict):
    """One subject of :meth:`BatchDecisions.to_records`, typed for ``mypy --strict`` callers.

    Attributes:
        subject_id: The subject's id.
        fired: Keys of the rules that fired and tables that selected a row, in order.
        outcomes: Each awarded outcome described in words, e.g. ``"bonus 1,200.00 CNY"``.
        violations: Keys of the constraints the subject violated.
        currency: Currency of the money amounts, None when the scheme has no money.
        bonus: The bonus total before the pool (Decimal), None when unknown.
        deduction: The deduction total (Decimal), None when unknown.
        awarded: The bonus after proration, cap and pool (Decimal), None without a pool.
    """

    subject_id: str
    fired: list[str]
    outcomes: list[str]
    violations: list[str]
    currency: str | None
    bonus: Decimal | None
    deduction: Decimal | None
    awarded: Decimal | None


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
        row: The table row as an index into ``table.rows`` (zero-based; text and reports
            number rows from 1), None for a rule.
        outcome: The outcome.
        amount: For a bonus or deduction, its amount on its own (Decimal in the currency's
            minor unit); None for other outcomes or when the base pay is unknown.
        base_pay: For a line in percent of base pay, the base pay it was computed from:
            ``amount = round_half_even(base_pay x percent / 100)`` at the minor unit.
    """

    source: str
    kind: SourceKind
    row: int | None
    outcome: Outcome
    amount: Decimal | None = None
    base_pay: Decimal | None = None


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
        "lang": "en",
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
        "prorated": "Prorated by the eligible fraction",
        "capped": "Capped per person at",
        "line_base": "{base} × {pct} %",
        "none": "No rule fired.",
        "unknown_pay": "unknown (base pay missing)",
    },
    "zh": {
        "lang": "zh",
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
        "prorated": "按在岗比例折算",
        "capped": "个人上限",
        "line_base": "基本工资 {base} × {pct}%",
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
    if isinstance(outcome, Bonus | Deduction):
        return _describe_money(outcome, w, money)
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


def _describe_money(outcome: Bonus | Deduction, w: dict[str, str], money: str) -> str:
    if isinstance(outcome, Bonus):
        if outcome.basis is BonusBasis.PERCENT_OF_BASE_PAY:
            return w["bonus_pct"].format(value=outcome.value) + money
        if outcome.basis is BonusBasis.MULTIPLE_OF_TARGET_BONUS:
            text = w["bonus_mult"].format(value=outcome.value, target=outcome.target_bonus)
            return text + money
        return w["bonus_fixed"].format(value=outcome.value, currency=outcome.currency)
    if outcome.basis is DeductionBasis.PERCENT_OF_BASE_PAY:
        return w["deduction_pct"].format(value=outcome.value) + money
    return w["deduction_fixed"].format(value=outcome.value, currency=outcome.currency)


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
        proration: The eligible fraction the bonus was prorated by, as an exact
            ``(numerator, denominator)``; None when the pool does not prorate.
        prorated: The bonus after proration (half-to-even at the minor unit); None without
            a pool.
        per_person_cap: The pool's cap per person, None when there is none.
        capped: The prorated bonus after the cap; the pool then scales it by
            ``pool_factor`` (largest remainder in minor units); None without a pool.
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
    proration: tuple[int, int] | None = None
    prorated: Decimal | None = None
    per_person_cap: Decimal | None = None
    capped: Decimal | None = None

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
        fired = [t for t in self.trace if t.status is TraceStatus.FIRED]
        others = [t for t in self.trace if t.status is not TraceStatus.FIRED]
        out = [w["title"].format(subject=self.subject_id), f"{w['fired']}:" if fired else w["none"]]
        out += self._fired_lines(fired, w, lang)
        if others:
            out.append(f"{w['not_fired']}:")
        for t in others:
            out.append(f"  - {_kind(t, w)} {t.source}: {self._why(t, w)}")
            out += _read_lines(t, w)
        out += self._money_lines(w)
        return "\n".join(out)

    def _fired_lines(self, fired: Sequence[TraceEntry], w: dict[str, str], lang: str) -> list[str]:
        by_source: dict[str, list[Decision]] = {}
        for d in self.decisions:
            by_source.setdefault(d.source, []).append(d)
        out: list[str] = []
        for t in fired:
            out.append(f"  - {_kind(t, w)} {t.source}: {self._head(t, w)}")
            out += _read_lines(t, w)
            for d in by_source.get(t.source, []):
                row = f"[{w['row'].format(row=d.row + 1)}] " if d.row is not None else ""
                text = describe_outcome(d.outcome, d.amount, self.currency, lang=lang)
                if d.base_pay is not None and isinstance(d.outcome, Bonus | Deduction):
                    base = w["line_base"].format(pct=d.outcome.value, base=d.base_pay)
                    text = f"{text} = {base}"
                out.append(f"    -> {row}{text}")
        return out

    def _money_lines(self, w: dict[str, str]) -> list[str]:
        out: list[str] = []
        cur = f" {self.currency}" if self.currency else ""
        if self.bonus is not None or any(isinstance(d.outcome, Bonus) for d in self.decisions):
            value = w["unknown_pay"] if self.bonus is None else f"{self.bonus}{cur}"
            out.append(f"{w['bonus']}: {value}")
        if self.deduction or any(isinstance(d.outcome, Deduction) for d in self.decisions):
            value = w["unknown_pay"] if self.deduction is None else f"{self.deduction}{cur}"
            out.append(f"{w['deduction']}: {value}")
        if self.proration is not None and self.prorated is not None:
            num, den = self.proration
            out.append(f"{w['prorated']} × {num}/{den}: {self.prorated}{cur}")
        if self.per_person_cap is not None and self.capped is not None:
            out.append(f"{w['capped']} {self.per_person_cap}{cur}: {self.capped}{cur}")
        if self.awarded is not None:
            factor = f"{self.pool_factor:.6f}" if self.pool_factor is not None else "?"
            out.append(f"{w['awarded']}: {self.awarded}{cur} ({w['factor']} {factor})")
        return out

    @staticmethod
    def _head(t: TraceEntry, w: dict[str, str]) -> str:
        if t.kind is SourceKind.RULE:
            return _condition(t.text, w["lang"])
        rows = ", ".join(str(r + 1) for r in t.selected)
        policy = w["policy"].format(policy=_policy(t, w))
        return f"{policy}: {w['row'].format(row=rows)}"

    @staticmethod
    def _why(t: TraceEntry, w: dict[str, str]) -> str:
        policy = _policy(t, w)
        if t.status is TraceStatus.UNKNOWN:
            return w["unknown"].format(fields=_fields(t.missing, w) or "?")
        if t.status is TraceStatus.VIOLATION:
            rows = ", ".join(str(r + 1) for r in t.matched)
            return w["violation"].format(policy=policy, rows=rows)
        if t.status is TraceStatus.COUNTED:
            return w["counted"].format(count=t.count)
        if t.status is TraceStatus.NO_MATCH:
            extra = f" ({w['unknown'].format(fields=_fields(t.missing, w))})" if t.missing else ""
            return w["no_match"] + extra
        return (_condition(t.text, w["lang"]) + ": " if t.text else "") + w["false"]


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
    _program: _ProgramView = attrs.field(alias="program", repr=False)
    _frame: Frame = attrs.field(alias="frame", repr=False)
    _base_minor: IntArray | None = attrs.field(alias="base_minor", repr=False)
    _trace: bool = attrs.field(alias="trace", repr=False)

    # The stored form (see BatchDecisionsDocument below): the serialization layer reads and
    # writes it in place of the decisions, which hold a compiled program.
    __document_type__: ClassVar[type]

    def __len__(self) -> int:
        return len(self.subject_ids)

    def __repr__(self) -> str:
        return batch_decisions_repr(self)

    def __to_document__(self) -> BatchDecisionsDocument:
        """Return the stored form: the arrays, the rules and tables, and the inputs read."""
        prog = self._program
        read = sorted(
            {f for c in prog.conditions for f in c.fields}
            | {f for t in prog.tables for f in t.fields}
        )
        n = len(self)
        inputs = (
            {f: tuple(_py(self._frame[f][i]) for i in range(n)) for f in read if f in self._frame}
            if self._trace
            else {}
        )
        return BatchDecisionsDocument(
            subject_ids=tuple(self.subject_ids),
            scheme_hash=self.scheme_hash,
            currency=self.currency,
            rule_keys=self.rule_keys,
            table_keys=self.table_keys,
            rule_fired=self.rule_fired,
            rule_known=self.rule_known,
            selections=self.selections,
            bonus_minor=self.bonus_minor,
            deduction_minor=self.deduction_minor,
            bonus_known=self.bonus_known,
            deduction_known=self.deduction_known,
            allocation=self.allocation,
            rules=tuple(prog.rules),
            rule_texts=tuple(prog.texts),
            rule_fields=tuple(tuple(c.fields) for c in prog.conditions),
            tables=tuple(t.table for t in prog.tables),
            table_fields=tuple(tuple(t.fields) for t in prog.tables),
            has_money=prog.has_money,
            inputs=inputs,
            base_minor=self._base_minor,
            trace=self._trace,
        )

    @classmethod
    def __from_document__(cls, doc: BatchDecisionsDocument) -> BatchDecisions:
        """Rebuild the decisions from their stored form (no rule is evaluated again)."""
        n = len(doc.subject_ids)

        def by_rule(a: BoolArray) -> BoolArray:
            return np.asarray(a, dtype=np.bool_).reshape(len(doc.rule_keys), n)

        return cls(
            subject_ids=doc.subject_ids,
            scheme_hash=doc.scheme_hash,
            currency=doc.currency,
            rule_keys=doc.rule_keys,
            table_keys=doc.table_keys,
            rule_fired=by_rule(doc.rule_fired),
            rule_known=by_rule(doc.rule_known),
            selections=doc.selections,
            bonus_minor=doc.bonus_minor,
            deduction_minor=doc.deduction_minor,
            bonus_known=doc.bonus_known,
            deduction_known=doc.deduction_known,
            allocation=doc.allocation,
            program=_StoredProgram(
                rules=doc.rules,
                texts=doc.rule_texts,
                conditions=tuple(_Reads(fields=f) for f in doc.rule_fields),
                tables=tuple(
                    _StoredTable(table=t, fields=f)
                    for t, f in zip(doc.tables, doc.table_fields, strict=True)
                ),
                has_money=doc.has_money,
            ),
            frame=doc.inputs,
            base_minor=doc.base_minor,
            trace=doc.trace,
        )

    def _repr_html_(self) -> str:
        return batch_decisions_html(self)

    def to_pandas(self, columns: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Return the decisions as a pandas DataFrame, one row per subject (``perfmgmt[pandas]``).

        Without ``columns``: indexed by ``subject_id``, ``fired.<key>`` per rule and table,
        ``bonus``, ``deduction`` (exact Decimals, None where unknown), ``awarded`` when a pool
        applied, ``currency``. With ``columns`` (a set name or a list, as for
        :meth:`to_arrow`) only those, indexed by ``subject_id`` when it is among them.

        Raises:
            MissingExtraError: When pandas is not installed.
            RuleError: On an unknown column name or set.
        """
        if columns is None:
            return batch_decisions_to_pandas(self)
        return _tables_out.decisions_pandas(self, columns, has_money=self._program.has_money)

    def to_arrow(self, columns: str | Sequence[str] = "lean") -> pa.Table:
        """Return the decisions as a pyarrow Table, one row per subject (``perfmgmt[arrow]``).

        Args:
            columns: ``"lean"`` (``subject_id``, ``bonus``, ``deduction``, ``awarded`` when a
                pool applied, and a bool ``fired.<key>`` per rule and table), ``"full"`` (also
                ``currency``) or a list of those column names.

        Money is exact: ``decimal128(38, s)`` with ``s`` the currency's minor-unit digits,
        built from the integer minor amounts (never a float); null where unknown.

        Raises:
            MissingExtraError: When pyarrow is not installed.
            RuleError: On an unknown column name or set, naming what is allowed.
        """
        return _tables_out.decisions_arrow(self, columns, has_money=self._program.has_money)

    def to_polars(self, columns: str | Sequence[str] = "lean") -> pl.DataFrame:
        """Return the decisions as a polars DataFrame (``perfmgmt[polars]``).

        The columns are chosen as for :meth:`to_arrow`; money is an exact ``polars.Decimal``.

        Raises:
            MissingExtraError: When polars or pyarrow is not installed.
            RuleError: On an unknown column name or set, naming what is allowed.
        """
        return _tables_out.decisions_polars(self, columns, has_money=self._program.has_money)

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

    def granted(self, kind: type) -> BoolArray:
        """Return bool ``(N,)``: where a fired rule or a selected table row gave a ``kind``.

        Args:
            kind: An outcome class: :class:`~perfmgmt.model.Bonus`, ``Deduction``,
                ``Promotion``, ``TrainingOpportunity``, ``Honour`` or ``PositionAdjustment``.

        Raises:
            RuleError: When ``kind`` is not an outcome class.
        """
        if kind not in _OUTCOME_KINDS:
            names = [k.__name__ for k in _OUTCOME_KINDS]
            raise RuleError(
                f"granted: kind={kind!r} is not an outcome class; expected one of {names}"
            )
        out = np.zeros(len(self), dtype=np.bool_)
        for r, rule in enumerate(self._program.rules):
            if any(isinstance(o, kind) for o in rule.outcomes):
                out |= np.asarray(self.rule_fired[r], dtype=np.bool_)
        for t, ct in enumerate(self._program.tables):
            rows = [
                j
                for j, row in enumerate(ct.table.rows)
                if any(isinstance(o, kind) for o in row.outputs)
            ]
            if rows:
                out |= self.selections[t].selected[rows].any(axis=0)
        return out

    def _money(self, value: int, known: bool) -> Decimal | None:
        """Return a total as a Decimal; None without money, currency, or a known amount."""
        if self.currency is None or not self._program.has_money or not known:
            return None
        return from_minor(value, self.currency)

    def _amount(self, outcome: Outcome, i: int) -> Decimal | None:
        """Return one listed line's amount: the same rounding the totals are made of."""
        if not isinstance(outcome, Bonus | Deduction):
            return None
        base = None if self._base_minor is None else int(self._base_minor[i])
        minor = line_minor(outcome, base)
        currency = outcome.currency or self.currency
        if minor is None or currency is None:
            return None
        return from_minor(minor, currency)

    def _base_pay(self, outcome: Outcome, i: int) -> Decimal | None:
        """The base pay a percent line was computed from (None for other lines)."""
        if not isinstance(outcome, Bonus | Deduction) or fixed_minor(outcome) is not None:
            return None
        if self._base_minor is None or self.currency is None or self._base_minor[i] < 0:
            return None
        return from_minor(int(self._base_minor[i]), self.currency)

    def _decisions(
        self, source: str, kind: SourceKind, row: int | None, outcomes: Sequence[Outcome], i: int
    ) -> list[Decision]:
        return [
            Decision(
                source=source,
                kind=kind,
                row=row,
                outcome=o,
                amount=self._amount(o, i),
                base_pay=self._base_pay(o, i),
            )
            for o in outcomes
        ]

    def _rule_entries(self, i: int, decisions: list[Decision]) -> list[TraceEntry]:
        prog = self._program
        trace: list[TraceEntry] = []
        for r, rule in enumerate(prog.rules):
            inputs = self._inputs(prog.conditions[r].fields, i) if self._trace else ()
            if self.rule_fired[r, i]:
                status = TraceStatus.FIRED
                decisions += self._decisions(rule.key, SourceKind.RULE, None, rule.outcomes, i)
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
        return trace

    def _table_entries(self, i: int, decisions: list[Decision]) -> list[TraceEntry]:
        trace: list[TraceEntry] = []
        for t, ct in enumerate(self._program.tables):
            sel = self.selections[t]
            selected = tuple(int(x) for x in np.flatnonzero(sel.selected[:, i]))
            inputs = self._inputs(ct.fields, i) if self._trace else ()
            for row in selected:
                outputs = ct.table.rows[row].outputs
                decisions += self._decisions(ct.table.key, SourceKind.TABLE, row, outputs, i)
            trace.append(
                TraceEntry(
                    source=ct.table.key,
                    kind=SourceKind.TABLE,
                    status=_table_status(
                        violation=bool(sel.violation[i]),
                        counted=ct.table.aggregation is CollectAggregation.COUNT,
                        selected=bool(selected),
                    ),
                    hit_policy=ct.table.hit_policy,
                    inputs=inputs,
                    missing=_missing(inputs),
                    matched=tuple(int(x) for x in np.flatnonzero(sel.matched[:, i])),
                    selected=selected,
                    count=int(sel.count[i]),
                )
            )
        return trace

    def row(self, i: int) -> Decisions:
        """Return the decisions of subject ``i`` with their full trace."""
        n = len(self)
        if not isinstance(i, int | np.integer) or not -n <= int(i) < n:
            raise RuleError(f"BatchDecisions.row: index {i!r} is out of range for {n} subjects")
        i = int(i) % n
        decisions: list[Decision] = []
        trace = self._rule_entries(i, decisions) + self._table_entries(i, decisions)
        alloc = self.allocation
        return Decisions(
            subject_id=self.subject_ids[i],
            scheme_hash=self.scheme_hash,
            decisions=tuple(decisions),
            trace=tuple(trace),
            currency=self.currency,
            bonus=self._money(int(self.bonus_minor[i]), bool(self.bonus_known[i])),
            deduction=self._money(int(self.deduction_minor[i]), bool(self.deduction_known[i])),
            awarded=None if alloc is None else alloc.amount(i),
            pool_factor=None if alloc is None else alloc.factor,
            **self._pool_steps(i),
        )

    def _pool_steps(self, i: int) -> dict[str, Any]:
        """Subject ``i``'s way from the bonus to the award: proration and cap."""
        alloc = self.allocation
        if alloc is None:
            return {}
        cur = alloc.currency
        out: dict[str, Any] = {
            "prorated": from_minor(int(alloc.prorated[i]), cur),
            "capped": from_minor(int(alloc.capped[i]), cur),
            "per_person_cap": alloc.per_person_cap,
        }
        if alloc.proration is not None:
            num, den = alloc.proration
            out["proration"] = (int(num[i]), int(den[i]))
        return out

    def _inputs(self, fields: Sequence[str], i: int) -> tuple[tuple[str, object], ...]:
        return tuple((f, _py(self._frame[f][i])) for f in fields if f in self._frame)

    def explain(self, i: int, lang: Lang | str = "en") -> str:
        """Render subject ``i``'s decisions and trace as text (``"en"`` or ``"zh"``)."""
        return self.row(i).explain(lang)

    def to_records(self) -> list[DecisionRecord]:
        """Return one typed record per subject: fired keys, outcomes and money (Decimal)."""
        records: list[DecisionRecord] = []
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


_OUTCOME_KINDS: tuple[type, ...] = (
    Bonus,
    Deduction,
    Promotion,
    TrainingOpportunity,
    Honour,
    PositionAdjustment,
)


class _FieldsRead(Protocol):
    @property
    def fields(self) -> Sequence[str]: ...


class _TableRead(Protocol):
    @property
    def table(self) -> DecisionTable: ...
    @property
    def fields(self) -> Sequence[str]: ...


class _ProgramView(Protocol):
    """What decisions read of a compiled program: a :class:`RuleProgram` or its stored form."""

    @property
    def rules(self) -> Sequence[IncentiveRule]: ...
    @property
    def texts(self) -> Sequence[str]: ...
    @property
    def conditions(self) -> Sequence[_FieldsRead]: ...
    @property
    def tables(self) -> Sequence[_TableRead]: ...
    @property
    def has_money(self) -> bool: ...


@attrs.frozen(kw_only=True)
class _Reads:
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class _StoredTable:
    table: DecisionTable
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class _StoredProgram:
    """The parts of a program that stored decisions need to list outcomes and traces."""

    rules: tuple[IncentiveRule, ...]
    texts: tuple[str, ...]
    conditions: tuple[_Reads, ...]
    tables: tuple[_StoredTable, ...]
    has_money: bool


@attrs.frozen(kw_only=True, eq=False)
class BatchDecisionsDocument:
    """The stored form of :class:`BatchDecisions`: arrays, rules and tables, inputs read.

    Written and read by :mod:`perfmgmt.serialization` in place of the decisions, which hold a
    compiled program; the rows of the loaded decisions equal the original's.
    """

    subject_ids: tuple[str, ...]
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
    rules: tuple[IncentiveRule, ...]
    rule_texts: tuple[str, ...]
    rule_fields: tuple[tuple[str, ...], ...]
    tables: tuple[DecisionTable, ...]
    table_fields: tuple[tuple[str, ...], ...]
    has_money: bool
    inputs: dict[str, tuple[object, ...]]
    base_minor: IntArray | None
    trace: bool


BatchDecisions.__document_type__ = BatchDecisionsDocument


def _kind(t: TraceEntry, w: dict[str, str]) -> str:
    return word(f"rule_kind.{t.kind.value}", w["lang"])


def _policy(t: TraceEntry, w: dict[str, str]) -> str:
    return word(f"hit_policy.{t.hit_policy.value}", w["lang"]) if t.hit_policy else ""


def _fields(names: Sequence[str], w: dict[str, str]) -> str:
    return ", ".join(_condition(n, w["lang"]) for n in names)


def _condition(text: str, lang: str) -> str:
    """Return a condition's text (or a field name) in words for ``lang``; as typed in English."""
    if lang == "en" or not text:
        return text
    try:
        return describe_condition(parse(text), lang)
    except PerfmgmtError:  # not a condition: shown as recorded
        return text


def _read_lines(t: TraceEntry, w: dict[str, str]) -> list[str]:
    if not t.inputs:
        return []
    read = ", ".join(f"{_condition(k, w['lang'])} = {_fmt_value(v)}" for k, v in t.inputs)
    return [f"    {w['read']}: {read}"]


def _table_status(*, violation: bool, counted: bool, selected: bool) -> TraceStatus:
    if violation:
        return TraceStatus.VIOLATION
    if counted:
        return TraceStatus.COUNTED
    return TraceStatus.FIRED if selected else TraceStatus.NO_MATCH


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
