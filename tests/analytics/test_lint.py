"""Tests of perfmgmt.analytics.lint: each flaw found, a clean scheme clean, the command line."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import analytics_schemes
from analytics_schemes import (
    evolve,
    indicator,
    kpi,
    replace_indicator,
    replace_kpi,
)
from perfmgmt.analytics.lint import (
    LintConfig,
    LintReport,
    Severity,
    kpi_tags,
    lint,
    total_range,
    value_range,
)
from perfmgmt.errors import ValidationError
from perfmgmt.model import (
    Band,
    Bonus,
    DecisionTable,
    Direction,
    Gate,
    GateEffect,
    HitPolicy,
    IncentiveRule,
    IndicatorKind,
    Label,
    MissingData,
    MissingPolicy,
    RatingScale,
    Scheme,
    ScoringSpec,
    SmallSample,
    TableInput,
    TableRow,
)
from perfmgmt.rules.parse import parse


def clean_scheme(**changes: Any) -> Scheme:
    """Return the shared clean scheme with every KPI under policy EXCLUDE.

    A review missing a KPI is then unrated for HR, never better off, so the checks that score
    find nothing whatever the kernel's default policies are.
    """
    scheme = analytics_schemes.clean_scheme(**changes)
    kpis = tuple(attrs.evolve(k, missing=MissingPolicy.EXCLUDE) for k in scheme.kpis)
    return evolve(scheme, kpis=kpis)


class TestCleanScheme:
    def test_clean_scheme_has_no_findings(self) -> None:
        """A well-formed scheme gives no findings at all."""
        report = lint(clean_scheme())
        assert report.findings == (), report.text()
        assert not report.has_errors

    def test_total_range_from_caps_and_blend(self) -> None:
        """The possible totals blend the scorers' floor/cap with the qualitative maximum."""
        low, high = total_range(clean_scheme())
        assert low == pytest.approx(0.0)
        assert high == pytest.approx(0.7 * 150.0 + 0.3 * 100.0)

    def test_report_text_and_records(self) -> None:
        """The report renders as text with a count line and as JSON-ready records."""
        scheme = replace_indicator(clean_scheme(), "csat", unit="")
        report = lint(scheme)
        assert report.text().startswith("scheme 'cs': 0 error(s), 1 warning(s)")
        assert "fix: set Indicator.unit" in report.text()
        assert report.to_records()[0]["code"] == "kpi-no-unit"
        assert report.to_records()[0]["location"] == "kpis[0] (csat)"

    def test_report_is_frozen(self) -> None:
        """Reports are immutable values."""
        report = lint(clean_scheme())
        assert isinstance(report, LintReport)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            report.scheme_key = "x"  # type: ignore[misc]


class TestPrinciples:
    def test_quantitative_share_below_half(self) -> None:
        """A quantitative share under one half is an error (量化为主)."""
        report = lint(clean_scheme(quantitative_share=0.4))
        assert report.codes() == ("quantitative-share",)
        assert report.has_errors

    def test_judged_kpis_do_not_count_as_measured(self) -> None:
        """Qualitative-kind KPIs lower the measured share below the threshold."""
        scheme = replace_indicator(clean_scheme(), "csat", kind=IndicatorKind.QUALITATIVE)
        scheme = replace_indicator(scheme, "cost_saving", kind=IndicatorKind.QUALITATIVE)
        # measured share = 0.7 * (1 - 0.4 - 0.2) = 0.28
        report = lint(scheme)
        assert "quantitative-share" in report.codes()
        assert "28%" in report.by_code("quantitative-share")[0].message

    def test_unmeasurable_kpi(self) -> None:
        """A KPI without unit, source, target and description gets each finding."""
        scheme = replace_indicator(clean_scheme(), "fcr", unit="", source=None, description="")
        scheme = replace_kpi(scheme, "fcr", target=None)
        report = lint(scheme)
        for code in ("kpi-no-unit", "kpi-no-source", "kpi-no-target", "kpi-not-specific"):
            (finding,) = report.by_code(code)
            assert finding.location == "kpis[2] (fcr)"
        assert report.by_code("kpi-not-specific")[0].severity is Severity.INFO

    def test_gate_stricter_than_target(self) -> None:
        """A gate above the target of a higher-is-better KPI is reported."""
        gate = Gate(threshold=85.0, effect=GateEffect.ZERO)
        report = lint(replace_kpi(clean_scheme(), "csat", gate=gate))
        (finding,) = report.by_code("gate-above-target")
        assert finding.location == "kpis[0] (csat).gate"


