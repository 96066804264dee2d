"""The whole guide on one page, ``print_page.html``, assembled from the built site: what the PDF prints.

No MkDocs plugin is involved, so the PDF prints the same whatever engine built the
site (MkDocs with Material, or Zensical): only the built pages, ``mkdocs.yml``'s
``nav`` and the data are read.

1. The pages, in the order of ``mkdocs.yml``'s nav, each a chapter (a top-level
   entry) or a section of one; :data:`LEFT_OUT` pages stay on the website only.
2. Each built page's ``<article class="md-content__inner md-typeset">`` (the page
   content in Material's and Zensical's pages alike) is read with the standard
   library's HTML parser and written out again with: ids prefixed by the page's
   key, so they stay unique; links to other pages of the book turned into links
   inside the document, and links to pages left out turned into plain text;
   headings moved down to the page's depth in the book; collapsed boxes
   (``<details>``, the evidence behind each finding and answer) opened; and
   whatever only works on screen removed (scripts, filters, permalinks, form
   fields: the self-assessment becomes a checklist to fill in by hand).
3. The executive summary (the element marked ``data-ag-book="front"``, on the
   decision-makers page) is moved to the front; elements marked
   ``data-ag-book="skip"`` are left out.
4. A Jinja template (``print_page.html.j2``) lays out the cover (from the data),
   the summary, the contents and the chapters. The contents' page numbers are
   left empty (``data-ag-page-of``): the print step fills them in from a first
   print (:mod:`aiguide.pdf`).
"""

from __future__ import annotations

import argparse
import html
import posixpath
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import PROJECT_DIR
from .csp import with_policy
from .render import template_environment
from .siteconfig import read_site_config

