"""The evidence map: findings by theme (rows, grouped by theme group) and confidence (columns).

Python counts and lays out the map here; ``templates/evidence_map.html.j2`` draws it as inline
SVG (no script) followed by the same figures as a table, which is its text alternative and the
target of every cell's link. Each finding counts once, under its main theme.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from . import evidence
from .model import Finding, GuideData, Theme, ThemeGroup

UNGRADED_COLUMN = "ungraded"  # guidance and advice share the last column
COLUMNS = (*evidence.LEVELS, UNGRADED_COLUMN)

# Geometry in SVG user units (the SVG scales to the page's width).
LABEL_WIDTH = 250
COLUMN_WIDTH = 104
HEADER_HEIGHT = 46
GROUP_HEIGHT = 28
ROW_HEIGHT = 44
GAP = 3
LABEL_CHARACTERS = 34  # a theme title longer than this wraps onto a second line


@dataclass(frozen=True)
class Cell:
    """The findings of one theme in one column, with where the cell sits."""

    theme: str
    column: str
    findings: tuple[str, ...]  # finding ids, file order
    directions: tuple[tuple[str, int], ...]  # (direction, count) in the order of the direction labels
    sources: int  # distinct sources cited by these findings
    anchor: str  # id of this cell in the text table
    x: float
    y: float
    width: float
    height: float

    @property
    def count(self) -> int:
        return len(self.findings)


@dataclass(frozen=True)
class Row:
    theme: Theme
    lines: tuple[str, ...]  # the theme title wrapped for the label column
    y: float
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class GroupBand:
    group: ThemeGroup
    y: float
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Column:
    id: str
    x: float
    total: int  # findings in this column over the map's rows


@dataclass(frozen=True)
class EvidenceMap:
    """Everything the template draws: ids, columns, bands of rows and the overall size."""

    id: str  # prefix of every id in the map, unique on the page
    columns: tuple[Column, ...]
    groups: tuple[GroupBand, ...]
    width: float
    height: float
    label_width: float
    column_width: float
    header_height: float
    group_height: float
    row_height: float
    findings: int
    sources: int

    @property
    def single_group(self) -> bool:
        """True for the map of one theme group (on that group's own page: its title needs no link)."""
        return len(self.groups) == 1


def column_of(finding: Finding, data: GuideData) -> str:
    """The map column of a finding: its confidence level, or the shared column for guidance and advice."""
    category = evidence.category(finding, data)
    return category if category in evidence.LEVELS else UNGRADED_COLUMN


def _distinct_sources(findings: Iterable[Finding]) -> int:
    return len({citation.source for finding in findings for citation in finding.citations})


def label_lines(title: str) -> tuple[str, ...]:
    """A theme title on one line, or two when it is long (the second takes the rest)."""
    lines = textwrap.wrap(title, LABEL_CHARACTERS) or [title]
    return tuple(lines) if len(lines) <= 2 else (lines[0], " ".join(lines[1:]))


def build_map(
    data: GuideData, directions: Iterable[str], groups: Iterable[ThemeGroup] | None = None, map_id: str = "map"
) -> EvidenceMap:
    """Lay out the map for ``groups`` (default: every theme group), counting each finding under its main theme."""
    directions = tuple(directions)
    groups = tuple(data.theme_groups if groups is None else groups)
    columns_x = {column: LABEL_WIDTH + index * COLUMN_WIDTH for index, column in enumerate(COLUMNS)}
    placed: dict[tuple[str, str], list[Finding]] = {}
    for finding in data.findings:
        placed.setdefault((finding.theme, column_of(finding, data)), []).append(finding)
    y = float(HEADER_HEIGHT)
    bands = []
    shown: list[Finding] = []
    for group in groups:
        band_y = y
        y += GROUP_HEIGHT
        rows = []
        for theme in group.themes:
            cells = []
            for column in COLUMNS:
                members = placed.get((theme.id, column), [])
                shown += members
                tally = evidence.direction_tally(members, directions)
                cells.append(
                    Cell(
                        theme=theme.id,
                        column=column,
                        findings=tuple(finding.id for finding in members),
                        directions=tuple(tally.items()),
                        sources=_distinct_sources(members),
                        anchor=f"{map_id}-{theme.id}-{column}",
                        x=columns_x[column] + GAP,
                        y=y + GAP,
                        width=COLUMN_WIDTH - 2 * GAP,
                        height=ROW_HEIGHT - 2 * GAP,
                    )
                )
            rows.append(Row(theme, label_lines(theme.title), y, tuple(cells)))
            y += ROW_HEIGHT
        bands.append(GroupBand(group, band_y, tuple(rows)))
    totals = {
        column: sum(cell.count for band in bands for row in band.rows for cell in row.cells if cell.column == column)
        for column in COLUMNS
    }
    return EvidenceMap(
        id=map_id,
        columns=tuple(Column(column, columns_x[column], totals[column]) for column in COLUMNS),
        groups=tuple(bands),
        width=LABEL_WIDTH + len(COLUMNS) * COLUMN_WIDTH,
        height=y,
        label_width=LABEL_WIDTH,
        column_width=COLUMN_WIDTH,
        header_height=HEADER_HEIGHT,
        group_height=GROUP_HEIGHT,
        row_height=ROW_HEIGHT,
        findings=len(shown),
        sources=_distinct_sources(shown),
    )
