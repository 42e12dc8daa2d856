"""A seeded generator of a realistic customer-service organisation, for demos and tests.

:func:`generate_organisation` draws a service department — managers with teams of agents,
tickets with response, handle and wait times, customer repeat contacts, ratings and costs,
pulse surveys, trainings, innovation projects and qualitative assessments — from plausible
distributions, all vectorised with numpy.  The same seed gives bit-identical data.

Each manager has a hidden "quality" drawn once, and a form that drifts around it from quarter
to quarter over the two years of reviews; it moves every indicator of their team in the same
direction (with noise), so the scores show a realistic spread, people improve and slip, and the
indicators correlate the way they do in a real contact centre.  In an organisation of 20
managers or more, one team in twenty changes manager during the first year.  A few bad rows
are planted on purpose (ratings off the scale, timestamps out of order, negative durations):
load the tables with ``strict=False`` to see them dropped and reported.

The package holds the organisation generator (``_organisation``, with the per-table draws in
``_draws``) and the run as named steps (``_run``: measure and score each cycle with
``_population``, walk each review through the workflow with ``_walk``, write the tables with
``_write``, and the front page ``index.html`` with ``_site``).  Import from here.

Example:
    >>> from perfmgmt.demo import generate_organisation
    >>> org = generate_organisation(seed=7, managers=4, agents=40, tickets=2_000)
    >>> len(org.subjects), len(org.tickets["created"]) >= 2000
    (4, True)
"""

from __future__ import annotations

from perfmgmt.demo._organisation import ASSESSMENT_COLUMNS, DemoOrganisation, generate_organisation
from perfmgmt.demo._population import (
    LoadedTables,
    cycle_population,
    kpi_actuals,
    load_tables,
    qualitative_ratings,
)
from perfmgmt.demo._review import OPINION_QUESTIONS, draw_opinions, read_opinions, scheme_review
from perfmgmt.demo._run import DEMO_STEPS, DemoRun, run_demo

__all__ = [
    "ASSESSMENT_COLUMNS",
    "DEMO_STEPS",
    "OPINION_QUESTIONS",
    "DemoOrganisation",
    "DemoRun",
    "LoadedTables",
    "cycle_population",
    "draw_opinions",
    "generate_organisation",
    "kpi_actuals",
    "load_tables",
    "qualitative_ratings",
    "read_opinions",
    "run_demo",
    "scheme_review",
]