class TestWeights:
    def test_weight_under_minimum(self) -> None:
        """A KPI under 5 % of the quantitative part is reported."""
        scheme = clean_scheme()
        cats = (
            attrs.evolve(scheme.categories[0], weight=0.5),
            attrs.evolve(scheme.categories[1], weight=0.46),
            attrs.evolve(scheme.categories[2], weight=0.04),
        )
        report = lint(evolve(scheme, categories=cats))
        (finding,) = report.by_code("weight-too-low")
        assert "cost_saving" in finding.message
        assert "4.0%" in finding.message

    def test_weight_over_maximum_and_configurable(self) -> None:
        """A KPI over 50 % is reported; a looser max_weight silences it."""
        scheme = clean_scheme()
        cats = (
            attrs.evolve(scheme.categories[0], weight=0.6),
            attrs.evolve(scheme.categories[1], weight=0.3),
            attrs.evolve(scheme.categories[2], weight=0.1),
        )
        scheme = evolve(scheme, categories=cats)
        assert lint(scheme).codes() == ("weight-too-high",)
        assert lint(scheme, config=LintConfig(max_weight=0.6)).codes() == ()

    def test_zero_weight(self) -> None:
        """A KPI with weight 0 does no work and is reported."""
        scheme = clean_scheme()
        kpis = tuple(
            attrs.evolve(k, weight={"avg_response_time": 0.0, "fcr": 1.0}.get(k.key, k.weight))
            for k in scheme.kpis
        )
        assert "weight-zero" in lint(evolve(scheme, kpis=kpis)).codes()

    def test_bad_config_refused(self) -> None:
        """A min_weight above max_weight is a ValidationError naming the field."""
        with pytest.raises(ValidationError, match="min_weight"):
            LintConfig(min_weight=0.6, max_weight=0.5)
        with pytest.raises(ValidationError, match="tags"):
            LintConfig(tags={"csat": {"fast"}})


class TestCounterweights:
    def test_speed_without_quality(self) -> None:
        """A response-time KPI with no CSAT or FCR beside it is reported."""
        scheme = clean_scheme()
        neutral = {"csat": "team_morale", "fcr": "training_hours"}
        kpis = tuple(
            attrs.evolve(
                k, indicator=attrs.evolve(k.indicator, key=neutral[k.key], label=Label(en="x"))
            )
            if k.key in neutral
            else k
            for k in scheme.kpis
        )
        report = lint(evolve(scheme, kpis=kpis))
        (finding,) = report.by_code("speed-without-quality")
        assert "avg_response_time" in finding.message
        # cost_saving now lacks satisfaction, too ("morale" counts as satisfaction, so no)
        assert report.by_code("cost-without-satisfaction") == ()

    def test_cost_without_satisfaction(self) -> None:
        """A cost KPI with no satisfaction KPI beside it is reported."""
        scheme = replace_indicator(clean_scheme(), "csat", key="quality_audit", label=Label(en="q"))
        report = lint(scheme)
        (finding,) = report.by_code("cost-without-satisfaction")
        assert finding.location == "kpis[3] (cost_saving)"

    def test_explicit_tag_satisfies_counterweight(self) -> None:
        """An explicit tag in the config replaces the heuristics."""
        scheme = replace_indicator(clean_scheme(), "csat", key="qa_score", label=Label(en="q"))
        config = LintConfig(tags={"qa_score": {"satisfaction", "quality"}})
        assert lint(scheme, config=config).codes() == ()

    def test_heuristics(self) -> None:
        """Key words, time units and direction classify KPIs."""
        scheme = clean_scheme()
        assert kpi_tags(scheme.kpi("avg_response_time")) == {"speed"}
        assert kpi_tags(scheme.kpi("csat")) == {"quality", "satisfaction"}
        assert kpi_tags(scheme.kpi("fcr")) == {"quality"}
        assert kpi_tags(scheme.kpi("cost_saving")) == {"cost"}
        handle = kpi(
            "aht_x",
            "c",
            1.0,
            ind=indicator("aht_x", unit="min", direction=Direction.LOWER_IS_BETTER),
        )
        assert "speed" in kpi_tags(handle)


