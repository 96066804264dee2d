"""The Content-Security-Policy from disk: search and the self-assessment work under it when opened as files.

Over HTTP, every page is opened under its policy by the per-page browser test in test_accessibility.py, which
also checks that no page requests anything from another host, sets a cookie or logs an error.
"""

from __future__ import annotations

from pathlib import Path


def test_search_and_assessment_work_under_the_csp_from_disk(browser, built_site: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));"
    )
    page = context.new_page()
    page.goto((built_site / "index.html").as_uri())
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("false alerts", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    assert page.evaluate("window.__csp") == []
    page.goto((built_site / "assessment" / "index.html").as_uri())
    page.locator('input[name="CL-01"][value="yes"]').check()
    page.locator("#ag-live").filter(has_text="1 of").wait_for(timeout=5_000)
    assert page.evaluate("window.__csp") == []
    context.close()
