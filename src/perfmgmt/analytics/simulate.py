"""Monte Carlo cost of a scheme: simulate many cycles at once, vectorised and seeded.

Give a distribution for each KPI's actual (stated, or fitted from history with
:func:`fit_actuals`), and :func:`simulate` scores ``draws`` whole cycles of the population and
evaluates the scheme's rules on each.  The result holds, per simulated cycle, the bonus pool
cost, the deductions and the rating counts, so you can read the expected cost, its quantiles,
the rating shares and the probability of exceeding a budget.

Cycles are simulated in chunks of about ``chunk_rows`` person-cycles, so memory stays bounded
whatever ``draws`` is; chunks run on worker threads.  The same seed and chunk size give
bit-identical results, whatever the number of workers.

Each person's actuals are drawn independently per cycle and per KPI (or, with
:class:`JointResample`, as whole historical rows, which keeps the KPIs' correlations).
"""

from __future__ import annotations

import math
import os
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, Protocol, TypeAlias, cast

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt._validate import finite, fraction
from perfmgmt.analytics._display import simulation_html
from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model.incentive import BonusPool
from perfmgmt.model.money import minor_units, quantize
from perfmgmt.model.scheme import Scheme
from perfmgmt.rules import RuleEvaluator, frame_from_scores
from perfmgmt.rules.payout import allocate_minor, to_minor
from perfmgmt.scoring.engine import ScoringEngine
from perfmgmt.scoring.population import Population

__all__ = [
    "Distribution",
    "Empirical",
    "JointResample",
    "Normal",
    "SimulationResult",
    "Uniform",
    "fit_actuals",
    "simulate",
]


class _Sampler(Protocol):
    missing: float

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray: ...


@attrs.frozen(kw_only=True, eq=False)
class _Subjects:
    """Subject columns of a population's rule frame, computed once per population."""

    columns: dict[str, np.ndarray]
    exact: bool  # the float base pay rounds to the exact Decimal minor units on every row


_SUBJECTS: weakref.WeakKeyDictionary[Population, _Subjects] = weakref.WeakKeyDictionary()


def _subjects(pop: Population) -> _Subjects:
    found = _SUBJECTS.get(pop)
    if found is not None:
        return found
    base = np.array([np.nan if b is None else float(b) for b in pop.base_pay], dtype=np.float64)
    exact = True
    if pop.currency is not None:
        digits = minor_units(pop.currency)
        minor = pop.base_pay_minor
        scaled = np.rint(base * 10**digits)
        fast = np.where(np.isnan(scaled), -1, scaled).astype(np.int64)
        exact = bool(np.array_equal(fast, minor))
    grade = np.empty(len(pop), dtype=object)
    grade[:] = list(pop.grade)
    department = np.empty(len(pop), dtype=object)
    department[:] = list(pop.department)
    found = _Subjects(
        columns={
            "tenure_days": np.asarray(pop.tenure_days, dtype=np.float64),
            "base_pay": base,
            "grade": grade,
            "department": department,
        },
        exact=exact,
    )
    _SUBJECTS[pop] = found
    return found


def _with_missing(rng: np.random.Generator, values: FloatArray, missing: float) -> FloatArray:
    if missing > 0:
        values[rng.random(values.shape[0]) < missing] = np.nan
    return values


