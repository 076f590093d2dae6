"""Is a message written in another language? English and Portuguese are what customers of a
Spanish-speaking shop write instead, and the classifier would force them into a Spanish intent.

Two signals must agree, so that Spanish with slang, brand names or typos is never turned away:
lingua (restricted to Spanish, English and Portuguese) names English or Portuguese with
confidence, and most of the message's words are not in the Spanish training vocabulary.
"""

from __future__ import annotations

from collections.abc import Set
from functools import lru_cache
from typing import Any

from bot.text import squeezed_words

MIN_WORDS = 3  # «ok thanks» or «hello» alone: the clarifying question is answer enough
MIN_CONFIDENCE = 0.7
MAX_KNOWN_SHARE = 0.5


@lru_cache(maxsize=1)
def detector() -> Any:  # -> lingua.LanguageDetector; built once, on first use
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.SPANISH, Language.ENGLISH, Language.PORTUGUESE
    ).build()


def foreign_language(text: str, vocabulary: Set[str]) -> bool:
    said = squeezed_words(text, min_length=2)
    if len(said) < MIN_WORDS or len(said & vocabulary) / len(said) > MAX_KNOWN_SHARE:
        return False
    top = detector().compute_language_confidence_values(text)[0]
    return top.language.iso_code_639_1.name.lower() in {"en", "pt"} and top.value >= MIN_CONFIDENCE
