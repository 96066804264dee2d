"""The data behind the readiness self-assessment: items, answers, weights, bands, rules and the embedded config."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from aiguide.fragments import Fragments, assessment_config
from aiguide.render import Renderer

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
