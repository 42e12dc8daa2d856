"""adverse_impact: rates, four-fifths ratios, tests and score gaps; small groups hidden."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics_schemes import clean_scheme, evolve, population
from perfmgmt.analytics import FOUR_FIFTHS, AdverseImpact, adverse_impact
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.model import Bonus, IncentiveRule, Promotion
from perfmgmt.rules import RuleEvaluator
from perfmgmt.rules.parse import parse
from perfmgmt.scoring import ScoringEngine

scipy_stats = pytest.importorskip("scipy.stats")


def _people(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of unequal size (one tiny), unequal selection rates, and scores."""
    rng = np.random.default_rng(seed)
    groups = rng.choice(
        ["north", "south", "east", "west", "tiny"], size=n, p=[0.4, 0.3, 0.2, 0.095, 0.005]
    )
    rate = np.select([groups == "south", groups == "east"], [0.15, 0.3], 0.35)
    selected = rng.random(n) < rate
    scores = rng.normal(80.0, 12.0, n) + np.where(groups == "south", -3.0, 0.0)
    return groups, selected, scores


@pytest.fixture(scope="module")
def analysis() -> tuple[AdverseImpact, np.ndarray, np.ndarray, np.ndarray]:
    """One analysis over the seeded people, with its inputs."""
    groups, selected, scores = _people(7)
    return (
        adverse_impact(selected, groups, outcome="promotion", scores=scores, k=10),
        groups,
        selected,
        scores,
    )


class TestCounts:
    def test_rates_and_ratios_are_exact_fractions_of_the_counts(self, analysis) -> None:  # type: ignore[no-untyped-def]
        """Each rate is selected/people and each ratio rate/reference rate, counted by hand."""
        result, groups, selected, _ = analysis
        people = Counter(groups.tolist())
        chosen = Counter(g for g, s in zip(groups.tolist(), selected.tolist(), strict=True) if s)
        shown = {g for g, n in people.items() if n >= 10}
        best = max(sorted(shown), key=lambda g: Fraction(chosen[g], people[g]))
        assert result.reference == best
        for g in shown:
            entry = result.group(g)
            assert (entry.people, entry.selected) == (people[g], chosen[g])
            assert entry.rate == float(Fraction(chosen[g], people[g]))
            ratio = Fraction(chosen[g], people[g]) / Fraction(chosen[best], people[best])
            assert entry.impact_ratio == pytest.approx(float(ratio), rel=1e-15)
            assert entry.below_four_fifths == (ratio < Fraction(4, 5))
        assert result.people == sum(people[g] for g in shown)
        assert result.selected == sum(chosen[g] for g in shown)
        assert "south" in result.flagged

    def test_small_groups_are_suppressed_without_figures(self, analysis) -> None:  # type: ignore[no-untyped-def]
        """A group under k people is named as suppressed and carries no number at all."""
        result = analysis[0]
        tiny = result.group("tiny")
        assert tiny.suppressed
        assert result.suppressed == ("tiny",)
        assert all(
            v is None
            for k, v in next(r for r in result.to_records() if r["group"] == "tiny").items()
            if k not in ("group", "suppressed")
        )
        text = result.explain()
        assert "tiny" not in text
        assert "suppressed" in text


