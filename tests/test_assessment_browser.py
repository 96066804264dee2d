"""The readiness self-assessment in a real browser: scope, minimum answers, progress, saving, sharing, exports,
comparisons with earlier assessments, hostile saved state, printing, keyboard and file://.

Expected values are worked out here from the JSON config embedded in the built page, following the
rule published on that page, never from numbers written into the test. Most tests share one page (reset
through its own "Clear my answers" button) to keep page loads few.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
import subprocess
from pathlib import Path

import pytest

from aiguide.render import plain

from .conftest import PROJECT_DIR

pytestmark = pytest.mark.browser

PAGE = "assessment/index.html"
STYLESHEET = PROJECT_DIR / "docs" / "assets" / "stylesheets" / "guide.css"
EXPORT_COLUMNS = [
    "item", "question", "theme", "phase", "tier", "in_scope", "answer", "score", "note", "guide_version", "date",
]  # fmt: skip
READY = "#ag-results:not([hidden])"


# --- The published rule, worked out independently of the page's script --------------------------


@pytest.fixture(scope="module")
def config(built_site: Path) -> dict:
    html = (built_site / PAGE).read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="ag-assessment-data">(.*?)</script>', html, re.S)
    assert match, "the assessment page embeds its config"
    return json.loads(match.group(1))


def steps(config: dict) -> list[str]:
    return sorted(config["phases"], key=lambda phase_id: config["phases"][phase_id]["order"])


def order(config: dict, phase_id: str) -> int:
    return config["phases"][phase_id]["order"]


def items_of(config: dict, phase_id: str) -> list[dict]:
    return [item for item in config["items"] if item["phase"] == phase_id]


def in_scope(config: dict, item: dict, step: str, later: bool) -> bool:
    return later or order(config, item["phase"]) <= order(config, step)


def needed(config: dict, in_scope_count: int) -> int:
    share, at_least = config["minAnswered"]["share"], config["minAnswered"]["atLeast"]
    return min(in_scope_count, max(at_least, math.ceil(share * in_scope_count - 1e-9)))


def score(
    config: dict, answers: dict[str, str], items: list[dict] | None = None, step: str | None = None, later=False
) -> dict:
    """Score, band (with blocking rules) and counts for the in-scope ``items`` given item id -> answer id."""
    items = config["items"] if items is None else items
    step = step or steps(config)[0]
    scoped = [item for item in items if in_scope(config, item, step, later)]
    by_id = {answer["id"]: answer for answer in config["answers"]}
    bands = sorted(config["bands"], key=lambda band: band["min"], reverse=True)
    rank = {band["id"]: index for index, band in enumerate(bands)}
    earned = possible = 0.0
    answered = 0
    blocked, unmet = [], []
    for item in scoped:
        answer = by_id.get(answers.get(item["id"], ""))
        if answer is None:
            continue
        answered += 1
        blocked += [r["band"] for r in config["blocking"] if r["tier"] == item["tier"] and answer["id"] in r["answers"]]
        if answer["counts"]:
            weight = config["weights"][item["tier"]]
            earned += weight * answer["score"]
            possible += weight
            if answer["score"] < 1:
                unmet.append(item)
    more = max(0, needed(config, len(scoped)) - answered)
    enough = bool(scoped) and more == 0
    value = earned * 100 / possible if enough and possible else None
    band = next((b for b in bands if value + 1e-9 >= b["min"]), bands[-1]) if value is not None else None
    for cap in blocked:
        if (band is not None and rank[cap] > rank[band["id"]]) or (band is None and rank[cap] == len(bands) - 1):
            band = bands[rank[cap]]
    return {
        "value": value,
        "band": band,
        "answered": answered,
        "n": len(scoped),
        "more": more,
        "enough": enough,
        "shortfall": possible - earned,
        "blocked": bool(blocked),
        "unmet": unmet,
    }


def shown_percent(value: float) -> str:
    return f"{math.floor(value + 1e-9)}%"


def more_text(result: dict) -> str:
    return f"{result['more']} more answer{'' if result['more'] == 1 else 's'} needed"


def summary(result: dict) -> str:
    answered = f"{result['answered']} of {result['n']} questions in scope answered."
    if not result["enough"]:
        lead = f"{result['band']['label']} (set by a rule); no score yet: " if result["band"] else "Not rated yet: "
        return f"{lead}{more_text(result)} for an overall result. {answered}"
    if result["value"] is None:
        return f"No overall score: nothing you answered counts towards it. {answered}"
    return f"Overall {shown_percent(result['value'])}: {result['band']['label']}. {answered}"


def result_label(result: dict) -> str:
    if not result["n"]:
        return "Not in scope (a later step)"
    if not result["enough"]:
        if result["band"]:
            return f"{result['band']['label']} (set by a rule); {more_text(result)} for a score"
        return f"Not rated yet: {more_text(result)}"
    return result["band"]["label"] if result["band"] else "No score (nothing that counts)"


def short_result(result: dict) -> str:
    if result["value"] is None:
        return result_label(result)
    return f"{shown_percent(result['value'])}: {result_label(result)}"


def group_name(info: dict) -> str:
    return (f"Step {info['order']}: " if "order" in info else "") + info["title"]


# --- Browser helpers ------------------------------------------------------------------------------


class Watched:
    """A page with every console error and uncaught exception collected."""

    def __init__(self, context, url: str):
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.goto(url)
        self.page.wait_for_selector(READY)


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page_url(site_server: str) -> str:
    return site_server + PAGE


@pytest.fixture(scope="module")
def shared(browser, site_server: str):
    """One page (per worker) for the tests that can share it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context, site_server + PAGE)
    yield watched
    context.close()