def _low_high(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if math.isnan(value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: nan is not allowed; give a number "
            "or +/-inf for no bound",
            field=attribute.name,
            value=value,
        )


@attrs.frozen(kw_only=True)
class Normal:
    """A normal distribution, clipped to ``[low, high]``.

    Attributes:
        mean: The mean.
        sd: The standard deviation (>= 0).
        low: Values below are set to ``low`` (default: no bound).
        high: Values above are set to ``high`` (default: no bound).
        missing: Probability that the actual is missing (NaN).
    """

    mean: float = attrs.field(validator=finite)
    sd: float = attrs.field(validator=finite)
    low: float = attrs.field(default=-math.inf, converter=float, validator=_low_high)
    high: float = attrs.field(default=math.inf, converter=float, validator=_low_high)
    missing: float = attrs.field(default=0.0, validator=fraction)

    def __attrs_post_init__(self) -> None:
        if self.sd < 0:
            raise ValidationError(
                f"Normal.sd: {self.sd!r} is not allowed; expected a number >= 0",
                field="sd",
                value=self.sd,
            )
        if not self.low <= self.high:
            raise ValidationError(
                f"Normal.high: {self.high!r} must not be below low ({self.low!r})",
                field="high",
                value=self.high,
            )

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values."""
        values = np.clip(rng.normal(self.mean, self.sd, size), self.low, self.high)
        return _with_missing(rng, values, self.missing)


@attrs.frozen(kw_only=True)
class Uniform:
    """A uniform distribution on ``[low, high)``.

    Attributes:
        low: Lower end.
        high: Upper end (>= low).
        missing: Probability that the actual is missing (NaN).
    """

    low: float = attrs.field(validator=finite)
    high: float = attrs.field(validator=finite)
    missing: float = attrs.field(default=0.0, validator=fraction)

    def __attrs_post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValidationError(
                f"Uniform.high: {self.high!r} must not be below low ({self.low!r})",
                field="high",
                value=self.high,
            )

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values."""
        return _with_missing(rng, rng.uniform(self.low, self.high, size), self.missing)


def _values(value: Sequence[float] | FloatArray) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(value, dtype=np.float64).ravel())


def _finite_values(instance: Any, attribute: attrs.Attribute[Any], value: tuple[float]) -> None:
    if not value or not all(math.isfinite(v) for v in value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: give at least one value, all finite "
            f"(got {len(value)} values)",
            field=attribute.name,
            value=len(value),
        )


