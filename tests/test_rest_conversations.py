"""Conversations through the real trained model and action server over REST."""

from __future__ import annotations

import sqlite3

import requests

from assistant.nlp import layer
from tests.conftest import Chat, payload, texts


def suggested(replies: list) -> list:
    custom = payload(replies, "muscle_suggestions")
    assert custom is not None, texts(replies)
    return [m["id"] for m in custom["muscles"]]


def test_symptom_gets_ranked_muscles_with_payload_and_slots(chat: Chat) -> None:
    replies = chat.say_screened("my knee buckles going down stairs")
    custom = payload(replies, "muscle_suggestions")
    assert custom["red_flag"] is False
    assert "vastus_medialis" in [m["id"] for m in custom["muscles"]]
    assert all(m["why"] and 0 < m["score"] <= 1 for m in custom["muscles"])
    assert "Releasing the" in texts(replies) and "not a diagnosis" in texts(replies)
    assert chat.slot("current_muscle") == custom["muscles"][0]["id"]
    assert chat.slot("suggested_muscles") == [m["id"] for m in custom["muscles"]]


def test_not_medical_advice_line_only_once(chat: Chat) -> None:
    chat.say_screened("my knee buckles going down stairs")
    again = chat.say_screened("the outside of my thigh burns when I lie on that side")
    assert payload(again, "muscle_suggestions") is not None
    assert "not a diagnosis" not in texts(again)


def test_follow_ups_use_the_conversation(chat: Chat) -> None:
    first = suggested(chat.say_screened("the outside of my thigh burns when I lie on that side"))
    release = chat.say("how do I release it?")
    assert first[0].split("_")[-1].lower() in texts(release).lower()
    tennis = chat.say("I only have a tennis ball")
    assert chat.slot("tools") == ["tennis_ball"]
    assert "tennis ball" in texts(tennis).lower()
    second = chat.say("what about the second one?")
    assert chat.slot("current_muscle") == first[1]
    assert "second" in texts(second).lower()


def test_tried_already_moves_on_then_suggests_a_professional(chat: Chat) -> None:
    chat.say_screened("my knee buckles going down stairs")
    first_round = chat.say("I tried that, still hurts")
    assert "Releasing the" in texts(first_round)
    assert len(chat.slot("tried")) == 1
    second_round = chat.say("did that too and nothing changed")
    assert "physiotherapist" in texts(second_round) or "root cause" in texts(second_round)
    assert chat.slot("failed_rounds") == 2


def test_vague_message_gets_a_clarifying_question_with_buttons(chat: Chat) -> None:
    replies = chat.say("my leg hurts")
    assert payload(replies, "muscle_suggestions") is None
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert len(buttons) >= 4
    chosen = next(b for b in buttons if "outside" in b["title"].lower())
    assert suggested(chat.say(chosen["payload"]))


def test_muscle_question_by_alias(chat: Chat) -> None:
    replies = chat.say("what does the TFL do?")
    assert "Tensor fasciae latae" in texts(replies)
    assert chat.slot("current_muscle") == "tensor_fasciae_latae"


def test_root_cause_and_trigger_point_questions(chat: Chat) -> None:
    chat.say("my jaw aches from clenching my teeth")
    # With muscles under discussion the question starts the check-up (tests/test_checkup_rest.py).
    assert "keeps coming back" in texts(chat.say("why does it keep coming back?"))
    chat.say("stop")
    assert "knot" in texts(chat.say("what is a trigger point exactly?"))


def test_red_flag_interrupts_mid_conversation_and_can_be_dismissed(chat: Chat) -> None:
    chat.say("my knee buckles going down stairs")
    replies = chat.say("also my glutes are tight and I've been wetting myself since yesterday")
    flag = payload(replies, "red_flag")
    assert flag and flag["reason"]
    assert payload(replies, "muscle_suggestions") is None
    assert "Releasing" not in texts(replies)
    assert "emergency" in texts(replies).lower()
    assert "just to be sure" in texts(chat.say("no, it's not that")).lower()
    assert "where does it hurt" in texts(chat.say("right, none of that")).lower()
    assert suggested(chat.say("my inner thigh aches when I squat"))


def test_small_talk(chat: Chat) -> None:
    assert "trigger points" in texts(chat.say("hello"))
    assert "bot" in texts(chat.say("am I talking to a real person?")).lower()
    assert texts(chat.say("thanks a lot"))
    assert texts(chat.say("bye"))


