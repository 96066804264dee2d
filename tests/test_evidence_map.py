"""The evidence map: inline SVG with a title, a description and a table as its text alternative.

Its figures are compared with counts made here, independently, from the typed model; only the
confidence level of each finding comes from :func:`aiguide.evidence.category` (tested on its own).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aiguide import evidence
from aiguide.fragments import Fragments
from aiguide.guide import load_guide

from .conftest import PROJECT_DIR

REAL = load_guide(PROJECT_DIR)
MODEL = REAL.model
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "col", "source"}
SYMBOLS = {"+": "facilitator", "−": "barrier", "±": "both"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # text directly inside, in order

    def all(self, tag: str) -> list[Node]:
        found = [self] if self.tag == tag else []
        for child in self.children:
            found += child.all(tag)
        return found

    def full_text(self) -> str:
        return "".join(self.text) + "".join(child.full_text() for child in self.children)


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].text.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def expected_cells(themes: set[str] | None = None) -> dict[tuple[str, str], dict]:
    """(theme, column) -> finding ids, direction counts and distinct sources, counted from the model."""
    cells: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"ids": [], "directions": defaultdict(int), "sources": set()}
    )
    for finding in MODEL.findings:
        if themes is not None and finding.theme not in themes:
            continue
        level = evidence.category(finding, MODEL)
        column = level if level in ("high", "moderate", "low", "very-low") else "ungraded"
        cell = cells[finding.theme, column]
        cell["ids"].append(finding.id)
        cell["directions"][finding.direction] += 1
        cell["sources"].update(citation.source for citation in finding.citations)
    return cells


def _nodes_in_order(node: Node) -> list[Node]:
    found = [node]
    for child in node.children:
        found += _nodes_in_order(child)
    return found


LABEL_WORDS = {"facilitator": r"(\d+) facilitators?", "barrier": r"(\d+) barriers?", "both": r"(\d+) works? both ways"}


def svg_cells(svg: Node, prefix: str) -> dict[tuple[str, str], dict]:
    """(theme, column) -> direction counts and source count, drawn in the SVG, and the words of each cell's link."""
    themes = sorted((theme.id for theme in MODEL.themes), key=len, reverse=True)
    found = {}
    nodes = _nodes_in_order(svg)
    for position, link in enumerate(nodes):
        href = link.attrs.get("href", "") if link.tag == "a" else ""
        if not href.startswith(f"#{prefix}-"):
            continue
        rest = href[len(prefix) + 2 :]
        theme = next(theme for theme in themes if rest.startswith(theme + "-"))
        column = rest[len(theme) + 1 :]
        figures = next(node for node in nodes[position + 1 :] if "ag-map__figures" in node.attrs.get("class", ""))
        assert figures.attrs.get("aria-hidden") == "true"  # the link says it all in words
        counts, sources = figures.all("text")
        directions = {SYMBOLS[span.full_text()[0]]: int(span.full_text()[1:]) for span in counts.all("tspan")}
        label = link.attrs["aria-label"]
        spoken = {d: int(m[1]) for d, pattern in LABEL_WORDS.items() if (m := re.search(pattern, label))}
        found[theme, column] = {
            "directions": directions,
            "spoken": spoken,
            "sources": int(re.match(r"(\d+) sources?$", sources.full_text().strip())[1]),
            "spoken_sources": int(re.search(r"(\d+) (distinct )?sources?", label)[1]),
            "label": label,
        }
    return found


def _rendered_map(group_id: str = "") -> tuple[Node, str]:
    html = Fragments(REAL, lambda: "method/index.md").evidence_map(group_id)
    return parse(html), ("map" if not group_id else f"map-{group_id}")


