"""The recogniser's initial prompt, made from the knowledge base.

Whisper writes what it has seen written: given "piriformis, tensor fasciae
latae" as the text before the recording, it spells our words instead of
"pure form is" or "tensor fashy", and given how people describe pain it
expects that kind of sentence. It reads at most 223 prompt tokens (half its
448-token context, less one), so the prompt is a choice:

- half of it: the first lay symptom phrase of each muscle ("knee buckles",
  "my butt hurts when I sit"), how people talk to us;
- the rest: the knowledge base's rare words, from its canonical spellings
  only (the `name` fields; the synonyms hold the typos people type,
  "piriformus", which must not be taught to the recogniser); the muscle
  names' words first (those people have used in the training examples
  before the rest, since the whole body's names no longer all fit), then
  those of conditions, areas, sensations, tools.
  A word Whisper's tokenizer cuts into many pieces is rare in what it
  learned from ("semimembranosus" is 6 pieces, "knee" 1), so words are
  ranked by pieces, then by how many names use them; one-piece words need
  no prompt.

`python -m assistant.voice.evaluate --compare-prompts` measured this choice
against no prompt, the names as they are, the rare words alone and all
rare words ranked together (docs/voice.md): the least word errors but one,
and more muscle names heard right than the one with the least. A test keeps the prompt within budget and in step with the
knowledge base.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, List

from assistant.knowledge.loader import Knowledge, default_knowledge

PROMPT_TOKENS = 223
NLU_DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
# Knowledge-base vocabularies whose names people say.
TERM_KINDS = ("conditions", "areas", "sensations", "tools", "activities")

Counter_ = Callable[[str], int]


@lru_cache(maxsize=1)
def whisper_tokenizer():
    """The tokenizer that ships with the recogniser's model."""
    from tokenizers import Tokenizer

    from assistant.voice.weights import WHISPER_TINY_EN

    return Tokenizer.from_file(str(WHISPER_TINY_EN.folder() / "tokenizer.json"))


def token_count(text: str) -> int:
    """How many tokens Whisper spends on `text` as a prompt (it prepends a space)."""
    return len(whisper_tokenizer().encode(" " + text.strip(), add_special_tokens=False).ids)


def canonical_names(kb: Knowledge) -> List[str]:
    """Muscle names, then the names of conditions, areas, sensations, tools
    and activities: the spellings we want back."""
    names = [m.name for m in kb.muscles.values()]
    for kind in TERM_KINDS:
        names += [t.name for t in getattr(kb.vocabulary, kind)]
    return list(dict.fromkeys(names))


def ranked_words(names: Iterable[str], pieces: Counter_) -> List[str]:
    """Words of `names` that Whisper splits into 2+ pieces, hardest first;
    ties by how many names use the word, then alphabetically."""
    uses: Counter[str] = Counter()
    spelled: Dict[str, str] = {}
    for name in names:
        for word in dict.fromkeys(_WORD.findall(name)):
            key = word.lower()
            uses[key] += 1
            # An abbreviation keeps its capitals ("TFL"); other words are lower case.
            spelled.setdefault(key, word if word.isupper() and len(word) > 1 else key)
    cost = {w: pieces(spelled[w]) for w in uses}
    kept = [w for w in uses if cost[w] >= 2]
    return [spelled[w] for w in sorted(kept, key=lambda w: (-cost[w], -uses[w], w))]


def fit(words: Iterable[str], count: Counter_, budget: int = PROMPT_TOKENS) -> str:
    """As many of `words`, in order, as fit in `budget` tokens, comma separated."""
    chosen: List[str] = []
    for word in words:
        if count(", ".join([*chosen, word])) > budget:
            break
        chosen.append(word)
    return ", ".join(chosen)


def symptom_phrases(kb: Knowledge) -> List[str]:
    """One lay symptom phrase per muscle, each once."""
    return list(dict.fromkeys(m.symptoms[0] for m in kb.muscles.values() if m.symptoms))


def said_to_us() -> str:
    """The training examples' text: what people have said to the assistant."""
    return " ".join(path.read_text(encoding="utf-8").lower() for path in sorted(NLU_DATA.glob("*.yml")))


