"""Checks that span records and files: unique ids, resolvable references, unused entries, dates.

Which fields refer to which records comes from the schemas (see :mod:`fields`); the checks run only on
files the schemas accepted, so every value has the shape its schema promises and each problem is
reported once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import evidence
from .fields import Collection, Fields, values_at
from .loader import LoadedFile
from .model import THEME_GROUP_FRAMEWORK
from .problems import DataPath, Problem, format_path
from .schemas import EACH, suggest

RETIRABLE = ("findings", "faqs", "checklists")


@dataclass
class _Context:
    files: dict[str, LoadedFile]
    fields: Fields
    ids: dict[str, list[str]] = field(default_factory=dict)
    id_sets: dict[str, set[str]] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: list[Problem] = field(default_factory=list)

    def report(self, file: str, path: DataPath, message: str) -> None:
        loaded = self.files[file]
        self.problems.append(Problem(loaded.display_path, loaded.line_of(path), format_path(path), message))

    def data(self, file: str) -> Any:
        loaded = self.files.get(file)
        return loaded.data if loaded is not None else None

    @property
    def collections(self) -> dict[str, Collection]:
        return {name: item for name, item in self.fields.collections.items() if name in self.files}


def records(data: Any, collection: Collection) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    """Yield (path, record) for every record of a collection file's values."""
    items = data.get(collection.list_key) if isinstance(data, dict) else None
    for index, record in enumerate(items if isinstance(items, list) else ()):
        if isinstance(record, dict):
            yield (collection.list_key, index), record


def _collect_ids(ctx: _Context) -> None:
    for name, collection in ctx.collections.items():
        seen: dict[str, DataPath] = {}
        for path, value in collection.ids(ctx.data(name)):
            if value in seen:
                first = ctx.files[name].line_of(seen[value])
                ctx.report(name, path, f"id {value!r} is already used on line {first}; ids must be unique")
                continue
            seen[value] = path
        ctx.ids[name] = list(seen)
        ctx.id_sets[name] = set(seen)


def _unique_ids_in_lists(ctx: _Context) -> None:
    """Within any other list of records with an ``id`` (framework domains, headline points, answers): no id twice."""
    for name, infos in ctx.fields.by_file.items():
        collection = ctx.fields.collections.get(name)
        own_lists = (
            [(collection.list_key, EACH), (collection.list_key, EACH, collection.nested, EACH)] if collection else []
        )
        for info in infos:
            items = ctx.fields.schemas.items_of(info.node)
            if items is None or "id" not in items.schema.get("properties", {}) or (*info.tokens, EACH) in own_lists:
                continue
            for path, value in values_at(ctx.data(name), info.tokens):
                seen: dict[str, int] = {}
                for index, item in enumerate(value if isinstance(value, list) else ()):
                    item_id = item.get("id") if isinstance(item, dict) else None
                    if item_id in seen:
                        ctx.report(
                            name, (*path, index, "id"), f"id {item_id!r} is also used by entry {seen[item_id] + 1}"
                        )
                    elif isinstance(item_id, str):
                        seen[item_id] = index


def _noun(ctx: _Context, kinds: tuple[str, ...]) -> str:
    nouns = [ctx.fields.collections[kind].noun for kind in kinds]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]


def _check_references(ctx: _Context) -> None:
    for name, references in ctx.fields.references.items():
        if name not in ctx.files:
            continue
        for reference in references:
            if not all(kind in ctx.id_sets for kind in reference.kinds):
                continue  # a file it points into could not be checked; its own problems come first
            known = set().union(*(ctx.id_sets[kind] for kind in reference.kinds))
            for path, value in values_at(ctx.data(name), reference.tokens):
                for kind in reference.kinds:
                    if value in ctx.id_sets[kind]:
                        ctx.used[kind].add(value)
                if value not in known:
                    choices = [item for kind in reference.kinds for item in ctx.ids[kind]]
                    ctx.report(
                        name, path, f"{value!r} is not a known {_noun(ctx, reference.kinds)}{suggest(value, choices)}"
                    )


def _citation_lists(ctx: _Context) -> Iterator[tuple[str, DataPath, list[dict[str, Any]]]]:
    """Every list of citations in every file, wherever the schemas put one."""
    for name, infos in ctx.fields.by_file.items():
        if name not in ctx.files:
            continue
        for info in infos:
            if "citations" in info.node.defs:
                for path, value in values_at(ctx.data(name), info.tokens):
                    yield name, path, value


