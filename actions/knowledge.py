"""Questions about a muscle and about why trigger points come back."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.checkup import start_events
from actions.common import current_muscle, kb, message_features, send, slot_list
from assistant import checkup, replies
from assistant.matching import default_matcher


class ActionMuscleInfo(Action):
    def name(self) -> str:
        return "action_muscle_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        features = message_features(tracker)
        muscle = current_muscle(tracker, features)
        if muscle is None:
            dispatcher.utter_message(
                text="Which muscle would you like to know about? You can use everyday names too, like \u201cTFL\u201d, \u201cinner quad\u201d or \u201cpsoas\u201d."
            )
            return []
        send(dispatcher, replies.muscle_info(kb(), muscle))
        if not features.muscles:
            return [SlotSet("current_muscle", muscle.id)]
        # A named muscle is a suggestion in its own right: the payload lets a
        # web card or a follow-up ("what about the second one") use it.
        result = default_matcher().rank(features)
        send(dispatcher, [replies.suggestions_message(kb(), result, features)])
        return [
            SlotSet("current_muscle", muscle.id),
            SlotSet("features", features.to_dict()),
            SlotSet("suggested_muscles", [s.muscle_id for s in result.suggestions]),
        ]


STOPPED = "OK, no more questions. I'm here if you want to tell me where it hurts or ask how to release a muscle."


class ActionRootCause(Action):
    def name(self) -> str:
        return "action_root_cause"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        named = current_muscle(tracker, message_features(tracker))
        ids = slot_list(tracker, "suggested_muscles")
        muscles = [named] if named else []
        muscles += [kb().muscles[i] for i in ids if i in kb().muscles and (not named or i != named.id)]
        if checkup.parse_answer(None, tracker.latest_message.get("text") or "") == "stop":
            # "stop" outside the check-up (the NLU tends to read it as this intent)
            dispatcher.utter_message(text=STOPPED)
            return [SlotSet("checkup_ready", None)]
        if muscles:
            # Muscles under discussion: the check-up form asks the questions
            # (rule "start the root-cause check-up").
            return [*start_events([m.id for m in muscles[:3]]), SlotSet("checkup_ready", True)]
        dispatcher.utter_message(text=replies.ROOT_CAUSE_GENERAL)
        return [SlotSet("checkup_ready", None)]
