"""Helpers shared by the actions: reading the tracker, sending messages."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant import understand
from assistant.awaiting import Awaiting
from assistant.features import Features, default_extractor
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.knowledge.schema import Muscle
from assistant.reading.reading import Reading


def kb() -> Knowledge:
    return default_knowledge()


def reading(tracker: Tracker) -> Reading:
    """The latest message as read by the Rasa server, which sends its reading
    with the action call (assistant/nlp/lean_actions.py): one reading per
    message, and no spaCy in this process. Rasa as shipped sends none; then
    the message is read here."""
    sent = tracker.latest_message.get("reading")
    if isinstance(sent, dict):
        return Reading.from_dict(sent)
    return understand.read(tracker.latest_message.get("text") or "")


def message_features(tracker: Tracker) -> Features:
    """Features of the latest message: our own matcher over the text, plus
    whatever the trained extractor found (button payloads carry KB ids)."""
    extractor = default_extractor()
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    if text.startswith("/"):
        return extractor.from_entities(entities, text)
    # The entity extractors know no negation: what the reading leaves out
    # ("no numbness", "years ago in my groin") is left out of theirs too.
    read = reading(tracker)
    left_out = [(f.start, f.end) for f in extractor.left_out(read)]
    told = [e for e in entities if not any(a < int(e.get("end") or 0) and int(e.get("start") or 0) < b for a, b in left_out)]
    return extractor.from_entities(told, text).merged(extractor.features(read))


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def awaited(tracker: Tracker) -> Awaiting | None:
    """The question the latest message may answer."""
    return Awaiting.of(tracker.get_slot("awaiting"))


def awaiting(state: Awaiting | None) -> SlotSet:
    """The slot event for the question now open (None: none); the slot holds the plain name."""
    return SlotSet("awaiting", state.value if state else None)


def slot_list(tracker: Tracker, name: str) -> List[str]:
    value = tracker.get_slot(name)
    return [str(v) for v in value] if isinstance(value, list) else []


def current_muscle(tracker: Tracker, features: Features | None = None) -> Muscle | None:
    """The muscle the person is asking about: named now, else the one in
    focus. A group named now ("my hamstrings") keeps the focus only when the
    muscle in focus belongs to it; otherwise there is no muscle yet, and the
    caller ranks the group's members."""
    if features and features.muscles:
        return kb().muscles[next(iter(features.muscles))]
    ident = tracker.get_slot("current_muscle")
    if features and features.groups and not any(ident in kb().group_members[g] for g in features.groups):
        return None
    return kb().muscles.get(ident) if ident else None


def send(dispatcher: CollectingDispatcher, messages: Sequence[Dict[str, Any]]) -> None:
    for message in messages:
        dispatcher.utter_message(
            text=message.get("text"),
            buttons=message.get("buttons") or [],
            json_message=message.get("custom"),
            image=message.get("image"),
        )
