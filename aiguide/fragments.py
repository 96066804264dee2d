"""The page fragments the site's Markdown pages ask for, one function each.

Each function prepares its context in Python and hands it to one template.
:func:`fragment_functions` returns them by the names pages use, which is all
``macros.py`` registers.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import evidence, law
from .evidence_map import EvidenceMap, build_map
from .model import GuideData, Phase, Role, Theme
from .render import Renderer, plain

if TYPE_CHECKING:
    from .guide import Guide

# Every fragment the pages may call, by name (methods of Fragments); macros.py registers each.
FRAGMENT_NAMES = (
    "theme_page",
    "theme_overview",
    "theme_group_page",
    "findings_table",
    "source_list",
    "faq_list",
    "glossary_list",
    "headline",
    "start_here",
    "decision_makers",
    "about_table",
    "confidence_rule",
    "evidence_map",
    "checklist_by_phase",
    "phase_page",
    "role_page",
    "decision_path",
    "roles_overview",
    "checklist_essentials",
    "assessment_form",
    "assessment_rule",
    "downloads_list",
    "schema_reference",
    "changelog",
    "vendor_questions",
    "checklist_item_cards",
    "finding_summaries",
    "executive_summary",
    "calculator",
    "calculators_overview",
    "law_overview",
    "jurisdiction_page",
)


class UnknownIdError(KeyError):
    """A page asked for a record that is not in the data."""

    def __str__(self) -> str:
        return str(self.args[0])


def faq_jsonld(data: GuideData) -> dict[str, Any]:
    """schema.org FAQPage structured data for the FAQ page."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": plain(faq.question),
                "acceptedAnswer": {"@type": "Answer", "text": plain(faq.answer)},
            }
            for faq in data.faqs
        ],
    }


@dataclass(frozen=True)
class RoleEntry:
    """What the home page says about one role: its counts and the themes to begin with."""

    role: Role
    findings: int
    items: int
    top_themes: tuple[Theme, ...]


def role_entries(data: GuideData, count: int = 2) -> list[RoleEntry]:
    """For each role, its counts and the themes holding most of its findings (ties in file order)."""
    order = {theme.id: index for index, theme in enumerate(data.themes)}
    entries = []
    for role in data.roles:
        findings = [finding for finding in data.findings if role.id in finding.roles]
        tally = Counter(finding.theme for finding in findings)
        ranked = sorted(tally, key=lambda theme_id: (-tally[theme_id], order[theme_id]))
        entries.append(
            RoleEntry(
                role=role,
                findings=len(findings),
                items=sum(role.id in item.roles for item in data.items),
                top_themes=tuple(data.theme[theme_id] for theme_id in ranked[:count]),
            )
        )
    return entries


@dataclass(frozen=True)
class PhaseEntry:
    """What the home page says about one decision point."""

    phase: Phase
    essential: int
    recommended: int


def phase_entries(data: GuideData) -> list[PhaseEntry]:
    entries = []
    for phase in data.phases_in_order:
        tiers = Counter(item.tier for item in data.items_for_phase(phase.id))
        entries.append(PhaseEntry(phase, tiers["essential"], tiers["recommended"]))
    return entries


@dataclass(frozen=True)
class PhaseView:
    """Everything a phase page shows, prepared from the data."""

    phase: Phase
    barriers: list
    facilitators: list
    both: list  # findings that help or hinder depending on how they are handled
    essential: list
    recommended: list
    faqs: list
    themes: list[tuple[Theme, int]]
    previous: Phase | None
    next: Phase | None


def phase_view(data: GuideData, phase_id: str) -> PhaseView:
    phase = data.phase[phase_id]
    findings = [finding for finding in data.findings if phase_id in finding.phases]
    items = data.items_for_phase(phase_id)
    tally = Counter(finding.theme for finding in findings)
    ordered = list(data.phases_in_order)
    position = ordered.index(phase)
    return PhaseView(
        phase=phase,
        barriers=evidence.by_confidence([f for f in findings if f.direction == "barrier"], data),
        facilitators=evidence.by_confidence([f for f in findings if f.direction == "facilitator"], data),
        both=evidence.by_confidence([f for f in findings if f.direction == "both"], data),
        essential=[item for item in items if item.tier == "essential"],
        recommended=[item for item in items if item.tier == "recommended"],
        faqs=[faq for faq in data.faqs if phase_id in faq.phases],
        themes=[(theme, tally[theme.id]) for theme in data.themes if tally[theme.id]],
        previous=ordered[position - 1] if position else None,
        next=ordered[position + 1] if position + 1 < len(ordered) else None,
    )


