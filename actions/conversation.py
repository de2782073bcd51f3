"""Yes/no answers and messages the NLU could not place."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaited, awaiting, current_muscle, kb, latest_intent, send, slot_list
from actions.release import ActionTriedAlready
from actions.symptoms import suggest_muscles, symptom_ranking
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.safety import says_not_that


class ActionYesNo(Action):
    def name(self) -> str:
        return "action_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        intent = latest_intent(tracker)
        current = awaited(tracker)
        if current is Awaiting.progress:
            return await self.progress(dispatcher, tracker, domain, better=intent == "affirm")
        if current is Awaiting.red_flag:
            return await self.after_red_flag(dispatcher, tracker, domain, intent)
        send(dispatcher, [replies.yes_no_reply(current, affirmed=intent == "affirm")])
        return [awaiting(None)]

    async def after_red_flag(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], intent: str | None
    ) -> List[EventType]:
        """"It's not that": when the same message goes on to describe the
        pain ("it's not that, it's just my hamstrings"), answer that too."""
        text = tracker.latest_message.get("text") or ""
        affirmed = intent == "affirm" and not says_not_that(text)
        alone = None if affirmed else symptom_ranking(tracker)
        if alone:
            dispatcher.utter_message(text=replies.NOT_THAT_THEN)
            return await suggest_muscles(dispatcher, tracker, alone)
        send(dispatcher, [replies.yes_no_reply(Awaiting.red_flag, affirmed=affirmed)])
        return [awaiting(None)]


    async def progress(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], better: bool
    ) -> List[EventType]:
        """The answer to the welcome-back question: rated against the method
        last offered; a method that didn't help goes into `tried`."""
        muscle = current_muscle(tracker)
        method = muscle and replies.last_method(kb(), muscle, slot_list(tracker, "tools"), slot_list(tracker, "tried"))
        ratings = slot_list(tracker, "method_ratings")
        if method:
            ratings = [*ratings, f"{method}={'better' if better else 'not_better'}"]
        events: List[EventType] = [awaiting(None), SlotSet("method_ratings", ratings)]
        if better:
            send(dispatcher, [replies.progress_better(muscle)])
            return events
        return [*events, *await ActionTriedAlready().run(dispatcher, tracker, domain)]


class ActionFallback(Action):
    """Low NLU confidence: still answer when the words describe a symptom."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        alone = symptom_ranking(tracker)
        if alone:
            return await suggest_muscles(dispatcher, tracker, alone)
        send(dispatcher, [replies.not_understood()])
        return []
