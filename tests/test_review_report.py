"""The scheme review report (perfmgmt.review_report) and its charts."""

from __future__ import annotations

import html
import itertools
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from analytics_schemes import clean_scheme, population
from perfmgmt.analytics import (
    MeritMatrix,
    MeritRow,
    NineBoxGrid,
    Opinion,
    adverse_impact,
    merit_increases,
    movement,
    place,
    predictive_validity,
    summarise_cycle,
    summarise_opinions,
)
from perfmgmt.charts import kpi_trend, opinion_scores, rating_trend
from perfmgmt.errors import ValidationError
from perfmgmt.report import Figure, Heading, Paragraph, Table, to_html, to_markdown
from perfmgmt.review_report import (
    SCHEME_REVIEW_SECTIONS,
    SchemeReview,
    effectiveness_section,
    opinions_section,
    scheme_review_report,
    trends_section,
)
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoringEngine


@pytest.fixture(scope="module")
def parts():  # type: ignore[no-untyped-def]
    """Two scored cycles of 120 people and every analysis the report takes."""
    scheme = clean_scheme()
    engine = ScoringEngine()
    first = engine.score_batch(scheme, population(scheme, 120, seed=3))
    second = engine.score_batch(scheme, population(scheme, 120, seed=4))
    decisions = RuleEvaluator().evaluate_batch(scheme, second)
    groups = np.array(["north", "south", "east", "tiny"] * 29 + ["north"] * 4)
    groups[:2] = "lone"  # two people: suppressed
    labels = second.rating_labels
    grid = NineBoxGrid(
        rating_levels=(tuple(labels[:2]), tuple(labels[2:-1]), (labels[-1],)),
        potential_cuts=(Decimal(3), Decimal(4)),
    )
    rng = np.random.default_rng(0)
    placements = [
        place(
            grid,
            performance=list(b.rating()),
            potential=[Decimal(int(x)) for x in rng.integers(1, 6, 120)],
            subjects=b.subject_ids,
        )
        for b in (first, second)
    ]
    rated = [(s, r) for s, r in zip(second.subject_ids, second.rating(), strict=True) if r]
    matrix = MeritMatrix(
        compa_edges=(Decimal("0.9"), Decimal("1.1")),
        rows=tuple(
            MeritRow(rating=label, percents=(Decimal(i + 1), Decimal(i), Decimal(0)))
            for i, label in enumerate(labels)
        ),
    )
    merit = merit_increases(
        matrix,
        ratings=[r for _, r in rated],
        salaries=[Decimal("10000.00")] * len(rated),
        midpoints=[Decimal("10000.00")] * len(rated),
        currency="CNY",
        subjects=[s for s, _ in rated],
        budget=Decimal("5000.00"),
    )
    opinions = [Opinion(role="manager", scores={"fair": 4}, comment="clear <b>goals</b>")] * 6
    opinions += [Opinion(role="hr", scores={"fair": 1}, comment="identifying remark")] * 2
    return {
        "scheme": scheme,
        "cycles": [
            summarise_cycle(scheme, first, cycle="Q1"),
            summarise_cycle(scheme, second, cycle="Q2", decisions=decisions),
        ],
        "validity": [predictive_validity(first, second, cycle="Q1", next_cycle="Q2")],
        "adverse": [("Region", adverse_impact(second, groups, band=labels[-2]))],
        "placement": placements[1],
        "moves": movement(placements[0], placements[1]),
        "merit": merit,
        "opinions": summarise_opinions(opinions),
    }


