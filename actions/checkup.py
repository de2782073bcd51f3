"""The root-cause check-up form: ask one question at a time, record the
answer, end with a personalised summary (logic in assistant/checkup.py)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import kb, latest_intent, reading, send, slot_list
from assistant import checkup
from assistant.safety import default_triager

FORM = "checkup_form"
QUESTION_SLOT = "checkup_question"
# Intents that leave the check-up instead of answering it.
NOT_ANSWERS = ("delete_my_data",)
NOT_AN_ANSWER = "Sorry, I didn't get that. Answer yes, no or not sure, or say skip or stop."


def start_events(muscle_ids: List[str]) -> List[EventType]:
    """Slots that set up a fresh check-up for these muscles."""
    return [
        SlotSet("checkup_muscles", muscle_ids),
        SlotSet("checkup_questions", checkup.choose_questions(kb(), muscle_ids)),
        SlotSet("checkup_answers", []),
        SlotSet(QUESTION_SLOT, None),
    ]


def _pending(tracker: Tracker) -> List[str]:
    questions = slot_list(tracker, "checkup_questions")
    return questions[len(slot_list(tracker, "checkup_answers")) :]


class ActionAskCheckupQuestion(Action):
    def name(self) -> str:
        return "action_ask_checkup_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        questions = slot_list(tracker, "checkup_questions")
        pending = _pending(tracker)
        if pending:
            number = len(questions) - len(pending) + 1
            send(dispatcher, [checkup.question_message(kb(), pending[0], number, len(questions))])
        return []


class ValidateCheckupForm(FormValidationAction):
    def name(self) -> str:
        return "validate_checkup_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        # Nothing left to ask (no questions for these muscles): the form ends at once.
        if not _pending(tracker):
            return []
        return domain_slots

    async def extract_checkup_question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != QUESTION_SLOT:
            return {}  # the form was just activated: the question is not asked yet
        text = tracker.latest_message.get("text") or ""
        intent = latest_intent(tracker)
        if default_triager().judge(reading(tracker)).flagged or intent in NOT_ANSWERS:
            return {}  # nothing extracted: the form rejects, other policies answer
        return {QUESTION_SLOT: text}

    def validate_checkup_question(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}  # reset when the check-up starts: nothing to read yet
        pending = _pending(tracker)
        if not pending:
            return {QUESTION_SLOT: "done"}
        intent = latest_intent(tracker)
        answer = checkup.parse_answer(intent, str(slot_value or ""))
        if answer is None:
            dispatcher.utter_message(text=NOT_AN_ANSWER)
            return {QUESTION_SLOT: None}
        answers = checkup.record(slot_list(tracker, "checkup_answers"), pending[0], answer)
        # Filling the requested slot ends the form; leaving it empty asks the next question.
        finished = answer == "stop" or len(pending) == 1
        return {QUESTION_SLOT: "done" if finished else None, "checkup_answers": answers}


class ActionCheckupSummary(Action):
    def name(self) -> str:
        return "action_checkup_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        send(dispatcher, [checkup.summary(kb(), slot_list(tracker, "checkup_muscles"), slot_list(tracker, "checkup_answers"))])
        return [SlotSet(QUESTION_SLOT, None), SlotSet("checkup_ready", None)]
