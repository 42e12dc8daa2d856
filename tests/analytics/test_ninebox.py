"""Tests of perfmgmt.analytics.ninebox: potential, exact box boundaries, movement, readiness."""

from __future__ import annotations

import collections
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _stored import same_fields
from analytics_schemes import clean_scheme, population
from perfmgmt import strategies as pst
from perfmgmt.analytics import (
    Box,
    BoxMovement,
    GridLevel,
    NineBoxGrid,
    NineBoxPlacement,
    PotentialModel,
    Readiness,
    ReadinessPolicy,
    ReadinessResult,
    movement,
    place,
    potentials,
    promotion_readiness,
)
from perfmgmt.analytics.ninebox import exact_value
from perfmgmt.errors import SerializationError, ValidationError
from perfmgmt.model import Assessment, AssessmentSource, Label, QualitativeCriterion, Scale
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps, json_schema, loads

D = Decimal
GRID = NineBoxGrid(performance_cuts=(D(80), D(100)), potential_cuts=(D("2.5"), D("3.7")))
RATED = NineBoxGrid(rating_levels=(("D", "C"), ("B",), ("A",)), potential_cuts=(D(2), D(4)))
MODEL = PotentialModel(
    criteria=(
        QualitativeCriterion(key="agility", label=Label(en="Learning agility"), weight=0.3),
        QualitativeCriterion(key="aspiration", label=Label(en="Aspiration"), weight=0.7),
    )
)


def rate(criterion: str, rating: float, rater: str = "m1") -> Assessment:
    """A manager's assessment of one potential criterion."""
    return Assessment(
        criterion=criterion, source=AssessmentSource.MANAGER, rater_id=rater, rating=rating
    )


def ref_level(value: Fraction, cuts: tuple[Decimal, ...]) -> int:
    """The level of an exact value: how many cuts are at or below it."""
    return sum(value >= Fraction(c) for c in cuts)


class TestBoxes:
    def test_index_is_three_times_potential_plus_performance(self) -> None:
        """Every box sits at 3 x potential + performance and back."""
        for box in Box:
            assert Box.at(box.performance, box.potential) is box
            assert box.index == 3 * box.potential.index + box.performance.index
        assert Box.at(GridLevel.HIGH, GridLevel.HIGH) is Box.STAR
        assert Box.at(GridLevel.LOW, GridLevel.HIGH) is Box.ROUGH_DIAMOND

    def test_every_box_has_english_and_chinese_names(self) -> None:
        """Each box and readiness status is named in both languages."""
        assert Box.STAR.label() == "Star"
        assert Box.STAR.label("zh") == "明星"
        assert all(b.label("zh") and b.label("en") != b.label("zh") for b in Box)
        assert all(r.label("zh") for r in Readiness)


class TestPotential:
    def test_weighted_mean_is_exact(self) -> None:
        """0.3 x 3 + 0.7 x 4 is exactly 3.7 and lands on a 3.7 cut-off, in the high level."""
        (p,) = potentials(MODEL, [[rate("agility", 3), rate("aspiration", 4)]])
        assert p == Fraction(37, 10)
        assert GRID.potential_levels([p]).tolist() == [2]

    def test_raters_are_averaged_per_criterion(self) -> None:
        """Two raters of one criterion count as their mean, then criteria are weighted."""
        p = MODEL.potential(
            [rate("agility", 2, "a"), rate("agility", 5, "b"), rate("aspiration", 3)]
        )
        assert p == Fraction(3, 10) * Fraction(7, 2) + Fraction(7, 10) * 3

    def test_missing_criterion_means_not_assessed(self) -> None:
        """Without a rating for every criterion the potential is None, never filled in."""
        assert MODEL.potential([rate("agility", 5)]) is None

    def test_unknown_criterion_is_refused(self) -> None:
        """An assessment of a criterion the model lacks names the allowed keys."""
        with pytest.raises(ValidationError, match=r"'teamwork'.*\['agility', 'aspiration'\]"):
            MODEL.potential([rate("teamwork", 3)])

    def test_criteria_must_share_a_scale(self) -> None:
        """Potential criteria on different scales are refused."""
        with pytest.raises(ValidationError, match="same scale"):
            PotentialModel(
                criteria=(
                    MODEL.criteria[0],
                    QualitativeCriterion(
                        key="x", label=Label(en="X"), weight=1.0, scale=Scale(low=0, high=10)
                    ),
                )
            )

    @settings(max_examples=60)
    @given(
        ratings=st.lists(st.integers(1, 5), min_size=2, max_size=2),
        w=st.integers(0, 10),
    )
    def test_matches_fraction_reference(self, ratings: list[int], w: int) -> None:
        """Potential equals the weighted mean computed with Fractions of the typed decimals."""
        weight = w / 10
        model = PotentialModel(
            criteria=(
                QualitativeCriterion(key="a", label=Label(en="A"), weight=weight),
                QualitativeCriterion(key="b", label=Label(en="B"), weight=1 - weight),
            )
        )
        wa = Fraction(w, 10)
        wb = Fraction(repr(1 - weight))
        expected = (wa * ratings[0] + wb * ratings[1]) / (wa + wb)
        assert model.potential([rate("a", ratings[0]), rate("b", ratings[1])]) == expected


