"""Populations: the columnar input of the scoring engine (N reviews as numpy arrays).

Build one from :class:`~perfmgmt.model.Review` objects with :meth:`Population.from_reviews`,
from arrays (a data warehouse extract, a notebook) with :meth:`Population.from_arrays`, or
from pandas/polars frames and pyarrow tables with :meth:`Population.from_frame`.
Both validate their input: a population that exists can be scored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._ids import IdColumn, id_tuple
from perfmgmt._typing import BoolArray, FloatArray, IntArray
from perfmgmt.errors import ScoringError
from perfmgmt.model.cycle import Cycle, eligible_days
from perfmgmt.model.indicator import Direction
from perfmgmt.model.money import MAX_MINOR_UNITS, minor_units
from perfmgmt.model.proration import Proration, prorate
from perfmgmt.model.review import Review, Subject
from perfmgmt.model.scheme import Scale, Scheme
from perfmgmt.scoring._display import population_html

__all__ = ["Population", "rescale_rating"]


_BOUNDS = ("threshold", "target", "stretch")

#: Up to this many rating cells, from_reviews divides on Python floats (no numpy calls).
_FEW_CELLS = 64


def rescale_rating(rating: float, source: Scale, dest: Scale) -> float:
    """Map ``rating`` from scale ``source`` to scale ``dest`` linearly (low to low, high to high).

    Example: 4 on a 1-5 scale is 7.75 on a 1-10 scale.
    """
    frac = (rating - source.low) / (source.high - source.low)
    return dest.low + frac * (dest.high - dest.low)


def _eligibility(
    cycle: Cycle, hire_date: dt.date | None, leave_date: dt.date | None
) -> tuple[int, float, float]:
    """Return ``(eligible_days, eligible_fraction, tenure_days)`` of a subject in ``cycle``.

    Eligible days come from :func:`perfmgmt.model.eligible_days` (the one definition);
    tenure is the number of days from the hire date to the cycle end (NaN when unknown,
    negative when the subject joins after the cycle ends).
    """
    days = eligible_days(cycle, hire_date, leave_date)
    tenure = math.nan if hire_date is None else float((cycle.end - hire_date).days)
    return days, days / cycle.days, tenure


@attrs.frozen(kw_only=True)
class _Layout:
    """What building a population needs from a scheme alone, computed once per scheme."""

    kpi_index: Mapping[str, int]
    crit_index: Mapping[str, int]
    src_index: Mapping[object, int]
    defaults: tuple[FloatArray, FloatArray, FloatArray]
    default_lists: tuple[list[float], list[float], list[float]]
    col_sign: FloatArray
    col_sign_list: list[float]
    criterion_keys: tuple[str, ...]
    source_keys: tuple[str, ...]
    kpi_keys: tuple[str, ...]
    # One review's blank share of each flat list from_reviews fills: no actual, sample size
    # not reported, nothing overridden (K each); no rating sum and no raters (Q * S each).
    blank_actuals: tuple[float, ...]
    blank_samples: tuple[int, ...]
    blank_overridden: tuple[bool, ...]
    blank_sums: tuple[float, ...]
    blank_raters: tuple[int, ...]


_LAYOUTS: dict[str, _Layout] = {}
_LAYOUTS_SIZE = 64


def _layout(scheme: Scheme) -> _Layout:
    """Return the scheme's cached :class:`_Layout` (keyed by its content hash, as plans are).

    Building a population of one review is the scalar ``score`` path; recomputing these
    per call cost a noticeable share of it.
    """
    key = scheme.content_hash
    layout = _LAYOUTS.get(key)
    if layout is not None:
        return layout

    def col(name: str) -> FloatArray:
        vals = [getattr(k, name) for k in scheme.kpis]  # fixed attribute names, not user input
        return _readonly(np.array([math.nan if v is None else v for v in vals], dtype=np.float64))

    signs = {Direction.HIGHER_IS_BETTER: 1.0, Direction.LOWER_IS_BETTER: -1.0}
    col_sign = [signs.get(k.indicator.direction, math.nan) for k in scheme.kpis]
    defaults = (col("threshold"), col("target"), col("stretch"))
    k, nqs = len(scheme.kpis), len(scheme.criteria) * len(scheme.sources)
    layout = _Layout(
        kpi_index={key: j for j, key in enumerate(scheme.kpi_keys)},
        crit_index={c.key: q for q, c in enumerate(scheme.criteria)},
        src_index={s.source: i for i, s in enumerate(scheme.sources)},
        defaults=defaults,
        default_lists=(defaults[0].tolist(), defaults[1].tolist(), defaults[2].tolist()),
        col_sign=_readonly(np.array(col_sign)),
        col_sign_list=col_sign,
        criterion_keys=tuple(c.key for c in scheme.criteria),
        source_keys=tuple(s.key for s in scheme.sources),
        kpi_keys=scheme.kpi_keys,
        blank_actuals=(math.nan,) * k,
        blank_samples=(-1,) * k,
        blank_overridden=(False,) * k,
        blank_sums=(0.0,) * nqs,
        blank_raters=(0,) * nqs,
    )
    if len(_LAYOUTS) >= _LAYOUTS_SIZE:
        # Another thread may have emptied it meanwhile: popping a missing key is harmless.
        _LAYOUTS.pop(next(iter(_LAYOUTS), ""), None)
    _LAYOUTS[key] = layout
    return layout


def _defaults(scheme: Scheme) -> tuple[FloatArray, FloatArray, FloatArray]:
    return _layout(scheme).defaults


def _check_order(
    scheme: Scheme,
    bounds: tuple[FloatArray, FloatArray, FloatArray],
    subject_ids: Sequence[str],
    row: tuple[list[float], list[float], list[float]] | None = None,
) -> None:
    """Refuse rows whose threshold/target/stretch are out of order for the KPI's direction.

    ``row`` may give the bounds of a one-row population as Python lists.
    """
    th, tg, st = bounds
    layout = _layout(scheme)
    col_sign = layout.col_sign
    # One pass finds whether anything is wrong (NaN compares False: unset values and
    # target-is-best KPIs pass); only then the loop below names the first bad value. One
    # review (the scalar path) is checked on Python floats: the same comparisons, no numpy
    # call per test.
    if len(th) == 1:
        t_row, g_row, s_row = row or (th[0].tolist(), tg[0].tolist(), st[0].tolist())
        bad_any = False
        for sg, t, g, s in zip(layout.col_sign_list, t_row, g_row, s_row, strict=True):
            if sg * (g - t) <= 0 or sg * (s - g) <= 0 or sg * (s - t) <= 0:
                bad_any = True
                break
    else:
        if all(b.strides[0] == 0 for b in bounds):  # the scheme's defaults: one row says all
            th, tg, st = th[:1], tg[:1], st[:1]
        with np.errstate(invalid="ignore"):
            bad_any = (
                bool(((col_sign * (tg - th)) <= 0).any())
                or bool(((col_sign * (st - tg)) <= 0).any())
                or bool(((col_sign * (st - th)) <= 0).any())
            )
    if not bad_any:
        return
    for j, kpi in enumerate(scheme.kpis):
        direction = kpi.indicator.direction
        if direction is Direction.TARGET_IS_BEST:
            continue
        sign = 1.0 if direction is Direction.HIGHER_IS_BETTER else -1.0
        word = "above" if sign > 0 else "below"
        for lo_name, lo, hi_name, hi in (
            ("threshold", th[:, j], "target", tg[:, j]),
            ("target", tg[:, j], "stretch", st[:, j]),
            ("threshold", th[:, j], "stretch", st[:, j]),
        ):
            with np.errstate(invalid="ignore"):
                bad = (sign * (hi - lo)) <= 0  # NaN compares False: unset values pass
            if bad.any():
                i = int(np.argmax(bad))
                raise ScoringError(
                    f"review of {subject_ids[i]!r}, KPI {kpi.key!r}: agreed {hi_name} "
                    f"({float(hi[i])!r}) must be {word} {lo_name} ({float(lo[i])!r}) for a "
                    f"{direction.value.replace('_', '-')} indicator"
                )


def _readonly(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    a.flags.writeable = False
    return a


@attrs.frozen(kw_only=True, eq=False)
class Population:
    """N reviews in columns, ready for :meth:`ScoringEngine.score_batch`.

    Arrays are read-only. ``threshold``/``target``/``stretch`` hold the values used per row
    (the scheme default unless an agreed goal overrides it; NaN where there is none); when no
    row overrides anything they are broadcast views of the defaults and cost no memory.

    Attributes:
        scheme_key: Key of the scheme the population was built for.
        subject_ids: N subject ids.
        kpi_keys: K KPI keys, equal to the scheme's, in scheme order.
        actual: float64 (N, K), NaN = missing.
        sample_size: int64 (N, K), -1 = not reported.
        threshold: float64 (N, K) threshold per row.
        target: float64 (N, K) target per row.
        stretch: float64 (N, K) stretch per row.
        overridden: bool (N, K) an agreed goal replaced a scheme default.
        criterion_keys: Q qualitative criterion keys, in scheme order.
        source_keys: S assessment source keys (``"manager"`` ...), in scheme order.
        ratings: float64 (N, Q, S) mean rating per criterion and source, on the criterion's
            scale; NaN when nobody rated.
        raters: int64 (N, Q, S) number of distinct raters per criterion and source.
        grade: Job grade per subject.
        department: Department per subject.
        tenure_days: float64 (N,) days from the hire date to the cycle end, NaN unknown.
        base_pay_minor: int64 (N,) base pay in whole minor units of ``currency`` (fen for
            CNY), exactly (every builder refuses an amount finer than that): the amounts the
            rules pay percentages of; -1 where unknown. :attr:`base_pay` gives the same as
            Decimals.
        currency: The one currency of the base pay (None when no base pay).
        eligible_fraction: float64 (N,) share of the cycle worked, 1.0 by default.
        eligible_days: float64 (N,) eligible days in the cycle, NaN when unknown (counts as
            eligible).
        nominal_weight: float64 (N, K) per-review nominal KPI weights, when some review's
            weights were changed mid-cycle (prorated by days); None: the scheme's for all.
        prorations: Per review, its :class:`~perfmgmt.model.Proration` when it records
            mid-cycle changes (None otherwise); empty when no review does.
    """

    scheme_key: str
    # a tuple, or the Arrow column of a frame (the tuple is built on first read of subject_ids)
    _ids: Sequence[str] = attrs.field(alias="subject_ids", repr=False)
    kpi_keys: tuple[str, ...]
    actual: FloatArray
    sample_size: IntArray
    threshold: FloatArray
    target: FloatArray
    stretch: FloatArray
    overridden: BoolArray
    criterion_keys: tuple[str, ...]
    source_keys: tuple[str, ...]
    ratings: FloatArray
    raters: IntArray
    grade: tuple[str | None, ...]
    department: tuple[str | None, ...]
    tenure_days: FloatArray
    base_pay_minor: IntArray
    currency: str | None
    eligible_fraction: FloatArray
    eligible_days: FloatArray
    nominal_weight: FloatArray | None = None
    prorations: tuple[Proration | None, ...] = ()
    # the Decimals as given (from_reviews, from_arrays); a frame's pay lives in minor units only
    _given_pay: tuple[Decimal | None, ...] | None = attrs.field(
        default=None, alias="given_pay", repr=False
    )
    _derived: dict[str, Any] = attrs.field(init=False, factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def subject_ids(self) -> tuple[str, ...]:
        """N subject ids, in row order.

        A population read from an Arrow table keeps its ids as that table's column and builds
        this tuple on first read.
        """
        return id_tuple(self._ids)

    @property
    def base_pay(self) -> tuple[Decimal | None, ...]:
        """Base pay per subject as exact Decimals in ``currency`` (None where unknown).

        The amounts as given to :meth:`from_reviews` or :meth:`from_arrays`; for
        :meth:`from_frame` (which holds pay in minor units only) built from
        :attr:`base_pay_minor` on first read, at the currency's minor unit.
        """
        if self._given_pay is not None:
            return self._given_pay
        found: tuple[Decimal | None, ...] | None = self._derived.get("base_pay")
        if found is None:
            digits = 0 if self.currency is None else minor_units(self.currency)
            exponent = Decimal(1).scaleb(-digits)
            found = tuple(
                None if m < 0 else Decimal(m).scaleb(-digits).quantize(exponent)
                for m in self.base_pay_minor.tolist()
            )
            self._derived["base_pay"] = found
        return found

    def __repr__(self) -> str:
        return (
            f"Population(scheme={self.scheme_key!r}, reviews={len(self)}, "
            f"kpis={list(self.kpi_keys)})"
        )

    def _repr_html_(self) -> str:
        return population_html(self)

    @property
    def nbytes(self) -> int:
        """Bytes held by the input arrays (broadcast views count as their base)."""
        total = 0
        for a in (
            self.actual,
            self.sample_size,
            self.threshold,
            self.target,
            self.stretch,
            self.overridden,
            self.ratings,
            self.raters,
            self.tenure_days,
            self.base_pay_minor,
            self.eligible_fraction,
            self.eligible_days,
        ):
            total += a.nbytes if a.strides[0] != 0 else a[0].nbytes
        if self.nominal_weight is not None:
            total += self.nominal_weight.nbytes
        return total

    @classmethod
    def from_reviews(
        cls, scheme: Scheme, reviews: Sequence[Review], *, cycle: Cycle | None = None
    ) -> Population:
        """Build a population from reviews scored under ``scheme``.

        Agreed goals override the scheme's defaults (flagged ``OVERRIDDEN_TARGET``); ratings are
        rescaled to each criterion's scale and averaged per source; eligibility comes from the
        subjects' hire and leave dates within ``cycle`` (all eligible without a cycle). A review
        with mid-cycle changes (leave, FTE, goal changes) is prorated with
        :func:`perfmgmt.model.prorate` when ``cycle`` is given: its eligible days are the days
        worked, its eligible fraction the FTE-weighted share, its weights and changed targets
        the day-weighted ones; a review without them keeps the scheme's weights exactly.

        Raises:
            ScoringError: For a review of another scheme, an actual, goal or assessment naming
                something the scheme does not have, agreed goals out of order for the KPI's
                direction, a rating off its scale, subjects paid in different currencies, or a
                base pay that is negative or finer than its currency's minor unit.
        """
        reviews = tuple(reviews)
        layout = _layout(scheme)
        rows = _ReviewRows(scheme, layout, len(reviews))
        for i, review in enumerate(reviews):
            _check_review(scheme, i, review)
            rows.add(review, i, cycle)
        for review in reviews:
            _check_rater_ids(review)
        act_a, th_a, tg_a, st_a = rows.kpi_arrays()
        tenure_a, fraction_a, days_a = rows.subject_arrays()
        _check_order(scheme, (th_a, tg_a, st_a), rows.ids, rows.one_row_bounds())
        ratings_a, raters_a = rows.rating_arrays()
        subjects = [r.subject for r in reviews]
        currency = _one_currency(subjects)
        minor, given = _base_pay(
            [s.base_pay for s in subjects],
            currency,
            len(reviews),
            lambda k: f"review {reviews[k].key!r}: subject {subjects[k].id!r} base_pay",
        )
        return cls(
            nominal_weight=rows.weight_array(),
            prorations=rows.prorations_tuple(),
            scheme_key=scheme.key,
            subject_ids=tuple(rows.ids),
            kpi_keys=layout.kpi_keys,
            actual=act_a,
            sample_size=rows.sample_size_array(),
            threshold=th_a,
            target=tg_a,
            stretch=st_a,
            overridden=rows.overridden_array(),
            criterion_keys=layout.criterion_keys,
            source_keys=layout.source_keys,
            ratings=ratings_a,
            raters=raters_a,
            grade=tuple(s.grade for s in subjects),
            department=tuple(s.department for s in subjects),
            tenure_days=tenure_a,
            base_pay_minor=minor,
            given_pay=given,
            currency=currency,
            eligible_fraction=fraction_a,
            eligible_days=days_a,
        )

    @classmethod
    def from_frame(
        cls,
        scheme: Scheme,
        subjects: object,
        *,
        actuals: object | None = None,
        assessments: object | None = None,
    ) -> Population:
        """Build a population from frames: pandas or polars DataFrames, pyarrow Tables or dicts.

        ``subjects`` has one row per review, in any order: ``subject_id`` (a column, or the
        index of a pandas frame) and any of ``grade``, ``department``, ``tenure_days``,
        ``eligible_fraction``, ``eligible_days``, ``base_pay`` (Arrow decimals, Decimal, int or
        text: money is exact, to the currency's minor unit at most; held as
        :attr:`base_pay_minor`) and ``currency``; in the wide layout also ``kpi.<key>.actual``,
        ``kpi.<key>.sample_size``, ``kpi.<key>.threshold|target|stretch`` (the names
        :meth:`BatchScores.to_rows` uses) and ``rating.<criterion>.<source>`` with
        ``raters.<criterion>.<source>`` (the mean rating and how many raters it comes from).

        In the long layout ``actuals`` has one row per subject and KPI: ``subject_id``,
        ``kpi``, ``value`` and optionally ``sample_size``; ``assessments`` one row per rating:
        ``subject_id``, ``criterion``, ``source``, ``rating`` on the criterion's scale and
        optionally ``rater_id``.  Ratings are averaged per subject, criterion and source, the
        raters counted.  A KPI left without data is missing (NaN), as in :meth:`from_arrays`,
        which validates the result; every column is read once as an array.

        Raises:
            ScoringError: On an unknown or missing column, an empty id, a subject id named twice,
                a long row for a subject not in ``subjects`` or a KPI, criterion or source not in
                the scheme, two rows for the same cell (a duplicated export row), a rating off
                its scale, text where a number belongs, a float, negative or out-of-range amount
                of money or one finer than the currency's minor unit, an amount without a
                currency, several currencies, or anything :meth:`from_arrays` refuses; naming
                the row (counted from 1) and the column.
        """
        from perfmgmt.scoring import _frames  # noqa: PLC0415 - only frame users pay for it

        args = _frames.wide(scheme, _frames.columns_of(subjects, "subjects"))
        long = actuals is not None or assessments is not None
        ids = np.asarray(id_tuple(args["subject_ids"]) if long else [], dtype=str)
        if actuals is not None:
            if "actual" in args:
                raise ScoringError(
                    "Population.from_frame: actuals come both as kpi.<key>.actual columns of "
                    "subjects and as a long actuals frame; give them one way"
                )
            args["actual"], sizes = _frames.long_actuals(scheme, ids, actuals)
            if sizes is not None:
                args["sample_size"] = sizes
        if assessments is not None:
            if "ratings" in args:
                raise ScoringError(
                    "Population.from_frame: ratings come both as rating.<criterion>.<source> "
                    "columns of subjects and as a long assessments frame; give them one way"
                )
            args["ratings"], args["raters"] = _frames.long_assessments(scheme, ids, assessments)
        n, k = len(args["subject_ids"]), len(scheme.kpi_keys)
        if "actual" not in args:
            args["actual"] = _readonly(np.full((n, k), np.nan))
        # money stays in minor units, checked and converted in whole-array passes
        minor = args.pop("base_pay_minor", None)
        population = cls.from_arrays(scheme, **args)
        if minor is None:
            return population
        return attrs.evolve(population, base_pay_minor=_readonly(minor))

    @classmethod
    def from_arrays(
        cls,
        scheme: Scheme,
        *,
        subject_ids: Sequence[str],
        actual: npt.ArrayLike | Mapping[str, npt.ArrayLike],
        sample_size: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
        threshold: npt.ArrayLike | None = None,
        target: npt.ArrayLike | None = None,
        stretch: npt.ArrayLike | None = None,
        ratings: npt.ArrayLike | None = None,
        raters: npt.ArrayLike | None = None,
        grade: Sequence[str | None] | None = None,
        department: Sequence[str | None] | None = None,
        tenure_days: npt.ArrayLike | None = None,
        base_pay: Sequence[Decimal | None] | None = None,
        currency: str | None = None,
        eligible_fraction: npt.ArrayLike | None = None,
        eligible_days: npt.ArrayLike | None = None,
        kpi_keys: Sequence[str] | None = None,
        nominal_weight: npt.ArrayLike | None = None,
    ) -> Population:
        """Build a population from arrays, validating shapes and values.

        Args:
            scheme: The scheme the population will be scored under.
            subject_ids: N subject ids.
            actual: float (N, K) in the scheme's KPI order (or the order of ``kpi_keys``), or a
                mapping from KPI key to a length-N column; NaN = missing. A float64 C-ordered
                array is used without copying (do not modify it afterwards).
            sample_size: int (N, K) or mapping like ``actual``; -1 = not reported.
            threshold: float (N, K) per-row thresholds; NaN keeps the scheme default.
            target: Per-row targets, like ``threshold``.
            stretch: Per-row stretch values, like ``threshold``.
            ratings: float (N, Q, S) mean rating per criterion and source on the criterion's
                scale (scheme order of criteria and sources), NaN where nobody rated.
            raters: int (N, Q, S) number of raters behind each mean rating.
            grade: Job grade per subject.
            department: Department per subject.
            tenure_days: Days from hire to cycle end per subject.
            base_pay: Base pay per subject, in ``currency``, as Decimals from 0 with at most the
                currency's minor-unit digits (``12000.50`` CNY, not ``12000.505``).
            currency: ISO 4217 code of ``base_pay``.
            eligible_fraction: Share of the cycle worked per subject (0 to 1).
            eligible_days: Eligible days per subject, compared with ``min_eligible_days``.
            kpi_keys: Column order of the (N, K) arrays when it differs from the scheme's.
            nominal_weight: float (N, K) per-review nominal KPI weights (e.g. prorated by
                :func:`perfmgmt.model.prorate` after a mid-cycle weight change), in the column
                order of ``actual``; each row must be >= 0 and add up to the scheme's total
                nominal weight (to 1e-9). None: the scheme's weights for every review.

        Raises:
            ScoringError: On a shape that does not fit, columns that do not match the scheme's
                KPIs, an infinite actual, a NaN actual where the sample size says data exists,
                a negative count, thresholds/targets out of order, a rating off its scale, or a
                base pay that is negative, beyond the money range or finer than the currency's
                minor unit.
        """
        ids = _subject_ids(subject_ids)
        n = len(ids)
        order = _column_order(scheme, kpi_keys, actual)
        act = _actuals(scheme, actual, order, ids)
        ss = _sample_sizes(scheme, sample_size, order, ids, act)
        bounds, overridden = _bounds(scheme, (threshold, target, stretch), order, n)
        _check_order(scheme, bounds, ids)
        rt, rc = _qualitative(scheme, ratings, raters, n, ids)
        ef = _eligible_fraction(eligible_fraction, ids)
        ed = _eligible_days(eligible_days, ids)
        minor, given = _base_pay(
            base_pay, currency, n, lambda k: f"Population.from_arrays: base_pay[{k}] ({ids[k]!r})"
        )
        weights = None
        if nominal_weight is not None:
            weights = _matrix("nominal_weight", nominal_weight, scheme, order, n, np.float64)
            _check_weights(scheme, weights, ids)
        return cls(
            nominal_weight=weights,
            scheme_key=scheme.key,
            subject_ids=ids,
            kpi_keys=scheme.kpi_keys,
            actual=act,
            sample_size=ss,
            threshold=bounds[0],
            target=bounds[1],
            stretch=bounds[2],
            overridden=overridden,
            criterion_keys=tuple(c.key for c in scheme.criteria),
            source_keys=tuple(s.key for s in scheme.sources),
            ratings=rt,
            raters=rc,
            grade=_labels("grade", grade, n),
            department=_labels("department", department, n),
            tenure_days=_vector("tenure_days", tenure_days, n, math.nan),
            base_pay_minor=minor,
            given_pay=given,
            currency=currency,
            eligible_fraction=ef,
            eligible_days=ed,
        )


def _check_weights(scheme: Scheme, weights: FloatArray, ids: Sequence[str]) -> None:
    """Refuse per-review weights that are negative, not finite or do not add up."""
    total = math.fsum(scheme.nominal_weights().values())
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(weights).all(axis=1) | (weights < 0).any(axis=1)
        bad |= ~(np.abs(weights.sum(axis=1) - total) <= 1e-9)
    if bad.any():
        i = int(np.argmax(bad))
        raise ScoringError(
            f"Population.from_arrays: nominal_weight of {ids[i]!r} is "
            f"{weights[i].tolist()!r}; expected weights >= 0 adding up to the scheme's total "
            f"nominal weight {total!r}"
        )


def _subject_ids(subject_ids: Sequence[str]) -> Sequence[str]:
    """The ids as a tuple of ``str`` (one pass over the types when they are text already).

    Refuse an id that repeats.  An :class:`IdColumn` (from :meth:`Population.from_frame`,
    which found its Arrow column free of empty cells and repeats) is kept as it is.
    """
    if isinstance(subject_ids, IdColumn):
        return subject_ids
    if isinstance(subject_ids, list | tuple) and set(map(type, subject_ids)) <= {str}:
        ids = tuple(subject_ids)
    else:
        ids = tuple(str(s) for s in subject_ids)
    _check_unique(ids)
    return ids


def _check_unique(ids: tuple[str, ...]) -> None:
    """Refuse subject ids that repeat, naming the first repeated one."""
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(s for s in ids if s in seen or seen.add(s))  # type: ignore[func-returns-value]
        raise ScoringError(f"Population.from_arrays: subject id {dup!r} appears more than once")


def _actuals(
    scheme: Scheme, actual: object, order: list[int] | None, ids: Sequence[str]
) -> FloatArray:
    """Return the (N, K) actuals; refuse an infinite one (NaN is missing)."""
    act = _matrix("actual", actual, scheme, order, len(ids), np.float64)
    if np.isinf(act).any():
        i, j = np.argwhere(np.isinf(act))[0]
        raise ScoringError(
            f"Population.from_arrays: actual of {ids[i]!r} for KPI {scheme.kpi_keys[j]!r} is "
            f"{float(act[i, j])!r}; use a finite number, or NaN for missing"
        )
    return act


def _sample_sizes(
    scheme: Scheme,
    sample_size: object,
    order: list[int] | None,
    ids: Sequence[str],
    act: FloatArray,
) -> IntArray:
    """Return the (N, K) sample sizes (-1 = not reported, the default).

    Refuse fractional, NaN or negative counts, and a count > 0 where the actual is missing.
    """
    n, k = len(ids), len(scheme.kpis)
    if sample_size is None:
        return np.broadcast_to(np.int64(-1), (n, k))
    if _is_whole(sample_size):  # integers: nothing fractional or NaN to look for
        ss = _matrix("sample_size", sample_size, scheme, order, n, np.int64)
    else:
        raw = _matrix("sample_size", sample_size, scheme, order, n, np.float64)
        if np.isnan(raw).any() or (raw != np.floor(raw)).any():
            i, j = np.argwhere(np.isnan(raw) | (raw != np.floor(raw)))[0]
            raise ScoringError(
                f"Population.from_arrays: sample_size of {ids[i]!r} for KPI "
                f"{scheme.kpi_keys[j]!r} is {float(raw[i, j])!r}; use a whole number, -1 = not "
                "reported"
            )
        ss = _readonly(raw.astype(np.int64))  # a new array: the population's own
    if (ss < -1).any():
        i, j = np.argwhere(ss < -1)[0]
        raise ScoringError(
            f"Population.from_arrays: sample_size of {ids[i]!r} for KPI "
            f"{scheme.kpi_keys[j]!r} is {int(ss[i, j])}; counts cannot be negative "
            "(-1 means not reported)"
        )
    if not np.isnan(act).any():  # every actual given: no count can contradict one
        return ss
    data_says = (ss > 0) & np.isnan(act)
    if data_says.any():
        i, j = np.argwhere(data_says)[0]
        raise ScoringError(
            f"Population.from_arrays: actual of {ids[i]!r} for KPI "
            f"{scheme.kpi_keys[j]!r} is NaN but sample_size is {int(ss[i, j])}; give "
            "the value, or a sample size of 0 or -1 when there is no data"
        )
    return ss


def _bounds(
    scheme: Scheme,
    given: tuple[npt.ArrayLike | None, npt.ArrayLike | None, npt.ArrayLike | None],
    order: list[int] | None,
    n: int,
) -> tuple[tuple[FloatArray, FloatArray, FloatArray], BoolArray]:
    """Return threshold, target and stretch per row, and where a given value overrode a default.

    A bound not given, or NaN in a row, keeps the scheme default; an infinite one is refused.
    """
    k = len(scheme.kpis)
    bounds: list[FloatArray] = []
    over = np.zeros((n, k), dtype=bool) if any(g is not None for g in given) else None
    for name, d, g in zip(_BOUNDS, _defaults(scheme), given, strict=True):
        if g is None:
            bounds.append(np.broadcast_to(d, (n, k)))
            continue
        m = _matrix(name, g, scheme, order, n, np.float64)
        if np.isinf(m).any():
            raise ScoringError(
                f"Population.from_arrays: {name} holds an infinite value; use finite "
                "numbers, or NaN to keep the scheme default"
            )
        use_default = np.isnan(m)
        merged = np.where(use_default, d, m)
        assert over is not None
        with np.errstate(invalid="ignore"):
            over |= ~use_default & (merged != d)
        bounds.append(merged)
    overridden: BoolArray = over if over is not None else np.broadcast_to(False, (n, k))
    return (bounds[0], bounds[1], bounds[2]), overridden


def _eligible_fraction(value: npt.ArrayLike | None, ids: Sequence[str]) -> FloatArray:
    """Return the share of the cycle worked per subject (1.0 by default); refuse one off 0-1."""
    ef = _vector("eligible_fraction", value, len(ids), 1.0)
    if ((ef < 0) | (ef > 1) | np.isnan(ef)).any():
        i = int(np.argmax((ef < 0) | (ef > 1) | np.isnan(ef)))
        raise ScoringError(
            f"Population.from_arrays: eligible_fraction of {ids[i]!r} is {float(ef[i])!r}; "
            "expected a share from 0 to 1"
        )
    return ef


def _eligible_days(value: npt.ArrayLike | None, ids: Sequence[str]) -> FloatArray:
    """Return the eligible days per subject (NaN, unknown, by default); refuse negative ones."""
    ed = _vector("eligible_days", value, len(ids), math.nan)
    if (ed < 0).any():
        i = int(np.argmax(ed < 0))
        raise ScoringError(
            f"Population.from_arrays: eligible_days of {ids[i]!r} is {float(ed[i])!r}; "
            "days cannot be negative"
        )
    return ed


def _base_pay(
    base_pay: Sequence[Decimal | None] | None,
    currency: str | None,
    n: int,
    where: Callable[[int], str],
) -> tuple[IntArray, tuple[Decimal | None, ...] | None]:
    """Return base pay in minor units (-1 unknown) and the Decimals as given.

    Refuse pay without a currency, and amounts that are not finite Decimals, are negative or
    beyond the money range, or are finer than the currency's minor unit (as
    :meth:`Population.from_frame` does: rounding pay is the source's decision, not ours).
    ``where(k)`` names the ``k``-th amount in a refusal.
    """
    if base_pay is None:
        return _unknown_pay(n), None
    pay = tuple(base_pay)
    if len(pay) != n:
        raise ScoringError(
            f"Population.from_arrays: base_pay has {len(pay)} entries for {n} subjects"
        )
    if currency is None:
        if any(p is not None for p in pay):
            raise ScoringError(
                "Population.from_arrays: currency is None but base_pay is given; name the "
                "ISO 4217 currency, e.g. currency='CNY'"
            )
        return _unknown_pay(n), pay
    digits = minor_units(currency)
    exponent = Decimal(1).scaleb(-digits)
    limit = Decimal(MAX_MINOR_UNITS).scaleb(-digits)
    values: list[int] = []
    for k, b in enumerate(pay):
        if b is None:
            values.append(-1)
            continue
        if not isinstance(b, Decimal) or not b.is_finite() or not 0 <= b <= limit:
            raise ScoringError(
                f"{where(k)} is {b!r}; expected a finite Decimal from 0 to {limit:,f} "
                f"{currency}, or None for unknown"
            )
        # within the money range a quantized amount has at most 16 digits: exact in context
        whole = b.quantize(exponent)
        if whole != b:
            raise ScoringError(
                f"{where(k)} is {b}; amounts in {currency} have at most {digits} decimal "
                "places; round the amount in the source, not here"
            )
        values.append(int(whole.scaleb(digits)))
    minor = np.array(values, dtype=np.int64)
    return _readonly(minor), pay


def _unknown_pay(n: int) -> IntArray:
    minor: IntArray = np.broadcast_to(np.int64(-1), (n,))
    return minor


def _check_review(scheme: Scheme, i: int, review: object) -> None:
    """Refuse item ``i`` of ``from_reviews`` unless it is a review of ``scheme``."""
    if not isinstance(review, Review):
        raise ScoringError(
            f"Population.from_reviews: item {i} is a {type(review).__name__}; expected a Review"
        )
    if review.scheme != scheme.key:
        raise ScoringError(
            f"review {review.key!r}: scheme is {review.scheme!r}, but it is being "
            f"scored under scheme {scheme.key!r}"
        )


def _one_currency(subjects: Sequence[Subject]) -> str | None:
    """Return the one currency the subjects are paid in (None without base pay)."""
    currencies = {s.currency for s in subjects if s.currency is not None and s.base_pay is not None}
    if len(currencies) > 1:
        raise ScoringError(
            f"Population.from_reviews: base pay is in several currencies {sorted(currencies)}; "
            "a population holds one currency"
        )
    return next(iter(currencies), None)


class _ReviewRows:
    """The columns of a population being built from reviews, filled one review at a time.

    Values go into flat Python lists (row i of an (N, K) array at [i * K, (i + 1) * K)) that
    become arrays once at the end: a numpy item assignment costs several list ones, and on one
    review (the scalar ``score``) the array constructors dominated. The values are the same
    floats either way.
    """

    __slots__ = (
        "_layout",
        "_scheme",
        "actual",
        "eligible_days",
        "eligible_fraction",
        "ids",
        "overridden",
        "prorations",
        "raters",
        "sample",
        "stretch",
        "sums",
        "target",
        "tenure",
        "threshold",
        "weights",
    )

    def __init__(self, scheme: Scheme, layout: _Layout, n: int) -> None:
        self._scheme, self._layout = scheme, layout
        self.ids: list[str] = []
        self.actual: list[float] = []
        self.sample: list[int] = []
        self.threshold: list[float] = []
        self.target: list[float] = []
        self.stretch: list[float] = []
        self.overridden: list[bool] = []
        self.sums: list[float] = []
        self.raters: list[int] = []
        self.eligible_days = [math.nan] * n
        self.eligible_fraction = [1.0] * n
        self.tenure = [math.nan] * n
        self.prorations: list[Proration | None] = [None] * n
        self.weights: list[list[float] | None] = [None] * n

    def add(self, review: Review, i: int, cycle: Cycle | None) -> None:
        """Append the row of ``review``, the ``i``-th, refusing what the scheme does not have."""
        self.ids.append(review.subject.id)
        self._add_actuals(review)
        self._add_goals(review)
        self._add_assessments(review)
        if cycle is None and (review.fte_changes or review.leaves or review.goal_changes):
            raise ScoringError(
                f"review {review.key!r} records mid-cycle changes (FTE changes, leaves or goal "
                "changes), which are prorated over the cycle's days; pass cycle= (the "
                "review's Cycle) so they are applied rather than ignored"
            )
        if cycle is not None:
            days, frac, ten = _eligibility(
                cycle, review.subject.hire_date, review.subject.leave_date
            )
            self.eligible_days[i], self.eligible_fraction[i], self.tenure[i] = days, frac, ten
            if review.has_timeline:
                self._prorate(review, i, cycle)

    def _prorate(self, review: Review, i: int, cycle: Cycle) -> None:
        """Take the days worked, the FTE-weighted share, weights and targets from proration."""
        p = prorate(self._scheme, review, cycle)
        self.prorations[i] = p
        self.eligible_days[i] = p.worked_days
        self.eligible_fraction[i] = float(p.eligible_fraction)
        if p.weights_changed:
            self.weights[i] = [float(w) for _, w in p.weights]
        base = i * len(self._scheme.kpis)
        for kpi, target in p.targets:
            j = self._layout.kpi_index[kpi]
            self.target[base + j] = float(target)
            self.overridden[base + j] = True

    def weight_array(self) -> FloatArray | None:
        """Return the per-review nominal weights (N, K), None when no review changed one."""
        if all(w is None for w in self.weights):
            return None
        scheme_weights = self._scheme.nominal_weights()
        default = [scheme_weights[k] for k in self._scheme.kpi_keys]
        rows = [default if w is None else w for w in self.weights]
        return _readonly(np.array(rows, dtype=np.float64).reshape(len(rows), len(default)))

    def prorations_tuple(self) -> tuple[Proration | None, ...]:
        """Return each review's proration, or () when no review has one."""
        return () if all(p is None for p in self.prorations) else tuple(self.prorations)

    def _add_actuals(self, review: Review) -> None:
        base = len(self.actual)
        self.actual.extend(self._layout.blank_actuals)
        self.sample.extend(self._layout.blank_samples)
        kpi_index = self._layout.kpi_index
        for act in review.actuals:
            j = kpi_index.get(act.kpi)
            if j is None:
                scheme = self._scheme
                raise ScoringError(
                    f"review {review.key!r}: actual for KPI {act.kpi!r}, which is not in "
                    f"scheme {scheme.key!r}; the KPIs are {list(scheme.kpi_keys)}"
                )
            if act.value is not None:
                self.actual[base + j] = float(act.value)
            if act.sample_size is not None:
                self.sample[base + j] = act.sample_size

    def _add_goals(self, review: Review) -> None:
        """Append the scheme's bounds, replaced (and flagged) where an agreed goal differs."""
        base = len(self.threshold)
        d_th, d_tg, d_st = self._layout.default_lists
        th_l, tg_l, st_l, overridden = self.threshold, self.target, self.stretch, self.overridden
        th_l.extend(d_th)
        tg_l.extend(d_tg)
        st_l.extend(d_st)
        overridden.extend(self._layout.blank_overridden)
        kpi_index = self._layout.kpi_index
        for goal in review.goals:
            j = kpi_index.get(goal.kpi)
            if j is None:
                scheme = self._scheme
                raise ScoringError(
                    f"review {review.key!r}: goal for KPI {goal.kpi!r}, which is not in "
                    f"scheme {scheme.key!r}; the KPIs are {list(scheme.kpi_keys)}"
                )
            for col, value in zip(
                (th_l, tg_l, st_l), (goal.threshold, goal.target, goal.stretch), strict=True
            ):
                if value is not None and float(value) != col[base + j]:
                    col[base + j] = float(value)
                    overridden[base + j] = True

    def _add_assessments(self, review: Review) -> None:
        """Add each rating, on its criterion's scale, to the sum and count of its source."""
        base = len(self.sums)
        self.sums.extend(self._layout.blank_sums)
        self.raters.extend(self._layout.blank_raters)
        scheme, layout = self._scheme, self._layout
        ns = len(scheme.sources)
        for ass in review.assessments:
            q = layout.crit_index.get(ass.criterion)
            if q is None:
                raise ScoringError(
                    f"review {review.key!r}: assessment of criterion {ass.criterion!r}, "
                    f"which is not in scheme {scheme.key!r}; the criteria are "
                    f"{[c.key for c in scheme.criteria]}"
                )
            s = layout.src_index.get(ass.source)
            if s is None:
                raise ScoringError(
                    f"review {review.key!r}: assessment from source {ass.source.value!r}, "
                    f"which scheme {scheme.key!r} does not weigh; its sources are "
                    f"{[p.source.value for p in scheme.sources]}"
                )
            crit_scale = scheme.criteria[q].scale
            if ass.scale is None:
                if not crit_scale.contains(ass.rating):
                    raise ScoringError(
                        f"review {review.key!r}: rating {ass.rating!r} of "
                        f"{ass.criterion!r} by {ass.rater_id!r} is off the criterion's "
                        f"scale [{crit_scale.low:g}, {crit_scale.high:g}]"
                    )
                value = float(ass.rating)
            else:
                value = rescale_rating(ass.rating, ass.scale, crit_scale)
            self.sums[base + q * ns + s] += value
            self.raters[base + q * ns + s] += 1

    def kpi_arrays(self) -> FloatArray:
        """Return actuals and bounds as one read-only (4, N, K) array.

        Each of the four is an (N, K) C-ordered block of it: fewer, larger conversions.
        """
        n, k = len(self.ids), len(self._scheme.kpis)
        return _readonly(
            np.array(
                (self.actual, self.threshold, self.target, self.stretch), dtype=np.float64
            ).reshape(4, n, k)
        )

    def subject_arrays(self) -> FloatArray:
        """Return tenure, eligible fraction and eligible days as one read-only (3, N) array."""
        return _readonly(
            np.array(
                (self.tenure, self.eligible_fraction, self.eligible_days), dtype=np.float64
            ).reshape(3, len(self.ids))
        )

    def one_row_bounds(self) -> tuple[list[float], list[float], list[float]] | None:
        """Return the bounds as Python lists when there is one row (for :func:`_check_order`)."""
        return (self.threshold, self.target, self.stretch) if len(self.ids) == 1 else None

    def sample_size_array(self) -> IntArray:
        """Return the sample sizes as a read-only (N, K) array."""
        n, k = len(self.ids), len(self._scheme.kpis)
        return _readonly(np.array(self.sample, dtype=np.int64).reshape(n, k))

    def overridden_array(self) -> BoolArray:
        """Return where an agreed goal replaced a default, as a read-only (N, K) array."""
        n, k = len(self.ids), len(self._scheme.kpis)
        return _readonly(np.array(self.overridden, dtype=bool).reshape(n, k))

    def rating_arrays(self) -> tuple[FloatArray, IntArray]:
        """Return the mean rating and the raters per criterion and source, read-only (N, Q, S).

        The mean is NaN where nobody rated; it is the same division either way: on Python
        floats for a few cells, else on arrays.
        """
        sums, raters = self.sums, self.raters
        shape = (len(self.ids), len(self._scheme.criteria), len(self._scheme.sources))
        raters_a = np.array(raters, dtype=np.int64).reshape(shape)
        if len(sums) <= _FEW_CELLS:
            ratings_a = np.array(
                [t / c if c > 0 else math.nan for t, c in zip(sums, raters, strict=True)],
                dtype=np.float64,
            ).reshape(shape)
        else:
            sums_a = np.array(sums, dtype=np.float64).reshape(shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratings_a = np.where(raters_a > 0, sums_a / np.maximum(raters_a, 1), np.nan)
        return _readonly(ratings_a), _readonly(raters_a)


def _check_rater_ids(review: Review) -> None:
    """Refuse a rater rating the same criterion twice for one source (it would double count)."""
    seen: set[tuple[str, str, str]] = set()
    for ass in review.assessments:
        key = (ass.criterion, ass.source.value, ass.rater_id)
        if key in seen:
            raise ScoringError(
                f"review {review.key!r}: rater {ass.rater_id!r} rated criterion "
                f"{ass.criterion!r} as {ass.source.value!r} more than once; keep one rating"
            )
        seen.add(key)


def _column_order(
    scheme: Scheme,
    kpi_keys: Sequence[str] | None,
    actual: object,
) -> list[int] | None:
    """Return the column permutation from the caller's order to the scheme's (None = same)."""
    expected = scheme.kpi_keys
    if isinstance(actual, Mapping):
        return None
    if kpi_keys is None:
        return None
    given = tuple(kpi_keys)
    if sorted(given) != sorted(expected) or len(set(given)) != len(given):
        missing = sorted(set(expected) - set(given))
        extra = sorted(set(given) - set(expected))
        raise ScoringError(
            f"Population.from_arrays: kpi_keys {list(given)} do not match scheme "
            f"{scheme.key!r}: missing {missing}, unknown {extra}; expected {list(expected)}"
        )
    if given == expected:
        return None
    pos = {key: c for c, key in enumerate(given)}
    return [pos[key] for key in expected]


def _matrix(  # noqa: PLR0917 - private helper called positionally in one module
    name: str,
    value: object,
    scheme: Scheme,
    order: list[int] | None,
    n: int,
    dtype: type[np.float64] | type[np.int64],
) -> npt.NDArray[Any]:
    k = len(scheme.kpis)
    if isinstance(value, Mapping):
        keys = set(value)
        expected = set(scheme.kpi_keys)
        if keys != expected:
            raise ScoringError(
                f"Population.from_arrays: {name} columns {sorted(keys)} do not match scheme "
                f"{scheme.key!r}: missing {sorted(expected - keys)}, unknown "
                f"{sorted(keys - expected)}"
            )
        cols = [np.asarray(value[key], dtype=dtype) for key in scheme.kpi_keys]
        for key, c in zip(scheme.kpi_keys, cols, strict=True):
            if c.shape != (n,):
                raise ScoringError(
                    f"Population.from_arrays: {name} column {key!r} has shape {c.shape}; "
                    f"expected ({n},), one value per subject"
                )
        return _readonly(np.stack(cols, axis=1))
    try:
        m = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"Population.from_arrays: {name} is not numeric: {exc}") from None
    if m.shape != (n, k):
        raise ScoringError(
            f"Population.from_arrays: {name} has shape {m.shape}; expected ({n}, {k}): one row "
            f"per subject and one column per KPI {list(scheme.kpi_keys)}"
        )
    if order is not None:
        m = m[:, order]
    if m.flags.writeable and m.base is None and m is not value:
        m.flags.writeable = False
    return m


