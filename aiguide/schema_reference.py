"""The editors' field reference, generated from the JSON Schemas in ``data/schemas/``.

For every data file it lists each field path (``findings[].citations[].mark``)
with its type in plain words, whether it is required, the values it accepts
(enums, and for references the ids currently in the data), its rules, the
schema's description, an example from the data and what the field does on the
site. :func:`render_reference` turns that into Markdown for the site.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import project_cache
from .loader import load_file
from .model import Framework, GuideData, load_guide
from .references import COLLECTIONS
from .render import Renderer
from .schemas import schema_dir
from .validate import DATA_FILES, data_path

TEMPLATE = "schema_reference.md.j2"
EACH = "[]"  # path token: every item of a list
ANY_KEY = "*"  # path token: the value under any key of a mapping
EXAMPLE_WIDTH = 80
LONG_LIST = 20  # longer vocabularies are summarised instead of listed

Tokens = tuple[str, ...]
Schemas = dict[str, dict[str, Any]]  # schema file name -> its JSON


@dataclass(frozen=True)
class FieldDoc:
    """One field of a data file, as the reference shows it."""

    path: str
    type: str
    required: bool
    allowed: tuple[tuple[str, tuple[str, ...]], ...]  # (group label or "", values)
    allowed_note: str
    rule: str
    description: str
    example: str
    effect: str


@dataclass(frozen=True)
class FileDoc:
    """One data file: its schema's title and description and its fields."""

    name: str
    title: str
    description: str
    fields: tuple[FieldDoc, ...]


# ----------------------------------------------------------------------------- what fields do on the site

_HEADLINE_ITEM_EFFECTS = {
    "id": "Anchor of the point's section.",
    "title": "Heading of the point's section.",
    "text": "The body text of the point.",
    "themes": "The 'Themes' links under the point.",
    "findings": "The 'Findings' links under the point.",
    "citations": "The 'Sources' line under the point, with each citation's mark.",
    "caveat": "A 'Caveat' warning box under the point.",
}