@attrs.frozen(kw_only=True)
class Empirical:
    """Resample observed values (the bootstrap): every value equally likely.

    Attributes:
        values: The observed values (finite; at least one).
        missing: Probability that the actual is missing (NaN).
    """

    values: tuple[float, ...] = attrs.field(converter=_values, validator=_finite_values)
    missing: float = attrs.field(default=0.0, validator=fraction)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values."""
        pool = np.asarray(self.values, dtype=np.float64)
        return _with_missing(rng, pool[rng.integers(0, pool.size, size)], self.missing)


Distribution: TypeAlias = Normal | Uniform | Empirical


def _keys(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(k) for k in value)


def _float_rows(value: npt.ArrayLike) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


@attrs.frozen(kw_only=True, eq=False)
class JointResample:
    """Draw each person's actuals as one whole row of history, keeping KPI correlations.

    Attributes:
        kpi_keys: Column keys of ``rows``.
        rows: float64 ``(H, K)`` historical actuals (NaN = missing, kept as missing).
    """

    kpi_keys: tuple[str, ...] = attrs.field(converter=_keys)
    rows: FloatArray = attrs.field(converter=_float_rows)

    def __attrs_post_init__(self) -> None:
        if self.rows.ndim != 2 or self.rows.shape[1] != len(self.kpi_keys) or not len(self.rows):
            raise ValidationError(
                f"JointResample.rows: shape {self.rows.shape} is not allowed; expected "
                f"(rows >= 1, {len(self.kpi_keys)}) for KPIs {list(self.kpi_keys)}",
                field="rows",
                value=self.rows.shape,
            )


Actuals: TypeAlias = Mapping[str, Distribution] | JointResample


def fit_actuals(
    history: Population | FloatArray,
    *,
    kpi_keys: Sequence[str] | None = None,
    kind: str = "normal",
) -> dict[str, Distribution] | JointResample:
    """Fit actual distributions per KPI from past actuals.

    Args:
        history: A past population, or a float ``(N, K)`` array of actuals with ``kpi_keys``.
        kpi_keys: Column keys when ``history`` is an array.
        kind: ``"normal"`` (mean and standard deviation of the observed values),
            ``"empirical"`` (resample the observed values) or ``"joint"`` (resample whole
            rows, keeping correlations). The share of missing values becomes ``missing``.

    Raises:
        ValidationError: On an unknown kind, a KPI with no observed value, or missing keys.
    """
    if isinstance(history, Population):
        keys, actual = history.kpi_keys, np.asarray(history.actual, dtype=np.float64)
    else:
        if kpi_keys is None:
            raise ValidationError(
                "fit_actuals: kpi_keys is None; give the column keys of the history array",
                field="kpi_keys",
                value=None,
            )
        keys, actual = tuple(kpi_keys), np.asarray(history, dtype=np.float64)
    if kind == "joint":
        return JointResample(kpi_keys=keys, rows=actual)
    if kind not in ("normal", "empirical"):
        raise ValidationError(
            f"fit_actuals: kind {kind!r} is not allowed; use 'normal', 'empirical' or 'joint'",
            field="kind",
            value=kind,
        )
    out: dict[str, Distribution] = {}
    for j, key in enumerate(keys):
        col = actual[:, j]
        seen = col[~np.isnan(col)]
        if not seen.size:
            raise ValidationError(
                f"fit_actuals: KPI {key!r} has no observed value to fit",
                field="history",
                value=key,
            )
        missing = 1.0 - seen.size / col.size
        if kind == "normal":
            out[key] = Normal(mean=float(seen.mean()), sd=float(seen.std()), missing=missing)
        else:
            out[key] = Empirical(values=seen, missing=missing)
    return out


@attrs.frozen(kw_only=True, eq=False)
class SimulationResult:
    """Per simulated cycle: cost, deductions and rating counts.

    Attributes:
        scheme_key: The scheme simulated.
        scheme_hash: Its content hash.
        people: People per cycle.
        seed: The seed used.
        currency: Currency of the money figures (None when no money is known).
        cost_minor: int64 ``(D,)`` bonus paid per cycle, after caps, proration and the pool.
        deduction_minor: int64 ``(D,)`` deductions per cycle.
        rating_labels: The rating labels, lowest first.
        rating_counts: int64 ``(D, B + 1)`` people per rating per cycle; the last column
            counts the people not rated.
        mean_total: float64 ``(D,)`` mean total of the rated people per cycle.
        budget: The budget given, if any.
    """

    scheme_key: str
    scheme_hash: str
    people: int
    seed: int
    currency: str | None
    cost_minor: IntArray
    deduction_minor: IntArray
    rating_labels: tuple[str, ...]
    rating_counts: IntArray
    mean_total: FloatArray
    budget: Decimal | None

    @property
    def draws(self) -> int:
        """The number of simulated cycles."""
        return int(self.cost_minor.shape[0])

    def __len__(self) -> int:
        return self.draws

    def __repr__(self) -> str:
        return (
            f"SimulationResult(scheme={self.scheme_key!r}, draws={self.draws}, "
            f"people={self.people}, expected_cost={self.expected_cost()})"
        )

    def _repr_html_(self) -> str:
        return simulation_html(self)

    def _scale(self) -> float:
        return 10.0 ** minor_units(self.currency) if self.currency else 1.0

    def _decimal(self, minor: float) -> Decimal:
        value = Decimal(repr(minor / self._scale()))
        return quantize(value, self.currency) if self.currency else value

    def costs(self) -> FloatArray:
        """Return the cost per cycle as floats in major units (for plots and statistics)."""
        return np.asarray(self.cost_minor / self._scale(), dtype=np.float64)

    def expected_cost(self) -> Decimal:
        """Return the mean cost per cycle."""
        return self._decimal(float(self.cost_minor.mean()))

    def cost_standard_error(self) -> float:
        """Return the Monte Carlo standard error of :meth:`expected_cost`, in major units."""
        return float(self.costs().std(ddof=1) / math.sqrt(self.draws)) if self.draws > 1 else 0.0

    def cost_quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> dict[float, Decimal]:
        """Return cost quantiles per cycle, e.g. the median and the 95th percentile."""
        values = np.quantile(self.cost_minor.astype(np.float64), q)
        return {float(p): self._decimal(float(v)) for p, v in zip(q, values, strict=True)}

    def probability_over(self, budget: Decimal | None = None) -> float:
        """Return the share of cycles whose cost exceeds ``budget`` (default: the one given).

        Raises:
            ValidationError: When no budget is given here or to :func:`simulate`.
        """
        budget = self.budget if budget is None else budget
        if budget is None:
            raise ValidationError(
                "probability_over: no budget; pass one here or to simulate(budget=...)",
                field="budget",
                value=None,
            )
        limit = to_minor(budget, self.currency) if self.currency else int(budget)
        return float((self.cost_minor > limit).mean())

    def rating_shares(self) -> FloatArray:
        """Return float64 ``(D, B)``: the share of rated people in each rating, per cycle."""
        counts = self.rating_counts[:, :-1].astype(np.float64)
        rated = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(rated > 0, counts / rated, np.nan), dtype=np.float64)

    def mean_rating_shares(self) -> dict[str, float]:
        """Return each rating's mean share over the cycles."""
        shares = np.nanmean(self.rating_shares(), axis=0)
        return {label: float(s) for label, s in zip(self.rating_labels, shares, strict=True)}

    def summary(self) -> dict[str, object]:
        """Return headline figures: expected cost, its standard error, quantiles, shares."""
        out: dict[str, object] = {
            "draws": self.draws,
            "people": self.people,
            "currency": self.currency,
            "expected_cost": self.expected_cost(),
            "standard_error": self.cost_standard_error(),
            "quantiles": self.cost_quantiles(),
            "rating_shares": self.mean_rating_shares(),
        }
        if self.budget is not None:
            out["budget"] = self.budget
            out["probability_over_budget"] = self.probability_over()
        return out


