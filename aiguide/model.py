"""The guide's typed records and the lookups pages need. Types only: :mod:`modelling` builds them.

Every record type mirrors one object in the JSON Schemas, field for field (a test holds them
together): a field the schema declares is a field here, with the same name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Citation:
    source: str
    section: str
    mark: str
    note: str = ""
    supports: str = ""  # direct, indirect or context: how closely the source bears on the claim


@dataclass(frozen=True)
class Source:
    key: str
    role: str
    type: str
    design: str
    authors: tuple[str, ...]
    authors_complete: bool
    title: str
    container: str
    setting: str
    modality: str
    sample: str
    framework: str
    verification: str
    seen: str
    not_seen: tuple[str, ...]
    licence: str
    contribution: str
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    article_number: str = ""
    published: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""
    unused_reason: str = ""

    @property
    def anchor(self) -> str:
        return self.key.lower()


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    origin: str
    summary: str
    key_question: str
    frameworks: dict[str, tuple[str, ...]]
    mapping_note: str
    backbone_dimension: str = ""
    unused_reason: str = ""


# Themes are grouped in the navigation and on the themes page by their first domain in this framework,
# so the menu stays short however many themes the data holds. themes.yaml names each group for readers.
THEME_GROUP_FRAMEWORK = "nasss"
OTHER_THEMES = "Other themes"


@dataclass(frozen=True)
class ThemeGroupEntry:
    """A group of themes as themes.yaml declares it: named for readers, standing for one NASSS domain."""

    id: str
    title: str
    summary: str
    nasss_domain: str


@dataclass(frozen=True)
class ThemeGroup:
    """A group's themes: those whose first domain in :data:`THEME_GROUP_FRAMEWORK` is the group's domain."""

    id: str
    title: str
    summary: str
    themes: tuple[Theme, ...]
    domain: Domain | None = None  # the framework's own name for the group, shown as a secondary label


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    summary: str
    concerns: tuple[str, ...]
    unused_reason: str = ""


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    order: int
    summary: str
    key_question: str
    decisions: tuple[str, ...]
    unused_reason: str = ""


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    summary: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    kind: str
    summary: str
    domains: tuple[Domain, ...]
    source: str = ""
    short_title: str = ""  # how items and questions that match it name it (else the title)

    def domain(self, domain_id: str) -> Domain:
        return next(domain for domain in self.domains if domain.id == domain_id)


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    expansion: str = ""
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfidenceComponent:
    """One GRADE-CERQual component: the editors' concern level and their reason."""

    concern: str
    reason: str


@dataclass(frozen=True)
class ConfidenceOverride:
    """An editor's different overall level, with the reason."""

    level: str
    reason: str


@dataclass(frozen=True)
class Confidence:
    """The editors' GRADE-CERQual judgement of an observed finding, component by component."""

    methodological_limitations: ConfidenceComponent
    coherence: ConfidenceComponent
    adequacy: ConfidenceComponent
    relevance: ConfidenceComponent
    override: ConfidenceOverride | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    direction: str
    kind: str
    theme: str
    statement: str
    action: str
    roles: tuple[str, ...]
    phases: tuple[str, ...]
    citations: tuple[Citation, ...]
    last_reviewed: str
    also_themes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    confidence: Confidence | None = None
    regulations: tuple[str, ...] = ()
    status: str = "active"
    retired_on: str = ""
    retired_reason: str = ""
    replaced_by: str = ""

    @property
    def anchor(self) -> str:
        return self.id.lower()

    @property
    def all_themes(self) -> tuple[str, ...]:
        return (self.theme, *self.also_themes)


