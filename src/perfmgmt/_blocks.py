"""Blocks of result memory handed out again once nothing refers to what was written in them.

Shared by the scoring engine's :class:`~perfmgmt.scoring.ScoreBuffers` and the rule
evaluator's :class:`~perfmgmt.rules.DecisionBuffers`: both write a call's result arrays as
views carved from one block (:func:`carve`), and both ask a :class:`ReusedBlocks` for that
block.  Fresh memory costs a page fault per page on first touch, which at millions of rows is a
noticeable share of a run; a block already mapped costs nothing.

The one rule that makes reuse safe: a block is handed out again only when CPython's reference
count of it shows no holder but the pool itself.  Every numpy view of a block keeps a reference
to it (numpy points a view of a view at the array that owns the memory), so a result, or any
array taken out of one, pins its block for as long as it lives.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from perfmgmt._validate import check_integer

__all__ = ["MAX_SLOTS", "Layout", "ReusedBlocks", "carve", "layout_nbytes"]

#: The most blocks one pool keeps (a generator consumer holds one result, the engine writes
#: the next; more only helps callers that keep several results alive at once).
MAX_SLOTS = 64

#: References to a free block: the list of blocks, and the argument of ``sys.getrefcount``.
_FREE_REFS = 2

#: Arrays carved from one block: ``(name, shape, dtype)`` each, 8-byte items first so that
#: every view is aligned.
Layout = Sequence[tuple[str, tuple[int, ...], type[np.generic]]]


def layout_nbytes(layout: Layout) -> int:
    """Return the bytes of the arrays of ``layout`` laid end to end."""
    return sum(math.prod(shape) * np.dtype(dt).itemsize for _, shape, dt in layout)


def carve(buf: npt.NDArray[np.uint8], layout: Layout) -> dict[str, np.ndarray[Any, Any]]:
    """Return the arrays of ``layout`` as views of ``buf``, one after the other.

    ``buf`` needs at least :func:`layout_nbytes` bytes; what the views hold is whatever the
    block held (the caller writes every element).
    """
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    offset = 0
    for name, shape, dt in layout:
        size = math.prod(shape) * np.dtype(dt).itemsize
        arrays[name] = buf[offset : offset + size].view(dt).reshape(shape)
        offset += size
    return arrays


class ReusedBlocks:
    """Keep up to ``slots`` blocks of memory and hand one out once nothing refers to it.

    The public buffers classes derive from this one and add what they know of their results'
    layout (``for_scheme``, ``for_rules``); messages name the derived class.

    Args:
        slots: How many blocks to keep (1 to 64).

    Raises:
        ValidationError: When ``slots`` is not a whole number from 1 to 64.
    """

    def __init__(self, *, slots: int = 2) -> None:
        self.slots = check_integer(slots, f"{type(self).__name__}.slots", 1, MAX_SLOTS)
        self._blocks: list[npt.NDArray[np.uint8]] = []
        self._lock = threading.Lock()
        self.reused = 0
        """Calls served from memory already held (no new pages faulted in)."""
        self.allocated = 0
        """Calls that needed fresh memory (the first ones, a larger batch, or all in use)."""

    def _reserve(self, nbytes: int) -> None:
        """Fill every slot with a block of ``nbytes`` bytes, written once to map its pages."""
        with self._lock:
            while len(self._blocks) < self.slots:
                block = np.empty(nbytes, dtype=np.uint8)
                block.fill(0)  # map the pages now
                self._blocks.append(block)

    @property
    def nbytes(self) -> int:
        """Return the bytes of memory held."""
        return sum(b.nbytes for b in self._blocks)

    def in_use(self) -> int:
        """Return how many blocks hold results that something still refers to."""
        with self._lock:
            return sum(not self._free(i) for i in range(len(self._blocks)))

    def _free(self, i: int) -> bool:
        return sys.getrefcount(self._blocks[i]) <= _FREE_REFS

    def take(self, nbytes: int) -> npt.NDArray[np.uint8]:
        """Return a block of at least ``nbytes`` bytes that no live result refers to.

        The engine calls this; the block's content is arbitrary (every result it carves from
        it is written in full).  A free block large enough is reused; else a free block too
        small is replaced by a larger one, a new slot is filled, or, with every slot in use,
        fresh memory is returned that is not kept.

        Raises:
            ValidationError: When ``nbytes`` is not a whole number >= 0.
        """
        check_integer(nbytes, f"{type(self).__name__}.take: nbytes", 0)
        with self._lock:
            small = -1
            for i in range(len(self._blocks)):
                if not self._free(i):
                    continue
                if self._blocks[i].nbytes >= nbytes:
                    self.reused += 1
                    return self._blocks[i]
                small = i
            self.allocated += 1
            block = np.empty(nbytes, dtype=np.uint8)
            if small >= 0:
                self._blocks[small] = block
            elif len(self._blocks) < self.slots:
                self._blocks.append(block)
            return block

    def clear(self) -> None:
        """Let go of every block (results still held keep their own memory alive)."""
        with self._lock:
            self._blocks.clear()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(slots={self.slots}, held={len(self._blocks)}, "
            f"nbytes={self.nbytes}, reused={self.reused}, allocated={self.allocated})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the configuration only: a copy starts with no memory."""
        return (_new_blocks, (type(self), self.slots))


def _new_blocks(cls: type[ReusedBlocks], slots: int) -> ReusedBlocks:
    return cls(slots=slots)
