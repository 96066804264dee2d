"""Questions for suppliers: the data check, the tender pack (workbook and CSV), the page and its CSV download.

The workbook is read back with openpyxl, a reader independent of XlsxWriter that wrote it. Expected values come
from the data files (through the typed model), never from numbers written into the test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aiguide.cli import main as cli_main
from aiguide.exports import download_files
from aiguide.guide import load_guide
from aiguide.model import GuideData, VendorQuestion
from aiguide.newrecord import main as new_main

from .conftest import PROJECT_DIR

DATA = PROJECT_DIR / "data"
SCHEMA = DATA / "schemas" / "vendor_questions.schema.json"
PROBLEM_LINE = re.compile(r"^data/[a-z_]+\.yaml:\d+: \S+: \S.*$")
PAGE = "vendor-questions/index.html"
LOCAL_PAGE = "local-validation/index.html"


def words(text: str) -> str:
    return " ".join(text.split())


def by_group(guide: GuideData) -> dict[str, list[VendorQuestion]]:
    return {group.id: [q for q in guide.vendor_questions if q.group == group.id] for group in guide.vendor_groups}


# ------------------------------------------------------------------ the data check


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A project holding only a copy of the data files (all the check reads)."""
    shutil.copytree(DATA, tmp_path / "data")
    return tmp_path


def mutate(project: Path, old: str, new: str) -> tuple[str, int]:
    path = project / "data" / "vendor_questions.yaml"
    text = path.read_text(encoding="utf-8")
    offset = text.find(old)
    assert offset >= 0, f"{old!r} is no longer in vendor_questions.yaml; pick another mutation target"
    text = text[:offset] + new + text[offset + len(old) :]
    path.write_text(text, encoding="utf-8")
    return text, offset


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def question_index(text: str, offset: int) -> int:
    """The list index of the question holding ``offset`` (questions start with '  - id: VQ-')."""
    return text.count("\n  - id: VQ-", 0, offset + 1) - 1


def record_line(text: str, offset: int) -> int:
    return line_at(text, text.rfind("\n  - id: VQ-", 0, offset + 1) + 1)


def unknown_group(project: Path) -> str:
    text, at = mutate(project, "    group: integration\n", "    group: integrations\n")
    where = f"questions[{question_index(text, at)}].group"
    message = "'integrations' is not one of the groups in this file (did you mean 'integration'?)"
    return f"data/vendor_questions.yaml:{line_at(text, at)}: {where}: {message}"


def resting_on_nothing(project: Path) -> str:
    # A question backed by findings only: take its findings away.
    text, at = mutate(project, "    findings: [FW-02, PT-34, SE-45]\n", "")
    index = question_index(text, at)
    return (
        f"data/vendor_questions.yaml:{record_line(text, at)}: questions[{index}]: rests on nothing: list the "
        "findings or citations behind it, or set practice_advice: true if it is the guide's own advice"
    )


def bad_role(project: Path) -> str:
    text, at = mutate(
        project, "    roles: [procurement, legal-governance]\n", "    roles: [procurment, legal-governance]\n"
    )
    where = f"questions[{question_index(text, at)}].roles[0]"
    message = "'procurment' is not a known role (did you mean 'procurement'?)"
    return f"data/vendor_questions.yaml:{line_at(text, at)}: {where}: {message}"


def bad_tier(project: Path) -> str:
    text, at = mutate(project, "    tier: recommended\n", "    tier: optional\n")
    where = f"questions[{question_index(text, at)}].tier"
    return f"data/vendor_questions.yaml:{line_at(text, at)}: {where}: 'optional' is not one of: essential, recommended"


def unknown_crosswalk_area(project: Path) -> str:
    text, at = mutate(project, "      haip: [integration]\n", "      haip: [integrate]\n")
    where = f"questions[{question_index(text, at)}].crosswalk.haip[0]"
    return (
        f"data/vendor_questions.yaml:{line_at(text, at)}: {where}: 'integrate' is not part of haip "
        "(did you mean 'integration'?)"
    )


