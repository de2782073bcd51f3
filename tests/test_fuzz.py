"""Seeded, bounded fuzzing of the real servers: never a 5xx, always a reply."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import open_socket_session, texts

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])

messages = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1; --", "\u202e\u200b\u0000", "膝が痛い", "🦵" * 50, "x" * 100_000]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def sender_for(value: object) -> str:
    return "fuzz-" + hashlib.sha1(repr(value).encode()).hexdigest()[:16]


@FUZZ
@given(message=messages)
def test_any_text_gets_a_reply_over_rest(servers, message: str) -> None:
    response = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender_for(message), "message": message}, timeout=60
    )
    assert response.status_code == 200
    assert texts(response.json()).strip()


@FUZZ
@given(body=st.dictionaries(st.sampled_from(["sender", "message", "metadata", "x"]), json_values, max_size=4))
def test_wrong_types_and_missing_fields_never_crash(servers, body: dict) -> None:
    response = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", data=json.dumps(body), timeout=60)
    assert response.status_code in (200, 400), response.text


def test_odd_messages_over_socketio(servers) -> None:
    rng = random.Random(20261125)
    alphabet = "abcdefghij knee hip 🦵<>&\"'\\\n\t\x00\x07膝" + "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(50))
    cases = ["", "<img src=x onerror=alert(1)>", "y" * 20_000] + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80))) for _ in range(12)]

    async def run() -> list:
        client, replies = await open_socket_session(servers.rasa_url, "fuzz-socket")
        counts = []
        for case in cases:
            before = len(replies)
            await client.emit("user_uttered", {"message": case, "session_id": "fuzz-socket"})
            for _ in range(100):
                await asyncio.sleep(0.1)
                if len(replies) > before:
                    break
            counts.append(len(replies) - before)
        await client.disconnect()
        return counts

    counts = asyncio.run(run())
    assert all(c > 0 for c in counts), list(zip(cases, counts, strict=True))
