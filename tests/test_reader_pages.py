"""Reader pages read as written for people: no editors' words, no sentence said twice, entry points that lead
where they say.

The text of a page is its article (``<article class="md-content__inner">``): the header, the menus, the table of
contents and the footer are left out, and so are scripts, styles and the evidence map's drawing (its table
gives the same figures). The editors' pages (the handbook and the field reference) are about the data and may
use its words; every other built page is a reader page.
"""

from __future__ import annotations

import html as html_module
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

# Pages for the guide's editors, not its readers (they explain the data files and their fields).
EDITORS_PAGES = ("editing/",)

# Words of the editors' trade that mean nothing to a reader, or something else, with what reader pages say instead.
# Each pattern is matched as a whole word, ignoring case unless it starts with (?-i); code spans are not searched
# (the downloads page names the open data's fields, which are the data's own words).
INTERNAL_WORDS: dict[str, str] = {
    r"seed": "the news article about the review",
    r"backbone": "the systematic review this guide starts from",
    r"write-?ups?": "a report about it, a news article",
    r"crosswalks?": "matching published guidance",
    r"vocabular(?:y|ies)": "the list of themes",
    r"provenance": "where the evidence comes from",
    # The citation marks written as letters (V, S and NS become "seen in the source", "seen only in a report about
    # it" and "not seen"): "(S)", "S:", "marked S", "S or NS". An author's initial ("Morozov S,") is no mark.
    (
        r"(?-i:(?:V|S|NS)(?=\)|:)|(?<=marked )(?:V|S|NS)|(?:V|S|NS)(?= or (?:V|S|NS)\b)"
        r"|(?:(?<=\bV or )|(?<=\bS or )|(?<=\bNS or ))(?:V|S|NS))"
    ): "the mark in words",
    # Field names of the data files (article_number, unused_reason, practice_advice, …); not file names.
    r"(?-i:[a-z]+_[a-z_]+)(?!\.\w)": "the field's meaning in words",
    r"(?-i:x-[a-z]+)": "the field's meaning in words",
}

# A sentence this long or longer (in words, not counting numbers) may appear only once on a page.
REPEAT_WORDS = 9

