"""Chinese output has no English words but the identifiers the user typed (issue 19, item 3)."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from perfmgmt._format import fmt_date, fmt_money, fmt_number, fmt_percent
from perfmgmt._words import WORDS, word
from perfmgmt.cli import main
from perfmgmt.errors import ValidationError
from perfmgmt.model import Cycle, Interview, Review, Scheme
from perfmgmt.presets import customer_service_development, customer_service_manager
from perfmgmt.report import review_report, team_report, to_markdown
from perfmgmt.rules import RuleEvaluator, describe_condition, parse
from perfmgmt.scoring import ScoringEngine
from perfmgmt.serialization import dumps
from perfmgmt.strategies import reviews

ENGLISH = re.compile(r"[A-Za-z]{2,}")
ARGV = ("perfmgmt", "demo", "explain", "score", "decide", "lint", "metrics", "--lang", "zh")


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _strings(value: object) -> Iterator[tuple[str, str]]:
    """Yield every (field name, text) pair in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                yield k, v
            else:
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# Fields whose text the user typed: names, keys and ids, and the free text of their incentive
# rules and development catalogue (honour titles, training names, skills, trigger reasons).
_TYPED = {
    "key", "id", "name", "department", "manager_id", "grade", "kpi", "criterion", "cycle",
    "scheme", "currency", "actor", "rater_id", "owner", "title", "topic", "kind_key", "skill",
    "training", "reason", "interviewer", "subject_id", "source_key", "scheme_hash",
}  # fmt: skip


def _typed_in(value: object) -> str:
    """Return the typed fields' text of a JSON value, joined."""
    return " ".join(text for name, text in _strings(value) if name in _TYPED)


def _scheme_words(scheme: object) -> str:
    """Return the scheme's typed text, rule field names and the units the library cannot name."""
    refs = re.findall(r"\b[a-z_]+(?:\.[a-z_]+)+", json.dumps(scheme))
    units = {u for n, u in _strings(scheme) if n == "unit"}
    own = [u for u in units if word(f"unit.{u}", "zh", default="") == ""]
    return " ".join([_typed_in(scheme), *refs, *own])


def _policy_words() -> str:
    """Return the development catalogue's names (trainings, skills, trigger reasons)."""
    policy = customer_service_development()
    links = [f"{link.training} {link.skill}" for link in policy.skill_map.links]
    return " ".join([*links, *(t.reason for t in policy.wellbeing)])


def _table_words(table: Path) -> str:
    """Return a data table's name, column names and the ids and names in it."""
    with table.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = ("subject_id", "name", "department", "rater_id", "manager_id")
        if table.stem == "subjects":  # the people table: every attribute is the user's data
            cells = [v or "" for row in reader for v in row.values()]
        else:
            cells = [row.get(c) or "" for row in reader for c in cols]
        return " ".join([table.stem, *(reader.fieldnames or ()), *cells])


def allow_list(demo: Path) -> set[str]:
    """Build the identifiers the user typed from the inputs, never from the outputs."""
    texts = [
        _scheme_words(json.loads((demo / "scheme.json").read_text("utf-8"))),
        _policy_words(),
        str(demo),  # the output directory the user named
        " ".join(ARGV),  # the command lines the user typed
        *(
            _typed_in(json.loads(line))
            for line in (demo / "reviews_FY2026Q4.jsonl").read_text("utf-8").splitlines()
        ),
        *(_table_words(t) for t in (demo / "data").glob("*.csv")),
        *(p.name for p in demo.rglob("*")),  # the files written, by name
    ]
    return {w for text in texts for w in ENGLISH.findall(text)}


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Return the English words of ``text`` that are not in ``allowed``, with context."""
    return [
        f"{m.group()!r} in …{text[max(0, m.start() - 40) : m.end() + 40]}…"
        for m in ENGLISH.finditer(text)
        if m.group() not in allowed
    ]


def _html_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Run the demo in Chinese once; return its directory and the texts people read."""
    out = tmp_path_factory.mktemp("zh") / "demo"
    small = ["--managers", "6", "--agents", "60", "--tickets", "4000", "--seed", "3"]
    with pytest.MonkeyPatch.context() as mp:  # progress lines are shown on a terminal only
        mp.setattr("perfmgmt.cli._output._is_terminal", lambda stream: True)
        return _run_all(out, small)


