"""Tests for perfmgmt.metrics._repeats: repeat contacts from one packed sort of the table."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pytest

from perfmgmt.errors import DataError
from perfmgmt.metrics import Tickets, _repeats, first_contact_resolution
from perfmgmt.metrics._repeats import find_repeats


def brute_force(customer: list[int], created: list[int], window: float) -> list[bool]:
    """Flag each row whose successor in (customer, created, row) order is within the window."""
    rows = sorted(
        (c, t, i) for i, (c, t) in enumerate(zip(customer, created, strict=True)) if c >= 0
    )
    flags = [False] * len(customer)
    for (c, t, i), (c2, t2, _) in itertools.pairwise(rows):
        if c == c2 and t2 - t <= window:
            flags[i] = True
    return flags


def random_case(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Customers (some missing), times with ties, and a window, from a seed."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 600))
    customers = int(rng.integers(1, 3_000))
    span = int(rng.choice([5, 1_000, 10**6, 2**40]))
    customer = rng.integers(-1, customers, n).astype(np.intp)
    created = rng.integers(0, span, n).astype(np.int64) + 1_700_000_000
    return customer, created, float(rng.choice([0, 1, 60, 7 * 86_400]))


class TestFindRepeats:
    @pytest.mark.parametrize("seed", range(40))
    @pytest.mark.parametrize("workers", [1, 2, 3])
    def test_matches_brute_force(self, seed: int, workers: int) -> None:
        """Flags equal a plain sort of (customer, created, row), for any number of workers."""
        customer, created, window = random_case(seed)
        want = brute_force(customer.tolist(), created.tolist(), window)
        got = find_repeats(customer, created, window, workers=workers)
        assert got.tolist() == want

    @pytest.mark.parametrize("seed", range(10))
    def test_wide_keys_take_the_two_key_sort(
        self, seed: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When keys cannot be bucketed, the stable two-key sort gives the same flags."""
        monkeypatch.setattr(_repeats, "_MAX_BUCKET_BITS", -1)
        customer, created, window = random_case(seed)
        want = brute_force(customer.tolist(), created.tolist(), window)
        assert find_repeats(customer, created, window).tolist() == want

    def test_ties_flag_the_earlier_row(self) -> None:
        """Two tickets of one customer in the same second: the earlier row is the repeat."""
        customer = np.array([4, 4, 4], dtype=np.intp)
        created = np.array([100, 100, 10_000], dtype=np.int64)
        assert find_repeats(customer, created, 60.0).tolist() == [True, False, False]


class TestWorkers:
    def table(self) -> Tickets:
        """Tickets of a few managers and many repeat customers."""
        rng = np.random.default_rng(11)
        n = 20_000
        start = np.datetime64("2024-01-01T00:00:00", "s")
        return Tickets.from_arrays(
            manager=np.array(["m1", "m2", "m3"])[rng.integers(0, 3, n)],
            customer=np.array([f"c{i}" for i in range(2_000)])[rng.integers(0, 2_000, n)],
            created=start + rng.integers(0, 90 * 86_400, n).astype("timedelta64[s]"),
            resolved=rng.random(n) < 0.9,
        )

    def test_workers_give_identical_results(self) -> None:
        """First-contact resolution is the same, bit for bit, with 1 or 4 workers."""
        one = first_contact_resolution(self.table(), window=timedelta(days=3))
        four = first_contact_resolution(self.table(), window=timedelta(days=3), workers=4)
        assert one.value.tobytes() == four.value.tobytes()
        assert np.array_equal(one.n, four.n)

    @pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
    def test_bad_workers_refused(self, workers: object) -> None:
        """Workers that are not a whole number >= 1 are refused, naming the field and value."""
        with pytest.raises(DataError, match=r"first_contact_resolution\.workers: .* not allowed"):
            first_contact_resolution(self.table(), workers=workers)  # type: ignore[arg-type]
