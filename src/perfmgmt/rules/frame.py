"""Frames: the columns rules read, text columns as codes, and previous cycles' history.

A frame maps dotted field names to arrays of N values (``(N,)`` for scalar fields, ``(N, W)`` for
vector fields). :func:`frame_from_scores` builds one from a batch of scores; text columns are
:class:`TextCodes` (integer codes into a label table) so that text tests are integer tests.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._validate import fail, tuple_of
from perfmgmt.errors import DataError, ValidationError
from perfmgmt.model.money import to_minor
from perfmgmt.rules.schema import FieldType
from perfmgmt.scoring.card import KpiFlag

if TYPE_CHECKING:
    import datetime as dt
    from decimal import Decimal

    from perfmgmt.model.review import Subject
    from perfmgmt.scoring.card import BatchScores
    from perfmgmt.scoring.population import Population


__all__ = ["History", "TextCodes", "frame_from_scores"]

_FLAG_MISSING = int(KpiFlag.MISSING)
_FLAG_INSUFFICIENT = int(KpiFlag.INSUFFICIENT_DATA)
_FLAG_GATED = int(KpiFlag.GATED)

_Array: TypeAlias = npt.NDArray[Any]
_Env: TypeAlias = dict[str, Any]


def _equal(a: Any, b: Any) -> _Array:
    """Compare element-wise (object arrays included) and return a bool array."""
    equal: Any = np.equal
    return np.asarray(equal(a, b), dtype=np.bool_)


class _Text:
    """Text values at run time: codes (``-1`` = unknown) into the labels of ``table``."""

    __slots__ = ("codes", "table")

    def __init__(self, codes: _Array, table: TextCodes) -> None:
        self.codes = codes
        self.table = table

    def recode(self, other: _Text) -> _Array:
        """Return ``other``'s codes in this table's numbering (-2 for labels it lacks)."""
        if other.table is self.table or other.table.labels == self.table.labels:
            return other.codes
        # the trailing -1 maps an unknown (-1) to unknown
        lut = np.array(
            [self.table._index.get(label, -2) for label in other.table.labels] + [-1],
            dtype=np.int32,
        )
        return lut[other.codes]

    def isin(self, options: Iterable[str]) -> _Array:
        """Return where the value is known and one of ``options``."""
        return _codes_isin(self.codes, self.table, options)


def _codes_isin(codes: _Array, table: TextCodes, options: Iterable[str]) -> _Array:
    wanted = sorted({table.code(o) for o in options} - {-1})
    if not wanted:
        return np.zeros(codes.shape, dtype=np.bool_)
    if len(wanted) <= 4:  # a few integer compares beat np.isin's sort by far
        hit: _Array = np.equal(codes, wanted[0])
        for code in wanted[1:]:
            hit |= codes == code
        return hit
    lut = np.zeros(len(table.labels) + 1, dtype=np.bool_)  # lut[-1] (unknown) stays False
    lut[wanted] = True
    return np.asarray(lut[codes])


# --------------------------------------------------------------------------------------------
# Text columns as codes into a label table


def _label_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_labels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    tuple_of(str)(instance, attribute, value)
    assert isinstance(value, tuple)
    if len(set(value)) != len(value):
        dupes = sorted({label for label in value if value.count(label) > 1})
        fail(instance, attribute, value, f"labels must be distinct; repeated: {dupes!r}")


def _check_codes(instance: TextCodes, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, np.ndarray) or value.dtype.kind != "i" or value.ndim not in (1, 2):
        shown = (
            f"{type(value).__name__} of dtype {value.dtype}"
            if isinstance(value, np.ndarray)
            else type(value).__name__
        )
        fail(
            instance,
            attribute,
            shown,
            "expected a 1-D or 2-D numpy array of signed integer codes (-1 = unknown)",
        )
    if value.size:
        low, high = int(value.min()), int(value.max())
        if low < -1 or high >= len(instance.labels):
            fail(
                instance,
                attribute,
                low if low < -1 else high,
                f"codes must be -1 (unknown) or index one of the {len(instance.labels)} labels",
            )


@attrs.frozen(kw_only=True, eq=False)
class TextCodes:
    """A text column stored as integer codes into a table of labels (a categorical column).

    Text comparisons and ``in`` lists on such a column compile to integer comparisons, with no
    Python work per subject. :func:`frame_from_scores` builds ``rating``, ``grade``,
    ``department`` and ``history.rating`` this way; a frame built by hand may hold text as an
    object array (``None`` = unknown) instead, which is converted once per evaluation.

    Attributes:
        labels: The distinct texts; code ``k`` means ``labels[k]``.
        codes: Signed integer array ``(N,)`` or ``(N, W)``; ``-1`` means unknown.
    """

    labels: tuple[str, ...] = attrs.field(converter=_label_tuple, validator=_check_labels)
    codes: _Array = attrs.field(validator=_check_codes, repr=False)
    _index: Mapping[str, int] = attrs.field(init=False, repr=False)

    @_index.default
    def _label_index(self) -> Mapping[str, int]:
        return {label: k for k, label in enumerate(self.labels)}

    @classmethod
    def from_values(cls, values: Any) -> TextCodes:
        """Encode texts given as an array or nested sequence of ``str`` and ``None``.

        Args:
            values: An object array (``None`` or NaN = unknown), a fixed-width ``'U'`` array
                (``""`` = unknown), or a (nested) sequence of texts and ``None``.

        Returns:
            The codes; labels sorted.

        Raises:
            DataError: A value that is not a text, ``None`` or NaN.
        """
        return _encode("values", values)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the codes: ``(N,)`` or ``(N, W)``."""
        return tuple(self.codes.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions of the codes (1 or 2)."""
        return int(self.codes.ndim)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def code(self, label: str) -> int:
        """Return the code of ``label``, or -1 when no value has that label."""
        return self._index.get(label, -1)

    @property
    def known(self) -> _Array:
        """Return a bool array: True where the text is known."""
        return np.asarray(self.codes >= 0)

    def isin(self, options: Iterable[str]) -> _Array:
        """Return a bool array: True where the text is known and one of ``options``."""
        return _codes_isin(self.codes, self, options)

    def to_numpy(self) -> _Array:
        """Return the values as an object array, ``None`` where unknown."""
        table = np.array([*self.labels, None], dtype=object)
        # -1 picks the trailing None
        return table[np.where(self.codes >= 0, self.codes, len(self.labels))]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> _Array:
        """Return :meth:`to_numpy` (so ``np.asarray(column)`` gives the texts)."""
        out = self.to_numpy()
        return out if dtype is None else out.astype(dtype)

    def tolist(self) -> list[Any]:
        """Return the values as (nested) lists of texts, ``None`` where unknown."""
        result: list[Any] = self.to_numpy().tolist()
        return result

    def __getitem__(self, i: int) -> str | _Array | None:
        """Return subject ``i``'s text (1-D) or its row as an object array (2-D)."""
        if not isinstance(i, int | np.integer):
            raise DataError(f"TextCodes: index {i!r} is not allowed; expected a subject number")
        row = self.codes[int(i)]
        if self.codes.ndim == 1:
            code = int(row)
            return self.labels[code] if code >= 0 else None
        table = np.array([*self.labels, None], dtype=object)
        return table[np.where(row >= 0, row, len(self.labels))]


def _unknown_text(value: object) -> bool:
    # NaN (as pandas writes missing text) is unknown too: it is the one value unequal to itself.
    return value is None or (isinstance(value, float) and math.isnan(value))


def _encode(name: str, raw: Any) -> TextCodes:
    """Encode a text column (object or 'U' array, or nested sequence) as :class:`TextCodes`."""
    data = raw if isinstance(raw, np.ndarray) else np.asarray(raw, dtype=object)
    if data.dtype.kind == "U":
        # C-level unique; "" is unknown in fixed-width arrays, which cannot hold None.
        uniques, inverse = np.unique(data, return_inverse=True)
        labels = [str(u) for u in uniques.tolist()]
        lut = np.arange(len(labels), dtype=np.int32)
        if labels and labels[0] == "":
            lut = lut - 1
            labels = labels[1:]
        codes = lut[inverse.reshape(data.shape)] if lut.size else np.full(data.shape, -1, np.int32)
        return TextCodes(labels=labels, codes=np.asarray(codes, dtype=np.int32))
    if data.dtype.kind != "O":
        raise DataError(
            f"column {name!r}: expected texts (an object array with None for unknown), "
            f"got dtype {data.dtype}",
            column=name,
        )
    flat = data.ravel().tolist()
    try:
        distinct = set(flat)
    except TypeError:  # an unhashable value: certainly not a text
        distinct = {type(next(v for v in flat if not isinstance(v, Hashable)))}
    lookup: dict[object, int] = {}
    texts: list[str] = []
    for value in distinct:
        if _unknown_text(value):
            lookup[value] = -1
        elif isinstance(value, str):
            texts.append(value)
        else:
            raise DataError(
                f"column {name!r}: {value!r} is not allowed; expected texts, None or NaN "
                "for unknown",
                column=name,
            )
    labels = sorted(texts)  # a stable label table whatever the order of the subjects
    lookup.update((label, k) for k, label in enumerate(labels))
    codes = np.fromiter(map(lookup.__getitem__, flat), dtype=np.int32, count=len(flat))
    return TextCodes(labels=labels, codes=codes.reshape(data.shape))


# --------------------------------------------------------------------------------------------
# Frames


def _text_column(name: str, raw: Any) -> _Text:
    table = raw if isinstance(raw, TextCodes) else _encode(name, raw)
    return _Text(table.codes, table)


def _bool_column(name: str, raw: Any) -> tuple[_Array, _Array]:
    data = np.asarray(raw)
    if data.dtype.kind == "b":
        return data, np.ones(data.shape, dtype=bool)
    if data.dtype.kind == "f":
        known = ~np.isnan(data)
        return known & (data != 0), known
    if data.dtype.kind == "O":
        known = ~_equal(data, None)
        return known & _equal(data, True), known
    raise DataError(
        f"column {name!r}: expected booleans (bool, or float/object with NaN/None for unknown), "
        f"got dtype {data.dtype}",
        column=name,
    )


def _number_column(name: str, raw: Any) -> _Array:
    data = np.asarray(raw)
    if data.dtype.kind not in "fiub":
        raise DataError(
            f"column {name!r}: expected numbers (float64, NaN for unknown), got dtype {data.dtype}",
            column=name,
        )
    return np.asarray(data, dtype=np.float64)


def _column(name: str, kind: FieldType, raw: Any) -> tuple[Any, tuple[int, ...]]:
    """Return a frame column as its run-time value, and its shape."""
    if kind.element == FieldType.NUMBER:
        number = _number_column(name, raw)
        return number, number.shape
    if kind.element == FieldType.TEXT:
        text = _text_column(name, raw)
        return text, text.codes.shape
    flags = _bool_column(name, raw)
    return flags, flags[0].shape


def _prepare(frame: Mapping[str, Any], fields: Mapping[str, FieldType]) -> tuple[_Env, int]:
    if not isinstance(frame, Mapping):
        raise DataError(
            f"frame must be a mapping of field names to arrays, got {type(frame).__name__}"
        )
    env: _Env = {}
    size: int | None = None
    widths: dict[str, tuple[int, str]] = {}
    for name, kind in fields.items():
        if name not in frame:
            have = ", ".join(sorted(map(str, frame))[:20])
            raise DataError(
                f"the frame has no column {name!r}, which the condition reads; it has: {have}",
                column=name,
            )
        value, shape = _column(name, kind, frame[name])
        wanted_ndim = 2 if kind.is_vector else 1
        if len(shape) != wanted_ndim:
            raise DataError(
                f"column {name!r}: expected a {wanted_ndim}-D array for a {kind.value} field, "
                f"got shape {shape}",
                column=name,
            )
        if size is None:
            size = shape[0]
        elif shape[0] != size:
            raise DataError(
                f"column {name!r} has {shape[0]} rows but other columns have {size}", column=name
            )
        if kind.is_vector:
            family = name.split(".", 1)[0]
            seen = widths.setdefault(family, (shape[1], name))
            if seen[0] != shape[1]:
                raise DataError(
                    f"column {name!r} has width {shape[1]} but {seen[1]!r} has {seen[0]}; "
                    f"vectors of the {family!r} family must have one width",
                    column=name,
                )
        env[name] = value
    if size is None:
        size = _frame_size(frame)
    return env, size


def _frame_size(frame: Mapping[str, Any]) -> int:
    for value in frame.values():
        shape = np.shape(value)
        if shape:
            return int(shape[0])
    raise DataError("the frame is empty: cannot tell how many subjects to evaluate")


# --------------------------------------------------------------------------------------------
# History and frames from scores


def _check_history(instance: History, _attribute: attrs.Attribute[Any], _value: object) -> None:
    ratings, totals = instance.ratings, instance.totals
    if not isinstance(ratings, np.ndarray) or ratings.ndim != 2 or ratings.dtype.kind not in "OU":
        raise ValidationError(
            "History.ratings: expected a 2-D object array (subjects x cycles) of labels or None",
            field="ratings",
            value=type(ratings).__name__,
        )
    if not isinstance(totals, np.ndarray) or totals.ndim != 2 or totals.dtype != np.float64:
        raise ValidationError(
            "History.totals: expected a 2-D float64 array (subjects x cycles), NaN for none",
            field="totals",
            value=type(totals).__name__,
        )
    if ratings.shape != totals.shape:
        raise ValidationError(
            f"History: ratings shape {ratings.shape} differs from totals shape {totals.shape}",
            field="totals",
            value=totals.shape,
        )


@attrs.frozen(kw_only=True, eq=False)
class History:
    """Previous cycles' results per subject, oldest first (the ``history.*`` fields).

    Attributes:
        ratings: Object array ``(N, H)`` of band labels; None or "" means no result that cycle.
        totals: Float64 array ``(N, H)`` of totals; NaN means none.
    """

    ratings: npt.NDArray[np.object_] = attrs.field(validator=_check_history)
    totals: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.ratings.shape[0])

    @classmethod
    def from_records(
        cls, per_subject: Sequence[Sequence[tuple[str | None, float | None]]]
    ) -> History:
        """Build a history from ``(rating, total)`` pairs per subject, oldest first.

        Subjects with fewer cycles are padded at the old end, so ``history.rating[-1]`` is
        everyone's most recent cycle.

        Args:
            per_subject: One sequence per subject of ``(rating, total)`` pairs; either may be None.

        Returns:
            The history, ``H`` = the longest record.

        Raises:
            ValidationError: A rating that is not a text or None, or a total that is not a
                finite number or None.
        """
        rows = [list(records) for records in per_subject]
        depth = max((len(row) for row in rows), default=0)
        ratings = np.full((len(rows), depth), None, dtype=object)
        totals = np.full((len(rows), depth), np.nan)
        for i, row in enumerate(rows):
            offset = depth - len(row)
            for j, record in enumerate(row):
                if not isinstance(record, tuple | list) or len(record) != 2:
                    raise ValidationError(
                        f"History.from_records[{i}][{j}]: {record!r} is not allowed; "
                        "expected a (rating, total) pair",
                        field="per_subject",
                        value=record,
                    )
                rating, total = record
                if rating is not None and not isinstance(rating, str):
                    raise ValidationError(
                        f"History.from_records[{i}][{j}]: rating {rating!r} is not allowed; "
                        "expected a band label or None",
                        field="rating",
                        value=rating,
                    )
                if total is not None and (
                    isinstance(total, bool)
                    or not isinstance(total, int | float)
                    or not math.isfinite(total)
                ):
                    raise ValidationError(
                        f"History.from_records[{i}][{j}]: total {total!r} is not allowed; "
                        "expected a finite number or None",
                        field="total",
                        value=total,
                    )
                ratings[i, offset + j] = rating or None
                totals[i, offset + j] = math.nan if total is None else float(total)
        return cls(ratings=ratings, totals=totals)


