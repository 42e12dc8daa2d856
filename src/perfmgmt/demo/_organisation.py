"""A generated service organisation: what it holds, how it is written as CSV, how it is drawn."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt.demo._draws import (
    _QUARTERS,
    _SECOND,
    Columns,
    _assessments,
    _cost_factor,
    _form,
    _group_attributes,
    _labels,
    _projects,
    _projects_since_hire,
    _seconds_since,
    _since_hire,
    _spoil,
    _subjects,
    _successions,
    _surveys,
    _tickets,
    _trainings,
)
from perfmgmt.errors import ValidationError
from perfmgmt.metrics import Projects, Surveys, Tickets, Trainings
from perfmgmt.model import Cycle, Frequency, Subject
from perfmgmt.model.cycle import eligible_days

ASSESSMENT_COLUMNS = ("subject", "criterion", "source", "rater", "rating")
"""Columns of :attr:`DemoOrganisation.assessments`."""


@attrs.frozen(kw_only=True, eq=False)
class DemoOrganisation:
    """A generated service organisation: people, cycles and raw service data.

    Column tables are plain dicts of equal-length numpy arrays, in the column names of
    :mod:`perfmgmt.metrics` (so ``Tickets.from_arrays(**org.tickets)`` loads them); they still
    contain the planted bad rows.

    Attributes:
        seed: The seed the organisation was drawn with.
        subjects: The service managers reviewed, with grade, department, hire date and base pay:
            one per team, then (in an organisation of 20 managers or more) the successors of
            the few who left during the first year of reviews (with their leave date).
        quality: Each manager's hidden quality (standard normal), in ``subjects`` order; the
            generator's ground truth, for checking that scores recover it.
        form: Each manager's quality in each quarter of data, shape ``(managers, quarters)``,
            the baseline quarter first: ``quality`` plus a form that drifts from quarter to
            quarter (people improve and slip), which is what that quarter's data follows.
        cycles: The eight review cycles (quarters FY2025Q1 to FY2026Q4: two years), oldest
            first.
        baseline: The quarter before the first cycle, used as the cost baseline.
        headcount: Size of the team each manager id leads (or led).
        tickets: Ticket columns: ticket_id, manager, team, agent, customer, created,
            first_reply, closed, wait_seconds, handle_seconds, cost, csat, abandoned, resolved.
        surveys: Employee pulse-survey columns: manager, agent, respondent, submitted,
            recommend, pulse.
        trainings: Training columns: manager, agent, person, date, hours.
        projects: Innovation project columns: manager, project, started, delivered.
        assessments: Qualitative ratings (1-5) per cycle, keyed ``"<subject>@<cycle>"``:
            columns subject, criterion, source, rater, rating.
        bad_rows: Planted bad rows per table name, by row index.
        groups: Group attributes per manager, in ``subjects`` order, for fairness analyses:
            ``department``, ``gender``, ``age_band`` and ``location`` (synthetic; drawn from
            their own seed, independently of quality).
    """

    seed: int
    subjects: tuple[Subject, ...]
    quality: npt.NDArray[np.float64]
    cycles: tuple[Cycle, ...]
    baseline: Cycle
    headcount: Mapping[str, int]
    tickets: Columns
    surveys: Columns
    trainings: Columns
    projects: Columns
    assessments: Mapping[str, Columns]
    bad_rows: Mapping[str, tuple[int, ...]]
    groups: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    form: npt.NDArray[np.float64] | None = None

    @property
    def subject_ids(self) -> tuple[str, ...]:
        """The managers' ids, in order."""
        return tuple(s.id for s in self.subjects)

    @property
    def agents(self) -> int:
        """The number of agents: the sizes of the teams of the managers who did not leave."""
        return sum(self.headcount[s.id] for s in self.subjects if s.leave_date is None)

    def present(self, cycle: Cycle) -> npt.NDArray[np.intp]:
        """Return the indices (into ``subjects``) of the managers who worked in ``cycle``.

        A manager works in a cycle from their hire date to their leave date, both included;
        joiners and leavers are absent from the cycles outside that span.
        """
        return np.flatnonzero(
            [eligible_days(cycle, s.hire_date, s.leave_date) > 0 for s in self.subjects]
        )

    def tickets_table(self, *, strict: bool = False) -> Tickets:
        """Load the tickets into a validated :class:`~perfmgmt.metrics.Tickets` table."""
        return Tickets.from_arrays(strict=strict, workers=1, **self.tickets)

    def surveys_table(self, *, strict: bool = False) -> Surveys:
        """Load the pulse surveys into a :class:`~perfmgmt.metrics.Surveys` table."""
        return Surveys.from_arrays(strict=strict, workers=1, **self.surveys)

    def trainings_table(self, *, strict: bool = False) -> Trainings:
        """Load the trainings into a :class:`~perfmgmt.metrics.Trainings` table."""
        return Trainings.from_arrays(strict=strict, workers=1, **self.trainings)

    def projects_table(self, *, strict: bool = False) -> Projects:
        """Load the innovation projects into a :class:`~perfmgmt.metrics.Projects` table."""
        return Projects.from_arrays(strict=strict, workers=1, **self.projects)

    def write_csv(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write every table as CSV into ``directory`` (created if needed).

        Returns:
            The path written per table name (tickets, surveys, trainings, projects, subjects,
            and one assessments file per cycle).
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = {
            name: _write_columns(out / f"{name}.csv", cols)
            for name, cols in (
                ("tickets", self.tickets),
                ("surveys", self.surveys),
                ("trainings", self.trainings),
                ("projects", self.projects),
            )
        }
        for cycle, cols in self.assessments.items():
            written[f"assessments_{cycle}"] = _write_columns(out / f"assessments_{cycle}.csv", cols)
        people: Columns = {
            "id": np.array([s.id for s in self.subjects], dtype=object),
            "name": np.array([s.name for s in self.subjects], dtype=object),
            "grade": np.array([s.grade for s in self.subjects], dtype=object),
            "department": np.array([s.department for s in self.subjects], dtype=object),
            "hire_date": np.array([s.hire_date for s in self.subjects], dtype=object),
            "leave_date": np.array([s.leave_date for s in self.subjects], dtype=object),
            "base_pay": np.array([s.base_pay for s in self.subjects], dtype=object),
            "currency": np.array([s.currency for s in self.subjects], dtype=object),
            "headcount": np.array([self.headcount[s.id] for s in self.subjects], dtype=object),
        }
        for name, labels in self.groups.items():
            if name not in people:
                people[name] = np.array(labels, dtype=object)
        written["subjects"] = _write_columns(out / "subjects.csv", people)
        return written


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else repr(float(value))
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value)
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    return str(value)