# file -> field path -> what the field does on the site.
SITE_EFFECTS: dict[str, dict[str, str]] = {
    "guide": {
        "id": "Part of the key under which the self-assessment keeps a reader's answers in their browser.",
        "title": "Heading of the home page and the first row of the About table.",
        "subtitle": "Shown under the title on the home page.",
        "version": "Shown on the home page and the About page.",
        "release_date": "Shown with the version on the home page and the About page.",
        "licence": "Named and linked on the home page and the About page.",
        "licence.id": "Shown in brackets after the licence's name on the About page.",
        "licence.title": "The licence's name on the home page and the About page.",
        "licence.url": "Where the licence's name links to.",
        "how_to_cite": "Quoted under 'How to cite' on the About page.",
        "backbone": "Linked from the About page as the backbone review.",
        "seed": "Linked from the About page as the seed article.",
        "headline": "The headline section of the home page and the sections of the Decision-makers page.",
        "headline.intro": "The opening text of the headline section on the home page.",
        "headline.summary_themes": "The summary-theme sections of the headline on the home page.",
        "headline.key_insights": "The 'Key insights' sections on the home page.",
        "headline.implications": "The sections of the Decision-makers page.",
        "headline.conclusion": "The 'Conclusion' section on the home page.",
        **{
            f"headline.{section}{EACH}.{name}": text
            for section in ("summary_themes", "key_insights", "implications")
            for name, text in _HEADLINE_ITEM_EFFECTS.items()
        },
        **{f"headline.conclusion.{name}": text for name, text in _HEADLINE_ITEM_EFFECTS.items()},
    },
    "findings": {
        "findings": "Each finding is shown on its theme's page, in the findings table and where it is linked.",
        "findings[].id": "Shown before the title and used as the anchor (#fw-01); other records link to it by this id.",
        "findings[].title": "Heading of the finding card and its row in the findings table.",
        "findings[].direction": "The direction badge, the section of the theme page it sits in, and a table filter.",
        "findings[].kind": "'recommendation' adds a Recommendation badge to the card.",
        "findings[].theme": "The theme page the finding appears on.",
        "findings[].also_themes": "The 'Also relevant to' line, and a link from those theme pages.",
        "findings[].statement": "The body of the finding card and of its row in the findings table.",
        "findings[].action": "The 'What to do' box on the card and the theme page's to-do list.",
        "findings[].roles": "The 'Concerns' line, the role pages and the role filter of the findings table.",
        "findings[].phases": "The 'When' line, the decision-point pages and the phase filter of the findings table.",
        "findings[].terms": "The 'Terms' line, linking to the glossary.",
        "findings[].regulations": "The 'Law and regulation' line, linking to the law pages; lists the finding there.",
        "findings[].citations": "The 'Evidence and provenance' box; its V citations decide the strength label.",
    },
    "faqs": {
        "faqs": "The FAQ page, one section per question in file order, also published as FAQ structured data.",
        "faqs[].id": "Anchor of the question on the FAQ page (#faq-01).",
        "faqs[].origin": "'seed' adds a note that the question is one of the seed article's own.",
        "faqs[].question": "Heading of the entry on the FAQ page.",
        "faqs[].answer": "The answer under the question.",
        "faqs[].findings": "The 'Based on' links; also lists the question on those findings' theme pages.",
        "faqs[].citations": "The 'Sources' box under the answer.",
        "faqs[].roles": "Lists the question on those roles' pages.",
        "faqs[].phases": "Lists the question on those decision points' pages.",
    },
    "checklists": {
        "items": "The checklist, grouped by decision point, and the questions of the self-assessment.",
        "items[].id": "Shown before the question and used as its anchor (#cl-01).",
        "items[].question": "Heading of the item on the checklist page and the question in the self-assessment.",
        "items[].tier": "The tier badge; essential items come first and weigh more in the self-assessment.",
        "items[].phase": "The decision point the item is listed under.",
        "items[].theme": "Link to the theme; also lists the item on that theme's page.",
        "items[].roles": "The 'Owned by' line and the role pages.",
        "items[].findings": "The 'Addresses' links.",
        "items[].help": "The text under the question: what good looks like and how to check it.",
        "items[].crosswalk": "The 'Crosswalk' line naming the published checklists' questions or areas.",
        "items[].citations": "The 'Further sources' box under the item.",
        "items[].regulations": "The 'Law and regulation' line, linking to the law pages; lists the item there.",
    },
    "sources": {
        "sources": "The Sources page, grouped by the sources' role.",
        "sources[].key": "Heading and anchor on the Sources page; every citation links to it.",
        "sources[].role": "The group of the Sources page the source is listed in; regulatory sources have their own.",
        "sources[].type": (
            "The type badge; reviews and primary studies count as studies and guidance as guidance for evidence "
            "strength, legislation not at all."
        ),
        "sources[].authors": "Start of the formatted reference.",
        "sources[].authors_complete": "false adds 'et al. (author list incomplete)' to the reference.",
        "sources[].title": "Part of the formatted reference.",
        "sources[].container": "Part of the formatted reference, in italics.",
        "sources[].year": "Part of the formatted reference ('Year not seen' when omitted).",
        "sources[].volume": "Part of the formatted reference.",
        "sources[].issue": "Part of the formatted reference.",
        "sources[].pages": "Part of the formatted reference.",
        "sources[].article_number": "Part of the formatted reference when there are no pages.",
        "sources[].doi": "Linked through https://doi.org/ in the reference.",
        "sources[].pmid": "Shown in the reference.",
        "sources[].pmcid": "Shown in the reference.",
        "sources[].url": "The 'Page seen' link in the reference.",
        "sources[].design": "The 'Design' row of the source's table.",
        "sources[].setting": "The 'Setting' row of the source's table.",
        "sources[].modality": "The 'Modality' row of the source's table.",
        "sources[].sample": "The 'Sample' row of the source's table.",
        "sources[].framework": "The 'Framework' row of the source's table.",
        "sources[].verification": "The verification badge and the tally on the Sources page.",
        "sources[].seen": "The 'What was read' row of the source's table.",
        "sources[].not_seen": "The 'Not seen' row of the source's table.",
        "sources[].licence": "The 'Licence' row of the source's table.",
        "sources[].contribution": "The paragraph under the reference.",
        "sources[].unused_reason": "Shown in the 'Cited by' row when nothing cites the source.",
    },
    "themes": {
        "themes": "One page per theme (themes/<id>/), the themes overview and the navigation (written by make sync).",
        "themes[].id": "The page address themes/<id>/; findings and checklist items refer to the theme by it.",
        "themes[].title": "Page heading, navigation entry and the text of links to the theme.",
        "themes[].origin": "'proposed' adds a sentence saying the guide added the theme.",
        "themes[].summary": "The opening paragraph of the theme page.",
        "themes[].key_question": "The 'Key question' box on the theme page and the themes overview table.",
        "themes[].frameworks": "The 'Framework mapping' table on the theme page.",
        "themes[].mapping_note": "The paragraph under the framework-mapping table.",
        "themes[].backbone_dimension": "A sentence relating the theme to the backbone review's key dimension.",
    },
    "roles": {
        "roles": "One page per role (roles/<id>/) and the roles overview.",
        "roles[].id": "The page address roles/<id>/; findings and checklist items refer to the role by it.",
        "roles[].title": "Page heading, navigation entry and the role's name wherever it is listed.",
        "roles[].summary": "The opening paragraph of the role page and the roles overview.",
        "roles[].concerns": "The 'What matters to you' list on the role page.",
    },
    "phases": {
        "phases": "One page per decision point (phases/<id>/), the decision path and the checklist's sections.",
        "phases[].id": "The page address phases/<id>/; findings and checklist items refer to the phase by it.",
        "phases[].title": "Page heading, navigation entry and the phase's name wherever it is listed.",
        "phases[].order": "The step number and the order of pages, checklist sections and the decision path.",
        "phases[].summary": "The opening paragraph of the phase page and of its checklist section.",
        "phases[].key_question": "The 'Key question' box on the phase page and the decision path.",
        "phases[].decisions": "The 'Decisions to make here' list on the phase page.",
    },
    "frameworks": {
        "frameworks": "Named in the theme pages' framework mapping and the checklist's crosswalk lines.",
        "frameworks[].id": "The key themes and checklist items use in their framework mappings.",
        "frameworks[].kind": "Whether themes map to it (analytic) or checklist items link to it (crosswalk).",
        "frameworks[].title": "The framework's name in mapping tables and crosswalk lines.",
        "frameworks[].domains": "The domains themes map to, or the questions checklist items link to.",
        "frameworks[].domains[].id": "The id themes and checklist items use for the domain.",
        "frameworks[].domains[].title": "The domain's name in mapping tables and crosswalk lines.",
    },
    "assessment": {
        "id": "Part of the key under which a reader's answers are kept in their browser.",
        "intro": "The paragraph above the self-assessment's questions.",
        "answers": "The answer buttons of every question and the scoring table on the self-assessment page.",
        "answers[].id": "Stored with saved answers and in share links; changing it loses readers' saved answers.",
        "answers[].label": "The text of the answer button and its row in the scoring table.",
        "answers[].score": "The share of the item's weight the answer earns, shown as a percentage.",
        "answers[].counts": "false leaves the item out of the score ('left out of the score').",
        "weights": "How much essential and recommended items weigh, shown above the scoring table.",
        "bands": "The result bands table and the result shown to the reader.",
        "blocking": "The 'Rule' boxes under the bands table; they cap the result whatever the score.",
    },
    "regulations": {
        "notice": "The 'Not legal advice' box at the top of every law page and the role pages' law section.",
        "jurisdictions": "One law page per jurisdiction (law/<id>/), its nav entry and its overview column.",
        "jurisdictions[].id": "The page address law/<id>/; laws name their jurisdiction by it.",
        "jurisdictions[].title": "Page heading, nav entry and the jurisdiction's name in the overview table.",
        "jurisdictions[].short_title": "Column heading of the overview table and the prefix of links from other pages.",
        "jurisdictions[].summary": "The opening paragraph of the jurisdiction's page.",
        "jurisdictions[].last_reviewed": "Shown under the summary and in the overview table.",
        "jurisdictions[].gaps": "The 'What this page does not cover' section of the jurisdiction's page.",
        "jurisdictions[].gaps[].title": "The bold start of the gap's entry.",
        "jurisdictions[].gaps[].text": "The text of the gap's entry.",
        "jurisdictions[].gaps[].roles": "Also lists the gap in the law section of those roles' pages.",
        "instruments": "One section per law on its jurisdiction's page, in file order.",
        "instruments[].id": "Anchor of the law's section (#eu-ai-act); checklist items and findings may link to it.",
        "instruments[].jurisdiction": "The jurisdiction page the law is shown on.",
        "instruments[].title": "Heading of the law's section and its name in the overview table.",
        "instruments[].identifier": "Shown in bold under the heading: the official identifier.",
        "instruments[].kind": "The Law, Binding standard or Guidance badge.",
        "instruments[].covers": "The paragraph under the heading.",
        "instruments[].binds": "The 'Who acts' badge of the law.",
        "instruments[].last_reviewed": "Shown after the law's description.",
        "instruments[].obligations": "One entry per obligation under the law and the cells of the step tables.",
        "instruments[].obligations[].id": "Anchor of the obligation (#eu-gdpr-dpia); other records link to it.",
        "instruments[].obligations[].title": "Heading of the obligation and the text of every link to it.",
        "instruments[].obligations[].text": "The body of the obligation, also shown on the role pages it concerns.",
        "instruments[].obligations[].advice": "A 'The guide's advice (not a legal requirement)' box under the text.",
        "instruments[].obligations[].binds": "The 'Who acts' badge and the 'Who acts' column on role pages.",
        "instruments[].obligations[].roles": "The 'Concerns' line and the law section of those roles' pages.",
        "instruments[].obligations[].phases": "The 'When' line and the rows of the step-by-step tables.",
        "instruments[].obligations[].citations": "The 'Sources and provenance' box under the obligation.",
    },
    "glossary": {
        "terms": "The glossary page, sorted by term.",
        "terms[].id": "Anchor of the term on the glossary page; findings and other terms link to it by this id.",
        "terms[].term": "Heading of the entry and the text of links to it.",
        "terms[].expansion": "Shown in italics before the definition.",
        "terms[].definition": "The text of the entry.",
        "terms[].related": "The 'See also' links.",
    },
}

