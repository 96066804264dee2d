"""Print the whole guide to PDF: the built site's print page, through headless Chromium.

The PDF comes from the same HTML as the website: :mod:`aiguide.printbook` joins
the built pages into ``print_page.html`` (no MkDocs plugin involved, so any engine
that builds the site gives the same PDF), and Debian's Chromium prints it as a
tagged A4 PDF with bookmarks and page numbers. Nothing is fetched from the network.

The contents list states the page of each chapter and page. Chromium cannot
number pages in the document itself, so the page is printed twice: a first,
quick print (nothing drawn, no tags) tells on which page each heading lands
(the PDF's named destinations, read with pypdf); the numbers are written into
the contents' page column, whose width is fixed so that they move nothing; the
second print is the PDF. The step then reads the PDF back and checks that every
number matches; if one does not, it prints once more, and fails if they still
differ. The pages of the last print are kept in the project's cache under a
hash of everything that could move a page (the print page, its stylesheets,
the print settings, Chromium's version): printing the same page again needs no
first print. Bookmarks are Chromium's, one per heading; :mod:`aiguide.outline` gives
back the spaces it drops where a heading wraps.

The step is kept lean because it runs on every ``make site``:

- Chromium is driven directly over the DevTools protocol on a pipe
  (``--remote-debugging-pipe``), with the standard library only; Playwright's
  driver (a Node.js process) would add about half a second of start-up. The
  tests still use Playwright.
- Only the print page and its stylesheets are loaded; every other request is
  refused. The print page has no scripts.
- The page is never laid out for the screen, only for print; the first print
  draws nothing and writes no tags, which makes it far cheaper than the second.
- Page numbers are a CSS page-margin box, which Chromium lays out far faster
  than a header/footer template (one small document of its own per page).
- Browser features that printing never uses are switched off (see
  ``PRINT_ARGS``), and the throwaway profile lives in memory.

What the PDF leaves out or shortens (repeats of findings and checklist items,
the pages for editors) is decided in ``docs/assets/stylesheets/book.css`` and
:data:`aiguide.printbook.LEFT_OUT`; ``docs/downloads/index.md`` explains it to
readers.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import PROJECT_DIR
from .cache import Cache, content_key, project_cache
from .tools import TOOLS, ToolMissing, find, missing_message

if TYPE_CHECKING:
    from pypdf import PdfReader

# Shared with the tests, which launch the same Chromium through Playwright.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What the print adds: headless, driven over fds 3 and 4, never throttled as a background page.
PRINT_ARGS = [
    *CHROMIUM_ARGS,
    "--headless",
    "--remote-debugging-pipe",
    "--no-startup-window",
    "--disable-extensions",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-ipc-flooding-protection",
    "--hide-scrollbars",
    "--mute-audio",
    # Browser features a one-page print never uses. The omnibox pop-ups alone load two web pages of the browser's
    # own interface in a renderer of their own, which cost about as much CPU time as laying out half the guide.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,AimEnabled,Translate,OptimizationHints,MediaRouter,"
    "LensOverlay,PaintHolding,AutofillServerCommunication,CertificateTransparencyComponentUpdater,"
    "InterestFeedContentSuggestions",
]
TIMEOUT = 120.0  # seconds for any one step; the real guide prints in a few seconds
MM = 1 / 25.4  # inches
PAGE = {
    "paperWidth": 210 * MM,
    "paperHeight": 297 * MM,
    "marginTop": 16 * MM,
    "marginBottom": 18 * MM,
    "marginLeft": 14 * MM,
    "marginRight": 14 * MM,
    "printBackground": True,
    "generateTaggedPDF": True,  # accessibility: headings, lists, tables and links carry their structure
    "generateDocumentOutline": True,  # bookmarks from the headings
}
FOOTER_CSS = (
    '@page {{ @bottom-center {{ content: "{title}, version {version} · page " counter(page) " of " counter(pages);'
    " font-family: sans-serif; font-size: 8px; color: #444; }} }}"
)
# The screen never shows the print page, so it is not laid out for the screen: printing lays it out once.
NO_SCREEN_LAYOUT = """
new MutationObserver((changes, observer) => {
  if (!document.head) return;
  const style = document.createElement("style");
  style.textContent = "@media screen { body { display: none !important; } }";
  document.head.prepend(style);
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
"""
# Every request except these local files is refused: the print page and its stylesheets.
BLOCKED = re.compile(r"^(?!file:[^?#]*(?:/print_page\.html|\.css)(?:[?#].*)?$)")
# The cover (aiguide/templates/print_page.html.j2) carries the title and version for the footer; the contents'
# page column is marked data-ag-page-of="<id of the heading's section>".
READY = """(() => {
  const cover = document.querySelector(".ag-cover");
  const targets = [...document.querySelectorAll("[data-ag-page-of]")].map(cell => cell.dataset.agPageOf);
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .map(heading => heading.textContent.replace(/\\s+/g, " ").trim());
  return { title: cover && cover.dataset.title, version: cover && cover.dataset.version, targets, headings };
})()"""
ADD_STYLE = (
    "((id, css) => { const s = document.createElement('style'); s.id = id; s.textContent = css;"
    " document.head.append(s); })"
)
REMOVE_STYLE = "(id => document.getElementById(id).remove())"
# The first print only has to place things on pages: nothing is drawn (layout stays exactly the same).
DRAW_NOTHING = "@media print { body * { visibility: hidden !important; } }"
FILL_PAGES = """(pages => {
  for (const cell of document.querySelectorAll("[data-ag-page-of]")) {
    cell.textContent = String(pages[cell.dataset.agPageOf] ?? "");
  }
})"""
PAGES_CACHE = "pdf-pages.marshal"  # the pages of the contents' entries in the last print (aiguide.cache)
PLACING_ONLY = {**PAGE, "generateTaggedPDF": False, "generateDocumentOutline": False, "printBackground": False}


class PdfError(Exception):
    """A problem an editor can fix; printed as one message, never as a traceback."""


def find_chromium() -> Path:
    """Chromium as :mod:`aiguide.tools` finds it (``AIGUIDE_CHROMIUM``, ``PATH``, macOS' applications)."""
    try:
        return find("chromium")
    except ToolMissing as error:
        raise PdfError(f"cannot build the PDF: {error} The website itself was built.") from error


class _Browser:
    """Headless Chromium, driven over the DevTools protocol on a pipe: JSON messages ending in a NUL byte."""

    def __init__(self, chromium: Path) -> None:
        # A throwaway profile, in memory where possible: Chromium writes several files into it at start and close.
        shm = Path("/dev/shm")
        in_memory = shm.is_dir() and os.access(shm, os.W_OK)
        self.profile = tempfile.mkdtemp(prefix="aiguide-pdf-", dir=shm if in_memory else None)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - Chromium's output, read on failure; closed in close()
        to_chromium, self._commands = os.pipe()
        self._replies, from_chromium = os.pipe()

        import fcntl  # POSIX only: imported here, so that the rest of the package also loads on Windows

        def use_fds_3_and_4() -> None:  # in the child, before exec: Chromium reads fd 3 and writes fd 4
            commands = fcntl.fcntl(to_chromium, fcntl.F_DUPFD, 10)
            replies = fcntl.fcntl(from_chromium, fcntl.F_DUPFD, 10)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        try:
            self.process: subprocess.Popen[bytes] | None = None
            self.process = subprocess.Popen(
                [str(chromium), *PRINT_ARGS, f"--user-data-dir={self.profile}"],
                stdin=subprocess.DEVNULL,
                stdout=self.log,
                stderr=self.log,
                preexec_fn=use_fds_3_and_4,  # single-threaded here, so safe
                pass_fds=(3, 4),
            )
        except OSError as error:
            self.close()
            raise PdfError(f"cannot build the PDF: Chromium could not be started: {error}") from error
        finally:
            os.close(to_chromium)
            os.close(from_chromium)
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                with contextlib.suppress(PdfError):  # it may close the pipe before it answers
                    self.call("Browser.close", timeout=5)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            os.close(self._commands)
            os.close(self._replies)
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def _chromium_said(self) -> str:
        self.log.seek(0)
        lines = [line for line in self.log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        return f"; Chromium said: {' | '.join(lines[-3:])}" if lines else ""

    def _send(self, method: str, params: dict[str, Any] | None, session: str | None) -> int:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._commands, data) :]
        except BrokenPipeError as error:
            raise PdfError(f"cannot build the PDF: Chromium stopped{self._chromium_said()}") from error
        return self._last_id

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        # The PDF arrives as one message of several megabytes in pipe-sized pieces: collect them in a list and
        # look for the end of the message only in the newest piece.
        pieces = [self._buffer]
        end = self._buffer.find(b"\0")
        while end < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise PdfError(f"cannot build the PDF: Chromium did not finish {waiting_for} in time")
            piece = os.read(self._replies, 1 << 20)
            if not piece:
                raise PdfError(f"cannot build the PDF: Chromium stopped{self._chromium_said()}")
            pieces.append(piece)
            end = piece.find(b"\0")
        last = pieces.pop()
        message = b"".join([*pieces, last[:end]])
        self._buffer = last[end + 1 :]
        return json.loads(message)

    def _handle(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Fetch.requestPaused":  # only local files that printing needs get through
            params = message["params"]
            if BLOCKED.search(params["request"]["url"]):
                reply = ("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"})
            else:
                reply = ("Fetch.continueRequest", {"requestId": params["requestId"]})
            self._send(*reply, message.get("sessionId"))
        elif "method" in message:
            self._events.append(message)

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None, timeout: float = TIMEOUT
    ) -> dict[str, Any]:
        """Send one command and return its result, handling the events that arrive meanwhile."""
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline, method)
            if message.get("id") == wanted:
                if "error" in message:
                    raise PdfError(f"cannot build the PDF: Chromium refused {method}: {message['error']}")
                return message.get("result", {})
            self._handle(message)

    def wait_for(self, event: str, *, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Wait for an event (requests are answered meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            for index, message in enumerate(self._events):
                if message["method"] == event:
                    return self._events.pop(index)
            self._handle(self._receive(deadline, event))


class Printer:
    """Headless Chromium, started when the printer is made, so that it boots while the print page is written.

    ``with Printer() as printer: ...; printer.print(page, output)``. ``cache`` (see :func:`print_pdf`) keeps
    the pages of the last print.
    """

    def __init__(self, chromium: Path | None = None, cache: Cache | None = None):
        chromium = chromium or find_chromium()
        if not chromium.is_file():
            raise PdfError(
                f"cannot build the PDF: nothing at {chromium}. {missing_message(TOOLS['chromium'])} "
                "The website itself was built."
            )
        self.cache = cache or Cache(None)
        self.browser = _Browser(chromium)

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.browser.close()

    def print(self, print_page: Path, output: Path, *, title: str | None = None, version: str | None = None) -> Path:
        """Render ``print_page`` (an HTML file) to ``output`` as an A4 PDF with page numbers.

        ``title`` and ``version`` (for the footer) default to those the page's cover states.
        """
        if not print_page.is_file():
            raise PdfError(f"cannot build the PDF: {print_page} does not exist; build the site first")
        output.parent.mkdir(parents=True, exist_ok=True)
        try:
            session = _open(self.browser, print_page)
            ready = _evaluate(self.browser, session, READY)
            title = title or ready["title"]
            version = version or ready["version"]
            if not title or not version:
                raise PdfError(f"cannot build the PDF: the cover of {print_page} states no title and version")
            footer = FOOTER_CSS.format(title=_css_string(title), version=_css_string(version))
            _evaluate(self.browser, session, f"{ADD_STYLE}('ag-footer', {json.dumps(footer)})")
            key = self._layout_key(print_page, footer)
            pdf, reader = self._print_with_page_numbers(session, ready["targets"], key)
            from .outline import with_heading_titles  # pypdf, only when printing

            output.write_bytes(with_heading_titles(pdf, ready["headings"], reader))
        except BaseException:
            output.unlink(missing_ok=True)
            raise
        return output

    def _layout_key(self, print_page: Path, footer: str) -> str:
        """Changes with anything that may move a page: the page, its stylesheets, the print settings, Chromium."""
        parts = [print_page.read_bytes(), footer.encode(), json.dumps(PAGE, sort_keys=True).encode()]
        parts += [sheet.read_bytes() for sheet in sorted(print_page.parent.glob("assets/stylesheets/*.css"))]
        parts.append(json.dumps(self.browser.call("Browser.getVersion")).encode())
        return content_key(*parts)

    def _print_with_page_numbers(self, session: str, targets: list[str], key: str) -> tuple[bytes, PdfReader]:
        """The PDF with the page of each of ``targets`` written where the page marks it (see the module's docstring).

        The pages of the last print are reused when nothing that could move a page has changed since.
        Returns the PDF and a reader of it.
        """
        if not targets:
            pdf = _print(self.browser, session, PAGE)
            return pdf, _reader(pdf)
        stored = self.cache.get(PAGES_CACHE, "last-print")
        if isinstance(stored, dict) and stored.get("key") == key and set(stored.get("pages", ())) == set(targets):
            pages = stored["pages"]
        else:
            _evaluate(self.browser, session, f"{ADD_STYLE}('ag-placing', {json.dumps(DRAW_NOTHING)})")
            pages = pages_of(_reader(_print(self.browser, session, PLACING_ONLY)), targets)
            _evaluate(self.browser, session, f"{REMOVE_STYLE}('ag-placing')")
        for _attempt in range(2):
            _evaluate(self.browser, session, f"{FILL_PAGES}({json.dumps(pages)})")
            pdf = _print(self.browser, session, PAGE)
            reader = _reader(pdf)
            printed = pages_of(reader, targets)
            if printed == pages:
                self.cache.put(PAGES_CACHE, "last-print", {"key": key, "pages": pages})
                return pdf, reader
            pages = printed
        moved = sorted(key for key in targets if printed.get(key) != pages.get(key))
        raise PdfError(f"cannot build the PDF: the contents' page numbers moved pages again ({', '.join(moved)})")


def print_pdf(
    print_page: Path,
    output: Path,
    *,
    title: str | None = None,
    version: str | None = None,
    chromium: Path | None = None,
    cache: Cache | None = None,
) -> Path:
    """Render ``print_page`` to ``output`` (see :meth:`Printer.print`).

    ``cache`` (e.g. :func:`aiguide.cache.project_cache`) keeps the pages of the contents' entries from one print to
    the next: a print of the same page with the same stylesheets and browser then needs no placing print.
    """
    with Printer(chromium, cache) as printer:
        return printer.print(print_page, output, title=title, version=version)


def _open(browser: _Browser, print_page: Path) -> str:
    """Open the print page in a new tab that only prints; return the tab's session."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for method, params in (
        ("Page.enable", {}),
        ("Page.setBypassCSP", {"enabled": True}),  # the styles added below are inline
        ("Page.addScriptToEvaluateOnNewDocument", {"source": NO_SCREEN_LAYOUT}),
        ("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}),
    ):
        browser.call(method, params, session=session)
    navigation = browser.call("Page.navigate", {"url": print_page.resolve().as_uri()}, session=session)
    if navigation.get("errorText"):
        raise PdfError(f"cannot build the PDF: Chromium could not open {print_page}: {navigation['errorText']}")
    browser.wait_for("Page.domContentEventFired")
    return session


def _print(browser: _Browser, session: str, options: dict[str, Any]) -> bytes:
    # One base64 reply: faster than reading the PDF back in chunks (transferMode ReturnAsStream).
    return base64.b64decode(browser.call("Page.printToPDF", options, session=session)["data"])


def _reader(pdf: bytes) -> PdfReader:
    from pypdf import PdfReader  # only when printing

    return PdfReader(io.BytesIO(pdf))


def pages_of(reader: PdfReader, targets: list[str]) -> dict[str, int]:
    """The page (counting from 1) of each target id, from the PDF's named destinations."""
    pages = {
        name.lstrip("/"): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }
    missing = [key for key in targets if key not in pages]
    if missing:
        raise PdfError(f"cannot build the PDF: no page found for the contents entries {', '.join(missing)}")
    return {key: pages[key] for key in targets}


def _evaluate(browser: _Browser, session: str, expression: str) -> Any:
    result = browser.call(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=session
    )
    if "exceptionDetails" in result:
        raise PdfError(f"cannot build the PDF: a script failed in the print page: {result['exceptionDetails']}")
    return result["result"].get("value")


def _css_string(text: str) -> str:
    """``text`` for use inside a double-quoted CSS string."""
    return "".join(f"\\{ord(char):x} " if char in '"\\' or ord(char) < 0x20 else char for char in text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site folder")
    parser.add_argument("output", type=Path, help="where to write the PDF")
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help="the project the site was built from")
    parser.add_argument("--chromium", type=Path, default=None, help="default: found as aiguide.tools finds it")
    args = parser.parse_args(argv)
    from .guide import load_guide
    from .printbook import PrintPageError, write_print_page
    from .problems import DataError

    project = args.project.resolve()
    try:
        with Printer(args.chromium, project_cache(project)) as printer:  # Chromium boots while the page is written
            print_page = write_print_page(args.site, project, load_guide(project).model)
            path = printer.print(print_page, args.output)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except (PdfError, PrintPageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"PDF written: {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
