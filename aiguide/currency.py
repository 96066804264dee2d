"""Currency: warn about records whose last review is older than the guide's review interval."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

from .problems import Problem, format_path
from .references import records

if TYPE_CHECKING:
    from .guide import Guide

REVIEWED_FILES = ("findings", "faqs", "checklists")


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
    for file in REVIEWED_FILES:
        loaded = guide.files[file]
        collection = guide.fields.collections[file]
        for path, record in records(loaded.data, collection):
            reviewed = record["last_reviewed"]
            if record.get("status") == "retired" or reviewed >= cutoff:
                continue
            field_path = (*path, "last_reviewed")
            message = (
                f"{record[collection.id_field]} was last reviewed on {reviewed}, more than {months} months ago; "
                "check it against its sources and update the date"
            )
            warnings.append(Problem(loaded.display_path, loaded.line_of(field_path), format_path(field_path), message))
    return warnings
