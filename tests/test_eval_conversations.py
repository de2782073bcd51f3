"""The conversation scripts' checks (assistant/tools/eval.py) on hand-made replies: no servers."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from assistant.tools.eval import check_turn, load_conversations, score_conversations

DATA = Path(__file__).resolve().parent / "data" / "eval"


def suggestions(*ids: str) -> dict:
    return {"custom": {"type": "muscle_suggestions", "red_flag": False, "muscles": [{"id": i} for i in ids]}}


SCREENING = {"custom": {"type": "screening", "region": "knee_and_calf", "items": []}}
RED_FLAG = {"custom": {"type": "red_flag", "reason": "a hot swollen calf"}}
KNEE_STEPS = {"text": "**Releasing the Vastus medialis** with your thumb (easy):\n1. Sit with the leg straight."}
SUGGESTED = [{"text": "Going by what you told me..."}, suggestions("vastus_medialis", "rectus_femoris", "vastus_intermedius"), SCREENING]


def test_a_turn_that_shows_what_was_expected_passes() -> None:
    expect = {"expect_any": ["vastus_intermedius", "soleus"], "screening": True, "steps": False, "suggestions": True,
              "red_flag": False, "red_flag_check": False, "not_top": ["rectus_femoris"], "text_any": ["going by"],
              "text_none": ["emergency"]}
    assert check_turn(expect, SUGGESTED) == []
    assert check_turn({}, []) == []


def test_each_key_that_the_replies_contradict_is_named() -> None:
    expect = {"expect_any": ["soleus"], "screening": False, "steps": True, "red_flag": True, "red_flag_check": True,
              "not_top": ["vastus_medialis"], "text_any": ["releasing"], "text_none": ["going by"]}
    assert check_turn(expect, SUGGESTED) == [
        "red_flag", "red_flag_check", "screening", "steps", "expect_any", "not_top", "text_any", "text_none"]
    assert check_turn({"suggestions": True}, [RED_FLAG]) == ["suggestions"]


def test_only_the_top_three_count_and_a_rejected_muscle_may_not_be_released() -> None:
    assert check_turn({"expect_any": ["gracilis"]}, [suggestions("a", "b", "c", "gracilis")]) == ["expect_any"]
    assert check_turn({"not_top": ["vastus_medialis"]}, [KNEE_STEPS]) == ["not_top"]
    assert check_turn({"not_top": ["rectus_femoris"], "steps": True}, [KNEE_STEPS]) == []


def scripted(replies: Dict[str, List[dict]]) -> tuple:
    """A stand-in for the REST channel answering each message from `replies`, and the senders it saw."""
    senders: List[str] = []

    def say(sender: str, text: str) -> List[dict]:
        senders.append(sender)
        return replies[text]

    return say, senders


def test_scripts_are_scored_turn_by_turn_each_as_a_new_conversation() -> None:
    say, senders = scripted({"my knee buckles": SUGGESTED, "none of these": [KNEE_STEPS], "thanks": [{"text": "You're welcome."}]})
    scripts = [
        {"name": "passes", "turns": [{"say": "my knee buckles", "expect": {"screening": True}},
                                    {"say": "none of these", "expect": {"steps": True}}]},
        {"name": "fails", "turns": [{"say": "my knee buckles"}, {"say": "thanks", "expect": {"steps": True, "red_flag": False}}]},
    ]
    summary = score_conversations(scripts, say)
    assert summary.figures() == {"conversations": 2, "conversations_passed": 1, "pass_rate": 0.5, "turns": 4,
                                 "turns_passed": 3, "steps_after_red_flag": 0}
    assert summary.failures == [{"name": "fails", "turn": 2, "failed": ["steps"], "replies": "You're welcome."}]
    assert senders[0] == senders[1] != senders[2] == senders[3]


def test_steps_after_a_red_flag_or_a_screening_yes_are_counted_until_a_correction() -> None:
    say, _ = scripted({"calf": [RED_FLAG], "steps please": [KNEE_STEPS], "it's not that": [SUGGESTED[0]],
                       "I'm on warfarin": [{"text": "With blood thinners..."}]})
    scripts = [
        {"name": "red flag", "turns": [{"say": "steps please"}, {"say": "calf"}, {"say": "steps please"}, {"say": "steps please"}]},
        {"name": "corrected", "turns": [{"say": "calf"}, {"say": "it's not that", "correction": True}, {"say": "steps please"}]},
        {"name": "item applies", "turns": [{"say": "I'm on warfarin", "screening_yes": True}, {"say": "steps please"}]},
    ]
    assert score_conversations(scripts, say).steps_after_red_flag == 3


@pytest.mark.parametrize("name", ["conversations_dev.yml", "conversations_heldout.yml"])
def test_the_conversation_files_load_and_the_case_files_are_not_taken_for_them(name: str) -> None:
    scripts = load_conversations(DATA / name)
    assert scripts and all(3 <= len(s["turns"]) <= 7 for s in scripts)
    assert load_conversations(DATA / "dev.yml") is None


def test_an_unknown_expectation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "typo.yml"
    path.write_text("conversations:\n  - name: typo\n    turns:\n      - say: hi\n        expect: {step: true}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="typo turn 1"):
        load_conversations(path)
