"""Tests for the SVG charts (perfmgmt.charts): well-formed, escaped, values placed in proportion."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from _lifecycle import actuals, review, scheme
from perfmgmt.charts import (
    Chart,
    kpi_bullets,
    money_by_department,
    qualitative_summary,
    rating_distribution,
    score_composition,
    score_distribution,
)
from perfmgmt.errors import ValidationError
from perfmgmt.model import Assessment, AssessmentSource, Label, QualitativeCriterion, Scheme
from perfmgmt.scoring import ScoreCard, ScoringEngine

SVG = "{http://www.w3.org/2000/svg}"
EMPTY = '<svg xmlns="http://www.w3.org/2000/svg"/>'
EVIL = "<script>&"
# Within two rounded coordinates (each written to 0.01 px).
PX = 0.021


def _scheme(label: str = "CSAT") -> Scheme:
    base = scheme()
    kpis = tuple(
        attrs.evolve(k, indicator=attrs.evolve(k.indicator, label=Label(en=label, zh=label)))
        if k.key == "csat"
        else k
        for k in base.kpis
    )
    criteria = (QualitativeCriterion(key="attitude", label=Label(en=label, zh=label), weight=1.0),)
    return attrs.evolve(base, kpis=kpis, criteria=criteria, quantitative_share=0.7)


def _card(s: Scheme, ratings: tuple[float, ...] = (4.0, 3.0)) -> ScoreCard:
    assessments = [
        Assessment(
            criterion="attitude", source=AssessmentSource.MANAGER, rater_id=f"r{i}", rating=v
        )
        for i, v in enumerate(ratings)
    ]
    r = attrs.evolve(review(2), actuals=actuals(2), assessments=assessments)
    return ScoringEngine().score(s, r)


def _root(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def _all(chart: Chart, tag: str, kind: str) -> list[ET.Element]:
    return [e for e in _root(chart).iter(SVG + tag) if kind in e.get("class", "").split()]


def _x(e: ET.Element, name: str) -> float:
    return float(e.get(name, "nan"))


def _charts(s: Scheme, card: ScoreCard) -> list[Chart]:
    return [
        kpi_bullets(card, s),
        score_composition(card, s),
        qualitative_summary(card, s),
        rating_distribution(["A", "B", None, "C", "B"], s),
        score_distribution({"North": [70.0, 95.5, None], None: [120.0]}, s),
        money_by_department(
            {"North": Decimal("1200.50"), None: Decimal(0)}, {"North": Decimal("30.00")}
        ),
    ]


class TestWellFormed:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_every_chart_parses_with_a_view_box_and_a_title(self, lang: str) -> None:
        """Every chart is well-formed SVG with a positive viewBox, a title and a description."""
        s = _scheme()
        card = _card(s)
        charts = [
            kpi_bullets(card, s, lang=lang),  # type: ignore[arg-type]
            score_composition(card, s, lang=lang),  # type: ignore[arg-type]
            qualitative_summary(card, s, lang=lang),  # type: ignore[arg-type]
            rating_distribution(["A", "B"], s, lang=lang),  # type: ignore[arg-type]
            score_distribution({"x": [90.0]}, s, lang=lang),  # type: ignore[arg-type]
            money_by_department({"x": Decimal(5)}, {}, lang=lang),  # type: ignore[arg-type]
        ]
        for chart in charts:
            root = _root(chart)
            assert root.tag == SVG + "svg"
            box = [float(v) for v in root.get("viewBox", "").split()]
            assert len(box) == 4
            assert box[:2] == [0.0, 0.0]
            assert box[2] > 0
            assert box[3] > 0
            assert root.findtext(SVG + "title") == chart.title
            assert root.findtext(SVG + "desc") == chart.alt
            assert chart.alt
            assert chart.rows
            assert all(len(row) == len(chart.headers) for row in chart.rows)
            assert "<script" not in chart.svg.lower()

    def test_notebook_display(self) -> None:
        """A chart shows itself in a notebook as SVG or HTML; its repr is one short line."""
        s = _scheme()
        chart = kpi_bullets(_card(s), s)
        assert chart._repr_svg_() == chart.svg
        assert chart._repr_html_().startswith("<figure><svg")
        assert len(repr(chart)) < 120

    def test_empty_qualitative_chart_says_so(self) -> None:
        """A card without criteria gives a qualitative chart that says there is nothing."""
        s = scheme()
        card = ScoringEngine().score(s, attrs.evolve(review(2), actuals=actuals(2)))
        chart = qualitative_summary(card, s)
        assert chart.rows == ()
        assert "Nothing to show." in chart.svg


class TestEscaping:
    def test_labels_names_and_departments_are_escaped(self) -> None:
        """Markup in a KPI label, a criterion, a category or a department stays text."""
        s = _scheme(EVIL)
        s = attrs.evolve(
            s,
            categories=tuple(attrs.evolve(c, label=Label(en=EVIL)) for c in s.categories),
        )
        card = _card(s)
        charts = [
            kpi_bullets(card, s),
            score_composition(card, s),
            qualitative_summary(card, s),
            score_distribution({EVIL: [90.0]}, s),
            money_by_department({EVIL: Decimal(1)}, {}, currency=EVIL),
        ]
        for chart in charts:
            assert "<script" not in chart.svg
            assert "&lt;script&gt;&amp;" in chart.svg
            texts = ["".join(t.itertext()) for t in _root(chart).iter(SVG + "text")]
            assert any(EVIL in t for t in texts), chart.title
        html_text = Chart(title=EVIL, alt="", svg=EMPTY)._repr_html_()
        assert "<script" not in html_text


class TestPlacement:
    def test_bullets_place_actual_and_marks_in_proportion(self) -> None:
        """Actual and stretch sit where the threshold-to-target distance puts them, per KPI."""
        s = _scheme()
        card = _card(s)
        chart = kpi_bullets(card, s)
        thr, tgt, strc = (_all(chart, "line", k) for k in ("threshold", "target", "stretch"))
        bars = _all(chart, "rect", "actual")
        assert len(thr) == len(tgt) == len(strc) == len(bars) == len(card.lines)
        for i, line in enumerate(card.lines):
            assert line.threshold is not None
            assert line.target is not None
            assert line.stretch is not None
            assert line.actual is not None
            x_thr, x_tgt, x_str = _x(thr[i], "x1"), _x(tgt[i], "x1"), _x(strc[i], "x1")
            per_unit = Fraction(x_tgt - x_thr) / (Fraction(line.target) - Fraction(line.threshold))
            end = _x(bars[i], "x") + _x(bars[i], "width")
            want_end = x_thr + float((Fraction(line.actual) - Fraction(line.threshold)) * per_unit)
            want_str = x_thr + float((Fraction(line.stretch) - Fraction(line.threshold)) * per_unit)
            assert abs(end - want_end) <= 2 * PX, line.key
            assert abs(x_str - want_str) <= 2 * PX, line.key
            # Better is to the right, whichever way the KPI runs.
            assert x_thr < x_tgt < x_str, line.key

    def test_composition_total_and_blend_parts(self) -> None:
        """The total mark sits on the band axis; the blend's parts add up to it in proportion."""
        s = _scheme()
        card = _card(s)
        assert card.total is not None
        assert card.qualitative is not None
        chart = score_composition(card, s)
        edges = {
            float(e.findtext(SVG + "title") or ""): _x(e, "x1") for e in _all(chart, "line", "edge")
        }
        assert set(edges) == {0.0, 80.0, 110.0}
        per_point = (edges[110.0] - edges[80.0]) / 30
        total = _all(chart, "line", "total")[0]
        assert abs(_x(total, "x1") - (edges[0.0] + card.total * per_point)) <= 2 * PX
        parts = _all(chart, "rect", "blend")
        share = Fraction(str(card.quantitative_share))
        want = [
            float(share * Fraction(card.quantitative)) * per_point,
            float((1 - share) * Fraction(card.qualitative)) * per_point,
        ]
        assert [abs(_x(p, "width") - w) <= 2 * PX for p, w in zip(parts, want, strict=True)] == [
            True,
            True,
        ]
        stacked = _all(chart, "rect", "part")
        contributions = [
            sum(ln.contribution for ln in card.lines if ln.category == c.key)
            for c in card.categories
        ]
        for rect, c in zip(stacked, contributions, strict=True):
            assert abs(_x(rect, "width") - c * per_point) <= 2 * PX

    def test_rating_shares_in_proportion_and_deviations_highlighted(self) -> None:
        """Bar lengths follow count ÷ rated; only deviations beyond the tolerance are marked."""
        s = _scheme()  # guidelines: A 20 %, B 60 %, C 20 %
        ratings = ["A"] * 3 + ["B"] * 4 + ["C"] * 3 + [None]
        chart = rating_distribution(ratings, s)
        bars = {(e.findtext(SVG + "title") or "")[0]: e for e in _all(chart, "rect", "share")}
        # 30 % against 20 % is exactly the tolerance: not highlighted; B is 20 points under.
        assert "over" not in bars["A"].get("class", "")
        assert "under" in bars["B"].get("class", "")
        assert "over" not in bars["C"].get("class", "")
        widths = {k: _x(v, "width") for k, v in bars.items()}
        assert abs(widths["B"] / widths["A"] - 4 / 3) < 1e-3
        guides = [_x(e, "width") for e in _all(chart, "rect", "guideline")]
        assert abs(guides[1] / guides[0] - 3) < 1e-3  # B's 60 % against A's 20 %
        over = rating_distribution(["A"] * 4 + ["B"] * 6, s)
        assert [e.get("class") for e in _all(over, "rect", "over")] == ["share over"]
        assert over.rows[0][4] == "+20.0 pts"

    def test_money_in_proportion_and_shown_exactly(self) -> None:
        """Bonus and deduction bars share one axis; the amounts show as the exact Decimals."""
        chart = money_by_department(
            {"a": Decimal("1000.10"), "b": Decimal("250.025")},
            {"a": Decimal("500.05")},
            currency="CNY",
        )
        bonus = [_x(e, "width") for e in _all(chart, "rect", "bonus")]
        deduction = [_x(e, "width") for e in _all(chart, "rect", "deduction")]
        assert abs(bonus[1] / bonus[0] - 0.25) < 1e-4
        assert abs(deduction[0] / bonus[0] - 0.5) < 1e-4
        assert chart.rows == (("a", "1000.10", "500.05"), ("b", "250.025", "0"))

    def test_score_dots_on_the_band_axis(self) -> None:
        """Each person's dot and the department mean sit at their totals on the band axis."""
        s = _scheme()
        chart = score_distribution({"x": [70.0, 95.0, None]}, s)
        edges = {
            float(e.findtext(SVG + "title") or ""): _x(e, "x1") for e in _all(chart, "line", "edge")
        }
        per_point = (edges[110.0] - edges[80.0]) / 30
        dots = sorted(_x(e, "cx") for e in _all(chart, "circle", "person"))
        assert [
            abs(d - (edges[0.0] + v * per_point)) <= 2 * PX
            for d, v in zip(dots, (70, 95), strict=True)
        ] == [True, True]
        mean = _x(_all(chart, "line", "mean")[0], "x1")
        assert abs(mean - (edges[0.0] + 82.5 * per_point)) <= 2 * PX
        assert chart.rows[0][:3] == ("x", "3", "82.5")


