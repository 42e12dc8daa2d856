"""From metric results to KPI actuals: aligned to the subjects and in each KPI's unit.

Metrics return shares and seconds per group; a scheme's KPIs are stated in the units of their
indicators (percent, minutes).  :func:`actuals_from_metrics` lines each result up with the
subjects being scored, converts it into its KPI's unit, keeps the sample sizes, and refuses a
value outside the unit's valid range, so that CSAT 0.633 can never score as 0.633 %.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from perfmgmt._typing import FloatArray, IntArray
from perfmgmt.errors import DataError
from perfmgmt.metrics.result import MetricResult, _subject_list
from perfmgmt.metrics.units import Unit, convert, parse_unit
from perfmgmt.model import KPI, Scheme

__all__ = ["Actuals", "actuals_from_metrics"]

#: The valid range of a value in each unit: rates cannot exceed the whole, durations, counts
#: and amounts cannot be negative.  (A saving rate may be negative, so rates have no floor.)
_RANGE: dict[Unit, tuple[float, float]] = {
    Unit.SHARE: (-math.inf, 1.0),
    Unit.PERCENT: (-math.inf, 100.0),
    Unit.SECONDS: (0.0, math.inf),
    Unit.MINUTES: (0.0, math.inf),
    Unit.HOURS: (0.0, math.inf),
    Unit.COUNT: (0.0, math.inf),
    Unit.CURRENCY: (0.0, math.inf),
    Unit.POINTS: (-math.inf, math.inf),
}


@dataclass(frozen=True, kw_only=True, eq=False)
class Actuals:
    """KPI actuals per subject, in each KPI's unit, with their sample sizes.

    Pass ``values`` and ``sample_sizes`` to
    :meth:`perfmgmt.scoring.Population.from_arrays` as ``actual`` and ``sample_size``.

    Attributes:
        subject_ids: The subjects, in order.
        values: KPI key to actuals (float, NaN where there is no data), aligned to
            ``subject_ids``, for every KPI of the scheme in its order (a KPI without a
            result has no data).
        sample_sizes: KPI key to sample sizes (0 without data, -1 when not reported).
        units: KPI key to the unit the actuals are in (the KPI's own).
        measured: The KPI keys that came from a result, in the order given.
    """

    subject_ids: tuple[str, ...]
    values: Mapping[str, FloatArray]
    sample_sizes: Mapping[str, IntArray]
    units: Mapping[str, Unit]
    measured: tuple[str, ...] = ()

    def to_records(self) -> list[dict[str, object]]:
        """Return one row per subject: ``subject_id``, each KPI and ``<kpi>:n``.

        These are the columns ``perfmgmt score`` reads; a missing actual is None.
        """
        rows: list[dict[str, object]] = []
        for i, sid in enumerate(self.subject_ids):
            row: dict[str, object] = {"subject_id": sid}
            for key, value in self.values.items():
                v = float(value[i])
                row[key] = None if math.isnan(v) else v
                n = int(self.sample_sizes[key][i])
                row[f"{key}:n"] = None if n < 0 else n
            rows.append(row)
        return rows


def actuals_from_metrics(
    scheme: Scheme,
    results: Mapping[str, MetricResult | Mapping[str, float | int | Decimal]],
    subject_ids: Sequence[str],
    *,
    units: Mapping[str, Unit | str] | None = None,
    absent: Mapping[str, float] | None = None,
) -> Actuals:
    """Align metric results to ``subject_ids`` and convert each into its KPI's unit.

    Example: ``csat(tickets)`` gives shares (0.633); for a KPI whose indicator's unit is
    ``"%"`` the actual becomes 63.3, with the number of rated tickets as its sample size.

    Args:
        scheme: The scheme whose KPIs the results feed.
        results: KPI key to a :class:`MetricResult` (which knows its unit), or to a plain
            mapping of subject id to value (e.g. from a database), taken to be in the KPI's
            unit unless ``units`` says otherwise.
        subject_ids: The subjects, in the order of the population to build.
        units: KPI key to the unit of a plain mapping's values (``"share"`` converts shares
            to a percent KPI; naming the KPI's own unit confirms the values as they are).
        absent: KPI key to the value of a subject that has no group in the result (0.0 for
            counts such as innovation projects: no project delivered); NaN otherwise.

    Returns:
        The actuals, sample sizes and units of every KPI of the scheme; KPIs without a result
        have no data (NaN, sample size 0), which the scheme's missing-data policy handles.

    Raises:
        DataError: On a KPI key the scheme does not have, an indicator unit that is not
            known, units that do not convert, or a value outside its valid range, naming the
            KPI, the subject, the value and the unit.  Plain values that all lie between 0 and 1
            for a percent KPI whose targets are above 1 are refused too: they are shares, the
            classic silent mistake; declare their unit in ``units``.
    """
    if not isinstance(scheme, Scheme):
        raise DataError(f"actuals_from_metrics: scheme must be a Scheme; got {type(scheme)}")
    if not isinstance(results, Mapping):
        raise DataError(
            f"actuals_from_metrics: results must be a mapping of KPI key to MetricResult; got "
            f"{type(results).__name__}"
        )
    ids = _subject_list(subject_ids, "actuals_from_metrics")
    kpis = {k.key: k for k in scheme.kpis}
    units = dict(units or {})
    absent = dict(absent or {})
    values: dict[str, FloatArray] = {}
    sizes: dict[str, IntArray] = {}
    kinds: dict[str, Unit] = {}
    for key, result in results.items():
        kpi = kpis.get(key) if isinstance(key, str) else None
        if kpi is None:
            raise DataError(
                f"actuals_from_metrics: {key!r} is not a KPI of scheme {scheme.key!r}; its KPIs "
                f"are {list(kpis)}",
                column=key if isinstance(key, str) else None,
            )
        target = _kpi_unit(kpi)
        try:
            if isinstance(result, MetricResult):
                value, n = result.aligned(ids, unit=target, absent=absent.get(key, math.nan))
            else:
                value, n = _plain(kpi, target, result, ids, units.get(key))
        except DataError as exc:
            raise DataError(f"KPI {key!r}: {exc}", column=key) from None
        _check_range(kpi, target, value, ids)
        values[key], sizes[key], kinds[key] = value, n, target
    measured = tuple(values)
    for kpi in scheme.kpis:  # no result: no data, which the scheme's missing-data policy handles
        if kpi.key not in values:
            values[kpi.key] = np.full(len(ids), math.nan)
            sizes[kpi.key] = np.zeros(len(ids), dtype=np.int64)
            unit = parse_unit(kpi.indicator.unit)
            if unit is not None:
                kinds[kpi.key] = unit
    order = [k.key for k in scheme.kpis]
    return Actuals(
        subject_ids=tuple(ids),
        values={k: values[k] for k in order},
        sample_sizes={k: sizes[k] for k in order},
        units={k: kinds[k] for k in order if k in kinds},
        measured=measured,
    )


def _kpi_unit(kpi: KPI) -> Unit:
    unit = parse_unit(kpi.indicator.unit)
    if unit is None:
        raise DataError(
            f"KPI {kpi.key!r}: its indicator's unit {kpi.indicator.unit!r} is not one metrics "
            f"can convert into; declare one of {[u.value for u in Unit]} (or '%', 'minutes', "
            "a currency code)",
            column=kpi.key,
        )
    return unit


def _plain(
    kpi: KPI,
    target: Unit,
    given: Mapping[str, float | int | Decimal],
    ids: list[str],
    declared: Unit | str | None,
) -> tuple[FloatArray, IntArray]:
    if not isinstance(given, Mapping):
        raise DataError(
            f"expected a MetricResult or a mapping of subject id to value; got "
            f"{type(given).__name__}"
        )
    value = np.full(len(ids), math.nan)
    n = np.zeros(len(ids), dtype=np.int64)
    for i, sid in enumerate(ids):
        if sid not in given or given[sid] is None:
            continue
        v = given[sid]
        if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
            raise DataError(f"the value for {sid!r} is {v!r}; expected a number")
        try:
            value[i] = float(v)
        except OverflowError:
            value[i] = math.inf
        if not math.isfinite(value[i]):
            raise DataError(f"the value for {sid!r} is {v!r}; expected a finite number")
        n[i] = -1
    source = parse_unit(declared) if declared is not None else target
    if source is None:
        raise DataError(f"unit {declared!r} is not allowed; use one of {[u.value for u in Unit]}")
    if declared is None and target is Unit.PERCENT and _looks_like_shares(kpi, value):
        sample = int(np.flatnonzero(~np.isnan(value))[0])
        raise DataError(
            f"every actual lies between 0 and 1 (e.g. {value[sample]:g} for {ids[sample]!r}) "
            f"but the KPI is in percent with target {kpi.target:g}: these look like shares, "
            f"which would score as {value[sample]:g} %; pass units={{{kpi.key!r}: 'share'}} to "
            f"convert them, or units={{{kpi.key!r}: 'percent'}} if they are percent",
        )
    return convert(value, source, target), n


def _looks_like_shares(kpi: KPI, value: FloatArray) -> bool:
    given = value[~np.isnan(value)]
    marks = [m for m in (kpi.threshold, kpi.target, kpi.stretch) if m is not None]
    return (
        len(given) > 0
        and bool(((given >= 0) & (given <= 1)).all())
        and bool((given < 1).any())
        and kpi.target is not None
        and all(abs(m) > 1 for m in marks)
    )


def _check_range(kpi: KPI, unit: Unit, value: FloatArray, ids: list[str]) -> None:
    low, high = _RANGE[unit]
    with np.errstate(invalid="ignore"):
        bad = (value < low) | (value > high) | np.isinf(value)
        if unit is Unit.COUNT:
            bad |= np.isfinite(value) & (value != np.round(value))
    if bad.any():
        i = int(np.argmax(bad))
        allowed = (
            f"at most {high:g}"
            if low == -math.inf
            else f"at least {low:g}" + (" and whole" if unit is Unit.COUNT else "")
        )
        raise DataError(
            f"KPI {kpi.key!r}: the actual for {ids[i]!r} is {value[i]:g} {unit.value}, outside "
            f"the valid range ({allowed} {unit.value})",
            column=kpi.key,
        )
