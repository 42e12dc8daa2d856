"""JSON for every public domain object, lossless and versioned (cattrs preconf style).

``make_converter()`` builds a converter; ``configure_converter(conv)`` configures one the caller
owns; nothing global is changed on import. ``dumps``/``loads`` cover the common case::

    text = dumps(scheme)               # JSON text with "schema_version"
    same = loads(text, Scheme)         # == scheme

Dates are ISO 8601 text, Decimals are strings (never floats), enums are their values, and the
members of the condition-tree and outcome unions carry a ``"type"`` tag. Loading is strict: a
wrong type, a non-finite number, an unknown field or an unknown schema version raises
:class:`~perfmgmt.errors.SerializationError` whose message starts with the JSON path of the
offending value, e.g. ``kpis[2].weight: expected a number, got "abc"``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.strategies import configure_tagged_union

from perfmgmt.errors import PerfmgmtError, SerializationError
from perfmgmt.model.condition import CONDITION_TYPES, Condition, Value
from perfmgmt.model.incentive import OUTCOME_TYPES, Outcome
from perfmgmt.model.kpi import ParamValue, ScoringSpec

__all__ = [
    "SCHEMA_VERSION",
    "configure_converter",
    "dumps",
    "loads",
    "make_converter",
    "migrate",
    "tag_of",
]

SCHEMA_VERSION = 1
"""The schema version written by this release. Older versions are migrated on load."""

T = TypeVar("T")

# Migrations from version N to N+1, applied in order to a payload's plain JSON data on load.
# Each takes and returns the top-level dict (without "schema_version").
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def tag_of(cls: type) -> str:
    """Return the ``"type"`` tag of a union member class: its name in snake_case."""
    name = cls.__name__.rstrip("_")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# What a JSON value is called in messages; bool before int (a bool is an int).
_JSON_TYPE_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "text"),
    (list, "a list"),
    (dict, "an object"),
)


def _type_name(value: object) -> str:
    return next(
        (name for types, name in _JSON_TYPE_NAMES if isinstance(value, types)),
        type(value).__name__,
    )


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _expect(what: str, value: object) -> TypeError:
    return TypeError(f"expected {what}, got {_shown(value)}")


def _float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expect("a number", value)
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"expected a finite number, got {value!r}")
    return f


def _int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expect("a whole number", value)
    return value


def _str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _expect("text", value)
    return value


def _bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _expect("true or false", value)
    return value


def _decimal(value: object, _: type) -> Decimal:
    if not isinstance(value, str):
        raise _expect('a decimal amount as text (e.g. "1200.00")', value)
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected a decimal amount as text, got {_shown(value)}") from None
    if not d.is_finite():
        raise ValueError(f"expected a finite decimal amount, got {_shown(value)}")
    return d


def _date(value: object, _: type) -> dt.date:
    if not isinstance(value, str):
        raise _expect("an ISO 8601 date as text (YYYY-MM-DD)", value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date (YYYY-MM-DD), got {_shown(value)}") from None


def _datetime(value: object, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise _expect("an ISO 8601 date-time as text", value)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date-time, got {_shown(value)}") from None


def _value(value: object, _: type) -> Value:
    # A condition constant: number, text, boolean or null, as JSON has them.
    if value is None or isinstance(value, bool | str):
        return value
    return _float(value, float)


def _param(value: object) -> ParamValue:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, list):
        return tuple(_float(v, float) for v in value)
    return _float(value, float)


def _is_tuple(t: Any) -> bool:
    return get_origin(t) is tuple


def _tuple_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[Any, Any], Any]:
        args = get_args(t)
        homogeneous = len(args) == 2 and args[1] is Ellipsis
        types = [args[0]] if homogeneous else list(args)

        def hook(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _expect("a list", value)
            if not homogeneous and len(value) != len(types):
                raise ValueError(f"expected a list of {len(types)} items, got {len(value)}")
            out: list[Any] = []
            errors: list[Exception] = []
            for i, item in enumerate(value):
                item_type = types[0] if homogeneous else types[i]
                try:
                    out.append(converter.structure(item, item_type))
                except Exception as exc:  # collected with its index for the path
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"Structuring {t!r} @ index {i}", i, item_type),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {t!r}", errors, t)
            return tuple(out)

        return hook

    return factory


def _structure_spec() -> Callable[[Any, Any], ScoringSpec]:
    def hook(value: Any, _: Any) -> ScoringSpec:
        if not isinstance(value, dict):
            raise _expect("an object", value)
        extra = sorted(set(value) - {"scorer", "params"})
        if extra:
            raise ForbiddenExtraKeysError("", ScoringSpec, set(extra))
        if "scorer" not in value:
            raise ValueError("missing required field 'scorer'")
        params = value.get("params", {})
        if not isinstance(params, dict):
            raise _expect("an object of scorer parameters", params)
        return ScoringSpec(
            scorer=_str(value["scorer"], str),
            params={str(k): _param(v) for k, v in params.items()},
        )

    return hook


def _unstructure_spec(spec: ScoringSpec) -> dict[str, Any]:
    return {
        "scorer": spec.scorer,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in spec.params},
    }


def configure_converter(converter: cattrs.Converter) -> None:
    """Configure ``converter`` (which the caller owns) for perfmgmt's domain objects.

    Registers strict hooks for numbers, text, booleans, Decimals, dates and tuples, and tagged
    unions for condition nodes and outcomes. The converter should be created with
    ``detailed_validation=True`` and ``forbid_extra_keys=True`` for the error paths and
    unknown-field checks that :func:`loads` promises; :func:`make_converter` does that.
    """
    converter.register_structure_hook(float, _float)
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(str, _str)
    converter.register_structure_hook(bool, _bool)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(dt.date, _date)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook(dt.datetime, _datetime)
    converter.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    converter.register_structure_hook(Value, _value)
    converter.register_unstructure_hook(Value, lambda v: v)
    converter.register_structure_hook_factory(_is_tuple, _tuple_hook_factory(converter))
    converter.register_unstructure_hook(tuple, list)
    converter.register_structure_hook(ScoringSpec, _structure_spec())
    converter.register_unstructure_hook(ScoringSpec, _unstructure_spec)
    for union, members in ((Condition, CONDITION_TYPES), (Outcome, OUTCOME_TYPES)):
        assert set(get_args(union)) == set(members), "union and member tuple disagree"
        configure_tagged_union(union, converter, tag_generator=tag_of, tag_name="type")
        _check_tags(converter, union, members)


def _check_tags(converter: cattrs.Converter, union: Any, members: tuple[type, ...]) -> None:
    # The tagged-union hook reports an unknown tag as a bare KeyError; name the choices instead.
    inner = converter.get_structure_hook(union)
    tags = sorted(tag_of(c) for c in members)

    def hook(value: Any, t: Any) -> Any:
        if not isinstance(value, dict):
            raise _expect('an object with a "type" tag', value)
        tag = value.get("type")
        if tag not in tags:
            raise ValueError(f"unknown type {_shown(tag)}; expected one of {tags}")
        return inner(value, t)

    converter.register_structure_hook(union, hook)


def make_converter() -> cattrs.Converter:
    """Build a new converter configured for perfmgmt (strict, with detailed error paths)."""
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    configure_converter(converter)
    return converter


_DEFAULT: cattrs.Converter | None = None


def _default() -> cattrs.Converter:
    global _DEFAULT  # noqa: PLW0603  # built lazily so importing perfmgmt stays cheap
    if _DEFAULT is None:
        _DEFAULT = make_converter()
    return _DEFAULT


def _errors(exc: BaseException, path: str) -> list[tuple[str, str]]:
    """Flatten a cattrs error tree into ``(json path, message)`` pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(exc, IterableValidationError | ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            sub_path = (
                f"{path}[{note.index!r}]"
                if isinstance(exc, IterableValidationError)
                else (f"{path}.{note.name}" if path else note.name)  # type: ignore[union-attr]
            )
            out.extend(_errors(sub, sub_path))
        for sub in without:
            out.extend(_errors(sub, path))
    elif isinstance(exc, ForbiddenExtraKeysError):
        names = ", ".join(repr(k) for k in sorted(exc.extra_fields))
        allowed = ""
        if attrs.has(exc.cl):
            allowed = "; allowed fields: " + ", ".join(a.name for a in attrs.fields(exc.cl))
        out.append((path, f"unknown field(s) {names}{allowed}"))
    elif isinstance(exc, KeyError):
        out.append((path, f"missing required field {exc.args[0]!r}"))
    elif isinstance(exc, PerfmgmtError | TypeError | ValueError):
        message = str(exc)
        if "Unstructure" in message or "is not a valid" in message:
            message = message.replace("ValueError: ", "")
        out.append((path, message))
    else:
        out.append((path, f"{type(exc).__name__}: {exc}"))
    return out


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


def _nonfinite_constant(name: str) -> Any:
    # NaN/Infinity are not JSON, but read them as floats so that the strict number hook
    # refuses them with the JSON path of the field they are in (not just "$").
    return float(name)


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
            f"schema_version: expected a whole number, got {_shown(version)}",
            path="schema_version",
        )
    if not 1 <= version <= SCHEMA_VERSION:
        raise SerializationError(
            f"schema_version: {version} is not supported; this release reads versions 1 to "
            f"{SCHEMA_VERSION}",
            path="schema_version",
        )
    for v in range(version, SCHEMA_VERSION):
        payload = _MIGRATIONS[v](payload)
    return payload


