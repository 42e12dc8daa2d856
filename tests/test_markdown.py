"""The Markdown escaper: user text becomes one line of inert Markdown showing the same text."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _markdown_payloads import PAYLOADS
from perfmgmt._markdown import md_escape, md_table_row

_SPECIAL = set("\\`*_~[]!|#")
_LINE_START_MARKERS = re.compile(r"\A(?:[-+=]|[0-9]{1,9}[.)](?:[ \t]|\Z))")


def displayed(text: str) -> str:
    """Return the text a Markdown renderer shows for one escaped line (our reference)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def normalised(text: str) -> str:
    """Return user text as the escaper promises to show it: one line, no leading blanks."""
    return " ".join(text.splitlines()).lstrip()


def assert_inert(escaped: str, *, line_start: bool = True) -> None:
    """Assert every Markdown-active character in ``escaped`` is escaped or an entity."""
    assert "\n" not in escaped
    assert "\r" not in escaped
    assert escaped == escaped.lstrip()
    assert "<" not in escaped
    assert ">" not in escaped
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", escaped)
    i = 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\":
            assert i + 1 < len(escaped), "a lone trailing backslash"
            i += 2
            continue
        assert ch not in _SPECIAL, f"unescaped {ch!r} at {i} in {escaped!r}"
        i += 1
    if line_start:
        assert not _LINE_START_MARKERS.match(escaped), escaped


_hostile_text = st.text(
    alphabet=st.sampled_from(
        [*"\\`*_~[]!|#<>&-+=.():;\"' \t\n\r0123456789axy", "\u2028", "\u0085", "绩"]
    ),
    max_size=40,
)


class TestEscape:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_payloads_are_inert_and_shown_as_typed(self, payload: str) -> None:
        """Each payload is escaped character by character and displays as the user typed it."""
        for line_start in (True, False):
            escaped = md_escape(payload, line_start=line_start)
            assert_inert(escaped, line_start=line_start)
            assert displayed(escaped) == normalised(payload)

    @given(_hostile_text)
    @settings(max_examples=500)
    def test_generated_text_is_inert_and_round_trips(self, text: str) -> None:
        """Any text built from Markdown's special characters is inert and displays unchanged."""
        escaped = md_escape(text)
        assert_inert(escaped)
        assert displayed(escaped) == normalised(text)

    def test_numbers_in_cells_stay_readable(self) -> None:
        """Table cells keep signs and decimals as they are (they cannot start a block there)."""
        assert md_table_row(["-", "+2", "80.5", "1. a"]) == "| - | +2 | 80.5 | 1. a |"

    def test_non_text_values(self) -> None:
        """Values are converted with str first."""
        assert md_escape(12.5) == "12.5"
        assert md_escape("12. x") == "12\\. x"
        assert md_escape(None) == "None"


class TestAgainstACommonMarkParser:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_no_markup_in_any_position(self, payload: str) -> None:
        """Parsed by CommonMark (with GFM tables), escaped text is plain text in every position."""
        markdown_it = pytest.importorskip("markdown_it")
        parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
        shown = normalised(payload)
        documents = {
            "paragraph": (md_escape(payload), ["paragraph_open", "inline", "paragraph_close"]),
            "heading": (f"## {md_escape(payload)}", ["heading_open", "inline", "heading_close"]),
            "bullet": (f"- {md_escape(payload)}\n- b", None),
            "cell": (f"| h | k |\n|---|---|\n{md_table_row([payload, 'z'])}", None),
        }
        for where, (doc, expected) in documents.items():
            tokens = parser.parse(doc)
            if expected is not None:
                assert [t.type for t in tokens] == expected, where
            inline = [t for t in tokens if t.type == "inline"]
            children = [c for t in inline for c in t.children or []]
            assert {c.type for c in children} <= {"text", "softbreak"}, (where, doc)
            assert shown in [t.content and displayed(t.content) for t in inline] or any(
                "".join(c.content for c in t.children or []) == shown for t in inline
            ), (where, doc)
            blocks = [t.type for t in tokens if t.type != "inline"]
            assert not {"fence", "code_block", "html_block", "hr", "blockquote_open"} & set(
                blocks
            ), (where, doc)
            if where == "bullet":
                assert blocks.count("list_item_open") == 2
            if where == "cell":
                assert blocks.count("td_open") == 2