class TestScale:
    def test_scale_does_not_reach_top_total(self) -> None:
        """Totals above the top band are an error."""
        scale = RatingScale(
            bands=(
                Band(label="B", lower=0.0, upper=100.0),
                Band(label="A", lower=100.0, upper=120.0),
            )
        )
        report = lint(clean_scheme(rating_scale=scale, rules=()))
        (finding,) = report.by_code("scale-above-range")
        assert finding.severity is Severity.ERROR
        assert "135" in finding.message

    def test_scale_starts_above_lowest_total(self) -> None:
        """Totals below the lowest band are an error."""
        scale = RatingScale(
            bands=(
                Band(label="B", lower=20.0, upper=100.0),
                Band(label="A", lower=100.0, upper=150.0),
            )
        )
        report = lint(clean_scheme(rating_scale=scale, rules=()))
        assert report.by_code("scale-below-range")[0].location == "rating_scale.bands[0]"

    def test_band_out_of_reach(self) -> None:
        """A band wholly above the highest possible total is reported."""
        scale = RatingScale(
            bands=(
                Band(label="B", lower=0.0, upper=100.0),
                Band(label="A", lower=100.0, upper=140.0),
                Band(label="S", lower=140.0, upper=200.0),
            )
        )
        report = lint(clean_scheme(rating_scale=scale, rules=()))
        (finding,) = report.by_code("band-unreachable")
        assert "'S'" in finding.message

    def test_range_follows_scorer_cap(self) -> None:
        """A higher linear cap widens the possible totals."""
        spec = ScoringSpec(scorer="linear", params={"cap": 200.0, "floor": 0.0})
        kpis = tuple(attrs.evolve(k, scoring=spec) for k in clean_scheme().kpis)
        assert total_range(clean_scheme(kpis=kpis))[1] == pytest.approx(0.7 * 200 + 30)


class TestGates:
    def test_gate_that_never_passes(self) -> None:
        """A gate above 100 % on a percent KPI fails everyone."""
        gate = Gate(threshold=101.0, effect=GateEffect.ZERO)
        scheme = replace_kpi(clean_scheme(), "fcr", gate=gate, stretch=None)
        report = lint(scheme)
        assert "gate-never-passes" in report.codes()

    def test_gate_that_never_bites(self) -> None:
        """A gate at 0 seconds response time can never be exceeded from below."""
        gate = Gate(threshold=-5.0, effect=GateEffect.ZERO)
        report = lint(replace_kpi(clean_scheme(), "csat", gate=gate))
        assert report.codes() == ("gate-never-bites",)

    def test_cap_gate_above_maximum(self) -> None:
        """A CAP gate whose cap is above the highest quantitative total changes nothing."""
        gate = Gate(threshold=50.0, effect=GateEffect.CAP, cap=160.0)
        report = lint(replace_kpi(clean_scheme(), "csat", gate=gate))
        assert report.codes() == ("gate-never-bites",)

    def test_working_gate_is_clean(self) -> None:
        """A gate inside the range with a real cap gives no finding."""
        gate = Gate(threshold=50.0, effect=GateEffect.CAP, cap=80.0)
        assert lint(replace_kpi(clean_scheme(), "csat", gate=gate)).codes() == ()

    def test_value_range_overrides_unit(self) -> None:
        """Configured value ranges replace the unit guess."""
        scheme = clean_scheme()
        assert value_range(scheme.kpi("csat")) == (0.0, 100.0)
        config = LintConfig(value_ranges={"csat": (1.0, 5.0)})
        assert value_range(scheme.kpi("csat"), config) == (1.0, 5.0)


