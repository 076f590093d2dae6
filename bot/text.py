"""Pure text helpers shared by the policy and the actions."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_WORD_START = r"(?<![a-z0-9])"


def fold(text: str) -> str:
    """Lower case without accents (ñ kept), spaces collapsed: how customers really type."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("ñ", "\0"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", stripped.replace("\0", "ñ")).strip()


def keyword_score(text: str, keywords: list[str]) -> int:
    """Characters of `keywords` found at word starts in `text` (both folded)."""
    folded = fold(text)
    return sum(
        len(keyword) for keyword in keywords if re.search(_WORD_START + re.escape(fold(keyword)), folded)
    )


def keyword_position(text: str, keywords: list[str]) -> int | None:
    """Where the first of `keywords` starts a word in folded `text`, if any does."""
    found = [m.start() for k in keywords if (m := re.search(_WORD_START + re.escape(fold(k)), text))]
    return min(found) if found else None


def words(text: str, min_length: int = 1) -> set[str]:
    """The distinct words of `text`, folded, of at least `min_length` letters."""
    return {w for w in re.findall(r"[a-zñ]+", fold(text)) if len(w) >= min_length}


def squeezed(word: str) -> str:
    """Every run of one letter as one: «graciasss» and «gracias», «llamar» and «lamar» meet."""
    return re.sub(r"(.)\1+", r"\1", word)


def squeezed_words(text: str, min_length: int = 1) -> set[str]:
    """`words`, squeezed: what a vocabulary of customers' spellings is kept and looked up as."""
    return {squeezed(w) for w in words(text, min_length)}


# Explicit direction marks, embeddings, overrides and isolates (Unicode's bidi controls): in a
# customer's name or text they make an agent read the words reversed («Trojan Source»).
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


def bidi_safe(value: Any) -> Any:
    """`value` (JSON: dicts, lists, strings) with every string's bidi controls removed."""
    if isinstance(value, str):
        return without_bidi_controls(value)
    if isinstance(value, dict):
        return {bidi_safe(key): bidi_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [bidi_safe(item) for item in value]
    return value
