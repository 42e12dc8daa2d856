"""Open the demo's pages in headless Chromium, save screenshots and check the layout.

For each demo site (an English and a Chinese run by default) it renders the front page
(``index.html``), the team report (``team.html``), one person's report (the first of
``reports/*.html``), the same person's HR report (``reports/hr/``) and the scheme review
(``scheme_review.html``) at a desktop width (1280 px) and a phone width (390 px), saves a
full-page PNG of each, and checks that

- the page does not scroll sideways (the document is no wider than the window), and no element
  reaches past the window's edges unless it sits inside a box that scrolls on its own
  (``overflow-x: auto`` or ``scroll``, such as a table wrapper);
- every ``<svg>`` chart is drawn with a non-empty box, and no text in it is drawn smaller than
  ``MIN_TEXT_PX`` once the chart is scaled to the page (on a phone a chart keeps a readable
  width and scrolls sideways in its own box).

It exits 1 with a list of the failures, 0 when every page passes. Without the ``playwright``
package or a Chromium executable it prints a ``skipped: ...`` line and exits 0, so CI passes
on machines without a browser and says so.

With ``--docs DIR`` it also writes the pictures shown in the documentation: the desktop
screenshots of an English report, a Chinese report and the English team page, cut to the
first 1400 pixels and reduced to a 256-colour palette when Pillow is installed.

Run from the repository root::

    python scripts/browser_check.py --out shots              # runs a small demo, en and zh
    python scripts/browser_check.py --out shots SITE [SITE ...]  # demo output folders
    python scripts/browser_check.py --out shots --docs docs/images

Chromium is looked for as ``--chromium PATH``, then ``$PERFMGMT_CHROMIUM``, then ``chromium``,
``chromium-browser``, ``google-chrome`` on the ``PATH`` (Debian: ``apt-get install chromium
fonts-noto-cjk``; the CJK fonts let the Chinese pages render).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

WIDTHS = {"desktop": 1280, "phone": 390}
HEIGHTS = {"desktop": 900, "phone": 844}
DOCS_HEIGHT = 1400
#: The smallest text a chart may show, in CSS pixels, once the page has scaled it to fit.
MIN_TEXT_PX = 9.0
BROWSERS = ("chromium", "chromium-browser", "google-chrome")

# Runs in the page; returns a list of problems, one line each. An element "overflows" when
# its box reaches past the window's left or right edge; inside a box that scrolls sideways on
# its own (a table wrapper) that is fine. The inside of an SVG is clipped to the SVG, so only
# the SVG itself is checked. Only the outermost overflowing element of a branch is named.
_CHECK_JS = r"""
(MIN_TEXT_PX) => {
  const problems = [];
  const root = document.documentElement;
  const vw = root.clientWidth;
  if (root.scrollWidth > vw + 1) {
    problems.push(
      `the page scrolls sideways: it is ${root.scrollWidth}px wide in a ${vw}px window`
    );
  }
  const scrolls = (el) => {
    const o = getComputedStyle(el).overflowX;
    return o === "auto" || o === "scroll";
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) {
      s += "." + el.className.trim().split(/\s+/).join(".");
    }
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? `${s} ("${text}")` : s;
  };
  const reported = new Set();
  const walk = (el, contained) => {
    for (const child of el.children) {
      const r = child.getBoundingClientRect();
      let inside = contained;
      if (!contained && r.width > 0 && (r.right > vw + 1 || r.left < -1)) {
        problems.push(
          `${name(child)} reaches past the window: ` +
          `left ${Math.round(r.left)}px, right ${Math.round(r.right)}px, window ${vw}px`
        );
        inside = true;  // its children overflow with it; name the outermost only
      }
      if (child.tagName.toLowerCase() === "svg") {
        const number = [...document.querySelectorAll("svg")].indexOf(child) + 1;
        if (!(r.width > 0 && r.height > 0)) {
          problems.push(`svg #${number} has an empty box (${r.width} x ${r.height})`);
        } else if (child.viewBox && child.viewBox.baseVal && child.viewBox.baseVal.width > 0) {
          // A chart drawn smaller than its viewBox shrinks its text with it.
          const scale = r.width / child.viewBox.baseVal.width;
          const sizes = [...child.querySelectorAll("text")].map(
            (t) => parseFloat(t.getAttribute("font-size") || "12") * scale
          );
          const smallest = Math.min(...sizes);
          if (sizes.length && smallest < MIN_TEXT_PX) {
            problems.push(`svg #${number} draws text at ${smallest.toFixed(1)}px, ` +
              `under ${MIN_TEXT_PX}px: too small to read`);
          }
        }
        continue;
      }
      walk(child, inside || scrolls(child));
    }
  };
  walk(document.body, false);
  return problems;
}
"""


class BrowserUnavailableError(Exception):
    """The check cannot run here (no playwright, no Chromium); the message says why."""


def find_chromium(explicit: str | None = None) -> str:
    """Return the Chromium executable to use; raise BrowserUnavailableError if there is none."""
    if explicit:
        if not Path(explicit).is_file():
            raise BrowserUnavailableError(f"Chromium not found at {explicit}")
        return explicit
    env = os.environ.get("PERFMGMT_CHROMIUM")
    if env:
        if not Path(env).is_file():
            raise BrowserUnavailableError(f"Chromium not found at PERFMGMT_CHROMIUM={env}")
        return env
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailableError(
        "no Chromium executable found (looked for " + ", ".join(BROWSERS) + "); "
        "install it, e.g. apt-get install chromium fonts-noto-cjk"
    )


def require_playwright() -> None:
    """Raise BrowserUnavailableError when the playwright package is not installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise BrowserUnavailableError(
            f"the playwright package is not installed ({exc}); pip install playwright"
        ) from exc


