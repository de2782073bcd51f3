"""Rasa's RulePolicy, looking only at the recent turns of a conversation.

Before every prediction RulePolicy rebuilds the dialogue state of every step
of the session, yet no rule looks further back than its own few steps: by
turn 100 that rebuild was the largest share of a turn (`make profile`). This
policy hands RulePolicy a copy of the latest turns instead, starting from the
slots and the active form as they stood where the copy begins, so every step a
rule can look at is the same state as in the whole conversation.

A rule marked `conversation_start` would see every copy as a start, so the
rules use none (tests/test_rasa_plugins.py checks both the states and that).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, ActiveLoop, AllSlotsReset, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

# Never fewer turns than this, whatever the rules' length: a margin that costs
# little and keeps short conversations (and training) on the untouched path.
MIN_TURNS = 8


def window_start(events: Sequence[Event], turns: int) -> int:
    """Index of the `action_listen` before the `turns`-th last user message,
    or 0 when the conversation is not longer than that."""
    seen = 0
    for index in range(len(events) - 1, 0, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            listen = events[index - 1]
            if seen == turns and isinstance(listen, ActionExecuted) and listen.action_name == ACTION_LISTEN_NAME:
                return index - 1
    return 0


def state_before(events: Sequence[Event]) -> List[Event]:
    """Events that set the slots and the active form as `events` left them."""
    slots: Dict[str, Any] = {}
    loop: str | None = None
    for event in events:
        if isinstance(event, SlotSet):
            slots[event.key] = event.value
        elif isinstance(event, AllSlotsReset):
            slots = {}
        elif isinstance(event, ActiveLoop):
            loop = event.name
    restored: List[Event] = [SlotSet(key, value) for key, value in slots.items()]
    return restored + ([ActiveLoop(loop)] if loop else [])


def recent(tracker: DialogueStateTracker, domain: Domain, turns: int) -> DialogueStateTracker:
    """`tracker` itself when short, else a copy holding its last `turns` turns."""
    applied = tracker.applied_events()
    start = window_start(applied, turns)
    if start == 0:
        return tracker
    return DialogueStateTracker.from_events(
        tracker.sender_id, state_before(applied[:start]) + applied[start:], slots=domain.slots
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentRulePolicy(RulePolicy):
    def window_turns(self) -> int | None:
        """Turns a copy must hold: more than the longest rule has steps
        (every turn is at least two steps). None before the rules are known."""
        keys = [*self.lookup.get(RULES, {}), *self.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
        if not keys:
            return None
        return max(MIN_TURNS, max(len(json.loads(key)) for key in keys) + 1)

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Dict[str, Any] | None = None,
    ) -> List[State]:
        turns = self.window_turns()
        if turns is not None:
            tracker = recent(tracker, domain, turns)
        return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
