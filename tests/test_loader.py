"""Unit tests of aiguide.loader: values, lines, literals, and the inputs it must refuse."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import aiguide.loader
from aiguide.loader import LoadedFile, load_file, load_text
from aiguide.problems import Problem

DISPLAY = "data/example.yaml"
EMPTY_MESSAGE = "the file is empty; it must hold the guide's data"
ANCHOR_MESSAGE = "anchors (&team) and aliases are not allowed in guide data; write the value out"
ALIAS_MESSAGE = "aliases (*team) are not allowed in guide data; write the value out"


def load_clean(text: str) -> LoadedFile:
    """Load text that must load without problems."""
    loaded, problems = load_text(textwrap.dedent(text), DISPLAY)
    assert problems == []
    assert loaded is not None
    return loaded


def line_number(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle`` in ``text``."""
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1


# --------------------------------------------------------------------------- values and lines


NESTED = textwrap.dedent(
    """\
    # a comment line
    findings:
      - id: FW-01
        roles: [radiologist, pacs-it]
        citations:
          - source: STROHM2020
            mark: V
          - source: SEED2025
            note: >-
              Two lines of
              folded text.
            mark: S
      - id: FW-02
        phases:
          - evaluate
          - procure
    """
)


def test_values_are_plain_python() -> None:
    loaded = load_clean(NESTED)
    assert loaded.data == {
        "findings": [
            {
                "id": "FW-01",
                "roles": ["radiologist", "pacs-it"],
                "citations": [
                    {"source": "STROHM2020", "mark": "V"},
                    {"source": "SEED2025", "note": "Two lines of folded text.", "mark": "S"},
                ],
            },
            {"id": "FW-02", "phases": ["evaluate", "procure"]},
        ]
    }
    assert loaded.name == "example"
    assert loaded.display_path == DISPLAY


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        (("findings",), "findings:"),
        (("findings", 0), "- id: FW-01"),
        (("findings", 0, "id"), "- id: FW-01"),
        (("findings", 0, "roles"), "roles:"),
        (("findings", 0, "roles", 1), "roles:"),
        (("findings", 0, "citations"), "citations:"),
        (("findings", 0, "citations", 0), "- source: STROHM2020"),
        (("findings", 0, "citations", 0, "mark"), "mark: V"),
        (("findings", 0, "citations", 1), "- source: SEED2025"),
        (("findings", 0, "citations", 1, "note"), "note: >-"),
        (("findings", 0, "citations", 1, "mark"), "mark: S"),
        (("findings", 1), "- id: FW-02"),
        (("findings", 1, "phases"), "phases:"),
        (("findings", 1, "phases", 0), "- evaluate"),
        (("findings", 1, "phases", 1), "- procure"),
    ],
    ids=lambda value: ".".join(map(str, value)) if isinstance(value, tuple) else None,
)
def test_line_is_recorded_for_nested_fields_and_list_items(path: tuple[str | int, ...], needle: str) -> None:
    loaded = load_clean(NESTED)
    assert loaded.lines[path] == line_number(NESTED, needle)
    assert loaded.line_of(path) == line_number(NESTED, needle)


def test_line_of_falls_back_to_the_nearest_recorded_parent() -> None:
    loaded = load_clean(NESTED)
    record_line = line_number(NESTED, "- id: FW-02")
    assert loaded.line_of(("findings", 1, "action")) == record_line
    assert loaded.line_of(("findings", 1, "citations", 3, "mark")) == record_line
    # The root mapping starts at its first key, below the comment line.
    assert loaded.line_of(()) == line_number(NESTED, "findings:")
    assert loaded.line_of(("nowhere",)) == line_number(NESTED, "findings:")


# --------------------------------------------------------------------------- duplicated keys


def test_duplicated_key_is_reported_with_both_line_numbers() -> None:
    text = textwrap.dedent(
        """\
        items:
          - id: CL-01
            tier: essential
            phase: evaluate
            tier: recommended
        """
    )
    loaded, problems = load_text(text, DISPLAY)
    first = line_number(text, "tier: essential")
    second = line_number(text, "tier: recommended")
    assert problems == [
        Problem(DISPLAY, second, "items[0].tier", f"field 'tier' is given twice (first on line {first}); keep one")
    ]
    assert str(problems[0]) == (
        f"{DISPLAY}:{second}: items[0].tier: field 'tier' is given twice (first on line {first}); keep one"
    )
    assert loaded is not None
    assert loaded.data["items"][0]["tier"] == "essential"
    assert loaded.lines[("items", 0, "tier")] == first


