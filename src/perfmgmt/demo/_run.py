"""The whole demo as named steps: generate, score each cycle, walk the reviews, write reports."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._format import fmt_money
from perfmgmt._markdown import md_escape
from perfmgmt._words import word
from perfmgmt.calibration import (
    CalibrationLog,
    GuidedDistribution,
    calibrate_ratings,
    guide_batch,
)
from perfmgmt.demo._organisation import DemoOrganisation, generate_organisation
from perfmgmt.demo._population import LoadedTables, cycle_population, kpi_actuals, load_tables
from perfmgmt.demo._review import write_scheme_review
from perfmgmt.demo._walk import _half, _stack, _Walk, _walk_review
from perfmgmt.demo._write import _actuals_records, _records_csv, _round, _summary_markdown
from perfmgmt.errors import ValidationError
from perfmgmt.model import Cycle, Language, Review, Scheme, Subject
from perfmgmt.scoring import BatchScores, Population, ScoreCard, ScoringEngine

if TYPE_CHECKING:
    from perfmgmt.rules import BatchDecisions, Decisions, History, RuleEvaluator

DEMO_STEPS = 8
"""Number of progress steps :func:`run_demo` reports."""


_REPORT_AFTER_DAYS = 14


@attrs.frozen(kw_only=True)
class DemoRun:
    """What :func:`run_demo` did and where it wrote it.

    Attributes:
        out_dir: The output directory.
        cycle: Key of the cycle reported on (the latest).
        subjects: Managers scored in that cycle (those who worked in it).
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
        guide = "指导比例" if lang == "zh" else "guideline"
        dist = ", ".join(
            f"{label} {n} ({guide} {self.guideline.get(label, 0.0):.0%})"
            for label, n in self.ratings.items()
        )
        fired = ", ".join(f"{k} {n}" for k, n in self.fired.items())
        dropped = "; ".join(f"{k}: {v}" for k, v in self.dropped.items()) or word("cli.none", lang)
        if lang == "zh":
            state = "已执行" if self.enforced else "仅报告,未执行"
            lines = [
                f"perfmgmt 演示完成,用时 {self.seconds:.1f} 秒。输出目录:{self.out_dir}",
                "请先在浏览器中打开 index.html:它链接团队报告、每个人的报告和数据文件。",
                f"周期 {self.cycle}:评分 {self.subjects} 位经理,其中 {self.rated} 位获得评级。",
                f"校准后评级分布:{dist}",
                f"校准:强制分布{state},{self.calibrated} 人评级变动。",
                f"触发的规则:{fired}",
                f"奖金合计 {fmt_money(self.bonus_total, self.currency, lang)},扣减合计 "
                f"{fmt_money(self.deduction_total, self.currency, lang)};"
                f"发展行动 {self.development_actions} 项。",
                f"待办:{self.pending} 次反馈面谈尚未进行。",
                f"剔除的坏数据行:{dropped}",
                "汇总表:summary.md(以及 summary.csv);团队报告:team.html(以及 team.md);"
                "个人报告(员工版):reports/<编号>.html(以及 .md);人力资源版:reports/hr/<编号>.html",
            ]
        else:
            state = "enforced" if self.enforced else "reported, not enforced"
            lines = [
                f"perfmgmt demo done in {self.seconds:.1f} s. Output: {self.out_dir}",
                "Open index.html in a browser first: it links the team report, every "
                "person's report and the data files.",
                f"Cycle {self.cycle}: scored {self.subjects} managers, {self.rated} rated.",
                f"Ratings after calibration: {dist}",
                f"Calibration: guided distribution {state}; {self.calibrated} rating(s) changed.",
                f"Rules fired: {fired}",
                f"Bonuses {self.bonus_total} {self.currency}, deductions "
                f"{self.deduction_total} {self.currency}; "
                f"{self.development_actions} development actions suggested.",
                f"Pending: {self.pending} feedback interview(s) not held yet.",
                f"Bad rows dropped: {dropped}",
                "Summary table: summary.md (and summary.csv); team report: team.html (and "
                "team.md); reports for the employee: reports/<id>.html (and .md); for HR: "
                "reports/hr/<id>.html (and .md)",
            ]
        return "\n".join(lines)


