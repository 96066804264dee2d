"""The site opened from disk: search and the self-assessment work under the CSP, and no page logs an error.

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


# One page of each kind, the print page included. The 404 page is left out: a server shows it at any address,
# so its links start from the site's root, which a disk does not have.
FROM_DISK = [
    "index.html",
    "print_page.html",
    "assessment/index.html",
    "calculators/cost/index.html",
    "findings/index.html",
    "vendor-questions/index.html",
    "law/eu/index.html",
    "themes/workflow-integration/index.html",
    "sources/index.html",
]


def test_pages_opened_from_disk_log_no_error(browser, built_site: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
    )
    for name in FROM_DISK:
        page.goto((built_site / name).as_uri(), wait_until="load")
    context.close()
    assert errors == []
