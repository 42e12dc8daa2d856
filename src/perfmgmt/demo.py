"""A seeded generator of a realistic customer-service organisation, for demos and tests.

:func:`generate_organisation` draws a service department — managers with teams of agents,
tickets with response, handle and wait times, customer repeat contacts, ratings and costs,
pulse surveys, trainings, innovation projects and qualitative assessments — from plausible
distributions, all vectorised with numpy.  The same seed gives bit-identical data.

Each manager has a hidden "quality" drawn once; it moves every indicator of their team in the
same direction (with noise), so the scores show a realistic spread and the indicators correlate
the way they do in a real contact centre.  A few bad rows are planted on purpose (ratings off the
scale, timestamps out of order, negative durations): load the tables with ``strict=False`` to see
them dropped and reported.

Example:
    >>> from perfmgmt.demo import generate_organisation
    >>> org = generate_organisation(seed=7, managers=4, agents=40, tickets=2_000)
    >>> len(org.subjects), len(org.tickets["created"]) >= 2000
    (4, True)
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt import metrics
from perfmgmt.calibration import GuidedDistribution
from perfmgmt.errors import ValidationError
from perfmgmt.metrics import MetricResult, Projects, Surveys, Tickets, Trainings
from perfmgmt.model import (
    Actual,
    Assessment,
    AssessmentSource,
    CheckIn,
    Cycle,
    Direction,
    Frequency,
    Goal,
    Review,
    Scheme,
    Subject,
)
from perfmgmt.model.cycle import eligible_days
from perfmgmt.model.development import DevelopmentPlan, DevelopmentPolicy, Interview
from perfmgmt.scoring import Population, ScoreCard

__all__ = [
    "ASSESSMENT_COLUMNS",
    "DEMO_STEPS",
    "DemoOrganisation",
    "DemoRun",
    "LoadedTables",
    "cycle_population",
    "generate_organisation",
    "kpi_actuals",
    "load_tables",
    "qualitative_ratings",
    "run_demo",
]

Columns = dict[str, npt.NDArray[Any]]
_Lang = Literal["en", "zh"]

ASSESSMENT_COLUMNS = ("subject", "criterion", "source", "rater", "rating")
"""Columns of :attr:`DemoOrganisation.assessments`."""

_SURNAMES = (
    "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu",
    "Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo",
)  # fmt: skip
_GIVEN = (
    "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Jie", "Tao", "Ying",
    "Hua", "Ping", "Qiang", "Xin", "Jun", "Lan", "Hao", "Yu", "Rui", "Ling",
)  # fmt: skip
_DEPARTMENTS = ("north", "south", "east", "west")
_GRADES = ("M1", "M2", "M3")
_QUARTERS = (
    ("FY2024Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ("FY2025Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    ("FY2025Q2", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
)
_SECOND = np.timedelta64(1, "s")


@attrs.frozen(kw_only=True, eq=False)
class DemoOrganisation:
    """A generated service organisation: people, cycles and raw service data.

    Column tables are plain dicts of equal-length numpy arrays, in the column names of
    :mod:`perfmgmt.metrics` (so ``Tickets.from_arrays(**org.tickets)`` loads them); they still
    contain the planted bad rows.

    Attributes:
        seed: The seed the organisation was drawn with.
        subjects: The service managers reviewed, with grade, department, hire date and base pay.
        quality: Each manager's hidden quality (standard normal), in ``subjects`` order; the
            generator's ground truth, for checking that scores recover it.
        cycles: The two review cycles (quarters), oldest first.
        baseline: The quarter before the first cycle, used as the cost baseline.
        headcount: Team size per manager id.
        tickets: Ticket columns: ticket_id, manager, team, agent, customer, created,
            first_reply, closed, wait_seconds, handle_seconds, cost, csat, abandoned, resolved.
        surveys: Employee pulse-survey columns: manager, agent, respondent, submitted,
            recommend, pulse.
        trainings: Training columns: manager, agent, person, date, hours.
        projects: Innovation project columns: manager, project, started, delivered.
        assessments: Qualitative ratings (1-5) per cycle, keyed ``"<subject>@<cycle>"``:
            columns subject, criterion, source, rater, rating.
        bad_rows: Planted bad rows per table name, by row index.
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

    @property
    def subject_ids(self) -> tuple[str, ...]:
        """The managers' ids, in order."""
        return tuple(s.id for s in self.subjects)

    def tickets_table(self, *, strict: bool = False) -> Tickets:
        """Load the tickets into a validated :class:`~perfmgmt.metrics.Tickets` table."""
        return Tickets.from_arrays(strict=strict, **self.tickets)

    def surveys_table(self, *, strict: bool = False) -> Surveys:
        """Load the pulse surveys into a :class:`~perfmgmt.metrics.Surveys` table."""
        return Surveys.from_arrays(strict=strict, **self.surveys)

    def trainings_table(self, *, strict: bool = False) -> Trainings:
        """Load the trainings into a :class:`~perfmgmt.metrics.Trainings` table."""
        return Trainings.from_arrays(strict=strict, **self.trainings)

    def projects_table(self, *, strict: bool = False) -> Projects:
        """Load the innovation projects into a :class:`~perfmgmt.metrics.Projects` table."""
        return Projects.from_arrays(strict=strict, **self.projects)

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
            "base_pay": np.array([s.base_pay for s in self.subjects], dtype=object),
            "currency": np.array([s.currency for s in self.subjects], dtype=object),
            "headcount": np.array([self.headcount[s.id] for s in self.subjects], dtype=object),
        }
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


def _seconds_since(start: dt.date) -> np.datetime64:
    return np.datetime64(start.isoformat(), "s")


def _labels(prefix: str, n: int, width: int) -> npt.NDArray[np.str_]:
    if n == 0:  # np.char.zfill cannot size an empty array (e.g. a quarter without projects)
        return np.array([], dtype=f"<U{len(prefix) + width}")
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _subjects(
    rng: np.random.Generator, n: int, quality: npt.NDArray[np.float64], ids: npt.NDArray[np.str_]
) -> tuple[Subject, ...]:
    sur = rng.integers(0, len(_SURNAMES), n)
    given = rng.integers(0, len(_GIVEN), n)
    grade = np.clip(np.round(quality * 0.5 + rng.normal(0, 0.8, n) + 1), 0, 2).astype(int)
    tenure_days = rng.gamma(2.0, 500.0, n).astype(int) + 120
    pay = 45_000 + 12_000 * grade + rng.integers(0, 40, n) * 250
    cycle_end = _QUARTERS[-1][2]
    # Someone must lead a team from the first day of data, or early contacts have no team.
    covered = (cycle_end - _QUARTERS[0][1]).days
    longest = int(np.argmax(tenure_days))
    tenure_days[longest] = max(int(tenure_days[longest]), covered)
    out = []
    for i in range(n):
        hire = cycle_end - dt.timedelta(days=int(tenure_days[i]))
        out.append(
            Subject(
                id=str(ids[i]),
                name=f"{_SURNAMES[sur[i]]} {_GIVEN[given[i]]}",
                hire_date=hire,
                grade=_GRADES[grade[i]],
                department=_DEPARTMENTS[i % len(_DEPARTMENTS)],
                base_pay=Decimal(int(pay[i])),
                currency="CNY",
                manager_id="D01",
            )
        )
    return tuple(out)


