"""One manager's review through the workflow, in the words the demo writes in each language.

Goals, mid-term check, evaluation, calibration, interview, development plan and close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._words import unit_word
from perfmgmt.calibration import GuidedDistribution
from perfmgmt.demo._draws import Columns
from perfmgmt.model import (
    Actual,
    Assessment,
    AssessmentSource,
    CheckIn,
    Cycle,
    Direction,
    Goal,
    Language,
    Review,
    Scheme,
    Subject,
)
from perfmgmt.model.development import DevelopmentPlan, DevelopmentPolicy, Interview
from perfmgmt.scoring import Population, ScoreCard

_TZ = dt.timezone(dt.timedelta(hours=8))
_DIRECTOR = "D01"
_HR = "HR01"


_CUMULATIVE = ("training", "innovation")


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "above": "{kpi}: {actual} against a target of {target} (score {score:.0f})",
        "below": "{kpi}: {actual}, short of the threshold {threshold} (score {score:.0f})",
        "no_gap": "No KPI below its threshold",
        "no_strength": "No KPI above target this cycle",
        "kept": "Guided distribution reported, not enforced: rank {rank} of {rated}, guided "
        "rating {guided}; the scored rating {rating} stands",
        "enforced_kept": "Guided distribution enforced: rank {rank} of {rated}; rating {rating} "
        "kept",
        "warning": "Early warning: {kpis} projected short of the threshold at the cycle end",
        "on_track": "No early warning at the mid-term check",
    },
    "zh": {
        "above": "{kpi}:实际 {actual},目标 {target}(得分 {score:.0f})",
        "below": "{kpi}:实际 {actual},未达门槛 {threshold}(得分 {score:.0f})",
        "no_gap": "没有低于门槛的指标",
        "no_strength": "本周期没有超过目标的指标",
        "kept": "强制分布仅报告、未执行:排名 {rank}/{rated},指导评级 {guided};"
        "维持评分评级 {rating}",
        "enforced_kept": "已执行强制分布:排名 {rank}/{rated};评级 {rating} 不变",
        "warning": "预警:{kpis} 预计在周期结束时未达门槛",
        "on_track": "中期检查无预警",
    },
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=_TZ)


def _half(cycle: Cycle) -> Cycle:
    """The first half of ``cycle``: the data a mid-term check sees."""
    mid = cycle.start + dt.timedelta(days=cycle.days // 2 - 1)
    return Cycle(key=cycle.key, start=cycle.start, end=mid, frequency=cycle.frequency)


def _actuals(
    scheme: Scheme,
    actual: npt.NDArray[np.float64],
    size: npt.NDArray[np.int64],
    *,
    rounded: bool = False,
) -> tuple[Actual, ...]:
    """Return one manager's actuals (a row of ``actual`` and ``size``, in scheme order)."""
    out = []
    for j, kpi in enumerate(scheme.kpis):
        v, n = float(actual[j]), int(size[j])
        sample = n if n >= 0 else None
        if np.isnan(v):
            out.append(Actual(kpi=kpi.key, sample_size=sample))
        else:
            value = round(v, kpi.indicator.precision) if rounded else v
            out.append(Actual(kpi=kpi.key, value=value, sample_size=sample))
    return tuple(out)


