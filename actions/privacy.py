"""Delete-my-data: the tracker store erases the conversation after this turn."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher

from assistant import replies


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # The deletion itself happens in the tracker store when this turn is
        # saved (assistant/nlp/erasable_store.py): the action server has no
        # access to stored conversations.
        dispatcher.utter_message(text=replies.DELETED)
        # Asked in the middle of the check-up: no more questions after this.
        return [ActiveLoop(None)] if tracker.active_loop_name else []
