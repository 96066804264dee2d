"""The real data: every file validates, one test per record, and the content floor holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from aiguide.references import COLLECTIONS
from aiguide.validate import DATA_FILES, data_path, load_and_check

from .conftest import PROJECT_DIR

FILES, PROBLEMS = load_and_check(PROJECT_DIR)
RECORD_PATH = re.compile(r"^(?P<list>[a-z_]+)\[(?P<index>\d+)\]")


def _records() -> list[tuple[str, int, str]]:
    """(file, index, id) of every record on disk, read with plain PyYAML."""
    found = []
    for file, (list_key, id_field) in COLLECTIONS.items():
        raw = yaml.safe_load(data_path(PROJECT_DIR, file).read_text(encoding="utf-8"))
        for index, record in enumerate(raw[list_key]):
            found.append((file, index, str(record[id_field])))
    return found


RECORDS = _records()


def test_every_data_file_validates_without_problems() -> None:
    assert [str(problem) for problem in PROBLEMS] == []


@pytest.mark.parametrize(("file", "index", "record_id"), RECORDS, ids=[f"{f}:{i}" for f, _, i in RECORDS])
def test_record_is_valid(file: str, index: int, record_id: str) -> None:
    """No schema or reference problem points into this record."""
    list_key = COLLECTIONS[file][0]
    display = f"data/{file}.yaml"
    own = [
        str(problem)
        for problem in PROBLEMS
        if problem.file == display
        and (match := RECORD_PATH.match(problem.field))
        and match["list"] == list_key
        and int(match["index"]) == index
    ]
    assert own == []


@pytest.mark.parametrize("file", list(COLLECTIONS))
def test_records_loaded_equal_records_on_disk(file: str, guide) -> None:
    on_disk = [record_id for name, _, record_id in RECORDS if name == file]
    attribute = {"glossary": "terms", "checklists": "items", "changelog": "releases"}.get(file, file)
    id_field = COLLECTIONS[file][1]
    retired = getattr(guide, f"retired_{attribute}", ())
    loaded = sorted(getattr(record, id_field) for record in (*getattr(guide, attribute), *retired))
    on_disk = sorted(on_disk)
    assert loaded == on_disk


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_names_its_json_schema_for_editors(name: str) -> None:
    first_line = data_path(PROJECT_DIR, name).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema=schemas/{name}.schema.json"
    assert (PROJECT_DIR / "data" / "schemas" / f"{name}.schema.json").is_file()


@pytest.mark.parametrize(
    "schema", sorted((PROJECT_DIR / "data" / "schemas").glob("*.schema.json")), ids=lambda p: p.name
)
def test_schemas_are_draft_2020_12(schema: Path) -> None:
    import json

    from jsonschema import Draft202012Validator

    contents = json.loads(schema.read_text(encoding="utf-8"))
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(contents)


def test_sources_cover_the_research_main_sources_backbone_and_seed(guide) -> None:
    roles = [source.role for source in guide.sources]
    assert roles.count("main") == 25
    assert roles.count("backbone") == 1 and roles.count("seed") == 1
    assert guide.source[guide.meta.backbone].doi == "10.2196/63649"


def test_themes_hold_the_base_and_proposed_vocabulary(guide) -> None:
    origins = [theme.origin for theme in guide.themes]
    assert origins.count("base") == 14
    assert origins.count("proposed") == 5


def test_findings_include_all_36_candidates(guide) -> None:
    numbers = {int(finding.id.split("-")[1]) for finding in guide.findings}
    assert set(range(1, 37)) <= numbers


def test_content_reaches_the_required_floor(guide) -> None:
    assert len(guide.faqs) >= 15
    assert sum(faq.origin == "seed" for faq in guide.faqs) == 3
    assert len(guide.items) >= 40
    assert len(guide.terms) >= 30
    required_roles = {
        "radiologist",
        "radiographer",
        "pacs-it",
        "procurement",
        "legal-governance",
        "executive-leadership",
        "patient-representative",
    }
    assert required_roles <= set(guide.role)
    assert {item.phase for item in guide.items} == set(guide.phase)
    assert {item.tier for item in guide.items} == {"essential", "recommended"}


def test_backbone_review_is_cited_only_for_its_abstract(guide) -> None:
    """The review is known at abstract level only: nothing may cite its body."""
    backbone = guide.meta.backbone
    records = (*guide.findings, *guide.faqs, *guide.items)
    sections = {c.section for record in records for c in record.citations if c.source == backbone}
    assert sections, "the backbone review should be cited somewhere"
    assert all("abstract" in section.lower() for section in sections), sections


def test_one_third_end_user_feedback_claim_always_carries_a_caveat(guide) -> None:
    headline = guide.meta.headline
    items = (*headline.summary_themes, *headline.key_insights, *headline.implications, headline.conclusion)
    for item in items:
        if re.search(r"third|one-third|1/3", item.text, re.IGNORECASE):
            assert item.caveat, f"{item.id} repeats the unverified one-third claim without a caveat"
            seed = [citation for citation in item.citations if citation.source == guide.meta.seed]
            assert seed and all(citation.mark == "S" for citation in seed)


def _text_values(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _text_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text_values(item)


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_text_has_no_html_or_template_syntax(name: str) -> None:
    offending = [text for text in _text_values(FILES[name].data) if re.search(r"<[a-zA-Z/!]|\{\{|\{%", text)]
    assert offending == []
