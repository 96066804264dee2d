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
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import PROJECT_DIR
from .bibliography import bibtex, guide_bibtex, guide_ris, ris
from .evidence import LEVELS, strength, verified_counts
from .model import GuideData, load_guide_and_raw
from .problems import DataError
from .references import COLLECTIONS
from .schemas import schema_dir
from .validate import DATA_FILES

SCHEMA_VERSION = "1.0"
CITATION_FILE = "CITATION.cff"
CFF_AUTHOR = "The guide's editors"  # an entity, not invented people: guide.yaml names no authors

FINDING_COLUMNS = (
    "id",
    "title",
    "direction",
    "kind",
    "theme",
    "also_themes",
    "statement",
    "action",
    "roles",
    "phases",
    "terms",
    "citations",
    "last_reviewed",
)
SOURCE_COLUMNS = (
    "key",
    "role",
    "type",
    "design",
    "authors",
    "authors_complete",
    "title",
    "container",
    "year",
    "volume",
    "issue",
    "pages",
    "article_number",
    "published",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "setting",
    "modality",
    "sample",
    "framework",
    "verification",
    "seen",
    "not_seen",
    "licence",
    "contribution",
    "unused_reason",
)
CHECKLIST_COLUMNS = (
    "id",
    "question",
    "tier",
    "phase",
    "theme",
    "roles",
    "findings",
    "help",
    "crosswalk",
    "citations",
    "last_reviewed",
)

# regulations.csv: one row per obligation, with its law's and jurisdiction's details first.
REGULATION_COLUMNS = (
    "jurisdiction",
    "instrument",
    "instrument_title",
    "identifier",
    "kind",
    "id",
    "title",
    "binds",
    "roles",
    "phases",
    "text",
    "advice",
    "citations",
    "last_reviewed",
)

MEDIA_JSON = "application/json"
MEDIA_CSV = "text/csv; charset=utf-8"
MEDIA_BIBTEX = "application/x-bibtex; charset=utf-8"
MEDIA_RIS = "application/x-research-info-systems; charset=utf-8"
MEDIA_SCHEMA = "application/schema+json"
MEDIA_TEXT = "text/plain; charset=utf-8"
MEDIA_YAML = "application/yaml"


@dataclass(frozen=True)
class DownloadFile:
    """One downloadable file: its name (a relative path), what it is, and its bytes."""

    name: str
    title: str
    description: str
    media_type: str
    content: bytes


# ------------------------------------------------------------------ loading


def load_validated(project_dir: Path) -> tuple[GuideData, dict[str, Any]]:
    """The typed model and the parsed YAML of every data file; raise :class:`DataError` on any problem."""
    return load_guide_and_raw(project_dir)


def records_of(raw: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The records of one collection file, as parsed from YAML."""
    return raw[name][COLLECTIONS[name][0]]


# ------------------------------------------------------------------ JSON


def finding_derived(finding_id: str, data: GuideData) -> dict[str, Any]:
    finding = data.finding[finding_id]
    level = strength(finding, data)
    studies, guidance = verified_counts(finding, data)
    return {
        "strength": level.id,
        "strength_label": level.label,
        "verified_studies": studies,
        "verified_guidance": guidance,
    }


def source_derived(key: str, data: GuideData) -> dict[str, Any]:
    return {"cited_by": list(data.citing_records[key])}


DERIVERS: dict[str, Callable[[str, GuideData], dict[str, Any]]] = {
    "findings": finding_derived,
    "sources": source_derived,
}


def _collection(name: str, data: GuideData, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    id_field = COLLECTIONS[name][1]
    derive = DERIVERS.get(name)
    result = []
    for record in records_of(raw, name):
        item = copy.deepcopy(record)
        if derive:
            item["derived"] = derive(record[id_field], data)
        result.append(item)
    return result


def guide_json(data: GuideData, raw: Mapping[str, Any]) -> dict[str, Any]:
    """All records as one document: ``guide`` (guide.yaml without its headline), ``headline``,
    one list per collection file under the file's name, and ``strength_levels`` (the rule behind
    ``derived.strength``). Computed values sit under ``derived`` in findings and sources only.
    """
    guide = copy.deepcopy(raw["guide"])
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "headline": guide.pop("headline"),
        "guide": guide,
        "strength_levels": [
            {"id": level.id, "label": level.label, "rule": level.rule, "meaning": level.meaning} for level in LEVELS
        ],
    }
    for name in DATA_FILES:
        if name in COLLECTIONS:
            document[name] = _collection(name, data, raw)
        elif name != "guide":
            document[name] = copy.deepcopy(raw[name])
    return document


def json_bytes(document: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, two-space indent, final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


# ------------------------------------------------------------------ CSV


def citation_text(citations: Iterable[Mapping[str, Any]]) -> str:
    """Citations flattened as 'KEY (section, mark)' joined with '; '."""
    return "; ".join(f"{item['source']} ({item['section']}, {item['mark']})" for item in citations)


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


def _columns(records: list[dict[str, Any]], known: tuple[str, ...]) -> list[str]:
    """The known columns, then any field the data holds that they miss (sorted), so nothing is dropped."""
    extra = sorted({key for record in records for key in record} - set(known))
    return [*known, *extra]


def csv_text(
    records: list[dict[str, Any]],
    known: tuple[str, ...],
    derived: tuple[str, Callable[[dict[str, Any]], str]] | None = None,
) -> str:
    """A CSV table with a header row, one row per record, '\\n' line endings."""
    columns = _columns(records, known)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*columns, derived[0]] if derived else columns)
    for record in records:
        row = [cell(column, record.get(column)) for column in columns]
        writer.writerow([*row, derived[1](record)] if derived else row)
    return buffer.getvalue()


def findings_csv(data: GuideData, raw: Mapping[str, Any]) -> str:
    """One row per finding, with the derived evidence strength in the last column."""
    return csv_text(
        records_of(raw, "findings"),
        FINDING_COLUMNS,
        ("derived_strength", lambda record: strength(data.finding[record["id"]], data).id),
    )


def sources_csv(data: GuideData, raw: Mapping[str, Any]) -> str:
    """One row per source, with the ids of the records citing it in the last column."""
    return csv_text(
        records_of(raw, "sources"),
        SOURCE_COLUMNS,
        ("derived_cited_by", lambda record: "; ".join(data.citing_records[record["key"]])),
    )


def checklist_csv(data: GuideData, raw: Mapping[str, Any]) -> str:
    """One row per checklist item."""
    return csv_text(records_of(raw, "checklists"), CHECKLIST_COLUMNS)


def obligation_rows(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every obligation of regulations.yaml as a flat record, led by its law's and jurisdiction's fields."""
    rows = []
    for instrument in raw["regulations"]["instruments"]:
        law = {
            "jurisdiction": instrument["jurisdiction"],
            "instrument": instrument["id"],
            "instrument_title": instrument["title"],
            "identifier": instrument["identifier"],
            "kind": instrument["kind"],
        }
        rows.extend({**law, **obligation} for obligation in instrument["obligations"])
    return rows


