"""What-if: score one population under two schemes and show who moves and what it costs.

:func:`compare` runs the batch scoring engine and the rule evaluator once per scheme (no per-row
Python), so a notebook can call it on every slider move: 100,000 people take a fraction of a
second (see ``benchmarks/bench_analytics.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypedDict

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import BoolArray, FloatArray, IntArray
from perfmgmt.analytics._display import comparison_html
from perfmgmt.errors import ScoringError
from perfmgmt.model.incentive import BonusPool
from perfmgmt.model.money import from_minor
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import BatchDecisions, History, RuleEvaluator
from perfmgmt.scoring.card import BatchScores
from perfmgmt.scoring.engine import ScoringEngine
from perfmgmt.scoring.population import Population

__all__ = ["Comparison", "ComparisonRecord", "SchemeRun", "compare", "repopulate", "run_scheme"]


class ComparisonRecord(TypedDict):
    """One person of :meth:`Comparison.to_records`, typed for ``mypy --strict`` callers.

    Attributes:
        subject_id: The subject's id.
        total_a: The total under scheme A, None when not rated.
        total_b: The total under scheme B, None when not rated.
        delta: ``total_b - total_a``, None when either is missing.
        rating_a: The rating label under A, None when not rated.
        rating_b: The rating label under B, None when not rated.
        pay_change: Money paid under B minus under A (Decimal, bonus less deduction).
    """

    subject_id: str
    total_a: float | None
    total_b: float | None
    delta: float | None
    rating_a: str | None
    rating_b: str | None
    pay_change: Decimal


@attrs.frozen(kw_only=True, eq=False)
class SchemeRun:
    """One scheme applied to one population: its scores, decisions and money per person.

    Attributes:
        scheme: The scheme.
        scores: The batch scores.
        decisions: The batch decisions (rules and tables).
        paid_minor: int64 ``(N,)`` bonus paid (after the pool, when one is given) in minor
            units of ``currency``; 0 where nothing is paid or the currency is unknown.
        deduction_minor: int64 ``(N,)`` deductions in minor units.
        currency: The currency of the money amounts, or None when no money is known.
    """

    scheme: Scheme
    scores: BatchScores
    decisions: BatchDecisions
    paid_minor: IntArray
    deduction_minor: IntArray
    currency: str | None

    @property
    def fired_keys(self) -> tuple[str, ...]:
        """Keys of the rules and tables, in the evaluator's order."""
        return self.decisions.rule_keys + self.decisions.table_keys

    def fired(self, key: str) -> BoolArray:
        """Return bool ``(N,)``: where rule or table ``key`` awarded something."""
        return self.decisions.fired(key)

    def cost(self) -> Decimal:
        """Return the bonus paid minus deductions, as a Decimal in ``currency`` (0 without)."""
        return _money(int(self.paid_minor.sum()) - int(self.deduction_minor.sum()), self.currency)


def _money(minor: int, currency: str | None) -> Decimal:
    if currency is None:
        return Decimal(minor)
    return from_minor(minor, currency)


