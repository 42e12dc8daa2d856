"""Score and decide a stream of batches in memory proportional to one batch.

:func:`score_and_decide_batches` reads batches as :func:`perfmgmt.scoring.iter_populations`
does, scores each with :meth:`ScoringEngine.score_batch` into reused result memory and
decides it with :meth:`RuleEvaluator.evaluate_batch` (into reused decision memory when
asked), one batch at a time: what ``score_batch`` and ``evaluate_batch`` give on the whole
population, row for row, without ever holding it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from perfmgmt.errors import RuleError
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules.buffers import DecisionBuffers
from perfmgmt.rules.evaluate import RuleEvaluator
from perfmgmt.scoring.buffers import ScoreBuffers
from perfmgmt.scoring.engine import ScoringEngine
from perfmgmt.scoring.stream import DEFAULT_BATCH_SIZE, iter_populations

if TYPE_CHECKING:
    from perfmgmt.rules.decisions import BatchDecisions
    from perfmgmt.rules.program import RuleSet
    from perfmgmt.scoring.card import BatchScores

__all__ = ["score_and_decide_batches"]


def score_and_decide_batches(
    scheme: Scheme,
    batches: object,
    *,
    rules: RuleSet | None = None,
    engine: ScoringEngine | None = None,
    evaluator: RuleEvaluator | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    buffers: ScoreBuffers | None = None,
    decision_buffers: DecisionBuffers | None = None,
) -> Iterator[tuple[BatchScores, BatchDecisions]]:
    """Score and decide a stream of batches, one batch at a time.

    Write each batch's results out (to Parquet, a database) and drop them before the next
    one, and the whole run holds about two batches of results at a time: score memory is
    reused as :class:`~perfmgmt.scoring.ScoreBuffers` describes (and decision memory too when
    you pass ``decision_buffers``), and a batch's population is built only when that batch is
    reached.  Batches you keep are never changed by later ones.

    Decision memory is reused only on request because in a stream it has not paid: a
    batch's decisions take about 40 bytes per review (2.6 MB at the default batch size), and
    the process's allocator already recycles memory that size from batch to batch; holding it
    aside instead was measured slower at 65,536 rows and no faster at 524,288 (see
    ``benchmarks/README.md``).  Reuse pays once the decision arrays outgrow what the
    allocator recycles, at millions of rows per call.

    Args:
        scheme: The scheme the batches are scored against.
        batches: Populations, frames or Arrow record batches, a pyarrow Table, a
            ``pyarrow.parquet.ParquetFile`` or an iterable of them, as
            :func:`~perfmgmt.scoring.iter_populations` reads them.
        rules: The rules and decision tables; by default the scheme's.
        engine: The scoring engine (reuse one across runs: it caches the scheme's plan).
        evaluator: The rule evaluator (likewise; ``RuleEvaluator(trace=False)`` is faster
            when no one reads why a rule did not fire).
        batch_size: Rows per batch where the input is cut (tables, files, frames).
        buffers: The score memory to reuse; by default new for this run.
        decision_buffers: The decision memory to reuse; by default each batch's decisions
            take fresh memory.

    Yields:
        ``(scores, decisions)`` for each batch, in input order.

    Raises:
        RuleError: When ``scheme`` is not a Scheme, ``engine``, ``evaluator``, ``buffers``
            or ``decision_buffers`` is of another type, or a rule does not check (when the
            first batch is decided).
        ScoringError: When a batch is refused (see ``iter_populations``) or cannot be
            scored, when that batch is reached.
    """
    if not isinstance(scheme, Scheme):
        raise RuleError(
            f"score_and_decide_batches: scheme is a {type(scheme).__name__}; expected a Scheme"
        )
    for name, value, kind in (
        ("engine", engine, ScoringEngine),
        ("evaluator", evaluator, RuleEvaluator),
        ("buffers", buffers, ScoreBuffers),
        ("decision_buffers", decision_buffers, DecisionBuffers),
    ):
        if value is not None and not isinstance(value, kind):
            raise RuleError(
                f"score_and_decide_batches: {name} is a {type(value).__name__}; expected "
                f"{kind.__name__} or None"
            )
    scoring = ScoringEngine() if engine is None else engine
    deciding = RuleEvaluator() if evaluator is None else evaluator
    memory = ScoreBuffers() if buffers is None else buffers
    ruleset = scheme if rules is None else rules
    for population in iter_populations(scheme, batches, batch_size=batch_size):
        scores = scoring.score_batch(scheme, population, out=memory)
        yield scores, deciding.evaluate_batch(ruleset, scores, population, out=decision_buffers)