class TestBoundaries:
    @pytest.mark.parametrize(
        ("value", "level"),
        [
            (D("80"), 1),
            (D("79.999999"), 0),
            (Fraction(80), 1),
            (80, 1),
            (80.0, 1),
            (100.0, 2),
            (99.99999999999999, 1),
            (None, -1),
            (float("nan"), -1),
        ],
    )
    def test_value_on_a_cut_goes_to_the_level_above(self, value: object, level: int) -> None:
        """A value exactly on a cut-off belongs to the level above; just below stays below."""
        assert GRID.performance_levels([value]).tolist() == [level]
        if isinstance(value, float):
            assert GRID.performance_levels(np.array([value])).tolist() == [level]

    def test_decimal_floats_are_read_as_typed(self) -> None:
        """The float 0.3 is on a 0.3 cut, though its binary value is just below 0.3."""
        assert Fraction(0.3) < Fraction("0.3")
        assert Fraction(0.7) < Fraction("0.7")
        grid = NineBoxGrid(performance_cuts=(D("0.3"), D("0.7")), potential_cuts=(D(1), D(2)))
        values = [0.3, 0.7, 0.1 + 0.2, 0.29999999999999993]
        assert grid.performance_levels(np.array(values)).tolist() == [1, 2, 1, 0]
        assert grid.performance_levels(values).tolist() == [1, 2, 1, 0]

    @settings(max_examples=200)
    @given(
        values=st.lists(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=20
        ),
        cuts=st.lists(
            st.decimals(min_value=-1000, max_value=1000, places=3), min_size=2, max_size=2
        ).filter(lambda c: c[0] < c[1]),
    )
    def test_vectorised_floats_agree_with_exact_reference(
        self, values: list[float], cuts: list[Decimal]
    ) -> None:
        """The one-step float comparison equals Fraction comparison of each float as typed."""
        grid = NineBoxGrid(performance_cuts=tuple(cuts), potential_cuts=(D(1), D(2)))
        expected = [ref_level(Fraction(repr(v)), tuple(cuts)) for v in values]
        assert grid.performance_levels(np.array(values)).tolist() == expected
        assert grid.performance_levels([*values, None])[:-1].tolist() == expected
        # each cut itself, as a float, is on the cut
        on = np.array([float(c) for c in cuts])
        assert grid.performance_levels(on).tolist() == [1, 2]

    @given(values=st.lists(st.decimals(min_value=-200, max_value=200, places=4), max_size=20))
    def test_decimals_agree_with_exact_reference(self, values: list[Decimal]) -> None:
        """Decimals are compared exactly."""
        expected = [ref_level(Fraction(v), (D(80), D(100))) for v in values]
        assert GRID.performance_levels(values).tolist() == expected

    def test_rating_levels(self) -> None:
        """Ratings map to their level; None is not assessed; an unknown rating is refused."""
        assert RATED.performance_levels(["A", "B", "D", None]).tolist() == [2, 1, 0, -1]
        with pytest.raises(ValidationError, match=r"performance\[0\]: 'E'.*\['A', 'B', 'C', 'D'\]"):
            RATED.performance_levels(["E"])

    @pytest.mark.parametrize("bad", ["x", float("inf"), True, [1, 2]])
    def test_non_numbers_are_refused(self, bad: object) -> None:
        """A value that is not a finite number is refused by name."""
        with pytest.raises(ValidationError, match=r"potential"):
            GRID.potential_levels([bad])

    def test_inf_in_a_float_array_is_refused(self) -> None:
        """An infinite score in a float column is refused by position."""
        with pytest.raises(ValidationError, match=r"performance\[1\]"):
            GRID.performance_levels(np.array([1.0, np.inf]))