def prompt_words(kb: Knowledge, count: Counter_ = token_count, examples: str | None = None) -> List[str]:
    """The rare words, those of muscle names first (people ask about muscles
    by name), then those of the other names; hardest first in each. With the
    whole body's names more than fit, so the muscle words people have used
    in the training examples go before the others."""
    used = set(_WORD.findall(said_to_us() if examples is None else examples.lower()))
    ranked = ranked_words([m.name for m in kb.muscles.values()], count)
    muscle_words = [w for w in ranked if w.lower() in used] + [w for w in ranked if w.lower() not in used]
    return [*muscle_words, *(w for w in ranked_words(canonical_names(kb), count) if w not in muscle_words)]


def build_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS, examples: str | None = None) -> str:
    """Half the budget for the symptom phrases, the rest for the rare words."""
    return _phrases_then(symptom_phrases(kb), prompt_words(kb, count, examples), count, budget)


@lru_cache(maxsize=1)
def default_prompt() -> str:
    return build_prompt(default_knowledge())


def _phrases_then(phrases: List[str], then: List[str], count: Counter_, budget: int) -> str:
    first = fit(phrases, count, budget // 2)
    rest = budget - count(first + ", ") if first else budget
    return ", ".join(p for p in (first, fit(then, count, rest)) if p)


def _red_flag_concepts() -> List[List[str]]:
    """The phrases of each concept a red-flag rule needs (not the
    look-alikes, benign_*, which no rule needs), in the file's order."""
    from assistant.safety import RULES, load_concepts

    needed = {c for rule in RULES for alternative in rule.any_of for c in alternative.needs}
    return [phrases for name, phrases in load_concepts().items() if name in needed]


def red_flag_phrases(count: Counter_ = token_count) -> List[str]:
    """One phrase per red-flag concept that has a word Whisper finds rare
    (2+ pieces; "numb" and "calf" need no prompt): the concept's phrase
    whose least used word is used most across the concepts, so a
    misspelling kept for typed matching ("loosing weight", used once) loses
    to the spelling people write ("losing weight")."""
    groups = _red_flag_concepts()
    uses = Counter(w.lower() for phrases in groups for p in phrases for w in dict.fromkeys(_WORD.findall(p)))
    chosen = []
    for phrases in groups:
        rare = [p for p in phrases if any(count(w) >= 2 for w in _WORD.findall(p) if "'" not in w)]
        if rare:
            chosen.append(max(rare, key=lambda p: (min(uses[w.lower()] for w in _WORD.findall(p)), -len(p))))
    return list(dict.fromkeys(chosen))


def symptoms_red_flags_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS) -> str:
    """A third each: symptom phrases, red-flag phrases, the muscle words.
    Measured on the dev recordings: no better than the prompt in use
    (docs/voice.md), so not in use."""
    one = fit(symptom_phrases(kb), count, budget // 3)
    two = fit(red_flag_phrases(count), count, budget // 3)
    head = ", ".join(p for p in (one, two) if p)
    return ", ".join(p for p in (head, fit(prompt_words(kb, count), count, budget - count(head + ", "))) if p)


# Alternatives `--compare-prompts` measured the choice against.
def rare_words_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS) -> str:
    return fit(ranked_words(canonical_names(kb), count), count, budget)


def names_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS) -> str:
    """Canonical names as they are, muscles first, as many as fit."""
    return fit(canonical_names(kb), count, budget)


def muscles_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS) -> str:
    return fit([m.name for m in kb.muscles.values()], count, budget)


def symptoms_rare_words_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS) -> str:
    """As build_prompt, with the rare words of all names ranked together."""
    return _phrases_then(symptom_phrases(kb), ranked_words(canonical_names(kb), count), count, budget)


def symptoms_names_prompt(kb: Knowledge, count: Counter_ = token_count, budget: int = PROMPT_TOKENS) -> str:
    return _phrases_then(symptom_phrases(kb), canonical_names(kb), count, budget)


PROMPTS: Dict[str, Callable[[Knowledge], str]] = {
    "none": lambda kb: "",
    "muscle names": muscles_prompt,
    "all names": names_prompt,
    "rare words": rare_words_prompt,
    "symptoms and names": symptoms_names_prompt,
    "symptoms and rare words": symptoms_rare_words_prompt,
    "symptoms and muscle words": build_prompt,  # the one in use
    "symptoms, red flags, muscle words": symptoms_red_flags_prompt,
}
