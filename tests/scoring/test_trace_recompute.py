"""Explanations that recompute: every number of a score card from its structured trace alone.

For generated schemes and reviews (the library's own strategies) and the worked examples, each
step of ``card.explain()`` is recomputed from the step's own inputs with exact arithmetic
(``fractions.Fraction``) and must give the step's result: to within the resolution (results
are rounded half-to-even to 9 places) for aggregates, exactly for the rating. Nothing but the
trace is read: the scheme only serves to generate the cases.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from fractions import Fraction

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmgmt import strategies as pst
from perfmgmt.model import (
    KPI,
    Direction,
    Indicator,
    Label,
    Review,
    Scheme,
    ScoringSpec,
)
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.scoring import Explanation, KpiFlag, ScoreCard, ScoringEngine, Step, scorers
from perfmgmt.scoring.flags import KPI_NOTES_EN, KPI_NOTES_ZH
from scoring.exact_reference import kpi_score

ENGINE = ScoringEngine()
HUNDRED = Fraction(100)
_ZEROED_BY_POLICY = {KPI_NOTES_EN[KpiFlag.SCORED_ZERO], KPI_NOTES_ZH[KpiFlag.SCORED_ZERO]}


def _inputs(step: Step) -> dict[str, float | str | None]:
    return dict(step.inputs)


def _fr(value: float | str | None) -> Fraction | None:
    if value is None or isinstance(value, str):
        return None
    return Fraction(value)


def _close(got: float | str | None, want: Fraction | None, what: str) -> str | None:
    """Compare a step's float result with the exact recomputation (None = no value)."""
    if want is None or got is None:
        return None if want is None and got is None else f"{what}: {got!r} vs {want}"
    assert not isinstance(got, str)
    tol = Fraction(2, 10**9) * max(Fraction(1), abs(want))
    return None if abs(Fraction(got) - want) <= tol else f"{what}: {got!r} vs {float(want)!r}"


def _param(name: str, value: float | str | None) -> object:
    if isinstance(value, str) and value.startswith("("):
        return tuple(float(v) for v in value.strip("()").split(", ") if v)
    if value in ("true", "false"):
        return value == "true"
    return value


def _kpi_from_trace(key: str, inputs: dict[str, float | str | None]) -> KPI:
    """Rebuild the KPI a score step describes from the step's inputs (scorer, params, bounds)."""
    name = str(inputs["scorer"])
    factory = getattr(scorers, name)
    allowed = set(inspect.signature(factory).parameters) - {"direction"}
    params = {
        n.removeprefix("param."): _param(n, v)
        for n, v in inputs.items()
        if n.startswith("param.") and n.removeprefix("param.") in allowed and v is not None
    }
    return KPI(
        indicator=Indicator(key=key, label=Label(en=key), direction=Direction(inputs["direction"])),
        category="c",
        weight=1.0,
        scoring=ScoringSpec(scorer=name, params=params),  # type: ignore[arg-type]
    )


def _kpi_score(step: Step) -> str | None:
    x = _inputs(step)
    key = step.name.split(".")[1]
    actual = _fr(x["actual"])
    if actual is None or step.result is None:
        # No usable actual: no score, or 0 by policy.
        return None if step.result in (None, 0.0) else f"{step.name}: {step.result!r} without data"
    small = x.get("sample_size") is not None and (x["sample_size"] or 0) < (x["min_sample"] or 0)
    if small and _ZEROED_BY_POLICY & set(step.note.split("; ")):
        # A small sample treated as missing (SmallSample.AS_MISSING) under MissingPolicy.ZERO.
        return None if step.result == 0 else f"{step.name}: {step.result!r}, noted as zeroed"
    _, score = kpi_score(
        _kpi_from_trace(key, x), actual, _fr(x["threshold"]), _fr(x["target"]), _fr(x["stretch"])
    )
    if small:
        score = min(score, HUNDRED)
    return _close(step.result, score, step.name)


