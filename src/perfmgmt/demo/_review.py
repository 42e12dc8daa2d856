"""The demo's periodic review of the scheme: every cycle rescored, analysed and reported.

The organisation's group attributes (drawn in :mod:`perfmgmt.demo._organisation`), a drawn
survey of managers, staff and HR about the scheme, potential ratings by the director and a
merit matrix give :func:`scheme_review` everything
:func:`perfmgmt.review_report.scheme_review_report` reports on.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt.demo._organisation import DemoOrganisation
from perfmgmt.demo._population import LoadedTables, cycle_population, load_tables
from perfmgmt.errors import ValidationError

if TYPE_CHECKING:
    from perfmgmt.analytics import MeritResult, NineBoxPlacement, Opinion
    from perfmgmt.calibration import RatingCalibration
    from perfmgmt.model import Scheme
    from perfmgmt.report import Report
    from perfmgmt.rules import BatchDecisions
    from perfmgmt.scoring import BatchScores

__all__ = ["OPINION_QUESTIONS", "draw_opinions", "read_opinions", "scheme_review"]

Lang = Literal["en", "zh"]

OPINION_QUESTIONS = ("fair", "clear", "motivating", "workload")
"""The demo survey's questions: the scheme is fair; its goals are clear; it motivates; the
effort it asks is reasonable (1 strongly disagree to 5 strongly agree)."""

_COMMENTS = {
    "en": (
        "The cost-saving KPI is hard to influence from my team.",
        "Clear targets, and the mid-term check helped.",
        "Too many indicators for one quarter.",
        "The feedback interview was the most useful part.",
        "Innovation projects are counted, not weighed.",
        "",
        "",
    ),
    "zh": (
        "成本节约指标很难由团队自己影响。",
        "目标清晰,中期检查很有帮助。",
        "一个季度的指标太多。",
        "反馈面谈是最有用的环节。",
        "创新项目只计数量,不看质量。",
        "",
        "",
    ),
}
_STAFF = 60
_HR = 4  # fewer than the anonymity threshold: their answers are suppressed in the report
_K = 5


def draw_opinions(org: DemoOrganisation, *, lang: Lang = "en") -> tuple[Opinion, ...]:
    """Draw the demo's survey about the scheme: every manager, up to 60 staff and 4 HR people.

    Managers who left before the survey (at the end of the reviews) do not answer.

    Managers with better hidden quality find the scheme a little fairer; staff are a little
    more critical of the workload. Comments are drawn from a few typical ones in ``lang``.
    The draws use their own seed, so the rest of the organisation is unchanged.
    """
    from perfmgmt.analytics import Opinion  # noqa: PLC0415 - keep importing the demo quick

    rng = np.random.default_rng([org.seed, 21])
    comments = _COMMENTS[lang]
    staff = min(_STAFF, org.agents)
    stayed = np.array([s.leave_date is None for s in org.subjects], dtype=bool)
    roles = ["manager"] * int(stayed.sum()) + ["staff"] * staff + ["hr"] * _HR
    lean = np.concatenate(
        [0.4 * org.quality[stayed], np.full(staff, -0.2), np.full(_HR, 0.5)]
    ) + rng.normal(0, 0.3, len(roles))
    base = {"fair": 3.4, "clear": 3.7, "motivating": 3.2, "workload": 2.9}
    scores = {
        q: np.clip(np.round(base[q] + lean + rng.normal(0, 0.8, len(roles))), 1, 5).astype(int)
        for q in OPINION_QUESTIONS
    }
    answered = rng.random((len(roles), len(OPINION_QUESTIONS))) > 0.05  # a few skip a question
    pick = rng.integers(0, len(comments), len(roles))
    return tuple(
        Opinion(
            role=role,
            scores={
                q: int(scores[q][i]) for j, q in enumerate(OPINION_QUESTIONS) if answered[i, j]
            },
            comment=comments[int(pick[i])],
        )
        for i, role in enumerate(roles)
    )


def opinions_csv(opinions: Sequence[Opinion]) -> str:
    """Return the survey as CSV text: role, one column per question (empty = skipped), comment."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["role", *OPINION_QUESTIONS, "comment"])
    for o in opinions:
        writer.writerow(
            [o.role.value, *("" if o.score(q) is None else o.score(q) for q in OPINION_QUESTIONS),
             o.comment]
        )  # fmt: skip
    return buf.getvalue()


