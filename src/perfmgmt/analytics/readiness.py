"""Promotion readiness from the 9-box and the rating history.

The founding scheme's career path rewards sustained results with promotion.
:func:`promotion_readiness` applies a :class:`ReadinessPolicy` to a
:class:`~perfmgmt.analytics.NineBoxPlacement`: the box a person is in, and history rules such
as "two A ratings in a row".
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import attrs
import numpy as np

from perfmgmt._typing import IntArray
from perfmgmt._validate import instance_of, integer, to_tuple, tuple_of
from perfmgmt._words import talent_words
from perfmgmt.analytics._stored import check_column, check_recomputed, fields_of, stored_call
from perfmgmt.analytics.ninebox import Box, GridLevel, NineBoxPlacement
from perfmgmt.errors import ValidationError

__all__ = ["MAX_HISTORY", "Readiness", "ReadinessPolicy", "ReadinessResult", "promotion_readiness"]

MAX_HISTORY = 40
"""The most past cycles a readiness streak may ask for."""


class Readiness(enum.Enum):
    """How ready for promotion a person is."""

    READY_NOW = "ready_now"
    READY_SOON = "ready_soon"
    NOT_YET = "not_yet"
    NOT_ASSESSED = "not_assessed"

    def label(self, lang: Literal["en", "zh"] = "en") -> str:
        """Return the status in words, in ``lang``."""
        return talent_words(lang)[f"readiness.{self.value}"]


def _boxes(value: Any) -> Any:
    return to_tuple(value) if isinstance(value, list | tuple) else value


@attrs.frozen(kw_only=True)
class ReadinessPolicy:
    """Which boxes and which rating histories make a person ready for promotion.

    The rules, in order (the first that holds decides):

    1. no box (performance or potential not assessed): :attr:`Readiness.NOT_ASSESSED`;
    2. the box is in ``ready_now``: ready now;
    3. the last ``streak_cycles`` ratings (the current cycle's included) are all in
       ``streak_ratings``, and potential is at least ``streak_min_potential``: ready now
       (the founding scheme's "two A ratings in a row");
    4. the box is in ``ready_soon``: ready in one to two cycles;
    5. otherwise not yet.

    Attributes:
        ready_now: Boxes ready for promotion now.
        ready_soon: Boxes ready in one to two cycles.
        streak_ratings: Ratings that count toward a streak.
        streak_cycles: How many cycles in a row make a streak (0 turns the rule off).
        streak_min_potential: The least potential a streak needs.
    """

    ready_now: tuple[Box, ...] = attrs.field(
        default=(Box.STAR,), converter=_boxes, validator=tuple_of(Box)
    )
    ready_soon: tuple[Box, ...] = attrs.field(
        default=(Box.HIGH_PERFORMER, Box.GROWTH), converter=_boxes, validator=tuple_of(Box)
    )
    streak_ratings: tuple[str, ...] = attrs.field(
        default=("A",), converter=to_tuple, validator=tuple_of(str)
    )
    streak_cycles: int = attrs.field(default=2, validator=integer(0, MAX_HISTORY))
    streak_min_potential: GridLevel = attrs.field(
        default=GridLevel.MODERATE, validator=instance_of(GridLevel)
    )

    def __attrs_post_init__(self) -> None:
        for r in self.streak_ratings:
            if not r.strip():
                raise ValidationError(
                    f"ReadinessPolicy.streak_ratings: {r!r} is not allowed; allowed: "
                    "non-empty rating labels",
                    field="streak_ratings",
                    value=r,
                )


_RULE_STATUS = (
    Readiness.NOT_ASSESSED,
    Readiness.READY_NOW,
    Readiness.READY_NOW,
    Readiness.READY_SOON,
    Readiness.NOT_YET,
)
_RULE_WHY = ("why.unassessed", "why.box", "why.streak", "why.box", "why.other")


@attrs.frozen(kw_only=True, eq=False)
class ReadinessResult:
    """Promotion readiness per person, with the rule that decided it.

    Attributes:
        policy: The policy applied.
        placement: The placement it was applied to.
        rule: int64 ``(N,)``: the deciding rule of :class:`ReadinessPolicy`, 1 to 5, less
            one (0 not assessed, 1 ready-now box, 2 rating streak, 3 ready-soon box,
            4 none).
        history: The rating histories given, or None.
    """

    policy: ReadinessPolicy
    placement: NineBoxPlacement
    rule: IntArray
    history: Sequence[Sequence[str | None]] | None

    # The stored form (ReadinessResultDocument, below): loading checks every rule recomputes.
    __document_type__: ClassVar[type]

    def __to_document__(self) -> ReadinessResultDocument:
        """Return the stored form: the same fields."""
        return ReadinessResultDocument(**fields_of(self, ReadinessResultDocument))

    @classmethod
    def __from_document__(cls, doc: ReadinessResultDocument) -> ReadinessResult:
        """Rebuild a stored result once each person's deciding rule recomputes."""
        n = len(doc.placement)
        check_column("rule", doc.rule, n)
        if doc.history is not None:
            check_column("history", doc.history, n)
        again = stored_call(
            "history", lambda: promotion_readiness(doc.policy, doc.placement, history=doc.history)
        )
        why = "the stored policy, placement and history"
        check_recomputed("rule", doc.rule.tolist(), again.rule.tolist(), why=why)
        return cls(**fields_of(again, ReadinessResultDocument))

    @property
    def subjects(self) -> tuple[str, ...]:
        """One id per person."""
        return self.placement.subjects

    @property
    def status(self) -> tuple[Readiness, ...]:
        """Each person's readiness."""
        return tuple(_RULE_STATUS[k] for k in self.rule.tolist())

    def counts(self) -> dict[Readiness, int]:
        """Return how many people have each status (every status listed)."""
        per_rule = np.bincount(self.rule, minlength=len(_RULE_STATUS)).tolist()
        out = dict.fromkeys(Readiness, 0)
        for k, n in enumerate(per_rule):
            out[_RULE_STATUS[k]] += n
        return out

    def ready(self) -> tuple[str, ...]:
        """Return the ids of the people ready for promotion now."""
        now = np.flatnonzero((self.rule == 1) | (self.rule == 2)).tolist()
        return tuple(self.subjects[i] for i in now)

    def explain(self, i: int, lang: Literal["en", "zh"] = "en") -> str:
        """Return person ``i``'s readiness and why, in ``lang``."""
        w = talent_words(lang)
        rule = int(self.rule[i])
        box = self.placement.box_of(i)
        values = {"box": box.label(lang) if box else "-"}
        if rule == 2 and self.history is not None:
            n = self.policy.streak_cycles
            values |= {"ratings": ", ".join(map(str, self.history[i][-n:])), "n": str(n)}
        why = w[_RULE_WHY[rule]].format(**values)
        status = _RULE_STATUS[rule].label(lang)
        if lang == "zh":
            return f"{self.subjects[i]}:{status}({why})"
        return f"{self.subjects[i]}: {status} ({why})"


def _streaks(
    history: Sequence[Sequence[str | None]], candidates: IntArray, policy: ReadinessPolicy
) -> IntArray:
    """Return the candidates whose last ``streak_cycles`` ratings are all streak ratings."""
    n = policy.streak_cycles
    allowed = frozenset(policy.streak_ratings)
    hits = [
        i
        for i in candidates.tolist()
        if len(history[i]) >= n and all(r in allowed for r in history[i][-n:])
    ]
    return np.array(hits, dtype=np.int64)


def promotion_readiness(
    policy: ReadinessPolicy,
    placement: NineBoxPlacement,
    *,
    history: Sequence[Sequence[str | None]] | None = None,
) -> ReadinessResult:
    """Derive promotion readiness from the grid and from rating history.

    The boxes are looked up for everyone at once; only the people a streak could change are
    read from ``history``.

    Args:
        policy: The rules (see :class:`ReadinessPolicy`).
        placement: This cycle's placement.
        history: Per person (in placement order) the ratings of past cycles, oldest first,
            **this cycle's rating last**; for a person, None or an empty list when unknown.
            Kept in the result as tuples.

    Returns:
        Each person's readiness and the rule that decided it.

    Raises:
        ValidationError: ``history`` has a different length from the placement.
    """
    n = len(placement)
    if history is not None and len(history) != n:
        raise ValidationError(
            f"history: {len(history)} histories for {n} people; allowed: one per person",
            field="history",
            value=len(history),
        )
    if history is not None:  # kept as tuples: the result is immutable and stores as it reads
        history = tuple(() if h is None else tuple(h) for h in history)
    box = placement.box
    rule = np.full(n, 4, dtype=np.int64)
    rule[np.isin(box, [b.index for b in policy.ready_soon])] = 3
    if history is not None and policy.streak_cycles:
        candidates = np.flatnonzero(
            (box >= 0) & (placement.potential >= policy.streak_min_potential.index)
        )
        rule[_streaks(history, candidates, policy)] = 2
    rule[np.isin(box, [b.index for b in policy.ready_now])] = 1
    rule[box < 0] = 0
    return ReadinessResult(policy=policy, placement=placement, rule=rule, history=history)


# -- the stored form -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class ReadinessResultDocument:
    """The stored form of :class:`ReadinessResult`: each deciding rule must recompute."""

    policy: ReadinessPolicy
    placement: NineBoxPlacement
    rule: IntArray
    history: Sequence[Sequence[str | None]] | None


ReadinessResult.__document_type__ = ReadinessResultDocument