def test_out_of_scope_redirects(chat: Chat) -> None:
    text = texts(chat.say("what's the weather like in Paris tomorrow?")).lower()
    assert "muscle pain" in text and "where it hurts" in text


def test_delete_my_data_really_deletes_the_tracker(chat: Chat) -> None:
    chat.say("my knee buckles going down stairs")
    db = chat.servers.env["TRACKER_DB"]

    def rows() -> int:
        with sqlite3.connect(db) as connection:
            return connection.execute("select count(*) from events where sender_id = ?", (chat.sender,)).fetchone()[0]

    assert rows() > 0
    replies = chat.say("please delete my data")
    assert "deleted" in texts(replies).lower()
    assert rows() == 0
    assert chat.tracker()["slots"].get("suggested_muscles") is None


def test_every_event_is_stored_exactly_once_over_a_conversation(chat: Chat) -> None:
    for message in ("my knee buckles going down stairs", "None of these", "how do I release it?", "thanks", "what about the second one?"):
        chat.say(message)
    with sqlite3.connect(chat.servers.env["TRACKER_DB"]) as connection:
        rows = list(
            connection.execute("select type_name, timestamp, data from events where sender_id = ? order by id", (chat.sender,))
        )
    stored = [(kind, round(stamp, 6)) for kind, stamp, _ in rows]
    served = [(e["event"], round(e["timestamp"], 6)) for e in chat.tracker()["events"]]
    assert stored == served
    # Two events of one kind can share a microsecond (an action's events are
    # stamped together); the same event stored twice also has the same data.
    assert len(set(rows)) == len(rows)


def test_the_server_runs_the_layer_in_the_mode_asked_for(chat: Chat) -> None:
    """RASA_STOCK=true (make stock-test) runs these same tests on stock Rasa."""
    mode = "stock" if layer.stock() else "layer"
    assert f"Rasa layer: {mode}" in chat.servers.log("rasa").read_text(errors="replace")


def test_a_retried_request_is_answered_from_the_stored_turn(chat: Chat) -> None:
    """Through Rasa's own agent and processor: the replay hook is what they call."""
    def send() -> list:
        response = requests.post(
            f"{chat.servers.rasa_url}/webhooks/rest/webhook",
            json={"sender": chat.sender, "message": "my knee buckles going down stairs"},
            headers={"X-Request-Id": f"retry-{chat.sender}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    first = send()
    assert payload(first, "screening") or payload(first, "muscle_suggestions"), texts(first)
    assert send() == first
    said = [e for e in chat.tracker()["events"] if e["event"] == "user"]
    assert len(said) == 1


def test_the_words_people_use_rank_muscles(chat: Chat) -> None:
    assert set(suggested(chat.say_screened("my hamstrings are tight and sore on the back of my thigh"))) <= {
        "biceps_femoris", "semitendinosus", "semimembranosus"}
    assert "medial_pterygoid" in suggested(chat.say_screened("it hurts to swallow on one side"))
    assert "gluteus_medius" in suggested(chat.say_screened("trochanteric bursitis, and the injection did nothing"))
    jaw = chat.say_screened("I can't open my mouth wide when I wake up")
    assert suggested(jaw) and "_" not in texts(jaw)


def test_a_group_named_after_another_muscle_moves_to_the_group(chat: Chat) -> None:
    """The knee muscle in focus is no answer to "how do I release my hamstrings"."""
    assert "vastus_medialis" in suggested(chat.say_screened("my knee buckles going down stairs"))
    replies = chat.say("how do I release my hamstrings?")
    assert "Vastus medialis" not in texts(replies) and "hamstrings" in texts(replies)
    # Its members hurt in different places: which part is asked first.
    first_part = next(b for r in replies for b in r.get("buttons", []))
    hamstrings = {"biceps_femoris", "semitendinosus", "semimembranosus"}
    assert set(suggested(chat.say_screened(first_part["payload"]))) & hamstrings
    assert chat.slot("current_muscle") in hamstrings


def test_a_nickname_spanning_places_asks_which_part(chat: Chat) -> None:
    replies = chat.say("my quads are killing me")
    assert payload(replies, "muscle_suggestions") is None
    chosen = next(b for r in replies for b in r.get("buttons", []) if b["title"] == "Outside of the thigh")
    assert suggested(chat.say(chosen["payload"]))[0] == "vastus_lateralis"