PRINT_PAGE = "print_page.html"
# Pages about maintaining the data rather than adopting AI, and the downloads page: on the website only.
LEFT_OUT = frozenset({"downloads/index.md", "editing/index.md", "editing/reference/index.md"})
CONTENTS_DEPTH = 4  # chapters (the tabs), their sections and pages, the pages inside those, and the themes of a group
STYLESHEETS = ("assets/stylesheets/guide.css", "assets/stylesheets/book.css")
# "front": moved to the front of the book; "skip": left out of it; "run-in": its headings are written as paragraphs
# (entries of a list the book prints by number, not sections of their own, so no bookmarks either)
BOOK_MARK = "data-ag-book"

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
# Left out with everything inside them: they only work on screen (or hold data for scripts).
DROPPED_TAGS = frozenset({"script", "style", "template", "noscript", "textarea", "select", "input", "iframe"})
DROPPED_CLASSES = frozenset(
    {
        "headerlink",  # the permalink ¶ after each heading
        "ag-filters",
        "ag-checklist-filters",
        "ag-filter-status",
        "ag-needs-js",  # controls the page's script works (and shows from the start, so the page does not jump)
        "ag-notice",
        "ag-question__note",
        "ag-actions",
        "ag-share-url",
        "md-button",
        "md-content__button",
        "md-source-file",
    }
)
# Ids of the theme's own screen aids inside the article: Zensical's target of the "skip to content" link.
DROPPED_IDS = frozenset({"__skip"})
# Attributes that hold ids of other elements: prefixed like the ids themselves.
ID_REFERENCES = frozenset({"for", "headers", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns"})
FORM_ONLY = frozenset({"action", "method", "novalidate", "autocomplete", "enctype", "accept-charset", "target", "name"})
HEADING = {f"h{level}": level for level in range(1, 7)}


class PrintPageError(Exception):
    """The built site cannot be made into a book; the message says why."""


# ----------------------------------------------------------------------------- the book's outline


@dataclass
class BookPage:
    """One page of the site in the book, or a nav section without a page of its own (``src`` empty)."""

    src: str  # the Markdown source path, as mkdocs.yml's nav names it
    nav_title: str | None
    depth: int  # 1 for a chapter
    key: str  # the page's id in the book; its other ids are prefixed with it
    title: str = ""  # the page's first heading, as the book prints it
    content: Markup = field(default_factory=Markup)  # the rewritten article


def read_config(project_dir: Path) -> dict[str, Any]:
    config = read_site_config(project_dir)
    if not isinstance(config.get("nav"), list):
        raise PrintPageError(f"{project_dir / 'mkdocs.yml'}: no nav to take the order of the pages from")
    return config


def page_key(src: str) -> str:
    """``themes/workflow-integration/index.md`` -> ``themes-workflow-integration``; the home page is ``home``."""
    stem = src[: -len(".md")] if src.endswith(".md") else src
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")].rstrip("/")
    return stem.replace("/", "-") or "home"


def built_path(src: str, use_directory_urls: bool) -> str:
    """Where a Markdown page is written in the built site."""
    stem = src[: -len(".md")]
    if stem == "index" or stem.endswith("/index") or not use_directory_urls:
        return stem + ".html"
    return stem + "/index.html"


def book_outline(nav: list[Any], left_out: frozenset[str] = LEFT_OUT) -> list[BookPage]:
    """The pages in nav order with their depth in the book.

    A nav section whose first entry is a page without its own title, or titled like the section, opens with that
    page (Material's section index pages); any other section gets a heading of its own. Sections whose pages are
    all left out are left out too.
    """
    pages: list[BookPage] = []
    sections = 0

    def walk(entries: list[Any], depth: int) -> None:
        nonlocal sections
        for entry in entries:
            title, value = (None, entry) if isinstance(entry, str) else next(iter(entry.items()))
            if isinstance(value, str):
                if value.endswith(".md") and value not in left_out:
                    pages.append(BookPage(value, title, depth, page_key(value)))
                continue
            children = list(value or [])
            first = children[0] if children else None
            first_title, first_value = (None, first) if isinstance(first, str) else next(iter((first or {}).items()))
            start = len(pages)
            if isinstance(first_value, str) and first_title in (None, title) and first_value not in left_out:
                pages.append(BookPage(first_value, title, depth, page_key(first_value)))
                walk(children[1:], depth + 1)
            else:
                sections += 1
                pages.append(BookPage("", title, depth, f"section-{sections}", title=str(title or "")))
                walk(children, depth + 1)
            if all(not page.src for page in pages[start:]):
                del pages[start:]

    walk(nav, 1)
    return pages


# ----------------------------------------------------------------------------- one page's article


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    """A start tag written back from parsed attributes (values escaped)."""
    parts = [tag]
    for name, value in attrs:
        parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"


@dataclass
class _Open:
    tag: str  # as read
    written: str | None  # the tag name written for it, or None when only its content is kept


@dataclass
class PageParts:
    """What the book takes from one built page."""

    content: str
    title: str
    front: str = ""
    targets: set[str] = field(default_factory=set)  # the ids the page defines (prefixed)


class ArticleRewriter(HTMLParser):
    """Reads one built page and writes its article back for the book (see the module's docstring)."""

    def __init__(self, page: BookPage, page_url: str, book_urls: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.page_url = page_url  # e.g. themes/workflow-integration/index.html
        self.book_urls = book_urls  # built page path -> key of every page in the book
        self.shift = page.depth - 1
        self.out: list[str] = []
        self.front: list[str] = []
        self.front_shift: int | None = None
        self.front_depth = 0  # > 0 while inside the element moved to the front
        self.article_depth = 0
        self.skip_depth = 0  # > 0 while inside a dropped element
        self.skip_tag = ""
        self.stack: list[_Open] = []
        self.run_in: list[int] = []  # stack depths at which a run-in element opened
        self.title: list[str] = []
        self.title_state = "before"  # before / inside / done: the page's first heading
        self.ids: set[str] = set()

    # --- helpers

    def _emit(self, text: str) -> None:
        (self.front if self.front_depth else self.out).append(text)

    def _prefixed(self, value: str) -> str:
        return " ".join(f"{self.page.key}--{token}" for token in value.split())

    def _link(self, href: str) -> str | None:
        """The link in the book: an in-document anchor, an outside address, or None (plain text)."""
        if href.startswith("#"):
            return f"#{self.page.key}--{href[1:]}" if len(href) > 1 else f"#{self.page.key}"
        if "://" in href or href.startswith(("mailto:", "tel:", "//")):
            return href
        path, _, fragment = href.partition("#")
        path = path.split("?", 1)[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page_url), path)) if path else self.page_url
        if target.endswith("/") or "." not in posixpath.basename(target):
            target = posixpath.join(target, "index.html")
        key = self.book_urls.get(target)
        if key is None:
            return None  # a page left out of the book, or a file such as a download
        return f"#{key}--{fragment}" if fragment else f"#{key}"

    def _heading(self, tag: str) -> str:
        level = HEADING[tag]
        if self.front_depth:
            if self.front_shift is None:
                self.front_shift = 1 - level
            return f"h{min(6, max(1, level + self.front_shift))}"
        return f"h{min(6, level + self.shift)}"

    def _drops(self, tag: str, attrs: dict[str, str | None]) -> bool:
        classes = set((attrs.get("class") or "").split())
        return (
            tag in DROPPED_TAGS
            or "hidden" in attrs
            or bool(classes & DROPPED_CLASSES)
            or attrs.get(BOOK_MARK) == "skip"
            or attrs.get("id") in DROPPED_IDS
        )

    # --- parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            if tag == self.skip_tag and tag not in VOID:
                self.skip_depth += 1
            return
        named = dict(attrs)
        if not self.article_depth:
            if tag == "article" and "md-content__inner" in (named.get("class") or "").split():
                self.article_depth = 1
            return
        if tag == "article":
            self.article_depth += 1
        if self._drops(tag, named):
            if tag not in VOID:
                self.skip_depth, self.skip_tag = 1, tag
            return
        if named.get(BOOK_MARK) == "run-in" and tag not in VOID:
            self.run_in.append(len(self.stack))
        if named.get(BOOK_MARK) == "front":
            self.front_depth = 1
        elif self.front_depth and tag not in VOID:
            self.front_depth += 1
        written = self._rewrite(tag, attrs)
        if tag not in VOID:
            self.stack.append(_Open(tag, written[0] if written else None))
        if written is not None:
            self._emit(_start_tag(*written))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def _rewrite(
        self, tag: str, attrs: list[tuple[str, str | None]]
    ) -> tuple[str, list[tuple[str, str | None]]] | None:
        """The tag and attributes the book writes, or None to keep only the element's content."""
        written_tag = tag
        out: list[tuple[str, str | None]] = []
        for name, value in attrs:
            if name == BOOK_MARK:
                continue
            if name == "id" and value:
                out.append((name, self._prefixed(value)))
                self.ids.add(self._prefixed(value))
            elif name in ID_REFERENCES and value:
                out.append((name, self._prefixed(value)))
            elif name == "href" and tag == "a" and value is not None:
                link = self._link(value)
                if link is None:
                    return None
                out.append((name, link))
            elif name == "download":
                continue
            elif name == "src" and value and "://" not in value and not value.startswith("data:"):
                out.append((name, posixpath.normpath(posixpath.join(posixpath.dirname(self.page_url), value))))
            else:
                out.append((name, value))
        if tag == "details" and "open" not in dict(out):
            out.append(("open", None))
        if tag == "form":  # its fields are left out: a plain block
            written_tag = "div"
            out = [(name, value) for name, value in out if name not in FORM_ONLY]
        if tag == "button":
            return None  # e.g. a sortable column's heading: its words stay
        if tag in HEADING and self.run_in:
            written_tag = "p"
        elif tag in HEADING:
            written_tag = self._heading(tag)
            if self.title_state == "before" and not self.front_depth:
                self.title_state = "inside"
                out = [(name, value) for name, value in out if name != "class"]
                out.append(("class", f"ag-book__title ag-book__title--{self.page.depth}"))
        return written_tag, out

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if not self.article_depth:
            return
        if tag == "article":
            self.article_depth -= 1
            if not self.article_depth:
                return
        if tag in VOID or not any(item.tag == tag for item in self.stack):
            return  # an end tag without its start tag: nothing to close
        while self.stack:
            item = self.stack.pop()
            if self.run_in and self.run_in[-1] == len(self.stack):
                self.run_in.pop()
            if item.written is not None:
                self._emit(f"</{item.written}>")
            if self.front_depth:
                self.front_depth -= 1
            if item.tag == tag:
                break
        if self.title_state == "inside" and tag in HEADING:
            self.title_state = "done"

    def handle_data(self, data: str) -> None:
        if self.skip_depth or not self.article_depth:
            return
        if self.title_state == "inside":
            self.title.append(data)
        self._emit(html.escape(data, quote=False))


def article_region(page_html: str) -> str:
    """The part of a page from its first ``<article`` to its last ``</article>``: the parser need not read the
    navigation, header and footer around it (most of a page), and reads the article exactly as it stands."""
    start = page_html.find("<article")
    end = page_html.rfind("</article>")
    return page_html[start : end + len("</article>")] if 0 <= start < end else page_html


def read_page(page: BookPage, site_dir: Path, page_url: str, book_urls: dict[str, str]) -> PageParts:
    """The parts of one built page that go into the book."""
    path = site_dir / page_url
    if not path.is_file():
        raise PrintPageError(f"{path}: the page {page.src} of mkdocs.yml's nav was not built")
    rewriter = ArticleRewriter(page, page_url, book_urls)
    rewriter.feed(article_region(path.read_text(encoding="utf-8")))
    rewriter.close()
    if not rewriter.out:
        raise PrintPageError(f'{path}: no <article class="md-content__inner"> holding the page\'s content')
    return PageParts(
        content="".join(rewriter.out).strip(),
        title=" ".join("".join(rewriter.title).split()),
        front="".join(rewriter.front).strip(),
        targets=rewriter.ids,
    )


# ----------------------------------------------------------------------------- the whole book


@dataclass(frozen=True)
class ContentsEntry:
    key: str
    title: str
    depth: int


def cover_facts(meta: Any) -> dict[str, str]:
    """Plain-text facts for the PDF cover."""
    from .render import plain

    return {
        "title": meta.title,
        "subtitle": plain(meta.subtitle),
        "version": meta.version,
        "release_date": meta.release_date,
        "licence": f"{meta.licence.title} ({meta.licence.id})",
        "how_to_cite": plain(meta.how_to_cite),
    }


def assemble(site_dir: Path, project_dir: Path, data: Any) -> str:
    """The print page's HTML for a built site."""
    config = read_config(project_dir)
    use_directory_urls = bool(config.get("use_directory_urls", True))
    pages = book_outline(config["nav"])
    urls = {page.key: built_path(page.src, use_directory_urls) for page in pages if page.src}
    book_urls = {url: key for key, url in urls.items()}
    front: list[str] = []
    for page in pages:
        if not page.src:
            continue
        parts = read_page(page, site_dir, urls[page.key], book_urls)
        page.content = Markup(parts.content)
        page.title = parts.title or str(page.nav_title or page.key)
        if parts.front:
            front.append(parts.front)
    if not front:
        raise PrintPageError(f'no page holds the executive summary (an element with {BOOK_MARK}="front")')
    contents = [ContentsEntry(page.key, page.title, page.depth) for page in pages if page.depth <= CONTENTS_DEPTH]
    return (
        template_environment()
        .get_template("print_page.html.j2")
        .render(
            cover=cover_facts(data.meta),
            language=str((config.get("theme") or {}).get("language") or "en"),
            stylesheets=STYLESHEETS,
            front=Markup("".join(front)),
            contents=contents,
            pages=pages,
        )
    )


def write_print_page(site_dir: Path, project_dir: Path, data: Any) -> Path:
    """Write ``print_page.html`` into the built site (with the site's Content-Security-Policy)."""
    output = site_dir / PRINT_PAGE
    output.write_text(with_policy(assemble(site_dir, project_dir, data)), encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide.printbook", description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site folder")
    parser.add_argument("--project", type=Path, default=PROJECT_DIR)
    args = parser.parse_args(argv)
    from .guide import load_guide
    from .problems import DataError

    try:
        path = write_print_page(args.site, args.project.resolve(), load_guide(args.project.resolve()).model)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except PrintPageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"print page written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
