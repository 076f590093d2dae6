"""A suggestion, and choosing up to three from the FAQ's and the similar cases'."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_SUGGESTIONS = 3
FAQ = "faq"
SIMILAR_CASE = "case"


@dataclass(frozen=True)
class Suggestion:
    source: str  # FAQ or SIMILAR_CASE
    key: str  # the FAQ's response key («duda/envios»), or the similar case's number
    text: str  # what the customer would read
    score: float  # the NLU's confidence, or the similarity


def chosen(candidates: Iterable[Suggestion], dropped: set[tuple[str, str]]) -> list[Suggestion]:
    """The best `MAX_SUGGESTIONS`, without those agents keep ignoring (`dropped`: source and key)
    and without a text offered twice."""
    best: list[Suggestion] = []
    for suggestion in sorted(candidates, key=lambda s: s.score, reverse=True):
        if (suggestion.source, suggestion.key) in dropped or any(s.text == suggestion.text for s in best):
            continue
        best.append(suggestion)
        if len(best) == MAX_SUGGESTIONS:
            break
    return best
