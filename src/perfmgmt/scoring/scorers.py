"""Built-in scorers: pure, vectorised maps from actuals to (achievement, score) arrays.

A scorer is called with four float64 arrays of one KPI's column — ``actual``, ``threshold``,
``target``, ``stretch`` (per row, since agreed goals override the scheme defaults) — and
returns ``(achievement, score)`` float64 arrays of the same shape. Scores are on a scale where
100 means "on target"; every scorer states its ``floor`` and ``cap``. The built-in scorers
broadcast, so the engine hands them a plain float for a bound that is the same on every row
(a scheme default); a custom scorer always gets arrays.

Lower-is-better scorers mirror higher-is-better ones exactly: ``linear``, ``banded``,
``binary`` and ``progress`` negate the values and reuse the higher-is-better formula, so
scoring ``a`` against ``(t, g, s)`` with lower-is-better gives bit-for-bit the score of ``-a``
against ``(-t, -g, -s)`` with higher-is-better. ``ratio`` has its own explicit lower-is-better
forms (``target / actual`` or ``2 - actual / target``).

Each factory takes ``direction`` (the engine passes the KPI's indicator direction) and the
parameters of the KPI's :class:`~perfmgmt.model.ScoringSpec`. Invalid parameters raise
:class:`~perfmgmt.errors.ScoringError` naming the parameter; the engine adds the KPI.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Protocol, cast, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import BoolArray, FloatArray, NanFloat
from perfmgmt._validate import check_number, show
from perfmgmt.errors import ScoringError, ValidationError
from perfmgmt.model.indicator import Direction

__all__ = [
    "BandedScorer",
    "BinaryScorer",
    "CheckedScorer",
    "LinearScorer",
    "ProgressScorer",
    "RatioScorer",
    "Scorer",
    "TargetBandScorer",
    "banded",
    "binary",
    "linear",
    "progress",
    "ratio",
    "target_band",
]


@runtime_checkable
class Scorer(Protocol):
    """What the engine needs from a scorer (built-in or custom).

    Attributes:
        floor: The lowest score the scorer can give.
        cap: The highest score the scorer can give.
        requires: Which of ``"threshold"``, ``"target"``, ``"stretch"`` must be set for the
            KPI; the engine refuses a scheme whose KPI lacks one.
    """

    @property
    def floor(self) -> float:
        """The lowest score the scorer gives."""
        ...

    @property
    def cap(self) -> float:
        """The highest score the scorer gives."""
        ...

    @property
    def requires(self) -> tuple[str, ...]:
        """Names of the bounds the scorer needs."""
        ...

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)`` for each row."""
        ...