def _weight(step: Step) -> str | None:
    x = {n: _fr(v) for n, v in step.inputs}
    nominal, total = x["nominal_weight"], x.get("nominal_total")
    if total is None:
        want = Fraction(0)
    elif "measured_share" in x:
        assert nominal is not None
        zero, measured = x["zero_share"], x["measured_share"]
        assert zero is not None
        assert measured is not None
        want = nominal / total * (1 - zero) / measured
    else:
        assert nominal is not None
        want = nominal / total
    return _close(step.result, want, step.name)


def _pairs(step: Step, a: str, b: str) -> list[tuple[Fraction, Fraction]]:
    """The (a, b) input pairs ``<key>.a``, ``<key>.b`` of a step, in order."""
    x = _inputs(step)
    keys = [n.rsplit(".", 1)[0] for n in x if n.endswith(f".{a}")]
    out = []
    for k in keys:
        va, vb = _fr(x[f"{k}.{a}"]), _fr(x[f"{k}.{b}"])
        assert va is not None
        assert vb is not None
        out.append((va, vb))
    return out


def _weighted_mean(step: Step) -> str | None:
    pairs = _pairs(step, "score", "weight")
    den = sum((w for _, w in pairs), Fraction(0))
    want = sum((s * w for s, w in pairs), Fraction(0)) / den if den else None
    return _close(step.result, want, step.name)


def _criterion(step: Step) -> str | None:
    x = _inputs(step)
    low, target = _fr(x["low"]), _fr(x["target_rating"])
    keys = [n.removesuffix(".mean") for n in x if n.endswith(".mean")]
    num = den = Fraction(0)
    for k in keys:
        mean, weight = _fr(x[f"{k}.mean"]), _fr(x[f"{k}.weight"])
        assert mean is not None
        assert weight is not None
        assert low is not None
        assert target is not None
        num += weight * HUNDRED * (mean - low) / (target - low)
        den += weight
    return _close(step.result, num / den if den else None, step.name)


def _contribution(step: Step) -> str | None:
    x = {n: _fr(v) for n, v in step.inputs}
    score, weight = x["score"], x["effective_weight"]
    assert weight is not None
    return _close(step.result, Fraction(0) if score is None else score * weight, step.name)


def _measured_share(step: Step) -> str | None:
    x = {n: _fr(v) for n, v in step.inputs}
    parts = [v for n, v in x.items() if n.endswith(".nominal_weight") and v is not None]
    total = x["nominal_total"]
    assert total is not None
    return _close(step.result, sum(parts, Fraction(0)) / total, step.name)


def _raw(step: Step) -> str | None:
    if step.result is None:
        return None
    values = [_fr(v) or Fraction(0) for _, v in step.inputs]
    return _close(step.result, sum(values, Fraction(0)), step.name)


def _gated(step: Step) -> str | None:
    x = {n: _fr(v) for n, v in step.inputs}
    raw = x["raw"]
    caps = [v for n, v in x.items() if n.startswith("gate.") and v is not None]
    return _close(step.result, None if raw is None else min([raw, *caps]), step.name)


def _kind(name: str) -> str:
    """The kind of a step: its name without the KPI, category or criterion key."""
    parts = name.split(".")
    if parts[0] == "kpi":
        return f"kpi.{parts[-1]}"
    return parts[0] if parts[0] in ("category", "criterion") else name


def _recompute(step: Step) -> str | None:
    check = _CHECKS.get(_kind(step.name))
    return f"{step.name}: no recomputation for this step" if check is None else check(step)


def _total(step: Step) -> str | None:
    x = {n: _fr(v) for n, v in step.inputs}
    if step.result is None:
        return None  # not rated: the note says why
    share, quant, qual = x["share"], x["quantitative"], x["qualitative"]
    assert share is not None
    assert quant is not None
    want = quant if qual is None else share * quant + (1 - share) * qual
    return _close(step.result, want, "total")


