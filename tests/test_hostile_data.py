"""Safe rendering of data: hostile text in every free-text field is shown as text and never runs.

A copy of the project gets HTML, Markdown-link, attribute-list and Jinja payloads appended to every field whose
schema is ``common.schema.json#/$defs/text`` (found by walking the schemas) and Jinja in every question field.
The data check must accept it (it is legal text), the strict build must pass, and every built page, opened in
Chromium, must show the payload as text without opening a dialog or carrying a handler or ``javascript:`` link.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiguide import cli, printbook
from aiguide.fields import DATA_FILES
from aiguide.guide import data_file, load_guide
from aiguide.schemas import ANY_KEY, EACH, SchemaNode, SchemaSet

from .conftest import PROJECT_DIR, copy_project, run_build

pytestmark = pytest.mark.build

PAYLOAD = (
    "<script>alert('x1')</script> <img src=x onerror=\"alert('x2')\"> [click](javascript:alert('x3')) "
    "{{ config.docs_dir }} {% include 'mkdocs.yml' %} {: onclick=alert('x4') } "
    "<a href=\"javascript:alert('x5')\">x5</a> </title></textarea><script>alert('x9')</script>"
)
# Appended to question fields (before their closing '?'): Jinja that would print zz49zz if it ever ran.
QUESTION_PAYLOAD = " zz{{ 7*7 }}zz yy{% if true %}ran{% endif %}yy <b onmouseover=\"alert('x6')\">q</b>"
# Put into every one-line field (titles, labels, sections: shown in headings, the navigation and page titles).
TITLE_PAYLOAD = "zz{{ 7*7 }}zz <i>t</i> {: .x }"
RAN = ("zz49zz", "yyranyy")  # what the payloads would turn into if Jinja ran them
QUESTION_PATTERN = "\\?$"
# Pages that show free text from the data, and a field each of them shows.
PAGES_WITH_TEXT = {
    "index.html": "guide headline",
    "themes/workflow-integration/index.html": "theme summary",
    "findings/index.html": "finding statements",
    "faq/index.html": "FAQ answers",
    "sources/index.html": "source contributions and citation notes",
    "glossary/index.html": "definitions",
    "decision-makers/index.html": "headline implications",
    "phases/evaluate/index.html": "phase summary",
    "roles/radiologist/index.html": "role summary",
    "checklists/index.html": "checklist help",
    "vendor-questions/index.html": "questions for suppliers",
    "local-validation/index.html": "checklist help picked by a topic page",
    "assessment/index.html": "assessment intro",
    "calculators/alerts/index.html": "calculator intro, formulas and worked example",
    "changelog/index.html": "release notes",
    "about/index.html": "how to cite",
    "law/eu/index.html": "jurisdiction summary and obligation texts",
}
# Every attribute that holds a handler or an address, and every executable script, found in the live DOM.
DOM_OFFENDERS = """() => {
  const found = [];
  const addresses = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.trim().toLowerCase();
      const shown = `${element.tagName} ${name}="${attribute.value}"`;
      if (name.startsWith('on') && value.includes('alert')) found.push(shown);
      if (addresses.includes(name) && value.startsWith('javascript:')) found.push(shown);
    }
  }
  for (const script of document.querySelectorAll('script')) {
    const type = (script.type || '').toLowerCase();
    if (type.includes('json')) {
      try { JSON.parse(script.textContent); } catch (error) { found.push(`unparsable ${type} script`); }
    } else if (script.textContent.includes("alert('x")) {
      found.push(`script type="${type}" runs the payload`);
    }
  }
  return found;
}"""
# The offenders and, when asked, the visible text (which costs a layout, so only for pages a test reads).
PAGE_STATE = f"(withText) => ({{offenders: ({DOM_OFFENDERS})(), text: withText ? document.body.innerText : null}})"
# Change the address's fragment and return once the page's own hashchange listeners have run.
SET_HASH_AND_WAIT = """(hash) => new Promise(resolve => {
  window.addEventListener('hashchange', () => setTimeout(resolve, 0), {once: true});
  location.hash = hash;
})"""
ASSESSMENT = "assessment/index.html"
CALCULATORS = ("alerts", "sample-size", "cost")
CALCULATOR_PAGES = {f"calculators/{name}/index.html": name for name in CALCULATORS}
TEXT_READ_ON = {*PAGES_WITH_TEXT, ASSESSMENT, *CALCULATOR_PAGES}  # the pages whose text a test reads


# --- Walking the schemas ------------------------------------------------------------------------


def _is_question(node: SchemaNode) -> bool:
    return node.schema.get("pattern") == QUESTION_PATTERN


def _is_text(node: SchemaNode) -> bool:
    """Free text: a field of the shared ``text`` type."""
    return node.doc == "common.schema.json" and node.defs[-1:] == ("text",)


def _is_line(node: SchemaNode) -> bool:
    """A one-line field (titles, labels, sections), questions apart."""
    return node.doc == "common.schema.json" and node.defs[-1:] == ("line",) and not _is_question(node)


def field_paths(
    node: SchemaNode, schemas: SchemaSet, wanted: Callable[[SchemaNode], bool], prefix: tuple = ()
) -> Iterator[tuple]:
    """Token paths (``[]`` every item, ``*`` every key) of the fields below ``node`` that ``wanted`` picks."""
    if wanted(node):
        yield prefix
        return
    items = schemas.items_of(node)
    if items is not None:
        yield from field_paths(items, schemas, wanted, (*prefix, EACH))
    for name, sub in node.schema.get("properties", {}).items():
        yield from field_paths(schemas.resolve(sub, node.doc), schemas, wanted, (*prefix, name))
    values = schemas.values_of(node)
    if values is not None:
        yield from field_paths(values, schemas, wanted, (*prefix, ANY_KEY))


def paths_by_file(project: Path, wanted: Callable[[SchemaNode], bool]) -> dict[str, list[tuple]]:
    """Data file name -> paths of the fields that ``wanted`` picks, from the project's schemas."""
    schemas = SchemaSet.read(project)
    return {name: list(field_paths(schemas.root(name), schemas, wanted)) for name in DATA_FILES}


