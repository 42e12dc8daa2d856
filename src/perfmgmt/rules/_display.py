"""Notebook display and pandas export of rule decisions.

Nothing here imports :mod:`perfmgmt.rules.decisions` at run time (decisions imports this module);
the evaluator passes its outcome describer in. pandas is imported only when
:func:`batch_decisions_to_pandas` is called.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from perfmgmt._html import MAX_ROWS, esc, html_table, missing_extra, section
from perfmgmt.model.incentive import Outcome
from perfmgmt.model.money import from_minor, minor_units, quantize

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from perfmgmt.rules.decisions import BatchDecisions, Decisions

__all__ = [
    "Describe",
    "batch_decisions_html",
    "batch_decisions_repr",
    "batch_decisions_to_pandas",
    "decisions_html",
    "decisions_repr",
]

Describe = Callable[[Outcome, Decimal | None, str | None], str]
"""Turn an outcome, its amount and the currency into a short phrase."""


def _money(value: Decimal | None, currency: str | None) -> str:
    if value is None:
        return "unknown"
    return f"{value} {currency}" if currency else str(value)


def decisions_repr(d: Decisions) -> str:
    """Return a one-line summary of one subject's decisions."""
    money = ""
    if d.bonus is not None and d.bonus != 0:
        money += f", bonus={_money(d.bonus, d.currency)}"
    if d.deduction is not None and d.deduction != 0:
        money += f", deduction={_money(d.deduction, d.currency)}"
    if d.awarded is not None:
        money += f", awarded={_money(d.awarded, d.currency)}"
    return f"Decisions({d.subject_id}: fired={list(d.fired)}, {len(d.decisions)} outcomes{money})"


def decisions_html(d: Decisions, describe: Describe) -> str:
    """Return one subject's decisions as HTML: what was awarded, by which rule, and the rest."""
    money = [
        f"bonus {esc(_money(d.bonus, d.currency))}",
        f"deduction {esc(_money(d.deduction, d.currency))}",
    ]
    if d.awarded is not None:
        money.append(f"awarded after the pool {esc(_money(d.awarded, d.currency))}")
    head = f"<div><strong>{esc(d.subject_id)}</strong> · {' · '.join(money)}</div>"
    awarded = [
        (
            x.source,
            x.kind.value,
            "" if x.row is None else x.row,
            describe(x.outcome, x.amount, d.currency),
        )
        for x in d.decisions
    ]
    trace = [
        (
            t.source,
            t.kind.value,
            t.status.value.replace("_", " "),
            t.text,
            ", ".join(t.missing),
        )
        for t in d.trace
    ]
    return (
        "<div>"
        + head
        + section(
            "Awarded",
            html_table(("source", "kind", "row", "outcome"), awarded, total=len(awarded))
            if awarded
            else "<div>nothing</div>",
        )
        + section(
            "Trace",
            html_table(("source", "kind", "status", "rule", "missing"), trace, total=len(trace)),
        )
        + "</div>"
    )


def _fired_counts(b: BatchDecisions) -> list[tuple[str, int]]:
    return [(k, int(b.fired(k).sum())) for k in (*b.rule_keys, *b.table_keys)]


def _total(minor: npt.NDArray[np.int64], known: npt.NDArray[np.bool_], currency: str) -> str:
    value = from_minor(int(minor[known].sum()), currency)
    unknown = int((~known).sum())
    tail = f" (+{unknown} unknown)" if unknown else ""
    return f"{value} {currency}{tail}"


def batch_decisions_repr(b: BatchDecisions) -> str:
    """Return a one-line summary of batch decisions: size, and how often each source fired."""
    fired = ", ".join(f"{k}={n}" for k, n in _fired_counts(b))
    money = ""
    if b.currency is not None:
        money = f", bonus total {_total(b.bonus_minor, b.bonus_known, b.currency)}"
    return f"BatchDecisions({len(b)} subjects; fired: {fired or 'no rules'}{money})"


def batch_decisions_html(b: BatchDecisions, max_rows: int = MAX_ROWS) -> str:
    """Return batch decisions as HTML: fired counts, money totals and the first rows."""
    n = len(b)
    parts = [f"<div><strong>{n} subjects</strong>"]
    if b.currency is not None:
        parts.append(
            f" · bonuses {esc(_total(b.bonus_minor, b.bonus_known, b.currency))}"
            f" · deductions {esc(_total(b.deduction_minor, b.deduction_known, b.currency))}"
        )
    if b.allocation is not None:
        parts.append(f" · awarded after the pool {esc(b.allocation.total)} {esc(b.currency)}")
    parts.append("</div>")
    counts = _fired_counts(b)
    parts.append(
        section(
            "Fired",
            html_table(("rule or table", "subjects"), counts, total=len(counts)),
        )
    )
    rows = []
    for i in range(min(n, max_rows)):
        d = b.row(i)
        rows.append(
            (
                d.subject_id,
                ", ".join(d.fired),
                _money(d.bonus, d.currency),
                _money(d.deduction, d.currency),
                "" if d.awarded is None else _money(d.awarded, d.currency),
            )
        )
    parts.append(
        html_table(
            ("subject", "fired", "bonus", "deduction", "awarded"),
            rows,
            total=n,
            max_rows=max_rows,
        )
    )
    return "<div>" + "".join(parts) + "</div>"


def _decimals(
    minor: npt.NDArray[np.int64], known: npt.NDArray[np.bool_] | None, currency: str | None
) -> list[Decimal | None]:
    if currency is None:
        return [None] * len(minor)
    exp = -minor_units(currency)
    ok = [True] * len(minor) if known is None else known.tolist()
    return [
        quantize(Decimal(v).scaleb(exp), currency) if k else None
        for v, k in zip(minor.tolist(), ok, strict=True)
    ]


def batch_decisions_to_pandas(b: BatchDecisions) -> pd.DataFrame:
    """Return batch decisions as a DataFrame indexed by ``subject_id``.

    Columns: ``fired.<key>`` (bool) per rule and table in evaluation order, then ``bonus``,
    ``deduction`` (exact :class:`~decimal.Decimal`, None where unknown), ``awarded`` when a pool
    was applied, and ``currency``.

    Raises:
        MissingExtraError: When pandas is not installed.
    """
    try:
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra, imported on use
    except ImportError as exc:
        raise missing_extra("pandas", "pandas", "BatchDecisions.to_pandas()") from exc
    cols: dict[str, object] = {f"fired.{k}": b.fired(k) for k in (*b.rule_keys, *b.table_keys)}
    cols["bonus"] = pd.Series(
        _decimals(b.bonus_minor, b.bonus_known, b.currency), dtype=object
    ).to_numpy()
    cols["deduction"] = pd.Series(
        _decimals(b.deduction_minor, b.deduction_known, b.currency), dtype=object
    ).to_numpy()
    if b.allocation is not None:
        cols["awarded"] = pd.Series(
            _decimals(b.allocation.awarded, None, b.allocation.currency), dtype=object
        ).to_numpy()
    cols["currency"] = [b.currency] * len(b)
    index = pd.Index([b.subject_ids[i] for i in range(len(b))], name="subject_id")
    return pd.DataFrame(cols, index=index)
