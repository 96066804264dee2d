"""Open-data and citation downloads: faithful to the YAML, parseable, deterministic, and written by the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiguide import evidence
from aiguide.bibliography import bibtex_escape, bibtex_name, ris_name, source_bibtex
from aiguide.exports import (
    CITATION_FILE,
    SCHEMA_VERSION,
    DownloadFile,
    citation_cff,
    download_files,
    main,
)
from aiguide.fields import DATA_FILES
from aiguide.guide import data_file, load_guide
from aiguide.loader import load_text
from aiguide.model import GuideData

PROJECT_DIR = Path(__file__).resolve().parent.parent
CSV_FILES = (("findings.csv", "findings"), ("sources.csv", "sources"), ("checklist.csv", "checklists"))
LOADED = load_guide(PROJECT_DIR)
COLLECTIONS = {name: (item.list_key, item.id_field) for name, item in LOADED.fields.collections.items()}


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def downloads() -> dict[str, DownloadFile]:
    return {item.name: item for item in download_files(LOADED)}


@pytest.fixture(scope="module")
def exported(downloads: dict[str, DownloadFile]) -> dict[str, Any]:
    return json.loads(downloads["guide.json"].content.decode("utf-8"))


def text_of(downloads: dict[str, DownloadFile], name: str) -> str:
    return downloads[name].content.decode("utf-8")


def yaml_file(name: str) -> Any:
    """A data file's values as the guide reads YAML (1.2 core rules), parsed afresh from its text."""
    loaded, problems = load_text(data_file(PROJECT_DIR, name).read_text(encoding="utf-8"), f"data/{name}.yaml")
    assert loaded is not None and not problems
    return loaded.data


def without_derived(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in record.items() if key != "derived"} for record in records]


def matching_brace(text: str, start: int) -> int:
    """Index of the brace closing the one at ``start``; backslash-escaped braces do not count."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise AssertionError(f"unbalanced braces after position {start}")


def skip_separators(text: str, index: int) -> int:
    while index < len(text) and (text[index].isspace() or text[index] == ","):
        index += 1
    return index


def bibtex_fields(body: str) -> dict[str, str]:
    """Fields of one entry body: ``name = {braced}``, ``name = "quoted"`` or ``name = bare``."""
    fields: dict[str, str] = {}
    index = skip_separators(body, 0)
    while index < len(body):
        equals = body.index("=", index)
        name = body[index:equals].strip().lower()
        index = equals + 1
        while body[index].isspace():
            index += 1
        if body[index] == "{":
            end = matching_brace(body, index)
            value, index = body[index + 1 : end], end + 1
        elif body[index] == '"':
            end = body.index('"', index + 1)
            value, index = body[index + 1 : end], end + 1
        else:
            end = body.find(",", index)
            end = len(body) if end == -1 else end
            value, index = body[index:end].strip(), end
        assert name not in fields, f"field {name!r} given twice"
        fields[name] = value
        index = skip_separators(body, index)
    return fields


def bibtex_names(value: str) -> list[str]:
    """Split an author field on ' and ' outside braces, as BibTeX does ('{A and B}' is one name)."""
    names, depth, start = [], 0, 0
    for index, char in enumerate(value):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value.startswith(" and ", index):
            names.append(value[start:index])
            start = index + len(" and ")
    return [*names, value[start:]]


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(entry type, key, fields) of every ``@type{key, …}`` entry; text outside entries is ignored."""
    entries = []
    position = 0
    while (start := text.find("@", position)) != -1:
        open_brace = text.index("{", start)
        close_brace = matching_brace(text, open_brace)
        key, _, rest = text[open_brace + 1 : close_brace].partition(",")
        entries.append((text[start + 1 : open_brace].strip().lower(), key.strip(), bibtex_fields(rest)))
        position = close_brace + 1
    return entries


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """Records split on 'ER  -', each a mapping of tag to its values in order."""
    records = []
    for chunk in text.split("ER  -"):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        record: dict[str, list[str]] = defaultdict(list)
        for line in lines:
            tag, separator, value = line.partition("  - ")
            assert separator and re.fullmatch(r"[A-Z][A-Z0-9]", tag), f"not a RIS line: {line!r}"
            record[tag].append(value)
        records.append(record)
    return records


# ------------------------------------------------------------------ guide.json


