"""A catalogue of bad data: each case gives exactly one true message at its own file, line and field.

Every case breaks one file of a tiny fixture guide (``tests/fixtures/tiny``, a few records per file, checked
against the real schemas), works out the expected line from the broken text itself, and runs the editors'
check in this process. It must print exactly one problem line, ``data/<file>.yaml:<line>: <field>: <message>``
(or a schema file's path), then the summary line, exit with status 1 and never show a traceback. One case of
each class also goes through the build command: it must stop with status 1 before writing anything, leaving
the previous site and every file of the project exactly as they were.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiguide import build, cli

from .conftest import tiny_data_project

SUMMARY = re.compile(
    r"^\d+ problems? found(; fix the lines above and run the check again| in the guide's data; nothing was built)\.$"
)
AS_OF = "2026-06-01"  # the tiny guide's dates lie before it; the tests never depend on today's date


@dataclass(frozen=True)
class Case:
    """Replace ``old`` by ``new`` in ``data/<file>.yaml``; expect one problem at the line holding ``at``."""

    file: str
    old: str
    new: str
    at: str  # text on the expected line, in the broken file ("" for line 0: the whole file)
    field: str  # the expected field path ("" when the problem has none)
    message: str  # a part of the expected message
    shown_in: str = ""  # the file the problem is reported in, when not ``file``
    also: tuple[str, str, str] | None = None  # a second (file, old, new) edit that belongs to the same mistake

    def apply(self, project: Path) -> int:
        """Break the file; return the expected line."""
        edits = [(self.file, self.old, self.new), *([self.also] if self.also else [])]
        for file, old, new in edits:
            path = project / "data" / f"{file}.yaml"
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} is not in the tiny {file}.yaml"
            path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
        broken = (project / "data" / f"{self.file}.yaml").read_text(encoding="utf-8")
        if not self.at:
            return 0
        shown = project / "data" / f"{self.shown_in or self.file}.yaml"
        shown_text = shown.read_text(encoding="utf-8") if shown.suffix == ".yaml" else broken
        assert self.at in shown_text, f"{self.at!r} is not in the broken file"
        return shown_text[: shown_text.index(self.at)].count("\n") + 1


CASES: dict[str, Case] = {
    # --- YAML itself
    "syntax: bad indentation": Case(
        "findings", "    kind: observed\n", "     kind: observed\n", "kind: observed", "", "YAML syntax error"
    ),
    "syntax: tab indentation": Case(
        "roles", "    title: Radiologist\n", "\ttitle: Radiologist\n", "\ttitle", "", "tab"
    ),
    "syntax: second document": Case(
        "phases",
        "    decisions: [Set a date]\n",
        "    decisions: [Set a date]\n---\nphases: []\n",
        "---",
        "",
        "second document",
    ),
    "loader: anchor without alias": Case(
        "roles", "    concerns: [Accuracy]", "    concerns: &c [Accuracy]", "&c", "roles[0].concerns", "anchors (&c)"
    ),
    "loader: alias": Case("roles", "    concerns: [Uptime]", "    concerns: *c", "*c", "roles[1].concerns", "aliases"),
    "loader: tag on a mapping": Case(
        "themes",
        "    frameworks:\n      nasss: [technology]",
        "    frameworks: !!omap\n      nasss: [technology]",
        "!!omap",
        "themes[0].frameworks",
        "tags such as !!omap",
    ),
    "loader: tag on a list": Case(
        "roles", "    concerns: [Accuracy]", "    concerns: !!set [Accuracy]", "!!set", "roles[0].concerns", "!!set"
    ),
    "loader: binary tag on text": Case(
        "glossary", "    term: AI\n", "    term: !!binary QUk=\n", "!!binary", "terms[1].term", "!!binary"
    ),
    "loader: merge key": Case(
        "roles", "    title: Radiologist\n", "    <<: {title: Radiologist}\n", "<<", "roles[0]", "merge keys"
    ),
    "loader: duplicated key": Case(
        "findings",
        "    direction: both\n",
        "    direction: both\n    direction: barrier\n",
        "direction: barrier",
        "findings[0].direction",
        "given twice",
    ),
    "loader: NUL byte": Case(
        "glossary",
        "definition: Artificial intelligence.",
        "definition: Artificial\x00 intelligence.",
        "Artificial\x00",
        "",
        "U+0000",
    ),
    "loader: escape character in a title": Case(
        "themes", "title: Training and education", "title: Training\x1b[31m", "Training\x1b", "", "U+001B"
    ),
    "loader: line separator in a title": Case(
        "roles", "title: PACS and IT team", "title: PACS\u2028and IT team", "PACS\u2028", "", "LINE SEPARATOR"
    ),
    "loader: deep nesting": Case(
        "glossary", "    related: [ai]", "    related: " + "[" * 40 + "]" * 40, "related: [[", "", "levels deep"
    ),
    "loader: not a finite number": Case(
        "assessment", "    score: 0.5\n", "    score: .nan\n", ".nan", "answers[1].score", "finite"
    ),
    "loader: infinite weight": Case(
        "assessment", "  essential: 3\n", "  essential: .inf\n", ".inf", "weights.essential", "finite"
    ),
    # --- schema: wrong types and shapes
    "text: a number": Case(
        "glossary", "    term: AI\n", "    term: 5\n", "term: 5", "terms[1].term", "read as a number"
    ),
    "text: a list": Case(
        "roles",
        "    summary: Runs the systems.",
        "    summary: [Runs, systems]",
        "summary: [Runs",
        "roles[1].summary",
        "must be text",
    ),
    "text: blank": Case(
        "themes",
        "    summary: Whether the tool fits the routine.",
        '    summary: "  "',
        'summary: "  "',
        "themes[0].summary",
        "blank",
    ),
    "text: TODO left in": Case(
        "themes",
        "    mapping_note: The guide's reading.\n  - id: training",
        "    mapping_note: 'TODO: write it'\n  - id: training",
        "TODO",
        "themes[0].mapping_note",
        "TODO",
    ),
    "line: title with a line break": Case(
        "themes",
        "    title: Workflow integration",
        '    title: "Workflow\\nintegration"',
        'title: "Workflow',
        "themes[0].title",
        "one line",
    ),
    "line: title ending in a line break": Case(
        "findings",
        "    title: Fitting the routine helps\n",
        "    title: |\n      Fitting the routine helps\n",
        "title: |",
        "findings[0].title",
        "one line",
    ),
    "line: question with a line break": Case(
        "checklists",
        "    question: Is training planned?",
        '    question: "Is training\\nplanned?"',
        'question: "Is',
        "items[1].question",
        "one line",
    ),
    "id: slug ending in a line break": Case(
        "themes",
        "  - id: training\n",
        '  - id: "training\\n"\n',
        'id: "training',
        "themes[1].id",
        "lower-case words",
    ),
    "id: source key ending in a line break": Case(
        "sources",
        "  - key: FRAMEWORK2017\n",
        '  - key: "FRAMEWORK2017\\n"\n',
        'key: "FRAMEWORK2017',
        "sources[3].key",
        "upper-case source key",
    ),
    "id: duplicated": Case(
        "roles",
        "    concerns: [Uptime]\n",
        "    concerns: [Uptime]\n  - id: radiologist\n    title: Another\n    summary: Again.\n    concerns: [Twice]\n",
        "id: radiologist\n    title: Another",
        "roles[2].id",
        "already used",
    ),
    "date: not a real day": Case(
        "findings",
        "    last_reviewed: 2026-01-10\n  - id: TR-02",
        '    last_reviewed: "2026-02-30"\n  - id: TR-02',
        '"2026-02-30"',
        "findings[0].last_reviewed",
        "real date",
    ),
    "date: wrong shape": Case(
        "faqs",
        "    last_reviewed: 2026-01-10",
        "    last_reviewed: 10/01/2026",
        "10/01/2026",
        "faqs[0].last_reviewed",
        "YYYY-MM-DD",
    ),
    "date: review in the future": Case(
        "faqs",
        "    last_reviewed: 2026-01-10",
        "    last_reviewed: 2026-09-01",
        "2026-09-01",
        "faqs[0].last_reviewed",
        "in the future",
    ),
    "number: whole number written 1.0": Case(
        "phases", "    order: 2\n", "    order: 2.0\n", "order: 2.0", "phases[1].order", "whole number"
    ),
    "number: out of range": Case(
        "assessment", "    min: 80\n", "    min: 180\n", "min: 180", "bands[0].min", "out of range"
    ),
    "number: year as text": Case(
        "sources", "    year: 2020\n", '    year: "2020"\n', 'year: "2020"', "sources[2].year", "whole number"
    ),
    "url: javascript": Case(
        "sources",
        '    url: "https://example.org/news"',
        '    url: "javascript:alert(1)"',
        "javascript:",
        "sources[1].url",
        "web address",
    ),
    "url: ending in a line break": Case(
        "sources",
        '    url: "https://example.org/news"',
        '    url: "https://example.org/news\\n"',
        'url: "https',
        "sources[1].url",
        "web address",
    ),
    "doi: with resolver": Case(
        "sources",
        '    doi: "10.1000/tiny.1"',
        '    doi: "https://doi.org/10.1000/tiny.1"',
        "doi.org",
        "sources[0].doi",
        "bare DOI",
    ),
    "enum: unknown value": Case(
        "findings",
        "    direction: both\n",
        "    direction: helper\n",
        "helper",
        "findings[0].direction",
        "is not one of",
    ),
    "field: unknown": Case(
        "checklists", "    tier: recommended\n", "    teir: recommended\n", "teir", "items[1].teir", "unknown field"
    ),
    "field: missing": Case(
        "roles", "    summary: Reads and reports images.\n", "", "id: radiologist", "roles[0].summary", "is missing"
    ),
    # --- references, wrong shapes where ids are expected
    "ids: unknown theme": Case(
        "findings",
        "    theme: workflow\n",
        "    theme: workflo\n",
        "theme: workflo",
        "findings[0].theme",
        "did you mean 'workflow'",
    ),
    "ids: unknown finding": Case(
        "faqs",
        "    findings: [WF-01]",
        "    findings: [WF-09]",
        "findings: [WF-09]",
        "faqs[0].findings[0]",
        "not a known finding",
    ),
    "ids: a number where a list of ids is expected": Case(
        "faqs", "    findings: [WF-01]", "    findings: 5", "findings: 5", "faqs[0].findings", "must be a list"
    ),
    "ids: a mapping where a list of ids is expected": Case(
        "findings",
        "    roles: [radiologist]\n    phases: [go-live]",
        "    roles: {radiologist: yes}\n    phases: [go-live]",
        "roles: {",
        "findings[1].roles",
        "must be a list",
    ),
    "ids: a list where one source key is expected": Case(
        "guide", "backbone: REVIEW2025", "backbone: [REVIEW2025]", "backbone: [", "backbone", "must be text"
    ),
    "ids: blocking answers as a number": Case(
        "assessment",
        '    answers: ["no", dont-know]',
        "    answers: 5",
        "answers: 5",
        "blocking[0].answers",
        "must be a list",
    ),
    "ids: unknown local answer": Case(
        "assessment",
        '    answers: ["no", dont-know]',
        '    answers: ["no", dont-knw]',
        "dont-knw",
        "blocking[0].answers[1]",
        "is not one of the answers in this file",
    ),
    "ids: changelog changes as a number": Case(
        "changelog",
        "    changes:\n      - type: added\n        text: Everything.\n        records: [WF-01]",
        "    changes: 5",
        "changes: 5",
        "releases[0].changes",
        "must be a list",
    ),
    "ids: framework domain id as a list": Case(
        "frameworks",
        "      - id: technology",
        "      - id: [technology]",
        "id: [technology]",
        "frameworks[0].domains[0].id",
        "must be text",
    ),
    "ids: duplicated framework domain": Case(
        "frameworks",
        "        title: The adopter system\n",
        "        title: The adopter system\n      - id: technology\n        title: Again\n",
        "id: technology\n        title: Again",
        "frameworks[0].domains[2].id",
        "also used",
    ),
    "ids: unused role": Case(
        "roles",
        "    concerns: [Uptime]\n",
        "    concerns: [Uptime]\n  - id: porter\n    title: Porter\n    summary: Moves patients.\n"
        "    concerns: [Lifts]\n",
        "id: porter",
        "roles[2].id",
        "not used anywhere",
    ),
    "groups: a domain the framework lacks": Case(
        "themes",
        "    nasss_domain: adopter-system\n",
        "    nasss_domain: adopter-systems\n",
        "nasss_domain: adopter-systems",
        "groups[1].nasss_domain",
        "not part of nasss",
    ),
    "groups: two groups for one domain": Case(
        "themes",
        "    title: Staff and patients\n    summary: How people take to the tool.\n    nasss_domain: adopter-system\n",
        "    title: Staff and patients\n    summary: How people take to the tool.\n    nasss_domain: adopter-system\n"
        "  - id: people\n    title: People\n    summary: Again.\n    nasss_domain: adopter-system\n",
        "nasss_domain: adopter-system\nthemes",
        "groups[2].nasss_domain",
        "already stands for 'adopter-system'",
    ),
    "groups: a group that holds no theme": Case(
        "themes",
        "      nasss: [adopter-system]",
        "      nasss: [technology, adopter-system]",
        "id: adopter-system",
        "groups[1].id",
        "holds no theme",
    ),
    "groups: a theme whose first domain has no group": Case(
        "themes",
        "    nasss_domain: adopter-system\n",
        "    nasss_domain: technology\n",
        "nasss: [adopter-system]",
        "themes[1].frameworks.nasss[0]",
        "add a group for it",
        # the second group now duplicates the first one's domain; give it back a group of its own by removal
        also=(
            "themes",
            "  - id: adopter-system\n    title: Staff and patients\n    summary: How people take to the tool.\n"
            "    nasss_domain: technology\n",
            "",
        ),
    ),
    "law: unknown jurisdiction": Case(
        "regulations",
        "    jurisdiction: eu\n",
        "    jurisdiction: euu\n",
        "jurisdiction: euu",
        "instruments[0].jurisdiction",
        "is not one of the jurisdictions in this file (did you mean 'eu'?)",
    ),
    "law: jurisdiction with no laws": Case(
        "regulations",
        "instruments:\n",
        "  - id: uk\n    title: United Kingdom\n    short_title: UK\n    summary: None yet.\n"
        "    last_reviewed: 2026-01-10\ninstruments:\n",
        "id: uk",
        "jurisdictions[1].id",
        "is not used by any record",
    ),
    "law: obligation id without its law": Case(
        "regulations",
        "      - id: eu-law-contract\n",
        "      - id: eu-contract\n",
        "id: eu-contract",
        "instruments[0].obligations[1].id",
        "must start with its law's id and a hyphen (eu-law-…)",
    ),
    "law: obligation id used twice": Case(
        "regulations",
        "      - id: eu-law-contract\n",
        "      - id: eu-law-assess\n",
        "id: eu-law-assess\n        title: Sign",
        "instruments[0].obligations[1].id",
        "is already used on line",
    ),
    "law: obligation id equal to its law's": Case(
        "regulations",
        "      - id: eu-law-contract\n",
        "      - id: eu-law\n",
        "id: eu-law\n        title: Sign",
        "instruments[0].obligations[1].id",
        "is already used on line",
    ),
    "law: unknown obligation in a checklist item": Case(
        "checklists",
        "    regulations: [eu-law-assess]",
        "    regulations: [eu-law-asess]",
        "eu-law-asess",
        "items[0].regulations[0]",
        "is not a known law or obligation (did you mean 'eu-law-assess'?)",
    ),
    "law: unknown role in an obligation": Case(
        "regulations",
        "        roles: [radiologist]\n",
        "        roles: [radiologistt]\n",
        "radiologistt",
        "instruments[0].obligations[0].roles[0]",
        "is not a known role (did you mean 'radiologist'?)",
    ),
    "law: unknown role in a gap": Case(
        "regulations",
        "        roles: [pacs-it]\n",
        "        roles: [pacs]\n",
        "roles: [pacs]",
        "jurisdictions[0].gaps[0].roles[0]",
        "is not a known role",
    ),
    "law: obligation without citations": Case(
        "regulations",
        "        citations:\n          - source: LAW2016\n            section: Article 28\n            mark: V\n"
        "            supports: direct\n",
        "",
        "id: eu-law-contract",
        "instruments[0].obligations[1].citations",
        "is missing",
    ),
    "law: who acts misspelt": Case(
        "regulations",
        "        binds: deployer\n",
        "        binds: hospital\n",
        "binds: hospital",
        "instruments[0].obligations[0].binds",
        "manufacturer",
    ),
    "marks: V for a source seen second-hand": Case(
        "faqs",
        "      - source: STUDY2020\n        section: abstract\n        mark: V",
        "      - source: FRAMEWORK2017\n        section: abstract\n        mark: V",
        "mark: V",
        "faqs[0].citations[0].mark",
        "secondary",
    ),
    "release: date in the future": Case(
        "guide",
        "release_date: 2026-01-15",
        "release_date: 2026-12-31",
        "release_date",
        "release_date",
        "in the future",
        also=("changelog", "    date: 2026-01-15", "    date: 2026-12-31"),
    ),
}


def _problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line and not SUMMARY.match(line) and not line.startswith("warning")]


def _run_check(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    status = cli.main(["--project", str(project), "check", "--as-of", AS_OF])
    captured = capsys.readouterr()
    return status, _problem_lines(captured.err), captured.err + captured.out


def test_the_tiny_guide_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, problems, output = _run_check(tiny_data_project(tmp_path / "tiny"), capsys)
    assert (status, problems) == (0, []), output


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_gives_exactly_one_true_message_at_its_line(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tiny_data_project(tmp_path / "tiny")
    line = case.apply(project)
    status, problems, output = _run_check(project, capsys)
    assert status == 1 and "Traceback" not in output, output
    assert len(problems) == 1, output
    location = f"data/{case.shown_in or case.file}.yaml:{line}" if line else f"data/{case.shown_in or case.file}.yaml"
    expected_start = f"{location}: {case.field}: " if case.field else f"{location}: "
    assert problems[0].startswith(expected_start), f"expected {expected_start!r}…, got {problems[0]!r}"
    assert case.message in problems[0], problems[0]


def test_an_unknown_file_in_the_data_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tiny_data_project(tmp_path / "tiny")
    (project / "data" / "finding.yaml").write_text("findings: []\n", encoding="utf-8")
    status, problems, output = _run_check(project, capsys)
    assert status == 1 and len(problems) == 1, output
    assert problems[0].startswith("data/finding.yaml: is not one of the guide's data files")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.unlink(), "the schema is missing"),
        (lambda path: path.write_text('{"type": "object", ', encoding="utf-8"), "not valid JSON"),
        (lambda path: path.write_bytes(b"\xff\xfe"), "not UTF-8"),
        (lambda path: path.write_text('{"$ref": "common.schema.json#/$defs/nothing"}', encoding="utf-8"), "$ref"),
    ],
    ids=["missing", "corrupt", "binary", "dangling-ref"],
)
def test_a_missing_or_broken_schema_is_one_clear_line(
    damage, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tiny_data_project(tmp_path / "tiny")
    damage(project / "data" / "schemas" / "roles.schema.json")
    status, problems, output = _run_check(project, capsys)
    assert status == 1 and "Traceback" not in output, output
    assert len(problems) == 1 and problems[0].startswith("data/schemas/roles.schema.json"), output
    assert message in problems[0]


def _tree_digest(project: Path) -> dict[str, str]:
    return {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".cache" not in path.parts
    }


ONE_PER_CLASS = [
    "syntax: bad indentation",
    "loader: tag on a list",
    "loader: not a finite number",
    "ids: a number where a list of ids is expected",
    "date: not a real day",
    "line: title with a line break",
    "ids: duplicated framework domain",
    "number: whole number written 1.0",
]


@pytest.mark.parametrize("name", ONE_PER_CLASS)
def test_build_stops_before_writing_anything(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tiny_data_project(tmp_path / "tiny")
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site", encoding="utf-8")
    CASES[name].apply(project)
    before = _tree_digest(project)
    status = build.main(["--project", str(project), "--site-dir", str(site), "--no-pdf"])
    output = capsys.readouterr()
    assert status == 1 and "Traceback" not in output.err, output.err
    assert len(_problem_lines(output.err)) == 1, output.err
    assert _tree_digest(project) == before, "the build changed files of the project"
    assert sorted(path.name for path in project.iterdir() if path.name.startswith(".site")) == []
