"""Tests for perfmgmt.metrics.actuals: metric results aligned to subjects, in each KPI's unit."""

from __future__ import annotations

from decimal import Decimal

import attrs
import numpy as np
import pytest

from perfmgmt.errors import DataError
from perfmgmt.metrics import (
    MetricResult,
    Tickets,
    Unit,
    actuals_from_metrics,
    csat,
    first_response_time,
    innovation_projects,
)
from perfmgmt.metrics.tickets import Projects
from perfmgmt.presets import customer_service_manager


@pytest.fixture(scope="module")
def tickets() -> Tickets:
    """Three managers' tickets: li 2 of 3 satisfied; wang 1 of 1; zhao unrated."""
    return Tickets.from_arrays(
        manager=["li", "li", "li", "wang", "zhao"],
        created=np.array(["2024-01-02T09:00"] * 5, "M8[s]"),
        first_reply=np.array(["2024-01-02T09:06"] * 4 + ["2024-01-02T09:30"], "M8[s]"),
        csat=[5, 4, 2, 5, np.nan],
    )


def _reference(result: MetricResult, ids: list[str], scale: float) -> list[float]:
    """The value per subject by hand: look the group up, scale it, NaN when absent."""
    table = dict(zip(result.groups.tolist(), result.value.tolist(), strict=True))
    return [table[i] * scale if i in table else float("nan") for i in ids]


class TestFromMetrics:
    def test_shares_become_percent_and_seconds_minutes(self, tickets: Tickets) -> None:
        """CSAT shares feed a percent KPI as percent; seconds feed a minutes KPI as minutes."""
        scheme = customer_service_manager()
        ids = ["zhao", "new", "li", "wang"]
        res_csat, res_frt = csat(tickets), first_response_time(tickets)
        a = actuals_from_metrics(scheme, {"csat": res_csat, "response_time": res_frt}, ids)
        assert a.subject_ids == tuple(ids)
        assert (a.units["csat"], a.units["response_time"]) == (Unit.PERCENT, Unit.MINUTES)
        assert a.measured == ("csat", "response_time")
        assert list(a.values) == list(scheme.kpi_keys)  # every KPI; the others have no data
        assert np.isnan(a.values["fcr"]).all()
        assert a.sample_sizes["fcr"].tolist() == [0, 0, 0, 0]
        np.testing.assert_array_equal(a.values["csat"], _reference(res_csat, ids, 100.0))
        np.testing.assert_allclose(a.values["response_time"], _reference(res_frt, ids, 1 / 60))
        assert a.sample_sizes["csat"].tolist() == [0, 0, 3, 1]
        assert a.sample_sizes["response_time"].tolist() == [1, 0, 3, 1]

    def test_absent_subjects_take_the_given_value(self) -> None:
        """A manager with no project delivered has 0 projects when absent says so."""
        projects = Projects.from_records(
            [{"manager": "li", "started": "2024-01-01", "delivered": "2024-02-01"}]
        )
        a = actuals_from_metrics(
            customer_service_manager(),
            {"innovation": innovation_projects(projects)},
            ["li", "wang"],
            absent={"innovation": 0.0},
        )
        assert a.values["innovation"].tolist() == [1.0, 0.0]

    def test_records_read_back_as_score_input(self, tickets: Tickets) -> None:
        """to_records gives subject_id, the KPI and '<kpi>:n', None where missing."""
        a = actuals_from_metrics(customer_service_manager(), {"csat": csat(tickets)}, ["li", "x"])
        rows = a.to_records()
        assert {k: rows[1][k] for k in ("subject_id", "csat", "csat:n")} == {
            "subject_id": "x",
            "csat": None,
            "csat:n": 0,
        }
        assert rows[0]["csat:n"] == 3

    def test_unknown_kpi(self, tickets: Tickets) -> None:
        """A result for a KPI the scheme does not have names the KPI and lists the real ones."""
        with pytest.raises(DataError, match=r"'nsp' is not a KPI.*'csat'"):
            actuals_from_metrics(customer_service_manager(), {"nsp": csat(tickets)}, ["li"])

    def test_units_that_do_not_convert(self, tickets: Tickets) -> None:
        """Response seconds fed to the percent CSAT KPI are refused naming the KPI and units."""
        with pytest.raises(DataError, match=r"KPI 'csat'.*seconds cannot be converted to percent"):
            actuals_from_metrics(
                customer_service_manager(), {"csat": first_response_time(tickets)}, ["li"]
            )

    def test_value_outside_the_metric_range(self, tickets: Tickets) -> None:
        """A result holding a share above 1 is refused naming KPI, subject, value and unit."""
        bad = csat(tickets)
        broken = MetricResult(
            metric="csat",
            by="manager",
            groups=bad.groups.copy(),
            value=np.array([1.7, 0.5, np.nan]),
            n=bad.n.copy(),
            definition="x",
            unit=Unit.SHARE,
            bounds=(0.0, 1.0),
        )
        with pytest.raises(DataError, match=r"KPI 'csat'.*'li' is 1.7 share"):
            actuals_from_metrics(customer_service_manager(), {"csat": broken}, ["li"])

    @pytest.mark.parametrize("ids", ["li", ["li", ""], [3]])
    def test_subject_ids_must_be_text(self, tickets: Tickets, ids: object) -> None:
        """A bare string, an empty id or a number as subject ids is refused."""
        with pytest.raises(DataError, match="subject"):
            actuals_from_metrics(customer_service_manager(), {"csat": csat(tickets)}, ids)  # type: ignore[arg-type]


