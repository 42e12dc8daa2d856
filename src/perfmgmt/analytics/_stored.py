"""Checks that a stored analytics result is whole and consistent before it is rebuilt.

A result read back from JSON was written by someone: the library, or a hand, a bug or an
attacker. The results of the merit matrix and of the 9-box are rebuilt only when every column
has one value per person and every derived column recomputes from the stored inputs; each
refusal is a :class:`~perfmgmt.errors.SerializationError` whose path is the offending value
inside the result (``final[2]``), which the loader puts after the result's own path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np

from perfmgmt._validate import show
from perfmgmt.errors import PerfmgmtError, SerializationError

__all__ = ["check_column", "check_recomputed", "fields_of", "refuse", "stored_call"]

T = TypeVar("T")


def refuse(path: str, message: str) -> SerializationError:
    """Return the error for a stored value: ``<path>: <message>`` with its path."""
    return SerializationError(f"{path}: {message}", path=path)


def check_column(name: str, column: object, n: int, what: str = "subjects") -> None:
    """Refuse a column that is not one value per person (a 1-D array or a sequence of ``n``)."""
    if isinstance(column, np.ndarray) and column.ndim != 1:
        raise refuse(
            name,
            f"an array of shape {list(column.shape)} is not allowed; allowed: one value "
            f"per person, a list of {n}",
        )
    size = len(column) if isinstance(column, np.ndarray | Sequence) else None
    if size != n:
        raise refuse(
            name, f"{size} values for {n} {what} are not allowed; allowed: one value per person"
        )


def stored_call(path: str, call: Callable[[], T]) -> T:
    """Run ``call``; a domain error it raises is refused at ``path`` with its own words."""
    try:
        return call()
    except SerializationError:
        raise
    except PerfmgmtError as exc:
        raise refuse(path, str(exc).removeprefix(f"{path}: ")) from None


def check_recomputed(
    name: str,
    stored: Sequence[object],
    recomputed: Sequence[object],
    shown: Callable[[object], str] = show,
    why: str = "",
) -> None:
    """Refuse the first stored value that differs from what its inputs recompute."""
    for i, (a, b) in enumerate(zip(stored, recomputed, strict=True)):
        if a != b:
            raise refuse(
                f"{name}[{i}]",
                f"{shown(a)} is not allowed; allowed: {shown(b)}, which {why} give "
                "(a stored result is never edited)",
            )


def fields_of(obj: object, cls: type) -> dict[str, Any]:
    """The values of ``obj`` for the fields of the attrs class ``cls`` (its stored form)."""
    return {f.name: getattr(obj, f.name) for f in attrs.fields(cls)}
