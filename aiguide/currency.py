"""Currency: warn about records whose last review is older than the guide's review interval."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from typing import Any

from .loader import LoadedFile
from .problems import DataPath, Problem, format_path
from .references import COLLECTIONS, records

REVIEWED_FILES = ("findings", "faqs", "checklists")


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, clamped to the end of a shorter month."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last_day))


def _listed(value: Any, path: DataPath) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    for index, record in enumerate(value if isinstance(value, list) else []):
        if isinstance(record, dict):
            yield (*path, index), record


def regulation_records(loaded: LoadedFile | None) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    """Jurisdictions, laws and obligations of regulations.yaml: every record with its own review date."""
    data = loaded.data if loaded is not None and isinstance(loaded.data, dict) else {}
    yield from _listed(data.get("jurisdictions"), ("jurisdictions",))
    for path, instrument in _listed(data.get("instruments"), ("instruments",)):
        yield path, instrument
        yield from _listed(instrument.get("obligations"), (*path, "obligations"))


def _reviewed_records(files: dict[str, LoadedFile]) -> Iterator[tuple[LoadedFile, DataPath, dict[str, Any], Any]]:
    """(file, path, record, id) of every record that carries a last_reviewed date."""
    for file in REVIEWED_FILES:
        for path, record in records(files.get(file), file):
            yield files[file], path, record, record.get(COLLECTIONS[file][1], "?")
    for path, record in regulation_records(files.get("regulations")):
        yield files["regulations"], path, record, record.get("id", "?")


def stale_records(files: dict[str, LoadedFile], today: dt.date) -> list[Problem]:
    """One warning per active record last reviewed before the review interval began."""
    guide = files.get("guide")
    months = guide.data.get("review_after_months") if guide and isinstance(guide.data, dict) else None
    if not isinstance(months, int):
        return []
    cutoff = months_before(today, months).isoformat()
    warnings = []
    for loaded, path, record, record_id in _reviewed_records(files):
        reviewed = record.get("last_reviewed")
        if record.get("status") == "retired" or not isinstance(reviewed, str) or reviewed >= cutoff:
            continue
        field_path = (*path, "last_reviewed")
        message = (
            f"{record_id} was last reviewed on {reviewed}, more than {months} months ago; "
            "check it against its sources and update the date"
        )
        warnings.append(Problem(loaded.display_path, loaded.line_of(field_path), format_path(field_path), message))
    return warnings