# Nothing stored, any comparison closed, then the page's own "Clear my answers" (a reset, not a test of it).
RESET = """() => {
  localStorage.clear();
  const close = document.querySelector('[data-action=compare-clear]');
  if (close) close.click();
  document.querySelector('[data-action=clear]').click();
  return document.querySelectorAll('#ag-assessment-form input[type=radio]:checked').length;
}"""


@pytest.fixture
def fresh(shared: Watched):
    """The shared page with no answers, the first step and no comparison, as a new reader sees it."""
    page = shared.page
    page.emulate_media(media="screen")
    assert page.evaluate(RESET) == 0
    yield page
    assert shared.errors == []


@pytest.fixture
def reloaded(shared: Watched, fresh):
    """The shared page loaded again with nothing stored: a new reader's first view, focus and scroll at the top."""
    fresh.reload()
    fresh.wait_for_selector(READY)
    return fresh


def answer(page, item_id: str, answer_id: str) -> None:
    page.check(f'input[name="{item_id}"][value="{answer_id}"]')


def answer_many(page, answers: dict[str, str]) -> None:
    """Clicks the answers in one go (a click on a radio fires the events the page listens to, as a reader's does)."""
    missing = page.evaluate(
        """(answers) => Object.entries(answers).filter(([item, value]) => {
             const radio = document.querySelector(`input[name="${item}"][value="${value}"]`);
             if (radio) radio.click();
             return !radio || !radio.checked;
           })""",
        answers,
    )
    assert missing == [], f"answers that could not be given: {missing}"


def checked_answers(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#ag-assessment-form input[type=radio]:checked",
        "radios => Object.fromEntries(radios.map(r => [r.name, r.value]))",
    )


def table_rows(page, selector: str) -> dict[str, list[str]]:
    """Row heading -> cell texts of a results table."""
    rows = page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => [r.querySelector('th').textContent.trim(),"
        " ...Array.from(r.querySelectorAll('td'), c => c.textContent.trim())])",
    )
    return {row[0]: row[1:] for row in rows}


def visible_steps(page) -> list[str]:
    return page.eval_on_selector_all(
        "fieldset.ag-phase", "sets => sets.filter(s => !s.hidden).map(s => s.dataset.phase)"
    )


def stored(page, config: dict):
    return page.evaluate("key => localStorage.getItem(key)", config["storageKey"])


def wait_for_announcement(page, text: str) -> None:
    page.wait_for_function("text => document.getElementById('ag-live').textContent === text", arg=text)


def follow_link(page, fragment: str) -> None:
    """A share link opened while the page is open (the page takes it out of the address once read)."""
    page.evaluate("fragment => { location.hash = fragment; }", fragment)
    page.wait_for_function("() => !location.hash")


def open_later_steps(page) -> None:
    page.check("#ag-later")


def assert_tables_follow_the_rule(page, config: dict, answers: dict, step: str | None = None, later=False) -> None:
    for selector, key, meta in (
        ("#ag-by-theme", "theme", config["themes"]),
        ("#ag-by-phase", "phase", config["phases"]),
    ):
        assert page.locator(f"{selector} th[scope=col]").count() == 4
        rows = table_rows(page, selector)
        for group_id, info in meta.items():
            group = [item for item in config["items"] if item[key] == group_id]
            expected = score(config, answers, group, step, later)
            if not group or (key == "theme" and not expected["n"]):
                assert group_name(info) not in rows, "themes without questions in scope are not listed"
                continue
            shown = shown_percent(expected["value"]) if expected["value"] is not None else "—"
            counted = f"{expected['answered']} of {expected['n']}" if expected["n"] else "—"
            assert rows[group_name(info)] == [shown, counted, result_label(expected)], group_id


# --- First view, scope and the minimum of answers ------------------------------------------------


def test_results_start_empty_and_show_only_with_javascript(browser, config, page_url, shared, reloaded) -> None:
    expected = summary(score(config, {}))
    assert expected.startswith("Not rated yet:")
    assert reloaded.text_content("#ag-summary") == expected
    wait_for_announcement(reloaded, expected)
    assert reloaded.is_hidden("#ag-notice")
    assert shared.errors == []
    no_js = browser.new_context(java_script_enabled=False)
    try:
        page = no_js.new_page()
        page.goto(page_url)
        for part in ("#ag-results", "#ag-top", "#ag-compare"):
            assert page.is_hidden(part), f"without JavaScript the page is a plain checklist ({part})"
        assert visible_steps(page) == steps(config)
        first = config["items"][0]["id"]
        assert page.is_visible(f'input[name="{first}"][value="{config["answers"][0]["id"]}"]')
    finally:
        no_js.close()


