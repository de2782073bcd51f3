"""The sentences the recogniser's language model is built from.

A domain language model only hears what it was taught: words outside it
come out as the nearest domain words. So the corpus holds everything people
say to the assistant: every NLU example, every knowledge-base phrase (areas,
conditions, sensations, activities, tools, muscle names, aliases and
symptoms), the ways to refer to a muscle, the spoken answers to our buttons,
and every red-flag phrase, so that alarming speech is not bent into
harmless release talk.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, List

import yaml

from assistant.checkup import ANSWER_BUTTONS
from assistant.knowledge.loader import Knowledge
from assistant.replies import PROGRESS_BUTTONS
from assistant.safety import load_concepts
from assistant.screening import ANSWER_BUTTONS as SCREENING_BUTTONS
from assistant.screening import default_screening

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "data" / "nlu"

# Ways people bring up a muscle by name.
MUSCLE_TEMPLATES = (
    "{name}",
    "what about the {name}",
    "show the {name}",
    "how do i release the {name}",
    "tell me about the {name}",
    "where is the {name}",
)

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_NUMBER = re.compile(r"\d+")
_NOT_A_WORD = re.compile(r"[^a-z' ]+")
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """How a number under a thousand is said; longer ones digit by digit."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))
    return " ".join(_ONES[int(d)] for d in str(n))


def normalise(text: str) -> str:
    """Lower case words as a recogniser writes them: numbers spelled out,
    punctuation gone, apostrophes kept (CMUdict has "can't")."""
    text = text.lower().replace("’", "'")
    text = _NUMBER.sub(lambda m: f" {number_words(int(m.group()))} ", text)
    text = _NOT_A_WORD.sub(" ", text)
    words = [w.strip("'") for w in text.split()]
    return " ".join(w for w in words if w)


def nlu_examples(directory: Path = NLU_DIR) -> Iterator[str]:
    """Plain text of every training example and lookup entry."""
    for path in sorted(directory.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield _ANNOTATION.sub(r"\1", line[2:])


def knowledge_phrases(kb: Knowledge) -> Iterator[str]:
    for kind in ("areas", "conditions", "activities", "sensations", "tools"):
        for term in getattr(kb.vocabulary, kind):
            yield from (term.name, *term.synonyms)
    for muscle in kb.muscles.values():
        for name in (muscle.name, *muscle.aliases):
            yield from (template.format(name=name) for template in MUSCLE_TEMPLATES)
        yield from muscle.symptoms


def knowledge_prose(kb: Knowledge) -> Iterator[str]:
    """The knowledge base's own sentences: the way it describes where pain
    goes and what aggravates it is how people describe it too."""
    for muscle in kb.muscles.values():
        yield muscle.summary
        yield from (tp.location for tp in muscle.trigger_points)
        yield from (cause.text for cause in muscle.root_causes)
        yield from (item.why for item in muscle.check_also)
        yield from (trait.text for trait in muscle.traits)
    yield from kb.vocabulary.root_cause_factors.values()


_PREPOSITION_THEN_NOUN = re.compile(r"\b(of|over|in|on|around|from|down) (?!(my|the|a|an|his|her|your|both|one|me)\b)(?=\w)")


def red_flag_phrases() -> Iterator[str]:
    """The triage phrases, and each as said with "my" ("lost control of
    bladder" is how triage matches it, "lost control of my bladder" is how
    people say it)."""
    for phrases in load_concepts().values():
        for phrase in phrases:
            yield phrase
            spoken = _PREPOSITION_THEN_NOUN.sub(r"\1 my ", phrase)
            if spoken != phrase:
                yield spoken


def button_answers() -> Iterator[str]:
    yield from (title for title, _ in (*PROGRESS_BUTTONS, *ANSWER_BUTTONS, *SCREENING_BUTTONS))
    # A screening answer can name its item ("I'm on warfarin").
    for item in default_screening().data.items.values():
        yield from item.words
        yield item.text


def corpus_sentences(kb: Knowledge, nlu_dir: Path = NLU_DIR) -> List[str]:
    """Every sentence, normalised, in a stable order, duplicates kept once."""
    sources: Iterable[str] = (
        *nlu_examples(nlu_dir),
        *knowledge_phrases(kb),
        *knowledge_prose(kb),
        *red_flag_phrases(),
        *button_answers(),
    )
    return list(dict.fromkeys(s for s in map(normalise, sources) if s))


def vocabulary(sentences: Iterable[str]) -> List[str]:
    return sorted({word for sentence in sentences for word in sentence.split()})
