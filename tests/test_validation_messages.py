"""Bad input gives editors one plain line per problem, pointing at the right file, line and field.

Every case breaks ONE real data file in a disposable copy of the project, works out the expected line
number from the broken text itself (never a hard-coded number), runs ``python -m aiguide check`` in
process and expects the exact message line, exit status 1 and no traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiguide.cli import main

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A problem line: data/<file>.yaml:<line>: <message> (the field path, when there is one, starts the message).
PROBLEM_LINE = re.compile(r"^data/[a-z_]+\.yaml:\d+: \S.*$")
SUMMARY_LINE = re.compile(r"^\d+ problems? found; fix the lines above and run the check again\.$")

ANCHOR_MESSAGE = "anchors and aliases (& and *) are not allowed in guide data; write the value out"
MERGE_MESSAGE = "merge keys (<<) are not allowed in guide data; write the fields out"
SYNTAX_HINT = "check the indentation and quotes on this line and the one before"
TAB_MESSAGE = "a tab character is used for indentation; indent with spaces only"
UNUSED_TAIL = "is not used anywhere; use it, remove it, or add unused_reason to say why it stays"
CHECKLIST_FIELDS = ", ".join(
    json.loads((PROJECT_DIR / "data" / "schemas" / "checklists.schema.json").read_text(encoding="utf-8"))["properties"][
        "items"
    ]["items"]["properties"]
)

# How each record of a collection file starts, for working out list indexes from the text.
RECORD_START = {
    "findings": "\n  - id: ",
    "faqs": "\n  - id: ",
    "checklists": "\n  - id: ",
    "themes": "\n  - id: ",
    "roles": "\n  - id: ",
    "phases": "\n  - id: ",
    "glossary": "\n  - id: ",
    "sources": "\n  - key: ",
}
CITATION_START = "\n      - source: "


# --------------------------------------------------------------------------- helpers on the data text


def data_file(project: Path, name: str) -> Path:
    return project / "data" / f"{name}.yaml"


def line_at(text: str, offset: int) -> int:
    """The 1-based line number of the character at ``offset``."""
    return text.count("\n", 0, offset) + 1


def line_of(text: str, needle: str, start: int = 0) -> int:
    """The line of the first occurrence of ``needle`` at or after ``start``; fails if there is none."""
    offset = text.find(needle, start)
    assert offset >= 0, f"{needle!r} not found in the data text"
    return line_at(text, offset)


def record_start(text: str, name: str, offset: int) -> int:
    """The offset of the first line of the record that holds ``offset``."""
    start = text.rfind(RECORD_START[name], 0, offset + len(RECORD_START[name]))
    assert start >= 0, f"no {name} record starts before offset {offset}"
    return start + 1


def record_index(text: str, name: str, offset: int) -> int:
    """The list index of the record that holds ``offset``."""
    return text.count(RECORD_START[name], 0, record_start(text, name, offset))


def citation_index(text: str, name: str, offset: int) -> int:
    """The index, within its record's citations, of the citation that holds ``offset``."""
    return text.count(CITATION_START, record_start(text, name, offset), offset + len(CITATION_START)) - 1


def replace_first(project: Path, name: str, old: str, new: str) -> tuple[str, int]:
    """Replace the first ``old`` in ``data/<name>.yaml`` by ``new``; return the new text and where it starts."""
    path = data_file(project, name)
    text = path.read_text(encoding="utf-8")
    offset = text.find(old)
    assert offset >= 0, f"{old!r} is no longer in data/{name}.yaml; pick another mutation target"
    mutated = text[:offset] + new + text[offset + len(old) :]
    assert mutated != text
    path.write_text(mutated, encoding="utf-8")
    return mutated, offset


def append(project: Path, name: str, addition: str) -> tuple[str, int]:
    """Append ``addition`` to ``data/<name>.yaml``; return the new text and where the addition starts."""
    path = data_file(project, name)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    path.write_text(text + addition, encoding="utf-8")
    return text + addition, len(text)


# --------------------------------------------------------------------------- the bad-input classes
# Each case breaks one data file of the copy and returns the exact problem line ``check`` must print.


def yaml_bad_indentation(project: Path) -> str:
    text, at = replace_first(project, "findings", "    kind: observed\n", "     kind: observed\n")
    return (
        f"data/findings.yaml:{line_at(text, at)}: YAML syntax error: mapping values are not allowed in this context; "
        f"{SYNTAX_HINT}"
    )


