"""Editors' workflow: reference pages, retirement, review dates, changelog, live preview, new records."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from aiguide.cli import main as cli_main
from aiguide.model import load_guide

from .conftest import BUILD_ENV, MKDOCS, PROJECT_DIR, run_build


def _unreferenced_finding(guide) -> tuple[str, str]:
    """A finding no FAQ, checklist item or headline relies on, and another of its theme to replace it."""
    used = {fid for record in (*guide.faqs, *guide.items, *guide.calculators) for fid in record.findings}
    headline = guide.meta.headline
    for item in (*headline.summary_themes, *headline.key_insights, *headline.implications, headline.conclusion):
        used.update(item.findings)
    for finding in guide.findings:
        siblings = [f.id for f in guide.findings if f.theme == finding.theme and f.id != finding.id]
        if finding.id not in used and siblings:
            return finding.id, siblings[0]
    raise AssertionError("every finding is referenced; pick another retirement fixture")


def _retire(project: Path, finding_id: str, replacement: str) -> None:
    path = project / "data" / "findings.yaml"
    text = path.read_text(encoding="utf-8")
    marker = f"  - id: {finding_id}\n"
    assert marker in text
    lines = (
        "    status: retired\n"
        "    retired_on: 2026-12-01\n"
        "    retired_reason: Merged into a broader finding after review.\n"
        f"    replaced_by: {replacement}\n"
    )
    path.write_text(text.replace(marker, marker + lines, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def retired_site(tmp_path_factory: pytest.TempPathFactory):
    from .conftest import copy_project

    guide = load_guide(PROJECT_DIR)
    finding_id, replacement = _unreferenced_finding(guide)
    project = copy_project(tmp_path_factory.mktemp("retired") / "project")
    _retire(project, finding_id, replacement)
    site = project / "site"
    result = run_build(project, site)
    assert result.returncode == 0, result.stderr
    return guide, guide.finding[finding_id], replacement, site


def test_retired_finding_keeps_its_anchor_with_a_notice_and_link(retired_site) -> None:
    _, finding, replacement, site = retired_site
    page = (site / "themes" / finding.theme / "index.html").read_text(encoding="utf-8")
    section = re.search(rf'<h3 id="{finding.anchor}">.*?</div>', page, re.DOTALL).group(0)
    assert "(retired)" in section and "Merged into a broader finding after review." in page
    assert f"#{replacement.lower()}" in page[page.index(f'id="{finding.anchor}"') :]


def test_retired_finding_is_left_out_of_tables_and_counts(retired_site) -> None:
    guide, finding, _, site = retired_site
    table = (site / "findings" / "index.html").read_text(encoding="utf-8")
    assert f'<tr id="{finding.anchor}"' not in table
    assert f"All <strong>{len(guide.findings) - 1}</strong> findings" in table
    theme_page = (site / "themes" / finding.theme / "index.html").read_text(encoding="utf-8")
    remaining = len(guide.findings_for_theme(finding.theme)) - 1
    assert f"This theme holds <strong>{remaining}</strong> finding" in theme_page


def test_live_records_may_not_point_at_a_retired_finding(project_copy: Path, capsys) -> None:
    guide = load_guide(project_copy)
    faq = guide.faqs[0]
    target = faq.findings[0]
    others = [f.id for f in guide.findings if f.theme == guide.finding[target].theme and f.id != target]
    _retire(project_copy, target, others[0] if others else guide.findings[-1].id)
    assert cli_main(["--project", str(project_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"data/faqs\.yaml:\d+: faqs\[0\]\.findings\[0\]: finding {target} is retired; point to ", err)


def test_overdue_reviews_are_warnings_with_file_and_line(capsys) -> None:
    assert cli_main(["--project", str(PROJECT_DIR), "check", "--as-of", "2099-01-01"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^warning: data/findings\.yaml:\d+: findings\[0\]\.last_reviewed: ", err, re.MULTILINE)
    assert "more than 12 months ago" in err
    assert cli_main(["--project", str(PROJECT_DIR), "check"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_version_bump_without_changelog_entry_is_refused(project_copy: Path, capsys) -> None:
    guide_file = project_copy / "data" / "guide.yaml"
    text = guide_file.read_text(encoding="utf-8")
    version = load_guide(project_copy).meta.version
    bumped = re.sub(rf'^version: "?{re.escape(version)}"?$', 'version: "9.9.9"', text, count=1, flags=re.MULTILINE)
    assert bumped != text
    guide_file.write_text(bumped, encoding="utf-8")
    assert cli_main(["--project", str(project_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"data/changelog\.yaml:\d+: releases\[0\]\.version: the newest release says", err)


def test_todo_placeholders_are_refused(project_copy: Path, capsys) -> None:
    path = project_copy / "data" / "glossary.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("    term: PACS\n", "    term: TODO write the term\n", 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    assert cli_main(["--project", str(project_copy), "check"]) == 1
    assert "still holds the template's TODO placeholder" in capsys.readouterr().err


def test_new_command_stubs_the_next_finding_id(project_copy: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aiguide",
            "--project",
            str(project_copy),
            "new",
            "finding",
            "--theme",
            "workflow-integration",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    highest = max(int(f.id.split("-")[1]) for f in load_guide(PROJECT_DIR).findings)
    assert re.match(rf"[A-Z]{{2}}-{highest + 1}: added to data/findings\.yaml:\d+", result.stdout)


def test_every_page_footer_and_the_changelog_show_the_version(built_site: Path, guide) -> None:
    for page in ("index.html", "glossary/index.html", f"themes/{guide.themes[0].id}/index.html"):
        html = (built_site / page).read_text(encoding="utf-8")
        assert f"Version {guide.meta.version}, released {guide.meta.release_date}" in " ".join(html.split())
    changelog = (built_site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert all(f"Version {release.version}" in changelog for release in guide.releases)


def test_reference_page_documents_every_data_file(built_site: Path) -> None:
    from aiguide.validate import DATA_FILES

    page = (built_site / "editing" / "reference" / "index.html").read_text(encoding="utf-8")
    assert [name for name in DATA_FILES if f'id="file-{name}"' not in page] == []
    editing = (built_site / "editing" / "index.html").read_text(encoding="utf-8")
    assert "What may go into the guide" in editing  # CONTRIBUTING.md, included rather than copied


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return None


def _wait_for(url: str, text: str, seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = _fetch(url)
        if body is not None and text in body:
            return True
        time.sleep(0.5)
    return False


def test_serve_picks_up_data_edits_and_survives_a_broken_file(project_copy: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*MKDOCS, "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project_copy,
        env=BUILD_ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/glossary/index.html"
    glossary = project_copy / "data" / "glossary.yaml"
    original = glossary.read_text(encoding="utf-8")
    try:
        assert _wait_for(url, "Glossary", 60), "the preview never came up"
        edited = original.replace("    term: PACS\n", "    term: PACS-EDITED-IN-PREVIEW\n", 1)
        assert edited != original
        glossary.write_text(edited, encoding="utf-8")
        assert _wait_for(url, "PACS-EDITED-IN-PREVIEW"), "the edit did not reach the preview"

        glossary.write_text(
            edited.replace("    term: PACS-EDITED-IN-PREVIEW\n", "    term: [broken\n", 1), encoding="utf-8"
        )
        deadline = time.monotonic() + 40
        while "data/glossary.yaml:" not in (tmp_path / "serve.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "data/glossary.yaml:" in (tmp_path / "serve.log").read_text(), "no file:line message while serving"
        assert server.poll() is None, "the server stopped on bad data"

        glossary.write_text(edited.replace("PACS-EDITED-IN-PREVIEW", "PACS-FIXED-AGAIN"), encoding="utf-8")
        assert _wait_for(url, "PACS-FIXED-AGAIN"), "fixing the file did not bring the page back"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_editing_page_has_a_real_title(built_site: Path) -> None:
    html = (built_site / "editing" / "index.html").read_text(encoding="utf-8")
    assert "<title>Editing the guide - " in html
