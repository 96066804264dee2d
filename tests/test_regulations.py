"""The law and regulation data: its checks, its downloads and the law pages built from it.

Bad-input cases break one thing in a disposable copy of the project (rewriting regulations.yaml from its
parsed values, so the expected line numbers come from the rewritten text, never from a hard-coded number)
and expect the exact one-line problem from ``python -m aiguide check``. Page tests read the real guide's
built HTML and take every expectation from the data, not from today's counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiguide.cli import main
from aiguide.exports import download_files
from aiguide.model import GuideData
from aiguide.render import MARK_LABELS
from aiguide.validate import data_path

from .conftest import PROJECT_DIR

PROBLEM_LINE = re.compile(r"^data/[a-z]+\.yaml:\d+: \S.*$")


# --------------------------------------------------------------------------- editing a copy of the data


def read_yaml(project: Path, name: str) -> Any:
    return yaml.safe_load(data_path(project, name).read_text(encoding="utf-8"))


def write_yaml(project: Path, name: str, data: Any) -> str:
    """Write ``data`` as the file's YAML (block style, keys in order) and return the text written."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    data_path(project, name).write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str, start: int = 0) -> int:
    offset = text.find(needle, start)
    assert offset >= 0, f"{needle!r} not in the rewritten text"
    return text.count("\n", 0, offset) + 1


def obligation_line(text: str, obligation_id: str) -> int:
    """The line of an obligation's first key (its id) in a file written by :func:`write_yaml`."""
    return line_of(text, f"- id: {obligation_id}\n")


