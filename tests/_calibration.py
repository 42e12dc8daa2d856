"""The small scheme and rating columns the calibration tests share (imported by plain import)."""

from __future__ import annotations

from perfmgmt.calibration import (
    RatingCalibration,
    calibrate_ratings,
)
from perfmgmt.model import (
    KPI,
    AssessmentSource,
    Band,
    Category,
    Indicator,
    Label,
    QualitativeCriterion,
    RatingScale,
    Scale,
    Scheme,
    ScoringSpec,
    SourcePolicy,
)

PEER, MANAGER = AssessmentSource.PEER, AssessmentSource.MANAGER


def calibration_scheme(*, shares: tuple[float, float, float] | None = (0.2, 0.6, 0.2)) -> Scheme:
    """Return a one-KPI scheme with two criteria (1-5 and 0-10) rated by managers and peers."""

    def band(label: str, lo: float, hi: float, share: float | None) -> Band:
        return Band(label=label, lower=lo, upper=hi, guideline_share=share)

    s = shares or (None, None, None)
    return Scheme(
        key="cal",
        version="1",
        label=Label(en="Calibration test"),
        categories=[Category(key="c", label=Label(en="c"), weight=1.0)],
        kpis=[
            KPI(
                indicator=Indicator(key="k", label=Label(en="k")),
                category="c",
                weight=1.0,
                scoring=ScoringSpec(scorer="linear"),
                threshold=0.0,
                target=10.0,
                stretch=20.0,
            )
        ],
        criteria=[
            QualitativeCriterion(key="attitude", label=Label(en="Attitude"), weight=0.5),
            QualitativeCriterion(
                key="teamwork",
                label=Label(en="Teamwork"),
                weight=0.5,
                scale=Scale(low=0.0, high=10.0),
            ),
        ],
        sources=[
            SourcePolicy(source=MANAGER, weight=0.5),
            SourcePolicy(source=PEER, weight=0.5),
        ],
        quantitative_share=0.7,
        rating_scale=RatingScale(
            bands=[band("C", 0, 80, s[0]), band("B", 80, 110, s[1]), band("A", 110, 200, s[2])]
        ),
    )


SCHEME = calibration_scheme()
SCALE = SCHEME.rating_scale  # C [0, 80) 20 %, B [80, 110) 60 %, A [110, 200] 20 %


def rating_columns(
    ratings: dict[str, list[tuple[str, float]]],
    *,
    criterion: str = "attitude",
    source: str = "peer",
) -> dict[str, list[str] | list[float]]:
    """Flatten ``{rater: [(subject, rating), ...]}`` into calibrate_ratings columns."""
    rows = [(s, r, x) for r, items in ratings.items() for s, x in items]
    return {
        "subject": [s for s, _, _ in rows],
        "criterion": [criterion] * len(rows),
        "source": [source] * len(rows),
        "rater": [r for _, r, _ in rows],
        "rating": [x for _, _, x in rows],
    }


def calibrate_columns(
    ratings: dict[str, list[tuple[str, float]]], min_ratings: int = 3, **kw: str
) -> RatingCalibration:
    """Calibrate ``{rater: [(subject, rating), ...]}`` of one criterion and source on SCHEME."""
    cols = rating_columns(ratings, **kw)
    return calibrate_ratings(SCHEME, min_ratings=min_ratings, **cols)
