"""Tests of the perfmgmt command (perfmgmt.cli) and the demo run behind it."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

import perfmgmt.demo
from _markdown_payloads import PAYLOADS
from perfmgmt._markdown import md_escape
from perfmgmt.calibration import target_counts
from perfmgmt.cli import _markdown_table, main, read_actuals
from perfmgmt.demo import run_demo
from perfmgmt.errors import DataError
from perfmgmt.model import Review, ReviewStatus
from perfmgmt.presets import customer_service_manager
from perfmgmt.scoring import Population
from perfmgmt.serialization import dumps, loads

SMALL = ["--managers", "8", "--agents", "80", "--tickets", "8000", "--seed", "3"]


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file into dict rows."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def section(markdown: str, heading: str) -> str:
    """Return the text under ``## heading`` up to the next level-2 heading."""
    part = markdown.split(f"\n## {heading}\n", 1)[1]
    return part.split("\n## ", 1)[0]


def table_rows(markdown: str) -> list[list[str]]:
    """Return the body rows of the first Markdown table in ``markdown``, as displayed text."""
    lines = [ln for ln in markdown.splitlines() if ln.startswith("|")]
    # A cell is a run of escaped characters or characters other than "|".
    cells = [re.findall(r"(?:\\.|[^|\\])+", ln.strip()[1:-1]) for ln in lines[2:]]
    return [[html.unescape(re.sub(r"\\(.)", r"\1", c.strip())) for c in row] for row in cells]


def tables(markdown: str) -> list[list[list[str]]]:
    """Return the body rows of every Markdown table in ``markdown``, in order."""
    return [table_rows(b) for b in markdown.split("\n\n") if b.startswith("|")]


