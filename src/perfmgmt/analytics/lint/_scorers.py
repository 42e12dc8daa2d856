"""Check that every KPI's scorer resolves through the registry, with "did you mean" for typos."""

from __future__ import annotations

import difflib

from perfmgmt.analytics.lint._findings import LintFinding, Severity
from perfmgmt.errors import PerfmgmtError
from perfmgmt.model.scheme import Scheme
from perfmgmt.scoring import ScorerRegistry


def _suggest(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not close:
        # Case and separators are the commonest slips: "Linear", "target-band".
        folded = {k.lower().replace("-", "_"): k for k in known}
        hit = folded.get(name.lower().replace("-", "_").strip())
        close = [hit] if hit else []
    return repr(close[0]) if close else ""


def _check_scorers(scheme: Scheme, registry: ScorerRegistry) -> list[LintFinding]:
    """Return an error per KPI whose scorer is unknown or refuses its parameters or bounds."""
    out: list[LintFinding] = []
    known = registry.names()
    for i, kpi in enumerate(scheme.kpis):
        loc = f"kpis[{i}] ({kpi.key}).scoring"
        name = kpi.scoring.scorer
        if name not in registry:
            guess = _suggest(name, known)
            hint = f"did you mean {guess}?" if guess else f"the scorers are {list(known)}"
            out.append(
                LintFinding(
                    code="scorer-unknown",
                    severity=Severity.ERROR,
                    location=loc,
                    message=f"KPI {kpi.key!r}: scorer {name!r} is not registered; {hint}",
                    fix=f"use scorer {guess}" if guess else f"use one of {list(known)}",
                )
            )
            continue
        try:
            registry.resolve(kpi.scoring, kpi)
        except PerfmgmtError as exc:
            out.append(
                LintFinding(
                    code="scorer-invalid",
                    severity=Severity.ERROR,
                    location=loc,
                    message=f"scorer {name!r} refuses this KPI: {exc}",
                    fix="fix the scorer's parameters or the KPI's threshold/target/stretch",
                )
            )
    return out
