"""The voice building blocks without Rasa: pronunciations, the recogniser's
corpus and model, audio conversion, replies made speakable, spoken answers
to buttons."""

from __future__ import annotations

import subprocess

import pytest

from assistant.knowledge.loader import default_knowledge
from assistant.safety import load_concepts
from assistant.voice import audio
from assistant.voice.build import DICT_FILE, build_model, cmudict, is_current
from assistant.voice.choices import match_button
from assistant.voice.corpus import corpus_sentences, nlu_examples, normalise, number_words
from assistant.voice.pronounce import PronunciationError, generated_pronunciations, ipa_to_arpabet
from assistant.voice.recognize import Recognizer
from assistant.voice.speak import plain, speakable, spoken_choices, synthesize

KB = default_knowledge()


@pytest.fixture(scope="module")
def model():
    return build_model(KB)


# ------------------------------------------------------------ pronunciations


def test_ipa_maps_to_arpabet_longest_symbol_first() -> None:
    assert ipa_to_arpabet("pˈɪɹɪfˌoːɹmɪs") == ["P", "IH", "R", "IH", "F", "AO", "R", "M", "IH", "S"]
    assert ipa_to_arpabet("klˈɛntʃɪŋ") == ["K", "L", "EH", "N", "CH", "IH", "NG"]
    assert ipa_to_arpabet("ɐdˈʌktɚz") == ["AH", "D", "AH", "K", "T", "ER", "Z"]
    assert ipa_to_arpabet("tˈɜːɹɪɡˌɔɪd") == ["T", "ER", "IH", "G", "OY", "D"]  # ɜː + ɹ is one ER


def test_unknown_ipa_symbol_is_an_error_not_a_gap() -> None:
    with pytest.raises(PronunciationError, match="ʘ"):
        ipa_to_arpabet("kʘt")
    with pytest.raises(PronunciationError):
        ipa_to_arpabet("ˈˌ")


def test_generated_pronunciations_use_only_the_acoustic_models_phones() -> None:
    phones = {p for prons in cmudict().values() for pron in prons for p in pron.split()}
    words = ["piriformis", "adductors", "glutes", "psoas", "gastrocnemius", "iliocostalis", "tfl"]
    generated = generated_pronunciations(words)
    assert set(generated) == set(words)
    for word, pron in generated.items():
        assert pron and set(pron) <= phones, word
    assert generated["glutes"] == ["G", "L", "UW", "T", "S"]


# ------------------------------------------------------------ corpus and model


def test_normalise_spells_numbers_and_keeps_apostrophes() -> None:
    assert normalise("I sit 10 hrs a day, can't stand!") == "i sit ten hrs a day can't stand"
    assert normalise("figure-4 on 125 kg") == "figure four on one hundred and twenty five kg"
    assert number_words(40) == "forty" and number_words(1234) == "one two three four"


def test_corpus_holds_every_red_flag_phrase_example_and_muscle_name() -> None:
    sentences = set(corpus_sentences(KB))
    for phrases in load_concepts().values():
        for phrase in phrases:
            assert normalise(phrase) in sentences, phrase
    for example in nlu_examples():
        assert normalise(example) in sentences or not normalise(example), example
    for muscle in KB.muscles.values():
        assert normalise(muscle.name) in sentences
    assert "my knee buckles going downstairs" in sentences  # annotations stripped


def test_dictionary_covers_every_corpus_word(model) -> None:
    entries = {line.split()[0].split("(")[0] for line in model.dictionary.splitlines()}
    words = {w for s in model.sentences for w in s.split()}
    assert words <= entries
    assert "piriformis" in entries and "adductors" in entries


def test_built_model_matches_the_current_data(model) -> None:
    """`make setup` rebuilds it when NLU data, KB or red-flag phrases change;
    this fails when the build step and its inputs drift apart."""
    assert DICT_FILE.exists(), "run `python -m assistant.voice.build`"
    assert is_current(model)


# ------------------------------------------------------------ audio


def _speech(text: str, voice: str = "en-us+f3", speed: int = 130) -> bytes:
    return synthesize(text, voice, speed)


