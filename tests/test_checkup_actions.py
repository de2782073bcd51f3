"""Check-up, session-start memory and red-flag actions on named tracker states."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.checkup import ActionAskCheckupQuestion, ActionCheckupSummary, ValidateCheckupForm
from actions.conversation import ActionYesNo
from actions.knowledge import ActionRootCause
from actions.safety import ActionRedFlag
from actions.session import ActionSessionStart
from tests.test_actions import run, slots, tracker

KNEE_QUESTIONS = ["overuse", "sitting_posture", "footwear", "pelvic_tilt", "check:muscle:adductor_longus"]


def in_checkup(answers: list, text: str, intent: str = "nlu_fallback"):
    state = tracker("three_suggested", text=text, intent={"name": intent}, entities=[])
    state.slots.update(
        checkup_muscles=["vastus_medialis", "rectus_femoris", "vastus_intermedius"],
        checkup_questions=KNEE_QUESTIONS,
        checkup_answers=answers,
    )
    state.active_loop = {"name": "checkup_form"}
    return state


def validate(state) -> tuple[list, dict]:
    dispatcher = CollectingDispatcher()
    result = ValidateCheckupForm().validate_checkup_question(state.latest_message["text"], dispatcher, state, {})
    return dispatcher.messages, result


def test_root_cause_with_muscles_sets_up_the_checkup() -> None:
    messages, events = run(ActionRootCause(), tracker("three_suggested", text="why does it keep coming back", entities=[]))
    assert messages == []
    assert slots(events)["checkup_ready"] is True
    assert slots(events)["checkup_questions"] == KNEE_QUESTIONS
    assert slots(events)["checkup_answers"] == []


def test_stop_outside_the_checkup_starts_nothing() -> None:
    messages, events = run(ActionRootCause(), tracker("three_suggested", text="stop", entities=[]))
    assert "no more questions" in messages[0]["text"] and slots(events) == {"checkup_ready": None}


def test_root_cause_without_muscles_keeps_the_short_answer() -> None:
    state = tracker("three_suggested", text="why do trigger points come back", entities=[])
    state.slots.update(suggested_muscles=None, current_muscle=None)
    messages, events = run(ActionRootCause(), state)
    assert "keeps coming back" not in messages[0]["text"] and "how you sleep" in messages[0]["text"]
    assert slots(events)["checkup_ready"] is None


def test_asks_the_next_unanswered_question_with_buttons() -> None:
    messages, _ = run(ActionAskCheckupQuestion(), in_checkup(["overuse=yes"], "yes"))
    assert messages[0]["text"].startswith("2/5.") and "sit" in messages[0]["text"]
    assert {b["title"] for b in messages[0]["buttons"]} >= {"Yes", "No", "Skip", "Stop"}


def test_an_answer_is_recorded_and_the_next_question_follows() -> None:
    _, result = validate(in_checkup([], "/affirm", "affirm"))
    assert result == {"checkup_question": None, "checkup_answers": ["overuse=yes"]}


def test_skip_moves_on_and_stop_ends_the_form() -> None:
    _, skipped = validate(in_checkup(["overuse=yes"], "skip"))
    assert skipped["checkup_answers"][-1] == "sitting_posture=skip" and skipped["checkup_question"] is None
    _, stopped = validate(in_checkup(["overuse=yes"], "stop please"))
    assert stopped["checkup_answers"][-1] == "sitting_posture=stop" and stopped["checkup_question"] == "done"


def test_the_reset_at_the_start_is_not_an_answer() -> None:
    assert validate(in_checkup([], None)) == ([], {})


def test_the_last_answer_ends_the_form_and_no_answer_asks_again() -> None:
    _, last = validate(in_checkup([f"{q}=no" for q in KNEE_QUESTIONS[:-1]], "yes they are"))
    assert last["checkup_question"] == "done"
    messages, again = validate(in_checkup([], "my calf is purple"))
    assert again == {"checkup_question": None} and "skip or stop" in messages[0]["text"]


def test_summary_is_personal_and_clears_the_form_slots() -> None:
    messages, events = run(ActionCheckupSummary(), in_checkup(["overuse=yes", "sitting_posture=no", "footwear=stop"], "stop"))
    assert messages[0]["text"].startswith("OK, we'll stop") and "running" in messages[0]["text"]
    assert slots(events) == {"checkup_question": None, "checkup_ready": None}


def test_red_flag_inside_the_checkup_ends_the_form() -> None:
    state = in_checkup(["overuse=yes"], "my calf is hot, red and swollen")
    messages, events = run(ActionRedFlag(), state)
    assert any((m.get("custom") or {}).get("type") == "red_flag" for m in messages)
    assert {"event": "active_loop", "timestamp": None, "name": None} in events


def test_session_start_welcomes_back_with_the_last_muscle_and_carries_slots() -> None:
    messages, events = run(ActionSessionStart(), tracker("three_suggested"))
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    carried = slots(events)
    assert carried["suggested_muscles"][0] == "vastus_medialis" and carried["awaiting"] == "progress"
    assert "Welcome back" in messages[0]["text"] and "Vastus medialis" in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["Better", "The same", "Worse"]


def test_session_start_after_two_failed_rounds_points_to_the_root_cause() -> None:
    state = tracker("tried_twice")
    state.slots["failed_rounds"] = 2.0
    messages, _ = run(ActionSessionStart(), state)
    assert "root cause" in messages[0]["text"] and messages[0]["buttons"][-1]["payload"] == "/ask_root_cause"


def test_first_session_has_no_welcome_back() -> None:
    state = tracker("three_suggested")
    state.slots = {k: None for k in state.slots}
    messages, events = run(ActionSessionStart(), state)
    assert messages == [] and "awaiting" not in slots(events)


def test_rating_same_marks_the_method_tried_and_moves_on() -> None:
    state = tracker("tried_twice", text="/deny", intent={"name": "deny"})
    state.slots.update(awaiting="progress", failed_rounds=0.0)
    messages, events = run(ActionYesNo(), state)
    assert slots(events)["tried"] == ["gracilis:hands", "gracilis:lacrosse_ball"]
    assert slots(events)["method_ratings"] == ["gracilis:lacrosse_ball=not_better"]
    assert slots(events)["failed_rounds"] == 1.0 and "Releasing" in " ".join(m["text"] or "" for m in messages)


def test_rating_better_is_remembered() -> None:
    state = tracker("tried_twice", text="/affirm", intent={"name": "affirm"})
    state.slots["awaiting"] = "progress"
    messages, events = run(ActionYesNo(), state)
    assert slots(events)["method_ratings"] == ["gracilis:lacrosse_ball=better"]
    assert "Good to hear" in messages[0]["text"]



def extract(state) -> dict:
    return asyncio.run(ValidateCheckupForm().extract_checkup_question(CollectingDispatcher(), state, {}))


def test_answers_are_taken_but_red_flags_and_deletion_are_left_to_others() -> None:
    state = in_checkup([], "not sure")
    assert extract(state) == {}  # no question asked yet (form just activated)
    state.slots["requested_slot"] = "checkup_question"
    assert extract(state) == {"checkup_question": "not sure"}
    flagged = in_checkup([], "my calf is hot, red and swollen")
    flagged.slots["requested_slot"] = "checkup_question"
    assert extract(flagged) == {}
    delete = in_checkup([], "delete my data", "delete_my_data")
    delete.slots["requested_slot"] = "checkup_question"
    assert extract(delete) == {}
