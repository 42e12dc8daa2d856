"""Tests for the public face: __all__ lists, the docs reference and the import layering."""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import re
import sys
from types import ModuleType

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "perfmgmt"
REFERENCE = ROOT / "docs" / "reference"

PUBLIC_MODULES = [
    "perfmgmt",
    "perfmgmt.errors",
    "perfmgmt.model",
    "perfmgmt.serialization",
    "perfmgmt.scoring",
    "perfmgmt.rules",
    "perfmgmt.workflow",
    "perfmgmt.development",
    "perfmgmt.report",
    "perfmgmt.metrics",
    "perfmgmt.analytics",
    "perfmgmt.presets",
    "perfmgmt.strategies",
    "perfmgmt.testing",
    "perfmgmt.plot",
]


def _directives() -> list[str]:
    found: list[str] = []
    for page in sorted(REFERENCE.glob("*.md")):
        found += re.findall(r"^:::\s+([\w.]+)", page.read_text(encoding="utf-8"), flags=re.M)
    return found


def _documented() -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for name in _directives():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            out.add((attr, id(getattr(module, attr))))
    return out


def _public(module: ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module.__name__} has no __all__"
    return list(names)


class TestAll:
    @pytest.mark.parametrize("name", PUBLIC_MODULES)
    def test_every_name_exists_and_is_sorted(self, name: str) -> None:
        """Every name a public module lists in __all__ exists, once, in sorted order."""
        module = importlib.import_module(name)
        names = _public(module)
        missing = [n for n in names if not hasattr(module, n)]
        assert not missing, f"{name}.__all__ lists missing names {missing}"
        assert len(set(names)) == len(names)
        assert names == sorted(names, key=lambda n: (not n.isupper(), n)) or names == sorted(names)

    @pytest.mark.parametrize("name", PUBLIC_MODULES)
    def test_every_name_is_in_the_reference(self, name: str) -> None:
        """Every public name appears in docs/reference via a mkdocstrings directive."""
        module = importlib.import_module(name)
        documented = _documented()
        documented_names = {n for n, _ in documented}
        undocumented = []
        for attr in _public(module):
            obj = getattr(module, attr)
            if (attr, id(obj)) in documented:
                continue
            if isinstance(obj, str | int | float) and attr in documented_names:
                continue
            undocumented.append(attr)
        assert not undocumented, f"{name}: not in docs/reference: {undocumented}"

    def test_public_callables_have_docstrings(self) -> None:
        """Every public class and function has a docstring."""
        bare = []
        for name in PUBLIC_MODULES:
            module = importlib.import_module(name)
            for attr in _public(module):
                obj = getattr(module, attr)
                # Type aliases (Literal[...], Callable[...]) are documented where they are defined.
                is_api = inspect.isclass(obj) or inspect.isroutine(obj)
                if is_api and not (obj.__doc__ or "").strip():
                    bare.append(f"{name}.{attr}")
        assert not bare, f"missing docstrings: {bare}"

    def test_strategies_not_imported_by_package(self) -> None:
        """Importing perfmgmt never imports Hypothesis or pandas."""
        code = (
            "import sys, perfmgmt; "
            "assert 'perfmgmt.strategies' not in sys.modules; "
            "assert 'hypothesis' not in sys.modules; assert 'pandas' not in sys.modules"
        )
        import subprocess

        subprocess.run([sys.executable, "-c", code], check=True)


# The module table of DESIGN.md: what each module may import from perfmgmt.
LAYERS: dict[str, set[str]] = {
    "errors": set(),
    "model": {"errors", "model"},
    "metrics": {"errors", "metrics"},
    "scoring": {"model", "errors", "scoring"},
    "rules": {"model", "scoring", "errors", "rules"},
    "serialization": {"model", "errors"},
    "presets": {"model", "rules", "errors", "presets"},
    "workflow": {"model", "scoring", "rules", "errors"},
    "development": {"model", "scoring", "rules", "errors"},
    "report": {"model", "scoring", "rules", "errors", "workflow", "development"},
    "analytics": {"model", "scoring", "rules", "errors", "analytics"},
    "testing": {"scoring", "rules", "model", "errors"},
}


def _perfmgmt_imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for n in names:
            parts = n.split(".")
            if parts[0] == "perfmgmt" and len(parts) > 1:
                found.add(parts[1])
    return found


class TestLayering:
    @pytest.mark.parametrize("layer", sorted(LAYERS))
    def test_arrows_point_down(self, layer: str) -> None:
        """A module imports only the layers below it in DESIGN.md's module table."""
        target = SRC / layer
        files = sorted(target.rglob("*.py")) if target.is_dir() else [SRC / f"{layer}.py"]
        assert files
        assert all(f.exists() for f in files)
        for f in files:
            extra = _perfmgmt_imports(f) - LAYERS[layer]
            assert not extra, f"{f.relative_to(ROOT)} imports {sorted(extra)}"