def _write_columns(path: Path, columns: Mapping[str, npt.NDArray[Any]]) -> Path:
    names = list(columns)
    text: list[list[str]] = []
    for name in names:
        col = columns[name]
        if col.dtype.kind == "M":
            s = np.datetime_as_string(col.astype("datetime64[s]"), unit="s")
            text.append(np.where(np.isnat(col), "", s).tolist())
        elif col.dtype.kind == "f":
            text.append(np.where(np.isnan(col), "", np.char.mod("%.6g", col)).tolist())
        elif col.dtype.kind == "b":
            text.append(np.where(col, "1", "0").tolist())
        elif col.dtype.kind == "U":
            text.append(col.tolist())
        else:
            text.append([_cell(v) for v in col.tolist()])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        writer.writerows(zip(*text, strict=True))
    return path


def _check_count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(
            f"generate_organisation: {name}={value!r} is not allowed; expected a whole number "
            f">= {minimum}",
            field=name,
            value=value,
        )
    return value


def generate_organisation(
    *,
    seed: int = 2025,
    managers: int = 40,
    agents: int = 600,
    tickets: int = 200_000,
    bad_row_share: float = 0.0005,
) -> DemoOrganisation:
    """Generate a customer-service organisation with two years of quarterly review cycles.

    The data covers nine quarters: FY2024Q4 (the cost baseline) and the eight review cycles
    FY2025Q1 to FY2026Q4.  ``tickets`` are spread evenly over the nine quarters, plus follow-up
    contacts of customers whose problem was not solved.  Each manager's quality drifts from
    quarter to quarter (see :attr:`DemoOrganisation.form`), so ratings move between cycles; a
    few managers join during the first year.

    Args:
        seed: Seed of the random generator; the same seed gives the same organisation.
        managers: Number of service managers (the people reviewed).
        agents: Number of agents, spread over the managers' teams.
        tickets: Number of first contacts to draw.
        bad_row_share: Share of ticket rows spoiled on purpose (at least one per kind when > 0).

    Returns:
        The organisation.

    Raises:
        ValidationError: When a count is not a whole number of at least its minimum, or there
            are fewer agents than managers.
    """
    _check_count("seed", seed, 0)
    _check_count("managers", managers, 1)
    _check_count("agents", agents, 1)
    _check_count("tickets", tickets, 1)
    if agents < managers:
        raise ValidationError(
            f"generate_organisation: agents={agents!r} is not allowed; expected at least one "
            f"agent per manager ({managers})",
            field="agents",
            value=agents,
        )
    if not 0.0 <= bad_row_share < 0.1:
        raise ValidationError(
            f"generate_organisation: bad_row_share={bad_row_share!r} is not allowed; expected a "
            "share from 0 to 0.1",
            field="bad_row_share",
            value=bad_row_share,
        )
    rng = np.random.default_rng(seed)
    # One team in twenty changes manager during the first year (none in a small organisation).
    changes = managers // 20
    manager_ids = _labels("M", managers + changes, 2)
    quality = rng.standard_normal(managers)
    subjects = _subjects(rng, managers, quality, manager_ids[:managers])

    # Teams: every manager gets at least one agent; the rest are spread with uneven sizes.
    extra = rng.multinomial(agents - managers, rng.dirichlet(np.full(managers, 8.0)))
    team_size = extra + 1
    agent_manager = np.repeat(np.arange(managers), team_size)
    agent_ids = _labels("A", agents, 3)
    agent_skill = rng.normal(0, 0.8, agents)
    subjects, quality, succession = _successions(rng, subjects, quality, manager_ids, changes)
    # The team each manager leads (a successor leads their predecessor's team).
    team_of = np.arange(len(subjects))
    changed = np.flatnonzero(succession.successor >= 0)
    team_of[succession.successor[changed]] = changed
    headcount = {str(manager_ids[m]): int(team_size[team_of[m]]) for m in range(len(subjects))}

    starts = np.array([_seconds_since(q[1]) for q in _QUARTERS])
    edges = ((starts - starts[0]) / _SECOND).astype(np.int64)
    window = int((_seconds_since(_QUARTERS[-1][2]) + 86_400 * _SECOND - starts[0]) / _SECOND)
    form = _form(rng, quality, len(_QUARTERS))
    cost_factor = _cost_factor(rng, quality, len(_QUARTERS))
    # Day (from the first day of data) each manager started; nothing of a team is recorded
    # under a manager before that day.
    hired = np.array(
        [0 if s.hire_date is None else (s.hire_date - _QUARTERS[0][1]).days for s in subjects],
        dtype=np.int64,
    )

    tickets_cols = _tickets(
        rng,
        n=tickets,
        agent_manager=agent_manager,
        agent_skill=agent_skill,
        manager_quality=form,
        cost_factor=cost_factor,
        hired=hired,
        succession=succession,
        t0=starts[0],
        edges=edges,
        window=window,
    )
    tickets_cols["manager"] = manager_ids[tickets_cols.pop("_manager")]
    agent_idx = tickets_cols.pop("_agent")
    tickets_cols["agent"] = agent_ids[agent_idx]
    tickets_cols["team"] = _labels("T", managers, 2)[tickets_cols.pop("_team")]
    ticket_order = (
        "ticket_id", "manager", "team", "agent", "customer", "created", "first_reply", "closed",
        "wait_seconds", "handle_seconds", "cost", "csat", "abandoned", "resolved",
    )  # fmt: skip
    tickets_cols = {k: tickets_cols[k] for k in ticket_order}
    bad = _spoil(rng, tickets_cols, bad_row_share)

    surveys = _surveys(
        rng,
        t0=starts[0],
        agent_ids=agent_ids,
        agent_manager=agent_manager,
        agent_skill=agent_skill,
        manager_quality=form,
        succession=succession,
        manager_ids=manager_ids,
    )
    trainings = _trainings(
        rng,
        starts=starts,
        agent_ids=agent_ids,
        agent_manager=agent_manager,
        quality=form,
        succession=succession,
        manager_ids=manager_ids,
    )
    projects = _projects(rng, starts, form, manager_ids)
    first_day = {str(manager_ids[m]): starts[0] + int(hired[m]) * 86_400 * _SECOND
                 for m in range(len(subjects))}  # fmt: skip
    last_day = {s.id: _seconds_since(s.leave_date) + 86_399 * _SECOND
                for s in subjects if s.leave_date is not None}  # fmt: skip
    surveys = _since_hire(surveys, "submitted", first_day)
    trainings = _since_hire(trainings, "date", first_day)
    projects = _projects_since_hire(projects, first_day, last_day)
    cycles = tuple(
        Cycle(key=k, start=s, end=e, frequency=Frequency.QUARTERLY) for k, s, e in _QUARTERS
    )
    assessments = {}
    for q, c in enumerate(cycles[1:], start=1):
        # Only the managers who worked in the cycle are rated, and rate their peers.
        on = np.array([eligible_days(c, s.hire_date, s.leave_date) > 0 for s in subjects])
        assessments[c.key] = _assessments(rng, form[on, q], manager_ids[on], team_size[team_of[on]])
    return DemoOrganisation(
        seed=seed,
        subjects=subjects,
        quality=quality,
        form=form,
        cycles=cycles[1:],
        baseline=cycles[0],
        headcount=headcount,
        tickets=tickets_cols,
        surveys=surveys,
        trainings=trainings,
        projects=projects,
        assessments=assessments,
        bad_rows={"tickets": bad},
        groups=_group_attributes(seed, subjects),
    )
