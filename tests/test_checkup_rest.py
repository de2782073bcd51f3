"""The root-cause check-up and the return visit, over REST against the real
trained model and action server."""

from __future__ import annotations

import sqlite3

from tests.conftest import Chat, payload, texts

TWO_HOURS = 2 * 60 * 60


def start_checkup(chat: Chat) -> list:
    chat.say_screened("my knee buckles going down stairs")
    replies = chat.say("why does it keep coming back?")
    assert "1/5." in texts(replies) and "didn't get that" not in texts(replies), texts(replies)
    return replies


def test_checkup_from_question_to_personal_summary(chat: Chat) -> None:
    replies = start_checkup(chat)
    assert [b["title"] for b in replies[-1]["buttons"]] == ["Yes", "No", "Not sure", "Skip", "Stop"]
    assert "2/5." in texts(chat.say("/affirm"))
    assert "3/5." in texts(chat.say("no, I stand most of the day"))
    assert "4/5." in texts(chat.say("not sure"))
    assert "5/5." in texts(chat.say("skip"))
    summary = texts(chat.say("yes"))
    assert "Here's what most likely keeps it coming back" in summary
    assert "training" in summary and "adductors" in summary and "Shoes" in summary
    assert "How and how long you sit" not in summary
    assert chat.slot("checkup_answers") == [
        "overuse=yes", "sitting_posture=no", "footwear=unsure", "pelvic_tilt=skip", "check:muscle:adductor_longus=yes",
    ]
    assert not chat.tracker()["active_loop"].get("name")


def test_an_unclear_answer_repeats_the_question(chat: Chat) -> None:
    start_checkup(chat)
    again = texts(chat.say("purple elephants"))
    assert "skip or stop" in again and "1/5." in again


def test_stop_ends_the_checkup_politely_and_the_conversation_goes_on(chat: Chat) -> None:
    start_checkup(chat)
    chat.say("yes")
    assert "OK, we'll stop" in texts(chat.say("stop"))
    assert not chat.tracker()["active_loop"].get("name")
    assert "Releasing the" in texts(chat.say("how do I release it?"))
    assert "/5." not in texts(chat.say("stop"))  # outside the check-up "stop" starts nothing


def test_red_flag_inside_the_checkup_interrupts_it(chat: Chat) -> None:
    start_checkup(chat)
    replies = chat.say("my calf has gone hot, red and swollen since the flight")
    assert payload(replies, "red_flag") is not None
    assert "2/5." not in texts(replies)
    assert not chat.tracker()["active_loop"].get("name")
    assert "just to be sure" in texts(chat.say("/deny")).lower()
    assert "where does it hurt" in texts(chat.say("/affirm")).lower()


def test_delete_my_data_inside_the_checkup_deletes_without_more_questions(chat: Chat) -> None:
    start_checkup(chat)
    replies = texts(chat.say("please delete my data"))
    assert "deleted" in replies.lower() and "/5." not in replies


def test_without_muscles_the_short_root_cause_answer_stays(chat: Chat) -> None:
    text = texts(chat.say("why does it keep coming back?"))
    assert "how you sleep" in text and "1/" not in text


def age_conversation(chat: Chat, seconds: float) -> None:
    """Move every stored event of this conversation back in time, as if the
    person came back later (the session expires after 60 minutes)."""
    with sqlite3.connect(chat.servers.env["TRACKER_DB"]) as connection:
        connection.execute(
            "update events set timestamp = timestamp - ?, "
            "data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - ?) where sender_id = ?",
            (seconds, seconds, chat.sender),
        )


def test_return_visit_welcomes_back_and_adapts(chat: Chat) -> None:
    chat.say_screened("my knee buckles going down stairs")
    age_conversation(chat, TWO_HOURS)
    welcome = chat.say("hi again")
    assert "Welcome back. Last time we looked at your Vastus medialis" in texts(welcome)
    assert [b["title"] for b in welcome[0]["buttons"]] == ["Better", "The same", "Worse"]
    tried_before = chat.slot("tried") or []
    assert "Releasing the Vastus medialis" in texts(chat.say("/deny"))
    tried = chat.slot("tried")
    assert len(tried) == len(tried_before) + 1 and tried[-1].startswith("vastus_medialis:")
    assert chat.slot("method_ratings") == [f"{tried[-1]}=not_better"]
    # A second failed round on the same area: root cause or a professional.
    age_conversation(chat, TWO_HOURS)
    chat.say("hello")
    second = texts(chat.say("/deny"))
    assert "physiotherapist" in second or "root cause" in second


def test_return_visit_after_better_says_keep_going(chat: Chat) -> None:
    chat.say("my knee buckles going down stairs")
    age_conversation(chat, TWO_HOURS)
    chat.say("hello")
    assert "Good to hear" in texts(chat.say("/affirm"))
    assert chat.slot("method_ratings")[0].endswith("=better")


def test_deleted_data_means_no_welcome_back(chat: Chat) -> None:
    chat.say("my knee buckles going down stairs")
    assert "deleted" in texts(chat.say("delete my data")).lower()
    age_conversation(chat, TWO_HOURS)
    replies = chat.say("hello")
    assert "Welcome back" not in texts(replies) and "Vastus medialis" not in texts(replies)
