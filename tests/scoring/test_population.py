"""Tests for perfmgmt.scoring.population: building and validating columnar input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model import Actual, Assessment, AssessmentSource, Cycle, Goal, Review, Scale, Subject
from perfmgmt.scoring import Population, rescale_rating
from test_worked_example import founding_scheme

SCHEME = founding_scheme()
N_K = len(SCHEME.kpis)


def _review(sid: str = "x", **kw: object) -> Review:
    return Review(subject=Subject(id=sid), cycle="q", scheme="cs_managers", **kw)  # type: ignore[arg-type]


class TestFromArrays:
    def test_mapping_and_defaults(self) -> None:
        """Columns by KPI key are put in scheme order; bounds default to the scheme's."""
        cols = {k: [float(i), float(i + 1)] for i, k in enumerate(SCHEME.kpi_keys)}
        pop = Population.from_arrays(SCHEME, subject_ids=["a", "b"], actual=cols)
        assert pop.actual[:, 0].tolist() == [0.0, 1.0]
        assert pop.target[1].tolist()[0] == 90.0
        assert not pop.overridden.any()
        assert pop.sample_size[0, 0] == -1
        assert len(pop) == 2

    def test_kpi_keys_reorder(self) -> None:
        """Arrays in another column order are reordered by kpi_keys."""
        keys = tuple(reversed(SCHEME.kpi_keys))
        pop = Population.from_arrays(
            SCHEME, subject_ids=["a"], actual=np.arange(N_K, dtype=float)[None, :], kpi_keys=keys
        )
        assert pop.actual[0].tolist() == list(reversed(range(N_K)))

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"actual": np.zeros((1, 3))}, "shape"),
            ({"actual": np.full((1, N_K), np.inf)}, "finite"),
            (
                {"actual": np.full((1, N_K), np.nan), "sample_size": np.ones((1, N_K))},
                "NaN but sample_size",
            ),
            ({"actual": np.zeros((1, N_K)), "sample_size": np.full((1, N_K), -2)}, "negative"),
            ({"actual": np.zeros((1, N_K)), "kpi_keys": ("a",) * N_K}, "do not match"),
            ({"actual": {"csat": [1.0]}}, "do not match"),
            ({"actual": np.zeros((1, N_K)), "eligible_fraction": [1.5]}, "eligible_fraction"),
            ({"actual": np.zeros((1, N_K)), "base_pay": [Decimal(1)]}, "currency"),
            ({"actual": np.zeros((1, N_K)), "base_pay": []}, "0 entries for 1 subjects"),
            ({"actual": np.zeros((1, N_K)), "sample_size": np.full((1, N_K), 1.5)}, "whole"),
            ({"actual": np.zeros((1, N_K)), "sample_size": np.full((1, N_K), np.nan)}, "whole"),
            ({"actual": np.zeros((1, N_K)), "threshold": np.full((1, N_K), np.inf)}, "infinite"),
            ({"actual": np.zeros((1, N_K)), "eligible_days": [-1.0]}, "cannot be negative"),
        ],
    )
    def test_bad_input(self, kwargs: dict[str, object], match: str) -> None:
        """Shapes, non-finite values, negative counts and foreign columns are clear errors."""
        with pytest.raises(ScoringError, match=match):
            Population.from_arrays(SCHEME, subject_ids=["a"], **kwargs)  # type: ignore[arg-type]

    def test_targets_out_of_order(self) -> None:
        """A per-row target below the threshold (higher is better) is refused naming the row."""
        tg = np.full((1, N_K), np.nan)
        tg[0, 0] = 70.0
        with pytest.raises(ScoringError, match=r"'a'.*csat.*target"):
            Population.from_arrays(SCHEME, subject_ids=["a"], actual=np.zeros((1, N_K)), target=tg)

    def test_rating_off_scale(self) -> None:
        """A rating outside the criterion's scale where raters exist is refused."""
        with pytest.raises(ScoringError, match="scale"):
            Population.from_arrays(
                SCHEME,
                subject_ids=["a"],
                actual=np.zeros((1, N_K)),
                ratings=np.full((1, 2, 2), 9.0),
                raters=np.ones((1, 2, 2)),
            )

    def test_duplicate_ids(self) -> None:
        """Subject ids must be unique."""
        with pytest.raises(ScoringError, match="more than once"):
            Population.from_arrays(SCHEME, subject_ids=["a", "a"], actual=np.zeros((2, N_K)))


