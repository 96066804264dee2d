"""Load and check every data file: the one entry point for the check command and the build."""

from __future__ import annotations

from pathlib import Path

from .loader import LoadedFile, load_file
from .problems import Problem
from .references import reference_problems
from .schemas import schema_dir, schema_problems

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
    "assessment",
    "changelog",
)


def data_path(project_dir: Path, name: str) -> Path:
    return project_dir / DATA_DIR_NAME / f"{name}.yaml"


def load_and_check(project_dir: Path) -> tuple[dict[str, LoadedFile], list[Problem]]:
    """Load every data file and return the files that loaded and all problems found."""
    project_dir = Path(project_dir).resolve()
    files: dict[str, LoadedFile] = {}
    problems: list[Problem] = []
    schemas = schema_dir(project_dir)
    for name in DATA_FILES:
        display = f"{DATA_DIR_NAME}/{name}.yaml"
        loaded, load_problems = load_file(data_path(project_dir, name), display)
        problems.extend(load_problems)
        if loaded is None:
            continue
        problems.extend(schema_problems(loaded, schemas))
        files[name] = loaded
    problems.extend(reference_problems(files))
    return files, sorted(set(problems))