def generate_organisation(
    *,
    seed: int = 2025,
    managers: int = 40,
    agents: int = 600,
    tickets: int = 200_000,
    bad_row_share: float = 0.0005,
) -> DemoOrganisation:
    """Generate a customer-service organisation with two quarterly review cycles of data.

    The data covers three quarters: FY2024Q4 (the cost baseline) and the review cycles FY2025Q1 and
    FY2025Q2.  ``tickets`` are spread evenly over the three quarters, plus follow-up contacts of
    customers whose problem was not solved.

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
    manager_ids = _labels("M", managers, 2)
    quality = rng.standard_normal(managers)
    subjects = _subjects(rng, managers, quality, manager_ids)

    # Teams: every manager gets at least one agent; the rest are spread with uneven sizes.
    extra = rng.multinomial(agents - managers, rng.dirichlet(np.full(managers, 8.0)))
    team_size = extra + 1
    agent_manager = np.repeat(np.arange(managers), team_size)
    agent_ids = _labels("A", agents, 3)
    agent_quality = quality[agent_manager] * 0.6 + rng.normal(0, 0.8, agents)
    headcount = {str(manager_ids[m]): int(team_size[m]) for m in range(managers)}

    starts = np.array([_seconds_since(q[1]) for q in _QUARTERS])
    window = int((_seconds_since(_QUARTERS[-1][2]) + 86_400 * _SECOND - starts[0]) / _SECOND)
    cost_trend = rng.normal(0.03, 0.04, managers) + 0.015 * quality
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
        agent_quality=agent_quality,
        cost_trend=cost_trend,
        hired=hired,
        t0=starts[0],
        window=window,
    )
    tickets_cols["manager"] = manager_ids[tickets_cols.pop("_manager")]
    agent_idx = tickets_cols.pop("_agent")
    tickets_cols["agent"] = agent_ids[agent_idx]
    tickets_cols["team"] = np.char.add("T", np.char.lstrip(tickets_cols["manager"], "M"))
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
        agent_quality=agent_quality,
        manager_ids=manager_ids,
    )
    trainings = _trainings(
        rng,
        starts=starts,
        agent_ids=agent_ids,
        agent_manager=agent_manager,
        quality=quality,
        manager_ids=manager_ids,
    )
    projects = _projects(rng, starts, quality, manager_ids)
    first_day = {str(manager_ids[m]): starts[0] + int(hired[m]) * 86_400 * _SECOND
                 for m in range(managers)}  # fmt: skip
    surveys = _since_hire(surveys, "submitted", first_day)
    trainings = _since_hire(trainings, "date", first_day)
    projects = _projects_since_hire(projects, first_day)
    cycles = tuple(
        Cycle(key=k, start=s, end=e, frequency=Frequency.QUARTERLY) for k, s, e in _QUARTERS
    )
    assessments = {c.key: _assessments(rng, quality, manager_ids, team_size) for c in cycles[1:]}
    return DemoOrganisation(
        seed=seed,
        subjects=subjects,
        quality=quality,
        cycles=cycles[1:],
        baseline=cycles[0],
        headcount=headcount,
        tickets=tickets_cols,
        surveys=surveys,
        trainings=trainings,
        projects=projects,
        assessments=assessments,
        bad_rows={"tickets": bad},
    )


def _tickets(
    rng: np.random.Generator,
    *,
    n: int,
    agent_manager: npt.NDArray[np.intp],
    agent_quality: npt.NDArray[np.float64],
    cost_trend: npt.NDArray[np.float64],
    hired: npt.NDArray[np.int64],
    t0: np.datetime64,
    window: int,
) -> Columns:
    agents = len(agent_manager)
    # Agents take work in proportion to a gamma-distributed capacity.
    load = rng.gamma(6.0, 1.0, agents)
    agent = rng.choice(agents, size=n, p=load / load.sum())
    # Arrival times: a uniform day, then an hour from a day-shaped profile (busy mid-morning).
    day = rng.integers(0, window // 86_400, n)
    agent = _staffed(rng, agent, day, load=load, start=hired[agent_manager])
    m = agent_manager[agent]
    q = agent_quality[agent]
    hour = np.clip(rng.normal(13.0, 3.2, n), 7.0, 22.9)
    offset = day * 86_400 + (hour * 3600).astype(np.int64) + rng.integers(0, 60, n)
    customers = max(n, 200)
    # Most customers call once; 4 % of contacts come from a small pool of frequent callers,
    # so some repeat contacts happen by chance, not because a problem stayed unsolved.
    frequent = customers // 200
    customer = np.where(
        rng.random(n) < 0.04,
        rng.integers(0, frequent, n),
        rng.integers(frequent, customers, n),
    )

    resolved_p = 1 / (1 + np.exp(-(1.7 + 0.45 * q)))
    resolved = rng.random(n) < resolved_p
    # Unsolved problems come back: a follow-up contact 4 hours to 6 days later.
    follow = ~resolved & (rng.random(n) < 0.7)
    k = int(follow.sum())
    f_idx = np.flatnonzero(follow)
    f_offset = offset[f_idx] + rng.integers(4 * 3600, 6 * 86_400, k)
    keep = f_offset < window
    f_idx, f_offset = f_idx[keep], f_offset[keep]
    agent = np.concatenate([agent, agent[f_idx]])
    m = np.concatenate([m, m[f_idx]])
    q = np.concatenate([q, q[f_idx]])
    offset = np.concatenate([offset, f_offset])
    customer = np.concatenate([customer, customer[f_idx]])
    resolved = np.concatenate([resolved, rng.random(len(f_idx)) < resolved_p[f_idx] + 0.05])
    total = len(offset)
    order = np.argsort(offset, kind="stable")
    agent, m, q = agent[order], m[order], q[order]
    offset, customer, resolved = offset[order], customer[order], resolved[order]

    email = rng.random(total) < 0.4
    efficiency = np.exp(-0.25 * q)
    wait = rng.exponential(35.0 * efficiency)
    wait[email] = np.nan
    patience = rng.exponential(240.0, total)
    abandoned = ~email & (wait > patience)
    wait[abandoned] = patience[abandoned]
    # First reply: at once for phone/chat once answered; hours for email (log-normal).
    email_lag = rng.lognormal(np.log(1500.0) - 0.35 * q, 0.9)
    reply_lag = np.where(email, email_lag, np.nan_to_num(wait) + rng.integers(5, 30, total))
    handle = rng.lognormal(np.log(330.0) - 0.08 * q, 0.45)
    handle[abandoned] = np.nan
    resolved &= ~abandoned
    created = t0 + offset * _SECOND
    first_reply = created + np.round(reply_lag).astype(np.int64) * _SECOND
    first_reply[abandoned] = np.datetime64("NaT")
    closed_lag = np.where(
        abandoned, np.nan_to_num(wait), reply_lag + np.nan_to_num(handle) + rng.exponential(600.0)
    )
    closed = created + np.round(closed_lag).astype(np.int64) * _SECOND

    quarter = np.minimum(offset // (window // 3), 2)
    base_cost = np.nan_to_num(handle) / 3600 * 62.0 + np.where(email, 1.2, 2.8)
    cost = np.round(base_cost * (1 - cost_trend[m]) ** quarter, 2)

    # Satisfaction: resolution and a short wait please; quality shows through.
    mood = 1.1 * resolved - np.nan_to_num(wait) / 400 + 0.35 * q + rng.normal(0, 0.9, total)
    csat = 1.0 + np.searchsorted(np.array([-1.6, -0.9, -0.1, 0.75]), mood).astype(np.float64)
    csat[(rng.random(total) > 0.32) | abandoned] = np.nan
    return {
        "ticket_id": _labels("TK", total, 7),
        "_manager": m,
        "_agent": agent,
        "customer": _labels("C", customers, 6)[customer],
        "created": created,
        "first_reply": first_reply,
        "closed": closed,
        "wait_seconds": np.round(wait, 1),
        "handle_seconds": np.round(handle, 1),
        "cost": cost,
        "csat": csat,
        "abandoned": abandoned,
        "resolved": resolved,
    }


def _staffed(
    rng: np.random.Generator,
    agent: npt.NDArray[np.intp],
    day: npt.NDArray[np.int64],
    *,
    load: npt.NDArray[np.float64],
    start: npt.NDArray[np.int64],
) -> npt.NDArray[np.intp]:
    """Give each contact that arrives before its agent's team had a manager to a team that had.

    A contact arriving on ``day`` is redrawn from the agents whose manager had started by then,
    in proportion to their capacity (``load``), so no team records work before its manager's
    hire date and the number of contacts stays as asked.
    """
    early = day < start[agent]
    if not early.any():
        return agent
    order = np.argsort(start, kind="stable")
    cum = np.cumsum(load[order])
    # Agents of managers who had started by each early day form a prefix of ``order``.
    k = np.searchsorted(start[order], day[early], side="right")
    u = rng.random(int(early.sum())) * cum[k - 1]
    out = agent.copy()
    out[early] = order[np.minimum(np.searchsorted(cum, u, side="right"), k - 1)]
    return out


def _since_hire(cols: Columns, when: str, first_day: Mapping[str, np.datetime64]) -> Columns:
    """Keep the rows recorded on or after the day the row's manager started."""
    start = np.array([first_day[m] for m in cols["manager"].tolist()], dtype="datetime64[s]")
    keep = cols[when] >= start
    return {k: v[keep] for k, v in cols.items()}


