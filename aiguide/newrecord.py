"""Start a new record: pick its id, fill its template from data/_templates/ and append it to its data file.

``python -m aiguide.newrecord finding --theme workflow-integration`` appends a finding with the next free
id, the theme and today's date filled in; every other field is a ``TODO: …`` stub that ``make check``
reports until an editor fills it in. Ids are never reused: numbers count every id in the data and in the
optional ``data/retired-ids.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import textwrap
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from . import PROJECT_DIR
from .fields import DATA_FILES, Collection, Fields
from .guide import DATA_DIR, Guide, data_file, display_path, load_guide
from .problems import Problem
from .schemas import EACH, SchemaSet, suggest

TEMPLATE_DIR = DATA_DIR / "_templates"
RETIRED_IDS = DATA_DIR / "retired-ids.txt"

FINDING_ID = re.compile(r"^(?P<prefix>[A-Z]{2})-(?P<number>\d+)$")
SOURCE_KEY = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
RESERVED_PREFIXES = {"CL", "VQ"}  # checklist item and supplier question ids would look like finding ids
STOP_WORDS = {"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"}
FOLD_AT = 90  # longer one-line texts are written as folded blocks (>-)
WRAP_AT = 100


class RawData(dict):
    """Data file name -> its parsed YAML (``None`` when it could not be read), with each collection's layout."""

    def __init__(self, values: Mapping[str, Any], collections: Mapping[str, Collection]):
        super().__init__(values)
        self.collections = dict(collections)


@dataclass(frozen=True)
class Kind:
    """One kind of record: its data file, the field its title goes to and how its id is made."""

    file: str
    title_field: str
    id_style: str  # "finding", "number", "slug" or "key"
    number_prefix: str = ""


def collections(project_dir: Path) -> dict[str, Collection]:
    """Where each kind of record lives (its list and id field), as the project's schemas declare it."""
    return Fields(SchemaSet.read(Path(project_dir))).collections


KINDS: dict[str, Kind] = {
    "finding": Kind("findings", "title", "finding"),
    "faq": Kind("faqs", "question", "number", "FAQ"),
    "checklist-item": Kind("checklists", "question", "number", "CL"),
    "source": Kind("sources", "title", "key"),
    "theme": Kind("themes", "title", "slug"),
    "role": Kind("roles", "title", "slug"),
    "phase": Kind("phases", "title", "slug"),
    "term": Kind("glossary", "term", "slug"),
    "vendor-question": Kind("vendor_questions", "question", "number", "VQ"),
}


