"""The readiness self-assessment in a real browser: scores, saving, sharing, exports, keyboard and file://.

Expected values are worked out here from the JSON config embedded in the built page, following the
rule published on that page, never from numbers written into the test.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
from pathlib import Path

import pytest

from .conftest import PROJECT_DIR

PAGE = "assessment/index.html"
STYLESHEET = PROJECT_DIR / "docs" / "assets" / "stylesheets" / "guide.css"
EXPORT_COLUMNS = ["item", "question", "theme", "phase", "tier", "answer", "score", "note", "guide_version", "date"]


# --- The published rule, worked out independently of the page's script --------------------------


@pytest.fixture(scope="module")
def config(built_site: Path) -> dict:
    html = (built_site / PAGE).read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="ag-assessment-data">(.*?)</script>', html, re.S)
    assert match, "the assessment page embeds its config"
    return json.loads(match.group(1))


def score(config: dict, answers: dict[str, str], items: list[dict] | None = None) -> dict:
    """Score, band (with blocking rules) and counts for ``items`` (default: all) given item id -> answer id."""
    items = config["items"] if items is None else items
    by_id = {answer["id"]: answer for answer in config["answers"]}
    bands = sorted(config["bands"], key=lambda band: band["min"], reverse=True)
    rank = {band["id"]: index for index, band in enumerate(bands)}
    earned = possible = 0.0
    answered = 0
    blocked = []
    unmet_essential = False
    for item in items:
        answer = by_id.get(answers.get(item["id"], ""))
        if answer is None:
            continue
        answered += 1
        blocked += [r["band"] for r in config["blocking"] if r["tier"] == item["tier"] and answer["id"] in r["answers"]]
        if answer["counts"]:
            weight = config["weights"][item["tier"]]
            earned += weight * answer["score"]
            possible += weight
            unmet_essential |= item["tier"] == "essential" and answer["score"] < 1
    value = earned * 100 / possible if possible else None
    band = next((b for b in bands if value + 1e-9 >= b["min"]), bands[-1]) if value is not None else None
    for cap in blocked:
        if band is None or rank[cap] > rank[band["id"]]:
            band = bands[rank[cap]]
    return {
        "value": value,
        "band": band,
        "answered": answered,
        "total": len(items),
        "shortfall": possible - earned,
        "blocked": bool(blocked),
        "unmet_essential": unmet_essential,
    }


def shown_percent(value: float) -> str:
    return f"{math.floor(value + 1e-9)}%"


def summary(result: dict) -> str:
    answered = f"{result['answered']} of {result['total']} items answered."
    if result["band"] is None:
        return f"Not assessed yet. {answered}"
    return f"Overall {shown_percent(result['value'])}: {result['band']['label']}. {answered}"


def result_label(result: dict) -> str:
    if result["band"]:
        return result["band"]["label"]
    return "No score (nothing that counts)" if result["answered"] else "Not assessed yet"


# --- Browser helpers ------------------------------------------------------------------------------


class Watched:
    """A page with every console error and uncaught exception collected."""

    def __init__(self, context, url: str):
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.goto(url)
        self.page.wait_for_selector("#ag-results:not([hidden])")


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page_url(site_server: str) -> str:
    return site_server + PAGE


def answer(page, item_id: str, answer_id: str) -> None:
    page.check(f'input[name="{item_id}"][value="{answer_id}"]')


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


def stored(page, config: dict):
    return page.evaluate("key => localStorage.getItem(key)", config["storageKey"])


# --- Scores and bands -----------------------------------------------------------------------------


def test_results_start_empty_and_show_only_with_javascript(browser, config, page_url, context) -> None:
    watched = Watched(context, page_url)
    assert watched.page.text_content("#ag-live") == summary(score(config, {}))
    assert summary(score(config, {})).startswith("Not assessed yet. 0 of")
    assert watched.page.is_hidden("#ag-notice")
    assert watched.errors == []
    no_js = browser.new_context(java_script_enabled=False)
    try:
        page = no_js.new_page()
        page.goto(page_url)
        assert page.is_hidden("#ag-results"), "without JavaScript the page is a plain checklist"
        assert page.is_visible('input[name="CL-01"][value="yes"]')
    finally:
        no_js.close()


def test_all_essential_items_yes_then_one_essential_no_caps_the_band(config, context, page_url) -> None:
    watched = Watched(context, page_url)
    page = watched.page
    essentials = [item for item in config["items"] if item["tier"] == "essential"]
    answers = {}
    for item in essentials:
        answer(page, item["id"], "yes")
        answers[item["id"]] = "yes"
    expected = score(config, answers)
    assert page.text_content("#ag-live") == summary(expected)
    overall = table_rows(page, "#ag-overall")
    assert overall["Score"][0] == shown_percent(expected["value"])
    assert overall["Result"][0] == expected["band"]["label"]
    assert overall["Items answered"][0] == f"{len(essentials)} of {len(config['items'])}"

    answer(page, essentials[0]["id"], "no")
    answers[essentials[0]["id"]] = "no"
    blocked = score(config, answers)
    rule = config["blocking"][0]
    capped = next(band for band in config["bands"] if band["id"] == rule["band"])
    assert blocked["band"] == capped, "the blocking rule caps the band whatever the score"
    assert page.text_content("#ag-live") == summary(blocked)
    assert table_rows(page, "#ag-overall")["Result"][0] == capped["label"]
    assert essentials[0]["id"] in page.text_content("#ag-overall .ag-cap")
    assert watched.errors == []


def test_theme_and_step_tables_and_weak_areas_follow_the_rule(config, context, page_url) -> None:
    watched = Watched(context, page_url)
    page = watched.page
    answer_ids = [a["id"] for a in config["answers"]]
    answers = {item["id"]: answer_ids[(index * 3) % len(answer_ids)] for index, item in enumerate(config["items"])}
    for index, (item_id, answer_id) in enumerate(answers.items()):
        if index % 4 != 3:  # leave some unanswered
            answer(page, item_id, answer_id)
    answers = {k: v for index, (k, v) in enumerate(answers.items()) if index % 4 != 3}
    assert page.text_content("#ag-live") == summary(score(config, answers))

    for selector, key, meta in (
        ("#ag-by-theme", "theme", config["themes"]),
        ("#ag-by-phase", "phase", config["phases"]),
    ):
        assert page.text_content(f"{selector} caption")
        assert page.locator(f"{selector} th[scope=col]").count() == 4
        rows = table_rows(page, selector)
        for group_id, info in meta.items():
            group = [item for item in config["items"] if item[key] == group_id]
            if not group:
                continue
            name = (f"Step {info['order']}: " if "order" in info else "") + info["title"]
            expected = score(config, answers, group)
            shown = shown_percent(expected["value"]) if expected["value"] is not None else "—"
            assert rows[name] == [shown, f"{expected['answered']} of {len(group)}", result_label(expected)], name

    best = max(band["min"] for band in config["bands"])
    weak = []
    for theme_id, theme in config["themes"].items():
        result = score(config, answers, [item for item in config["items"] if item["theme"] == theme_id])
        if result["value"] is not None and (result["value"] + 1e-9 < best or result["blocked"]):
            weak.append((not result["unmet_essential"], -result["shortfall"], result["value"], theme["title"]))
    weak.sort(key=lambda entry: entry[:3])
    listed = page.eval_on_selector_all(".ag-weak-list > li > a", "links => links.map(a => a.textContent.trim())")
    assert listed == [entry[3] for entry in weak]
    first_theme = next(t for t in config["themes"].values() if t["title"] == listed[0])
    assert page.get_attribute(".ag-weak-list > li > a", "href") == first_theme["url"]
    assert watched.errors == []


# --- Saving, clearing, sharing -------------------------------------------------------------------


def test_answers_and_notes_survive_a_reload_and_clear_removes_them(config, context, page_url) -> None:
    watched = Watched(context, page_url)
    page = watched.page
    answer(page, "CL-01", "partly")
    answer(page, "CL-02", "not-applicable")
    page.fill('textarea[name="note-CL-01"]', "Budget agreed, contract pending")
    saved = json.loads(stored(page, config))
    assert saved["version"] == config["guide"]["version"]
    assert saved["answers"] == {"CL-01": "partly", "CL-02": "not-applicable"}

    page.reload()
    page.wait_for_selector("#ag-results:not([hidden])")
    assert checked_answers(page) == {"CL-01": "partly", "CL-02": "not-applicable"}
    assert page.input_value('textarea[name="note-CL-01"]') == "Budget agreed, contract pending"
    assert page.text_content("#ag-live").startswith("Your saved answers were restored.")

    page.click("[data-action=clear]")
    assert checked_answers(page) == {}
    assert page.input_value('textarea[name="note-CL-01"]') == ""
    assert stored(page, config) is None
    assert page.text_content("#ag-live") == "Your answers were cleared. " + summary(score(config, {}))
    page.reload()
    page.wait_for_selector("#ag-results:not([hidden])")
    assert checked_answers(page) == {}
    assert watched.errors == []


def test_share_link_round_trip_in_a_fresh_browser(browser, config, page_url) -> None:
    note = 'Asked IT, "maybe" & 50% done #2, see\nminutes é'
    sender = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = Watched(sender, page_url).page
        answer(page, "CL-01", "yes")
        answer(page, "CL-03", "dont-know")
        page.fill('textarea[name="note-CL-03"]', note)
        page.click("[data-action=share]")
        link = page.input_value("#ag-share-url")
        page.wait_for_function("document.getElementById('ag-live').textContent.includes('copied')")
        assert page.evaluate("navigator.clipboard.readText()") == link
    finally:
        sender.close()
    version = config["guide"]["version"]
    assert link == f"{page_url}#f=1&v={version}&a=CL-01.yes,CL-03.dont-know&n=CL-03.{_uri(note)}"

    receiver = browser.new_context()
    try:
        own = Watched(receiver, page_url)
        answer(own.page, "CL-05", "yes")  # answers already saved here are replaced by the link
        watched = Watched(receiver, link)
        page = watched.page
        assert checked_answers(page) == {"CL-01": "yes", "CL-03": "dont-know"}
        assert page.input_value('textarea[name="note-CL-03"]') == note
        assert page.evaluate("location.hash") == "", "the link is applied once, not again on every reload"
        assert page.text_content("#ag-live").startswith("Answers restored from the share link.")
        assert json.loads(stored(page, config))["answers"] == {"CL-01": "yes", "CL-03": "dont-know"}
        page.reload()
        page.wait_for_selector("#ag-results:not([hidden])")
        assert checked_answers(page) == {"CL-01": "yes", "CL-03": "dont-know"}
        page.evaluate("() => { location.hash = '#a=CL-07.no'; }")  # a link pasted while the page is open
        page.wait_for_function("!location.hash")
        assert checked_answers(page) == {"CL-07": "no"}
        assert watched.errors == own.errors == []
    finally:
        receiver.close()


def _uri(text: str) -> str:
    """encodeURIComponent in Python."""
    from urllib.parse import quote

    return quote(text, safe="-_.!~*'()")


@pytest.mark.parametrize(
    ("fragment", "restored", "unrestored"),
    [
        ("#a=CL-01.yes,BOGUS.maybe,%%%", {"CL-01": "yes"}, ["BOGUS", "%%%"]),
        ("#a=CL-01.maybe,CL-02,CL-03.no", {"CL-03": "no"}, ["CL-01", "CL-02"]),
        ("#f=1&v=0.0.1&a=CL-9999.yes,CL-04.partly&n=CL-04.%E0%A4%A", {"CL-04": "partly"}, ["CL-9999", "CL-04"]),
        ("#a=,,,&n=.&zzz", {}, ["."]),
    ],
    ids=["garbage", "unknown-answer-and-truncated", "old-version-and-bad-encoding", "empty-entries"],
)
def test_malformed_share_link_restores_what_it_can_and_says_what_it_could_not(
    config, context, page_url, fragment, restored, unrestored
) -> None:
    watched = Watched(context, page_url + fragment)
    page = watched.page
    assert checked_answers(page) == restored
    assert page.is_visible("#ag-notice")
    notice = page.text_content("#ag-notice")
    assert f"{len(unrestored)} {'entry' if len(unrestored) == 1 else 'entries'} in the share link" in notice
    for entry in unrestored:
        assert f"“{entry}”" in notice
    if "v=0.0.1" in fragment:
        assert "version 0.0.1" in notice
    assert watched.errors == []


@pytest.mark.parametrize(
    ("saved", "restored", "message"),
    [
        ("{not json", {}, "could not be read and were discarded"),
        ("[1, 2]", {}, "could not be read and were discarded"),
        ("null", {}, "could not be read and were discarded"),
        (
            json.dumps({"version": "0.1.0", "answers": {"CL-01": "yes", "CL-02": "maybe", "XX-1": "no"}, "notes": 3}),
            {"CL-01": "yes"},
            "2 saved entries could not be restored and were ignored: “CL-02”, “XX-1”",
        ),
    ],
    ids=["not-json", "array", "null", "unknown-ids"],
)
def test_corrupted_saved_answers_are_discarded_with_a_notice(config, context, page_url, saved, restored, message):
    context.add_init_script(f"localStorage.setItem({json.dumps(config['storageKey'])}, {json.dumps(saved)})")
    watched = Watched(context, page_url)
    page = watched.page
    assert checked_answers(page) == restored
    assert message in page.text_content("#ag-notice")
    assert page.is_visible("#ag-notice")
    assert watched.errors == []


# --- Exports and printing -------------------------------------------------------------------------


def _answer_for_export(page) -> dict[str, str]:
    answer(page, "CL-01", "yes")
    answer(page, "CL-02", "partly")
    answer(page, "CL-04", "not-applicable")
    page.fill('textarea[name="note-CL-01"]', 'He said "go", then\nstop')
    page.fill('textarea[name="note-CL-02"]', "=1+1")
    return {"CL-01": "yes", "CL-02": "partly", "CL-04": "not-applicable"}


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
            "answer": chosen["label"] if chosen else "",
            "score": chosen["score"] if chosen and chosen["counts"] else None,
        }
    return rows


def test_csv_export_is_quoted_and_complete(config, context, page_url) -> None:
    page = Watched(context, page_url).page
    answers = _answer_for_export(page)
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
        assert row["score"] == ("" if want["score"] is None else f"{want['score']:g}")
        assert row["guide_version"] == config["guide"]["version"]
        assert row["date"] == datetime.date.today().isoformat()
    notes = {row["item"]: row["note"] for row in rows if row["note"]}
    assert notes == {"CL-01": 'He said "go", then\nstop', "CL-02": "'=1+1"}, "formulas are defused"


def test_json_export_holds_answers_scores_and_result(config, context, page_url) -> None:
    page = Watched(context, page_url).page
    answers = _answer_for_export(page)
    with page.expect_download() as info:
        page.click("[data-action=json]")
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert exported["guide"]["version"] == config["guide"]["version"]
    assert exported["date"] == datetime.date.today().isoformat()
    overall = score(config, answers)
    assert exported["result"]["band"] == overall["band"]["label"]
    assert exported["result"]["score"] == pytest.approx(overall["value"])
    expected = _expected_rows(config, answers)
    assert [entry["item"] for entry in exported["items"]] == [item["id"] for item in config["items"]]
    for entry in exported["items"]:
        assert list(entry) == EXPORT_COLUMNS
        assert {k: entry[k] for k in expected[entry["item"]]} == expected[entry["item"]]
    assert exported["items"][0]["note"] == 'He said "go", then\nstop'


def test_print_button_prints_and_print_layout_keeps_answers_but_hides_buttons(context, page_url) -> None:
    page = Watched(context, page_url).page
    answer(page, "CL-01", "yes")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("[data-action=print]")
    assert page.evaluate("window.printed") == 1
    if not page.locator("link[href$='guide.css']").count():  # until mkdocs.yml lists the stylesheet
        page.add_style_tag(content=STYLESHEET.read_text(encoding="utf-8"))
    page.emulate_media(media="print")
    assert page.is_hidden(".ag-actions")
    assert page.is_hidden("#ag-share-url")
    assert page.is_visible('input[name="CL-01"][value="yes"]:checked')
    breaks = page.eval_on_selector_all(".ag-phase", "steps => steps.map(s => getComputedStyle(s).breakBefore)")
    assert breaks[1:] == ["page"] * (len(breaks) - 1), "each step after the first starts a new page"


# --- Keyboard and file:// -------------------------------------------------------------------------


def test_keyboard_alone_completes_a_step_and_updates_its_score(config, context, page_url) -> None:
    watched = Watched(context, page_url)
    page = watched.page
    phase_id = min(config["phases"], key=lambda pid: config["phases"][pid]["order"])
    order = page.eval_on_selector_all(
        f'fieldset.ag-phase[data-phase="{phase_id}"] fieldset.ag-question', "sets => sets.map(s => s.dataset.item)"
    )
    focused = "() => document.activeElement && document.activeElement.name"
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == order[0]:
            break
    else:
        pytest.fail("Tab never reached the first question")
    assert page.evaluate("document.activeElement.value") == config["answers"][0]["id"]
    answers = {}
    for index, item_id in enumerate(order):
        assert page.evaluate(focused) == item_id
        if index % 2:
            page.keyboard.press("ArrowRight")  # moves to and picks the second answer
            answers[item_id] = config["answers"][1]["id"]
        else:
            page.keyboard.press("Space")  # picks the first answer
            answers[item_id] = config["answers"][0]["id"]
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == f"note-{item_id}"
        page.keyboard.press("Tab")
    assert checked_answers(page) == answers
    assert page.evaluate(focused) != order[-1], "focus moves on past the step"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused) == f"note-{order[-1]}", "and back again"
    phase = config["phases"][phase_id]
    expected = score(config, answers, [item for item in config["items"] if item["phase"] == phase_id])
    row = table_rows(page, "#ag-by-phase")[f"Step {phase['order']}: {phase['title']}"]
    assert row == [shown_percent(expected["value"]), f"{len(order)} of {len(order)}", result_label(expected)]
    assert page.text_content("#ag-live") == summary(score(config, answers))
    assert watched.errors == []


def test_page_opened_from_disk_still_scores(config, context, built_site: Path) -> None:
    watched = Watched(context, (built_site / PAGE).as_uri())
    page = watched.page
    answer(page, "CL-01", "yes")
    answer(page, "CL-02", "partly")
    assert page.text_content("#ag-live") == summary(score(config, {"CL-01": "yes", "CL-02": "partly"}))
    assert watched.errors == []


@pytest.mark.parametrize("other", ["index.html", "print_page.html"])
def test_script_does_nothing_on_other_pages(context, site_server: str, built_site: Path, other: str) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(site_server + other + "#a=CL-01.yes")
    # Only pages with the form load the script (overrides/main.html); the print page, which prints the form as a
    # checklist to fill in by hand, loads no script at all. Loaded anyway, the script must leave such a page alone.
    assert page.locator("script[src$='assessment.js']").count() == 0
    page.add_script_tag(url=site_server + "assets/javascripts/assessment.js")
    page.wait_for_timeout(100)  # the script starts in a task of its own
    assert page.evaluate("location.hash") == "#a=CL-01.yes", "other pages' fragments are left alone"
    assert page.locator("[id$='ag-results']:not([hidden])").count() == 0, "the print page stays a checklist"
    assert page.locator("input[type=radio]:checked").count() == 0
    assert errors == []