def frame_from_scores(
    batch: BatchScores,
    population: Population | None = None,
    history: History | None = None,
    *,
    ratings: Sequence[str | None] | None = None,
) -> dict[str, _Array | TextCodes]:
    """Build the evaluation frame for a batch of scores.

    Keys are the dotted field names of :meth:`FieldSchema.for_keys`. Subject attributes come
    from ``population`` and previous results from ``history``; without them those fields are
    present but unknown (so conditions on them do not match).

    Args:
        batch: The :class:`~perfmgmt.scoring.card.BatchScores` of the cycle.
        population: The :class:`~perfmgmt.scoring.population.Population` that was scored.
        history: Previous cycles' results, one row per subject in the same order.
        ratings: The final (e.g. calibrated) rating label per subject, None for unrated; the
            ``rating`` field reads these instead of the batch's own ratings.

    Returns:
        Field name -> column; NUMBER columns are float64 with NaN for unknown, TEXT columns
        :class:`TextCodes` (code -1 for unknown; ``np.asarray`` gives the texts). Columns from
        the population and history are cached per object and read-only.

    Raises:
        DataError: If the population, history or ratings do not have one row per subject, or
            a rating is not one of the batch's rating labels.
    """
    subjects = None if population is None else Subjects.of_population(population)
    builders = score_builders(batch, subjects, history, ratings)
    return {name: build() for name, (_kind, build) in builders.items()}


