"""Tests for perfmgmt.calibration: rater standardisation, guided distribution, the log."""

from __future__ import annotations

import math
from fractions import Fraction

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from _lifecycle import CYCLE, actuals, at, goals, review
from _lifecycle import scheme as lifecycle_scheme
from perfmgmt.calibration import (
    CalibrationLog,
    CalibrationReason,
    RatingCalibration,
    calibrate_ratings,
    calibrate_reviews,
    guide_batch,
    guide_distribution,
    target_counts,
)
from perfmgmt.errors import PerfmgmtError, ScoringError, SerializationError, ValidationError
from perfmgmt.model import (
    KPI,
    Actual,
    Assessment,
    AssessmentSource,
    Band,
    Category,
    Indicator,
    Label,
    QualitativeCriterion,
    RatingScale,
    Review,
    Scale,
    Scheme,
    ScoringSpec,
    SourcePolicy,
    Subject,
)
from perfmgmt.scoring import Population, ScoringEngine
from perfmgmt.workflow import agree_goals, calibrate, evaluate

PEER, MANAGER = AssessmentSource.PEER, AssessmentSource.MANAGER


def _scheme(*, shares: tuple[float, float, float] | None = (0.2, 0.6, 0.2)) -> Scheme:
    """Return a one-KPI scheme with two criteria (1-5 and 0-10) rated by managers and peers."""

    def band(label: str, lo: float, hi: float, share: float | None) -> Band:
        return Band(label=label, lower=lo, upper=hi, guideline_share=share)

    s = shares or (None, None, None)
    return Scheme(
        key="cal",
        version="1",
        label=Label(en="Calibration test"),
        categories=[Category(key="c", label=Label(en="c"), weight=1.0)],
        kpis=[
            KPI(
                indicator=Indicator(key="k", label=Label(en="k")),
                category="c",
                weight=1.0,
                scoring=ScoringSpec(scorer="linear"),
                threshold=0.0,
                target=10.0,
                stretch=20.0,
            )
        ],
        criteria=[
            QualitativeCriterion(key="attitude", label=Label(en="Attitude"), weight=0.5),
            QualitativeCriterion(
                key="teamwork",
                label=Label(en="Teamwork"),
                weight=0.5,
                scale=Scale(low=0.0, high=10.0),
            ),
        ],
        sources=[
            SourcePolicy(source=MANAGER, weight=0.5),
            SourcePolicy(source=PEER, weight=0.5),
        ],
        quantitative_share=0.7,
        rating_scale=RatingScale(
            bands=[band("C", 0, 80, s[0]), band("B", 80, 110, s[1]), band("A", 110, 200, s[2])]
        ),
    )


SCHEME = _scheme()


def _columns(
    ratings: dict[str, list[tuple[str, float]]],
    *,
    criterion: str = "attitude",
    source: str = "peer",
) -> dict[str, list[str] | list[float]]:
    """Flatten ``{rater: [(subject, rating), ...]}`` into calibrate_ratings columns."""
    rows = [(s, r, x) for r, items in ratings.items() for s, x in items]
    return {
        "subject": [s for s, _, _ in rows],
        "criterion": [criterion] * len(rows),
        "source": [source] * len(rows),
        "rater": [r for _, r, _ in rows],
        "rating": [x for _, _, x in rows],
    }


def _calibrate(
    ratings: dict[str, list[tuple[str, float]]], min_ratings: int = 3, **kw: str
) -> RatingCalibration:
    cols = _columns(ratings, **kw)
    return calibrate_ratings(SCHEME, min_ratings=min_ratings, **cols)


