"""Tests for the hash-chained review history (perfmgmt.model.history) and its check on load."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from pathlib import Path

import attrs
import pytest

from _lifecycle import CYCLE, actuals, at, goals, review, scheme
from perfmgmt.errors import HistoryWarning, SerializationError, ValidationError
from perfmgmt.model import CheckIn, Event, Review, ReviewStatus, append_event, verify_history
from perfmgmt.model._canonical import canonical
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps, from_data, loads, to_data
from perfmgmt.workflow import agree_goals, calibrate, check_in, evaluate

FIXTURES = Path(__file__).parent.parent / "fixtures" / "v1"
SCHEME = scheme()


def _evaluated() -> Review:
    r = agree_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
    r = check_in(
        r,
        CheckIn(on=CYCLE.start + dt.timedelta(days=45), author="m1"),
        actor="m1",
        at=at(CYCLE.start + dt.timedelta(days=45)),
    )
    r = attrs.evolve(r, actuals=actuals(3))
    card = ScoringEngine().score(SCHEME, r)
    r = evaluate(r, card, cycle=CYCLE, actor="m1", at=at(CYCLE.end))
    return calibrate(r, rating="A", reason="calibration panel", actor="hr1", at=at(CYCLE.end, 15))


def _sha256_of_canonical(obj: object) -> str:
    """An independent hash of an event: the canonical JSON of every field but the digest."""
    assert isinstance(obj, Event)
    data = {a.name: getattr(obj, a.name) for a in attrs.fields(Event) if a.name != "digest"}
    text = json.dumps(
        canonical({"__type__": "Event", **data}),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class TestChain:
    def test_every_event_links_to_the_one_before(self) -> None:
        """Each event's prev_hash is the previous digest; the first one's is empty."""
        r = _evaluated()
        assert r.history[0].prev_hash == ""
        for before, after in zip(r.history, r.history[1:], strict=False):
            assert after.prev_hash == before.digest
        assert len({e.digest for e in r.history}) == len(r.history)

    def test_digest_is_sha256_of_the_canonical_event(self) -> None:
        """The digest recomputes independently from the canonical JSON of the event."""
        for event in _evaluated().history:
            assert event.digest == _sha256_of_canonical(event)

    def test_last_event_commits_to_the_review_content(self) -> None:
        """The last event records the content hash of the review as it stands."""
        r = _evaluated()
        assert r.history[-1].review_hash == r.content_hash
        assert r.history[0].review_hash != r.content_hash  # content moved on since

    def test_content_hash_ignores_history_only(self) -> None:
        """The review's content hash changes with its result, not with its history."""
        r = _evaluated()
        assert attrs.evolve(r, history=()).content_hash == r.content_hash
        assert attrs.evolve(r, status=ReviewStatus.CLOSED).content_hash != r.content_hash

    def test_append_event_replaces_given_hashes(self) -> None:
        """Hashes passed in on an event are overwritten by the real links."""
        r = _evaluated()
        forged = Event(
            at=at(CYCLE.end, 16),
            actor="x",
            action="note",
            from_status=r.status,
            to_status=r.status,
            prev_hash="sha256:forged",
            digest="sha256:forged",
        )
        out = append_event(r, forged)
        assert out.history[-1].prev_hash == r.history[-1].digest
        assert out.history[-1].digest == _sha256_of_canonical(out.history[-1])
        assert verify_history(out).chained


