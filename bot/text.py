"""Pure text helpers shared by the policy and the actions."""

from __future__ import annotations

import re
import unicodedata

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


def words(text: str, min_length: int = 1) -> set[str]:
    """The distinct words of `text`, folded, of at least `min_length` letters."""
    return {w for w in re.findall(r"[a-zñ]+", fold(text)) if len(w) >= min_length}
