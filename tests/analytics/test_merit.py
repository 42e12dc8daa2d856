"""Tests of perfmgmt.analytics.merit: compa bands, base raises, exact budgets and what-if."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _stored import same_fields
from perfmgmt import strategies as pst
from perfmgmt.analytics import (
    MeritComparison,
    MeritMatrix,
    MeritResult,
    MeritRow,
    compare_matrices,
    merit_increases,
)
from perfmgmt.errors import PerfmgmtError, SerializationError, ValidationError
from perfmgmt.model.incentive import BonusPool
from perfmgmt.rules.payout import allocate
from perfmgmt.serialization import dumps, json_schema, loads

D = Decimal
CENT = Decimal("0.01")

MATRIX = MeritMatrix(
    compa_edges=(D("0.90"), D("1.10")),
    rows=(
        MeritRow(rating="C", percents=(D("1"), D("0"), D("0"))),
        MeritRow(rating="B", percents=(D("4"), D("3"), D("2"))),
        MeritRow(rating="A", percents=(D("6"), D("5"), D("3.5"))),
    ),
)


def ref_band(salary: Decimal, midpoint: Decimal, edges: tuple[Decimal, ...]) -> int:
    """Band number by exact Fractions: the edges at or below the compa-ratio."""
    ratio = Fraction(salary) / Fraction(midpoint)
    return sum(ratio >= Fraction(e) for e in edges)


def ref_base(salary: Decimal, percent: Decimal) -> Decimal:
    """Salary x percent / 100, rounded half to even to the cent, in Decimal."""
    exact = Fraction(salary) * Fraction(percent) / 100
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        CENT, rounding=ROUND_HALF_EVEN
    )


def ref_scale(base: list[Decimal], budget: Decimal) -> list[Decimal]:
    """Largest-remainder scaling written from the definition, in Fractions of cents."""
    cents = [int(b * 100) for b in base]
    total, pool = sum(cents), int(budget * 100)
    shares = [Fraction(c * pool, total) for c in cents]
    floors = [s.numerator // s.denominator for s in shares]
    order = sorted(range(len(cents)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[: pool - sum(floors)]:
        floors[i] += 1
    return [Decimal(f) / 100 for f in floors]


def apply(ratings: list[str], salaries: list[str], midpoint: str = "10000", **kw: object) -> object:
    """Apply MATRIX to people with one shared midpoint (CNY)."""
    return merit_increases(
        MATRIX,
        ratings=ratings,
        salaries=[D(s) for s in salaries],
        midpoints=[D(midpoint)] * len(ratings),
        currency="CNY",
        **kw,  # type: ignore[arg-type]
    )


class TestBands:
    def test_compa_ratio_on_an_edge_belongs_to_the_band_above(self) -> None:
        """A salary of exactly 0.90 x midpoint is in the middle band, a cent less is not."""
        r = merit_increases(
            MATRIX,
            ratings=["B", "B", "B", "B"],
            salaries=[D("8999.99"), D("9000.00"), D("10999.99"), D("11000.00")],
            midpoints=[D("10000.00")] * 4,
            currency="CNY",
        )
        assert r.band.tolist() == [0, 1, 1, 2]
        assert r.percent == (D("4"), D("3"), D("3"), D("2"))

    @given(
        salary=st.integers(0, 10**9),
        midpoint=st.integers(1, 10**9),
        edge=st.decimals(min_value=D("0.0001"), max_value=D("9.9999"), places=4),
    )
    def test_band_matches_exact_fraction_reference(
        self, salary: int, midpoint: int, edge: Decimal
    ) -> None:
        """The band is the count of edges at or below salary / midpoint, in exact arithmetic."""
        m = MeritMatrix(compa_edges=(edge,), rows=(MeritRow(rating="A", percents=(D(1), D(2))),))
        s, mid = D(salary).scaleb(-2), D(midpoint).scaleb(-2)
        r = merit_increases(m, ratings=["A"], salaries=[s], midpoints=[mid], currency="CNY")
        assert int(r.band[0]) == ref_band(s, mid, (edge,))

    def test_huge_salaries_take_the_exact_integer_path(self) -> None:
        """Salaries near the money limit still meet edges of four places exactly."""
        m = MeritMatrix(
            compa_edges=(D("1.0001"),), rows=(MeritRow(rating="A", percents=(D(1), D(2))),)
        )
        mid = D("9000000000000.00")
        on = mid * D("1.0001")
        r = merit_increases(
            m, ratings=["A", "A"], salaries=[on, on - CENT], midpoints=[mid, mid], currency="CNY"
        )
        assert r.band.tolist() == [1, 0]
        assert r.amount(0) == ref_base(on, D(2))


class TestBase:
    @settings(max_examples=60)
    @given(
        salaries=st.lists(
            st.decimals(min_value=0, max_value=10**7, places=2), min_size=1, max_size=12
        ),
        ratings=st.data(),
    )
    def test_base_raise_is_salary_times_cell(
        self, salaries: list[Decimal], ratings: st.DataObject
    ) -> None:
        """Without a budget each raise is salary x cell / 100, rounded half to even once."""
        labels = ratings.draw(
            st.lists(st.sampled_from("ABC"), min_size=len(salaries), max_size=len(salaries))
        )
        mid = D("10000")
        r = merit_increases(
            MATRIX, ratings=labels, salaries=salaries, midpoints=[mid] * len(labels), currency="CNY"
        )
        for i, (s, rating) in enumerate(zip(salaries, labels, strict=True)):
            pct = MATRIX.percent(rating, ref_band(s, mid, MATRIX.compa_edges))
            assert r.amount(i) == ref_base(s, pct)
        assert r.total == sum(
            (ref_base(s, p) for s, p in zip(salaries, r.percent, strict=True)), D(0)
        )

    def test_half_cent_rounds_to_even(self) -> None:
        """A base raise of exactly half a cent rounds to the even cent."""
        m = MeritMatrix(compa_edges=(), rows=(MeritRow(rating="A", percents=(D("0.5"),)),))
        r = merit_increases(
            m,
            ratings=["A", "A"],
            salaries=[D("1.00"), D("3.00")],
            midpoints=[D(1), D(1)],
            currency="CNY",
        )
        assert r.amounts() == (D("0.00"), D("0.02"))


people = st.lists(
    st.tuples(st.sampled_from("ABC"), st.decimals(min_value=1, max_value=10**6, places=2)),
    min_size=1,
    max_size=30,
)


class TestBudget:
    @settings(max_examples=80)
    @given(people=people, budget=st.decimals(min_value=0, max_value=10**6, places=2))
    def test_budget_is_spent_exactly_to_the_cent(
        self, people: list[tuple[str, Decimal]], budget: Decimal
    ) -> None:
        """The raises add up to the budget exactly and equal the largest-remainder reference."""
        ratings = [p[0] for p in people]
        salaries = [p[1] for p in people]
        unscaled = merit_increases(
            MATRIX,
            ratings=ratings,
            salaries=salaries,
            midpoints=[D(10000)] * len(people),
            currency="CNY",
        )
        if unscaled.base.sum() == 0:
            return
        r = merit_increases(
            MATRIX,
            ratings=ratings,
            salaries=salaries,
            midpoints=[D(10000)] * len(people),
            currency="CNY",
            budget=budget,
        )
        assert r.total == budget
        assert list(r.amounts()) == ref_scale(list(unscaled.amounts()), budget)
        exact = [
            Fraction(b) * Fraction(budget) / Fraction(unscaled.total) for b in unscaled.amounts()
        ]
        assert all(
            abs(Fraction(a) - e) < Fraction(1, 100) for a, e in zip(r.amounts(), exact, strict=True)
        )

    @settings(max_examples=60)
    @given(
        salary=st.decimals(min_value=1, max_value=10**6, places=2),
        others=people,
        budget=st.decimals(min_value=0, max_value=10**6, places=2),
    )
    def test_a_better_rating_never_gets_less(
        self, salary: Decimal, others: list[tuple[str, Decimal]], budget: Decimal
    ) -> None:
        """With a matrix monotone in rating, same salary and band: C <= B <= A after scaling."""
        ratings = ["C", "B", "A"] + [p[0] for p in others]
        salaries = [salary] * 3 + [p[1] for p in others]
        r = merit_increases(
            MATRIX,
            ratings=ratings,
            salaries=salaries,
            midpoints=[D(10000)] * len(ratings),
            currency="CNY",
            budget=budget if budget else None,
        )
        assert r.final[0] <= r.final[1] <= r.final[2]

    def test_budget_above_the_cost_scales_up(self) -> None:
        """A budget above the matrix cost is spent in full: the factor exceeds 1."""
        r = apply(["A", "B", "B"], ["9000", "10000", "10000"], budget=D("1200.00"))
        assert r.factor == Fraction(8, 7)  # 1,200.00 over 450.00 + 300.00 + 300.00
        assert r.total == D("1200.00")
        # 514.2857.., 342.8571.. twice: the two larger remainders get the two spare cents
        assert r.amounts() == (D("514.28"), D("342.86"), D("342.86"))

    def test_same_maths_as_the_bonus_pool_when_scaling_down(self) -> None:
        """Scaling down gives what the rules' bonus pool gives for the same awards."""
        r = apply(["A", "B", "C", "A"], ["9000", "10000", "8000", "12345.67"])
        budget = D("700.00")
        scaled = apply(["A", "B", "C", "A"], ["9000", "10000", "8000", "12345.67"], budget=budget)
        pool = allocate(list(r.amounts()), BonusPool(currency="CNY", amount=budget))
        assert scaled.amounts() == pool.amounts()

    def test_zero_budget_pays_nothing(self) -> None:
        """A budget of zero gives every raise 0."""
        r = apply(["A", "B"], ["9000", "10000"], budget=D("0"))
        assert r.final.tolist() == [0, 0]

    def test_positive_budget_over_zero_raises_is_refused(self) -> None:
        """A budget cannot be spread over base raises that are all zero."""
        with pytest.raises(ValidationError, match=r"budget: 5\.00 CNY cannot be spread"):
            apply(["C"], ["12000"], budget=D("5.00"))


