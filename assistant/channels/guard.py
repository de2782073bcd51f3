"""Checks every channel applies to incoming text before Rasa sees it (pure)."""

from __future__ import annotations

import re
import time
from collections import OrderedDict, deque
from typing import Deque, List, Sequence
from urllib.parse import urlparse

MAX_MESSAGE_CHARS = 5000

TOO_LONG = (
    "That message is too long for me (over 5,000 characters). Could you send the main points in a few "
    "sentences: where it hurts, what it feels like, and what makes it worse?"
)
EMPTY = "I didn't get any words there. Tell me where it hurts and what it feels like."
ACTIONS_DOWN = (
    "Sorry, I can't put an answer together right now. Please try again in a minute. If your pain is severe, "
    "sudden or frightening, don't wait for me: see a doctor or call your emergency number."
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop control characters (binary junk, NULs) but keep line breaks."""
    return _CONTROL.sub(" ", text).strip()


def precheck(text: str) -> str | None:
    """A reply to send instead of processing the message, or None."""
    if not text:
        return EMPTY
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG
    return None


DEFAULT_RATE_LIMIT = 30  # messages per sender per minute


def rate_limit_setting(value: object) -> int:
    """The rate_limit_per_minute credential; empty means the default."""
    return int(str(value)) if value not in (None, "") else DEFAULT_RATE_LIMIT


SLOW_DOWN = "You're sending messages faster than I can think them through. Please wait a few seconds and try again."


class RateLimiter:
    """At most `limit` messages per sender in any `window` seconds.

    Sliding window per sender; the oldest senders are forgotten past
    `max_senders`, so memory stays bounded under a flood of new ids."""

    def __init__(self, limit: int, window: float = 60.0, max_senders: int = 10_000, clock=time.monotonic):
        self.limit, self.window, self.max_senders, self.clock = limit, window, max_senders, clock
        self._seen: OrderedDict[str, Deque[float]] = OrderedDict()

    def allow(self, sender: str) -> bool:
        if self.limit <= 0:
            return True
        now = self.clock()
        stamps = self._seen.pop(sender, None) or deque()
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        allowed = len(stamps) < self.limit
        if allowed:
            stamps.append(now)
        self._seen[sender] = stamps
        while len(self._seen) > self.max_senders:
            self._seen.popitem(last=False)
        return allowed


def allowed_origins(setting: str | None) -> List[str]:
    """CORS_ORIGINS: a comma-separated list, "*" for any; empty = same origin only."""
    return [o.strip().rstrip("/") for o in (setting or "").split(",") if o.strip()]


def origin_allowed(origin: str | None, host: str | None, allowed: Sequence[str]) -> bool:
    """May a browser page from `origin` talk to us (served at `host`)?

    Clients that send no Origin (apps, tests, Telegram) are not browsers
    and are always allowed."""
    if not origin:
        return True
    origin = origin.rstrip("/")
    return "*" in allowed or origin in allowed or urlparse(origin).netloc == (host or "")


def refusal(text: str, sender: str, limiter: RateLimiter) -> str | None:
    """The reply to send instead of processing the message, or None: empty
    or oversized text first (it never counts against the limit), then the
    sender's rate limit."""
    return precheck(text) or (None if limiter.allow(sender) else SLOW_DOWN)
