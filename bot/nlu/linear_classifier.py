"""A Rasa intent classifier: a logistic regression over the sentence encoder's vector and the
character n-grams of the text.

DIET learns from ~2,000 sentences and answers with confidence ≈ 1.0 even when it is wrong, so the
FallbackClassifier rarely asks. A linear model over a pretrained encoder generalises to phrasings
nobody wrote in data/nlu, trains in seconds and gives probabilities that mean something: the
fallback thresholds in config.yml are tuned on them (benchmarks/results.md).

Input: the dense sentence feature of TEXT (`SentenceEncoderFeaturizer`), scaled by `dense_weight`,
and two TF-IDF blocks of the raw text, each normalised on its own (words and word pairs; char_wb
2–5), accents folded. They are computed here from the raw text: Rasa's tokenizers drop
punctuation, and a «?» says a lot about what a customer wants.
"""

from __future__ import annotations

import logging
from typing import Any

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_union

from bot.nlu.linear_scores import LinearScores
from bot.nlu.sentence_encoder import SentenceEncoderFeaturizer
from bot.nlu.source_fingerprint import FingerprintedBySource
from bot.training.nlu_files import is_topic_only

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(FingerprintedBySource, GraphComponent, IntentClassifier):
    model_file = "linear_intent_classifier.joblib"

    @classmethod
    def required_components(cls) -> list[type]:
        return [SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "dense_weight": 1.0, "fold_accents": True, "max_iter": 3000, "ranking_length": 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        fitted: tuple[FeatureUnion, LogisticRegression] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.ngrams, self.model = fitted or (None, None)
        self.scores = self.scores_of(fitted)
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                fitted = joblib.load(directory / cls.model_file)
        except (ValueError, FileNotFoundError):
            logger.warning("no trained %s in the model: it will predict nothing", cls.__name__)
            fitted = None
        return cls(config, model_storage, resource, fitted)

    def scores_of(self, fitted: tuple[FeatureUnion, LogisticRegression] | None) -> LinearScores | None:
        return LinearScores(*fitted, self.config["dense_weight"]) if fitted else None

    def labelled(self, training_data: TrainingData) -> list[tuple[Message, str]]:
        """The examples to learn from, each with its label."""
        return [
            (e, e.get(INTENT))
            for e in training_data.intent_examples
            if e.get(INTENT) and has_text(e) and not is_topic_only(intent_metadata(e))
        ]

    def annotate(self, message: Message, ranking: list[dict[str, Any]]) -> None:
        """Write the ranked labels (`name`, `confidence`, best first) into `message`."""
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def train(self, training_data: TrainingData) -> Resource:
        labelled = self.labelled(training_data)
        if not labelled:
            return self._resource
        examples = [example for example, _ in labelled]
        self.ngrams = ngram_tfidf(self.config["fold_accents"]).fit([e.get(TEXT) for e in examples])
        self.model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"], random_state=42)
        self.model.fit(self._inputs(examples), [label for _, label in labelled])
        self.scores = self.scores_of((self.ngrams, self.model))
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump((self.ngrams, self.model), directory / self.model_file)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [m for m in messages if isinstance(m.get(TEXT), str)]
        if self.scores is None or not with_text:
            return messages
        probabilities = self.scores.probabilities(
            [m.get(TEXT) for m in with_text], sentence_vectors(with_text)
        )
        for message, row in zip(with_text, probabilities, strict=True):
            ranking = [
                {"name": str(self.model.classes_[i]), "confidence": float(row[i])}
                for i in np.argsort(-row)[: self.config["ranking_length"]]
            ]
            self.annotate(message, ranking)
        return messages

    def _inputs(self, messages: list[Message]) -> csr_matrix:
        ngrams = self.ngrams.transform([m.get(TEXT) for m in messages])
        return hstack([ngrams, csr_matrix(sentence_vectors(messages) * self.config["dense_weight"])]).tocsr()


def intent_metadata(message: Message) -> object:
    return (message.get(METADATA) or {}).get(METADATA_INTENT)


def has_text(message: Message) -> bool:
    return bool((message.get(TEXT) or "").strip())


def ngram_tfidf(fold_accents: bool = True) -> FeatureUnion:
    """Words and word pairs, and char_wb 2–5 n-grams, lower case, each block weighted on its own; with
    `fold_accents`, «envío» and «envio» are one word (most customers type without accents; the
    training data has both)."""
    accents = "unicode" if fold_accents else None
    return make_union(
        TfidfVectorizer(ngram_range=(1, 2), strip_accents=accents, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), strip_accents=accents, sublinear_tf=True),
    )


def sentence_vectors(messages: list[Message]) -> np.ndarray:
    vectors = []
    for message in messages:
        _, dense = message.get_dense_features(TEXT)
        if dense is None:
            raise ValueError("a linear classifier needs a dense sentence feature of TEXT (an encoder)")
        vectors.append(np.asarray(dense.features).reshape(1, -1))
    return np.vstack(vectors)
