"""Shared by every test run: the docs' Output blocks are checked against what their code prints."""

import _doc_outputs  # noqa: F401  (registers the output-checking runner for Markdown blocks)

# tests/test_doc_outputs.py runs pytest on small Markdown pages.
pytest_plugins = ["pytester"]