@runtime_checkable
class CheckedScorer(Scorer, Protocol):
    """A scorer that also validates the per-row bounds it is given."""

    def check(
        self, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[BoolArray, str] | None:
        """Return ``(bad_rows, reason)`` when some rows' bounds cannot be scored, else None."""
        ...


class _WritesInto(Protocol):
    """A built-in scorer that writes its results into given arrays."""

    def _into(
        self,
        actual: FloatArray,
        threshold: FloatArray,
        target: FloatArray,
        stretch: FloatArray,
        out: tuple[FloatArray, FloatArray],
    ) -> None: ...


#: Up to this many edges, band lookups count comparisons instead of searching...
_FEW_EDGES = 8
#: ...unless there are fewer values than this, when one call beats a call per edge.
_FEW_VALUES = 64


def band_index(edges: FloatArray, values: FloatArray) -> npt.NDArray[np.integer[Any]]:
    """Return ``numpy.searchsorted(edges, values, side="right")``, in the narrowest integer dtype.

    NaN has no edge above it and lands last, as in ``searchsorted``.

    With a few edges, counting the edges above each value is branch-free and several times
    faster than a binary search per value (see :func:`_band_codes`); otherwise, or on a few
    values where one call beats a call per edge, ``searchsorted``.
    """
    if not 0 < len(edges) <= _FEW_EDGES or np.size(values) < _FEW_VALUES:
        return edges.searchsorted(values, side="right")
    return _band_codes(edges, values)


def _band_codes(edges: FloatArray, values: FloatArray) -> npt.NDArray[np.uint8]:
    """Return :func:`band_index` as uint8, for at most ``_FEW_EDGES`` edges.

    Counts go up in bytes: bool + intp sums convert every element, bytes add directly.
    """
    edge_list = edges.tolist()
    above: npt.NDArray[np.uint8] = np.less(values, edge_list[0]).view(np.uint8)
    for e in edge_list[1:]:
        above += np.less(values, e).view(np.uint8)
    np.subtract(np.uint8(len(edge_list)), above, out=above)
    return above


def _sign(direction: Direction, name: str) -> float:
    if direction is Direction.TARGET_IS_BEST:
        raise ScoringError(
            f"scorer {name!r}: direction 'target_is_best' is not supported; use the "
            "'target_band' scorer for indicators where the target is best"
        )
    return 1.0 if direction is Direction.HIGHER_IS_BETTER else -1.0


def _num(name: str, param: str, value: object) -> float:
    # The model's one number check: finite, not bool, |x| <= 1e15 (so 10**400 is refused by
    # name instead of overflowing in math.isfinite, and no product of two parameters is inf).
    try:
        return float(check_number(value, f"scorer {name!r}: parameter {param!r}")) + 0.0
    except ValidationError as exc:
        raise ScoringError(str(exc)) from None


def _nums(name: str, param: str, values: object) -> tuple[float, ...]:
    if not isinstance(values, list | tuple):
        raise ScoringError(
            f"scorer {name!r}: parameter {param!r} is {show(values)}; expected a list of numbers"
        )
    return tuple(_num(name, f"{param}[{i}]", v) for i, v in enumerate(values))


def _direction(value: object) -> Direction:
    if isinstance(value, Direction):
        return value
    try:
        return Direction(value)
    except ValueError:
        raise ScoringError(
            f"scorer: direction {show(value)} is not allowed; expected one of "
            f"{[d.value for d in Direction]}"
        ) from None


@attrs.frozen(kw_only=True)
class LinearScorer:
    """Score piecewise-linearly from threshold through target to stretch.

    Floor below the threshold, ``threshold_payout`` at it, 100 at target, rising to ``cap`` at
    the stretch (slope above target times ``accelerator``). Without a stretch the score stays
    100 above target. Achievement is the position on the threshold-to-target line:
    ``(actual - threshold) / (target - threshold)``.

    Attributes:
        sign: +1 for higher-is-better, -1 for lower-is-better (values are negated).
        threshold_payout: Score at the threshold.
        cap: Score at (and beyond) the stretch.
        floor: Score below the threshold.
        accelerator: Multiplier of the slope between target and stretch.
    """

    sign: float
    threshold_payout: float
    cap: float
    floor: float
    accelerator: float
    requires: tuple[str, ...] = ("threshold", "target")

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)``."""
        return _linear(
            (self.sign, self.threshold_payout, self.cap, self.floor, self.accelerator),
            actual,
            threshold,
            target,
            stretch,
        )

    def _into(
        self,
        actual: FloatArray,
        threshold: FloatArray,
        target: FloatArray,
        stretch: FloatArray,
        out: tuple[FloatArray, FloatArray],
    ) -> None:
        """Write ``(achievement, score)`` into ``out`` (see :func:`_score_into`)."""
        params = (self.sign, self.threshold_payout, self.cap, self.floor, self.accelerator)
        _linear(params, actual, threshold, target, stretch, out=out)


def _linear(
    params: tuple[float, float, float, float, float],
    actual: FloatArray,
    threshold: FloatArray,
    target: FloatArray,
    stretch: FloatArray,
    *,
    out: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Apply the :class:`LinearScorer` formulas; with ``out``, write into those two arrays.

    ``params`` is ``(sign, threshold_payout, cap, floor, accelerator)``. The score is built
    without selections (``numpy.where`` costs several arithmetic passes):

    * ``achievement = (x - t) / (g - t)``;
    * ``score = tp + (100 - tp) * clip(achievement, 0, 1)``, plus, where there is a stretch,
      ``min(max(x - g, 0) * accelerator * (cap - 100) / (st - g), cap - 100)``;
    * ``floor`` where ``x < t``.

    These are the piecewise formulas of the class docstring, bit for bit. Below the target
    the second term is ``+0.0`` and the first is the threshold-to-target line. From the
    target up the first term is ``(100 - tp) + tp``, which is exactly 100 for every
    ``0 <= tp <= 100`` (the rounding error of ``100 - tp`` is at most half a unit in the last
    place of 100, so adding ``tp`` back rounds to 100), and ``100 + min(a, cap - 100)`` is
    ``min(100 + a, cap)`` because ``cap - 100`` is exact for ``100 <= cap <= 200`` and adding
    100 back rounds to ``cap`` beyond that. A NaN actual gives NaN in both outputs.
    """
    s, threshold_payout, cap, floor, accelerator = params
    # 1.0 * x is x, so a higher-is-better sign skips the product.
    x = actual if s > 0 else s * actual
    t, g, st = s * threshold, s * target, s * stretch
    ach = np.subtract(x, t, out=None if out is None else out[0])
    ach /= g - t
    score = np.maximum(ach, 0.0, out=None if out is None else out[1])  # clip(ach, 0, 1)
    np.minimum(score, 1.0, out=score)
    score *= 100.0 - threshold_payout
    score += threshold_payout
    # A float stretch (the scheme default broadcast) is one value for every row; s * x
    # of a float or a numpy scalar is never an array.
    scalar_stretch = not isinstance(st, np.ndarray)
    if not (scalar_stretch and math.isnan(st)):
        above = np.subtract(x, g)
        np.maximum(above, 0.0, out=above)
        above *= accelerator * (cap - 100.0)
        above /= st - g
        np.minimum(above, cap - 100.0, out=above)
        if not scalar_stretch:
            np.copyto(above, 0.0, where=np.isnan(st))  # no stretch on a row: 100 from target
        score += above
    np.putmask(score, x < t, floor)
    return ach, score


