"""Contact-centre indicators computed from raw CRM data.

Load service data into columnar tables (:class:`Tickets`, :class:`Surveys`,
:class:`Trainings`, :class:`Projects`) from arrays, records or CSV, then compute
indicators per manager, team or agent.  Each indicator returns a
:class:`MetricResult` with the value, unit and sample size per group and the
definition used; :func:`actuals_from_metrics` aligns results to the subjects
being scored and converts them into each KPI's unit (shares to percent,
seconds to minutes).

Example:
    >>> import numpy as np
    >>> from perfmgmt.metrics import Tickets, csat
    >>> t = Tickets.from_arrays(
    ...     manager=["li", "li", "wang"],
    ...     created=np.array(["2024-01-02T09:00"] * 3, dtype="datetime64[s]"),
    ...     csat=[5, 3, 4],
    ... )
    >>> csat(t).to_dict()
    {'li': 0.5, 'wang': 1.0}
"""

from __future__ import annotations

from perfmgmt.metrics.actuals import Actuals, actuals_from_metrics
from perfmgmt.metrics.calendar import BusinessCalendar, business_calendar
from perfmgmt.metrics.indicators import (
    Period,
    abandonment_rate,
    average_handle_time,
    cost_per_contact,
    cost_saving_rate,
    csat,
    enps,
    first_contact_resolution,
    first_response_time,
    innovation_projects,
    morale_index,
    nps,
    service_level,
    training_hours_per_member,
)
from perfmgmt.metrics.reading import read_text
from perfmgmt.metrics.result import MetricResult
from perfmgmt.metrics.tickets import (
    Column,
    DroppedRow,
    DropReport,
    Projects,
    Surveys,
    Table,
    Tickets,
    Trainings,
)
from perfmgmt.metrics.units import Unit, convert, parse_unit

__all__ = [
    "Actuals",
    "BusinessCalendar",
    "Column",
    "DropReport",
    "DroppedRow",
    "MetricResult",
    "Period",
    "Projects",
    "Surveys",
    "Table",
    "Tickets",
    "Trainings",
    "Unit",
    "abandonment_rate",
    "actuals_from_metrics",
    "average_handle_time",
    "business_calendar",
    "convert",
    "cost_per_contact",
    "cost_saving_rate",
    "csat",
    "enps",
    "first_contact_resolution",
    "first_response_time",
    "innovation_projects",
    "morale_index",
    "nps",
    "parse_unit",
    "read_text",
    "service_level",
    "training_hours_per_member",
]
