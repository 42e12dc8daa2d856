"""Development suggestions (绩效改进与发展规划) derived from a scored review.

:func:`suggest_development` turns a score card into a draft development plan following a
:class:`~perfmgmt.model.development.DevelopmentPolicy`: skill training for KPI gaps through the
skill map, a career step when ratings stay high for several cycles, and wellbeing support
(心理辅导) when the scheme's indicators say so or the person asks. :func:`carry_forward` takes
the open actions of one cycle's plan into the next cycle's review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs

from perfmgmt._format import check_lang
from perfmgmt.errors import TransitionError, ValidationError
from perfmgmt.model.development import (
    ActionKind,
    DevelopmentAction,
    DevelopmentPlan,
    DevelopmentPolicy,
)
from perfmgmt.model.review import Goal, Review, ReviewStatus
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring import ScoreCard

__all__ = ["carry_forward", "suggest_development"]


def _ratings_run(history: Sequence[str | None], current: str | None, n: int) -> list[str | None]:
    return [*history, current][-n:]


def suggest_development(
    scheme: Scheme,
    score_card: ScoreCard,
    history: Sequence[str | None] = (),
    *,
    policy: DevelopmentPolicy,
    owner: str,
    on: dt.date,
    review: Review | None = None,
    wellbeing_requested: bool = False,
    lang: str = "en",
) -> DevelopmentPlan:
    """Suggest a development plan for one scored review.

    Args:
        scheme: The scheme the card was scored under (for KPI names).
        score_card: The review's score card.
        history: Final ratings of the person's previous cycles, oldest first (None where
            there was no rating).
        policy: Skill map, career and wellbeing settings.
        owner: Who owns the suggested actions (usually the manager).
        on: The date suggestions are made (the interview date); actions are due
            ``policy.due_days`` later.
        review: The review, to link the plan to it and to prefer its calibrated rating.
        wellbeing_requested: The person asked for wellbeing support.
        lang: Language of the actions' descriptions, ``"en"`` or ``"zh"`` (the names of
            trainings, skills and trigger reasons are shown as the policy gives them).

    Returns:
        A plan with planned actions, in the order skill training, career step, wellbeing.
        The wellbeing action is marked ``confidential``: only HR and the employee see it
        (:func:`perfmgmt.workflow.redact`).

    Raises:
        ValidationError: When the card was scored under another scheme, or on another language.
    """
    w = _texts(check_lang(lang, "suggest_development: lang"))
    if score_card.scheme_key != scheme.key:
        raise ValidationError(
            f"suggest_development: score card is for scheme {score_card.scheme_key!r}, not "
            f"{scheme.key!r}",
            field="score_card",
            value=score_card.scheme_key,
        )
    due = on + dt.timedelta(days=policy.due_days)
    rating = score_card.rating
    if review is not None and review.result is not None:
        rating = review.result.final_rating
    actions = [
        *_skill_actions(scheme, score_card, policy, owner=owner, due=due, w=w),
        *_career_actions(
            _ratings_run(history, rating, policy.career_after), policy, owner=owner, due=due, w=w
        ),
        *_wellbeing_actions(
            score_card, policy, requested=wellbeing_requested, owner=owner, due=due, w=w
        ),
    ]
    return _plan(
        subject_id=score_card.subject_id,
        review=review.key if review is not None else None,
        actions=tuple(actions),
    )


def _skill_actions(
    scheme: Scheme,
    score_card: ScoreCard,
    policy: DevelopmentPolicy,
    *,
    owner: str,
    due: dt.date,
    w: dict[str, str],
) -> list[DevelopmentAction]:
    """Return one skill training per skill link whose KPI scored below the link's score."""
    actions: list[DevelopmentAction] = []
    for line in score_card.lines:
        name = scheme.kpi(line.key).indicator.label.get("zh" if w["lang"] == "zh" else "en")
        for i, link in enumerate(policy.skill_map.for_kpi(line.key), start=1):
            if line.score is not None and line.score < link.below_score:
                actions.append(
                    DevelopmentAction(
                        key=f"train_{line.key}_{i}",
                        kind=ActionKind.SKILL_TRAINING,
                        description=w["skill"].format(
                            training=link.training,
                            skill=link.skill,
                            name=name,
                            score=f"{line.score:.1f}",
                            below=f"{link.below_score:g}",
                        ),
                        owner=owner,
                        kpi=line.key,
                        skill=link.skill,
                        due=due,
                    )
                )
    return actions


