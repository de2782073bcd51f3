"""Which words are English, so that only the others are ever corrected.

The list is the English frequency dictionary that ships with symspellpy
(82,765 words with their counts, from Google Books n-grams intersected with
SCOWL word lists). A word in it is never bent into a neighbouring word:
"forever" is not a typo of "fever", nor "testing" of "testes".
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import FrozenSet, List, Tuple

DICTIONARY = "frequency_dictionary_en_82_765.txt"


@lru_cache(maxsize=1)
def ranked_words() -> Tuple[str, ...]:
    """The dictionary's words, most frequent first."""
    text = resources.files("symspellpy").joinpath(DICTIONARY).read_text(encoding="utf-8")
    counted: List[Tuple[int, str]] = []
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if word and count.strip().isdigit():
            counted.append((-int(count), word))
    return tuple(word for _, word in sorted(counted))


@lru_cache(maxsize=1)
def english_words() -> FrozenSet[str]:
    return frozenset(ranked_words())


def is_english(word: str) -> bool:
    """Is `word` (lower case) an English word as written? Contractions count
    by their stem ("doesn't", "it's"), and so does a word with an "s" added
    ("theres" for "there's" is no typo of "teres")."""
    words = english_words()
    return word in words or word.split("'")[0] in words or (len(word) > 3 and word.endswith("s") and word[:-1] in words)