def test_scope_covers_the_steps_up_to_the_chosen_one(config, shared, fresh) -> None:
    page = fresh
    ids = steps(config)
    assert page.input_value("#ag-step") == ids[0], "a new reader starts at the first step"
    assert visible_steps(page) == ids[:1]
    middle = ids[len(ids) // 2]
    page.select_option("#ag-step", middle)
    upto = ids[: ids.index(middle) + 1]
    assert visible_steps(page) == upto
    count = sum(len(items_of(config, phase_id)) for phase_id in upto)
    assert page.eval_on_selector("#ag-progress", "p => p.max") == count
    assert f"steps {order(config, ids[0])} to {order(config, middle)} ({count} questions)" in page.text_content(
        "#ag-scope"
    )
    assert page.text_content("#ag-summary") == summary(score(config, {}, step=middle))
    rows = table_rows(page, "#ag-by-phase")
    for phase_id in ids:
        name = group_name(config["phases"][phase_id])
        if phase_id in upto:
            assert rows[name][1] == f"0 of {len(items_of(config, phase_id))}"
        else:
            assert rows[name] == ["—", "—", "Not in scope (a later step)"]

    # An answer in a step after the chosen one is kept, but does not count.
    later_item = items_of(config, middle)[0]["id"]
    answer(page, later_item, "yes")
    page.select_option("#ag-step", ids[0])
    assert visible_steps(page) == ids[:1]
    assert "1 answer in later steps is kept but not counted" in page.text_content("#ag-scope")
    assert page.text_content("#ag-summary") == summary(score(config, {later_item: "yes"}))
    assert score(config, {later_item: "yes"})["answered"] == 0
    page.select_option("#ag-step", middle)
    saved = json.loads(stored(page, config))
    assert (saved["step"], saved["later"]) == (middle, False)
    page.reload()
    page.wait_for_selector(READY)
    assert page.input_value("#ag-step") == middle, "the step is kept with the saved answers"
    assert checked_answers(page) == {later_item: "yes"}


def test_later_steps_open_on_request(config, shared, fresh) -> None:
    page = fresh
    box = page.get_by_label("Also assess the steps after this one")
    assert not box.is_checked(), "later steps are left out by default"
    box.check()
    assert visible_steps(page) == steps(config)
    assert page.eval_on_selector("#ag-progress", "p => p.max") == len(config["items"])
    assert page.text_content("#ag-summary") == summary(score(config, {}, later=True))
    assert_tables_follow_the_rule(page, config, {}, later=True)
    box.uncheck()
    assert visible_steps(page) == steps(config)[:1]


def test_no_rating_below_the_minimum_and_a_rating_at_it(config, shared, fresh) -> None:
    page = fresh
    first = items_of(config, steps(config)[0])
    need = needed(config, len(first))
    assert need >= 2, "the data keep a result from resting on a single answer"
    full = next(a["id"] for a in config["answers"] if a["counts"] and a["score"] == 1)
    labels = [band["label"] for band in config["bands"]]
    answers: dict[str, str] = {}
    for item in first[: need - 1]:
        answer(page, item["id"], full)
        answers[item["id"]] = full
        result = score(config, answers)
        assert result["band"] is None
        assert page.text_content("#ag-summary") == summary(result)
        overall = table_rows(page, "#ag-overall")
        assert overall["Score"] == ["—"]
        assert overall["Result"] == [f"Not rated yet: {more_text(result)}"]
        assert not any(label in page.text_content("#ag-overall") for label in labels)
        assert_tables_follow_the_rule(page, config, answers)
    assert f"{result['more']} more answer" in page.text_content("#ag-summary")
    answer(page, first[need - 1]["id"], full)
    answers[first[need - 1]["id"]] = full
    result = score(config, answers)
    assert result["enough"] and result["band"] is not None
    assert page.text_content("#ag-summary") == summary(result)
    assert table_rows(page, "#ag-overall")["Result"] == [result["band"]["label"]]
    assert_tables_follow_the_rule(page, config, answers)


def test_blocking_rule_applies_below_the_minimum_and_names_its_items(config, shared, fresh) -> None:
    page = fresh
    rule = config["blocking"][0]
    item = next(i for i in items_of(config, steps(config)[0]) if i["tier"] == rule["tier"])
    answer(page, item["id"], rule["answers"][0])
    result = score(config, {item["id"]: rule["answers"][0]})
    assert not result["enough"] and result["blocked"]
    assert page.text_content("#ag-summary") == summary(result)
    cap = page.text_content("#ag-overall .ag-cap")
    assert item["id"] in cap and rule["text"] in cap


def test_progress_is_counted_per_step_and_overall(config, shared, fresh) -> None:
    page = fresh
    open_later_steps(page)
    ids = steps(config)
    picked = {ids[0]: items_of(config, ids[0])[:2], ids[1]: items_of(config, ids[1])[:1]}
    for group in picked.values():
        for item in group:
            answer(page, item["id"], "partly")
    done = sum(len(group) for group in picked.values())
    progress = page.get_by_role("progressbar", name="Questions answered in scope")
    assert progress.evaluate("p => [p.value, p.max]") == [done, len(config["items"])]
    assert page.text_content("#ag-progress-text") == f"{done} of {len(config['items'])}"
    for phase_id in ids:
        line = page.text_content(f'fieldset.ag-phase[data-phase="{phase_id}"] > .ag-phase__progress')
        total = len(items_of(config, phase_id))
        assert line == f"{len(picked.get(phase_id, []))} of {total} questions in this step answered"


def test_jump_links_move_focus_to_the_results_and_the_comparison(shared, fresh) -> None:
    page = fresh
    page.evaluate("() => window.scrollTo(0, 0)")
    top = page.eval_on_selector("#ag-top", "e => e.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"], "the summary and its links are near the top of the page"
    jumps = {"Go to your results": "ag-results-heading", "Compare with an earlier assessment": "ag-compare-heading"}
    for link, target in jumps.items():
        page.get_by_role("link", name=link).click()
        assert page.evaluate("document.activeElement.id") == target
        box = page.eval_on_selector(f"#{target}", "e => e.getBoundingClientRect().top")
        assert 0 <= box < page.viewport_size["height"]
        assert page.evaluate("location.hash") == ""
        page.evaluate("() => window.scrollTo(0, 0)")


def test_each_question_shows_what_a_good_answer_looks_like_on_request(config, guide, shared, fresh) -> None:
    page = fresh
    assert page.locator("details.ag-help").count() == page.locator("fieldset.ag-question").count()
    first, second = items_of(config, steps(config)[0])[:2]
    help_text = {item.id: plain(item.help) for item in guide.items}
    details = page.locator(f'fieldset[data-item="{first["id"]}"] details.ag-help')
    assert not details.evaluate("d => d.open"), "help is closed until asked for"
    assert not details.locator("p").is_visible()
    details.get_by_text("What a good answer looks like").click()
    assert details.locator("p").is_visible()
    assert details.locator("p").text_content() == help_text[first["id"]]
    other = page.locator(f'fieldset[data-item="{second["id"]}"] details.ag-help')
    other.locator("summary").focus()
    page.keyboard.press("Enter")
    assert other.evaluate("d => d.open") and other.locator("p").text_content() == help_text[second["id"]]
    for element in (details, other):
        element.evaluate("d => { d.open = false; }")


def test_results_are_announced_politely_once_answers_settle(config, shared, fresh) -> None:
    page = fresh
    for selector in ("#ag-live", "#ag-notice"):
        assert page.get_attribute(selector, "role") == "status", selector
    assert page.get_attribute("#ag-live", "aria-live") == "polite"
    item = items_of(config, steps(config)[0])[0]["id"]
    answer(page, item, "no")
    wait_for_announcement(page, summary(score(config, {item: "no"})))


# --- Scores and bands -----------------------------------------------------------------------------


def test_theme_and_step_tables_and_weak_areas_follow_the_rule(config, shared, fresh) -> None:
    page = fresh
    open_later_steps(page)
    answer_ids = [a["id"] for a in config["answers"]]
    answers = {
        item["id"]: answer_ids[(index * 3) % len(answer_ids)]
        for index, item in enumerate(config["items"])
        if index % 4 != 3  # leave some unanswered
    }
    answer_many(page, answers)
    assert page.text_content("#ag-summary") == summary(score(config, answers, later=True))
    assert_tables_follow_the_rule(page, config, answers, later=True)

    best = max(band["min"] for band in config["bands"])
    weak = []
    for theme_id, theme in config["themes"].items():
        result = score(config, answers, [item for item in config["items"] if item["theme"] == theme_id], later=True)
        low = result["value"] is not None and result["value"] + 1e-9 < best
        if result["unmet"] and (low or result["blocked"]):
            essential = any(item["tier"] == "essential" for item in result["unmet"])
            weak.append((not essential, -result["shortfall"], result["value"] or 0, theme["title"]))
    weak.sort(key=lambda entry: entry[:3])
    listed = page.eval_on_selector_all(".ag-weak-list > li > a", "links => links.map(a => a.textContent.trim())")
    assert listed == [entry[3] for entry in weak]
    first_theme = next(t for t in config["themes"].values() if t["title"] == listed[0])
    assert page.get_attribute(".ag-weak-list > li > a", "href") == first_theme["url"]


# --- Saving, clearing, sharing -------------------------------------------------------------------


def test_answers_notes_and_scope_survive_a_reload_and_clear_removes_them(config, shared, fresh) -> None:
    page = fresh
    first, second = (item["id"] for item in items_of(config, steps(config)[0])[:2])
    answer(page, first, "partly")
    answer(page, second, "not-applicable")
    page.fill(f'textarea[name="note-{first}"]', "Budget agreed, contract pending")
    open_later_steps(page)
    saved = json.loads(stored(page, config))
    assert saved["version"] == config["guide"]["version"]
    assert saved["answers"] == {first: "partly", second: "not-applicable"}
    assert saved["later"] is True

    page.reload()
    page.wait_for_selector(READY)
    assert checked_answers(page) == {first: "partly", second: "not-applicable"}
    assert page.input_value(f'textarea[name="note-{first}"]') == "Budget agreed, contract pending"
    assert page.is_checked("#ag-later") and visible_steps(page) == steps(config)
    wait_for_announcement(
        page, "Your saved answers were restored. " + summary(score(config, saved["answers"], later=True))
    )

    page.click("[data-action=clear]")
    assert checked_answers(page) == {}
    assert page.input_value(f'textarea[name="note-{first}"]') == ""
    assert not page.is_checked("#ag-later") and visible_steps(page) == steps(config)[:1]
    assert stored(page, config) is None
    wait_for_announcement(page, "Your answers were cleared. " + summary(score(config, {})))
    page.reload()
    page.wait_for_selector(READY)
    assert checked_answers(page) == {}


def _uri(text: str) -> str:
    """encodeURIComponent in Python."""
    from urllib.parse import quote

    return quote(text, safe="-_.!~*'()")


def test_share_link_round_trip_in_a_fresh_browser(browser, config, page_url, shared, fresh) -> None:
    """Made on the shared page, opened in a browser context of its own (nothing shared with the sender's)."""
    note = 'Asked IT, "maybe" & 50% done #2, see\nminutes é'
    ids = steps(config)
    first, third = items_of(config, ids[0])[0]["id"], items_of(config, ids[0])[2]["id"]
    step = ids[1]
    page = fresh
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        answer(page, first, "yes")
        answer(page, third, "dont-know")
        page.fill(f'textarea[name="note-{third}"]', note)
        page.select_option("#ag-step", step)
        page.click("[data-action=share]")
        link = page.input_value("#ag-share-url")
        page.wait_for_function("() => document.getElementById('ag-live').textContent.includes('copied')")
        assert page.evaluate("navigator.clipboard.readText()") == link
    finally:
        page.context.clear_permissions()
    version = config["guide"]["version"]
    assert link == f"{page_url}#a={first}.yes,{third}.dont-know&n={third}.{_uri(note)}&s={step}&v={version}&f=2"

    receiver = browser.new_context()
    try:
        own = Watched(receiver, page_url)
        answer(own.page, items_of(config, ids[0])[-1]["id"], "yes")  # answers saved here are replaced by the link
        watched = Watched(receiver, link)
        page = watched.page
        assert checked_answers(page) == {first: "yes", third: "dont-know"}
        assert page.input_value(f'textarea[name="note-{third}"]') == note
        assert page.input_value("#ag-step") == step
        assert page.evaluate("location.hash") == "", "the link is applied once, not again on every reload"
        wait_for_announcement(
            page, "Answers restored from the share link. " + summary(score(config, checked_answers(page), step=step))
        )
        assert json.loads(stored(page, config))["answers"] == {first: "yes", third: "dont-know"}
        page.reload()
        page.wait_for_selector(READY)
        assert checked_answers(page) == {first: "yes", third: "dont-know"}
        later = items_of(config, ids[2])[0]["id"]
        page.evaluate(f"() => {{ location.hash = '#a={later}.no&l=1'; }}")  # a link pasted while the page is open
        page.wait_for_function("() => !location.hash")
        assert checked_answers(page) == {later: "no"}
        assert page.is_checked("#ag-later")
        assert watched.errors == own.errors == []
    finally:
        receiver.close()


def test_version_1_share_link_is_still_read_and_its_step_worked_out(config, shared, fresh) -> None:
    page = fresh
    ids = steps(config)
    first, later = items_of(config, ids[0])[0]["id"], items_of(config, ids[2])[0]["id"]
    version = config["guide"]["version"]
    follow_link(page, f"#f=1&v={version}&a={first}.no,{later}.yes&n={first}.old%20note")
    assert checked_answers(page) == {first: "no", later: "yes"}
    assert page.input_value(f'textarea[name="note-{first}"]') == "old note"
    assert page.input_value("#ag-step") == ids[2], "without a step, the latest step answered"
    assert page.is_hidden("#ag-notice")


def test_share_link_is_taken_out_before_other_scripts_read_the_fragment(config, context, page_url) -> None:
    """Material looks the fragment up as `[id="…"]`; a share link must never reach it."""
    context.add_init_script(
        """window.__selectors = [];
        for (const proto of [Document.prototype, Element.prototype]) {
          for (const name of ['querySelector', 'querySelectorAll']) {
            const original = proto[name];
            proto[name] = function (selector) {
              if (String(selector).includes('zzmark')) window.__selectors.push(String(selector));
              return original.apply(this, arguments);
            };
          }
        }"""
    )
    first = items_of(config, steps(config)[0])[0]["id"]
    watched = Watched(context, f"{page_url}#a={first}.yes&n={first}.zzmark%22%5D%5C" + "\\")
    page = watched.page
    assert checked_answers(page) == {first: "yes"}
    assert page.input_value(f'textarea[name="note-{first}"]').startswith('zzmark"]\\')
    page.evaluate(f"() => {{ location.hash = 'a={first}.no&n={first}.zzmark2'; }}")
    page.wait_for_function("() => !location.hash")
    assert checked_answers(page) == {first: "no"}
    assert page.evaluate("window.__selectors") == []
    assert watched.errors == []


@pytest.mark.parametrize(
    ("fragment", "restored", "unrestored"),
    [
        ("#a=CL-01.yes,BOGUS.maybe,%%%", {"CL-01": "yes"}, ["BOGUS", "%%%"]),
        ("#a=CL-01.maybe,CL-02,CL-03.no", {"CL-03": "no"}, ["CL-01", "CL-02"]),
        ("#f=1&v=0.0.1&a=CL-9999.yes,CL-04.partly&n=CL-04.%E0%A4%A", {"CL-04": "partly"}, ["CL-9999", "CL-04"]),
        ("#a=,,,&n=.&zzz", {}, ["."]),
        (
            "#a=__proto__.yes,constructor.no,CL-01.yes&n=__proto__.x",
            {"CL-01": "yes"},
            ["__proto__", "constructor", "__proto__"],
        ),
    ],
    ids=["garbage", "unknown-answer-and-truncated", "old-version-and-bad-encoding", "empty-entries", "prototype-keys"],
)
def test_malformed_share_link_restores_what_it_can_and_says_what_it_could_not(
    config, shared, fresh, fragment, restored, unrestored
) -> None:
    page = fresh
    follow_link(page, fragment)
    assert checked_answers(page) == restored
    assert page.is_visible("#ag-notice")
    notice = page.text_content("#ag-notice")
    entries = len(unrestored)
    assert f"{entries} {'entry' if entries == 1 else 'entries'} in the share link could not be restored" in notice
    for entry in unrestored:
        assert f"“{entry}”" in notice
    if "v=0.0.1" in fragment:
        assert "version 0.0.1" in notice
    assert page.evaluate("Object.keys(Object.prototype)") == []


def test_share_link_with_an_unknown_step_and_later_setting_says_so(config, shared, fresh) -> None:
    page = fresh
    first = items_of(config, steps(config)[0])[0]["id"]
    follow_link(page, f"#a={first}.yes&s=nowhere&l=maybe")
    notice = page.text_content("#ag-notice")
    assert "The step in the share link was not recognised and was ignored." in notice
    assert "The setting for later steps in the share link was text and was ignored." in notice
    assert page.input_value("#ag-step") == steps(config)[0] and not page.is_checked("#ag-later")
    assert checked_answers(page) == {first: "yes"}


# --- Hostile saved state ------------------------------------------------------------------------------

HUGE = "x" * 2_000_000  # 2 MB


def _hostile_states(first: str, second: str, third: str) -> list[tuple[str, str, dict, list[str]]]:
    """(id, stored text, answers that survive, phrases the notice must hold)."""
    return [
        ("not-json", "{not json", {}, ["could not be read and were discarded (not valid JSON)"]),
        ("array", "[1, 2]", {}, ["could not be read and were discarded (a list)"]),
        ("null", "null", {}, ["could not be read and were discarded (empty)"]),
        ("number", "42", {}, ["could not be read and were discarded (a number)"]),
        (
            "version-object-without-tostring",
            json.dumps({"version": {"toString": None, "valueOf": None}, "answers": {first: "yes"}}),
            {first: "yes"},
            ["The guide version in the saved answers could not be read (a record) and was ignored."],
        ),
        (
            "answers-null",
            json.dumps({"answers": None, "notes": {first: "kept"}}),
            {},
            ["“answers” in the saved answers was empty instead of answers by question, so it was ignored."],
        ),
        (
            "answers-array-notes-number",
            json.dumps({"answers": [first, "yes"], "notes": 3}),
            {},
            ["“answers” in the saved answers was a list", "“notes” in the saved answers was a number"],
        ),
        (
            "unknown-ids-and-values",
            json.dumps({"version": "0.0.1", "answers": {first: "yes", second: "maybe", "XX-1": "no", third: 3}}),
            {first: "yes"},
            [
                "3 entries in the saved answers could not be restored",
                "“XX-1”",
                f"“{second}” (unknown answer)",
                f"“{third}” (answer is a number)",
                "made with version 0.0.1",
            ],
        ),
        (
            "prototype-keys",
            json.dumps({"answers": {"__proto__": {"polluted": "yes"}, "constructor": "yes", first: "no"}}),
            {first: "no"},
            ["2 entries in the saved answers could not be restored", "“__proto__”", "“constructor”"],
        ),
        (
            "huge-note",
            json.dumps({"answers": {first: "yes"}, "notes": {first: HUGE}}),
            {first: "yes"},
            [f"“{first}” (note longer than"],
        ),
        ("huge-text", json.dumps(HUGE), {}, ["could not be read and were discarded (text)"]),
        (
            "bad-step-and-later",
            json.dumps({"answers": {first: "yes"}, "step": {"id": 1}, "later": "yes"}),
            {first: "yes"},
            ["The step in the saved answers was not recognised", "The setting for later steps in the saved answers"],
        ),
    ]


HOSTILE_IDS = [case[0] for case in _hostile_states("A", "B", "C")]


@pytest.mark.parametrize("case", HOSTILE_IDS)
def test_hostile_saved_state_shows_a_notice_and_never_throws(config, shared, case: str) -> None:
    """The shared page loaded again over the hostile state (the reload leaves nothing of the last test behind)."""
    page = shared.page
    page.emulate_media(media="screen")
    first, second, third = (item["id"] for item in items_of(config, steps(config)[0])[:3])
    _, text, restored, phrases = next(entry for entry in _hostile_states(first, second, third) if entry[0] == case)
    page.evaluate("([key, text]) => localStorage.setItem(key, text)", [config["storageKey"], text])
    page.reload()
    page.wait_for_selector(READY)
    assert checked_answers(page) == restored
    assert page.is_visible("#ag-notice")
    notice = page.text_content("#ag-notice")
    for phrase in phrases:
        assert phrase in notice
    assert page.text_content("#ag-summary"), "the results are still worked out"
    assert page.evaluate("Object.keys(Object.prototype)") == []
    assert shared.errors == []


@pytest.mark.parametrize(
    ("name", "content", "phrases", "compared"),
    [
        ("broken.json", b"{not json", ["could not be read and were discarded (not valid JSON)"], False),
        ("null.json", b"null", ["could not be read and were discarded (empty)"], False),
        ("list.json", b"[1, 2, 3]", ["could not be read and were discarded (a list)"], False),
        (
            "export.json",
            json.dumps(
                {
                    "format": "readiness-assessment-export",
                    "guide": {"version": {"toString": None}},
                    "answers": {"__proto__": "yes", "constructor": "no", "CL-01": "yes"},
                    "notes": {"CL-01": HUGE},
                    "scope": {"step": 7, "later": "no"},
                }
            ).encode(),
            [
                "guide version in the file could not be read",
                "“__proto__”",
                "“constructor”",
                "note longer than",
                "The step in the file was not recognised",
                "The setting for later steps in the file",
            ],
            True,
        ),
        (
            "answers-list.json",
            json.dumps({"format": "readiness-assessment-export", "answers": [1, 2]}).encode(),
            ["“answers” in the file was a list"],
            True,
        ),
    ],
    ids=["not-json", "null", "list", "hostile-export", "answers-list"],
)
def test_hostile_imported_file_shows_a_notice_and_never_throws(shared, fresh, name, content, phrases, compared):
    page = fresh
    page.set_input_files("#ag-compare-file", files=[{"name": name, "mimeType": "application/json", "buffer": content}])
    page.wait_for_function("() => document.getElementById('ag-notice').textContent.length > 0")
    notice = page.text_content("#ag-notice")
    assert name in notice or "in the file" in notice
    for phrase in phrases:
        assert phrase in notice
    assert (page.locator("#ag-diff table").count() > 0) == compared
    assert page.evaluate("Object.keys(Object.prototype)") == []
    assert shared.errors == []


def test_hostile_share_link_to_compare_with_shows_a_notice(config, shared, fresh) -> None:
    page = fresh
    first = items_of(config, steps(config)[0])[0]["id"]
    page.fill("#ag-compare-link", "just some words")
    page.click("[data-action=compare-link]")
    assert "is not a share link from this page" in page.text_content("#ag-notice")
    page.eval_on_selector(
        "#ag-compare-link", "(field, text) => { field.value = text; }", f"#a={first}.yes&n={first}." + "y" * 2_000_000
    )
    page.click("[data-action=compare-link]")
    page.wait_for_selector("#ag-diff table")
    assert f"“{first}” (note longer than" in page.text_content("#ag-notice")
    assert shared.errors == []


# --- Comparing with an earlier assessment ---------------------------------------------------------------


def _diff_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#ag-diff table:first-of-type tbody tr",
        "rows => rows.map(r => Array.from(r.children, c => c.textContent.trim()))",
    )


