"""Red-flag triage of raw user text (pure Python, independent of intents).

Some pain is not a trigger point. When a message mentions signs that need a
doctor rather than a ball, the assistant answers with urgent advice only.
Each rule needs every one of its concept groups, un-negated, in the message;
look-alike phrases ("fell asleep", "chest day") are matched first so they
cannot be mistaken for their alarming neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Tuple

import yaml

from assistant.textmatch import COMMON_WORDS, PhraseIndex, fold, is_negated

CONCEPTS_FILE = Path(__file__).with_name("safety_concepts.yml")


def load_concepts(path: Path = CONCEPTS_FILE) -> Dict[str, List[str]]:
    """Concept -> phrases, from the YAML file clinicians can review."""
    concepts = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(concepts, dict) or not all(isinstance(v, list) and v for v in concepts.values()):
        raise ValueError(f"{path.name}: expected a mapping of concept -> non-empty list of phrases")
    return {str(k): [str(p) for p in v] for k, v in concepts.items()}

EMERGENCY = "Please call your local emergency number (112 or 911) now, or go to an emergency department."
SAME_DAY = (
    "Please see a doctor today (your GP's same-day line, an urgent-care clinic, or the emergency department if it gets worse)."
)


@dataclass(frozen=True)
class Alternative:
    needs: FrozenSet[str]
    excluded_by: FrozenSet[str] = frozenset()

    def holds(self, concepts: FrozenSet[str]) -> bool:
        return self.needs <= concepts and not (self.excluded_by & concepts)


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    advice: str
    any_of: Tuple[Alternative, ...]


def _alternative(spec: str) -> Alternative:
    """ "a+b-c": concepts a and b present, c absent."""
    needs, *excluded = spec.split("-")
    return Alternative(frozenset(needs.split("+")), frozenset(excluded))


def _rule(ident: str, reason: str, advice: str, alternatives: Iterable[str]) -> Rule:
    return Rule(ident, reason, advice, tuple(_alternative(a) for a in alternatives))


RULES: Tuple[Rule, ...] = (
    _rule(
        "self_harm",
        "you mentioned wanting to hurt yourself or not wanting to live",
        EMERGENCY
        + " If you are in danger of acting on it, call now; a crisis line (988 in the US, 116 123 in the UK and much of Europe) will talk with you any time.",
        ["self_harm"],
    ),
    _rule(
        "cauda_equina",
        "numbness around the groin or saddle area, or changes in bladder or bowel control, can mean pressure on the nerves at the base of the spine",
        EMERGENCY + " This needs to be checked within hours, not days.",
        ["saddle_numbness", "numb+saddle_area", "incontinence"],
    ),
    _rule("blood_in_waste", "blood in your urine or stool needs a doctor to look for the cause", SAME_DAY, ["blood_in_waste"]),
    _rule(
        "heart",
        "chest pain, pressure or breathlessness, or jaw pain that comes with arm pain, sweating or nausea, can come from the heart or lungs",
        EMERGENCY,
        ["chest", "jaw_area+cardiac_companion"],
    ),
    _rule(
        "clot",
        "a swollen, warm or red calf or leg can be a blood clot (deep vein thrombosis)",
        SAME_DAY + " If you also feel short of breath or have chest pain, call your emergency number.",
        ["clot", "lower_limb+swollen+hot_red", "lower_limb+swollen+long_travel"],
    ),
    _rule(
        "circulation",
        "a cold, pale or blue leg or foot can mean the blood supply is blocked",
        EMERGENCY,
        ["cold_limb-cold_therapy"],
    ),
    _rule(
        "stroke",
        "a drooping face, slurred speech, sudden changes in your eyesight or a sudden severe headache can be a stroke or another emergency",
        EMERGENCY,
        # Slurring on purpose is a jaw-relaxation tip, not a symptom.
        ["stroke", "vision_change", "headache+sudden", "slurred_speech-not_instruction"],
    ),
    _rule(
        "after_procedure",
        "pain that gets much worse, or a red, hot or swollen area, after an injection or surgery needs checking",
        SAME_DAY + " Call the team that did the procedure if you can.",
        ["procedure+much_worse", "procedure+worsening", "procedure+hot_red", "procedure+swollen", "procedure+fever"],
    ),
    _rule(
        "infection",
        "fever or chills together with pain can mean an infection (in the spine, a joint, a kidney or a tooth)",
        SAME_DAY,
        ["fever-resolved", "face_swelling"],
    ),
    _rule(
        "fracture",
        "after a fall or accident, not being able to bear weight, swelling or a misshapen limb can mean a fracture or a torn ligament",
        SAME_DAY + " If the leg looks misshapen or the pain is severe, go to the emergency department.",
        ["injury+cant_bear_weight", "injury+swollen", "injury+misshapen", "deformity"],
    ),
    _rule(
        "nerve_weakness",
        "sudden or worsening weakness, a foot that drops or drags, or numbness in both legs can mean a nerve is being squeezed",
        SAME_DAY + " If it came on suddenly, call your emergency number.",
        ["foot_drop", "weakness+sudden", "weakness+worsening", "numb+both_legs"],
    ),
    _rule(
        "serious_illness",
        "unexplained weight loss or a history of cancer together with new pain should be checked by a doctor",
        SAME_DAY.replace("today", "soon, within a few days"),
        ["weight_loss-intentional", "cancer"],
    ),
)


@dataclass(frozen=True)
class Triage:
    flagged: bool
    rule_id: str | None = None
    reason: str | None = None
    advice: str | None = None


# "My dad had a clot", "my friend lost bladder control": someone else's history.
_OTHERS_HISTORY = re.compile(
    r"\bmy (dad|father|mum|mom|mother|aunt|uncle|gran\w*|grand\w*|friend|sister|brother|cousin|neighbou?r|colleague|"
    r"wife|husband|partner|son|daughter|boss)('s)? (had|has|lost|got|died|passed|was diagnosed|went through)\b"
)
_SENTENCE_BREAK = re.compile(r"[.;!?]")


def about_someone_else(folded: str, start: int) -> bool:
    """Is the phrase at `start` part of a sentence about another person's history?"""
    sentence_start = max((m.end() for m in _SENTENCE_BREAK.finditer(folded, 0, start)), default=0)
    return bool(_OTHERS_HISTORY.search(folded, sentence_start, start))


