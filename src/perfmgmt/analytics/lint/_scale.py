"""Check of the rating scale: do its bands cover every total the scheme can produce?"""

from __future__ import annotations

from collections.abc import Sequence

from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.model.scheme import Band, Scheme


def _band_reachable(bands: Sequence[Band], i: int, low: float, high: float) -> bool:
    """Return True when band ``i`` ([lower, upper), the top band closed) meets [low, high]."""
    band = bands[i]
    top = i == len(bands) - 1
    return band.lower <= high and (band.upper > low or (top and band.upper >= low))


def _check_scale(scheme: Scheme, low: float, high: float) -> list[LintFinding]:
    out: list[LintFinding] = []
    scale = scheme.rating_scale
    eps = 1e-9
    if scale.low > low + eps:
        out.append(
            LintFinding(
                code="scale-below-range",
                severity=Severity.ERROR,
                location="rating_scale.bands[0]",
                message=f"totals can be as low as {low:g} but the lowest band starts at "
                f"{scale.low:g}: totals in [{low:g}, {scale.low:g}) get no rating",
                fix=f"start the lowest band at {low:g} or below",
            )
        )
    if scale.high < high - eps:
        out.append(
            LintFinding(
                code="scale-above-range",
                severity=Severity.ERROR,
                location=f"rating_scale.bands[{len(scale.bands) - 1}]",
                message=f"totals can reach {high:g} but the top band ends at {scale.high:g}: "
                f"totals in ({scale.high:g}, {high:g}] get no rating",
                fix=f"end the top band at {high:g} or above (or lower the scorers' caps)",
            )
        )
    for i, band in enumerate(scale.bands):
        if not _band_reachable(scale.bands, i, low, high):
            out.append(
                LintFinding(
                    code="band-unreachable",
                    severity=Severity.WARNING,
                    location=f"rating_scale.bands[{i}]",
                    message=f"band {band.label!r} [{band.lower:g}, {band.upper:g}) lies outside "
                    f"the possible totals [{low:g}, {high:g}]: nobody can get it",
                    fix="move the band boundaries into the possible range",
                )
            )
    return out