def _expected_diff(config: dict, before: dict, now: dict) -> list[list[str]]:
    """[name, earlier, now] for the whole assessment, each theme and each step in either scope."""
    rows = [["Overall", short_result(score(config, **before)), short_result(score(config, **now))]]
    # Themes in the order of the config, steps in their own order.
    for key, meta, ids in (
        ("theme", config["themes"], list(config["themes"])),
        ("phase", config["phases"], steps(config)),
    ):
        for group_id, info in ((group_id, meta[group_id]) for group_id in ids):
            group = [item for item in config["items"] if item[key] == group_id]
            earlier, current = score(config, items=group, **before), score(config, items=group, **now)
            if group and (earlier["n"] or current["n"]):
                rows.append([group_name(info), short_result(earlier), short_result(current)])
    return rows


def test_comparison_with_an_uploaded_export_works_from_disk(config, context, built_site: Path) -> None:
    watched = Watched(context, (built_site / PAGE).as_uri())
    page = watched.page
    ids = steps(config)
    first_step = items_of(config, ids[0])
    before = {item["id"]: "partly" for item in first_step}
    answer_many(page, before)
    assert page.text_content("#ag-summary") == summary(score(config, before)), "scoring works from disk"
    with page.expect_download() as info:
        page.click("[data-action=json]")
    export = Path(info.value.path())

    changed_item = first_step[0]["id"]
    answer(page, changed_item, "yes")
    page.select_option("#ag-step", ids[1])
    added = items_of(config, ids[1])[0]["id"]
    answer(page, added, "no")
    now = {**before, changed_item: "yes", added: "no"}
    page.set_input_files("#ag-compare-file", str(export))
    page.wait_for_selector("#ag-diff table")
    label = f"your export of {datetime.date.today().isoformat()}"
    assert page.text_content("#ag-diff h3") == f"Changes since {label}"
    heads = page.eval_on_selector_all("#ag-diff table:first-of-type th[scope=col]", "hs => hs.map(h => h.textContent)")
    assert heads == ["Theme or step", f"Earlier ({label})", "Now"]
    expected = _expected_diff(config, {"answers": before, "step": ids[0]}, {"answers": now, "step": ids[1]})
    assert _diff_rows(page) == expected
    assert f"Earlier: step {order(config, ids[0])} assessed." in page.text_content("#ag-diff")

    questions = {item["id"]: item["question"] for item in config["items"]}
    labels = {a["id"]: a["label"] for a in config["answers"]}
    changes = table_rows(page, "#ag-diff table:nth-of-type(2)")
    assert changes == {
        changed_item: [questions[changed_item], labels["partly"], labels["yes"]],
        added: [questions[added], "Not answered", labels["no"]],
    }
    # "Now" follows further answers; "Earlier" stays.
    answer(page, added, "yes")
    assert table_rows(page, "#ag-diff table:nth-of-type(2)")[added][2] == labels["yes"]
    page.click("[data-action=compare-clear]")
    assert page.text_content("#ag-diff") == ""
    assert page.is_hidden("#ag-notice")
    assert watched.errors == []


