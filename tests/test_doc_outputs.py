"""The docs' Output blocks: found under their code block, compared with what it prints."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from _doc_outputs import (
    blocks_printing_without_output,
    expected_output,
    fences,
    output_difference,
    printed_by_blocks,
    with_outputs,
)

ROOT = Path(__file__).resolve().parents[1]
FENCE = "```"


def page(text: str) -> str:
    """Return a Markdown page written with ~~~ for fences (so it can sit in this file)."""
    return textwrap.dedent(text).lstrip("\n").replace("~~~", FENCE)


TWO_BLOCKS = page(
    """
    # Page

    ~~~python
    x = 1
    print("first", x)
    ~~~

    ~~~text title="Output"
    first 1
    ~~~

    ~~~{.python continuation}
    print("second", x + 1)
    ~~~

    ~~~text title="Output"
    second 2
    ~~~
    """
)


class TestFences:
    def test_plain_and_brace_info_give_the_language(self) -> None:
        """Both ```python and ```{.python continuation} are Python blocks the plugin runs."""
        blocks = fences(TWO_BLOCKS)
        assert [b.lang for b in blocks] == ["python", "text", "python", "text"]
        assert [b.is_python_test for b in blocks] == [True, False, True, False]
        assert [b.is_output for b in blocks] == [False, True, False, True]
        assert [b.options for b in blocks][::2] == [frozenset(), {"continuation"}]

    def test_first_line_is_the_plugins_start_line(self) -> None:
        """A block's first line is the 0-based line of its first content line."""
        lines = TWO_BLOCKS.splitlines()
        for block in fences(TWO_BLOCKS):
            assert lines[block.first_line] == block.content.splitlines()[0]

    def test_output_is_found_under_its_block(self) -> None:
        """Each block's Output is the one directly under it, not a later one."""
        first, _, second, _ = fences(TWO_BLOCKS)
        assert expected_output(TWO_BLOCKS, first.first_line) == "first 1\n"
        assert expected_output(TWO_BLOCKS, second.first_line) == "second 2\n"

    def test_text_between_means_no_output(self) -> None:
        """An Output block after a paragraph belongs to no block: it is not checked."""
        text = page(
            """
            ~~~python
            print(1)
            ~~~

            Some prose.

            ~~~text title="Output"
            1
            ~~~
            """
        )
        (block, _) = fences(text)
        assert expected_output(text, block.first_line) is None
        assert blocks_printing_without_output(text) == [block.first_line]

    def test_an_untitled_text_block_is_not_an_output(self) -> None:
        """Only ```text title="Output"``` marks an output; a plain text block stays prose."""
        text = page(
            """
            ~~~python
            print(1)
            ~~~

            ~~~text
            1
            ~~~
            """
        )
        (block, _) = fences(text)
        assert expected_output(text, block.first_line) is None


class TestOutputDifference:
    def test_equal_texts_agree(self) -> None:
        """Trailing blanks on lines and trailing blank lines are not differences."""
        assert output_difference("a\nb\n", "a  \nb\n\n\n") is None

    def test_leading_and_inner_whitespace_count(self) -> None:
        """Indentation and inner spacing are compared exactly."""
        assert output_difference("a b\n", "a  b\n") is not None
        assert output_difference("a\n", " a\n") is not None

    def test_a_difference_is_a_unified_diff(self) -> None:
        """The diff names the shown and the printed text and marks the changed line."""
        diff = output_difference("same\nold\n", "same\nnew\n")
        assert diff is not None
        lines = diff.splitlines()
        assert lines[:2] == ["--- shown Output", "+++ printed"]
        assert "-old" in lines
        assert "+new" in lines
        assert " same" in lines


