"""Reading a 0-10 pain rating from what a person typed or said (pure).

"6", "6/10", "about a six", "I'd say 7 today" are scores; "a bit better",
"worse", "the same" are scores relative to the last entry; "6 or 7" is a
range. Only a message that is the rating and little else counts: "I did 3
rounds" is no rating. A rating may be followed by a note after a comma or
"since"/"after" ("7, went running yesterday"): the note is returned too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SCORE = 10

_WORDS = {
    "zero": 0, "nothing": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_NUMBER = r"(?:10|[0-9](?:\.5)?|" + "|".join(_WORDS) + r")"
# Words that may stand around a rating without changing it.
_FILLER = (
    r"(?:um+|uh+|er+|hmm+|well|so|ok(?:ay)?|oh|i'?d say|i would say|i guess|i think|probably|maybe|perhaps|about|around|"
    r"roughly|like|just|only|still|now|right now|today|tonight|currently|at the moment|it'?s|it is|its|it|is|the pain|my pain|"
    r"pain|feels like|i'?d give it|i give it|i'?d rate it|i rate it|rate it|give it|a|an|level|score)"
)
_SCALE = r"(?:\s*(?:/|out of)\s*10)"
_NOTE = r"(?:\s*(?:[,;.!-]+|\s(?:and|since|after|because|from|but))\s*(?P<note>.*))?"
_SCORE = re.compile(
    rf"^(?:{_FILLER}\s+)*(?P<low>{_NUMBER})(?:\s*(?:-|to|or)\s*(?P<high>{_NUMBER}))?{_SCALE}?(?:\s+{_FILLER})*\s*{_NOTE}$"
)
# How far each relative word moves the score from the last entry.
_DEGREE = {"a bit": 1, "a little": 1, "a little bit": 1, "slightly": 1, "somewhat": 1, "bit": 1,
           "much": 3, "a lot": 3, "way": 3, "loads": 3, "far": 3}
_RELATIVE = re.compile(
    rf"^(?:{_FILLER}\s+)*(?P<degree>a little bit|a little|a bit|slightly|somewhat|bit|much|a lot|way|loads|far)?\s*"
    rf"(?P<direction>better|worse|easier|less|more painful|the same|same|no change|no different|unchanged|no better|no worse)"
    rf"(?:\s+(?:than (?:before|last time|yesterday)|again|today|now))*\s*{_NOTE}$"
)
_SAME = {"the same", "same", "no change", "no different", "unchanged", "no better", "no worse"}
_WORSE = {"worse", "more painful"}


@dataclass(frozen=True)
class Rating:
    score: int
    exact: bool  # said as a number; False for relative words and ranges, which are confirmed first
    note: str = ""


def _number(word: str) -> float:
    return float(_WORDS[word]) if word in _WORDS else float(word)


def _fold(text: str) -> str:
    folded = re.sub(r"[\u2019`]", "'", (text or "").strip().lower())
    return re.sub(r"\s+", " ", folded).strip(" ?!.")


def parse_rating(text: str, last: int | None) -> Rating | None:
    """The rating in `text`, or None when the message is not one. Relative
    words need the `last` score; without it they are None too."""
    folded = _fold(text)
    if not folded or folded.startswith("/"):
        return None
    found = _SCORE.match(folded)
    if found:
        low = _number(found["low"])
        high = _number(found["high"]) if found["high"] else low
        if max(low, high) > MAX_SCORE:
            return None
        # A range or a half point is recorded rounded up and confirmed: a
        # score a little high errs on the side of getting things checked.
        score = int(-(-(low + high) // 2)) if high != low else int(-(-low // 1))
        return Rating(score, exact=high == low and low == int(low), note=(found["note"] or "").strip())
    found = _RELATIVE.match(folded)
    if found is None or last is None:
        return None
    direction = found["direction"]
    if direction in _SAME:
        step = 0
    else:
        step = _DEGREE.get(found["degree"] or "", 2)
        step = step if direction in _WORSE else -step
    return Rating(min(MAX_SCORE, max(0, last + step)), exact=False, note=(found["note"] or "").strip())


_STOP = re.compile(
    r"\b(?:stop|quit|don'?t|do not|no more|never)\b.{0,20}\b(?:ask(?:ing)?|rat(?:e|ing)|scores?|numbers?)\b"
)


def asks_to_stop(text: str) -> bool:
    """"Stop asking me", "don't ask me to rate it", "no more pain scores"."""
    return bool(_STOP.search(_fold(text)))


# The answer to "shall I note 5?" was no.
REJECTED = -1


def confirmation(text: str, proposed: int) -> int | None:
    """The answer to "shall I note 5?": a number given instead, the proposed
    score on a yes, REJECTED on a no, None when it is neither."""
    rating = parse_rating(text, None)
    if rating is not None:
        return rating.score
    folded = _fold(text)
    if re.match(r"^(?:/affirm|yes|yeah|yep|yup|ok(?:ay)?|sure|right|correct|that'?s right|fine|sounds right|go on)\b", folded):
        return proposed
    if re.match(r"^(?:/deny|no|nope|nah|not really|wrong|not quite)\b", folded):
        return REJECTED
    return None
