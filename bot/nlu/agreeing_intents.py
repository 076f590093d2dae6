"""A Rasa NLU component: two readings that call for the same reply are not an ambiguity.

«si gracias» reads as a yes (`afirmar`) and as thanks (`agradecer`) in almost equal parts («ok
gracias, bye» as a goodbye and as thanks), and the FallbackClassifier, which asks again when the
best two intents are close, would answer a customer who just said yes with «no estoy seguro de
haberte entendido». When the best two intents belong to
one of `groups` and are that close, they become the group's first intent with both confidences.
Placed after the intent classifiers and before UnknownWordsGuard and the FallbackClassifier.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.source_fingerprint import FingerprintedBySource


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AgreeingIntents(FingerprintedBySource, GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # «sí, gracias» is a yes that thanks: after «¿Resolví tu duda?» or «¿te paso con alguien?»
        # the yes is what the customer answered. «ok gracias, bye» is a goodbye that thanks.
        groups = [["afirmar", "agradecer"], ["despedida", "agradecer"], ["despedida", "afirmar"]]
        return {"groups": groups, "max_difference": 0.3}

    def __init__(self, config: dict[str, Any]) -> None:
        self.groups = [list(group) for group in config["groups"]]
        self.max_difference = float(config["max_difference"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AgreeingIntents:
        return cls({**cls.get_default_config(), **config})

    def merged(self, ranking: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The ranking with its best two intents merged, or None when they do not agree."""
        if len(ranking) < 2:
            return None
        first, second = ranking[0], ranking[1]
        names = {first[INTENT_NAME_KEY], second[INTENT_NAME_KEY]}
        group = next((g for g in self.groups if names <= set(g)), None)
        closeness = first[PREDICTED_CONFIDENCE_KEY] - second[PREDICTED_CONFIDENCE_KEY]
        if group is None or closeness >= self.max_difference:
            return None
        confidence = first[PREDICTED_CONFIDENCE_KEY] + second[PREDICTED_CONFIDENCE_KEY]
        lead = {INTENT_NAME_KEY: group[0], PREDICTED_CONFIDENCE_KEY: confidence}
        return [lead, *ranking[2:]]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            ranking = self.merged(message.get(INTENT_RANKING_KEY) or [])
            if ranking is not None:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