def _check_citation_marks(ctx: _Context) -> None:
    """A citation marked V must point at a source the guide saw itself."""
    sources = ctx.fields.collections.get("sources")
    if sources is None or "sources" not in ctx.files:
        return
    verification = {record["key"]: record["verification"] for _, record in records(ctx.data("sources"), sources)}
    for name, path, citations in _citation_lists(ctx):
        for index, citation in enumerate(citations):
            status = verification.get(citation["source"])
            if citation["mark"] == "V" and status in ("secondary", "not-seen"):
                ctx.report(
                    name,
                    (*path, index, "mark"),
                    f"marks {citation['source']} as V (seen in the source), but sources.yaml says its verification "
                    f"is {status!r}; use S, or correct the source",
                )


def _check_backbone_citations(ctx: _Context) -> None:
    """The review the guide starts from was read at abstract level only: its citations must say so."""
    if "guide" not in ctx.files:
        return
    backbone = ctx.data("guide").get("backbone")
    for name, path, citations in _citation_lists(ctx):
        for index, citation in enumerate(citations):
            if citation["source"] == backbone and "abstract" not in citation["section"].lower():
                ctx.report(
                    name,
                    (*path, index, "section"),
                    f"cites {backbone}, the review the guide starts from, which was read only at abstract level; "
                    "cite a fact from its abstract (and say 'abstract' here), or cite the source that shows it",
                )


def _words(keys: tuple[str, ...]) -> str:
    return ", ".join(keys) if keys else "none"


def _check_confidence(ctx: _Context) -> None:
    """The editors' GRADE-CERQual judgements of each live observed finding must fit its citations."""
    if "findings" not in ctx.files or "sources" not in ctx.files:
        return
    types = {record["key"]: record["type"] for _, record in records(ctx.data("sources"), ctx.collections["sources"])}
    for path, record in records(ctx.data("findings"), ctx.collections["findings"]):
        judged = record.get("confidence")
        if record.get("status") == "retired" or not isinstance(judged, dict):
            continue
        facts = [(citation["source"], citation["mark"], citation["supports"]) for citation in record["citations"]]
        cited = tuple(dict.fromkeys(source for source, _, _ in facts))
        studies = evidence.direct_studies(facts, types)
        where = (*path, "confidence")
        _check_floors(ctx, where, judged, studies, evidence.support_counts(facts))
        for component in evidence.COMPONENTS:
            _check_reason(ctx, (*where, component, "reason"), judged[component]["reason"], cited)
        override = judged.get("override")
        if override is not None:
            _check_reason(ctx, (*where, "override", "reason"), override["reason"], cited)
            concerns = [judged[component]["concern"] for component in evidence.COMPONENTS]
            _check_override(ctx, (*where, "override", "level"), override["level"], concerns, studies)


def _check_floors(
    ctx: _Context, where: DataPath, judged: dict[str, Any], studies: tuple[str, ...], support: tuple[int, int]
) -> None:
    count = len(studies)
    counted = f"{count} distinct {'study' if count == 1 else 'studies'} cited directly with mark V ({_words(studies)})"
    adequacy, floor = judged["adequacy"]["concern"], evidence.adequacy_floor(count)
    if evidence.below(adequacy, floor):
        ctx.report(
            "findings",
            (*where, "adequacy", "concern"),
            f"is {adequacy!r}, but with {counted} the adequacy concern is at least {floor!r}",
        )
    direct, indirect = support
    relevance, floor = judged["relevance"]["concern"], evidence.relevance_floor(count, direct, indirect)
    if evidence.below(relevance, floor):
        why = (
            "no study is cited directly with mark V"
            if not count
            else f"indirect citations ({indirect}) outnumber direct ones ({direct})"
        )
        ctx.report(
            "findings", (*where, "relevance", "concern"), f"is {relevance!r}, but {why}, so it is at least {floor!r}"
        )


def _check_reason(ctx: _Context, path: DataPath, reason: str, cited: tuple[str, ...]) -> None:
    if not evidence.keys_named(reason, cited):
        ctx.report(
            "findings",
            path,
            f"names none of the sources this finding cites ({_words(cited)}); say which of them the judgement rests on",
        )


def _check_override(ctx: _Context, path: DataPath, level: str, concerns: list[str], studies: tuple[str, ...]) -> None:
    ceiling = evidence.cap(len(studies))
    derived = evidence.derived_level(concerns, len(studies))
    if evidence.above(level, ceiling):
        ctx.report(
            "findings",
            path,
            f"{level!r} is above {ceiling!r}, the highest level a finding can reach when no study is cited "
            "directly with mark V; lower it, or cite such a study",
        )
    elif level == derived:
        ctx.report("findings", path, f"the rule already gives {derived!r}; delete the override")


