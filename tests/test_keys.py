"""Tests for perfmgmt._keys: text keys factorised by hashing, exactly as np.unique."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from perfmgmt import _keys
from perfmgmt.metrics import Tickets

ALPHABETS = {
    "ascii ids": list("abcXYZ0123456789-"),
    "latin-1": list("aeé ÿ\t"),
    "bmp": list("a中文ā "),
    "astral": list("a😀𝄞b"),
    "with nul": ["a", "b", "\x00"],
}


def texts(alphabet: list[str], rows: int, distinct: int, width: int, seed: int) -> Any:
    """Return ``rows`` values drawn from ``distinct`` random strings of up to ``width`` chars."""
    rng = np.random.default_rng(seed)
    pool = [
        "".join(rng.choice(alphabet, size=int(rng.integers(0, width + 1)))) for _ in range(distinct)
    ]
    return np.array(pool, dtype=str)[rng.integers(0, len(pool), rows)]


def reference(text: npt.NDArray[np.str_]) -> tuple[list[str], list[int]]:
    """Sorted distinct values and each row's index among them, in plain Python."""
    values = text.tolist()
    labels = sorted(set(values))
    pos = {v: i for i, v in enumerate(labels)}
    return labels, [pos[v] for v in values]


@pytest.fixture(params=["auto", "arrow", "pandas", "sorting"])
def hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with each hash factoriser (Arrow, pandas, numpy's sort)."""
    name = request.param
    if name == "arrow":
        pytest.importorskip("pyarrow")
    if name == "pandas":
        pd = pytest.importorskip("pandas")

        def by_pandas(key: Any) -> Any:
            codes, uniques = pd.factorize(key)
            return np.asarray(codes, dtype=np.intp), np.asarray(uniques)

        monkeypatch.setattr(_keys, "_hasher", lambda: by_pandas)
    elif name == "sorting":
        monkeypatch.setattr(_keys, "_hasher", lambda: _keys._sorting)
    return str(name)


class TestUniqueText:
    @pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
    @pytest.mark.parametrize("width", [1, 4, 9, 20])
    def test_same_as_sorting_the_strings(self, alphabet: str, width: int, hashing: str) -> None:
        """Labels and codes equal np.unique's and Python's sorted order, whatever the path."""
        del hashing
        text = texts(ALPHABETS[alphabet], 6_000, 300, width, seed=width)
        labels, codes = _keys.unique_text(text)
        want_labels, want_codes = reference(text)
        assert labels.dtype == text.dtype
        assert labels.tolist() == want_labels
        assert codes.dtype == np.intp
        assert codes.tolist() == want_codes
        uniq, inv = np.unique(text, return_inverse=True)
        assert np.array_equal(labels, uniq)
        assert np.array_equal(codes, inv.reshape(-1))

    @pytest.mark.parametrize("dense", [True, False])
    def test_both_routes_agree(self, dense: bool, monkeypatch: pytest.MonkeyPatch) -> None:
        """The counting route and the hashing route give the same codes."""
        if not dense:
            monkeypatch.setattr(_keys, "_dense_key", lambda points: None)
        text = np.array([f"c{i:06d}" for i in range(250)])[np.arange(9_000) * 7 % 250]
        labels, codes = _keys.unique_text(text)
        assert labels.tolist() == sorted(set(text.tolist()))
        assert np.array_equal(labels[codes], text)

    def test_many_distinct_wide_values_hash(self) -> None:
        """Random wide ids (too many digit combinations to count) go the hashing route."""
        rng = np.random.default_rng(7)
        text = np.array([f"{v:032x}" for v in rng.integers(0, 2**62, 5_000)])
        points = np.ascontiguousarray(text).view(np.uint32).reshape(len(text), -1)
        assert _keys._dense_key(points) is None
        labels, codes = _keys.unique_text(text)
        assert (labels.tolist(), codes.tolist()) == reference(text)

    @pytest.mark.parametrize("width", [3, 8, 13])
    def test_bytes_sort_as_np_unique(self, width: int, hashing: str) -> None:
        """Bytes values (high bytes too) get np.unique's labels and codes."""
        del hashing
        rng = np.random.default_rng(width)
        pool = [bytes(rng.choice([0x41, 0x42, 0x7A, 0x80, 0xE4, 0xFF], int(n))) for n in
                rng.integers(1, width + 1, 200)]  # fmt: skip
        text = np.array(pool, dtype=f"S{width}")[rng.integers(0, len(pool), 6_000)]
        labels, codes = _keys.unique_text(text)
        assert labels.dtype == text.dtype
        values = text.tolist()
        assert labels.tolist() == sorted(set(values))
        assert [labels.tolist()[c] for c in codes.tolist()] == values

    def test_small_and_empty_columns(self) -> None:
        """Short and empty columns take np.unique directly."""
        for text in (np.array([], dtype="U3"), np.array(["b", "a", "b"]), np.array([""] * 5)):
            labels, codes = _keys.unique_text(text)
            assert (labels.tolist(), codes.tolist()) == reference(text)


class TestTicketsKeys:
    def test_large_key_columns_keep_their_codes(self) -> None:
        """A large table's key codes index the sorted labels, blanks and spaces as before."""
        rng = np.random.default_rng(3)
        pool = np.array(["m2", "m10", " m1", "m1", "", "  ", "中", "m1 "])
        raw = pool[rng.integers(0, len(pool), 8_000)]
        created = np.full(len(raw), np.datetime64("2024-01-01T00:00:00", "s"))
        t = Tickets.from_arrays(manager=raw, created=created)
        codes, labels = t.codes("manager")
        stripped = [v.strip() for v in raw.tolist()]
        assert labels.tolist() == sorted({v for v in stripped if v})
        want = [labels.tolist().index(v) if v else -1 for v in stripped]
        assert codes.tolist() == want
