"""The voice evaluation, smaller: synthesized recordings of the written
cases through the voice channel against the same sentences typed.

The floors are regression guards for the whole chain (ffmpeg, the
recogniser, its prompt, the channel): a broken link drops the figures far
below them. `make eval-voice` runs all the recordings and reports them."""

from __future__ import annotations

import pytest

from assistant.tools.servers import Servers
from assistant.voice.evaluate import PHONE_CONDITIONS, WIDE, load_set, run_set, summarise


@pytest.fixture(scope="module")
def heard(servers: Servers) -> dict:
    recordings = load_set()
    wide = [u for u in recordings if u.condition == WIDE][::4]  # a stride prime to the 9 voices
    again = {u.text for u in wide[::6]}
    phone = [u for u in recordings if u.condition != WIDE and u.text in again]
    assert len(wide) >= 50 and phone, "run `make setup`: it synthesizes the voice evaluation"
    return summarise(run_set(wide + phone, servers.rasa_url))


def test_every_voice_and_format_is_in_the_sample(heard: dict) -> None:
    groups = heard["word_error_rate_by"]
    assert len([g for g in groups if g.startswith("voice ")]) == 9
    assert {f"format {k}" for k in ("wav", "ogg", "webm", "noisy")} <= set(groups)
    assert {"engine espeak", "engine flite", "engine piper"} <= set(groups)


def test_speech_is_mostly_heard(heard: dict) -> None:
    assert heard["word_error_rate"] < 0.25, heard["word_error_rate_by"]
    # Voices made from recordings of people are heard better than formant ones.
    assert heard["word_error_rate_by"]["engine flite"] < 0.25, heard["word_error_rate_by"]
    assert heard["word_error_rate_by"]["engine piper"] < 0.2, heard["word_error_rate_by"]


def test_voice_suggestions_stay_near_typed_ones(heard: dict) -> None:
    assert heard["typed"]["top3"] >= 0.85
    assert heard["voice"]["top3"] >= heard["typed"]["top3"] - 0.3, heard["misheard"]


def test_spoken_red_flags_are_caught_without_many_false_alarms(heard: dict) -> None:
    assert heard["voice"]["red_flag_recall"] >= 0.6, heard["misheard"]
    assert heard["voice"]["red_flag_false_alarm_rate"] <= 0.1, heard["misheard"]


def test_tuning_recordings_are_dev_cases_only() -> None:
    """Choices for hearing are tuned on the dev set; none of its cases is in
    the evaluation set, and every case of both knows its split."""
    from assistant.voice.evaluate import dev_cases, select_cases

    evaluated, tuning = select_cases(), dev_cases()
    assert len(tuning) >= 150 and {c["split"] for c in tuning} == {"dev"}
    assert not {c["text"] for c in tuning} & {c["text"] for c in evaluated}
    assert {c["split"] for c in evaluated} == {"dev", "held-out"}
    assert sum(c["split"] == "held-out" for c in evaluated) > 200


def test_dev_and_held_out_are_reported_apart(heard: dict) -> None:
    splits = heard["by_split"]
    assert set(splits) == {"dev", "held-out"} or set(splits) == {"held-out"}
    assert sum(s["utterances"] for s in splits.values()) == heard["utterances"]


def test_each_phone_condition_is_reported_apart_with_the_wide_band_beside_it(heard: dict) -> None:
    conditions = heard["by_condition"]
    assert set(conditions) == {WIDE, *PHONE_CONDITIONS}
    assert conditions[WIDE]["word_error_rate_wide_band"] == conditions[WIDE]["word_error_rate"]
    for figures in conditions.values():
        assert figures["utterances"] > 0 and 0 <= figures["word_error_rate"] < 0.6
        assert 0 <= figures["word_error_rate_wide_band"] < 0.6


def test_red_flags_are_counted_outright_after_the_question_or_missed(heard: dict) -> None:
    for side in ("red_flags_voice", "red_flags_typed"):
        counts = heard[side]
        assert counts["caught_outright"] + counts["caught_after_question"] + counts["missed"] == counts["red_flags"] > 0
        assert counts["other_turns_asked"] <= counts["other_turns"]
    assert heard["red_flags_typed"]["missed"] == 0
