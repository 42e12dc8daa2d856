"""Hostile text through the written reports: every payload in every user-text field.

Reports are made in Markdown and HTML, English and Chinese. The check is differential and
independent of the escaper: the same report is made with a plain placeholder in the field,
and the hostile report must have the same lines, each of the same kind (heading, table row,
list item, ...), the same count of unescaped Markdown-active characters on each line, and
the same HTML tags. User text may add characters, never markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from _hostile import Case, describe, failures, outcomes_of

from _markdown_payloads import PAYLOADS
from perfmgmt.model import (
    CheckIn,
    DevelopmentAction,
    DevelopmentPlan,
    Event,
    Interview,
    Label,
    Review,
    ReviewStatus,
    Scheme,
)
from perfmgmt.model.development import ActionKind
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.report import review_report, to_html, to_markdown
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import loads
from perfmgmt.workflow import Audience

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v1" / "review.json"
SCHEME = customer_service_manager()
DAY = dt.date(2026, 5, 17)
PLACEHOLDER = "Zq"

EXTRA_PAYLOADS = [
    '"><img src=x onerror=alert(1)>',
    "</td></tr></table><script>x</script>",
    "&lt;script&gt;",
    "\u202eevil",
    "w" * 10_000,
    "a\u0085b",
    "{{ template }}",
    "%s %(x)s {0}",
    "javascript:alert(1)",
    "<",
    "\\",
    "|",
]


def _review(text: str) -> Review:
    """The fixture review with a check-in, an interview, a plan and history, all saying ``text``."""
    base = loads(FIXTURE.read_text("utf-8"), Review)
    return attrs.evolve(
        base,
        check_ins=(CheckIn(on=DAY, author=PLACEHOLDER, note=PLACEHOLDER),),
        interview=Interview(
            on=DAY,
            interviewer=PLACEHOLDER,
            strengths=(PLACEHOLDER,),
            gaps=(PLACEHOLDER,),
            agreed_actions=(PLACEHOLDER,),
            employee_comment=PLACEHOLDER,
        ),
        development_plan=DevelopmentPlan(
            subject_id=base.subject.id,
            actions=(
                DevelopmentAction(
                    key="coach",
                    kind=ActionKind.SKILL_TRAINING,
                    description=PLACEHOLDER,
                    owner=PLACEHOLDER,
                    skill=PLACEHOLDER,
                ),
            ),
        ),
        history=(
            Event(
                at=dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC),
                actor=PLACEHOLDER,
                action="agree_goals",
                from_status=ReviewStatus.DRAFT,
                to_status=ReviewStatus.GOALS_AGREED,
                summary=PLACEHOLDER,
            ),
        ),
    )


BASE = _review(PLACEHOLDER)


def _in_review(field: str, text: str) -> Review:
    r = BASE
    edits: dict[str, Callable[[], Review]] = {
        "subject.name": lambda: attrs.evolve(r, subject=attrs.evolve(r.subject, name=text)),
        "subject.department": lambda: attrs.evolve(
            r, subject=attrs.evolve(r.subject, department=text)
        ),
        "assessment.comment": lambda: attrs.evolve(
            r, assessments=(attrs.evolve(r.assessments[0], comment=text),)
        ),
        "assessment.rater_id": lambda: attrs.evolve(
            r, assessments=(attrs.evolve(r.assessments[0], rater_id=text),)
        ),
        "interview.strengths": lambda: attrs.evolve(
            r, interview=attrs.evolve(r.interview, strengths=(text,))
        ),
        "interview.employee_comment": lambda: attrs.evolve(
            r, interview=attrs.evolve(r.interview, employee_comment=text)
        ),
        "development.description": lambda: attrs.evolve(
            r,
            development_plan=attrs.evolve(
                r.development_plan,
                actions=(attrs.evolve(r.development_plan.actions[0], description=text),),
            ),
        ),
        "history.summary": lambda: attrs.evolve(
            r, history=(attrs.evolve(r.history[0], summary=text),)
        ),
        "history.actor": lambda: attrs.evolve(r, history=(attrs.evolve(r.history[0], actor=text),)),
    }
    return edits[field]()


def _in_scheme(field: str, text: str) -> Scheme:
    s = SCHEME
    if field == "scheme.label":
        return attrs.evolve(s, label=Label(en=text, zh=text))
    if field == "kpi.label":
        kpi = s.kpis[0]
        indicator = attrs.evolve(kpi.indicator, label=Label(en=text, zh=text))
        return attrs.evolve(s, kpis=(attrs.evolve(kpi, indicator=indicator), *s.kpis[1:]))
    if field == "kpi.unit":
        kpi = s.kpis[0]
        indicator = attrs.evolve(kpi.indicator, unit=text)
        return attrs.evolve(s, kpis=(attrs.evolve(kpi, indicator=indicator), *s.kpis[1:]))
    if field == "criterion.label":
        crit = attrs.evolve(s.criteria[0], label=Label(en=text, zh=text))
        return attrs.evolve(s, criteria=(crit, *s.criteria[1:]))
    raise AssertionError(field)


REVIEW_FIELDS = (
    "subject.name",
    "subject.department",
    "assessment.comment",
    "assessment.rater_id",
    "interview.strengths",
    "interview.employee_comment",
    "development.description",
    "history.summary",
    "history.actor",
)
SCHEME_FIELDS = ("scheme.label", "kpi.label", "kpi.unit", "criterion.label")

ENGINE = ScoringEngine()
EVALUATOR = RuleEvaluator()


@functools.cache
def _scored(scheme: Scheme) -> tuple[Any, Any]:
    card = ENGINE.score(scheme, BASE)
    return card, EVALUATOR.evaluate(scheme, card, subject=BASE.subject)


def _render(field: str, text: str, lang: str) -> tuple[str, str]:
    if field in REVIEW_FIELDS:
        review, scheme = _in_review(field, text), SCHEME
    else:
        review, scheme = BASE, _in_scheme(field, text)
    card, decisions = _scored(scheme)
    # HR's report shows every field (rater ids included), so every payload is rendered.
    report = review_report(
        review, scheme, card=card, decisions=decisions, lang=lang, audience=Audience.HR
    )
    return to_markdown(report), to_html(report)


_ACTIVE = set("`*_~[]!|#<>")
_KINDS = (
    ("heading", re.compile(r"#{1,6}(\s|$)")),
    ("table", re.compile(r"\|")),
    ("list", re.compile(r"([-*+]|\d{1,9}[.)])(\s|$)")),
    ("quote", re.compile(r">")),
    ("fence", re.compile(r"(```|~~~)")),
    ("rule", re.compile(r"(-{3,}|\*{3,}|_{3,}|={3,})\s*$")),
    ("indented", re.compile(r"( {4}|\t)")),
)


def _kind(line: str) -> str:
    if not line.strip():
        return "blank"
    for name, pattern in _KINDS:
        if pattern.match(line):
            return name
    return "text"


def _unescaped_active(line: str) -> int:
    return sum(ch in _ACTIVE for ch in re.sub(r"\\.", "", line))


def _tags(html: str) -> list[str]:
    return re.findall(r"<[^>]*>", html)


@functools.cache
def _placeholder(field: str, lang: str) -> tuple[str, str]:
    return _render(field, PLACEHOLDER, lang)


def _inert(field: str, lang: str) -> Callable[[tuple[str, str]], None]:
    def check(rendered: tuple[str, str]) -> None:
        md, html = rendered
        md0, html0 = _placeholder(field, lang)
        lines, lines0 = md.splitlines(), md0.splitlines()
        assert len(lines) == len(lines0), "the payload added or removed Markdown lines"
        for i, (a, b) in enumerate(zip(lines, lines0, strict=True)):
            assert _kind(a) == _kind(b), f"line {i} became a {_kind(a)}: {a[:80]!r}"
            assert _unescaped_active(a) == _unescaped_active(b), f"live markup on line {i}"
        assert _tags(html) == _tags(html0), "the payload changed the HTML tags"

    return check


def _cases() -> Iterator[Case]:
    for field in (*REVIEW_FIELDS, *SCHEME_FIELDS):
        for lang in ("en", "zh"):
            for i, payload in enumerate((*PAYLOADS, *EXTRA_PAYLOADS)):
                yield Case(
                    category="report/review",
                    name=f"{field} [{lang}] <- payload {i}: {payload[:40]!r}",
                    run=functools.partial(_render, field, payload, lang),
                    check=_inert(field, lang),
                    names=(field.split(".")[-1],),
                    check_area="report",
                )


FACTORIES: dict[str, Callable[[], Iterator[Case]]] = {"report/review": _cases}


@pytest.fixture(scope="module")
def outcomes() -> tuple[Any, ...]:
    """The outcomes of the report payload matrix (run once per session)."""
    return outcomes_of("report/review", _cases)


def test_placeholder_reports_render() -> None:
    """Every field shows up in the report, so a payload in it is really rendered."""
    for field in (*REVIEW_FIELDS, *SCHEME_FIELDS):
        md, html = _render(field, "Xyzzy", "en")
        assert "Xyzzy" in md, field
        assert "Xyzzy" in html, field


def test_no_failure(outcomes: tuple[Any, ...]) -> None:
    """No payload in any field becomes live Markdown or HTML, or breaks the report."""
    found = failures(outcomes, other=False) + failures(outcomes, other=True)
    assert not found, describe(found)
