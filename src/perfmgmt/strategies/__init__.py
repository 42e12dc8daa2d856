"""Hypothesis strategies for perfmgmt's domain objects, for property-based tests.

Install the extra (``pip install "perfmgmt[hypothesis]"``) and use them in your own tests::

    from hypothesis import given
    from perfmgmt import strategies as pst

    @given(pst.schemes())
    def test_my_hris_stores_any_scheme(scheme): ...

Every strategy is keyword-only, takes strategies (not values) for the parts you may want to
fix, and generates objects that are valid by construction: schemes satisfy every weight-sum
rule (weights are drawn and then rescaled with :func:`perfmgmt.model.normalise_weights`),
rating bands are contiguous, targets are ordered for the indicator's direction. Examples shrink
towards small, readable objects (one KPI, short ASCII keys, round numbers). Impossible
combinations of size arguments raise :class:`hypothesis.errors.InvalidArgument`.

The package is never imported by ``perfmgmt`` itself. Its ``hypothesis`` entry point (the hook
in ``_plugin``) registers a strategy for every public domain type, so ``st.from_type(Review)``
works in any test once perfmgmt is installed; importing the package registers them as well.
The strategies live in ``_values`` (keys, labels, amounts), ``_model`` (indicators, KPIs,
schemes, cycles), ``_rules`` (conditions, outcomes, rules, tables), ``_review`` (people,
reviews, development, populations), ``_results`` (what the engines return) and ``_analytics``
(merit matrices and raises, the 9-box, promotion readiness); import them from here.
"""

from __future__ import annotations

# Hypothesis first, before any module of this package: Hypothesis loads its entry points at the
# end of its own import, and the hook (``_plugin``) imports this package's modules, which must
# not be half-imported then.
try:
    import hypothesis  # noqa: F401 - imported for its side effect, see above
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    from perfmgmt.errors import MissingExtraError

    raise MissingExtraError(
        "perfmgmt.strategies needs Hypothesis; install the extra: pip install "
        '"perfmgmt[hypothesis]"'
    ) from exc

from perfmgmt.strategies._analytics import (
    box_movements,
    merit_comparisons,
    merit_matrices,
    merit_results,
    nine_box_grids,
    nine_box_placements,
    potential_models,
    readiness_policies,
    readiness_results,
)
from perfmgmt.strategies._model import (
    bands,
    categories,
    criteria,
    cycle_plans,
    cycles,
    gates,
    indicators,
    kpis,
    missing_data_policies,
    rating_scales,
    scales,
    schemes,
    scoring_specs,
)

# The hook and its table stay reachable here for tests that register or list the types.
from perfmgmt.strategies._plugin import _hypothesis_setup_hook
from perfmgmt.strategies._plugin import _type_strategies as _type_strategies
from perfmgmt.strategies._results import (
    batch_decisions,
    batch_scores,
    calibration_changes,
    calibration_logs,
    decisions,
    explanations,
    field_schemas,
    histories,
    pool_allocations,
    score_cards,
    scorers,
)
from perfmgmt.strategies._review import (
    actuals_for,
    assignments,
    development_actions,
    development_plans,
    development_policies,
    eligibilities,
    events,
    fte_changes,
    goal_changes,
    goals_for,
    interviews,
    leaves,
    objectives,
    period_values,
    periods,
    populations,
    prorations,
    review_results,
    reviews,
    subjects,
)
from perfmgmt.strategies._rules import (
    bonus_pools,
    conditions,
    decision_tables,
    incentive_rules,
    outcomes,
)
from perfmgmt.strategies._values import decimals, keys, labels

__all__ = [
    "actuals_for",
    "assignments",
    "bands",
    "batch_decisions",
    "batch_scores",
    "bonus_pools",
    "box_movements",
    "calibration_changes",
    "calibration_logs",
    "categories",
    "conditions",
    "criteria",
    "cycle_plans",
    "cycles",
    "decimals",
    "decision_tables",
    "decisions",
    "development_actions",
    "development_plans",
    "development_policies",
    "eligibilities",
    "events",
    "explanations",
    "field_schemas",
    "fte_changes",
    "gates",
    "goal_changes",
    "goals_for",
    "histories",
    "incentive_rules",
    "indicators",
    "interviews",
    "keys",
    "kpis",
    "labels",
    "leaves",
    "merit_comparisons",
    "merit_matrices",
    "merit_results",
    "missing_data_policies",
    "nine_box_grids",
    "nine_box_placements",
    "objectives",
    "outcomes",
    "period_values",
    "periods",
    "pool_allocations",
    "populations",
    "potential_models",
    "prorations",
    "rating_scales",
    "readiness_policies",
    "readiness_results",
    "review_results",
    "reviews",
    "scales",
    "schemes",
    "score_cards",
    "scorers",
    "scoring_specs",
    "subjects",
]

# Importing the package registers the strategies (the entry point only needs to import it).
_hypothesis_setup_hook()
