"""Symptom features -> ranked muscles with reasons (pure, deterministic).

Scores add up evidence the way a therapist reads a pain map: where it hurts
(essential zones count double spillover ones), what it is mistaken for, what
sets it off, and how it feels. A muscle named outright wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Tuple

from assistant.features import FeatureExtractor, Features, default_extractor
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.knowledge.schema import Muscle, ReferralKind
from assistant.textmatch import phrase_stems

NAMED = 20.0
# A nickname ("my quads") names several muscles: each member counts, less than
# one named outright, more than any single clue about the place.
GROUP = 5.0
ESSENTIAL = 3.0
SPILLOVER = 1.5
TRIGGER_POINT_SPOT = 1.0
CONDITION = 3.0
ACTIVITY = 1.5
SENSATION = 0.75
SYMPTOM = 3.0
# How much a zone counts when the person named a broader or narrower area.
USER_BROADER = 0.6  # "knee" vs a zone on the inside of the knee
USER_NARROWER = 0.7  # "inside of the knee" vs a zone covering the whole knee
MIN_EVIDENCE = 1.5

# Words too common in symptom phrases to count as evidence on their own.
_WEAK = frozenset(phrase_stems("pain hurt hurts ache feel feels get gets when on of in to and at after up down out one"))


# "Hurts" and "pain" say nothing about which muscle it is.
UNINFORMATIVE_SENSATIONS = frozenset({"ache"})


def has_detail(features: Features) -> bool:
    """Does the message say how it feels or what sets it off?"""
    return bool(features.activities) or any(s not in UNINFORMATIVE_SENSATIONS for s in features.sensations)


class Status(str, Enum):
    ok = "ok"
    vague = "vague"  # nothing usable: ask where it hurts
    generic_area = "generic_area"  # only "knee"/"hip"/"leg": ask which part
    out_of_region = "out_of_region"  # neck, shoulder...: not what we cover


@dataclass(frozen=True)
class Suggestion:
    muscle_id: str
    name: str
    score: float
    why: str
    reasons: Tuple[Tuple[str, str], ...]  # (kind, user's words or KB phrase)


@dataclass(frozen=True)
class MatchResult:
    status: Status
    suggestions: Tuple[Suggestion, ...] = ()
    generic_area: str | None = None
    # More muscles tie with the best one than we can show: a sensation or an
    # activity would separate them.
    ambiguous: bool = False
    # A named group whose tied members hurt in different places ("quads"):
    # the places to ask about, and the group's name.
    parts: Tuple[str, ...] = ()
    group_name: str | None = None


class Matcher:
    def __init__(self, kb: Knowledge, extractor: FeatureExtractor | None = None):
        self.kb = kb
        self._relations: Dict[Tuple[str, str], float] = {}
        self._area_scores: Dict[str, Dict[str, float]] = {}
        extractor = extractor or FeatureExtractor(kb)
        # Every symptom phrase with its muscle, its stems and the places it
        # names, in knowledge-base order; an index from each stem to the
        # phrases holding it lets a query look only at phrases it shares words with.
        self._phrases: List[Tuple[str, str, FrozenSet[str], FrozenSet[str]]] = [
            (m.id, s, frozenset(phrase_stems(s)) - _WEAK, frozenset(extractor.extract(s).areas))
            for m in kb.muscles.values()
            for s in m.symptoms
        ]
        self._phrases_with: Dict[str, List[int]] = {}
        for number, (_, _, words, _) in enumerate(self._phrases):
            for word in words:
                self._phrases_with.setdefault(word, []).append(number)
        self._covered = {r.area for m in kb.muscles.values() for r in m.referral} | {
            tp.area for m in kb.muscles.values() for tp in m.trigger_points
        }

    def area_relation(self, user_area: str, zone: str) -> float:
        key = (user_area, zone)
        if key not in self._relations:
            self._relations[key] = self._relation(user_area, zone)
        return self._relations[key]

    def _relation(self, user_area: str, zone: str) -> float:
        if user_area == zone:
            return 1.0
        if user_area in self.kb.ancestors(zone):
            return USER_BROADER
        if zone in self.kb.ancestors(user_area):
            return USER_NARROWER
        return 0.0

    def _area_score(self, muscle: Muscle, user_area: str) -> float:
        scores = self._area_scores.get(user_area)
        if scores is None:
            # The vocabulary has a few dozen areas: each one's score for every muscle is worked out once.
            scores = self._area_scores[user_area] = {m.id: self._area_score_of(m, user_area) for m in self.kb.muscles.values()}
        return scores[muscle.id]

    def _area_score_of(self, muscle: Muscle, user_area: str) -> float:
        best = 0.0
        for ref in muscle.referral:
            weight = ESSENTIAL if ref.kind is ReferralKind.essential else SPILLOVER
            best = max(best, weight * self.area_relation(user_area, ref.area))
        for tp in muscle.trigger_points:
            best = max(best, TRIGGER_POINT_SPOT * self.area_relation(user_area, tp.area))
        return best

    def _symptom_scores(self, stems: FrozenSet[str], areas: Iterable[str] = ()) -> Dict[str, Tuple[float, str]]:
        """Each muscle's closest symptom phrase (score, phrase) sharing at
        least two words and half its words with the message."""
        overlaps: Dict[int, int] = {}
        for word in stems:
            for number in self._phrases_with.get(word, ()):
                overlaps[number] = overlaps.get(number, 0) + 1
        named = list(areas)
        best: Dict[str, Tuple[float, str]] = {}
        for number in sorted(overlaps):
            overlap = overlaps[number]
            if overlap < 2:
                continue
            muscle_id, text, words, places = self._phrases[number]
            # "Top of my foot aches" shares words with "top of my shoulder aches", not the place.
            if named and places and not any(self.area_relation(u, p) > 0 for u in named for p in places):
                continue
            similarity = overlap / len(words)
            if similarity >= 0.5 and similarity > best.get(muscle_id, (0.0, ""))[0]:
                best[muscle_id] = (similarity, text)
        return {m: (SYMPTOM * similarity, text) for m, (similarity, text) in best.items()}

    def score(
        self, muscle: Muscle, features: Features, symptoms: Dict[str, Tuple[float, str]]
    ) -> Tuple[float, List[Tuple[float, str, str]]]:
        evidence: List[Tuple[float, str, str]] = []
        if muscle.id in features.muscles:
            evidence.append((NAMED, "muscle", features.muscles[muscle.id]))
        for group, surface in features.groups.items():
            evidence.append((GROUP if muscle.id in self.kb.group_members[group] else 0.0, "group", surface))
        for area, surface in features.areas.items():
            evidence.append((self._area_score(muscle, area), "area", surface))
        for ident, surface in features.conditions.items():
            evidence.append((CONDITION if ident in muscle.mimics else 0.0, "condition", surface))
        for ident, surface in features.activities.items():
            evidence.append((ACTIVITY if ident in muscle.aggravated_by else 0.0, "activity", surface))
        for ident, surface in features.sensations.items():
            evidence.append((SENSATION if ident in muscle.sensations else 0.0, "sensation", surface))
        if muscle.id in symptoms:
            symptom, phrase = symptoms[muscle.id]
            evidence.append((symptom, "symptom", phrase))
        evidence = [e for e in evidence if e[0] > 0]
        return sum(w for w, _, _ in evidence), evidence

    def _status(self, features: Features, best: float) -> Tuple[Status, str | None]:
        if features.muscles or features.conditions or features.groups:
            return Status.ok, None
        specific = [a for a in features.areas if not self.kb.areas[a].generic]
        covered = [a for a in specific if self._related_to_covered(a)] or self._implied_areas(features)
        # A broad area we know nothing inside ("shoulder" before any shoulder muscle) is out of region too.
        generic = [a for a in features.areas if self.kb.areas[a].generic and self._related_to_covered(a)]
        if covered and best >= MIN_EVIDENCE:
            return Status.ok, None
        if generic and has_detail(features) and best >= MIN_EVIDENCE:
            return Status.ok, None
        if generic and not covered:
            return Status.generic_area, generic[0]
        if features.areas and not covered:
            return Status.out_of_region, None
        return (Status.ok, None) if best >= 2 * MIN_EVIDENCE else (Status.vague, None)

    def _implied_areas(self, features: Features) -> List[str]:
        """Places the activities point to ("it hurts to swallow"): they count
        when no place we cover is named."""
        return [a.area for a in self.kb.vocabulary.activities if a.id in features.activities and a.area]

    def _parts(self, features: Features, scored: List[Tuple[float, int, Muscle, list]]) -> Tuple[Tuple[str, ...], str | None]:
        """Where to ask, when a named group's best members tie, each has its
        own place, and nothing else was said: "my quads" could be the
        kneecap or the outer thigh."""
        if features.areas or features.muscles or not features.groups or has_detail(features):
            return (), None
        best = scored[0][0]
        for group in features.groups:
            members = self.kb.group_members[group]
            tied = [m for neg, _, m, _ in scored if neg == best and m.id in members]
            places = list(dict.fromkeys(_main_area(m) for m in tied))
            if len(places) > 1:
                every = [_main_area(self.kb.muscles[m]) for m in members]
                return tuple(dict.fromkeys(every)), self.kb.groups[group].name
        return (), None

    def _related_to_covered(self, area: str) -> bool:
        return any(self.area_relation(area, zone) > 0 for zone in self._covered)

    def rank(self, features: Features, limit: int = 3) -> MatchResult:
        symptoms = self._symptom_scores(frozenset(features.stems), features.areas)
        scored = []
        for order, muscle in enumerate(self.kb.muscles.values()):
            raw, evidence = self.score(muscle, features, symptoms)
            if raw > 0:
                scored.append((-raw, order, muscle, evidence))
        scored.sort(key=lambda item: (item[0], item[1]))
        best = -scored[0][0] if scored else 0.0
        status, generic = self._status(features, best)
        if status is not Status.ok or not scored:
            return MatchResult(status=status if scored or status is not Status.ok else Status.vague, generic_area=generic)
        suggestions = tuple(_suggestion(m, -neg, ev) for neg, _, m, ev in scored[:limit])
        # A muscle, a group or a diagnosis named says enough to rank on.
        named = features.muscles or features.groups or features.conditions
        ambiguous = not named and len(scored) > limit and -scored[limit][0] >= best
        parts, group_name = self._parts(features, scored)
        return MatchResult(status=Status.ok, suggestions=suggestions, ambiguous=ambiguous, parts=parts, group_name=group_name)


def _main_area(muscle: Muscle) -> str:
    """Where a muscle's pain is felt first: its first essential zone."""
    return next(r.area for r in muscle.referral if r.kind is ReferralKind.essential)


def _suggestion(muscle: Muscle, raw: float, evidence: List[Tuple[float, str, str]]) -> Suggestion:
    ordered = sorted(evidence, key=lambda e: -e[0])
    words: List[str] = []
    # The person's own words first; a matched KB symptom phrase only if needed.
    for _, _, surface in sorted(ordered, key=lambda e: e[1] == "symptom"):
        # "knee" adds nothing after "knee buckles".
        if not any(surface.lower() in w.lower() for w in words):
            words.append(surface)
    return Suggestion(
        muscle_id=muscle.id,
        name=muscle.name,
        score=round(raw / (raw + 4.0), 2),
        why=", ".join(words[:3]),
        reasons=tuple((kind, surface) for _, kind, surface in ordered),
    )


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    return Matcher(default_knowledge(), default_extractor())