class TestVerify:
    def test_untouched_history_verifies(self) -> None:
        """A review built by the workflow verifies, with no legacy events."""
        check = verify_history(_evaluated())
        assert check.ok
        assert check.chained
        assert (check.events, check.legacy, check.index, check.reason) == (4, 0, None, "")

    def test_edited_rating_is_caught(self) -> None:
        """Editing the stored rating breaks the last link: content differs from the record."""
        r = _evaluated()
        assert r.result is not None
        edited = attrs.evolve(r, result=attrs.evolve(r.result, calibrated_rating="C"))
        check = verify_history(edited)
        assert not check.ok
        assert check.index == len(r.history) - 1
        assert "content" in check.reason

    def test_edited_rating_in_an_event_is_caught(self) -> None:
        """Editing the rating an event recorded breaks that event's own hash."""
        r = _evaluated()
        i = next(n for n, e in enumerate(r.history) if e.action == "evaluate")
        details = tuple((k, "A" if k == "rating" else v) for k, v in r.history[i].details)
        history = list(r.history)
        history[i] = attrs.evolve(history[i], details=details)
        check = verify_history(attrs.evolve(r, history=tuple(history)))
        assert check.index == i
        assert "edited" in check.reason

    def test_removed_event_is_caught(self) -> None:
        """Removing an event from the middle breaks the link of the event after it."""
        r = _evaluated()
        history = r.history[:1] + r.history[2:]
        check = verify_history(attrs.evolve(r, history=history))
        assert check.index == 1
        assert "removed, inserted or reordered" in check.reason

    def test_reordered_events_are_caught(self) -> None:
        """Swapping two events breaks the first link that moved."""
        r = _evaluated()
        h = r.history
        check = verify_history(attrs.evolve(r, history=(h[0], h[2], h[1], h[3])))
        assert check.index == 1
        assert "reordered" in check.reason

    def test_cut_off_tail_is_caught_with_a_head(self) -> None:
        """Cutting the newest event and its content is caught when the head is kept apart."""
        r = _evaluated()
        head = r.history[-1].digest
        assert r.result is not None
        undone = attrs.evolve(r.result, calibrated_rating=None, calibration_note="")
        older = attrs.evolve(
            r, history=r.history[:-1], status=ReviewStatus.EVALUATED, result=undone
        )
        assert verify_history(older).ok  # consistent on its own: only the head tells
        assert verify_history(r, head=head).ok
        check = verify_history(older, head=head)
        assert check.index == len(r.history) - 2
        assert "head" in check.reason

    def test_unchained_event_after_chained_ones_is_caught(self) -> None:
        """Stripping the hashes of a later event does not turn it into a legacy event."""
        r = _evaluated()
        last = attrs.evolve(r.history[-1], digest="", prev_hash="", review_hash="")
        check = verify_history(attrs.evolve(r, history=(*r.history[:-1], last)))
        assert check.index == len(r.history) - 1
        assert "no hash" in check.reason

    def test_legacy_events_load_and_chain_on(self) -> None:
        """Events without hashes before the chain are counted as legacy, not refused."""
        r = _evaluated()
        legacy = tuple(attrs.evolve(e, digest="", prev_hash="", review_hash="") for e in r.history)
        old = attrs.evolve(r, history=legacy)
        check = verify_history(old)
        assert check.ok
        assert not check.chained
        assert check.legacy == len(legacy)
        later = calibrate(old, rating="B", reason="second look", actor="hr1", at=at(CYCLE.end, 18))
        assert later.history[-1].prev_hash == legacy[-1].computed_digest()
        again = verify_history(later)
        assert again.ok
        assert again.legacy == len(legacy)


class TestLoad:
    def test_v1_fixture_without_hashes_loads(self) -> None:
        """A stored version-1 review (written before chaining) still loads."""
        text = (FIXTURES / "review.json").read_text(encoding="utf-8")
        r = loads(text, Review)
        assert verify_history(r).ok

    def test_v1_fixture_with_legacy_history_loads(self) -> None:
        """A version-1 document with events that carry no hash fields loads as legacy."""
        data = json.loads((FIXTURES / "review.json").read_text(encoding="utf-8"))
        data["status"] = "goals_agreed"
        data["history"] = [
            {
                "at": "2026-01-02T09:00:00+00:00",
                "actor": "m1",
                "action": "agree_goals",
                "from_status": "draft",
                "to_status": "goals_agreed",
                "summary": "agreed",
                "details": [],
            }
        ]
        r = from_data(data, Review)
        assert verify_history(r).legacy == 1

    def test_tampered_review_is_an_error_by_default(self) -> None:
        """A stored review edited to another rating fails to load, naming the history link."""
        r = _evaluated()
        data = to_data(r)
        data["result"]["calibrated_rating"] = "C"
        with pytest.raises(SerializationError, match=r"history\[3\]: .*disagrees with its history"):
            loads(json.dumps(data), Review)
        with pytest.raises(SerializationError) as err:
            from_data(data, Review)
        assert err.value.path == "history[3]"

    def test_warn_loads_and_reports(self) -> None:
        """With verify="warn" the tampered review loads and a HistoryWarning says why."""
        data = to_data(_evaluated())
        data["history"][1], data["history"][2] = data["history"][2], data["history"][1]
        with pytest.warns(HistoryWarning, match=r"history\[1\]"):
            r = from_data(data, Review, verify="warn")
        assert [e.action for e in r.history][1] == "evaluate"

    def test_off_skips_the_check(self) -> None:
        """With verify="off" nothing is checked or reported."""
        data = to_data(_evaluated())
        data["status"] = "closed"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = from_data(data, Review, verify="off")
        assert r.status is ReviewStatus.CLOSED

    def test_unknown_verify_is_refused(self) -> None:
        """An unknown verify mode is refused, naming the value and the allowed ones."""
        with pytest.raises(ValidationError, match=r"verify: 'strict' is not allowed.*'warn'"):
            loads(dumps(_evaluated()), Review, verify="strict")  # type: ignore[arg-type]

    def test_round_trip_keeps_the_chain(self) -> None:
        """JSON round trips keep every hash, so the loaded review verifies."""
        r = _evaluated()
        back = loads(dumps(r), Review)
        assert back == r
        assert verify_history(back).chained


class TestAddedFields:
    def test_added_fields_at_default_keep_old_content_hashes(self) -> None:
        """A field added later counts in a content hash only once it leaves its default."""
        plain = scheme()
        assert plain.cycle_plan is not None
        longer = attrs.evolve(plain, cycle_plan=attrs.evolve(plain.cycle_plan, dispute_days=15))
        same = attrs.evolve(plain, cycle_plan=attrs.evolve(plain.cycle_plan, dispute_days=14))
        assert same.content_hash == plain.content_hash
        assert longer.content_hash != plain.content_hash
        assert "dispute_days" not in json.dumps(canonical(plain))
        assert "goal_signatures" not in json.dumps(canonical(review()))