def test_svg_has_a_title_a_description_and_names_them() -> None:
    root, prefix = _rendered_map()
    (svg,) = root.all("svg")
    (title,) = [child for child in svg.children if child.tag == "title"]
    (desc,) = [child for child in svg.children if child.tag == "desc"]
    assert title.full_text().strip() and desc.full_text().strip()
    assert svg.attrs["aria-labelledby"] == title.attrs["id"] == f"{prefix}-title"
    assert svg.attrs["aria-describedby"] == desc.attrs["id"]
    assert svg.attrs["viewbox"].startswith("0 0 ")  # html.parser lower-cases attribute names


def test_map_counts_equal_the_data() -> None:
    root, prefix = _rendered_map()
    (svg,) = root.all("svg")
    shown = svg_cells(svg, prefix)
    expected = expected_cells()
    assert set(shown) == set(expected)
    for key, cell in expected.items():
        counts = {d: n for d, n in cell["directions"].items() if n}
        assert shown[key]["directions"] == counts == shown[key]["spoken"], key
        assert shown[key]["sources"] == len(cell["sources"]) == shown[key]["spoken_sources"], key
        assert shown[key]["label"].startswith(f"{MODEL.theme[key[0]].title}, "), shown[key]["label"]
    assert sum(sum(cell["directions"].values()) for cell in shown.values()) == len(MODEL.findings)


def test_table_is_the_text_alternative_and_each_cell_link_lands_on_its_findings() -> None:
    root, prefix = _rendered_map()
    (svg,) = root.all("svg")
    (table,) = root.all("table")
    assert table.all("caption") and table.all("caption")[0].full_text().strip()
    cells = {li.attrs["id"]: td for td in table.all("td") for li in td.all("li") if "id" in li.attrs}
    for (theme, column), cell in expected_cells().items():
        anchor = f"{prefix}-{theme}-{column}"
        assert f"#{anchor}" in {link.attrs.get("href") for link in svg.all("a")}
        linked = [link.full_text() for link in cells[anchor].all("a")]
        assert linked == cell["ids"]
    headers = [th.full_text().strip() for th in table.all("thead")[0].all("th")]
    assert len(headers) == len(evidence.LEVELS) + 2  # theme, the levels, guidance or advice
    rows = [th for th in table.all("th") if th.attrs.get("scope") == "row" and th.all("a")]
    assert [row.full_text().strip() for row in rows] == [
        theme.title for group in MODEL.theme_groups for theme in group.themes
    ]


@pytest.mark.parametrize("group", MODEL.theme_groups, ids=[group.id for group in MODEL.theme_groups])
def test_group_page_maps_only_its_own_themes(group) -> None:
    html = Fragments(REAL, lambda: f"themes/by-domain/{group.id}/index.md").theme_group_page(group.id)
    root = parse(html)
    (svg,) = root.all("svg")
    prefix = f"map-{group.id}"
    shown = svg_cells(svg, prefix)
    expected = expected_cells({theme.id for theme in group.themes})
    assert set(shown) == set(expected)
    assert {key[0] for key in shown} <= {theme.id for theme in group.themes}


@pytest.mark.build
def test_map_renders_in_the_built_method_page(built_site: Path) -> None:
    html = (built_site / "method" / "index.html").read_text(encoding="utf-8")
    root = parse(html)
    maps = [svg for svg in root.all("svg") if "ag-map__svg" in svg.attrs.get("class", "")]
    assert len(maps) == 1
    (svg,) = maps
    assert any(child.tag == "title" for child in svg.children)
    assert any(child.tag == "desc" for child in svg.children)
    ids = {node.attrs["id"] for node in root.all("li") if "id" in node.attrs}
    targets = [link.attrs["href"][1:] for link in svg.all("a") if link.attrs.get("href", "").startswith("#")]
    assert targets and set(targets) <= ids
    for level_id in evidence.LEVELS:
        assert f'id="confidence-{level_id}"' in html
    group = MODEL.theme_groups[0]
    group_html = (built_site / "themes" / "by-domain" / group.id / "index.html").read_text(encoding="utf-8")
    assert f'id="map-{group.id}"' in group_html and "<desc" in group_html
