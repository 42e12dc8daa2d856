"""The scorer registry: scorer names (as used in ``ScoringSpec.scorer``) mapped to factories.

A factory is called with the KPI's direction and the spec's parameters as keywords, and
returns a :class:`~perfmgmt.scoring.scorers.Scorer`::

    registry = default_registry.copy()      # prefer your own registry when you customise

    @registry.register("capped_ratio")
    def capped_ratio(*, direction, cap=120.0):
        return ratio(direction=direction, cap=cap)

``default_registry`` holds the built-ins. Plug-ins published under the entry-point group
``perfmgmt.scorers`` are loaded only when :func:`load_entry_points` is called.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import math
import threading
from collections.abc import Callable
from typing import Any, overload

import numpy as np

from perfmgmt.errors import PerfmgmtError, RegistryError, ScoringError
from perfmgmt.model.kpi import KPI, ScoringSpec
from perfmgmt.scoring import scorers as _builtin
from perfmgmt.scoring.scorers import CheckedScorer, Scorer

__all__ = ["ScorerFactory", "ScorerRegistry", "default_registry", "load_entry_points"]

ScorerFactory = Callable[..., Scorer]
"""A callable taking ``direction=`` and the spec's parameters as keywords, returning a scorer."""


class ScorerRegistry:
    """Map scorer names to factories; refuse duplicates; resolve a KPI's scoring spec.

    Registration is thread-safe. Names are case-sensitive.
    """

    def __init__(self) -> None:
        self._factories: dict[str, ScorerFactory] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ScorerRegistry({list(self.names())})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle the default registry as a reference to the receiving process's own.

        The receiving process's default registry holds the scorers its imports registered;
        any other registry is pickled with its factories.
        """
        if self is default_registry:
            return (_the_default, ())
        return (_rebuilt, (dict(self._factories),))

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    @overload
    def register(self, name: str) -> Callable[[ScorerFactory], ScorerFactory]: ...

    @overload
    def register(self, name: str, factory: ScorerFactory) -> ScorerFactory: ...

    def register(
        self, name: str, factory: ScorerFactory | None = None
    ) -> ScorerFactory | Callable[[ScorerFactory], ScorerFactory]:
        """Register ``factory`` under ``name``; without a factory, return a decorator.

        Raises:
            RegistryError: When ``name`` is empty, not a string, already registered, or the
                factory is not callable.
        """
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(
                f"ScorerRegistry.register: name {name!r} must be a non-empty string"
            )

        def add(f: ScorerFactory) -> ScorerFactory:
            if not callable(f):
                raise RegistryError(
                    f"ScorerRegistry.register({name!r}): {f!r} is not callable; register a "
                    "factory returning a scorer"
                )
            with self._lock:
                if name in self._factories:
                    raise RegistryError(
                        f"ScorerRegistry.register: scorer {name!r} is already registered; "
                        "choose another name, or register into a copy of the registry"
                    )
                self._factories[name] = f
            return f

        return add if factory is None else add(factory)

    def names(self) -> tuple[str, ...]:
        """Return the registered names, sorted."""
        with self._lock:
            return tuple(sorted(self._factories))

    def get(self, name: str) -> ScorerFactory:
        """Return the factory registered as ``name``.

        Raises:
            RegistryError: When no scorer has that name.
        """
        try:
            return self._factories[name]
        except KeyError:
            raise RegistryError(
                f"ScorerRegistry: no scorer {name!r}; the registered scorers are "
                f"{list(self.names())}"
            ) from None

    def copy(self) -> ScorerRegistry:
        """Return an independent registry with the same entries."""
        new = ScorerRegistry()
        with self._lock:
            new._factories = dict(self._factories)
        return new

    def resolve(self, spec: ScoringSpec, kpi: KPI) -> Scorer:
        """Build the scorer of ``kpi`` from ``spec`` and validate it against the KPI's defaults.

        Raises:
            RegistryError: When the scorer name is not registered.
            ScoringError: When a parameter is unknown or invalid, the factory does not return
                a scorer, or the KPI lacks a bound the scorer requires; the message names the
                KPI and the parameter.
        """
        factory = self.get(spec.scorer)
        params: dict[str, Any] = spec.as_dict()
        where = f"KPI {kpi.key!r}"
        if "direction" in params:
            raise ScoringError(
                f"{where}: scorer parameter 'direction' is not allowed; the direction comes "
                "from the KPI's indicator"
            )
        params["direction"] = kpi.indicator.direction
        try:
            inspect.signature(factory).bind(**params)
        except TypeError as exc:
            raise ScoringError(
                f"{where}: scorer {spec.scorer!r} does not accept parameters "
                f"{sorted(spec.as_dict())}: {exc}"
            ) from None
        except ValueError:  # signature not introspectable (builtins): let the call decide
            pass
        try:
            scorer = factory(**params)
        except PerfmgmtError as exc:
            raise ScoringError(f"{where}: {exc}") from exc
        if not isinstance(scorer, Scorer):
            raise ScoringError(
                f"{where}: scorer {spec.scorer!r} returned {type(scorer).__name__}, which lacks "
                "floor, cap, requires or __call__"
            )
        bounds = {"threshold": kpi.threshold, "target": kpi.target, "stretch": kpi.stretch}
        for need in scorer.requires:
            if bounds.get(need) is None:
                raise ScoringError(
                    f"{where}: scorer {spec.scorer!r} needs a default {need}; set KPI.{need}"
                )
        if isinstance(scorer, CheckedScorer):
            arr = {n: np.array([math.nan if v is None else v]) for n, v in bounds.items()}
            with np.errstate(all="ignore"):
                bad = scorer.check(arr["threshold"], arr["target"], arr["stretch"])
            if bad is not None:
                raise ScoringError(f"{where}: default bounds {bounds} refused: {bad[1]}")
        return scorer


def load_entry_points(registry: ScorerRegistry, group: str = "perfmgmt.scorers") -> tuple[str, ...]:
    """Register the scorer factories published under entry-point ``group`` into ``registry``.

    Nothing is loaded on import; call this explicitly. Returns the names registered.

    Raises:
        RegistryError: When a plug-in cannot be loaded or its name is already registered.
    """
    added: list[str] = []
    for ep in importlib.metadata.entry_points(group=group):
        try:
            factory = ep.load()
        except Exception as exc:  # a broken plug-in must not look like a missing one
            raise RegistryError(
                f"load_entry_points: plug-in {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from exc
        registry.register(ep.name, factory)
        added.append(ep.name)
    return tuple(added)


def _default() -> ScorerRegistry:
    reg = ScorerRegistry()
    reg.register("linear", _builtin.linear)
    reg.register("banded", _builtin.banded)
    reg.register("ratio", _builtin.ratio)
    reg.register("binary", _builtin.binary)
    reg.register("target_band", _builtin.target_band)
    reg.register("progress", _builtin.progress)
    return reg


default_registry: ScorerRegistry = _default()


def _the_default() -> ScorerRegistry:
    return default_registry


def _rebuilt(factories: dict[str, ScorerFactory]) -> ScorerRegistry:
    registry = ScorerRegistry()
    for name, factory in factories.items():
        registry.register(name, factory)
    return registry


"""The registry holding the built-in scorers. Prefer ``default_registry.copy()`` when you add
your own scorers, so other code in the process is unaffected."""
