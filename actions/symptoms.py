"""Symptom description -> likely muscles, or a clarifying question."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import kb, message_features, send, slot_list
from actions.screening import gate
from assistant import replies
from assistant.features import Features
from assistant.matching import Status, default_matcher, has_detail

CLARIFYING = ("area", "sub_area", "sensation")


def describes_symptom(tracker: Tracker) -> bool:
    """Does the latest message alone say enough to suggest muscles?"""
    return default_matcher().rank(message_features(tracker)).status is Status.ok


class ActionSuggestMuscles(Action):
    def name(self) -> str:
        return "action_suggest_muscles"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        features = message_features(tracker)
        if tracker.get_slot("awaiting") in CLARIFYING:
            features = features.merged(Features.from_dict(tracker.get_slot("features")))
        result = default_matcher().rank(features)
        remember = SlotSet("features", features.to_dict())

        if result.status is Status.generic_area:
            send(dispatcher, [replies.clarify_area(kb(), result.generic_area)])
            return [remember, SlotSet("awaiting", "sub_area")]
        if result.status is Status.out_of_region:
            dispatcher.utter_message(text=replies.OUT_OF_REGION)
            return [SlotSet("awaiting", None)]
        if result.status is Status.vague:
            send(dispatcher, [replies.clarify_area(kb(), None)])
            return [remember, SlotSet("awaiting", "area")]
        if result.parts and tracker.get_slot("awaiting") not in CLARIFYING:
            send(dispatcher, [replies.clarify_group_part(kb(), result)])
            return [remember, SlotSet("awaiting", "sub_area")]
        if result.ambiguous and not has_detail(features) and tracker.get_slot("awaiting") != "sensation":
            send(dispatcher, [replies.clarify_sensation(kb())])
            return [remember, SlotSet("awaiting", "sensation")]

        ids = [s.muscle_id for s in result.suggestions]
        found = [remember, SlotSet("suggested_muscles", ids), SlotSet("current_muscle", ids[0]), SlotSet("failed_rounds", 0.0)]
        # The release steps wait until the screening for this region is answered.
        screen = gate(tracker, kb().muscles[ids[0]])
        if screen:
            send(dispatcher, [*replies.suggestion_messages(kb(), result, features), *screen.messages])
            return [*found, SlotSet("awaiting", None), *screen.events]
        show_disclaimer = not tracker.get_slot("disclaimer_shown")
        send(
            dispatcher,
            replies.symptom_reply(
                kb(), result, features, slot_list(tracker, "tools"), slot_list(tracker, "tried"), show_disclaimer
            ),
        )
        return [*found, SlotSet("awaiting", None), SlotSet("disclaimer_shown", True)]
