"""perfmgmt: performance management schemes, scored and explained."""

from __future__ import annotations

from perfmgmt.errors import (
    DataError,
    MissingExtraError,
    PerfmgmtError,
    RegistryError,
    RuleError,
    RuleLimitError,
    RuleSyntaxError,
    RuleTypeError,
    SchemeError,
    ScoringError,
    SerializationError,
    TransitionError,
    ValidationError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DataError",
    "MissingExtraError",
    "PerfmgmtError",
    "RegistryError",
    "RuleError",
    "RuleLimitError",
    "RuleSyntaxError",
    "RuleTypeError",
    "SchemeError",
    "ScoringError",
    "SerializationError",
    "TransitionError",
    "ValidationError",
    "__version__",
]
