"""What each field of the data means, read from the annotations in the JSON Schemas.

The schemas are the one place where field knowledge is written down. Besides
standard keywords (``title``, ``description``, ``enum``) they carry a few
annotations of the guide's own, which validators ignore:

``x-records``  (top of a collection file) ``{"list": "findings", "id": "id", "noun": "finding"}`` (and
``"plural"`` where adding an s will not do; ``"nested"`` names a list inside each record whose records
share the id space, as a law's obligations do)
``x-must-be-used``  (top of a vocabulary file) every entry must be used somewhere, or say why not; (a list of
records with ids in a file) each id must be named by a field of the same file that refers to it
``x-ref``  (a field or a ``$defs`` entry) the collection files whose ids the value refers to
``x-local-ref``  (a field) a path in the same file whose values it must be one of
``x-starts-with``  (an id field) ``{"field": "jurisdiction", "noun": …}``: the id starts with that field's
value and a hyphen; ``{"parent": "id", "noun": …}``: with the id of the record holding its list
``x-framework-map``  (a mapping) keys are framework ids of that kind, values their domain ids
``x-labels``  (an enum) the words readers see for each value
``x-meanings``  (an enum) one sentence per value telling readers what it means for them
``x-site``  (any field) what the field does on the site, for the editors' field reference
``x-error``  (a field) the message for a value that breaks its pattern or format; a mapping gives one
per keyword (on an object, ``required`` gives the message for a missing field)

The order of a record's ``properties`` is the order of its CSV columns. Everything here
is computed from one :class:`~aiguide.schemas.SchemaSet`, so the checks, the model, the
renderer, the exports and the field reference read the same declarations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .schemas import ANY_KEY, EACH, SCHEMA_SUFFIX, SchemaNode, SchemaSet, Tokens, format_tokens

# Every data file of the guide, in the order editors meet them (the field reference follows it).
DATA_FILES = (
    "guide",
    "sources",
    "themes",
    "roles",
    "phases",
    "frameworks",
    "glossary",
    "findings",
    "faqs",
    "checklists",
    "regulations",
    "vendor_questions",
    "calculators",
    "assessment",
    "changelog",
)


@dataclass(frozen=True)
class Collection:
    """A data file that holds a list of records with ids."""

    file: str
    list_key: str
    id_field: str
    noun: str  # what one record is called in messages: "finding", "glossary term"
    must_be_used: bool
    plural: str = ""
    nested: str = ""  # a list inside each record whose records share the id space

    @property
    def nouns(self) -> str:
        """What several records are called: "findings", "questions for suppliers"."""
        return self.plural or f"{self.noun}s"

    def ids(self, data: Any) -> Iterator[tuple[tuple, Any]]:
        """(path of the id, id) of every record in a file's plain values, each nested record after the record
        holding it; wrong shapes are skipped."""
        for record_path, record in values_at(data, (self.list_key, EACH)):
            if not isinstance(record, dict):
                continue
            if self.id_field in record:
                yield (*record_path, self.id_field), record[self.id_field]
            if self.nested:
                for path, value in values_at(record, (self.nested, EACH, self.id_field)):
                    yield (*record_path, *path), value


@dataclass(frozen=True)
class Reference:
    """A field whose values are ids of records in other files."""

    tokens: Tokens
    kinds: tuple[str, ...]  # collection files the ids may come from


@dataclass(frozen=True)
class FieldInfo:
    """One field of a data file, as the schemas declare it."""

    file: str
    tokens: Tokens
    node: SchemaNode
    required: bool

    @property
    def path(self) -> str:
        return format_tokens(self.tokens)


def values_at(value: Any, tokens: Tokens, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (data path, value) found at ``tokens`` in plain data, in file order; wrong shapes are skipped."""
    if not tokens:
        yield path, value
        return
    head, rest = tokens[0], tokens[1:]
    if head == EACH:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from values_at(item, rest, (*path, index))
    elif head == ANY_KEY:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from values_at(item, rest, (*path, key))
    elif isinstance(value, dict) and head in value:
        yield from values_at(value[head], rest, (*path, head))