@dataclass(frozen=True)
class Faq:
    id: str
    origin: str
    question: str
    answer: str
    findings: tuple[str, ...]
    citations: tuple[Citation, ...]
    last_reviewed: str
    roles: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    status: str = "active"
    retired_on: str = ""
    retired_reason: str = ""
    replaced_by: str = ""

    @property
    def anchor(self) -> str:
        return self.id.lower()


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    question: str
    tier: str
    phase: str
    theme: str
    roles: tuple[str, ...]
    help: str
    last_reviewed: str
    findings: tuple[str, ...] = ()
    practice_advice: bool = False
    crosswalk: dict[str, tuple[str, ...]] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()
    regulations: tuple[str, ...] = ()
    status: str = "active"
    retired_on: str = ""
    retired_reason: str = ""
    replaced_by: str = ""

    @property
    def anchor(self) -> str:
        return self.id.lower()


@dataclass(frozen=True)
class VendorGroup:
    """A topic that questions for suppliers are grouped under (vendor_questions.yaml)."""

    id: str
    title: str
    summary: str


@dataclass(frozen=True)
class VendorQuestion:
    """A question to put to the supplier of an AI tool, with what a good answer looks like."""

    id: str
    group: str
    question: str
    why: str
    good_answer: str
    red_flags: tuple[str, ...]
    tier: str
    roles: tuple[str, ...]
    phases: tuple[str, ...]
    last_reviewed: str
    findings: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    regulations: tuple[str, ...] = ()
    practice_advice: bool = False
    crosswalk: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return self.id.lower()


@dataclass(frozen=True)
class HeadlineItem:
    text: str
    themes: tuple[str, ...]
    citations: tuple[Citation, ...]
    id: str = ""
    title: str = ""
    findings: tuple[str, ...] = ()
    caveat: str = ""


@dataclass(frozen=True)
class Headline:
    intro: str
    summary_themes: tuple[HeadlineItem, ...]
    key_insights: tuple[HeadlineItem, ...]
    implications: tuple[HeadlineItem, ...]
    conclusion: HeadlineItem


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class GuideMeta:
    id: str
    title: str
    version: str
    release_date: str
    licence: Licence
    how_to_cite: str
    backbone: str
    seed: str
    headline: Headline
    review_after_months: int
    subtitle: str = ""


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    score: float
    counts: bool


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    min: float
    text: str


@dataclass(frozen=True)
class BlockingRule:
    id: str
    tier: str
    answers: tuple[str, ...]
    band: str
    text: str


@dataclass(frozen=True)
class MinAnswered:
    """How many answers a theme, a step or the whole assessment needs before it gets a result."""

    share: float
    at_least: int

    def needed(self, in_scope: int) -> int:
        """Answers needed out of ``in_scope`` questions: the larger of the share (rounded up) and at_least, capped."""
        by_share = math.ceil(self.share * in_scope - 1e-9)
        return min(in_scope, max(self.at_least, by_share))


@dataclass(frozen=True)
class Assessment:
    """How the readiness self-assessment scores answers and bands results."""

    id: str
    title: str
    intro: str
    answers: tuple[Answer, ...]
    weights: dict[str, float]
    bands: tuple[Band, ...]
    blocking: tuple[BlockingRule, ...]
    min_answered: MinAnswered


@dataclass(frozen=True)
class CalculatorInput:
    """One number a reader enters into a calculator."""

    id: str
    label: str
    unit: str
    default: float
    min: float
    max: float
    step: float
    help: str
    group: str = ""
    only_for: str = ""
    optional: bool = False
    whole: bool = False


@dataclass(frozen=True)
class ChoiceOption:
    id: str
    label: str
    value: float | None = None


@dataclass(frozen=True)
class CalculatorChoice:
    """A list a reader picks one option from."""

    id: str
    label: str
    help: str
    default: str
    options: tuple[ChoiceOption, ...]


@dataclass(frozen=True)
class CalculatorResult:
    id: str
    label: str
    decimals: int
    unit: str = ""


