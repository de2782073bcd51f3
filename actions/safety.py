"""The urgent-care reply for red-flag symptoms and the one yes/no question
about a sign only asked about or doubted (both chosen by SafetyPolicy)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaiting, message_features, send, slot_list
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.misheard import from_metadata
from assistant.safety import Triage
from assistant.safety_session import latest_said, session_triage


def session_texts(tracker: Tracker) -> List[tuple]:
    """(text, time) of the person's latest messages in the current session,
    as the action server sees them (the turn, after a few earlier messages)."""
    return latest_said((e.get("event"), e.get("text"), e.get("timestamp")) for e in reversed(tracker.events))


def latest_metadata(tracker: Tracker) -> Dict[str, Any] | None:
    """The metadata the channel sent with the latest message."""
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return (latest or {}).get("metadata")


def this_turn(tracker: Tracker) -> Triage:
    """The triage SafetyPolicy acted on: a yes to the red-flag question, or
    the latest message read with the earlier ones, or else a red flag a
    voice channel may have misheard in it. The Rasa server sends the turn's
    triage with the action call; Rasa as shipped does not, and then it is
    worked out here from the same events."""
    sent = tracker.latest_message.get("turn_triage")
    if isinstance(sent, dict):
        result = Triage(**sent)
    else:
        check_rule = tracker.get_slot("check_rule")
        result = session_triage(
            tracker.latest_message.get("text") or "",
            tracker.get_slot("awaiting"),
            str(check_rule) if check_rule else None,
            session_texts(tracker),
            tracker.get_slot("lifted_at"),
        )
    if result.flagged:
        return result
    return from_metadata(latest_metadata(tracker)) or result


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        result = this_turn(tracker)
        send(dispatcher, replies.red_flag_reply(result))
        raised = [r for r in slot_list(tracker, "red_flags") if r != result.rule_id]
        events: List[EventType] = [awaiting(Awaiting.red_flag), SlotSet("check_rule", None)]
        if result.rule_id and not result.person:
            # Someone else's red flag is theirs to act on: the writer's own steps stay open.
            events.append(SlotSet("red_flags", [*raised, result.rule_id]))
        if tracker.active_loop_name:
            # A red flag interrupts a form (the check-up): no more questions.
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events


class ActionRedFlagCheck(Action):
    def name(self) -> str:
        return "action_red_flag_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        result = this_turn(tracker)
        heard = from_metadata(latest_metadata(tracker)) == result
        send(dispatcher, [replies.misheard_question(result) if heard else replies.check_question(result)])
        # What the message described is answered after a "no".
        events: List[EventType] = [
            awaiting(Awaiting.red_flag_check),
            SlotSet("check_rule", result.check),
            SlotSet("features", message_features(tracker).to_dict()),
        ]
        if tracker.active_loop_name:
            # A possible red flag interrupts a form (the check-up) as a sure one does.
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events
