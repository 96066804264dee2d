"""`make site` in one place: check, sync, build, print the PDF, write downloads, then publish atomically.

Everything is built into a temporary folder beside the target; only when every
step has succeeded does it replace the previous site, so a failure never leaves
a half-built site behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import PROJECT_DIR
from .csp import apply_csp
from .exports import write_downloads
from .model import load_guide
from .pages import sync_pages
from .pdf import PdfError, print_pdf
from .problems import DataError

PDF_NAME = "guide.pdf"
BUILD_DIR = "build"  # scratch space for the PDF between passes (ignored by git)


def pdf_path(project_dir: Path) -> Path:
    """Where the last printed PDF waits while the site is rebuilt around it."""
    return project_dir / BUILD_DIR / PDF_NAME


def source_date_epoch(release_date: str) -> str:
    """Seconds since 1970 at midnight UTC of the release date: fixes the sitemap's dates between builds."""
    day = dt.date.fromisoformat(release_date)
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


def mkdocs_build(project_dir: Path, site_dir: Path, release_date: str) -> None:
    """Run a strict MkDocs build (never with -q, which would hide warnings from --strict), then add the CSP."""
    env = {"SOURCE_DATE_EPOCH": source_date_epoch(release_date), **os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    result = subprocess.run(command, cwd=project_dir, env=env)
    if result.returncode != 0:
        raise BuildError("the site build failed (messages above); the previous site was left as it was")
    apply_csp(site_dir)


class BuildError(Exception):
    """A build step failed; the message says which."""


def publish(staging: Path, site_dir: Path) -> None:
    """Swap the finished staging folder into place, keeping the old site until the swap."""
    old = site_dir.with_name(site_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        site_dir.rename(old)
    staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def build_site(project_dir: Path, site_dir: Path, *, with_pdf: bool = True) -> dict[str, float]:
    """Build the whole site into ``site_dir``; return the seconds each step took.

    A failing step removes the half-built staging folder and leaves ``site_dir`` as it was.
    """
    staging = site_dir.with_name(site_dir.name + ".tmp")
    try:
        return _build_into(project_dir, staging, site_dir, with_pdf=with_pdf)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _build_into(project_dir: Path, staging: Path, site_dir: Path, *, with_pdf: bool) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    meta = load_guide(project_dir).meta
    sync_pages(project_dir, write=True)
    timings["check"] = time.perf_counter() - started
    shutil.rmtree(staging, ignore_errors=True)
    step = time.perf_counter()
    mkdocs_build(project_dir, staging, meta.release_date)
    timings["html"] = time.perf_counter() - step
    if with_pdf:
        step = time.perf_counter()
        print_pdf(staging / "print_page.html", pdf_path(project_dir), title=meta.title, version=meta.version)
        timings["pdf"] = time.perf_counter() - step
        # Second pass: the downloads page can now state the PDF's size.
        shutil.rmtree(staging)
        mkdocs_build(project_dir, staging, meta.release_date)
        shutil.copy2(pdf_path(project_dir), staging / "downloads" / PDF_NAME)
    step = time.perf_counter()
    write_downloads(project_dir, staging / "downloads")
    timings["downloads"] = time.perf_counter() - step
    publish(staging, site_dir)
    timings["total"] = time.perf_counter() - started
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide.build", description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=PROJECT_DIR)
    parser.add_argument("--site-dir", type=Path, default=None, help="default: site/ in the project")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster previews)")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    site_dir = (args.site_dir or project / "site").resolve()
    try:
        timings = build_site(project, site_dir, with_pdf=not args.no_pdf)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except (BuildError, PdfError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    print(f"site built in {site_dir} ({steps})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
