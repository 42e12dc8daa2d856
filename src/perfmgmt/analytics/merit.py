"""Merit matrix: rating x position in the pay range -> raise, scaled exactly to a merit budget.

A :class:`MeritMatrix` gives a raise percent for each rating and each **compa-ratio band**
(compa-ratio = salary / the midpoint of the person's pay range). :func:`merit_increases`
applies it to a population, exactly:

1. the compa-ratio ``salary / midpoint`` is compared with the band edges as exact fractions of
   whole minor units; a compa-ratio exactly on an edge belongs to the band **above** the edge
   (bands are ``[edge, next edge)``, as rating bands are);
2. the **base raise** is ``salary x percent / 100``, rounded once, half to even, to the minor
   unit (the same rounding as a percent bonus line);
3. with a ``budget``, the base raises are scaled by ``budget / sum of base raises`` with the
   largest-remainder method of the bonus pool: each raise is the floor of its exact share,
   and the cents still missing go one each to the largest remainders (ties to the earlier
   person), so the raises add up to the budget **exactly**, to the cent. Unlike the bonus
   pool, a merit budget is spent in full, so the factor may be above 1.

:func:`compare_matrices` is the what-if: the same people under two matrices, with the cost and
every person's raise under each. Every raise explains itself (:meth:`MeritResult.explain`).

Limits: at most :data:`MAX_BANDS` compa-ratio bands with edges in ``(0, 10)`` given to at most
4 decimal places; percents from 0 to 100 to at most 6 decimal places; salaries and midpoints
are Decimal money within :data:`~perfmgmt.model.money.MAX_MINOR_UNITS`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, ClassVar, Literal

import attrs
import numpy as np

from perfmgmt._allocate import INT64_SAFE, largest_remainder
from perfmgmt._typing import IntArray
from perfmgmt._validate import fail, non_empty, show, to_tuple, tuple_of
from perfmgmt._words import talent_words
from perfmgmt.analytics._stored import (
    check_column,
    check_recomputed,
    fields_of,
    refuse,
    stored_call,
)
from perfmgmt.errors import ValidationError
from perfmgmt.model.money import (
    MAX_MINOR_UNITS,
    check_currency,
    check_money_range,
    from_minor,
    minor_units,
    to_minor,
)
from perfmgmt.rules.payout import prorate_minor

__all__ = [
    "MAX_BANDS",
    "MeritComparison",
    "MeritMatrix",
    "MeritResult",
    "MeritRow",
    "compare_matrices",
    "merit_increases",
]

MAX_BANDS = 10
"""The most compa-ratio bands a matrix may have (so at most nine edges)."""

_EDGE_PLACES = 4
_PERCENT_PLACES = 6
_MAX_EDGE = Decimal(10)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked first
    return max(0, -exponent)


def _check_edges(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(Decimal)(instance, attribute, value)
    assert isinstance(value, tuple)
    if len(value) > MAX_BANDS - 1:
        fail(instance, attribute, value, f"expected at most {MAX_BANDS - 1} edges")
    for edge in value:
        if not edge.is_finite() or not 0 < edge < _MAX_EDGE or _places(edge) > _EDGE_PLACES:
            fail(
                instance,
                attribute,
                edge,
                f"each edge is a compa-ratio above 0 and below {_MAX_EDGE} with at most "
                f"{_EDGE_PLACES} decimal places, e.g. Decimal('0.90')",
            )
    if any(b <= a for a, b in itertools.pairwise(value)):
        fail(instance, attribute, value, "edges must be strictly ascending")


def _check_percents(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(Decimal)(instance, attribute, value)
    assert isinstance(value, tuple)
    if not 1 <= len(value) <= MAX_BANDS:
        fail(instance, attribute, value, f"expected 1 to {MAX_BANDS} percents, one per band")
    for pct in value:
        if not pct.is_finite() or not 0 <= pct <= 100 or _places(pct) > _PERCENT_PLACES:
            fail(
                instance,
                attribute,
                pct,
                f"each percent is a Decimal from 0 to 100 with at most {_PERCENT_PLACES} "
                "decimal places, e.g. Decimal('3.5')",
            )


@attrs.frozen(kw_only=True)
class MeritRow:
    """One rating's row of a merit matrix.

    Attributes:
        rating: The rating label, e.g. ``"A"``.
        percents: The raise percent in each compa-ratio band, lowest band first (Decimals
            from 0 to 100, e.g. ``Decimal("4.5")`` for 4.5 %).
    """

    rating: str = attrs.field(validator=non_empty)
    percents: tuple[Decimal, ...] = attrs.field(converter=to_tuple, validator=_check_percents)


def _check_rows(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(MeritRow)(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        fail(instance, attribute, value, "expected at least one row")
    seen: set[str] = set()
    for row in value:
        if row.rating in seen:
            fail(instance, attribute, row.rating, "each rating has one row; this one repeats")
        seen.add(row.rating)


@attrs.frozen(kw_only=True)
class MeritMatrix:
    """Raise percents by rating and compa-ratio band.

    With edges ``(e1, ..., ek)`` there are ``k + 1`` bands: ``[0, e1)``, ``[e1, e2)``, ...,
    ``[ek, inf)``. A compa-ratio exactly on an edge belongs to the band above it.

    Attributes:
        compa_edges: Ascending compa-ratio edges between the bands, e.g.
            ``(Decimal("0.90"), Decimal("1.10"))`` for three bands.
        rows: One row per rating, each with one percent per band.
    """

    compa_edges: tuple[Decimal, ...] = attrs.field(converter=to_tuple, validator=_check_edges)
    rows: tuple[MeritRow, ...] = attrs.field(converter=to_tuple, validator=_check_rows)

    def __attrs_post_init__(self) -> None:
        bands = len(self.compa_edges) + 1
        for i, row in enumerate(self.rows):
            if len(row.percents) != bands:
                raise ValidationError(
                    f"MeritMatrix.rows[{i}].percents: rating {row.rating!r} has "
                    f"{len(row.percents)} cell(s) but compa_edges make {bands} band(s); "
                    f"allowed: exactly {bands}, one per band {list(self.band_labels)}",
                    field="percents",
                    value=row.percents,
                )

    @property
    def ratings(self) -> tuple[str, ...]:
        """The ratings with a row, in row order."""
        return tuple(r.rating for r in self.rows)

    @property
    def band_labels(self) -> tuple[str, ...]:
        """A label per band, e.g. ``("< 0.90", "[0.90, 1.10)", ">= 1.10")``."""
        e = self.compa_edges
        if not e:
            return ("all",)
        inner = tuple(f"[{a}, {b})" for a, b in itertools.pairwise(e))
        return (f"< {e[0]}", *inner, f">= {e[-1]}")

    def percent(self, rating: str, band: int) -> Decimal:
        """Return the raise percent of ``rating`` in band number ``band`` (0 = lowest).

        Raises:
            ValidationError: No row for ``rating``, or no such band.
        """
        for row in self.rows:
            if row.rating == rating:
                if not 0 <= band < len(row.percents):
                    raise ValidationError(
                        f"band: {show(band)} is not allowed; expected 0 to {len(row.percents) - 1}",
                        field="band",
                        value=band,
                    )
                return row.percents[band]
        raise ValidationError(
            f"rating: {show(rating)} has no row in the merit matrix; allowed: {list(self.ratings)}",
            field="rating",
            value=rating,
        )


# -- applying a matrix -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class MeritResult:
    """A merit matrix applied to a population: one raise per person, in minor units.

    Attributes:
        matrix: The matrix applied.
        currency: ISO 4217 code of every amount.
        subjects: One id per person.
        ratings: Each person's rating.
        salary: int64 ``(N,)`` salaries in minor units.
        midpoint: int64 ``(N,)`` range midpoints in minor units.
        band: int64 ``(N,)`` compa-ratio band of each person (0 = lowest).
        percent: Each person's matrix cell, in percent.
        base: int64 ``(N,)`` base raises (salary x percent / 100, rounded half to even).
        final: int64 ``(N,)`` raises after scaling to the budget (``base`` without one).
        budget: The merit budget, or None.
    """

    matrix: MeritMatrix
    currency: str
    subjects: tuple[str, ...]
    ratings: tuple[str, ...]
    salary: IntArray
    midpoint: IntArray
    band: IntArray
    percent: tuple[Decimal, ...]
    base: IntArray
    final: IntArray
    budget: Decimal | None

    # The stored form (MeritResultDocument, below): loading checks that every raise recomputes.
    __document_type__: ClassVar[type]

    def __len__(self) -> int:
        return len(self.subjects)

    def __to_document__(self) -> MeritResultDocument:
        """Return the stored form: the same fields, written as they are."""
        return MeritResultDocument(**fields_of(self, MeritResultDocument))

    @classmethod
    def __from_document__(cls, doc: MeritResultDocument) -> MeritResult:
        """Rebuild a stored result once its columns match and every raise recomputes."""
        _check_stored(doc)
        return cls(**fields_of(doc, MeritResultDocument))

    @property
    def base_total(self) -> Decimal:
        """The sum of the base raises (the cost of the matrix before the budget)."""
        return from_minor(sum(self.base.tolist()), self.currency)

    @property
    def total(self) -> Decimal:
        """The sum of the final raises: the budget exactly, when one was given."""
        return from_minor(sum(self.final.tolist()), self.currency)

    @property
    def factor(self) -> Fraction:
        """The exact scaling factor ``budget / base total`` (1 without a budget)."""
        base = sum(self.base.tolist())
        if self.budget is None or base == 0:
            return Fraction(1)
        return Fraction(to_minor(self.budget, self.currency), base)

    def compa_ratio(self, i: int) -> Fraction:
        """Return person ``i``'s exact compa-ratio, salary / midpoint."""
        return Fraction(int(self.salary[i]), int(self.midpoint[i]))

    def amount(self, i: int) -> Decimal:
        """Return person ``i``'s final raise as a Decimal."""
        return from_minor(int(self.final[i]), self.currency)

    def amounts(self) -> tuple[Decimal, ...]:
        """Return every person's final raise as a Decimal."""
        return tuple(from_minor(v, self.currency) for v in self.final.tolist())

    def rows(self) -> list[dict[str, object]]:
        """Return one plain dict per person (for a table or a frame)."""
        labels = self.matrix.band_labels
        return [
            {
                "subject": self.subjects[i],
                "rating": self.ratings[i],
                "salary": from_minor(int(self.salary[i]), self.currency),
                "compa_ratio": self.compa_ratio(i),
                "band": labels[int(self.band[i])],
                "percent": self.percent[i],
                "base": from_minor(int(self.base[i]), self.currency),
                "raise": self.amount(i),
            }
            for i in range(len(self.subjects))
        ]

    def explain(self, i: int, lang: Literal["en", "zh"] = "en") -> str:
        """Explain person ``i``'s raise: the matrix cell, base raise, scaling and final amount.

        Every number shown recomputes the next: ``base = salary x percent / 100``, then
        ``base x factor`` whose floor, plus one cent when its remainder was among the largest,
        is the raise.
        """
        w = talent_words(lang)
        cur = self.currency
        money = {
            "salary": from_minor(int(self.salary[i]), cur),
            "midpoint": from_minor(int(self.midpoint[i]), cur),
            "base": from_minor(int(self.base[i]), cur),
            "final": self.amount(i),
        }
        shown = _shown(self.compa_ratio(i), 4)
        text = w["merit.person"].format(
            subject=self.subjects[i],
            rating=self.ratings[i],
            currency=cur,
            compa=shown,
            band=self.matrix.band_labels[int(self.band[i])],
            percent=self.percent[i],
            **money,
        )
        if self.budget is None:
            return text + w["merit.unscaled"].format(final=money["final"], currency=cur)
        factor = self.factor
        share = Fraction(int(self.base[i])) * factor
        places = minor_units(cur)
        exact_share = _shown(share / 10**places, places + 4)
        if share.denominator == 1:
            rounding = "merit.exact"
        elif int(self.final[i]) > share.numerator // share.denominator:
            rounding = "merit.up"
        else:
            rounding = "merit.down"
        return text + w["merit.scaled"].format(
            budget=self.total,
            base_total=self.base_total,
            factor=_shown(factor, 6),
            base=money["base"],
            share=exact_share,
            rounding=w[rounding],
            final=money["final"],
            currency=cur,
        )


