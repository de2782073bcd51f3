"""Red flags that may have been misheard (assistant/voice/sounds_like.py):
pure tests, no audio, no Rasa."""

from __future__ import annotations

import pytest

from assistant import misheard, replies
from assistant.reading.spelling import ranked_words
from assistant.safety import Triage
from assistant.textmatch import phrase_stems
from assistant.voice.hypotheses import possible_red_flag
from assistant.voice.phonemes import sound_of
from assistant.voice.sounds_like import doubted_words, near_miss, sound_distance, vocabulary


def test_words_are_compared_by_how_they_sound() -> None:
    assert sound_of("food") == sound_of("foot")
    assert sound_distance("welding", "wetting") < sound_distance("hurting", "wetting")
    assert sound_distance("bowels", "bowels") == 0.0


@pytest.mark.parametrize(
    ("heard", "rule", "said_back"),
    [
        # The issue's own mishearings.
        ("my glutes are tight and also I've been welding myself since yesterday", "cauda_equina", "I've been wetting myself"),
        ("my food drops when I walk", "nerve_weakness", "my foot drops"),
        # Others of the same kind.
        ("since my slipped disc I can't lift the front of my food up", "nerve_weakness", "front of my foot"),
        ("my lower back aches and I've been wedding myself", "cauda_equina", "wetting myself"),
        ("I keep coffin up blood", "lung_clot", "coughing up blood"),
        ("my back aches and I lost control of my blather", "cauda_equina", "I lost control of my bladder"),
    ],
)
def test_a_red_flag_heard_as_other_words_is_asked_about(heard: str, rule: str, said_back: str) -> None:
    found = near_miss(heard)
    assert found is not None and found.rule == rule
    assert said_back in found.heard


def test_a_word_that_sounds_further_off_needs_the_recogniser_to_doubt_it() -> None:
    """ "Mouths" for "bowels" (the issue's example) is half the sounds apart:
    asked about only where the beam's readings disagree on the word."""
    heard = "had a couple of accidents with my mouths this week and my back is sore"
    assert near_miss(heard) is None
    found = possible_red_flag(heard, ("had a couple of accidents with my mouse this week and my back is sore",))
    assert found is not None and found.rule == "cauda_equina" and "accidents with my bowels" in found.heard


def test_the_question_says_back_the_persons_own_words() -> None:
    found = near_miss("my glutes are tight and also I've been welding myself since yesterday")
    assert found is not None
    question = replies.misheard_question(Triage(False, check=found.rule, heard=found.heard))
    assert "did you say you've been wetting yourself since yesterday?" in question["text"]
    assert question["custom"] == {"type": "red_flag_check", "rule": "cauda_equina", "heard": found.heard}
    assert [b["title"] for b in question["buttons"]] == ["Yes", "No"]


@pytest.mark.parametrize(
    "heard",
    [
        "my thumb hurts when I grip",
        "I let myself rest after the run",
        "my foot hurts when I walk",
        "the food was fine, my calf is tight",
        "I never get a fever",
        "my hamstring is tight after football",
        "I've been sitting all day and my hip is stiff",
        "my knee clicks when I kneel to weed the garden",
    ],
)
def test_everyday_sentences_raise_no_question(heard: str) -> None:
    assert near_miss(heard) is None


def test_a_red_flag_heard_outright_is_no_near_miss() -> None:
    assert near_miss("I've been wetting myself and my back hurts") is None
    assert possible_red_flag("my back hurts", ("I've been wetting myself",)) is None


def test_a_one_word_red_flag_needs_the_recogniser_to_doubt_the_word() -> None:
    assert near_miss("my back hurts and lately I'm incontinent") is None  # heard outright
    assert near_miss("my back hurts and lately I'm incompetent") is None
    found = near_miss("my back hurts and lately I'm incompetent", doubtful={"incompetent"})
    assert found is not None and found.rule == "cauda_equina" and found.heard == "lately I'm incontinent"


def test_a_word_of_the_knowledge_base_is_never_taken_for_a_one_word_red_flag() -> None:
    # "Delete my data" came out as "glute my data" with the right words just below.
    assert possible_red_flag("glute my data", ("delete my data",)) is None
    assert possible_red_flag("lately I'm incompetent", ("lately I'm incompetence",)) is not None


def test_words_the_runners_up_disagree_on_are_doubted() -> None:
    assert doubted_words(["my legs feel paralysing", "my legs feel paralyzing"]) == {"paralysing", "paralyzing"}
    assert doubted_words(["only one reading"]) == frozenset()


@pytest.mark.parametrize("frame", ["{w}", "yesterday {w} was mentioned"])
def test_no_common_english_word_sounds_like_a_red_flag(frame: str) -> None:
    """The 30,000 most frequent English words, alone and in a neutral
    sentence, as a recogniser could hear them: none becomes the question."""
    phrases = {" ".join(p.stems) for p in vocabulary()}
    raised = []
    for word in ranked_words()[:30000]:
        if " ".join(phrase_stems(word)) in phrases:
            continue
        found = near_miss(frame.format(w=word))
        if found is not None:
            raised.append((word, found.rule))
    assert raised == []


def test_misheard_metadata_round_trips_and_rejects_unknown_rules() -> None:
    metadata = misheard.as_metadata("cauda_equina", "I've been wetting myself")
    assert misheard.from_metadata(metadata) == Triage(False, check="cauda_equina", heard="I've been wetting myself")
    assert misheard.from_metadata({misheard.KEY: {"rule": "no_such_rule", "heard": "x"}}) is None
    assert misheard.from_metadata(None) is None
    assert misheard.said_back("I'm sure I wet myself") == "you're sure you wet yourself"


def test_a_misheard_red_flag_is_asked_about_even_inside_a_form() -> None:
    """Inside the check-up form a "yes" belongs to the form; a red flag a
    voice channel may have misheard is asked about there all the same."""
    from assistant.nlp.safety_policy import ACTION_RED_FLAG_CHECK, safety_action

    asked = misheard.from_metadata(misheard.as_metadata("nerve_weakness", "my foot drops"))
    assert safety_action("my food drops", None, None, None, in_form=True, misheard=asked) == ACTION_RED_FLAG_CHECK
    assert safety_action("my food drops", None, None, None, in_form=True) is None
