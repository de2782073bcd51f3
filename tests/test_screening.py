"""Screening before self-treatment: data, answers and state (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.knowledge.loader import default_knowledge
from assistant.safety import triage
from assistant.screening import (
    MAX_ITEMS,
    SCREENING_FILE,
    VALID_FOR_SECONDS,
    Kind,
    Screening,
    ScreeningError,
    Status,
    default_screening,
    load,
    recorded,
    status,
)

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


def test_a_broken_file_names_the_region_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(SCREENING_FILE.read_text())
    data["regions"]["jaw"]["items"].append("no_such_item")
    broken = tmp_path / "screening.yml"
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(ScreeningError, match="region 'jaw', field 'items': unknown item 'no_such_item'"):
        load(broken)
    data["regions"]["jaw"]["items"] = ["cancer_history"] * (MAX_ITEMS + 1)
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(ScreeningError, match="regions.jaw.items"):
        load(broken)
