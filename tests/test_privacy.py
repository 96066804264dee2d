"""Privacy: no page talks to another host, sets a cookie or breaks its own Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest


def _pages(built_site: Path) -> list[str]:
    return sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*.html") if p.name != "404.html")


@pytest.fixture(scope="module")
def visits(browser, site_server: str, built_site: Path):
    """Open every page once over HTTP, using each page's scripts, and record what happened."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push("
        "e.violatedDirective + ' ' + e.blockedURI));"
    )
    records = {}
    for path in _pages(built_site):
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request, requests=requests: requests.append(request.url))
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on(
            "console", lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None
        )
        page.goto(site_server + path, wait_until="load")
        page.wait_for_timeout(50)
        violations = page.evaluate("window.__cspViolations")
        records[path] = (requests, errors, violations)
        page.close()
    cookies = context.cookies()
    context.close()
    return records, cookies


def test_no_page_requests_anything_from_another_host(visits, site_server: str) -> None:
    host = urlsplit(site_server).netloc
    records, _ = visits
    foreign = {
        path: [url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host]
        for path, (requests, _, _) in records.items()
    }
    assert {path: urls for path, urls in foreign.items() if urls} == {}


def test_no_page_sets_a_cookie(visits) -> None:
    _, cookies = visits
    assert cookies == []


def test_pages_run_without_errors_or_csp_violations(visits) -> None:
    records, _ = visits
    problems = {path: (errors, violations) for path, (_, errors, violations) in records.items() if errors or violations}
    assert problems == {}


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