def _run_all(out: Path, small: list[str]) -> tuple[Path, dict[str, str]]:
    code, stdout, stderr = run("demo", "--lang", "zh", "--out", str(out), *small)
    assert code == 0, stderr
    texts = {"demo output": stdout + stderr}
    for path in sorted(out.rglob("*.md")):
        texts[str(path.relative_to(out))] = html.unescape(path.read_text("utf-8"))
    for path in sorted(out.rglob("*.html")):
        texts[str(path.relative_to(out))] = _html_text(path.read_text("utf-8"))
    actuals = str(out / "actuals_FY2026Q4.csv")
    for sid in ("M01", "M02", "M05"):
        code, stdout, stderr = run(
            "explain", "--lang", "zh", str(out / "scheme.json"), actuals, sid
        )
        assert code == 0, stderr
        texts[f"explain {sid}"] = stdout + stderr
    for command in ("score", "decide"):
        code, stdout, stderr = run(command, "--lang", "zh", str(out / "scheme.json"), actuals)
        assert code == 0, stderr
        texts[command] = stdout + stderr
    code, stdout, stderr = run("lint", "--lang", "zh", str(out / "scheme.json"))
    texts["lint"] = stdout + stderr
    code, stdout, stderr = run("metrics", "--lang", "zh", str(out / "data" / "tickets.csv"))
    assert code == 0, stderr
    texts["metrics"] = stderr  # progress and bad-row lines; the table itself is data
    return out, texts


class TestNoEnglish:
    def test_every_text_is_chinese_but_the_users_identifiers(
        self, demo: tuple[Path, dict[str, str]]
    ) -> None:
        """Reports, explanations, lint and command output in zh use no English word."""
        out, texts = demo
        allowed = allow_list(out)
        found = {name: english_words(text, allowed) for name, text in texts.items()}
        found = {name: words[:5] for name, words in found.items() if words}
        assert not found, json.dumps(found, ensure_ascii=False, indent=1)

    def test_money_and_dates_are_chinese(self, demo: tuple[Path, dict[str, str]]) -> None:
        """Money is written ¥1,234.00 in the index, team page and CLI; plan dates as 年月日."""
        _, texts = demo
        money = re.compile(r"¥\d{1,3}(?:,\d{3})*\.\d{2}")
        for name in ("index.html", "team.html", "demo output"):
            assert money.search(texts[name]), name
        assert not re.search(r"\d CNY", texts["index.html"])
        assert re.search(r"\| \d{4}年\d{1,2}月\d{1,2}日 \|", texts["reports/M02.md"])

    def test_the_check_catches_english(self, demo: tuple[Path, dict[str, str]]) -> None:
        """The check is not vacuous: an English status word is caught."""
        out, _ = demo
        assert english_words("状态:evaluated", allow_list(out)) == [
            "'evaluated' in …状态:evaluated…"
        ]


class TestWords:
    def test_every_key_has_english_and_chinese(self) -> None:
        """Each word table key exists in both languages with non-empty text."""
        assert set(WORDS["en"]) == set(WORDS["zh"])
        for key in WORDS["en"]:
            assert WORDS["en"][key], key
            assert WORDS["zh"][key], key

    def test_chinese_words_are_not_english(self) -> None:
        """No zh word is an English word (only placeholders and symbols may be ASCII)."""
        for key, text in WORDS["zh"].items():
            bare = re.sub(r"\{[a-z_!r]+\}", "", text)
            bare = re.sub(r"[\w*<>/-]*\.[a-z]+|\w+/", "", bare)  # file names the user reads
            bare = re.sub(r"'\w+'", "", bare)  # column names, quoted as the user wrote them
            assert not ENGLISH.search(bare), (key, text)

    def test_unknown_key_and_language(self) -> None:
        """An unknown key needs a default; an unknown language is refused."""
        assert word("unit.furlongs", "zh", default="furlongs") == "furlongs"
        with pytest.raises(ValidationError, match="key 'nope'"):
            word("nope", "zh")
        with pytest.raises(ValidationError, match="'fr'"):
            word("status.draft", "fr")

    def test_every_review_status_has_words(self) -> None:
        """Each ReviewStatus and action enum value has a word, so no status shows raw."""
        from perfmgmt.model import ActionKind, ActionStatus, AssessmentSource, ReviewStatus

        for prefix, members in (
            ("status", ReviewStatus),
            ("action_status", ActionStatus),
            ("action_kind", ActionKind),
            ("source", AssessmentSource),
        ):
            for member in members:
                assert f"{prefix}.{member.value}" in WORDS["zh"], (prefix, member)


