"""Every page in the browser: axe-core (WCAG 2.2 AA and best practice) in both colour schemes, privacy and CSP.

Each page of the built site is one test (so two workers share the sweep and a failure names its page), opened
light and then switched to dark with the header's toggle, as a reader does. Opened over HTTP under its real
Content-Security-Policy, with its scripts running, a page must:

- pass axe-core's rules of WCAG 2.0 to 2.2 at levels A and AA and its best-practice rules (unique landmarks,
  headings in order, table headers with text, …), which catch what makes a page harder to use without breaking
  a success criterion; in the dark scheme, which changes colours and nothing else (a test below checks that),
  the rules that judge colours. In both schemes the colour rules judge each look once (text with the colours,
  size and backgrounds of text already judged in that browser gets the same verdict; a test below shows that a
  new look is still judged). No axe rule is disabled: a violation is fixed in the theme overrides or the CSS
  (see the accessibility part of docs/assets/stylesheets/guide.css), never by leaving the rule out;
- request nothing from another host, set no cookie, and log no script error and no CSP violation.

axe-core comes from npm (package.json pins it; `npm ci` installs it into node_modules/) and is added to every
page as the browser's own init script, which the page's CSP does not govern, so the policy stays on. Two pages
are easy to forget and are checked too:

- ``print_page.html``, the whole guide on one page, which `make site` prints to the PDF, so the PDF's
  text, links and tables are checked here too (as they look on screen). It is a document for paper, not a
  page of the theme: it has one colour scheme, and no navigation to skip;
- ``404.html``. MkDocs writes its links as absolute paths from the site root (it cannot know how deep the
  missing address was); ``site_server`` serves the site from the root, so it renders with its styles.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import PROJECT_DIR, site_page_names

AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
# Every rule of WCAG 2.0 to 2.2 at levels A and AA, and axe's best practice, in the light scheme. The dark scheme
# changes colours and which of the two scheme toggles shows, nothing else (tested below), so there axe runs the
# rules that judge colours (contrast of text; links in running text told apart from it) on the whole page, and
# every rule on the toggle. Each entry: (the part of the page, or None for all of it; the rules).
PALETTE_TOGGLE = "[data-md-component=palette]"
EVERY_RULE = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}
COLOUR_RULES = {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}
AXE_RUNS = {
    "default": [(None, EVERY_RULE)],
    "slate": [(None, COLOUR_RULES), (PALETTE_TOGGLE, EVERY_RULE)],
}
# In the sweep of every page, the colour rules judge each look once per browser, in each scheme: "new looks"
# stands for the elements with text whose look (see LOOKS) no earlier page of the sweep showed, one per look;
# every other rule judges the whole page.
NEW_LOOKS = "new looks"
EVERY_OTHER_RULE = {**EVERY_RULE, "except": COLOUR_RULES["values"]}


def sweep_runs(runs: list[tuple[str | None, dict]]) -> list[tuple[str | None, dict]]:
    """``runs`` with the colour rules on the new looks only, every other rule on the whole page as before."""
    swept: list[tuple[str | None, dict]] = []
    for part, rules in runs:
        if part is None and rules is EVERY_RULE:
            swept += [(None, EVERY_OTHER_RULE), (NEW_LOOKS, COLOUR_RULES)]
        elif part is None and rules is COLOUR_RULES:
            swept.append((NEW_LOOKS, COLOUR_RULES))
        else:
            swept.append((part, rules))
    return swept


VIEWPORT = {"width": 1280, "height": 900}
PRINT_PAGE = "print_page.html"
PAGES = site_page_names()

# Material's two palettes as mkdocs.yml declares them: what Material stores in localStorage when a reader
# picks a scheme with the toggle, and what its inline script then copies onto <body> before the first paint.
SCHEMES = {
    "default": {"index": 0, "media": "(prefers-color-scheme: light)", "color_scheme": "light"},
    "slate": {"index": 1, "media": "(prefers-color-scheme: dark)", "color_scheme": "dark"},
}

# What axe's colour rules judge a piece of text by: its colour, size, weight, shadow and underline, its parent's
# colour (a link must stand out from the text around it), whether it is a link inside running text, and the
# backgrounds and opacities behind it up to the first opaque background. Two elements with the same look get the
# same verdict, so judging one judges both; page-specific colours (a striped row, a hovered link) change the look.
LOOKS = """
const lookOf = (element) => {
  const own = getComputedStyle(element);
  const parent = element.parentElement || element;
  const inText = element.tagName === 'A' && parent.textContent.trim().length > element.textContent.trim().length;
  const parts = [element.tagName === 'A' ? (inText ? 'link in text' : 'link') : 'text', own.color, own.fontSize,
                 own.fontWeight, own.textShadow, own.textDecorationLine, own.borderBottomStyle,
                 getComputedStyle(parent).color];
  for (let e = element; e; e = e.parentElement) {
    const style = e === element ? own : getComputedStyle(e);
    if (style.opacity !== '1') parts.push('opacity ' + style.opacity);
    if (style.backgroundImage !== 'none') parts.push('image ' + style.backgroundImage);
    if (style.backgroundColor !== 'rgba(0, 0, 0, 0)') {
      parts.push('on ' + style.backgroundColor);
      if (!style.backgroundColor.startsWith('rgba')) break;
    }
  }
  return parts.join(' | ');
};
const judged = (element) => (element.matches('input, select, textarea, button')
    || [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()))
  && element.checkVisibility({visibilityProperty: true, opacityProperty: true});