class TestGrid:
    def test_exactly_one_performance_axis(self) -> None:
        """Score cuts and rating levels are alternatives: both or neither is refused."""
        with pytest.raises(ValidationError, match="either"):
            NineBoxGrid(potential_cuts=(D(1), D(2)))
        with pytest.raises(ValidationError, match="either"):
            NineBoxGrid(
                potential_cuts=(D(1), D(2)),
                performance_cuts=(D(1), D(2)),
                rating_levels=(("C",), ("B",), ("A",)),
            )

    @pytest.mark.parametrize(
        "cuts",
        [(D(2), D(1)), (D(1),), (D(1), D("Infinity")), (1.0, 2.0), (D("1.0000000000000001"), D(2))],
    )
    def test_bad_cuts_are_refused(self, cuts: tuple[object, ...]) -> None:
        """Cut-offs are two ascending finite Decimals of at most 15 digits."""
        with pytest.raises(ValidationError, match="potential_cuts"):
            NineBoxGrid(potential_cuts=cuts, performance_cuts=(D(1), D(2)))  # type: ignore[arg-type]

    def test_rating_in_two_levels_is_refused(self) -> None:
        """A rating belongs to one level only."""
        with pytest.raises(ValidationError, match="one level only"):
            NineBoxGrid(potential_cuts=(D(1), D(2)), rating_levels=(("C",), ("C",), ("A",)))

    def test_place_counts_and_members(self) -> None:
        """Placement gives boxes, a 3 x 3 count and the members of a box."""
        p = place(
            GRID,
            performance=np.array([100.0, 90.0, 50.0, np.nan]),
            potential=[D(4), D(3), D(1), D(4)],
            subjects=["a", "b", "c", "d"],
        )
        assert [p.box_of(i) for i in range(4)] == [
            Box.STAR,
            Box.CORE_PLAYER,
            Box.UNDERPERFORMER,
            None,
        ]
        expected = np.zeros((3, 3), dtype=np.int64)
        expected[2, 2] = expected[1, 1] = expected[0, 0] = 1
        assert (p.counts() == expected).all()
        assert p.members(Box.STAR) == ("a",)
        assert p.unassessed == 1

    def test_lengths_must_agree(self) -> None:
        """One potential per performance."""
        with pytest.raises(ValidationError, match="potential: 1 values for 2"):
            place(GRID, performance=[1, 2], potential=[1])


boxes = st.lists(st.integers(-1, 8), min_size=0, max_size=40)


