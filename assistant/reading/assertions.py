"""Whether each finding in a message is affirmed, the writer's own, current
and stated as fact: medspaCy's ConText over the spans the matchers found,
with its default English rules plus ours (context_rules.yml) for how people
write about their own pain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

import spacy
import yaml
from loguru import logger
from spacy.language import Language
from spacy.tokens import Doc, Span

from assistant.reading.reading import AFFIRMED, Assertion

RULES_FILE = Path(__file__).with_name("context_rules.yml")
_PEOPLE = frozenset(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["other_person"]["people"])
SPAN_GROUP = "findings"
# A bare "no" after a question answers it: "shortness of breath? no".
_ANSWERS = ("no", "nope", "nah", "never", "none")


@dataclass(frozen=True)
class Analysis:
    sentences: Tuple[Tuple[int, int], ...]
    assertions: Tuple[Assertion, ...]
    people: Tuple[str, ...]  # the other people named, first named first


_PERSON_CATEGORIES = ("FAMILY_HISTORY", "OTHER_PERSON", "FAMILY")
# "my hip", "my left lower back": the writer's own in so many words.
_MY = re.compile(r"\bmy(?:\s+(?:left|right|lower|upper|inner|outer|whole|own|poor|bad|sore|front|middle|mid))*\s+$")


def _rules(spec: dict) -> List[object]:
    """ConTextRules from the YAML specification."""
    from medspacy.context import ConTextRule

    def phrase_rules(words: Iterable[str], category: str, direction: str, **extra: object) -> List[object]:
        return [ConTextRule(w, category, direction=direction, **extra) for w in words]

    negated, other, historical = spec["negated"], spec["other_person"], spec["historical"]
    clause = spec["clause"]
    person = [{"LOWER": {"IN": ["my", "our", "a"]}}, {"LOWER": {"IN": other["adjectives"]}, "OP": "?"}]
    history_verbs = [w.split()[-1] for w in other["history_verbs"]]
    rules = [
        *phrase_rules(negated["forward"], "NEGATED_EXISTENCE", "FORWARD"),
        *phrase_rules(negated["backward"], "NEGATED_EXISTENCE", "BACKWARD", max_scope=4),
        *phrase_rules(spec["ability"], "ABILITY", "PSEUDO"),
        ConTextRule(
            "? no", "NEGATED_EXISTENCE", direction="BACKWARD", max_scope=6,
            pattern=[{"TEXT": "?"}, {"LOWER": {"IN": list(_ANSWERS)}}],
        ),
        ConTextRule("my person", "OTHER_PERSON", direction="FORWARD", pattern=[*person, {"LOWER": {"IN": other["people"]}}]),
        ConTextRule(
            "my person had", "FAMILY_HISTORY", direction="FORWARD",
            pattern=[
                *person, {"LOWER": {"IN": other["people"]}}, {"LOWER": "'s", "OP": "?"},
                {"LOWER": {"IN": ["has", "have", "was", "got"]}, "OP": "?"}, {"LOWER": {"IN": history_verbs}},
            ],
        ),
        ConTextRule(
            "my n year old", "OTHER_PERSON", direction="FORWARD",
            pattern=[
                {"LOWER": {"IN": ["my", "our"]}}, {"LIKE_NUM": True}, {"TEXT": "-", "OP": "?"},
                {"LOWER": {"IN": ["year", "years", "yr", "yrs"]}, "OP": "?"}, {"TEXT": "-", "OP": "?"}, {"LOWER": {"IN": ["old", "yo"]}},
            ],
        ),
        *phrase_rules(other["pronouns"], "OTHER_PERSON", "FORWARD"),
        *phrase_rules(spec["self"], "SELF", "FORWARD", max_scope=spec["self_scope"]),
        *phrase_rules(historical["forward"], "HISTORICAL", "FORWARD"),
        *phrase_rules(historical["history_of"], "HISTORICAL", "FORWARD", max_scope=3),
        *phrase_rules(historical["backward"], "HISTORICAL", "BACKWARD"),
        *phrase_rules(historical["either"], "HISTORICAL", "BIDIRECTIONAL"),
        *phrase_rules(spec["hypothetical"]["forward"], "HYPOTHETICAL", "FORWARD", max_scope=spec["hypothetical"]["max_scope"]),
        *phrase_rules(spec["uncertain"]["forward"], "POSSIBLE_EXISTENCE", "FORWARD"),
        ConTextRule(
            ", new clause", "CLAUSE", direction="PSEUDO",
            pattern=[{"LOWER": {"IN": [",", "and"]}}, {"LOWER": {"IN": clause["after_comma"]}}],
        ),
        *phrase_rules(clause["words"], "CLAUSE", "PSEUDO"),
        *phrase_rules(spec["now"], "NOW", "PSEUDO"),
    ]
    return rules


# What ends each kind of scope besides ConText's own terminations.
_TERMINATED_BY: Dict[str, List[str]] = {
    "NEGATED_EXISTENCE": ["CLAUSE"],
    "OTHER_PERSON": ["SELF", "CLAUSE"],
    "FAMILY_HISTORY": ["SELF", "CLAUSE"],
    "SELF": ["OTHER_PERSON", "FAMILY", "FAMILY_HISTORY", "CLAUSE"],
    "FAMILY": ["SELF", "CLAUSE"],
    "HISTORICAL": ["CLAUSE", "NOW"],
    "POSSIBLE_EXISTENCE": ["CLAUSE"],
}


@Language.component("answer_joiner")
def _answer_joiner(doc: Doc) -> Doc:
    """Keeps "? no" in the sentence it answers."""
    for token in doc[1:]:
        if token.lower_ in _ANSWERS and doc[token.i - 1].text == "?":
            token.is_sent_start = False
    return doc


class AssertionReader:
    def __init__(self, rules_file: Path = RULES_FILE):
        # PyRuSH (imported by medspaCy) logs every sentence at DEBUG: message
        # text must never reach the logs.
        logger.disable("PyRuSH")
        logger.disable("medspacy")
        import medspacy  # noqa: F401  (registers the medspacy_context factory)

        spec = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";", "\n"]})
        self.nlp.add_pipe("answer_joiner")
        context: Any = self.nlp.add_pipe(
            "medspacy_context",
            config={"rules": "default", "input_span_type": "group", "span_group_name": SPAN_GROUP},
        )
        context.add(_rules(spec))
        # The default rules too end their scope where ours say.
        for rule in context.rules:
            rule.terminated_by.update(_TERMINATED_BY.get(rule.category.upper(), ()))
            if rule.category.upper() == "NEGATED_EXISTENCE":
                rule.on_modifies = _outside_findings

    def analyse(self, text: str, spans: Sequence[Tuple[int, int]]) -> Analysis:
        """The sentences of `text`, one assertion per (start, end) character
        span, and the other people it names."""
        doc = self.nlp.make_doc(text)
        targets: List[Span] = []
        for start, end in spans:
            span = doc.char_span(start, end, label="FINDING", alignment_mode="expand")
            targets.append(span if span is not None else doc[0:0])
        doc.spans[SPAN_GROUP] = targets
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        people = [
            _person(doc[m.modifier_span[0] : m.modifier_span[1]].text)
            for m in doc._.context_graph.modifiers
            if m.category.upper() in _PERSON_CATEGORIES
        ]
        return Analysis(
            tuple((s.start_char, s.end_char) for s in doc.sents),
            tuple(_assertion(span) for span in doc.spans[SPAN_GROUP]),
            tuple(dict.fromkeys(people)),
        )


def _outside_findings(target: Span, modifier: Span, between: Span) -> bool:
    """A negation inside a finding ("can't pee", "no control of my bladder")
    is part of what the finding names, not a denial of anything; a lone
    last word of a finding ("10 kg without | dieting") still points past it."""
    inside = [f for f in target.doc.spans[SPAN_GROUP] if f.start <= modifier.start and modifier.end <= f.end]
    last_word = all(modifier.start == f.end - 1 == modifier.end - 1 for f in inside)
    return (not inside or last_word) and not (target.start <= modifier.start and modifier.end <= target.end)


def _assertion(span: Span) -> Assertion:
    if len(span) == 0:
        return AFFIRMED
    categories = {m.category.upper(): m for m in span._.modifiers}
    who = next((categories[c] for c in _PERSON_CATEGORIES if c in categories), None)
    return Assertion(
        negated="NEGATED_EXISTENCE" in categories,
        other=_person(span.doc[who.modifier_span[0] : who.modifier_span[1]].text) if who else None,
        own="SELF" in categories or bool(_MY.search(span.doc.text[max(0, span.start_char - 40) : span.start_char])),
        past="HISTORICAL" in categories or "FAMILY_HISTORY" in categories,
        hypothetical="HYPOTHETICAL" in categories,
        uncertain="POSSIBLE_EXISTENCE" in categories,
    )


def _person(words: str) -> str:
    """ "my wife" -> "wife", "my 8 year old" -> "child"; a pronoun stays as it is."""
    said = words.lower().split()
    person = next((w for w in reversed(said) if w in _PEOPLE), said[-1])
    return "child" if person.endswith(("old", "yo")) else person


@lru_cache(maxsize=1)
def default_assertions() -> AssertionReader:
    return AssertionReader()