def test_comparison_with_an_old_share_link(config, shared, fresh) -> None:
    page = fresh
    ids = steps(config)
    first, later = items_of(config, ids[0])[0]["id"], items_of(config, ids[1])[0]["id"]
    answer(page, first, "yes")
    version = config["guide"]["version"]
    page.fill("#ag-compare-link", f"https://example.org/old/assessment/#f=1&v={version}&a={first}.no,{later}.partly")
    page.click("[data-action=compare-link]")
    page.wait_for_selector("#ag-diff table")
    assert page.text_content("#ag-diff h3") == "Changes since the earlier share link"
    before = {"answers": {first: "no", later: "partly"}, "step": ids[1]}
    assert _diff_rows(page) == _expected_diff(config, before, {"answers": {first: "yes"}, "step": ids[0]})
    labels = {a["id"]: a["label"] for a in config["answers"]}
    changes = table_rows(page, "#ag-diff table:nth-of-type(2)")
    assert changes[first][1:] == [labels["no"], labels["yes"]]
    assert changes[later][1:] == [labels["partly"], "Not answered"]
    assert page.is_hidden("#ag-notice")


# --- Exports and printing -------------------------------------------------------------------------


def _answer_for_export(page, config) -> dict[str, str]:
    first, second, fourth = (items_of(config, steps(config)[0])[index]["id"] for index in (0, 1, 3))
    answer(page, first, "yes")
    answer(page, second, "partly")
    answer(page, fourth, "not-applicable")
    page.fill(f'textarea[name="note-{first}"]', 'He said "go", then\nstop')
    page.fill(f'textarea[name="note-{second}"]', "=1+1")
    return {first: "yes", second: "partly", fourth: "not-applicable"}


