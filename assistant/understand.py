"""A message read once, for every stage: the knowledge base's vocabulary
and the red-flag vocabulary found in one pass, with one set of assertions.

Triage (the Rasa policy and the urgent reply), the features that rank
muscles, and the answer readers all ask here, so they never disagree about
what a message said.
"""

from __future__ import annotations

from functools import lru_cache

from assistant.features import Features, default_extractor
from assistant.reading.assertions import default_assertions
from assistant.reading.reading import Reader, Reading
from assistant.safety import Triage, default_triager


@lru_cache(maxsize=1)
def default_reader() -> Reader:
    return Reader({"kb": default_extractor().find, "safety": default_triager().find}, default_assertions())


@lru_cache(maxsize=512)
def read(text: str) -> Reading:
    """The reading of `text` (kept for the few stages of one turn)."""
    return default_reader().read(text)


def features(text: str) -> Features:
    return default_extractor().features(read(text))


def triage(text: str) -> Triage:
    return default_triager().judge(read(text))
