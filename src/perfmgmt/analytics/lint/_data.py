"""Checks that score: less data never pays more, gates hold, weight stays off empty KPIs.

These checks do not reason about the kernel's policies; they ask the scoring engine. Seeded
reviews are generated around each KPI's threshold, target, stretch and gate; each measured KPI
is then turned into missing data (and, when it has a ``min_sample``, into a sample one short of
it), both versions are scored with :class:`~perfmgmt.scoring.ScoringEngine`, and every row
where the version with less data rates or totals higher is a counterexample. Whatever the
engine's missing-data policies are, the findings say what they do to this scheme.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from decimal import Decimal

import attrs
import numpy as np

from perfmgmt._typing import BoolArray, FloatArray, IntArray
from perfmgmt.analytics.lint._config import LintConfig
from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.analytics.lint._ranges import value_range
from perfmgmt.errors import PerfmgmtError
from perfmgmt.model.incentive import Bonus, Deduction
from perfmgmt.model.kpi import KPI
from perfmgmt.model.money import from_minor
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import (
    BatchScores,
    KpiFlag,
    Population,
    ReviewFlag,
    ScorerRegistry,
    ScoringEngine,
)

#: Rows used by the pairwise check (K x K scorings): enough to find a weight that moves.
_PAIR_ROWS = 64

#: Share of generated actuals placed close to a threshold, target, stretch or gate value.
_NEAR_SHARE = 1 / 3

_NO_DATA = KpiFlag.MISSING | KpiFlag.INSUFFICIENT_DATA


class _Kind(enum.Enum):
    MISSING = "missing"
    INSUFFICIENT = "insufficient"


@attrs.frozen(kw_only=True, eq=False)
class _Case:
    """Generated inputs of N reviews (the arrays of ``Population.from_arrays``)."""

    actual: FloatArray  # (N, K)
    sample: IntArray  # (N, K), -1 = not reported
    ratings: FloatArray  # (N, Q, S)
    raters: IntArray  # (N, Q, S)

    def head(self, n: int) -> _Case:
        return _Case(
            actual=self.actual[:n].copy(),
            sample=self.sample[:n].copy(),
            ratings=self.ratings[:n],
            raters=self.raters[:n],
        )

    def less(self, scheme: Scheme, j: int, kind: _Kind) -> _Case:
        """Return the case with KPI ``j`` missing, or one sample short of its minimum."""
        actual, sample = self.actual.copy(), self.sample.copy()
        if kind is _Kind.MISSING:
            actual[:, j] = math.nan
            sample[:, j] = -1
        else:
            sample[:, j] = scheme.kpis[j].min_sample - 1
        return _Case(actual=actual, sample=sample, ratings=self.ratings, raters=self.raters)


def _points(kpi: KPI, low: float, high: float) -> list[float]:
    """Return the values that decide a KPI's score: threshold, target, stretch, gate."""
    gate = None if kpi.gate is None else kpi.gate.threshold
    pts = [v for v in (kpi.threshold, kpi.target, kpi.stretch, gate) if v is not None]
    if not pts:
        pts = [v for v in (low, high) if math.isfinite(v)] or [0.0, 100.0]
    return pts


def _column(kpi: KPI, config: LintConfig, rng: np.random.Generator, n: int) -> FloatArray:
    """Draw N actuals spread around the KPI's decisive values, within its possible range."""
    low, high = value_range(kpi, config)
    pts = _points(kpi, low, high)
    lo, hi = min(pts), max(pts)
    if lo >= 0:
        low = max(low, 0.0)  # decisive values all non-negative: so are the measurements
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    a, b = max(lo - span, low), min(hi + span, high)
    col = rng.uniform(a, b, n) if a < b else np.full(n, min(max(lo, low), high))
    near = rng.random(n) < _NEAR_SHARE
    col[near] = rng.choice(pts, int(near.sum())) + rng.normal(0.0, 0.02 * span, int(near.sum()))
    return np.clip(col, low, high)