class TestBadInput:
    def test_missing_cell_is_refused(self) -> None:
        """A row with a cell too few names the field, the value and what is allowed."""
        with pytest.raises(ValidationError) as info:
            MeritMatrix(compa_edges=(D("0.9"),), rows=(MeritRow(rating="A", percents=(D("3"),)),))
        assert info.value.field == "percents"
        assert "allowed: exactly 2" in str(info.value)

    def test_negative_salary_is_refused(self) -> None:
        """A negative salary names salaries[i], the value and what is allowed."""
        with pytest.raises(PerfmgmtError, match=r"salaries\[1\]: Decimal\('-1'\).*allowed"):
            apply(["A", "A"], ["1", "-1"])

    def test_float_money_is_refused(self) -> None:
        """Money as a float is refused: only Decimals are exact."""
        with pytest.raises(ValidationError, match=r"midpoints\[0\]: 10000.0 .*Decimal"):
            merit_increases(
                MATRIX, ratings=["A"], salaries=[D(1)], midpoints=[10000.0], currency="CNY"
            )  # type: ignore[list-item]

    def test_rating_without_a_row_is_refused(self) -> None:
        """A rating the matrix lacks names the allowed ratings."""
        with pytest.raises(ValidationError, match=r"ratings\[0\]: 'E'.*\['C', 'B', 'A'\]"):
            apply(["E"], ["1"])

    @pytest.mark.parametrize(
        "edges",
        [(D("1.1"), D("0.9")), (D("0"),), (D("10"),), (D("0.12345"),), (D("NaN"),), (0.9,)],
    )
    def test_bad_edges_are_refused(self, edges: tuple[object, ...]) -> None:
        """Edges must be ascending Decimals in (0, 10) with at most four places."""
        with pytest.raises(ValidationError, match="compa_edges"):
            MeritMatrix(
                compa_edges=edges, rows=(MeritRow(rating="A", percents=(D(1),) * (len(edges) + 1)),)
            )  # type: ignore[arg-type]

    @pytest.mark.parametrize("pct", [D("-1"), D("100.01"), D("0.0000001"), D("Infinity")])
    def test_bad_percents_are_refused(self, pct: Decimal) -> None:
        """Percents are Decimals from 0 to 100 with at most six places."""
        with pytest.raises(ValidationError, match="percents"):
            MeritRow(rating="A", percents=(pct,))

    def test_repeated_rating_is_refused(self) -> None:
        """Each rating has one row."""
        row = MeritRow(rating="A", percents=(D(1),))
        with pytest.raises(ValidationError, match="repeats"):
            MeritMatrix(compa_edges=(), rows=(row, row))

    def test_lengths_must_agree(self) -> None:
        """One salary per rating."""
        with pytest.raises(ValidationError, match="salaries: 1 values for 2"):
            merit_increases(
                MATRIX, ratings=["A", "B"], salaries=[D(1)], midpoints=[D(1)] * 2, currency="CNY"
            )

    def test_negative_budget_is_refused(self) -> None:
        """A budget below zero is refused by name."""
        with pytest.raises(ValidationError, match="budget"):
            apply(["A"], ["1000"], budget=D("-1"))


