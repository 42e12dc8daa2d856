"""Plots: rating distribution, KPI score histograms and a score waterfall, checked by drawn data."""

from __future__ import annotations

import math
import sys
from collections import Counter

import matplotlib as mpl

mpl.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from perfmgmt import demo
from perfmgmt.errors import MissingExtraError, ValidationError
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
        ax = rating_distribution(team)
        counts = Counter(r for r in team.rating() if r is not None)
        rated = sum(counts.values())
        expected = [counts[label] / rated for label in team.rating_labels]
        assert len(ax.containers) == 1
        assert _heights(ax.containers[0]) == pytest.approx(expected)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(team.rating_labels)

    def test_guideline_bars_from_the_scheme(self, team: BatchScores) -> None:
        """With the scheme as guideline, a second bar group holds the bands' guideline shares."""
        scheme = customer_service_manager()
        ax = rating_distribution(team, guideline=scheme)
        guide = [b.guideline_share for b in scheme.rating_scale.bands]
        assert _heights(ax.containers[1]) == pytest.approx(guide)
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "guideline"]

    def test_guideline_mapping_defaults_missing_labels_to_zero(self, team: BatchScores) -> None:
        """A guideline mapping may leave labels out; they count as share 0."""
        ax = rating_distribution(team, guideline={"C": 0.6, "B": 0.4})
        assert _heights(ax.containers[1]) == [0.0, 0.0, 0.6, 0.4, 0.0]

    def test_draws_on_given_axes(self, team: BatchScores) -> None:
        """Given axes are drawn on and returned."""
        fig = Figure()
        ax = fig.add_subplot()
        assert rating_distribution(team, ax=ax) is ax
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
        ax = score_waterfall(card)
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
        ax = score_waterfall(card)
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
        ax = score_waterfall(card)
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert "total" not in labels
        assert "not rated (no qualitative)" in ax.get_title()
        assert not any(math.isnan(p.get_height()) for p in ax.patches)


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
        with pytest.raises(MissingExtraError, match=r"perfmgmt\[plot\]"):
            call(crafted)  # type: ignore[operator]