# Matched against the end of a path when no exact entry exists.
SHARED_EFFECTS: dict[str, str] = {
    "citations": "Listed with the record as its sources, each linked to the Sources page.",
    "citations[].source": "Links to the source's entry on the Sources page.",
    "citations[].section": "Shown after the source, so readers can find the passage.",
    "citations[].mark": "A badge: V seen in the source, S secondary write-up, NS not seen; only V counts for strength.",
    "citations[].note": "Shown after the badge: what the source says, in the guide's words.",
    "last_reviewed": "The 'last reviewed' date shown with the record's sources.",
    "unused_reason": "Not shown; it lets the check accept an entry that nothing uses.",
}

# ----------------------------------------------------------------------------- vocabularies

# $defs that refer to another file's ids: (file, what one id is called, ids in the data).
REFERENCE_DEFS: dict[str, tuple[str, str, Callable[[GuideData], list[str]]]] = {
    "theme_ref": ("themes.yaml", "id", lambda data: [theme.id for theme in data.themes]),
    "role_ref": ("roles.yaml", "id", lambda data: [role.id for role in data.roles]),
    "phase_ref": ("phases.yaml", "id", lambda data: [phase.id for phase in data.phases_in_order]),
    "term_ref": ("glossary.yaml", "id", lambda data: [term.id for term in data.terms]),
    "source_key": ("sources.yaml", "key", lambda data: [source.key for source in data.sources]),
    "finding_id": ("findings.yaml", "id", lambda data: [finding.id for finding in data.findings]),
    "regulation_ref": ("regulations.yaml", "id", lambda data: list(data.regulation)),
}

