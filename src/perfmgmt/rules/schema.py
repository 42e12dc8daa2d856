"""The field schema: which dotted fields a condition may read, and their types."""

from __future__ import annotations

import enum
import operator
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from perfmgmt.errors import ValidationError
from perfmgmt.model.condition import (
    check_field_segment,
)

if TYPE_CHECKING:
    from perfmgmt.model.scheme import Scheme


__all__ = ["FieldSchema", "FieldType"]


class FieldType(enum.Enum):
    """The type of a frame column (per subject: one value, or a vector of values)."""

    NUMBER = "number"
    TEXT = "text"
    BOOL = "bool"
    NUMBER_VECTOR = "number_vector"
    TEXT_VECTOR = "text_vector"
    BOOL_VECTOR = "bool_vector"

    @property
    def is_vector(self) -> bool:
        """Whether each subject holds a vector of values."""
        return self in _ELEMENT

    @property
    def element(self) -> FieldType:
        """The scalar type of one value (itself for scalar types)."""
        return _ELEMENT.get(self, self)


_ELEMENT = {
    FieldType.NUMBER_VECTOR: FieldType.NUMBER,
    FieldType.TEXT_VECTOR: FieldType.TEXT,
    FieldType.BOOL_VECTOR: FieldType.BOOL,
}
_VECTOR_OF = {scalar: vector for vector, scalar in _ELEMENT.items()}


# --------------------------------------------------------------------------------------------
# The field schema


def _freeze_fields(value: Mapping[str, FieldType]) -> Mapping[str, FieldType]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"FieldSchema.fields: {value!r} is not allowed; expected a mapping of dotted names "
            "to FieldType",
            field="fields",
            value=value,
        )
    return MappingProxyType(dict(value))


def _freeze_widths(value: Mapping[str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"FieldSchema.widths: {value!r} is not allowed; expected a mapping of names to ints",
            field="widths",
            value=value,
        )
    return MappingProxyType(dict(value))


def _mapping_key(value: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(value.items(), key=operator.itemgetter(0)))


def _check_fields(
    _instance: object, _attribute: attrs.Attribute[Any], value: Mapping[str, FieldType]
) -> None:
    for name, kind in value.items():
        if not isinstance(name, str):
            raise ValidationError(
                f"FieldSchema.fields: key {name!r} is not allowed; expected a dotted name",
                field="fields",
                value=name,
            )
        for i, segment in enumerate(name.split(".")):
            check_field_segment(segment, first=i == 0, what=f"FieldSchema.fields[{name!r}]")
        if not isinstance(kind, FieldType):
            raise ValidationError(
                f"FieldSchema.fields[{name!r}]: {kind!r} is not allowed; expected a FieldType",
                field="fields",
                value=kind,
            )


def _check_widths(
    _instance: object, _attribute: attrs.Attribute[Any], value: Mapping[str, int]
) -> None:
    for name, width in value.items():
        if not isinstance(width, int) or isinstance(width, bool) or width < 0:
            raise ValidationError(
                f"FieldSchema.widths[{name!r}]: {width!r} is not allowed; expected an int >= 0",
                field="widths",
                value=width,
            )


@attrs.frozen(kw_only=True)
class FieldSchema:
    """The fields a condition may read, by dotted name, with their types.

    Attributes:
        fields: Dotted names (``total``, ``kpi.csat.score``) mapped to their :class:`FieldType`.
        widths: Typical vector length per vector family (the first name part, e.g. ``kpi`` or
            ``history``); used only by the static cost estimate.
    """

    fields: Mapping[str, FieldType] = attrs.field(
        converter=_freeze_fields, validator=_check_fields, eq=_mapping_key
    )
    widths: Mapping[str, int] = attrs.field(
        factory=dict, converter=_freeze_widths, validator=_check_widths, eq=_mapping_key
    )

    @classmethod
    def for_keys(
        cls,
        *,
        kpi_keys: Iterable[str],
        category_keys: Iterable[str],
        history_depth: int = 8,
    ) -> FieldSchema:
        """Build the standard schema for the given KPI and category keys.

        Args:
            kpi_keys: The scheme's KPI keys.
            category_keys: The scheme's category keys.
            history_depth: Typical number of previous cycles (for the cost estimate).

        Returns:
            The schema with the score, KPI, category, subject and history fields.
        """
        kpis = tuple(kpi_keys)
        fields: dict[str, FieldType] = {
            "total": FieldType.NUMBER,
            "quantitative": FieldType.NUMBER,
            "qualitative": FieldType.NUMBER,
            "rating": FieldType.TEXT,
            "rated": FieldType.BOOL,
            "gated": FieldType.BOOL,
            "tenure_days": FieldType.NUMBER,
            "base_pay": FieldType.NUMBER,
            "eligible_fraction": FieldType.NUMBER,
            "grade": FieldType.TEXT,
            "department": FieldType.TEXT,
            "kpi.actual": FieldType.NUMBER_VECTOR,
            "kpi.achievement": FieldType.NUMBER_VECTOR,
            "kpi.score": FieldType.NUMBER_VECTOR,
            "history.rating": FieldType.TEXT_VECTOR,
            "history.total": FieldType.NUMBER_VECTOR,
        }
        for category in category_keys:
            fields[f"category.{category}"] = FieldType.NUMBER
        for kpi in kpis:
            for part in ("actual", "target", "achievement", "score"):
                fields[f"kpi.{kpi}.{part}"] = FieldType.NUMBER
            for part in ("missing", "insufficient", "gated"):
                fields[f"kpi.{kpi}.{part}"] = FieldType.BOOL
        return cls(fields=fields, widths={"kpi": len(kpis), "history": history_depth})

    @classmethod
    def for_scheme(cls, scheme: Scheme, *, history_depth: int = 8) -> FieldSchema:
        """Build the standard schema for a scheme's KPIs and categories.

        Args:
            scheme: The :class:`~perfmgmt.model.scheme.Scheme`.
            history_depth: Typical number of previous cycles (for the cost estimate).

        Returns:
            The schema; see :meth:`for_keys` for the fields.
        """
        return cls.for_keys(
            kpi_keys=scheme.kpi_keys,
            category_keys=[category.key for category in scheme.categories],
            history_depth=history_depth,
        )