def _projects_since_hire(cols: Columns, first_day: Mapping[str, np.datetime64]) -> Columns:
    """Keep the projects live under their owner (started, or delivered, after the first day).

    A project taken over on the first day counts as started that day.
    """
    start = np.array([first_day[m] for m in cols["manager"].tolist()], dtype="datetime64[s]")
    delivered = cols["delivered"]
    keep = (cols["started"] >= start) | (~np.isnat(delivered) & (delivered >= start))
    out = {**cols, "started": np.maximum(cols["started"], start)}
    return {k: v[keep] for k, v in out.items()}


def _spoil(rng: np.random.Generator, cols: Columns, share: float) -> tuple[int, ...]:
    """Plant bad rows of four kinds, as a real CRM export has; return their indices."""
    if share == 0:
        return ()
    n = len(cols["created"])
    per_kind = max(1, int(n * share / 4))
    rows = rng.choice(n, size=min(n, per_kind * 4), replace=False)
    kinds = np.array_split(rows, 4)
    cols["csat"][kinds[0]] = rng.choice([0.0, 6.0, 10.0], len(kinds[0]))
    cols["closed"][kinds[1]] = cols["created"][kinds[1]] - 3600 * _SECOND
    cols["first_reply"][kinds[1]] = np.datetime64("NaT")
    cols["handle_seconds"][kinds[2]] = -rng.uniform(1.0, 300.0, len(kinds[2]))
    cols["cost"][kinds[3]] = -5.0
    return tuple(sorted(rows.tolist()))


def _surveys(
    rng: np.random.Generator,
    *,
    t0: np.datetime64,
    agent_ids: npt.NDArray[np.str_],
    agent_manager: npt.NDArray[np.intp],
    agent_quality: npt.NDArray[np.float64],
    manager_ids: npt.NDArray[np.str_],
) -> Columns:
    # A monthly pulse survey over nine months; about 80 % of agents answer each month.
    months = 9
    agents = len(agent_ids)
    a = np.tile(np.arange(agents), months)
    month = np.repeat(np.arange(months), agents)
    answered = rng.random(len(a)) < 0.8
    a, month = a[answered], month[answered]
    k = len(a)
    submitted = (t0.astype("datetime64[M]") + month.astype("timedelta64[M]")).astype(
        "datetime64[s]"
    ) + rng.integers(2 * 86_400, 25 * 86_400, k) * _SECOND
    mood = 3.7 + 0.35 * agent_quality[a] + rng.normal(0, 0.55, k)
    pulse = np.clip(np.round(mood * 4) / 4, 1.0, 5.0)
    recommend = np.clip(np.round(mood * 2.1 + rng.normal(0, 1.2, k)), 0, 10)
    return {
        "manager": manager_ids[agent_manager[a]],
        "agent": agent_ids[a],
        "respondent": agent_ids[a],
        "submitted": submitted,
        "recommend": recommend,
        "pulse": pulse,
    }