class TestRaterStandardisation:
    def test_hand_computed_two_raters(self) -> None:
        """A lenient and a severe rater are moved to the peers' mean and spread."""
        cal = _calibrate(
            {
                "r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)],
                "r2": [("a", 2.0), ("b", 3.0), ("c", 1.0)],
            }
        )
        # Reference: 4,5,3,2,3,1 -> mean 3, variance 10/6; each rater: spread variance 2/3.
        k = math.sqrt((10 / 6) / (2 / 3))
        expected = [3.0, 3.0 + k, 3.0 - k, 3.0, 3.0 + k, 3.0 - k]
        np.testing.assert_allclose(cal.rating, expected, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(cal.before, [4, 5, 3, 2, 3, 1])
        (ref,) = cal.references
        assert (ref.criterion, ref.source, ref.ratings) == ("attitude", "peer", 6)
        assert ref.mean == pytest.approx(3.0)
        assert ref.sd == pytest.approx(math.sqrt(10 / 6))
        r1 = cal.adjustment("r1", "attitude", "peer")
        r2 = cal.adjustment("r2", "attitude", "peer")
        assert r1.offset == pytest.approx(1.0)
        assert r2.offset == pytest.approx(-1.0)
        assert r1.scale_factor == pytest.approx(k)
        assert (r1.pooled, r1.changed, r1.clamped) == (False, 3, 0)

    def test_clamped_to_the_scale_and_logged_as_clamped(self) -> None:
        """A calibrated rating beyond the scale is clamped to it, and the log says so."""
        cal = _calibrate(
            {
                "r1": [("a", 2.0), ("b", 3.0), ("c", 3.0), ("d", 3.0)],
                "r2": [("a", 5.0), ("b", 5.0), ("c", 1.0), ("d", 1.0)],
            }
        )
        x = np.array([2, 3, 3, 3, 5, 5, 1, 1], dtype=float)
        mu, sigma = x.mean(), x.std()
        raw_low = mu + (2.0 - x[:4].mean()) * sigma / x[:4].std()
        assert raw_low < 1.0  # the hand computation says this one must clamp
        assert cal.rating[0] == 1.0
        first = cal.log.changes[0]
        assert (first.subject_id, first.before, first.after) == ("a", 2.0, 1.0)
        assert first.reason is CalibrationReason.RATER_CLAMPED
        assert "clamped to the scale" in first.text()
        assert cal.adjustment("r1", "attitude", "peer").clamped == 1
        assert cal.rating.min() >= 1.0
        assert cal.rating.max() <= 5.0

    def test_a_top_rating_clamped_back_to_itself_is_no_change(self) -> None:
        """A rating whose calibrated value clamps to its own value is not logged as changed."""
        cal = _calibrate(
            {
                "r1": [("a", 5.0), ("b", 4.0), ("c", 4.0), ("d", 4.0)],
                "r2": [("a", 1.0), ("b", 1.0), ("c", 5.0), ("d", 5.0)],
            }
        )
        assert cal.rating[0] == 5.0
        assert all(c.subject_id != "a" or ",r1]" not in c.field for c in cal.log)

    def test_rater_below_minimum_is_pooled_not_changed(self) -> None:
        """A rater with fewer than min_ratings keeps their ratings but counts in the mean."""
        cal = _calibrate(
            {
                "r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)],
                "few": [("a", 5.0), ("b", 5.0)],
            }
        )
        np.testing.assert_array_equal(cal.rating[3:], [5.0, 5.0])
        few = cal.adjustment("few", "attitude", "peer")
        assert few.pooled
        assert (few.scale_factor, few.changed) == (1.0, 0)
        mu = np.mean([4, 5, 3, 5, 5])
        assert cal.references[0].mean == pytest.approx(mu)
        assert few.offset == pytest.approx(5.0 - mu)
        assert all(c.field.endswith(",r1]") for c in cal.log)

    def test_references_are_per_criterion_and_source(self) -> None:
        """Managers are compared with managers, peers with peers, never across."""
        peers = _columns({"p1": [("a", 2.0), ("b", 3.0), ("c", 4.0)]})
        managers = _columns({"m1": [("a", 5.0), ("b", 5.0), ("c", 4.0)]}, source="manager")
        cols = {k: [*peers[k], *managers[k]] for k in peers}
        cal = calibrate_ratings(SCHEME, min_ratings=3, **cols)
        # Each reference has one rater, who is its own population: nothing moves.
        assert len(cal.log) == 0
        np.testing.assert_array_equal(cal.rating, cal.before)
        assert {(r.source, r.ratings) for r in cal.references} == {("peer", 3), ("manager", 3)}

    def test_constant_rater_moves_to_the_mean(self) -> None:
        """A rater who gives everyone the same rating is shifted to the reference mean."""
        cal = _calibrate(
            {
                "flat": [("a", 5.0), ("b", 5.0), ("c", 5.0)],
                "r2": [("a", 1.0), ("b", 3.0), ("c", 2.0)],
            }
        )
        mu = np.mean([5, 5, 5, 1, 3, 2])
        np.testing.assert_allclose(cal.rating[:3], [mu] * 3)
        assert cal.adjustment("flat", "attitude", "peer").scale_factor == 1.0

    def test_log_is_complete(self) -> None:
        """Exactly the changed ratings are logged, with their before and after values."""
        cal = _calibrate(
            {
                "r1": [("a", 4.0), ("b", 5.0), ("c", 3.0), ("d", 4.0)],
                "r2": [("a", 2.0), ("b", 2.0), ("c", 1.0), ("d", 3.0)],
                "r3": [("a", 3.0)],
            }
        )
        moved = np.flatnonzero(cal.rating != cal.before)
        assert len(cal.log) == len(moved) > 0
        for i, change in zip(moved.tolist(), cal.log, strict=True):
            assert change.subject_id == cal.subject[i]
            assert change.field == f"assessment[attitude,peer,{cal.rater[i]}]"
            assert (change.before, change.after) == (cal.before[i], cal.rating[i])
            assert change.param("rater") == cal.rater[i]

    def test_mean_ratings_feed_a_population(self) -> None:
        """Calibrated means per subject, criterion and source build a scoring population."""
        cal = _calibrate(
            {
                "r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)],
                "r2": [("a", 2.0), ("b", 3.0), ("c", 1.0)],
            }
        )
        ratings, raters = cal.mean_ratings(SCHEME, ["a", "b", "c", "z"])
        assert ratings.shape == (4, 2, 2)
        peer = 1
        for row, sid in enumerate("abc"):
            mine = cal.rating[cal.subject == sid]
            assert ratings[row, 0, peer] == pytest.approx(mine.mean())
            assert raters[row, 0, peer] == 2
        assert np.isnan(ratings[3]).all()
        assert (raters[3] == 0).all()
        pop = Population.from_arrays(
            SCHEME,
            subject_ids=["a", "b", "c", "z"],
            actual=[[5.0], [6.0], [7.0], [8.0]],
            ratings=ratings,
            raters=raters,
        )
        assert len(pop) == 4

    @pytest.mark.parametrize(
        ("change", "match"),
        [
            ({"criterion": ["nope"] * 3}, "criterion\\[0\\] is 'nope'"),
            ({"source": ["boss"] * 3}, "source\\[0\\] is 'boss'"),
            ({"rating": [4.0, 6.0, 3.0]}, "rating\\[1\\] .* is 6.0; expected .*\\[1, 5\\]"),
            ({"rating": [4.0, math.nan, 3.0]}, "rating\\[1\\]"),
            ({"rater": ["r1", "r1"]}, "rater has 2 entries but subject has 3"),
            ({"subject": ["a", "a", "b"]}, "rated 'a' on 'attitude' as 'peer' more than once"),
        ],
    )
    def test_bad_columns_are_refused(self, change: dict[str, list[object]], match: str) -> None:
        """Bad columns raise a ScoringError naming the entry, the value and what is allowed."""
        cols: dict[str, list[object]] = {
            **_columns({"r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)]}),  # type: ignore[dict-item]
            **change,
        }
        with pytest.raises(ScoringError, match=match):
            calibrate_ratings(SCHEME, **cols)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [0, -1, 2.5, True])
    def test_min_ratings_must_be_a_positive_whole_number(self, bad: object) -> None:
        """min_ratings below 1 or not a whole number is a ValidationError naming it."""
        with pytest.raises(ValidationError, match="min_ratings"):
            calibrate_ratings(SCHEME, min_ratings=bad, **_columns({"r": [("a", 3.0)]}))  # type: ignore[arg-type]

    def test_report_and_explain_in_both_languages(self) -> None:
        """The rater table and the log read in English and Chinese; other languages are refused."""
        cal = _calibrate(
            {
                "r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)],
                "r2": [("a", 2.0), ("b", 3.0), ("c", 1.0)],
                "one": [("a", 5.0)],
            }
        )
        en, zh = cal.report(), cal.report("zh")
        offset = 4.0 - 23 / 7  # r1's mean minus the mean of all seven ratings
        assert f"| r1 | attitude | peer | 3 | 4.000 | {offset:+.3f} |" in en
        assert "| one | attitude | peer | 1 | 5.000 |" in en
        assert "pooled (unchanged)" in en
        assert "合并" in zh
        short = cal.report(pooled=False)
        assert "| one |" not in short
        assert short.endswith(
            "1 more raters gave fewer than 3 ratings: pooled (unchanged, not listed)."
        )
        text = cal.log.explain()
        assert text.startswith("Calibration changes: 6 (rater standardised 6)")
        assert "a assessment[attitude,peer,r1]: 4 → " in text
        assert f"(rater r1 standardised (offset {offset:+.3f}, scale factor" in text
        assert "评分人 r1 标准化" in cal.log.explain("zh")
        with pytest.raises(ValidationError, match="lang"):
            cal.log.explain("fr")
        assert CalibrationLog().explain() == "Calibration changed nothing."


def _assessment(crit: str, rater: str, rating: float, **kw: object) -> Assessment:
    return Assessment(criterion=crit, source=PEER, rater_id=rater, rating=rating, **kw)  # type: ignore[arg-type]


def _review(sid: str, *assessments: Assessment) -> Review:
    return Review(
        subject=Subject(id=sid),
        cycle="2026Q1",
        scheme="cal",
        actuals=[Actual(kpi="k", value=10.0)],
        assessments=assessments,
    )


class TestReviews:
    def test_reviews_calibrated_like_columns(self) -> None:
        """Assessments get the same calibrated ratings as the columnar form; the rest is kept."""
        data = {"a": (4.0, 2.0), "b": (5.0, 3.0), "c": (3.0, 1.0)}
        reviews = [
            _review(s, _assessment("attitude", "r1", x1), _assessment("attitude", "r2", x2))
            for s, (x1, x2) in data.items()
        ]
        out = calibrate_reviews(SCHEME, reviews, min_ratings=3)
        cols = _calibrate(
            {
                "r1": [(s, x1) for s, (x1, _) in data.items()],
                "r2": [(s, x2) for s, (_, x2) in data.items()],
            }
        )
        got = {(r.subject.id, a.rater_id): a.rating for r in out.reviews for a in r.assessments}
        for s, r, x in zip(cols.subject, cols.rater, cols.rating, strict=True):
            assert got[(str(s), str(r))] == pytest.approx(float(x))
        for before, after in zip(reviews, out.reviews, strict=True):
            assert attrs.evolve(after, assessments=before.assessments) == before
        assert len(out.log) == 6

    def test_own_scale_ratings_mapped_back(self) -> None:
        """A rating on its own scale is calibrated on the criterion's and stored on its own."""
        ten = Scale(low=1.0, high=10.0)
        reviews = [
            _review("a", _assessment("attitude", "r1", 7.75, scale=ten)),  # 4 on 1-5
            _review("b", _assessment("attitude", "r1", 10.0, scale=ten)),  # 5 on 1-5
            _review("c", _assessment("attitude", "r1", 5.5, scale=ten)),  # 3 on 1-5
            *(
                _review(s, _assessment("attitude", "r2", x))
                for s, x in (("d", 2.0), ("e", 3.0), ("f", 1.0))
            ),
        ]
        out = calibrate_reviews(SCHEME, reviews, min_ratings=3)
        k = math.sqrt((10 / 6) / (2 / 3))  # same numbers as the hand-computed columns case
        on_five = 3.0 + k  # b's calibrated rating on 1-5
        b = out.reviews[1].assessments[0]
        assert b.scale == ten
        assert b.rating == pytest.approx(1.0 + (on_five - 1.0) / 4.0 * 9.0)
        change = next(c for c in out.log if c.subject_id == "b")
        assert (change.before, change.after) == (10.0, b.rating)

    def test_unchanged_reviews_are_the_same_objects(self) -> None:
        """A review none of whose ratings moved is returned as it was."""
        reviews = [_review("a", _assessment("attitude", "only", 4.0)), _review("z")]
        out = calibrate_reviews(SCHEME, reviews, min_ratings=3)
        assert out.reviews[0] is reviews[0]
        assert out.reviews[1] is reviews[1]
        assert len(out.log) == 0

    def test_wrong_scheme_and_items_refused(self) -> None:
        """A review of another scheme, or a non-review, is a ScoringError."""
        other = attrs.evolve(_review("a"), scheme="other")
        with pytest.raises(ScoringError, match="scheme 'other', not 'cal'"):
            calibrate_reviews(SCHEME, [other])
        with pytest.raises(ScoringError, match="item 0 is a str"):
            calibrate_reviews(SCHEME, ["a"])  # type: ignore[list-item]


class TestTargetCounts:
    def test_hand_computed(self) -> None:
        """10/20/40/20/10 of 7 and of 8 by largest remainder, ties to the better band."""
        shares = [0.1, 0.2, 0.4, 0.2, 0.1]
        # 7: quotas .7 1.4 2.8 1.4 .7 -> 0 1 2 1 0, three left: C (.8), then A and E (.7).
        assert target_counts(shares, 7) == (1, 1, 3, 1, 1)
        # 8: quotas .8 1.6 3.2 1.6 .8 -> 0 1 3 1 0, three left: A, E (.8), then B before D (.6).
        assert target_counts(shares, 8) == (1, 1, 3, 2, 1)
        assert target_counts(shares, 0) == (0, 0, 0, 0, 0)
        assert target_counts(shares, 10) == (1, 2, 4, 2, 1)

    @given(
        shares=st.lists(st.integers(0, 20), min_size=2, max_size=7).filter(lambda s: sum(s) > 0),
        n=st.integers(0, 500),
    )
    def test_counts_sum_to_n_and_round_the_quotas(self, shares: list[int], n: int) -> None:
        """Counts add up to n and each is its quota rounded down or up."""
        total = sum(shares)
        counts = target_counts([s / total for s in shares], n)
        assert sum(counts) == n
        for s, c in zip(shares, counts, strict=True):
            quota = Fraction(s * n, total)
            assert math.floor(quota) <= c <= math.ceil(quota)

    @pytest.mark.parametrize(
        ("shares", "n", "match"),
        [([0.5, 0.5], -1, "n=-1"), ([], 3, "empty"), ([0.5, 1.5], 3, "1.5"), ([0.0, 0.0], 3, "0")],
    )
    def test_bad_input(self, shares: list[float], n: int, match: str) -> None:
        """Bad shares or counts raise a ValidationError naming them."""
        with pytest.raises(ValidationError, match=match):
            target_counts(shares, n)


SCALE = SCHEME.rating_scale  # C [0, 80) 20 %, B [80, 110) 60 %, A [110, 200] 20 %


class TestGuidedDistribution:
    def test_hand_computed_with_the_tie_rule(self) -> None:
        """Equal totals are ranked by the quantitative part, then by subject id."""
        ids = ["b", "a", "c", "d", "e"]
        total = [100.0, 100.0, 100.0, 90.0, math.nan]
        quant = [50.0, 50.0, 60.0, math.nan, 10.0]
        g = guide_distribution(
            SCALE, subject_ids=ids, total=total, quantitative=quant, enforce=True
        )
        # Rank: c (quant 60), a and b (quant 50; id a first), d. Targets of 4: 20/60/20 % ->
        # quotas .8 2.4 .8 -> 0 2 0, two left: A then C (.8, better band first).
        assert [b.target for b in g.bands] == [1, 2, 1]
        assert g.rank.tolist() == [3, 2, 1, 4, 0]
        assert g.rating == ("B", "B", "A", "C", None)
        assert g.before == ("B", "B", "B", "B", None)
        assert (g.rated, g.unrated) == (4, 1)
        assert [(c.subject_id, c.before, c.after) for c in g.log] == [
            ("c", "B", "A"),
            ("d", "B", "C"),
        ]
        assert g.log.changes[0].param("rank") == 1
        assert [(b.label, b.before, b.after) for b in g.bands] == [
            ("C", 0, 1),
            ("B", 4, 2),
            ("A", 0, 1),
        ]

    def test_report_only_changes_nothing(self) -> None:
        """With enforce=False ratings stay, the log is empty, the deviations are reported."""
        g = guide_distribution(SCALE, subject_ids=list("abcd"), total=[100.0, 100.0, 95.0, 85.0])
        assert g.rating == g.before == ("B", "B", "B", "B")
        assert g.guided != g.before
        assert len(g.log) == 0
        assert [b.deviation_before for b in g.bands] == [b.deviation_after for b in g.bands]
        assert g.moves == 2
        text = g.report()
        assert "| B | 60% | 2 | 4 | +2 | 4 | +2 |" in text
        assert "reported only, not enforced" in text
        assert "仅报告" in g.report("zh")

    def test_given_shares_override_the_scale(self) -> None:
        """Explicit shares replace the bands' guideline shares."""
        g = guide_distribution(
            SCALE,
            subject_ids=list("abcd"),
            total=[120.0, 100.0, 90.0, 50.0],
            shares={"A": 0.5, "B": 0.5, "C": 0.0},
            enforce=True,
        )
        assert g.rating == ("A", "A", "B", "B")

    @pytest.mark.parametrize(
        ("kw", "match"),
        [
            ({"shares": {"A": 1.0}}, "one share for each band"),
            ({"shares": {"A": 0.5, "B": 0.4, "C": 0.0}}, "sum to 0.9"),
            ({"shares": {"A": 0.5, "B": 0.5, "C": -0.0 - 1}}, "share of 'C'"),
            ({"subject_ids": ["a", "a"]}, "repeat"),
            ({"total": [1.0]}, "total has shape"),
            ({"rating": ["B", "Z"]}, "'Z'; expected one of"),
            ({"rating": ["B", "B"], "total": [90.0, math.nan]}, "no total"),
            ({"total": [90.0, 250.0]}, "total of 'b' is 250.0, outside the rating scale"),
        ],
    )
    def test_bad_input(self, kw: dict[str, object], match: str) -> None:
        """Bad shares, ids, shapes and ratings raise a ValidationError saying what is allowed."""
        args: dict[str, object] = {"subject_ids": ["a", "b"], "total": [90.0, 100.0], **kw}
        with pytest.raises(ValidationError, match=match):
            guide_distribution(SCALE, **args)  # type: ignore[arg-type]

    def test_no_guideline_shares(self) -> None:
        """A scale without guideline shares needs shares given."""
        scale = _scheme(shares=None).rating_scale
        with pytest.raises(PerfmgmtError, match="no guideline_share"):
            guide_distribution(scale, subject_ids=["a"], total=[90.0])

    def test_batch_and_workflow(self) -> None:
        """Scored reviews are guided from their batch, and the workflow records the result."""
        scheme = lifecycle_scheme()
        engine = ScoringEngine()
        reviews = [
            attrs.evolve(
                agree_goals(review(i), goals=goals(), actor="m1", at=at(CYCLE.start)),
                actuals=actuals(i),
            )
            for i in range(10)
        ]
        batch = engine.score_batch(scheme, Population.from_reviews(scheme, reviews))
        g = guide_batch(scheme, batch, enforce=True)
        assert [b.after for b in g.bands] == [b.target for b in g.bands] == [2, 6, 2]
        assert g.before == tuple(batch.rating())
        changed = {c.subject_id: c for c in g.log}
        assert changed
        for r in reviews:
            done = evaluate(r, engine.score(scheme, r), cycle=CYCLE, actor="m1", at=at(CYCLE.end))
            sid = r.subject.id
            if sid not in changed:
                continue
            out = calibrate(
                done,
                rating=g.rating_of(sid),  # type: ignore[arg-type]
                reason=changed[sid].text(),
                labels=scheme.rating_scale.labels,
                actor="hr",
                at=at(CYCLE.end, 12),
            )
            assert out.result is not None
            assert out.result.final_rating == g.rating_of(sid)
            assert "guided distribution: rank" in out.result.calibration_note
        with pytest.raises(ValidationError, match="not of 'cal'"):
            guide_batch(SCHEME, batch)
        with pytest.raises(ValidationError, match="no subject 'nobody'"):
            g.rating_of("nobody")


_totals = st.lists(
    st.one_of(st.sampled_from([80.0, 100.0, 110.0]), st.floats(0, 200), st.just(math.nan)),
    min_size=0,
    max_size=40,
)


class TestLogJson:
    def _log(self) -> CalibrationLog:
        """A log with rater standardisation and guided-distribution changes."""
        cal = _calibrate(
            {"r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)], "r2": [("a", 2.0), ("b", 3.0), ("c", 1.0)]}
        )
        g = guide_distribution(
            SCALE,
            subject_ids=["b", "a", "c", "d"],
            total=[100.0, 100.0, 100.0, 90.0],
            quantitative=[50.0, 50.0, 60.0, math.nan],
            enforce=True,
        )
        return cal.log + g.log

    def test_round_trip_is_exact(self) -> None:
        """to_json then from_json gives an equal log: floats, texts and parameter types kept."""
        log = self._log()
        assert len(log) > 0
        assert any(isinstance(c.before, float) for c in log)
        assert any(isinstance(c.before, str) for c in log)
        again = CalibrationLog.from_json(log.to_json())
        assert again == log
        assert [type(v) for c in again for _, v in c.params] == [
            type(v) for c in log for _, v in c.params
        ]

    @pytest.mark.parametrize(
        ("text", "path"),
        [
            ("[", r"^\$: not JSON"),
            ('{"schema_version": 2, "changes": []}', "^schema_version: 2 is not allowed"),
            ('{"schema_version": 1}', r"^\$: keys \['schema_version'\] are not allowed"),
            ('{"schema_version": 1, "changes": {}}', "^changes: {} is not allowed"),
            ('{"schema_version": 1, "changes": [1]}', r"^changes\[0\]: 1 is not allowed"),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": 1, "after": "B", "reason": "guided_distribution", "params": []}]}',
                r"^changes\[0\]\.before: 1 is not allowed; expected a float, a text or null",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": "A", "after": "B", "reason": "luck", "params": []}]}',
                r"^changes\[0\]\.reason: 'luck' is not allowed",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": "A", "after": "B", "reason": "guided_distribution", '
                '"params": [["rank", NaN]]}]}',
                r"^\$: not JSON",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": "A", "after": "B", "reason": "guided_distribution", '
                '"params": [["rank"]]}]}',
                r"^changes\[0\]\.params\[0\]: \['rank'\] is not allowed",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "", "field": "rating", '
                '"before": "A", "after": "B", "reason": "guided_distribution", "params": []}]}',
                r"^changes\[0\]: .*subject_id",
            ),
        ],
    )
    def test_bad_json_is_refused_with_its_path(self, text: str, path: str) -> None:
        """Malformed logs raise a SerializationError that starts with the JSON path."""
        with pytest.raises(SerializationError, match=path):
            CalibrationLog.from_json(text)


class TestProperties:
    @settings(max_examples=80, deadline=None)
    @given(
        ratings=st.lists(
            st.lists(st.integers(1, 5), min_size=1, max_size=8), min_size=1, max_size=5
        ),
        min_ratings=st.integers(1, 5),
    )
    def test_order_within_a_rater_is_kept(self, ratings: list[list[int]], min_ratings: int) -> None:
        """Calibration never reverses two ratings of the same rater; pooled raters are untouched."""
        data = {
            f"r{j}": [(f"s{i}", float(x)) for i, x in enumerate(xs)] for j, xs in enumerate(ratings)
        }
        cal = _calibrate(data, min_ratings=min_ratings)
        for j, xs in enumerate(ratings):
            mine = cal.rater == f"r{j}"
            before, after = cal.before[mine], cal.rating[mine]
            for a in range(len(xs)):
                for b in range(len(xs)):
                    if before[a] < before[b]:
                        assert after[a] <= after[b]
            if len(xs) < min_ratings:
                np.testing.assert_array_equal(after, before)
        assert ((cal.rating >= 1.0) & (cal.rating <= 5.0)).all()

    @settings(max_examples=80, deadline=None)
    @given(
        ratings=st.lists(
            st.lists(st.floats(2.0, 4.0), min_size=2, max_size=6), min_size=1, max_size=4
        )
    )
    def test_idempotent_without_clamping_or_pooling(self, ratings: list[list[float]]) -> None:
        """Calibrating calibrated ratings again changes nothing when nothing was clamped."""
        data = {f"r{j}": [(f"s{i}", x) for i, x in enumerate(xs)] for j, xs in enumerate(ratings)}
        first = _calibrate(data, min_ratings=1)
        assume(all(r.clamped == 0 and r.sd > 1e-6 for r in first.raters))
        again = calibrate_ratings(
            SCHEME,
            subject=first.subject,
            criterion=first.criterion,
            source=first.source,
            rater=first.rater,
            rating=first.rating,
            min_ratings=1,
        )
        assert len(again.log) == 0
        np.testing.assert_array_equal(again.rating, first.rating)

    @settings(max_examples=80, deadline=None)
    @given(totals=_totals, enforce=st.booleans())
    def test_enforced_counts_hit_the_targets(self, totals: list[float], enforce: bool) -> None:
        """Enforced, every band holds exactly its target; unrated subjects keep no rating."""
        ids = [f"s{i:02d}" for i in range(len(totals))]
        g = guide_distribution(SCALE, subject_ids=ids, total=totals, enforce=enforce)
        rated = [not math.isnan(t) for t in totals]
        assert g.rated == sum(rated)
        assert g.unrated == len(totals) - sum(rated)
        assert sum(b.target for b in g.bands) == g.rated
        assert [b.target for b in g.bands] == list(target_counts([0.2, 0.6, 0.2], g.rated))
        for b in g.bands:
            assert b.after == (b.target if enforce else b.before)
        for r, label in zip(rated, g.rating, strict=True):
            assert (label is not None) == r
        # A better total never gets a worse guided band.
        order = {label: i for i, label in enumerate(SCALE.labels)}
        pairs = [(t, order[lab]) for t, lab in zip(totals, g.guided, strict=True) if lab]
        for t1, b1 in pairs:
            for t2, b2 in pairs:
                if t1 > t2:
                    assert b1 >= b2
        assert len(g.log) == (g.moves if enforce else 0)

    @settings(max_examples=60, deadline=None)
    @given(totals=_totals)
    def test_enforcing_twice_changes_nothing(self, totals: list[float]) -> None:
        """Guided ratings, guided again, stay as they are."""
        ids = [f"s{i:02d}" for i in range(len(totals))]
        first = guide_distribution(SCALE, subject_ids=ids, total=totals, enforce=True)
        again = guide_distribution(
            SCALE, subject_ids=ids, total=totals, rating=first.rating, enforce=True
        )
        assert again.rating == first.rating
        assert len(again.log) == 0