class TestFromReviews:
    def test_goals_override(self) -> None:
        """An agreed goal replaces the default and is marked overridden."""
        pop = Population.from_reviews(SCHEME, [_review(goals=[Goal(kpi="fcr", target=70.0)])])
        j = SCHEME.kpi_keys.index("fcr")
        assert pop.target[0, j] == 70.0
        assert pop.overridden[0].tolist() == [k == "fcr" for k in SCHEME.kpi_keys]

    def test_goal_out_of_order_names_review(self) -> None:
        """Agreed goals out of order for the direction name the review and KPI."""
        with pytest.raises(ScoringError, match=r"x@q.*aht|'x'.*aht"):
            Population.from_reviews(SCHEME, [_review(goals=[Goal(kpi="aht", target=70.0)])])

    @pytest.mark.parametrize(
        ("kw", "match"),
        [
            ({"actuals": [Actual(kpi="nope", value=1)]}, "nope"),
            ({"goals": [Goal(kpi="nope", target=1)]}, "nope"),
            (
                {
                    "assessments": [
                        Assessment(
                            criterion="nope",
                            source=AssessmentSource.MANAGER,
                            rater_id="m",
                            rating=3,
                        )
                    ]
                },
                "nope",
            ),
            (
                {
                    "assessments": [
                        Assessment(
                            criterion="attitude",
                            source=AssessmentSource.SELF,
                            rater_id="m",
                            rating=3,
                        )
                    ]
                },
                "self",
            ),
            (
                {
                    "assessments": [
                        Assessment(
                            criterion="attitude",
                            source=AssessmentSource.MANAGER,
                            rater_id="m",
                            rating=9,
                        )
                    ]
                },
                "off the criterion's scale",
            ),
        ],
    )
    def test_unknown_references(self, kw: dict[str, object], match: str) -> None:
        """Actuals, goals and assessments naming what the scheme lacks are refused."""
        with pytest.raises(ScoringError, match=match):
            Population.from_reviews(SCHEME, [_review(**kw)])

    def test_not_a_review(self) -> None:
        """An item that is not a Review is refused, naming its position and type."""
        with pytest.raises(ScoringError, match="item 1 is a str; expected a Review"):
            Population.from_reviews(SCHEME, [_review(), "x"])  # type: ignore[list-item]

    def test_several_currencies(self) -> None:
        """Subjects paid in different currencies cannot share a population."""
        paid = [
            Review(
                subject=Subject(id=sid, base_pay=Decimal(1), currency=cur),
                cycle="q",
                scheme="cs_managers",
            )
            for sid, cur in (("a", "CNY"), ("b", "USD"))
        ]
        with pytest.raises(ScoringError, match=r"several currencies \['CNY', 'USD'\]"):
            Population.from_reviews(SCHEME, paid)

    def test_goal_equal_to_default_is_not_an_override(self) -> None:
        """A goal that repeats the scheme's value is not flagged as overridden."""
        kpi = SCHEME.kpis[0]
        pop = Population.from_reviews(
            SCHEME, [_review(goals=[Goal(kpi=kpi.key, target=kpi.target)])]
        )
        assert not pop.overridden.any()

    def test_many_reviews_rate_as_one_at_a_time(self) -> None:
        """Mean ratings are the same whether a review is built alone or among many."""
        reviews = [
            _review(
                f"s{i}",
                assessments=[
                    Assessment(
                        criterion="attitude",
                        source=AssessmentSource.PEER,
                        rater_id=f"p{r}",
                        rating=1 + (i + r) % 5,
                    )
                    for r in range(i % 3)
                ],
            )
            for i in range(40)
        ]
        many = Population.from_reviews(SCHEME, reviews)
        alone = [Population.from_reviews(SCHEME, [r]) for r in reviews]
        np.testing.assert_array_equal(many.ratings, np.concatenate([p.ratings for p in alone]))
        np.testing.assert_array_equal(many.raters, np.concatenate([p.raters for p in alone]))

    def test_other_scheme(self) -> None:
        """A review of another scheme is refused."""
        r = Review(subject=Subject(id="x"), cycle="q", scheme="other")
        with pytest.raises(ScoringError, match="other"):
            Population.from_reviews(SCHEME, [r])

    def test_ratings_rescaled_and_counted(self) -> None:
        """A 1-10 rating is rescaled to the 1-5 criterion scale; raters are counted per source."""
        r = _review(
            assessments=[
                Assessment(
                    criterion="attitude",
                    source=AssessmentSource.PEER,
                    rater_id="p1",
                    rating=10,
                    scale=Scale(low=1, high=10),
                ),
                Assessment(
                    criterion="attitude", source=AssessmentSource.PEER, rater_id="p2", rating=3
                ),
            ]
        )
        pop = Population.from_reviews(SCHEME, [r])
        assert pop.ratings[0, 0, 1] == pytest.approx((5 + 3) / 2)
        assert pop.raters[0, 0, 1] == 2
        assert np.isnan(pop.ratings[0, 0, 0])

    def test_same_rater_twice(self) -> None:
        """A rater rating the same criterion twice for one source is refused."""
        a = Assessment(criterion="attitude", source=AssessmentSource.PEER, rater_id="p", rating=3)
        with pytest.raises(ScoringError, match="more than once"):
            Population.from_reviews(SCHEME, [_review(assessments=[a, a])])

    def test_subject_attributes(self) -> None:
        """Grade, department, pay and tenure are carried for rules."""
        cycle = Cycle(key="q", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
        subj = Subject(
            id="x",
            grade="M2",
            department="cs",
            base_pay=Decimal("1000.00"),
            currency="CNY",
            hire_date=dt.date(2025, 12, 31),
        )
        pop = Population.from_reviews(
            SCHEME, [Review(subject=subj, cycle="q", scheme="cs_managers")], cycle=cycle
        )
        assert (pop.grade, pop.department, pop.currency) == (("M2",), ("cs",), "CNY")
        assert pop.base_pay == (Decimal("1000.00"),)
        assert pop.tenure_days[0] == 90.0
        assert pop.eligible_fraction[0] == 1.0


class TestBasePay:
    """Every builder holds base pay exactly at the currency's minor unit, or refuses it."""

    @pytest.mark.parametrize(
        ("pay", "currency", "match"),
        [
            (Decimal("12000.505"), "CNY", r"base_pay\[1\] \('b'\) is 12000\.505; amounts in CNY "
             r"have at most 2 decimal places"),
            (Decimal("100.5"), "JPY", r"is 100\.5; amounts in JPY have at most 0 decimal"),
            (Decimal("-0.01"), "CNY", r"is Decimal\('-0\.01'\); expected a finite Decimal from 0"),
            (Decimal("1E+14"), "CNY", r"from 0 to 10,000,000,000,000\.00 CNY"),
        ],
    )  # fmt: skip
    def test_from_arrays_refuses_what_from_frame_refuses(
        self, pay: Decimal, currency: str, match: str
    ) -> None:
        """Over-precise, negative or too large pay is refused, naming entry and what is allowed."""
        kwargs = {"subject_ids": ["a", "b"], "actual": np.zeros((2, N_K)), "currency": currency}
        with pytest.raises(ScoringError, match=match):
            Population.from_arrays(SCHEME, base_pay=[Decimal(1), pay], **kwargs)  # type: ignore[arg-type]
        with pytest.raises(ScoringError):
            Population.from_frame(
                SCHEME, {"subject_id": ["a"], "base_pay": [pay], "currency": [currency]}
            )

    def test_over_precise_pay_is_refused_before_it_reaches_a_population(self) -> None:
        """A subject paid in tenths of a fen is refused where it is made, naming the subject."""
        with pytest.raises(
            ValidationError, match=r"Subject 'x': base_pay 1000\.005 CNY is not allowed"
        ):
            Subject(id="x", base_pay=Decimal("1000.005"), currency="CNY")

    @pytest.mark.parametrize("pay", ["0", "0.10", "12000.5", "9999999999999.99", "1E+2"])
    def test_exact_pay_is_held_in_minor_units(self, pay: str) -> None:
        """Pay at or coarser than the minor unit is kept as given and in exact minor units."""
        amount = Decimal(pay)
        pop = Population.from_arrays(
            SCHEME, subject_ids=["a"], actual=np.zeros((1, N_K)), base_pay=[amount], currency="CNY"
        )
        assert pop.base_pay == (amount,)
        assert pop.base_pay_minor.tolist() == [int(amount * 100)]


class TestHelpers:
    def test_eligibility_with_leave(self) -> None:
        """Eligible days run from hire to leave within the cycle, both ends included."""
        from perfmgmt.scoring.population import _eligibility

        c = Cycle(key="q", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
        assert _eligibility(c, dt.date(2026, 1, 11), dt.date(2026, 1, 20)) == (10, 10 / 31, 20.0)
        assert _eligibility(c, dt.date(2026, 2, 1), None)[0] == 0

    def test_rescale(self) -> None:
        """Rescaling maps low to low and high to high linearly."""
        assert rescale_rating(4, Scale(low=1, high=5), Scale(low=1, high=10)) == pytest.approx(7.75)