BLOCKS = {
    "address", "article", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "label",
    "legend", "li", "nav", "ol", "option", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
    "button", "select",
}  # fmt: skip
SKIPPED = {"script", "style", "svg", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ArticleText(HTMLParser):
    """The article's text as blocks (one string per block element), with and without code spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self.prose: list[list[str]] = [[]]  # the same without code spans
        self._depth = 0  # inside the article
        self._skip = 0
        self._code = 0
        self._headerlink = 0

    def _break(self) -> None:
        self.blocks.append([])
        self.prose.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if not self._depth:
            self._depth = 1 if tag == "article" and "md-content__inner" in classes else 0
            return
        if tag not in VOID:
            self._depth += 1
        if tag in SKIPPED:
            self._skip += 1
        if tag == "code":
            self._code += 1
        if tag == "a" and "headerlink" in classes:
            self._headerlink += 1
        if tag in BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if not self._depth or tag in VOID:
            return
        self._depth -= 1
        if tag in SKIPPED:
            self._skip -= 1
        if tag == "code":
            self._code -= 1
        if tag == "a" and self._headerlink:
            self._headerlink -= 1
        if tag in BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._depth and not self._skip and not self._headerlink:
            self.blocks[-1].append(data)
            if not self._code:
                self.prose[-1].append(data)


def article(path: Path) -> ArticleText:
    parser = ArticleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def joined(blocks: list[list[str]]) -> list[str]:
    return [text for text in (" ".join("".join(block).split()) for block in blocks) if text]


SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]*$")


def sentences(blocks: list[str]) -> list[str]:
    """Every sentence of the blocks. A block splits after '.', '!' or '?' (and any closing quote or bracket)
    followed by a space; a sentence is a part that ends so. Headings, labels, titles and lists of names do not
    end with a full stop, so they are not sentences (a finding's title may head its card and name it in a table)."""
    parts = (part for block in blocks for part in re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"'’”)\]]))\s+", block))
    return [part for part in parts if SENTENCE_END.search(part)]


def word_count(sentence: str) -> int:
    return sum(1 for token in sentence.split() if re.search(r"[^\W\d_]", token))


def reader_pages(site: Path) -> list[str]:
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    return [name for name in pages if not name.startswith(EDITORS_PAGES)]


def test_the_helpers_find_what_they_are_meant_to(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<nav>Menu text. Menu text.</nav><article class="md-content__inner"><h1>Title<a class="headerlink">¶</a></h1>'
        "<p>One two three four five six seven eight nine. Ten. One two three four five six seven eight nine.</p>"
        "<ul><li>Alpha beta</li><li>gamma <code>unused_reason</code> delta</li></ul>"
        "<svg><text>Drawn</text></svg><script>ignored()</script></article><footer>Footer</footer>",
        encoding="utf-8",
    )
    text = article(page)
    blocks = joined(text.blocks)
    assert blocks == [
        "Title",
        "One two three four five six seven eight nine. Ten. One two three four five six seven eight nine.",
        "Alpha beta",
        "gamma unused_reason delta",
    ]
    assert joined(text.prose)[-1] == "gamma delta"
    assert Counter(sentences(blocks))["One two three four five six seven eight nine."] == 2
    assert sentences(["A title without a stop", 'He said "so." Then he left?']) == ['He said "so."', "Then he left?"]
    assert word_count("In 2019, 38% of 1,041 respondents feared it.") == 5


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Sources: HEOR2025 (S), WENDEROTT2025 (V)", ["S", "V"]),
        ("checks of facts marked S or NS against", ["S", "NS"]),
        ("V: seen in source", ["V"]),
        ("Morozov S, Zins M, Bohyn C. An international survey", []),
        ("the seed article and the backbone review", ["seed", "backbone"]),
        ("a chest X-ray, application/x-bibtex and data/vendor_questions.yaml", []),
        ("set practice_advice: true; see x-labels", ["practice_advice", "x-labels"]),
    ],
)
def test_the_internal_words_are_found_where_they_occur(text: str, found: list[str]) -> None:
    assert [match.group() for match in internal_words().finditer(text)] == found


def internal_words() -> re.Pattern[str]:
    return re.compile(
        "|".join(rf"(?<![\w./-])(?P<w{index}>{word})(?![\w-])" for index, word in enumerate(INTERNAL_WORDS)),
        re.IGNORECASE,
    )


def test_reader_pages_use_no_internal_words(built_site: Path) -> None:
    pattern = internal_words()
    found = []
    for name in reader_pages(built_site):
        for block in joined(article(built_site / name).prose):
            for match in pattern.finditer(block):
                word = list(INTERNAL_WORDS)[int(match.lastgroup[1:])]
                context = block[max(0, match.start() - 50) : match.end() + 50]
                found.append(f"{name}: {match.group()!r} (say: {INTERNAL_WORDS[word]}) in …{context}…")
    assert not found, f"{len(found)} internal words on reader pages:\n" + "\n".join(found[:60])


@pytest.mark.parametrize("words", [REPEAT_WORDS])
def test_no_reader_page_says_a_sentence_twice(built_site: Path, words: int) -> None:
    # The print page (print_page.html, what the PDF is printed from) joins every page into one, so sentences
    # that rightly appear on two pages (a pointer to the method page, say) meet there; each page is checked
    # on its own instead.
    repeated = []
    for name in reader_pages(built_site):
        if name == "print_page.html":
            continue
        counts = Counter(s for s in sentences(joined(article(built_site / name).blocks)) if word_count(s) >= words)
        repeated += [f"{name}: {count}x {sentence}" for sentence, count in counts.items() if count > 1]
    assert not repeated, f"{len(repeated)} sentences said twice on one page:\n" + "\n".join(repeated[:60])


# --- The home page's entry points ------------------------------------------------------------------------------