def _rating(step: Step) -> str | None:
    x = _inputs(step)
    total = _fr(x["total"])
    if total is None:
        return None if step.result is None else f"rating {step.result!r} without a total"
    labels = [n.removesuffix(".lower") for n in x if n.endswith(".lower")]
    top = labels[-1]
    for label in labels:
        lower, upper = _fr(x[f"{label}.lower"]), _fr(x[f"{label}.upper"])
        assert lower is not None
        assert upper is not None
        if lower <= total < upper or (label == top and total == upper):
            return None if step.result == label else f"rating {step.result!r} vs {label!r}"
    return f"rating {step.result!r} for a total outside every band"


_CHECKS: dict[str, Callable[[Step], str | None]] = {
    "kpi.score": _kpi_score,
    "kpi.weight": _weight,
    "kpi.contribution": _contribution,
    "measured_share": _measured_share,
    "category": _weighted_mean,
    "quantitative.raw": _raw,
    "quantitative": _gated,
    "criterion": _criterion,
    "qualitative": _weighted_mean,
    "total": _total,
    "rating": _rating,
}


def _problems(explanation: Explanation) -> list[str]:
    return [p for step in explanation for p in [_recompute(step)] if p is not None]


def _check(cards: Sequence[ScoreCard]) -> None:
    problems = [p for card in cards for lang in ("en", "zh") for p in _problems(card.explain(lang))]
    assert not problems, problems


class TestRecomputeFromTheTrace:
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        pst.schemes(scorable=True, max_rules=0, max_tables=0).flatmap(
            lambda s: st.tuples(st.just(s), st.lists(pst.reviews(scheme=s), min_size=1, max_size=3))
        )
    )
    def test_every_number_recomputes(self, case: tuple[Scheme, list[Review]]) -> None:
        """Generated schemes and reviews: each step's result from its inputs, exactly."""
        scheme, reviews = case
        _check([ENGINE.score(scheme, r) for r in reviews])

    def test_the_worked_example(self) -> None:
        """Zhang Min: a gate, a reallocated KPI, a zero-scored one, a left-out peer."""
        from test_worked_example import CYCLE, LI_WEI, ZHANG_MIN, founding_scheme

        scheme = founding_scheme()
        _check([ENGINE.score(scheme, r, cycle=CYCLE) for r in (LI_WEI, ZHANG_MIN)])

    def test_the_steps_are_all_recomputed(self) -> None:
        """Every kind of step the trace has is one the recomputation knows (none skipped)."""
        from test_worked_example import CYCLE, ZHANG_MIN, founding_scheme

        card = ENGINE.score(founding_scheme(), ZHANG_MIN, cycle=CYCLE)
        unknown = [p for p in _problems(card.explain()) if "no recomputation" in p]
        assert not unknown
        # The check bites: any step whose number is off by 1e-6 is reported.
        for step in card.explain():
            if isinstance(step.result, float):
                off = attrs.evolve(step, result=step.result + 1e-6)
                assert _recompute(off) is not None, step.name
        # score, weight and contribution per KPI; the measured share; one per category; raw
        # and gated quantitative; one per criterion; qualitative; total; rating.
        lines, cats, crits = len(card.lines), len(card.categories), len(card.criteria)
        assert len(card.explain()) == 3 * lines + 1 + cats + 2 + crits + 1 + 2

    def test_the_preset(self) -> None:
        """The preset with a small sample: the capped score recomputes too."""
        from scoring.test_missing_data import GOOD, _review

        scheme = customer_service_manager()
        cards = [
            ENGINE.score(scheme, _review({**GOOD, "csat": 90.0}, {"csat": 29})),
            ENGINE.score(scheme, _review({**GOOD, "csat": 55.0})),
        ]
        assert cards[0].line("csat").score == 100.0
        _check(cards)
