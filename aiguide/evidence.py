"""Derived figures: evidence-strength labels and tallies, computed from the data only.

The strength rule is declared once, in :data:`LEVELS`; the method page renders
the same declarations, so the published rule and the computed labels cannot
drift apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Finding, GuideData

STUDY_TYPES = ("review", "primary-study")
GUIDANCE_TYPES = ("guidance",)


@dataclass(frozen=True)
class Level:
    """One evidence-strength label and the condition that earns it."""

    id: str
    label: str
    rule: str
    meaning: str
    min_studies: int = 0
    min_guidance: int = 0


LEVELS: tuple[Level, ...] = (
    Level(
        "strong",
        "Strong",
        "three or more distinct studies or reviews, each cited for a fact seen in the source itself (mark V)",
        "Several independent studies point the same way; act on it.",
        min_studies=3,
    ),
    Level(
        "moderate",
        "Moderate",
        "exactly two such studies or reviews",
        "Two studies support it; likely to apply, but check it in your setting.",
        min_studies=2,
    ),
    Level(
        "limited",
        "Limited",
        "exactly one such study or review",
        "One study supports it; treat it as a signal to watch, not a settled fact.",
        min_studies=1,
    ),
    Level(
        "guidance",
        "Guidance",
        "no such study, but at least one guidance document cited for a fact seen in the document itself",
        "Expert or official guidance recommends it; little empirical evidence behind it in this guide.",
        min_guidance=1,
    ),
    Level(
        "unverified",
        "Unverified",
        "anything else: every citation rests on a secondary write-up (mark S) or was not seen",
        "Reported only second-hand; verify before relying on it.",
    ),
)


def verified_counts(finding: Finding, data: GuideData) -> tuple[int, int]:
    """(distinct studies/reviews, distinct guidance documents) cited with mark V."""
    studies: set[str] = set()
    guidance: set[str] = set()
    for citation in finding.citations:
        if citation.mark != "V":
            continue
        source_type = data.source[citation.source].type
        if source_type in STUDY_TYPES:
            studies.add(citation.source)
        elif source_type in GUIDANCE_TYPES:
            guidance.add(citation.source)
    return len(studies), len(guidance)


def strength(finding: Finding, data: GuideData) -> Level:
    """The first level in :data:`LEVELS` whose condition the finding meets."""
    studies, guidance = verified_counts(finding, data)
    for level in LEVELS:
        if level.min_studies and studies >= level.min_studies:
            return level
        if level.min_guidance and not studies and guidance >= level.min_guidance:
            return level
    return LEVELS[-1]


def direction_tally(findings: Iterable[Finding], directions: Iterable[str]) -> dict[str, int]:
    """How many findings help, hinder or do both, in the order of ``directions``."""
    counts = Counter(finding.direction for finding in findings)
    return {direction: counts.get(direction, 0) for direction in directions}


def strength_tally(findings: tuple[Finding, ...] | list[Finding], data: GuideData) -> dict[str, int]:
    counts = Counter(strength(finding, data).id for finding in findings)
    return {item.id: counts.get(item.id, 0) for item in LEVELS}


def source_tally(data: GuideData) -> dict[str, int]:
    counts = Counter(source.verification for source in data.sources)
    return {status: counts.get(status, 0) for status in ("verified", "secondary", "not-seen")}
