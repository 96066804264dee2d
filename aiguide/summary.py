"""The executive summary: what a board reads first, prepared from the data (the template holds the words).

It is rendered on the decision-makers page and moved to the front of the PDF (see :mod:`printbook`).
Every list in it is derived from the data by the rules stated here and in the summary itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import evidence
from .fragments import RoleEntry, role_entries
from .model import ChecklistItem, Finding, GuideData, Phase

TOP_FINDINGS = 4  # findings listed per direction
SUMMARY_DIRECTIONS = ("facilitator", "barrier", "both")


@dataclass(frozen=True)
class EvidenceLabel:
    """The evidence behind a finding, as the summary ranks it (0 is best): a confidence level, or guidance/advice."""

    category: str  # a confidence level id, or the finding's kind when it is not graded
    rank: int


def evidence_label(finding: Finding, data: GuideData) -> EvidenceLabel:
    """The evidence label of a finding. The one place to switch the summary to another grading rule."""
    category = evidence.category(finding, data)
    return EvidenceLabel(category, evidence.CATEGORIES.index(category))


@dataclass(frozen=True)
class RankedFinding:
    finding: Finding
    label: EvidenceLabel
    studies: int  # distinct studies and reviews cited directly for a fact seen in the source


@dataclass(frozen=True)
class PhaseEssentials:
    phase: Phase
    items: list[ChecklistItem]


@dataclass(frozen=True)
class Summary:
    first: Phase
    essentials: list[PhaseEssentials]
    strongest: dict[str, list[RankedFinding]]  # direction -> best-supported findings
    roles: list[RoleEntry]
    top: int = TOP_FINDINGS


def _direct_studies(finding: Finding, data: GuideData) -> int:
    grade = evidence.confidence(finding, data)
    return len(grade.direct_studies) if grade else 0


def strongest(data: GuideData, direction: str, count: int = TOP_FINDINGS) -> list[RankedFinding]:
    """The ``count`` findings of one direction with the best evidence label, then the most such studies.

    Ties keep the order of the data files.
    """
    ranked = [
        RankedFinding(finding, evidence_label(finding, data), _direct_studies(finding, data))
        for finding in data.findings
        if finding.direction == direction
    ]
    ranked.sort(key=lambda entry: (entry.label.rank, -entry.studies))
    return ranked[:count]


def summary(data: GuideData) -> Summary:
    """Everything the executive summary shows."""
    essentials = [
        PhaseEssentials(phase, [item for item in data.items_for_phase(phase.id) if item.tier == "essential"])
        for phase in data.phases_in_order
    ]
    return Summary(
        first=data.phases_in_order[0],
        essentials=[entry for entry in essentials if entry.items],
        strongest={direction: strongest(data, direction) for direction in SUMMARY_DIRECTIONS},
        roles=role_entries(data),
    )