class Placement(NamedTuple):
    """Where a record was added."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise ValueError(f"{name!r} is not a kind of record{suggest(name, list(KINDS))}; kinds: {', '.join(KINDS)}")
    return KINDS[name]


# ----------------------------------------------------------------------------- reading the data


def load_raw(guide: Guide) -> tuple[RawData, list[Problem]]:
    """Every data file as plain values, whatever the check says (a half-filled stub must not block);
    problems only for files (or schemas) that could not be read at all."""
    unreadable = {display_path(name) for name in DATA_FILES if name not in guide.files}
    problems = [p for p in guide.problems if p.file in unreadable or p.file.startswith("data/schemas/")]
    if problems:
        return RawData({}, {}), problems
    raw = {name: guide.files[name].data for name in DATA_FILES}
    return RawData(raw, guide.fields.collections), []


def read_retired_ids(project_dir: Path) -> set[str]:
    """Ids listed in ``data/retired-ids.txt`` (any layout; ``#`` starts a comment); empty if there is none."""
    path = Path(project_dir) / RETIRED_IDS
    if not path.is_file():
        return set()
    words = (line.split("#", 1)[0].replace(",", " ").split() for line in path.read_text("utf-8").splitlines())
    return {word for line in words for word in line}


def records(data: RawData, file: str) -> Iterator[dict[str, Any]]:
    """The well-shaped records of one collection file."""
    loaded = data.get(file)
    items = loaded.get(data.collections[file].list_key) if isinstance(loaded, dict) else None
    yield from (item for item in items if isinstance(item, dict)) if isinstance(items, list) else ()


def record_ids(data: RawData, file: str) -> list[str]:
    id_field = data.collections[file].id_field
    return [record[id_field] for record in records(data, file) if isinstance(record.get(id_field), str)]


def _finding_references(value: Any) -> Iterator[str]:
    """Finding ids named in ``findings:`` lists anywhere in ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "findings" and isinstance(item, list):
                yield from (entry for entry in item if isinstance(entry, str))
            yield from _finding_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _finding_references(item)


def finding_ids_ever(data: RawData, retired: Iterable[str] = ()) -> set[str]:
    """Every finding id in use, referred to, or retired."""
    ids = set(record_ids(data, "findings")) | set(retired)
    for name in DATA_FILES:
        ids.update(_finding_references(data.get(name)))
    return {fid for fid in ids if (match := FINDING_ID.match(fid)) and match["prefix"] not in RESERVED_PREFIXES}


# ----------------------------------------------------------------------------- ids


def _next_number(ids: Iterable[str], pattern: re.Pattern[str]) -> int:
    numbers = [int(match["number"]) for fid in ids if (match := pattern.match(fid))]
    return max(numbers, default=0) + 1


def theme_prefixes(data: RawData) -> dict[str, str]:
    """Theme -> the id prefix of its findings: the most used, preferring one that other themes use less."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for record in records(data, "findings"):
        fid, theme = record.get("id"), record.get("theme")
        if isinstance(fid, str) and isinstance(theme, str) and (match := FINDING_ID.match(fid)):
            counts[theme][match["prefix"]] += 1
            totals[match["prefix"]] += 1
    return {
        theme: max(counter, key=lambda prefix: (counter[prefix], counter[prefix] / totals[prefix]))
        for theme, counter in counts.items()
    }


def _initials(theme: str) -> Iterator[str]:
    """Candidate two-letter prefixes for a theme id, best first."""
    words = [word for word in theme.split("-") if word and word not in STOP_WORDS] or [theme]
    first = words[0]
    yield from (first[0] + word[0] for word in words[1:])
    yield from (first[0] + letter for letter in first[1:] + "".join(words[1:]))
    yield from (first[0] + letter for letter in "abcdefghijklmnopqrstuvwxyz")


def prefix_for_theme(theme: str, data: RawData) -> str:
    """The prefix findings of ``theme`` use, or a new one from the theme's initials that no theme uses yet."""
    prefixes = theme_prefixes(data)
    if theme in prefixes:
        return prefixes[theme]
    taken = {fid.split("-")[0] for fid in record_ids(data, "findings")} | RESERVED_PREFIXES
    candidates = (candidate.upper() for candidate in _initials(theme) if candidate.isascii() and candidate.isalpha())
    free = next((candidate for candidate in candidates if candidate not in taken), None)
    if free is None:
        raise ValueError(f"no free two-letter prefix for {theme!r}; give one with --prefix")
    return free


def _finding_prefix(data: RawData, prefix: str | None, theme: str | None) -> str:
    if prefix:
        prefix = prefix.upper()
        if not re.fullmatch(r"[A-Z]{2}", prefix) or prefix in RESERVED_PREFIXES:
            raise ValueError(f"prefix {prefix!r} must be two capital letters other than {', '.join(RESERVED_PREFIXES)}")
        return prefix
    if not theme:
        raise ValueError("a finding needs --theme (or --prefix) to choose its id prefix")
    themes = record_ids(data, "themes")
    if theme not in themes:
        raise ValueError(f"{theme!r} is not a theme in themes.yaml{suggest(theme, themes)}")
    return prefix_for_theme(theme, data)


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Human–AI trust' -> 'human-ai-trust'."""
    spaced = "".join(char if char.isalnum() else " " for char in title)
    text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def _new_name(kind: Kind, data: RawData, retired: set[str], title: str | None, key: str | None) -> str:
    if kind.id_style == "key":
        if not key or not SOURCE_KEY.match(key):
            raise ValueError("a source needs --key: an upper-case key such as STROHM2020 or SUPP-NAIR2024")
        name = key
    else:
        name = slugify(title or "")
        if not name:
            raise ValueError(f"a new {kind.file.removesuffix('s')} entry needs --title, to make its id from")
    if name in record_ids(data, kind.file) or name in retired:
        used = "was retired" if name in retired else f"is already used in {kind.file}.yaml"
        raise ValueError(f"{name!r} {used}; choose another {'key' if kind.id_style == 'key' else 'title'}")
    return name


def next_id(
    kind: str,
    data: RawData,
    *,
    retired: Iterable[str] = (),
    prefix: str | None = None,
    theme: str | None = None,
    title: str | None = None,
    key: str | None = None,
) -> str:
    """The id a new record of ``kind`` gets; ``data`` holds the raw files (see :func:`load_raw`)."""
    spec, retired = kind_of(kind), set(retired)
    if spec.id_style == "finding":
        number = _next_number(finding_ids_ever(data, retired), FINDING_ID)
        return f"{_finding_prefix(data, prefix, theme)}-{number:02d}"
    if spec.id_style == "number":
        pattern = re.compile(rf"^{spec.number_prefix}-(?P<number>\d+)$")
        number = _next_number({*record_ids(data, spec.file), *retired}, pattern)
        return f"{spec.number_prefix}-{number:02d}"
    return _new_name(spec, data, retired, title, key)


def next_order(data: RawData) -> int:
    """The first free position after the last phase."""
    orders = [record["order"] for record in records(data, "phases") if isinstance(record.get("order"), int)]
    return max(orders, default=0) + 1


# ----------------------------------------------------------------------------- filling templates

_FIELD_LINE = re.compile(r"^(?P<lead>- |  )(?P<comment># ?)?(?P<key>[a-z_]+):(?P<rest>.*)$")


def _foldable(text: str) -> bool:
    return len(text) > FOLD_AT and text == " ".join(text.split())


def _is_block(value: Any) -> bool:
    """True for a non-empty mapping or a list holding mappings or lists: written over several lines."""
    if isinstance(value, list):
        return any(isinstance(item, dict | list) for item in value)
    return isinstance(value, dict) and bool(value)


def _flow(value: Any) -> str:
    """A plain value, or a list of them, on one line."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and "\n" in value:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
    return text.rstrip("\n").removesuffix("\n...")


def _block(value: Any) -> list[str]:
    """Lines of a mapping or a list in block style, with lists of plain values kept on one line."""
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in yaml_entry(str(key), item)]
    lines: list[str] = []
    for item in value:
        inner = _block(item) if _is_block(item) else [_flow(item)]
        lines += [f"- {inner[0]}", *(f"  {line}" for line in inner[1:])]
    return lines


def yaml_entry(key: str, value: Any) -> list[str]:
    """``key: value`` as YAML lines in the data files' style; later lines are indented two spaces past the key."""
    if isinstance(value, str) and _foldable(value):
        lines = textwrap.wrap(value, WRAP_AT, break_long_words=False, break_on_hyphens=False)
        return [f"{key}: >-", *(f"  {line}" for line in lines)]
    if _is_block(value):
        return [f"{key}:", *(f"  {line}" for line in _block(value))]
    return [f"{key}: {_flow(value)}"]


def fill_template(text: str, fields: Mapping[str, Any]) -> str:
    """Replace the values of the named top-level fields (uncommenting optional ones) in a template record."""
    lines, out, filled = text.splitlines(), [], set()
    index = 0
    while index < len(lines):
        match = _FIELD_LINE.match(lines[index])
        index += 1
        if not match or match["key"] not in fields or match["key"] in filled:
            out.append(lines[index - 1])
            continue
        while not match["comment"] and index < len(lines) and lines[index].startswith("   "):
            index += 1  # the old value's continuation lines
        first, *rest = yaml_entry(match["key"], fields[match["key"]])
        out += [f"{match['lead']}{first}", *(f"  {line}" for line in rest)]
        filled.add(match["key"])
    unknown = sorted(set(fields) - filled)
    if unknown:
        raise ValueError(f"the template has no field {', '.join(map(repr, unknown))}")
    return "\n".join(out) + "\n"


def template_record(project_dir: Path, kind: str) -> str:
    """The record part of ``data/_templates/<kind>.yaml`` (its header comments left out)."""
    kind_of(kind)
    lines = (Path(project_dir) / TEMPLATE_DIR / f"{kind}.yaml").read_text("utf-8").splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("- "))
    return "\n".join(lines[start:]).rstrip() + "\n"


