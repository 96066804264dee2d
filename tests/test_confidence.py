"""The confidence rule (GRADE-CERQual components to a level), its checks, and what readers see of it.

The rule's expected results are written out by hand below; the method page's table of every
combination is compared with them and with the function. Data checks run on a copy of the real
data with one made-up finding appended, so no test depends on today's records.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape

from aiguide import evidence
from aiguide.fragments import Fragments
from aiguide.guide import load_guide
from aiguide.model import Citation, ConfidenceOverride

from .conftest import PROJECT_DIR

REAL = load_guide(PROJECT_DIR)
MODEL = REAL.model
FIELDS = REAL.fields
LEVEL_FIELD = "findings[].confidence.override.level"
LEVEL_LABELS = FIELDS.labels("findings", LEVEL_FIELD)
LEVEL_MEANINGS = FIELDS.meanings("findings", LEVEL_FIELD)
COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")

# ------------------------------------------------------------------------------------------ the rule by hand

# (concerns over the four components, level the rule gives when a study is cited directly with mark V)
HAND_WRITTEN = [
    (("no", "no", "no", "no"), "high"),
    (("minor", "no", "no", "no"), "high"),  # a single minor concern lowers nothing
    (("minor", "minor", "no", "no"), "moderate"),
    (("minor", "minor", "minor", "minor"), "moderate"),  # minor concerns together lower by one, however many
    (("moderate", "no", "no", "no"), "moderate"),
    (("moderate", "minor", "no", "no"), "moderate"),
    (("moderate", "minor", "minor", "no"), "low"),
    (("moderate", "moderate", "no", "no"), "low"),
    (("serious", "no", "no", "no"), "low"),
    (("serious", "minor", "no", "no"), "low"),
    (("serious", "moderate", "no", "no"), "very-low"),
    (("moderate", "moderate", "moderate", "no"), "very-low"),
    (("serious", "serious", "serious", "serious"), "very-low"),  # never below the floor
]


@pytest.mark.parametrize(("concerns", "expected"), HAND_WRITTEN, ids=["-".join(c) for c, _ in HAND_WRITTEN])
def test_rule_gives_the_hand_written_level(concerns: tuple[str, ...], expected: str) -> None:
    assert evidence.derived_level(concerns, direct_studies=1) == expected
    assert evidence.derived_level(reversed(concerns), direct_studies=3) == expected  # order does not matter


@pytest.mark.parametrize(("concerns", "expected"), HAND_WRITTEN, ids=["-".join(c) for c, _ in HAND_WRITTEN])
def test_without_a_direct_study_the_level_is_at_most_low(concerns: tuple[str, ...], expected: str) -> None:
    capped = {"high": "low", "moderate": "low"}.get(expected, expected)
    assert evidence.derived_level(concerns, direct_studies=0) == capped


def _method_page() -> str:
    return Fragments(REAL, lambda: "method/index.md").confidence_rule()


def _combination_table(markdown: str) -> dict[tuple[int, int, int], str]:
    """(serious, moderate, minor) -> level id, read from the method page's table of every combination."""
    section = markdown.split("{ #confidence-combinations }", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("| ").split("|")]
    minors = [int(re.match(r"(\d+) minor", cell)[1]) for cell in header[1:]]
    by_label = {label: level for level, label in LEVEL_LABELS.items()}
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("| ").split("|")]
        serious = int(m[1]) if (m := re.search(r"(\d+) serious", cells[0])) else 0
        moderate = int(m[1]) if (m := re.search(r"(\d+) moderate", cells[0])) else 0
        for minor, cell in zip(minors, cells[1:], strict=True):
            if cell in by_label:
                table[serious, moderate, minor] = by_label[cell]
    return table


METHOD_TABLE = _combination_table(_method_page())
EVERY_COMBINATION = sorted(
    {tuple(sorted(combo)) for combo in itertools.product(("no", "minor", "moderate", "serious"), repeat=4)}
)


