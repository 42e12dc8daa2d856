"""Decision memory that the rule evaluator reuses from one batch to the next.

Evaluating a batch writes its decisions (which rules fired, which table rows matched and were
selected, the bonus and deduction in minor units) into arrays carved from one block of memory,
as scoring does with its results.  A :class:`DecisionBuffers` keeps a few such blocks and hands
one back to the evaluator once nothing refers to the decisions last written into it: the same
mechanism, and the same code, as :class:`~perfmgmt.scoring.ScoreBuffers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from perfmgmt._blocks import Layout, ReusedBlocks, layout_nbytes
from perfmgmt._validate import check_integer, show
from perfmgmt.errors import RuleError
from perfmgmt.model.incentive import DecisionTable, IncentiveRule
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules.program import RuleSet, rule_items

__all__ = ["DecisionBuffers", "decision_layout", "decision_nbytes"]

#: The most reviews for_rules reserves room for, as for scores.
MAX_REVIEWS = 10**9


def decision_layout(reviews: int, rules: int, table_rows: Sequence[int], *, trace: bool) -> Layout:
    """Return the arrays one batch's decisions are carved into, 8-byte items first.

    Args:
        reviews: N, the rows of the batch.
        rules: How many rules the program has.
        table_rows: The number of rows of each decision table, in declaration order.
        trace: Whether "not fired" is split into false and unknown (a ``rule_known`` array).

    Returns:
        ``(name, shape, dtype)`` per array: ``bonus``, ``deduction`` and each table's
        ``count.<t>`` (int64), then ``rule_fired``, ``rule_known``, ``bonus_known``,
        ``deduction_known`` and each table's ``matched.<t>``, ``selected.<t>`` and
        ``violation.<t>`` (bool).
    """
    n = reviews
    layout: list[tuple[str, tuple[int, ...], type[np.generic]]] = [
        ("bonus", (n,), np.int64),
        ("deduction", (n,), np.int64),
    ]
    layout += [(f"count.{t}", (n,), np.int64) for t in range(len(table_rows))]
    layout += [
        ("rule_fired", (rules, n), np.bool_),
        ("rule_known", (rules if trace else 0, n), np.bool_),
        ("bonus_known", (n,), np.bool_),
        ("deduction_known", (n,), np.bool_),
    ]
    for t, rows in enumerate(table_rows):
        layout += [
            (f"matched.{t}", (rows, n), np.bool_),
            (f"selected.{t}", (rows, n), np.bool_),
            (f"violation.{t}", (n,), np.bool_),
        ]
    return layout


def decision_nbytes(reviews: int, rules: int, table_rows: Sequence[int], *, trace: bool) -> int:
    """Return the bytes of one batch's decision arrays.

    Per review: 8 bytes for the bonus, the deduction and each table's match count; one byte
    per rule for where it fired and, with ``trace``, one more for where it was known; one
    each for where the bonus and the deduction are known; and per table one byte per row for
    matched and one for selected, and one for a hit-policy violation.
    """
    return layout_nbytes(decision_layout(reviews, rules, table_rows, trace=trace))


class DecisionBuffers(ReusedBlocks):
    """Reusable memory for :meth:`RuleEvaluator.evaluate_batch` decisions.

    Pass one to ``evaluate_batch(rules, scores, population, out=buffers)``
    (:func:`~perfmgmt.rules.score_and_decide_batches` does so by itself).  The arrays of the
    :class:`~perfmgmt.rules.BatchDecisions` a call returns (``rule_fired``, ``rule_known``,
    the tables' selections, ``bonus_minor``, ``deduction_minor`` and where they are known) are
    views of one of the buffers' blocks, and **they stay yours for as long as you hold them**:
    a block is written again only when nothing refers to the decisions last written into it
    (no BatchDecisions, no array taken from one, no table made from one that shares its
    memory).  When every block is still in use the evaluator takes fresh memory, so keeping
    decisions never lets a later call change them.  The decisions are equal, array for array
    and byte for byte, to those of a call without ``out``.

    This is :class:`~perfmgmt.scoring.ScoreBuffers`' design, with the same code: decisions
    are immutable values users keep, so reuse is what happens when a stream drops each
    result before the next one, and nothing else changes.  Scores and decisions keep separate
    buffers because their blocks differ several times in size (338 and 45 bytes per review for
    the bundled preset, with a trace); one set of blocks for both would hand a small decision
    block's slot to scores and back again.

    It pays for large calls: deciding 10,000,000 reviews at once took 0.55-0.65 of the CPU time
    of a call into fresh memory.  At a million reviews or fewer the process's allocator
    already recycles memory that size, and in a stream of small batches holding it aside was
    measured slower (see :func:`~perfmgmt.rules.score_and_decide_batches`).

    A pool's allocation (``evaluate_batch(..., pool=...)``) is not carved from the block:
    it is computed over the whole batch after the rules and takes its own memory.

    Args:
        slots: How many blocks to keep (1 to 64); two serve a ``for`` loop over a stream,
            whose loop variable holds the previous decisions while the next are written.

    Raises:
        ValidationError: When ``slots`` is not a whole number from 1 to 64.

    A block is known to be free when CPython's reference count of it shows no holder but the
    buffers themselves.  Blocks are kept until :meth:`clear` or until the buffers are
    dropped.  Instances are safe to share between threads; each call takes a block under a
    lock.  A pickled copy keeps its ``slots`` and none of the memory.
    """

    @classmethod
    def for_rules(
        cls, rules: RuleSet, reviews: int, *, trace: bool = True, slots: int = 2
    ) -> DecisionBuffers:
        """Return buffers whose every slot already holds room for ``reviews`` decisions.

        The memory is written once here, so that the operating system maps its pages now and
        no evaluation pays for it later.

        Args:
            rules: The rules the batches are decided by: a scheme, or a sequence of rules and
                tables (their number, and the tables' rows, fix the bytes per review).
            reviews: The largest batch to expect; a larger one takes new memory.
            trace: The ``trace`` of the evaluator the buffers serve (with a trace each rule
                needs one more byte per review).
            slots: How many blocks to keep (and to allocate now).

        Raises:
            RuleError: When ``rules`` is not a scheme, a rule, a table or a sequence of rules
                and tables, or ``trace`` is not a bool.
            ValidationError: When ``reviews`` is not a whole number from 0 to 10**9, or
                ``slots`` is refused as in the constructor.
        """
        given: object = rules
        if isinstance(given, str | bytes) or not isinstance(
            given, Scheme | IncentiveRule | DecisionTable | Iterable
        ):
            raise RuleError(
                f"DecisionBuffers.for_rules: rules={show(given)} is a {type(given).__name__}; "
                "expected a Scheme or a sequence of IncentiveRule and DecisionTable"
            )
        items, _hash = rule_items(rules)
        check_integer(reviews, "DecisionBuffers.for_rules: reviews", 0, MAX_REVIEWS)
        if not isinstance(trace, bool):
            raise RuleError(
                f"DecisionBuffers.for_rules: trace={show(trace)} is not allowed; expected True "
                "or False"
            )
        rows = [len(t.rows) for t in items if isinstance(t, DecisionTable)]
        count = sum(isinstance(r, IncentiveRule) for r in items)
        buffers = cls(slots=slots)
        buffers._reserve(decision_nbytes(reviews, count, rows, trace=trace))
        return buffers