const newLooks = (seen) => {
  const known = new Set(seen), fresh = new Map();
  for (const element of document.body.querySelectorAll('*')) {
    if (!judged(element)) continue;
    const look = lookOf(element);
    if (!known.has(look) && !fresh.has(look)) fresh.set(look, element);
  }
  return fresh;
};
"""

RUN_AXE = (
    """async ([runs, seen]) => {"""
    + LOOKS
    + """
  const violations = [];
  let looks = [];
  for (const [part, runOnly] of runs) {
    let context = document;
    if (part === '"""
    + NEW_LOOKS
    + """') {
      const fresh = newLooks(seen);
      looks = [...fresh.keys()];
      if (!fresh.size) continue;
      context = {include: [...fresh.values()]};
    } else if (part) {
      if (!document.querySelector(part)) continue;
      context = {include: [part]};
    }
    const options = {runOnly: {type: runOnly.type, values: runOnly.values}, resultTypes: ['violations']};
    if (runOnly.except) {  // every rule of the tags but the ones named
      options.rules = Object.fromEntries(runOnly.except.map((id) => [id, {enabled: false}]));
    }
    const result = await axe.run(context, options);
    violations.push(...result.violations);
  }
  return {looks, violations: violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : t).join(' ')),
  }))};
}"""
)

# Colours judged mid-transition (a button just clicked fades to its hover colour) are neither state: wait until
# every finite transition and animation has finished.
TRANSITIONS_DONE = """() => Promise.all(document.getAnimations()
  .filter((animation) => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity)
  .map((animation) => animation.finished.catch(() => null))).then(() => true)"""

# Recorded from the first line of each page: what its Content-Security-Policy refused.
RECORD_CSP_VIOLATIONS = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to its root."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))


def axe_script() -> Path:
    assert AXE_JS.is_file(), f"{AXE_JS.relative_to(PROJECT_DIR)} is missing: run `npm ci` (or `make test`)"
    return AXE_JS


def axe_context(browser, **options):
    """A browser context whose pages carry axe-core from their start, their own CSP left on."""
    context = browser.new_context(viewport=VIEWPORT, **options)
    context.add_init_script(path=str(axe_script()))
    return context


def scheme_browser_context(browser, site_server: str, scheme: str):
    """A context whose pages show ``scheme``, as if the reader had picked it with the toggle, and carry axe."""
    settings = SCHEMES[scheme]
    palette = {
        "index": settings["index"],
        "color": {"media": settings["media"], "scheme": scheme, "primary": "indigo", "accent": "indigo"},
    }
    # Material keys its settings by the site root's path ("/" here): __md_get("__palette") reads "/.__palette".
    key = re.sub(r"^https?://[^/]+", "", site_server) + ".__palette"
    context = axe_context(browser, color_scheme=settings["color_scheme"])
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    context.add_init_script(f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(palette))})")
    return context


@pytest.fixture(scope="module")
def scheme_context(request, browser, site_server: str) -> Iterator[tuple[str, object]]:
    """One browser context per colour scheme (the test's parameter), shared by that scheme's tests."""
    context = scheme_browser_context(browser, site_server, request.param)
    yield request.param, context
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


