"""The live preview (``make serve``) never shows a stale page and never leaves the browser waiting.

The previews run on copies of the project's code, pages, templates and mkdocs.yml with the tiny fixture guide's
data: nothing tested here depends on the data, and a rebuild takes a fraction of the real guide's time. One
preview runs for the whole module; each test makes one kind of edit in it and waits until the page shows it,
and rebuilds are counted from the preview's own log lines.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from .conftest import BUILD_ENV, tiny_site_project

pytestmark = [pytest.mark.build, pytest.mark.slow]
POLL_SECONDS = 0.1  # how often a page or the log is looked at again (cheap: a local request or file read)
# The preview's file watcher looks at the files every 0.5 s and announces a rebuild ("Detected file changes")
# as soon as it sees a change, so whatever a change sets off shows in the log well within this silence.
QUIET_SECONDS = 1.5
BUILD_STARTED = re.compile(r"^\[preview\] building \(build \d+\)$", re.MULTILINE)
REBUILD_WANTED = re.compile(r"^INFO\s+-\s+(?:\[[\d:]+\] )?Detected file changes$", re.MULTILINE)
# Lines that announce, start or end a build, or say that the server waits for changes once a build has ended
# ("Serving on" after the first build, "Reloading browsers" after a rebuild): the preview is idle when the last
# of them is one of those two.
BUILD_EVENT = re.compile(
    r"^(?:INFO\s+-\s+(?:\[[\d:]+\] )?(?P<waiting>Serving on|Reloading browsers)"
    r"|\[preview\] (?:ready|built with the problems|the build failed|building)"
    r"|\[preview\] .* restarting the preview server"
    r"|INFO\s+-\s+(?:\[[\d:]+\] )?Detected file changes)",
    re.MULTILINE,
)


class Preview:
    """A running preview (``python -m aiguide serve``) of a project copy, with its log."""

    def __init__(self, project: Path, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.project = project
        self.log = log
        self.changed_at = 0.0  # when this test last changed a file of the project (time.time())
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
            time.sleep(POLL_SECONDS)
        return False

    def fetch(self, page: str) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{page}", timeout=30) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return None

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def _fail(self, message: str) -> NoReturn:
        raise AssertionError(f"{message}; log:\n{self.text()[-3000:]}")

    def wait_for(self, page: str, text: str, seconds: float = 90) -> str:
        """The page once it shows ``text``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            body = self.fetch(page)
            if body is not None and text in body:
                return body
            time.sleep(POLL_SECONDS)
        self._fail(f"{page} never showed {text!r}")

    def wait_without(self, page: str, text: str, seconds: float = 90) -> str:
        """The page once it no longer shows ``text``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            body = self.fetch(page)
            if body is not None and text not in body:
                return body
            time.sleep(POLL_SECONDS)
        self._fail(f"{page} still shows {text!r}")

    def is_idle(self) -> bool:
        """No build runs or is announced, and the server answers."""
        events = list(BUILD_EVENT.finditer(self.text()))
        return bool(events) and events[-1]["waiting"] is not None and self.fetch("index.html") is not None

    def wait_until_idle(self, seconds: float = 90) -> None:
        """Wait until no build runs or is announced and the server answers."""
        deadline = time.monotonic() + seconds
        while not self.is_idle():
            if time.monotonic() > deadline:
                self._fail("the preview never became idle")
            time.sleep(POLL_SECONDS)

    def settle(self, seconds: float = 90) -> None:
        """Wait until the preview is idle, and neither its log nor the project has changed for QUIET_SECONDS."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            silent = time.time() - max(self.log.stat().st_mtime, self.changed_at)
            if silent >= QUIET_SECONDS and self.is_idle():
                return
            time.sleep(max(POLL_SECONDS, QUIET_SECONDS - silent))
        self._fail("the preview never settled")

    def replace(self, relative: str, old: str, new: str) -> None:
        text = (self.project / relative).read_text(encoding="utf-8")
        assert old in text, (relative, old)
        self.write(relative, text.replace(old, new, 1))

    def append(self, relative: str, addition: str) -> None:
        self.write(relative, (self.project / relative).read_text(encoding="utf-8") + addition)

    def write(self, relative: str, text: str) -> None:
        """Replace the file in one step (written beside the project's unwatched root first), so the watcher
        can never see it half-written: one save is one change."""
        draft = self.project / f".{Path(relative).name}.draft"
        draft.write_text(text, encoding="utf-8")
        os.replace(draft, self.project / relative)
        self.changed_at = time.time()


@pytest.fixture(scope="module")
def previews(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Preview, Preview]]:
    """The preview the edits are made in, and one of another copy whose supervisor a test kills outright.

    The second starts once the first is up, so that it starts up while the first tests run. The first is stopped
    at the end with SIGTERM (as `kill` stops it; the supervisor treats it like Ctrl-C): its server must stop too.
    """
    root = tmp_path_factory.mktemp("preview")
    edited = Preview(tiny_site_project(root / "project"), root / "preview.log")
    try:
        # The server answers only once the first build is done and the watcher has its first look at the files.
        edited.wait_for("glossary/index.html", "Glossary", 120)
        doomed = Preview(tiny_site_project(root / "doomed"), root / "doomed.log")
        try:
            yield edited, doomed
        finally:
            doomed.process.terminate()
            doomed.process.wait(timeout=30)
    finally:
        edited.process.terminate()
        edited.process.wait(timeout=30)
        assert edited.port_closes(), "the preview server outlived its supervisor"


