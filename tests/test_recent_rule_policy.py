"""RecentRulePolicy sees, in its window, the very states RulePolicy sees in
the whole conversation, including a check-up form that began before the window."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.nlp import recent_rule_policy
from assistant.nlp.recent_rule_policy import RecentRulePolicy, recent, window_start

ROOT = Path(__file__).parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def said(intent: str, text: str = "") -> List[Event]:
    return [ActionExecuted("action_listen"), UserUttered(text or intent, intent={"name": intent, "confidence": 1.0})]


def long_conversation() -> List[Event]:
    """Symptoms, a check-up form answered over several turns and interrupted
    once, a second form, then more symptoms: long enough to cut anywhere."""
    events: List[Event] = [ActionExecuted("action_session_start"), SessionStarted()]
    for _ in range(3):
        events += [*said("describe_symptom"), ActionExecuted("action_suggest_muscles"), SlotSet("suggested_muscles", ["vastus_medialis"])]
    for _ in range(2):
        events += [*said("ask_root_cause"), ActionExecuted("action_root_cause"), SlotSet("checkup_ready", True)]
        events += [ActionExecuted("checkup_form"), ActiveLoop("checkup_form"), SlotSet("requested_slot", "checkup_question")]
        events += [*said("affirm"), ActionExecuted("checkup_form"), SlotSet("checkup_question", "yes")]
        events += [*said("ask_muscle_info"), ActionExecutionRejected("checkup_form"), ActionExecuted("action_muscle_info")]
        events += [ActionExecuted("checkup_form")]
        events += [*said("deny"), ActionExecuted("checkup_form"), SlotSet("checkup_question", "no")]
        events += [*said("affirm"), ActionExecuted("checkup_form"), ActiveLoop(None), SlotSet("requested_slot", None)]
        events += [ActionExecuted("action_checkup_summary"), SlotSet("checkup_ready", None)]
        events += [*said("thank"), ActionExecuted("utter_thank")]
    for _ in range(3):
        events += [*said("describe_symptom"), ActionExecuted("action_suggest_muscles")]
    return events + [ActionExecuted("action_listen")]


def rule_policy(cls: type, tmp_path: Path) -> RulePolicy:
    policy = cls.create(cls.get_default_config(), LocalModelStorage(tmp_path), Resource(cls.__name__), ExecutionContext(GraphSchema({}), "t"))
    policy.lookup = {RULES: {json.dumps([{}]): "action_listen"}}  # one-step rules: the smallest window
    return policy


@pytest.mark.parametrize("turns", [2, 3, 5])
def test_every_step_a_rule_can_see_matches_the_whole_conversation(tmp_path: Path, monkeypatch, turns: int) -> None:
    monkeypatch.setattr(recent_rule_policy, "MIN_TURNS", turns)
    windowed, whole = rule_policy(RecentRulePolicy, tmp_path / "w"), rule_policy(RulePolicy, tmp_path / "f")
    events, cut_somewhere = long_conversation(), 0
    for end in range(1, len(events) + 1):
        if not isinstance(events[end - 1], ActionExecuted):
            continue  # predictions happen after an action
        tracker = DialogueStateTracker.from_events("me", events[:end], slots=DOMAIN.slots)
        mine = windowed._prediction_states(tracker, DOMAIN, rule_only_data={})
        theirs = whole._prediction_states(tracker, DOMAIN, rule_only_data={})
        if len(mine) < len(theirs):
            cut_somewhere += 1
            assert len(mine) > turns  # more steps than any one-step rule needs
        # All but the first step of the window: that one lacks the message before it.
        assert mine[1:] == theirs[len(theirs) - len(mine) + 1 :], f"after event {end}"
    assert cut_somewhere > 10


def test_window_starts_at_the_listen_before_a_user_message() -> None:
    events = long_conversation()
    start = window_start(events, 2)
    assert isinstance(events[start], ActionExecuted) and events[start].action_name == "action_listen"
    assert isinstance(events[start + 1], UserUttered)
    assert sum(isinstance(e, UserUttered) for e in events[start:]) == 2
    assert window_start(events[:6], 50) == 0


def test_a_short_conversation_is_used_as_it_is() -> None:
    tracker = DialogueStateTracker.from_events("me", long_conversation()[:8], slots=DOMAIN.slots)
    assert recent(tracker, DOMAIN, 8) is tracker


def test_the_window_keeps_the_form_and_slots_set_before_it() -> None:
    events = long_conversation()
    inside_form = next(i for i, e in enumerate(events) if isinstance(e, ActionExecutionRejected))
    tracker = DialogueStateTracker.from_events("me", events[: inside_form + 1], slots=DOMAIN.slots)
    copy = recent(tracker, DOMAIN, 1)
    assert copy is not tracker
    assert copy.active_loop_name == "checkup_form"
    assert copy.get_slot("checkup_ready") is True and copy.get_slot("requested_slot") == "checkup_question"


def test_no_rule_depends_on_the_conversation_start() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "rules.yml").read_text())["rules"]
    assert not [r["rule"] for r in rules if r.get("conversation_start")]


def states(policy: RulePolicy, tracker: DialogueStateTracker) -> list:
    return policy._prediction_states(tracker, DOMAIN, rule_only_data={})


def test_remembered_cuts_give_the_copy_the_full_path_gives(tmp_path: Path) -> None:
    """One tracker growing event by event, as in a live conversation, with a
    new session half-way and a rebuild from the database near the end."""
    whole = rule_policy(RulePolicy, tmp_path)
    windows = recent_rule_policy.Windows()
    events = long_conversation()
    events += [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("suggested_muscles", ["soleus"])]
    events += long_conversation()[2:]
    tracker, remembered = DialogueStateTracker("me", DOMAIN.slots), 0
    for index, event in enumerate(events):
        tracker.update(event)
        if index == len(events) - 20:
            tracker = DialogueStateTracker.from_events("me", events[: index + 1], slots=DOMAIN.slots)
        if isinstance(event, ActionExecuted):
            remembered += "me" in windows.cuts
            assert states(whole, windows.recent(tracker, DOMAIN, 3)) == states(whole, recent(tracker, DOMAIN, 3)), index
    assert remembered > 10  # the remembered path ran, not only the full one


def test_a_revert_before_the_window_takes_the_full_path(tmp_path: Path) -> None:
    from rasa.shared.core.events import UserUtteranceReverted

    whole = rule_policy(RulePolicy, tmp_path)
    events = long_conversation()
    events = events[:10] + [UserUtteranceReverted()] + events[10:]
    tracker = DialogueStateTracker.from_events("me", events, slots=DOMAIN.slots)
    windows = recent_rule_policy.Windows()
    assert states(whole, windows.recent(tracker, DOMAIN, 2)) == states(whole, recent(tracker, DOMAIN, 2))
    assert "me" not in windows.cuts


def test_the_policy_uses_its_window_unless_rasa_runs_stock(tmp_path: Path, monkeypatch) -> None:
    """Through RulePolicy's own prediction: the override is what it calls."""
    monkeypatch.setattr(recent_rule_policy, "MIN_TURNS", 2)
    policy = rule_policy(RecentRulePolicy, tmp_path)
    tracker = DialogueStateTracker.from_events("me", long_conversation(), slots=DOMAIN.slots)
    policy.predict_action_probabilities(tracker, DOMAIN, rule_only_data={})
    assert "me" in policy.windows.cuts
    monkeypatch.setenv("RASA_STOCK", "true")
    stock = rule_policy(RecentRulePolicy, tmp_path / "stock")
    stock.predict_action_probabilities(tracker, DOMAIN, rule_only_data={})
    assert not stock.windows.cuts