def dumps(obj: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None) -> str:
    """Return ``obj`` as JSON text with a top-level ``schema_version``.

    Args:
        obj: Any public perfmgmt domain object.
        converter: A converter from :func:`make_converter`; the shared default when None.
        indent: Indentation for pretty output; compact when None.
    """
    conv = converter or _default()
    data = conv.unstructure(obj)
    if not isinstance(data, dict):
        raise SerializationError(
            f"$: {type(obj).__name__} is not a domain object; dumps() writes domain objects",
            path="$",
        )
    payload = {"schema_version": SCHEMA_VERSION, **data}
    return json.dumps(payload, ensure_ascii=False, indent=indent, allow_nan=False)


def loads(text: str | bytes, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Load a ``cls`` from JSON text written by :func:`dumps` (or by hand).

    Raises:
        SerializationError: On invalid JSON, a missing or unknown schema version, an unknown
            field, a wrong type or an invalid value; the message starts with the JSON path.
    """
    try:
        data = json.loads(text, parse_constant=_nonfinite_constant)
    except (ValueError, RecursionError) as exc:
        raise SerializationError(f"$: not valid JSON: {exc}", path="$") from None
    if not isinstance(data, dict):
        raise SerializationError(f"$: expected a JSON object, got {_type_name(data)}", path="$")
    payload = migrate(data)
    conv = converter or _default()
    try:
        return conv.structure(payload, cls)
    except RecursionError:
        raise SerializationError("$: the payload is nested too deeply", path="$") from None
    except Exception as exc:  # every failure becomes a SerializationError with a path
        _raise(exc)