class TestTables:
    def table(self, *cells: str, policy: HitPolicy = HitPolicy.UNIQUE, field: str = "total") -> Any:
        """Build a one-input table with one row per cell."""
        bonus = Bonus.percent_of_base_pay(Decimal("5"))
        return DecisionTable(
            key="t",
            inputs=(TableInput(field=field),),
            rows=tuple(TableRow(inputs=(c,), outputs=(bonus,)) for c in cells),
            hit_policy=policy,
        )

    def test_overlap(self) -> None:
        """Overlapping rows in a UNIQUE table are an error."""
        report = lint(clean_scheme(tables=(self.table("< 100", ">= 90"),)))
        (finding,) = report.by_code("table-overlap")
        assert finding.severity is Severity.ERROR

    def test_gap_inside_range(self) -> None:
        """A range of possible totals no row matches is a gap."""
        report = lint(clean_scheme(tables=(self.table("< 80", ">= 90"),)))
        (finding,) = report.by_code("table-gap")
        assert "80..90" in finding.message

    def test_gap_outside_range_ignored(self) -> None:
        """Negative totals are impossible, so a table starting at 0 has no gap."""
        report = lint(clean_scheme(tables=(self.table("[0..100)", ">= 100"),)))
        assert report.by_code("table-gap") == ()

    def test_row_out_of_range(self) -> None:
        """A row for totals nobody can reach is unreachable."""
        report = lint(clean_scheme(tables=(self.table("< 100", "[100..140)", ">= 140"),)))
        (finding,) = report.by_code("table-unreachable")
        assert finding.location == "tables[0] (t).rows[2]"

    def test_shadowed_row(self) -> None:
        """Under FIRST a row covered by an earlier row never wins."""
        table = self.table(">= 0", ">= 100", policy=HitPolicy.FIRST)
        assert "table-shadowed" in lint(clean_scheme(tables=(table,))).codes()

    def test_unknown_field(self) -> None:
        """A table reading a field the scheme does not provide is an error with a suggestion."""
        table = self.table(">= 0", field="kpi.fcrr.score")
        report = lint(clean_scheme(tables=(table,)))
        (finding,) = report.by_code("table-unknown-field")
        assert finding.severity is Severity.ERROR
        assert finding.location == "tables[0] (t).inputs[0]"
        assert "'kpi.fcrr.score'" in finding.message
        assert "did you mean 'kpi.fcr.score'?" in finding.message

    def test_cell_of_another_kind(self) -> None:
        """A rating label tested on a numeric field is a type error, before any data is seen."""
        report = lint(clean_scheme(tables=(self.table('"A"', field="total"),)))
        (finding,) = report.by_code("table-type")
        assert finding.severity is Severity.ERROR
        assert "'total'" in finding.message


