"""The pain diary through the real trained model and the real action
server over REST: rating, the trend, the progress chart, the summary, and
"delete my data" ending all of it, checked against the database."""

from __future__ import annotations

import sqlite3

import requests

from tests.conftest import Chat, payload, texts

KNEE = "my knee buckles going down stairs"
QUESTION = "how bad is it right now, 0 to 10?"


def _get(chat: Chat, path: str) -> requests.Response:
    return requests.get(f"{chat.servers.rasa_url}{path}", timeout=30)


def _stored(chat: Chat, query: str) -> int:
    with sqlite3.connect(chat.servers.env["TRACKER_DB"]) as connection:
        return int(connection.execute(query, (chat.sender,)).fetchone()[0])


def test_the_question_follows_the_steps_never_the_screening(chat: Chat) -> None:
    first = chat.say(KNEE)
    assert payload(first, "screening") and QUESTION not in texts(first)
    steps = chat.say("None of these")
    assert "Releasing the Vastus medialis" in texts(steps)
    assert QUESTION in texts(steps)
    assert [b["title"] for b in steps[-1]["buttons"]] == [str(n) for n in range(11)]
    rated = chat.say("about a six")
    assert payload(rated, "pain_rating") == {"type": "pain_rating", "score": 6, "region": "knee_and_calf"}
    assert "6 out of 10" in texts(rated)
    (entry,) = chat.slot("pain_diary")
    assert entry["score"] == 6 and entry["region"] == "knee_and_calf" and entry["muscle"] == "vastus_medialis"
    assert entry["tried"] == ["vastus_medialis:thumb"]
    # Asked once a day per complaint: more steps for the knee don't ask again.
    assert QUESTION not in texts(chat.say("what about the second one?"))


def test_a_red_flag_or_another_message_in_place_of_a_rating_is_read_as_new(chat: Chat) -> None:
    chat.say_screened(KNEE)
    other = chat.say("what about the second one?")
    assert "second candidate" in texts(other) and not payload(other, "pain_rating")
    urgent = chat.say("now my calf is hot, red and swollen")
    assert payload(urgent, "red_flag") and not payload(urgent, "pain_rating")
    assert not chat.slot("pain_diary")


def test_relative_words_are_confirmed_and_a_worsening_trend_sends_to_a_professional(chat: Chat) -> None:
    chat.say_screened(KNEE)
    chat.say("4")
    asked = chat.say("a bit worse")
    assert "Shall I note 5 out of 10" in texts(asked) and not payload(asked, "pain_rating")
    assert payload(chat.say("yes"), "pain_rating")["score"] == 5
    worse = chat.say("it's a 7 today")
    assert payload(worse, "pain_rating")["score"] == 7
    assert "worse at two check-ins in a row" in texts(worse) and "physiotherapist or your doctor" in texts(worse)
    # The region is screened again before any more steps.
    assert payload(worse, "screening")["region"] == "knee_and_calf"
    assert "knee_and_calf" not in (chat.slot("screening") or {})
    assert [e["score"] for e in chat.slot("pain_diary")] == [4, 5, 7]


def test_a_sharp_rise_after_a_new_activity_offers_the_check_up(chat: Chat) -> None:
    chat.say_screened(KNEE)
    chat.say("2")
    rose = chat.say("7, since I started running")
    assert payload(rose, "pain_rating")["score"] == 7
    assert "after running" in texts(rose) and not payload(rose, "screening")
    assert "Why does it keep coming back?" in [b["title"] for r in rose for b in r.get("buttons", [])]
    assert chat.slot("pain_diary")[-1]["activities"][-1] == "running"


def test_stop_asking_me_turns_the_question_off(chat: Chat) -> None:
    chat.say_screened(KNEE)
    stopped = chat.say("stop asking me")
    assert "won't ask" in texts(stopped) and chat.slot("rating_off") is True
    back = chat.say_screened("my lower back aches when I stand up from a chair")
    assert "Releasing the" in texts(back) and QUESTION not in texts(back)


def test_progress_summary_and_their_links_until_delete_my_data(chat: Chat) -> None:
    chat.say_screened(KNEE)
    chat.say("7")
    chat.say("5")
    shown = chat.say("how am I doing?")
    progress = payload(shown, "progress")
    assert progress and [e["score"] for e in progress["entries"]] == [7, 5]
    assert progress["entries"][0]["tried"] == ["Vastus medialis with your thumb"] and progress["entries"][0]["region"] == "knee_and_calf"
    assert "Your knee and calf went from 7 to 5" in texts(shown)
    (picture,) = [r["image"] for r in shown if r.get("image")]
    svg, png = _get(chat, progress["image"]), _get(chat, picture)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")

    made = chat.say("make a summary for my physio")
    links = payload(made, "summary")
    assert links and set(links) == {"type", "pdf", "csv"}
    pdf, table = _get(chat, links["pdf"]), _get(chat, links["csv"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert table.status_code == 200 and b"Vastus medialis" in table.content and b"7/10" in table.content
    # A chart link gives no summary, and a made-up token nothing.
    assert _get(chat, progress["image"].replace("chart.svg", "summary.pdf")).status_code == 404
    assert _get(chat, "/diary/" + "A" * 43 + "/summary.pdf").status_code == 404
    assert _stored(chat, "SELECT count(*) FROM diary_links WHERE sender_id = ?") == 2

    chat.say("delete my data")
    for path in (links["pdf"], links["csv"], progress["image"], picture):
        assert _get(chat, path).status_code == 404
    assert _stored(chat, "SELECT count(*) FROM diary_links WHERE sender_id = ?") == 0
    assert _stored(chat, "SELECT count(*) FROM events WHERE sender_id = ?") == 0
    assert not chat.slot("pain_diary")


def test_nothing_to_show_yet(chat: Chat) -> None:
    assert "nothing in your diary yet" in texts(chat.say("show my progress"))
    assert "nothing to put in a summary yet" in texts(chat.say("make a summary for my physio"))


def test_no_rating_reaches_the_logs(chat: Chat) -> None:
    chat.say_screened(KNEE)
    chat.say("about a six, since I started skipping rope")
    for name in ("rasa", "actions"):
        assert "skipping rope" not in chat.servers.log(name).read_text(encoding="utf-8", errors="replace")


def test_reminders_are_offered_in_telegram_only(chat: Chat) -> None:
    answer = chat.say("remind me every evening at 8")
    assert "Reminders come through Telegram" in texts(answer)
    assert chat.slot("reminder") is None