@pytest.mark.parametrize("concerns", EVERY_COMBINATION, ids=["-".join(c) for c in EVERY_COMBINATION])
def test_method_page_states_the_level_the_rule_gives(concerns: tuple[str, ...]) -> None:
    key = (concerns.count("serious"), concerns.count("moderate"), concerns.count("minor"))
    assert METHOD_TABLE[key] == evidence.derived_level(concerns, direct_studies=1)


@pytest.mark.parametrize(("concerns", "expected"), HAND_WRITTEN, ids=["-".join(c) for c, _ in HAND_WRITTEN])
def test_method_page_table_matches_the_hand_written_levels(concerns: tuple[str, ...], expected: str) -> None:
    assert METHOD_TABLE[concerns.count("serious"), concerns.count("moderate"), concerns.count("minor")] == expected


def test_method_page_table_lists_every_combination_once() -> None:
    assert len(METHOD_TABLE) == len(EVERY_COMBINATION)


def test_method_page_counts_findings_per_level_from_the_data() -> None:
    page = _method_page()
    for level, label in LEVEL_LABELS.items():
        expected = sum(
            1
            for finding in MODEL.findings
            if (grade := evidence.confidence(finding, MODEL)) is not None and grade.level == level
        )
        assert f"- **{label} confidence** ({expected} finding{'' if expected == 1 else 's'}): " in page


# ------------------------------------------------------------------------------------------ cap and override


def _observed_finding():
    return next(finding for finding in MODEL.findings if finding.kind == "observed")


def _with(finding, concerns: tuple[str, ...], citations: tuple[Citation, ...], override=None):
    judged = finding.confidence
    parts = {
        name: dataclasses.replace(getattr(judged, name), concern=concern)
        for name, concern in zip(COMPONENTS, concerns, strict=True)
    }
    return dataclasses.replace(
        finding, citations=citations, confidence=dataclasses.replace(judged, override=override, **parts)
    )


def _source_of(*types: str) -> str:
    return next(source.key for source in MODEL.sources if source.type in types and source.verification == "verified")


STUDY = _source_of("primary-study", "review")
GUIDANCE = _source_of("guidance")


def test_a_direct_study_seen_in_the_source_lifts_the_cap() -> None:
    finding = _with(_observed_finding(), ("no",) * 4, (Citation(STUDY, "abstract", "V", supports="direct"),))
    grade = evidence.confidence(finding, MODEL)
    assert (grade.level, grade.cap, grade.capped, grade.direct_studies) == ("high", "high", False, (STUDY,))


@pytest.mark.parametrize(
    "citation",
    [
        Citation(STUDY, "abstract", "S", supports="direct"),  # not seen in the source itself
        Citation(STUDY, "abstract", "V", supports="indirect"),
        Citation(STUDY, "abstract", "V", supports="context"),
        Citation(GUIDANCE, "section 2", "V", supports="direct"),  # guidance is not a study
    ],
    ids=["mark-S", "indirect", "context", "guidance"],
)
def test_other_citations_leave_the_finding_capped(citation: Citation) -> None:
    finding = _with(_observed_finding(), ("no",) * 4, (citation,))
    grade = evidence.confidence(finding, MODEL)
    assert (grade.uncapped, grade.derived, grade.level, grade.capped) == ("high", "low", "low", True)
    assert grade.direct_studies == ()


def test_override_replaces_the_level_and_keeps_the_derived_one() -> None:
    citations = (Citation(STUDY, "abstract", "V", supports="direct"),)
    override = ConfidenceOverride("low", f"{STUDY} reports a single site.")
    grade = evidence.confidence(_with(_observed_finding(), ("minor", "minor", "no", "no"), citations, override), MODEL)
    assert (grade.level, grade.derived, grade.override) == ("low", "moderate", override)


