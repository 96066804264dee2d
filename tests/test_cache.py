"""The cache of parsed and checked data never changes a result, only how fast it comes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiguide.cache import CACHE_DIR_NAME, compute_fingerprint
from aiguide.guide import load_guide


def _problems(project: Path) -> list[str]:
    return [str(problem) for problem in load_guide(project).problems]


def test_cached_and_uncached_checks_agree_and_edits_are_seen(project_copy: Path, monkeypatch) -> None:
    assert _problems(project_copy) == []
    assert any((project_copy / CACHE_DIR_NAME).iterdir())
    assert _problems(project_copy) == []  # warm

    findings = project_copy / "data" / "findings.yaml"
    original = findings.read_text(encoding="utf-8")
    findings.write_text(original.replace("theme: workflow-integration", "theme: workflow", 1), encoding="utf-8")
    warm = _problems(project_copy)
    monkeypatch.setenv("AIGUIDE_NO_CACHE", "1")
    cold = _problems(project_copy)
    monkeypatch.delenv("AIGUIDE_NO_CACHE")
    assert warm == cold and len(warm) == 1 and "'workflow' is not a known theme" in warm[0]

    findings.write_text(original, encoding="utf-8")
    assert _problems(project_copy) == []


def test_corrupted_cache_entries_are_ignored(project_copy: Path) -> None:
    assert _problems(project_copy) == []
    for entry in (project_copy / CACHE_DIR_NAME).iterdir():
        entry.write_bytes(b"\x00garbage")
    assert _problems(project_copy) == []


def test_line_numbers_survive_the_cache(project_copy: Path) -> None:
    assert _problems(project_copy) == []  # fills the cache
    roles = project_copy / "data" / "roles.yaml"
    text = (
        roles.read_text(encoding="utf-8")
        + "\n  - id: extra-role\n    title: Extra\n    summary: S.\n    concerns: [c]\n"
    )
    roles.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  - id: extra-role") + 1
    problems = _problems(project_copy)
    assert any(p.startswith(f"data/roles.yaml:{line}: ") and "not used anywhere" in p for p in problems), problems


def test_a_schema_edit_is_seen_by_the_next_load_in_the_same_process(project_copy: Path) -> None:
    assert _problems(project_copy) == []
    schema = project_copy / "data" / "schemas" / "roles.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"summary",', '"summary", "owner",', 1))
    assert any("roles[0].owner: is missing" in problem for problem in _problems(project_copy))


@pytest.mark.parametrize("library", ["PyYAML", "jsonschema", "Jinja2"])
def test_cache_key_changes_with_the_library_versions(library: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import aiguide.cache

    before = compute_fingerprint()
    real = aiguide.cache.version
    monkeypatch.setattr(aiguide.cache, "version", lambda name: "0.0.0-other" if name == library else real(name))
    assert compute_fingerprint() != before


def test_cache_key_changes_with_any_template_or_module_of_the_package(tmp_path: Path, monkeypatch) -> None:
    import aiguide.cache

    package = tmp_path / "aiguide"
    (package / "templates").mkdir(parents=True)
    (package / "module.py").write_text("x = 1\n")
    (package / "templates" / "page.md.j2").write_text("one\n")
    monkeypatch.setattr(aiguide.cache, "PACKAGE_DIR", package)
    first = compute_fingerprint()
    (package / "templates" / "page.md.j2").write_text("two\n")
    second = compute_fingerprint()
    (package / "new_module.py").write_text("y = 2\n")
    third = compute_fingerprint()
    assert len({first, second, third}) == 3


def test_dates_are_judged_by_the_day_asked_for_when_the_check_comes_from_the_cache(tmp_path: Path) -> None:
    import datetime as dt

    from .conftest import tiny_data_project

    project = tiny_data_project(tmp_path)

    def future_dates(day: dt.date) -> list[str]:
        return [str(problem) for problem in load_guide(project, as_of=day).problems if "in the future" in str(problem)]

    long_ago, far_ahead = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    assert future_dates(far_ahead) == []  # fills the cache
    before = future_dates(long_ago)
    assert before and all("(today is 2000-01-01)" in problem for problem in before)
    assert future_dates(far_ahead) == []
    assert future_dates(long_ago) == before
