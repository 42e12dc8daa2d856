"""Tests of the seeded demo organisation generator (perfmgmt.demo)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from perfmgmt.demo import DemoOrganisation, generate_organisation
from perfmgmt.errors import PerfmgmtError
from perfmgmt.metrics import csat, first_contact_resolution

SMALL = {"managers": 6, "agents": 60, "tickets": 6_000}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    def equal(x: np.ndarray, y: np.ndarray) -> bool:
        if x.dtype.kind in "fM":
            return bool(np.array_equal(x, y, equal_nan=True))
        return bool(np.array_equal(x, y))

    return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)


class TestDeterminism:
    def test_same_seed_same_data(self) -> None:
        """The same seed gives identical tables, subjects and assessments."""
        a = generate_organisation(seed=11, **SMALL)
        b = generate_organisation(seed=11, **SMALL)
        assert a.subjects == b.subjects
        for name in ("tickets", "surveys", "trainings", "projects"):
            assert _same(getattr(a, name), getattr(b, name)), name
        for cycle in a.assessments:
            assert _same(a.assessments[cycle], b.assessments[cycle])
        assert a.bad_rows == b.bad_rows

    def test_other_seed_other_data(self) -> None:
        """A different seed gives different tickets."""
        a = generate_organisation(seed=11, **SMALL)
        b = generate_organisation(seed=12, **SMALL)
        assert not _same(a.tickets, b.tickets)


class TestShape:
    def test_counts(self) -> None:
        """Managers, agents and first contacts come in the numbers asked for."""
        org = generate_organisation(seed=3, **SMALL)
        assert len(org.subjects) == SMALL["managers"]
        assert sum(org.headcount.values()) == SMALL["agents"]
        assert min(org.headcount.values()) >= 1
        n = len(org.tickets["created"])
        # follow-up contacts of unsolved problems come on top of the first contacts
        assert SMALL["tickets"] <= n < 1.5 * SMALL["tickets"]
        assert all(len(col) == n for col in org.tickets.values())

    def test_two_years_of_quarterly_cycles_after_a_baseline(self) -> None:
        """Eight consecutive calendar quarters, FY2025Q1 to FY2026Q4, follow FY2024Q4."""
        org = generate_organisation(seed=3, **SMALL)
        expected = [f"FY{y}Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]
        assert [c.key for c in org.cycles] == expected
        assert (org.baseline.key, org.baseline.start) == ("FY2024Q4", dt.date(2024, 10, 1))
        for before, after in itertools.pairwise((org.baseline, *org.cycles)):
            assert after.start == before.end + dt.timedelta(days=1)
            assert after.start.day == 1
            assert after.start.month % 3 == 1
        assert org.cycles[-1].end == dt.date(2026, 12, 31)
        assert set(org.assessments) == set(expected)

    def test_planted_bad_rows_are_dropped_and_reported(self) -> None:
        """A lenient load drops exactly the planted bad rows and names their columns."""
        org = generate_organisation(seed=5, **SMALL, bad_row_share=0.004)
        table = org.tickets_table(strict=False)
        assert tuple(r.row for r in table.dropped.rows) == org.bad_rows["tickets"]
        assert len(table) == len(org.tickets["created"]) - len(org.bad_rows["tickets"])
        with pytest.raises(PerfmgmtError, match="row"):
            org.tickets_table(strict=True)

    def test_no_bad_rows_when_share_is_zero(self) -> None:
        """With bad_row_share=0 a strict load succeeds."""
        org = generate_organisation(seed=5, **SMALL, bad_row_share=0.0)
        assert len(org.tickets_table(strict=True)) == len(org.tickets["created"])

    def test_indicators_are_plausible(self) -> None:
        """CSAT and first-contact resolution land in realistic ranges for every manager."""
        org = generate_organisation(seed=9, **SMALL)
        tickets = org.tickets_table()
        sat = csat(tickets).value
        fcr = first_contact_resolution(tickets).value
        assert np.all((sat > 0.4) & (sat < 1.0))
        assert np.all((fcr > 0.4) & (fcr < 0.95))

    def test_quality_shows_in_satisfaction(self) -> None:
        """Stronger managers (hidden quality) tend to have more satisfied customers."""
        org = generate_organisation(seed=1, managers=30, agents=300, tickets=30_000)
        sat = csat(org.tickets_table()).value
        assert np.corrcoef(org.quality, sat)[0, 1] > 0.3

    def test_csv_written(self, tmp_path: object) -> None:
        """write_csv writes one readable CSV per table with the same number of rows."""
        from pathlib import Path

        from perfmgmt.metrics import Tickets

        org = generate_organisation(seed=2, **SMALL, bad_row_share=0.0)
        paths = org.write_csv(Path(str(tmp_path)))
        loaded = Tickets.from_csv(paths["tickets"])
        assert len(loaded) == len(org.tickets["created"])
        assert paths["subjects"].read_text(encoding="utf-8").count("\n") == SMALL["managers"] + 1


class TestHireDates:
    def _first_days(self, org: DemoOrganisation) -> dict[str, np.datetime64]:
        """Return each manager's hire date as a datetime64 by manager id."""
        return {
            s.id: np.datetime64(s.hire_date.isoformat(), "s")
            for s in org.subjects
            if s.hire_date is not None
        }

    def test_nothing_recorded_before_a_manager_is_hired(self) -> None:
        """No ticket, survey, training or project is recorded under a manager before hire."""
        org = generate_organisation(seed=2025, managers=40, agents=400, tickets=20_000)
        hired = self._first_days(org)
        data_start = np.datetime64(org.baseline.start.isoformat(), "s")
        late = [sid for sid, day in hired.items() if day > data_start]
        assert late  # the seed hires some managers inside the data window
        for table, column in (
            (org.tickets, "created"),
            (org.surveys, "submitted"),
            (org.trainings, "date"),
            (org.projects, "started"),
        ):
            start = np.array([hired[m] for m in table["manager"].tolist()])
            assert not np.any(table[column] < start), column
        for sid in late:
            created = org.tickets["created"][org.tickets["manager"] == sid]
            assert created.size  # a late hire's team still takes contacts after the hire date

    def test_contacts_still_drawn_in_full(self) -> None:
        """Moving early contacts to staffed teams keeps the number of first contacts asked for."""
        org = generate_organisation(seed=2025, managers=40, agents=400, tickets=20_000)
        assert len(org.tickets["created"]) >= 20_000

    def test_someone_leads_from_the_first_day(self) -> None:
        """At least one manager was hired by the first day of data, for any seed."""
        for seed in range(20):
            org = generate_organisation(seed=seed, managers=1, agents=5, tickets=200)
            first = org.subjects[0].hire_date
            assert first is not None
            assert first <= org.baseline.start


