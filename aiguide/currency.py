"""Currency: warn about records whose last review is older than the guide's review interval."""

from __future__ import annotations

import calendar
import datetime as dt

from .loader import LoadedFile
from .problems import Problem, format_path
from .references import COLLECTIONS, records

REVIEWED_FILES = ("findings", "faqs", "checklists")


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, clamped to the end of a shorter month."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last_day))


def stale_records(files: dict[str, LoadedFile], today: dt.date) -> list[Problem]:
    """One warning per active record last reviewed before the review interval began."""
    guide = files.get("guide")
    months = guide.data.get("review_after_months") if guide and isinstance(guide.data, dict) else None
    if not isinstance(months, int):
        return []
    cutoff = months_before(today, months).isoformat()
    warnings = []
    for file in REVIEWED_FILES:
        loaded = files.get(file)
        for path, record in records(loaded, file):
            reviewed = record.get("last_reviewed")
            if record.get("status") == "retired" or not isinstance(reviewed, str) or reviewed >= cutoff:
                continue
            field_path = (*path, "last_reviewed")
            record_id = record.get(COLLECTIONS[file][1], "?")
            message = (
                f"{record_id} was last reviewed on {reviewed}, more than {months} months ago; "
                "check it against its sources and update the date"
            )
            warnings.append(Problem(loaded.display_path, loaded.line_of(field_path), format_path(field_path), message))
    return warnings