Frame: TypeAlias = Mapping[str, Any]
"""A frame: dotted field name -> column (an array of N values, or :class:`TextCodes`)."""

_Builder: TypeAlias = tuple[FieldType, Callable[[], Any]]


def rating_codes(batch: BatchScores, ratings: Sequence[str | None] | None) -> TextCodes:
    """Return the ``rating`` column: the batch's ratings, or ``ratings`` given per subject.

    Raises:
        DataError: ``ratings`` has another length, or a label the rating scale lacks.
    """
    labels = tuple(batch.rating_labels)
    if ratings is None:
        index = np.asarray(batch.rating_index, dtype=np.int64)
        if index.size and int(index.min()) < -1:
            index = np.maximum(index, -1)  # any negative index means not rated
        # the scores already hold the rating as an index: text tests become integer tests
        return TextCodes(labels=labels, codes=index)
    n = len(batch)
    if isinstance(ratings, str) or len(ratings) != n:
        got = "a text" if isinstance(ratings, str) else f"{len(ratings)} ratings"
        raise DataError(f"ratings: {got} for a batch of {n} subjects; give one label per subject")
    lookup: dict[str | None, int] = {label: k for k, label in enumerate(labels)}
    lookup[None] = -1
    codes = np.empty(n, dtype=np.int64)
    for i, label in enumerate(ratings):
        code = lookup.get(label) if isinstance(label, str | None) else None
        if code is None:
            raise DataError(
                f"ratings[{i}]: {label!r} is not allowed; expected one of {list(labels)} or None",
                column="rating",
            )
        codes[i] = code
    return TextCodes(labels=labels, codes=codes)


