"""Keep the action-server round trip cheap however long the conversation.

Rasa 3.6 sends the whole session's events (and the domain) with every custom
action call, so latency grows with the length of the conversation. Our
actions read only slots and the latest message, so the call carries the
events of the current turn only. The latest message goes with this server's
reading of it and the turn's triage: the action server then needs neither
spaCy nor ConText (about 150 MB).

Rasa also checks every action-server answer with `jsonschema.validate`, which
first re-checks the (fixed) schema itself: 16% of the server's time in
`make profile`. The same check runs here with a validator built once.

The domain goes along as in Rasa: always, unless the action endpoint has
`enable_selective_domain` on, and then only to actions marked `send_domain`.
Installed at start-up by assistant/nlp/layer.py, except with RASA_STOCK=true.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from typing import Any, Dict

import rasa
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from assistant.awaiting import Awaiting
from assistant.nlp.safety_policy import session_texts
from assistant.safety_session import EARLIER, session_triage
from assistant.screening import default_screening, screening_answer
from assistant.understand import read


def current_turn_events(tracker: DialogueStateTracker) -> list:
    """Events from the latest user message on (all of them before the first
    one), serialised, after the session's few earlier user messages (safety
    reads signs told across messages). Read from the end: a long
    conversation costs no more."""
    turn: list = []
    earlier: list = []
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted) or len(earlier) == EARLIER:
            break
        if not turn or not isinstance(turn[-1], UserUttered):
            turn.append(event)
        elif isinstance(event, UserUttered):
            earlier.append(event)
    return [e.as_dict() for e in [*reversed(earlier), *reversed(turn)]]


def understood(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """What this server made of the latest message, for the actions: its
    reading, the turn's triage and, while the screening question waits, the
    answer it reads (all cached here from the policy's look), so the action
    server never reads a message again."""
    text = tracker.latest_message.text or ""
    awaiting, check_rule = tracker.get_slot("awaiting"), tracker.get_slot("check_rule")
    triage = session_triage(text, awaiting, str(check_rule) if check_rule else None, session_texts(tracker), tracker.get_slot("lifted_at"))
    found: Dict[str, Any] = {"reading": read(text).as_dict(), "turn_triage": asdict(triage)}
    if awaiting == Awaiting.screening:
        answer = screening_answer(default_screening(), tracker.get_slot("screening"), tracker.get_slot("screening_region") or "", text)
        found["screening_answer"] = answer.as_dict() if answer else None
    return found


def lean_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[str, Any]:
    state = tracker.current_state(EventVerbosity.NONE)
    state["latest_message"] = {**state["latest_message"], **understood(tracker)}
    state["events"] = current_turn_events(tracker)
    call = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        call["domain"] = domain.as_dict()
    return call


@lru_cache(maxsize=1)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator = validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def validate_response(self: RemoteAction, result: Dict[str, Any]) -> bool:
    response_validator().validate(result)  # raises ValidationError, as Rasa's check does
    return True


def install() -> None:
    RemoteAction._action_call_format = lean_call_format
    RemoteAction._validate_action_result = validate_response
