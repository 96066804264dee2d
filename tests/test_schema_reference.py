"""The editors' field reference covers every schema field, with the right flags and values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiguide.schema_reference import reference_context, render_reference
from aiguide.validate import DATA_FILES

from .conftest import PROJECT_DIR

SCHEMA_DIR = PROJECT_DIR / "data" / "schemas"


def _schemas() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.schema.json")}


def _follow(schema: dict[str, Any], doc: str, schemas: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """Follow $ref to the definition that holds the structure (properties, items, enum)."""
    while "$ref" in schema:
        target, _, pointer = schema["$ref"].partition("#")
        doc = target or doc
        node: Any = schemas[doc]
        for part in pointer.strip("/").split("/"):
            node = node[part]
        schema = node
    return schema, doc


def _paths(schema: dict[str, Any], doc: str, schemas: dict[str, dict[str, Any]], prefix: str = "") -> Iterator[str]:
    """Every property path below ``schema``, written as the reference writes it."""
    schema, doc = _follow(schema, doc, schemas)
    children = [(name, sub) for name, sub in schema.get("properties", {}).items()]
    if isinstance(schema.get("additionalProperties"), dict):
        children.append(("*", schema["additionalProperties"]))
    for name, sub in children:
        path = f"{prefix}.{name}" if prefix else name
        yield path
        child, child_doc = _follow(sub, doc, schemas)
        if child.get("type") == "array" and isinstance(child.get("items"), dict):
            yield from _paths(child["items"], child_doc, schemas, f"{path}[]")
        else:
            yield from _paths(child, child_doc, schemas, path)


def _enum_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from (str(value) for value in node.get("enum", ()))
        for value in node.values():
            yield from _enum_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _enum_values(value)


@pytest.fixture(scope="module")
def reference(guide) -> str:
    return render_reference(guide, PROJECT_DIR)


def _row(reference: str, path: str) -> str:
    rows = [line for line in reference.splitlines() if line.startswith(f"| `{path}` |")]
    assert len(rows) == 1, f"{path}: {len(rows)} rows"
    return rows[0]


def _section(reference: str, name: str) -> str:
    start = reference.index(f"{{ #file-{name} }}")
    end = reference.find("\n## ", start)
    return reference[start : end if end >= 0 else None]


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_schema_field_has_a_row_in_its_file_section(reference: str, name: str) -> None:
    schemas = _schemas()
    doc = f"{name}.schema.json"
    section = _section(reference, name)
    paths = list(_paths(schemas[doc], doc, schemas))
    assert paths
    for path in paths:
        assert _row(section, path)


def test_enum_values_are_listed(reference: str) -> None:
    schemas = _schemas()
    for name in DATA_FILES:
        section = _section(reference, name)
        for value in _enum_values(schemas[f"{name}.schema.json"]):
            assert f"`{value}`" in section, f"{name}: enum value {value!r} missing"
    for value in _enum_values(schemas["common.schema.json"]["$defs"]["mark"]):
        assert f"`{value}`" in _row(reference, "findings[].citations[].mark")


@pytest.mark.parametrize(
    ("path", "flag"),
    [
        ("findings[].statement", "required"),
        ("findings[].also_themes", "optional"),
        ("findings[].citations[].mark", "required"),
        ("findings[].citations[].note", "optional"),
        ("items[].crosswalk", "optional"),
        ("licence.url", "required"),
        ("subtitle", "optional"),
    ],
)
def test_required_and_optional_fields(reference: str, path: str, flag: str) -> None:
    assert _row(reference, path).split(" | ")[1] == flag


def test_references_list_the_ids_in_the_data(reference: str, guide) -> None:
    theme_row = _row(reference, "findings[].theme")
    assert all(f"`{theme.id}`" in theme_row for theme in guide.themes)
    role_row = _row(reference, "items[].roles")
    assert all(f"`{role.id}`" in role_row for role in guide.roles)
    source_row = _row(reference, "findings[].citations[].source")
    assert f"any key from sources.yaml ({len(guide.sources)} entries)" in source_row
    crosswalk_row = _row(reference, "items[].crosswalk.*")
    crosswalk = [framework for framework in guide.frameworks if framework.kind == "crosswalk"]
    assert all(f"`{domain.id}`" in crosswalk_row for framework in crosswalk for domain in framework.domains)
    assert "new id" in _row(reference, "findings[].id")


def test_rows_carry_rules_examples_and_site_effects(reference: str, guide) -> None:
    id_row = _row(reference, "findings[].id")
    assert guide.findings[0].id in id_row
    assert "two capital letters, a hyphen and a number" in id_row  # the schema's x-error, in words
    assert "Guidance badge" in _row(reference, "findings[].kind")  # from the site mapping
    assert "Why the role is kept" in _row(reference, "roles[].unused_reason")  # the schema's description


def test_examples_are_short_and_cells_stay_on_one_line(guide) -> None:
    docs = reference_context(PROJECT_DIR, guide)
    assert [doc.name for doc in docs] == list(DATA_FILES)
    for doc in docs:
        for field in doc.fields:
            assert len(field.example) <= 80, field.path
            assert "\n" not in field.example


def test_reference_loads_the_data_itself_when_not_given() -> None:
    docs = reference_context(Path(PROJECT_DIR))
    assert docs[0].title