CASES = {
    "unknown group": unknown_group,
    "neither findings, citations nor practice advice": resting_on_nothing,
    "unknown role": bad_role,
    "tier outside the vocabulary": bad_tier,
    "crosswalk area the framework lacks": unknown_crosswalk_area,
}


@pytest.mark.parametrize("make_bad", list(CASES.values()), ids=list(CASES))
def test_bad_question_gives_one_exact_problem_line(make_bad, data_copy: Path, capsys) -> None:
    expected = make_bad(data_copy)
    capsys.readouterr()
    status = cli_main(["--project", str(data_copy), "check"])
    err = capsys.readouterr().err.splitlines()
    assert status == 1
    *problems, summary = err
    assert problems == [expected], "\n".join(err)
    assert all(PROBLEM_LINE.match(line) for line in problems)
    assert summary.startswith("1 problem found")


def test_command_line_check_exits_non_zero_on_a_bad_question(data_copy: Path) -> None:
    expected = unknown_group(data_copy)
    result = subprocess.run(
        [sys.executable, "-m", "aiguide", "--project", str(data_copy), "check"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr.splitlines()


def test_schema_describes_every_field_and_closes_every_object() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)

    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, path
                for name, sub in node["properties"].items():
                    assert sub.get("description"), f"{path}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(schema, "$")
    first_line = (DATA / "vendor_questions.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=schemas/vendor_questions.schema.json"


def test_every_question_rests_on_something_and_its_ids_are_unique(guide: GuideData) -> None:
    ids = [question.id for question in guide.vendor_questions]
    assert len(ids) == len(set(ids))
    for question in guide.vendor_questions:
        assert question.findings or question.citations or question.practice_advice, question.id
        assert question.group in guide.vendor_group


def test_new_vendor_question_gets_the_next_free_id(data_copy: Path, guide: GuideData, capsys) -> None:
    highest = max(int(question.id.split("-")[1]) for question in guide.vendor_questions)
    status = new_main(["vendor-question", "--project", str(data_copy), "--set", "group=exit", "--dry-run"])
    out = capsys.readouterr().out
    assert status == 0
    assert f"- id: VQ-{highest + 1:02d}" in out
    assert "group: exit" in out


# ------------------------------------------------------------------ the tender pack


@pytest.fixture(scope="module")
def pack() -> dict[str, bytes]:
    return {item.name: item.content for item in download_files(load_guide(PROJECT_DIR))}


@pytest.fixture(scope="module")
def workbook(pack: dict[str, bytes]):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(pack["vendor-questions.xlsx"]))


def group_sheets(workbook, guide: GuideData) -> dict[str, object]:
    """Group id -> its sheet, found by the group's title (the first sheet introduces the pack)."""
    titles = {sheet.title: sheet for sheet in workbook.worksheets}
    return {group.id: titles[group.title] for group in guide.vendor_groups}


def test_workbook_has_every_question_in_its_group_sheet(workbook, guide: GuideData) -> None:
    sheets = group_sheets(workbook, guide)
    assert len(workbook.worksheets) == len(guide.vendor_groups) + 1
    for group_id, questions in by_group(guide).items():
        sheet = sheets[group_id]
        header = [cell.value for cell in sheet[1]]
        assert header[:3] == ["ID", "Question", "Why it matters"]
        assert {"Red flags", "Supplier's answer", "Evidence attached", "Score", "Notes"} <= set(header)
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert [row[0] for row in rows] == [question.id for question in questions]
        for row, question in zip(rows, questions, strict=True):
            assert row[1] == words(question.question)
            assert row[header.index("What a good answer looks like")] == words(question.good_answer)
            flags = row[header.index("Red flags")]
            assert all(words(flag) in flags for flag in question.red_flags)
            assert row[header.index("Supplier's answer")] is None


def test_workbook_sheets_have_a_score_drop_down_a_frozen_header_and_print_set_up(workbook, guide: GuideData) -> None:
    from openpyxl.utils import get_column_letter

    for group_id, sheet in group_sheets(workbook, guide).items():
        count = len(by_group(guide)[group_id])
        header = [cell.value for cell in sheet[1]]
        score = get_column_letter(header.index("Score") + 1)
        lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
        assert len(lists) == 1, sheet.title
        assert str(lists[0].sqref) == f"{score}2:{score}{count + 1}"
        choices = lists[0].formula1.strip('"').split(",")
        assert len(choices) >= 3 and all(choices)
        assert sheet.freeze_panes == "A2"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToHeight == 0  # as many pages down as needed, one page across
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.print_options.gridLines


def test_workbook_bytes_are_reproducible_and_dated_by_the_release(pack: dict[str, bytes], guide: GuideData) -> None:
    again = {item.name: item.content for item in download_files(load_guide(PROJECT_DIR))}
    assert again["vendor-questions.xlsx"] == pack["vendor-questions.xlsx"]
    archive = zipfile.ZipFile(io.BytesIO(pack["vendor-questions.xlsx"]))
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode("utf-8")
    release = dt.date.fromisoformat(guide.meta.release_date)
    assert f">{release.isoformat()}T00:00:00Z</dcterms:created>" in core


def read_csv(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "spreadsheets need the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_holds_every_question_with_its_group(pack: dict[str, bytes], guide: GuideData) -> None:
    rows = read_csv(pack["vendor-questions.csv"])
    assert sorted(row["ID"] for row in rows) == sorted(question.id for question in guide.vendor_questions)
    for row in rows:
        question = guide.vendor_question[row["ID"]]
        assert row["Question"] == words(question.question)
        assert row["Group"] == guide.vendor_group[question.group].title
        assert row["Tier"] == question.tier
        assert row["Supplier's answer"] == row["Score"] == ""


# ------------------------------------------------------------------ the built pages


def visible_text(html: str) -> str:
    article = html[html.index('<article class="md-content__inner') : html.index("</article>")]
    return words(re.sub(r"<[^>]+>", " ", article)).replace("&#39;", "'")


@pytest.mark.build
def test_page_lists_every_question_under_its_group(built_site: Path, guide: GuideData) -> None:
    html = (built_site / PAGE).read_text(encoding="utf-8")
    text = visible_text(html)
    for group in guide.vendor_groups:
        assert f'id="group-{group.id}"' in html
        start = html.index(f'data-group="{group.id}"')
        for question in guide.questions_in_group(group.id):
            position = html.index(f'id="{question.anchor}"')
            assert position > start, question.id
            assert f"{question.id} · {words(question.question)}" in text
    assert 'href="../downloads/vendor-questions.xlsx"' in html
    assert 'href="../downloads/vendor-questions.csv"' in html
    downloads = (built_site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert 'href="vendor-questions.xlsx"' in downloads and 'href="vendor-questions.csv"' in downloads


@pytest.mark.build
def test_local_validation_page_lists_its_items_and_findings(built_site: Path, guide: GuideData) -> None:
    html = (built_site / LOCAL_PAGE).read_text(encoding="utf-8")
    source = (PROJECT_DIR / "docs" / "local-validation" / "index.md").read_text(encoding="utf-8")
    item_ids = re.findall(r'"(CL-\d+)"', source)
    finding_ids = re.findall(r'"([A-Z]{2}-\d+)"', source)
    assert item_ids and "CL-55" in item_ids and "CL-28" in item_ids
    text = visible_text(html)
    for item_id in item_ids:
        assert f"{item_id} · {words(guide.item[item_id].question)}" in text
    for finding_id in set(finding_ids) - set(item_ids):
        assert f"{finding_id} {guide.finding[finding_id].title}" in text
    advised = [item_id for item_id in item_ids if guide.item[item_id].practice_advice]
    assert advised, "the silent-period items are the guide's own advice and must say so"
    assert text.count("The guide's own advice") == len(advised)


# ------------------------------------------------------------------ in the browser


def wait_until(condition, seconds: float = 5.0) -> None:
    """Poll from Python (the site's CSP forbids the eval behind page.wait_for_function)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def pick_two_and_download(page, guide: GuideData) -> tuple[list[str], list[dict[str, str]]]:
    """Filter to PACS and IT questions in the integration group, tick the first two shown, download the CSV."""
    page.locator('input[name="role"][value="pacs-it"]').check()
    page.locator('input[name="group"][value="integration"]').check()
    expected = [q.id for q in guide.questions_in_group("integration") if "pacs-it" in q.roles]
    shown = page.locator(".ag-vq:visible").evaluate_all("nodes => nodes.map(n => n.dataset.question)")
    assert shown == expected
    assert (
        page.locator(".ag-filter-status").inner_text()
        == f"{len(expected)} of {len(guide.vendor_questions)} questions shown"
    )
    chosen = expected[:2]
    for question_id in chosen:
        page.get_by_label(f"Add {question_id} to my list").check()
    wait_until(lambda: page.locator(".ag-vq-picked").inner_text().startswith("2 questions ticked"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download ticked questions (CSV)").click()
    download = info.value
    assert download.suggested_filename == "vendor-questions-selected.csv"
    return chosen, read_csv(Path(download.path()).read_bytes())


def assert_exactly(chosen: list[str], rows: list[dict[str, str]], built_site: Path, guide: GuideData) -> None:
    assert [row["ID"] for row in rows] == chosen
    for row in rows:
        assert row["Question"] == words(guide.vendor_question[row["ID"]].question)
    published = {row["ID"]: row for row in read_csv((built_site / "downloads" / "vendor-questions.csv").read_bytes())}
    assert rows == [published[question_id] for question_id in chosen]


@pytest.fixture(scope="module")
def tab(browser) -> Iterator:
    """One tab per worker for the download tests (downloads accepted); each test opens its page afresh."""
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


@dataclass
class PageProblems:
    uncaught: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture
def problems(tab) -> Iterator[PageProblems]:
    """The uncaught exceptions and console errors of the tab while one test runs."""
    seen = PageProblems()

    def on_error(error) -> None:
        seen.uncaught.append(str(error))

    def on_console(message) -> None:
        if message.type == "error":
            seen.console.append(message.text)

    tab.on("pageerror", on_error)
    tab.on("console", on_console)
    yield seen
    tab.remove_listener("pageerror", on_error)
    tab.remove_listener("console", on_console)


@pytest.mark.browser
def test_ticked_questions_download_as_csv_from_disk(tab, problems, built_site: Path, guide: GuideData) -> None:
    page = tab
    page.goto((built_site / PAGE).as_uri())
    chosen, rows = pick_two_and_download(page, guide)
    assert_exactly(chosen, rows, built_site, guide)
    assert problems.uncaught == []


@pytest.mark.browser
def test_ticked_questions_download_as_csv_over_http_under_the_csp(
    tab, problems, site_server: str, built_site: Path, guide: GuideData
) -> None:
    page = tab
    response = page.goto(site_server + PAGE)
    assert response is not None and response.ok
    assert "Content-Security-Policy" in page.content()
    chosen, rows = pick_two_and_download(page, guide)
    assert_exactly(chosen, rows, built_site, guide)
    page.get_by_role("button", name="Untick all").click()
    page.get_by_role("button", name="Download ticked questions (CSV)").click()
    assert page.locator(".ag-vq-picked").inner_text() == "Tick at least one question first."
    # A CSP violation is reported as a console error.
    assert problems.console + problems.uncaught == [], problems


@pytest.fixture(scope="module")
def axe_tab(browser) -> Iterator:
    """One tab per worker, carrying axe from the start of each page, for the axe tests."""
    from .test_accessibility import axe_context

    context = axe_context(browser, color_scheme="light")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", [PAGE, LOCAL_PAGE])
def test_pages_pass_axe_with_filters_and_ticks_in_use(axe_tab, site_server: str, name: str) -> None:
    from .test_accessibility import run_axe

    page = axe_tab
    page.goto(site_server + name, wait_until="load")
    if name == PAGE:
        page.locator('input[name="phase"][value="procure"]').check()
        page.locator(".ag-vq-pick:visible input").first.check()
        page.get_by_role("button", name="Download ticked questions (CSV)").focus()
    problems = run_axe(page, name, "default")
    assert not problems, "\n".join(problems)
