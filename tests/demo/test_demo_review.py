"""The demo's group attributes, survey and scheme review."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from perfmgmt.analytics import Respondent
from perfmgmt.demo import (
    OPINION_QUESTIONS,
    draw_opinions,
    generate_organisation,
    read_opinions,
    run_demo,
    scheme_review,
)
from perfmgmt.demo._review import opinions_csv
from perfmgmt.errors import ValidationError
from perfmgmt.report import Heading, to_markdown


@pytest.fixture(scope="module")
def org():  # type: ignore[no-untyped-def]
    """A small seeded organisation."""
    return generate_organisation(seed=5, managers=24, agents=200, tickets=6_000)


class TestGroups:
    def test_every_manager_has_each_attribute(self, org) -> None:  # type: ignore[no-untyped-def]
        """Department, gender, age band and location: one label per manager, department as drawn."""
        assert set(org.groups) == {"department", "gender", "age_band", "location"}
        for labels in org.groups.values():
            assert len(labels) == len(org.subjects)
        assert org.groups["department"] == tuple(s.department for s in org.subjects)
        assert set(org.groups["gender"]) <= {"female", "male"}

    def test_groups_leave_the_other_draws_unchanged(self, org) -> None:  # type: ignore[no-untyped-def]
        """The attributes come from their own seed: the same seed gives the same data and groups."""
        again = generate_organisation(seed=5, managers=24, agents=200, tickets=6_000)
        assert again.groups == org.groups
        assert np.array_equal(again.quality, org.quality)

    def test_written_with_the_subjects(self, org, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        """subjects.csv carries the group attributes as columns."""
        org.write_csv(tmp_path)
        with (tmp_path / "subjects.csv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [r["gender"] for r in rows] == list(org.groups["gender"])
        assert [r["location"] for r in rows] == list(org.groups["location"])


class TestSurvey:
    def test_every_manager_staff_and_four_hr(self, org) -> None:  # type: ignore[no-untyped-def]
        """The survey has one answer per manager, up to 60 staff and 4 HR people."""
        answers = draw_opinions(org)
        roles = Counter(o.role for o in answers)
        assert roles == {Respondent.MANAGER: 24, Respondent.STAFF: 60, Respondent.HR: 4}
        for o in answers:
            assert {q for q, _ in o.scores} <= set(OPINION_QUESTIONS)

    def test_csv_round_trip(self, org) -> None:  # type: ignore[no-untyped-def]
        """Written as CSV and read back, the answers are equal, in order."""
        answers = draw_opinions(org, lang="zh")
        assert read_opinions(opinions_csv(answers)) == answers

    def test_bad_rows_are_named(self) -> None:
        """A score that is not a whole number, or a bad role, names the line."""
        with pytest.raises(ValidationError, match="line 2: fair='x'"):
            read_opinions("role,fair\nstaff,x\n")
        with pytest.raises(ValidationError, match="opinions line 3"):
            read_opinions("role,fair\nstaff,1\nboss,2\n")


class TestSchemeReview:
    def test_report_has_every_section(self, org) -> None:  # type: ignore[no-untyped-def]
        """The review shows trends, validity, adverse impact, raters, 9-box, merit, opinions."""
        report = scheme_review(org)
        headings = [b.text for b in report.blocks if isinstance(b, Heading) and b.level == 2]
        assert headings == [
            "Trends across cycles",
            "Does the rating predict the next cycle?",
            "Adverse impact",
            "Rater diagnostics",
            "Performance x potential (9-box)",
            "Merit increases",
            "What people think of the scheme",
        ]
        md = to_markdown(report)
        for attribute in ("Department", "Gender", "Age band", "Location"):
            assert f"### Groups by {attribute}" in md
        assert "| HR | fair | fewer than 5: not shown | - |" in md

    def test_language_is_checked(self, org) -> None:  # type: ignore[no-untyped-def]
        """Only en and zh are accepted."""
        with pytest.raises(ValidationError, match="lang='fr'"):
            scheme_review(org, lang="fr")  # type: ignore[arg-type]

    def test_demo_writes_the_review(self, tmp_path: Path) -> None:
        """run_demo writes scheme_review.md/.html, the survey and demo.json, linked from index."""
        result = run_demo(tmp_path, managers=6, agents=40, tickets=2_000, seed=3, lang="zh")
        for name in ("scheme_review.md", "scheme_review.html", "data/opinions.csv", "demo.json"):
            assert name in result.files
            assert (tmp_path / name).is_file()
        assert "方案回顾" in (tmp_path / "scheme_review.md").read_text(encoding="utf-8")
        assert "scheme_review.html" in (tmp_path / "index.html").read_text(encoding="utf-8")


class TestTwoYears:
    def test_every_consecutive_pair_is_checked(self, org) -> None:  # type: ignore[no-untyped-def]
        """The review summarises all eight cycles and checks each of the seven pairs."""
        md = to_markdown(scheme_review(org))
        keys = [c.key for c in org.cycles]
        assert len(keys) == 8
        for key in keys:
            assert f"\n| {key} | " in md  # a row of the trend table
        overview = [
            line for line in md.splitlines() if line.startswith(tuple(f"| {k} | " for k in keys))
        ]
        for a, b in itertools.pairwise(keys):
            assert any(line.startswith(f"| {a} | {b} | ") for line in overview), (a, b)
        assert f"{keys[-2]} rating against the {keys[-1]}" in md

    def test_the_survey_leaves_out_managers_who_left(self, org) -> None:  # type: ignore[no-untyped-def]
        """Only managers still there at the end answer: one per team."""
        left = [s for s in org.subjects if s.leave_date is not None]
        assert len(left) == 1  # 24 teams: one changes manager
        roles = Counter(o.role for o in draw_opinions(org))
        assert roles[Respondent.MANAGER] == len(org.subjects) - len(left) == 24

    def test_the_run_reports_on_the_managers_of_the_last_cycle(self, tmp_path: Path) -> None:
        """A leaver is scored while there and has no final report; the successor has one."""
        result = run_demo(tmp_path, managers=20, agents=60, tickets=3_000, seed=2)
        org = generate_organisation(seed=2, managers=20, agents=60, tickets=3_000)
        (left,) = (s for s in org.subjects if s.leave_date is not None)
        successor = org.subjects[-1]
        assert left.leave_date is not None
        assert successor.hire_date == left.leave_date + dt.timedelta(days=1)
        assert result.subjects == 20
        with (tmp_path / "summary.csv").open(encoding="utf-8") as fh:
            ids = {r["subject_id"] for r in csv.DictReader(fh)}
        assert successor.id in ids
        assert left.id not in ids
        assert not (tmp_path / "reports" / f"{left.id}.md").exists()
        for cycle in org.cycles:
            with (tmp_path / f"scores_{cycle.key}.csv").open(encoding="utf-8") as fh:
                scored = {r["subject_id"] for r in csv.DictReader(fh)}
            expected = {org.subjects[i].id for i in org.present(cycle)}
            assert scored == expected, cycle.key
