"""Deprecated: calibration moved to :mod:`perfmgmt.calibration`.

``from perfmgmt.scoring.calibration import calibrate_ratings`` still works in this release and
warns with a :class:`DeprecationWarning`; import from :mod:`perfmgmt.calibration` instead.
"""

from __future__ import annotations

from typing import Any

from perfmgmt._deprecated import moved

_FACE = (
    "BandDeviation",
    "CalibrationChange",
    "CalibrationLog",
    "CalibrationReason",
    "GuidedDistribution",
    "RaterAdjustment",
    "RatingCalibration",
    "ReferenceSpread",
    "ReviewCalibration",
    "calibrate_ratings",
    "calibrate_reviews",
    "guide_batch",
    "guide_distribution",
    "target_counts",
)
_MOVED = dict.fromkeys(_FACE, "perfmgmt.calibration") | {"SNAP": "perfmgmt.calibration.raters"}


def __getattr__(name: str) -> Any:
    """Return a name that moved to :mod:`perfmgmt.calibration`, with a warning."""
    return moved(__name__, _MOVED, name)