def _shown(value: Fraction, places: int) -> str:
    """Show ``value`` to ``places`` decimals (half to even), marked ``~`` when not exact."""
    q = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN
    )
    return f"{q}" if Fraction(q) == value else f"~{q}"


def _minor(value: Decimal, currency: str, places: int, what: str) -> int:
    """Return a finite Decimal in minor units, refusing amounts past the money limit."""
    if value.adjusted() < 18:  # small enough to scale without a huge integer
        scaled = value.scaleb(places)
        if scaled == scaled.to_integral_value():  # whole minor units: no rounding to do
            minor = int(scaled)
            if minor <= MAX_MINOR_UNITS:
                return minor
    check_money_range(value, currency, what)
    return to_minor(value, currency)


def _money_column(
    values: Sequence[Decimal], field: str, currency: str, *, positive: bool
) -> IntArray:
    """Return Decimal money in minor units, checking each value; each distinct one once."""
    out = np.empty(len(values), dtype=np.int64)
    allowed = "a Decimal above 0" if positive else "a Decimal >= 0"
    seen: dict[Decimal, int] = {}
    places = minor_units(currency)
    for i, value in enumerate(values):
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise ValidationError(
                f"{field}[{i}]: {show(value)} is not allowed; allowed: {allowed} in "
                f"{currency} (floats are not exact money)",
                field=field,
                value=value,
            )
        minor = seen.get(value)
        if minor is None:
            minor = seen[value] = _minor(value, currency, places, f"{field}[{i}]")
        if positive and minor == 0:
            raise ValidationError(
                f"{field}[{i}]: {value} is not allowed; allowed: {allowed} of at least one "
                f"minor unit of {currency}",
                field=field,
                value=value,
            )
        out[i] = minor
    return out