def _trainings(
    rng: np.random.Generator,
    *,
    starts: npt.NDArray[np.datetime64],
    agent_ids: npt.NDArray[np.str_],
    agent_manager: npt.NDArray[np.intp],
    quality: npt.NDArray[np.float64],
    manager_ids: npt.NDArray[np.str_],
) -> Columns:
    # Sessions per agent per quarter: Poisson around a manager's development focus.
    focus = np.exp(0.3 * quality + rng.normal(0, 0.25, len(quality)))
    agents = len(agent_ids)
    rows = []
    for qi, start in enumerate(starts):
        sessions = rng.poisson(3.2 * focus[agent_manager])
        a = np.repeat(np.arange(agents), sessions)
        day = rng.integers(0, 88, len(a))
        rows.append((a, start + day * 86_400 * _SECOND, qi))
    a = np.concatenate([r[0] for r in rows])
    date = np.concatenate([r[1] for r in rows])
    hours = rng.choice(np.array([1.0, 2.0, 3.0, 4.0, 8.0]), len(a), p=[0.2, 0.3, 0.2, 0.2, 0.1])
    return {
        "manager": manager_ids[agent_manager[a]],
        "agent": agent_ids[a],
        "person": agent_ids[a],
        "date": date,
        "hours": hours,
    }


def _projects(
    rng: np.random.Generator,
    starts: npt.NDArray[np.datetime64],
    quality: npt.NDArray[np.float64],
    manager_ids: npt.NDArray[np.str_],
) -> Columns:
    # Innovation projects: about one a quarter, more from stronger managers; some not delivered.
    managers = len(quality)
    count = rng.poisson(np.exp(0.1 + 0.35 * quality)[:, None], (managers, len(starts)))
    owner = np.repeat(
        np.tile(np.arange(managers)[:, None], (1, len(starts))).ravel(), count.ravel()
    )
    quarter = np.repeat(np.tile(np.arange(len(starts)), managers), count.ravel())
    k = len(owner)
    started = starts[quarter] - rng.integers(0, 60, k) * 86_400 * _SECOND
    delivered = starts[quarter] + rng.integers(1, 90, k) * 86_400 * _SECOND
    delivered[rng.random(k) < 0.2] = np.datetime64("NaT")
    return {
        "manager": manager_ids[owner],
        "project": _labels("P", k, 4),
        "started": started,
        "delivered": delivered,
    }


def _assessments(
    rng: np.random.Generator,
    quality: npt.NDArray[np.float64],
    manager_ids: npt.NDArray[np.str_],
    team_size: npt.NDArray[np.int64],
) -> Columns:
    """Ratings 1-5 of work attitude and teamwork by the director, three peers and the team."""
    managers = len(quality)
    subject, criterion, source, rater, rating = [], [], [], [], []
    peers = min(3, managers - 1)  # nobody rates themselves, nobody rates a peer twice
    for crit, weight in (("attitude", 0.35), ("teamwork", 0.45)):
        lean = {"manager": 0.0, "peer": 0.25, "upward": 0.15}
        for src in ("manager", "peer", "upward"):
            per = (
                np.ones(managers, dtype=np.int64)
                if src == "manager"
                else np.full(managers, peers)
                if src == "peer"
                else np.minimum(team_size, 5)
            )
            s = np.repeat(np.arange(managers), per)
            k = len(s)
            r = np.clip(
                np.round(3.4 + lean[src] + weight * quality[s] + rng.normal(0, 0.6, k)), 1, 5
            )
            subject.append(manager_ids[s])
            criterion.append(np.full(k, crit))
            source.append(np.full(k, src))
            if src == "manager":
                rater.append(np.full(k, "D01"))
            else:
                nth = np.arange(k) - np.repeat(np.cumsum(per) - per, per)
                if src == "peer":
                    rater.append(manager_ids[(s + 1 + nth) % managers])
                else:
                    rater.append(np.char.add(np.char.add(manager_ids[s], "-U"), nth.astype(str)))
            rating.append(r)
    return {
        "subject": np.concatenate(subject),
        "criterion": np.concatenate(criterion),
        "source": np.concatenate(source),
        "rater": np.concatenate(rater),
        "rating": np.concatenate(rating),
    }