def linear(
    *,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    threshold_payout: float = 50.0,
    cap: float = 150.0,
    floor: float = 0.0,
    accelerator: float = 1.0,
) -> LinearScorer:
    """Return a linear threshold/target/stretch scorer.

    Args:
        direction: Which way the indicator improves.
        threshold_payout: Score at the threshold (e.g. 50).
        cap: Score at the stretch, never exceeded (e.g. 150).
        floor: Score below the threshold (default 0).
        accelerator: Multiplier of the slope above target (> 0); 2 reaches the cap halfway
            to the stretch.

    Raises:
        ScoringError: When ``floor <= threshold_payout <= 100 <= cap`` does not hold or the
            accelerator is not positive.
    """
    d = _direction(direction)
    tp, cp, fl, acc = (
        _num("linear", "threshold_payout", threshold_payout),
        _num("linear", "cap", cap),
        _num("linear", "floor", floor),
        _num("linear", "accelerator", accelerator),
    )
    if not fl <= tp <= 100.0 <= cp:
        raise ScoringError(
            f"scorer 'linear': parameters floor ({fl:g}), threshold_payout ({tp:g}) and cap "
            f"({cp:g}) must satisfy floor <= threshold_payout <= 100 <= cap"
        )
    if not acc > 0:
        raise ScoringError(
            f"scorer 'linear': parameter 'accelerator' is {acc:g}; expected a number above 0"
        )
    return LinearScorer(
        sign=_sign(d, "linear"), threshold_payout=tp, cap=cp, floor=fl, accelerator=acc
    )


