"""Tests for rater standardisation (perfmgmt.calibration.raters)."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from _calibration import (
    PEER,
    SCHEME,
    calibrate_columns,
    rating_columns,
)
from _markdown_payloads import PAYLOADS
from perfmgmt._markdown import md_escape
from perfmgmt.calibration import (
    CalibrationLog,
    CalibrationReason,
    calibrate_ratings,
    calibrate_reviews,
)
from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model import (
    Actual,
    Assessment,
    Review,
    Scale,
    Subject,
)
from perfmgmt.scoring import Population


class TestRaterStandardisation:
    def test_hand_computed_two_raters(self) -> None:
        """A lenient and a severe rater are moved to the peers' mean and spread."""
        cal = calibrate_columns(
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
        cal = calibrate_columns(
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
        cal = calibrate_columns(
            {
                "r1": [("a", 5.0), ("b", 4.0), ("c", 4.0), ("d", 4.0)],
                "r2": [("a", 1.0), ("b", 1.0), ("c", 5.0), ("d", 5.0)],
            }
        )
        assert cal.rating[0] == 5.0
        assert all(c.subject_id != "a" or ",r1]" not in c.field for c in cal.log)

    def test_rater_below_minimum_is_pooled_not_changed(self) -> None:
        """A rater with fewer than min_ratings keeps their ratings but counts in the mean."""
        cal = calibrate_columns(
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
        peers = rating_columns({"p1": [("a", 2.0), ("b", 3.0), ("c", 4.0)]})
        managers = rating_columns({"m1": [("a", 5.0), ("b", 5.0), ("c", 4.0)]}, source="manager")
        cols = {k: [*peers[k], *managers[k]] for k in peers}
        cal = calibrate_ratings(SCHEME, min_ratings=3, **cols)
        # Each reference has one rater, who is its own population: nothing moves.
        assert len(cal.log) == 0
        np.testing.assert_array_equal(cal.rating, cal.before)
        assert {(r.source, r.ratings) for r in cal.references} == {("peer", 3), ("manager", 3)}

    def test_constant_rater_moves_to_the_mean(self) -> None:
        """A rater who gives everyone the same rating is shifted to the reference mean."""
        cal = calibrate_columns(
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
        cal = calibrate_columns(
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
        cal = calibrate_columns(
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
            **rating_columns({"r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)]}),  # type: ignore[dict-item]
            **change,
        }
        with pytest.raises(ScoringError, match=match):
            calibrate_ratings(SCHEME, **cols)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [0, -1, 2.5, True])
    def test_min_ratings_must_be_a_positive_whole_number(self, bad: object) -> None:
        """min_ratings below 1 or not a whole number is a ValidationError naming it."""
        with pytest.raises(ValidationError, match="min_ratings"):
            calibrate_ratings(SCHEME, min_ratings=bad, **rating_columns({"r": [("a", 3.0)]}))  # type: ignore[arg-type]

    def test_report_and_explain_in_both_languages(self) -> None:
        """The rater table and the log read in English and Chinese; other languages are refused."""
        cal = calibrate_columns(
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
        assert "a assessment\\[attitude,peer,r1\\]: 4 → " in text
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
        cols = calibrate_columns(
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
        cal = calibrate_columns(data, min_ratings=min_ratings)
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
        first = calibrate_columns(data, min_ratings=1)
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


class TestMarkdownOutput:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_rater_and_subject_ids_cannot_inject_markdown(self, payload: str) -> None:
        """Rater and subject ids stay escaped text in the rater table and the log's list."""
        cal = calibrate_columns(
            {
                payload: [("a", 4.0), (payload, 5.0), ("c", 3.0)],
                "r2": [("a", 2.0), (payload, 3.0), ("c", 1.0)],
            }
        )
        table, log = cal.report().splitlines(), cal.log.explain().splitlines()
        assert len(table) == 4
        assert f"| {md_escape(payload, line_start=False)} | attitude |" in "\n".join(table)
        assert len(log) == 7
        assert all(line.startswith("- ") for line in log[1:])
        assert any(md_escape(payload) in line for line in log[1:])
        assert not any("<" in line for line in table + log)