def run_check(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    capsys.readouterr()
    status = main(["--project", str(project), "check"])
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


def assert_single_problem(project: Path, capsys: pytest.CaptureFixture[str], expected: str) -> None:
    """The check fails with exactly this one problem line, a summary line and no traceback."""
    status, lines, out = run_check(project, capsys)
    assert "Traceback" not in out + "\n".join(lines)
    assert status == 1
    assert "data OK" not in out
    *problems, summary = lines
    assert problems == [expected], "\n".join(lines)
    assert PROBLEM_LINE.match(expected)
    assert summary.startswith("1 problem found")


# --------------------------------------------------------------------------- bad input


def unknown_jurisdiction(project: Path) -> str:
    data = read_yaml(project, "regulations")
    instrument = data["instruments"][0]
    wrong = instrument["jurisdiction"] + instrument["jurisdiction"][-1]
    instrument["jurisdiction"] = wrong
    text = write_yaml(project, "regulations", data)
    line = line_of(text, f"jurisdiction: {wrong}\n")
    return (
        f"data/regulations.yaml:{line}: instruments[0].jurisdiction: {wrong!r} is not a known jurisdiction "
        f"(did you mean {wrong[:-1]!r}?)"
    )


def missing_citations(project: Path) -> str:
    data = read_yaml(project, "regulations")
    index = len(data["instruments"]) - 1
    obligation = data["instruments"][index]["obligations"][0]
    del obligation["citations"]
    text = write_yaml(project, "regulations", data)
    line = obligation_line(text, obligation["id"])
    return (
        f"data/regulations.yaml:{line}: instruments[{index}].obligations[0].citations: "
        "is missing; this field is required"
    )


def misspelt_regulation_in_checklist(project: Path) -> str:
    regulations = read_yaml(project, "regulations")
    target = regulations["instruments"][0]["obligations"][0]["id"]
    typo = target[:-2] + target[-1] + target[-2]  # the last two letters swapped
    checklists = read_yaml(project, "checklists")
    index, item = next((i, item) for i, item in enumerate(checklists["items"]) if item.get("status") != "retired")
    item["regulations"] = [typo]
    text = write_yaml(project, "checklists", checklists)
    line = line_of(text, f"- {typo}\n")
    return (
        f"data/checklists.yaml:{line}: items[{index}].regulations[0]: {typo!r} is not a known law or obligation "
        f"(did you mean {target!r}?)"
    )


def unknown_law_in_finding(project: Path) -> str:
    findings = read_yaml(project, "findings")
    index = 0
    findings["findings"][index]["regulations"] = ["no-such-law"]
    text = write_yaml(project, "findings", findings)
    line = line_of(text, "- no-such-law\n")
    return (
        f"data/findings.yaml:{line}: findings[{index}].regulations[0]: 'no-such-law' is not a known law or obligation"
    )


def linked_ids(project: Path) -> set[str]:
    """Law and obligation ids that checklist items or findings point to (renaming them breaks those links)."""
    records = [*read_yaml(project, "checklists")["items"], *read_yaml(project, "findings")["findings"]]
    return {key for record in records for key in record.get("regulations", [])}


def renamable(project: Path, data: dict[str, Any], first: int = 0) -> tuple[int, int]:
    """(law index, obligation index) of the first obligation at index ``first`` or later that nothing links to."""
    linked = linked_ids(project)
    return next(
        (i, j)
        for i, instrument in enumerate(data["instruments"])
        for j, obligation in enumerate(instrument["obligations"])
        if j >= first and obligation["id"] not in linked
    )


def obligation_without_its_law_prefix(project: Path) -> str:
    data = read_yaml(project, "regulations")
    i, j = renamable(project, data)
    instrument = data["instruments"][i]
    instrument["obligations"][j]["id"] = "orphan-duty"
    text = write_yaml(project, "regulations", data)
    line = line_of(text, "- id: orphan-duty\n")
    return (
        f"data/regulations.yaml:{line}: instruments[{i}].obligations[{j}].id: 'orphan-duty' must start with its "
        f"law's id and a hyphen ({instrument['id']}-…), so that its anchor on the law page stays stable"
    )


def duplicate_obligation_id(project: Path) -> str:
    data = read_yaml(project, "regulations")
    i, j = renamable(project, data, first=1)
    obligations = data["instruments"][i]["obligations"]
    first = obligations[0]["id"]
    obligations[j]["id"] = first
    text = write_yaml(project, "regulations", data)
    first_line = obligation_line(text, first)
    second_line = line_of(text, f"- id: {first}\n", text.find(f"- id: {first}\n") + 1)
    return (
        f"data/regulations.yaml:{second_line}: instruments[{i}].obligations[{j}].id: obligation id {first!r} "
        f"is already used on line {first_line}; ids must be unique"
    )


def unknown_role_in_obligation(project: Path) -> str:
    data = read_yaml(project, "regulations")
    obligation = data["instruments"][0]["obligations"][0]
    obligation["roles"] = ["radiologistt"]
    text = write_yaml(project, "regulations", data)
    line = line_of(text, "- radiologistt\n")
    return (
        f"data/regulations.yaml:{line}: instruments[0].obligations[0].roles[0]: 'radiologistt' is not a known "
        "role (did you mean 'radiologist'?)"
    )


def verified_mark_on_a_secondary_source(project: Path) -> str:
    sources = read_yaml(project, "sources")
    secondary = next(source["key"] for source in sources["sources"] if source["verification"] == "secondary")
    data = read_yaml(project, "regulations")
    citation = data["instruments"][0]["obligations"][0]["citations"][0]
    citation["source"] = secondary
    citation["mark"] = "V"
    text = write_yaml(project, "regulations", data)
    line = line_of(text, "mark: V\n", text.find(f"source: {secondary}\n"))
    return (
        f"data/regulations.yaml:{line}: instruments[0].obligations[0].citations[0].mark: marks {secondary} as V "
        "(seen in the source), but sources.yaml says its verification is 'secondary'; use S, or correct the source"
    )


CASES: dict[str, Callable[[Path], str]] = {
    "unknown-jurisdiction": unknown_jurisdiction,
    "missing-citations": missing_citations,
    "misspelt-regulation-in-checklist-item": misspelt_regulation_in_checklist,
    "unknown-law-in-finding": unknown_law_in_finding,
    "obligation-id-without-law-prefix": obligation_without_its_law_prefix,
    "duplicate-obligation-id": duplicate_obligation_id,
    "unknown-role-in-obligation": unknown_role_in_obligation,
    "verified-mark-on-secondary-source": verified_mark_on_a_secondary_source,
}


@pytest.mark.parametrize("make_bad", list(CASES.values()), ids=list(CASES))
def test_bad_regulation_data_gives_one_exact_problem_line(
    make_bad: Callable[[Path], str], project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = make_bad(project_copy)
    assert_single_problem(project_copy, capsys, expected)


def test_unknown_binds_value_is_a_schema_problem(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = read_yaml(project_copy, "regulations")
    data["instruments"][0]["obligations"][0]["binds"] = "hospital"
    text = write_yaml(project_copy, "regulations", data)
    line = line_of(text, "binds: hospital\n")
    status, lines, _ = run_check(project_copy, capsys)
    assert status == 1
    prefix = f"data/regulations.yaml:{line}: instruments[0].obligations[0].binds: "
    [problem] = [entry for entry in lines if entry.startswith(prefix)]
    assert all(word in problem for word in ("manufacturer", "deployer", "both")), problem


def test_stale_obligations_are_warned_about(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = read_yaml(project_copy, "regulations")
    obligation = data["instruments"][0]["obligations"][0]
    obligation["last_reviewed"] = dt.date(2000, 1, 1)
    text = write_yaml(project_copy, "regulations", data)
    line = line_of(text, "last_reviewed: 2000-01-01\n")
    capsys.readouterr()
    status = main(["--project", str(project_copy), "check"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert (
        f"warning: data/regulations.yaml:{line}: instruments[0].obligations[0].last_reviewed: {obligation['id']} "
        "was last reviewed on 2000-01-01"
    ) in captured.err


# --------------------------------------------------------------------------- downloads


def test_regulations_csv_has_one_row_per_obligation_with_its_law(guide: GuideData) -> None:
    files = {item.name: item for item in download_files(PROJECT_DIR)}
    rows = list(csv.DictReader(io.StringIO(files["regulations.csv"].content.decode("utf-8"), newline="")))
    raw = read_yaml(PROJECT_DIR, "regulations")
    expected = [
        (instrument["jurisdiction"], instrument["id"], instrument["identifier"], obligation["id"])
        for instrument in raw["instruments"]
        for obligation in instrument["obligations"]
    ]
    assert [(row["jurisdiction"], row["instrument"], row["identifier"], row["id"]) for row in rows] == expected
    for row in rows:
        obligation = guide.regulation[row["id"]]
        for citation in obligation.citations:
            assert f"{citation.source} ({citation.section}, {citation.mark})" in row["citations"]


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
def test_every_law_page_shows_its_laws_obligations_citations_and_the_notice(built_site: Path, guide) -> None:
    assert guide.jurisdictions and guide.instruments
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
                    assert f"{citation.mark}: {MARK_LABELS[citation.mark]}" in section
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
        for key in cited[source.key]:
            if key in guide.regulation:
                jurisdiction = guide.instrument_of[key].jurisdiction
                assert any(link.endswith(f"law/{jurisdiction}/index.html#{key}") for link in page.links[source.anchor])
