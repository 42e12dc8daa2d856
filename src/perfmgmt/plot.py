"""Plots for people who would rather look than read (extra ``perfmgmt[plot]``, matplotlib).

Three pictures of a scoring run:

* :func:`rating_distribution` — the share of people per rating against the guideline
  distribution of the rating scale;
* :func:`kpi_histograms` — one histogram of KPI scores per KPI, with the target (100) marked;
* :func:`score_waterfall` — how one review's total is built, KPI by KPI.

Each function returns a :class:`matplotlib.figure.Figure` that shows itself as a picture
when it is the last value of a notebook cell — no ``%matplotlib inline`` needed — and that
``fig.savefig("ratings.png")`` writes to a file. The figure is made without pyplot, so nothing
leaks into pyplot's global state and nothing is shown twice. Pass ``ax=`` (or ``fig=``) to
draw on your own axes; the function then returns the figure those axes belong to. With the
``scheme=`` the scores were computed with, KPIs are named by their labels rather than keys.
matplotlib is imported only when a function is called; without it the functions raise
:class:`~perfmgmt.errors.MissingExtraError`.

>>> from perfmgmt.plot import rating_distribution   # doctest: +SKIP
>>> fig = rating_distribution(scores, guideline=scheme)  # doctest: +SKIP
>>> fig.savefig("ratings.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from perfmgmt._html import missing_extra
from perfmgmt._words import flag_words
from perfmgmt.errors import ValidationError
from perfmgmt.model.scheme import RatingScale, Scheme

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from perfmgmt.scoring.card import BatchScores, ScoreCard

__all__ = ["kpi_histograms", "rating_distribution", "score_waterfall"]

TARGET_SCORE = 100.0
"""The score of a KPI on target; marked on the histograms."""


def _new_figure(what: str) -> Figure:
    try:
        # matplotlib is an optional extra; the figure type imports it
        from perfmgmt._figure import NotebookFigure  # noqa: PLC0415
    except ImportError as exc:
        raise missing_extra("matplotlib", "plot", what) from exc
    return NotebookFigure(figsize=(6.4, 4.0), layout="constrained")


def _axes(ax: Axes | None, what: str) -> Axes:
    """Return ``ax``, or the axes of a new figure when None."""
    if ax is None:
        return _new_figure(what).add_subplot()
    _require(what)
    return ax


def _figure_of(ax: Axes) -> Figure:
    """Return the top-level figure ``ax`` is drawn on (through any subfigure)."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - matplotlib is an optional extra

    fig = ax.figure
    return fig if isinstance(fig, Figure) else fig.figure


def _kpi_labels(scheme: Scheme | None, keys: Sequence[str], what: str) -> dict[str, str]:
    """Return each KPI key's English label from ``scheme`` (the key itself without a scheme)."""
    if scheme is None:
        return {k: k for k in keys}
    if not isinstance(scheme, Scheme):
        raise ValidationError(
            f"{what}: scheme: {scheme!r} is not allowed; expected the Scheme the scores "
            "were computed with, or None",
            field="scheme",
            value=scheme,
        )
    labels = {kpi.key: kpi.indicator.label.en for kpi in scheme.kpis}
    unknown = [k for k in keys if k not in labels]
    if unknown:
        raise ValidationError(
            f"{what}: scheme: KPIs {unknown} of these scores are not in scheme "
            f"{scheme.key!r}, whose KPIs are {list(labels)}; pass the scheme the scores "
            "were computed with",
            field="scheme",
            value=unknown,
        )
    return {k: labels[k] for k in keys}


def _require(what: str) -> None:
    try:
        import matplotlib  # noqa: F401, PLC0415 - only checks that the optional extra is there
    except ImportError as exc:
        raise missing_extra("matplotlib", "plot", what) from exc


