"""`make site` in one place: check, sync, build, print the PDF, write downloads, then publish atomically.

Everything is built into a temporary folder beside the target; only when every
step has succeeded does it replace the previous site, so a failure never leaves
a half-built site behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import PROJECT_DIR
from .csp import apply_csp
from .exports import load_validated, write_downloads
from .fragments import human_size
from .pages import sync_pages
from .pdf import PdfError, print_pdf
from .problems import DataError

PDF_NAME = "guide.pdf"
BUILD_DIR = "build"  # where the last printed PDF is kept (ignored by git)
# mkdocs.yml switches the print-site plugin on with this variable: its page is only needed to print the PDF,
# and joining every page into it costs time that grows faster than the guide (see the README's Performance).
PRINT_PAGE_ENV = "AIGUIDE_PRINT_PAGE"
# The engines that build the site from the same mkdocs.yml, docs/, data/ and macros.py. MkDocs (with Material for
# MkDocs) is the default and the only one that prints the PDF for now; ProperDocs and Zensical build the website.
# Each runs from the Python that runs this module: `make site-properdocs` and `make site-zensical` use their own
# virtual environments.
ENGINES = ("mkdocs", "properdocs", "zensical")
# Zensical has no --site-dir option: mkdocs.yml reads the output folder from this variable.
SITE_DIR_ENV = "AIGUIDE_SITE_DIR"
NO_SITE_URL_NOTE = (
    "note: site_url is not set (mkdocs.yml or AIGUIDE_SITE_URL), so the sitemap lists no pages, pages carry no "
    "canonical link, and the 404 page works only at the root of a host"
)
# The downloads page marks the PDF's size cell so the size can be stated once the PDF is printed.
_PDF_SIZE_CELL = re.compile(r"(<td\b[^>]*\bdata-pdf-size\b[^>]*>)[^<]*(</td>)")


def pdf_path(project_dir: Path) -> Path:
    """Where the last printed PDF is kept (copied into the site by `make site`)."""
    return project_dir / BUILD_DIR / PDF_NAME


def source_date_epoch(release_date: str) -> str:
    """Seconds since 1970 at midnight UTC of the release date: fixes the sitemap's dates between builds."""
    day = dt.date.fromisoformat(release_date)
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


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


def mkdocs_build(
    project_dir: Path, site_dir: Path, release_date: str, *, print_page: bool = False, engine: str = "mkdocs"
) -> None:
    """Run a strict build with ``engine`` (MkDocs by default), then add the CSP.

    ``print_page`` switches on the print-site plugin (``print_page.html``, the page the PDF is printed from).
    """
    command, variables = engine_command(engine, project_dir, site_dir)
    env = {
        "SOURCE_DATE_EPOCH": source_date_epoch(release_date),
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        PRINT_PAGE_ENV: "true" if print_page else "false",
        **variables,
    }
    result = subprocess.run(command, cwd=project_dir, env=env)
    if result.returncode != 0:
        raise BuildError("the site build failed (messages above); the previous site was left as it was")
    apply_csp(site_dir)


def configured_site_url(project_dir: Path) -> str | None:
    """``site_url`` as the engines read it from mkdocs.yml (``!ENV`` resolved, other tags ignored)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def from_environment(loader: yaml.SafeLoader, node: yaml.Node) -> str | None:
        names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) else []
        default = None
        if isinstance(node, yaml.SequenceNode):
            names = [str(loader.construct_scalar(child)) for child in node.value]
            default = names.pop() if len(names) > 1 else None
        return next((os.environ[name] for name in names if os.environ.get(name)), default)

    Loader.add_constructor("!ENV", from_environment)
    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((project_dir / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    return (config or {}).get("site_url") or None


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
    project_dir: Path, site_dir: Path, *, with_pdf: bool = True, print_page: bool = False, engine: str = "mkdocs"
) -> dict[str, float]:
    """Build the whole site into ``site_dir`` with ``engine``; return the seconds each step took.

    The print page is built when the PDF is (or when ``print_page`` asks for it without the PDF).
    A failing step removes the half-built staging folder and leaves ``site_dir`` as it was.
    """
    if engine != "mkdocs" and (with_pdf or print_page):
        raise BuildError(f"only MkDocs prints the PDF for now: build with {engine} using --no-pdf")
    staging = site_dir.with_name(site_dir.name + ".tmp")
    try:
        return _build_into(
            project_dir, staging, site_dir, with_pdf=with_pdf, print_page=print_page or with_pdf, engine=engine
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _build_into(
    project_dir: Path, staging: Path, site_dir: Path, *, with_pdf: bool, print_page: bool, engine: str
) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data, raw = load_validated(project_dir)  # once: the steps below reuse it
    meta = data.meta
    sync_pages(project_dir, write=True, data=data)
    timings["check"] = time.perf_counter() - started
    shutil.rmtree(staging, ignore_errors=True)
    step = time.perf_counter()
    mkdocs_build(project_dir, staging, meta.release_date, print_page=print_page, engine=engine)
    timings["html"] = time.perf_counter() - step
    if with_pdf:
        step = time.perf_counter()
        pdf = print_pdf(staging / "print_page.html", pdf_path(project_dir), title=meta.title, version=meta.version)
        shutil.copy2(pdf, staging / "downloads" / PDF_NAME)
        state_pdf_size(staging / "downloads" / "index.html", pdf.stat().st_size)
        timings["pdf"] = time.perf_counter() - step
    step = time.perf_counter()
    write_downloads(project_dir, staging / "downloads", (data, raw))
    timings["downloads"] = time.perf_counter() - step
    publish(staging, site_dir)
    if not configured_site_url(project_dir):
        print(NO_SITE_URL_NOTE)
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