def _generate(scheme: Scheme, config: LintConfig) -> _Case:
    rng = np.random.default_rng(config.seed)
    n, k = config.samples, len(scheme.kpis)
    actual = np.empty((n, k))
    sample = np.full((n, k), -1, dtype=np.int64)
    for j, kpi in enumerate(scheme.kpis):
        actual[:, j] = _column(kpi, config, rng, n)
        if kpi.min_sample > 0:
            sample[:, j] = rng.integers(kpi.min_sample, 4 * kpi.min_sample + 1, n)
    q, s = len(scheme.criteria), len(scheme.sources)
    ratings = np.empty((n, q, s))
    for c, criterion in enumerate(scheme.criteria):
        ratings[:, c, :] = rng.uniform(criterion.scale.low, criterion.scale.high, (n, s))
    raters = np.broadcast_to(
        np.array([p.min_raters for p in scheme.sources], dtype=np.int64), (n, q, s)
    ).copy()
    return _Case(actual=actual, sample=sample, ratings=ratings, raters=raters)


#: Base pay of every generated review, so that percent-of-pay outcomes have an amount.
_BASE_PAY = Decimal("10000.00")


def _currency(scheme: Scheme) -> str:
    """Return the currency the scheme's outcomes name (CNY when none does)."""
    outputs = [o for r in scheme.rules for o in r.outcomes]
    outputs += [o for t in scheme.tables for row in t.rows for o in row.outputs]
    for o in outputs:
        if isinstance(o, Bonus | Deduction) and o.currency is not None:
            return o.currency
    return "CNY"


class _Scorer:
    """Score generated cases with one engine, and net their rules' money."""

    def __init__(self, scheme: Scheme, registry: ScorerRegistry) -> None:
        self.scheme = scheme
        self.engine = ScoringEngine(registry)
        self.currency = _currency(scheme)
        self.evaluator = RuleEvaluator() if scheme.rules or scheme.tables else None

    def population(self, case: _Case) -> Population:
        n = case.actual.shape[0]
        return Population.from_arrays(
            self.scheme,
            subject_ids=[f"r{i}" for i in range(n)],
            actual=case.actual,
            sample_size=case.sample,
            ratings=case.ratings if self.scheme.criteria else None,
            raters=case.raters if self.scheme.criteria else None,
            base_pay=(_BASE_PAY,) * n,
            currency=self.currency,
        )

    def __call__(self, case: _Case) -> BatchScores:
        return self.engine.score_batch(self.scheme, self.population(case))

    def pay(self, case: _Case, scores: BatchScores) -> IntArray | None:
        """Return each review's bonus minus deduction in minor units (None without rules)."""
        if self.evaluator is None:
            return None
        decisions = self.evaluator.evaluate_batch(self.scheme, scores, self.population(case))
        return decisions.bonus_minor - decisions.deduction_minor


def _value(case: _Case, scheme: Scheme, i: int, j: int) -> str:
    key = scheme.kpis[j].key
    v = case.actual[i, j]
    if math.isnan(v):
        return f"{key} missing"
    n = int(case.sample[i, j])
    return f"{key} = {v:.4g}" + ("" if n < 0 else f" from {n} samples")


def _outcome(scores: BatchScores, i: int) -> str:
    if not scores.rated[i]:
        return "is not rated"
    label = scores.rating_labels[int(scores.rating_index[i])]
    return f"rates {label} (total {float(scores.total[i]):.2f})"


def _rises(base: BatchScores, less: BatchScores) -> tuple[BoolArray, BoolArray]:
    """Return the rows where less data raises the rating, and where it raises the total."""
    both = base.rated & less.rated
    with np.errstate(invalid="ignore"):
        tol = 1e-9 * np.maximum(1.0, np.abs(base.total))
        total_up = both & (less.total > base.total + tol)
    rating_up = both & (less.rating_index > base.rating_index)
    return rating_up, total_up


def _worst(rows: BoolArray, base: BatchScores, less: BatchScores) -> int:
    """Return the row with the biggest rise (rating steps first, then total)."""
    gain = (less.rating_index - base.rating_index) * 1e6 + np.nan_to_num(less.total - base.total)
    return int(np.argmax(np.where(rows, gain, -np.inf)))


def _what(scheme: Scheme, j: int, kind: _Kind) -> str:
    kpi = scheme.kpis[j]
    if kind is _Kind.MISSING:
        return f"with {kpi.key} missing"
    return f"with {kpi.key} from {kpi.min_sample - 1} samples (under min_sample {kpi.min_sample})"


@attrs.frozen(kw_only=True, eq=False)
class _Variant:
    j: int
    kind: _Kind
    case: _Case
    scores: BatchScores
    pay: IntArray | None


