"""Shared fixtures: the real project, disposable copies of it, and one strict build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiguide.guide import Guide, load_guide
from aiguide.model import GuideData
from aiguide.pdf import CHROMIUM_ARGS  # one launch recipe for the PDF and the tests
from aiguide.tools import ToolMissing, find

PROJECT_DIR = Path(__file__).resolve().parent.parent
COPIED = ("data", "docs", "aiguide", "overrides", "mkdocs.yml", "macros.py", "CONTRIBUTING.md")
MKDOCS = [sys.executable, "-m", "mkdocs"]
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


def run_site_build(project: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The build behind `make site` (strict MkDocs build, CSP, downloads, atomic swap); PDF only if asked."""
    return subprocess.run(
        [sys.executable, "-m", "aiguide.build", "--project", str(project), "--site-dir", str(site_dir), *extra],
        cwd=PROJECT_DIR,
        env=BUILD_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real guide built once, as `make site` builds it but without printing the PDF.

    The print page (``print_page.html``, what the PDF prints) is included so tests can check it like any page.
    """
    site = tmp_path_factory.mktemp("built") / "site"
    result = run_site_build(PROJECT_DIR, site, "--no-pdf", "--print-page")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return site


@pytest.fixture(scope="session")
def browser():
    """The machine's Chromium driven by Playwright (no browser download). `make test` installs it on Debian."""
    from playwright.sync_api import sync_playwright

    chromium = tool("chromium")
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they use, so `-m "not browser and not build"` is the quick unit-level subset."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if fixtures & {"built_site", "site_server"}:
            item.add_marker(pytest.mark.build)
