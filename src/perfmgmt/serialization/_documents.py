"""Documents in and out: JSON text and plain dicts, versioned, with errors that name the path."""

from __future__ import annotations

import json
import typing
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from perfmgmt.errors import HistoryWarning, PerfmgmtError, SerializationError, ValidationError
from perfmgmt.model.history import verify_history
from perfmgmt.model.review import Review
from perfmgmt.serialization import _values as v
from perfmgmt.serialization._converter import default_converter

__all__ = ["SCHEMA_VERSION", "Verify", "dumps", "from_data", "loads", "migrate", "to_data"]

Verify = Literal["error", "warn", "off"]
"""What loading does with a review whose history does not verify: raise, warn, or skip."""

_VERIFY = ("error", "warn", "off")

SCHEMA_VERSION = 1
"""The schema version written by this release. Older versions are migrated on load."""

T = TypeVar("T")

# Migrations from version N to N+1, applied in order to a payload's plain JSON data on load.
# Each takes and returns the top-level dict (without "schema_version").
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

MAX_DEPTH = 64
"""The deepest nesting of lists and objects a document may have."""


def _errors(exc: BaseException, path: str) -> list[tuple[str, str]]:
    """Flatten a cattrs error tree into ``(json path, message)`` pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(exc, IterableValidationError | ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            if isinstance(exc, IterableValidationError):
                index = note.index
                sub_path = f"{path}[{index!r}]" if isinstance(index, str) else f"{path}[{index}]"
            else:
                name = note.name  # type: ignore[union-attr]
                sub_path = f"{path}.{name}" if path else name
            out.extend(_errors(sub, sub_path))
        for sub in without:
            out.extend(_errors(sub, path))
    else:
        out.append(_leaf(exc, path))
    return out


def _leaf(exc: BaseException, path: str) -> tuple[str, str]:
    """Return the ``(json path, message)`` of one error that holds no others."""
    if isinstance(exc, ForbiddenExtraKeysError):
        names = ", ".join(repr(k) for k in sorted(exc.extra_fields))
        allowed = ""
        if attrs.has(exc.cl):
            allowed = "; allowed fields: " + ", ".join(
                a.alias or a.name for a in attrs.fields(exc.cl)
            )
        return (path, f"unknown field(s) {names}{allowed}")
    if isinstance(exc, KeyError):
        return (path, f"missing required field {v.shown(exc.args[0])}")
    if isinstance(exc, v.AtPathError):
        return (f"{path}{exc.sub}", _clean(str(exc)))
    if isinstance(exc, SerializationError) and exc.path not in ("", "$"):
        # A document hook (``__from_document__``) names the path inside the object it reads.
        sep = "" if not path or exc.path.startswith("[") else "."
        return (f"{path}{sep}{exc.path}", _clean(str(exc)).removeprefix(f"{exc.path}: "))
    if isinstance(exc, PerfmgmtError | TypeError | ValueError):
        return (path, _clean(str(exc)))
    return (path, f"invalid value ({_clean(str(exc))})")


def _clean(message: str) -> str:
    # Validators of the domain classes raise PerfmgmtErrors with clean words; a message from
    # anywhere else keeps its first line only and loses Python's own prefixes.
    first = message.splitlines()[0] if message else "invalid value"
    for prefix in ("ValueError: ", "TypeError: "):
        first = first.removeprefix(prefix)
    return first


def _raise(exc: BaseException, root: str = "") -> typing.NoReturn:
    errors = _errors(exc, root)
    path, first = errors[0]
    more = (
        f" (and {len(errors) - 1} more error(s): "
        + "; ".join(f"{p or '$'}: {m}" for p, m in errors[1:4])
        + ")"
        if len(errors) > 1
        else ""
    )
    raise SerializationError(f"{path or '$'}: {first}{more}", path=path or "$") from exc


def migrate(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a payload's data migrated from its ``schema_version`` to :data:`SCHEMA_VERSION`.

    Raises:
        SerializationError: When the version is missing, not a whole number, or unknown.
    """
    payload = dict(data)
    version = payload.pop("schema_version", None)
    if version is None:
        raise SerializationError(
            "schema_version: missing; every top-level payload names the schema version it was "
            f"written with (this release writes {SCHEMA_VERSION})",
            path="schema_version",
        )
    if isinstance(version, bool) or not isinstance(version, int):
        raise SerializationError(
            f"schema_version: expected a whole number, got {v.shown(version)}",
            path="schema_version",
        )
    if not 1 <= version <= SCHEMA_VERSION:
        raise SerializationError(
            f"schema_version: {version} is not supported; this release reads versions 1 to "
            f"{SCHEMA_VERSION}",
            path="schema_version",
        )
    for n in range(version, SCHEMA_VERSION):
        payload = _MIGRATIONS[n](payload)
    return payload