def _expected_rows(config: dict, answers: dict[str, str]) -> dict[str, dict]:
    labels = {a["id"]: a for a in config["answers"]}
    rows = {}
    for item in config["items"]:
        chosen = labels.get(answers.get(item["id"], ""))
        rows[item["id"]] = {
            "question": item["question"],
            "theme": config["themes"][item["theme"]]["title"],
            "phase": config["phases"][item["phase"]]["title"],
            "tier": item["tier"],
            "in_scope": in_scope(config, item, steps(config)[0], False),
            "answer": chosen["label"] if chosen else "",
            "score": chosen["score"] if chosen and chosen["counts"] else None,
        }
    return rows


def test_csv_export_is_quoted_and_complete(config, shared, fresh) -> None:
    page = fresh
    answers = _answer_for_export(page, config)
    with page.expect_download() as info:
        page.click("[data-action=csv]")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes().decode("utf-8")
    assert raw.startswith("\ufeff"), "a byte-order mark lets spreadsheets read UTF-8"
    assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "").replace("then\nstop", "")
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert [row["item"] for row in rows] == [item["id"] for item in config["items"]]
    expected = _expected_rows(config, answers)
    for row in rows:
        want = expected[row["item"]]
        for column in ("question", "theme", "phase", "tier", "answer"):
            assert row[column] == want[column], (row["item"], column)
        assert row["in_scope"] == str(want["in_scope"]).lower()
        assert row["score"] == ("" if want["score"] is None else f"{want['score']:g}")
        assert row["guide_version"] == config["guide"]["version"]
        assert row["date"] == datetime.date.today().isoformat()
    notes = {row["item"]: row["note"] for row in rows if row["note"]}
    first, second = list(answers)[:2]
    assert notes == {first: 'He said "go", then\nstop', second: "'=1+1"}, "formulas are defused"


