"""Safety across the conversation, the pure part: answers to the one
question, the earlier messages a new one is read with, and how they combine."""

from __future__ import annotations

import pytest

from assistant import replies
from assistant.safety import RULES, Triage
from assistant.safety_session import EARLIER, earlier_texts, latest_said, signs_of, turn_triage, yes_or_no


@pytest.mark.parametrize(
    "text, answer",
    [
        ("yes", True), ("Yeah, a bit", True), ("1", True), ("/affirm", True), ("not sure", True), ("maybe", True),
        ("no", False), ("Nope", False), ("2", False), ("/deny", False), ("I don't", False),
        ("my knee hurts", None), ("", None),
    ],
)
def test_yes_no_and_the_keypad(text: str, answer: bool | None) -> None:
    assert yes_or_no(text) is answer


def test_earlier_texts_are_the_persons_words_since_the_last_lift() -> None:
    said = [("/greet", 1.0), ("my calf aches", 2.0), ("it's not that", 3.0), ("my back", 5.0), ("now", 6.0)]
    assert earlier_texts(said) == ["my calf aches", "it's not that", "my back"]
    assert earlier_texts(said, lifted_at=4.0) == ["my back"]
    many = [(f"message {n}", float(n)) for n in range(10)]
    assert len(earlier_texts(many)) == EARLIER


def test_only_the_sessions_latest_messages_are_walked() -> None:
    newest_first = [("user", "now", 9.0), ("bot", None, 8.5), ("user", "before", 8.0), ("session_started", None, 7.0), ("user", "old", 1.0)]
    assert latest_said(newest_first) == [("before", 8.0), ("now", 9.0)]
    many = [("user", f"message {n}", float(n)) for n in range(50, 0, -1)]
    assert len(latest_said(many)) == EARLIER + 1


def test_signs_told_apart_combine_only_when_the_new_message_adds_one() -> None:
    assert turn_triage("I had a baby two weeks ago", ["my calf has been aching since yesterday"]).rule_id == "clot"
    # A message with no sign of its own combines nothing ("thanks" after an urgent reply).
    assert not turn_triage("thanks", ["my calf has been aching since yesterday"]).flagged
    # Someone else's red flag told before is not raised again by the writer's own pain.
    assert not turn_triage("my knee buckles going down stairs", ["my wife has numbness in her groin"]).flagged


def test_every_rule_names_its_signs_for_the_question() -> None:
    for rule in RULES:
        signs = signs_of(rule.id)
        # Self-harm is never only asked about: its reason is no list of signs.
        assert signs and (len(signs) < len(rule.reason) or rule.id == "self_harm"), rule.id
        question = replies.check_question(Triage(False, check=rule.id, heard="clot"))
        assert question["custom"] == {"type": "red_flag_check", "rule": rule.id, "heard": "clot"}
        assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]


def test_self_harm_is_never_only_asked_about() -> None:
    assert turn_triage("I'm not sure if I want to live anymore").rule_id == "self_harm"
