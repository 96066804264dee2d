"""Every built page is valid HTML, checked by the Nu HTML Checker (vnu.jar, the W3C's validator).

vnu.jar comes from npm (package.json pins vnu-jar; `npm ci` installs it) and runs on the machine's Java
(11 or newer). It checks all pages in one run. Errors are allowed only when tests/vnu-known-issues.txt
lists them with the reason they cannot be fixed here (markup written by Material for MkDocs or by a
plugin); an entry that no longer matches any error fails too, so the list cannot go stale.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from .conftest import PROJECT_DIR, tool

VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
KNOWN_ISSUES = Path(__file__).with_name("vnu-known-issues.txt")
KEYS = ("message", "extract", "pages", "reason")


@dataclass
class KnownIssue:
    line: int
    message: re.Pattern[str]
    reason: str
    extract: re.Pattern[str] | None = None
    pages: tuple[str, ...] = ("*",)
    seen: list[str] = field(default_factory=list)

    def matches(self, error: dict) -> bool:
        return (
            bool(self.message.search(error["message"]))
            and (self.extract is None or bool(self.extract.search(error.get("extract", ""))))
            and any(fnmatch.fnmatchcase(error["page"], glob) for glob in self.pages)
        )


def read_known_issues(path: Path = KNOWN_ISSUES) -> list[KnownIssue]:
    """Parse the list; every entry needs a message pattern and a reason."""
    entries: list[dict] = []
    current: dict | None = None
    last_key = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("#"):
            continue
        if not raw.strip():
            current = None
            continue
        if raw.startswith("  ") and current is not None and last_key:
            current[last_key] += " " + raw.strip()
            continue
        key, _, value = raw.partition(" ")
        assert key in KEYS, f"{path.name}:{number}: unknown key {key!r} (expected one of {', '.join(KEYS)})"
        if current is None:
            current = {"line": number}
            entries.append(current)
        assert key not in current, f"{path.name}:{number}: {key} given twice in one entry"
        current[key] = value.strip()
        last_key = key
    issues = []
    for entry in entries:
        where = f"{path.name}:{entry['line']}"
        assert entry.get("message"), f"{where}: an entry needs a message pattern"
        assert len(entry.get("reason", "")) > 20, f"{where}: an entry needs the reason it cannot be fixed"
        issues.append(
            KnownIssue(
                line=entry["line"],
                message=re.compile(entry["message"]),
                reason=entry["reason"],
                extract=re.compile(entry["extract"]) if entry.get("extract") else None,
                pages=tuple(entry["pages"].split()) if entry.get("pages") else ("*",),
            )
        )
    return issues


def java_command() -> str:
    return tool("java")


@pytest.fixture(scope="module")
def vnu_errors(built_site: Path) -> list[dict]:
    """Every error of one vnu run over all built pages, each with its page relative to the site."""
    assert VNU_JAR.is_file(), f"{VNU_JAR.relative_to(PROJECT_DIR)} is missing: run `npm ci` (or `make test`)"
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 40
    result = subprocess.run(
        [java_command(), "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), f"vnu.jar failed to run ({result.returncode}):\n{result.stderr}"
    report = json.loads(result.stdout)
    errors = []
    for message in report["messages"]:
        path = Path(unquote(urlparse(message.get("url", "")).path))
        page = path.relative_to(built_site).as_posix() if path.is_relative_to(built_site) else str(path)
        # Anything that is not a plain "info" (errors, fatal errors, pages that could not be read) counts.
        if message["type"] != "info":
            errors.append({**message, "page": page})
    return errors


def known_issues_matched(errors: list[dict]) -> tuple[list[KnownIssue], list[dict]]:
    """The known issues with the errors each explains, and the errors that none explains."""
    issues = read_known_issues()
    unexplained = []
    for error in errors:
        issue = next((issue for issue in issues if issue.matches(error)), None)
        if issue is None:
            unexplained.append(error)
        else:
            issue.seen.append(error["page"])
    return issues, unexplained


def where(error: dict) -> str:
    extract = re.sub(r"\s+", " ", error.get("extract", "")).strip()
    line, column = error.get("lastLine", "?"), error.get("lastColumn", "?")
    return f"{error['page']}:{line}:{column}: {error['message']}  [{extract}]"


def test_known_issues_list_is_well_formed() -> None:
    for issue in read_known_issues():
        assert issue.reason.endswith("."), f"{KNOWN_ISSUES.name}:{issue.line}: the reason should be full sentences"


def test_every_page_is_valid_html_apart_from_listed_known_issues(vnu_errors: list[dict]) -> None:
    _, unexplained = known_issues_matched(vnu_errors)
    assert not unexplained, (
        f"{len(unexplained)} HTML error(s) from the Nu HTML Checker; fix them, or, only if the markup comes from "
        f"Material or a plugin, list them with the reason in {KNOWN_ISSUES.name}:\n"
        + "\n".join(where(error) for error in unexplained[:60])
    )


def test_every_listed_known_issue_still_occurs(vnu_errors: list[dict]) -> None:
    issues, _ = known_issues_matched(vnu_errors)
    stale = [f"{KNOWN_ISSUES.name}:{issue.line}: {issue.message.pattern}" for issue in issues if not issue.seen]
    assert not stale, "these known issues no longer occur; delete them from the list:\n" + "\n".join(stale)