@dataclass(frozen=True)
class RoleView:
    """Everything a role page shows, prepared from the data."""

    role: Role
    items_by_phase: list[tuple[Phase, list]]
    findings: list
    faqs: list
    regulations: list = dataclasses.field(default_factory=list)  # law.RoleLaw per jurisdiction


def role_view(data: GuideData, role_id: str) -> RoleView:
    role = data.role[role_id]
    items_by_phase = []
    for phase in data.phases_in_order:
        items = [item for item in data.items_for_phase(phase.id) if role_id in item.roles]
        if items:
            items_by_phase.append((phase, items))
    return RoleView(
        role=role,
        items_by_phase=items_by_phase,
        findings=evidence.by_confidence([finding for finding in data.findings if role_id in finding.roles], data),
        faqs=[faq for faq in data.faqs if role_id in faq.roles],
        regulations=law.obligations_for_role(data, role_id),
    )


# Largest saved, shared or loaded assessment the page reads (characters), and longest note it keeps.
ASSESSMENT_LIMITS = {"text": 5_000_000, "note": 5_000}


def assessment_config(data: GuideData, renderer: Renderer) -> dict[str, Any]:
    """The data the assessment script needs, embedded in its page as JSON (no constants in JavaScript)."""
    assessment = data.assessment
    return {
        "schema": 2,
        "guide": {"title": data.meta.title, "version": data.meta.version},
        "storageKey": f"{data.meta.id}:{assessment.id}",
        "answers": [dataclasses.asdict(answer) for answer in assessment.answers],
        "weights": assessment.weights,
        "bands": [dataclasses.asdict(band) | {"text": plain(band.text)} for band in assessment.bands],
        "blocking": [dataclasses.asdict(rule) | {"text": plain(rule.text)} for rule in assessment.blocking],
        "minAnswered": {"share": assessment.min_answered.share, "atLeast": assessment.min_answered.at_least},
        "limits": ASSESSMENT_LIMITS,
        "themes": {t.id: {"title": t.title, "url": renderer.href("theme", t.id)} for t in data.themes},
        "phases": {
            p.id: {"title": p.title, "order": p.order, "url": renderer.href("phase", p.id)}
            for p in data.phases_in_order
        },
        "retired": {item.id: item.replaced_by for item in data.retired_items},
        "items": [
            {
                "id": item.id,
                "question": plain(item.question),
                "theme": item.theme,
                "phase": item.phase,
                "tier": item.tier,
                "actions": [
                    {
                        "finding": fid,
                        "title": data.finding[fid].title,
                        "action": plain(data.finding[fid].action),
                        "url": renderer.href("finding", fid),
                    }
                    for fid in item.findings
                ],
            }
            for item in data.items
        ],
    }


PDF_NOT_BUILT = "not in this build (make site prints it)"
PDF_NAME = "guide.pdf"  # the build prints the whole guide to this file in the downloads folder
DOWNLOADS_FOLDER = "downloads"  # where the build writes the downloads, relative to the site root
PDF_DESCRIPTION = (
    "Every page of the guide with a cover, an executive summary, contents with page numbers and the evidence "
    "for each finding, for reading offline or printing; the self-assessment appears as a checklist to fill in by hand"
)


# The downloads table names each file's type in words; the media types themselves stay with the files (exports).
FORMAT_NAMES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook (XLSX)",
    "application/pdf": "PDF document",
    "application/json": "JSON data",
    "application/schema+json": "JSON Schema",
    "text/csv": "CSV table (opens in a spreadsheet)",
    "application/x-bibtex": "BibTeX (for reference managers)",
    "application/x-research-info-systems": "RIS (for reference managers)",
    "application/yaml": "Citation File Format (YAML text)",
    "text/plain": "Plain text",
}


def format_name(media_type: str) -> str:
    """A file's type in words, e.g. ``text/csv; charset=utf-8`` -> ``CSV table (opens in a spreadsheet)``."""
    base = media_type.split(";", 1)[0].strip()
    return FORMAT_NAMES.get(base, base)