@dataclass(frozen=True)
class CalculatorExample:
    """The values a calculator's worked example is computed from (left out: the input's or choice's default)."""

    inputs: dict[str, float] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Calculator:
    """A decision calculator: what it asks, what it works out and where its formulas come from."""

    id: str
    title: str
    intro: str
    explanation: tuple[str, ...]
    inputs: tuple[CalculatorInput, ...]
    results: tuple[CalculatorResult, ...]
    formulas: tuple[str, ...]
    example: CalculatorExample
    citations: tuple[Citation, ...]
    choices: tuple[CalculatorChoice, ...] = ()
    findings: tuple[str, ...] = ()

    @property
    def example_inputs(self) -> dict[str, float]:
        return self.example.inputs

    @property
    def example_choices(self) -> dict[str, str]:
        return self.example.choices


@dataclass(frozen=True)
class Change:
    type: str
    text: str
    records: tuple[str, ...] = ()


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    summary: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class RegulationGap:
    """Something a law page could not cover because its text was not found or read."""

    title: str
    text: str
    roles: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    title: str
    short_title: str
    summary: str
    last_reviewed: str
    gaps: tuple[RegulationGap, ...] = ()


@dataclass(frozen=True)
class Obligation:
    """One thing a law, standard or guidance document requires, with the sections that say so."""

    id: str
    title: str
    text: str
    binds: str
    roles: tuple[str, ...]
    phases: tuple[str, ...]
    citations: tuple[Citation, ...]
    last_reviewed: str
    advice: str = ""

    @property
    def anchor(self) -> str:
        return self.id


@dataclass(frozen=True)
class Instrument:
    """A law, standard or guidance document of one jurisdiction and the obligations it sets."""

    id: str
    jurisdiction: str
    title: str
    identifier: str
    kind: str
    covers: str
    binds: str
    last_reviewed: str
    obligations: tuple[Obligation, ...]

    @property
    def anchor(self) -> str:
        return self.id


@dataclass(frozen=True)
class CitingRecord:
    """A record that cites a source, as the Sources page links to it."""

    kind: str  # the kind of link: finding, faq, item, vendor-question, regulation, calculator, jurisdiction
    id: str
    label: str  # what the link shows: the id, or a calculator's or law page's title


