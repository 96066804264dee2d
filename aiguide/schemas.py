"""The JSON Schemas of the guide's data: read once, resolved one way, and their errors worded for editors.

:class:`SchemaSet` reads every ``data/schemas/*.schema.json`` once per load and
is the only place that follows ``$ref``: the validator, the field declarations
(:mod:`fields`), the field reference and the new-record command all resolve
through :meth:`SchemaSet.resolve`. A missing, unreadable or broken schema file
becomes a :class:`~aiguide.problems.Problem`, never an exception.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Cache, content_key
from .loader import LoadedFile
from .problems import Problem, format_path

if TYPE_CHECKING:  # jsonschema is imported only when a schema has to run (not on a cache hit)
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_DIR = Path("data") / "schemas"
SCHEMA_SUFFIX = ".schema.json"
COMMON = "common.schema.json"  # shared definitions only; no data file of its own

EACH = "[]"  # path token: every item of a list
ANY_KEY = "*"  # path token: the value under any key of a mapping
Tokens = tuple[str, ...]

_JSON_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list (lines starting with '- ')",
    "object": "a group of fields (key: value lines)",
    "null": "empty",
}


@dataclass(frozen=True)
class SchemaNode:
    """A schema with its ``$ref`` chain followed: its own keywords win over the referenced definition's."""

    schema: dict[str, Any]
    defs: tuple[str, ...]  # names of the $defs followed, nearest first
    doc: str  # the schema file the node's own $refs are relative to


class SchemaError(Exception):
    """A schema points at something that does not exist."""


def format_tokens(tokens: Tokens) -> str:
    """``("findings", "[]", "citations", "[]", "mark")`` -> ``findings[].citations[].mark``."""
    text = ""
    for token in tokens:
        text += token if token == EACH or not text else f".{token}"
    return text


