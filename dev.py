#!/usr/bin/env python3
"""Task runner: `python3 dev.py demo` runs the demo, `python3 dev.py test` runs every check.

It needs only Python 3.11+. On first use it creates `.venv/` and installs perfmgmt
with its development groups from `pyproject.toml`; later runs reuse it until
`pyproject.toml` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".perfmgmt-installed"


def _group(groups: dict[str, list[object]], name: str) -> list[str]:
    """Expand a PEP 735 dependency group, following include-group entries."""
    out: list[str] = []
    for item in groups[name]:
        if isinstance(item, dict):
            out.extend(_group(groups, str(item["include-group"])))
        else:
            out.append(str(item))
    return out


def _run(*cmd: str | Path) -> int:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    # Material for MkDocs prints a banner about its successor on every build; it is not ours.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


def ensure_env() -> None:
    """Create `.venv` and install perfmgmt with its dev groups if not done yet."""
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(pyproject).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not PY.exists():
        print("creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    groups = tomllib.loads(pyproject.decode())["dependency-groups"]
    reqs = sorted(set(_group(groups, "dev")))
    steps = [
        (PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"),
        (PY, "-m", "pip", "install", "--quiet", *reqs),
        (PY, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."),
        (PY, "-m", "pip", "install", "--quiet", "-e", ".[hypothesis,pandas,plot]"),
    ]
    for step in steps:
        if _run(*step) != 0:
            sys.exit("dev.py: installing the development environment failed (see above)")
    STAMP.write_text(digest)


def test() -> int:
    """Run lint, format check, type check, the docs build and the test suite."""
    checks: list[tuple[str | Path, ...]] = [
        (BIN / "ruff", "check", "."),
        (BIN / "ruff", "format", "--check", "."),
        (BIN / "mypy", "--strict", "src"),
        (BIN / "mkdocs", "build", "--strict", "--site-dir", ".site"),
        # The wheel users get, installed outside the source tree: entry points, py.typed.
        ("bash", "scripts/check_wheel.sh", PY),
        (PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
    ]
    for check in checks:
        code = _run(*check)
        if code != 0:
            print(f"dev.py: {Path(str(check[0])).name} failed with exit code {code}", flush=True)
            return code
    return 0


def demo(args: list[str]) -> int:
    """Run the bundled customer-service demo (`perfmgmt demo`)."""
    return _run(PY, "-m", "perfmgmt", "demo", *args)


def main(argv: list[str]) -> int:
    """Dispatch the task named on the command line."""
    tasks = ("demo", "test", "env")
    if not argv or argv[0] not in tasks:
        print(f"usage: python3 dev.py {{{'|'.join(tasks)}}} [args…]", file=sys.stderr)
        return 2
    ensure_env()
    if argv[0] == "test":
        return test()
    if argv[0] == "demo":
        return demo(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
