"""The demo's pages in a real browser: they fit a desktop and a phone window, charts are drawn.

Runs ``scripts/browser_check.py`` in headless Chromium; skipped, with the reason, when the
``playwright`` package or a Chromium executable is not installed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from perfmgmt.demo import run_demo

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "browser_check.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("browser_check", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browser_check = _load()


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable; the module is skipped when the browser check cannot run."""
    try:
        browser_check.require_playwright()
        return str(browser_check.find_chromium())
    except browser_check.BrowserUnavailableError as exc:
        pytest.skip(f"browser check skipped: {exc}")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A small demo run in English and in Chinese."""
    out = []
    for lang in ("en", "zh"):
        site = tmp_path_factory.mktemp(f"browser-{lang}")
        run_demo(site, lang=lang, managers=5, agents=40, tickets=2_000, seed=3)
        out.append(site)
    return out


def _check(chromium: str, sites: list[Path], out: Path) -> tuple[list[str], dict[tuple, Path]]:
    try:
        return browser_check.check(sites, out, chromium=chromium)
    except browser_check.BrowserUnavailableError as exc:
        pytest.skip(f"browser check skipped: {exc}")


@pytest.fixture(scope="module")
def checked(
    chromium: str, sites: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], dict[tuple, Path]]:
    """The failures and screenshots of the demo sites, checked once."""
    return _check(chromium, sites, tmp_path_factory.mktemp("shots"))


class TestDemoPages:
    def test_every_page_fits_and_draws_its_charts(
        self, sites: list[Path], checked: tuple[list[str], dict[tuple, Path]]
    ) -> None:
        """Front page, team, a person's reports, scheme review; en, zh; desktop, phone: all fit."""
        failures, shots = checked
        assert failures == []
        for site in sites:
            rel = {p.relative_to(site).as_posix() for p in browser_check.pages(site)}
            assert rel == {
                "index.html",
                "team.html",
                "reports/M01.html",
                "reports/hr/M01.html",
                "scheme_review.html",
            }
            for page in browser_check.pages(site):
                for width in ("desktop", "phone"):
                    shot = shots[(site, page, width)]
                    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
                    assert shot.stat().st_size > 10_000  # a drawn page, not a blank one
        assert len(shots) == 5 * 2 * 2

    def test_docs_pictures_are_cut_to_the_top(
        self, sites: list[Path], checked: tuple[list[str], dict[tuple, Path]], tmp_path: Path
    ) -> None:
        """The documentation's pictures are desktop-wide PNGs no taller than the cut."""
        pil = pytest.importorskip("PIL.Image")
        _, shots = checked
        written = browser_check.write_docs_images(sites, shots, tmp_path / "docs")
        names = sorted(p.name for p in written)
        assert names == ["report-en.png", "report-zh.png", "team-en.png", "team-zh.png"]
        for path in written:
            with pil.open(path) as img:
                assert img.width == browser_check.WIDTHS["desktop"]
                assert 0 < img.height <= browser_check.DOCS_HEIGHT


class TestTheCheckFindsProblems:
    def test_overflow_and_empty_svg_are_reported(self, chromium: str, tmp_path: Path) -> None:
        """A too-wide block and an empty SVG fail; the same inside a scrolling box pass."""
        site = tmp_path / "bad"
        (site / "reports").mkdir(parents=True)
        head = '<!DOCTYPE html><html lang="en"><head><meta name="viewport" '
        head += 'content="width=device-width, initial-scale=1"></head><body>'
        (site / "index.html").write_text(
            head + '<div id="wide" style="width:2000px">too wide</div>'
            '<svg id="empty" width="0" height="0"></svg></body></html>'
        )
        (site / "team.html").write_text(
            head + '<div style="overflow-x:auto"><div style="width:2000px">scrolls</div></div>'
            '<svg width="100" height="50"><rect width="10" height="10"/></svg></body></html>'
        )
        failures, _ = _check(chromium, [site], tmp_path / "shots")
        index = [f for f in failures if f.startswith("bad/index.html")]
        assert not [f for f in failures if f.startswith("bad/team.html")]
        for px in browser_check.WIDTHS.values():
            at = [f for f in index if f" at {px}px: " in f]
            assert any("scrolls sideways" in f for f in at), at
            assert any("div#wide" in f and "reaches past the window" in f for f in at), at
            assert any("svg #1 has an empty box" in f for f in at), at

    def test_chart_text_shrunk_below_readable_is_reported(
        self, chromium: str, tmp_path: Path
    ) -> None:
        """A chart squeezed to a third of its viewBox fails at both widths; full size passes."""
        site = tmp_path / "small"
        (site / "reports").mkdir(parents=True)
        head = '<!DOCTYPE html><html lang="en"><head><meta name="viewport" '
        head += 'content="width=device-width, initial-scale=1"></head><body>'
        chart = '<svg viewBox="0 0 300 40" style="width:{w}px"><text font-size="12">x</text></svg>'
        (site / "index.html").write_text(head + chart.format(w=100) + "</body></html>")
        (site / "team.html").write_text(head + chart.format(w=300) + "</body></html>")
        failures, _ = _check(chromium, [site], tmp_path / "shots")
        assert not [f for f in failures if f.startswith("small/team.html")]
        index = [f for f in failures if f.startswith("small/index.html")]
        assert len(index) == len(browser_check.WIDTHS), index
        # 12 units drawn at 100/300 of the viewBox width: 4 px.
        assert all("svg #1 draws text at 4.0px, under 9px" in f for f in index), index
