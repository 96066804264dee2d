"""The tender pack: the questions for suppliers as a workbook (one sheet per group) and as a CSV.

Both are built from the typed model at build time and listed on the downloads page. The page
"Questions for suppliers" embeds the same rows (:func:`tender_rows`) so that a reader's own
selection, downloaded in the browser, has exactly the columns and text of the published CSV.

The workbook is written with XlsxWriter in memory. Its bytes depend only on the data: the
document's created date is the guide's release date, and XlsxWriter stamps every zip entry with
the fixed date 1980-01-01 when it works in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import GuideData, VendorQuestion
from .render import plain

CSV_NAME = "vendor-questions.csv"
XLSX_NAME = "vendor-questions.xlsx"
SELECTION_NAME = "vendor-questions-selected.csv"

# The scale offered by the score column's drop-down list, and explained on the first sheet.
SCORES = ("2 - meets", "1 - partly meets", "0 - does not meet", "not applicable")
SCORE_MEANINGS = (
    "The answer meets what a good answer looks like, with evidence attached.",
    "The answer meets it in part, or without evidence.",
    "No answer, or an answer that raises one of the red flags.",
    "The question does not apply to this tender.",
)

# (heading, width in characters) of the workbook's question sheets, left to right.
SHEET_COLUMNS = (
    ("ID", 7),
    ("Question", 48),
    ("Why it matters", 42),
    ("What a good answer looks like", 42),
    ("Red flags", 42),
    ("Supplier's answer", 42),
    ("Evidence attached", 24),
    ("Score", 17),
    ("Notes", 30),
)
# The CSV: the same columns, with the question's group, tier, owners, steps and basis added.
CSV_COLUMNS = (
    "ID",
    "Group",
    "Question",
    "Why it matters",
    "What a good answer looks like",
    "Red flags",
    "Tier",
    "Who asks",
    "When",
    "Based on",
    "Supplier's answer",
    "Evidence attached",
    "Score",
    "Notes",
)
ANSWER_COLUMNS = ("Supplier's answer", "Evidence attached", "Score", "Notes")  # left empty for the buyer
OWN_ADVICE = "the guide's own advice"
ABOUT_SHEET = "About this pack"
SHEET_NAME_LIMIT = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ gets a quote mark in front."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def based_on(question: VendorQuestion) -> str:
    """What the question rests on, in one line: findings, then citations, then the advice note."""
    parts = [*question.findings]
    parts += [f"{citation.source} ({citation.section}, {citation.mark})" for citation in question.citations]
    if question.practice_advice:
        parts.append(OWN_ADVICE)
    return "; ".join(parts)


def tender_row(question: VendorQuestion, data: GuideData) -> dict[str, str]:
    """One question as the CSV shows it: plain text, lists joined with '; ', answer columns empty."""
    row = {
        "ID": question.id,
        "Group": data.vendor_group[question.group].title,
        "Question": plain(question.question),
        "Why it matters": plain(question.why),
        "What a good answer looks like": plain(question.good_answer),
        "Red flags": "; ".join(plain(flag) for flag in question.red_flags),
        "Tier": question.tier,
        "Who asks": "; ".join(data.role[role].title for role in question.roles),
        "When": "; ".join(data.phase[phase].title for phase in question.phases),
        "Based on": based_on(question),
    }
    return row | dict.fromkeys(ANSWER_COLUMNS, "")


def tender_rows(data: GuideData) -> list[dict[str, str]]:
    """Every question in page order: group by group, file order within a group."""
    return [
        tender_row(question, data) for group in data.vendor_groups for question in data.questions_in_group(group.id)
    ]


def csv_text(rows: Iterable[dict[str, str]]) -> str:
    """CSV for spreadsheets: a byte-order mark, a header row, CRLF line ends, formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[column]) for column in CSV_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def tender_csv(data: GuideData) -> str:
    return csv_text(tender_rows(data))


# ------------------------------------------------------------------ workbook


