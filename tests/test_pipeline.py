"""One way in: the data is read, checked and modelled by one function, once per build, from one schema set."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from aiguide.fields import DATA_FILES
from aiguide.guide import load_guide
from aiguide.modelling import UnknownField, build_model, schema_mismatches

from .conftest import BUILD_ENV, PROJECT_DIR, tiny_site_project

PACKAGE = PROJECT_DIR / "aiguide"
# The only modules that may touch data/ or data/schemas/ on disk, and why.
READERS = {
    "loader.py": "reads one data file's bytes",
    "guide.py": "names the data files (the one way in)",
    "schemas.py": "reads the schema files (one schema set)",
    "siteconfig.py": "reads mkdocs.yml, the engines' configuration (not the data)",
    "newrecord.py": "appends a new record to a data file's text",
}
# Modules that import yaml for something else than guide data.
OTHER_YAML = {"cache.py": "names its version in cache keys"}


def test_model_and_schemas_agree_about_every_field(loaded) -> None:
    assert schema_mismatches(loaded.schemas) == []


def test_a_field_the_schema_adds_but_the_model_lacks_is_found(loaded, project_copy: Path) -> None:
    schema = project_copy / "data" / "schemas" / "roles.schema.json"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('"concerns": {', '"owner": {"type": "string"},\n "concerns": {', 1)
    )
    copy = load_guide(project_copy)
    assert any("'owner'" in mismatch for mismatch in schema_mismatches(copy.schemas))


def test_data_with_a_field_the_model_lacks_is_a_problem_not_a_crash(loaded) -> None:
    raw = {name: loaded.raw[name] for name in DATA_FILES}
    raw["roles"] = {"roles": [{**raw["roles"]["roles"][0], "owner": "x"}, *raw["roles"]["roles"][1:]]}
    with pytest.raises(UnknownField) as caught:
        build_model(raw)
    assert caught.value.file == "roles" and caught.value.path == ("roles", 0, "owner")


def test_only_the_pipeline_reads_the_data_folder() -> None:
    """No module but the few that must names data paths, parses YAML or reads JSON schemas."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in READERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and path.name not in OTHER_YAML:
                names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
                if "yaml" in names:
                    offenders.append(f"{path.name}: imports yaml")
            names_schema = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            if names_schema and ("data/schemas" in node.value or node.value.endswith(".schema.json")):
                offenders.append(f"{path.name}: names {node.value!r}")
    assert offenders == []


@pytest.mark.build
def test_a_build_loads_and_checks_the_data_once(tmp_path: Path) -> None:
    """Counted on a build of the tiny guide with the real pages (one load either way, in a fraction of the time)."""
    project = tiny_site_project(tmp_path / "project")
    script = (
        "import logging, sys\n"
        "from aiguide import build\n"
        "records = []\n"
        "class Count(logging.Handler):\n"
        "    def emit(self, record): records.append(record.getMessage())\n"
        "logger = logging.getLogger('aiguide.guide'); logger.setLevel(logging.DEBUG); logger.addHandler(Count())\n"
        f"argv = ['--project', {str(project)!r}, '--site-dir', {str(tmp_path / 'site')!r}, '--no-pdf']\n"
        "status = build.main(argv)\n"
        "print('LOADS', sum('loaded and checked' in message for message in records), 'STATUS', status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=BUILD_ENV, capture_output=True, text=True, timeout=600
    )
    assert "LOADS 1 STATUS 0" in result.stdout, result.stdout + result.stderr