def _sample_actuals(
    scheme: Scheme, actuals: Actuals, rng: np.random.Generator, size: int
) -> FloatArray:
    out = np.empty((size, len(scheme.kpis)), dtype=np.float64)
    if isinstance(actuals, JointResample):
        index = {k: j for j, k in enumerate(actuals.kpi_keys)}
        rows = actuals.rows[rng.integers(0, actuals.rows.shape[0], size)]
        for j, key in enumerate(scheme.kpi_keys):
            out[:, j] = rows[:, index[key]]
        return out
    for j, key in enumerate(scheme.kpi_keys):
        out[:, j] = actuals[key].sample(rng, size)
    return out


def _check_actuals(scheme: Scheme, actuals: Actuals) -> None:
    keys = actuals.kpi_keys if isinstance(actuals, JointResample) else tuple(actuals)
    missing = [k for k in scheme.kpi_keys if k not in keys]
    if missing:
        raise ValidationError(
            f"simulate: no distribution for KPI(s) {missing}; give one per KPI of scheme "
            f"{scheme.key!r} ({list(scheme.kpi_keys)})",
            field="actuals",
            value=missing,
        )


def _tile(a: npt.NDArray[Any], reps: int) -> npt.NDArray[Any]:
    return np.tile(a, (reps,) + (1,) * (a.ndim - 1))


def _chunk_population(pop: Population, reps: int, actual: FloatArray) -> Population:
    """Return ``pop`` repeated ``reps`` times with new actuals, without re-validating it.

    Subject ids repeat (the engine does not need them unique); the drawn actuals are finite or
    NaN by construction, and everything else was validated when ``pop`` was built.
    """
    fields: dict[str, Any] = {
        "subject_ids": pop.subject_ids * reps,
        "actual": actual,
        "sample_size": np.full(actual.shape, -1, dtype=np.int64),
        "grade": pop.grade * reps,
        "department": pop.department * reps,
        "base_pay_minor": _tile(pop.base_pay_minor, reps),
        "given_pay": pop.base_pay * reps,
    }
    for name in ("threshold", "target", "stretch"):
        a = getattr(pop, name)
        fields[name] = np.broadcast_to(a[0], actual.shape) if a.strides[0] == 0 else _tile(a, reps)
    for name in (
        "overridden",
        "ratings",
        "raters",
        "tenure_days",
        "eligible_fraction",
        "eligible_days",
    ):
        fields[name] = _tile(getattr(pop, name), reps)
    return attrs.evolve(pop, **fields)


