"""Missing data that cannot be gamed: less data never pays more under the default policies.

The invariant (``docs/explanation/missing-data.md``): under the default policies — every KPI's
``missing`` policy ``EXCLUDE`` or ``ZERO``, the scheme's ``MissingData()`` — turning a measured
KPI into a missing one, or into one whose sample is below its minimum, never raises a review's
total, rating or money. At most it leaves the review unrated and flagged for a person, with no
automatic reward or penalty.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmgmt import strategies as pst
from perfmgmt.model import (
    KPI,
    Actual,
    Assessment,
    Band,
    GateWithoutData,
    MissingData,
    MissingPolicy,
    RatingScale,
    Review,
    Scheme,
    SmallSample,
    Subject,
)
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import KpiFlag, ReviewFlag, ScoreCard, ScoringEngine

ENGINE = ScoringEngine()
PRESET = customer_service_manager()
EVALUATOR = RuleEvaluator()
SUBJECT = Subject(
    id="m1", hire_date=dt.date(2020, 1, 1), base_pay=Decimal("30000.00"), currency="CNY"
)

# The preset's KPIs, measured on target or a little above (a C/B manager).
GOOD = {
    "csat": 82.0,
    "response_time": 18.0,
    "fcr": 76.0,
    "morale": 78.0,
    "training": 12.0,
    "cost_saving": 4.0,
    "innovation": 2.0,
}


def _assessments(rating: float) -> list[Assessment]:
    out = []
    for crit in PRESET.criteria:
        for policy in PRESET.sources:
            out += [
                Assessment(
                    criterion=crit.key,
                    source=policy.source,
                    rater_id=f"{policy.source.value}-{r}",
                    rating=rating,
                )
                for r in range(max(policy.min_raters, 1))
            ]
    return out


def _review(values: dict[str, float | None], sizes: dict[str, int] | None = None) -> Review:
    sizes = sizes or {}
    return Review(
        subject=SUBJECT,
        cycle="2026-Q3",
        scheme=PRESET.key,
        actuals=[Actual(kpi=k, value=v, sample_size=sizes.get(k, 200)) for k, v in values.items()],
        assessments=_assessments(4.0),
    )


def _money(card: ScoreCard) -> Decimal:
    """Bonus minus deduction awarded by the preset's rules (0 when none is decided)."""
    d = EVALUATOR.evaluate(PRESET, card, subject=SUBJECT)
    return (d.bonus or Decimal(0)) - (d.deduction or Decimal(0))