def _kpi_builders(batch: BatchScores) -> dict[str, _Builder]:
    """Return the per-KPI columns: values, and the missing/insufficient/gated flags."""
    number, flag = FieldType.NUMBER, FieldType.BOOL

    def floats(values: Any) -> Callable[[], _Array]:
        return lambda: np.asarray(values, dtype=np.float64)

    def flag_of(k: int, bit: int) -> Callable[[], _Array]:
        return lambda: (np.asarray(batch.flags)[:, k] & bit) != 0

    out: dict[str, _Builder] = {}
    for k, key in enumerate(batch.kpi_keys):
        out[f"kpi.{key}.actual"] = (number, floats(batch.actual[:, k]))
        out[f"kpi.{key}.target"] = (number, floats(batch.target[:, k]))
        out[f"kpi.{key}.achievement"] = (number, floats(batch.achievement[:, k]))
        out[f"kpi.{key}.score"] = (number, floats(batch.score[:, k]))
        out[f"kpi.{key}.missing"] = (flag, flag_of(k, _FLAG_MISSING))
        out[f"kpi.{key}.insufficient"] = (flag, flag_of(k, _FLAG_INSUFFICIENT))
        out[f"kpi.{key}.gated"] = (flag, flag_of(k, _FLAG_GATED))
    return out