class TestRules:
    def rule(self, text: str) -> IncentiveRule:
        """Build a rule with one bonus outcome."""
        bonus = Bonus.percent_of_base_pay(Decimal("5"))
        return IncentiveRule(key="r", condition=parse(text), outcomes=(bonus,))

    @pytest.mark.parametrize(
        "text",
        [
            "total >= 140",
            'rating == "S"',
            'rating in ["S", "SS"]',
            "kpi.csat.score > 150",
            "total >= 100 and quantitative < 0",
            "not (total >= 0)",
        ],
    )
    def test_rule_never_fires(self, text: str) -> None:
        """A rule no achievable score satisfies is an error."""
        report = lint(clean_scheme(rules=(self.rule(text),)))
        (finding,) = report.by_code("rule-never")
        assert finding.severity is Severity.ERROR

    @pytest.mark.parametrize(
        "text",
        ["total >= 0", 'rating != "S"', "kpi.csat.score <= 150 or total > 100"],
    )
    def test_rule_always_fires(self, text: str) -> None:
        """A rule every rated subject satisfies is a warning."""
        report = lint(clean_scheme(rules=(self.rule(text),)))
        assert report.codes() == ("rule-always",)

    @pytest.mark.parametrize(
        "text", ["total >= 100", 'rating in ["A", "B"]', "count(kpi.score < 60) >= 2"]
    )
    def test_rule_that_differentiates(self, text: str) -> None:
        """A rule some but not all scores reach gives no finding."""
        assert lint(clean_scheme(rules=(self.rule(text),))).codes() == ()


class TestScorers:
    def test_typo_suggests_the_registered_name(self) -> None:
        """A scorer typo is an error naming the KPI, with "did you mean" the registered name."""
        spec = ScoringSpec(scorer="linaer", params={"cap": 150.0})
        report = lint(replace_kpi(clean_scheme(), "fcr", scoring=spec))
        (finding,) = report.by_code("scorer-unknown")
        assert finding.severity is Severity.ERROR
        assert finding.location == "kpis[2] (fcr).scoring"
        assert "'linaer'" in finding.message
        assert "did you mean 'linear'?" in finding.message
        assert finding.fix == "use scorer 'linear'"
        assert report.has_errors

    def test_name_far_from_any_lists_them(self) -> None:
        """A name like no registered scorer lists the registered ones instead."""
        spec = ScoringSpec(scorer="zzz", params={})
        (finding,) = lint(replace_kpi(clean_scheme(), "fcr", scoring=spec)).by_code(
            "scorer-unknown"
        )
        assert "'banded'" in finding.message
        assert "did you mean" not in finding.message

    def test_refused_parameters(self) -> None:
        """A registered scorer that refuses its parameters is an error naming the KPI."""
        spec = ScoringSpec(scorer="linear", params={"capp": 150.0})
        (finding,) = lint(replace_kpi(clean_scheme(), "csat", scoring=spec)).by_code(
            "scorer-invalid"
        )
        assert finding.severity is Severity.ERROR
        assert "'csat'" in finding.message
        assert "capp" in finding.message

    def test_own_registry(self) -> None:
        """A scorer registered in the caller's registry resolves there and nowhere else."""
        from perfmgmt.scoring import default_registry, linear

        registry = default_registry.copy()
        registry.register("house_linear", linear)
        scheme = replace_kpi(
            clean_scheme(), "fcr", scoring=ScoringSpec(scorer="house_linear", params={"cap": 150.0})
        )
        assert "scorer-unknown" in lint(scheme).codes()
        assert lint(scheme, registry=registry).codes() == ()