class TestMovement:
    def test_form_drifts_around_each_managers_quality(self) -> None:
        """Quarterly quality stays near a manager's own level, yet people improve and slip."""
        org = generate_organisation(seed=4, managers=19, agents=200, tickets=4_000)
        assert org.form is not None
        assert org.form.shape == (19, 1 + len(org.cycles))
        assert np.corrcoef(org.quality, org.form.mean(axis=1))[0, 1] > 0.8
        year1, year2 = org.form[:, 1:5].mean(axis=1), org.form[:, 5:9].mean(axis=1)
        assert (year2 - year1).max() > 0.2  # someone improved
        assert (year2 - year1).min() < -0.2  # someone slipped

    def test_the_data_follows_the_form(self) -> None:
        """Managers whose form rose from one year to the next gained customer satisfaction."""
        org = generate_organisation(seed=0, managers=19, agents=300, tickets=60_000)
        assert org.form is not None
        tickets = org.tickets_table()
        sat = [
            csat(tickets, period=(dt.date(y, 1, 1), dt.date(y + 1, 1, 1))).value
            for y in (2025, 2026)
        ]
        rise = org.form[:, 5:9].mean(axis=1) - org.form[:, 1:5].mean(axis=1)
        assert np.corrcoef(rise, sat[1] - sat[0])[0, 1] > 0.3


