"""The cache of parsed and checked data never changes a result, only how fast it comes."""

from __future__ import annotations

from pathlib import Path

from aiguide.cache import CACHE_DIR_NAME
from aiguide.validate import load_and_check


def _problems(project: Path) -> list[str]:
    return [str(problem) for problem in load_and_check(project)[1]]


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
