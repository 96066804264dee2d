"""The whole-guide print page, assembled from built pages by the guide's own code (no MkDocs plugin).

Tiny hand-written pages stand in for a built site here, so these tests need no build; the real guide's print
page is tested through its PDF in test_pdf_and_offline.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from aiguide.printbook import (
    BookPage,
    PageParts,
    PrintPageError,
    assemble,
    book_outline,
    built_path,
    page_key,
    read_config,
    read_page,
)

from .conftest import PROJECT_DIR

PAGE_TEMPLATE = """<!doctype html><html><head><title>x</title><script>var chrome = 1;</script></head><body>
<nav class="md-nav"><a href="index.html">Home</a></nav>
<article class="md-content__inner md-typeset">{body}</article>
<footer>footer text</footer></body></html>"""


def write_page(site: Path, path: str, body: str) -> None:
    target = site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(PAGE_TEMPLATE.format(body=body), encoding="utf-8")


class _Elements(HTMLParser):
    """Start tags with their attributes, and the text, of a fragment of HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def attrs(self, name: str) -> list[str]:
        return [attrs[name] or "" for _, attrs in self.tags if name in attrs]


# --- the outline --------------------------------------------------------------------------------------------


def test_outline_follows_the_nav_and_takes_section_index_pages_as_the_sections_heading() -> None:
    nav = [
        {"Home": "index.md"},
        {"Themes": ["themes/index.md", {"Group": [{"Group": "themes/g/index.md"}, {"One": "themes/one/index.md"}]}]},
        {"Loose section": [{"A": "a/index.md"}, {"B": "b.md"}]},
        {"Downloads": "downloads/index.md"},
        {"Editing": ["editing/index.md", {"Reference": "editing/reference/index.md"}]},
        {"Outside": "https://example.org/"},
    ]
    outline = [(page.src, page.depth, page.key) for page in book_outline(nav)]
    assert outline == [
        ("index.md", 1, "home"),
        ("themes/index.md", 1, "themes"),
        ("themes/g/index.md", 2, "themes-g"),
        ("themes/one/index.md", 3, "themes-one"),
        ("", 1, "section-1"),  # a section without a page of its own gets a heading
        ("a/index.md", 2, "a"),
        ("b.md", 2, "b"),
    ]


def test_pages_are_found_where_either_url_style_writes_them() -> None:
    assert built_path("themes/one/index.md", use_directory_urls=False) == "themes/one/index.html"
    assert built_path("b.md", use_directory_urls=False) == "b.html"
    assert built_path("b.md", use_directory_urls=True) == "b/index.html"
    assert built_path("index.md", use_directory_urls=True) == "index.html"
    assert page_key("index.md") == "home" and page_key("themes/one/index.md") == "themes-one"


def test_the_guides_own_config_is_read_despite_its_yaml_tags(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nextra:\n  a: !ENV [SOMETHING, false]\n  b: !!python/name:os.getcwd\nnav:\n  - index.md\n",
        encoding="utf-8",
    )
    assert read_config(tmp_path)["nav"] == ["index.md"]
    pages = [page.src for page in book_outline(read_config(PROJECT_DIR)["nav"])]
    assert pages[0] == "index.md" and "themes/index.md" in pages


# --- one page -----------------------------------------------------------------------------------------------