def _bands(salary: IntArray, midpoint: IntArray, edges: tuple[Decimal, ...]) -> IntArray:
    """Return each person's band: the number of edges with ``salary / midpoint >= edge``."""
    band = np.zeros(salary.shape, dtype=np.int64)
    for edge in edges:
        e = Fraction(edge)
        top = max(
            int(salary.max(initial=0)) * e.denominator, int(midpoint.max(initial=0)) * e.numerator
        )
        if top < INT64_SAFE:
            band += salary * e.denominator >= midpoint * e.numerator
        else:  # exact Python integers past int64
            band += np.array(
                [
                    s * e.denominator >= m * e.numerator
                    for s, m in zip(salary.tolist(), midpoint.tolist(), strict=True)
                ],
                dtype=np.int64,
            )
    return band


def _check_lengths(n: int, **columns: Sequence[object]) -> None:
    for name, column in columns.items():
        if len(column) != n:
            raise ValidationError(
                f"{name}: {len(column)} values for {n} ratings; allowed: one per person",
                field=name,
                value=len(column),
            )


def merit_increases(
    matrix: MeritMatrix,
    *,
    ratings: Sequence[str],
    salaries: Sequence[Decimal],
    midpoints: Sequence[Decimal],
    currency: str,
    budget: Decimal | None = None,
    subjects: Sequence[str] | None = None,
) -> MeritResult:
    """Apply a merit matrix to a population, scaled exactly to a budget when one is given.

    Args:
        matrix: The merit matrix.
        ratings: Each person's rating; every one must have a row in ``matrix``.
        salaries: Each person's salary, a Decimal >= 0 in ``currency``.
        midpoints: The midpoint of each person's pay range, a Decimal above 0.
        currency: ISO 4217 code of the money.
        budget: The merit budget (a Decimal >= 0): the raises add up to it exactly. None
            pays the base raises as they are.
        subjects: One id per person; by default ``"0"``, ``"1"``, ...

    Returns:
        The raises, with their explanations.

    Raises:
        ValidationError: A rating without a row, a negative salary, money that is not a
            Decimal, columns of different lengths, or a positive budget for base raises that
            are all zero.
    """
    check_currency(currency)
    n = len(ratings)
    ids = tuple(str(i) for i in range(n)) if subjects is None else tuple(subjects)
    _check_lengths(n, salaries=salaries, midpoints=midpoints, subjects=ids)
    rows = {row.rating: k for k, row in enumerate(matrix.rows)}
    row_of = np.empty(n, dtype=np.int64)
    for i, rating in enumerate(ratings):
        k = rows.get(rating) if isinstance(rating, str) else None
        if k is None:
            raise ValidationError(
                f"ratings[{i}]: {show(rating)} has no row in the merit matrix; allowed: "
                f"{list(matrix.ratings)}",
                field="ratings",
                value=rating,
            )
        row_of[i] = k
    salary = _money_column(salaries, "salaries", currency, positive=False)
    midpoint = _money_column(midpoints, "midpoints", currency, positive=True)
    band = _bands(salary, midpoint, matrix.compa_edges)
    # the cells as exact fractions percent / 100, looked up for everyone at once
    cells = [[Fraction(p) / 100 for p in row.percents] for row in matrix.rows]
    num = np.array([[c.numerator for c in row] for row in cells], dtype=np.int64)
    den = np.array([[c.denominator for c in row] for row in cells], dtype=np.int64)
    base = prorate_minor(salary, num[row_of, band], den[row_of, band])
    final = base
    if budget is not None:
        final = _to_budget(base, budget, currency)
    percent = tuple(
        matrix.rows[r].percents[b] for r, b in zip(row_of.tolist(), band.tolist(), strict=True)
    )
    return MeritResult(
        matrix=matrix,
        currency=currency,
        subjects=ids,
        ratings=tuple(ratings),
        salary=salary,
        midpoint=midpoint,
        band=band,
        percent=percent,
        base=base,
        final=final,
        budget=budget,
    )


