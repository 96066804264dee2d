"""The offline outputs: the whole-guide PDF and the site opened from disk.

The PDF is printed once per test run by a real `make site` build (the print page assembled from the built site,
then Chromium), and every PDF test reads that one file: its text through poppler's
pdftotext, its links and destinations through pypdf.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import PROJECT_DIR, tool

NAV_CHROME = ("Skip to content", "Table of contents", "Back to top", "Type to start searching", "Initializing search")


def _fold(text: str) -> str:
    """Whitespace folded to single spaces, and words that the PDF's line breaks split after a hyphen rejoined."""
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(text.split()))


@pytest.fixture(scope="session")
def pdf_file(site_with_pdf: Path) -> Path:
    """The PDF as `make site` prints it and offers it for download."""
    return site_with_pdf / "downloads" / "guide.pdf"


def _pdftotext(pdf: Path, *options: str) -> list[str]:
    """The text of each page, as poppler's pdftotext reads it."""
    text = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", *options, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="session")
def pdf_pages(pdf_file: Path) -> list[str]:
    """Each page's text, folded by ``_fold``; page N is ``pdf_pages[N - 1]``."""
    pages = [_fold(page) for page in _pdftotext(pdf_file)]
    assert len(pages) > 20, f"the PDF has only {len(pages)} pages"
    return pages


@pytest.fixture(scope="session")
def pdf_text(pdf_pages: list[str]) -> str:
    """The whole PDF's text, folded by ``_fold``."""
    return " ".join(pdf_pages)


@pytest.mark.build
@pytest.mark.browser
def test_pdf_cover_names_version_licence_and_citation(pdf_text: str, guide) -> None:
    start = pdf_text[:3000]
    assert guide.meta.title in start
    assert f"Version {guide.meta.version}" in start
    assert guide.meta.licence.title in start and guide.meta.release_date in start
    assert "How to cite" in start


@pytest.mark.build
@pytest.mark.browser
def test_pdf_has_page_numbers_and_contents(pdf_pages: list[str]) -> None:
    total = len(pdf_pages)
    assert [n for n, page in enumerate(pdf_pages, 1) if f"page {n} of {total}" not in page] == []
    assert _contents_page(pdf_pages) > 1, "the contents follow the cover and the executive summary"


@pytest.mark.build
@pytest.mark.browser
def test_pdf_holds_every_theme_finding_faq_and_source(pdf_text: str, guide) -> None:
    missing = [theme.title for theme in guide.themes if theme.title not in pdf_text]
    missing += [finding.id for finding in guide.findings if finding.id not in pdf_text]
    missing += [faq.question for faq in guide.faqs if " ".join(faq.question.split()) not in pdf_text]
    missing += [source.key for source in guide.sources if source.key not in pdf_text]
    missing += [item.id for item in guide.items if item.id not in pdf_text]
    assert missing == []


@pytest.mark.build
@pytest.mark.browser
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
    # The editors' handbook and field reference stay on the website (aiguide.printbook.LEFT_OUT).
    assert "Contributing to the guide" not in pdf_body and "Field reference" not in pdf_body