def yaml_unclosed_quote(project: Path) -> str:
    text, at = replace_first(project, "sources", '    doi: "10.2196/63649"\n', '    doi: "10.2196/63649\n')
    # The scanner only notices on the next line, where the runaway quoted text ends.
    return (
        f"data/sources.yaml:{line_at(text, at) + 1}: YAML syntax error: did not find expected key "
        f"(while parsing a block mapping); {SYNTAX_HINT}"
    )


def tab_indentation(project: Path) -> str:
    text, at = replace_first(project, "findings", "    kind: observed\n", "\tkind: observed\n")
    return f"data/findings.yaml:{line_at(text, at)}: {TAB_MESSAGE}"


def tab_after_spaces(project: Path) -> str:
    text, at = replace_first(project, "roles", "    title: Radiographer\n", "  \ttitle: Radiographer\n")
    return f"data/roles.yaml:{line_at(text, at)}: {TAB_MESSAGE}"


def list_where_text_expected(project: Path) -> str:
    text, at = replace_first(
        project,
        "findings",
        "    title: Tools fitting the PACS routine are adopted more readily\n",
        "    title: [Tools fitting the PACS routine, are adopted more readily]\n",
    )
    index = record_index(text, "findings", at)
    return f"data/findings.yaml:{line_at(text, at)}: findings[{index}].title: must be text, not a list"


def year_as_text(project: Path) -> str:
    text, at = replace_first(project, "sources", "    year: 2025\n", '    year: "2025"\n')
    index = record_index(text, "sources", at)
    return f"data/sources.yaml:{line_at(text, at)}: sources[{index}].year: must be a whole number, not text"


def number_where_text_expected(project: Path) -> str:
    text, at = replace_first(project, "sources", '    pmid: "40690758"\n', "    pmid: 40690758\n")
    index = record_index(text, "sources", at)
    return (
        f"data/sources.yaml:{line_at(text, at)}: sources[{index}].pmid: "
        "40690758 is read as a number, not as text; put it in quotes: '40690758'"
    )


def missing_tier(project: Path) -> str:
    text, at = replace_first(project, "checklists", "    tier: essential\n", "")
    index = record_index(text, "checklists", at)
    line = line_at(text, record_start(text, "checklists", at))
    return f"data/checklists.yaml:{line}: items[{index}].tier: is missing; this field is required"


def missing_action_block(project: Path) -> str:
    path = data_file(project, "findings")
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^    action: >-\n(?:      .*\n)+", text, flags=re.MULTILINE)
    assert block is not None, "no folded action block left in data/findings.yaml"
    mutated = text[: block.start()] + text[block.end() :]
    path.write_text(mutated, encoding="utf-8")
    index = record_index(mutated, "findings", block.start())
    line = line_at(mutated, record_start(mutated, "findings", block.start()))
    return f"data/findings.yaml:{line}: findings[{index}].action: is missing; this field is required"


def misspelt_field(project: Path) -> str:
    text, at = replace_first(project, "checklists", "    tier: essential\n", "    teir: essential\n")
    index = record_index(text, "checklists", at)
    return (
        f"data/checklists.yaml:{line_at(text, at)}: items[{index}].teir: unknown field 'teir' "
        f"(did you mean 'tier'?); allowed fields: {CHECKLIST_FIELDS}"
    )


def duplicate_id(project: Path) -> str:
    text, at = replace_first(project, "findings", "  - id: FW-02\n", "  - id: FW-01\n")
    first = line_of(text, "  - id: FW-01\n")
    assert first < line_at(text, at)
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].id: "
        f"id 'FW-01' is already used on line {first}; ids must be unique"
    )


def duplicate_key(project: Path) -> str:
    text, at = replace_first(
        project, "findings", "    kind: observed\n", "    kind: observed\n    kind: recommendation\n"
    )
    first = line_at(text, at)
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{first + 1}: findings[{index}].kind: "
        f"field 'kind' is given twice (first on line {first}); keep one"
    )


def unknown_theme(project: Path) -> str:
    text, at = replace_first(project, "findings", "    theme: workflow-integration\n", "    theme: workflow\n")
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].theme: "
        "'workflow' is not a known theme (did you mean 'workflow-integration'?)"
    )