def _placement(box: list[int], prefix: str = "p") -> object:
    perf = [None if b < 0 else [D(0), D(80), D(100)][b % 3] for b in box]
    pot = [None if b < 0 else [D(0), D("2.5"), D("3.7")][b // 3] for b in box]
    return place(
        GRID, performance=perf, potential=pot, subjects=[f"{prefix}{i}" for i in range(len(box))]
    )


class TestMovement:
    @given(before=boxes, after=boxes)
    def test_counts_match_a_reference_count(self, before: list[int], after: list[int]) -> None:
        """Moves are counted per (from, to) for people placed in both cycles, by id."""
        a, b = _placement(before), _placement(after)
        m = movement(a, b)  # type: ignore[arg-type]
        ref = collections.Counter(
            (x, y) for x, y in zip(before, after, strict=False) if x >= 0 and y >= 0
        )
        assert {(f.index, t.index): n for f, t, n in m.moves()} == dict(ref)
        assert m.matched == sum(ref.values())
        assert m.stayed == sum(n for (x, y), n in ref.items() if x == y)
        placed_before = {f"p{i}" for i, x in enumerate(before) if x >= 0}
        placed_after = {f"p{i}" for i, y in enumerate(after) if y >= 0}
        assert set(m.joined) == placed_after - placed_before
        assert set(m.left) == placed_before - placed_after

    def test_count_of_one_move(self) -> None:
        """count(from, to) reads one cell."""
        m = movement(_placement([0, 4, 8]), _placement([1, 4, 8]))  # type: ignore[arg-type]
        assert m.count(Box.UNDERPERFORMER, Box.EFFECTIVE) == 1
        assert m.count(Box.STAR, Box.STAR) == 1

    def test_repeated_id_is_refused(self) -> None:
        """An id twice in one placement is refused."""
        p = place(GRID, performance=[1, 2], potential=[1, 2], subjects=["a", "a"])
        with pytest.raises(ValidationError, match="repeats"):
            movement(p, p)


class TestReadiness:
    def test_rules_in_order(self) -> None:
        """Box, then streak (with enough potential), then ready-soon boxes, else not yet."""
        p = _placement([8, 0, 3, 5, 1, -1, 7])
        history = [["A"], ["A", "A"], ["B", "A", "A"], ["A"], ["C", "B"], ["A", "A"], []]
        r = promotion_readiness(ReadinessPolicy(), p, history=history)  # type: ignore[arg-type]
        assert r.status == (
            Readiness.READY_NOW,  # star
            Readiness.NOT_YET,  # two As but low potential
            Readiness.READY_NOW,  # two As, moderate potential
            Readiness.READY_SOON,  # high performer
            Readiness.NOT_YET,
            Readiness.NOT_ASSESSED,
            Readiness.READY_SOON,  # growth
        )
        assert r.ready() == ("p0", "p2")
        assert r.counts()[Readiness.NOT_YET] == 2
        assert r.explain(2) == "p2: ready now (ratings A, A in the last 2 cycles)"
        assert r.explain(0, "zh") == "p0:可立即晋升(九宫格位置:明星)"

    def test_streak_needs_the_last_cycles_in_a_row(self) -> None:
        """A, B, A is not two in a row; a streak of 3 needs three."""
        p = _placement([4, 4])
        r = promotion_readiness(ReadinessPolicy(), p, history=[["A", "B", "A"], ["B", "A", "A"]])  # type: ignore[arg-type]
        assert r.status == (Readiness.NOT_YET, Readiness.READY_NOW)
        three = ReadinessPolicy(streak_cycles=3)
        assert promotion_readiness(three, p, history=[["A"] * 2, ["A"] * 3]).status == (  # type: ignore[arg-type]
            Readiness.NOT_YET,
            Readiness.READY_NOW,
        )

    def test_streak_off(self) -> None:
        """streak_cycles=0 turns the history rule off."""
        r = promotion_readiness(
            ReadinessPolicy(streak_cycles=0), _placement([4]), history=[["A"] * 5]
        )  # type: ignore[arg-type]
        assert r.status == (Readiness.NOT_YET,)

    def test_history_length_must_match(self) -> None:
        """One history per person."""
        with pytest.raises(ValidationError, match="history"):
            promotion_readiness(ReadinessPolicy(), _placement([4]), history=[])  # type: ignore[arg-type]

    def test_policy_validation(self) -> None:
        """Boxes must be Box members, streaks bounded, ratings non-empty."""
        with pytest.raises(ValidationError, match="ready_now"):
            ReadinessPolicy(ready_now=("star",))  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="streak_cycles"):
            ReadinessPolicy(streak_cycles=-1)
        with pytest.raises(ValidationError, match="streak_ratings"):
            ReadinessPolicy(streak_ratings=(" ",))


class TestExactValue:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [(0.1, Fraction(1, 10)), (D("0.1"), Fraction(1, 10)), (3, Fraction(3)), (None, None)],
    )
    def test_reading(self, value: object, expected: Fraction | None) -> None:
        """Floats read as typed, Decimals and ints exactly, None as not assessed."""
        assert exact_value(value) == expected


def ref_readiness(box: int, past: list[str], policy: ReadinessPolicy) -> Readiness:
    """The documented rule order, one person at a time."""
    if box < 0:
        return Readiness.NOT_ASSESSED
    if box in [b.index for b in policy.ready_now]:
        return Readiness.READY_NOW
    n = policy.streak_cycles
    streak = n > 0 and len(past) >= n and all(r in policy.streak_ratings for r in past[-n:])
    if streak and box // 3 >= policy.streak_min_potential.index:
        return Readiness.READY_NOW
    if box in [b.index for b in policy.ready_soon]:
        return Readiness.READY_SOON
    return Readiness.NOT_YET


