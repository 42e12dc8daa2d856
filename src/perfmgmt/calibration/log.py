"""The calibration change log: every value a calibration step changed, and why.

Each step of :mod:`perfmgmt.calibration` returns its result *and* a :class:`CalibrationLog` that
lists every value it changed as a :class:`CalibrationChange` (subject, field, before, after,
reason, and the numbers behind the reason); nothing is changed that the log does not list. Logs
of several steps add up (``raters.log + guided.log``), read as text in English or Chinese
(:meth:`CalibrationLog.explain`), give rows for a CSV file (:meth:`CalibrationLog.to_records`),
and round-trip exactly through JSON (:meth:`CalibrationLog.to_json`,
:meth:`CalibrationLog.from_json`).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import cast

import attrs

from perfmgmt._markdown import md_escape
from perfmgmt._validate import instance_of, non_empty, tuple_of
from perfmgmt._words import word
from perfmgmt.calibration._lang import Lang, check_lang
from perfmgmt.errors import SerializationError, ValidationError

__all__ = ["CalibrationChange", "CalibrationLog", "CalibrationReason"]


def _num(value: float | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:.4g}"


class CalibrationReason(enum.Enum):
    """Why calibration changed a value."""

    RATER_STANDARDISED = "rater_standardised"
    """A rating was moved by its rater's standardisation."""
    RATER_CLAMPED = "rater_clamped"
    """A rating was moved by its rater's standardisation and clamped to the scale."""
    GUIDED_DISTRIBUTION = "guided_distribution"
    """A rating label was set by rank to meet the guided distribution."""


_Param = tuple[str, str | float | int]


def _params(value: Sequence[_Param] | Mapping[str, str | float | int]) -> tuple[_Param, ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), v) for k, v in items)


@attrs.frozen(kw_only=True)
class CalibrationChange:
    """One value changed by calibration.

    Attributes:
        subject_id: Whose value changed.
        field: What changed: ``"rating"`` (the band label) or
            ``"assessment[<criterion>,<source>,<rater>]"`` (one qualitative rating).
        before: The value before.
        after: The value after.
        reason: Why.
        params: The numbers behind the reason as ``(name, value)`` pairs (rater offset and
            scale factor, or rank and band target).
    """

    subject_id: str = attrs.field(validator=non_empty)
    field: str = attrs.field(validator=non_empty)
    before: float | str | None = attrs.field(validator=instance_of(float, str, type(None)))
    after: float | str | None = attrs.field(validator=instance_of(float, str, type(None)))
    reason: CalibrationReason = attrs.field(validator=instance_of(CalibrationReason))
    params: tuple[_Param, ...] = attrs.field(factory=tuple, converter=_params)

    def param(self, name: str) -> str | float | int | None:
        """Return the parameter ``name``, or None when the change has none."""
        for k, v in self.params:
            if k == name:
                return v
        return None

    def text(self, lang: Lang = "en") -> str:
        """Return the change as one line of text in ``"en"`` or ``"zh"``."""
        zh = check_lang(lang)
        p = dict(self.params)
        field = _field_zh(self.field) if zh else self.field
        head = f"{self.subject_id} {field}: {_num(self.before)} → {_num(self.after)}"
        if self.reason is CalibrationReason.GUIDED_DISTRIBUTION:
            why = (
                f"强制分布:排名 {p.get('rank')}/{p.get('rated')},{p.get('band')} 档目标 "
                f"{p.get('target')} 人"
                if zh
                else f"guided distribution: rank {p.get('rank')} of {p.get('rated')}, band "
                f"{p.get('band')} holds {p.get('target')}"
            )
        else:
            rater, off, k = p.get("rater"), p.get("offset"), p.get("scale_factor")
            off_s = f"{off:+.3f}" if isinstance(off, float) else str(off)
            k_s = f"{k:.3f}" if isinstance(k, float) else str(k)
            if zh:
                why = f"评分人 {rater} 标准化(偏差 {off_s},缩放 {k_s})"
                if self.reason is CalibrationReason.RATER_CLAMPED:
                    why += ",已截断到量表范围"
            else:
                why = f"rater {rater} standardised (offset {off_s}, scale factor {k_s})"
                if self.reason is CalibrationReason.RATER_CLAMPED:
                    why += ", clamped to the scale"
        return f"{head} ({why})"

    def to_record(self) -> dict[str, object]:
        """Return the change as a flat dict (for CSV or JSON)."""
        return {
            "subject_id": self.subject_id,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "reason": self.reason.value,
            "params": "; ".join(
                f"{k}={_num(v) if isinstance(v, float) else v}" for k, v in self.params
            ),
        }


