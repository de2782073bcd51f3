"""Turns a person's words (or Rasa's entities) into knowledge-base ids.

Pure Python: both the actions and the evaluation use it, so the ranking does
not depend on what the trained entity extractor happened to catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Tuple

from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.sides import SIDE_OF_WORD, SIDE_WORDS
from assistant.textmatch import PhraseIndex, PhraseMatch, fold, is_negated, phrase_stems

# Entity types (DESIGN.md) -> vocabulary kinds of the knowledge base.
ENTITY_KINDS = {
    "body_part": "areas",
    "condition": "conditions",
    "activity": "activities",
    "sensation": "sensations",
    "tool": "tools",
    "muscle": "muscle",
}

_SIDE_NAMES = re.compile(r"\b(" + "|".join(SIDE_WORDS) + r")\b")


@dataclass
class Features:
    """What a message tells us, each id paired with the user's own words."""

    areas: Dict[str, str] = field(default_factory=dict)
    conditions: Dict[str, str] = field(default_factory=dict)
    activities: Dict[str, str] = field(default_factory=dict)
    sensations: Dict[str, str] = field(default_factory=dict)
    tools: Dict[str, str] = field(default_factory=dict)
    muscles: Dict[str, str] = field(default_factory=dict)
    side: str | None = None
    stems: Tuple[str, ...] = ()

    def kinds(self) -> Iterable[Tuple[str, Dict[str, str]]]:
        return (
            ("areas", self.areas),
            ("conditions", self.conditions),
            ("activities", self.activities),
            ("sensations", self.sensations),
            ("tools", self.tools),
            ("muscle", self.muscles),
        )

    def add(self, kind: str, ident: str, surface: str) -> None:
        target = dict(self.kinds())[kind]
        target.setdefault(ident, surface)

    def merged(self, other: Features) -> Features:
        """This message's features on top of earlier ones (clarifying turns)."""
        result = Features(side=self.side or other.side, stems=other.stems + self.stems)
        for source in (other, self):
            for kind, values in source.kinds():
                for ident, surface in values.items():
                    result.add(kind, ident, surface)
        return result

    def to_dict(self) -> dict:
        data: Dict[str, object] = {kind: dict(values) for kind, values in self.kinds() if values}
        if self.side:
            data["side"] = self.side
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> Features:
        result = cls(side=(data or {}).get("side"))
        for kind, values in (data or {}).items():
            if kind != "side" and isinstance(values, dict):
                for ident, surface in values.items():
                    result.add(kind, str(ident), str(surface))
        return result


class FeatureExtractor:
    def __init__(self, kb: Knowledge):
        self.kb = kb
        entries: List[Tuple[str, str, str]] = []
        for kind in ("areas", "conditions", "activities", "sensations", "tools"):
            for term in getattr(kb.vocabulary, kind):
                entries += [(p, kind, term.id) for p in [term.name, *term.synonyms]]
        for muscle in kb.muscles.values():
            entries += [(p, "muscle", muscle.id) for p in [muscle.name, muscle.id.replace("_", " "), *muscle.aliases]]
        symptom_words = [w for m in kb.muscles.values() for s in m.symptoms for w in s.split()]
        self.index = PhraseIndex(entries, extra_words=symptom_words)
        self._by_surface = {(kind, " ".join(phrase_stems(p))): ident for p, kind, ident in entries}

    def extract(self, text: str) -> Features:
        tokens = self.index.normalize(text)
        features = Features(stems=tuple(t.stem for t in tokens))
        for match in self.index.find(text, tokens):
            features.add(match.kind, match.id, match.surface)
        features.side = find_side(text)
        return features

    def tool_mentions(self, text: str) -> Tuple[List[str], List[str]]:
        """Tools the person has, and tools they say they lack ("no lacrosse ball")."""
        folded = fold(text)
        have: List[str] = []
        lacking: List[str] = []
        for match in self.index.find(text):
            if match.kind == "tools":
                (lacking if is_negated(folded, match) else have).append(match.id)
        return list(dict.fromkeys(have)), list(dict.fromkeys(lacking))

    def lookup(self, entity_type: str, value: str) -> Tuple[str, str] | None:
        """Map one Rasa entity (type, text or KB id) to (kind, id)."""
        kind = ENTITY_KINDS.get(entity_type)
        if kind is None or not value:
            return None
        ids = self.kb.muscles if kind == "muscle" else {t.id for t in getattr(self.kb.vocabulary, kind)}
        if value in ids:
            return kind, value
        key = " ".join(self.index.correct(s) for s in phrase_stems(value))
        ident = self._by_surface.get((kind, key))
        if ident:
            return kind, ident
        matches: List[PhraseMatch] = [m for m in self.index.find(value) if m.kind == kind]
        return (kind, matches[0].id) if matches else None

    def resolve_entities(self, entities: Iterable[dict]) -> List[dict]:
        """Entities from every extractor, each mapped to its KB id; ones that
        name nothing we know ("my", "year") are dropped. When two extractors
        found the same thing, the later one (the trained extractor) is kept."""
        resolved: Dict[Tuple[str, str], dict] = {}
        for entity in entities:
            etype, value = entity.get("entity"), str(entity.get("value") or "")
            if etype == "ordinal":
                ident = value if value.isdigit() else None
            elif etype == "side":
                ident = SIDE_OF_WORD.get(value.lower().strip())
            else:
                found = self.lookup(etype or "", value)
                ident = found[1] if found else None
            if ident is not None:
                resolved[(str(etype), ident)] = {**entity, "value": ident}
        return list(resolved.values())

    def from_entities(self, entities: Iterable[dict]) -> Features:
        features = Features()
        for entity in entities:
            etype, value = entity.get("entity"), str(entity.get("value") or "")
            if etype == "side":
                features.side = features.side or SIDE_OF_WORD.get(value.lower().strip())
                continue
            found = self.lookup(etype or "", value)
            if found:
                features.add(found[0], found[1], str(entity.get("text") or value))
        return features


def find_side(text: str) -> str | None:
    sides = {SIDE_OF_WORD[m] for m in _SIDE_NAMES.findall(text.lower())}
    if len(sides) > 1 or "both" in sides:
        return "both"
    return sides.pop() if sides else None


@lru_cache(maxsize=1)
def default_extractor() -> FeatureExtractor:
    return FeatureExtractor(default_knowledge())
