"""Goals (目标设定, 目标导向): agreed targets that fit the scheme, aligned to company objectives.

:func:`check_goals` holds agreed goals to the scheme when they are agreed (a target past the
KPI's stretch, or on the wrong side of its threshold, is refused then, not at scoring).

Each goal's ``parent`` names the objective it supports; objectives name theirs, climbing from
person to department to company. :func:`alignment_report` follows every chain and reports the
goals that reach company strategy, those that align to nothing, those whose chain is broken,
and the objectives that nothing supports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from perfmgmt._units import unit_range
from perfmgmt._validate import instance_of, tuple_of
from perfmgmt.errors import ValidationError
from perfmgmt.model.indicator import Direction
from perfmgmt.model.kpi import KPI
from perfmgmt.model.review import Goal, Objective, ObjectiveLevel, Review
from perfmgmt.model.scheme import Scheme

__all__ = ["AlignmentReport", "GoalLink", "alignment_report", "check_goals"]

_BOUNDS = ("threshold", "target", "stretch")  # worst to best


def _refuse(goal: Goal, name: str, value: float, why: str) -> ValidationError:
    return ValidationError(
        f"goal for KPI {goal.kpi!r}: {name} {value:g} is not allowed; {why}",
        field=f"goals[{goal.kpi}].{name}",
        value=value,
    )


def _check_goal(goal: Goal, kpi: KPI) -> None:
    direction = kpi.indicator.direction
    agreed = {n: getattr(goal, n) for n in _BOUNDS}
    if direction is Direction.TARGET_IS_BEST:
        for name in ("threshold", "stretch"):
            value = agreed[name]
            if value is not None:
                raise _refuse(goal, name, value, "a target-is-best indicator has only a target")
    low, high = unit_range(kpi.indicator.unit)
    for name, value in agreed.items():
        if value is not None and not low <= value <= high:
            raise _refuse(
                goal,
                name,
                value,
                f"{kpi.key!r} is measured in {kpi.indicator.unit!r}, whose values lie in "
                f"[{low:g}, {high:g}]",
            )
    if direction is Direction.TARGET_IS_BEST:
        return
    # Every bound in force: the agreed one, else the scheme's default.
    merged = {
        n: (agreed[n], "agreed") if agreed[n] is not None else (getattr(kpi, n), "scheme")
        for n in _BOUNDS
    }
    higher = direction is Direction.HIGHER_IS_BETTER
    for i, name in enumerate(_BOUNDS):
        value = agreed[name]
        if value is None:
            continue
        worse = [(n, *merged[n]) for n in _BOUNDS[:i] if merged[n][0] is not None]
        better = [(n, *merged[n]) for n in _BOUNDS[i + 1 :] if merged[n][0] is not None]
        ok = all(value > v if higher else value < v for _, v, _ in worse) and all(
            value < v if higher else value > v for _, v, _ in better
        )
        if not ok:
            raise _refuse(goal, name, value, _allowed(name, worse, better, higher=higher))


def _allowed(
    name: str,
    worse: list[tuple[str, float | None, str]],
    better: list[tuple[str, float | None, str]],
    *,
    higher: bool,
) -> str:
    """Say where a bound must lie, between the worse and the better bounds in force."""
    parts = []
    for n, v, origin in worse:
        parts.append(f"{'above' if higher else 'below'} the {origin} {n} ({v:g})")
    for n, v, origin in better:
        parts.append(f"{'below' if higher else 'above'} the {origin} {n} ({v:g})")
    way = "higher" if higher else "lower"
    return f"for a {way}-is-better indicator the {name} must lie " + " and ".join(parts)


def check_goals(goals: Iterable[Goal], scheme: Scheme) -> None:
    """Check agreed goals against the scheme's KPIs, as goal setting agrees them.

    Each agreed threshold, target and stretch must lie within the indicator's possible values
    (0..100 for a ``%`` unit, at least 0 for times and counts) and, with the scheme's defaults
    for the bounds the goal leaves open, in the order of the indicator's direction: for
    higher-is-better ``threshold < target < stretch``, for lower-is-better the reverse. A
    target-is-best indicator takes a target only.

    Args:
        goals: The goals.
        scheme: The scheme whose KPIs they name.

    Raises:
        ValidationError: For the first goal that does not fit, naming the KPI, the bound, its
            value and where it must lie; or for a goal naming no KPI of the scheme.
    """
    by_key = {k.key: k for k in scheme.kpis}
    for goal in goals:
        kpi = by_key.get(goal.kpi)
        if kpi is None:
            raise ValidationError(
                f"goal for KPI {goal.kpi!r}: scheme {scheme.key!r} has no such KPI; the KPIs "
                f"are {list(scheme.kpi_keys)}",
                field="goals",
                value=goal.kpi,
            )
        _check_goal(goal, kpi)


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
