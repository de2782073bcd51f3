"""Tolerant phrase matching: stems, typos, gaps, longest match, negation."""

from __future__ import annotations

import pytest

from assistant.textmatch import PhraseIndex, edit_distance_at_most, fold, is_negated, stem

INDEX = PhraseIndex(
    [
        ("knee", "area", "knee"),
        ("outside of my knee", "area", "outside_of_knee"),
        ("knee buckles", "symptom", "buckling"),
        ("going down stairs", "activity", "going_downstairs"),
        ("numbness", "concept", "numb"),
        ("groin", "concept", "groin"),
    ]
)


@pytest.mark.parametrize("a, b", [("buckles", "buckling"), ("burns", "burning"), ("knees", "knee"), ("lying", "lie")])
def test_stem_folds_word_forms_together(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize("typo, word", [("kne", "knee"), ("stiars", "stair"), ("numbess", "numbness")])
def test_typos_are_corrected_to_known_words(typo: str, word: str) -> None:
    assert INDEX.correct(stem(typo)) == stem(word)


def test_common_words_are_not_bent_into_domain_words() -> None:
    assert INDEX.correct("setting") == "setting"
    assert INDEX.correct("him") == "him"


def test_longest_phrase_wins_and_words_are_not_reused() -> None:
    ids = [m.id for m in INDEX.find("pain on the outside of my knee")]
    assert ids == ["outside_of_knee"]


def test_one_stray_word_is_allowed_and_surface_is_the_users_text() -> None:
    matches = INDEX.find("My Knee sometimes buckles going down the stairs")
    assert [m.id for m in matches] == ["buckling", "going_downstairs"]
    assert matches[0].surface == "knee sometimes buckles"


def test_damerau_distance() -> None:
    assert edit_distance_at_most("stiars", "stairs", 1)
    assert not edit_distance_at_most("groin", "green", 1)


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
    match = next(m for m in INDEX.find(text) if m.id == "numb")
    assert is_negated(fold(text), match) is negated


def test_a_trapped_nerve_is_not_the_traps() -> None:
    assert stem("trapped") != stem("traps") == stem("trap")
