"""Notebook display: short reprs and escaped HTML tables of schemes, scores and decisions."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import attrs
import numpy as np
import pytest

from perfmgmt import demo
from perfmgmt._html import MAX_ROWS, html_table
from perfmgmt.analytics import (
    Comparison,
    LintFinding,
    LintReport,
    Severity,
    compare,
    fit_actuals,
    simulate,
)
from perfmgmt.model import Label
from perfmgmt.model.development import ActionKind, DevelopmentAction, DevelopmentPlan
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import BatchDecisions, RuleEvaluator
from perfmgmt.scoring import BatchScores, Population, ScoringEngine

EVIL = "<script>alert('x')</script>&\""


def _body_rows(html: str) -> int:
    """Count the data rows of the last table in ``html`` (the header row excluded)."""
    body = html.rsplit("<tbody>", 1)[1]
    return body.count("<tr>")


@pytest.fixture(scope="module")
def team() -> tuple[BatchScores, BatchDecisions]:
    """Score and decide a small demo team under the customer-service preset."""
    org = demo.generate_organisation(managers=25, agents=100, tickets=6000)
    scheme = customer_service_manager()
    pop = demo.cycle_population(org, scheme, demo.load_tables(org), org.cycles[1], org.cycles[0])
    batch = ScoringEngine().score_batch(scheme, pop)
    return batch, RuleEvaluator().evaluate_batch(scheme, batch, pop)


@pytest.fixture(scope="module")
def unrated() -> BatchScores:
    """Score two reviews with no qualitative ratings (so they are not rated), one id hostile."""
    scheme = customer_service_manager()
    actual = np.full((2, len(scheme.kpis)), 80.0)
    actual[:, 1] = 40.0
    pop = Population.from_arrays(scheme, subject_ids=[EVIL, "plain"], actual=actual)
    return ScoringEngine().score_batch(scheme, pop)


class TestHtmlTable:
    def test_cells_and_headers_are_escaped(self) -> None:
        """Every cell and header is HTML-escaped, quotes included."""
        out = html_table([EVIL], [[EVIL]])
        assert "<script>" not in out
        assert out.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;") == 2

    def test_long_tables_are_cut_with_a_note(self) -> None:
        """Rows beyond max_rows are left out and counted in a closing note."""
        out = html_table(["n"], ([i] for i in range(30)), total=30, max_rows=7)
        assert _body_rows(out) == 8  # 7 rows and the note
        assert "… 23 more rows" in out


class TestScheme:
    def test_repr_is_one_short_line(self) -> None:
        """The repr names key, version, sizes and the hash prefix on one line."""
        scheme = customer_service_manager()
        text = repr(scheme)
        assert "\n" not in text
        assert len(text) < 220
        assert text.startswith(f"Scheme({scheme.key!r} v{scheme.version}:")
        assert f"{len(scheme.kpis)} KPIs in {len(scheme.categories)} categories" in text
        assert scheme.content_hash[:19] in text

    def test_html_lists_every_kpi_band_and_weight(self) -> None:
        """The HTML has one row per KPI with its overall weight, and every rating band."""
        scheme = customer_service_manager()
        out = scheme._repr_html_()
        for kpi in scheme.kpis:
            assert f">{kpi.key}<" in out
        for key, w in scheme.nominal_weights().items():
            assert f"{w * 100:.4g}%" in out, key
        for band in scheme.rating_scale.bands:
            assert f">{band.label}<" in out

    def test_html_escapes_labels(self) -> None:
        """A hostile scheme label appears escaped, never as markup."""
        scheme = attrs.evolve(customer_service_manager(), label=Label(en=EVIL))
        out = scheme._repr_html_()
        assert "<script>" not in out
        assert "&lt;script&gt;" in out
        assert repr(scheme).startswith("Scheme(")


class TestDevelopmentPlan:
    @staticmethod
    def plan(n: int, description: str = "Coaching") -> DevelopmentPlan:
        """Build a plan with ``n`` skill-training actions."""
        return DevelopmentPlan(
            subject_id="M01",
            review="M01@FY2025Q2",
            actions=[
                DevelopmentAction(
                    key=f"a{i}",
                    kind=ActionKind.SKILL_TRAINING,
                    description=description,
                    owner="hr",
                    kpi="csat",
                    due=dt.date(2025, 9, 30),
                )
                for i in range(n)
            ],
        )

    def test_repr_counts_actions(self) -> None:
        """The repr names the subject, the review and the number of (open) actions."""
        text = repr(self.plan(2))
        assert text == (
            "DevelopmentPlan(M01 from M01@FY2025Q2: 2 actions, 2 open: "
            "skill_training, skill_training)"
        )

    def test_html_has_one_row_per_action_escaped(self) -> None:
        """Each action is a table row; its description is escaped."""
        out = self.plan(3, description=EVIL)._repr_html_()
        assert _body_rows(out) == 3
        assert "<script>" not in out
        assert "2025-09-30" in out
        assert "3 of 3 actions open" in out

    def test_html_cuts_long_plans(self) -> None:
        """A plan longer than MAX_ROWS shows MAX_ROWS actions and how many more there are."""
        out = self.plan(MAX_ROWS + 5)._repr_html_()
        assert _body_rows(out) == MAX_ROWS + 1
        assert "… 5 more rows" in out


class TestScoreCard:
    def test_html_has_every_kpi_and_the_total(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """The card's HTML has one row per KPI with its score, and the total and rating."""
        card = team[0].row(0)
        out = card._repr_html_()
        assert card.total is not None
        assert f"total {card.total:.4g}" in out
        assert f"rating <strong>{card.rating}</strong>" in out
        for line in card.lines:
            assert f">{line.key}<" in out
            if line.score is not None:
                assert f">{line.score:.4g}<" in out

    def test_unrated_card_says_why_and_escapes_the_id(self, unrated: BatchScores) -> None:
        """An unrated card says 'not rated' with its flags in words; the subject id is escaped."""
        card = unrated.row(0)
        assert not card.rated
        out = card._repr_html_()
        assert "<strong>not rated</strong> (no qualitative)" in out
        assert "<script>" not in out
        assert "&lt;script&gt;" in out


