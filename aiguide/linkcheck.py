"""Offline link checker for the built site: every internal link and anchor must resolve, nothing is fetched.

For every HTML file under the site folder it reads the links of ``a``/``area`` (href), ``link`` (href),
``script``/``img``/``iframe``/``source`` (src) and ``form`` (action):

* relative links must name a file of the site (a folder link opens its ``index.html``); site-absolute links
  (``/page.html``) are broken: they fail from disk and under a subpath;
  a ``#fragment`` must name an element ``id`` (or an ``a name``) in the target HTML page;
* ``http``, ``https`` and ``mailto`` links are external: collected for :func:`write_report`, never fetched;
* ``javascript:``, any other scheme and protocol-relative ``//host/…`` addresses (which fail when the site is
  opened from disk) are broken links; ``data:`` images are inline content and pass.

Skipped on purpose: ``#`` alone (the top of the page, used by buttons) and ``#__…`` fragments (Material's
own controls such as ``#__search``, which its JavaScript handles). The print page needs no special case:
aiguide.printbook turns its links into in-page anchors, which are checked like any other fragment.

Command line: ``python -m aiguide.linkcheck SITE_DIR [--report FILE]``; exit status 1 when a link is broken.
"""

from __future__ import annotations

import argparse
import posixpath
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The page a server shows for a missing address, at that address: its links must be absolute to work there.
ERROR_PAGE = "404.html"
# Element -> attributes that hold a link.
LINK_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "form": ("action",),
}
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
INLINE_SCHEMES = frozenset({"data"})  # content carried in the address itself: nothing to resolve
HTML_SUFFIXES = (".html", ".htm")
# Fragments that are not checked, and why.
SKIPPED_FRAGMENTS = {
    "#": "'#' alone is the top of the page (buttons and 'back to top' links use it)",
    "#__": "Material's own controls (#__search, #__drawer, …) are handled by its JavaScript",
}


@dataclass(frozen=True, order=True)
class BrokenLink:
    """A link on ``page`` (site-relative path) that does not resolve, and why."""

    page: str
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: broken link {self.link!r} ({self.reason})"

    @property
    def target_path(self) -> str:
        """The site-relative file the link names (without its fragment)."""
        path = urlsplit(self.link).path
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.page), unquote(path))) if path else self.page


@dataclass
class PageInfo:
    """What one HTML page holds: its anchor targets and its links."""

    anchors: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects the ids (and ``a name`` values) and the link addresses of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.info.anchors.add(values["id"])
        if tag == "a" and "name" in values:
            self.info.anchors.add(values["name"])
        for name in LINK_ATTRIBUTES.get(tag, ()):
            if name in values:
                self.info.links.append(values[name].strip())

    handle_startendtag = handle_starttag


