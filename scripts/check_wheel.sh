#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtualenv and smoke-test it there, so CI checks
# the package users get (entry points, package data, py.typed) and not just the source tree.
#
# Usage: scripts/check_wheel.sh [python]     (default: .venv/bin/python)
# The new venv sees the given interpreter's site-packages for the dependencies (appended to
# sys.path by a .pth line, after the venv's own site-packages), so no network is needed. A
# plain path line does not run that directory's own .pth files, so the source tree's editable
# install stays invisible; the smoke test also checks where perfmgmt was imported from.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-$root/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" -m pip wheel --no-deps --no-build-isolation -q -w "$work/dist" "$root" 2>/dev/null \
  || "$python" -m pip wheel --no-deps -q -w "$work/dist" "$root"
wheel="$(ls "$work"/dist/perfmgmt-*.whl)"
echo "built $(basename "$wheel")"

"$python" -m venv "$work/venv"
deps="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
own="$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$deps" > "$own/_check_wheel_deps.pth"
"$work/venv/bin/python" -m pip install -q --no-deps "$wheel"

cd "$work"  # away from the source tree, so only the installed wheel can be imported
"$work/venv/bin/python" - <<'PY'
import importlib.metadata as md
import pathlib
import warnings

import perfmgmt

origin = pathlib.Path(perfmgmt.__file__).resolve()
assert "site-packages" in origin.parts, f"imported from the source tree: {origin}"
assert (origin.parent / "py.typed").exists(), "py.typed missing from the wheel"

hooks = [ep for ep in md.entry_points(group="hypothesis") if ep.name == "perfmgmt"]
assert hooks, "the wheel lacks the [project.entry-points.hypothesis] perfmgmt hook"

from hypothesis import strategies as st  # loads the entry point

from perfmgmt.model import Review, Scheme

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # .example() warns outside tests
    review = st.from_type(Review).example()
    scheme = st.from_type(Scheme).example()
assert isinstance(review, Review) and isinstance(scheme, Scheme)
print(f"ok: perfmgmt {perfmgmt.__version__} from {origin.parent}")
PY
