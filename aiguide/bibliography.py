"""BibTeX and RIS records for every source and for the guide itself, built from the data only.

Nothing is invented: a field that the record does not hold (or marks as not seen) is left out.
Placeholder text such as "Title not seen (…)" or a container "Journal not seen" is moved to a
note instead of being passed off as a real title or journal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import GuideMeta, Source

STUDY_TYPES = ("review", "primary-study", "protocol")
JOURNAL_FIELDS = ("volume", "issue", "pages", "article_number", "doi", "pmid", "pmcid")
NAME_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
RIS_TYPES = {"article": "JOUR", "techreport": "RPRT", "misc": "GEN"}

_INITIALS = re.compile(r"^[A-Z](?:-?[A-Z])*$")
_ACRONYM = re.compile(r"\b[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b")
_PAGE_RANGE = re.compile(r"^\s*(\S+?)\s*[-–]+\s*(\S+)\s*$")
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


# ------------------------------------------------------------------ shared helpers


def one_line(text: str) -> str:
    """Collapse runs of whitespace (including line breaks) into single spaces."""
    return " ".join(text.split())


def is_unseen_text(text: str) -> bool:
    """True for placeholder text such as 'Not seen' or 'RSNA journal (name not seen)'."""
    return "not seen" in text.lower()


def container(source: Source) -> str:
    """The journal, publisher or issuer, or '' when the record says it was not seen."""
    return "" if is_unseen_text(source.container) else one_line(source.container)


def title(source: Source) -> str:
    """The title, or '' when the record marks it as not seen."""
    return "" if "title" in source.not_seen else one_line(source.title)


def is_corporate(author: str) -> bool:
    """An author that is an organisation or byline rather than 'Surname Initials'."""
    return split_name(author) is None


def split_name(author: str) -> tuple[str, str, str] | None:
    """('Surname', 'Initials', 'Suffix') for 'Surname Initials [Jr]', or None for any other name."""
    words = author.split()
    suffix = ""
    if len(words) >= 3 and words[-1] in NAME_SUFFIXES and _INITIALS.match(words[-2]):
        suffix = words.pop()
    if len(words) < 2 or not _INITIALS.match(words[-1]):
        return None
    return " ".join(words[:-1]), words[-1], suffix


def dotted_initials(initials: str) -> str:
    """'AH' -> 'A. H.', 'M-T' -> 'M.-T.'."""
    return " ".join(f"{letter}." for letter in initials).replace(". -. ", ".-")


def published_date(source: Source) -> tuple[int, int, int] | None:
    """(year, month, day) of publication, when it agrees with the record's year."""
    if not source.published or source.year is None:
        return None
    year, month, day = (int(part) for part in source.published.split("-"))
    return (year, month, day) if year == source.year else None


def page_range(pages: str) -> tuple[str, str]:
    """('first', 'last') of a page range, or (pages, '') when it is a single page."""
    match = _PAGE_RANGE.match(pages)
    return (match.group(1), match.group(2)) if match else (pages.strip(), "")


def has_journal_details(source: Source) -> bool:
    return any(getattr(source, name) for name in JOURNAL_FIELDS)


def issued_by_organisation(source: Source) -> bool:
    """True when the container is the issuer: it is an author, or every author is an organisation."""
    if not source.authors:
        return False
    return source.container in source.authors or all(is_corporate(author) for author in source.authors)


def entry_type(source: Source) -> str:
    """The BibTeX entry type: article, techreport or misc."""
    journal = container(source)
    if source.type == "news" or not journal:
        return "misc"
    if "preprint" not in journal.lower() and (source.type in STUDY_TYPES or has_journal_details(source)):
        return "article"
    if source.type == "guidance" and issued_by_organisation(source):
        return "techreport"
    return "misc"


def notes(source: Source) -> list[str]:
    """Placeholder texts that stand in for unseen citation elements, shown as notes."""
    found = []
    if "title" in source.not_seen:
        found.append(one_line(source.title))
    if is_unseen_text(source.container):
        found.append(f"Journal or issuer: {one_line(source.container)}")
    if not source.authors and not source.authors_complete:
        found.append("Authors not seen")
    return found


