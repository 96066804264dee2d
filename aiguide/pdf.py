"""Print the whole guide to PDF: the print-site page of the built site, through headless Chromium.

The PDF comes from the same HTML as the website (mkdocs-print-site-plugin joins
every page into ``print_page.html``); Playwright drives Debian's Chromium to
print it with page numbers. Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#444;">'
    '{title}, version {version} · page <span class="pageNumber"></span> of <span class="totalPages"></span>'
    "</div>"
)


class PdfError(Exception):
    """A problem an editor can fix; printed as one message, never as a traceback."""


def _missing_browser_message(chromium: Path) -> str:
    return (
        f"cannot build the PDF: Chromium was not found at {chromium}. "
        "Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or run `make site` as root, "
        "which installs it; the website itself was built."
    )


def print_pdf(print_page: Path, output: Path, *, title: str, version: str, chromium: Path = CHROMIUM) -> Path:
    """Render ``print_page`` (an HTML file) to ``output`` as an A4 PDF with page numbers."""
    if not chromium.is_file():
        raise PdfError(_missing_browser_message(chromium))
    if not print_page.is_file():
        raise PdfError(f"cannot build the PDF: {print_page} does not exist; build the site first")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the build requirements install it
        raise PdfError("cannot build the PDF: the Python package 'playwright' is missing; run `make site`") from error
    output.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route(
                "**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_()
            )
            page.goto(print_page.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.wait_for_timeout(200)  # let print-site's script build the table of contents
            page.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER.format(title=_escape(title), version=_escape(version)),
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                outline=True,
                tagged=True,
            )
        finally:
            browser.close()
    return output


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site folder (holds print_page.html)")
    parser.add_argument("output", type=Path, help="where to write the PDF")
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    from .model import load_guide

    meta = load_guide(args.project).meta
    try:
        path = print_pdf(
            args.site / "print_page.html", args.output, title=meta.title, version=meta.version, chromium=args.chromium
        )
    except PdfError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"PDF written: {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
