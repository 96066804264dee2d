"""Renderers, fragments and the macros entry point, tested without a build."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from types import SimpleNamespace

import pytest

from aiguide.fragments import Fragments, UnknownIdError, faq_jsonld, role_entries
from aiguide.render import Renderer, plain, table_cell

from .conftest import PROJECT_DIR, with_model


def test_links_are_relative_to_the_current_page(loaded, guide) -> None:
    finding = guide.findings[0]
    from_home = Renderer(loaded, lambda: "index.md")
    from_theme = Renderer(loaded, lambda: f"themes/{finding.theme}/index.md")
    assert from_home.url("finding", finding.id) == f"themes/{finding.theme}/index.md#{finding.anchor}"
    assert from_theme.url("finding", finding.id) == f"#{finding.anchor}"
    assert from_theme.url("source", "STROHM2020") == "../../sources/index.md#strohm2020"
    assert from_theme.href("source", "STROHM2020") == "../../sources/index.html#strohm2020"


def test_theme_page_renders_each_of_its_findings_once(loaded, guide) -> None:
    theme = guide.themes[0]
    markdown = Fragments(loaded, lambda: f"themes/{theme.id}/index.md").theme_page(theme.id)
    for finding in guide.findings_for_theme(theme.id):
        assert markdown.count(f"{{ #{finding.anchor} }}") == 1
    assert markdown.startswith(f"# {theme.title}")


def _assert_lookups_match_a_plain_scan(data) -> None:
    """Each lookup of ``data`` by theme, step and group against its definition, written as a scan of the records."""
    for theme in (*data.themes, SimpleNamespace(id="no-such-theme")):
        main = [finding for finding in data.findings if finding.theme == theme.id]
        assert list(data.findings_for_theme(theme.id)) == main
        assert list(data.findings_for_theme(theme.id, include_secondary=True)) == [
            finding for finding in data.findings if theme.id in (finding.theme, *finding.also_themes)
        ]
        assert list(data.faqs_for_theme(theme.id)) == [
            faq for faq in data.faqs if any(theme.id in data.finding[fid].all_themes for fid in faq.findings)
        ]
        own = {finding.id for finding in main}
        assert list(data.items_for_theme(theme.id)) == [
            item for item in data.items if item.theme == theme.id or own.intersection(item.findings)
        ]
    for phase in data.phases:
        step = [item for item in data.items if item.phase == phase.id]
        essential_first = [item for item in step if item.tier == "essential"] + [
            item for item in step if item.tier != "essential"
        ]
        assert list(data.items_for_phase(phase.id)) == essential_first
    for group in data.vendor_groups:
        assert list(data.questions_in_group(group.id)) == [q for q in data.vendor_questions if q.group == group.id]


def test_lookups_by_theme_step_and_group_hold_exactly_the_records_that_name_them_in_file_order(guide) -> None:
    _assert_lookups_match_a_plain_scan(guide)


def test_lookups_count_a_record_once_and_follow_retired_findings_as_their_definitions_say(guide) -> None:
    first, second = guide.themes[0].id, guide.themes[1].id
    retired = dataclasses.replace(guide.findings[0], id="RETIRED-01", theme=second, status="retired")
    repeating = dataclasses.replace(guide.findings[1], theme=first, also_themes=(first, second, second))
    faq = dataclasses.replace(guide.faqs[0], findings=(retired.id, repeating.id))
    item = dataclasses.replace(guide.items[0], theme=first, findings=(retired.id, repeating.id, repeating.id))
    data = dataclasses.replace(
        guide,
        findings=(guide.findings[0], repeating, *guide.findings[2:]),
        retired_findings=(retired,),
        faqs=(faq, *guide.faqs[1:]),
        items=(item, *guide.items[1:]),
    )
    _assert_lookups_match_a_plain_scan(data)
    assert data.faqs_for_theme(second).count(faq) == 1, "a FAQ once, though two of its findings share the theme"
    assert data.items_for_theme(first).count(item) == 1


def test_unknown_theme_is_a_clear_error(loaded) -> None:
    with pytest.raises(UnknownIdError, match=re.escape("'no-such-theme' is not a theme in data/themes.yaml")):
        Fragments(loaded).theme_page("no-such-theme")


def test_text_from_data_is_escaped_not_rendered_as_html(loaded, guide) -> None:
    finding = guide.findings[0]
    hostile = dataclasses.replace(finding, statement='<script>alert("x")</script> {{ config }}')
    data = dataclasses.replace(guide, findings=(hostile, *guide.findings[1:]))
    markdown = Fragments(with_model(loaded, data), lambda: f"themes/{finding.theme}/index.md").theme_page(finding.theme)
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "{{ config }}" not in markdown  # braces become character references: shown as text, never evaluated
    assert "&#123;&#123; config &#125;&#125;" in markdown


def test_markdown_links_and_attribute_lists_in_data_stay_text(loaded, guide) -> None:
    finding = guide.findings[0]
    hostile = dataclasses.replace(finding, action="[click](javascript:alert(1)) {: onclick=alert(2) }")
    data = dataclasses.replace(guide, findings=(hostile, *guide.findings[1:]))
    markdown = Fragments(with_model(loaded, data), lambda: f"themes/{finding.theme}/index.md").theme_page(finding.theme)
    assert "[click](javascript:" not in markdown
    assert "&#91;click&#93;(javascript:alert(1))" in markdown
    assert "{: onclick" not in markdown


def test_plain_and_table_cell_filters() -> None:
    assert plain("A *very* **bold**\n  claim") == "A very bold claim"
    assert table_cell("a | b\nc") == "a \\| b c"


def test_faq_json_ld_has_one_question_per_faq(guide) -> None:
    data = faq_jsonld(guide)
    assert data["@type"] == "FAQPage"
    assert len(data["mainEntity"]) == len(guide.faqs)
    assert all(item["acceptedAnswer"]["text"] for item in data["mainEntity"])


def test_role_entries_count_each_roles_findings_and_items(guide) -> None:
    for entry in role_entries(guide):
        assert entry.findings == sum(entry.role.id in f.roles for f in guide.findings)
        assert entry.items == sum(entry.role.id in i.roles for i in guide.items)


def test_macros_module_only_registers_fragments() -> None:
    spec = importlib.util.spec_from_file_location("guide_macros", PROJECT_DIR / "macros.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    registered: dict[str, object] = {}
    env = SimpleNamespace(
        project_dir=str(PROJECT_DIR),
        variables={},
        conf={"extra": {}},
        page=SimpleNamespace(file=SimpleNamespace(src_uri="index.md")),
        macro=lambda function, name: registered.setdefault(name, function),
    )
    module.define_env(env)
    assert {"theme_page", "findings_table", "faq_list", "source_list", "glossary_list"} <= set(registered)
    assert env.variables["guide"].version
    assert "STROHM2020" in registered["source_list"]()


def test_code_spans_show_data_literally_and_cannot_be_closed_early() -> None:
    from aiguide.render import code_span

    assert code_span("findings[].theme") == "`findings[].theme`"
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("<b>&") == "`<b>&`"  # Markdown escapes inside code spans itself