# Mappings keyed by framework id, whose values are domain ids: path -> framework kind.
FRAMEWORK_MAPS = {"themes[].frameworks": "analytic", "items[].crosswalk": "crosswalk"}

# References to ids defined elsewhere in the same file: (file, path) -> path of the ids.
LOCAL_REFERENCES: dict[tuple[str, str], str] = {
    ("assessment", "blocking[].answers"): "answers[].id",
    ("assessment", "blocking[].band"): "bands[].id",
    ("regulations", "instruments[].jurisdiction"): "jurisdictions[].id",
}

_DEF_NOUNS = {
    "date": "date (YYYY-MM-DD)",
    "slug": "id",
    "source_key": "source key",
    "finding_id": "finding id",
    "theme_ref": "theme id",
    "role_ref": "role id",
    "phase_ref": "phase id",
    "term_ref": "glossary term id",
    "citation": "citation",
    "text": "text",
}
_JSON_NOUNS = {
    "string": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "true or false",
    "object": "group of fields",
}
_PLURALS = {"text": "texts", "choice": "choices", "group of fields": "records", "date (YYYY-MM-DD)": "dates"}


# ----------------------------------------------------------------------------- schema walking


@dataclass(frozen=True)
class SchemaNode:
    """A schema with its $ref chain resolved: local keywords win over the referenced definition."""

    schema: dict[str, Any]
    defs: tuple[str, ...]
    doc: str


