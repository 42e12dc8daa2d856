"""Render the example review report under docs/examples/ (HTML and Markdown, en and zh).

It also draws the charts shown on the "Charts in reports" page as SVG files under
docs/examples/charts/: the example manager's charts, and the team charts of a generated
department.

One customer-service manager (the preset scheme of the founding document) is walked through a
whole quarter: goals agreed, a mid-term check with an early warning, the final evaluation,
calibration, the feedback interview and a development plan, then the report is written.

Run from the repository root::

    python scripts/render_example_report.py
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import attrs

from perfmgmt.model import (
    Actual,
    Assessment,
    AssessmentSource,
    CheckIn,
    Goal,
    Interview,
    Review,
    Scheme,
    Subject,
)
from perfmgmt.presets import customer_service_development, customer_service_manager
from perfmgmt.report import review_report, to_html, to_markdown
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoreCard, ScoringEngine
from perfmgmt.workflow import (
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

OUT = Path(__file__).resolve().parent.parent / "docs" / "examples"
TZ = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def build() -> tuple[Review, object, object, object]:
    """Walk one review through the 2026 Q2 cycle and return it with its card and decisions."""
    scheme = customer_service_manager()
    assert scheme.cycle_plan is not None
    cycle = scheme.cycle_plan.cycle_for(2026, 2)
    review = Review(
        subject=Subject(
            id="m-017",
            name="Li Na (李娜)",
            department="Customer service, Shanghai",
            grade="M2",
            hire_date=dt.date(2021, 3, 1),
            base_pay=Decimal("90000.00"),
            currency="CNY",
        ),
        cycle=cycle.key,
        scheme=scheme.key,
        scheme_hash=scheme.content_hash,
    )
    goals = [
        Goal(kpi="csat", target=82.0, note="Raise CSAT after the new IVR roll-out"),
        Goal(kpi="response_time", target=18.0),
        Goal(kpi="fcr"),
        Goal(kpi="morale"),
        Goal(kpi="training"),
        Goal(kpi="cost_saving"),
        Goal(kpi="innovation", note="Pilot the callback queue"),
    ]
    review = agree_goals(
        review,
        goals=goals,
        scheme=scheme,
        actor="director-wang",
        at=_at(cycle.start + dt.timedelta(days=6)),
    )
    mid = cycle.start + dt.timedelta(days=45)
    progress = [
        Actual(kpi="csat", value=80.5),
        Actual(kpi="response_time", value=42.0),
        Actual(kpi="morale", value=61.0),
    ]
    review = check_in(
        review,
        CheckIn(
            on=mid,
            author="director-wang",
            progress=progress,
            note="Response time slipping during the IVR change.",
        ),
        actor="director-wang",
        at=_at(mid),
        cycle=cycle,
    )
    warnings = early_warnings(review, scheme, cycle)
    assert warnings, "the example shows an early warning at the mid-term check"
    review = attrs.evolve(
        review,
        actuals=(
            Actual(kpi="csat", value=84.0, sample_size=1250),
            Actual(kpi="response_time", value=22.0, sample_size=4100),
            Actual(kpi="fcr", value=74.5, sample_size=4100),
            Actual(kpi="morale", value=58.0, sample_size=24),
            Actual(kpi="training", value=9.0),
            Actual(kpi="cost_saving", value=3.1),
            Actual(kpi="innovation", value=2.0),
        ),
        assessments=(
            Assessment(
                criterion="attitude",
                source=AssessmentSource.MANAGER,
                rater_id="director-wang",
                rating=4.5,
                comment="Owns escalations personally.",
            ),
            Assessment(
                criterion="teamwork",
                source=AssessmentSource.MANAGER,
                rater_id="director-wang",
                rating=4.0,
            ),
            Assessment(
                criterion="attitude", source=AssessmentSource.PEER, rater_id="m-009", rating=4.0
            ),
            Assessment(
                criterion="teamwork",
                source=AssessmentSource.PEER,
                rater_id="m-009",
                rating=4.5,
                comment="Lent two agents during our peak.",
            ),
            Assessment(
                criterion="attitude",
                source=AssessmentSource.UPWARD,
                rater_id="team-survey",
                rating=3.8,
            ),
            Assessment(
                criterion="teamwork",
                source=AssessmentSource.UPWARD,
                rater_id="team-survey",
                rating=3.6,
                comment="Rotas changed at short notice.",
            ),
        ),
    )
    card = ScoringEngine().score(scheme, review, cycle=cycle)
    decisions = RuleEvaluator().evaluate(scheme, card, subject=review.subject, as_of=cycle.end)
    review = evaluate(
        review, card, cycle=cycle, actor="director-wang", at=_at(cycle.end - dt.timedelta(days=2))
    )
    review = calibrate(
        review,
        rating=card.rating or "C",
        reason="Confirmed in the department calibration meeting",
        labels=scheme.rating_scale.labels,
        actor="hrbp-zhao",
        at=_at(cycle.end + dt.timedelta(days=4)),
    )
    day = cycle.end + dt.timedelta(days=8)
    review = record_interview(
        review,
        Interview(
            on=day,
            interviewer="director-wang",
            strengths=[
                "Customer satisfaction above the agreed target",
                "Two service innovations shipped",
            ],
            gaps=["Average response time above target", "Team morale below threshold"],
            agreed_actions=["Rebalance the rota before peak season", "Weekly team huddles"],
            employee_comment="Agreed; I need one more senior agent for the evening shift.",
        ),
        actor="director-wang",
        at=_at(day),
    )
    plan = suggest_development(
        scheme,
        card,
        ["B", "A"],
        policy=customer_service_development(),
        owner="director-wang",
        on=day,
        review=review,
    )
    review = set_development_plan(review, plan, actor="director-wang", at=_at(day, 11))
    review = close(review, actor="hrbp-zhao", at=_at(day + dt.timedelta(days=1)))
    return review, card, decisions, scheme


def main() -> None:
    """Write the example reports."""
    review, card, decisions, scheme = build()
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, suffix in (("en", ""), ("zh", ".zh")):
        report = review_report(review, scheme, card=card, decisions=decisions, lang=lang)  # type: ignore[arg-type]
        (OUT / f"review-report{suffix}.html").write_text(to_html(report), encoding="utf-8")
        (OUT / f"review-report{suffix}.md").write_text(to_markdown(report), encoding="utf-8")
    sys.stdout.write(f"wrote {OUT}/review-report.html, .md, .zh.html, .zh.md\n")
    write_charts(card, scheme)


def write_charts(card: ScoreCard, scheme: Scheme) -> None:
    """Write the example manager's charts and a generated department's team charts as SVG."""
    from perfmgmt import charts, demo  # noqa: PLC0415 - only this step needs them

    org = demo.generate_organisation(seed=7, managers=24, agents=240, tickets=12_000)
    tables = demo.load_tables(org)
    team = demo.cycle_population(org, scheme, tables, org.cycles[1], org.cycles[0])
    batch = ScoringEngine().score_batch(scheme, team)
    totals: dict[str | None, list[float | None]] = {}
    for subject, total in zip(org.subjects, batch.total, strict=True):
        totals.setdefault(subject.department, []).append(float(total))
    folder = OUT / "charts"
    folder.mkdir(exist_ok=True)
    for lang, suffix in (("en", ""), ("zh", ".zh")):
        drawn = {
            "composition": charts.score_composition(card, scheme, lang=lang),  # type: ignore[arg-type]
            "kpi-bullets": charts.kpi_bullets(card, scheme, lang=lang),  # type: ignore[arg-type]
            "qualitative": charts.qualitative_summary(card, scheme, lang=lang),  # type: ignore[arg-type]
            "rating-distribution": charts.rating_distribution(
                list(batch.rating()),
                scheme,
                lang=lang,  # type: ignore[arg-type]
            ),
            "score-distribution": charts.score_distribution(totals, scheme, lang=lang),  # type: ignore[arg-type]
        }
        for name, chart in drawn.items():
            (folder / f"{name}{suffix}.svg").write_text(chart.svg + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {folder}/*.svg\n")


if __name__ == "__main__":
    main()