class TestWhatIf:
    def test_comparison_gives_cost_change_and_movers(self) -> None:
        """Raising the A row's middle cell costs exactly the extra percent of A salaries."""
        richer = MeritMatrix(
            compa_edges=MATRIX.compa_edges,
            rows=(*MATRIX.rows[:2], MeritRow(rating="A", percents=(D("6"), D("6"), D("3.5")))),
        )
        c = compare_matrices(
            MATRIX,
            richer,
            ratings=["A", "B", "A"],
            salaries=[D("10000"), D("10000"), D("12000")],
            midpoints=[D("10000")] * 3,
            currency="CNY",
            subjects=["ana", "bo", "cy"],
        )
        assert c.cost_change == D("100.00")  # 1 % of ana's 10,000; cy is in the top band
        assert c.changed() == ("ana",)
        assert c.rows()[0]["difference"] == D("100.00")

    def test_same_budget_redistributes(self) -> None:
        """Under one budget both matrices cost the budget; the differences sum to zero."""
        flat = MeritMatrix(
            compa_edges=(), rows=tuple(MeritRow(rating=r, percents=(D(3),)) for r in "ABC")
        )
        c = compare_matrices(
            MATRIX,
            flat,
            ratings=["A", "B", "C"],
            salaries=[D("10000")] * 3,
            midpoints=[D("10000")] * 3,
            currency="CNY",
            budget=D("900.00"),
        )
        assert c.before.total == c.after.total == D("900.00")
        assert int(c.difference.sum()) == 0
        assert c.after.amounts() == (D("300.00"),) * 3