@attrs.frozen(kw_only=True)
class BandedScorer:
    """A step table on the actual: bands ``[edge_i, edge_i+1)`` each with a score.

    ``edges`` are ascending; ``scores`` has one more entry than ``edges`` and is given for the
    bands from the lowest actual up. A value on an edge belongs to the *better* band: the upper
    band when higher is better, the lower band when lower is better (so the two directions
    mirror exactly). Achievement is NaN (a step table has no ratio).

    Attributes:
        sign: +1 or -1.
        edges: Oriented edges (negated and reversed for lower-is-better), ascending.
        scores: Oriented scores, non-decreasing.
    """

    sign: float
    edges: tuple[float, ...]
    scores: tuple[float, ...]
    requires: tuple[str, ...] = ()
    # The tuples as arrays, built once: converting them per call showed on one review.
    _edge_array: FloatArray = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(
            lambda self: np.asarray(self.edges, dtype=np.float64), takes_self=True
        ),
    )
    _score_array: FloatArray = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(
            lambda self: np.asarray(self.scores, dtype=np.float64), takes_self=True
        ),
    )

    @property
    def floor(self) -> float:
        """The lowest band score."""
        return self.scores[0]

    @property
    def cap(self) -> float:
        """The highest band score."""
        return self.scores[-1]

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)``."""
        out = (np.empty(np.shape(actual)), np.empty(np.shape(actual)))
        self._into(actual, threshold, target, stretch, out)
        return out

    def _into(
        self,
        actual: FloatArray,
        threshold: FloatArray,
        target: FloatArray,
        stretch: FloatArray,
        out: tuple[FloatArray, FloatArray],
    ) -> None:
        """Write ``(achievement, score)`` into ``out`` (see :func:`_score_into`)."""
        del threshold, target, stretch  # in the scorer protocol; unused here
        x = actual if self.sign > 0 else self.sign * actual
        self._score_array.take(band_index(self._edge_array, x), out=out[1])
        out[0].fill(np.nan)


def banded(
    *,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    edges: tuple[float, ...] | list[float] = (),
    scores: tuple[float, ...] | list[float] = (),
) -> BandedScorer:
    """Return a step-table scorer.

    Args:
        direction: Which way the indicator improves.
        edges: Band boundaries in the indicator's unit, strictly ascending.
        scores: One score per band from the lowest actual up (``len(edges) + 1`` of them);
            non-decreasing when higher is better, non-increasing when lower is better.

    Raises:
        ScoringError: When the bands do not partition the range or the scores would let a
            better actual score lower.
    """
    d = _direction(direction)
    e = _nums("banded", "edges", edges)
    s = _nums("banded", "scores", scores)
    if not e:
        raise ScoringError("scorer 'banded': parameter 'edges' is empty; give at least one edge")
    if any(b <= a for a, b in itertools.pairwise(e)):
        raise ScoringError(
            f"scorer 'banded': parameter 'edges' {list(e)} must be strictly ascending so the "
            "bands partition the range with no gap or overlap"
        )
    if len(s) != len(e) + 1:
        raise ScoringError(
            f"scorer 'banded': parameter 'scores' has {len(s)} entries for {len(e)} edges; "
            f"expected {len(e) + 1} (one per band)"
        )
    sign = _sign(d, "banded")
    oe, os_ = (e, s) if sign > 0 else (tuple(-v for v in reversed(e)), tuple(reversed(s)))
    if any(b < a for a, b in itertools.pairwise(os_)):
        word = "non-decreasing" if sign > 0 else "non-increasing"
        raise ScoringError(
            f"scorer 'banded': parameter 'scores' {list(s)} must be {word} from the lowest "
            f"actual up for a {d.value.replace('_', '-')} indicator"
        )
    return BandedScorer(sign=sign, edges=oe, scores=os_)


@attrs.frozen(kw_only=True)
class RatioScorer:
    """Score = 100 x achievement, clipped to ``[0, cap]``.

    Achievement is ``actual / target`` (higher is better); for lower-is-better either
    ``target / actual`` (``"inverse"``) or ``2 - actual / target`` (``"complement"``). Rule
    for a zero or negative actual in the inverse form: it is the best possible result and
    scores the cap. Targets must be positive.

    Attributes:
        sign: +1 or -1.
        cap: Highest score.
        lower_form: ``"inverse"`` or ``"complement"``.
    """

    sign: float
    cap: float
    lower_form: str
    floor: float = 0.0
    requires: tuple[str, ...] = ("target",)

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)``."""
        shape = np.broadcast_shapes(np.shape(actual), np.shape(target))
        out = (np.empty(shape), np.empty(shape))
        self._into(actual, threshold, target, stretch, out)
        return out

    def _into(
        self,
        actual: FloatArray,
        threshold: FloatArray,
        target: FloatArray,
        stretch: FloatArray,
        out: tuple[FloatArray, FloatArray],
    ) -> None:
        """Write ``(achievement, score)`` into ``out`` (see :func:`_score_into`)."""
        del threshold, stretch  # in the scorer protocol; unused here
        ach, score = out
        if self.sign > 0:
            np.divide(actual, target, out=ach)
        elif self.lower_form == "inverse":
            ach[...] = np.where(actual > 0, target / np.where(actual > 0, actual, 1.0), np.inf)
        else:
            np.subtract(2.0, actual / target, out=ach)
        np.multiply(ach, 100.0, out=score)
        np.clip(score, 0.0, self.cap, out=score)

    def check(
        self, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[BoolArray, str] | None:
        """Refuse zero or negative targets."""
        del threshold, stretch  # in the scorer protocol; unused here
        bad = ~(target > 0)
        if bad.any():
            return bad, "target must be above 0 for the 'ratio' scorer"
        return None


def ratio(
    *,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    cap: float = 150.0,
    lower_form: str = "inverse",
) -> RatioScorer:
    """Return an achievement-ratio scorer.

    Args:
        direction: Which way the indicator improves.
        cap: Highest score (>= 100).
        lower_form: For lower-is-better indicators, ``"inverse"`` (target / actual) or
            ``"complement"`` (2 - actual / target); chosen explicitly, no default guess
            matters for higher-is-better indicators.

    Raises:
        ScoringError: On a cap below 100 or an unknown ``lower_form``.
    """
    d = _direction(direction)
    cp = _num("ratio", "cap", cap)
    if cp < 100.0:
        raise ScoringError(f"scorer 'ratio': parameter 'cap' is {cp:g}; expected at least 100")
    if lower_form not in ("inverse", "complement"):
        raise ScoringError(
            f"scorer 'ratio': parameter 'lower_form' is {lower_form!r}; expected 'inverse' "
            "(target / actual) or 'complement' (2 - actual / target)"
        )
    return RatioScorer(sign=_sign(d, "ratio"), cap=cp, lower_form=lower_form)


@attrs.frozen(kw_only=True)
class BinaryScorer:
    """Met or not met: ``met`` when the actual reaches the target (inclusive), else ``unmet``.

    Achievement is 1.0 when met, 0.0 when not.

    Attributes:
        sign: +1 or -1.
        met: Score when met.
        unmet: Score when not met.
    """

    sign: float
    met: float
    unmet: float
    requires: tuple[str, ...] = ("target",)

    @property
    def floor(self) -> float:
        """The score when not met."""
        return self.unmet

    @property
    def cap(self) -> float:
        """The score when met."""
        return self.met

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)``."""
        del threshold, stretch  # in the scorer protocol; unused here
        ok = self.sign * actual >= self.sign * target
        return ok.astype(np.float64), np.where(ok, self.met, self.unmet)


def binary(
    *,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    met: float = 100.0,
    unmet: float = 0.0,
) -> BinaryScorer:
    """Return a met/not-met scorer.

    Raises:
        ScoringError: When ``unmet`` is above ``met``.
    """
    d = _direction(direction)
    m, u = _num("binary", "met", met), _num("binary", "unmet", unmet)
    if u > m:
        raise ScoringError(
            f"scorer 'binary': parameter 'unmet' ({u:g}) must not exceed met ({m:g})"
        )
    return BinaryScorer(sign=_sign(d, "binary"), met=m, unmet=u)


@attrs.frozen(kw_only=True)
class TargetBandScorer:
    """Score target-is-best indicators with a tolerance band.

    100 within ``target ± tolerance``, then ``falloff`` points per unit of distance beyond the
    band, never below ``floor``. Achievement is NaN.

    Attributes:
        tolerance: Half-width of the band scoring 100.
        falloff: Points lost per unit beyond the band.
        floor: Lowest score.
    """

    tolerance: float
    falloff: float
    floor: float
    cap: float = 100.0
    requires: tuple[str, ...] = ("target",)

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)``."""
        del threshold, stretch  # in the scorer protocol; unused here
        excess = np.maximum(np.abs(actual - target) - self.tolerance, 0.0)
        score = np.maximum(100.0 - self.falloff * excess, self.floor)
        return np.full(actual.shape, np.nan), score


