"""Examples read from Rasa NLU YAML files: the training data in data/nlu/ and the held-out sets in
tests/data/. Entity annotations (`[PED-1234567](numero_pedido)`) are read as their plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

TRAINING_DIR = PROJECT_ROOT / "data" / "nlu"
HOLDOUT_DIR = PROJECT_ROOT / "tests" / "data"
CORE_INTENTS = ("duda", "queja", "solicitud")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str  # base intent: duda/envios → duda
    topic: str | None = None
    source: str = ""  # file:line, for reports
    topic_only: bool = False  # taught to the FAQ topic's selector, not to the act classifier

    @property
    def full_intent(self) -> str:
        return f"{self.intent}/{self.topic}" if self.topic else self.intent


def plain_text(example: str) -> str:
    return _ANNOTATION.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), example)


def examples_in(path: Path) -> list[Example]:
    """Every intent example of one NLU file (lookups, synonyms and regexes are skipped)."""
    raw = path.read_text(encoding="utf-8")
    blocks = (yaml.safe_load(raw) or {}).get("nlu") or []
    lines = raw.splitlines()
    examples = []
    for block in blocks:
        if "intent" not in block:
            continue
        intent, _, topic = block["intent"].partition("/")
        topic_only = is_topic_only(block.get("metadata"))
        for line in (block.get("examples") or "").splitlines():
            stripped = line.strip()
            if not stripped.startswith("- ") or not stripped[2:].strip():
                continue
            text = plain_text(stripped[2:].strip())
            source = f"{path.name}:{_line_of(lines, stripped)}"
            examples.append(Example(text, intent, topic or None, source, topic_only))
    return examples


def is_topic_only(intent_metadata: object) -> bool:
    """`metadata: {topic_only: true}` on an intent block: its examples say which FAQ topic a duda is
    about, and are too many, and too alike, to weigh in on whether a message is a duda at all."""
    return isinstance(intent_metadata, dict) and intent_metadata.get("topic_only") is True


def _line_of(lines: list[str], stripped: str) -> int:
    for number, line in enumerate(lines, start=1):
        if line.strip() == stripped:
            return number
    return 0


def holdout_paths(folder: Path = HOLDOUT_DIR) -> list[Path]:
    """Every held-out set: written apart from the training data, never trained on."""
    return sorted(folder.glob("nlu_holdout*.yml"))


def training_paths(folder: Path = TRAINING_DIR) -> list[Path]:
    return sorted(folder.glob("*.yml"))


def load_examples(paths: list[Path]) -> list[Example]:
    return [example for path in paths for example in examples_in(path)]
