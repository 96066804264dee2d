"""Build the typed model (:mod:`model`) from checked data, field by field, driven by the types' own hints.

Each record type names its fields once, in :mod:`model`; the builder reads the type hints to turn
lists into tuples and nested mappings into records, so there is no per-type building code to keep in
step with the schemas. :func:`schema_mismatches` compares every record type with its schema object,
so a field the schema accepts but the model does not know is caught by a test, and, should it ever
reach the data, is reported as a problem instead of crashing.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from . import model
from .memory import making_long_lived_objects
from .model import GuideData
from .problems import DataPath, format_path
from .schemas import EACH, SchemaNode, SchemaSet

# GuideData field -> (data file, key of its record list or single value, or None for the whole file).
SOURCES: dict[str, tuple[str, str | None]] = {
    "meta": ("guide", None),
    "sources": ("sources", "sources"),
    "themes": ("themes", "themes"),
    "roles": ("roles", "roles"),
    "phases": ("phases", "phases"),
    "frameworks": ("frameworks", "frameworks"),
    "terms": ("glossary", "terms"),
    "findings": ("findings", "findings"),
    "faqs": ("faqs", "faqs"),
    "items": ("checklists", "items"),
    "assessment": ("assessment", None),
    "releases": ("changelog", "releases"),
    "vendor_groups": ("vendor_questions", "groups"),
    "vendor_questions": ("vendor_questions", "questions"),
    "calculators": ("calculators", "calculators"),
    "legal_notice": ("regulations", "notice"),
    "jurisdictions": ("regulations", "jurisdictions"),
    "instruments": ("regulations", "instruments"),
    "theme_group_entries": ("themes", "groups"),
}
# Collections whose retired records are kept apart (their anchors stay alive, they drop out of counts).
RETIRED_FIELDS = {"findings": "retired_findings", "faqs": "retired_faqs", "items": "retired_items"}


class UnknownField(Exception):
    """The data holds a field the model has no place for (the schema and the model disagree)."""

    def __init__(self, path: DataPath, file: str = ""):
        self.path = path
        self.file = file
        super().__init__(f"{file}: {format_path(path)}")


Converter = Callable[[Any, DataPath], Any]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def _is_record(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


@cache
def _converter(hint: Any) -> Converter:
    """How to turn a checked plain value into a value of type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if _is_record(hint):
        return lambda value, path: build_record(hint, value, path)
    if origin is tuple:
        item = _converter(args[0])
        return lambda value, path: tuple(item(entry, (*path, index)) for index, entry in enumerate(value or ()))
    if origin is dict:
        item = _converter(args[1])
        return lambda value, path: {key: item(entry, (*path, key)) for key, entry in (value or {}).items()}
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else (lambda value, path: value)
    if hint is float:
        return lambda value, path: float(value)
    return lambda value, path: value


def build_record(cls: type, raw: dict[str, Any], path: DataPath = ()) -> Any:
    """An instance of the record type ``cls`` from one checked mapping."""
    hints = _hints(cls)
    values = {}
    for key, value in raw.items():
        if key not in hints:
            raise UnknownField((*path, key))
        values[key] = _converter(hints[key])(value, (*path, key))
    return cls(**values)


def _split(records: tuple) -> tuple[tuple, tuple]:
    """(active, retired) records, each in file order."""
    active = tuple(record for record in records if getattr(record, "status", "active") != "retired")
    retired = tuple(record for record in records if getattr(record, "status", "active") == "retired")
    return active, retired


UNKNOWN_FIELD_MESSAGE = "the schema allows this field, but the guide's code does not know it; ask a developer"


def build_model(raw: dict[str, Any]) -> GuideData:
    """The typed model from checked data (file name -> values); garbage collection paused meanwhile.

    Raises :class:`UnknownField` naming the file and field when the data holds a field the model lacks.
    """
    with making_long_lived_objects():
        return _build(raw)


def _build(raw: dict[str, Any]) -> GuideData:
    hints = _hints(GuideData)
    values: dict[str, Any] = {}
    for name, (file, list_key) in SOURCES.items():
        content = raw[file] if list_key is None else raw[file][list_key]
        prefix: DataPath = () if list_key is None else (list_key,)
        try:
            values[name] = _converter(hints[name])(content, prefix)
        except UnknownField as error:
            raise UnknownField(error.path, file) from None
    for name, retired_name in RETIRED_FIELDS.items():
        values[name], values[retired_name] = _split(values[name])
    return GuideData(**values)


# ---------------------------------------------------------------------------------------- model vs schemas


def _record_type_of(hint: Any) -> type | None:
    """The record type a hint holds directly or as the items of a tuple or the values of a dict."""
    if _is_record(hint):
        return hint
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (tuple, dict) and args:
        return _record_type_of(args[-1] if typing.get_origin(hint) is dict else args[0])
    return None


def _object_node(schemas: SchemaSet, node: SchemaNode) -> SchemaNode:
    """The object a field's schema describes: its items for a list, its values for a free mapping."""
    items = schemas.items_of(node)
    if items is not None:
        return _object_node(schemas, items)
    values = schemas.values_of(node)
    return _object_node(schemas, values) if values is not None and "properties" not in node.schema else node


def _compare(schemas: SchemaSet, cls: type, node: SchemaNode, where: str) -> list[str]:
    node = _object_node(schemas, node)
    declared = list(node.schema.get("properties", {}))
    fields = [field.name for field in dataclasses.fields(cls)]
    found = [f"{where}: the schema has {name!r}, {cls.__name__} does not" for name in declared if name not in fields]
    found += [f"{where}: {cls.__name__} has {name!r}, the schema does not" for name in fields if name not in declared]
    hints = _hints(cls)
    for name in declared:
        inner = _record_type_of(hints.get(name))
        if inner is not None:
            child = schemas.resolve(node.schema["properties"][name], node.doc)
            found += _compare(schemas, inner, child, f"{where}.{name}")
    return found


def _is_plain_value(schemas: SchemaSet, file: str, key: str) -> bool:
    node = schemas.node_at(file, (key,))
    return node is not None and "properties" not in node.schema and schemas.items_of(node) is None


def schema_mismatches(schemas: SchemaSet) -> list[str]:
    """Every field the model and the schemas disagree about (empty when they agree)."""
    hints = _hints(GuideData)
    found = []
    for name, (file, list_key) in SOURCES.items():
        cls = _record_type_of(hints[name])
        if cls is None and list_key is not None and _is_plain_value(schemas, file, list_key):
            continue  # a single value, such as the law pages' notice: nothing to compare
        node = schemas.root(file) if list_key is None else schemas.node_at(file, (list_key, EACH))
        if cls is None or node is None:
            found.append(f"{file}: no record type or schema for GuideData.{name}")
            continue
        found += _compare(schemas, cls, node, file if list_key is None else f"{file}.{list_key}[]")
    return found