def read_opinions(text: str) -> tuple[Opinion, ...]:
    """Read survey answers from CSV text: a ``role`` column, question columns and ``comment``.

    Every column other than ``role`` and ``comment`` is a question; an empty cell is a
    question not answered.

    Raises:
        ValidationError: On a missing ``role`` column, a score that is not a whole number, or
            an answer :class:`~perfmgmt.analytics.Opinion` refuses (the row is named).
    """
    from perfmgmt.analytics import Opinion  # noqa: PLC0415 - keep importing the demo quick

    rows = list(csv.DictReader(io.StringIO(text)))
    out = []
    for n, row in enumerate(rows, start=2):
        if "role" not in row:
            raise ValidationError(
                "opinions: no 'role' column; expected role, question columns and comment",
                field="role",
                value=None,
            )
        scores: dict[str, int] = {}
        for key, cell in row.items():
            if key in ("role", "comment") or key is None or cell is None or cell.strip() == "":
                continue
            if not cell.strip().isdigit():
                raise ValidationError(
                    f"opinions line {n}: {key}={cell!r} is not allowed; expected a whole score "
                    "from 1 to 5 or an empty cell",
                    field=key,
                    value=cell,
                )
            scores[key] = int(cell)
        try:
            out.append(Opinion(role=row["role"], scores=scores, comment=row.get("comment") or ""))
        except ValidationError as exc:
            raise ValidationError(
                f"opinions line {n}: {exc}", field="opinions", value=row["role"]
            ) from None
    return tuple(out)


@attrs.frozen(kw_only=True, eq=False)
class _Cycle:
    key: str
    rows: npt.NDArray[np.intp]  # the managers who worked in the cycle, into org.subjects
    batch: BatchScores
    final: tuple[str | None, ...]
    decisions: BatchDecisions
    raters: RatingCalibration | None


def _score_cycles(
    org: DemoOrganisation, tables: LoadedTables, scheme: Scheme, *, enforce: bool
) -> list[_Cycle]:
    """Score every cycle as the demo run does: raters standardised, guided, rules applied."""
    from perfmgmt.calibration import calibrate_ratings, guide_batch  # noqa: PLC0415
    from perfmgmt.rules import History, RuleEvaluator  # noqa: PLC0415
    from perfmgmt.scoring import ScoringEngine  # noqa: PLC0415

    engine, evaluator = ScoringEngine(), RuleEvaluator()
    past: dict[str, list[tuple[str | None, float | None]]] = {s: [] for s in org.subject_ids}
    previous = org.baseline
    out = []
    for cycle in org.cycles:
        rows = org.present(cycle)
        population = cycle_population(org, scheme, tables, cycle, previous, present_only=True)
        earlier = [past[sid] for sid in population.subject_ids]
        history = History.from_records(earlier) if any(earlier) else None
        cols = org.assessments.get(cycle.key)
        raters = None
        if cols is not None and len(cols["subject"]):
            raters = calibrate_ratings(scheme, min_ratings=3, **cols)
            mean, count = raters.mean_ratings(scheme, population.subject_ids)
            population = attrs.evolve(population, ratings=mean, raters=count)
        batch = engine.score_batch(scheme, population)
        guided = guide_batch(scheme, batch, enforce=enforce)
        decisions = evaluator.evaluate_batch(
            scheme, batch, population, history, ratings=guided.rating
        )
        for i, sid in enumerate(population.subject_ids):
            total = float(batch.total[i])
            past[sid].append((guided.rating[i], None if np.isnan(total) else total))
        previous = cycle
        out.append(
            _Cycle(
                key=cycle.key,
                rows=rows,
                batch=batch,
                final=guided.rating,
                decisions=decisions,
                raters=raters,
            )
        )
    return out