def dotted(path: tuple) -> str:
    return ".".join(path).replace(".[]", "[]")


# --- Changing the data --------------------------------------------------------------------------


def _keys(value: Any, head: str) -> list:
    """The keys or indexes of ``value`` that the path token ``head`` names."""
    if head == EACH:
        return list(range(len(value))) if isinstance(value, list) else []
    if head == ANY_KEY:
        return list(value) if isinstance(value, dict) else []
    return [head] if isinstance(value, dict) and head in value else []


def update(value: Any, path: tuple, change: Callable[[str], str]) -> int:
    """Apply ``change`` to every string at ``path`` inside ``value``; return how many were changed."""
    count = 0
    for key in _keys(value, path[0]):
        if len(path) > 1:
            count += update(value[key], path[1:], change)
        elif isinstance(value[key], str):
            value[key] = change(value[key])
            count += 1
    return count


def rewrite(project: Path, name: str, edit: Callable[[Any], Any]) -> None:
    """Load a data file, edit its values and write it back (keeping its schema comment line)."""
    path = data_file(project, name)
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    data = yaml.safe_load(text)
    edit(data)
    header = f"{first}\n" if first.startswith("# yaml-language-server") else ""
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def inject(project: Path) -> dict[str, int]:
    """Append the payloads to every text and question field; return how many fields each file got."""
    texts = paths_by_file(project, _is_text)
    lines = paths_by_file(project, _is_line)
    questions = paths_by_file(project, _is_question)
    counts = {}
    for name in DATA_FILES:

        def edit(data: Any, name: str = name) -> None:
            counts[name] = sum(update(data, path, lambda text: f"{text} {PAYLOAD}") for path in texts[name])
            counts[name] += sum(update(data, path, lambda text: f"{text[:40]} {TITLE_PAYLOAD}") for path in lines[name])
            counts[name] += sum(
                update(data, path, lambda text: f"{text[:-1]}{QUESTION_PAYLOAD}?") for path in questions[name]
            )

        rewrite(project, name, edit)
    return counts


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the project with hostile text everywhere, checked, synced and built strictly."""
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    counts = inject(project)
    problems = list(load_guide(project).problems)
    # The sync command writes the nav (as `make site` does), so nav titles carry the payload too.
    sync = run_in_process(cli.main, ["--project", str(project), "sync"])
    assert sync.returncode == 0, sync.stderr
    site = project / "built"
    result = run_build(project, site)
    # The whole-guide page, assembled from the built pages as `make site` does before printing the PDF.
    book = run_in_process(printbook.main, [str(site), "--project", str(project)])
    return {"project": project, "site": site, "counts": counts, "problems": problems, "build": result, "book": book}


def run_in_process(main: Callable[[list[str]], int], argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a command's ``main`` in this process (no second interpreter to start), with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return subprocess.CompletedProcess(argv, status, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def hostile_server(hostile: dict[str, Any]) -> Iterator[str]:
    """The hostile site served on a free loopback port."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(hostile["site"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown() waits for the loop to notice it (half a second with the default).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def visited(browser, hostile: dict[str, Any], hostile_server: str) -> dict[str, dict[str, Any]]:
    """Every built HTML page opened once in Chromium: dialogs it opened, DOM offenders and (where a test reads it)
    visible text. The self-assessment and the calculators are then used on the page just opened."""
    if hostile["build"].returncode != 0:
        pytest.fail("the hostile copy did not build; see test_hostile_text_is_legal_data_and_builds_strictly")
    site: Path = hostile["site"]
    dialogs: list[str] = []
    page = browser.new_page()
    # No request is routed: the search index is fetched only once someone uses the search (search-on-demand.js),
    # and a route would pass every request of every page through this process, a third of the run's time.
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    results = {}
    for path in sorted(item.relative_to(site).as_posix() for item in site.rglob("*.html")):
        before = len(dialogs)
        page.goto(hostile_server + path, wait_until="load")
        results[path] = _page_state(page, dialogs[before:], with_text=path in TEXT_READ_ON)
        if path == ASSESSMENT:
            results["assessment answered"] = _answer_everything(page, dialogs)
        if path in CALCULATOR_PAGES:
            name = CALCULATOR_PAGES[path]
            results[f"calculator {name} used"] = _use_calculator(page, dialogs, name)
    page.close()
    return results


