"""Written reports for one review and for a team, in Markdown or standalone HTML, en or zh.

A report is a list of plain blocks (headings, paragraphs, tables, bullet lists) built by small
section callables, each taking a context and returning blocks; the renderers turn blocks into
Markdown or HTML and escape every piece of text on the way, so no user-supplied text (names,
comments, notes, reasons) can inject markup::

    report = review_report(review, scheme, card=card, decisions=decisions, lang="zh")
    html_text = to_html(report)
    md_text = to_markdown(report)

Pass your own ``sections`` to reorder, drop or add sections (structlog-processor style).
Every report is made for an ``audience`` (the employee by default): its inputs are redacted
first (:func:`perfmgmt.workflow.redact`), so sections render only what that audience may see.
"""

from __future__ import annotations

from perfmgmt.report._document import (
    Block,
    Bullets,
    Figure,
    Heading,
    Paragraph,
    Report,
    Table,
    to_html,
    to_markdown,
)
from perfmgmt.report._review import (
    REVIEW_SECTIONS,
    ReviewContext,
    Section,
    chart_section,
    computation_section,
    decisions_section,
    development_section,
    history_section,
    hr_achievement,
    interview_section,
    kpi_section,
    qualitative_section,
    review_report,
    summary_section,
)
from perfmgmt.report._team import (
    TEAM_SECTIONS,
    TeamContext,
    TeamSection,
    calibration_section,
    distribution_section,
    kpi_summary_section,
    pending_section,
    people_section,
    team_chart_section,
    team_report,
)

__all__ = [
    "REVIEW_SECTIONS",
    "TEAM_SECTIONS",
    "Block",
    "Bullets",
    "Figure",
    "Heading",
    "Paragraph",
    "Report",
    "ReviewContext",
    "Section",
    "Table",
    "TeamContext",
    "TeamSection",
    "calibration_section",
    "chart_section",
    "computation_section",
    "decisions_section",
    "development_section",
    "distribution_section",
    "history_section",
    "hr_achievement",
    "interview_section",
    "kpi_section",
    "kpi_summary_section",
    "pending_section",
    "people_section",
    "qualitative_section",
    "review_report",
    "summary_section",
    "team_chart_section",
    "team_report",
    "to_html",
    "to_markdown",
]
