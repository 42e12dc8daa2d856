"""The seeded draws of the organisation's people and tables.

Each function draws one table from plausible distributions, vectorised with numpy, in a fixed
order from one generator: the same seed gives bit-identical data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import FloatArray
from perfmgmt.model import Subject

Columns = dict[str, npt.NDArray[Any]]
"""A table: equal-length numpy arrays by column name."""

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


def _quarter(year: int, q: int) -> tuple[str, dt.date, dt.date]:
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year, 12, 31) if q == 4 else dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)
    return (f"FY{year}Q{q}", start, end)


# The cost baseline FY2024Q4, then two years of quarterly review cycles, FY2025Q1 to FY2026Q4.
_QUARTERS = (_quarter(2024, 4), *(_quarter(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)))
# Hire dates are drawn as tenure before this day (the end of the first half-year of reviews), so
# a few managers join during the first year and everyone has a track record in the second.
_HIRE_ANCHOR = dt.date(2025, 6, 30)
# A manager who leaves does so by the end of the first year of reviews (FY2025Q4).
_HANDOVER_BY = _QUARTERS[4][2]
_SECOND = np.timedelta64(1, "s")


@attrs.frozen(kw_only=True, eq=False)
class _Succession:
    """Who leads each team when: its first manager, then (for a few teams) a successor.

    Teams are numbered by their first manager's index; ``successor[t]`` is the index of the
    manager who takes team ``t`` over (-1 for none) on day ``handover[t]`` (days from the
    first day of data).
    """

    successor: npt.NDArray[np.intp]
    handover: npt.NDArray[np.int64]

    def lead(self, team: npt.NDArray[np.intp], day: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Return the manager leading ``team`` on ``day`` (days from the first day of data)."""
        succ = self.successor[team]
        return np.where((succ >= 0) & (day >= self.handover[team]), succ, team)


