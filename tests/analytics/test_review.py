"""Scheme review over time: cycle trends, predictive validity of ratings, opinion summaries."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import pytest

from analytics_schemes import clean_scheme, population
from perfmgmt.analytics import (
    Opinion,
    Respondent,
    predictive_validity,
    score_range,
    summarise_cycle,
    summarise_opinions,
)
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoringEngine

scipy_stats = pytest.importorskip("scipy.stats")


@pytest.fixture(scope="module")
def two_cycles():  # type: ignore[no-untyped-def]
    """One scheme scored over two seeded cycles of the same 300 people."""
    scheme = clean_scheme()
    engine = ScoringEngine()
    first = engine.score_batch(scheme, population(scheme, 300, seed=1))
    second = engine.score_batch(scheme, population(scheme, 300, seed=2))
    return scheme, first, second


class TestSummariseCycle:
    def test_quartiles_means_and_cap_shares_match_a_loop(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Each KPI's mean, quartiles and cap/floor shares equal a plain-Python reference."""
        scheme, first, _ = two_cycles
        summary = summarise_cycle(scheme, first, cycle="Q1")
        for j, kpi in enumerate(scheme.kpis):
            values = [float(v) for v in first.score[:, j].tolist() if not math.isnan(v)]
            floor, cap = score_range(kpi)
            trend = summary.kpis[j]
            assert trend.kpi == kpi.key
            assert trend.scored == len(values)
            assert trend.mean == pytest.approx(
                float(sum(Fraction(v) for v in values) / len(values))
            )
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
            assert (trend.q1, trend.median, trend.q3) == pytest.approx((q1, median, q3))
            assert trend.at_cap == float(Fraction(sum(1 for v in values if v >= cap), len(values)))
            assert trend.at_floor == float(
                Fraction(sum(1 for v in values if v <= floor), len(values))
            )

    def test_rating_counts_are_best_first_and_sum_to_the_rated(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Ratings are counted per band, best first, and add up to the rated people."""
        scheme, first, _ = two_cycles
        summary = summarise_cycle(scheme, first, cycle="Q1")
        labels = [r for r in first.rating().tolist() if r is not None]
        assert [label for label, _ in summary.ratings] == list(reversed(first.rating_labels))
        assert dict(summary.ratings) == {b: labels.count(b) for b in first.rating_labels}
        assert summary.rated == len(labels) == int(first.rated.sum())
        top = summary.ratings[0][0]
        assert summary.share(top) == labels.count(top) / len(labels)

    def test_final_ratings_replace_the_scored_ones(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Calibrated ratings given by the caller are the ones counted."""
        scheme, first, _ = two_cycles
        n = len(first.subject_ids)
        final = [first.rating_labels[-1]] * (n - 1) + [None]
        summary = summarise_cycle(scheme, first, cycle="Q1", ratings=final)
        assert dict(summary.ratings)[first.rating_labels[-1]] == n - 1
        assert summary.rated == n - 1

    def test_costs_are_the_sum_of_each_persons_decisions(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Bonus and deduction totals equal the sum of the per-person Decimal amounts."""
        scheme, first, _ = two_cycles
        decisions = RuleEvaluator().evaluate_batch(scheme, first)
        summary = summarise_cycle(scheme, first, cycle="Q1", decisions=decisions)
        rows = [decisions.row(i) for i in range(len(decisions))]
        if decisions.allocation is not None:
            bonus = sum((r.awarded or Decimal(0) for r in rows), Decimal(0))
        else:
            bonus = sum((r.bonus or Decimal(0) for r in rows), Decimal(0))
        deduction = sum((r.deduction or Decimal(0) for r in rows), Decimal(0))
        assert summary.currency == decisions.currency
        if summary.currency is not None:
            assert (summary.bonus, summary.deduction) == (bonus, deduction)

    def test_wrong_lengths_and_labels_are_refused(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Ratings of the wrong length or with an unknown label raise, naming the field."""
        scheme, first, _ = two_cycles
        with pytest.raises(ValidationError, match="ratings: 1 ratings for 300 people"):
            summarise_cycle(scheme, first, cycle="Q1", ratings=["A"])
        with pytest.raises(ValidationError, match=r"ratings\[0\]: 'Z' is not allowed"):
            summarise_cycle(scheme, first, cycle="Q1", ratings=["Z"] * 300)
        other = attrs.evolve(scheme, key="other")
        with pytest.raises(PerfmgmtError, match="expected scores of 'other'"):
            summarise_cycle(other, first, cycle="Q1")


def _reference_spearman(x: list[float], y: list[float]) -> float:
    return float(scipy_stats.spearmanr(x, y).statistic)


class TestPredictiveValidity:
    def test_means_counts_and_spearman_match_references(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Mean next score per rating is a loop's mean; the correlation is scipy's spearmanr."""
        _, first, second = two_cycles
        result = predictive_validity(first, second, cycle="Q1", next_cycle="Q2")
        ratings = first.rating().tolist()
        nxt = second.quantitative.tolist()
        pairs = [
            (r, q) for r, q in zip(ratings, nxt, strict=True) if r is not None and not math.isnan(q)
        ]
        assert result.matched == 300
        assert result.used == len(pairs)
        for outcome in result.by_rating:
            mine = [q for r, q in pairs if r == outcome.rating]
            assert outcome.people == len(mine)
            if mine:
                assert outcome.mean_next == pytest.approx(
                    float(sum(Fraction(q) for q in mine) / len(mine))
                )
        index = {label: i for i, label in enumerate(first.rating_labels)}
        expected = _reference_spearman([index[r] for r, _ in pairs], [q for _, q in pairs])
        assert result.spearman == pytest.approx(expected, abs=1e-12)

    def test_people_are_matched_by_id_not_by_row(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """Shuffling and dropping rows of the next cycle changes nothing but the matched count."""
        scheme, first, _ = two_cycles
        pop = population(scheme, 300, seed=2)
        order = np.random.default_rng(5).permutation(300)[:250]
        shuffled = ScoringEngine().score_batch(
            scheme,
            attrs.evolve(
                pop,
                subject_ids=tuple(pop.subject_ids[i] for i in order),
                **{
                    f.name: getattr(pop, f.name)[order]
                    for f in attrs.fields(type(pop))
                    if isinstance(getattr(pop, f.name), np.ndarray)
                    and getattr(pop, f.name).shape[:1] == (300,)
                },
            ),
        )
        whole = ScoringEngine().score_batch(scheme, pop)
        kept = {pop.subject_ids[i] for i in order}
        keep = np.array([s in kept for s in first.subject_ids])
        a = predictive_validity(first, shuffled, cycle="Q1", next_cycle="Q2")
        assert a.matched == 250
        ratings = first.rating().tolist()
        by_id = dict(zip(whole.subject_ids, whole.quantitative.tolist(), strict=True))
        pairs = [
            (r, by_id[s])
            for s, r, k in zip(first.subject_ids, ratings, keep.tolist(), strict=True)
            if k and r is not None and not math.isnan(by_id[s])
        ]
        index = {label: i for i, label in enumerate(first.rating_labels)}
        expected = _reference_spearman([index[r] for r, _ in pairs], [q for _, q in pairs])
        assert a.used == len(pairs)
        assert a.spearman == pytest.approx(expected, abs=1e-12)

    def test_ties_take_the_mean_rank(self) -> None:
        """Spearman with tied ratings equals scipy's (ties given their mean rank)."""
        from perfmgmt.analytics.review import _spearman

        x = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 4.0, 4.0])
        y = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 7.0, 7.0])
        assert _spearman(x, y) == pytest.approx(_reference_spearman(list(x), list(y)), abs=1e-12)
        assert _spearman(np.ones(5), np.arange(5.0)) is None
        assert _spearman(x[:2], y[:2]) is None

    def test_duplicate_ids_are_refused(self, two_cycles) -> None:  # type: ignore[no-untyped-def]
        """A population listing someone twice cannot be matched and is refused."""
        _, first, second = two_cycles
        twice = attrs.evolve(second, subject_ids=("p00000",) * len(second.subject_ids))
        with pytest.raises(ValidationError, match="duplicate ids"):
            predictive_validity(first, twice, cycle="Q1", next_cycle="Q2")


