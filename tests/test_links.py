"""Links of the built site, checked offline by aiguide.linkcheck: the real guide and a tiny synthetic site."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aiguide import linkcheck
from aiguide.exports import write_downloads
from aiguide.linkcheck import BrokenLink, check_site, external_links, write_report

DOI_PREFIX = "https://doi.org/"


# --- The real guide -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_site(built_site: Path, loaded, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The strict build plus what `make site` adds to it: the downloads and the PDF.

    The PDF's content is tested with the PDF step; here a stand-in file takes its place, since only its
    presence matters to the links (printing it would take as long as all the link tests together).
    """
    site = tmp_path_factory.mktemp("linked") / "site"
    shutil.copytree(built_site, site)
    write_downloads(loaded, site / "downloads")
    (site / "downloads" / "guide.pdf").write_bytes(b"%PDF-1.7 stand-in for the printed guide\n")
    return site


class _DoiLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith(DOI_PREFIX):
            self.found.append(href)


def test_real_site_has_no_broken_internal_link_or_anchor(full_site: Path) -> None:
    broken = check_site(full_site)
    assert broken == [], "\n".join(map(str, broken))


def test_report_lists_every_doi_of_the_sources_page(full_site: Path, tmp_path: Path, guide) -> None:
    parser = _DoiLinks()
    parser.feed((full_site / "sources" / "index.html").read_text(encoding="utf-8"))
    expected = {f"{DOI_PREFIX}{source.doi}" for source in guide.sources if source.doi}
    assert expected and set(parser.found) == expected
    report = write_report(full_site, tmp_path / "external.txt")
    lines = (tmp_path / "external.txt").read_text(encoding="utf-8").splitlines()
    listed = {line.split("\t")[0]: line.split("\t")[1].split(", ") for line in lines}
    for url in expected:
        assert "sources/index.html" in listed[url], url
    assert lines == sorted(lines) and list(report) == list(listed)


def test_report_is_deterministic(full_site: Path, tmp_path: Path) -> None:
    write_report(full_site, tmp_path / "first.txt")
    write_report(full_site, tmp_path / "second.txt")
    assert (tmp_path / "first.txt").read_bytes() == (tmp_path / "second.txt").read_bytes()


# --- A tiny synthetic site ----------------------------------------------------------------------

PAGES = {
    "index.html": """<html><body id="top">
        <a href="guide/">folder</a> <a href="guide/index.html#intro">anchor</a> <a href="#top">self</a>
        <a href="#">top</a> <a href="#__drawer">material</a> <a href="#gone">missing same-page anchor</a>
        <a href="missing.html">missing file</a> <a href="guide/index.html#nowhere">missing anchor</a>
        <a href="https://example.org/paper">external</a> <a href="mailto:editors@example.org">mail</a>
        <a href="javascript:alert(1)">script</a> <a href="downloads/data.csv">download</a>
        <a href="downloads/gone.csv">missing download</a> <a href="//example.org/x">protocol-relative</a>
        <img src="img/logo.png"><link rel="stylesheet" href="/css/site.css"><script src="js/none.js"></script>
        <form action="search/"></form> <a href="empty/">folder without index</a>
        </body></html>""",
    "guide/index.html": """<html><body><h2 id="intro">Intro</h2><a name="old"></a>
        <a href="../index.html#top">home</a> <a href="/index.html#top">site-absolute</a> <a href="#old">named</a>
        <a href="../../outside.html">outside</a> <a href="https://example.org/paper">external again</a>
        <iframe src="../guide/index.html#intro"></iframe></body></html>""",
    "search/index.html": "<html><body><source src='../img/logo.png'></body></html>",
}
FILES = ("img/logo.png", "css/site.css", "downloads/data.csv")


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for name, text in PAGES.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    for name in FILES:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(b"x")
    (site / "empty").mkdir()
    return site


def _broken(site: Path) -> dict[tuple[str, str], str]:
    return {(item.page, item.link): item.reason for item in check_site(site)}


def test_checker_finds_exactly_the_broken_links(tiny_site: Path) -> None:
    assert set(_broken(tiny_site)) == {
        ("index.html", "#gone"),
        ("index.html", "missing.html"),
        ("index.html", "guide/index.html#nowhere"),
        ("index.html", "javascript:alert(1)"),
        ("index.html", "downloads/gone.csv"),
        ("index.html", "//example.org/x"),
        ("index.html", "js/none.js"),
        ("index.html", "empty/"),
        ("guide/index.html", "../../outside.html"),
        ("index.html", "/css/site.css"),
        ("guide/index.html", "/index.html#top"),
    }


def test_checker_says_why_a_link_is_broken(tiny_site: Path) -> None:
    reasons = _broken(tiny_site)
    assert "no such file" in reasons["index.html", "missing.html"]
    assert "'nowhere'" in reasons["index.html", "guide/index.html#nowhere"]
    assert "javascript" in reasons["index.html", "javascript:alert(1)"]
    assert "index.html" in reasons["index.html", "empty/"]
    assert "outside" in reasons["guide/index.html", "../../outside.html"]
    assert "site-absolute" in reasons["guide/index.html", "/index.html#top"]


def test_only_the_error_page_may_link_from_the_site_root(tiny_site: Path) -> None:
    """A server shows 404.html at any address, so its links start at the site's root path; they must resolve."""
    (tiny_site / "404.html").write_text(
        '<html><body><a href="/guides/ai/index.html#top">home</a> <a href="/guides/ai/nowhere.html">x</a>'
        '<a href="/elsewhere/index.html">y</a></body></html>',
        encoding="utf-8",
    )
    broken = {(item.page, item.link): item.reason for item in check_site(tiny_site, "/guides/ai/")}
    assert ("404.html", "/guides/ai/index.html#top") not in broken
    assert "no such file" in broken["404.html", "/guides/ai/nowhere.html"]
    assert "outside the site's address" in broken["404.html", "/elsewhere/index.html"]


def test_folder_link_opens_index_html(tiny_site: Path) -> None:
    (tiny_site / "guide" / "index.html").rename(tiny_site / "guide" / "page.html")
    assert ("index.html", "guide/") in _broken(tiny_site)


def test_external_links_are_reported_not_fetched(tiny_site: Path, tmp_path: Path, monkeypatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the link checker must not open a connection")

    monkeypatch.setattr("socket.socket.connect", no_network)
    report = write_report(tiny_site, tmp_path / "external.txt")
    assert report == external_links(tiny_site)
    assert (tmp_path / "external.txt").read_text(encoding="utf-8") == (
        "https://example.org/paper\tguide/index.html, index.html\nmailto:editors@example.org\tindex.html\n"
    )
    assert not any("example.org/paper" in item.link for item in check_site(tiny_site))


def test_broken_link_message_and_command_line(tiny_site: Path, tmp_path: Path, capsys) -> None:
    assert str(BrokenLink("a.html", "b.html", "no such file in the site")) == (
        "a.html: broken link 'b.html' (no such file in the site)"
    )
    assert linkcheck.main([str(tiny_site), "--report", str(tmp_path / "ext.txt")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "index.html: broken link 'missing.html' (no such file in the site)" in out
    assert len(out) == len(check_site(tiny_site)) and (tmp_path / "ext.txt").is_file()
    (tiny_site / "index.html").write_text('<a href="guide/#intro">ok</a>', encoding="utf-8")
    (tiny_site / "guide" / "index.html").write_text('<h2 id="intro">Intro</h2>', encoding="utf-8")
    assert linkcheck.main([str(tiny_site)]) == 0
