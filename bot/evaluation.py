"""Score a trained model on the held-out NLU set: per-intent precision/recall/F1 and
the confusion matrix, with duda's topics folded into `duda`."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

HOLDOUT_DIR = PROJECT_ROOT / "tests" / "data"
CORE_INTENTS = ("duda", "queja", "solicitud")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str  # base intent: duda/envios → duda
    topic: str | None


def holdout_paths() -> list[Path]:
    """Every held-out set: written apart from the training data, never trained on."""
    return sorted(HOLDOUT_DIR.glob("nlu_holdout*.yml"))


def load_examples(paths: list[Path] | None = None) -> list[Example]:
    examples = []
    for path in paths or holdout_paths():
        examples += _examples_in(path)
    return examples


def _examples_in(path: Path) -> list[Example]:
    with open(path, encoding="utf-8") as handle:
        blocks = yaml.safe_load(handle)["nlu"]
    examples = []
    for block in blocks:
        if "intent" not in block:
            continue
        intent, _, topic = block["intent"].partition("/")
        for line in block["examples"].splitlines():
            text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
            if text:
                examples.append(Example(text, intent, topic or None))
    return examples


@dataclass(frozen=True)
class Scores:
    per_intent: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    confusion: Counter  # (expected, predicted) → count
    topic_accuracy: float

    def macro_f1(self, intents: tuple[str, ...] = CORE_INTENTS) -> float:
        return sum(self.per_intent[i][2] for i in intents) / len(intents)


def score(expected: list[str], predicted: list[str], topic_hits: list[bool]) -> Scores:
    confusion = Counter(zip(expected, predicted, strict=True))
    per_intent = {}
    for intent in sorted(set(expected)):
        tp = confusion[(intent, intent)]
        predicted_as = sum(v for (e, p), v in confusion.items() if p == intent)
        support = sum(v for (e, p), v in confusion.items() if e == intent)
        precision = tp / predicted_as if predicted_as else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = (precision, recall, f1, support)
    accuracy = sum(topic_hits) / len(topic_hits) if topic_hits else 0.0
    return Scores(per_intent, confusion, accuracy)


def load_agent(model_path: Path):  # -> rasa.core.agent.Agent, imported lazily: Rasa is slow to import
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


async def _parse_all(agent, texts: list[str]) -> list[dict]:
    return [await agent.parse_message(text) for text in texts]


def evaluate(agent, examples: list[Example] | None = None) -> Scores:
    """Score a loaded Rasa `Agent` on `examples` (every held-out set by default)."""
    examples = examples or load_examples()
    parses = asyncio.run(_parse_all(agent, [e.text for e in examples]))
    predicted = [p["intent"]["name"] for p in parses]
    topic_hits = []
    for example, parse in zip(examples, parses, strict=True):
        if example.topic:
            chosen = ((parse.get("response_selector") or {}).get("duda") or {}).get("response") or {}
            topic_hits.append(chosen.get("intent_response_key") == f"duda/{example.topic}")
    return score([e.intent for e in examples], predicted, topic_hits)


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
        f"duda topic accuracy (ResponseSelector): **{scores.topic_accuracy:.3f}**",
    ]
    return "\n".join(lines)