def _guideline_shares(
    guideline: Scheme | RatingScale | Mapping[str, float] | None, labels: Sequence[str]
) -> list[float] | None:
    if guideline is None:
        return None
    if isinstance(guideline, Scheme):
        guideline = guideline.rating_scale
    if isinstance(guideline, RatingScale):
        if guideline.labels != tuple(labels):
            raise ValidationError(
                f"rating_distribution: guideline: the rating scale's labels "
                f"{list(guideline.labels)} differ from the scores' labels {list(labels)}; "
                "pass the scheme the scores were computed with",
                field="guideline",
                value=list(guideline.labels),
            )
        shares = [b.guideline_share for b in guideline.bands]
        if any(s is None for s in shares):
            raise ValidationError(
                "rating_distribution: guideline: the rating scale has no guideline shares; "
                "give Band.guideline_share for every band, or pass a mapping label -> share",
                field="guideline",
                value=shares,
            )
        return [float(s) for s in shares if s is not None]
    if not isinstance(guideline, Mapping):
        raise ValidationError(
            f"rating_distribution: guideline: {guideline!r} is not allowed; expected a Scheme, "
            "a RatingScale or a mapping from rating label to share",
            field="guideline",
            value=guideline,
        )
    unknown = sorted(set(guideline) - set(labels))
    if unknown:
        raise ValidationError(
            f"rating_distribution: guideline: labels {unknown} are not ratings of these scores; "
            f"the ratings are {list(labels)}",
            field="guideline",
            value=unknown,
        )
    out = []
    for label in labels:
        share = guideline.get(label, 0.0)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValidationError(
                f"rating_distribution: guideline[{label!r}]: {share!r} is not allowed; "
                "expected a share between 0 and 1",
                field="guideline",
                value=share,
            )
        out.append(float(share))
    return out


