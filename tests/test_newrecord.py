"""New records: the next free id, templates that validate once filled in, appends that change nothing else."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiguide.newrecord import (
    KINDS,
    append_record,
    load_raw,
    main,
    new_record_text,
    next_id,
    next_order,
    prefix_for_theme,
    read_retired_ids,
    slugify,
)
from aiguide.validate import data_path, load_and_check

# What each kind needs to get an id, and what the command fills in from it.
ID_OPTIONS: dict[str, dict[str, str]] = {
    "finding": {"theme": "workflow-integration"},
    "faq": {},
    "checklist-item": {},
    "source": {"key": "TESTSOURCE2026", "title": "A test source"},
    "theme": {"title": "Test theme"},
    "role": {"title": "Test role"},
    "phase": {"title": "Test phase"},
    "term": {"title": "Test term"},
}
# New vocabulary entries are unused until something refers to them; the check then wants a reason.
UNUSED_UNTIL_USED = {"source", "theme", "role", "phase"}


def _highest(ids: list[str]) -> int:
    return max(int(fid.rsplit("-", 1)[1]) for fid in ids)


def _new_fields(kind: str, raw: dict[str, Any], project: Path) -> dict[str, Any]:
    """The fields the command itself fills in for ``kind``."""
    spec = KINDS[kind]
    options = ID_OPTIONS[kind]
    fields: dict[str, Any] = {spec.id_field: next_id(kind, raw, retired=read_retired_ids(project), **options)}
    if "title" in options:
        fields[spec.title_field] = options["title"]
    if "theme" in options:
        fields["theme"] = options["theme"]
    if kind == "phase":
        fields["order"] = next_order(raw)
    return fields


def _has_todo(value: Any) -> bool:
    return "TODO" in json.dumps(value, default=str)


def _typical(raw: dict[str, Any], kind: str, field: str) -> Any:
    """The value of ``field`` most records of ``kind`` share (the first record's when all differ)."""
    spec = KINDS[kind]
    values = [record[field] for record in raw[spec.file][spec.list_key] if field in record]
    if not values:
        return f"Filled in by the test for {field}."
    counts = Counter(json.dumps(value, sort_keys=True) for value in values)
    return next(value for value in values if json.dumps(value, sort_keys=True) == counts.most_common(1)[0][0])


def _filled(kind: str, project: Path) -> tuple[str, dict[str, Any]]:
    """The new record with every TODO stub replaced by a value taken from the existing data, and its fields."""
    raw, _ = load_raw(project)
    fields = _new_fields(kind, raw, project)
    stub = yaml.safe_load(textwrap.dedent(new_record_text(kind, project_dir=project, **fields)))[0]
    fields.update({name: _typical(raw, kind, name) for name, value in stub.items() if _has_todo(value)})
    if kind in UNUSED_UNTIL_USED:
        fields["unused_reason"] = "Added by the test; nothing uses it yet."
    return new_record_text(kind, project_dir=project, **fields), fields


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_once_filled_in_passes_the_data_check(project_copy: Path, kind: str) -> None:
    text, fields = _filled(kind, project_copy)
    assert "TODO" not in "".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    record = yaml.safe_load(textwrap.dedent(text))[0]
    assert {name: record[name] for name in fields} == fields  # long texts and nested lists read back unchanged
    append_record(project_copy, kind, text)
    _, problems = load_and_check(project_copy)
    assert [str(problem) for problem in problems] == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_stub_is_valid_yaml_but_fails_the_check_until_filled_in(project_copy: Path, kind: str) -> None:
    raw, _ = load_raw(project_copy)
    text = new_record_text(kind, project_dir=project_copy, **_new_fields(kind, raw, project_copy))
    record = yaml.safe_load(textwrap.dedent(text))[0]
    assert record[KINDS[kind].id_field] == _new_fields(kind, raw, project_copy)[KINDS[kind].id_field]
    if "last_reviewed" in record:
        assert record["last_reviewed"] == dt.date.today()
    placement = append_record(project_copy, kind, text)
    _, problems = load_and_check(project_copy)
    assert problems
    assert all(problem.file == placement.path for problem in problems)
    assert min(problem.line for problem in problems) >= placement.line


def test_appending_keeps_every_other_byte(project_copy: Path) -> None:
    path = data_path(project_copy, "faqs")
    original = path.read_bytes()
    raw, _ = load_raw(project_copy)
    text = new_record_text("faq", project_dir=project_copy, id=next_id("faq", raw))
    placement = append_record(project_copy, "faq", text)
    assert path.read_bytes() == original + b"\n" + text.encode("utf-8")
    assert path.read_text("utf-8").splitlines()[placement.line - 1] == text.splitlines()[0]


def test_record_goes_before_a_following_top_level_key(project_copy: Path) -> None:
    path = data_path(project_copy, "roles")
    path.write_text("roles:\n    - id: one\n      title: One\n\n# trailing section\nextra: 1\n", encoding="utf-8")
    text = new_record_text("role", project_dir=project_copy, id="two", title="Two")
    assert text.startswith("    - id: two\n")  # indented like the file's items
    placement = append_record(project_copy, "role", text)
    assert path.read_text("utf-8") == (
        "roles:\n    - id: one\n      title: One\n\n" + text + "\n# trailing section\nextra: 1\n"
    )
    assert placement.line == 5


def test_next_finding_id_follows_the_highest_number_of_any_finding(project_copy: Path) -> None:
    raw, _ = load_raw(project_copy)
    highest = _highest([finding["id"] for finding in raw["findings"]["findings"]])
    assert next_id("finding", raw, theme="workflow-integration") == f"FW-{highest + 1:02d}"
    assert next_id("finding", raw, prefix="zz") == f"ZZ-{highest + 1:02d}"


def test_retired_ids_are_never_reused(project_copy: Path) -> None:
    raw, _ = load_raw(project_copy)
    highest = _highest([finding["id"] for finding in raw["findings"]["findings"]])
    faqs = _highest([faq["id"] for faq in raw["faqs"]["faqs"]])
    (project_copy / "data" / "retired-ids.txt").write_text(
        f"# ids that were removed\nEV-{highest + 1:02d}  # merged into another finding\nFAQ-{faqs + 1:02d}\n",
        encoding="utf-8",
    )
    retired = read_retired_ids(project_copy)
    assert next_id("finding", raw, retired=retired, theme="workflow-integration") == f"FW-{highest + 2:02d}"
    assert next_id("faq", raw, retired=retired) == f"FAQ-{faqs + 2:02d}"
    assert main(["finding", "--theme", "workflow-integration", "--project", str(project_copy)]) == 0
    assert f"id: FW-{highest + 2:02d}\n" in data_path(project_copy, "findings").read_text("utf-8")


def test_numbered_and_named_ids(project_copy: Path) -> None:
    raw, _ = load_raw(project_copy)
    items = _highest([item["id"] for item in raw["checklists"]["items"]])
    assert next_id("checklist-item", raw) == f"CL-{items + 1:02d}"
    assert next_id("theme", raw, title="Data provenance & lineage") == "data-provenance-lineage"
    assert slugify("Human–AI interaction") == "human-ai-interaction"
    assert next_id("source", raw, key="NEWKEY2026") == "NEWKEY2026"
    with pytest.raises(ValueError, match=r"already used in themes\.yaml"):
        next_id("theme", raw, title="Workflow integration")
    with pytest.raises(ValueError, match=r"already used in sources\.yaml"):
        next_id("source", raw, key=raw["sources"]["sources"][0]["key"])
    with pytest.raises(ValueError, match="needs --title"):
        next_id("role", raw)
    with pytest.raises(ValueError, match="did you mean 'workflow-integration'"):
        next_id("finding", raw, theme="workflow")


def test_prefix_comes_from_the_themes_findings_or_its_initials(project_copy: Path) -> None:
    raw, _ = load_raw(project_copy)
    findings = raw["findings"]["findings"]
    for theme in {finding["theme"] for finding in findings}:
        prefix = prefix_for_theme(theme, raw)
        assert any(f["theme"] == theme and f["id"].startswith(f"{prefix}-") for f in findings)
    used = {finding["id"].split("-")[0] for finding in findings}
    new = prefix_for_theme("radiation-dose-and-safety", raw)
    assert re.fullmatch(r"[A-Z]{2}", new) and new not in used and new != "CL"


def test_command_adds_the_record_and_says_where(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["theme", "--title", "Test theme", "--set", "origin=proposed", "--project", str(project_copy)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("test-theme: added to data/themes.yaml:")
    text = data_path(project_copy, "themes").read_text("utf-8")
    assert "  - id: test-theme\n" in text and "    origin: proposed\n" in text
    assert main(["role", "--project", str(project_copy)]) == 2
    assert "needs --title" in capsys.readouterr().err
