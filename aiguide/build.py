"""`make site` in one place: check, sync, build, print the PDF, write downloads, then publish atomically.

The PDF is printed from ``print_page.html``, which :mod:`aiguide.printbook` assembles from the built pages
(no engine plugin), so every engine that builds the site gives the same PDF.

The data is loaded and checked once, before anything is written; the MkDocs build runs in this process
and is handed that same guide. Everything is built into a private temporary folder beside the target;
only when every step has succeeded does it replace the previous site. A failure leaves the previous
site and the source tree (``mkdocs.yml`` and the generated page stubs) exactly as they were. Builds of
one project take turns: a second one waits for the first and says so.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import PROJECT_DIR
from .guide import Guide, load_guide
from .locks import exclusive_lock
from .problems import DataError
from .siteconfig import configured_site_url

PDF_NAME = "guide.pdf"
BUILD_DIR = "build"  # where the last printed PDF is kept (ignored by git)
LOCK_FILE = Path(".cache") / "aiguide-build.lock"
# The engines that build the site from the same mkdocs.yml, docs/, data/ and macros.py. MkDocs (with Material for
# MkDocs) is the default; it runs in this process and is handed the loaded guide. ProperDocs and Zensical run as
# commands of the Python that runs this module (`make site-properdocs` and `make site-zensical` use their own
# virtual environments) and load the data themselves. The PDF is the same whichever engine built the pages.
ENGINES = ("mkdocs", "properdocs", "zensical")
# Zensical has no --site-dir option: mkdocs.yml reads the output folder from this variable.
SITE_DIR_ENV = "AIGUIDE_SITE_DIR"
NO_SITE_URL_NOTE = (
    "note: site_url is not set (mkdocs.yml or AIGUIDE_SITE_URL), so the sitemap lists no pages, pages carry no "
    "canonical link, and the 404 page works only at the root of a host"
)
# The downloads page marks the PDF's size cell so the size can be stated once the PDF is printed.
_PDF_SIZE_CELL = re.compile(r"(<td\b[^>]*\bdata-pdf-size\b[^>]*>)[^<]*(</td>)")


class BuildError(Exception):
    """A build step failed; the message says which."""


def pdf_path(project_dir: Path) -> Path:
    """Where the last printed PDF is kept (copied into the site by `make site`)."""
    return project_dir / BUILD_DIR / PDF_NAME


def source_date_epoch(release_date: str) -> str:
    """Seconds since 1970 at midnight UTC of the release date: fixes the sitemap's dates between builds."""
    day = dt.date.fromisoformat(release_date)
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _show_mkdocs_messages() -> logging.Handler:
    """Print MkDocs' messages as its command line does (``WARNING -  …``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    handler.setLevel(logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def mkdocs_build(guide: Guide, site_dir: Path) -> str:
    """A strict MkDocs build of ``guide``'s project in this process, handed the loaded guide; then the CSP.

    Returns the path of the address the site is meant for (``site_url``'s path, ``/`` without one).
    """
    from urllib.parse import urlsplit

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .csp import CspError, apply_csp
    from .mkdocs_env import provide

    variables = {
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH") or source_date_epoch(guide.model.meta.release_date),
        "NO_MKDOCS_2_WARNING": "1",
    }
    handler = _show_mkdocs_messages()
    try:
        with _environment(**variables), contextlib.chdir(guide.project_dir):
            config = load_config(str(guide.project_dir / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
            provide(guide)
            build(config)
    except (MkDocsException, OSError) as error:
        raise BuildError(f"the site build failed: {error}; the previous site was left as it was") from None
    finally:
        provide(None)
        logging.getLogger("mkdocs").removeHandler(handler)
    try:
        apply_csp(site_dir)
    except CspError as error:
        raise BuildError(str(error)) from None
    return urlsplit(config.site_url or "/").path or "/"


def engine_command(engine: str, project_dir: Path, site_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The strict build command of ``engine`` (never with -q, which would hide warnings), and its extra variables."""
    if engine == "zensical":
        if not site_dir.resolve().is_relative_to(project_dir.resolve()):
            raise BuildError(f"Zensical builds only into a folder inside the project, not into {site_dir}")
        # --clean: start from an empty cache, so that nothing of an earlier build is reused
        return [sys.executable, "-m", "zensical", "build", "--strict", "--clean", "-f", "mkdocs.yml"], {
            SITE_DIR_ENV: str(site_dir)
        }
    options = ["-f", "mkdocs.yml"] if engine == "properdocs" else []  # ProperDocs would look for properdocs.yml
    return [sys.executable, "-m", engine, "build", "--strict", *options, "--site-dir", str(site_dir)], {}


def engine_build(guide: Guide, site_dir: Path, engine: str) -> str:
    """A strict build with another engine, as a command; then the CSP. Returns the site's root path."""
    from urllib.parse import urlsplit

    from .csp import CspError, apply_csp

    command, variables = engine_command(engine, guide.project_dir, site_dir)
    env = {
        "SOURCE_DATE_EPOCH": source_date_epoch(guide.model.meta.release_date),
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        **variables,
    }
    result = subprocess.run(command, cwd=guide.project_dir, env=env)
    if result.returncode != 0:
        raise BuildError("the site build failed (messages above); the previous site was left as it was")
    try:
        apply_csp(site_dir)
    except CspError as error:
        raise BuildError(str(error)) from None
    return urlsplit(configured_site_url(guide.project_dir) or "/").path or "/"


def publish(staging: Path, site_dir: Path) -> None:
    """Swap the finished staging folder into place, keeping the old site until the swap."""
    old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
    if site_dir.exists():
        os.replace(site_dir, old / site_dir.name)
    os.replace(staging, site_dir)
    shutil.rmtree(old, ignore_errors=True)


def state_pdf_size(downloads_page: Path, size: int) -> None:
    """Write the printed PDF's size into the downloads page, which was built before the PDF existed."""
    from .fragments import human_size

    html = downloads_page.read_text(encoding="utf-8")
    filled, count = _PDF_SIZE_CELL.subn(lambda m: f"{m.group(1)}{human_size(size)}{m.group(2)}", html)
    if count != 1:
        raise BuildError(f"{downloads_page}: expected one table cell marked data-pdf-size, found {count}")
    downloads_page.write_text(filled, encoding="utf-8")


def build_site(
    project_dir: Path,
    site_dir: Path,
    *,
    with_pdf: bool = True,
    print_page: bool = False,
    check_links: bool = True,
    engine: str = "mkdocs",
) -> dict[str, float]:
    """Build the whole site into ``site_dir`` with ``engine``; return the seconds each step took.

    The print page is written when the PDF is printed (or when ``print_page`` asks for it without the PDF).
    """
    project_dir = Path(project_dir).resolve()
    site_dir = Path(site_dir).resolve()

    def waiting(holder: str) -> None:
        print(f"another build of this guide is running ({holder}); waiting for it to finish", file=sys.stderr)

    with exclusive_lock(project_dir / LOCK_FILE, waiting):
        return _build(project_dir, site_dir, with_pdf, print_page or with_pdf, check_links, engine)


def _build(
    project_dir: Path, site_dir: Path, with_pdf: bool, print_page: bool, check_links: bool, engine: str
) -> dict[str, float]:
    from .exports import write_downloads
    from .pages import apply_sync, plan_sync, undo_sync

    timings: dict[str, float] = {}
    started = time.perf_counter()
    guide = load_guide(project_dir)
    guide.model  # noqa: B018 - raises DataError (naming every problem) before anything is written
    undo = apply_sync(plan_sync(guide))
    timings["check"] = time.perf_counter() - started
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.tmp-", dir=site_dir.parent))
    try:
        # Chromium boots on the second core while the engine builds on the first.
        with _printer(guide) if with_pdf else contextlib.nullcontext() as printer:
            step = time.perf_counter()
            root_path = mkdocs_build(guide, staging) if engine == "mkdocs" else engine_build(guide, staging, engine)
            timings["html"] = time.perf_counter() - step
            if print_page:
                step = time.perf_counter()
                _print(guide, staging, printer)
                timings["pdf" if printer is not None else "print page"] = time.perf_counter() - step
        step = time.perf_counter()
        write_downloads(guide, staging / "downloads")
        timings["downloads"] = time.perf_counter() - step
        if check_links:
            _check_links(staging, root_path, with_pdf)
        publish(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        undo_sync(undo)
        raise
    if root_path == "/" and not configured_site_url(project_dir):
        print(NO_SITE_URL_NOTE)
    timings["total"] = time.perf_counter() - started
    return timings


def _printer(guide: Guide) -> Any:
    from .cache import project_cache
    from .pdf import Printer

    return Printer(cache=project_cache(guide.project_dir))


def _print(guide: Guide, staging: Path, printer: Any) -> None:
    """Assemble the print page from the built pages; print it when there is a printer."""
    from .printbook import PrintPageError, write_print_page

    meta = guide.model.meta
    try:
        page = write_print_page(staging, guide.project_dir, guide.model)
    except PrintPageError as error:
        raise BuildError(str(error)) from None
    if printer is not None:
        pdf = printer.print(page, pdf_path(guide.project_dir), title=meta.title, version=meta.version)
        shutil.copy2(pdf, staging / "downloads" / PDF_NAME)
        state_pdf_size(staging / "downloads" / "index.html", pdf.stat().st_size)


def _check_links(site: Path, root_path: str, with_pdf: bool) -> None:
    """Stop on any broken internal link; a build without the PDF may lack only the PDF."""
    from .linkcheck import check_site

    pdf = f"downloads/{PDF_NAME}"
    broken = [link for link in check_site(site, root_path) if with_pdf or link.target_path != pdf]
    if broken:
        shown = "\n".join(f"  {problem}" for problem in broken[:20])
        more = f"\n  … and {len(broken) - 20} more" if len(broken) > 20 else ""
        raise BuildError(f"{len(broken)} broken links in the built site:\n{shown}{more}")


def main(argv: list[str] | None = None) -> int:
    from .pdf import PdfError

    parser = argparse.ArgumentParser(prog="python -m aiguide.build", description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=PROJECT_DIR)
    parser.add_argument("--site-dir", type=Path, default=None, help="default: site/ in the project")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster previews)")
    parser.add_argument(
        "--print-page", action="store_true", help="with --no-pdf: still build print_page.html (what the PDF prints)"
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="mkdocs", help="the site generator (default: mkdocs, with Material)"
    )
    args = parser.parse_args(argv)
    project = args.project.resolve()
    site_dir = (args.site_dir or project / "site").resolve()
    try:
        timings = build_site(
            project, site_dir, with_pdf=not args.no_pdf, print_page=args.print_page, engine=args.engine
        )
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
