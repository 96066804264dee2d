"""The live preview (``make serve``) never shows a stale page and never leaves the browser waiting.

One preview runs on a copy of the project for the whole module; each test makes one kind of edit and
waits until the page shows it, counting the rebuilds the edit caused from the preview's own log lines.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import BUILD_ENV, copy_project

pytestmark = [pytest.mark.build, pytest.mark.slow]
BUILT = re.compile(r"^\[preview\] building \(build \d+\)$", re.MULTILINE)


class Preview:
    """A running preview of a project copy, with its log."""

    def __init__(self, project: Path, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.project = project
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiguide", "serve", "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=project,
            env=BUILD_ENV,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def port_closes(self, seconds: float = 20) -> bool:
        """True once nothing answers on the preview's port any more."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) != 0:
                    return True
            time.sleep(0.2)
        return False

    def url(self, page: str) -> str:
        return f"http://127.0.0.1:{self.port}/{page}"

    def fetch(self, page: str) -> str | None:
        try:
            with urllib.request.urlopen(self.url(page), timeout=30) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return None

    def builds(self) -> int:
        return len(BUILT.findall(self.log.read_text(encoding="utf-8", errors="replace")))

    def wait_for(self, page: str, text: str, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            body = self.fetch(page)
            if body is not None and text in body:
                return body
            time.sleep(0.5)
        raise AssertionError(f"{page} never showed {text!r}; log:\n{self.log.read_text()[-3000:]}")

    def wait_without(self, page: str, text: str, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            body = self.fetch(page)
            if body is not None and text not in body:
                return body
            time.sleep(0.5)
        raise AssertionError(f"{page} still shows {text!r}; log:\n{self.log.read_text()[-3000:]}")

    def settle(self, seconds: float = 3) -> None:
        """Wait until no rebuild has started for ``seconds``."""
        count, quiet_since = self.builds(), time.monotonic()
        while time.monotonic() - quiet_since < seconds:
            time.sleep(0.5)
            if self.builds() != count:
                count, quiet_since = self.builds(), time.monotonic()

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    root = tmp_path_factory.mktemp("preview")
    running = Preview(copy_project(root / "project"), root / "preview.log")
    try:
        running.wait_for("glossary/index.html", "Glossary", 120)
        running.settle()
        yield running
    finally:
        running.process.terminate()
        running.process.wait(timeout=30)
        assert running.port_closes(), "the preview server outlived its supervisor"


def test_a_data_edit_shows_after_exactly_one_rebuild(preview: Preview) -> None:
    before = preview.builds()
    preview.edit("data/glossary.yaml", "    term: PACS\n", "    term: PACS-EDITED-IN-PREVIEW\n")
    preview.wait_for("glossary/index.html", "PACS-EDITED-IN-PREVIEW")
    preview.settle()
    assert preview.builds() == before + 1


def test_a_schema_edit_that_breaks_the_data_shows_a_notice_not_a_hanging_page(preview: Preview) -> None:
    schema = "data/schemas/roles.schema.json"
    preview.edit(schema, '"summary",', '"summary", "owner",')
    body = preview.wait_for("roles/index.html", "shows the problems instead of the page")
    assert "roles[0].owner" in body and "is missing" in body
    log = preview.log.read_text(encoding="utf-8")
    assert re.search(r"^data/roles\.yaml:\d+: roles\[0\]\.owner: is missing", log, re.MULTILINE), log[-2000:]
    preview.edit(schema, '"summary", "owner",', '"summary",')
    body = preview.wait_without("roles/index.html", "shows the problems instead of the page")
    assert "roles[0].owner" not in body


def test_a_template_edit_shows(preview: Preview) -> None:
    preview.edit("aiguide/templates/glossary.md.j2", "{% for term", "TEMPLATE-EDITED-IN-PREVIEW\n\n{% for term")
    preview.wait_for("glossary/index.html", "TEMPLATE-EDITED-IN-PREVIEW")


def test_a_markdown_page_edit_shows_after_exactly_one_rebuild(preview: Preview) -> None:
    preview.settle()
    before = preview.builds()
    path = preview.project / "docs" / "about" / "index.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nPAGE-EDITED-IN-PREVIEW\n", encoding="utf-8")
    preview.wait_for("about/index.html", "PAGE-EDITED-IN-PREVIEW")
    preview.settle()
    assert preview.builds() == before + 1


def test_a_module_edit_restarts_the_preview_and_shows(preview: Preview) -> None:
    preview.edit("aiguide/fragments.py", 'PDF_NOT_BUILT = "', 'PDF_NOT_BUILT = "MODULE-EDITED ')
    preview.wait_for("downloads/index.html", "MODULE-EDITED")
    assert "restarting the preview server" in preview.log.read_text(encoding="utf-8")


def test_writes_to_cache_and_build_folders_cause_no_rebuild(preview: Preview) -> None:
    preview.settle()
    before = preview.builds()
    for folder in (".cache", "site", ".venv", "node_modules"):
        target = preview.project / folder
        target.mkdir(exist_ok=True)
        (target / "touched.txt").write_text("x", encoding="utf-8")
    preview.settle(4)
    assert preview.builds() == before


def test_the_preview_server_stops_when_its_supervisor_is_killed(tmp_path: Path) -> None:
    """Even a supervisor killed outright (no chance to clean up) leaves no server behind on the port."""
    running = Preview(copy_project(tmp_path / "project"), tmp_path / "preview.log")
    try:
        running.wait_for("index.html", "</html>", 120)
    finally:
        running.process.kill()
        running.process.wait(timeout=30)
    assert running.port_closes(), "the preview server outlived its supervisor"