def test_override_never_exceeds_the_cap() -> None:
    citations = (Citation(STUDY, "abstract", "V", supports="indirect"),)
    override = ConfidenceOverride("high", f"{STUDY} says so.")
    grade = evidence.confidence(_with(_observed_finding(), ("no",) * 4, citations, override), MODEL)
    assert (grade.level, grade.cap) == ("low", "low")


def test_guidance_and_advice_are_not_graded() -> None:
    for kind in evidence.UNGRADED:
        finding = dataclasses.replace(_observed_finding(), kind=kind, confidence=None)
        assert evidence.confidence(finding, MODEL) is None
        assert evidence.category(finding, MODEL) == kind


def test_lists_run_from_high_to_very_low_then_guidance_then_advice() -> None:
    ordered = [evidence.category(finding, MODEL) for finding in evidence.by_confidence(MODEL.findings, MODEL)]
    order = [*evidence.LEVELS, "guidance", "advice"]
    assert ordered == sorted(ordered, key=order.index)


# ------------------------------------------------------------------------------------------ the real data


LIVE = [finding.id for finding in MODEL.findings]


@pytest.mark.parametrize("finding_id", LIVE)
def test_every_live_observed_finding_is_assessed_on_all_four_components(finding_id: str) -> None:
    finding = MODEL.finding[finding_id]
    grade = evidence.confidence(finding, MODEL)
    if finding.kind == "observed":
        assert grade is not None
        assert [part.component for part in grade.components] == list(COMPONENTS)
        assert all(part.reason.strip() for part in grade.components)
    else:
        assert grade is None and finding.confidence is None


@pytest.mark.parametrize("finding_id", LIVE)
def test_no_high_or_moderate_confidence_without_a_direct_study_seen_in_the_source(finding_id: str) -> None:
    finding = MODEL.finding[finding_id]
    grade = evidence.confidence(finding, MODEL)
    if grade is None or grade.level not in ("high", "moderate"):
        return
    assert any(
        citation.supports == "direct"
        and citation.mark == "V"
        and MODEL.source[citation.source].type in ("review", "primary-study")
        for citation in finding.citations
    ), finding.citations


def test_the_rule_uses_the_schema_vocabulary() -> None:
    """Level and concern ids in the rule are the schema's enums, and every value has reader words."""
    assert tuple(LEVEL_LABELS) == evidence.LEVELS
    concern = FIELDS.labels("findings", "findings[].confidence.adequacy.concern")
    assert tuple(concern) == evidence.CONCERNS
    kinds = FIELDS.labels("findings", "findings[].kind")
    supports = FIELDS.labels("findings", "findings[].citations[].supports")
    for labels in (LEVEL_LABELS, concern, kinds, supports):
        assert all(label != value for value, label in labels.items()), labels  # an x-label for every value
    assert all(LEVEL_MEANINGS.values())


def test_only_high_confidence_tells_readers_to_act() -> None:
    acting = [level for level, meaning in LEVEL_MEANINGS.items() if re.search(r"\bact on\b", meaning)]
    assert acting == ["high"]


# ------------------------------------------------------------------------------------------ data checks


def _study_keys() -> list[str]:
    return [
        source.key
        for source in MODEL.sources
        if source.type in ("primary-study", "review")
        and source.verification == "verified"
        and source.key != MODEL.meta.backbone
        and MODEL.citing_records[source.key]  # cited already, so citing it again changes nothing elsewhere
    ]


A, B, C, D, E = _study_keys()[:5]


def _citation(key: str, supports: str, mark: str = "V", section: str = "abstract") -> dict[str, Any]:
    return {"source": key, "section": section, "mark": mark, "supports": supports, "note": "Made up for a test."}