class TestRuleTypes:
    def rule(self, text: str) -> IncentiveRule:
        """Build a rule keyed 'bad' with one bonus outcome."""
        bonus = Bonus.percent_of_base_pay(Decimal("5"))
        return IncentiveRule(key="bad", condition=parse(text), outcomes=(bonus,))

    def test_rule_on_unknown_kpi(self) -> None:
        """A rule on kpi.nsp.score without a KPI nsp names the rule and field and suggests one."""
        scheme = replace_indicator(clean_scheme(), "csat", key="nps")
        scheme = evolve(scheme, rules=(self.rule("kpi.nsp.score >= 80"),))
        (finding,) = lint(scheme).by_code("rule-unknown-field")
        assert finding.severity is Severity.ERROR
        assert finding.location == "rules[0] (bad).condition"
        assert "rule 'bad' reads 'kpi.nsp.score'" in finding.message
        assert "did you mean 'kpi.nps.score'?" in finding.message
        assert finding.fix == "read 'kpi.nps.score'"

    def test_every_unknown_field_is_named(self) -> None:
        """Each unknown field of one condition gets its own finding."""
        scheme = clean_scheme(rules=(self.rule("kpi.nsp.score >= 80 and categry.cost > 1"),))
        findings = lint(scheme).by_code("rule-unknown-field")
        assert ["'kpi.nsp.score'" in f.message for f in findings] == [True, False]
        assert "did you mean 'category.cost'?" in findings[1].message

    def test_operands_of_the_wrong_type(self) -> None:
        """Comparing the rating label with a number is a type error."""
        (finding,) = lint(clean_scheme(rules=(self.rule("rating >= 3"),))).by_code("rule-type")
        assert finding.severity is Severity.ERROR
        assert "rule 'bad' does not check" in finding.message

    def test_broken_scheme_skips_the_scoring_checks(self) -> None:
        """The checks that score wait until the scheme resolves and type-checks."""
        scheme = gameable(clean_scheme(rules=(self.rule("kpi.nsp.score >= 80"),)))
        assert not any(c.startswith("less-data") for c in lint(scheme).codes())


def gameable(scheme: Scheme) -> Scheme:
    """Return ``scheme`` opted out of safe missing-data handling: a gameable scheme.

    CSAT gets a gate (capping the quantitative part at 80 below 60 %) and a minimum of 30
    surveys; every KPI's weight is reallocated when its data is missing or short. A review
    that fails the gate can then escape it by reporting fewer surveys.
    """
    scheme = replace_kpi(
        scheme,
        "csat",
        gate=Gate(threshold=60.0, effect=GateEffect.CAP, cap=80.0),
        min_sample=30,
    )
    kpis = tuple(attrs.evolve(k, missing=MissingPolicy.REALLOCATE) for k in scheme.kpis)
    return evolve(scheme, kpis=kpis)


_OUTCOME = re.compile(r"rates (\w+) \(total (-?[\d.]+)\)")


def outcomes(message: str) -> list[tuple[str, float]]:
    """Return the (rating, total) pairs a counterexample states, in order."""
    return [(m[0], float(m[1])) for m in _OUTCOME.findall(message)]


