"""Draw the figures of the notebook tutorial into docs/images/ (PNG).

The tutorial page's own Python blocks are run in order, up to the one that draws the figures,
so the pictures shown on the page are the figures its code makes. Run from the repository root
after changing the tutorial, the demo generator or the plots::

    python scripts/render_tutorial_figures.py
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial" / "notebook.md"
OUT = ROOT / "docs" / "images"
#: The figures the tutorial's plotting block makes, and the file each is saved to.
FIGURES = {
    "ratings": "tutorial-ratings.png",
    "histograms": "tutorial-kpi-histograms.png",
    "waterfall": "tutorial-waterfall.png",
}


def main() -> None:
    """Run the tutorial's blocks until its figures exist, then save each one."""
    namespace: dict[str, object] = {}
    tokens = MarkdownIt("commonmark").parse(PAGE.read_text("utf-8"))
    for token in tokens:
        if token.type != "fence" or "python" not in token.info:
            continue
        code = compile(token.content, str(PAGE), "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)  # the tutorial's own code, as the docs tests run it
        if all(name in namespace for name in FIGURES):
            break
    else:
        raise SystemExit(f"{PAGE.name}: no block made the figures {sorted(FIGURES)}")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, filename in FIGURES.items():
        figure = namespace[name]
        figure.savefig(OUT / filename, dpi=100)  # type: ignore[attr-defined]
        print(OUT.relative_to(ROOT) / filename)


if __name__ == "__main__":
    main()
