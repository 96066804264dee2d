"""The offline outputs: the whole-guide PDF and the site opened from disk."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import PROJECT_DIR

NAV_CHROME = ("Skip to content", "Table of contents", "Back to top", "Type to start searching", "Initializing search")


@pytest.fixture(scope="session")
def pdf_text(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Print the built site to PDF once and return its text (read by poppler's pdftotext), whitespace folded."""
    output = tmp_path_factory.mktemp("pdf") / "guide.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "aiguide.pdf", str(built_site), str(output)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(output), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.count("\f")
    assert pages > 20, f"the PDF has only {pages} pages"
    return " ".join(text.stdout.split())


def test_pdf_cover_names_version_licence_and_citation(pdf_text: str, guide) -> None:
    start = pdf_text[:3000]
    assert guide.meta.title in start
    assert f"Version {guide.meta.version}" in start
    assert guide.meta.licence.title in start
    assert "How to cite" in start


def test_pdf_has_page_numbers_and_contents(pdf_text: str) -> None:
    assert re.search(r"page 1 of (\d+)", pdf_text)
    assert "Contents" in pdf_text[:6000]


def test_pdf_holds_every_theme_finding_faq_and_source(pdf_text: str, guide) -> None:
    missing = [theme.title for theme in guide.themes if theme.title not in pdf_text]
    missing += [finding.id for finding in guide.findings if finding.id not in pdf_text]
    missing += [faq.question for faq in guide.faqs if " ".join(faq.question.split()) not in pdf_text]
    missing += [source.key for source in guide.sources if source.key not in pdf_text]
    missing += [item.id for item in guide.items if item.id not in pdf_text]
    assert missing == []


def test_pdf_has_no_navigation_chrome_or_buttons(pdf_text: str) -> None:
    assert [phrase for phrase in NAV_CHROME if phrase in pdf_text] == []
    for button in ("Copy share link", "Export CSV", "Clear my answers", "Clear filters", "Show everything"):
        assert button not in pdf_text


def test_pdf_step_without_chromium_says_how_to_install_it(built_site: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aiguide.pdf",
            str(built_site),
            str(tmp_path / "x.pdf"),
            "--chromium",
            "/nowhere/chrome",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "apt-get install chromium" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_site_from_disk_finds_a_finding_through_search_and_opens_it(browser, built_site: Path, guide) -> None:
    finding = next(f for f in guide.findings if f.id == "FW-03")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((built_site / "index.html").as_uri())
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("false alerts", delay=30)
    result = page.locator(".md-search-result__item a", has_text=finding.title).first
    result.wait_for(timeout=10_000)
    result.click()
    page.wait_for_load_state("load")
    opened = urlsplit(page.url)
    assert opened.path.endswith(f"themes/{finding.theme}/index.html")
    assert opened.fragment == finding.anchor
    assert page.locator(f"h3#{finding.anchor}").is_visible()
    assert [url for url in requests if not url.startswith(("file:", "data:", "blob:"))] == []
    context.close()


def test_site_from_disk_navigates_between_pages(browser, built_site: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built_site / "index.html").as_uri())
    page.locator(".md-nav__link", has_text="Glossary").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("glossary/index.html")
    assert page.locator("h1").inner_text().rstrip("¶") == "Glossary"
    page.close()
