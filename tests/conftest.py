"""Shared fixtures: the real project, disposable copies of it, and one strict build."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiguide.guide import Guide, load_guide
from aiguide.locks import exclusive_lock
from aiguide.model import GuideData
from aiguide.pdf import CHROMIUM_ARGS  # one launch recipe for the PDF and the tests
from aiguide.tools import ToolMissing, find

PROJECT_DIR = Path(__file__).resolve().parent.parent
COPIED = ("data", "docs", "aiguide", "overrides", "mkdocs.yml", "macros.py", "CONTRIBUTING.md")
MKDOCS = [sys.executable, "-m", "mkdocs"]
TINY_GUIDE = PROJECT_DIR / "tests" / "fixtures" / "tiny"  # a few records per data file, for behaviour tests
BUILD_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def tool(name: str) -> str:
    """The path of Chromium, pdftotext or Java as :mod:`aiguide.tools` finds it; fails with what to install."""
    try:
        return str(find(name))
    except ToolMissing as error:
        pytest.fail(f"{error} (`make test` installs it on Debian when run as root)")


def copy_project(target: Path) -> Path:
    """Copy everything a build needs into ``target`` (no virtual environment, no site)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def run_build(project: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` (never with -q, which hides warnings from --strict)."""
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        env=BUILD_ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def loaded() -> Guide:
    """The real guide as the pipeline loads it (files, schemas, problems, model)."""
    return load_guide(PROJECT_DIR)


def with_model(guide: Guide, model: GuideData) -> Guide:
    """A copy of ``guide`` whose typed model is ``model`` (for rendering altered records)."""
    import dataclasses

    copy = dataclasses.replace(guide)
    copy.__dict__["model"] = model
    return copy


@pytest.fixture(scope="session")
def guide(loaded: Guide) -> GuideData:
    """The real guide's typed model."""
    return loaded.model


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A disposable copy of the project to break or extend."""
    return copy_project(tmp_path / "project")


def run_site_build(
    project: Path, site_dir: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The build behind `make site` (strict MkDocs build, CSP, PDF, downloads, atomic swap); ``--no-pdf`` as asked."""
    return subprocess.run(
        [sys.executable, "-m", "aiguide.build", "--project", str(project), "--site-dir", str(site_dir), *extra],
        cwd=PROJECT_DIR,
        env={**BUILD_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def site_page_names(project: Path = PROJECT_DIR) -> list[str]:
    """The pages a build writes, known before it runs: one per Markdown file in docs/, the 404 and print pages.

    ``use_directory_urls`` is off, so ``docs/a/index.md`` becomes ``a/index.html`` and ``docs/a/b.md`` ``a/b.html``.
    Tests that run once per page are parametrized with these names; a test checks them against a real build.
    """
    docs = project / "docs"
    names = [path.relative_to(docs).with_suffix(".html").as_posix() for path in docs.rglob("*.md")]
    return sorted([*names, "404.html", "print_page.html"])


def tiny_data_project(target: Path) -> Path:
    """A project holding only the tiny guide's data with the real schemas: all that `aiguide check` reads."""
    shutil.copytree(TINY_GUIDE / "data", target / "data")
    shutil.copytree(PROJECT_DIR / "data" / "schemas", target / "data" / "schemas")
    return target


def tiny_site_project(target: Path) -> Path:
    """A buildable copy of the project that holds the tiny guide instead of the real data.

    The real pages, theme, macros and code build it in a fraction of the real guide's time, for tests whose
    behaviour does not depend on the real records. The few hand-written pages that name real records are pointed at
    the tiny guide's (macro calls) or at the top of the linked page (links to anchors), then the page stubs and the
    nav are synced to the tiny data, as in a committed project.
    """
    from aiguide.pages import sync_pages

    copy_project(target)
    shutil.rmtree(target / "data")
    tiny_data_project(target)
    model = load_guide(target).model
    for page in (target / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        changed = re.sub(r"finding_summaries\(\[[^\]]*\]", f'finding_summaries(["{model.findings[0].id}"]', text)
        changed = re.sub(r"checklist_item_cards\(\[[^\]]*\]", f'checklist_item_cards(["{model.items[0].id}"]', changed)
        changed = re.sub(r"(\]\([^)#\s]*\.md)#[^)\s]+\)", r"\1)", changed)
        if changed != text:
            page.write_text(changed, encoding="utf-8")
    sync_pages(load_guide(target))
    return target


def shared_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that every pytest-xdist worker of this run shares (the run's own temp folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def built_once(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """Hold the run-wide lock for ``name``; yields its shared folder and whether an earlier holder finished it.

    Workers of one run wait for each other here, so an expensive result (the built site) is made once per run
    rather than once per worker; the caller writes what it made into the folder and the context marks it done.
    """
    folder = shared_temp(tmp_path_factory) / f"shared-{name}"
    with exclusive_lock(folder.with_suffix(".lock"), on_wait=lambda holder: None):
        done = folder / ".done"
        yield folder, done.exists()
        folder.mkdir(parents=True, exist_ok=True)
        done.touch()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real guide built once per test run, as `make site` builds it but without printing the PDF.

    The print page (``print_page.html``, what the PDF prints) is included so tests can check it like any page.
    Tests only read it; parallel workers share the one build.
    """
    with built_once(tmp_path_factory, "built") as (folder, done):
        site = folder / "site"
        if not done:
            result = run_site_build(PROJECT_DIR, site, "--no-pdf", "--print-page")
            assert result.returncode == 0, result.stderr
            assert "WARNING" not in result.stderr, result.stderr
    return site


@pytest.fixture(scope="session")
def site_with_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real guide built once per test run exactly as `make site` builds it, the PDF included.

    ``AIGUIDE_NO_CACHE`` keeps the PDF's layout cache out, so both of its prints run as on a fresh machine. It is
    built from a copy of the project, so it never waits for the project's build lock, which ``built_site`` holds.
    """
    with built_once(tmp_path_factory, "with-pdf") as (folder, done):
        site = folder / "site"
        if not done:
            result = run_site_build(copy_project(folder / "project"), site, env={"AIGUIDE_NO_CACHE": "1"})
            assert result.returncode == 0, result.stderr
            assert "WARNING" not in result.stderr, result.stderr
    return site


def browser_for_tests() -> str:
    """Chromium's headless shell where it is installed, else Chromium itself (what prints the PDF).

    The shell (Debian's ``chromium-headless-shell``, the build Playwright itself uses for headless runs) is the
    same engine without the browser's window layer, and spends markedly less CPU per page: on two cores the
    browser tests finish sooner. `make test` installs it on Debian when run as root; ``AIGUIDE_HEADLESS_SHELL``
    names another copy.
    """
    return os.environ.get("AIGUIDE_HEADLESS_SHELL") or shutil.which("chromium-headless-shell") or tool("chromium")


@pytest.fixture(scope="session")
def browser():
    """The machine's Chromium driven by Playwright (no browser download). `make test` installs it on Debian."""
    from playwright.sync_api import sync_playwright

    chromium = browser_for_tests()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def site_server(built_site: Path):
    """The built site served over HTTP on a free loopback port; yields its base URL."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))

    class QuietHandler(handler.func):  # type: ignore[name-defined]
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, **handler.keywords))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# Modules whose own module- or session-wide fixtures build a site, print a PDF or start servers. `make test` runs
# the tests on two pytest-xdist workers; each of these modules runs whole on one worker, so that work is done
# once. The tests of every other module are handed to whichever worker is free, one by one.
ONE_WORKER_MODULES = {
    "test_build",
    "test_editing",
    "test_engines",
    "test_hostile_data",
    "test_html_validity",
    "test_links",
    "test_pdf_and_offline",
    "test_preview",
    "test_site_url",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's scheduling by scope, with a module of ``ONE_WORKER_MODULES`` or a single test as the scope.

    (xdist's own ``xdist_group`` marks do not reach its scheduler under pytest 9.2, hence this hook.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrTestScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if Path(module).stem in ONE_WORKER_MODULES else nodeid

    return ModuleOrTestScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they use, so `-m "not browser and not build"` is the quick unit-level subset."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if fixtures & {"built_site", "site_server", "site_with_pdf"}:
            item.add_marker(pytest.mark.build)
