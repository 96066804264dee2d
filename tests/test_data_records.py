"""The real data: every file validates, and one test per record checks the properties every record must have.

Nothing here counts today's records: an editor adding, retiring or rewording a record must not break a
test unless the record itself breaks a rule.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aiguide.fields import DATA_FILES
from aiguide.guide import load_guide
from aiguide.references import records

from .conftest import PROJECT_DIR

GUIDE = load_guide(PROJECT_DIR)
RECORD_PATH = re.compile(r"^(?P<list>[a-z_]+)\[(?P<index>\d+)\]")
ABSTRACT_LEVEL = re.compile(r"abstract", re.IGNORECASE)


def _records() -> list[tuple[str, int, str]]:
    """(file, index, id) of every record of every collection file."""
    found = []
    for file, collection in GUIDE.fields.collections.items():
        for path, record in records(GUIDE.raw[file], collection):
            found.append((file, path[1], str(record[collection.id_field])))
    return found


RECORDS = _records()
MODEL = GUIDE.model


def _ids(kind: str) -> list[str]:
    return [record_id for file, _, record_id in RECORDS if file == kind]


def test_every_data_file_validates_without_problems() -> None:
    assert [str(problem) for problem in GUIDE.problems] == []


@pytest.mark.parametrize(("file", "index", "record_id"), RECORDS, ids=[f"{f}:{i}" for f, _, i in RECORDS])
def test_no_problem_points_into_the_record(file: str, index: int, record_id: str) -> None:
    list_key = GUIDE.fields.collections[file].list_key
    own = [
        str(problem)
        for problem in GUIDE.problems
        if problem.file == f"data/{file}.yaml"
        and (match := RECORD_PATH.match(problem.field))
        and match["list"] == list_key
        and int(match["index"]) == index
    ]
    assert own == []


@pytest.mark.parametrize("finding_id", _ids("findings"))
def test_finding_cites_the_systematic_review_only_for_its_abstract(finding_id: str) -> None:
    """The review the guide starts from is known at abstract level only: nothing may cite its body."""
    finding = MODEL.finding[finding_id]
    backbone = [citation for citation in finding.citations if citation.source == MODEL.meta.backbone]
    assert all(ABSTRACT_LEVEL.search(citation.section) for citation in backbone), backbone


@pytest.mark.parametrize("finding_id", _ids("findings"))
def test_observed_finding_rests_on_something_seen_in_a_source(finding_id: str) -> None:
    """A finding presented as observed cites at least one fact the guide saw in the source itself."""
    finding = MODEL.finding[finding_id]
    if finding.kind == "observed" and finding.status != "retired":
        assert any(citation.mark == "V" for citation in finding.citations), finding.citations


@pytest.mark.parametrize("key", _ids("sources"))
def test_source_says_what_was_read_of_it(key: str) -> None:
    source = MODEL.source[key]
    assert source.seen.strip()
    if source.verification == "verified":
        assert "licence" in source.not_seen or source.licence.strip(), "the licence was seen, or says it was not"


@pytest.mark.parametrize("key", _ids("sources"))
def test_source_is_cited_or_says_why_it_is_listed(key: str) -> None:
    cited = MODEL.citing_records[key] or key in (MODEL.meta.backbone, MODEL.meta.seed)
    framework_source = any(framework.source == key for framework in MODEL.frameworks)
    assert cited or framework_source or MODEL.source[key].unused_reason


@pytest.mark.parametrize("faq_id", _ids("faqs"))
def test_faq_answer_rests_on_findings_and_citations(faq_id: str) -> None:
    faq = MODEL.faq[faq_id]
    assert faq.findings and faq.citations


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_names_its_json_schema_for_editors(name: str) -> None:
    first_line = (PROJECT_DIR / "data" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema=schemas/{name}.schema.json"
    assert f"{name}.schema.json" in GUIDE.schemas.documents


@pytest.mark.parametrize(
    "schema", sorted((PROJECT_DIR / "data" / "schemas").glob("*.schema.json")), ids=lambda p: p.name
)
def test_schemas_are_draft_2020_12(schema: Path) -> None:
    from jsonschema import Draft202012Validator

    contents = json.loads(schema.read_text(encoding="utf-8"))
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(contents)


def test_every_decision_point_and_tier_has_checklist_items() -> None:
    assert {item.phase for item in MODEL.items} == set(MODEL.phase)
    assert {item.tier for item in MODEL.items} == set(GUIDE.fields.labels("checklists", "items[].tier"))


def test_guide_names_the_review_it_starts_from_by_its_doi() -> None:
    assert MODEL.source[MODEL.meta.backbone].doi == "10.2196/63649"


def test_one_third_end_user_feedback_claim_always_carries_a_caveat() -> None:
    headline = MODEL.meta.headline
    items = (*headline.summary_themes, *headline.key_insights, *headline.implications, headline.conclusion)
    for item in items:
        if re.search(r"third|one-third|1/3", item.text, re.IGNORECASE):
            assert item.caveat, f"{item.id} repeats the unverified one-third claim without a caveat"
            seed = [citation for citation in item.citations if citation.source == MODEL.meta.seed]
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
    offending = [text for text in _text_values(GUIDE.raw[name]) if re.search(r"<[a-zA-Z/!]|\{\{|\{%", text)]
    assert offending == []
