"""Tolerant phrase matching over lay text (pure Python, no Rasa).

People type "kne", "siatica" or "my knee sometimes buckles": words are folded
to crude stems, misspellings are corrected against the known vocabulary, and
phrases match in order with a one-word gap allowed.
"""

from __future__ import annotations

import importlib.abc
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Dict, Iterable, List, Sequence, Tuple


class _NoSpacy(importlib.abc.MetaPathFinder):
    """lemminflect hooks itself into spaCy whenever spaCy is installed, and
    so loads it (90 MB) into the action server, which never reads with it.
    We use its lemmas, not the hook: spaCy is "not installed" while it loads."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "spacy":
            raise ImportError("not needed by lemminflect here")


# (Where spaCy is loaded already, the hook goes in as usual: unused.)
_hidden = _NoSpacy()
sys.meta_path.insert(0, _hidden)
try:
    from lemminflect import getAllLemmas
finally:
    sys.meta_path.remove(_hidden)

# Words that carry no meaning for matching; removed from text and phrases alike.
STOPWORDS = frozenset(
    """
    a an the my your his her their our this that these those i im i'm me it its is are was were be
    been am very really so just quite kind sort like um uh er ah oh also too bit little some pretty
    totally literally actually
    """.split()
)

# Everyday words that must never be "corrected" into a domain word
# ("setting" is not a typo of "sitting", "bake" not of "back").
COMMON_WORDS = frozenset(
    """
    about after again all always and any anything around at away bad bake because before being best
    better big both but by can cant could day days did do does doing done dont each else even ever
    every feel feeling feels few find for from get gets getting go goes going good got had has have
    having help here how if into know last let long look lot made make many more most much must need
    never new next night no nothing now of off often old on once one only or other out over own past
    please put rather right same say see seems setting she should since still such sure take tell
    left than thank thanks then there they thing things think time to today told try trying two under
    until up us use used want way week weeks well went what when where which while who why will with
    without work would yes yesterday yet you year years ago morning evening hurts hurt pain
    """.split()
)

IRREGULAR = {
    "lying": "lie",
    "lay": "lie",
    "laying": "lie",
    "slept": "sleep",
    "sat": "sit",
    "ran": "run",
    "fell": "fall",
    "fallen": "fall",
    "hurts": "hurt",
    "hurting": "hurt",
    "gave": "give",
    "went": "go",
    "feet": "foot",
    "teeth": "tooth",
    "knees": "knee",
    "calves": "calf",
    "thighs": "thigh",
    "legs": "leg",
    "can't": "cant",
    "cannot": "cant",
    "couldn't": "cant",
    "couldnt": "cant",
    "won't": "wont",
    "don't": "dont",
    "didn't": "didnt",
    "doesn't": "doesnt",
    # A trapped nerve is not the traps (the upper trapezius).
    "trapped": "trapped",
    "trapping": "trapped",
    # Not "leave", not "foot": the side, and a way of walking.
    "left": "left",
    "footed": "footed",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word's lemma (lemminflect's dictionary: "calves" -> "calf",
    "testing" -> "test", "testes" -> "testis"), a noun's before a verb's;
    words it does not know ("glutes", a typo) lose their endings by rule.
    Phrases and text are folded alike."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith("'s"):
        word = word[:-2]
    lemmas = getAllLemmas(word)
    if lemmas:
        inflected = (lemma for pos in ("NOUN", "VERB") for lemma in lemmas.get(pos, ()) if lemma != word)
        return next(inflected, word)
    return _by_rule(word)


def _by_rule(word: str) -> str:
    """Crude suffix stripping for words no dictionary knows."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2]:
            word = word[:-1]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2]:
            word = word[:-1]
    elif len(word) > 4 and re.search(r"(ss|x|ch|sh)es$", word):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def fold(text: str) -> str:
    """Lowercase, strip accents and unify apostrophes."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("\u2019", "'").replace("`", "'")


@dataclass(frozen=True)
class Token:
    stem: str
    start: int
    end: int


def tokenize(text: str) -> List[Token]:
    """Stemmed content tokens with character offsets into the folded text."""
    folded = fold(text)
    tokens = []
    for m in _TOKEN.finditer(folded):
        word = m.group(0)
        if word in STOPWORDS:
            continue
        tokens.append(Token(stem(word), m.start(), m.end()))
    return tokens


def phrase_stems(phrase: str) -> Tuple[str, ...]:
    return tuple(t.stem for t in tokenize(phrase))


def edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Damerau-Levenshtein (adjacent transpositions) distance <= limit."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


@dataclass(frozen=True)
class PhraseMatch:
    kind: str
    id: str
    surface: str  # the user's own words, as typed
    start: int
    end: int


LONG_TERM = 6
RUN_ON_LETTERS = 3


class PhraseIndex:
    """Finds vocabulary phrases in text: longest first, non-overlapping."""

    def __init__(
        self, entries: Iterable[Tuple[str, str, str]], extra_words: Iterable[str] = (), is_word: Callable[[str], bool] = lambda w: False
    ):
        # Words for which `is_word` holds are real words as typed, never corrected.
        self.is_word = is_word
        self._by_first: Dict[str, List[Tuple[Tuple[str, ...], str, str]]] = {}
        # Every known word, as spelt and as stemmed, to its stem: a typo is
        # put right against either ("swolen" is one letter from "swollen").
        self._stem_of: Dict[str, str] = {}
        vocabulary: set[str] = set()
        seen = set()
        entries = list(entries)
        for phrase, kind, ident in entries:
            stems = phrase_stems(phrase)
            if not stems or (stems, kind, ident) in seen:
                continue
            seen.add((stems, kind, ident))
            self._by_first.setdefault(stems[0], []).append((stems, kind, ident))
            vocabulary.update(stems)
        spelt = [t.group(0) for phrase, _, _ in entries for t in _TOKEN.finditer(fold(phrase))]
        for word in [*COMMON_WORDS, *spelt, *extra_words]:
            self._stem_of.setdefault(stem(word), stem(word))
            self._stem_of.setdefault(word, stem(word))
        self._stem_of.update({s: s for s in vocabulary})
        for candidates in self._by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))
        self.known = frozenset(self._stem_of)
        # Long vocabulary words, longest first: what a run-on mishearing ends in.
        self._long_terms = sorted((w for w in vocabulary if len(w) >= LONG_TERM and w not in COMMON_WORDS), key=lambda w: (-len(w), w))
        self._buckets: Dict[Tuple[str, int], List[str]] = {}
        # Sorted, so that a tie between two corrections goes the same way in every process.
        for word in sorted(self.known):
            self._buckets.setdefault((word[:1], len(word)), []).append(word)
        self.correct = lru_cache(maxsize=4096)(self._correct)

    def _correct(self, word: str) -> str:
        """The stem of the closest known word for an unknown word, or the
        word's own stem."""
        if word in self.known:
            return self._stem_of[word]
        if len(word) < 3 or word.isdigit():
            return stem(word)
        limit = 1 if len(word) < 7 else 2
        # Three-letter words only gain a dropped letter ("kne", "dwn"): any
        # other change would turn "him" into "hip".
        lengths = [4] if len(word) == 3 else range(len(word) - limit, len(word) + limit + 1)
        best: str | None = None
        for length in lengths:
            for candidate in self._buckets.get((word[:1], length), ()):
                closer = best is None or abs(len(candidate) - len(word)) < abs(len(best) - len(word))
                if closer and len(candidate) >= 3 and edit_distance_at_most(word, candidate, limit):
                    best = candidate
        if best is None:
            # A recogniser runs a sound on into a long word ("diliocostalis",
            # "megadductor"): an unknown word that is a long term with a few
            # letters before it is that term.
            stemmed = stem(word)
            best = next((t for t in self._long_terms if stemmed.endswith(t) and len(stemmed) - len(t) <= RUN_ON_LETTERS), None)
        return self._stem_of[best] if best else stem(word)

    def normalize(self, text: str) -> List[Token]:
        folded = fold(text)
        tokens = []
        for t in tokenize(text):
            word = folded[t.start : t.end]
            corrected = t.stem if self.is_word(word) or t.stem in self.known else self.correct(word.removesuffix("'s"))
            tokens.append(Token(corrected, t.start, t.end))
        return tokens

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> List[PhraseMatch]:
        if tokens is None:
            tokens = self.normalize(text)
        folded = fold(text)
        stems = [t.stem for t in tokens]
        used = [False] * len(tokens)
        found: List[Tuple[int, int, PhraseMatch]] = []
        # Longest phrases claim their words first, so "outside of my knee" wins
        # over "knee".
        candidates = sorted(
            ((i, c) for i, s in enumerate(stems) for c in self._by_first.get(s, ())),
            key=lambda ic: (-len(ic[1][0]), ic[0]),
        )
        for i, (phrase, kind, ident) in candidates:
            positions = _locate(stems, used, i, phrase)
            if positions is None:
                continue
            for p in positions:
                used[p] = True
            start, end = tokens[positions[0]].start, tokens[positions[-1]].end
            found.append((start, len(found), PhraseMatch(kind, ident, folded[start:end], start, end)))
        return [m for _, _, m in sorted(found)]


def _locate(stems: List[str], used: List[bool], first: int, phrase: Tuple[str, ...]) -> List[int] | None:
    """Positions of `phrase` starting at `first`, allowing one stray word
    between consecutive phrase words, or None."""
    if used[first]:
        return None
    positions = [first]
    cursor = first
    for word in phrase[1:]:
        for step in (1, 2):
            j = cursor + step
            if j < len(stems) and not used[j] and stems[j] == word:
                positions.append(j)
                cursor = j
                break
        else:
            return None
    return positions
