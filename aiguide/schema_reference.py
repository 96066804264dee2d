"""The editors' field reference, generated from the JSON Schemas in ``data/schemas/``.

For every data file it lists each field path (``findings[].citations[].mark``)
with its type in plain words, whether it is required, the values it accepts
(enums, and for references the ids currently in the data), its rules, the
schema's description, an example from the data and what the field does on the
site (the schema's ``x-site``). Everything is read through the guide's one
:class:`~aiguide.schemas.SchemaSet` and its field declarations (:mod:`fields`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .fields import DATA_FILES, FieldInfo, Fields, site_effect, values_at
from .render import Renderer
from .schemas import ANY_KEY, EACH, SchemaNode, SchemaSet, Tokens, format_tokens

if TYPE_CHECKING:
    from .guide import Guide

TEMPLATE = "schema_reference.md.j2"
EXAMPLE_WIDTH = 80
LONG_LIST = 20  # longer vocabularies are summarised instead of listed


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


_DEF_NOUNS = {
    "last_reviewed": "date (YYYY-MM-DD)",
    "date": "date (YYYY-MM-DD)",
    "slug": "id",
    "source_key": "source key",
    "source_ref": "source key",
    "finding_id": "finding id",
    "finding_ref": "finding id",
    "line": "text (one line)",
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


# ----------------------------------------------------------------------------- words


class _Words:
    """Plain-words descriptions of schema nodes (types, rules, descriptions)."""

    def __init__(self, schemas: SchemaSet):
        self.schemas = schemas

    def noun(self, node: SchemaNode) -> str:
        """The kind of value a field holds, in plain words."""
        schema = node.schema
        items = self.schemas.items_of(node)
        if items is not None:
            noun = self.noun(items)
            return f"list of {_PLURALS.get(noun, noun + 's')}"
        if "enum" in schema:
            return "choice"
        for name in node.defs:
            if name in _DEF_NOUNS:
                return _DEF_NOUNS[name]
        values = self.schemas.values_of(node)
        if values is not None:
            keys = self.schemas.resolve(schema.get("propertyNames", {}), node.doc)
            key_noun = self.noun(keys) if keys.schema else "key"
            return f"map from {key_noun} to {self.noun(values)}"
        return _JSON_NOUNS.get(schema.get("type", ""), "value")

    def rules(self, node: SchemaNode) -> str:
        rules = _own_rules(node.schema)
        items = self.schemas.items_of(node)
        if items is not None:
            rules += [f"each {rule}" for rule in _own_rules(items.schema)]
        if self.schemas.values_of(node) is not None and "propertyNames" in node.schema:
            keys = self.schemas.resolve(node.schema["propertyNames"], node.doc)
            rules += [f"keys {rule}" for rule in _own_rules(keys.schema)]
        return "; ".join(rules)

    def description(self, node: SchemaNode) -> str:
        if node.schema.get("description"):
            return node.schema["description"]
        items = self.schemas.items_of(node)
        return items.schema.get("description", "") if items is not None else ""

    def holds_records(self, node: SchemaNode) -> bool:
        """True for a group of fields or a list of them: their own rows show the examples."""
        items = self.schemas.items_of(node)
        return "properties" in (items.schema if items is not None else node.schema)


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
    hints = schema.get("x-error")
    hints = hints if isinstance(hints, dict) else {"pattern": hints, "format": hints} if hints else {}
    if hints.get("pattern") or hints.get("format"):
        rules.append(hints.get("pattern") or hints["format"])
    elif schema.get("pattern") == "\\S" or ("pattern" not in schema and schema.get("minLength")):
        rules.append("must not be blank")
    elif "pattern" in schema:
        rules.append(f"must match the pattern {schema['pattern']}")
    if "maxLength" in schema:
        rules.append(hints.get("maxLength") or f"at most {schema['maxLength']} characters")
    if "minItems" in schema:
        count = schema["minItems"]
        rules.append(f"at least {count} entr{'y' if count == 1 else 'ies'}")
    if schema.get("uniqueItems"):
        rules.append("no value twice")
    if schema.get("x-not-future"):
        rules.append("not after today")
    return rules + _bounds(schema)


# ----------------------------------------------------------------------------- examples


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
    for _, value in values_at(raw, tokens):
        if value is not None:
            return shorten(_flow(value))
    return ""


# ----------------------------------------------------------------------------- allowed values


@dataclass(frozen=True)
class _Choices:
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    note: str = ""


def _listed(ids: list[str], where: str, word: str) -> _Choices:
    if len(ids) > LONG_LIST:
        return _Choices(note=f"any {word} from {where} ({len(ids)} entries)")
    article = "an" if word[0] in "aeiou" else "a"
    return _Choices((("", tuple(ids)),), f"{article} {word} from {where}:")


class _Vocabularies:
    """The ids the data holds now, for fields that refer to them."""

    def __init__(self, fields: Fields, raw: dict[str, Any]):
        self.fields = fields
        self.raw = raw
        self.maps = {(name, tokens): kind for name, maps in fields.framework_maps.items() for tokens, kind in maps}
        self.locals = {(name, field): ids for name, pairs in fields.local_references.items() for field, ids in pairs}
        self.references = {(name, ref.tokens): ref.kinds for name, refs in fields.references.items() for ref in refs}

    def for_field(self, info: FieldInfo, items: SchemaNode | None) -> _Choices:
        """What a field accepts, most specific first: framework maps, local ids, new ids, enums, references."""
        file, tokens, node = info.file, info.tokens, info.node
        if (file, tokens) in self.maps:
            kind = self.maps[file, tokens]
            ids = tuple(framework["id"] for framework in self._frameworks(kind))
            return _Choices((("", ids),), f"keys: ids of the {kind} frameworks in frameworks.yaml:")
        if tokens[-1:] == (ANY_KEY,) and (file, tokens[:-1]) in self.maps:
            frameworks = self._frameworks(self.maps[file, tokens[:-1]])
            groups = tuple((item["id"], tuple(domain["id"] for domain in item["domains"])) for item in frameworks)
            return _Choices(groups, "domain ids of the framework named by the key, from frameworks.yaml:")
        for field in (tokens, (*tokens, EACH)):
            if (file, field) in self.locals:
                id_tokens = self.locals[file, field]
                ids = [str(value) for _, value in values_at(self.raw.get(file), id_tokens)]
                return _listed(ids, f"{format_tokens(id_tokens)} in {file}.yaml", "id")
        collection = self.fields.collections.get(file)
        if collection is not None and tokens == (collection.list_key, EACH, collection.id_field):
            return _Choices(note="a new id, not used by any other record (ids are never reused)")
        if "enum" in node.schema:
            return _Choices((("", tuple(str(value) for value in node.schema["enum"])),))
        if items is not None and "enum" in items.schema:
            return _Choices((("", tuple(str(value) for value in items.schema["enum"])),), "each one of:")
        for field in (tokens, (*tokens, EACH)):
            if (file, field) in self.references:
                return self._reference(self.references[file, field])
        return _Choices()

    def _frameworks(self, kind: str) -> list[dict[str, Any]]:
        return [framework for framework in self.raw["frameworks"]["frameworks"] if framework["kind"] == kind]

    def _reference(self, kinds: tuple[str, ...]) -> _Choices:
        ids = []
        for kind in kinds:
            collection = self.fields.collections[kind]
            ids += [record[collection.id_field] for record in self.raw[kind][collection.list_key]]
        word = "key" if kinds == ("sources",) else "id"
        return _listed(ids, " or ".join(f"{kind}.yaml" for kind in kinds), word)


# ----------------------------------------------------------------------------- entry points


def _field_doc(info: FieldInfo, words: _Words, vocab: _Vocabularies) -> FieldDoc:
    node = info.node
    items = words.schemas.items_of(node)
    return FieldDoc(
        path=info.path,
        type=words.noun(node),
        required=info.required,
        allowed=(choices := vocab.for_field(info, items)).groups,
        allowed_note=choices.note,
        rule=words.rules(node),
        description=words.description(node),
        example="" if words.holds_records(node) else example(vocab.raw.get(info.file), info.tokens),
        effect=site_effect(node),
    )


def reference_context(guide: Guide) -> list[FileDoc]:
    """One :class:`FileDoc` per data file, in the order of ``DATA_FILES``."""
    fields = guide.fields
    words = _Words(guide.schemas)
    vocab = _Vocabularies(fields, guide.raw)
    docs = []
    for name in DATA_FILES:
        root = guide.schemas.root(name)
        rows = tuple(_field_doc(info, words, vocab) for info in fields.by_file[name])
        docs.append(FileDoc(name, root.schema.get("title", name), root.schema.get("description", ""), rows))
    return docs


def render_reference(guide: Guide) -> str:
    """The reference as Markdown: one section per data file with a table of its fields."""
    return Renderer(guide).render(TEMPLATE, files=reference_context(guide))