class Fields:
    """The declarations of every data file's fields, computed once per schema set."""

    def __init__(self, schemas: SchemaSet):
        self.schemas = schemas

    @cached_property
    def by_file(self) -> dict[str, tuple[FieldInfo, ...]]:
        """Every field of every data file, parents before children."""
        return {
            name: tuple(
                FieldInfo(name, tokens, node, required)
                for tokens, node, required in self.schemas.walk(self.schemas.root(name))
            )
            for name in DATA_FILES
            if f"{name}{SCHEMA_SUFFIX}" in self.schemas.documents
        }

    def field(self, file: str, path: str) -> FieldInfo | None:
        return next((info for info in self.by_file.get(file, ()) if info.path == path), None)

    @cached_property
    def collections(self) -> dict[str, Collection]:
        """Collection files by name, from their ``x-records`` annotation."""
        result = {}
        for name in self.by_file:
            root = self.schemas.root(name).schema
            declared = root.get("x-records")
            if isinstance(declared, dict):
                result[name] = Collection(
                    name,
                    declared["list"],
                    declared["id"],
                    declared["noun"],
                    bool(root.get("x-must-be-used")),
                    declared.get("plural", ""),
                    declared.get("nested", ""),
                )
        return result

    @cached_property
    def references(self) -> dict[str, tuple[Reference, ...]]:
        """Per file, every field (or list of fields) whose values refer to other records."""
        result: dict[str, tuple[Reference, ...]] = {}
        for name, infos in self.by_file.items():
            found = []
            for info in infos:
                target = self.schemas.items_of(info.node) or info.node
                kinds = target.schema.get("x-ref")
                if kinds and target is not info.node:
                    found.append(Reference((*info.tokens, EACH), _as_tuple(kinds)))
                elif kinds:
                    found.append(Reference(info.tokens, _as_tuple(kinds)))
            result[name] = tuple(found)
        return result

    @cached_property
    def local_references(self) -> dict[str, tuple[tuple[Tokens, Tokens], ...]]:
        """Per file, (field, path of the ids it must name) for fields annotated with ``x-local-ref``."""
        result: dict[str, tuple[tuple[Tokens, Tokens], ...]] = {}
        for name, infos in self.by_file.items():
            found = []
            for info in infos:
                target = self.schemas.items_of(info.node)
                local = info.node.schema.get("x-local-ref") or (target.schema.get("x-local-ref") if target else None)
                if local:
                    field = (*info.tokens, EACH) if target is not None else info.tokens
                    found.append((field, parse_path(local)))
            result[name] = tuple(found)
        return result

    @cached_property
    def id_prefixes(self) -> dict[str, tuple[tuple[Tokens, dict[str, str]], ...]]:
        """Per file, (id field, rule) for id fields annotated with ``x-starts-with``."""
        return self._annotated("x-starts-with")

    @cached_property
    def local_vocabularies(self) -> dict[str, tuple[Tokens, ...]]:
        """Per file, the lists (other than its record list) whose every id must be named somewhere in the file."""
        return {
            name: tuple((*info.tokens, EACH, "id") for info in infos if info.node.schema.get("x-must-be-used"))
            for name, infos in self.by_file.items()
        }

    @cached_property
    def framework_maps(self) -> dict[str, tuple[tuple[Tokens, str], ...]]:
        """Per file, (mapping field, framework kind) for fields annotated with ``x-framework-map``."""
        return self._annotated("x-framework-map")

    def _annotated(self, keyword: str) -> dict[str, tuple[tuple[Tokens, Any], ...]]:
        """Per file, (field, the annotation's value) for every field whose schema carries ``keyword``."""
        return {
            name: tuple((info.tokens, info.node.schema[keyword]) for info in infos if keyword in info.node.schema)
            for name, infos in self.by_file.items()
        }

    def labels(self, file: str, path: str) -> dict[str, str]:
        """The words readers see for each value of an enum field (the value itself where none is given)."""
        info = self.field(file, path)
        if info is None:
            raise KeyError(f"{file}.yaml has no field {path}")
        node = self.schemas.items_of(info.node) or info.node
        labels = node.schema.get("x-labels", {})
        return {str(value): labels.get(str(value), str(value)) for value in node.schema.get("enum", ())}

    def meanings(self, file: str, path: str) -> dict[str, str]:
        """One sentence per value of an enum field telling readers what it means (empty where none is given)."""
        info = self.field(file, path)
        if info is None:
            raise KeyError(f"{file}.yaml has no field {path}")
        node = self.schemas.items_of(info.node) or info.node
        meanings = node.schema.get("x-meanings", {})
        return {str(value): meanings.get(str(value), "") for value in node.schema.get("enum", ())}

    def columns(self, file: str) -> tuple[str, ...]:
        """The fields of one record of a collection file, in schema order: the file's CSV columns."""
        collection = self.collections[file]
        records = self.schemas.node_at(file, (collection.list_key, EACH))
        return tuple(records.schema.get("properties", {})) if records is not None else ()


def site_effect(node: SchemaNode) -> str:
    """What a field does on the site, as its schema declares it (else its description)."""
    return str(node.schema.get("x-site") or node.schema.get("description", ""))


def parse_path(path: str) -> Tokens:
    """``blocking[].answers`` -> ``("blocking", "[]", "answers")``."""
    tokens: list[str] = []
    for part in path.split("."):
        tokens.append(part.replace(EACH, ""))
        tokens.extend([EACH] * part.count(EACH))
    return tuple(tokens)


def _as_tuple(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)