def run_axe(page, name: str, scheme: str, seen_looks: set[str] | None = None) -> list[str]:
    """Problems found on the loaded page (opened in an :func:`axe_context`): a wrong colour scheme, or axe's.

    With ``seen_looks`` (the sweep's), the colour rules judge only looks not in it, which are then added to it.
    """
    wrong = None if name == PRINT_PAGE else check_scheme(page, scheme)
    if wrong:
        return [f"{name} [{scheme}]: {wrong}"]
    page.evaluate(TRANSITIONS_DONE)
    runs = AXE_RUNS[scheme] if seen_looks is None else sweep_runs(AXE_RUNS[scheme])
    result = page.evaluate(RUN_AXE, [runs, sorted(seen_looks or ())])
    problems = describe(name, scheme, result["violations"])
    if seen_looks is not None and not problems:
        seen_looks.update(result["looks"])
    return problems


def test_the_pages_checked_one_by_one_are_every_page_the_build_writes(built_site: Path) -> None:
    assert site_pages(built_site) == PAGES
    assert "index.html" in PAGES and PRINT_PAGE in PAGES and len(PAGES) > 40


in_each_scheme = pytest.mark.parametrize("scheme_context", sorted(SCHEMES), indirect=True)


@dataclasses.dataclass
class SweepPage:
    """One browser tab that opens page after page in the light scheme, recording what each page does."""

    context: object
    page: object
    requests: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    seen_looks: set[str] = dataclasses.field(default_factory=set)  # looks judged so far, in either scheme

    def open(self, url: str) -> None:
        self.requests.clear()
        self.errors.clear()
        self.page.goto(url, wait_until="load")


@pytest.fixture(scope="module")
def sweep(browser, site_server: str) -> Iterator[SweepPage]:
    """A tab reused from page to page (a new tab costs more than loading a page); every page opens light."""
    context = scheme_browser_context(browser, site_server, "default")
    sweep = SweepPage(context, context.new_page())
    sweep.page.on("request", lambda request: sweep.requests.append(request.url))
    sweep.page.on("pageerror", lambda error: sweep.errors.append(str(error)))
    sweep.page.on("console", lambda message: sweep.errors.append(message.text) if message.type == "error" else None)
    yield sweep
    context.close()


def pick_scheme_with_the_toggle(page, scheme: str) -> None:
    """Switch the open page to ``scheme`` as a reader does, with the header's toggle, and move the mouse away."""
    page.click(f"{PALETTE_TOGGLE} label:not([hidden])")
    page.wait_for_function("(scheme) => document.body.getAttribute('data-md-color-scheme') === scheme", arg=scheme)
    page.mouse.move(0, 0)


def check_page(sweep: SweepPage, site_server: str, name: str) -> None:
    """Open ``name`` in the sweep's tab, check it light, then dark, and assert everything this module promises."""
    sweep.open(site_server + name)
    if name == PRINT_PAGE:
        problems = run_axe(sweep.page, name, "default", sweep.seen_looks)
    else:
        problems = run_axe_in_both_schemes(sweep.page, name, sweep.seen_looks)
    host = urlsplit(site_server).netloc
    foreign = [
        url for url in sweep.requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host
    ]
    assert not problems, f"{len(problems)} accessibility violation(s) (WCAG 2.2 AA and best practice, axe-core):\n" + (
        "\n".join(problems)
    )
    assert foreign == [], "requests to another host"
    assert sweep.context.cookies() == [], "the page set a cookie"
    assert sweep.errors == [], "script errors"
    assert sweep.page.evaluate("window.__cspViolations") == [], "Content-Security-Policy violations"


@pytest.mark.parametrize("name", [name for name in PAGES if name != PRINT_PAGE])
def test_page_passes_axe_in_both_schemes_and_makes_no_foreign_request_cookie_error_or_csp_violation(
    sweep: SweepPage, site_server: str, name: str
) -> None:
    check_page(sweep, site_server, name)


def test_print_page_passes_axe_and_makes_no_foreign_request_cookie_error_or_csp_violation(
    sweep: SweepPage, site_server: str
) -> None:
    """The print page is printed on paper: one colour scheme only."""
    check_page(sweep, site_server, PRINT_PAGE)


SAME_MARKUP_PAGES = ["index.html", "findings/index.html", "assessment/index.html", "calculators/cost/index.html"]

# The page's markup once its scripts have run, without the attributes that name the colour scheme.
MARKUP_WITHOUT_SCHEME = """() => {
  const copy = document.documentElement.cloneNode(true);
  for (const element of copy.querySelectorAll('*')) {
    for (const name of ['scheme', 'primary', 'accent', 'media']) element.removeAttribute('data-md-color-' + name);
  }
  copy.querySelectorAll('meta[name=color-scheme]').forEach((meta) => meta.removeAttribute('content'));
  copy.querySelectorAll('[data-md-component=palette] label').forEach((label) => label.removeAttribute('hidden'));
  return copy.outerHTML;
}"""


