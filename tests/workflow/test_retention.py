"""Tests for pseudonymised exports (perfmgmt.workflow.retention)."""

from __future__ import annotations

import hashlib
import hmac

import attrs
import pytest
from hypothesis import given, settings

from perfmgmt.errors import ValidationError
from perfmgmt.model import Assessment, AssessmentSource, Review, ReviewResult, Subject
from perfmgmt.presets import customer_service_manager
from perfmgmt.scoring import ScoringEngine
from perfmgmt.strategies import reviews
from perfmgmt.workflow import MIN_SECRET_BYTES, pseudonym, pseudonymise

SCHEME = customer_service_manager()
SECRET = b"0123456789abcdef-analytics-key"


def _review(sid: str = "e-1001", name: str = "Wang Fang") -> Review:
    """A rated review with a named subject, a manager and two named raters."""
    return Review(
        subject=Subject(id=sid, name=name, department="Support East", grade="M2", manager_id="d-7"),
        cycle="2026Q2",
        scheme=SCHEME.key,
        scheme_hash=SCHEME.content_hash,
        assessments=[
            Assessment(
                criterion="attitude",
                source=AssessmentSource.UPWARD,
                rater_id="agent-zhang",
                rating=1,
                comment="He shouts at us",
            ),
            Assessment(
                criterion="attitude",
                source=AssessmentSource.MANAGER,
                rater_id="d-7",
                rating=3,
            ),
        ],
        result=ReviewResult(total=71.25, rating="C", calibrated_rating="B"),
    )


class TestPseudonymise:
    def test_pseudonym_is_an_hmac_of_the_id(self) -> None:
        """The pseudonym is HMAC-SHA256 of the id under the secret, independently recomputed."""
        mac = hmac.new(SECRET, b"perfmgmt-person\x00e-1001", hashlib.sha256).hexdigest()
        assert pseudonym("e-1001", secret=SECRET) == "p_" + mac[:24]

    def test_stable_across_exports_and_secret_dependent(self) -> None:
        """The same secret gives the same pseudonym; another secret gives another."""
        (a,) = pseudonymise([_review()], secret=SECRET)
        (b,) = pseudonymise([_review()], secret=SECRET)
        (c,) = pseudonymise([_review()], secret=b"another secret of 32 bytes......")
        assert a["person"] == b["person"] != c["person"]
        assert a["manager"] == pseudonym("d-7", secret=SECRET)

    def test_no_name_rater_id_or_comment_leaves(self) -> None:
        """Names, ids, rater ids and comments are gone; the result and groups stay."""
        card = ScoringEngine().score(SCHEME, _review())
        (record,) = pseudonymise(
            [_review()], secret=SECRET, cards=[card], groups={"e-1001": {"site": "Chengdu"}}
        )
        text = repr(record)
        for word in ("Wang Fang", "e-1001", "agent-zhang", "d-7", "He shouts at us"):
            assert word not in text
        assert record["department"] == "Support East"
        assert record["grade"] == "M2"
        assert record["group:site"] == "Chengdu"
        assert (record["result_total"], record["result_rating"], record["final_rating"]) == (
            71.25,
            "C",
            "B",
        )
        assert record["total"] == card.total
        assert record["score:csat"] == card.line("csat").score
        assert record["criterion:attitude"] == card.criteria[0].score

    @settings(max_examples=30, deadline=None)
    @given(review=reviews(scheme=SCHEME))
    def test_generated_reviews_keep_scores_and_lose_identities(self, review: Review) -> None:
        """Over generated reviews: the record holds no subject name, id or rater id."""
        card = ScoringEngine().score(SCHEME, review)
        review = attrs.evolve(
            review,
            subject=attrs.evolve(review.subject, id="zqsubjectzq", name="zqnamezq"),
            assessments=[
                attrs.evolve(a, rater_id=f"zqrater{i}zq") for i, a in enumerate(review.assessments)
            ],
        )
        card = attrs.evolve(card, subject_id="zqsubjectzq")
        (record,) = pseudonymise([review], secret=SECRET, cards=[card])
        text = repr(record)
        assert "zqsubjectzq" not in text
        assert "zqnamezq" not in text
        assert "zqrater" not in text
        assert record["total"] == card.total
        assert [record[f"score:{ln.key}"] for ln in card.lines] == [ln.score for ln in card.lines]

    @pytest.mark.parametrize("secret", [b"short", b"", b"x" * (MIN_SECRET_BYTES - 1)])
    def test_short_secret_is_refused(self, secret: bytes) -> None:
        """A secret under 16 bytes is refused, naming its length."""
        with pytest.raises(ValidationError, match=f"secret has {len(secret)} bytes"):
            pseudonymise([_review()], secret=secret)

    def test_text_secret_is_refused(self) -> None:
        """A str secret is refused: the caller encodes a random key."""
        with pytest.raises(ValidationError, match="secret must be bytes"):
            pseudonymise([_review()], secret="0123456789abcdef0123")  # type: ignore[arg-type]

    def test_names_may_not_be_kept_as_groups(self) -> None:
        """Only department and grade may be kept from the subject."""
        with pytest.raises(ValidationError, match="'name'"):
            pseudonymise([_review()], secret=SECRET, subject_groups=["name"])

    def test_bad_group_attribute(self) -> None:
        """A group attribute name must be a key."""
        with pytest.raises(ValidationError, match="attribute"):
            pseudonymise([_review()], secret=SECRET, groups={"e-1001": {"1 bad": "x"}})

    def test_records_are_json_ready(self) -> None:
        """The records hold only text, numbers, booleans and None."""
        card = ScoringEngine().score(SCHEME, _review())
        (record,) = pseudonymise([_review()], secret=SECRET, cards=[card])
        assert all(isinstance(v, str | int | float | bool | type(None)) for v in record.values())
