"""The PDF's bookmarks with the words of their headings, spaces included.

Chromium makes a bookmark of every heading, but joins the lines of a heading that
wraps without a space ("routine medicalimaging"). This module gives each such
bookmark the heading's own text, matched by its letters, and appends the changed
bookmarks to the PDF as an incremental update (the standard way to amend a PDF:
the original bytes stay as they are, followed by the new versions of the changed
objects and a cross-reference section for them), which is far quicker than
writing the whole document again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, NameObject, NumberObject, TextStringObject

_SPACE = re.compile(r"\s+")


def _squeezed(text: str) -> str:
    return _SPACE.sub("", text)


def _bookmarks(reader: PdfReader) -> Iterator[tuple[IndirectObject, DictionaryObject]]:
    """Every bookmark in document order, with its object reference."""
    outlines = reader.trailer["/Root"].get("/Outlines")
    stack = [outlines.get_object().raw_get("/First")] if outlines and "/First" in outlines.get_object() else []
    while stack:
        reference = stack.pop()
        item = reference.get_object()
        yield reference, item
        if "/Next" in item:
            stack.append(item.raw_get("/Next"))
        if "/First" in item:
            stack.append(item.raw_get("/First"))


def corrected_titles(reader: PdfReader, headings: list[str]) -> dict[IndirectObject, DictionaryObject]:
    """The bookmarks whose title lost spaces, each with the text of its heading as title.

    ``headings`` are the document's heading texts in document order; a bookmark is matched to the next heading
    whose letters are its letters (headings that print nothing have no bookmark and are passed over).
    """
    changed: dict[IndirectObject, DictionaryObject] = {}
    position = 0
    for reference, item in _bookmarks(reader):
        title = str(item.get("/Title", ""))
        for index in range(position, len(headings)):
            if _squeezed(headings[index]) == _squeezed(title):
                position = index + 1
                if headings[index] != title:
                    item[NameObject("/Title")] = TextStringObject(headings[index])
                    changed[reference] = item
                break
    return changed


def with_heading_titles(pdf: bytes, headings: list[str], reader: PdfReader | None = None) -> bytes:
    """``pdf`` with its bookmarks titled as their headings (unchanged when nothing needs correcting).

    ``reader`` may be a reader of ``pdf`` that is already open.
    """
    reader = reader or PdfReader(io.BytesIO(pdf))
    start = pdf.rfind(b"startxref")
    if start < 0 or b"trailer" not in pdf[start - 4096 : start]:
        return pdf  # a cross-reference stream, not a table: leave the titles as Chromium wrote them
    changed = corrected_titles(reader, headings)
    if not changed:
        return pdf
    previous = int(pdf[start + len(b"startxref") :].split()[0])
    update = io.BytesIO()
    update.write(b"\n")
    offsets: list[tuple[int, int, int]] = []
    for reference, item in sorted(changed.items(), key=lambda entry: entry[0].idnum):
        offsets.append((reference.idnum, reference.generation, len(pdf) + update.tell()))
        update.write(f"{reference.idnum} {reference.generation} obj\n".encode())
        item.write_to_stream(update)
        update.write(b"\nendobj\n")
    table = len(pdf) + update.tell()
    update.write(b"xref\n")
    for number, generation, offset in offsets:
        update.write(f"{number} 1\n{offset:010d} {generation:05d} n \n".encode())
    trailer = DictionaryObject({NameObject("/Prev"): NumberObject(previous)})
    for key in ("/Size", "/Root", "/Info", "/ID"):
        if key in reader.trailer:
            trailer[NameObject(key)] = reader.trailer.raw_get(key)
    update.write(b"trailer\n")
    trailer.write_to_stream(update)
    update.write(f"\nstartxref\n{table}\n%%EOF\n".encode())
    return pdf + update.getvalue()
