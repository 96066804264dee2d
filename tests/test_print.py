"""Printed checklists: empty boxes to tick, no interactive chrome, essentials on a few pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .conftest import tool


def _print(browser, url: str, output: Path) -> int:
    """Print a page as Chromium would for a reader, and return its number of pages."""
    page = browser.new_page()
    page.goto(url)
    page.emulate_media(media="print")
    page.pdf(path=str(output), format="A4", print_background=True)
    page.close()
    pdfinfo = Path(tool("pdftotext")).with_name("pdfinfo")  # poppler installs both side by side
    info = subprocess.run([str(pdfinfo), str(output)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_essentials_only_view_fits_a_few_printed_pages(browser, built_site: Path, tmp_path: Path, guide) -> None:
    pages = _print(browser, (built_site / "checklists" / "essentials" / "index.html").as_uri(), tmp_path / "e.pdf")
    assert pages <= 5, f"the essentials checklist prints on {pages} pages"
    text = subprocess.run([tool("pdftotext"), str(tmp_path / "e.pdf"), "-"], capture_output=True, text=True).stdout
    essentials = [item for item in guide.items if item.tier == "essential"]
    assert all(item.id in text for item in essentials)
    assert not any(item.id in text for item in guide.items if item.tier != "essential")


def test_printed_checklist_shows_empty_boxes_and_hides_filters(browser, built_site: Path) -> None:
    page = browser.new_page()
    page.goto((built_site / "checklists" / "index.html").as_uri())
    page.emulate_media(media="print")
    box = page.evaluate(
        "(() => { const h = document.querySelector('.ag-item h3');"
        " const s = getComputedStyle(h, '::before'); return [s.borderTopStyle, s.width, s.content]; })()"
    )
    assert box[0] == "solid" and box[1] != "0px" and box[2] == '""'
    assert not page.locator("form.ag-checklist-filters").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".md-header").is_visible()
    page.close()


def test_assessment_without_javascript_is_a_readable_checklist(browser, built_site: Path, guide) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((built_site / "assessment" / "index.html").as_uri())
    assert page.locator("fieldset.ag-question").count() == len(guide.items)
    assert not page.locator("#ag-results").is_visible()
    first = guide.items_for_phase(guide.phases_in_order[0].id)[0]
    assert page.get_by_text(first.question).first.is_visible()
    context.close()