@dataclass(frozen=True)
class DownloadEntry:
    name: str
    title: str
    description: str
    format: str  # the file's type in words (see FORMAT_NAMES)
    size: str


def human_size(size: int) -> str:
    """Bytes in the units people read: 812 bytes, 35.8 KB, 7.2 MB."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


class Fragments:
    """Renders every fragment of the site for one guide."""

    def __init__(self, guide: Guide, current_page: Callable[[], str] = lambda: "index.md"):
        self.guide = guide
        self.data = data = guide.model
        self.renderer = Renderer(guide, current_page)
        self.renderer.env.globals["source_tally"] = evidence.source_tally(data)

    def _render(self, template: str, **context: Any) -> str:
        return self.renderer.render(template, **context)

    def theme_page(self, theme_id: str) -> str:
        if theme_id not in self.data.theme:
            raise UnknownIdError(f"theme_page: {theme_id!r} is not a theme in data/themes.yaml")
        return self._render("theme_page.md.j2", theme=self.data.theme[theme_id])

    def theme_overview(self) -> str:
        return self._render("theme_overview.md.j2")

    def theme_group_page(self, group_id: str) -> str:
        groups = {group.id: group for group in self.data.theme_groups}
        if group_id not in groups:
            raise UnknownIdError(f"theme_group_page: {group_id!r} is not a theme group (see data/themes.yaml)")
        return self._render("theme_group.md.j2", group=groups[group_id], map=self._map(group_id))

    def findings_table(self) -> str:
        return self._render("findings_table.html.j2")

    def source_list(self) -> str:
        return self._render("sources.md.j2")

    def faq_list(self) -> str:
        return self._render("faq.md.j2", faq_jsonld=faq_jsonld(self.data))

    def glossary_list(self) -> str:
        return self._render("glossary.md.j2")

    def headline(self) -> str:
        return self._render("headline.md.j2")

    def start_here(self) -> str:
        """The home page's entry points (the PDF is linked where the build puts it, even before it is printed)."""
        return self._render("start_here.md.j2", pdf=self._download_link(PDF_NAME))

    def _download_link(self, name: str) -> str:
        here = posixpath.dirname(self.renderer.current_page()) or "."
        return posixpath.relpath(f"{DOWNLOADS_FOLDER}/{name}", here)

    def decision_makers(self) -> str:
        implications = self.data.meta.headline.implications
        shared = [c for c in implications[0].citations if all(c in item.citations for item in implications[1:])]
        return self._render("decision_makers.md.j2", shared=shared if len(implications) > 1 else [])

    def executive_summary(self) -> str:
        from .summary import summary

        return self._render("executive_summary.md.j2", s=summary(self.data))

    def about_table(self) -> str:
        return self._render("about.md.j2")

    def confidence_rule(self) -> str:
        return self._render(
            "method.md.j2",
            combinations=evidence.combination_table(),
            tally=evidence.confidence_tally(self.data.findings, self.data),
        )

    def evidence_map(self, group_id: str = "") -> str:
        """The evidence map of every theme group, or of one (``group_id``)."""
        return self._render("evidence_map.html.j2", map=self._map(group_id))

    def _map(self, group_id: str = "") -> EvidenceMap:
        directions = self.renderer.env.globals["DIRECTION_LABELS"]
        if not group_id:
            return build_map(self.data, directions)
        groups = [group for group in self.data.theme_groups if group.id == group_id]
        if not groups:
            raise UnknownIdError(f"evidence_map: {group_id!r} is not a theme group (see data/themes.yaml)")
        return build_map(self.data, directions, groups, map_id=f"map-{group_id}")

    def checklist_by_phase(self) -> str:
        return self._render("checklists.md.j2")

    def phase_page(self, phase_id: str) -> str:
        if phase_id not in self.data.phase:
            raise UnknownIdError(f"phase_page: {phase_id!r} is not a phase in data/phases.yaml")
        return self._render("phase_page.md.j2", view=phase_view(self.data, phase_id))

    def role_page(self, role_id: str) -> str:
        if role_id not in self.data.role:
            raise UnknownIdError(f"role_page: {role_id!r} is not a role in data/roles.yaml")
        return self._render("role_page.md.j2", view=role_view(self.data, role_id))

    def decision_path(self) -> str:
        return self._render("decision_path.html.j2", phases=phase_entries(self.data))

    def roles_overview(self) -> str:
        return self._render("roles_overview.md.j2", roles=role_entries(self.data))

    def checklist_essentials(self) -> str:
        return self._render("essentials.md.j2")

    def assessment_form(self) -> str:
        return self._render("assessment.html.j2", config=assessment_config(self.data, self.renderer))

    def assessment_rule(self) -> str:
        return self._render("assessment_rule.md.j2")

    def calculator(self, calculator_id: str) -> str:
        """A calculator's page: its form, formulas, worked example (computed here) and sources."""
        from . import calculators

        if calculator_id not in self.data.calculator:
            raise UnknownIdError(f"calculator: {calculator_id!r} is not a calculator in data/calculators.yaml")
        calc = self.data.calculator[calculator_id]
        storage_key = f"{self.data.meta.id}:calculator:{calc.id}"
        return self._render(
            "calculator.md.j2",
            calc=calc,
            groups=calculators.input_groups(calc),
            example=calculators.worked_example(calc),
            config=calculators.script_config(calc, storage_key, self.data.meta.version),
            input_text=calculators.input_text,
            supports=self.guide.fields.labels("calculators", "calculators[].citations[].supports"),
        )

    def calculators_overview(self) -> str:
        return self._render("calculators.md.j2")

    def downloads_list(self) -> str:
        """The downloads table: open data computed in memory to state sizes, the PDF's size stated by the build."""
        from .exports import download_files

        files = [
            DownloadEntry(f.name, f.title, f.description, format_name(f.media_type), human_size(len(f.content)))
            for f in download_files(self.guide)
        ]
        # `make site` prints the PDF after the pages are built and then states its size in its cell.
        pdf = DownloadEntry(
            PDF_NAME, "The whole guide as a PDF", PDF_DESCRIPTION, format_name("application/pdf"), PDF_NOT_BUILT
        )
        files.insert(0, pdf)
        return self._render("downloads.html.j2", files=files, version=self.data.meta.version)

    def vendor_questions(self) -> str:
        """The questions for suppliers by group, with filters, ticks and the data for a CSV of the ticked ones."""
        from .tender import CSV_NAME, XLSX_NAME, selection_config

        downloads = {"xlsx": self._download_link(XLSX_NAME), "csv": self._download_link(CSV_NAME)}
        return self._render(
            "vendor_questions.md.j2",
            selection=selection_config(self.data),
            downloads=downloads,
            SUPPORT_LABELS=self.guide.fields.labels("vendor_questions", "questions[].citations[].supports"),
        )

    def checklist_item_cards(self, ids: list[str] | tuple[str, ...], prefix: str = "card") -> str:
        """The named checklist items, in the order given, with what good looks like (for topic pages)."""
        unknown = [item_id for item_id in ids if item_id not in self.data.item]
        if unknown:
            raise UnknownIdError(f"checklist_item_cards: {', '.join(unknown)} not in data/checklists.yaml")
        items = [self.data.item[item_id] for item_id in ids]
        return self._render("checklist_item_cards.md.j2", items=items, prefix=prefix)

    def finding_summaries(self, ids: list[str] | tuple[str, ...]) -> str:
        """The named findings as a short table: title, direction, confidence and what to do."""
        unknown = [finding_id for finding_id in ids if finding_id not in self.data.finding]
        if unknown:
            raise UnknownIdError(f"finding_summaries: {', '.join(unknown)} not in data/findings.yaml")
        return self._render("finding_summaries.md.j2", findings=[self.data.finding[fid] for fid in ids])

    def schema_reference(self) -> str:
        from .schema_reference import render_reference

        return render_reference(self.guide)

    def changelog(self) -> str:
        return self._render("changelog.md.j2")

    def law_overview(self) -> str:
        return self._render("law_overview.md.j2", rows=law.phase_rows(self.data))

    def jurisdiction_page(self, jurisdiction_id: str) -> str:
        if jurisdiction_id not in self.data.jurisdiction:
            raise UnknownIdError(
                f"jurisdiction_page: {jurisdiction_id!r} is not a jurisdiction in data/regulations.yaml"
            )
        return self._render("jurisdiction_page.md.j2", view=law.jurisdiction_view(self.data, jurisdiction_id))