@pytest.mark.build
@pytest.mark.browser
def test_pdf_is_tagged_a4_with_bookmarks(pdf_file: Path, guide) -> None:
    info = subprocess.run(["pdfinfo", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE), info
    data = pdf_file.read_bytes()
    assert b"/Outlines" in data
    assert len(re.findall(rb"/Title", data)) > len(guide.themes) + len(guide.phases) + len(guide.roles)


def _starts_followed_by(body: str, prefix: str, text: str) -> list[int]:
    """Where ``prefix`` followed by ``text`` starts in ``body``, ``text`` compared by letters and digits only
    (pdftotext may drop the hyphen of "roll-out" when it falls at a line end)."""
    wanted = _letters(text)
    starts = [match.start() for match in re.finditer(re.escape(prefix), body)]
    return [start for start in starts if _letters(body[start + len(prefix) :][: len(text) + 40]).startswith(wanted)]


def _count_followed_by(body: str, prefix: str, text: str) -> int:
    return len(_starts_followed_by(body, prefix, text))


def _letters(text: str) -> str:
    """Letters and digits only: pdftotext drops the hyphen of a word split at a line end ("over-" + "reliance")."""
    return re.sub(r"[\W_]+", "", text)


@pytest.fixture(scope="session")
def pdf_body(pdf_text: str, guide) -> str:
    """The PDF's text without the page footers, which fall between any two lines."""
    footer = re.escape(f"{guide.meta.title}, version {guide.meta.version} · page ") + r"\d+ of \d+ ?"
    return re.sub(footer, "", pdf_text)


@pytest.mark.build
@pytest.mark.browser
def test_pdf_prints_each_checklist_item_in_full_once(pdf_body: str, guide) -> None:
    """The checklist chapter holds each item: its heading (number and question) and its help text, once only."""
    body = _letters(pdf_body)
    counts = {
        item.id: (_count_followed_by(pdf_body, f"{item.id} · ", item.question), body.count(_letters(item.help)))
        for item in guide.items
    }
    assert {item_id: found for item_id, found in counts.items() if found != (1, 1)} == {}


@pytest.mark.build
@pytest.mark.browser
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


@pytest.mark.build
@pytest.mark.browser
def test_pdf_role_and_step_pages_list_items_by_number_and_findings_by_title(pdf_body: str, guide, loaded) -> None:
    DIRECTION_LABELS = loaded.fields.labels("findings", "findings[].direction")
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
        # one line on the page of each role it concerns and in one list (barriers, facilitators or both) of each step
        line = _fold(f"{finding.id} {finding.title} — {DIRECTION_LABELS[finding.direction]} · ")
        expected = len(finding.roles) + len(finding.phases)
        if pdf_body.count(line) != expected:
            missing.append((finding.id, pdf_body.count(line), expected))
    assert missing == []


@pytest.mark.build
@pytest.mark.browser
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
        f"{site}/assets/stylesheets/book.css",
        f"{site}/assets/stylesheets/guide.css",
    ]
    refused = [
        f"{site}/js/print-site.js",
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


@pytest.mark.build
@pytest.mark.browser
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


@pytest.mark.build
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


# --- The executive summary, the evidence, the contents and the links -----------------------------------------

_FINDING_HEADING = re.compile(r"\b[A-Z]{2,5}-\d{2,4} · ")


def _contents_page(pdf_pages: list[str]) -> int:
    """The index in ``pdf_pages`` of the page that opens the contents."""
    return next(index for index, page in enumerate(pdf_pages) if page.startswith("Contents "))


@pytest.mark.build
@pytest.mark.browser
def test_pdf_opens_with_the_executive_summary_before_the_contents(
    pdf_pages: list[str], pdf_body: str, guide, loaded
) -> None:
    from aiguide import evidence

    words = {
        **loaded.fields.labels("findings", "findings[].confidence.override.level"),
        **loaded.fields.labels("findings", "findings[].kind"),
    }

    assert pdf_pages[1].startswith("Executive summary ")
    summary = " ".join(pdf_pages[1 : _contents_page(pdf_pages)])
    first = guide.phases_in_order[0]
    assert first.title in summary and _fold(first.key_question) in summary
    assert [item.id for item in guide.items if item.tier == "essential" and item.id not in summary] == []
    assert [role.title for role in guide.roles if _fold(role.title) not in summary] == []
    for direction in ("facilitator", "barrier", "both"):
        # The finding with the best evidence label of each direction is named, with its label.
        findings = [finding for finding in guide.findings if finding.direction == direction]
        best = min(evidence.CATEGORIES.index(evidence.category(finding, guide)) for finding in findings)
        top = [f for f in findings if evidence.CATEGORIES.index(evidence.category(f, guide)) == best]
        label = words[evidence.CATEGORIES[best]].lower()
        assert any(_fold(f"{f.id} {f.title} ({label})") in summary for f in top)
    # Said once: the decision-makers' chapter leaves out what the front of the PDF already holds.
    assert pdf_body.count("Executive summary") == 1


@pytest.mark.build
@pytest.mark.browser
def test_each_finding_prints_its_evidence_in_full(pdf_body: str, guide) -> None:
    """Every source a finding cites is named between its heading and the next finding's heading."""
    missing = {}
    for finding in guide.findings:
        starts = _starts_followed_by(pdf_body, f"{finding.id} · ", finding.title)
        if len(starts) != 1:
            missing[finding.id] = f"{len(starts)} headings"
            continue
        after = _FINDING_HEADING.search(pdf_body, starts[0] + len(finding.id))
        segment = _letters(pdf_body[starts[0] : after.start() if after else None])
        absent = [c.source for c in finding.citations if _letters(c.source) not in segment]
        if absent or _letters(f"Evidence for {finding.id}: {len(finding.citations)} citation") not in segment:
            missing[finding.id] = absent
    assert missing == {}


@pytest.mark.build
@pytest.mark.browser
def test_each_faq_answer_prints_its_sources(pdf_body: str, guide) -> None:
    from aiguide.render import plain

    body = _letters(pdf_body)
    # Each question followed by its answer (letters and digits only: line ends may drop a hyphen), in FAQ order.
    starts = [body.find(_letters(f"{faq.question} {plain(faq.answer)}")[:150]) for faq in guide.faqs]
    assert -1 not in starts and starts == sorted(starts), starts
    ends = [*starts[1:], starts[-1] + 6000]
    missing = {
        faq.id: [c.source for c in faq.citations if _letters(c.source) not in body[start:end]]
        for faq, start, end in zip(guide.faqs, starts, ends, strict=True)
    }
    assert {faq_id: keys for faq_id, keys in missing.items() if keys} == {}


def _contents_entries(pdf_file: Path, pdf_pages: list[str]) -> list[tuple[str, int]]:
    """(title, page) of each line of the printed contents."""
    layout = _pdftotext(pdf_file, "-layout")
    first = _contents_page(pdf_pages)
    entries: list[tuple[str, int]] = []
    for index in range(first, len(layout)):
        if entries and index + 1 >= entries[0][1]:
            break  # the first chapter has started
        for line in layout[index].splitlines():
            match = re.fullmatch(r"\s*(\S.*?)\s{2,}(\d+)\s*", line)
            if match and "· page" not in line:
                entries.append((_fold(match.group(1)), int(match.group(2))))
    return entries


@pytest.mark.build
@pytest.mark.browser
def test_contents_page_numbers_match_the_pages(pdf_file: Path, pdf_pages: list[str], guide) -> None:
    entries = _contents_entries(pdf_file, pdf_pages)
    titles = [title for title, _ in entries]
    assert len(titles) == len(set(titles)), "no entry twice"
    assert {theme.title for theme in guide.themes} | {role.title for role in guide.roles} <= set(titles)
    assert [page for _, page in entries] == sorted(page for _, page in entries)
    wrong = [(title, page) for title, page in entries if _letters(title) not in _letters(pdf_pages[page - 1])]
    assert wrong == []


class _Headings(HTMLParser):
    """The text of each heading of the print page by its id; a page's section id gives its first heading."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self.all: list[str] = []
        self._section = ""
        self._heading: str | None = None
        self._words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "section" and named.get("id"):
            self._section = named["id"] or ""
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading, self._words = named.get("id") or "", []

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and re.fullmatch(r"h[1-6]", tag):
            words = _fold("".join(self._words))
            self.all.append(words)
            if self._heading:
                self.text[self._heading] = words
            if self._section and self._section not in self.text:
                self.text[self._section] = words
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._words.append(data)


@pytest.mark.build
@pytest.mark.browser
def test_internal_links_lead_to_the_page_of_their_heading(pdf_file: Path, pdf_pages: list[str], built_site: Path):
    from pypdf import PdfReader

    headings = _Headings()
    headings.feed((built_site / "print_page.html").read_text(encoding="utf-8"))
    reader = PdfReader(pdf_file)
    destinations = {
        name.lstrip("/"): reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()
    }
    checked, wrong = 0, []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            target = str(link.get("/Dest") or "").lstrip("/")
            if link.get("/Subtype") != "/Link" or target not in headings.text:
                continue
            checked += 1
            if _letters(headings.text[target]) not in _letters(pdf_pages[destinations[target]]):
                wrong.append((target, destinations[target] + 1))
    assert checked > len(headings.text) // 4, f"only {checked} links to headings found"
    assert wrong == []


@pytest.mark.build
@pytest.mark.browser
def test_bookmarks_are_the_headings_word_for_word(pdf_file: Path, built_site: Path) -> None:
    """Chromium joins the lines of a wrapped heading without a space; aiguide.outline puts the spaces back."""
    from pypdf import PdfReader

    headings = _Headings()
    headings.feed((built_site / "print_page.html").read_text(encoding="utf-8"))
    titles: list[str] = []
    pending = list(PdfReader(pdf_file).outline)
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        else:
            titles.append(_fold(item.title))
    assert len(titles) > len(headings.text) // 2
    assert [title for title in titles if title not in set(headings.all)] == []


@pytest.mark.build
def test_print_page_loads_nothing_from_the_network(built_site: Path) -> None:
    html = (built_site / "print_page.html").read_text(encoding="utf-8")
    loaded = re.findall(r"<(?:link|script|img|iframe|source|video|audio)\b[^>]*?(?:href|src)=\"([^\"]+)\"", html)
    # Relative addresses of the site's own files, or inline data (the empty icon): nothing from another host.
    assert loaded and [url for url in loaded if re.match(r"(?!data:)[a-z][a-z0-9+.-]*:|//", url)] == []


@pytest.mark.build
@pytest.mark.browser
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


@pytest.mark.build
@pytest.mark.browser
def test_site_from_disk_navigates_between_pages(browser, built_site: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built_site / "index.html").as_uri())
    page.locator(".md-tabs__link", has_text="Evidence").click()  # the glossary is in the Evidence tab
    page.wait_for_load_state("load")
    page.locator(".md-nav__link:visible", has_text="Glossary").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("glossary/index.html")
    assert page.locator("h1").inner_text().rstrip("¶") == "Glossary"
    page.close()
