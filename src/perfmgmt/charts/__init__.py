"""Charts as inline SVG, drawn by the library: no JavaScript, no plotting package, escaped text.

Each function returns a :class:`Chart`: the SVG text, a title, a one-paragraph description
(the alt text) and the same numbers as a small table, so a chart reads the same in HTML, in a
Markdown report, on paper and to a screen reader. In a notebook a chart displays itself::

    from perfmgmt.charts import kpi_bullets, score_composition
    kpi_bullets(card, scheme)            # one bullet per KPI: threshold, target, stretch, actual
    score_composition(card, scheme)      # categories -> quantitative, qualitative -> total -> band

Per person: :func:`kpi_bullets`, :func:`score_composition`, :func:`qualitative_summary`.
Per team: :func:`rating_distribution` (deviations from the guideline highlighted),
:func:`score_distribution` and :func:`money_by_department`. Over cycles, for the scheme
review: :func:`rating_trend`, :func:`kpi_trend` and :func:`opinion_scores`.
:mod:`perfmgmt.report` puts them
in the written reports as :class:`perfmgmt.report.Figure` blocks.

Colours are chosen to stay apart in greyscale, and every bar carries its number as text, so a
printed report loses nothing.
"""

from __future__ import annotations

from perfmgmt.charts._chart import Chart
from perfmgmt.charts._person import kpi_bullets, qualitative_summary, score_composition
from perfmgmt.charts._review import kpi_trend, opinion_scores, rating_trend
from perfmgmt.charts._team import money_by_department, rating_distribution, score_distribution

__all__ = [
    "Chart",
    "kpi_bullets",
    "kpi_trend",
    "money_by_department",
    "opinion_scores",
    "qualitative_summary",
    "rating_distribution",
    "rating_trend",
    "score_composition",
    "score_distribution",
]