class TestFormat:
    def test_money(self) -> None:
        """Chinese CNY is ¥ with separators; English keeps the amount and code as before."""
        from decimal import Decimal

        assert fmt_money(Decimal("14800.00"), "CNY", "zh") == "¥14,800.00"
        assert fmt_money(Decimal("-5.10"), "CNY", "zh") == "-¥5.10"
        assert fmt_money(Decimal("1234.5"), "USD", "zh") == "1,234.5 USD"
        assert fmt_money(Decimal("14800.00"), "CNY", "en") == "14800.00 CNY"
        assert fmt_money(None, "CNY", "zh") == "-"

    def test_numbers_percentages_dates(self) -> None:
        """Numbers, shares and dates in both languages; unknown languages refused."""
        import datetime as dt
        from fractions import Fraction

        assert fmt_number(12345.678, 1, "zh") == "12345.7"
        assert fmt_number(12345.678, 1, "en", group=True) == "12,345.7"
        assert fmt_percent(Fraction(17, 40), 1, "zh") == "42.5%"
        assert fmt_date(dt.date(2026, 3, 31), "zh") == "2026年3月31日"
        assert fmt_date(dt.date(2026, 3, 31), "en") == "2026-03-31"
        with pytest.raises(ValidationError):
            fmt_number(1.0, 1, "fr")


class TestConditions:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "total >= 90 and kpi.csat.score > 80",
                "总分 不低于 90 并且 客户满意度得分的得分 高于 80",
            ),
            (
                'rating == "A" and history.rating[-1] == "A"',
                "评级 等于 “A” 并且 1 个周期前的评级 等于 “A”",
            ),
            ('rating in ["D", "E"] or total < 60', "评级 属于 “D”、“E” 或者 总分 低于 60"),
        ],
    )  # fmt: skip
    def test_zh_words(self, text: str, expected: str) -> None:
        """A condition reads as Chinese words, with KPI labels for keys."""
        got = describe_condition(parse(text), "zh", labels={"csat": "客户满意度得分"})
        assert got == expected

    def test_en_is_the_canonical_text(self) -> None:
        """In English the condition is shown as the user typed it (canonical form)."""
        assert describe_condition(parse("total>=90"), "en") == "total >= 90"

    def test_unknown_language(self) -> None:
        """Another language is refused."""
        from perfmgmt.errors import RuleError

        with pytest.raises(RuleError):
            describe_condition(parse("total >= 90"), "fr")


def _texts_of(value: object) -> str:
    """Return every string inside an attrs object, joined: the text a user put into it."""
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return ""  # the library's words for enum values are what is under test
    if attrs.has(type(value)):
        return " ".join(_texts_of(getattr(value, a.name)) for a in attrs.fields(type(value)))
    if isinstance(value, tuple | list):
        return " ".join(_texts_of(v) for v in value)
    return ""


def _scheme_identifiers(scheme: Scheme) -> set[str]:
    """Return the scheme's keys, rule field names and its rules' free text (titles, topics)."""
    data = json.loads(dumps(scheme))
    return set(ENGLISH.findall(_scheme_words(data))) | {"CNY"}


class TestGeneratedReviews:
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(review=reviews(scheme=customer_service_manager()))
    def test_reports_and_explanations_of_generated_reviews(self, review: Review) -> None:
        """Reports and explanations of generated reviews are Chinese but the review's own text."""
        scheme = customer_service_manager()
        card = ScoringEngine().score(scheme, review)
        decisions = RuleEvaluator().evaluate(scheme.rules, card, subject=review.subject)
        allowed = set(ENGLISH.findall(_texts_of(review))) | _scheme_identifiers(scheme)
        cycle = Cycle(
            key=review.cycle,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 3, 31),
        )
        texts = {
            "review report": to_markdown(
                review_report(review, scheme, card=card, decisions=decisions, lang="zh")
            ),
            "team report": to_markdown(
                team_report(
                    [review],
                    scheme,
                    cycle=cycle,
                    today=dt.date(2026, 4, 1),
                    lang="zh",
                    decisions=[decisions],
                )
            ),
            "card": str(card.explain("zh")),
            "decisions": decisions.explain("zh"),
        }
        for name, text in texts.items():
            assert not english_words(html.unescape(text), allowed), (
                name,
                english_words(text, allowed),
            )


