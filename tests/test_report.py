"""Tests for the written review and team reports (perfmgmt.report)."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import attrs
import pytest

from _lifecycle import CYCLE, actuals, at, goals, review, scheme
from _markdown_payloads import PAYLOADS
from perfmgmt._markdown import md_escape
from perfmgmt.errors import ValidationError
from perfmgmt.model import (
    ActionKind,
    Assessment,
    AssessmentSource,
    CheckIn,
    DevelopmentAction,
    DevelopmentPlan,
    Honour,
    IncentiveRule,
    Interview,
    Label,
    QualitativeCriterion,
    Review,
    Subject,
    TrainingOpportunity,
)
from perfmgmt.report import (
    REVIEW_SECTIONS,
    Figure,
    Heading,
    Table,
    chart_section,
    computation_section,
    history_section,
    hr_achievement,
    kpi_section,
    review_report,
    team_report,
    to_html,
    to_markdown,
)
from perfmgmt.rules import RuleEvaluator, rule
from perfmgmt.scoring import ScoringEngine
from perfmgmt.workflow import (
    agree_goals,
    calibrate,
    check_in,
    evaluate,
    record_interview,
    set_development_plan,
)

EVIL = "<script>alert('x')</script>\"&'"
SCHEME = attrs.evolve(
    scheme(),
    criteria=(
        QualitativeCriterion(key="attitude", label=Label(en="Attitude", zh="工作态度"), weight=1.0),
    ),
    quantitative_share=0.7,
)
RULES = [
    rule("star", "total >= 0", [Honour(title=EVIL)]),
    rule("train", "kpi.csat.score < 100", [TrainingOpportunity(topic="Empathy", kpi="csat")]),
]


def _walk(
    r: Review, text: str = "Calm", rules: list[IncentiveRule] = RULES
) -> tuple[Review, object, object]:
    end = CYCLE.end
    r = agree_goals(r, goals=goals(), actor="m1", at=at(CYCLE.start))
    r = check_in(
        r,
        CheckIn(on=end - dt.timedelta(days=40), author="m1", note=text),
        actor="m1",
        at=at(end - dt.timedelta(days=40)),
    )
    r = attrs.evolve(
        r,
        actuals=actuals(2),
        assessments=[
            Assessment(
                criterion="attitude",
                source=AssessmentSource.MANAGER,
                rater_id=text,
                rating=4.0,
                comment=text,
            )
        ],
    )
    card = ScoringEngine().score(SCHEME, r)
    decisions = RuleEvaluator().evaluate(rules, card, subject=r.subject)
    r = evaluate(r, card, cycle=CYCLE, actor=text, at=at(end))
    r = calibrate(r, rating="A", reason=text, actor=text, at=at(end, 10))
    iv = Interview(
        on=end,
        interviewer=text,
        strengths=[text],
        gaps=[text],
        agreed_actions=[text],
        employee_comment=text,
    )
    r = record_interview(r, iv, actor=text, at=at(end, 11))
    plan = DevelopmentPlan(
        subject_id=r.subject.id,
        actions=[
            DevelopmentAction(
                key="a1", kind=ActionKind.SKILL_TRAINING, description=text, owner=text, due=end
            )
        ],
    )
    r = set_development_plan(r, plan, actor=text, at=at(end, 12))
    return r, card, decisions


class TestReviewReport:
    def test_sections_in_english(self) -> None:
        """The English report has every section, the KPI table columns and the deciding rule."""
        r, card, decisions = _walk(review(1))
        md = to_markdown(review_report(r, SCHEME, card=card, decisions=decisions))  # type: ignore[arg-type]
        for title in (
            "## Summary",
            "## KPI results",
            "## How your total was computed",
            "## Qualitative ratings",
            "## Incentives and penalties",
            "## Development plan",
            "## Feedback interview",
            "## Audit history",
        ):
            assert title in md
        assert (
            "| KPI | Target | Actual | Achievement (actual ÷ target) | Score | Weight "
            "| Contribution | Note |"
        ) in md
        assert "| Training: Empathy | - | train | kpi.csat.score &lt; 100 |" in md
        assert "calibrate" in md

    def test_chinese_labels(self) -> None:
        """The Chinese report uses Chinese headings and KPI names."""
        r, card, decisions = _walk(review(1))
        md = to_markdown(review_report(r, SCHEME, card=card, decisions=decisions, lang="zh"))  # type: ignore[arg-type]
        assert "## 关键绩效指标结果" in md
        assert "客户满意度" in md
        assert "## 反馈面谈" in md
        assert "## 总分计算过程" in md
        assert "达成率" in md

    def test_kpi_values_come_from_the_card(self) -> None:
        """Each KPI row shows HR's achievement (actual ÷ target), score and contribution."""
        r, card, _ = _walk(review(2))
        report = review_report(r, SCHEME, card=card, sections=[kpi_section])  # type: ignore[arg-type]
        table = report.blocks[-1]
        assert isinstance(table, Table)
        line = card.line("csat")  # type: ignore[attr-defined]
        assert table.rows[0][3] == f"{line.actual / line.target * 100:.1f}%"
        assert table.rows[0][4] == f"{line.score:.1f}"
        assert table.rows[0][6] == f"{line.contribution:.2f}"

    def test_custom_pipeline(self) -> None:
        """Sections are plain callables: a pipeline of one gives the title and that section."""
        r, _, _ = _walk(review(3))
        report = review_report(r, SCHEME, sections=[history_section])
        assert [type(b) for b in report.blocks] == [Heading, Heading, Table]
        assert len(REVIEW_SECTIONS) == 9

    def test_unknown_language(self) -> None:
        """An unknown language names the allowed ones."""
        with pytest.raises(ValidationError, match="'en' or 'zh'"):
            review_report(review(), SCHEME, lang="fr")  # type: ignore[arg-type]

    def test_html_escapes_every_user_text(self) -> None:
        """<script> and quotes fed through every text field never reach the HTML unescaped."""
        subject = Subject(id="p1", name=EVIL, department=EVIL)
        r, card, decisions = _walk(Review(subject=subject, cycle=CYCLE.key, scheme="cs"), EVIL)
        evil_scheme = attrs.evolve(SCHEME, label=Label(en=EVIL, zh=EVIL), version=EVIL)
        for lang in ("en", "zh"):
            page = to_html(review_report(r, evil_scheme, card=card, decisions=decisions, lang=lang))  # type: ignore[arg-type]
            assert "<script>" not in page
            assert "alert('x')" not in page
            assert (
                page.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&amp;&#x27;")
                >= 12
            )
            assert "\"&'" not in page
            md = to_markdown(
                review_report(r, evil_scheme, card=card, decisions=decisions, lang=lang)
            )  # type: ignore[arg-type]
            assert "<script>" not in md


