"""NLU component: map every extracted entity to a knowledge-base id.

The entity ruler returns text as typed and the trained extractor also tags
stray words; after this component, entity values are KB ids ("outer thigh" ->
outside_of_thigh, "kne" -> knee) and unknown words are gone.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from assistant.features import default_extractor


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class KnowledgeEntityResolver(GraphComponent):
    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> KnowledgeEntityResolver:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        extractor = default_extractor()
        for message in messages:
            message.set(ENTITIES, extractor.resolve_entities(message.get(ENTITIES, [])), add_to_output=True)
        return messages