@pytest.fixture(scope="module")
def forty() -> DemoOrganisation:
    """Forty teams: two change manager during the first year."""
    return generate_organisation(seed=2025, managers=40, agents=400, tickets=20_000)


class TestManagerChange:
    def test_two_leave_and_two_successors_join(self, forty: DemoOrganisation) -> None:
        """A successor starts the day after the leaver's last day, in the same department."""
        leavers = [s for s in forty.subjects if s.leave_date is not None]
        successors = forty.subjects[40:]
        assert len(leavers) == len(successors) == 2
        assert [s.id for s in successors] == ["M41", "M42"]
        assert forty.agents == 400
        starts = {s.hire_date: s for s in successors}
        for left in leavers:
            assert left.leave_date is not None
            assert dt.date(2025, 7, 1) <= left.leave_date <= dt.date(2025, 12, 31)
            successor = starts[left.leave_date + dt.timedelta(days=1)]
            assert successor.department == left.department
            assert forty.headcount[successor.id] == forty.headcount[left.id]

    def test_a_team_keeps_its_name_and_changes_its_manager(self, forty: DemoOrganisation) -> None:
        """The team's contacts count for the leaver up to the last day, then for the successor."""
        t = forty.tickets
        for left in (s for s in forty.subjects if s.leave_date is not None):
            assert left.leave_date is not None
            team = set(t["team"][t["manager"] == left.id].tolist())
            assert len(team) == 1
            led = t["manager"][t["team"] == team.pop()]
            first = left.leave_date + dt.timedelta(days=1)
            successor = next(s.id for s in forty.subjects if s.hire_date == first)
            assert set(led.tolist()) == {left.id, successor}
            last = np.datetime64(first.isoformat(), "s")
            for table, column in (
                (forty.tickets, "created"),
                (forty.surveys, "submitted"),
                (forty.trainings, "date"),
                (forty.projects, "started"),
            ):
                mine = table[column][table["manager"] == left.id]
                assert not np.any(mine >= last), column

    def test_present_follows_the_employment_dates(self, forty: DemoOrganisation) -> None:
        """Leavers are absent after their last quarter, successors before their first."""
        keys = [c.key for c in forty.cycles]
        present = {k: set(np.asarray(forty.subject_ids)[forty.present(c)]) for k, c in zip(
            keys, forty.cycles, strict=True)}  # fmt: skip
        leavers = {s.id for s in forty.subjects if s.leave_date is not None}
        assert all(len(present[k]) == 40 for k in keys if k != "FY2025Q4")
        assert present["FY2025Q4"] == set(forty.subject_ids)  # both left and joined that quarter
        assert leavers <= present["FY2025Q3"]
        assert not leavers & present["FY2026Q1"]
        assert {"M41", "M42"} <= present["FY2026Q1"]
        assert not {"M41", "M42"} & present["FY2025Q3"]
        for k in keys:
            assert set(forty.assessments[k]["subject"].tolist()) == present[k]

    def test_small_organisations_keep_their_managers(self) -> None:
        """Under 20 managers nobody leaves: every manager is present in every cycle."""
        small = generate_organisation(seed=1, **SMALL)
        assert all(s.leave_date is None for s in small.subjects)
        assert all(len(small.present(c)) == SMALL["managers"] for c in small.cycles)


class TestErrors:
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"managers": 0}, "managers"),
            ({"tickets": -1}, "tickets"),
            ({"managers": 10, "agents": 5}, "agents"),
            ({"bad_row_share": 0.5}, "bad_row_share"),
            ({"seed": 1.5}, "seed"),
        ],
    )
    def test_bad_arguments_are_named(self, kwargs: dict[str, object], field: str) -> None:
        """A bad count raises a PerfmgmtError naming the argument."""
        with pytest.raises(PerfmgmtError, match=field):
            generate_organisation(**kwargs)  # type: ignore[arg-type]
