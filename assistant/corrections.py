"""Short answers that correct or refine what the assistant understood
(pure): "that's wrong, I don't think it's that muscle", "actually it's more
on the outside", "lower down, just above the Achilles"."""

from __future__ import annotations

import re

from assistant.textmatch import fold

_REJECTS = re.compile(
    r"\b(?:that'?s|that is|this is|it'?s) (?:wrong|not (?:it|right|the one|that muscle))\b|\bwrong muscle\b|"
    r"\bnot (?:that|this|the right) muscle\b|\bdon'?t think it'?s (?:that|this|the)\b|\bdoesn'?t (?:fit|sound right)\b"
)
_REFINES = re.compile(
    r"\b(?:actually|rather|more (?:on|to|at|towards|in|like)|lower down|higher up|further (?:up|down)|instead|"
    r"not there|just (?:above|below|under|over))\b"
)
# A direction said on its own, and how the vocabulary names that part of a place.
_DIRECTIONS = (
    (re.compile(r"\b(?:outside|outer|outward)\b"), "outside"),
    (re.compile(r"\b(?:inside|inner|inward)\b"), "inside"),
    (re.compile(r"\b(?:front)\b"), "front"),
    (re.compile(r"\b(?:back|behind|rear)\b"), "back"),
)


def rejects(text: str) -> bool:
    """Does the person say the muscle suggested is the wrong one?"""
    return bool(_REJECTS.search(fold(text or "")))


def refines(text: str) -> bool:
    """Does the message move the complaint rather than start a new one?"""
    return bool(_REFINES.search(fold(text or "")))


def direction(text: str) -> str | None:
    """The side of a place the message points to ("more on the outside")."""
    folded = fold(text or "")
    return next((name for pattern, name in _DIRECTIONS if pattern.search(folded)), None)
