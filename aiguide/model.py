"""Typed records built from validated data, with the indexes pages need."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .problems import DataError
from .validate import data_digest, load_and_check

DIRECTIONS = ("facilitator", "barrier", "both")


@dataclass(frozen=True)
class Citation:
    source: str
    section: str
    mark: str
    note: str = ""


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
# so the menu stays short however many themes the data holds.
THEME_GROUP_FRAMEWORK = "nasss"
OTHER_THEMES = "Other themes"


@dataclass(frozen=True)
class ThemeGroup:
    """Themes that share their first domain in :data:`THEME_GROUP_FRAMEWORK`."""

    id: str
    title: str
    summary: str
    themes: tuple[Theme, ...]


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
    findings: tuple[str, ...]
    help: str
    last_reviewed: str
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
class Assessment:
    """How the readiness self-assessment scores answers and bands results."""

    id: str
    title: str
    intro: str
    answers: tuple[Answer, ...]
    weights: dict[str, float]
    bands: tuple[Band, ...]
    blocking: tuple[BlockingRule, ...]

    def band_for(self, percent: float) -> Band:
        """The band a score falls in (bands run from their ``min`` up to the next band's)."""
        ordered = sorted(self.bands, key=lambda band: band.min, reverse=True)
        return next((band for band in ordered if percent >= band.min), ordered[-1])


def _assessment(raw: dict[str, Any]) -> Assessment:
    return Assessment(
        id=raw["id"],
        title=raw["title"],
        intro=raw["intro"],
        answers=tuple(Answer(**answer) for answer in raw["answers"]),
        weights=dict(raw["weights"]),
        bands=tuple(Band(**band) for band in raw["bands"]),
        blocking=tuple(BlockingRule(**_tuples(rule, "answers")) for rule in raw["blocking"]),
    )


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


def _release(raw: dict[str, Any]) -> Release:
    changes = tuple(Change(**_tuples(change, "records")) for change in raw["changes"])
    return Release(raw["version"], raw["date"], raw["summary"], changes)


def _citations(raw: Iterable[dict[str, Any]] | None) -> tuple[Citation, ...]:
    return tuple(Citation(**item) for item in raw or ())


def _tuples(raw: dict[str, Any], *names: str) -> dict[str, Any]:
    """Copy ``raw`` with the named list fields turned into tuples."""
    result = dict(raw)
    for name in names:
        if name in result:
            result[name] = tuple(result[name])
    return result


def _mapping_of_tuples(raw: dict[str, list[str]] | None) -> dict[str, tuple[str, ...]]:
    return {key: tuple(values) for key, values in (raw or {}).items()}


def _headline_item(raw: dict[str, Any]) -> HeadlineItem:
    values = _tuples(raw, "themes", "findings")
    values["citations"] = _citations(raw.get("citations"))
    return HeadlineItem(**values)


def _guide_meta(raw: dict[str, Any]) -> GuideMeta:
    headline = raw["headline"]
    values = dict(raw)
    values["licence"] = Licence(**raw["licence"])
    values["headline"] = Headline(
        intro=headline["intro"],
        summary_themes=tuple(_headline_item(item) for item in headline["summary_themes"]),
        key_insights=tuple(_headline_item(item) for item in headline["key_insights"]),
        implications=tuple(_headline_item(item) for item in headline["implications"]),
        conclusion=_headline_item(headline["conclusion"]),
    )
    return GuideMeta(**values)


def _finding(raw: dict[str, Any]) -> Finding:
    values = _tuples(raw, "roles", "phases", "also_themes", "terms", "regulations")
    values["citations"] = _citations(raw["citations"])
    return Finding(**values)


def _faq(raw: dict[str, Any]) -> Faq:
    values = _tuples(raw, "findings", "roles", "phases")
    values["citations"] = _citations(raw["citations"])
    return Faq(**values)


def _item(raw: dict[str, Any]) -> ChecklistItem:
    values = _tuples(raw, "roles", "findings", "regulations")
    values["citations"] = _citations(raw.get("citations"))
    values["crosswalk"] = _mapping_of_tuples(raw.get("crosswalk"))
    return ChecklistItem(**values)


def _theme(raw: dict[str, Any]) -> Theme:
    values = dict(raw)
    values["frameworks"] = _mapping_of_tuples(raw.get("frameworks"))
    return Theme(**values)


def _framework(raw: dict[str, Any]) -> Framework:
    values = dict(raw)
    values["domains"] = tuple(Domain(**domain) for domain in raw["domains"])
    return Framework(**values)


@dataclass(frozen=True)
class RegulationGap:
    """Something a law page could not cover because its text was not found or read."""

    title: str
    text: str
    citations: tuple[Citation, ...] = ()
    roles: tuple[str, ...] = ()


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


def _jurisdiction(raw: dict[str, Any]) -> Jurisdiction:
    values = dict(raw)
    values["gaps"] = tuple(
        RegulationGap(gap["title"], gap["text"], _citations(gap.get("citations")), tuple(gap.get("roles", ())))
        for gap in raw.get("gaps", ())
    )
    return Jurisdiction(**values)


def _obligation(raw: dict[str, Any]) -> Obligation:
    values = _tuples(raw, "roles", "phases")
    values["citations"] = _citations(raw["citations"])
    return Obligation(**values)


def _instrument(raw: dict[str, Any]) -> Instrument:
    values = dict(raw)
    values["obligations"] = tuple(_obligation(item) for item in raw["obligations"])
    return Instrument(**values)


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
    legal_notice: str = ""
    jurisdictions: tuple[Jurisdiction, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    digest: str = ""  # content key of every data file and schema: equal digests mean identical data

    @cached_property
    def source(self) -> dict[str, Source]:
        return {source.key: source for source in self.sources}

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
        """Themes by their first domain in the grouping framework, in the framework's domain order.

        Themes without that framework come last, under :data:`OTHER_THEMES`; empty groups are left out.
        """
        framework = self.framework.get(THEME_GROUP_FRAMEWORK)
        domains = framework.domains if framework else ()
        members: dict[str, list[Theme]] = {domain.id: [] for domain in domains}
        others: list[Theme] = []
        for theme in self.themes:
            first = (theme.frameworks.get(THEME_GROUP_FRAMEWORK) or ("",))[0]
            members.get(first, others).append(theme)
        groups = [
            ThemeGroup(domain.id, domain.title, domain.summary, tuple(members[domain.id]))
            for domain in domains
            if members[domain.id]
        ]
        if others:
            groups.append(ThemeGroup("other", OTHER_THEMES, "", tuple(others)))
        return tuple(groups)

    @cached_property
    def phases_in_order(self) -> tuple[Phase, ...]:
        return tuple(sorted(self.phases, key=lambda phase: phase.order))

    def findings_for_theme(self, theme_id: str, *, include_secondary: bool = False) -> tuple[Finding, ...]:
        return tuple(
            finding
            for finding in self.findings
            if finding.theme == theme_id or (include_secondary and theme_id in finding.also_themes)
        )

    def faqs_for_theme(self, theme_id: str) -> tuple[Faq, ...]:
        """FAQs resting on at least one finding of the theme (main or secondary)."""
        return tuple(faq for faq in self.faqs if any(theme_id in self.finding[fid].all_themes for fid in faq.findings))

    def items_for_theme(self, theme_id: str) -> tuple[ChecklistItem, ...]:
        """Checklist items of the theme, or addressing one of its main findings."""
        own = {finding.id for finding in self.findings_for_theme(theme_id)}
        return tuple(item for item in self.items if item.theme == theme_id or own.intersection(item.findings))

    def items_for_phase(self, phase_id: str) -> tuple[ChecklistItem, ...]:
        chosen = [item for item in self.items if item.phase == phase_id]
        return tuple(sorted(chosen, key=lambda item: item.tier != "essential"))

    @cached_property
    def citing_records(self) -> dict[str, tuple[str, ...]]:
        """Source key -> ids of the findings, FAQs, checklist items and legal obligations that cite it."""
        cited: dict[str, list[str]] = {source.key: [] for source in self.sources}
        for record in (*self.findings, *self.faqs, *self.items, *self.obligations):
            for key in dict.fromkeys(citation.source for citation in record.citations):
                cited[key].append(record.id)
        return {key: tuple(ids) for key, ids in cited.items()}


def _split(records: tuple) -> tuple[tuple, tuple]:
    """(active, retired) records, each in file order."""
    active = tuple(record for record in records if record.status != "retired")
    retired = tuple(record for record in records if record.status == "retired")
    return active, retired


def build_model(files: dict[str, Any], digest: str = "") -> GuideData:
    """Typed model from validated files (``LoadedFile`` objects keyed by name)."""
    data = {name: loaded.data for name, loaded in files.items()}
    findings, retired_findings = _split(tuple(_finding(raw) for raw in data["findings"]["findings"]))
    faqs, retired_faqs = _split(tuple(_faq(raw) for raw in data["faqs"]["faqs"]))
    items, retired_items = _split(tuple(_item(raw) for raw in data["checklists"]["items"]))
    regulations = data["regulations"]
    return GuideData(
        meta=_guide_meta(data["guide"]),
        sources=tuple(Source(**_tuples(raw, "authors", "not_seen")) for raw in data["sources"]["sources"]),
        themes=tuple(_theme(raw) for raw in data["themes"]["themes"]),
        roles=tuple(Role(**_tuples(raw, "concerns")) for raw in data["roles"]["roles"]),
        phases=tuple(Phase(**_tuples(raw, "decisions")) for raw in data["phases"]["phases"]),
        frameworks=tuple(_framework(raw) for raw in data["frameworks"]["frameworks"]),
        terms=tuple(Term(**_tuples(raw, "related")) for raw in data["glossary"]["terms"]),
        findings=findings,
        faqs=faqs,
        items=items,
        assessment=_assessment(data["assessment"]),
        releases=tuple(_release(raw) for raw in data["changelog"]["releases"]),
        retired_findings=retired_findings,
        retired_faqs=retired_faqs,
        retired_items=retired_items,
        legal_notice=regulations["notice"],
        jurisdictions=tuple(_jurisdiction(raw) for raw in regulations["jurisdictions"]),
        instruments=tuple(_instrument(raw) for raw in regulations["instruments"]),
        digest=digest,
    )


def load_guide(project_dir: Path) -> GuideData:
    """Load, check and model the guide's data; raise :class:`DataError` listing every problem."""
    return load_guide_and_raw(project_dir)[0]


def load_guide_and_raw(project_dir: Path) -> tuple[GuideData, dict[str, Any]]:
    """:func:`load_guide`, plus the parsed YAML of every data file (for exports that keep the files' keys)."""
    files, problems = load_and_check(project_dir)
    if problems:
        raise DataError(problems)
    model = model_without_collecting(files, data_digest(project_dir, files))
    return model, {name: loaded.data for name, loaded in files.items()}


def model_without_collecting(files: dict[str, Any], digest: str) -> GuideData:
    """:func:`build_model` with garbage collection paused: modelling only creates objects that stay alive."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build_model(files, digest)
    finally:
        if collecting:
            gc.enable()