def load_schemas(directory: Path) -> Schemas:
    """Every ``*.schema.json`` in ``directory``, by file name."""
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.schema.json"))}


def _pointer(document: dict[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = document
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(schema: dict[str, Any], doc: str, schemas: Schemas) -> SchemaNode:
    """Follow ``$ref`` (within a file or into a sibling schema) until a definition without one."""
    layers: list[dict[str, Any]] = []
    defs: list[str] = []
    while "$ref" in schema:
        target_doc, _, pointer = schema["$ref"].partition("#")
        layers.append({key: value for key, value in schema.items() if key != "$ref"})
        doc = target_doc or doc
        defs.append(pointer.rsplit("/", 1)[-1])
        schema = _pointer(schemas[doc], pointer)
    merged = dict(schema)
    for layer in reversed(layers):
        merged.update(layer)
    return SchemaNode(merged, tuple(defs), doc)


def format_tokens(tokens: Tokens) -> str:
    """``("findings", "[]", "citations", "[]", "mark")`` -> ``findings[].citations[].mark``."""
    text = ""
    for token in tokens:
        text += token if token == EACH or not text else f".{token}"
    return text


def _items(node: SchemaNode, schemas: Schemas) -> SchemaNode | None:
    items = node.schema.get("items")
    return resolve(items, node.doc, schemas) if node.schema.get("type") == "array" and isinstance(items, dict) else None


def _map_values(node: SchemaNode, schemas: Schemas) -> SchemaNode | None:
    extra = node.schema.get("additionalProperties")
    return resolve(extra, node.doc, schemas) if isinstance(extra, dict) else None


def walk(node: SchemaNode, schemas: Schemas, prefix: Tokens = ()) -> Iterator[tuple[Tokens, SchemaNode, bool]]:
    """Yield (path, node, required) for every property below ``node``, parents before children."""
    required = set(node.schema.get("required", ()))
    properties = node.schema.get("properties", {})
    children = [
        ((*prefix, name), resolve(sub, node.doc, schemas), name in required) for name, sub in properties.items()
    ]
    values = _map_values(node, schemas)
    if values is not None:
        children.append(((*prefix, ANY_KEY), values, False))
    for path, child, is_required in children:
        yield path, child, is_required
        items = _items(child, schemas)
        if items is not None:
            yield from walk(items, schemas, (*path, EACH))
        else:
            yield from walk(child, schemas, path)


# ----------------------------------------------------------------------------- words


def _noun(node: SchemaNode, schemas: Schemas) -> str:
    """The kind of value a field holds, in plain words."""
    schema = node.schema
    items = _items(node, schemas)
    if items is not None:
        noun = _noun(items, schemas)
        return f"list of {_PLURALS.get(noun, noun + 's')}"
    if "enum" in schema:
        return "choice"
    for name in node.defs:
        if name in _DEF_NOUNS:
            return _DEF_NOUNS[name]
    values = _map_values(node, schemas)
    if values is not None:
        keys = resolve(schema.get("propertyNames", {}), node.doc, schemas)
        key_noun = _noun(keys, schemas) if keys.schema else "key"
        return f"map from {key_noun} to {_noun(values, schemas)}"
    return _JSON_NOUNS.get(schema.get("type", ""), "value")


def _bounds(schema: dict[str, Any]) -> list[str]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return [f"from {low} to {high}"]
    rules = [f"at least {low}"] if low is not None else []
    if "exclusiveMinimum" in schema:
        rules.append(f"more than {schema['exclusiveMinimum']}")
    if high is not None:
        rules.append(f"at most {high}")
    return rules


def _own_rules(schema: dict[str, Any]) -> list[str]:
    """The rules a value must meet, in words (the schema's ``x-error`` when it has one)."""
    rules = []
    if "x-error" in schema:
        rules.append(schema["x-error"])
    elif schema.get("pattern") == "\\S" or ("pattern" not in schema and schema.get("minLength")):
        rules.append("must not be blank")
    elif "pattern" in schema:
        rules.append(f"must match the pattern {schema['pattern']}")
    if "maxLength" in schema and "x-error" not in schema:
        rules.append(f"at most {schema['maxLength']} characters")
    if "minItems" in schema:
        count = schema["minItems"]
        rules.append(f"at least {count} entr{'y' if count == 1 else 'ies'}")
    if schema.get("uniqueItems"):
        rules.append("no value twice")
    return rules + _bounds(schema)


def _rules(node: SchemaNode, schemas: Schemas) -> str:
    rules = _own_rules(node.schema)
    items = _items(node, schemas)
    if items is not None:
        rules += [f"each {rule}" for rule in _own_rules(items.schema)]
    if _map_values(node, schemas) is not None and "propertyNames" in node.schema:
        keys = resolve(node.schema["propertyNames"], node.doc, schemas)
        rules += [f"keys {rule}" for rule in _own_rules(keys.schema)]
    return "; ".join(rules)


def _description(node: SchemaNode, schemas: Schemas) -> str:
    if node.schema.get("description"):
        return node.schema["description"]
    items = _items(node, schemas)
    return items.schema.get("description", "") if items is not None else ""


def site_effect(file: str, path: str, description: str) -> str:
    """What the field does on the site: an exact entry, else a shared ending, else its description."""
    exact = SITE_EFFECTS.get(file, {})
    if path in exact:
        return exact[path]
    for ending, text in sorted(SHARED_EFFECTS.items(), key=lambda entry: -len(entry[0])):
        if path == ending or path.endswith(f".{ending}"):
            return text
    return description


# ----------------------------------------------------------------------------- examples


def values_at(value: Any, tokens: Tokens) -> Iterator[Any]:
    """Every value found at ``tokens`` in plain data, in file order."""
    if not tokens:
        yield value
        return
    head, rest = tokens[0], tokens[1:]
    if head == EACH and isinstance(value, list):
        for item in value:
            yield from values_at(item, rest)
    elif head == ANY_KEY and isinstance(value, dict):
        for item in value.values():
            yield from values_at(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from values_at(value[head], rest)


def _flow(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    return " ".join(str(value).split())


def shorten(text: str, width: int = EXAMPLE_WIDTH) -> str:
    """``text`` cut to at most ``width`` characters, ending with '…' when cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def example(raw: Any, tokens: Tokens) -> str:
    """The field's value in the first record that has it, on one line and shortened."""
    for value in values_at(raw, tokens):
        if value is not None:
            return shorten(_flow(value))
    return ""


def _holds_records(node: SchemaNode, schemas: Schemas) -> bool:
    """True for a group of fields or a list of them: their own rows show the examples."""
    items = _items(node, schemas)
    return "properties" in (items.schema if items is not None else node.schema)


# ----------------------------------------------------------------------------- allowed values


@dataclass(frozen=True)
class _Choices:
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    note: str = ""


def _listed(ids: list[str], file: str, word: str) -> _Choices:
    if len(ids) > LONG_LIST:
        return _Choices(note=f"any {word} from {file} ({len(ids)} entries)")
    return _Choices((("", tuple(ids)),), f"an {word} from {file}:" if word[0] in "aeiou" else f"a {word} from {file}:")


@dataclass
class _Vocabularies:
    """The ids the data holds now, for fields that refer to them."""

    data: GuideData
    raw: dict[str, Any]

    def for_path(self, file: str, path: str, node: SchemaNode, items: SchemaNode | None) -> _Choices:
        """What a field accepts, most specific first: framework maps, local ids, new ids, enums, references."""
        if path in FRAMEWORK_MAPS or path.removesuffix(f".{ANY_KEY}") in FRAMEWORK_MAPS:
            return self._framework_map(path)
        if (file, path) in LOCAL_REFERENCES:
            return self._local(file, LOCAL_REFERENCES[file, path])
        if self._defines_ids(file, path):
            return _Choices(note="a new id, not used by any other record (ids are never reused)")
        if "enum" in node.schema:
            return _Choices((("", tuple(str(value) for value in node.schema["enum"])),))
        if items is not None and "enum" in items.schema:
            return _Choices((("", tuple(str(value) for value in items.schema["enum"])),), "each one of:")
        return self._reference(items.defs if items is not None else node.defs)

    def _frameworks(self, kind: str) -> list[Framework]:
        return [framework for framework in self.data.frameworks if framework.kind == kind]

    def _framework_map(self, path: str) -> _Choices:
        """Keys of a framework map are framework ids; its values are that framework's domain ids."""
        if path in FRAMEWORK_MAPS:
            kind = FRAMEWORK_MAPS[path]
            ids = tuple(framework.id for framework in self._frameworks(kind))
            return _Choices((("", ids),), f"keys: ids of the {kind} frameworks in frameworks.yaml:")
        frameworks = self._frameworks(FRAMEWORK_MAPS[path.removesuffix(f".{ANY_KEY}")])
        groups = tuple((framework.id, tuple(domain.id for domain in framework.domains)) for framework in frameworks)
        return _Choices(groups, "domain ids of the framework named by the key, from frameworks.yaml:")

    def _local(self, file: str, source_path: str) -> _Choices:
        tokens = tuple(source_path.replace(EACH, f".{EACH}").split("."))
        ids = [str(value) for value in values_at(self.raw.get(file), tokens)]
        return _listed(ids, f"{source_path} in {file}.yaml", "id")

    def _reference(self, defs: tuple[str, ...]) -> _Choices:
        for name in defs:
            if name in REFERENCE_DEFS:
                file, id_word, ids = REFERENCE_DEFS[name]
                return _listed(ids(self.data), file, id_word)
        return _Choices()

    @staticmethod
    def _defines_ids(file: str, path: str) -> bool:
        if file not in COLLECTIONS:
            return False
        list_key, id_field = COLLECTIONS[file]
        return path == f"{list_key}{EACH}.{id_field}"


# ----------------------------------------------------------------------------- entry points


def _field_doc(
    file: str, tokens: Tokens, node: SchemaNode, required: bool, schemas: Schemas, vocab: _Vocabularies
) -> FieldDoc:
    path = format_tokens(tokens)
    items = _items(node, schemas)
    description = _description(node, schemas)
    choices = vocab.for_path(file, path, node, items)
    return FieldDoc(
        path=path,
        type=_noun(node, schemas),
        required=required,
        allowed=choices.groups,
        allowed_note=choices.note,
        rule=_rules(node, schemas),
        description=description,
        example="" if _holds_records(node, schemas) else example(vocab.raw.get(file), tokens),
        effect=site_effect(file, path, description),
    )


def _raw_data(project_dir: Path) -> dict[str, Any]:
    """Every data file's values, from the content-keyed cache when the check already parsed them."""
    raw = {}
    cache = project_cache(project_dir)
    for name in DATA_FILES:
        loaded, _ = load_file(data_path(project_dir, name), f"data/{name}.yaml", cache)
        raw[name] = loaded.data if loaded is not None else None
    return raw


def reference_context(project_dir: Path, data: GuideData | None = None) -> list[FileDoc]:
    """One :class:`FileDoc` per data file, in the order of ``DATA_FILES``."""
    project_dir = Path(project_dir).resolve()
    schemas = load_schemas(schema_dir(project_dir))
    vocab = _Vocabularies(data if data is not None else load_guide(project_dir), _raw_data(project_dir))
    docs = []
    for name in DATA_FILES:
        doc = f"{name}.schema.json"
        root = resolve(schemas[doc], doc, schemas)
        fields = tuple(
            _field_doc(name, tokens, node, required, schemas, vocab) for tokens, node, required in walk(root, schemas)
        )
        docs.append(FileDoc(name, root.schema.get("title", name), root.schema.get("description", ""), fields))
    return docs


def render_reference(data: GuideData, project_dir: Path) -> str:
    """The reference as Markdown: one section per data file with a table of its fields."""
    return Renderer(data).render(TEMPLATE, files=reference_context(project_dir, data))
