"""Charts of the scheme review: rating shares and KPI distributions by cycle, opinion scores."""

from __future__ import annotations

import math
from collections.abc import Sequence

from perfmgmt import _svg
from perfmgmt._words import review_words
from perfmgmt.charts._chart import (
    _ACCENT,
    _INK,
    _MUTED,
    _PLOT_LEFT,
    _PLOT_RIGHT,
    _STACK,
    Chart,
    Lang,
    _f,
    _finish,
    _label,
    _legend,
    _pct,
    _value,
)
from perfmgmt.errors import ValidationError

__all__ = ["kpi_trend", "opinion_scores", "rating_trend"]


def _check_count(where: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            f"{where}: {value!r} is not allowed; expected a whole number >= 0",
            field="count",
            value=value,
        )
    return value


def rating_trend(
    cycles: Sequence[tuple[str, Sequence[tuple[str, int]]]], *, lang: Lang = "en"
) -> Chart:
    """Draw each cycle's rating shares as one stacked bar, best rating first.

    Args:
        cycles: ``(cycle, ((label, count), ...))`` per cycle, oldest first; the labels in the
            same order for every cycle (e.g. :attr:`perfmgmt.analytics.CycleSummary.ratings`).
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language or a count that is not a whole number >= 0.
    """
    w = review_words(lang)
    labels = list(dict.fromkeys(label for _, counts in cycles for label, _ in counts))
    colour = {label: _STACK[i % len(_STACK)] for i, label in enumerate(labels)}
    scale = _svg.Scale(start=0.0, end=1.0, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    row_h, top = 30.0, 8.0
    body: list[str] = []
    rows: list[tuple[str, ...]] = []
    for i, (cycle, counts) in enumerate(cycles):
        y = top + i * row_h
        total = sum(_check_count(f"rating_trend: {cycle} count", c) for _, c in counts)
        body.append(_label(y + 17, cycle, bold=True))
        x = _PLOT_LEFT
        shown = []
        for label, count in counts:
            share = count / total if total else 0.0
            width = scale(share) - _PLOT_LEFT
            if width > 0:
                tip = f"{cycle} {label}: {count} ({_pct(share)})"
                body.append(
                    _svg.rect(x, y + 4, width, 18, fill=colour[label], kind="share", title=tip)
                )
                if width >= 22:
                    body.append(
                        _svg.text(
                            x + width / 2, y + 17, label, anchor="middle", size=11, fill="#ffffff"
                        )
                    )
            x += width
            shown.append(f"{label} {_pct(share)}")
            rows.append((cycle, label, str(count), _pct(share)))
        body.append(_value(y + 17, " · ".join(shown) if total else w["none"]))
    y = top + max(len(cycles), 1) * row_h + 12
    body += _legend(y, [(colour[label], label) for label in labels])
    return _finish(
        title=w["trend_title"],
        alt=w["trend_alt"],
        height=y + 10,
        body=body,
        headers=(w["cycle"], w["rating"], w["count"], w["share"]),
        rows=rows,
        lang=lang,
    )


_Quartiles = tuple[str, str, float | None, float | None, float | None, float | None]


def kpi_trend(boxes: Sequence[_Quartiles], *, lang: Lang = "en") -> Chart:
    """Draw each KPI's middle half of scores per cycle: Q1-Q3 bar, median tick, mean dot.

    Args:
        boxes: ``(kpi name, cycle, q1, median, q3, mean)`` per row, in the order to draw;
            None where nobody was scored (the row shows "-").
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language or a figure that is not finite.
    """
    w = review_words(lang)
    values = [v for b in boxes for v in b[2:] if v is not None]
    for v in values:
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            raise ValidationError(
                f"kpi_trend: {v!r} is not allowed; expected a finite number or None",
                field="boxes",
                value=v,
            )
    hi = max([100.0, *values])
    lo = min([0.0, *values])
    scale = _svg.Scale(start=lo, end=hi, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    row_h, top = 22.0, 20.0
    body: list[str] = []
    for tick in (lo, 100.0, hi) if hi > 100 else (lo, hi):
        x = scale(tick)
        body.append(_svg.line(x, top - 4, x, top + len(boxes) * row_h, stroke="#e5e7eb"))
        body.append(_svg.text(x, top - 8, _f(tick, 0), anchor="middle", size=10, fill=_MUTED))
    rows: list[tuple[str, ...]] = []
    previous = None
    for i, (name, cycle, q1, median, q3, mean) in enumerate(boxes):
        y = top + i * row_h
        body.append(_label(y + 15, f"{name} · {cycle}" if name != previous else f"  · {cycle}"))
        previous = name
        if q1 is not None and q3 is not None and median is not None:
            body.append(
                _svg.rect(
                    scale(q1),
                    y + 5,
                    max(scale(q3) - scale(q1), 1.0),
                    12,
                    fill="#c5cae9",
                    stroke=_ACCENT,
                    kind="quartiles",
                    title=f"{name} {cycle}: {_f(q1)}-{_f(q3)}",
                )
            )
            xm = scale(median)
            body.append(_svg.line(xm, y + 3, xm, y + 19, width=3, kind="median", title=_f(median)))
        if mean is not None:
            body.append(
                _svg.circle(scale(mean), y + 11, 3.5, fill=_INK, kind="mean", title=_f(mean))
            )
        body.append(_value(y + 15, f"{_f(q1)} / {_f(median)} / {_f(q3)} · {w['mean']} {_f(mean)}"))
        rows.append((name, cycle, _f(q1), _f(median), _f(q3), _f(mean)))
    y = top + max(len(boxes), 1) * row_h + 12
    body += _legend(y, (("#c5cae9", f"{w['q1']} - {w['q3']}"), (_INK, w["mean"])))
    return _finish(
        title=w["kpi_title"],
        alt=w["kpi_alt"],
        height=y + 10,
        body=body,
        headers=(w["kpi"], w["cycle"], w["q1"], w["median"], w["q3"], w["mean"]),
        rows=rows,
        lang=lang,
    )


def opinion_scores(
    scores: Sequence[tuple[str, float | None, int | None]], *, lang: Lang = "en"
) -> Chart:
    """Draw mean opinion scores on the 1-5 scale, one bar per group and question.

    Args:
        scores: ``(label, mean, answers)`` per bar, e.g. ``"managers · fair"``; a mean of None
            is a suppressed group, drawn as "not shown".
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValidationError: On an unknown language or a mean outside 1 to 5.
    """
    w = review_words(lang)
    scale = _svg.Scale(start=1.0, end=5.0, left=_PLOT_LEFT, right=_PLOT_RIGHT)
    row_h, top = 22.0, 20.0
    body: list[str] = []
    for tick in (1, 2, 3, 4, 5):
        x = scale(tick)
        body.append(_svg.line(x, top - 4, x, top + len(scores) * row_h, stroke="#e5e7eb"))
        body.append(_svg.text(x, top - 8, str(tick), anchor="middle", size=10, fill=_MUTED))
    rows: list[tuple[str, ...]] = []
    for i, (label, mean, answers) in enumerate(scores):
        y = top + i * row_h
        body.append(_label(y + 15, label))
        if mean is None:
            body.append(_value(y + 15, w["not_shown"], fill=_MUTED))
            rows.append((label, w["not_shown"], w["not_shown"]))
            continue
        if not 1 <= mean <= 5:
            raise ValidationError(
                f"opinion_scores: mean {mean!r} of {label!r} is not allowed; expected 1 to 5",
                field="scores",
                value=mean,
            )
        body.append(
            _svg.rect(
                _PLOT_LEFT,
                y + 5,
                max(scale(mean) - _PLOT_LEFT, 1.0),
                12,
                fill=_ACCENT,
                kind="opinion",
                title=f"{label}: {mean:.2f}",
            )
        )
        body.append(_value(y + 15, f"{mean:.2f} (n {answers})"))
        rows.append((label, f"{mean:.2f}", str(answers)))
    return _finish(
        title=w["opinion_title"],
        alt=w["opinion_alt"],
        height=top + max(len(scores), 1) * row_h + 8,
        body=body,
        headers=(w["question"], w["mean"], w["answers"]),
        rows=rows,
        lang=lang,
    )