def _base_finding() -> dict[str, Any]:
    """An observed finding that passes every check: two direct studies (A, B) and one indirect (C)."""
    return {
        "id": "ZZ-99",
        "title": "A finding made up for a test",
        "direction": "barrier",
        "kind": "observed",
        "theme": MODEL.themes[0].id,
        "statement": "Made up for a test.",
        "action": "Nothing to do.",
        "roles": [MODEL.roles[0].id],
        "phases": [MODEL.phases[0].id],
        "citations": [_citation(A, "direct"), _citation(B, "direct"), _citation(C, "indirect")],
        "confidence": {
            "methodological_limitations": {"concern": "minor", "reason": f"{A} was read as an abstract only."},
            "coherence": {"concern": "no", "reason": f"{A} and {B} agree."},
            "adequacy": {"concern": "minor", "reason": f"Two studies, {A} and {B}, each say little."},
            "relevance": {"concern": "no", "reason": f"{A} and {B} studied imaging departments."},
        },
        "last_reviewed": MODEL.findings[0].last_reviewed,
    }


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One content-keyed cache for every copy: unchanged files are read and checked once."""
    return tmp_path_factory.mktemp("cache")


def _appended(name: str, record: dict[str, Any]) -> str:
    """The real data file's text with ``record`` appended to its one list of records."""
    text = (PROJECT_DIR / "data" / f"{name}.yaml").read_text(encoding="utf-8")
    entry = yaml.safe_dump([record], sort_keys=False, allow_unicode=True, width=1000)
    return text.rstrip("\n") + "\n\n" + "".join(f"  {line}\n" for line in entry.splitlines())


def _project_with(cache: Path, tmp_path: Path, finding: dict[str, Any] | None = None, item=None):
    """A copy of the real data with ``finding`` and ``item`` appended; returns (guide, changed texts)."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR / "data", project / "data")
    (project / ".cache").symlink_to(cache, target_is_directory=True)
    texts = {}
    for name, record in (("findings", finding), ("checklists", item)):
        if record is not None:
            texts[name] = _appended(name, record)
            (project / "data" / f"{name}.yaml").write_text(texts[name], encoding="utf-8")
    return load_guide(project), texts


def _line_of(text: str, record_id: str, keys: tuple[str | int, ...]) -> int:
    """The line (1-based) of a field inside the record with ``record_id``, found by reading the text in order."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if re.match(rf"^\s*- id: '?{record_id}'?$", line))
    for key in keys:
        if isinstance(key, int):
            for _ in range(key + 1):
                index = next(i for i in range(index + 1, len(lines)) if re.match(r"^\s*- ", lines[i]))
        else:
            index = next(i for i in range(index, len(lines)) if re.match(rf"^\s*(- )?{key}:", lines[i]))
    return index + 1


def test_the_made_up_finding_passes_every_check(shared_cache: Path, tmp_path: Path) -> None:
    guide, _ = _project_with(shared_cache, tmp_path, _base_finding())
    assert [str(problem) for problem in guide.problems] == []


def _drop_coherence(record):
    del record["confidence"]["coherence"]


def _set(*path_and_value):
    *path, value = path_and_value

    def change(record):
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _without_direct_studies(record):
    record["citations"] = [_citation(A, "indirect"), _citation(B, "indirect")]
    record["confidence"]["adequacy"]["concern"] = "serious"
    record["confidence"]["relevance"]["concern"] = "moderate"


def _override_above_cap(record):
    _without_direct_studies(record)
    record["confidence"]["override"] = {"level": "moderate", "reason": f"{A} is large."}


def _more_indirect(record):
    record["citations"] += [_citation(D, "indirect", mark="S"), _citation(E, "indirect", mark="S")]


def _cite_backbone_body(record):
    record["citations"].append(_citation(MODEL.meta.backbone, "context", mark="S", section="Table 3"))


def _drop_confidence(record):
    del record["confidence"]