def _changes(value: Sequence[CalibrationChange]) -> tuple[CalibrationChange, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class CalibrationLog:
    """Every change one or more calibration steps made, in the order they were made.

    Attributes:
        changes: The changes.
    """

    changes: tuple[CalibrationChange, ...] = attrs.field(
        factory=tuple, converter=_changes, validator=tuple_of(CalibrationChange)
    )

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[CalibrationChange]:
        return iter(self.changes)

    def __add__(self, other: CalibrationLog) -> CalibrationLog:
        if not isinstance(other, CalibrationLog):
            return NotImplemented
        return CalibrationLog(changes=self.changes + other.changes)

    def for_subject(self, subject_id: str) -> tuple[CalibrationChange, ...]:
        """Return the changes to ``subject_id``'s values, in order."""
        return tuple(c for c in self.changes if c.subject_id == subject_id)

    def to_records(self) -> list[dict[str, object]]:
        """Return the changes as flat dicts (for CSV; parameters as rounded text)."""
        return [c.to_record() for c in self.changes]

    def to_json(self) -> str:
        """Return the log as JSON that :meth:`from_json` loads back to an equal log.

        Unlike :meth:`to_records`, nothing is rounded: floats are written exactly and the
        parameters keep their types.
        """
        data = {
            "schema_version": _LOG_SCHEMA_VERSION,
            "changes": [
                {
                    "subject_id": c.subject_id,
                    "field": c.field,
                    "before": c.before,
                    "after": c.after,
                    "reason": c.reason.value,
                    "params": [[k, v] for k, v in c.params],
                }
                for c in self.changes
            ],
        }
        return json.dumps(data, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> CalibrationLog:
        """Load a log written by :meth:`to_json`.

        Raises:
            SerializationError: When the text is not such a log; the message starts with the
                JSON path of the offending value and says what is allowed there.
        """
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise SerializationError(f"$: not JSON ({exc})", path="$") from None
        top = _keys(data, "$", ("schema_version", "changes"))
        if top["schema_version"] != _LOG_SCHEMA_VERSION or isinstance(top["schema_version"], bool):
            raise SerializationError(
                f"schema_version: {top['schema_version']!r} is not allowed; expected "
                f"{_LOG_SCHEMA_VERSION}",
                path="schema_version",
            )
        items = top["changes"]
        if not isinstance(items, list):
            raise SerializationError(
                f"changes: {items!r} is not allowed; expected a list", path="changes"
            )
        return cls(
            changes=[_change_from_data(item, f"changes[{i}]") for i, item in enumerate(items)]
        )

    def explain(self, lang: Lang = "en") -> str:
        """Return the log as Markdown: a count per reason, then a list item per change."""
        zh = check_lang(lang)
        counts: dict[CalibrationReason, int] = {}
        for c in self.changes:
            counts[c.reason] = counts.get(c.reason, 0) + 1
        if not self.changes:
            return "校准未改变任何数值。" if zh else "Calibration changed nothing."
        names = {
            CalibrationReason.RATER_STANDARDISED: ("rater standardised", "评分人标准化"),
            CalibrationReason.RATER_CLAMPED: ("rater standardised and clamped", "标准化并截断"),
            CalibrationReason.GUIDED_DISTRIBUTION: ("guided distribution", "强制分布"),
        }
        summary = ", ".join(f"{names[r][1 if zh else 0]} {n}" for r, n in counts.items())
        head = (
            f"校准变更 {len(self.changes)} 项({summary}):"
            if zh
            else f"Calibration changes: {len(self.changes)} ({summary})"
        )
        return "\n".join([head, *(f"- {md_escape(c.text(lang))}" for c in self.changes)])


_LOG_SCHEMA_VERSION = 1


def _field_zh(field: str) -> str:
    """Return a change's field in Chinese: ``评级`` or ``定性评价[标准,来源,评分人]``."""
    if field == "rating":
        return word("cal.rating", "zh")
    inner = field.removeprefix("assessment[").removesuffix("]")
    parts = inner.split(",")
    if inner == field or len(parts) != 3:
        return field
    source = word(f"source.{parts[1]}", "zh", default=parts[1])
    return f"{word('cal.assessment', 'zh')}[{parts[0]},{source},{parts[2]}]"


_CHANGE_KEYS = ("subject_id", "field", "before", "after", "reason", "params")


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _keys(data: object, path: str, keys: tuple[str, ...]) -> dict[str, object]:
    """Return ``data`` when it is an object with exactly ``keys``."""
    if not isinstance(data, dict):
        raise SerializationError(
            f"{path}: {data!r} is not allowed; expected an object with keys {list(keys)}",
            path=path,
        )
    missing = [k for k in keys if k not in data]
    extra = sorted(set(data) - set(keys))
    if missing or extra:
        raise SerializationError(
            f"{path}: keys {sorted(data)} are not allowed; expected exactly {list(keys)}",
            path=path,
        )
    return data


def _value(value: object, path: str, *, ints: bool) -> float | str | int | None:
    """Return a change's value: a float, a text or null (and whole numbers in params)."""
    if value is None or isinstance(value, str | float):
        return value
    if ints and isinstance(value, int) and not isinstance(value, bool):
        return value
    allowed = "a number, a text or null" if ints else "a float, a text or null"
    raise SerializationError(f"{path}: {value!r} is not allowed; expected {allowed}", path=path)


def _change_from_data(data: object, path: str) -> CalibrationChange:
    item = _keys(data, path, _CHANGE_KEYS)
    for name in ("subject_id", "field"):
        if not isinstance(item[name], str):
            raise SerializationError(
                f"{path}.{name}: {item[name]!r} is not allowed; expected a text",
                path=f"{path}.{name}",
            )
    try:
        reason = CalibrationReason(item["reason"])
    except ValueError:
        raise SerializationError(
            f"{path}.reason: {item['reason']!r} is not allowed; expected one of "
            f"{[r.value for r in CalibrationReason]}",
            path=f"{path}.reason",
        ) from None
    raw = item["params"]
    if not isinstance(raw, list):
        raise SerializationError(
            f"{path}.params: {raw!r} is not allowed; expected a list of [name, value] pairs",
            path=f"{path}.params",
        )
    params: list[tuple[str, str | float | int]] = []
    for k, pair in enumerate(raw):
        where = f"{path}.params[{k}]"
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise SerializationError(
                f"{where}: {pair!r} is not allowed; expected a [name, value] pair", path=where
            )
        value = _value(pair[1], f"{where}[1]", ints=True)
        if value is None:
            raise SerializationError(
                f"{where}[1]: None is not allowed; expected a number or a text",
                path=f"{where}[1]",
            )
        params.append((pair[0], value))
    try:
        return CalibrationChange(
            subject_id=cast("str", item["subject_id"]),
            field=cast("str", item["field"]),
            before=cast("float | str | None", _value(item["before"], f"{path}.before", ints=False)),
            after=cast("float | str | None", _value(item["after"], f"{path}.after", ints=False)),
            reason=reason,
            params=params,
        )
    except ValidationError as exc:
        raise SerializationError(f"{path}: {exc}", path=path) from None