def _page_state(page: Any, dialogs: list[str], with_text: bool) -> dict[str, Any]:
    """The dialogs a page opened, its DOM offenders and, when asked, its visible text (one round trip)."""
    return {"dialogs": dialogs, **page.evaluate(PAGE_STATE, with_text)}


def _answer_everything(page: Any, dialogs: list[str]) -> dict[str, Any]:
    """Answer every self-assessment item 'no', so the script writes bands, caps and weak areas into the page."""
    before = len(dialogs)
    page.evaluate("() => document.querySelectorAll('input[type=radio][value=\"no\"]').forEach(r => r.click())")
    page.wait_for_timeout(200)
    state = _page_state(page, dialogs[before:], with_text=True)
    page.evaluate("() => localStorage.clear()")  # the pages opened next start from nothing saved, as on a first visit
    return state


def _use_calculator(page: Any, dialogs: list[str], name: str) -> dict[str, Any]:
    """Show a calculator's results for a link with a part it cannot use, then an error under its first field: all
    written from the data's labels. The link is set on the open page; the calculator reads it as when opened with it."""
    before = len(dialogs)
    page.evaluate(SET_HASH_AND_WAIT, "bogus=1")
    page.wait_for_selector(f"#calc-{name}-output table")
    page.locator(f"#calc-{name}-form input[type=text]").first.fill("x")
    page.wait_for_selector(f"#calc-{name}-form .ag-calc__error:not([hidden])")
    state = _page_state(page, dialogs[before:], with_text=True)
    page.evaluate("() => localStorage.clear()")
    return state


# --- Tests --------------------------------------------------------------------------------------


