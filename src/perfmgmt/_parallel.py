"""Run row blocks side by side on a few threads (numpy releases the GIL in its loops).

Shared by the scoring engine and the rule evaluator: both cut N rows into blocks whose
results land in disjoint slices of preallocated arrays, so the order the blocks run in never
changes a number.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import ClassVar, Self, cast

__all__ = ["BlockRunner", "OwnsThreads", "check_workers"]

Bounds = tuple[int, int]
_NEW_LOCK = "<perfmgmt: a new threading.Lock>"


def check_workers(owner: str, workers: object, error: type[Exception] = ValueError) -> int:
    """Return ``workers`` when it is a whole number >= 1.

    Raises:
        Exception: ``error`` (the owner's ``PerfmgmtError``), naming the field and the value.
    """
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise error(f"{owner}.workers: {workers!r} is not allowed; expected a whole number >= 1")
    return workers


class BlockRunner:
    """Run a function on every block: the calling thread and pool threads take turns.

    Each participant takes the next block when it is done with one, so a slow thread does
    not hold the rest back, and the calling thread works too instead of waiting. The pool
    starts on the first call with more than one block and lives until :meth:`close`.

    Args:
        workers: Threads in all, the calling thread included.
        name: Prefix of the pool threads' names.
    """

    def __init__(self, workers: int, name: str) -> None:
        self.workers = workers
        self._name = name
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, fn: Callable[[Bounds], None], bounds: Sequence[Bounds]) -> None:
        """Call ``fn`` on every block of ``bounds``; raise the error of the first failing one.

        After a block fails no further block starts; the blocks already running finish, and
        the error raised is that of the lowest failing block, the one a sequential run would
        have stopped at (blocks start in order).
        """
        helpers = min(self.workers, len(bounds)) - 1
        if helpers < 1:
            for b in bounds:
                fn(b)
            return
        todo = iter(enumerate(bounds))
        lock = threading.Lock()
        failures: list[tuple[int, BaseException]] = []

        def drain() -> None:
            while True:
                with lock:
                    item = None if failures else next(todo, None)
                if item is None:
                    return
                k, b = item
                try:
                    fn(b)
                except BaseException as exc:  # re-raised below, on the calling thread
                    with lock:
                        failures.append((k, exc))

        futures = [self._executor().submit(drain) for _ in range(helpers)]
        try:
            drain()
        finally:
            # the helpers write into the caller's arrays: never return while one still runs
            concurrent.futures.wait(futures)
        if failures:
            raise min(failures, key=lambda f: f[0])[1]

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:  # two first calls from two threads must not start two pools
            if self._pool is None:
                # the calling thread is one of the workers
                self._pool = ThreadPoolExecutor(self.workers - 1, thread_name_prefix=self._name)
            return self._pool

    def close(self) -> None:
        """Stop the pool threads, waiting for running blocks; a later call starts new ones."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the configuration only: a copy starts its own pool when it needs one."""
        return {"workers": self.workers, "name": self._name}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.workers = cast(int, state["workers"])  # as __getstate__ wrote them
        self._name = cast(str, state["name"])
        self._pool = None  # started on the first call that needs it
        self._lock = threading.Lock()


_LOCK = type(threading.Lock())


def _is_new_lock(value: object) -> bool:
    return isinstance(value, str) and value == _NEW_LOCK


class OwnsThreads:
    """``close()``, the ``with`` protocol and pickling for an object that owns a BlockRunner.

    The owner sets ``self._runner`` in its ``__init__``.  A pickled owner (sent to a Dask or
    Spark worker) carries its configuration; its caches start empty, its locks are made anew
    and its threads start on the worker when a call needs them.
    """

    _runner: BlockRunner
    _CACHES: ClassVar[dict[str, Callable[[], object]]] = {}
    """Attributes that only cache work (compiled programs may hold closures): a pickled copy
    starts them empty, from these factories."""

    def __getstate__(self) -> dict[str, object]:
        """Return the configuration: caches left out, each lock replaced by a marker."""
        return {
            k: (_NEW_LOCK if isinstance(v, _LOCK) else v)
            for k, v in self.__dict__.items()
            if k not in self._CACHES
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(
            {k: (threading.Lock() if _is_new_lock(v) else v) for k, v in state.items()}
        )
        self.__dict__.update({k: empty() for k, empty in self._CACHES.items()})

    def close(self) -> None:
        """Stop the worker threads, waiting for running blocks; a later call starts new ones."""
        self._runner.close()

    def __enter__(self) -> Self:
        """Return the object; its worker threads stop when the block ends."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the worker threads (see :meth:`close`)."""
        self.close()