class TestExplain:
    def test_explanation_names_cell_base_factor_and_final(self) -> None:
        """The text shows the matrix cell, base raise, scaling factor and final amount."""
        r = apply(["A", "B"], ["9000", "10000"], budget=D("600.00"), subjects=["ana", "bo"])
        text = r.explain(0)
        assert "matrix cell A x [0.90, 1.10) = 5%" in text
        assert "base raise 450.00 CNY" in text
        assert "by 600.00 / 750.00 (0.800000)" in text
        assert text.endswith("450.00 x 600.00 / 750.00 = 360.000000, exact -> 360.00 CNY.")
        assert "基础调薪 450.00 CNY" in r.explain(0, "zh")

    def test_rounded_up_person_is_told_so(self) -> None:
        """A person given a remainder cent is told it was rounded up."""
        r = apply(["B", "B", "B"], ["10000", "10000", "10000"], budget=D("1.00"))
        assert [r.explain(i).count("rounded up") for i in range(3)] == [1, 0, 0]
        assert "= ~0.333333, rounded down -> 0.33 CNY." in r.explain(1)
        assert r.amounts() == (D("0.34"), D("0.33"), D("0.33"))

    def test_without_budget_the_raise_is_the_base_raise(self) -> None:
        """Without a budget the explanation says so."""
        assert "no budget" in apply(["A"], ["10000"]).explain(0)

    def test_inexact_compa_ratio_is_marked(self) -> None:
        """A compa-ratio shown rounded is marked with ~."""
        r = apply(["A"], ["10000"], midpoint="30000")
        assert "compa-ratio ~0.3333" in r.explain(0)

    def test_rows_give_a_table(self) -> None:
        """rows() lists every person with exact compa-ratio and raise."""
        row = apply(["A"], ["9000"]).rows()[0]
        assert row["compa_ratio"] == Fraction(9, 10)
        assert row["raise"] == D("450.00")
        assert np.isclose(float(row["compa_ratio"]), 0.9)  # type: ignore[arg-type]


