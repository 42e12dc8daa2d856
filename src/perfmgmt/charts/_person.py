"""Charts of one person's score card: KPI bullets, the composition of the total, ratings."""

from __future__ import annotations

import math
from collections.abc import Sequence

from perfmgmt import _svg
from perfmgmt._words import SOURCE_WORDS_ZH, unit_word
from perfmgmt.charts._chart import (
    _ACCENT,
    _BANDS,
    _LABEL_LEFT,
    _MUTED,
    _OVER,
    _PLOT_LEFT,
    _PLOT_RIGHT,
    _STACK,
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
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring.card import KpiLine, ScoreCard

__all__ = ["kpi_bullets", "qualitative_summary", "score_composition"]

# -- one person ---------------------------------------------------------------------------------


def _kpi_label(scheme: Scheme, key: str, lang: Lang) -> tuple[str, str, int]:
    for kpi in scheme.kpis:
        if kpi.key == key:
            label = kpi.indicator.label.get(lang)
            return label, unit_word(kpi.indicator.unit, lang), kpi.indicator.precision
    return key, "", 1


def _bullet_scale(line: KpiLine) -> _svg.Scale | None:
    """The row's own axis: every mark of the KPI fits, better to the right."""
    marks = [v for v in (line.threshold, line.target, line.stretch, line.actual) if v is not None]
    if not marks:
        return None
    lo, hi = min(marks), max(marks)
    pad = (hi - lo) * 0.08 if hi > lo else max(abs(hi) * 0.1, 1.0)
    if line.direction == "lower_is_better":
        return _svg.Scale(start=hi + pad, end=lo - pad, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    return _svg.Scale(start=lo - pad, end=hi + pad, left=_PLOT_LEFT, right=_PLOT_RIGHT)


def _bullet_row(line: KpiLine, scale: _svg.Scale, y: float, digits: int) -> list[str]:
    out = [_svg.rect(_PLOT_LEFT, y + 6, _PLOT_RIGHT - _PLOT_LEFT, 18, fill=_BANDS[0], kind="track")]
    edges = [line.threshold, line.target, line.stretch]
    if all(e is not None for e in edges):
        thr, tgt, strc = (float(e) for e in edges if e is not None)
        for (a, b), fill in zip(
            ((thr, tgt), (tgt, strc), (strc, scale.end)), _BANDS[1:], strict=True
        ):
            xa, xb = scale.clamp(a), scale.clamp(b)
            out.append(_svg.rect(min(xa, xb), y + 6, abs(xb - xa), 18, fill=fill))
    if line.actual is not None:
        x0, x1 = scale.left, scale(line.actual)
        out.append(
            _svg.rect(
                min(x0, x1),
                y + 11,
                abs(x1 - x0),
                8,
                fill=_ACCENT,
                kind="actual",
                title=_f(line.actual, digits),
            )
        )
    placed: list[float] = []
    for kind, value, width in (
        ("threshold", line.threshold, 1.5),
        ("stretch", line.stretch, 1.5),
        ("target", line.target, 3.0),
    ):
        if value is None:
            continue
        x = scale(value)
        out.append(_svg.line(x, y + 3, x, y + 27, width=width, kind=kind, title=_f(value, digits)))
        if all(abs(x - p) > 36 for p in placed):
            placed.append(x)
            out.append(_svg.text(x, y + 39, _f(value, digits), anchor="middle", size=10))
    return out


def kpi_bullets(card: ScoreCard, scheme: Scheme, *, lang: Lang = "en") -> Chart:
    """Draw one bullet per KPI: the actual against its threshold, target and stretch.

    Each KPI has its own axis, better to the right (a lower-is-better KPI's axis runs from
    high to low). Shaded ranges mark below threshold, threshold to target, target to stretch
    and beyond; the thick tick is the target, the bar the actual. The value column gives the
    actual with its unit and the KPI's score.

    Args:
        card: The person's score card.
        scheme: Its scheme, for the KPIs' labels, units and precision.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language.
    """
    w = _words(lang)
    row_h, top = 46.0, 8.0
    body: list[str] = []
    rows: list[tuple[str, ...]] = []
    for i, line in enumerate(card.lines):
        y = top + i * row_h
        label, unit, digits = _kpi_label(scheme, line.key, lang)
        body.append(_label(y + 19, label))
        scale = _bullet_scale(line)
        if scale is not None:
            body += _bullet_row(line, scale, y, digits)
        actual = f"{_f(line.actual, digits)} {unit}".strip() if line.actual is not None else ""
        body.append(_value(y + 14, actual or w["no_data"], bold=True))
        body.append(_value(y + 30, f"{w['score']} {_f(line.score)}", fill=_MUTED))
        rows.append(
            (
                label,
                _f(line.threshold, digits),
                _f(line.target, digits),
                _f(line.stretch, digits),
                actual or w["no_data"],
                _f(line.score),
            )
        )
    y = top + len(card.lines) * row_h + 12
    body += _legend(
        y,
        (
            (_BANDS[0], w["below_threshold"]),
            (_BANDS[1], w["to_target"]),
            (_BANDS[2], w["to_stretch"]),
            (_ACCENT, w["legend_actual"]),
        ),
    )
    headers = (w["kpi"], w["threshold"], w["target"], w["stretch"], w["actual"], w["score"])
    return _finish(
        title=w["bullets_title"],
        alt=w["bullets_alt"],
        height=y + 10,
        body=body,
        headers=headers,
        rows=rows,
        lang=lang,
    )


def score_composition(card: ScoreCard, scheme: Scheme, *, lang: Lang = "en") -> Chart:
    """Draw how the total is composed: categories, quantitative, qualitative, total and band.

    Every row is a bar on the score scale, with the rating bands as dashed edges. The
    quantitative bar is stacked from each category's contribution (Σ of its KPIs'
    contributions); a gate shows as a cap line. The total bar is stacked from the blend's two
    parts (share × quantitative and the rest × qualitative) and names the rating.

    Args:
        card: The person's score card.
        scheme: Its scheme, for the category labels.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language.
    """
    w = _words(lang)
    names = {c.key: c.label.get(lang) for c in scheme.categories}
    quant = None if math.isnan(card.quantitative) else card.quantitative
    raw = None if math.isnan(card.raw_quantitative) else card.raw_quantitative
    share = card.quantitative_share
    values = [
        v
        for v in (*(c.score for c in card.categories), quant, raw, card.qualitative, card.total)
        if v is not None
    ]
    row_h, top = 30.0, 24.0
    bottom = top + (len(card.categories) + 3) * row_h
    scale, body = _band_axis(card.rating_bands, values, top, bottom)
    rows: list[tuple[str, ...]] = []
    y = top
    for cat in card.categories:
        label = f"{names.get(cat.key, cat.key)} ({cat.weight * 100:.4g}%)"
        body += _stack(scale, y + 7, 14, [(cat.score, _STACK[3], "category", label)])
        body += [_label(y + 19, label), _value(y + 19, _f(cat.score))]
        rows.append((label, _pct(cat.weight), _f(cat.score)))
        y += row_h
    # The quantitative bar, stacked from the categories' contributions (before gates).
    parts = [
        (
            sum(ln.contribution for ln in card.lines if ln.category == cat.key),
            _STACK[i % len(_STACK)],
            "part",
            names.get(cat.key, cat.key),
        )
        for i, cat in enumerate(card.categories)
    ]
    body += _stack(scale, y + 7, 14, parts)
    body.append(_label(y + 19, f"{w['quantitative']} (× {share:.4g})", bold=True))
    text = _f(quant)
    if card.gated and quant is not None:
        xq = scale(quant)
        body.append(_svg.line(xq, y + 2, xq, y + 26, stroke=_OVER, width=2.5, kind="gate"))
        text = f"{_f(raw)} → {_f(quant)} ({w['gate']})"
    body.append(_value(y + 19, text))
    rows.append((w["quantitative"], f"{share:.4g}", _f(quant)))
    y += row_h
    qual_label = f"{w['qualitative']} (× {1 - share:.4g})"
    body += _stack(scale, y + 7, 14, [(card.qualitative, _STACK[1], "qualitative", qual_label)])
    body += [_label(y + 19, qual_label), _value(y + 19, _f(card.qualitative))]
    rows.append((w["qualitative"], f"{1 - share:.4g}", _f(card.qualitative)))
    y += row_h
    body += _total_row(card, scale, y, quant, w)
    rating = card.rating if card.rated and card.rating else w["not_rated"]
    rows += [(w["total"], "", _f(card.total)), (w["rating"], "", rating)]
    return _finish(
        title=w["composition_title"],
        alt=w["composition_alt"],
        height=bottom + 24,
        body=body,
        headers=(w["step"], w["weight"], w["score"]),
        rows=rows,
        lang=lang,
    )


def _stack(
    scale: _svg.Scale,
    y: float,
    height: float,
    parts: Sequence[tuple[float | None, str, str, str]],
) -> list[str]:
    """Bars laid end to end from 0: each part is (value, fill, class, tooltip name)."""
    out: list[str] = []
    x = zero = scale(0.0)
    for value, fill, kind, name in parts:
        if value is None:
            continue
        x1 = x + scale(value) - zero
        title = f"{name}: {value:.2f}"
        out.append(_svg.rect(min(x, x1), y, abs(x1 - x), height, fill=fill, kind=kind, title=title))
        x = x1
    return out


def _total_row(
    card: ScoreCard, scale: _svg.Scale, y: float, quant: float | None, w: dict[str, str]
) -> list[str]:
    """The total, stacked from the blend's two parts, with its value and rating."""
    out: list[str] = []
    share = card.quantitative_share
    if card.total is not None:
        parts = [(share * (quant or 0.0), _STACK[0], "blend", w["quantitative"])]
        if card.qualitative is not None:
            parts.append(((1 - share) * card.qualitative, _STACK[1], "blend", w["qualitative"]))
        out += _stack(scale, y + 5, 18, parts)
        xt = scale(card.total)
        out.append(_svg.line(xt, y + 1, xt, y + 27, width=3, kind="total", title=_f(card.total)))
    rating = card.rating if card.rated and card.rating else w["not_rated"]
    out.append(_label(y + 19, w["total"], bold=True))
    out.append(_value(y + 19, f"{_f(card.total)} → {rating}", bold=True))
    return out


def qualitative_summary(card: ScoreCard, scheme: Scheme, *, lang: Lang = "en") -> Chart:
    """Draw each criterion's mean rating per source with its number of raters.

    Individual raters are not shown: a row is a source's mean on the criterion's rating scale.
    A source with fewer raters than its minimum is drawn hollow and marked as left out.

    Args:
        card: The person's score card (its criteria carry the means and rater counts).
        scheme: Its scheme, for the criterion labels and rating scales.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language.
    """
    w = _words(lang)
    crit = {c.key: c for c in scheme.criteria}
    row_h, top = 28.0, 8.0
    body: list[str] = []
    rows: list[tuple[str, ...]] = []
    y = top
    for cr in card.criteria:
        spec = crit.get(cr.key)
        name = spec.label.get(lang) if spec else cr.key
        low = spec.scale.low if spec else (cr.low or 0.0)
        high = spec.scale.high if spec else 5.0
        scale = _svg.Scale(start=low, end=high, left=_PLOT_LEFT, right=_PLOT_RIGHT)
        for src in cr.sources:
            source = SOURCE_WORDS_ZH.get(src.key, src.key) if lang == "zh" else src.key
            label = f"{name} · {source}"
            body.append(_label(y + 18, label))
            body.append(_svg.rect(_PLOT_LEFT, y + 6, _PLOT_RIGHT - _PLOT_LEFT, 16, fill=_BANDS[0]))
            if src.mean is not None:
                x = scale.clamp(src.mean)
                fill = _ACCENT if src.counted else "#ffffff"
                body.append(
                    _svg.rect(
                        _PLOT_LEFT,
                        y + 8,
                        x - _PLOT_LEFT,
                        12,
                        fill=fill,
                        stroke=_ACCENT,
                        kind="mean" if src.counted else "left-out",
                    )
                )
            mean = _f(src.mean, 2)
            note = (
                w["raters_n"].format(n=src.raters)
                if src.counted or not src.raters
                else w["left_out"].format(n=src.raters, min=src.min_raters)
            )
            body.append(_value(y + 18, f"{mean} · {note}"))
            rows.append((name, source, mean, str(src.raters)))
            y += row_h
    ticks = sorted({(c.scale.low, c.scale.high) for c in scheme.criteria})
    if len(ticks) == 1:
        lo, hi = ticks[0]
        scale = _svg.Scale(start=lo, end=hi, left=_PLOT_LEFT, right=_PLOT_RIGHT)
        body.extend(
            _svg.text(scale(t), y + 12, str(t), anchor="middle", size=10)
            for t in range(math.ceil(lo), math.floor(hi) + 1)
        )
    if not rows:
        body.append(_svg.text(_LABEL_LEFT, y + 18, w["empty"]))
        y += row_h
    return _finish(
        title=w["qualitative_title"],
        alt=w["qualitative_alt"],
        height=y + 20,
        body=body,
        headers=(w["criterion"], w["source"], w["mean"], w["raters"]),
        rows=rows,
        lang=lang,
    )
