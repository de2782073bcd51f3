"""Screening before the first release steps for a body region, and the
answers to it (logic and wording in assistant/screening.py; the answers are
routed here by SafetyPolicy whatever the intent)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaiting, kb, reading, send, slot_list
from actions.diary import ask_rating
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.features import default_extractor
from assistant.knowledge.schema import Muscle
from assistant.message import Message
from assistant.screening import Answer, Kind, Status, default_screening, entry, recorded, screening_answer, status


@dataclass
class Gate:
    """What to send instead of release steps, and the slots that go with it."""

    messages: List[Message]
    events: List[EventType] = field(default_factory=list)


def gate(tracker: Tracker, muscle: Muscle) -> Gate | None:
    """None when this muscle's region is cleared for self-treatment; else why
    not while a red flag stands, the screening question, or, when an item
    applied, its advice."""
    raised = slot_list(tracker, "red_flags")
    if raised:
        return Gate([replies.still_in_force(raised[-1])], [awaiting(Awaiting.red_flag)])
    screening = default_screening()
    region = screening.region_for(muscle.region)
    if region is None:
        return None
    state = tracker.get_slot("screening")
    current = status(state, region, time.time())
    if current is Status.cleared:
        return None
    if current is Status.blocked:
        return Gate([screening.advice_message(str(entry(state, region)["item"]))], [awaiting(None)])
    return Gate(screening.question(region), [awaiting(Awaiting.screening), SlotSet("screening_region", region)])


def steps_and_closing(tracker: Tracker, muscle: Muscle) -> List[Message]:
    """The release steps for the muscle in focus and what follows them."""
    ids = slot_list(tracker, "suggested_muscles")
    position = ids.index(muscle.id) + 1 if muscle.id in ids else len(ids)
    next_id = ids[position] if position < len(ids) else None
    next_name = kb().muscles[next_id].name if next_id in kb().muscles else None
    return [
        replies.release_message(kb(), muscle, slot_list(tracker, "tools"), slot_list(tracker, "tried")),
        replies.closing_message(kb(), muscle, next_name, not tracker.get_slot("disclaimer_shown"), position + 1),
    ]


def answer_of(tracker: Tracker, region: str) -> Answer | None:
    """The screening answer in the latest message (None: it is no answer), as
    the Rasa server read it; Rasa as shipped sends none, and then it is read here."""
    if "screening_answer" in tracker.latest_message:
        sent = tracker.latest_message["screening_answer"]
        return Answer.from_dict(sent) if isinstance(sent, dict) else None
    text = tracker.latest_message.get("text") or ""
    return screening_answer(default_screening(), tracker.get_slot("screening"), region, text)


class ActionScreeningAnswer(Action):
    def name(self) -> str:
        return "action_screening_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        screening = default_screening()
        region = str(tracker.get_slot("screening_region") or "")
        state = tracker.get_slot("screening")
        answer = answer_of(tracker, region)
        if answer is None:
            send(dispatcher, screening.question(region) if region in screening.data.regions else [])
            return []
        if answer.kind is Kind.aside:
            # Noted, and the question still waits: an age or a tool is no answer to it.
            have, why_not = replies.set_aside(default_extractor().tool_mentions(reading(tracker))[0])
            noted = f"Got it, I'll stick to {replies.tool_names(kb(), have)}." if have else "Thanks, noted."
            waits = {"text": f"{noted} Before the steps, one thing I still need to know."}
            send(dispatcher, [*({"text": why} for why in why_not), waits, *screening.question(region)])
            return [SlotSet("tools", have)] if have else []
        events: List[EventType] = [SlotSet("screening", recorded(state, region, answer, time.time()))]
        if answer.kind is Kind.yes:
            send(dispatcher, [screening.which(region)])
            return events
        if answer.kind is Kind.unsure:
            if entry(state, region).get("explained"):
                # Still waiting: "none of these" later, once they know, brings the steps.
                send(dispatcher, [screening.still_unsure(region)])
                return events
            send(dispatcher, [screening.explanations(region)])
            return events
        if answer.kind is Kind.item:
            send(dispatcher, [screening.advice_message(str(answer.item))])
            return [*events, awaiting(None)]
        muscle = kb().muscles.get(tracker.get_slot("current_muscle") or "")
        if muscle is None:
            dispatcher.utter_message(text="Thanks. Tell me where it hurts and what it feels like, and I'll find the muscle to work on.")
            return [*events, awaiting(None)]
        send(dispatcher, [{"text": "Thanks, that's good to know."}, *steps_and_closing(tracker, muscle)])
        return [*events, awaiting(None), SlotSet("disclaimer_shown", True), *ask_rating(dispatcher, tracker, muscle)]
