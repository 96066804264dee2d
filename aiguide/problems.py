"""Problems found in the data, and how they are shown to editors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PathPart = str | int
DataPath = tuple[PathPart, ...]


def format_path(path: Sequence[PathPart]) -> str:
    """Render a data path the way editors see it: ``findings[3].theme``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one data file, with the line it was found on."""

    file: str
    line: int
    field: str
    message: str

    def as_tuple(self) -> tuple[str, int, str, str]:
        """Plain values, for the cache."""
        return (self.file, self.line, self.field, self.message)

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.field}: {self.message}" if self.field else f"{location}: {self.message}"


class DataError(Exception):
    """Raised when the guide's data has problems; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [str(problem) for problem in self.problems]
        lines.append(f"{count} {noun} found in the guide's data; nothing was built.")
        return "\n".join(lines)
