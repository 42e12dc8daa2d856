"""Tests for perfmgmt.scoring.card: score cards, batch rows, records and explanations."""

from __future__ import annotations

import math
from fractions import Fraction

import attrs
import pytest

from perfmgmt.errors import ScoringError
from perfmgmt.model import Assessment, AssessmentSource, SourcePolicy
from perfmgmt.scoring import KpiFlag, ScoreCard, ScoringEngine
from test_worked_example import CYCLE, LI_WEI, NEWCOMER, ZHANG_MIN, founding_scheme

ENGINE = ScoringEngine()
SCHEME = founding_scheme()
BATCH = ENGINE.score_reviews(SCHEME, [LI_WEI, ZHANG_MIN, NEWCOMER], cycle=CYCLE)


class TestBatchScores:
    def test_shapes(self) -> None:
        """Arrays have the contract's shapes and dtypes."""
        n, k, c = 3, len(SCHEME.kpis), len(SCHEME.categories)
        assert len(BATCH) == n
        assert BATCH.score.shape == (n, k)
        assert BATCH.category_score.shape == (n, c)
        assert BATCH.flags.dtype.name == "uint8"
        assert BATCH.rating_index.dtype.name == "int64"
        assert BATCH.rating_labels == ("E", "D", "C", "B", "A")

    def test_records_have_no_nan(self) -> None:
        """to_records gives None for missing numbers, never NaN."""
        recs = BATCH.to_records()
        assert recs[1]["kpis"]["aht"]["score"] is None
        assert recs[2]["total"] is None
        assert recs[0]["rating"] == "B"
        rows = BATCH.to_rows()
        assert rows[1]["kpi.aht.score"] is None
        for row in rows:
            for value in row.values():
                assert not (isinstance(value, float) and math.isnan(value))

    def test_rows_flatten_records(self) -> None:
        """to_rows holds exactly the values of to_records, under the rule language's names."""
        for rec, row in zip(BATCH.to_records(), BATCH.to_rows(), strict=True):
            flat: dict[str, object] = {
                k: v for k, v in rec.items() if k not in ("categories", "kpis")
            }
            for c, value in rec["categories"].items():
                flat[f"category.{c}"] = value
            for k, kpi in rec["kpis"].items():
                flat.update({f"kpi.{k}.{name}": value for name, value in kpi.items()})
            assert row == flat
            assert list(row)[: len(rec) - 2] == [k for k in rec if k not in ("categories", "kpis")]

    def test_records_match_arrays(self) -> None:
        """Every typed record value is the batch array's value (None for NaN), unrounded."""
        for i, rec in enumerate(BATCH.to_records()):
            for j, k in enumerate(BATCH.kpi_keys):
                score = float(BATCH.score[i, j])
                assert rec["kpis"][k]["score"] == (None if math.isnan(score) else score)
                assert rec["kpis"][k]["flags"] == int(BATCH.flags[i, j])
            assert list(rec["kpis"]) == list(BATCH.kpi_keys)
            assert list(rec["categories"]) == list(BATCH.category_keys)

    def test_row_out_of_range(self) -> None:
        """row() refuses an index outside the batch; negative indices count from the end."""
        with pytest.raises(ScoringError, match="out of range"):
            BATCH.row(3)
        assert BATCH.row(-1).subject_id == "newcomer"

    def test_repr_is_short(self) -> None:
        """The repr names the scheme and counts, not the arrays."""
        assert repr(BATCH) == (
            f"BatchScores(scheme='cs_managers', reviews=3, rated=2, kpis={list(SCHEME.kpi_keys)})"
        )


class TestScoreCard:
    card = BATCH.row(1)

    def test_line_lookup(self) -> None:
        """line() finds a KPI by key and refuses unknown keys."""
        assert self.card.line("aht").flags == KpiFlag.MISSING | KpiFlag.REALLOCATED
        with pytest.raises(ScoringError, match="no KPI"):
            self.card.line("nope")

    def test_repr(self) -> None:
        """The card's repr shows subject, total and rating."""
        assert repr(self.card).startswith("ScoreCard(zhang_min: total=67 rating=D")

    def test_explain_traces_every_number(self) -> None:
        """Every KPI score, contribution, category, total and rating has a step with inputs."""
        ex = self.card.explain()
        names = [s.name for s in ex]
        for k in SCHEME.kpi_keys:
            assert f"kpi.{k}.score" in names
            assert f"kpi.{k}.contribution" in names
        assert ex.step("total").result == self.card.total
        assert dict(ex.step("kpi.fcr.score").inputs)["target"] == 70.0
        assert ex.step("quantitative").result == 60.0
        assert ex.step("rating").result == "D"
        assert "agreed goal overrides default" in ex.step("kpi.fcr.score").note

    def test_explain_zh(self) -> None:
        """The Chinese explanation uses Chinese notes and headings."""
        text = str(self.card.explain(lang="zh"))
        assert "评分说明" in text
        assert "权重已重新分配" in text

    def test_explain_bad_lang(self) -> None:
        """Unsupported languages are refused."""
        with pytest.raises(ScoringError, match="lang"):
            self.card.explain(lang="fr")

    def test_unrated_explained(self) -> None:
        """An unrated card's explanation says why."""
        ex = BATCH.row(2).explain()
        assert "too few eligible days" in ex.step("rating").note
        with pytest.raises(ScoringError, match="no step"):
            ex.step("nope")


