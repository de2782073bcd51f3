"""Screening before self-treatment, through the real trained model and the
real action server over REST."""

from __future__ import annotations

from assistant.screening import MAX_ITEMS
from tests.conftest import Chat, payload, texts

KNEE = "my knee buckles going down stairs"


def test_first_suggestions_come_with_the_screening_and_steps_wait_for_none(chat: Chat) -> None:
    replies = chat.say(KNEE)
    suggestions, screening = payload(replies, "muscle_suggestions"), payload(replies, "screening")
    assert suggestions and "vastus_medialis" in [m["id"] for m in suggestions["muscles"]]
    assert screening and screening["region"] == "knee_and_calf" and 1 <= len(screening["items"]) <= MAX_ITEMS
    assert all(item["id"] and item["text"] for item in screening["items"])
    assert "Releasing the" not in texts(replies)
    assert "Before you press on anything, do any of these apply?" in texts(replies)
    assert [b["title"] for r in replies for b in r.get("buttons", [])] == ["None of these", "Yes, one does", "Not sure"]
    steps = chat.say("None of these")
    assert "Releasing the Vastus medialis" in texts(steps) and "not a diagnosis" in texts(steps)
    assert "keeps coming back has a reason" in texts(steps)
    assert chat.slot("screening")["knee_and_calf"]["answer"] == "none"


def test_one_screening_per_region_and_a_new_region_gets_its_own(chat: Chat) -> None:
    chat.say_screened(KNEE)
    same_region = chat.say("my calf cramps at night")
    assert payload(same_region, "muscle_suggestions") and not payload(same_region, "screening")
    jaw = chat.say("my jaw aches from clenching my teeth")
    assert payload(jaw, "screening")["region"] == "jaw"
    assert "Releasing the" not in texts(jaw)


def test_a_typed_answer_naming_an_item_gets_its_advice_and_no_steps(chat: Chat) -> None:
    chat.say("my lower back aches when I stand up from a chair")
    advice = texts(chat.say("hmm, I'm on warfarin"))
    assert "blood thinners" in advice and "Releasing" not in advice
    again = texts(chat.say("how do I release it?"))
    assert "blood thinners" in again and "Releasing" not in again
    assert chat.slot("screening")["lower_back"]["item"] == "blood_thinners"


def test_yes_asks_which_and_the_button_gives_that_advice(chat: Chat) -> None:
    chat.say("the outside of my hip aches when I lie on that side")
    which = chat.say("/affirm")
    buttons = [b for r in which for b in r.get("buttons", [])]
    assert "Which one" in texts(which) and len(buttons) >= 3
    pregnancy = next(b for b in buttons if "pregnant" in b["title"])
    advice = chat.say(pregnancy["payload"])
    assert payload(advice, "red_flag") is None, "pressing an item is an answer, not an alarm"
    assert "midwife" in texts(advice) and "Releasing" not in texts(advice)


def test_not_sure_explains_once_then_holds_the_steps_back(chat: Chat) -> None:
    chat.say("my jaw aches from clenching my teeth")
    explained = texts(chat.say("Not sure"))
    assert "Here is what each one means" in explained and "giant cell arteritis" in explained
    careful = texts(chat.say("still not sure"))
    assert "doctor or pharmacist" in careful and "Releasing" not in careful
    asked_again = chat.say("how do I release it?")
    assert payload(asked_again, "screening") and "Releasing" not in texts(asked_again)
    assert "Releasing the" in texts(chat.say("none of these"))


def test_none_of_these_after_still_not_sure_brings_the_steps(chat: Chat) -> None:
    chat.say("my lower back aches after sitting")
    chat.say("Not sure")
    chat.say("not sure")
    assert "Releasing the" in texts(chat.say("I checked with my GP, none of these apply"))


def test_a_question_during_the_screening_is_answered_and_the_answer_still_counts(chat: Chat) -> None:
    chat.say(KNEE)
    assert "knot" in texts(chat.say("what is a trigger point?"))
    assert "Releasing the" in texts(chat.say("none of them"))


def test_a_red_flag_beats_the_screening_answer(chat: Chat) -> None:
    chat.say(KNEE)
    replies = chat.say("none, but my calf has swollen up since my flight")
    assert payload(replies, "red_flag") and "Releasing" not in texts(replies)


def test_deleting_my_data_erases_the_screening_answers(chat: Chat) -> None:
    chat.say_screened(KNEE)
    assert chat.slot("screening")
    chat.say("delete my data")
    assert chat.slot("screening") is None
    assert payload(chat.say(KNEE), "screening"), "a blank page asks again"


def test_a_bar_is_explained_not_suggested(chat: Chat) -> None:
    chat.say_screened("my inner thigh aches when I squat")
    text = texts(chat.say("I only have a barbell"))
    assert "I don't suggest a barbell" in text and "What do you have at hand?" in text
    assert "barbell" not in (chat.slot("tools") or [])
    steps = texts(chat.say("how do I release it with a barbell?"))
    assert "I don't suggest a barbell" in steps and "Releasing the" in steps


def test_a_massage_gun_is_explained_not_suggested(chat: Chat) -> None:
    chat.say("my inner thigh aches after squats")
    text = texts(chat.say("I've got a massage gun"))
    assert "I don't give steps for a massage gun" in text
    assert "massage_gun" not in (chat.slot("tools") or [])


def test_typing_its_not_that_after_the_urgent_reply_goes_on(chat: Chat) -> None:
    assert payload(chat.say("I've been wetting myself and my back aches"), "red_flag")
    replies = texts(chat.say("it's not that, it's just a bit of pee when I sneeze"))
    assert "Sorry it didn't help" not in replies and "just to be sure" in replies.lower()
    confirmed = texts(chat.say("yes")).lower()
    assert "putting me right" in confirmed and "where do" in confirmed


def test_a_correction_that_describes_the_pain_is_answered_once(chat: Chat) -> None:
    assert payload(chat.say("I'm 72 and my jaw aches when I chew"), "red_flag")
    assert "just to be sure" in texts(chat.say("it's not that, my jaw just clicks when I open wide")).lower()
    replies = chat.say("/affirm")
    assert "putting me right" in texts(replies)
    assert sum(1 for r in replies if (r.get("custom") or {}).get("type") == "muscle_suggestions") == 1