def test_guide_json_records_equal_the_yaml_records_once_derived_is_removed(exported: dict[str, Any]) -> None:
    assert exported["schema_version"] == SCHEMA_VERSION
    for name in DATA_FILES:
        expected = yaml_file(name)
        if name == "guide":
            assert {**exported["guide"], "headline": exported["headline"]} == expected
        elif name in COLLECTIONS:
            list_key = COLLECTIONS[name][0]
            others = {key: exported[f"{name}_{key}"] for key in expected if key != list_key}
            assert {list_key: without_derived(exported[name]), **others} == expected, name
        else:
            assert exported[name] == expected, name


def test_guide_json_keeps_derived_values_only_under_derived(exported: dict[str, Any]) -> None:
    for name in COLLECTIONS:
        with_derived = [record for record in exported[name] if "derived" in record]
        assert len(with_derived) == (len(exported[name]) if name in ("findings", "sources") else 0), name


def test_guide_json_derived_confidence_follows_the_published_rule(exported: dict[str, Any], guide: GuideData) -> None:
    assert exported["confidence_rule"], "the rule behind derived.confidence travels with the data"
    for record in exported["findings"]:
        grade = evidence.confidence(guide.finding[record["id"]], guide)
        if record["kind"] == "observed":
            assert record["derived"]["confidence"] == grade.level
            assert record["derived"]["confidence_by_rule"] == grade.derived
        else:
            assert grade is None and record["derived"]["confidence"] is None
            assert record["derived"]["category"] == record["kind"]


def test_guide_json_lists_the_records_citing_each_source(exported: dict[str, Any], guide: GuideData) -> None:
    for record in exported["sources"]:
        assert record["derived"]["cited_by"] == [item.id for item in guide.citing_records[record["key"]]]


# ------------------------------------------------------------------ CSV


@pytest.mark.parametrize(("file_name", "collection"), CSV_FILES)
def test_csv_has_one_row_per_record_with_matching_ids(
    downloads: dict[str, DownloadFile], file_name: str, collection: str
) -> None:
    content = downloads[file_name].content
    assert b"\r" not in content and content.endswith(b"\n")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))
    list_key, id_field = COLLECTIONS[collection]
    records = yaml_file(collection)[list_key]
    assert [row[id_field] for row in rows] == [record[id_field] for record in records]
    header = set(rows[0])
    covered = header | {column.split(".")[0] for column in header}  # nested judgements get dotted columns
    assert all(set(record) <= covered for record in records), "a YAML field has no column"


def test_findings_csv_flattens_lists_and_citations_and_adds_confidence(
    downloads: dict[str, DownloadFile], guide: GuideData
) -> None:
    rows = list(csv.DictReader(io.StringIO(text_of(downloads, "findings.csv"), newline="")))
    assert "derived_confidence" in rows[0]
    for row, finding in zip(rows, guide.findings, strict=True):
        assert row["roles"] == "; ".join(finding.roles)
        assert row["citations"] == "; ".join(
            f"{c.source} ({c.section}, {c.mark}, {c.supports})" for c in finding.citations
        )
        grade = evidence.confidence(finding, guide)
        assert row["derived_confidence"] == (grade.level if grade else "")
        if finding.confidence is not None:
            assert row["confidence.adequacy.concern"] == finding.confidence.adequacy.concern


def test_checklist_csv_flattens_crosswalks(downloads: dict[str, DownloadFile], guide: GuideData) -> None:
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text_of(downloads, "checklist.csv"), newline=""))}
    item = next(item for item in guide.items if item.crosswalk)
    expected = "; ".join(f"{name}: {', '.join(ids)}" for name, ids in item.crosswalk.items())
    assert rows[item.id]["crosswalk"] == expected


# ------------------------------------------------------------------ BibTeX


def test_sources_bib_holds_every_source_key_once_with_its_doi(
    downloads: dict[str, DownloadFile], guide: GuideData
) -> None:
    entries = parse_bibtex(text_of(downloads, "sources.bib"))
    keys = [key for _, key, _ in entries]
    assert sorted(keys) == sorted(source.key for source in guide.sources)
    assert len(keys) == len(set(keys))
    fields = {key: entry_fields for _, key, entry_fields in entries}
    for source in guide.sources:
        assert fields[source.key].get("doi", "") == source.doi, source.key
        assert fields[source.key].get("pmid", "") == source.pmid, source.key
        assert fields[source.key].get("year", "") == (str(source.year) if source.year else ""), source.key


