"""Which labels a reviewed message can get: an intent of domain.yml, or for a FAQ question its
retrieval intent with the topic (`duda/envios`), as data/responses/duda.yml answers them."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT

DISCARD = "descartar"  # in an import file: not an example to learn from
NOT_LABELS = {"nlu_fallback"}


@lru_cache(maxsize=1)
def valid_labels() -> frozenset[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    answers = yaml.safe_load((PROJECT_ROOT / "data" / "responses" / "duda.yml").read_text(encoding="utf-8"))
    topics = {key.removeprefix("utter_") for key in answers["responses"] if key.startswith("utter_duda/")}
    plain = {intent for intent in domain["intents"] if intent != "duda"} - NOT_LABELS
    return frozenset(plain | topics)


def label_problem(label: str) -> str | None:
    """Why `label` cannot be used (None when it can)."""
    if label in valid_labels():
        return None
    if label == "duda":
        return "a duda needs its topic, e.g. duda/envios"
    return f"unknown intent {label!r}"