class TestReadinessReference:
    @settings(max_examples=80)
    @given(
        rows=st.lists(
            st.tuples(st.integers(-1, 8), st.lists(st.sampled_from("ABC"), max_size=4)),
            max_size=30,
        ),
        now=st.sets(st.sampled_from(list(Box))),
        soon=st.sets(st.sampled_from(list(Box))),
        cycles=st.integers(0, 3),
        level=st.sampled_from(list(GridLevel)),
    )
    def test_matches_the_documented_rule_order(
        self,
        rows: list[tuple[int, list[str]]],
        now: set[Box],
        soon: set[Box],
        cycles: int,
        level: GridLevel,
    ) -> None:
        """The vectorised rules give what the rule order gives person by person."""
        policy = ReadinessPolicy(
            ready_now=tuple(now),
            ready_soon=tuple(soon),
            streak_cycles=cycles,
            streak_min_potential=level,
        )
        placement = _placement([b for b, _ in rows])
        history = [h for _, h in rows]
        r = promotion_readiness(policy, placement, history=history)  # type: ignore[arg-type]
        assert r.status == tuple(ref_readiness(b, h, policy) for b, h in rows)
        assert sum(r.counts().values()) == len(rows)
        assert all(r.explain(i) for i in range(len(rows)))


class TestFromScores:
    def test_batch_scores_place_by_total_and_by_rating(self) -> None:
        """BatchScores' totals and ratings place a scored population, matching exact references."""
        scheme = clean_scheme()
        scores = ScoringEngine().score_batch(scheme, population(scheme, 120))
        potential = [Fraction(i % 5) for i in range(len(scores))]
        by_total = place(
            GRID, performance=scores.total, potential=potential, subjects=scores.subject_ids
        )
        for i, total in enumerate(scores.total.tolist()):
            level = -1 if np.isnan(total) else ref_level(Fraction(repr(total)), (D(80), D(100)))
            assert int(by_total.performance[i]) == level
        labels = scheme.rating_scale.labels  # lowest first
        grid = NineBoxGrid(
            rating_levels=(labels[:-2], (labels[-2],), (labels[-1],)),
            potential_cuts=(D(2), D(4)),
        )
        by_rating = place(grid, performance=scores.rating(), potential=potential)
        for i, rating in enumerate(scores.rating().tolist()):
            level = -1 if rating is None else max(0, labels.index(rating) - len(labels) + 3)
            assert int(by_rating.performance[i]) == level


class TestStorage:
    @pytest.mark.parametrize(
        "obj",
        [GRID, RATED, MODEL, ReadinessPolicy(), ReadinessPolicy(ready_now=(), streak_cycles=0)],
    )
    def test_settings_round_trip_through_json(self, obj: object) -> None:
        """The grid, the potential model and the policy are stored as JSON losslessly."""
        text = dumps(obj)
        assert loads(text, type(obj)) == obj
        assert dumps(loads(text, type(obj))) == text


# -- stored results --------------------------------------------------------------------------------

TEAM = ["li", "wang", "zhao", "chen", "liu"]
NOW = place(
    GRID,
    performance=[D(100), D("104.5"), D("79.9"), D(92), D(88)],
    potential=[D("3.7"), D(5), D(2), D("3.3"), None],
    subjects=TEAM,
)
BEFORE = place(
    RATED,
    performance=["A", "B", "C", "B", None],
    potential=[D("3.5"), D("4.5"), D(2), D(3), D(3)],
    subjects=TEAM,
)
READY = promotion_readiness(
    ReadinessPolicy(), NOW, history=[["A", "A"], ["B", "A"], ["C", "C"], ["A", "A"], None]
)


def _doc(obj: object) -> dict[str, Any]:
    """The stored document of ``obj`` as plain data, ready to be edited."""
    data: dict[str, Any] = json.loads(dumps(obj))
    return data


def _refused(doc: dict[str, Any], cls: type) -> SerializationError:
    """Load an edited document and return the error it must raise."""
    with pytest.raises(SerializationError) as info:
        loads(json.dumps(doc), cls)
    return info.value