BAD_FINDINGS = [
    ("missing-component", _drop_coherence, ("confidence", "coherence"), "needs all four components"),  # line of parent
    ("empty-reason", _set("confidence", "coherence", "reason", ""), ("confidence", "coherence", "reason"), "blank"),
    (
        "unknown-concern",
        _set("confidence", "adequacy", "concern", "some"),
        ("confidence", "adequacy", "concern"),
        "is not one of",
    ),
    (
        "override-without-reason",
        _set("confidence", "override", {"level": "low"}),
        ("confidence", "override", "reason"),
        "needs both a level and a reason",
    ),
    ("override-above-cap", _override_above_cap, ("confidence", "override", "level"), "is above 'low'"),
    (
        "override-equal-to-rule",
        _set("confidence", "override", {"level": "moderate", "reason": f"{A} says so."}),
        ("confidence", "override", "level"),
        "the rule already gives 'moderate'",
    ),
    (
        "adequacy-below-floor",
        _set("confidence", "adequacy", "concern", "no"),
        ("confidence", "adequacy", "concern"),
        "at least 'minor'",
    ),
    (
        "adequacy-below-floor-without-study",
        lambda record: (_without_direct_studies(record), _set("confidence", "adequacy", "concern", "moderate")(record)),
        ("confidence", "adequacy", "concern"),
        "at least 'serious'",
    ),
    (
        "relevance-below-floor-without-study",
        lambda record: (_without_direct_studies(record), _set("confidence", "relevance", "concern", "minor")(record)),
        ("confidence", "relevance", "concern"),
        "at least 'moderate'",
    ),
    ("relevance-below-floor-mostly-indirect", _more_indirect, ("confidence", "relevance", "concern"), "outnumber"),
    (
        "reason-names-no-source",
        _set("confidence", "coherence", "reason", "The studies agree."),
        ("confidence", "coherence", "reason"),
        "names none of the sources this finding cites",
    ),
    (
        "reason-names-an-uncited-source",
        _set("confidence", "coherence", "reason", f"{D} agrees."),
        ("confidence", "coherence", "reason"),
        "names none of the sources this finding cites",
    ),
    ("backbone-beyond-abstract", _cite_backbone_body, ("citations", 3, "section"), "read only at abstract level"),
    ("guidance-with-confidence", _set("kind", "guidance"), ("confidence",), "is only for findings of kind observed"),
    ("observed-without-confidence", _drop_confidence, ("confidence",), "needs its confidence judgement"),
]


