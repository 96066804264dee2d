"""Check loaded files against their JSON Schemas and word the errors for editors."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Cache, content_key
from .loader import YAML_BOOL_WORDS, LoadedFile
from .problems import Problem, format_path

if TYPE_CHECKING:  # jsonschema is imported only when a schema has to run (not on a cache hit)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR_NAME = Path("data") / "schemas"

_JSON_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list (lines starting with '- ')",
    "object": "a group of fields (key: value lines)",
    "null": "empty",
}


def schema_dir(project_dir: Path) -> Path:
    return project_dir / SCHEMA_DIR_NAME


def _load_schema_files(directory: Path) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.schema.json"))}


def _resolve_pointer(document: dict, pointer: str) -> Any:
    node: Any = document
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_refs(node: Any, documents: dict[str, dict], base: str) -> Any:
    """The schema with every ``$ref`` replaced by what it points to (our schemas are not recursive).

    Validating against the inlined schema gives the same result as following the references, but
    skips the reference lookups that otherwise dominate validation time on large data.
    """
    if isinstance(node, list):
        return [inline_refs(item, documents, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target_file, _, pointer = node["$ref"].partition("#")
        target_base = target_file or base
        target = inline_refs(_resolve_pointer(documents[target_base], pointer), documents, target_base)
        siblings = {key: inline_refs(value, documents, base) for key, value in node.items() if key != "$ref"}
        return {**target, **siblings}
    return {key: inline_refs(value, documents, base) for key, value in node.items() if key != "$defs"}


@lru_cache(maxsize=32)
def validator_for(directory: Path, name: str) -> Draft202012Validator:
    """A validator for ``<name>.schema.json`` with references to sibling schemas inlined."""
    documents = _load_schema_files(directory)
    file_name = f"{name}.schema.json"
    from jsonschema import Draft202012Validator

    return Draft202012Validator(inline_refs(documents[file_name], documents, file_name))


def suggest(value: object, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean …?)' hint, or '' when nothing is close."""
    if not isinstance(value, str) or not value:
        return ""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    if not matches:
        lowered = value.lower()
        matches = [choice for choice in choices if lowered in choice.lower()]
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    for python_type, word in ((int, "a number"), (float, "a number"), (list, "a list"), (dict, "a group of fields")):
        if isinstance(value, python_type):
            return word
    if value is None:
        return "empty"
    return "text"


def _type_message(error: ValidationError, loaded: LoadedFile) -> str:
    expected = error.validator_value
    expected_list = expected if isinstance(expected, list) else [expected]
    wanted = " or ".join(_JSON_TYPE_WORDS.get(item, item) for item in expected_list)
    literal = loaded.literals.get(tuple(error.absolute_path))
    if "string" in expected_list and literal is not None:
        if literal.lower() in YAML_BOOL_WORDS:
            return f"{literal} is read as a yes/no value, not as text; put it in quotes: '{literal}'"
        return f"{literal} is read as {_describe(error.instance)}, not as text; put it in quotes: '{literal}'"
    if error.instance is None:
        return f"is empty; it must be {wanted}"
    return f"must be {wanted}, not {_describe(error.instance)}"


def _message(error: ValidationError, loaded: LoadedFile) -> tuple[tuple, str]:
    """Return the data path to report and a plain-words message for one schema error."""
    path = tuple(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        field = missing[0] if missing else "?"
        return (*path, field), "is missing; this field is required"
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extras = [key for key in error.instance if key not in allowed]
        if not allowed:
            return path, f"{', '.join(map(repr, extras))} is not allowed here"
        field = extras[0] if extras else "?"
        return (*path, field), f"unknown field {field!r}{suggest(field, allowed)}; allowed fields: {', '.join(allowed)}"
    if kind == "enum":
        options = [str(option) for option in error.validator_value]
        return path, f"{error.instance!r} is not one of: {', '.join(options)}{suggest(str(error.instance), options)}"
    if kind == "type":
        return path, _type_message(error, loaded)
    if kind in ("pattern", "format", "maxLength"):
        hint = error.schema.get("x-error")
        if hint:
            return path, f"{error.instance!r} {hint}"
        return path, "must not be blank"
    if kind == "not":
        return path, error.schema.get("x-error") or "still holds the template's TODO placeholder; write the real text"
    if kind == "minItems":
        return path, f"needs at least {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}"
    if kind == "minLength":
        return path, "must not be empty"
    if kind == "uniqueItems":
        return path, "lists the same value twice; keep one"
    if kind in ("minimum", "maximum"):
        return path, f"{error.instance!r} is out of range ({kind} {error.validator_value})"
    return path, error.message


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Descend into $ref/anyOf wrappers so each problem is reported once, at its field."""
    if error.context:
        for child in error.context:
            yield from _leaf_errors(child)
    else:
        yield error


@lru_cache(maxsize=8)
def schemas_digest(directory: Path) -> bytes:
    """Changes whenever any schema file changes."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.schema.json")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.digest()


def schema_problems(loaded: LoadedFile, directory: Path, cache: Cache | None = None) -> list[Problem]:
    """Every schema violation in one loaded file, one problem each (reused when file and schemas are unchanged)."""
    key = content_key(loaded.key.encode("utf-8"), schemas_digest(directory)) if loaded.key else ""
    if cache is not None and key and (cached := cache.get("schema.marshal", key)) is not None:
        return [Problem(*problem) for problem in cached]
    problems = _validate(loaded, directory)
    if cache is not None and key:
        cache.put("schema.marshal", key, [problem.as_tuple() for problem in problems])
    return problems


def _validate(loaded: LoadedFile, directory: Path) -> list[Problem]:
    validator = validator_for(directory, loaded.name)
    problems = []
    for error in validator.iter_errors(loaded.data):
        for leaf in _leaf_errors(error):
            path, message = _message(leaf, loaded)
            problems.append(Problem(loaded.display_path, loaded.line_of(path), format_path(path), message))
    return problems
