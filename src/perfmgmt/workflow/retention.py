"""Retention: pseudonymised exports, the way to hand review data to analysts.

:func:`pseudonymise` turns reviews (and their score cards) into flat records with no names and
no rater ids: each person becomes a stable pseudonym, an HMAC-SHA256 of their id under a secret
the caller keeps, so the same person gets the same pseudonym in every export made with that
secret (cycles can be joined) and nobody without the secret can map a pseudonym back by trying
ids. Scores, ratings and the group attributes the caller chooses stay, for fairness and people
analytics.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Iterable, Mapping, Sequence

from perfmgmt._validate import check_key, check_text
from perfmgmt.errors import ValidationError
from perfmgmt.model.review import Review, Subject
from perfmgmt.scoring.card import ScoreCard

__all__ = ["MIN_SECRET_BYTES", "SUBJECT_GROUPS", "pseudonym", "pseudonymise"]

MIN_SECRET_BYTES = 16
"""The shortest secret :func:`pseudonymise` accepts, in bytes."""

_READERS: dict[str, Callable[[Subject], str | None]] = {
    "department": lambda s: s.department,
    "grade": lambda s: s.grade,
}

SUBJECT_GROUPS = tuple(_READERS)
"""The subject attributes :func:`pseudonymise` may keep as groups (never names or ids)."""

_PREFIX = b"perfmgmt-person\x00"


def _check_secret(secret: object) -> bytes:
    if not isinstance(secret, bytes):
        raise ValidationError(
            f"pseudonymise: secret must be bytes, got {type(secret).__name__}; keep a random "
            f"key of at least {MIN_SECRET_BYTES} bytes, e.g. secrets.token_bytes(32)",
            field="secret",
            value=type(secret).__name__,
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise ValidationError(
            f"pseudonymise: secret has {len(secret)} bytes; at least {MIN_SECRET_BYTES} are "
            "needed so pseudonyms cannot be reversed by trying ids",
            field="secret",
            value=len(secret),
        )
    return secret


def pseudonym(person_id: str, *, secret: bytes) -> str:
    """Return the stable pseudonym of ``person_id`` under ``secret`` (24 hex digits).

    Raises:
        ValidationError: When ``secret`` is not bytes or shorter than
            :data:`MIN_SECRET_BYTES`.
    """
    key = _check_secret(secret)
    digest = hmac.new(key, _PREFIX + person_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"p_{digest[:24]}"


def _group_values(
    review: Review, subject_groups: Sequence[str], groups: Mapping[str, Mapping[str, str]]
) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in subject_groups:
        out[name] = _READERS[name](review.subject)
    for name, value in groups.get(review.subject.id, {}).items():
        out[f"group:{name}"] = value
    return out


def _card_values(card: ScoreCard | None) -> dict[str, object]:
    if card is None:
        return {}
    out: dict[str, object] = {
        "quantitative": None if math.isnan(card.quantitative) else card.quantitative,
        "qualitative": card.qualitative,
        "total": card.total,
        "rating": card.rating,
        "rated": card.rated,
    }
    for line in card.lines:
        out[f"actual:{line.key}"] = line.actual
        out[f"score:{line.key}"] = line.score
    for crit in card.criteria:
        out[f"criterion:{crit.key}"] = crit.score
    return out


def _check_groups(subject_groups: Sequence[str], groups: Mapping[str, Mapping[str, str]]) -> None:
    for name in subject_groups:
        if name not in SUBJECT_GROUPS:
            raise ValidationError(
                f"pseudonymise: subject_groups names {name!r}; allowed are "
                f"{', '.join(SUBJECT_GROUPS)} (names and ids never leave)",
                field="subject_groups",
                value=name,
            )
    for sid, attrs_ in groups.items():
        for name, value in attrs_.items():
            check_key(name, f"pseudonymise: groups[{sid!r}] attribute")
            check_text(value, f"pseudonymise: groups[{sid!r}][{name!r}]")


def pseudonymise(
    reviews: Iterable[Review],
    *,
    secret: bytes,
    cards: Iterable[ScoreCard] = (),
    subject_groups: Sequence[str] = SUBJECT_GROUPS,
    groups: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, object]]:
    """Return one flat record per review for analysts: scores kept, names and rater ids dropped.

    Each record holds ``person`` and ``manager`` (pseudonyms, see :func:`pseudonym`), the
    cycle, scheme and scheme hash, the status, the review result (``result_total``,
    ``result_rating``, ``final_rating``), the subject attributes named in ``subject_groups``,
    the caller's ``groups`` (as ``group:<name>``) and, when a card is given for the subject,
    its scores (``total``, ``rating``, ``actual:<kpi>``, ``score:<kpi>``,
    ``criterion:<key>`` ...). No name, rater id, comment, note or history leaves; numbers are
    copied as they are. The records load straight into a frame
    (``pandas.DataFrame(records)``).

    Args:
        reviews: The reviews.
        secret: The caller's key, at least :data:`MIN_SECRET_BYTES` bytes; keep it out of the
            export (the same secret gives the same pseudonyms in the next export).
        cards: Score cards of the reviews, matched by subject id (optional).
        subject_groups: Subject attributes to keep, from :data:`SUBJECT_GROUPS`.
        groups: Extra group attributes per subject id (e.g. a location or a job family).

    Raises:
        ValidationError: On a short or non-bytes secret, a subject attribute that may not
            leave, or a bad group attribute name.
    """
    _check_secret(secret)
    extra = {} if groups is None else groups
    _check_groups(subject_groups, extra)
    by_subject = {c.subject_id: c for c in cards}
    out: list[dict[str, object]] = []
    for review in reviews:
        subject = review.subject
        result = review.result
        record: dict[str, object] = {
            "person": pseudonym(subject.id, secret=secret),
            "manager": None
            if subject.manager_id is None
            else pseudonym(subject.manager_id, secret=secret),
            "cycle": review.cycle,
            "scheme": review.scheme,
            "scheme_hash": review.scheme_hash,
            "status": review.status.value,
            "result_total": None if result is None else result.total,
            "result_rating": None if result is None else result.rating,
            "final_rating": None if result is None else result.final_rating,
        }
        record.update(_group_values(review, subject_groups, extra))
        record.update(_card_values(by_subject.get(subject.id)))
        out.append(record)
    return out
