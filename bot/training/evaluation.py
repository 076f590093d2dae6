"""Score a trained model on the held-out NLU sets: per-intent precision, recall and F1 and the
confusion matrix (scikit-learn), duda's topics (the response selector), and calibration — how far the
confidences are from the accuracy, and how many mistakes end in the clarifying question.

What is scored is the classifier's own top intent: a message the FallbackClassifier took counts by
the intent it would have had, and the fallback is measured apart (`caught`, `false_alarms`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from bot.training.nlu_files import CORE_INTENTS, Example, holdout_paths, load_examples

FALLBACK_INTENT = "nlu_fallback"
CALIBRATION_BINS = 10

__all__ = ["CORE_INTENTS", "Example", "Prediction", "Scores", "evaluate", "holdout_paths", "load_examples"]


@dataclass(frozen=True)
class Prediction:
    intent: str  # the classifier's top intent (before any fallback)
    confidence: float
    fallback: bool = False  # the FallbackClassifier took it: the customer gets the clarifying question
    topic: str | None = None  # the response selector's duda topic
    margin: float = 1.0  # how far ahead of the second intent the first one is


@dataclass(frozen=True)
class Scores:
    per_intent: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    confusion: Counter  # (expected, predicted) → count
    topic_accuracy: float
    calibration_error: float = 0.0  # expected calibration error of the top confidence
    caught: float = 0.0  # share of the misclassified messages that end in the clarifying question
    false_alarms: float = 0.0  # share of the well classified ones that do
    errors: int = 0
    examples: int = 0
    extra: dict = field(default_factory=dict)

    def macro_f1(self, intents: tuple[str, ...] = CORE_INTENTS) -> float:
        return sum(self.per_intent[i][2] if i in self.per_intent else 0.0 for i in intents) / len(intents)


def score(
    expected: Sequence[str],
    predicted: Sequence[str],
    topic_hits: Sequence[bool] = (),
    confidences: Sequence[float] | None = None,
    fallbacks: Sequence[bool] | None = None,
) -> Scores:
    labels = sorted(set(expected))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    per_intent = {
        label: (float(p), float(r), float(f), int(n))
        for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
    }
    right = np.array([e == p for e, p in zip(expected, predicted, strict=True)], dtype=bool)
    confidence = np.ones(len(right)) if confidences is None else np.asarray(confidences, dtype=float)
    fallback = np.zeros(len(right), bool) if fallbacks is None else np.asarray(fallbacks, dtype=bool)
    return Scores(
        per_intent=per_intent,
        confusion=Counter(zip(expected, predicted, strict=True)),
        topic_accuracy=sum(topic_hits) / len(topic_hits) if topic_hits else 0.0,
        calibration_error=expected_calibration_error(confidence, right),
        caught=_share(fallback[~right]),
        false_alarms=_share(fallback[right]),
        errors=int((~right).sum()),
        examples=len(right),
    )


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if len(flags) else 0.0


def expected_calibration_error(
    confidence: np.ndarray, right: np.ndarray, bins: int = CALIBRATION_BINS
) -> float:
    """Σ over equal-width confidence bins of |accuracy − mean confidence|, weighted by the bin's size."""
    if not len(right):
        return 0.0
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(right[inside].mean() - confidence[inside].mean())
    return float(error)


def load_agent(model_path: Path):  # -> rasa.core.agent.Agent, imported lazily: Rasa is slow to import
    """The model, for parsing in this process. Rasa's structured log is set to warnings: unset, it
    prints a debug line per parsed message (a retraining's evaluation printed over a thousand)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    return Agent.load(str(model_path))


def prediction_of(parse: dict) -> Prediction:
    """What the classifier said in one of Rasa's parse results."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    top = ranking[0] if ranking else parse.get("intent") or {}
    chosen = ((parse.get("response_selector") or {}).get("duda") or {}).get("response") or {}
    topic = (chosen.get("intent_response_key") or "").partition("/")[2] or None
    confidences = [float(r.get("confidence") or 0.0) for r in ranking[:2]] + [0.0, 0.0]
    return Prediction(
        intent=top.get("name") or FALLBACK_INTENT,
        confidence=float(top.get("confidence") or 0.0),
        fallback=(parse.get("intent") or {}).get("name") == FALLBACK_INTENT,
        topic=topic,
        margin=confidences[0] - confidences[1],
    )


async def _parse_all(agent, texts: list[str]) -> list[dict]:
    return [await agent.parse_message(text) for text in texts]


def predict(agent, texts: list[str]) -> list[Prediction]:
    return [prediction_of(parse) for parse in asyncio.run(_parse_all(agent, texts))]


def score_predictions(examples: Sequence[Example], predictions: Sequence[Prediction]) -> Scores:
    topic_hits = [p.topic == e.topic for e, p in zip(examples, predictions, strict=True) if e.topic]
    return score(
        [e.intent for e in examples],
        [p.intent for p in predictions],
        topic_hits,
        [p.confidence for p in predictions],
        [p.fallback for p in predictions],
    )


def evaluate(agent, examples: Sequence[Example] | None = None) -> Scores:
    """Score a loaded Rasa `Agent` on `examples` (every held-out set by default)."""
    examples = list(examples or load_examples(holdout_paths()))
    return score_predictions(examples, predict(agent, [e.text for e in examples]))


def markdown_report(scores: Scores) -> str:
    lines = ["| intent | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    for intent, (p, r, f1, n) in scores.per_intent.items():
        lines.append(f"| {intent} | {p:.2f} | {r:.2f} | {f1:.2f} | {n} |")
    labels = sorted({e for e, _ in scores.confusion} | {p for _, p in scores.confusion})
    lines += ["", "Confusion matrix (rows: expected, columns: predicted)", ""]
    lines.append("| | " + " | ".join(labels) + " |")
    lines.append("|---" * (len(labels) + 1) + "|")
    for expected in sorted({e for e, _ in scores.confusion}):
        row = [str(scores.confusion[(expected, p)] or "") for p in labels]
        lines.append(f"| **{expected}** | " + " | ".join(row) + " |")
    lines += [
        "",
        f"Macro-F1 (duda, queja, solicitud): **{scores.macro_f1():.3f}**",
        f"duda topic accuracy (response selector): **{scores.topic_accuracy:.3f}**",
        f"Expected calibration error: **{scores.calibration_error:.3f}**; "
        f"{scores.errors} mistakes, {scores.caught:.0%} of them end in the clarifying question; "
        f"{scores.false_alarms:.1%} of the right answers do",
    ]
    return "\n".join(lines)
