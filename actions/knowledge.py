"""Questions about a muscle and about why trigger points come back."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import current_muscle, kb, message_features, send, slot_list
from assistant import replies


class ActionMuscleInfo(Action):
    def name(self) -> str:
        return "action_muscle_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        muscle = current_muscle(tracker, message_features(tracker))
        if muscle is None:
            dispatcher.utter_message(
                text="Which muscle would you like to know about? You can use everyday names too, like \u201cTFL\u201d, \u201cinner quad\u201d or \u201cpsoas\u201d."
            )
            return []
        send(dispatcher, replies.muscle_info(kb(), muscle))
        return [SlotSet("current_muscle", muscle.id)]


class ActionRootCause(Action):
    def name(self) -> str:
        return "action_root_cause"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        named = current_muscle(tracker, message_features(tracker))
        ids = slot_list(tracker, "suggested_muscles")
        muscles = [named] if named else []
        muscles += [kb().muscles[i] for i in ids if i in kb().muscles and (not named or i != named.id)]
        send(dispatcher, [replies.root_cause_reply(kb(), muscles)])
        return []