def _days_from(when: npt.NDArray[np.datetime64], t0: np.datetime64) -> npt.NDArray[np.int64]:
    """Whole days from ``t0`` (the first second of data) to each time."""
    return ((when - t0) // np.timedelta64(1, "D")).astype(np.int64)


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
    # Someone must lead a team from the first day of data, or early contacts have no team.
    covered = (_HIRE_ANCHOR - _QUARTERS[0][1]).days
    longest = int(np.argmax(tenure_days))
    tenure_days[longest] = max(int(tenure_days[longest]), covered)
    out = []
    for i in range(n):
        hire = _HIRE_ANCHOR - dt.timedelta(days=int(tenure_days[i]))
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


def _form(rng: np.random.Generator, quality: npt.NDArray[np.float64], quarters: int) -> FloatArray:
    """Each manager's quality in each quarter of data: their own level plus a drifting form.

    The form follows an AR(1) walk (three quarters of last quarter's form plus fresh noise,
    standard deviation about 0.45 in the long run), so people improve and slip from quarter
    to quarter and year to year but stay near their own level.

    Returns:
        An array of shape ``(managers, quarters)``.
    """
    shocks = rng.normal(0.0, 0.3, (len(quality), quarters))
    shocks[:, 0] /= np.sqrt(1 - 0.75**2)  # start the walk at its long-run spread
    form = np.empty_like(shocks)
    form[:, 0] = shocks[:, 0]
    for t in range(1, quarters):
        form[:, t] = 0.75 * form[:, t - 1] + shocks[:, t]
    return quality[:, None] + form


def _cost_factor(rng: np.random.Generator, quality: FloatArray, quarters: int) -> FloatArray:
    """Each manager's cost per contact by quarter, as a factor of the baseline quarter's.

    Cost falls by a manager's own saving rate each quarter (a little faster for stronger
    managers), give or take a quarter's luck.

    Returns:
        An array of shape ``(managers, quarters)``, 1 in the baseline quarter.
    """
    trend = rng.normal(0.03, 0.04, len(quality)) + 0.015 * quality
    saving = trend[:, None] + rng.normal(0, 0.02, (len(quality), quarters))
    saving[:, 0] = 0.0
    return np.cumprod(1 - saving, axis=1, dtype=np.float64)


def _quarter_of(
    offset: npt.NDArray[np.int64], edges: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """Return the quarter (index into ``edges``, the quarters' first seconds) of each offset."""
    return np.searchsorted(edges, offset, side="right") - 1


def _successions(
    rng: np.random.Generator,
    subjects: tuple[Subject, ...],
    quality: FloatArray,
    ids: npt.NDArray[np.str_],
    changes: int,
) -> tuple[tuple[Subject, ...], FloatArray, _Succession]:
    """Let ``changes`` managers leave in the second half of the first year of reviews.

    A successor (ids ``ids[len(subjects):]``, with their own quality) takes each team over the
    day after its manager's last working day, in the same department.

    Returns:
        The subjects (leavers with their leave date, successors appended), everyone's quality,
        and who leads each team when.
    """
    managers = len(subjects)
    successor = np.full(managers, -1, dtype=np.intp)
    handover = np.zeros(managers, dtype=np.int64)
    if changes == 0:
        return subjects, quality, _Succession(successor=successor, handover=handover)
    teams = np.sort(rng.choice(managers, size=changes, replace=False))
    last_days = [_HANDOVER_BY - dt.timedelta(days=int(d)) for d in rng.integers(0, 150, changes)]
    new_quality = rng.standard_normal(changes)
    drawn = _subjects(rng, changes, new_quality, ids[managers : managers + changes])
    out = list(subjects)
    for j, (team, last) in enumerate(zip(teams.tolist(), last_days, strict=True)):
        first = last + dt.timedelta(days=1)
        out[team] = attrs.evolve(out[team], leave_date=last)
        out.append(attrs.evolve(drawn[j], hire_date=first, department=subjects[team].department))
        successor[team] = managers + j
        handover[team] = (first - _QUARTERS[0][1]).days
    return (
        tuple(out),
        np.concatenate([quality, new_quality]),
        _Succession(successor=successor, handover=handover),
    )


def _tickets(
    rng: np.random.Generator,
    *,
    n: int,
    agent_manager: npt.NDArray[np.intp],
    agent_skill: npt.NDArray[np.float64],
    manager_quality: FloatArray,
    cost_factor: FloatArray,
    hired: npt.NDArray[np.int64],
    succession: _Succession,
    t0: np.datetime64,
    edges: npt.NDArray[np.int64],
    window: int,
) -> Columns:
    """Draw ``n`` first contacts, the follow-ups of unsolved problems, and how each one went.

    ``agent_manager`` gives each agent's team; the team's manager on the day of the contact
    (``succession``) is the one it counts for. An agent's quality in a quarter is 0.6 of that
    manager's quality that quarter plus their own ``agent_skill``; ``cost_factor`` scales
    each manager's cost per contact by quarter.
    """
    contacts = _first_contacts(
        rng,
        n=n,
        agent_manager=agent_manager,
        agent_skill=agent_skill,
        manager_quality=manager_quality,
        hired=hired,
        succession=succession,
        edges=edges,
        window=window,
    )
    contacts = _with_follow_ups(rng, contacts, window=window)
    # A follow-up that comes back after a handover is the successor's.
    contacts["manager"] = succession.lead(contacts["team"], contacts["offset"] // 86_400)
    return _handled(
        rng, contacts, customers=max(n, 200), cost_factor=cost_factor, t0=t0, edges=edges
    )


def _first_contacts(
    rng: np.random.Generator,
    *,
    n: int,
    agent_manager: npt.NDArray[np.intp],
    agent_skill: npt.NDArray[np.float64],
    manager_quality: FloatArray,
    hired: npt.NDArray[np.int64],
    succession: _Succession,
    edges: npt.NDArray[np.int64],
    window: int,
) -> Columns:
    """Draw who takes each first contact, when it arrives, and which customer makes it.

    Returns:
        Per contact: the agent, the agent's team and manager that day (indices) and quality
        that quarter, the arrival in seconds into the window, and the customer (index).
    """
    agents = len(agent_manager)
    # Agents take work in proportion to a gamma-distributed capacity.
    load = rng.gamma(6.0, 1.0, agents)
    agent = rng.choice(agents, size=n, p=load / load.sum())
    # Arrival times: a uniform day, then an hour from a day-shaped profile (busy mid-morning).
    day = rng.integers(0, window // 86_400, n)
    agent = _staffed(rng, agent, day, load=load, start=hired[agent_manager])
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
    team = agent_manager[agent]
    manager = succession.lead(team, day)
    quality = 0.6 * manager_quality[manager, _quarter_of(offset, edges)] + agent_skill[agent]
    return {
        "agent": agent,
        "team": team,
        "manager": manager,
        "quality": quality,
        "offset": offset,
        "customer": customer,
    }


def _with_follow_ups(rng: np.random.Generator, contacts: Columns, *, window: int) -> Columns:
    """Resolve each first contact; unsolved problems come back 4 hours to 6 days later.

    Returns:
        The contacts and their follow-ups in order of arrival, with whether each was resolved.
    """
    q, offset = contacts["quality"], contacts["offset"]
    n = len(offset)
    resolved_p = 1 / (1 + np.exp(-(1.7 + 0.45 * q)))
    resolved = rng.random(n) < resolved_p
    follow = ~resolved & (rng.random(n) < 0.7)
    k = int(follow.sum())
    f_idx = np.flatnonzero(follow)
    f_offset = offset[f_idx] + rng.integers(4 * 3600, 6 * 86_400, k)
    keep = f_offset < window
    f_idx, f_offset = f_idx[keep], f_offset[keep]
    out = {name: np.concatenate([col, col[f_idx]]) for name, col in contacts.items()}
    out["offset"] = np.concatenate([offset, f_offset])
    out["resolved"] = np.concatenate([resolved, rng.random(len(f_idx)) < resolved_p[f_idx] + 0.05])
    order = np.argsort(out["offset"], kind="stable")
    return {name: col[order] for name, col in out.items()}


def _handled(
    rng: np.random.Generator,
    contacts: Columns,
    *,
    customers: int,
    cost_factor: FloatArray,
    t0: np.datetime64,
    edges: npt.NDArray[np.int64],
) -> Columns:
    """Draw how each contact went: channel, wait or abandonment, replies, handling, cost, CSAT."""
    agent, m, q = contacts["agent"], contacts["manager"], contacts["quality"]
    offset, customer, resolved = contacts["offset"], contacts["customer"], contacts["resolved"]
    total = len(offset)
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

    base_cost = np.nan_to_num(handle) / 3600 * 62.0 + np.where(email, 1.2, 2.8)
    cost = np.round(base_cost * cost_factor[m, _quarter_of(offset, edges)], 2)

    # Satisfaction: resolution and a short wait please; quality shows through.
    mood = 1.1 * resolved - np.nan_to_num(wait) / 400 + 0.35 * q + rng.normal(0, 0.9, total)
    csat = 1.0 + np.searchsorted(np.array([-1.6, -0.9, -0.1, 0.75]), mood).astype(np.float64)
    csat[(rng.random(total) > 0.32) | abandoned] = np.nan
    return {
        "ticket_id": _labels("TK", total, 7),
        "_manager": m,
        "_team": contacts["team"],
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
    """Keep the rows recorded on or after the day the row's manager started.

    (Rows after a manager left are already their successor's: see :class:`_Succession`.)
    """
    start = np.array([first_day[m] for m in cols["manager"].tolist()], dtype="datetime64[s]")
    keep = cols[when] >= start
    return {k: v[keep] for k, v in cols.items()}


def _projects_since_hire(
    cols: Columns,
    first_day: Mapping[str, np.datetime64],
    last_day: Mapping[str, np.datetime64] | None = None,
) -> Columns:
    """Keep the projects live under their owner (started, or delivered, after the first day).

    A project taken over on the first day counts as started that day.  A project started
    after its owner's last working day (``last_day``, for managers who left) is dropped; one
    delivered after it was not delivered by them.
    """
    managers = cols["manager"].tolist()
    start = np.array([first_day[m] for m in managers], dtype="datetime64[s]")
    delivered = cols["delivered"].copy()
    keep = (cols["started"] >= start) | (~np.isnat(delivered) & (delivered >= start))
    if last_day:
        end = np.array([last_day.get(m, np.datetime64("NaT")) for m in managers],
                       dtype="datetime64[s]")  # fmt: skip
        left = ~np.isnat(end)
        keep &= ~(left & (cols["started"] > end))
        delivered[left & (delivered > end)] = np.datetime64("NaT")
    out = {**cols, "started": np.maximum(cols["started"], start), "delivered": delivered}
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
    agent_skill: npt.NDArray[np.float64],
    manager_quality: FloatArray,
    succession: _Succession,
    manager_ids: npt.NDArray[np.str_],
) -> Columns:
    # A monthly pulse survey over every month of data; about 80 % of agents answer each month.
    months = 3 * manager_quality.shape[1]
    agents = len(agent_ids)
    a = np.tile(np.arange(agents), months)
    month = np.repeat(np.arange(months), agents)
    answered = rng.random(len(a)) < 0.8
    a, month = a[answered], month[answered]
    k = len(a)
    submitted = (t0.astype("datetime64[M]") + month.astype("timedelta64[M]")).astype(
        "datetime64[s]"
    ) + rng.integers(2 * 86_400, 25 * 86_400, k) * _SECOND
    manager = succession.lead(agent_manager[a], _days_from(submitted, t0))
    quality = 0.6 * manager_quality[manager, month // 3] + agent_skill[a]
    mood = 3.7 + 0.35 * quality + rng.normal(0, 0.55, k)
    pulse = np.clip(np.round(mood * 4) / 4, 1.0, 5.0)
    recommend = np.clip(np.round(mood * 2.1 + rng.normal(0, 1.2, k)), 0, 10)
    return {
        "manager": manager_ids[manager],
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
    quality: FloatArray,
    succession: _Succession,
    manager_ids: npt.NDArray[np.str_],
) -> Columns:
    # Sessions per agent per quarter: Poisson around the development focus of the team's
    # manager mid-quarter, which follows that manager's quality that quarter (``quality`` is
    # managers x quarters).
    habit = rng.normal(0, 0.25, len(quality))
    agents = len(agent_ids)
    rows = []
    for qi, start in enumerate(starts):
        focus = np.exp(0.3 * quality[:, qi] + habit)
        mid = np.full(agents, _days_from(start, starts[0]) + 45)
        sessions = rng.poisson(3.2 * focus[succession.lead(agent_manager, mid)])
        a = np.repeat(np.arange(agents), sessions)
        day = rng.integers(0, 88, len(a))
        rows.append((a, start + day * 86_400 * _SECOND, qi))
    a = np.concatenate([r[0] for r in rows])
    date = np.concatenate([r[1] for r in rows])
    manager = succession.lead(agent_manager[a], _days_from(date, starts[0]))
    hours = rng.choice(np.array([1.0, 2.0, 3.0, 4.0, 8.0]), len(a), p=[0.2, 0.3, 0.2, 0.2, 0.1])
    return {
        "manager": manager_ids[manager],
        "agent": agent_ids[a],
        "person": agent_ids[a],
        "date": date,
        "hours": hours,
    }


def _projects(
    rng: np.random.Generator,
    starts: npt.NDArray[np.datetime64],
    quality: FloatArray,
    manager_ids: npt.NDArray[np.str_],
) -> Columns:
    # Innovation projects: about one a quarter, more from managers stronger that quarter
    # (``quality`` is managers x quarters); some not delivered.
    managers = len(quality)
    count = rng.poisson(np.exp(0.1 + 0.35 * quality), (managers, len(starts)))
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


_LOCATIONS = ("Shanghai", "Chengdu", "Wuhan", "Shenyang", "remote")
_AGE_BANDS = ("under 30", "30-39", "40-49", "50 and over")


def _group_attributes(seed: int, subjects: tuple[Subject, ...]) -> dict[str, tuple[str, ...]]:
    """Draw each manager's group attributes, from their own seed (the other draws are kept).

    Department is the subject's; gender, age band and location are drawn independently of
    quality, so any difference a fairness analysis finds is chance (or the scheme's).
    """
    rng = np.random.default_rng([seed, 20])
    n = len(subjects)
    gender = rng.choice(np.array(["female", "male"]), n, p=[0.55, 0.45])
    age = rng.choice(np.array(_AGE_BANDS), n, p=[0.15, 0.45, 0.3, 0.1])
    location = rng.choice(np.array(_LOCATIONS), n, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    return {
        "department": tuple(s.department or "" for s in subjects),
        "gender": tuple(str(x) for x in gender),
        "age_band": tuple(str(x) for x in age),
        "location": tuple(str(x) for x in location),
    }
