"""Subject ids kept as the Arrow text column they came in, as a sequence of ``str``.

A population read from an Arrow table holds its ids as that table's column: turning a million
of them into Python strings costs more than scoring them, and a result table written back to
Arrow needs the column, not the strings.  :class:`IdColumn` is a read-only sequence of ``str``
over the column; the tuple of ``str`` is built on first need and kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

__all__ = ["IdColumn", "arrow_distinct", "arrow_ids", "id_tuple"]


class IdColumn(Sequence[str]):
    """Subject ids over an Arrow string column (no nulls, checked by the caller)."""

    __slots__ = ("_array", "_tuple")

    def __init__(self, array: Any) -> None:
        self._array = array
        self._tuple: tuple[str, ...] | None = None

    @property
    def array(self) -> Any:
        """Return the Arrow column."""
        return self._array

    def as_tuple(self) -> tuple[str, ...]:
        """Return the ids as a tuple of ``str`` (built once)."""
        if self._tuple is None:
            self._tuple = tuple(self._array.to_pylist())
        return self._tuple

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if self._tuple is not None:
            return self._tuple[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self._array))
            if step == 1:  # a block of rows: a zero-copy slice of the column
                return IdColumn(self._array.slice(start, max(stop - start, 0)))
            return self.as_tuple()[index]
        if index < 0:
            index += len(self._array)
        if not 0 <= index < len(self._array):
            raise IndexError("subject id index out of range")
        text: str = self._array[index].as_py()
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_tuple())

    def __contains__(self, value: object) -> bool:
        return value in self.as_tuple()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdColumn):
            return self.as_tuple() == other.as_tuple()
        if isinstance(other, tuple | list):
            return self.as_tuple() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __repr__(self) -> str:
        return repr(self.as_tuple())


def id_tuple(ids: Sequence[str]) -> tuple[str, ...]:
    """Return ``ids`` as a tuple of ``str`` (an :class:`IdColumn` builds its tuple once)."""
    if isinstance(ids, IdColumn):
        return ids.as_tuple()
    return ids if isinstance(ids, tuple) else tuple(ids)


def arrow_ids(ids: Sequence[str], pa: Any) -> Any:
    """Return ``ids`` as an Arrow ``string`` array, reusing an :class:`IdColumn`'s column."""
    if isinstance(ids, IdColumn):
        array = ids.array
        return array if array.type == pa.string() else array.cast(pa.string())
    return pa.array(ids if isinstance(ids, list | tuple) else list(ids), type=pa.string())


def arrow_distinct(values: Any) -> bool:
    """Whether an Arrow text column (array or chunked) holds no value twice.

    Ids exported in key order are checked in one pass (each above the one before); others
    are sorted and neighbours compared, in Arrow (cheaper than a set of a million ``str``).
    """
    import pyarrow.compute as pc  # noqa: PLC0415 - only Arrow callers reach here

    n = len(values)
    if n < 2:
        return True
    if pc.all(pc.less(values.slice(0, n - 1), values.slice(1))).as_py():
        return True
    ordered = values.take(pc.sort_indices(values))
    same = pc.equal(ordered.slice(1), ordered.slice(0, n - 1))
    return not pc.any(same).as_py()
