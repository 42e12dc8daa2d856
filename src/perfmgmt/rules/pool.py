"""The bonus pool: proration, per-person caps and exact scaling to a pool.

Amounts are handled in integer minor units (fen, cents) so that budgets are conserved exactly:

1. each award is multiplied by the subject's eligible fraction of the cycle (if the pool says
   ``prorate``), rounding half to even to the minor unit;
2. each award is capped at the pool's ``per_person_cap``;
3. when the capped awards add up to more than the pool, every award is scaled by
   ``pool / total`` and rounded with the largest-remainder method, so the awards add up to the
   pool *exactly* and nobody gets more than before scaling.  Ties in the remainders go to the
   earlier subject, so the result is deterministic.

The scaling factor is kept on the result, for the explanation.  Decimal is used at the API
boundary (:func:`allocate`); the evaluator calls :func:`allocate_minor` on int64 arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs
import numpy as np
import numpy.typing as npt

from perfmgmt._typing import IntArray
from perfmgmt.errors import ValidationError
from perfmgmt.model.incentive import BonusPool
from perfmgmt.model.money import from_minor, to_minor

__all__ = ["PoolAllocation", "allocate", "allocate_minor", "to_minor"]


@attrs.frozen(kw_only=True, eq=False)
class PoolAllocation:
    """The result of applying a pool to requested awards, per subject in minor units.

    Attributes:
        currency: ISO 4217 code of every amount.
        requested: int64 ``(N,)`` awards as the rules gave them.
        prorated: int64 ``(N,)`` after proration by eligible fraction.
        capped: int64 ``(N,)`` after the per-person cap.
        awarded: int64 ``(N,)`` after scaling to the pool; what is paid.
        factor: ``pool / total capped`` when scaling happened, else ``Decimal(1)``.
        scaled: Whether the awards were scaled down to the pool.
        pool: The pool amount, or None.
    """

    currency: str
    requested: IntArray
    prorated: IntArray
    capped: IntArray
    awarded: IntArray
    factor: Decimal
    scaled: bool
    pool: Decimal | None

    @property
    def total(self) -> Decimal:
        """The total awarded, as a Decimal."""
        return from_minor(int(self.awarded.sum()), self.currency)

    def amount(self, i: int) -> Decimal:
        """Return subject ``i``'s award as a Decimal in the currency's minor unit."""
        return from_minor(int(self.awarded[i]), self.currency)

    def amounts(self) -> tuple[Decimal, ...]:
        """Return every subject's award as a Decimal."""
        return tuple(from_minor(int(v), self.currency) for v in self.awarded)


def _largest_remainder(capped: IntArray, pool: int, total: int) -> IntArray:
    """Scale ``capped`` so it sums to ``pool`` exactly (0 <= pool < total)."""
    if int(capped.max(initial=0)) * pool < 2**62:
        product = capped * np.int64(pool)
        floor = product // total
        rem = product % total
    else:  # amounts too large for int64 products: exact Python integers
        pairs = [divmod(int(c) * pool, total) for c in capped]
        floor = np.array([p[0] for p in pairs], dtype=np.int64)
        rem = np.array([p[1] for p in pairs], dtype=object)
    leftover = pool - int(floor.sum())
    if leftover:
        # largest remainder first; ties to the earlier subject (lexsort: last key is primary)
        if rem.dtype == object:
            order = np.array(
                sorted(range(capped.shape[0]), key=lambda i: (-rem[i], i)), dtype=np.int64
            )
        else:
            order = np.lexsort((np.arange(capped.shape[0]), -rem))
        floor[order[:leftover]] += 1
    return floor.astype(np.int64)


def allocate_minor(
    requested: IntArray,
    pool: BonusPool,
    *,
    eligible_fraction: npt.NDArray[np.float64] | None = None,
) -> PoolAllocation:
    """Apply proration, caps and the pool to awards in integer minor units.

    Args:
        requested: int64 ``(N,)`` awards >= 0 in minor units of ``pool.currency``.
        pool: The pool settings.
        eligible_fraction: float ``(N,)`` in [0, 1]; None means 1 for everyone.

    Returns:
        The allocation.

    Raises:
        ValidationError: An award is negative, or a fraction is outside [0, 1].
    """
    requested = np.asarray(requested, dtype=np.int64)
    if requested.size and int(requested.min()) < 0:
        i = int(np.argmin(requested))
        raise ValidationError(
            f"requested[{i}]: {int(requested[i])} minor units is not allowed; awards are >= 0",
            field="requested",
            value=int(requested[i]),
        )
    prorated = requested
    if pool.prorate and eligible_fraction is not None:
        frac = np.asarray(eligible_fraction, dtype=np.float64)
        bad = ~((frac >= 0.0) & (frac <= 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValidationError(
                f"eligible_fraction[{i}]: {float(frac[i])!r} is not allowed; expected a number "
                "between 0 and 1",
                field="eligible_fraction",
                value=float(frac[i]),
            )
        prorated = np.rint(requested * frac).astype(np.int64)
    capped = prorated
    if pool.per_person_cap is not None:
        capped = np.minimum(prorated, to_minor(pool.per_person_cap, pool.currency))
    awarded = capped
    factor = Decimal(1)
    scaled = False
    if pool.amount is not None:
        pool_minor = to_minor(pool.amount, pool.currency)
        total = int(capped.sum())
        if total > pool_minor:
            awarded = _largest_remainder(capped, pool_minor, total)
            factor = Decimal(pool_minor) / Decimal(total)
            scaled = True
    return PoolAllocation(
        currency=pool.currency,
        requested=requested,
        prorated=prorated,
        capped=capped,
        awarded=awarded,
        factor=factor,
        scaled=scaled,
        pool=pool.amount,
    )


def allocate(
    requested: Sequence[Decimal],
    pool: BonusPool,
    *,
    eligible_fraction: Sequence[float] | None = None,
) -> PoolAllocation:
    """Apply proration, per-person caps and the pool to Decimal awards.

    Args:
        requested: One award per subject, as Decimals >= 0 in ``pool.currency``.
        pool: The pool settings.
        eligible_fraction: One fraction in [0, 1] per subject, or None.

    Returns:
        The allocation; ``amount(i)`` / ``amounts()`` give Decimals.

    Raises:
        ValidationError: An award is not a Decimal or negative, or the lengths differ.
    """
    for i, value in enumerate(requested):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValidationError(
                f"requested[{i}]: {value!r} is not allowed; money must be a finite decimal.Decimal",
                field="requested",
                value=value,
            )
    minor = np.array([to_minor(v, pool.currency) for v in requested], dtype=np.int64)
    frac = None
    if eligible_fraction is not None:
        if len(eligible_fraction) != len(requested):
            raise ValidationError(
                f"eligible_fraction: {len(eligible_fraction)} values for {len(requested)} "
                "awards; give one per award",
                field="eligible_fraction",
                value=len(eligible_fraction),
            )
        frac = np.array([float(f) for f in eligible_fraction], dtype=np.float64)
    return allocate_minor(minor, pool, eligible_fraction=frac)
