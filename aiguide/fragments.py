"""The page fragments the site's Markdown pages ask for, one function each.

Each function prepares its context in Python and hands it to one template.
:func:`fragment_functions` returns them by the names pages use, which is all
``macros.py`` registers.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import PROJECT_DIR, evidence, law
from .model import GuideData, Phase, Role, Theme
from .render import Renderer, plain


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


def by_strength(findings, data: GuideData) -> list:
    """Findings ordered strongest evidence first, then in file order."""
    rank = {level.id: index for index, level in enumerate(evidence.LEVELS)}
    return sorted(findings, key=lambda finding: rank[evidence.strength(finding, data).id])


@dataclass(frozen=True)
class PhaseView:
    """Everything a phase page shows, prepared from the data."""

    phase: Phase
    barriers: list
    facilitators: list
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
        barriers=by_strength([f for f in findings if f.direction in ("barrier", "both")], data),
        facilitators=by_strength([f for f in findings if f.direction in ("facilitator", "both")], data),
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
        findings=by_strength([finding for finding in data.findings if role_id in finding.roles], data),
        faqs=[faq for faq in data.faqs if role_id in faq.roles],
        regulations=law.obligations_for_role(data, role_id),
    )


def assessment_config(data: GuideData, renderer: Renderer) -> dict[str, Any]:
    """The data the assessment script needs, embedded in its page as JSON (no constants in JavaScript)."""
    assessment = data.assessment
    return {
        "schema": 1,
        "guide": {"title": data.meta.title, "version": data.meta.version},
        "storageKey": f"{data.meta.id}:{assessment.id}",
        "answers": [dataclasses.asdict(answer) for answer in assessment.answers],
        "weights": assessment.weights,
        "bands": [dataclasses.asdict(band) | {"text": plain(band.text)} for band in assessment.bands],
        "blocking": [dataclasses.asdict(rule) | {"text": plain(rule.text)} for rule in assessment.blocking],
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
PDF_DESCRIPTION = (
    "Every page of the guide with a cover, contents and page numbers, for reading offline or printing; "
    "the self-assessment appears as a checklist to fill in by hand"
)


@dataclass(frozen=True)
class DownloadEntry:
    name: str
    title: str
    description: str
    media_type: str
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

    def __init__(
        self,
        data: GuideData,
        current_page: Callable[[], str] = lambda: "index.md",
        project_dir: Path = PROJECT_DIR,
    ):
        self.data = data
        self.project_dir = project_dir
        self.renderer = Renderer(data, current_page)
        self.renderer.env.globals["source_tally"] = evidence.source_tally(data)
        self.renderer.env.globals.update(
            BINDS_LABELS=law.BINDS_LABELS, INSTRUMENT_KIND_LABELS=law.INSTRUMENT_KIND_LABELS
        )

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
        return self._render("theme_group.md.j2", group=groups[group_id])

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
        return self._render("start_here.md.j2", roles=role_entries(self.data), phases=phase_entries(self.data))

    def decision_makers(self) -> str:
        return self._render("decision_makers.md.j2")

    def about_table(self) -> str:
        return self._render("about.md.j2")

    def strength_rule(self) -> str:
        return self._render("method.md.j2")

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

    def downloads_list(self) -> str:
        """The downloads table: open data computed in memory to state sizes, the PDF's size stated by the build."""
        from .exports import download_files

        files = [
            DownloadEntry(f.name, f.title, f.description, f.media_type, human_size(len(f.content)))
            for f in download_files(self.project_dir)
        ]
        # `make site` prints the PDF after the pages are built and then states its size in this cell.
        size = PDF_NOT_BUILT
        files.insert(
            0, DownloadEntry("guide.pdf", "The whole guide as a PDF", PDF_DESCRIPTION, "application/pdf", size)
        )
        return self._render("downloads.html.j2", files=files, version=self.data.meta.version)

    def schema_reference(self) -> str:
        from .schema_reference import render_reference

        return render_reference(self.data, self.project_dir)

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

    def functions(self) -> dict[str, Callable[..., str]]:
        """Every public fragment, by the name pages call it."""
        from .fragment_cache import FRAGMENT_NAMES

        return {name: getattr(self, name) for name in FRAGMENT_NAMES}