@dataclass(frozen=True)
class GuideData:
    """All records of the guide, in file order, with lookups by id."""

    meta: GuideMeta
    sources: tuple[Source, ...]
    themes: tuple[Theme, ...]
    roles: tuple[Role, ...]
    phases: tuple[Phase, ...]
    frameworks: tuple[Framework, ...]
    terms: tuple[Term, ...]
    findings: tuple[Finding, ...]
    faqs: tuple[Faq, ...]
    items: tuple[ChecklistItem, ...]
    assessment: Assessment
    releases: tuple[Release, ...] = ()
    retired_findings: tuple[Finding, ...] = ()
    retired_faqs: tuple[Faq, ...] = ()
    retired_items: tuple[ChecklistItem, ...] = ()
    vendor_groups: tuple[VendorGroup, ...] = ()
    vendor_questions: tuple[VendorQuestion, ...] = ()
    calculators: tuple[Calculator, ...] = ()
    legal_notice: str = ""
    jurisdictions: tuple[Jurisdiction, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    theme_group_entries: tuple[ThemeGroupEntry, ...] = ()
    # Values derived from the records once and reused while this guide is rendered (filled by aiguide.evidence);
    # not an argument, so a copy made with dataclasses.replace starts with none.
    derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @cached_property
    def source(self) -> dict[str, Source]:
        return {source.key: source for source in self.sources}

    @cached_property
    def source_types(self) -> dict[str, str]:
        """Source key -> its type (what the confidence rule counts as a study)."""
        return {source.key: source.type for source in self.sources}

    @cached_property
    def theme(self) -> dict[str, Theme]:
        return {theme.id: theme for theme in self.themes}

    @cached_property
    def role(self) -> dict[str, Role]:
        return {role.id: role for role in self.roles}

    @cached_property
    def phase(self) -> dict[str, Phase]:
        return {phase.id: phase for phase in self.phases}

    @cached_property
    def framework(self) -> dict[str, Framework]:
        return {framework.id: framework for framework in self.frameworks}

    @cached_property
    def term(self) -> dict[str, Term]:
        return {term.id: term for term in self.terms}

    @cached_property
    def finding(self) -> dict[str, Finding]:
        """Every finding by id, retired ones included (their anchors stay alive)."""
        return {finding.id: finding for finding in (*self.findings, *self.retired_findings)}

    @cached_property
    def faq(self) -> dict[str, Faq]:
        return {faq.id: faq for faq in (*self.faqs, *self.retired_faqs)}

    @cached_property
    def item(self) -> dict[str, ChecklistItem]:
        return {item.id: item for item in (*self.items, *self.retired_items)}

    @cached_property
    def vendor_group(self) -> dict[str, VendorGroup]:
        return {group.id: group for group in self.vendor_groups}

    @cached_property
    def vendor_question(self) -> dict[str, VendorQuestion]:
        return {question.id: question for question in self.vendor_questions}

    def questions_in_group(self, group_id: str) -> tuple[VendorQuestion, ...]:
        """The group's questions for suppliers, in file order."""
        return self._questions_by_group.get(group_id, ())

    @cached_property
    def _questions_by_group(self) -> dict[str, tuple[VendorQuestion, ...]]:
        return _group_by(self.vendor_questions, lambda question: (question.group,))

    @cached_property
    def calculator(self) -> dict[str, Calculator]:
        return {calculator.id: calculator for calculator in self.calculators}

    @cached_property
    def jurisdiction(self) -> dict[str, Jurisdiction]:
        return {jurisdiction.id: jurisdiction for jurisdiction in self.jurisdictions}

    @cached_property
    def obligations(self) -> tuple[Obligation, ...]:
        """Every obligation of every law, in file order."""
        return tuple(obligation for instrument in self.instruments for obligation in instrument.obligations)

    @cached_property
    def regulation(self) -> dict[str, Instrument | Obligation]:
        """Laws and obligations by id: the ids that findings' and checklist items' ``regulations`` name."""
        found: dict[str, Instrument | Obligation] = {}
        for instrument in self.instruments:
            found[instrument.id] = instrument
            found.update((obligation.id, obligation) for obligation in instrument.obligations)
        return found

    @cached_property
    def instrument_of(self) -> dict[str, Instrument]:
        """Law or obligation id -> the law it belongs to."""
        return {
            key: instrument
            for instrument in self.instruments
            for key in (instrument.id, *(obligation.id for obligation in instrument.obligations))
        }

    def instruments_of(self, jurisdiction_id: str) -> tuple[Instrument, ...]:
        return tuple(instrument for instrument in self.instruments if instrument.jurisdiction == jurisdiction_id)

    @cached_property
    def theme_groups(self) -> tuple[ThemeGroup, ...]:
        """Themes by their first domain in the grouping framework, in the order themes.yaml lists the groups.

        Themes without that framework come last, under :data:`OTHER_THEMES`; empty groups are left out (the
        data check reports them, and any theme whose first domain has no group).
        """
        framework = self.framework.get(THEME_GROUP_FRAMEWORK)
        domains = {domain.id: domain for domain in framework.domains} if framework else {}
        members: dict[str, list[Theme]] = {entry.nasss_domain: [] for entry in self.theme_group_entries}
        others: list[Theme] = []
        for theme in self.themes:
            first = (theme.frameworks.get(THEME_GROUP_FRAMEWORK) or ("",))[0]
            members.get(first, others).append(theme)
        groups = [
            ThemeGroup(
                entry.id,
                entry.title,
                entry.summary,
                tuple(members[entry.nasss_domain]),
                domains.get(entry.nasss_domain),
            )
            for entry in self.theme_group_entries
            if members[entry.nasss_domain]
        ]
        if others:
            groups.append(ThemeGroup("other", OTHER_THEMES, "", tuple(others)))
        return tuple(groups)

    @cached_property
    def phases_in_order(self) -> tuple[Phase, ...]:
        return tuple(sorted(self.phases, key=lambda phase: phase.order))

    def findings_for_theme(self, theme_id: str, *, include_secondary: bool = False) -> tuple[Finding, ...]:
        """The theme's findings in file order: those with it as main theme, or also as a secondary one."""
        index = self._findings_by_any_theme if include_secondary else self._findings_by_theme
        return index.get(theme_id, ())

    def faqs_for_theme(self, theme_id: str) -> tuple[Faq, ...]:
        """FAQs resting on at least one finding of the theme (main or secondary)."""
        return self._faqs_by_theme.get(theme_id, ())

    def items_for_theme(self, theme_id: str) -> tuple[ChecklistItem, ...]:
        """Checklist items of the theme, or addressing one of its main findings."""
        return self._items_by_theme.get(theme_id, ())

    def items_for_phase(self, phase_id: str) -> tuple[ChecklistItem, ...]:
        """The step's checklist items, essential ones first, otherwise in file order."""
        return self._items_by_phase.get(phase_id, ())

    # The lookups above are asked once or more per theme or step page. Each index is built in one pass over the
    # records, so asking costs the same whatever the number of themes.

    @cached_property
    def _findings_by_theme(self) -> dict[str, tuple[Finding, ...]]:
        return _group_by(self.findings, lambda finding: (finding.theme,))

    @cached_property
    def _findings_by_any_theme(self) -> dict[str, tuple[Finding, ...]]:
        return _group_by(self.findings, lambda finding: (finding.theme, *finding.also_themes))

    @cached_property
    def _faqs_by_theme(self) -> dict[str, tuple[Faq, ...]]:
        themes_of = {finding.id: finding.all_themes for finding in (*self.findings, *self.retired_findings)}
        return _group_by(self.faqs, lambda faq: (theme for fid in faq.findings for theme in themes_of[fid]))

    @cached_property
    def _items_by_theme(self) -> dict[str, tuple[ChecklistItem, ...]]:
        main_theme = {finding.id: finding.theme for finding in self.findings}
        return _group_by(
            self.items,
            lambda item: (item.theme, *(main_theme[fid] for fid in item.findings if fid in main_theme)),
        )

    @cached_property
    def _items_by_phase(self) -> dict[str, tuple[ChecklistItem, ...]]:
        by_phase = _group_by(self.items, lambda item: (item.phase,))
        return {
            phase: tuple(sorted(items, key=lambda item: item.tier != "essential")) for phase, items in by_phase.items()
        }

    @cached_property
    def citing_records(self) -> dict[str, tuple[CitingRecord, ...]]:
        """Source key -> every live record that cites it, in the order of the guide's files."""
        cited: dict[str, list[CitingRecord]] = {source.key: [] for source in self.sources}
        groups: tuple[tuple[str, Iterable[Any]], ...] = (
            ("finding", self.findings),
            ("faq", self.faqs),
            ("item", self.items),
            ("vendor-question", self.vendor_questions),
            ("regulation", self.obligations),
            ("calculator", self.calculators),
        )
        for kind, records in groups:
            for record in records:
                label = record.title if kind == "calculator" else record.id
                for key in dict.fromkeys(citation.source for citation in record.citations):
                    cited[key].append(CitingRecord(kind, record.id, label))
        for jurisdiction in self.jurisdictions:
            gap_citations = [citation for gap in jurisdiction.gaps for citation in gap.citations]
            for key in dict.fromkeys(citation.source for citation in gap_citations):
                cited[key].append(CitingRecord("jurisdiction", jurisdiction.id, f"{jurisdiction.title} law page"))
        return {key: tuple(records) for key, records in cited.items()}


def _group_by(records: Iterable[Any], keys_of: Callable[[Any], Iterable[str]]) -> dict[str, tuple[Any, ...]]:
    """Records under each of their keys (a record once per key), in the order given."""
    groups: dict[str, list[Any]] = {}
    for record in records:
        for key in dict.fromkeys(keys_of(record)):
            groups.setdefault(key, []).append(record)
    return {key: tuple(members) for key, members in groups.items()}