def _placements(
    org: DemoOrganisation, scheme: Scheme, cycles: Sequence[_Cycle]
) -> list[NineBoxPlacement]:
    """Place everyone on the 9-box each cycle, from the final rating and drawn potential.

    Potential is drawn from quality and a lasting personal part, with a little noise per
    cycle, so the moves between cycles follow performance more than chance.
    """
    from perfmgmt.analytics import NineBoxGrid, PotentialModel, place, potentials  # noqa: PLC0415
    from perfmgmt.model import (  # noqa: PLC0415
        Assessment,
        AssessmentSource,
        Label,
        QualitativeCriterion,
    )

    model = PotentialModel(
        criteria=(
            QualitativeCriterion(
                key="agility", label=Label(en="Learning agility", zh="学习敏锐度"), weight=0.5
            ),
            QualitativeCriterion(
                key="aspiration", label=Label(en="Aspiration", zh="发展意愿"), weight=0.5
            ),
        )
    )
    labels = [b.label for b in scheme.rating_scale.bands]  # lowest first
    grid = NineBoxGrid(
        rating_levels=(tuple(labels[:2]), tuple(labels[2:-1]), (labels[-1],)),
        potential_cuts=(Decimal(3), Decimal(4)),
    )
    # Potential is mostly a person's own (quality and a lasting part), a little the cycle's.
    lasting = np.random.default_rng([org.seed, 22]).normal(0, 0.55, (len(org.subjects), 2))
    out = []
    for c, cycle in enumerate(cycles):
        rng = np.random.default_rng([org.seed, 22, c])
        own = 0.5 * org.quality[cycle.rows, None] + lasting[cycle.rows]
        drawn = np.clip(np.round(3.2 + own + rng.normal(0, 0.4, own.shape)), 1, 5)
        assessed = [
            [
                Assessment(
                    criterion=key,
                    source=AssessmentSource.MANAGER,
                    rater_id="D01",
                    rating=float(drawn[i, j]),
                )
                for j, key in enumerate(model.keys)
            ]
            for i in range(len(own))
        ]
        out.append(
            place(
                grid,
                performance=list(cycle.final),
                potential=potentials(model, assessed),
                subjects=cycle.batch.subject_ids,
            )
        )
    return out


def _merit(
    org: DemoOrganisation, scheme: Scheme, present: Sequence[int], final: Sequence[str | None]
) -> MeritResult:
    """Apply a merit matrix to the rated managers (``present``: indices into the subjects).

    The budget is 3 % of their pay.
    """
    from perfmgmt.analytics import MeritMatrix, MeritRow, merit_increases  # noqa: PLC0415

    labels = [b.label for b in scheme.rating_scale.bands]  # lowest first
    # Raise % per compa-ratio band (< 0.90, 0.90-1.10, >= 1.10), lowest rating first.
    cells = [("0", "0", "0"), ("1", "0.5", "0"), ("3", "2", "1"), ("5", "4", "2.5"),
             ("7", "5.5", "3.5")]  # fmt: skip
    top = len(cells) - 1
    rows = tuple(
        MeritRow(
            rating=label,
            percents=tuple(Decimal(x) for x in cells[max(0, top - (len(labels) - 1 - i))]),
        )
        for i, label in enumerate(labels)
    )
    matrix = MeritMatrix(compa_edges=(Decimal("0.90"), Decimal("1.10")), rows=rows)
    grades = sorted({s.grade for s in org.subjects if s.grade})
    midpoint = {g: Decimal(50_000 + 12_000 * i) for i, g in enumerate(grades)}
    people = [
        (s, r, s.base_pay)
        for s, r in zip((org.subjects[i] for i in present), final, strict=True)
        if r is not None and s.base_pay is not None
    ]
    salaries = [pay.quantize(Decimal("0.01")) for _, _, pay in people]
    budget = (sum(salaries, Decimal(0)) * Decimal("0.03")).quantize(Decimal("0.01"))
    columns = {
        "ratings": [r for _, r, _ in people],
        "salaries": salaries,
        "midpoints": [midpoint[s.grade or grades[0]] for s, _, _ in people],
        "subjects": [s.id for s, _, _ in people],
    }
    unscaled = merit_increases(matrix, currency="CNY", **columns)  # type: ignore[arg-type]
    if not unscaled.base_total:  # nobody earns a raise: there is nothing to scale
        return unscaled
    return merit_increases(matrix, currency="CNY", budget=budget, **columns)  # type: ignore[arg-type]