def repopulate(population: Population, scheme: Scheme) -> Population:
    """Return ``population`` arranged for ``scheme``'s KPIs, criteria and sources.

    KPIs present in both keep their actuals, sample sizes and per-row targets; KPIs new in
    ``scheme`` are missing (NaN) and handled by their missing-data policy; KPIs the scheme
    dropped are left out.  Qualitative ratings are kept when the criteria and sources are the
    same, else they are missing.  The population itself is returned when it already fits.
    """
    crit = tuple(c.key for c in scheme.criteria)
    src = tuple(s.key for s in scheme.sources)
    same_qual = population.criterion_keys == crit and population.source_keys == src
    if population.kpi_keys == scheme.kpi_keys and same_qual:
        return population
    n = len(population)
    index = {k: j for j, k in enumerate(population.kpi_keys)}

    def column(a: npt.NDArray[np.generic], fill: float, dtype: type) -> np.ndarray:
        out: np.ndarray = np.full((n, len(scheme.kpis)), fill, dtype=dtype)
        for j, key in enumerate(scheme.kpi_keys):
            if key in index:
                out[:, j] = a[:, index[key]]
        return out

    def per_row(a: FloatArray) -> FloatArray:
        # keep only agreed overrides; NaN falls back to the new scheme's defaults
        kept = np.where(population.overridden, a, np.nan)
        return np.asarray(column(kept, np.nan, np.float64), dtype=np.float64)

    kwargs: dict[str, object] = {}
    if same_qual:
        kwargs = {"ratings": population.ratings, "raters": population.raters}
    return Population.from_arrays(
        scheme,
        subject_ids=population.subject_ids,
        actual=column(population.actual, np.nan, np.float64),
        sample_size=column(population.sample_size, -1, np.int64),
        threshold=per_row(population.threshold),
        target=per_row(population.target),
        stretch=per_row(population.stretch),
        grade=population.grade,
        department=population.department,
        tenure_days=population.tenure_days,
        base_pay=population.base_pay,
        currency=population.currency,
        eligible_fraction=population.eligible_fraction,
        eligible_days=population.eligible_days,
        **kwargs,  # type: ignore[arg-type]
    )


def run_scheme(
    scheme: Scheme,
    population: Population,
    *,
    engine: ScoringEngine | None = None,
    evaluator: RuleEvaluator | None = None,
    history: History | None = None,
    pool: BonusPool | None = None,
) -> SchemeRun:
    """Score ``population`` under ``scheme`` and evaluate its rules (no trace kept).

    The population is rearranged with :func:`repopulate` when it was built for other KPIs.
    """
    engine = engine or ScoringEngine()
    evaluator = evaluator or RuleEvaluator(trace=False)
    pop = repopulate(population, scheme)
    scores = engine.score_batch(scheme, pop)
    # The evaluator converts the population's Decimal base pay once and keeps it for the
    # next call on the same population, so comparing schemes does not pay for it twice.
    decisions = evaluator.evaluate_batch(scheme, scores, pop, history, pool=pool)
    bonus = np.where(decisions.bonus_known, decisions.bonus_minor, 0).astype(np.int64)
    if decisions.allocation is not None:
        bonus = np.asarray(decisions.allocation.awarded, dtype=np.int64)
    deduction = np.where(decisions.deduction_known, decisions.deduction_minor, 0).astype(np.int64)
    return SchemeRun(
        scheme=scheme,
        scores=scores,
        decisions=decisions,
        paid_minor=bonus,
        deduction_minor=deduction,
        currency=decisions.currency,
    )


def _labels(scores: BatchScores) -> npt.NDArray[np.object_]:
    table = np.array([*scores.rating_labels, None], dtype=object)
    return np.asarray(table[scores.rating_index], dtype=object)


