"""A copy of a tracker that does not replay the whole conversation.

Before every action Rasa's processor copies the tracker, and
`DialogueStateTracker.copy` rebuilds the copy by applying every event of the
conversation again: the largest cost left that grows with its length
(`make profile`). The state those events produce is already in the tracker,
so the copy takes it over directly: the same events, slots with their
values, the latest action, message and bot utterance, the active form.
Like Rasa's copy it starts from `init_copy` (no model or assistant id).

Installed at start-up by assistant/nlp/layer.py, except with RASA_STOCK=true.
"""

from __future__ import annotations

import copy
import dataclasses

from rasa.shared.core.trackers import DialogueStateTracker


def lean_copy(self: DialogueStateTracker) -> DialogueStateTracker:
    duplicate = self.init_copy()
    duplicate.events.extend(self.events)
    duplicate.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    duplicate._paused = self._paused
    duplicate.followup_action = self.followup_action
    duplicate.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    duplicate.latest_message = self.latest_message
    duplicate.latest_bot_utterance = self.latest_bot_utterance
    duplicate.active_loop = dataclasses.replace(self.active_loop) if self.active_loop else self.active_loop
    return duplicate


def install() -> None:
    DialogueStateTracker.copy = lean_copy