def _check_framework_maps(ctx: _Context) -> None:
    frameworks_collection = ctx.fields.collections.get("frameworks")
    if frameworks_collection is None or "frameworks" not in ctx.files:
        return
    frameworks = {
        record["id"]: (record["kind"], [domain["id"] for domain in record["domains"]])
        for _, record in records(ctx.data("frameworks"), frameworks_collection)
    }
    for name, maps in ctx.fields.framework_maps.items():
        if name not in ctx.files:
            continue
        for tokens, wanted_kind in maps:
            names = [key for key, (kind, _) in frameworks.items() if kind == wanted_kind]
            for path, mapping in values_at(ctx.data(name), tokens):
                for framework, domains in mapping.items():
                    if framework not in names:
                        hint = suggest(framework, names)
                        ctx.report(
                            name, (*path, framework), f"{framework!r} is not a known {wanted_kind} framework{hint}"
                        )
                        continue
                    ctx.used["frameworks"].add(framework)
                    known = frameworks[framework][1]
                    for index, domain in enumerate(domains):
                        if domain not in known:
                            hint = suggest(domain, known)
                            ctx.report(name, (*path, framework, index), f"{domain!r} is not part of {framework}{hint}")


def _check_theme_groups(ctx: _Context) -> None:
    """Each theme group stands for its own domain of the grouping framework and holds a theme; every theme whose
    first domain in that framework is known falls into a group."""
    if "themes" not in ctx.files or "frameworks" not in ctx.files:
        return
    framework = next(
        (
            record
            for _, record in records(ctx.data("frameworks"), ctx.collections["frameworks"])
            if record["id"] == THEME_GROUP_FRAMEWORK
        ),
        None,
    )
    if framework is None:
        return
    domains = [domain["id"] for domain in framework["domains"]]
    claimed: dict[str, str] = {}  # domain -> the group standing for it
    groups = ctx.data("themes").get("groups", [])
    for index, group in enumerate(groups):
        domain = group["nasss_domain"]
        if domain not in domains:
            hint = suggest(domain, domains)
            ctx.report(
                "themes", ("groups", index, "nasss_domain"), f"{domain!r} is not part of {framework['id']}{hint}"
            )
        elif domain in claimed:
            ctx.report(
                "themes",
                ("groups", index, "nasss_domain"),
                f"the group {claimed[domain]!r} already stands for {domain!r}; each domain has one group",
            )
        else:
            claimed[domain] = group["id"]
    misnamed = len(claimed) < len(groups)  # a group with a wrong domain: the themes it was meant for wait for it
    firsts: set[str] = set()
    for path, record in records(ctx.data("themes"), ctx.collections["themes"]):
        first = (record["frameworks"].get(THEME_GROUP_FRAMEWORK) or [None])[0]
        if first in domains:
            firsts.add(first)
            if first not in claimed and not misnamed:
                ctx.report(
                    "themes",
                    (*path, "frameworks", THEME_GROUP_FRAMEWORK, 0),
                    f"{first!r} comes first, so the theme belongs to the group for it, but groups has none; "
                    "add a group for it, or put another domain first",
                )
    for index, group in enumerate(groups):
        if claimed.get(group["nasss_domain"]) == group["id"] and group["nasss_domain"] not in firsts:
            ctx.report(
                "themes",
                ("groups", index, "id"),
                f"group {group['id']!r} holds no theme: no theme lists {group['nasss_domain']!r} first under "
                f"frameworks.{THEME_GROUP_FRAMEWORK}; remove the group or map a theme to it",
            )


def _check_local_references(ctx: _Context) -> None:
    for name, pairs in ctx.fields.local_references.items():
        if name not in ctx.files:
            continue
        for field_tokens, id_tokens in pairs:
            ids = [value for _, value in values_at(ctx.data(name), id_tokens)]
            where = format_path(id_tokens[:-2]) if id_tokens[-2:-1] == (EACH,) else format_path(id_tokens)
            for path, value in values_at(ctx.data(name), field_tokens):
                if value not in ids:
                    ctx.report(name, path, f"{value!r} is not one of the {where} in this file{suggest(value, ids)}")


