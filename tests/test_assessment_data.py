"""The data behind the readiness self-assessment: items, answers, weights, bands, rules and the embedded config."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections import Counter
from html import unescape as html_unescape
from pathlib import Path

import pytest

from aiguide.fragments import Fragments, assessment_config
from aiguide.model import MinAnswered
from aiguide.render import Renderer, plain

from .conftest import PROJECT_DIR, with_model

ASSESSMENT_PAGE = "assessment/index.md"
EMBEDDED_CONFIG = re.compile(r'<script type="application/json" id="ag-assessment-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def config(loaded) -> dict:
    """The config as the page embeds it: through JSON, as the browser reads it."""
    return json.loads(json.dumps(assessment_config(loaded.model, Renderer(loaded, lambda: ASSESSMENT_PAGE))))


def test_every_checklist_item_has_an_existing_phase_theme_and_weighted_tier(guide) -> None:
    weights = guide.assessment.weights
    for item in guide.items:
        assert item.phase in guide.phase, f"{item.id}: unknown phase {item.phase!r}"
        assert item.theme in guide.theme, f"{item.id}: unknown theme {item.theme!r}"
        assert item.tier in weights, f"{item.id}: tier {item.tier!r} has no weight"
        assert weights[item.tier] > 0


def test_answer_ids_are_unique_and_scores_are_shares_between_0_and_1(guide) -> None:
    answers = guide.assessment.answers
    assert len({answer.id for answer in answers}) == len(answers)
    assert all(0 <= answer.score <= 1 for answer in answers)
    assert any(answer.counts and answer.score == 1 for answer in answers), "a full score must be reachable"
    assert any(answer.counts and answer.score == 0 for answer in answers), "a zero score must be reachable"
    assert all("." not in answer.id and "," not in answer.id for answer in answers), "share links split on . and ,"


def test_bands_start_at_zero_and_cover_every_score_up_to_100(guide) -> None:
    assessment = guide.assessment
    bands = assessment.bands
    assert len({band.id for band in bands}) == len(bands)
    assert min(band.min for band in bands) == 0
    assert all(0 <= band.min <= 100 for band in bands)


def test_every_blocking_rule_names_existing_answers_bands_and_tiers(guide) -> None:
    assessment = guide.assessment
    answer_ids = {answer.id for answer in assessment.answers}
    band_ids = {band.id for band in assessment.bands}
    assert assessment.blocking, "the published rule promises at least one blocking rule"
    for rule in assessment.blocking:
        assert rule.answers, rule.id
        assert set(rule.answers) <= answer_ids, f"{rule.id}: unknown answers {set(rule.answers) - answer_ids}"
        assert rule.band in band_ids, f"{rule.id}: unknown band {rule.band!r}"
        assert rule.tier in assessment.weights, f"{rule.id}: unknown tier {rule.tier!r}"
        assert any(item.tier == rule.tier for item in guide.items), f"{rule.id}: no item of tier {rule.tier!r}"


def test_config_holds_every_checklist_item_once_with_its_theme_and_step(guide, config) -> None:
    counts = Counter(item["id"] for item in config["items"])
    assert counts == Counter(item.id for item in guide.items)
    assert set(counts.values()) == {1}
    for item in config["items"]:
        assert item["theme"] in config["themes"]
        assert item["phase"] in config["phases"]
        assert item["tier"] in config["weights"]
        for action in item["actions"]:
            assert action["title"] and action["action"]
            assert action["url"].startswith("../"), "links must work from the assessment page, also over file://"


def test_config_carries_the_scoring_rule_and_guide_version(guide, config) -> None:
    assessment = guide.assessment
    assert config["guide"]["version"] == guide.meta.version
    assert config["storageKey"]
    assert [answer["id"] for answer in config["answers"]] == [answer.id for answer in assessment.answers]
    assert config["weights"] == assessment.weights
    assert {band["id"]: band["min"] for band in config["bands"]} == {band.id: band.min for band in assessment.bands}
    assert [rule["id"] for rule in config["blocking"]] == [rule.id for rule in assessment.blocking]
    assert sorted(phase["order"] for phase in config["phases"].values()) == sorted(p.order for p in guide.phases)


def test_assessment_form_embeds_the_config_and_one_question_per_item(loaded, guide) -> None:
    html = Fragments(loaded, lambda: ASSESSMENT_PAGE).assessment_form()
    embedded = EMBEDDED_CONFIG.findall(html)
    assert len(embedded) == 1
    config = json.loads(embedded[0])
    assert Counter(item["id"] for item in config["items"]) == Counter(item.id for item in guide.items)
    questions = Counter(re.findall(r'<fieldset class="ag-question" data-item="([^"]+)"', html))
    assert questions == Counter(item.id for item in guide.items)
    for item in guide.items:
        for answer in guide.assessment.answers:
            assert html.count(f'name="{item.id}" value="{answer.id}"') == 1, (item.id, answer.id)
        assert html.count(f'name="note-{item.id}"') == 1


# --- The minimum of answers before a result ----------------------------------------------------------


def test_config_carries_the_minimum_of_answers_and_the_input_limits(guide, config) -> None:
    minimum = guide.assessment.min_answered
    assert config["minAnswered"] == {"share": minimum.share, "atLeast": minimum.at_least}
    assert 0 <= minimum.share <= 1 and minimum.at_least >= 2, "no result may rest on a single answer"
    assert config["limits"]["note"] > 0 and config["limits"]["text"] > config["limits"]["note"]


@pytest.mark.parametrize(
    ("share", "at_least", "in_scope", "needed"),
    [(0.6, 2, 8, 5), (0.6, 2, 5, 3), (0.6, 2, 1, 1), (0, 3, 10, 3), (1, 2, 7, 7), (0.5, 2, 3, 2), (0.6, 2, 0, 0)],
)
def test_needed_answers_follow_the_published_rule(share, at_least, in_scope, needed) -> None:
    """The larger of the share (rounded up, 0.6 x 5 = 3 despite floating point) and at_least, capped at the total."""
    assert MinAnswered(share, at_least).needed(in_scope) == needed


def test_rule_states_the_minimum_from_the_data(loaded, guide) -> None:
    minimum = dataclasses.replace(guide.assessment, min_answered=MinAnswered(share=0.75, at_least=4))
    altered = with_model(loaded, dataclasses.replace(guide, assessment=minimum))
    text = Fragments(altered, lambda: ASSESSMENT_PAGE).assessment_rule()
    assert "at least 75% of them" in text
    assert "never fewer than 4" in text
    real = Fragments(loaded, lambda: ASSESSMENT_PAGE).assessment_rule()
    assert f"never fewer than {guide.assessment.min_answered.at_least}" in real
    assert f"at least {guide.assessment.min_answered.share * 100:g}% of them" in real


def test_every_question_offers_its_help_text_inline(loaded, guide) -> None:
    html = Fragments(loaded, lambda: ASSESSMENT_PAGE).assessment_form()
    for item in guide.items:
        question = html.split(f'data-item="{item.id}"', 1)[1].split("</fieldset>", 1)[0]
        assert '<details class="ag-help">' in question, item.id
        assert plain(item.help) in html_unescape(question), item.id


def run_check(project: Path) -> tuple[int, list[str], str]:
    """``python -m aiguide check`` on ``project``: exit status, problem lines, stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "aiguide", "--project", str(project), "check"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, [line for line in result.stderr.splitlines() if line.startswith("data/")], result.stderr


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("share", "1.5", "1.5 is out of range: it must be at most 1"),
        ("share", "-0.2", "-0.2 is out of range: it must be at least 0"),
        ("share", '"60%"', "must be a number, not text"),
        ("at_least", "1", "1 is out of range: it must be at least 2"),
        ("at_least", '"two"', "must be a whole number, not text"),
    ],
    ids=["share-above-1", "share-negative", "share-as-text", "at-least-1", "at-least-as-text"],
)
def test_bad_minimum_gives_one_line_and_fails_the_check(project_copy: Path, key, value, message) -> None:
    path = project_copy / "data" / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^min_answered:\n(?:  .*\n)*?(  {key}: .*)$", text, flags=re.MULTILINE)
    assert match, f"min_answered.{key} is not in data/assessment.yaml"
    path.write_text(text[: match.start(1)] + f"  {key}: {value}" + text[match.end(1) :], encoding="utf-8")
    line = text.count("\n", 0, match.start(1)) + 1
    status, problems, stderr = run_check(project_copy)
    assert status != 0
    assert problems == [f"data/assessment.yaml:{line}: min_answered.{key}: {message}"], stderr


def test_missing_minimum_is_reported(project_copy: Path) -> None:
    path = project_copy / "data" / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^min_answered:\n(?:  .*\n)+", text, flags=re.MULTILINE)
    assert block
    path.write_text(text[: block.start()] + text[block.end() :], encoding="utf-8")
    status, problems, stderr = run_check(project_copy)
    assert status != 0
    assert len(problems) == 1, stderr
    assert re.fullmatch(r"data/assessment\.yaml:\d+: min_answered: is missing; this field is required", problems[0])