class _Checks:
    def __init__(self, scheme: Scheme, config: LintConfig, registry: ScorerRegistry) -> None:
        self.scheme = scheme
        self.score = _Scorer(scheme, registry)
        self.case = _generate(scheme, config)
        self.base = self.score(self.case)
        self.base_pay = self.score.pay(self.case, self.base)
        weights = scheme.nominal_weights()
        self.live = [j for j, k in enumerate(scheme.kpis) if weights[k.key] > 0]
        self.variants = [
            _Variant(j=j, kind=kind, case=c, scores=scores, pay=self.score.pay(c, scores))
            for j in self.live
            for kind in _Kind
            if kind is _Kind.MISSING or scheme.kpis[j].min_sample > 0
            for c in (self.case.less(scheme, j, kind),)
            for scores in (self.score(c),)
        ]

    def loc(self, j: int) -> str:
        return f"kpis[{j}] ({self.scheme.kpis[j].key})"

    def row_text(self, i: int, j: int) -> str:
        """Say the rest of review ``i``: the other actuals and the mean ratings."""
        parts = [
            _value(self.case, self.scheme, i, m) for m in range(len(self.scheme.kpis)) if m != j
        ]
        parts.extend(
            f"{criterion.key} rated {self.case.ratings[i, c, s]:.4g} by {source.key}"
            for c, criterion in enumerate(self.scheme.criteria)
            for s, source in enumerate(self.scheme.sources)
        )
        return ", ".join(parts)

    def less_data(self) -> list[LintFinding]:
        """One finding per KPI whose missing or short data raises a rating, pay or total.

        The finding names the most serious: the rating, then the money the rules pay, then
        the total.
        """
        out: list[LintFinding] = []
        for j in self.live:
            found: list[tuple[int, str, _Variant, int]] = []
            for v in (v for v in self.variants if v.j == j):
                rating_up, total_up = _rises(self.base, v.scores)
                # An unrated review is held for a person: the rules decide nothing for it, so
                # its lack of a deduction is no automatic gain.
                pay_up = (
                    v.scores.rated & (v.pay > self.base_pay)
                    if v.pay is not None and self.base_pay is not None
                    else np.zeros_like(total_up)
                )
                for rank, (what, rows) in enumerate(
                    (("rating", rating_up), ("pay", pay_up), ("total", total_up))
                ):
                    if rows.any():
                        found.append((rank, what, v, _worst(rows, self.base, v.scores)))
                        break
            if found:
                found.sort(key=lambda f: (f[0], f[2].kind.value))
                _, what, v, i = found[0]
                out.append(self._less_finding(what, v, i))
        return out

    def _money(self, pay: IntArray | None, i: int) -> str:
        if pay is None:
            return ""
        amount = from_minor(int(pay[i]), self.score.currency)
        return f" and nets {amount} {self.score.currency} from the rules"

    def _less_finding(self, what: str, v: _Variant, i: int) -> LintFinding:
        j, key = v.j, self.scheme.kpis[v.j].key
        money = what == "pay"
        before = _outcome(self.base, i) + (self._money(self.base_pay, i) if money else "")
        after = _outcome(v.scores, i) + (self._money(v.pay, i) if money else "")
        return LintFinding(
            code=f"less-data-raises-{what}",
            severity=Severity.WARNING,
            location=self.loc(j),
            message=f"less data raises the {what}: a review with "
            f"{_value(self.case, self.scheme, i, j)} {before}; "
            f"{_what(self.scheme, j, v.kind)} it {after} "
            f"(other actuals: {self.row_text(i, j)})",
            fix=f"choose a missing-data policy for {key!r} under which a review without "
            "its data is never better off (e.g. missing=EXCLUDE leaves it unrated for HR), "
            "and do not let rules pay for missing data",
        )

    def gates(self) -> list[LintFinding]:
        """One finding per gate that a review escapes by having less data."""
        out: list[LintFinding] = []
        for j in self.live:
            kpi = self.scheme.kpis[j]
            if kpi.gate is None:
                continue
            fired = (self.base.flags[:, j] & KpiFlag.GATED).astype(bool) & (
                (self.base.review_flags & ReviewFlag.GATED).astype(bool)
            )
            for v in (v for v in self.variants if v.j == j):
                _, total_up = _rises(self.base, v.scores)
                rows = fired & total_up
                if rows.any():
                    i = _worst(rows, self.base, v.scores)
                    out.append(
                        LintFinding(
                            code="gate-escapable",
                            severity=Severity.WARNING,
                            location=f"{self.loc(j)}.gate",
                            message=f"KPI {kpi.key!r}: the gate at {kpi.gate.threshold:g} "
                            "can be escaped with less data: a review with "
                            f"{_value(self.case, self.scheme, i, j)} fails it and "
                            f"{_outcome(self.base, i)}; {_what(self.scheme, j, v.kind)} the "
                            f"gate is not enforced and it {_outcome(v.scores, i)} "
                            f"(other actuals: {self.row_text(i, j)})",
                            fix="keep the gate in force when its KPI lacks data (apply it, or "
                            f"leave the review unrated with missing=EXCLUDE on {kpi.key!r})",
                        )
                    )
                    break
        return out

    def no_data(self) -> list[LintFinding]:
        """A review with no measured KPI at all must not be rated."""
        case = self.case
        for j in self.live:
            case = case.less(self.scheme, j, _Kind.MISSING)
        scores = self.score(case)
        if not scores.rated.any():
            return []
        i = int(np.argmax(scores.rated))
        return [
            LintFinding(
                code="no-data-rated",
                severity=Severity.WARNING,
                location="kpis",
                message=f"a review with no measured KPI at all {_outcome(scores, i)}: it is "
                "rated (and may be rewarded or punished) on no data",
                fix="leave reviews without data unrated for HR (e.g. missing=EXCLUDE on a "
                "KPI every review must have)",
            )
        ]

    def weight_onto_missing(self) -> list[LintFinding]:
        """Weight that moves onto a KPI scored by a missing-data policy (e.g. 0 when missing)."""
        out: list[LintFinding] = []
        head = self.case.head(_PAIR_ROWS)
        for z in self.live:
            alone_case = head.less(self.scheme, z, _Kind.MISSING)
            alone = self.score(alone_case)
            scored = ((alone.flags[:, z] & _NO_DATA) != 0) & np.isfinite(alone.score[:, z])
            if not scored.any():
                continue
            onto = self._moved_onto(z, alone_case, alone, scored)
            if onto:
                out.append(self._onto_finding(z, onto))
        return out

    def _moved_onto(
        self, z: int, alone_case: _Case, alone: BatchScores, scored: BoolArray
    ) -> list[tuple[int, float, float]]:
        moved: list[tuple[int, float, float]] = []
        for a in self.live:
            if a == z:
                continue
            both = self.score(alone_case.less(self.scheme, a, _Kind.MISSING))
            before, after = alone.effective_weight[:, z], both.effective_weight[:, z]
            rows = scored & both.rated & (after > before + 1e-12)
            if rows.any():
                i = int(np.argmax(np.where(rows, after - before, -np.inf)))
                moved.append((a, float(before[i]), float(after[i])))
        return moved

    def _onto_finding(self, z: int, onto: Sequence[tuple[int, float, float]]) -> LintFinding:
        key = self.scheme.kpis[z].key
        a, before, after = onto[0]
        others = [self.scheme.kpis[m].key for m, _, _ in onto]
        return LintFinding(
            code="weight-onto-missing",
            severity=Severity.WARNING,
            location=self.loc(z),
            message=f"KPI {key!r} is scored by its missing-data policy when it has no data, "
            f"yet the weight of missing KPIs {others} moves onto it: with "
            f"{self.scheme.kpis[a].key} missing too, its weight rises from {before:.1%} to "
            f"{after:.1%} of the quantitative part",
            fix=f"do not reallocate weight onto {key!r} when it has no data (reallocate only "
            "among measured KPIs, or leave such reviews unrated)",
        )


def _check_data(scheme: Scheme, config: LintConfig, registry: ScorerRegistry) -> list[LintFinding]:
    """Run the scoring checks on ``config.samples`` generated reviews (none when 0)."""
    if config.samples == 0:
        return []
    try:
        checks = _Checks(scheme, config, registry)
        return [
            *checks.less_data(),
            *checks.gates(),
            *checks.no_data(),
            *checks.weight_onto_missing(),
        ]
    except PerfmgmtError as exc:
        return [
            LintFinding(
                code="scoring-checks-skipped",
                severity=Severity.WARNING,
                location="kpis",
                message=f"generated reviews could not be scored, so the checks that score "
                f"did not run: {exc}",
                fix="fix the scheme so that the engine scores it, then lint again",
            )
        ]