class TestAgainstScipy:
    def test_each_group_test_matches_scipy_on_its_2x2_table(self, analysis) -> None:  # type: ignore[no-untyped-def]
        """Fisher's p or the z test's p equals scipy's on the group-vs-reference table."""
        result = analysis[0]
        ref = result.group(result.reference)
        assert ref.test is None
        for g in result.groups:
            if g.suppressed or g.test is None:
                continue
            table = np.array(
                [[g.selected, g.people - g.selected], [ref.selected, ref.people - ref.selected]]
            )
            if g.test == "fisher":
                expected = scipy_stats.fisher_exact(table).pvalue
            else:
                expected = scipy_stats.chi2_contingency(table, correction=False).pvalue
            assert g.p_value == pytest.approx(expected, rel=1e-9)

    def test_chi_square_across_groups_matches_scipy(self, analysis) -> None:  # type: ignore[no-untyped-def]
        """The closing chi-square over the groups shown equals scipy.stats.chi2_contingency."""
        result = analysis[0]
        rows = [[g.selected, g.people - g.selected] for g in result.groups if not g.suppressed]
        ref = scipy_stats.chi2_contingency(np.array(rows), correction=False)
        assert result.chi_square == pytest.approx(ref.statistic, rel=1e-12)
        assert result.df == ref.dof
        assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9)

    def test_score_gaps_match_welch_in_scipy(self, analysis) -> None:  # type: ignore[no-untyped-def]
        """Each score gap's t, p and interval equal ttest_ind(equal_var=False) vs the reference."""
        result, groups, _, scores = analysis
        base = scores[groups == result.reference]
        for g in result.groups:
            if g.suppressed or g.test is None:
                continue
            mine = scores[groups == g.group]
            ref = scipy_stats.ttest_ind(mine, base, equal_var=False)
            ci = ref.confidence_interval(0.95)
            assert g.score is not None
            assert g.score.difference == pytest.approx(mine.mean() - base.mean(), rel=1e-12)
            assert g.score.t == pytest.approx(ref.statistic, rel=1e-9)
            assert g.score.p_value == pytest.approx(ref.pvalue, rel=1e-9)
            assert (g.score.low, g.score.high) == pytest.approx((ci.low, ci.high), rel=1e-9)

    def test_small_expected_counts_use_fisher(self) -> None:
        """A rare outcome in a small group is tested exactly; otherwise by z."""
        groups = np.array(["a"] * 12 + ["b"] * 300)
        selected = np.zeros(312, dtype=bool)
        selected[:1] = True
        selected[12:100] = True
        result = adverse_impact(selected, groups)
        assert result.group("a").test == "fisher"
        expected = scipy_stats.fisher_exact([[1, 11], [88, 212]]).pvalue
        assert result.group("a").p_value == pytest.approx(expected, rel=1e-12)
        assert adverse_impact(selected, groups, exact_below=0).group("a").test == "z"


class TestSources:
    def test_rating_at_or_above_a_band_from_scores(self) -> None:
        """From BatchScores: a rating at or above the band; the unrated are excluded."""
        scheme = clean_scheme()
        pop = population(scheme, 400, seed=3)
        scores = ScoringEngine().score_batch(scheme, pop)
        groups = np.where(np.arange(400) % 3 == 0, "x", "y")
        result = adverse_impact(scores, groups, band="B")
        b = scores.rating_labels.index("B")
        for label in ("x", "y"):
            mask = (groups == label) & scores.rated
            assert result.group(label).people == int(mask.sum())
            assert result.group(label).selected == int((scores.rating_index[mask] >= b).sum())
            assert result.group(label).score is not None
        assert result.excluded == int((~scores.rated).sum())

    def test_promotion_and_bonus_from_decisions(self) -> None:
        """From decisions: promotion where a promoting rule fired, bonus where one is paid."""
        base = clean_scheme()
        scheme = evolve(
            base,
            rules=(
                *base.rules,
                IncentiveRule(
                    key="promote", condition=parse('rating == "A"'), outcomes=(Promotion(),)
                ),
            ),
        )
        pop = population(scheme, 300, seed=5)
        scores = ScoringEngine().score_batch(scheme, pop)
        decisions = RuleEvaluator().evaluate_batch(scheme, scores)
        groups = np.where(np.arange(300) % 2 == 0, "even", "odd")
        top = np.asarray(scores.rating_index) == scores.rating_labels.index("A")
        np.testing.assert_array_equal(decisions.granted(Promotion), top)
        promo = adverse_impact(decisions, groups, outcome="promotion")
        assert promo.group("even").selected == int(top[groups == "even"].sum())
        bonus = adverse_impact(decisions, groups, outcome="bonus")
        # A bonus line applied, unless its total is known to be zero.
        zero = np.asarray(decisions.bonus_known) & (np.asarray(decisions.bonus_minor) == 0)
        paid = decisions.granted(Bonus) & ~zero
        assert paid.any()
        assert bonus.group("odd").selected == int(paid[groups == "odd"].sum())

    def test_unfavourable_outcome_compares_the_share_spared(self) -> None:
        """For a deduction, the group deducted more often has the lower impact ratio."""
        groups = np.array(["a"] * 100 + ["b"] * 100)
        deducted = np.zeros(200, dtype=bool)
        deducted[:10] = True  # a: 10 %
        deducted[100:140] = True  # b: 40 %
        result = adverse_impact(deducted, groups, outcome="deduction")
        assert not result.favourable
        assert result.reference == "a"
        assert result.group("b").impact_ratio == pytest.approx(float(Fraction(60, 90)))
        assert result.flagged == ("b",)


