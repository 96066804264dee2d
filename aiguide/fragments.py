"""The page fragments the site's Markdown pages ask for, one function each.

Each function prepares its context in Python and hands it to one template.
:func:`fragment_functions` returns them by the names pages use, which is all
``macros.py`` registers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import evidence
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


class Fragments:
    """Renders every fragment of the site for one guide."""

    def __init__(self, data: GuideData, current_page: Callable[[], str] = lambda: "index.md"):
        self.data = data
        self.renderer = Renderer(data, current_page)
        self.renderer.env.globals["source_tally"] = evidence.source_tally(data)

    def _render(self, template: str, **context: Any) -> str:
        return self.renderer.render(template, **context)

    def theme_page(self, theme_id: str) -> str:
        if theme_id not in self.data.theme:
            raise UnknownIdError(f"theme_page: {theme_id!r} is not a theme in data/themes.yaml")
        return self._render("theme_page.md.j2", theme=self.data.theme[theme_id])

    def theme_overview(self) -> str:
        return self._render("theme_overview.md.j2")

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

    def functions(self) -> dict[str, Callable[..., str]]:
        """Every public fragment, by the name pages call it."""
        names = (
            "theme_page",
            "theme_overview",
            "findings_table",
            "source_list",
            "faq_list",
            "glossary_list",
            "headline",
            "start_here",
            "decision_makers",
            "about_table",
            "strength_rule",
            "checklist_by_phase",
        )
        return {name: getattr(self, name) for name in names}
