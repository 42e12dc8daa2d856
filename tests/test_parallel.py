"""Tests for perfmgmt._parallel: blocks on threads, errors as a sequential run."""

from __future__ import annotations

import threading

import pytest

from perfmgmt._parallel import BlockRunner, check_workers


class TestBlockRunner:
    def test_every_block_runs_once(self) -> None:
        """Each block is handed to exactly one participant."""
        seen: list[tuple[int, int]] = []
        lock = threading.Lock()

        def record(b: tuple[int, int]) -> None:
            with lock:
                seen.append(b)

        runner = BlockRunner(3, "t")
        bounds = [(i, i + 1) for i in range(50)]
        runner.run(record, bounds)
        runner.close()
        assert sorted(seen) == bounds

    def test_lowest_failing_block_wins(self) -> None:
        """Two blocks failing side by side raise the earlier block's error."""
        both_running = threading.Barrier(2, timeout=10)

        def fail(b: tuple[int, int]) -> None:
            both_running.wait()  # blocks 0 and 1 are in flight together
            raise ValueError(f"block {b[0]}")

        with pytest.raises(ValueError, match="block 0"):
            BlockRunner(2, "t").run(fail, [(0, 1), (1, 2), (2, 3)])

    def test_no_block_starts_after_a_failure(self) -> None:
        """Once a block has failed, later blocks are not started."""
        started: list[int] = []

        def fail_first(b: tuple[int, int]) -> None:
            started.append(b[0])
            if b[0] == 0:
                raise ValueError("first")

        with pytest.raises(ValueError, match="first"):
            BlockRunner(1, "t").run(fail_first, [(0, 1), (1, 2)])
        assert started == [0]

    @pytest.mark.parametrize("workers", [0, -3, 2.0, False, None])
    def test_check_workers_refuses(self, workers: object) -> None:
        """Worker counts that are not whole numbers >= 1 are refused, naming the owner."""
        with pytest.raises(ValueError, match=r"Owner\.workers: .* whole number >= 1"):
            check_workers("Owner", workers)
