"""The law and regulation data: the checks the catalogue of bad inputs does not cover, the download and the
law pages built from it.

The one-problem-per-mistake cases (unknown jurisdiction, misspelt obligation, id used twice …) sit in
``test_bad_inputs.py`` with the rest of the catalogue. Page tests read the real guide's built HTML and take
every expectation from the data, not from today's counts.
"""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiguide.cli import main
from aiguide.exports import download_files
from aiguide.guide import Guide
from aiguide.guide import data_file as data_path
from aiguide.model import GuideData

from .conftest import PROJECT_DIR, tiny_data_project

PROBLEM_LINE = re.compile(r"^data/[a-z_]+\.yaml:\d+: \S.*$")


def read_yaml(project: Path, name: str) -> Any:
    return yaml.safe_load(data_path(project, name).read_text(encoding="utf-8"))


def run_check(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    status = main(["--project", str(project), "check", *extra])
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


# --------------------------------------------------------------------------- checks


def test_renaming_a_law_away_from_its_jurisdiction_is_one_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The law's obligations and the links to them follow the new id, so only the law's own id is wrong."""
    project = tiny_data_project(tmp_path / "tiny")
    for name in ("regulations", "checklists"):
        path = data_path(project, name)
        path.write_text(path.read_text(encoding="utf-8").replace("eu-law", "law"), encoding="utf-8")
    text = data_path(project, "regulations").read_text(encoding="utf-8")
    line = text[: text.index("  - id: law\n")].count("\n") + 1
    status, lines, _ = run_check(project, capsys, "--as-of", "2026-06-01")
    assert status == 1
    assert lines[:-1] == [
        f"data/regulations.yaml:{line}: instruments[0].id: 'law' must start with its jurisdiction's id and a "
        "hyphen (eu-…), so that its anchor on the page stays stable"
    ]


def test_stale_obligations_are_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tiny_data_project(tmp_path / "tiny")
    path = data_path(project, "regulations")
    text = path.read_text(encoding="utf-8")
    at = text.index("        last_reviewed: 2026-01-10")  # the first obligation's
    path.write_text(text[:at] + text[at:].replace("2026-01-10", "2000-01-01", 1), encoding="utf-8")
    line = text[:at].count("\n") + 1
    status, lines, _ = run_check(project, capsys, "--as-of", "2026-06-01")
    assert status == 0, lines
    assert [entry for entry in lines if entry.startswith("warning")] == [
        f"warning: data/regulations.yaml:{line}: instruments[0].obligations[0].last_reviewed: eu-law-assess was "
        "last reviewed on 2000-01-01, more than 12 months ago; check it against its sources and update the date"
    ]


# --------------------------------------------------------------------------- downloads


def test_regulations_csv_has_one_row_per_obligation_led_by_its_law(loaded: Guide, guide: GuideData) -> None:
    files = {item.name: item for item in download_files(loaded)}
    rows = list(csv.DictReader(io.StringIO(files["regulations.csv"].content.decode("utf-8"), newline="")))
    raw = read_yaml(PROJECT_DIR, "regulations")
    expected = [
        (instrument["jurisdiction"], instrument["id"], instrument["identifier"], obligation["id"])
        for instrument in raw["instruments"]
        for obligation in instrument["obligations"]
    ]
    assert [(row["law.jurisdiction"], row["law.id"], row["law.identifier"], row["id"]) for row in rows] == expected
    assert "law.obligations" not in rows[0]
    for row in rows:
        obligation = guide.regulation[row["id"]]
        for citation in obligation.citations:
            expected_cell = f"{citation.source} ({citation.section}, {citation.mark}, {citation.supports})"
            assert expected_cell in row["citations"]


# --------------------------------------------------------------------------- the built pages


class _Sections(HTMLParser):
    """Text and link targets of a page's article, split at every heading that carries an id."""

    def __init__(self) -> None:
        super().__init__()
        self.current = ""
        self.text: dict[str, list[str]] = {"": []}
        self.links: dict[str, list[str]] = {"": []}
        self.ids: set[str] = set()
        self.in_article = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "article":
            self.in_article = True
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag in ("h1", "h2", "h3") and values.get("id"):
            self.current = values["id"] or ""
            self.text.setdefault(self.current, [])
            self.links.setdefault(self.current, [])
        if tag == "a" and self.in_article and values.get("href"):
            self.links[self.current].append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.in_article = False

    def handle_data(self, data: str) -> None:
        if self.in_article:
            self.text[self.current].append(data)

    def section_text(self, anchor: str) -> str:
        return " ".join(" ".join(self.text.get(anchor, [])).split())

    def all_text(self) -> str:
        return " ".join(" ".join(part for parts in self.text.values() for part in parts).split())

    def all_links(self) -> list[str]:
        return [link for links in self.links.values() for link in links]


def parse(path: Path) -> _Sections:
    parser = _Sections()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def words(text: str) -> str:
    """Data text as the page shows it: Markdown emphasis markers dropped, whitespace folded."""
    return " ".join(html.unescape(re.sub(r"(\*\*|__|\*|_)", "", text)).split())


@pytest.mark.build
def test_every_law_page_shows_its_laws_obligations_citations_and_the_notice(
    built_site: Path, loaded: Guide, guide: GuideData
) -> None:
    assert guide.jurisdictions and guide.instruments
    marks = loaded.fields.labels("findings", "findings[].citations[].mark")
    supports = loaded.fields.labels("findings", "findings[].citations[].supports")
    notice = words(guide.legal_notice)
    for jurisdiction in guide.jurisdictions:
        page = parse(built_site / "law" / jurisdiction.id / "index.html")
        assert notice in page.all_text(), jurisdiction.id
        assert jurisdiction.last_reviewed in page.all_text()
        for gap in jurisdiction.gaps:
            assert words(gap.title) in page.all_text()
        for instrument in guide.instruments_of(jurisdiction.id):
            assert instrument.id in page.ids, instrument.id
            assert words(instrument.identifier) in page.section_text(instrument.id)
            for obligation in instrument.obligations:
                section = page.section_text(obligation.id)
                assert words(obligation.text) in section, obligation.id
                assert obligation.last_reviewed in section
                links = page.links[obligation.id]
                for citation in obligation.citations:
                    assert words(citation.section) in section, (obligation.id, citation.section)
                    shown = f"{marks[citation.mark]} , {supports[citation.supports]}"  # the mark in words, then text
                    assert shown in section, (obligation.id, shown)
                    assert any(link.endswith(f"sources/index.html#{citation.source.lower()}") for link in links)


@pytest.mark.build
def test_overview_lists_every_jurisdiction_and_places_obligations_by_step(built_site: Path, guide) -> None:
    path = built_site / "law" / "index.html"
    page = parse(path)
    assert words(guide.legal_notice) in page.all_text()
    for jurisdiction in guide.jurisdictions:
        assert f"{jurisdiction.id}/index.html" in " ".join(page.all_links())
    rows = _table_rows(path.read_text(encoding="utf-8"))
    for phase in guide.phases_in_order:
        [row] = [row for row in rows if f"phases/{phase.id}/index.html" in row]
        for obligation in guide.obligations:
            linked = f'#{obligation.id}"' in row
            assert linked == (phase.id in obligation.phases), (phase.id, obligation.id)


def _table_rows(text: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", text, flags=re.DOTALL)


@pytest.mark.build
def test_checklist_items_and_findings_link_to_their_laws(built_site: Path, guide) -> None:
    linked_items = [item for item in guide.items if item.regulations]
    linked_findings = [finding for finding in guide.findings if finding.regulations]
    assert linked_items and linked_findings
    checklist = parse(built_site / "checklists" / "index.html")
    for item in linked_items:
        for key in item.regulations:
            jurisdiction = guide.instrument_of[key].jurisdiction
            assert any(link.endswith(f"law/{jurisdiction}/index.html#{key}") for link in checklist.links[item.anchor])
    for finding in linked_findings:
        page = parse(built_site / "themes" / finding.theme / "index.html")
        for key in finding.regulations:
            jurisdiction = guide.instrument_of[key].jurisdiction
            assert any(link.endswith(f"law/{jurisdiction}/index.html#{key}") for link in page.links[finding.anchor])


@pytest.mark.build
def test_questions_for_suppliers_and_law_pages_link_both_ways(built_site: Path, guide: GuideData) -> None:
    linked = [question for question in guide.vendor_questions if question.regulations]
    assert linked
    questions = parse(built_site / "vendor-questions" / "index.html")
    for question in linked:
        for key in question.regulations:
            jurisdiction = guide.instrument_of[key].jurisdiction
            target = f"law/{jurisdiction}/index.html#{key}"
            assert any(link.endswith(target) for link in questions.links[question.anchor]), (question.id, key)
            law_page = parse(built_site / "law" / jurisdiction / "index.html")
            back = f"vendor-questions/index.html#{question.anchor}"
            assert any(link.endswith(back) for link in law_page.links[key]), (key, question.id)


@pytest.mark.build
def test_role_pages_list_the_obligations_and_gaps_that_name_them(built_site: Path, guide) -> None:
    for role in guide.roles:
        page = parse(built_site / "roles" / role.id / "index.html")
        links = page.all_links()
        text = page.all_text()
        for obligation in guide.obligations:
            jurisdiction = guide.instrument_of[obligation.id].jurisdiction
            listed = any(link.endswith(f"law/{jurisdiction}/index.html#{obligation.id}") for link in links)
            assert listed == (role.id in obligation.roles), (role.id, obligation.id)
            if listed:
                assert words(obligation.text) in text
        for jurisdiction in guide.jurisdictions:
            for gap in jurisdiction.gaps:
                assert (words(gap.text) in text) == (role.id in gap.roles), (role.id, gap.title)


@pytest.mark.build
def test_patient_representative_page_explains_informing_patients_and_consent(built_site: Path, guide) -> None:
    """The role page says in plain words what each jurisdiction's texts ask about informing patients and consent."""
    role = "patient-representative"
    page = parse(built_site / "roles" / role / "index.html")
    text = page.all_text()
    assert words(guide.legal_notice) in text
    for jurisdiction in guide.jurisdictions:
        laws = {instrument.id for instrument in guide.instruments_of(jurisdiction.id)}
        concerned = [o for o in guide.obligations if role in o.roles and guide.instrument_of[o.id].id in laws]
        gaps = [gap for gap in jurisdiction.gaps if role in gap.roles]
        assert concerned or gaps, f"{jurisdiction.id}: nothing on the patient representative's page"
        assert any(link.endswith(f"law/{jurisdiction.id}/index.html") for link in page.all_links())
    informing = [o for o in guide.obligations if role in o.roles and re.search(r"\b(told|tell|notice)\b", o.text)]
    consent = [o for o in guide.obligations if role in o.roles and "consent" in o.text]
    assert informing and consent
    for obligation in (*informing, *consent):
        assert words(obligation.text) in text


@pytest.mark.build
def test_sources_page_groups_the_legal_texts_and_links_back_to_obligations(built_site: Path, guide) -> None:
    page = parse(built_site / "sources" / "index.html")
    cited = guide.citing_records
    for source in guide.sources:
        if source.role != "regulatory":
            continue
        assert source.anchor in page.ids
        for record in cited[source.key]:
            if record.kind == "regulation":
                key = record.id
                jurisdiction = guide.instrument_of[key].jurisdiction
                assert any(link.endswith(f"law/{jurisdiction}/index.html#{key}") for link in page.links[source.anchor])