class Triager:
    def __init__(self, concepts: Dict[str, List[str]], extra_words: Iterable[str] = ()):
        needed = {c for rule in RULES for alternative in rule.any_of for c in alternative.needs | alternative.excluded_by}
        if needed - set(concepts):
            raise ValueError(f"safety concepts missing: {sorted(needed - set(concepts))}")
        entries = [(p, "concept", concept) for concept, phrases in concepts.items() for p in phrases]
        self.index = PhraseIndex(entries, extra_words=list(extra_words) + sorted(COMMON_WORDS) + ["fewer"])

    def present(self, text: str) -> FrozenSet[str]:
        folded = fold(text)
        return frozenset(
            m.id for m in self.index.find(text) if not is_negated(folded, m) and not about_someone_else(folded, m.start)
        )

    def triage(self, text: str) -> Triage:
        if not text or not text.strip():
            return Triage(False)
        concepts = self.present(text[:5000])
        for rule in RULES:
            if any(alternative.holds(concepts) for alternative in rule.any_of):
                return Triage(True, rule.id, rule.reason, rule.advice)
        return Triage(False)


@lru_cache(maxsize=1)
def default_triager() -> Triager:
    from assistant.features import default_extractor

    # Domain words are known, so a typo is never bent into an alarming word.
    return Triager(load_concepts(), extra_words=default_extractor().index.known)


def triage(text: str) -> Triage:
    return default_triager().triage(text)