class Links(HTMLParser):
    """Every link of a stretch of HTML: (href, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._open = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._href, " ".join("".join(self._open).split())))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def heading_text(site: Path, page: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert match, f"{page} has no heading"
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).replace("¶", "").split())


def test_home_page_starts_with_entry_points_that_lead_where_they_say(built_site: Path, guide) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    article = html[html.index('<article class="md-content__inner') : html.index("</article>")]
    start, headline = article.index('id="start"'), article.index("The review as reported in the news")
    assert start < headline, "the entry points come before the headline content"
    parser = Links()
    parser.feed(article[start:headline])
    links = dict(parser.links)
    by_target = {href: text for href, text in parser.links}
    # Every role and every step, each to its own page, named as that page is.
    for role in guide.roles:
        target = f"roles/{role.id}/index.html"
        assert by_target.get(target) == role.title == heading_text(built_site, target)
    for phase in guide.phases_in_order:
        target = f"phases/{phase.id}/index.html"
        assert by_target.get(target) == phase.title and phase.title in heading_text(built_site, target)
    # The tools readers come for, each to the page that bears its name.
    for target in (
        "checklists/essentials/index.html",
        "assessment/index.html",
        "vendor-questions/index.html",
        "local-validation/index.html",
    ):
        assert target in by_target, f"the home page's entry points do not link to {target}"
        assert by_target[target] == heading_text(built_site, target)
    # The PDF, where the build prints it; the downloads page lists the same file.
    assert by_target.get("downloads/guide.pdf") == "The whole guide as a PDF"
    assert 'href="guide.pdf"' in (built_site / "downloads" / "index.html").read_text(encoding="utf-8")
    pages = {href.split("#")[0] for href in links if not href.startswith("#")} - {"downloads/guide.pdf"}
    assert pages and all((built_site / target).is_file() for target in pages)


def test_theme_groups_are_named_for_readers_and_show_the_framework_name_as_a_second_label(
    built_site: Path, guide
) -> None:
    from aiguide.model import THEME_GROUP_FRAMEWORK

    domains = {domain.id: domain.title for domain in guide.framework[THEME_GROUP_FRAMEWORK].domains}
    html = (built_site / "themes" / "index.html").read_text(encoding="utf-8")
    menu = Links()
    menu.feed(
        html[html.index('class="md-nav md-nav--primary') : html.index('class="md-sidebar md-sidebar--secondary"')]
    )
    entries = {text for _, text in menu.links}
    for entry in guide.theme_group_entries:
        page = f"themes/by-domain/{entry.id}/index.html"
        assert heading_text(built_site, page) == entry.title
        text = " ".join(joined(article(built_site / page).blocks))
        assert domains[entry.nasss_domain] in text, f"{page} does not name its framework domain"
        assert entry.title in entries, f"the menu does not list {entry.title!r}"
        assert domains[entry.nasss_domain] not in entries, "the menu uses the framework's name for a group"


def test_the_top_sections_are_tabs_with_the_editors_pages_in_their_own(built_site: Path) -> None:
    """Readers see a handful of tabs instead of one long menu; the editors' pages are not mixed into them."""
    html = (built_site / "index.html").read_text(encoding="utf-8")
    tabs = html[html.index('<nav class="md-tabs"') : html.index("</nav>", html.index('<nav class="md-tabs"'))]
    titles = [" ".join(title.split()) for title in re.findall(r'class="md-tabs__link"[^>]*>([^<]+)<', tabs)]
    assert titles[:4] == ["Guide", "Checklists and tools", "Evidence", "About"]
    assert titles[4:] == ["For editors"]
    editors = re.findall(r'href="(editing/[^"]+)"', tabs)
    assert editors, "the editors' section is a tab of its own"


def test_about_page_says_who_keeps_the_guide_how_and_how_to_report_an_error(built_site: Path) -> None:
    blocks = joined(article(built_site / "about" / "index.html").blocks)
    for heading in (
        "Who maintains it",
        "Editorial policy",
        "How content is added and checked",
        "Review schedule",
        "Conflicts of interest",
        "Reporting an error",
    ):
        assert heading in blocks, heading
    assert any(block.startswith("There are no named clinical reviewers yet.") for block in blocks)