# -- from raw data to a scored population -------------------------------------------------


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

    def dropped(self) -> dict[str, str]:
        """Return a one-line summary of the dropped rows per table that dropped any."""
        return {
            name: table.dropped.summary()
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


def _aligned(
    result: MetricResult, ids: tuple[str, ...], *, scale: float = 1.0, absent: float = np.nan
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    values = dict(zip(result.groups.tolist(), result.value.tolist(), strict=True))
    counts = dict(zip(result.groups.tolist(), result.n.tolist(), strict=True))
    value = np.array([values.get(i, absent) for i in ids], dtype=np.float64) * scale
    n = np.array([counts.get(i, 0) for i in ids], dtype=np.int64)
    # A rate without its baseline (a manager hired after it) has contacts but no value.
    n[np.isnan(value)] = 0
    return value, n


def kpi_actuals(
    org: DemoOrganisation, tables: LoadedTables, cycle: Cycle, previous: Cycle
) -> dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]]:
    """Compute the preset's seven KPIs per manager for one cycle, in the preset's units.

    CSAT, first-contact resolution and cost saving are percentages; the average response time
    is in minutes; team morale is the 0-100 pulse index; training is hours per team member;
    innovation is the number of projects delivered (0 when a manager delivered none).

    Args:
        org: The organisation (for subject ids and headcounts).
        tables: Its validated tables.
        cycle: The cycle to measure.
        previous: The cycle before, the baseline of the cost saving rate.

    Returns:
        ``{kpi key: (values, sample sizes)}``, each array in ``org.subjects`` order.
    """
    ids = org.subject_ids
    period, baseline = _period(cycle), _period(previous)
    t = tables.tickets
    return {
        "csat": _aligned(metrics.csat(t, period=period), ids, scale=100.0),
        "response_time": _aligned(metrics.first_response_time(t, period=period), ids, scale=1 / 60),
        "fcr": _aligned(metrics.first_contact_resolution(t, period=period), ids, scale=100.0),
        "morale": _aligned(metrics.morale_index(tables.surveys, period=period), ids),
        "training": _aligned(
            metrics.training_hours_per_member(
                tables.trainings, by="manager", period=period, headcount=dict(org.headcount)
            ),
            ids,
        ),
        "cost_saving": _aligned(
            metrics.cost_saving_rate(t, period=period, baseline=baseline), ids, scale=100.0
        ),
        "innovation": _aligned(
            metrics.innovation_projects(tables.projects, period=period), ids, absent=0.0
        ),
    }


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
) -> Population:
    """Build the scoring population of one cycle: KPI actuals, ratings and subject attributes.

    Args:
        org: The organisation.
        scheme: The scheme to score under (the preset, or a variant with the same KPI keys).
        tables: The organisation's validated tables.
        cycle: The cycle scored.
        previous: The cycle before it (the cost baseline).

    Returns:
        The population, one row per manager.

    Raises:
        ScoringError: When the scheme's KPIs are not the preset's seven.
    """
    actuals = kpi_actuals(org, tables, cycle, previous)
    ratings, raters = qualitative_ratings(org, scheme, cycle)
    subjects = org.subjects
    days = np.array([eligible_days(cycle, s.hire_date, s.leave_date) for s in subjects])
    tenure = np.array(
        [np.nan if s.hire_date is None else (cycle.end - s.hire_date).days for s in subjects]
    )
    return Population.from_arrays(
        scheme,
        subject_ids=org.subject_ids,
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


# -- the whole job ------------------------------------------------------------------------------

DEMO_STEPS = 7
"""Number of progress steps :func:`run_demo` reports."""

_TZ = dt.timezone(dt.timedelta(hours=8))
_DIRECTOR = "D01"
_HR = "HR01"
_REPORT_AFTER_DAYS = 14
_CUMULATIVE = ("training", "innovation")


@attrs.frozen(kw_only=True)
class DemoRun:
    """What :func:`run_demo` did and where it wrote it.

    Attributes:
        out_dir: The output directory.
        cycle: Key of the cycle reported on (the latest).
        subjects: Managers scored.
        rated: Managers rated in that cycle.
        ratings: Managers per final rating (after calibration) in that cycle, best first.
        guideline: Guideline share per rating label (from the rating scale).
        fired: Managers per rule or table that awarded something in that cycle.
        bonus_total: Sum of the bonuses in that cycle.
        deduction_total: Sum of the deductions in that cycle.
        currency: Currency of the money totals.
        development_actions: Development actions suggested in that cycle.
        dropped: Bad rows dropped per table, as one-line summaries.
        files: Every file written, relative to ``out_dir``.
        seconds: Wall-clock time of the run.
        enforced: Whether calibration enforced the guided distribution.
        calibrated: Managers whose rating calibration changed in that cycle.
        pending: Reviews still waiting for their feedback interview on the report date.
    """

    out_dir: Path
    cycle: str
    subjects: int
    rated: int
    ratings: Mapping[str, int]
    guideline: Mapping[str, float]
    fired: Mapping[str, int]
    bonus_total: Decimal
    deduction_total: Decimal
    currency: str
    development_actions: int
    dropped: Mapping[str, str]
    files: tuple[str, ...]
    seconds: float
    enforced: bool = False
    calibrated: int = 0
    pending: int = 0

    def summary(self, lang: str = "en") -> str:
        """Return what was done and where, as a few lines of text (``"en"`` or ``"zh"``).

        File names are given relative to the output directory.
        """
        dist = ", ".join(
            f"{label} {n} ({self.guideline.get(label, 0.0):.0%})"
            for label, n in self.ratings.items()
        )
        fired = ", ".join(f"{k} {n}" for k, n in self.fired.items())
        dropped = "; ".join(f"{k}: {v}" for k, v in self.dropped.items()) or "none"
        if lang == "zh":
            state = "已执行" if self.enforced else "仅报告,未执行"
            lines = [
                f"perfmgmt 演示完成,用时 {self.seconds:.1f} 秒。输出目录:{self.out_dir}",
                f"周期 {self.cycle}:评分 {self.subjects} 位经理,其中 {self.rated} 位获得评级。",
                f"校准后评级分布(括号内为指导比例):{dist}",
                f"校准:强制分布{state},{self.calibrated} 人评级变动。",
                f"触发的规则:{fired}",
                f"奖金合计 {self.bonus_total} {self.currency},扣减合计 "
                f"{self.deduction_total} {self.currency};发展行动 {self.development_actions} 项。",
                f"待办:{self.pending} 次反馈面谈尚未进行。",
                f"剔除的坏数据行:{dropped}",
                "汇总表:summary.md(以及 summary.csv);团队报告:team.html(以及 team.md);"
                "个人报告:reports/<编号>.html(以及 .md)",
            ]
        else:
            state = "enforced" if self.enforced else "reported, not enforced"
            lines = [
                f"perfmgmt demo done in {self.seconds:.1f} s. Output: {self.out_dir}",
                f"Cycle {self.cycle}: scored {self.subjects} managers, {self.rated} rated.",
                f"Ratings after calibration (guideline share): {dist}",
                f"Calibration: guided distribution {state}; {self.calibrated} rating(s) changed.",
                f"Rules fired: {fired}",
                f"Bonuses {self.bonus_total} {self.currency}, deductions "
                f"{self.deduction_total} {self.currency}; "
                f"{self.development_actions} development actions suggested.",
                f"Pending: {self.pending} feedback interview(s) not held yet.",
                f"Bad rows dropped: {dropped}",
                "Summary table: summary.md (and summary.csv); team report: team.html (and "
                "team.md); reports: reports/<id>.html (and .md)",
            ]
        return "\n".join(lines)


def _noop(_text: str) -> None:
    return None


def _records_csv(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        if records:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in records)


def _actuals_records(scheme: Scheme, population: Population) -> list[dict[str, object]]:
    """Rows in the ``perfmgmt score`` input format (subject_id, KPIs, ``<kpi>:n``, ratings)."""
    out: list[dict[str, object]] = []
    for i, sid in enumerate(population.subject_ids):
        row: dict[str, object] = {"subject_id": sid}
        for j, k in enumerate(scheme.kpi_keys):
            v = float(population.actual[i, j])
            row[k] = None if np.isnan(v) else round(v, 6)
            row[f"{k}:n"] = int(population.sample_size[i, j])
        ratings = population.ratings
        raters = population.raters
        for qi, c in enumerate(scheme.criteria):
            for si, src in enumerate(scheme.sources):
                r = float(ratings[i, qi, si])
                row[f"{c.key}:{src.source.value}"] = None if np.isnan(r) else round(r, 6)
                row[f"{c.key}:{src.source.value}:raters"] = int(raters[i, qi, si])
        out.append(row)
    return out


# -- one manager's review through the workflow -----------------------------------------------------

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "above": "{kpi}: {actual} against a target of {target} (score {score:.0f})",
        "below": "{kpi}: {actual}, short of the threshold {threshold} (score {score:.0f})",
        "no_gap": "No KPI below its threshold",
        "no_strength": "No KPI above target this cycle",
        "kept": "Guided distribution reported, not enforced: rank {rank} of {rated}, guided "
        "rating {guided}; the scored rating {rating} stands",
        "enforced_kept": "Guided distribution enforced: rank {rank} of {rated}; rating {rating} "
        "kept",
        "warning": "Early warning: {kpis} projected short of the threshold at the cycle end",
        "on_track": "No early warning at the mid-term check",
    },
    "zh": {
        "above": "{kpi}:实际 {actual},目标 {target}(得分 {score:.0f})",
        "below": "{kpi}:实际 {actual},未达门槛 {threshold}(得分 {score:.0f})",
        "no_gap": "没有低于门槛的指标",
        "no_strength": "本周期没有超过目标的指标",
        "kept": "强制分布仅报告、未执行:排名 {rank}/{rated},指导评级 {guided};"
        "维持评分评级 {rating}",
        "enforced_kept": "已执行强制分布:排名 {rank}/{rated};评级 {rating} 不变",
        "warning": "预警:{kpis} 预计在周期结束时未达门槛",
        "on_track": "中期检查无预警",
    },
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=_TZ)


