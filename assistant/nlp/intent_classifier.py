"""Rasa's logistic-regression intent classifier, saved as plain arrays.

Rasa saves this classifier with skops, and importing skops scans every loaded
module for the types it trusts: with TensorFlow loaded (Rasa's policies
import it) that scan took 5.6 of the server's 12.7 s start-up. A fitted
logistic regression is three arrays; stored in an .npz file without pickle
they load in milliseconds and run no code from the model file.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

logger = logging.getLogger(__name__)

WEIGHTS = "weights.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ArrayLogisticRegressionClassifier(LogisticRegressionClassifier):
    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(
                model_dir / WEIGHTS,
                coef=self.clf.coef_,
                intercept=self.clf.intercept_,
                classes=np.asarray(self.clf.classes_, dtype=str),
            )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ArrayLogisticRegressionClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir, np.load(model_dir / WEIGHTS, allow_pickle=False) as saved:
                component.clf.coef_ = saved["coef"]
                component.clf.intercept_ = saved["intercept"]
                component.clf.classes_ = saved["classes"]
        except (ValueError, FileNotFoundError):
            # Rasa's own behaviour for a component trained on no examples:
            # an untrained classifier rather than a failed model load.
            logger.debug("No saved weights for %s; the intent classifier is untrained.", resource.name)
            return component
        component.clf.n_features_in_ = component.clf.coef_.shape[1]
        return component
