"""A dialogue policy that puts safety ahead of everything else.

Intent classification can miss or mislabel an alarming message ("my glutes
are tight and I've been wetting myself"), so red-flag triage runs on the raw
text of every user turn, whatever the intent. The same goes for the answers
to the screening question and to the urgent reply: "none of these", "I'm on
warfarin" or "it's not that, it's just..." are read by pure functions
(assistant/screening.py, assistant/safety.py), not left to an intent model
that was never trained on them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.awaiting import Awaiting
from assistant.diary.rating import asks_to_stop, confirmation, parse_rating
from assistant.diary.reminders import Schedule, read_request
from assistant.misheard import from_metadata
from assistant.safety import Triage, says_not_that
from assistant.safety_session import corrects_red_flag, earlier_texts, latest_said, turn_triage, yes_or_no
from assistant.screening import default_screening, screening_answer
from assistant.understand import WARM_UP, describes_pain, read

ACTION_RED_FLAG = "action_red_flag"
ACTION_RED_FLAG_CHECK = "action_red_flag_check"
ACTION_SCREENING_ANSWER = "action_screening_answer"
ACTION_NOT_THAT = "action_yes_no"
# After these the assistant always waits for the person (the yes/no action
# ends its rules too, and may itself have answered a symptom in the message).
ACTION_SUGGEST_MUSCLES = "action_suggest_muscles"
ACTION_PAIN_RATING = "action_pain_rating"
ACTION_STOP_ASKING = "action_stop_asking"
ACTION_REMINDER = "action_reminder"
ANSWERS_THEN_LISTEN = (
    ACTION_RED_FLAG, ACTION_RED_FLAG_CHECK, ACTION_SCREENING_ANSWER, ACTION_NOT_THAT, ACTION_SUGGEST_MUSCLES,
    ACTION_PAIN_RATING, ACTION_STOP_ASKING, ACTION_REMINDER,
)


def rating_action(text: str, awaiting: str | None) -> str | None:
    """The pain diary's question gets its answer only when the message is one
    (a score, a relative word, a yes to the number proposed, or "stop asking
    me"); anything else is read as a new message. A red flag never reaches
    here: it is answered first."""
    if awaiting not in (Awaiting.rating, Awaiting.rating_confirm):
        return None
    if asks_to_stop(text):
        return ACTION_STOP_ASKING
    if awaiting == Awaiting.rating_confirm:
        return ACTION_PAIN_RATING if confirmation(text, 0) is not None else None
    # Relative words need the last score, which only the action knows: any
    # stand-in shows whether the message is a rating at all.
    return ACTION_PAIN_RATING if parse_rating(text, 0) is not None else None


def safety_action(
    text: str,
    awaiting: str | None,
    screening_region: str | None,
    screening_state: Any,
    in_form: bool = False,
    earlier: Sequence[str] = (),
    intent: str | None = None,
    misheard: Triage | None = None,
    reminder: Any = None,
) -> str | None:
    """The action safety demands for this user message, if any: the urgent
    reply (for this message, or for it with the earlier ones), the answer to
    the yes/no red-flag question, or that question. Inside a form (the
    root-cause check-up) a "yes" answers the form's question instead, but a
    red flag a voice channel may have misheard (`misheard`) is asked about
    there too. Words about check-in reminders ("remind me every evening at
    8", "make it 9 instead" while one is set) go to the reminder action."""
    result = turn_triage(text, () if corrects_red_flag(awaiting, text) else earlier)
    if result.flagged:
        return ACTION_RED_FLAG
    answer = yes_or_no(text) if awaiting == Awaiting.red_flag_check else None
    if answer is not None:
        return ACTION_RED_FLAG if answer else ACTION_NOT_THAT
    if misheard is not None:
        return ACTION_RED_FLAG_CHECK
    if in_form:
        return None
    if result.check:
        return ACTION_RED_FLAG_CHECK
    screening = default_screening()
    if awaiting == Awaiting.screening and screening_answer(screening, screening_state, screening_region or "", text) is not None:
        return ACTION_SCREENING_ANSWER
    if awaiting == Awaiting.red_flag and says_not_that(text):
        return ACTION_NOT_THAT
    if awaiting == Awaiting.lift_red_flag:
        # Anything but a clear yes keeps the red flag (action_yes_no says so).
        return ACTION_NOT_THAT
    rating = rating_action(text, awaiting)
    if rating:
        return rating
    if read_request(text, Schedule.from_dict(reminder)) is not None:
        return ACTION_REMINDER
    if describes_pain(intent, text):
        # A description of pain is answered as one, whatever the intent
        # classifier made of it: never "outside what I know".
        return ACTION_SUGGEST_MUSCLES
    return None


def session_texts(tracker: DialogueStateTracker) -> List[Tuple[str | None, float | None]]:
    """(text, time) of the person's latest messages in the current session."""
    return latest_said(
        (event.type_name, event.text if isinstance(event, UserUttered) else None, event.timestamp) for event in reversed(tracker.events)
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Rasa 3.6's RulePolicy has priority 4 (RULE_POLICY_PRIORITY); a rule
        # and this policy both predict with confidence 1.0, so the higher
        # priority decides: no rule answers a red flag with tips.
        return {"priority": 7}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> SafetyPolicy:
        policy = super().load(*args, **kwargs)
        # Every message is read here first. The first reading loads spaCy's
        # ConText (2-3 s): done while the server starts, so the first
        # person's turn is not the one to pay for it past the turn deadline.
        read(WARM_UP)
        return policy

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name == ACTION_LISTEN_NAME:
            action = safety_action(
                tracker.latest_message.text or "",
                tracker.get_slot("awaiting"),
                tracker.get_slot("screening_region"),
                tracker.get_slot("screening"),
                in_form=bool(tracker.active_loop_name),
                earlier=earlier_texts(session_texts(tracker), tracker.get_slot("lifted_at")),
                intent=(tracker.latest_message.intent or {}).get("name"),
                misheard=from_metadata(tracker.latest_message.metadata),
                reminder=tracker.get_slot("reminder"),
            )
            if action:
                probabilities[domain.index_for_action(action)] = 1.0
        elif tracker.latest_action_name in ANSWERS_THEN_LISTEN:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
