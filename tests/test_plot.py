"""Plots: rating distribution, KPI score histograms and a score waterfall, checked by drawn data."""

from __future__ import annotations

import math
import pickle
import sys
from collections import Counter

import matplotlib as mpl

mpl.use("Agg")

import attrs
import numpy as np
import pytest
from matplotlib.figure import Figure

from perfmgmt import demo
from perfmgmt.errors import MissingExtraError, ValidationError
from perfmgmt.model import normalise_weights
from perfmgmt.plot import kpi_histograms, rating_distribution, score_waterfall
from perfmgmt.presets import customer_service_manager
from perfmgmt.scoring import BatchScores, Population, ScoringEngine


@pytest.fixture(scope="module")
def team() -> BatchScores:
    """Score a demo team of 30 managers under the customer-service preset."""
    org = demo.generate_organisation(managers=30, agents=120, tickets=6000)
    scheme = customer_service_manager()
    pop = demo.cycle_population(org, scheme, demo.load_tables(org), org.cycles[1], org.cycles[0])
    return ScoringEngine().score_batch(scheme, pop)


@pytest.fixture(scope="module")
def crafted() -> BatchScores:
    """Score three hand-made reviews: gated (CSAT 50), ordinary, and unrated (no raters)."""
    scheme = customer_service_manager()
    # csat, response_time, fcr, morale, training, cost_saving, innovation
    actual = np.array(
        [
            [50.0, 12.0, 84.0, 78.0, 15.0, 5.0, 3.0],
            [82.0, 22.0, 70.0, 66.0, 8.0, 2.0, 1.0],
            [82.0, 22.0, 70.0, 66.0, 8.0, 2.0, 1.0],
        ]
    )
    sample = np.full(actual.shape, 100, dtype=np.int64)
    ratings = np.full((3, 2, 3), 4.0)
    raters = np.tile(np.array([1, 2, 3], dtype=np.int64), (3, 2, 1))
    ratings[2] = np.nan
    raters[2] = 0
    pop = Population.from_arrays(
        scheme,
        subject_ids=["gated", "plain", "unrated"],
        actual=actual,
        sample_size=sample,
        ratings=ratings,
        raters=raters,
    )
    return ScoringEngine().score_batch(scheme, pop)


def _heights(container: object) -> list[float]:
    """Return the heights of the bars of a bar container."""
    return [p.get_height() for p in container]  # type: ignore[attr-defined]


class TestRatingDistribution:
    def test_bars_are_shares_of_rated_reviews(self, team: BatchScores) -> None:
        """Actual bars hold each rating's share of the rated reviews, lowest rating first."""
        ax = rating_distribution(team).axes[0]
        counts = Counter(r for r in team.rating() if r is not None)
        rated = sum(counts.values())
        expected = [counts[label] / rated for label in team.rating_labels]
        assert len(ax.containers) == 1
        assert _heights(ax.containers[0]) == pytest.approx(expected)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(team.rating_labels)

    def test_guideline_bars_from_the_scheme(self, team: BatchScores) -> None:
        """With the scheme as guideline, a second bar group holds the bands' guideline shares."""
        scheme = customer_service_manager()
        ax = rating_distribution(team, guideline=scheme).axes[0]
        guide = [b.guideline_share for b in scheme.rating_scale.bands]
        assert _heights(ax.containers[1]) == pytest.approx(guide)
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "guideline"]

    def test_guideline_mapping_defaults_missing_labels_to_zero(self, team: BatchScores) -> None:
        """A guideline mapping may leave labels out; they count as share 0."""
        ax = rating_distribution(team, guideline={"C": 0.6, "B": 0.4}).axes[0]
        assert _heights(ax.containers[1]) == [0.0, 0.0, 0.6, 0.4, 0.0]

    def test_draws_on_given_axes(self, team: BatchScores) -> None:
        """Given axes are drawn on, and the figure they belong to is returned."""
        fig = Figure()
        ax = fig.add_subplot()
        assert rating_distribution(team, ax=ax) is fig
        assert sum(_heights(ax.containers[0])) == pytest.approx(1.0)

    def test_unknown_guideline_label_is_refused(self, team: BatchScores) -> None:
        """A guideline label that is not a rating is a ValidationError naming it."""
        with pytest.raises(ValidationError, match=r"\['Z'\] are not ratings"):
            rating_distribution(team, guideline={"Z": 1.0})

    def test_guideline_share_out_of_range_is_refused(self, team: BatchScores) -> None:
        """A guideline share outside [0, 1] is a ValidationError naming the label and value."""
        with pytest.raises(ValidationError, match=r"guideline\['A'\]: 1.5"):
            rating_distribution(team, guideline={"A": 1.5})


