"""Sets up anywhere: programs found beyond Debian, no POSIX-only import at load time, a dev container, a package
that `pip install -e .` installs, and licences that say what covers what."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aiguide import tools

from .conftest import PROJECT_DIR

UBUNTU_PLACEHOLDER = """#! /bin/sh
# Placeholder of the chromium-browser deb: the browser itself comes as a snap.
if ! [ -x /snap/bin/chromium ]; then
    echo "Command '$0' requires the chromium snap to be installed." >&2
    echo "Please install it with: snap install chromium" >&2
    exit 1
fi
exec /snap/bin/chromium "$@"
"""
INSTALL_WORDS = ("apt-get install", "dnf install", "brew install", "WSL")


def executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def requirement_names(path: Path) -> list[str]:
    """Package names of a requirements file (without -r lines and comments), normalised as PyPI does."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(normalise(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]))
    return names


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- Programs found by aiguide.tools --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(tools.TOOLS))
def test_environment_variable_wins_over_path(tmp_path: Path, name: str) -> None:
    chosen = executable(tmp_path / "chosen" / name)
    on_path = executable(tmp_path / "bin" / tools.TOOLS[name].commands[0])
    environ = {"PATH": str(on_path.parent), tools.TOOLS[name].variable: str(chosen)}
    assert tools.find(name, environ) == chosen
    assert tools.find(name, {"PATH": str(on_path.parent)}) == on_path


def test_variable_pointing_at_nothing_says_so(tmp_path: Path) -> None:
    with pytest.raises(tools.ToolMissing, match=r"AIGUIDE_PDFTOTEXT=.*missing.* is not an executable file"):
        tools.find("pdftotext", {"PATH": "", "AIGUIDE_PDFTOTEXT": str(tmp_path / "missing")})


@pytest.mark.parametrize("command", ["chromium-browser", "google-chrome"])
def test_other_distributions_names_are_found(tmp_path: Path, command: str) -> None:
    found = executable(tmp_path / command)
    assert tools.find("chromium", {"PATH": str(tmp_path)}) == found


def test_ubuntu_snap_placeholder_is_recognised_and_explained(tmp_path: Path) -> None:
    placeholder = executable(tmp_path / "bin" / "chromium-browser", UBUNTU_PLACEHOLDER)
    assert tools.is_snap_placeholder(placeholder)
    if tools.SNAP_CHROMIUM.is_file():
        pytest.skip("this machine has the chromium snap, which the placeholder would run")
    with pytest.raises(tools.ToolMissing) as missing:
        tools.find("chromium", {"PATH": str(placeholder.parent)})
    assert f"{placeholder} is only Ubuntu's placeholder" in str(missing.value)
    chrome = executable(tmp_path / "bin" / "google-chrome")
    assert tools.find("chromium", {"PATH": str(placeholder.parent)}) == chrome


