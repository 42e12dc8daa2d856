"""Strategies for people and their reviews, and for populations of reviews to score.

Subjects, goals and actuals for a scheme, assessments, audit events, interviews, development
actions, plans and policies, eligibility, objectives, results, reviews, populations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from perfmgmt.model import (
    KPI,
    ActionKind,
    ActionStatus,
    Actual,
    Assessment,
    AssessmentSource,
    Assignment,
    CheckIn,
    DevelopmentAction,
    DevelopmentPlan,
    DevelopmentPolicy,
    Direction,
    Eligibility,
    Event,
    FteChange,
    Goal,
    GoalChange,
    Interview,
    Leave,
    LeaveKind,
    Objective,
    ObjectiveLevel,
    Period,
    PeriodValues,
    Proration,
    Review,
    ReviewResult,
    ReviewStatus,
    Scale,
    Scheme,
    SkillLink,
    SkillMap,
    Subject,
    TriggerWhen,
    WellbeingTrigger,
)
from perfmgmt.strategies._model import _ordered, schemes
from perfmgmt.strategies._values import (
    _DATES,
    _check_sizes,
    _default_keys,
    _finite,
    _make,
    _or_default,
    _texts,
    _unique_keys,
    decimals,
    keys,
)

if TYPE_CHECKING:
    from perfmgmt.scoring.population import Population


@st.composite
def _subject(draw: st.DrawFn, id_s: st.SearchStrategy[str]) -> Subject:
    hire = draw(st.none() | _DATES)
    leave = None
    if hire is not None and draw(st.booleans()):
        leave = hire + dt.timedelta(days=draw(st.integers(0, 3000)))
    pay = draw(st.none() | decimals(max_value=10_000_000))
    currency = draw(st.sampled_from(["CNY", "USD", "EUR"])) if pay is not None else None
    return Subject(
        id=draw(id_s),
        name=draw(st.none() | _texts(min_size=1, max_size=16)),
        hire_date=hire,
        leave_date=leave,
        grade=draw(st.none() | st.sampled_from(["M1", "M2", "M3", "S1"])),
        department=draw(st.none() | st.sampled_from(["service", "support", "sales"])),
        base_pay=pay,
        currency=currency,
        manager_id=draw(st.none() | keys()),
    )


def subjects(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Subject]:
    """Return a strategy for :class:`~perfmgmt.model.Subject` (dates ordered, pay with currency).

    Args:
        ids: Strategy for the subject id.
    """
    return _subject(_or_default("ids", ids, _default_keys()))


@st.composite
def _actual_value(draw: st.DrawFn, kpi: KPI) -> float:
    anchor = next((v for v in (kpi.target, kpi.threshold, kpi.stretch) if v is not None), 100.0)
    spread = max(abs(anchor), 10.0)
    return draw(_finite(anchor - spread, anchor + spread))


@st.composite
def _actuals_for(draw: st.DrawFn, scheme: Scheme, allow_missing: bool) -> tuple[Actual, ...]:
    out = []
    for kpi in scheme.kpis:
        if allow_missing and draw(st.integers(0, 9)) == 0:
            continue  # no entry at all
        value: float | None = draw(_actual_value(kpi))
        if allow_missing and draw(st.integers(0, 9)) == 0:
            value = None
        size = (
            draw(st.none() | st.integers(0, 500))
            if allow_missing
            else draw(st.integers(kpi.min_sample, kpi.min_sample + 500))
        )
        out.append(Actual(kpi=kpi.key, value=value, sample_size=size))
    return tuple(out)


def actuals_for(
    scheme: Scheme, *, allow_missing: bool = True
) -> st.SearchStrategy[tuple[Actual, ...]]:
    """Return a strategy for the actuals of one review under ``scheme``.

    Values lie near each KPI's target (or threshold, or 100). With ``allow_missing`` some KPIs
    have no entry, a None value or a small sample, so missing-data policies get exercised.

    Args:
        scheme: The scheme whose KPIs are measured.
        allow_missing: Whether to leave some KPIs without (enough) data.
    """
    if not isinstance(scheme, Scheme):
        raise InvalidArgument(f"actuals_for: scheme must be a Scheme, got {type(scheme).__name__}")
    return _actuals_for(scheme, allow_missing)


@st.composite
def _goals_for(draw: st.DrawFn, scheme: Scheme) -> tuple[Goal, ...]:
    chosen = draw(st.lists(st.sampled_from(scheme.kpis), unique_by=lambda k: k.key, max_size=3))
    out = []
    for kpi in chosen:
        direction = kpi.indicator.direction
        ordered = draw(_ordered(direction))
        # Give every value the direction uses, so the goal never mixes with scheme defaults
        # into an out-of-order triple.
        if direction is Direction.TARGET_IS_BEST:
            ordered["target"] = ordered["target"] if ordered["target"] is not None else 0.0
        else:
            full = draw(_ordered(direction).filter(lambda d: None not in d.values()))
            ordered = full
        out.append(
            Goal(
                kpi=kpi.key,
                parent=draw(st.none() | keys()),
                note=draw(_texts(max_size=12)),
                **ordered,
            )
        )
    return tuple(out)


def goals_for(scheme: Scheme) -> st.SearchStrategy[tuple[Goal, ...]]:
    """Return a strategy for agreed goals of one review under ``scheme``.

    Each goal gives every value its KPI's direction uses (threshold, target and stretch in
    order, or only the target for a target-is-best KPI).

    Args:
        scheme: The scheme whose KPIs the goals refer to.
    """
    if not isinstance(scheme, Scheme):
        raise InvalidArgument(f"goals_for: scheme must be a Scheme, got {type(scheme).__name__}")
    return _goals_for(scheme)


@st.composite
def _assessments(draw: st.DrawFn, scheme: Scheme | None) -> tuple[Assessment, ...]:
    if scheme is None:
        crit = [(k, Scale()) for k in draw(_unique_keys(0, 2))]
        sources = list(AssessmentSource)
    else:
        crit = [(c.key, c.scale) for c in scheme.criteria]
        sources = [s.source for s in scheme.sources]
    # Rater ids are unique per criterion: one rater rates a criterion once.
    return tuple(
        Assessment(
            criterion=ckey,
            source=draw(st.sampled_from(sources)),
            rater_id=rater,
            rating=draw(_finite(scale.low, scale.high)),
            comment=draw(_texts(max_size=12)),
        )
        for ckey, scale in crit
        for rater in draw(_unique_keys(0, 3))
    )


_AWARE = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]),
)


def events() -> st.SearchStrategy[Event]:
    """Return a strategy for one audit :class:`~perfmgmt.model.Event`."""
    return st.builds(
        Event,
        at=_AWARE
        | st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
        actor=keys(),
        action=st.sampled_from(["agree_goals", "check_in", "evaluate", "reopen"]),
        from_status=st.sampled_from(ReviewStatus),
        to_status=st.sampled_from(ReviewStatus),
        summary=_texts(max_size=20),
        details=st.lists(st.tuples(keys(), _texts(max_size=10)), max_size=2).map(tuple),
    )


def interviews() -> st.SearchStrategy[Interview]:
    """Return a strategy for a feedback :class:`~perfmgmt.model.Interview`."""
    items = st.lists(_texts(min_size=1, max_size=20), max_size=3).map(tuple)
    return st.builds(
        Interview,
        on=_DATES,
        interviewer=keys(),
        strengths=items,
        gaps=items,
        agreed_actions=items,
        employee_comment=_texts(max_size=20),
    )


def development_actions(
    *, keys: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[DevelopmentAction]:
    """Return a strategy for one :class:`~perfmgmt.model.DevelopmentAction`.

    Args:
        keys: Strategy for the action key.
    """
    return st.builds(
        DevelopmentAction,
        key=_or_default("keys", keys, _default_keys()),
        kind=st.sampled_from(ActionKind),
        description=_texts(min_size=1),
        owner=_default_keys(),
        kpi=st.none() | _default_keys(),
        skill=st.none() | _texts(max_size=12),
        due=st.none() | _DATES,
        status=st.sampled_from(ActionStatus),
        confidential=st.booleans(),
    )


def development_plans(
    *,
    subject_ids: st.SearchStrategy[str] | None = None,
    min_size: int = 0,
    max_size: int = 4,
) -> st.SearchStrategy[DevelopmentPlan]:
    """Return a strategy for :class:`~perfmgmt.model.DevelopmentPlan` with unique action keys.

    Args:
        subject_ids: Strategy for the subject id.
        min_size: Fewest actions.
        max_size: Most actions.
    """
    _check_sizes("development_plans", min_size, max_size)
    return _development_plan(
        _or_default("subject_ids", subject_ids, _default_keys()), min_size, max_size
    )


@st.composite
def _development_plan(
    draw: st.DrawFn, id_s: st.SearchStrategy[str], min_size: int, max_size: int
) -> DevelopmentPlan:
    action_keys = draw(_unique_keys(min_size, max_size))
    sid = draw(id_s)
    return _make(
        DevelopmentPlan,
        subject_id=sid,
        review=draw(st.none() | keys().map(lambda c: f"{sid}@{c}")),
        actions=tuple(draw(development_actions(keys=st.just(k))) for k in action_keys),
    )


def development_policies() -> st.SearchStrategy[DevelopmentPolicy]:
    """Return a strategy for :class:`~perfmgmt.model.DevelopmentPolicy` (skill map, triggers)."""
    link = st.builds(
        SkillLink,
        kpi=keys(),
        skill=_texts(min_size=1, max_size=12),
        training=_texts(min_size=1, max_size=20),
        below_score=_finite(0, 150),
    )
    skill_map = st.lists(link, max_size=3, unique_by=lambda lk: (lk.kpi, lk.skill)).map(
        lambda links: SkillMap(links=tuple(links))
    )
    trigger = st.builds(
        WellbeingTrigger,
        kpi=keys(),
        when=st.sampled_from(TriggerWhen),
        limit=_finite(),
        reason=_texts(max_size=20),
    )
    return st.builds(
        _make,
        st.just(DevelopmentPolicy),
        skill_map=skill_map,
        high_ratings=st.lists(st.sampled_from("ABCDE"), max_size=2, unique=True).map(tuple),
        career_after=st.integers(1, 5),
        wellbeing=st.lists(trigger, max_size=2).map(tuple),
        due_days=st.integers(1, 365),
    )


@st.composite
def _eligibility(draw: st.DrawFn) -> Eligibility:
    cycle_days = draw(st.integers(1, 400))
    days = draw(st.integers(0, cycle_days))
    return Eligibility(
        days=days, cycle_days=cycle_days, fraction=days / cycle_days, too_new=draw(st.booleans())
    )


def eligibilities() -> st.SearchStrategy[Eligibility]:
    """Return a strategy for :class:`~perfmgmt.model.Eligibility` (fraction = days / cycle days)."""
    return _eligibility()


@st.composite
def _objective(draw: st.DrawFn) -> Objective:
    level = draw(st.sampled_from(ObjectiveLevel))
    return Objective(
        key=draw(keys()),
        level=level,
        title=draw(_texts(min_size=1)),
        parent=None if level is ObjectiveLevel.COMPANY else draw(keys()),
        owner=draw(st.none() | keys()),
    )


def objectives() -> st.SearchStrategy[Objective]:
    """Return a strategy for :class:`~perfmgmt.model.Objective` (company ones have no parent)."""
    return _objective()


@st.composite
def _review_result(draw: st.DrawFn, rating_labels: tuple[str, ...]) -> ReviewResult:
    rated = draw(st.booleans())
    rating = draw(st.sampled_from(rating_labels)) if rated else None
    return ReviewResult(
        total=draw(_finite(0, 200)) if rated else None,
        quantitative=draw(st.none() | _finite(0, 200)),
        qualitative=draw(st.none() | _finite(0, 200)),
        rating=rating,
        rated=rated,
        scheme_hash=draw(st.sampled_from(["", "sha256:" + "0" * 64])),
        forced=draw(st.booleans()),
        calibrated_rating=draw(st.none() | st.sampled_from(rating_labels)) if rated else None,
        calibration_note=draw(_texts(max_size=20)),
    )


def review_results() -> st.SearchStrategy[ReviewResult]:
    """Return a strategy for :class:`~perfmgmt.model.ReviewResult` (a rating only when rated)."""
    return _review_result(tuple("ABCDE"))


@st.composite
def _check_ins(draw: st.DrawFn, kpi_keys: Sequence[str]) -> tuple[CheckIn, ...]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        chosen = draw(st.lists(st.sampled_from(list(kpi_keys)), unique=True)) if kpi_keys else []
        out.append(
            _make(
                CheckIn,
                on=draw(_DATES),
                author=draw(keys()),
                progress=tuple(Actual(kpi=k, value=draw(st.none() | _finite())) for k in chosen),
                note=draw(_texts(max_size=20)),
            )
        )
    return tuple(out)


@st.composite
def _review(
    draw: st.DrawFn,
    scheme_s: st.SearchStrategy[Scheme] | None,
    subject_s: st.SearchStrategy[Subject],
    status_s: st.SearchStrategy[ReviewStatus],
) -> Review:
    scheme = draw(scheme_s) if scheme_s is not None else None
    subject = draw(subject_s)
    cycle_key = draw(keys())
    if scheme is not None:
        goals = draw(goals_for(scheme))
        actuals = draw(actuals_for(scheme))
        kpi_keys: list[str] = list(scheme.kpi_keys)
        scheme_key, scheme_hash = scheme.key, scheme.content_hash
    else:
        kpi_keys = draw(_unique_keys(0, 3))
        goals = tuple(Goal(kpi=k, target=draw(st.none() | _finite())) for k in kpi_keys)
        actuals = tuple(
            Actual(
                kpi=k,
                value=draw(st.none() | _finite()),
                sample_size=draw(st.none() | st.integers(0, 500)),
            )
            for k in kpi_keys
        )
        scheme_key, scheme_hash = draw(keys()), ""
    return _make(
        Review,
        subject=subject,
        cycle=cycle_key,
        scheme=scheme_key,
        scheme_hash=scheme_hash,
        goals=goals,
        actuals=actuals,
        check_ins=draw(_check_ins(kpi_keys)),
        assessments=draw(_assessments(scheme)),
        status=draw(status_s),
        history=tuple(draw(st.lists(events(), max_size=2))),
        interview=draw(st.none() | interviews()),
        development_plan=draw(
            st.none() | development_plans(subject_ids=st.just(subject.id), max_size=2)
        ),
        result=draw(
            st.none()
            | _review_result(scheme.rating_scale.labels if scheme else tuple("ABCDE")).map(
                lambda r: attrs.evolve(r, scheme_hash=scheme_hash)
            )
        ),
    )


def reviews(
    *,
    scheme: Scheme | st.SearchStrategy[Scheme] | None = None,
    subjects: st.SearchStrategy[Subject] | None = None,
    statuses: st.SearchStrategy[ReviewStatus] | None = None,
) -> st.SearchStrategy[Review]:
    """Return a strategy for :class:`~perfmgmt.model.Review`.

    With a ``scheme`` the review is scored under it: its key and content hash, goals and
    actuals for its KPIs (:func:`goals_for`, :func:`actuals_for`) and assessments of its
    criteria by its sources, each rating on the criterion's scale. Without one, the review's
    KPI keys are arbitrary (fine for storage and transport tests).

    Args:
        scheme: A scheme, or a strategy for schemes (e.g. ``schemes()``), or None.
        subjects: Strategy for the subject.
        statuses: Strategy for the status.
    """
    scheme_s: st.SearchStrategy[Scheme] | None
    if scheme is None or isinstance(scheme, st.SearchStrategy):
        scheme_s = scheme
    elif isinstance(scheme, Scheme):
        scheme_s = st.just(scheme)
    else:
        raise InvalidArgument(
            "reviews: scheme must be a Scheme or a strategy for schemes, got "
            f"{type(scheme).__name__}"
        )
    return _review(
        scheme_s,
        _or_default("subjects", subjects, _default_subjects()),
        _or_default("statuses", statuses, st.sampled_from(ReviewStatus)),
    )


def _default_subjects() -> st.SearchStrategy[Subject]:
    return subjects()


@st.composite
def _population(
    draw: st.DrawFn, scheme_s: st.SearchStrategy[Scheme], min_size: int, max_size: int
) -> tuple[Scheme, Population]:
    from perfmgmt.scoring.population import Population  # noqa: PLC0415 - optional engine

    scheme = draw(scheme_s)
    ids = draw(_unique_keys(min_size, max_size))
    currency = draw(st.sampled_from(["CNY", "USD"]))
    items = [
        draw(
            reviews(
                scheme=scheme,
                subjects=subjects(ids=st.just(sid)).map(
                    lambda s: attrs.evolve(s, currency=currency if s.base_pay is not None else None)
                ),
            )
        )
        for sid in ids
    ]
    return scheme, Population.from_reviews(scheme, items)


def populations(
    *,
    scheme: Scheme | st.SearchStrategy[Scheme] | None = None,
    min_size: int = 1,
    max_size: int = 8,
) -> st.SearchStrategy[tuple[Scheme, Population]]:
    """Return a strategy for ``(scheme, population)`` pairs ready for ``score_batch``.

    The population is built with ``Population.from_reviews`` from :func:`reviews` under the
    scheme, with unique subject ids and one currency, so the scoring engine accepts it.

    Args:
        scheme: A scheme, or a strategy for schemes; ``schemes(scorable=True)`` by default.
        min_size: Fewest reviews (>= 1).
        max_size: Most reviews.
    """
    _check_sizes("populations", min_size, max_size, minimum=1)
    if scheme is None:
        scheme_s: st.SearchStrategy[Scheme] = schemes(scorable=True)
    elif isinstance(scheme, Scheme):
        scheme_s = st.just(scheme)
    elif isinstance(scheme, st.SearchStrategy):
        scheme_s = scheme
    else:
        raise InvalidArgument(
            "populations: scheme must be a Scheme or a strategy for schemes, got "
            f"{type(scheme).__name__}"
        )
    return _population(scheme_s, min_size, max_size)


# -- mid-cycle changes ------------------------------------------------------------------------


@st.composite
def _period(draw: st.DrawFn) -> Period:
    start = draw(_DATES)
    return Period(start=start, end=start + dt.timedelta(days=draw(st.integers(0, 400))))


def periods() -> st.SearchStrategy[Period]:
    """Return a strategy for :class:`~perfmgmt.model.Period` (runs of up to 401 days)."""
    return _period()


def assignments() -> st.SearchStrategy[Assignment]:
    """Return a strategy for :class:`~perfmgmt.model.Assignment`."""
    return st.builds(Assignment, manager=_texts(min_size=1, max_size=12), start=_DATES)


def fte_changes() -> st.SearchStrategy[FteChange]:
    """Return a strategy for :class:`~perfmgmt.model.FteChange` (FTE in (0, 1], 2 places)."""
    fte = st.integers(1, 100).map(lambda n: Decimal(n) / 100)
    return st.builds(FteChange, fte=fte, start=_DATES)


@st.composite
def _leave(draw: st.DrawFn) -> Leave:
    p = draw(_period())
    return Leave(start=p.start, end=p.end, kind=draw(st.sampled_from(LeaveKind)))


def leaves() -> st.SearchStrategy[Leave]:
    """Return a strategy for :class:`~perfmgmt.model.Leave`."""
    return _leave()


@st.composite
def _goal_change(draw: st.DrawFn) -> GoalChange:
    weight = draw(st.none() | st.floats(0, 10, allow_nan=False))
    target = draw(_finite() if weight is None else st.none() | _finite())
    return GoalChange(kpi=draw(keys()), start=draw(_DATES), weight=weight, target=target)


def goal_changes() -> st.SearchStrategy[GoalChange]:
    """Return a strategy for :class:`~perfmgmt.model.GoalChange` (a weight, a target or both)."""
    return _goal_change()


def _exact_values(kpi_keys: Sequence[str]) -> st.SearchStrategy[tuple[tuple[str, Fraction], ...]]:
    value = st.builds(Fraction, st.integers(0, 10_000), st.integers(1, 10_000))
    return st.tuples(*(st.tuples(st.just(k), value) for k in kpi_keys))


@st.composite
def _period_values(draw: st.DrawFn) -> PeriodValues:
    kpi_keys = draw(st.lists(keys(), min_size=1, max_size=3, unique=True))
    return PeriodValues(period=draw(_period()), values=draw(_exact_values(kpi_keys)))


def period_values() -> st.SearchStrategy[PeriodValues]:
    """Return a strategy for :class:`~perfmgmt.model.PeriodValues`."""
    return _period_values()


@st.composite
def _proration(draw: st.DrawFn) -> Proration:
    cycle_days = draw(st.integers(1, 400))
    employed = draw(st.integers(0, cycle_days))
    leave = draw(st.integers(0, employed))
    worked = employed - leave
    den = draw(st.integers(1, 20))
    fte_days = Fraction(draw(st.integers(0, worked * den)), den)
    kpi_keys = draw(st.lists(keys(), min_size=1, max_size=3, unique=True))
    managers = draw(st.lists(st.tuples(_texts(min_size=1, max_size=8), _period()), max_size=2))
    return Proration(
        cycle=draw(keys()),
        cycle_days=cycle_days,
        employed_days=employed,
        leave_days=leave,
        worked_days=worked,
        fte_days=fte_days,
        eligible_fraction=fte_days / cycle_days,
        weights=draw(_exact_values(kpi_keys)),
        weight_periods=tuple(draw(st.lists(_period_values(), max_size=2))),
        targets=draw(st.just(()) | _exact_values(kpi_keys[:1])),
        managers=tuple(managers),
        evaluating_manager=managers[-1][0] if managers else None,
        previous_managers=tuple(m for m, _ in managers[:-1]),
    )


def prorations() -> st.SearchStrategy[Proration]:
    """Return a strategy for :class:`~perfmgmt.model.Proration` (days and fractions consistent)."""
    return _proration()
