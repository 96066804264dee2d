"""Derived figures: each finding's confidence (GRADE-CERQual) and tallies, computed from the data only.

The confidence rule is declared once, in the constants below; the method page renders the
same declarations (the rule, its table of every combination and the checks on the editors'
judgements), and the checks in :mod:`references` use the same functions, so the published
rule, the computed levels and the checks cannot drift apart.

Editors judge four components per observed finding, each with a concern (``no``, ``minor``,
``moderate``, ``serious``) and a reason. The rule starts at the highest level and lowers it
per concern; it never goes below the lowest level; a finding without a study cited directly
for a fact seen in the source (mark V) is capped; an override replaces the result but never
exceeds the cap. The words readers see for levels, concerns and kinds are ``x-labels`` in
``data/schemas/findings.schema.json``; nothing here is reader wording.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .model import Confidence, ConfidenceOverride, Finding, GuideData

# ------------------------------------------------------------------------------------------ the rule

LEVELS = ("high", "moderate", "low", "very-low")  # best first; the ids of the schema's $defs/level
CONCERNS = ("no", "minor", "moderate", "serious")  # least first; the ids of a component's concern
UNGRADED = ("guidance", "advice")  # finding kinds that are not graded, in the order they follow the levels
GRADED_KIND = "observed"
CATEGORIES = (*LEVELS, *UNGRADED)  # how lists of findings are ordered and filtered
COMPONENTS = tuple(field.name for field in dataclasses.fields(Confidence) if field.name != "override")
STUDY_TYPES = ("review", "primary-study")  # source types whose direct V citations count as studies
COUNTED_MARK = "V"
DIRECT = "direct"
INDIRECT = "indirect"

STEPS = {"no": 0, "minor": 0, "moderate": 1, "serious": 2}  # levels each component with this concern lowers
MINORS_TOGETHER = 2  # this many components with minor concerns (or more) together lower ...
MINORS_STEP = 1  # ... by this many levels; fewer minor concerns do not lower at all
CAP_WITHOUT_DIRECT_STUDY = "low"  # the highest level without a study cited directly with mark V

# Checks on the editors' judgements (run by references.py).
ADEQUACY_FLOORS = ("serious", "moderate", "minor")  # lowest adequacy concern with 0, 1, 2 direct V studies
RELEVANCE_FLOOR_WITHOUT_DIRECT_STUDY = "moderate"
RELEVANCE_FLOOR_MOSTLY_INDIRECT = "minor"  # when indirect citations outnumber direct ones (context not counted)


def lowering(concerns: Iterable[str]) -> int:
    """How many levels the four concerns lower confidence from the top, before the floor."""
    concerns = list(concerns)
    steps = sum(STEPS[concern] for concern in concerns)
    if concerns.count("minor") >= MINORS_TOGETHER:
        steps += MINORS_STEP
    return steps


def level_after(steps: int) -> str:
    """The level ``steps`` below the top, never below the lowest level."""
    return LEVELS[min(steps, len(LEVELS) - 1)]


def cap(direct_studies: int) -> str:
    """The highest level a finding can reach with this many distinct studies cited directly with mark V."""
    return LEVELS[0] if direct_studies else CAP_WITHOUT_DIRECT_STUDY


def lower_of(first: str, second: str) -> str:
    return max(first, second, key=LEVELS.index)


def above(level: str, limit: str) -> bool:
    """True when ``level`` is higher than ``limit``."""
    return LEVELS.index(level) < LEVELS.index(limit)


def derived_level(concerns: Iterable[str], direct_studies: int) -> str:
    """The rule's level for four concerns and the number of direct V studies, cap applied."""
    return lower_of(level_after(lowering(concerns)), cap(direct_studies))


def below(concern: str, floor: str) -> bool:
    """True when ``concern`` is less serious than ``floor``."""
    return CONCERNS.index(concern) < CONCERNS.index(floor)


def adequacy_floor(direct_studies: int) -> str:
    """The least adequacy concern an editor may record with this many distinct direct V studies."""
    return ADEQUACY_FLOORS[direct_studies] if direct_studies < len(ADEQUACY_FLOORS) else CONCERNS[0]


def relevance_floor(direct_studies: int, direct: int, indirect: int) -> str:
    """The least relevance concern an editor may record, from direct V studies and direct/indirect citations."""
    if not direct_studies:
        return RELEVANCE_FLOOR_WITHOUT_DIRECT_STUDY
    if indirect > direct:
        return RELEVANCE_FLOOR_MOSTLY_INDIRECT
    return CONCERNS[0]


# ------------------------------------------------------------------------------------------ the inputs

CitationFacts = tuple[str, str, str]  # (source key, mark, supports)


def direct_studies(citations: Iterable[CitationFacts], source_types: Mapping[str, str]) -> tuple[str, ...]:
    """The distinct studies and reviews cited directly with mark V, in citation order."""
    keys = (
        source
        for source, mark, supports in citations
        if mark == COUNTED_MARK and supports == DIRECT and source_types.get(source) in STUDY_TYPES
    )
    return tuple(dict.fromkeys(keys))


def support_counts(citations: Iterable[CitationFacts]) -> tuple[int, int]:
    """(direct, indirect) citations, whatever their mark; context citations are not counted."""
    counts = Counter(supports for _, _, supports in citations)
    return counts[DIRECT], counts[INDIRECT]


# A word that may be a source key: letters and digits, joined by single hyphens, not preceded by a letter, a digit
# or a hyphen, and taken whole (STROHM2020 is not found inside WENDEROTT2024-NPJ or STROHM2020-X). Source keys
# follow this form (common.schema.json), so a key is named exactly where a word equals it: one pass over the text
# and a set lookup per word, whatever the number of sources.
SOURCE_KEY_WORD = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def keys_named(text: str, keys: Iterable[str]) -> tuple[str, ...]:
    """The keys that ``text`` names, in the order given."""
    words = {match.group(0) for match in SOURCE_KEY_WORD.finditer(text)}
    return tuple(key for key in keys if key in words)