def regulations_csv(data: GuideData, raw: Mapping[str, Any]) -> str:
    """One row per legal obligation, with the law it belongs to."""
    return csv_text(obligation_rows(raw), REGULATION_COLUMNS)


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


def _data_files(data: GuideData, raw: Mapping[str, Any]) -> list[DownloadFile]:
    return [
        DownloadFile(
            "guide.json",
            "All data (JSON)",
            "Every record of the guide, keyed exactly as in the YAML data files; computed values "
            "(evidence strength, citing records) sit under 'derived'.",
            MEDIA_JSON,
            json_bytes(guide_json(data, raw)),
        ),
        _text_file(
            "findings.csv",
            "Findings (CSV)",
            "One row per finding; lists joined with '; ', citations as 'KEY (section, mark)'; "
            "last column: derived evidence strength.",
            MEDIA_CSV,
            findings_csv(data, raw),
        ),
        _text_file(
            "sources.csv",
            "Sources (CSV)",
            "One row per source with its bibliographic details and what was read of it; last column: "
            "ids of the records that cite it.",
            MEDIA_CSV,
            sources_csv(data, raw),
        ),
        _text_file(
            "checklist.csv",
            "Readiness checklist (CSV)",
            "One row per checklist item with its phase, tier, theme, roles, findings and crosswalks.",
            MEDIA_CSV,
            checklist_csv(data, raw),
        ),
        _text_file(
            "regulations.csv",
            "Law and regulation (CSV)",
            "One row per legal obligation, with its jurisdiction, law, official identifier, who must act, "
            "roles, phases and citations as 'KEY (section, mark)'.",
            MEDIA_CSV,
            regulations_csv(data, raw),
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


def _schema_files(project_dir: Path) -> list[DownloadFile]:
    return [
        DownloadFile(
            f"schemas/{path.name}",
            f"JSON Schema: {path.name}",
            f"The JSON Schema that checks data/{path.name.removesuffix('.schema.json')}.yaml."
            if path.name != "common.schema.json"
            else "Field types shared by the other schemas.",
            MEDIA_SCHEMA,
            path.read_bytes(),
        )
        for path in sorted(schema_dir(project_dir).glob("*.schema.json"))
    ]


def download_files(project_dir: Path, loaded: tuple[GuideData, dict[str, Any]] | None = None) -> list[DownloadFile]:
    """Every download, in a fixed order; raise :class:`DataError` when the data has problems.

    ``loaded`` is what :func:`load_validated` returned, for callers that have loaded the data already.
    """
    project_dir = Path(project_dir).resolve()
    data, raw = loaded or load_validated(project_dir)
    return [*_data_files(data, raw), *_citation_files(data), *_schema_files(project_dir)]


def write_downloads(
    project_dir: Path, out_dir: Path, loaded: tuple[GuideData, dict[str, Any]] | None = None
) -> list[Path]:
    """Write every download under ``out_dir`` and return the paths written."""
    written = []
    for item in download_files(project_dir, loaded):
        path = Path(out_dir) / item.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.content)
        written.append(path)
    return written


def write_citation(project_dir: Path) -> Path:
    """Rewrite the project's CITATION.cff from data/guide.yaml."""
    data, _ = load_validated(project_dir)
    path = Path(project_dir) / CITATION_FILE
    path.write_text(citation_cff(data), encoding="utf-8", newline="\n")
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
        if args.write_citation:
            print(f"wrote {write_citation(args.project)}")
        if args.out_dir is not None:
            for path in write_downloads(args.project, args.out_dir):
                print(f"{path}  {path.stat().st_size:,} bytes")
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
