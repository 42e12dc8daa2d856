"""Check the output shown under a Markdown code block against what the block prints.

The docs run every ``python`` block as a test (pytest-markdown-docs). A page shows what a
block prints in a fenced block that follows it directly, with the title "Output"::

    ```python
    print(1 + 1)
    ```

    ```text title="Output"
    2
    ```

The runner below replaces the plugin's default runner. For a block followed by an Output block
it runs the earlier blocks of a ``continuation`` chain first, with their printing discarded
(their own items check it), then runs the block itself with its standard output captured, and
fails with a diff unless the two texts are equal. Trailing whitespace on each line and trailing
blank lines are ignored; everything else must match exactly, so a shown output cannot go
stale. Blocks without an Output block run exactly as before.

The runner is registered through the plugin's runner registry (``register_runner``), the
extension point the ``runner:NAME`` fence option selects from; that registry lives in the
plugin's ``_runners`` module, so a plugin upgrade that moves it fails here, at import.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from pytest_markdown_docs._runners import DefaultRunner, register_runner
from pytest_markdown_docs.definitions import FenceTestDefinition

#: The info string of an Output block (Material for MkDocs shows the title above the block).
OUTPUT_INFO = 'text title="Output"'

_PYTHON_LANGS = frozenset({"py", "python", "python3"})
_PRINTS = re.compile(r"(?<![\w.])print\(")


@dataclasses.dataclass(frozen=True)
class Fence:
    """One fenced block of a Markdown page."""

    token_index: int
    #: 0-based line of the block's first content line (the plugin's ``start_line``).
    first_line: int
    #: 0-based line just after the block's closing fence.
    stop_line: int
    info: str
    content: str

    @property
    def lang(self) -> str:
        """Return the block's language, from plain (``python``) or brace (``{.python}``) info."""
        info = self.info.strip()
        if info.startswith("{"):
            words = info.strip("{}").split()
            return next((w[1:] for w in words if w.startswith(".")), "")
        return info.split()[0] if info else ""

    @property
    def options(self) -> frozenset[str]:
        """Return the info words after the language (``continuation``, ``notest``, ...)."""
        words = self.info.strip().strip("{}").split()
        return frozenset(words) - {self.lang, f".{self.lang}"}

    @property
    def is_python_test(self) -> bool:
        """Return whether the plugin runs this block as a test."""
        return self.lang in _PYTHON_LANGS and "notest" not in self.options

    @property
    def is_output(self) -> bool:
        """Return whether this block shows the output of the block before it."""
        return self.info.strip() == OUTPUT_INFO


def fences(markdown: str) -> list[Fence]:
    """Return the fenced blocks of a page, parsed as the plugin parses it (CommonMark)."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        Fence(
            token_index=i,
            first_line=token.map[0] + 1,
            stop_line=token.map[1],
            info=token.info,
            content=token.content,
        )
        for i, token in enumerate(tokens)
        if token.type == "fence" and token.map
    ]


def _output_after(blocks: list[Fence], index: int) -> str | None:
    """Return the content of the Output block directly after ``blocks[index]``, if any."""
    if index + 1 < len(blocks):
        after = blocks[index + 1]
        if after.is_output and after.token_index == blocks[index].token_index + 1:
            return after.content
    return None


def expected_output(markdown: str, first_line: int) -> str | None:
    """Return the Output shown under the block starting at ``first_line``, or None."""
    blocks = fences(markdown)
    for index, block in enumerate(blocks):
        if block.first_line == first_line:
            return _output_after(blocks, index)
    return None


def blocks_printing_without_output(markdown: str) -> list[int]:
    """Return the opening-fence lines (1-based) of tested blocks that print but show no Output."""
    blocks = fences(markdown)
    return [
        block.first_line
        for index, block in enumerate(blocks)
        if block.is_python_test
        and _PRINTS.search(block.content)
        and _output_after(blocks, index) is None
    ]


def normalised(text: str) -> str:
    """Return text without trailing whitespace on its lines or trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def output_difference(expected: str, printed: str) -> str | None:
    """Return a unified diff of the shown and the printed output, or None when they agree."""
    want, got = normalised(expected), normalised(printed)
    if want == got:
        return None
    diff = difflib.unified_diff(
        want.splitlines(), got.splitlines(), "shown Output", "printed", lineterm=""
    )
    return "\n".join(diff)


