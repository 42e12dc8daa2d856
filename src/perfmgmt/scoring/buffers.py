"""Result memory that the scoring engine reuses from one batch to the next.

Scoring a batch writes its results (achievements, scores, weights, totals, flags, ...) into
arrays carved from one block of memory.  Fresh memory costs a page fault per page on first
touch, which at millions of reviews is a noticeable share of the run; a :class:`ScoreBuffers`
keeps a few such blocks and hands one back to the engine once nothing refers to the results
that were last written into it.
"""

from __future__ import annotations

from perfmgmt._blocks import ReusedBlocks
from perfmgmt._validate import check_integer
from perfmgmt.errors import ScoringError
from perfmgmt.model.scheme import Scheme

__all__ = ["ScoreBuffers", "result_nbytes"]

#: The most reviews for_scheme reserves room for (a batch of a billion reviews needs about
#: 300 GB of results: well past any machine this runs on).
MAX_REVIEWS = 10**9


def result_nbytes(reviews: int, kpis: int, categories: int, criteria: int) -> int:
    """Return the bytes of one batch's result arrays.

    Per review: 8 bytes for each float64 or int64 item (four per KPI: achievement, score,
    effective weight, contribution; one per category and per criterion; six per review:
    raw quantitative, quantitative, qualitative, total, measured share, rating index) and one
    byte for each uint8 or bool item (KPI flags, rated, gated, review flags).
    """
    return reviews * (8 * (4 * kpis + categories + criteria + 6) + kpis + 3)


def _scheme_nbytes(scheme: Scheme, reviews: int) -> int:
    kpis, criteria = len(scheme.kpis), len(scheme.criteria)
    return result_nbytes(reviews, kpis, len(scheme.category_keys), criteria)


class ScoreBuffers(ReusedBlocks):
    """Reusable memory for :meth:`ScoringEngine.score_batch` results.

    Pass one to ``score_batch(scheme, population, out=buffers)`` (``score_batches`` does so
    by itself).  The results of a call are views of one of the buffers' blocks, and **they
    stay yours for as long as you hold them**: a block is written again only when nothing
    refers to the results last written into it (no :class:`BatchScores`, no array taken from
    one, no zero-copy Arrow column).  When every block is still in use the engine takes fresh
    memory, so keeping results never lets a later call change them.

    Why this design rather than numpy's ``out=`` (where the caller promises not to read an
    old result after the next call): a :class:`BatchScores` is an immutable value that users
    keep, collect in lists and pass to rules and reports.  Silently overwriting it would turn
    ``list(engine.score_batches(...))`` into N copies of the last batch.  Here reuse is what
    happens when a stream drops each result before the next one is needed, and nothing else
    changes; ``reused`` and ``allocated`` tell which way each call went.

    In a ``for`` loop over a stream the previous result is still bound to the loop variable
    while the next one is scored, so a stream alternates between two blocks: that is why two
    slots are the default.

    Args:
        slots: How many blocks to keep (1 to 64).

    Raises:
        ValidationError: When ``slots`` is not a whole number from 1 to 64.

    A block is known to be free when CPython's reference count of it shows no holder but
    the buffers themselves (every numpy view of a block keeps a reference to it). Blocks are
    kept until :meth:`clear` or until the buffers are dropped, so a long-lived ScoreBuffers
    holds the memory of its largest batches. Instances are safe to share between threads;
    each call takes a block under a lock. :class:`~perfmgmt.rules.DecisionBuffers` does the
    same for the rule evaluator's decisions, with the same code.
    """

    @classmethod
    def for_scheme(cls, scheme: Scheme, reviews: int, *, slots: int = 2) -> ScoreBuffers:
        """Return buffers whose every slot already holds room for ``reviews`` results.

        The memory is written once here, so that the operating system maps its pages now and
        no scoring call pays for it later.

        Args:
            scheme: The scheme the batches are scored against (its KPIs, categories and
                criteria fix the bytes per review).
            reviews: The largest batch to expect; a larger one takes new memory.
            slots: How many blocks to keep (and to allocate now).

        Raises:
            ScoringError: When ``scheme`` is not a Scheme.
            ValidationError: When ``reviews`` is not a whole number from 0 to 10**9, or
                ``slots`` is refused as in the constructor.
        """
        if not isinstance(scheme, Scheme):
            raise ScoringError(
                f"ScoreBuffers.for_scheme: scheme is a {type(scheme).__name__}; expected a Scheme"
            )
        check_integer(reviews, "ScoreBuffers.for_scheme: reviews", 0, MAX_REVIEWS)
        buffers = cls(slots=slots)
        buffers._reserve(_scheme_nbytes(scheme, reviews))
        return buffers


def _new_buffers(slots: int) -> ScoreBuffers:
    """Rebuild buffers pickled before their memory logic moved to a shared base."""
    return ScoreBuffers(slots=slots)
