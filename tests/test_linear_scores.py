"""The parse-time shortcut gives the library's own probabilities: the n-gram union and logistic
regression fitted on the repo's training data, scored on the held-out sentences (with made-up
sentence vectors: the arithmetic, not the encoder, is what is compared)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from bot.nlu.linear_classifier import ngram_tfidf
from bot.nlu.linear_scores import LinearScores
from bot.training.nlu_files import holdout_paths, load_examples, training_paths

DENSE_WEIGHT = 0.7


def library_probabilities(ngrams, model, texts: list[str], dense: np.ndarray) -> np.ndarray:
    return model.predict_proba(hstack([ngrams.transform(texts), csr_matrix(dense * DENSE_WEIGHT)]).tocsr())


def fitted(texts: list[str], labels: list[str], dense: np.ndarray, fold_accents: bool = True):
    ngrams = ngram_tfidf(fold_accents).fit(texts)
    inputs = hstack([ngrams.transform(texts), csr_matrix(dense * DENSE_WEIGHT)]).tocsr()
    return ngrams, LogisticRegression(C=20, max_iter=3000, random_state=42).fit(inputs, labels)


def vectors(rows: int, seed: int) -> np.ndarray:
    dense = np.random.default_rng(seed).normal(size=(rows, 16)).astype(np.float32)
    return dense / np.linalg.norm(dense, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def training() -> tuple[list[str], list[str]]:
    examples = [e for e in load_examples(training_paths()) if not e.topic_only]
    return [e.text for e in examples], [e.intent for e in examples]


@pytest.fixture(scope="module")
def held_out() -> list[str]:
    return [e.text for e in load_examples(holdout_paths())]


@pytest.mark.parametrize("fold_accents", [True, False])
def test_the_intents_of_every_held_out_sentence_are_the_librarys(training, held_out, fold_accents):
    texts, labels = training
    ngrams, model = fitted(texts, labels, vectors(len(texts), 1), fold_accents)
    dense = vectors(len(held_out), 2)

    ours = LinearScores(ngrams, model, DENSE_WEIGHT).probabilities(held_out, dense)

    assert len(model.classes_) > 2 and len(held_out) > 500
    np.testing.assert_allclose(
        ours, library_probabilities(ngrams, model, held_out, dense), rtol=0, atol=1e-12
    )


def test_one_message_at_a_time_blank_and_unknown_words_included(training):
    texts, labels = training
    ngrams, model = fitted(texts, labels, vectors(len(texts), 3))
    scores = LinearScores(ngrams, model, DENSE_WEIGHT)
    for text in [
        "",
        "   ",
        "zzqxw",
        "👋",
        "¿CUÁNTO TARDA UN ENVÍO A VALENCIA?",
        "sí",
        "mejor no, déjalo así",
    ]:
        dense = vectors(1, len(text))
        ours = scores.probabilities([text], dense)
        np.testing.assert_allclose(
            ours, library_probabilities(ngrams, model, [text], dense), rtol=0, atol=1e-12
        )
        assert ours.sum() == pytest.approx(1.0)


def test_two_classes(training):
    texts, labels = training
    chosen = [(t, label) for t, label in zip(texts, labels, strict=True) if label in ("queja", "solicitud")]
    two_texts, two_labels = [t for t, _ in chosen], [label for _, label in chosen]
    ngrams, model = fitted(two_texts, two_labels, vectors(len(two_texts), 4))
    dense = vectors(3, 5)
    sentences = ["el paquete llegó roto", "quiero cambiar la dirección de envío", ""]

    ours = LinearScores(ngrams, model, DENSE_WEIGHT).probabilities(sentences, dense)

    np.testing.assert_allclose(
        ours, library_probabilities(ngrams, model, sentences, dense), rtol=0, atol=1e-12
    )


def test_a_model_it_cannot_reproduce_is_refused(training):
    texts, labels = training
    ngrams = ngram_tfidf().fit(texts)
    model = LogisticRegression(multi_class="ovr", max_iter=3000).fit(ngrams.transform(texts), labels)
    with pytest.raises(ValueError, match="multinomial"):
        LinearScores(ngrams, model, DENSE_WEIGHT)
