"""Yes/no answers and messages the NLU could not place."""

from __future__ import annotations

import re
import time
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaited, awaiting, current_muscle, kb, latest_intent, message_features, send, slot_list
from actions.diary import ask_rating
from actions.release import ActionTriedAlready
from actions.symptoms import corrected, suggest_muscles, symptom_ranking
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.features import Features
from assistant.matching import default_matcher
from assistant.safety import says_not_that
from assistant.safety_session import yes_or_no

# "Maybe", "I might": the red flag stays.
_UNSURE = re.compile(r"\b(?:maybe|might|not sure|possibly|perhaps|dunno|don'?t know)\b")


class ActionYesNo(Action):
    def name(self) -> str:
        return "action_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        intent = latest_intent(tracker)
        current = awaited(tracker)
        if current in (Awaiting.rating, Awaiting.rating_confirm):
            # A real answer to the pain question went to action_pain_rating
            # (SafetyPolicy): this yes or no answers nothing.
            current = None
        if current is None:
            fixed = await corrected(dispatcher, tracker)
            if fixed is not None:
                return fixed
        if current is Awaiting.progress:
            return await self.progress(dispatcher, tracker, domain, better=intent == "affirm")
        if current is Awaiting.red_flag:
            return await self.after_red_flag(dispatcher, tracker, intent)
        if current is Awaiting.lift_red_flag:
            return await self.lift_red_flag(dispatcher, tracker)
        if current is Awaiting.red_flag_check:
            # A "yes" went to the urgent reply (SafetyPolicy): this is a no.
            dispatcher.utter_message(text="Thanks, that's good to know.")
            return [SlotSet("check_rule", None), *await self.described_before(dispatcher, tracker)]
        # "No fever, no numbness, my lower back is just sore" starts with a no
        # but describes pain: it is answered as a description.
        alone = symptom_ranking(tracker)
        if alone:
            return await suggest_muscles(dispatcher, tracker, alone)
        send(dispatcher, [replies.yes_no_reply(current, affirmed=intent == "affirm")])
        return [awaiting(None)]

    async def after_red_flag(self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None) -> List[EventType]:
        """"It's not that" is confirmed once before a red flag is set aside;
        what else the message described ("...it's just my hamstrings") is
        kept for after the answer."""
        text = tracker.latest_message.get("text") or ""
        correcting = says_not_that(text) or (intent == "deny" and not text.startswith("/affirm"))
        raised = slot_list(tracker, "red_flags")
        if correcting and raised:
            send(dispatcher, [replies.confirm_lift(raised[-1])])
            return [awaiting(Awaiting.lift_red_flag), SlotSet("features", message_features(tracker).to_dict())]
        alone = symptom_ranking(tracker) if correcting else None
        if alone:  # someone else's red flag: the writer's own pain may be answered
            dispatcher.utter_message(text=replies.NOT_THAT_THEN)
            return await suggest_muscles(dispatcher, tracker, alone)
        send(dispatcher, [replies.yes_no_reply(Awaiting.red_flag, affirmed=not correcting and intent == "affirm")])
        return [awaiting(None)]

    async def lift_red_flag(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        answer = False if _UNSURE.search(text.lower()) else yes_or_no(text)
        if answer is None:
            # Neither yes nor no: the question is asked again, the red flag stands.
            raised = slot_list(tracker, "red_flags")
            send(dispatcher, [replies.confirm_lift(raised[-1] if raised else "")])
            return [awaiting(Awaiting.lift_red_flag)]
        if not answer:
            send(dispatcher, [replies.yes_no_reply(Awaiting.red_flag, affirmed=True)])
            return [awaiting(Awaiting.red_flag)]
        dispatcher.utter_message(text=replies.NOT_THAT_THEN)
        # Set aside for what follows in this turn too, not only once the events apply.
        tracker.slots["red_flags"] = []
        lifted = [SlotSet("red_flags", []), SlotSet("lifted_at", time.time())]
        return [*lifted, *await self.described_before(dispatcher, tracker)]

    async def described_before(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Answer what the message before the question described, or ask where it hurts."""
        features = Features.from_dict(tracker.get_slot("features"))
        if features.to_dict():
            return await suggest_muscles(dispatcher, tracker, (features, default_matcher().rank(features)))
        send(dispatcher, [replies.yes_no_reply(Awaiting.red_flag, affirmed=False)])
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
            return [*events, *ask_rating(dispatcher, tracker, muscle)]
        return [*events, *await ActionTriedAlready().run(dispatcher, tracker, domain)]


class ActionFallback(Action):
    """Low NLU confidence: still answer when the words describe a symptom."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        fixed = await corrected(dispatcher, tracker)
        if fixed is not None:
            return fixed
        alone = symptom_ranking(tracker)
        if alone:
            return await suggest_muscles(dispatcher, tracker, alone)
        send(dispatcher, [replies.not_understood()])
        return []
