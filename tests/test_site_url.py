"""`make html`'s builds: with site_url, the sitemap lists every page and the 404 page works under a subpath; without
it, one line says what is lost; neither prints the PDF. Both build one copy of the project that holds the tiny guide
(`AIGUIDE_SITE_URL` sets site_url): none of this depends on the real records."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import BUILD_ENV, PROJECT_DIR, site_page_names, tiny_site_project

pytestmark = pytest.mark.build

SITE_URL = "https://example.org/guides/ai-imaging/"
SUBPATH = urlsplit(SITE_URL).path


def build(project: Path, site: Path, site_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in BUILD_ENV.items() if key not in {"AIGUIDE_SITE_URL", "AIGUIDE_SITE_DIR"}}
    if site_url:
        env["AIGUIDE_SITE_URL"] = site_url
    result = subprocess.run(
        [sys.executable, "-m", "aiguide.build", "--project", str(project), "--site-dir", str(site), "--no-pdf"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_site_project(tmp_path_factory.mktemp("tiny") / "project")


@pytest.fixture(scope="module")
def with_url(tmp_path_factory: pytest.TempPathFactory, project: Path) -> tuple[Path, str]:
    site = tmp_path_factory.mktemp("with-url") / "site"
    return site, build(project, site, SITE_URL).stdout


@pytest.fixture(scope="module")
def without_url(tmp_path_factory: pytest.TempPathFactory, project: Path) -> tuple[Path, str]:
    site = tmp_path_factory.mktemp("without-url") / "site"
    return site, build(project, site, None).stdout


def test_make_html_prints_no_pdf_and_the_downloads_page_says_so(without_url: tuple[Path, str]) -> None:
    from aiguide.fragments import PDF_NOT_BUILT

    site, _ = without_url
    assert not (site / "print_page.html").exists() and not (site / "downloads" / "guide.pdf").exists()
    assert PDF_NOT_BUILT in (site / "downloads" / "index.html").read_text(encoding="utf-8")


class Addresses(HTMLParser):
    """Every address an element of the page loads or links to."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in {"href", "src"} and value]


def sitemap_locations(site: Path) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))


def test_sitemap_lists_every_page(with_url: tuple[Path, str], project: Path) -> None:
    site, _ = with_url
    pages = {path.relative_to(site).as_posix() for path in site.rglob("*.html")} - {"404.html"}
    one_per_markdown_file = set(site_page_names(project)) - {"404.html", "print_page.html"}
    assert pages == one_per_markdown_file, "the build did not write one page per Markdown file"
    assert sorted(sitemap_locations(site)) == sorted(SITE_URL + page for page in pages)


def test_pages_carry_canonical_links(with_url: tuple[Path, str]) -> None:
    site, _ = with_url
    page = (site / "faq" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}faq/index.html">' in page


def test_404_page_finds_everything_under_the_subpath(with_url: tuple[Path, str]) -> None:
    """The host serves 404.html at any missing address, so its own links must start from the site's path."""
    site, _ = with_url
    parser = Addresses()
    parser.feed((site / "404.html").read_text(encoding="utf-8"))
    local = [address for address in parser.found if not re.match(r"[a-z]+:|#", address)]
    assert any(address.endswith(".css") for address in local) and any(address.endswith(".js") for address in local)
    for address in local:
        assert address.startswith(SUBPATH), address
        target = site / urlsplit(address).path.removeprefix(SUBPATH)
        assert target.is_file() or (target / "index.html").is_file(), address


def test_without_site_url_the_build_says_what_is_lost(
    without_url: tuple[Path, str], with_url: tuple[Path, str]
) -> None:
    site, output = without_url
    notes = [line for line in output.splitlines() if "site_url" in line]
    assert len(notes) == 1, output
    assert all(word in notes[0] for word in ("sitemap", "canonical", "404"))
    assert sitemap_locations(site) == []
    assert "site_url" not in with_url[1]