class TestProperties:
    @given(
        st.lists(st.tuples(st.sampled_from("abcdef"), st.booleans()), min_size=1, max_size=120),
        st.integers(1, 12),
    )
    @settings(max_examples=80, deadline=None)
    def test_ratios_at_most_one_and_hidden_groups_change_nothing(
        self, people: list[tuple[str, bool]], k: int
    ) -> None:
        """Ratios lie in [0, 1]; flipping a suppressed group's outcomes changes no figure."""
        groups = np.array([g for g, _ in people])
        selected = np.array([s for _, s in people])
        result = adverse_impact(selected, groups, k=k)
        for g in result.groups:
            assert g.suppressed == (int((groups == g.group).sum()) < k)
            if g.impact_ratio is not None:
                assert 0.0 <= g.impact_ratio <= 1.0
        hidden = np.isin(groups, result.suppressed)
        flipped = np.where(hidden, ~selected, selected)
        assert adverse_impact(flipped, groups, k=k) == result

    @given(
        st.lists(st.tuples(st.sampled_from("xyz"), st.booleans()), min_size=1, max_size=80),
        st.randoms(),
    )
    @settings(max_examples=50, deadline=None)
    def test_order_of_people_does_not_matter(self, people: list[tuple[str, bool]], rnd) -> None:  # type: ignore[no-untyped-def]
        """Shuffling the people gives the same analysis."""
        shuffled = list(people)
        rnd.shuffle(shuffled)
        one = adverse_impact(
            np.array([s for _, s in people]), np.array([g for g, _ in people]), k=1
        )
        two = adverse_impact(
            np.array([s for _, s in shuffled]), np.array([g for g, _ in shuffled]), k=1
        )
        assert one == two


class TestInputs:
    def test_categorical_groups_read_by_codes(self) -> None:
        """A pandas Categorical gives the same analysis as its labels."""
        pd = pytest.importorskip("pandas")
        groups, selected, _ = _people(1, 300)
        one = adverse_impact(selected, groups)
        two = adverse_impact(selected, pd.Categorical(groups))
        assert one == two

    def test_frame_columns_of_every_kind_give_the_same_analysis(self) -> None:
        """Groups as a pandas, polars (text or categorical) or Arrow column read alike."""
        pd = pytest.importorskip("pandas")
        pl = pytest.importorskip("polars")
        pa = pytest.importorskip("pyarrow")
        groups, selected, _ = _people(2, 300)
        want = adverse_impact(selected, groups)
        labels = groups.tolist()
        for column in (
            pd.Series(labels),
            pd.Series(labels, dtype="category"),
            pl.Series(labels),
            pl.Series(labels, dtype=pl.Categorical),
            pa.array(labels),
            labels,
        ):
            assert adverse_impact(selected, column) == want, type(column)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"k": 0}, "k"),
            ({"alpha": 1.5}, "alpha"),
            ({"exact_below": -1}, "exact_below"),
            ({"groups": np.array(["a", None, "b"], dtype=object)}, "groups"),
            ({"groups": np.array(["a", "b"])}, "groups"),
            ({"source": np.array([0.5, 1.0, 0.0])}, "selected"),
            ({"known": np.array([1, 0, 1])}, "known"),
            ({"scores": np.array([1.0, np.inf, 2.0])}, "scores"),
        ],
    )
    def test_bad_input_is_refused_by_field(self, kwargs: dict[str, object], field: str) -> None:
        """Bad options and columns raise a ValidationError naming the field."""
        args: dict[str, object] = {
            "source": np.array([True, False, True]),
            "groups": np.array(["a", "a", "b"]),
        }
        args.update(kwargs)
        source, groups = args.pop("source"), args.pop("groups")
        with pytest.raises(ValidationError) as err:
            adverse_impact(source, groups, **args)  # type: ignore[arg-type]
        assert err.value.field == field

    def test_scores_need_a_known_band(self) -> None:
        """From scores, an unknown band or another outcome is refused with the choices."""
        scheme = clean_scheme()
        scores = ScoringEngine().score_batch(scheme, population(scheme, 20))
        groups = np.array(["a"] * 20)
        with pytest.raises(PerfmgmtError, match="band"):
            adverse_impact(scores, groups, band="Z")
        with pytest.raises(PerfmgmtError, match="outcome"):
            adverse_impact(scores, groups, outcome="bonus", band="B")


