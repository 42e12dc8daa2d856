"""Markdown escaping shared by every module that writes Markdown.

Reports, the command line's tables, the calibration tables and the demo's summaries put user text
(names, labels, comments, rule descriptions, plan actions, ids) into Markdown. :func:`md_escape`
turns any such text into one line of inert Markdown: rendered by CommonMark or GitHub-flavoured
Markdown it shows the same characters and forms no link, image, heading, list, quote, rule, code
block, code span, table cell, emphasis or raw HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

__all__ = ["md_escape", "md_table_row"]

# Inline syntax, escaped wherever it stands: backslash first, so escapes are not doubled; code
# spans and fences (`), emphasis (* _), strikethrough (~), links, images and footnotes ([ ] !),
# table cells (|) and headings or their closing sequence (#). <, > and & become entities.
_INLINE = re.compile(r"([\\`*_~\[\]!|#])")
# Block syntax that only counts at the start of a line: list markers (- +, and 1. or 1) before a
# blank or the end, so "12.5" stays as it is), a thematic break or setext underline (---, ===).
# * and # are already escaped as inline syntax.
_LINE_START = re.compile(r"\A(?:([-+=])|([0-9]{1,9})([.)])(?=[ \t]|\Z))")


def md_escape(value: object, *, line_start: bool = True) -> str:
    r"""Return ``value`` as text for Markdown: one line, every markup character escaped.

    Line breaks (``\n``, ``\r``, and the other Unicode line boundaries) become spaces, so the
    text stays inside its paragraph, list item, heading or table cell; leading whitespace is
    dropped so it cannot start an indented code block.

    Args:
        value: The text (any value is converted with ``str``).
        line_start: Whether the text starts a line (a paragraph, heading or list item), where
            ``-``, ``+``, ``=`` and ``1.`` would start a block; a table cell (False) needs no
            such escapes, so ``-`` and ``+2`` stay as they are.
    """
    text = " ".join(str(value).splitlines()).lstrip()
    text = _INLINE.sub(r"\\\1", html.escape(text, quote=False))
    return _LINE_START.sub(_escape_line_start, text, count=1) if line_start else text


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def md_table_row(cells: Iterable[object]) -> str:
    """Return one Markdown table row of escaped ``cells``."""
    return "| " + " | ".join(md_escape(c, line_start=False) for c in cells) + " |"
