"""Subject ids over an Arrow column behave as the tuple of str they stand for."""

from __future__ import annotations

import pickle

import pyarrow as pa
import pytest

from perfmgmt._ids import IdColumn, arrow_ids, id_tuple

IDS = ("m2", "m0", "m1", "m3")


def _column() -> IdColumn:
    return IdColumn(pa.array(list(IDS)))


class TestIdColumn:
    def test_reads_as_its_tuple(self) -> None:
        """Length, items, negative items, iteration, membership and index match the tuple."""
        col = _column()
        assert len(col) == len(IDS)
        assert [col[i] for i in range(-4, 4)] == [IDS[i] for i in range(-4, 4)]
        assert list(col) == list(IDS)
        assert "m1" in col
        assert "zz" not in col
        assert col.index("m1") == IDS.index("m1")
        assert col.count("m0") == 1
        assert id_tuple(col) == IDS

    @pytest.mark.parametrize("index", [4, -5])
    def test_out_of_range_is_an_index_error(self, index: int) -> None:
        """An item past either end raises IndexError, as a tuple does."""
        with pytest.raises(IndexError):
            _column()[index]

    @pytest.mark.parametrize(
        "cut", [slice(1, 3), slice(None, None, 2), slice(3, 1), slice(-2, None)]
    )
    def test_slices_are_the_tuple_slices(self, cut: slice) -> None:
        """A slice holds the ids the tuple's slice holds."""
        assert tuple(_column()[cut]) == IDS[cut]

    def test_equality_and_hash_are_the_tuple_ones(self) -> None:
        """It equals its tuple, list and another column of the same ids, and hashes as the tuple."""
        col = _column()
        assert col == IDS
        assert col == list(IDS)
        assert col == _column()
        assert col != IDS[::-1]
        assert col != "m2m0m1m3"
        assert hash(col) == hash(IDS)
        assert repr(col) == repr(IDS)

    def test_pickles_to_the_same_ids(self) -> None:
        """A pickled column comes back with the same ids (it travels to workers)."""
        assert pickle.loads(pickle.dumps(_column())) == IDS


class TestArrowIds:
    def test_a_column_leaves_as_itself(self) -> None:
        """The Arrow column of an IdColumn is reused, not rebuilt from str."""
        array = pa.array(list(IDS))
        assert arrow_ids(IdColumn(array), pa) is array

    def test_other_sequences_and_large_strings_become_string(self) -> None:
        """A tuple, or a large_string column, leaves as a plain string array of the same ids."""
        big = IdColumn(pa.array(list(IDS), type=pa.large_string()))
        for ids in (IDS, big):
            out = arrow_ids(ids, pa)
            assert out.type == pa.string()
            assert out.to_pylist() == list(IDS)
