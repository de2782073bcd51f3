"""Turns a person's words (or Rasa's entities) into knowledge-base ids.

Pure Python: both the actions and the evaluation use it, so the ranking does
not depend on what the trained entity extractor happened to catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Sequence, Tuple

from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.reading.reading import Finding, Reading
from assistant.reading.spelling import is_english
from assistant.sides import SIDE_OF_WORD, SIDE_WORDS
from assistant.textmatch import PhraseIndex, PhraseMatch, fold, phrase_stems

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
# Where one clause ends and the next begins.
CLAUSE_BREAK = re.compile(r"[.;!?,:]|\bbut\b|\bhowever\b|\bthough\b|\balthough\b|\bexcept\b")
# Kinds that say where it hurts (a message about someone else's knee names one).
_PLACE_KINDS = ("areas", "muscle", "groups")
# "aches at the back" after a thigh or a knee is the back of that, not the lower back.
_AT_THE_BACK = re.compile(r"\b(at|on|in|round|around|to|towards) the $")


@dataclass
class Features:
    """What a message tells us, each id paired with the user's own words."""

    areas: Dict[str, str] = field(default_factory=dict)
    conditions: Dict[str, str] = field(default_factory=dict)
    activities: Dict[str, str] = field(default_factory=dict)
    sensations: Dict[str, str] = field(default_factory=dict)
    tools: Dict[str, str] = field(default_factory=dict)
    muscles: Dict[str, str] = field(default_factory=dict)
    groups: Dict[str, str] = field(default_factory=dict)  # nicknames: "quads"
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
            ("groups", self.groups),
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
        # Nicknames get an index of their own: "hip flexors" is a place and a
        # group at once, and neither may claim the words from the other.
        group_entries = [(p, "groups", g.id) for g in kb.vocabulary.muscle_groups for p in [g.name, *g.synonyms]]
        symptom_words = [w for m in kb.muscles.values() for s in m.symptoms for w in s.split()]
        group_words = [w for p, _, _ in group_entries for w in p.split()]
        self.index = PhraseIndex(entries, extra_words=symptom_words + group_words, is_word=is_english)
        self.groups = PhraseIndex(group_entries, is_word=is_english)
        # A phrase exactly as the vocabulary spells it comes first: "groin
        # muscles" is the adductor group, "groin muscle" one adductor, and
        # their stems are the same.
        self._by_phrase = {(kind, fold(p)): ident for p, kind, ident in entries + group_entries}
        self._by_surface = {(kind, " ".join(phrase_stems(p))): ident for p, kind, ident in entries + group_entries}

    def find(self, text: str) -> List[PhraseMatch]:
        """Every place, sensation, activity, condition, tool, muscle and
        nickname the text names (what the reading asserts things about)."""
        tokens = self.index.normalize(text)
        matches = [m for m in self._back_of(text, self.index.find(text, tokens)) if not _measured_in_fingers(text, m)]
        return matches + self.groups.find(text, tokens)

    def extract(self, text: str) -> Features:
        """Features of vocabulary text (a symptom phrase of the knowledge
        base), where nothing is denied or someone else's. A person's message
        is read first: see features()."""
        return self._features(text, self.find(text), ())

    def features(self, reading: Reading) -> Features:
        """What a person's message tells of their own pain now. A denied
        finding never counts; one about someone else, or told as past, counts
        only when the message tells of nothing else (then it is what they ask
        about: "my wife's knee hurts")."""
        left_out = self.left_out(reading)
        kept = [f for f in reading.of("kb") if f not in left_out]
        matches = [PhraseMatch(f.kind, f.id, f.words, f.start, f.end) for f in kept]
        return self._features(reading.text, matches, left_out)

    @staticmethod
    def left_out(reading: Reading) -> List[Finding]:
        """The findings that do not tell the person's own pain now."""
        findings = reading.of("kb")
        kept = [f for f in findings if not f.denied]
        for dropped in (lambda f: f.assertion.other is not None, lambda f: f.assertion.past):
            rest = [f for f in kept if not dropped(f)]
            if any(f.kind in _PLACE_KINDS for f in rest):
                kept = rest
        return [f for f in findings if f not in kept]

    def _features(self, text: str, matches: Sequence[PhraseMatch], left_out: Sequence[Finding]) -> Features:
        outside = [(f.start, f.end) for f in left_out]
        tokens = [t for t in self.index.normalize(text) if not any(a <= t.start < b for a, b in outside)]
        features = Features(stems=tuple(t.stem for t in tokens))
        for match in matches:
            features.add(match.kind, match.id, match.surface)
        features.side = find_side(text)
        return features

    def _back_of(self, text: str, matches: List[PhraseMatch]) -> List[PhraseMatch]:
        """"My thigh aches at the back": a bare "back" after a place in the
        same clause is the back of that place, when the vocabulary has one."""
        folded = fold(text)
        for back in matches:
            if back.kind != "areas" or back.id != "lower_back" or back.surface != "back":
                continue
            if not _AT_THE_BACK.search(folded[: back.start]):
                continue
            for place in matches:
                between = folded[place.end : back.start]
                if place.kind != "areas" or place.end > back.start or CLAUSE_BREAK.search(between):
                    continue
                found = [m for m in self.index.find(f"back of the {place.surface}") if m.kind == "areas"]
                if found and found[0].id != place.id:
                    merged = PhraseMatch("areas", found[0].id, folded[place.start : back.end], place.start, back.end)
                    return [m for m in matches if m not in (back, place)] + [merged]
        return matches

    def toward(self, areas: Dict[str, str], side: str) -> Dict[str, str]:
        """The part of each place toward one side ("outside" of the knee is
        the outside of the knee), looked up in the vocabulary's own words;
        a part of a place looks from the place it belongs to."""
        found: Dict[str, str] = {}
        places = {a.id: a for a in self.kb.vocabulary.areas}
        for ident in areas:
            term = places[ident]
            for place in [term.name, *(places[p].name for p in term.part_of)]:
                named = [m for m in self.index.find(f"{side} of the {place}") if m.kind == "areas" and m.id != ident]
                if named:
                    found.setdefault(named[0].id, named[0].surface)
                    break
        return found

    @staticmethod
    def tool_mentions(reading: Reading) -> Tuple[List[str], List[str]]:
        """Tools the person has, and tools they say they lack ("no lacrosse ball")."""
        have: List[str] = []
        lacking: List[str] = []
        for finding in reading.of("kb"):
            if finding.kind == "tools":
                (lacking if finding.denied else have).append(finding.id)
        return list(dict.fromkeys(have)), list(dict.fromkeys(lacking))

    def lookup(self, entity_type: str, value: str) -> Tuple[str, str] | None:
        """Map one Rasa entity (type, text or KB id) to (kind, id)."""
        kind = ENTITY_KINDS.get(entity_type)
        if kind is None or not value:
            return None
        # The trained extractor tags "quads" as a muscle: a nickname is looked up too.
        kinds = (kind, "groups") if kind == "muscle" else (kind,)
        for wanted in kinds:
            if value in self._ids(wanted):
                return wanted, value
        for wanted in kinds:
            ident = self._by_phrase.get((wanted, fold(value).strip()))
            if ident:
                return wanted, ident
        key = " ".join(self.index.correct(s) for s in phrase_stems(value))
        for wanted in kinds:
            ident = self._by_surface.get((wanted, key))
            if ident:
                return wanted, ident
        matches: List[PhraseMatch] = [m for m in self.index.find(value) + self.groups.find(value) if m.kind in kinds]
        return (matches[0].kind, matches[0].id) if matches else None

    def _ids(self, kind: str) -> Iterable[str]:
        if kind == "muscle":
            return self.kb.muscles
        if kind == "groups":
            return self.kb.groups
        return {t.id for t in getattr(self.kb.vocabulary, kind)}

    def display_name(self, kind: str, ident: str) -> str:
        """The vocabulary's own words for an id, for when the person's are unknown."""
        if kind == "muscle":
            return self.kb.muscles[ident].name
        if kind == "groups":
            return self.kb.groups[ident].name
        return self.kb.term(kind, ident).name

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

    def from_entities(self, entities: Iterable[dict], text: str = "") -> Features:
        """Features from Rasa's entities. Each keeps the person's words: the
        span of `text` it covers, else the vocabulary's name (a button's
        payload carries only an id, which must never be shown)."""
        features = Features()
        for entity in entities:
            etype, value = entity.get("entity"), str(entity.get("value") or "")
            if etype == "side":
                features.side = features.side or SIDE_OF_WORD.get(value.lower().strip())
                continue
            found = self.lookup(etype or "", value)
            if found:
                features.add(found[0], found[1], _typed(entity, text) or self.display_name(*found))
        return features


def _typed(entity: dict, text: str) -> str | None:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return str(entity["text"]) if entity.get("text") else None


# "I can only open my mouth two fingers wide", "three finger-widths below":
# fingers used as a ruler, not the place that hurts.
_FINGER_RULER = re.compile(r"\b(?:\d+|one|two|three|four|a few|a couple of)\s+fingers?(?:[ -]?widths?|\s+wide|\s+apart)?\b")


def _measured_in_fingers(text: str, match: PhraseMatch) -> bool:
    if match.kind != "areas" or match.id != "fingers":
        return False
    return any(r.start() <= match.start < r.end() for r in _FINGER_RULER.finditer(fold(text)))


def find_side(text: str) -> str | None:
    sides = {SIDE_OF_WORD[m] for m in _SIDE_NAMES.findall(text.lower())}
    if len(sides) > 1 or "both" in sides:
        return "both"
    return sides.pop() if sides else None


@lru_cache(maxsize=1)
def default_extractor() -> FeatureExtractor:
    return FeatureExtractor(default_knowledge())
