"""Currency: warn about records whose last review is older than the guide's review interval."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any

from .fields import values_at
from .problems import Problem, format_path

if TYPE_CHECKING:
    from .guide import Guide

# The shared definition every review date uses: wherever a schema puts one, the record holding it is reviewed.
REVIEW_DEF = "last_reviewed"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, clamped to the end of a shorter month."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last_day))


def stale_records(guide: Guide, today: dt.date) -> list[Problem]:
    """One warning per active record last reviewed before the review interval began."""
    if not guide.ok:
        return []
    months = guide.raw["guide"]["review_after_months"]
    cutoff = months_before(today, months).isoformat()
    warnings = []
    for file, infos in guide.fields.by_file.items():
        loaded = guide.files[file]
        for info in infos:
            if REVIEW_DEF not in info.node.defs:
                continue
            for field_path, reviewed in values_at(loaded.data, info.tokens):
                record = _record_at(loaded.data, field_path[:-1])
                if record.get("status") == "retired" or reviewed >= cutoff:
                    continue
                message = (
                    f"{_record_name(guide, file, record)} was last reviewed on {reviewed}, more than {months} months "
                    "ago; check it against its sources and update the date"
                )
                warnings.append(
                    Problem(loaded.display_path, loaded.line_of(field_path), format_path(field_path), message)
                )
    return warnings


def _record_at(data: Any, path: tuple) -> dict[str, Any]:
    for key in path:
        data = data[key]
    return data


def _record_name(guide: Guide, file: str, record: dict[str, Any]) -> str:
    collection = guide.fields.collections.get(file)
    id_field = collection.id_field if collection is not None else "id"
    return str(record.get(id_field) or record.get("id") or record.get("title", "a record"))