def score_builders(
    batch: BatchScores,
    subjects: Subjects | None,
    history: History | None,
    ratings: Sequence[str | None] | None = None,
) -> dict[str, _Builder]:
    """Return, per frame column, its type and a function that builds it (the one builder)."""
    n = len(batch)
    if subjects is not None and len(subjects) != n:
        raise DataError(f"the population has {len(subjects)} subjects but the batch has {n}")
    if history is not None and len(history) != n:
        raise DataError(f"the history has {len(history)} subjects but the batch has {n}")
    rating = rating_codes(batch, ratings)
    number, flag, numbers = FieldType.NUMBER, FieldType.BOOL, FieldType.NUMBER_VECTOR

    def floats(values: Any) -> Callable[[], _Array]:
        return lambda: np.asarray(values, dtype=np.float64)

    def bools(values: Any) -> Callable[[], _Array]:
        return lambda: np.asarray(values, dtype=bool)

    out: dict[str, _Builder] = {
        "total": (number, floats(batch.total)),
        "quantitative": (number, floats(batch.quantitative)),
        "qualitative": (number, floats(batch.qualitative)),
        "rated": (flag, bools(batch.rated)),
        "gated": (flag, bools(batch.gated)),
        "eligible_fraction": (number, floats(batch.eligible_fraction)),
        "kpi.actual": (numbers, floats(batch.actual)),
        "kpi.achievement": (numbers, floats(batch.achievement)),
        "kpi.score": (numbers, floats(batch.score)),
        "rating": (FieldType.TEXT, functools.partial(_identity, rating)),
    }
    for c, key in enumerate(batch.category_keys):
        out[f"category.{key}"] = (number, floats(batch.category_score[:, c]))
    out.update(_kpi_builders(batch))
    text = FieldType.TEXT
    if subjects is None:
        unknown = TextCodes(labels=(), codes=np.full(n, -1, dtype=np.int32))
        out["tenure_days"] = (number, lambda: np.full(n, np.nan))
        out["base_pay"] = (number, lambda: np.full(n, np.nan))
        out["grade"] = (text, lambda: unknown)
        out["department"] = (text, lambda: unknown)
    else:
        for name in ("tenure_days", "base_pay", "grade", "department"):
            kind = text if name in {"grade", "department"} else number
            out[name] = (kind, functools.partial(subjects.column, name))
    vector_text = FieldType.TEXT_VECTOR
    if history is None:
        empty = TextCodes(labels=(), codes=np.full((n, 0), -1, dtype=np.int32))
        out["history.rating"] = (vector_text, lambda: empty)
        out["history.total"] = (numbers, lambda: np.full((n, 0), np.nan))
    else:
        out["history.rating"] = (vector_text, functools.partial(_history_codes, history))
        out["history.total"] = (numbers, lambda: history.totals)
    return out


