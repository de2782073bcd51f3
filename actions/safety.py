"""The urgent-care reply for red-flag symptoms (chosen by SafetyPolicy)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaiting, send
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.understand import triage


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        send(dispatcher, replies.red_flag_reply(triage(tracker.latest_message.get("text") or "")))
        events: List[EventType] = [awaiting(Awaiting.red_flag)]
        if tracker.active_loop_name:
            # A red flag interrupts a form (the check-up): no more questions.
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events
