"""The baseline every model figure comes with: TF-IDF character n-grams (char_wb, 2–5) and a
logistic regression, trained on the same data/nlu in the same run. A model that does not beat it
is not done."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bot.training.evaluation import Prediction
from bot.training.nlu_files import Example


def train_baseline(training: Sequence[Example]) -> Pipeline:
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=3000, random_state=42),
    )
    acts = [e for e in training if not e.topic_only]  # what the product's act classifier learns from
    return model.fit([e.text for e in acts], [e.intent for e in acts])


def baseline_predictions(model: Pipeline, texts: Sequence[str]) -> list[Prediction]:
    probabilities = model.predict_proba(list(texts))
    classes = model.classes_
    return [Prediction(str(classes[row.argmax()]), float(row.max())) for row in probabilities]