ARTICLE = """
<h1 id="workflow">Workflow<a class="headerlink" href="#workflow" title="Permanent link">&para;</a></h1>
<p>See <a href="../../sources/index.html#strohm2020">STROHM2020</a>, <a href="#fw-01">FW-01</a>,
<a href="../../downloads/index.html">the downloads</a>, <a href="../../downloads/guide.json" download>data</a>,
<a href="https://example.org/x">a study</a> and <a href="../one/index.html">theme one</a>. R&amp;D &lt;b&gt;</p>
<form class="ag-filters" hidden data-ag-filter-for="t"><select><option>all</option></select></form>
<p class="ag-filter-status" role="status"></p>
<h2 id="fw-01">FW-01 · A finding</h2>
<details class="quote"><summary>Evidence and provenance</summary><ul><li>cited</li></ul></details>
<form id="ag-assessment-form" novalidate><fieldset id="q-cl-01"><legend>CL-01 Question?</legend>
<label><input type="radio" name="CL-01" value="yes"> Yes</label>
<label class="ag-question__note">Note (optional)<textarea name="n"></textarea></label></fieldset></form>
<section id="ag-results" hidden><h2>Your results</h2></section>
<table><tr><th data-sort="id"><button type="button">Id</button></th></tr></table>
<label for="q-cl-01">About CL-01</label>
<script type="application/json" id="data">{"a": 1}</script>
<div class="ag-summary" data-ag-book="front"><h2 id="executive-summary">Executive summary</h2>
<h3 id="first">What to do first</h3><p>Start <a href="../one/index.html#x">here</a>.</p></div>
<div data-ag-book="skip"><p>Only on the website</p></div>
"""


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_page(site, "themes/workflow/index.html", ARTICLE)
    write_page(site, "themes/one/index.html", "<h1 id='one'>Theme one</h1><p id='x'>x</p>")
    write_page(site, "sources/index.html", "<h1 id='sources'>Sources</h1><h3 id='strohm2020'>STROHM2020</h3>")
    return site


def rewrite(site: Path) -> tuple[BookPage, PageParts]:
    page = BookPage("themes/workflow/index.md", "Workflow", 3, "themes-workflow")
    urls = {"themes/workflow/index.html": "themes-workflow", "themes/one/index.html": "themes-one"}
    urls["sources/index.html"] = "sources"
    return page, read_page(page, site, "themes/workflow/index.html", urls)


def test_only_the_article_is_taken_and_screen_only_parts_are_left_out(tiny_site: Path) -> None:
    _, parts = rewrite(tiny_site)
    elements = _Elements(parts.content)
    text = "".join(elements.text)
    assert "Home" not in text and "footer text" not in text and "var chrome" not in text
    assert "¶" not in text and "headerlink" not in parts.content
    assert [tag for tag, _ in elements.tags if tag in ("script", "input", "select", "textarea", "button")] == []
    assert "Your results" not in text and "Note (optional)" not in text and "Only on the website" not in text
    assert "ag-filter-status" not in parts.content
    assert "Yes" in text and "Id" in text  # a form field's label and a sort button's words stay
    assert ("div", {"id": "themes-workflow--ag-assessment-form"}) in elements.tags  # a form without fields
    assert "R&amp;D &lt;b&gt;" in parts.content  # text stays escaped


def test_ids_are_prefixed_and_links_point_inside_the_book(tiny_site: Path) -> None:
    _, parts = rewrite(tiny_site)
    elements = _Elements(parts.content)
    ids = elements.attrs("id")
    assert ids and all(value.startswith("themes-workflow--") for value in ids)
    assert elements.attrs("for") == ["themes-workflow--q-cl-01"]
    assert elements.attrs("href") == [
        "#sources--strohm2020",
        "#themes-workflow--fw-01",
        "https://example.org/x",
        "#themes-one",
    ]
    text = "".join(elements.text)
    assert "the downloads" in text and "data" in text  # links to pages left out of the book become text


def test_headings_move_to_the_pages_depth_and_boxes_print_open(tiny_site: Path) -> None:
    _, parts = rewrite(tiny_site)
    elements = _Elements(parts.content)
    headings = [(tag, attrs.get("id")) for tag, attrs in elements.tags if re.fullmatch(r"h\d", tag)]
    assert headings == [("h3", "themes-workflow--workflow"), ("h4", "themes-workflow--fw-01")]
    assert parts.title == "Workflow"
    assert all("open" in attrs for tag, attrs in elements.tags if tag == "details")