def unknown_theme_without_close_match(project: Path) -> str:
    text, at = replace_first(project, "findings", "    theme: workflow-integration\n", "    theme: zebra-crossing\n")
    index = record_index(text, "findings", at)
    return f"data/findings.yaml:{line_at(text, at)}: findings[{index}].theme: 'zebra-crossing' is not a known theme"


def unknown_source(project: Path) -> str:
    text, at = replace_first(project, "findings", "      - source: STROHM2020\n", "      - source: STROHM2021\n")
    index = record_index(text, "findings", at)
    citation = citation_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].citations[{citation}].source: "
        "'STROHM2021' is not a known source (did you mean 'STROHM2020'?)"
    )


def unknown_finding(project: Path) -> str:
    text, at = replace_first(
        project,
        "faqs",
        "    findings: [FW-01, EV-07, ED-21, SE-23, SE-26]\n",
        "    findings: [FW-001, EV-07, ED-21, SE-23, SE-26]\n",
    )
    index = record_index(text, "faqs", at)
    return (
        f"data/faqs.yaml:{line_at(text, at)}: faqs[{index}].findings[0]: "
        "'FW-001' is not a known finding (did you mean 'FW-01'?)"
    )


def unknown_role(project: Path) -> str:
    text, at = replace_first(
        project,
        "findings",
        "    roles: [radiologist, radiographer, pacs-it, implementation-lead]\n",
        "    roles: [radiologist, radiographer, pacs-it, implementation-leader]\n",
    )
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].roles[3]: "
        "'implementation-leader' is not a known role (did you mean 'implementation-lead'?)"
    )


def unknown_phase(project: Path) -> str:
    text, at = replace_first(
        project,
        "findings",
        "    phases: [evaluate, procure, prepare]\n",
        "    phases: [evaluation, procure, prepare]\n",
    )
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].phases[0]: "
        "'evaluation' is not a known phase (did you mean 'evaluate'?)"
    )


def unknown_glossary_term(project: Path) -> str:
    text, at = replace_first(project, "findings", "    terms: [pacs, ai]\n", "    terms: [pac, ai]\n")
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].terms[0]: "
        "'pac' is not a known glossary term (did you mean 'pacs'?)"
    )


def unknown_related_term(project: Path) -> str:
    text, at = replace_first(
        project,
        "glossary",
        "    related: [ris, dicom, interoperability]\n",
        "    related: [ris, dicom, interoperabilty]\n",
    )
    index = record_index(text, "glossary", at)
    return (
        f"data/glossary.yaml:{line_at(text, at)}: terms[{index}].related[2]: "
        "'interoperabilty' is not a known glossary term (did you mean 'interoperability'?)"
    )


def bad_enum(project: Path) -> str:
    text, at = replace_first(project, "findings", "    direction: both\n", "    direction: helper\n")
    index = record_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_at(text, at)}: findings[{index}].direction: "
        "'helper' is not one of: facilitator, barrier, both"
    )


def misspelt_enum(project: Path) -> str:
    text, at = replace_first(project, "checklists", "    tier: essential\n", "    tier: esential\n")
    index = record_index(text, "checklists", at)
    return (
        f"data/checklists.yaml:{line_at(text, at)}: items[{index}].tier: "
        "'esential' is not one of: essential, recommended (did you mean 'essential'?)"
    )


def doi_with_resolver(project: Path) -> str:
    text, at = replace_first(
        project, "sources", '    doi: "10.2196/63649"\n', '    doi: "https://doi.org/10.2196/63649"\n'
    )
    index = record_index(text, "sources", at)
    return (
        f"data/sources.yaml:{line_at(text, at)}: sources[{index}].doi: 'https://doi.org/10.2196/63649' "
        "must be a bare DOI such as 10.1007/s00330-020-06946-y (no https://doi.org/ in front)"
    )


def _bad_url(project: Path, url: str) -> str:
    text, at = replace_first(
        project, "sources", "    url: https://www.jmir.org/2025/1/e63649/XML\n", f"    url: {url}\n"
    )
    index = record_index(text, "sources", at)
    return (
        f"data/sources.yaml:{line_at(text, at)}: sources[{index}].url: "
        f"{url!r} must be a web address starting with http:// or https://"
    )


def javascript_url(project: Path) -> str:
    return _bad_url(project, "javascript:alert(1)")


def url_without_scheme(project: Path) -> str:
    return _bad_url(project, "www.example.org")


def empty_file(project: Path) -> str:
    data_file(project, "glossary").write_text("", encoding="utf-8")
    return "data/glossary.yaml:1: the file is empty; it must hold the guide's data"


