"""Strategies for the talent analytics: merit matrices and raises, the 9-box and readiness.

Settings (a merit matrix, a grid, a potential model, a readiness policy) are drawn directly;
results are made the way users get them, by running :func:`~perfmgmt.analytics.merit_increases`,
:func:`~perfmgmt.analytics.place`, :func:`~perfmgmt.analytics.movement` and
:func:`~perfmgmt.analytics.promotion_readiness` on drawn people, so every generated result is
one the library can really return (and store).
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from perfmgmt.analytics import (
    Box,
    BoxMovement,
    GridLevel,
    MeritComparison,
    MeritMatrix,
    MeritResult,
    MeritRow,
    NineBoxGrid,
    NineBoxPlacement,
    PotentialModel,
    ReadinessPolicy,
    ReadinessResult,
    compare_matrices,
    merit_increases,
    movement,
    place,
    promotion_readiness,
)
from perfmgmt.analytics.merit import MAX_BANDS
from perfmgmt.model.money import minor_units
from perfmgmt.strategies._model import criteria
from perfmgmt.strategies._values import _check_sizes, _make, _or_default, decimals, keys

__all__ = [
    "box_movements",
    "merit_comparisons",
    "merit_matrices",
    "merit_results",
    "nine_box_grids",
    "nine_box_placements",
    "potential_models",
    "readiness_policies",
    "readiness_results",
]

_RATINGS = ("A", "B", "C", "D")
_CURRENCIES = ("CNY", "USD", "JPY")


# -- merit -----------------------------------------------------------------------------------------


def _percents(n: int) -> st.SearchStrategy[list[Decimal]]:
    cell = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
    return st.lists(cell.map(lambda d: d + 0), min_size=n, max_size=n)


@st.composite
def _matrix(draw: st.DrawFn, ratings: tuple[str, ...], max_bands: int) -> MeritMatrix:
    edge = st.decimals(
        min_value=Decimal("0.0001"), max_value=Decimal("9.9999"), places=4, allow_nan=False
    )
    edges = sorted(draw(st.lists(edge, max_size=max_bands - 1, unique=True)))
    rows = [MeritRow(rating=r, percents=draw(_percents(len(edges) + 1))) for r in ratings]
    return _make(MeritMatrix, compa_edges=edges, rows=rows)


def _ratings() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(_RATINGS), min_size=1, max_size=4, unique=True).map(tuple)


def merit_matrices(*, max_bands: int = 4) -> st.SearchStrategy[MeritMatrix]:
    """Return a strategy for :class:`~perfmgmt.analytics.MeritMatrix`: 1-4 ratings (A-D).

    Edges are ascending compa-ratios in ``(0, 10)`` to 4 places; percents are 0 to 100 to the
    cent.

    Args:
        max_bands: Most compa-ratio bands, 1 to :data:`~perfmgmt.analytics.merit.MAX_BANDS`.
    """
    if not isinstance(max_bands, int) or not 1 <= max_bands <= MAX_BANDS:
        raise InvalidArgument(f"merit_matrices: max_bands={max_bands!r} must be 1 to {MAX_BANDS}")
    return _ratings().flatmap(lambda r: _matrix(r, max_bands))


@st.composite
def _people(
    draw: st.DrawFn, ratings: tuple[str, ...], min_size: int, max_size: int
) -> dict[str, object]:
    currency = draw(st.sampled_from(_CURRENCIES))
    places = minor_units(currency)
    subjects = draw(st.lists(keys(), min_size=min_size, max_size=max_size, unique=True))
    n = len(subjects)
    money = decimals(min_value=0, max_value=500_000, places=places)
    midpoint = decimals(min_value=1, max_value=500_000, places=places)
    return {
        "ratings": draw(st.lists(st.sampled_from(ratings), min_size=n, max_size=n)),
        "salaries": draw(st.lists(money, min_size=n, max_size=n)),
        "midpoints": draw(st.lists(midpoint, min_size=n, max_size=n)),
        "currency": currency,
        "subjects": subjects,
        "budget": draw(st.none() | decimals(min_value=0, max_value=100_000, places=places)),
    }


def _affordable(people: dict[str, object], *matrices: MeritMatrix) -> dict[str, object]:
    # A positive budget cannot be spread over base raises that are all zero: spend none then.
    if people["budget"] is not None:
        unscaled = dict(people, budget=None)
        if any(merit_increases(m, **unscaled).base_total == 0 for m in matrices):  # type: ignore[arg-type]
            return dict(people, budget=Decimal(0))
    return people


@st.composite
def _merit_result(
    draw: st.DrawFn, matrices: st.SearchStrategy[MeritMatrix], min_size: int, max_size: int
) -> MeritResult:
    matrix = draw(matrices)
    people = _affordable(draw(_people(matrix.ratings, min_size, max_size)), matrix)
    return merit_increases(matrix, **people)  # type: ignore[arg-type]


def merit_results(
    *,
    matrices: st.SearchStrategy[MeritMatrix] | None = None,
    min_size: int = 0,
    max_size: int = 5,
) -> st.SearchStrategy[MeritResult]:
    """Return a strategy for :class:`~perfmgmt.analytics.MeritResult`: a matrix applied.

    The people have unique ids, a currency among CNY, USD and JPY, salaries and midpoints to
    the currency's minor unit, and a budget or none.

    Args:
        matrices: Strategy for the matrix; :func:`merit_matrices` by default.
        min_size: Fewest people.
        max_size: Most people.
    """
    _check_sizes("merit_results", min_size, max_size)
    return _merit_result(_or_default("matrices", matrices, merit_matrices()), min_size, max_size)


@st.composite
def _comparison(draw: st.DrawFn, min_size: int, max_size: int) -> MeritComparison:
    ratings = draw(_ratings())
    before, after = draw(_matrix(ratings, 4)), draw(_matrix(ratings, 4))
    people = _affordable(draw(_people(ratings, min_size, max_size)), before, after)
    return compare_matrices(before, after, **people)  # type: ignore[arg-type]


def merit_comparisons(
    *, min_size: int = 0, max_size: int = 5
) -> st.SearchStrategy[MeritComparison]:
    """Return a strategy for :class:`~perfmgmt.analytics.MeritComparison`: one team, two matrices.

    Args:
        min_size: Fewest people.
        max_size: Most people.
    """
    _check_sizes("merit_comparisons", min_size, max_size)
    return _comparison(min_size, max_size)


# -- the 9-box -------------------------------------------------------------------------------------


def potential_models(*, max_criteria: int = 3) -> st.SearchStrategy[PotentialModel]:
    """Return a strategy for :class:`~perfmgmt.analytics.PotentialModel` on one shared scale.

    Args:
        max_criteria: Most potential criteria (>= 1).
    """
    _check_sizes("potential_models", 1, max_criteria, minimum=1)
    return criteria(max_size=max_criteria).map(
        lambda cs: PotentialModel(criteria=[attrs.evolve(c, scale=cs[0].scale) for c in cs])
    )


def _cuts() -> st.SearchStrategy[tuple[Decimal, Decimal]]:
    cut = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)
    return st.lists(cut.map(lambda d: d + 0), min_size=2, max_size=2, unique=True).map(
        lambda c: (min(c), max(c))
    )


@st.composite
def _grid(draw: st.DrawFn) -> NineBoxGrid:
    if draw(st.booleans()):
        return NineBoxGrid(potential_cuts=draw(_cuts()), performance_cuts=draw(_cuts()))
    ratings = list(draw(st.permutations(_RATINGS)))
    a, b = sorted(draw(st.lists(st.integers(0, 4), min_size=2, max_size=2)))
    levels = (tuple(ratings[:a]), tuple(ratings[a:b]), tuple(ratings[b:]))
    return _make(NineBoxGrid, potential_cuts=draw(_cuts()), rating_levels=levels)


def nine_box_grids() -> st.SearchStrategy[NineBoxGrid]:
    """Return a strategy for :class:`~perfmgmt.analytics.NineBoxGrid`: score cuts or ratings."""
    return _grid()


@st.composite
def _placement(
    draw: st.DrawFn,
    grids: st.SearchStrategy[NineBoxGrid],
    subjects: st.SearchStrategy[list[str]],
) -> NineBoxPlacement:
    grid = draw(grids)
    ids = draw(subjects)
    n = len(ids)
    value = st.decimals(min_value=-1500, max_value=1500, places=1, allow_nan=False)
    if grid.rating_levels is None:
        performance: list[object] = draw(st.lists(st.none() | value, min_size=n, max_size=n))
    else:
        known = [r for level in grid.rating_levels for r in level]
        performance = draw(st.lists(st.none() | st.sampled_from(known), min_size=n, max_size=n))
    potential = draw(st.lists(st.none() | value, min_size=n, max_size=n))
    return place(grid, performance=performance, potential=potential, subjects=ids)


def _ids(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(keys(max_size=4), min_size=min_size, max_size=max_size, unique=True)


def nine_box_placements(
    *,
    grids: st.SearchStrategy[NineBoxGrid] | None = None,
    min_size: int = 0,
    max_size: int = 6,
) -> st.SearchStrategy[NineBoxPlacement]:
    """Return a strategy for :class:`~perfmgmt.analytics.NineBoxPlacement`: people placed.

    Scores, ratings and potentials are drawn around the grid's cut-offs, some not assessed.

    Args:
        grids: Strategy for the grid; :func:`nine_box_grids` by default.
        min_size: Fewest people.
        max_size: Most people.
    """
    _check_sizes("nine_box_placements", min_size, max_size)
    return _placement(_or_default("grids", grids, nine_box_grids()), _ids(min_size, max_size))


@st.composite
def _movement(draw: st.DrawFn) -> BoxMovement:
    ids = draw(_ids(0, 6))
    before = draw(_placement(nine_box_grids(), st.just(ids)))
    after = draw(_placement(nine_box_grids(), st.permutations(ids).map(list)))
    return movement(before, after)


def box_movements() -> st.SearchStrategy[BoxMovement]:
    """Return a strategy for :class:`~perfmgmt.analytics.BoxMovement` between two cycles."""
    return _movement()


def _boxes() -> st.SearchStrategy[tuple[Box, ...]]:
    return st.lists(st.sampled_from(Box), max_size=3, unique=True).map(tuple)


def readiness_policies() -> st.SearchStrategy[ReadinessPolicy]:
    """Return a strategy for :class:`~perfmgmt.analytics.ReadinessPolicy`."""
    return st.builds(
        _make,
        st.just(ReadinessPolicy),
        ready_now=_boxes(),
        ready_soon=_boxes(),
        streak_ratings=st.lists(st.sampled_from(_RATINGS), max_size=2, unique=True),
        streak_cycles=st.integers(0, 3),
        streak_min_potential=st.sampled_from(GridLevel),
    )


@st.composite
def _readiness(draw: st.DrawFn, policies: st.SearchStrategy[ReadinessPolicy]) -> ReadinessResult:
    placement = draw(nine_box_placements())
    n = len(placement)
    rating = st.none() | st.sampled_from(_RATINGS)
    history = draw(st.none() | st.lists(st.lists(rating, max_size=3), min_size=n, max_size=n))
    return promotion_readiness(draw(policies), placement, history=history)


def readiness_results(
    *, policies: st.SearchStrategy[ReadinessPolicy] | None = None
) -> st.SearchStrategy[ReadinessResult]:
    """Return a strategy for :class:`~perfmgmt.analytics.ReadinessResult` with or without history.

    Args:
        policies: Strategy for the policy; :func:`readiness_policies` by default.
    """
    return _readiness(_or_default("policies", policies, readiness_policies()))
