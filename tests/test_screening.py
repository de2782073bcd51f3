"""Screening before self-treatment: data, answers and state (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.knowledge.loader import default_knowledge
from assistant.knowledge.schema import REGIONS
from assistant.screening import (
    MAX_ITEMS,
    SCREENING_FILE,
    VALID_FOR_SECONDS,
    Answer,
    Kind,
    Screening,
    ScreeningError,
    Status,
    default_screening,
    load,
    recorded,
    status,
)
from assistant.understand import triage

NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def screening() -> Screening:
    return default_screening()


def test_every_region_of_the_knowledge_base_is_screened(screening: Screening) -> None:
    regions = {m.region for m in default_knowledge().muscles.values()}
    assert {r: screening.region_for(r) for r in regions if screening.region_for(r) is None} == {}


def test_items_are_short_plain_and_sourced(screening: Screening) -> None:
    for region in screening.data.regions.values():
        assert 1 <= len(region.items) <= MAX_ITEMS
    for ident, item in screening.data.items.items():
        assert len(item.text) <= 110, ident
        assert "_" not in item.text, ident
        assert any(body in item.source for body in ("NICE", "NHS", "AHCPR", "BSR", "RCOG", "Batavia")), ident


def test_the_question_carries_the_contract_payload(screening: Screening) -> None:
    text, custom = screening.question("lower_back")
    assert text["text"].startswith("Before you press on anything, do any of these apply?")
    assert [b["title"] for b in text["buttons"]] == ["None of these", "Yes, one does", "Not sure"]
    payload = custom["custom"]
    assert payload["type"] == "screening" and payload["region"] == "lower_back"
    assert {"id": "cancer_history", "text": "You have had cancer, even years ago"} in payload["items"]


def test_no_item_button_payload_trips_the_red_flag_triage(screening: Screening) -> None:
    # The buttons carry ordinals, not words like "cancer": pressing one gets that
    # item's advice instead of the urgent reply meant for a typed message.
    for region in screening.data.regions:
        for button in screening.which(region)["buttons"]:
            assert not triage(button["payload"]).flagged, button


@pytest.mark.parametrize(
    "text, kind, item",
    [
        ("/deny", Kind.none, None),
        ("None of these", Kind.none, None),
        ("nope, none apply", Kind.none, None),
        ("no", Kind.none, None),
        ("/affirm", Kind.yes, None),
        ("Yes, one does", Kind.yes, None),
        ('/affirm{"ordinal": "6"}', Kind.item, "blood_thinners"),
        ("I'm on warfarin", Kind.item, "blood_thinners"),
        ("yes I take prednisolone", Kind.item, "steroids_or_thin_bones"),
        ("not sure", Kind.unsure, None),
        ("I don't know", Kind.unsure, None),
        ("no, I'm not on blood thinners", Kind.none, None),
    ],
)
def test_answers_are_read_in_any_wording(screening: Screening, text: str, kind: Kind, item: str | None) -> None:
    answer = screening.parse_answer("lower_back", text)
    assert answer is not None and answer.kind is kind and answer.item == item


def test_ordinals_name_an_item_only_after_which_one(screening: Screening) -> None:
    assert screening.parse_answer("lower_back", "the second one") is None
    answer = screening.parse_answer("lower_back", "the second one", asked_which=True)
    assert answer is not None and answer.item == "steroids_or_thin_bones"


def test_questions_and_new_symptoms_are_not_answers(screening: Screening) -> None:
    assert screening.parse_answer("lower_back", "how do I release it?") is None
    assert screening.parse_answer("lower_back", "what about the outside of my hip") is None


def test_state_after_each_answer_and_a_week_later(screening: Screening) -> None:
    none = screening.parse_answer("lower_back", "none of these")
    state = recorded({}, "lower_back", none, NOW)
    assert status(state, "lower_back", NOW) is Status.cleared
    assert status(state, "jaw", NOW) is Status.due
    assert status(state, "lower_back", NOW + VALID_FOR_SECONDS) is Status.due
    item = recorded(state, "jaw", screening.parse_answer("jaw", "I have an abscess"), NOW)
    assert status(item, "jaw", NOW) is Status.blocked and status(item, "lower_back", NOW) is Status.cleared


def test_not_sure_explains_once_then_counts_as_unsure(screening: Screening) -> None:
    unsure = screening.parse_answer("jaw", "not sure")
    once = recorded({}, "jaw", unsure, NOW)
    assert status(once, "jaw", NOW) is Status.due and once["jaw"]["explained"]
    twice = recorded(once, "jaw", unsure, NOW)
    assert status(twice, "jaw", NOW) is Status.unsure
    assert status(recorded(twice, "jaw", screening.parse_answer("jaw", "none of these"), NOW), "jaw", NOW) is Status.cleared


def written(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "screening.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_broken_file_names_the_region_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(SCREENING_FILE.read_text())
    data["regions"]["jaw"]["items"].append("no_such_item")
    broken = written(tmp_path, data)
    with pytest.raises(ScreeningError, match="region 'jaw', field 'items': unknown item 'no_such_item'"):
        load(broken)
    data["regions"]["jaw"]["items"] = ["cancer_history"] * (MAX_ITEMS + 1)
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(ScreeningError, match="regions.jaw.items"):
        load(broken)


def test_every_body_region_a_muscle_may_have_is_screened_exactly_once(screening: Screening) -> None:
    covering = {r: [rid for rid, region in screening.data.regions.items() if r in region.covers] for r in REGIONS}
    assert {r: owners for r, owners in covering.items() if len(owners) != 1} == {}


@pytest.mark.parametrize(
    "kb_region, region",
    [("neck", "neck_and_head"), ("shoulder", "shoulder_and_arm"), ("arm", "shoulder_and_arm"), ("upper_back", "upper_back_and_chest"),
     ("chest", "upper_back_and_chest"), ("abdomen", "belly"), ("lower_leg", "knee_and_calf"), ("foot", "ankle_and_foot")],
)
def test_the_whole_body_regions_are_screened(screening: Screening, kb_region: str, region: str) -> None:
    assert screening.region_for(kb_region) == region


def test_the_neck_screening_asks_what_the_neck_guidelines_ask(screening: Screening) -> None:
    items = screening.items("neck_and_head")
    assert {"neck_injury_recent", "upper_neck_instability", "dizzy_on_turning", "heart_risk", "fever_or_unwell", "steroids_or_thin_bones",
            "blood_thinners", "cancer_history"} == set(items)
    for item in ("neck_injury_recent", "upper_neck_instability", "dizzy_on_turning"):
        assert "IFOMPT" in screening.data.items[item].source and "NICE CKS Neck pain" in screening.data.items[item].source
    for text, item in [("I had whiplash last week", "neck_injury_recent"), ("I have Down syndrome", "upper_neck_instability"),
                       ("I see double when I look up", "dizzy_on_turning"), ("I'm on warfarin", "blood_thinners")]:
        answer = screening.parse_answer("neck_and_head", text)
        assert answer is not None and answer.item == item, text


def test_the_upper_body_asks_about_the_heart(screening: Screening) -> None:
    for region in ("shoulder_and_arm", "upper_back_and_chest"):
        assert "heart_risk" in screening.items(region)
    assert screening.parse_answer("shoulder_and_arm", "I have angina") == Answer(Kind.item, "heart_risk")


def test_the_belly_asks_about_an_aneurysm_and_pregnancy(screening: Screening) -> None:
    assert {"aortic_aneurysm", "pregnant_or_recent_birth_belly", "bowel_condition"} <= set(screening.items("belly"))


def test_the_foot_asks_about_diabetes_and_circulation(screening: Screening) -> None:
    assert {"diabetes_numb_feet", "poor_circulation"} <= set(screening.items("ankle_and_foot"))


def test_a_body_region_without_screening_is_rejected(tmp_path: Path) -> None:
    data = yaml.safe_load(SCREENING_FILE.read_text())
    del data["regions"]["belly"]
    broken = written(tmp_path, data)
    with pytest.raises(ScreeningError, match="no screening region covers abdomen"):
        load(broken)


def test_a_region_covering_an_unknown_body_region_is_rejected(tmp_path: Path) -> None:
    data = yaml.safe_load(SCREENING_FILE.read_text())
    data["regions"]["belly"]["covers"].append("tummy")
    broken = written(tmp_path, data)
    with pytest.raises(ScreeningError, match="'tummy' is no body region"):
        load(broken)


# --- the second clinical review (docs/safety.md H56-H69) -------------------------


@pytest.mark.parametrize(
    "region, item",
    [
        ("knee_and_calf", "poor_circulation"),
        ("hip_and_thigh", "steroids_or_thin_bones"),
        ("hip_and_thigh", "veins_or_skin"),
        ("ankle_and_foot", "pregnant_or_new_baby"),
        ("upper_back_and_chest", "lymph_nodes_or_swollen_arm"),
        ("jaw", "heart_risk"),
        ("neck_and_head", "heart_risk"),
        ("neck_and_head", "dizzy_on_turning"),
        ("neck_and_head", "fever_or_unwell"),
        ("lower_back", "pregnant_back"),
        ("lower_back", "aortic_aneurysm"),
    ],
)
def test_the_items_the_second_review_found_missing_are_asked(screening: Screening, region: str, item: str) -> None:
    assert item in screening.items(region)


@pytest.mark.parametrize(
    "region, text, item",
    [
        ("knee_and_calf", "my calf hurts walking uphill and goes when I stop", "poor_circulation"),
        ("hip_and_thigh", "I've been on prednisolone for years", "steroids_or_thin_bones"),
        ("hip_and_thigh", "I have varicose veins on my inner thigh", "veins_or_skin"),
        ("ankle_and_foot", "I'm 30 weeks pregnant", "pregnant_or_new_baby"),
        ("upper_back_and_chest", "they took out the lymph glands under my arm", "lymph_nodes_or_swollen_arm"),
        ("jaw", "it comes on with effort", "heart_risk"),
        ("neck_and_head", "I had a mini-stroke two years ago", "dizzy_on_turning"),
        ("neck_and_head", "I've been told my carotid artery is narrowed", "dizzy_on_turning"),
        ("neck_and_head", "I feel unwell and shivery", "fever_or_unwell"),
        ("lower_back", "I'm 20 weeks pregnant", "pregnant_back"),
        ("lower_back", "they found an aortic aneurysm at my screening", "aortic_aneurysm"),
    ],
)
def test_the_new_items_are_read_from_typed_answers(screening: Screening, region: str, text: str, item: str) -> None:
    answer = screening.parse_answer(region, text)
    assert answer == Answer(Kind.item, item), (text, answer)


def test_a_denied_new_item_clears_the_region(screening: Screening) -> None:
    assert screening.parse_answer("lower_back", "no, I'm not pregnant") == Answer(Kind.none)
    assert screening.parse_answer("neck_and_head", "never had a stroke") == Answer(Kind.none)


def test_pregnancy_advice_for_the_back_says_why_not_to_lie_on_a_ball(screening: Screening) -> None:
    advice = screening.advice("pregnant_back")
    assert "16 weeks" in advice and "on your back on a ball" in advice and "faint" in advice
    assert "NHS Exercise in pregnancy" in screening.data.items["pregnant_back"].source


def test_an_eighth_item_is_named_by_its_ordinal(screening: Screening) -> None:
    items = screening.items("lower_back")
    assert len(items) == MAX_ITEMS
    assert screening.parse_answer("lower_back", "the eighth", asked_which=True) == Answer(Kind.item, items[7])
    assert screening.parse_answer("lower_back", '/affirm{"ordinal": "8"}') == Answer(Kind.item, items[7])
