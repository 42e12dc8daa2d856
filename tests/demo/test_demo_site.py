"""Tests for the demo's front page (index.html): every link resolves, every report is linked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from perfmgmt.demo import DemoRun, run_demo


class _Links(HTMLParser):
    """Collect every ``href`` and the text of each link."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None


def _links(page: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(page)
    return parser.links


@pytest.fixture(scope="module", params=["en", "zh"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """Run a small demo once per language."""
    out = tmp_path_factory.mktemp(f"site-{request.param}")
    return run_demo(out, lang=request.param, managers=5, agents=40, tickets=2_000, seed=3)


class TestIndex:
    def test_every_link_resolves_to_a_file_written(self, site: DemoRun) -> None:
        """Every href in index.html is a relative path to a file the run wrote."""
        page = (site.out_dir / "index.html").read_text(encoding="utf-8")
        links = _links(page)
        assert links
        written = set(site.files)
        for href, _ in links:
            assert not re.match(r"^[a-z]+:|^/", href), href
            assert href in written, href
            assert (site.out_dir / href).is_file(), href

    def test_links_the_team_report_every_report_and_every_data_file(self, site: DemoRun) -> None:
        """The team report, each person's report (by name) and every other file are linked."""
        page = (site.out_dir / "index.html").read_text(encoding="utf-8")
        linked = dict(_links(page))
        assert "team.html" in linked
        reports = sorted(p.relative_to(site.out_dir).as_posix()
                         for p in (site.out_dir / "reports").glob("*.html"))  # fmt: skip
        assert len(reports) == site.subjects
        for report in reports:
            assert report in linked
            # The link names the person as the report's title does.
            title = re.search(
                r"<title>(.*?)</title>",
                (site.out_dir / report).read_text(encoding="utf-8"),
            )
            assert title is not None
            sid = Path(report).stem
            assert linked[report].endswith(f"({sid})")
            name = linked[report].removesuffix(f" ({sid})")
            assert name != sid
            assert name in title[1]
        assert set(site.files) - {"index.html"} <= set(linked)

    def test_index_is_the_last_file_and_carries_a_chart(self, site: DemoRun) -> None:
        """index.html is written last and shows the rating chart as well-formed inline SVG."""
        assert site.files[-1] == "index.html"
        page = (site.out_dir / "index.html").read_text(encoding="utf-8")
        svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
        assert len(svgs) == 1
        root = ET.fromstring(svgs[0])
        assert root.get("viewBox")

    def test_reports_carry_their_charts(self, site: DemoRun) -> None:
        """The team report and each person's report carry well-formed SVG charts."""
        pages = [site.out_dir / "team.html", *sorted((site.out_dir / "reports").glob("*.html"))]
        for path in pages:
            svgs = re.findall(r"<svg.*?</svg>", path.read_text(encoding="utf-8"), flags=re.S)
            assert len(svgs) == 3, path.name
            for svg in svgs:
                ET.fromstring(svg)