def last_scores(out: Path) -> dict[str, dict[str, str]]:
    """Return the last cycle's scores_<cycle>.csv rows (full precision) by subject id."""
    path = sorted(out.glob("scores_*.csv"))[-1]
    return {r["subject_id"]: r for r in read_csv(path)}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run a small demo once for the module and return its output directory."""
    out = tmp_path_factory.mktemp("demo") / "out"
    code, _, err = run("demo", "--out", str(out), *SMALL)
    assert code == 0, err
    return out


class TestDemo:
    def test_every_manager_scored_and_reported(self, demo_dir: Path) -> None:
        """The summary has one rated row and one report per manager."""
        rows = read_csv(demo_dir / "summary.csv")
        assert len(rows) == 8
        assert {r["subject_id"] for r in rows} == {f"M{i:02d}" for i in range(1, 9)}
        assert all(r["rating"] in {"A", "B", "C", "D", "E"} for r in rows)
        for r in rows:
            assert (demo_dir / "reports" / f"{r['subject_id']}.md").read_text(encoding="utf-8")
            assert (demo_dir / "reports" / f"{r['subject_id']}.html").read_text(encoding="utf-8")

    def test_totals_consistent(self, demo_dir: Path) -> None:
        """Each total is the 70/30 blend of its parts and sits in its rating's band."""
        scheme = customer_service_manager()
        for r in read_csv(demo_dir / "summary.csv"):
            total, quant, qual = (
                float(r["total"]),
                float(r["quantitative"]),
                float(r["qualitative"]),
            )
            assert total == pytest.approx(0.7 * quant + 0.3 * qual, abs=0.02)
            band = scheme.rating_scale.band(r["rating"])
            assert band.lower - 0.01 <= total <= band.upper + 0.01

    def test_rules_applied(self, demo_dir: Path) -> None:
        """Bonuses follow the rating table and deductions only hit E ratings."""
        percent = {"A": 20, "B": 12, "C": 6, "D": 0, "E": 0}
        scheme = customer_service_manager()
        people = {r["id"]: r for r in read_csv(demo_dir / "data" / "subjects.csv")}
        for r in read_csv(demo_dir / "summary.csv"):
            base = Decimal(people[r["subject_id"]]["base_pay"])
            assert Decimal(r["bonus"]) == base * percent[r["rating"]] / 100
            assert (Decimal(r["deduction"]) > 0) == (r["rating"] == "E")
            assert ("bonus_by_rating" in r["outcomes"]) == (percent[r["rating"]] > 0)
        assert scheme.rules  # the preset carries the rules the demo applied

    def test_files_written(self, demo_dir: Path) -> None:
        """Raw data, scheme, per-cycle scores and decisions and the Markdown summary exist."""
        for name in ("scheme.json", "summary.md", "data/tickets.csv", "data/subjects.csv"):
            assert (demo_dir / name).stat().st_size > 0, name
        assert len(list(demo_dir.glob("scores_*.csv"))) == 2
        assert len(list(demo_dir.glob("decisions_*.csv"))) == 2
        assert "| A |" in (demo_dir / "summary.md").read_text(encoding="utf-8")

    def test_reports_show_total_and_rating(self, demo_dir: Path) -> None:
        """Each manager's Markdown and HTML report shows their total, scored and final rating."""
        scores = last_scores(demo_dir)
        for r in read_csv(demo_dir / "summary.csv"):
            sid = r["subject_id"]
            total = f"{float(scores[sid]['total']):.1f}"
            md = (demo_dir / "reports" / f"{sid}.md").read_text(encoding="utf-8")
            page = (demo_dir / "reports" / f"{sid}.html").read_text(encoding="utf-8")
            assert f"| Total score | {total} |" in md
            assert f"| Rating | {r['scored_rating']} |" in md
            assert f"| Calibrated rating | {r['rating']} (" in md
            assert f"<td>Total score</td><td>{total}</td>" in page
            assert f"<td>Rating</td><td>{r['scored_rating']}</td>" in page
            assert page.startswith("<!DOCTYPE html>")
            assert r["name"] in md

    def test_reports_carry_the_audit_history(self, demo_dir: Path) -> None:
        """A report's audit history lists the workflow steps up to the review's status."""
        for r in read_csv(demo_dir / "summary.csv"):
            md = (demo_dir / "reports" / f"{r['subject_id']}.md").read_text(encoding="utf-8")
            actions = [row[2] for row in table_rows(section(md, "Audit history"))]
            steps = ["agree_goals", "check_in", "evaluate", "calibrate"]
            held = [*steps, "record_interview", "set_development_plan"]
            expected = {"calibrated": steps, "feedback_given": held, "closed": [*held, "close"]}
            assert actions == expected[r["status"]]

    def test_reviews_saved_as_json_lines(self, demo_dir: Path) -> None:
        """reviews_<cycle>.jsonl loads back into reviews matching the summary table."""
        rows = {r["subject_id"]: r for r in read_csv(demo_dir / "summary.csv")}
        lines = next(demo_dir.glob("reviews_*.jsonl")).read_text(encoding="utf-8").splitlines()
        reviews = [loads(line, Review) for line in lines]
        assert {rv.subject.id for rv in reviews} == set(rows)
        for rv in reviews:
            row = rows[rv.subject.id]
            assert rv.status is ReviewStatus(row["status"])
            assert rv.result is not None
            assert rv.result.final_rating == row["rating"]
            assert rv.result.total == pytest.approx(float(row["total"]), abs=0.005)
            assert [e.at for e in rv.history] == sorted(e.at for e in rv.history)

    def test_team_report_distribution_matches_summary(self, demo_dir: Path) -> None:
        """The team report's rating counts equal the summary table's, in Markdown and HTML."""
        summary = Counter(r["rating"] for r in read_csv(demo_dir / "summary.csv"))
        md = (demo_dir / "team.md").read_text(encoding="utf-8")
        counts = {row[0]: int(row[1]) for row in table_rows(section(md, "Rating distribution"))}
        assert counts == {label: summary.get(label, 0) for label in "ABCDE"}
        summary_md = (demo_dir / "summary.md").read_text(encoding="utf-8")
        assert {row[0]: int(row[1]) for row in tables(summary_md)[0]} == counts
        page = (demo_dir / "team.html").read_text(encoding="utf-8")
        for label, n in counts.items():
            assert f"<tr><td>{label}</td><td>{n}</td>" in page

    def test_team_report_pending_items(self, demo_dir: Path) -> None:
        """The team report lists as pending exactly the reviews still waiting for an interview."""
        md = (demo_dir / "team.md").read_text(encoding="utf-8")
        pending = set(re.findall(r"^- (M\d+)@\S+: feedback interview missing", md, re.M))
        waiting = {
            r["subject_id"]
            for r in read_csv(demo_dir / "summary.csv")
            if r["status"] == "calibrated"
        }
        assert pending == waiting

    def test_printed_paths_are_relative(self, tmp_path: Path) -> None:
        """The printed summary names the reports relative to the output folder."""
        code, out, _ = run("demo", "--out", str(tmp_path), "-q", *SMALL)
        assert code == 0
        assert "team.html" in out
        assert "reports/<id>.html" in out
        assert out.count(str(tmp_path)) == 1  # only the "Output:" line

    def test_enforced_distribution(self, tmp_path: Path) -> None:
        """--enforce-distribution gives the guideline counts; bonuses follow the final rating."""
        code, _, err = run("demo", "--out", str(tmp_path), "-q", "--enforce-distribution", *SMALL)
        assert code == 0, err
        scheme = customer_service_manager()
        rows = read_csv(tmp_path / "summary.csv")
        bands = scheme.rating_scale.bands
        want = target_counts([b.guideline_share or 0.0 for b in bands], len(rows))
        got = Counter(r["rating"] for r in rows)
        assert [got.get(b.label, 0) for b in bands] == list(want)
        md = (tmp_path / "team.md").read_text(encoding="utf-8")
        changed = {
            row[0].split("@")[0]: (row[1], row[2])
            for row in table_rows(section(md, "Calibration changes"))
        }
        moved = {r["subject_id"]: (r["scored_rating"], r["rating"]) for r in rows}
        assert changed == {k: v for k, v in moved.items() if v[0] != v[1]}
        assert changed  # the small demo does not happen to match the guideline
        percent = {"A": 20, "B": 12, "C": 6, "D": 0, "E": 0}
        people = {r["id"]: r for r in read_csv(tmp_path / "data" / "subjects.csv")}
        for r in rows:
            base = Decimal(people[r["subject_id"]]["base_pay"])
            assert Decimal(r["bonus"]) == base * percent[r["rating"]] / 100

    def test_report_text_is_escaped(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Markup and pipes in people's names are escaped in every report and the summary."""
        evil = ("<script>alert('x')</script>", 'O"Neil & <b>Sons</b> | Ltd')
        monkeypatch.setattr(perfmgmt.demo._draws, "_SURNAMES", evil)
        run_demo(tmp_path, managers=4, agents=30, tickets=2_000, seed=1)
        names = {r["subject_id"]: r["name"] for r in read_csv(tmp_path / "summary.csv")}
        assert any("<script>" in n for n in names.values())
        for sid, name in names.items():
            page = (tmp_path / "reports" / f"{sid}.html").read_text(encoding="utf-8")
            md = (tmp_path / "reports" / f"{sid}.md").read_text(encoding="utf-8")
            assert html.escape(name, quote=True) in page
            assert "<script>" not in page
            assert "<b>" not in page
            assert "<script>" not in md
            assert "<b>" not in md
        for name in ("summary.md", "team.md", "team.html"):
            text = (tmp_path / name).read_text(encoding="utf-8")
            assert "<script>" not in text, name
            assert "<b>" not in text, name
        summary_md = (tmp_path / "summary.md").read_text(encoding="utf-8")
        people = tables(summary_md)[1]
        assert len(people) == 4
        assert all(len(row) == len(people[0]) for row in people)  # the pipe did not split a cell

    def test_same_seed_same_written_files(self, demo_dir: Path, tmp_path: Path) -> None:
        """A second run with the same seed writes byte-identical reports, reviews and summary."""
        code, _, err = run("demo", "--out", str(tmp_path), "-q", *SMALL)
        assert code == 0, err
        names = ["team.md", "team.html", "summary.csv", "summary.md"]
        names += [str(p.relative_to(demo_dir)) for p in demo_dir.glob("reports/*")]
        names += [p.name for p in demo_dir.glob("reviews_*.jsonl")]
        assert len(names) == 4 + 2 * 8 + 1
        for name in names:
            assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), name

    @pytest.mark.parametrize("managers", [1, 2])
    def test_tiny_organisation(self, tmp_path: Path, managers: int) -> None:
        """A department of one or two managers runs through (no one rates themselves)."""
        result = run_demo(tmp_path, managers=managers, agents=10, tickets=500, seed=4)
        assert result.subjects == managers
        assert sum(result.ratings.values()) == result.rated
        assert len(list((tmp_path / "reports").glob("*.html"))) == managers

    def test_calibration_logs_written(self, demo_dir: Path) -> None:
        """Each cycle has a calibration report and a change list whose every row changed a value."""
        reports = sorted(demo_dir.glob("calibration_*.md"))
        assert len(reports) == 2
        for md in reports:
            text = md.read_text(encoding="utf-8")
            assert "| Rating | Guideline | Target | Before |" in text
            assert "Calibration change" in text
            rows = read_csv(md.with_suffix(".csv")) if md.with_suffix(".csv").stat().st_size else []
            for r in rows:
                assert r["reason"] in {"rater_standardised", "rater_clamped"}
                assert float(r["before"]) != float(r["after"])

    def test_score_command_reproduces_demo_scores(self, demo_dir: Path, tmp_path: Path) -> None:
        """`perfmgmt score` on the demo's scheme and actuals gives the demo's totals."""
        actuals = sorted(demo_dir.glob("actuals_*.csv"))[-1]
        out = tmp_path / "scores.json"
        code, _, err = run("score", str(demo_dir / "scheme.json"), str(actuals), "-o", str(out))
        assert code == 0, err
        scored = {r["subject_id"]: r["total"] for r in json.loads(out.read_text("utf-8"))}
        for r in read_csv(demo_dir / "summary.csv"):
            assert scored[r["subject_id"]] == pytest.approx(float(r["total"]), abs=0.01)

    def test_explain_names_formulas_and_rules(self, demo_dir: Path) -> None:
        """`perfmgmt explain` prints the KPI formulas and the rule trace of one subject."""
        actuals = sorted(demo_dir.glob("actuals_*.csv"))[-1]
        code, out, _ = run("explain", str(demo_dir / "scheme.json"), str(actuals), "M01")
        assert code == 0
        assert "kpi.csat.score" in out
        assert "bonus_by_rating" in out

    def test_metrics_command(self, demo_dir: Path, tmp_path: Path) -> None:
        """`perfmgmt metrics` computes indicators per manager and reports dropped rows."""
        out = tmp_path / "m.csv"
        code, _, err = run("metrics", str(demo_dir / "data" / "tickets.csv"), "-o", str(out))
        assert code == 0
        assert "dropped" in err
        rows = read_csv(out)
        assert len(rows) == 8
        assert all(0 < float(r["fcr"]) < 1 for r in rows)

    def test_chinese_reports(self, tmp_path: Path) -> None:
        """--lang zh writes Chinese reports and a Chinese summary line."""
        code, out, _ = run("demo", "--out", str(tmp_path), "--lang", "zh", "-q", *SMALL)
        assert code == 0
        assert "评级" in out
        assert "绩效评估报告" in (tmp_path / "reports" / "M01.md").read_text(encoding="utf-8")

    def test_subprocess_module_run(self, tmp_path: Path) -> None:
        """`python -m perfmgmt demo` runs in a fresh process; no progress when stderr is a pipe."""
        proc = subprocess.run(
            [sys.executable, "-m", "perfmgmt", "demo", "--out", str(tmp_path / "o"), *SMALL],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert "[1/7]" not in proc.stderr
        assert "Summary table" in proc.stdout
        assert len(read_csv(tmp_path / "o" / "summary.csv")) == 8


class TestErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing scheme file gives exit 2 and one line on stderr, no traceback."""
        code, out, err = run("score", str(tmp_path / "nope.json"), str(tmp_path / "d.csv"))
        assert code == 2
        assert out == ""
        assert err.count("\n") == 1
        assert "nope.json" in err
        assert "Traceback" not in err

    def test_bad_json(self, tmp_path: Path) -> None:
        """A scheme file that is not valid JSON gives exit 1 and a one-line message."""
        bad = tmp_path / "scheme.json"
        bad.write_text("{not json", encoding="utf-8")
        data = tmp_path / "d.csv"
        data.write_text("subject_id\nx\n", encoding="utf-8")
        code, _, err = run("score", str(bad), str(data))
        assert code == 1
        assert err.count("\n") == 1
        assert "Traceback" not in err

    def test_unknown_column(self, tmp_path: Path) -> None:
        """A data column that is no KPI is named in the error."""
        scheme = tmp_path / "scheme.json"
        scheme.write_text(dumps(customer_service_manager()), encoding="utf-8")
        data = tmp_path / "d.csv"
        data.write_text("subject_id,csat,bogus\nx,80,1\n", encoding="utf-8")
        code, _, err = run("score", str(scheme), str(data))
        assert code == 1
        assert "bogus" in err

    def test_unknown_subject(self, tmp_path: Path) -> None:
        """Explaining a subject that is not in the data is a clear error."""
        scheme = tmp_path / "scheme.json"
        scheme.write_text(dumps(customer_service_manager()), encoding="utf-8")
        data = tmp_path / "d.csv"
        data.write_text("subject_id,csat\nx,80\n", encoding="utf-8")
        code, _, err = run("explain", str(scheme), str(data), "y")
        assert code == 1
        assert "'y'" in err

    def test_subprocess_error_has_no_traceback(self, tmp_path: Path) -> None:
        """Run as a process, a user mistake exits non-zero without a traceback."""
        proc = subprocess.run(
            [sys.executable, "-m", "perfmgmt", "metrics", str(tmp_path / "missing.csv")],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip().count("\n") == 0

    @pytest.mark.parametrize(
        "command", ["demo", "score", "decide", "explain", "metrics", "lint", "schema"]
    )
    def test_help_everywhere(self, command: str) -> None:
        """Every subcommand answers --help with exit 0 and a usage line."""
        code, out, _ = run(command, "--help")
        assert code == 0
        assert out.startswith("usage: perfmgmt")

    def test_usage_error(self) -> None:
        """An unknown subcommand is a usage error with exit status 2."""
        code, _, err = run("frobnicate")
        assert code == 2
        assert "invalid choice" in err


class TestReadActuals:
    """`read_actuals` puts each CSV column where the scheme says."""

    @staticmethod
    def read(text: str) -> Population:
        """Read ``text`` as a CSV of actuals for the customer-service preset."""
        return read_actuals(customer_service_manager(), io.StringIO(text))

    def test_every_column_kind(self) -> None:
        """Actuals, sample sizes, ratings and rater counts land in their cells; blanks are unset."""
        pop = self.read(
            "subject_id,csat,csat:n,attitude:peer,attitude:peer:raters,teamwork:manager\n"
            " a ,80,40,3.5,2,\n"
            "b,,,,,4\n"
        )
        assert pop.subject_ids == ("a", "b")
        assert pop.actual[0, 0] == 80.0
        assert np.isnan(pop.actual[1, 0])
        assert pop.sample_size[:, 0].tolist() == [40, -1]
        assert pop.ratings[0, 0, 1] == 3.5
        assert pop.raters[:, 0, 1].tolist() == [2, 0]
        assert np.isnan(pop.ratings[0, 1, 0])
        assert pop.ratings[1, 1, 0] == 4.0

    def test_ratings_without_rater_counts(self) -> None:
        """Without any raters column, every given rating counts as rated by many raters."""
        pop = self.read("subject_id,attitude:manager\na,4\nb,\n")
        assert pop.raters[:, 0, 0].tolist() == [1_000, 0]

    @pytest.mark.parametrize(
        "column", ["attitude:peer:count", "csat:size", "attitude:self", "csat:n:raters"]
    )
    def test_unknown_column(self, column: str) -> None:
        """A column that fits none of the allowed forms is named in the error."""
        with pytest.raises(DataError, match=f"unknown column '{column}'") as info:
            self.read(f"subject_id,{column}\na,1\n")
        assert info.value.column == column

    def test_row_of_wrong_width(self) -> None:
        """A row with more or fewer fields than the header names the row."""
        with pytest.raises(DataError, match="row 3: 3 fields but the header has 2"):
            self.read("subject_id,csat\na,80\nb,80,1\n")

    def test_metrics_period_needs_both_ends(self, demo_dir: Path) -> None:
        """`perfmgmt metrics --from` without --to is refused."""
        tickets = str(demo_dir / "data" / "tickets.csv")
        code, _, err = run("metrics", tickets, "--from", "2026-01-01")
        assert code == 2
        assert "give both --from and --to, or neither" in err


class TestMarkdownTable:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_cells_and_headers_cannot_inject_markdown(self, payload: str) -> None:
        """A subject id or column name with Markdown in it stays one escaped table cell."""
        table = _markdown_table([{"subject_id": payload, "total": 1.5}], ["subject_id", payload])
        lines = table.splitlines()
        assert len(lines) == 3
        assert lines[2] == f"| {md_escape(payload, line_start=False)} |  |"
        assert table_rows(table) == [[" ".join(payload.splitlines()).lstrip(), ""]]
