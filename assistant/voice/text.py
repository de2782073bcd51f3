"""Words as a recogniser writes them, for comparing what was said with what
was heard, and for matching spoken answers to buttons."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+")
_NOT_A_WORD = re.compile(r"[^a-z' ]+")
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """How a number under a thousand is said; longer ones digit by digit."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))
    return " ".join(_ONES[int(d)] for d in str(n))


def normalise(text: str) -> str:
    """Lower case words: numbers spelled out, punctuation gone, apostrophes
    inside words kept ("can't")."""
    text = text.lower().replace("’", "'")
    text = _NUMBER.sub(lambda m: f" {number_words(int(m.group()))} ", text)
    text = _NOT_A_WORD.sub(" ", text)
    words = [w.strip("'") for w in text.split()]
    return " ".join(w for w in words if w)


def said_once(words: list) -> list:
    """A phrase said twice or more in a row, once ("repeat, repeat": Whisper
    sometimes echoes a hotword)."""
    for size in range(1, len(words) // 2 + 1):
        if len(words) % size == 0 and words == words[:size] * (len(words) // size):
            return words[:size]
    return words
