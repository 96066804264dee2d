"""Layout that holds, in Chromium at the widths readers use: a laptop (1280 px), a phone (390 px) and between.

- the findings table fits a 1280 px screen, and its column chooser works from the keyboard;
- the tables of the role, step and theme pages fit a 390 px screen, and a table that cannot fit says it scrolls;
- score tables (the self-assessment's results) never break a word in two;
- the decision path lays its steps out at every width, with an arrow between each step and the next;
- what looks like a tick box can be ticked, and what cannot be ticked does not look like one on screen.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def tab(browser) -> Iterator[Page]:
    """One browser tab per worker, reused by the module's tests (a new context and tab cost about a page load)."""
    context = browser.new_context(viewport=LAPTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def open_page(tab: Page, site_server: str) -> Callable[[str, dict[str, int]], Page]:
    """Opens a page of the built site at a viewport size in the module's tab, on screen and with nothing stored."""

    def opener(path: str, viewport: dict[str, int]) -> Page:
        if tab.url.startswith(site_server):  # what the last page stored (the self-assessment's answers) goes
            tab.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        tab.emulate_media(media="screen")
        tab.set_viewport_size(viewport)
        tab.goto(site_server + path, wait_until="load")
        return tab

    return opener


# Resizing a loaded page sets off Material's CSS transitions (the header's search field changes width); the page
# is measured once they have finished, laid out as a page loaded at the new size.
SETTLED = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  await Promise.all(document.getAnimations()
    .filter((animation) => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity)
    .map((animation) => animation.finished.catch(() => null)));
}"""


def resize(page: Page, viewport: dict[str, int]) -> None:
    """Gives the loaded page a new viewport size and waits until it has settled at that size."""
    page.set_viewport_size(viewport)
    page.evaluate(SETTLED)


# --- The findings table ------------------------------------------------------------------------------------------


def assert_findings_table_fits(page: Page) -> None:
    assert page.evaluate(PAGE_OVERFLOW) <= 0, "the page scrolls sideways"
    overflow = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('.md-typeset__scrollwrap')]
                   .filter((w) => w.contains(document.getElementById('ag-findings')))
                   .map((w) => w.scrollWidth - w.clientWidth))"""
    )
    assert overflow <= 1, f"the findings table is {overflow} px wider than its column"
    assert page.locator("#ag-findings tbody tr").first.is_visible()


def column_visible(page: Page, name: str) -> bool:
    return page.locator(f"#ag-findings th.ag-col-{name}").is_visible()


def assert_column_chooser_works_from_the_keyboard(page: Page) -> None:
    boxes = page.eval_on_selector_all('input[name="column"]', "boxes => boxes.map((b) => [b.value, b.checked])")
    hidden = [value for value, checked in boxes if not checked]
    shown = [value for value, checked in boxes if checked]
    assert hidden and shown, "the chooser should start with some columns hidden and some shown"
    assert not any(column_visible(page, name) for name in hidden if name != "statement")
    # Reach the chooser with Tab from the last filter control, then tick and untick with the space bar.
    page.get_by_role("button", name="Clear filters").focus()
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        value = page.evaluate("() => document.activeElement.name === 'column' && document.activeElement.value")
        if value == hidden[0]:
            break
        reached.append(value)
    else:
        pytest.fail(f"Tab never reached the {hidden[0]!r} column box (reached {reached})")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => !!document.querySelector('#ag-findings th.ag-col-{hidden[0]}').offsetParent")
    assert page.locator(f"#ag-findings tbody tr td.ag-col-{hidden[0]}").first.is_visible()
    page.keyboard.press("Space")
    page.wait_for_function(f"() => !document.querySelector('#ag-findings th.ag-col-{hidden[0]}').offsetParent")
    # A column shown at the start can be hidden the same way.
    name = next(name for name in shown if name != "statement")
    page.locator(f'input[name="column"][value="{name}"]').focus()
    page.keyboard.press("Space")
    page.wait_for_function(f"() => !document.querySelector('#ag-findings th.ag-col-{name}').offsetParent")
    assert not page.locator(f"#ag-findings tbody tr td.ag-col-{name}").first.is_visible()


def test_findings_table_fits_a_laptop_screen_and_its_column_chooser_works_from_the_keyboard(open_page) -> None:
    """One load of the findings page: first the table as it opens, then the chooser (which changes the table)."""
    page = open_page("findings/index.html", LAPTOP)
    page.wait_for_selector("form[data-ag-columns-for]:not([hidden])")
    assert_findings_table_fits(page)
    assert_column_chooser_works_from_the_keyboard(page)


