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
from typing import Dict, FrozenSet, Iterable, List, Tuple

from assistant.textmatch import COMMON_WORDS, PhraseIndex, fold, is_negated

# Concept -> phrases. Concepts starting with "benign_" only absorb look-alikes.
CONCEPTS: Dict[str, List[str]] = {
    "saddle_numbness": [
        "saddle numbness",
        "saddle anaesthesia",
        "saddle anesthesia",
        "numb when i wipe",
        "can't feel when i wipe",
        "can't feel toilet paper",
    ],
    "numb": [
        "numb",
        "numbness",
        "no feeling",
        "can't feel",
        "cannot feel",
        "lost feeling",
        "loss of feeling",
        "loss of sensation",
        "pins and needles",
        "tingling",
        "tingly",
        "dead feeling",
    ],
    "saddle_area": [
        "groin",
        "crotch",
        "genitals",
        "genital",
        "private parts",
        "privates",
        "between my legs",
        "perineum",
        "saddle area",
        "back passage",
        "around my anus",
        "inner thighs and bottom",
        "down there",
        "inner thighs",
    ],
    "incontinence": [
        "can't hold bowel",
        "can't hold bladder",
        "can't hold pee",
        "can't tell when i need to",
        "can't feel when i need to",
        "poop leaking",
        "poo leaking",
        "leaking poo",
        "leaking stool",
        "leaking poop",
        "bowels gave out",
        "incontinence",
        "incontinent",
        "wet myself",
        "wetting myself",
        "peed myself",
        "pee myself",
        "pooped myself",
        "soiled myself",
        "lost control of bladder",
        "lost control of bowel",
        "losing control of bladder",
        "losing control of bowel",
        "lose control of bladder",
        "lose control of bowel",
        "no control over bladder",
        "no control of bladder",
        "no control over bowel",
        "can't control bladder",
        "cannot control bladder",
        "can't control bowel",
        "cannot control bowel",
        "bladder control",
        "bowel control",
        "can't pee",
        "cannot pee",
        "can't urinate",
        "cannot urinate",
        "unable to pee",
        "unable to urinate",
        "can't empty bladder",
        "trouble peeing",
        "difficulty peeing",
        "leaking urine",
        "leaking pee",
        "can't hold pee",
        "can't hold my bladder",
        "bladder gave out",
        "accidents with bladder",
        "bladder accident",
        "haven't been able to pee",
        "haven't peed",
        "havent peed",
        "haven't managed to pee",
        "not been able to pee",
        "can't pass urine",
        "cannot pass urine",
        "unable to pass urine",
        "haven't passed urine",
        "can't tell when my bladder is full",
        "can't feel when my bladder is full",
        "bladder doing its own thing",
        "bladder is acting up",
        "bladder problems",
        "bladder issues",
        "trouble with my bladder",
        "trouble holding",
        "can't hold in",
        "haven't been able to poo",
        "can't poo",
    ],
    "blood_in_waste": [
        "blood in urine",
        "blood in pee",
        "peeing blood",
        "blood when i pee",
        "blood in stool",
        "blood in poo",
        "black stool",
        "black poo",
    ],
    "lower_limb": ["calf", "calves", "lower leg", "leg", "legs", "shin", "ankle", "foot", "thigh", "back of my knee"],
    "swollen": ["swollen", "swelling", "swelled", "swell", "puffy", "bigger than the other", "fatter than the other"],
    "hot_red": ["hot", "warm to touch", "warm", "red", "redness", "reddish", "purple", "discoloured", "discolored"],
    "clot": ["blood clot", "clot", "dvt", "deep vein thrombosis", "thrombosis"],
    "long_travel": [
        "flight",
        "drove",
        "long drive",
        "road trip",
        "hours in the car",
        "plane",
        "long flight",
        "long haul flight",
        "flew",
        "long car trip",
        "long bus ride",
        "bed rest",
    ],
    "chest": [
        "chest tight",
        "chest feels tight",
        "sitting on my chest",
        "heavy chest",
        "chest heavy",
        "chest pain",
        "pain in my chest",
        "chest pressure",
        "pressure in my chest",
        "chest tightness",
        "tight chest",
        "tightness in my chest",
        "crushing chest",
        "heart attack",
        "chest hurts",
        "chest is hurting",
        "short of breath",
        "shortness of breath",
        "breathless",
        "can't breathe",
        "cannot breathe",
        "struggling to breathe",
        "hard to breathe",
        "coughing up blood",
    ],
    "jaw_area": ["jaw", "jaws", "teeth", "chin", "neck and jaw"],
    "cardiac_companion": [
        "left arm",
        "down my arm",
        "arm pain",
        "pain in my arm",
        "sweating",
        "sweaty",
        "cold sweat",
        "clammy",
        "nausea",
        "nauseous",
        "vomiting",
        "throwing up",
        "when i walk up stairs and it goes when i rest",
        "with exertion",
        "on exertion",
    ],
    "fever": [
        "fever",
        "feverish",
        "febrile",
        "high temperature",
        "running a temperature",
        "temperature of",
        "chills",
        "shivering",
        "rigors",
        "night sweats",
        "sweats at night",
        "had a temperature",
        "got a temperature",
        "have a temperature",
        "the shakes",
        "shaking chills",
    ],
    "injury": [
        "fell",
        "fall",
        "fell down",
        "fell off",
        "had a fall",
        "accident",
        "car crash",
        "crash",
        "crashed",
        "hit by",
        "tackled",
        "collision",
        "slipped",
        "landed on",
        "knocked over",
        "heard a pop",
        "heard a crack",
        "twisted",
        "came off my bike",
        "came off",
        "fell off my bike",
        "knocked off",
    ],
    "cant_bear_weight": [
        "can't walk",
        "cannot walk",
        "unable to walk",
        "can't stand",
        "cannot stand",
        "unable to stand",
        "can't put weight",
        "cannot put weight",
        "can't bear weight",
        "cannot bear weight",
        "can't take weight",
        "can't put any weight",
        "won't take my weight",
        "can't get up",
    ],
    "deformity": [
        "deformed",
        "looks deformed",
        "bent wrong",
        "wrong angle",
        "bone sticking out",
        "leg is shorter",
        "leg turned out",
        "foot turned out",
        "looks broken",
        "broken bone",
        "fracture",
        "fractured",
    ],
    # Only alarming after an injury: "I look a bit crooked" is posture.
    "misshapen": [
        "looks bent",
        "bent in a strange way",
        "looks crooked",
        "looks wonky",
        "wonky",
        "strange angle",
        "odd angle",
        "bent funny",
    ],
    "foot_drop": [
        "can't lift the front of my foot",
        "can't lift front of foot",
        "foot keeps catching",
        "foot flops",
        "foot drop",
        "drop foot",
        "foot slaps",
        "can't lift my foot",
        "cannot lift my foot",
        "can't lift my toes",
        "toes drag",
        "dragging my foot",
        "foot drags",
        "paralysed",
        "paralyzed",
        "can't move my leg",
        "cannot move my leg",
    ],
    "vision_change": ["eyesight", "vision", "blurry", "blurred", "can't see", "going blind", "double vision", "going dim"],
    "headache": ["headache", "head pain", "pain in my head"],
    "procedure": [
        "injection",
        "surgery",
        "operation",
        "hip replacement",
        "knee replacement",
        "replacement",
        "procedure",
        "operated",
    ],
    "much_worse": [
        "unbearable",
        "way worse",
        "much worse",
        "worse than before",
        "getting worse fast",
        "agony",
        "spiralling",
        "spiraling",
        "by the hour",
        "getting much worse",
        "keeps getting worse",
    ],
    "weakness": [
        "weak",
        "weakness",
        "weaker",
        "no strength",
        "gave out and can't lift",
        "leg keeps giving way",
        "leg keeps giving out",
        "leg gives out",
        "legs give out",
    ],
    "sudden": [
        "sudden",
        "suddenly",
        "all of a sudden",
        "overnight",
        "out of nowhere",
        "getting worse",
        "spreading",
        "worse and worse",
    ],
    "both_legs": ["both legs", "both feet", "both thighs", "both my legs", "legs and feet", "both sides of my body"],
    "weight_loss": [
        "loosing weight",
        "weight without dieting",
        "weight without trying",
        "losing weight without",
        "weight loss",
        "lost weight",
        "losing weight",
        "lost a lot of weight",
        "dropped weight",
        "lost kilos",
        "lost pounds",
        "lost kg",
        "weight dropping",
        "without dieting",
        "without even trying",
        "kg without",
        "kilos without",
        "pounds without",
        "weight without",
    ],
    "cancer": [
        "melanoma",
        "lymphoma",
        "leukemia",
        "leukaemia",
        "myeloma",
        "carcinoma",
        "sarcoma",
        "cancer",
        "tumour",
        "tumor",
        "chemo",
        "chemotherapy",
        "metastasis",
        "malignant",
    ],
    "stroke": [
        "face went numb",
        "half my face",
        "face numb",
        "droopy",
        "can't smile",
        "talking is hard",
        "trouble speaking",
        "words are coming out wrong",
        "mouth is drooping",
        "mouth drooping",
        "explosive headache",
        "worst headache of my life",
        "worst headache ever",
        "face drooping",
        "face droops",
        "drooping face",
        "face is drooping",
        "droopy face",
        "one side of my face droops",
        "can't speak properly",
        "sudden confusion",
        "can't lift my arm",
        "vision loss",
        "lost vision",
        "lost my vision",
        "losing vision",
        "double vision",
        "blurred vision",
        "blind in one eye",
        "thunderclap headache",
        "sudden severe headache",
        "lopsided",
        "face looks lopsided",
        "sound drunk",
        "sounds drunk",
        "speech sounds drunk",
    ],
    "face_swelling": [
        "swollen face",
        "face swelling",
        "face is swollen",
        "swollen jaw",
        "jaw is swollen",
        "swelling in my jaw",
        "swollen gum",
        "abscess",
        "pus",
        "swollen cheek",
        "cheek is swollen",
    ],
    "cold_limb": [
        "turned white",
        "white and cold",
        "cold and white",
        "can't feel a pulse",
        "cold pale",
        "pale cold",
        "white cold",
        "cold white",
        "cold blue",
        "cold pale leg",
        "leg is cold and pale",
        "foot is cold and pale",
        "foot turned blue",
        "blue foot",
        "blue toes",
        "white foot",
        "no pulse",
        "leg turned white",
        "pale and cold",
        "cold and pale",
        "cold and blue",
        "ice cold leg",
        "ice cold foot",
        "bluish",
        "turned bluish",
        "turned blue",
        "blue and cold",
        "foot is blue",
        "toes are blue",
    ],
    "self_harm": [
        "kill myself",
        "end my life",
        "suicide",
        "suicidal",
        "want to die",
        "self harm",
        "hurt myself on purpose",
        "better off dead",
        "better off without me",
        "want to end it all",
        "should just end it",
        "going to end it",
        "don't see the point anymore",
        "dont see the point anymore",
        "no point living",
        "wanting to hurt myself",
        "want to hurt myself",
        "thinking of hurting myself",
        "hurting myself on purpose",
    ],
    "worsening": ["worse than yesterday", "worse every day", "keeps getting worse"],
    "slurred_speech": [
        "slurred speech",
        "slurring my words",
        "slurring words",
        "speech is slurred",
        "slurring",
        "slurred",
        "slur",
    ],
    "not_instruction": [
        "tip",
        "tips",
        "advice",
        "on purpose",
        "trick",
        "suggested",
        "recommended",
        "technique",
        "read about",
        "relaxation",
        "exercise for my jaw",
    ],
    "cold_therapy": ["ice pack", "icing", "ice bath", "cold pack", "ice on it", "cold plunge"],
    "intentional": ["on purpose", "on a diet", "with a diet", "dieting", "diet", "trying to lose", "want to lose", "calorie"],
    "resolved": ["long gone", "gone now", "cleared up", "went away", "over now", "recovered"],
    "benign_sleep": ["fell asleep", "falling asleep", "fall asleep"],
    "benign_gym": ["chest day", "chest workout", "chest press", "chest fly", "bench press", "chest exercises"],
    "benign_weight": ["want to lose weight", "trying to lose weight", "try to lose weight", "need to lose weight", "lose weight"],
    "benign_heat": ["hot bath", "hot water bottle", "heat pack", "hot shower", "warm up", "warming up", "warm bath", "red light"],
    "benign_accident": ["by accident", "accidentally"],
    "benign_sweat": ["sweating at the gym", "sweaty workout"],
    "benign_fear": ["scared it's cancer", "worried it's cancer", "afraid it's cancer", "fear it's cancer", "think it's cancer"],
    "benign_chills": ["got chills watching", "gave me chills", "chills down my spine"],
}

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
    def __init__(self, extra_words: Iterable[str] = ()):
        entries = [(p, "concept", concept) for concept, phrases in CONCEPTS.items() for p in phrases]
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
    return Triager(extra_words=default_extractor().index.known)


def triage(text: str) -> Triage:
    return default_triager().triage(text)