class TestThePreset:
    """The two cases of the issue, on the bundled customer-service scheme."""

    def test_fewer_surveys_cannot_escape_the_csat_gate(self) -> None:
        """CSAT 55 % from 29 surveys (minimum 30) gets the same gate, rating and money as 200."""
        low = {**GOOD, "csat": 55.0}
        many = ENGINE.score(PRESET, _review(low, {"csat": 200}))
        few = ENGINE.score(PRESET, _review(low, {"csat": 29}))
        assert many.line("csat").flags & KpiFlag.GATED
        assert few.line("csat").flags == KpiFlag.INSUFFICIENT_DATA | KpiFlag.GATED
        assert many.rated
        assert few.rated
        assert few.total is not None
        assert many.total is not None
        assert few.total <= many.total
        assert few.rating == many.rating
        assert _money(few) <= _money(many)

    def test_a_small_sample_cannot_earn_more_than_target(self) -> None:
        """CSAT 90 % (stretch) from 29 surveys scores 100, from 200 surveys its full 150."""
        high = {**GOOD, "csat": 90.0}
        many = ENGINE.score(PRESET, _review(high, {"csat": 200}))
        few = ENGINE.score(PRESET, _review(high, {"csat": 29}))
        assert few.line("csat").score == 100.0
        assert many.line("csat").score == 150.0
        assert few.total is not None
        assert many.total is not None
        assert few.total < many.total

    def test_no_data_is_unrated_not_punished(self) -> None:
        """No KPI measured: not rated, flagged, no deduction and no bonus decided."""
        card = ENGINE.score(PRESET, _review({}))
        assert not card.rated
        assert card.rating is None
        assert card.total is None
        assert card.flags & ReviewFlag.EXCLUDED_KPI
        d = EVALUATOR.evaluate(PRESET, card, subject=SUBJECT)
        assert "low_rating_deduction" not in d.fired
        assert not d.decisions
        assert not d.deduction

    def test_no_data_under_zero_and_reallocate_is_too_little_data(self) -> None:
        """Even with every policy ZERO or REALLOCATE, nothing measured is never rated E."""
        kpis = [
            attrs.evolve(k, missing=MissingPolicy.ZERO if i % 2 else MissingPolicy.REALLOCATE)
            for i, k in enumerate(PRESET.kpis)
        ]
        scheme = attrs.evolve(PRESET, kpis=kpis)
        card = ENGINE.score(scheme, _review({}))
        assert not card.rated
        assert card.flags & ReviewFlag.TOO_LITTLE_DATA
        assert card.flags & ReviewFlag.NO_QUANTITATIVE

    def test_a_missing_heavy_category_is_too_little_data(self) -> None:
        """A measured share below min_measured_share (0.5) is unrated, not "85.0 Meets"."""
        kpis = [attrs.evolve(k, missing=MissingPolicy.REALLOCATE) for k in PRESET.kpis]
        scheme = attrs.evolve(PRESET, kpis=kpis)
        nominal = scheme.nominal_weights()
        # Measure only the KPIs of the lightest categories, under half the weight.
        kept = {k: v for k, v in GOOD.items() if k in ("cost_saving", "innovation", "training")}
        assert sum(nominal[k] for k in kept) < 0.5
        card = ENGINE.score(scheme, _review(kept))  # type: ignore[arg-type]
        assert not card.rated
        # CSAT is missing too, so its gate is applied (GateWithoutData.APPLY) and lowers the total.
        assert card.flags == ReviewFlag.TOO_LITTLE_DATA | ReviewFlag.GATED
        for line in card.lines:
            if line.key in kept:
                assert line.flags & KpiFlag.REWEIGHTED
            else:
                assert line.flags & ~KpiFlag.GATED == KpiFlag.MISSING | KpiFlag.REALLOCATED

    def test_weight_never_moves_onto_a_zero_scored_kpi(self) -> None:
        """A reallocated weight goes to measured KPIs; a KPI scored 0 keeps its own weight."""
        kpis = [
            attrs.evolve(k, missing=MissingPolicy.REALLOCATE) if k.key == "response_time" else k
            for k in PRESET.kpis
        ]
        scheme = attrs.evolve(PRESET, kpis=kpis)
        nominal = scheme.nominal_weights()
        values: dict[str, float | None] = {**GOOD, "response_time": None, "innovation": None}
        card = ENGINE.score(scheme, _review(values))
        assert card.line("innovation").flags == KpiFlag.MISSING | KpiFlag.SCORED_ZERO
        assert card.line("innovation").effective_weight == pytest.approx(nominal["innovation"])
        assert card.line("response_time").effective_weight == 0.0
        measured = [ln for ln in card.lines if ln.key not in ("innovation", "response_time")]
        assert all(ln.flags & KpiFlag.REWEIGHTED for ln in measured)
        assert sum(ln.effective_weight for ln in card.lines) == pytest.approx(1.0)


def _default_policies(scheme: Scheme, zero: tuple[bool, ...]) -> Scheme:
    """``scheme`` under the default policies: each KPI EXCLUDE (the default) or ZERO."""
    kpis = [
        attrs.evolve(k, missing=MissingPolicy.ZERO if z else MissingPolicy.EXCLUDE)
        for k, z in zip(scheme.kpis, zero, strict=False)
    ]
    # A scale that holds every total, so the originals are rated and the comparison bites.
    bands = [
        Band(label=label, lower=lower, upper=upper)
        for label, lower, upper in (("E", 0, 70), ("D", 70, 85), ("C", 85, 100), ("A", 100, 1e6))
    ]
    return attrs.evolve(
        scheme, kpis=kpis, missing_data=MissingData(), rating_scale=RatingScale(bands=bands)
    )


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Scheme, Review, str, str]:
    criteria = draw(st.sampled_from([0, 0, 3]))  # without criteria no review waits for raters
    scheme = draw(pst.schemes(scorable=True, max_rules=0, max_tables=0, max_criteria=criteria))
    zero = tuple(draw(st.lists(st.booleans(), min_size=len(scheme.kpis), max_size=7)))
    scheme = _default_policies(scheme, zero)
    review = draw(pst.reviews(scheme=scheme))
    if draw(st.integers(0, 3)):  # mostly complete data, so most originals are rated
        review = attrs.evolve(review, actuals=draw(pst.actuals_for(scheme, allow_missing=False)))
    measured = [
        a.kpi
        for a in review.actuals
        if a.value is not None
        and (a.sample_size is None or a.sample_size >= scheme.kpi(a.kpi).min_sample)
    ]
    if not measured:
        review = attrs.evolve(
            review,
            actuals=[Actual(kpi=scheme.kpis[0].key, value=draw(st.floats(-1e3, 1e3)))],
        )
        measured = [scheme.kpis[0].key]
    key = draw(st.sampled_from(measured))
    how = draw(st.sampled_from(["missing", "absent", "small"]))
    return scheme, review, key, how


