"""Yes/no answers and messages the NLU could not place."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import message_features, send
from actions.symptoms import ActionSuggestMuscles
from assistant import replies
from assistant.matching import Status, default_matcher


class ActionYesNo(Action):
    def name(self) -> str:
        return "action_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        send(dispatcher, [replies.yes_no_reply(tracker.get_slot("awaiting"), affirmed=intent == "affirm")])
        return [SlotSet("awaiting", None)]


class ActionFallback(ActionSuggestMuscles):
    """Low NLU confidence: still answer when the words describe a symptom."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        result = default_matcher().rank(message_features(tracker))
        if result.status is Status.ok:
            return await super().run(dispatcher, tracker, domain)
        send(dispatcher, [replies.not_understood()])
        return []