def _stack(
    scheme: Scheme, values: Mapping[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    actual = np.column_stack([values[k][0] for k in scheme.kpi_keys])
    size = np.column_stack([values[k][1] for k in scheme.kpi_keys])
    return actual, size


def _assessments_of(cols: Columns | None, subject_id: str) -> tuple[Assessment, ...]:
    """Return the raters' own ratings of one manager (their standardised means were scored)."""
    if cols is None:
        return ()
    return tuple(
        Assessment(
            criterion=str(cols["criterion"][r]),
            source=AssessmentSource(str(cols["source"][r])),
            rater_id=str(cols["rater"][r]),
            rating=float(cols["rating"][r]),
        )
        for r in np.flatnonzero(cols["subject"] == subject_id).tolist()
    )


def _interview(
    scheme: Scheme, card: ScoreCard, plan: DevelopmentPlan, *, on: dt.date, lang: Language
) -> Interview:
    """Draft the interview from the card: KPIs above target, KPIs short of their threshold."""
    words = _WORDS[lang]
    strengths: list[str] = []
    gaps: list[str] = []
    for line in card.lines:
        if line.score is None or line.actual is None or line.target is None:
            continue
        ind = scheme.kpi(line.key).indicator
        sign = -1.0 if ind.direction is Direction.LOWER_IS_BETTER else 1.0

        def show(x: float, p: int = ind.precision, unit: str = unit_word(ind.unit, lang)) -> str:
            return f"{x:.{p}f} {unit}".strip()

        fmt = {
            "kpi": ind.label.get(lang),
            "actual": show(line.actual),
            "target": show(line.target),
            "threshold": "-" if line.threshold is None else show(line.threshold),
            "score": line.score,
        }
        if line.score >= 100.0:
            strengths.append(words["above"].format(**fmt))
        elif line.threshold is not None and sign * line.actual < sign * line.threshold:
            gaps.append(words["below"].format(**fmt))
    return Interview(
        on=on,
        interviewer=_DIRECTOR,
        strengths=strengths or [words["no_strength"]],
        gaps=gaps or [words["no_gap"]],
        agreed_actions=[a.description for a in plan.actions],
    )


def _calibration_reason(guided: GuidedDistribution, i: int, lang: Language) -> str:
    sid = guided.subject_ids[i]
    for change in guided.log.changes:
        if change.subject_id == sid:
            return change.text(lang)
    key = "enforced_kept" if guided.enforced else "kept"
    return _WORDS[lang][key].format(
        rank=int(guided.rank[i]),
        rated=guided.rated,
        guided=guided.guided[i],
        rating=guided.rating[i],
    )


@attrs.frozen(kw_only=True, eq=False)
class _Walk:
    """What walking one review needs from the cycle's run."""

    scheme: Scheme
    cycle: Cycle
    policy: DevelopmentPolicy
    population: Population
    midterm: tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]
    assessments: Columns | None
    guided: GuidedDistribution
    today: dt.date
    lang: Language


def _walk_review(
    walk: _Walk,
    *,
    i: int,
    subject: Subject,
    card: ScoreCard,
    earlier: list[str | None],
    interview_day: dt.date,
) -> tuple[Review, DevelopmentPlan]:
    """Take one manager's review from goal setting as far as the report date allows."""
    from perfmgmt.workflow import (  # noqa: PLC0415
        agree_goals,
        calibrate,
        check_in,
        close,
        early_warnings,
        evaluate,
        record_interview,
        set_development_plan,
        suggest_development,
    )

    scheme, cycle, words = walk.scheme, walk.cycle, _WORDS[walk.lang]
    review = Review(
        subject=subject, cycle=cycle.key, scheme=scheme.key, scheme_hash=scheme.content_hash
    )
    # Goal setting keeps the scheme's targets (the population is scored on them).
    review = agree_goals(
        review,
        goals=[Goal(kpi=k) for k in scheme.kpi_keys],
        scheme=scheme,
        actor=_DIRECTOR,
        at=_at(cycle.start + dt.timedelta(days=4)),
    )
    mid = _half(cycle).end
    progress = _actuals(scheme, walk.midterm[0][i], walk.midterm[1][i], rounded=True)
    entry = CheckIn(on=mid, author=_DIRECTOR, progress=progress)
    probe = check_in(review, entry, actor=_DIRECTOR, at=_at(mid), cycle=cycle)
    warned = early_warnings(probe, scheme, cycle, cumulative=_CUMULATIVE)
    note = (
        words["warning"].format(
            kpis=", ".join(scheme.kpi(p.kpi).indicator.label.get(walk.lang) for p in warned)
        )
        if warned
        else words["on_track"]
    )
    entry = attrs.evolve(entry, note=note)
    review = check_in(review, entry, actor=_DIRECTOR, at=_at(mid), cycle=cycle)
    changes: dict[str, Any] = {"assessments": _assessments_of(walk.assessments, subject.id)}
    review = attrs.evolve(review, **changes)
    review = evaluate(
        review,
        card,
        cycle=cycle,
        actor=_DIRECTOR,
        at=_at(cycle.end + dt.timedelta(days=2)),
        actuals=_actuals(scheme, walk.population.actual[i], walk.population.sample_size[i]),
    )
    final = walk.guided.rating[i]
    if final is not None:
        review = calibrate(
            review,
            rating=final,
            reason=_calibration_reason(walk.guided, i, walk.lang),
            labels=scheme.rating_scale.labels,
            actor=_HR,
            at=_at(cycle.end + dt.timedelta(days=3)),
        )
    plan = suggest_development(
        scheme,
        card,
        earlier,
        policy=walk.policy,
        owner=subject.id,
        on=interview_day,
        review=review,
        lang=walk.lang,
    )
    if interview_day <= walk.today:
        interview = _interview(scheme, card, plan, on=interview_day, lang=walk.lang)
        review = record_interview(review, interview, actor=_DIRECTOR, at=_at(interview_day))
        review = set_development_plan(review, plan, actor=_DIRECTOR, at=_at(interview_day, 11))
        if interview_day < walk.today:
            review = close(review, actor=_HR, at=_at(interview_day + dt.timedelta(days=1)))
    return review, plan
