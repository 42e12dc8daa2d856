"""Notebook display of model objects: short reprs and compact, escaped HTML tables.

The HTML building blocks (escaping, tables) live on the ground floor in :mod:`perfmgmt._html`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from perfmgmt.model.development import DevelopmentPlan
    from perfmgmt.model.scheme import Scheme

from perfmgmt._html import esc, fmt, html_table, section

__all__ = [
    "development_plan_html",
    "development_plan_repr",
    "scheme_html",
    "scheme_repr",
]


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def scheme_repr(scheme: Scheme) -> str:
    """Return a one-line summary of a scheme: key, version, sizes and the hash prefix."""
    parts = [
        f"{_count(len(scheme.kpis), 'KPI')} in {len(scheme.categories)} categories",
        f"{len(scheme.criteria)} qualitative criteria",
        f"quantitative {_pct(scheme.quantitative_share)}",
        "ratings " + "<".join(scheme.rating_scale.labels),
    ]
    if scheme.rules or scheme.tables:
        parts.append(f"{_count(len(scheme.rules), 'rule')}, {_count(len(scheme.tables), 'table')}")
    return (
        f"Scheme({scheme.key!r} v{scheme.version}: {', '.join(parts)}; {scheme.content_hash[:19]}…)"
    )


def scheme_html(scheme: Scheme) -> str:
    """Return a scheme as compact HTML: KPIs with weights and targets, criteria, bands, rules."""
    weights = scheme.nominal_weights()
    cat_weight = {c.key: c.weight for c in scheme.categories}
    kpi_rows = [
        (
            k.category,
            _pct(cat_weight[k.category]),
            k.key,
            str(k.indicator.label),
            k.indicator.unit,
            k.indicator.direction.value.replace("_", " "),
            k.scoring.scorer,
            fmt(k.threshold),
            fmt(k.target),
            fmt(k.stretch),
            _pct(weights[k.key]),
            "" if k.gate is None else f"gate {fmt(k.gate.threshold)}",
        )
        for k in scheme.kpis
    ]
    parts = [
        f"<div><strong>{esc(scheme.label)}</strong> · key <code>{esc(scheme.key)}</code> · "
        f"version {esc(scheme.version)} · <code>{esc(scheme.content_hash[:19])}…</code></div>",
        section(
            f"KPIs (quantitative part: {_pct(scheme.quantitative_share)})",
            html_table(
                (
                    "category",
                    "category weight",
                    "KPI",
                    "label",
                    "unit",
                    "direction",
                    "scorer",
                    "threshold",
                    "target",
                    "stretch",
                    "weight",
                    "gate",
                ),
                kpi_rows,
                max_rows=len(kpi_rows),
            ),
        ),
    ]
    if scheme.criteria:
        crit_rows = [
            (c.key, str(c.label), _pct(c.weight), f"{fmt(c.scale.low)}–{fmt(c.scale.high)}")
            for c in scheme.criteria
        ]
        parts.append(
            section(
                f"Qualitative criteria ({_pct(1 - scheme.quantitative_share)})",
                html_table(
                    ("criterion", "label", "weight", "scale"), crit_rows, max_rows=len(crit_rows)
                ),
            )
        )
    band_rows = [
        (
            b.label,
            "" if b.name is None else str(b.name),
            f"[{fmt(b.lower)}, {fmt(b.upper)}{']' if b is scheme.rating_scale.bands[-1] else ')'}",
            "" if b.guideline_share is None else _pct(b.guideline_share),
        )
        for b in reversed(scheme.rating_scale.bands)
    ]
    parts.append(
        section(
            "Rating scale",
            html_table(
                ("rating", "name", "score", "guideline"), band_rows, max_rows=len(band_rows)
            ),
        )
    )
    if scheme.rules or scheme.tables:
        rule_rows = [(r.key, "rule", r.priority) for r in scheme.rules] + [
            (t.key, f"table ({t.hit_policy.value})", "") for t in scheme.tables
        ]
        parts.append(
            section(
                "Incentive rules",
                html_table(("key", "kind", "priority"), rule_rows, total=len(rule_rows)),
            )
        )
    return "<div>" + "".join(parts) + "</div>"


def development_plan_repr(plan: DevelopmentPlan) -> str:
    """Return a one-line summary of a development plan."""
    kinds = ", ".join(a.kind.value for a in plan.actions) or "no actions"
    review = f" from {plan.review}" if plan.review else ""
    return (
        f"DevelopmentPlan({plan.subject_id}{review}: {len(plan.actions)} actions, "
        f"{len(plan.open_actions)} open: {kinds})"
    )


def development_plan_html(plan: DevelopmentPlan) -> str:
    """Return a development plan as an HTML table of its actions."""
    review = f" · review {esc(plan.review)}" if plan.review else ""
    rows = [
        (
            a.key,
            a.kind.value.replace("_", " "),
            a.description,
            a.kpi or "",
            a.skill or "",
            a.owner,
            "" if a.due is None else a.due.isoformat(),
            a.status.value.replace("_", " "),
        )
        for a in plan.actions
    ]
    table = html_table(
        ("action", "kind", "description", "KPI", "skill", "owner", "due", "status"),
        rows,
        total=len(rows),
    )
    return (
        f"<div><div><strong>Development plan of {esc(plan.subject_id)}</strong>{review} · "
        f"{len(plan.open_actions)} of {len(plan.actions)} actions open</div>{table}</div>"
    )
