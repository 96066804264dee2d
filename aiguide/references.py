"""Checks that span records and files: unique ids, resolvable references, unused entries.

They run on the plain values from the loader and skip anything of the wrong
shape: the schema check reports those, so each problem is reported once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .loader import LoadedFile
from .problems import DataPath, Problem, format_path
from .schemas import suggest

# file name -> (key of its record list, id field of each record)
COLLECTIONS: dict[str, tuple[str, str]] = {
    "sources": ("sources", "key"),
    "themes": ("themes", "id"),
    "roles": ("roles", "id"),
    "phases": ("phases", "id"),
    "frameworks": ("frameworks", "id"),
    "glossary": ("terms", "id"),
    "findings": ("findings", "id"),
    "faqs": ("faqs", "id"),
    "checklists": ("items", "id"),
    "changelog": ("releases", "version"),
}

# What each kind of id is called in messages.
KIND_WORDS = {
    "sources": "source",
    "themes": "theme",
    "roles": "role",
    "phases": "phase",
    "frameworks": "framework",
    "glossary": "glossary term",
    "findings": "finding",
    "regulations": "law or obligation",
}

# (file, field, kind): a field of every record that refers to ids of another kind.
FIELD_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("findings", "theme", "themes"),
    ("findings", "also_themes", "themes"),
    ("findings", "roles", "roles"),
    ("findings", "phases", "phases"),
    ("findings", "terms", "glossary"),
    ("faqs", "findings", "findings"),
    ("faqs", "roles", "roles"),
    ("faqs", "phases", "phases"),
    ("checklists", "phase", "phases"),
    ("checklists", "theme", "themes"),
    ("checklists", "roles", "roles"),
    ("checklists", "findings", "findings"),
    ("checklists", "regulations", "regulations"),
    ("findings", "regulations", "regulations"),
    ("glossary", "related", "glossary"),
    ("frameworks", "source", "sources"),
)

# Vocabularies whose every entry must be used somewhere, or say why not.
MUST_BE_USED = ("themes", "roles", "phases", "sources")


@dataclass
class _Context:
    files: dict[str, LoadedFile]
    ids: dict[str, list[str]] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: list[Problem] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute a lookup table once per check, not once per record."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]

    def report(self, file: str, path: DataPath, message: str) -> None:
        loaded = self.files[file]
        self.problems.append(Problem(loaded.display_path, loaded.line_of(path), format_path(path), message))


def records(loaded: LoadedFile | None, file: str) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    """Yield (path, record) for every well-shaped record of a collection file."""
    if loaded is None or not isinstance(loaded.data, dict):
        return
    list_key = COLLECTIONS[file][0]
    items = loaded.data.get(list_key)
    if not isinstance(items, list):
        return
    for index, record in enumerate(items):
        if isinstance(record, dict):
            yield (list_key, index), record


def _collect_ids(ctx: _Context) -> None:
    for file, (list_key, id_field) in COLLECTIONS.items():
        loaded = ctx.files.get(file)
        if loaded is None or not isinstance(loaded.data, dict) or not isinstance(loaded.data.get(list_key), list):
            continue  # the schema check reports the file's shape; do not flood with unknown-reference messages
        seen: dict[str, DataPath] = {}
        ids: list[str] = []
        for path, record in records(ctx.files.get(file), file):
            value = record.get(id_field)
            if not isinstance(value, str):
                continue
            if value in seen:
                first_line = ctx.files[file].line_of(seen[value])
                ctx.report(
                    file, (*path, id_field), f"id {value!r} is already used on line {first_line}; ids must be unique"
                )
                continue
            seen[value] = path
            ids.append(value)
        ctx.ids[file] = ids


def _check_ref(ctx: _Context, file: str, path: DataPath, value: Any, kind: str) -> None:
    if not isinstance(value, str) or kind not in ctx.ids or kind not in ctx.files:
        return
    ctx.used[kind].add(value)
    if value not in ctx.once(f"ids:{kind}", lambda: set(ctx.ids[kind])):
        hint = suggest(value, ctx.ids[kind])
        ctx.report(file, path, f"{value!r} is not a known {KIND_WORDS[kind]}{hint}")


def _check_refs(ctx: _Context, file: str, path: DataPath, value: Any, kind: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_ref(ctx, file, (*path, index), item, kind)
    else:
        _check_ref(ctx, file, path, value, kind)


def _source_verification(ctx: _Context) -> dict[str, str]:
    return {
        record["key"]: record.get("verification", "")
        for _, record in records(ctx.files.get("sources"), "sources")
        if isinstance(record.get("key"), str)
    }


def _check_citations(ctx: _Context, file: str, path: DataPath, citations: Any) -> None:
    if not isinstance(citations, list):
        return
    verification = ctx.once("verification", lambda: _source_verification(ctx))
    for index, citation in enumerate(citations):
        if not isinstance(citation, dict):
            continue
        source = citation.get("source")
        _check_ref(ctx, file, (*path, index, "source"), source, "sources")
        status = verification.get(source) if isinstance(source, str) else None
        if citation.get("mark") == "V" and status in ("secondary", "not-seen"):
            ctx.report(
                file,
                (*path, index, "mark"),
                f"marks {source} as V (seen in the source), but sources.yaml says its verification is {status!r}; "
                "use S, or correct the source",
            )


def _framework_domains(ctx: _Context) -> dict[str, tuple[str, set[str]]]:
    result = {}
    for _, record in records(ctx.files.get("frameworks"), "frameworks"):
        domains = record.get("domains") if isinstance(record.get("domains"), list) else []
        ids = {item.get("id") for item in domains if isinstance(item, dict)}
        result[record.get("id")] = (record.get("kind"), ids)
    return result


def _check_framework_map(ctx: _Context, file: str, path: DataPath, mapping: Any, wanted_kind: str) -> None:
    if not isinstance(mapping, dict) or "frameworks" not in ctx.files:
        return
    frameworks = ctx.once("frameworks", lambda: _framework_domains(ctx))
    names = [name for name, (kind, _) in frameworks.items() if kind == wanted_kind]
    for framework, items in mapping.items():
        if framework not in names:
            ctx.report(
                file,
                (*path, framework),
                f"{framework!r} is not a known {wanted_kind} framework{suggest(framework, names)}",
            )
            continue
        ctx.used["frameworks"].add(framework)
        domains = sorted(frameworks[framework][1])
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, str) and item not in domains:
                ctx.report(
                    file, (*path, framework, index), f"{item!r} is not part of {framework}{suggest(item, domains)}"
                )


def _check_record_fields(ctx: _Context) -> None:
    for file, field_name, kind in FIELD_REFERENCES:
        for path, record in records(ctx.files.get(file), file):
            if field_name in record:
                _check_refs(ctx, file, (*path, field_name), record[field_name], kind)
    for file in ("findings", "faqs", "checklists"):
        for path, record in records(ctx.files.get(file), file):
            _check_citations(ctx, file, (*path, "citations"), record.get("citations"))
    for path, record in records(ctx.files.get("checklists"), "checklists"):
        _check_framework_map(ctx, "checklists", (*path, "crosswalk"), record.get("crosswalk"), "crosswalk")
    for path, record in records(ctx.files.get("themes"), "themes"):
        _check_framework_map(ctx, "themes", (*path, "frameworks"), record.get("frameworks"), "analytic")


def _headline_items(headline: dict[str, Any]) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    for section in ("summary_themes", "key_insights", "implications"):
        items = headline.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                yield ("headline", section, index), item
    if isinstance(headline.get("conclusion"), dict):
        yield ("headline", "conclusion"), headline["conclusion"]


def _check_guide(ctx: _Context) -> None:
    loaded = ctx.files.get("guide")
    if loaded is None or not isinstance(loaded.data, dict):
        return
    data = loaded.data
    roles = {record.get("key"): record.get("role") for _, record in records(ctx.files.get("sources"), "sources")}
    for field_name in ("backbone", "seed"):
        value = data.get(field_name)
        _check_ref(ctx, "guide", (field_name,), value, "sources")
        if value in roles and roles[value] != field_name:
            ctx.report("guide", (field_name,), f"{value} has role {roles[value]!r} in sources.yaml, not {field_name!r}")
    headline = data.get("headline")
    if not isinstance(headline, dict):
        return
    for path, item in _headline_items(headline):
        _check_refs(ctx, "guide", (*path, "themes"), item.get("themes", []), "themes")
        _check_refs(ctx, "guide", (*path, "findings"), item.get("findings", []), "findings")
        _check_citations(ctx, "guide", (*path, "citations"), item.get("citations"))


def _check_phase_order(ctx: _Context) -> None:
    seen: dict[int, str] = {}
    for path, record in records(ctx.files.get("phases"), "phases"):
        order = record.get("order")
        if isinstance(order, int) and not isinstance(order, bool):
            if order in seen:
                ctx.report("phases", (*path, "order"), f"order {order} is already used by phase {seen[order]!r}")
            seen[order] = record.get("id", "?")


def _check_assessment(ctx: _Context) -> None:
    """Bands must cover every score from 0 to 100; rules must name real answers and bands."""
    loaded = ctx.files.get("assessment")
    if loaded is None or not isinstance(loaded.data, dict):
        return
    data = loaded.data
    bands = [band for band in data.get("bands") or [] if isinstance(band, dict)]
    answers = [answer.get("id") for answer in data.get("answers") or [] if isinstance(answer, dict)]
    band_ids = [band.get("id") for band in bands]
    minimums = [band.get("min") for band in bands if isinstance(band.get("min"), int | float)]
    if bands and 0 not in minimums:
        ctx.report("assessment", ("bands",), "no band starts at 0, so low scores would have no band; set one min to 0")
    for index, band in enumerate(bands):
        if minimums.count(band.get("min")) > 1:
            ctx.report("assessment", ("bands", index, "min"), f"another band also starts at {band.get('min')}")
    rules = data.get("blocking") or []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        if isinstance(rule.get("band"), str) and rule["band"] not in band_ids:
            hint = suggest(rule["band"], [str(band_id) for band_id in band_ids])
            ctx.report("assessment", ("blocking", index, "band"), f"{rule['band']!r} is not a known band{hint}")
        for position, answer in enumerate(rule.get("answers") or []):
            if isinstance(answer, str) and answer not in answers:
                hint = suggest(answer, [str(answer_id) for answer_id in answers])
                ctx.report(
                    "assessment", ("blocking", index, "answers", position), f"{answer!r} is not a known answer{hint}"
                )


RETIRABLE = ("findings", "faqs", "checklists")


def _retired(ctx: _Context) -> dict[str, dict[str, DataPath]]:
    """File -> retired record id -> path of that record."""
    result: dict[str, dict[str, DataPath]] = {}
    for file in RETIRABLE:
        id_field = COLLECTIONS[file][1]
        result[file] = {
            record[id_field]: path
            for path, record in records(ctx.files.get(file), file)
            if record.get("status") == "retired" and isinstance(record.get(id_field), str)
        }
    return result


def _check_retirement(ctx: _Context) -> None:
    """Replacements must be live records; live records must not point at retired ones."""
    retired = _retired(ctx)
    for file in RETIRABLE:
        id_field = COLLECTIONS[file][1]
        live = {value for value in ctx.ids.get(file, []) if value not in retired[file]}
        for path, record in records(ctx.files.get(file), file):
            replacement = record.get("replaced_by")
            if not isinstance(replacement, str):
                continue
            if record.get("status") != "retired":
                ctx.report(
                    file, (*path, "replaced_by"), "only a retired record can name a replacement; set status: retired"
                )
            elif replacement == record.get(id_field) or replacement not in live:
                hint = suggest(replacement, sorted(live))
                ctx.report(file, (*path, "replaced_by"), f"{replacement!r} is not a live record in {file}.yaml{hint}")
    retired_findings = retired["findings"]
    for file, field_name, kind in FIELD_REFERENCES:
        if kind != "findings":
            continue
        for path, record in records(ctx.files.get(file), file):
            if record.get("status") == "retired" or not isinstance(record.get(field_name), list):
                continue
            for index, value in enumerate(record[field_name]):
                if value in retired_findings:
                    ctx.report(file, (*path, field_name, index), _retired_message(ctx, value, retired_findings[value]))


def _retired_message(ctx: _Context, finding_id: str, path: DataPath) -> str:
    record = ctx.files["findings"].data["findings"][path[1]]
    replacement = record.get("replaced_by")
    instead = f"; point to {replacement} instead" if replacement else "; remove it from this list"
    return f"finding {finding_id} is retired{instead}"


def _check_changelog(ctx: _Context) -> None:
    """The newest release must be the guide's version and date; records named must exist."""
    guide = ctx.files.get("guide")
    releases = [(path, record) for path, record in records(ctx.files.get("changelog"), "changelog")]
    if not releases or guide is None or not isinstance(guide.data, dict):
        return
    path, newest = releases[0]
    for field_name, guide_field in (("version", "version"), ("date", "release_date")):
        wanted = guide.data.get(guide_field)
        if isinstance(wanted, str) and newest.get(field_name) != wanted:
            ctx.report(
                "changelog",
                (*path, field_name),
                f"the newest release says {newest.get(field_name)!r} but guide.yaml's {guide_field} is {wanted!r}; "
                "add a changelog entry for the new version at the top",
            )
    dates = [record.get("date") for _, record in releases]
    for (path, record), previous in zip(releases[1:], dates, strict=False):
        if isinstance(record.get("date"), str) and isinstance(previous, str) and record["date"] > previous:
            ctx.report("changelog", (*path, "date"), "releases must be listed newest first")
    known = {value for file in ("findings", "faqs", "checklists", "sources") for value in ctx.ids.get(file, [])}
    for path, record in releases:
        for change_index, change in enumerate(record.get("changes") or []):
            names = change.get("records") if isinstance(change, dict) else None
            for index, value in enumerate(names if isinstance(names, list) else []):
                if isinstance(value, str) and value not in known:
                    where = (*path, "changes", change_index, "records", index)
                    ctx.report("changelog", where, f"{value!r} is not a known finding, FAQ, checklist item or source")


