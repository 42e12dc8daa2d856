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
    "perfmgmt.calibration",
    "perfmgmt.rules",
    "perfmgmt.workflow",
    "perfmgmt.report",
    "perfmgmt.review_report",
    "perfmgmt.metrics",
    "perfmgmt.analytics",
    "perfmgmt.presets",
    "perfmgmt.strategies",
    "perfmgmt.testing",
    "perfmgmt.plot",
    "perfmgmt.charts",
    "perfmgmt.distributed",
]


def _directives() -> list[str]:
    found: list[str] = []
    for page in sorted(REFERENCE.glob("*.md")):
        found += re.findall(r"^:::\s+([\w.]+)", page.read_text(encoding="utf-8"), flags=re.M)
    return found


def _member_lists() -> list[tuple[str, str, list[str]]]:
    """Return (page, module, names) for every directive that lists its members explicitly."""
    found: list[tuple[str, str, list[str]]] = []
    for page in sorted(REFERENCE.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for block in re.finditer(r"^:::\s+([\w.]+)\n((?:[ \t]+.*\n?)*)", text, flags=re.M):
            items = re.search(r"^\s+members:\n((?:\s+(?:- \w+|#.*)\n?)+)", block[2], flags=re.M)
            if items:
                found.append((page.name, block[1], re.findall(r"- (\w+)", items[1])))
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

    def test_member_lists_name_every_public_name(self) -> None:
        """A directive that lists its members (to set their order) lists all of __all__."""
        lists = _member_lists()
        assert lists  # the strategies and demo pages order their members by hand
        for page, name, members in lists:
            missing = sorted(set(_public(importlib.import_module(name))) - set(members))
            assert not missing, f"{page}: '::: {name}' does not list {missing}, so they vanish"

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


# The module map of DESIGN.md, floor by floor: a module imports only from lower floors and from
# its own package. The ground floor (floor 0) is shared by all.
FLOORS: dict[str, int] = {
    "errors": 0,
    "_validate": 0,
    "_allocate": 0,
    "_typing": 0,
    "_parallel": 0,
    "_html": 0,
    "_markdown": 0,
    "_words": 0,
    "_format": 0,
    "_unary": 0,
    "_units": 0,
    "_deprecated": 0,
    "_svg": 0,
    "_figure": 0,
    "_ids": 0,
    "_keys": 0,
    "_blocks": 0,
    "model": 1,
    "serialization": 2,
    "scoring": 2,
    "metrics": 2,
    "rules": 3,
    "calibration": 3,
    "workflow": 4,
    "development": 4,
    "analytics": 5,
    "presets": 5,
    "charts": 5,
    "report": 5,
    "review_report": 5,
    "plot": 5,
    "testing": 5,
    "distributed": 5,
    "strategies": 6,
    "_hypothesis_plugin": 7,
    "cli": 7,
    "__main__": 8,
    "demo": 7,
}

# Same-floor imports DESIGN.md allows (a row may import the rows below it on its floor).
SAME_FLOOR: dict[str, set[str]] = {
    **{
        m: {"errors"}
        for m in (
            "_validate",
            "_typing",
            "_parallel",
            "_html",
            "_words",
            "_format",
            "_unary",
            "_svg",
        )
    },
    "_allocate": {"_typing"},
    "_keys": {"_typing"},
    "_blocks": {"_validate"},
    "cli": {"demo"},
    "report": {"charts"},
    "review_report": {"analytics", "charts", "report"},
}


def _perfmgmt_imports(path: pathlib.Path) -> set[tuple[str, str]]:
    """Return ``(top-level module, full module)`` for every perfmgmt import of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for n in names:
            parts = n.split(".")
            if parts[0] == "perfmgmt" and len(parts) > 1:
                found.add((parts[1], n))
    return found


def _modules() -> list[tuple[str, pathlib.Path]]:
    return [
        (f.relative_to(SRC).parts[0].removesuffix(".py"), f)
        for f in sorted(SRC.rglob("*.py"))
        if f.name != "__init__.py" or f.parent != SRC
    ]


class TestLayering:
    def test_every_module_has_a_floor(self) -> None:
        """Every top-level module of the package appears in the module map."""
        assert {top for top, _ in _modules()} <= set(FLOORS)

    def test_the_architecture_page_shows_the_enforced_floors(self) -> None:
        """docs/explanation/architecture.md lists every module on the floor this test enforces."""
        page = (ROOT / "docs" / "explanation" / "architecture.md").read_text(encoding="utf-8")
        rows = re.findall(r"^\| (\d+) \| `([\w.]+)` \|", page, flags=re.MULTILINE)
        assert {module: int(floor) for floor, module in rows} == FLOORS
        assert len(rows) == len(FLOORS), "a module is listed twice"

    @pytest.mark.parametrize("top", sorted({top for top, _ in _modules()}))
    def test_arrows_point_down(self, top: str) -> None:
        """A module imports only from lower floors of the module map, or its own package."""
        for top_of, f in _modules():
            if top_of != top:
                continue
            for target, _ in _perfmgmt_imports(f):
                ok = (
                    target == top
                    or FLOORS[target] < FLOORS[top]
                    or target in SAME_FLOOR.get(top, set())
                )
                assert ok, f"{f.relative_to(ROOT)} imports perfmgmt.{target} (floor up or across)"

    @pytest.mark.parametrize("top", sorted({top for top, _ in _modules()}))
    def test_no_private_module_of_another_package(self, top: str) -> None:
        """A package never imports another package's private module; shared code is on floor 0."""
        for top_of, f in _modules():
            if top_of != top:
                continue
            for target, module in _perfmgmt_imports(f):
                private = any(p.startswith("_") for p in module.split(".")[2:])
                assert target == top or not private, f"{f.relative_to(ROOT)} imports {module}"