class TestPlainValues:
    def test_shares_for_a_percent_kpi_are_refused(self) -> None:
        """CSAT 0.633 given as a plain value for the percent KPI is an error naming both."""
        with pytest.raises(
            DataError, match=r"KPI 'csat'.*0.633.*percent.*units=\{'csat': 'share'\}"
        ):
            actuals_from_metrics(customer_service_manager(), {"csat": {"li": 0.633}}, ["li"])

    def test_declared_share_converts(self) -> None:
        """Declaring the plain values as shares converts them; int and Decimal are numbers."""
        a = actuals_from_metrics(
            customer_service_manager(),
            {"csat": {"li": Decimal("0.633"), "wang": 1}},
            ["li", "wang", "zhao"],
            units={"csat": "share"},
        )
        np.testing.assert_array_equal(a.values["csat"], [0.633 * 100, 100.0, np.nan])
        assert a.sample_sizes["csat"].tolist() == [-1, -1, 0]

    def test_declared_percent_confirms(self) -> None:
        """Declaring percent keeps a genuinely tiny percentage as it is."""
        a = actuals_from_metrics(
            customer_service_manager(), {"csat": {"li": 0.5}}, ["li"], units={"csat": "%"}
        )
        assert a.values["csat"].tolist() == [0.5]

    def test_percent_above_100_is_outside_the_range(self) -> None:
        """A 120 % CSAT is refused naming the KPI, subject, value and unit."""
        with pytest.raises(DataError, match=r"KPI 'csat'.*'li' is 120 percent.*at most 100"):
            actuals_from_metrics(customer_service_manager(), {"csat": {"li": 120}}, ["li"])

    @pytest.mark.parametrize("value", ["63", True, float("inf"), [1]])
    def test_values_must_be_finite_numbers(self, value: object) -> None:
        """Text, bools, infinities and lists are refused as actuals."""
        with pytest.raises(DataError, match=r"KPI 'csat'.*'li'"):
            actuals_from_metrics(customer_service_manager(), {"csat": {"li": value}}, ["li"])  # type: ignore[dict-item]

    def test_indicator_unit_must_be_known(self) -> None:
        """A KPI whose indicator's unit is not known cannot take converted metrics."""
        scheme = customer_service_manager()
        kpi = scheme.kpis[0]
        odd = attrs.evolve(kpi, indicator=attrs.evolve(kpi.indicator, unit="widgets"))
        scheme = attrs.evolve(scheme, kpis=(odd, *scheme.kpis[1:]))
        with pytest.raises(DataError, match="unit 'widgets'"):
            actuals_from_metrics(scheme, {kpi.key: {"li": 50.0}}, ["li"])
