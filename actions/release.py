"""Follow-ups about releasing: how, with what, what next, it didn't work."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import current_muscle, kb, message_features, reading, send, slot_list
from actions.diary import ask_rating
from actions.screening import gate
from actions.symptoms import corrected, suggest_muscles, symptom_ranking
from assistant import replies
from assistant.features import Features, default_extractor
from assistant.matching import Status, Suggestion, default_matcher

ASK_WHERE = "Tell me where it hurts and what it feels like first, and I'll find the muscle to work on."


async def suggest_or_ask_where(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], opening: str = ""
) -> List[EventType]:
    """No muscle in focus yet: a message that describes a symptom gets the
    suggestions, anything else the question where it hurts."""
    alone = symptom_ranking(tracker)
    if alone:
        return await suggest_muscles(dispatcher, tracker, alone)
    dispatcher.utter_message(text=opening + ASK_WHERE)
    return []


class ActionRelease(Action):
    def name(self) -> str:
        return "action_release"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        features = message_features(tracker)
        muscle = current_muscle(tracker, features)
        if muscle is None:
            return await suggest_or_ask_where(dispatcher, tracker, domain)
        tools = list(features.tools) or slot_list(tracker, "tools")
        events: List[EventType] = [SlotSet("current_muscle", muscle.id), SlotSet("tools", tools)]
        screen = gate(tracker, muscle)
        if screen:
            send(dispatcher, screen.messages)
            return [*events, *screen.events]
        send(dispatcher, [replies.release_message(kb(), muscle, tools, slot_list(tracker, "tried"))])
        return [*events, *ask_rating(dispatcher, tracker, muscle)]


class ActionSetTools(Action):
    def name(self) -> str:
        return "action_set_tools"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        features = message_features(tracker)
        have, lacking = default_extractor().tool_mentions(reading(tracker)) if not text.startswith("/") else (list(features.tools), [])
        # A bar or a massage gun is never kept as a tool: the person hears why, once, here.
        have, why_not = replies.set_aside(have)
        for text_why in why_not:
            dispatcher.utter_message(text=text_why)
        if not have and not lacking:
            send(dispatcher, [replies.ask_tools(kb())])
            return []
        tools = have or [t for t in slot_list(tracker, "tools") if t not in lacking] or replies.ALWAYS_AT_HAND
        muscle = current_muscle(tracker, features)
        noted = f"Got it, I'll stick to {replies.tool_names(kb(), tools)}."
        if muscle is None:
            return [*await suggest_or_ask_where(dispatcher, tracker, domain, opening=noted + " "), SlotSet("tools", tools)]
        screen = gate(tracker, muscle)
        if screen:
            send(dispatcher, [{"text": noted}, *screen.messages])
            return [SlotSet("tools", tools), *screen.events]
        send(dispatcher, [replies.release_message(kb(), muscle, tools, slot_list(tracker, "tried"))])
        return [SlotSet("tools", tools), *ask_rating(dispatcher, tracker, muscle)]


def _suggestions(tracker: Tracker) -> Tuple[Suggestion, ...]:
    result = default_matcher().rank(Features.from_dict(tracker.get_slot("features")), limit=5)
    return result.suggestions if result.status is Status.ok else ()


def _next_muscle_id(tracker: Tracker, after: str | None) -> str | None:
    ids = slot_list(tracker, "suggested_muscles")
    if after in ids and ids.index(after) + 1 < len(ids):
        return ids[ids.index(after) + 1]
    return None


class ActionMore(Action):
    def name(self) -> str:
        return "action_more"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        fixed = await corrected(dispatcher, tracker)
        if fixed is not None:
            return fixed
        suggestions = _suggestions(tracker)
        if not suggestions:
            return await suggest_or_ask_where(dispatcher, tracker, domain)
        ordinal = next(tracker.get_latest_entity_values("ordinal"), None)
        ids = [s.muscle_id for s in suggestions]
        current = tracker.get_slot("current_muscle")
        if ordinal and str(ordinal).isdigit():
            index = int(ordinal) - 1
        else:
            index = ids.index(current) + 1 if current in ids else 1
        if index >= len(suggestions) or index < 0:
            dispatcher.utter_message(
                text="That's all the likely candidates I have for what you described. Tell me more (how it feels, what sets it off) and I can look again."
            )
            return []
        suggestion = suggestions[index]
        muscle = kb().muscles[suggestion.muscle_id]
        number = replies.ORDINALS.get(index + 1, f"number {index + 1}")
        intro = {"text": f"The {number} candidate: {replies.why_line(kb(), suggestion)}"}
        events: List[EventType] = [SlotSet("current_muscle", muscle.id), SlotSet("suggested_muscles", ids)]
        screen = gate(tracker, muscle)
        if screen:
            send(dispatcher, [intro, *screen.messages])
            return [*events, *screen.events]
        send(dispatcher, [intro, replies.release_message(kb(), muscle, slot_list(tracker, "tools"), slot_list(tracker, "tried"))])
        return [*events, *ask_rating(dispatcher, tracker, muscle)]


class ActionTriedAlready(Action):
    def name(self) -> str:
        return "action_tried_already"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        muscle = current_muscle(tracker)
        if muscle is None:
            return await suggest_or_ask_where(dispatcher, tracker, domain, opening="Sorry it didn't help. ")
        tools, tried = slot_list(tracker, "tools"), slot_list(tracker, "tried")
        offered = replies.choose_method(kb(), muscle, tools, tried)
        if offered:
            tried = [*tried, f"{muscle.id}:{offered[0].tool}"]
        rounds = int(tracker.get_slot("failed_rounds") or 0) + 1
        focus = muscle
        if rounds < 2 and not replies.choose_method(kb(), muscle, tools, tried):
            next_id = _next_muscle_id(tracker, muscle.id)
            focus = kb().muscles[next_id] if next_id else muscle
        events: List[EventType] = [SlotSet("tried", tried), SlotSet("failed_rounds", float(rounds)), SlotSet("current_muscle", focus.id)]
        screen = gate(tracker, focus) if rounds < 2 else None
        if screen:
            send(dispatcher, screen.messages)
            return [*events, *screen.events]
        send(dispatcher, replies.tried_reply(kb(), muscle, focus if focus is not muscle else None, tools, tried, rounds))
        return [*events, *ask_rating(dispatcher, tracker, focus)]
