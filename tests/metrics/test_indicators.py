"""Tests for perfmgmt.metrics.indicators: hand-computed values, bad settings, properties."""

from __future__ import annotations

import math
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfmgmt.errors import DataError
from perfmgmt.metrics import (
    Projects,
    Surveys,
    Tickets,
    Trainings,
    abandonment_rate,
    average_handle_time,
    business_calendar,
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
from perfmgmt.metrics.units import Unit

NAN = float("nan")


# Six tickets, two managers.  Seconds to first reply: r0 120, r1 600, r2 300, r3 none,
# r4 60, r5 1800.  Customer c1 comes back 2 days after r0; c2 comes back 7 d 22 h after r2.
ROWS = [
    # manager, agent, customer, created, first_reply, wait, handle, cost, csat, abandoned,
    # resolved
    ("li", "a1", "c1", "2024-01-01 09:00", "2024-01-01 09:02", 10, 300, 5, 5, False, True),
    ("li", "a1", "c1", "2024-01-03 10:00", "2024-01-03 10:10", 25, 500, 7, 4, False, True),
    ("li", "a2", "c2", "2024-01-04 11:00", "2024-01-04 11:05", 5, 200, 3, 2, False, True),
    ("li", "a2", "c3", "2024-01-04 12:00", None, 40, NAN, NAN, NAN, True, False),
    ("wang", "a3", "c2", "2024-01-12 09:00", "2024-01-12 09:01", 18, 400, 6, NAN, False, True),
    ("wang", "a3", "c4", "2024-01-12 10:00", "2024-01-12 10:30", 3, 600, 10, 3, False, False),
]
FIELDS = [
    "manager",
    "agent",
    "customer",
    "created",
    "first_reply",
    "wait_seconds",
    "handle_seconds",
    "cost",
    "csat",
    "abandoned",
    "resolved",
]


@pytest.fixture
def tickets() -> Tickets:
    """Build the six hand-checked tickets."""
    return Tickets.from_records(dict(zip(FIELDS, row, strict=True)) for row in ROWS)


class TestCsat:
    def test_top_two_box_excludes_unrated(self, tickets: Tickets) -> None:
        """Top-two-box is the share of 4-5 ratings among rated tickets only."""
        r = csat(tickets)
        # li: ratings 5, 4, 2 (r3 unrated) -> 2 / 3;  wang: rating 3 (r4 unrated) -> 0 / 1
        assert r.groups.tolist() == ["li", "wang"]
        assert r.value.tolist() == pytest.approx([2 / 3, 0.0])
        assert r.n.tolist() == [3, 1]

    def test_mean_score(self, tickets: Tickets) -> None:
        """The mean statistic averages the 1-5 ratings of rated tickets."""
        r = csat(tickets, statistic="mean")
        # li: (5 + 4 + 2) / 3 = 11 / 3;  wang: 3 / 1
        assert r.value.tolist() == pytest.approx([11 / 3, 3.0])

    def test_wilson_lower_bound(self, tickets: Tickets) -> None:
        """The Wilson statistic is the lower bound of the top-two-box share's interval."""
        r = csat(tickets, statistic="wilson", confidence=0.95)
        # li: p = 2/3, n = 3, z = 1.95996...
        z = NormalDist().inv_cdf(0.975)
        p, n = 2 / 3, 3
        lower = (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (
            1 + z * z / n
        )
        assert r.value[0] == pytest.approx(lower)
        assert 0 <= r.value[0] < p
        # wang: p = 0 -> the lower bound is exactly 0
        assert r.value[1] == pytest.approx(0.0)

    def test_top_box_is_configurable(self, tickets: Tickets) -> None:
        """Lowering top_box to 3 counts a 3 as satisfied."""
        # li: 5, 4 of (5, 4, 2) -> 2/3 ; wang: 3 of (3) -> 1
        assert csat(tickets, top_box=3).value.tolist() == pytest.approx([2 / 3, 1.0])

    def test_period_selects_created(self, tickets: Tickets) -> None:
        """A period keeps only tickets created inside it; groups without data get NaN, n 0."""
        r = csat(tickets, period=(date(2024, 1, 3), date(2024, 1, 5)))
        # li: r1 (4), r2 (2) -> 1/2 ; wang has no ticket in the period
        assert r.value[0] == pytest.approx(0.5)
        assert math.isnan(r.value[1])
        assert r.n.tolist() == [2, 0]

    def test_group_by_agent(self, tickets: Tickets) -> None:
        """Grouping by agent gives one value per agent label."""
        r = csat(tickets, by="agent")
        # a1: 5, 4 -> 1 ; a2: 2 -> 0 ; a3: 3 -> 0
        assert r.to_dict() == {"a1": 1.0, "a2": 0.0, "a3": 0.0}

    def test_bad_statistic_is_refused(self, tickets: Tickets) -> None:
        """An unknown statistic raises a DataError naming the allowed ones."""
        with pytest.raises(DataError, match="top2box"):
            csat(tickets, statistic="median")  # type: ignore[arg-type]

    def test_missing_column_is_named(self) -> None:
        """A table without a csat column raises a DataError naming the column."""
        t = Tickets.from_arrays(manager=["a"], created=np.array(["2024-01-01"], "datetime64[s]"))
        with pytest.raises(DataError, match="'csat'") as info:
            csat(t)
        assert info.value.column == "csat"

    def test_unknown_group_column_is_named(self, tickets: Tickets) -> None:
        """Grouping by a key column the table lacks raises a DataError."""
        with pytest.raises(DataError, match="'team'"):
            csat(tickets, by="team")


class TestFirstResponseTime:
    def test_mean_median_p90(self, tickets: Tickets) -> None:
        """Mean, median and P90 of calendar seconds from creation to first reply."""
        mean = first_response_time(tickets, statistic="mean")
        # li: (120 + 600 + 300) / 3 = 340 ; wang: (60 + 1800) / 2 = 930
        assert mean.value.tolist() == pytest.approx([340.0, 930.0])
        assert mean.n.tolist() == [3, 2]  # r3 was never replied to
        median = first_response_time(tickets, statistic="median")
        # li: sorted 120, 300, 600 -> 300 ; wang: midpoint of 60 and 1800 = 930
        assert median.value.tolist() == pytest.approx([300.0, 930.0])
        p90 = first_response_time(tickets, statistic="p90")
        # li: position 0.9 * 2 = 1.8 -> 300 + 0.8 * (600 - 300) = 540
        # wang: position 0.9 * 1 = 0.9 -> 60 + 0.9 * (1800 - 60) = 1626
        assert p90.value.tolist() == pytest.approx([540.0, 1626.0])

    def test_business_hours(self) -> None:
        """Business hours skip nights, weekends and holidays."""
        cal = business_calendar(start="09:00", end="17:00", holidays=[date(2024, 1, 8)])
        t = Tickets.from_arrays(
            manager=["m", "m"],
            # Fri 16:30 -> Tue 09:15 with Monday a holiday: 30 min Friday + 15 min Tuesday
            # Wed 08:00 -> Wed 09:10: only 09:00-09:10 is open, 10 min
            created=np.array(["2024-01-05T16:30", "2024-01-10T08:00"], "datetime64[s]"),
            first_reply=np.array(["2024-01-09T09:15", "2024-01-10T09:10"], "datetime64[s]"),
        )
        r = first_response_time(t, calendar=cal)
        # mean of 45 min and 10 min = 27.5 min = 1650 s
        assert r.value[0] == pytest.approx(1650.0)
        assert "business" in r.definition

    def test_bad_percentile_is_refused(self, tickets: Tickets) -> None:
        """A statistic that is not mean, median or p1..p99 raises a DataError."""
        with pytest.raises(DataError, match="p90"):
            first_response_time(tickets, statistic="p100")


class TestHandleTimeAndResolution:
    def test_average_handle_time(self, tickets: Tickets) -> None:
        """AHT averages handle seconds of handled, non-abandoned tickets."""
        r = average_handle_time(tickets)
        # li: (300 + 500 + 200) / 3 ; wang: (400 + 600) / 2 = 500
        assert r.value.tolist() == pytest.approx([1000 / 3, 500.0])
        assert r.n.tolist() == [3, 2]

    def test_first_contact_resolution_default_window(self, tickets: Tickets) -> None:
        """FCR counts resolved tickets with no repeat contact within 7 days."""
        r = first_contact_resolution(tickets)
        # li: r0 no (c1 back after 2 d), r1 yes, r2 yes (c2 back after 7 d 22 h), r3 no
        #     (not resolved) -> 2 / 4 ; wang: r4 yes, r5 no (not resolved) -> 1 / 2
        assert r.value.tolist() == pytest.approx([0.5, 0.5])
        assert r.n.tolist() == [4, 2]

    def test_first_contact_resolution_window(self, tickets: Tickets) -> None:
        """A longer repeat-contact window turns r2 into a repeated contact."""
        r = first_contact_resolution(tickets, window=timedelta(days=8))
        # li: only r1 remains -> 1 / 4 ; wang unchanged -> 1 / 2
        assert r.value.tolist() == pytest.approx([0.25, 0.5])

    def test_repeat_lookup_crosses_the_period(self, tickets: Tickets) -> None:
        """A repeat contact after the period still disqualifies a ticket in the period."""
        r = first_contact_resolution(
            tickets, period=(date(2024, 1, 1), date(2024, 1, 2)), window=timedelta(days=3)
        )
        # only r0 is in the period; c1 came back on Jan 3 (r1), inside 3 days -> 0 / 1
        assert r.value[0] == 0.0
        assert r.n[0] == 1

    def test_bad_window_is_refused(self, tickets: Tickets) -> None:
        """A non-positive window raises a DataError."""
        with pytest.raises(DataError, match="window"):
            first_contact_resolution(tickets, window=timedelta(0))

    def test_periods_share_one_repeat_lookup(
        self, tickets: Tickets, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Several periods of one table sort it once per window, with unchanged results."""
        days = [(date(2024, 1, d), date(2024, 1, d + 1)) for d in range(1, 5)]
        window = timedelta(days=3)
        fresh = [
            first_contact_resolution(
                Tickets.from_records(dict(zip(FIELDS, row, strict=True)) for row in ROWS),
                period=p,
                window=window,
            )
            for p in days
        ]
        calls = []
        original = np.argsort

        def counting(*args: object, **kwargs: object) -> object:
            calls.append(1)
            return original(*args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(np, "argsort", counting)
        shared = [first_contact_resolution(tickets, period=p, window=window) for p in days]
        assert len(calls) <= 1
        for a, b in zip(fresh, shared, strict=True):
            assert np.array_equal(a.value, b.value, equal_nan=True)
            assert a.n.tolist() == b.n.tolist()


class TestServiceLevelAndAbandonment:
    def test_service_level_counts_abandons(self, tickets: Tickets) -> None:
        """By default abandoned contacts are offered and missed."""
        r = service_level(tickets, threshold=20)
        # li: waits 10 ok, 25 late, 5 ok, abandoned -> 2 / 4 ; wang: 18 ok, 3 ok -> 2 / 2
        assert r.value.tolist() == pytest.approx([0.5, 1.0])
        assert r.n.tolist() == [4, 2]

    def test_service_level_excluding_abandons(self, tickets: Tickets) -> None:
        """With abandon='exclude' abandoned contacts leave the denominator."""
        # li: 2 / 3
        assert service_level(tickets, abandon="exclude").value[0] == pytest.approx(2 / 3)

    def test_service_level_short_abandons(self, tickets: Tickets) -> None:
        """Only abandons within short_abandon seconds leave the denominator."""
        # r3 waited 40 s: still missed with a 5 s limit, excluded with a 60 s limit
        short5 = service_level(tickets, abandon="exclude_short", short_abandon=5)
        short60 = service_level(tickets, abandon="exclude_short", short_abandon=60)
        assert short5.value[0] == pytest.approx(2 / 4)
        assert short60.value[0] == pytest.approx(2 / 3)

    def test_service_level_from_first_reply(self) -> None:
        """Without wait_seconds, the wait is creation to first reply; no reply is a miss."""
        t = Tickets.from_arrays(
            manager=["m", "m", "m"],
            created=np.array(["2024-01-01T09:00:00"] * 3, "datetime64[s]"),
            first_reply=np.array(
                ["2024-01-01T09:00:15", "2024-01-01T09:01:00", "NaT"], "datetime64[s]"
            ),
        )
        # 15 s ok, 60 s late, never -> 1 / 3
        assert service_level(t, threshold=20).value[0] == pytest.approx(1 / 3)

    def test_abandonment_rate(self, tickets: Tickets) -> None:
        """Abandonment is abandoned / offered; short abandons can be left out."""
        # li: 1 of 4 ; wang: 0 of 2
        assert abandonment_rate(tickets).value.tolist() == pytest.approx([0.25, 0.0])
        # r3 waited 40 s <= 60 s: left out of both counts -> li 0 of 3
        r = abandonment_rate(tickets, short_abandon=60)
        assert r.value[0] == 0.0
        assert r.n[0] == 3

    def test_bad_abandon_setting_is_refused(self, tickets: Tickets) -> None:
        """An unknown abandon treatment raises a DataError listing the choices."""
        with pytest.raises(DataError, match="exclude_short"):
            service_level(tickets, abandon="ignore")  # type: ignore[arg-type]


class TestCost:
    def test_cost_per_contact(self, tickets: Tickets) -> None:
        """Cost per contact is total cost over costed contacts."""
        # li: (5 + 7 + 3) / 3 = 5 ; wang: (6 + 10) / 2 = 8
        assert cost_per_contact(tickets).value.tolist() == pytest.approx([5.0, 8.0])

    def test_cost_saving_rate(self) -> None:
        """Saving rate compares cost per contact with a baseline period."""
        t = Tickets.from_arrays(
            manager=["m"] * 5,
            created=np.array(
                ["2024-01-10", "2024-02-10", "2024-04-10", "2024-05-10", "2024-06-10"],
                "datetime64[s]",
            ),
            cost=[10.0, 10.0, 8.0, 9.0, 10.0],
        )
        r = cost_saving_rate(
            t,
            period=(date(2024, 4, 1), date(2024, 7, 1)),
            baseline=(date(2024, 1, 1), date(2024, 4, 1)),
        )
        # baseline 20 / 2 = 10 ; period 27 / 3 = 9 ; (10 - 9) / 10 = 0.1
        assert r.value[0] == pytest.approx(0.1)
        assert r.n[0] == 3

    def test_bad_period_is_refused(self, tickets: Tickets) -> None:
        """A period whose start is not before its end raises a DataError."""
        with pytest.raises(DataError, match="start must be before end"):
            cost_per_contact(tickets, period=(date(2024, 2, 1), date(2024, 1, 1)))


@pytest.fixture
def surveys() -> Surveys:
    """Build nine survey answers for two managers."""
    return Surveys.from_records(
        [
            {"manager": "li", "submitted": "2024-01-05", "recommend": 10, "pulse": 4},
            {"manager": "li", "submitted": "2024-01-05", "recommend": 9, "pulse": 5},
            {"manager": "li", "submitted": "2024-01-05", "recommend": 8, "pulse": 3},
            {"manager": "li", "submitted": "2024-01-05", "recommend": 6},
            {"manager": "li", "submitted": "2024-01-05", "recommend": 0},
            {"manager": "wang", "submitted": "2024-01-06", "recommend": 9, "pulse": 2},
            {"manager": "wang", "submitted": "2024-01-06", "recommend": 7},
            {"manager": "wang", "submitted": "2024-01-06", "recommend": 7},
            {"manager": "wang", "submitted": "2024-01-06", "recommend": 10},
        ]
    )


class TestSurveys:
    def test_nps(self, surveys: Surveys) -> None:
        """NPS is % promoters (9-10) minus % detractors (0-6)."""
        r = nps(surveys)
        # li: promoters 10, 9; detractors 6, 0; of 5 -> 0 ; wang: 9, 10 of 4, none -> 50
        assert r.value.tolist() == pytest.approx([0.0, 50.0])
        assert r.n.tolist() == [5, 4]

    def test_enps_thresholds_configurable(self, surveys: Surveys) -> None:
        """The eNPS uses the same arithmetic; detractor_max moves the detractor band."""
        # wang with detractors 0-7: 2 promoters - 2 detractors -> 0
        assert enps(surveys, detractor_max=7).to_dict()["wang"] == pytest.approx(0.0)
        assert enps(surveys).metric == "enps"

    def test_morale_from_pulse(self, surveys: Surveys) -> None:
        """The pulse morale index rescales the mean 1-5 pulse score to 0-100."""
        r = morale_index(surveys)
        # li: mean(4, 5, 3) = 4 -> (4 - 1) / 4 * 100 = 75 ; wang: 2 -> 25
        assert r.value.tolist() == pytest.approx([75.0, 25.0])
        assert r.n.tolist() == [3, 1]

    def test_morale_from_enps(self, surveys: Surveys) -> None:
        """The eNPS morale index maps -100..100 onto 0..100."""
        # li: eNPS 0 -> 50 ; wang: eNPS 50 -> 75
        assert morale_index(surveys, source="enps").value.tolist() == pytest.approx([50.0, 75.0])

    def test_bad_threshold_is_refused(self, surveys: Surveys) -> None:
        """A detractor band overlapping the promoter band raises a DataError."""
        with pytest.raises(DataError, match="detractor_max"):
            nps(surveys, promoter_min=8, detractor_max=8)


class TestTrainingAndInnovation:
    @pytest.fixture
    def trainings(self) -> Trainings:
        """Build four training records for teams A and C."""
        return Trainings.from_records(
            [
                {"team": "A", "person": "p1", "date": "2024-01-10", "hours": 2},
                {"team": "A", "person": "p1", "date": "2024-02-10", "hours": 3},
                {"team": "A", "person": "p2", "date": "2024-02-11", "hours": 5},
                {"team": "C", "person": "p9", "date": "2024-02-11", "hours": 1},
            ]
        )

    def test_hours_per_member_with_headcount(self, trainings: Trainings) -> None:
        """Hours are divided by the given headcount; untrained teams get 0."""
        r = training_hours_per_member(trainings, headcount={"A": 4, "B": 2, "C": 1})
        # A: (2 + 3 + 5) / 4 = 2.5 ; B: 0 / 2 ; C: 1 / 1
        assert r.to_dict() == {"A": 2.5, "B": 0.0, "C": 1.0}
        assert r.n.tolist() == [4, 2, 1]

    def test_hours_per_member_without_headcount(self, trainings: Trainings) -> None:
        """Without a headcount, distinct trained people are the denominator."""
        # A: 10 hours / 2 people = 5 ; C: 1 / 1
        assert training_hours_per_member(trainings).to_dict() == {"A": 5.0, "C": 1.0}

    def test_missing_headcount_is_named(self, trainings: Trainings) -> None:
        """A trained group missing from the headcount raises a DataError naming it."""
        with pytest.raises(DataError, match="'C'"):
            training_hours_per_member(trainings, headcount={"A": 4})

    def test_innovation_projects(self) -> None:
        """Delivered projects are counted in the period; undelivered ones never."""
        p = Projects.from_records(
            [
                {"manager": "li", "delivered": "2024-02-01"},
                {"manager": "li", "delivered": "2024-05-01"},
                {"manager": "li", "delivered": None},
                {"manager": "wang", "delivered": "2024-03-01"},
            ]
        )
        # Q1: li 1 (Feb), wang 1 (Mar) ; all time: li 2, wang 1
        q1 = innovation_projects(p, period=(date(2024, 1, 1), date(2024, 4, 1)))
        assert q1.value.tolist() == [1.0, 1.0]
        assert innovation_projects(p).value.tolist() == [2.0, 1.0]


# -- properties against slow per-group references -----------------------------------

BASE = np.datetime64("2024-01-01T00:00:00", "s")


@st.composite
def ticket_tables(draw: st.DrawFn) -> dict[str, list[object]]:
    """Draw random ticket columns over four managers and three customers."""
    n = draw(st.integers(min_value=1, max_value=40))
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c", "d"]),
                st.sampled_from(["x", "y", "z", None]),
                st.integers(min_value=0, max_value=30 * 86_400),
                st.one_of(st.none(), st.integers(min_value=0, max_value=20_000)),
                st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
                st.booleans(),
                st.booleans(),
                st.integers(min_value=0, max_value=120),
            ),
            min_size=n,
            max_size=n,
        )
    )
    cols: dict[str, list[object]] = {
        k: []
        for k in [
            "manager",
            "customer",
            "created",
            "first_reply",
            "csat",
            "abandoned",
            "resolved",
            "wait_seconds",
        ]
    }
    for m, c, t, d, s, ab, res, w in rows:
        cols["manager"].append(m)
        cols["customer"].append(c)
        cols["created"].append(BASE + np.timedelta64(t, "s"))
        cols["first_reply"].append(None if d is None else BASE + np.timedelta64(t + d, "s"))
        cols["csat"].append(s)
        cols["abandoned"].append(ab)
        cols["resolved"].append(res)
        cols["wait_seconds"].append(w)
    return cols


def _table(cols: dict[str, list[object]]) -> Tickets:
    """Build Tickets from drawn columns via records."""
    return Tickets.from_records(
        [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    )


class TestProperties:
    @given(ticket_tables())
    @settings(max_examples=60, deadline=None)
    def test_csat_matches_reference(self, cols: dict[str, list[object]]) -> None:
        """Grouped CSAT equals a per-group Python reference and stays in [0, 1]."""
        r = csat(_table(cols))
        for g, value, n in r.rows():
            rated = [
                s
                for m, s in zip(cols["manager"], cols["csat"], strict=True)
                if m == g and s is not None
            ]
            assert n == len(rated)
            if rated:
                assert value == pytest.approx(sum(s >= 4 for s in rated) / len(rated))  # type: ignore[operator]
                assert 0 <= value <= 1
            else:
                assert math.isnan(value)

    @given(ticket_tables(), st.sampled_from(["median", "p90", "p25", "mean"]))
    @settings(max_examples=60, deadline=None)
    def test_response_time_matches_numpy(self, cols: dict[str, list[object]], stat: str) -> None:
        """Grouped response-time statistics equal numpy on each group's values."""
        r = first_response_time(_table(cols), statistic=stat)
        for g, value, n in r.rows():
            waits = [
                float((f - c) / np.timedelta64(1, "s"))  # type: ignore[operator]
                for m, c, f in zip(
                    cols["manager"], cols["created"], cols["first_reply"], strict=True
                )
                if m == g and f is not None
            ]
            assert n == len(waits)
            if not waits:
                assert math.isnan(value)
            elif stat == "mean":
                assert value == pytest.approx(np.mean(waits))
            else:
                q = 0.5 if stat == "median" else int(stat[1:]) / 100
                assert value == pytest.approx(np.quantile(waits, q))

    @given(ticket_tables(), st.integers(min_value=1, max_value=20))
    @settings(max_examples=60, deadline=None)
    def test_fcr_matches_reference(self, cols: dict[str, list[object]], days: int) -> None:
        """FCR is in [0, 1] and equals a pairwise Python reference per group."""
        r = first_contact_resolution(_table(cols), window=timedelta(days=days))
        window = np.timedelta64(days * 86_400, "s")
        rows = list(
            zip(cols["manager"], cols["customer"], cols["created"], cols["resolved"], strict=True)
        )
        for g, value, n in r.rows():
            mine = [(i, row) for i, row in enumerate(rows) if row[0] == g and row[1] is not None]
            assert n == len(mine)
            hits = 0
            for i, (_, cust, created, resolved) in mine:
                # the next contact of this customer in (created, order) sequence
                later = [
                    c2
                    for j, (_, cu2, c2, _) in enumerate(rows)
                    if cu2 == cust and j != i and (c2 > created or (c2 == created and j > i))  # type: ignore[operator]
                ]
                repeat = any(c2 - created <= window for c2 in later)  # type: ignore[operator]
                hits += bool(resolved) and not repeat
            if mine:
                assert value == pytest.approx(hits / len(mine))
                assert 0 <= value <= 1
            else:
                assert math.isnan(value)

    @given(st.lists(st.tuples(st.sampled_from("pq"), st.integers(0, 10)), min_size=1))
    @settings(max_examples=60, deadline=None)
    def test_nps_in_range_and_matches_reference(self, answers: list[tuple[str, int]]) -> None:
        """NPS stays in [-100, 100] and equals the per-group reference."""
        s = Surveys.from_records(
            {"manager": m, "submitted": "2024-01-01", "recommend": v} for m, v in answers
        )
        for g, value, n in nps(s).rows():
            vals = [v for m, v in answers if m == g]
            assert n == len(vals)
            expected = 100 * (sum(v >= 9 for v in vals) - sum(v <= 6 for v in vals)) / len(vals)
            assert value == pytest.approx(expected)
            assert -100 <= value <= 100

    @given(ticket_tables(), st.sampled_from(["count", "exclude", "exclude_short"]))
    @settings(max_examples=40, deadline=None)
    def test_rates_in_unit_interval(self, cols: dict[str, list[object]], abandon: str) -> None:
        """Service level and abandonment rate stay within [0, 1] or are NaN with n 0."""
        t = _table(cols)
        for r in (service_level(t, abandon=abandon), abandonment_rate(t)):  # type: ignore[arg-type]
            ok = r.n > 0
            assert np.all((r.value[ok] >= 0) & (r.value[ok] <= 1))
            assert np.all(np.isnan(r.value[~ok]))


class TestGroupQuantile:
    @given(
        st.lists(
            st.tuples(st.integers(0, 49), st.floats(0, 1e6, allow_nan=False)),
            min_size=1,
            max_size=300,
        ),
        st.sampled_from([0.1, 0.5, 0.9]),
        st.booleans(),
    )
    @settings(max_examples=60, deadline=None)
    def test_every_path_matches_numpy(
        self, pairs: list[tuple[int, float]], q: float, whole: bool
    ) -> None:
        """Per-group quantiles equal numpy's whichever algorithm the group count selects."""
        from perfmgmt.metrics.indicators import _group_quantile

        codes = np.array([c for c, _ in pairs], dtype=np.intp)
        values = np.array([v for _, v in pairs])
        if whole:
            values = np.floor(values)
        for size in (50, 5000):  # 50 groups: selection per group; 5000: one global sort
            got = _group_quantile(codes, values, size, q)
            for g in range(50):
                mine = values[codes == g]
                if len(mine):
                    assert got[g] == pytest.approx(np.quantile(mine, q))
                else:
                    assert np.isnan(got[g])


class TestArrangedOnce:
    @staticmethod
    def tickets(seed: int) -> Tickets:
        """Tickets of a few managers (some without), some unanswered, over two quarters."""
        rng = np.random.default_rng(seed)
        n = 3_000
        created = np.datetime64("2024-01-01T00:00:00", "s") + rng.integers(
            0, 182 * 86_400, n
        ).astype("timedelta64[s]")
        reply = created + rng.integers(0, 5_000, n).astype("timedelta64[s]")
        reply[rng.random(n) < 0.1] = np.datetime64("NaT")
        return Tickets.from_arrays(
            manager=np.array(["li", "wang", "zhao", ""])[rng.integers(0, 4, n)],
            created=created,
            first_reply=reply,
        )

    @pytest.mark.parametrize("seed", range(3))
    def test_quantiles_of_every_period_as_before_and_as_numpy(self, seed: int) -> None:
        """Quantiles per period from the once-arranged column equal a fresh sort and numpy's."""
        from perfmgmt.metrics.indicators import _group_quantile

        t = self.tickets(seed)
        codes, labels = t.codes("manager")
        created, reply = t.column("created"), t.column("first_reply")
        seconds = (reply - created).astype("timedelta64[s]").astype(np.int64).astype(float)
        periods = [None, (date(2024, 1, 1), date(2024, 4, 1)), (date(2024, 3, 1), date(2024, 3, 8))]
        for period in periods:
            rows = (codes >= 0) & ~np.isnat(reply)
            if period is not None:
                start, end = (np.datetime64(p.isoformat(), "s") for p in period)
                rows &= (created >= start) & (created < end)
            for stat, q in (("median", 0.5), ("p90", 0.9), ("p10", 0.1)):
                got = first_response_time(t, period=period, statistic=stat).value
                fresh = _group_quantile(codes[rows], seconds[rows], len(labels), q)
                assert got.tobytes() == fresh.tobytes()
                for g in range(len(labels)):
                    mine = seconds[rows & (codes == g)]
                    assert got[g] == pytest.approx(np.quantile(mine, q), rel=1e-12)


def _two_tickets() -> Tickets:
    return Tickets.from_arrays(
        manager=["li", "wang"],
        created=np.array(["2024-01-02T09:00", "2024-01-02T10:00"], "M8[s]"),
        handle_seconds=[300.0, 600.0],
        abandoned=[False, True],
        csat=[5, 2],
    )


class TestHostileSettings:
    def test_exclude_abandoned_must_be_a_bool(self) -> None:
        """exclude_abandoned='no' is refused instead of being read as true."""
        with pytest.raises(DataError, match=r"exclude_abandoned='no'.*True or False"):
            average_handle_time(_two_tickets(), exclude_abandoned="no")  # type: ignore[arg-type]

    @pytest.mark.parametrize("by", [["manager"], None, 3])
    def test_by_must_be_a_column_name(self, by: object) -> None:
        """An unhashable or non-text `by` is a DataError naming it."""
        with pytest.raises(DataError, match="by="):
            csat(_two_tickets(), by=by)  # type: ignore[arg-type]

    @pytest.mark.parametrize("statistic", [["mean"], 5, "p0", "p100"])
    def test_statistic_must_be_known(self, statistic: object) -> None:
        """A statistic that is not mean, median or p1..p99 is refused, whatever its type."""
        with pytest.raises(DataError, match="statistic"):
            first_response_time(
                Tickets.from_arrays(
                    manager=["li"],
                    created=np.array(["2024-01-02T09:00"], "M8[s]"),
                    first_reply=np.array(["2024-01-02T09:01"], "M8[s]"),
                ),
                statistic=statistic,  # type: ignore[arg-type]
            )

    def test_headcount_must_be_a_mapping(self) -> None:
        """A headcount that is not a mapping is refused."""
        t = Trainings.from_records([{"date": "2024-01-01", "manager": "li", "hours": 2}])
        with pytest.raises(DataError, match="headcount"):
            training_hours_per_member(t, by="manager", headcount=[3])  # type: ignore[arg-type]

    def test_not_a_table(self) -> None:
        """Passing a dict where a table belongs is a DataError, not an AttributeError."""
        with pytest.raises(DataError, match="expected a service data table"):
            csat({"csat": [5]})  # type: ignore[arg-type]


class TestUnitsOfResults:
    def test_each_metric_declares_its_unit(self) -> None:
        """Shares, seconds and points are declared on the result, with their valid range."""
        t = _two_tickets()
        assert csat(t).unit is Unit.SHARE
        assert csat(t).bounds == (0.0, 1.0)
        assert csat(t, statistic="mean").unit is Unit.POINTS
        assert average_handle_time(t).unit is Unit.SECONDS