def target_band(
    *,
    direction: Direction | str = Direction.TARGET_IS_BEST,
    tolerance: float = 0.0,
    falloff: float = 10.0,
    floor: float = 0.0,
) -> TargetBandScorer:
    """Return a target-is-best scorer with a tolerance band.

    Raises:
        ScoringError: For a direction other than target-is-best, a negative tolerance, a
            non-positive falloff or a floor above 100.
    """
    d = _direction(direction)
    if d is not Direction.TARGET_IS_BEST:
        raise ScoringError(
            f"scorer 'target_band': direction {d.value!r} is not supported; the scorer is for "
            "target-is-best indicators"
        )
    tol, fo, fl = (
        _num("target_band", "tolerance", tolerance),
        _num("target_band", "falloff", falloff),
        _num("target_band", "floor", floor),
    )
    if tol < 0:
        raise ScoringError(
            f"scorer 'target_band': parameter 'tolerance' is {tol:g}; expected 0 or more"
        )
    if not fo > 0:
        raise ScoringError(
            f"scorer 'target_band': parameter 'falloff' is {fo:g}; expected a number above 0"
        )
    if fl > 100:
        raise ScoringError(f"scorer 'target_band': parameter 'floor' is {fl:g}; expected <= 100")
    return TargetBandScorer(tolerance=tol, falloff=fo, floor=fl)


