"""Checks every channel applies to incoming text before Rasa sees it (pure)."""

from __future__ import annotations

import re

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
