"""Which of the recogniser's readings of a turn to act on.

Whisper's beam search ends with a best reading and runners-up that score
nearly as well (recognize.py keeps those within a margin). On the dev
recordings the right words were often just below the top: "I love my bike
and my thigh looks bent" over "fell off my bike and my thigh looked bent",
"might only assist tight" over "my soleus is tight". So:

1. A red flag in any reading is acted on: a person who may have said "I
   fell off my bike and my thigh looks bent" gets the urgent advice, not
   release tips (safety wins over a likelier mishearing).
2. Then an answer to what the last reply offered (a command such as
   "next", a button's title, "delete my data"), the best reading first:
   "delete my data" came out as "glute my data" with the right words just
   below.
3. Otherwise the best reading, unless it names nothing the knowledge base
   knows and a runner-up does.

When no reading raises a red flag, one may still sound like it did
("welding myself" for "wetting myself": sounds_like.py); then the turn
carries that possible red flag, and safety asks about it once.

Pure: no Rasa, no audio.
"""

from __future__ import annotations

from typing import Callable, Collection, Sequence

from assistant import understand
from assistant.matching import default_matcher
from assistant.understand import triage
from assistant.voice.sounds_like import NearMiss, doubted_words, near_miss


def names_something(text: str) -> bool:
    """Whether `text` points to any muscle, as typed it would."""
    return bool(default_matcher().rank(understand.features(text)).suggestions)


def acted_on(heard: str, others: Sequence[str], is_answer: Callable[[str], bool]) -> str:
    """The reading to act on: `heard` is the best, `others` the runners-up
    best first, `is_answer` tells a reply to the last message's choices."""
    readings = (heard, *others)
    flagged = next((reading for reading in readings if triage(reading).flagged), None)
    if flagged is not None:
        return flagged
    answer = next((reading for reading in readings if is_answer(reading)), None)
    if answer is not None:
        return answer
    return next((reading for reading in readings if names_something(reading)), heard)


def possible_red_flag(heard: str, others: Sequence[str], doubtful: Collection[str] = ()) -> NearMiss | None:
    """A red flag the readings may hide by sound, when none raises one as
    heard: the best reading first. `doubtful`: words the recogniser scored
    low; words the readings disagree on are doubted too."""
    readings = (heard, *others)
    if any(triage(reading).flagged for reading in readings):
        return None
    doubts = doubted_words(readings) | frozenset(doubtful)
    return next((found for found in (near_miss(reading, doubts) for reading in readings) if found), None)


__all__ = ["acted_on", "names_something", "possible_red_flag"]
