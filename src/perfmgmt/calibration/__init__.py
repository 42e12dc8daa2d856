"""Calibration (校准): rater standardisation and guided distribution, with a complete change log.

Two independent steps, each returning its result *and* a :class:`CalibrationLog` that lists
every value it changed (subject, field, before, after, reason); nothing is changed that the log
does not list:

- :mod:`perfmgmt.calibration.raters`: **rater standardisation** (:func:`calibrate_ratings` on
  columns, :func:`calibrate_reviews` on reviews) removes rater leniency and severity from
  qualitative ratings.
- :mod:`perfmgmt.calibration.distribution`: **guided distribution** (:func:`guide_distribution`,
  :func:`guide_batch`) compares the ratings with target shares per band and, when asked,
  enforces them by rank.
- :mod:`perfmgmt.calibration.log`: the change log both return (:class:`CalibrationLog`,
  :class:`CalibrationChange`).

Every name is importable from here.
"""

from __future__ import annotations

from perfmgmt.calibration.distribution import (
    BandDeviation,
    GuidedDistribution,
    guide_batch,
    guide_distribution,
    target_counts,
)
from perfmgmt.calibration.log import CalibrationChange, CalibrationLog, CalibrationReason
from perfmgmt.calibration.raters import (
    RaterAdjustment,
    RatingCalibration,
    ReferenceSpread,
    ReviewCalibration,
    calibrate_ratings,
    calibrate_reviews,
)

__all__ = [
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
]
