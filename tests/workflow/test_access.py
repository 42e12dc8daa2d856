"""Tests for audiences and redaction (perfmgmt.workflow.access)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmgmt.errors import AccessError, PerfmgmtError, ValidationError
from perfmgmt.model import (
    ActionKind,
    AdjustmentKind,
    Assessment,
    AssessmentSource,
    Bonus,
    BonusBasis,
    Deduction,
    DeductionBasis,
    DevelopmentAction,
    DevelopmentPlan,
    Event,
    Interview,
    PositionAdjustment,
    Review,
    ReviewResult,
    ReviewStatus,
    Subject,
)
from perfmgmt.presets import customer_service_manager
from perfmgmt.report import review_report, team_report, to_html, to_markdown
from perfmgmt.rules import Decision, Decisions, SourceKind, TraceEntry, TraceStatus
from perfmgmt.scoring import ScoreCard, ScoringEngine
from perfmgmt.serialization import dumps, loads
from perfmgmt.strategies import batch_decisions, reviews
from perfmgmt.workflow import (
    ANONYMOUS,
    DEFAULT_POLICY,
    Audience,
    SourceRule,
    VisibilityPolicy,
    redact,
    source_summaries,
)

SCHEME = customer_service_manager()
ENGINE = ScoringEngine()
AUDIENCES = list(DEFAULT_POLICY.audiences)
PENALTY_RULE = "zqpenaltyrulezq"
DEMOTION_NOTE = "zqdemotionnotezq"
DEDUCTION_TEXT = "Deduction 9876.54 CNY"
BONUS_RULE = "zqbonusrulezq"
AT = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)


def _base() -> Review:
    """A review of subject ``s1`` under the preset, with nothing recorded yet."""
    return Review(
        subject=Subject(id="s1", name="Wang Fang"),
        cycle="2026Q2",
        scheme=SCHEME.key,
        scheme_hash=SCHEME.content_hash,
    )


def _decisions(subject_id: str) -> Decisions:
    """Decisions with a bonus and a penalty rule (a deduction and a demotion)."""
    deduction = Deduction(
        basis=DeductionBasis.FIXED_AMOUNT, value=Decimal("9876.54"), currency="CNY"
    )
    bonus = Bonus(basis=BonusBasis.FIXED_AMOUNT, value=Decimal("500.00"), currency="CNY")
    demotion = PositionAdjustment(kind=AdjustmentKind.DEMOTION, note=DEMOTION_NOTE)
    return Decisions(
        subject_id=subject_id,
        decisions=(
            Decision(source=BONUS_RULE, kind=SourceKind.RULE, row=None, outcome=bonus),
            Decision(
                source=PENALTY_RULE,
                kind=SourceKind.RULE,
                row=None,
                outcome=deduction,
                amount=Decimal("9876.54"),
            ),
            Decision(source=PENALTY_RULE, kind=SourceKind.RULE, row=None, outcome=demotion),
        ),
        trace=(
            TraceEntry(
                source=BONUS_RULE, kind=SourceKind.RULE, status=TraceStatus.FIRED, text="true"
            ),
            TraceEntry(
                source=PENALTY_RULE, kind=SourceKind.RULE, status=TraceStatus.FIRED, text="true"
            ),
        ),
        currency="CNY",
        bonus=Decimal("500.00"),
        deduction=Decimal("9876.54"),
    )


@st.composite
def _cases(draw: st.DrawFn) -> Review:
    """A generated review with distinctive rater ids, comments and confidential actions.

    Each criterion gets 0-4 raters per source, so every source is seen below, at and above
    its threshold; the rater ids and comments are tokens no other text contains.
    """
    review = draw(reviews(scheme=SCHEME))
    counter = iter(range(10_000))
    assessments = []
    for crit in SCHEME.criteria:
        for src in SCHEME.sources:
            for _ in range(draw(st.integers(0, 4))):
                n = next(counter)
                assessments.append(
                    Assessment(
                        criterion=crit.key,
                        source=src.source,
                        rater_id=f"zqrater{n}zq",
                        rating=draw(st.integers(1, 5)),
                        comment=draw(st.sampled_from(["", f"zqcomment{n}zq"])),
                    )
                )
    plan = review.development_plan or DevelopmentPlan(subject_id=review.subject.id)
    actions = [
        attrs.evolve(a, description=f"zqsecret{a.key}zq") if a.confidential else a
        for a in plan.actions
    ]
    actions.append(
        DevelopmentAction(
            key="zq_wellbeing",
            kind=ActionKind.WELLBEING_SUPPORT,
            description="zqsecretwellbeingzq",
            owner="hr1",
            confidential=True,
        )
    )
    secret = [a.description for a in actions if a.confidential]
    interview = Interview(
        on=dt.date(2026, 7, 1), interviewer="m1", agreed_actions=[*secret, "Join the workshop"]
    )
    event = Event(
        at=AT,
        actor="m1",
        action="record_interview",
        from_status=ReviewStatus.CALIBRATED,
        to_status=ReviewStatus.FEEDBACK_GIVEN,
        summary="feedback interview",
        details=[("interview", "; ".join(secret))],
    )
    return attrs.evolve(
        review,
        assessments=assessments,
        development_plan=attrs.evolve(plan, actions=actions),
        interview=interview,
        history=(*review.history, event),
    )


def _outputs(
    review: Review, card: ScoreCard, decisions: Decisions, audience: Audience
) -> dict[str, str]:
    """Every output made for ``audience``: reports, explanations, displays and JSON."""
    out: dict[str, str] = {}
    for lang in ("en", "zh"):
        report = review_report(
            review, SCHEME, card=card, decisions=decisions, lang=lang, audience=audience
        )
        out[f"markdown.{lang}"] = to_markdown(report)
        out[f"html.{lang}"] = to_html(report)
    view_card = redact(card, audience)
    view_decisions = redact(decisions, audience)
    view_review = redact(review, audience)
    out["card.explain"] = view_card.explain().text
    out["card.explain.zh"] = view_card.explain("zh").text
    out["decisions.explain"] = view_decisions.explain()
    out["card._repr_html_"] = view_card._repr_html_()
    out["decisions._repr_html_"] = view_decisions._repr_html_()
    assert review.development_plan is not None
    out["plan._repr_html_"] = redact(review.development_plan, audience)._repr_html_()
    out["json.review"] = dumps(view_review)
    out["json.card"] = dumps(view_card)
    out["json.decisions"] = dumps(view_decisions)
    return out


def _forbidden(review: Review, audience: Audience) -> set[str]:
    """What ``audience`` must never see of ``review`` under the default policy."""
    words: set[str] = set()
    groups: dict[tuple[str, str], list[Assessment]] = {}
    for a in review.assessments:
        groups.setdefault((a.criterion, a.source.value), []).append(a)
    identified = audience in DEFAULT_POLICY.identified
    for (_, source), items in groups.items():
        rule = DEFAULT_POLICY.rule(audience, source)
        below = len(items) < rule.min_raters
        if not identified:
            words |= {a.rater_id for a in items}
        hidden = rule.comments == "never" or (below and rule.comments != "always")
        if not identified and hidden:
            words |= {a.comment for a in items if a.comment}
    assert review.development_plan is not None
    if audience not in DEFAULT_POLICY.confidential:
        words |= {a.description for a in review.development_plan.actions if a.confidential}
    if audience not in DEFAULT_POLICY.penalties:
        words |= {PENALTY_RULE, DEMOTION_NOTE, DEDUCTION_TEXT}
    return words


class TestEveryAudience:
    @pytest.mark.parametrize("audience", AUDIENCES, ids=str)
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(review=_cases())
    def test_no_output_shows_what_the_audience_may_not_see(
        self, audience: Audience, review: Review
    ) -> None:
        """No rater id (but to HR), hidden comment, confidential action or hidden penalty leaks."""
        card = ENGINE.score(SCHEME, review)
        decisions = _decisions(review.subject.id)
        forbidden = _forbidden(review, audience)
        for name, text in _outputs(review, card, decisions, audience).items():
            leaked = {w for w in forbidden if w in text}
            assert not leaked, f"{audience} sees {sorted(leaked)} in {name}"

    @pytest.mark.parametrize("audience", AUDIENCES, ids=str)
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(review=_cases())
    def test_what_the_audience_may_see_is_there(self, audience: Audience, review: Review) -> None:
        """Rater ids reach HR; confidential actions HR and the employee; penalties all but peers."""
        card = ENGINE.score(SCHEME, review)
        md = to_markdown(
            review_report(
                review,
                SCHEME,
                card=card,
                decisions=_decisions(review.subject.id),
                audience=audience,
            )
        )
        if audience == Audience.HR:
            assert all(a.rater_id in md for a in review.assessments)
        assert ("zqsecretwellbeingzq" in md) is (audience in DEFAULT_POLICY.confidential)
        assert (PENALTY_RULE in md) is (audience != Audience.PEER)

    @pytest.mark.parametrize("audience", AUDIENCES, ids=str)
    @settings(max_examples=15, deadline=None)
    @given(review=_cases())
    def test_redaction_never_changes_a_number(self, audience: Audience, review: Review) -> None:
        """A redacted card keeps every score; every source line it keeps is the original one."""
        card = ENGINE.score(SCHEME, review)
        view = redact(card, audience)
        assert view.lines == card.lines
        assert (view.total, view.rating, view.qualitative) == (
            card.total,
            card.rating,
            card.qualitative,
        )
        for before, after in zip(card.criteria, view.criteria, strict=True):
            assert after.score == before.score
            assert set(after.sources) <= set(before.sources)

    @pytest.mark.parametrize("audience", AUDIENCES, ids=str)
    @settings(max_examples=15, deadline=None)
    @given(review=_cases())
    def test_summaries_are_exact_and_follow_the_threshold(
        self, audience: Audience, review: Review
    ) -> None:
        """Each source shows its exact mean and count, or nothing below k with 'hide'."""
        shown = {(s.criterion, s.source): s for s in source_summaries(review, audience)}
        view = redact(review, audience)
        groups: dict[tuple[str, str], list[Assessment]] = {}
        for a in review.assessments:
            groups.setdefault((a.criterion, a.source.value), []).append(a)
        for key, items in groups.items():
            rule = DEFAULT_POLICY.rule(audience, key[1])
            full = audience == Audience.HR or len(items) >= rule.min_raters
            rows = [a for a in view.assessments if (a.criterion, a.source.value) == key]
            assert len(rows) == (len(items) if full else 0)
            if not full and rule.below == "hide":
                assert key not in shown
                continue
            mean = sum((Fraction(a.rating) for a in items), Fraction(0)) / len(items)
            assert shown[key].raters == len(items)
            assert shown[key].mean == float(mean)
            assert shown[key].individual is full
        if audience != Audience.HR:
            assert all(a.rater_id == ANONYMOUS for a in view.assessments)


class TestRedact:
    def _review(self) -> Review:
        peers = [
            Assessment(
                criterion="attitude",
                source=AssessmentSource.UPWARD,
                rater_id=f"agent-{i}",
                rating=r,
                comment=c,
            )
            for i, (r, c) in enumerate([(1, "He shouts at us"), (4, "")])
        ]
        manager = Assessment(
            criterion="attitude",
            source=AssessmentSource.MANAGER,
            rater_id="d1",
            rating=3,
            comment="Steady",
        )
        return attrs.evolve(_base(), assessments=[*peers, manager])

    def test_below_threshold_source_shows_only_its_mean_and_count(self) -> None:
        """Two upward raters of three needed: the employee sees 2 raters, mean 2.5, no rows."""
        review = self._review()
        view = redact(review, Audience.EMPLOYEE)
        assert [a.source for a in view.assessments] == [AssessmentSource.MANAGER]
        assert view.assessments[0].rater_id == ANONYMOUS
        assert view.assessments[0].comment == "Steady"
        (upward,) = [s for s in source_summaries(review, Audience.EMPLOYEE) if s.source == "upward"]
        assert (upward.raters, upward.mean, upward.individual) == (2, 2.5, False)
        md = to_markdown(review_report(review, SCHEME))
        assert "He shouts at us" not in md
        assert "agent-0" not in md
        assert "| Work attitude | upward | 2 | 2.50 |" in md

    def test_hr_sees_everything(self) -> None:
        """HR's view is the review itself, and HR's report names every rater."""
        review = self._review()
        assert redact(review, Audience.HR) is review
        md = to_markdown(review_report(review, SCHEME, audience=Audience.HR))
        assert "agent-0" in md
        assert "He shouts at us" in md

    def test_peers_see_no_source_below_three_and_no_comments(self) -> None:
        """Peers see neither the lone manager rating nor any comment."""
        review = self._review()
        assert redact(review, Audience.PEER).assessments == ()
        assert source_summaries(review, Audience.PEER) == ()

    def test_always_comments_show_unattributed_below_threshold(self) -> None:
        """With comments='always', a below-threshold source's comments show beside its mean."""
        policy = attrs.evolve(
            DEFAULT_POLICY,
            sources={"upward": SourceRule(min_raters=3, comments="always")},
        )
        review = self._review()
        (upward,) = [
            s for s in source_summaries(review, Audience.EMPLOYEE, policy) if s.source == "upward"
        ]
        assert upward.comments == ("He shouts at us",)
        md = to_markdown(review_report(review, SCHEME, policy=policy))
        assert "Work attitude · upward: He shouts at us" in md
        assert "agent-0" not in md

    def test_confidential_actions_leave_plan_interview_and_history_details(self) -> None:
        """A manager's view has no wellbeing action, agreed-action text or event details."""
        action = DevelopmentAction(
            key="care",
            kind=ActionKind.WELLBEING_SUPPORT,
            description="Counselling sessions",
            owner="hr1",
            confidential=True,
        )
        other = DevelopmentAction(
            key="course", kind=ActionKind.SKILL_TRAINING, description="Course", owner="m1"
        )
        review = attrs.evolve(
            self._review(),
            development_plan=DevelopmentPlan(subject_id="s1", actions=[action, other]),
            interview=Interview(
                on=dt.date(2026, 7, 1),
                interviewer="m1",
                agreed_actions=["Counselling sessions", "Course"],
            ),
            history=[
                Event(
                    at=AT,
                    actor="m1",
                    action="set_development_plan",
                    from_status=ReviewStatus.FEEDBACK_GIVEN,
                    to_status=ReviewStatus.FEEDBACK_GIVEN,
                    summary="development plan with 2 action(s)",
                    details=[("plan", "care:wellbeing_support:planned")],
                )
            ],
        )
        view = redact(review, Audience.MANAGER)
        assert view.development_plan is not None
        assert view.interview is not None
        assert [a.key for a in view.development_plan.actions] == ["course"]
        assert view.interview.agreed_actions == ("Course",)
        assert view.history[0].details == ()
        assert view.history[0].summary == "development plan with 2 action(s)"
        own = redact(review, Audience.EMPLOYEE)
        assert own.development_plan == review.development_plan
        assert own.history == review.history

    def test_peers_lose_penalties_and_their_rules(self) -> None:
        """Peers see the bonus but neither the deduction, the demotion nor the rule behind them."""
        decisions = _decisions("s1")
        view = redact(decisions, Audience.PEER)
        assert [d.source for d in view.decisions] == [BONUS_RULE]
        assert [t.source for t in view.trace] == [BONUS_RULE]
        assert view.deduction is None
        assert view.bonus == decisions.bonus
        assert redact(decisions, Audience.CALIBRATION) == decisions

    def test_hidden_source_leaves_the_card(self) -> None:
        """With below='hide', a source under k leaves the card; the criterion score stays."""
        policy = attrs.evolve(
            DEFAULT_POLICY, sources={"upward": SourceRule(min_raters=3, below="hide")}
        )
        card = ENGINE.score(SCHEME, self._review())
        view = redact(card, Audience.EMPLOYEE, policy)
        (crit, *_) = view.criteria
        assert "upward" not in {s.key for s in crit.sources}
        assert crit.score == card.criteria[0].score
        assert "upward" not in view.explain().text