def test_sources_bib_uses_article_only_for_journal_records(downloads: dict[str, DownloadFile]) -> None:
    kinds = {key: kind for kind, key, _ in parse_bibtex(text_of(downloads, "sources.bib"))}
    assert kinds["STROHM2020"] == "article"
    assert kinds["HEOR2025"] == "misc"  # news
    assert kinds["NHSX2020"] == "techreport"  # guidance issued by an organisation
    assert kinds["SUPP-ICH-ACCEPT"] == "misc"  # journal not seen


def test_sources_bib_leaves_out_what_was_not_seen(downloads: dict[str, DownloadFile], guide: GuideData) -> None:
    fields = {key: entry_fields for _, key, entry_fields in parse_bibtex(text_of(downloads, "sources.bib"))}
    for source in guide.sources:
        entry = fields[source.key]
        if "title" in source.not_seen:
            assert "title" not in entry and bibtex_escape(source.title) in entry["note"]
        if not source.authors:
            assert "author" not in entry
        elif not source.authors_complete:
            assert bibtex_names(entry["author"])[-1] == "others"
        else:
            assert len(bibtex_names(entry["author"])) == len(source.authors), source.key
        for name in ("journal", "howpublished", "institution"):
            assert "not seen" not in entry.get(name, "").lower(), source.key


def test_bibtex_escapes_special_characters() -> None:
    assert bibtex_escape("R&D 50% $5 #1 a_b {x} ~y ^z c\\d") == (
        r"R\&D 50\% \$5 \#1 a\_b \{x\} \textasciitilde{}y \textasciicircum{}z c\textbackslash{}d"
    )


def test_bibtex_entry_with_special_characters_still_parses(guide: GuideData) -> None:
    source = replace(guide.source["STROHM2020"], title="Costs & gains: 50% of {x} for #1_x ~ ^ \\ end")
    [(_, key, fields)] = parse_bibtex(source_bibtex(source))
    assert key == "STROHM2020"
    expected = r"Costs \& gains: 50\% of \{x\} for \#1\_x \textasciitilde{} \textasciicircum{} \textbackslash{} end"
    assert fields["title"] == expected


@pytest.mark.parametrize(
    ("author", "bibtex", "ris"),
    [
        ("Wooldridge AR", "Wooldridge, A. R.", "Wooldridge, A. R."),
        ("Pugliese M-T", "Pugliese, M.-T.", "Pugliese, M.-T."),
        ("van der Vegt AH", "van der Vegt, A. H.", "van der Vegt, A. H."),
        ("Pinto de Santos D", "{Pinto de Santos}, D.", "Pinto de Santos, D."),
        ("Kahn CE Jr", "Kahn, Jr, C. E.", "Kahn, C. E., Jr"),
        ("NHSX (NHS AI Lab)", "{NHSX (NHS AI Lab)}", "NHSX (NHS AI Lab)"),
        ("HEOR Staff Writer", "{HEOR Staff Writer}", "HEOR Staff Writer"),
    ],
)
def test_author_names_become_surname_comma_initials(author: str, bibtex: str, ris: str) -> None:
    assert bibtex_name(author) == bibtex
    assert ris_name(author) == ris


def test_guide_bib_is_keyed_by_the_guide_id(downloads: dict[str, DownloadFile], guide: GuideData) -> None:
    [(kind, key, fields)] = parse_bibtex(text_of(downloads, "guide.bib"))
    assert (kind, key) == ("misc", guide.meta.id)
    assert fields["version"] == guide.meta.version
    assert fields["year"] == guide.meta.release_date[:4]


# ------------------------------------------------------------------ RIS


def test_sources_ris_holds_every_source(downloads: dict[str, DownloadFile], guide: GuideData) -> None:
    text = text_of(downloads, "sources.ris")
    assert "\r" not in text
    records = parse_ris(text)
    assert len(records) == len(guide.sources)
    by_id = {record["ID"][0]: record for record in records}
    for source in guide.sources:
        record = by_id[source.key]
        assert record["TY"] == [record["TY"][0]] and record["TY"][0] in ("JOUR", "RPRT", "GEN", "NEWS")
        assert record.get("AN", []) == ([source.pmid] if source.pmid else []), source.key
        assert record.get("DO", []) == ([source.doi] if source.doi else []), source.key
        expected_title = [] if "title" in source.not_seen else [" ".join(source.title.split())]
        assert record.get("TI", []) == expected_title, source.key
        assert len(record.get("AU", [])) == len(source.authors), source.key


