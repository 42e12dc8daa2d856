"""The cattrs converter: strict, type-directed hooks for every public class.

Nothing here names a class above the model floor. Results are reached by their types alone:

- typed numpy arrays (``npt.NDArray[np.float64]``) are nested lists, NaN as null;
- :data:`~perfmgmt._typing.NanFloat` fields are floats that may be NaN, null on disk;
- ``object`` fields (trace inputs) hold plain JSON values, lists as tuples;
- a class that cannot be rebuilt from its fields (it holds a compiled program), or whose
  stored form must be checked as a whole before it is trusted (a result that must recompute),
  names a *document class* in ``__document_type__`` and converts with ``__to_document__`` and
  ``__from_document__``; the converter reads and writes the document instead. A
  ``__from_document__`` that refuses a document raises
  :class:`~perfmgmt.errors.SerializationError` with the path of the bad value inside it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.strategies import configure_tagged_union

from perfmgmt.model.condition import CONDITION_TYPES, Condition, Value
from perfmgmt.model.incentive import OUTCOME_TYPES, Outcome
from perfmgmt.model.kpi import ParamValue, ScoringSpec
from perfmgmt.serialization import _values as v

__all__ = ["configure_converter", "default_converter", "make_converter", "tag_of"]


def tag_of(cls: type) -> str:
    """Return the ``"type"`` tag of a union member class: its name in snake_case."""
    name = cls.__name__.rstrip("_")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _value(value: object, _: type) -> Value:
    # A condition constant: number, text, boolean or null, as JSON has them.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return v.text(value)
    return v.number(value)


def _param(value: object) -> ParamValue:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return v.text(value)
    if isinstance(value, list):
        out = []
        for i, x in enumerate(value):
            try:
                out.append(v.number(x))
            except (TypeError, ValueError) as exc:
                raise v.AtPathError(f"[{i}]", str(exc)) from None
        return tuple(out)
    return v.number(value)


def _is_tuple(t: Any) -> bool:
    return get_origin(t) is tuple


def _tuple_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[Any, Any], Any]:
        args = get_args(t)
        homogeneous = len(args) == 2 and args[1] is Ellipsis
        types = [args[0]] if homogeneous else list(args)

        def hook(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise v.expect("a list", value)
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


def _tuple_writer_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[Any], list[Any]]:
        args = get_args(t)
        if len(args) == 2 and args[1] is Ellipsis:
            item = args[0]
            return lambda value: [converter.unstructure(x, item) for x in value]
        return lambda value: [converter.unstructure(x, a) for x, a in zip(value, args, strict=True)]

    return factory


def _structure_spec() -> Callable[[Any, Any], ScoringSpec]:
    def hook(value: Any, _: Any) -> ScoringSpec:
        if not isinstance(value, dict):
            raise v.expect("an object with fields scorer, params", value)
        extra = sorted(set(value) - {"scorer", "params"})
        if extra:
            raise ForbiddenExtraKeysError("", ScoringSpec, set(extra))
        if "scorer" not in value:
            raise ValueError("missing required field 'scorer'")
        params = value.get("params", {})
        if not isinstance(params, dict):
            raise v.expect("an object of scorer parameters", params)
        converted = {}
        for k, x in params.items():
            name = v.text(k)
            try:
                converted[name] = _param(x)
            except (TypeError, ValueError) as exc:
                sub = exc.sub if isinstance(exc, v.AtPathError) else ""
                raise v.AtPathError(f".params.{name}{sub}", str(exc)) from None
        return ScoringSpec(scorer=v.text(value["scorer"]), params=converted)

    return hook


def _unstructure_spec(spec: ScoringSpec) -> dict[str, Any]:
    return {
        "scorer": spec.scorer,
        "params": {k: list(x) if isinstance(x, tuple) else x for k, x in spec.params},
    }


def _fields_of(cls: type) -> str:
    return ", ".join(a.alias or a.name for a in attrs.fields(cls))


def _has_document(t: Any) -> bool:
    return isinstance(t, type) and isinstance(getattr(t, "__document_type__", None), type)


def _attrs_class(t: Any) -> bool:
    return isinstance(t, type) and attrs.has(t) and not _has_document(t)


def _attrs_structure_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(cls: type) -> Callable[[Any, Any], Any]:
        inner: Callable[[Any, Any], Any] = make_dict_structure_fn(
            cls,
            converter,
            _cattrs_forbid_extra_keys=True,
            _cattrs_detailed_validation=True,
        )

        def hook(value: Any, t: Any) -> Any:
            if not isinstance(value, Mapping):
                raise v.expect(f"an object with fields {_fields_of(cls)}", value)
            return inner(value, t)

        return hook

    return factory


def _attrs_unstructure_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(cls: type) -> Callable[[Any], Any]:
        return make_dict_unstructure_fn(cls, converter)

    return factory


def _document_structure_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        doc_type = cls.__document_type__

        def hook(value: Any, _: Any) -> Any:
            return cls.__from_document__(converter.structure(value, doc_type))

        return hook

    return factory


def _document_unstructure_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(cls: Any) -> Callable[[Any], Any]:
        doc_type = cls.__document_type__

        def hook(obj: Any) -> Any:
            return converter.unstructure(obj.__to_document__(), doc_type)

        return hook

    return factory


def _mapping_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[Any, Any], Any]:
        args = get_args(t)
        key_type, value_type = args if len(args) == 2 else (str, Any)

        def hook(value: Any, _: Any) -> dict[Any, Any]:
            if not isinstance(value, dict):
                raise v.expect("an object", value)
            out: dict[Any, Any] = {}
            for key, item in value.items():
                try:
                    out[converter.structure(key, key_type)] = converter.structure(item, value_type)
                except Exception as exc:  # collected with its key for the path
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"Structuring {t!r} @ key {key!r}", key, value_type),
                    ]
                    raise IterableValidationError(f"While structuring {t!r}", [exc], t) from None
            return out

        return hook

    return factory


def _int(value: Any, t: Any) -> Any:
    # The hook for int is also found for its subclasses, IntFlag and IntEnum among them.
    if t is not int and _is_enum(t):
        return _enum_hook(t)(value, t)
    return v.whole(value)


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[Any, Any], enum.Enum]:
    values = [m.value for m in cls]
    flag = issubclass(cls, enum.Flag)

    def hook(value: Any, _: Any) -> enum.Enum:
        if flag and isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(v.whole(value))
            except ValueError:
                pass
        elif not isinstance(value, bool) and value in values:
            return cls(value)
        what = "a whole number made of the flag bits" if flag else f"one of {v.shown(values)}"
        raise ValueError(f"expected {what}, got {v.shown(value)}")

    return hook


def _is_object(t: Any) -> bool:
    return t is object


def _is_mapping(t: Any) -> bool:
    origin = get_origin(t)
    return origin in (dict, Mapping) or t in (dict, Mapping)


def configure_converter(converter: cattrs.Converter) -> None:
    """Configure ``converter`` (which the caller owns) for perfmgmt's domain objects.

    Registers strict hooks for numbers, text, booleans, Decimals, dates, tuples, mappings,
    typed numpy arrays and plain JSON values, the tagged unions of condition nodes and outcomes,
    a check that an object is given where a class is expected, and the document form of
    classes that name one (``__document_type__``). The converter should be created with
    ``detailed_validation=True`` and ``forbid_extra_keys=True`` for the error paths and
    unknown-field checks that :func:`~perfmgmt.serialization.loads` promises;
    :func:`make_converter` does that.
    """
    converter.register_structure_hook(float, v.number)
    converter.register_unstructure_hook(float, v.write_number)
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(str, v.text)
    converter.register_structure_hook(bool, v.boolean)
    converter.register_structure_hook_factory(_is_enum, _enum_hook)
    converter.register_structure_hook(Decimal, v.decimal)
    converter.register_unstructure_hook(Decimal, v.write_decimal)
    converter.register_structure_hook(Fraction, v.fraction)
    converter.register_unstructure_hook(Fraction, v.write_fraction)
    converter.register_structure_hook(dt.datetime, v.datetime)
    converter.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    converter.register_structure_hook(dt.date, v.date)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook_func(_is_object, v.json_value)
    converter.register_unstructure_hook_func(_is_object, v.write_json_value)
    converter.register_structure_hook(Value, _value)
    converter.register_structure_hook(ParamValue, lambda x, _: _param(x))
    converter.register_unstructure_hook(
        ParamValue, lambda x: [v.write_number(y) for y in x] if isinstance(x, tuple) else x
    )
    converter.register_unstructure_hook(Value, v.write_value)
    converter.register_structure_hook_factory(v.is_scalar_union, v.scalar_union)
    converter.register_structure_hook_func(v.is_nan_float, v.nan_number)
    converter.register_unstructure_hook_func(v.is_nan_float, v.write_nan_number)
    converter.register_structure_hook_factory(v.is_array, v.array_structure)
    converter.register_unstructure_hook_func(v.is_array, v.array_unstructure)
    converter.register_structure_hook_factory(_is_tuple, _tuple_hook_factory(converter))
    converter.register_unstructure_hook_factory(_is_tuple, _tuple_writer_factory(converter))
    converter.register_unstructure_hook(tuple, list)
    converter.register_structure_hook_factory(_is_mapping, _mapping_hook_factory(converter))
    converter.register_structure_hook_factory(_attrs_class, _attrs_structure_factory(converter))
    converter.register_unstructure_hook_factory(_attrs_class, _attrs_unstructure_factory(converter))
    converter.register_structure_hook_factory(_has_document, _document_structure_factory(converter))
    converter.register_unstructure_hook_factory(
        _has_document, _document_unstructure_factory(converter)
    )
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
            raise v.expect('an object with a "type" tag', value)
        tag = value.get("type")
        if tag not in tags:
            raise ValueError(f"unknown type {v.shown(tag)}; expected one of {tags}")
        return inner(value, t)

    converter.register_structure_hook(union, hook)


def make_converter() -> cattrs.Converter:
    """Build a new converter configured for perfmgmt (strict, with detailed error paths)."""
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    configure_converter(converter)
    return converter


_DEFAULT: cattrs.Converter | None = None


def default_converter() -> cattrs.Converter:
    """Return the shared converter, built on first use (importing perfmgmt stays cheap)."""
    global _DEFAULT  # noqa: PLW0603  # built lazily so importing perfmgmt stays cheap
    if _DEFAULT is None:
        _DEFAULT = make_converter()
    return _DEFAULT
