"""Print the hostile-input figure (cases per category and class) at the end of the session."""

from __future__ import annotations

import pytest
from _hostile import figure_lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write the figure of every hostile case run in this session."""
    lines = figure_lines()
    if lines:
        terminalreporter.section("hostile inputs")
        for line in lines:
            terminalreporter.write_line(line)
