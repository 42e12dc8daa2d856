"""The tables the demo writes: CSV records, actuals as ``perfmgmt score`` reads them, summary."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from perfmgmt._words import word
from perfmgmt.model import Cycle, Language, Scheme
from perfmgmt.scoring import Population


def _records_csv(path: Path, records: Sequence[Mapping[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        if records:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in records)


def _actuals_records(scheme: Scheme, population: Population) -> list[dict[str, object]]:
    """Rows in the ``perfmgmt score`` input format (subject_id, KPIs, ``<kpi>:n``, ratings)."""
    out: list[dict[str, object]] = []
    for i, sid in enumerate(population.subject_ids):
        row: dict[str, object] = {"subject_id": sid}
        for j, k in enumerate(scheme.kpi_keys):
            v = float(population.actual[i, j])
            row[k] = None if np.isnan(v) else round(v, 6)
            row[f"{k}:n"] = int(population.sample_size[i, j])
        ratings = population.ratings
        raters = population.raters
        for qi, c in enumerate(scheme.criteria):
            for si, src in enumerate(scheme.sources):
                r = float(ratings[i, qi, si])
                row[f"{c.key}:{src.source.value}"] = None if np.isnan(r) else round(r, 6)
                row[f"{c.key}:{src.source.value}:raters"] = int(raters[i, qi, si])
        out.append(row)
    return out


def _round(value: float | np.floating[Any]) -> float | None:
    v = float(value)
    return None if np.isnan(v) else round(v, 2)


def _summary_cell(value: object, column: str = "", lang: str = "en") -> str:
    if column == "status" and isinstance(value, str) and value:
        return word(f"status.{value}", lang, default=value)
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.1f}"
    return str(value)


def _summary_markdown(
    rows: list[dict[str, object]],
    *,
    scheme: Scheme,
    cycle: Cycle,
    ratings: Mapping[str, int],
    guideline: Mapping[str, float],
    lang: Language,
) -> str:
    """Render the summary with the report renderer, so every cell is escaped the same way."""
    from perfmgmt.report import Heading, Report, Table, to_markdown  # noqa: PLC0415

    zh = lang == "zh"
    n = max(sum(ratings.values()), 1)
    title = (
        f"汇总:{scheme.label.get('zh')},{cycle.key}"
        if zh
        else f"Summary: {scheme.label.en}, {cycle.key}"
    )
    dist = Table(
        headers=("评级", "人数", "占比", "指导比例")
        if zh
        else ("Rating", "People", "Share", "Guideline"),
        rows=tuple(
            (label, str(count), f"{count / n:.0%}", f"{guideline.get(label, 0.0):.0%}")
            for label, count in ratings.items()
        ),
    )
    cols = ("subject_id", "name", "department", *scheme.kpi_keys, "quantitative",
            "qualitative", "total", "rating", "bonus", "deduction", "outcomes",
            "status")  # fmt: skip
    headers = cols
    if zh:
        kpis = {k.key: k.indicator.label.get("zh") for k in scheme.kpis}
        headers = tuple(kpis.get(c) or word(f"summary.{c}", "zh") for c in cols)
    people = Table(
        headers=headers,
        rows=tuple(tuple(_summary_cell(r.get(c), c, lang) for c in cols) for r in rows),
    )
    report = Report(title=title, lang=lang, blocks=(Heading(text=title, level=1), dist, people))
    return to_markdown(report)