def _opinions() -> list[Opinion]:
    out = [
        Opinion(role="manager", scores={"fair": 1 + i % 5, "clear": 5}, comment="ok")
        for i in range(7)
    ]
    for i in range(12):
        scores = {"fair": 1 + (i * 3) % 5}
        if i % 2:
            scores["clear"] = 2
        out.append(Opinion(role=Respondent.STAFF, scores=scores))
    out += [Opinion(role="hr", scores={"fair": 5}, comment="who wrote this") for _ in range(3)]
    return out


class TestOpinions:
    def test_means_are_exact_fractions_per_role_and_question(self) -> None:
        """Each mean is the Fraction of the whole scores of that role's answers."""
        opinions = _opinions()
        summary = summarise_opinions(opinions, k=5)
        assert summary.questions == ("clear", "fair")
        for role in (Respondent.MANAGER, Respondent.STAFF):
            for q in ("fair", "clear"):
                given = [o.score(q) for o in opinions if o.role is role and o.score(q)]
                row = summary.row(role, q)
                if len(given) >= 5:
                    assert row.answers == len(given)
                    assert row.mean == Fraction(sum(given), len(given))  # type: ignore[arg-type]
                else:
                    assert row.suppressed
                    assert row.answers is None
                    assert row.mean is None

    def test_small_groups_show_neither_counts_nor_comments(self) -> None:
        """HR (3 answers) and staff's 'clear' (6 of 12 under k=7) are suppressed entirely."""
        summary = summarise_opinions(_opinions(), k=7)
        hr = summary.row("hr", "fair")
        assert hr.suppressed
        assert hr.mean is None
        assert hr.answers is None
        assert Respondent.HR not in dict(summary.respondents)
        assert Respondent.HR not in dict(summary.comments)
        assert summary.row("staff", "clear").suppressed
        assert dict(summary.respondents) == {Respondent.MANAGER: 7, Respondent.STAFF: 12}
        assert dict(summary.comments)[Respondent.MANAGER] == ("ok",) * 7

    def test_bad_answers_are_refused_by_name(self) -> None:
        """Scores outside 1-5, non-integers, unknown roles and bad k raise ValidationError."""
        with pytest.raises(ValidationError, match="expects a whole score from 1 to 5"):
            Opinion(role="manager", scores={"fair": 6})
        with pytest.raises(ValidationError, match="expects a whole score"):
            Opinion(role="manager", scores={"fair": True})
        with pytest.raises(ValidationError, match="expects a whole score"):
            Opinion(role="manager", scores={"fair": 4.5})
        with pytest.raises(ValidationError, match="'boss' is not allowed; expected 'manager'"):
            Opinion(role="boss")
        with pytest.raises(ValidationError, match="k"):
            summarise_opinions([], k=0)
        with pytest.raises(ValidationError, match=r"opinions\[0\]"):
            summarise_opinions(["fair"])  # type: ignore[list-item]

    def test_scores_are_stored_sorted_and_compare_equal(self) -> None:
        """The same answers in another order make an equal, hashable Opinion."""
        a = Opinion(role="staff", scores={"b": 2, "a": 3})
        b = Opinion(role=Respondent.STAFF, scores={"a": 3, "b": 2})
        assert a == b
        assert hash(a) == hash(b)
        assert a.scores == (("a", 3), ("b", 2))
        assert a.score("c") is None
