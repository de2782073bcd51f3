"""Red flags that may have been misheard: "welding myself" for "wetting
myself", "my food drops" for "my foot drops", "accidents with my mouths"
for "accidents with my bowels".

A recogniser can lose the one word that makes a message alarming, and a
person losing bladder control who hears ball tips instead is the worst
outcome this product can have. So what was heard is compared with the
red-flag vocabulary (safety_concepts.yml) by sound: a phrase of it matches
when all its words but one are there as written and that one sounds close
(espeak-ng's phonemes, phonemes.py). If the message, with the phrase put in
place of the words heard, would raise a red flag that it does not raise as
heard, the person is asked once: "Did you say you've been wetting
yourself?" Never an alarm on a guess, never a miss.

How close is close enough depends on how much else agrees: a word that
the recogniser itself doubted (it scored it low, or its runners-up heard
something else there), or that sits inside two of the phrase's words as
written, may sound further off. A phrase of one word is only considered
for a doubted word: everyday words sound like alarming ones ("never" and
"fever"), and only the recogniser can tell which it was unsure of.

Pure: no Rasa, no audio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Dict, Iterator, List, Sequence, Tuple

from rapidfuzz.distance import Levenshtein

from assistant.features import default_extractor
from assistant.misheard import in_own_words
from assistant.safety import RULES, absorbers, load_concepts
from assistant.textmatch import Token, fold, tokenize
from assistant.understand import triage
from assistant.voice.phonemes import sound_of

# Normalised edit distance between the broad sounds of two words: "welding"
# and "wetting" 0.17, "food" and "foot" 0, "mouths" and "bowels" 0.5, "let"
# and "wet" 0.33 (one sound of three: too far unless something backs it).
CLOSE = 0.3
CLOSE_WHEN_DOUBTED = 0.5
# Words too common to vouch for a phrase on their own ("with", "can't").
WEAK_ANCHORS = frozenset(
    "with of to in on at when and or for from can can't cannot cant couldn't no not all keep any get got have has had been "
    "out up down off but where what how".split()
)
# A clause ends at punctuation or at a word that starts another one.
_CLAUSE_END = re.compile(r"[.,;:!?]|\b(?:and|but|then|so|because)\b")
_LEADING_FILLERS = re.compile(r"^(?:\s*\b(?:also|and|but|so|then|well|um|uh|oh)\b)+")


@dataclass(frozen=True)
class Phrase:
    text: str  # as written in the vocabulary
    stems: Tuple[str, ...]
    words: Tuple[str, ...]  # the surface word of each stem, for its sound


@dataclass(frozen=True)
class NearMiss:
    rule: str  # the red-flag rule the phrase would raise
    heard: str  # the clause as the person may have said it ("I've been wetting myself")
    said: str  # the recogniser's words in its place ("welding")
    distance: float


def _phrase(text: str) -> Phrase | None:
    tokens = tokenize(text)
    if not tokens:
        return None
    folded = fold(text)
    return Phrase(text, tuple(t.stem for t in tokens), tuple(folded[t.start : t.end] for t in tokens))


@lru_cache(maxsize=1)
def vocabulary() -> Tuple[Phrase, ...]:
    """The phrases of every concept a red-flag rule needs (look-alikes and
    time words left out: hearing those wrongly raises nothing)."""
    concepts = load_concepts()
    needed = {c for rule in RULES for alternative in rule.any_of for c in alternative.needs}
    kept = needed - absorbers(concepts)
    phrases = {p for concept, texts in concepts.items() if concept in kept for p in texts}
    return tuple(p for p in (_phrase(text) for text in sorted(phrases)) if p is not None)


@lru_cache(maxsize=1)
def _by_stem() -> Dict[str, List[Tuple[Phrase, int]]]:
    index: Dict[str, List[Tuple[Phrase, int]]] = {}
    for phrase in vocabulary():
        for position, word_stem in enumerate(phrase.stems):
            index.setdefault(word_stem, []).append((phrase, position))
    return index


def _content_word(word: str) -> bool:
    return len(word) > 2 and word not in WEAK_ANCHORS


def sound_distance(heard: str, meant: str) -> float:
    a, b = sound_of(heard), sound_of(meant)
    return Levenshtein.normalized_distance(a, b) if a and b else 1.0


@dataclass(frozen=True)
class Swap:
    """The phrase's word `meant` in place of the heard token at `at`."""

    at: int
    meant: str
    said: str
    distance: float