# ------------------------------------------------------------------ BibTeX


def bibtex_escape(text: str) -> str:
    """Escape the characters that BibTeX and LaTeX treat specially: & % $ # _ { } ~ ^ \\."""
    return _escape(one_line(text))


def _escape(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(char, char) for char in text)


def bibtex_title(text: str) -> str:
    """Escape a title and brace words with two or more capitals (AI, NASSS) so styles keep their case."""
    text = one_line(text)
    parts: list[str] = []
    last = 0
    for match in _ACRONYM.finditer(text):
        parts.extend((_escape(text[last : match.start()]), f"{{{match.group()}}}"))
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)


def bibtex_verbatim(text: str) -> str:
    """A URL or DOI as BibTeX keeps it verbatim; braces are percent-encoded so the entry stays balanced."""
    return text.strip().replace("{", "%7B").replace("}", "%7D")


def bibtex_name(author: str) -> str:
    """'Wenderott K' -> 'Wenderott, K.'; 'Kahn CE Jr' -> 'Kahn, Jr, C. E.'; organisations in braces."""
    parts = split_name(author)
    if parts is None:
        return f"{{{bibtex_escape(author)}}}"
    surname, initials, suffix = parts
    surname = bibtex_escape(surname)
    if " " in surname and surname[0].isupper():
        surname = f"{{{surname}}}"  # a compound surname such as 'Pinto de Santos' stays whole
    middle = f", {suffix}" if suffix else ""
    return f"{surname}{middle}, {dotted_initials(initials)}"


def bibtex_authors(source: Source) -> str:
    """Authors joined with ' and ', ending in 'and others' when the list is incomplete."""
    names = [bibtex_name(author) for author in source.authors]
    if names and not source.authors_complete:
        names.append("others")
    return " and ".join(names)


def _bibtex_pages(source: Source) -> list[tuple[str, str]]:
    if source.pages:
        first, last = page_range(source.pages)
        fields = [("pages", bibtex_escape(f"{first}--{last}" if last else first))]
        return [*fields, ("eid", bibtex_escape(source.article_number))] if source.article_number else fields
    return [("pages", bibtex_escape(source.article_number))] if source.article_number else []


def _bibtex_fields(source: Source, kind: str) -> list[tuple[str, str]]:
    container_field = {"article": "journal", "techreport": "institution"}.get(kind, "howpublished")
    date = published_date(source)
    fields = [
        ("author", bibtex_authors(source)),
        ("title", bibtex_title(title(source)) if title(source) else ""),
        (container_field, bibtex_escape(container(source))),
        ("year", str(source.year) if source.year is not None else ""),
        ("volume", bibtex_escape(source.volume)),
        ("number", bibtex_escape(source.issue)),
        *_bibtex_pages(source),
        ("doi", bibtex_verbatim(source.doi)),
        ("pmid", bibtex_escape(source.pmid)),
        ("pmcid", bibtex_escape(source.pmcid)),
        ("url", bibtex_verbatim(source.url)),
        ("note", bibtex_escape(". ".join(notes(source)))),
    ]
    if date:
        fields.insert(4, ("month", MONTHS[date[1] - 1]))
    return [(name, value) for name, value in fields if value]