def rating_distribution(
    scores: BatchScores,
    *,
    guideline: Scheme | RatingScale | Mapping[str, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the share of rated reviews per rating, next to the guideline share.

    Bars go from the lowest rating on the left to the highest on the right. The first bar
    group (label ``"actual"``) holds the share of *rated* reviews in each band; the second
    (``"guideline"``), drawn when a guideline is given, the target share.

    Args:
        scores: The batch scores.
        guideline: The guideline shares: the scheme (or its rating scale) with
            ``Band.guideline_share`` set, or a mapping from rating label to share.
        ax: The axes to draw on; a new figure is made when None.

    Returns:
        The figure drawn on (``fig.axes[0]`` is the axes when the figure is new).

    Raises:
        MissingExtraError: When matplotlib is not installed.
        ValidationError: When the guideline does not fit the scores' rating labels.
    """
    labels = list(scores.rating_labels)
    shares_guide = _guideline_shares(guideline, labels)
    ax = _axes(ax, "rating_distribution()")
    idx = scores.rating_index[scores.rating_index >= 0]
    counts = np.bincount(idx, minlength=len(labels)).astype(np.float64)
    rated = int(counts.sum())
    shares = counts / rated if rated else counts
    x = np.arange(len(labels), dtype=np.float64)
    width = 0.4 if shares_guide is not None else 0.7
    offset = width / 2 if shares_guide is not None else 0.0
    ax.bar(x - offset, shares, width=width, label="actual", color="#3b6ea8")
    if shares_guide is not None:
        ax.bar(x + offset, shares_guide, width=width, label="guideline", color="#c9c9c9")
        ax.legend()
    ax.set_xticks(x, labels)
    ax.set_xlabel("rating")
    ax.set_ylabel("share of rated reviews")
    ax.set_title(f"Rating distribution ({rated} of {len(scores)} rated)")
    return _figure_of(ax)


def kpi_histograms(
    scores: BatchScores,
    *,
    kpis: Sequence[str] | None = None,
    bins: int = 20,
    scheme: Scheme | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw one histogram of KPI scores per KPI, with the target score (100) marked.

    Missing scores (KPIs not scored for a review) are left out of each histogram; the panel's
    title names the KPI (its label when ``scheme`` is given) and says how many scores it shows.

    Args:
        scores: The batch scores.
        kpis: The KPI keys to draw, in order; all KPIs when None.
        bins: Number of bins per histogram (at least 1).
        scheme: The scheme the scores were computed with, for the KPIs' labels; the panels
            are titled with KPI keys when None.
        fig: The figure to draw on (its existing axes are kept); a new figure when None.

    Returns:
        The figure, one subplot per KPI in a grid of up to three columns.

    Raises:
        MissingExtraError: When matplotlib is not installed.
        ValidationError: On an unknown KPI key, a bin count below 1, or a scheme that lacks
            a KPI of the scores.
    """
    keys = list(scores.kpi_keys if kpis is None else kpis)
    for k in keys:
        if k not in scores.kpi_keys:
            raise ValidationError(
                f"kpi_histograms: kpis: {k!r} is not a KPI of these scores; the KPIs are "
                f"{list(scores.kpi_keys)}",
                field="kpis",
                value=k,
            )
    if not keys:
        raise ValidationError(
            "kpi_histograms: kpis: no KPI given; name at least one", field="kpis", value=kpis
        )
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValidationError(
            f"kpi_histograms: bins: {bins!r} is not allowed; expected a whole number >= 1",
            field="bins",
            value=bins,
        )
    names = _kpi_labels(scheme, keys, "kpi_histograms")
    if fig is None:
        fig = _new_figure("kpi_histograms()")
    else:
        _require("kpi_histograms()")
    cols = min(3, len(keys))
    rows = math.ceil(len(keys) / cols)
    fig.set_size_inches(3.2 * cols, 2.6 * rows)
    for n, key in enumerate(keys):
        ax = fig.add_subplot(rows, cols, n + 1)
        col = scores.score[:, scores.kpi_keys.index(key)]
        values = col[~np.isnan(col)]
        ax.hist(values, bins=bins, color="#3b6ea8")
        ax.axvline(TARGET_SCORE, color="#b03a2e", linestyle="--", linewidth=1)
        ax.set_title(f"{names[key]} (n={values.size})", fontsize="medium")
        ax.set_xlabel("score")
    return fig


def _waterfall_steps(card: ScoreCard, names: Mapping[str, str]) -> list[tuple[str, float]]:
    share = card.quantitative_share
    steps = [(names[ln.key], ln.contribution * share) for ln in card.lines]
    raw = card.raw_quantitative
    if card.gated and not math.isnan(raw) and not math.isnan(card.quantitative):
        steps.append(("gate", (card.quantitative - raw) * share))
    if card.qualitative is not None and share < 1.0:
        steps.append(("qualitative", card.qualitative * (1.0 - share)))
    return steps


_BAR_WIDTH = 0.8  # matplotlib's default; a step adding nothing is a line this wide


def score_waterfall(
    card: ScoreCard, *, scheme: Scheme | None = None, ax: Axes | None = None
) -> Figure:
    """Draw how one review's total is built: KPI contributions, gate, qualitative part, total.

    Each KPI bar is its contribution to the total (``score x effective weight x quantitative
    share``) and starts where the previous bar ended; a KPI that adds nothing (a score of 0,
    or a weight moved away from missing data) is drawn as a flat line at its level, so every
    KPI has its place. A gate that fired shows as a negative bar; the qualitative part is
    ``qualitative x (1 - quantitative share)``. Each bar is annotated with its value. The
    last bar, ``total``, starts at 0 and equals the card's total. A review that is not rated
    gets no total bar, and its title says why.

    Args:
        card: The score card of one review.
        scheme: The scheme the card was computed with, for the KPIs' labels; the bars are
            named with KPI keys when None.
        ax: The axes to draw on; a new figure is made when None.

    Returns:
        The figure drawn on (``fig.axes[0]`` is the axes when the figure is new).

    Raises:
        MissingExtraError: When matplotlib is not installed.
        ValidationError: When ``scheme`` lacks a KPI of the card.
    """
    names_by_key = _kpi_labels(scheme, [ln.key for ln in card.lines], "score_waterfall")
    ax = _axes(ax, "score_waterfall()")
    steps = _waterfall_steps(card, names_by_key)
    names = [name for name, _ in steps]
    heights = np.array([h for _, h in steps], dtype=np.float64)
    bottoms = np.concatenate([[0.0], np.cumsum(heights)[:-1]])
    colors = ["#3b6ea8" if h >= 0 else "#b03a2e" for h in heights]
    x = np.arange(len(steps), dtype=np.float64)
    bars = ax.bar(x, heights, width=_BAR_WIDTH, bottom=bottoms, color=colors, label="contribution")
    ax.bar_label(bars, labels=[f"{h:+.3g}" for h in heights], fontsize="small")
    zero = heights == 0.0
    if zero.any():
        half = _BAR_WIDTH / 2
        ax.hlines(bottoms[zero], x[zero] - half, x[zero] + half, colors="#3b6ea8", linewidth=2)
    if card.total is not None:
        names.append("total")
        total = ax.bar([float(len(steps))], [card.total], color="#2e7d32", label="total")
        ax.bar_label(total, labels=[f"{card.total:.4g}"], fontsize="small")
        title = f"{card.subject_id}: total {card.total:.4g}, rating {card.rating}"
    else:
        title = f"{card.subject_id}: not rated ({flag_words(card.flags)})"
    ax.set_xticks(np.arange(len(names), dtype=np.float64), names, rotation=45, ha="right")
    ax.margins(y=0.1)  # room for the value above the tallest bar
    ax.set_ylabel("points of the total")
    ax.set_title(title)
    return _figure_of(ax)