class TestReport:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_every_section_renders_in_both_languages(self, parts, lang) -> None:  # type: ignore[no-untyped-def]
        """All sections appear, as Markdown and as HTML, with four figures."""
        scheme = parts["scheme"]
        rest = {k: v for k, v in parts.items() if k != "scheme"}
        report = scheme_review_report(scheme, lang=lang, **rest)
        headings = [b.text for b in report.blocks if isinstance(b, Heading) and b.level == 2]
        assert len(headings) == 6  # trends, validity, adverse, 9-box, merit, opinions
        assert sum(isinstance(b, Figure) for b in report.blocks) == 3
        md, page = to_markdown(report), to_html(report)
        assert report.title in md
        assert html.escape(report.title) in page
        assert page.count("<svg") == 3
        if lang == "zh":
            assert "方案回顾" in md
            assert "各方对方案的意见" in md

    def test_small_groups_and_their_comments_are_hidden(self, parts) -> None:  # type: ignore[no-untyped-def]
        """A suppressed group shows no figures; a role under k shows no comment."""
        md = to_markdown(scheme_review_report(**parts))
        assert "| lone | fewer than 5: not shown |" in md
        assert "identifying remark" not in md
        assert "clear &lt;b&gt;goals&lt;/b&gt; (x6)" in to_html(scheme_review_report(**parts))

    def test_trends_show_each_cycle_and_the_cost(self, parts) -> None:  # type: ignore[no-untyped-def]
        """The trend table has a row per cycle with its rated count and share of each band."""
        review = SchemeReview(scheme=parts["scheme"], cycles=parts["cycles"])
        blocks = trends_section(review)
        table = next(b for b in blocks if isinstance(b, Table))
        assert [row[0] for row in table.rows] == ["Q1", "Q2"]
        for row, c in zip(table.rows, parts["cycles"], strict=True):
            assert row[2] == str(c.rated)
            _label, n = c.ratings[0]
            assert row[4] == f"{n} ({float(Fraction(n, c.rated)) * 100:.1f}%)"

    def test_every_pair_of_cycles_is_summarised(self, parts) -> None:  # type: ignore[no-untyped-def]
        """Several pairs: one table gives each pair's Spearman and means; the last in detail."""
        scheme = parts["scheme"]
        engine = ScoringEngine()
        batches = [engine.score_batch(scheme, population(scheme, 60, seed=s)) for s in (5, 6, 7)]
        validity = [
            predictive_validity(a, b, cycle=f"Q{i}", next_cycle=f"Q{i + 1}")
            for i, (a, b) in enumerate(itertools.pairwise(batches), start=1)
        ]
        review = SchemeReview(scheme=scheme, cycles=parts["cycles"], validity=validity)
        blocks = effectiveness_section(review)
        tables = [b for b in blocks if isinstance(b, Table)]
        assert len(tables) == 2  # the overview and the latest pair's KPIs
        overview, detail = tables
        assert [row[:2] for row in overview.rows] == [("Q1", "Q2"), ("Q2", "Q3")]
        labels = list(overview.headers[4:])
        for row, v in zip(overview.rows, validity, strict=True):
            assert row[2] == str(v.used)
            assert row[3] == f"{v.spearman:.2f}"
            # independent mean of the next cycle's quantitative score per earlier rating
            before, after = batches[int(v.cycle[1]) - 1], batches[int(v.next_cycle[1]) - 1]
            for label, cell in zip(labels, row[4:], strict=True):
                nxt = [
                    Fraction(float(q))
                    for r, q in zip(before.rating(), after.quantitative, strict=True)
                    if r == label and np.isfinite(q)
                ]
                assert cell == ("-" if not nxt else f"{float(sum(nxt) / len(nxt)):.1f}")
        assert len(detail.rows) == len(labels)
        text = [b.text for b in blocks if isinstance(b, Paragraph)]
        assert any("Q2 rating against the Q3" in t for t in text)
        assert not any("Q1 rating against the Q2" in t for t in text)

    def test_merit_paragraph_states_the_exact_budget(self, parts) -> None:  # type: ignore[no-untyped-def]
        """The merit section says the raises add up to the budget exactly."""
        md = to_markdown(scheme_review_report(**parts))
        assert "add up to 5000.00 CNY" in md

    def test_sections_without_data_are_left_out(self, parts) -> None:  # type: ignore[no-untyped-def]
        """Only the trends appear when nothing else is given; custom sections run in order."""
        report = scheme_review_report(parts["scheme"], cycles=parts["cycles"])
        assert [b.text for b in report.blocks if isinstance(b, Heading) and b.level == 2] == [
            "Trends across cycles"
        ]
        only = scheme_review_report(
            parts["scheme"], cycles=(), opinions=parts["opinions"], sections=[opinions_section]
        )
        assert any(isinstance(b, Figure) for b in only.blocks)
        assert len(SCHEME_REVIEW_SECTIONS) == 7

    def test_bad_language_and_foreign_cycles_are_refused(self, parts) -> None:  # type: ignore[no-untyped-def]
        """An unknown language or a cycle of another scheme's KPIs raises ValidationError."""
        with pytest.raises(ValidationError, match="'fr' is not allowed"):
            scheme_review_report(parts["scheme"], cycles=parts["cycles"], lang="fr")  # type: ignore[arg-type]
        from perfmgmt.presets import customer_service_manager

        with pytest.raises(ValidationError, match="expected the scheme's"):
            scheme_review_report(customer_service_manager(), cycles=parts["cycles"])


class TestCharts:
    def test_rating_trend_shares_are_the_counts_over_the_total(self) -> None:
        """Each row's share is count / cycle total, and text is escaped."""
        chart = rating_trend([("Q<1>", (("A", 1), ("B", 3))), ("Q2", (("A", 0), ("B", 0)))])
        assert chart.rows[0] == ("Q<1>", "A", "1", "25.0%")
        assert chart.rows[1] == ("Q<1>", "B", "3", "75.0%")
        assert "Q&lt;1&gt;" in chart.svg
        assert "<1>" not in chart.svg
        with pytest.raises(ValidationError, match="whole number"):
            rating_trend([("Q1", (("A", -1),))])

    def test_kpi_trend_rows_and_missing_values(self) -> None:
        """A row without scores shows '-' and draws no box."""
        chart = kpi_trend(
            [("CSAT", "Q1", 80.0, 95.0, 110.0, 96.0), ("CSAT", "Q2", None, None, None, None)],
            lang="zh",
        )
        assert chart.rows == (
            ("CSAT", "Q1", "80.0", "95.0", "110.0", "96.0"),
            ("CSAT", "Q2", "-", "-", "-", "-"),
        )
        assert chart.svg.count('class="quartiles"') == 1
        with pytest.raises(ValidationError, match="finite"):
            kpi_trend([("CSAT", "Q1", float("nan"), 1.0, 2.0, 1.0)])

    def test_opinion_scores_hide_suppressed_groups(self) -> None:
        """A None mean is drawn as 'not shown'; a mean outside 1-5 is refused."""
        chart = opinion_scores([("managers · fair", 3.5, 10), ("HR · fair", None, None)])
        assert chart.rows == (
            ("managers · fair", "3.50", "10"),
            ("HR · fair", "not shown", "not shown"),
        )
        assert chart.svg.count('class="opinion"') == 1
        with pytest.raises(ValidationError, match="expected 1 to 5"):
            opinion_scores([("x", 6.0, 1)])


def test_every_review_word_has_a_chinese_form() -> None:
    """The review's word table has the same keys, and the same placeholders, in en and zh."""
    import string

    from perfmgmt._words import REVIEW_WORDS

    assert set(REVIEW_WORDS["en"]) == set(REVIEW_WORDS["zh"])
    fields = string.Formatter()
    for key, text in REVIEW_WORDS["en"].items():
        en = {f for _, f, _, _ in fields.parse(text) if f}
        zh = {f for _, f, _, _ in fields.parse(REVIEW_WORDS["zh"][key]) if f}
        assert en == zh, key
