"""Repository hygiene: the workflow, the README and CI call the same commands."""

from __future__ import annotations

import re
import subprocess

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
    release = next(step for step in steps if "gh release create" in step.get("run", ""))
    assert "site/downloads/guide.pdf" in release["run"] and "startsWith(github.ref, 'refs/tags/v')" in release["if"]
    # PyYAML reads the key `on` as True: accept either spelling.
    triggers = workflow.get("on", workflow.get(True))
    assert "tags" in triggers["push"]


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


def test_no_build_output_is_tracked() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True).stdout
    offenders = [path for path in tracked.splitlines() if path.startswith(("site/", "build/")) or path.endswith(".pdf")]
    assert offenders == []


def test_pre_commit_yaml_check_accepts_the_repositorys_yaml() -> None:
    """The hook checks syntax only (--unsafe), as mkdocs.yml uses the !ENV tag; every YAML file must parse."""
    config = yaml.safe_load((PROJECT_DIR / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert "--unsafe" in hooks["check-yaml"].get("args", [])
    tracked = subprocess.run(["git", "ls-files", "*.yml", "*.yaml"], cwd=PROJECT_DIR, capture_output=True, text=True)
    for name in tracked.stdout.split():
        list(yaml.parse((PROJECT_DIR / name).read_text(encoding="utf-8"), Loader=yaml.SafeLoader))