def _vector(name: str, value: npt.ArrayLike | None, n: int, default: float) -> FloatArray:
    if value is None:
        return np.broadcast_to(np.float64(default), (n,))
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"Population.from_arrays: {name} is not numeric: {exc}") from None
    if v.shape != (n,):
        raise ScoringError(
            f"Population.from_arrays: {name} has shape {v.shape}; expected ({n},), one value "
            "per subject"
        )
    return v


def _labels(name: str, value: Sequence[str | None] | None, n: int) -> tuple[str | None, ...]:
    if value is None:
        return (None,) * n
    out = tuple(None if v is None else str(v) for v in value)
    if len(out) != n:
        raise ScoringError(
            f"Population.from_arrays: {name} has {len(out)} entries for {n} subjects"
        )
    return out


def _qualitative(
    scheme: Scheme,
    ratings: npt.ArrayLike | None,
    raters: npt.ArrayLike | None,
    n: int,
    ids: Sequence[str],
) -> tuple[FloatArray, IntArray]:
    nq, ns = len(scheme.criteria), len(scheme.sources)
    shape = (n, nq, ns)
    if ratings is None and raters is None:
        return np.broadcast_to(np.float64(np.nan), shape), np.broadcast_to(np.int64(0), shape)
    if ratings is None or raters is None:
        raise ScoringError(
            "Population.from_arrays: give ratings and raters together (the mean rating per "
            "criterion and source, and how many raters it comes from)"
        )
    rt = np.asarray(ratings, dtype=np.float64)
    whole = _is_whole(raters)
    rc_raw = np.asarray(raters, dtype=np.int64 if whole else np.float64)
    for name, arr in (("ratings", rt), ("raters", rc_raw)):
        if arr.shape != shape:
            raise ScoringError(
                f"Population.from_arrays: {name} has shape {arr.shape}; expected {shape}: "
                f"subjects x criteria {[c.key for c in scheme.criteria]} x sources "
                f"{[s.key for s in scheme.sources]}"
            )
    with np.errstate(invalid="ignore"):
        rc = rc_raw.astype(np.int64, copy=False)
        # a fraction, NaN or infinity does not survive the cast
        bad = rc < 0 if whole else (rc != rc_raw) | (rc < 0)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise ScoringError(
            f"Population.from_arrays: raters of {ids[i]!r} hold a negative, fractional or NaN "
            "count; counts are whole numbers >= 0"
        )
    for q, crit in enumerate(scheme.criteria):
        col = rt[:, q, :]
        has = rc[:, q, :] > 0
        if _on_scale(col, has, crit.scale):
            continue
        with np.errstate(invalid="ignore"):
            off = has & ~((col >= crit.scale.low) & (col <= crit.scale.high))
        if off.any():
            i, s = np.argwhere(off)[0]
            raise ScoringError(
                f"Population.from_arrays: rating of {ids[i]!r} for criterion {crit.key!r} from "
                f"{scheme.sources[s].key!r} is {float(col[i, s])!r}; expected a rating on the "
                f"criterion's scale [{crit.scale.low:g}, {crit.scale.high:g}] where raters > 0"
            )
    if rc is not raters and rc.base is None:  # made here, not the caller's array
        rc.flags.writeable = False
    return rt, rc


def _on_scale(ratings: FloatArray, rated: BoolArray, scale: Scale) -> bool:
    """Whether every rated cell is on ``scale``, in two reductions (NaN fails: look closer)."""
    if not rated.any():
        return True
    low = float(np.min(ratings, where=rated, initial=math.inf))
    high = float(np.max(ratings, where=rated, initial=-math.inf))
    return scale.low <= low and high <= scale.high


def _is_whole(value: object) -> bool:
    """Whether ``value`` is an integer array that int64 holds exactly (no check for fractions)."""
    if not isinstance(value, np.ndarray):
        return False
    kind, size = value.dtype.kind, value.dtype.itemsize
    return bool(kind == "i" or (kind == "u" and size < 8))