class TestErrors:
    def test_unknown_language(self) -> None:
        """An unknown language names the allowed ones."""
        s = _scheme()
        with pytest.raises(ValidationError, match="'en' or 'zh'"):
            kpi_bullets(_card(s), s, lang="fr")  # type: ignore[arg-type]

    def test_tolerance_outside_zero_to_one(self) -> None:
        """A tolerance that is not a share is refused, naming the field."""
        with pytest.raises(ValidationError, match="tolerance"):
            rating_distribution(["A"], _scheme(), tolerance=10)

    def test_negative_money(self) -> None:
        """A negative amount is refused, naming the field and the department."""
        with pytest.raises(ValidationError, match="deduction of 'x'"):
            money_by_department({}, {"x": Decimal(-1)})

    @pytest.mark.parametrize(
        "svg",
        [
            "<script>alert(1)</script>",
            "<svg/>",  # not in the SVG namespace
            EMPTY.replace("/>", "><script>alert(1)</script></svg>"),
            EMPTY.replace("/>", ' onload="alert(1)"/>'),
            EMPTY.replace("/>", '><a href="https://x"><text>x</text></a></svg>'),
            EMPTY.replace("/>", '><rect style="fill:url(https://x)"/></svg>'),
            '<!DOCTYPE svg [<!ENTITY a "aaaa">]>' + EMPTY,
            EMPTY[:-2],
        ],
    )
    def test_chart_refuses_what_it_would_not_draw(self, svg: str) -> None:
        """A hand-built Chart cannot carry script, handlers, links, styles or entities."""
        with pytest.raises(ValidationError, match=r"Chart\.svg"):
            Chart(title="t", alt="a", svg=svg)

    def test_chart_cells_are_text(self) -> None:
        """The table of a chart holds text cells, naming the field."""
        with pytest.raises(ValidationError, match="rows"):
            Chart(title="t", alt="a", svg=EMPTY, rows=[[1]])  # type: ignore[list-item]
