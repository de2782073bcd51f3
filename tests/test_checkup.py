"""The root-cause check-up core: question choice, answers, summary."""

from __future__ import annotations

import pytest

from assistant import checkup, replies
from assistant.features import Features
from assistant.knowledge.loader import default_knowledge

KB = default_knowledge()
KNEE = ["vastus_medialis", "rectus_femoris", "vastus_intermedius"]
GLUTES = ["gluteus_medius", "gluteus_minimus", "tensor_fasciae_latae"]


def test_every_vocabulary_factor_but_trigger_points_elsewhere_has_a_question() -> None:
    assert set(checkup.FACTOR_QUESTIONS) == set(KB.vocabulary.root_cause_factors) - {"other_trigger_points"}


def test_shared_factors_come_first_and_at_most_four_plus_a_related_area() -> None:
    questions = checkup.choose_questions(KB, KNEE)
    # All three knee muscles share overuse and sitting; the adductors are the related area.
    assert questions[:2] == ["overuse", "sitting_posture"]
    assert len(questions) == 5 and questions[-1] == "check:muscle:adductor_longus"


def test_glutes_check_the_opposite_shoulder_and_jaw_asks_about_clenching() -> None:
    assert checkup.choose_questions(KB, GLUTES)[-1] == "check:area:shoulder:opposite"
    assert "opposite shoulder" in checkup.question_text(KB, "check:area:shoulder:opposite")
    assert checkup.choose_questions(KB, ["masseter", "temporalis"])[0] == "clenching"


def test_unknown_muscles_give_no_questions() -> None:
    assert checkup.choose_questions(KB, ["nope"]) == []


def test_question_message_has_answer_buttons_and_numbering() -> None:
    message = checkup.question_message(KB, "sleep_position", 1, 5)
    assert "1/5" in message["text"] and "skip or stop" in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["Yes", "No", "Not sure", "Skip", "Stop"]


@pytest.mark.parametrize(
    "intent, text, expected",
    [
        ("affirm", "/affirm", "yes"),
        ("deny", "/deny", "no"),
        ("describe_symptom", "yeah I sit all day at my desk", "yes"),
        ("out_of_scope", "nope, never", "no"),
        ("nlu_fallback", "not sure", "unsure"),
        ("deny", "maybe sometimes", "unsure"),
        ("nlu_fallback", "skip", "skip"),
        ("ask_more", "next question please", "skip"),
        ("goodbye", "stop", "stop"),
        ("goodbye", "ok bye for now", "stop"),
        ("deny", "no more questions please", "stop"),
        ("describe_symptom", "my calf is purple", None),
    ],
)
def test_parse_answer(intent: str, text: str, expected: str | None) -> None:
    assert checkup.parse_answer(intent, text) == expected


def test_summary_lists_only_yes_and_unsure_with_the_kb_text() -> None:
    answers = ["overuse=yes", "sitting_posture=no", "footwear=unsure", "pelvic_tilt=skip", "check:muscle:adductor_longus=yes"]
    text = checkup.summary(KB, KNEE, answers)["text"]
    overuse = next(c.text for c in KB.muscles["vastus_medialis"].root_causes if c.factor == "overuse")
    sitting = next(c.text for c in KB.muscles["vastus_medialis"].root_causes if c.factor == "sitting_posture")
    assert overuse in text and sitting not in text
    assert "weren't sure" in text and "adductors" in text
    assert "tilted pelvis" not in text


def test_summary_after_stop_or_all_no() -> None:
    stopped = checkup.summary(KB, GLUTES, ["sitting_posture=yes", "weak_partners=stop"])["text"]
    assert stopped.startswith("OK, we'll stop") and "sit" in stopped
    assert "None of the usual reasons" in checkup.summary(KB, KNEE, ["overuse=no", "footwear=skip"])["text"]
    assert checkup.stopped(["a=stop"]) and not checkup.stopped(["a=yes"])


def test_welcome_back_names_the_muscle_the_words_and_the_last_method() -> None:
    features = Features.from_dict({"areas": {"knee": "knee"}, "sensations": {"buckling": "buckles"}})
    message = replies.welcome_back(KB, KB.muscles["vastus_medialis"], features, [], [], 0)
    assert message["text"].startswith("Welcome back. Last time we looked at your Vastus medialis for your knee (buckles)")
    assert "with your thumb" in message["text"] and len(message["buttons"]) == 3
    assert replies.last_method(KB, KB.muscles["vastus_medialis"], [], []) == "vastus_medialis:thumb"


def test_welcome_back_after_two_failed_rounds_points_to_the_root_cause() -> None:
    message = replies.welcome_back(KB, KB.muscles["vastus_medialis"], Features(), [], [], 2)
    assert "root cause" in message["text"] and message["buttons"][-1]["payload"] == "/ask_root_cause"
