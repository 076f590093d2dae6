"""A Rasa NLU component: no known word, no confident intent; another language, `otro_idioma`.

A classifier always picks one of the intents it knows, even for keyboard mashes or English. This
component, placed after the intent classifiers and before the FallbackClassifier:
- sets the confidence of the predicted intent to zero when none of the message's words (two
  letters or more, accents folded, a letter said twice or more counted once: «graciass», «siii»)
  occurs in the training data, so the assistant asks for
  clarification instead of guessing; a message of emoji alone is known when a training example was
  made of each of them alone («👍» is a yes, «😀😀» is still nothing);
- predicts `otro_idioma` when the message is in English or Portuguese (`bot.nlu.language`), so the
  assistant says it can only help in Spanish instead of filing a case.
The intent ranking is kept for escalation, except for another language.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from bot.nlu.language import foreign_language
from bot.nlu.source_fingerprint import FingerprintedBySource
from bot.text import squeezed, squeezed_words

VOCABULARY_FILE = "vocabulary.json"  # words, and the emoji of examples made of emoji alone
OTHER_LANGUAGE_INTENT = "otro_idioma"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsGuard(FingerprintedBySource, GraphComponent, IntentClassifier):
    # No required components: Rasa checks them in the training graph too, where the
    # intent classifiers do not feed this node. config.yml places it after them.

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_word_length": 2, "other_languages": True}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: set[str] | None = None,
    ) -> None:
        self.min_length = int(config["min_word_length"])
        self.check_language = bool(config.get("other_languages", True))
        self.vocabulary = vocabulary or set()
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsGuard:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsGuard:
        with model_storage.read_from(resource) as directory:
            vocabulary = {squeezed(w) for w in read_json_file(directory / VOCABULARY_FILE)}
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        for example in training_data.intent_examples:
            text = example.get(TEXT) or ""
            self.vocabulary |= squeezed_words(text, self.min_length) or symbols(text)
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / VOCABULARY_FILE, sorted(self.vocabulary))
        return self._resource

    def knows_some_word(self, text: str) -> bool:
        if found := squeezed_words(text, self.min_length):
            return bool(found & self.vocabulary)
        emoji = symbols(text)  # known when each was taught alone: «👍👍», not «😀🙏🔥»
        return bool(emoji) and emoji <= self.vocabulary

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent, text = message.get(INTENT), message.get(TEXT) or ""
            if not intent:
                continue
            if self.check_language and foreign_language(text, self.vocabulary):
                other = {"name": OTHER_LANGUAGE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, other, add_to_output=True)
                # Alone: beside a confident Spanish reading, the FallbackClassifier would call it ambiguous.
                message.set(INTENT_RANKING_KEY, [other], add_to_output=True)
            elif not self.knows_some_word(text):
                message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
        return messages


def symbols(text: str) -> set[str]:
    """The emoji and other pictographs of `text` (Unicode category So), skin tones and joiners aside."""
    return {char for char in text if unicodedata.category(char) == "So"}
