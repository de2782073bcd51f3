"""Red-flag triage: urgent signs caught in any wording, look-alikes left alone."""

from __future__ import annotations

import pytest

from assistant.safety import ages, says_not_that, triage
from assistant.textmatch import fold

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


# One message per red-flag category of the guidelines, worded for these tests
# (the evaluation sets in tests/data/eval/redflags_*.yml measure the rest).
GUIDELINE_RED_FLAGS = [
    ("my right calf has puffed up for no reason", "clot"),
    ("36 weeks pregnant and the back of my knee and calf ache on one side", "clot"),
    ("got back from a 12 hour flight and my thigh is sore", "clot"),
    ("my ankle came up hot and red this morning and nothing happened to it", "hot_joint"),
    ("I'm 71 and my jaw starts aching halfway through chewing my dinner", "giant_cell_arteritis"),
    ("seventy-three, and brushing my hair hurts my scalp", "giant_cell_arteritis"),
    ("over 60 and I've got a new headache at my temple", "giant_cell_arteritis"),
    ("my jaw aches when I climb hills and it stops when I rest", "heart"),
    ("my left shoulder aches walking uphill and goes when I stop", "heart"),
    ("I've had myeloma and now my lower back is aching", "serious_illness"),
    ("I'm on prednisolone long term and my back started hurting", "serious_spine"),
    ("I'm 64 and I've never had back pain before but now it won't settle", "serious_spine"),
    ("my back pain is constant and it wakes me every night", "serious_spine"),
    ("since the car accident yesterday my back and neck hurt", "trauma"),
    ("fell off the roof onto my back and it's sore", "trauma"),
    ("mum's 84, she tripped and her leg looks shorter and turned out", "fracture"),
    ("sciatica down both legs since Monday", "cauda_equina"),
    ("my back went and now I can't get an erection", "cauda_equina"),
    ("a lump in my groin pops out when I cough and hurts", "groin_lump"),
    ("my left testicle is swollen and sore", "testicle"),
    ("my period is two weeks late and I have pain low down on the right", "ectopic"),
    ("felt a pop at the back of my ankle and I can't stand on tiptoe now", "achilles"),
    ("my 7 year old is limping and won't say why", "child"),
    ("our toddler keeps crying about her hip", "child"),
    ("a sudden tearing pain right through to my back", "aorta"),
    ("there's a throbbing lump in my tummy", "aorta"),
]
GUIDELINE_LOOK_ALIKES = [
    "my foot went numb after sitting cross-legged",
    "my calves feel tight after a long run",
    "my child's knee hurts after football",
    "my kids wear me out and my back aches from carrying them",
    "I'm 35 and my jaw is sore from clenching",
    "I'm 58 and I've had the same low back ache for years after gardening",
    "my quads burn when I walk uphill",
    "long drive yesterday and my lower back is stiff",
    "my thighs are stiff after a long flight",
    "my knee is warm after my run",
    "my testicles itch",
    "my stomach muscles throb after sit ups",
    "I had a DVT ten years ago, all fine since, now my glutes ache",
    "I'm pregnant and my lower back aches when I stand",
    "rolled my ankle, it's slightly swollen but I can walk fine",
    "it's not that, it's just a bit of pee when I sneeze",
]


@pytest.mark.parametrize("text, rule", GUIDELINE_RED_FLAGS)
def test_guideline_red_flags_in_lay_words(text: str, rule: str) -> None:
    result = triage(text)
    assert result.flagged and result.rule_id == rule, result


@pytest.mark.parametrize("text", GUIDELINE_LOOK_ALIKES)
def test_guideline_look_alikes_are_left_alone(text: str) -> None:
    assert not triage(text).flagged, triage(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm 72 and sore", [72]),
        ("seventy-year-old here", [70]),
        ("over 60 and stiff", [60]),
        ("I'm in my seventies", [70]),
        ("sixty-five, throbbing temple", [65]),
        ("aged 77", [77]),
        ("my mum is 80", [80]),
        ("I'm 6 weeks pregnant", []),
        ("the pain is 8 out of 10", []),
        ("I sit 10 hrs a day", []),
    ],
)
def test_ages_are_read_from_numbers_and_words(text: str, expected: list) -> None:
    assert ages(fold(text)) == expected


def test_a_button_payload_is_not_the_persons_words() -> None:
    assert not triage('/affirm{"ordinal": "1"}').flagged
    assert triage("affirm, I had cancer").flagged


def test_its_not_that_is_read_as_a_correction() -> None:
    assert says_not_that("it's not that, it's just a bit of pee when I sneeze")
    assert says_not_that("no, it's just my hamstring")
    assert not says_not_that("that is exactly it")


def test_a_phrase_can_serve_two_concepts() -> None:
    # "jaw" counts for the heart (with effort) and for the temple arteries (over 50, chewing).
    assert triage("jaw ache on the stairs that goes when I rest").rule_id == "heart"
    assert triage("I'm 70 and my jaw aches when I chew").rule_id == "giant_cell_arteritis"


def test_stopwords_do_not_shrink_a_phrase_into_one_common_word() -> None:
    # "like an elephant" would fold to "elephant", "been checked" to "check".
    assert not triage("purple elephants").flagged
    assert triage("can you check this lump in my groin, it pops out when I cough").rule_id == "groin_lump"