def _to_budget(base: IntArray, budget: Decimal, currency: str) -> IntArray:
    if not isinstance(budget, Decimal) or not budget.is_finite() or budget < 0:
        raise ValidationError(
            f"budget: {show(budget)} is not allowed; allowed: a Decimal >= 0 in {currency}",
            field="budget",
            value=budget,
        )
    check_money_range(budget, currency, "budget")
    budget_minor = to_minor(budget, currency)
    base_sum = sum(base.tolist())
    if base_sum == 0:
        if budget_minor:
            raise ValidationError(
                f"budget: {budget} {currency} cannot be spread over base raises that are all "
                "zero; allowed: a budget of 0, or a matrix with a positive cell for someone",
                field="budget",
                value=budget,
            )
        return np.zeros(base.shape, dtype=np.int64)
    return largest_remainder(base, budget_minor, base_sum)


# -- what-if ---------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class MeritComparison:
    """The same people under two merit matrices.

    Attributes:
        before: The raises under the current matrix.
        after: The raises under the proposed matrix.
    """

    before: MeritResult
    after: MeritResult

    # The stored form (MeritComparisonDocument, below): loading checks both sides are one team.
    __document_type__: ClassVar[type]

    def __to_document__(self) -> MeritComparisonDocument:
        """Return the stored form: both results."""
        return MeritComparisonDocument(before=self.before, after=self.after)

    @classmethod
    def __from_document__(cls, doc: MeritComparisonDocument) -> MeritComparison:
        """Rebuild a stored comparison once both results are of the same people."""
        _check_same_people(doc.before, doc.after)
        return cls(before=doc.before, after=doc.after)

    @property
    def difference(self) -> IntArray:
        """int64 ``(N,)``: each person's raise after minus before, in minor units."""
        return self.after.final - self.before.final

    @property
    def cost_change(self) -> Decimal:
        """How much more the proposed matrix costs before any budget (base raises)."""
        return self.after.base_total - self.before.base_total

    def changed(self) -> tuple[str, ...]:
        """Return the ids of the people whose raise changes."""
        return tuple(self.before.subjects[i] for i in np.flatnonzero(self.difference).tolist())

    def rows(self) -> list[dict[str, object]]:
        """Return one plain dict per person: rating, band, cell and raise before and after."""
        b, a, cur = self.before, self.after, self.before.currency
        return [
            {
                "subject": b.subjects[i],
                "rating": b.ratings[i],
                "percent_before": b.percent[i],
                "percent_after": a.percent[i],
                "raise_before": b.amount(i),
                "raise_after": a.amount(i),
                "difference": from_minor(int(self.difference[i]), cur),
            }
            for i in range(len(b))
        ]


