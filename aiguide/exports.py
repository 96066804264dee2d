"""Open-data and citation downloads: JSON, CSV, BibTeX, RIS, JSON Schemas, licence notice and CITATION.cff.

Records are exported from the validated, parsed YAML (not from the typed model), so every record in
``guide.json`` is exactly the YAML record once its ``derived`` key is removed. Output is
deterministic: the same data gives byte-identical files (sorted JSON keys, no timestamps).

Command line: ``python -m aiguide.exports OUT_DIR [--project DIR]`` writes every download;
``python -m aiguide.exports --write-citation`` rewrites the project's CITATION.cff.
"""

from __future__ import annotations

import argparse
import copy
import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import PROJECT_DIR, evidence
from .bibliography import bibtex, guide_bibtex, guide_ris, ris
from .fields import DATA_FILES
from .guide import Guide, load_guide
from .model import GuideData
from .problems import DataError
from .schemas import COMMON, EACH, SCHEMA_SUFFIX, Tokens

SCHEMA_VERSION = "2.0"  # 2.0: confidence (GRADE-CERQual) replaced the count-based strength label
CITATION_FILE = "CITATION.cff"
CFF_AUTHOR = "The guide's editors"  # an entity, not invented people: guide.yaml names no authors

MEDIA_JSON = "application/json"
MEDIA_CSV = "text/csv; charset=utf-8"
MEDIA_BIBTEX = "application/x-bibtex; charset=utf-8"
MEDIA_RIS = "application/x-research-info-systems; charset=utf-8"
MEDIA_SCHEMA = "application/schema+json"
MEDIA_TEXT = "text/plain; charset=utf-8"
MEDIA_YAML = "application/yaml"
MEDIA_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DownloadFile:
    """One downloadable file: its name (a relative path), what it is, and its bytes."""

    name: str
    title: str
    description: str
    media_type: str
    content: bytes


# ------------------------------------------------------------------ loading


def records_of(guide: Guide, name: str) -> list[dict[str, Any]]:
    """The records of one collection file, as parsed from YAML."""
    return guide.raw[name][guide.fields.collections[name].list_key]


# ------------------------------------------------------------------ JSON


def finding_derived(finding_id: str, data: GuideData) -> dict[str, Any]:
    """What the build derives for a finding: its confidence by the rule (None when not graded) and its inputs."""
    finding = data.finding[finding_id]
    grade = evidence.confidence(finding, data)
    facts = [(citation.source, citation.mark, citation.supports) for citation in finding.citations]
    return {
        "confidence": grade.level if grade else None,
        "confidence_by_rule": grade.derived if grade else None,
        "confidence_cap": grade.cap if grade else None,
        "levels_lowered": grade.steps if grade else None,
        "category": evidence.category(finding, data),
        "direct_studies": list(evidence.direct_studies(facts, data.source_types)),
    }


def confidence_rule(guide: Guide) -> dict[str, Any]:
    """The confidence rule's declarations (the method page renders the same ones), with the words readers see."""
    fields = guide.fields
    levels = "findings[].confidence.override.level"
    concern = "findings[].confidence.methodological_limitations.concern"
    level_labels, level_meanings = fields.labels("findings", levels), fields.meanings("findings", levels)
    kind_labels, kind_meanings = (
        fields.labels("findings", "findings[].kind"),
        fields.meanings("findings", "findings[].kind"),
    )
    concern_labels = fields.labels("findings", concern)
    return {
        "method": "GRADE-CERQual components judged by the editors, combined by a fixed rule; see the method page",
        "levels": [{"id": i, "label": level_labels[i], "meaning": level_meanings[i]} for i in evidence.LEVELS],
        "not_graded": [{"id": i, "label": kind_labels[i], "meaning": kind_meanings[i]} for i in evidence.UNGRADED],
        "components": [
            {
                "id": name,
                "title": info.node.schema.get("title", name),
                "description": info.node.schema.get("description", ""),
            }
            for name in evidence.COMPONENTS
            if (info := fields.field("findings", f"findings[].confidence.{name}")) is not None
        ],
        "start": evidence.LEVELS[0],
        "concerns": [
            {"id": i, "label": concern_labels[i], "levels_lowered_each": evidence.STEPS[i]} for i in evidence.CONCERNS
        ],
        "minor_concerns_together": {"at_least": evidence.MINORS_TOGETHER, "levels_lowered": evidence.MINORS_STEP},
        "floor": evidence.LEVELS[-1],
        "cap_without_direct_study": evidence.CAP_WITHOUT_DIRECT_STUDY,
        "direct_study": {
            "source_types": list(evidence.STUDY_TYPES),
            "mark": evidence.COUNTED_MARK,
            "supports": evidence.DIRECT,
        },
        "override": "replaces the rule's level, with a reason; must differ from it and may not exceed the cap",
        "checks": {
            "adequacy_at_least_by_direct_studies": dict(enumerate(evidence.ADEQUACY_FLOORS)),
            "relevance_at_least_without_direct_study": evidence.RELEVANCE_FLOOR_WITHOUT_DIRECT_STUDY,
            "relevance_at_least_when_indirect_outnumber_direct": evidence.RELEVANCE_FLOOR_MOSTLY_INDIRECT,
        },
    }


