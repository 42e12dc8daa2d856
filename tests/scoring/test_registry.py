"""Tests for perfmgmt.scoring.registry: registration, resolution, entry points."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from perfmgmt.errors import RegistryError, ScoringError
from perfmgmt.model import KPI, Direction, Indicator, Label, ScoringSpec
from perfmgmt.scoring import registry as registry_module
from perfmgmt.scoring.registry import ScorerRegistry, default_registry, load_entry_points
from perfmgmt.scoring.scorers import LinearScorer, Scorer, ratio


def _kpi(scorer: str, params: dict[str, Any] | None = None, **bounds: float | None) -> KPI:
    return KPI(
        indicator=Indicator(key="x", label=Label(en="X")),
        category="c",
        weight=1.0,
        scoring=ScoringSpec(scorer=scorer, params=params or {}),
        **bounds,  # type: ignore[arg-type]
    )


class TestRegister:
    def test_builtins_in_default(self) -> None:
        """The default registry holds the six built-ins, sorted."""
        assert default_registry.names() == (
            "banded",
            "binary",
            "linear",
            "progress",
            "ratio",
            "target_band",
        )

    def test_decorator_and_duplicate(self) -> None:
        """Registering works as a decorator and refuses a second scorer of the same name."""
        reg = ScorerRegistry()

        @reg.register("double")
        def double(*, direction: Direction) -> Scorer:
            return ratio(direction=direction, cap=200)

        assert reg.get("double") is double
        assert "double" in reg
        with pytest.raises(RegistryError, match="already registered"):
            reg.register("double", double)

    def test_copy_is_independent(self) -> None:
        """Registering into a copy leaves the original unchanged."""
        reg = default_registry.copy()
        reg.register("mine", ratio)
        assert "mine" in reg
        assert "mine" not in default_registry

    def test_unknown_name(self) -> None:
        """An unknown name raises RegistryError listing the known names."""
        with pytest.raises(RegistryError, match="linear"):
            default_registry.get("nope")

    @pytest.mark.parametrize("bad", ["", "  ", 3])
    def test_bad_names(self, bad: object) -> None:
        """Empty or non-string names are refused."""
        with pytest.raises(RegistryError, match="name"):
            ScorerRegistry().register(bad, ratio)  # type: ignore[call-overload]

    def test_not_callable(self) -> None:
        """A non-callable factory is refused."""
        with pytest.raises(RegistryError, match="not callable"):
            ScorerRegistry().register("x", 3)  # type: ignore[call-overload]

    def test_thread_safe_registration(self) -> None:
        """Concurrent registration of one name lets exactly one thread win."""
        reg = ScorerRegistry()
        wins: list[int] = []
        barrier = threading.Barrier(8)

        def worker(i: int) -> None:
            barrier.wait()
            try:
                reg.register("same", ratio)
                wins.append(i)
            except RegistryError:
                pass

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(wins) == 1


class TestResolve:
    def test_resolves_with_direction(self) -> None:
        """Resolution passes the indicator's direction and the spec's parameters."""
        sc = default_registry.resolve(
            ScoringSpec(scorer="linear", params={"cap": 120}),
            _kpi("linear", threshold=1, target=2),
        )
        assert isinstance(sc, LinearScorer)
        assert (sc.sign, sc.cap) == (1.0, 120.0)

    def test_unknown_parameter(self) -> None:
        """A parameter the factory does not take is a ScoringError naming the KPI."""
        kpi = _kpi("linear", {"colour": "red"}, threshold=1, target=2)
        with pytest.raises(ScoringError, match=r"KPI 'x'.*colour"):
            default_registry.resolve(kpi.scoring, kpi)

    def test_invalid_parameter_names_kpi(self) -> None:
        """A refused parameter value is reported with the KPI key and parameter."""
        kpi = _kpi("linear", {"cap": 50}, threshold=1, target=2)
        with pytest.raises(ScoringError, match=r"KPI 'x'.*cap"):
            default_registry.resolve(kpi.scoring, kpi)

    def test_missing_required_bound(self) -> None:
        """A scorer needing a target refuses a KPI without one."""
        kpi = _kpi("ratio")
        with pytest.raises(ScoringError, match="needs a default target"):
            default_registry.resolve(kpi.scoring, kpi)

    @pytest.mark.parametrize("target", [0.0, -5.0])
    def test_ratio_zero_or_negative_target(self, target: float) -> None:
        """A ratio KPI with a zero or negative target is refused at resolution."""
        kpi = _kpi("ratio", target=target)
        with pytest.raises(ScoringError, match="above 0"):
            default_registry.resolve(kpi.scoring, kpi)

    def test_direction_parameter_refused(self) -> None:
        """The direction comes from the indicator, not the parameters."""
        kpi = _kpi("ratio", {"direction": "lower_is_better"}, target=1)
        with pytest.raises(ScoringError, match="direction"):
            default_registry.resolve(kpi.scoring, kpi)

    def test_factory_returning_non_scorer(self) -> None:
        """A factory must return something with floor, cap, requires and __call__."""
        reg = ScorerRegistry()
        reg.register("bad", lambda **_: object())
        kpi = _kpi("bad", target=1)
        with pytest.raises(ScoringError, match="lacks"):
            reg.resolve(kpi.scoring, kpi)


class _EntryPoint:
    def __init__(self, name: str, obj: object, fail: bool = False) -> None:
        self.name, self.value, self._obj, self._fail = name, f"pkg:{name}", obj, fail

    def load(self) -> object:
        if self._fail:
            raise ImportError("boom")
        return self._obj


class TestEntryPoints:
    def test_loaded_only_when_called(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Plug-ins are registered by load_entry_points, from the named group."""
        seen: list[str] = []

        def fake(*, group: str) -> list[_EntryPoint]:
            seen.append(group)
            return [_EntryPoint("plug", ratio)]

        monkeypatch.setattr(registry_module.importlib.metadata, "entry_points", fake)
        reg = ScorerRegistry()
        assert "plug" not in reg
        assert load_entry_points(reg) == ("plug",)
        assert seen == ["perfmgmt.scorers"]
        assert reg.get("plug") is ratio

    def test_broken_plugin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A plug-in that fails to import is a RegistryError naming it."""
        monkeypatch.setattr(
            registry_module.importlib.metadata,
            "entry_points",
            lambda *, group: [_EntryPoint("broken", None, fail=True)],
        )
        with pytest.raises(RegistryError, match="broken"):
            load_entry_points(ScorerRegistry())

    def test_custom_scorer_scores(self) -> None:
        """A registered custom factory's scorer is callable like a built-in."""
        reg = ScorerRegistry()
        reg.register("ratio2", ratio)
        sc = reg.resolve(ScoringSpec(scorer="ratio2"), _kpi("ratio2", target=10))
        _, s = sc(np.array([5.0]), np.array([np.nan]), np.array([10.0]), np.array([np.nan]))
        assert s.tolist() == [50.0]
