"""Check-in reminders (Telegram): set, change or stop them in words, and the
check-in a reminder opens. The schedule lives in the `reminder` slot; the
tracker store mirrors it into the scheduler's table in the same database
(assistant/nlp/reminder_jobs.py), which fires it and erases it with the
conversation."""

from __future__ import annotations

import os
import time
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaiting, current_muscle, send, slot_list
from actions.diary import region_name, region_of
from assistant.awaiting import Awaiting
from assistant.diary import entries as diary
from assistant.diary import messages
from assistant.diary.reminders import DEFAULT_TIMEZONE, Schedule, read_request, when, zone_name

TELEGRAM = "telegram"


def timezone() -> str:
    """The zone reminder times are read in: Telegram tells us none."""
    return os.environ.get("REMINDER_TIMEZONE", "").strip() or DEFAULT_TIMEZONE


class ActionReminder(Action):
    def name(self) -> str:
        return "action_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        current = Schedule.from_dict(tracker.get_slot("reminder"))
        request = read_request(tracker.latest_message.get("text") or "", current, timezone())
        if request is None or request.kind == "stop":
            dispatcher.utter_message(text=messages.REMINDERS_STOPPED if current else messages.NO_REMINDERS)
            return [SlotSet("reminder", None)] if current else []
        if tracker.get_latest_input_channel() != TELEGRAM:
            dispatcher.utter_message(text=messages.REMINDERS_TELEGRAM_ONLY)
            return []
        if request.kind == "quiet" or request.schedule is None:
            dispatcher.utter_message(text=messages.QUIET_HOURS)
            return []
        schedule = request.schedule
        send(dispatcher, [messages.reminder_set(when(schedule), zone_name(schedule.timezone), changed=current is not None)])
        return [SlotSet("reminder", schedule.to_dict())]


class ActionCheckIn(Action):
    """What a reminder says when it falls due (run by the server's scheduler,
    not by a message): the 0-10 question for the complaint in focus."""

    def name(self) -> str:
        return "action_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if slot_list(tracker, "red_flags"):
            dispatcher.utter_message(text=messages.CHECK_IN_RED_FLAG)
            return []
        entries = diary.read(tracker.get_slot("pain_diary"))
        region = region_of(current_muscle(tracker)) or (entries[-1].region if entries else None)
        send(dispatcher, [messages.check_in(region_name(region) if region else None)])
        asked = f"{diary.day_of(time.time())}:{region}" if region else None
        return [awaiting(Awaiting.rating), SlotSet("rating_asked", asked)]