def test_two_party_history_in_chinese() -> None:
    """Proposing, signing, sharing, disputing and resolving read as Chinese in the history."""
    from _lifecycle import CYCLE, actuals, at, goals, review, scheme
    from perfmgmt.report import history_section, summary_section
    from perfmgmt.workflow import (
        evaluate,
        propose_goals,
        raise_dispute,
        record_interview,
        resolve_dispute,
        share_review,
        sign_goals,
    )

    s = scheme()
    r = propose_goals(review(), goals=goals(), actor="m1", at=at(CYCLE.start))
    r = sign_goals(r, actor="p000", role="employee", at=at(CYCLE.start, 10))
    r = sign_goals(r, actor="m1", role="manager", at=at(CYCLE.start, 11))
    r = attrs.evolve(r, actuals=actuals(0))
    r = evaluate(r, ScoringEngine().score(s, r), cycle=CYCLE, actor="m1", at=at(CYCLE.end))
    interview = Interview(on=CYCLE.end, interviewer="m1", strengths=["x"], gaps=["y"])
    r = record_interview(r, interview, actor="m1", at=at(CYCLE.end, 12))
    r = share_review(r, actor="m1", at=at(CYCLE.end, 13))
    r = raise_dispute(r, reason="survey", actor="p000", at=at(CYCLE.end, 14))
    r = resolve_dispute(r, outcome="upheld", reason="checked", actor="h1", at=at(CYCLE.end, 15))
    report = review_report(r, s, lang="zh", sections=(summary_section, history_section))
    text = to_markdown(report)
    allowed = set(ENGLISH.findall(_texts_of(review()))) | {"survey", "checked", "p000", "m1"}
    allowed |= {"h1", "sha"} | set(ENGLISH.findall(s.label.get("zh") + s.key))
    assert not english_words(text, allowed)
    for zh in (
        "提出目标",
        "签署目标",
        "将考评结果告知员工",
        "员工提出异议",
        "处理异议",
        "异议已处理",
    ):
        assert zh in text
    assert "原因:survey" in text


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("subject_id,csat\nm1,abc\n", "第 2 行,列 'csat':无法把 'abc' 读作数字"),
        ("subject_id,csat\nm1,inf\n", "第 2 行,列 'csat':不允许 'inf';应为有限的数字"),
        ("subject_id,csat\n,80\n", "第 2 行,列 'subject_id':值为空"),
        ("subject_id,csat\nm1,80\nm1,81\n", "'m1' 已在第 2 行出现"),
        ("subject_id,csat\nm1,80,1\n", "第 2 行:有 3 个字段,但表头有 2 个"),
        ("subject_id,csat,csat:n\nm1,80,2.5\n", "应为 0 到"),
    ],
)
def test_bad_row_lines_in_chinese(tmp_path: Path, rows: str, expected: str) -> None:
    """A bad row of actuals is reported in Chinese, naming the row and the column."""
    scheme = tmp_path / "scheme.json"
    scheme.write_text(dumps(customer_service_manager()), encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(rows, encoding="utf-8")
    code, _, err = run("score", "--lang", "zh", str(scheme), str(data))
    assert code == 1
    assert err.startswith("perfmgmt score: 错误: ")
    assert expected in err
    allowed = set(ENGLISH.findall("perfmgmt score subject_id csat abc inf m1"))  # what was typed
    assert not english_words(err, allowed)
    code, _, err = run("score", str(scheme), str(data))
    assert re.search(r"error: row \d", err)  # English is unchanged


def _tables() -> dict[str, dict[str, dict[str, str]]]:
    """Return every en/zh word table of the library, by where it lives."""
    from perfmgmt import _words
    from perfmgmt.charts import _chart
    from perfmgmt.demo import _site, _walk
    from perfmgmt.report import _text as report_text
    from perfmgmt.rules import decisions
    from perfmgmt.workflow import development

    return {
        "_words.WORDS": _words.WORDS,
        "_words.TALENT_WORDS": _words.TALENT_WORDS,
        "_words.ANALYTICS_WORDS": _words.ANALYTICS_WORDS,
        "report": report_text._WORDS,
        "charts": _chart._WORDS,
        "rules.decisions": decisions._WORDS,
        "rules.outcomes": decisions._OUTCOME_WORDS,
        "demo.site": _site._WORDS,
        "demo.walk": _walk._WORDS,
        "workflow.development": development._TEXTS,
    }


@pytest.mark.parametrize("name", sorted(_tables()))
def test_every_word_table_has_both_languages(name: str) -> None:
    """Every key of every word table has an English and a Chinese form, with the same fields."""
    table = _tables()[name]
    assert set(table["en"]) == set(table["zh"]), name
    for key, en in table["en"].items():
        zh = table["zh"][key]
        assert en, (name, key)
        assert zh, (name, key)
        fields = re.compile(r"\{(\w+)")
        assert set(fields.findall(en)) == set(fields.findall(zh)), (name, key)