class TestBatchScores:
    def test_html_counts_ratings_and_cuts_rows(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """The header counts each rating as the arrays do; only MAX_ROWS reviews are listed."""
        batch = team[0]
        out = batch._repr_html_()
        counts = np.bincount(batch.rating_index[batch.rating_index >= 0], minlength=5)
        for j, label in enumerate(batch.rating_labels):
            assert f"{label} {counts[j]}" in out
        assert _body_rows(out) == MAX_ROWS + 1
        assert f"… {len(batch) - MAX_ROWS} more rows" in out

    def test_html_counts_unrated_reviews(self, unrated: BatchScores) -> None:
        """Reviews that are not rated are counted apart and shown with an em dash."""
        out = unrated._repr_html_()
        assert "not rated 2" in out
        assert _body_rows(out) == 2


class TestDecisions:
    def test_repr_lists_what_fired_and_the_money(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """The repr of one subject's decisions lists the fired keys and non-zero money."""
        decisions = team[1]
        for i in range(len(decisions)):
            d = decisions.row(i)
            text = repr(d)
            assert text.startswith(f"Decisions({d.subject_id}: fired={list(d.fired)}")
            if d.bonus:
                assert f"bonus={d.bonus} {d.currency}" in text

    def test_html_lists_awarded_outcomes_and_trace(
        self, team: tuple[BatchScores, BatchDecisions]
    ) -> None:
        """The HTML has a row per awarded outcome and a trace row per rule and table."""
        d = team[1].row(0)
        out = d._repr_html_()
        trace_table = out.rsplit("<table", 1)[1]
        assert trace_table.count("<tr>") - 1 == len(d.trace)
        for t in d.trace:
            assert f">{t.source}<" in out
        if d.decisions:
            awarded = out.split("<table", 2)[1]
            assert awarded.count("<tr>") - 1 == len(d.decisions)


class TestBatchDecisions:
    def test_repr_counts_fired(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """The repr counts, per rule and table, the subjects it fired for."""
        decisions = team[1]
        text = repr(decisions)
        assert "\n" not in text
        assert text.startswith(f"BatchDecisions({len(decisions)} subjects; fired: ")
        for key in (*decisions.rule_keys, *decisions.table_keys):
            assert f"{key}={int(decisions.fired(key).sum())}" in text

    def test_repr_totals_bonus(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """The repr's bonus total is the sum of the subjects' bonuses."""
        decisions = team[1]
        total = sum(
            (decisions.row(i).bonus or Decimal(0) for i in range(len(decisions))), Decimal(0)
        )
        match = re.search(r"bonus total ([0-9.]+) CNY", repr(decisions))
        assert match is not None
        assert Decimal(match.group(1)) == total

    def test_html_cuts_rows(self, team: tuple[BatchScores, BatchDecisions]) -> None:
        """The HTML lists MAX_ROWS subjects and counts the rest."""
        decisions = team[1]
        out = decisions._repr_html_()
        assert _body_rows(out) == MAX_ROWS + 1
        assert decisions.row(0).subject_id in out


ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;"


@pytest.fixture(scope="module")
def people() -> Population:
    """Build 60 seeded reviews paid in CNY; the first subject's id and department are hostile."""
    scheme = customer_service_manager()
    rng = np.random.default_rng(19)
    n = 60
    actual = np.column_stack(
        [rng.normal(k.target, abs(k.target - (k.threshold or 0.0)) or 1.0, n) for k in scheme.kpis]
    )
    actual[3, 0] = np.nan
    shape = (n, len(scheme.criteria), len(scheme.sources))
    return Population.from_arrays(
        scheme,
        subject_ids=[EVIL, *(f"m{i:02d}" for i in range(1, n))],
        actual=actual,
        ratings=np.clip(rng.normal(3.8, 0.6, shape), 1, 5),
        raters=np.full(shape, 3),
        department=[EVIL, *(["ops"] * (n - 1))],
        base_pay=[Decimal("20000.00")] * n,
        currency="CNY",
    )


class TestExplanation:
    def test_html_has_one_collapsible_step_per_step(self, people: Population) -> None:
        """Every step is a <details> element (inside one that holds them all) with its name."""
        card = ScoringEngine().score_batch(customer_service_manager(), people).row(1)
        explanation = card.explain()
        out = explanation._repr_html_()
        assert out.count("<details>") == len(explanation) + 1
        assert out.count("<summary>") == len(explanation) + 1
        for step in explanation:
            assert f"<code>{step.name}</code>" in out
        assert f"{len(explanation)} steps" in out

    def test_html_shows_the_total_and_rating_up_front(self, people: Population) -> None:
        """Before the steps, the headline gives the card's total (4 digits) and its rating."""
        card = ScoringEngine().score_batch(customer_service_manager(), people).row(1)
        assert card.total is not None
        out = card.explain()._repr_html_()
        headline = out.split("<details>", 1)[0]
        assert f"total <strong>{float(f'{card.total:.4g}'):g}</strong>" in headline
        assert f"rating <strong>{card.rating}</strong>" in headline

    def test_html_shows_each_input_of_a_step(self, people: Population) -> None:
        """A KPI score step lists its actual, threshold, target and stretch as table rows."""
        card = ScoringEngine().score_batch(customer_service_manager(), people).row(1)
        out = card.explain()._repr_html_()
        line = card.line("csat")
        step = out.split("<code>kpi.csat.score</code>", 1)[1].split("</details>", 1)[0]
        for name in ("actual", "threshold", "target", "stretch"):
            assert f">{name}<" in step
        assert f">{float(f'{line.actual:.4g}'):g}<" in step

    def test_html_escapes_a_hostile_subject(self, people: Population) -> None:
        """A subject id holding markup appears escaped, never as a tag."""
        card = ScoringEngine().score_batch(customer_service_manager(), people).row(0)
        out = card.explain()._repr_html_()
        assert "<script>" not in out
        assert ESCAPED in out

    def test_html_in_chinese(self, people: Population) -> None:
        """The Chinese explanation shows Chinese step names and headings."""
        card = ScoringEngine().score_batch(customer_service_manager(), people).row(1)
        out = card.explain("zh")._repr_html_()
        assert "评分说明" in out
        assert "总分 <strong>" in out
        assert "展开查看公式与输入" in out


@pytest.fixture(scope="module")
def diff(people: Population) -> Comparison:
    """Compare the preset with an 80/20 blend on the seeded population."""
    current = customer_service_manager()
    return compare(current, attrs.evolve(current, quantitative_share=0.8), people)


class TestComparison:
    def test_html_gives_the_headline_figures(self, diff: Comparison, people: Population) -> None:
        """People, rating changes and the cost change (recomputed from decisions) are shown."""
        current = customer_service_manager()
        engine, rules = ScoringEngine(), RuleEvaluator()
        ratings, cost = [], []
        for scheme in (current, attrs.evolve(current, quantitative_share=0.8)):
            scores = engine.score_batch(scheme, people)
            decisions = rules.evaluate_batch(scheme, scores, people)
            ratings.append(scores.rating())
            total = Decimal(0)
            for i in range(len(decisions)):
                row = decisions.row(i)
                total += (row.bonus or Decimal(0)) - (row.deduction or Decimal(0))
            cost.append(total)
        changed = sum(a != b for a, b in zip(*ratings, strict=True))
        change = cost[1] - cost[0]
        out = diff._repr_html_()
        assert f"{len(people)} people" in out
        assert f"{changed} change rating" in out
        assert f"{'+' if change >= 0 else ''}{change:,} CNY" in out

    def test_html_lists_the_biggest_mover(self, diff: Comparison) -> None:
        """The movers table starts with the person whose total moves most, escaped."""
        delta = diff.delta
        top = int(np.nanargmax(np.abs(delta)))
        out = diff._repr_html_()
        movers = out.split("Who moves most", 1)[1]
        first_row = movers.split("<tbody>", 1)[1].split("</tr>", 1)[0]
        subject = diff.subject_ids[top]
        assert (ESCAPED if subject == EVIL else subject) in first_row
        assert "<script>" not in out


class TestSimulationResult:
    def test_html_gives_cost_risk_and_shares(self, people: Population) -> None:
        """Expected cost (mean of the cycles' costs), the budget risk and rating shares show."""
        scheme = customer_service_manager()
        budget = Decimal("30000")
        result = simulate(
            scheme, people, fit_actuals(people), draws=40, seed=3, budget=budget, workers=1
        )
        out = result._repr_html_()
        expected = (Decimal(int(result.cost_minor.sum())) / 40 / 100).quantize(Decimal("0.01"))
        assert f"{expected:,} CNY" in out
        over = sum(int(c) > 30000 * 100 for c in result.cost_minor) / 40
        assert f"{over:.1%}" in out
        assert "40 cycles of 60 people" in out
        for label in scheme.rating_scale.labels:
            assert f">{label}<" in out


class TestLintReport:
    def test_html_has_a_row_per_finding_escaped(self) -> None:
        """Each finding is a table row; hostile text is escaped; the head counts severities."""
        findings = [
            LintFinding(code="c1", severity=Severity.ERROR, location=EVIL, message=EVIL, fix=EVIL),
            LintFinding(code="c2", severity=Severity.WARNING, location="kpis[0]", message="m"),
            LintFinding(code="c3", severity=Severity.WARNING, location="kpis[1]", message="m"),
        ]
        out = LintReport(scheme_key="s", scheme_hash="sha256:0", findings=findings)._repr_html_()
        assert _body_rows(out) == 3
        assert "<script>" not in out
        assert out.count(ESCAPED) == 3
        assert "1 error(s), 2 warning(s), 0 note(s)" in out

    def test_html_of_a_clean_scheme(self) -> None:
        """A report with no findings says so."""
        out = LintReport(scheme_key="s", scheme_hash="sha256:0", findings=())._repr_html_()
        assert "No findings." in out


class TestPopulation:
    def test_html_summarises_each_kpi(self, people: Population) -> None:
        """One row per KPI with how many actuals were reported and their mean."""
        out = people._repr_html_()
        assert f"{len(people)} reviews" in out
        kpis = out.split("Actuals per KPI", 1)[1].split("</table>", 1)[0]
        assert kpis.count("<tr>") == len(people.kpi_keys) + 1
        csat = [float(x) for x in people.actual[:, 0] if not np.isnan(x)]
        assert len(csat) == len(people) - 1
        row = kpis.split(">csat<", 1)[1].split("</tr>", 1)[0]
        assert f">{len(csat)}<" in row
        assert f">{sum(csat) / len(csat):.4g}<" in row

    def test_html_cuts_rows_and_escapes(self, people: Population) -> None:
        """The reviews table shows MAX_ROWS rows and a note; hostile ids are escaped."""
        out = people._repr_html_()
        assert _body_rows(out) == MAX_ROWS + 1
        assert "<script>" not in out
        assert out.count(ESCAPED) == 2
