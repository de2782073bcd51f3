"""Sides of the body: the words people use for them, and the sides a body
map can show (pure)."""

from __future__ import annotations

from typing import Dict, Tuple

# The words for a side, by the side they mean: all of them read in entity
# values, the bare side names in free text.
SIDE_WORDS: Dict[str, Tuple[str, ...]] = {
    "left": ("left", "left side", "left one", "l"),
    "right": ("right", "right side", "right one", "r"),
    "both": ("both", "both sides", "either side"),
}
SIDE_OF_WORD: Dict[str, str] = {word: side for side, words in SIDE_WORDS.items() for word in words}

# A body map shows one side, or the whole figure ("both" included).
PICTURED = ("left", "right")


def pictured_side(side: object) -> str | None:
    return side if isinstance(side, str) and side in PICTURED else None
