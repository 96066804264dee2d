"""Shared fixtures: the real project, disposable copies of it, and one strict build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiguide.model import GuideData, load_guide

PROJECT_DIR = Path(__file__).resolve().parent.parent
COPIED = ("data", "docs", "aiguide", "mkdocs.yml", "macros.py")
MKDOCS = [sys.executable, "-m", "mkdocs"]
BUILD_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def copy_project(target: Path) -> Path:
    """Copy everything a build needs into ``target`` (no virtual environment, no site)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def run_build(project: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` (never with -q, which hides warnings from --strict)."""
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        env=BUILD_ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def guide() -> GuideData:
    return load_guide(PROJECT_DIR)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A disposable copy of the project to break or extend."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real guide built once, strictly, into a temporary folder."""
    site = tmp_path_factory.mktemp("site")
    result = run_build(PROJECT_DIR, site)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return site