def test_every_free_text_field_is_found_by_walking_the_schemas(project_dir: Path) -> None:
    texts = {name: [dotted(path) for path in paths] for name, paths in paths_by_file(project_dir, _is_text).items()}
    for name, field in [
        ("findings", "findings[].citations[].note"),
        ("guide", "headline.key_insights[].text"),
        ("guide", "headline.conclusion.text"),
        ("assessment", "intro"),
        ("roles", "roles[].concerns[]"),
        ("themes", "themes[].summary"),
    ]:
        assert field in texts[name], (name, field, texts[name])
    assert any(field.startswith("bands[].") for field in texts["assessment"]), texts["assessment"]
    questions = {
        name: [dotted(path) for path in paths] for name, paths in paths_by_file(project_dir, _is_question).items()
    }
    assert "items[].question" in questions["checklists"] and "faqs[].question" in questions["faqs"]


def test_hostile_text_is_legal_data_and_builds_strictly(hostile: dict[str, Any]) -> None:
    assert all(hostile["counts"][name] > 0 for name in DATA_FILES), hostile["counts"]
    assert hostile["problems"] == [], "\n".join(map(str, hostile["problems"]))
    build = hostile["build"]
    messages = "\n".join([line for line in build.stderr.splitlines() if not line.startswith("INFO")][:40])
    assert build.returncode == 0, messages
    assert "WARNING" not in build.stderr, messages
    assert hostile["book"].returncode == 0, hostile["book"].stderr


def test_no_page_opens_a_dialog_or_carries_a_handler_or_script(visited: dict[str, dict[str, Any]]) -> None:
    assert len(visited) > 40 and "print_page.html" in visited and "assessment answered" in visited
    assert "calculator cost used" in visited
    failures = {path: page["dialogs"] + page["offenders"] for path, page in visited.items()}
    assert not {path: found for path, found in failures.items() if found}


@pytest.mark.parametrize("path", sorted(PAGES_WITH_TEXT))
def test_payload_is_shown_as_text(visited: dict[str, dict[str, Any]], path: str) -> None:
    assert PAYLOAD in visited[path]["text"], f"{path} does not show the payload in its {PAGES_WITH_TEXT[path]} as text"


def test_assessment_results_show_band_and_rule_texts_as_text(visited: dict[str, dict[str, Any]]) -> None:
    text = visited["assessment answered"]["text"]
    assert text.count(PAYLOAD) > visited["assessment/index.html"]["text"].count(PAYLOAD), "no result text appeared"


@pytest.mark.parametrize("name", CALCULATORS)
def test_calculator_results_and_errors_show_labels_as_text(visited: dict[str, dict[str, Any]], name: str) -> None:
    assert "Your results" in visited[f"calculators/{name}/index.html"]["text"], "the calculator did not start"
    assert f"{PAYLOAD}: enter a plain number such as 2.5" in visited[f"calculator {name} used"]["text"]


@pytest.mark.parametrize("path", ["checklists/index.html", "faq/index.html", "phases/evaluate/index.html"])
def test_jinja_in_questions_is_shown_not_run(visited: dict[str, dict[str, Any]], path: str) -> None:
    assert QUESTION_PAYLOAD.strip() + "?" in visited[path]["text"]


def test_nothing_from_the_build_leaks_into_any_file(hostile: dict[str, Any]) -> None:
    docs_dir = str((hostile["project"] / "docs").resolve())
    for file in hostile["site"].rglob("*"):
        if file.suffix not in {".html", ".js", ".json", ".xml"}:
            continue
        text = file.read_text(encoding="utf-8", errors="replace")
        assert docs_dir not in text, f"{file.name} holds the docs_dir path"
        assert not any(ran in text for ran in RAN), f"{file.name} ran Jinja from the data"


def _break_urls(project: Path) -> None:
    def sources(data: dict) -> None:
        data["sources"][0]["url"] = "javascript:alert('x7')"

    def guide(data: dict) -> None:
        data["licence"]["url"] = "javascript:alert('x8')"

    rewrite(project, "sources", sources)
    rewrite(project, "guide", guide)


def _line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_url_fields_refuse_javascript_with_file_and_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR / "data", project / "data")  # the check reads nothing else
    _break_urls(project)
    shown = [str(problem) for problem in load_guide(project).problems]
    for name, field, needle in [("sources", "sources[0].url", "x7"), ("guide", "licence.url", "x8")]:
        line = _line_of(data_file(project, name), needle)
        expected = f"data/{name}.yaml:{line}: {field}: "
        assert any(text.startswith(expected) and "http" in text for text in shown), (expected, shown)
