"""Charts of a team: ratings against the guideline, scores and money by department."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from perfmgmt import _svg
from perfmgmt._format import fmt_money
from perfmgmt.charts._chart import (
    _ACCENT,
    _INK,
    _MUTED,
    _OVER,
    _PLOT_LEFT,
    _PLOT_RIGHT,
    _UNDER,
    Chart,
    Lang,
    _band_axis,
    _f,
    _finish,
    _label,
    _legend,
    _pct,
    _value,
    _words,
)
from perfmgmt.errors import ValidationError
from perfmgmt.model.scheme import Scheme

__all__ = ["money_by_department", "rating_distribution", "score_distribution"]

# -- a team -------------------------------------------------------------------------------------


def _nice_top(value: float) -> float:
    """The axis end: ``value`` rounded up to the next 10 %."""
    return max(math.ceil(value * 10 - 1e-9) / 10, 0.1)


def rating_distribution(
    ratings: Sequence[str | None],
    scheme: Scheme,
    *,
    lang: Lang = "en",
    tolerance: float = 0.10,
) -> Chart:
    """Draw the share of people per rating against the guideline share, best rating first.

    A rating whose share is more than ``tolerance`` (a share, 0.10 = 10 points) above its
    guideline is drawn red and marked with the deviation; one as far below is drawn amber.
    Unrated people (None) are left out of the shares. The comparison is exact (the share is
    the fraction ``count / rated``).

    Args:
        ratings: Each person's final rating label, or None.
        scheme: The scheme, for the rating bands and their guideline shares.
        lang: ``"en"`` or ``"zh"``.
        tolerance: The deviation that is highlighted, as a share in [0, 1].

    Raises:
        ValidationError: On an unknown language or a tolerance outside [0, 1].
    """
    w = _words(lang)
    if not 0 <= tolerance <= 1:
        raise ValidationError(
            f"rating_distribution: tolerance {tolerance!r} is not allowed; expected a share "
            "from 0 to 1",
            field="tolerance",
            value=tolerance,
        )
    bands = list(reversed(scheme.rating_scale.bands))
    counts = {b.label: sum(1 for r in ratings if r == b.label) for b in bands}
    n = sum(counts.values())
    shares = {k: Fraction(c, n) if n else Fraction(0) for k, c in counts.items()}
    top_share = _nice_top(
        max([float(s) for s in shares.values()] + [b.guideline_share or 0.0 for b in bands])
    )
    scale = _svg.Scale(start=0.0, end=top_share, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    row_h, top = 34.0, 20.0
    body: list[str] = []
    for t in range(round(top_share * 10) + 1):
        x = scale(t / 10)
        body.append(_svg.line(x, top - 4, x, top + len(bands) * row_h, stroke="#e5e7eb"))
        body.append(_svg.text(x, top - 8, f"{t * 10}%", anchor="middle", size=10, fill=_MUTED))
    rows: list[tuple[str, ...]] = []
    tol = Fraction(str(tolerance))
    for i, band in enumerate(bands):
        y = top + i * row_h
        share, guide = shares[band.label], band.guideline_share
        # The guideline as typed (0.1 is one tenth), not its binary float.
        deviation = None if guide is None else share - Fraction(str(guide))
        kind, fill = "share", _ACCENT
        if deviation is not None and deviation > tol:
            kind, fill = "share over", _OVER
        elif deviation is not None and -deviation > tol:
            kind, fill = "share under", _UNDER
        name = band.name.get(lang) if band.name else ""
        body.append(_label(y + 18, f"{band.label} {name}".strip(), bold=True))
        x = scale(float(share))
        body.append(
            _svg.rect(
                _PLOT_LEFT,
                y + 5,
                x - _PLOT_LEFT,
                14,
                fill=fill,
                kind=kind,
                title=f"{band.label}: {counts[band.label]} ({_pct(share)})",
            )
        )
        if guide is not None:
            xg = scale(guide)
            body.append(
                _svg.rect(
                    _PLOT_LEFT,
                    y + 21,
                    xg - _PLOT_LEFT,
                    7,
                    fill="#ffffff",
                    stroke=_MUTED,
                    kind="guideline",
                    dash="3 2",
                )
            )
        text = w["share_text"].format(
            count=counts[band.label],
            share=_pct(share),
            guideline="-" if guide is None else _pct(guide),
        )
        body.append(_value(y + 14, text))
        dev_text = ""
        if deviation is not None:
            dev_text = w["points"].format(
                sign="+" if deviation > 0 else ("−" if deviation < 0 else "±"),
                value=f"{abs(float(deviation)) * 100:.1f}",
            )
            if kind != "share":
                body.append(_value(y + 28, dev_text, fill=fill, bold=True))
        rows.append(
            (
                band.label,
                str(counts[band.label]),
                _pct(share),
                "-" if guide is None else _pct(guide),
                dev_text or "-",
            )
        )
    y = top + len(bands) * row_h + 14
    body += _legend(
        y,
        (
            (_ACCENT, w["share"]),
            ("#ffffff", w["guideline"]),
            (_OVER, w["legend_over"]),
            (_UNDER, w["legend_under"]),
        ),
    )
    return _finish(
        title=w["distribution_title"],
        alt=w["distribution_alt"].replace("{tol}", f"{tolerance * 100:g}"),
        height=y + 10,
        body=body,
        headers=(w["rating"], w["count"], w["share"], w["guideline"], w["deviation"]),
        rows=rows,
        lang=lang,
    )


def _department(name: str | None, w: dict[str, str]) -> str:
    return name if name else w["no_department"]


def score_distribution(
    totals: Mapping[str | None, Sequence[float | None]],
    scheme: Scheme,
    *,
    lang: Lang = "en",
) -> Chart:
    """Draw every person's total as a dot per department, with the department's mean.

    Args:
        totals: Department (None for none) → its people's totals (None for not rated, which
            are counted but not drawn).
        scheme: The scheme, for the rating bands drawn as dashed edges.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language.
    """
    w = _words(lang)
    bands = [(b.label, b.lower, b.upper) for b in scheme.rating_scale.bands]
    scored = {d: [v for v in vs if v is not None and math.isfinite(v)] for d, vs in totals.items()}
    values = [v for vs in scored.values() for v in vs]
    row_h, top = 30.0, 24.0
    bottom = top + max(len(totals), 1) * row_h
    scale, body = _band_axis(bands, values, top, bottom)
    rows: list[tuple[str, ...]] = []
    y = top
    for dept in sorted(totals, key=lambda d: (d is None, d or "")):
        vs = scored[dept]
        name = _department(dept, w)
        body.append(_label(y + 19, name))
        for j, v in enumerate(vs):
            cy = y + 15 + (j % 3 - 1) * 4  # three lanes, so equal totals stay visible
            body.append(
                _svg.circle(
                    scale(v), cy, 3.5, fill="#c5cae9", stroke=_ACCENT, kind="person", title=_f(v)
                )
            )
        mean = sum(vs) / len(vs) if vs else None
        if mean is not None:
            xm = scale(mean)
            body.append(_svg.line(xm, y + 4, xm, y + 26, width=3, kind="mean", title=_f(mean)))
        body.append(_value(y + 19, w["mean_text"].format(n=len(totals[dept]), mean=_f(mean))))
        rows.append(
            (
                name,
                str(len(totals[dept])),
                _f(mean),
                _f(min(vs) if vs else None),
                _f(max(vs) if vs else None),
            )
        )
        y += row_h
    body += _legend(bottom + 32, (("#c5cae9", w["legend_person"]), (_INK, w["legend_mean"])))
    return _finish(
        title=w["scores_title"],
        alt=w["scores_alt"],
        height=bottom + 44,
        body=body,
        headers=(w["department"], w["people"], w["mean"], w["min"], w["max"]),
        rows=rows,
        lang=lang,
    )


def money_by_department(
    bonus: Mapping[str | None, Decimal],
    deduction: Mapping[str | None, Decimal],
    *,
    currency: str = "",
    lang: Lang = "en",
) -> Chart:
    """Draw each department's bonus and deduction totals as two bars on one money axis.

    The amounts are shown exactly as given (Decimal); only the bar lengths are rounded.

    Args:
        bonus: Department (None for none) → bonus total.
        deduction: Department (None for none) → deduction total.
        currency: The currency code shown with the amounts.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language or a negative amount.
    """
    w = _words(lang)
    depts = sorted(set(bonus) | set(deduction), key=lambda d: (d is None, d or ""))
    for field, amounts in (("bonus", bonus), ("deduction", deduction)):
        for where, v in amounts.items():
            if not isinstance(v, Decimal) or not v.is_finite() or v < 0:
                raise ValidationError(
                    f"money_by_department: {field} of {where!r} is {v!r}; expected a Decimal of "
                    "at least 0",
                    field=field,
                    value=v,
                )
    zero = Decimal(0)
    top_amount = max([float(v) for v in (*bonus.values(), *deduction.values())] + [0.0])
    scale = _svg.Scale(start=0.0, end=top_amount or 1.0, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    row_h, top = 34.0, 8.0
    body: list[str] = []
    rows: list[tuple[str, ...]] = []
    for i, dept in enumerate(depts):
        y = top + i * row_h
        b, d = bonus.get(dept, zero), deduction.get(dept, zero)
        name = _department(dept, w)
        body.append(_label(y + 18, name))
        body.append(
            _svg.rect(
                _PLOT_LEFT,
                y + 4,
                scale(float(b)) - _PLOT_LEFT,
                12,
                fill=_ACCENT,
                kind="bonus",
                title=f"{w['bonus']} {fmt_money(b, currency, lang)}",
            )
        )
        body.append(
            _svg.rect(
                _PLOT_LEFT,
                y + 18,
                scale(float(d)) - _PLOT_LEFT,
                8,
                fill=_OVER,
                kind="deduction",
                title=f"{w['deduction']} {fmt_money(d, currency, lang)}",
            )
        )
        if lang == "zh":  # ¥ before each amount
            b_text, d_text, unit = fmt_money(b, currency, lang), fmt_money(d, currency, lang), ""
        else:  # one code after both amounts, as before
            b_text, d_text, unit = str(b), str(d), currency
        text = w["money_text"].format(
            bonus=f"+{b_text}" if b else b_text, deduction=f"−{d_text}" if d else d_text
        )
        body.append(_value(y + 18, f"{text} {unit}".rstrip()))
        rows.append((name, f"{b}", f"{d}"))
    y = top + max(len(depts), 1) * row_h + 10
    body += _legend(y, ((_ACCENT, w["bonus"]), (_OVER, w["deduction"])))
    return _finish(
        title=w["money_title"],
        alt=w["money_alt"].replace("{currency}", currency or "-"),
        height=y + 10,
        body=body,
        headers=(
            w["department"],
            f"{w['bonus']} {currency}".strip(),
            f"{w['deduction']} {currency}".strip(),
        ),
        rows=rows,
        lang=lang,
    )
