"""Spoken answers to buttons.

On a screen people press a button; on the phone or the mic they say it. When
what they said is one of the choices just offered ("the same", "inside of
the knee", "the second one"), the assistant gets the button's payload, just
as if it had been pressed. Pure: no Rasa, no audio.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from assistant.voice.text import normalise, said_once

ORDINAL_WORDS = {
    "first": 0, "one": 0, "second": 1, "two": 1, "third": 2, "three": 2,
    "fourth": 3, "four": 3, "fifth": 4, "five": 4, "last": -1,
}
# Said around a choice without changing it: "the same please", "um, worse".
FILLERS = {"um", "uh", "er", "erm", "please", "i", "think", "it's", "its", "it", "is", "say", "oh", "well", "just", "ok", "okay"}
ORDINAL_FRAMES = {"the", "one", "option", "number", "button"}


def _words(text: str) -> List[str]:
    return said_once([w for w in normalise(text).split() if w not in FILLERS])


def match_button(transcript: str, buttons: Sequence[Dict[str, Any]]) -> str | None:
    """The payload of the button `transcript` picks, or None when it says
    something else (then it goes to the assistant as it is)."""
    offered = [b for b in buttons if isinstance(b, dict) and isinstance(b.get("payload"), str) and b.get("title")]
    said = _words(transcript)
    if not offered or not said:
        return None
    titles = [_words(str(b["title"])) for b in offered]
    exact = [b for b, title in zip(offered, titles, strict=True) if title == said]
    if exact:
        return exact[0]["payload"]
    # "the same" vs "same": articles dropped on either side still match.
    loose = [b for b, title in zip(offered, titles, strict=True) if [w for w in title if w != "the"] == [w for w in said if w != "the"]]
    if len(loose) == 1:
        return loose[0]["payload"]
    # "the second one", "number two": an ordinal and nothing but framing words.
    ordinals = [ORDINAL_WORDS[w] for w in said if w in ORDINAL_WORDS and w not in ORDINAL_FRAMES]
    ordinals = ordinals or [ORDINAL_WORDS[w] for w in said if w in ORDINAL_WORDS]
    rest = [w for w in said if w not in ORDINAL_WORDS and w not in ORDINAL_FRAMES]
    if len(ordinals) == 1 and not rest and -len(offered) <= ordinals[0] < len(offered):
        return offered[ordinals[0]]["payload"]
    return None