def record_indent(text: str, list_key: str) -> str:
    """The indentation of the items of ``list_key`` in a data file ('  ' when it has none yet)."""
    match = re.search(rf"^{re.escape(list_key)}:[^\n]*\n(?:[ \t]*(?:#[^\n]*)?\n)*(?P<indent> *)- ", text, re.M)
    return match["indent"] if match else "  "


def new_record_text(
    kind: str,
    /,
    *,
    project_dir: Path = PROJECT_DIR,
    indent: str | None = None,
    today: dt.date | None = None,
    comments: bool = True,
    **fields: Any,
) -> str:
    """A YAML list item for ``kind``: its template with ``fields`` (and last_reviewed: today) filled in.

    ``kind`` is positional-only, so a finding's own ``kind`` field can be given as ``kind=...`` too.
    """
    spec = kind_of(kind)
    template = template_record(project_dir, kind)
    if re.search(r"^  last_reviewed:", template, re.M) and "last_reviewed" not in fields:
        fields["last_reviewed"] = today or dt.date.today()
    text = fill_template(template, fields)
    if not comments:
        text = "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))
    if indent is None:
        list_key = collections(project_dir)[spec.file].list_key
        indent = record_indent(data_file(project_dir, spec.file).read_text("utf-8"), list_key)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


# ----------------------------------------------------------------------------- appending