class TestLessData:
    def test_less_data_raises_the_rating(self) -> None:
        """Short CSAT data rating higher is reported per KPI with a concrete counterexample."""
        scheme = gameable(clean_scheme())
        report = lint(scheme)
        (finding,) = [f for f in report.findings if f.location == "kpis[0] (csat)"]
        assert finding.code == "less-data-raises-rating"
        assert finding.severity is Severity.WARNING
        (more, _), (less, _) = outcomes(finding.message)
        labels = scheme.rating_scale.labels
        assert labels.index(less) > labels.index(more)
        assert "csat = " in finding.message
        assert "samples" in finding.message

    def test_gates_cannot_be_escaped(self) -> None:
        """Even under plain reallocation, a gate holds without data: no escapable gate."""
        assert "gate-escapable" not in lint(gameable(clean_scheme())).codes()
        relaxed = evolve(
            gameable(clean_scheme()),
            missing_data=MissingData(small_sample=SmallSample.AS_MISSING),
        )
        assert "gate-escapable" not in lint(relaxed).codes()

    def test_counterexample_is_real(self) -> None:
        """The counterexample's two reviews, scored by the engine, differ as the finding says."""
        from perfmgmt.model import Actual, Assessment, AssessmentSource, Review, Subject
        from perfmgmt.scoring import ScoringEngine

        scheme = gameable(clean_scheme())
        (finding,) = [f for f in lint(scheme).findings if f.location == "kpis[0] (csat)"]
        assert finding.code == "less-data-raises-rating"
        values = dict(re.findall(r"(\w+) = (-?[\d.e+-]+)", finding.message))
        assert set(values) == set(scheme.kpi_keys)
        (rating,) = re.findall(r"attitude rated ([\d.]+) by manager", finding.message)

        def card(csat_actual: Actual) -> Any:
            actuals = [Actual(kpi=k, value=float(v)) for k, v in values.items() if k != "csat"]
            review = Review(
                subject=Subject(id="p1", name="P"),
                cycle="2026-q1",
                scheme=scheme.key,
                actuals=(csat_actual, *actuals),
                assessments=(
                    Assessment(
                        criterion="attitude",
                        source=AssessmentSource.MANAGER,
                        rater_id="m1",
                        rating=float(rating),
                    ),
                ),
            )
            return ScoringEngine().score(scheme, review)

        # the stated values are rounded; without CSAT the others' mean rates higher
        measured = card(Actual(kpi="csat", value=float(values["csat"]), sample_size=200))
        missing = card(Actual(kpi="csat"))
        assert measured.rated
        assert missing.rated
        labels = scheme.rating_scale.labels
        assert labels.index(missing.rating) > labels.index(measured.rating)
        (_, before), (_, after) = outcomes(finding.message)
        assert (measured.total, missing.total) == pytest.approx((before, after), abs=0.5)

    def test_rules_paying_for_missing_data(self) -> None:
        """A rule that pays when data is missing is found by netting the rules' money."""
        bonus = Bonus.percent_of_base_pay(Decimal("5"))
        rule = IncentiveRule(key="odd", condition=parse("kpi.fcr.missing"), outcomes=(bonus,))
        scheme = replace_kpi(
            clean_scheme(rules=(rule,), tables=()), "fcr", missing=MissingPolicy.ZERO
        )
        (finding,) = lint(scheme).by_code("less-data-raises-pay")
        assert finding.location == "kpis[2] (fcr)"
        assert "nets 0.00 CNY from the rules" in finding.message
        assert "nets 500.00 CNY from the rules" in finding.message
        assert "fcr missing it" in finding.message

    def test_weight_never_moves_onto_a_zero_scored_kpi(self) -> None:
        """The engine keeps reallocated weight off KPIs scored 0 for having no data."""
        scheme = replace_kpi(clean_scheme(), "cost_saving", missing=MissingPolicy.ZERO)
        scheme = replace_kpi(scheme, "fcr", missing=MissingPolicy.REALLOCATE)
        assert "weight-onto-missing" not in lint(scheme).codes()

    def test_no_data_is_never_rated(self) -> None:
        """Every KPI ZERO and no minimum measured share: a review without data is still unrated."""
        scheme = analytics_schemes.clean_scheme()
        kpis = tuple(attrs.evolve(k, missing=MissingPolicy.ZERO) for k in scheme.kpis)
        scheme = evolve(scheme, kpis=kpis, missing_data=MissingData(min_measured_share=0.0))
        assert "no-data-rated" not in lint(scheme).codes()

    def test_safe_policies_are_clean(self) -> None:
        """Under EXCLUDE (unrated for HR) less data never pays more: no finding that scores."""
        assert lint(clean_scheme()).codes() == ()

    def test_seeded_and_switchable(self) -> None:
        """The same seed gives the same report; samples=0 turns the scoring checks off."""
        scheme = gameable(clean_scheme())
        assert lint(scheme, config=LintConfig(seed=7)) == lint(scheme, config=LintConfig(seed=7))
        assert lint(scheme, config=LintConfig(samples=0)).codes() == ()

    def test_samples_bounded(self) -> None:
        """Asking for more generated reviews than the limit is refused, naming the limit."""
        with pytest.raises(ValidationError, match="samples: 10001 is not allowed; use at most"):
            LintConfig(samples=10_001)


