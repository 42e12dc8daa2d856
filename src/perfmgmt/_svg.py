"""A small SVG writer: escaped text and attributes, rounded coordinates, a titled document.

The chart module draws with these primitives only, so every piece of text that reaches an SVG
(labels, names, units) is escaped in one place, and every coordinate is written the same way
(two decimals at most, no exponent). The output is plain SVG 1.1: no script, no external
reference, no style sheet, so it shows the same inline in HTML, in a notebook and on paper.
"""

from __future__ import annotations

import html
import math
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

import attrs

from perfmgmt.errors import ValidationError

__all__ = [
    "Scale",
    "check",
    "circle",
    "document",
    "fit",
    "line",
    "num",
    "rect",
    "text",
    "text_width",
]

FONT = (
    'system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",'
    "sans-serif"
)
"""The font list of every chart: Latin and CJK faces, so Chinese labels render."""


def num(value: float) -> str:
    """Return a coordinate with at most two decimals and no trailing zeros (``12.5``, ``3``)."""
    if not math.isfinite(value):
        raise ValidationError(
            f"svg: coordinate {value!r} is not allowed; expected a finite number",
            field="coordinate",
            value=value,
        )
    out = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _attrs(values: Mapping[str, str | float | None]) -> str:
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        shown = num(value) if isinstance(value, (int, float)) else value
        parts.append(f' {key}="{html.escape(shown, quote=True)}"')
    return "".join(parts)


def _titled(tag: str, values: Mapping[str, str | float | None], title: str | None) -> str:
    if title is None:
        return f"<{tag}{_attrs(values)}/>"
    return f"<{tag}{_attrs(values)}><title>{html.escape(title, quote=True)}</title></{tag}>"


def rect(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str,
    stroke: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    dash: str | None = None,
) -> str:
    """Return a rectangle; ``kind`` becomes its ``class``, ``title`` its tooltip."""
    values: dict[str, str | float | None] = {
        "class": kind,
        "x": x,
        "y": y,
        "width": max(width, 0.0),
        "height": max(height, 0.0),
        "fill": fill,
        "stroke": stroke,
        "stroke-width": 1.5 if stroke else None,
        "stroke-dasharray": dash,
    }
    return _titled("rect", values, title)


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str = "#1f2937",
    width: float = 1.0,
    kind: str | None = None,
    dash: str | None = None,
    title: str | None = None,
) -> str:
    """Return a line segment; ``kind`` becomes its ``class``."""
    values: dict[str, str | float | None] = {
        "class": kind,
        "x1": x1,
        "y1": y1,
        "x2": x2,
        "y2": y2,
        "stroke": stroke,
        "stroke-width": width,
        "stroke-dasharray": dash,
    }
    return _titled("line", values, title)


def circle(
    cx: float,
    cy: float,
    r: float,
    *,
    fill: str,
    stroke: str | None = None,
    kind: str | None = None,
    title: str | None = None,
) -> str:
    """Return a circle; ``kind`` becomes its ``class``, ``title`` its tooltip."""
    values: dict[str, str | float | None] = {
        "class": kind,
        "cx": cx,
        "cy": cy,
        "r": r,
        "fill": fill,
        "stroke": stroke,
    }
    return _titled("circle", values, title)


def text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: float = 12,
    bold: bool = False,
    fill: str = "#1f2937",
    kind: str | None = None,
) -> str:
    """Return an escaped text label whose baseline starts (or ends, or centres) at ``x, y``."""
    values: dict[str, str | float | None] = {
        "class": kind,
        "x": x,
        "y": y,
        "font-size": size,
        "font-weight": "bold" if bold else None,
        "text-anchor": None if anchor == "start" else anchor,
        "fill": fill,
    }
    return f"<text{_attrs(values)}>{html.escape(content, quote=True)}</text>"


def text_width(content: str, size: float = 12) -> float:
    """Return the rough width of ``content`` in pixels: wide (CJK) characters count double."""
    units = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in content)
    return units * size * 0.55


def fit(content: str, width: float, size: float = 12) -> str:
    """Return ``content`` cut with an ellipsis so that it fits ``width`` pixels at ``size``."""
    if text_width(content, size) <= width:
        return content
    out = ""
    for c in content:
        if text_width(out + c + "…", size) > width:
            break
        out += c
    return out + "…"


def document(*, width: float, height: float, title: str, desc: str, body: Sequence[str]) -> str:
    """Return a standalone ``<svg>`` element with an accessible title and description.

    The ``viewBox`` is ``0 0 width height``; the title is the image's accessible name, the
    description its long text (screen readers and printouts without colour read these).
    """
    head = _attrs(
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "width": width,
            "height": height,
            "role": "img",
            "aria-label": title,
            "font-family": FONT,
        }
    )
    return (
        f"<svg{head}><title>{html.escape(title, quote=True)}</title>"
        f"<desc>{html.escape(desc, quote=True)}</desc>"
        f'<rect x="0" y="0" width="{num(width)}" height="{num(height)}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


_NS = "{http://www.w3.org/2000/svg}"
_TAGS = frozenset(("svg", "title", "desc", "rect", "line", "circle", "text", "g"))
_ATTRIBUTES = frozenset(
    (
        "viewBox", "width", "height", "role", "aria-label", "font-family", "font-size",
        "font-weight", "text-anchor", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
        "r", "fill", "stroke", "stroke-width", "stroke-dasharray",
    )
)  # fmt: skip


def check(svg: str) -> str | None:
    """Return what is wrong with ``svg`` as chart output, or None when it is safe to inline.

    Safe means: one well-formed ``<svg>`` element in the SVG namespace, made only of the
    elements and attributes this writer produces — so no script, no event handler, no link,
    no style sheet and no entity can come in with a chart built by hand.
    """
    if "<!" in svg or "<?" in svg:
        return "declarations, entities and processing instructions are not allowed"
    try:
        root = ET.fromstring(svg)  # noqa: S314 - no DTD or entity can reach the parser (above)
    except ET.ParseError as exc:
        return f"not well-formed XML ({exc})"
    if root.tag != _NS + "svg":
        return "the root must be an <svg> element in the SVG namespace"
    for element in root.iter():
        tag = element.tag.removeprefix(_NS)
        if tag not in _TAGS or element.tag == tag:
            return f"element {element.tag!r} is not allowed"
        bad = sorted(set(element.attrib) - _ATTRIBUTES)
        if bad:
            return f"attribute {bad[0]!r} of <{tag}> is not allowed"
    return None


@attrs.frozen(kw_only=True)
class Scale:
    """A linear map from data values to pixels; ``start`` maps to ``left``, ``end`` to ``right``.

    Give ``start > end`` for an axis on which smaller is better (drawn on the right).
    """

    start: float
    end: float
    left: float
    right: float

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)) or self.start == self.end:
            raise ValidationError(
                f"svg scale: start {self.start!r} and end {self.end!r} must be finite and differ",
                field="start",
                value=self.start,
            )

    def __call__(self, value: float) -> float:
        """Return the pixel position of ``value``."""
        return self.left + (value - self.start) * (self.right - self.left) / (self.end - self.start)

    def clamp(self, value: float) -> float:
        """Return the pixel position of ``value``, held inside the axis."""
        lo, hi = min(self.left, self.right), max(self.left, self.right)
        return min(max(self(value), lo), hi)
