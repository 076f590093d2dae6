"""The FAQ answers the NLU's response selector ranks highest for what the customer said."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.assist.suggestions import FAQ, Suggestion

RETRIEVAL_INTENT = "duda"
MIN_CONFIDENCE = 0.2  # below it the selector is guessing


def faq_suggestions(
    parses: Sequence[dict[str, Any]], responses: dict[str, list[dict[str, Any]]]
) -> list[Suggestion]:
    """From the NLU's parse of each of the customer's latest messages (Rasa's `parse_message`) and
    the domain's responses: each FAQ answer once, at its highest confidence."""
    best: dict[str, float] = {}
    for parsed in parses:
        selector = (parsed.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
        for ranked in selector.get("ranking") or []:
            key, confidence = ranked.get("intent_response_key"), float(ranked.get("confidence") or 0)
            if key and confidence >= MIN_CONFIDENCE:
                best[key] = max(best.get(key, 0.0), confidence)
    found = []
    for key, confidence in best.items():
        variants = responses.get(f"utter_{key}") or []
        if variants and variants[0].get("text"):
            found.append(Suggestion(FAQ, key, str(variants[0]["text"]), confidence))
    return found
