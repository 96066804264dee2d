"""WCAG 2.2 AA gate: axe-core on every built page in both colour schemes, keyboard checks, the statement page.

axe runs the rules of WCAG 2.0 to 2.2 at levels A and AA and its own best-practice rules (unique landmarks,
headings in order, table headers with text, …), which catch what makes a page harder to use without breaking
a success criterion.

axe-core comes from npm (package.json pins it; `npm ci` installs it into node_modules/). Every page of the
built site is checked, including two that are easy to forget:

- ``print_page.html``, the whole guide on one page, which `make site` prints to the PDF, so the PDF's
  text, links and tables are checked here too (as they look on screen). It is a document for paper, not a
  page of the theme: it has one colour scheme, and no navigation to skip;
- ``404.html``. MkDocs writes its links as absolute paths from the site root (it cannot know how deep the
  missing address was); ``site_server`` serves the site from the root, so it renders with its styles.

No axe rule is disabled: a violation is fixed in the theme overrides or the CSS (see the accessibility
part of docs/assets/stylesheets/guide.css), never by leaving the rule out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PROJECT_DIR

AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
VIEWPORT = {"width": 1280, "height": 900}

# Material's two palettes as mkdocs.yml declares them: what Material stores in localStorage when a reader
# picks a scheme with the toggle, and what its inline script then copies onto <body> before the first paint.
SCHEMES = {
    "default": {"index": 0, "media": "(prefers-color-scheme: light)", "color_scheme": "light"},
    "slate": {"index": 1, "media": "(prefers-color-scheme: dark)", "color_scheme": "dark"},
}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : t).join(' ')),
  }));
}"""


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to its root."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))


def axe_script() -> Path:
    assert AXE_JS.is_file(), f"{AXE_JS.relative_to(PROJECT_DIR)} is missing: run `npm ci` (or `make test`)"
    return AXE_JS


@pytest.fixture(scope="module", params=sorted(SCHEMES))
def scheme_context(request, browser, site_server: str) -> Iterator[tuple[str, object]]:
    """One browser context per colour scheme, shared by the tests of that scheme; yields (scheme, context)."""
    scheme = request.param
    settings = SCHEMES[scheme]
    palette = {
        "index": settings["index"],
        "color": {"media": settings["media"], "scheme": scheme, "primary": "indigo", "accent": "indigo"},
    }
    # Material keys its settings by the site root's path ("/" here): __md_get("__palette") reads "/.__palette".
    key = re.sub(r"^https?://[^/]+", "", site_server) + ".__palette"
    context = browser.new_context(
        viewport=VIEWPORT,
        color_scheme=settings["color_scheme"],
        bypass_csp=True,  # the pages' CSP (rightly) refuses injected scripts such as axe itself
    )
    context.add_init_script(f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(palette))})")
    yield scheme, context
    context.close()


def check_scheme(page, scheme: str) -> str | None:
    """None when the page shows ``scheme`` (Material's attribute on <body>, and a light or dark page), else why."""
    shown = page.evaluate(
        """() => ({scheme: document.body.getAttribute('data-md-color-scheme'),
                   background: getComputedStyle(document.body).backgroundColor})"""
    )
    channels = [int(value) for value in re.findall(r"\d+", shown["background"])[:3]]
    dark = len(channels) == 3 and sum(channels) / 3 < 128
    if shown["scheme"] != scheme or dark != (SCHEMES[scheme]["color_scheme"] == "dark"):
        return f"expected the {scheme} scheme, the page shows {shown}"
    return None


