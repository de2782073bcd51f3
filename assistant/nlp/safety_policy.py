"""A dialogue policy that puts red-flag triage ahead of everything else.

Intent classification can miss or mislabel an alarming message ("my glutes
are tight and I've been wetting myself"), so the check runs on the raw text
of every user turn, whatever the intent, and outranks every other policy.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.safety import triage

ACTION_RED_FLAG = "action_red_flag"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RedFlagPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6): a rule must never answer a red flag with tips.
        return {"priority": 7}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name == ACTION_LISTEN_NAME:
            if triage(tracker.latest_message.text or "").flagged:
                probabilities[domain.index_for_action(ACTION_RED_FLAG)] = 1.0
        elif tracker.latest_action_name == ACTION_RED_FLAG:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
