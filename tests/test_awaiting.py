"""The `awaiting` states: declared once (assistant/awaiting.py), set only
through those names, and every declared move made by the real actions."""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionYesNo
from actions.diary import ActionPainRating
from actions.screening import ActionScreeningAnswer
from actions.symptoms import ActionSuggestMuscles
from assistant import understand
from assistant.awaiting import ANSWERED_BY, CLARIFYING, NEXT, Awaiting
from assistant.screening import default_screening

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "actions").glob("*.py"), *(ROOT / "assistant").rglob("*.py")])
ACTIONS: Dict[str, Action] = {a.name(): a for a in (ActionSuggestMuscles(), ActionScreeningAnswer(), ActionYesNo(), ActionPainRating())}

SYMPTOM = "my knee buckles going down stairs"  # the vastus medialis: a region with a screening
# What the message before each clarifying question said.
REMEMBERED = {
    Awaiting.area: {"sensations": {"ache": "hurts"}},  # too vague
    Awaiting.sub_area: {"areas": {"hip": "hip"}, "sensations": {"ache": "hurts"}},  # a broad area
    Awaiting.sensation: {"areas": {"buttock": "buttock"}, "sensations": {"ache": "hurts"}},  # many muscles fit
}


def _calls(name: str) -> Iterator[Tuple[Path, ast.Call]]:
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                yield path, node


def test_the_slot_is_set_only_through_the_declared_states() -> None:
    for path, call in _calls("SlotSet"):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and first.value == "awaiting":
            assert path.name == "common.py", f"{path.relative_to(ROOT)} sets the awaiting slot directly"
    set_states: Set[str] = set()
    for path, call in _calls("awaiting"):
        (state,) = call.args
        if isinstance(state, ast.Constant):
            assert state.value is None, f"{path.relative_to(ROOT)}:{call.lineno} sets awaiting to a bare value"
        else:
            assert isinstance(state, ast.Attribute) and isinstance(state.value, ast.Name) and state.value.id == "Awaiting"
            set_states.add(state.attr)
    # Every declared state is asked by some action, and none is left over.
    assert set_states == {s.name for s in Awaiting}


def test_the_table_covers_every_state_and_names_real_actions() -> None:
    assert set(NEXT) == set(ANSWERED_BY) == set(Awaiting)
    assert set(ANSWERED_BY.values()) <= set(ACTIONS)
    assert {Awaiting.area, Awaiting.sub_area, Awaiting.sensation} == CLARIFYING
    assert Awaiting.of("screening") is Awaiting.screening and Awaiting.of(None) is None and Awaiting.of("gone") is None


def _tracker(state: Awaiting, text: str, intent: str = "describe_symptom", screened: bool = False, asking: bool = True) -> Tracker:
    slots: Dict[str, Any] = {
        "awaiting": state.value,
        # The red-flag answers go on with the description they were asked after.
        "features": (
            understand.features(text).to_dict() if state in (Awaiting.lift_red_flag, Awaiting.red_flag_check) else REMEMBERED.get(state)
        ),
        "red_flags": ["cauda_equina"] if state in (Awaiting.red_flag, Awaiting.lift_red_flag) else None,
        "suggested_muscles": ["vastus_medialis", "rectus_femoris"],
        "current_muscle": "vastus_medialis",
        "screening_region": "knee_and_calf",
        "screening": None,
        "failed_rounds": 0.0,
        "disclaimer_shown": True,
        # "Stop asking me": release steps end the turn instead of asking for a 0-10 score.
        "rating_off": not asking,
    }
    if state in (Awaiting.rating, Awaiting.rating_confirm):
        # The knee rated 4, then 5: one more rise is worse at two check-ins in a row.
        now = time.time()
        slots["pain_diary"] = [{"at": now - 2 * 86400 + i * 86400, "score": 4 + i, "region": "knee_and_calf"} for i in range(2)]
        slots["rating_proposed"] = 4.0
    if screened:
        now = time.time()
        regions = default_screening().data.regions
        slots["screening"] = {r: {"answer": "none", "item": None, "explained": False, "at": now} for r in regions}
    return Tracker.from_dict(
        {
            "sender_id": "awaiting",
            "slots": slots,
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []},
            "events": [],
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def _after(state: Awaiting, events: List[Dict[str, Any]]) -> Awaiting | None:
    """The state the answer leaves: the last value set, or unchanged."""
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "awaiting"]
    if not values:
        return state
    return None if values[-1] is None else Awaiting(values[-1])  # an undeclared value raises


# Answers to each question: (text, intent, screened).
DESCRIPTIONS = [
    ("it hurts", "describe_symptom", False),
    ("my knee hurts", "describe_symptom", False),
    ("my buttock hurts", "describe_symptom", False),
    ("it burns", "describe_symptom", False),
    (SYMPTOM, "describe_symptom", False),
    (SYMPTOM, "describe_symptom", True),
    ("my shoulder hurts", "describe_symptom", False),
]
ANSWERS: Dict[Awaiting, List[Tuple[str, str, bool]]] = {
    Awaiting.area: DESCRIPTIONS,
    Awaiting.sub_area: DESCRIPTIONS,
    Awaiting.sensation: DESCRIPTIONS,
    Awaiting.screening: [
        ("none of these", "deny", False),
        ("yes", "affirm", False),
        ("I'm not sure", "out_of_scope", False),
        ("I'm on warfarin", "describe_symptom", False),
        ("what is a trigger point?", "ask_what_is_trigger_point", False),
    ],
    Awaiting.red_flag: [
        ("yes", "affirm", False),
        ("no", "deny", False),
        *[(f"it's not that, {text}", "deny", screened) for text, _, screened in DESCRIPTIONS],
    ],
    Awaiting.progress: [("yes, it's better", "affirm", False), ("no, it's the same", "deny", False)],
    # The text stands for the description that came before the question.
    Awaiting.lift_red_flag: [("actually I might", "deny", False), ("my knee hurts", "describe_symptom", False), *[(f"yes, {text}", "affirm", screened) for text, _, screened in DESCRIPTIONS]],
    Awaiting.red_flag_check: [(text, "deny", screened) for text, _, screened in DESCRIPTIONS],
    Awaiting.rating: [("3", "rate_pain", False), ("about a six", "rate_pain", False), ("a bit better", "rate_pain", False), ("rate my pain", "rate_pain", False)],
    Awaiting.rating_confirm: [("yes", "affirm", False), ("no", "deny", False), ("7", "rate_pain", False)],
}


@pytest.mark.parametrize("state", list(Awaiting), ids=lambda s: s.value)
def test_every_declared_move_is_made_and_no_other(state: Awaiting) -> None:
    action = ACTIONS[ANSWERED_BY[state]]
    reached = set()
    for text, intent, screened in ANSWERS[state]:
        for asking in (True, False):
            events = asyncio.run(action.run(CollectingDispatcher(), _tracker(state, text, intent, screened, asking), {}))
            reached.add(_after(state, events))
    assert reached == NEXT[state]
