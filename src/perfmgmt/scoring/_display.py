"""Notebook display and pandas export of score cards and batch scores.

Nothing here imports :mod:`perfmgmt.scoring.card` at run time (card imports this module); pandas
is imported only when :func:`batch_to_pandas` is called.
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from perfmgmt._html import (
    MAX_ROWS,
    esc,
    fmt,
    html_table,
    missing_extra,
    section,
)
from perfmgmt._words import flag_words

if TYPE_CHECKING:
    import pandas as pd

    from perfmgmt.scoring.card import BatchScores, ScoreCard
    from perfmgmt.scoring.population import Population

__all__ = ["batch_html", "batch_to_pandas", "population_html", "scorecard_html"]


def _verdict(rated: bool, rating: str | None, flags: enum.IntFlag) -> str:
    if rated:
        return f"rating <strong>{esc(rating)}</strong>"
    return f"<strong>not rated</strong> ({esc(flag_words(flags))})"


def scorecard_html(card: ScoreCard) -> str:
    """Return a score card as HTML: totals, one row per KPI, and the criteria."""
    head = (
        f"<div><strong>{esc(card.subject_id)}</strong> · total {esc(fmt(card.total))} · "
        f"{_verdict(card.rated, card.rating, card.flags)} · quantitative "
        f"{esc(fmt(card.quantitative))}{' (gated)' if card.gated else ''} · qualitative "
        f"{esc(fmt(card.qualitative))} · scheme <code>{esc(card.scheme_key)}</code> "
        f"<code>{esc(card.scheme_hash[:19])}…</code></div>"
    )
    kpi_rows = [
        (
            ln.key,
            ln.category,
            fmt(ln.actual),
            fmt(ln.target),
            fmt(ln.score),
            fmt(ln.effective_weight),
            fmt(ln.contribution),
            flag_words(ln.flags),
        )
        for ln in card.lines
    ]
    parts = [
        head,
        html_table(
            ("KPI", "category", "actual", "target", "score", "weight", "contribution", "notes"),
            kpi_rows,
            max_rows=len(kpi_rows),
        ),
    ]
    if card.criteria:
        crit_rows = [(c.key, fmt(c.weight), fmt(c.score)) for c in card.criteria]
        parts.append(
            section(
                "Qualitative criteria",
                html_table(("criterion", "weight", "score"), crit_rows, max_rows=len(crit_rows)),
            )
        )
    return "<div>" + "".join(parts) + "</div>"


def batch_html(batch: BatchScores, max_rows: int = MAX_ROWS) -> str:
    """Return batch scores as HTML: the rating counts and the first ``max_rows`` reviews."""
    n = len(batch)
    counts = Counter(int(i) for i in batch.rating_index)
    dist = ", ".join(
        f"{esc(label)} {counts.get(j, 0)}"
        for j, label in reversed(list(enumerate(batch.rating_labels)))
    )
    unrated = counts.get(-1, 0)
    head = (
        f"<div><strong>{n} reviews</strong> · scheme <code>{esc(batch.scheme_key)}</code> "
        f"<code>{esc(batch.scheme_hash[:19])}…</code> · ratings: {dist}"
        f"{f' · not rated {unrated}' if unrated else ''}</div>"
    )
    labels = batch.rating()
    m = min(n, max_rows)
    rows = [
        (
            batch.subject_ids[i],
            fmt(float(batch.total[i])),
            "—" if labels[i] is None else labels[i],
            fmt(float(batch.quantitative[i])),
            fmt(float(batch.qualitative[i])),
            *(fmt(float(x)) for x in batch.score[i]),
        )
        for i in range(m)
    ]
    header = (
        "subject",
        "total",
        "rating",
        "quantitative",
        "qualitative",
        *(f"{k} score" for k in batch.kpi_keys),
    )
    return "<div>" + head + html_table(header, rows, total=n, max_rows=max_rows) + "</div>"


def population_html(pop: Population, max_rows: int = MAX_ROWS) -> str:
    """Return a population as HTML: what each KPI holds, then the first ``max_rows`` reviews."""
    n = len(pop)
    money = f" · base pay in {esc(pop.currency)}" if pop.currency else ""
    head = (
        f"<div><strong>{n} reviews</strong> for scheme <code>{esc(pop.scheme_key)}</code> · "
        f"{len(pop.kpi_keys)} KPIs · {len(pop.criterion_keys)} qualitative criteria · "
        f"{len(pop.source_keys)} rating sources{money}</div>"
    )
    kpi_rows = []
    for j, key in enumerate(pop.kpi_keys):
        col = pop.actual[:, j]
        seen = col[~np.isnan(col)]
        kpi_rows.append(
            (
                key,
                seen.size,
                n - seen.size,
                fmt(float(seen.min())) if seen.size else "—",
                fmt(float(seen.mean())) if seen.size else "—",
                fmt(float(seen.max())) if seen.size else "—",
                int(pop.overridden[:, j].sum()),
            )
        )
    kpis = html_table(
        ("KPI", "reported", "missing", "min", "mean", "max", "own target"),
        kpi_rows,
        max_rows=len(kpi_rows),
    )
    m = min(n, max_rows)
    rows = [
        (
            pop.subject_ids[i],
            pop.department[i],
            pop.grade[i],
            fmt(float(pop.eligible_fraction[i])),
            *(fmt(float(x)) for x in pop.actual[i]),
        )
        for i in range(m)
    ]
    header = ("subject", "department", "grade", "eligible", *(f"{k} actual" for k in pop.kpi_keys))
    return (
        "<div>"
        + head
        + section("Actuals per KPI", kpis)
        + section("Reviews", html_table(header, rows, total=n, max_rows=max_rows))
        + "</div>"
    )


def batch_to_pandas(batch: BatchScores) -> pd.DataFrame:
    """Return batch scores as a DataFrame with the columns of ``BatchScores.to_rows``.

    The index is ``subject_id``; missing numbers are NaN; ``rating`` is an ordered categorical
    (lowest band first), NaN when the review is not rated.

    Raises:
        MissingExtraError: When pandas is not installed.
    """
    try:
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("pandas", "pandas", "BatchScores.to_pandas()") from exc
    cols: dict[str, object] = {
        "total": batch.total,
        "rating": pd.Categorical.from_codes(
            batch.rating_index, categories=pd.Index(list(batch.rating_labels)), ordered=True
        ),
        "rated": batch.rated,
        "gated": batch.gated,
        "quantitative": batch.quantitative,
        "qualitative": batch.qualitative,
        "eligible_fraction": batch.eligible_fraction,
        "review_flags": batch.review_flags.astype(np.int64),
    }
    for j, c in enumerate(batch.category_keys):
        cols[f"category.{c}"] = batch.category_score[:, j]
    for j, k in enumerate(batch.kpi_keys):
        cols[f"kpi.{k}.actual"] = batch.actual[:, j]
        cols[f"kpi.{k}.target"] = batch.target[:, j]
        cols[f"kpi.{k}.achievement"] = batch.achievement[:, j]
        cols[f"kpi.{k}.score"] = batch.score[:, j]
        cols[f"kpi.{k}.effective_weight"] = batch.effective_weight[:, j]
        cols[f"kpi.{k}.flags"] = batch.flags[:, j].astype(np.int64)
    index = pd.Index(list(batch.subject_ids), name="subject_id")
    return pd.DataFrame(cols, index=index, copy=True)