def compare_matrices(
    before: MeritMatrix,
    after: MeritMatrix,
    *,
    ratings: Sequence[str],
    salaries: Sequence[Decimal],
    midpoints: Sequence[Decimal],
    currency: str,
    budget: Decimal | None = None,
    subjects: Sequence[str] | None = None,
) -> MeritComparison:
    """Apply two merit matrices to the same people: the what-if of changing the matrix.

    Without a budget the comparison shows what the change costs; with one both spend the
    budget exactly and the comparison shows who gains and who loses.

    Args:
        before: The current matrix.
        after: The proposed matrix.
        ratings: As for :func:`merit_increases`.
        salaries: As for :func:`merit_increases`.
        midpoints: As for :func:`merit_increases`.
        currency: As for :func:`merit_increases`.
        budget: As for :func:`merit_increases`.
        subjects: As for :func:`merit_increases`.

    Returns:
        Both results.
    """
    kwargs: dict[str, Any] = {
        "ratings": ratings,
        "salaries": salaries,
        "midpoints": midpoints,
        "currency": currency,
        "budget": budget,
        "subjects": subjects,
    }
    return MeritComparison(
        before=merit_increases(before, **kwargs), after=merit_increases(after, **kwargs)
    )


# -- the stored forms ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class MeritResultDocument:
    """The stored form of :class:`MeritResult`: its fields, checked as a whole on load.

    Written and read by :mod:`perfmgmt.serialization` in place of the result. Loading refuses
    a document whose columns are not one value per person, whose money is out of range, or
    whose bands, percents, base raises or final raises differ from what the stored matrix,
    salaries, midpoints and budget give: a stored raise is an audit record, never edited.
    """

    matrix: MeritMatrix
    currency: str
    subjects: tuple[str, ...]
    ratings: tuple[str, ...]
    salary: IntArray
    midpoint: IntArray
    band: IntArray
    percent: tuple[Decimal, ...]
    base: IntArray
    final: IntArray
    budget: Decimal | None