def source_derived(key: str, data: GuideData) -> dict[str, Any]:
    return {"cited_by": [record.id for record in data.citing_records[key]]}


DERIVERS: dict[str, Callable[[str, GuideData], dict[str, Any]]] = {
    "findings": finding_derived,
    "sources": source_derived,
}


def _collection(name: str, guide: Guide) -> list[dict[str, Any]]:
    id_field = guide.fields.collections[name].id_field
    derive = DERIVERS.get(name)
    data = guide.model
    result = []
    for record in records_of(guide, name):
        item = copy.deepcopy(record)
        if derive:
            item["derived"] = derive(record[id_field], data)
        result.append(item)
    return result


def guide_json(guide: Guide) -> dict[str, Any]:
    """All records as one document: ``guide`` (guide.yaml without its headline), ``headline``,
    one list per collection file under the file's name (any other list in that file under ``<file>_<key>``,
    e.g. ``vendor_questions_groups``), and ``confidence_rule`` (the rule behind ``derived.confidence``).
    Computed values sit under ``derived`` in findings and sources only.
    """
    meta = copy.deepcopy(guide.raw["guide"])
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "headline": meta.pop("headline"),
        "guide": meta,
        "confidence_rule": confidence_rule(guide),
    }
    for name in DATA_FILES:
        if name in guide.fields.collections:
            document[name] = _collection(name, guide)
            list_key = guide.fields.collections[name].list_key
            for key, value in guide.raw[name].items():  # a vocabulary kept beside the records (vendor groups)
                if key != list_key:
                    document[f"{name}_{key}"] = copy.deepcopy(value)
        elif name != "guide":
            document[name] = copy.deepcopy(guide.raw[name])
    return document


