"""Render page fragments from Jinja templates: Python prepares data, templates hold markup.

Every template is autoescaped, so text from the data files can never become
raw HTML; Markdown emphasis in data text still works because MkDocs renders
the fragments as Markdown afterwards.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from . import PACKAGE_DIR, evidence
from .cache import project_cache
from .model import THEME_GROUP_FRAMEWORK

if TYPE_CHECKING:
    from .guide import Guide
    from .problems import Problem

TEMPLATE_DIR = PACKAGE_DIR / "templates"

# Where each kind of record lives on the site: (page source path, anchor or None).
PAGES = {
    "home": "index.md",
    "themes": "themes/index.md",
    "findings": "findings/index.md",
    "checklists": "checklists/index.md",
    "faq": "faq/index.md",
    "sources": "sources/index.md",
    "method": "method/index.md",
    "glossary": "glossary/index.md",
    "decision-makers": "decision-makers/index.md",
    "phases": "phases/index.md",
    "roles": "roles/index.md",
    "essentials": "checklists/essentials/index.md",
    "assessment": "assessment/index.md",
    "calculators": "calculators/index.md",
    "changelog": "changelog/index.md",
    "editing": "editing/index.md",
    "reference": "editing/reference/index.md",
    "about": "about/index.md",
    "law": "law/index.md",
    "vendor-questions": "vendor-questions/index.md",
    "local-validation": "local-validation/index.md",
    "downloads": "downloads/index.md",
}

# Law pages: one per jurisdiction in this folder (law/<jurisdiction id>/), laws and obligations anchored by id.
LAW_FOLDER = "law"

# Pages of the theme groups (see GuideData.theme_groups) live in this folder, one sub-folder per group.
THEME_GROUP_FOLDER = "themes/by-domain"

# Template globals holding the words readers see for enum values, and the field whose ``x-labels`` give them.
LABEL_FIELDS = {
    "MARK_LABELS": ("findings", "findings[].citations[].mark"),
    "VERIFICATION_LABELS": ("sources", "sources[].verification"),
    "DIRECTION_LABELS": ("findings", "findings[].direction"),
    "TYPE_LABELS": ("sources", "sources[].type"),
    "TIER_LABELS": ("checklists", "items[].tier"),
    "SUPPORT_LABELS": ("findings", "findings[].citations[].supports"),
    "KIND_LABELS": ("findings", "findings[].kind"),
    "LEVEL_LABELS": ("findings", "findings[].confidence.override.level"),
    "CONCERN_LABELS": ("findings", "findings[].confidence.methodological_limitations.concern"),
    "ROLE_LABELS": ("sources", "sources[].role"),
    "NOT_SEEN_LABELS": ("sources", "sources[].not_seen"),
    "ORIGIN_LABELS": ("faqs", "faqs[].origin"),
    "BINDS_LABELS": ("regulations", "instruments[].binds"),
    "INSTRUMENT_KIND_LABELS": ("regulations", "instruments[].kind"),
}
# Template globals holding one sentence per enum value telling readers what it means (``x-meanings``).
MEANING_FIELDS = {
    "KIND_MEANINGS": ("findings", "findings[].kind"),
    "LEVEL_MEANINGS": ("findings", "findings[].confidence.override.level"),
}


@dataclass(frozen=True)
class ComponentInfo:
    """A GRADE-CERQual component as readers see it: its field name, title and explanation (from the schema)."""

    id: str
    title: str
    description: str


def component_infos(guide: Guide) -> dict[str, ComponentInfo]:
    """The components by field name, in the rule's order."""
    infos = {}
    for name in evidence.COMPONENTS:
        info = guide.fields.field("findings", f"findings[].confidence.{name}")
        schema = info.node.schema if info is not None else {}
        infos[name] = ComponentInfo(name, schema.get("title", name), schema.get("description", ""))
    return infos


# Characters that would let data text start Markdown links or images ([text](url)), attribute lists
# ({: onclick=…}) or template syntax ({{ … }}). They are written as character references, so data text
# shows them literally; emphasis (*, _) keeps working. Markup built by templates is not affected.
_MARKUP_STARTERS = str.maketrans({"[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;"})