def _check_unused(ctx: _Context) -> None:
    for file in MUST_BE_USED:
        id_field = COLLECTIONS[file][1]
        for path, record in records(ctx.files.get(file), file):
            value = record.get(id_field)
            if not isinstance(value, str):
                continue
            used = value in ctx.used[file]
            has_reason = "unused_reason" in record
            word = KIND_WORDS[file]
            if not used and not has_reason:
                ctx.report(
                    file,
                    (*path, id_field),
                    f"{word} {value!r} is not used anywhere; use it, remove it, "
                    "or add unused_reason to say why it stays",
                )
            elif used and has_reason:
                ctx.report(file, (*path, "unused_reason"), f"{word} {value!r} is used, so remove its unused_reason")


def reference_problems(files: dict[str, LoadedFile]) -> list[Problem]:
    """Every cross-record problem in the loaded files."""
    from .regulation_checks import check_regulations  # imports this module's helpers

    ctx = _Context(files)
    _collect_ids(ctx)
    check_regulations(ctx)
    _check_record_fields(ctx)
    _check_guide(ctx)
    _check_phase_order(ctx)
    _check_assessment(ctx)
    _check_retirement(ctx)
    _check_changelog(ctx)
    if all(name in files for name in COLLECTIONS) and "guide" in files:
        _check_unused(ctx)
    return ctx.problems
