"""Load and check every data file: the one entry point for the check command and the build."""

from __future__ import annotations

import gc
from pathlib import Path

from .cache import Cache, content_key, project_cache
from .loader import LoadedFile, load_file
from .problems import Problem
from .schemas import schema_dir, schema_problems, schemas_digest

DATA_DIR_NAME = "data"
DATA_FILES = (
    "guide",
    "sources",
    "themes",
    "roles",
    "phases",
    "frameworks",
    "glossary",
    "findings",
    "faqs",
    "checklists",
    "regulations",
    "assessment",
    "changelog",
)


def data_path(project_dir: Path, name: str) -> Path:
    return project_dir / DATA_DIR_NAME / f"{name}.yaml"


def load_and_check(project_dir: Path) -> tuple[dict[str, LoadedFile], list[Problem]]:
    """Load every data file and return the files that loaded and all problems found.

    Results are reused from the project's cache when no data file, schema or checking code changed.
    Garbage collection is paused meanwhile: loading builds millions of small objects that all stay alive.
    """
    project_dir = Path(project_dir).resolve()
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_and_check(project_dir, project_cache(project_dir))
    finally:
        if collecting:
            gc.enable()


def data_digest(project_dir: Path, files: dict[str, LoadedFile]) -> str:
    """One content key for every data file and schema of a project (the files as loaded)."""
    keys = (files[name].key.encode("utf-8") for name in DATA_FILES)
    return content_key(schemas_digest(schema_dir(project_dir)), *keys)


def _load_and_check(project_dir: Path, cache: Cache) -> tuple[dict[str, LoadedFile], list[Problem]]:
    files: dict[str, LoadedFile] = {}
    problems: list[Problem] = []
    schemas = schema_dir(project_dir)
    for name in DATA_FILES:
        display = f"{DATA_DIR_NAME}/{name}.yaml"
        loaded, load_problems = load_file(data_path(project_dir, name), display, cache)
        problems.extend(load_problems)
        if loaded is not None:
            files[name] = loaded
    whole = ""
    if len(files) == len(DATA_FILES) and not problems:
        whole = data_digest(project_dir, files)
        if (cached := cache.get("check.marshal", whole)) is not None:
            return files, [Problem(*problem) for problem in cached]
    from .references import reference_problems  # only needed when the whole check is not cached

    for loaded in files.values():
        problems.extend(schema_problems(loaded, schemas, cache))
    problems.extend(reference_problems(files))
    problems = sorted(set(problems))
    if whole:
        cache.put("check.marshal", whole, [problem.as_tuple() for problem in problems])
    return files, problems