def neutralise(value: Any) -> Any:
    """Jinja ``finalize`` hook: make every printed data string inert (autoescape then handles < > & " ')."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(escape(value).translate(_MARKUP_STARTERS))
    return value


_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


@functools.lru_cache(maxsize=8192)
def _relative_path(page: str, folder: str) -> str:
    """``page`` as seen from ``folder`` (both relative to docs/); asked thousands of times per build."""
    return posixpath.relpath(page, folder or ".")


def theme_page_path(theme_id: str) -> str:
    return f"themes/{theme_id}/index.md"


def plain(text: str) -> str:
    """Text without Markdown emphasis markers and with whitespace folded."""
    return " ".join(_EMPHASIS.sub(r"\2", str(text)).split())


def code_span(text: str) -> Markup:
    """Text as a Markdown code span, shown exactly as written (Markdown escapes < and & inside it).

    The fence is longer than any run of backticks in the text, so data cannot end the span early.
    """
    text = " ".join(str(text).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def template_environment(cache_dir: Path | None = None) -> Environment:
    """The Jinja environment of every template: autoescaped, strict, data text made inert.

    With ``cache_dir``, compiled templates are kept there between builds (Jinja checks each template's
    source before reusing its compiled form, and stores entries atomically).
    """
    bytecode = None
    if cache_dir is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            bytecode = FileSystemBytecodeCache(str(cache_dir))
        except OSError:
            pass  # a read-only checkout compiles the templates on every build
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        bytecode_cache=bytecode,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=neutralise,
    )
    env.filters.update(plain=plain, cell=table_cell, code=code_span)
    return env


def problems_notice(problems: list[Problem]) -> str:
    """What every page of the live preview shows while the data has problems."""
    return template_environment().get_template("problems_notice.md.j2").render(problems=problems)


class Renderer:
    """Renders templates for one guide; links are made relative to the current page."""

    def __init__(self, guide: Guide, current_page: Callable[[], str] = lambda: "index.md"):
        self.guide = guide
        self.data = data = guide.model
        self.current_page = current_page
        self.env = template_environment(project_cache(guide.project_dir).folder("templates"))
        labels = {name: guide.fields.labels(*where) for name, where in LABEL_FIELDS.items()}
        meanings = {name: guide.fields.meanings(*where) for name, where in MEANING_FIELDS.items()}
        grades = {finding_id: evidence.confidence(finding, data) for finding_id, finding in data.finding.items()}
        self.env.globals.update(
            data=data,
            url=self.url,
            href=self.href,
            confidence=lambda finding: grades[finding.id],
            category=lambda finding: grades[finding.id].level if grades[finding.id] else finding.kind,
            by_confidence=lambda findings: evidence.by_confidence(findings, data),
            confidence_tally=lambda findings: evidence.confidence_tally(findings, data),
            direction_tally=lambda findings: evidence.direction_tally(findings, labels["DIRECTION_LABELS"]),
            rule=evidence,
            COMPONENTS=component_infos(guide),
            THEME_GROUP_FRAMEWORK=THEME_GROUP_FRAMEWORK,
            **labels,
            **meanings,
        )

    def target(self, kind: str, key: str = "") -> tuple[str, str]:
        """(page source path, anchor) of a record or page."""
        if kind == "theme":
            return theme_page_path(key), ""
        if kind == "finding":
            return theme_page_path(self.data.finding[key].theme), key.lower()
        if kind == "source":
            return PAGES["sources"], key.lower()
        if kind == "faq":
            return PAGES["faq"], key.lower()
        if kind == "item":
            return PAGES["checklists"], key.lower()
        if kind == "vendor-question":
            return PAGES["vendor-questions"], key.lower()
        if kind == "theme-group":
            return f"{THEME_GROUP_FOLDER}/{key}/index.md", ""
        if kind == "phase":
            return f"phases/{key}/index.md", ""
        if kind == "role":
            return f"roles/{key}/index.md", ""
        if kind == "checklist-phase":
            return PAGES["checklists"], f"phase-{key}"
        if kind == "term":
            return PAGES["glossary"], key
        if kind == "calculator":
            return f"calculators/{key}/index.md", ""
        if kind == "level":
            return PAGES["method"], f"confidence-{key}" if key else "confidence"
        if kind == "jurisdiction":
            return f"{LAW_FOLDER}/{key}/index.md", ""
        if kind == "regulation":
            return f"{LAW_FOLDER}/{self.data.instrument_of[key].jurisdiction}/index.md", key
        return PAGES[kind], key

    def url(self, kind: str, key: str = "") -> str:
        """A link from the current page to a record, as MkDocs expects (relative .md path)."""
        page, anchor = self.target(kind, key)
        relative = _relative_path(page, posixpath.dirname(self.current_page()))
        if page == self.current_page() and anchor:
            relative = ""
        return f"{relative}#{anchor}" if anchor else relative

    def href(self, kind: str, key: str = "") -> str:
        """A link for raw HTML, which MkDocs does not rewrite: the built page's relative address."""
        link = self.url(kind, key)
        path, _, anchor = link.partition("#")
        if path.endswith(".md"):
            path = path[: -len(".md")] + ".html"
        return f"{path}#{anchor}" if anchor else path

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)