class TestStorage:
    def test_matrix_round_trips_through_json(self) -> None:
        """A merit matrix is stored as JSON with its Decimals as text, losslessly."""
        text = dumps(MATRIX)
        assert '"3.5"' in text
        assert loads(text, MeritMatrix) == MATRIX


# -- stored results --------------------------------------------------------------------------------

PEOPLE: dict[str, Any] = {
    "ratings": ["A", "B", "C", "A"],
    "salaries": [D("9000.00"), D("10000.00"), D("12000.00"), D("8123.45")],
    "midpoints": [D("10000.00")] * 4,
    "currency": "CNY",
    "subjects": ["li", "wang", "zhao", "chen"],
}
STORED = merit_increases(MATRIX, budget=D("1100.01"), **PEOPLE)


def _doc(obj: object = STORED) -> dict[str, Any]:
    """The stored document of ``obj`` as plain data, ready to be edited."""
    data: dict[str, Any] = json.loads(dumps(obj))
    return data


def _refused(doc: dict[str, Any], cls: type = MeritResult) -> SerializationError:
    """Load an edited document and return the error it must raise."""
    with pytest.raises(SerializationError) as info:
        loads(json.dumps(doc), cls)
    return info.value


def _set(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    """An edit that puts ``value`` at ``path`` of a document."""

    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return edit


class TestStoredResults:
    @settings(max_examples=40, deadline=None)
    @given(pst.merit_results())
    def test_results_round_trip_field_by_field(self, result: MeritResult) -> None:
        """A stored result loads back equal field by field and writes the same text again."""
        text = dumps(result)
        back = loads(text, MeritResult)
        assert same_fields(back, result)
        assert dumps(back) == text
        assert back.amounts() == result.amounts()
        assert all(isinstance(a, Decimal) for a in back.amounts())

    @settings(max_examples=20, deadline=None)
    @given(pst.merit_comparisons())
    def test_comparisons_round_trip_field_by_field(self, comparison: MeritComparison) -> None:
        """A stored what-if loads back equal field by field, both sides."""
        text = dumps(comparison)
        back = loads(text, MeritComparison)
        assert same_fields(back, comparison)
        assert dumps(back) == text

    def test_loaded_raises_are_the_reference_raises(self) -> None:
        """The loaded raises are the Fraction reference's, to the cent, and spend the budget."""
        back = loads(dumps(STORED), MeritResult)
        row = {r.rating: r.percents for r in MATRIX.rows}
        pay = list(zip(PEOPLE["salaries"], PEOPLE["midpoints"], strict=True))
        bands = [ref_band(s, m, MATRIX.compa_edges) for s, m in pay]
        assert bands == [1, 1, 2, 0]  # li exactly on the 0.90 edge; chen at 0.8123
        percents = [row[r][b] for r, b in zip(PEOPLE["ratings"], bands, strict=True)]
        assert back.band.tolist() == bands
        base = [ref_base(s, p) for s, p in zip(PEOPLE["salaries"], percents, strict=True)]
        assert list(back.percent) == percents
        assert back.base_total == sum(base)
        assert list(back.amounts()) == ref_scale(base, D("1100.01"))
        assert back.total == D("1100.01")
        assert back.budget == D("1100.01")
        assert back.compa_ratio(3) == Fraction(812345, 1000000)
        assert back.explain(0) == STORED.explain(0)

    def test_money_is_exact_text_and_whole_minor_units(self) -> None:
        """Decimals are written as text and amounts as whole minor units: no float anywhere."""
        doc = _doc()
        assert doc["budget"] == "1100.01"
        assert doc["salary"] == [900000, 1000000, 1200000, 812345]
        assert doc["percent"] == ["5", "3", "0", "6"]
        assert not any(isinstance(x, float) for x in doc["final"] + doc["base"])

    @pytest.mark.parametrize("cls", [MeritResult, MeritComparison, MeritMatrix])
    def test_json_schema_accepts_what_dumps_writes(self, cls: type) -> None:
        """The JSON Schema of each stored type accepts the document and refuses a float amount."""
        obj = {
            MeritResult: STORED,
            MeritComparison: compare_matrices(MATRIX, MATRIX, **PEOPLE),
            MeritMatrix: MATRIX,
        }[cls]
        schema = json_schema(cls)
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        doc = _doc(obj)
        assert list(validator.iter_errors(doc)) == []
        if cls is MeritResult:
            doc["budget"] = 1100.01
            assert list(validator.iter_errors(doc)) != []

    @pytest.mark.parametrize(
        ("edit", "path", "words"),
        [
            (lambda d: d.pop("final"), "final", 'missing required field "final"'),
            (_set(("salary",), "9000.00"), "salary", "expected a list"),
            (_set(("salary", 1), -100), "salary[1]", "-100 minor units of CNY is not allowed"),
            (_set(("salary", 1), 1.5), "salary", "item [1]: expected a whole number, got 1.5"),
            (_set(("midpoint", 0), 0), "midpoint[0]", "allowed: whole minor units from 1"),
            (_set(("budget",), "-1.00"), "budget", "-1.00') is not allowed; allowed: a Decimal"),
            (_set(("budget",), 1100.01), "budget", "expected a decimal amount as text"),
            (_set(("final", 0), 1), "final[0]", "0.01 CNY is not allowed; allowed: 40"),
            (_set(("base", 3), 1), "base[3]", "allowed: 487.41 CNY"),
            (_set(("band", 0), 2), "band[0]", "2 is not allowed; allowed: 1, which the stored"),
            (_set(("percent", 2), "99"), "percent[2]", "Decimal('99') is not allowed"),
            (_set(("ratings", 1), "E"), "ratings[1]", "'E' has no row in the stored matrix"),
            (_set(("subjects",), ["li"]), "ratings", "4 values for 1 subjects"),
            (_set(("currency",), "cny"), "currency", "not an ISO 4217 currency code"),
            (_set(("matrix", "rows", 0, "percents", 0), "-1"), "matrix.rows[0]", "percent"),
            (_set(("bonus",), 1), "$", "unknown field(s) 'bonus'"),
            (_set(("schema_version",), 99), "schema_version", "99 is not supported"),
        ],
    )
    def test_bad_documents_name_the_path_the_value_and_what_is_allowed(
        self, edit: Callable[[dict[str, Any]], object], path: str, words: str
    ) -> None:
        """A wrong type, negative money or an edited raise is refused where it is."""
        doc = _doc()
        edit(doc)
        error = _refused(doc)
        assert error.path == path
        assert str(error).startswith(f"{path}: ")
        assert words in str(error)

    def test_a_truncated_document_is_refused(self) -> None:
        """A document cut short is not JSON, and says so."""
        text = dumps(STORED)
        for cut in (1, len(text) // 2, len(text) - 1):
            with pytest.raises(SerializationError, match=r"^\$: not valid JSON"):
                loads(text[:cut], MeritResult)

    def test_an_edited_side_of_a_comparison_is_named(self) -> None:
        """A raise edited in a stored what-if is refused with its side in the path."""
        doc = _doc(compare_matrices(MATRIX, MATRIX, budget=D("1100.01"), **PEOPLE))
        doc["before"]["final"][2] += 1
        error = _refused(doc, MeritComparison)
        assert error.path == "before.final[2]"

    def test_a_comparison_of_two_teams_is_refused(self) -> None:
        """Both sides of a stored what-if must be the same people with the same pay."""
        doc = _doc(compare_matrices(MATRIX, MATRIX, **PEOPLE))
        raised = dict(PEOPLE, salaries=[s + 1 for s in PEOPLE["salaries"]])
        doc["after"] = _doc(merit_increases(MATRIX, **raised))
        del doc["after"]["schema_version"]
        error = _refused(doc, MeritComparison)
        assert error.path == "after.salary"
        assert "allowed: the same as before" in str(error)
