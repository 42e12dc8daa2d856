"""Adverse impact (不利影响): do a scheme's outcomes differ between groups of people?

:func:`adverse_impact` takes an outcome per person — a rating at or above a band
(:class:`~perfmgmt.scoring.BatchScores`), a bonus paid, a promotion, a deduction or another
outcome (:class:`~perfmgmt.rules.BatchDecisions`), or a plain boolean array — and a group label
per person that the caller supplies (department, gender, age band, location: the library stores
none of these). Per group it reports:

- the **selection rate** (people with the outcome over people whose outcome is known);
- the **impact ratio** against the reference group, the group with the highest favourable rate,
  and whether it falls below **four-fifths** (0.8). For an unfavourable outcome (a deduction,
  a position adjustment) the ratio compares the shares *spared*, so a group that is deducted
  more often has the lower ratio;
- a test of the group's rate against the reference's: **Fisher's exact test** when any expected
  cell of the 2x2 table is below ``exact_below`` (small groups, rare outcomes), else the pooled
  **two-proportion z test** (the 2x2 chi-square without continuity correction);
- the **difference in mean score** from the reference group with a Welch confidence interval,
  when scores are known.

A **chi-square test** of independence across all groups shown closes the analysis.

**Suppression.** A group with fewer than ``k`` people whose outcome is known is reported as
suppressed: its label only, never its size, rate or scores. Every figure that spans groups
(the totals, the reference, the chi-square) is computed over the groups shown only, so nothing
about a suppressed group can be recovered by subtracting the shown groups from a total.

All counting is done with ``np.unique``/``np.bincount`` over group codes, with no Python loop
over people: a million people in ten groups take a fraction of a second (see
``benchmarks/bench_fairness.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._markdown import md_table_row
from perfmgmt._typing import BoolArray, FloatArray, IntArray, NanFloat
from perfmgmt._validate import check_integer
from perfmgmt._words import ANALYTICS_WORDS
from perfmgmt.analytics import _stats
from perfmgmt.analytics._groups import group_codes
from perfmgmt.errors import ValidationError
from perfmgmt.model.incentive import (
    Bonus,
    Deduction,
    Honour,
    PositionAdjustment,
    Promotion,
    TrainingOpportunity,
)
from perfmgmt.rules import BatchDecisions
from perfmgmt.scoring.card import BatchScores

__all__ = ["FOUR_FIFTHS", "OUTCOMES", "AdverseImpact", "GroupImpact", "ScoreGap", "adverse_impact"]

FOUR_FIFTHS = 0.8
"""The four-fifths rule: an impact ratio below this is evidence of adverse impact."""

OUTCOMES = (
    "rating",
    "bonus",
    "promotion",
    "deduction",
    "training",
    "honour",
    "position_adjustment",
)
"""The outcomes :func:`adverse_impact` reads from scores (``"rating"``) or decisions (the rest)."""

_UNFAVOURABLE = frozenset({"deduction", "position_adjustment"})
_KINDS: dict[str, type] = {
    "promotion": Promotion,
    "training": TrainingOpportunity,
    "honour": Honour,
    "position_adjustment": PositionAdjustment,
    "deduction": Deduction,
}

Lang = Literal["en", "zh"]


def _same_float(a: float, b: float) -> bool:
    """Compare floats so that NaN equals NaN (a result with nothing to compute equals itself)."""
    return a == b or (math.isnan(a) and math.isnan(b))


NAN_EQ = attrs.cmp_using(eq=_same_float)
"""Equality for float fields that may be NaN (typed ``NanFloat``: JSON null on disk)."""


@attrs.frozen(kw_only=True)
class ScoreGap:
    """A group's mean score against the reference group's, with Welch's test.

    Attributes:
        people: People in the group with a score.
        mean: Their mean score.
        difference: ``mean`` minus the reference group's mean.
        low: Lower end of the confidence interval of the difference.
        high: Upper end.
        t: Welch's t statistic (NaN when both groups' scores are all equal).
        df: Welch–Satterthwaite degrees of freedom (NaN likewise).
        p_value: Two-sided p-value (NaN likewise).
    """

    people: int
    mean: float
    difference: float
    low: NanFloat = attrs.field(eq=NAN_EQ)
    high: NanFloat = attrs.field(eq=NAN_EQ)
    t: NanFloat = attrs.field(eq=NAN_EQ)
    df: NanFloat = attrs.field(eq=NAN_EQ)
    p_value: NanFloat = attrs.field(eq=NAN_EQ)


@attrs.frozen(kw_only=True)
class GroupImpact:
    """One group's outcome rate against the reference group.

    A suppressed group carries its label only: every other figure is None.

    Attributes:
        group: The group label, as text.
        suppressed: Fewer than ``k`` people with a known outcome: nothing else is reported.
        people: People in the group whose outcome is known.
        selected: Of them, people with the outcome.
        rate: ``selected / people``.
        impact_ratio: The group's favourable rate over the reference group's (the rate itself
            for a favourable outcome, one minus it for an unfavourable one); None when the
            reference's favourable rate is 0.
        below_four_fifths: ``impact_ratio`` is below :data:`FOUR_FIFTHS`, decided exactly on
            the counts (a ratio of exactly 4/5 is not below).
        test: ``"fisher"`` or ``"z"``; None for the reference group itself.
        z: The z statistic of the two-proportion test (None for Fisher's test).
        p_value: Two-sided p-value of the test against the reference group.
        score: Mean score against the reference group's, when both have at least two scores.
    """

    group: str
    suppressed: bool
    people: int | None = None
    selected: int | None = None
    rate: float | None = None
    impact_ratio: float | None = None
    below_four_fifths: bool | None = None
    test: str | None = None
    z: float | None = None
    p_value: float | None = None
    score: ScoreGap | None = None


@attrs.frozen(kw_only=True)
class AdverseImpact:
    """Selection rates, four-fifths ratios and tests of one outcome across groups.

    Attributes:
        outcome: What was counted: ``"rating"``, ``"bonus"``, ... or the caller's name.
        band: For ``"rating"``, the band at or above which a rating counts.
        favourable: Whether the outcome is wanted (a deduction is not).
        k: Groups with fewer known outcomes than this are suppressed.
        alpha: Significance level; confidence intervals are at ``1 - alpha``.
        exact_below: Fisher's exact test is used when an expected cell is below this.
        reference: The reference group (highest favourable rate among those shown), or None
            when no group is shown.
        groups: One entry per group, sorted by label (categories keep their order).
        people: People with a known outcome in the groups shown.
        selected: Of them, people with the outcome.
        excluded: People whose outcome is unknown (not rated, unknown amount), in any group.
        chi_square: Pearson's chi-square across the groups shown.
        df: Its degrees of freedom (0 with fewer than two groups or one outcome value).
        p_value: Its p-value.
    """

    outcome: str
    band: str | None
    favourable: bool
    k: int
    alpha: float
    exact_below: float
    reference: str | None
    groups: tuple[GroupImpact, ...]
    people: int
    selected: int
    excluded: int
    chi_square: float
    df: int
    p_value: float

    def group(self, label: object) -> GroupImpact:
        """Return the entry of group ``label`` (compared as text).

        Raises:
            ValidationError: When there is no such group.
        """
        for g in self.groups:
            if g.group == str(label):
                return g
        raise ValidationError(
            f"AdverseImpact.group: no group {label!r}; the groups are "
            f"{[g.group for g in self.groups]}",
            field="label",
            value=label,
        )

    @property
    def flagged(self) -> tuple[str, ...]:
        """Groups shown whose impact ratio is below four-fifths."""
        return tuple(g.group for g in self.groups if g.below_four_fifths)

    @property
    def suppressed(self) -> tuple[str, ...]:
        """Groups suppressed for having fewer than ``k`` people."""
        return tuple(g.group for g in self.groups if g.suppressed)

    def to_records(self) -> list[dict[str, object]]:
        """Return one flat dict per group (score figures prefixed ``score_``)."""
        out: list[dict[str, object]] = []
        for g in self.groups:
            row = attrs.asdict(g, recurse=False)
            gap = row.pop("score")
            for f in attrs.fields(ScoreGap):
                row[f"score_{f.name}"] = None if gap is None else getattr(gap, f.name)
            out.append(row)
        return out

    def explain(self, lang: Lang | str = "en") -> str:
        """Render the analysis as Markdown text (``"en"`` or ``"zh"``)."""
        w = _words(lang)
        name = w.get(self.outcome, self.outcome).format(band=self.band)
        kind = w["favourable"] if self.favourable else w["unfavourable"]
        pct = 100.0 * (1.0 - self.alpha)
        lines = [f"## {w['adverse_impact']}: {name} ({kind})", ""]
        if self.reference is not None:
            lines += [f"{w['reference']}: {self.reference}", ""]
        lines.append(
            md_table_row(
                (
                    w["group"],
                    w["people"],
                    w["selected"],
                    w["rate"],
                    w["impact_ratio"],
                    w["test"],
                    w["p"],
                    w["mean_score"],
                    f"{w['difference']} ({pct:g}% {w['ci']})",
                )
            )
        )
        lines.append("|---|---:|---:|---:|---:|---|---:|---:|---|")
        lines += [_group_row(g, w) for g in self.groups if not g.suppressed]
        lines.append("")
        hidden = len(self.suppressed)
        if hidden:
            lines.append(w["suppressed_note"].format(n=hidden, k=self.k))
        if self.excluded:
            lines.append(w["excluded"].format(n=self.excluded))
        flagged = self.flagged
        lines.append(
            f"{w['below']}: {', '.join(flagged)}" if flagged else w["none_below"],
        )
        lines.append(
            f"{w['chi2']}: χ² = {self.chi_square:.3f}, {w['df']} = {self.df}, "
            f"p = {self.p_value:.4g}"
        )
        return "\n".join(lines)


def _words(lang: str) -> dict[str, str]:
    if lang not in ANALYTICS_WORDS:
        raise ValidationError(
            f"lang: {lang!r} is not allowed; expected 'en' or 'zh'", field="lang", value=lang
        )
    return ANALYTICS_WORDS[lang]


def _fmt(value: float | None, spec: str) -> str:
    return "" if value is None or math.isnan(value) else format(value, spec)


def _group_row(g: GroupImpact, w: dict[str, str]) -> str:
    gap = g.score
    diff = ""
    if gap is not None and g.test is not None:
        diff = f"{gap.difference:+.2f} [{_fmt(gap.low, '+.2f')}, {_fmt(gap.high, '+.2f')}]"
    return md_table_row(
        (
            g.group,
            g.people,
            g.selected,
            f"{100.0 * (g.rate or 0.0):.1f}%",
            _fmt(g.impact_ratio, ".3f"),
            "" if g.test is None else w[g.test],
            _fmt(g.p_value, ".4g"),
            "" if gap is None else f"{gap.mean:.2f}",
            diff,
        )
    )


class _Outcome(NamedTuple):
    """What :func:`adverse_impact` counts: who has the outcome, whose outcome is known."""

    name: str
    band: str | None
    favourable: bool
    selected: BoolArray
    known: BoolArray
    scores: FloatArray | None


def _from_scores(scores: BatchScores, outcome: str, band: str | None) -> _Outcome:
    if outcome != "rating":
        raise ValidationError(
            f"adverse_impact: outcome={outcome!r} cannot be read from scores; scores give "
            "outcome='rating' (with band=...); pass the decisions for the others",
            field="outcome",
            value=outcome,
        )
    labels = scores.rating_labels
    if band not in labels:
        raise ValidationError(
            f"adverse_impact: band={band!r} is not a band of the scheme; expected one of "
            f"{list(labels)}",
            field="band",
            value=band,
        )
    idx = np.asarray(scores.rating_index)
    known = np.asarray(scores.rated, dtype=np.bool_)
    return _Outcome("rating", band, True, known & (idx >= labels.index(band)), known, scores.total)


def _from_decisions(decisions: BatchDecisions, outcome: str) -> _Outcome:
    n = len(decisions)
    everyone = np.ones(n, dtype=np.bool_)
    if outcome == "bonus":
        alloc = decisions.allocation
        if alloc is not None:  # what the pool pays (an unknown amount is paid as 0)
            return _Outcome("bonus", None, True, np.asarray(alloc.awarded) > 0, everyone, None)
        return _Outcome(
            "bonus",
            None,
            True,
            _granted(decisions, Bonus, decisions.bonus_minor, decisions.bonus_known),
            everyone,
            None,
        )
    if outcome not in _KINDS:
        raise ValidationError(
            f"adverse_impact: outcome={outcome!r} is not an outcome of decisions; expected one "
            f"of {list(OUTCOMES[1:])}",
            field="outcome",
            value=outcome,
        )
    if outcome == "deduction":
        chosen = _granted(
            decisions, Deduction, decisions.deduction_minor, decisions.deduction_known
        )
    else:
        chosen = decisions.granted(_KINDS[outcome])
    return _Outcome(outcome, None, outcome not in _UNFAVOURABLE, chosen, everyone, None)


def _granted(decisions: BatchDecisions, kind: type, minor: IntArray, known: BoolArray) -> BoolArray:
    """Where a line of ``kind`` applied, unless its total is known to be zero."""
    applied = decisions.granted(kind)
    zero = np.asarray(known, dtype=np.bool_) & (np.asarray(minor) == 0)
    return np.asarray(applied & ~zero, dtype=np.bool_)


def _from_array(
    values: object, outcome: str | None, favourable: bool | None, known: object
) -> _Outcome:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "bi":
        raise ValidationError(
            f"adverse_impact: the outcome has dtype {arr.dtype} and shape {arr.shape}; expected "
            "one bool (or 0/1) per person, or BatchScores or BatchDecisions",
            field="selected",
            value=arr.dtype,
        )
    if arr.dtype.kind == "i" and arr.size and (arr.min() < 0 or arr.max() > 1):
        raise ValidationError(
            "adverse_impact: an integer outcome must be 0 or 1 per person",
            field="selected",
            value=int(arr.min() if arr.min() < 0 else arr.max()),
        )
    mask = (
        np.ones(arr.shape, dtype=np.bool_)
        if known is None
        else _bool_column("known", known, len(arr))
    )
    name = "selected_outcome" if outcome is None else outcome
    fav = name not in _UNFAVOURABLE if favourable is None else favourable
    return _Outcome(name, None, fav, arr.astype(np.bool_), mask, None)


def _bool_column(what: str, value: object, n: int) -> BoolArray:
    arr = np.asarray(value)
    if arr.shape != (n,) or arr.dtype.kind != "b":
        raise ValidationError(
            f"adverse_impact: {what} has dtype {arr.dtype} and shape {arr.shape}; expected "
            f"({n},) bool, one per person",
            field=what,
            value=arr.shape,
        )
    return arr


def _score_column(value: object, n: int) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            "adverse_impact: scores are not numeric; expected one float per person (NaN = none)",
            field="scores",
            value=type(value).__name__,
        ) from None
    if arr.shape != (n,):
        raise ValidationError(
            f"adverse_impact: scores have shape {arr.shape}; expected ({n},), one per person",
            field="scores",
            value=arr.shape,
        )
    if np.isinf(arr).any():
        raise ValidationError(
            "adverse_impact: scores hold an infinite value; expected finite scores (NaN = none)",
            field="scores",
            value=float(arr[np.isinf(arr)][0]),
        )
    return arr


def _check_options(k: object, alpha: object, exact_below: object) -> None:
    check_integer(k, "k", minimum=1)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValidationError(
            f"adverse_impact: alpha={alpha!r} is not allowed; expected a number between 0 and 1",
            field="alpha",
            value=alpha,
        )
    if (
        isinstance(exact_below, bool)
        or not isinstance(exact_below, int | float)
        or not 0 <= exact_below < math.inf
    ):
        raise ValidationError(
            f"adverse_impact: exact_below={exact_below!r} is not allowed; expected a number >= 0",
            field="exact_below",
            value=exact_below,
        )


class _ScoreStats(NamedTuple):
    people: IntArray
    mean: FloatArray
    var: FloatArray


def _score_stats(codes: IntArray, scores: FloatArray, size: int) -> _ScoreStats:
    ok = ~np.isnan(scores)
    c, x = (codes, scores) if ok.all() else (codes[ok], scores[ok])
    count = np.bincount(c, minlength=size).astype(np.int64)
    mean = np.bincount(c, weights=x, minlength=size) / np.maximum(count, 1)
    dev = x - mean[c]
    var = np.bincount(c, weights=dev * dev, minlength=size) / np.maximum(count - 1, 1)
    return _ScoreStats(count, mean, var)


def _compare(
    g: int, ref: int, n: IntArray, x: IntArray, exact_below: float
) -> tuple[str, float | None, float]:
    """Test group ``g``'s rate against the reference's: which test, z, p."""
    a, b = int(x[g]), int(n[g] - x[g])
    c, d = int(x[ref]), int(n[ref] - x[ref])
    total = a + b + c + d
    rows, cols = (a + b, c + d), (a + c, b + d)
    expected = min(r * k for r in rows for k in cols) / total
    if expected < exact_below:
        return "fisher", None, _stats.fisher_exact(a, b, c, d)
    z, p = _stats.two_proportion_z(a, a + b, c, c + d)
    return "z", z, p


def _below(g: int, ref: int, fav: IntArray, people: IntArray) -> bool:
    """``rate_g / rate_ref < 4/5`` decided in integers: a ratio of exactly 0.8 is not below."""
    return 5 * int(fav[g]) * int(people[ref]) < 4 * int(fav[ref]) * int(people[g])


def _gap(g: int, ref: int, stats: _ScoreStats, k: int, alpha: float) -> ScoreGap | None:
    m = stats.people
    if m[g] < max(k, 2) or m[ref] < max(k, 2):
        return None
    if g == ref:
        nan = math.nan
        mean = float(stats.mean[g])
        return ScoreGap(
            people=int(m[g]),
            mean=mean,
            difference=0.0,
            low=nan,
            high=nan,
            t=nan,
            df=nan,
            p_value=nan,
        )
    res = _stats.welch(
        mean1=float(stats.mean[g]),
        var1=float(stats.var[g]),
        n1=int(m[g]),
        mean2=float(stats.mean[ref]),
        var2=float(stats.var[ref]),
        n2=int(m[ref]),
        confidence=1.0 - alpha,
    )
    return ScoreGap(
        people=int(m[g]),
        mean=float(stats.mean[g]),
        difference=res.difference,
        low=res.low,
        high=res.high,
        t=res.t,
        df=res.df,
        p_value=res.p_value,
    )


def _read_outcome(
    source: BatchScores | BatchDecisions | npt.ArrayLike,
    *,
    outcome: str | None,
    band: str | None,
    favourable: bool | None,
    known: npt.ArrayLike | None,
) -> _Outcome:
    if isinstance(source, BatchScores):
        return _from_scores(source, outcome or "rating", band)
    if isinstance(source, BatchDecisions):
        if outcome is None:
            raise ValidationError(
                f"adverse_impact: decisions need outcome=...; expected one of {list(OUTCOMES[1:])}",
                field="outcome",
                value=None,
            )
        return _from_decisions(source, outcome)
    return _from_array(source, outcome, favourable, known)


def adverse_impact(
    source: BatchScores | BatchDecisions | npt.ArrayLike,
    groups: Sequence[object] | npt.ArrayLike,
    *,
    outcome: str | None = None,
    band: str | None = None,
    favourable: bool | None = None,
    known: npt.ArrayLike | None = None,
    scores: npt.ArrayLike | None = None,
    k: int = 5,
    alpha: float = 0.05,
    exact_below: float = 5.0,
) -> AdverseImpact:
    """Compare an outcome's rates across groups: four-fifths ratios, tests, score gaps.

    See the module documentation for the figures, the tests and the suppression rule.

    Args:
        source: :class:`~perfmgmt.scoring.BatchScores` (the outcome is a rating at or above
            ``band``; the totals give the score gaps), :class:`~perfmgmt.rules.BatchDecisions`
            (``outcome`` names which), or one bool per person.
        groups: One label per person (text or numbers; a pandas ``Categorical`` or category
            Series is read by its codes). Missing labels are refused.
        outcome: With decisions: ``"bonus"`` (awarded by the pool when there is one, else
            where a bonus line applied and its total is not known to be zero),
            ``"deduction"`` (likewise), ``"promotion"``, ``"training"``, ``"honour"`` or
            ``"position_adjustment"`` (where a rule or table row granting one fired). With
            scores: ``"rating"`` (the default). With an array: a name for the outcome
            (default ``"selected_outcome"``).
        band: With scores: the band label at or above which a rating counts.
        favourable: With an array: whether the outcome is wanted (default True, False for
            the names ``"deduction"`` and ``"position_adjustment"``).
        known: With an array: bool per person, False where the outcome is unknown.
        scores: Score per person (NaN = none) for the score gaps; defaults to the totals of
            ``BatchScores``.
        k: Suppress groups with fewer than this many people with a known outcome.
        alpha: Significance level; confidence intervals are at ``1 - alpha``.
        exact_below: Use Fisher's exact test when an expected cell of the 2x2 table is below
            this (5 is the usual rule; 0 never, ``1e15`` always).

    Returns:
        The analysis, one :class:`GroupImpact` per group.

    Raises:
        ValidationError: On an outcome the source does not have, an unknown band, arrays of
            the wrong shape or type, a missing group label, or options out of range.
    """
    _check_options(k, alpha, exact_below)
    out = _read_outcome(source, outcome=outcome, band=band, favourable=favourable, known=known)
    n = len(out.selected)
    labels, codes = group_codes(groups, n)
    size = len(labels)
    score_col = out.scores if scores is None else _score_column(scores, n)

    kc = codes[out.known]
    people = np.bincount(kc, minlength=size).astype(np.int64)
    chosen = np.bincount(kc, weights=out.selected[out.known], minlength=size).astype(np.int64)
    shown = people >= k
    fav = chosen if out.favourable else people - chosen
    fav_rate = np.where(shown, fav / np.maximum(people, 1), -1.0)
    ref = int(np.argmax(fav_rate)) if shown.any() else -1
    stats = None if score_col is None else _score_stats(codes, np.asarray(score_col, float), size)
    entries = []
    for g in range(size):
        if not shown[g]:
            entries.append(GroupImpact(group=labels[g], suppressed=True))
            continue
        ratio = None if fav_rate[ref] <= 0 else float(fav_rate[g] / fav_rate[ref])
        test, z, p = (
            (None, None, None) if g == ref else _compare(g, ref, people, chosen, exact_below)
        )
        entries.append(
            GroupImpact(
                group=labels[g],
                suppressed=False,
                people=int(people[g]),
                selected=int(chosen[g]),
                rate=float(chosen[g] / people[g]),
                impact_ratio=ratio,
                below_four_fifths=None if ratio is None else _below(g, ref, fav, people),
                test=test,
                z=z,
                p_value=p,
                score=None if stats is None else _gap(g, ref, stats, k, alpha),
            )
        )
    table = np.stack([chosen[shown], people[shown] - chosen[shown]], axis=1)
    chi2, df, p_all = _stats.chi2_independence(table)
    return AdverseImpact(
        outcome=out.name,
        band=out.band,
        favourable=out.favourable,
        k=k,
        alpha=float(alpha),
        exact_below=float(exact_below),
        reference=labels[ref] if ref >= 0 else None,
        groups=tuple(entries),
        people=int(people[shown].sum()),
        selected=int(chosen[shown].sum()),
        excluded=int(n - out.known.sum()),
        chi_square=chi2,
        df=df,
        p_value=p_all,
    )
