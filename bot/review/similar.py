"""Merging the same customer message written many ways, before an operator reviews it.

«hola», «Hola!!» and «hola » are one message; so are «No me ha llegado el pedido.» and «no me a
llegado el pedido». Each group keeps one representative text, how many times it was seen and every
source it came from, so an operator labels it once.

Two texts merge when:

* they are equal after `normalized` (case, accents, punctuation, emoji, stretched letters and
  spacing do not count; masked personal data is a token, whatever the value was), or
* both are longer than one word and more than 3 characters, their normalized forms are similar
  (rapidfuzz's `fuzz.ratio`, the leak check's measure, at least `threshold`) **and** the words
  where they differ are spelling slips of each other (a letter or two for long words, one for
  short ones, words run together or split), never a different word, and they have the same
  negation / yes words (no, ni, nunca, sí, ya…).

The word check is what keeps «quiero cancelar el pedido que hice ayer» apart from «quiero cambiar
el pedido que hice ayer» (character ratio 0.93) and «mi pedido ha llegado» apart from «mi pedido no
ha llegado» (0.93): in a long sentence one different word changes little of the characters but all
of the meaning, and the meaning is what the operator labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher  # the word-level diff of `_only_slips`

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 0.9

# Masked personal data as the masking step writes it: «[email]», «[teléfono]», «[pedido]»…
_PLACEHOLDER = re.compile(r"\[\s*(\w[\w ]*?)\s*\]")
_NOT_WORD = re.compile(r"[\W_]+")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")  # a letter three times or more in a row
# Words that flip or confirm the meaning with few characters: two texts differing in them never merge.
_NEGATIONS = {"no", "ni", "nunca", "jamas", "nada", "nadie", "ningun", "ninguno", "ninguna", "tampoco", "sin"}
_POLARITY = frozenset(_NEGATIONS | {"si", "ya"})
_ENYE = "\0"


def _fold(text: str) -> str:
    """Lower case, accents and compatibility forms removed, ñ kept."""
    # º and ª would become o and a («nº» → «no»): they are marks, not letters, here.
    text = unicodedata.normalize("NFC", text).lower().replace("ñ", _ENYE).replace("º", " ").replace("ª", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace(_ENYE, "ñ")


def _plain(text: str) -> str:
    """Words only: anything but letters and digits (punctuation, emoji) separates words."""
    squeezed = _STRETCHED.sub(r"\1\1", _NOT_WORD.sub(" ", text))
    return " ".join(squeezed.split())


def normalized(text: str) -> str:
    """The form two ways of writing the same message share.

    Lower case; accents removed but ñ kept (as `bot.text.fold` does: «año» is not «ano»);
    punctuation and emoji replaced by a space; a letter repeated three times or more squeezed to
    two («holaaaa» → «holaa»: Spanish doubles letters, «llegar», «leer», never triples them);
    whitespace collapsed. Masked personal data stays a bracketed token («[Teléfono]» →
    «[telefono]», «[número de pedido]» → «[numero_de_pedido]»), so messages differing only in the
    masked value are equal. A text with no letter or digit at all («👍», «???») is kept as
    written (whitespace collapsed) rather than normalized to nothing, so «👍» and «😡» stay apart.
    """
    folded = _fold(text)
    pieces, start = [], 0
    for placeholder in _PLACEHOLDER.finditer(folded):
        pieces.append(_plain(folded[start : placeholder.start()]))
        pieces.append("[" + "_".join(placeholder.group(1).split()) + "]")
        start = placeholder.end()
    pieces.append(_plain(folded[start:]))
    result = " ".join(piece for piece in pieces if piece)
    return result or " ".join(text.split())


@dataclass(frozen=True)
class Sighting:
    """One occurrence of a customer message."""

    text: str  # as written (already masked)
    source: str  # an opaque reference to where it came from (e.g. "conversation-ref:message-id")
    predicted_intent: str | None
    confidence: float | None
    reasons: frozenset[str]  # why it was collected, e.g. {"low_confidence"}, {"corrected"}
    label: str | None = None  # a label already known (e.g. an agent's correction), else None


@dataclass(frozen=True)
class Group:
    """One message however it was written, with everything its sightings said about it."""

    text: str  # the representative: the most frequent spelling (ties: the earliest)
    count: int
    sources: tuple[str, ...]  # every sighting's source, in input order
    predicted_intent: str | None  # the most frequent prediction (ties: the earliest)
    confidence: float | None  # the lowest confidence seen (the most doubtful)
    reasons: frozenset[str]  # union
    labels: frozenset[str]  # every known label (two different ones = a conflict to report)


def merge_similar(sightings: Iterable[Sighting], threshold: float = DEFAULT_THRESHOLD) -> list[Group]:
    """The sightings merged into groups, the largest first (ties: the first seen first).

    Texts equal after `normalized` always merge. Then, in order of first appearance, each distinct
    normalized text joins the existing group whose representative's normalized text it resembles
    best (rapidfuzz's `fuzz.ratio` of the representative and the text at least `threshold`, only spelling
    slips between their words, see the module docstring; ties: the older group), or starts a new
    group. Texts of one word or of 3 characters or less only ever merge when equal: «si» and «no»,
    «hola» and «hora» stay apart. The representative is the most frequent spelling (the text as
    written, outer and repeated whitespace aside; ties: the earliest); it may change as a group grows.
    Deterministic: the same input in the same order gives the same groups.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
    sightings = list(sightings)
    forms: dict[str, int] = {}  # normalized text -> its index, in order of first appearance
    form_of: list[int] = []  # per sighting
    spellings: list[Counter[str]] = []  # per form: how often each spelling was seen
    first_seen: dict[str, int] = {}  # spelling -> index of its first sighting
    for index, sighting in enumerate(sightings):
        key = normalized(sighting.text)
        form = forms.setdefault(key, len(forms))
        if form == len(spellings):
            spellings.append(Counter())
        spelling = _spelling(sighting.text)
        spellings[form][spelling] += 1
        first_seen.setdefault(spelling, index)
        form_of.append(form)

    group_of_form = _cluster(list(forms), spellings, first_seen, threshold)

    members: dict[int, list[Sighting]] = {}
    for sighting, form in zip(sightings, form_of, strict=True):
        members.setdefault(group_of_form[form], []).append(sighting)
    # dict order is first appearance; sorted() is stable, so ties keep it.
    groups = [_group(group_sightings) for group_sightings in members.values()]
    return sorted(groups, key=lambda group: -group.count)