def test_command_line_prints_one_install_line_when_nothing_is_found(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("AIGUIDE_") and key != "JAVA_HOME"}
    result = subprocess.run(
        [sys.executable, "-m", "aiguide.tools", "chromium", "pdftotext", "java"],
        cwd=PROJECT_DIR,
        env={**environ, "PATH": str(empty)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines  # one line per missing program
    for line, variable in zip(lines, ("AIGUIDE_CHROMIUM", "AIGUIDE_PDFTOTEXT", "AIGUIDE_JAVA"), strict=True):
        assert line.startswith("error: ") and variable in line
        assert all(word in line for word in INSTALL_WORDS), line


def test_this_machine_has_every_program() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "aiguide.tools", *tools.TOOLS], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert all(Path(line).is_file() for line in found.stdout.splitlines())


def test_makefile_and_tests_name_no_fixed_program_path() -> None:
    for path in [PROJECT_DIR / "Makefile", PROJECT_DIR / "aiguide" / "pdf.py", *(PROJECT_DIR / "tests").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"/usr/bin/(chromium|pdftotext|java)\b", text), path.name


# --- Loads without POSIX-only modules (Windows) ----------------------------------------------------------

BLOCK_POSIX = "import sys\nfor name in ('fcntl', 'termios', 'resource'):\n    sys.modules[name] = None\n"


def test_package_imports_and_checks_without_fcntl() -> None:
    script = BLOCK_POSIX + (
        "import pkgutil, importlib, runpy\n"
        "import aiguide\n"
        "for module in pkgutil.iter_modules(aiguide.__path__):\n"
        "    if module.name != '__main__':\n"
        "        importlib.import_module('aiguide.' + module.name)\n"
        "sys.argv = ['aiguide', 'check']\n"
        "runpy.run_module('aiguide', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "data OK" in result.stdout


def test_blocking_really_blocks_fcntl() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_POSIX + "import fcntl"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


# --- Dev container ------------------------------------------------------------------------------------------


def test_dev_container_installs_what_make_test_needs() -> None:
    folder = PROJECT_DIR / ".devcontainer"
    config = json.loads((folder / "devcontainer.json").read_text(encoding="utf-8"))
    dockerfile = (folder / config["build"]["dockerfile"]).read_text(encoding="utf-8")
    assert re.search(r"^FROM debian:(bookworm|trixie)\b", dockerfile, re.MULTILINE)  # Python 3.11 or newer
    packages = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", dockerfile.split("apt-get install", 1)[1].split("&&")[0]))
    assert {
        "chromium",
        "poppler-utils",
        "default-jre-headless",
        "python3",
        "python3-venv",
        "nodejs",
        "npm",
        "make",
    } <= (packages)
    assert config["postCreateCommand"] == "make setup"
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    setup = re.search(r"^setup: (.*?)(?:  ##.*)?$", makefile, re.MULTILINE).group(1).split()
    assert re.search(r"^test: setup\b", makefile, re.MULTILINE)
    assert {"engines", "tool-chromium", "tool-pdftotext", "tool-java", "node_modules/.package-lock.json"} <= set(setup)


# --- Package metadata ---------------------------------------------------------------------------------------


def test_pyproject_declares_the_package_its_dependencies_and_command() -> None:
    pyproject = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert project["name"] == "aiguide" and pyproject["tool"]["setuptools"]["packages"] == ["aiguide"]
    declared = [normalise(re.split(r"[=<>!~\[; ]", item, maxsplit=1)[0]) for item in project["dependencies"]]
    assert sorted(declared) == sorted(requirement_names(PROJECT_DIR / "requirements.txt"))
    dev = [normalise(re.split(r"[=<>!~\[; ]", item, maxsplit=1)[0]) for item in project["optional-dependencies"]["dev"]]
    assert sorted(dev) == sorted(requirement_names(PROJECT_DIR / "requirements-dev.txt"))
    module, _, function = project["scripts"]["aiguide"].partition(":")
    assert module == "aiguide.cli" and function == "main"


def test_pinned_versions_fall_inside_the_declared_ranges() -> None:
    from packaging.requirements import Requirement

    pins = {}
    for line in (PROJECT_DIR / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[normalise(name)] = version.strip()
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for item in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        requirement = Requirement(item)
        assert requirement.specifier.contains(pins[normalise(requirement.name)]), item


def test_every_engine_requirement_is_pinned() -> None:
    pins = {normalise(line.partition("==")[0]) for line in (PROJECT_DIR / "constraints.txt").read_text().splitlines()}
    for name in ("requirements-properdocs.txt", "requirements-zensical.txt"):
        assert set(requirement_names(PROJECT_DIR / name)) <= pins, name


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [(["check"], "data OK"), (["sync", "--check"], "up to date"), (["build", "--help"], "--engine")],
)
def test_aiguide_command_runs_the_existing_entry_points(arguments: list[str], expected: str) -> None:
    script = f"import sys\nfrom aiguide.cli import main\nsys.exit(main({arguments!r}))"  # what `aiguide …` runs
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout + result.stderr


# --- Licences -----------------------------------------------------------------------------------------------


def test_licences_say_what_covers_what() -> None:
    licence = (PROJECT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "CC BY 4.0" in licence
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Licence") :]
    assert "MIT" in section and "CC BY 4.0" in section
    for code in ("aiguide/", "macros.py", "tests/", "bench/", "overrides/"):
        assert code in section, code
    for content in ("data/", "docs/"):
        assert content in section, content
