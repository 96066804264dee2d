"""Interactive filters on the findings table and the checklist page, in Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiguide import evidence
from aiguide.guide import load_guide

from .conftest import PROJECT_DIR

_FIELDS = load_guide(PROJECT_DIR).fields
LEVEL_LABELS = _FIELDS.labels("findings", "findings[].confidence.override.level")
KIND_LABELS = _FIELDS.labels("findings", "findings[].kind")
pytestmark = [pytest.mark.browser, pytest.mark.build]


@pytest.fixture(scope="module")
def tab(browser) -> Iterator:
    """One browser tab per worker for the module's tests; each test opens its page afresh (filters live in the page)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_checklist_filters_by_several_roles_and_steps_at_once(tab, built_site: Path, guide) -> None:
    page = tab
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto((built_site / "checklists" / "index.html").as_uri())
    roles = ["pacs-it", "procurement"]
    phases = [guide.phases_in_order[1].id, guide.phases_in_order[3].id]
    for role in roles:
        page.locator(f'input[name="role"][value="{role}"]').check()
    for phase in phases:
        page.locator(f'input[name="phase"][value="{phase}"]').check()
    expected = [item.id for item in guide.items if item.phase in phases and set(item.roles) & set(roles)]
    visible = page.locator(".ag-item:visible h3").evaluate_all("hs => hs.map(h => h.id.toUpperCase())")
    assert visible == [item_id for item_id in _page_order(guide) if item_id in expected]
    assert (
        page.locator(".ag-filter-status").inner_text() == f"{len(expected)} of {len(guide.items)} checklist items shown"
    )
    page.locator('input[name="essential-only"]').check()
    essential = [i for i in expected if guide.item[i].tier == "essential"]
    assert page.locator(".ag-item:visible").count() == len(essential)
    page.get_by_role("button", name="Show everything").click()
    _wait_until(lambda: page.locator(".ag-item:not([hidden])").count() == len(guide.items))


def _wait_until(condition, seconds: float = 5.0) -> None:
    """Poll from Python (the site's CSP forbids the eval behind page.wait_for_function)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _page_order(guide) -> list[str]:
    return [item.id for phase in guide.phases_in_order for item in guide.items_for_phase(phase.id)]


def test_findings_table_filters_and_sorts(tab, built_site: Path, guide) -> None:
    page = tab
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto((built_site / "findings" / "index.html").as_uri())
    page.locator('select[name="direction"]').select_option("barrier")
    page.locator('select[name="role"]').select_option("radiologist")
    expected = [f.anchor for f in guide.findings if f.direction == "barrier" and "radiologist" in f.roles]
    shown = page.locator("#ag-findings tbody tr:visible").evaluate_all("rows => rows.map(r => r.id)")
    assert shown == expected
    page.get_by_role("button", name="Clear filters").click()
    _wait_until(lambda: page.locator("#ag-findings tbody tr:not([hidden])").count() == len(guide.findings))
    page.get_by_role("button", name="Confidence").click()
    ranks = page.locator("#ag-findings tbody tr td:nth-child(5)").evaluate_all(
        "cells => cells.map(c => +c.dataset.value)"
    )
    assert ranks == sorted(ranks)
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Confidence")
    first = evidence.CATEGORIES[min(ranks)]
    words = (LEVEL_LABELS.get(first, "") + " confidence") if first in evidence.LEVELS else KIND_LABELS[first]
    assert page.locator("#ag-findings tbody tr").first.locator("td").nth(4).inner_text() == words