class TestCommandLine:
    def write(self, tmp_path: Path, scheme: Scheme) -> str:
        """Write a scheme as JSON and return its path."""
        from perfmgmt.serialization import dumps

        path = tmp_path / "scheme.json"
        path.write_text(dumps(scheme), encoding="utf-8")
        return str(path)

    def run(self, *argv: str) -> tuple[int, str, str]:
        """Run ``perfmgmt lint ...`` in-process; return status, stdout and stderr."""
        from perfmgmt.cli import main

        out, err = io.StringIO(), io.StringIO()
        status = main(["lint", *argv], stdout=out, stderr=err)
        return status, out.getvalue(), err.getvalue()

    def test_clean_exit_zero(self, tmp_path: Path) -> None:
        """A clean scheme exits 0 and says so."""
        status, out, _ = self.run(self.write(tmp_path, clean_scheme()))
        assert status == 0
        assert "0 error(s), 0 warning(s)" in out

    def test_errors_exit_one(self, tmp_path: Path) -> None:
        """Error findings make the exit status 1; JSON output lists them."""
        path = self.write(tmp_path, clean_scheme(quantitative_share=0.3))
        status, out, _ = self.run(path, "--format", "json")
        assert status == 1
        assert json.loads(out)["findings"][0]["code"] == "quantitative-share"

    def test_warnings_only_exit_zero_and_tags(self, tmp_path: Path) -> None:
        """Warnings alone exit 0; --tag satisfies a counterweight; --max-weight is honoured."""
        scheme = replace_indicator(clean_scheme(), "csat", key="qa_score", label=Label(en="q"))
        path = self.write(tmp_path, scheme)
        status, out, _ = self.run(path)
        assert status == 0
        assert "cost-without-satisfaction" in out
        status, out, _ = self.run(path, "--tag", "qa_score=satisfaction")
        assert "0 warning(s)" in out
        status, out, _ = self.run(path, "--tag", "qa_score=satisfaction", "--max-weight", "0.3")
        assert "weight-too-high" in out

    def test_unreadable_file_exit_two(self, tmp_path: Path) -> None:
        """A missing file or a bad --tag exits 2 (usage), bad JSON 1 (invalid data), in one line."""
        status, _, err = self.run(str(tmp_path / "nope.json"))
        assert status == 2
        assert err.count("\n") == 1
        bad = tmp_path / "bad.json"
        bad.write_text("{not json", encoding="utf-8")
        status, _, err = self.run(str(bad))
        assert status == 1  # the command's contract: invalid data is 1 from every subcommand
        assert "not valid JSON" in err
        status, _, err = self.run(str(bad), "--tag", "nokpi")
        assert status == 2
        assert "KPI=TAG" in err

    def test_subprocess(self, tmp_path: Path) -> None:
        """`python -m perfmgmt lint SCHEME.json` exits non-zero on errors, as a real process."""
        import subprocess
        import sys

        bad = self.write(tmp_path, clean_scheme(quantitative_share=0.3))
        proc = subprocess.run(
            [sys.executable, "-m", "perfmgmt", "lint", bad],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 1, proc.stderr
        assert "error: quantitative_share" in proc.stdout

    def test_scorer_typo_exits_non_zero_with_suggestion(self, tmp_path: Path) -> None:
        """`perfmgmt lint` on a scheme with a scorer typo exits 1 and suggests the name."""
        spec = ScoringSpec(scorer="linaer", params={"cap": 150.0})
        path = self.write(tmp_path, replace_kpi(clean_scheme(), "csat", scoring=spec))
        status, out, _ = self.run(path)
        assert status == 1
        assert (
            "error: kpis[0] (csat).scoring: KPI 'csat': scorer 'linaer' is not registered; "
            "did you mean 'linear'? [scorer-unknown]\n    fix: use scorer 'linear'"
        ) in out

    def test_samples_and_seed_options(self, tmp_path: Path) -> None:
        """--samples 0 turns the scoring checks off; warnings alone still exit 0."""
        path = self.write(tmp_path, gameable(clean_scheme()))
        status, out, _ = self.run(path, "--seed", "3")
        assert status == 0
        assert "[less-data-raises-rating]" in out
        status, out, _ = self.run(path, "--samples", "0")
        assert "0 warning(s)" in out
