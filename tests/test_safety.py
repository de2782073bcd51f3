"""Red-flag triage: urgent signs caught in any wording, look-alikes left alone."""

from __future__ import annotations

import pytest

from assistant.safety import triage

RED_FLAGS = [
    ("numbness in my groin and my back hurts", "cauda_equina"),
    ("my glutes are tight and I've been wetting myself", "cauda_equina"),
    ("i lost control of my bladder this morning", "cauda_equina"),
    ("my calf is hot red and swollen", "clot"),
    ("crushing chest pain when I walk", "heart"),
    ("jaw pain and my left arm aches and I'm sweating", "heart"),
    ("fever and chills with this lower back pain", "infection"),
    ("fell off a ladder and now I can't put weight on my leg", "fracture"),
    ("my foot slaps the floor, foot drop since yesterday", "nerve_weakness"),
    ("lost a lot of weight without trying and the pain wakes me at night", "serious_illness"),
    ("my face is drooping and my speech is slurred", "stroke"),
    ("this pain makes me want to kill myself", "self_harm"),
]
BENIGN = [
    "no numbness in my groin, just a tight inner thigh",
    "I fell asleep on the couch and now my hip hurts",
    "chest day at the gym made my glutes sore",
    "my calf is tight after running, not swollen",
    "no fever, just a stiff lower back",
    "not after a fall, it came on slowly",
    "I want to lose weight to take load off my knees",
    "slurring my speech is one of the jaw relaxation tips I read",
    "this thigh pain is killing me",
    "bladder is fine, only my butt aches",
]


@pytest.mark.parametrize("text, rule", RED_FLAGS)
def test_red_flags_are_caught_with_a_reason(text: str, rule: str) -> None:
    result = triage(text)
    assert result.flagged and result.rule_id == rule
    assert result.reason and result.advice


@pytest.mark.parametrize("text", BENIGN)
def test_look_alikes_and_negations_are_not_flagged(text: str) -> None:
    assert not triage(text).flagged


def test_typos_and_voice_style_still_flag() -> None:
    assert triage("um so i cant controll my bladdr and my back is killing me").flagged


def test_empty_and_huge_input_are_safe() -> None:
    assert not triage("").flagged
    assert not triage("hip " * 50_000).flagged


def test_someone_elses_history_is_not_the_users_red_flag() -> None:
    assert not triage("My dad had a blood clot after surgery; my calf is just tight from running").flagged
    assert triage("my wife says half my face looks droopy").flagged


def test_context_words_excuse_only_their_own_look_alike() -> None:
    assert not triage("the ice pack made my knee pale and cold for a bit").flagged
    assert triage("my foot is cold and pale and I can't feel a pulse").flagged
    assert not triage("losing weight on purpose with a diet, glutes still tight").flagged
    assert triage("lost weight without trying and my back aches at night").flagged
    assert triage("jaw massage tips please, also I'm slurring my words all of a sudden and my face droops").flagged