class TestPolicy:
    def test_unknown_audience_is_refused(self) -> None:
        """An audience the policy does not list sees nothing: redact raises AccessError."""
        council = Audience(name="works_council")
        with pytest.raises(AccessError, match="works_council"):
            redact(_base(), council)

    def test_a_new_audience_joins_the_policy(self) -> None:
        """Added to the policy, a new audience gets the default rules and no penalties."""
        council = Audience(name="works_council")
        policy = attrs.evolve(DEFAULT_POLICY, audiences=(*DEFAULT_POLICY.audiences, council))
        assert redact(_decisions("s1"), council, policy).deduction is None
        assert policy.rule(council, "peer") == DEFAULT_POLICY.default_source

    @settings(max_examples=2, deadline=None)
    @given(batch=batch_decisions())
    def test_batches_are_refused(self, batch: object) -> None:
        """A batch is redacted row by row; the whole batch is refused with a hint."""
        with pytest.raises(AccessError, match=r"batch.row\(i\)"):
            redact(batch, Audience.EMPLOYEE)  # type: ignore[call-overload]

    def test_other_objects_are_refused(self) -> None:
        """Redaction takes reviews, cards, decisions and plans only."""
        with pytest.raises(AccessError, match="str is not allowed"):
            redact("review", Audience.EMPLOYEE)  # type: ignore[call-overload]
        with pytest.raises(AccessError, match="expected an Audience"):
            redact(_base(), "employee")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("fields", "match"),
        [
            ({"comments": "sometimes"}, "comments"),
            ({"below": "blur"}, "below"),
            ({"min_raters": 0}, "min_raters"),
        ],
    )
    def test_bad_source_rule(self, fields: dict[str, object], match: str) -> None:
        """A SourceRule names the bad field and what is allowed."""
        with pytest.raises(ValidationError, match=match):
            SourceRule(**fields)  # type: ignore[arg-type]

    def test_bad_policy(self) -> None:
        """A policy refuses a non-audience and a non-rule, naming the field."""
        with pytest.raises(ValidationError, match="identified"):
            VisibilityPolicy(identified=["hr"])  # type: ignore[list-item]
        with pytest.raises(ValidationError, match="sources"):
            VisibilityPolicy(sources={"peer": 3})  # type: ignore[dict-item]
        with pytest.raises(PerfmgmtError, match="audience_sources"):
            VisibilityPolicy(audience_sources={"peer": {}})  # type: ignore[dict-item]

    def test_policy_round_trips_through_json(self) -> None:
        """A policy is stored as JSON (audiences sorted) and loads back equal."""
        policy = attrs.evolve(
            DEFAULT_POLICY,
            audiences=(Audience(name="works_council"), *DEFAULT_POLICY.audiences),
            sources={AssessmentSource.UPWARD: SourceRule(min_raters=5, below="hide")},
        )
        text = dumps(policy)
        assert loads(text, VisibilityPolicy) == policy
        assert dumps(loads(text, VisibilityPolicy)) == text
        assert policy.rule(Audience.EMPLOYEE, "upward").min_raters == 5

    def test_default_rules(self) -> None:
        """Manager and self show at one rater with comments; peers need three, no comments."""
        assert DEFAULT_POLICY.rule(Audience.EMPLOYEE, "manager").min_raters == 1
        assert DEFAULT_POLICY.rule(Audience.EMPLOYEE, "upward").min_raters == 3
        assert DEFAULT_POLICY.rule(Audience.PEER, "manager").comments == "never"
        assert DEFAULT_POLICY.identified == (Audience.HR,)
        assert Audience.PEER not in DEFAULT_POLICY.penalties


class TestTeamReport:
    def test_team_report_is_made_from_redacted_reviews(self) -> None:
        """A team report for peers still counts every rating (redaction keeps results)."""
        review = attrs.evolve(_base(), result=ReviewResult(total=80.0, rating="B"))
        assert SCHEME.cycle_plan is not None
        cycle = SCHEME.cycle_plan.cycle_on(dt.date(2026, 5, 1))
        md = to_markdown(
            team_report(
                [review], SCHEME, cycle=cycle, today=dt.date(2026, 8, 1), audience=Audience.PEER
            )
        )
        assert "| B | 1 | 100.0% |" in md
