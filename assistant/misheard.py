"""A red flag the recogniser may have misheard, carried from a voice channel
to the turn: the channel compares what it heard with the red-flag
vocabulary by sound (voice/sounds_like.py) and sends the rule and the words
it may have been with the message, as metadata; safety then asks once
("Did you say you've been wetting yourself?") instead of guessing. Pure: no
Rasa.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping

from assistant.safety import Triage
from assistant.safety_session import rule

KEY = "misheard_red_flag"
_SECOND_PERSON = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "ive": "you've", "i'd": "you'd", "i'll": "you'll",
    "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are",
}
_I_WORDS = {"i": "I", "i'm": "I'm", "im": "I'm", "i've": "I've", "ive": "I've", "i'd": "I'd", "i'll": "I'll"}


def in_own_words(clause: str) -> str:
    """A folded clause as the person says it, with "I" as a capital."""
    return " ".join(_I_WORDS.get(w, w) for w in clause.split())


def said_back(clause: str) -> str:
    """ "I've been wetting myself" as said back: "you've been wetting yourself"."""
    return " ".join(_SECOND_PERSON.get(w.lower(), w) for w in re.findall(r"\S+", clause))


def as_metadata(rule_id: str, heard: str) -> Dict[str, Any]:
    return {KEY: {"rule": rule_id, "heard": heard}}


def from_metadata(metadata: Mapping[str, Any] | None) -> Triage | None:
    """The question a message's metadata asks for: a known rule and the
    words to say back, or None."""
    found = (metadata or {}).get(KEY)
    if not isinstance(found, Mapping) or rule(str(found.get("rule"))) is None:
        return None
    heard = str(found.get("heard") or "").strip()[:200]
    return Triage(False, check=str(found["rule"]), heard=heard)


__all__ = ["KEY", "as_metadata", "from_metadata", "in_own_words", "said_back"]