def _insert_position(text: str, list_key: str) -> int:
    """Just after the last item of ``list_key``: before the next top-level key, or at the end."""
    start = re.search(rf"^{re.escape(list_key)}:[ \t]*(#.*)?$", text, re.M)
    if start is None:
        raise ValueError(f"no '{list_key}:' line with a list under it")
    following = re.compile(r"^[^\s#\-]", re.M).search(text, start.end())
    if following is None:
        return len(text)
    position = following.start()
    while position > start.end():
        line_start = text.rfind("\n", 0, position - 1) + 1
        line = text[line_start:position]
        if line.strip() and not line.startswith("#"):
            break
        position = line_start
    return position


def _gap(before: str, newline: str) -> str:
    """What goes between the text before a new record and the record: enough for one blank line."""
    if not before or before.endswith(newline * 2):
        return ""
    return newline if before.endswith(newline) else newline * 2


def append_record(project_dir: Path, kind: str, text: str) -> Placement:
    """Add ``text`` after the last record of its file; every other byte of the file stays as it was."""
    spec = kind_of(kind)
    path = data_file(Path(project_dir), spec.file)
    original = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in original else "\n"
    position = _insert_position(original, collections(project_dir)[spec.file].list_key)
    before, after = original[:position], original[position:]
    gap = _gap(before, newline)
    block = text.replace("\r\n", "\n").replace("\n", newline)
    if after and not after.startswith(newline):
        block += newline
    path.write_bytes((before + gap + block + after).encode("utf-8"))
    line = before.count("\n") + gap.count("\n") + 1
    return Placement(display_path(spec.file), line)


# ----------------------------------------------------------------------------- command line


def field_types(project_dir: Path, kind: str) -> dict[str, str]:
    """Top-level field -> JSON type of a record of ``kind``, from its schema."""
    spec = kind_of(kind)
    schemas = SchemaSet.read(Path(project_dir))
    list_key = Fields(schemas).collections[spec.file].list_key
    items = schemas.node_at(spec.file, (list_key, EACH))
    assert items is not None, f"{spec.file}.schema.json has no record list {list_key}"
    return {
        name: str(schemas.resolve(sub, items.doc).schema.get("type", "string"))
        for name, sub in items.schema.get("properties", {}).items()
    }


def parse_setting(setting: str, types: Mapping[str, str]) -> tuple[str, Any]:
    """``field=value`` -> (field, value typed as the schema wants: list, whole number, true/false or text)."""
    name, sep, value = setting.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or name not in types:
        raise ValueError(f"--set {setting!r}: use FIELD=VALUE with one of: {', '.join(types)}")
    kind = types[name]
    if kind == "array":
        return name, [item.strip() for item in value.split(",") if item.strip()]
    if kind == "integer" and value.isdigit():
        return name, int(value)
    if kind == "boolean" and value.lower() in ("true", "false"):
        return name, value.lower() == "true"
    return name, value


def _fields(args: argparse.Namespace, data: RawData, new_id: str) -> dict[str, Any]:
    spec = KINDS[args.kind]
    fields: dict[str, Any] = {data.collections[spec.file].id_field: new_id}
    if args.title:
        fields[spec.title_field] = args.title
    if args.theme:
        fields["theme"] = args.theme
    if args.kind == "phase":
        fields["order"] = next_order(data)
    types = field_types(args.project, args.kind)
    fields.update(parse_setting(setting, types) for setting in args.set)
    return fields


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aiguide.newrecord", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=list(KINDS), help="the kind of record to add")
    parser.add_argument("--theme", help="theme id (findings, checklist items); also picks a finding's id prefix")
    parser.add_argument("--prefix", help="two-letter prefix for a finding's id, instead of the theme's")
    parser.add_argument(
        "--title",
        help="title, question or term; themes, roles, phases and terms take their id from it",
    )
    parser.add_argument("--key", help="a new source's key, e.g. SURNAME2026")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="fill in another field")
    parser.add_argument("--dry-run", action="store_true", help="print the record instead of adding it")
    parser.add_argument("--no-comments", action="store_true", help="leave out the template's explanations")
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help="project folder (default: this checkout)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Add one record; print its id and where it went. 0 on success, 1 on unreadable data, 2 on bad options."""
    args = _parser().parse_args(argv)
    data, problems = load_raw(load_guide(args.project))
    if problems:
        print("\n".join(map(str, problems)), file=sys.stderr)
        print("fix these first: new ids are only safe when every data file can be read", file=sys.stderr)
        return 1
    try:
        options = {"prefix": args.prefix, "theme": args.theme, "title": args.title, "key": args.key}
        new_id = next_id(args.kind, data, retired=read_retired_ids(args.project), **options)
        text = new_record_text(
            args.kind, project_dir=args.project, comments=not args.no_comments, **_fields(args, data, new_id)
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(text, end="")
        return 0
    placement = append_record(args.project, args.kind, text)
    then = "make check, then make sync" if args.kind == "theme" else "make check"
    print(f"{new_id}: added to {placement}. Replace every TODO in it, then run: {then}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
