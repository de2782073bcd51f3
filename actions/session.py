"""Session start with memory: slots carry over to a new session, and when
they show earlier suggestions the person is welcomed back and asked how it
went (awaiting progress: action_yes_no reads the answer)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaiting, kb, send, slot_list
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.features import Features

# Per-session state that must not outlive the session it was made in.
NOT_CARRIED = {"requested_slot", "checkup_question", "checkup_ready", "awaiting", "check_rule", "lifted_at", "rating_proposed"}


def carried_slots(tracker: Tracker) -> List[EventType]:
    return [SlotSet(k, v) for k, v in tracker.slots.items() if v is not None and k not in NOT_CARRIED]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted(), *carried_slots(tracker)]
        muscle = kb().muscles.get(tracker.get_slot("current_muscle") or "")
        if muscle and slot_list(tracker, "suggested_muscles"):
            features = Features.from_dict(tracker.get_slot("features"))
            rounds = int(tracker.get_slot("failed_rounds") or 0)
            send(dispatcher, [replies.welcome_back(kb(), muscle, features, slot_list(tracker, "tools"), slot_list(tracker, "tried"), rounds)])
            events.append(awaiting(Awaiting.progress))
        events.append(ActionExecuted("action_listen"))
        return events
