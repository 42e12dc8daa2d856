"""Notebook display of what-if comparisons and simulation results (``_repr_html_``).

Nothing here imports :mod:`perfmgmt.analytics.compare` or :mod:`~perfmgmt.analytics.simulate`
at run time (they import this module); every piece of text goes through
:func:`perfmgmt._html.esc`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from perfmgmt._html import MAX_ROWS, esc, fmt, html_table, section

if TYPE_CHECKING:
    from perfmgmt.analytics.compare import Comparison
    from perfmgmt.analytics.simulate import SimulationResult

__all__ = ["comparison_html", "simulation_html"]

MOVERS = 10
"""People listed in a comparison's "who moves most" table."""


def _money(value: Decimal | None, currency: str | None) -> str:
    if value is None:
        return "—"
    return f"{value:,} {currency}" if currency else f"{value:,}"


def _signed(value: Decimal, currency: str | None) -> str:
    text = _money(value, currency)
    return text if value < 0 else f"+{text}"


def _num(value: object) -> float | None:
    return value if isinstance(value, float) else None


def _rating(label: object) -> str:
    return "not rated" if label is None else str(label)


def comparison_html(cmp: Comparison) -> str:
    """Return a comparison as HTML: headline figures, rating moves, rule outcomes and movers."""
    s = cmp.summary()
    cur = cmp.currency
    mean_a, mean_b, mean_d = (_num(s[k]) for k in ("mean_total_a", "mean_total_b", "mean_delta"))
    key_a, key_b = cmp.a.scheme.key, cmp.b.scheme.key
    head = (
        f"<div><strong>What-if: scheme <code>{esc(key_a)}</code> {esc(cmp.a.scheme.version)} → "
        f"<code>{esc(key_b)}</code> {esc(cmp.b.scheme.version)}</strong> · {len(cmp)} people · "
        f"{s['rating_changed']} change rating · {s['up']} up, {s['down']} down · cost change "
        f"<strong>{esc(_signed(cmp.cost_change, cur))}</strong></div>"
    )
    change = "—" if mean_d is None else f"{mean_d:+.4g}"
    figures = html_table(
        ("", "A", "B", "change"),
        [
            ("mean total", fmt(mean_a), fmt(mean_b), change),
            (
                "bonus minus deductions",
                _money(cmp.cost_a, cur),
                _money(cmp.cost_b, cur),
                _signed(cmp.cost_change, cur),
            ),
            ("people whose rating changes", "", "", s["rating_changed"]),
            ("people whose rule outcomes change", "", "", s["outcome_changed"]),
        ],
        max_rows=4,
    )
    moves = sorted(
        ((a, b, n) for (a, b), n in cmp.rating_transitions().items() if a != b),
        key=lambda t: -t[2],
    )
    parts = [head, figures]
    if moves:
        rows = [(_rating(a), _rating(b), n) for a, b, n in moves]
        parts.append(
            section(
                "Rating changes",
                html_table(("rating under A", "rating under B", "people"), rows, total=len(rows)),
            )
        )
    outcomes = cmp.outcome_counts()
    if outcomes:
        rows_o = [(k, a, b, f"{b - a:+d}") for k, (a, b) in outcomes.items()]
        parts.append(
            section(
                "Rules and tables: people awarded",
                html_table(("rule or table", "A", "B", "change"), rows_o, total=len(rows_o)),
            )
        )
    movers = cmp.to_records(cmp.movers(MOVERS))
    if movers:
        rows_m = [
            (
                r["subject_id"],
                fmt(r["total_a"]),
                fmt(r["total_b"]),
                "—" if r["delta"] is None else f"{r['delta']:+.4g}",
                _rating(r["rating_a"]),
                _rating(r["rating_b"]),
                _signed(r["pay_change"], cur),
            )
            for r in movers
        ]
        parts.append(
            section(
                f"Who moves most (top {len(rows_m)} by change of total)",
                html_table(
                    ("subject", "total A", "total B", "change", "rating A", "rating B", "pay"),
                    rows_m,
                    max_rows=MAX_ROWS,
                ),
            )
        )
    return "<div>" + "".join(parts) + "</div>"


def simulation_html(result: SimulationResult) -> str:
    """Return a simulation result as HTML: cost per cycle, its spread, budget risk, ratings."""
    cur = result.currency
    head = (
        f"<div><strong>Simulation of scheme <code>{esc(result.scheme_key)}</code></strong> "
        f"<code>{esc(result.scheme_hash[:19])}…</code> · {result.draws} cycles of "
        f"{result.people} people · seed {result.seed}</div>"
    )
    rows: list[tuple[str, str]] = [
        ("expected cost per cycle", _money(result.expected_cost(), cur)),
        ("standard error", fmt(result.cost_standard_error())),
    ]
    rows += [
        (f"cost, {q:.0%} quantile", _money(v, cur)) for q, v in result.cost_quantiles().items()
    ]
    if result.budget is not None:
        rows += [
            ("budget", _money(result.budget, cur)),
            ("chance of exceeding the budget", f"{result.probability_over():.1%}"),
        ]
    shares = result.mean_rating_shares()
    share_rows = [(label, f"{share:.1%}") for label, share in reversed(shares.items())]
    return (
        "<div>"
        + head
        + html_table(("figure", "value"), rows, max_rows=len(rows))
        + section(
            "Mean share of rated people per rating",
            html_table(("rating", "share"), share_rows, max_rows=len(share_rows)),
        )
        + "</div>"
    )