def _noop(_text: str) -> None:
    return None


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
    the preset's indicators per manager for eight quarterly cycles (two years), standardises
    the raters' qualitative ratings (raters with fewer than 3 ratings of a criterion pooled),
    scores every manager who worked in the cycle, compares the ratings with the guided
    distribution (enforced only when ``enforce_distribution`` is set), and applies the
    incentive rules to the final ratings with the cycles before as history.

    For the last cycle each manager's review then goes through :mod:`perfmgmt.workflow`, so
    its written report carries a real audit history: goals agreed by the director, a mid-term
    check on the first half of the quarter (with early warnings), the evaluation from the score
    card, calibration (the guided-distribution result and its reason), and, for interviews
    held by the report date (two weeks after the cycle ends), the feedback interview, the
    development plan from :func:`perfmgmt.workflow.suggest_development` and the close.
    Reviews whose interview is still to come stay calibrated and show as pending in the team
    report.

    Files written: ``data/*.csv`` (the raw tables), ``scheme.json`` (the preset),
    ``actuals_<cycle>.csv`` (input for ``perfmgmt score``), ``scores_<cycle>.csv``,
    ``decisions_<cycle>.csv``, ``calibration_<cycle>.md`` (rater offsets, the guided
    distribution report and every calibration change) with ``calibration_<cycle>.csv`` (the
    changes); for the last cycle ``reviews_<cycle>.jsonl`` (one review per line, as
    :func:`perfmgmt.serialization.dumps` writes it), ``reports/<id>.md`` and
    ``reports/<id>.html`` (:func:`perfmgmt.report.review_report` for the employee: no rater
    ids, anonymity thresholds applied) with the HR version beside them in ``reports/hr/``
    (everything, rater ids included), ``team.md`` and ``team.html``
    (:func:`perfmgmt.report.team_report`), ``summary.csv`` and ``summary.md``,
    ``scheme_review.md`` and ``scheme_review.html`` (the periodic review of the scheme:
    trends, adverse impact, rater diagnostics, 9-box, merit, opinions; see
    :func:`perfmgmt.demo.scheme_review`) with the survey it reads, ``data/opinions.csv``, and
    ``demo.json`` (the run's parameters, which ``perfmgmt review-scheme`` reads), and last
    ``index.html``, the page to open first: the team's charts and a link to the team
    report, every person's report (by name) and every data file.

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
    if lang not in ("en", "zh"):
        raise ValidationError(
            f"run_demo: lang={lang!r} is not allowed; expected 'en' or 'zh'",
            field="lang",
            value=lang,
        )
    t0 = time.perf_counter()
    job = _Job(out=Path(out_dir), lang="zh" if lang == "zh" else "en", progress=progress)
    job.out.mkdir(parents=True, exist_ok=True)
    org, tables, scheme = _generate(
        job, seed=seed, managers=managers, agents=agents, tickets=tickets
    )
    scored = _score_cycles(job, org, tables, scheme, enforce=enforce_distribution)
    walked = _walk_reviews(job, org, tables, scheme, scored, seed=seed)
    ratings, guideline = _write_team_and_summary(job, scheme, scored, walked)
    job.progress(word("progress.scheme_review", job.lang))
    write_scheme_review(
        job.write_text, org, tables, scheme,
        lang=job.lang, enforce_distribution=enforce_distribution, tickets=tickets,
    )  # fmt: skip
    _write_index(job, scheme, scored, walked)
    return _result(
        job,
        tables,
        scored,
        walked,
        ratings=ratings,
        guideline=guideline,
        enforced=enforce_distribution,
        started=t0,
    )


# The run's engines (presets, rules, workflow, reports, serialization) are imported inside the
# steps that use them, so importing perfmgmt.demo to generate an organisation stays quick.

_PastRatings = dict[str, list[tuple[str | None, float | None]]]
"""Per manager id, the (final rating, total) of every cycle they were in, oldest first."""


@attrs.define(kw_only=True, eq=False)
class _Job:
    """Where a run writes, in which language, whom it tells, and every file written so far."""

    out: Path
    lang: Language
    progress: Callable[[str], None]
    files: list[Path] = attrs.Factory(list)

    def write_text(self, name: str, text: str) -> None:
        path = self.out / name
        path.write_text(text, encoding="utf-8")
        self.files.append(path)

    def write_records(self, name: str, records: Sequence[Mapping[str, object]]) -> None:
        path = self.out / name
        _records_csv(path, records)
        self.files.append(path)


@attrs.frozen(kw_only=True, eq=False)
class _Scored:
    """The last cycle as scored and decided, and every manager's ratings so far."""

    cycle: Cycle
    baseline: Cycle  # the cycle before it: the cost baseline, and the mid-term's too
    rows: npt.NDArray[np.intp]  # the population's managers, as indices into org.subjects
    population: Population
    batch: BatchScores
    guided: GuidedDistribution
    decisions: BatchDecisions
    past: _PastRatings


@attrs.frozen(kw_only=True, eq=False)
class _Walked:
    """Every review of the last cycle after its walk, with a summary row per manager."""

    today: dt.date
    reviews: list[Review]
    summary: list[dict[str, object]]
    actions: int


def _generate(
    job: _Job, *, seed: int, managers: int, agents: int, tickets: int
) -> tuple[DemoOrganisation, LoadedTables, Scheme]:
    """Generate the organisation, write its raw data, validate its tables, write the scheme."""
    from perfmgmt.presets import customer_service_manager  # noqa: PLC0415 - see above
    from perfmgmt.serialization import dumps  # noqa: PLC0415 - see above

    job.progress(
        word("progress.generating", job.lang).format(
            managers=managers, agents=agents, tickets=f"{tickets:,}", seed=seed
        )
    )
    org = generate_organisation(seed=seed, managers=managers, agents=agents, tickets=tickets)
    job.progress(word("progress.raw", job.lang))
    job.files.extend(org.write_csv(job.out / "data").values())
    job.progress(word("progress.validating", job.lang))
    tables = load_tables(org)
    scheme = customer_service_manager()
    job.write_text("scheme.json", dumps(scheme, indent=2) + "\n")
    return org, tables, scheme


def _score_cycles(
    job: _Job, org: DemoOrganisation, tables: LoadedTables, scheme: Scheme, *, enforce: bool
) -> _Scored:
    """Score every cycle in turn, each with the cycles before it as the rules' history."""
    from perfmgmt.rules import History, RuleEvaluator  # noqa: PLC0415 - see above

    engine, evaluator = ScoringEngine(), RuleEvaluator()
    past: _PastRatings = {sid: [] for sid in org.subject_ids}
    previous = org.baseline
    scored: _Scored | None = None
    for cycle in org.cycles:
        rows = org.present(cycle)
        # The rules see the cycles each manager present now was in before, newest last.
        earlier = [past[org.subjects[i].id] for i in rows]
        history = History.from_records(earlier) if any(earlier) else None
        scored = _score_cycle(
            job,
            org,
            tables,
            scheme,
            cycle=cycle,
            previous=previous,
            rows=rows,
            history=history,
            past=past,
            engine=engine,
            evaluator=evaluator,
            enforce=enforce,
        )
        previous = cycle
    assert scored is not None, "generate_organisation draws eight cycles"
    return scored


def _score_cycle(
    job: _Job,
    org: DemoOrganisation,
    tables: LoadedTables,
    scheme: Scheme,
    *,
    cycle: Cycle,
    previous: Cycle,
    rows: npt.NDArray[np.intp],
    history: History | None,
    past: _PastRatings,
    engine: ScoringEngine,
    evaluator: RuleEvaluator,
    enforce: bool,
) -> _Scored:
    """Score one cycle and apply the rules; append each manager's result to ``past``.

    The managers who worked in the cycle (``rows``) are scored: the indicators come from the
    raw tables, the raters' ratings are standardised, the scores are compared with the guided
    distribution, and the rules see the final ratings.
    """
    job.progress(word("progress.cycle", job.lang).format(cycle=cycle.key))
    population = cycle_population(org, scheme, tables, cycle, previous, present_only=True)
    population, rater_text, log = _standardise_raters(job, org, scheme, cycle, population)
    batch = engine.score_batch(scheme, population)
    guided = guide_batch(scheme, batch, enforce=enforce)
    log += guided.log
    job.write_text(
        f"calibration_{cycle.key}.md",
        f"# {md_escape(cycle.key)}\n\n{rater_text}{guided.report(job.lang)}\n\n"
        f"{log.explain(job.lang)}\n",
    )
    job.write_records(f"calibration_{cycle.key}.csv", log.to_records())
    # Incentives follow the final (calibrated) rating; the scores stay as scored.
    decisions = evaluator.evaluate_batch(scheme, batch, population, history, ratings=guided.rating)
    job.write_records(f"actuals_{cycle.key}.csv", _actuals_records(scheme, population))
    job.write_records(f"scores_{cycle.key}.csv", batch.to_rows())
    job.write_records(f"decisions_{cycle.key}.csv", decisions.to_records())
    for i, sid in enumerate(population.subject_ids):
        total = float(batch.total[i])
        past[sid].append((guided.rating[i], None if np.isnan(total) else total))
    return _Scored(
        cycle=cycle,
        baseline=previous,
        rows=rows,
        population=population,
        batch=batch,
        guided=guided,
        decisions=decisions,
        past=past,
    )


def _standardise_raters(
    job: _Job, org: DemoOrganisation, scheme: Scheme, cycle: Cycle, population: Population
) -> tuple[Population, str, CalibrationLog]:
    """Score the raters' standardised means (raters with under 3 ratings of a criterion pooled).

    Returns:
        The population with the standardised ratings, the rater report (empty when nobody
        rated) and the calibration log it starts.
    """
    cols = org.assessments.get(cycle.key)
    if cols is None or len(cols["subject"]) == 0:
        return population, "", CalibrationLog()
    raters = calibrate_ratings(
        scheme,
        subject=cols["subject"],
        criterion=cols["criterion"],
        source=cols["source"],
        rater=cols["rater"],
        rating=cols["rating"],
        min_ratings=3,
    )
    mean, count = raters.mean_ratings(scheme, population.subject_ids)
    population = attrs.evolve(population, ratings=mean, raters=count)
    return population, raters.report(job.lang, pooled=False) + "\n\n", raters.log


def _walk_reviews(
    job: _Job,
    org: DemoOrganisation,
    tables: LoadedTables,
    scheme: Scheme,
    scored: _Scored,
    *,
    seed: int,
) -> _Walked:
    """Take every review of the last cycle through the workflow; write each one's report."""
    from perfmgmt.presets import customer_service_development  # noqa: PLC0415 - see above
    from perfmgmt.serialization import dumps  # noqa: PLC0415 - see above

    last = scored.cycle
    job.progress(word("progress.workflow", job.lang).format(cycle=last.key))
    today = last.end + dt.timedelta(days=_REPORT_AFTER_DAYS)
    # Interviews are spread over the fortnight after the cycle; a few fall after the report.
    interview_after = np.random.default_rng([seed, 1]).integers(
        4, _REPORT_AFTER_DAYS + 3, len(org.subjects)
    )
    midterm = _stack(scheme, kpi_actuals(org, tables, _half(last), scored.baseline, scheme))
    walk = _Walk(
        scheme=scheme,
        cycle=last,
        policy=customer_service_development(),
        population=scored.population,
        midterm=(midterm[0][scored.rows], midterm[1][scored.rows]),
        assessments=org.assessments.get(last.key),
        guided=scored.guided,
        today=today,
        lang=job.lang,
    )
    scored_ratings = scored.batch.rating()
    (job.out / "reports" / "hr").mkdir(parents=True, exist_ok=True)
    reviews: list[Review] = []
    summary: list[dict[str, object]] = []
    actions = 0
    for i, k in enumerate(scored.rows.tolist()):
        subject = org.subjects[k]
        earlier = [r for r, _ in scored.past[subject.id][:-1]]
        on = last.end + dt.timedelta(days=int(interview_after[k]))
        card = scored.batch.row(i)
        review, plan = _walk_review(
            walk, i=i, subject=subject, card=card, earlier=earlier, interview_day=on
        )
        decisions = scored.decisions.row(i)
        _write_review_report(job, scheme, review, subject=subject, card=card, decisions=decisions)
        reviews.append(review)
        actions += len(plan.actions)
        summary.append(
            _summary_row(
                scheme,
                scored,
                i,
                subject=subject,
                review=review,
                decisions=decisions,
                scored_rating=scored_ratings[i],
                earlier=earlier,
                actions=len(plan.actions),
            )
        )
    job.write_text(f"reviews_{last.key}.jsonl", "".join(dumps(r) + "\n" for r in reviews))
    return _Walked(today=today, reviews=reviews, summary=summary, actions=actions)


def _write_review_report(
    job: _Job,
    scheme: Scheme,
    review: Review,
    *,
    subject: Subject,
    card: ScoreCard,
    decisions: Decisions,
) -> None:
    """Write one manager's review report for the employee, and the HR version beside it."""
    from perfmgmt.report import review_report, to_html, to_markdown  # noqa: PLC0415 - see above
    from perfmgmt.workflow import Audience  # noqa: PLC0415 - see above

    for folder, audience in (("reports", Audience.EMPLOYEE), ("reports/hr", Audience.HR)):
        report = review_report(
            review, scheme, card=card, decisions=decisions, lang=job.lang, audience=audience
        )
        job.write_text(f"{folder}/{subject.id}.md", to_markdown(report))
        job.write_text(f"{folder}/{subject.id}.html", to_html(report))


def _summary_row(
    scheme: Scheme,
    scored: _Scored,
    i: int,
    *,
    subject: Subject,
    review: Review,
    decisions: Decisions,
    scored_rating: str | None,
    earlier: list[str | None],
    actions: int,
) -> dict[str, object]:
    """Return one manager's row of the summary: KPIs, scores, ratings, money and outcomes."""
    batch = scored.batch
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
        rating=scored.guided.rating[i],
        scored_rating=scored_rating,
        previous_rating=earlier[-1] if earlier else None,
        bonus=decisions.bonus,
        deduction=decisions.deduction,
        outcomes="; ".join(dict.fromkeys(d.source for d in decisions.decisions if d.source)),
        development_actions=actions,
        status=review.status.value,
    )
    return row


def _write_team_and_summary(
    job: _Job, scheme: Scheme, scored: _Scored, walked: _Walked
) -> tuple[dict[str, int], dict[str, float]]:
    """Write the team report and the summary; return the rating counts and guideline shares."""
    from perfmgmt.report import team_report, to_html, to_markdown  # noqa: PLC0415 - see above

    last = scored.cycle
    job.progress(word("progress.team", job.lang))
    decisions = [scored.decisions.row(i) for i in range(len(walked.reviews))]
    team = team_report(
        walked.reviews,
        scheme,
        cycle=last,
        today=walked.today,
        lang=job.lang,
        decisions=decisions,
    )
    job.write_text("team.md", to_markdown(team))
    job.write_text("team.html", to_html(team))
    summary = walked.summary
    summary.sort(key=lambda r: -(r["total"] if isinstance(r["total"], float) else -1.0))
    job.write_records("summary.csv", summary)
    bands = scheme.rating_scale.bands
    final = scored.guided.rating
    ratings = {b.label: sum(1 for r in final if r == b.label) for b in reversed(bands)}
    guideline = {b.label: b.guideline_share or 0.0 for b in bands}
    md = _summary_markdown(
        summary, scheme=scheme, cycle=last, ratings=ratings, guideline=guideline, lang=job.lang
    )
    job.write_text("summary.md", md)
    return ratings, guideline


def _write_index(job: _Job, scheme: Scheme, scored: _Scored, walked: _Walked) -> None:
    """Write ``index.html``, last, so that it can link every file written before it."""
    from perfmgmt.charts import rating_distribution  # noqa: PLC0415 - see above
    from perfmgmt.demo._site import index_html  # noqa: PLC0415 - see above

    chart = rating_distribution(list(scored.guided.rating), scheme, lang=job.lang)
    page = index_html(
        lang=job.lang,
        scheme=scheme.label.get(job.lang),
        cycle=scored.cycle.key,
        people=walked.summary,
        charts=[chart],
        files=[p.relative_to(job.out).as_posix() for p in job.files],
        currency=scored.decisions.currency or "",
    )
    job.write_text("index.html", page)


def _result(
    job: _Job,
    tables: LoadedTables,
    scored: _Scored,
    walked: _Walked,
    *,
    ratings: Mapping[str, int],
    guideline: Mapping[str, float],
    enforced: bool,
    started: float,
) -> DemoRun:
    """Return what the run did and where, in the last cycle."""
    decisions, guided, summary = scored.decisions, scored.guided, walked.summary
    fired = {k: int(decisions.fired(k).sum()) for k in decisions.rule_keys + decisions.table_keys}
    bonus_total = sum((r["bonus"] for r in summary if isinstance(r["bonus"], Decimal)), Decimal(0))
    deduction_total = sum(
        (r["deduction"] for r in summary if isinstance(r["deduction"], Decimal)), Decimal(0)
    )
    return DemoRun(
        out_dir=job.out,
        cycle=scored.cycle.key,
        subjects=len(scored.rows),
        rated=int(scored.batch.rated.sum()),
        ratings=ratings,
        guideline=guideline,
        fired=fired,
        bonus_total=bonus_total,
        deduction_total=deduction_total,
        currency=decisions.currency or "CNY",
        development_actions=walked.actions,
        dropped=tables.dropped(job.lang),
        files=tuple(str(p.relative_to(job.out)) for p in job.files),
        seconds=time.perf_counter() - started,
        enforced=enforced,
        calibrated=sum(1 for b, a in zip(guided.before, guided.rating, strict=True) if b != a),
        pending=sum(1 for r in walked.reviews if r.interview is None),
    )
