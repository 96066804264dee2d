"""Three engines, one site: ProperDocs and Zensical build the same pages as MkDocs with Material for MkDocs.

One copy of the project is built once by each engine, from the same mkdocs.yml, docs/, data/ and macros.py, as
`make site-properdocs` and `make site-zensical` build it (``python -m aiguide.build --engine …``, run by the
engine's own virtual environment, .venv-<engine>), with the print page the PDF is printed from but without
printing it. The copy has one theme whose title carries template syntax,
HTML and an ampersand, so the same builds also show that no engine runs or interprets a title from the data.

Every page's title, menu and article text are compared with Material's (whitespace folded, links resolved).
A difference fails unless tests/engine-known-differences.txt lists it with its reason; an entry that no longer
matches any difference fails too, so the list stays honest.
"""

from __future__ import annotations

import fnmatch
import functools
import http.server
import os
import posixpath
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import BUILD_ENV, PROJECT_DIR, copy_project

pytestmark = pytest.mark.build

ENGINES = ("properdocs", "zensical")
KNOWN_DIFFERENCES = Path(__file__).with_name("engine-known-differences.txt")
PARTS = ("title", "menu", "article")
KINDS = ("page", *PARTS)  # "page": a page only one of the two sites has
KEYS = ("engine", "pages", "part", "shows", "reason")
# A theme title that would print "Workflow 49 integration ran" if any engine's macro renderer ran it,
# and bold text or a broken entity if any engine took it as HTML.
THEME = "workflow-integration"
TITLE = "Workflow {{ 7*7 }} integration {% if true %}ran{% endif %}{# note #} <b>bold</b> & co"
RAN = re.compile(r"Workflow 49|integration ran|<b>bold</b>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# --- Reading a built page --------------------------------------------------------------------------------


class PageText(HTMLParser):
    """The parts of a page that readers see: its <title>, the primary menu's links and the article's text.

    The menu is the site's navigation: the copy of the page's own table of contents that Material nests in it
    for the phone's drawer (a ``md-nav--secondary`` inside the primary menu) is left out. With tabs, Zensical
    does not nest that copy; both engines show the table of contents itself beside the page.
    """

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.folder = posixpath.dirname(page)
        self.title: list[str] = []
        self.article: list[str] = []
        self.menu: list[str] = []
        self._in_title = False
        self._article_depth = 0
        self._menu_depth = 0
        self._toc_depth = 0  # the menu depth of the nested table of contents, while inside it
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        self._in_title = self._in_title or tag == "title"
        if self._article_depth and tag not in VOID:
            self._article_depth += 1
        elif tag == "article" and "md-content__inner" in classes:
            self._article_depth = 1
        if self._menu_depth and tag == "nav":
            self._menu_depth += 1
            if "md-nav--secondary" in classes and not self._toc_depth:
                self._toc_depth = self._menu_depth
        elif tag == "nav" and "md-nav--primary" in classes:
            self._menu_depth = 1
        if self._menu_depth and not self._toc_depth and tag == "a":
            target = posixpath.normpath(posixpath.join(self.folder, values.get("href") or ""))
            self._link = [f"{target} "]

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"
        if self._article_depth and tag not in VOID:
            self._article_depth -= 1
        if self._menu_depth and tag == "nav":
            if self._toc_depth == self._menu_depth:
                self._toc_depth = 0
            self._menu_depth -= 1
        if self._link is not None and tag == "a":
            self.menu.append(fold("".join(self._link)))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        if self._article_depth:
            self.article.append(data)
        if self._link is not None:
            self._link.append(data)

    def parts(self) -> dict[str, str]:
        return {
            "title": fold("".join(self.title)),
            "menu": " | ".join(self.menu),
            "article": fold(" ".join(self.article)),
        }


def fold(text: str) -> str:
    return " ".join(text.split())


def read_page(site: Path, page: str) -> dict[str, str]:
    parser = PageText(page)
    parser.feed((site / page).read_text(encoding="utf-8"))
    return parser.parts()


def html_pages(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*.html")}


# --- The known differences ------------------------------------------------------------------------------


@dataclass
class KnownDifference:
    line: int
    engine: str
    pages: tuple[str, ...]
    part: str
    shows: re.Pattern[str]
    reason: str
    seen: list[str] = field(default_factory=list)

    def matches(self, difference: Difference) -> bool:
        return (
            self.engine == difference.engine
            and self.part == difference.part
            and any(fnmatch.fnmatchcase(difference.page, glob) for glob in self.pages)
            and bool(self.shows.search(difference.engine_text))
        )


@dataclass(frozen=True)
class Difference:
    engine: str
    page: str
    part: str
    material_text: str
    engine_text: str

    def __str__(self) -> str:
        return (
            f"{self.engine} {self.page} {self.part}: Material {self.material_text[:300]!r}, {self.engine_text[:300]!r}"
        )


def read_known_differences(path: Path = KNOWN_DIFFERENCES) -> list[KnownDifference]:
    """Entries separated by blank lines, one ``key value`` a line, ``#`` comments; see the file's header."""
    entries: list[dict] = []
    current: dict | None = None
    last_key = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("#"):
            continue
        if not raw.strip():
            current = None
            continue
        if raw.startswith("  ") and current is not None and last_key:
            current[last_key] += " " + raw.strip()
            continue
        key, _, value = raw.partition(" ")
        assert key in KEYS, f"{path.name}:{number}: unknown key {key!r} (expected one of {', '.join(KEYS)})"
        if current is None:
            current = {"line": number}
            entries.append(current)
        current[key] = value.strip()
        last_key = key
    known = []
    for entry in entries:
        where = f"{path.name}:{entry['line']}"
        assert entry.get("engine") in ENGINES, f"{where}: engine must be one of {', '.join(ENGINES)}"
        assert entry.get("part") in KINDS, f"{where}: part must be one of {', '.join(KINDS)}"
        assert len(entry.get("reason", "")) > 20, f"{where}: an entry needs the reason for the difference"
        known.append(
            KnownDifference(
                line=entry["line"],
                engine=entry["engine"],
                pages=tuple(entry.get("pages", "*").split()),
                part=entry["part"],
                shows=re.compile(entry.get("shows", "")),
                reason=entry["reason"],
            )
        )
    return known


def differences(engine: str, material: Path, other: Path) -> list[Difference]:
    """Every page part that differs between Material's site and ``engine``'s; a missing page is its own kind."""
    found = []
    ours, theirs = html_pages(material), html_pages(other)
    for page in sorted(ours ^ theirs):
        where = "only Material has it" if page in ours else f"only {engine} has it"
        found.append(Difference(engine, page, "page", where, where))
    for page in sorted(ours & theirs):
        expected, got = read_page(material, page), read_page(other, page)
        found += [
            Difference(engine, page, part, expected[part], got[part]) for part in PARTS if expected[part] != got[part]
        ]
    return found


# --- The builds -----------------------------------------------------------------------------------------


def engine_python(engine: str) -> Path:
    """The engine's virtual environment, made (or brought up to date) by make; skipped only where it cannot be made.

    CI never skips: there a missing engine fails the test.
    """
    python = PROJECT_DIR / f".venv-{engine}" / "bin" / "python"
    try:
        made = subprocess.run(
            ["make", "--no-print-directory", f".venv-{engine}/.installed"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except FileNotFoundError:
        made = subprocess.CompletedProcess([], 127, "", "make is not installed")
    if made.returncode == 0 and python.is_file():
        return python
    said = [line for line in (made.stdout + made.stderr).splitlines() if line.strip()][-3:]
    reason = f"the {engine} environment could not be made (make .venv-{engine}/.installed): {' | '.join(said)}"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def retitle_theme(project: Path, theme_id: str, title: str) -> None:
    """Give one theme in the copy's data a new title (a line edit, so the file's comments and layout stay)."""
    path = project / "data" / "themes.yaml"
    text = path.read_text(encoding="utf-8")
    entry = re.search(rf"^(\s*)- id: {re.escape(theme_id)}\n(?:\1  .*\n)*?\1  title: .*$", text, re.MULTILINE)
    assert entry, f"no theme {theme_id} in {path}"
    line = entry.group(0).rsplit("\n", 1)[-1]
    indent = line[: line.index("title:")]
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    path.write_text(
        text[: entry.end() - len(line)] + f"{indent}title: {quoted}" + text[entry.end() :], encoding="utf-8"
    )


@pytest.fixture(scope="session")
def engine_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """One copy of the project, built by Material (MkDocs) and by each engine; an engine that cannot run maps to why."""
    project = copy_project(tmp_path_factory.mktemp("engines") / "project")
    retitle_theme(project, THEME, TITLE)
    synced = subprocess.run(
        [sys.executable, "-m", "aiguide", "sync"], cwd=project, env=BUILD_ENV, capture_output=True, text=True
    )
    assert synced.returncode == 0, synced.stderr
    pythons: dict[str, Path] = {"mkdocs": Path(sys.executable)}
    sites: dict[str, Path | str] = {}
    for engine in ENGINES:
        try:
            pythons[engine] = engine_python(engine)
        except pytest.skip.Exception as skipped:
            sites[engine] = str(skipped)
    engines = list(pythons)
    for pair in (engines[:2], engines[2:]):  # two builds at a time: the machine has two cores
        running = {engine: start_build(pythons[engine], engine, project) for engine in pair}
        for engine, process in running.items():
            output, _ = process.communicate(timeout=600)
            assert process.returncode == 0, f"{engine} build failed:\n{output[-3000:]}"
            assert "WARNING" not in output, output
            sites[engine] = project / f"site-{engine}"
    return sites


def start_build(python: Path, engine: str, project: Path) -> subprocess.Popen[str]:
    """`make site-<engine>`'s build of ``project`` into its site-<engine> folder (inside it, as Zensical needs)."""
    site = project / f"site-{engine}"
    command = [str(python), "-m", "aiguide.build", "--project", str(project), "--site-dir", str(site)]
    return subprocess.Popen(
        [*command, "--no-pdf", "--print-page", "--engine", engine],
        cwd=PROJECT_DIR,
        env=BUILD_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def built(engine_sites: dict[str, Path | str], engine: str) -> Path:
    site = engine_sites[engine]
    if isinstance(site, str):
        pytest.skip(site)
    return site


# --- Tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_builds_the_same_pages_as_material(engine_sites: dict[str, Path | str], engine: str) -> None:
    material, other = built(engine_sites, "mkdocs"), built(engine_sites, engine)
    assert len(html_pages(other)) > 40
    known = [entry for entry in read_known_differences() if entry.engine == engine]
    unexplained = []
    for difference in differences(engine, material, other):
        matching = [entry for entry in known if entry.matches(difference)]
        for entry in matching:
            entry.seen.append(difference.page)
        if not matching:
            unexplained.append(str(difference))
    assert not unexplained, "differences not listed in tests/engine-known-differences.txt:\n" + "\n".join(unexplained)
    stale = [f"{KNOWN_DIFFERENCES.name}:{entry.line}" for entry in known if not entry.seen]
    assert not stale, f"these entries match no difference any more; delete them: {', '.join(stale)}"


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_writes_the_same_book_as_material(engine_sites: dict[str, Path | str], engine: str) -> None:
    """The PDF is printed from the print page and its own stylesheets: equal bytes, equal PDF."""
    material, other = built(engine_sites, "mkdocs"), built(engine_sites, engine)
    book = (material / "print_page.html").read_bytes()
    assert b"<h1" in book and (other / "print_page.html").read_bytes() == book
    sheets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', book)
    assert sheets
    for sheet in sheets:
        path = sheet.decode()
        assert (other / path).read_bytes() == (material / path).read_bytes(), path


@pytest.mark.parametrize("engine", ("mkdocs", *ENGINES))
def test_titles_from_the_data_are_shown_as_written(engine_sites: dict[str, Path | str], engine: str) -> None:
    site = built(engine_sites, engine)
    page = f"themes/{THEME}/index.html"
    parts = read_page(site, page)
    assert parts["title"].startswith(f"{TITLE} - "), parts["title"]
    assert f"themes/{THEME}/index.html {TITLE}" in parts["menu"].split(" | "), parts["menu"]
    leaks = [path.name for path in site.rglob("*.html") if RAN.search(path.read_text(encoding="utf-8"))]
    assert not leaks, f"{engine} ran or interpreted the title on {leaks}"


def test_footer_shows_the_version_under_every_engine(engine_sites: dict[str, Path | str], guide) -> None:
    for engine in ("mkdocs", *ENGINES):
        site = engine_sites[engine]
        if isinstance(site, str):
            continue
        footer = (site / "findings" / "index.html").read_text(encoding="utf-8")
        assert f"Version {guide.meta.version}, released {guide.meta.release_date}" in fold(footer), engine
        assert 'href="../changelog/index.html"' in footer, engine


def test_known_differences_file_is_well_formed(tmp_path: Path) -> None:
    entries = read_known_differences()
    assert all(entry.reason and entry.part in PARTS for entry in entries)
    sample = tmp_path / "known.txt"
    sample.write_text("engine zensical\npages 404.html\npart article\nshows Not found\nreason r\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="needs the reason"):
        read_known_differences(sample)
    sample.write_text("engine zensical\npart article\nreason the engine writes its own text\n", encoding="utf-8")
    (entry,) = read_known_differences(sample)
    assert entry.matches(Difference("zensical", "any/index.html", "article", "a", "b"))
    assert not entry.matches(Difference("properdocs", "any/index.html", "article", "a", "b"))


# --- In the browser -------------------------------------------------------------------------------------

# Material's search is a form in the page; Zensical's opens from a button into a dialog of its own (shadow DOM).
SEARCH_RESULTS = """() => {
  if (document.querySelector('.md-search-result__item')) return true;
  const hosts = [...document.querySelectorAll('*')].filter(e => e.shadowRoot);
  return hosts.some(e => /[1-9][0-9]* results?/.test(e.shadowRoot.textContent));
}"""


@pytest.fixture(scope="module")
def engine_server(engine_sites: dict[str, Path | str]) -> Iterator[dict[str, str]]:
    """Each built site served on a loopback port of its own; maps each engine to its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    servers, urls = [], {}
    for engine, site in engine_sites.items():
        if isinstance(site, str):
            continue
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[engine] = f"http://127.0.0.1:{server.server_address[1]}/"
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("engine", ("mkdocs", *ENGINES))
def test_search_and_page_scripts_start_under_every_engine(browser, engine_server: dict[str, str], engine: str) -> None:
    if engine not in engine_server:
        pytest.skip(f"{engine} could not build here")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(engine_server[engine] + "findings/index.html", wait_until="load")
    button = page.query_selector(".md-search__button")
    if button:  # Zensical
        button.click()
        page.keyboard.type("procurement")
    else:
        page.click("input.md-search__input")
        page.fill("input.md-search__input", "procurement")
    page.wait_for_function(SEARCH_RESULTS, timeout=15_000)
    page.goto(engine_server[engine] + "assessment/index.html", wait_until="load")
    page.wait_for_selector("#ag-assessment-form[data-ag-ready]", state="attached", timeout=15_000)
    page.close()
    assert errors == []
