"""The one reading of a message: assertions, spelling, and what triage and
matching make of them (pure, no servers)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant import understand
from assistant.matching import default_matcher
from assistant.reading.reading import Reading
from assistant.reading.spelling import is_english, ranked_words
from assistant.safety import default_triager
from assistant.textmatch import phrase_stems
from assistant.tools.servers import ROOT


def assertion_of(text: str, words: str) -> dict:
    """The assertion of the finding whose words are `words`."""
    found = [f for f in understand.read(text).findings if f.words == words]
    assert found, [f.words for f in understand.read(text).findings]
    return {k: v for k, v in found[0].assertion.__dict__.items() if v}


@pytest.mark.parametrize(
    "text, words, expected",
    [
        ("no fever, no numbness, my lower back is just sore", "fever", {"negated": True}),
        ("no fever, no numbness, my lower back is just sore", "lower back", {"own": True}),
        ("I carry my toddler on my hip all day", "hip", {"own": True}),
        ("it's not my hamstrings, it's behind the knee", "hamstrings", {"negated": True, "own": True}),
        ("it's not my hamstrings, it's behind the knee", "behind the knee", {}),
        ("my wife has numbness in her groin", "numbness", {"other": "wife"}),
        ("years ago i had numbness in my groin after surgery, now my quads ache", "numbness", {"past": True, "own": True}),
        ("years ago i had numbness in my groin after surgery, now my quads ache", "quads", {"own": True}),
        ("could it be a clot? my calf is tight after running", "clot", {"hypothetical": True}),
        ("my mum had a blood clot", "blood clot", {"other": "mum", "past": True}),
        ("my bladder control is fine, my back hurts", "bladder control", {"negated": True, "own": True}),
        ("shortness of breath? no", "shortness of breath", {"negated": True}),
        ("i can't pee since this morning", "can't pee", {"own": True}),
        ("i had surgery years ago and my groin is numb now", "numb", {}),
        ("thunderclap headache a minute ago", "thunderclap headache", {}),
        ("my little boy has been limping", "limping", {"other": "boy"}),
        ("slept funny and I can't turn my head", "turn my head", {"own": True}),
    ],
)
def test_each_finding_carries_its_assertion(text: str, words: str, expected: dict) -> None:
    assert assertion_of(text, words) == expected


@pytest.mark.parametrize(
    "text, negated",
    [
        ("no numbness in my groin", True),
        ("numbness? no.", True),
        ("i have numbness in my groin", False),
        ("not much else, but numbness in my groin", False),
        ("numbness is fine now", True),
    ],
)
def test_negation_stays_in_its_clause(text: str, negated: bool) -> None:
    assert assertion_of(text, "numbness").get("negated", False) is negated


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no numbness, my lower back is just sore",
        "my hamstrings have been tight forever",
        "the pain is getting worse, probably because I keep testing my shoulder",
        "I carry my toddler on my hip all day and my lower back aches",
        "years ago I had numbness in my groin after surgery, now my quads ache after cycling",
        "my mum had bone cancer but I'm 30 and my back is just tight from moving house",
        "could it be a clot? my calf is tight after running",
        "I don't have any numbness in my groin and my bladder is fine, my lower back just aches",
        "frozen shoulder, can't lift my arm above my head",
    ],
)
def test_denied_past_asked_about_and_other_peoples_alarms_are_not_the_persons(text: str) -> None:
    assert not understand.triage(text).flagged


@pytest.mark.parametrize(
    "text, rule, person",
    [
        ("my wife has numbness in her groin", "cauda_equina", "wife"),
        ("my little boy has been limping since yesterday and didn't fall", "child", "boy"),
        ("my glutes are tight and I've been wetting myself", "cauda_equina", None),
        ("I had cancer 5 years ago and now my lower back hurts at night", "serious_illness", None),
        ("thunderclap headache a minute ago", "stroke", None),
        ("years ago I hurt my back, and now my groin is numb and I can't pee", "cauda_equina", None),
        ("I can't feel my groin", "cauda_equina", None),
        ("I dropped about 10 kg without dieting and my back aches at 3am", "serious_illness", None),
        ("I suddenly can't lift my arm", "stroke", None),
    ],
)
def test_red_flags_are_raised_for_whoever_has_them(text: str, rule: str, person: str | None) -> None:
    result = understand.triage(text)
    assert (result.flagged, result.rule_id, result.person) == (True, rule, person)


def test_a_feared_red_flag_is_asked_about_not_announced() -> None:
    result = understand.triage("could it be a clot? my calf is tight after running")
    assert (result.flagged, result.check) == (False, "clot")
    assert understand.triage("I'm not sure if my groin is numb").check == "cauda_equina"


def test_a_denied_place_ranks_no_muscle() -> None:
    features = understand.features("it's not my hamstrings, it's behind the knee")
    assert not features.groups and not features.muscles and "back_of_knee" in features.areas
    assert "hamstrings" in understand.features("it's my hamstrings, behind the knee").groups


def test_someone_elses_pain_is_discussed_as_theirs() -> None:
    features = understand.features("my wife's knee buckles going down stairs")
    assert "knee" in str(features.to_dict())


def test_several_typos_in_one_message_are_still_read() -> None:
    result = default_matcher().rank(understand.features("my calff is killin me wen i walk upstares"))
    assert {"gastrocnemius", "soleus"} & {s.muscle_id for s in result.suggestions[:3]}


def test_only_words_that_are_not_english_are_corrected() -> None:
    assert is_english("forever") and is_english("testing") and not is_english("calff")
    assert "fever" not in understand.read("tight forever").folded.replace("forever", "")
    assert not [f for f in understand.read("tight forever").of("safety") if f.id == "fever"]


@pytest.mark.parametrize("frame", ["{w}", "yesterday {w} was mentioned"])
def test_no_common_english_word_raises_an_alarm(frame: str) -> None:
    """The 30,000 most frequent English words, alone and in a neutral
    sentence: none raises a red flag or a red-flag question unless it is
    itself one of the alarm phrases ("incontinence", "stroke")."""
    triager = default_triager()
    raised = []
    for word in ranked_words()[:30000]:
        if " ".join(phrase_stems(word)) in triager.concepts_of:
            continue
        result = understand.triage(frame.format(w=word))
        if result.flagged or result.check:
            raised.append((word, result.rule_id or result.check))
    assert raised == []


def test_only_descriptions_of_pain_override_the_intent_classifier() -> None:
    """No training example of an intent a description is sometimes taken
    for is itself read as one; the issue's own examples are."""
    examples = []
    for path in sorted(Path("data/nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if item.get("intent") in understand.MISREAD_INTENTS:
                for line in item["examples"].splitlines():
                    plain = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                    examples.append((item["intent"], plain))
    assert examples and not [e for e in examples if understand.describes_pain(*e)]
    assert understand.describes_pain("out_of_scope", "I have a crick in my neck")
    assert understand.describes_pain("ask_tools", "I've had x-rays done on my hands")
    assert not understand.describes_pain("ask_root_cause", "why does my back keep doing this")


@pytest.mark.parametrize(
    "text",
    [
        "no fever, my wife has numbness in her groin and my left calf is swollen",
        "years ago I had cancer; could it be a clot? my knee aches when I'm 68",
        "",
    ],
)
def test_a_reading_travels_as_json_and_comes_back_the_same(text: str) -> None:
    reading = understand.read(text)
    assert Reading.from_dict(json.loads(json.dumps(reading.as_dict()))) == reading


def test_the_action_server_loads_no_spacy() -> None:
    """Its messages come read by the Rasa server (assistant/nlp/lean_actions.py):
    importing the actions must not load spaCy, ConText or their 150 MB."""
    probe = (
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "import actions\n"
        "print(sorted(m for m in ('spacy', 'medspacy', 'thinc', 'nltk') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