def _check_id_prefixes(ctx: _Context) -> None:
    """Ids that double as anchors start with their parent's id (``x-starts-with``), so they stay readable."""
    for name, rules in ctx.fields.id_prefixes.items():
        if name not in ctx.files:
            continue
        data = ctx.data(name)
        reported = {problem.field for problem in ctx.problems if problem.file == ctx.files[name].display_path}
        for tokens, rule in rules:
            for path, value in values_at(data, tokens):
                record_path = path[:-1]
                if format_path(path) in reported or format_path((*record_path, rule.get("field", ""))) in reported:
                    continue  # the id (used twice) or the field it starts with is wrong itself; that problem says so
                prefix = _value_at(data, (*record_path, rule["field"])) if "field" in rule else None
                if "parent" in rule:
                    prefix = _value_at(data, (*record_path[:-2], rule["parent"]))
                if isinstance(prefix, str) and not value.startswith(f"{prefix}-"):
                    ctx.report(
                        name,
                        path,
                        f"{value!r} must start with its {rule['noun']}'s id and a hyphen ({prefix}-…), "
                        "so that its anchor on the page stays stable",
                    )


def _value_at(data: Any, path: DataPath) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _check_local_vocabularies(ctx: _Context) -> None:
    """Every id of a list marked ``x-must-be-used`` is named by a field of the same file (a group with no
    questions, say); a list some field names wrongly is left alone, since the misspelt name may be meant for it."""
    for name, lists in ctx.fields.local_vocabularies.items():
        if name not in ctx.files:
            continue
        data = ctx.data(name)
        for id_tokens in lists:
            ids = [value for _, value in values_at(data, id_tokens)]
            named = [
                value
                for field_tokens, target in ctx.fields.local_references.get(name, ())
                if target == id_tokens
                for _, value in values_at(data, field_tokens)
            ]
            if any(value not in ids for value in named):
                continue
            where = format_path(id_tokens[:-2]).replace(".[]", "[]")
            for path, value in values_at(data, id_tokens):
                if value not in named:
                    ctx.report(name, path, f"{value!r} in {where} is not used by any record; use it or remove it")


def _check_guide_sources(ctx: _Context) -> None:
    """guide.yaml's backbone and seed must name sources of that role."""
    if "guide" not in ctx.files or "sources" not in ctx.files:
        return
    roles = {record["key"]: record["role"] for _, record in records(ctx.data("sources"), ctx.collections["sources"])}
    for field_name in ("backbone", "seed"):
        value = ctx.data("guide").get(field_name)
        if value in roles and roles[value] != field_name:
            ctx.report("guide", (field_name,), f"{value} has role {roles[value]!r} in sources.yaml, not {field_name!r}")


def _check_phase_order(ctx: _Context) -> None:
    if "phases" not in ctx.files:
        return
    seen: dict[int, str] = {}
    for path, record in records(ctx.data("phases"), ctx.collections["phases"]):
        order = record["order"]
        if order in seen:
            ctx.report("phases", (*path, "order"), f"order {order} is already used by phase {seen[order]!r}")
        seen[order] = record["id"]


def _check_assessment(ctx: _Context) -> None:
    """Bands must cover every score from 0 to 100, each starting at its own score."""
    if "assessment" not in ctx.files:
        return
    bands = ctx.data("assessment")["bands"]
    minimums = [band["min"] for band in bands]
    if 0 not in minimums:
        ctx.report("assessment", ("bands",), "no band starts at 0, so low scores would have no band; set one min to 0")
    for index, band in enumerate(bands):
        if minimums.count(band["min"]) > 1:
            ctx.report("assessment", ("bands", index, "min"), f"another band also starts at {band['min']}")


def _retired(ctx: _Context) -> dict[str, dict[str, DataPath]]:
    """File -> retired record id -> path of that record."""
    result: dict[str, dict[str, DataPath]] = {}
    for name in RETIRABLE:
        if name in ctx.files:
            collection = ctx.collections[name]
            result[name] = {
                record[collection.id_field]: path
                for path, record in records(ctx.data(name), collection)
                if record.get("status") == "retired"
            }
    return result


def _check_retirement(ctx: _Context) -> None:
    """Replacements must be live records; live records must not point at retired findings."""
    retired = _retired(ctx)
    for name, retired_ids in retired.items():
        collection = ctx.collections[name]
        live = [value for value in ctx.ids[name] if value not in retired_ids]
        for path, record in records(ctx.data(name), collection):
            replacement = record.get("replaced_by")
            if replacement is None:
                continue
            if record.get("status") != "retired":
                ctx.report(
                    name, (*path, "replaced_by"), "only a retired record can name a replacement; set status: retired"
                )
            elif replacement == record[collection.id_field] or replacement not in live:
                hint = suggest(replacement, live)
                ctx.report(name, (*path, "replaced_by"), f"{replacement!r} is not a live record in {name}.yaml{hint}")
    retired_findings = retired.get("findings", {})
    if not retired_findings:
        return
    for name, references in ctx.fields.references.items():
        if name not in ctx.files:
            continue
        for reference in references:
            if reference.kinds != ("findings",) or reference.tokens[-1:] == ("replaced_by",):
                continue
            for path, value in values_at(ctx.data(name), reference.tokens):
                if value in retired_findings and not _in_retired_record(ctx, name, path):
                    ctx.report(name, path, _retired_message(ctx, value, retired_findings[value]))


