"""Tamper-evident review history: events chained by SHA-256 hashes.

Every event written by a transition commits to the previous event's hash (``prev_hash``) and
to the review's content as it stood right after the event (``review_hash``, the review's
:attr:`~perfmgmt.model.Review.content_hash`), and carries its own hash (``digest``) over all
of that. Editing a rating, an event's details, removing an event or reordering events breaks
a link; :func:`verify_history` names the first broken one::

    check = verify_history(review)
    if not check.ok:
        print(check.index, check.reason)

Events written before histories were chained carry no hashes. They are *legacy*: allowed
only before the first chained event, counted in :attr:`HistoryCheck.legacy`, and not
verified (there is nothing to verify them against).

A chain proves that nothing was changed *inside* it. It cannot tell that the newest events
were cut off together with the content they made, since what remains is a consistent older
review; keep the last event's ``digest`` apart (in the HRIS audit table) and pass it as
``head`` to catch that too.
"""

from __future__ import annotations

import attrs

from perfmgmt._validate import instance_of, integer, optional
from perfmgmt.errors import ValidationError
from perfmgmt.model.review import Event, Review

__all__ = ["HistoryCheck", "append_event", "verify_history"]


@attrs.frozen(kw_only=True)
class HistoryCheck:
    """The outcome of :func:`verify_history`.

    Attributes:
        events: Number of events in the history.
        legacy: Number of leading events without hashes (written before chaining; unverified).
        index: Index of the first broken link, None when the history verifies.
        reason: What is wrong at ``index``, empty when the history verifies.
    """

    events: int = attrs.field(validator=integer(0))
    legacy: int = attrs.field(default=0, validator=integer(0))
    index: int | None = attrs.field(default=None, validator=optional(integer(0)))
    reason: str = attrs.field(default="", validator=instance_of(str))

    @property
    def ok(self) -> bool:
        """Whether every chained link holds."""
        return self.index is None

    @property
    def chained(self) -> bool:
        """Whether every event is chained (no legacy events) and the chain holds."""
        return self.ok and self.legacy == 0


def _link(previous: Event | None) -> str:
    if previous is None:
        return ""
    return previous.digest or previous.computed_digest()


def append_event(review: Review, event: Event) -> Review:
    """Return ``review`` with ``event`` appended to its history as the chain's next link.

    ``review`` must already hold the content the event made (status, result, goals ...):
    the event records that content's hash. The event's own ``prev_hash``, ``review_hash``
    and ``digest`` are replaced.
    """
    previous = review.history[-1] if review.history else None
    linked = attrs.evolve(
        event, prev_hash=_link(previous), review_hash=review.content_hash, digest=""
    )
    linked = attrs.evolve(linked, digest=linked.computed_digest())
    history: tuple[Event, ...] = (*review.history, linked)
    return attrs.evolve(review, history=history)


def _check_arguments(review: object, head: object) -> None:
    if not isinstance(review, Review):
        raise ValidationError(
            f"verify_history: review {type(review).__name__} is not allowed; expected a "
            "perfmgmt.model.Review",
            field="review",
            value=type(review).__name__,
        )
    if head is not None and not isinstance(head, str):
        raise ValidationError(
            f"verify_history: head {type(head).__name__} is not allowed; expected the last "
            "event's digest as text, or None",
            field="head",
            value=type(head).__name__,
        )


def verify_history(review: Review, *, head: str | None = None) -> HistoryCheck:
    """Check the review's hash chain and that its content is what its last event recorded.

    Args:
        review: The review, e.g. as loaded from storage.
        head: The last event's ``digest`` as kept elsewhere; when given, a history that ends
            anywhere else (events cut off the end) is broken too.

    Returns:
        The check: ``ok``, or the index of the first broken link and the reason.

    Raises:
        ValidationError: When ``review`` is not a Review or ``head`` is not text.
    """
    _check_arguments(review, head)
    history = review.history
    legacy = 0

    def broken(index: int, reason: str) -> HistoryCheck:
        return HistoryCheck(events=len(history), legacy=legacy, index=index, reason=reason)

    previous: Event | None = None
    for i, event in enumerate(history):
        if not event.digest:
            if previous is not None and previous.digest:
                return broken(i, "event has no hash but follows chained events")
            legacy += 1
            previous = event
            continue
        expected = _link(previous)
        if event.prev_hash != expected:
            where = "the previous event" if i else "no previous event (it is first)"
            return broken(
                i,
                f"prev_hash {event.prev_hash[:19] or '(empty)'}… does not match {where} "
                f"({expected[:19] or '(empty)'}…): an event was removed, inserted or reordered",
            )
        if event.computed_digest() != event.digest:
            return broken(i, f"event {event.action!r} was edited after it was written")
        previous = event
    if previous is not None and previous.digest and previous.review_hash != review.content_hash:
        return broken(
            len(history) - 1,
            "the review's content (status, goals, result ...) is not what its last event "
            f"{previous.action!r} recorded: it was edited outside the workflow",
        )
    if head is not None and _link(previous) != head:
        return broken(
            max(len(history) - 1, 0),
            f"the history ends at {_link(previous)[:19] or '(empty)'}…, not at the head "
            f"{head[:19]}… kept apart: events were cut off or added",
        )
    return HistoryCheck(events=len(history), legacy=legacy)
