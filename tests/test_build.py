"""The strict build of the real guide, checked through its rendered HTML.

What does not depend on the real records (bad data, failed builds, the build lock, records an editor adds) is built
from a copy of the project that holds the tiny guide instead, in a fraction of the time.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiguide import evidence
from aiguide.build import LOCK_FILE
from aiguide.guide import load_guide
from aiguide.pages import sync_pages

from .conftest import BUILD_ENV, run_build, run_site_build, site_page_names, tiny_site_project

pytestmark = pytest.mark.build


def break_a_link(project: Path) -> None:
    """Add a link to a page that does not exist to the About page: the strict build fails on it."""
    page = project / "docs" / "about" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[broken](../no-such-page.md)\n", encoding="utf-8")


def previous_site(folder: Path) -> Path:
    """A published site (one page saying so) that a failed build must leave as it was."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("previous site", encoding="utf-8")
    return folder


def page(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    """Visible text of the main article, tags removed and entities decoded."""
    article = re.search(r"<article.*?</article>", markup, re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", article.group(0) if article else markup))


def test_every_page_of_the_nav_is_built(built_site: Path, guide) -> None:
    expected = [
        "index.html",
        "themes/index.html",
        "findings/index.html",
        "checklists/index.html",
        "faq/index.html",
        "decision-makers/index.html",
        "sources/index.html",
        "method/index.html",
        "glossary/index.html",
        "about/index.html",
        *(f"themes/{theme.id}/index.html" for theme in guide.themes),
    ]
    assert [path for path in expected if not (built_site / path).is_file()] == []


def test_no_template_syntax_or_macro_error_survives(built_site: Path) -> None:
    offenders = []
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "{{" in text or "{%" in text or "Macro Rendering Error" in text:
            offenders.append(str(path.relative_to(built_site)))
    assert offenders == []


def test_each_finding_appears_on_its_theme_page_with_its_confidence(built_site: Path, guide, loaded) -> None:
    levels = loaded.fields.labels("findings", "findings[].confidence.override.level")
    kinds = loaded.fields.labels("findings", "findings[].kind")
    for finding in guide.findings:
        markup = page(built_site, f"themes/{finding.theme}/index.html")
        card = re.search(rf'<h3 id="{finding.anchor}">.*?(?=<h[23] )', markup, re.DOTALL)
        assert card, f"{finding.id} has no heading on its theme page"
        grade = evidence.confidence(finding, guide)
        label = levels[grade.level] if grade else kinds[finding.kind]
        assert html.unescape(label) in html.unescape(text_of(card.group(0))), (finding.id, label)
        for citation in finding.citations:
            assert f"#{citation.source.lower()}" in card.group(0), (finding.id, citation.source)


def test_theme_page_lists_each_finding_under_its_direction(built_site: Path, guide) -> None:
    headings = {"facilitator": "facilitators", "barrier": "barriers", "both": "works-both-ways"}
    for theme in guide.themes:
        markup = page(built_site, f"themes/{theme.id}/index.html")
        for direction, anchor in headings.items():
            wanted = [f.anchor for f in guide.findings_for_theme(theme.id) if f.direction == direction]
            section = re.search(rf'<h2 id="{anchor}">.*?(?=<h2 |</article>)', markup, re.DOTALL)
            assert bool(section) == bool(wanted), (theme.id, direction)
            if section:
                cards = re.findall(r'<h3 id="([a-z]{2}-\d+)"', section.group(0))
                assert sorted(cards) == sorted(wanted), (theme.id, direction)


def test_findings_page_lists_every_finding_with_filters(built_site: Path, guide) -> None:
    markup = page(built_site, "findings/index.html")
    rows = re.findall(r'<tr id="([a-z]{2}-\d+)"', markup)
    assert rows == [finding.anchor for finding in guide.findings]
    for name in ("theme", "direction", "confidence", "role", "phase"):
        assert f'<select name="{name}">' in markup
    assert "findings-table.js" in markup


def test_faq_page_has_every_question_and_valid_faqpage_json_ld(built_site: Path, guide) -> None:
    markup = page(built_site, "faq/index.html")
    text = text_of(markup)
    for faq in guide.faqs:
        assert faq.question in text
        assert f'id="{faq.anchor}"' in markup
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', markup, re.DOTALL)
    assert block, "the FAQ page has no JSON-LD"
    data = json.loads(block.group(1))
    assert data["@type"] == "FAQPage"
    assert [item["name"] for item in data["mainEntity"]] == [faq.question for faq in guide.faqs]


def test_sources_page_shows_every_source_with_its_verification(built_site: Path, guide) -> None:
    markup = page(built_site, "sources/index.html")
    for source in guide.sources:
        section = re.search(rf'<h3 id="{source.anchor}">.*?(?=<h[23] |</article>)', markup, re.DOTALL)
        assert section, source.key
        assert f"ag-verification--{source.verification}" in section.group(0), source.key
        if source.doi:
            assert f"https://doi.org/{source.doi}" in section.group(0), source.key


def test_sources_page_links_every_record_that_cites_a_source(built_site: Path, loaded) -> None:
    """Findings, FAQs, checklist items, questions for suppliers, obligations, calculators and law-page gaps."""
    from aiguide.render import Renderer

    renderer = Renderer(loaded, lambda: "sources/index.md")
    markup = page(built_site, "sources/index.html")
    kinds = set()
    for source in loaded.model.sources:
        section = re.search(rf'<h3 id="{source.anchor}">.*?(?=<h[23] |</article>)', markup, re.DOTALL).group(0)
        cited_by = section[section.index("Cited by") :]
        for record in loaded.model.citing_records[source.key]:
            target, anchor = renderer.target(record.kind, record.id)
            href = "../" + target.removesuffix(".md") + ".html" + (f"#{anchor}" if anchor else "")
            assert f'href="{html.escape(href)}"' in cited_by, (source.key, record)
            kinds.add(record.kind)
    assert kinds == {"finding", "faq", "item", "vendor-question", "regulation", "calculator", "jurisdiction"}


def test_glossary_and_checklists_hold_every_record(built_site: Path, guide) -> None:
    glossary = page(built_site, "glossary/index.html")
    assert all(f'id="{term.id}"' in glossary for term in guide.terms)
    checklists = page(built_site, "checklists/index.html")
    assert all(f'id="{item.anchor}"' in checklists for item in guide.items)


def test_home_page_restates_the_headline_with_its_caveat(built_site: Path, guide) -> None:
    text = " ".join(text_of(page(built_site, "index.html")).split())
    headline = guide.meta.headline
    for item in (*headline.summary_themes, *headline.key_insights):
        assert " ".join(item.text.split())[:60] in text
        if item.caveat:
            assert " ".join(item.caveat.split())[:60] in text
    footer = re.search(r'<div class="ag-footer-version">(.*?)</div>', page(built_site, "index.html"), re.DOTALL)
    assert footer and f"Version {guide.meta.version}," in " ".join(footer.group(1).split())


def test_pages_make_no_third_party_requests(built_site: Path) -> None:
    """No fonts, scripts or styles from other hosts (links to sources are fine)."""
    pattern = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//', re.IGNORECASE)
    offenders = [
        str(path.relative_to(built_site))
        for path in built_site.rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert "fonts.googleapis" not in page(built_site, "index.html")


def test_search_index_holds_findings(built_site: Path, guide) -> None:
    index = json.loads(page(built_site, "search/search_index.json"))
    locations = {doc["location"] for doc in index["docs"]}
    for finding in guide.findings:
        assert f"themes/{finding.theme}/index.html#{finding.anchor}" in locations, finding.id


def test_bad_data_stops_the_build_before_any_page_is_written(tmp_path: Path) -> None:
    project = tiny_site_project(tmp_path / "project")
    findings = project / "data" / "findings.yaml"
    text = findings.read_text(encoding="utf-8")
    broken = text.replace("theme: workflow\n", "theme: no-such-theme\n", 1)
    assert broken != text
    findings.write_text(broken, encoding="utf-8")
    line = broken[: broken.index("theme: no-such-theme\n")].count("\n") + 1
    site = project / "site"
    site.mkdir()
    (site / "previous.html").write_text("previous build", encoding="utf-8")

    result = run_build(project, site)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    expected = f"data/findings.yaml:{line}: findings[0].theme: 'no-such-theme' is not a known theme"
    assert expected in result.stderr
    assert [path.name for path in site.iterdir()] == ["previous.html"]


# An editor's additions to the tiny guide: a source, a theme, a finding, an FAQ and a checklist item.
EDITOR_ADDITIONS = {
    "sources.yaml": """
  - key: EDITOR2026
    role: supplementary
    type: primary-study
    design: Test study added by an editor
    authors: [Editor A]
    authors_complete: true
    title: An added study
    container: Test Journal
    year: 2026
    setting: Test hospital
    modality: Radiology
    sample: 10 readers
    framework: None named
    verification: verified
    seen: Abstract
    not_seen: [licence]
    licence: Not seen
    contribution: Shows that added records reach every page.
""",
    "themes.yaml": """
  - id: editor-added-theme
    title: Editor added theme
    origin: proposed
    summary: A theme added only in the data.
    key_question: Does a new theme reach the site?
    frameworks:
      nasss: [technology]
    mapping_note: Test mapping.
""",
    "findings.yaml": """
  - id: ZZ-99
    title: An editor's new finding reaches every page
    direction: facilitator
    kind: advice
    theme: editor-added-theme
    statement: Zebra statement added by an editor.
    action: Check that it shows up.
    roles: [radiologist]
    phases: [evaluate]
    citations:
      - source: EDITOR2026
        section: abstract
        mark: V
        supports: direct
    last_reviewed: 2026-11-29
""",
    "faqs.yaml": """
  - id: FAQ-99
    origin: guide
    question: Does an added question appear on the site?
    answer: Yes, without touching Markdown.
    findings: [ZZ-99]
    citations:
      - source: EDITOR2026
        section: abstract
        mark: V
        supports: direct
    last_reviewed: 2026-11-29
""",
    "checklists.yaml": """
  - id: CL-99
    question: Did the added checklist item appear?
    tier: essential
    phase: evaluate
    theme: editor-added-theme
    roles: [radiologist]
    findings: [ZZ-99]
    help: It should be on the checklist and theme pages.
    last_reviewed: 2026-11-29
""",
}


@dataclass(frozen=True)
class TwoBuilds:
    """A project built by two builds started at once, and what they said."""

    project: Path
    site: Path
    returncodes: list[int]
    errors: list[str]


def start_site_build(project: Path, site: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "aiguide.build", "--project", str(project), "--site-dir", str(site)]
    return subprocess.Popen([*command, "--no-pdf", "--print-page"], env=BUILD_ENV, stderr=subprocess.PIPE, text=True)


def wait_until_it_holds_the_build_lock(build: subprocess.Popen[str], project: Path) -> None:
    """Return once ``build`` has taken the project's build lock (its holder writes its process id into the file)."""
    lock = project / LOCK_FILE
    while build.poll() is None:
        if lock.is_file() and lock.read_text(encoding="utf-8").strip() == f"process {build.pid}":
            return
        time.sleep(0.02)


@pytest.fixture(scope="module")
def extended_site(tmp_path_factory: pytest.TempPathFactory) -> TwoBuilds:
    """A tiny project where an editor added a source, a theme, a finding, an FAQ and a checklist item, synced, then
    built by two builds of the site started at once (the second while the first holds the lock)."""
    project = tiny_site_project(tmp_path_factory.mktemp("extended") / "project")
    for name, block in EDITOR_ADDITIONS.items():
        path = project / "data" / name
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + block, encoding="utf-8")
    assert sync_pages(load_guide(project)), "sync should write the new theme's stub and nav entry"
    site = project / "site"
    first = start_site_build(project, site)
    wait_until_it_holds_the_build_lock(first, project)
    second = start_site_build(project, site)
    errors = [build.communicate(timeout=600)[1] for build in (first, second)]
    return TwoBuilds(project, site, [first.returncode, second.returncode], errors)


def test_two_builds_at_once_take_turns_and_publish_a_whole_site(extended_site: TwoBuilds) -> None:
    """A second build started while the first runs waits for it, says so, and both publish the whole site."""
    builds = extended_site
    assert builds.returncodes == [0, 0], builds.errors
    assert any("another build of this guide is running" in error for error in builds.errors), builds.errors
    expected = site_page_names(builds.project)
    assert sorted(p.relative_to(builds.site).as_posix() for p in builds.site.rglob("*.html")) == expected
    assert [p.name for p in builds.project.iterdir() if p.name.startswith(".site")] == []


def test_records_added_to_data_reach_every_page_they_belong_to(extended_site: TwoBuilds) -> None:
    project, site = extended_site.project, extended_site.site
    assert extended_site.returncodes == [0, 0], extended_site.errors
    theme_page = page(site, "themes/editor-added-theme/index.html")
    assert 'id="zz-99"' in theme_page and "Does an added question appear on the site?" in theme_page
    assert "CL-99" in theme_page
    assert 'id="zz-99"' in page(site, "findings/index.html")
    assert 'id="faq-99"' in page(site, "faq/index.html")
    assert 'id="cl-99"' in page(site, "checklists/index.html")
    sources = page(site, "sources/index.html")
    assert 'id="editor2026"' in sources and "ZZ-99" in sources
    assert "Editor added theme" in page(site, "themes/index.html")
    assert "editor-added-theme/index.md" in (project / "mkdocs.yml").read_text(encoding="utf-8")


def test_committed_stubs_and_nav_agree_with_the_data(loaded) -> None:
    assert sync_pages(loaded, write=False) == []


def test_every_page_carries_a_csp_that_hashes_its_inline_scripts(built_site: Path) -> None:
    from aiguide.csp import inline_script_hashes

    for path in built_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert policy, f"{path.relative_to(built_site)} has no CSP"
        assert "default-src 'self'" in policy.group(1) and "'unsafe-inline'" not in policy.group(1).split(";")[1]
        assert all(token in policy.group(1) for token in inline_script_hashes(html))
        assert "<script" not in html or html.index("Content-Security-Policy") < html.index("<script")


def test_two_builds_from_the_same_input_are_byte_identical(built_site: Path, site_with_pdf: Path) -> None:
    """The HTML-only build and the `make site` build (run without the caches) agree on every file both write.

    The PDF build adds the PDF and writes its size on the downloads page; nothing else may differ.
    """
    printed = {Path("downloads/guide.pdf"), Path("downloads/index.html")}
    first = {p.relative_to(built_site): p.read_bytes() for p in built_site.rglob("*") if p.is_file()}
    second = {p.relative_to(site_with_pdf): p.read_bytes() for p in site_with_pdf.rglob("*") if p.is_file()}
    assert sorted(set(second) - set(first)) == [Path("downloads/guide.pdf")]
    assert sorted(set(first) - set(second)) == []
    assert [str(name) for name in first if name not in printed and first[name] != second[name]] == []


def test_failed_build_leaves_the_previous_site_and_the_source_tree_as_they_were(tmp_path: Path) -> None:
    """A new theme makes the build write a page stub and a nav entry; when a broken link then fails the build, both
    go again, and the previous site is left as it was, with no staging folder beside it."""
    project = tiny_site_project(tmp_path / "project")
    themes = project / "data" / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8")
        + "\n  - id: late-theme\n    title: Late theme\n    origin: proposed\n    summary: Added late.\n"
        "    key_question: Does it roll back?\n    frameworks:\n      nasss: [technology]\n"
        "    mapping_note: Test.\n    unused_reason: Added by a test.\n",
        encoding="utf-8",
    )
    break_a_link(project)
    site = previous_site(tmp_path / "site")
    before = {p: p.read_bytes() for p in (project / "docs").rglob("*") if p.is_file()}
    config = (project / "mkdocs.yml").read_bytes()
    result = run_site_build(project, site, "--no-pdf")
    assert result.returncode == 1, result.stderr
    assert "no-such-page.md" in result.stderr
    assert "previous site was left as it was" in result.stderr
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "previous site"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [], "a staging folder was left"
    assert (project / "mkdocs.yml").read_bytes() == config
    after = {p: p.read_bytes() for p in (project / "docs").rglob("*") if p.is_file()}
    assert after == before
    assert not (project / "docs" / "themes" / "late-theme").exists()


def _primary_nav(html: str) -> str:
    start = html.index('class="md-sidebar md-sidebar--primary"')
    return html[start : html.index('class="md-sidebar md-sidebar--secondary"', start)]


def test_themes_are_grouped_by_their_first_nasss_domain_each_exactly_once(guide) -> None:
    from aiguide.model import THEME_GROUP_FRAMEWORK

    grouped = [theme.id for group in guide.theme_groups for theme in group.themes]
    assert sorted(grouped) == sorted(theme.id for theme in guide.themes)
    domain_order = [domain.id for domain in guide.framework[THEME_GROUP_FRAMEWORK].domains]
    used = {group.id for group in guide.theme_groups}
    assert [group.id for group in guide.theme_groups] == [domain for domain in domain_order if domain in used]
    for group in guide.theme_groups:
        assert all(theme.frameworks[THEME_GROUP_FRAMEWORK][0] == group.id for theme in group.themes)
        assert len(group.themes) < len(guide.themes)


def test_a_theme_page_menu_lists_its_own_group_not_every_theme(built_site: Path, guide) -> None:
    for group in guide.theme_groups:
        theme = group.themes[0]
        nav = _primary_nav(page(built_site, f"themes/{theme.id}/index.html"))
        linked = set(re.findall(r'href="\.\./([^/"]+)/index\.html"', nav))
        assert {t.id for t in group.themes} <= linked | {theme.id}, group.id
        # A collapsed group is one link (to its own page); its themes are left out of the page.
        hidden = {t.id for g in guide.theme_groups if g is not group for t in g.themes}
        assert not linked & hidden, f"{theme.id}'s menu lists themes of other groups: {sorted(linked & hidden)}"
        assert all(f"../by-domain/{g.id}/index.html" in nav for g in guide.theme_groups)
        assert all(g.title in nav for g in guide.theme_groups)


def test_themes_page_shows_each_group_with_its_themes(built_site: Path, guide) -> None:
    html = page(built_site, "themes/index.html")
    for group in guide.theme_groups:
        section = html[html.index(f'id="group-{group.id}"') :]
        next_group = re.search(r'<h2 id="group-', section[10:])
        section = section[: next_group.start() + 10] if next_group else section
        for theme in group.themes:
            assert f'href="../{theme.id}/index.html"' in section or f'href="{theme.id}/index.html"' in section


def test_make_site_prints_the_pdf_and_states_its_size(site_with_pdf: Path) -> None:
    from aiguide.fragments import PDF_NOT_BUILT, human_size

    pdf = site_with_pdf / "downloads" / "guide.pdf"
    assert (site_with_pdf / "print_page.html").is_file() and pdf.read_bytes().startswith(b"%PDF-")
    cell = re.search(r"<td[^>]*data-pdf-size[^>]*>([^<]*)</td>", page(site_with_pdf, "downloads/index.html"))
    assert cell and cell.group(1) == human_size(pdf.stat().st_size)
    # The size cell is kept out of the search index, which was written before the PDF existed.
    assert PDF_NOT_BUILT not in (site_with_pdf / "search" / "search_index.json").read_text(encoding="utf-8")


def test_essentials_page_has_one_heading_and_one_table_per_step(built_site: Path, guide) -> None:
    html = page(built_site, "checklists/essentials/index.html")
    steps = [p for p in guide.phases_in_order if any(i.tier == "essential" for i in guide.items_for_phase(p.id))]
    for phase in steps:
        assert re.search(rf'<h2 id="essentials-{phase.id}">', html), phase.id
    assert html.count("<table>") == len(steps)
    assert not re.search(r"<td>\s*##", html), "a step heading was swallowed by the table above it"


def test_each_theme_group_has_a_page_listing_its_themes_with_counts(built_site: Path, guide) -> None:
    for group in guide.theme_groups:
        html = page(built_site, f"themes/by-domain/{group.id}/index.html")
        assert f"<title>{group.title} - " in html
        article = html[html.index("<article") : html.index("</article>")]
        linked = re.findall(r'href="\.\./\.\./([^/"]+)/index\.html"', article)
        assert list(dict.fromkeys(linked)) == [theme.id for theme in group.themes]  # the table, then the map
        for theme in group.themes:
            count = len(guide.findings_for_theme(theme.id))
            link = rf'{re.escape(theme.id)}/index\.html">[^<]*</a></td>'
            cell = rf'{link}\s*<td[^>]*><span class="ag-count">{count}</span>'
            assert re.search(cell, article), theme.id


def test_an_inline_script_the_theme_does_not_emit_fails_the_build(tmp_path: Path) -> None:
    """The policy allows only the inline scripts the theme is known to emit; any other stops the build."""
    project = tiny_site_project(tmp_path / "project")
    about = project / "docs" / "about" / "index.md"
    about.write_text(about.read_text(encoding="utf-8") + '\n<script>document.title = "x"</script>\n', encoding="utf-8")
    site = previous_site(tmp_path / "site")
    result = run_site_build(project, site, "--no-pdf")
    assert result.returncode == 1
    assert "about/index.html holds an inline script the guide does not know" in result.stderr, result.stderr
    assert [p.name for p in site.iterdir()] == ["index.html"]
