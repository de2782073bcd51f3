"""The pain diary by voice, through the real recogniser, model and action
server: a spoken rating is stored, and the progress is one short sentence."""

from __future__ import annotations

import base64

import requests

from assistant.tools.servers import Servers
from assistant.voice.audio import to_pcm16k
from assistant.voice.voices import speak_as
from tests.conftest import Chat, payload

# A voice made from recordings of a person: short answers in it are heard like people's.
VOICE = "flite:slt"
SPOKEN_LIMIT_S = 15


def _say(servers: Servers, sender: str, text: str) -> dict:
    audio = speak_as(text, VOICE, 130)
    answer = requests.post(
        f"{servers.rasa_url}/webhooks/voice/webhook", files={"audio": ("speech.wav", audio)}, data={"sender": sender}, timeout=120
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_spoken_rating_is_stored_and_the_progress_is_said_in_one_short_sentence(chat: Chat) -> None:
    chat.say_screened("my knee buckles going down stairs")
    rated = _say(chat.servers, chat.sender, "it's about a six")
    assert (payload(rated["messages"], "pain_rating") or {}).get("score") == 6, rated["transcript"]
    assert [e["score"] for e in chat.slot("pain_diary")] == [6]
    progress = _say(chat.servers, chat.sender, "how am I doing")
    assert payload(progress["messages"], "progress"), progress["transcript"]
    assert progress["spoken"].startswith("Your knee and calf is at 6 out of 10")
    seconds = len(to_pcm16k(base64.b64decode(progress["audio"]))) / 32000
    assert 1 < seconds < SPOKEN_LIMIT_S