@pytest.fixture
def preview(previews: tuple[Preview, Preview]) -> Preview:
    return previews[0]


@dataclass(frozen=True)
class Step:
    """A change to the project, the rebuilds it must cause, and what a page shows once they are done."""

    name: str
    change: Callable[[Preview], None]
    rebuilds: int
    page: str = ""
    shows: str = ""


def write_to_ignored_folders(preview: Preview) -> None:
    for folder in (".cache", "site", ".venv", "node_modules"):
        (preview.project / folder).mkdir(exist_ok=True)
        preview.write(f"{folder}/touched.txt", "x")


def edit_a_role_title(preview: Preview) -> None:
    """A data edit; the title is also in the nav, so the preview's sync rewrites mkdocs.yml (its own write)."""
    preview.replace("data/roles.yaml", "    title: Radiologist\n", "    title: ROLE-EDITED-IN-PREVIEW\n")


def edit_the_about_page(preview: Preview) -> None:
    preview.append("docs/about/index.md", "\nPAGE-EDITED-IN-PREVIEW\n")


def edit_the_home_page(preview: Preview) -> None:
    preview.append("docs/index.md", "\nCLOSING-EDIT-IN-PREVIEW\n")


COUNTED_STEPS = (
    Step("writes to .cache/, site/, .venv/ and node_modules/", write_to_ignored_folders, 0),
    Step("a data edit", edit_a_role_title, 1, "roles/index.html", "ROLE-EDITED-IN-PREVIEW"),
    Step("a Markdown page edit", edit_the_about_page, 1, "about/index.html", "PAGE-EDITED-IN-PREVIEW"),
    # Closes the count of the step before it: a rebuild that step set off late is counted here.
    Step("a closing page edit", edit_the_home_page, 1, "index.html", "CLOSING-EDIT-IN-PREVIEW"),
)


def test_data_and_page_edits_rebuild_once_and_writes_to_ignored_folders_never(preview: Preview) -> None:
    """Each step's rebuilds are counted in the log from its change to the next step's change. The next change
    waits until the preview has been quiet for QUIET_SECONDS, so a rebuild a step set off cannot hide in it."""
    preview.settle()
    wrong: list[str] = []
    for step in COUNTED_STEPS:
        start = len(preview.text())
        step.change(preview)
        if step.page:
            preview.wait_for(step.page, step.shows)
        if step is COUNTED_STEPS[-1]:
            preview.wait_until_idle()
        else:
            preview.settle()
        made = preview.text()[start:]
        counts = (len(REBUILD_WANTED.findall(made)), len(BUILD_STARTED.findall(made)))
        if counts != (step.rebuilds, step.rebuilds):
            wrong.append(f"{step.name}: {counts[0]} rebuilds announced, {counts[1]} started (expected {step.rebuilds})")
    assert not wrong, "; ".join(wrong)


def test_a_schema_edit_that_breaks_the_data_shows_a_notice_not_a_hanging_page(preview: Preview) -> None:
    schema = "data/schemas/roles.schema.json"
    preview.replace(schema, '"summary",', '"summary", "owner",')
    body = preview.wait_for("roles/index.html", "shows the problems instead of the page")
    assert "roles[0].owner" in body and "is missing" in body
    log = preview.text()
    assert re.search(r"^data/roles\.yaml:\d+: roles\[0\]\.owner: is missing", log, re.MULTILINE), log[-2000:]
    preview.replace(schema, '"summary", "owner",', '"summary",')
    body = preview.wait_without("roles/index.html", "shows the problems instead of the page")
    assert "roles[0].owner" not in body


def test_a_template_edit_shows(preview: Preview) -> None:
    preview.replace("aiguide/templates/glossary.md.j2", "{% for term", "TEMPLATE-EDITED-IN-PREVIEW\n\n{% for term")
    preview.wait_for("glossary/index.html", "TEMPLATE-EDITED-IN-PREVIEW")


def test_a_module_edit_restarts_the_preview_and_shows(preview: Preview) -> None:
    preview.replace("aiguide/fragments.py", 'PDF_NOT_BUILT = "', 'PDF_NOT_BUILT = "MODULE-EDITED ')
    preview.wait_for("downloads/index.html", "MODULE-EDITED")
    assert "restarting the preview server" in preview.text()


def test_the_preview_server_stops_when_its_supervisor_is_killed(previews: tuple[Preview, Preview]) -> None:
    """Even a supervisor killed outright (no chance to clean up) leaves no server behind on the port."""
    running = previews[1]
    try:
        running.wait_for("index.html", "</html>", 120)
    finally:
        running.process.kill()
        running.process.wait(timeout=30)
    assert running.port_closes(), "the preview server outlived its supervisor"