def _check_arguments(population: object, draws: object, chunk_rows: object) -> None:
    """Refuse a population that is not a Population and counts that are not whole >= 1."""
    if not isinstance(population, Population):
        raise ValidationError(
            f"simulate: population is a {type(population).__name__}; expected a Population "
            "(perfmgmt.scoring.Population.from_arrays or from_reviews)",
            field="population",
            value=type(population).__name__,
        )
    for name, value in (("draws", draws), ("chunk_rows", chunk_rows)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValidationError(
                f"simulate: {name}={value!r} is not allowed; expected a whole number >= 1",
                field=name,
                value=value,
            )


def _currency(population: Population, pool: BonusPool | None) -> str | None:
    """Return the currency of the base pay, else of the pool; refuse a pool in another one."""
    currency = population.currency or (pool.currency if pool is not None else None)
    if pool is not None and currency is not None and pool.currency != currency:
        raise ScoringError(
            f"simulate: the pool is in {pool.currency} but base pay is in {currency}; "
            "use one currency"
        )
    return currency


class _Cycles:
    """Per simulated cycle: bonus cost, deductions, people per rating band and mean total.

    Chunks of whole cycles write disjoint rows, so worker threads need no lock.
    """

    def __init__(self, draws: int, bands: int) -> None:
        self.bands = bands
        self.cost = np.zeros(draws, dtype=np.int64)
        self.deduction = np.zeros(draws, dtype=np.int64)
        # One column per band and a last one for the unrated.
        self.counts = np.zeros((draws, bands + 1), dtype=np.int64)
        self.mean_total = np.full(draws, np.nan)

    def record(
        self,
        done: int,
        reps: int,
        *,
        bonus: IntArray,
        deduction: IntArray,
        rating_index: npt.NDArray[Any],
        total: FloatArray,
    ) -> None:
        """Record ``reps`` cycles from cycle ``done`` on: their per-person results, cycle-major."""
        bands = self.bands
        n = bonus.size // reps
        block = slice(done, done + reps)
        self.cost[block] = bonus.reshape(reps, n).sum(axis=1)
        self.deduction[block] = deduction.reshape(reps, n).sum(axis=1)
        index = np.where(rating_index < 0, bands, rating_index).reshape(reps, n)
        offsets = (np.arange(reps) * (bands + 1))[:, None]
        self.counts[block] = np.bincount(
            (index + offsets).ravel(), minlength=reps * (bands + 1)
        ).reshape(reps, bands + 1)
        totals = total.reshape(reps, n)
        rated = ~np.isnan(totals)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean_total[block] = np.where(rated, totals, 0.0).sum(axis=1) / rated.sum(axis=1)


def simulate(
    scheme: Scheme,
    population: Population,
    actuals: Actuals,
    *,
    draws: int = 10_000,
    seed: int = 0,
    budget: Decimal | None = None,
    pool: BonusPool | None = None,
    chunk_rows: int = 32_768,
    workers: int | None = None,
    engine: ScoringEngine | None = None,
    evaluator: RuleEvaluator | None = None,
) -> SimulationResult:
    """Simulate ``draws`` cycles of ``population`` under ``scheme`` and collect their cost.

    Args:
        scheme: The scheme.
        population: The people (subject attributes, base pay, agreed targets, qualitative
            ratings); their actuals are replaced by draws.
        actuals: A distribution per KPI key, or a :class:`JointResample`.
        draws: Number of simulated cycles.
        seed: Seed of the random generator (numpy PCG64).
        budget: A budget to compare the cost with (:meth:`SimulationResult.probability_over`).
        pool: Per-person cap, proration and pool; the pool limits each cycle's total.
        chunk_rows: About this many person-cycles are scored at once: it bounds memory, and
            chunks that fit the CPU cache are fastest (the default, 32,768, was measured).
        workers: Threads scoring chunks in parallel (default: the number of CPUs). The result
            depends only on ``seed`` and ``chunk_rows``, not on ``workers``.
        engine: The scoring engine (reuse one: it caches resolved schemes).
        evaluator: The rule evaluator (reuse one: it caches compiled rules).

    Returns:
        The per-cycle results.

    Raises:
        ValidationError: On a missing distribution, draws < 1 or chunk_rows < 1.
        ScoringError: When the rules' currency differs from the pool's.
    """
    _check_arguments(population, draws, chunk_rows)
    _check_actuals(scheme, actuals)
    engine = engine or ScoringEngine()
    evaluator = evaluator or RuleEvaluator(trace=False)
    n = len(population)
    labels = scheme.rating_scale.labels
    cycles = _Cycles(draws, len(labels))
    subjects = _subjects(population)
    currency = _currency(population, pool)
    per_chunk = max(1, chunk_rows // max(n, 1))
    starts = list(range(0, draws, per_chunk))
    streams = np.random.SeedSequence(seed).spawn(len(starts))
    limits = None
    if pool is not None:
        limits = BonusPool(
            currency=pool.currency, per_person_cap=pool.per_person_cap, prorate=pool.prorate
        )

    def run(c: int) -> str | None:
        done = starts[c]
        reps = min(per_chunk, draws - done)
        rng = np.random.default_rng(streams[c])
        actual = _sample_actuals(scheme, actuals, rng, reps * n)
        pop = _chunk_population(population, reps, actual)
        scores = engine.score_batch(scheme, pop)
        frame = frame_from_scores(cast("Any", scores), None, None)
        for key, column in subjects.columns.items():
            frame[key] = _tile(column, reps)
        decisions = evaluator.evaluate_frame(
            scheme,
            frame,
            subject_ids=scores.subject_ids,
            currency=currency,
            base_pay=None if subjects.exact else pop.base_pay,
            scheme_hash=scores.scheme_hash,
        )
        bonus = np.where(decisions.bonus_known, decisions.bonus_minor, 0).astype(np.int64)
        if limits is not None:
            bonus = allocate_minor(
                bonus, limits, eligible_fraction=_tile(population.eligible_fraction, reps)
            ).awarded
        ded = np.where(decisions.deduction_known, decisions.deduction_minor, 0).astype(np.int64)
        cycles.record(
            done,
            reps,
            bonus=bonus,
            deduction=ded,
            rating_index=scores.rating_index,
            total=scores.total,
        )
        return decisions.currency

    # The first chunk runs alone so the engine and evaluator caches are filled once; the rest
    # run on worker threads (numpy releases the GIL). Each chunk has its own random stream, so
    # the result does not depend on the number of workers or their timing.
    first = run(0)
    currency = currency or first
    workers = max(1, min(workers if workers is not None else os.cpu_count() or 1, len(starts)))
    if len(starts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as executor:
            list(executor.map(run, range(1, len(starts))))
    cost = cycles.cost
    if pool is not None and pool.amount is not None:
        cost = np.minimum(cost, to_minor(pool.amount, pool.currency))
    return SimulationResult(
        scheme_key=scheme.key,
        scheme_hash=scheme.content_hash,
        people=n,
        seed=seed,
        currency=currency,
        cost_minor=cost,
        deduction_minor=cycles.deduction,
        rating_labels=labels,
        rating_counts=cycles.counts,
        mean_total=cycles.mean_total,
        budget=budget,
    )