class TestText:
    def test_explain_in_english_and_chinese(self, analysis) -> None:  # type: ignore[no-untyped-def]
        """The text names the reference, the flagged groups and the chi-square, en and zh."""
        result = analysis[0]
        en, zh = result.explain(), result.explain("zh")
        assert f"Reference group: {result.reference}" in en
        assert "south" in en.split("Below four-fifths")[1]
        assert f"参照群体: {result.reference}" in zh
        assert "卡方" in zh
        assert "置信区间" in zh
        assert "自由度" in zh
        assert "CI" not in zh
        with pytest.raises(ValidationError):
            result.explain("fr")

    def test_four_fifths_constant(self) -> None:
        """The four-fifths threshold is 0.8."""
        assert FOUR_FIFTHS == 0.8


class TestLabels:
    @pytest.mark.parametrize(
        "labels",
        [
            ["b", "a", "ab", "", "a\u00e9"],  # short ASCII, empty, one non-ASCII character
            ["部门甲", "部门乙", "b"],  # wide characters
            ["a long department name", "another long name", "x"],  # past 8 characters
            [b"north", b"south"],  # bytes
            [3, 1, 2],
            [0.5, 1.5],
        ],
    )
    def test_every_kind_of_label_groups_like_plain_python(self, labels: list[object]) -> None:
        """Text of any width, bytes and numbers are grouped exactly and listed in sorted order."""
        rng = np.random.default_rng(0)
        picks = rng.integers(0, len(labels), 500)
        groups = np.array(labels)[picks]
        selected = rng.random(500) < 0.4
        result = adverse_impact(selected, groups, k=1)
        want = sorted(set(groups.tolist()))
        shown = [x.decode() if isinstance(x, bytes) else str(x) for x in want]
        assert [g.group for g in result.groups] == shown
        for value, label in zip(want, shown, strict=True):
            assert result.group(label).people == int((groups == value).sum())
            assert result.group(label).selected == int(selected[groups == value].sum())

    def test_long_labels_sharing_a_prefix_stay_apart(self) -> None:
        """Labels alike in their first 16 characters (two packed words) are still two groups."""
        a, b = "customer service east 1", "customer service east 2"
        groups = np.array([a, b, "customer service west"] * 2_000)  # the hashing route
        selected = np.arange(len(groups)) % 3 != 1
        result = adverse_impact(selected, groups, k=1)
        assert [g.group for g in result.groups] == sorted({a, b, "customer service west"})
        assert [g.people for g in result.groups] == [2_000, 2_000, 2_000]
        assert [g.selected for g in result.groups] == [
            int(selected[groups == name].sum()) for name in sorted(set(groups.tolist()))
        ]

    def test_category_series_keeps_category_order(self) -> None:
        """A pandas category Series lists its groups in the categories' order, unused dropped."""
        pd = pytest.importorskip("pandas")
        bands = pd.Series(
            pd.Categorical(
                ["30-39", "<30", "40+", "<30"] * 10, categories=["<30", "30-39", "40+", "none"]
            )
        )
        result = adverse_impact(np.arange(40) % 2 == 0, bands, k=1)
        assert [g.group for g in result.groups] == ["<30", "30-39", "40+"]


def test_exactly_four_fifths_is_not_below() -> None:
    """A ratio of exactly 4/5 (2/3 against 5/6) is not flagged, though in floats it is < 0.8."""
    assert (2 / 3) / (5 / 6) < 0.8  # the float ratio falls just under the edge
    groups = np.array(["a"] * 3 + ["b"] * 6)
    selected = np.array([True, True, False] + [True] * 5 + [False])
    result = adverse_impact(selected, groups, k=1)
    assert result.group("a").below_four_fifths is False
    assert result.flagged == ()


def test_granted_refuses_what_is_not_an_outcome() -> None:
    """BatchDecisions.granted takes outcome classes only and names the allowed ones."""
    from perfmgmt.errors import RuleError

    scheme = clean_scheme()
    scores = ScoringEngine().score_batch(scheme, population(scheme, 10))
    decisions = RuleEvaluator().evaluate_batch(scheme, scores)
    with pytest.raises(RuleError, match="Promotion"):
        decisions.granted(str)
    assert not decisions.granted(Promotion).any()  # the clean scheme promotes nobody


def test_result_round_trips_through_json() -> None:
    """An analysis (NaN figures of the reference included) is written and read back equal."""
    from perfmgmt.serialization import dumps, loads

    groups, selected, scores = _people(3)
    result = adverse_impact(selected, groups, scores=scores, k=10)
    assert result.group(result.reference).score is not None  # its NaN interval becomes null
    assert loads(dumps(result), AdverseImpact) == result