class TestTeamReport:
    def test_distribution_calibration_and_pending(self) -> None:
        """A team report counts final ratings, lists calibration changes and pending items."""
        done = [_walk(review(i))[0] for i in range(3)]
        draft = review(10)
        agreed = agree_goals(review(11), goals=goals(), actor="m1", at=at(CYCLE.start))
        rep = team_report([*done, draft, agreed], SCHEME, cycle=CYCLE, today=CYCLE.end)
        md = to_markdown(rep)
        assert "| A | 3 | 100.0% | 20.0% |" in md
        assert "| B | 0 | 0.0% | 60.0% |" in md
        assert "p010@FY2026Q1: goals not agreed" in md
        assert "p011@FY2026Q1: mid-term check overdue" in md
        assert "## Calibration changes" in md
        assert "## KPI summary" in md
        html_page = to_html(
            team_report([*done, draft], SCHEME, cycle=CYCLE, today=CYCLE.end, lang="zh")
        )
        assert "评级分布" in html_page


def _texts_everywhere(text: str) -> tuple[str, str, str]:
    """Return a review report (Markdown, HTML) and a team report with ``text`` in every text."""
    subject = Subject(id="p1", name=text, department=text)
    rules = [
        rule("star", "total >= 0", [Honour(title=text)]),
        rule("train", "kpi.csat.score < 100", [TrainingOpportunity(topic=text, kpi="csat")]),
    ]
    r, card, decisions = _walk(Review(subject=subject, cycle=CYCLE.key, scheme="cs"), text, rules)
    label = Label(en=text, zh=text)
    scheme = attrs.evolve(
        SCHEME,
        label=label,
        version=text,
        kpis=tuple(
            attrs.evolve(k, indicator=attrs.evolve(k.indicator, label=label, unit=text))
            for k in SCHEME.kpis
        ),
        criteria=tuple(attrs.evolve(c, label=label) for c in SCHEME.criteria),
    )
    report = review_report(r, scheme, card=card, decisions=decisions)  # type: ignore[arg-type]
    team = team_report([r], scheme, cycle=CYCLE, today=CYCLE.end)
    return to_markdown(report), to_html(report), to_markdown(team)


def _structure(markdown: str) -> tuple[list[str], set[str]]:
    """Return the block token types of ``markdown`` and the types of its inline tokens."""
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown)
    inline = {c.type for t in tokens if t.type == "inline" for c in t.children or []}
    return [t.type for t in tokens if t.type != "inline"], inline