def test_ris_records_open_with_ty_and_close_with_er(downloads: dict[str, DownloadFile]) -> None:
    for name in ("sources.ris", "guide.ris"):
        chunks = [chunk for chunk in text_of(downloads, name).split("\n\n") if chunk.strip()]
        assert all(chunk.startswith("TY  - ") and chunk.rstrip("\n").endswith("ER  - ") for chunk in chunks), name


def test_guide_ris_describes_the_guide(downloads: dict[str, DownloadFile], guide: GuideData) -> None:
    [record] = parse_ris(text_of(downloads, "guide.ris"))
    assert record["ID"] == [guide.meta.id]
    assert record["TI"] == [guide.meta.title]
    assert record["ET"] == [guide.meta.version]


# ------------------------------------------------------------------ CITATION.cff and licence


def test_committed_citation_cff_is_the_generated_one(guide: GuideData) -> None:
    committed = (PROJECT_DIR / CITATION_FILE).read_text(encoding="utf-8")
    assert committed == citation_cff(guide), "CITATION.cff is stale; run: python -m aiguide.exports --write-citation"


def test_citation_cff_has_the_required_keys_and_the_guide_release() -> None:
    cff = yaml.safe_load((PROJECT_DIR / CITATION_FILE).read_text(encoding="utf-8"))
    meta = yaml_file("guide")
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["title"] == meta["title"]
    assert cff["version"] == meta["version"]
    assert cff["date-released"] == meta["release_date"]
    assert cff["license"] == meta["licence"]["id"]
    assert cff["authors"] == [{"name": "The guide's editors"}]
    assert cff["abstract"] == " ".join(meta["subtitle"].split())


def test_licence_notice_names_the_licence_and_its_url(downloads: dict[str, DownloadFile], guide: GuideData) -> None:
    text = text_of(downloads, "LICENSE.txt")
    assert guide.meta.licence.title in text
    assert guide.meta.licence.url in text
    assert guide.meta.version in text


# ------------------------------------------------------------------ the set of downloads


def test_downloads_include_every_format_and_every_schema(downloads: dict[str, DownloadFile]) -> None:
    expected = {
        "guide.json",
        "findings.csv",
        "sources.csv",
        "checklist.csv",
        "vendor-questions.xlsx",
        "vendor-questions.csv",
        "regulations.csv",
        "sources.bib",
        "sources.ris",
        "guide.bib",
        "guide.ris",
        "LICENSE.txt",
        CITATION_FILE,
    }
    expected |= {f"schemas/{path.name}" for path in (PROJECT_DIR / "data" / "schemas").glob("*.schema.json")}
    assert set(downloads) == expected
    for name, item in downloads.items():
        assert item.content and item.title and item.description and item.media_type, name
    schema = downloads["schemas/findings.schema.json"].content
    assert schema == (PROJECT_DIR / "data" / "schemas" / "findings.schema.json").read_bytes()


def test_downloads_are_byte_identical_on_a_second_run(downloads: dict[str, DownloadFile]) -> None:
    again = download_files(load_guide(PROJECT_DIR))
    assert [item.name for item in again] == list(downloads)
    assert all(item.content == downloads[item.name].content for item in again)


def test_cli_writes_every_download_and_reports_its_size(
    tmp_path: Path, downloads: dict[str, DownloadFile], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "out"), "--project", str(PROJECT_DIR)]) == 0
    for name, item in downloads.items():
        assert (tmp_path / "out" / name).read_bytes() == item.content, name
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(downloads)
    assert all(line.endswith(" bytes") for line in printed)


def test_cli_refuses_broken_data_and_writes_nothing(project_copy: Path, tmp_path: Path) -> None:
    findings = project_copy / "data" / "findings.yaml"
    findings.write_text(findings.read_text(encoding="utf-8").replace("direction: both", "direction: sideways", 1))
    assert main([str(tmp_path / "out"), "--project", str(project_copy)]) == 1
    assert not (tmp_path / "out").exists()