def _career_actions(
    run: list[str | None],
    policy: DevelopmentPolicy,
    *,
    owner: str,
    due: dt.date,
    w: dict[str, str],
) -> list[DevelopmentAction]:
    """Return a career step when the last ``career_after`` ratings are all high."""
    if not (
        policy.high_ratings
        and len(run) == policy.career_after
        and all(r in policy.high_ratings for r in run)
    ):
        return []
    return [
        DevelopmentAction(
            key="career_step",
            kind=ActionKind.CAREER_STEP,
            description=w["career"].format(
                ratings=", ".join(str(r) for r in run), n=policy.career_after
            ),
            owner=owner,
            due=due,
        )
    ]


def _wellbeing_actions(
    score_card: ScoreCard,
    policy: DevelopmentPolicy,
    *,
    requested: bool,
    owner: str,
    due: dt.date,
    w: dict[str, str],
) -> list[DevelopmentAction]:
    """Return wellbeing support when a trigger fires or the person asks, with every reason."""
    reasons = []
    lines = {line.key: line for line in score_card.lines}
    for trigger in policy.wellbeing:
        # A trigger on a KPI the scheme lacks never fires.
        actual = lines[trigger.kpi].actual if trigger.kpi in lines else None
        if actual is not None and trigger.fires(actual):
            reasons.append(
                trigger.reason
                or w["trigger"].format(
                    kpi=trigger.kpi,
                    actual=f"{actual:g}",
                    when=w[trigger.when.value],
                    limit=f"{trigger.limit:g}",
                )
            )
    if requested:
        reasons.append(w["requested"])
    if not reasons:
        return []
    return [
        DevelopmentAction(
            key="wellbeing_support",
            kind=ActionKind.WELLBEING_SUPPORT,
            description=w["wellbeing"] + w["sep"].join(reasons),
            owner=owner,
            due=due,
            confidential=True,
        )
    ]


_TEXTS = {
    "en": {
        "lang": "en",
        "skill": "{training} ({skill}): {name} scored {score}, below {below}",
        "career": "Discuss the next career step: rated {ratings} in the last {n} cycle(s)",
        "trigger": "{kpi} at {actual} is {when} {limit}",
        "below": "below",
        "above": "above",
        "requested": "requested by the employee",
        "wellbeing": "Offer wellbeing support (心理辅导): ",
        "sep": "; ",
    },
    "zh": {
        "lang": "zh",
        "skill": "{training}({skill}):{name}的得分为 {score},低于 {below}",
        "career": "讨论下一步职业发展:最近 {n} 个周期评级为 {ratings}",
        "trigger": "{kpi} 为 {actual},{when} {limit}",
        "below": "低于",
        "above": "高于",
        "requested": "员工本人提出",
        "wellbeing": "提供心理辅导:",
        "sep": ";",
    },
}


def _texts(lang: str) -> dict[str, str]:
    return _TEXTS[lang]


def _plan(**fields: Any) -> DevelopmentPlan:
    # DevelopmentPlan's tuple converter confuses the attrs mypy plugin; values are checked.
    return DevelopmentPlan(**fields)


def carry_forward(plan: DevelopmentPlan, next_review: Review) -> Review:
    """Carry the open actions of ``plan`` into the next cycle's draft review.

    Open actions join the next review's development plan (actions already there by key are
    kept as they are), and each open action tied to a KPI adds a note to that KPI's goal
    (creating a goal that keeps the scheme's targets when there is none).

    Raises:
        TransitionError: When the next review is no longer a draft (its goals are locked).
        ValidationError: When the plan is for another person.
    """
    if next_review.status is not ReviewStatus.DRAFT:
        raise TransitionError(
            f"carry_forward: review {next_review.key!r} is {next_review.status.value}; open "
            "actions can only be carried into a draft review (goals lock once agreed)"
        )
    if plan.subject_id != next_review.subject.id:
        raise ValidationError(
            f"carry_forward: the plan is for {plan.subject_id!r}, the review for "
            f"{next_review.subject.id!r}",
            field="subject_id",
            value=plan.subject_id,
        )
    existing = next_review.development_plan
    kept = existing.actions if existing is not None else ()
    have = {a.key for a in kept}
    carried = tuple(a for a in plan.open_actions if a.key not in have)
    goals = {g.kpi: g for g in next_review.goals}
    order = [g.kpi for g in next_review.goals]
    for action in carried:
        if action.kpi is None:
            continue
        goal = goals.get(action.kpi) or Goal(kpi=action.kpi)
        if action.kpi not in order:
            order.append(action.kpi)
        note = f"carried from {plan.review or 'previous plan'}: {action.description}"
        goals[action.kpi] = attrs.evolve(goal, note=f"{goal.note}\n{note}" if goal.note else note)
    new_plan = _plan(
        subject_id=next_review.subject.id,
        review=next_review.key,
        actions=(*kept, *carried),
    )
    fields: dict[str, Any] = {
        "goals": tuple(goals[k] for k in order),
        "development_plan": new_plan,
    }
    return attrs.evolve(next_review, **fields)