Segment = tuple[str, str]  # (text, source key or "" for plain text)


def segments(text: str, keys: Container[str]) -> tuple[Segment, ...]:
    """``text`` (whitespace folded) cut into plain pieces and the source keys it names, for linking."""
    text = " ".join(str(text).split())
    pieces: list[Segment] = []
    position = 0
    for match in SOURCE_KEY_WORD.finditer(text):
        if match.group(0) not in keys:
            continue
        if match.start() > position:
            pieces.append((text[position : match.start()], ""))
        pieces.append((match.group(0), match.group(0)))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], ""))
    return tuple(pieces)


# ------------------------------------------------------------------------------------------ per finding


@dataclass(frozen=True)
class Judgement:
    """One component as the editors judged it, with its reason cut into linkable pieces."""

    component: str
    concern: str
    reason: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Grade:
    """A finding's confidence: the level readers see and everything it was derived from."""

    level: str  # what readers see: the override's level, else the derived level
    derived: str  # the rule's level before any override (cap applied)
    uncapped: str  # the rule's level before the cap
    cap: str
    steps: int  # levels the concerns lower, before the floor
    components: tuple[Judgement, ...]
    direct_studies: tuple[str, ...]  # distinct studies and reviews cited directly with mark V
    override: ConfidenceOverride | None = None
    override_segments: tuple[Segment, ...] = ()

    @property
    def capped(self) -> bool:
        return self.uncapped != self.derived


def _citation_facts(finding: Finding) -> list[CitationFacts]:
    return [(citation.source, citation.mark, citation.supports) for citation in finding.citations]


def confidence(finding: Finding, data: GuideData) -> Grade | None:
    """The finding's confidence by the rule, or None for a finding that is not graded (guidance, advice).

    Worked out once per finding of a loaded guide: pages ask for the same grades many times.
    """
    grades = data.derived.setdefault("grades", {})
    known = grades.get(id(finding))
    if known is None:  # the finding is kept beside its grade, so its id() cannot be reused by another object
        known = grades[id(finding)] = (finding, _grade(finding, data))
    return known[1]


def _grade(finding: Finding, data: GuideData) -> Grade | None:
    judged = finding.confidence
    if finding.kind != GRADED_KIND or judged is None:
        return None
    studies = direct_studies(_citation_facts(finding), data.source_types)
    keys = data.source
    components = tuple(
        Judgement(name, part.concern, part.reason, segments(part.reason, keys))
        for name in COMPONENTS
        for part in (getattr(judged, name),)
    )
    steps = lowering(part.concern for part in components)
    ceiling = cap(len(studies))
    derived = derived_level((part.concern for part in components), len(studies))
    override = judged.override
    return Grade(
        level=lower_of(override.level, ceiling) if override else derived,
        derived=derived,
        uncapped=level_after(steps),
        cap=ceiling,
        steps=steps,
        components=components,
        direct_studies=studies,
        override=override,
        override_segments=segments(override.reason, keys) if override else (),
    )


def category(finding: Finding, data: GuideData) -> str:
    """The finding's place in :data:`CATEGORIES`: its confidence level, or its kind when it is not graded."""
    grade = confidence(finding, data)
    return grade.level if grade else finding.kind


def by_confidence(findings: Iterable[Finding], data: GuideData) -> list[Finding]:
    """Findings from high to very low confidence, then guidance, then advice; file order within each."""
    return sorted(findings, key=lambda finding: CATEGORIES.index(category(finding, data)))


def confidence_tally(findings: Iterable[Finding], data: GuideData) -> dict[str, int]:
    """How many findings fall in each category, in the order of :data:`CATEGORIES`."""
    counts = Counter(category(finding, data) for finding in findings)
    return {item: counts.get(item, 0) for item in CATEGORIES}


# ------------------------------------------------------------------------------------------ the rule table


@dataclass(frozen=True)
class CombinationRow:
    """Every combination with this many serious and moderate concerns, by the number of minor ones."""

    serious: int
    moderate: int
    levels: tuple[str | None, ...]  # index = components with minor concerns; None where impossible


def combination_table() -> tuple[CombinationRow, ...]:
    """The rule's level (before the cap) for every combination of concerns across the components."""
    count = len(COMPONENTS)
    rows = []
    for serious, moderate in itertools.product(range(count + 1), repeat=2):
        if serious + moderate > count:
            continue
        levels = tuple(
            level_after(lowering(combination(serious, moderate, minor)))
            if serious + moderate + minor <= count
            else None
            for minor in range(count + 1)
        )
        rows.append(CombinationRow(serious, moderate, levels))
    return tuple(rows)


def combination(serious: int, moderate: int, minor: int) -> Sequence[str]:
    """Concerns for every component: so many serious, moderate and minor, the rest none."""
    rest = len(COMPONENTS) - serious - moderate - minor
    return ["serious"] * serious + ["moderate"] * moderate + ["minor"] * minor + ["no"] * rest


# ------------------------------------------------------------------------------------------ other tallies


def direction_tally(findings: Iterable[Finding], directions: Iterable[str]) -> dict[str, int]:
    """How many findings help, hinder or do both, in the order of ``directions``."""
    counts = Counter(finding.direction for finding in findings)
    return {direction: counts.get(direction, 0) for direction in directions}


def source_tally(data: GuideData) -> dict[str, int]:
    counts = Counter(source.verification for source in data.sources)
    return {status: counts.get(status, 0) for status in ("verified", "secondary", "not-seen")}
