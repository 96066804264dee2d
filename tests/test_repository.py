"""Repository hygiene: the workflow, the README and CI call the same commands."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from .conftest import PROJECT_DIR


def _workflow() -> dict:
    return yaml.safe_load((PROJECT_DIR / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))


def test_publish_workflow_parses_and_builds_with_make_site() -> None:
    workflow = _workflow()
    steps = workflow["jobs"]["build"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert "make site" in commands and "make test" in commands
    uploads = [step for step in steps if str(step.get("uses", "")).startswith("actions/upload-pages-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "site"
    release = workflow["jobs"]["release"]
    command = next(step["run"] for step in release["steps"] if "gh release create" in step.get("run", ""))
    assert "downloads/guide.pdf" in command and "startsWith(github.ref, 'refs/tags/v')" in release["if"]
    kept = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert kept["with"]["path"] == "site/downloads/" and kept["if"] == release["if"]
    # PyYAML reads the key `on` as True: accept either spelling.
    triggers = workflow.get("on", workflow.get(True))
    assert "tags" in triggers["push"] and "pull_request" in triggers


def test_publish_workflow_gives_each_job_only_the_permissions_it_needs() -> None:
    workflow = _workflow()
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["release"]["permissions"] == {"contents": "write"}
    # Only pushes to main deploy; pull requests build and test without publishing.
    assert "refs/heads/main" in jobs["deploy"]["if"] and "github.event_name == 'push'" in jobs["deploy"]["if"]


# The newest major version of each action (looked up when the workflow was last updated).
CURRENT_ACTIONS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
}


def test_publish_workflow_uses_current_action_versions() -> None:
    used = [step["uses"] for job in _workflow()["jobs"].values() for step in job["steps"] if "uses" in step]
    assert used
    for reference in used:
        action, _, version = reference.partition("@")
        assert CURRENT_ACTIONS.get(action) == version, f"{reference}: expected {action}@{CURRENT_ACTIONS.get(action)}"


def test_readme_leads_with_the_two_commands_the_workflow_and_ci_use() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL).group(1)
    assert first_block.splitlines()[0].startswith("make site")
    assert first_block.splitlines()[1].startswith("make test")
    assert readme.index("make site") < readme.index("## Editing")
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_every_documented_make_target_exists() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    documented = set(re.findall(r"`make ([a-z-]+)`", readme))
    defined = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    assert documented - defined == set()


BUILD_OUTPUT_FOLDERS = {"site", "build", ".cache", "__pycache__", "node_modules", ".pytest_cache"}


def test_no_build_output_is_tracked() -> None:
    """No built site, PDF, cache or installed package is committed, at the top or below (a fixture guide too)."""
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True).stdout
    offenders = [
        path
        for path in tracked.splitlines()
        if path.endswith(".pdf")
        or BUILD_OUTPUT_FOLDERS.intersection(Path(path).parts[:-1])
        or any(part.endswith(".egg-info") for part in Path(path).parts[:-1])
    ]
    assert offenders == []


def test_pre_commit_yaml_check_accepts_the_repositorys_yaml() -> None:
    """The hook checks syntax only (--unsafe), as mkdocs.yml uses the !ENV tag; every YAML file must parse."""
    config = yaml.safe_load((PROJECT_DIR / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert "--unsafe" in hooks["check-yaml"].get("args", [])
    tracked = subprocess.run(["git", "ls-files", "*.yml", "*.yaml"], cwd=PROJECT_DIR, capture_output=True, text=True)
    for name in tracked.stdout.split():
        list(yaml.parse((PROJECT_DIR / name).read_text(encoding="utf-8"), Loader=yaml.SafeLoader))