def _present(record: dict[str, Any], field: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The longest start of ``field`` present in the record: a missing field is reported on its parent's line."""
    value: Any = record
    for depth, key in enumerate(field):
        if (isinstance(value, dict) and key in value) or (isinstance(value, list) and isinstance(key, int)):
            value = value[key]
        else:
            return field[:depth]
    return field


@pytest.mark.parametrize(
    ("change", "field", "words"), [case[1:] for case in BAD_FINDINGS], ids=[c[0] for c in BAD_FINDINGS]
)
def test_bad_judgement_gives_exactly_one_message_at_its_field(
    shared_cache: Path, tmp_path: Path, change, field, words: str
) -> None:
    record = _base_finding()
    change(record)
    guide, texts = _project_with(shared_cache, tmp_path, record)
    index = len(REAL.raw["findings"]["findings"])
    path = f"findings[{index}]" + "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in field)
    assert len(guide.problems) == 1, [str(problem) for problem in guide.problems]
    problem = guide.problems[0]
    assert (problem.file, problem.field) == ("data/findings.yaml", path)
    assert words in problem.message
    assert problem.line == _line_of(texts["findings"], "ZZ-99", _present(record, field))
    assert str(problem) == f"data/findings.yaml:{problem.line}: {path}: {problem.message}"


def test_checklist_item_without_findings_must_be_practice_advice(shared_cache: Path, tmp_path: Path) -> None:
    item = copy.deepcopy(REAL.raw["checklists"]["items"][0])
    item.update(id="CL-99")
    item.pop("findings", None)
    item.pop("practice_advice", None)
    guide, _ = _project_with(shared_cache, tmp_path, item=item)
    index = len(REAL.raw["checklists"]["items"])
    assert [(p.file, p.field) for p in guide.problems] == [("data/checklists.yaml", f"items[{index}].findings")]
    assert "set practice_advice: true" in guide.problems[0].message
    item["practice_advice"] = True
    guide, _ = _project_with(shared_cache, tmp_path / "advice", item=item)
    assert guide.problems == ()


# ------------------------------------------------------------------------------------------ what readers see


def _theme_page(guide, theme_id: str) -> str:
    return Fragments(guide, lambda: f"themes/{theme_id}/index.md").theme_page(theme_id)


def _card(page: str, finding_id: str) -> str:
    start = page.index(f"### {finding_id} ·")
    end = page.find("\n### ", start + 1)
    return page[start : end if end != -1 else len(page)]


def test_provenance_shows_components_override_and_support(shared_cache: Path, tmp_path: Path) -> None:
    record = _base_finding()
    record["confidence"]["override"] = {"level": "low", "reason": f"{B} covers one hospital only."}
    guide, _ = _project_with(shared_cache, tmp_path, record)
    page = _theme_page(guide, record["theme"])
    card = _card(page, "ZZ-99")
    concern_labels = FIELDS.labels("findings", "findings[].confidence.adequacy.concern")
    support_labels = FIELDS.labels("findings", "findings[].citations[].supports")
    assert f"[{LEVEL_LABELS['low']} confidence](" in card
    # What the level means is said once for the page, in the legend above the findings.
    assert page.count(escape(LEVEL_MEANINGS["low"])) == 1
    assert page.index(escape(LEVEL_MEANINGS["low"])) < page.index("### ZZ-99 ·")
    assert f"instead of {LEVEL_LABELS['moderate'].lower()}" in card
    assert f"[{B}](../../sources/index.md#{B.lower()}) covers one hospital only." in card
    for name in COMPONENTS:
        title = FIELDS.field("findings", f"findings[].confidence.{name}").node.schema["title"]
        concern = record["confidence"][name]["concern"]
        assert f"- **{title}: {concern_labels[concern].lower()}.**" in card
    assert f"[{A}](../../sources/index.md#{A.lower()}) was read as an abstract only." in card
    direct = card.index(f"**{support_labels['direct'].capitalize()}:**")
    indirect = card.index(f"**{support_labels['indirect'].capitalize()}:**")
    assert direct < card.index(f"[{A}](../../sources/index.md#{A.lower()}), abstract") < indirect
    assert indirect < card.index(f"[{C}](../../sources/index.md#{C.lower()}), abstract")


@pytest.mark.parametrize("kind", evidence.UNGRADED)
def test_ungraded_findings_say_so_and_carry_no_grade(shared_cache: Path, tmp_path: Path, kind: str) -> None:
    record = _base_finding()
    record["kind"] = kind
    del record["confidence"]
    guide, _ = _project_with(shared_cache, tmp_path, record)
    page = _theme_page(guide, record["theme"])
    card = _card(page, "ZZ-99")
    kinds = FIELDS.labels("findings", "findings[].kind")
    assert f"[{kinds[kind]}](" in card
    assert escape(FIELDS.meanings("findings", "findings[].kind")[kind]) in page  # said once, in the page's legend
    assert not any(f"{label} confidence" in card for label in LEVEL_LABELS.values())


def test_source_keys_in_reasons_link_to_the_sources_page() -> None:
    """On the real data: every key a reason names is a link, and no key stays bare text."""
    fragments = Fragments(REAL, lambda: "themes/any/index.md")  # every theme page sits at the same depth
    pages = {theme.id: fragments.theme_page(theme.id) for theme in MODEL.themes}
    for finding in MODEL.findings:
        if finding.confidence is None:
            continue
        card = _card(pages[finding.theme], finding.id)
        for name in COMPONENTS:
            for key in evidence.keys_named(getattr(finding.confidence, name).reason, MODEL.source):
                assert f"[{key}](../../sources/index.md#{key.lower()})" in card
