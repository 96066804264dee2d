"""Read one YAML data file into plain Python values plus a line for every field.

PyYAML's own loaders keep the last of two duplicated keys, expand aliases without
limit, build values from tags, recurse once per nesting level and lose line
numbers. This module reads the event stream of PyYAML's fast C parser and builds
the values itself, without recursion, so that it can:

* remember the line of every mapping key and list item (for messages);
* refuse, each at its own line, what guide data never needs: duplicated keys,
  anchors, aliases, merge keys, tags (``!!binary``, ``!foo``), non-text keys,
  control characters, line and paragraph separators, and nesting deeper than
  :data:`MAX_DEPTH`;
* read plain scalars by the YAML 1.2 core rules, as editors such as VS Code do:
  only ``true``/``false`` are booleans (``no`` is text), ``2026-11-29`` is text,
  numbers must be finite (``.nan`` and ``.inf`` are refused);
* keep the literal text of every non-text scalar, so a number where text is
  expected can be reported with the fix (put it in quotes).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .cache import Cache, content_key
from .problems import DataPath, Problem, format_path

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32  # guide data nests five or six levels deep; anything far deeper is a mistake or an attack
MAX_PROBLEMS = 50  # per file: a pasted binary must not flood the terminal

# YAML 1.2 core schema, for plain (unquoted) scalars only.
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_TRUE = re.compile(r"(?:true|True|TRUE)\Z")
_FALSE = re.compile(r"(?:false|False|FALSE)\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCTAL = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")

# Characters that never belong in guide data: C0 and C1 controls except tab, line feed and carriage return,
# and the Unicode line and paragraph separators, which break headings, the navigation and mkdocs.yml.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass
class LoadedFile:
    """The values of one data file and where each of them stands.

    ``lines`` and ``literals`` are only needed to word problems, so a file taken from the
    cache fetches them lazily, the first time a message needs them.
    """

    name: str
    display_path: str
    data: Any
    _lines: dict[DataPath, int] | None = None
    _literals: dict[DataPath, str] | None = None
    _fetch_positions: Callable[[], tuple[dict[DataPath, int], dict[DataPath, str]]] | None = None
    key: str = ""  # content key: equal keys mean identical file contents

    def _positions(self) -> None:
        if self._lines is None:
            if self._fetch_positions is not None:
                self._lines, self._literals = self._fetch_positions()
            else:
                self._lines, self._literals = {}, {}

    @property
    def lines(self) -> dict[DataPath, int]:
        self._positions()
        return self._lines  # type: ignore[return-value]

    @property
    def literals(self) -> dict[DataPath, str]:
        self._positions()
        return self._literals  # type: ignore[return-value]

    def line_of(self, path: DataPath) -> int:
        """The line of ``path``, or of its nearest parent that has one."""
        lines = self.lines
        probe = tuple(path)
        while probe:
            if probe in lines:
                return lines[probe]
            probe = probe[:-1]
        return lines.get((), 1)


def character_name(char: str) -> str:
    """'U+0000 (NULL)': how a character is named in messages."""
    name = unicodedata.name(char, "") or {"\x00": "NULL", "\x7f": "DELETE"}.get(char, "a control character")
    return f"U+{ord(char):04X} ({name})"


def _forbidden_characters(text: str, display_path: str) -> list[Problem]:
    """One problem per line holding a character guide data never needs."""
    problems = []
    seen_lines: set[int] = set()
    for match in _FORBIDDEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line in seen_lines:
            continue
        seen_lines.add(line)
        message = f"holds the invisible character {character_name(match.group())}; delete it (retype the line)"
        problems.append(Problem(display_path, line, "", message))
    return problems


def _tab_indentation(text: str, display_path: str) -> Problem | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip(" ").startswith("\t"):
            return Problem(display_path, number, "", "a tab character is used for indentation; indent with spaces only")
    return None


class _Frame:
    """A mapping or list being built, with where it stands."""

    __slots__ = ("key", "key_line", "path", "value")

    def __init__(self, value: dict | list, path: DataPath):
        self.value = value
        self.path = path
        self.key: str | None = None  # mappings: the key waiting for its value
        self.key_line = 0


class _Builder:
    """Turns PyYAML's event stream into values, recording lines, literals and problems."""

    def __init__(self, display_path: str):
        self.display_path = display_path
        self.lines: dict[DataPath, int] = {}
        self.literals: dict[DataPath, str] = {}
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.skip_depth = 0  # > 0 while skipping the insides of a refused collection
        self.decorated_lines: set[int] = set()  # lines already reported for an anchor, alias or tag
        self.root: Any = None
        self.has_root = False

    def problem(self, line: int, path: DataPath, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.display_path, line, format_path(path), message))

    # -- where the next value goes

    def _slot(self, line: int) -> tuple[DataPath, bool]:
        """The path of the next node, and whether it is a mapping key."""
        if not self.stack:
            return (), False
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value)), False
        if frame.key is None:
            return frame.path, True
        return (*frame.path, frame.key), False

    def _place(self, value: Any, path: DataPath, line: int) -> None:
        if not self.stack:
            self.root, self.has_root = value, True
            self.lines.setdefault((), line)
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            self.lines[path] = line
            frame.value.append(value)
            return
        key = frame.key
        frame.key = None
        if key is not None and key != "\0refused":
            self.lines[path] = frame.key_line
            frame.value[key] = value

    # -- events

    def _decoration(self, line: int, path: DataPath, message: str) -> None:
        """Report an anchor, alias or tag, once per line (a line of aliases is one mistake)."""
        if line not in self.decorated_lines:
            self.decorated_lines.add(line)
            self.problem(line, path, message)

    def _refuse_decorations(self, event: Any, path: DataPath, line: int) -> bool:
        """Report an anchor or a tag on a node; True when the node carries either."""
        refused = False
        if getattr(event, "anchor", None):
            message = f"anchors (&{event.anchor}) and aliases are not allowed in guide data; write the value out"
            self._decoration(line, path, message)
            refused = True
        tag = getattr(event, "tag", None)
        if tag and tag != "!":
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self._decoration(line, path, f"tags such as {shown} are not allowed in guide data; write the value plainly")
            refused = True
        return refused

    def _start_collection(self, event: Any, value: dict | list) -> None:
        line = event.start_mark.line + 1
        path, is_key = self._slot(line)
        if self.skip_depth:
            self.skip_depth += 1
            return
        if is_key:
            self.problem(line, path, "field name must be plain text, not a list or mapping; put it in quotes")
            self.stack[-1].key, self.stack[-1].key_line = "\0refused", line
            self.skip_depth = 1
            return
        if len(self.stack) >= MAX_DEPTH:
            self.problem(line, path, f"nests more than {MAX_DEPTH} levels deep; guide data never needs that")
            self._place(None, path, line)
            self.skip_depth = 1
            return
        self._refuse_decorations(event, path, line)  # reported; the collection is still read, never constructed
        self.lines.setdefault(path, line)
        self.stack.append(_Frame(value, path))

    def _end_collection(self) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        frame = self.stack.pop()
        self._place(frame.value, frame.path, self.lines.get(frame.path, 1))

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        if self.skip_depth:
            return
        line = event.start_mark.line + 1
        path, is_key = self._slot(line)
        if self._refuse_decorations(event, path, line):
            value: Any = None
        else:
            value = self._resolve(event, path, line, is_key)
        if is_key:
            self._key(value, event, path, line)
            return
        self._place(value, path, line)

    def _key(self, value: Any, event: yaml.ScalarEvent, path: DataPath, line: int) -> None:
        frame = self.stack[-1]
        frame.key, frame.key_line = "\0refused", line
        if event.value == "<<" and event.implicit[0]:
            self.problem(line, path, "merge keys (<<) are not allowed in guide data; write the fields out")
        elif not isinstance(value, str):
            self.problem(line, path, f"field name {event.value!r} must be plain text; put it in quotes")
        elif value in frame.value:
            first = self.lines.get((*path, value), line)
            self.problem(line, (*path, value), f"field {value!r} is given twice (first on line {first}); keep one")
        else:
            frame.key = value

    def _resolve(self, event: yaml.ScalarEvent, path: DataPath, line: int, is_key: bool) -> Any:
        text = event.value
        if event.style or not event.implicit[0]:  # quoted or block scalar: always text
            return text
        value = plain_scalar(text)
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(line, path, f"{text} is not a finite number; write an ordinary number")
            return None
        if not isinstance(value, str) and not is_key:
            self.literals[path] = text
        return value

    def _alias(self, event: yaml.AliasEvent) -> None:
        if self.skip_depth:
            return
        line = event.start_mark.line + 1
        path, is_key = self._slot(line)
        self._decoration(line, path, f"aliases (*{event.anchor}) are not allowed in guide data; write the value out")
        if is_key:
            self.stack[-1].key, self.stack[-1].key_line = "\0refused", line
        else:
            self._place(None, path, line)

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.MappingStartEvent):
            self._start_collection(event, {})
        elif isinstance(event, yaml.SequenceStartEvent):
            self._start_collection(event, [])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._end_collection()
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)


