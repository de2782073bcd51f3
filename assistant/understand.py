"""A message read once, for every stage: the knowledge base's vocabulary
and the red-flag vocabulary found in one pass, with one set of assertions.

Triage (the Rasa policy and the urgent reply), the features that rank
muscles, and the answer readers all ask here, so they never disagree about
what a message said.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict

from assistant.features import Features, default_extractor
from assistant.reading.reading import Finder, Reader, Reading
from assistant.safety import Triage, default_triager

# Read at start-up by both servers, to build what the first message would.
WARM_UP = "my knee buckles going down the stairs"


def finders() -> Dict[str, Finder]:
    """The vocabularies a message is read for."""
    return {"kb": default_extractor().find, "safety": default_triager().find}


@lru_cache(maxsize=1)
def default_reader() -> Reader:
    # spaCy and ConText load here, on the first message read, not on import:
    # the action server takes its readings from the Rasa server and never
    # loads them.
    from assistant.reading.assertions import default_assertions

    return Reader(finders(), default_assertions())


@lru_cache(maxsize=512)
def read(text: str) -> Reading:
    """The reading of `text` (kept for the few stages of one turn)."""
    return default_reader().read(text)


# Intents an everyday description of pain is sometimes taken for ("I have a
# crick in my neck" as out of scope, "x-rays on my hands" as tools).
MISREAD_INTENTS = frozenset({"out_of_scope", "nlu_fallback", "ask_tools", "ask_root_cause"})
_ASKS_WHY = re.compile(
    r"\?|\bwhy\b|\bcoming back\b|\bkeeps? (?:happening|returning|coming|doing)\b|\bcaus(?:es|ing)\b|\bcause of\b|"
    r"\breason\b|\breturns?\b|\breturning\b|\bagain\b|\bcomes? back\b|\bbehind (?:that|this|it)\b|\bis it because\b|"
    r"\bdoing wrong\b|\bin the first place\b"
)
# "Just my hands", "I can use my knuckles": hands offered as the tool.
_OFFERS_HANDS = re.compile(r"\b(?:use|using|only|just|with)\b")


def describes_pain(intent: str | None, text: str) -> bool:
    """Is a message the intent classifier placed elsewhere really a
    description of the person's own pain? It names a place of their own,
    stated as now, and is not asking why, nor naming a tool it has."""
    if intent not in MISREAD_INTENTS:
        return False
    reading = read(text)
    if intent == "ask_root_cause" and _ASKS_WHY.search(reading.folded):
        return False
    found = [f for f in reading.of("kb") if f.stated and not f.assertion.other]
    if intent == "ask_tools" and (any(f.kind == "tools" for f in found) or _OFFERS_HANDS.search(reading.folded)):
        return False
    return any(f.kind in ("areas", "muscle", "groups") for f in found)


def features(text: str) -> Features:
    return default_extractor().features(read(text))


def triage(text: str) -> Triage:
    return default_triager().judge(read(text))
