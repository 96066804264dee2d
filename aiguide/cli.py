"""Editors' commands: check the data, keep generated page stubs in step with it, add records, build, preview.

``python -m aiguide …`` and the ``aiguide`` command that ``pip install -e .`` installs run the same ``main``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import PROJECT_DIR
from .guide import Guide, load_guide
from .problems import DataError


def _report(problems: list) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    noun = "problem" if len(problems) == 1 else "problems"
    print(f"{len(problems)} {noun} found; fix the lines above and run the check again.", file=sys.stderr)
    return 1


def summary(guide: Guide) -> str:
    """'data OK: 12 files; 50 sources, 19 themes, …' from the loaded files and their collections."""
    counts = []
    for name, collection in guide.fields.collections.items():
        if name not in ("frameworks", "changelog"):
            count = sum(1 for _ in collection.ids(guide.raw[name]))
            counts.append(f"{count} {collection.noun if count == 1 else collection.nouns}")
    return f"data OK: {len(guide.files)} files; " + ", ".join(counts)


def check(project_dir: Path, as_of: dt.date | None = None) -> int:
    """Print one line per problem; 0 when the data is clean, 1 otherwise. Overdue reviews are warnings."""
    guide = load_guide(project_dir, as_of=as_of)
    try:
        guide.model  # noqa: B018 - modelling is part of the check: what passes it builds
    except DataError as error:
        return _report(error.problems)
    for warning in guide.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    print(summary(guide))
    return 0


def sync(project_dir: Path, check_only: bool) -> int:
    from .pages import sync_pages

    guide = load_guide(project_dir)
    try:
        guide.model  # noqa: B018
    except DataError as error:
        return _report(error.problems)
    changes = sync_pages(guide, write=not check_only)
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
    for command, module in (("new", "newrecord"), ("build", "build"), ("serve", "serve")):
        if command in argv[:3]:
            # `python -m aiguide [--project DIR] new KIND …` and the like hand over to their module.
            from importlib import import_module

            position = argv.index(command)
            return import_module(f"aiguide.{module}").main(argv[:position] + argv[position + 1 :])
    parser = argparse.ArgumentParser(prog="python -m aiguide", description=__doc__)
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help="project folder (default: this checkout)")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate every data file")
    check_parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="the day to judge dates by (YYYY-MM-DD; default today)",
    )
    commands.add_parser("new", help="start a new record from its template (see: python -m aiguide new --help)")
    commands.add_parser("build", help="build the site (see: python -m aiguide build --help)")
    commands.add_parser("serve", help="live preview (see: python -m aiguide serve --help)")
    sync_parser = commands.add_parser("sync", help="write the page stubs and nav of themes, phases and roles")
    sync_parser.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.project, args.as_of)
    if args.command == "sync":
        return sync(args.project, args.check)
    return 2