def _in_retired_record(ctx: _Context, name: str, path: DataPath) -> bool:
    collection = ctx.fields.collections.get(name)
    if collection is None or len(path) < 2 or path[0] != collection.list_key:
        return False
    return ctx.data(name)[collection.list_key][path[1]].get("status") == "retired"


def _retired_message(ctx: _Context, finding_id: str, path: DataPath) -> str:
    record = ctx.data("findings")["findings"][path[1]]
    replacement = record.get("replaced_by")
    instead = f"; point to {replacement} instead" if replacement else "; remove it from this list"
    return f"finding {finding_id} is retired{instead}"


def _check_changelog(ctx: _Context) -> None:
    """The newest release must be the guide's version and date, and releases run newest first."""
    if "changelog" not in ctx.files or "guide" not in ctx.files:
        return
    releases = list(records(ctx.data("changelog"), ctx.collections["changelog"]))
    if not releases:
        return
    path, newest = releases[0]
    guide = ctx.data("guide")
    for field_name, guide_field in (("version", "version"), ("date", "release_date")):
        wanted = guide[guide_field]
        if newest[field_name] != wanted:
            ctx.report(
                "changelog",
                (*path, field_name),
                f"the newest release says {newest[field_name]!r} but guide.yaml's {guide_field} is {wanted!r}; "
                "add a changelog entry for the new version at the top",
            )
    for (path, record), (_, previous) in zip(releases[1:], releases, strict=False):
        if record["date"] > previous["date"]:
            ctx.report("changelog", (*path, "date"), "releases must be listed newest first")


def _check_unused(ctx: _Context) -> None:
    for name, collection in ctx.collections.items():
        if not collection.must_be_used:
            continue
        for path, record in records(ctx.data(name), collection):
            value = record[collection.id_field]
            used = value in ctx.used[name]
            has_reason = "unused_reason" in record
            if not used and not has_reason:
                ctx.report(
                    name,
                    (*path, collection.id_field),
                    f"{collection.noun} {value!r} is not used anywhere; use it, remove it, "
                    "or add unused_reason to say why it stays",
                )
            elif used and has_reason:
                ctx.report(
                    name, (*path, "unused_reason"), f"{collection.noun} {value!r} is used, so remove its unused_reason"
                )


def reference_problems(files: dict[str, LoadedFile], fields: Fields, *, complete: bool) -> list[Problem]:
    """Every cross-record problem in files the schemas accepted; ``complete`` when every file is among them
    (only then can an entry be judged unused)."""
    ctx = _Context(files, fields)
    _collect_ids(ctx)
    _unique_ids_in_lists(ctx)
    _check_references(ctx)
    _check_citation_marks(ctx)
    _check_backbone_citations(ctx)
    _check_confidence(ctx)
    _check_framework_maps(ctx)
    _check_theme_groups(ctx)
    _check_local_references(ctx)
    _check_id_prefixes(ctx)
    _check_local_vocabularies(ctx)
    _check_guide_sources(ctx)
    _check_phase_order(ctx)
    _check_assessment(ctx)
    _check_retirement(ctx)
    _check_changelog(ctx)
    if "calculators" in files:
        from .calculators import calculator_problems  # ids the calculators' code needs, limits, worked examples

        ctx.problems.extend(calculator_problems(files["calculators"]))
    if complete:
        _check_unused(ctx)
    return ctx.problems


def dated_problems(files: dict[str, LoadedFile], fields: Fields, as_of: dt.date) -> list[Problem]:
    """Dates the schemas mark ``x-not-future`` that lie after ``as_of`` (a review or release not yet done)."""
    problems = []
    for name, infos in fields.by_file.items():
        loaded = files.get(name)
        if loaded is None:
            continue
        for info in infos:
            if not info.node.schema.get("x-not-future"):
                continue
            for path, value in values_at(loaded.data, info.tokens):
                try:
                    day = dt.date.fromisoformat(value)
                except (TypeError, ValueError):
                    continue  # the schema check reports it
                if day > as_of:
                    message = f"{value} is in the future (today is {as_of.isoformat()}); use the day it happened"
                    problems.append(Problem(loaded.display_path, loaded.line_of(path), format_path(path), message))
    return problems