@attrs.frozen(kw_only=True, eq=False)
class Comparison:
    """Per-person differences between scheme A and scheme B on one population.

    Attributes:
        a: The run under scheme A.
        b: The run under scheme B.
        subject_ids: N subject ids.
        total_a: float64 ``(N,)`` totals under A (NaN when not rated).
        total_b: float64 ``(N,)`` totals under B.
        delta: float64 ``(N,)`` ``total_b - total_a``.
        rating_a: object ``(N,)`` rating labels under A (None when not rated).
        rating_b: object ``(N,)`` rating labels under B.
        rating_changed: bool ``(N,)`` the label differs (rated/unrated counts as a change).
        outcome_changed: bool ``(N,)`` some rule or table key fired under one scheme only.
        pay_delta_minor: int64 ``(N,)`` change of bonus paid minus deductions, minor units.
    """

    a: SchemeRun
    b: SchemeRun
    subject_ids: tuple[str, ...]
    total_a: FloatArray
    total_b: FloatArray
    delta: FloatArray
    rating_a: npt.NDArray[np.object_]
    rating_b: npt.NDArray[np.object_]
    rating_changed: BoolArray
    outcome_changed: BoolArray
    pay_delta_minor: IntArray

    def __len__(self) -> int:
        return len(self.subject_ids)

    def __repr__(self) -> str:
        return (
            f"Comparison({self.a.scheme.key!r} -> {self.b.scheme.key!r}, people={len(self)}, "
            f"rating changes={int(self.rating_changed.sum())}, cost change={self.cost_change})"
        )

    def _repr_html_(self) -> str:
        return comparison_html(self)

    @property
    def currency(self) -> str | None:
        """The currency of the money figures (A's, else B's)."""
        return self.a.currency or self.b.currency

    @property
    def cost_a(self) -> Decimal:
        """Bonus paid minus deductions under A."""
        return self.a.cost()

    @property
    def cost_b(self) -> Decimal:
        """Bonus paid minus deductions under B."""
        return self.b.cost()

    @property
    def cost_change(self) -> Decimal:
        """``cost_b - cost_a``."""
        return self.cost_b - self.cost_a

    def movers(self, n: int = 10, *, by: str = "total") -> tuple[int, ...]:
        """Return the indices of the ``n`` people who move most, largest first.

        Args:
            n: How many.
            by: ``"total"`` (absolute change of the total; unrated-to-rated first) or
                ``"pay"`` (absolute change of pay).

        Raises:
            ScoringError: For another ``by``.
        """
        if by == "total":
            key = np.abs(self.delta)
            key = np.where(np.isnan(key), np.where(self.rating_changed, np.inf, -1.0), key)
        elif by == "pay":
            key = np.abs(self.pay_delta_minor).astype(np.float64)
        else:
            raise ScoringError(f"Comparison.movers: by={by!r} is not allowed; use 'total' or 'pay'")
        n = max(0, min(int(n), len(self)))
        if n == 0:
            return ()
        top = np.argpartition(-key, n - 1)[:n]
        order = top[np.lexsort((top, -key[top]))]
        return tuple(int(i) for i in order)

    def rating_transitions(self) -> dict[tuple[str | None, str | None], int]:
        """Return how many people went from each rating under A to each rating under B."""
        pairs: dict[tuple[str | None, str | None], int] = {}
        la = [*self.a.scores.rating_labels, None]
        lb = [*self.b.scores.rating_labels, None]
        ia = np.where(self.a.scores.rating_index < 0, len(la) - 1, self.a.scores.rating_index)
        ib = np.where(self.b.scores.rating_index < 0, len(lb) - 1, self.b.scores.rating_index)
        counts = np.bincount(ia * len(lb) + ib, minlength=len(la) * len(lb))
        for flat in np.flatnonzero(counts):
            pairs[(la[flat // len(lb)], lb[flat % len(lb)])] = int(counts[flat])
        return pairs

    def outcome_counts(self) -> dict[str, tuple[int, int]]:
        """Return, per rule or table key, how many people it awarded under A and under B."""
        keys = dict.fromkeys(self.a.fired_keys + self.b.fired_keys)
        out: dict[str, tuple[int, int]] = {}
        for key in keys:
            ca = int(self.a.fired(key).sum()) if key in self.a.fired_keys else 0
            cb = int(self.b.fired(key).sum()) if key in self.b.fired_keys else 0
            out[key] = (ca, cb)
        return out

    def summary(self) -> dict[str, object]:
        """Return headline figures: people, mean change, rating changes, up/down, cost."""
        rated = ~np.isnan(self.delta)
        return {
            "people": len(self),
            "mean_total_a": float(np.nanmean(self.total_a)) if rated.any() else None,
            "mean_total_b": float(np.nanmean(self.total_b)) if rated.any() else None,
            "mean_delta": float(self.delta[rated].mean()) if rated.any() else None,
            "rating_changed": int(self.rating_changed.sum()),
            "outcome_changed": int(self.outcome_changed.sum()),
            "up": int((self.delta > 0).sum()),
            "down": int((self.delta < 0).sum()),
            "cost_a": self.cost_a,
            "cost_b": self.cost_b,
            "cost_change": self.cost_change,
            "currency": self.currency,
        }

    def to_records(self, indices: Sequence[int] | None = None) -> list[ComparisonRecord]:
        """Return one dict per person (or per index given): totals, ratings and pay change."""
        idx = range(len(self)) if indices is None else indices
        cur = self.currency
        out: list[ComparisonRecord] = []
        for i in idx:
            ta, tb = float(self.total_a[i]), float(self.total_b[i])
            out.append(
                {
                    "subject_id": self.subject_ids[i],
                    "total_a": None if np.isnan(ta) else ta,
                    "total_b": None if np.isnan(tb) else tb,
                    "delta": None if np.isnan(tb - ta) else tb - ta,
                    "rating_a": self.rating_a[i],
                    "rating_b": self.rating_b[i],
                    "pay_change": _money(int(self.pay_delta_minor[i]), cur),
                }
            )
        return out


def _fired_matrix(run: SchemeRun, keys: Mapping[str, None], n: int) -> BoolArray:
    out = np.zeros((len(keys), n), dtype=np.bool_)
    for r, key in enumerate(keys):
        if key in run.fired_keys:
            out[r] = run.fired(key)
    return out


def compare(
    scheme_a: Scheme,
    scheme_b: Scheme,
    population: Population,
    *,
    engine: ScoringEngine | None = None,
    evaluator: RuleEvaluator | None = None,
    history: History | None = None,
    pool: BonusPool | None = None,
) -> Comparison:
    """Score ``population`` under two schemes and return the per-person differences.

    Args:
        scheme_a: The current scheme.
        scheme_b: The proposed scheme; KPIs it adds are missing for everyone (handled by
            their missing-data policy), KPIs it drops are ignored (see :func:`repopulate`).
        population: The people, built for either scheme.
        engine: The scoring engine (reuse one: it caches resolved schemes).
        evaluator: The rule evaluator (reuse one: it caches compiled rules).
        history: Previous cycles' results, for rules that read them.
        pool: Bonus pool, caps and proration, applied under both schemes.

    Returns:
        The comparison; money is compared only when both runs have the same currency.

    Raises:
        ScoringError: When the two runs pay in different currencies.
    """
    engine = engine or ScoringEngine()
    evaluator = evaluator or RuleEvaluator(trace=False)
    a = run_scheme(
        scheme_a, population, engine=engine, evaluator=evaluator, history=history, pool=pool
    )
    b = run_scheme(
        scheme_b, population, engine=engine, evaluator=evaluator, history=history, pool=pool
    )
    if a.currency and b.currency and a.currency != b.currency:
        raise ScoringError(
            f"compare: scheme {scheme_a.key!r} pays in {a.currency} but {scheme_b.key!r} in "
            f"{b.currency}; give both rules one currency"
        )
    n = len(population)
    rating_a, rating_b = _labels(a.scores), _labels(b.scores)
    keys = dict.fromkeys(a.fired_keys + b.fired_keys)
    outcome_changed = (_fired_matrix(a, keys, n) != _fired_matrix(b, keys, n)).any(axis=0)
    pay_a = a.paid_minor - a.deduction_minor
    pay_b = b.paid_minor - b.deduction_minor
    return Comparison(
        a=a,
        b=b,
        subject_ids=population.subject_ids,
        total_a=a.scores.total,
        total_b=b.scores.total,
        delta=b.scores.total - a.scores.total,
        rating_a=rating_a,
        rating_b=rating_b,
        rating_changed=rating_a != rating_b,
        outcome_changed=np.asarray(outcome_changed, dtype=np.bool_),
        pay_delta_minor=np.asarray(pay_b - pay_a, dtype=np.int64),
    )
