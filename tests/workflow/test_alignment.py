"""Tests for the goal-alignment report (perfmgmt.workflow.alignment)."""

from __future__ import annotations

import attrs
import pytest

from _lifecycle import goals, review
from perfmgmt.model import Objective, ObjectiveLevel
from perfmgmt.workflow import alignment_report


class TestAlignment:
    def test_coverage_report(self) -> None:
        """Goals climbing to a company objective are aligned; others are listed by kind."""
        objectives = [
            Objective(key="co_loyal", level=ObjectiveLevel.COMPANY, title="Loyal customers"),
            Objective(key="co_cost", level=ObjectiveLevel.COMPANY, title="Lean costs"),
            Objective(
                key="dept_csat",
                level=ObjectiveLevel.DEPARTMENT,
                title="CSAT 4.6",
                parent="co_loyal",
            ),
        ]
        r = attrs.evolve(review(), goals=goals())
        report = alignment_report(objectives, [r])
        assert [(g.kpi, g.chain) for g in report.aligned] == [("csat", ("dept_csat", "co_loyal"))]
        assert [g.kpi for g in report.unaligned] == ["morale"]
        assert [(g.kpi, g.problem) for g in report.broken] == [
            ("aht", "objective 'dept_speed' is unknown")
        ]
        assert report.unsupported == ("co_cost",)
        assert report.coverage == pytest.approx(1 / 3)

    def test_company_objective_has_no_parent(self) -> None:
        """A company objective with a parent is refused."""
        from perfmgmt.errors import ValidationError

        with pytest.raises(ValidationError, match="company objective"):
            Objective(key="x", level=ObjectiveLevel.COMPANY, title="X", parent="y")
