"""Tests for the calibration change log and its JSON form (perfmgmt.calibration.log)."""

from __future__ import annotations

import math

import pytest

from _calibration import (
    SCALE,
    calibrate_columns,
)
from perfmgmt.calibration import (
    CalibrationLog,
    guide_distribution,
)
from perfmgmt.errors import SerializationError


class TestLogJson:
    def _log(self) -> CalibrationLog:
        """A log with rater standardisation and guided-distribution changes."""
        cal = calibrate_columns(
            {"r1": [("a", 4.0), ("b", 5.0), ("c", 3.0)], "r2": [("a", 2.0), ("b", 3.0), ("c", 1.0)]}
        )
        g = guide_distribution(
            SCALE,
            subject_ids=["b", "a", "c", "d"],
            total=[100.0, 100.0, 100.0, 90.0],
            quantitative=[50.0, 50.0, 60.0, math.nan],
            enforce=True,
        )
        return cal.log + g.log

    def test_round_trip_is_exact(self) -> None:
        """to_json then from_json gives an equal log: floats, texts and parameter types kept."""
        log = self._log()
        assert len(log) > 0
        assert any(isinstance(c.before, float) for c in log)
        assert any(isinstance(c.before, str) for c in log)
        again = CalibrationLog.from_json(log.to_json())
        assert again == log
        assert [type(v) for c in again for _, v in c.params] == [
            type(v) for c in log for _, v in c.params
        ]

    @pytest.mark.parametrize(
        ("text", "path"),
        [
            ("[", r"^\$: not JSON"),
            ('{"schema_version": 2, "changes": []}', "^schema_version: 2 is not allowed"),
            ('{"schema_version": 1}', r"^\$: keys \['schema_version'\] are not allowed"),
            ('{"schema_version": 1, "changes": {}}', "^changes: {} is not allowed"),
            ('{"schema_version": 1, "changes": [1]}', r"^changes\[0\]: 1 is not allowed"),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": 1, "after": "B", "reason": "guided_distribution", "params": []}]}',
                r"^changes\[0\]\.before: 1 is not allowed; expected a float, a text or null",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": "A", "after": "B", "reason": "luck", "params": []}]}',
                r"^changes\[0\]\.reason: 'luck' is not allowed",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": "A", "after": "B", "reason": "guided_distribution", '
                '"params": [["rank", NaN]]}]}',
                r"^\$: not JSON",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "a", "field": "rating", '
                '"before": "A", "after": "B", "reason": "guided_distribution", '
                '"params": [["rank"]]}]}',
                r"^changes\[0\]\.params\[0\]: \['rank'\] is not allowed",
            ),
            (
                '{"schema_version": 1, "changes": [{"subject_id": "", "field": "rating", '
                '"before": "A", "after": "B", "reason": "guided_distribution", "params": []}]}',
                r"^changes\[0\]: .*subject_id",
            ),
        ],
    )
    def test_bad_json_is_refused_with_its_path(self, text: str, path: str) -> None:
        """Malformed logs raise a SerializationError that starts with the JSON path."""
        with pytest.raises(SerializationError, match=path):
            CalibrationLog.from_json(text)