class _LazyFrame(Mapping[str, Any]):
    """A frame whose columns are built on first read: rules read a few of its many columns."""

    def __init__(self, builders: dict[str, _Builder]) -> None:
        self._builders = builders
        self._built: dict[str, Any] = {}
        self.types = {name: kind for name, (kind, _build) in builders.items()}

    def __getitem__(self, name: str) -> Any:
        found = self._built.get(name)
        if found is None:
            found = self._built[name] = self._builders[name][1]()  # KeyError if unknown
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def with_columns(self, columns: Mapping[str, tuple[FieldType, Any]]) -> _LazyFrame:
        """Return a frame with ``columns`` (name -> (type, value)) added or replaced."""
        builders = dict(self._builders)
        for name, (kind, value) in columns.items():
            builders[name] = (kind, functools.partial(_identity, value))
        return _LazyFrame(builders)

    def __len__(self) -> int:
        return len(self._builders)


def _identity(value: Any) -> Any:
    return value


def lazy_frame(
    batch: BatchScores,
    subjects: Subjects | None = None,
    history: History | None = None,
    ratings: Sequence[str | None] | None = None,
) -> _LazyFrame:
    """Return the frame of :func:`frame_from_scores` as a mapping that builds columns on read."""
    return _LazyFrame(score_builders(batch, subjects, history, ratings))


# A population and a history are immutable: their columns are built once, not per evaluation.
_SUBJECTS: weakref.WeakKeyDictionary[Population, Subjects] = weakref.WeakKeyDictionary()
_HISTORY_CODES: weakref.WeakKeyDictionary[History, TextCodes] = weakref.WeakKeyDictionary()


