"""Choosing what to act on among the recogniser's readings (pure: no model)."""

from __future__ import annotations

from assistant.understand import triage
from assistant.voice.hypotheses import acted_on, names_something
from assistant.voice.recognize import runners_up


def never(_: str) -> bool:
    return False


def test_a_red_flag_in_a_runner_up_is_acted_on() -> None:
    heard = "I love my bike and my thigh looks bent and wrong"
    other = "fell off my bike and my thigh looked bent and wrong"
    assert not triage(heard).flagged and triage(other).flagged
    assert acted_on(heard, ("L of my bike", other), never) == other


def test_a_red_flag_wins_over_an_answer() -> None:
    answers = {"none of these"}
    other = "I've lost control of my bladder"
    assert acted_on("none of these", (other,), lambda text: text in answers) == other


def test_an_answer_to_the_offer_is_taken_best_first() -> None:
    offered = {"delete my data", "next"}

    def is_answer(text: str) -> bool:
        return text.strip(" ,.") in offered

    # "glute" names a muscle, yet the offered answer just below it is what was said.
    assert names_something("glute my data")
    assert acted_on("glute my data", ("delete my data,",), is_answer) == "delete my data,"
    assert acted_on("next", ("knee",), is_answer) == "next"


def test_a_reading_that_names_nothing_gives_way_to_one_that_does() -> None:
    assert not names_something("might only assist tight")
    assert acted_on("might only assist tight", ("micoleus is tight", "my soleus is tight"), never) == "my soleus is tight"


def test_the_best_reading_stays_when_it_names_something_or_nothing_does() -> None:
    best = "my knee buckles going downstairs"
    assert acted_on(best, ("my knee buckles going down stairs", "my knees buckle going downstairs"), never) == best
    assert acted_on("hello there", ("hello their",), never) == "hello there"
    assert acted_on("thanks", (), never) == "thanks"


def test_runners_up_are_close_and_say_other_words() -> None:
    readings = [
        ("my soleus is tight", -0.50),
        ("my soleus is tight.", -0.52),  # the same words: not another reading
        ("my solius is tight", -0.65),
        ("might only assist tight", -0.71),  # further than the margin below the best
        ("", -0.55),
    ]
    assert runners_up(readings) == ("my solius is tight",)
    assert runners_up(readings, margin=0.3) == ("my solius is tight", "might only assist tight")
    assert runners_up([]) == ()