def comments_only_file(project: Path) -> str:
    path = data_file(project, "glossary")
    header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)[:2])
    assert header.startswith("#") and header.count("\n") == 2
    path.write_text(header, encoding="utf-8")
    return "data/glossary.yaml:1: the file is empty; it must hold the guide's data"


def not_utf8(project: Path) -> str:
    path = data_file(project, "themes")
    raw = path.read_bytes()
    old = b"    title: Workflow integration\n"
    assert old in raw
    mutated = raw.replace(old, b"    title: Workflow\xff integration\n", 1)
    path.write_bytes(mutated)
    line = mutated[: mutated.index(b"\xff")].count(b"\n") + 1
    return f"data/themes.yaml:{line}: the file is not UTF-8 text; save it as UTF-8 in your editor"


def unquoted_no(project: Path) -> str:
    text, at = replace_first(project, "glossary", "    term: PACS\n", "    term: no\n")
    index = record_index(text, "glossary", at)
    return (
        f"data/glossary.yaml:{line_at(text, at)}: terms[{index}].term: "
        "no is read as a yes/no value, not as text; put it in quotes: 'no'"
    )


def unquoted_yes_in_list(project: Path) -> str:
    text, at = replace_first(project, "roles", "      - Diagnostic accuracy and false alarms\n", "      - Yes\n")
    index = record_index(text, "roles", at)
    return (
        f"data/roles.yaml:{line_at(text, at)}: roles[{index}].concerns[0]: "
        "Yes is read as a yes/no value, not as text; put it in quotes: 'Yes'"
    )


def alias(project: Path) -> str:
    replace_first(
        project,
        "findings",
        "    roles: [radiologist, radiographer, pacs-it, implementation-lead]\n",
        "    roles: &team [radiologist, radiographer, pacs-it, implementation-lead]\n",
    )
    text, at = replace_first(
        project, "findings", "    roles: [radiologist, implementation-lead, pacs-it]\n", "    roles: *team\n"
    )
    index = record_index(text, "findings", at)
    return f"data/findings.yaml:{line_at(text, at)}: findings[{index}].roles: {ANCHOR_MESSAGE}"


def merge_key(project: Path) -> str:
    text, at = replace_first(project, "findings", "    kind: observed\n", "    <<: {kind: observed}\n")
    index = record_index(text, "findings", at)
    return f"data/findings.yaml:{line_at(text, at)}: findings[{index}]: {MERGE_MESSAGE}"


def verified_mark_for_secondary_source(project: Path) -> str:
    old = "      - source: BRADY2024\n        section: press releases\n        mark: S\n"
    new = "      - source: BRADY2024\n        section: press releases\n        mark: V\n"
    text, at = replace_first(project, "findings", old, new)
    index = record_index(text, "findings", at)
    citation = citation_index(text, "findings", at)
    return (
        f"data/findings.yaml:{line_of(text, '        mark: V', at)}: findings[{index}].citations[{citation}].mark: "
        "marks BRADY2024 as V (seen in the source), but sources.yaml says its verification is 'secondary'; "
        "use S, or correct the source"
    )


NEW_ROLE = """
  - id: porter
    title: Porter
    summary: Moves patients between the wards and the imaging department.
    concerns:
      - Clear hand-over times
"""

NEW_THEME = """
  - id: weather
    title: Weather
    origin: proposed
    summary: Whether storms close the department.
    key_question: Will the weather stop us?
    frameworks: {}
    mapping_note: Not mapped.
"""


def unused_role(project: Path) -> str:
    text, at = append(project, "roles", NEW_ROLE)
    start = text.index("  - id: porter", at)
    index = record_index(text, "roles", start)
    return f"data/roles.yaml:{line_at(text, start)}: roles[{index}].id: role 'porter' {UNUSED_TAIL}"


def unused_theme(project: Path) -> str:
    text, at = append(project, "themes", NEW_THEME)
    start = text.index("  - id: weather", at)
    index = record_index(text, "themes", start)
    return f"data/themes.yaml:{line_at(text, start)}: themes[{index}].id: theme 'weather' {UNUSED_TAIL}"


