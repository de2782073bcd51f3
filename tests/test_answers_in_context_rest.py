"""Short answers read against the question that waits, through the real
trained model and action server over REST."""

from __future__ import annotations

import pytest

from tests.conftest import Chat, payload, texts


def ids(replies: list) -> list:
    found = payload(replies, "muscle_suggestions")
    assert found, texts(replies)
    return [m["id"] for m in found["muscles"]]


def test_an_age_or_a_tool_at_the_screening_is_noted_and_the_question_waits(chat: Chat) -> None:
    assert payload(chat.say("my knee buckles going down stairs"), "screening")
    age = chat.say("I'm 68")
    assert payload(age, "screening") and "Releasing the" not in texts(age)
    tools = chat.say("I have a chair and a ball")
    assert payload(tools, "screening") and "Releasing the" not in texts(tools)
    assert chat.slot("tools")
    assert "Releasing the" in texts(chat.say("none of these"))


def test_thats_wrong_asks_what_differs_and_offers_the_next_muscle(chat: Chat) -> None:
    shown = ids(chat.say_screened("the outside of my thigh burns when I lie on that side"))
    replies = chat.say("no, that's wrong, I don't think it's that muscle")
    assert "what's different" in texts(replies).lower()
    assert "Releasing the" not in texts(replies)
    assert chat.slot("current_muscle") == shown[1]


def test_more_on_the_outside_moves_the_complaint_within_its_place(chat: Chat) -> None:
    chat.say_screened("the front of my knee aches on the stairs")
    moved = chat.say("actually it's more on the outside")
    assert "outside_of_knee" in chat.slot("features")["areas"]
    assert {"vastus_lateralis", "tensor_fasciae_latae", "biceps_femoris"} & set(ids(moved))


@pytest.mark.parametrize(
    "text",
    [
        "I have a crick in my neck",
        "my calff is killin me wen i walk upstares",
        "the pain is getting worse, probably because I keep testing my shoulder",
        "I've had x-rays done on my hands",
        "it's not my hamstrings, it's behind the knee",
    ],
)
def test_a_place_that_hurts_gets_muscles_or_a_question_never_outside_what_i_know(chat: Chat, text: str) -> None:
    replies = chat.say(text)
    assert "outside what I know" not in texts(replies) and "What do you have at hand" not in texts(replies)
    assert payload(replies, "muscle_suggestions") or any(r.get("buttons") for r in replies), texts(replies)
    assert payload(replies, "red_flag") is None


def test_denied_words_are_not_shown_as_the_persons_own(chat: Chat) -> None:
    replies = chat.say("no fever, no numbness, my lower back is just sore")
    told = texts(replies).split("\n")[0]
    assert "lower back" in told and "numbness" not in told
