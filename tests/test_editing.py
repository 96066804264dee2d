"""Editors' workflow: reference pages, retirement, review dates, changelog, live preview, new records."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiguide.cli import main as cli_main
from aiguide.fields import DATA_FILES
from aiguide.guide import load_guide as load_pipeline

from .conftest import PROJECT_DIR, run_build, tiny_site_project


def load_guide(project: Path):
    return load_pipeline(project).model


def _unreferenced_finding(guide) -> tuple[str, str]:
    """A finding nothing else relies on (FAQs, checklist items, questions for suppliers, calculators, the headline)
    and a sibling of its theme to replace it."""
    records = (*guide.faqs, *guide.items, *guide.vendor_questions, *guide.calculators)
    used = {fid for record in records for fid in record.findings}
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


# A second finding in the theme of the tiny guide's unreferenced one, so that one can be retired in its favour.
SIBLING_FINDING = """
  - id: TR-03
    title: Training needs time
    direction: barrier
    kind: advice
    theme: training
    statement: Staff need protected time for training.
    action: Plan the time.
    roles: [radiologist]
    phases: [go-live]
    citations:
      - source: STUDY2020
        section: abstract
        mark: V
        supports: indirect
    last_reviewed: 2026-01-10
"""


@pytest.fixture(scope="module")
def retired_site(tmp_path_factory: pytest.TempPathFactory):
    """The tiny guide (nothing here depends on the real records) with an unreferenced finding retired, built."""
    project = tiny_site_project(tmp_path_factory.mktemp("retired") / "project")
    findings = project / "data" / "findings.yaml"
    findings.write_text(findings.read_text(encoding="utf-8").rstrip("\n") + "\n" + SIBLING_FINDING, encoding="utf-8")
    guide = load_guide(project)
    finding_id, replacement = _unreferenced_finding(guide)
    _retire(project, finding_id, replacement)
    site = project / "site"
    result = run_build(project, site)
    assert result.returncode == 0, result.stderr
    return guide, guide.finding[finding_id], replacement, site


@pytest.mark.build
def test_retired_finding_keeps_its_anchor_with_a_notice_and_link(retired_site) -> None:
    _, finding, replacement, site = retired_site
    page = (site / "themes" / finding.theme / "index.html").read_text(encoding="utf-8")
    section = re.search(rf'<h3 id="{finding.anchor}">.*?</div>', page, re.DOTALL).group(0)
    assert "(retired)" in section and "Merged into a broader finding after review." in page
    assert f"#{replacement.lower()}" in page[page.index(f'id="{finding.anchor}"') :]


@pytest.mark.build
def test_retired_finding_is_left_out_of_tables_and_counts(retired_site) -> None:
    guide, finding, _, site = retired_site
    table = (site / "findings" / "index.html").read_text(encoding="utf-8")
    assert f'<tr id="{finding.anchor}"' not in table
    assert f"All <strong>{len(guide.findings) - 1}</strong> findings" in table
    theme_page = (site / "themes" / finding.theme / "index.html").read_text(encoding="utf-8")
    remaining = len(guide.findings_for_theme(finding.theme)) - 1
    glance = theme_page[theme_page.index('id="evidence-at-a-glance"') :]
    glance = glance[: glance.index("</table>")]
    rows = re.findall(r'<tr>\s*<td><a href="#([a-z]{2}-\d+)"', glance)
    assert len(rows) == remaining and finding.anchor not in rows


def test_live_records_may_not_point_at_a_retired_finding(project_copy: Path, capsys) -> None:
    guide = load_guide(project_copy)
    faq = guide.faqs[0]
    target = faq.findings[0]
    others = [f.id for f in guide.findings if f.theme == guide.finding[target].theme and f.id != target]
    _retire(project_copy, target, others[0] if others else guide.findings[-1].id)
    assert cli_main(["--project", str(project_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"data/faqs\.yaml:\d+: faqs\[0\]\.findings\[0\]: finding {target} is retired; point to ", err)


def test_overdue_reviews_are_warnings_with_file_and_line(capsys, guide) -> None:
    assert cli_main(["--project", str(PROJECT_DIR), "check", "--as-of", "2099-01-01"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^warning: data/findings\.yaml:\d+: findings\[0\]\.last_reviewed: ", err, re.MULTILINE)
    assert "more than 12 months ago" in err
    newest_review = max(record.last_reviewed for record in (*guide.findings, *guide.faqs, *guide.items))
    assert cli_main(["--project", str(PROJECT_DIR), "check", "--as-of", newest_review]) == 0
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
    page = (built_site / "editing" / "reference" / "index.html").read_text(encoding="utf-8")
    assert [name for name in DATA_FILES if f'id="file-{name}"' not in page] == []
    editing = (built_site / "editing" / "index.html").read_text(encoding="utf-8")
    assert "What may go into the guide" in editing  # CONTRIBUTING.md, included rather than copied


def test_editing_page_has_a_real_title(built_site: Path) -> None:
    html = (built_site / "editing" / "index.html").read_text(encoding="utf-8")
    assert "<title>Editing the guide - " in html