class TestKpiHistograms:
    def test_one_panel_per_kpi_holding_every_scored_value(self, team: BatchScores) -> None:
        """Each KPI panel's bars add up to the number of scored values, target marked at 100."""
        fig = kpi_histograms(team, bins=10)
        assert len(fig.axes) == len(team.kpi_keys)
        for j, (ax, key) in enumerate(zip(fig.axes, team.kpi_keys, strict=True)):
            n = int((~np.isnan(team.score[:, j])).sum())
            assert sum(p.get_height() for p in ax.patches) == n
            assert len(ax.patches) == 10
            assert ax.get_title() == f"{key} (n={n})"
            assert list(ax.lines[0].get_xdata()) == [100.0, 100.0]

    def test_selected_kpis_in_order(self, team: BatchScores) -> None:
        """Only the named KPIs are drawn, in the order given."""
        fig = kpi_histograms(team, kpis=["fcr", "csat"])
        assert [ax.get_title().split()[0] for ax in fig.axes] == ["fcr", "csat"]

    def test_unknown_kpi_is_refused(self, team: BatchScores) -> None:
        """An unknown KPI key is a ValidationError that lists the KPIs."""
        with pytest.raises(ValidationError, match="'nps' is not a KPI"):
            kpi_histograms(team, kpis=["nps"])

    def test_bad_bins_are_refused(self, team: BatchScores) -> None:
        """A bin count below 1 is a ValidationError."""
        with pytest.raises(ValidationError, match="bins: 0"):
            kpi_histograms(team, bins=0)


class TestScoreWaterfall:
    def test_bars_chain_to_the_total(self, crafted: BatchScores) -> None:
        """Each bar starts where the previous ended, and the total bar equals the card total."""
        card = crafted.row(1)
        ax = score_waterfall(card).axes[0]
        bars = ax.patches
        share = card.quantitative_share
        assert card.total is not None
        for bar, line in zip(bars, card.lines, strict=False):
            assert bar.get_height() == pytest.approx(line.contribution * share)
        ends = [b.get_y() + b.get_height() for b in bars[:-1]]
        for prev_end, nxt in zip([0.0, *ends[:-1]], bars[:-1], strict=True):
            assert nxt.get_y() == pytest.approx(prev_end)
        assert ends[-1] == pytest.approx(card.total)
        assert bars[-1].get_y() == 0.0
        assert bars[-1].get_height() == pytest.approx(card.total)
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels == [*(ln.key for ln in card.lines), "qualitative", "total"]

    def test_gate_is_a_negative_bar(self, crafted: BatchScores) -> None:
        """A gate that fired is drawn as a negative bar that brings the sum down to the total."""
        card = crafted.row(0)
        assert card.gated
        ax = score_waterfall(card).axes[0]
        labels = [t.get_text() for t in ax.get_xticklabels()]
        gate = ax.patches[labels.index("gate")]
        share = card.quantitative_share
        assert gate.get_height() == pytest.approx(
            (card.quantitative - card.raw_quantitative) * share
        )
        assert gate.get_height() < 0
        assert card.total is not None
        assert sum(p.get_height() for p in ax.patches[:-1]) == pytest.approx(card.total)

    def test_unrated_review_has_no_total_bar(self, crafted: BatchScores) -> None:
        """A review that is not rated gets no total bar and says why in the title."""
        card = crafted.row(2)
        assert not card.rated
        ax = score_waterfall(card).axes[0]
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert "total" not in labels
        assert "not rated (no qualitative)" in ax.get_title()
        assert not any(math.isnan(p.get_height()) for p in ax.patches)


