"""Editors' commands: check the data, and keep generated page stubs in step with it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import PROJECT_DIR
from .currency import stale_records
from .model import build_model
from .validate import DATA_FILES, load_and_check


def check(project_dir: Path, today: dt.date | None = None) -> int:
    """Print one line per problem; 0 when the data is clean, 1 otherwise. Overdue reviews are warnings."""
    files, problems = load_and_check(project_dir)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{len(problems)} {noun} found; fix the lines above and run the check again.", file=sys.stderr)
        return 1
    for warning in stale_records(files, today or dt.date.today()):
        print(f"warning: {warning}", file=sys.stderr)
    data = build_model(files)
    print(
        f"data OK: {len(DATA_FILES)} files, {len(data.sources)} sources, {len(data.themes)} themes, "
        f"{len(data.findings)} findings, {len(data.faqs)} FAQs, {len(data.items)} checklist items, "
        f"{len(data.terms)} glossary terms, {len(data.instruments)} laws with {len(data.obligations)} obligations"
    )
    return 0


def sync(project_dir: Path, check_only: bool) -> int:
    from .pages import sync_pages

    changes = sync_pages(project_dir, write=not check_only)
    for change in changes:
        print(change)
    if check_only and changes:
        print("generated pages are out of date; run: make sync", file=sys.stderr)
        return 1
    if not changes:
        print("generated pages are up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "new" in argv[:3]:
        # `python -m aiguide [--project DIR] new KIND …` is the new-record command.
        from . import newrecord

        position = argv.index("new")
        return newrecord.main(argv[:position] + argv[position + 1 :])
    parser = argparse.ArgumentParser(prog="python -m aiguide", description=__doc__)
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help="project folder (default: this checkout)")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate every data file")
    check_parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=None, help="date to judge overdue reviews by (YYYY-MM-DD)"
    )
    commands.add_parser("new", help="start a new record from its template (see: python -m aiguide new --help)")
    sync_parser = commands.add_parser("sync", help="write the per-theme page stubs and nav from the data")
    sync_parser.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.project, args.as_of)
    if args.command == "sync":
        _, problems = load_and_check(args.project)
        if problems:
            return check(args.project)
        return sync(args.project, args.check)
    return 2