class TestMarkdownInjection:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_payload_in_every_text_changes_no_structure(self, payload: str) -> None:
        """A payload in every user text leaves the Markdown's blocks as plain text would."""
        plain_review, _, plain_team = _texts_everywhere("plain words")
        review_md, _, team_md = _texts_everywhere(payload)
        for plain, evil in ((plain_review, review_md), (plain_team, team_md)):
            blocks, inline = _structure(evil)
            assert blocks == _structure(plain)[0]
            assert inline <= {"text", "softbreak"}, evil

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_payload_shows_as_typed(self, payload: str) -> None:
        """The payload's text is shown (escaped, on one line) in the Markdown and the HTML."""
        review_md, review_html, _ = _texts_everywhere(payload)
        assert md_escape(payload) in review_md
        assert html.escape(payload, quote=True) in review_html
        for raw in ("<script", "<https", "<!--", "<b>"):
            assert raw not in review_md
            assert raw not in review_html.split("<body>", 1)[1].replace("<table>", "")


class TestHowTheTotalWasComputed:
    """The report's computation section adds up to the card's total and names every reason."""

    def test_blend_line_reaches_the_total(self) -> None:
        """Contributions sum to the quantitative part; the blend line gives the total."""
        r, card, _ = _walk(review(2))
        report = review_report(r, SCHEME, card=card, sections=[computation_section])  # type: ignore[arg-type]
        table = report.blocks[-1]
        assert isinstance(table, Table)
        rows = {row[0]: row for row in table.rows}
        quant = rows["Quantitative part (Σ KPI contributions)"]
        parts = [float(x) for x in quant[1].split(" + ")]
        assert abs(sum(parts) - card.raw_quantitative) < 0.01  # type: ignore[union-attr]
        blend = next(row for label, row in rows.items() if label.startswith("Blend"))
        assert blend[2] == f"{card.total:.1f}"  # type: ignore[union-attr]
        band = rows["Rating band"]
        assert band[2] == card.rating  # type: ignore[union-attr]

    def test_hr_achievement(self) -> None:
        """Actual ÷ target, inverted when lower is better; undefined without a target."""
        assert hr_achievement(94.7, 80.0, "higher_is_better") == 94.7 / 80.0
        assert hr_achievement(18.0, 20.0, "lower_is_better") == 20.0 / 18.0
        assert hr_achievement(None, 80.0, "higher_is_better") is None
        assert hr_achievement(5.0, 0.0, "higher_is_better") is None
        assert hr_achievement(0.0, 20.0, "lower_is_better") is None


class TestFigures:
    """Charts enter reports as Figure blocks: SVG in HTML, their numbers as a table in Markdown."""

    def test_review_report_carries_three_charts(self) -> None:
        """A scored review shows the composition, the KPI bullets and the ratings per source."""
        r, card, decisions = _walk(review(2))
        report = review_report(r, SCHEME, card=card, decisions=decisions)  # type: ignore[arg-type]
        figures = [b for b in report.blocks if isinstance(b, Figure)]
        assert len(figures) == 3
        page = to_html(report)
        assert page.count('<figure class="chart"><svg') == 3
        for chart in (f.chart for f in figures):
            assert chart.svg in page
        md = to_markdown(report)
        assert "<svg" not in md
        assert "| Step | Weight | Score |" in md  # the composition's numbers
        assert "| Attitude | manager | 4.00 | 1 |" in md  # a source's mean, not its rater

    def test_unscored_review_has_no_charts(self) -> None:
        """Without a score card there is nothing to draw."""
        report = review_report(review(1), SCHEME, sections=[chart_section])
        assert [type(b) for b in report.blocks] == [Heading]

    def test_team_report_shows_names_money_and_deviations(self) -> None:
        """Names with ids, money per person and department, and a share far over its guideline."""
        walked = [_walk(review(i)) for i in range(3)]
        reviews = [w[0] for w in walked]
        decisions = [attrs.evolve(w[2], bonus=Decimal("100.50"), currency="CNY") for w in walked]  # type: ignore[misc]
        rep = team_report(reviews, SCHEME, cycle=CYCLE, today=CYCLE.end, decisions=decisions)
        md = to_markdown(rep)
        assert "| Person 1 (p001) | cs |" in md
        assert "100.50 CNY" in md
        assert "| cs | 301.50 |" in md  # the department's bonus, summed exactly
        # Everyone calibrated to A: 100 % against a 20 % guideline.
        assert "| A | 3 | 100.0% | 20.0% | ▲ 80.0 points above the guideline |" in md
        assert "- A: 100.0% of people against a guideline of 20.0%" in md
        figures = [b for b in rep.blocks if isinstance(b, Figure)]
        assert len(figures) == 3
        assert "share over" in figures[0].chart.svg
        without = team_report(reviews, SCHEME, cycle=CYCLE, today=CYCLE.end)
        assert len([b for b in without.blocks if isinstance(b, Figure)]) == 2