class TestStoredResults:
    @settings(max_examples=30, deadline=None)
    @given(pst.nine_box_placements())
    def test_placements_round_trip_field_by_field(self, placement: NineBoxPlacement) -> None:
        """A stored placement loads back equal field by field, with the same boxes."""
        text = dumps(placement)
        back = loads(text, NineBoxPlacement)
        assert same_fields(back, placement)
        assert dumps(back) == text
        assert [back.box_of(i) for i in range(len(back))] == [
            placement.box_of(i) for i in range(len(placement))
        ]

    @settings(max_examples=20, deadline=None)
    @given(pst.box_movements())
    def test_movements_round_trip_field_by_field(self, moves: BoxMovement) -> None:
        """Stored movement loads back equal field by field."""
        text = dumps(moves)
        back = loads(text, BoxMovement)
        assert same_fields(back, moves)
        assert back.moves() == moves.moves()

    @settings(max_examples=20, deadline=None)
    @given(pst.readiness_results())
    def test_readiness_round_trips_field_by_field(self, result: ReadinessResult) -> None:
        """A stored readiness result loads back equal field by field, history included."""
        text = dumps(result)
        back = loads(text, ReadinessResult)
        assert same_fields(back, result)
        assert dumps(back) == text
        assert back.status == result.status

    def test_history_is_kept_as_it_is_stored(self) -> None:
        """Histories given as lists are kept as tuples (None as no history), so they store."""
        assert READY.history == (("A", "A"), ("B", "A"), ("C", "C"), ("A", "A"), ())
        back = loads(dumps(READY), ReadinessResult)
        assert same_fields(back, READY)
        assert back.explain(3) == "chen: ready now (ratings A, A in the last 2 cycles)"

    def test_stored_boxes_are_three_times_potential_plus_performance(self) -> None:
        """The loaded boxes are 3 x potential + performance of the loaded levels, -1 if unknown."""
        back = loads(dumps(NOW), NineBoxPlacement)
        perf, pot = back.performance.tolist(), back.potential.tolist()
        expected = [3 * b + a if a >= 0 and b >= 0 else -1 for a, b in zip(perf, pot, strict=True)]
        assert back.box.tolist() == expected
        assert [back.box_of(i) for i in range(5)] == [
            Box.STAR,
            Box.STAR,
            Box.UNDERPERFORMER,
            Box.CORE_PLAYER,
            None,
        ]

    @pytest.mark.parametrize(
        "obj", [NOW, READY, movement(BEFORE, NOW), GRID, RATED, MODEL, ReadinessPolicy()]
    )
    def test_json_schema_accepts_what_dumps_writes(self, obj: object) -> None:
        """The JSON Schema of each stored 9-box type accepts the document dumps writes."""
        schema = json_schema(type(obj))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(_doc(obj))) == []

    @pytest.mark.parametrize(
        ("cls", "path", "value", "where", "words"),
        [
            (NineBoxPlacement, ("box", 0), 7, "box[0]", "7 is not allowed; allowed: 8, which"),
            (NineBoxPlacement, ("performance", 1), 3, "performance[1]", "allowed: 0 (low)"),
            (NineBoxPlacement, ("potential",), [1, 2], "potential", "2 values for 5 subjects"),
            (NineBoxPlacement, ("box", 2), "0", "box", "expected a whole number"),
            (BoxMovement, ("counts",), [[1]], "counts", "shape [1, 1] is not allowed; allowed: 9"),
            (BoxMovement, ("counts", 8, 8), -1, "counts[8][8]", "-1 is not allowed"),
            (ReadinessResult, ("rule", 2), 1, "rule[2]", "1 is not allowed; allowed: 4"),
            (ReadinessResult, ("placement", "box", 0), 6, "placement.box[0]", "allowed: 8"),
            (ReadinessResult, ("history",), [["A"]], "history", "1 values for 5 subjects"),
            (
                ReadinessResult,
                ("policy", "ready_now", 0),
                "superstar",
                "policy.ready_now[0]",
                'expected one of ["underperformer"',
            ),
            (
                ReadinessResult,
                ("policy", "streak_min_potential"),
                "medium",
                "policy.streak_min_potential",
                'expected one of ["low", "moderate", "high"], got "medium"',
            ),
        ],
    )
    def test_bad_documents_name_the_path_the_value_and_what_is_allowed(
        self, cls: type, path: tuple[str | int, ...], value: object, where: str, words: str
    ) -> None:
        """Wrong types, unknown enum names and edited boxes or rules are refused where they are."""
        obj = {NineBoxPlacement: NOW, BoxMovement: movement(BEFORE, NOW), ReadinessResult: READY}
        doc = _doc(obj[cls])
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        error = _refused(doc, cls)
        assert error.path == where
        assert str(error).startswith(f"{where}: ")
        assert words in str(error)

    def test_a_truncated_document_is_refused(self) -> None:
        """A document cut short is not JSON, and says so."""
        text = dumps(READY)
        for cut in (1, len(text) // 2, len(text) - 1):
            with pytest.raises(SerializationError, match=r"^\$: not valid JSON"):
                loads(text[:cut], ReadinessResult)
