"""Red-flag triage through the real assistant, on an independent phrasing set."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import Chat, payload

PHRASINGS = yaml.safe_load((Path(__file__).parent / "data" / "safety_phrasings.yml").read_text())


def flagged(servers, text: str) -> bool:
    replies = Chat(servers).say(text)
    red = payload(replies, "red_flag")
    if red:
        assert payload(replies, "muscle_suggestions") is None, "no release tips with a red flag"
        assert red["reason"]
    return red is not None


def test_every_red_flag_phrasing_gets_urgent_advice(servers) -> None:
    assert len(PHRASINGS["red_flags"]) >= 60
    missed = [text for text in PHRASINGS["red_flags"] if not flagged(servers, text)]
    assert not missed, missed


def test_benign_look_alikes_are_rarely_flagged(servers) -> None:
    assert len(PHRASINGS["benign"]) >= 60
    false_alarms = [text for text in PHRASINGS["benign"] if flagged(servers, text)]
    assert len(false_alarms) <= 3, false_alarms


def test_red_flag_in_a_button_less_follow_up(chat: Chat) -> None:
    chat.say("my knee buckles going down stairs")
    chat.say("how do I release it?")
    assert payload(chat.say("ok. also I can't feel anything when I wipe since yesterday"), "red_flag")