# --- Tables on a phone -------------------------------------------------------------------------------------------

# scrollable-tables.js marks the wrappers in a ResizeObserver callback, which runs in the first rendering update
# after its observe() call, after that update's animation-frame callbacks: a task queued from an animation-frame
# callback therefore runs once the marks are made, and reads them.
TABLES_FIT_OR_SAY_SO = """async () => {
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const root = document.documentElement;
  return {
    page: root.scrollWidth - root.clientWidth,
    tables: [...document.querySelectorAll('.md-typeset__scrollwrap')].map((wrap) => {
      const before = wrap.previousElementSibling;
      const hint = before && before.classList.contains('ag-scroll-hint') && before.offsetParent !== null
        && before.textContent.includes('scroll');
      return {table: (wrap.querySelector('caption, th') || wrap).textContent.trim().slice(0, 40),
              overflow: wrap.scrollWidth - wrap.clientWidth, region: wrap.getAttribute('role'),
              focusable: wrap.getAttribute('tabindex') === '0', hint: !!hint};
    }),
  };
}"""


def measure_tables(page: Page) -> dict:
    """The page's sideways overflow and, for each table wrapper, its overflow and how it says it scrolls."""
    return page.evaluate(TABLES_FIT_OR_SAY_SO)


def scroll_problems(measured: dict, name: str) -> list[str]:
    problems = []
    if measured["page"] > 0:
        problems.append(f"{name}: the page itself scrolls sideways")
    for table in measured["tables"]:
        if table["overflow"] > 1 and not (table["hint"] and table["focusable"] and table["region"] == "region"):
            problems.append(f"{name}: table {table['table']!r} is {table['overflow']} px too wide and says nothing")
    return problems


def test_tables_of_role_step_and_theme_pages_fit_a_phone_or_say_they_scroll(open_page, site_server: str, guide) -> None:
    """Page after page in one tab at phone width."""
    pages = [
        *(f"roles/{role.id}/index.html" for role in guide.roles),
        *(f"phases/{phase.id}/index.html" for phase in guide.phases),
        *(f"themes/{theme.id}/index.html" for theme in guide.themes),
        *(f"themes/by-domain/{group.id}/index.html" for group in guide.theme_groups),
        "themes/index.html",
        "roles/index.html",
    ]
    page = open_page(pages[0], PHONE)
    problems = scroll_problems(measure_tables(page), pages[0])
    for name in pages[1:]:
        page.goto(site_server + name, wait_until="load")
        problems += scroll_problems(measure_tables(page), name)
    assert not problems, "\n".join(problems)


def test_a_table_too_wide_for_the_screen_says_it_scrolls_until_it_fits(open_page) -> None:
    # The editors' field reference has tables wider than any phone.
    page = open_page("editing/reference/index.html", PHONE)
    page.wait_for_selector(".ag-scroll-hint", state="visible")
    measured = measure_tables(page)
    assert scroll_problems(measured, "field reference") == []
    assert any(table["overflow"] > 1 and table["hint"] for table in measured["tables"])
    # On a wide screen the same tables fit, and the hints go.
    page.set_viewport_size({"width": 2400, "height": 900})
    page.wait_for_function(
        """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
                   .every((w) => w.scrollWidth > w.clientWidth + 1 || !w.hasAttribute('tabindex'))"""
    )
    hints = page.evaluate(
        """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
                   .filter((w) => w.scrollWidth <= w.clientWidth + 1)
                   .filter((w) => w.previousElementSibling && w.previousElementSibling.matches('.ag-scroll-hint'))
                   .length"""
    )
    assert hints == 0, "a table that fits still says it scrolls"


# --- Score tables ------------------------------------------------------------------------------------------------

BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('.ag-score-table th, .ag-score-table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_score_tables_never_break_a_word_on_a_phone_or_a_laptop(open_page) -> None:
    """The results are worked out once, at phone width, then laid out again at laptop width."""
    page = open_page("assessment/index.html", PHONE)
    page.wait_for_selector("#ag-results:not([hidden])")
    page.check("#ag-later")  # every step, so every theme and step has a row
    page.evaluate(
        """() => document.querySelectorAll('fieldset.ag-question').forEach((question, index) => {
             const radios = question.querySelectorAll('input[type=radio]');
             radios[index % radios.length].click();
           })"""
    )
    page.wait_for_selector("#ag-by-theme .ag-score-table tbody tr")
    assert page.locator(".ag-score-table").count() >= 3
    for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        resize(page, viewport)
        assert page.evaluate(BROKEN_WORDS) == [], f"on a {name}"
        assert page.evaluate(PAGE_OVERFLOW) <= 0, f"on a {name}, the results make the page scroll sideways"


# --- The decision path -------------------------------------------------------------------------------------------

PATH_BOXES = """() => [...document.querySelectorAll('.ag-path__step')].map((step) => {
  const box = step.getBoundingClientRect();
  const arrow = step.querySelector('.ag-path__arrow');
  const tip = arrow && arrow.getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          arrow: tip && tip.width > 0 && tip.height > 0 && getComputedStyle(arrow).display !== 'none'
            ? {x: (tip.left + tip.right) / 2, y: (tip.top + tip.bottom) / 2} : null};
})"""


def arrow_problem(index: int, a: dict, b: dict) -> str | None:
    """None when step ``index``'s arrow sits in the gap between it and the next step, else what is wrong."""
    arrow = a["arrow"]
    if arrow is None:
        return f"step {index} has no visible arrow"
    overlap_y = max(a["top"], b["top"]) <= arrow["y"] <= min(a["bottom"], b["bottom"])
    overlap_x = max(a["left"], b["left"]) <= arrow["x"] <= min(a["right"], b["right"])
    if b["left"] >= a["right"]:  # the next step is to the right
        ok = a["right"] <= arrow["x"] <= b["left"] and overlap_y
    elif b["right"] <= a["left"]:  # to the left
        ok = b["right"] <= arrow["x"] <= a["left"] and overlap_y
    elif b["top"] >= a["bottom"]:  # below
        ok = a["bottom"] <= arrow["y"] <= b["top"] and overlap_x
    else:
        return f"step {index + 1} overlaps step {index} or lies above it"
    return None if ok else f"the arrow of step {index} ({arrow}) does not sit between it {a} and the next {b}"


def decision_path_problems(page: Page, steps: int) -> list[str]:
    """What is wrong with the decision path as the page is laid out now (``steps`` boxes expected)."""
    boxes = page.evaluate(PATH_BOXES)
    if len(boxes) != steps:
        return [f"{len(boxes)} steps instead of {steps}"]
    content = page.locator(".md-content__inner").bounding_box()
    problems = []
    for index, box in enumerate(boxes, start=1):
        if box["right"] - box["left"] < 120:
            problems.append(f"step {index} is only {box['right'] - box['left']:.0f} px wide")
        if box["left"] < content["x"] - 1 or box["right"] > content["x"] + content["width"] + 1:
            problems.append(f"step {index} sticks out of the page's text column")
    for index, (a, b) in enumerate(itertools.pairwise(boxes), start=1):
        if problem := arrow_problem(index, a, b):
            problems.append(problem)
    if boxes[-1]["arrow"] is not None:
        problems.append("the last step has an arrow, pointing at nothing")
    if page.evaluate(PAGE_OVERFLOW) > 0:
        problems.append("the page scrolls sideways")
    return problems


def test_decision_path_lays_out_its_steps_with_arrows_between_neighbours(open_page, guide) -> None:
    """One load of the page, laid out again at each width a reader might have."""
    page = open_page("phases/index.html", {"width": 390, "height": 900})
    problems = []
    for width in (390, 1024, 1280, 1600):
        resize(page, {"width": width, "height": 900})
        problems += [f"at {width} px: {problem}" for problem in decision_path_problems(page, len(guide.phases))]
    assert not problems, "\n".join(problems)


# --- Tick boxes --------------------------------------------------------------------------------------------------


def test_tick_boxes_on_the_essentials_checklist_can_be_ticked(open_page) -> None:
    page = open_page("checklists/essentials/index.html", PHONE)
    boxes = page.locator("table input[type=checkbox]")
    assert boxes.count() > 0
    first = boxes.first
    assert first.get_attribute("aria-label"), "each tick box has a name"
    first.click()
    assert first.is_checked()
    first.focus()
    page.keyboard.press("Space")
    assert not first.is_checked()


DRAWN_BOX = """() => [...document.querySelectorAll('.ag-item > h3')].map((heading) => {
  const style = getComputedStyle(heading, '::before');
  return style.content !== 'none' && style.content !== 'normal' && parseFloat(style.borderTopWidth) > 0;
})"""


def test_checklist_items_show_a_box_to_tick_only_on_paper(open_page) -> None:
    page = open_page("checklists/index.html", LAPTOP)
    drawn = page.evaluate(DRAWN_BOX)
    assert drawn and not any(drawn), "an item heading draws a box on screen, where it cannot be ticked"
    page.emulate_media(media="print")
    assert all(page.evaluate(DRAWN_BOX)), "on paper every item has an empty box to tick by hand"