def scheme_review(
    org: DemoOrganisation,
    *,
    tables: LoadedTables | None = None,
    scheme: Scheme | None = None,
    opinions: Sequence[Opinion] | None = None,
    lang: Lang = "en",
    enforce_distribution: bool = False,
) -> Report:
    """Review the customer-service scheme over the organisation's cycles, as a report.

    Every cycle is scored as :func:`perfmgmt.demo.run_demo` scores it, then summarised;
    the first cycle's final ratings are checked against the second cycle's KPI results;
    adverse impact of a rating of ``B`` or better and of a bonus is computed by department,
    gender, age band and location (groups under 5 people suppressed); the raters of the last
    cycle are diagnosed; everyone is placed on the 9-box in each cycle (potential rated by
    the director) with the moves and promotion readiness; a merit matrix spends 3 % of the
    rated managers' pay; and the survey (by default :func:`draw_opinions`) is summarised.

    Args:
        org: The organisation.
        tables: Its loaded tables (loaded when not given).
        scheme: The scheme (the customer-service preset when not given).
        opinions: Survey answers about the scheme; drawn when not given.
        lang: ``"en"`` or ``"zh"``.
        enforce_distribution: Whether calibration enforced the guided distribution.

    Returns:
        The report; render it with :func:`perfmgmt.report.to_markdown` or ``to_html``.
    """
    from perfmgmt.analytics import (  # noqa: PLC0415 - keep importing the demo quick
        ReadinessPolicy,
        adverse_impact,
        movement,
        predictive_validity,
        promotion_readiness,
        rater_diagnostics,
        summarise_cycle,
        summarise_opinions,
    )
    from perfmgmt.presets import customer_service_manager  # noqa: PLC0415
    from perfmgmt.review_report import scheme_review_report  # noqa: PLC0415

    if lang not in ("en", "zh"):
        raise ValidationError(
            f"scheme_review: lang={lang!r} is not allowed; expected 'en' or 'zh'",
            field="lang",
            value=lang,
        )
    scheme = scheme or customer_service_manager()
    tables = tables or load_tables(org)
    cycles = _score_cycles(org, tables, scheme, enforce=enforce_distribution)
    summaries = [
        summarise_cycle(scheme, c.batch, cycle=c.key, ratings=c.final, decisions=c.decisions)
        for c in cycles
    ]
    validity = [
        predictive_validity(a.batch, b.batch, cycle=a.key, next_cycle=b.key, ratings=a.final)
        for a, b in itertools.pairwise(cycles)
    ]
    last = cycles[-1]
    names = _GROUP_NAMES[lang]
    adverse = []
    for attribute, labels in org.groups.items():
        groups = np.array(labels, dtype=object)[last.rows]
        adverse.append(
            (names.get(attribute, attribute), adverse_impact(last.batch, groups, band="B"))
        )
    bonus = org.groups.get("gender")
    if bonus is not None:
        adverse.append(
            (
                names["gender"],
                adverse_impact(
                    last.decisions,
                    np.array(bonus, dtype=object)[last.rows],
                    outcome="bonus",
                    scores=last.batch.total,
                ),
            )
        )
    placements = _placements(org, scheme, cycles)
    readiness = promotion_readiness(ReadinessPolicy(), placements[-1], history=_histories(cycles))
    answers = draw_opinions(org, lang=lang) if opinions is None else opinions
    return scheme_review_report(
        scheme,
        cycles=summaries,
        validity=validity,
        adverse=adverse,
        raters=None if last.raters is None else rater_diagnostics(scheme, last.raters),
        placement=placements[-1],
        moves=movement(placements[-2], placements[-1]) if len(placements) > 1 else None,
        readiness=readiness,
        merit=_merit(org, scheme, last.rows.tolist(), last.final),
        opinions=summarise_opinions(answers, k=_K, questions=OPINION_QUESTIONS),
        lang=lang,
    )


def _histories(cycles: Sequence[_Cycle]) -> list[list[str | None]]:
    """Per manager of the last cycle, their final rating in every cycle, oldest first.

    A cycle before a manager joined gives None.
    """
    ratings = [dict(zip(c.batch.subject_ids, c.final, strict=True)) for c in cycles]
    return [[r.get(sid) for r in ratings] for sid in cycles[-1].batch.subject_ids]


_GROUP_NAMES = {
    "en": {"department": "Department", "gender": "Gender", "age_band": "Age band",
           "location": "Location"},
    "zh": {"department": "部门", "gender": "性别", "age_band": "年龄段", "location": "工作地点"},
}  # fmt: skip


def write_scheme_review(
    write_text: Callable[[str, str], None],
    org: DemoOrganisation,
    tables: LoadedTables,
    scheme: Scheme,
    *,
    lang: Lang,
    enforce_distribution: bool,
    tickets: int,
) -> None:
    """Write the survey, the run's parameters and the scheme review (Markdown and HTML)."""
    import json  # noqa: PLC0415

    from perfmgmt.report import to_html, to_markdown  # noqa: PLC0415

    answers = draw_opinions(org, lang=lang)
    write_text("data/opinions.csv", opinions_csv(answers))
    params = {
        "seed": org.seed,
        # Every team has one manager who stayed (a leaver's successor among them).
        "managers": sum(1 for s in org.subjects if s.leave_date is None),
        "agents": org.agents,
        "tickets": tickets,
        "enforce_distribution": enforce_distribution,
    }
    write_text("demo.json", json.dumps(params, indent=2) + "\n")
    report = scheme_review(
        org,
        tables=tables,
        scheme=scheme,
        opinions=answers,
        lang=lang,
        enforce_distribution=enforce_distribution,
    )
    write_text("scheme_review.md", to_markdown(report))
    write_text("scheme_review.html", to_html(report))
