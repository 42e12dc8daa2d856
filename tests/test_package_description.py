"""The package index's long description is written for pip users."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_long_description_speaks_to_pip_users() -> None:
    """The readme named in pyproject is for pip users: pip install, no dev script."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    text = (ROOT / project["readme"]).read_text(encoding="utf-8")
    assert "pip install perfmgmt" in text
    assert "dev.py" not in text
    assert "perfmgmt demo" in text
