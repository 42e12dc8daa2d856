"""Incentive rules: the rule language, decision tables, the bonus pool and the evaluator.

Write a rule from text with :func:`rule`, group rules and :class:`DecisionTable` objects in a
scheme (or a plain list), and run them with :class:`RuleEvaluator` on a score card or a batch.

>>> from decimal import Decimal
>>> r = rule("top", when="total >= 90", then=[Bonus.percent_of_base_pay(Decimal(10))])
>>> r.key
'top'
"""

from __future__ import annotations

from collections.abc import Iterable

from perfmgmt.model.common import Label
from perfmgmt.model.incentive import (
    AdjustmentKind,
    Bonus,
    BonusBasis,
    BonusPool,
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
    TableInput,
    TableRow,
    TrainingOpportunity,
)
from perfmgmt.rules._describe import describe_condition
from perfmgmt.rules.buffers import DecisionBuffers
from perfmgmt.rules.check import check_condition
from perfmgmt.rules.compile import CompiledCondition, compile_condition
from perfmgmt.rules.decisions import (
    BatchDecisions,
    Decision,
    DecisionRecord,
    Decisions,
    SourceKind,
    TraceEntry,
    TraceStatus,
    describe_outcome,
)
from perfmgmt.rules.evaluate import RuleEvaluator
from perfmgmt.rules.frame import History, TextCodes, frame_from_scores
from perfmgmt.rules.parse import Limits, parse, render
from perfmgmt.rules.payout import PoolAllocation, allocate
from perfmgmt.rules.program import RuleProgram, RuleSet
from perfmgmt.rules.schema import FieldSchema, FieldType
from perfmgmt.rules.stream import score_and_decide_batches
from perfmgmt.rules.tables import Finding, FindingKind, analyse_table

__all__ = [
    "AdjustmentKind",
    "BatchDecisions",
    "Bonus",
    "BonusBasis",
    "BonusPool",
    "CollectAggregation",
    "CompiledCondition",
    "Decision",
    "DecisionBuffers",
    "DecisionRecord",
    "DecisionTable",
    "Decisions",
    "Deduction",
    "DeductionBasis",
    "FieldSchema",
    "FieldType",
    "Finding",
    "FindingKind",
    "History",
    "HitPolicy",
    "Honour",
    "IncentiveRule",
    "Limits",
    "PoolAllocation",
    "PositionAdjustment",
    "Promotion",
    "RuleEvaluator",
    "RuleProgram",
    "RuleSet",
    "SourceKind",
    "TableInput",
    "TableRow",
    "TextCodes",
    "TraceEntry",
    "TraceStatus",
    "TrainingOpportunity",
    "allocate",
    "analyse_table",
    "check_condition",
    "compile_condition",
    "describe_condition",
    "describe_outcome",
    "frame_from_scores",
    "parse",
    "render",
    "rule",
    "score_and_decide_batches",
]


def rule(
    key: str,
    when: str,
    then: Iterable[Outcome],
    *,
    priority: int = 0,
    label: Label | None = None,
    description: str = "",
) -> IncentiveRule:
    """Build an :class:`IncentiveRule` from condition text.

    Args:
        key: The rule's key.
        when: The condition in the rule language, e.g. ``'total >= 90 and rating == "A"'``.
        then: The outcomes awarded when the condition holds.
        priority: Higher fires first in decisions and explanations.
        label: Human label.
        description: Free text.

    Returns:
        The rule.

    Raises:
        RuleSyntaxError: ``when`` does not parse; the message points at the column.
        ValidationError: Another argument is not allowed.
    """
    outcomes: tuple[Outcome, ...] = tuple(then)
    return IncentiveRule(
        key=key,
        condition=parse(when),
        outcomes=outcomes,
        priority=priority,
        label=label,
        description=description,
    )
