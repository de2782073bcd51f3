"""Splitting a spoken reply for streaming, and keeping its rest until fetched."""

from __future__ import annotations

import asyncio

from assistant.voice.speak import seconds_to_say
from assistant.voice.spoken import sentences_of
from assistant.voice.streamed import FIRST_SECONDS, PendingAudio, split_for_streaming

LONG = (
    "Most likely it's your Vastus medialis, because your knee buckles. "
    "To release it with your thumb, first: sit with the leg straight and relaxed. "
    "Say next for the next step, or other muscles."
)


def test_the_first_piece_is_whole_sentences_long_enough_to_cover_the_rest() -> None:
    now, later = split_for_streaming(LONG)
    assert seconds_to_say(now) >= FIRST_SECONDS
    assert later and sentences_of(now) + sentences_of(later) == sentences_of(LONG)


def test_a_short_reply_is_not_split() -> None:
    assert split_for_streaming("Say yes or no.") == ("Say yes or no.", "")
    assert split_for_streaming("") == ("", "")


def _done(value: bytes) -> asyncio.Future:
    future = asyncio.new_event_loop().create_future()
    future.set_result(value)
    return future


def test_the_rest_is_fetched_once_by_an_unguessable_token() -> None:
    pending = PendingAudio()
    token = pending.put(_done(b"audio"), "audio/mpeg")
    other = pending.put(_done(b"other"), "audio/mpeg")
    assert token != other and len(token) >= 20
    taken = pending.take(token)
    assert taken is not None and taken.audio.result() == b"audio" and taken.content_type == "audio/mpeg"
    assert pending.take(token) is None and len(pending) == 1


def test_a_rest_nobody_fetches_goes_stale_and_the_store_stays_bounded() -> None:
    now = [0.0]
    pending = PendingAudio(limit=3, ttl=10.0, clock=lambda: now[0])
    old = pending.put(_done(b"a"), "audio/mpeg")
    now[0] = 11.0
    assert pending.take(old) is None
    tokens = [pending.put(_done(b"x"), "audio/mpeg") for _ in range(5)]
    assert len(pending) == 3 and pending.take(tokens[0]) is None and pending.take(tokens[-1]) is not None