def format_bibtex(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    """One entry; values in braces except month macros (jan … dec)."""
    lines = [f"@{kind}{{{key},"]
    for name, value in fields:
        shown = value if name == "month" else f"{{{value}}}"
        lines.append(f"  {name} = {shown},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def source_bibtex(source: Source) -> str:
    """The BibTeX entry of one source, keyed by its source key."""
    kind = entry_type(source)
    return format_bibtex(kind, source.key, _bibtex_fields(source, kind))


def bibtex(sources: Iterable[Source], header: str = "") -> str:
    """Entries for all sources, in the given order, after optional '%' comment lines."""
    comment = "".join(f"% {line}\n" for line in header.splitlines())
    entries = "\n".join(source_bibtex(source) for source in sources)
    return f"{comment}\n{entries}" if comment else entries


def guide_note(meta: GuideMeta) -> str:
    return (
        f"Version {meta.version}, released {meta.release_date}. "
        f"Licence: {meta.licence.title} ({meta.licence.id}), {meta.licence.url}"
    )


def guide_bibtex(meta: GuideMeta) -> str:
    """A @misc entry for the guide, keyed by the guide's id."""
    year, month, _ = (int(part) for part in meta.release_date.split("-"))
    fields = [
        ("title", bibtex_title(meta.title)),
        ("year", str(year)),
        ("month", MONTHS[month - 1]),
        ("version", bibtex_escape(meta.version)),
        ("note", bibtex_escape(guide_note(meta))),
    ]
    return format_bibtex("misc", meta.id, fields)


# ------------------------------------------------------------------ RIS


def ris_name(author: str) -> str:
    """'Wenderott K' -> 'Wenderott, K.'; 'Kahn CE Jr' -> 'Kahn, C. E., Jr'; organisations as written."""
    parts = split_name(author)
    if parts is None:
        return one_line(author)
    surname, initials, suffix = parts
    return f"{surname}, {dotted_initials(initials)}" + (f", {suffix}" if suffix else "")


def ris_type(source: Source) -> str:
    return "NEWS" if source.type == "news" else RIS_TYPES[entry_type(source)]


def _ris_pages(source: Source) -> list[tuple[str, str]]:
    if source.pages:
        first, last = page_range(source.pages)
        fields = [("SP", first), ("EP", last)]
        return [*fields, ("C7", source.article_number)] if source.article_number else fields
    return [("SP", source.article_number)]


def _ris_notes(source: Source) -> list[tuple[str, str]]:
    found = notes(source)
    if source.authors and not source.authors_complete:
        found.append("Author list incomplete")
    if source.pmcid:
        found.append(f"PMCID: {source.pmcid}")
    return [("N1", note) for note in found]


def _ris_fields(source: Source) -> list[tuple[str, str]]:
    date = published_date(source)
    container_tag = "PB" if entry_type(source) == "techreport" else "T2"
    return [
        ("TY", ris_type(source)),
        ("ID", source.key),
        *(("AU", ris_name(author)) for author in source.authors),
        ("TI", title(source)),
        (container_tag, container(source)),
        ("PY", str(source.year) if source.year is not None else ""),
        ("DA", f"{date[0]:04d}/{date[1]:02d}/{date[2]:02d}" if date else ""),
        ("VL", source.volume),
        ("IS", source.issue),
        *_ris_pages(source),
        ("DO", source.doi),
        ("AN", source.pmid),
        ("UR", source.url),
        *_ris_notes(source),
    ]


def format_ris(fields: Iterable[tuple[str, str]]) -> str:
    """'TAG  - value' lines (empty values left out), closed by 'ER  - '."""
    lines = [f"{tag}  - {one_line(value)}" for tag, value in fields if value and value.strip()]
    return "\n".join([*lines, "ER  - "]) + "\n"


def source_ris(source: Source) -> str:
    """The RIS record of one source; ID holds the source key and AN the PMID."""
    return format_ris(_ris_fields(source))


def ris(sources: Iterable[Source]) -> str:
    """RIS records for all sources, in the given order, separated by blank lines."""
    return "\n".join(source_ris(source) for source in sources)


def guide_ris(meta: GuideMeta) -> str:
    """A dataset record (TY DATA) for the guide; ET holds the version."""
    year, month, day = meta.release_date.split("-")
    return format_ris(
        [
            ("TY", "DATA"),
            ("ID", meta.id),
            ("TI", meta.title),
            ("PY", year),
            ("DA", f"{year}/{month}/{day}"),
            ("ET", meta.version),
            ("AB", meta.subtitle),
            ("N1", guide_note(meta)),
        ]
    )