CASES: dict[str, Callable[[Path], str]] = {
    "yaml-syntax-bad-indentation": yaml_bad_indentation,
    "yaml-syntax-unclosed-quote": yaml_unclosed_quote,
    "tab-indentation": tab_indentation,
    "tab-after-spaces": tab_after_spaces,
    "wrong-type-list-for-text": list_where_text_expected,
    "wrong-type-year-as-text": year_as_text,
    "wrong-type-number-for-text": number_where_text_expected,
    "missing-required-tier": missing_tier,
    "missing-required-action-block": missing_action_block,
    "unknown-field-did-you-mean": misspelt_field,
    "duplicate-id": duplicate_id,
    "duplicate-key-in-record": duplicate_key,
    "dangling-theme": unknown_theme,
    "dangling-theme-no-close-match": unknown_theme_without_close_match,
    "dangling-source": unknown_source,
    "dangling-finding": unknown_finding,
    "dangling-role": unknown_role,
    "dangling-phase": unknown_phase,
    "dangling-glossary-term": unknown_glossary_term,
    "dangling-related-glossary-term": unknown_related_term,
    "bad-enum": bad_enum,
    "misspelt-enum-did-you-mean": misspelt_enum,
    "malformed-doi": doi_with_resolver,
    "malformed-url-javascript": javascript_url,
    "malformed-url-no-scheme": url_without_scheme,
    "empty-file": empty_file,
    "comments-only-file": comments_only_file,
    "not-utf8": not_utf8,
    "unquoted-no": unquoted_no,
    "unquoted-yes-in-list": unquoted_yes_in_list,
    "alias-rejected": alias,
    "merge-key-rejected": merge_key,
    "verified-mark-for-secondary-source": verified_mark_for_secondary_source,
    "unused-role-without-reason": unused_role,
    "unused-theme-without-reason": unused_theme,
}


# --------------------------------------------------------------------------- running the check


@dataclass(frozen=True)
class CheckRun:
    status: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def run_check(project: Path, capsys: pytest.CaptureFixture[str]) -> CheckRun:
    capsys.readouterr()
    status = main(["--project", str(project), "check"])
    captured = capsys.readouterr()
    return CheckRun(status, captured.out, captured.err)


def assert_reported(run: CheckRun, expected: str) -> None:
    """The exact line is printed, the check fails, nothing crashed and every line is a one-line problem."""
    assert "Traceback" not in run.out + run.err
    assert expected in run.err_lines, f"expected line\n  {expected}\nnot in stderr:\n{run.err}"
    assert run.status == 1
    assert "data OK" not in run.out
    *problems, summary = run.err_lines
    stray = [line for line in problems if not PROBLEM_LINE.match(line)]
    assert not stray, f"lines that are not one-line problems: {stray}\nstderr:\n{run.err}"
    assert SUMMARY_LINE.match(summary), summary
    assert summary.startswith(f"{len(problems)} problem"), run.err


@pytest.mark.parametrize("make_bad", list(CASES.values()), ids=list(CASES))
def test_bad_input_gives_exact_one_line_message(
    make_bad: Callable[[Path], str], project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = make_bad(project_copy)
    assert_reported(run_check(project_copy, capsys), expected)


def test_impossible_date_is_reported_without_traceback(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A date-shaped value that is not a real date (month 13) must become a problem line, not a crash."""
    text, at = replace_first(
        project_copy, "checklists", "    last_reviewed: 2026-11-29\n", "    last_reviewed: 2026-13-45\n"
    )
    index = record_index(text, "checklists", at)
    prefix = f"data/checklists.yaml:{line_at(text, at)}: items[{index}].last_reviewed: "
    try:
        run = run_check(project_copy, capsys)
    except ValueError as error:
        pytest.fail(f"check crashed on an impossible date instead of reporting it: {error!r}")
    assert run.status == 1
    assert "Traceback" not in run.out + run.err
    assert any(line.startswith(prefix) for line in run.err_lines), run.err


def test_real_data_passes_the_check_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_check(PROJECT_DIR, capsys)
    assert run.status == 0, run.err
    assert run.err == ""
    assert run.out.startswith("data OK: ")


# --------------------------------------------------------------------------- the real command line


def run_module(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiguide", "--project", str(project), "check"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_line_exits_1_without_traceback_on_bad_data(project_copy: Path) -> None:
    expected = duplicate_id(project_copy)
    result = run_module(project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert expected in result.stderr.splitlines(), result.stderr
    assert "data OK" not in result.stdout


def test_command_line_exits_0_with_data_ok_on_real_data() -> None:
    result = run_module(PROJECT_DIR)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.startswith("data OK: "), result.stdout
    assert result.stderr == ""