def plain_scalar(text: str) -> Any:
    """The value of an unquoted scalar by the YAML 1.2 core schema (dates and everything else stay text)."""
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT.match(text):
        return int(text)
    if _OCTAL.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INFINITE.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _yaml_error_problem(display_path: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(error, "problem", None) or str(error)
    if "'\\t'" in problem:
        message = "a tab character is used for indentation; indent with spaces only"
    else:
        context = getattr(error, "context", None)
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        message += "; check the indentation and quotes on this line and the one before"
    return Problem(display_path, line, "", message)


def load_text(text: str, display_path: str, name: str | None = None) -> tuple[LoadedFile | None, list[Problem]]:
    """Parse YAML text; return the loaded file (or ``None``) and any problems."""
    name = name or Path(display_path).stem
    if characters := _forbidden_characters(text, display_path):
        return None, characters
    if "\t" in text and (tab := _tab_indentation(text, display_path)) is not None:
        return None, [tab]
    builder = _Builder(display_path)
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line = event.start_mark.line + 1
                    return None, [Problem(display_path, line, "", "holds a second document (---); keep one per file")]
            builder.feed(event)
    except yaml.YAMLError as error:
        return None, [_yaml_error_problem(display_path, error)]
    if not builder.has_root or builder.root is None:
        return None, [Problem(display_path, 1, "", "the file is empty; it must hold the guide's data")]
    loaded = LoadedFile(name, display_path, builder.root, builder.lines, builder.literals)
    return loaded, builder.problems


def _from_cache(
    cache: Cache, key: str, path: Path, raw: bytes, display_path: str
) -> tuple[LoadedFile, list[Problem]] | None:
    entry = cache.get("parsed.marshal", key)
    if entry is None:
        return None
    data, problems = entry

    def fetch_positions() -> tuple[dict[DataPath, int], dict[DataPath, str]]:
        positions = cache.get("positions.pickle", key)
        if positions is None:  # the entry went missing: parse again just for the positions
            reparsed, _ = load_text(_decode(raw), display_path, path.stem)
            return (reparsed.lines, reparsed.literals) if reparsed else ({}, {})
        return positions

    loaded = LoadedFile(path.stem, display_path, data, _fetch_positions=fetch_positions, key=key)
    return loaded, [Problem(*problem) for problem in problems]


def _store(cache: Cache, key: str, loaded: LoadedFile | None, problems: list[Problem]) -> None:
    if loaded is None:
        return
    cache.put("parsed.marshal", key, (loaded.data, [problem.as_tuple() for problem in problems]))
    cache.put("positions.pickle", key, (loaded.lines, loaded.literals))


def _decode(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def load_file(path: Path, display_path: str, cache: Cache | None = None) -> tuple[LoadedFile | None, list[Problem]]:
    """Read and parse one data file, reporting unreadable, oversized or non-UTF-8 files.

    With a cache, a file whose exact bytes were parsed before is not parsed again.
    """
    if not path.is_file():
        return None, [Problem(display_path, 0, "", "the file is missing")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return None, [Problem(display_path, 0, "", f"the file is {size:,} bytes, over the {limit} MB limit; split it")]
    raw = path.read_bytes()
    key = content_key(raw, display_path.encode("utf-8"))
    if cache is not None and (hit := _from_cache(cache, key, path, raw, display_path)) is not None:
        return hit
    try:
        text = _decode(raw)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = "the file is not UTF-8 text; save it as UTF-8 in your editor"
        return None, [Problem(display_path, line, "", message)]
    loaded, problems = load_text(text, display_path, path.stem)
    if loaded is not None:
        loaded.key = key
        if cache is not None:
            _store(cache, key, loaded, problems)
    return loaded, problems