def describe(page_name: str, scheme: str, violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        targets = violation["targets"]
        shown = ", ".join(targets[:8]) + (f", … {len(targets) - 8} more" if len(targets) > 8 else "")
        lines.append(
            f"{page_name} [{scheme}]: {violation['id']} ({violation['impact']}), {violation['help']}; "
            f"{len(targets)} element(s): {shown}"
        )
    return lines


PRINT_PAGE = "print_page.html"


def run_axe(page, name: str, scheme: str) -> list[str]:
    """Problems found on the loaded page: a wrong colour scheme, or axe's violations."""
    wrong = None if name == PRINT_PAGE else check_scheme(page, scheme)
    if wrong:
        return [f"{name} [{scheme}]: {wrong}"]
    page.add_script_tag(path=str(axe_script()))
    return describe(name, scheme, page.evaluate(RUN_AXE, AXE_TAGS))


def test_every_page_passes_axe_wcag_22_aa_and_best_practice_in_both_colour_schemes(
    scheme_context: tuple[str, object], built_site: Path, site_server: str
) -> None:
    scheme, context = scheme_context
    pages = site_pages(built_site)
    assert "index.html" in pages and "print_page.html" in pages and len(pages) > 40, pages
    page = context.new_page()
    # Every page load makes Material's search worker download the 0.7 MB search index and index it anew,
    # which on two cores takes as long as axe itself. The closed search dialog looks the same without it
    # (axe skips hidden content anyway), and the open dialog with results is checked separately below.
    page.route("**/search/search_index.*", lambda route: route.abort())
    problems: list[str] = []
    for name in pages:
        if name == PRINT_PAGE and scheme != "default":
            continue  # printed on paper: one scheme only
        page.goto(site_server + name, wait_until="load")
        problems += run_axe(page, name, scheme)
    page.close()
    assert not problems, f"{len(problems)} accessibility violation(s) (WCAG 2.2 AA and best practice, axe-core):\n" + (
        "\n".join(problems)
    )


def test_open_search_with_results_passes_axe(scheme_context: tuple[str, object], site_server: str) -> None:
    scheme, context = scheme_context
    page = context.new_page()
    page.goto(site_server + "index.html", wait_until="load")
    page.click("input.md-search__input")
    page.keyboard.type("workflow")
    page.wait_for_selector(".md-search-result__item")
    problems = run_axe(page, "index.html with search results", scheme)
    page.close()
    assert not problems, "\n".join(problems)


def test_self_assessment_with_answers_and_results_passes_axe(
    scheme_context: tuple[str, object], site_server: str
) -> None:
    scheme, context = scheme_context
    page = context.new_page()
    page.goto(site_server + "assessment/index.html", wait_until="load")
    page.wait_for_selector("#ag-results:not([hidden])")
    page.check("#ag-later")  # every step on show, so every question is checked
    # A spread of answers (every option somewhere), so results, weak points and capping notices all show.
    page.evaluate(
        """() => document.querySelectorAll('fieldset.ag-question').forEach((question, index) => {
             const radios = question.querySelectorAll('input[type=radio]');
             radios[index % radios.length].click();
           })"""
    )
    page.wait_for_selector(".ag-weak-list li")
    page.locator("details.ag-help summary").first.click()  # one help text open
    # A comparison with an earlier share link (one answer changed), with a notice about an entry it could not read.
    link = page.input_value("#ag-share-url")
    page.fill("#ag-compare-link", re.sub(r"#a=([^.]+)\.[^,&]+", r"#a=\1.yes,XX-99.yes", link, count=1))
    page.click("[data-action=compare-link]")
    page.wait_for_selector("#ag-diff table")
    assert page.is_visible("#ag-notice")
    problems = run_axe(page, "assessment/index.html answered", scheme)
    page.evaluate("() => localStorage.clear()")
    page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "broken"),
    [("alerts", "prevalence"), ("sample-size", "precision"), ("cost", "years")],
)
def test_calculators_with_results_notices_and_errors_pass_axe(
    scheme_context: tuple[str, object], site_server: str, name: str, broken: str
) -> None:
    scheme, context = scheme_context
    page = context.new_page()
    # A link with one unusable part: the notice, the results and (below) a field's error all show at once.
    page.goto(f"{site_server}calculators/{name}/index.html#bogus=1", wait_until="load")
    page.wait_for_selector(f"#calc-{name}-notice:not([hidden])")
    page.wait_for_selector(f"#calc-{name}-output table")
    problems = run_axe(page, f"calculators/{name} with results", scheme)
    page.fill(f"#calc-{name}-{broken}", "-1")
    page.wait_for_selector(f"#calc-{name}-{broken}-error:not([hidden])")
    problems += run_axe(page, f"calculators/{name} with an error", scheme)
    page.evaluate("() => localStorage.clear()")
    page.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def keyboard_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
             return {tag: e.tagName, cls: e.className || '', text: (e.textContent || '').trim().slice(0, 60),
                     inContent: !!e.closest('.md-content'), search: e.matches('input.md-search__input'),
                     skip: e.matches('a.md-skip'), visible: e.getBoundingClientRect().height > 0}; }"""
    )


def test_every_page_with_a_heading_has_a_skip_link(built_site: Path) -> None:
    # Material writes the skip link to the page's first heading, so only a page without one (404.html) lacks it.
    # The print page starts with its content: there is nothing to skip.
    missing = [
        name
        for name in site_pages(built_site)
        if name not in ("404.html", PRINT_PAGE)
        and 'class="md-skip"' not in (built_site / name).read_text(encoding="utf-8")
    ]
    assert missing == []


def test_tab_from_page_start_reaches_skip_link_then_search_then_main_content(keyboard_page, site_server: str) -> None:
    page = keyboard_page
    page.goto(site_server + "index.html", wait_until="load")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["skip"] and first["visible"], f"the first Tab should show the skip link, got {first}"
    assert first["text"] == "Skip to content"
    reached_search = reached_content = False
    for _ in range(80):
        page.keyboard.press("Tab")
        now = focused(page)
        reached_search = reached_search or now["search"]
        if now["inContent"]:
            reached_content = True
            break
    assert reached_search, "Tab never reached the search box before the main content"
    assert reached_content, "80 presses of Tab never reached the main content"


@pytest.mark.parametrize("name", ["index.html", "findings/index.html", "themes/workflow-integration/index.html"])
def test_skip_link_moves_keyboard_focus_to_the_main_content(keyboard_page, site_server: str, name: str) -> None:
    page = keyboard_page
    page.goto(site_server + name, wait_until="load")
    page.keyboard.press("Tab")
    assert focused(page)["skip"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["inContent"] and now["visible"], f"after the skip link, Tab should land in the content, got {now}"


def test_wide_tables_can_be_scrolled_from_the_keyboard(keyboard_page, site_server: str) -> None:
    """A table wider than the column becomes a focusable, named region (assets/javascripts/scrollable-tables.js)."""
    page = keyboard_page
    page.goto(site_server + "editing/reference/index.html", wait_until="load")
    # scrollable-tables.js marks the wrappers once the page has been laid out (a ResizeObserver reports them).
    page.wait_for_selector(".md-typeset__scrollwrap[tabindex='0']", state="attached")
    regions = page.evaluate(
        """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
             .filter((w) => w.scrollWidth > w.clientWidth + 1)
             .map((w) => ({tabindex: w.getAttribute('tabindex'), role: w.getAttribute('role'),
                           label: w.getAttribute('aria-label')}))"""
    )
    assert regions, "expected the field reference to hold tables wider than the page"
    for region in regions:
        assert region["tabindex"] == "0" and region["role"] == "region", region
        assert region["label"].startswith("Table: ") and len(region["label"]) > len("Table: "), region
    page.focus(".md-typeset__scrollwrap[tabindex='0']")
    before = page.evaluate("document.activeElement.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(x) => document.activeElement.scrollLeft > x", arg=before)


def test_search_dialog_has_an_accessible_name(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="md-search"[^>]*role="dialog"[^>]*aria-label="Search"', html)


def test_accessibility_statement_states_the_standard_testing_limits_and_how_to_report(built_site: Path) -> None:
    path = built_site / "accessibility" / "index.html"
    assert path.is_file(), "docs/accessibility/index.md is not built (is it in the nav of mkdocs.yml?)"
    html = path.read_text(encoding="utf-8")
    article = html[html.index('<article class="md-content__inner') : html.index("</article>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article))
    for phrase in (
        "WCAG) 2.2 at level AA",
        "axe-core",
        "light colour scheme and in the dark one",
        "Nu HTML Checker",
        "Known limits",
        "The PDF is tagged",
        "Reporting a problem",
        "Open an issue",
        "contact the editors",
    ):
        assert phrase in text, f"the accessibility statement should say {phrase!r}"
    assert "@" not in text, "the statement must not name an email address that nobody reads"
    assert 'href="../accessibility/index.html"' in (built_site / "about" / "index.html").read_text(encoding="utf-8")