def test_json_export_holds_scope_answers_scores_and_result(config, shared, fresh) -> None:
    page = fresh
    answers = _answer_for_export(page, config)
    with page.expect_download() as info:
        page.click("[data-action=json]")
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert exported["format"] == "readiness-assessment-export"
    assert exported["guide"]["version"] == config["guide"]["version"]
    assert exported["date"] == datetime.date.today().isoformat()
    assert exported["scope"] == {"step": steps(config)[0], "later": False}
    assert exported["answers"] == answers
    overall = score(config, answers)
    assert exported["result"]["rated"] == (overall["value"] is not None)
    assert exported["result"]["answered"] == overall["answered"]
    assert exported["result"]["in_scope"] == overall["n"]
    assert exported["result"]["needed"] == needed(config, overall["n"])
    expected = _expected_rows(config, answers)
    assert [entry["item"] for entry in exported["items"]] == [item["id"] for item in config["items"]]
    for entry in exported["items"]:
        assert list(entry) == EXPORT_COLUMNS
        assert {k: entry[k] for k in expected[entry["item"]]} == expected[entry["item"]]
    assert exported["items"][0]["note"] == 'He said "go", then\nstop'


def test_print_puts_the_results_first_and_keeps_answers_but_hides_controls(
    config, shared, fresh, tmp_path: Path
) -> None:
    page = fresh
    item = items_of(config, steps(config)[0])[0]["id"]
    answer(page, item, "yes")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("[data-action=print]")
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    results = page.eval_on_selector("#ag-results", "e => e.getBoundingClientRect().top")
    form = page.eval_on_selector("#ag-assessment-form", "e => e.getBoundingClientRect().top")
    assert results < form, "the results print before the questions"
    for hidden in (".ag-actions", "#ag-share-url", "#ag-top", f'fieldset[data-item="{item}"] details.ag-help'):
        assert page.is_hidden(hidden), hidden
    assert page.is_visible(f'input[name="{item}"][value="yes"]:checked')
    breaks = page.eval_on_selector_all(".ag-phase", "steps => steps.map(s => getComputedStyle(s).breakBefore)")
    assert breaks[1:] == ["page"] * (len(breaks) - 1), "each step after the first starts a new page"

    pdf = tmp_path / "assessment.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert 0 <= text.index("Your results") < text.index(item), "results before the questions"
    page.emulate_media(media="screen")


