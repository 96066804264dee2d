"""Stored fragments make rebuilds cheaper but never change what a page says."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiguide.cache import CACHE_DIR_NAME
from aiguide.fragment_cache import FOLDER, FragmentStore

from .conftest import run_build


class Counting:
    """A fragment function that records how often it really renders."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args: str) -> str:
        self.calls.append(args)
        return f"rendered {' '.join(args)}"


def _store(project: Path, digest: str, page: str = "themes/index.md") -> tuple[FragmentStore, Counting, object]:
    store = FragmentStore.for_project(project, digest)
    function = Counting()
    return store, function, store.remembered("theme_page", function, lambda: page)


def test_a_fragment_renders_once_per_page_and_arguments(tmp_path: Path) -> None:
    store, function, fragment = _store(tmp_path, "a" * 64)
    assert fragment("x") == fragment("x") == "rendered x"
    assert fragment("y") == "rendered y"
    assert function.calls == [("x",), ("y",)]
    assert (store.hits, store.misses) == (1, 2)

    # A new build with the same data reads the stored text; another page renders afresh (links differ).
    _, again, fragment = _store(tmp_path, "a" * 64)
    assert fragment("x") == "rendered x" and again.calls == []
    _, other_page, fragment = _store(tmp_path, "a" * 64, page="roles/index.md")
    assert fragment("x") == "rendered x" and other_page.calls == [("x",)]


def test_new_data_renders_afresh_and_drops_fragments_of_older_data(tmp_path: Path) -> None:
    _, _, fragment = _store(tmp_path, "a" * 64)
    fragment("x")
    folders = tmp_path / CACHE_DIR_NAME / FOLDER
    assert [p.name for p in folders.iterdir()] == ["a" * 32]
    _, function, fragment = _store(tmp_path, "b" * 64)
    assert fragment("x") == "rendered x" and function.calls == [("x",)]
    assert [p.name for p in folders.iterdir()] == ["b" * 32]


def test_no_cache_setting_turns_the_store_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIGUIDE_NO_CACHE", "1")
    for _ in range(2):
        _, function, fragment = _store(tmp_path, "a" * 64)
        fragment("x")
        assert function.calls == [("x",)]
    assert not (tmp_path / CACHE_DIR_NAME).exists()


def _pages(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def test_warm_rebuilds_match_fresh_ones_and_see_every_data_and_template_edit(project_copy: Path) -> None:
    first = run_build(project_copy, project_copy / "site1")
    assert first.returncode == 0, first.stderr
    stored = list((project_copy / CACHE_DIR_NAME / FOLDER).rglob("*.md.marshal"))
    assert len(stored) > 40, "the build should store its fragments"

    second = run_build(project_copy, project_copy / "site2")
    assert second.returncode == 0, second.stderr
    assert _pages(project_copy / "site1") == _pages(project_copy / "site2")

    themes = project_copy / "data" / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace(
            "key_question: How will the tool fit", "key_question: Edited question. How will the tool fit", 1
        ),
        encoding="utf-8",
    )
    template = project_copy / "aiguide" / "templates" / "glossary.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nTemplate edit marker.\n", encoding="utf-8")
    third = run_build(project_copy, project_copy / "site3")
    assert third.returncode == 0, third.stderr
    site = project_copy / "site3"
    assert "Edited question." in (site / "themes" / "workflow-integration" / "index.html").read_text(encoding="utf-8")
    assert "Edited question." in (site / "themes" / "index.html").read_text(encoding="utf-8")
    assert "Template edit marker." in (site / "glossary" / "index.html").read_text(encoding="utf-8")