def has_cjk_font() -> bool | None:
    """Return whether fontconfig knows a font for Chinese; None when it cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    found = subprocess.run(  # noqa: S603 - a fixed command, no user input
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


def person(site: Path) -> Path | None:
    """Return the first person's report of a demo site, if it has any."""
    return min((site / "reports").glob("*.html"), default=None)


def pages(site: Path) -> list[Path]:
    """Return the pages of a demo site to check.

    They are the front page, the team report, one person's report, the same person's HR view
    and the scheme review, each when the site has it.
    """
    found = [site / "index.html", site / "team.html"]
    first = person(site)
    if first is not None:
        found.append(first)
        hr = site / "reports" / "hr" / first.name
        if hr.exists():
            found.append(hr)
    if (site / "scheme_review.html").exists():
        found.append(site / "scheme_review.html")
    return found


def _shot_name(site: Path, page: Path, width: str) -> str:
    rel = page.relative_to(site).with_suffix("").as_posix().replace("/", "-")
    return f"{site.name}-{rel}-{width}.png"


def check(
    sites: Sequence[Path], out: Path, *, chromium: str
) -> tuple[list[str], dict[tuple[Path, Path, str], Path]]:
    """Render every page of ``sites`` at each width; return the failures and the screenshots.

    The screenshots are keyed by (site, page, width name).
    """
    require_playwright()
    from playwright.sync_api import Error, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    shots: dict[tuple[Path, Path, str], Path] = {}
    with sync_playwright() as pw:
        try:
            # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        except Error as exc:
            raise BrowserUnavailableError(f"Chromium at {chromium} did not start: {exc}") from exc
        try:
            for site in sites:
                for page_path in pages(site):
                    if not page_path.exists():
                        failures.append(f"{page_path}: missing")
                        continue
                    for width, px in WIDTHS.items():
                        page = browser.new_page(viewport={"width": px, "height": HEIGHTS[width]})
                        try:
                            page.goto(page_path.resolve().as_uri(), wait_until="load")
                            problems: list[str] = page.evaluate(_CHECK_JS, MIN_TEXT_PX)
                            shot = out / _shot_name(site, page_path, width)
                            page.screenshot(path=str(shot), full_page=True)
                            shots[(site, page_path, width)] = shot
                        finally:
                            page.close()
                        rel = page_path.relative_to(site).as_posix()
                        failures += [f"{site.name}/{rel} at {px}px: {p}" for p in problems]
        finally:
            browser.close()
    return failures, shots


def _crop(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest``, cut to DOCS_HEIGHT and palette-reduced when Pillow is here."""
    try:
        from PIL import Image
    except ImportError:
        shutil.copyfile(src, dest)
        return
    with Image.open(src) as img:
        top = img.convert("RGB").crop((0, 0, img.width, min(img.height, DOCS_HEIGHT)))
        top.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(dest, optimize=True)


def site_lang(site: Path) -> str:
    """Return the language of a demo site, read from its front page's ``<html lang>``."""
    head = (site / "index.html").read_text(encoding="utf-8")[:200]
    return "zh" if 'lang="zh' in head else "en"


def write_docs_images(
    sites: Sequence[Path], shots: dict[tuple[Path, Path, str], Path], docs: Path
) -> list[Path]:
    """Save the documentation's pictures: a report and the team page per language."""
    docs.mkdir(parents=True, exist_ok=True)
    wanted = []
    for site in sites:
        lang = site_lang(site)
        first = person(site)
        if first is not None:
            wanted.append((site, first, f"report-{lang}.png"))
        wanted.append((site, site / "team.html", f"team-{lang}.png"))
    written = []
    for site, page, name in wanted:
        shot = shots.get((site, page, "desktop"))
        if shot is not None:
            _crop(shot, docs / name)
            written.append(docs / name)
    return written


def demo_sites(work: Path) -> list[Path]:
    """Run a small demo in English and in Chinese under ``work``; return the two sites."""
    from perfmgmt.demo import run_demo

    sites = []
    for lang in ("en", "zh"):
        out = work / lang
        run_demo(out, lang=lang, managers=12, agents=120, tickets=6_000, seed=2025)
        sites.append(out)
    return sites


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sites",
        nargs="*",
        type=Path,
        help="demo output folders (default: run a small demo, en and zh)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the screenshots")
    parser.add_argument("--docs", type=Path, help="also write the documentation's pictures here")
    parser.add_argument("--chromium", help="the Chromium executable")
    args = parser.parse_args(argv)
    try:
        require_playwright()
        chromium = find_chromium(args.chromium)
        if has_cjk_font() is False:
            print("warning: no font for Chinese is installed; the zh screenshots show boxes")
        with tempfile.TemporaryDirectory(prefix="perfmgmt-browser-") as tmp:
            sites = args.sites or demo_sites(Path(tmp))
            failures, shots = check(sites, args.out, chromium=chromium)
            if args.docs:
                for path in write_docs_images(sites, shots, args.docs):
                    print(f"wrote {path}")
    except BrowserUnavailableError as exc:
        print(f"skipped: {exc}")
        return 0
    print(f"{len(shots)} screenshots in {args.out}")
    if failures:
        print(f"{len(failures)} layout failures:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print("every page fits the window and every chart is drawn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