def _less_data(scheme: Scheme, review: Review, key: str, how: str) -> tuple[Scheme, Review]:
    """Turn KPI ``key`` of ``review`` from measured into missing or insufficient data."""
    if how == "absent":
        return scheme, attrs.evolve(review, actuals=[a for a in review.actuals if a.kpi != key])
    if how == "missing":
        actuals = [attrs.evolve(a, value=None) if a.kpi == key else a for a in review.actuals]
        return scheme, attrs.evolve(review, actuals=actuals)
    # A sample below the minimum: raise the KPI's minimum in both schemes so the original's
    # sample is enough and the new one is not.
    kpi: KPI = scheme.kpi(key)
    minimum = max(kpi.min_sample, 2)
    kpis = [attrs.evolve(k, min_sample=minimum) if k.key == key else k for k in scheme.kpis]
    scheme = attrs.evolve(scheme, kpis=kpis)
    actuals = [
        attrs.evolve(a, sample_size=minimum - 1) if a.kpi == key else a for a in review.actuals
    ]
    return scheme, attrs.evolve(review, actuals=actuals)


def _original(scheme: Scheme, review: Review, key: str, how: str) -> tuple[Scheme, Review]:
    """The original under the same scheme as its variant (for ``small``: the raised minimum)."""
    if how != "small":
        return scheme, review
    minimum = max(scheme.kpi(key).min_sample, 2)
    kpis = [attrs.evolve(k, min_sample=minimum) if k.key == key else k for k in scheme.kpis]
    actuals = [
        attrs.evolve(a, sample_size=max(minimum, a.sample_size or minimum)) if a.kpi == key else a
        for a in review.actuals
    ]
    return attrs.evolve(scheme, kpis=kpis), attrs.evolve(review, actuals=actuals)


class TestLessDataNeverPaysMore:
    """The invariant, over the library's own strategies for schemes and reviews."""

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_cases())
    def test_turning_a_measured_kpi_into_missing_never_raises_the_result(
        self, case: tuple[Scheme, Review, str, str]
    ) -> None:
        """Rated after the change implies rated before, with a total and rating no higher."""
        scheme, review, key, how = case
        base_scheme, base = _original(scheme, review, key, how)
        less_scheme, less = _less_data(base_scheme, base, key, how)
        before = ENGINE.score(base_scheme, base)
        after = ENGINE.score(less_scheme, less)
        if not after.rated:
            return  # unrated: held for a person, no automatic reward or penalty
        above_scale = bool(before.flags & ReviewFlag.OUT_OF_SCALE) and (
            before.quantitative >= less_scheme.rating_scale.high
        )
        assert before.rated or above_scale, (before.flags, after.flags)
        if before.rated:
            assert before.total is not None
            assert after.total is not None
            assert after.total <= before.total
            labels = list(scheme.rating_scale.labels)
            assert labels.index(after.rating or "") <= labels.index(before.rating or "")

    @settings(max_examples=200, deadline=None)
    @given(
        st.sampled_from(sorted(GOOD)),
        st.sampled_from(["missing", "absent", "small"]),
        st.fixed_dictionaries({k: st.floats(0.0, 120.0) for k in GOOD}),
    )
    def test_on_the_preset_money_never_rises(
        self, key: str, how: str, values: dict[str, float]
    ) -> None:
        """With the preset's rules, less data never pays a larger bonus or a smaller deduction."""
        review = _review(dict(values))  # type: ignore[arg-type]
        scheme, base = _original(PRESET, review, key, how)
        scheme, less = _less_data(scheme, base, key, how)
        before = ENGINE.score(scheme, base)
        after = ENGINE.score(scheme, less)
        if after.rated:
            assert before.rated or before.flags & ReviewFlag.OUT_OF_SCALE
            if before.rated:
                assert _money(after) <= _money(before)


class TestOptOuts:
    """Plain reallocation and treating small samples as missing are declared opt-outs."""

    def test_plain_reallocation_can_pay_more(self) -> None:
        """The opt-outs: under REALLOCATE + AS_MISSING, hiding a bad CSAT raises the total."""
        kpis = [attrs.evolve(k, missing=MissingPolicy.REALLOCATE) for k in PRESET.kpis]
        scheme = attrs.evolve(
            PRESET,
            kpis=kpis,
            missing_data=MissingData(
                small_sample=SmallSample.AS_MISSING, gate_without_data=GateWithoutData.HOLD
            ),
        )
        low = {**GOOD, "csat": 65.0}
        many = ENGINE.score(scheme, _review(low, {"csat": 200}))
        few = ENGINE.score(scheme, _review(low, {"csat": 29}))
        # HOLD keeps the gated KPI's review for a person rather than letting it through.
        assert few.flags & ReviewFlag.GATE_WITHOUT_DATA
        assert not few.rated
        no_gate = attrs.evolve(scheme, kpis=[attrs.evolve(k, gate=None) for k in kpis])
        many = ENGINE.score(no_gate, _review(low, {"csat": 200}))
        few = ENGINE.score(no_gate, _review(low, {"csat": 29}))
        assert few.total is not None
        assert many.total is not None
        assert few.total > many.total