class TestTrustedConstruction:
    """row() and explain() build their objects without re-validation: the same objects."""

    def test_row_objects_equal_validated_ones(self) -> None:
        """Every card, line and subtotal from row() equals one built through __init__."""
        import attrs

        from perfmgmt.scoring import CategoryLine, CriterionLine, KpiLine, ScoreCard

        for card in BATCH.rows():
            lines = tuple(KpiLine(**attrs.asdict(ln, recurse=False)) for ln in card.lines)
            cats = tuple(CategoryLine(**attrs.asdict(c, recurse=False)) for c in card.categories)
            crit = tuple(CriterionLine(**attrs.asdict(c, recurse=False)) for c in card.criteria)
            fields = attrs.asdict(card, recurse=False)
            rebuilt = ScoreCard(**{**fields, "lines": lines, "categories": cats, "criteria": crit})
            assert rebuilt == card
            assert [hash(ln) for ln in lines] == [hash(ln) for ln in card.lines]
            assert repr(rebuilt) == repr(card)

    def test_explanation_equals_validated_one(self) -> None:
        """explain() gives the Explanation and Steps that __init__ would, in en and zh."""
        import attrs

        from perfmgmt.scoring import Explanation, Step

        for card in BATCH.rows():
            for lang in ("en", "zh"):
                ex = card.explain(lang)
                steps = [Step(**attrs.asdict(s, recurse=False)) for s in ex.steps]
                rebuilt = Explanation(
                    subject_id=card.subject_id,
                    scheme_key=card.scheme_key,
                    scheme_hash=card.scheme_hash,
                    lang=lang,
                    steps=steps,
                )
                assert rebuilt == ex
                assert rebuilt.text == ex.text

    def test_users_objects_are_still_validated(self) -> None:
        """A Step or Explanation built by a user is still validated."""
        from perfmgmt.errors import ValidationError
        from perfmgmt.scoring import Explanation, Step

        with pytest.raises(ValidationError, match=r"Step\.name"):
            Step(name=1, formula="f")  # type: ignore[arg-type]
        with pytest.raises(
            ValidationError, match=r"Step\.lang: 'fr' is not allowed; expected 'en' or 'zh'"
        ):
            Step(name="n", formula="f", lang="fr")
        with pytest.raises(ValidationError, match=r"Explanation\.steps"):
            Explanation(subject_id="s", scheme_key="k", scheme_hash="h", lang="en", steps=[1])  # type: ignore[list-item]


class TestStepLanguage:
    def test_a_step_of_a_chinese_explanation_reads_in_chinese_by_default(self) -> None:
        """step.text() speaks the explanation's language unless another is asked for."""
        card = next(iter(BATCH.rows()))
        zh, en = card.explain("zh"), card.explain("en")
        for zs, es in zip(zh.steps, en.steps, strict=True):
            assert (zs.lang, es.lang) == ("zh", "en")
            assert zs.text() == zs.text("zh")
            assert es.text() == es.text("en")
        assert zh.text.splitlines()[1:] == [s.text() for s in zh.steps]
        step = zh.steps[0]
        assert "代入" in step.text()
        assert "代入" not in step.text("en")


class TestSelfGap:
    """Self-assessment as its own source, and its gap to the manager's rating."""

    @staticmethod
    def _with_self(self_rating: float) -> tuple[ScoreCard, ScoreCard]:
        scheme = attrs.evolve(
            SCHEME,
            sources=(*SCHEME.sources, SourcePolicy(source=AssessmentSource.SELF, weight=0.0)),
        )
        own = Assessment(
            criterion="attitude",
            source=AssessmentSource.SELF,
            rater_id=LI_WEI.subject.id,
            rating=self_rating,
        )
        rated = attrs.evolve(LI_WEI, assessments=(*LI_WEI.assessments, own))
        return ENGINE.score(scheme, rated, cycle=CYCLE), ENGINE.score(scheme, LI_WEI, cycle=CYCLE)

    def test_gap_is_self_minus_manager(self) -> None:
        """self_gap is the self rating minus the manager's mean, per criterion."""
        card, _ = self._with_self(5.0)
        manager = [
            Fraction(a.rating)
            for a in LI_WEI.assessments
            if a.criterion == "attitude" and a.source is AssessmentSource.MANAGER
        ]
        expected = Fraction(5) - sum(manager) / len(manager)
        line = next(c for c in card.criteria if c.key == "attitude")
        assert line.self_gap == pytest.approx(float(expected), abs=1e-12)
        assert card.self_gaps == {"attitude": line.self_gap}

    def test_zero_weight_self_does_not_move_the_score(self) -> None:
        """A self source of weight 0 is recorded but does not change any score."""
        with_self, without = self._with_self(1.0)
        assert with_self.total == without.total
        assert [c.score for c in with_self.criteria] == [c.score for c in without.criteria]

    def test_no_gap_without_a_self_rating(self) -> None:
        """Without a self-assessment there is no gap."""
        _, without = self._with_self(3.0)
        assert without.self_gaps == {}
        assert all(c.self_gap is None for c in without.criteria)