@pytest.fixture
def docs_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Return a function that runs pytest --markdown-docs on one page and returns the result."""
    # A separate process: numpy, which the hypothesis plugin's perfmgmt hook imports, cannot
    # be imported twice in one process, as an in-process run would.
    monkeypatch.setenv("PYTHONPATH", f"{ROOT / 'tests'}:{ROOT / 'src'}")

    def run(text: str) -> pytest.RunResult:
        pytester.makefile(".md", doc=text)
        return pytester.runpytest_subprocess(
            "--markdown-docs",
            "--markdown-docs-syntax=superfences",
            "-p",
            "_doc_outputs",
            "-p",
            "no:cacheprovider",
            "-q",
        )

    return run


class TestRunner:
    def test_matching_outputs_pass(self, docs_run) -> None:
        """A chain whose Output blocks show what each block prints passes."""
        docs_run(TWO_BLOCKS).assert_outcomes(passed=2)

    def test_a_stale_output_fails_with_a_diff(self, docs_run) -> None:
        """A shown output that no longer matches fails, with the diff in the report."""
        result = docs_run(TWO_BLOCKS.replace("second 2", "second 3"))
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["*differs from the Output block*", "-second 3", "+second 2"])

    def test_earlier_blocks_output_is_not_expected_again(self, docs_run) -> None:
        """A continuation's Output shows only its own printing, not the chain's."""
        text = TWO_BLOCKS.replace("second 2", "first 1\nsecond 2")
        docs_run(text).assert_outcomes(passed=1, failed=1)

    def test_an_output_block_is_not_run(self, docs_run) -> None:
        """The Output block is text: only the two Python blocks are tests."""
        docs_run(TWO_BLOCKS.replace("first 1", "this is not python (")).assert_outcomes(
            passed=1, failed=1
        )

    def test_blocks_without_output_run_as_before(self, docs_run) -> None:
        """A block with no Output block may print anything; failures still fail."""
        text = page(
            """
            ~~~python
            print("anything")
            ~~~

            ~~~python
            raise ValueError("boom")
            ~~~
            """
        )
        result = docs_run(text)
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["*ValueError: boom*"])

    def test_an_error_in_a_checked_block_is_reported_as_such(self, docs_run) -> None:
        """A checked block that raises fails with its exception, not an output diff."""
        text = TWO_BLOCKS.replace('print("second", x + 1)', "1 / 0")
        result = docs_run(text)
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["*ZeroDivisionError*"])


class TestRewrite:
    def test_outputs_are_added_rewritten_and_removed(self) -> None:
        """Rewriting adds a missing Output, refreshes a stale one and drops an empty one."""
        text = page(
            """
            ~~~python
            print("new")
            ~~~

            ~~~{.python continuation}
            print("fresh")
            ~~~

            ~~~text title="Output"
            stale
            ~~~

            ~~~{.python continuation}
            quiet = True
            ~~~

            ~~~text title="Output"
            left over
            ~~~

            The end.
            """
        )
        rewritten = with_outputs(text, printed_by_blocks(text, "page.md"))
        assert rewritten == page(
            """
            ~~~python
            print("new")
            ~~~

            ~~~text title="Output"
            new
            ~~~

            ~~~{.python continuation}
            print("fresh")
            ~~~

            ~~~text title="Output"
            fresh
            ~~~

            ~~~{.python continuation}
            quiet = True
            ~~~


            The end.
            """
        )
        assert with_outputs(rewritten, printed_by_blocks(rewritten, "page.md")) == rewritten

    def test_a_block_without_continuation_starts_afresh(self) -> None:
        """Names from an earlier chain are not visible to a block that starts a new one."""
        text = page(
            """
            ~~~python
            x = 1
            ~~~

            ~~~python
            print("x" in globals())
            ~~~
            """
        )
        assert list(printed_by_blocks(text, "page.md").values()) == ["", "False\n"]


PAGES = sorted(
    ["README.md", *(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))]
)


class TestEveryPage:
    def test_the_pages_include_the_quickstarts_and_tutorials(self) -> None:
        """The page list is found on disk; it cannot silently come out empty."""
        shown = {"README.md", "docs/pypi.md", "docs/index.md", "docs/how-to/fairness.md"}
        assert shown <= set(PAGES)

    @pytest.mark.parametrize("name", PAGES)
    def test_every_printing_block_shows_its_output(self, name: str) -> None:
        """Each docs block that prints is followed by the Output block it prints."""
        assert blocks_printing_without_output((ROOT / name).read_text("utf-8")) == []
