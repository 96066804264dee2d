"""The executive summary: prepared from the data (aiguide/summary.py), rendered by its template."""

from __future__ import annotations

import pytest

from aiguide import evidence, summary
from aiguide.fragments import Fragments


@pytest.mark.parametrize("direction", summary.SUMMARY_DIRECTIONS)
def test_strongest_findings_are_those_with_the_best_evidence(guide, direction: str) -> None:
    listed = summary.strongest(guide, direction)
    of_direction = [finding for finding in guide.findings if finding.direction == direction]
    assert len(listed) == min(summary.TOP_FINDINGS, len(of_direction))
    assert all(entry.finding.direction == direction for entry in listed)

    def rank(finding) -> tuple[int, int]:
        grade = evidence.confidence(finding, guide)
        category = grade.level if grade else finding.kind
        return evidence.CATEGORIES.index(category), -(len(grade.direct_studies) if grade else 0)

    worst_listed = max(rank(entry.finding) for entry in listed)
    left_out = [finding for finding in of_direction if finding not in [entry.finding for entry in listed]]
    assert [finding.id for finding in left_out if rank(finding) < worst_listed] == []


def test_summary_names_the_first_step_every_essential_item_and_every_role(loaded, guide) -> None:
    text = Fragments(loaded, lambda: "decision-makers/index.md").executive_summary()
    assert 'data-ag-book="front"' in text  # the PDF moves it to the front
    assert guide.phases_in_order[0].title in text
    assert [item.id for item in guide.items if item.tier == "essential" and f"[{item.id}](" not in text] == []
    recommended = [item.id for item in guide.items if item.tier != "essential"]
    assert [item_id for item_id in recommended if f"[{item_id}](" in text] == []
    assert [role.title for role in guide.roles if role.title not in text] == []


def test_the_evidence_label_is_switched_in_one_place(loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    """How findings are graded reaches the summary through summary.evidence_label alone."""
    monkeypatch.setattr(summary, "evidence_label", lambda finding, data: summary.EvidenceLabel("advice", 0))
    text = Fragments(loaded, lambda: "decision-makers/index.md").executive_summary()
    advice = loaded.fields.labels("findings", "findings[].kind")["advice"].lower()
    strongest = text[text.index("{ #summary-strongest }") : text.index("{ #summary-how-to-use }")]
    listed = [line for line in strongest.splitlines() if line.startswith("- [")]
    assert listed and all(line.endswith(f"({advice})") for line in listed), listed
