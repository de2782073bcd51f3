"""Symptom description -> likely muscles, or a clarifying question."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaited, awaiting, kb, message_features, send, slot_list
from actions.diary import ask_rating
from actions.screening import gate
from assistant import replies
from assistant.awaiting import CLARIFYING, Awaiting
from assistant.corrections import direction, refines, rejects
from assistant.features import Features, default_extractor
from assistant.matching import MatchResult, Status, default_matcher, has_detail

Ranking = Tuple[Features, MatchResult]


def symptom_ranking(tracker: Tracker) -> Ranking | None:
    """The latest message ranked alone, when it says enough to suggest muscles."""
    features = message_features(tracker)
    result = default_matcher().rank(features)
    return (features, result) if result.status is Status.ok else None


def _ranking(tracker: Tracker, alone: Ranking | None) -> Ranking:
    """An answer to a clarifying question adds to what was said before;
    any other message is ranked as it stands (`alone`, when done already)."""
    clarifying = awaited(tracker) in CLARIFYING
    if alone and not clarifying:
        return alone
    features = message_features(tracker)
    if clarifying:
        features = features.merged(Features.from_dict(tracker.get_slot("features")))
    return features, default_matcher().rank(features)


async def suggest_muscles(dispatcher: CollectingDispatcher, tracker: Tracker, alone: Ranking | None = None) -> List[EventType]:
    features, result = _ranking(tracker, alone)
    remember = SlotSet("features", features.to_dict())

    if result.status is Status.generic_area:
        send(dispatcher, [replies.clarify_area(kb(), result.generic_area)])
        return [remember, awaiting(Awaiting.sub_area)]
    if result.status is Status.out_of_region:
        dispatcher.utter_message(text=replies.out_of_region(kb()))
        return [awaiting(None)]
    if result.status is Status.vague:
        send(dispatcher, [replies.clarify_area(kb(), None)])
        return [remember, awaiting(Awaiting.area)]
    if result.parts and awaited(tracker) not in CLARIFYING:
        send(dispatcher, [replies.clarify_group_part(kb(), result)])
        return [remember, awaiting(Awaiting.sub_area)]
    if result.ambiguous and not has_detail(features) and awaited(tracker) is not Awaiting.sensation:
        send(dispatcher, [replies.clarify_sensation(kb())])
        return [remember, awaiting(Awaiting.sensation)]

    ids = [s.muscle_id for s in result.suggestions]
    found = [remember, SlotSet("suggested_muscles", ids), SlotSet("current_muscle", ids[0]), SlotSet("failed_rounds", 0.0)]
    # The release steps wait until the screening for this region is answered.
    screen = gate(tracker, kb().muscles[ids[0]])
    if screen:
        send(dispatcher, [*replies.suggestion_messages(kb(), result, features), *screen.messages])
        return [*found, awaiting(None), *screen.events]
    show_disclaimer = not tracker.get_slot("disclaimer_shown")
    send(
        dispatcher,
        replies.symptom_reply(kb(), result, features, slot_list(tracker, "tools"), slot_list(tracker, "tried"), show_disclaimer),
    )
    return [*found, awaiting(None), SlotSet("disclaimer_shown", True), *ask_rating(dispatcher, tracker, kb().muscles[ids[0]])]


class ActionSuggestMuscles(Action):
    def name(self) -> str:
        return "action_suggest_muscles"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        return await corrected(dispatcher, tracker) or await suggest_muscles(dispatcher, tracker)


def refined_ranking(tracker: Tracker) -> Ranking | None:
    """ "Actually it's more on the outside", "lower down, just above the
    Achilles": the complaint in focus moved, its feel and triggers kept."""
    text = tracker.latest_message.get("text") or ""
    before = Features.from_dict(tracker.get_slot("features"))
    if not refines(text) or not before.areas:
        return None
    now = message_features(tracker)
    side = direction(text)
    areas = dict(now.areas) or (default_extractor().toward(before.areas, side) if side else {})
    if not areas:
        return None
    features = Features(areas=areas, side=now.side or before.side, stems=before.stems + now.stems)
    for kind in ("sensations", "activities", "conditions"):
        for ident, words in [*getattr(before, kind).items(), *getattr(now, kind).items()]:
            features.add(kind, ident, words)
    result = default_matcher().rank(features)
    return (features, result) if result.status is Status.ok else None


async def corrected(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType] | None:
    """The answer when the message corrects the muscle suggested or moves
    the complaint; None when it does neither."""
    refined = refined_ranking(tracker)
    if refined:
        return await suggest_muscles(dispatcher, tracker, refined)
    shown = slot_list(tracker, "suggested_muscles")
    if not rejects(tracker.latest_message.get("text") or "") or not shown:
        return None
    remaining = [m for m in shown if m != tracker.get_slot("current_muscle")]
    send(dispatcher, [replies.correction_reply(kb(), remaining[0] if remaining else None)])
    return [SlotSet("suggested_muscles", remaining), SlotSet("current_muscle", remaining[0] if remaining else None), awaiting(None)]