def json_bytes(document: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, two-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n").encode("utf-8")


# ------------------------------------------------------------------ CSV


def citation_text(citations: Iterable[Mapping[str, Any]]) -> str:
    """Citations flattened as 'KEY (section, mark, support)' joined with '; '."""
    return "; ".join(f"{item['source']} ({item['section']}, {item['mark']}, {item['supports']})" for item in citations)


def _comma_list(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def cell(column: str, value: Any) -> str:
    """One CSV cell: lists joined with '; ', mappings as 'name: a, b', booleans as true/false."""
    if value is None:
        return ""
    if column == "citations":
        return citation_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(cell(column, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_comma_list(items)}" for key, items in value.items())
    return str(value)


Derived = tuple[str, Callable[[dict[str, Any]], str]]


def csv_columns(guide: Guide, file: str, prefix: Tokens | None = None) -> tuple[str, ...]:
    """A record's fields in schema order, a group of fields (not a list) spread over one column per field inside it.

    ``confidence`` becomes ``confidence.adequacy.concern``, ``confidence.adequacy.reason`` …; lists and free
    mappings (citations, crosswalk) stay one column each. ``prefix`` is the path of the records (by default the
    file's record list).
    """
    if prefix is None:
        prefix = (guide.fields.collections[file].list_key, EACH)
    columns = []
    for info in guide.fields.by_file[file]:
        tokens = info.tokens
        if tokens[: len(prefix)] != prefix or len(tokens) == len(prefix) or EACH in tokens[len(prefix) :]:
            continue
        if "properties" in info.node.schema and guide.schemas.items_of(info.node) is None:
            continue  # spread over its own fields
        columns.append(".".join(tokens[len(prefix) :]))
    return tuple(columns)


def value_at(record: Mapping[str, Any], column: str) -> Any:
    """The value of a (dotted) column in a record, or None where any step is missing."""
    value: Any = record
    for key in column.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def csv_text(records: list[dict[str, Any]], columns: tuple[str, ...], derived: tuple[Derived, ...] = ()) -> str:
    """A CSV table with a header row (the record's fields in schema order), one row per record, '\\n' endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*columns, *(name for name, _ in derived)])
    for record in records:
        row = [cell(column.rsplit(".", 1)[-1], value_at(record, column)) for column in columns]
        writer.writerow([*row, *(compute(record) for _, compute in derived)])
    return buffer.getvalue()


def findings_csv(guide: Guide) -> str:
    """One row per finding, each confidence judgement in its own columns, the derived confidence in the last ones."""
    data = guide.model
    derived_of = functools.cache(lambda finding_id: finding_derived(finding_id, data))  # once per row, not per column

    def derived(name: str) -> Derived:
        def compute(record: dict[str, Any]) -> str:
            return cell(name, derived_of(record["id"])[name])

        return (f"derived_{name}", compute)

    names = ("confidence", "confidence_by_rule", "confidence_cap", "category", "direct_studies")
    return csv_text(records_of(guide, "findings"), csv_columns(guide, "findings"), tuple(map(derived, names)))


def sources_csv(guide: Guide) -> str:
    """One row per source, with the ids of the records citing it in the last column."""
    data = guide.model
    return csv_text(
        records_of(guide, "sources"),
        guide.fields.columns("sources"),
        (("derived_cited_by", lambda record: "; ".join(item.id for item in data.citing_records[record["key"]])),),
    )


def checklist_csv(guide: Guide) -> str:
    """One row per checklist item."""
    return csv_text(records_of(guide, "checklists"), guide.fields.columns("checklists"))


def regulations_csv(guide: Guide) -> str:
    """One row per legal obligation: its law's fields first (``law.id``, ``law.jurisdiction`` …), then its own."""
    collection = guide.fields.collections["regulations"]
    laws = (collection.list_key, EACH)
    law_columns = tuple(f"law.{name}" for name in csv_columns(guide, "regulations", laws) if name != collection.nested)
    rows = [
        {"law": law, **obligation} for law in records_of(guide, "regulations") for obligation in law[collection.nested]
    ]
    return csv_text(rows, (*law_columns, *csv_columns(guide, "regulations", (*laws, collection.nested, EACH))))


# ------------------------------------------------------------------ licence and citation


def licence_notice(data: GuideData) -> str:
    """A short plain-text licence notice for the content (not the full licence text)."""
    meta = data.meta
    licence = meta.licence
    lines = [
        meta.title,
        f"Version {meta.version}, released {meta.release_date}",
        "",
        "The guide's content (its data and pages) is licensed under the",
        f"{licence.title} licence ({licence.id}):",
        licence.url,
        "",
    ]
    if licence.id == "CC-BY-4.0":
        lines += [
            "You may share and adapt it for any purpose, including commercially, provided you give",
            "appropriate credit, link to the licence and say whether you made changes.",
            "",
        ]
    lines += [
        "How to cite:",
        " ".join(meta.how_to_cite.split()),
        "",
        "The publications the guide cites keep their own copyright and licences; this notice covers",
        "the guide's own text and data only.",
    ]
    return "\n".join(lines) + "\n"


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def citation_cff(data: GuideData) -> str:
    """The CITATION.cff (CFF 1.2.0) of the guide, from data/guide.yaml."""
    meta = data.meta
    lines = [
        "# Generated from data/guide.yaml; do not edit by hand.",
        "# Regenerate with: python -m aiguide.exports --write-citation",
        "cff-version: 1.2.0",
        'message: "If you use this guide or its data, please cite it using these metadata."',
        "type: dataset",
        f"title: {_yaml_text(meta.title)}",
    ]
    if meta.subtitle:
        lines.append(f"abstract: {_yaml_text(meta.subtitle)}")
    lines += [
        "authors:",
        f"  - name: {_yaml_text(CFF_AUTHOR)}",
        f"version: {_yaml_text(meta.version)}",
        f"date-released: {_yaml_text(meta.release_date)}",
        f"license: {_yaml_text(meta.licence.id)}",
    ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ downloads


def _text_file(name: str, title: str, description: str, media_type: str, text: str) -> DownloadFile:
    return DownloadFile(name, title, description, media_type, text.encode("utf-8"))


def _data_files(guide: Guide) -> list[DownloadFile]:
    return [
        DownloadFile(
            "guide.json",
            "All data (JSON)",
            "Every record of the guide, keyed exactly as in the YAML data files; computed values "
            "(each finding's confidence and the rule behind it, citing records) sit under 'derived'.",
            MEDIA_JSON,
            json_bytes(guide_json(guide)),
        ),
        _text_file(
            "findings.csv",
            "Findings (CSV)",
            "One row per finding; lists joined with '; ', citations as 'KEY (section, mark, support)', "
            "one column per confidence judgement; last columns: the confidence the build derives.",
            MEDIA_CSV,
            findings_csv(guide),
        ),
        _text_file(
            "sources.csv",
            "Sources (CSV)",
            "One row per source with its bibliographic details and what was read of it; last column: "
            "ids of the records that cite it.",
            MEDIA_CSV,
            sources_csv(guide),
        ),
        _text_file(
            "checklist.csv",
            "Readiness checklist (CSV)",
            "One row per checklist item with its phase, tier, theme, roles, findings and matching published guidance.",
            MEDIA_CSV,
            checklist_csv(guide),
        ),
        _text_file(
            "regulations.csv",
            "Law and regulation (CSV)",
            "One row per legal obligation: its law (jurisdiction, official identifier, kind, who must act) first, "
            "then the obligation with who must act, roles, steps and citations.",
            MEDIA_CSV,
            regulations_csv(guide),
        ),
        *_tender_files(guide.model),
    ]


def _tender_files(data: GuideData) -> list[DownloadFile]:
    """The tender pack built from the questions for suppliers (see aiguide.tender)."""
    from .tender import CSV_NAME, XLSX_NAME, tender_csv, tender_workbook

    return [
        DownloadFile(
            XLSX_NAME,
            "Questions for suppliers: tender workbook (XLSX)",
            "One sheet per group of questions, with why each matters, what a good answer looks like and the red "
            "flags, plus empty columns for the supplier's answer, the evidence attached, a score chosen from a "
            "drop-down list, and notes. Set up to print landscape, one page wide.",
            MEDIA_XLSX,
            tender_workbook(data),
        ),
        _text_file(
            CSV_NAME,
            "Questions for suppliers (CSV)",
            "Every question for suppliers with its group, tier, owners, steps and what it rests on, and the same "
            "empty answer columns; UTF-8 with a byte-order mark so that spreadsheet programs show every character.",
            MEDIA_CSV,
            tender_csv(data),
        ),
    ]


def _citation_files(data: GuideData) -> list[DownloadFile]:
    meta = data.meta
    header = f"Sources cited in: {meta.title}\nVersion {meta.version}, released {meta.release_date}."
    return [
        _text_file(
            "sources.bib",
            "Sources (BibTeX)",
            "Every source, keyed by its source key.",
            MEDIA_BIBTEX,
            bibtex(data.sources, header),
        ),
        _text_file(
            "sources.ris",
            "Sources (RIS)",
            "Every source for reference managers; ID holds the source key, AN the PubMed id.",
            MEDIA_RIS,
            ris(data.sources),
        ),
        _text_file("guide.bib", "The guide (BibTeX)", "How to cite the guide.", MEDIA_BIBTEX, guide_bibtex(meta)),
        _text_file("guide.ris", "The guide (RIS)", "How to cite the guide.", MEDIA_RIS, guide_ris(meta)),
        _text_file(CITATION_FILE, "The guide (CFF)", "Citation File Format 1.2.0.", MEDIA_YAML, citation_cff(data)),
        _text_file(
            "LICENSE.txt",
            "Licence notice",
            f"The content's licence: {meta.licence.title}.",
            MEDIA_TEXT,
            licence_notice(data),
        ),
    ]


def _schema_files(guide: Guide) -> list[DownloadFile]:
    return [
        DownloadFile(
            f"schemas/{name}",
            f"JSON Schema: {name}",
            f"The JSON Schema that checks data/{name.removesuffix(SCHEMA_SUFFIX)}.yaml."
            if name != COMMON
            else "Field types shared by the other schemas.",
            MEDIA_SCHEMA,
            content,
        )
        for name, content in sorted(guide.schemas.contents.items())
    ]


def download_files(guide: Guide) -> list[DownloadFile]:
    """Every download, in a fixed order, made once per loaded guide (the downloads page states their sizes, the
    build writes them); raise :class:`DataError` when the data has problems."""
    if "downloads" not in guide.memo:
        data = guide.model
        guide.memo["downloads"] = [*_data_files(guide), *_citation_files(data), *_schema_files(guide)]
    return list(guide.memo["downloads"])


def write_downloads(guide: Guide, out_dir: Path) -> list[Path]:
    """Write every download under ``out_dir`` and return the paths written."""
    written = []
    for item in download_files(guide):
        path = Path(out_dir) / item.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.content)
        written.append(path)
    return written


def write_citation(guide: Guide) -> Path:
    """Rewrite the project's CITATION.cff from data/guide.yaml."""
    path = guide.project_dir / CITATION_FILE
    path.write_text(citation_cff(guide.model), encoding="utf-8", newline="\n")
    return path


# ------------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide.exports", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="folder to write the downloads into")
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help="project folder (default: this checkout)")
    parser.add_argument("--write-citation", action="store_true", help="rewrite CITATION.cff in the project folder")
    args = parser.parse_args(argv)
    if args.out_dir is None and not args.write_citation:
        parser.error("give OUT_DIR, --write-citation, or both")
    try:
        guide = load_guide(args.project).require_ok()
        if args.write_citation:
            print(f"wrote {write_citation(guide)}")
        if args.out_dir is not None:
            for path in write_downloads(guide, args.out_dir):
                print(f"{path}  {path.stat().st_size:,} bytes")
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