def to_data(obj: Any, *, converter: cattrs.Converter | None = None) -> dict[str, Any]:
    """Return ``obj`` as a plain JSON-ready dict with a top-level ``schema_version``.

    The dict holds only dicts, lists, text, numbers, booleans and None: store it in a JSON or
    JSONB column as it is, and read it back with :func:`from_data`.

    Args:
        obj: Any public perfmgmt domain object or result.
        converter: A converter from :func:`make_converter`; the shared default when None.

    Raises:
        SerializationError: When ``obj`` is not a domain object, or holds a value JSON cannot
            hold (an infinite number, text with a lone surrogate).
    """
    conv = converter or default_converter()
    try:
        data = conv.unstructure(obj)
    except (TypeError, ValueError) as exc:
        raise SerializationError(
            f"$: {type(obj).__name__} cannot be written as JSON: {_clean(str(exc))}", path="$"
        ) from None
    if not isinstance(data, dict):
        raise SerializationError(
            f"$: {type(obj).__name__} is not a domain object; only domain objects and results "
            "are written as documents",
            path="$",
        )
    payload = {"schema_version": SCHEMA_VERSION, **data}
    _check_written(payload, "")
    return payload


def _check_written(value: Any, path: str) -> None:
    """Refuse text that JSON cannot hold as UTF-8, naming where it is."""
    if isinstance(value, str):
        try:
            v.check_text(value)
        except ValueError as exc:
            raise SerializationError(f"{path or '$'}: {exc}", path=path or "$") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_written(key, path)
            _check_written(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_written(item, f"{path}[{i}]")


def dumps(obj: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None) -> str:
    """Return ``obj`` as JSON text with a top-level ``schema_version``.

    Args:
        obj: Any public perfmgmt domain object or result.
        converter: A converter from :func:`make_converter`; the shared default when None.
        indent: Indentation for pretty output; compact when None.

    Raises:
        SerializationError: As :func:`to_data`.
    """
    payload = to_data(obj, converter=converter)
    return json.dumps(payload, ensure_ascii=False, indent=indent, allow_nan=False)


class _DuplicateKey(dict[str, Any]):
    """An object that had a key twice; the loader reports it with its path."""

    duplicate: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            dup = _DuplicateKey(out)
            dup.duplicate = key
            return dup
        out[key] = value
    return out


def _nonfinite_constant(name: str) -> Any:
    # NaN/Infinity are not JSON, but read them as floats so that the strict number hook
    # refuses them with the JSON path of the field they are in (not just "$").
    return float(name)


def _scan(value: Any, path: str, depth: int) -> None:
    """Refuse duplicate keys and too-deep nesting, naming the path."""
    if depth > MAX_DEPTH:
        raise SerializationError(
            f"{path or '$'}: nested more than {MAX_DEPTH} levels deep", path=path or "$"
        )
    if isinstance(value, dict):
        if isinstance(value, _DuplicateKey):
            raise SerializationError(
                f"{path or '$'}: duplicate key {v.shown(value.duplicate)}; every key may appear "
                "once in an object",
                path=path or "$",
            )
        for key, item in value.items():
            _scan(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _scan(item, f"{path}[{i}]", depth + 1)


def _parse(text: str | bytes | bytearray) -> Any:
    if not isinstance(text, str | bytes | bytearray):
        raise SerializationError(
            f"$: expected JSON text (str or bytes), got {type(text).__name__}", path="$"
        )
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SerializationError(
                f"$: not UTF-8 text (byte {exc.start}); JSON documents are UTF-8", path="$"
            ) from None
    try:
        return json.loads(text, parse_constant=_nonfinite_constant, object_pairs_hook=_pairs)
    except RecursionError:
        raise SerializationError("$: the payload is nested too deeply", path="$") from None
    except ValueError as exc:
        raise SerializationError(f"$: not valid JSON: {exc}", path="$") from None


def _verified(obj: T, verify: str) -> T:
    """Check a loaded review's hash-chained history as ``verify`` asks."""
    if verify not in _VERIFY:
        raise ValidationError(
            f"verify: {verify!r} is not allowed; expected one of {list(_VERIFY)}",
            field="verify",
            value=verify,
        )
    if verify == "off" or not isinstance(obj, Review):
        return obj
    check = verify_history(obj)
    if check.ok:
        return obj
    path = f"history[{check.index}]"
    message = (
        f"{path}: the stored review {obj.key!r} disagrees with its history: {check.reason} "
        '(load with verify="warn" to read it anyway and report this, or verify="off")'
    )
    if verify == "error":
        raise SerializationError(message, path=path)
    warnings.warn(HistoryWarning(message), stacklevel=3)
    return obj


def from_data(
    data: Mapping[str, Any],
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    verify: Verify = "error",
) -> T:
    """Load a ``cls`` from plain data: a dict from :func:`to_data`, or a JSONB column's value.

    A :class:`~perfmgmt.model.Review` is checked against its hash-chained history (see
    :func:`~perfmgmt.model.verify_history`): a review whose content or events were edited
    outside the workflow is an error by default. Events stored before histories were chained
    carry no hashes and load as they are.

    Args:
        data: The plain data.
        cls: The class to load.
        converter: A converter from :func:`make_converter`; the shared default when None.
        verify: For a review whose history does not verify: ``"error"`` raises,
            ``"warn"`` loads it and issues a :class:`~perfmgmt.errors.HistoryWarning`,
            ``"off"`` skips the check.

    Raises:
        SerializationError: On a missing or unknown schema version, an unknown field, a wrong
            type or an invalid value; the message starts with the JSON path. With
            ``verify="error"``, also for a review whose history does not verify.
        ValidationError: For an unknown ``verify``.
    """
    if verify not in _VERIFY:
        _verified(None, verify)
    if not isinstance(data, Mapping):
        raise SerializationError(f"$: expected a JSON object, got {v.type_name(data)}", path="$")
    _scan(data, "", 0)
    payload = migrate(data)
    conv = converter or default_converter()
    try:
        obj = conv.structure(payload, cls)
    except RecursionError:
        raise SerializationError("$: the payload is nested too deeply", path="$") from None
    except Exception as exc:  # every failure becomes a SerializationError with a path
        _raise(exc)
    return _verified(obj, verify)


def loads(
    text: str | bytes | bytearray,
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    verify: Verify = "error",
) -> T:
    """Load a ``cls`` from JSON text written by :func:`dumps` (or by hand).

    Args:
        text: The JSON text, as ``str`` or UTF-8 ``bytes``.
        cls: The class to load.
        converter: A converter from :func:`make_converter`; the shared default when None.
        verify: For a review whose hash-chained history does not verify: ``"error"``
            (default) raises, ``"warn"`` loads it with a
            :class:`~perfmgmt.errors.HistoryWarning`, ``"off"`` skips the check.

    Raises:
        SerializationError: On invalid JSON, a duplicate key, a missing or unknown schema
            version, an unknown field, a wrong type or an invalid value; the message starts with
            the JSON path. With ``verify="error"``, also for a review whose history does not
            verify.
        ValidationError: For an unknown ``verify``.
    """
    return from_data(_parse(text), cls, converter=converter, verify=verify)
