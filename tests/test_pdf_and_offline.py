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


def _fold(text: str) -> str:
    """Whitespace folded to single spaces, and words that the PDF's line breaks split after a hyphen rejoined."""
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(text.split()))


@pytest.fixture(scope="session")
def pdf_file(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Print the built site to PDF once, as `make site` does."""
    output = tmp_path_factory.mktemp("pdf") / "guide.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "aiguide.pdf", str(built_site), str(output)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture(scope="session")
def pdf_text(pdf_file: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it, folded by ``_fold``."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_file), "-"], capture_output=True, text=True, check=True
    )
    pages = text.stdout.count("\f")
    assert pages > 20, f"the PDF has only {pages} pages"
    return _fold(text.stdout)


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


def test_pdf_holds_the_glossary_and_the_chapters_but_not_the_pages_for_editors(pdf_body: str, guide) -> None:
    body = _letters(pdf_body)
    assert [term.term for term in guide.terms if _letters(term.definition) not in body] == []
    chapters = [
        "Method and limits",
        "Glossary",
        "Readiness self-assessment",
        "All findings",
        "Changelog",
        "About this guide",
    ]
    assert [title for title in chapters if title not in pdf_body] == []
    # The editors' handbook and field reference stay on the website (mkdocs.yml, print-site's exclude).
    assert "Contributing to the guide" not in pdf_body and "Field reference" not in pdf_body


def test_pdf_is_tagged_a4_with_bookmarks(pdf_file: Path, guide) -> None:
    info = subprocess.run(["pdfinfo", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE), info
    data = pdf_file.read_bytes()
    assert b"/Outlines" in data
    assert len(re.findall(rb"/Title", data)) > len(guide.themes) + len(guide.phases) + len(guide.roles)


def _letters(text: str) -> str:
    """Letters and digits only: pdftotext drops the hyphen of a word split at a line end ("over-" + "reliance")."""
    return re.sub(r"[\W_]+", "", text)


@pytest.fixture(scope="session")
def pdf_body(pdf_text: str, guide) -> str:
    """The PDF's text without the page footers, which fall between any two lines."""
    footer = re.escape(f"{guide.meta.title}, version {guide.meta.version} · page ") + r"\d+ of \d+ ?"
    return re.sub(footer, "", pdf_text)


def test_pdf_prints_each_checklist_item_in_full_once(pdf_body: str, guide) -> None:
    """The checklist chapter holds each item: its heading (number and question) and its help text, once only."""
    body = _letters(pdf_body)
    counts = {
        item.id: (pdf_body.count(_fold(f"{item.id} · {item.question}")), body.count(_letters(item.help)))
        for item in guide.items
    }
    assert {item_id: found for item_id, found in counts.items() if found != (1, 1)} == {}


def test_pdf_prints_each_finding_in_full_once(pdf_body: str, guide) -> None:
    """A theme page holds each finding's statement and what to do; the recaps and the role and step pages do not.

    The one exception: the decision-makers' chapter repeats what to do for the findings on costs and value.
    """
    body = _letters(pdf_body)
    on_costs = {f.id for f in guide.findings_for_theme("costs-and-reimbursement", include_secondary=True)}
    wrong = {}
    for finding in guide.findings:
        found = (body.count(_letters(finding.statement)), body.count(_letters(finding.action)))
        if found != (1, 1 + (finding.id in on_costs)):
            wrong[finding.id] = found
    assert wrong == {}


def test_pdf_role_and_step_pages_list_items_by_number_and_findings_by_title(pdf_body: str, guide) -> None:
    from aiguide.render import DIRECTION_LABELS

    note = re.escape("Printed in full in the chapter Readiness checklists. ")
    missing = []
    for role in guide.roles:
        for phase in guide.phases_in_order:
            ids = [item.id for item in guide.items_for_phase(phase.id) if role.id in item.roles]
            heading = re.escape(f"{phase.order}. {phase.title}")
            if ids and not re.search(rf"{heading} ({note})?{re.escape(' · '.join(ids))}", pdf_body):
                missing.append((role.id, phase.id, ids))
    for phase in guide.phases_in_order:
        essential = [item.id for item in guide.items_for_phase(phase.id) if item.tier == "essential"]
        if essential and not re.search(
            rf"Essential checklist items ({note})?{re.escape(' · '.join(essential))}", pdf_body
        ):
            missing.append(("essential", phase.id, essential))
    for finding in guide.findings:
        # one line on the page of each role it concerns and in each step's list of barriers or facilitators
        line = _fold(f"{finding.id} {finding.title} — {DIRECTION_LABELS[finding.direction]} · ")
        expected = len(finding.roles) + len(finding.phases) * (2 if finding.direction == "both" else 1)
        if pdf_body.count(line) != expected:
            missing.append((finding.id, pdf_body.count(line), expected))
    assert missing == []


def test_pdf_self_assessment_prints_questions_with_answers_to_tick(pdf_body: str, guide) -> None:
    answers = "Yes Partly No Not applicable Don't know"
    assert pdf_body.count(answers) == len(guide.items)
    assert "Note (optional)" not in pdf_body
    for item in guide.items:
        assert _fold(f"{item.id} {item.question} {item.tier.capitalize()} {answers}") in pdf_body


def test_print_step_loads_only_local_files_that_printing_needs() -> None:
    from aiguide.pdf import BLOCKED

    site = "file:///srv/site"
    allowed = [
        f"{site}/print_page.html",
        f"{site}/assets/stylesheets/main.57a0d79d.min.css",
        f"{site}/js/print-site.js",
    ]
    refused = [
        "https://example.org/print_page.html",
        "http://127.0.0.1/assets/stylesheets/main.css",
        "data:text/css,body{}",
        f"{site}/assets/javascripts/bundle.a5f9d56c.min.js",
        f"{site}/assets/javascripts/workers/search.a7633da7.min.js?1795997021772",
        f"{site}/search/search_index.js",
        f"{site}/assets/images/favicon.png",
    ]
    assert [url for url in allowed if BLOCKED.search(url)] == []
    assert [url for url in refused if not BLOCKED.search(url)] == []


def test_pdf_has_no_navigation_chrome_or_buttons(pdf_text: str) -> None:
    assert [phrase for phrase in NAV_CHROME if phrase in pdf_text] == []
    for button in ("Copy share link", "Export CSV", "Clear my answers", "Clear filters", "Show everything"):
        assert button not in pdf_text
    for button in ("Copy the link to these figures", "Download the table (CSV)", "Go back to the starting values"):
        assert button not in pdf_text


def test_pdf_holds_each_calculators_formulas_and_worked_example(pdf_text: str, guide) -> None:
    from aiguide.calculators import worked_example

    for calculator in guide.calculators:
        assert _fold(calculator.formulas[-1]) in pdf_text, calculator.id
        example = worked_example(calculator)
        shown = [row.value for row in example.results] if not example.years else list(example.years[-1])
        # The results appear in the PDF in the order of the table, each after the one before.
        start = pdf_text.index(calculator.intro.split(".")[0])
        for value in shown:
            start = pdf_text.index(value, start) + len(value)


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