class SchemaSet:
    """Every schema file of a project, by file name, with the problems found reading them."""

    def __init__(
        self,
        directory: Path,
        documents: dict[str, dict[str, Any]],
        problems: list[Problem],
        digest: bytes,
        contents: dict[str, bytes] | None = None,
    ):
        self.directory = directory
        self.documents = documents
        self.contents = contents or {}  # each readable schema file's exact bytes (published as downloads)
        self.problems = problems
        self.digest = digest
        self._validators: dict[str, Validator] = {}

    @classmethod
    def read(cls, project_dir: Path) -> SchemaSet:
        """Read ``data/schemas/`` of a project; unreadable files become problems."""
        directory = Path(project_dir) / SCHEMA_DIR
        documents: dict[str, dict[str, Any]] = {}
        contents: dict[str, bytes] = {}
        problems: list[Problem] = []
        digest = hashlib.sha256()
        for path in sorted(directory.glob(f"*{SCHEMA_SUFFIX}")):
            raw = path.read_bytes()
            digest.update(path.name.encode("utf-8") + b"\0" + raw)
            display = (SCHEMA_DIR / path.name).as_posix()
            try:
                document = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                problems.append(Problem(display, 1, "", "the schema is not UTF-8 text; restore it from the repository"))
                continue
            except json.JSONDecodeError as error:
                message = f"the schema is not valid JSON ({error.msg}); restore it from the repository"
                problems.append(Problem(display, error.lineno, "", message))
                continue
            if not isinstance(document, dict):
                problems.append(Problem(display, 1, "", "the schema must be a JSON object"))
                continue
            documents[path.name] = document
            contents[path.name] = raw
        schemas = cls(directory, documents, problems, digest.digest(), contents)
        schemas.problems.extend(schemas._reference_problems())
        return schemas

    # ------------------------------------------------------------------ resolving

    def _pointer(self, doc: str, pointer: str) -> dict[str, Any]:
        if doc not in self.documents:
            raise SchemaError(f"{doc} is missing")
        node: Any = self.documents[doc]
        for part in filter(None, pointer.split("/")):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or key not in node:
                raise SchemaError(f"{doc} has nothing at #{pointer}")
            node = node[key]
        if not isinstance(node, dict):
            raise SchemaError(f"{doc}#{pointer} is not a schema")
        return node

    def resolve(self, schema: dict[str, Any], doc: str) -> SchemaNode:
        """Follow ``$ref`` (within a file or into a sibling) until a definition without one.

        For describing fields (the reference, labels, references): the field's own keywords win over the
        referenced ones. Validation uses :meth:`inlined`, which keeps both where both constrain.
        """
        return self._resolve(schema, doc)

    def _resolve(self, schema: dict[str, Any], doc: str) -> SchemaNode:
        layers: list[dict[str, Any]] = []
        defs: list[str] = []
        seen: set[str] = set()
        while "$ref" in schema:
            target_doc, _, pointer = str(schema["$ref"]).partition("#")
            doc = target_doc or doc
            if f"{doc}#{pointer}" in seen:
                raise SchemaError(f"{doc}#{pointer} refers to itself")
            seen.add(f"{doc}#{pointer}")
            layers.append({key: value for key, value in schema.items() if key != "$ref"})
            defs.append(pointer.rsplit("/", 1)[-1])
            schema = self._pointer(doc, pointer)
        merged = dict(schema)
        for layer in reversed(layers):
            merged.update(layer)
        return SchemaNode(merged, tuple(defs), doc)

    def root(self, name: str) -> SchemaNode:
        """The top of ``<name>.schema.json``."""
        doc = f"{name}{SCHEMA_SUFFIX}"
        return self.resolve(self.documents[doc], doc)

    def inlined(self, node: Any, doc: str, _depth: int = 0) -> Any:
        """The schema with every ``$ref`` replaced by what it points to (the guide's schemas are not recursive).

        Validating against it gives the same result as following the references, without the lookups that
        otherwise dominate validation time on large data.
        """
        if _depth > 64:
            raise SchemaError(f"{doc} refers to itself")
        if isinstance(node, list):
            return [self.inlined(item, doc, _depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" not in node:
            return {key: self.inlined(value, doc, _depth + 1) for key, value in node.items() if key != "$defs"}
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        target_doc, _, pointer = str(node["$ref"]).partition("#")
        target = self.inlined(self._pointer(target_doc or doc, pointer), target_doc or doc, _depth + 1)
        local = {key: self.inlined(value, doc, _depth + 1) for key, value in siblings.items()}
        clashes = {key for key in local.keys() & target.keys() if not _is_annotation(key)}
        if clashes:  # both constrain the same keyword: JSON Schema applies both, so must we
            return {"allOf": [target, local]}
        merged = {**target, **local}
        if "x-error" in target and "x-error" in local:  # messages per keyword: the field's own win
            merged["x-error"] = {**_error_hints(target["x-error"]), **_error_hints(local["x-error"])}
        return merged

    def _reference_problems(self) -> list[Problem]:
        """One problem per schema file whose ``$ref``s cannot all be followed."""
        problems = []
        for doc, document in self.documents.items():
            try:
                self.inlined(document, doc)
            except SchemaError as error:
                display = (SCHEMA_DIR / doc).as_posix()
                problems.append(Problem(display, 1, "", f"a $ref cannot be followed: {error}"))
        return problems

    # ------------------------------------------------------------------ walking

    def items_of(self, node: SchemaNode) -> SchemaNode | None:
        """The schema of a list's items, or None for anything else."""
        items = node.schema.get("items")
        return self.resolve(items, node.doc) if node.schema.get("type") == "array" and isinstance(items, dict) else None

    def values_of(self, node: SchemaNode) -> SchemaNode | None:
        """The schema of a mapping's values when its keys are free (``additionalProperties: {…}``)."""
        extra = node.schema.get("additionalProperties")
        return self.resolve(extra, node.doc) if isinstance(extra, dict) else None

    def walk(self, node: SchemaNode, prefix: Tokens = ()) -> Iterator[tuple[Tokens, SchemaNode, bool]]:
        """Yield (path, node, required) for every property below ``node``, parents before children."""
        required = set(node.schema.get("required", ()))
        children = [
            ((*prefix, name), self.resolve(sub, node.doc), name in required)
            for name, sub in node.schema.get("properties", {}).items()
        ]
        values = self.values_of(node)
        if values is not None:
            children.append(((*prefix, ANY_KEY), values, False))
        for path, child, is_required in children:
            yield path, child, is_required
            items = self.items_of(child)
            if items is not None:
                yield from self.walk(items, (*path, EACH))
            else:
                yield from self.walk(child, path)

    def node_at(self, name: str, tokens: Tokens) -> SchemaNode | None:
        """The schema node at a field path of a data file, or None when the schema has no such field."""
        node = self.root(name)
        for token in tokens:
            if token == EACH:
                found = self.items_of(node)
            elif token == ANY_KEY:
                found = self.values_of(node)
            else:
                sub = node.schema.get("properties", {}).get(token)
                found = self.resolve(sub, node.doc) if isinstance(sub, dict) else None
            if found is None:
                return None
            node = found
        return node

    # ------------------------------------------------------------------ validating

    def validator(self, name: str) -> Validator:
        """A validator for ``<name>.schema.json`` (references inlined, real dates, integers never 1.0)."""
        if name not in self._validators:
            doc = f"{name}{SCHEMA_SUFFIX}"
            from jsonschema import Draft202012Validator

            schema = self.inlined(self.documents[doc], doc)
            self._validators[name] = _validator_class()(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[name]

    def problems_in(self, loaded: LoadedFile, cache: Cache | None = None) -> list[Problem]:
        """Every schema violation in one loaded file, one problem each (reused when file and schemas are unchanged)."""
        key = content_key(loaded.key.encode("utf-8"), self.digest) if loaded.key else ""
        if cache is not None and key and (cached := cache.get("schema.marshal", key)) is not None:
            return [Problem(*problem) for problem in cached]
        problems = []
        leaves = [
            leaf for error in self.validator(loaded.name).iter_errors(loaded.data) for leaf in _leaf_errors(error)
        ]
        for leaf in _without_misspelt_required(leaves):
            path, message = _message(leaf, loaded)
            problems.append(Problem(loaded.display_path, loaded.line_of(path), format_path(path), message))
        if cache is not None and key:
            cache.put("schema.marshal", key, [problem.as_tuple() for problem in problems])
        return problems


def _error_hints(hint: str | dict[str, str]) -> dict[str, str]:
    """``x-error`` as a mapping from keyword to message (a plain text covers pattern and format)."""
    return dict(hint) if isinstance(hint, dict) else {"pattern": hint, "format": hint}


def _is_annotation(keyword: str) -> bool:
    return keyword in ("description", "title", "examples", "default") or keyword.startswith("x-")


def ecma_pattern(pattern: str) -> str:
    """A schema pattern as Python must run it to match as JSON Schema (ECMA-262) does.

    The one difference that matters for the guide: ``$`` ends the text in ECMA-262, but in Python it
    also matches before a final line break, so ``^[a-z]+$`` would accept ``"theme\\n"``. Every ``$``
    outside a character class becomes ``\\Z``.
    """
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "]":
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append("\\Z")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


@lru_cache(maxsize=1)
def _validator_class() -> type[Validator]:
    """Draft 2020-12 with the guide's rules: ``pattern`` as ECMA-262 reads it, ``format: date`` checked,
    and 1.0 not a whole number."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError as Error

    def is_whole_number(checker: Any, instance: Any) -> bool:
        return isinstance(instance, int) and not isinstance(instance, bool)

    def pattern(validator: Any, value: str, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if isinstance(instance, str) and not _compiled(value).search(instance):
            yield Error(f"{instance!r} does not match {value!r}")

    type_checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", is_whole_number)
    return validators.extend(Draft202012Validator, {"pattern": pattern}, type_checker=type_checker)


# ---------------------------------------------------------------------------- messages


def suggest(value: object, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean …?)' hint, or '' when nothing is close."""
    if not isinstance(value, str) or not value:
        return ""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    if not matches:
        lowered = value.lower()
        matches = [choice for choice in choices if lowered in choice.lower()]
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def describe(value: Any) -> str:
    """What kind of value this is, in plain words."""
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
    if "string" in expected_list and literal is not None and error.instance is not None:
        return f"{literal} is read as {describe(error.instance)}, not as text; put it in quotes: '{literal}'"
    if error.instance is None:
        return f"is empty; it must be {wanted}"
    if "integer" in expected_list and isinstance(error.instance, float):
        return f"{literal or error.instance} must be a whole number, without a decimal point"
    return f"must be {wanted}, not {describe(error.instance)}"


def _message(error: ValidationError, loaded: LoadedFile) -> tuple[tuple, str]:
    """Return the data path to report and a plain-words message for one schema error."""
    path = tuple(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        field = missing[0] if missing else "?"
        hint = error.schema.get("x-error")
        hint = hint.get("required") if isinstance(hint, dict) else None
        return (*path, field), hint or "is missing; this field is required"
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
        if isinstance(hint, dict):
            hint = hint.get(kind)
        if hint:
            return path, f"{error.instance!r} {hint}"
        if kind == "maxLength":
            return path, f"is longer than {error.validator_value} characters; shorten it"
        return path, "must not be blank"
    if kind == "not":
        hint = _error_hints(error.schema.get("x-error", {})).get("not")
        return path, hint or "still holds the template's TODO placeholder; write the real text"
    if kind == "minItems":
        return path, f"needs at least {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}"
    if kind == "minLength":
        return path, "must not be empty"
    if kind == "uniqueItems":
        return path, "lists the same value twice; keep one"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than"}
        return (
            path,
            f"{error.instance!r} is out of range: it must be {words.get(kind, 'less than')} {error.validator_value}",
        )
    if kind == "const":
        return path, f"must be {error.validator_value!r}"
    if kind in ("anyOf", "oneOf") and isinstance(error.schema.get("x-error"), str):
        return path, error.schema["x-error"]
    return path, error.message


def _without_misspelt_required(errors: list[ValidationError]) -> list[ValidationError]:
    """Drop 'tier is missing' where the same record has 'teir': the unknown-field message already says it."""
    unknown: dict[tuple, set[str]] = {}
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            unknown.setdefault(tuple(error.absolute_path), set()).update(k for k in error.instance if k not in allowed)
    kept = []
    for error in errors:
        extras = unknown.get(tuple(error.absolute_path), set())
        if error.validator == "required" and extras:
            missing = [name for name in error.validator_value if name not in (error.instance or {})]
            if missing and any(suggest(extra, [missing[0]]) for extra in extras):
                continue
        kept.append(error)
    return kept


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Descend into anyOf/oneOf wrappers so each problem is reported once, at its field (a wrapper with its own
    ``x-error`` is one problem, in those words)."""
    if error.context and "x-error" not in error.schema:
        for child in error.context:
            yield from _leaf_errors(child)
    else:
        yield error