def _anchored(tokens: Sequence[Token], folded: str, doubtful: Collection[str]) -> Iterator[Swap]:
    """Phrases of two or more words of which all but one are heard as written."""
    seen = set()
    for i, token in enumerate(tokens):
        for phrase, position in _by_stem().get(token.stem, ()):
            start = i - position
            end = start + len(phrase.stems)
            if start < 0 or end > len(tokens) or len(phrase.stems) < 2 or (phrase.text, start) in seen:
                continue
            seen.add((phrase.text, start))
            window = tokens[start:end]
            differing = [k for k, t in enumerate(window) if t.stem != phrase.stems[k]]
            if len(differing) != 1:
                continue
            anchors = [phrase.stems[k] for k in range(len(window)) if k != differing[0]]
            if all(a in WEAK_ANCHORS for a in anchors):
                continue
            other = window[differing[0]]
            said, meant = folded[other.start : other.end], phrase.words[differing[0]]
            if not (_content_word(said) and _content_word(meant)):
                continue  # "can" for "can't", "and" for "can't": a flip of sense, not a sound
            distance = sound_distance(said, meant)
            if distance <= (CLOSE_WHEN_DOUBTED if said in doubtful else CLOSE):
                yield Swap(start + differing[0], meant, said, distance)


def _doubted(tokens: Sequence[Token], folded: str, doubtful: Collection[str]) -> Iterator[Swap]:
    """One-word phrases, only in place of a word the recogniser doubted that
    is not a word of the knowledge base ("glute" is no mishearing of "clot")."""
    singles = [p for p in vocabulary() if len(p.stems) == 1]
    known = default_extractor().index.known
    for i, token in enumerate(tokens):
        said = folded[token.start : token.end]
        if said not in doubtful or not _content_word(said) or token.stem in known:
            continue
        for phrase in singles:
            distance = sound_distance(said, phrase.words[0])
            if distance <= CLOSE and token.stem != phrase.stems[0]:
                yield Swap(i, phrase.words[0], said, distance)


def swaps(text: str, doubtful: Collection[str] = ()) -> List[Swap]:
    """Every word of a red-flag phrase that may have been said where `text`
    has another, closest first. `doubtful`: words (folded) the recogniser was unsure of."""
    folded = fold(text)
    tokens = tokenize(text)
    found = [*_anchored(tokens, folded, doubtful), *_doubted(tokens, folded, doubtful)]
    return sorted(found, key=lambda s: s.distance)


def _clause(text: str, start: int, end: int) -> str:
    """The clause of `text` around text[start:end], without a leading "and also"."""
    before = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    after = _CLAUSE_END.search(text, end)
    clause = text[before[-1] if before else 0 : after.start() if after else len(text)]
    return _LEADING_FILLERS.sub("", clause).strip()


def near_miss(text: str, doubtful: Collection[str] = ()) -> NearMiss | None:
    """The red flag `text` may hide, if it raises none as heard."""
    candidates = swaps(text, doubtful)
    if not candidates or triage(text).flagged:
        return None
    folded = fold(text)
    tokens = tokenize(text)
    for swap in candidates:
        token = tokens[swap.at]
        meant = folded[: token.start] + swap.meant + folded[token.end :]
        result = triage(meant)
        if result.flagged and result.rule_id:
            clause = _clause(meant, token.start, token.start + len(swap.meant))
            return NearMiss(result.rule_id, in_own_words(clause), swap.said, swap.distance)
    return None


def doubted_words(readings: Sequence[str]) -> frozenset:
    """Words of any reading that not every reading has: where the beam's
    runners-up disagree, the recogniser was unsure."""
    if len(readings) < 2:
        return frozenset()
    sets = [set(re.findall(r"[a-z']+", fold(r))) for r in readings]
    return frozenset(set.union(*sets) - set.intersection(*sets))


__all__ = ["NearMiss", "doubted_words", "near_miss", "sound_distance", "swaps", "vocabulary"]