@attrs.frozen(kw_only=True, eq=False)
class Subjects:
    """The people behind N rows: the subject fields of a frame and the base pay.

    One builder for both shapes: :meth:`of_population` for a batch, :meth:`of_subject` for the
    one subject of a score card, so a card and its row of a batch read the same columns.

    Attributes:
        grade: Job grade per subject.
        department: Department per subject.
        tenure_days: float64 ``(N,)`` days from the hire date to the cycle end, NaN unknown.
        base_minor: int64 ``(N,)`` base pay in minor units of ``currency``, -1 unknown.
        base_pay: Returns the exact base pay per subject (None unknown), for the ``base_pay``
            field; only called when a rule reads that field.
        currency: The one currency of the base pays (None when there is no base pay).
    """

    grade: tuple[str | None, ...]
    department: tuple[str | None, ...]
    tenure_days: _Array
    base_minor: _Array
    base_pay: Callable[[], Sequence[Decimal | None]]
    currency: str | None
    _columns: dict[str, Any] = attrs.field(init=False, factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.grade)

    @classmethod
    def of_population(cls, population: Population) -> Subjects:
        """Return the subjects of a population (cached per population)."""
        found = _SUBJECTS.get(population)
        if found is None:
            found = cls(
                grade=tuple(population.grade),
                department=tuple(population.department),
                tenure_days=np.asarray(population.tenure_days, dtype=np.float64),
                base_minor=population.base_pay_minor,
                # a weak reference: the cache must not keep the population alive
                base_pay=functools.partial(_base_pay_of, weakref.ref(population)),
                currency=population.currency,
            )
            _SUBJECTS[population] = found
        return found

    @classmethod
    def of_subject(cls, subject: Subject | None, as_of: dt.date | None = None) -> Subjects:
        """Return one subject as a population of one would hold it (tenure counted to ``as_of``).

        Without a subject every field is unknown.
        """
        if subject is None:
            return cls(
                grade=(None,),
                department=(None,),
                tenure_days=np.array([np.nan]),
                base_minor=np.array([-1], dtype=np.int64),
                base_pay=functools.partial(_identity, (None,)),
                currency=None,
            )
        tenure = math.nan
        if subject.hire_date is not None and as_of is not None:
            tenure = float((as_of - subject.hire_date).days)
        paid = subject.base_pay is not None and subject.currency is not None
        minor = -1
        if subject.base_pay is not None and subject.currency is not None:
            minor = to_minor(subject.base_pay, subject.currency)
        return cls(
            grade=(subject.grade,),
            department=(subject.department,),
            tenure_days=np.array([tenure], dtype=np.float64),
            base_minor=np.array([minor], dtype=np.int64),
            base_pay=functools.partial(_identity, (subject.base_pay,)),
            currency=subject.currency if paid else None,
        )

    def column(self, name: str) -> Any:
        """Return the read-only frame column ``name`` (built once, then shared)."""
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self._build(name)
        return found

    def _build(self, name: str) -> Any:
        if name == "tenure_days":
            values = np.array(self.tenure_days, dtype=np.float64)
        elif name == "base_pay":
            values = np.array(
                [math.nan if pay is None else float(pay) for pay in self.base_pay()],
                dtype=np.float64,
            )
        else:
            texts = self.grade if name == "grade" else self.department
            return _read_only(_encode(name, _object_column(texts)))
        # read-only: the cached arrays are shared by every frame built from these subjects
        values.flags.writeable = False
        return values


def _base_pay_of(population: weakref.ref[Population]) -> tuple[Decimal | None, ...]:
    found = population()
    assert found is not None  # subjects are cached per population and used beside it
    return found.base_pay


def _read_only(codes: TextCodes) -> TextCodes:
    codes.codes.flags.writeable = False  # shared by every frame built from the same object
    return codes


def _history_codes(history: History) -> TextCodes:
    found = _HISTORY_CODES.get(history)
    if found is None:
        found = _read_only(_encode("history.rating", history.ratings))
        _HISTORY_CODES[history] = found
    return found


def _object_column(values: Sequence[str | None]) -> _Array:
    column = np.empty(len(values), dtype=object)
    column[:] = list(values)
    return column
