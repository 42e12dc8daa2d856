"""The rule evaluator: rules and decision tables over score cards, with traces and money.

One engine, two shapes: :meth:`RuleEvaluator.evaluate_batch` runs every rule and table once,
vectorised, over the columnar frame of a :class:`~perfmgmt.scoring.card.BatchScores`;
:meth:`RuleEvaluator.evaluate` turns a :class:`~perfmgmt.scoring.card.ScoreCard` and its subject
into a batch of one and runs the very same code, so the two can never disagree.  Rules compile
once per rule set and frame schema into a :class:`~perfmgmt.rules.program.RuleProgram` (the cache
is keyed by the identity of the rule objects).  Text columns are read as integer codes
(:class:`~perfmgmt.rules.frame.TextCodes`; object arrays are encoded once per call), large
frames run in chunks of rows, on worker threads when asked, and ``evaluate_batch`` builds only
the frame columns that some rule or table reads.

Money (see :mod:`perfmgmt.rules.payout`): every bonus and deduction line is rounded once, half to
even, to the currency's minor unit, and a subject's bonus is the sum of the lines of every rule
and table row that applies; deductions likewise.  Then the optional
:class:`~perfmgmt.model.incentive.BonusPool` prorates, caps and scales the bonuses.

Every result keeps its trace: which rule or table row fired, the inputs each one read with their
values, the hit policy, and for the others why not (false, or unknown because an input was
missing).  ``explain`` renders it in English or Chinese.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np

from perfmgmt._blocks import carve, layout_nbytes
from perfmgmt._deprecated import moved
from perfmgmt._ids import IdColumn
from perfmgmt._parallel import BlockRunner, OwnsThreads, check_workers
from perfmgmt._typing import BoolArray, FloatArray, IntArray
from perfmgmt._validate import show
from perfmgmt.errors import RuleError
from perfmgmt.model.incentive import BonusPool, CollectAggregation
from perfmgmt.model.money import check_currency, minor_units
from perfmgmt.rules import decisions as _decisions
from perfmgmt.rules.buffers import DecisionBuffers, decision_layout
from perfmgmt.rules.frame import Frame, Subjects, TextCodes, _encode, _LazyFrame, lazy_frame
from perfmgmt.rules.parse import Limits
from perfmgmt.rules.payout import MoneyTerms, allocate_minor, percent_amounts
from perfmgmt.rules.program import RuleProgram, RuleSet, build_program, rule_items
from perfmgmt.rules.schema import FieldSchema, FieldType
from perfmgmt.rules.tables import Selection
from perfmgmt.scoring.card import BatchScores

if TYPE_CHECKING:
    import datetime as dt

    from perfmgmt.model.review import Subject
    from perfmgmt.rules.decisions import BatchDecisions, Decisions
    from perfmgmt.rules.frame import History
    from perfmgmt.scoring.card import ScoreCard
    from perfmgmt.scoring.population import Population

__all__ = ["RuleEvaluator", "RuleSet"]


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


#: Rows per chunk: small enough that a chunk's temporaries stay in cache (at 200,000 rows one
#: pass is ~2x slower per row than two passes of 100,000), large enough to amortise Python.
_CHUNK_ROWS = 65_536
#: Chunk sizes are rounded up to a multiple of this (whole cache lines and SIMD blocks per chunk).
_CHUNK_ALIGN = 1_024
#: Below this many rows per worker, threads cost more than they save.
_MIN_PARALLEL_ROWS = 16_384


@attrs.define(kw_only=True)
class _Outputs:
    """Full-size result arrays that each chunk of rows writes its slice of.

    ``selections`` are the tables' whole selections when they are carved from a reused block
    (each chunk copies its own into them); None lets a single chunk return its own.
    """

    rule_fired: BoolArray
    rule_known: BoolArray
    bonus: IntArray
    deduction: IntArray
    bonus_known: BoolArray
    deduction_known: BoolArray
    selections: list[Selection] | None = None


def _outputs(
    program: RuleProgram, n: int, *, trace: bool, buffers: DecisionBuffers | None
) -> _Outputs:
    """Return the result arrays for ``n`` rows: fresh, or views of a block of ``buffers``."""
    rows = [len(ct.table.rows) for ct in program.tables]
    if buffers is None:
        return _Outputs(
            rule_fired=np.empty((len(program.rules), n), dtype=np.bool_),
            rule_known=np.empty((len(program.rules) if trace else 0, n), dtype=np.bool_),
            bonus=np.empty(n, dtype=np.int64),
            deduction=np.empty(n, dtype=np.int64),
            bonus_known=np.empty(n, dtype=np.bool_),
            deduction_known=np.empty(n, dtype=np.bool_),
        )
    layout = decision_layout(n, len(program.rules), rows, trace=trace)
    a = carve(buffers.take(layout_nbytes(layout)), layout)
    return _Outputs(
        rule_fired=a["rule_fired"],
        rule_known=a["rule_known"],
        bonus=a["bonus"],
        deduction=a["deduction"],
        bonus_known=a["bonus_known"],
        deduction_known=a["deduction_known"],
        selections=[
            Selection(
                matched=a[f"matched.{t}"],
                selected=a[f"selected.{t}"],
                violation=a[f"violation.{t}"],
                count=a[f"count.{t}"],
            )
            for t in range(len(rows))
        ],
    )


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

    _CACHES: ClassVar[dict[str, Callable[[], object]]] = {
        "_cache": dict,
        "_pay_cache": lambda: None,
    }

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
        self._cache: dict[tuple[object, ...], tuple[tuple[object, ...], RuleProgram]] = {}
        self._pay_cache: tuple[Sequence[Decimal | None], str, IntArray] | None = None

    # -- compile --------------------------------------------------------------------------------

    def compile(
        self,
        rules: RuleSet,
        frame: Frame,
        *,
        currency: str | None = None,
    ) -> RuleProgram:
        """Compile ``rules`` for frames shaped like ``frame``, cached per rule set and field types.

        Args:
            rules: A scheme, or a sequence of rules and tables.
            frame: A frame with the columns the rules will read (only the field types matter;
                with a ``schema`` given to the evaluator, that schema is used instead).
            currency: The currency of base pay and amounts; default the outcomes'.

        Returns:
            The program, ready for :meth:`evaluate_frame`.

        Raises:
            RuleError: A rule or table that does not check (see
                :func:`~perfmgmt.rules.program.build_program`).
        """
        items, scheme_hash = rule_items(rules)
        # the key needs only the field types; a FieldSchema (validated) is built on a miss
        fields = self._schema.fields if self._schema is not None else _frame_types(frame)
        key = (
            tuple(id(x) for x in items),
            tuple(sorted((k, v.value) for k, v in fields.items())),
            currency,
            scheme_hash,
        )
        hit = self._cache.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], items, strict=True)):
            return hit[1]
        schema = self._schema if self._schema is not None else FieldSchema(fields=fields)
        program = build_program(
            items, schema, currency=currency, limits=self._limits, scheme_hash=scheme_hash
        )
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = (items, program)
        return program

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
        out: DecisionBuffers | None = None,
    ) -> BatchDecisions:
        """Evaluate ``rules`` over a columnar frame (field name -> array of N values).

        Args:
            rules: A scheme, or a sequence of rules and tables.
            frame: The frame, e.g. from :func:`perfmgmt.rules.frame_from_scores`.
            subject_ids: N ids; default ``"0"``, ``"1"``, ...
            base_pay: N exact base pays (None = unknown); default: the frame's ``base_pay``
                column, rounded to the minor unit.
            currency: Currency of base pay and amounts; default the pool's, else the
                outcomes'.
            pool: Proration, caps and pool for the bonuses.
            scheme_hash: Hash recorded on the results (default: the scheme's, or "").
            out: Memory to write the decisions into, as for :meth:`evaluate_batch`.

        Returns:
            The decisions. Money totals are Decimals when the rules pay money in a known
            currency (``0.00`` where nothing that pays applied), else None; see
            :class:`~perfmgmt.rules.decisions.Decisions`.

        Raises:
            RuleError: When ``out`` is not a DecisionBuffers, or a rule does not check.
        """
        _check_out("evaluate_frame", out)
        return self._run_frame(
            rules,
            frame,
            subject_ids=subject_ids,
            base_pay=base_pay,
            currency=currency,
            pool=pool,
            scheme_hash=scheme_hash,
            buffers=out,
        )

    def _run_frame(
        self,
        rules: RuleSet,
        frame: Frame,
        *,
        subject_ids: Sequence[str] | None,
        base_pay: Sequence[Decimal | None] | None,
        currency: str | None,
        pool: BonusPool | None,
        scheme_hash: str | None,
        base_minor_given: IntArray | None = None,
        buffers: DecisionBuffers | None = None,
    ) -> BatchDecisions:
        """Evaluate as :meth:`evaluate_frame`; ``base_minor_given``: base pay in minor units.

        With ``buffers`` the decisions' arrays are views of a block they hand out.
        """
        currency = _evaluation_currency(currency, pool)
        program = self.compile(rules, frame, currency=currency)
        frame = _with_codes(frame, program.text_fields)
        currency = program.currency
        n = next(iter(frame.values())).shape[0] if frame else 0
        ids: Sequence[str]
        if subject_ids is None:
            ids = _decisions._DefaultIds(n)
        else:  # an Arrow id column is immutable already: no million-str tuple
            ids = subject_ids if isinstance(subject_ids, IdColumn) else tuple(subject_ids)
        if len(ids) != n:
            raise RuleError(f"subject_ids: {len(ids)} ids for a frame of {n} rows")
        # a float base-pay column is converted chunk by chunk, on the workers
        pay_column = None
        base_minor: IntArray | None
        if base_minor_given is not None and currency is not None:
            if len(base_minor_given) != n:
                raise RuleError(f"base_pay: {len(base_minor_given)} values for a frame of {n} rows")
            base_minor = base_minor_given
        elif base_pay is None and currency is not None and frame.get("base_pay") is not None:
            pay_column = np.asarray(frame["base_pay"], dtype=np.float64)
            base_minor = np.empty(n, dtype=np.int64)
        else:
            base_minor = self._base_minor(frame, base_pay, currency, n)
        out = _outputs(program, n, trace=self._trace, buffers=buffers)

        def run(bounds: tuple[int, int]) -> list[Selection]:
            lo, hi = bounds
            if pay_column is not None:
                assert base_minor is not None
                assert currency is not None
                _minor_of_floats(pay_column[lo:hi], currency, base_minor[lo:hi])
            return self._run_rows(program, frame, base_minor, out, bounds)

        selections = self._run_chunks(program, frame, n, run, out.selections)
        allocation = None
        if pool is not None:
            frac = frame.get("eligible_fraction")
            allocation = allocate_minor(
                np.where(out.bonus_known, out.bonus, 0),
                pool,
                eligible_fraction=None if frac is None else np.nan_to_num(frac, nan=1.0),
            )
        return _decisions.BatchDecisions(
            subject_ids=ids,
            scheme_hash=program.scheme_hash if scheme_hash is None else scheme_hash,
            currency=currency,
            rule_keys=program.rule_keys,
            table_keys=program.table_keys,
            rule_fired=out.rule_fired,
            # without a trace "not fired" is not split into false/unknown
            rule_known=out.rule_known if self._trace else out.rule_fired,
            selections=tuple(selections),
            bonus_minor=out.bonus,
            deduction_minor=out.deduction,
            bonus_known=out.bonus_known,
            deduction_known=out.deduction_known,
            allocation=allocation,
            program=program,
            frame=frame,
            base_minor=base_minor,
            trace=self._trace,
        )

    def _run_chunks(
        self,
        program: RuleProgram,
        frame: Frame,
        n: int,
        run: Callable[[tuple[int, int]], list[Selection]],
        whole: list[Selection] | None,
    ) -> list[Selection]:
        """Run ``run`` on every chunk of rows (on the workers) and merge the selections.

        The chunks' selections are copied into ``whole`` when given (arrays of a reused
        block), else into fresh arrays; a single chunk without ``whole`` returns its own.
        """
        bounds = self._chunks(n)
        if len(bounds) == 1 and whole is None:
            return run((0, n))
        if len(bounds) > 1:
            for name in program.fields:  # build lazy columns once, not in every thread
                frame.get(name)
        # each chunk copies its selections into these, on its own thread
        selections: list[Selection] = whole if whole is not None else []
        if whole is None:
            selections += [
                Selection(
                    matched=np.empty((len(ct.table.rows), n), dtype=np.bool_),
                    selected=np.empty((len(ct.table.rows), n), dtype=np.bool_),
                    violation=np.empty(n, dtype=np.bool_),
                    count=np.empty(n, dtype=np.int64),
                )
                for ct in program.tables
            ]

        def chunk(b: tuple[int, int]) -> None:
            lo, hi = b
            for into, part in zip(selections, run(b), strict=True):
                into.matched[:, lo:hi] = part.matched
                into.selected[:, lo:hi] = part.selected
                into.violation[lo:hi] = part.violation
                into.count[lo:hi] = part.count

        self._runner.run(chunk, bounds)
        return selections

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
        program: RuleProgram,
        frame: Frame,
        base_minor: IntArray | None,
        out: _Outputs,
        bounds: tuple[int, int],
    ) -> list[Selection]:
        """Evaluate rows ``lo:hi``: write fired/known and money into ``out``, return selections."""
        lo, hi = bounds
        if (lo, hi) != (0, len(out.bonus)):
            frame = _rows_of(frame, program.fields, lo, hi)
            base_minor = None if base_minor is None else base_minor[lo:hi]
        rule_fired = out.rule_fired[:, lo:hi]
        for r, cond in enumerate(program.conditions):
            true, known = cond(frame)
            np.logical_and(true, known, out=rule_fired[r])
            if self._trace:
                out.rule_known[r, lo:hi] = known
        money = _Money(program, base_minor, hi - lo)
        for r, terms in enumerate(program.rule_money):
            money.add(terms, rule_fired[r])
        selections: list[Selection] = []
        for t, ct in enumerate(program.tables):
            matched, _known = ct.match(frame, with_known=False)
            rows = program.row_money[t]
            row_values = None
            if ct.table.aggregation in (CollectAggregation.MIN, CollectAggregation.MAX):
                row_values = np.stack([money.net(m) for m in rows]) if rows else None
            sel = ct.select(matched, row_values)
            selections.append(sel)
            for j, terms in enumerate(rows):
                money.add(terms, sel.selected[j])
        money.write(
            out.bonus[lo:hi],
            out.bonus_known[lo:hi],
            out.deduction[lo:hi],
            out.deduction_known[lo:hi],
        )
        return selections

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
        ratings: Sequence[str | None] | None = None,
        out: DecisionBuffers | None = None,
    ) -> BatchDecisions:
        """Evaluate ``rules`` for every review of a batch.

        Args:
            rules: A scheme, or a sequence of rules and tables.
            batch_scores: From ``ScoringEngine().score_batch``.
            population: The population scored, for subject attributes (grade, base pay, ...).
            history: Previous cycles' results, oldest first.
            pool: Proration, caps and pool for the bonuses.
            ratings: The final rating label of each review, in batch order (None = unrated),
                e.g. after calibration; the ``rating`` field reads these instead of the
                ratings the scores carry. The scores themselves are not changed.
            out: Memory to write the decisions' arrays into, reused from earlier calls when
                nothing refers to their decisions any more (see :class:`DecisionBuffers`).
                The decisions are byte-identical to those of a call without it, and ones you
                keep are never changed by a later call.

        Returns:
            The decisions, one row per review.

        Raises:
            DataError: ``ratings`` has another length than the batch, or a label the rating
                scale does not have.
            RuleError: ``out`` is not a DecisionBuffers, or a rule does not check.
        """
        _check_out("evaluate_batch", out)
        subjects = None if population is None else Subjects.of_population(population)
        return self._evaluate_scores(
            rules, batch_scores, subjects, history, pool=pool, ratings=ratings, buffers=out
        )

    def evaluate(
        self,
        rules: RuleSet,
        score_card: ScoreCard,
        *,
        subject: Subject | None = None,
        history: History | None = None,
        as_of: dt.date | None = None,
        currency: str | None = None,
    ) -> Decisions:
        """Evaluate ``rules`` for one score card: :meth:`evaluate_batch` on a batch of one.

        The card becomes a one-row batch and the subject a one-row population, and the same
        code runs, so ``evaluate(card_i, ...)`` equals ``evaluate_batch(...).row(i)`` for the
        same subject, history row and currency.

        Args:
            rules: A scheme, or a sequence of rules and tables.
            score_card: From ``ScoringEngine().score``.
            subject: The reviewed person: grade, department, base pay and currency; tenure is
                counted from ``hire_date`` to ``as_of``.
            history: Previous cycles' results for this one subject.
            as_of: The date tenure is counted to (usually the cycle end).
            currency: The currency of the amounts when the subject has no base pay (a batch
                takes it from its population); it must agree with the subject's.

        Returns:
            The subject's decisions.

        Raises:
            RuleError: ``currency`` differs from the subject's.
        """
        subjects = Subjects.of_subject(subject, as_of)
        if currency is not None:
            check_currency(currency)
            if subjects.currency not in (None, currency):
                raise RuleError(
                    f"currency {currency!r} differs from the subject's base pay currency "
                    f"{subjects.currency!r}; use one currency"
                )
            subjects = attrs.evolve(subjects, currency=currency)
        batch = BatchScores.from_cards([score_card])
        decisions = self._evaluate_scores(rules, batch, subjects, history, pool=None, ratings=None)
        return decisions.row(0)

    def _evaluate_scores(
        self,
        rules: RuleSet,
        batch: BatchScores,
        subjects: Subjects | None,
        history: History | None,
        *,
        pool: BonusPool | None,
        ratings: Sequence[str | None] | None,
        buffers: DecisionBuffers | None = None,
    ) -> BatchDecisions:
        """Evaluate rules on scores: the one path of :meth:`evaluate` and :meth:`evaluate_batch`."""
        # columns are built when a rule or table first reads them, not all on every call
        frame = lazy_frame(batch, subjects, history, ratings)
        currency = None if subjects is None else subjects.currency
        base_minor = None if subjects is None else subjects.base_minor
        if currency is None and pool is not None:
            currency = pool.currency
        return self._run_frame(
            rules,
            frame,
            subject_ids=batch._ids,  # as the batch holds them: an Arrow column stays one
            base_pay=None,
            currency=currency,
            pool=pool,
            scheme_hash=batch.scheme_hash,
            base_minor_given=base_minor if currency is not None else None,
            buffers=buffers,
        )


def _check_out(where: str, out: object) -> None:
    """Refuse an ``out`` that is not DecisionBuffers (ScoreBuffers hold scores, not decisions)."""
    if out is not None and not isinstance(out, DecisionBuffers):
        raise RuleError(
            f"{where}: out={' '.join(show(out).split())} is a {type(out).__name__}; expected "
            "DecisionBuffers or None"
        )


def _evaluation_currency(currency: str | None, pool: BonusPool | None) -> str | None:
    if currency is None and pool is not None:
        currency = pool.currency
    if currency is not None:
        check_currency(currency)
    if pool is not None and currency is not None and pool.currency != currency:
        raise RuleError(
            f"pool currency {pool.currency!r} differs from the base pay currency "
            f"{currency!r}; use one currency"
        )
    return currency


class _Money:
    """Bonus and deduction totals of a chunk of rows, added up line by line in minor units.

    Each percent line is rounded on its own (:func:`~perfmgmt.rules.payout.percent_amounts`,
    computed once per distinct percent), so a total is the sum of the lines ``row`` lists.
    """

    def __init__(self, program: RuleProgram, base_minor: IntArray | None, n: int) -> None:
        self.n = n
        self.on = program.has_money
        self.bonus = np.zeros(n, dtype=np.int64)
        self.deduction = np.zeros(n, dtype=np.int64)
        self.bonus_pct = np.zeros(n, dtype=np.bool_)  # a percent bonus line applied
        self.deduction_pct = np.zeros(n, dtype=np.bool_)
        self._base_minor = base_minor
        self._base: tuple[IntArray, FloatArray] | None = None
        self._amounts: dict[int, IntArray] = {}

    def _bases(self) -> tuple[IntArray, FloatArray]:
        """Return the base pays (unknown as 0) in minor units and as float64, built once."""
        if self._base is None:
            base = np.zeros(self.n, dtype=np.int64)
            if self._base_minor is not None:
                np.maximum(self._base_minor, 0, out=base)
            self._base = (base, base.astype(np.float64))
        return self._base

    def _percent(self, pct: int) -> IntArray:
        found = self._amounts.get(pct)
        if found is None:
            found = self._amounts[pct] = percent_amounts(*self._bases(), pct)
        return found

    def _lines(self, fixed: int, percents: Sequence[int]) -> IntArray | int:
        total: IntArray | int = fixed
        for pct in percents:
            total = total + self._percent(pct)
        return total

    def net(self, terms: MoneyTerms) -> IntArray:
        """Return bonus minus deduction of ``terms`` per row (for collect min/max)."""
        bonus = self._lines(terms.bonus_fixed, terms.bonus_percents)
        deduction = self._lines(terms.deduction_fixed, terms.deduction_percents)
        return np.broadcast_to(np.asarray(bonus - deduction, dtype=np.int64), (self.n,))

    def add(self, terms: MoneyTerms, flags: BoolArray) -> None:
        """Add the lines of ``terms`` where ``flags`` holds.

        Percent lines are computed only for the rows where they apply (a table row usually
        covers a share of the subjects), each rounded on its own.
        """
        if not self.on or not terms.has_money or not flags.any():
            return
        rows: IntArray | None = None
        for total, fixed, percents, applied in (
            (self.bonus, terms.bonus_fixed, terms.bonus_percents, self.bonus_pct),
            (self.deduction, terms.deduction_fixed, terms.deduction_percents, self.deduction_pct),
        ):
            if fixed:
                np.add(total, flags.view(np.uint8) * np.int64(fixed), out=total)
            if not percents:
                continue
            if rows is None:
                rows = np.flatnonzero(flags)
            base, base_f = self._bases()
            picked, picked_f = base[rows], base_f[rows]
            for pct in percents:
                total[rows] += percent_amounts(picked, picked_f, pct)
            np.logical_or(applied, flags, out=applied)

    def write(
        self,
        bonus: IntArray,
        bonus_known: BoolArray,
        deduction: IntArray,
        deduction_known: BoolArray,
    ) -> None:
        """Write the totals and where they are known.

        A total is unknown where a percent line applied and the base pay is unknown.
        """
        bonus[...] = self.bonus
        deduction[...] = self.deduction
        no_pay = (
            np.ones(self.n, dtype=np.bool_) if self._base_minor is None else self._base_minor < 0
        )
        np.logical_not(no_pay & self.bonus_pct, out=bonus_known)
        np.logical_not(no_pay & self.deduction_pct, out=deduction_known)


_MOVED = {
    "BatchDecisions": "perfmgmt.rules.decisions",
    "Decision": "perfmgmt.rules.decisions",
    "Decisions": "perfmgmt.rules.decisions",
    "SourceKind": "perfmgmt.rules.decisions",
    "TraceEntry": "perfmgmt.rules.decisions",
    "TraceStatus": "perfmgmt.rules.decisions",
    "describe_outcome": "perfmgmt.rules.decisions",
}


def __getattr__(name: str) -> Any:
    """Resolve names that moved to :mod:`perfmgmt.rules.decisions`, with a DeprecationWarning."""
    return moved(__name__, _MOVED, name)