def test_duplicated_top_level_key_with_nested_value_is_reported() -> None:
    text = "themes:\n  - id: a\nroles: []\nthemes:\n  - id: b\n"
    _, problems = load_text(text, DISPLAY)
    assert [str(problem) for problem in problems] == [
        f"{DISPLAY}:4: themes: field 'themes' is given twice (first on line 1); keep one"
    ]


# --------------------------------------------------------------------------- scalars: the YAML 1.2 core rules


@pytest.mark.parametrize("word", ["yes", "no", "Yes", "NO", "on", "Off", "y", "n"])
def test_yes_and_no_words_are_text_as_in_yaml_1_2(word: str) -> None:
    """Editors such as VS Code read YAML 1.2, where only true/false are booleans; so does the loader."""
    loaded = load_clean(f"answer: {word}\nlist: [{word}]\n")
    assert loaded.data == {"answer": word, "list": [word]}
    assert loaded.literals == {}


@pytest.mark.parametrize(("word", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_true_and_false_are_booleans_with_their_literal_text(word: str, value: bool) -> None:
    loaded = load_clean(f"answer: {word}\n")
    assert loaded.data["answer"] is value
    assert loaded.literals[("answer",)] == word


def test_numbers_keep_their_literal_text_but_strings_have_none() -> None:
    loaded = load_clean('pmid: 40690758\nratio: 1.50\nyear: 2025\nquoted: "yes"\nplain: hello\noctal: 0o17\n')
    assert loaded.data == {"pmid": 40690758, "ratio": 1.5, "year": 2025, "quoted": "yes", "plain": "hello", "octal": 15}
    assert loaded.literals[("pmid",)] == "40690758"
    assert loaded.literals[("ratio",)] == "1.50"
    assert loaded.literals[("year",)] == "2025"
    assert ("quoted",) not in loaded.literals
    assert ("plain",) not in loaded.literals


def test_sexagesimal_and_underscored_numbers_are_text_as_in_yaml_1_2() -> None:
    loaded = load_clean("time: 12:30\ncount: 1_000\n")
    assert loaded.data == {"time": "12:30", "count": "1_000"}


@pytest.mark.parametrize("word", [".nan", ".NaN", ".inf", "-.inf", "+.INF", "1e999", "-1e999"])
def test_numbers_that_are_not_finite_are_refused_at_their_line(word: str) -> None:
    loaded, problems = load_text(f"id: x\nscore: {word}\n", DISPLAY)
    assert [str(problem) for problem in problems] == [
        f"{DISPLAY}:2: score: {word} is not a finite number; write an ordinary number"
    ]
    assert loaded is not None and loaded.data["score"] is None


def test_dates_stay_as_written() -> None:
    loaded = load_clean("last_reviewed: 2026-11-29\nseen_at: 2026-11-29 10:30:00\nlist: [2025-07-21]\n")
    assert loaded.data == {"last_reviewed": "2026-11-29", "seen_at": "2026-11-29 10:30:00", "list": ["2025-07-21"]}


def test_impossible_date_is_text_for_the_schema_to_judge() -> None:
    loaded = load_clean("last_reviewed: 2026-13-45\n")
    assert loaded.data == {"last_reviewed": "2026-13-45"}


# --------------------------------------------------------------------------- anchors, aliases and tags


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels):
        refs = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_line_by_line_without_expansion() -> None:
    text = billion_laughs()
    loaded, problems = load_text(text, DISPLAY)
    # No expansion: whatever data is kept is no bigger than the text itself.
    assert loaded is not None and len(repr(loaded.data)) < 2 * len(text)
    assert [problem.line for problem in problems] == list(range(1, 10)), "one problem per line, on its line"
    assert all("not allowed in guide data" in problem.message for problem in problems)


def test_anchor_and_alias_are_each_reported_on_their_own_line() -> None:
    text = "first:\n  roles: &team [radiologist, pacs-it]\nsecond:\n  roles: *team\n"
    loaded, problems = load_text(text, DISPLAY)
    assert problems == [
        Problem(DISPLAY, 2, "first.roles", ANCHOR_MESSAGE),
        Problem(DISPLAY, line_number(text, "*team"), "second.roles", ALIAS_MESSAGE),
    ]
    assert loaded is not None and loaded.data["second"]["roles"] is None


def test_an_anchor_without_any_alias_is_refused_too() -> None:
    _, problems = load_text("roles: &team [radiologist]\n", DISPLAY)
    assert [problem.line for problem in problems] == [1]
    assert "anchors (&team)" in problems[0].message


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("title: !!binary aGVsbG8=\n", "!!binary"),
        ("title: !!str 12\n", "!!str"),
        ("roles: !!set {a, b}\n", "!!set"),
        ("record: !local {a: 1}\n", "!local"),
        ("items: !!python/list [1]\n", "!!python/list"),
    ],
)
def test_tags_are_refused_and_nothing_is_constructed_from_them(text: str, shown: str) -> None:
    loaded, problems = load_text(text, DISPLAY)
    assert len(problems) == 1 and problems[0].line == 1
    assert f"tags such as {shown} are not allowed" in problems[0].message
    assert loaded is not None
    assert all(not isinstance(value, bytes | set) for value in loaded.data.values())


