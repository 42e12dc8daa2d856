"""Schemes shared by the analytics tests (lint, compare, simulate, effectiveness)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from perfmgmt.model import (
    KPI,
    AssessmentSource,
    Band,
    Bonus,
    Category,
    DecisionTable,
    Direction,
    HitPolicy,
    IncentiveRule,
    Indicator,
    Label,
    QualitativeCriterion,
    RatingScale,
    Scheme,
    ScoringSpec,
    SourcePolicy,
    TableInput,
    TableRow,
)
from perfmgmt.rules.parse import parse

# Every KPI scores on linear with an explicit cap of 150 and floor 0, so the quantitative part
# spans 0..150, the qualitative part (1-5 scale, target 5) spans 0..100, and with the 70/30
# blend a total spans 0 .. 0.7 * 150 + 0.3 * 100 = 135.
LINEAR = ScoringSpec(scorer="linear", params={"cap": 150.0, "floor": 0.0})


def indicator(key: str, **kw: Any) -> Indicator:
    """Build a fully described indicator."""
    defaults: dict[str, Any] = {
        "label": Label(en=key.replace("_", " ")),
        "unit": "points",
        "source": "CRM export",
        "description": f"{key} over the cycle, all tickets",
    }
    defaults.update(kw)
    return Indicator(key=key, **defaults)


def kpi(key: str, category: str, weight: float, **kw: Any) -> KPI:
    """Build a KPI with linear scoring and ordered default targets."""
    ind = kw.pop("ind", None) or indicator(key)
    higher = ind.direction is Direction.HIGHER_IS_BETTER
    defaults: dict[str, Any] = {
        "threshold": 60.0 if higher else 120.0,
        "target": 80.0 if higher else 60.0,
        "stretch": 95.0 if higher else 30.0,
        "scoring": LINEAR,
    }
    defaults.update(kw)
    return KPI(indicator=ind, category=category, weight=weight, **defaults)


def clean_scheme(**changes: Any) -> Scheme:
    """Return a scheme that lint finds nothing wrong with."""
    kpis = (
        kpi("csat", "satisfaction", 1.0, ind=indicator("csat", unit="%")),
        kpi(
            "avg_response_time",
            "efficiency",
            0.5,
            ind=indicator("avg_response_time", unit="seconds", direction=Direction.LOWER_IS_BETTER),
        ),
        kpi("fcr", "efficiency", 0.5, ind=indicator("fcr", unit="%")),
        kpi("cost_saving", "cost", 1.0, ind=indicator("cost_saving", unit="%")),
    )
    categories = (
        Category(key="satisfaction", label=Label(en="Satisfaction"), weight=0.4),
        Category(key="efficiency", label=Label(en="Efficiency"), weight=0.4),
        Category(key="cost", label=Label(en="Cost"), weight=0.2),
    )
    scale = RatingScale(
        bands=(
            Band(label="E", lower=0.0, upper=60.0),
            Band(label="D", lower=60.0, upper=80.0),
            Band(label="C", lower=80.0, upper=100.0),
            Band(label="B", lower=100.0, upper=115.0),
            Band(label="A", lower=115.0, upper=150.0),
        )
    )
    bonus = Bonus.percent_of_base_pay(Decimal("10"))
    table = DecisionTable(
        key="bonus_table",
        inputs=(TableInput(field="total"),),
        rows=(
            TableRow(inputs=("< 100",), outputs=()),
            TableRow(inputs=(">= 100",), outputs=(bonus,)),
        ),
        hit_policy=HitPolicy.UNIQUE,
    )
    rules = (
        IncentiveRule(key="top_bonus", condition=parse('rating == "A"'), outcomes=(bonus,)),
        IncentiveRule(key="good_total", condition=parse("total >= 100"), outcomes=(bonus,)),
    )
    base: dict[str, Any] = {
        "key": "cs",
        "version": "1",
        "label": Label(en="Customer service"),
        "categories": categories,
        "kpis": kpis,
        "rating_scale": scale,
        "criteria": (QualitativeCriterion(key="attitude", label=Label(en="Attitude"), weight=1.0),),
        "sources": (SourcePolicy(source=AssessmentSource.MANAGER, weight=1.0),),
        "quantitative_share": 0.7,
        "rules": rules,
        "tables": (table,),
    }
    base.update(changes)
    return Scheme(**base)


def evolve(scheme: Scheme, **changes: Any) -> Scheme:
    """Return ``scheme`` with fields changed (typed loosely: the model converts to tuples)."""
    return attrs.evolve(scheme, **changes)


def replace_kpi(scheme: Scheme, which: str, /, **changes: Any) -> Scheme:
    """Return ``scheme`` with one KPI changed."""
    kpis = tuple(attrs.evolve(k, **changes) if k.key == which else k for k in scheme.kpis)
    return evolve(scheme, kpis=kpis)


def replace_indicator(scheme: Scheme, which: str, /, **changes: Any) -> Scheme:
    """Return ``scheme`` with one KPI's indicator changed."""
    ind = attrs.evolve(scheme.kpi(which).indicator, **changes)
    return replace_kpi(scheme, which, indicator=ind)


def population(scheme: Scheme, n: int = 200, *, seed: int = 0, rating: float = 5.0) -> Any:
    """Return a seeded population for ``scheme`` (base pay 10,000.00 CNY, one manager rating).

    Actuals are drawn around each KPI's target so the totals spread over every rating band.
    """
    import numpy as np

    from perfmgmt.scoring import Population

    rng = np.random.default_rng(seed)
    cols = []
    for k in scheme.kpis:
        assert k.threshold is not None
        assert k.target is not None
        spread = abs(k.target - k.threshold)
        cols.append(rng.normal(k.target, spread, n))
    q, s = len(scheme.criteria), len(scheme.sources)
    return Population.from_arrays(
        scheme,
        subject_ids=[f"p{i:05d}" for i in range(n)],
        actual=np.column_stack(cols),
        base_pay=[Decimal("10000.00")] * n,
        currency="CNY",
        ratings=np.full((n, q, s), rating),
        raters=np.ones((n, q, s), dtype=np.int64),
    )
