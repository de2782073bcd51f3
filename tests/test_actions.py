"""Actions run against named tracker states, with the events they return."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionYesNo
from actions.release import ActionMore, ActionRelease, ActionSetTools, ActionTriedAlready
from actions.symptoms import ActionSuggestMuscles
from assistant.screening import default_screening

STATES = Path(__file__).parent / "data" / "trackers"


def tracker(name: str, screened: bool = True, **message) -> Tracker:
    """A named state; `screened`: the person has answered "None of these" for
    every region just now, so release steps are not held back."""
    state = json.loads((STATES / f"{name}.json").read_text())
    state["latest_message"].update(message)
    if screened:
        now = time.time()
        state["slots"]["screening"] = {
            region: {"answer": "none", "item": None, "explained": False, "at": now} for region in default_screening().data.regions
        }
    return Tracker.from_dict(state)


def run(action, state: Tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def slots(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_second_one_moves_focus_to_the_second_muscle() -> None:
    messages, events = run(ActionMore(), tracker("three_suggested"))
    assert slots(events)["current_muscle"] == "rectus_femoris"
    assert "second" in messages[0]["text"] and "Rectus femoris" in messages[0]["text"]


def test_next_without_ordinal_follows_the_one_in_focus() -> None:
    _, events = run(ActionMore(), tracker("three_suggested", entities=[], text="anything else?"))
    assert slots(events)["current_muscle"] == "rectus_femoris"


def test_tennis_ball_replaces_tools_and_adapts_the_method() -> None:
    messages, events = run(ActionSetTools(), tracker("three_suggested", text="I only have a tennis ball", entities=[]))
    assert slots(events)["tools"] == ["tennis_ball"]
    assert "tennis ball" in messages[0]["text"]


def test_lacking_a_tool_removes_it() -> None:
    _, events = run(ActionSetTools(), tracker("tried_twice", text="I don't have a lacrosse ball", entities=[]))
    assert "lacrosse_ball" not in slots(events)["tools"]


def test_second_failed_round_points_to_root_cause_and_professional() -> None:
    messages, events = run(ActionTriedAlready(), tracker("tried_twice"))
    assert slots(events)["failed_rounds"] == 2.0
    assert "physiotherapist" in messages[0]["text"]
    assert any(b["payload"] == "/ask_root_cause" for b in messages[0]["buttons"])


def test_first_failed_round_offers_another_method() -> None:
    state = tracker("tried_twice")
    state.slots["failed_rounds"] = 0.0
    state.slots["tried"] = []
    messages, events = run(ActionTriedAlready(), state)
    assert slots(events)["failed_rounds"] == 1.0
    assert "Releasing the Gracilis" in messages[1]["text"]
    assert slots(events)["tried"] == ["gracilis:lacrosse_ball"]


def test_denying_a_red_flag_lets_the_conversation_go_on() -> None:
    messages, events = run(ActionYesNo(), tracker("red_flag_raised"))
    assert "where does it hurt" in messages[0]["text"].lower()
    assert SlotSet("awaiting", None) in events


def test_clarifying_answer_is_merged_with_the_earlier_message() -> None:
    state = tracker("red_flag_raised", text='/describe_symptom{"body_part": "outside_of_thigh"}',
                    intent={"name": "describe_symptom"}, entities=[{"entity": "body_part", "value": "outside_of_thigh"}])
    state.slots["awaiting"] = "area"
    state.slots["features"] = {"sensations": {"burning": "burns"}, "activities": {"lying_on_side": "lie on that side"}}
    messages, events = run(ActionSuggestMuscles(), state)
    custom = next(m["custom"] for m in messages if m.get("custom"))
    assert custom["muscles"][0]["id"] == "vastus_lateralis"
    # No longer where it hurts: the steps came, then the 0-10 pain question.
    assert slots(events)["awaiting"] == "rating"


def test_screening_older_than_a_week_is_asked_again() -> None:
    state = tracker("three_suggested", text="how do I release it?", intent={"name": "ask_release"}, entities=[])
    week_old = time.time() - 8 * 24 * 3600
    state.slots["screening"] = {r: {**v, "at": week_old} for r, v in state.slots["screening"].items()}
    messages, events = run(ActionRelease(), state)
    assert any((m.get("custom") or {}).get("type") == "screening" for m in messages)
    assert not any("Releasing" in (m.get("text") or "") for m in messages)
    assert slots(events)["awaiting"] == "screening"
    fresh, _ = run(ActionRelease(), tracker("three_suggested", text="how do I release it?", intent={"name": "ask_release"}, entities=[]))
    assert any("Releasing" in (m.get("text") or "") for m in fresh)


def test_a_bar_is_explained_and_never_kept_as_a_tool() -> None:
    messages, events = run(ActionSetTools(), tracker("three_suggested", text="all I have is a barbell", entities=[]))
    assert messages[0]["text"].startswith("I don't suggest a barbell")
    assert "barbell" not in (slots(events).get("tools") or [])


def test_tools_named_before_the_screening_is_answered_are_noted_and_the_question_repeated() -> None:
    state = tracker("three_suggested", screened=False, text="I only have a tennis ball", entities=[])
    messages, events = run(ActionSetTools(), state)
    assert "tennis ball" in messages[0]["text"]
    assert any((m.get("custom") or {}).get("type") == "screening" for m in messages)
    assert slots(events)["tools"] == ["tennis_ball"] and slots(events)["awaiting"] == "screening"


def test_a_nickname_spanning_places_asks_which_part_then_ranks_with_the_answer() -> None:
    state = tracker("red_flag_raised", text="my quads are killing me", intent={"name": "describe_symptom"}, entities=[])
    state.slots["awaiting"] = None
    messages, events = run(ActionSuggestMuscles(), state)
    assert "quads" in messages[0]["text"]
    assert {"Front of the thigh", "Outside of the thigh"} <= {b["title"] for b in messages[0]["buttons"]}
    assert slots(events)["awaiting"] == "sub_area"
    answer = tracker("red_flag_raised", text='/describe_symptom{"body_part": "outside_of_thigh"}',
                     intent={"name": "describe_symptom"}, entities=[{"entity": "body_part", "value": "outside_of_thigh"}])
    answer.slots.update(awaiting="sub_area", features=slots(events)["features"])
    messages, _ = run(ActionSuggestMuscles(), answer)
    custom = next(m["custom"] for m in messages if m.get("custom"))
    assert custom["muscles"][0]["id"] == "vastus_lateralis"