@attrs.frozen(kw_only=True, eq=False)
class MeritComparisonDocument:
    """The stored form of :class:`MeritComparison`: both results, of the same people."""

    before: MeritResult
    after: MeritResult


MeritResult.__document_type__ = MeritResultDocument
MeritComparison.__document_type__ = MeritComparisonDocument


def _check_stored(doc: MeritResultDocument) -> None:
    """Refuse a stored merit result that is not whole or does not recompute."""
    n, cur = len(doc.subjects), doc.currency
    for name in ("ratings", "salary", "midpoint", "band", "percent", "base", "final"):
        check_column(name, getattr(doc, name), n)
    stored_call("currency", lambda: check_currency(cur))
    for name, low in (("salary", 0), ("midpoint", 1)):
        column: IntArray = getattr(doc, name)
        bad = np.flatnonzero((column < low) | (column > MAX_MINOR_UNITS)).tolist()
        if bad:
            raise refuse(
                f"{name}[{bad[0]}]",
                f"{int(column[bad[0]])} minor units of {cur} is not allowed; allowed: whole "
                f"minor units from {low} to {MAX_MINOR_UNITS:.0e}",
            )
    for i, rating in enumerate(doc.ratings):
        if rating not in doc.matrix.ratings:
            raise refuse(
                f"ratings[{i}]",
                f"{show(rating)} has no row in the stored matrix; allowed: "
                f"{list(doc.matrix.ratings)}",
            )
    again = stored_call(
        "budget",
        lambda: merit_increases(
            doc.matrix,
            ratings=doc.ratings,
            salaries=[from_minor(x, cur) for x in doc.salary.tolist()],
            midpoints=[from_minor(x, cur) for x in doc.midpoint.tolist()],
            currency=cur,
            budget=doc.budget,
            subjects=doc.subjects,
        ),
    )

    def money(minor: object) -> str:
        return f"{from_minor(minor, cur)} {cur}"  # type: ignore[arg-type]  # stored ints

    # The message names every stored field a raise is computed from: any one may be the edit.
    why = (
        "the stored matrix (compa_edges and rows of percents), ratings, salary, midpoint, "
        "currency and budget"
    )
    check_recomputed("band", doc.band.tolist(), again.band.tolist(), why=why)
    check_recomputed("percent", doc.percent, again.percent, why=why)
    check_recomputed("base", doc.base.tolist(), again.base.tolist(), shown=money, why=why)
    check_recomputed("final", doc.final.tolist(), again.final.tolist(), shown=money, why=why)


def _check_same_people(before: MeritResult, after: MeritResult) -> None:
    """Refuse a stored comparison whose two sides are not the same people and money."""
    for name in ("currency", "subjects", "ratings", "budget"):
        a, b = getattr(after, name), getattr(before, name)
        if a != b:
            raise refuse(
                f"after.{name}",
                f"{show(a)} is not allowed; allowed: {show(b)}, as before (a comparison "
                "applies two matrices to the same people)",
            )
    for name in ("salary", "midpoint"):
        if not np.array_equal(getattr(after, name), getattr(before, name)):
            raise refuse(
                f"after.{name}",
                f"{getattr(after, name).tolist()} is not allowed; allowed: the same as before "
                "(a comparison applies two matrices to the same people)",
            )