# --- Keyboard and other pages -----------------------------------------------------------------------


def test_keyboard_alone_completes_a_step_and_updates_its_score(config, shared, reloaded) -> None:
    page = reloaded
    phase_id = steps(config)[0]
    order_ = page.eval_on_selector_all(
        f'fieldset.ag-phase[data-phase="{phase_id}"] fieldset.ag-question', "sets => sets.map(s => s.dataset.item)"
    )
    focused = "() => document.activeElement && (document.activeElement.name || document.activeElement.tagName)"
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == order_[0]:
            break
    else:
        pytest.fail("Tab never reached the first question")
    assert page.evaluate("document.activeElement.value") == config["answers"][0]["id"]
    answers = {}
    for index, item_id in enumerate(order_):
        assert page.evaluate(focused) == item_id
        if index % 2:
            page.keyboard.press("ArrowRight")  # moves to and picks the second answer
            answers[item_id] = config["answers"][1]["id"]
        else:
            page.keyboard.press("Space")  # picks the first answer
            answers[item_id] = config["answers"][0]["id"]
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "SUMMARY", "then the help disclosure"
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == f"note-{item_id}"
        page.keyboard.press("Tab")
    assert checked_answers(page) == answers
    assert page.evaluate(focused) != order_[-1], "focus moves on past the step"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused) == f"note-{order_[-1]}", "and back again"
    phase = config["phases"][phase_id]
    expected = score(config, answers, items_of(config, phase_id))
    row = table_rows(page, "#ag-by-phase")[group_name(phase)]
    assert row == [shown_percent(expected["value"]), f"{len(order_)} of {len(order_)}", result_label(expected)]
    assert page.text_content("#ag-summary") == summary(score(config, answers))
    assert shared.errors == []


@pytest.mark.parametrize("other", ["index.html", "print_page.html"])
def test_script_does_nothing_on_other_pages(context, site_server: str, built_site: Path, other: str) -> None:
    assert (built_site / other).exists(), f"the site has no {other}"
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(site_server + other + "#a=CL-01.yes")
    # Only pages with the form load the script (overrides/main.html); the print page, which prints the form as a
    # checklist to fill in by hand, loads no script at all. Loaded anyway, the script must leave such a page alone.
    assert page.locator("script[src$='assessment.js']").count() == 0
    page.add_script_tag(url=site_server + "assets/javascripts/assessment.js")
    # The script starts in a task of its own (a zero-delay timer); a timer set after it fires after it.
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    assert page.evaluate("location.hash") == "#a=CL-01.yes", "other pages' fragments are left alone"
    assert page.locator("[id$='ag-results']:not([hidden])").count() == 0, "the print page stays a checklist"
    assert page.locator("input[type=radio]:checked").count() == 0
    assert errors == []