def test_the_dark_scheme_changes_colours_and_nothing_else(browser, site_server: str) -> None:
    """Why the dark scheme needs only axe's colour rules: the markup is the same in both schemes.

    Apart from the colour attributes, only the scheme toggle differs (which of its two buttons shows), and axe
    checks the toggle with every rule in both schemes.
    """
    markup = {}
    for scheme in SCHEMES:
        context = scheme_browser_context(browser, site_server, scheme)
        page = context.new_page()
        for name in SAME_MARKUP_PAGES:
            page.goto(site_server + name, wait_until="load")
            assert check_scheme(page, scheme) is None
            markup[scheme, name] = page.evaluate(MARKUP_WITHOUT_SCHEME)
        context.close()
    for name in SAME_MARKUP_PAGES:
        assert markup["default", name] == markup["slate", name], name


@in_each_scheme
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


@pytest.fixture
def light_page(browser, site_server: str):
    """A new tab that opens pages in the light scheme, carrying axe."""
    context = scheme_browser_context(browser, site_server, "default")
    yield context.new_page()
    context.close()


def run_axe_in_both_schemes(page, name: str, seen_looks: set[str] | None = None) -> list[str]:
    """axe on the page as it stands, light, then dark after the reader's toggle (the page stays dark)."""
    problems = run_axe(page, name, "default", seen_looks)
    pick_scheme_with_the_toggle(page, "slate")
    return problems + run_axe(page, name, "slate", seen_looks)


def test_self_assessment_with_answers_and_results_passes_axe_in_both_schemes(light_page, site_server: str) -> None:
    page = light_page
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
    problems = run_axe_in_both_schemes(page, "assessment/index.html answered")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "broken"),
    [("alerts", "prevalence"), ("sample-size", "precision"), ("cost", "years")],
)
def test_calculators_with_results_notices_and_errors_pass_axe_in_both_schemes(
    light_page, site_server: str, name: str, broken: str
) -> None:
    page = light_page
    # A link with one unusable part: the notice, the results and (below) a field's error all show at once.
    page.goto(f"{site_server}calculators/{name}/index.html#bogus=1", wait_until="load")
    page.wait_for_selector(f"#calc-{name}-notice:not([hidden])")
    page.wait_for_selector(f"#calc-{name}-output table")
    seen: set[str] = set()  # the error's colours are judged where they are new, as in the sweep
    problems = run_axe_in_both_schemes(page, f"calculators/{name} with results", seen)
    page.fill(f"#calc-{name}-{broken}", "-1")
    page.wait_for_selector(f"#calc-{name}-{broken}-error:not([hidden])")
    problems += run_axe(page, f"calculators/{name} with an error", "slate", seen)
    pick_scheme_with_the_toggle(page, "default")
    problems += run_axe(page, f"calculators/{name} with an error", "default", seen)
    assert not problems, "\n".join(problems)


def test_the_sweep_still_judges_a_look_that_no_earlier_page_showed(light_page, site_server: str) -> None:
    """Why judging each look once is enough: a known look is skipped, a new one is judged, in either scheme.

    A page of a kind already seen adds no look; the same page with one kind of text made too faint (a look no
    page showed) fails in each scheme.
    """
    page, seen = light_page, set()
    for name in ("roles/radiologist/index.html", "roles/radiographer/index.html"):
        page.goto(site_server + name, wait_until="load")
        looks_before = len(seen)
        assert run_axe_in_both_schemes(page, name, seen) == [], name
    assert looks_before > 0, "the first page should show looks to judge"
    assert len(seen) == looks_before, "a second page of the same kind should show no new look"
    page.add_style_tag(
        content='[data-md-color-scheme="slate"] .md-typeset td { color: #3a3a4a !important }\n'
        '[data-md-color-scheme="default"] .md-typeset td { color: #d4d4dc !important }'
    )
    for scheme in ("slate", "default"):
        if scheme == "default":
            pick_scheme_with_the_toggle(page, "default")
        problems = run_axe(page, "roles/radiographer/index.html with faint cells", scheme, seen)
        assert any("color-contrast" in problem for problem in problems), (scheme, problems)


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
        "light colour scheme with all of these rules, and again in the dark one",
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
