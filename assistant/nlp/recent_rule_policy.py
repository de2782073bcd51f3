"""Rasa's RulePolicy, looking only at the recent turns of a conversation.

Before every prediction RulePolicy rebuilds the dialogue state of every step
of the session, yet no rule looks further back than its own few steps: by
turn 100 that rebuild was the largest share of a turn (`make profile`). This
policy hands RulePolicy a copy of the latest turns instead, starting from the
slots and the active form as they stood where the copy begins, so every step a
rule can look at is the same state as in the whole conversation.

Finding where the copy begins and the slots as they stood there must not
itself read the whole conversation each time: `Windows` keeps, per
conversation, the slots at the last cut and moves the cut forward with the
conversation, reading only the events since. Where the stored events and the
applied ones can differ inside the window (a revert, a restart, a form
running: Rasa folds a form's own turns away), the full path (`recent`)
makes the copy; a conversation rebuilt since its cut is read once more.

A rule marked `conversation_start` would see every copy as a start, so the
rules use none (tests/test_recent_rule_policy.py checks both the states and
that). With RASA_STOCK=true this is Rasa's RulePolicy as shipped.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from typing import Any, Collection, Dict, List, Sequence, Tuple

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.nlp import layer

# Never fewer turns than this, whatever the rules' length: a margin that costs
# little and keeps short conversations (and training) on the untouched path.
MIN_TURNS = 8
# Conversations whose cut `Windows` remembers, least recently used out first.
REMEMBERED = 10_000
# Events that make the applied conversation differ from the stored events.
RESETS = (Restarted, SessionStarted)
REVERTS = (ActionReverted, UserUtteranceReverted)


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


def advance(slots: Dict[str, Any], loop: str | None, events: Sequence[Event]) -> Tuple[Dict[str, Any], str | None]:
    """The slots and the active form after `events`, from `slots` and `loop`."""
    for event in events:
        if isinstance(event, SlotSet):
            slots[event.key] = event.value
        elif isinstance(event, (AllSlotsReset, *RESETS)):
            slots = {}
            loop = None if isinstance(event, RESETS) else loop
        elif isinstance(event, ActiveLoop):
            loop = event.name
    return slots, loop


def restoring(slots: Dict[str, Any], loop: str | None) -> List[Event]:
    """Events that set `slots` and the active form `loop`."""
    restored: List[Event] = [SlotSet(key, value) for key, value in slots.items()]
    return restored + ([ActiveLoop(loop)] if loop else [])


def state_before(events: Sequence[Event]) -> List[Event]:
    """Events that set the slots and the active form as `events` left them."""
    return restoring(*advance({}, None, events))


def recent(tracker: DialogueStateTracker, domain: Domain, turns: int) -> DialogueStateTracker:
    """`tracker` itself when short, else a copy holding its last `turns` turns."""
    applied = tracker.applied_events()
    start = window_start(applied, turns)
    if start == 0:
        return tracker
    return DialogueStateTracker.from_events(
        tracker.sender_id, state_before(applied[:start]) + applied[start:], slots=domain.slots
    )


def tail_start(events: Sequence[Event], turns: int, forms: Collection[str]) -> int | None:
    """`window_start` on the stored events, read from the end only. None
    when the conversation is not longer than `turns` turns, or when within
    them the applied events may differ from the stored ones (a reset, a
    revert, a form at work): the full path handles those."""
    seen, later = 0, None
    for back, event in enumerate(reversed(events)):
        if isinstance(event, (*RESETS, *REVERTS, ActiveLoop, ActionExecutionRejected)) or (
            isinstance(event, ActionExecuted) and event.action_name in forms
        ):
            return None
        if isinstance(later, UserUttered):
            seen += 1
            if seen == turns:
                listens = isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME
                return len(events) - 1 - back if listens else None
        later = event
    return None


@dataclass
class Cut:
    at: int  # index in the tracker's events where the last copy began
    first: Event  # the event found there: the same object while nothing was rebuilt
    slots: Dict[str, Any]  # the slots and the form as they stood before it
    loop: str | None


class Windows:
    """`recent`, remembering per conversation where the last copy began."""

    def __init__(self) -> None:
        self.cuts: OrderedDict[str, Cut] = OrderedDict()

    def recent(self, tracker: DialogueStateTracker, domain: Domain, turns: int) -> DialogueStateTracker:
        events, sender = tracker.events, tracker.sender_id
        cut = self.cuts.pop(sender, None)
        start = tail_start(events, turns, domain.form_names)
        if start is None:
            return recent(tracker, domain, turns)
        at, slots, loop, since = 0, {}, None, None
        if cut is not None and cut.at <= start:
            since = list(islice(reversed(events), len(events) - cut.at))[::-1]
            if since and since[0] is cut.first:
                at, slots, loop = cut.at, dict(cut.slots), cut.loop
            else:
                since = None  # rebuilt or trimmed since: read it all once more
        if since is None:
            since = list(events)
        before = since[: start - at]
        if any(isinstance(event, REVERTS) for event in before):
            return recent(tracker, domain, turns)
        slots, loop = advance(slots, loop, before)
        window = since[start - at :]
        self.cuts[sender] = Cut(start, window[0], slots, loop)
        while len(self.cuts) > REMEMBERED:
            self.cuts.popitem(last=False)
        if loop is not None:
            return recent(tracker, domain, turns)  # a form began before the window and runs on
        return DialogueStateTracker.from_events(sender, restoring(slots, loop) + window, slots=domain.slots)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentRulePolicy(RulePolicy):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.windows = Windows()

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
        if turns is not None and not layer.stock():
            tracker = self.windows.recent(tracker, domain, turns)
        return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