def _spelling(text: str) -> str:
    return " ".join(text.split())


def _is_short(form: str) -> bool:
    """One word, 3 characters or less, or no word at all («👍 👍»): only merged when equal."""
    return len(form) <= 3 or " " not in form or not any(c.isalnum() for c in form)


def _cluster(
    forms: list[str], spellings: list[Counter[str]], first_seen: dict[str, int], threshold: float
) -> list[int]:
    """The group of each distinct normalized text, greedily in order of first appearance."""
    group_of_form: list[int] = []
    anchors: list[int] = []  # per group: the form of its representative (compared against)
    best: list[tuple[int, int]] = []  # per group: (count, -first index) of its representative
    by_length: dict[int, list[int]] = {}  # anchor length -> groups that can take near-duplicates
    for form, text in enumerate(forms):
        spelling = max(spellings[form], key=lambda s: (spellings[form][s], -first_seen[s]))
        strength = (spellings[form][spelling], -first_seen[spelling])
        group = None if _is_short(text) else _closest(text, forms, anchors, by_length, threshold)
        if group is None:
            group = len(anchors)
            anchors.append(form)
            best.append(strength)
            if not _is_short(text):
                by_length.setdefault(len(text), []).append(group)
        elif strength > best[group]:  # this spelling is now the representative
            by_length[len(forms[anchors[group]])].remove(group)
            by_length.setdefault(len(text), []).append(group)
            anchors[group], best[group] = form, strength
        group_of_form.append(group)
    return group_of_form


def _closest(
    text: str,
    forms: list[str],
    anchors: list[int],
    by_length: dict[int, list[int]],
    threshold: float,
) -> int | None:
    """The group whose representative `text` is a near-duplicate of, the closest (then oldest)."""
    # ratio <= 2 * min(len) / (len(a) + len(b)): lengths further apart cannot reach the threshold.
    low = int(len(text) * threshold / (2 - threshold))
    high = int(len(text) * (2 - threshold) / threshold) + 1
    candidates = sorted(g for length in range(low, high + 1) for g in by_length.get(length, ()))
    found, found_ratio = None, threshold
    for group in candidates:
        anchor = forms[anchors[group]]
        ratio = fuzz.ratio(anchor, text, score_cutoff=found_ratio * 100) / 100  # 0 below the cutoff
        if (ratio > found_ratio or (found is None and ratio >= found_ratio)) and _only_slips(anchor, text):
            found, found_ratio = group, ratio
    return found


def _only_slips(a: str, b: str) -> bool:
    """Whether the words where `a` and `b` differ are spelling slips, not other words."""
    words_a, words_b = a.split(), b.split()
    blocks = SequenceMatcher(None, words_a, words_b, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in blocks:
        if tag == "equal":
            continue
        left, right = "".join(words_a[i1:i2]), "".join(words_b[j1:j2])
        if left == right:  # only the spacing differs: «nome» is «no me»
            continue
        if _polarity(words_a[i1:i2]) != _polarity(words_b[j1:j2]):
            return False
        allowed = max(1, max(len(left), len(right)) // 4)
        if _distance(left, right, allowed) > allowed:
            return False
    return True


def _polarity(words: list[str]) -> Counter[str]:
    return Counter(word for word in words if word in _POLARITY)


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from `a` to `b`; `limit + 1` if more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _group(sightings: list[Sighting]) -> Group:
    spellings = Counter(_spelling(s.text) for s in sightings)  # Counter keeps first-seen order
    intents = Counter(s.predicted_intent for s in sightings if s.predicted_intent is not None)
    confidences = [s.confidence for s in sightings if s.confidence is not None]
    return Group(
        text=_most_common(spellings),
        count=len(sightings),
        sources=tuple(s.source for s in sightings),
        predicted_intent=_most_common(intents) if intents else None,
        confidence=min(confidences) if confidences else None,
        reasons=frozenset().union(*(s.reasons for s in sightings)),
        labels=frozenset(s.label for s in sightings if s.label is not None),
    )


def _most_common(counts: Counter[str]) -> str:
    """The most frequent; ties: the first counted (max returns the first of equals)."""
    return max(counts, key=counts.__getitem__)