def _half(cycle: Cycle) -> Cycle:
    """The first half of ``cycle``: the data a mid-term check sees."""
    mid = cycle.start + dt.timedelta(days=cycle.days // 2 - 1)
    return Cycle(key=cycle.key, start=cycle.start, end=mid, frequency=cycle.frequency)


def _actuals(
    scheme: Scheme,
    actual: npt.NDArray[np.float64],
    size: npt.NDArray[np.int64],
    *,
    rounded: bool = False,
) -> tuple[Actual, ...]:
    """Return one manager's actuals (a row of ``actual`` and ``size``, in scheme order)."""
    out = []
    for j, kpi in enumerate(scheme.kpis):
        v, n = float(actual[j]), int(size[j])
        sample = n if n >= 0 else None
        if np.isnan(v):
            out.append(Actual(kpi=kpi.key, sample_size=sample))
        else:
            value = round(v, kpi.indicator.precision) if rounded else v
            out.append(Actual(kpi=kpi.key, value=value, sample_size=sample))
    return tuple(out)


def _stack(
    scheme: Scheme, values: Mapping[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    actual = np.column_stack([values[k][0] for k in scheme.kpi_keys])
    size = np.column_stack([values[k][1] for k in scheme.kpi_keys])
    return actual, size


def _assessments_of(cols: Columns | None, subject_id: str) -> tuple[Assessment, ...]:
    """Return the raters' own ratings of one manager (their standardised means were scored)."""
    if cols is None:
        return ()
    return tuple(
        Assessment(
            criterion=str(cols["criterion"][r]),
            source=AssessmentSource(str(cols["source"][r])),
            rater_id=str(cols["rater"][r]),
            rating=float(cols["rating"][r]),
        )
        for r in np.flatnonzero(cols["subject"] == subject_id).tolist()
    )


def _interview(
    scheme: Scheme, card: ScoreCard, plan: DevelopmentPlan, *, on: dt.date, lang: _Lang
) -> Interview:
    """Draft the interview from the card: KPIs above target, KPIs short of their threshold."""
    words = _WORDS[lang]
    strengths: list[str] = []
    gaps: list[str] = []
    for line in card.lines:
        if line.score is None or line.actual is None or line.target is None:
            continue
        ind = scheme.kpi(line.key).indicator
        sign = -1.0 if ind.direction is Direction.LOWER_IS_BETTER else 1.0

        def show(x: float, p: int = ind.precision, unit: str = ind.unit) -> str:
            return f"{x:.{p}f} {unit}".strip()

        fmt = {
            "kpi": ind.label.get(lang),
            "actual": show(line.actual),
            "target": show(line.target),
            "threshold": "-" if line.threshold is None else show(line.threshold),
            "score": line.score,
        }
        if line.score >= 100.0:
            strengths.append(words["above"].format(**fmt))
        elif line.threshold is not None and sign * line.actual < sign * line.threshold:
            gaps.append(words["below"].format(**fmt))
    return Interview(
        on=on,
        interviewer=_DIRECTOR,
        strengths=strengths or [words["no_strength"]],
        gaps=gaps or [words["no_gap"]],
        agreed_actions=[a.description for a in plan.actions],
    )


def _calibration_reason(guided: GuidedDistribution, i: int, lang: _Lang) -> str:
    sid = guided.subject_ids[i]
    for change in guided.log.changes:
        if change.subject_id == sid:
            return change.text(lang)
    key = "enforced_kept" if guided.enforced else "kept"
    return _WORDS[lang][key].format(
        rank=int(guided.rank[i]),
        rated=guided.rated,
        guided=guided.guided[i],
        rating=guided.rating[i],
    )


@attrs.frozen(kw_only=True, eq=False)
class _Walk:
    """What walking one review needs from the cycle's run."""

    scheme: Scheme
    cycle: Cycle
    policy: DevelopmentPolicy
    population: Population
    midterm: tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]
    assessments: Columns | None
    guided: GuidedDistribution
    today: dt.date
    lang: _Lang


def _walk_review(
    walk: _Walk,
    *,
    i: int,
    subject: Subject,
    card: ScoreCard,
    earlier: list[str | None],
    interview_day: dt.date,
) -> tuple[Review, DevelopmentPlan]:
    """Take one manager's review from goal setting as far as the report date allows."""
    from perfmgmt.workflow import (  # noqa: PLC0415
        agree_goals,
        calibrate,
        check_in,
        close,
        early_warnings,
        evaluate,
        record_interview,
        set_development_plan,
        suggest_development,
    )

    scheme, cycle, words = walk.scheme, walk.cycle, _WORDS[walk.lang]
    review = Review(
        subject=subject, cycle=cycle.key, scheme=scheme.key, scheme_hash=scheme.content_hash
    )
    # Goal setting keeps the scheme's targets (the population is scored on them).
    review = agree_goals(
        review,
        goals=[Goal(kpi=k) for k in scheme.kpi_keys],
        scheme=scheme,
        actor=_DIRECTOR,
        at=_at(cycle.start + dt.timedelta(days=4)),
    )
    mid = _half(cycle).end
    progress = _actuals(scheme, walk.midterm[0][i], walk.midterm[1][i], rounded=True)
    entry = CheckIn(on=mid, author=_DIRECTOR, progress=progress)
    probe = check_in(review, entry, actor=_DIRECTOR, at=_at(mid), cycle=cycle)
    warned = early_warnings(probe, scheme, cycle, cumulative=_CUMULATIVE)
    note = (
        words["warning"].format(
            kpis=", ".join(scheme.kpi(p.kpi).indicator.label.get(walk.lang) for p in warned)
        )
        if warned
        else words["on_track"]
    )
    entry = attrs.evolve(entry, note=note)
    review = check_in(review, entry, actor=_DIRECTOR, at=_at(mid), cycle=cycle)
    changes: dict[str, Any] = {"assessments": _assessments_of(walk.assessments, subject.id)}
    review = attrs.evolve(review, **changes)
    review = evaluate(
        review,
        card,
        cycle=cycle,
        actor=_DIRECTOR,
        at=_at(cycle.end + dt.timedelta(days=2)),
        actuals=_actuals(scheme, walk.population.actual[i], walk.population.sample_size[i]),
    )
    final = walk.guided.rating[i]
    if final is not None:
        review = calibrate(
            review,
            rating=final,
            reason=_calibration_reason(walk.guided, i, walk.lang),
            labels=scheme.rating_scale.labels,
            actor=_HR,
            at=_at(cycle.end + dt.timedelta(days=3)),
        )
    plan = suggest_development(
        scheme, card, earlier, policy=walk.policy, owner=subject.id, on=interview_day, review=review
    )
    if interview_day <= walk.today:
        interview = _interview(scheme, card, plan, on=interview_day, lang=walk.lang)
        review = record_interview(review, interview, actor=_DIRECTOR, at=_at(interview_day))
        review = set_development_plan(review, plan, actor=_DIRECTOR, at=_at(interview_day, 11))
        if interview_day < walk.today:
            review = close(review, actor=_HR, at=_at(interview_day + dt.timedelta(days=1)))
    return review, plan


def _final_index(labels: tuple[str, ...], ratings: tuple[str | None, ...]) -> npt.NDArray[np.int64]:
    return np.array([-1 if r is None else labels.index(r) for r in ratings], dtype=np.int64)


def run_demo(
    out_dir: str | os.PathLike[str] = "perfmgmt-demo",
    *,
    lang: str = "en",
    seed: int = 2025,
    managers: int = 40,
    agents: int = 600,
    tickets: int = 200_000,
    enforce_distribution: bool = False,
    progress: Callable[[str], None] = _noop,
) -> DemoRun:
    """Run the whole job on a generated organisation and write the results to ``out_dir``.

    Generates the organisation, validates its tables (dropping the planted bad rows), computes
    the preset's indicators per manager for two quarterly cycles, standardises the raters'
    qualitative ratings (raters with fewer than 3 ratings of a criterion pooled), scores every
    manager, compares the ratings with the guided distribution (enforced only when
    ``enforce_distribution`` is set), and applies the incentive rules to the final ratings
    with the first cycle as history.

    For the last cycle each manager's review then goes through :mod:`perfmgmt.workflow`, so
    its written report carries a real audit history: goals agreed by the director, a mid-term
    check on the first half of the quarter (with early warnings), the evaluation from the score
    card, calibration (the guided-distribution result and its reason), and, for interviews
    held by the report date (two weeks after the cycle ends), the feedback interview, the
    development plan from :func:`perfmgmt.development.suggest_development` and the close.
    Reviews whose interview is still to come stay calibrated and show as pending in the team
    report.

    Files written: ``data/*.csv`` (the raw tables), ``scheme.json`` (the preset),
    ``actuals_<cycle>.csv`` (input for ``perfmgmt score``), ``scores_<cycle>.csv``,
    ``decisions_<cycle>.csv``, ``calibration_<cycle>.md`` (rater offsets, the guided
    distribution report and every calibration change) with ``calibration_<cycle>.csv`` (the
    changes); for the last cycle ``reviews_<cycle>.jsonl`` (one review per line, as
    :func:`perfmgmt.serialization.dumps` writes it), ``reports/<id>.md`` and
    ``reports/<id>.html`` (:func:`perfmgmt.report.review_report`), ``team.md`` and
    ``team.html`` (:func:`perfmgmt.report.team_report`), ``summary.csv`` and ``summary.md``.

    Args:
        out_dir: Output directory (created if needed).
        lang: Report language, ``"en"`` or ``"zh"``.
        seed: Seed of the generated organisation.
        managers: Managers to generate.
        agents: Agents to generate.
        tickets: First contacts to generate.
        enforce_distribution: Let calibration apply the guided distribution's ratings (each
            change recorded with its rank); by default they are only reported.
        progress: Called with a short message at each of the :data:`DEMO_STEPS` steps.

    Returns:
        What was done and where.

    Raises:
        ValidationError: On a language other than ``"en"`` or ``"zh"``, or a bad count.
    """
    from perfmgmt.calibration import (  # noqa: PLC0415
        CalibrationLog,
        calibrate_ratings,
        guide_batch,
    )
    from perfmgmt.presets import (  # noqa: PLC0415
        customer_service_development,
        customer_service_manager,
    )
    from perfmgmt.report import review_report, team_report, to_html, to_markdown  # noqa: PLC0415
    from perfmgmt.rules import History, RuleEvaluator  # noqa: PLC0415
    from perfmgmt.scoring import ScoringEngine  # noqa: PLC0415
    from perfmgmt.serialization import dumps  # noqa: PLC0415

    if lang not in ("en", "zh"):
        raise ValidationError(
            f"run_demo: lang={lang!r} is not allowed; expected 'en' or 'zh'",
            field="lang",
            value=lang,
        )
    report_lang: _Lang = "zh" if lang == "zh" else "en"
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    progress(f"generating {managers} managers, {agents} agents, {tickets:,} contacts (seed {seed})")
    org = generate_organisation(seed=seed, managers=managers, agents=agents, tickets=tickets)
    progress("writing the raw data to data/*.csv")
    files += org.write_csv(out / "data").values()
    progress("validating the tables (bad rows are dropped and reported)")
    tables = load_tables(org)
    scheme = customer_service_manager()
    (out / "scheme.json").write_text(dumps(scheme, indent=2) + "\n", encoding="utf-8")
    files.append(out / "scheme.json")

    engine, evaluator = ScoringEngine(), RuleEvaluator()
    history: History | None = None
    past: list[list[tuple[str | None, float | None]]] = [[] for _ in org.subjects]
    previous = org.baseline
    last = org.cycles[-1]
    for cycle in org.cycles:
        progress(f"{cycle.key}: computing indicators, scoring, calibrating, applying rules")
        baseline = previous
        population = cycle_population(org, scheme, tables, cycle, previous)
        cols = org.assessments.get(cycle.key)
        rater_text, log = "", CalibrationLog()
        if cols is not None and len(cols["subject"]):
            raters = calibrate_ratings(
                scheme,
                subject=cols["subject"],
                criterion=cols["criterion"],
                source=cols["source"],
                rater=cols["rater"],
                rating=cols["rating"],
                min_ratings=3,
            )
            mean, count = raters.mean_ratings(scheme, org.subject_ids)
            population = attrs.evolve(population, ratings=mean, raters=count)
            rater_text, log = raters.report(report_lang, pooled=False) + "\n\n", raters.log
        batch = engine.score_batch(scheme, population)
        guided = guide_batch(scheme, batch, enforce=enforce_distribution)
        log += guided.log
        (out / f"calibration_{cycle.key}.md").write_text(
            f"# {cycle.key}\n\n{rater_text}{guided.report(report_lang)}\n\n"
            f"{log.explain(report_lang)}\n",
            encoding="utf-8",
        )
        _records_csv(out / f"calibration_{cycle.key}.csv", log.to_records())
        files += [out / f"calibration_{cycle.key}.md", out / f"calibration_{cycle.key}.csv"]
        # Incentives follow the final (calibrated) rating; the scores stay as scored.
        decided = attrs.evolve(
            batch, rating_index=_final_index(scheme.rating_scale.labels, guided.rating)
        )
        decisions = evaluator.evaluate_batch(scheme, decided, population, history)
        for name, records in (
            (f"actuals_{cycle.key}.csv", _actuals_records(scheme, population)),
            (f"scores_{cycle.key}.csv", batch.to_records()),
            (f"decisions_{cycle.key}.csv", decisions.to_records()),
        ):
            _records_csv(out / name, records)
            files.append(out / name)
        for i in range(len(batch)):
            total = float(batch.total[i])
            past[i].append((guided.rating[i], None if np.isnan(total) else total))
        history = History.from_records(past)
        previous = cycle

    progress(f"{last.key}: taking every review through the workflow, writing the reports")
    today = last.end + dt.timedelta(days=_REPORT_AFTER_DAYS)
    # Interviews are spread over the fortnight after the cycle; a few fall after the report.
    interview_after = np.random.default_rng([seed, 1]).integers(
        4, _REPORT_AFTER_DAYS + 3, len(org.subjects)
    )
    walk = _Walk(
        scheme=scheme,
        cycle=last,
        policy=customer_service_development(),
        population=population,
        midterm=_stack(scheme, kpi_actuals(org, tables, _half(last), baseline)),
        assessments=org.assessments.get(last.key),
        guided=guided,
        today=today,
        lang=report_lang,
    )
    scored = batch.rating()
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    reviews: list[Review] = []
    actions = 0
    summary: list[dict[str, object]] = []
    for i, subject in enumerate(org.subjects):
        card = batch.row(i)
        dec = decisions.row(i)
        earlier = [r for r, _ in past[i][:-1]]
        on = last.end + dt.timedelta(days=int(interview_after[i]))
        review, plan = _walk_review(
            walk, i=i, subject=subject, card=card, earlier=earlier, interview_day=on
        )
        reviews.append(review)
        actions += len(plan.actions)
        report = review_report(review, scheme, card=card, decisions=dec, lang=report_lang)
        for suffix, text in ((".md", to_markdown(report)), (".html", to_html(report))):
            path = reports / f"{subject.id}{suffix}"
            path.write_text(text, encoding="utf-8")
            files.append(path)
        row: dict[str, object] = {
            "subject_id": subject.id,
            "name": subject.name,
            "department": subject.department,
            "grade": subject.grade,
        }
        for j, k in enumerate(scheme.kpi_keys):
            row[k] = _round(batch.actual[i, j])
            row[f"{k}:score"] = _round(batch.score[i, j])
        row.update(
            quantitative=_round(batch.quantitative[i]),
            qualitative=_round(batch.qualitative[i]),
            total=_round(batch.total[i]),
            rating=guided.rating[i],
            scored_rating=scored[i],
            previous_rating=earlier[-1] if earlier else None,
            bonus=dec.bonus,
            deduction=dec.deduction,
            outcomes="; ".join(dict.fromkeys(d.source for d in dec.decisions if d.source)),
            development_actions=len(plan.actions),
            status=review.status.value,
        )
        summary.append(row)
    jsonl = out / f"reviews_{last.key}.jsonl"
    jsonl.write_text("".join(dumps(r) + "\n" for r in reviews), encoding="utf-8")
    files.append(jsonl)

    progress("writing the team report (team.md, team.html) and the summary (summary.csv, .md)")
    team = team_report(reviews, scheme, cycle=last, today=today, lang=report_lang)
    for name, text in (("team.md", to_markdown(team)), ("team.html", to_html(team))):
        (out / name).write_text(text, encoding="utf-8")
        files.append(out / name)
    summary.sort(key=lambda r: -(r["total"] if isinstance(r["total"], float) else -1.0))
    _records_csv(out / "summary.csv", summary)
    files.append(out / "summary.csv")
    bands = scheme.rating_scale.bands
    ratings = {b.label: sum(1 for r in guided.rating if r == b.label) for b in reversed(bands)}
    guideline = {b.label: b.guideline_share or 0.0 for b in bands}
    fired = {k: int(decisions.fired(k).sum()) for k in decisions.rule_keys + decisions.table_keys}
    bonus_total = sum((r["bonus"] for r in summary if isinstance(r["bonus"], Decimal)), Decimal(0))
    deduction_total = sum(
        (r["deduction"] for r in summary if isinstance(r["deduction"], Decimal)), Decimal(0)
    )
    md = _summary_markdown(
        summary, scheme=scheme, cycle=last, ratings=ratings, guideline=guideline, lang=report_lang
    )
    (out / "summary.md").write_text(md, encoding="utf-8")
    files.append(out / "summary.md")
    return DemoRun(
        out_dir=out,
        cycle=last.key,
        subjects=len(org.subjects),
        rated=int(batch.rated.sum()),
        ratings=ratings,
        guideline=guideline,
        fired=fired,
        bonus_total=bonus_total,
        deduction_total=deduction_total,
        currency=decisions.currency or "CNY",
        development_actions=actions,
        dropped=tables.dropped(),
        files=tuple(str(p.relative_to(out)) for p in files),
        seconds=time.perf_counter() - t0,
        enforced=enforce_distribution,
        calibrated=sum(1 for b, a in zip(guided.before, guided.rating, strict=True) if b != a),
        pending=sum(1 for r in reviews if r.interview is None),
    )


def _round(value: float | np.floating[Any]) -> float | None:
    v = float(value)
    return None if np.isnan(v) else round(v, 2)


def _summary_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.1f}"
    return str(value)


def _summary_markdown(
    rows: list[dict[str, object]],
    *,
    scheme: Scheme,
    cycle: Cycle,
    ratings: Mapping[str, int],
    guideline: Mapping[str, float],
    lang: _Lang,
) -> str:
    """Render the summary with the report renderer, so every cell is escaped the same way."""
    from perfmgmt.report import Heading, Report, Table, to_markdown  # noqa: PLC0415

    zh = lang == "zh"
    n = max(sum(ratings.values()), 1)
    title = (
        f"汇总:{scheme.label.get('zh')},{cycle.key}"
        if zh
        else f"Summary: {scheme.label.en}, {cycle.key}"
    )
    dist = Table(
        headers=("评级", "人数", "占比", "指导比例")
        if zh
        else ("Rating", "People", "Share", "Guideline"),
        rows=tuple(
            (label, str(count), f"{count / n:.0%}", f"{guideline.get(label, 0.0):.0%}")
            for label, count in ratings.items()
        ),
    )
    cols = ("subject_id", "name", "department", *scheme.kpi_keys, "quantitative",
            "qualitative", "total", "rating", "bonus", "deduction", "outcomes",
            "status")  # fmt: skip
    people = Table(
        headers=cols, rows=tuple(tuple(_summary_cell(r.get(c)) for c in cols) for r in rows)
    )
    report = Report(title=title, lang=lang, blocks=(Heading(text=title, level=1), dist, people))
    return to_markdown(report)
