"""Tests for target counts and the guided distribution (perfmgmt.calibration.distribution)."""

from __future__ import annotations

import math
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _calibration import (
    SCALE,
    SCHEME,
    calibration_scheme,
)
from _lifecycle import CYCLE, actuals, at, goals, review
from _lifecycle import scheme as lifecycle_scheme
from perfmgmt.calibration import (
    guide_batch,
    guide_distribution,
    target_counts,
)
from perfmgmt.errors import PerfmgmtError, ValidationError
from perfmgmt.scoring import Population, ScoringEngine
from perfmgmt.workflow import agree_goals, calibrate, evaluate


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
        scale = calibration_scheme(shares=None).rating_scale
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


class TestProperties:
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