class TestKpiLabels:
    def test_histogram_panels_are_titled_with_labels(self, team: BatchScores) -> None:
        """With the scheme, each histogram panel is titled with its KPI's English label."""
        scheme = customer_service_manager()
        fig = kpi_histograms(team, kpis=["fcr", "csat"], scheme=scheme)
        titles = [ax.get_title().rsplit(" (n=", 1)[0] for ax in fig.axes]
        assert titles == [
            scheme.kpi("fcr").indicator.label.en,
            scheme.kpi("csat").indicator.label.en,
        ]

    def test_waterfall_bars_are_named_with_labels(self, crafted: BatchScores) -> None:
        """With the scheme, the waterfall's KPI bars carry the KPIs' labels, not their keys."""
        scheme = customer_service_manager()
        card = crafted.row(1)
        ax = score_waterfall(card, scheme=scheme).axes[0]
        names = [t.get_text() for t in ax.get_xticklabels()]
        labels = [scheme.kpi(ln.key).indicator.label.en for ln in card.lines]
        assert names == [*labels, "qualitative", "total"]

    def test_a_scheme_without_the_kpis_is_refused(self, crafted: BatchScores) -> None:
        """A scheme that lacks a KPI of the scores is a ValidationError naming the KPI."""
        scheme = customer_service_manager()
        other = attrs.evolve(
            scheme,
            kpis=scheme.kpis[:-1],
            categories=normalise_weights([c for c in scheme.categories if c.key != "innovation"]),
        )
        with pytest.raises(ValidationError, match=r"\['innovation'\]"):
            kpi_histograms(crafted, scheme=other)


class TestZeroBars:
    def test_a_kpi_adding_nothing_is_drawn_as_a_line(self) -> None:
        """A KPI scoring 0 keeps its place: a flat line at its level, annotated +0."""
        scheme = customer_service_manager()
        actual = np.array([[82.0, 22.0, 70.0, 66.0, 8.0, 2.0, 0.0]])
        pop = Population.from_arrays(
            scheme,
            subject_ids=["zero"],
            actual=actual,
            sample_size=np.full(actual.shape, 100, dtype=np.int64),
            ratings=np.full((1, 2, 3), 4.0),
            raters=np.tile(np.array([1, 2, 3], dtype=np.int64), (1, 2, 1)),
        )
        card = ScoringEngine().score_batch(scheme, pop).row(0)
        innovation = [ln.key for ln in card.lines].index("innovation")
        assert card.lines[innovation].contribution == 0.0
        ax = score_waterfall(card).axes[0]
        bar = ax.patches[innovation]
        assert bar.get_height() == 0.0
        (lines,) = ax.collections
        (segment,) = lines.get_segments()
        (x0, y0), (x1, y1) = segment
        assert y0 == y1 == pytest.approx(bar.get_y())
        assert (x0, x1) == pytest.approx((bar.get_x(), bar.get_x() + bar.get_width()))
        values = [t.get_text() for t in ax.texts]
        assert values[innovation] == "+0"


class TestNotebookDisplay:
    def test_every_plot_returns_a_figure_showing_itself_as_png(self, crafted: BatchScores) -> None:
        """Each plot returns a Figure whose IPython PNG representation is a real PNG image."""
        figures = [
            rating_distribution(crafted),
            kpi_histograms(crafted),
            score_waterfall(crafted.row(1)),
        ]
        for fig in figures:
            assert isinstance(fig, Figure)
            assert fig._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")  # type: ignore[attr-defined]

    def test_a_figure_survives_pickling(self, crafted: BatchScores) -> None:
        """A plot pickles and unpickles as the same figure type, still showing itself."""
        fig = pickle.loads(pickle.dumps(score_waterfall(crafted.row(1))))
        assert type(fig).__name__ == "NotebookFigure"
        assert fig._repr_png_().startswith(b"\x89PNG")

    def test_nothing_is_left_in_pyplot(self, crafted: BatchScores) -> None:
        """Plots are made without pyplot, so pyplot holds no open figure afterwards."""
        import matplotlib.pyplot as plt

        before = plt.get_fignums()
        rating_distribution(crafted)
        score_waterfall(crafted.row(0))
        assert plt.get_fignums() == before


class TestMissingMatplotlib:
    @pytest.mark.parametrize(
        "call",
        [
            rating_distribution,
            kpi_histograms,
            lambda b: score_waterfall(b.row(0)),
        ],
        ids=["rating_distribution", "kpi_histograms", "score_waterfall"],
    )
    def test_names_the_plot_extra(
        self, monkeypatch: pytest.MonkeyPatch, crafted: BatchScores, call: object
    ) -> None:
        """Without matplotlib every plot raises MissingExtraError naming perfmgmt[plot]."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
        # The figure type imports matplotlib; a process without matplotlib cannot import it.
        monkeypatch.setitem(sys.modules, "perfmgmt._figure", None)
        with pytest.raises(MissingExtraError, match=r"perfmgmt\[plot\]"):
            call(crafted)  # type: ignore[operator]
