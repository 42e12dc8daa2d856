"""Goal alignment (目标导向): how each person's goals support department and company objectives.

Each goal's ``parent`` names the objective it supports; objectives name theirs, climbing from
person to department to company. :func:`alignment_report` follows every chain and reports the
goals that reach company strategy, those that align to nothing, those whose chain is broken,
and the objectives that nothing supports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from perfmgmt._validate import instance_of, tuple_of
from perfmgmt.model.review import Objective, ObjectiveLevel, Review

__all__ = ["AlignmentReport", "GoalLink", "alignment_report"]


@attrs.frozen(kw_only=True)
class GoalLink:
    """One goal of one review and how it aligns.

    Attributes:
        review: Key of the review (``"<subject>@<cycle>"``).
        kpi: The goal's KPI.
        chain: Objective keys from the goal's parent up to a company objective; empty when
            the goal aligns to nothing or the chain is broken.
        problem: Why the chain is broken, empty when it is fine or absent.
    """

    review: str = attrs.field(validator=instance_of(str))
    kpi: str = attrs.field(validator=instance_of(str))
    chain: tuple[str, ...] = attrs.field(default=(), validator=tuple_of(str))
    problem: str = attrs.field(default="", validator=instance_of(str))


@attrs.frozen(kw_only=True)
class AlignmentReport:
    """Which goals support company strategy (目标导向), and which objectives nothing supports.

    Attributes:
        aligned: Goals whose chain reaches a company objective.
        unaligned: Goals with no parent objective.
        broken: Goals whose parent or an ancestor is unknown or in the wrong level order.
        unsupported: Objectives with no child objective and no goal aligned to them.
    """

    aligned: tuple[GoalLink, ...] = attrs.field(default=(), validator=tuple_of(GoalLink))
    unaligned: tuple[GoalLink, ...] = attrs.field(default=(), validator=tuple_of(GoalLink))
    broken: tuple[GoalLink, ...] = attrs.field(default=(), validator=tuple_of(GoalLink))
    unsupported: tuple[str, ...] = attrs.field(default=(), validator=tuple_of(str))

    @property
    def coverage(self) -> float:
        """Share of all goals that are aligned (1.0 when there are no goals)."""
        total = len(self.aligned) + len(self.unaligned) + len(self.broken)
        return 1.0 if total == 0 else len(self.aligned) / total


_RANK = {ObjectiveLevel.PERSON: 0, ObjectiveLevel.DEPARTMENT: 1, ObjectiveLevel.COMPANY: 2}


def _chain(start: str, objectives: Mapping[str, Objective]) -> tuple[tuple[str, ...], str]:
    chain: list[str] = []
    current: str | None = start
    rank = -1
    while current is not None:
        obj = objectives.get(current)
        if obj is None:
            return (), f"objective {current!r} is unknown"
        if current in chain:
            return (), f"objective {current!r} is its own ancestor"
        if _RANK[obj.level] <= rank:
            return (), f"objective {current!r} ({obj.level.value}) is not above its child"
        chain.append(current)
        rank = _RANK[obj.level]
        current = obj.parent
    return tuple(chain), ""


def alignment_report(objectives: Iterable[Objective], reviews: Iterable[Review]) -> AlignmentReport:
    """Report how the reviews' goals align to company -> department -> person objectives.

    Each goal's ``parent`` names the objective it supports; the chain of parents must climb
    levels (person, department, company) and end at a company objective.
    """
    by_key = {o.key: o for o in objectives}
    aligned: list[GoalLink] = []
    unaligned: list[GoalLink] = []
    broken: list[GoalLink] = []
    supported: set[str] = {o.parent for o in by_key.values() if o.parent is not None}
    for review in reviews:
        for goal in review.goals:
            if goal.parent is None:
                unaligned.append(GoalLink(review=review.key, kpi=goal.kpi))
                continue
            supported.add(goal.parent)
            chain, problem = _chain(goal.parent, by_key)
            link = GoalLink(review=review.key, kpi=goal.kpi, chain=chain, problem=problem)
            (broken if problem else aligned).append(link)
    unsupported = tuple(k for k in by_key if k not in supported)
    return AlignmentReport(
        aligned=tuple(aligned),
        unaligned=tuple(unaligned),
        broken=tuple(broken),
        unsupported=unsupported,
    )
