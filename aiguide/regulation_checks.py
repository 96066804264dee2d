"""Cross-record checks of ``regulations.yaml``: ids, anchors, jurisdictions, roles, phases and citations.

Laws (instruments) and their obligations share one id space, so that checklist items and findings
can point at either with one ``regulations:`` list. Ids double as anchors on the law pages, so an
instrument's id must start with its jurisdiction's id and an obligation's id with its instrument's.
Like the other reference checks, these run on the loader's plain values and skip anything of the
wrong shape, which the schema check reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .problems import DataPath
from .references import _check_citations, _check_refs, _Context
from .schemas import suggest

FILE = "regulations"
KIND = "regulations"  # the id space that findings' and checklist items' `regulations` lists refer to


def _records(data: dict[str, Any], key: str) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    items = data.get(key)
    for index, record in enumerate(items if isinstance(items, list) else []):
        if isinstance(record, dict):
            yield (key, index), record


def _obligations(instrument_path: DataPath, instrument: dict[str, Any]) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    items = instrument.get("obligations")
    for index, record in enumerate(items if isinstance(items, list) else []):
        if isinstance(record, dict):
            yield (*instrument_path, "obligations", index), record


def _collect(ctx: _Context, path: DataPath, value: Any, seen: dict[str, DataPath], what: str) -> bool:
    """Record one id; report it (and return False) when it is used twice."""
    if not isinstance(value, str):
        return False
    if value in seen:
        line = ctx.files[FILE].line_of(seen[value])
        ctx.report(FILE, path, f"{what} id {value!r} is already used on line {line}; ids must be unique")
        return False
    seen[value] = path
    return True


def _check_prefix(ctx: _Context, path: DataPath, value: Any, parent: Any, parent_word: str) -> None:
    """An anchor stays readable and stable when it starts with its parent's id."""
    if isinstance(value, str) and isinstance(parent, str) and not value.startswith(f"{parent}-"):
        ctx.report(
            FILE,
            path,
            f"{value!r} must start with its {parent_word}'s id and a hyphen ({parent}-…), "
            "so that its anchor on the law page stays stable",
        )


def _check_jurisdictions(ctx: _Context, data: dict[str, Any]) -> list[str]:
    seen: dict[str, DataPath] = {}
    for path, record in _records(data, "jurisdictions"):
        _collect(ctx, (*path, "id"), record.get("id"), seen, "jurisdiction")
        for index, gap in enumerate(record.get("gaps") if isinstance(record.get("gaps"), list) else []):
            if isinstance(gap, dict):
                _check_citations(ctx, FILE, (*path, "gaps", index, "citations"), gap.get("citations"))
                if "roles" in gap:
                    _check_refs(ctx, FILE, (*path, "gaps", index, "roles"), gap["roles"], "roles")
    return list(seen)


def _check_obligation(ctx: _Context, path: DataPath, record: dict[str, Any], instrument_id: Any) -> None:
    _check_prefix(ctx, (*path, "id"), record.get("id"), instrument_id, "law")
    for field, kind in (("roles", "roles"), ("phases", "phases")):
        if field in record:
            _check_refs(ctx, FILE, (*path, field), record[field], kind)
    _check_citations(ctx, FILE, (*path, "citations"), record.get("citations"))


def check_regulations(ctx: _Context) -> None:
    """Check regulations.yaml and make its law and obligation ids known to the other files' checks."""
    loaded = ctx.files.get(FILE)
    if loaded is None or not isinstance(loaded.data, dict):
        return
    data = loaded.data
    jurisdictions = _check_jurisdictions(ctx, data)
    seen: dict[str, DataPath] = {}
    for path, instrument in _records(data, "instruments"):
        _collect(ctx, (*path, "id"), instrument.get("id"), seen, "law")
        jurisdiction = instrument.get("jurisdiction")
        if isinstance(jurisdiction, str) and jurisdiction not in jurisdictions:
            hint = suggest(jurisdiction, jurisdictions)
            ctx.report(FILE, (*path, "jurisdiction"), f"{jurisdiction!r} is not a known jurisdiction{hint}")
        else:
            _check_prefix(ctx, (*path, "id"), instrument.get("id"), jurisdiction, "jurisdiction")
        for obligation_path, obligation in _obligations(path, instrument):
            _collect(ctx, (*obligation_path, "id"), obligation.get("id"), seen, "obligation")
            _check_obligation(ctx, obligation_path, obligation, instrument.get("id"))
    ctx.ids[KIND] = list(seen)
