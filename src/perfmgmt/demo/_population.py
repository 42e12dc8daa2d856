"""From the organisation's raw tables to a scoring population: validate, measure, align."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt import metrics
from perfmgmt.demo._organisation import DemoOrganisation
from perfmgmt.metrics import Projects, Surveys, Tickets, Trainings
from perfmgmt.model import Cycle, Scheme
from perfmgmt.model.cycle import eligible_days
from perfmgmt.scoring import Population


@attrs.frozen(kw_only=True, eq=False)
class LoadedTables:
    """The organisation's raw tables, validated; bad rows dropped and reported.

    Attributes:
        tickets: Service tickets.
        surveys: Employee pulse surveys.
        trainings: Training records.
        projects: Innovation projects.
    """

    tickets: Tickets
    surveys: Surveys
    trainings: Trainings
    projects: Projects

    def dropped(self, lang: str = "en") -> dict[str, str]:
        """Return a one-line summary of the dropped rows per table that dropped any."""
        return {
            name: table.dropped.summary(lang)
            for name, table in (
                ("tickets", self.tickets),
                ("surveys", self.surveys),
                ("trainings", self.trainings),
                ("projects", self.projects),
            )
            if table.dropped
        }


def load_tables(org: DemoOrganisation) -> LoadedTables:
    """Validate the organisation's raw tables, dropping (and reporting) the bad rows."""
    return LoadedTables(
        tickets=org.tickets_table(strict=False),
        surveys=org.surveys_table(strict=False),
        trainings=org.trainings_table(strict=False),
        projects=org.projects_table(strict=False),
    )


def _period(cycle: Cycle) -> tuple[dt.date, dt.date]:
    return (cycle.start, cycle.end + dt.timedelta(days=1))


def kpi_actuals(
    org: DemoOrganisation,
    tables: LoadedTables,
    cycle: Cycle,
    previous: Cycle,
    scheme: Scheme | None = None,
) -> dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]]:
    """Compute the preset's seven KPIs per manager for one cycle, in the preset's units.

    The metrics give shares, seconds and counts; :func:`perfmgmt.metrics.actuals_from_metrics`
    converts them into the units the KPIs declare: CSAT, first-contact resolution and cost
    saving in percent, the average response time in minutes; team morale is the 0-100 pulse
    index, training hours per team member, innovation the number of projects delivered (0 when
    a manager delivered none).

    Args:
        org: The organisation (for subject ids and headcounts).
        tables: Its validated tables.
        cycle: The cycle to measure.
        previous: The cycle before, the baseline of the cost saving rate.
        scheme: The scheme whose KPI units to convert into (the preset when None).

    Returns:
        ``{kpi key: (values, sample sizes)}``, each array in ``org.subjects`` order.
    """
    if scheme is None:
        from perfmgmt.presets import customer_service_manager  # noqa: PLC0415 -- not on import

        scheme = customer_service_manager()
    period, baseline = _period(cycle), _period(previous)
    t = tables.tickets
    results = {
        "csat": metrics.csat(t, period=period),
        "response_time": metrics.first_response_time(t, period=period),
        "fcr": metrics.first_contact_resolution(t, period=period),
        "morale": metrics.morale_index(tables.surveys, period=period),
        "training": metrics.training_hours_per_member(
            tables.trainings, by="manager", period=period, headcount=dict(org.headcount)
        ),
        "cost_saving": metrics.cost_saving_rate(t, period=period, baseline=baseline),
        "innovation": metrics.innovation_projects(tables.projects, period=period),
    }
    actuals = metrics.actuals_from_metrics(
        scheme, results, org.subject_ids, absent={"innovation": 0.0}
    )
    return {k: (actuals.values[k], actuals.sample_sizes[k]) for k in results}


def qualitative_ratings(
    org: DemoOrganisation, scheme: Scheme, cycle: Cycle
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return mean ratings and rater counts per (subject, criterion, source) for one cycle.

    Returns:
        ``(ratings, raters)`` of shape ``(N, Q, S)`` in the order of ``org.subjects``,
        ``scheme.criteria`` and ``scheme.sources``; NaN and 0 where nobody rated.
    """
    cols = org.assessments.get(cycle.key)
    n, q, s = len(org.subjects), len(scheme.criteria), len(scheme.sources)
    total: npt.NDArray[np.float64] = np.zeros(n * q * s)
    count = np.zeros(n * q * s, dtype=np.int64)
    if cols is not None and len(cols["subject"]):
        subj = {sid: i for i, sid in enumerate(org.subject_ids)}
        crit = {c.key: i for i, c in enumerate(scheme.criteria)}
        src = {p.source.value: i for i, p in enumerate(scheme.sources)}
        si = np.array([subj.get(v, -1) for v in cols["subject"].tolist()])
        ci = np.array([crit.get(v, -1) for v in cols["criterion"].tolist()])
        ki = np.array([src.get(v, -1) for v in cols["source"].tolist()])
        ok = (si >= 0) & (ci >= 0) & (ki >= 0)
        flat = (si * q + ci) * s + ki
        weights = cols["rating"][ok].astype(np.float64)
        total = np.bincount(flat[ok], weights=weights, minlength=n * q * s).astype(np.float64)
        count = np.bincount(flat[ok], minlength=n * q * s).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean.reshape(n, q, s), count.reshape(n, q, s)


def cycle_population(
    org: DemoOrganisation,
    scheme: Scheme,
    tables: LoadedTables,
    cycle: Cycle,
    previous: Cycle,
    *,
    present_only: bool = True,
) -> Population:
    """Build the scoring population of one cycle: KPI actuals, ratings and subject attributes.

    Args:
        org: The organisation.
        scheme: The scheme to score under (the preset, or a variant with the same KPI keys).
        tables: The organisation's validated tables.
        cycle: The cycle scored.
        previous: The cycle before it (the cost baseline).
        present_only: Only the managers who worked in the cycle (see
            :meth:`DemoOrganisation.present`), the default; ``False`` gives every manager of
            the organisation a row, in ``org.subjects`` order, and those absent are not rated.

    Returns:
        The population, one row per manager present (per manager with ``present_only=False``).

    Raises:
        ScoringError: When the scheme's KPIs are not the preset's seven.
    """
    actuals = kpi_actuals(org, tables, cycle, previous, scheme)
    ratings, raters = qualitative_ratings(org, scheme, cycle)
    rows = org.present(cycle) if present_only else np.arange(len(org.subjects))
    actuals = {k: (v[rows], n[rows]) for k, (v, n) in actuals.items()}
    ratings, raters = ratings[rows], raters[rows]
    subjects = tuple(org.subjects[i] for i in rows)
    days = np.array([eligible_days(cycle, s.hire_date, s.leave_date) for s in subjects])
    tenure = np.array(
        [
            np.nan
            if s.hire_date is None or s.hire_date > cycle.end
            else (cycle.end - s.hire_date).days
            for s in subjects
        ]
    )
    return Population.from_arrays(
        scheme,
        subject_ids=[s.id for s in subjects],
        actual={k: v for k, (v, _) in actuals.items()},
        sample_size={k: n for k, (_, n) in actuals.items()},
        ratings=ratings,
        raters=raters,
        grade=[s.grade for s in subjects],
        department=[s.department for s in subjects],
        tenure_days=tenure,
        base_pay=[s.base_pay for s in subjects],
        currency="CNY",
        eligible_fraction=days / cycle.days,
        eligible_days=days,
    )
