"""What each page loads, and when (overrides/main.html, mkdocs.yml extra_css/extra_javascript/extra.polyfills).

Pages draw before any script runs, wait for as few stylesheets as possible, load a page-specific script only
where it has something to work on, and leave the search index alone until the search is used.
"""

from __future__ import annotations

import re
from pathlib import Path

# script -> what a page must contain for the script to be loaded there
PAGE_SCRIPTS = {
    "assessment.js": 'id="ag-assessment-form"',
    "calc-core.js": 'data-ag-calculator="',
    "calc-alerts.js": 'id="calc-alerts-form"',
    "calc-sample-size.js": 'id="calc-sample-size-form"',
    "calc-cost.js": 'id="calc-cost-form"',
    "findings-table.js": "data-ag-filter-for=",
    "checklist-filter.js": "data-ag-checklist-filter",
    "scrollable-tables.js": "<table",
}
_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)


def pages(site: Path) -> list[str]:
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))


def markup_and_tags(site: Path, name: str) -> tuple[str, list[str]]:
    """A page's markup and its <script> and <link> tags."""
    html = (site / name).read_text(encoding="utf-8")
    return html, _TAG.findall(html)


def stylesheets(tags: list[str]) -> list[str]:
    return [tag for tag in tags if 'rel="stylesheet"' in tag]


def external_scripts(tags: list[str]) -> list[str]:
    return [tag for tag in tags if tag.lower().startswith("<script") and " src=" in tag]


def test_no_script_blocks_the_first_paint(built_site: Path) -> None:
    for name in pages(built_site):
        if name == "print_page.html":
            continue  # no scripts at all (see below)
        _, tags = markup_and_tags(built_site, name)
        scripts = external_scripts(tags)
        assert scripts, name
        assert all(" defer " in tag or tag.endswith(" defer>") for tag in scripts), (name, scripts)


def test_ordinary_pages_wait_for_three_stylesheets_and_print_rules_only_when_printing(built_site: Path) -> None:
    for name in pages(built_site):
        if name == "print_page.html":
            continue
        html, tags = markup_and_tags(built_site, name)
        blocking = [tag for tag in stylesheets(tags) if "media=" not in tag]
        names = [re.search(r'href="([^"]+)"', tag).group(1).rsplit("/", 1)[-1] for tag in blocking]
        assert len(names) == 3 and names[-1] == "guide.css", (name, names)
        assert [tag for tag in stylesheets(tags) if "print.css" in tag and 'media="print"' in tag], name
        assert "book.css" not in html, name


def test_print_page_has_no_scripts_and_only_the_guides_own_stylesheets(built_site: Path) -> None:
    """The whole-guide page does not depend on the theme's assets, so any engine's site prints the same."""
    _, tags = markup_and_tags(built_site, "print_page.html")
    assert [tag for tag in tags if tag.lower().startswith("<script")] == []
    names = [re.search(r'href="([^"]+)"', tag).group(1) for tag in stylesheets(tags)]
    assert names == ["assets/stylesheets/guide.css", "assets/stylesheets/book.css"]
    assert all((built_site / name).is_file() for name in names)


def test_page_scripts_load_only_where_they_have_work(built_site: Path) -> None:
    loaded_somewhere = dict.fromkeys(PAGE_SCRIPTS, False)
    for name in pages(built_site):
        if name == "print_page.html":
            continue  # no scripts at all (see above)
        html, tags = markup_and_tags(built_site, name)
        scripts = external_scripts(tags)
        body = html.split("<body", 1)[-1]
        for script, marker in PAGE_SCRIPTS.items():
            loaded = any(f'/{script}"' in tag or f'"{script}"' in tag for tag in scripts)
            assert loaded == (marker in body), (name, script)
            loaded_somewhere[script] |= loaded
    assert all(loaded_somewhere.values()), loaded_somewhere
    _, tags = markup_and_tags(built_site, "assessment/index.html")
    assert any("assessment.js" in tag for tag in external_scripts(tags))
    for name in ("alerts", "sample-size", "cost"):  # each calculator page: the shared part and its own script only
        _, tags = markup_and_tags(built_site, f"calculators/{name}/index.html")
        loaded = [tag for tag in external_scripts(tags) if "/calc-" in tag]
        assert len(loaded) == 2 and "calc-core.js" in loaded[0] and f"calc-{name}.js" in loaded[1], loaded


def test_search_index_is_requested_only_when_the_search_is_used(browser, site_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_server + "index.html", wait_until="load")
    page.wait_for_timeout(500)
    assert not [url for url in requested if "search_index" in url], "the index loads before the search is used"
    page.click("input.md-search__input")
    page.keyboard.type("workflow")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    assert [url for url in requested if url.endswith("/search/search_index.json")]
    context.close()


def test_page_opened_from_a_search_result_highlights_the_terms(browser, site_server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_server + "themes/workflow-integration/index.html?h=workflow", wait_until="load")
    page.locator(".md-content mark").first.wait_for(timeout=15_000)
    context.close()
