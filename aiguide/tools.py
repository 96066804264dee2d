"""Find the programs the build and the tests run: Chromium, poppler's pdftotext and Java.

Each is looked up, in this order, through its environment variable (``AIGUIDE_CHROMIUM``,
``AIGUIDE_PDFTOTEXT``, ``AIGUIDE_JAVA``), then by the names Linux distributions give it on ``PATH``,
then at the places macOS installs it. When it is missing, :class:`ToolMissing` says in one line what
to install on Debian/Ubuntu, Fedora, macOS (Homebrew) and Windows (WSL). Ubuntu's ``chromium-browser``
package is only a placeholder script that asks for the snap; it is recognised and explained.

Standard library only, so ``python3 -m aiguide.tools chromium`` also works before the project's
virtual environment exists (the Makefile uses it).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Tool:
    """One external program: how to find it and how to install it."""

    label: str
    variable: str
    commands: tuple[str, ...]
    places: tuple[str, ...]
    install: str


TOOLS = {
    "chromium": Tool(
        label="Chromium (or Google Chrome)",
        variable="AIGUIDE_CHROMIUM",
        commands=("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"),
        places=(
            "/Applications/Chromium.app/Contents/MacOS/Chromium",
            "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        ),
        install=(
            "Debian: `sudo apt-get install chromium`; Ubuntu: `sudo snap install chromium`; "
            "Fedora: `sudo dnf install chromium`; macOS: `brew install --cask chromium`; "
            "Windows: inside WSL, as on Ubuntu"
        ),
    ),
    "pdftotext": Tool(
        label="pdftotext (poppler)",
        variable="AIGUIDE_PDFTOTEXT",
        commands=("pdftotext",),
        places=("/opt/homebrew/bin/pdftotext", "/usr/local/bin/pdftotext"),
        install=(
            "Debian/Ubuntu: `sudo apt-get install poppler-utils`; Fedora: `sudo dnf install poppler-utils`; "
            "macOS: `brew install poppler`; Windows: inside WSL, as on Ubuntu"
        ),
    ),
    "java": Tool(
        label="a Java runtime (11 or newer)",
        variable="AIGUIDE_JAVA",
        commands=("java",),
        places=("/opt/homebrew/opt/openjdk/bin/java", "/usr/local/opt/openjdk/bin/java"),
        install=(
            "Debian/Ubuntu: `sudo apt-get install default-jre-headless`; "
            "Fedora: `sudo dnf install java-21-openjdk-headless`; macOS: `brew install openjdk`; "
            "Windows: inside WSL, as on Ubuntu"
        ),
    ),
}
# Ubuntu's chromium-browser deb installs a shell script that runs the chromium snap, or, without the snap, only
# tells the user to install it. With the snap there, the snap's own command is used.
_SNAP_PLACEHOLDER_SIGNS = (b"snap install", b"requires the chromium snap", b"/snap/bin/chromium")
SNAP_CHROMIUM = Path("/snap/bin/chromium")


class ToolMissing(Exception):
    """A program is not installed (or a variable points at nothing); the message says what to do, in one line."""


def is_snap_placeholder(path: Path) -> bool:
    """True for Ubuntu's ``chromium-browser`` placeholder: a short script that asks to install the snap."""
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and any(sign in head for sign in _SNAP_PLACEHOLDER_SIGNS)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def candidates(tool: Tool, environ: Mapping[str, str]) -> list[Path]:
    """Where ``tool`` may be, in the order it is looked for (the environment variable is handled apart)."""
    found = [shutil.which(command, path=environ.get("PATH")) for command in tool.commands]
    paths = [Path(path) for path in found if path]
    if tool.variable == "AIGUIDE_JAVA" and environ.get("JAVA_HOME"):
        paths.insert(0, Path(environ["JAVA_HOME"]) / "bin" / "java")
    return paths + [Path(place) for place in tool.places]


def find(name: str, environ: Mapping[str, str] | None = None) -> Path:
    """The path of the program ``name`` (a key of :data:`TOOLS`); :class:`ToolMissing` when there is none."""
    environ = os.environ if environ is None else environ
    tool = TOOLS[name]
    chosen = environ.get(tool.variable, "").strip()
    if chosen:
        path = Path(chosen).expanduser()
        if not _executable(path):
            raise ToolMissing(f"{tool.variable}={chosen} is not an executable file: {tool.install}.")
        return path
    placeholders = []
    for path in candidates(tool, environ):
        if not _executable(path):
            continue
        if is_snap_placeholder(path):
            if _executable(SNAP_CHROMIUM):
                return SNAP_CHROMIUM
            placeholders.append(path)
            continue
        return path
    raise ToolMissing(missing_message(tool, placeholders))


def missing_message(tool: Tool, placeholders: list[Path] | None = None) -> str:
    """One line: what is missing, what to install on each system, and the variable that points elsewhere."""
    snap = ""
    if placeholders:
        snap = (
            f" ({placeholders[0]} is only Ubuntu's placeholder that asks for the chromium snap: "
            "install the snap or another Chromium)"
        )
    return f"{tool.label} was not found{snap}. Install it ({tool.install}), or set {tool.variable} to its path."


def main(argv: list[str] | None = None) -> int:
    """``python -m aiguide.tools NAME…``: print each program's path; for a missing one, what to install (exit 1)."""
    names = sys.argv[1:] if argv is None else argv
    unknown = [name for name in names if name not in TOOLS]
    if not names or unknown:
        print(f"usage: python -m aiguide.tools {{{','.join(TOOLS)}}}…", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        try:
            print(find(name))
        except ToolMissing as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