def printed_by_blocks(markdown: str, filename: str) -> dict[int, str]:
    """Run a page's tested blocks in order and return what each printed, by its first line.

    A block without ``continuation`` starts a fresh namespace, as the plugin's chains do.
    """
    printed: dict[int, str] = {}
    namespace: dict[str, Any] = {}
    for block in fences(markdown):
        if not block.is_python_test:
            continue
        if "continuation" not in block.options:
            namespace = {}
        buffer = io.StringIO()
        code = compile("\n" * block.first_line + block.content, filename, "exec")
        with contextlib.redirect_stdout(buffer):
            exec(code, namespace)
        printed[block.first_line] = buffer.getvalue()
    return printed


def _output_lines(text: str) -> list[str]:
    body = normalised(text)
    return [f"```{OUTPUT_INFO}\n", *(f"{line}\n" for line in body.splitlines()), "```\n"]


def with_outputs(markdown: str, printed: dict[int, str]) -> str:
    """Return the page with an Output block under every block that printed, showing it.

    An existing Output block is rewritten (or removed when its block no longer prints); a
    block that prints and has none gets one.
    """
    lines = markdown.splitlines(keepends=True)
    blocks = fences(markdown)
    edits: list[tuple[int, int, list[str]]] = []  # (start, stop, replacement), line indices
    for index, block in enumerate(blocks):
        if block.first_line not in printed:
            continue
        text = printed[block.first_line]
        if _output_after(blocks, index) is not None:
            shown = blocks[index + 1]
            new = _output_lines(text) if text.strip() else []
            edits.append((shown.first_line - 1, shown.stop_line, new))
        elif text.strip():
            edits.append((block.stop_line, block.stop_line, ["\n", *_output_lines(text)]))
    for start, stop, replacement in sorted(edits, reverse=True):
        lines[start:stop] = replacement
    return "".join(lines)


@register_runner(default=True)
class OutputCheckingRunner(DefaultRunner):
    """Run a block; when an Output block follows it, compare what it prints with that block."""

    def runtest(
        self,
        test: FenceTestDefinition,
        args: dict[str, Any],
        *,
        asyncio_runner: Any = None,
    ) -> None:
        """Run the block, and check its printed output against the Output block under it."""
        path = Path(test.source_path)
        expected = None
        if path.suffix == ".md":
            expected = expected_output(path.read_text("utf-8"), test.start_line)
        if expected is None:
            super().runtest(test, args, asyncio_runner=asyncio_runner)
            return
        # The source is the chain of continuation blocks padded with blank lines so that line
        # numbers match the page; this block starts at line index start_line.
        lines = test.source.splitlines(keepends=True)
        earlier = "".join(lines[: test.start_line])
        this = "\n" * test.start_line + "".join(lines[test.start_line :])
        with contextlib.redirect_stdout(io.StringIO()):
            super().runtest(
                dataclasses.replace(test, source=earlier), args, asyncio_runner=asyncio_runner
            )
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            super().runtest(
                dataclasses.replace(test, source=this), args, asyncio_runner=asyncio_runner
            )
        difference = output_difference(expected, printed.getvalue())
        if difference is not None:
            message = (
                f"{path.name}, block at line {test.start_line}: what it prints differs from "
                f"the Output block under it (python tests/_doc_outputs.py PAGE rewrites a page's "
                f"Output blocks from what its blocks print)\n{difference}"
            )
            raise AssertionError(message)


if __name__ == "__main__":
    # Rewrite the Output blocks of the pages named on the command line from what their blocks
    # print now: python tests/_doc_outputs.py docs/tutorial/notebook.md
    import sys

    for name in sys.argv[1:]:
        page = Path(name)
        markdown = page.read_text("utf-8")
        page.write_text(with_outputs(markdown, printed_by_blocks(markdown, name)), "utf-8")