@pytest.mark.parametrize("kind", ["wav", "ogg", "webm", "mp3"])
def test_any_format_and_rate_becomes_16k_pcm(kind: str) -> None:
    wav = audio.convert(["-ar", "44100", "-f", "wav"], _speech("my knee hurts"))
    encoded = {
        "wav": wav,
        "ogg": audio.convert(["-c:a", "libopus", "-f", "ogg"], wav),
        "webm": audio.convert(["-c:a", "libopus", "-f", "webm"], wav),
        "mp3": audio.encode_reply(wav, "mp3"),
    }[kind]
    pcm = audio.to_pcm16k(encoded)
    assert 0.5 < audio.pcm_seconds(pcm) < 3.0


def test_junk_and_empty_audio_are_clear_errors() -> None:
    with pytest.raises(audio.AudioError, match="no audio"):
        audio.to_pcm16k(b"")
    with pytest.raises(audio.AudioError, match="not audio"):
        audio.to_pcm16k(b"\x00\x01 definitely not a recording" * 50)


def test_reply_encodings() -> None:
    wav = _speech("hello there")
    assert audio.encode_reply(wav, "ogg")[:4] == b"OggS"
    assert audio.encode_reply(wav, "wav") == wav
    mp3 = audio.encode_reply(wav, "mp3")
    assert mp3[:3] == b"ID3" or mp3[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")


def test_recogniser_hears_domain_speech() -> None:
    transcript = Recognizer().transcribe(audio.to_pcm16k(_speech("my knee buckles going downstairs", speed=120)))
    assert {"knee", "buckles"} <= set(transcript.text.split())
    assert 1.0 < transcript.seconds < 4.0


# ------------------------------------------------------------ speaking


def test_markdown_becomes_sentences() -> None:
    text = "**Releasing the Tensor fasciae latae** with your thumb:\n1. Sit down\n2. Press _gently_ 🙂\n- breathe\nSee [the map](http://x)"
    spoken = plain(text)
    for mark in ("**", "_", "🙂", "http", "[", "- "):
        assert mark not in spoken
    assert "Step 1: Sit down." in spoken and "Step 2: Press gently." in spoken
    assert "fash ee ee lah tee" in spoken  # respelled for espeak-ng
    assert "See the map." in spoken


def test_buttons_are_read_as_a_choice() -> None:
    assert spoken_choices(["Yes", "No"]) == "Say yes or no."
    assert spoken_choices(["Better", "The same", "Worse"]) == "Say better, the same or worse."
    assert spoken_choices(["TFL"]) == "Say TFL."
    messages = [{"text": "Has it got better?", "buttons": [{"title": "Better"}, {"title": "Worse"}]}, {"custom": {"type": "x"}}]
    assert speakable(messages) == "Has it got better? Say better or worse."
    assert speakable([{"custom": {"type": "muscle_suggestions"}}]) == ""


def test_synthesis_reads_stdin_and_makes_wav() -> None:
    wav = synthesize("Releasing the piriformis. " * 5)
    assert wav[:4] == b"RIFF" and len(wav) > 50_000


# ------------------------------------------------------------ spoken answers to buttons

PROGRESS = [{"title": "Better", "payload": "/affirm"}, {"title": "The same", "payload": "/deny"}, {"title": "Worse", "payload": "/worse"}]


@pytest.mark.parametrize(
    "said, payload",
    [
        ("better", "/affirm"),
        ("same", "/deny"),
        ("um the same please", "/deny"),
        ("worse", "/worse"),
        ("the second one", "/deny"),
        ("number three", "/worse"),
        ("the last one", "/worse"),
        ("my knee is worse when i run", None),
        ("", None),
        ("number seven", None),
    ],
)
def test_spoken_answer_picks_a_button(said: str, payload: str | None) -> None:
    assert match_button(said, PROGRESS) == payload


def test_no_buttons_no_pick() -> None:
    assert match_button("yes", []) is None
    assert match_button("yes", [{"title": "Yes"}]) is None  # no payload to send


def test_espeak_and_ffmpeg_are_installed() -> None:
    """`make setup` installs both; voice cannot work without them."""
    for command in (["espeak-ng", "--version"], ["ffmpeg", "-version"]):
        assert subprocess.run(command, capture_output=True).returncode == 0, command[0]