@attrs.frozen(kw_only=True)
class ProgressScorer:
    """OKR-style progress from a baseline: ``(actual - start) / (target - start)``.

    The start is the ``baseline`` parameter, or the row's threshold when there is none. Score
    is ``100 x progress`` clipped to ``[0, cap]``.

    Attributes:
        sign: +1 or -1.
        cap: Highest score.
        baseline: Fixed start, or NaN to use the threshold.
    """

    sign: float
    cap: float
    baseline: NanFloat
    floor: float = 0.0

    @property
    def requires(self) -> tuple[str, ...]:
        """The target, and the threshold when there is no fixed baseline."""
        return ("target",) if not math.isnan(self.baseline) else ("threshold", "target")

    def _start(self, threshold: FloatArray) -> FloatArray:
        if math.isnan(self.baseline):
            return threshold
        return np.full(np.shape(threshold), self.baseline)

    def __call__(
        self, actual: FloatArray, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return ``(achievement, score)``."""
        del stretch  # in the scorer protocol; unused here
        s = self.sign
        start = s * self._start(threshold)
        ach = (s * actual - start) / (s * target - start)
        return ach, np.clip(100.0 * ach, 0.0, self.cap)

    def check(
        self, threshold: FloatArray, target: FloatArray, stretch: FloatArray
    ) -> tuple[BoolArray, str] | None:
        """Refuse a target that is not beyond the start in the better direction."""
        del stretch  # in the scorer protocol; unused here
        start = self._start(threshold)
        bad = ~(self.sign * (target - start) > 0)
        if bad.any():
            return bad, "target must be beyond the baseline in the better direction for 'progress'"
        return None


def progress(
    *,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    cap: float = 100.0,
    baseline: float | None = None,
) -> ProgressScorer:
    """Return an OKR-style progress scorer.

    Args:
        direction: Which way the indicator improves.
        cap: Highest score (>= 100).
        baseline: Fixed start value; without it the row's threshold is the start.

    Raises:
        ScoringError: On a cap below 100.
    """
    d = _direction(direction)
    cp = _num("progress", "cap", cap)
    if cp < 100.0:
        raise ScoringError(f"scorer 'progress': parameter 'cap' is {cp:g}; expected at least 100")
    base = math.nan if baseline is None else _num("progress", "baseline", baseline)
    return ProgressScorer(sign=_sign(d, "progress"), cap=cp, baseline=base)


def _score_into(
    scorer: Scorer,
    actual: FloatArray,
    threshold: FloatArray,
    target: FloatArray,
    stretch: FloatArray,
    *,
    out: tuple[FloatArray, FloatArray],
) -> None:
    """Score into ``out``, ``(achievement, score)`` arrays of the actuals' shape.

    The linear, banded and ratio scorers write their results straight into ``out`` (the
    engine's result rows), which saves a copy of each per KPI and block; every other scorer
    is called and its results copied. The numbers are those of ``scorer(...)``, bit for bit.
    """
    if type(scorer) in _WRITES_INTO:
        cast("_WritesInto", scorer)._into(actual, threshold, target, stretch, out)
    else:
        out[0][...], out[1][...] = scorer(actual, threshold, target, stretch)


#: The built-in scorer classes. They broadcast, so the engine may pass them scalar bounds.
BUILTIN_SCORERS: frozenset[type] = frozenset(
    {BandedScorer, BinaryScorer, LinearScorer, ProgressScorer, RatioScorer, TargetBandScorer}
)
#: The built-in scorers that write their results into given arrays: those with an ``_into``.
_WRITES_INTO: frozenset[type] = frozenset(c for c in BUILTIN_SCORERS if hasattr(c, "_into"))