def test_the_front_matter_is_moved_out_of_its_page_with_its_own_heading_levels(tiny_site: Path) -> None:
    _, parts = rewrite(tiny_site)
    assert "Executive summary" not in parts.content
    front = _Elements(parts.front)
    headings = [(tag, attrs.get("id")) for tag, attrs in front.tags if re.fullmatch(r"h\d", tag)]
    assert headings == [("h1", "themes-workflow--executive-summary"), ("h2", "themes-workflow--first")]
    assert front.attrs("href") == ["#themes-one--x"]


# --- the whole book -----------------------------------------------------------------------------------------


def tiny_data() -> SimpleNamespace:
    licence = SimpleNamespace(id="CC-BY-4.0", title="Creative Commons Attribution 4.0 International")
    meta = SimpleNamespace(
        title="A <tiny> guide",
        subtitle="Sub",
        version="9.9.9",
        release_date="2030-01-02",
        licence=licence,
        how_to_cite="Cite it *so*.",
    )
    return SimpleNamespace(meta=meta)


@pytest.fixture
def tiny_project(tmp_path: Path, tiny_site: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    nav = [
        {"Themes": [{"Workflow": "themes/workflow/index.md"}, {"One": "themes/one/index.md"}]},
        {"Sources": "sources/index.md"},
        {"Downloads": "downloads/index.md"},
    ]
    config = {"site_name": "x", "use_directory_urls": False, "nav": nav}
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return project


def test_book_has_cover_front_contents_and_chapters_in_nav_order(tiny_site: Path, tiny_project: Path) -> None:
    html = assemble(tiny_site, tiny_project, tiny_data())
    elements = _Elements(html)
    text = " ".join("".join(elements.text).split())
    for fact in ("A <tiny> guide", "9.9.9", "2030-01-02", "Creative Commons Attribution 4.0 International", "so"):
        assert fact in text
    assert "<tiny>" not in html  # data is escaped
    order = [text.index(part) for part in ("Version", "Executive summary", "Contents", "Workflow", "STROHM2020")]
    assert order == sorted(order)
    cells = elements.attrs("data-ag-page-of")
    # One entry per page, and one for the section "Themes", which has no page of its own; no repeats.
    assert cells == ["section-1", "themes-workflow", "themes-one", "sources"]
    section_ids = [attrs["id"] for tag, attrs in elements.tags if tag == "section" and "id" in attrs]
    assert section_ids == cells
    assert [tag for tag, _ in elements.tags if tag == "script"] == []


def test_a_site_without_the_summary_or_a_page_is_refused(tiny_site: Path, tiny_project: Path) -> None:
    (tiny_site / "themes" / "one" / "index.html").unlink()
    with pytest.raises(PrintPageError, match=re.escape("themes/one/index.md")):
        assemble(tiny_site, tiny_project, tiny_data())
    write_page(tiny_site, "themes/one/index.html", "<h1>One</h1>")
    write_page(tiny_site, "themes/workflow/index.html", "<h1>Workflow</h1>")
    with pytest.raises(PrintPageError, match="executive summary"):
        assemble(tiny_site, tiny_project, tiny_data())


# --- no plugin ----------------------------------------------------------------------------------------------


def test_the_print_page_needs_no_mkdocs_plugin() -> None:
    """print-site is gone from the configuration, the requirements and the build's environment."""
    config = read_config(PROJECT_DIR)
    names = [next(iter(plugin)) if isinstance(plugin, dict) else plugin for plugin in config["plugins"]]
    assert names and not any("print" in name for name in names), names
    for name in ("requirements.txt", "requirements-dev.txt", "constraints.txt"):
        assert "print-site" not in (PROJECT_DIR / name).read_text(encoding="utf-8"), name
    for path in (PROJECT_DIR / "aiguide").glob("*.py"):
        assert "AIGUIDE_PRINT_PAGE" not in path.read_text(encoding="utf-8"), path.name
