"""Exceptions raised by perfmgmt.

Every error the library raises on bad input is a :class:`PerfmgmtError`, so an
embedding application can catch one class.  Messages say what was wrong, where
(the field or JSON path) and what would be right.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "DataError",
    "HistoryWarning",
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
]


class PerfmgmtError(Exception):
    """Base class of every error perfmgmt raises on bad input or misuse."""


class ValidationError(PerfmgmtError, ValueError):
    """A value given to a domain object is not allowed.

    Attributes:
        field: The name of the offending field, when there is one.
        value: The offending value, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class SchemeError(ValidationError):
    """A scheme is inconsistent as a whole (weights, keys, categories, scales)."""


class SerializationError(PerfmgmtError, ValueError):
    """A JSON payload cannot be loaded.

    Attributes:
        path: The JSON path of the offending value, e.g. ``kpis[2].weight``.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class RegistryError(PerfmgmtError, LookupError):
    """A name is missing from a registry, or registered twice."""


class ScoringError(PerfmgmtError, ValueError):
    """Inputs to the scoring engine cannot be scored as given."""


class RuleError(PerfmgmtError, ValueError):
    """A rule, condition or decision table is invalid."""


class RuleSyntaxError(RuleError):
    """Rule text cannot be parsed.

    Attributes:
        text: The rule text.
        position: Zero-based character offset of the problem in ``text``.
    """

    def __init__(self, message: str, *, text: str = "", position: int = 0) -> None:
        super().__init__(message)
        self.text = text
        self.position = position


class RuleTypeError(RuleError):
    """A rule refers to an unknown field or combines values of the wrong types."""


class RuleLimitError(RuleError):
    """A rule exceeds a safety limit (length, nesting depth, node count or cost)."""


class AccessError(PerfmgmtError, ValueError):
    """An object cannot be made for the audience asked for (unknown audience or object)."""


class TransitionError(PerfmgmtError):
    """A review lifecycle transition is not allowed from the review's state."""


class DataError(PerfmgmtError, ValueError):
    """Raw input data (CRM tickets, surveys, CSV rows) is malformed.

    Attributes:
        row: Zero-based row index of the offending record, when known.
        column: Name of the offending column, when known.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class MissingExtraError(PerfmgmtError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class HistoryWarning(UserWarning):
    """A review's stored content or audit history failed verification, loaded anyway.

    Issued by :func:`perfmgmt.serialization.loads` and :func:`~perfmgmt.serialization.from_data`
    with ``verify="warn"``; with the default ``verify="error"`` the same finding raises
    :class:`SerializationError`.
    """
