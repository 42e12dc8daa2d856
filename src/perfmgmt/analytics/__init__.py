"""Prototype and review schemes: lint, what-if comparison, Monte Carlo cost, effectiveness.

* :func:`lint` checks a scheme before launch and returns findings with severity, location and
  a suggested fix.
* :func:`compare` scores one population under two schemes: who moves, and what it costs.
* :func:`simulate` runs many cycles with drawn actuals: the distribution of the bonus cost,
  of the rating shares, and the probability of exceeding a budget.
* :func:`effectiveness`, :func:`rater_leniency` and :func:`backtest` review a running scheme.
* :func:`place`, :func:`movement` and :func:`promotion_readiness` put people on the
  performance x potential grid (the 9-box) and derive who is ready for promotion.
* :func:`merit_increases` and :func:`compare_matrices` apply a merit matrix (rating x
  compa-ratio -> raise), spent exactly to a budget.
* :func:`adverse_impact` compares an outcome's rates across groups the caller supplies: the
  four-fifths ratio, Fisher's exact or a two-proportion test, score gaps, small groups
  suppressed.
* :func:`rater_diagnostics` shows leniency, central tendency, range restriction and halo per
  rater and per source.
* :func:`summarise_cycle`, :func:`predictive_validity` and :func:`summarise_opinions` review
  the scheme over time: trends, whether ratings predict the next cycle, what people think.
"""

from __future__ import annotations

from perfmgmt.analytics.compare import (
    Comparison,
    ComparisonRecord,
    SchemeRun,
    compare,
    repopulate,
    run_scheme,
)
from perfmgmt.analytics.effectiveness import (
    BackTest,
    EffectivenessReport,
    KpiEffectiveness,
    RaterStats,
    backtest,
    effectiveness,
    rater_leniency,
)
from perfmgmt.analytics.fairness import (
    FOUR_FIFTHS,
    OUTCOMES,
    AdverseImpact,
    GroupImpact,
    ScoreGap,
    adverse_impact,
)
from perfmgmt.analytics.lint import (
    LINT_DESCRIPTION,
    LintConfig,
    LintFinding,
    LintReport,
    Severity,
    configure_lint_parser,
    kpi_tags,
    lint,
    run_lint,
    score_range,
    total_range,
    value_range,
)
from perfmgmt.analytics.merit import (
    MeritComparison,
    MeritMatrix,
    MeritResult,
    MeritRow,
    compare_matrices,
    merit_increases,
)
from perfmgmt.analytics.ninebox import (
    Box,
    BoxMovement,
    GridLevel,
    NineBoxGrid,
    NineBoxPlacement,
    PotentialModel,
    movement,
    place,
    potentials,
)
from perfmgmt.analytics.raters import (
    RaterDiagnostic,
    RaterDiagnostics,
    SourceDiagnostic,
    rater_diagnostics,
)
from perfmgmt.analytics.readiness import (
    Readiness,
    ReadinessPolicy,
    ReadinessResult,
    promotion_readiness,
)
from perfmgmt.analytics.review import (
    CycleSummary,
    KpiTrend,
    Opinion,
    OpinionSummary,
    PredictiveValidity,
    QuestionSummary,
    RatingOutcome,
    Respondent,
    predictive_validity,
    summarise_cycle,
    summarise_opinions,
)
from perfmgmt.analytics.simulate import (
    Distribution,
    Empirical,
    JointResample,
    Normal,
    SimulationResult,
    Uniform,
    fit_actuals,
    simulate,
)

__all__ = [
    "FOUR_FIFTHS",
    "LINT_DESCRIPTION",
    "OUTCOMES",
    "AdverseImpact",
    "BackTest",
    "Box",
    "BoxMovement",
    "Comparison",
    "ComparisonRecord",
    "CycleSummary",
    "Distribution",
    "EffectivenessReport",
    "Empirical",
    "GridLevel",
    "GroupImpact",
    "JointResample",
    "KpiEffectiveness",
    "KpiTrend",
    "LintConfig",
    "LintFinding",
    "LintReport",
    "MeritComparison",
    "MeritMatrix",
    "MeritResult",
    "MeritRow",
    "NineBoxGrid",
    "NineBoxPlacement",
    "Normal",
    "Opinion",
    "OpinionSummary",
    "PotentialModel",
    "PredictiveValidity",
    "QuestionSummary",
    "RaterDiagnostic",
    "RaterDiagnostics",
    "RaterStats",
    "RatingOutcome",
    "Readiness",
    "ReadinessPolicy",
    "ReadinessResult",
    "Respondent",
    "SchemeRun",
    "ScoreGap",
    "Severity",
    "SimulationResult",
    "SourceDiagnostic",
    "Uniform",
    "adverse_impact",
    "backtest",
    "compare",
    "compare_matrices",
    "configure_lint_parser",
    "effectiveness",
    "fit_actuals",
    "kpi_tags",
    "lint",
    "merit_increases",
    "movement",
    "place",
    "potentials",
    "predictive_validity",
    "promotion_readiness",
    "rater_diagnostics",
    "rater_leniency",
    "repopulate",
    "run_lint",
    "run_scheme",
    "score_range",
    "simulate",
    "summarise_cycle",
    "summarise_opinions",
    "total_range",
    "value_range",
]
