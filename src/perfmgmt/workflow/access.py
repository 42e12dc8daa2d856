"""Audiences and redaction: who may see which part of a review, a score card and decisions.

Every output made for people (a report, an explanation, a JSON export, a notebook display) is
made for an :class:`Audience`. One function, :func:`redact`, turns a review, a score card or
decisions into the view that audience may see under a :class:`VisibilityPolicy`::

    view = redact(review, Audience.EMPLOYEE)
    card_view = redact(card, Audience.EMPLOYEE)

What the :data:`DEFAULT_POLICY` enforces:

- **Rater ids** are shown to HR only. Every other audience sees ``"-"`` in their place, and the
  rows of a source are sorted by rating and comment, so their order says nothing about who
  wrote them.
- **Anonymity thresholds**, per assessment source (:class:`SourceRule`): a source rated by fewer
  than ``min_raters`` people on a criterion shows only its aggregate (mean and count) or
  nothing; its individual ratings and comments are removed. Comments appear only when the
  source is k-anonymous, or never, or always, as the rule says.
- **Confidential actions** (``DevelopmentAction.confidential``: wellbeing support, disciplinary
  notes) are seen by HR and the employee only; for anyone else they are removed from the plan,
  from the interview's agreed actions and from the history's details.
- **Penalties** (deductions and position adjustments) are hidden from peers.

Scores are computed before redaction and redaction never changes a number: a view drops or
blanks what an audience may not see, and every aggregate it keeps is the exact one. A redacted
review is a view for reading, not a record to store: it lacks what was removed (and its
history no longer carries every detail), so keep the original in the system of record.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, ClassVar, Literal, overload

import attrs

from perfmgmt._validate import instance_of, integer, slug, to_tuple, tuple_of
from perfmgmt.errors import AccessError, ValidationError
from perfmgmt.model.development import DevelopmentPlan, Interview
from perfmgmt.model.incentive import Deduction, PositionAdjustment
from perfmgmt.model.review import Assessment, Event, Review
from perfmgmt.rules.decisions import BatchDecisions, Decisions
from perfmgmt.scoring.card import BatchScores, CriterionLine, ScoreCard

__all__ = [
    "ANONYMOUS",
    "DEFAULT_POLICY",
    "Audience",
    "BelowThreshold",
    "CommentRule",
    "SourceRule",
    "SourceSummary",
    "VisibilityPolicy",
    "redact",
    "source_summaries",
]

ANONYMOUS = "-"
"""What a rater id reads as for every audience that may not see rater ids."""

ANY_SOURCE = "*"

CommentRule = Literal["k_anonymous", "never", "always"]
"""When comments are shown: with k-anonymous ratings only, never, or always (unattributed)."""

BelowThreshold = Literal["aggregate", "hide"]
"""What a source rated by fewer than ``min_raters`` people shows: its mean and count, or nothing."""

_COMMENT_RULES = ("k_anonymous", "never", "always")
_BELOW = ("aggregate", "hide")


@attrs.frozen(kw_only=True, order=True)
class Audience:
    """Who an output is made for: the employee, their manager, HR, a committee ...

    The common audiences are class attributes (``Audience.EMPLOYEE``, ``Audience.MANAGER``,
    ``Audience.SKIP_LEVEL``, ``Audience.HR``, ``Audience.CALIBRATION``, ``Audience.PEER``);
    make your own with a name (``Audience(name="works_council")``) and add it to a policy.

    Attributes:
        name: The audience's name: 1-64 letters, digits, ``_``, ``.`` or ``-``.
    """

    name: str = attrs.field(validator=slug)

    EMPLOYEE: ClassVar[Audience]
    MANAGER: ClassVar[Audience]
    SKIP_LEVEL: ClassVar[Audience]
    HR: ClassVar[Audience]
    CALIBRATION: ClassVar[Audience]
    PEER: ClassVar[Audience]

    def __str__(self) -> str:
        return self.name


Audience.EMPLOYEE = Audience(name="employee")
Audience.MANAGER = Audience(name="manager")
Audience.SKIP_LEVEL = Audience(name="skip_level")
Audience.HR = Audience(name="hr")
Audience.CALIBRATION = Audience(name="calibration")
Audience.PEER = Audience(name="peer")


@attrs.frozen(kw_only=True)
class SourceRule:
    """How one assessment source is shown to an audience that may not see rater ids.

    Attributes:
        min_raters: The fewest raters (k) of a criterion whose individual ratings are shown.
        comments: ``"k_anonymous"``: comments are shown with the ratings of a source that
            reaches ``min_raters``; ``"never"``: comments are never shown; ``"always"``:
            comments are shown even below ``min_raters``, unattributed, beside the aggregate
            (for sources whose author is known anyway, such as the manager).
        below: What a source with fewer than ``min_raters`` raters shows: ``"aggregate"``
            (mean and count) or ``"hide"`` (nothing).
    """

    min_raters: int = attrs.field(default=3, validator=integer(1, 1000))
    comments: CommentRule = attrs.field(
        default="k_anonymous", validator=attrs.validators.instance_of(str)
    )
    below: BelowThreshold = attrs.field(
        default="aggregate", validator=attrs.validators.instance_of(str)
    )

    def __attrs_post_init__(self) -> None:
        if self.comments not in _COMMENT_RULES:
            raise ValidationError(
                f"SourceRule.comments: {self.comments!r} is not allowed; expected one of "
                f"{', '.join(repr(c) for c in _COMMENT_RULES)}",
                field="comments",
                value=self.comments,
            )
        if self.below not in _BELOW:
            raise ValidationError(
                f"SourceRule.below: {self.below!r} is not allowed; expected 'aggregate' or 'hide'",
                field="below",
                value=self.below,
            )


def _source_key(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    return value  # type: ignore[return-value]  # anything else is refused by name


def _rules(value: Any) -> Any:
    items: Any = tuple(value.items()) if isinstance(value, Mapping) else to_tuple(value)
    if not isinstance(items, tuple):
        return value  # refused by the validator, by name
    return tuple(
        (_source_key(p[0]), p[1]) if isinstance(p, tuple) and len(p) == 2 else p for p in items
    )


def _check_rules(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(
            f"{name}: {value!r} is not allowed; expected a mapping of source key to SourceRule",
            field=attribute.name,
            value=value,
        )
    seen: set[str] = set()
    for pair in value:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], SourceRule)
        ):
            raise ValidationError(
                f"{name}: {pair!r} is not allowed; expected (source key, SourceRule)",
                field=attribute.name,
                value=pair,
            )
        if pair[0] in seen:
            raise ValidationError(
                f"{name}: source {pair[0]!r} has two rules; give one per source",
                field=attribute.name,
                value=pair[0],
            )
        seen.add(pair[0])


def _audience_rules(value: Any) -> Any:
    items: Any = tuple(value.items()) if isinstance(value, Mapping) else to_tuple(value)
    if not isinstance(items, tuple):
        return value  # refused by the validator, by name
    return tuple((p[0], _rules(p[1])) if isinstance(p, tuple) and len(p) == 2 else p for p in items)


def _check_audience_rules(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(
            f"{name}: {value!r} is not allowed; expected a mapping of Audience to source rules",
            field=attribute.name,
            value=value,
        )
    for pair in value:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], Audience)):
            raise ValidationError(
                f"{name}: {pair!r} is not allowed; expected (Audience, source rules)",
                field=attribute.name,
                value=pair,
            )
        _check_rules(instance, attribute, pair[1])


def _audiences(value: Any) -> Any:
    # A sorted tuple, not a frozenset: the same policy always writes the same JSON.
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # refused by the validator, by name
    items = tuple(value)
    if not all(isinstance(a, Audience) for a in items):
        return items  # refused by the validator, by name
    return tuple(sorted(set(items)))


def _check_audiences(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(a, Audience) for a in value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: {value!r} is not allowed; expected a "
            "sequence of Audience",
            field=attribute.name,
            value=value,
        )


_ALL = (
    Audience.EMPLOYEE,
    Audience.MANAGER,
    Audience.SKIP_LEVEL,
    Audience.HR,
    Audience.CALIBRATION,
    Audience.PEER,
)


@attrs.frozen(kw_only=True)
class VisibilityPolicy:
    """Who sees what: anonymity per source and audience, confidential actions, penalties.

    Attributes:
        audiences: The audiences the policy knows; :func:`redact` refuses any other, so a new
            audience is seen by nobody until you add it.
        identified: Audiences that see everything, rater ids included (HR).
        sources: The rule per assessment source key (``"peer"``, ``"upward"`` ...).
        default_source: The rule for a source that ``sources`` does not name.
        audience_sources: Rules for one audience that override ``sources``; the key ``"*"``
            stands for every source of that audience.
        confidential: Audiences that see confidential development actions (HR and the
            employee).
        penalties: Audiences that see penalties (deductions and position adjustments); peers
            do not.
    """

    audiences: tuple[Audience, ...] = attrs.field(
        default=_ALL, converter=_audiences, validator=_check_audiences
    )
    identified: tuple[Audience, ...] = attrs.field(
        default=(Audience.HR,), converter=_audiences, validator=_check_audiences
    )
    sources: tuple[tuple[str, SourceRule], ...] = attrs.field(
        factory=tuple, converter=_rules, validator=_check_rules
    )
    default_source: SourceRule = attrs.field(factory=SourceRule, validator=instance_of(SourceRule))
    audience_sources: tuple[tuple[Audience, tuple[tuple[str, SourceRule], ...]], ...] = attrs.field(
        factory=tuple, converter=_audience_rules, validator=_check_audience_rules
    )
    confidential: tuple[Audience, ...] = attrs.field(
        default=(Audience.HR, Audience.EMPLOYEE), converter=_audiences, validator=_check_audiences
    )
    penalties: tuple[Audience, ...] = attrs.field(
        default=tuple(a for a in _ALL if a != Audience.PEER),
        converter=_audiences,
        validator=_check_audiences,
    )

    def rule(self, audience: Audience, source: str) -> SourceRule:
        """Return the rule for ``source`` (a source key) as shown to ``audience``."""
        for aud, rules in self.audience_sources:
            if aud == audience:
                found = dict(rules)
                if source in found:
                    return found[source]
                if ANY_SOURCE in found:
                    return found[ANY_SOURCE]
        return dict(self.sources).get(source, self.default_source)

    def check(self, audience: object) -> Audience:
        """Return ``audience`` when the policy knows it.

        Raises:
            AccessError: When ``audience`` is not an :class:`Audience` the policy knows.
        """
        if not isinstance(audience, Audience):
            raise AccessError(
                f"audience: {audience!r} is not allowed; expected an Audience such as "
                "Audience.EMPLOYEE"
            )
        if audience not in self.audiences:
            known = ", ".join(sorted(a.name for a in self.audiences))
            raise AccessError(
                f"audience: {audience.name!r} is not in the visibility policy; known audiences "
                f"are {known} (add it to VisibilityPolicy.audiences)"
            )
        return audience


DEFAULT_POLICY = VisibilityPolicy(
    sources={
        "manager": SourceRule(min_raters=1, comments="always"),
        "self": SourceRule(min_raters=1, comments="always"),
    },
    default_source=SourceRule(min_raters=3, comments="k_anonymous", below="aggregate"),
    audience_sources={
        Audience.PEER: {ANY_SOURCE: SourceRule(min_raters=3, comments="never", below="hide")},
    },
)
"""The default policy: rater ids for HR only; manager and self ratings shown with comments;
peer, upward and customer ratings individually from 3 raters, else as mean and count; peers
see no comments and nothing below 3 raters; confidential actions for HR and the employee;
penalties hidden from peers."""


@attrs.frozen(kw_only=True)
class SourceSummary:
    """What an audience sees of one source's ratings on one criterion.

    Attributes:
        criterion: Key of the criterion.
        source: Source key.
        raters: How many ratings the source gave the criterion.
        mean: Their exact mean (as the nearest float), on the rater's scale.
        individual: Whether the individual ratings are shown as well (k-anonymous or HR).
        comments: Comments shown with the aggregate, unattributed (the ``"always"`` rule
            below the threshold), in sorted order.
    """

    criterion: str
    source: str
    raters: int
    mean: float
    individual: bool
    comments: tuple[str, ...] = attrs.field(default=(), converter=to_tuple, validator=tuple_of(str))


def _groups(review: Review) -> dict[tuple[str, str], list[Assessment]]:
    groups: dict[tuple[str, str], list[Assessment]] = {}
    for a in review.assessments:
        groups.setdefault((a.criterion, a.source.value), []).append(a)
    return groups


def source_summaries(
    review: Review,
    audience: Audience,
    policy: VisibilityPolicy = DEFAULT_POLICY,
) -> tuple[SourceSummary, ...]:
    """Return the per-source aggregates of ``review`` that ``audience`` may see.

    Compute them from the original review, not a redacted one: a source below its threshold
    loses its individual ratings in the redacted review, and its exact mean lives only here.

    Args:
        review: The original (unredacted) review.
        audience: Who the summary is for.
        policy: The visibility policy.

    Returns:
        One summary per (criterion, source) that the audience may see, sorted by criterion
        and source.

    Raises:
        AccessError: When the policy does not know ``audience``.
    """
    audience = policy.check(audience)
    out: list[SourceSummary] = []
    for (criterion, source), items in sorted(_groups(review).items()):
        n = len(items)
        mean = float(sum((Fraction(a.rating) for a in items), Fraction(0)) / n)
        if audience in policy.identified:
            out.append(
                SourceSummary(
                    criterion=criterion, source=source, raters=n, mean=mean, individual=True
                )
            )
            continue
        rule = policy.rule(audience, source)
        enough = n >= rule.min_raters
        if not enough and rule.below == "hide":
            continue
        comments = (
            tuple(sorted(a.comment for a in items if a.comment))
            if not enough and rule.comments == "always"
            else ()
        )
        out.append(
            SourceSummary(
                criterion=criterion,
                source=source,
                raters=n,
                mean=mean,
                individual=enough,
                comments=comments,
            )
        )
    return tuple(out)


@overload
def redact(obj: Review, audience: Audience, policy: VisibilityPolicy = ...) -> Review: ...
@overload
def redact(obj: ScoreCard, audience: Audience, policy: VisibilityPolicy = ...) -> ScoreCard: ...
@overload
def redact(obj: Decisions, audience: Audience, policy: VisibilityPolicy = ...) -> Decisions: ...
@overload
def redact(
    obj: DevelopmentPlan, audience: Audience, policy: VisibilityPolicy = ...
) -> DevelopmentPlan: ...


def redact(
    obj: Review | ScoreCard | Decisions | DevelopmentPlan,
    audience: Audience,
    policy: VisibilityPolicy = DEFAULT_POLICY,
) -> Review | ScoreCard | Decisions | DevelopmentPlan:
    """Return the view of ``obj`` that ``audience`` may see under ``policy``.

    Score first, then redact: a view never changes a number, it drops or blanks what the
    audience may not see. The view is for reading (reports, ``explain()``, notebook display,
    a JSON export); keep the original as the record.

    - :class:`~perfmgmt.model.Review`: rater ids become ``"-"`` and below-threshold sources
      lose their individual ratings (their aggregate comes from :func:`source_summaries`);
      comments follow the source's rule; confidential actions leave the plan, the interview's
      agreed actions and the history's details.
    - :class:`~perfmgmt.scoring.ScoreCard`: a source that shows nothing below its threshold
      (``below="hide"``) leaves the card; the others keep their exact mean and count.
    - :class:`~perfmgmt.rules.Decisions`: penalties, with the rules that awarded them, leave
      the decisions of an audience that may not see them.
    - :class:`~perfmgmt.model.DevelopmentPlan`: confidential actions leave the plan.

    Args:
        obj: A review, score card, decisions or development plan.
        audience: Who the view is for.
        policy: The visibility policy.

    Raises:
        AccessError: On an audience the policy does not know, or an object it cannot redact
            (batch results: redact each row, e.g. ``redact(batch.row(i), audience)``).
    """
    audience = policy.check(audience)
    if isinstance(obj, BatchDecisions | BatchScores):
        raise AccessError(
            f"redact: a {type(obj).__name__} is not redacted as a whole; redact each row, "
            "e.g. redact(batch.row(i), audience)"
        )
    if audience in policy.identified:
        return obj
    if isinstance(obj, Review):
        return _redact_review(obj, audience, policy)
    if isinstance(obj, ScoreCard):
        return _redact_card(obj, audience, policy)
    if isinstance(obj, Decisions):
        return _redact_decisions(obj, audience, policy)
    if isinstance(obj, DevelopmentPlan):
        return _redact_plan(obj, audience, policy)
    raise AccessError(
        f"redact: {type(obj).__name__} is not allowed; expected a Review, ScoreCard, "
        "Decisions or DevelopmentPlan"
    )


def _redact_assessments(
    review: Review, audience: Audience, policy: VisibilityPolicy
) -> tuple[Assessment, ...]:
    kept: list[Assessment] = []
    for (_, source), items in sorted(_groups(review).items()):
        rule = policy.rule(audience, source)
        if len(items) < rule.min_raters:
            continue
        for a in items:
            comment = "" if rule.comments == "never" else a.comment
            kept.append(attrs.evolve(a, rater_id=ANONYMOUS, comment=comment))
    # Order within a source by rating and comment, never by who wrote them.
    kept.sort(key=lambda a: (a.criterion, a.source.value, a.rating, a.comment))
    return tuple(kept)


def _redact_plan(
    plan: DevelopmentPlan, audience: Audience, policy: VisibilityPolicy
) -> DevelopmentPlan:
    if audience in policy.confidential:
        return plan
    return attrs.evolve(plan, actions=tuple(a for a in plan.actions if not a.confidential))


def _confidential_texts(review: Review) -> frozenset[str]:
    plan = review.development_plan
    if plan is None:
        return frozenset()
    return frozenset(a.description for a in plan.actions if a.confidential)


def _redact_interview(interview: Interview, secret: frozenset[str]) -> Interview:
    agreed = tuple(t for t in interview.agreed_actions if t not in secret)
    return attrs.evolve(interview, agreed_actions=agreed)


def _redact_event(event: Event) -> Event:
    # Event details hold whole interviews and plans; the summary line says what happened.
    return attrs.evolve(event, details=())


def _redact_review(review: Review, audience: Audience, policy: VisibilityPolicy) -> Review:
    changes: dict[str, Any] = {"assessments": _redact_assessments(review, audience, policy)}
    if audience not in policy.confidential:
        secret = _confidential_texts(review)
        if review.development_plan is not None:
            changes["development_plan"] = _redact_plan(review.development_plan, audience, policy)
        if review.interview is not None:
            changes["interview"] = _redact_interview(review.interview, secret)
        changes["history"] = tuple(_redact_event(e) for e in review.history)
    return attrs.evolve(review, **changes)


def _redact_criterion(
    line: CriterionLine, audience: Audience, policy: VisibilityPolicy
) -> CriterionLine:
    sources = tuple(
        s
        for s in line.sources
        if s.raters >= (rule := policy.rule(audience, s.key)).min_raters or rule.below != "hide"
    )
    return attrs.evolve(line, sources=sources)


def _redact_card(card: ScoreCard, audience: Audience, policy: VisibilityPolicy) -> ScoreCard:
    criteria = tuple(_redact_criterion(c, audience, policy) for c in card.criteria)
    return attrs.evolve(card, criteria=criteria)


def _is_penalty(outcome: object) -> bool:
    return isinstance(outcome, Deduction | PositionAdjustment)


def _redact_decisions(
    decisions: Decisions, audience: Audience, policy: VisibilityPolicy
) -> Decisions:
    if audience in policy.penalties:
        return decisions
    penal = {d.source for d in decisions.decisions if _is_penalty(d.outcome)}
    return attrs.evolve(
        decisions,
        decisions=tuple(d for d in decisions.decisions if d.source not in penal),
        trace=tuple(t for t in decisions.trace if t.source not in penal),
        deduction=None,
    )