def parse_page(path: Path) -> PageInfo:
    """Anchors and links of the HTML file at ``path``."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser.info


def html_pages(site_dir: Path) -> list[str]:
    """Site-relative paths of every HTML file, sorted."""
    return sorted(path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*") if _is_html(path.name))


def _is_html(name: str) -> bool:
    return name.lower().endswith(HTML_SUFFIXES)


class Site:
    """A built site folder; parses each page once."""

    def __init__(self, site_dir: Path, root_path: str = "/"):
        self.root = Path(site_dir).resolve()
        self.root_path = root_path if root_path.endswith("/") else root_path + "/"
        self._pages: dict[str, PageInfo] = {}
        self._files: dict[str, tuple[str | None, str]] = {}  # what each site-relative path resolves to

    def page(self, relative: str) -> PageInfo:
        if relative not in self._pages:
            self._pages[relative] = parse_page(self.root / relative)
        return self._pages[relative]

    def target_file(self, page: str, path: str) -> tuple[str | None, str]:
        """The site-relative file a link path names from ``page``, or ``None`` and the reason."""
        base = "" if path.startswith("/") else posixpath.dirname(page)
        joined = posixpath.normpath(posixpath.join(base, unquote(path).lstrip("/")))
        if joined == ".." or joined.startswith("../"):
            return None, "points outside the site"
        if joined not in self._files:
            self._files[joined] = self._file_at(joined)
        return self._files[joined]

    def _file_at(self, joined: str) -> tuple[str | None, str]:
        missing = "no such file in the site"
        if (self.root / joined).is_dir():
            joined, missing = posixpath.normpath(posixpath.join(joined, "index.html")), "folder without index.html"
        return (joined, "") if (self.root / joined).is_file() else (None, missing)


def skip_reason(fragment: str) -> str | None:
    """Why a fragment is not checked, or ``None`` when it must name an element."""
    if not fragment:
        return SKIPPED_FRAGMENTS["#"]
    if fragment.startswith("__"):
        return SKIPPED_FRAGMENTS["#__"]
    return None


def link_problem(site: Site, page: str, link: str) -> str | None:
    """Why ``link`` on ``page`` is broken, or ``None`` when it resolves, is skipped or is external."""
    parts = urlsplit(link)
    scheme = parts.scheme.lower()
    if scheme in EXTERNAL_SCHEMES or scheme in INLINE_SCHEMES:
        return None
    if scheme:
        return f"{scheme}: links are not allowed"
    if parts.netloc:
        return "protocol-relative address (//…): it fails from disk; write https:// or a relative link"
    if parts.path.startswith("/"):
        if page != ERROR_PAGE:
            return "site-absolute link: it breaks when the site is opened from disk or served under a subpath"
        if not parts.path.startswith(site.root_path):
            return f"points outside the site's address {site.root_path} (site_url in mkdocs.yml)"
        link = link.replace(site.root_path, "", 1)
        parts = urlsplit(link)
    target, reason = site.target_file(page, parts.path) if parts.path else (page, "")
    if target is None:
        return reason
    fragment = unquote(parts.fragment)
    if skip_reason(fragment) is not None or not _is_html(target) or fragment in site.page(target).anchors:
        return None
    return f"no element with id {fragment!r} in {target}"


def is_external(link: str) -> bool:
    """True for a link to another site: http, https or mailto."""
    return urlsplit(link).scheme.lower() in EXTERNAL_SCHEMES


def _links(site: Site) -> Iterator[tuple[str, str]]:
    for page in html_pages(site.root):
        for link in dict.fromkeys(site.page(page).links):  # each address once per page (menus repeat many)
            yield page, link


def check_site(site_dir: Path, root_path: str = "/") -> list[BrokenLink]:
    """Every broken internal link or anchor of the site, sorted; external links are not fetched.

    ``root_path`` is the path of the address the site is published at (from ``site_url``): the error page
    alone may use links from there, because a server shows it at any address.
    """
    site = Site(site_dir, root_path)
    broken = set()
    for page, link in _links(site):
        reason = link_problem(site, page, link)
        if reason is not None:
            broken.add(BrokenLink(page, link, reason))
    return sorted(broken)


def external_links(site_dir: Path) -> dict[str, list[str]]:
    """External address -> the pages that link to it, both sorted."""
    found: dict[str, set[str]] = {}
    for page, link in _links(Site(site_dir)):
        if is_external(link):
            found.setdefault(link, set()).add(page)
    return {link: sorted(found[link]) for link in sorted(found)}


def format_report(links: dict[str, list[str]]) -> str:
    """One line per external address: ``URL<TAB>page, page, …``."""
    return "".join(f"{url}\t{', '.join(pages)}\n" for url, pages in links.items())


def write_report(site_dir: Path, path: Path) -> dict[str, list[str]]:
    """Write the sorted external-link report to ``path``; return what it lists."""
    links = external_links(site_dir)
    Path(path).write_text(format_report(links), encoding="utf-8", newline="\n")
    return links


def main(argv: list[str] | None = None) -> int:
    """Check SITE_DIR; print one line per broken link and return 1 when there is any."""
    parser = argparse.ArgumentParser(prog="python -m aiguide.linkcheck", description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path, help="the built site folder")
    parser.add_argument("--report", type=Path, help="write the external links (not fetched) to this file")
    args = parser.parse_args(argv)
    if not args.site_dir.is_dir():
        parser.error(f"{args.site_dir} is not a folder")
    broken = check_site(args.site_dir)
    for problem in broken:
        print(problem)
    if args.report is not None:
        count = len(write_report(args.site_dir, args.report))
        print(f"{count} external links listed in {args.report} (not fetched)", file=sys.stderr)
    pages = len(html_pages(args.site_dir))
    print(f"{pages} pages checked, {len(broken)} broken links", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