def sheet_names(titles: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, distinct sheet names for ``titles``: forbidden characters dropped, cut to 31, numbered if repeated."""
    used = {name.lower() for name in taken}
    names = []
    for title in titles:
        base = _SHEET_FORBIDDEN.sub("", title).strip(" '")[:SHEET_NAME_LIMIT].strip(" '") or "Questions"
        name, number = base, 2
        while name.lower() in used:
            suffix = f" ({number})"
            name, number = base[: SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix, number + 1
        used.add(name.lower())
        names.append(name)
    return names


@dataclass(frozen=True)
class _Formats:
    header: object
    text: object
    answer: object
    title: object
    bold: object


def _formats(workbook) -> _Formats:
    wrap = {"text_wrap": True, "valign": "top", "font_size": 10}
    return _Formats(
        header=workbook.add_format({**wrap, "bold": True, "bg_color": "#DDE3F0", "border": 1}),
        text=workbook.add_format({**wrap, "border": 1}),
        answer=workbook.add_format({**wrap, "border": 1, "bg_color": "#FFF8E1"}),
        title=workbook.add_format({"bold": True, "font_size": 14}),
        bold=workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
    )


def _print_setup(sheet, footer: str) -> None:
    """Landscape A4, one page wide, header row on every page, gridlines printed, page numbers in the footer."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.hide_gridlines(0)
    sheet.set_footer(f"&L{_footer_text(footer)}&RPage &P of &N")


def _footer_text(text: str) -> str:
    """Footer text with '&' doubled (Excel reads a single '&' as a control code), kept short."""
    return text.replace("&", "&&")[:200]


def _question_sheet(sheet, questions: list[VendorQuestion], formats: _Formats, footer: str) -> None:
    for column, (heading, width) in enumerate(SHEET_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, heading, formats.header)
    for row, question in enumerate(questions, start=1):
        cells = (
            question.id,
            plain(question.question),
            plain(question.why),
            plain(question.good_answer),
            "\n".join(f"• {plain(flag)}" for flag in question.red_flags),
        )
        for column, value in enumerate(cells):
            sheet.write_string(row, column, value, formats.text)
        for column in range(len(cells), len(SHEET_COLUMNS)):
            sheet.write_blank(row, column, None, formats.answer)
    last = len(questions)
    score = next(index for index, (heading, _) in enumerate(SHEET_COLUMNS) if heading == "Score")
    sheet.data_validation(
        1,
        score,
        max(last, 1),
        score,
        {
            "validate": "list",
            "source": list(SCORES),
            "input_title": "Score",
            "input_message": "Pick a score from the list (see the sheet About this pack).",
            "error_title": "Score",
            "error_message": "Choose one of the scores in the list.",
        },
    )
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last, len(SHEET_COLUMNS) - 1)
    _print_setup(sheet, footer)


def _about_sheet(sheet, data: GuideData, groups: list[tuple[str, str, int]], formats: _Formats, footer: str) -> None:
    meta = data.meta
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 100)
    lines: list[tuple[str, str]] = [
        ("Guide", meta.title),
        ("Version", f"{meta.version}, released {meta.release_date}"),
        ("Licence", f"{meta.licence.title} ({meta.licence.url})"),
        ("How to cite", " ".join(meta.how_to_cite.split())),
        (
            "How to use this pack",
            "Each following sheet holds the questions of one group. Send the sheets to the supplier, who fills in "
            "the yellow columns (their answer and the evidence attached); the buying team then scores each answer "
            "with the drop-down list and notes why. Delete the questions that do not apply before sending.",
        ),
    ]
    lines += [(f"Score: {score}", meaning) for score, meaning in zip(SCORES, SCORE_MEANINGS, strict=True)]
    lines += [(f"Sheet: {name}", f"{title} ({count} questions)") for name, title, count in groups]
    sheet.write_string(0, 0, ABOUT_SHEET, formats.header)
    sheet.write_string(0, 1, meta.title, formats.header)
    for row, (label, text) in enumerate(lines, start=1):
        sheet.write_string(row, 0, label, formats.bold)
        sheet.write_string(row, 1, text, formats.text)
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, footer)


def release_datetime(release_date: str) -> dt.datetime:
    day = dt.date.fromisoformat(release_date)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def tender_workbook(data: GuideData) -> bytes:
    """The tender workbook: an introduction sheet, then one sheet per group of questions."""
    import xlsxwriter  # only builds that write the downloads need it

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    meta = data.meta
    workbook.set_properties(
        {
            "title": f"Questions for suppliers: {meta.title}",
            "subject": "Tender pack for an imaging AI tool",
            "author": "The guide's editors",
            "comments": f"Version {meta.version}; generated from data/vendor_questions.yaml",
            "created": release_datetime(meta.release_date),
        }
    )
    formats = _formats(workbook)
    footer = f"{meta.title}, version {meta.version}"
    names = sheet_names((group.title for group in data.vendor_groups), taken=(ABOUT_SHEET,))
    groups = [
        (name, group.title, len(data.questions_in_group(group.id)))
        for name, group in zip(names, data.vendor_groups, strict=True)
    ]
    _about_sheet(workbook.add_worksheet(ABOUT_SHEET), data, groups, formats, footer)
    for name, group in zip(names, data.vendor_groups, strict=True):
        _question_sheet(workbook.add_worksheet(name), list(data.questions_in_group(group.id)), formats, footer)
    workbook.close()
    return buffer.getvalue()


def selection_config(data: GuideData) -> dict[str, object]:
    """What the page's script needs to build a CSV of the reader's ticked questions (embedded as JSON)."""
    return {
        "schema": 1,
        "file": SELECTION_NAME,
        "columns": list(CSV_COLUMNS),
        "rows": {row["ID"]: [row[column] for column in CSV_COLUMNS] for row in tender_rows(data)},
    }
