"""A reply read aloud in two pieces: the first sentences at once, the rest
made while they play.

Making speech costs about a quarter of its length on one core, so a
20-second answer would keep the person waiting five seconds in silence.
The first few seconds of it are made before the answer goes out; the rest
is made in the background and fetched once by a random token.
Pure apart from the clock: no Rasa, no web server.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Tuple

from assistant.voice.speak import seconds_to_say
from assistant.voice.spoken import sentences_of

# Enough to cover making the rest of a turn (at most about 25 s of speech).
FIRST_SECONDS = 4.0


def split_for_streaming(text: str, first_seconds: float = FIRST_SECONDS) -> Tuple[str, str]:
    """(what to say at once, the rest): whole sentences, the first piece at
    least `first_seconds` long unless the text is shorter."""
    sentences = sentences_of(text)
    first: list[str] = []
    for sentence in sentences:
        first.append(sentence)
        if seconds_to_say(" ".join(first)) >= first_seconds:
            break
    return " ".join(first), " ".join(sentences[len(first) :])


logger = logging.getLogger(__name__)


def _log_failure(audio: asyncio.Future) -> None:
    # A rest nobody fetches must still say when making it failed.
    if not audio.cancelled() and audio.exception() is not None:
        logger.error("Reading the rest of a reply aloud failed: %s", type(audio.exception()).__name__)


@dataclass(frozen=True)
class Pending:
    audio: asyncio.Future  # the encoded speech, bytes
    content_type: str
    made_at: float


class PendingAudio:
    """The rest of each streamed reply, kept until fetched or stale. Each
    token is fetched once; a reply nobody fetches is dropped after `ttl`."""

    def __init__(self, limit: int = 256, ttl: float = 120.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.ttl = ttl
        self.clock = clock
        self._pending: OrderedDict[str, Pending] = OrderedDict()

    def put(self, audio: asyncio.Future, content_type: str) -> str:
        audio.add_done_callback(_log_failure)
        self._drop_stale()
        token = secrets.token_urlsafe(18)
        self._pending[token] = Pending(audio, content_type, self.clock())
        while len(self._pending) > self.limit:
            self._pending.popitem(last=False)
        return token

    def take(self, token: str) -> Pending | None:
        self._drop_stale()
        return self._pending.pop(token, None)

    def __len__(self) -> int:
        return len(self._pending)

    def _drop_stale(self) -> None:
        now = self.clock()
        while self._pending:
            token, pending = next(iter(self._pending.items()))
            if now - pending.made_at <= self.ttl:
                break
            del self._pending[token]