def test_merge_key_is_one_clear_one_line_problem() -> None:
    text = "record:\n  <<: {kind: observed}\n  id: FW-01\n"
    _, problems = load_text(text, DISPLAY)
    assert [str(problem) for problem in problems] == [
        f"{DISPLAY}:2: record: merge keys (<<) are not allowed in guide data; write the fields out"
    ]


# --------------------------------------------------------------------------- characters and nesting


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\x00", "NULL"),
        ("\x07", "BELL"),
        ("\x1b", "ESCAPE"),
        ("\x7f", "DELETE"),
        ("\u2028", "LINE SEPARATOR"),
        ("\u2029", "PARAGRAPH SEPARATOR"),
        ("\x85", "NEXT LINE"),
    ],
)
def test_invisible_characters_are_named_on_their_own_line(char: str, name: str) -> None:
    text = f"id: FW-01\ntitle: Before{char}after\nphase: go-live\n"
    loaded, problems = load_text(text, DISPLAY)
    assert loaded is None
    assert len(problems) == 1
    assert problems[0].line == 2
    assert f"U+{ord(char):04X}" in problems[0].message and "tab" not in problems[0].message.lower()


@pytest.mark.parametrize("depth", [40, 5000])
def test_deeply_nested_flow_collections_are_one_problem_not_a_crash(depth: int) -> None:
    text = "value: " + "[" * depth + "]" * depth + "\n"
    _, problems = load_text(text, DISPLAY)
    assert len(problems) == 1 and problems[0].line == 1
    assert "levels deep" in problems[0].message or "nesting depth" in problems[0].message


def test_second_document_is_refused() -> None:
    _, problems = load_text("id: a\n---\nid: b\n", DISPLAY)
    assert [problem.line for problem in problems] == [2]


# --------------------------------------------------------------------------- file-level problems


def test_utf8_bom_is_accepted_by_load_text() -> None:
    loaded = load_clean("\ufeffid: FW-01\nroles: [radiologist]\n")
    assert loaded.data == {"id": "FW-01", "roles": ["radiologist"]}
    assert loaded.lines[("roles",)] == 2


