"""Tests of the perfmgmt command (perfmgmt.cli) and the demo run behind it."""

from __future__ import annotations

import csv
import html
import io
import itertools
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
import perfmgmt.serialization
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
        assert len(list(demo_dir.glob("scores_*.csv"))) == 8  # two years of quarters
        assert len(list(demo_dir.glob("decisions_*.csv"))) == 8
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

    def test_employee_reports_hide_raters_hr_reports_show_them(self, demo_dir: Path) -> None:
        """The employee's report names no peer or upward rater; the HR version beside it does."""
        lines = next(demo_dir.glob("reviews_*.jsonl")).read_text(encoding="utf-8").splitlines()
        for rv in (loads(line, Review) for line in lines):
            raters = {a.rater_id for a in rv.assessments if a.source.value in ("peer", "upward")}
            assert raters
            sid = rv.subject.id
            for name in (f"{sid}.md", f"{sid}.html"):
                own = (demo_dir / "reports" / name).read_text(encoding="utf-8")
                hr = (demo_dir / "reports" / "hr" / name).read_text(encoding="utf-8")
                assert not {r for r in raters if re.search(rf"\b{re.escape(r)}\b", own)}
                assert all(re.search(rf"\b{re.escape(r)}\b", hr) for r in raters)

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
        # Each item names the person, then the review key.
        pending = set(re.findall(r"^- .*?\b(M\d+)@\S+: feedback interview missing", md, re.M))
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
        assert "Open index.html" in out
        # The share in brackets is the guideline's, and says so.
        assert re.search(r"A \d+ \(guideline \d+%\), B \d+ \(guideline \d+%\)", out)
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
            # "Name (id)": the id is in the last brackets.
            row[0].rsplit("(", 1)[-1].rstrip(")"): (row[1], row[2])
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
        names += [str(p.relative_to(demo_dir)) for p in demo_dir.glob("reports/**/*.*")]
        names += [p.name for p in demo_dir.glob("reviews_*.jsonl")]
        assert len(names) == 4 + 2 * 2 * 8 + 1  # the employee's and HR's report per manager
        for name in names:
            assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), name

    def test_review_scheme_reproduces_the_demos_review(self, demo_dir: Path) -> None:
        """`perfmgmt review-scheme RUN_DIR` writes the demo's scheme review, byte for byte."""
        code, out, err = run("review-scheme", str(demo_dir), "-q")
        assert code == 0, err
        assert out == (demo_dir / "scheme_review.md").read_text(encoding="utf-8")
        for heading in ("## Trends across cycles", "## Adverse impact", "## Rater diagnostics",
                        "## Performance x potential (9-box)", "## Merit increases",
                        "## What people think of the scheme"):  # fmt: skip
            assert heading in out

    def test_review_scheme_in_chinese_as_html(self, demo_dir: Path, tmp_path: Path) -> None:
        """--lang zh with -o x.html writes a standalone Chinese HTML page with its charts."""
        target = tmp_path / "review.html"
        code, _, err = run("review-scheme", str(demo_dir), "--lang", "zh", "-o", str(target))
        assert code == 0, err
        page = target.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>")
        assert "方案回顾" in page
        assert page.count("<svg") == 3

    def test_review_scheme_reads_the_stored_survey(self, demo_dir: Path, tmp_path: Path) -> None:
        """Answers edited in data/opinions.csv are the ones summarised; bad ones exit 1."""
        run_dir = tmp_path / "run"
        (run_dir / "data").mkdir(parents=True)
        (run_dir / "demo.json").write_bytes((demo_dir / "demo.json").read_bytes())
        rows = ["role,fair,comment"] + ["staff,2,too many KPIs"] * 5
        (run_dir / "data" / "opinions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        code, out, err = run("review-scheme", str(run_dir), "-q")
        assert code == 0, err
        assert "| staff | fair | 5 | 2.00 |" in out
        assert "too many KPIs (x5)" in out
        (run_dir / "data" / "opinions.csv").write_text("role,fair\nstaff,9\n", encoding="utf-8")
        code, _, err = run("review-scheme", str(run_dir), "-q")
        assert code == 1
        assert "opinions line 2" in err

    def test_review_scheme_usage_errors(self, demo_dir: Path, tmp_path: Path) -> None:
        """No demo.json or an unknown -o extension exit 2; a bad demo.json exits 1."""
        code, _, err = run("review-scheme", str(tmp_path))
        assert code == 2
        assert "no demo.json" in err
        code, _, err = run("review-scheme", str(demo_dir), "-o", str(tmp_path / "x.pdf"))
        assert code == 2
        assert "cannot tell the format" in err
        (tmp_path / "demo.json").write_text('{"seed": -1}', encoding="utf-8")
        code, _, err = run("review-scheme", str(tmp_path))
        assert code == 1
        assert "seed=-1 is not allowed" in err

    @pytest.mark.parametrize("managers", [1, 2])
    def test_tiny_organisation(self, tmp_path: Path, managers: int) -> None:
        """A department of one or two managers runs through (no one rates themselves)."""
        result = run_demo(tmp_path, managers=managers, agents=10, tickets=500, seed=4)
        assert result.subjects == managers
        assert sum(result.ratings.values()) == result.rated
        assert len(list((tmp_path / "reports").glob("*.html"))) == managers

    def test_two_a_ratings_in_a_row_trigger_promotion(self, demo_dir: Path) -> None:
        """Over two years the promotion rule fires exactly after two A ratings in a row."""
        keys = sorted(p.stem.removeprefix("scores_") for p in demo_dir.glob("scores_*.csv"))
        ratings = {
            k: {r["subject_id"]: r["rating"] for r in read_csv(demo_dir / f"scores_{k}.csv")}
            for k in keys
        }
        promoted = 0
        for before, now in itertools.pairwise(keys):
            for r in read_csv(demo_dir / f"decisions_{now}.csv"):
                sid = r["subject_id"]
                streak = ratings[now][sid] == "A" and ratings[before].get(sid) == "A"
                assert ("'promotion'" in r["fired"]) == streak, (now, sid)
                promoted += streak
        assert promoted  # eight cycles give the history rule something to find

    def test_calibration_logs_written(self, demo_dir: Path) -> None:
        """Each cycle has a calibration report and a change list whose every row changed a value."""
        reports = sorted(demo_dir.glob("calibration_*.md"))
        assert len(reports) == 8  # FY2025Q1 to FY2026Q4
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


# -- misuse: one line, the documented exit status, never a traceback ----------------------------

GBK_TICKETS = "ticket_id,manager,created\nt1,李娜,2024-01-02T09:00:00\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of good and bad inputs for the misuse table."""
    d = tmp_path_factory.mktemp("misuse")
    (d / "scheme.json").write_text(dumps(customer_service_manager()), encoding="utf-8")
    (d / "bad.json").write_text("{not json", encoding="utf-8")
    (d / "ok.csv").write_text("subject_id,csat,csat:n\na,80,40\nb,70,35\n", encoding="utf-8")
    (d / "empty_id.csv").write_text("subject_id,csat\na,80\n ,70\n", encoding="utf-8")
    (d / "twice.csv").write_text("subject_id,csat,csat\na,80,81\n", encoding="utf-8")
    (d / "same_id.csv").write_text("subject_id,csat\na,80\na,70\n", encoding="utf-8")
    (d / "fraction.csv").write_text("subject_id,csat,csat:n\na,80,2.7\n", encoding="utf-8")
    (d / "inf.csv").write_text("subject_id,csat\na,inf\n", encoding="utf-8")
    (d / "gbk.csv").write_bytes(GBK_TICKETS.encode("gbk"))
    (d / "gbk_actuals.csv").write_bytes("subject_id,csat\n李娜,80\n".encode("gbk"))
    (d / "tickets.csv").write_text(
        "ticket_id,manager,customer,created,csat\n"
        "t1,li,c1,2024-01-02T09:00:00,5\nt2,wang,c2,2024-01-03T09:00:00,3\n",
        encoding="utf-8",
    )
    (d / "tickets_twice.csv").write_text(
        "ticket_id,csat,csat,created\nt1,5,4,2024-01-02T09:00:00\n", encoding="utf-8"
    )
    (d / "tickets_dup.csv").write_text(
        "ticket_id,created\nt1,2024-01-02T09:00:00\nt1,2024-01-02T09:00:00\n", encoding="utf-8"
    )
    return d


MISUSE: list[tuple[list[str], int, str]] = [
    # a missing file is the same usage error from every command
    (["score", "{d}/none.json", "{d}/ok.csv"], 2, "cannot read"),
    (["decide", "{d}/scheme.json", "{d}/none.csv"], 2, "cannot read"),
    (["explain", "{d}/none.json", "{d}/ok.csv", "a"], 2, "cannot read"),
    (["metrics", "{d}/none.csv"], 2, "cannot read"),
    (["lint", "{d}/none.json"], 2, "cannot read"),
    # invalid data is 1 from every command, lint included
    (["score", "{d}/bad.json", "{d}/ok.csv"], 1, "bad.json"),
    (["lint", "{d}/bad.json"], 1, "bad.json"),
    (["metrics", "{d}/gbk.csv"], 1, "gb18030"),
    (["score", "{d}/scheme.json", "{d}/gbk_actuals.csv"], 1, "gb18030"),
    (["score", "{d}/scheme.json", "{d}/empty_id.csv"], 1, "row 3, column 'subject_id'"),
    (["score", "{d}/scheme.json", "{d}/same_id.csv"], 1, "'a' is already on row 2"),
    (["decide", "{d}/scheme.json", "{d}/twice.csv"], 1, "'csat' appears more than once"),
    (["score", "{d}/scheme.json", "{d}/fraction.csv"], 1, "'2.7' is not allowed; expected a whole"),
    (["score", "{d}/scheme.json", "{d}/inf.csv"], 1, "finite number"),
    (["metrics", "{d}/tickets_twice.csv"], 1, "'csat' appears twice"),
    (["metrics", "{d}/tickets_dup.csv", "--strict"], 1, "duplicate ticket_id 't1'"),
    (["explain", "{d}/scheme.json", "{d}/ok.csv", "zz"], 1, "'zz' is not in"),
    # usage
    (["metrics", "{d}/tickets.csv", "--from", "2026-02-30", "--to", "2026-03-01"], 2, "not a date"),
    (["metrics", "{d}/tickets.csv", "--from", "2026-02-01"], 2, "both --from and --to"),
    (["metrics", "{d}/tickets.csv", "--from", "2026-03-01", "--to", "2026-02-01"], 2, "before"),
    (["metrics", "{d}/tickets.csv", "--delimiter", ";;"], 2, "--delimiter"),
    (["metrics", "{d}/tickets.csv", "--encoding", "klingon"], 2, "--encoding 'klingon'"),
    (["metrics", "{d}/tickets.csv", "--scheme", "{d}/scheme.json", "--kpi", "x=csat"], 2, "--kpi"),
    (["lint", "{d}/scheme.json", "--tag", "nsp=speed"], 2, "'nsp' is not a KPI"),
    (["lint", "{d}/scheme.json", "--tag", "csat=fast"], 2, "speed"),
    (["score", "{d}/scheme.json", "{d}/ok.csv", "--format", "xml"], 2, "invalid choice"),
    (["score", "{d}/scheme.json", "{d}/ok.csv", "-o", "{d}/out.xlsx"], 2, "'.xlsx'"),
    (["score", "-", "-"], 2, "only one input can be '-'"),
    (
        ["schema", "Nope"],
        2,
        "Nope" if hasattr(perfmgmt.serialization, "json_schema") else "no JSON",
    ),
    (
        ["demo", "--managers", "0", "--out", "{d}/never"],
        2,
        "argument --managers: expected 1 to 1,000, got 0",
    ),
]


class TestMisuse:
    @pytest.mark.parametrize(("argv", "code", "fragment"), MISUSE, ids=lambda v: str(v)[:40])
    def test_misuse_table(self, files: Path, argv: list[str], code: int, fragment: str) -> None:
        """Each misuse exits with its documented status and one line naming the problem."""
        args = [a.format(d=files) for a in argv]
        status, out, err = run(*args)
        assert (status, out) == (code, "")
        assert fragment in err
        assert err.count("\n") == 1, err
        assert "Traceback" not in err

    def test_failed_demo_leaves_no_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A demo that fails midway removes the output directory it created."""
        import perfmgmt.demo._run as demo_run

        def broken(*args: object, **kwargs: object) -> None:
            raise DataError("broken on purpose")

        monkeypatch.setattr(demo_run, "_score_cycles", broken)
        out = tmp_path / "new"
        code, _, err = run("demo", "--out", str(out), "-q", *SMALL)
        assert code == 1
        assert "broken on purpose" in err
        assert not out.exists()

    def test_failed_demo_keeps_an_existing_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A directory that was there before a failed demo stays, with its files."""
        import perfmgmt.demo._run as demo_run

        def broken(*args: object, **kwargs: object) -> None:
            raise DataError("broken on purpose")

        monkeypatch.setattr(demo_run, "_score_cycles", broken)
        (tmp_path / "mine.txt").write_text("keep", encoding="utf-8")
        code, _, _ = run("demo", "--out", str(tmp_path), "-q", *SMALL)
        assert code == 1
        assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep"


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run_in(stdin: str, *argv: str) -> tuple[int, str, str]:
    """Run the command in-process with ``stdin`` as standard input."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


class TestComposition:
    def test_every_format_of_score(self, files: Path) -> None:
        """`score` writes the same subjects as table, md, csv and json; csv/json keep all digits."""
        base = ("score", str(files / "scheme.json"), str(files / "ok.csv"))
        outputs = {fmt: run(*base, "--format", fmt) for fmt in ("table", "md", "csv", "json")}
        assert all(code == 0 for code, _, _ in outputs.values())
        records = json.loads(outputs["json"][1])
        assert [r["subject_id"] for r in records] == ["a", "b"]
        rows = list(csv.DictReader(io.StringIO(outputs["csv"][1])))
        assert [float(r["total"] or "nan") for r in rows] == pytest.approx(
            [float("nan") if r["total"] is None else r["total"] for r in records], nan_ok=True
        )
        assert outputs["md"][1].startswith("| subject\\_id | total |")
        assert outputs["table"][1].splitlines()[1].startswith("----------")

    def test_format_from_the_output_extension(self, files: Path, tmp_path: Path) -> None:
        """-o x.json writes JSON and says where on stderr; -o - writes to stdout."""
        target = tmp_path / "s.json"
        code, out, err = run(
            "score", str(files / "scheme.json"), str(files / "ok.csv"), "-o", str(target)
        )
        assert (code, out) == (0, "")
        assert str(target) in err
        assert len(json.loads(target.read_text(encoding="utf-8"))) == 2
        code, out, _ = run("score", str(files / "scheme.json"), str(files / "ok.csv"), "-o", "-")
        assert code == 0
        assert out.startswith("subject_id")

    def test_metrics_to_decide_through_a_pipe(self, files: Path) -> None:
        """`metrics` --scheme --format csv feeds decide on stdin, in the KPIs' units."""
        code, actuals, _ = run(
            "metrics", str(files / "tickets.csv"), "--scheme", str(files / "scheme.json"),
            "--format", "csv",
        )  # fmt: skip
        assert code == 0
        rows = list(csv.DictReader(io.StringIO(actuals)))
        assert [(r["subject_id"], r["csat"], r["csat:n"]) for r in rows] == [
            ("li", "100.0", "1"),
            ("wang", "0.0", "1"),
        ]
        code, out, err = run_in(
            actuals, "decide", str(files / "scheme.json"), "-", "--format", "json"
        )
        assert code == 0, err
        assert [d["subject_id"] for d in json.loads(out)] == ["li", "wang"]

    def test_scheme_from_stdin(self, files: Path) -> None:
        """A scheme can come on stdin ('-'), with a byte-order mark."""
        scheme = "\ufeff" + (files / "scheme.json").read_text(encoding="utf-8")
        code, out, err = run_in(scheme, "score", "-", str(files / "ok.csv"), "--format", "json")
        assert code == 0, err
        assert len(json.loads(out)) == 2

    def test_decide_names_the_rules_that_fired(self, demo_dir: Path) -> None:
        """`decide` on the demo's actuals lists, per manager, the rules that fired."""
        actuals = sorted(demo_dir.glob("actuals_*.csv"))[-1]
        code, out, _ = run(
            "decide", str(demo_dir / "scheme.json"), str(actuals), "--format", "json"
        )
        assert code == 0
        decided = json.loads(out)
        assert len(decided) == 8
        assert any("bonus_by_rating" in d["fired"] for d in decided)

    def test_explain_as_json(self, demo_dir: Path) -> None:
        """`explain` --format json carries the score record and both explanations."""
        actuals = sorted(demo_dir.glob("actuals_*.csv"))[-1]
        code, out, _ = run(
            "explain", str(demo_dir / "scheme.json"), str(actuals), "M01", "--format", "json"
        )
        assert code == 0
        doc = json.loads(out)
        assert doc["subject_id"] == "M01"
        assert "kpi.csat.score" in doc["explanation"]
        assert "bonus_by_rating" in doc["decisions"]

    def test_lint_as_csv(self, files: Path) -> None:
        """`lint` --format csv lists the findings as rows (exit status as for text)."""
        code, out, _ = run("lint", str(files / "scheme.json"), "--format", "csv")
        text_code, _, _ = run("lint", str(files / "scheme.json"))
        assert code == text_code
        assert out.splitlines()[0].startswith("severity") or out == ""

    def test_demo_summary_as_json(self, tmp_path: Path) -> None:
        """`demo` --format json prints the run's figures as one JSON object."""
        code, out, _ = run("demo", "--out", str(tmp_path), "-q", "--format", "json", *SMALL)
        assert code == 0
        assert json.loads(out)["subjects"] == 8

    def test_metrics_show_rates_as_percent(self, files: Path) -> None:
        """Rates print as percent with one decimal in tables, as shares in csv."""
        code, out, _ = run("metrics", str(files / "tickets.csv"))
        assert code == 0
        assert "100.0%" in out
        code, out, _ = run("metrics", str(files / "tickets.csv"), "--format", "csv")
        assert next(iter(csv.DictReader(io.StringIO(out))))["csat"] == "1.0"

    def test_chinese_headings(self, files: Path) -> None:
        """--lang zh labels the table's columns in Chinese."""
        code, out, _ = run(
            "score", str(files / "scheme.json"), str(files / "ok.csv"), "--lang", "zh"
        )
        assert code == 0
        assert out.splitlines()[0].split()[:3] == ["对象", "总分", "评级"]


def test_encoding_applies_to_the_csv_not_the_scheme(files: Path) -> None:
    """--encoding gb18030 reads a GBK CSV while the scheme JSON stays UTF-8."""
    code, out, err = run(
        "score", str(files / "scheme.json"), str(files / "gbk_actuals.csv"),
        "--encoding", "gb18030", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)[0]["subject_id"] == "李娜"


class TestProgress:
    def test_progress_on_a_terminal_only(self, files: Path) -> None:
        """Long commands report steps on stderr when it is a terminal, and not otherwise."""
        argv = ["metrics", str(files / "tickets.csv")]
        out, tty = io.StringIO(), _Terminal()
        assert main(argv, stdout=out, stderr=tty) == 0
        assert "[1/2]" in tty.getvalue()
        code, _, err = run(*argv)
        assert code == 0
        assert "[1/" not in err

    def test_quiet_silences_a_terminal(self, files: Path) -> None:
        """-q silences progress even on a terminal."""
        tty = _Terminal()
        assert (
            main(["metrics", str(files / "tickets.csv"), "-q"], stdout=io.StringIO(), stderr=tty)
            == 0
        )
        assert "[1/" not in tty.getvalue()


class TestSchema:
    def test_schema_of_a_scheme(self) -> None:
        """`schema` Scheme prints a JSON Schema, when the library can export one."""
        if not hasattr(perfmgmt.serialization, "json_schema"):
            code, _, err = run("schema", "Scheme")
            assert code == 2
            assert "no JSON Schema export" in err
            return
        code, out, _ = run("schema", "Scheme")
        assert code == 0
        assert "$schema" in json.loads(out)


def test_explain_markdown_fence_cannot_be_closed_by_the_text() -> None:
    """A run of backticks in an explanation cannot end the Markdown code block early."""
    from perfmgmt.cli._commands import _fenced

    block = _fenced("a ``` b ```` c")
    fence = block.splitlines()[0].removesuffix("text")
    assert fence == "`" * 5
    assert block.splitlines()[-1] == fence
