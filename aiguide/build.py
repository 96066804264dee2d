"""`make site` in one place: check, sync, build, print the PDF, write downloads, then publish atomically.

Everything is built into a temporary folder beside the target; only when every
step has succeeded does it replace the previous site, so a failure never leaves
a half-built site behind. The PDF is printed from ``print_page.html``, which
:mod:`aiguide.printbook` assembles from the built pages (no MkDocs plugin), so
any engine that builds the site gives the same PDF.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import PROJECT_DIR
from .cache import project_cache
from .csp import apply_csp
from .exports import load_validated, write_downloads
from .fragments import human_size
from .pages import sync_pages
from .pdf import CHROMIUM, PdfError, Printer
from .printbook import PrintPageError, write_print_page
from .problems import DataError

PDF_NAME = "guide.pdf"
BUILD_DIR = "build"  # where the last printed PDF is kept (ignored by git)
# The downloads page marks the PDF's size cell so the size can be stated once the PDF is printed.
_PDF_SIZE_CELL = re.compile(r"(<td\b[^>]*\bdata-pdf-size\b[^>]*>)[^<]*(</td>)")


def pdf_path(project_dir: Path) -> Path:
    """Where the last printed PDF is kept (copied into the site by `make site`)."""
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


def state_pdf_size(downloads_page: Path, size: int) -> None:
    """Write the printed PDF's size into the downloads page, which was built before the PDF existed."""
    html = downloads_page.read_text(encoding="utf-8")
    filled, count = _PDF_SIZE_CELL.subn(lambda m: f"{m.group(1)}{human_size(size)}{m.group(2)}", html)
    if count != 1:
        raise BuildError(f"{downloads_page}: expected one table cell marked data-pdf-size, found {count}")
    downloads_page.write_text(filled, encoding="utf-8")


def build_site(
    project_dir: Path, site_dir: Path, *, with_pdf: bool = True, print_page: bool = False
) -> dict[str, float]:
    """Build the whole site into ``site_dir``; return the seconds each step took.

    The print page is written when the PDF is printed (or when ``print_page`` asks for it without the PDF).
    A failing step removes the half-built staging folder and leaves ``site_dir`` as it was.
    """
    staging = site_dir.with_name(site_dir.name + ".tmp")
    try:
        return _build_into(project_dir, staging, site_dir, with_pdf=with_pdf, print_page=print_page or with_pdf)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _build_into(
    project_dir: Path, staging: Path, site_dir: Path, *, with_pdf: bool, print_page: bool
) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data, raw = load_validated(project_dir)  # once: the steps below reuse it
    meta = data.meta
    sync_pages(project_dir, write=True, data=data)
    timings["check"] = time.perf_counter() - started
    shutil.rmtree(staging, ignore_errors=True)
    # Chromium boots on the second core while MkDocs builds on the first.
    with Printer(CHROMIUM, project_cache(project_dir)) if with_pdf else contextlib.nullcontext() as printer:
        step = time.perf_counter()
        mkdocs_build(project_dir, staging, meta.release_date)
        timings["html"] = time.perf_counter() - step
        if print_page:
            step = time.perf_counter()
            page = write_print_page(staging, project_dir, data)
            if printer is not None:
                pdf = printer.print(page, pdf_path(project_dir), title=meta.title, version=meta.version)
                shutil.copy2(pdf, staging / "downloads" / PDF_NAME)
                state_pdf_size(staging / "downloads" / "index.html", pdf.stat().st_size)
            timings["pdf" if printer is not None else "print page"] = time.perf_counter() - step
    step = time.perf_counter()
    write_downloads(project_dir, staging / "downloads", (data, raw))
    timings["downloads"] = time.perf_counter() - step
    publish(staging, site_dir)
    timings["total"] = time.perf_counter() - started
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide.build", description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=PROJECT_DIR)
    parser.add_argument("--site-dir", type=Path, default=None, help="default: site/ in the project")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster previews)")
    parser.add_argument(
        "--print-page", action="store_true", help="with --no-pdf: still build print_page.html (what the PDF prints)"
    )
    args = parser.parse_args(argv)
    project = args.project.resolve()
    site_dir = (args.site_dir or project / "site").resolve()
    try:
        timings = build_site(project, site_dir, with_pdf=not args.no_pdf, print_page=args.print_page)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except (BuildError, PdfError, PrintPageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    print(f"site built in {site_dir} ({steps})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