def test_utf8_bom_is_accepted_by_load_file(tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: FW-01\nroles: [radiologist]\n")
    loaded, problems = load_file(path, DISPLAY)
    assert problems == []
    assert loaded is not None
    assert loaded.data == {"id": "FW-01", "roles": ["radiologist"]}
    assert loaded.lines[("roles",)] == 2


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# only a comment\n# and another\n"], ids=repr)
def test_empty_text_gives_the_empty_file_problem(text: str) -> None:
    loaded, problems = load_text(text, DISPLAY)
    assert loaded is None
    assert problems == [Problem(DISPLAY, 1, "", EMPTY_MESSAGE)]
    assert str(problems[0]) == f"{DISPLAY}:1: {EMPTY_MESSAGE}"


def test_tab_indentation_is_reported_on_its_line() -> None:
    text = "items:\n  - id: CL-01\n\ttier: essential\n"
    loaded, problems = load_text(text, DISPLAY)
    assert loaded is None
    assert problems == [Problem(DISPLAY, 3, "", "a tab character is used for indentation; indent with spaces only")]


def test_tab_inside_text_is_not_indentation() -> None:
    loaded = load_clean('note: "a\\tb"\ntitle: one\ttwo\n')
    assert loaded.data == {"note": "a\tb", "title": "one\ttwo"}


def test_syntax_error_is_one_problem_with_a_line() -> None:
    text = "id: FW-01\n  kind: observed\n"
    loaded, problems = load_text(text, DISPLAY)
    assert loaded is None
    assert len(problems) == 1
    assert problems[0].line == 2
    assert problems[0].message.startswith("YAML syntax error: ")
    assert "\n" not in problems[0].message


def test_non_text_field_name_is_reported() -> None:
    loaded, problems = load_text("2025: year\nid: FW-01\n", DISPLAY)
    assert problems == [Problem(DISPLAY, 1, "", "field name '2025' must be plain text; put it in quotes")]
    assert loaded is not None
    assert loaded.data == {"id": "FW-01"}


def test_non_utf8_file_is_reported_on_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_bytes(b"id: FW-01\ntitle: caf\xff\n")
    loaded, problems = load_file(path, DISPLAY)
    assert loaded is None
    assert problems == [Problem(DISPLAY, 2, "", "the file is not UTF-8 text; save it as UTF-8 in your editor")]


def test_missing_file_is_reported(tmp_path: Path) -> None:
    loaded, problems = load_file(tmp_path / "nowhere.yaml", DISPLAY)
    assert loaded is None
    assert problems == [Problem(DISPLAY, 0, "", "the file is missing")]
    assert str(problems[0]) == f"{DISPLAY}: the file is missing"


def test_file_over_the_size_limit_is_rejected_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiguide.loader, "MAX_FILE_BYTES", 64)
    path = tmp_path / "example.yaml"
    path.write_text("key: [unclosed\n" + "# padding\n" * 20, encoding="utf-8")
    size = path.stat().st_size
    assert size > 64
    loaded, problems = load_file(path, DISPLAY)
    assert loaded is None
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.line, problem.field) == (DISPLAY, 0, "")
    assert problem.message.startswith(f"the file is {size:,} bytes, over the ")
    assert problem.message.endswith(" limit; split it")
    assert "YAML" not in problem.message


def test_file_at_the_size_limit_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "example.yaml"
    path.write_text("id: FW-01\n", encoding="utf-8")
    monkeypatch.setattr(aiguide.loader, "MAX_FILE_BYTES", path.stat().st_size)
    loaded, problems = load_file(path, DISPLAY)
    assert problems == []
    assert loaded is not None
    assert loaded.data == {"id": "FW-01"}


def test_size_limit_message_names_the_limit_in_megabytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 1024 * 1024
    monkeypatch.setattr(aiguide.loader, "MAX_FILE_BYTES", limit)
    path = tmp_path / "example.yaml"
    path.write_bytes(b"#" * (limit + 1))
    _, problems = load_file(path, DISPLAY)
    assert [str(problem) for problem in problems] == [
        f"{DISPLAY}: the file is 1,048,577 bytes, over the 1 MB limit; split it"
    ]


@pytest.mark.parametrize("enabled_before", [True, False])
def test_loading_pauses_the_garbage_collector_and_leaves_it_as_it_was(enabled_before: bool) -> None:
    import gc

    from aiguide.memory import making_long_lived_objects

    (gc.enable if enabled_before else gc.disable)()
    try:
        with pytest.raises(RuntimeError), making_long_lived_objects():
            assert not gc.isenabled()
            raise RuntimeError("a failed load")
        assert gc.isenabled() == enabled_before
    finally:
        gc.enable()
