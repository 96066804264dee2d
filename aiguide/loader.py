"""Read one YAML data file into plain Python values plus a line for every field.

PyYAML's own loaders keep the last of two duplicated keys, expand aliases
without limit and lose line numbers. This module composes the node tree with
the fast C parser and builds the values itself, so that it can:

* remember the line of every mapping key and list item (for messages);
* reject duplicated keys, anchors/aliases and non-text keys;
* keep the literal text of every scalar, so a ``no`` read as ``False`` can be
  reported with the fix (put it in quotes);
* turn dates into ISO text, so the rest of the pipeline sees strings only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .cache import Cache, content_key
from .problems import DataPath, Problem, format_path

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

MAX_FILE_BYTES = 20 * 1024 * 1024
YAML_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false"}


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


class _Builder:
    """Turns a composed node tree into values, recording lines and problems."""

    def __init__(self, display_path: str):
        self.display_path = display_path
        self.lines: dict[DataPath, int] = {}
        self.literals: dict[DataPath, str] = {}
        self.problems: list[Problem] = []
        self._seen_nodes: set[int] = set()
        self._alias_reported = False

    def problem(self, line: int, path: DataPath, message: str) -> None:
        self.problems.append(Problem(self.display_path, line, format_path(path), message))

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        line = node.start_mark.line + 1
        known = self.lines.get(path, self.lines.get(path[:-1], line))
        self.lines.setdefault(path, line)
        if id(node) in self._seen_nodes:
            # An alias node is the anchored node itself, so its mark is the anchor's; use the line of the
            # key (or list) that holds the alias, and report the first alias only (no billion-laughs flood).
            self.lines[path] = known
            if not self._alias_reported:
                self._alias_reported = True
                self.problem(
                    known, path, "anchors and aliases (& and *) are not allowed in guide data; write the value out"
                )
            return None
        self._seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_line, path, "merge keys (<<) are not allowed in guide data; write the fields out")
                continue
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                self.problem(key_line, path, f"field name {shown!r} must be plain text; put it in quotes")
                continue
            if key in result:
                first = self.lines.get((*path, key), key_line)
                self.problem(key_line, (*path, key), f"field {key!r} is given twice (first on line {first}); keep one")
                continue
            self.lines[(*path, key)] = key_line
            result[key] = self.build(value_node, (*path, key))
            self.lines[(*path, key)] = key_line
        return result

    def _scalar(self, node: yaml.ScalarNode, path: DataPath) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        self.literals[path] = node.value
        try:
            value = _CONSTRUCTOR.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as error:
            reason = getattr(error, "problem", None) or str(error)
            if node.tag == "tag:yaml.org,2002:timestamp":
                message = f"{node.value} is not a real date ({reason}); write it as YYYY-MM-DD, e.g. 2026-11-29"
            else:
                message = f"cannot read {node.value!r}: {reason}"
            self.problem(node.start_mark.line + 1, path, message)
            return node.value
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


def _yaml_error_problem(display_path: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(error, "problem", None) or str(error)
    if "'\\t'" in problem or "tab" in problem.lower():
        message = "a tab character is used for indentation; indent with spaces only"
    else:
        context = getattr(error, "context", None)
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        message += "; check the indentation and quotes on this line and the one before"
    return Problem(display_path, line, "", message)


def load_text(text: str, display_path: str, name: str | None = None) -> tuple[LoadedFile | None, list[Problem]]:
    """Parse YAML text; return the loaded file (or ``None``) and any problems."""
    name = name or Path(display_path).stem
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                return None, [
                    Problem(
                        display_path, number, "", "a tab character is used for indentation; indent with spaces only"
                    )
                ]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        return None, [_yaml_error_problem(display_path, error)]
    if node is None:
        return None, [Problem(display_path, 1, "", "the file is empty; it must hold the guide's data")]
    builder = _Builder(display_path)
    data = builder.build(node, ())
    loaded = LoadedFile(name, display_path, data, builder.lines, builder.literals)
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
